//! The user's trust anchors, kept as DER files named by their SHA-256 in a
//! folder of the data directory (`trust/`). The Vietnamese roots are pinned
//! by SHA-256 ([`crate::VGCA_PINS`]): a certificate that claims one of their
//! names without matching its pin is refused (RFC 5280 §6.1.1 (d): the
//! anchor is the relying party's choice, so it is checked here, once).

use std::path::{Path, PathBuf};

use crate::{CertDer, VGCA_PINS, cert_sha256, format_name, load_certificates, name_attribute, pinned_name};

/// Why an anchor was not stored.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Named like a pinned Vietnamese root, but another certificate.
    #[error("{subject} is named like a pinned Vietnamese root but its SHA-256 {sha256} does not match")]
    PinMismatch {
        /// Its subject.
        subject: String,
        /// Its SHA-256.
        sha256: String,
    },
    /// The folder could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// What a stored anchor is.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AnchorInfo {
    /// Its subject.
    pub subject: String,
    /// SHA-256 of its DER, lower-case hex.
    pub sha256: String,
    /// The pinned root it is, if any.
    pub pinned: Option<&'static str>,
}

impl AnchorInfo {
    /// Describes `c`.
    pub fn of(c: &CertDer) -> Self {
        Self {
            subject: format_name(c.cert.tbs_certificate().subject()),
            sha256: cert_sha256(&c.cert),
            pinned: pinned_name(&c.cert),
        }
    }
}

/// A folder of trust anchors.
#[derive(Clone, Debug)]
pub struct AnchorStore {
    dir: PathBuf,
}

impl AnchorStore {
    /// The store in `dir` (created on the first addition).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The store of a data directory (`DATA_DIR/trust`).
    pub fn in_data_dir(data_dir: &Path) -> Self {
        Self::new(data_dir.join("trust"))
    }

    /// Every certificate in the store, sorted and without duplicates;
    /// unreadable files are skipped.
    pub fn list(&self) -> Vec<CertDer> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return Vec::new() };
        let mut out: Vec<CertDer> = entries
            .flatten()
            .filter(|e| e.path().extension().is_none_or(|x| x != "part"))
            .filter_map(|e| std::fs::read(e.path()).ok())
            .flat_map(|b| load_certificates(&b))
            .collect();
        out.sort_by(|a, b| a.der.cmp(&b.der));
        out.dedup();
        out
    }

    /// Stores `c` (written whole, then renamed into place).
    pub fn add(&self, c: &CertDer) -> Result<AnchorInfo, StoreError> {
        let info = AnchorInfo::of(c);
        let cn = name_attribute(c.cert.tbs_certificate().subject(), cn_oid()).unwrap_or_default();
        if info.pinned.is_none() && VGCA_PINS.iter().any(|(n, _)| cn == *n) {
            return Err(StoreError::PinMismatch { subject: info.subject, sha256: info.sha256 });
        }
        let path = self.dir.join(format!("{}.der", info.sha256));
        let io = |source| StoreError::Io { path: path.clone(), source };
        std::fs::create_dir_all(&self.dir).map_err(io)?;
        let tmp = path.with_extension("part");
        std::fs::write(&tmp, &c.der).map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io(e)
        })?;
        Ok(info)
    }

    /// Removes the anchor with this SHA-256; `false` if there is none.
    pub fn remove(&self, sha256: &str) -> std::io::Result<bool> {
        // Only a SHA-256 names a file here (never a path).
        if sha256.len() != 64 || !sha256.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Ok(false);
        }
        match std::fs::remove_file(self.dir.join(format!("{}.der", sha256.to_lowercase()))) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
}

fn cn_oid() -> der::asn1::ObjectIdentifier {
    der::asn1::ObjectIdentifier::new_unwrap("2.5.4.3")
}
