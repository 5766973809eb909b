//! Shared output helpers: translated errors and JSON printing.

use kyso_i18n::{Localize, Translator};
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

/// The translation of a token-layer error (kyso-i18n's [`Localize`], the
/// one the desktop app uses too).
pub fn token_error_text(t: &Translator, e: &TokenError) -> String {
    e.localize(t)
}

/// JSON form of a token-layer error.
pub fn token_error_json(t: &Translator, e: &TokenError) -> ErrorJson {
    ErrorJson { code: e.code().name().to_owned(), message: e.localize(t) }
}

/// Prints a value as pretty JSON on stdout.
pub fn print_json<T: Serialize>(v: &T) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("{e}"),
    }
}
