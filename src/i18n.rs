//! Translation helpers for the library types shown in the interface.

use kyso_i18n::Translator;
use kyso_pdf::presets::PresetError;
use kyso_pdf::{Indication, PdfError, SignError};
use kyso_pki::{ChainStatus, SignerError};
use kyso_token::{ErrorCode, ModuleSource, PinState, TokenError};

/// A message kept untranslated until it is shown, so that results computed
/// on a worker thread follow the language toggle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    /// The message key.
    pub key: &'static str,
    /// Its arguments.
    pub args: Vec<(&'static str, String)>,
    /// A further message appended (e.g. a PIN warning after "Wrong PIN").
    pub suffix: Option<&'static str>,
}

impl Text {
    /// A message without arguments.
    pub fn new(key: &'static str) -> Self {
        Self { key, args: Vec::new(), suffix: None }
    }

    /// Adds an argument.
    pub fn arg(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    /// The translated text.
    pub fn render(&self, t: &Translator) -> String {
        let args: Vec<(&str, &str)> = self.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let main = t.tr_args(self.key, &args);
        match self.suffix {
            Some(s) => format!("{main} {}", t.tr(s)),
            None => main,
        }
    }
}

/// The date of an RFC 3339 time as people write it: 29/11/2026 in
/// Vietnamese, 2026-11-29 in English (the text itself when it is not one).
pub fn short_date(t: &Translator, rfc3339: &str) -> String {
    let date = rfc3339.get(..10).filter(|d| d.as_bytes().get(4) == Some(&b'-') && d.as_bytes().get(7) == Some(&b'-'));
    match (date, t.lang()) {
        (Some(d), kyso_i18n::Lang::Vi) => format!("{}/{}/{}", &d[8..10], &d[5..7], &d[..4]),
        (Some(d), _) => d.to_owned(),
        (None, _) => rfc3339.to_owned(),
    }
}

/// A token-layer error as a message (the mapping of `kyso-cli`'s
/// `token_error_text`).
pub fn token_error_message(err: &TokenError) -> Text {
    let text = Text::new(error_key(err.code()));
    match err {
        TokenError::ModuleNotFound { path }
        | TokenError::ModuleNotAbsolute { path }
        | TokenError::Module32Bit { path } => text.arg("path", path.display().to_string()),
        TokenError::ModuleLoad { path, reason } | TokenError::ModuleInit { path, reason } => {
            text.arg("path", path.display().to_string()).arg("reason", reason.clone())
        }
        TokenError::TokenNotFound(token) => text.arg("token", token.clone()),
        TokenError::PinIncorrect { state } => Text {
            suffix: if state.final_try {
                Some("pin-final-try")
            } else if state.count_low {
                Some("pin-count-low")
            } else {
                None
            },
            ..text
        },
        TokenError::UnsupportedKey(detail) => text.arg("detail", detail.clone()),
        TokenError::Pkcs11 { function, code } => text.arg("function", function.clone()).arg("code", code.clone()),
        _ => text,
    }
}

/// A signing error as a message (the mapping of `kyso-cli sign`).
pub fn sign_error_message(err: &SignError) -> Text {
    match err {
        SignError::OutputExists(p) => Text::new("gui-output-exists").arg("path", p.display().to_string()),
        SignError::SameFile => Text::new("err-same-file"),
        SignError::Io { path, source } => {
            Text::new("err-io").arg("path", path.display().to_string()).arg("detail", source.to_string())
        }
        SignError::Pdf(PdfError::Io(io)) => Text::new("err-io").arg("path", "PDF").arg("detail", io.to_string()),
        SignError::Pdf(PdfError::Encrypted) | SignError::Encrypted => Text::new("err-pdf-encrypted"),
        SignError::Pdf(other) => Text::new("err-pdf-malformed").arg("detail", other.to_string()),
        SignError::DocMdpForbids => Text::new("err-docmdp-forbids"),
        SignError::CertifyNotFirst => Text::new("err-certify-not-first"),
        SignError::FieldNotEmpty(f) => Text::new("err-field-not-empty").arg("field", f.clone()),
        SignError::NoSuchPage { page, count } => {
            Text::new("err-no-such-page").arg("page", page.to_string()).arg("count", count.to_string())
        }
        SignError::Timestamp(e) => Text::new("err-timestamp").arg("detail", e.to_string()),
        SignError::Signer(SignerError::TokenRemoved) => Text::new("err-token-removed"),
        SignError::NoRevocationData => Text::new("err-no-revocation-data"),
        other => Text::new("err-signer").arg("detail", other.to_string()),
    }
}

/// An OOXML signing error as a message.
pub fn ooxml_error_message(err: &kyso_ooxml::OoxmlError) -> Text {
    use kyso_ooxml::OoxmlError as E;
    match err {
        E::OutputExists(p) => Text::new("gui-output-exists").arg("path", p.clone()),
        E::Io(io) => Text::new("err-io").arg("path", "OOXML").arg("detail", io.to_string()),
        E::Timestamp(d) => Text::new("err-timestamp").arg("detail", d.clone()),
        E::Signer(SignerError::TokenRemoved) => Text::new("err-token-removed"),
        E::Signer(other) => Text::new("err-signer").arg("detail", other.to_string()),
        E::UnsupportedAlgorithm(d) => Text::new("err-ooxml-algorithm").arg("detail", d.clone()),
        other => Text::new("err-ooxml-malformed").arg("detail", other.to_string()),
    }
}

/// The message of a certificate warning that refuses a signing.
fn refusal_key(w: kyso_pki::CertWarning) -> &'static str {
    match w {
        kyso_pki::CertWarning::Expired => "warn-expired",
        kyso_pki::CertWarning::NotYetValid => "warn-not_yet_valid",
        kyso_pki::CertWarning::NoSigningKeyUsage => "warn-no_signing_key_usage",
        kyso_pki::CertWarning::IsCa => "warn-is_ca",
    }
}

/// A signing error of kyso-core as a message.
pub fn core_error_message(err: &kyso_core::Error) -> Text {
    use kyso_core::Error as E;
    let io = |path: &std::path::Path, e: &std::io::Error| {
        Text::new("err-io").arg("path", path.display().to_string()).arg("detail", e.to_string())
    };
    match err {
        E::Io { path, source } | E::Image { path, source } => io(path, source),
        E::Token(e) => token_error_message(e),
        E::NoToken => Text::new("tokens-none"),
        E::CertificateRefused(w) => Text::new(refusal_key(*w)),
        E::Unusable(_) => Text::new("gui-cert-unusable"),
        E::Revoked(_) => Text::new("err-cert-revoked"),
        E::RevocationUnchecked(why) => Text::new("gui-revocation-unchecked").arg("detail", why.clone()),
        E::Unreadable(e) => Text::new("err-pdf-malformed").arg("detail", e.to_string()),
        E::Placement(e) => preset_error_message(e),
        E::NotForOffice(what) => Text::new("err-ooxml-option").arg("option", format!("{what:?}").to_lowercase()),
        E::LevelNotForOffice(l) => Text::new("err-ooxml-option").arg("option", l.name()),
        E::SameFile => Text::new("err-same-file"),
        E::OutputExists(p) => Text::new("gui-output-exists").arg("path", p.display().to_string()),
        E::Pdf(e) => sign_error_message(e),
        E::LongTerm(e) => Text::new("gui-long-term-failed").arg("detail", e.to_string()),
        E::Office(e) => ooxml_error_message(e),
        other => Text::new("err-signer").arg("detail", other.to_string()),
    }
}

/// A signature-preset error as a message.
pub fn preset_error_message(err: &PresetError) -> Text {
    match err {
        PresetError::Appearance(a) => Text::new("err-image").arg("detail", a.to_string()),
        PresetError::Missing(opt) => Text::new("err-preset-missing").arg("option", *opt),
        PresetError::RectOffPage => Text::new("err-rect-off-page"),
        PresetError::NoSuchPage { page, count } => {
            Text::new("err-no-such-page").arg("page", page.to_string()).arg("count", count.to_string())
        }
        other => Text::new("err-pdf-malformed").arg("detail", other.to_string()),
    }
}

/// The message key of a verification indication.
pub fn indication_key(i: Indication) -> &'static str {
    match i {
        Indication::TotalPassed => "ind-total-passed",
        Indication::TotalFailed => "ind-total-failed",
        Indication::Indeterminate => "ind-indeterminate",
    }
}

/// The message key of a path-validation status.
pub fn chain_key(c: ChainStatus) -> &'static str {
    match c {
        ChainStatus::Valid => "chain-valid",
        ChainStatus::NoChainFound => "chain-no-chain-found",
        ChainStatus::BadSignature => "chain-bad-signature",
        ChainStatus::NotCa => "chain-not-ca",
        ChainStatus::UnsupportedAlgorithm => "chain-unsupported-algorithm",
        ChainStatus::ConstraintViolation => "chain-constraint-violation",
        ChainStatus::OutOfValidity => "chain-out-of-validity",
    }
}

/// A translated verification or certificate warning: `warn-` + the code
/// (before any `:`) with `_` turned into `-`, else the key as the library
/// spells it, else the raw text.
pub fn warning_text(t: &Translator, warning: &str) -> String {
    let code = warning.split(':').next().unwrap_or(warning);
    let kebab = format!("warn-{}", code.replace('_', "-"));
    let raw = format!("warn-{code}");
    if t.has(&kebab) {
        t.tr(&kebab)
    } else if t.has(&raw) {
        t.tr(&raw)
    } else {
        warning.to_owned()
    }
}

/// A verification value's translation (`prefix-value` in kebab case),
/// falling back to the raw value.
pub fn value_text(t: &Translator, prefix: &str, value: &str) -> String {
    let key = format!("{prefix}-{}", value.replace('_', "-"));
    if t.has(&key) { t.tr(&key) } else { value.to_owned() }
}

/// The message key of an error code (`err-` + the code in kebab case).
pub fn error_key(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::ModuleNotFound => "err-module-not-found",
        ErrorCode::ModuleNotAbsolute => "err-module-not-absolute",
        ErrorCode::Module32Bit => "err-module-32bit",
        ErrorCode::ModuleLoad => "err-module-load",
        ErrorCode::ModuleInit => "err-module-init",
        ErrorCode::TokenNotFound => "err-token-not-found",
        ErrorCode::TokenRemoved => "err-token-removed",
        ErrorCode::PinIncorrect => "err-pin-incorrect",
        ErrorCode::PinLocked => "err-pin-locked",
        ErrorCode::PinInvalid => "err-pin-invalid",
        ErrorCode::PinRequired => "err-pin-required",
        ErrorCode::KeyNotFound => "err-key-not-found",
        ErrorCode::UnsupportedKey => "err-unsupported-key",
        ErrorCode::Pkcs11 => "err-pkcs11",
    }
}

/// The translated text of a token-layer error.
pub fn error_text(t: &Translator, err: &TokenError) -> String {
    let key = error_key(err.code());
    match err {
        TokenError::ModuleNotFound { path }
        | TokenError::ModuleNotAbsolute { path }
        | TokenError::Module32Bit { path } => t.tr_args(key, &[("path", &path.display().to_string())]),
        TokenError::ModuleLoad { path, reason } | TokenError::ModuleInit { path, reason } => {
            t.tr_args(key, &[("path", &path.display().to_string()), ("reason", reason)])
        }
        TokenError::TokenNotFound(token) => t.tr_args(key, &[("token", token)]),
        TokenError::UnsupportedKey(detail) => t.tr_args(key, &[("detail", detail)]),
        TokenError::Pkcs11 { function, code } => t.tr_args(key, &[("function", function), ("code", code)]),
        _ => t.tr(key),
    }
}

/// The message key naming where a module candidate came from.
pub fn source_key(source: ModuleSource) -> &'static str {
    match source {
        ModuleSource::Explicit => "source-explicit",
        ModuleSource::Environment => "source-environment",
        ModuleSource::Configured => "source-configured",
        ModuleSource::WellKnown => "source-well_known",
        ModuleSource::P11Kit => "source-p11kit",
    }
}

/// How serious a PIN flag is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// Nothing to worry about.
    Normal,
    /// Worth a look.
    Warning,
    /// The user must see this before typing a PIN.
    Critical,
}

/// The message keys of a token's PIN flags, most serious first.
pub fn pin_flags(pin: &PinState) -> Vec<(&'static str, Severity)> {
    let mut out = Vec::new();
    if pin.locked {
        out.push(("pin-locked", Severity::Critical));
    }
    if pin.final_try {
        out.push(("pin-final-try", Severity::Critical));
    }
    if pin.count_low {
        out.push(("pin-count-low", Severity::Warning));
    }
    if pin.to_be_changed {
        out.push(("pin-to-be-changed", Severity::Warning));
    }
    if !pin.initialized {
        out.push(("pin-not-initialized", Severity::Warning));
    }
    if out.is_empty() {
        out.push(("pin-ok", Severity::Normal));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_the_local_way() {
        let vi = Translator::new(kyso_i18n::Lang::Vi);
        let en = Translator::new(kyso_i18n::Lang::En);
        assert_eq!(short_date(&vi, "2026-11-29T09:25:48Z"), "29/11/2026");
        assert_eq!(short_date(&en, "2026-11-29T09:25:48Z"), "2026-11-29");
        assert_eq!(short_date(&vi, "garbage"), "garbage");
        assert_eq!(short_date(&vi, "ngày 1"), "ngày 1");
    }
    use kyso_i18n::Lang;

    #[test]
    fn every_error_key_exists_and_args_are_filled() {
        let t = Translator::new(Lang::Vi);
        let errors = [
            TokenError::ModuleNotFound { path: "/x.so".into() },
            TokenError::ModuleNotAbsolute { path: "x.so".into() },
            TokenError::Module32Bit { path: "/x.so".into() },
            TokenError::ModuleLoad { path: "/x.so".into(), reason: "bad ELF".into() },
            TokenError::ModuleInit { path: "/x.so".into(), reason: "CKR_GENERAL_ERROR".into() },
            TokenError::TokenNotFound("abc".into()),
            TokenError::TokenRemoved,
            TokenError::PinIncorrect { state: PinState::default() },
            TokenError::PinLocked,
            TokenError::PinInvalid,
            TokenError::PinRequired,
            TokenError::KeyNotFound,
            TokenError::UnsupportedKey("dsa".into()),
            TokenError::Pkcs11 { function: "C_Sign".into(), code: "CKR_X".into() },
        ];
        for e in &errors {
            assert!(t.has(error_key(e.code())), "{:?}", e.code());
            let s = error_text(&t, e);
            assert!(!s.contains('{') && !s.starts_with("err-"), "{s}");
        }
        let s = error_text(&t, &errors[3]);
        assert!(s.contains("/x.so") && s.contains("bad ELF"), "{s}");
        for src in [
            ModuleSource::Explicit,
            ModuleSource::Environment,
            ModuleSource::Configured,
            ModuleSource::WellKnown,
            ModuleSource::P11Kit,
        ] {
            assert!(t.has(source_key(src)));
        }
    }

    #[test]
    fn messages_render_in_both_languages() {
        let en = Translator::new(Lang::En);
        let wrong = token_error_message(&TokenError::PinIncorrect {
            state: PinState { final_try: true, ..Default::default() },
        });
        assert_eq!(wrong.key, "err-pin-incorrect");
        let s = wrong.render(&en);
        assert!(s.starts_with("Wrong PIN.") && s.len() > "Wrong PIN.".len(), "{s}");
        let s = sign_error_message(&SignError::NoSuchPage { page: 9, count: 2 }).render(&en);
        assert!(s.contains('9') && s.contains('2') && !s.contains('{'), "{s}");
        assert_eq!(warning_text(&en, "revocation_not_checked"), en.tr("warn-revocation-not-checked"));
        assert_eq!(warning_text(&en, "not_yet_valid"), en.tr("warn-not_yet_valid"));
        assert_eq!(warning_text(&en, "something_new: x"), "something_new: x");
        for c in [ChainStatus::Valid, ChainStatus::NoChainFound, ChainStatus::OutOfValidity] {
            assert!(en.has(chain_key(c)));
        }
        assert_eq!(value_text(&en, "coverage", "whole_file"), en.tr("coverage-whole-file"));
    }

    #[test]
    fn locked_and_final_try_come_first() {
        let pin = PinState { initialized: true, count_low: true, final_try: true, ..Default::default() };
        let flags = pin_flags(&pin);
        assert_eq!(flags[0], ("pin-final-try", Severity::Critical));
        assert_eq!(flags[1].0, "pin-count-low");
        let ok = PinState { initialized: true, ..Default::default() };
        assert_eq!(pin_flags(&ok), vec![("pin-ok", Severity::Normal)]);
    }
}
