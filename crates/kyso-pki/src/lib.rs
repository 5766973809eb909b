//! Kyso's signing core: the [`Signer`] abstraction (PKCS#11 tokens and
//! PKCS#12 files implement it), algorithm identifiers, certificate facts for
//! display, and raw-signature verification.
//!
//! Nothing here knows about PDF, OOXML or any GUI.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod algorithm;
mod ber;
mod cert;
mod cms;
mod cms_verify;
mod hash;
pub mod http;
pub mod kind;
mod name_constraints;
mod name_prep;
mod names;
pub mod ocsp;
mod p12;
mod policy;
pub mod precheck;
pub mod report;
mod signer;
pub mod store;
pub mod timestamp;
mod trust;
pub mod tsp;
mod verify;

pub use algorithm::{DigestAlgorithm, Hasher, SignatureAlgorithm, ecdsa_raw_to_der, rsa_digest_info};
pub use cert::{CertInfo, CertWarning, KeyKind, format_name, name_attribute};
pub use cms::{CmsBuildError, TsaConfig, build_detached_cms, build_detached_cms_with, estimate_cms_len};
pub use cms_verify::{CmsCheck, CmsFormatError, EssCheck, ParsedCms, der_prefix, parse_cms};
pub use hash::{HashAlg, HashState, signature_hash, verify_message, verify_prehashed};
pub use p12::{P12Error, Pkcs12Signer};
pub use signer::{Signer, SignerError, ecdsa_der_max_len};
pub use trust::{
    CertDer, ChainReport, ChainStatus, PathOptions, RevocationStatus, VGCA_PINS, cert_sha256, check_crls,
    check_path_revocation, load_certificates, load_crl, pinned_name, validate_path, validate_path_with,
};
pub use verify::{VerifyError, verify_digest_signature};

/// Re-exported so dependants use the exact pinned versions.
pub use der;
pub use x509_cert;
pub use x509_cert::Certificate;

#[doc(hidden)]
pub use serde as __serde;
