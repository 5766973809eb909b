//! The check before the PIN (`kyso_core::precheck`) with real components:
//! the fixture PKI's personal and organisation certificates on SoftHSM,
//! the loopback TSA and revocation services of kyso-testkit, and closed
//! ports for the failure cases. The PIN is given only through the
//! confirmation callback, which counts its calls: a refusal that comes
//! before it never used the PIN.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use kyso_core::{
    CertKind, Credential, Decision, Destination, Error, Finding, Indication, Level, Look, OnExists, Output,
    RequiredImage, Role, Severity, SignRequest, Target, VerifyOptions, precheck, sign_batch, verify,
};
use kyso_testkit::{Fixture, pins, require_fixture, tokens};
use kyso_token::CertEntry;

/// The certificate `cert` on the token `token`, found without a PIN.
fn entry(fx: &Fixture, token: &str, cert: &str) -> CertEntry {
    kyso_core::find_certificate(std::slice::from_ref(&fx.module), Some(token), Some(cert))
        .expect("fixture certificate")
        .0
}

/// A request signing `files` with `entry` (no PIN in it), checking
/// revocation against the fixture's CRLs only; the PIN comes from the
/// confirmation, counted in `asked`.
fn request(fx: &Fixture, files: Vec<Target>, data: &Path, entry: CertEntry, pin: &'static str) -> SignRequest {
    let mut r = SignRequest::new(files, Credential::Token { entry: Box::new(entry), pin: None }, data);
    r.precheck.offline = true;
    for name in ["crl.pem", "root-crl.pem"] {
        let bytes = std::fs::read(fx.pki_file(name)).expect("fixture CRL");
        r.precheck.crls.push(kyso_pki::load_crl(&bytes).expect("a CRL"));
    }
    r.confirm = Some(Box::new(move |_| Decision::ProceedWith(zeroize::Zeroizing::new(pin.to_owned()))));
    r
}

/// Counts the confirmations (the only way the PIN reaches the signing).
fn count_pin_use(r: &mut SignRequest, pin: &'static str) -> Arc<AtomicUsize> {
    let asked = Arc::new(AtomicUsize::new(0));
    let seen = asked.clone();
    r.confirm = Some(Box::new(move |_| {
        seen.fetch_add(1, Ordering::SeqCst);
        Decision::ProceedWith(zeroize::Zeroizing::new(pin.to_owned()))
    }));
    asked
}

/// A PNG with transparency: a blue stroke (signature) or a red disc (seal).
fn png(path: &Path, color: [u8; 3]) -> PathBuf {
    let (w, h) = (120u32, 120u32);
    let mut data = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let (dx, dy) = (f64::from(x) - 60.0, f64::from(y) - 60.0);
            let on = (dx * dx + dy * dy).sqrt() < 50.0;
            data.extend_from_slice(&[color[0], color[1], color[2], if on { 255 } else { 0 }]);
        }
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        enc.write_header().expect("header").write_image_data(&data).expect("image");
    }
    std::fs::write(path, out).expect("write PNG");
    path.to_owned()
}

fn approver_look(image: Option<PathBuf>) -> Look {
    Look { role: Some(Role::Approver), image, rect: Some([350.0, 150.0, 500.0, 220.0]), ..Default::default() }
}

fn role_mismatch(findings: &[Finding]) -> Option<(Role, CertKind, CertKind, bool)> {
    findings.iter().find_map(|f| match f {
        Finding::RoleMismatch { role, needed, found, allowed, .. } => Some((*role, *needed, *found, *allowed)),
        _ => None,
    })
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

/// The `precheck` column of the journal's signing entries.
fn journaled_prechecks(data: &Path) -> Vec<String> {
    let j = kyso_journal::Journal::open_in(data).expect("journal");
    j.search(&kyso_journal::Filter::default())
        .expect("search")
        .into_iter()
        .filter(|r| r.entry.action == "sign")
        .filter_map(|r| r.entry.precheck)
        .collect()
}

#[test]
fn the_certificate_kind_must_fit_the_role_before_the_pin() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let pdf = dir.path().join("quyet-dinh.pdf");
    kyso_testkit::minimal_pdf(&pdf, 1);
    let seal = png(&dir.path().join("con-dau.png"), [220, 0, 0]);
    let signature = png(&dir.path().join("chu-ky.png"), [0, 0, 200]);
    let canhan = || entry(fx, tokens::CANHAN, "Nguyễn Văn A");
    let tochuc = || entry(fx, tokens::TOCHUC, "Sở Thông tin");
    let never = AtomicBool::new(false);

    // The clerk's role with a person's certificate: refused, before the
    // PIN, with the kinds named.
    let mut r = request(fx, vec![Target::beside(&pdf)], &data, canhan(), pins::CANHAN);
    r.look = Look { role: Some(Role::Issuer), seal: Some(seal.clone()), ..Default::default() };
    let pre = precheck(&r);
    assert_eq!(role_mismatch(&pre.findings), Some((Role::Issuer, CertKind::Organization, CertKind::Personal, false)));
    assert!(pre.blocked(), "{:?}", pre.findings);
    assert_eq!(pre.kind.as_ref().map(|k| k.kind), Some(CertKind::Personal));
    let asked = count_pin_use(&mut r, pins::CANHAN);
    let err = sign_batch(r, &mut |_| {}, &never).expect_err("refused");
    assert!(matches!(err, Error::RoleMismatch { role: Role::Issuer, .. }), "{err:?}");
    assert_eq!(err.code(), "role_mismatch");
    assert_eq!(asked.load(Ordering::SeqCst), 0, "the PIN was asked for");
    assert!(!dir.path().join("quyet-dinh.signed.pdf").exists());

    // The kind as a front end lists it.
    assert_eq!(kyso_core::certificate_kind(&canhan()).kind, CertKind::Personal);
    assert_eq!(kyso_core::certificate_kind(&tochuc()).kind, CertKind::Organization);

    // A PKCS#12 file's certificate is known once its password opened it:
    // refused then, before any file is signed.
    let p12 = kyso_core::Credential::Pkcs12 {
        path: fx.pki_file("canhan.p12"),
        password: Some(zeroize::Zeroizing::new(pins::P12.to_owned())),
    };
    let mut r = request(fx, vec![Target::beside(&pdf)], &data, canhan(), pins::CANHAN);
    r.credential = p12;
    r.confirm = None;
    r.look = Look { role: Some(Role::Issuer), seal: Some(seal.clone()), ..Default::default() };
    let pre = precheck(&r);
    assert!(pre.certificate.is_none() && role_mismatch(&pre.findings).is_none(), "{:?}", pre.findings);
    let mut finished = 0;
    let err =
        sign_batch(r, &mut |p| finished += usize::from(matches!(p, kyso_core::Progress::Finished { .. })), &never)
            .expect_err("refused");
    assert!(matches!(err, Error::RoleMismatch { role: Role::Issuer, .. }), "{err:?}");
    assert_eq!(finished, 0);
    assert!(!dir.path().join("quyet-dinh.signed.pdf").exists());

    // A copy and an appendix are the organisation's too.
    for role in [Role::Copy, Role::Appendix] {
        let mut r = request(fx, vec![Target::beside(&pdf)], &data, canhan(), pins::CANHAN);
        r.look = Look { role: Some(role), ..Default::default() };
        assert_eq!(
            role_mismatch(&precheck(&r).findings),
            Some((role, CertKind::Organization, CertKind::Personal, false))
        );
    }

    // The approver's role with the organisation's certificate: refused.
    let mut r = request(fx, vec![Target::beside(&pdf)], &data, tochuc(), pins::TOCHUC);
    r.look = approver_look(Some(signature.clone()));
    assert_eq!(
        role_mismatch(&precheck(&r).findings),
        Some((Role::Approver, CertKind::Personal, CertKind::Organization, false))
    );
    // The organisation's certificate fits the appendix.
    let mut r = request(fx, vec![Target::beside(&pdf)], &data, tochuc(), pins::TOCHUC);
    r.look = Look { role: Some(Role::Appendix), number: Some("Số: 45/PL-UBND".into()), ..Default::default() };
    let pre = precheck(&r);
    assert_eq!(role_mismatch(&pre.findings), None);
    assert!(!pre.blocked(), "{:?}", pre.findings);

    // Allowed on purpose (the command line's override): shown, signed,
    // journaled with the kinds.
    let mut r = request(fx, vec![Target::beside(&pdf)], &data, tochuc(), pins::TOCHUC);
    r.look = approver_look(Some(signature.clone()));
    r.allow_role_mismatch = true;
    let pre = precheck(&r);
    assert_eq!(role_mismatch(&pre.findings), Some((Role::Approver, CertKind::Personal, CertKind::Organization, true)));
    assert_eq!(pre.worst(), Some(Severity::Info), "{:?}", pre.findings);
    let batch = sign_batch(r, &mut |_| {}, &never).expect("signed");
    assert!(batch.outcomes[0].result.is_ok(), "{:?}", batch.outcomes[0].result);
    let prechecks = journaled_prechecks(&data);
    assert!(
        prechecks
            .iter()
            .any(|p| p.contains("role_mismatch_allowed(role=approver, needed=personal, certificate=organization)")),
        "{prechecks:?}"
    );

    // A certificate whose kind cannot be told: a warning, signing goes on
    // and the journal says so.
    let out = dir.path().join("unknown-kind.pdf");
    let mut r =
        request(fx, vec![Target::to(&pdf, &out)], &data, entry(fx, tokens::CANHAN, "Trần Thị Bích"), pins::CANHAN);
    r.look = approver_look(Some(signature));
    let pre = precheck(&r);
    assert!(
        pre.findings.iter().any(|f| matches!(f, Finding::CertificateKindUnknown { role: Role::Approver, .. })),
        "{:?}",
        pre.findings
    );
    assert!(!pre.blocked());
    let batch = sign_batch(r, &mut |_| {}, &never).expect("signed");
    assert!(batch.outcomes[0].result.is_ok(), "{:?}", batch.outcomes[0].result);
    assert!(journaled_prechecks(&data).iter().any(|p| p.contains("certificate_kind_unknown(role=approver)")));
}

#[test]
fn images_and_formats_are_checked_before_the_pin() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let pdf = dir.path().join("to-trinh.pdf");
    let docx = dir.path().join("to-trinh.docx");
    kyso_testkit::minimal_pdf(&pdf, 1);
    kyso_testkit::minimal_docx(&docx, "Tờ trình");
    let never = AtomicBool::new(false);

    // The approver without the signature image.
    let mut r = request(fx, vec![Target::beside(&pdf)], &data, entry(fx, tokens::CANHAN, "Nguyễn Văn A"), pins::CANHAN);
    r.look = approver_look(None);
    r.all_or_nothing = true;
    let pre = precheck(&r);
    let images: Vec<_> = pre
        .findings
        .iter()
        .filter_map(|f| match f {
            Finding::ImageRequired { role, image } => Some((*role, *image)),
            _ => None,
        })
        .collect();
    assert_eq!(images, [(Role::Approver, RequiredImage::Signature)]);
    // Said once, not again as a failed placement.
    assert!(!pre.findings.iter().any(|f| matches!(f, Finding::File { .. })), "{:?}", pre.findings);
    assert!(pre.blocked());
    let asked = count_pin_use(&mut r, pins::CANHAN);
    assert!(sign_batch(r, &mut |_| {}, &never).is_err());
    assert_eq!(asked.load(Ordering::SeqCst), 0);

    // The clerk without the seal.
    let mut r = request(fx, vec![Target::beside(&pdf)], &data, entry(fx, tokens::TOCHUC, "Sở"), pins::TOCHUC);
    r.look = Look { role: Some(Role::Issuer), ..Default::default() };
    assert!(
        precheck(&r)
            .findings
            .iter()
            .any(|f| matches!(f, Finding::ImageRequired { role: Role::Issuer, image: RequiredImage::Seal }))
    );

    // A DOCX keeps no PDF-only role, and no PAdES-only level.
    let mut r =
        request(fx, vec![Target::beside(&docx)], &data, entry(fx, tokens::CANHAN, "Nguyễn Văn A"), pins::CANHAN);
    r.look = approver_look(Some(png(&dir.path().join("ky.png"), [0, 0, 200])));
    let pre = precheck(&r);
    assert!(
        pre.findings.iter().any(|f| matches!(f, Finding::NotForOffice { file: 0, what: kyso_core::PdfOnly::Role })),
        "{:?}",
        pre.findings
    );
    // No image is asked of a file that cannot show one.
    assert!(!pre.findings.iter().any(|f| matches!(f, Finding::ImageRequired { .. })));
    let mut r =
        request(fx, vec![Target::beside(&docx)], &data, entry(fx, tokens::CANHAN, "Nguyễn Văn A"), pins::CANHAN);
    r.level = Level::LongTerm;
    r.precheck.offline = true;
    assert!(
        precheck(&r).findings.iter().any(|f| matches!(f, Finding::LevelNotForOffice { level: Level::LongTerm, .. }))
    );
}

#[test]
fn documents_the_pdf_signing_would_refuse_are_told_before_the_pin() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let code_of = |input: &Path| {
        let r = request(
            fx,
            vec![Target::to(input, dir.path().join("out.pdf"))],
            &data,
            entry(fx, tokens::CANHAN, "Nguyễn Văn A"),
            pins::CANHAN,
        );
        let pre = precheck(&r);
        assert!(pre.blocked(), "{:?}", pre.findings);
        pre.findings.iter().find(|f| f.severity() == Severity::Blocker).map(Finding::code)
    };
    // Certified with no changes allowed (DocMDP P=1, from the EU DSS corpus).
    if let Some(shared) = kyso_testkit::shared_or_skip("the certified-document case") {
        let certified = shared.join("corpus/pdf/dss-2554_certified-no-change-permitted.pdf");
        assert_eq!(code_of(&certified), Some("docmdp_forbids"));
    }
    // Encrypted by qpdf.
    if kyso_testkit::tool_or_skip("qpdf", "the encrypted-document case") {
        let plain = dir.path().join("plain.pdf");
        kyso_testkit::minimal_pdf(&plain, 1);
        let locked = dir.path().join("locked.pdf");
        let (ok, text) = kyso_testkit::run(
            std::process::Command::new("qpdf").args(["--encrypt", "", "owner", "256", "--"]).arg(&plain).arg(&locked),
        );
        assert!(ok, "{text}");
        assert_eq!(code_of(&locked), Some("encrypted"));
    }
}

/// The mode bits a new file of this process gets (0666 less the umask).
#[cfg(unix)]
fn normal_mode(dir: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    let probe = dir.join("probe-mode");
    std::fs::write(&probe, b"").expect("probe");
    let mode = std::fs::metadata(&probe).expect("probe").permissions().mode() & 0o777;
    std::fs::remove_file(&probe).expect("remove probe");
    mode
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).expect("file").permissions().mode() & 0o777
}

#[test]
fn outputs_are_named_before_the_pin_and_get_the_users_permissions() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let pdf = dir.path().join("qd.pdf");
    kyso_testkit::minimal_pdf(&pdf, 1);
    let signed = dir.path().join("qd.signed.pdf");
    let canhan = || entry(fx, tokens::CANHAN, "Nguyễn Văn A");
    let never = AtomicBool::new(false);
    let output_of = |b: &kyso_core::Batch| match &b.outcomes[0].result {
        Ok(s) => match &s.output {
            Output::File(p) => p.clone(),
            Output::Memory(_) => panic!("a file was asked"),
        },
        Err(e) => panic!("{e}"),
    };

    // First signature: NAME.signed.pdf, nothing to report.
    let r = request(fx, vec![Target::beside(&pdf)], &data, canhan(), pins::CANHAN);
    let pre = precheck(&r);
    assert!(!pre.findings.iter().any(|f| f.file().is_some()), "{:?}", pre.findings);
    let batch = sign_batch(r, &mut |_| {}, &never).expect("batch");
    assert_eq!(output_of(&batch), signed);
    // Not the temporary file's 0600: what any new file of the user gets.
    #[cfg(unix)]
    assert_eq!(mode(&signed), normal_mode(dir.path()));

    // The signed copy signed again: under its own name, through a
    // temporary file; its permissions are kept.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&signed, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    }
    // Named explicitly as its own output (as a front end showing the name
    // does): the same.
    let r = request(fx, vec![Target::to(&signed, &signed)], &data, canhan(), pins::CANHAN);
    assert!(precheck(&r).findings.iter().any(|f| matches!(f, Finding::SignedInPlace { file: 0, .. })));
    // Any other file named as its own output stays refused.
    let r = request(fx, vec![Target::to(&pdf, &pdf)], &data, canhan(), pins::CANHAN);
    assert!(precheck(&r).findings.iter().any(|f| matches!(f, Finding::File { error: Error::SameFile, .. })));
    let r = request(fx, vec![Target::beside(&signed)], &data, entry(fx, tokens::CANHAN, "Lê Văn Cường"), pins::CANHAN);
    let pre = precheck(&r);
    assert!(pre.findings.iter().any(|f| matches!(f, Finding::SignedInPlace { file: 0, path } if *path == signed)));
    assert!(!pre.blocked());
    let batch = sign_batch(r, &mut |_| {}, &never).expect("batch");
    assert_eq!(output_of(&batch), signed);
    assert!(!dir.path().join("qd.signed.signed.pdf").exists());
    #[cfg(unix)]
    assert_eq!(mode(&signed), 0o640);
    let v = verify(&signed, &trust(fx));
    assert_eq!(v.report.signatures.len(), 2);
    assert_eq!(v.report.indication, Indication::TotalPassed, "{:?}", v.report);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".kyso"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");

    // The original signed again: its copy exists. Ask (the default):
    // confirmation needed, with the free numbered name offered.
    let r = request(fx, vec![Target::beside(&pdf)], &data, canhan(), pins::CANHAN);
    let pre = precheck(&r);
    let numbered = dir.path().join("qd.signed (2).pdf");
    assert!(
        pre.findings.iter().any(|f| matches!(f, Finding::OutputExists { file: 0, path, numbered: n }
            if *path == signed && *n == numbered)),
        "{:?}",
        pre.findings
    );
    assert_eq!(pre.worst(), Some(Severity::Confirm));
    let batch = sign_batch(r, &mut |_| {}, &never).expect("batch");
    assert!(matches!(batch.outcomes[0].result, Err(Error::OutputExists(_))));
    // Number the copy.
    let mut r = request(fx, vec![Target::beside(&pdf)], &data, canhan(), pins::CANHAN);
    r.on_exists = OnExists::Number;
    let pre = precheck(&r);
    assert!(
        pre.findings
            .iter()
            .any(|f| matches!(f, Finding::OutputNumbered { taken, path, .. } if *taken == signed && *path == numbered))
    );
    assert_eq!(output_of(&sign_batch(r, &mut |_| {}, &never).expect("batch")), numbered);
    assert_eq!(verify(&numbered, &trust(fx)).report.signatures.len(), 1);
    // Overwrite.
    let mut r = request(fx, vec![Target::to(&pdf, &numbered)], &data, canhan(), pins::CANHAN);
    r.on_exists = OnExists::Overwrite;
    assert!(
        precheck(&r).findings.iter().any(|f| matches!(f, Finding::OutputReplaced { path, .. } if *path == numbered))
    );

    // A folder that cannot be written.
    let r = request(fx, vec![Target::to(&pdf, dir.path().join("khong-co/qd.pdf"))], &data, canhan(), pins::CANHAN);
    let pre = precheck(&r);
    assert!(pre.findings.iter().any(|f| matches!(f, Finding::OutputNotWritable { file: 0, .. })), "{:?}", pre.findings);
    assert!(pre.blocked());

    // In memory: nothing on disk to decide.
    let r =
        request(fx, vec![Target { input: pdf.clone(), output: Destination::Memory }], &data, canhan(), pins::CANHAN);
    assert!(!precheck(&r).findings.iter().any(|f| f.file().is_some()));
}

/// A loopback URL nobody listens on.
fn closed_port_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    drop(l);
    format!("http://127.0.0.1:{port}/")
}

#[test]
fn revocation_and_the_timestamp_server_are_asked_before_the_pin() {
    use std::sync::atomic::Ordering::SeqCst;
    let fx = require_fixture!();
    let Some(server) = kyso_testkit::start_revocation_server(fx) else { return };
    let tsa = kyso_testkit::start_tsa(fx);
    let dir = tempfile::tempdir().expect("tempdir");
    let pdf = dir.path().join("qd.pdf");
    kyso_testkit::minimal_pdf(&pdf, 1);
    let never = AtomicBool::new(false);
    // Online: revocation from the responder the certificate names, the
    // issuer from the token; B-T probes the TSA.
    let online = |data: &Path, cert: &str, tsa_url: &str| {
        let target = Target { input: pdf.clone(), output: Destination::Memory };
        let mut r = request(fx, vec![target], data, entry(fx, tokens::CANHAN, cert), pins::CANHAN);
        r.precheck.offline = false;
        r.precheck.crls.clear();
        r.level = Level::Timestamped;
        r.tsa.url = tsa_url.to_owned();
        r
    };

    server.ocsp_on.store(true, SeqCst);
    server.crl_on.store(true, SeqCst);
    let data = dir.path().join("data");
    let r = online(&data, "Nguyễn Văn A", &tsa.url);
    let before = server.ocsp_hits.load(SeqCst);
    let pre = precheck(&r);
    assert!(!pre.blocked() && pre.worst() == Some(Severity::Info), "{:?}", pre.findings);
    assert!(
        pre.findings.iter().any(|f| matches!(f, Finding::RevocationChecked { evidence } if evidence.contains("ocsp"))),
        "{:?}",
        pre.findings
    );
    assert_eq!(server.ocsp_hits.load(SeqCst), before + 1);
    // The signing uses the answer cached by the precheck: one request in all.
    let batch = sign_batch(r, &mut |_| {}, &never).expect("batch");
    assert!(batch.outcomes[0].result.is_ok(), "{:?}", batch.outcomes[0].result);
    assert_eq!(server.ocsp_hits.load(SeqCst), before + 1);

    // A revoked certificate: blocked.
    let r = online(&dir.path().join("data-revoked"), "Phạm Văn Dũng", &tsa.url);
    let pre = precheck(&r);
    assert!(pre.findings.iter().any(|f| matches!(f, Finding::CertificateRevoked(_))), "{:?}", pre.findings);
    assert!(pre.blocked());

    // The timestamp server on a closed port: blocked, before the PIN.
    let mut r = online(&dir.path().join("data-tsa"), "Nguyễn Văn A", &closed_port_url());
    let pre = precheck(&r);
    assert!(
        pre.findings.iter().any(|f| matches!(f, Finding::TsaUnreachable { .. } if f.severity() == Severity::Blocker)),
        "{:?}",
        pre.findings
    );
    // Not probed when the level has no timestamp.
    r.level = Level::Basic;
    assert!(!precheck(&r).findings.iter().any(|f| matches!(f, Finding::TsaUnreachable { .. })));

    // Revocation services down and nothing cached: the person must
    // confirm (TT 15/2025), or has already.
    server.ocsp_on.store(false, SeqCst);
    server.crl_on.store(false, SeqCst);
    let mut r = online(&dir.path().join("data-down"), "Nguyễn Văn A", &tsa.url);
    let pre = precheck(&r);
    server.ocsp_on.store(true, SeqCst);
    server.crl_on.store(true, SeqCst);
    assert!(
        pre.findings.iter().any(|f| matches!(f, Finding::RevocationUnchecked { confirmed: false, .. })),
        "{:?}",
        pre.findings
    );
    assert_eq!(pre.worst(), Some(Severity::Confirm));
    r.precheck.offline = true;
    r.precheck.allow_unchecked = true;
    let pre = precheck(&r);
    assert!(pre.findings.iter().any(|f| matches!(f, Finding::RevocationUnchecked { confirmed: true, .. })));
    assert!(!pre.findings.iter().any(|f| f.severity() > Severity::Info), "{:?}", pre.findings);
}

/// An empty signature field already placed on the page (here by pyHanko)
/// can take an official's signature, but not the clerk's seal with the
/// number and date widgets: that is told before the PIN, in words, and
/// the PIN is never asked.
#[test]
fn a_placed_field_that_cannot_carry_number_and_date_is_told_before_the_pin() {
    let fx = require_fixture!();
    if !kyso_testkit::tool_or_skip("pyhanko", "an empty field placed by another tool") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let plain = dir.path().join("qd-plain.pdf");
    kyso_testkit::nd30::decision(&plain, kyso_testkit::nd30::Layout::Deputy);
    let doc = dir.path().join("qd.pdf");
    kyso_testkit::pyhanko_add_field(&plain, &doc, "1/380,120,520,200/VanThu");
    let seal = png(&dir.path().join("dau.png"), [220, 20, 20]);
    let clerk = |field: &str, number: bool| {
        let mut r = request(fx, vec![Target::beside(&doc)], &data, entry(fx, tokens::TOCHUC, "Sở"), pins::TOCHUC);
        r.look = Look {
            role: Some(Role::Issuer),
            seal: Some(seal.clone()),
            number: number.then(|| "45/QĐ-UBND".to_owned()),
            date: number.then(|| "2026-03-05".to_owned()),
            ..Default::default()
        };
        r.pdf.field = Some(field.to_owned());
        r
    };
    let mut r = clerk("VanThu", true);
    r.all_or_nothing = true;
    let pre = precheck(&r);
    assert!(pre.blocked(), "{:?}", pre.findings);
    let blocker = pre.findings.iter().find(|f| f.severity() == Severity::Blocker).expect("a blocker");
    assert_eq!(blocker.code(), "field_takes_no_widgets", "{blocker:?}");
    assert!(matches!(blocker, Finding::File { file: 0, error: Error::Pdf(_) }), "{blocker:?}");
    let asked = count_pin_use(&mut r, pins::TOCHUC);
    let never = AtomicBool::new(false);
    assert!(sign_batch(r, &mut |_| {}, &never).is_err());
    assert_eq!(asked.load(Ordering::SeqCst), 0, "refused before the PIN");
    assert!(!dir.path().join("qd.signed.pdf").exists(), "nothing written");

    // The same field takes the seal alone, and a field of that name that
    // does not exist yet is made with the number and date.
    for (field, number) in [("VanThu", false), ("VanThuMoi", true)] {
        let pre = precheck(&clerk(field, number));
        assert!(!pre.blocked(), "{field}: {:?}", pre.findings);
    }
}

/// A văn thư's token holds a personal and an organisation certificate: with
/// none named, the role picks the one it needs (NĐ 30/2020 Art. 32(2)(c–d));
/// a named certificate is still the one used, and a role that several
/// certificates fit still asks which.
#[test]
fn the_role_picks_the_certificate_when_none_is_named() {
    let fx = require_fixture!();
    let modules = [fx.module.clone()];
    let find = |wanted: Option<&str>, role: Option<Role>| kyso_core::find_certificate_for(&modules, None, wanted, role);
    assert!(matches!(find(None, None), Err(Error::CertificateAmbiguous(_))));
    let (clerk, _) = find(None, Some(Role::Issuer)).expect("the organisation's certificate");
    assert_eq!(kyso_core::certificate_kind(&clerk).kind, CertKind::Organization);
    for role in [Role::Copy, Role::Appendix] {
        assert_eq!(find(None, Some(role)).expect("the organisation's certificate").0.der, clerk.der);
    }
    match find(None, Some(Role::Approver)) {
        Err(Error::CertificateAmbiguous(names)) => {
            assert!(names.len() > 1 && names.iter().all(|n| !n.contains("Sở")), "{names:?}")
        }
        other => panic!("several officials' certificates: {:?}", other.map(|(e, _)| e.certificate.subject)),
    }
    let (named, _) =
        kyso_core::find_certificate_for(&modules, Some(tokens::CANHAN), Some("Nguyễn Văn A"), Some(Role::Issuer))
            .expect("the named certificate");
    assert_eq!(kyso_core::certificate_kind(&named).kind, CertKind::Personal);
}
