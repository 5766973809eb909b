// Compile-time check of translation keys, included by the build scripts of
// the programs that show text (`kyso`, `kyso-cli`): every string literal
// that looks like a message key of the Fluent files (its first segment is a
// prefix the files use, e.g. `gui-`, `err-`) must exist in both
// `assets/i18n/vi/kyso.ftl` and `assets/i18n/en/kyso.ftl`, and both files
// must define the same keys. A literal passed to `starts_with(` is a prefix,
// not a key. Plain std: build scripts stay light.

fn ftl_keys(path: &std::path::Path) -> std::collections::BTreeSet<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_owned()))
        .filter(|k| k.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'))
        .collect()
}

fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
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

/// String literals of `source` shaped like message keys (`a-b`, `a-b-c`).
/// A small lexer: comments, character literals and lifetimes, escapes and
/// raw strings are stepped over, so a `'"'` never flips the pairing.
fn key_literals(source: &str) -> Vec<String> {
    let b = source.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let shaped = |lit: &str| {
        lit.contains('-')
            && lit.starts_with(|c: char| c.is_ascii_lowercase())
            && lit.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
            && !lit.ends_with('-')
    };
    while i < b.len() {
        let ident_before = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b'r' if !ident_before && matches!(b.get(i + 1), Some(b'"' | b'#')) => {
                // r"…" or r#"…"#: no escapes inside.
                let mut j = i + 1;
                let mut hashes = 0;
                while b.get(j) == Some(&b'#') {
                    hashes += 1;
                    j += 1;
                }
                if b.get(j) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let start = j + 1;
                let close: Vec<u8> = std::iter::once(b'"').chain(std::iter::repeat_n(b'#', hashes)).collect();
                let end = (start..b.len()).find(|&k| b[k..].starts_with(&close)).unwrap_or(b.len());
                i = end + close.len();
            }
            b'\'' => {
                // A character literal ('x', '\'', '\u{..}') or a lifetime.
                if b.get(i + 1) == Some(&b'\\') {
                    i += 2;
                    while i < b.len() && b[i] != b'\'' {
                        i += 1;
                    }
                    i += 1;
                } else {
                    let ch_len = source[i + 1..].chars().next().map_or(1, char::len_utf8);
                    if b.get(i + 1 + ch_len) == Some(&b'\'') {
                        i += ch_len + 2;
                    } else {
                        i += 1;
                    }
                }
            }
            b'"' => {
                let start = i + 1;
                let mut j = start;
                let mut escaped = false;
                while j < b.len() {
                    if b[j] == b'\\' {
                        escaped = true;
                        j += 2;
                        continue;
                    }
                    if b[j] == b'"' {
                        break;
                    }
                    j += 1;
                }
                let lit = &source[start..j.min(b.len())];
                let byte_string = i > 0 && b[i - 1] == b'b' && !(i > 1 && (b[i - 2].is_ascii_alphanumeric() || b[i - 2] == b'_'));
                let prefix_call = source[..i].ends_with("starts_with(");
                if !escaped && !byte_string && !prefix_call && shaped(lit) {
                    out.push(lit.to_owned());
                }
                i = j + 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// Checks the sources under `src` against the Fluent files under `i18n`.
fn check_translation_keys(src: &std::path::Path, i18n: &std::path::Path) {
    let vi = ftl_keys(&i18n.join("vi/kyso.ftl"));
    let en = ftl_keys(&i18n.join("en/kyso.ftl"));
    let only: Vec<&String> = vi.symmetric_difference(&en).collect();
    assert!(only.is_empty(), "messages defined in one language only: {only:?}");
    let prefixes: std::collections::BTreeSet<&str> = vi.iter().filter_map(|k| k.split('-').next()).collect();
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut missing = Vec::new();
    for f in &files {
        println!("cargo::rerun-if-changed={}", f.display());
        let text = std::fs::read_to_string(f).unwrap_or_default();
        for k in key_literals(&text) {
            if k.split('-').next().is_some_and(|p| prefixes.contains(p)) && !vi.contains(&k) {
                missing.push(format!("{}: {k}", f.display()));
            }
        }
    }
    assert!(missing.is_empty(), "translation keys used but not defined in assets/i18n/*/kyso.ftl:\n{}", missing.join("\n"));
    println!("cargo::rerun-if-changed={}", i18n.join("vi/kyso.ftl").display());
    println!("cargo::rerun-if-changed={}", i18n.join("en/kyso.ftl").display());
}
