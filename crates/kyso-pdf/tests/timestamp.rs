//! PAdES B-T with a local RFC 3161 TSA on loopback (openssl ts -reply with
//! the fixture TSA certificate), judged by pyHanko and our verifier.

#![allow(clippy::unwrap_used)] // test helpers panic on purpose

use std::process::Command;
use std::time::{Duration, SystemTime};

use kyso_pdf::{Indication, SignError, SignOptions, VerifyOptions, sign_pdf, verify_pdf};
use kyso_pki::{TsaConfig, load_certificates, load_crl};
mod common;
use common::{signer, trust_at};
use kyso_pki::report::{Modifications, Revocation, SignatureKind, SubIndication, WarningCode};
use kyso_testkit::{minimal_pdf, pins, require_fixture, start_tsa, tokens};

#[test]
fn b_t_signatures_carry_a_valid_timestamp() {
    let fx = require_fixture!();
    let tsa = start_tsa(fx);
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (dir.path().join("in.pdf"), dir.path().join("bt.pdf"));
    minimal_pdf(&input, 1);
    let opts =
        SignOptions { tsa: Some(TsaConfig::new(tsa.url.clone(), Duration::from_secs(30))), ..Default::default() };
    sign_pdf(&input, &out, &signer(fx, tokens::CANHAN, pins::CANHAN, "Nguyễn Văn A"), &opts).unwrap();

    let r = verify_pdf(&out, &trust_at(fx, None));
    let s = &r.signatures[0];
    assert_eq!(r.indication, Indication::TotalPassed, "{r:#?}");
    assert!(s.timestamp.is_some(), "{s:#?}");
    assert!(!s.warnings.iter().any(|w| w.to_string().contains("timestamp_invalid")), "{s:#?}");

    if Command::new("pyhanko").arg("--version").output().is_ok() {
        let o = Command::new("pyhanko")
            .args(["sign", "validate", "--pretty-print", "--no-revocation-check", "--trust-replace", "--trust"])
            .arg(fx.pki_file("root.pem"))
            .arg("--other-certs")
            .arg(fx.pki_file("int.pem"))
            .arg(&out)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{text}{}", String::from_utf8_lossy(&o.stderr));
        assert!(text.contains("The signature is judged VALID."), "{text}");
        // pyHanko recognises the signature timestamp token.
        assert!(text.to_lowercase().contains("timestamp token"), "{text}");
    }

    // Years later, after the signer's certificate expired, the timestamp
    // still proves the signature was made while it was valid.
    let later = SystemTime::UNIX_EPOCH + Duration::from_secs(1_924_992_000); // 2031-01-01
    let r = verify_pdf(&out, &trust_at(fx, Some(later)));
    assert_eq!(r.indication, Indication::TotalPassed, "{r:#?}");
    assert!(r.signatures[0].has_warning(WarningCode::ValidatedAtTimestampTime));
    // Without a timestamp the same check is out of bounds.
    let bb = dir.path().join("bb.pdf");
    sign_pdf(&input, &bb, &signer(fx, tokens::CANHAN, pins::CANHAN, "Nguyễn Văn A"), &SignOptions::default()).unwrap();
    let r = verify_pdf(&bb, &trust_at(fx, Some(later)));
    assert_eq!(r.signatures[0].sub_indication, Some(SubIndication::OutOfBoundsNoPoe), "{r:#?}");
}

#[test]
fn a_dead_tsa_is_a_clear_error_and_leaves_no_output() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (dir.path().join("in.pdf"), dir.path().join("out.pdf"));
    minimal_pdf(&input, 1);
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let opts = SignOptions {
        tsa: Some(TsaConfig::new(format!("http://127.0.0.1:{port}/"), Duration::from_secs(3))),
        ..Default::default()
    };
    let err = sign_pdf(&input, &out, &signer(fx, tokens::CANHAN, pins::CANHAN, "Nguyễn Văn A"), &opts).unwrap_err();
    assert!(matches!(err, SignError::Timestamp(_)), "{err:?}");
    assert!(!out.exists());
    let leftovers = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".kyso-"))
        .count();
    assert_eq!(leftovers, 0);
}

#[test]
fn b_t_extended_to_b_lt_and_b_lta_validates() {
    let fx = require_fixture!();
    let tsa = start_tsa(fx);
    let cfg = TsaConfig::new(tsa.url.clone(), Duration::from_secs(30));
    let dir = tempfile::tempdir().unwrap();
    let (input, bt, lt, lta) =
        (dir.path().join("in.pdf"), dir.path().join("bt.pdf"), dir.path().join("lt.pdf"), dir.path().join("lta.pdf"));
    minimal_pdf(&input, 1);
    sign_pdf(
        &input,
        &bt,
        &signer(fx, tokens::CANHAN, pins::CANHAN, "Nguyễn Văn A"),
        &SignOptions { tsa: Some(cfg.clone()), ..Default::default() },
    )
    .unwrap();

    let der = |f: &str| {
        let v = load_certificates(&std::fs::read(fx.pki_file(f)).unwrap());
        v.into_iter().map(|c| c.der).collect::<Vec<_>>()
    };
    let mut extra = der("int.pem");
    extra.extend(der("root.pem"));
    extra.extend(der("tsa.pem"));
    let crls: Vec<Vec<u8>> = ["crl.pem", "root-crl.pem"]
        .iter()
        .map(|f| load_crl(&std::fs::read(fx.pki_file(f)).unwrap()).unwrap())
        .collect();
    let reader = kyso_pdf::PdfReader::open(&bt).unwrap();
    let material = kyso_pdf::ltv::collect_material(&reader, &extra, &crls).unwrap();
    assert_eq!(material.vri_keys.len(), 1);
    kyso_pdf::ltv::add_dss(&bt, &lt, &material, false).unwrap();
    kyso_pdf::timestamp_pdf(&lt, &lta, &cfg, &SignOptions::default()).unwrap();

    // Revocation evidence now travels in the file: no CRLs given to the verifier.
    let bare = VerifyOptions {
        anchors: load_certificates(&std::fs::read(fx.pki_file("root.pem")).unwrap()),
        ..Default::default()
    };
    for f in [&lt, &lta] {
        let r = verify_pdf(f, &bare);
        assert_eq!(r.indication, Indication::TotalPassed, "{}: {r:#?}", f.display());
        assert_eq!(r.signatures[0].revocation, Revocation::Good);
        assert_eq!(r.signatures[0].modifications, Modifications::Allowed);
    }
    let r = verify_pdf(&lta, &bare);
    assert_eq!(r.signatures.len(), 2);
    assert_eq!(r.signatures[1].kind, SignatureKind::DocumentTimestamp);
    assert!(r.signatures[1].timestamp.is_some());

    if Command::new("pyhanko").arg("--version").output().is_ok() {
        let o = Command::new("pyhanko")
            .args(["sign", "validate", "--pretty-print", "--no-revocation-check", "--trust-replace", "--trust"])
            .arg(fx.pki_file("root.pem"))
            .arg(&lta)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{text}{}", String::from_utf8_lossy(&o.stderr));
        assert!(!text.contains("INVALID"), "{text}");
        assert_eq!(text.matches("judged VALID").count(), 1, "{text}");
        assert!(text.contains("Document timestamp") || text.to_lowercase().contains("timestamp"), "{text}");
    }
}
