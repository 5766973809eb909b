//! `kyso-cli sign` checks everything it can before reading the PIN
//! (kyso-core's precheck) with the fixture tokens: the certificate's kind
//! against the role, the output's name and the policy for an existing one,
//! and the signed file's permissions under the user's umask.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use kyso_testkit::{Fixture, pins, require_fixture, tokens};
use serde_json::Value;

mod common;
use common::json;

/// Runs `kyso-cli` in `lang` under `umask`, revocation checked against the
/// fixture CRL, with `stdin` (a PIN).
fn run_with(fx: &Fixture, data: &Path, lang: &str, umask: &str, args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let crl = fx.pki_file("crl.pem");
    let mut all: Vec<&str> = args.to_vec();
    if args.first() == Some(&"sign") {
        all.extend(["--offline", "--crl", crl.to_str().unwrap(), "--lang", lang]);
    }
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_kyso-cli"))
        .args(&all)
        .env("SOFTHSM2_CONF", &fx.softhsm_conf)
        .env("KYSO_DATA_DIR", data)
        .env_remove("KYSO_LANG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kyso-cli runs");
    if let Some(s) = stdin {
        writeln!(child.stdin.take().unwrap(), "{s}").unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn run(fx: &Fixture, data: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    run_with(fx, data, "vi", "022", args, stdin)
}

/// A seal or signature PNG (RGBA, a disc on transparency), written with
/// zlib and CRC-32 from flate2.
fn png(path: &Path, rgb: [u8; 3]) -> PathBuf {
    use std::io::Write;
    let (w, h) = (64u32, 64u32);
    let mut raw = Vec::new();
    for y in 0..h {
        raw.push(0u8);
        for x in 0..w {
            let (dx, dy) = (f64::from(x) - 32.0, f64::from(y) - 32.0);
            let a = if (dx * dx + dy * dy).sqrt() < 28.0 { 255 } else { 0 };
            raw.extend_from_slice(&[rgb[0], rgb[1], rgb[2], a]);
        }
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&raw).unwrap();
    let idat = z.finish().unwrap();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(&b"IHDR"[..], ihdr.as_slice()), (b"IDAT", &idat), (b"IEND", &[])] {
        out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc.sum().to_be_bytes());
    }
    std::fs::write(path, out).unwrap();
    path.to_owned()
}

fn finding<'a>(v: &'a Value, code: &str) -> Option<&'a Value> {
    v["findings"].as_array()?.iter().find(|f| f["code"] == code)
}

#[test]
fn the_issuer_role_with_a_personal_certificate_is_refused_before_the_pin() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let input = dir.path().join("qd.pdf");
    kyso_testkit::minimal_pdf(&input, 1);
    let seal = png(&dir.path().join("dau.png"), [220, 0, 0]);
    let module = fx.module.to_str().unwrap();
    let args = |json: bool| {
        let mut a = vec![
            "sign",
            input.to_str().unwrap(),
            "--module",
            module,
            "--token",
            tokens::CANHAN,
            "--cert",
            "Nguyễn Văn A",
            "--pin-stdin",
            "--role",
            "issuer",
            "--seal",
            seal.to_str().unwrap(),
            "--number",
            "Số: 45/QĐ-UBND",
        ];
        if json {
            a.push("--json");
        }
        a
    };
    // A wrong PIN on stdin: had it been used, the answer would be
    // pin_incorrect (exit 4). The refusal comes first.
    let out = run(fx, &data, &args(true), Some("00000000"));
    assert_eq!(out.status.code(), Some(6), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    assert_eq!(v["error"]["code"], "role_mismatch", "{v:#}");
    let f = finding(&v, "role_mismatch").expect("the finding");
    assert_eq!(f["severity"], "blocker");
    assert_eq!(f["details"]["role"], "issuer");
    assert_eq!(f["details"]["needed"], "organization");
    assert_eq!(f["details"]["found"], "personal");
    assert!(v["error"]["message"].as_str().unwrap().contains("chứng thư số của cơ quan, tổ chức"), "{v:#}");
    assert!(!dir.path().join("qd.signed.pdf").exists());
    // The refusal is journaled: who tried, as what, why.
    let log = run(fx, &data, &["log", "--json"], None);
    let entries: Value = serde_json::from_slice(&log.stdout).unwrap();
    let e = entries.as_array().unwrap().iter().find(|e| e["action"] == "sign").expect("journaled");
    assert_eq!(
        (&e["outcome"], &e["error_code"], &e["role"]),
        (&"failed".into(), &"role_mismatch".into(), &"issuer".into()),
        "{e:#}"
    );
    assert!(e["signer_subject"].as_str().unwrap().contains("Nguyễn Văn A"), "{e:#}");

    // The same in English, as text on standard error.
    let out = run_with(fx, &data, "en", "022", &args(false), Some("00000000"));
    assert_eq!(
        out.status.code(),
        Some(6),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("must sign with the organisation's certificate"), "{err}");
    assert!(err.contains("Nguyễn Văn A"), "{err}");
    assert!(!err.to_lowercase().contains("pin"), "the PIN was involved: {err}");
}

#[test]
fn an_allowed_role_mismatch_signs_and_is_journaled() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let input = dir.path().join("to-trinh.pdf");
    kyso_testkit::minimal_pdf(&input, 1);
    let image = png(&dir.path().join("chu-ky.png"), [0, 0, 200]);
    let module = fx.module.to_str().unwrap();
    let mut args = vec![
        "sign",
        input.to_str().unwrap(),
        "--module",
        module,
        "--token",
        tokens::TOCHUC,
        "--pin-stdin",
        "--role",
        "approver",
        "--image",
        image.to_str().unwrap(),
        "--rect",
        "350,150,500,220",
        "--json",
    ];
    // Refused without the override.
    let out = run(fx, &data, &args, Some(pins::TOCHUC));
    assert_eq!(out.status.code(), Some(6));
    assert_eq!(json(&out)["error"]["code"], "role_mismatch");
    // Signed with it, shown as information, journaled.
    args.push("--allow-role-mismatch");
    let out = run(fx, &data, &args, Some(pins::TOCHUC));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    assert_eq!(v["files"][0]["ok"], true);
    assert_eq!(finding(&v, "role_mismatch_allowed").expect("shown")["severity"], "info");
    let log = run(fx, &data, &["log", "--json"], None);
    let entries: Value = serde_json::from_slice(&log.stdout).unwrap();
    let signed: Vec<&Value> =
        entries.as_array().unwrap().iter().filter(|e| e["action"] == "sign" && e["outcome"] == "ok").collect();
    assert_eq!(signed.len(), 1, "{entries:#}");
    let precheck = signed[0]["precheck"].as_str().unwrap();
    assert!(
        precheck.contains("role_mismatch_allowed(role=approver, needed=personal, certificate=organization)"),
        "{precheck}"
    );
}

#[test]
fn a_signed_copy_is_signed_again_under_its_name_and_existing_outputs_follow_on_exists() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let input = dir.path().join("qd.pdf");
    kyso_testkit::minimal_pdf(&input, 1);
    let signed = dir.path().join("qd.signed.pdf");
    let module = fx.module.to_str().unwrap();
    let sign = |file: &Path, token: &str, pin: &str, extra: &[&str]| {
        let mut a = vec!["sign", file.to_str().unwrap(), "--module", module, "--token", token, "--pin-stdin", "--json"];
        if token == tokens::CANHAN {
            a.extend(["--cert", "Nguyễn Văn A"]);
        }
        a.extend(extra);
        run(fx, &data, &a, Some(pin))
    };
    let ok = |out: &Output| {
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        json(out)
    };
    ok(&sign(&input, tokens::CANHAN, pins::CANHAN, &[]));
    // The signed copy, signed by a second official: the same name.
    let v = ok(&sign(&signed, tokens::TOCHUC, pins::TOCHUC, &[]));
    assert_eq!(v["files"][0]["output"], signed.to_str().unwrap());
    assert_eq!(finding(&v, "signed_in_place").expect("said")["details"]["path"], signed.to_str().unwrap());
    assert!(!dir.path().join("qd.signed.signed.pdf").exists());
    let root = fx.pki_file("root.pem");
    let verified =
        json(&run(fx, &data, &["verify", signed.to_str().unwrap(), "--trust", root.to_str().unwrap(), "--json"], None));
    assert_eq!(verified["signatures"].as_array().map(Vec::len), Some(2), "{verified:#}");

    // The original again: its copy exists. Default: refused, nothing signed.
    let before = std::fs::read(&signed).unwrap();
    let out = sign(&input, tokens::CANHAN, pins::CANHAN, &[]);
    assert_eq!(out.status.code(), Some(5));
    let v = json(&out);
    assert_eq!(v["files"][0]["error"]["code"], "output_exists");
    let f = finding(&v, "output_exists").expect("the finding");
    assert_eq!(f["severity"], "confirm");
    assert_eq!(f["details"]["numbered"], dir.path().join("qd.signed (2).pdf").to_str().unwrap());
    assert_eq!(std::fs::read(&signed).unwrap(), before);
    // Numbered.
    let v = ok(&sign(&input, tokens::CANHAN, pins::CANHAN, &["--on-exists", "number"]));
    assert_eq!(v["files"][0]["output"], dir.path().join("qd.signed (2).pdf").to_str().unwrap());
    let v = ok(&sign(&input, tokens::CANHAN, pins::CANHAN, &["--on-exists", "number"]));
    assert_eq!(v["files"][0]["output"], dir.path().join("qd.signed (3).pdf").to_str().unwrap());
    // Overwritten.
    let v = ok(&sign(&input, tokens::CANHAN, pins::CANHAN, &["--on-exists", "overwrite"]));
    assert_eq!(v["files"][0]["output"], signed.to_str().unwrap());
    assert!(finding(&v, "output_replaced").is_some());
    assert_ne!(std::fs::read(&signed).unwrap(), before);
    // A bad policy is a usage error.
    assert_eq!(sign(&input, tokens::CANHAN, pins::CANHAN, &["--on-exists", "ask"]).status.code(), Some(2));
}

#[cfg(unix)]
#[test]
fn signed_files_get_the_users_permissions_from_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let module = fx.module.to_str().unwrap();
    for (umask, mode) in [("022", 0o644), ("027", 0o640)] {
        let input = dir.path().join(format!("cv-{umask}.pdf"));
        kyso_testkit::minimal_pdf(&input, 1);
        let args = ["sign", input.to_str().unwrap(), "--module", module, "--token", tokens::TOCHUC, "--pin-stdin"];
        let out = run_with(fx, &data, "vi", umask, &args, Some(pins::TOCHUC));
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let signed = dir.path().join(format!("cv-{umask}.signed.pdf"));
        let got = std::fs::metadata(&signed).unwrap().permissions().mode() & 0o777;
        assert_eq!(got, mode, "umask {umask}: {got:o}");
    }
}
