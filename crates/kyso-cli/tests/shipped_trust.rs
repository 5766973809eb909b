//! `kyso-cli trust list` / `trust shipped` / `verify --no-shipped-anchors`
//! (issue 18): the certificates Kyso ships, with their pins and validity,
//! switched through the settings file the desktop app shares.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn run(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kyso-cli"))
        .args(args)
        .env("KYSO_DATA_DIR", data)
        .env_remove("KYSO_LANG")
        .output()
        .expect("kyso-cli runs")
}

fn json(out: &Output) -> Value {
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn trust_list_shows_the_shipped_certificates_with_pins_validity_and_state() {
    let data = tempfile::tempdir().unwrap();
    let list = json(&run(data.path(), &["trust", "list", "--json"]));
    let list = list.as_array().expect("an array");
    let row = |sha: &str| list.iter().find(|e| e["sha256"] == sha).unwrap_or_else(|| panic!("{sha} listed"));
    let root = row("f04ba4b459a7c9a1b971ad9b1cb833e695a80c79aea63b174b66a70edfe2fdb8");
    let national = row("bac8bf609ab420a8ee1780d74f4de5c7f7184959d2a7375b0a75e4c29f0908e7");
    let ca = row("d8cab7a4aef92e6bb2509d7c61cee7b44f3731b2d21074963530277b366fae4b");
    assert_eq!(list.len(), 3, "nothing imported: the shipped three");
    assert_eq!((root["source"].as_str(), root["role"].as_str()), (Some("shipped"), Some("anchor")));
    assert_eq!(national["role"], "anchor");
    assert_eq!(ca["role"], "intermediate");
    assert_eq!(root["pinned"], "RootCA chuyên dùng Chính phủ G2");
    assert_eq!(
        (root["not_before"].as_str(), root["not_after"].as_str()),
        (Some("2018-08-22T07:36:39Z"), Some("2048-08-14T07:36:39Z"))
    );
    assert!(list.iter().all(|e| e["enabled"] == true), "on by default");

    // Human output, Vietnamese by default.
    let out = run(data.path(), &["trust", "list"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("kèm theo Kyso") && text.contains("Vietnam National Root CA"), "{text}");
    assert!(text.contains("từ 2018-08-22T07:36:39Z đến 2048-08-14T07:36:39Z"), "{text}");
}

#[test]
fn shipped_anchors_are_switched_in_the_shared_settings_file() {
    let data = tempfile::tempdir().unwrap();
    // A settings file the desktop app wrote: its keys stay.
    std::fs::write(data.path().join("config.json"), br#"{"lang":"en","offline_verify":true}"#).unwrap();
    assert_eq!(json(&run(data.path(), &["trust", "shipped", "--json"]))["shipped_anchors"], true);
    assert_eq!(json(&run(data.path(), &["trust", "shipped", "off", "--json"]))["shipped_anchors"], false);
    let cfg: Value = serde_json::from_slice(&std::fs::read(data.path().join("config.json")).unwrap()).unwrap();
    assert_eq!((cfg["lang"].as_str(), cfg["offline_verify"].as_bool()), (Some("en"), Some(true)));
    assert_eq!(cfg["shipped_anchors"], false);

    let list = json(&run(data.path(), &["trust", "list", "--json"]));
    for e in list.as_array().unwrap() {
        // Off: the anchors are not used; the intermediate still helps paths.
        assert_eq!(e["enabled"] == true, e["role"] == "intermediate", "{e}");
    }
    let out = run(data.path(), &["trust", "shipped"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("đã tắt"));
    assert_eq!(json(&run(data.path(), &["trust", "shipped", "on", "--json"]))["shipped_anchors"], true);
    // A bad value is a usage error, not a silent switch.
    assert_eq!(run(data.path(), &["trust", "shipped", "maybe"]).status.code(), Some(2));
}

/// `--no-shipped-anchors` is accepted and leaves the given anchors in
/// force: a file that is not signed is reported as such either way.
#[test]
fn verify_accepts_no_shipped_anchors() {
    let data = tempfile::tempdir().unwrap();
    let pdf = data.path().join("khong-ky.pdf");
    kyso_testkit::minimal_pdf(&pdf, 1);
    let args = ["verify", pdf.to_str().unwrap(), "--offline", "--no-render", "--json"];
    let with = run(data.path(), &args);
    let mut off = args.to_vec();
    off.push("--no-shipped-anchors");
    let without = run(data.path(), &off);
    assert_eq!(with.status.code(), without.status.code(), "{}", String::from_utf8_lossy(&without.stderr));
    let v: Value = serde_json::from_slice(&without.stdout).unwrap();
    assert_eq!(v["signatures"].as_array().map(Vec::len), Some(0));
}

/// `--trust` with a certificate named like a pinned Vietnamese root that
/// does not match its pin is refused (exit 3), as `trust add` refuses it.
#[test]
fn verify_refuses_a_trust_file_named_like_a_pinned_root() {
    if !kyso_testkit::tool_or_skip("openssl", "a self-signed certificate named like RootCA G2") {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let (fake, pdf) = (kyso_testkit::impostor_root_g2(data.path()), data.path().join("x.pdf"));
    kyso_testkit::minimal_pdf(&pdf, 1);
    let out = run(data.path(), &["verify", pdf.to_str().unwrap(), "--trust", fake.to_str().unwrap(), "--offline"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("không khớp"));
}
