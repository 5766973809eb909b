//! `kyso-cli bridge trust`: the bridge's certificate goes into an NSS
//! database (what Chromium and Firefox read on Linux) through certutil.
#![allow(clippy::unwrap_used)]

use std::process::Command;

#[test]
fn bridge_trust_adds_the_certificate_to_an_nss_database() {
    if !kyso_testkit::tool_or_skip("certutil", "kyso-cli bridge trust") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (data, db) = (dir.path().join("data"), dir.path().join("nssdb"));
    std::fs::create_dir_all(&db).unwrap();
    let nss = format!("sql:{}", db.display());
    let (ok, out) = kyso_testkit::run(Command::new("certutil").args(["-N", "-d", &nss, "--empty-password"]));
    assert!(ok, "{out}");
    let out = Command::new(env!("CARGO_BIN_EXE_kyso-cli"))
        .args(["--json", "bridge", "trust", "--nssdb"])
        .arg(&db)
        .env("KYSO_DATA_DIR", &data)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["nss"][0]["ok"], true, "{v}");
    let fingerprint = v["fingerprint_sha256"].as_str().unwrap().to_owned();
    // The identity was made in the data directory, once.
    let der = std::fs::read(data.join("bridge/cert.der")).unwrap();
    assert_eq!(fingerprint.len(), 64);
    // certutil lists it as a trusted peer ("P") and gives back the same certificate.
    let (ok, list) = kyso_testkit::run(Command::new("certutil").args(["-L", "-d", &nss]));
    assert!(ok, "{list}");
    let line = list.lines().find(|l| l.contains("Kyso bridge (127.0.0.1)")).unwrap_or_else(|| panic!("{list}"));
    assert!(line.trim_end().ends_with("P,,"), "{line}");
    let exported =
        Command::new("certutil").args(["-L", "-d", &nss, "-n", "Kyso bridge (127.0.0.1)", "-r"]).output().unwrap();
    assert_eq!(exported.stdout, der);
    // A second run keeps the same identity.
    let again = Command::new(env!("CARGO_BIN_EXE_kyso-cli"))
        .args(["--json", "bridge", "trust", "--nssdb"])
        .arg(&db)
        .env("KYSO_DATA_DIR", &data)
        .output()
        .unwrap();
    let w: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(w["fingerprint_sha256"], fingerprint.as_str());
}
