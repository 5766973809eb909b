//! `kyso-cli trust`: the user's trust anchors, kept in the data directory.
//! The Vietnamese roots are pinned by SHA-256 in the code
//! (`kyso_pki::VGCA_PINS`): a certificate that claims one of their names but
//! does not match the pin is refused.

use std::path::PathBuf;

use clap::Subcommand;
use kyso_i18n::Translator;
use kyso_pki::{CertDer, VGCA_PINS, cert_sha256, format_name, load_certificates, name_attribute};
use serde::Serialize;

use crate::exit;
use crate::output::print_json;

/// `kyso-cli trust …`.
#[derive(Subcommand, Debug)]
pub enum TrustCommand {
    /// Import trust anchor certificates (PEM or DER).
    Add {
        /// Certificate files.
        files: Vec<PathBuf>,
    },
    /// List the trust anchors.
    List,
    /// Remove a trust anchor by its SHA-256.
    Remove {
        /// SHA-256 (hex) of the certificate.
        sha256: String,
    },
}

fn store_dir() -> PathBuf {
    kyso_journal::data_dir().join("trust")
}

/// The stored anchors.
pub fn stored_anchors() -> Vec<CertDer> {
    let Ok(entries) = std::fs::read_dir(store_dir()) else { return Vec::new() };
    let mut out: Vec<CertDer> =
        entries.flatten().filter_map(|e| std::fs::read(e.path()).ok()).flat_map(|b| load_certificates(&b)).collect();
    out.sort_by(|a, b| a.der.cmp(&b.der));
    out.dedup();
    out
}

#[derive(Serialize)]
struct AnchorJson {
    subject: String,
    sha256: String,
    pinned: Option<&'static str>,
}

fn describe(c: &CertDer) -> AnchorJson {
    let sha = cert_sha256(&c.cert);
    AnchorJson {
        subject: format_name(c.cert.tbs_certificate().subject()),
        pinned: VGCA_PINS.iter().find(|(_, p)| *p == sha).map(|(n, _)| *n),
        sha256: sha,
    }
}

/// `kyso-cli trust`.
pub fn trust(t: &Translator, cmd: &TrustCommand, json: bool) -> u8 {
    match cmd {
        TrustCommand::List => {
            let list: Vec<AnchorJson> = stored_anchors().iter().map(describe).collect();
            if json {
                print_json(&list);
            } else if list.is_empty() {
                println!("{}", t.tr("trust-empty"));
            } else {
                for a in &list {
                    let pin = a.pinned.map(|n| format!(" [{}: {n}]", t.tr("trust-pinned"))).unwrap_or_default();
                    println!("{}  {}{pin}", a.sha256, a.subject);
                }
            }
            exit::OK
        }
        TrustCommand::Remove { sha256 } => {
            let path = store_dir().join(format!("{}.der", sha256.to_lowercase()));
            match std::fs::remove_file(&path) {
                Ok(()) => {
                    record(t, "remove", sha256);
                    exit::OK
                }
                Err(_) => {
                    eprintln!("{}", t.tr_args("trust-not-found", &[("sha256", sha256)]));
                    exit::NOT_FOUND
                }
            }
        }
        TrustCommand::Add { files } => {
            let mut added = Vec::new();
            for f in files {
                let bytes = match std::fs::read(f) {
                    Ok(b) => b,
                    Err(e) => {
                        eprintln!(
                            "{}",
                            t.tr_args("err-io", &[("path", &f.display().to_string()), ("detail", &e.to_string())])
                        );
                        return exit::IO;
                    }
                };
                let certs = load_certificates(&bytes);
                if certs.is_empty() {
                    eprintln!("{}", t.tr_args("trust-not-a-certificate", &[("path", &f.display().to_string())]));
                    return exit::USAGE;
                }
                for c in certs {
                    let d = describe(&c);
                    // A certificate named like a pinned Vietnamese root must match its pin.
                    let cn = name_attribute(c.cert.tbs_certificate().subject(), const_oid_cn()).unwrap_or_default();
                    if d.pinned.is_none() && VGCA_PINS.iter().any(|(n, _)| cn == *n) {
                        eprintln!(
                            "{}",
                            t.tr_args("trust-pin-mismatch", &[("subject", &d.subject), ("sha256", &d.sha256)])
                        );
                        return exit::REFUSED;
                    }
                    let dir = store_dir();
                    if let Err(e) = std::fs::create_dir_all(&dir)
                        .and_then(|()| std::fs::write(dir.join(format!("{}.der", d.sha256)), &c.der))
                    {
                        eprintln!(
                            "{}",
                            t.tr_args("err-io", &[("path", &dir.display().to_string()), ("detail", &e.to_string())])
                        );
                        return exit::IO;
                    }
                    record(t, "add", &d.sha256);
                    if !json {
                        let key = if d.pinned.is_some() { "trust-added-pinned" } else { "trust-added" };
                        println!("{}", t.tr_args(key, &[("subject", &d.subject), ("sha256", &d.sha256)]));
                    }
                    added.push(d);
                }
            }
            if json {
                print_json(&added);
            }
            exit::OK
        }
    }
}

fn const_oid_cn() -> kyso_pki::der::asn1::ObjectIdentifier {
    kyso_pki::der::asn1::ObjectIdentifier::new_unwrap("2.5.4.3")
}

fn record(t: &Translator, what: &str, sha256: &str) {
    crate::journal::record(
        t,
        &kyso_journal::Entry {
            action: "trust".into(),
            role: Some(what.into()),
            signer_sha256: Some(sha256.into()),
            outcome: "ok".into(),
            ..Default::default()
        },
    );
}
