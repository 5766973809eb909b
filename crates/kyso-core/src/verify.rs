//! One verification for PDF and Office files alike.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use kyso_pki::CertDer;
use kyso_pki::precheck::{PrecheckOptions, RevocationCache};
use kyso_pki::report::DocumentReport;

use crate::document::{Document, Format};
use crate::journal::{JournalProblem, record};

/// Inputs of a verification, whatever the format.
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// Trust anchors.
    pub anchors: Vec<CertDer>,
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
                anchors: opts.anchors.clone(),
                extra_certs: opts.extra_certs.clone(),
                crls: opts.crls.clone(),
                at: opts.at,
                online: opts.online.clone(),
            },
        ),
        Format::Office => kyso_ooxml::verify_ooxml(
            doc.path(),
            &kyso_ooxml::VerifyOptions {
                anchors: opts.anchors.clone(),
                extra_certs: opts.extra_certs.clone(),
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
