//! The e-office bridge in a real browser: headless Chromium loads the test
//! e-office app's page (kyso_testkit::eoffice, our own JavaScript client of
//! the plugin protocol), clicks "Ký duyệt", "Phát hành" (number and date)
//! and "Kiểm tra"; `kyso-cli bridge serve` signs with the SoftHSM fixture
//! token; the handler's stored files are checked by Kyso and pyHanko. A
//! page from an unapproved origin is refused. Screenshots go to
//! target/eoffice-screenshots/.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use kyso_testkit::eoffice::{AppFiles, Browser, EOfficeApp, png, screenshot_dir};
use serde_json::Value;

/// The bridge process, killed at the end.
struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn browser_signs_issues_and_verifies_through_the_bridge() {
    let fx = kyso_testkit::require_fixture!();
    if !kyso_testkit::tool_or_skip("chromium", "the browser test of the e-office bridge")
        || !kyso_testkit::tool_or_skip("chromedriver", "the browser test of the e-office bridge")
    {
        return;
    }
    // The fixture's OCSP responder and CRL server: the pre-signing check
    // and VerifyPDF check revocation for real.
    let Some(_revocation) = kyso_testkit::start_revocation_server(fx) else { return };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let doc = dir.path().join("van-ban.pdf");
    kyso_testkit::minimal_pdf(&doc, 1);
    let (image, seal) = (dir.path().join("chu-ky.png"), dir.path().join("con-dau.png"));
    std::fs::write(&image, png([20, 40, 160], false)).unwrap();
    std::fs::write(&seal, png([200, 20, 20], true)).unwrap();
    let bridge_port = free_port();
    let app = EOfficeApp::start(AppFiles { document: std::fs::read(&doc).unwrap(), bridge_port, big_size: 0 });
    let ca = dir.path().join("app-ca.der");
    app.ca.write_ca(&ca);

    let mut child = Command::new(env!("CARGO_BIN_EXE_kyso-cli"))
        .args(["--json", "bridge", "serve", "--port", &bridge_port.to_string()])
        .arg("--module")
        .arg(&fx.module)
        .args([
            "--token",
            kyso_testkit::tokens::CANHAN,
            "--cert",
            "Nguyễn Văn A",
            "--pin-stdin",
            "--approve-origin",
            &app.origin,
        ])
        .arg("--insecure-loopback")
        .arg("--ca-file")
        .arg(&ca)
        .arg("--image")
        .arg(&image)
        .arg("--seal")
        .arg(&seal)
        .arg("--certs")
        .arg(fx.pki_file("int.pem"))
        .arg("--anchor")
        .arg(fx.pki_file("root.pem"))
        .env("SOFTHSM2_CONF", &fx.softhsm_conf)
        .env("KYSO_DATA_DIR", &data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{}", kyso_testkit::pins::CANHAN).unwrap();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let serve = Serve(child);
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first).unwrap();
    let started: Value = serde_json::from_str(&first).unwrap_or_else(|e| panic!("{e}: {first:?}"));
    assert_eq!(started["listening"], format!("127.0.0.1:{bridge_port}"));
    let bridge_spki = started["spki_sha256"].as_str().unwrap().to_owned();
    let app_spki = kyso_bridge::tls::spki_sha256_base64(&app.ca.server_der).unwrap();
    // The warning of the headless mode.
    let mut err_lines = BufReader::new(stderr).lines();
    let warning = err_lines.next().unwrap().unwrap();
    assert!(warning.contains("CẢNH BÁO"), "{warning}");
    std::thread::spawn(move || {
        for l in err_lines.map_while(Result::ok) {
            eprintln!("[bridge] {l}");
        }
    });

    let browser = Browser::start(&[bridge_spki, app_spki]).unwrap();
    let shots = screenshot_dir();
    browser.goto(&format!("{}/", app.origin)).unwrap();
    browser.screenshot(&shots.join("1-truoc.png")).unwrap();
    let long = Duration::from_secs(60);
    browser.click("#duyet").unwrap();
    let r = browser.wait_results(1, long).unwrap();
    assert_eq!(r[0]["reply"]["Status"], 0, "{r:?}");
    browser.click("#kiemtra").unwrap();
    let r = browser.wait_results(2, long).unwrap();
    browser.screenshot(&shots.join("2-sau.png")).unwrap();
    assert_eq!(r[1]["endpoint"], "VerifyPDF");
    assert_eq!(r[1]["reply"]["Status"], 0, "the signature is valid: {r:?}");
    assert_eq!(r[1]["reply"]["Signatures"].as_array().map(Vec::len), Some(1), "{r:?}");

    // What the handler stored, and what the page was told.
    let uploads = app.uploads();
    assert_eq!(uploads.len(), 1);
    for (i, up) in uploads.iter().enumerate() {
        assert_eq!(r[i]["reply"]["FileServer"], up.served_at.as_str(), "the handler's FileServer reached the page");
        assert_eq!(up.part, "uploadfile");
        assert_eq!(up.query, "docid=42&token=mot-lan", "query string kept");
        assert!(up.fields.contains(&("docid".into(), "42".into())), "{:?}", up.fields);
        assert!(up.fields.contains(&("nguoi".into(), "Nguyễn Văn A".into())), "{:?}", up.fields);
        assert_eq!(up.cookie.as_deref(), Some("SessionId=phien-thu"));
        assert_eq!(up.authorization.as_deref(), Some("Bearer jwt-thu"));
    }
    assert_eq!(uploads[0].file_name, "van-ban.pdf");
    let signed = dir.path().join("da-ky.pdf");
    std::fs::write(&signed, &uploads[0].bytes).unwrap();
    let out = common::kyso_cli(
        fx,
        &data,
        &[
            "--json",
            "verify",
            signed.to_str().unwrap(),
            "--trust",
            fx.pki_file("root.pem").to_str().unwrap(),
            "--no-render",
        ],
        None,
    );
    let v = common::json(&out);
    assert_eq!(v["indication"], "TOTAL_PASSED", "Kyso: {v}");
    assert_eq!(v["signatures"].as_array().map(Vec::len), Some(1), "{v}");
    if let Some((ok, text)) = kyso_testkit::pyhanko_validate(fx, &signed) {
        assert!(ok, "pyHanko: {text}");
    }

    // A page of another origin (the same app under "localhost") is refused.
    browser.goto(&format!("https://localhost:{}/", app.port)).unwrap();
    browser
        .eval(r#"window.kysoRaw("SignPDF", {FileName: location.origin + "/files/van-ban.pdf", FileUploadHandler: location.origin + "/upload"}); return 1;"#)
        .unwrap();
    let r = browser.wait_results(1, long).unwrap();
    assert_eq!(r[0]["reply"]["Status"], 2, "unapproved origin: {r:?}");
    assert!(r[0]["reply"]["Message"].as_str().unwrap().contains("chưa được phép"));
    assert_eq!(app.uploads().len(), 1, "nothing uploaded for the refused page");

    // Every request is in the journal, the refused one included.
    let out = common::kyso_cli(fx, &data, &["--json", "log"], None);
    let log = common::json(&out);
    let entries: Vec<Value> = log
        .as_array()
        .cloned()
        .or_else(|| log["entries"].as_array().cloned())
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e["action"] == "bridge")
        .collect();
    assert_eq!(entries.len(), 3, "{log}");
    assert!(
        entries.iter().any(|e| e["outcome"] == "failed" && e["evidence"].as_str().unwrap_or("").contains("localhost"))
    );
    assert!(entries.iter().filter(|e| e["outcome"] == "ok").all(|e| e["input_sha256"].is_string()));
    drop(serve);
}
