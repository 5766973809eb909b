//! Tests of the verification screen.

use super::*;
use kyso_i18n::Lang;
use kyso_pki::ChainStatus;
use kyso_pki::report::{ModificationLevel, WarningCode};

mod zone;

fn sig(field: &str, indication: Indication, sub: Option<SubIndication>) -> SignatureReport {
    SignatureReport {
        field: field.into(),
        kind: SignatureKind::Signature,
        subfilter: "ETSI.CAdES.detached".into(),
        signer: Some("Nguyễn Văn A".into()),
        organization: Some("UBND tỉnh Bắc Ninh".into()),
        signer_subject: Some("CN=Nguyễn Văn A".into()),
        issuer: Some("CA phục vụ các cơ quan Nhà nước".into()),
        serial: Some("01".into()),
        cert_not_before: Some("2025-01-01".into()),
        cert_not_after: Some("2028-01-01".into()),
        signing_time: Some("2026-11-22T08:00:00Z".into()),
        claimed_time: Some("2026-11-22T08:00:00Z".into()),
        timestamp: None,
        timestamp_trust: None,
        poe_time: None,
        integrity: if indication == Indication::TotalFailed { Integrity::Broken } else { Integrity::Intact },
        coverage: Coverage::WholeFile,
        modifications: Modifications::None,
        modification_details: vec![],
        modification_level: ModificationLevel::None,
        changes: vec![],
        visual_changes: vec![],
        chain: if indication == Indication::TotalPassed { ChainStatus::Valid } else { ChainStatus::NoChainFound },
        chain_path: vec![],
        revocation: Revocation::NotChecked,
        indication,
        sub_indication: sub,
        warnings: vec![
            WarningCode::RevocationNotChecked.into(),
            Warning::with(WarningCode::XrefDefect, "section 2: offset off by 3"),
        ],
        byte_range: vec![0, 10, 20, 30],
        certification: None,
        revision: Some([1, 2]),
    }
}

fn report() -> PdfReport {
    PdfReport {
        indication: Indication::TotalFailed,
        signatures: vec![
            sig("Sig1", Indication::TotalPassed, None),
            sig("Sig2", Indication::TotalFailed, Some(SubIndication::HashFailure)),
            sig("Sig3", Indication::Indeterminate, Some(SubIndication::NoCertificateChainFound)),
        ],
        unsigned_fields: vec!["Empty1".into()],
        error: None,
    }
}

#[test]
fn open_starts_a_check_and_only_the_latest_result_counts() {
    let mut v = Verify::default();
    assert_eq!(v.update(Message::Check), None, "nothing to check");
    assert!(matches!(v.outcome(), Some(Err(e)) if e.key == "gui-no-file"));
    // The file dialog: cancelled changes nothing; a pick is checked.
    assert_eq!(v.update(Message::Browse), Some(Event::PickFile));
    assert_eq!(v.update(Message::Picked(None)), None);
    let Some(Event::Verify(picked)) = v.update(Message::Picked(Some("picked.pdf".into()))) else { panic!() };
    assert_eq!(picked.path, PathBuf::from("picked.pdf"));

    let _ = v.update(Message::AnchorsChanged(" a.pem, ,b.pem ".into()));
    let Some(Event::Verify(first)) = v.update(Message::Open("one.pdf".into())) else { panic!("no request") };
    assert_eq!(first.path, PathBuf::from("one.pdf"));
    assert_eq!(first.anchors, vec![PathBuf::from("a.pem"), PathBuf::from("b.pem")]);
    assert!(v.is_running());
    let _ = v.update(Message::PathChanged("two.pdf".into()));
    let Some(Event::Verify(second)) = v.update(Message::Check) else { panic!("no request") };
    assert_ne!(first.id, second.id);

    // The stale result is dropped; the current one is shown.
    let _ = v.update(Message::Finished(first.id, Err(Text::new("gui-task-failed"))));
    assert!(v.is_running() && v.outcome().is_none());
    let _ = v.update(Message::Finished(second.id, Ok(Done { report: report(), journal: None, signed: Vec::new() })));
    assert!(!v.is_running());
    assert_eq!(v.overall(), Some(Indication::TotalFailed));
}

#[test]
fn cards_have_the_colour_of_their_verdict_and_follow_the_language() {
    let mut v = Verify::default();
    let Some(Event::Verify(req)) = v.update(Message::Open("x.pdf".into())) else { panic!("no request") };
    let _ = v.update(Message::Finished(req.id, Ok(Done { report: report(), journal: None, signed: Vec::new() })));

    let en = Translator::new(Lang::En);
    let cards = v.cards(&en);
    let tones: Vec<Tone> = cards.iter().map(|c| c.tone).collect();
    assert_eq!(tones, vec![Tone::Passed, Tone::Failed, Tone::Indeterminate]);
    assert_eq!(cards[0].verdict, "VALID");
    assert_eq!(cards[1].verdict, "INVALID — the signed content has been altered");
    assert!(cards[0].title.starts_with("Signature 1"));
    let integrity = |c: &Card| c.rows.iter().find(|r| r.label == "Integrity").cloned().expect("integrity row");
    assert!(!integrity(&cards[0]).alert);
    assert!(integrity(&cards[1]).alert && integrity(&cards[1]).value == en.tr("verify-integrity-broken"));
    assert!(cards[0].rows.iter().any(|r| r.label == "Validity" && r.value.contains("2028-01-01")));
    // Warnings are said by their code; the technical detail stays in the JSON.
    assert_eq!(cards[0].warnings, vec![en.tr("warn-revocation-not-checked"), en.tr("warn-xref-defect")]);

    let vi = Translator::new(Lang::Vi);
    let cards_vi = v.cards(&vi);
    assert_ne!(cards_vi[0].verdict, cards[0].verdict);
    assert_eq!(cards_vi[0].verdict, vi.tr("ind-total-passed"));
    assert_eq!(cards_vi[0].rows[0].label, vi.tr("verify-signer"));
    // The view builds in both languages.
    let _ = v.view(&en);
    let _ = v.view(&vi);
}

#[test]
fn reports_are_saved_as_html_and_json_beside_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("quyet-dinh.pdf");
    let mut v = Verify::default();
    assert!(v.update(Message::Export(ReportFormat::Html)).is_none(), "nothing to export yet");
    let Some(Event::Verify(req)) = v.update(Message::Open(file.clone())) else { panic!("no request") };
    let _ = v.update(Message::Finished(req.id, Ok(Done { report: report(), journal: None, signed: Vec::new() })));
    assert_eq!(v.update(Message::Export(ReportFormat::Html)), Some(Event::Export(ReportFormat::Html)));

    let vi = Translator::new(Lang::Vi);
    let (path, html) = v.report(ReportFormat::Html, &vi).unwrap();
    let html = String::from_utf8(html).unwrap();
    assert_eq!(path, dir.path().join("quyet-dinh.kyso-report.html"));
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("lang=\"vi\""));
    assert!(html.contains(&vi.tr("gui-report-title")) && html.contains("Nguyễn Văn A"));
    assert!(html.contains(&vi.tr("sub-hash-failure")) && html.contains("#c62828"), "the failed card is red");
    // The codes and UTC times stay in the technical lines of the report.
    assert!(html.contains("TOTAL_FAILED/HASH_FAILURE") && html.contains("signing_time 2026-11-22T08:00:00Z"));
    let (jpath, json) = v.report(ReportFormat::Json, &vi).unwrap();
    assert_eq!(jpath, dir.path().join("quyet-dinh.kyso-report.json"));
    let back: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!((back["format"].as_str(), back["indication"].as_str()), (Some("pdf"), Some("TOTAL_FAILED")));
    assert_eq!(back["signatures"].as_array().map(Vec::len), Some(3));

    let written = write_report(&path, html.as_bytes()).unwrap();
    assert_eq!(std::fs::read_to_string(&written).unwrap(), html);

    // The PDF report: A4 pages poppler reads back in Vietnamese.
    let (ppath, pdf) = v.report(ReportFormat::Pdf, &vi).unwrap();
    assert_eq!(ppath, dir.path().join("quyet-dinh.kyso-report.pdf"));
    assert!(pdf.starts_with(b"%PDF-1.7"));
    let written_pdf = write_report(&ppath, &pdf).unwrap();
    if let Ok(out) = std::process::Command::new("pdftotext").arg(&written_pdf).arg("-").output() {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(&vi.tr("gui-report-title")) && text.contains("Nguyễn Văn A"), "{text}");
        assert!(text.contains(&vi.tr("ind-total-failed")), "{text}");
    }
    let _ = v.update(Message::Exported(Ok(written)));
    let en = Translator::new(Lang::En);
    let (_, html_en) = v.report(ReportFormat::Html, &en).unwrap();
    let html_en = String::from_utf8(html_en).unwrap();
    assert!(html_en.contains("lang=\"en\"") && html_en.contains(&en.tr("gui-report-title")));
    let _ = v.view(&vi);
}

#[test]
fn simulator_shows_the_cards_and_saves_a_report() {
    use iced_test::simulator;
    let vi = Translator::new(Lang::Vi);
    let mut v = Verify::default();
    let Some(Event::Verify(req)) = v.update(Message::Open("hop-dong.pdf".into())) else { panic!("no request") };
    let _ = v.update(Message::Finished(req.id, Ok(Done { report: report(), journal: None, signed: Vec::new() })));
    let mut ui = simulator(v.view(&vi));
    assert!(ui.find("Nguyễn Văn A").is_ok());
    let overall = format!("{}: {}", vi.tr("verify-overall"), vi.tr("ind-total-failed"));
    assert!(ui.find(overall.as_str()).is_ok(), "the overall verdict banner");
    let _ = ui.click(vi.tr("gui-report-html").as_str()).unwrap();
    let messages: Vec<Message> = ui.into_messages().collect();
    assert!(matches!(messages.as_slice(), [Message::Export(ReportFormat::Html)]), "{messages:?}");
}

/// Every sub-indication the libraries can give (ETSI EN 319 102-1
/// §5.1.3), every change kind, known and unknown warnings, a file-level
/// error and "no signature": in Vietnamese, nothing on the screen is a
/// raw code, a UTC "…Z" time or an English sentence of a library.
#[test]
fn every_report_variant_reads_in_vietnamese() {
    // Every sub-indication the libraries can give.
    const SUBS: &[SubIndication] = SubIndication::ALL;
    let vi = Translator::new(Lang::Vi);
    let mut sigs = Vec::new();
    for (i, sub) in SUBS.iter().enumerate() {
        let mut s = sig(&format!("Chữ ký {i}"), Indication::TotalFailed, Some(*sub));
        s.signing_time = Some("2026-11-29T13:40:05Z".into());
        s.poe_time = Some("2026-11-29T13:41:00Z".into());
        s.timestamp = Some("2026-11-29T13:41:00Z".into());
        s.timestamp_trust = Some(TimestampTrust::Untrusted);
        s.cert_not_before = Some("2025-01-01T00:00:00Z".into());
        s.cert_not_after = Some("2028-01-01T00:00:00Z".into());
        s.integrity = if i % 2 == 0 { Integrity::Intact } else { Integrity::Broken };
        s.modifications = if i % 3 == 0 { Modifications::Disallowed } else { Modifications::Allowed };
        s.modification_details = vec!["object 11: stream content changed".into(), "/Count, /Kids changed".into()];
        s.warnings = vec![
            WarningCode::RevocationNotChecked.into(),
            Warning::with(WarningCode::SignatureTimestampUntrusted, "the TSA certificate has no path to an anchor"),
            Warning::with(WarningCode::XrefDefect, "section 2: offset off by 3"),
        ];
        s.changes = kyso_pdf::diff::KINDS
            .iter()
            .enumerate()
            .map(|(k, kind)| kyso_pki::report::Change {
                kind,
                page: Some(k % 3 + 1),
                rect: (k % 2 == 0).then_some([10.0, 20.0, 100.0, 40.0]),
                detail: "object 11: stream content changed".into(),
                allowed: k % 2 == 0,
            })
            .collect();
        sigs.push(s);
    }
    let mut v = Verify::default();
    let reports = [
        PdfReport { indication: Indication::TotalFailed, signatures: sigs, unsigned_fields: vec![], error: None },
        PdfReport::failed("no signature".into()),
        PdfReport::failed("/tmp/x.pdf: PDF syntax error: missing xref table".into()),
    ];
    let utc = |s: &str| s.as_bytes().windows(2).any(|w| w[0].is_ascii_digit() && w[1] == b'Z');
    let raw_code =
        |s: &str| s.split(|c: char| !(c.is_ascii_uppercase() || c == '_')).any(|w| w.len() > 3 && w.contains('_'));
    // An English sentence: four or more ASCII words of letters in a row.
    let english = |s: &str| {
        let mut run = 0;
        for w in s.split_whitespace() {
            let w = w.trim_matches(|c: char| c.is_ascii_punctuation());
            run = if !w.is_empty() && w.chars().all(|c| c.is_ascii_alphabetic()) { run + 1 } else { 0 };
            if run >= 4 {
                return true;
            }
        }
        false
    };
    for report in reports {
        let Some(Event::Verify(req)) = v.update(Message::Open("van-ban.pdf".into())) else { panic!() };
        let error = error_key(&report).map(|k| vi.tr(k));
        let _ = v.update(Message::Finished(req.id, Ok(Done { report, journal: None, signed: Vec::new() })));
        let mut shown: Vec<String> = error.into_iter().collect();
        for c in v.cards(&vi) {
            shown.push(c.verdict.clone());
            shown.extend(c.rows.iter().flat_map(|r| [r.label.clone(), r.value.clone()]));
            shown.extend(c.details.iter().cloned());
            shown.extend(c.warnings.iter().cloned());
        }
        for line in &shown {
            assert!(!utc(line), "a UTC time on screen: {line}");
            assert!(!raw_code(line), "a raw code on screen: {line}");
            assert!(!english(line), "English on the Vietnamese screen: {line}");
            assert!(!line.contains("stream content") && !line.contains("/Kids"), "{line}");
        }
        let _ = v.view(&vi);
    }
    // The unreadable file says so in Vietnamese.
    let failed = PdfReport::failed("/tmp/x.pdf: PDF syntax error".into());
    assert_eq!(error_key(&failed), Some("verify-error-unreadable"));
    assert_eq!(error_key(&PdfReport::failed("no signature".into())), None, "said by verify-no-signature");
    // Each sub-indication has its own words.
    let texts: std::collections::BTreeSet<String> = SUBS.iter().map(|c| c.localize(&vi)).collect();
    assert_eq!(texts.len(), SUBS.len());
    assert!(SUBS.iter().all(|c| vi.has(c.message().key)));
}

/// Intact bytes but a disallowed later change: the integrity line says
/// both, naming the change, instead of "intact" beside "INVALID".
#[test]
fn intact_but_changed_after_signing_is_said_as_such() {
    let vi = Translator::new(Lang::Vi);
    let mut s = sig("Sig1", Indication::TotalFailed, Some(SubIndication::ModifiedAfterSigning));
    s.integrity = Integrity::Intact;
    s.modifications = Modifications::Disallowed;
    s.changes = vec![
        kyso_pki::report::Change {
            kind: "signature_added",
            page: Some(1),
            rect: Some([300.0, 50.0, 200.0, 60.0]),
            detail: String::new(),
            allowed: true,
        },
        kyso_pki::report::Change {
            kind: "page_added",
            page: Some(3),
            rect: None,
            detail: "/Count, /Kids changed".into(),
            allowed: false,
        },
    ];
    let c = card(&vi, 0, &s);
    let row = c.rows.iter().find(|r| r.label == vi.tr("verify-integrity")).unwrap();
    assert!(row.alert);
    assert!(row.value.starts_with("Nội dung đã ký còn nguyên vẹn, nhưng tệp bị sửa sau khi ký"), "{}", row.value);
    assert!(row.value.contains(&vi.change("page_added", Some(3), None, false)), "{}", row.value);
    assert!(!row.value.contains(&vi.tr("change-signature-added")), "allowed changes are not blamed");
    assert_eq!(c.verdict, format!("{} — {}", vi.tr("ind-total-failed"), vi.tr("sub-modified-after-signing")));
    // Only allowed changes: intact, said plainly, no alert.
    s.changes.truncate(1);
    s.modifications = Modifications::Allowed;
    s.sub_indication = None;
    let c = card(&vi, 0, &s);
    let row = c.rows.iter().find(|r| r.label == vi.tr("verify-integrity")).unwrap();
    assert_eq!((row.value.as_str(), row.alert), (vi.tr("verify-integrity-intact-allowed").as_str(), false));
}

/// The desktop settings and kyso-core read the same key: a `Config`
/// saved with the shipped anchors off is read as off by the verifier.
#[test]
fn the_settings_file_switches_the_shipped_anchors() {
    let dir = tempfile::tempdir().unwrap();
    let path = crate::screen::settings::Config::path(dir.path());
    assert_eq!(path, kyso_core::settings_path(dir.path()));
    assert!(kyso_core::shipped_anchors_enabled(dir.path()));
    kyso_core::set_shipped_anchors_enabled(dir.path(), false).unwrap();
    assert!(!kyso_core::shipped_anchors_enabled(dir.path()));
    // The section shows each shipped certificate with its pin.
    let vi = Translator::new(Lang::Vi);
    let section: Element<'_, bool> = shipped_trust_section(&vi, false, |b| b);
    let mut ui = iced_test::simulator(section);
    for c in kyso_core::shipped_certificates() {
        assert!(ui.find(c.name).is_ok(), "{}", c.name);
        assert!(ui.find(vi.tr_args("gui-shipped-pin", &[("sha256", c.sha256)]).as_str()).is_ok());
    }
    let _ = ui.click(vi.tr("gui-shipped-toggle").as_str()).unwrap();
    assert_eq!(ui.into_messages().collect::<Vec<bool>>(), [true], "the switch turns them on");
}

/// `input` signed as VGCA's tools sign: the CMS carries the signer's
/// certificate alone. Through kyso-core, with a PKCS#12 file that holds
/// only the fixture signer's key and certificate (made by openssl, as
/// the fixture's own files are); the revocation pre-check gets the
/// intermediate and the CRLs. `None` when openssl is missing (a
/// failure under KYSO_REQUIRE_ORACLES=1).
fn sign_leaf_only(fx: &kyso_testkit::Fixture, input: &Path, dir: &Path) -> Option<PathBuf> {
    if !kyso_testkit::tool_or_skip("openssl", "a PKCS#12 file with the signer's certificate alone") {
        return None;
    }
    let p12 = dir.join("leaf-only.p12");
    let ok = std::process::Command::new("openssl")
        .args(["pkcs12", "-export", "-passout", "pass:kyso-p12", "-inkey"])
        .arg(fx.pki_file("canhan.key"))
        .arg("-in")
        .arg(fx.pki_file("canhan.pem"))
        .arg("-out")
        .arg(&p12)
        .status()
        .unwrap()
        .success();
    assert!(ok, "openssl pkcs12");
    let credential =
        kyso_core::Credential::Pkcs12 { path: p12, password: Some(zeroize::Zeroizing::new("kyso-p12".into())) };
    let mut r = kyso_core::SignRequest::new(vec![kyso_core::Target::beside(input)], credential, dir.join("signing"));
    r.precheck.offline = true;
    for name in ["crl.pem", "root-crl.pem"] {
        r.precheck.crls.push(kyso_pki::load_crl(&std::fs::read(fx.pki_file(name)).unwrap()).unwrap());
    }
    let int = kyso_pki::load_certificates(&std::fs::read(fx.pki_file("int.pem")).unwrap());
    r.precheck.certs.extend(int.into_iter().map(|c| c.cert));
    let batch = kyso_core::sign_batch(r, &mut |_| {}, &std::sync::atomic::AtomicBool::new(false)).unwrap();
    let out = batch.outcomes.into_iter().next().unwrap();
    assert!(out.result.is_ok(), "{:?}", out.result.err());
    out.output
}

/// Issue 18: a VGCA-style signature (the signer's certificate alone)
/// reads HỢP LỆ with nothing imported — the fixture root and
/// intermediate come in through the shipped-trust bundle, as the VGCA
/// roots do — with local times and no raw code; switched off in the
/// settings, it is not trusted and the screen says where to switch.
#[test]
fn a_vgca_style_signature_is_valid_with_no_imported_anchor() {
    let fx = kyso_testkit::require_fixture!();
    let Some(_revocation) = kyso_testkit::start_revocation_server(fx) else { return };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let input = dir.path().join("cong-van.pdf");
    kyso_testkit::minimal_pdf(&input, 1);
    let Some(signed) = sign_leaf_only(fx, &input, dir.path()) else { return };
    let load = |n: &str| kyso_pki::load_certificates(&std::fs::read(fx.pki_file(n)).unwrap());
    let bundle = kyso_core::TrustBundle { anchors: load("root.pem"), intermediates: load("int.pem") };

    let vi = Translator::new(Lang::Vi);
    let mut v = Verify::default();
    let Some(Event::Verify(req)) = v.update(Message::Open(signed.clone())) else { panic!("no request") };
    assert!(req.anchors.is_empty() && req.extra.is_empty(), "nothing given by the user");
    let done = run_with(&req, &data, true, None, bundle.clone());
    let _ = v.update(Message::Finished(req.id, done));
    assert_eq!(v.overall(), Some(Indication::TotalPassed), "{:#?}", v.cards(&vi));
    let card = v.cards(&vi).remove(0);
    assert_eq!(card.verdict, vi.tr("ind-total-passed"));
    let value = |key: &str| card.rows.iter().find(|r| r.label == vi.tr(key)).map(|r| r.value.clone());
    let when = value("verify-signing-time").unwrap();
    assert!(when.contains("(GMT") && !when.contains('Z') && when.contains('/'), "{when}");
    assert_eq!(value("verify-integrity"), Some(vi.tr("verify-integrity-intact-only")));
    assert!(value("verify-anchor").unwrap().contains("TEST"), "{:?}", value("verify-anchor"));
    let mut ui = iced_test::simulator(v.view(&vi));
    let overall = format!("{}: {}", vi.tr("verify-overall"), vi.tr("ind-total-passed"));
    assert!(ui.find(overall.as_str()).is_ok(), "the overall verdict");
    assert!(ui.find(when.as_str()).is_ok(), "the local signing time");
    drop(ui);

    // The signature carries no intermediate: without the bundled one,
    // the root alone reaches nothing.
    let root_only = kyso_core::TrustBundle { intermediates: Vec::new(), ..bundle.clone() };
    let alone = run_with(&req, &data, true, None, root_only).unwrap();
    assert_eq!(alone.report.signatures[0].sub_indication, Some(SubIndication::NoCertificateChainFound));

    // Switched off in the settings: no trusted path, and a hint.
    kyso_core::set_shipped_anchors_enabled(&data, false).unwrap();
    let Some(Event::Verify(req)) = v.update(Message::Check) else { panic!("no request") };
    let _ = v.update(Message::Finished(req.id, run_with(&req, &data, true, None, bundle)));
    assert_eq!(v.overall(), Some(Indication::Indeterminate));
    let card = v.cards(&vi).remove(0);
    assert_eq!(card.verdict, format!("{} — {}", vi.tr("ind-indeterminate"), vi.tr("sub-no-certificate-chain-found")));
    assert!(card.warnings.contains(&vi.tr("verify-signer-untrusted-hint")));
}

/// A simulator tall enough that the card and the pages need no
/// scrolling.
fn tall(e: Element<'_, Message>) -> iced_test::Simulator<'_, Message> {
    iced_test::Simulator::with_size(iced::Settings::default(), iced::Size::new(1400.0, 4000.0), e)
}

/// Issue 21: "Xem bản đã ký" shows the page as signed beside the page
/// now, with the content replaced after signing outlined as not
/// explained, and switches to the overlaid view with its slider.
#[test]
fn the_signed_version_view_shows_a_replaced_page() {
    use kyso_pdf::object::{Dict, Object, StreamData};
    let fx = kyso_testkit::require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let (input, tampered) = (dir.path().join("a.pdf"), dir.path().join("a.changed.pdf"));
    kyso_testkit::minimal_pdf(&input, 2);
    let Some(signed) = sign_leaf_only(fx, &input, dir.path()) else { return };
    // Page 2's text replaced in a later revision (ISO 32000-2 §7.5.6).
    let reader = kyso_pdf::PdfReader::open(&signed).unwrap();
    let page = reader.pages().unwrap()[1];
    let mut dict = reader.get(page).unwrap().as_dict().unwrap().clone();
    let next = reader.next_object_number();
    let text_now = b"BT /F1 24 Tf 72 720 Td (Trang 2: chi 900 trieu dong) Tj ET".to_vec();
    dict.set("Contents", Object::Ref(next, 0));
    let mut up = kyso_pdf::IncrementalUpdate::new(&reader, false);
    up.write(next, &Object::Stream(Dict::new(), StreamData::Bytes(text_now)));
    up.write(page, &Object::Dict(dict));
    let mut bytes = std::fs::read(&signed).unwrap();
    bytes.extend_from_slice(&up.finish(&reader));
    std::fs::write(&tampered, bytes).unwrap();

    let data = dir.path().join("data");
    let mut v = Verify::default();
    let Some(Event::Verify(req)) = v.update(Message::Open(tampered)) else { panic!("no request") };
    let done = run_with(&req, &data, false, None, kyso_core::TrustBundle::default()).unwrap();
    let view = &done.signed[0];
    assert_eq!(view.pages.iter().map(|p| p.page).collect::<Vec<_>>(), [2], "the changed page");
    let pair = &view.pages[0];
    let (before, after) = (pair.before.as_ref().unwrap(), pair.after.as_ref().unwrap());
    assert!(after.regions.iter().any(|(r, explained)| !explained && r.2 > 10.0 && r.3 > 5.0), "{:?}", after.regions);
    assert_eq!(before.size, after.size);
    assert_eq!(done.report.indication, Indication::TotalFailed, "a visible change fails the signature");
    let _ = v.update(Message::Finished(req.id, Ok(done)));

    // The saved HTML report shows the changed page, as signed and now,
    // as PNG pictures with the region outlined in red.
    let vi = Translator::new(Lang::Vi);
    let (_, html) = v.report(ReportFormat::Html, &vi).unwrap();
    let html = String::from_utf8(html).unwrap();
    assert_eq!(html.matches("data:image/png;base64,").count(), 2, "before and after of page 2");
    let png_at = html.find("data:image/png;base64,").unwrap() + "data:image/png;base64,".len();
    assert!(html[png_at..].starts_with("iVBORw0KGgo"), "a PNG signature");
    let mut ui = tall(v.view(&vi));
    let _ = ui.click(vi.tr("gui-signed-view-open").as_str()).unwrap();
    let messages: Vec<Message> = ui.into_messages().collect();
    assert!(matches!(messages.as_slice(), [Message::SignedView(Some(0))]), "{messages:?}");
    for m in messages {
        let _ = v.update(m);
    }
    let mut ui = tall(v.view(&vi));
    for key in ["gui-signed-view-before", "gui-signed-view-after", "gui-signed-view-changed", "gui-signed-view-close"] {
        assert!(ui.find(vi.tr(key).as_str()).is_ok(), "{key}");
    }
    assert!(ui.find(vi.tr_args("gui-signed-view-page", &[("page", "2")]).as_str()).is_ok());
    let _ = ui.click(vi.tr("gui-signed-view-overlay").as_str()).unwrap();
    let messages: Vec<Message> = ui.into_messages().collect();
    assert!(matches!(messages.as_slice(), [Message::SignedMode(SignedMode::Overlay)]), "{messages:?}");
    for m in messages {
        let _ = v.update(m);
    }
    let _ = v.update(Message::SignedBlend(0.3));
    let mut ui = tall(v.view(&vi));
    assert!(ui.find(vi.tr("gui-signed-view-before").as_str()).is_ok(), "the slider's ends are labelled");
    drop(ui);
    // A new result closes the view.
    let Some(Event::Verify(req)) = v.update(Message::Check) else { panic!() };
    let _ = v.update(Message::Finished(req.id, Err(Text::new("gui-task-failed"))));
    assert_eq!(v.signed_open, None);
}

/// Issue 18: a second file's result does not keep the first one's
/// scroll offset. iced rebuilds a widget's state when the state type at
/// its place changes; each new result changes it.
#[test]
fn each_new_result_starts_scrolled_to_the_top() {
    use iced_runtime::core::widget::Tree;
    let vi = Translator::new(Lang::Vi);
    let mut v = Verify::default();
    let show = |v: &mut Verify| {
        let Some(Event::Verify(req)) = v.update(Message::Open("x.pdf".into())) else { panic!() };
        let _ = v.update(Message::Finished(req.id, Ok(Done { report: report(), journal: None, signed: Vec::new() })));
    };
    show(&mut v);
    let first = v.view(&vi);
    let mut tree = Tree::new(first.as_widget());
    let before = tree.children[2].tag;
    drop(first);
    // The same result redrawn (scrolling, hovering): the state stays.
    let again = v.view(&vi);
    tree.diff(again.as_widget());
    assert_eq!(tree.children[2].tag, before);
    drop(again);
    show(&mut v);
    let second = v.view(&vi);
    tree.diff(second.as_widget());
    assert_ne!(tree.children[2].tag, before, "a new result: a new scroll state");
    drop(second);
    show(&mut v);
    let third = v.view(&vi);
    tree.diff(third.as_widget());
    assert_eq!(tree.children[2].tag, before, "alternating, and new again");
}

#[test]
fn base64_is_rfc_4648() {
    // RFC 4648 §10 test vectors.
    for (plain, coded) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(base64(plain.as_bytes()), coded);
    }
}

/// An anchor typed in for one check that carries a pinned Vietnamese
/// root's name without being it is refused, as the trust store does.
#[test]
fn an_anchor_named_like_a_pinned_root_is_refused() {
    if !kyso_testkit::tool_or_skip("openssl", "a self-signed certificate named like RootCA G2") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (fake, pdf) = (kyso_testkit::impostor_root_g2(dir.path()), dir.path().join("x.pdf"));
    kyso_testkit::minimal_pdf(&pdf, 1);
    let req = Request { id: 1, path: pdf, anchors: vec![fake], extra: vec![] };
    let err = run_with(&req, &dir.path().join("data"), false, None, kyso_core::TrustBundle::shipped()).unwrap_err();
    assert_eq!(err.key, "trust-pin-mismatch");
    assert!(err.render(&Translator::new(Lang::Vi)).contains("không khớp"));
}
