//! Kyso's core: the one place where a document is opened, verified and
//! signed, between the format libraries (kyso-pdf, kyso-ooxml), the token
//! layer (kyso-token), the PKI (kyso-pki), the journal (kyso-journal) and
//! the front ends (kyso-cli, the desktop app, the e-office web bridge).
//!
//! A front end parses its input, builds a [`SignRequest`] or
//! [`VerifyOptions`], calls [`sign_batch`] or [`verify`], and renders what
//! comes back. Format detection, the pre-signing certificate check, the
//! PDF/Office dispatch, the visible presets, the long-term upgrade
//! (B-LT/B-LTA) and journaling all happen here, once.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod clock;
mod document;
mod error;
mod extend;
mod journal;
mod precheck;
mod sign;
mod trust;
mod verify;

pub use clock::clock;
#[cfg(debug_assertions)]
pub use clock::with_fixed_clock;
pub use document::{Document, Format, numbered_name, signed_name};
pub use error::{Error, PdfOnly};
pub use extend::{ExtendError, ExtendRequest, Extended, extend};
pub use journal::{JournalProblem, record};
pub use kyso_pki::kind::{CertKind, Classification, KindSignal};
pub use precheck::{
    Finding, OnExists, Prechecked, RequiredImage, Severity, certificate_kind, journal_stopped, precheck, role_name,
    role_needs,
};
pub use sign::{
    AlgorithmChoice, Batch, Confirmation, Credential, Decision, Destination, Level, Look, Output, PdfFields,
    PrecheckInputs, Progress, SignOutcome, SignRequest, Signed, Target, Tsa, certificate_listing, find_certificate,
    find_certificate_for, list_certificates, sign_batch,
};
pub use trust::{
    SHIPPED_ANCHORS_KEY, SettingsError, ShippedCert, ShippedRole, TrustBundle, TrustEntry, TrustSource, pin_impostor,
    set_shipped_anchors_enabled, settings_path, shipped_anchors_enabled, shipped_certificates, trust_list,
};
pub use verify::{Verification, VerifyOptions, online_options, verify};

pub use kyso_pdf::presets::Role;
pub use kyso_pki::report::{DocumentReport, Indication, SignatureReport};

/// The data directory (journal, settings, trust store, revocation cache):
/// `KYSO_DATA_DIR`, else the platform's.
pub fn data_dir() -> std::path::PathBuf {
    kyso_journal::data_dir()
}

/// The trust anchors imported into the store of `data_dir` (`kyso-cli
/// trust add`, the desktop Settings).
pub fn stored_anchors(data_dir: &std::path::Path) -> Vec<kyso_pki::CertDer> {
    kyso_pki::store::AnchorStore::in_data_dir(data_dir).list()
}
