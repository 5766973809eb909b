//! Kyso's OOXML layer: package signatures for DOCX, XLSX and PPTX as Office
//! 2010 and later write them (ECMA-376 Part 2 §12-13, W3C XML-DSig 1.1,
//! ETSI XAdES 1.3.2), verified with the same trust engine and report
//! vocabulary as PDF. The XML reader and Canonical XML are our own.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod c14n;
pub mod dsig;
pub mod opc;
pub mod package;
mod sign;
mod verify;
pub mod xml;
pub mod zipread;

pub use kyso_pki::report::{DocumentReport, Indication, SignatureReport};
pub use sign::{SignOptions, SignOutcome, sign_ooxml};
pub use verify::{CHANGE_KINDS, VerifyOptions, verify_bytes, verify_ooxml};

/// Whether `path` is an Office Open XML package: by extension (DOCX, XLSX,
/// PPTX and their macro, template and show variants), else by the ZIP
/// signature of its first bytes.
pub fn is_package(path: &std::path::Path) -> bool {
    let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "pdf" => false,
        "docx" | "docm" | "dotx" | "dotm" | "xlsx" | "xlsm" | "xltx" | "xltm" | "pptx" | "pptm" | "potx" | "potm"
        | "ppsx" | "ppsm" => true,
        _ => {
            let mut head = [0u8; 4];
            std::fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head)).is_ok()
                && head == *b"PK\x03\x04"
        }
    }
}

/// The default name of a signed copy: `NAME.signed.EXT` beside the input
/// (`.pdf` unless the input is an OOXML package, which keeps its extension).
pub fn signed_name(input: &std::path::Path) -> std::path::PathBuf {
    let stem = input.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "document".into());
    let ext = match input.extension() {
        Some(e) if is_package(input) => e.to_string_lossy().into_owned(),
        _ => "pdf".to_owned(),
    };
    input.with_file_name(format!("{stem}.signed.{ext}"))
}

/// Why a package could not be read, signed or written. The CLI and the GUI
/// translate these.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OoxmlError {
    /// Reading or writing a file failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// Not a ZIP file with `[Content_Types].xml`.
    #[error("not an Office Open XML package")]
    NotOoxml,
    /// The ZIP structure is damaged.
    #[error("damaged ZIP structure: {0}")]
    Zip(String),
    /// Two ZIP items name the same part.
    #[error("two items name the part {0}")]
    DuplicatePart(String),
    /// `[Content_Types].xml` has two Default elements for one extension or
    /// two Override elements for one part name (ECMA-376 Part 2 §10.1.2.2).
    #[error("[Content_Types].xml has a second {0}")]
    DuplicateContentType(String),
    /// The package is structurally ambiguous (signature origin,
    /// relationships parts): refused rather than signed.
    #[error("the package is ambiguous: {0}")]
    Ambiguous(String),
    /// A part the package needs is missing.
    #[error("missing part {0}")]
    PartMissing(String),
    /// A part is larger than we read.
    #[error("part too large: {0}")]
    TooLarge(String),
    /// A part is not well-formed XML.
    #[error(transparent)]
    Xml(#[from] xml::XmlError),
    /// A part is well-formed but not what OPC requires.
    #[error("malformed package: {0}")]
    Malformed(&'static str),
    /// The signing key or token failed.
    #[error(transparent)]
    Signer(#[from] kyso_pki::SignerError),
    /// The signer's algorithm has no XML-DSig form we write.
    #[error("the signing algorithm is not supported for OOXML: {0}")]
    UnsupportedAlgorithm(String),
    /// The timestamping authority failed (XAdES-T).
    #[error("timestamp: {0}")]
    Timestamp(String),
    /// The output exists and overwriting was not asked for.
    #[error("output file exists: {0}")]
    OutputExists(String),
}
