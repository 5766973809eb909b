//! `sign_batch` and `verify` with real components: the SoftHSM tokens and
//! the fixture PKI of kyso-testkit.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use kyso_core::{
    Credential, Decision, Destination, Error, Format, Indication, Level, Output, Progress, SignRequest, Target,
    VerifyOptions, sign_batch, verify,
};
use kyso_testkit::{Fixture, pins, require_fixture, tokens};
use kyso_token::Pin;

fn search(fx: &Fixture, pin: Option<&str>) -> Credential {
    Credential::Search {
        modules: vec![fx.module.clone()],
        token: Some(tokens::CANHAN.into()),
        certificate: Some("Nguyễn Văn A".into()),
        pin: pin.map(|p| Pin::new(p.to_owned())),
    }
}

/// A request that checks revocation against the fixture's CRLs only.
fn request(fx: &Fixture, files: Vec<Target>, data: &Path, pin: Option<&str>) -> SignRequest {
    let mut r = SignRequest::new(files, search(fx, pin), data);
    r.precheck.offline = true;
    for name in ["crl.pem", "root-crl.pem"] {
        let bytes = std::fs::read(fx.pki_file(name)).expect("fixture CRL");
        r.precheck.crls.push(kyso_pki::load_crl(&bytes).expect("a CRL"));
    }
    r
}

fn trust(fx: &Fixture) -> VerifyOptions {
    let load = |n: &str| kyso_pki::load_certificates(&std::fs::read(fx.pki_file(n)).expect("fixture file"));
    let mut opts = VerifyOptions { anchors: load("root.pem"), extra_certs: load("int.pem"), ..Default::default() };
    for name in ["crl.pem", "root-crl.pem"] {
        let bytes = std::fs::read(fx.pki_file(name)).expect("fixture CRL");
        opts.crls.push(kyso_pki::load_crl(&bytes).expect("a CRL"));
    }
    opts
}

fn journal_count(data: &Path) -> usize {
    let j = kyso_journal::Journal::open_in(data).expect("journal");
    j.search(&kyso_journal::Filter::default()).expect("search").len()
}

#[test]
fn a_pdf_and_a_docx_signed_in_one_batch_verify_as_total_passed() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let pdf = dir.path().join("cong-van.pdf");
    let docx = dir.path().join("to-trinh.docx");
    kyso_testkit::minimal_pdf(&pdf, 2);
    kyso_testkit::minimal_docx(&docx, "Tờ trình về việc ký số văn bản");
    let files = vec![Target::beside(&pdf), Target::beside(&docx)];
    let mut seen: Vec<String> = Vec::new();
    let cancel = AtomicBool::new(false);
    let batch = sign_batch(
        request(fx, files, &data, Some(pins::CANHAN)),
        &mut |p| {
            seen.push(match p {
                Progress::Checked { unchecked } => format!("checked {unchecked:?}"),
                Progress::Started(i) => format!("started {i}"),
                Progress::Placed { index, .. } => format!("placed {index}"),
                Progress::Finished { index, outcome } => format!("finished {index} {}", outcome.result.is_ok()),
                Progress::Journal(j) => format!("journal {j:?}"),
            })
        },
        &cancel,
    )
    .expect("batch");
    assert_eq!(seen, ["checked None", "started 0", "finished 0 true", "started 1", "finished 1 true"]);
    assert_eq!(batch.signer.subject_cn.as_deref(), Some("Nguyễn Văn A"));
    assert_eq!(batch.outcomes.len(), 2);
    let outputs: Vec<PathBuf> = batch
        .outcomes
        .iter()
        .map(|o| match &o.result {
            Ok(s) => match &s.output {
                Output::File(p) => p.clone(),
                Output::Memory(_) => panic!("a file was asked"),
            },
            Err(e) => panic!("{}: {e}", o.input.display()),
        })
        .collect();
    assert_eq!(outputs, [dir.path().join("cong-van.signed.pdf"), dir.path().join("to-trinh.signed.docx")]);
    let pdf_signed = batch.outcomes[0].result.as_ref().expect("signed");
    assert!(pdf_signed.field.is_some() && pdf_signed.byte_range.is_some());
    assert!(batch.outcomes[1].result.as_ref().expect("signed").field.is_none());

    // One pass over the PDF: the journal's SHA-256 of the input and of the
    // output come from the signing pass itself (the input's hash state
    // continued over the update), and equal a fresh read of each file.
    let j = kyso_journal::Journal::open_in(&data).expect("journal");
    let records = j.search(&kyso_journal::Filter::default()).expect("search");
    let pdf_entry = records
        .iter()
        .map(|r| &r.entry)
        .find(|e| e.action == "sign" && e.input_path.as_deref().is_some_and(|p| p.ends_with("cong-van.pdf")))
        .expect("the PDF signing is journaled");
    assert_eq!(pdf_entry.input_sha256, kyso_journal::file_sha256(&pdf));
    assert_eq!(pdf_entry.output_sha256, kyso_journal::file_sha256(&outputs[0]));
    assert!(pdf_signed.input_sha256.is_some() && pdf_signed.output_sha256.is_some());
    drop(j);

    // Verified through the same core, with the fixture's trust.
    let opts = VerifyOptions { journal: Some(data.clone()), ..trust(fx) };
    for (out, format) in outputs.iter().zip([Format::Pdf, Format::Office]) {
        let v = verify(out, &opts);
        assert_eq!(v.format, format);
        assert_eq!(v.report.indication, Indication::TotalPassed, "{}: {:?}", out.display(), v.report);
        assert_eq!(v.report.signatures.len(), 1);
        assert!(v.journal.is_empty(), "{:?}", v.journal);
    }
    // Two signings and two verifications journaled.
    assert_eq!(journal_count(&data), 4);
}

#[test]
fn cancel_stops_before_the_next_file_and_signs_nothing_more() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let inputs: Vec<PathBuf> = (1..=3).map(|i| dir.path().join(format!("vb{i}.pdf"))).collect();
    for p in &inputs {
        kyso_testkit::minimal_pdf(p, 1);
    }
    let cancel = AtomicBool::new(false);
    let mut started = Vec::new();
    let batch = sign_batch(
        request(fx, inputs.iter().map(Target::beside).collect(), &data, Some(pins::CANHAN)),
        &mut |p| {
            if let Progress::Finished { index, .. } = p {
                started.push(index);
                // The person presses Cancel while the first file is signed.
                cancel.store(true, Ordering::SeqCst);
            }
        },
        &cancel,
    )
    .expect("batch");
    assert!(batch.cancelled);
    assert_eq!(started, [0]);
    assert_eq!(batch.outcomes.len(), 1);
    assert!(dir.path().join("vb1.signed.pdf").is_file());
    assert!(!dir.path().join("vb2.signed.pdf").exists());
    assert!(!dir.path().join("vb3.signed.pdf").exists());
    assert_eq!(journal_count(&data), 1);
}

#[test]
fn confirmation_before_the_pin_gives_the_pin_or_declines() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let pdf = dir.path().join("quyet-dinh.pdf");
    kyso_testkit::minimal_pdf(&pdf, 1);
    let cancel = AtomicBool::new(false);

    // The web bridge: an origin and metadata, the PIN typed in the
    // confirmation, the signed copy answered in memory.
    let mut req = request(fx, vec![Target { input: pdf.clone(), output: Destination::Memory }], &data, None);
    req.origin = Some("https://vanban.bacninh.gov.vn".into());
    req.metadata = vec![("so_ky_hieu".into(), "123/QĐ-UBND".into())];
    let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = asked.clone();
    req.confirm = Some(Box::new(move |c| {
        let who = c.certificate.and_then(|i| i.subject_cn.clone()).unwrap_or_default();
        seen.lock().expect("lock").push((c.origin.map(str::to_owned), c.metadata.to_vec(), who, c.files.len()));
        Decision::ProceedWith(zeroize::Zeroizing::new(pins::CANHAN.to_owned()))
    }));
    let batch = sign_batch(req, &mut |_| {}, &cancel).expect("batch");
    assert_eq!(
        asked.lock().expect("lock").as_slice(),
        [(
            Some("https://vanban.bacninh.gov.vn".to_owned()),
            vec![("so_ky_hieu".to_owned(), "123/QĐ-UBND".to_owned())],
            "Nguyễn Văn A".to_owned(),
            1
        )]
    );
    let bytes = match &batch.outcomes[0].result.as_ref().expect("signed").output {
        Output::Memory(b) => b.clone(),
        Output::File(p) => panic!("memory was asked, got {}", p.display()),
    };
    assert!(bytes.starts_with(b"%PDF") && bytes.len() > std::fs::metadata(&pdf).expect("input").len() as usize);
    // Nothing was written beside the input.
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 2, "only the input and the data directory");
    let copy = dir.path().join("from-memory.pdf");
    std::fs::write(&copy, &bytes).expect("write");
    assert_eq!(verify(&copy, &trust(fx)).report.indication, Indication::TotalPassed);

    // Declined: no login, nothing signed, the refusal journaled.
    let mut req = request(fx, vec![Target::beside(&pdf)], &data, Some(pins::CANHAN));
    req.confirm = Some(Box::new(|_| Decision::Decline));
    let before = journal_count(&data);
    let err = sign_batch(req, &mut |_| {}, &cancel).expect_err("declined");
    assert!(matches!(err, Error::Declined), "{err:?}");
    assert_eq!(err.code(), "declined");
    assert!(!dir.path().join("quyet-dinh.signed.pdf").exists());
    assert_eq!(journal_count(&data), before + 1);
}

#[test]
fn office_refuses_pdf_only_settings_per_file_or_for_the_whole_batch() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let docx = dir.path().join("bao-cao.docx");
    let pdf = dir.path().join("bao-cao.pdf");
    kyso_testkit::minimal_docx(&docx, "Báo cáo");
    kyso_testkit::minimal_pdf(&pdf, 1);
    let cancel = AtomicBool::new(false);

    // Certification (DocMDP) is PDF's: the Office file fails, the PDF is
    // still signed.
    let mut req = request(fx, vec![Target::beside(&docx), Target::beside(&pdf)], &data, Some(pins::CANHAN));
    req.pdf.certify = Some(2);
    let batch = sign_batch(req, &mut |_| {}, &cancel).expect("batch");
    match &batch.outcomes[0].result {
        Err(Error::NotForOffice(kyso_core::PdfOnly::Certify)) => {}
        other => panic!("{other:?}"),
    }
    assert!(batch.outcomes[1].result.is_ok());

    // All or nothing (the desktop app): refused before any PIN is used.
    let other = dir.path().join("phu-luc.pdf");
    kyso_testkit::minimal_pdf(&other, 1);
    let mut req = request(fx, vec![Target::beside(&other), Target::beside(&docx)], &data, Some(pins::CANHAN));
    req.level = Level::LongTerm;
    req.all_or_nothing = true;
    let err = sign_batch(req, &mut |_| {}, &cancel).expect_err("refused");
    assert!(matches!(err, Error::LevelNotForOffice(Level::LongTerm)), "{err:?}");
    assert_eq!(err.code(), "option_not_for_ooxml");
    assert!(!dir.path().join("phu-luc.signed.pdf").exists());
}
