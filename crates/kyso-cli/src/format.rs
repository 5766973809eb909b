//! Which signing format a file takes: PDF (PAdES) or an Office Open XML
//! package (ECMA-376 Part 2 signatures).

use std::path::{Path, PathBuf};

/// A document format Kyso signs and verifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// PDF.
    Pdf,
    /// DOCX, XLSX, PPTX (and their macro and template variants).
    Ooxml,
}

impl Format {
    /// The name used in JSON reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Ooxml => "ooxml",
        }
    }
}

/// The format of `path` (anything not a package is judged as PDF).
pub fn detect(path: &Path) -> Format {
    if kyso_ooxml::is_package(path) { Format::Ooxml } else { Format::Pdf }
}

/// The default output name: `NAME.signed.EXT` beside the input.
pub fn signed_name(input: &Path) -> PathBuf {
    kyso_ooxml::signed_name(input)
}
