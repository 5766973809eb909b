//! The layering rule (docs/architecture.md): the front ends — `kyso-cli`
//! and the desktop app in `src/` — sign and verify only through kyso-core.
//! Their sources name none of the format libraries' signing, verification
//! or pre-signing internals, nor the signers' constructors.

use std::path::{Path, PathBuf};

/// What only kyso-core may call.
const CORE_ONLY: &[&str] = &[
    "sign_pdf",
    "sign_ooxml",
    "make_long_term",
    "make_long_term_via",
    "precheck_with",
    "verify_pdf",
    "verify_ooxml",
    "verify_bytes",
    "is_package",
    "kyso_ooxml::signed_name",
    "kyso_journal::data_dir",
    "Pkcs11Signer::open",
    "Pkcs12Signer::open",
    "kyso_pdf::SignOptions",
    "kyso_ooxml::SignOptions",
    "kyso_pdf::VerifyOptions",
    "kyso_ooxml::VerifyOptions",
    "list_all_certificates",
    "list_all_certificates_with",
    // Certificates are listed by kyso-core (`list_certificates`,
    // `certificate_listing`), never module by module in a front end.
    "load_module",
    "find_tokens",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a Rust source without its comments (line and block), so
/// that documentation may name what the code must not call.
fn code_only(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut chars = src.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('/', Some('/')) => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut prev = ' ';
                for n in chars.by_ref() {
                    if prev == '*' && n == '/' {
                        break;
                    }
                    prev = n;
                }
            }
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Whether `code` names `item` as a whole path or identifier.
fn names(code: &str, item: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    code.match_indices(item).any(|(i, _)| {
        let before = code[..i].chars().next_back();
        let after = code[i + item.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

fn violations(root: &Path) -> (usize, Vec<String>) {
    let mut files = Vec::new();
    rust_files(&root.join("crates/kyso-cli/src"), &mut files);
    rust_files(&root.join("src"), &mut files);
    let mut found = Vec::new();
    for f in &files {
        let code = code_only(&std::fs::read_to_string(f).unwrap_or_default());
        for item in CORE_ONLY {
            if names(&code, item) {
                found.push(format!("{} calls {item}", f.strip_prefix(root).unwrap_or(f).display()));
            }
        }
    }
    (files.len(), found)
}

#[test]
fn the_scanner_sees_calls_and_ignores_comments() {
    assert!(names(&code_only("let o = kyso_pdf::sign_pdf(a, b, c, d);"), "sign_pdf"));
    assert!(names(&code_only("use kyso_pdf::{PdfReader, sign_pdf};"), "sign_pdf"));
    assert!(!names(&code_only("/// done by [`kyso_pdf::sign_pdf`]\nfn f() {}"), "sign_pdf"));
    assert!(!names(&code_only("/* sign_pdf */ fn f() {}"), "sign_pdf"));
    assert!(!names(&code_only("fn resign_pdf_later() {}"), "sign_pdf"));
    assert!(names(&code_only("let s = \"//\"; kyso_pdf::sign_pdf(x);"), "sign_pdf"));
}

#[test]
fn front_ends_sign_and_verify_only_through_the_core() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let (scanned, found) = violations(&root);
    // Both front ends are there: the CLI's modules and the desktop app's.
    assert!(scanned >= 15, "only {scanned} source files found under {}", root.display());
    assert!(found.is_empty(), "front ends calling below kyso-core:\n{}", found.join("\n"));
}
