//! Which signing format a file takes: PDF (PAdES) or an Office Open XML
//! package (ECMA-376 Part 2 signatures).

use std::io::Read;
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

/// The format of `path`: by extension, else by the first bytes (`PK` is a
/// ZIP package, anything else is treated as PDF and judged by its reader).
pub fn detect(path: &Path) -> Format {
    let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "pdf" => Format::Pdf,
        "docx" | "docm" | "dotx" | "dotm" | "xlsx" | "xlsm" | "xltx" | "xltm" | "pptx" | "pptm" | "potx" | "potm"
        | "ppsx" | "ppsm" => Format::Ooxml,
        _ => {
            let mut head = [0u8; 4];
            let zip =
                std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok() && head == *b"PK\x03\x04";
            if zip { Format::Ooxml } else { Format::Pdf }
        }
    }
}

/// The default output name: `NAME.signed.EXT` beside the input.
pub fn signed_name(input: &Path) -> PathBuf {
    let stem = input.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "document".into());
    let ext = match detect(input) {
        Format::Pdf => "pdf".to_owned(),
        Format::Ooxml => input.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_else(|| "docx".into()),
    };
    input.with_file_name(format!("{stem}.signed.{ext}"))
}
