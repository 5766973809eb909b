//! Helpers shared by the kyso-pdf integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::time::SystemTime;

use kyso_pdf::VerifyOptions;
use kyso_pki::{load_certificates, load_crl};
use kyso_testkit::Fixture;
use kyso_token::{Pin, Pkcs11Signer, SignerOptions, list_certificates, load_module};

/// A logged-in signer for the certificate named `cn` on the token `token`.
pub fn signer(fx: &Fixture, token: &str, pin: &str, cn: &str) -> Pkcs11Signer {
    let module = load_module(&fx.module).unwrap();
    let (slot, _) = module.find_tokens(Some(token)).unwrap().remove(0);
    let certs = list_certificates(&module, slot, None).unwrap();
    let entry = certs.iter().find(|c| c.certificate.subject_cn.as_deref() == Some(cn)).unwrap();
    Pkcs11Signer::open(&module, entry, Pin::new(pin.into()), SignerOptions::default()).unwrap()
}

/// The fixture root as anchor, the intermediate, and both CRLs.
pub fn trust_at(fx: &Fixture, at: Option<SystemTime>) -> VerifyOptions {
    VerifyOptions {
        anchors: load_certificates(&std::fs::read(fx.pki_file("root.pem")).unwrap()),
        extra_certs: load_certificates(&std::fs::read(fx.pki_file("int.pem")).unwrap()),
        crls: ["crl.pem", "root-crl.pem"]
            .iter()
            .map(|f| load_crl(&std::fs::read(fx.pki_file(f)).unwrap()).unwrap())
            .collect(),
        at,
        online: None,
    }
}

/// [`trust_at`] now.
pub fn trust(fx: &Fixture) -> VerifyOptions {
    trust_at(fx, None)
}
