//! The bridge screen with the real service: a page's request (over a real
//! TLS WebSocket, `Origin` as a browser sends it) reaches the screen
//! through [`GuiApprover`] and the subscription's channel; the person
//! answers on the screen (driven with iced_test), and the answer goes back
//! to the waiting service: the page is allowed, the card shows the origin,
//! the file's source and destination, the PIN is typed, the file is signed
//! and uploaded; a declined request answers the page with the protocol's
//! decline status; a revoked page is asked about again.
#![allow(clippy::unwrap_used)]

use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use iced::futures::StreamExt as _;
use iced_test::simulator;
use kyso_bridge::{BridgeConfig, SigningSetup, status};
use kyso_i18n::{Lang, Translator};
use kyso_testkit::eoffice::{AppFiles, EOfficeApp};
use serde_json::{Value, json};

use super::{Bridge, Event, Message, Question};
use crate::screen::settings::Config;

/// A running screen with its service, the test e-office app and the
/// questions the service sends (as the subscription would pass them on).
struct Setup {
    dir: tempfile::TempDir,
    app: EOfficeApp,
    screen: Bridge,
    questions: std::sync::mpsc::Receiver<Question>,
    config: Config,
}

fn setup(fx: &'static kyso_testkit::Fixture) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("a.pdf");
    kyso_testkit::minimal_pdf(&pdf, 1);
    let app = EOfficeApp::start(AppFiles {
        document: std::fs::read(&pdf).unwrap(),
        bridge_port: 0,
        big_size: 1 << 20,
        extra: Vec::new(),
    });
    let config = Config { bridge: true, modules: vec![fx.module.clone()], ..Config::default() };
    let ca = app.ca.ca_der.clone();
    let signature = dir.path().join("chu-ky.png");
    std::fs::write(&signature, kyso_testkit::eoffice::png([20, 40, 160], false)).unwrap();
    let mut screen = Bridge::new(&dir.path().join("data"), &config).for_test(move |cfg: &mut BridgeConfig| {
        cfg.net.allow_loopback = true;
        cfg.net.roots = Some(vec![ca.clone()]);
        cfg.signing = SigningSetup {
            modules: vec![fx.module.clone()],
            token: Some(kyso_testkit::tokens::CANHAN.into()),
            certificate: Some("Nguyễn Văn A".into()),
            certs: vec![fx.pki_file("int.pem")],
            offline: true,
            allow_unchecked: true,
            image: Some(signature.clone()),
            ..Default::default()
        };
    });
    assert!(screen.address().is_none(), "nothing runs before the subscription is connected");
    // The subscription's side: the sender goes to the screen, which starts
    // the service; the questions are read here.
    let (to_app, mut from_bridge) = iced::futures::channel::mpsc::unbounded();
    assert_eq!(screen.update(Message::Connected(to_app)), None);
    assert!(screen.address().is_some(), "the service runs once the setting is on and the channel ready");
    let (tx, questions) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        while let Some(q) = iced::futures::executor::block_on(from_bridge.next()) {
            if tx.send(q).is_err() {
                break;
            }
        }
    });
    Setup { dir, app, screen, questions, config }
}

/// One protocol call, as the page's script makes it.
fn call(port: u16, cert_der: Vec<u8>, endpoint: &str, origin: &str, frame: &Value) -> Value {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(rustls::pki_types::CertificateDer::from(cert_der)).unwrap();
    let cfg = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let tls = rustls::StreamOwned::new(
        rustls::ClientConnection::new(Arc::new(cfg), name).unwrap(),
        TcpStream::connect(("127.0.0.1", port)).unwrap(),
    );
    let mut req =
        tungstenite::client::IntoClientRequest::into_client_request(format!("wss://127.0.0.1:{port}/{endpoint}"))
            .unwrap();
    req.headers_mut().insert("Origin", origin.parse().unwrap());
    let (mut ws, _) = tungstenite::client(req, tls).unwrap();
    ws.send(tungstenite::Message::text(frame.to_string())).unwrap();
    loop {
        match ws.read().unwrap() {
            tungstenite::Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
            tungstenite::Message::Close(_) => panic!("closed without a reply"),
            _ => {}
        }
    }
}

/// Starts a call on a thread of its own (the service answers only once
/// the person has).
fn call_in_background(s: &Setup, endpoint: &'static str, frame: Value) -> std::thread::JoinHandle<Value> {
    let port = s.screen.address().unwrap().port();
    let cert = s.screen.handle.as_ref().unwrap().identity().cert_der.clone();
    let origin = s.app.origin.clone();
    std::thread::spawn(move || call(port, cert, endpoint, &origin, &frame))
}

/// Passes the service's messages to the screen until one needs the
/// person; the screen then asks to be shown.
fn next_question(s: &mut Setup) -> Option<Event> {
    loop {
        let q = s.questions.recv_timeout(Duration::from_secs(60)).expect("the service asks the person");
        let asks = matches!(
            q,
            Question::Trust { .. } | Question::Confirm { .. } | Question::Share { .. } | Question::PickFile { .. }
        );
        let event = s.screen.update(Message::Asked(q));
        if asks {
            return event;
        }
    }
}

/// Feeds the simulator's messages back to the screen; the settings events.
fn deliver(s: &mut Setup, messages: Vec<Message>) -> Vec<Event> {
    let mut events = Vec::new();
    for m in messages {
        if let Some(e) = s.screen.update(m) {
            events.push(e);
        }
    }
    events
}

fn frame(s: &Setup) -> Value {
    let o = &s.app.origin;
    json!({
        "FileName": format!("{o}/files/van-ban.pdf"),
        "FileUploadHandler": format!("{o}/upload?docid=42"),
        "SessionId": "s",
        "MetaData": [{"Key": "docid", "Value": "42"}],
    })
}

#[test]
fn a_page_is_allowed_then_its_request_confirmed_with_the_pin_on_the_card() {
    let Some(fx) = kyso_testkit::fixture() else { return };
    let vi = Translator::new(Lang::Vi);
    let mut s = setup(fx);
    let origin = s.app.origin.clone();
    let running = simulator(s.screen.view(&vi))
        .find(vi.tr_args("gui-bridge-running", &[("address", &format!("https://{}/", s.screen.address().unwrap()))]))
        .is_ok();
    assert!(running, "the screen says where the service runs");

    let page = call_in_background(&s, "SignApproved", frame(&s));

    // First use of the origin: the person is asked whether to trust it.
    assert_eq!(next_question(&mut s), Some(Event::Attention));
    let mut ui = simulator(s.screen.view(&vi));
    let asked = vi.tr_args("gui-bridge-trust-question", &[("origin", &origin)]);
    assert!(ui.find(asked.as_str()).is_ok(), "the trust question names the page");
    let _ = ui.click(vi.tr("gui-bridge-trust-allow").as_str()).unwrap();
    let messages: Vec<Message> = ui.into_messages().collect();
    assert_eq!(deliver(&mut s, messages), vec![Event::Trusted(origin.clone())], "remembered in the settings");

    // Kyso's own card: origin, source, destination, certificate, role.
    assert_eq!(next_question(&mut s), Some(Event::Attention));
    let mut ui = simulator(s.screen.view(&vi));
    for line in [
        vi.tr_args("gui-bridge-card-origin", &[("origin", &origin)]),
        vi.tr_args("gui-bridge-card-source", &[("host", "127.0.0.1")]),
        vi.tr_args("gui-bridge-card-upload", &[("host", "127.0.0.1")]),
        vi.tr_args("gui-bridge-card-role", &[("role", &vi.tr("role-name-approver"))]),
        "docid: 42".to_owned(),
    ] {
        assert!(ui.find(line.as_str()).is_ok(), "the card shows {line:?}");
    }
    let Some(Question::Confirm { card, .. }) = s.screen.current() else { panic!("a confirmation is shown") };
    assert!(card.signer.as_deref().is_some_and(|c| c.contains("Nguyễn Văn A")), "{card:?}");
    assert!(card.preview.is_some(), "the first page is drawn on the card");
    assert_eq!(card.marks, vec![super::Mark::Signature], "with the signature's proposed box");
    // Signing needs the PIN: the button does nothing before.
    let _ = ui.click(vi.tr("gui-bridge-sign").as_str());
    let _ = ui.click(vi.tr("gui-pin-placeholder").as_str()).unwrap();
    let _ = ui.typewrite(kyso_testkit::pins::CANHAN);
    let messages: Vec<Message> = ui.into_messages().collect();
    assert!(!messages.iter().any(|m| matches!(m, Message::Sign)), "no signing without a PIN: {messages:?}");
    assert!(deliver(&mut s, messages).is_empty());
    let mut ui = simulator(s.screen.view(&vi));
    let _ = ui.click(vi.tr("gui-bridge-sign").as_str()).unwrap();
    let messages: Vec<Message> = ui.into_messages().collect();
    assert!(deliver(&mut s, messages).is_empty());
    assert!(s.screen.current().is_none(), "the card closes once answered");
    assert!(s.screen.pin.is_empty(), "the PIN is not kept");

    // The page gets the handler's answer; the upload verifies.
    let reply = page.join().unwrap();
    assert_eq!(reply["Status"], 0, "{reply}");
    let uploads = s.app.uploads();
    assert_eq!(uploads.len(), 1);
    assert_eq!(reply["FileServer"], uploads[0].served_at.as_str(), "{reply}");
    let signed = s.dir.path().join("signed.pdf");
    std::fs::write(&signed, &uploads[0].bytes).unwrap();
    let v = kyso_core::verify(
        &signed,
        &kyso_core::VerifyOptions {
            anchors: kyso_pki::load_certificates(&std::fs::read(fx.pki_file("root.pem")).unwrap()),
            ..Default::default()
        },
    );
    assert_eq!(v.report.signatures.len(), 1);
    assert_eq!(serde_json::to_value(v.report.signatures[0].integrity).unwrap(), "intact");

    // The same page again: not asked whether to trust it; the person
    // declines this one: the page is told so, nothing is uploaded.
    s.config.bridge_origins.push(origin.clone());
    s.screen.configure(&s.config);
    let page = call_in_background(&s, "SignPDF", frame(&s));
    assert_eq!(next_question(&mut s), Some(Event::Attention));
    assert!(matches!(s.screen.current(), Some(Question::Confirm { .. })), "straight to the card");
    let mut ui = simulator(s.screen.view(&vi));
    let _ = ui.click(vi.tr("gui-bridge-decline").as_str()).unwrap();
    let messages: Vec<Message> = ui.into_messages().collect();
    assert!(deliver(&mut s, messages).is_empty());
    let reply = page.join().unwrap();
    assert_eq!(reply["Status"], status::DECLINED, "{reply}");
    assert_eq!(s.app.uploads().len(), 1, "the declined file was not uploaded");

    // Revoked on the screen: the settings drop it, the service restarts
    // and the page is asked about again; refused, it gets Status 2.
    let mut ui = simulator(s.screen.view(&vi));
    assert!(ui.find(origin.as_str()).is_ok(), "the allowed page is listed");
    let _ = ui.click(vi.tr("gui-bridge-revoke").as_str()).unwrap();
    let messages: Vec<Message> = ui.into_messages().collect();
    assert_eq!(deliver(&mut s, messages), vec![Event::Revoked(origin.clone())]);
    s.config.bridge_origins.clear();
    s.screen.configure(&s.config);
    let page = call_in_background(&s, "SignPDF", frame(&s));
    assert_eq!(next_question(&mut s), Some(Event::Attention));
    assert!(matches!(s.screen.current(), Some(Question::Trust { .. })), "asked again after the revocation");
    let mut ui = simulator(s.screen.view(&vi));
    let _ = ui.click(vi.tr("gui-bridge-trust-deny").as_str()).unwrap();
    let messages: Vec<Message> = ui.into_messages().collect();
    assert!(deliver(&mut s, messages).is_empty(), "a refusal is not remembered");
    let reply = page.join().unwrap();
    assert_eq!(reply["Status"], status::ORIGIN_REFUSED, "{reply}");

    // Switched off: the service stops.
    s.config.bridge = false;
    s.screen.configure(&s.config);
    assert!(s.screen.address().is_none());
}

#[test]
fn questions_wait_in_order_and_switching_off_refuses_them() {
    use super::{Card, Reply};
    let en = Translator::new(Lang::En);
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config { bridge: true, ..Config::default() };
    let mut screen = Bridge::new(dir.path(), &config);
    let card = |origin: &str, number: Option<&str>| Card {
        origin: origin.into(),
        endpoint: kyso_bridge::Endpoint::SignIssued,
        source_host: "vpdt.so.gov.vn".into(),
        upload_host: "upload.vpdt.so.gov.vn".into(),
        file: "quyet-dinh.pdf".into(),
        role: Some(kyso_core::Role::Issuer),
        doc_number: number.map(str::to_owned),
        issued_date: Some("ngày 29 tháng 11 năm 2026".into()),
        signer: Some("Văn thư Sở".into()),
        organization: Some("Sở Nội vụ".into()),
        issuer: None,
        metadata: Vec::new(),
        preview: None,
        marks: Vec::new(),
    };
    let (first, first_answer) = Reply::channel();
    let (second, second_answer) = Reply::channel();
    let asked = |card: Card, reply| Message::Asked(Question::Confirm { card: Arc::new(card), reply });
    assert_eq!(
        screen.update(asked(card("https://vpdt.so.gov.vn", Some("123/QĐ-UBND")), first)),
        Some(Event::Attention)
    );
    assert_eq!(screen.update(asked(card("https://motcua.so.gov.vn", None), second)), Some(Event::Attention));
    let mut ui = simulator(screen.view(&en));
    for line in [
        en.tr_args("gui-bridge-card-number", &[("number", "123/QĐ-UBND")]),
        en.tr_args("gui-bridge-card-date", &[("date", "ngày 29 tháng 11 năm 2026")]),
        en.tr_args("gui-bridge-card-upload", &[("host", "upload.vpdt.so.gov.vn")]),
        en.tr_args("gui-bridge-card-certificate", &[("subject", "Văn thư Sở — Sở Nội vụ")]),
        format!(
            "• {}",
            en.tr_args("gui-bridge-queued-sign", &[("origin", "https://motcua.so.gov.vn"), ("endpoint", "SignIssued")])
        ),
    ] {
        assert!(ui.find(line.as_str()).is_ok(), "shown: {line:?}");
    }
    drop(ui);
    // The first is declined; the second comes up; switching off drops it
    // unanswered, which its thread takes as a refusal.
    assert_eq!(screen.update(Message::Decline), None);
    assert_eq!(first_answer.recv().unwrap(), None);
    let Some(Question::Confirm { card, .. }) = screen.current() else { panic!("the second is shown") };
    assert_eq!(card.origin, "https://motcua.so.gov.vn");
    config.bridge = false;
    screen.configure(&config);
    assert!(screen.current().is_none());
    assert!(second_answer.recv().is_err(), "dropped: the page is refused");
}

#[test]
fn the_clerks_card_shows_the_number_and_date_boxes_on_page_one() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("quyet-dinh.pdf");
    kyso_testkit::nd30::decision(&pdf, kyso_testkit::nd30::Layout::Deputy);
    let seal = dir.path().join("dau.png");
    std::fs::write(&seal, kyso_testkit::eoffice::png([200, 30, 30], true)).unwrap();
    let review = kyso_bridge::Review {
        origin: "https://vpdt.so.gov.vn",
        endpoint: kyso_bridge::Endpoint::SignIssued,
        source_host: "vpdt.so.gov.vn",
        upload_host: "vpdt.so.gov.vn",
        document: &pdf,
        role: Some(kyso_core::Role::Issuer),
        doc_number: Some("123"),
        issued_date: Some("ngày 29 tháng 11 năm 2026"),
        certificate: None,
        metadata: &[],
    };
    let card = super::Card::from_review(&review, &(None, Some(seal)));
    assert!(card.marks.contains(&super::Mark::Number), "{:?}", card.marks);
    assert!(card.marks.contains(&super::Mark::Date), "{:?}", card.marks);
    // The boxes are drawn on the picture in their colours.
    let Some(iced::widget::image::Handle::Rgba { pixels, .. }) = &card.preview else { panic!("a picture") };
    for mark in [super::Mark::Number, super::Mark::Date] {
        let [r, g, b] = mark.colour();
        assert!(pixels.chunks_exact(4).any(|p| p == [r, g, b, 0xff]), "{mark:?} drawn");
    }
    // A DOCX has no picture (nothing drawn, no boxes claimed).
    let docx = dir.path().join("a.docx");
    kyso_testkit::minimal_docx(&docx, "Công văn");
    let card = super::Card::from_review(&kyso_bridge::Review { document: &docx, ..review }, &(None, None));
    assert!(card.preview.is_none() && card.marks.is_empty());
}

#[test]
fn the_settings_switch_is_off_until_turned_on_and_kept() {
    use crate::screen::settings::{self, Settings};
    let vi = Translator::new(Lang::Vi);
    let dir = tempfile::tempdir().unwrap();
    assert!(!Config::default().bridge, "off until the person turns it on");
    let mut screen = Settings::new(Config::default(), dir.path());
    let mut ui = simulator(screen.view(&vi));
    let _ = ui.click(vi.tr("gui-settings-bridge").as_str()).unwrap();
    let messages: Vec<settings::Message> = ui.into_messages().collect();
    let events: Vec<settings::Event> = messages.into_iter().filter_map(|m| screen.update(m)).collect();
    let [settings::Event::Save(config)] = events.as_slice() else { panic!("kept at once: {events:?}") };
    assert!(config.bridge);
    // Written to and read from the settings file.
    let path = Config::path(dir.path());
    config.save(&path).unwrap();
    assert!(Config::load(&path).bridge);
    // The bridge screen follows: on, but nothing runs before the app's
    // subscription hands it its channel.
    let bridge = Bridge::new(dir.path(), config);
    assert!(bridge.enabled && bridge.address().is_none());
    assert!(simulator(bridge.view(&vi)).find(vi.tr("gui-bridge-off").as_str()).is_ok());
}

#[test]
fn a_page_without_a_file_lets_the_person_pick_one_on_this_machine() {
    let Some(fx) = kyso_testkit::fixture() else { return };
    let vi = Translator::new(Lang::Vi);
    let mut s = setup(fx);
    let origin = s.app.origin.clone();
    s.config.bridge_origins.push(origin.clone());
    s.screen.configure(&s.config);
    let mut frame = frame(&s);
    frame["FileName"] = json!("");
    let local = s.dir.path().join("to-trinh.pdf");
    kyso_testkit::minimal_pdf(&local, 2);

    // Picked: the card says the file is this machine's, then signed.
    let page = call_in_background(&s, "SignPDF", frame.clone());
    assert_eq!(next_question(&mut s), Some(Event::Attention));
    let mut ui = simulator(s.screen.view(&vi));
    assert!(ui.find(vi.tr_args("gui-bridge-pick-question", &[("origin", &origin)]).as_str()).is_ok());
    let _ = ui.click(vi.tr("gui-bridge-pick-browse").as_str()).unwrap();
    let messages: Vec<Message> = ui.into_messages().collect();
    assert_eq!(deliver(&mut s, messages), vec![Event::PickFile], "the app opens the file dialog");
    assert_eq!(s.screen.update(Message::FilePicked(Some(local.clone()))), None);
    assert_eq!(next_question(&mut s), Some(Event::Attention));
    {
        let mut ui = simulator(s.screen.view(&vi));
        assert!(ui.find(vi.tr("gui-bridge-card-source-local").as_str()).is_ok(), "the card names the local file");
        assert!(ui.find(vi.tr_args("gui-bridge-card-file", &[("name", "to-trinh.pdf")]).as_str()).is_ok());
    }
    s.screen.update(Message::Pin(super::Typed(zeroize::Zeroizing::new(kyso_testkit::pins::CANHAN.into()))));
    s.screen.update(Message::Sign);
    let reply = page.join().unwrap();
    assert_eq!(reply["Status"], 0, "{reply}");
    let uploads = s.app.uploads();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].file_name, "to-trinh.pdf");
    assert!(uploads[0].bytes.len() > std::fs::metadata(&local).unwrap().len() as usize, "the signed copy went up");

    // The dialog cancelled: the page is refused, nothing uploaded.
    let page = call_in_background(&s, "SignPDF", frame);
    assert_eq!(next_question(&mut s), Some(Event::Attention));
    assert_eq!(s.screen.update(Message::FilePicked(None)), None);
    let reply = page.join().unwrap();
    assert_ne!(reply["Status"], 0, "{reply}");
    assert_eq!(s.app.uploads().len(), 1);
}
