//! Shared output helpers: translated errors and JSON printing.

use kyso_i18n::Translator;
use kyso_token::TokenError;
use serde::Serialize;

/// A translated error for JSON output.
#[derive(Serialize)]
pub struct ErrorJson {
    /// Stable code.
    pub code: String,
    /// Translated message.
    pub message: String,
}

/// The translation of a token-layer error.
pub fn token_error_text(t: &Translator, e: &TokenError) -> String {
    let code = serde_json::to_value(e.code()).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    let key = format!("err-{}", code.replace('_', "-"));
    match e {
        TokenError::ModuleNotFound { path }
        | TokenError::ModuleNotAbsolute { path }
        | TokenError::Module32Bit { path } => t.tr_args(&key, &[("path", &path.display().to_string())]),
        TokenError::ModuleLoad { path, reason } | TokenError::ModuleInit { path, reason } => {
            t.tr_args(&key, &[("path", &path.display().to_string()), ("reason", reason)])
        }
        TokenError::TokenNotFound(token) => t.tr_args(&key, &[("token", token)]),
        TokenError::PinIncorrect { state } => {
            let mut s = t.tr(&key);
            if state.final_try {
                s = format!("{s} {}", t.tr("pin-final-try"));
            } else if state.count_low {
                s = format!("{s} ({})", t.tr("pin-count-low"));
            }
            s
        }
        TokenError::UnsupportedKey(detail) => t.tr_args(&key, &[("detail", detail)]),
        TokenError::Pkcs11 { function, code } => t.tr_args(&key, &[("function", function), ("code", code)]),
        _ => t.tr(&key),
    }
}

/// JSON form of a token-layer error.
pub fn token_error_json(t: &Translator, e: &TokenError) -> ErrorJson {
    ErrorJson {
        code: serde_json::to_value(e.code()).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
        message: token_error_text(t, e),
    }
}

/// Prints a value as pretty JSON on stdout.
pub fn print_json<T: Serialize>(v: &T) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("{e}"),
    }
}
