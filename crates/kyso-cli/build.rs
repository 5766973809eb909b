//! Checks at compile time that every message key the command line uses
//! exists in both languages (see `crates/kyso-i18n/keys_check.rs`).

include!("../kyso-i18n/keys_check.rs");

fn main() {
    let dir = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    check_translation_keys(&dir.join("src"), &dir.join("../../assets/i18n"));
}
