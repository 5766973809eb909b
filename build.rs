//! Checks at compile time that every message key the interface uses exists
//! in both languages (see `crates/kyso-i18n/keys_check.rs`).

include!("crates/kyso-i18n/keys_check.rs");

fn main() {
    let root = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    check_translation_keys(&root.join("src"), &root.join("assets/i18n"));
}
