//! The e-office bridge in a real browser: headless Chromium loads the test
//! e-office app's page (kyso_testkit::eoffice, our own JavaScript client of
//! the plugin protocol). The leader clicks "Ký duyệt" on his machine (a
//! `kyso-cli bridge serve` with the personal SoftHSM token), the clerk
//! clicks "Phát hành" with the number and date on hers (another bridge with
//! the organisation token), then "Kiểm tra"; the handler's stored file is
//! checked by Kyso and pyHanko. A page from an unapproved origin is
//! refused. Screenshots go to target/eoffice-screenshots/.
#![allow(clippy::unwrap_used, clippy::too_many_arguments)]

mod common;

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use kyso_testkit::Fixture;
use kyso_testkit::eoffice::{AppFiles, Browser, EOfficeApp, png, screenshot_dir};
use serde_json::Value;

/// A bridge process, killed at the end.
struct Serve {
    child: Child,
    port: u16,
    spki: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `kyso-cli bridge serve` on `port` for one person: `token` and `pin`, the page's
/// origin approved, the app's CA trusted, loopback allowed (test only).
fn serve(
    fx: &Fixture,
    data: &Path,
    app: &EOfficeApp,
    ca: &Path,
    token: &str,
    pin: &str,
    look: &[&str],
    port: u16,
) -> Serve {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kyso-cli"))
        .args(["--json", "bridge", "serve", "--port", &port.to_string()])
        .arg("--module")
        .arg(&fx.module)
        .args(["--token", token, "--pin-stdin", "--approve-origin", &app.origin, "--insecure-loopback"])
        .arg("--ca-file")
        .arg(ca)
        .args(look)
        .arg("--certs")
        .arg(fx.pki_file("int.pem"))
        .arg("--anchor")
        .arg(fx.pki_file("root.pem"))
        .env("SOFTHSM2_CONF", &fx.softhsm_conf)
        .env("KYSO_DATA_DIR", data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{pin}").unwrap();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first).unwrap();
    let started: Value = serde_json::from_str(&first).unwrap_or_else(|e| panic!("{e}: {first:?}"));
    assert_eq!(started["listening"], format!("127.0.0.1:{port}"));
    // The warning of the headless mode comes first.
    let mut err_lines = BufReader::new(stderr).lines();
    let warning = err_lines.next().unwrap().unwrap();
    assert!(warning.contains("CẢNH BÁO"), "{warning}");
    let name = token.to_owned();
    std::thread::spawn(move || {
        for l in err_lines.map_while(Result::ok) {
            eprintln!("[{name}] {l}");
        }
    });
    Serve { child, port, spki: started["spki_sha256"].as_str().unwrap().to_owned() }
}

/// The `bridge` entries of the journal in `data`.
fn bridge_entries(fx: &Fixture, data: &Path) -> Vec<Value> {
    let log = common::json(&common::kyso_cli(fx, data, &["--json", "log"], None));
    log.as_array()
        .cloned()
        .or_else(|| log["entries"].as_array().cloned())
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e["action"] == "bridge")
        .collect()
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
    let (leader_data, clerk_data) = (dir.path().join("lanh-dao"), dir.path().join("van-thu"));
    // A decision laid out as NĐ 30/2020 Phụ lục I prescribes, with the
    // clerk's blanks "Số: …/QĐ-UBND" and "…, ngày … tháng … năm 2026".
    let doc = dir.path().join("van-ban.pdf");
    kyso_testkit::nd30::decision(&doc, kyso_testkit::nd30::Layout::Deputy);
    let (image, seal) = (dir.path().join("chu-ky.png"), dir.path().join("con-dau.png"));
    std::fs::write(&image, png([20, 40, 160], false)).unwrap();
    std::fs::write(&seal, png([200, 20, 20], true)).unwrap();
    let leader_port = free_port();
    let app = EOfficeApp::start(AppFiles {
        document: std::fs::read(&doc).unwrap(),
        bridge_port: leader_port,
        big_size: 0,
        extra: Vec::new(),
    });
    let ca = dir.path().join("app-ca.der");
    app.ca.write_ca(&ca);
    let img = ["--image", image.to_str().unwrap(), "--cert", "Nguyễn Văn A"];
    let leader =
        serve(fx, &leader_data, &app, &ca, kyso_testkit::tokens::CANHAN, kyso_testkit::pins::CANHAN, &img, leader_port);
    assert_eq!(leader.port, leader_port);
    let sl = ["--seal", seal.to_str().unwrap()];
    let clerk =
        serve(fx, &clerk_data, &app, &ca, kyso_testkit::tokens::TOCHUC, kyso_testkit::pins::TOCHUC, &sl, free_port());
    let app_spki = kyso_bridge::tls::spki_sha256_base64(&app.ca.server_der).unwrap();

    let browser = Browser::start(&[leader.spki.clone(), clerk.spki.clone(), app_spki]).unwrap();
    let shots = screenshot_dir();
    let long = Duration::from_secs(60);
    // The leader approves.
    browser.goto(&format!("{}/", app.origin)).unwrap();
    browser.screenshot(&shots.join("1-truoc.png")).unwrap();
    browser.click("#duyet").unwrap();
    let r = browser.wait_results(1, long).unwrap();
    assert_eq!(r[0]["reply"]["Status"], 0, "{r:?}");
    let approved = r[0]["reply"]["FileServer"].as_str().unwrap().to_owned();
    // The clerk issues it, with the number and the date, on her machine.
    browser.goto(&format!("{}/?bridge={}&file={approved}", app.origin, clerk.port)).unwrap();
    browser.type_into("#so", "123").unwrap();
    browser.type_into("#ngay", "2026-11-29").unwrap();
    browser.click("#phathanh").unwrap();
    let r = browser.wait_results(1, long).unwrap();
    assert_eq!(r[0]["reply"]["Status"], 0, "{r:?}");
    assert_eq!(r[0]["reply"]["DocumentNumber"], "123");
    assert_eq!(r[0]["reply"]["DocumentDate"], "2026-11-29");
    browser.click("#kiemtra").unwrap();
    let r = browser.wait_results(2, long).unwrap();
    browser.screenshot(&shots.join("2-sau.png")).unwrap();
    assert_eq!(r[1]["endpoint"], "VerifyPDF");
    assert_eq!(r[1]["reply"]["Status"], 0, "both signatures valid: {r:?}");
    assert_eq!(r[1]["reply"]["Signatures"].as_array().map(Vec::len), Some(2), "{r:?}");

    // What the handler stored, and what the page was told.
    let uploads = app.uploads();
    assert_eq!(uploads.len(), 2);
    assert_eq!(approved, uploads[0].served_at, "the handler's FileServer reached the page");
    assert_eq!(r[0]["reply"]["FileServer"], uploads[1].served_at.as_str());
    for up in &uploads {
        assert_eq!(up.part, "uploadfile");
        assert_eq!(up.query, "docid=42&token=mot-lan", "query string kept");
        assert!(up.fields.contains(&("docid".into(), "42".into())), "{:?}", up.fields);
        assert!(up.fields.contains(&("nguoi".into(), "Nguyễn Văn A".into())), "{:?}", up.fields);
        assert_eq!(up.cookie.as_deref(), Some("SessionId=phien-thu"));
        assert_eq!(up.authorization.as_deref(), Some("Bearer jwt-thu"));
    }
    assert_eq!(uploads[0].file_name, "van-ban.pdf");
    let signed = dir.path().join("da-ky.pdf");
    std::fs::write(&signed, &uploads[1].bytes).unwrap();
    let out = common::kyso_cli(
        fx,
        &clerk_data,
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
    assert_eq!(v["signatures"].as_array().map(Vec::len), Some(2), "{v}");
    if let Some((ok, text)) = kyso_testkit::pyhanko_validate(fx, &signed) {
        assert!(ok, "pyHanko: {text}");
    }
    // The number is printed on the "Số:" line, the date on the date line.
    if kyso_testkit::tool_or_skip("pdftotext", "the printed number") {
        let (ok, text) =
            kyso_testkit::run(Command::new("pdftotext").args(["-layout", "-f", "1", "-l", "1"]).arg(&signed).arg("-"));
        assert!(ok, "{text}");
        let line = text.lines().find(|l| l.contains("Số:")).unwrap_or_else(|| panic!("{text}"));
        assert!(line.contains("123"), "the number on the Số: line: {line:?}");
        assert!(text.lines().any(|l| l.contains("ngày") && l.contains("29") && l.contains("11")), "{text}");
    }

    // A page of another origin (the same app under "localhost") is refused.
    browser.goto(&format!("https://localhost:{}/", app.port)).unwrap();
    let call = r#"window.kysoRaw("SignPDF", {FileName: location.origin + "/files/van-ban.pdf",
        FileUploadHandler: location.origin + "/upload"}); return 1;"#;
    browser.eval(call).unwrap();
    let r = browser.wait_results(1, long).unwrap();
    assert_eq!(r[0]["reply"]["Status"], 2, "unapproved origin: {r:?}");
    assert!(r[0]["reply"]["Message"].as_str().unwrap().contains("chưa được phép"));
    assert_eq!(app.uploads().len(), 2, "nothing uploaded for the refused page");

    // Every request is in the journal of the machine it reached, the
    // refused one included.
    let leader_log = bridge_entries(fx, &leader_data);
    assert_eq!(leader_log.len(), 2, "{leader_log:?}");
    assert!(
        leader_log.iter().any(|e| e["outcome"] == "ok" && e["role"] == "approver" && e["input_sha256"].is_string())
    );
    assert!(
        leader_log
            .iter()
            .any(|e| e["outcome"] == "failed" && e["evidence"].as_str().unwrap_or("").contains("https://localhost:"))
    );
    let clerk_log = bridge_entries(fx, &clerk_data);
    assert_eq!(clerk_log.len(), 2, "{clerk_log:?}");
    assert!(clerk_log.iter().all(|e| e["outcome"] == "ok"), "{clerk_log:?}");
    assert!(clerk_log.iter().any(|e| e["role"] == "issuer" && e["output_sha256"].is_string()));
    drop((leader, clerk));
}
