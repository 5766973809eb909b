//! One verification for PDF and Office files alike.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use kyso_pki::CertDer;
use kyso_pki::precheck::{PrecheckOptions, RevocationCache};
use kyso_pki::report::DocumentReport;

use crate::document::{Document, Format};
use crate::journal::{JournalProblem, record};
use crate::trust::TrustBundle;

/// Inputs of a verification, whatever the format.
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    /// The user's trust anchors (imported, or given for this run).
    pub anchors: Vec<CertDer>,
    /// The certificates shipped with Kyso ([`TrustBundle::shipped`] by
    /// default): their intermediates always help build paths, their
    /// anchors are trusted when [`VerifyOptions::shipped_anchors`] is on.
    pub shipped: TrustBundle,
    /// Trust the shipped anchors (on by default; the `shipped_anchors`
    /// setting, `kyso-cli verify --no-shipped-anchors`).
    pub shipped_anchors: bool,
    /// Extra intermediates (beside those the file carries).
    pub extra_certs: Vec<CertDer>,
    /// Extra CRLs (DER).
    pub crls: Vec<Vec<u8>>,
    /// Validation time; default: the signature's timestamp, else now.
    pub at: Option<SystemTime>,
    /// Fetch revocation answers (OCSP, then CRL) the file does not carry;
    /// `None` keeps verification offline.
    pub online: Option<PrecheckOptions>,
    /// Journal the verification in this data directory.
    pub journal: Option<PathBuf>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self {
            anchors: Vec::new(),
            shipped: TrustBundle::shipped(),
            shipped_anchors: true,
            extra_certs: Vec::new(),
            crls: Vec::new(),
            at: None,
            online: None,
            journal: None,
        }
    }
}

impl VerifyOptions {
    /// The anchors in force: the user's, then the shipped ones when on
    /// (RFC 5280 §6.1.1 (d): the relying party's choice).
    pub fn trust_anchors(&self) -> Vec<CertDer> {
        let mut out = self.anchors.clone();
        if self.shipped_anchors {
            out.extend(self.shipped.anchors.iter().filter(|c| !self.anchors.contains(c)).cloned());
        }
        out
    }

    /// The intermediates offered to path building: those given, then the
    /// shipped ones (VGCA signatures embed only the signer's certificate;
    /// an intermediate adds no trust, a path must still end at an anchor).
    pub fn path_certificates(&self) -> Vec<CertDer> {
        let mut out = self.extra_certs.clone();
        out.extend(self.shipped.intermediates.iter().filter(|c| !self.extra_certs.contains(c)).cloned());
        out
    }
}

/// Online revocation for a verification from `data_dir` (answers cached
/// in its `cache`), 10 s per request, through `proxy` (`None`: the
/// environment's).
pub fn online_options(data_dir: &Path, proxy: Option<String>) -> PrecheckOptions {
    PrecheckOptions {
        offline: false,
        timeout: Duration::from_secs(10),
        cache: Some(RevocationCache::new(data_dir.join("cache"))),
        proxy,
    }
}

/// A verified document.
#[derive(Debug)]
pub struct Verification {
    /// Its format.
    pub format: Format,
    /// The report (ETSI EN 319 102-1 indications per signature).
    pub report: DocumentReport,
    /// What went wrong with the journal, if anything.
    pub journal: Vec<JournalProblem>,
}

/// Verifies every signature of the file at `path` (PDF or Office) and
/// journals it when asked. A file that cannot be opened gets a failed
/// report, never a panic.
pub fn verify(path: &Path, opts: &VerifyOptions) -> Verification {
    match Document::open(path) {
        Ok(doc) => verify_document(&doc, opts),
        Err(e) => Verification {
            format: Format::detect(path),
            report: DocumentReport::failed(format!("{}: {e}", path.display())),
            journal: Vec::new(),
        },
    }
}

pub(crate) fn verify_document(doc: &Document, opts: &VerifyOptions) -> Verification {
    let report = match doc.format() {
        Format::Pdf => kyso_pdf::verify_pdf(
            doc.path(),
            &kyso_pdf::VerifyOptions {
                anchors: opts.trust_anchors(),
                extra_certs: opts.path_certificates(),
                crls: opts.crls.clone(),
                at: opts.at,
                online: opts.online.clone(),
            },
        ),
        Format::Office => kyso_ooxml::verify_ooxml(
            doc.path(),
            &kyso_ooxml::VerifyOptions {
                anchors: opts.trust_anchors(),
                extra_certs: opts.path_certificates(),
                crls: opts.crls.clone(),
                at: opts.at,
                online: opts.online.clone(),
            },
        ),
    };
    let journal = match &opts.journal {
        Some(dir) => record(dir, &kyso_journal::Entry::verification(doc.path(), &report)),
        None => Vec::new(),
    };
    Verification { format: doc.format(), report, journal }
}
