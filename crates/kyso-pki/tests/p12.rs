//! The PKCS#12 signer on files made by `openssl pkcs12 -export` (fixture PKI).

#![allow(clippy::unwrap_used)] // test helpers panic on purpose

use std::process::Command;

use kyso_pki::{
    DigestAlgorithm, P12Error, Pkcs12Signer, SignatureAlgorithm, Signer, format_name, verify_digest_signature,
};
use kyso_testkit::{pins, require_fixture};

fn openssl_verify(pem: &std::path::Path, alg: SignatureAlgorithm, data: &[u8], sig: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let (d, s, p) = (dir.path().join("d"), dir.path().join("s"), dir.path().join("p.pem"));
    std::fs::write(&d, data).unwrap();
    std::fs::write(&s, sig).unwrap();
    let out = Command::new("openssl").args(["x509", "-pubkey", "-noout", "-in"]).arg(pem).output().unwrap();
    std::fs::write(&p, out.stdout).unwrap();
    let mut cmd = Command::new("openssl");
    cmd.args(["dgst", &format!("-sha{}", alg.digest().output_len() * 8), "-verify"]).arg(&p);
    if let SignatureAlgorithm::RsaPss(dg) = alg {
        cmd.args(["-sigopt", "rsa_padding_mode:pss", "-sigopt"]).arg(format!("rsa_pss_saltlen:{}", dg.output_len()));
    }
    cmd.arg("-signature").arg(&s).arg(&d);
    let (ok, text) = kyso_testkit::run(&mut cmd);
    assert!(ok && text.contains("Verified OK"), "openssl: {text}");
}

#[test]
fn rsa_p12_signs_v15_and_pss() {
    let fx = require_fixture!();
    let signer = Pkcs12Signer::open(&fx.pki_file("canhan.p12"), pins::P12).unwrap();
    assert!(format_name(signer.certificate().tbs_certificate().subject()).contains("CN=Nguyễn Văn A"));
    assert_eq!(signer.chain().len(), 1, "the intermediate travels in the file");
    assert_eq!(signer.max_signature_len(), 256);
    let data = "Văn bản thử nghiệm".as_bytes();
    for alg in [
        SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha256),
        SignatureAlgorithm::RsaPss(DigestAlgorithm::Sha256),
        SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha512),
    ] {
        let s = Pkcs12Signer::open(&fx.pki_file("canhan.p12"), pins::P12).unwrap().with_algorithm(alg).unwrap();
        let sig = s.sign_message(data).unwrap();
        verify_digest_signature(s.certificate(), alg, &alg.digest().digest(data), &sig).unwrap();
        openssl_verify(&fx.pki_file("canhan.pem"), alg, data, &sig);
    }
}

#[test]
fn ecdsa_p12_signs_der_signatures() {
    let fx = require_fixture!();
    let s = Pkcs12Signer::open(&fx.pki_file("ecdsa.p12"), pins::P12).unwrap();
    assert_eq!(s.algorithm(), SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha256));
    let data = b"ecdsa";
    let sig = s.sign_message(data).unwrap();
    assert!(sig.len() <= s.max_signature_len());
    verify_digest_signature(s.certificate(), s.algorithm(), &s.algorithm().digest().digest(data), &sig).unwrap();
    openssl_verify(&fx.pki_file("ecdsa.pem"), s.algorithm(), data, &sig);
    assert!(s.with_algorithm(SignatureAlgorithm::RsaPss(DigestAlgorithm::Sha256)).is_err());
}

#[test]
fn wrong_password_and_garbage_are_clear_errors() {
    let fx = require_fixture!();
    assert!(matches!(Pkcs12Signer::open(&fx.pki_file("canhan.p12"), "sai-mat-khau"), Err(P12Error::WrongPassword)));
    assert!(matches!(Pkcs12Signer::from_der(b"not a pfx", "x"), Err(P12Error::Malformed(_))));
    assert!(matches!(Pkcs12Signer::open(&fx.pki_file("nope.p12"), "x"), Err(P12Error::Io(_))));
}
