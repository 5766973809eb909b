//! The certificate kind (`kyso_pki::kind`) on real third-party signer
//! certificates: those embedded in the signatures of `../shared/corpus/pdf`
//! (EU DSS and pyHanko test files), dumped by poppler's `pdfsig -dump`.
//! People named by ETSI EN 319 412-2 attributes are personal, the Slovak
//! NBÚ seal (a legal person's serialNumber, EN 319 412-1 §5.1.4) and CAs
//! with an organizationIdentifier are legal persons, and names alone stay
//! unknown. (No Vietnamese certificate is in the corpus: the VGCA
//! conventions are tested on the fixture PKI, in the unit tests.)

use kyso_pki::kind::{CertKind, classify};

/// Every certificate of every signature in the corpus PDFs: (common name,
/// kind).
fn corpus_kinds(corpus: &std::path::Path) -> Vec<(String, CertKind)> {
    let out = tempfile::tempdir().expect("tempdir");
    let mut kinds = Vec::new();
    let mut pdfs: Vec<_> = std::fs::read_dir(corpus)
        .expect("corpus")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    pdfs.sort();
    for (i, pdf) in pdfs.iter().enumerate() {
        let dir = out.path().join(i.to_string());
        std::fs::create_dir_all(&dir).expect("dir");
        // Damaged files are part of the corpus: what pdfsig cannot dump is skipped.
        let _ = std::process::Command::new("pdfsig").arg("-dump").arg(pdf).current_dir(&dir).output();
        for dump in std::fs::read_dir(&dir).expect("dumps").flatten() {
            let bytes = std::fs::read(dump.path()).expect("dump");
            let Ok(cms) = kyso_pki::parse_cms(&bytes) else { continue };
            for c in cms.certificates {
                let cn = kyso_pki::name_attribute(
                    c.cert.tbs_certificate().subject(),
                    kyso_pki::der::oid::ObjectIdentifier::new_unwrap("2.5.4.3"),
                )
                .unwrap_or_default();
                kinds.push((cn, classify(&c.cert).kind));
            }
        }
    }
    kinds
}

#[test]
fn corpus_signers_are_classified_by_their_subjects() {
    let Some(shared) = kyso_testkit::shared_or_skip("the corpus signers' certificates") else { return };
    if !kyso_testkit::tool_or_skip("pdfsig", "dumping the corpus signatures") {
        return;
    }
    let kinds = corpus_kinds(&shared.join("corpus/pdf"));
    let kind_of = |cn: &str| {
        let found: Vec<CertKind> = kinds.iter().filter(|(c, _)| c == cn).map(|(_, k)| *k).collect();
        assert!(!found.is_empty(), "{cn} not found among {} certificates", kinds.len());
        assert!(found.iter().all(|k| *k == found[0]), "{cn}: {found:?}");
        found[0]
    };
    // ETSI EN 319 412-2 natural persons (givenName, surname).
    for person in [
        "Andreas Savva",
        "Naoto Miyachi",
        "Géczi Zoltán Csaba",
        "FRANCISCO DE LA PEÑA FERNANDEZ (FIRMA)",
        "Patrick Kremer (Signature)",
        "CIUDADANO FICTICIO ACTIVO",
    ] {
        assert_eq!(kind_of(person), CertKind::Personal, "{person}");
    }
    // A qualified seal (a legal person's serialNumber) and CAs with an
    // organizationIdentifier: legal persons.
    assert_eq!(kind_of("Pečať NBÚ"), CertKind::Organization);
    assert_eq!(kind_of("e-Szigno Root CA 2017"), CertKind::Organization);
    // A name and an organisation alone tell nothing.
    for unknown in ["Alice", "Lord Testerino", "good-user", "LEPROPRE Jean", "Jiří Palčík", "EC_MARKT_A"] {
        assert_eq!(kind_of(unknown), CertKind::Unknown, "{unknown}");
    }
}
