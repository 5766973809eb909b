//! Every CLI action lands in the journal; `log`, `log verify`, CSV, and the
//! fault cases (two processes at once, a process killed mid-write).

#![allow(clippy::unwrap_used)] // test helpers panic on purpose

use std::path::Path;
use std::process::{Command, Output, Stdio};

use kyso_testkit::{Fixture, pins, require_fixture, tokens};
use serde_json::Value;

mod common;

fn run(fx: &Fixture, data: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    // Signing here runs without a CRL: confirm the unchecked revocation.
    let mut args = args.to_vec();
    if args.first() == Some(&"sign") {
        args.push("--allow-unchecked");
    }
    common::kyso_cli(fx, data, &args, stdin)
}

fn entries(fx: &Fixture, data: &Path, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["log", "--json"];
    args.extend(extra);
    let out = run(fx, data, &args, None);
    serde_json::from_slice::<Value>(&out.stdout).unwrap().as_array().unwrap().clone()
}

#[test]
fn sign_verify_and_failures_are_journaled_and_the_chain_verifies() {
    let fx = require_fixture!();
    let data = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("tờ-trình.pdf");
    kyso_testkit::minimal_pdf(&input, 1);
    let module = fx.module.to_str().unwrap();
    let inp = input.to_str().unwrap();

    // A failed attempt (wrong PIN), then a signing, then a check.
    run(
        fx,
        data.path(),
        &["sign", inp, "--module", module, "--token", tokens::PINTEST, "--pin-stdin"],
        Some("97531864"),
    );
    run(
        fx,
        data.path(),
        &["certs", "--module", module, "--token", tokens::PINTEST, "--pin-stdin"],
        Some(pins::PINTEST),
    );
    let out = run(
        fx,
        data.path(),
        &["sign", inp, "--module", module, "--token", tokens::TOCHUC, "--pin-stdin"],
        Some(pins::TOCHUC),
    );
    assert_eq!(out.status.code(), Some(0));
    let signed = dir.path().join("tờ-trình.signed.pdf");
    run(fx, data.path(), &["verify", signed.to_str().unwrap()], None);

    let all = entries(fx, data.path(), &[]);
    assert_eq!(all.len(), 3, "{all:#?}");
    assert_eq!(
        (all[0]["action"].as_str(), all[0]["outcome"].as_str(), all[0]["error_code"].as_str()),
        (Some("sign"), Some("failed"), Some("pin_incorrect"))
    );
    let s = &all[1];
    assert_eq!(s["outcome"], "ok");
    assert!(s["signer_subject"].as_str().unwrap().contains("Sở Thông tin và Truyền thông tỉnh Bắc Ninh"));
    assert_eq!(s["input_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(s["output_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(s["signer_sha256"].as_str().unwrap().len(), 64);
    assert!(s["input_path"].as_str().unwrap().ends_with("tờ-trình.pdf"));
    assert!(s["time_local"].as_str().unwrap().ends_with("+07:00"));
    let v = &all[2];
    assert_eq!(v["action"], "verify");
    assert!(v["verification"].as_str().unwrap().contains("Signature1"));
    // No PIN anywhere in the journal file.
    let raw = std::fs::read(data.path().join("journal.sqlite")).unwrap();
    for pin in [pins::TOCHUC, "97531864"] {
        assert!(!raw.windows(pin.len()).any(|w| w == pin.as_bytes()), "PIN {pin} found in the journal");
    }

    // Filters, CSV and the chain check.
    assert_eq!(entries(fx, data.path(), &["--action", "sign"]).len(), 2);
    assert_eq!(entries(fx, data.path(), &["--signer", "Bắc Ninh"]).len(), 2);
    assert_eq!(entries(fx, data.path(), &["--file", "signed"]).len(), 2);
    let csv = String::from_utf8(run(fx, data.path(), &["log", "--csv"], None).stdout).unwrap();
    assert!(csv.starts_with("\u{feff}Mã,") && csv.contains("Sở Thông tin"));
    let ok = run(fx, data.path(), &["log", "verify"], None);
    assert_eq!(ok.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("nguyên vẹn"));

    // Tampering with a row is caught at that entry.
    let conn = rusqlite_free_edit(&data.path().join("journal.sqlite"));
    assert!(conn);
    let bad = run(fx, data.path(), &["log", "verify", "--json"], None);
    assert_eq!(bad.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&bad.stdout).unwrap();
    assert_eq!((v["broken_at"].as_i64(), v["kind"].as_str()), (Some(2), Some("edited")));
}

/// Edits entry 2 with the sqlite3 CLI when present, else through Python.
fn rusqlite_free_edit(db: &Path) -> bool {
    let sql = "UPDATE entries SET signer_subject = 'CN=Giả mạo' WHERE id = 2;";
    if Command::new("sqlite3").arg(db).arg(sql).status().is_ok_and(|s| s.success()) {
        return true;
    }
    Command::new("python3")
        .args(["-c", &format!("import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"{sql}\"); c.commit()")])
        .arg(db)
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn two_processes_at_once_and_a_killed_writer_leave_a_sound_journal() {
    let fx = require_fixture!();
    let data = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.pdf");
    kyso_testkit::minimal_pdf(&file, 1);
    let f = file.to_str().unwrap().to_owned();
    let many: Vec<String> = std::iter::repeat_n(f.clone(), 25).collect();
    let spawn = |files: &[String]| {
        let mut args = vec!["verify".to_owned()];
        args.extend(files.iter().cloned());
        Command::new(env!("CARGO_BIN_EXE_kyso-cli"))
            .args(&args)
            .env("KYSO_DATA_DIR", data.path())
            .env("SOFTHSM2_CONF", &fx.softhsm_conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let (mut a, mut b) = (spawn(&many), spawn(&many));
    a.wait().unwrap();
    b.wait().unwrap();
    assert_eq!(entries(fx, data.path(), &[]).len(), 50);

    // kill -9 while writing: whatever landed is readable and the chain holds.
    let lots: Vec<String> = std::iter::repeat_n(f, 400).collect();
    let mut victim = spawn(&lots);
    std::thread::sleep(std::time::Duration::from_millis(400));
    victim.kill().unwrap();
    victim.wait().unwrap();
    let after = entries(fx, data.path(), &[]);
    assert!(after.len() >= 50, "{}", after.len());
    assert_eq!(run(fx, data.path(), &["log", "verify"], None).status.code(), Some(0));
}
