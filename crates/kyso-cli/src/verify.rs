//! `kyso-cli verify`: signature verification reports (docs/cli.md).

use std::path::PathBuf;
use std::time::SystemTime;

use clap::Args;
use kyso_core::VerifyOptions;
use kyso_i18n::{Localize, Translator};
use kyso_pdf::{Indication, PdfReport};
use kyso_pki::report::SignatureKind;
use kyso_pki::timestamp::TimestampTrust;

use kyso_pki::{load_certificates, load_crl};
use serde::Serialize;

use crate::output::print_json;

/// Options of `kyso-cli verify`.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Files to check.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Trust anchor certificates (PEM or DER; repeatable), in place of the
    /// imported ones (the shipped anchors still count unless
    /// --no-shipped-anchors).
    #[arg(long, value_name = "PEM")]
    trust: Vec<PathBuf>,
    /// Do not trust the anchors shipped with Kyso (RootCA chuyên dùng
    /// Chính phủ G2, Vietnam National Root CA) for this run, whatever the
    /// `shipped_anchors` setting says.
    #[arg(long)]
    no_shipped_anchors: bool,
    /// Extra intermediate certificates (PEM or DER; repeatable).
    #[arg(long, value_name = "PEM")]
    certs: Vec<PathBuf>,
    /// CRLs to use for revocation (PEM or DER; repeatable).
    #[arg(long, value_name = "FILE")]
    crl: Vec<PathBuf>,
    /// Never use the network: revocation only from the file and --crl (by
    /// default, certificates the file has no answer for are asked about at
    /// their OCSP responder, then their CRL distribution points).
    #[arg(long)]
    offline: bool,
    /// HTTP proxy for the TSA, OCSP and CRL servers
    /// (`http://[user:password@]host:port`); without it `HTTPS_PROXY`,
    /// `HTTP_PROXY` and `NO_PROXY` apply.
    #[arg(long, value_name = "URL")]
    proxy: Option<String>,
    /// Validation time (RFC 3339), instead of the timestamp or now.
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    /// Do not draw and compare the pages each signer saw with the pages
    /// now (batch checks); the report then says the pages were not compared.
    #[arg(long)]
    no_render: bool,
    /// Write `sig<N>-page<P>-{before,after,diff}.png` for every page that
    /// looks different now from a signed revision into DIR (one
    /// subdirectory per file when several are checked).
    #[arg(long, value_name = "DIR", conflicts_with = "no_render")]
    render_diff: Option<PathBuf>,
}

/// Exit code when usage is wrong for verify (0–2 are verdicts).
pub const USAGE: u8 = 3;
const IO: u8 = 4;

#[derive(Serialize)]
struct FileJson<'a> {
    file: String,
    format: &'static str,
    #[serde(flatten)]
    report: &'a PdfReport,
}

fn read_all(t: &Translator, paths: &[PathBuf]) -> Result<Vec<Vec<u8>>, String> {
    paths
        .iter()
        .map(|p| {
            std::fs::read(p)
                .map_err(|e| t.tr_args("err-io", &[("path", &p.display().to_string()), ("detail", &e.to_string())]))
        })
        .collect()
}

/// `kyso-cli verify`.
pub fn verify(t: &Translator, args: &VerifyArgs, json: bool) -> u8 {
    let mut opts = VerifyOptions::default();
    let loaded = read_all(t, &args.trust)
        .and_then(|a| read_all(t, &args.certs).map(|c| (a, c)))
        .and_then(|(a, c)| read_all(t, &args.crl).map(|r| (a, c, r)));
    let (anchors, certs, crls) = match loaded {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{e}");
            return IO;
        }
    };
    for a in &anchors {
        let list = load_certificates(a);
        if list.is_empty() {
            eprintln!("{}", t.tr_args("err-usage", &[("detail", "--trust: no certificate")]));
            return USAGE;
        }
        // Named like a pinned Vietnamese root without being it: refused,
        // as `trust add` refuses it.
        if let Some((subject, sha256)) = list.iter().find_map(kyso_core::pin_impostor) {
            eprintln!("{}", t.tr_args("trust-pin-mismatch", &[("subject", &subject), ("sha256", &sha256)]));
            return USAGE;
        }
        opts.anchors.extend(list);
    }
    if args.trust.is_empty() {
        // The anchors imported with `kyso-cli trust add`.
        opts.anchors = crate::trust::stored_anchors();
    }
    for c in &certs {
        opts.extra_certs.extend(load_certificates(c));
    }
    for c in &crls {
        match load_crl(c) {
            Some(d) => opts.crls.push(d),
            None => {
                eprintln!("{}", t.tr_args("err-usage", &[("detail", "--crl: not a CRL")]));
                return USAGE;
            }
        }
    }
    if let Some(at) = &args.at {
        match time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339) {
            Ok(dt) => {
                opts.at =
                    Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(dt.unix_timestamp().max(0) as u64))
            }
            Err(_) => {
                eprintln!("{}", t.tr_args("err-usage", &[("detail", "--at: RFC 3339 expected")]));
                return USAGE;
            }
        }
    }
    let data_dir = kyso_core::data_dir();
    // The shipped anchors (RFC 5280 §6.1.1 (d)): on unless the settings or
    // this run switch them off; the shipped CA G2 helps build paths either way.
    opts.shipped_anchors = !args.no_shipped_anchors && kyso_core::shipped_anchors_enabled(&data_dir);
    if !args.offline {
        opts.online = Some(kyso_core::online_options(&data_dir, args.proxy.clone()));
    }
    // Journaled here, after the visual comparison, so that the journal
    // holds the final verdict.
    opts.journal = None;
    let mut worst = Indication::TotalPassed;
    let mut outputs = Vec::new();
    for f in &args.files {
        if !f.is_file() {
            eprintln!("{}", t.tr_args("err-io", &[("path", &f.display().to_string()), ("detail", "not found")]));
            return IO;
        }
        let mut done = kyso_core::verify(f, &opts);
        if done.format == kyso_core::Format::Pdf {
            visual_check(args, f, &mut done.report);
        }
        done.journal = kyso_core::record(&data_dir, &kyso_journal::Entry::verification(f, &done.report));
        for p in &done.journal {
            crate::journal::problem(t, p);
        }
        worst = worst.max(done.report.indication);
        outputs.push((f.display().to_string(), done.format, done.report));
    }
    if json {
        let items: Vec<FileJson<'_>> =
            outputs.iter().map(|(f, k, r)| FileJson { file: f.clone(), format: k.name(), report: r }).collect();
        if items.len() == 1 {
            print_json(&items[0]);
        } else {
            print_json(&items);
        }
    } else {
        for (f, _, r) in &outputs {
            print_human(t, f, r);
        }
    }
    match worst {
        Indication::TotalPassed => 0,
        Indication::TotalFailed => 1,
        Indication::Indeterminate => 2,
    }
}

/// What each signer saw against what the reader sees (kyso-preview's
/// visual comparison, issue 21), unless `--no-render`.
fn visual_check(args: &VerifyArgs, file: &std::path::Path, report: &mut PdfReport) {
    use kyso_preview::visual::{VisualOptions, compare_revisions, mark_not_compared};
    if args.no_render {
        mark_not_compared(report, "visual comparison switched off (--no-render)");
        return;
    }
    let render_diff = args.render_diff.as_ref().map(|d| match file.file_stem() {
        Some(stem) if args.files.len() > 1 => d.join(stem),
        _ => d.clone(),
    });
    compare_revisions(file, report, &VisualOptions { render_diff, ..Default::default() });
}

fn print_human(t: &Translator, file: &str, r: &PdfReport) {
    println!("{}", t.tr_args("verify-file", &[("file", file)]));
    println!("  {}: {}", t.tr("verify-overall"), r.indication.localize(t));
    if r.signatures.is_empty() {
        println!("  {}", t.tr("verify-no-signature"));
        if let Some(e) = &r.error {
            println!("  {e}");
        }
    }
    for (i, s) in r.signatures.iter().enumerate() {
        println!("  {} {} — {}", t.tr("verify-signature"), i + 1, s.field);
        let row = |k: &str, v: String| println!("    {}: {v}", t.tr(k));
        // A signer the signature does not bind is never named.
        let signer = match &s.signer {
            _ if s.kind == SignatureKind::Signature && s.signer_subject.is_none() => t.tr("verify-signer-unknown"),
            Some(name) => name.clone(),
            None => "—".into(),
        };
        row("verify-signer", signer);
        if let Some(o) = &s.organization {
            row("verify-organization", o.clone());
        }
        row("verify-issuer", s.issuer.clone().unwrap_or_else(|| "—".into()));
        if let (Some(a), Some(b)) = (&s.cert_not_before, &s.cert_not_after) {
            row("cert-validity", t.tr_args("cert-validity-range", &[("from", a), ("to", b)]));
        }
        row("verify-signing-time", s.signing_time.clone().unwrap_or_else(|| "—".into()));
        let stamp = match &s.timestamp {
            Some(ts) if s.timestamp_trust != Some(TimestampTrust::Trusted) => {
                format!("{ts} ({})", t.tr("verify-timestamp-untrusted"))
            }
            Some(ts) => ts.clone(),
            None => t.tr("verify-none"),
        };
        row("verify-timestamp", stamp);
        row("verify-poe-time", s.poe_time.clone().unwrap_or_else(|| t.tr("verify-none")));
        row("verify-integrity", s.integrity.localize(t));
        row("verify-coverage", s.coverage.localize(t));
        if let Some([k, n]) = s.revision {
            row("verify-revision", t.tr_args("verify-revision-of", &[("k", &k.to_string()), ("n", &n.to_string())]));
        }
        row("verify-modifications", s.modifications.localize(t));
        if s.changes.is_empty() {
            for d in &s.modification_details {
                println!("      - {d}");
            }
        } else {
            // Every change after signing (ISO 32000-2 §7.5.6 updates), in
            // the person's language, with its technical detail after it.
            println!("    {}:", t.tr("verify-changes"));
            for c in &s.changes {
                println!(
                    "      {} {} [{}]",
                    if c.allowed { "-" } else { "✗" },
                    t.change(c.kind, c.page, c.rect, c.allowed),
                    c.detail
                );
            }
        }
        row("verify-chain", s.chain.localize(t));
        row("verify-revocation", s.revocation.localize(t));
        let verdict = match s.sub_indication {
            Some(sub) => format!("{} ({sub})", s.indication.localize(t)),
            None => s.indication.localize(t),
        };
        row("verify-verdict", verdict);
        for w in &s.warnings {
            println!("    ⚠ {}", w.localize(t));
        }
    }
    for u in &r.unsigned_fields {
        println!("  {}", t.tr_args("verify-unsigned-field", &[("field", u)]));
    }
}
