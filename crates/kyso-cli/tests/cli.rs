//! `kyso-cli tokens` / `certs` end to end against SoftHSM fixture tokens.

#![allow(clippy::unwrap_used)] // test helpers panic on purpose

use std::process::{Command, Output};

use kyso_testkit::{Fixture, pins, require_fixture, tokens};
use serde_json::Value;

/// A journal directory private to this test process.
fn data_dir() -> &'static std::path::Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

mod common;
use common::json;

fn cli(fx: &Fixture, args: &[&str]) -> Output {
    common::kyso_cli(fx, data_dir(), args, None)
}

#[test]
fn tokens_json_lists_labels_serials_and_pin_flags_and_reports_bad_modules() {
    let fx = require_fixture!();
    let module = fx.module.to_str().unwrap();
    let out = cli(fx, &["tokens", "--module", "/nonexistent/libbit4xpki.so", "--module", module, "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    let modules = v["modules"].as_array().unwrap();
    assert_eq!(modules[0]["loaded"], false);
    assert_eq!(modules[0]["error"]["code"], "module_not_found");
    assert!(modules[0]["error"]["message"].as_str().unwrap().contains("Không tìm thấy mô-đun"));
    assert_eq!(modules[1]["loaded"], true);
    let toks: Vec<&Value> =
        modules[1]["slots"].as_array().unwrap().iter().map(|s| &s["token"]).filter(|t| !t.is_null()).collect();
    let canhan = toks.iter().find(|t| t["label"] == tokens::CANHAN).expect("CANHAN listed");
    assert!(!canhan["serial"].as_str().unwrap().is_empty());
    for flag in ["count_low", "final_try", "locked", "to_be_changed"] {
        assert_eq!(canhan["pin"][flag], false, "{flag}");
    }
    assert_eq!(canhan["pin"]["initialized"], true);
}

#[test]
fn tokens_human_output_is_vietnamese_by_default_and_english_on_request() {
    let fx = require_fixture!();
    let module = fx.module.to_str().unwrap();
    let vi = String::from_utf8(cli(fx, &["tokens", "--module", module]).stdout).unwrap();
    assert!(vi.contains("Nhãn: VGCA GCA-01 CANHAN") && vi.contains("Trạng thái PIN: bình thường"), "{vi}");
    let en = String::from_utf8(cli(fx, &["tokens", "--module", module, "--lang", "en"]).stdout).unwrap();
    assert!(en.contains("Label: VGCA GCA-01 CANHAN") && en.contains("PIN state: normal"), "{en}");
}

#[test]
fn certs_json_keeps_vietnamese_subjects_and_shows_private_keys() {
    let fx = require_fixture!();
    let module = fx.module.to_str().unwrap();
    let out = cli(fx, &["certs", "--module", module, "--token", tokens::CANHAN, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    let certs = v["certificates"].as_array().unwrap();
    let find = |cn: &str| certs.iter().find(|c| c["certificate"]["subject_cn"] == cn).unwrap_or_else(|| panic!("{cn}"));
    let a = find("Nguyễn Văn A");
    assert!(a["certificate"]["subject"].as_str().unwrap().contains("O=Văn phòng UBND tỉnh Bắc Ninh TEST"));
    assert_eq!(a["has_private_key"], true);
    assert_eq!(a["token_label"], tokens::CANHAN);
    assert_eq!(a["certificate"]["warnings"], serde_json::json!([]));
    assert_eq!(find("TEST CA phục vụ các cơ quan Nhà nước G2")["has_private_key"], false);
    assert_eq!(find("Hoàng Thị Em")["certificate"]["warnings"], serde_json::json!(["expired"]));
}

#[test]
fn certs_with_pin_from_stdin_and_a_wrong_pin() {
    let fx = require_fixture!();
    let module = fx.module.to_str().unwrap();
    let run = |pin: &str| {
        use std::io::Write;
        let mut child = Command::new(env!("CARGO_BIN_EXE_kyso-cli"))
            .args(["certs", "--module", module, "--token", tokens::TOCHUC, "--pin-stdin", "--json"])
            .env("SOFTHSM2_CONF", &fx.softhsm_conf)
            .env("KYSO_DATA_DIR", data_dir())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{pin}").unwrap();
        child.wait_with_output().unwrap()
    };
    let ok = run(pins::TOCHUC);
    let v = json(&ok);
    assert_eq!(v["certificates"][0]["key_evidence"], "private_key");
    let bad = run("99999999");
    assert_eq!(bad.status.code(), Some(4));
    let v = json(&bad);
    assert_eq!(v["errors"][0]["code"], "pin_incorrect");
    assert!(!String::from_utf8_lossy(&bad.stdout).contains("99999999"), "the PIN must never be echoed");
    // Restore the counter for other tests.
    let _ = run(pins::TOCHUC);
}

#[test]
fn unknown_token_exits_3_and_usage_errors_exit_2() {
    let fx = require_fixture!();
    let module = fx.module.to_str().unwrap();
    let out = cli(fx, &["certs", "--module", module, "--token", "KHONG-CO", "--json"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(json(&out)["errors"][0]["code"], "token_not_found");
    assert_eq!(cli(fx, &["certs", "--bogus"]).status.code(), Some(2));
    let v = cli(fx, &["--version"]);
    assert!(String::from_utf8_lossy(&v.stdout).starts_with("kyso-cli "));
}

/// `certs` is kyso-core's listing (the desktop app's): the same
/// certificates in the same order, and a module that fails is named in
/// `errors` while the others are still listed (exit 0), on stderr in the
/// human output.
#[test]
fn certs_lists_what_the_core_lists_and_names_a_failing_module() {
    let fx = require_fixture!();
    let module = fx.module.to_str().unwrap();
    let missing = "/nonexistent/libbit4xpki.so";
    let out = cli(fx, &["certs", "--module", missing, "--module", module, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    assert_eq!(v["errors"][0]["module"], missing);
    assert_eq!(v["errors"][0]["code"], "module_not_found");
    let listed: Vec<(String, String, String)> = v["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let s = |v: &Value| v.as_str().unwrap().to_owned();
            (s(&c["token_serial"]), s(&c["id"]), s(&c["certificate"]["sha256"]))
        })
        .collect();
    let core = kyso_core::list_certificates(&[missing.into(), fx.module.clone()], &[], None).unwrap();
    let core: Vec<(String, String, String)> =
        core.into_iter().map(|(c, _)| (c.token_serial, c.id, c.certificate.sha256)).collect();
    assert!(listed.len() >= 9, "every fixture certificate: {listed:?}");
    assert_eq!(listed, core);
    let human = cli(fx, &["certs", "--module", missing, "--module", module, "--lang", "en"]);
    assert_eq!(human.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&human.stderr).starts_with(&format!("{missing}: ")));
    assert!(String::from_utf8_lossy(&human.stdout).contains("Nguyễn Văn A"));
}

/// Runs a command with a secret on stdin. `sign` runs without a CRL unless
/// the test gives one, so it confirms the unchecked revocation explicitly
/// (the pre-signing check itself is tested in `sign_checks_revocation_first`).
fn sign_cmd(fx: &Fixture, args: &[&str], secret: &str) -> Output {
    let mut args = args.to_vec();
    if args.first() == Some(&"sign") && !args.contains(&"--crl") && !args.contains(&"--strict") {
        args.push("--allow-unchecked");
    }
    args.retain(|a| *a != "--strict");
    common::kyso_cli(fx, data_dir(), &args, Some(secret))
}

#[test]
fn sign_with_token_then_organisation_then_p12() {
    let fx = require_fixture!();
    let module = fx.module.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cong-van.pdf");
    kyso_testkit::minimal_pdf(&input, 2);
    let inp = input.to_str().unwrap();

    // Wrong PIN: typed error, exit 4, no output file.
    let out = sign_cmd(
        fx,
        &["sign", inp, "--module", module, "--token", tokens::PINTEST, "--pin-stdin", "--json"],
        "00000000",
    );
    assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(json(&out)["error"]["code"], "pin_incorrect");
    assert!(!dir.path().join("cong-van.signed.pdf").exists());
    let _ = sign_cmd(fx, &["certs", "--module", module, "--token", tokens::PINTEST, "--pin-stdin"], pins::PINTEST);

    // Personal certificate, chosen by name.
    let out = sign_cmd(
        fx,
        &[
            "sign",
            inp,
            "--module",
            module,
            "--token",
            tokens::CANHAN,
            "--cert",
            "Nguyễn Văn A",
            "--pin-stdin",
            "--reason",
            "Đồng ý (ký duyệt)",
            "--json",
        ],
        pins::CANHAN,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["files"][0]["ok"], true);
    assert_eq!(v["files"][0]["field"], "Signature1");
    let first = dir.path().join("cong-van.signed.pdf");
    assert!(first.exists());

    // Several certificates on the token and none chosen: refused, listed.
    let out = sign_cmd(
        fx,
        &["sign", first.to_str().unwrap(), "--module", module, "--token", tokens::CANHAN, "--pin-stdin"],
        pins::CANHAN,
    );
    assert_eq!(out.status.code(), Some(2));
    // An expired certificate is refused before any PIN is used.
    let out = sign_cmd(
        fx,
        &["sign", first.to_str().unwrap(), "--module", module, "--cert", "Hoàng Thị Em", "--pin-stdin", "--json"],
        pins::CANHAN,
    );
    assert_eq!(out.status.code(), Some(6));
    assert_eq!(json(&out)["error"]["code"], "certificate_refused");

    // The organisation (only certificate on its token), then a PKCS#12 file.
    let second = dir.path().join("second.pdf");
    let out = sign_cmd(
        fx,
        &[
            "sign",
            first.to_str().unwrap(),
            "-o",
            second.to_str().unwrap(),
            "--module",
            module,
            "--token",
            tokens::TOCHUC,
            "--pin-stdin",
        ],
        pins::TOCHUC,
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Đã ký"));
    let third = dir.path().join("third.pdf");
    let p12 = fx.pki_file("ecdsa.p12");
    let out = sign_cmd(
        fx,
        &[
            "sign",
            second.to_str().unwrap(),
            "-o",
            third.to_str().unwrap(),
            "--p12",
            p12.to_str().unwrap(),
            "--pin-stdin",
        ],
        pins::P12,
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    // Existing output refused without --force.
    let out = sign_cmd(
        fx,
        &[
            "sign",
            second.to_str().unwrap(),
            "-o",
            third.to_str().unwrap(),
            "--p12",
            p12.to_str().unwrap(),
            "--pin-stdin",
            "--json",
        ],
        pins::P12,
    );
    assert_eq!(out.status.code(), Some(5));
    assert_eq!(json(&out)["files"][0]["error"]["code"], "output_exists");

    if Command::new("pdfsig").arg("-v").output().is_ok() {
        let o = Command::new("pdfsig").arg(&third).output().unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        assert_eq!(text.matches("Signature is Valid.").count(), 3, "{text}");
    }
}

#[test]
fn verify_reports_json_and_exit_codes() {
    let fx = require_fixture!();
    let module = fx.module.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("qd.pdf");
    kyso_testkit::minimal_pdf(&input, 1);
    let signed = dir.path().join("qd.signed.pdf");
    let out = sign_cmd(
        fx,
        &["sign", input.to_str().unwrap(), "--module", module, "--token", tokens::TOCHUC, "--pin-stdin"],
        pins::TOCHUC,
    );
    assert_eq!(out.status.code(), Some(0));
    let root = fx.pki_file("root.pem");
    let (crl, root_crl) = (fx.pki_file("crl.pem"), fx.pki_file("root-crl.pem"));
    // The organisation token holds no CA certificate, so the CMS carries only
    // the leaf (as VGCA tools do): the intermediate comes from --certs.
    let int = fx.pki_file("int.pem");
    let trust = [
        "--trust",
        root.to_str().unwrap(),
        "--certs",
        int.to_str().unwrap(),
        "--crl",
        crl.to_str().unwrap(),
        "--crl",
        root_crl.to_str().unwrap(),
    ];
    let mut args = vec!["verify", signed.to_str().unwrap(), "--json"];
    args.extend(trust);
    let out = cli(fx, &args);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let v = json(&out);
    assert_eq!(v["format"], "pdf");
    assert_eq!(v["indication"], "TOTAL_PASSED");
    let s = &v["signatures"][0];
    for key in [
        "field",
        "signer",
        "issuer",
        "signing_time",
        "claimed_time",
        "timestamp",
        "timestamp_trust",
        "poe_time",
        "integrity",
        "coverage",
        "modifications",
        "chain",
        "revocation",
        "indication",
        "sub_indication",
        "warnings",
    ] {
        assert!(s.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(s["signer"], "Sở Thông tin và Truyền thông tỉnh Bắc Ninh");
    assert_eq!(
        (s["integrity"].as_str(), s["coverage"].as_str(), s["revocation"].as_str()),
        (Some("intact"), Some("whole_file"), Some("good"))
    );

    // Vietnamese human report by default.
    let mut args = vec!["verify", signed.to_str().unwrap()];
    args.extend(trust);
    let text = String::from_utf8(cli(fx, &args).stdout).unwrap();
    assert!(text.contains("Kết luận chung: HỢP LỆ") && text.contains("Toàn vẹn: nguyên vẹn"), "{text}");

    // Without trust: indeterminate (exit 2), with the revocation warning.
    let out = cli(fx, &["verify", signed.to_str().unwrap(), "--lang", "en"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("INDETERMINATE"));

    // Altered after signing: exit 1.
    let mut bytes = std::fs::read(&signed).unwrap();
    bytes[300] ^= 1;
    let bad = dir.path().join("bad.pdf");
    std::fs::write(&bad, bytes).unwrap();
    let mut args = vec!["verify", bad.to_str().unwrap(), "--json"];
    args.extend(trust);
    let out = cli(fx, &args);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["signatures"][0]["sub_indication"], "HASH_FAILURE");

    // Usage and I/O errors are 3 and above.
    assert_eq!(cli(fx, &["verify", "--bogus", "x.pdf"]).status.code(), Some(3));
    assert!(cli(fx, &["verify", "/nonexistent.pdf"]).status.code().unwrap() >= 3);
}

#[test]
fn sign_with_a_role_preset_and_bad_preset_inputs() {
    let fx = require_fixture!();
    let module = fx.module.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("phu-luc.pdf");
    kyso_testkit::minimal_pdf(&input, 2);
    let inp = input.to_str().unwrap();
    let out = sign_cmd(
        fx,
        &[
            "sign",
            inp,
            "--module",
            module,
            "--token",
            tokens::TOCHUC,
            "--pin-stdin",
            "--role",
            "appendix",
            "--number",
            "Số: 45/PL-UBND",
            "--json",
        ],
        pins::TOCHUC,
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(json(&out)["files"][0]["ok"], true);
    // Appendix without a number, and an approver image that is not a PNG.
    let junk = dir.path().join("chu-ky.png");
    std::fs::write(&junk, b"GIF89a").unwrap();
    for (extra, code) in [
        (vec!["--role", "appendix"], "usage"),
        (vec!["--role", "approver", "--image", junk.to_str().unwrap()], "image_invalid"),
    ] {
        let mut args = vec![
            "sign",
            inp,
            "-o",
            "/tmp/kyso-never.pdf",
            "--module",
            module,
            "--token",
            tokens::TOCHUC,
            "--pin-stdin",
            "--json",
        ];
        args.extend(extra);
        let out = sign_cmd(fx, &args, pins::TOCHUC);
        assert_eq!(out.status.code(), Some(6));
        assert_eq!(json(&out)["files"][0]["error"]["code"], code);
        assert!(!std::path::Path::new("/tmp/kyso-never.pdf").exists());
    }
}

#[test]
fn extend_a_pyhanko_signed_file_to_b_lta() {
    let fx = require_fixture!();
    if !kyso_testkit::tool_or_skip("pyhanko", "signing with pyHanko") {
        return;
    }
    let tsa = kyso_testkit::start_tsa(fx);
    let dir = tempfile::tempdir().unwrap();
    let (src, signed, lta) = (dir.path().join("src.pdf"), dir.path().join("pyh.pdf"), dir.path().join("lta.pdf"));
    kyso_testkit::minimal_pdf(&src, 1);
    let (ok, err) = kyso_testkit::pyhanko_pkcs11_sign(fx, tokens::TOCHUC, pins::TOCHUC, "tochuc", &src, &signed);
    assert!(ok, "pyhanko sign: {err}");
    let (int, root, tsa_cert) = (fx.pki_file("int.pem"), fx.pki_file("root.pem"), fx.pki_file("tsa.pem"));
    let (crl, root_crl) = (fx.pki_file("crl.pem"), fx.pki_file("root-crl.pem"));
    let out = cli(
        fx,
        &[
            "extend",
            signed.to_str().unwrap(),
            "-o",
            lta.to_str().unwrap(),
            "--level",
            "B-LTA",
            "--tsa",
            &tsa.url,
            "--certs",
            int.to_str().unwrap(),
            "--certs",
            root.to_str().unwrap(),
            "--certs",
            tsa_cert.to_str().unwrap(),
            "--crl",
            crl.to_str().unwrap(),
            "--crl",
            root_crl.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json(&out)["ok"], true);
    let o = Command::new("pyhanko")
        .args(["sign", "validate", "--pretty-print", "--no-revocation-check", "--trust-replace", "--trust"])
        .arg(&root)
        // pyHanko reads the DSS only in LTV mode; give it the intermediate.
        .arg("--other-certs")
        .arg(&int)
        .arg(&lta)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success() && !text.contains("INVALID"), "{text}");
    assert!(text.contains("judged VALID"), "{text}");
    let out = cli(fx, &["verify", lta.to_str().unwrap(), "--trust", root.to_str().unwrap(), "--json"]);
    let v = json(&out);
    assert_eq!(v["indication"], "TOTAL_PASSED", "{v:#}");
    assert_eq!(v["signatures"][1]["kind"], "document_timestamp");
}

#[test]
fn sign_checks_revocation_first() {
    let fx = require_fixture!();
    let module = fx.module.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("to-trinh.pdf");
    kyso_testkit::minimal_pdf(&input, 1);
    let inp = input.to_str().unwrap();
    let crl = fx.pki_file("crl.pem");
    let int = fx.pki_file("int.pem");
    let out = dir.path().join("o.pdf");
    // Revoked: refused before anything is signed.
    let r = sign_cmd(
        fx,
        &[
            "sign",
            inp,
            "-o",
            out.to_str().unwrap(),
            "--module",
            module,
            "--cert",
            "Phạm Văn Dũng",
            "--pin-stdin",
            "--crl",
            crl.to_str().unwrap(),
            "--json",
        ],
        pins::CANHAN,
    );
    assert_eq!(r.status.code(), Some(6), "{}", String::from_utf8_lossy(&r.stdout));
    assert_eq!(json(&r)["error"]["code"], "certificate_revoked");
    assert!(!out.exists());
    // Offline with no CRL: refused unless confirmed.
    let r = sign_cmd(
        fx,
        &[
            "sign",
            inp,
            "-o",
            out.to_str().unwrap(),
            "--module",
            module,
            "--token",
            tokens::TOCHUC,
            "--pin-stdin",
            "--offline",
            "--json",
            "--strict",
        ],
        pins::TOCHUC,
    );
    assert_eq!(r.status.code(), Some(6));
    assert_eq!(json(&r)["error"]["code"], "revocation_unchecked");
    assert!(!out.exists());
    // With the CRL (and the issuer the organisation token lacks): good, signed.
    let r = sign_cmd(
        fx,
        &[
            "sign",
            inp,
            "-o",
            out.to_str().unwrap(),
            "--module",
            module,
            "--token",
            tokens::TOCHUC,
            "--pin-stdin",
            "--crl",
            crl.to_str().unwrap(),
            "--certs",
            int.to_str().unwrap(),
        ],
        pins::TOCHUC,
    );
    assert_eq!(r.status.code(), Some(0), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(out.exists());
}

#[test]
fn trust_store_with_vgca_pins() {
    let fx = require_fixture!();
    let data = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_kyso-cli"))
            .args(args)
            .env("KYSO_DATA_DIR", data.path())
            .env("SOFTHSM2_CONF", &fx.softhsm_conf)
            .env_remove("KYSO_LANG")
            .output()
            .unwrap()
    };
    let root = fx.pki_file("root.pem");
    let out = run(&["trust", "add", root.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let list: Value = serde_json::from_slice(&run(&["trust", "list", "--json"]).stdout).unwrap();
    // The three shipped certificates first, then the imported anchor.
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 4);
    assert!(list[..3].iter().all(|e| e["source"] == "shipped"));
    assert_eq!(list[3]["source"], "user");
    assert!(list[3]["subject"].as_str().unwrap().contains("TEST RootCA"));

    // A forged "RootCA chuyên dùng Chính phủ G2" does not match the pin.
    let dir = tempfile::tempdir().unwrap();
    let fake = kyso_testkit::impostor_root_g2(dir.path());
    let out = run(&["trust", "add", fake.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(6));
    assert!(String::from_utf8_lossy(&out.stderr).contains("không khớp"));

    // The real VGCA root matches its pin (../shared/trust).
    if let Some(shared) = kyso_testkit::shared_or_skip("the real VGCA root check") {
        let real = shared.join("trust/rootcag2.pem");
        let out = run(&["trust", "add", real.to_str().unwrap(), "--json"]);
        assert_eq!(out.status.code(), Some(0));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v[0]["pinned"], "RootCA chuyên dùng Chính phủ G2");
    }

    // verify uses the stored anchors when --trust is not given.
    let input = dir.path().join("d.pdf");
    kyso_testkit::minimal_pdf(&input, 1);
    let signed = dir.path().join("d.signed.pdf");
    let module = fx.module.to_str().unwrap();
    let s = sign_cmd(
        fx,
        &[
            "sign",
            input.to_str().unwrap(),
            "-o",
            signed.to_str().unwrap(),
            "--module",
            module,
            "--token",
            tokens::TOCHUC,
            "--pin-stdin",
        ],
        pins::TOCHUC,
    );
    assert_eq!(s.status.code(), Some(0));
    let (int, crl, rcrl) = (fx.pki_file("int.pem"), fx.pki_file("crl.pem"), fx.pki_file("root-crl.pem"));
    let out = run(&[
        "verify",
        signed.to_str().unwrap(),
        "--certs",
        int.to_str().unwrap(),
        "--crl",
        crl.to_str().unwrap(),
        "--crl",
        rcrl.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn sign_at_b_lta_keeps_the_pre_signing_evidence_in_the_dss() {
    let fx = require_fixture!();
    let tsa = kyso_testkit::start_tsa(fx);
    let module = fx.module.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("qd.pdf");
    kyso_testkit::minimal_pdf(&input, 1);
    let out = dir.path().join("qd-lta.pdf");
    let (crl, int, root) = (fx.pki_file("crl.pem"), fx.pki_file("int.pem"), fx.pki_file("root.pem"));
    let r = sign_cmd(
        fx,
        &[
            "sign",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--module",
            module,
            "--token",
            tokens::TOCHUC,
            "--pin-stdin",
            "--level",
            "B-LTA",
            "--tsa",
            &tsa.url,
            "--crl",
            crl.to_str().unwrap(),
            "--certs",
            int.to_str().unwrap(),
            "--json",
        ],
        pins::TOCHUC,
    );
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&r.stdout),
        String::from_utf8_lossy(&r.stderr)
    );
    // Only the root is given: the intermediate and the CRL come from the DSS.
    // (The root's own CRL is not in the DSS: the intermediate stays unchecked.)
    let v = json(&cli(fx, &["verify", out.to_str().unwrap(), "--trust", root.to_str().unwrap(), "--json"]));
    let sigs = v["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 2, "{v:#}");
    assert_eq!(sigs[0]["integrity"], "intact");
    assert!(sigs[0]["timestamp"].is_string());
    assert_eq!(sigs[0]["chain"], "valid");
    assert_eq!(sigs[1]["kind"], "document_timestamp");
    assert_eq!(sigs[1]["integrity"], "intact");
    assert_eq!(sigs[0]["modifications"], "allowed");
    if Command::new("pyhanko").arg("--version").output().is_ok() {
        let o = Command::new("pyhanko")
            .args(["sign", "validate", "--pretty-print", "--no-revocation-check", "--trust-replace", "--trust"])
            .arg(&root)
            .arg("--other-certs")
            .arg(&int)
            .arg(&out)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success() && text.contains("judged VALID") && !text.contains("INVALID"), "{text}");
    }
}

#[test]
fn sign_and_verify_office_files() {
    let fx = require_fixture!();
    let module = fx.module.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("to-trinh.docx");
    kyso_testkit::minimal_docx(&input, "Tờ trình về việc ký số văn bản");
    let inp = input.to_str().unwrap();
    let base = ["sign", inp, "--module", module, "--token", tokens::CANHAN, "--cert", "Nguyễn Văn A", "--pin-stdin"];

    // PDF-only presets are refused with a clear message and no output.
    let mut args = base.to_vec();
    args.extend(["--role", "approver", "--json"]);
    let out = sign_cmd(fx, &args, pins::CANHAN);
    assert_eq!(out.status.code(), Some(6), "{}", String::from_utf8_lossy(&out.stdout));
    let v = json(&out);
    assert_eq!(v["files"][0]["error"]["code"], "option_not_for_ooxml");
    assert!(v["files"][0]["error"]["message"].as_str().unwrap().contains("--role"));
    assert!(!dir.path().join("to-trinh.signed.docx").exists());
    let mut args = base.to_vec();
    args.extend(["--level", "B-LTA"]);
    assert_eq!(sign_cmd(fx, &args, pins::CANHAN).status.code(), Some(6));

    // Signed beside the input with the same extension.
    let mut args = base.to_vec();
    args.extend(["--reason", "Phê duyệt", "--json"]);
    let out = sign_cmd(fx, &args, pins::CANHAN);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let signed = dir.path().join("to-trinh.signed.docx");
    assert_eq!(json(&out)["files"][0]["output"], signed.to_str().unwrap());

    let (root, int) = (fx.pki_file("root.pem"), fx.pki_file("int.pem"));
    let (crl, root_crl) = (fx.pki_file("crl.pem"), fx.pki_file("root-crl.pem"));
    let verify = |file: &std::path::Path| {
        cli(
            fx,
            &[
                "verify",
                file.to_str().unwrap(),
                "--trust",
                root.to_str().unwrap(),
                "--certs",
                int.to_str().unwrap(),
                "--crl",
                crl.to_str().unwrap(),
                "--crl",
                root_crl.to_str().unwrap(),
                "--json",
            ],
        )
    };
    let out = verify(&signed);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let v = json(&out);
    assert_eq!(v["format"], "ooxml");
    assert_eq!(v["indication"], "TOTAL_PASSED");
    assert_eq!(v["signatures"][0]["signer"], "Nguyễn Văn A");
    assert_eq!(v["signatures"][0]["coverage"], "whole_package");

    // Human output in Vietnamese; a changed document fails with exit 1.
    let out = cli(fx, &["verify", signed.to_str().unwrap(), "--trust", root.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("toàn bộ gói tài liệu"), "{text}");
    let tampered = dir.path().join("tampered.docx");
    let bytes = std::fs::read(&signed).unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut w = zip::ZipWriter::new(std::fs::File::create(&tampered).unwrap());
    for i in 0..z.len() {
        use std::io::{Read, Write};
        let mut f = z.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name == "word/document.xml" {
            data = String::from_utf8(data).unwrap().replace("Tờ trình", "Quyết định").into_bytes();
        }
        w.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(&data).unwrap();
    }
    w.finish().unwrap();
    let out = verify(&tampered);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["signatures"][0]["sub_indication"], "HASH_FAILURE");
    assert!(v["signatures"][0]["modification_details"][0].as_str().unwrap().contains("/word/document.xml"));
}
