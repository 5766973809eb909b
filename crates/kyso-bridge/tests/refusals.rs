//! The bridge's refusals, each over a real TLS WebSocket to the running
//! service, each answered with a non-zero Status and journaled; and the
//! queue: a second request while one waits for the person is served after
//! it, not lost; the person declining.
#![allow(clippy::unwrap_used)]

use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kyso_bridge::{Answer, Approver, BridgeConfig, Review, SigningSetup, status};
use kyso_testkit::eoffice::{AppFiles, EOfficeApp};
use serde_json::{Value, json};
use tungstenite::Message;

/// Approves `origins`; each confirmation waits for an answer on the
/// channel.
struct Person {
    origins: Vec<String>,
    asked: AtomicUsize,
    answers: Mutex<Receiver<bool>>,
    seen: Mutex<Vec<String>>,
    share: std::sync::atomic::AtomicBool,
    pin: &'static str,
    rejected: Mutex<Vec<String>>,
}

impl Approver for Person {
    fn trust_origin(&self, origin: &str) -> bool {
        self.origins.iter().any(|o| o == origin)
    }

    fn confirm(&self, r: &Review<'_>) -> Answer {
        self.seen.lock().unwrap().push(format!(
            "{} {} {} {} {}",
            r.origin,
            r.source_host,
            r.upload_host,
            r.endpoint.name(),
            r.certificate.and_then(|c| c.subject_cn.clone()).unwrap_or_default()
        ));
        self.asked.fetch_add(1, Ordering::SeqCst);
        let yes = self.answers.lock().unwrap().recv_timeout(Duration::from_secs(60)).unwrap_or(false);
        if yes { Answer::Sign(zeroize::Zeroizing::new(self.pin.to_owned())) } else { Answer::Decline }
    }

    fn share_certificate(&self, _origin: &str, _c: &kyso_pki::CertInfo) -> bool {
        self.share.load(Ordering::SeqCst)
    }

    fn pin_rejected(&self, code: &str) {
        self.rejected.lock().unwrap().push(code.to_owned());
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    data: std::path::PathBuf,
    app: EOfficeApp,
    bridge: kyso_bridge::Handle,
    person: Arc<Person>,
    answer: Sender<bool>,
}

fn setup(fx: &kyso_testkit::Fixture, loopback: bool, max: u64, allow: &[&str]) -> Setup {
    setup_as(fx, loopback, max, allow, (kyso_testkit::tokens::CANHAN, "Nguyễn Văn A", kyso_testkit::pins::CANHAN))
}

/// The bridge of the person holding `(token, certificate, PIN)`.
fn setup_as(
    fx: &kyso_testkit::Fixture,
    loopback: bool,
    max: u64,
    allow: &[&str],
    who: (&str, &str, &'static str),
) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let pdf = dir.path().join("a.pdf");
    kyso_testkit::minimal_pdf(&pdf, 1);
    let docx = dir.path().join("a.docx");
    kyso_testkit::minimal_docx(&docx, "Công văn thử");
    let extra = vec![
        ("van-ban.docx".to_owned(), std::fs::read(&docx).unwrap()),
        // A PDF behind a name that says nothing of its type.
        ("download.ashx".to_owned(), std::fs::read(&pdf).unwrap()),
    ];
    let app = EOfficeApp::start(AppFiles {
        document: std::fs::read(&pdf).unwrap(),
        bridge_port: 0,
        big_size: 3 << 20,
        extra,
    });
    let mut cfg = BridgeConfig::new(&data);
    cfg.port = 0;
    cfg.net.allow_loopback = loopback;
    cfg.net.max_bytes = max;
    cfg.net.allow_hosts = allow.iter().map(|s| (*s).to_owned()).collect();
    cfg.net.roots = Some(vec![app.ca.ca_der.clone()]);
    cfg.verify_anchors = vec![fx.pki_file("root.pem")];
    cfg.signing = SigningSetup {
        modules: vec![fx.module.clone()],
        // "" names nothing: the bridge then finds the certificate itself.
        token: Some(who.0.to_owned()).filter(|t| !t.is_empty()),
        certificate: Some(who.1.to_owned()).filter(|c| !c.is_empty()),
        certs: vec![fx.pki_file("int.pem")],
        offline: true,
        allow_unchecked: true,
        ..Default::default()
    };
    let (answer, rx) = channel();
    let person = Arc::new(Person {
        origins: vec![app.origin.clone(), "https://10.0.0.1".into()],
        asked: AtomicUsize::new(0),
        answers: Mutex::new(rx),
        seen: Mutex::default(),
        share: std::sync::atomic::AtomicBool::new(false),
        pin: who.2,
        rejected: Mutex::default(),
    });
    let bridge = kyso_bridge::start(cfg, person.clone()).unwrap();
    Setup { _dir: dir, data, app, bridge, person, answer }
}

/// One protocol call: a TLS WebSocket trusting only the bridge's
/// certificate, `Origin` as a browser sends it, one frame, one reply.
fn call(s: &Setup, endpoint: &str, origin: &str, frame: Message) -> Value {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(rustls::pki_types::CertificateDer::from(s.bridge.identity().cert_der.clone())).unwrap();
    let cfg = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let conn = rustls::ClientConnection::new(Arc::new(cfg), name).unwrap();
    let tcp = TcpStream::connect(s.bridge.addr()).unwrap();
    let tls = rustls::StreamOwned::new(conn, tcp);
    let mut req = tungstenite::client::IntoClientRequest::into_client_request(format!(
        "wss://127.0.0.1:{}/{endpoint}",
        s.bridge.addr().port()
    ))
    .unwrap();
    req.headers_mut().insert("Origin", origin.parse().unwrap());
    let (mut ws, _) = tungstenite::client(req, tls).unwrap();
    ws.send(frame).unwrap();
    loop {
        match ws.read().unwrap() {
            Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
            Message::Close(_) => panic!("closed without a reply"),
            _ => {}
        }
    }
}

fn file_request(file: &str, upload: &str) -> Message {
    Message::text(
        json!({"FileName": file, "FileUploadHandler": upload, "SessionId": "s", "MetaData": [{"Key": "id", "Value": "1"}]})
            .to_string(),
    )
}

/// The bridge entries of the journal.
fn bridge_entries(data: &std::path::Path) -> Vec<kyso_journal::Entry> {
    let j = kyso_journal::Journal::open_in(data).unwrap();
    let f = kyso_journal::Filter { action: Some("bridge".into()), ..Default::default() };
    j.search(&f).unwrap().into_iter().map(|r| r.entry).collect()
}

#[test]
fn unsafe_requests_are_refused_and_journaled() {
    let fx = kyso_testkit::require_fixture!();
    // Loopback exception off: the app at 127.0.0.1 is like any local service.
    let s = setup(fx, false, 100 << 20, &["169.254.169.254"]);
    let o = s.app.origin.clone();
    let up = format!("{o}/upload?docid=1");
    let cases: Vec<(&str, String, Message, i32)> = vec![
        (
            "SignPDF",
            "https://evil.example".into(),
            file_request(&format!("{o}/files/van-ban.pdf"), &up),
            status::ORIGIN_REFUSED,
        ),
        ("SignPDF", o.clone(), file_request(&format!("{o}/files/van-ban.pdf"), &up), status::URL_REFUSED),
        (
            "SignPDF",
            "https://10.0.0.1".into(),
            file_request("https://10.0.0.1/a.pdf", "https://10.0.0.1/u"),
            status::URL_REFUSED,
        ),
        (
            "SignPDF",
            o.clone(),
            file_request("https://169.254.169.254/latest/meta-data/x.pdf", &up),
            status::URL_REFUSED,
        ),
        ("SignPDF", o.clone(), file_request("file:///etc/passwd", &up), status::URL_REFUSED),
        ("SignPDF", o.clone(), file_request("/etc/passwd", "https://evil.example/upload"), status::URL_REFUSED),
        ("SignPDF", o.clone(), Message::text("{\"FileName\": "), status::MALFORMED),
        ("SignPDF", o.clone(), Message::binary(vec![0u8, 1, 2]), status::MALFORMED),
        ("Config", o.clone(), Message::text("{}"), status::UNKNOWN_ENDPOINT),
        (
            "SignMsg",
            o.clone(),
            Message::text(r#"{"HashAlg":"SHA256","HashValue":"AA==","Encode":"RSA"}"#),
            status::DISABLED,
        ),
        ("GetCertInfo", o.clone(), Message::text("get_cert_info"), status::DECLINED),
    ];
    for (endpoint, origin, frame, want) in &cases {
        let r = call(&s, endpoint, origin, frame.clone());
        assert_eq!(r["Status"], *want, "{endpoint} from {origin}: {r}");
        let msg = r["Message"].as_str().unwrap();
        assert!(!msg.is_empty() && !msg.is_ascii(), "a Vietnamese message: {msg}");
    }
    assert_eq!(s.person.asked.load(Ordering::SeqCst), 0, "nothing reached the confirmation");
    assert!(s.app.uploads().is_empty(), "nothing uploaded");
    let entries = bridge_entries(&s.data);
    assert_eq!(entries.len(), cases.len(), "one journal entry per request");
    assert!(entries.iter().all(|e| e.outcome == "failed"));
    let evidence: Vec<Value> =
        entries.iter().map(|e| serde_json::from_str(e.evidence.as_deref().unwrap()).unwrap()).collect();
    assert!(evidence.iter().any(|e| e["origin"] == "https://evil.example"));
    assert!(evidence.iter().any(|e| e["endpoint"] == "Config"));
    assert!(entries.iter().any(|e| e.input_path.as_deref() == Some("https://169.254.169.254/latest/meta-data/x.pdf")));
    assert!(entries.iter().any(|e| e.output_path.as_deref() == Some("https://evil.example/upload")));
}

#[test]
fn a_file_over_the_limit_is_refused() {
    let fx = kyso_testkit::require_fixture!();
    let s = setup(fx, true, 1 << 20, &[]);
    let o = s.app.origin.clone();
    let r = call(&s, "SignPDF", &o, file_request(&format!("{o}/files/lon.bin"), &format!("{o}/upload")));
    assert_eq!(r["Status"], status::TOO_LARGE, "{r}");
    assert_eq!(s.person.asked.load(Ordering::SeqCst), 0);
    let entries = bridge_entries(&s.data);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].error_code.as_deref(), Some("bridge_status_6"));
}

#[test]
fn a_second_request_waits_its_turn_and_the_person_may_decline() {
    let fx = kyso_testkit::require_fixture!();
    let s = Arc::new(setup(fx, true, 100 << 20, &[]));
    let o = s.app.origin.clone();
    let frame = file_request(&format!("{o}/files/van-ban.pdf"), &format!("{o}/upload?docid=7"));
    let (s1, o1, f1) = (s.clone(), o.clone(), frame.clone());
    let first = std::thread::spawn(move || call(&s1, "SignPDF", &o1, f1));
    let deadline = Instant::now() + Duration::from_secs(30);
    while s.person.asked.load(Ordering::SeqCst) == 0 {
        assert!(Instant::now() < deadline, "the first request reached the person");
        std::thread::sleep(Duration::from_millis(20));
    }
    let (s2, o2) = (s.clone(), o.clone());
    let second = std::thread::spawn(move || call(&s2, "SignFile", &o2, frame));
    while s.bridge.pending() < 2 {
        assert!(Instant::now() < deadline, "the second request is queued");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Still one question: the second waits, it is not asked, not lost.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(s.person.asked.load(Ordering::SeqCst), 1);
    s.answer.send(true).unwrap();
    let r1 = first.join().unwrap();
    assert_eq!(r1["Status"], 0, "{r1}");
    assert_eq!(r1["FileServer"], s.app.uploads()[0].served_at.as_str());
    while s.person.asked.load(Ordering::SeqCst) < 2 {
        assert!(Instant::now() < deadline, "the second request reached the person");
        std::thread::sleep(Duration::from_millis(20));
    }
    s.answer.send(false).unwrap();
    let r2 = second.join().unwrap();
    assert_eq!(r2["Status"], status::DECLINED, "{r2}");
    assert_eq!(s.app.uploads().len(), 1, "the declined one uploaded nothing");
    let seen = s.person.seen.lock().unwrap().clone();
    assert!(seen[0].starts_with(&format!("{o} 127.0.0.1 127.0.0.1 SignPDF Nguyễn Văn A")), "{seen:?}");
    assert!(seen[1].contains("SignFile"), "{seen:?}");
    let entries = bridge_entries(&s.data);
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].outcome, "ok");
    assert!(entries[0].input_sha256.is_some() && entries[0].output_sha256.is_some());
    assert_eq!(entries[1].outcome, "failed");
    assert_eq!(entries[1].error_code.as_deref(), Some("bridge_status_3"));
    // The uploaded copy verifies.
    let signed = s._dir.path().join("signed.pdf");
    std::fs::write(&signed, &s.app.uploads()[0].bytes).unwrap();
    let v = kyso_core::verify(
        &signed,
        &kyso_core::VerifyOptions {
            anchors: kyso_pki::load_certificates(&std::fs::read(fx.pki_file("root.pem")).unwrap()),
            ..Default::default()
        },
    );
    assert_eq!(v.report.signatures.len(), 1);
    assert_eq!(serde_json::to_value(v.report.signatures[0].integrity).unwrap(), "intact");
}

/// One HTTPS GET to the bridge with `host` as the Host header: the answer.
fn get(s: &Setup, path: &str, host: &str) -> String {
    use std::io::{Read as _, Write as _};
    let mut roots = rustls::RootCertStore::empty();
    roots.add(rustls::pki_types::CertificateDer::from(s.bridge.identity().cert_der.clone())).unwrap();
    let cfg = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let conn = rustls::ClientConnection::new(Arc::new(cfg), name).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, TcpStream::connect(s.bridge.addr()).unwrap());
    write!(tls, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut out = Vec::new();
    let _ = tls.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn the_page_explains_kyso_and_only_answers_its_own_name() {
    let fx = kyso_testkit::require_fixture!();
    let s = setup(fx, false, 1 << 20, &[]);
    let port = s.bridge.addr().port();
    let page = get(&s, "/", &format!("localhost:{port}"));
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("Kyso là phần mềm ký số"), "{page}");
    let fp = s.bridge.identity().fingerprint().to_uppercase();
    assert!(page.contains(&fp[..2]) && page.contains(&fp[fp.len() - 2..]), "the fingerprint is shown");
    let pem = get(&s, "/kyso-bridge.pem", &format!("127.0.0.1:{port}"));
    assert!(pem.contains("-----BEGIN CERTIFICATE-----"), "{pem}");
    // A page reaching 127.0.0.1 under its own name (DNS rebinding).
    let other = get(&s, "/", &format!("evil.example:{port}"));
    assert!(other.starts_with("HTTP/1.1 421"), "{other}");
    assert!(get(&s, "/nothing", &format!("127.0.0.1:{port}")).starts_with("HTTP/1.1 404"));
}

#[test]
fn certificate_info_with_consent_office_and_received_documents() {
    use base64::Engine as _;
    let fx = kyso_testkit::require_fixture!();
    let s = setup(fx, true, 100 << 20, &[]);
    let o = s.app.origin.clone();
    s.person.share.store(true, Ordering::SeqCst);
    let r = call(&s, "GetCertInfo", &o, Message::text("get_cert_info"));
    assert_eq!(r["Status"], 0, "{r}");
    assert!(r["CertInfo"]["Subject"].as_str().unwrap().contains("Nguyễn Văn A"), "{r}");
    let der = base64::engine::general_purpose::STANDARD.decode(r["CertInfo"]["Base64Data"].as_str().unwrap()).unwrap();
    let pem = std::fs::read(fx.pki_file("canhan.pem")).unwrap();
    assert_eq!(kyso_pki::load_certificates(&pem)[0].der, der, "the token's certificate");

    // A PDF asked for where the file is a DOCX: refused before the person is asked.
    let up = format!("{o}/upload?docid=9");
    let r = call(&s, "SignPDF", &o, file_request(&format!("{o}/files/van-ban.docx"), &up));
    assert_eq!(r["Status"], status::SIGN_FAILED, "{r}");
    assert_eq!(s.person.asked.load(Ordering::SeqCst), 0);

    // SignOffice: an Office signature, uploaded under the file's name.
    s.answer.send(true).unwrap();
    let r = call(&s, "SignOffice", &o, file_request(&format!("{o}/files/van-ban.docx"), &up));
    assert_eq!(r["Status"], 0, "{r}");
    let uploads = s.app.uploads();
    assert_eq!(uploads[0].file_name, "van-ban.docx");
    let signed = s._dir.path().join("signed.docx");
    std::fs::write(&signed, &uploads[0].bytes).unwrap();
    let v = kyso_core::verify(&signed, &kyso_core::VerifyOptions::default());
    assert_eq!(v.format, kyso_core::Format::Office);
    assert_eq!(v.report.signatures.len(), 1);
    assert_eq!(serde_json::to_value(v.report.signatures[0].integrity).unwrap(), "intact");

    // SignIncome: a PDF served as "download.ashx" is signed and uploaded
    // as a .pdf (handlers take the type from the name).
    s.answer.send(true).unwrap();
    let r = call(&s, "SignIncome", &o, file_request(&format!("{o}/files/download.ashx"), &up));
    assert_eq!(r["Status"], 0, "{r}");
    assert_eq!(r["FileName"], "download.pdf");
    let pdf = s._dir.path().join("income.pdf");
    std::fs::write(&pdf, &s.app.uploads()[1].bytes).unwrap();
    let v = kyso_core::verify(&pdf, &kyso_core::VerifyOptions::default());
    assert_eq!(v.report.signatures.len(), 1);
    assert_eq!(serde_json::to_value(v.report.signatures[0].integrity).unwrap(), "intact");

    // VerifyOffice on the stored DOCX (served as "signed-0.pdf"): the
    // summary names the signer.
    let r = call(&s, "VerifyOffice", &o, Message::text(json!({"FileName": uploads[0].served_at}).to_string()));
    assert_eq!(r["Signatures"][0]["Signer"], "Nguyễn Văn A", "{r}");
    assert_eq!(r["FileName"], "signed-0.docx");
    let entries = bridge_entries(&s.data);
    assert_eq!(entries.len(), 5);
    assert_eq!(entries.iter().filter(|e| e.outcome == "ok").count(), 3, "GetCertInfo, SignOffice, SignIncome");
    // Offline, the verification cannot conclude (revocation unknown):
    // Status 12, journaled as such.
    assert_eq!(r["Status"], status::NOT_VALID, "{r}");
    let last: Value = serde_json::from_str(entries[4].evidence.as_deref().unwrap()).unwrap();
    assert_eq!(last["endpoint"], "VerifyOffice");
    assert_eq!(last["status"], status::NOT_VALID);
}

#[test]
fn the_clerk_signs_an_appendix_and_a_copy() {
    let fx = kyso_testkit::require_fixture!();
    let clerk = (kyso_testkit::tokens::TOCHUC, "Sở Thông tin", kyso_testkit::pins::TOCHUC);
    let s = setup_as(fx, true, 100 << 20, &[], clerk);
    let o = s.app.origin.clone();
    let up = format!("{o}/upload?docid=5");
    let mut appendix: Value =
        serde_json::from_str(file_request(&format!("{o}/files/van-ban.pdf"), &up).to_text().unwrap()).unwrap();
    appendix["DocNumber"] = json!("45/QĐ-UBND");
    s.answer.send(true).unwrap();
    let r = call(&s, "SignAppendix", &o, Message::text(appendix.to_string()));
    assert_eq!(r["Status"], 0, "{r}");
    assert_eq!(r["DocumentNumber"], "45/QĐ-UBND");
    s.answer.send(true).unwrap();
    let r = call(&s, "SignCopy", &o, file_request(&format!("{o}/files/van-ban.pdf"), &up));
    assert_eq!(r["Status"], 0, "{r}");
    let uploads = s.app.uploads();
    assert_eq!(uploads.len(), 2);
    for (i, up) in uploads.iter().enumerate() {
        let f = s._dir.path().join(format!("{i}.pdf"));
        std::fs::write(&f, &up.bytes).unwrap();
        let v = kyso_core::verify(&f, &kyso_core::VerifyOptions::default());
        assert_eq!(v.report.signatures.len(), 1);
        assert_eq!(serde_json::to_value(v.report.signatures[0].integrity).unwrap(), "intact");
        assert!(v.report.signatures[0].signer.as_deref().unwrap_or("").contains("Sở Thông tin"));
    }
    let roles: Vec<Option<String>> = bridge_entries(&s.data).into_iter().map(|e| e.role).collect();
    assert_eq!(roles, vec![Some("appendix".to_owned()), Some("copy".to_owned())]);
}

/// The văn thư's machine with no certificate named in the settings: the
/// personal and the organisation's tokens are both plugged in. A copy is
/// signed with the organisation's certificate, the one its role needs; an
/// official's signature, which several personal certificates fit, is
/// refused with the page told why in Vietnamese, never the library's
/// English.
#[test]
fn the_role_picks_the_certificate_and_the_page_is_told_in_vietnamese() {
    let fx = kyso_testkit::require_fixture!();
    let s = setup_as(fx, true, 100 << 20, &[], ("", "", kyso_testkit::pins::TOCHUC));
    let o = s.app.origin.clone();
    let up = format!("{o}/upload?docid=7");
    s.answer.send(true).unwrap();
    let r = call(&s, "SignCopy", &o, file_request(&format!("{o}/files/van-ban.pdf"), &up));
    assert_eq!(r["Status"], 0, "{r}");
    let uploads = s.app.uploads();
    assert_eq!(uploads.len(), 1);
    let f = s._dir.path().join("copy.pdf");
    std::fs::write(&f, &uploads[0].bytes).unwrap();
    let v = kyso_core::verify(&f, &kyso_core::VerifyOptions::default());
    assert!(v.report.signatures[0].signer.as_deref().unwrap_or("").contains("Sở Thông tin"), "{:?}", v.report);

    let r = call(&s, "SignApproved", &o, file_request(&format!("{o}/files/van-ban.pdf"), &up));
    assert_ne!(r["Status"], 0, "{r}");
    let message = r["Message"].as_str().unwrap();
    assert!(message.contains("Có nhiều chứng thư số") && message.contains("Nguyễn Văn A"), "{message}");
    assert!(!message.contains("certificate") && !message.contains("Sở Thông tin"), "{message}");
    assert_eq!(s.app.uploads().len(), 1, "nothing more uploaded");
}

#[test]
fn downloads_and_uploads_go_through_the_configured_proxy() {
    let fx = kyso_testkit::require_fixture!();
    let proxy = kyso_testkit::start_forward_proxy(None, &[]);
    let mut s = setup(fx, true, 100 << 20, &[]);
    // The same bridge settings with the proxy (Settings / --proxy).
    let mut cfg = BridgeConfig::new(&s.data);
    cfg.port = 0;
    cfg.net.allow_loopback = true;
    cfg.net.roots = Some(vec![s.app.ca.ca_der.clone()]);
    cfg.net.proxy = Some(proxy.url.clone());
    cfg.signing = SigningSetup {
        modules: vec![fx.module.clone()],
        token: Some(kyso_testkit::tokens::CANHAN.into()),
        certificate: Some("Nguyễn Văn A".into()),
        certs: vec![fx.pki_file("int.pem")],
        offline: true,
        allow_unchecked: true,
        ..Default::default()
    };
    s.bridge = kyso_bridge::start(cfg, s.person.clone()).unwrap();
    let o = s.app.origin.clone();
    s.answer.send(true).unwrap();
    let r = call(&s, "SignPDF", &o, file_request(&format!("{o}/files/van-ban.pdf"), &format!("{o}/upload")));
    assert_eq!(r["Status"], 0, "{r}");
    assert_eq!(s.app.uploads().len(), 1);
    let port = s.app.port;
    let seen = proxy.targets.lock().unwrap().clone();
    assert_eq!(seen, vec![format!("127.0.0.1:{port}"), format!("127.0.0.1:{port}")], "download and upload tunnelled");
    assert_eq!(proxy.tunnels.load(Ordering::SeqCst), 2);
}

#[test]
fn garbage_does_not_stop_the_service() {
    use std::io::Write as _;
    let fx = kyso_testkit::require_fixture!();
    let s = setup(fx, false, 1 << 20, &[]);
    // Not TLS at all, a TLS hello cut short, a connection left idle.
    let mut raw = TcpStream::connect(s.bridge.addr()).unwrap();
    raw.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    drop(raw);
    let mut cut = TcpStream::connect(s.bridge.addr()).unwrap();
    cut.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01]).unwrap();
    drop(cut);
    let _idle = TcpStream::connect(s.bridge.addr()).unwrap();
    // A frame over the 1 MiB message limit: refused or closed, never a crash.
    let o = s.app.origin.clone();
    let huge = Message::text(format!("{{\"FileName\": \"{}\"}}", "a".repeat(2 << 20)));
    let big = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| call(&s, "SignPDF", &o, huge)));
    if let Ok(r) = big {
        assert_eq!(r["Status"], status::MALFORMED, "{r}");
    }
    // The service still answers.
    let r = call(&s, "Config", &o, Message::text("{}"));
    assert_eq!(r["Status"], status::UNKNOWN_ENDPOINT, "{r}");
}

#[test]
fn a_wrong_pin_is_reported_to_the_person() {
    let fx = kyso_testkit::require_fixture!();
    // The PIN test token, its own counters; one wrong try, then the right
    // PIN through the fixture's own login resets them.
    let who = (kyso_testkit::tokens::PINTEST, "", "00000000");
    let s = setup_as(fx, true, 100 << 20, &[], who);
    let o = s.app.origin.clone();
    s.answer.send(true).unwrap();
    let r = call(&s, "SignPDF", &o, file_request(&format!("{o}/files/van-ban.pdf"), &format!("{o}/upload")));
    assert_eq!(r["Status"], status::SIGN_FAILED, "{r}");
    assert!(r["Message"].as_str().unwrap().contains("PIN"), "{r}");
    assert_eq!(*s.person.rejected.lock().unwrap(), vec!["pin_incorrect".to_owned()]);
    assert!(s.app.uploads().is_empty());
    // Reset the token's counter with the right PIN (the other tests of the
    // process may use this token).
    let (ok, out) = kyso_testkit::run(
        std::process::Command::new("pkcs11-tool")
            .arg("--module")
            .arg(&fx.module)
            .args([
                "--token-label",
                kyso_testkit::tokens::PINTEST,
                "--login",
                "--pin",
                kyso_testkit::pins::PINTEST,
                "--list-objects",
            ])
            .env("SOFTHSM2_CONF", &fx.softhsm_conf),
    );
    assert!(ok, "{out}");
}
