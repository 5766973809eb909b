//! `kyso-cli extend`: upgrade a signed PDF (ours or anyone's) to PAdES B-LT
//! (a DSS with certificates, CRLs and OCSP responses) or B-LTA (then a
//! document timestamp).

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use kyso_i18n::Translator;
use kyso_pki::{load_certificates, load_crl};

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
    let req = kyso_core::ExtendRequest {
        input: args.file.clone(),
        output: args.output.clone(),
        level: kyso_core::Level::parse(&args.level).unwrap_or(kyso_core::Level::LongTerm),
        certs,
        crls,
        offline: args.offline,
        tsa: kyso_core::Tsa { url: args.tsa.clone(), timeout: Duration::from_secs(args.tsa_timeout) },
        proxy: args.proxy.clone(),
        overwrite: args.force,
        journal: Some(kyso_core::data_dir()),
    };
    let done = match kyso_core::extend(&req) {
        Ok(d) => d,
        Err(kyso_core::ExtendError::NoSignature) => return fail(exit::NOT_FOUND, "verify-no-signature", String::new()),
        Err(kyso_core::ExtendError::Dss(e)) => return fail(exit::IO, "err-signer", e.to_string()),
        Err(kyso_core::ExtendError::Timestamp(e)) => return fail(exit::IO, "err-timestamp", e.to_string()),
        Err(e) => return fail(exit::REFUSED, "err-pdf-malformed", e.to_string()),
    };
    for p in &done.journal {
        crate::journal::problem(t, p);
    }
    if json {
        print_json(&serde_json::json!({"ok": true, "output": args.output, "level": args.level,
            "certificates": done.certificates, "crls": done.crls, "ocsps": done.ocsps,
            "signatures": done.signatures}));
    } else {
        println!(
            "{}",
            t.tr_args("extend-done", &[("output", &args.output.display().to_string()), ("level", &args.level)])
        );
    }
    exit::OK
}
