//! Timestamp tokens validated like signatures (ETSI EN 319 102-1 §5.4;
//! RFC 3161 §2.3, §2.4.2; RFC 5816): tokens made with the fixture TSAs'
//! keys (tests/fixtures/make-pki.sh) and with the real fixture TSA
//! (`openssl ts -reply`), each judged by `validate_token`.

#![allow(clippy::unwrap_used)] // test helpers panic on purpose

use std::time::{Duration, SystemTime};

use kyso_pki::timestamp::{TimestampTrust, TokenContext, validate_token};
use kyso_pki::{CertDer, HashAlg, load_certificates, load_crl};
use kyso_testkit::{Fixture, require_fixture};

#[path = "support/tsa_token.rs"]
mod tsa_token;
use tsa_token::{Token, make_token};

const JUNE_2020: u64 = 1_590_969_600;

fn certs(fx: &Fixture, names: &[&str]) -> Vec<CertDer> {
    names.iter().flat_map(|n| load_certificates(&std::fs::read(fx.pki_file(n)).expect(n))).collect()
}

fn crls(fx: &Fixture) -> Vec<Vec<u8>> {
    ["crl.pem", "root-crl.pem", "past-crl.pem", "past-root-crl.pem"]
        .iter()
        .map(|f| load_crl(&std::fs::read(fx.pki_file(f)).unwrap()).unwrap())
        .collect()
}

fn token(fx: &Fixture, tsa: &str, data: &[u8], secs: u64, ess: bool) -> Vec<u8> {
    make_token(&Token {
        p12: &fx.pki_file(&format!("{tsa}.p12")),
        imprint: HashAlg::Sha256.digest(data),
        time: SystemTime::UNIX_EPOCH + Duration::from_secs(secs),
        ess,
    })
}

#[test]
fn tokens_prove_a_time_only_when_fully_validated() {
    let fx = require_fixture!();
    let anchors = certs(fx, &["root.pem", "past-root.pem"]);
    let pool = certs(fx, &["int.pem", "past-int.pem"]);
    let crls = crls(fx);
    let ctx =
        TokenContext { anchors: &anchors, pool: &pool, crls: &crls, ocsps: &[], at: SystemTime::now(), online: None };
    let data = b"the signature value";
    let covered = |alg: HashAlg| Some(alg.digest(data));
    let judge = |tok: &[u8]| validate_token(tok, &covered, &ctx);

    let ok = judge(&token(fx, "past-tsa", data, JUNE_2020, true));
    assert_eq!((ok.trust, ok.reason), (TimestampTrust::Trusted, None), "{ok:?}");
    assert_eq!(ok.poe(), Some(SystemTime::UNIX_EPOCH + Duration::from_secs(JUNE_2020)));
    assert_eq!(ok.accuracy, Some(Duration::from_secs(1)));
    assert!(ok.revocation_checked, "past-crl.pem answers for the TSA: {ok:?}");
    assert!(ok.tsa.as_deref().is_some_and(|t| t.contains("TEST Past TSA")), "{ok:?}");

    let cases: [(&str, Vec<u8>, TimestampTrust, &str); 5] = [
        (
            "untrusted TSA",
            token(fx, "rogue-tsa", data, JUNE_2020, true),
            TimestampTrust::Untrusted,
            "no_chain_to_trust_anchor",
        ),
        (
            "no ESS binding",
            token(fx, "past-tsa", data, JUNE_2020, false),
            TimestampTrust::Untrusted,
            "no_signing_certificate_attribute",
        ),
        (
            "other data",
            token(fx, "past-tsa", b"something else", JUNE_2020, true),
            TimestampTrust::Invalid,
            "imprint_mismatch",
        ),
        (
            "signed by a signer, not a TSA",
            token(fx, "past-signer", data, JUNE_2020, true),
            TimestampTrust::Untrusted,
            "not_a_timestamping_authority",
        ),
        (
            // 2018-06-01: before the TSA's certificate was valid.
            "dated before the TSA existed",
            token(fx, "past-tsa", data, 1_527_811_200, true),
            TimestampTrust::Untrusted,
            "tsa_certificate_out_of_validity",
        ),
    ];
    for (what, tok, trust, reason) in cases {
        let c = judge(&tok);
        assert_eq!((c.trust, c.reason), (trust, Some(reason)), "{what}: {c:?}");
        assert_eq!(c.poe(), None, "{what}");
        assert!(c.warning(kyso_pki::timestamp::TimestampRole::Signature).is_some(), "{what}");
    }
    // Not a token at all.
    assert_eq!(judge(b"\x30\x03\x02\x01\x01").trust, TimestampTrust::Invalid);

    // The real fixture TSA (openssl ts -reply), asked over loopback.
    let tsa = kyso_testkit::start_tsa(fx);
    let (real, _) = kyso_pki::TsaConfig::new(tsa.url.clone(), Duration::from_secs(30)).request(data).unwrap();
    let c = judge(&real);
    assert_eq!(c.trust, TimestampTrust::Trusted, "{c:?}");
    assert!(c.nonce.is_some() && c.policy.as_deref() == Some("1.3.6.1.4.1.99999.2.1"), "{c:?}");
    // Trusting only the other root, the same token proves nothing.
    let other = certs(fx, &["past-root.pem"]);
    let c = validate_token(&real, &covered, &TokenContext { anchors: &other, ..ctx });
    assert_eq!((c.trust, c.reason), (TimestampTrust::Untrusted, Some("no_chain_to_trust_anchor")), "{c:?}");
}
