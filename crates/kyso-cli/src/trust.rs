//! `kyso-cli trust`: the certificates Kyso ships (RootCA G2 and the
//! national root as anchors, CA G2 for path building; kyso-core's
//! `TrustBundle`) and the user's trust anchors, kept in the data directory.
//! The Vietnamese roots are pinned by SHA-256 in the code
//! (`kyso_pki::VGCA_PINS`): a certificate that claims one of their names but
//! does not match the pin is refused.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use kyso_core::{ShippedRole, TrustSource};
use kyso_i18n::Translator;
use kyso_pki::store::{AnchorStore, StoreError};
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
    /// List the shipped certificates (with pins, validity, on or off) and
    /// the imported anchors.
    List,
    /// Show, or switch on or off, the shipped anchors (the setting
    /// `shipped_anchors` of the settings file the desktop app shares).
    Shipped {
        /// `on` or `off`; none: show the state.
        state: Option<OnOff>,
    },
    /// Remove a trust anchor by its SHA-256.
    Remove {
        /// SHA-256 (hex) of the certificate.
        sha256: String,
    },
}

/// A switch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    /// Switched on.
    On,
    /// Switched off.
    Off,
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
            let data_dir = kyso_core::data_dir();
            let list = kyso_core::trust_list(&data_dir, kyso_core::shipped_anchors_enabled(&data_dir));
            if json {
                print_json(&list);
                return exit::OK;
            }
            for e in &list {
                let pin = e.pinned.map(|n| format!(" [{}: {n}]", t.tr("trust-pinned"))).unwrap_or_default();
                println!("{}  {}{pin}", e.sha256, e.subject);
                let source = match e.source {
                    TrustSource::Shipped => t.tr("trust-source-shipped"),
                    TrustSource::User => t.tr("trust-source-user"),
                };
                let role = match e.role {
                    ShippedRole::Anchor => t.tr("trust-role-anchor"),
                    ShippedRole::Intermediate => t.tr("trust-role-intermediate"),
                };
                let validity = t.tr_args("cert-validity-range", &[("from", &e.not_before), ("to", &e.not_after)]);
                let state = t.tr(if e.enabled { "trust-enabled" } else { "trust-disabled" });
                println!("    {source} · {role} · {}: {validity} · {state}", t.tr("cert-validity"));
            }
            if !list.iter().any(|e| e.source == TrustSource::User) {
                println!("{}", t.tr("trust-empty"));
            }
            exit::OK
        }
        TrustCommand::Shipped { state } => {
            let data_dir = kyso_core::data_dir();
            if let Some(s) = state {
                if let Err(e) = kyso_core::set_shipped_anchors_enabled(&data_dir, *s == OnOff::On) {
                    let path = kyso_core::settings_path(&data_dir).display().to_string();
                    eprintln!("{}", t.tr_args("err-io", &[("path", &path), ("detail", &e.to_string())]));
                    return exit::IO;
                }
                record(t, if *s == OnOff::On { "shipped_on" } else { "shipped_off" }, "");
            }
            let on = kyso_core::shipped_anchors_enabled(&data_dir);
            if json {
                print_json(&serde_json::json!({ "shipped_anchors": on }));
            } else {
                println!("{}", t.tr(if on { "trust-shipped-on" } else { "trust-shipped-off" }));
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
            signer_sha256: (!sha256.is_empty()).then(|| sha256.into()),
            outcome: "ok".into(),
            ..Default::default()
        },
    );
}
