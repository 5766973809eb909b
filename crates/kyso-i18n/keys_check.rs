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
fn key_literals(source: &str) -> Vec<String> {
    let bytes = source.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(start) = source[i..].find('"').map(|s| s + i) {
        let Some(len) = source[start + 1..].find('"') else { break };
        let lit = &source[start + 1..start + 1 + len];
        let prefix_call = source[..start].ends_with("starts_with(");
        let shaped = lit.contains('-')
            && lit.starts_with(|c: char| c.is_ascii_lowercase())
            && lit.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
            && !lit.ends_with('-');
        if shaped && !prefix_call && bytes.get(start.wrapping_sub(1)) != Some(&b'\\') {
            out.push(lit.to_owned());
        }
        i = start + 1 + len + 1;
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
