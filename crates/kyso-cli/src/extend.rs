//! `kyso-cli extend`: upgrade a signed PDF (ours or anyone's) to PAdES B-LT
//! (a DSS with certificates, CRLs and OCSP responses) or B-LTA (then a
//! document timestamp).

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use kyso_i18n::Translator;
use kyso_pki::{TsaConfig, load_certificates, load_crl};

use crate::exit;
use crate::output::print_json;

/// Options of `kyso-cli extend`.
#[derive(Args, Debug)]
pub struct ExtendArgs {
    /// The signed PDF.
    file: PathBuf,
    /// Output file.
    #[arg(short, long)]
    output: PathBuf,
    /// B-LT or B-LTA.
    #[arg(long, value_parser = ["B-LT", "B-LTA"])]
    level: String,
    /// Certificates to add (intermediates, roots, TSA; PEM or DER; repeatable).
    #[arg(long, value_name = "PEM")]
    certs: Vec<PathBuf>,
    /// CRLs to add (PEM or DER; repeatable).
    #[arg(long, value_name = "FILE")]
    crl: Vec<PathBuf>,
    /// Timestamp server for B-LTA.
    #[arg(long, default_value = kyso_pki::tsp::VGCA_TSA)]
    tsa: String,
    /// Seconds to wait for the timestamp server.
    #[arg(long, default_value_t = 180)]
    tsa_timeout: u64,
    /// Never use the network: only the given certificates and CRLs go in
    /// (by default the OCSP responders and CRL distribution points of the
    /// signers' certificates are asked for current answers).
    #[arg(long)]
    offline: bool,
    /// HTTP proxy for the TSA, OCSP and CRL servers
    /// (`http://[user:password@]host:port`); without it `HTTPS_PROXY`,
    /// `HTTP_PROXY` and `NO_PROXY` apply.
    #[arg(long, value_name = "URL")]
    proxy: Option<String>,
    /// Overwrite an existing output.
    #[arg(long)]
    force: bool,
}

/// `kyso-cli extend`.
pub fn extend(t: &Translator, args: &ExtendArgs, json: bool) -> u8 {
    let fail = |code: u8, key: &str, detail: String| {
        let message = t.tr_args(key, &[("detail", &detail), ("path", &args.file.display().to_string())]);
        if json {
            print_json(&serde_json::json!({"ok": false, "error": {"message": message}}));
        } else {
            eprintln!("{message}");
        }
        code
    };
    let mut certs = Vec::new();
    for p in &args.certs {
        match std::fs::read(p) {
            Ok(b) => certs.extend(load_certificates(&b).into_iter().map(|c| c.der)),
            Err(e) => return fail(exit::IO, "err-io", e.to_string()),
        }
    }
    let mut crls = Vec::new();
    for p in &args.crl {
        match std::fs::read(p).ok().and_then(|b| load_crl(&b)) {
            Some(c) => crls.push(c),
            None => return fail(exit::USAGE, "err-usage", format!("--crl {}", p.display())),
        }
    }
    let reader = match kyso_pdf::PdfReader::open(&args.file) {
        Ok(r) => r,
        Err(e) => return fail(exit::REFUSED, "err-pdf-malformed", e.to_string()),
    };
    let mut material = match kyso_pdf::ltv::collect_material(&reader, &certs, &crls) {
        Ok(m) if !m.vri_keys.is_empty() => m,
        Ok(_) => return fail(exit::NOT_FOUND, "verify-no-signature", String::new()),
        Err(e) => return fail(exit::REFUSED, "err-pdf-malformed", e.to_string()),
    };
    drop(reader);
    // Current revocation answers for every certificate whose issuer is known
    // (ETSI EN 319 102-1 §5.2.5.4: fresher than the signatures).
    let mut notes = Vec::new();
    if !args.offline {
        let parsed: Vec<kyso_pki::Certificate> =
            material.certs.iter().filter_map(|d| kyso_pki::CertDer::from_der(d).map(|c| c.cert)).collect();
        let got = kyso_pki::precheck::gather_revocation_via(
            &parsed,
            &kyso_pki::http::Route { timeout: Duration::from_secs(30), proxy: args.proxy.as_deref() },
        );
        material.ocsps.extend(got.ocsps);
        for c in got.crls {
            if !material.crls.contains(&c) {
                material.crls.push(c);
            }
        }
        notes = got.notes;
    }
    let lta = args.level == "B-LTA";
    let dss_out = if lta { args.output.with_extension("lt.part.pdf") } else { args.output.clone() };
    if let Err(e) = kyso_pdf::ltv::add_dss(&args.file, &dss_out, &material, args.force || lta) {
        return fail(exit::IO, "err-signer", e.to_string());
    }
    if lta {
        let cfg = TsaConfig {
            url: args.tsa.clone(),
            timeout: Duration::from_secs(args.tsa_timeout),
            proxy: args.proxy.clone(),
        };
        let opts = kyso_pdf::SignOptions { force: args.force, ..Default::default() };
        let res = kyso_pdf::timestamp_pdf(&dss_out, &args.output, &cfg, &opts);
        let _ = std::fs::remove_file(&dss_out);
        if let Err(e) = res {
            return fail(exit::IO, "err-timestamp", e.to_string());
        }
    }
    let (path, sha) = kyso_journal::file_facts(&args.file);
    let (out_path, out_sha) = kyso_journal::file_facts(&args.output);
    crate::journal::record(
        t,
        &kyso_journal::Entry {
            action: "extend".into(),
            input_path: path,
            input_sha256: sha,
            output_path: out_path,
            output_sha256: out_sha,
            level: Some(args.level.clone()),
            tsa: lta.then(|| args.tsa.clone()),
            evidence: Some(format!(
                "dss: {} certificates, {} CRLs, {} OCSP responses; {}",
                material.certs.len(),
                material.crls.len(),
                material.ocsps.len(),
                notes.join("; ")
            )),
            outcome: "ok".into(),
            ..Default::default()
        },
    );
    if json {
        print_json(&serde_json::json!({"ok": true, "output": args.output, "level": args.level,
            "certificates": material.certs.len(), "crls": material.crls.len(), "ocsps": material.ocsps.len(),
            "signatures": material.vri_keys.len()}));
    } else {
        println!(
            "{}",
            t.tr_args("extend-done", &[("output", &args.output.display().to_string()), ("level", &args.level)])
        );
    }
    exit::OK
}
