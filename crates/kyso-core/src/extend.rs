//! Bringing an already signed PDF (ours or anyone's) to a long-term level:
//! a DSS with certificates, CRLs and OCSP responses (PAdES B-LT, ETSI EN
//! 319 142-1 §5.4), then a document timestamp over it all (B-LTA, §5.5).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::journal::{JournalProblem, record};
use crate::sign::{Level, Tsa};

/// An upgrade of a signed PDF.
#[derive(Clone, Debug)]
pub struct ExtendRequest {
    /// The signed PDF (never modified).
    pub input: PathBuf,
    /// The upgraded copy.
    pub output: PathBuf,
    /// B-LT or B-LTA (lower levels are refused).
    pub level: Level,
    /// Certificates to add (DER: intermediates, roots, TSA).
    pub certs: Vec<Vec<u8>>,
    /// CRLs to add (DER).
    pub crls: Vec<Vec<u8>>,
    /// Never use the network (only what is given goes in).
    pub offline: bool,
    /// The TSA of the document timestamp (B-LTA).
    pub tsa: Tsa,
    /// The HTTP proxy (`None`: the environment's).
    pub proxy: Option<String>,
    /// Replace an existing output.
    pub overwrite: bool,
    /// Journal the upgrade in this data directory.
    pub journal: Option<PathBuf>,
}

/// What went into the DSS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extended {
    /// Certificates in the DSS.
    pub certificates: usize,
    /// CRLs in the DSS.
    pub crls: usize,
    /// OCSP responses in the DSS.
    pub ocsps: usize,
    /// Signatures given a VRI entry.
    pub signatures: usize,
    /// What went wrong with the journal, if anything.
    pub journal: Vec<JournalProblem>,
}

/// Why an upgrade failed (no output is left).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExtendError {
    /// The PDF could not be read.
    #[error("{0}")]
    Unreadable(kyso_pdf::PdfError),
    /// It holds no signature.
    #[error("no signature")]
    NoSignature,
    /// Only B-LT and B-LTA are upgrades.
    #[error("level {0} is not a long-term level")]
    Level(Level),
    /// Writing the DSS failed.
    #[error("{0}")]
    Dss(kyso_pdf::SignError),
    /// The document timestamp failed.
    #[error("{0}")]
    Timestamp(kyso_pdf::SignError),
}

/// Upgrades `req.input` into `req.output`: the material of every signature
/// (its CMS certificates, what is given), current revocation answers for
/// every certificate whose issuer is known (fresher than the signatures,
/// ETSI EN 319 102-1 §5.2.5.4) unless offline, a DSS, and for B-LTA a
/// document timestamp. Journaled when it succeeded.
pub fn extend(req: &ExtendRequest) -> Result<Extended, ExtendError> {
    if !req.level.long_term() {
        return Err(ExtendError::Level(req.level));
    }
    let reader = kyso_pdf::PdfReader::open(&req.input).map_err(ExtendError::Unreadable)?;
    let mut material = match kyso_pdf::ltv::collect_material(&reader, &req.certs, &req.crls) {
        Ok(m) if !m.vri_keys.is_empty() => m,
        Ok(_) => return Err(ExtendError::NoSignature),
        Err(e) => return Err(ExtendError::Unreadable(e)),
    };
    drop(reader);
    let mut notes = Vec::new();
    if !req.offline {
        let parsed: Vec<kyso_pki::Certificate> =
            material.certs.iter().filter_map(|d| kyso_pki::CertDer::from_der(d).map(|c| c.cert)).collect();
        let got = kyso_pki::precheck::gather_revocation_via(
            &parsed,
            &kyso_pki::http::Route { timeout: Duration::from_secs(30), proxy: req.proxy.as_deref() },
        );
        material.ocsps.extend(got.ocsps);
        for c in got.crls {
            if !material.crls.contains(&c) {
                material.crls.push(c);
            }
        }
        notes = got.notes;
    }
    let lta = req.level == Level::Archive;
    let dss_out = if lta { req.output.with_extension("lt.part.pdf") } else { req.output.clone() };
    kyso_pdf::ltv::add_dss(&req.input, &dss_out, &material, req.overwrite || lta).map_err(ExtendError::Dss)?;
    if lta {
        let cfg = kyso_pki::TsaConfig { url: req.tsa.url.clone(), timeout: req.tsa.timeout, proxy: req.proxy.clone() };
        let opts = kyso_pdf::SignOptions { force: req.overwrite, ..Default::default() };
        let res = kyso_pdf::timestamp_pdf(&dss_out, &req.output, &cfg, &opts);
        let _ = std::fs::remove_file(&dss_out);
        res.map_err(ExtendError::Timestamp)?;
    }
    let journal = match &req.journal {
        Some(dir) => record(dir, &entry(req, &material, &notes)),
        None => Vec::new(),
    };
    Ok(Extended {
        certificates: material.certs.len(),
        crls: material.crls.len(),
        ocsps: material.ocsps.len(),
        signatures: material.vri_keys.len(),
        journal,
    })
}

fn entry(req: &ExtendRequest, material: &kyso_pdf::ltv::DssMaterial, notes: &[String]) -> kyso_journal::Entry {
    let facts = |p: &Path| kyso_journal::file_facts(p);
    let (input_path, input_sha256) = facts(&req.input);
    let (output_path, output_sha256) = facts(&req.output);
    kyso_journal::Entry {
        action: "extend".into(),
        input_path,
        input_sha256,
        output_path,
        output_sha256,
        level: Some(req.level.name().to_owned()),
        tsa: (req.level == Level::Archive).then(|| req.tsa.url.clone()),
        evidence: Some(format!(
            "dss: {} certificates, {} CRLs, {} OCSP responses; {}",
            material.certs.len(),
            material.crls.len(),
            material.ocsps.len(),
            notes.join("; ")
        )),
        outcome: "ok".into(),
        ..Default::default()
    }
}
