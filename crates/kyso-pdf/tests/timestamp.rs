//! PAdES B-T with a local RFC 3161 TSA on loopback (openssl ts -reply with
//! the fixture TSA certificate), judged by pyHanko and our verifier.

#![allow(clippy::unwrap_used)] // test helpers panic on purpose

use std::process::Command;
use std::time::{Duration, SystemTime};

use kyso_pdf::{Indication, SignError, SignOptions, VerifyOptions, sign_pdf, verify_pdf};
use kyso_pki::{TsaConfig, load_certificates, load_crl};
use kyso_testkit::{Fixture, minimal_pdf, pins, require_fixture, start_tsa, tokens};
use kyso_token::{Pin, Pkcs11Signer, SignerOptions, list_certificates, load_module};

fn signer(fx: &Fixture) -> Pkcs11Signer {
    let module = load_module(&fx.module).unwrap();
    let (slot, _) = module.find_tokens(Some(tokens::CANHAN)).unwrap().remove(0);
    let certs = list_certificates(&module, slot, None).unwrap();
    let entry = certs.iter().find(|c| c.certificate.subject_cn.as_deref() == Some("Nguyễn Văn A")).unwrap();
    Pkcs11Signer::open(&module, entry, Pin::new(pins::CANHAN.into()), SignerOptions::default()).unwrap()
}

fn trust(fx: &Fixture, at: Option<SystemTime>) -> VerifyOptions {
    VerifyOptions {
        anchors: load_certificates(&std::fs::read(fx.pki_file("root.pem")).unwrap()),
        extra_certs: load_certificates(&std::fs::read(fx.pki_file("int.pem")).unwrap()),
        crls: ["crl.pem", "root-crl.pem"]
            .iter()
            .map(|f| load_crl(&std::fs::read(fx.pki_file(f)).unwrap()).unwrap())
            .collect(),
        at,
    }
}

#[test]
fn b_t_signatures_carry_a_valid_timestamp() {
    let fx = require_fixture!();
    let tsa = start_tsa(fx);
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (dir.path().join("in.pdf"), dir.path().join("bt.pdf"));
    minimal_pdf(&input, 1);
    let opts = SignOptions {
        tsa: Some(TsaConfig { url: tsa.url.clone(), timeout: Duration::from_secs(30) }),
        ..Default::default()
    };
    sign_pdf(&input, &out, &signer(fx), &opts).unwrap();

    let r = verify_pdf(&out, &trust(fx, None));
    let s = &r.signatures[0];
    assert_eq!(r.indication, Indication::TotalPassed, "{r:#?}");
    assert!(s.timestamp.is_some(), "{s:#?}");
    assert!(!s.warnings.iter().any(|w| w.contains("timestamp_invalid")), "{s:#?}");

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
    let r = verify_pdf(&out, &trust(fx, Some(later)));
    assert_eq!(r.indication, Indication::TotalPassed, "{r:#?}");
    assert!(r.signatures[0].warnings.contains(&"validated_at_timestamp_time".to_owned()));
    // Without a timestamp the same check is out of bounds.
    let bb = dir.path().join("bb.pdf");
    sign_pdf(&input, &bb, &signer(fx), &SignOptions::default()).unwrap();
    let r = verify_pdf(&bb, &trust(fx, Some(later)));
    assert_eq!(r.signatures[0].sub_indication, Some("OUT_OF_BOUNDS_NO_POE"), "{r:#?}");
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
        tsa: Some(TsaConfig { url: format!("http://127.0.0.1:{port}/"), timeout: Duration::from_secs(3) }),
        ..Default::default()
    };
    let err = sign_pdf(&input, &out, &signer(fx), &opts).unwrap_err();
    assert!(matches!(err, SignError::Timestamp(_)), "{err:?}");
    assert!(!out.exists());
    let leftovers = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".kyso-"))
        .count();
    assert_eq!(leftovers, 0);
}
