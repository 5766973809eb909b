//! Which format a document is, decided once.

use std::path::{Path, PathBuf};

/// A document format Kyso signs and verifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// PDF (PAdES, ISO 32000-2 §12.8).
    Pdf,
    /// An Office Open XML package: DOCX, XLSX, PPTX and their macro and
    /// template variants (ECMA-376 Part 2 digital signatures).
    Office,
}

/// Extensions of Office Open XML packages (ECMA-376 Part 1 §15, with the
/// macro-enabled, template and show variants).
const OFFICE_EXTENSIONS: &[&str] =
    &["docx", "docm", "dotx", "dotm", "xlsx", "xlsm", "xltx", "xltm", "pptx", "pptm", "potx", "potm", "ppsx", "ppsm"];

impl Format {
    /// The format of the file at `path`: by its extension, else by its
    /// first bytes (a ZIP local file header, ECMA-376 Part 2 §8 packages are
    /// ZIP files); anything else is judged as PDF.
    pub fn detect(path: &Path) -> Self {
        let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
        if ext == "pdf" {
            return Self::Pdf;
        }
        if OFFICE_EXTENSIONS.contains(&ext.as_str()) {
            return Self::Office;
        }
        let mut head = [0u8; 4];
        let zip = std::fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head)).is_ok()
            && head == *b"PK\x03\x04";
        if zip { Self::Office } else { Self::Pdf }
    }

    /// The name used in JSON reports (`pdf`, `ooxml`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Office => "ooxml",
        }
    }
}

/// A document on disk whose format was detected once.
#[derive(Clone, Debug)]
pub struct Document {
    path: PathBuf,
    format: Format,
}

impl Document {
    /// Opens the document at `path`: it must be a file; its format is
    /// detected here and nowhere else.
    pub fn open(path: impl AsRef<Path>) -> std::io::Result<Self> {
        let path = path.as_ref();
        if !path.is_file() {
            return Err(std::io::Error::new(std::io::ErrorKind::NotFound, "not found"));
        }
        Ok(Self { path: path.to_owned(), format: Format::detect(path) })
    }

    /// A document at `path` without touching the disk beyond detecting its
    /// format (the file may not exist yet).
    pub fn at(path: impl AsRef<Path>) -> Self {
        let path = path.as_ref();
        Self { path: path.to_owned(), format: Format::detect(path) }
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Verifies its signatures ([`crate::verify`]).
    pub fn verify(&self, opts: &crate::VerifyOptions) -> crate::Verification {
        crate::verify::verify_document(self, opts)
    }
}

/// The default name of a signed copy: `NAME.signed.EXT` beside the input
/// (`.pdf` unless the input is an Office package, which keeps its
/// extension). A document that is already a signed copy (`NAME.signed.EXT`,
/// or a numbered one, `NAME.signed (2).EXT`) keeps its name: the next
/// signature is added to it (written to a temporary file beside it, then
/// renamed over it), not to `NAME.signed.signed.EXT`.
pub fn signed_name(input: &Path) -> PathBuf {
    let stem = input.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "document".into());
    let ext = match input.extension() {
        Some(e) if Format::detect(input) == Format::Office => e.to_string_lossy().into_owned(),
        _ => "pdf".to_owned(),
    };
    if signed_stem(&stem).is_some() && input.extension().is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case(&ext))
    {
        return input.to_owned();
    }
    input.with_file_name(format!("{stem}.signed.{ext}"))
}

/// The name before `.signed` of a signed copy's stem (`NAME.signed`,
/// `NAME.signed (N)`), or `None`.
fn signed_stem(stem: &str) -> Option<&str> {
    if let Some(base) = stem.strip_suffix(".signed") {
        return Some(base);
    }
    let open = stem.rfind(".signed (")?;
    let n = stem[open..].strip_prefix(".signed (")?.strip_suffix(')')?;
    (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())).then(|| &stem[..open])
}

/// The `n`-th numbered variant of an output name: `NAME.signed.pdf` becomes
/// `NAME.signed (n).pdf` (`NAME.signed (2).pdf` is the first), any other
/// name `NAME (n).EXT`, as file managers number copies.
pub fn numbered_name(output: &Path, n: u32) -> PathBuf {
    let stem = output.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "document".into());
    let base = match signed_stem(&stem) {
        Some(b) => format!("{b}.signed"),
        None => stem,
    };
    let name = match output.extension() {
        Some(e) => format!("{base} ({n}).{}", e.to_string_lossy()),
        None => format!("{base} ({n})"),
    };
    output.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_extension_then_by_content() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(Format::detect(Path::new("a.PDF")), Format::Pdf);
        assert_eq!(Format::detect(Path::new("a.docx")), Format::Office);
        let zip = dir.path().join("noext");
        std::fs::write(&zip, b"PK\x03\x04rest").expect("write");
        assert_eq!(Format::detect(&zip), Format::Office);
        let other = dir.path().join("other.bin");
        std::fs::write(&other, b"%PDF-1.7").expect("write");
        assert_eq!(Format::detect(&other), Format::Pdf);
        assert_eq!(signed_name(Path::new("/x/a.docx")), PathBuf::from("/x/a.signed.docx"));
        assert_eq!(signed_name(Path::new("/x/a")), PathBuf::from("/x/a.signed.pdf"));
        // A signed copy is signed again under its own name.
        assert_eq!(signed_name(Path::new("/x/qd.signed.pdf")), PathBuf::from("/x/qd.signed.pdf"));
        assert_eq!(signed_name(Path::new("/x/qd.signed (3).pdf")), PathBuf::from("/x/qd.signed (3).pdf"));
        assert_eq!(signed_name(Path::new("/x/a.signed.docx")), PathBuf::from("/x/a.signed.docx"));
        assert_eq!(signed_name(Path::new("/x/qd.signed (x).pdf")), PathBuf::from("/x/qd.signed (x).signed.pdf"));
        assert_eq!(numbered_name(Path::new("/x/qd.signed.pdf"), 2), PathBuf::from("/x/qd.signed (2).pdf"));
        assert_eq!(numbered_name(Path::new("/x/qd.signed (2).pdf"), 3), PathBuf::from("/x/qd.signed (3).pdf"));
        assert_eq!(numbered_name(Path::new("/x/out.pdf"), 2), PathBuf::from("/x/out (2).pdf"));
        assert!(Document::open(dir.path().join("missing.pdf")).is_err());
        assert_eq!(Document::open(&zip).expect("open").format(), Format::Office);
    }
}
