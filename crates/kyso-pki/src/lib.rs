//! Kyso's signing core: the [`Signer`] abstraction (PKCS#11 tokens and
//! PKCS#12 files implement it), algorithm identifiers, certificate facts for
//! display, and raw-signature verification.
//!
//! Nothing here knows about PDF, OOXML or any GUI.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod algorithm;
mod cert;
mod cms;
mod p12;
mod signer;
mod verify;

pub use algorithm::{DigestAlgorithm, Hasher, SignatureAlgorithm, ecdsa_raw_to_der, rsa_digest_info};
pub use cert::{CertInfo, CertWarning, KeyKind, format_name, name_attribute};
pub use cms::{build_detached_cms, estimate_cms_len};
pub use p12::{P12Error, Pkcs12Signer};
pub use signer::{Signer, SignerError, ecdsa_der_max_len};
pub use verify::{VerifyError, verify_digest_signature};

/// Re-exported so dependants use the exact pinned versions.
pub use der;
pub use x509_cert;
pub use x509_cert::Certificate;
