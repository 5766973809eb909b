//! The verification report every document format shares (PDF, OOXML): one
//! vocabulary of verdicts (ETSI EN 319 102-1 §5.1.3 indications and
//! sub-indications), and the chain, revocation and verdict steps that do not
//! depend on the format.

use std::time::SystemTime;

use serde::Serialize;

use crate::{CertDer, ChainStatus, RevocationStatus, check_crls, validate_path};

/// ETSI EN 319 102-1 main indication.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Indication {
    /// All checks passed.
    TotalPassed,
    /// Not enough to conclude.
    Indeterminate,
    /// Proven invalid.
    TotalFailed,
}

/// One signature (or document timestamp) in the report.
#[derive(Clone, Debug, Serialize)]
pub struct SignatureReport {
    /// PDF: the fully qualified field name; OOXML: the signature part.
    pub field: String,
    /// `signature` or `document_timestamp`.
    pub kind: &'static str,
    /// PDF: `/SubFilter`; OOXML: `xmldsig`.
    pub subfilter: String,
    /// Signer common name.
    pub signer: Option<String>,
    /// Signer's organisation.
    pub organization: Option<String>,
    /// Signer's full subject.
    pub signer_subject: Option<String>,
    /// Issuer of the signer's certificate.
    pub issuer: Option<String>,
    /// Signer certificate serial (hex).
    pub serial: Option<String>,
    /// Signer certificate validity start.
    pub cert_not_before: Option<String>,
    /// Signer certificate validity end.
    pub cert_not_after: Option<String>,
    /// Claimed signing time (the same as `claimed_time`; kept for readers
    /// of earlier reports).
    pub signing_time: Option<String>,
    /// Claimed signing time: PDF `/M`, else the CMS signing-time; OOXML the
    /// XAdES SigningTime. Shown as claimed, never used to decide (ETSI EN
    /// 319 102-1 §5.6.3).
    pub claimed_time: Option<String>,
    /// Time of an intact RFC 3161 timestamp (signature or document
    /// timestamp): its imprint and signature verify; whether its authority
    /// is trusted is `timestamp_trust`.
    pub timestamp: Option<String>,
    /// That timestamp's validation (ETSI EN 319 102-1 §5.4): `trusted`
    /// (it is a proof of existence), `untrusted` (intact, but its authority
    /// is not a trusted, valid, unrevoked TSA bound by the token),
    /// `invalid` (malformed, for other data, or its signature fails) or
    /// `none`.
    pub timestamp_trust: &'static str,
    /// Best proven time (ETSI EN 319 102-1 §5.6.2.4): the earliest
    /// validated timestamp covering the signature (its signature timestamp,
    /// a validated VRI timestamp, document timestamps of later revisions).
    /// Revocation and expiry are judged against it; `None`: no proof.
    pub poe_time: Option<String>,
    /// `intact`, `broken` or `unknown`.
    pub integrity: &'static str,
    /// PDF: `whole_file`, `whole_revision` or `anomaly`; OOXML:
    /// `whole_package` (metadata left unsigned by design is listed in the
    /// warnings) or `anomaly`.
    pub coverage: &'static str,
    /// `none`, `allowed` or `disallowed`.
    pub modifications: &'static str,
    /// What changed after signing, or is not covered (one line per finding).
    pub modification_details: Vec<String>,
    /// PDF: the level of what changed after signing, as pyHanko names the
    /// levels: `none`, `lta_updates` (DSS, document timestamps, metadata),
    /// `form_filling` (signing and filling fields), `annotations`, `other`.
    pub modification_level: &'static str,
    /// Every change after signing, allowed or not, for the person to see.
    pub changes: Vec<Change>,
    /// PDF: regions whose rendering differs between the signed revision
    /// and the document as it is now (kyso-preview's visual comparison).
    pub visual_changes: Vec<VisualChange>,
    /// Path validation status.
    pub chain: ChainStatus,
    /// Subjects of the path, signer first.
    pub chain_path: Vec<String>,
    /// `good`; `revoked` (at or before the proven time `poe_time`);
    /// `revoked_after_signing` (after the proven time); `revoked_no_poe`
    /// (revoked, and nothing proves the signature existed before);
    /// `not_checked`.
    pub revocation: &'static str,
    /// Indication.
    pub indication: Indication,
    /// Sub-indication.
    pub sub_indication: Option<&'static str>,
    /// Warnings (translation keys).
    pub warnings: Vec<String>,
    /// PDF `/ByteRange` (empty for OOXML).
    pub byte_range: Vec<i64>,
    /// DocMDP permission when this is a certification signature.
    pub certification: Option<i64>,
    /// PDF: the revision the signature covers and how many the file has
    /// (incremental updates, ISO 32000-2 §7.5.6), e.g. `[1, 3]`.
    pub revision: Option<[usize; 2]>,
}

impl SignatureReport {
    /// A report that has proven nothing yet: a format failure until the
    /// checks say otherwise.
    pub fn new(field: String, kind: &'static str, subfilter: String) -> Self {
        Self {
            field,
            kind,
            subfilter,
            signer: None,
            organization: None,
            signer_subject: None,
            issuer: None,
            serial: None,
            cert_not_before: None,
            cert_not_after: None,
            signing_time: None,
            claimed_time: None,
            timestamp: None,
            timestamp_trust: "none",
            poe_time: None,
            integrity: "unknown",
            coverage: "anomaly",
            modifications: "none",
            modification_details: Vec::new(),
            modification_level: "none",
            changes: Vec::new(),
            visual_changes: Vec::new(),
            chain: ChainStatus::NoChainFound,
            chain_path: Vec::new(),
            revocation: "not_checked",
            indication: Indication::TotalFailed,
            sub_indication: Some("FORMAT_FAILURE"),
            warnings: Vec::new(),
            byte_range: Vec::new(),
            certification: None,
            revision: None,
        }
    }

    /// Fills the signer's facts from a certificate.
    pub fn set_signer(&mut self, cert: &x509_cert::Certificate) {
        let info = crate::CertInfo::from_certificate(cert, SystemTime::now());
        self.signer = info.subject_cn.clone();
        self.organization = info.organization.clone();
        self.signer_subject = Some(info.subject.clone());
        self.issuer = Some(info.issuer.clone());
        self.serial = Some(info.serial.clone());
        self.cert_not_before = Some(info.not_before);
        self.cert_not_after = Some(info.not_after);
    }
}

/// One change made after a signature (PDF: in a later incremental update).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// What kind of change (a translation key suffix: `change-<kind>`), e.g.
    /// `signature_added`, `annotation_added`, `page_content_changed`.
    pub kind: &'static str,
    /// The page it concerns (1-based), when it concerns one.
    pub page: Option<usize>,
    /// Where on the page (x, y, width, height in PDF user space).
    pub rect: Option<[f64; 4]>,
    /// Technical detail (object numbers, keys), not translated.
    pub detail: String,
    /// Whether the change is allowed after this signature.
    pub allowed: bool,
}

/// A region that looks different now from the signed revision.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VisualChange {
    /// The page of the document as it is now (1-based; for a page the
    /// document lost, the page it had in the signed revision).
    pub page: usize,
    /// x, y, width, height in the page's user space.
    pub rect: [f64; 4],
    /// The kind of the allowed change whose rectangle holds the region
    /// (e.g. `signature_added`), or `None`: not explained.
    pub explained_by: Option<&'static str>,
}

/// The verification report of one file (any format).
#[derive(Clone, Debug, Serialize)]
pub struct DocumentReport {
    /// Worst indication of the signatures (TOTAL_FAILED when there are none
    /// or the file is unreadable).
    pub indication: Indication,
    /// Signatures.
    pub signatures: Vec<SignatureReport>,
    /// Empty signature fields (PDF).
    pub unsigned_fields: Vec<String>,
    /// A file-level problem.
    pub error: Option<String>,
}

impl DocumentReport {
    /// A report for a file that could not be examined.
    pub fn failed(error: String) -> Self {
        Self {
            indication: Indication::TotalFailed,
            signatures: Vec::new(),
            unsigned_fields: Vec::new(),
            error: Some(error),
        }
    }

    /// The report of `signatures` (no signature at all is a failure).
    pub fn of(signatures: Vec<SignatureReport>, unsigned_fields: Vec<String>) -> Self {
        let indication = signatures.iter().map(|s| s.indication).max().unwrap_or(Indication::TotalFailed);
        let error = signatures.is_empty().then(|| "no signature".to_owned());
        Self { indication, signatures, unsigned_fields, error }
    }
}

/// A time as RFC 3339 (`2026-11-29T05:30:00Z`), as reports show it.
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|d| d.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// What the chain step needs.
pub struct ChainInputs<'a> {
    /// The signer's certificate.
    pub signer: &'a CertDer,
    /// Certificates that may complete the path.
    pub pool: Vec<CertDer>,
    /// CRLs (DER) that may answer for the path.
    pub crls: Vec<Vec<u8>>,
    /// OCSP responses (DER) that may answer for the path (a DSS).
    pub ocsps: Vec<Vec<u8>>,
    /// Trust anchors.
    pub anchors: &'a [CertDer],
    /// Validation time.
    pub at: SystemTime,
    /// Best proof of existence of the signature: the earliest *validated*
    /// timestamp covering it ([`crate::timestamp::validate_token`]), never
    /// a claimed time.
    pub timestamp: Option<SystemTime>,
    /// The claimed signing time: not used to decide anything (ETSI EN 319
    /// 102-1 §5.6.3: only proven times count); kept for callers.
    pub signing_time: SystemTime,
    /// Ask the certificates' OCSP responders and CRL distribution points
    /// when the file and the given CRLs do not answer (`None`: never).
    pub online: Option<&'a crate::precheck::PrecheckOptions>,
}

/// Path validation and revocation (RFC 5280 §6, ETSI EN 319 102-1 §5.2.6,
/// §5.6.2.4): fills `chain`, `chain_path`, `revocation` and warnings. The
/// path is judged at the validation time, or at the proven time when the
/// certificate has expired since; a revocation is weighed against the
/// proven time only (claimed times prove nothing). A certificate no
/// current CRL answers for may be answered by an OCSP response issued for
/// the proven time (RFC 6960).
pub fn assess_chain(r: &mut SignatureReport, inp: ChainInputs<'_>) {
    let mut chain = validate_path(inp.signer, &inp.pool, inp.anchors, inp.at);
    // A timestamp is proof of existence: a certificate expired at the
    // validation time was valid when stamped.
    if chain.status == ChainStatus::OutOfValidity
        && let Some(t) = inp.timestamp
    {
        let at_ts = validate_path(inp.signer, &inp.pool, inp.anchors, t);
        if at_ts.status == ChainStatus::Valid {
            chain = at_ts;
            r.warnings.push("validated_at_timestamp_time".into());
        }
    }
    r.chain = chain.status;
    r.chain_path = chain.path.clone();
    if chain.status == ChainStatus::Valid {
        let mut statuses = Vec::new();
        for pair in chain.certs.windows(2) {
            if inp.anchors.contains(&pair[0]) {
                break;
            }
            let mut st = check_crls(&pair[0].cert, &pair[1].cert, &inp.crls, inp.at);
            if st == RevocationStatus::NotChecked
                && let Some(a) =
                    crate::ocsp::status_from(&inp.ocsps, &pair[0].cert, &pair[1].cert, inp.timestamp.unwrap_or(inp.at))
            {
                st = a.status.revocation();
            }
            // A current answer (RFC 6960 / RFC 5280): "good" now means not
            // revoked at the proven time; a revocation carries its date,
            // which is weighed against the proven time below.
            // An expired certificate may have left the CRL and an OCSP
            // responder may no longer know it (RFC 5280 §3.3): "not listed"
            // proves nothing then, so none is asked.
            let expired = pair[0].cert.tbs_certificate().validity().not_after.to_system_time() < SystemTime::now();
            if st == RevocationStatus::NotChecked
                && !expired
                && let Some(opts) = inp.online
            {
                let (mut crls, mut ocsps, mut evidence) = (Vec::new(), Vec::new(), Vec::new());
                let (fetched, _) = crate::precheck::fetch_status(
                    &pair[0].cert,
                    &pair[1].cert,
                    opts,
                    &mut crls,
                    &mut ocsps,
                    &mut evidence,
                );
                if fetched != RevocationStatus::NotChecked {
                    st = fetched;
                    if !r.warnings.iter().any(|w| w == "revocation_fetched_online") {
                        r.warnings.push("revocation_fetched_online".into());
                    }
                }
            }
            statuses.push(st);
        }
        // ETSI EN 319 102-1 §5.6.2.4 / Table 5: revoked at or before the
        // proven time → REVOKED; after it → the signature stands, the
        // revocation is reported; no proof at all → REVOKED_NO_POE.
        let revoked_at = statuses
            .iter()
            .filter_map(|s| match s {
                RevocationStatus::Revoked(t) => {
                    Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs((*t).max(0) as u64))
                }
                _ => None,
            })
            .min();
        r.revocation = if let Some(rt) = revoked_at {
            match inp.timestamp {
                Some(poe) if rt > poe => "revoked_after_signing",
                Some(_) => "revoked",
                None => "revoked_no_poe",
            }
        } else if !statuses.is_empty() && statuses.iter().all(|s| *s == RevocationStatus::Good) {
            "good"
        } else {
            "not_checked"
        };
    }
}

/// What the cryptographic steps found.
#[derive(Clone, Copy, Debug)]
pub struct Integrity {
    /// The signer's certificate was found.
    pub signer_found: bool,
    /// Every digest matched.
    pub digest_ok: bool,
    /// The signature value verified.
    pub signature_ok: bool,
    /// The signed signing-certificate reference names another certificate.
    pub signing_cert_mismatch: bool,
    /// A validated timestamp covers the signature (a proof of existence).
    pub timestamped: bool,
}

/// The indication (ETSI EN 319 102-1 §5.1.3) from the integrity facts and
/// the report's coverage, modifications, revocation and chain.
pub fn conclude(r: &mut SignatureReport, f: Integrity) {
    if r.revocation == "not_checked" && !r.warnings.iter().any(|w| w == "revocation_not_checked") {
        // TT 15/2025: say so when revocation could not be checked.
        r.warnings.push("revocation_not_checked".into());
    }
    // A report never names a signer the signature does not bind.
    if r.kind == "signature" && r.signer_subject.is_none() && !r.warnings.iter().any(|w| w == "signer_unknown") {
        r.warnings.push("signer_unknown".into());
    }
    let (ind, sub) = if !f.signer_found {
        (Indication::Indeterminate, Some("NO_SIGNING_CERTIFICATE_FOUND"))
    } else if !f.digest_ok {
        (Indication::TotalFailed, Some("HASH_FAILURE"))
    } else if !f.signature_ok {
        (Indication::TotalFailed, Some("SIG_CRYPTO_FAILURE"))
    } else if f.signing_cert_mismatch {
        (Indication::TotalFailed, Some("SIG_CONSTRAINTS_FAILURE"))
    } else if r.coverage == "anomaly" {
        (Indication::TotalFailed, Some("FORMAT_FAILURE"))
    } else if r.modifications == "disallowed" {
        (Indication::TotalFailed, Some("MODIFIED_AFTER_SIGNING"))
    } else if r.revocation == "revoked" {
        (Indication::TotalFailed, Some("REVOKED"))
    } else {
        match r.chain {
            ChainStatus::Valid if r.revocation == "good" => (Indication::TotalPassed, None),
            ChainStatus::Valid if r.revocation == "revoked_no_poe" => {
                (Indication::Indeterminate, Some("REVOKED_NO_POE"))
            }
            ChainStatus::Valid if r.revocation == "revoked_after_signing" && !f.timestamped => {
                (Indication::Indeterminate, Some("REVOKED_NO_POE"))
            }
            ChainStatus::Valid if r.revocation == "revoked_after_signing" => (Indication::TotalPassed, None),
            ChainStatus::Valid => (Indication::Indeterminate, Some("TRY_LATER")),
            ChainStatus::OutOfValidity => (Indication::Indeterminate, Some("OUT_OF_BOUNDS_NO_POE")),
            ChainStatus::BadSignature => (Indication::TotalFailed, Some("SIG_CRYPTO_FAILURE")),
            ChainStatus::NotCa | ChainStatus::NoChainFound => {
                (Indication::Indeterminate, Some("NO_CERTIFICATE_CHAIN_FOUND"))
            }
            ChainStatus::UnsupportedAlgorithm => (Indication::Indeterminate, Some("CRYPTO_CONSTRAINTS_FAILURE_NO_POE")),
            ChainStatus::ConstraintViolation => (Indication::Indeterminate, Some("CHAIN_CONSTRAINTS_FAILURE")),
        }
    };
    r.indication = ind;
    r.sub_indication = sub;
}

/// A disallowed change found after [`conclude`] (the visual comparison):
/// modifications become `disallowed` and the indication is what `conclude`
/// gives then — failures it ranks first (integrity, coverage, signing
/// certificate constraints) stay.
pub fn disallow_modifications(r: &mut SignatureReport) {
    r.modifications = "disallowed";
    let earlier =
        r.integrity != "intact" || r.coverage == "anomaly" || r.sub_indication == Some("SIG_CONSTRAINTS_FAILURE");
    if !earlier {
        r.indication = Indication::TotalFailed;
        r.sub_indication = Some("MODIFIED_AFTER_SIGNING");
    }
}
