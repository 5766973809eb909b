//! `kyso-cli tokens` and `kyso-cli certs` (the certificates listed by
//! kyso-core, as the desktop app lists them).

use std::io::BufRead;

use kyso_i18n::{Localize, Translator};
use kyso_token::{CertEntry, ModuleReport, Pin, PinState, TokenError, TokenReport, candidate_modules, scan};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::ModuleArgs;
use crate::exit;
use crate::output::{ErrorJson, print_json, token_error_json, token_error_text};

#[derive(Serialize)]
struct ModuleJson<'a> {
    #[serde(flatten)]
    report: &'a ModuleReport,
    error: Option<ErrorJson>,
}

#[derive(Serialize)]
struct TokensJson<'a> {
    modules: Vec<ModuleJson<'a>>,
}

fn pin_text(t: &Translator, p: &PinState, token: &TokenReport) -> String {
    let mut parts = Vec::new();
    if !p.initialized {
        parts.push(t.tr("pin-not-initialized"));
    }
    if p.locked {
        parts.push(t.tr("pin-locked"));
    } else if p.final_try {
        parts.push(t.tr("pin-final-try"));
    } else if p.count_low {
        parts.push(t.tr("pin-count-low"));
    }
    if p.to_be_changed {
        parts.push(t.tr("pin-to-be-changed"));
    }
    if token.protected_authentication_path {
        parts.push(t.tr("pin-pad"));
    }
    if parts.is_empty() {
        parts.push(t.tr("pin-ok"));
    }
    parts.join("; ")
}

fn reports(args: &ModuleArgs) -> Vec<ModuleReport> {
    scan(&candidate_modules(&args.modules, &[]))
}

/// Exit code from what the scan found.
fn scan_exit(reports: &[ModuleReport]) -> u8 {
    let tokens = reports.iter().flat_map(|r| &r.slots).filter(|s| s.token.is_some()).count();
    if tokens > 0 {
        exit::OK
    } else if !reports.is_empty() && reports.iter().all(|r| !r.loaded) {
        exit::TOKEN
    } else {
        exit::NOT_FOUND
    }
}

/// `kyso-cli tokens`.
pub fn tokens(t: &Translator, args: &ModuleArgs, json: bool) -> u8 {
    let reports = reports(args);
    if json {
        let modules = reports
            .iter()
            .map(|r| ModuleJson { report: r, error: r.error.as_ref().map(|e| token_error_json(t, e)) })
            .collect();
        print_json(&TokensJson { modules });
        return scan_exit(&reports);
    }
    if reports.is_empty() {
        println!("{}", t.tr("tokens-no-modules"));
        return exit::NOT_FOUND;
    }
    for r in &reports {
        println!("{}", t.tr_args("tokens-module", &[("path", &r.path.display().to_string())]));
        println!("  {}", t.tr_args("tokens-module-source", &[("source", &r.source.localize(t))]));
        match (&r.error, &r.library) {
            (Some(e), _) => println!("  {}", t.tr_args("tokens-module-failed", &[("reason", &token_error_text(t, e))])),
            (None, Some(lib)) => println!(
                "  {}",
                t.tr_args(
                    "tokens-module-loaded",
                    &[("library", &format!("{} {} {}", lib.manufacturer, lib.description, lib.version))]
                )
            ),
            (None, None) => {}
        }
        for s in &r.slots {
            println!(
                "  {}",
                t.tr_args("tokens-slot", &[("id", &s.slot_id.to_string()), ("description", &s.description)])
            );
            match &s.token {
                Some(tok) => {
                    println!("    {}: {}", t.tr("token-label"), tok.label);
                    println!("    {}: {}", t.tr("token-manufacturer"), tok.manufacturer);
                    println!("    {}: {}", t.tr("token-model"), tok.model);
                    println!("    {}: {}", t.tr("token-serial"), tok.serial);
                    println!("    {}: {}", t.tr("token-pin"), pin_text(t, &tok.pin, tok));
                }
                None => println!("    {}", s.error.clone().unwrap_or_else(|| t.tr("tokens-slot-empty"))),
            }
        }
    }
    let code = scan_exit(&reports);
    if code == exit::NOT_FOUND {
        println!("{}", t.tr("tokens-none"));
    }
    code
}

#[derive(Serialize)]
struct CertsJson {
    certificates: Vec<CertEntry>,
    errors: Vec<ModuleErrorJson>,
}

#[derive(Serialize)]
struct ModuleErrorJson {
    module: String,
    #[serde(flatten)]
    error: ErrorJson,
}

fn read_pin() -> Result<Pin, std::io::Error> {
    let mut line = Zeroizing::new(String::new());
    std::io::stdin().lock().read_line(&mut line)?;
    let pin = line.trim_end_matches(['\r', '\n']).to_owned();
    Ok(Pin::new(pin))
}

/// `kyso-cli certs`.
pub fn certs(t: &Translator, args: &ModuleArgs, token: Option<&str>, pin_stdin: bool, json: bool) -> u8 {
    let pin = if pin_stdin {
        match read_pin() {
            Ok(p) => Some(p),
            Err(e) => {
                eprintln!("{}", t.tr_args("err-io", &[("path", "stdin"), ("detail", &e.to_string())]));
                return exit::IO;
            }
        }
    } else {
        None
    };
    // The one listing of kyso-core (the desktop's too), logged in when a PIN
    // was given.
    let listing = kyso_core::certificate_listing(&args.modules, &[], token, pin.as_ref());
    let certificates: Vec<CertEntry> = listing.certificates.into_iter().map(|(c, _)| c).collect();
    let mut errors: Vec<(String, TokenError)> =
        listing.errors.into_iter().map(|(m, e)| (m.display().to_string(), e)).collect();
    if listing.tokens == 0
        && let Some(tok) = token
    {
        errors.push((String::new(), TokenError::TokenNotFound(tok.to_owned())));
    }
    let code = if !certificates.is_empty() {
        exit::OK
    } else if errors.iter().any(|(_, e)| !matches!(e, TokenError::TokenNotFound(_))) {
        exit::TOKEN
    } else {
        exit::NOT_FOUND
    };
    if json {
        let errors =
            errors.iter().map(|(m, e)| ModuleErrorJson { module: m.clone(), error: token_error_json(t, e) }).collect();
        print_json(&CertsJson { certificates, errors });
        return code;
    }
    for (m, e) in &errors {
        if m.is_empty() {
            eprintln!("{}", token_error_text(t, e));
        } else {
            eprintln!("{m}: {}", token_error_text(t, e));
        }
    }
    if certificates.is_empty() {
        println!("{}", t.tr("certs-none"));
    }
    for c in &certificates {
        let info = &c.certificate;
        println!("{}: {}", t.tr("cert-subject"), info.subject);
        println!("  {}: {}", t.tr("cert-issuer"), info.issuer);
        println!("  {}: {}", t.tr("cert-serial"), info.serial);
        println!(
            "  {}: {}",
            t.tr("cert-validity"),
            t.tr_args("cert-validity-range", &[("from", &info.not_before), ("to", &info.not_after)])
        );
        println!("  {}: {}", t.tr("cert-key"), serde_json::to_string(&info.key).unwrap_or_default());
        println!("  {}: {}", t.tr("cert-key-usage"), info.key_usage.join(", "));
        if !info.extended_key_usage.is_empty() {
            println!("  {}: {}", t.tr("cert-eku"), info.extended_key_usage.join(", "));
        }
        if !info.policies.is_empty() {
            println!("  {}: {}", t.tr("cert-policies"), info.policies.join(", "));
        }
        println!("  {}: {} ({})", t.tr("cert-token"), c.token_label, c.token_serial);
        println!("  {}: {}", t.tr("cert-id"), c.id);
        let key = if c.has_private_key { t.tr("cert-private-key-yes") } else { t.tr("cert-private-key-no") };
        println!("  {}: {key}", t.tr("cert-private-key"));
        for w in &info.warnings {
            println!("  ⚠ {}", w.localize(t));
        }
    }
    code
}
