//! The shipped trust (issue 18): a signature made the way VGCA's tools make
//! them — the signer's certificate alone in the CMS — verifies as valid with
//! no anchor imported, because the verifier completes the path with the
//! bundled intermediate and trusts the bundled root; switched off, the same
//! file has no trusted path. The fixture PKI (root → intermediate → signer)
//! stands in for VGCA's through the very value the front ends pass
//! ([`TrustBundle`] in [`VerifyOptions::shipped`]).

use std::path::Path;

use kyso_core::{Indication, TrustBundle, VerifyOptions, verify};
use kyso_pki::report::SubIndication;
use kyso_pki::{Certificate, Pkcs12Signer, SignatureAlgorithm, Signer, SignerError};
use kyso_testkit::{Fixture, require_fixture};

/// A real PKCS#12 signer that, like a VGCA token signed through VGCA's
/// tools, puts only its own certificate into the signature.
struct LeafOnly(Pkcs12Signer);

impl Signer for LeafOnly {
    fn certificate(&self) -> &Certificate {
        self.0.certificate()
    }
    fn chain(&self) -> &[Certificate] {
        &[]
    }
    fn algorithm(&self) -> SignatureAlgorithm {
        self.0.algorithm()
    }
    fn max_signature_len(&self) -> usize {
        self.0.max_signature_len()
    }
    fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>, SignerError> {
        self.0.sign_digest(digest)
    }
}

fn load(fx: &Fixture, name: &str) -> Vec<kyso_pki::CertDer> {
    kyso_pki::load_certificates(&std::fs::read(fx.pki_file(name)).expect("fixture file"))
}

/// The fixture's root as the shipped anchor and its intermediate as the
/// shipped intermediate, as Kyso ships RootCA G2 and CA G2.
fn fixture_bundle(fx: &Fixture) -> TrustBundle {
    TrustBundle { anchors: load(fx, "root.pem"), intermediates: load(fx, "int.pem") }
}

/// Offline, with the fixture's CRLs, no user anchor.
fn options(fx: &Fixture, shipped: TrustBundle, on: bool) -> VerifyOptions {
    let mut o = VerifyOptions { shipped, shipped_anchors: on, ..Default::default() };
    for name in ["crl.pem", "root-crl.pem"] {
        let bytes = std::fs::read(fx.pki_file(name)).expect("fixture CRL");
        o.crls.push(kyso_pki::load_crl(&bytes).expect("a CRL"));
    }
    o
}

fn sign_leaf_only(fx: &Fixture, dir: &Path) -> std::path::PathBuf {
    let input = dir.join("cong-van.pdf");
    let output = dir.join("cong-van.signed.pdf");
    kyso_testkit::minimal_pdf(&input, 1);
    let signer = LeafOnly(Pkcs12Signer::open(&fx.pki_file("canhan.p12"), "kyso-p12").expect("canhan.p12"));
    kyso_pdf::sign_pdf(&input, &output, &signer, &kyso_pdf::SignOptions::default()).expect("signed");
    output
}

#[test]
fn a_leaf_only_signature_is_valid_through_the_shipped_anchor_and_not_trusted_when_switched_off() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().expect("tempdir");
    let file = sign_leaf_only(fx, dir.path());

    // The CMS carries the signer's certificate alone (VGCA style).
    let plain = kyso_pdf::verify_pdf(&file, &kyso_pdf::VerifyOptions::default());
    assert_eq!(plain.signatures.len(), 1, "{plain:?}");
    assert_eq!(plain.signatures[0].chain_path.len(), 1, "{:?}", plain.signatures[0].chain_path);

    // On: valid, with no user anchor and no --certs.
    let on = verify(&file, &options(fx, fixture_bundle(fx), true)).report;
    let s = &on.signatures[0];
    assert_eq!(on.indication, Indication::TotalPassed, "{s:?}");
    assert_eq!(s.chain, kyso_pki::ChainStatus::Valid);
    assert_eq!(s.chain_path.len(), 3, "signer, bundled intermediate, shipped root: {:?}", s.chain_path);

    // Off: the same file has no trusted path.
    let off = verify(&file, &options(fx, fixture_bundle(fx), false)).report;
    assert_eq!(off.indication, Indication::Indeterminate);
    assert_eq!(off.signatures[0].sub_indication, Some(SubIndication::NoCertificateChainFound));

    // The bundled intermediate is what completes the path: without it the
    // shipped root alone does not reach the signer.
    let no_int = TrustBundle { intermediates: Vec::new(), ..fixture_bundle(fx) };
    let r = verify(&file, &options(fx, no_int, true)).report;
    assert_eq!(r.signatures[0].sub_indication, Some(SubIndication::NoCertificateChainFound), "{:?}", r.signatures[0]);

    // An intermediate is no anchor: bundled as anchor-less, nothing trusts it.
    let int_only = TrustBundle { anchors: Vec::new(), ..fixture_bundle(fx) };
    let r = verify(&file, &options(fx, int_only, true)).report;
    assert_eq!(r.indication, Indication::Indeterminate);

    // Kyso's real bundle does not trust the fixture PKI, on or off.
    let real = verify(&file, &options(fx, TrustBundle::shipped(), true)).report;
    assert_eq!(real.signatures[0].sub_indication, Some(SubIndication::NoCertificateChainFound));

    // The user's anchors still count with the shipped ones switched off.
    let user = VerifyOptions { anchors: load(fx, "root.pem"), ..options(fx, fixture_bundle(fx), false) };
    assert_eq!(verify(&file, &user).report.indication, Indication::TotalPassed);
}

/// The default options carry the real shipped bundle, switched on.
#[test]
fn default_options_trust_the_shipped_roots_and_offer_ca_g2() {
    let o = VerifyOptions::default();
    assert!(o.shipped_anchors);
    let names = |v: &[kyso_pki::CertDer]| -> Vec<Option<&'static str>> {
        v.iter().map(|c| kyso_pki::pinned_name(&c.cert)).collect()
    };
    assert_eq!(names(&o.trust_anchors()), [Some("RootCA chuyên dùng Chính phủ G2"), Some("Vietnam National Root CA")]);
    assert_eq!(names(&o.path_certificates()), [Some("CA phục vụ các cơ quan Nhà nước G2")]);
    let off = VerifyOptions { shipped_anchors: false, ..Default::default() };
    assert!(off.trust_anchors().is_empty());
    assert_eq!(off.path_certificates().len(), 1, "the intermediate helps paths either way");
}
