//! Why a signing (or one file of it) did not happen, typed at the source:
//! each front end renders these in its own way (exit codes and JSON for
//! the command line, translated text for the desktop app).

use std::path::PathBuf;

use kyso_pki::{CertWarning, P12Error};
use kyso_token::TokenError;

use crate::sign::Level;

/// A PDF-only setting given for an Office file (an Office package has no
/// visible signature, fields or pages: ECMA-376 Part 2 signs parts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PdfOnly {
    /// A visible role (NĐ 30/2020 Phụ lục I).
    Role,
    /// A rectangle for the widget.
    Rect,
    /// Placement by a text on the page.
    Anchor,
    /// A signature image.
    Image,
    /// A seal image.
    Seal,
    /// The document number.
    Number,
    /// The issue date line.
    Date,
    /// The copy form.
    CopyForm,
    /// The copying organisation.
    Organization,
    /// A signature field name.
    Field,
    /// A page.
    Page,
    /// Certification (DocMDP).
    Certify,
    /// The location entry.
    Location,
    /// The contact entry.
    Contact,
    /// RSASSA-PSS.
    Pss,
}

/// Why a batch or a file was not signed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// An image of the look (signature, seal) could not be read.
    #[error("{path}: {source}")]
    Image {
        /// The image file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The token layer failed (module, token, PIN, key).
    #[error("{0}")]
    Token(#[from] TokenError),
    /// No token (with a certificate) was found.
    #[error("no token found")]
    NoToken,
    /// No certificate with a private key matches.
    #[error("no certificate found")]
    CertificateNotFound,
    /// Several certificates match: their names and serials.
    #[error("several certificates match: {}", .0.join("; "))]
    CertificateAmbiguous(Vec<String>),
    /// The certificate cannot sign now (TT 15/2025 Art. 5).
    #[error("certificate refused: {0:?}")]
    CertificateRefused(CertWarning),
    /// The key cannot be used with Kyso's algorithms.
    #[error("unsupported key: {0}")]
    UnsupportedKey(String),
    /// A PKCS#12 file needs its password.
    #[error("a password is required")]
    PasswordRequired,
    /// The PKCS#12 file could not be opened.
    #[error("{0}")]
    Pkcs12(#[from] P12Error),
    /// The person declined the signing when asked to confirm it.
    #[error("declined")]
    Declined,
    /// The pre-signing check found the certificate revoked (Unix time).
    #[error("the certificate is revoked")]
    Revoked(i64),
    /// The pre-signing check found the certificate unusable.
    #[error("certificate unusable: {0:?}")]
    Unusable(CertWarning),
    /// Revocation could not be checked and signing without it was not
    /// allowed (Thông tư 15/2025 asks for an explicit consent).
    #[error("revocation could not be checked: {0}")]
    RevocationUnchecked(kyso_pki::precheck::Unchecked),
    /// The PDF could not be read to place the signature.
    #[error("{0}")]
    Unreadable(kyso_pdf::PdfError),
    /// The visible preset could not be placed.
    #[error("{0}")]
    Placement(kyso_pdf::presets::PresetError),
    /// A PDF-only setting was given for an Office file.
    #[error("not for Office files: {0:?}")]
    NotForOffice(PdfOnly),
    /// A PAdES-only level was asked for an Office file.
    #[error("level {0} is not for Office files")]
    LevelNotForOffice(Level),
    /// The output is the input.
    #[error("the output is the input")]
    SameFile,
    /// The certificate's kind is not the one the role needs (NĐ 30/2020
    /// Art. 32(2)(c–d), Art. 33): refused before the PIN unless the request
    /// allows it.
    #[error("the {} role needs {} certificate; this one is {}", crate::precheck::role_name(*role), needed.name(), found.name())]
    RoleMismatch {
        /// The role.
        role: kyso_pdf::presets::Role,
        /// The kind it needs.
        needed: kyso_pki::kind::CertKind,
        /// The certificate's.
        found: kyso_pki::kind::CertKind,
    },
    /// The output exists and overwriting was not asked for.
    #[error("{0} exists")]
    OutputExists(PathBuf),
    /// Signing the PDF failed.
    #[error("{0}")]
    Pdf(kyso_pdf::SignError),
    /// Signing the Office package failed.
    #[error("{0}")]
    Office(kyso_ooxml::OoxmlError),
    /// The signed PDF could not be brought to B-LT/B-LTA (no output was
    /// left at a lower level).
    #[error("{0}")]
    LongTerm(kyso_pdf::SignError),
}

impl Error {
    /// The stable code of the error (the JSON `error.code` of `kyso-cli
    /// sign`, the journal's error code).
    pub fn code(&self) -> &'static str {
        use kyso_pdf::SignError as S;
        use kyso_pdf::presets::PresetError as P;
        match self {
            Self::Io { .. } | Self::Image { .. } => "io",
            Self::Token(e) => match e.code() {
                kyso_token::ErrorCode::PinIncorrect => "pin_incorrect",
                kyso_token::ErrorCode::PinLocked => "pin_locked",
                kyso_token::ErrorCode::TokenNotFound => "token_not_found",
                kyso_token::ErrorCode::TokenRemoved => "token_removed",
                kyso_token::ErrorCode::KeyNotFound => "key_not_found",
                _ => "token_error",
            },
            Self::NoToken => "token_not_found",
            Self::CertificateNotFound => "certificate_not_found",
            Self::CertificateAmbiguous(_) => "certificate_ambiguous",
            Self::CertificateRefused(_) | Self::Unusable(_) => "certificate_refused",
            Self::UnsupportedKey(_) => "unsupported_key",
            Self::PasswordRequired => "pin_required",
            Self::Pkcs12(P12Error::WrongPassword) => "wrong_password",
            Self::Pkcs12(P12Error::Io(_)) => "io",
            Self::Pkcs12(_) => "p12_invalid",
            Self::Declined => "declined",
            Self::Revoked(_) => "certificate_revoked",
            Self::RevocationUnchecked(_) => "revocation_unchecked",
            Self::Unreadable(_) => "pdf_malformed",
            Self::Placement(p) => match p {
                P::Appearance(_) => "image_invalid",
                P::Missing(_) => "usage",
                P::RectOffPage => "rect_off_page",
                P::AnchorNotFound(_) => "anchor_not_found",
                P::NoSuchPage { .. } => "no_such_page",
                P::BlankNotFound(_) => "blank_not_found",
                P::SymbolMismatch { .. } => "number_symbol_mismatch",
                P::BadDate(_) => "bad_date",
                P::YearMismatch { .. } => "date_year_mismatch",
                _ => "pdf_malformed",
            },
            Self::NotForOffice(_) | Self::LevelNotForOffice(_) => "option_not_for_ooxml",
            Self::SameFile => "same_file",
            Self::RoleMismatch { .. } => "role_mismatch",
            Self::OutputExists(_) => "output_exists",
            Self::Pdf(e) | Self::LongTerm(e) => match e {
                S::OutputExists(_) => "output_exists",
                S::SameFile => "same_file",
                S::Io { .. } | S::Pdf(kyso_pdf::PdfError::Io(_)) => "io",
                S::Pdf(kyso_pdf::PdfError::Encrypted) | S::Encrypted => "encrypted",
                S::Pdf(_) => "pdf_malformed",
                S::DocMdpForbids => "docmdp_forbids",
                S::CertifyNotFirst => "certify_not_first",
                S::FieldNotEmpty(_) => "field_not_empty",
                S::FieldTakesNoWidgets(_) => "field_takes_no_widgets",
                S::NoSuchPage { .. } => "no_such_page",
                S::Timestamp(_) => "timestamp_failed",
                S::Signer(kyso_pki::SignerError::TokenRemoved) => "token_removed",
                S::NoRevocationData => "no_revocation_data",
                S::Signer(_) => "signer_error",
                _ => "sign_failed",
            },
            Self::Office(e) => {
                use kyso_ooxml::OoxmlError as O;
                match e {
                    O::OutputExists(_) => "output_exists",
                    O::Io(_) => "io",
                    O::Timestamp(_) => "timestamp_failed",
                    O::Signer(kyso_pki::SignerError::TokenRemoved) => "token_removed",
                    O::Signer(_) => "signer_error",
                    O::UnsupportedAlgorithm(_) => "unsupported_algorithm",
                    _ => "ooxml_malformed",
                }
            }
        }
    }
}
