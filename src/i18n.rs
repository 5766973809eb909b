//! Translation helpers for the token layer's types.

use kyso_i18n::Translator;
use kyso_token::{ErrorCode, ModuleSource, PinState, TokenError};

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
    fn locked_and_final_try_come_first() {
        let pin = PinState { initialized: true, count_low: true, final_try: true, ..Default::default() };
        let flags = pin_flags(&pin);
        assert_eq!(flags[0], ("pin-final-try", Severity::Critical));
        assert_eq!(flags[1].0, "pin-count-low");
        let ok = PinState { initialized: true, ..Default::default() };
        assert_eq!(pin_flags(&ok), vec![("pin-ok", Severity::Normal)]);
    }
}
