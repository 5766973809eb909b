//! NIST PKITS (../shared/corpus/pkits) through Kyso's path validation and
//! CRL checking. `Valid*` end entities must validate, `Invalid*` must not,
//! with TrustAnchorRootCertificate.crt as the anchor, under the default
//! inputs (any policy, no explicit policy required), every certificate of
//! the path checked against the CRLs (RFC 5280 §6.1 with §6.3). The cases
//! where Kyso's answer differs are listed with the reason in
//! tests/pkits-divergences.txt. The test fails when the results
//! differ from that list in either direction, so fixes and regressions both
//! show.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::time::{Instant, SystemTime};

use kyso_pki::{CertDer, ChainStatus, RevocationStatus, check_path_revocation, validate_path};

#[test]
fn pkits_results_match_the_documented_divergences() {
    let Some(shared) = kyso_testkit::shared_or_skip("the PKITS corpus") else {
        return;
    };
    let dir = shared.join("corpus/pkits");
    let mut pool = Vec::new();
    // End entities with `None` where Kyso cannot decode the certificate:
    // such a certificate never validates.
    let mut ees = Vec::new();
    for e in std::fs::read_dir(dir.join("certs")).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().trim_end_matches(".crt").to_owned();
        let c = CertDer::from_der(&std::fs::read(e.path()).unwrap());
        if name.ends_with("EE") && (name.starts_with("Valid") || name.starts_with("Invalid")) {
            ees.push((name, c));
        } else if let Some(c) = c {
            pool.push((name, c));
        } else {
            eprintln!("PKITS: {name} cannot be decoded; left out of the pool");
        }
    }
    let anchor: Vec<CertDer> =
        pool.iter().filter(|(n, _)| n == "TrustAnchorRootCertificate").map(|(_, c)| c.clone()).collect();
    let pool: Vec<CertDer> =
        pool.into_iter().filter(|(n, _)| n != "TrustAnchorRootCertificate").map(|(_, c)| c).collect();
    let crls: Vec<Vec<u8>> =
        std::fs::read_dir(dir.join("crls")).unwrap().flatten().map(|e| std::fs::read(e.path()).unwrap()).collect();
    ees.sort_by(|a, b| a.0.cmp(&b.0));

    let mut diverging = BTreeSet::new();
    let (mut agree, mut total) = (0, 0);
    let started = Instant::now();
    for (name, ee) in &ees {
        total += 1;
        let Some(ee) = ee else {
            if name.starts_with("Valid") {
                diverging.insert(name.clone());
            } else {
                agree += 1;
            }
            continue;
        };
        let report = validate_path(ee, &pool, &anchor, SystemTime::now());
        let ok = report.status == ChainStatus::Valid
            && check_path_revocation(&report.certs, &crls, &pool, &anchor, SystemTime::now())
                .iter()
                .all(|s| *s == RevocationStatus::Good);
        if ok == name.starts_with("Valid") {
            agree += 1;
        } else {
            diverging.insert(name.clone());
        }
    }
    let listed: BTreeSet<String> = include_str!("pkits-divergences.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split_whitespace().next().unwrap().to_owned())
        .collect();
    eprintln!(
        "PKITS: {agree}/{total} agree with the expected result (OpenSSL verify: 183/203); {} documented divergences; \
         paths and CRLs checked in {:?}",
        listed.len(),
        started.elapsed()
    );
    let new: Vec<_> = diverging.difference(&listed).collect();
    let fixed: Vec<_> = listed.difference(&diverging).collect();
    assert!(new.is_empty() && fixed.is_empty(), "new divergences: {new:?}\nno longer diverging: {fixed:?}");
}
