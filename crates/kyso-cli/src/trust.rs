//! `kyso-cli trust`: the user's trust anchors, kept in the data directory.
//! The Vietnamese roots are pinned by SHA-256 in the code
//! (`kyso_pki::VGCA_PINS`): a certificate that claims one of their names but
//! does not match the pin is refused.

use std::path::PathBuf;

use clap::Subcommand;
use kyso_i18n::Translator;
use kyso_pki::store::{AnchorInfo, AnchorStore, StoreError};
use kyso_pki::{CertDer, load_certificates};

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

fn store() -> AnchorStore {
    AnchorStore::in_data_dir(&kyso_core::data_dir())
}

/// The stored anchors.
pub fn stored_anchors() -> Vec<CertDer> {
    store().list()
}

/// `kyso-cli trust`.
pub fn trust(t: &Translator, cmd: &TrustCommand, json: bool) -> u8 {
    match cmd {
        TrustCommand::List => {
            let list: Vec<AnchorInfo> = stored_anchors().iter().map(AnchorInfo::of).collect();
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
        TrustCommand::Remove { sha256 } => match store().remove(sha256) {
            Ok(true) => {
                record(t, "remove", sha256);
                exit::OK
            }
            Ok(false) | Err(_) => {
                eprintln!("{}", t.tr_args("trust-not-found", &[("sha256", sha256)]));
                exit::NOT_FOUND
            }
        },
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
                    let d = match store().add(&c) {
                        Ok(d) => d,
                        Err(StoreError::PinMismatch { subject, sha256 }) => {
                            eprintln!(
                                "{}",
                                t.tr_args("trust-pin-mismatch", &[("subject", &subject), ("sha256", &sha256)])
                            );
                            return exit::REFUSED;
                        }
                        Err(StoreError::Io { path, source }) => {
                            eprintln!(
                                "{}",
                                t.tr_args(
                                    "err-io",
                                    &[("path", &path.display().to_string()), ("detail", &source.to_string())]
                                )
                            );
                            return exit::IO;
                        }
                    };
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
