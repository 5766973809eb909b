//! OCSP (RFC 6960) and CRL fetching against loopback services started here:
//! `openssl ocsp` as the responder (an implementation nobody here wrote)
//! over the fixture intermediate's database, and an HTTP CRL server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime};

use der::Decode;
use kyso_pki::Certificate;
use kyso_pki::ocsp::{OcspError, OcspStatus, check_response, ocsp_urls, query};
use kyso_pki::precheck::{PrecheckOptions, PrecheckResult, RevocationCache, precheck_with};
use kyso_testkit::{Fixture, fixture, start_revocation_server};

fn cert(fx: &Fixture, name: &str) -> Certificate {
    Certificate::from_der(&std::fs::read(fx.pki_file(&format!("{name}.der"))).unwrap()).unwrap()
}

const T: Duration = Duration::from_secs(10);

/// One test: the services are process-wide and switched on and off here.
#[test]
fn ocsp_crl_download_and_cache() {
    let Some(fx) = fixture() else { return };
    let Some(server) = start_revocation_server(fx) else { return };
    let (canhan, revoked, int) = (cert(fx, "canhan"), cert(fx, "revoked"), cert(fx, "int"));
    assert_eq!(ocsp_urls(&canhan), vec!["http://127.0.0.1:47961/".to_owned()]);

    // The responder answers for our requests; the answers check out.
    let good = query(&canhan, &int, T).expect("OCSP answer");
    assert_eq!(good.status, OcspStatus::Good);
    assert!(good.next_update.is_some());
    let bad = query(&revoked, &int, T).expect("OCSP answer");
    assert!(matches!(bad.status, OcspStatus::Revoked(_)), "{:?}", bad.status);

    // A response is bound to its certificate, its signer and its time.
    let now = SystemTime::now();
    assert_eq!(check_response(&good.der, &revoked, &int, now, None).unwrap_err(), OcspError::OtherCertificate);
    // producedAt (the first GeneralizedTime) moved by a second: signature broken.
    let mut forged = good.der.clone();
    let at = forged.windows(2).position(|w| w == [0x18, 0x0f]).unwrap() + 2 + 13;
    forged[at] = if forged[at] == b'0' { b'1' } else { b'0' };
    assert_eq!(check_response(&forged, &canhan, &int, now, None).unwrap_err(), OcspError::BadSignature);
    let later = now + Duration::from_secs(3 * 24 * 3600);
    assert_eq!(check_response(&good.der, &canhan, &int, later, None).unwrap_err(), OcspError::NotCurrent);
    let root = cert(fx, "root");
    assert!(check_response(&good.der, &canhan, &root, now, None).is_err(), "wrong issuer accepted");

    // The pre-signing check asks OCSP first and keeps the response.
    let cache_dir = tempfile::tempdir().unwrap();
    let opts = PrecheckOptions {
        offline: false,
        timeout: T,
        cache: Some(RevocationCache::new(cache_dir.path())),
        proxy: None,
    };
    let p = precheck_with(&canhan, Some(&int), &[], &opts);
    assert_eq!(p.result, PrecheckResult::Good, "{:?}", p.evidence);
    assert!(p.evidence[0].starts_with("ocsp sha256=") && p.evidence[0].contains("status=good"), "{:?}", p.evidence);
    assert_eq!(p.ocsps.len(), 1);
    let p = precheck_with(&revoked, Some(&int), &[], &opts);
    assert!(matches!(p.result, PrecheckResult::Revoked(_)), "{:?}", p.result);

    // OCSP down: the CRL is downloaded from the distribution point.
    server.ocsp_on.store(false, Ordering::SeqCst);
    let ecdsa = cert(fx, "ecdsa");
    let crl_hits = server.crl_hits.load(Ordering::SeqCst);
    let p = precheck_with(&ecdsa, Some(&int), &[], &opts);
    assert_eq!(p.result, PrecheckResult::Good, "{:?}", p.evidence);
    assert!(p.evidence.iter().any(|e| e.contains("source=http://127.0.0.1:47962/int.crl")), "{:?}", p.evidence);
    assert_eq!(server.crl_hits.load(Ordering::SeqCst), crl_hits + 1);

    // Everything down: the cache answers (OCSP for canhan, the CRL for ecdsa).
    server.crl_on.store(false, Ordering::SeqCst);
    let p = precheck_with(&canhan, Some(&int), &[], &opts);
    assert_eq!(p.result, PrecheckResult::Good);
    assert!(p.evidence[0].contains("source=cache"), "{:?}", p.evidence);
    let p = precheck_with(&ecdsa, Some(&int), &[], &opts);
    assert_eq!(p.result, PrecheckResult::Good);
    assert!(p.evidence.iter().any(|e| e.contains("source=cache")), "{:?}", p.evidence);
    // Offline the cache still counts; without it nothing can be checked.
    let offline = PrecheckOptions { offline: true, ..opts.clone() };
    assert_eq!(precheck_with(&canhan, Some(&int), &[], &offline).result, PrecheckResult::Good);
    let rsa3072 = cert(fx, "rsa3072");
    let uncached = PrecheckOptions { offline: false, timeout: T, cache: None, proxy: None };
    assert!(matches!(precheck_with(&rsa3072, Some(&int), &[], &uncached).result, PrecheckResult::Unchecked(_)));
    server.ocsp_on.store(true, Ordering::SeqCst);
    server.crl_on.store(true, Ordering::SeqCst);
}
