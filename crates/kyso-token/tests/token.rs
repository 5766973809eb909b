//! The token layer against real SoftHSM tokens provisioned from the
//! fixture PKI; every signature is checked with RustCrypto and openssl.

#![allow(clippy::unwrap_used)] // test helpers panic on purpose

use std::path::{Path, PathBuf};
use std::process::Command;

use kyso_pki::{CertWarning, DigestAlgorithm, SignatureAlgorithm, Signer, verify_digest_signature};
use kyso_testkit::{Fixture, pins, require_fixture, tokens};
use kyso_token::{
    CertEntry, KeyEvidence, KeyMatch, ModuleCandidate, ModuleSource, Pin, Pkcs11Signer, SignerOptions, TokenError,
    list_certificates, load_module, scan,
};

fn certs_on(fx: &Fixture, label: &str, pin: Option<&str>) -> Vec<CertEntry> {
    let module = load_module(&fx.module).unwrap();
    let (slot, _) = module.find_tokens(Some(label)).unwrap().into_iter().next().expect("token present");
    let pin = pin.map(|p| Pin::new(p.to_owned()));
    list_certificates(&module, slot, pin.as_ref()).unwrap()
}

fn by_cn<'a>(certs: &'a [CertEntry], cn: &str) -> &'a CertEntry {
    certs.iter().find(|c| c.certificate.subject_cn.as_deref() == Some(cn)).unwrap_or_else(|| panic!("{cn} not listed"))
}

fn openssl_verify(fx: &Fixture, name: &str, alg: SignatureAlgorithm, data: &[u8], sig: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let data_path = dir.path().join("data");
    let sig_path = dir.path().join("sig");
    std::fs::write(&data_path, data).unwrap();
    std::fs::write(&sig_path, sig).unwrap();
    let digest = match alg.digest() {
        DigestAlgorithm::Sha256 => "-sha256",
        DigestAlgorithm::Sha384 => "-sha384",
        DigestAlgorithm::Sha512 => "-sha512",
    };
    // openssl wants the public key, not the certificate.
    let pubkey = dir.path().join("pub.pem");
    let out = Command::new("openssl")
        .args(["x509", "-pubkey", "-noout", "-in"])
        .arg(fx.pki_file(&format!("{name}.pem")))
        .output()
        .unwrap();
    std::fs::write(&pubkey, out.stdout).unwrap();
    let mut cmd = Command::new("openssl");
    cmd.args(["dgst", digest, "-verify"]).arg(&pubkey);
    if let SignatureAlgorithm::RsaPss(d) = alg {
        cmd.args(["-sigopt", "rsa_padding_mode:pss", "-sigopt"]).arg(format!("rsa_pss_saltlen:{}", d.output_len()));
    }
    cmd.arg("-signature").arg(&sig_path).arg(&data_path);
    let (ok, text) = kyso_testkit::run(&mut cmd);
    assert!(ok && text.contains("Verified OK"), "openssl rejected the {name} {alg:?} signature: {text}");
}

#[test]
fn lists_tokens_with_labels_serials_and_pin_flags() {
    let fx = require_fixture!();
    let reports = scan(&[ModuleCandidate { path: fx.module.clone(), source: ModuleSource::Explicit, vendor: None }]);
    assert_eq!(reports.len(), 1);
    let r = &reports[0];
    assert!(r.loaded, "{:?}", r.error);
    assert!(r.library.as_ref().unwrap().manufacturer.contains("SoftHSM"));
    let tokens: Vec<_> = r.slots.iter().filter_map(|s| s.token.as_ref()).filter(|t| t.initialized).collect();
    for label in [tokens::CANHAN, tokens::TOCHUC, tokens::PINTEST] {
        let t = tokens.iter().find(|t| t.label == label).unwrap_or_else(|| panic!("{label} missing"));
        assert!(!t.serial.is_empty());
        assert!(t.pin.initialized && !t.pin.locked && !t.pin.final_try);
        assert!(t.login_required);
    }
}

/// SoftHSM keeps a spare token that was never initialised: `tokens` shows
/// it, but listing certificates neither counts it nor reports the session
/// it cannot open (the desktop once showed "OpenSession:
/// TokenNotRecognized" for it).
#[test]
fn an_uninitialised_token_is_shown_but_is_no_token_to_sign_with() {
    let fx = require_fixture!();
    let cand = ModuleCandidate { path: fx.module.clone(), source: ModuleSource::Explicit, vendor: None };
    let slots = &scan(std::slice::from_ref(&cand))[0].slots;
    let ready = slots.iter().filter(|s| s.token.as_ref().is_some_and(|t| t.initialized)).count();
    assert!(
        slots.iter().any(|s| s.token.as_ref().is_some_and(|t| !t.initialized)),
        "SoftHSM shows its spare, uninitialised token: {slots:?}"
    );
    let listing = kyso_token::list_all_certificates(&[cand], None);
    assert!(listing.errors.is_empty(), "{:?}", listing.errors);
    assert!(listing.last_error.is_none());
    assert_eq!(listing.tokens, ready);
    assert!(!listing.certificates.is_empty());
}

#[test]
fn certificates_keep_vietnamese_names_and_pair_with_keys() {
    let fx = require_fixture!();
    let certs = certs_on(fx, tokens::CANHAN, None);
    let a = by_cn(&certs, "Nguyễn Văn A");
    assert!(
        a.certificate.subject.contains("UID=CMND:001085012345, CN=Nguyễn Văn A, OU=Phòng Hành chính"),
        "{}",
        a.certificate.subject
    );
    assert!(a.certificate.subject.starts_with("T=Trưởng phòng"));
    assert!(a.certificate.subject.contains("O=Văn phòng UBND tỉnh Bắc Ninh TEST"));
    assert_eq!(a.certificate.issuer_cn.as_deref(), Some("TEST CA phục vụ các cơ quan Nhà nước G2"));
    assert_eq!(a.id, "0a0b0c01");
    assert!(a.has_private_key);
    assert_eq!(a.key_match, Some(KeyMatch::Id));
    // Not logged in: SoftHSM hides private keys; the public half shows the pair.
    assert_eq!(a.key_evidence, Some(KeyEvidence::PublicKeyObject));
    assert!(a.certificate.key_usage.contains(&"nonRepudiation".to_owned()));
    assert!(a.certificate.policies.contains(&"1.3.6.1.4.1.99999.1.2.1".to_owned()));
    assert!(a.certificate.warnings.is_empty());
    // Serial as openssl prints it.
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-serial", "-in"])
        .arg(fx.pki_file("canhan.pem"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("serial={}", a.certificate.serial));

    // The certificate's ID differs from its key's: paired by public key.
    let b = by_cn(&certs, "Trần Thị Bích");
    assert_eq!(b.id, "ffff0003");
    assert_eq!(b.key_match, Some(KeyMatch::PublicKey));

    let ca = by_cn(&certs, "TEST CA phục vụ các cơ quan Nhà nước G2");
    assert!(!ca.has_private_key);
    assert!(ca.certificate.warnings.contains(&CertWarning::IsCa));

    assert!(by_cn(&certs, "Hoàng Thị Em").certificate.warnings.contains(&CertWarning::Expired));
    assert!(by_cn(&certs, "Vũ Văn Giang (mã hoá)").certificate.warnings.contains(&CertWarning::NoSigningKeyUsage));
    let ec = by_cn(&certs, "Lê Văn Cường");
    assert_eq!(ec.certificate.key, kyso_pki::KeyKind::Ec { curve: "P-256".into() });

    // Logged in, the private keys themselves pair, by ID and by modulus.
    let certs = certs_on(fx, tokens::CANHAN, Some(pins::CANHAN));
    let a = by_cn(&certs, "Nguyễn Văn A");
    assert_eq!((a.key_match, a.key_evidence), (Some(KeyMatch::Id), Some(KeyEvidence::PrivateKey)));
    let b = by_cn(&certs, "Trần Thị Bích");
    assert_eq!((b.key_match, b.key_evidence), (Some(KeyMatch::PublicKey), Some(KeyEvidence::PrivateKey)));

    let org = certs_on(fx, tokens::TOCHUC, None);
    assert!(by_cn(&org, "Sở Thông tin và Truyền thông tỉnh Bắc Ninh").has_private_key);
}

fn sign_and_check(fx: &Fixture, token: &str, pin: &str, cn: &str, file: &str, alg: Option<SignatureAlgorithm>) {
    let module = load_module(&fx.module).unwrap();
    let certs = certs_on(fx, token, None);
    let entry = by_cn(&certs, cn);
    let signer = Pkcs11Signer::open(
        &module,
        entry,
        Pin::new(pin.to_owned()),
        SignerOptions { algorithm: alg, ..Default::default() },
    )
    .unwrap();
    let data = "Quyết định số 123/QĐ-UBND — dữ liệu ký thử".as_bytes();
    let sig = signer.sign_message(data).unwrap();
    assert!(sig.len() <= signer.max_signature_len(), "{} > {}", sig.len(), signer.max_signature_len());
    let digest = signer.algorithm().digest().digest(data);
    verify_digest_signature(signer.certificate(), signer.algorithm(), &digest, &sig).unwrap();
    openssl_verify(fx, file, signer.algorithm(), data, &sig);
    // The chain found on the token: the intermediate.
    assert_eq!(
        signer.chain().first().map(|c| kyso_pki::format_name(c.tbs_certificate().subject())),
        Some("CN=TEST CA phục vụ các cơ quan Nhà nước G2, O=Ban Cơ yếu Chính phủ TEST, C=VN".to_owned())
    );
}

#[test]
fn signs_rsa_pkcs1v15_through_the_token() {
    let fx = require_fixture!();
    sign_and_check(fx, tokens::CANHAN, pins::CANHAN, "Nguyễn Văn A", "canhan", None);
    sign_and_check(
        fx,
        tokens::CANHAN,
        pins::CANHAN,
        "Trần Thị Bích",
        "rsa3072",
        Some(SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha512)),
    );
}

#[test]
fn signs_rsa_pss_through_the_token() {
    let fx = require_fixture!();
    for d in [DigestAlgorithm::Sha256, DigestAlgorithm::Sha384] {
        sign_and_check(fx, tokens::CANHAN, pins::CANHAN, "Nguyễn Văn A", "canhan", Some(SignatureAlgorithm::RsaPss(d)));
    }
}

#[test]
fn signs_ecdsa_p256_and_p384_through_the_token() {
    let fx = require_fixture!();
    sign_and_check(fx, tokens::CANHAN, pins::CANHAN, "Lê Văn Cường", "ecdsa", None);
    sign_and_check(fx, tokens::CANHAN, pins::CANHAN, "Đỗ Minh Đức", "ecdsa384", None);
}

#[test]
fn always_authenticate_key_gets_a_context_login_per_signature() {
    let fx = require_fixture!();
    let module = load_module(&fx.module).unwrap();
    let certs = certs_on(fx, tokens::PINTEST, None);
    let entry = by_cn(&certs, "Nguyễn Văn A");
    let signer = Pkcs11Signer::open(&module, entry, Pin::new(pins::PINTEST.into()), SignerOptions::default()).unwrap();
    assert!(signer.always_authenticate());
    for i in 0..2 {
        let data = format!("tài liệu {i}");
        let sig = signer.sign_message(data.as_bytes()).unwrap();
        openssl_verify(fx, "canhan", signer.algorithm(), data.as_bytes(), &sig);
    }
}

#[test]
fn wrong_pin_is_typed_reports_state_and_is_not_retried() {
    let fx = require_fixture!();
    let module = load_module(&fx.module).unwrap();
    // Its own token so the counter does not disturb other tests.
    let certs = certs_on(fx, tokens::PINTEST, None);
    let entry = by_cn(&certs, "Nguyễn Văn A");
    let err = Pkcs11Signer::open(&module, entry, Pin::new("000000".into()), SignerOptions::default()).unwrap_err();
    match err {
        TokenError::PinIncorrect { state } => {
            assert!(state.count_low, "SoftHSM sets count low after a wrong PIN: {state:?}");
            assert!(!state.locked);
        }
        other => panic!("expected PinIncorrect, got {other:?}"),
    }
    // Exactly one attempt was made: the flag is still set, and the right PIN
    // (a new user action) works and clears it.
    let (slot, t) = module.find_tokens(Some(tokens::PINTEST)).unwrap().remove(0);
    let _ = slot;
    assert!(t.pin.count_low);
    let s = Pkcs11Signer::open(&module, entry, Pin::new(pins::PINTEST.into()), SignerOptions::default()).unwrap();
    drop(s);
    let (_, t) = module.find_tokens(Some(tokens::PINTEST)).unwrap().remove(0);
    assert!(!t.pin.count_low);
    assert_eq!(format!("{:?}", Pin::new("secret".into())), "Pin(***)");
}

#[test]
fn missing_and_garbage_modules_are_reported_and_others_still_listed() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("libgarbage.so");
    std::fs::write(&garbage, b"this is not a shared library").unwrap();
    let missing = PathBuf::from("/nonexistent/libbit4xpki.so");
    let cand = |p: &Path| ModuleCandidate { path: p.to_owned(), source: ModuleSource::Explicit, vendor: None };
    let reports = scan(&[cand(&missing), cand(&garbage), cand(&fx.module)]);
    assert!(matches!(reports[0].error, Some(TokenError::ModuleNotFound { .. })));
    match &reports[1].error {
        Some(TokenError::ModuleLoad { reason, .. }) => assert!(!reason.is_empty()),
        other => panic!("garbage module: {other:?}"),
    }
    assert!(reports[2].loaded);
    assert!(reports[2].slots.iter().any(|s| s.token.as_ref().is_some_and(|t| t.label == tokens::CANHAN)));
}
