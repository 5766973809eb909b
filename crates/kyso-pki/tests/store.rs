//! The anchor store: fixture roots round-trip; a certificate named like a
//! pinned Vietnamese root but not matching the pin is refused; the real
//! VGCA certificates (../shared/trust) match their pins.

use kyso_pki::store::{AnchorStore, StoreError};
use kyso_pki::{CertDer, load_certificates};

#[test]
fn anchors_round_trip_and_pins_are_enforced() {
    let fx = kyso_testkit::require_fixture!();
    let dir = tempfile::tempdir().expect("tempdir");
    let store = AnchorStore::in_data_dir(dir.path());
    assert!(store.list().is_empty());
    let root = load_certificates(&std::fs::read(fx.pki_file("root.pem")).expect("root")).remove(0);
    let info = store.add(&root).expect("stored");
    assert_eq!(info.pinned, None);
    assert!(info.subject.contains("TEST"), "{info:?}");
    assert_eq!(store.add(&root).expect("stored again").sha256, info.sha256);
    assert_eq!(store.list(), vec![root.clone()]);
    assert!(dir.path().join("trust").join(format!("{}.der", info.sha256)).is_file());

    // A self-made root that takes the VGCA root's name.
    let pem = kyso_testkit::impostor_root_g2(dir.path());
    let fake: CertDer = load_certificates(&std::fs::read(&pem).expect("fake")).remove(0);
    assert!(matches!(store.add(&fake), Err(StoreError::PinMismatch { .. })));
    assert_eq!(store.list().len(), 1, "the impostor was not stored");

    // The real VGCA roots match their pins.
    if let Some(shared) = kyso_testkit::shared_or_skip("the real VGCA pins") {
        for entry in std::fs::read_dir(shared.join("trust")).expect("trust dir").flatten() {
            for c in load_certificates(&std::fs::read(entry.path()).expect("pem")) {
                let info = store.add(&c).expect("a real VGCA certificate is accepted");
                assert!(info.pinned.is_some(), "{} matches a pin: {info:?}", entry.path().display());
            }
        }
    }

    // Only a SHA-256 names a file: a path never does.
    assert!(!store.remove("../trust/x").expect("refused"));
    assert!(store.remove(&info.sha256.to_uppercase()).expect("removed"));
    assert!(!store.remove(&info.sha256).expect("already gone"));
    assert!(!store.list().contains(&root));
}
