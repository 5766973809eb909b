//! The verification report of every third-party corpus file, as JSON,
//! against a committed snapshot (`tests/snapshots/verify-corpus.json`).
//!
//! The report is the contract of `kyso-cli verify --json` (docs/cli.md):
//! a refactoring of the report types, the translators or the core must
//! leave it unchanged, and an intended change shows up as a reviewed diff
//! of the snapshot. Regenerate with `KYSO_UPDATE_SNAPSHOTS=1 cargo test -p
//! kyso-cli --test snapshot` and review `git diff`.
//!
//! Validation runs offline, at a fixed time, with the shipped anchors on
//! and nothing imported, so the result depends on the files alone.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const AT: &str = "2026-11-01T00:00:00Z";

fn snapshot_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/verify-corpus.json")
}

fn corpus_files(shared: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for sub in ["pdf", "docx"] {
        let dir = shared.join("corpus").join(sub);
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn report(file: &Path, data: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_kyso-cli"))
        .args(["verify", "--json", "--offline", "--at", AT])
        .arg(file)
        .env("KYSO_DATA_DIR", data)
        .env_remove("KYSO_LANG")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .output()
        .expect("kyso-cli runs");
    let mut v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{}: no JSON ({e}); stderr: {}", file.display(), String::from_utf8_lossy(&out.stderr))
    });
    // The path as given is the only input-dependent value.
    if let Some(obj) = v.as_object_mut() {
        obj.remove("file");
        obj.insert("exit_code".into(), out.status.code().into());
    }
    v
}

#[test]
fn corpus_reports_match_the_snapshot() {
    let Some(shared) = kyso_testkit::shared_or_skip("the third-party corpus") else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let mut now = BTreeMap::new();
    for file in corpus_files(&shared) {
        let name = format!(
            "{}/{}",
            file.parent().unwrap().file_name().unwrap().to_string_lossy(),
            file.file_name().unwrap().to_string_lossy()
        );
        now.insert(name, report(&file, data.path()));
    }
    assert!(now.len() > 30, "the corpus has {} files", now.len());
    let path = snapshot_path();
    let rendered = serde_json::to_string_pretty(&now).unwrap() + "\n";
    if std::env::var_os("KYSO_UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, rendered).unwrap();
        return;
    }
    let stored = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; create it with KYSO_UPDATE_SNAPSHOTS=1", path.display()));
    let stored: BTreeMap<String, Value> = serde_json::from_str(&stored).unwrap();
    let mut differences = Vec::new();
    for (name, value) in &now {
        match stored.get(name) {
            None => differences.push(format!("{name}: not in the snapshot")),
            Some(old) if old != value => differences.push(format!(
                "{name}:\n  snapshot: {}\n  now:      {}",
                serde_json::to_string(old).unwrap(),
                serde_json::to_string(value).unwrap()
            )),
            Some(_) => {}
        }
    }
    for name in stored.keys() {
        if !now.contains_key(name) {
            differences.push(format!("{name}: in the snapshot, not in the corpus"));
        }
    }
    assert!(
        differences.is_empty(),
        "the verification JSON changed (review, then KYSO_UPDATE_SNAPSHOTS=1):\n{}",
        differences.join("\n")
    );
}
