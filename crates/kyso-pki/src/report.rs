//! The verification report every document format shares (PDF, OOXML): one
//! vocabulary of verdicts (ETSI EN 319 102-1 §5.1.3 indications and
//! sub-indications), and the chain, revocation and verdict steps that do not
//! depend on the format.

use std::time::SystemTime;

use serde::Serialize;

use crate::timestamp::TimestampTrust;
use crate::{CertDer, ChainStatus, RevocationStatus, check_crls, validate_path};

crate::named_enum! {
    /// ETSI EN 319 102-1 main indication (§5.1.3), ordered from best to
    /// worst.
    #[derive(PartialOrd, Ord)]
    pub enum Indication {
        /// All checks passed.
        TotalPassed = "TOTAL_PASSED",
        /// Not enough to conclude.
        Indeterminate = "INDETERMINATE",
        /// Proven invalid.
        TotalFailed = "TOTAL_FAILED",
    }
}

crate::named_enum! {
    /// ETSI EN 319 102-1 sub-indication (§5.1.3, Table 5 and 6), plus
    /// `MODIFIED_AFTER_SIGNING` for a change after signing that the
    /// signature's permissions do not allow (ISO 32000-2 §12.8.2.2).
    pub enum SubIndication {
        /// The signature is not in a form that can be processed.
        FormatFailure = "FORMAT_FAILURE",
        /// A digest of the signed data does not match.
        HashFailure = "HASH_FAILURE",
        /// The signature value does not verify.
        SigCryptoFailure = "SIG_CRYPTO_FAILURE",
        /// The signed attributes do not meet the constraints (signing
        /// certificate reference, timestamping authority binding).
        SigConstraintsFailure = "SIG_CONSTRAINTS_FAILURE",
        /// The document was changed after signing in a way not allowed.
        ModifiedAfterSigning = "MODIFIED_AFTER_SIGNING",
        /// The signer's certificate was revoked at the proven time.
        Revoked = "REVOKED",
        /// Revoked, and nothing proves the signature existed before.
        RevokedNoPoe = "REVOKED_NO_POE",
        /// Revocation could not be checked yet.
        TryLater = "TRY_LATER",
        /// A certificate is outside its validity and nothing proves the
        /// signature existed while it was valid.
        OutOfBoundsNoPoe = "OUT_OF_BOUNDS_NO_POE",
        /// No path to a trust anchor.
        NoCertificateChainFound = "NO_CERTIFICATE_CHAIN_FOUND",
        /// The signer's certificate is not in the signature.
        NoSigningCertificateFound = "NO_SIGNING_CERTIFICATE_FOUND",
        /// An algorithm of the path cannot be checked.
        CryptoConstraintsFailureNoPoe = "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
        /// The path violates a constraint (RFC 5280 §6.1).
        ChainConstraintsFailure = "CHAIN_CONSTRAINTS_FAILURE",
    }
}

crate::named_enum! {
    /// What a report entry is.
    pub enum SignatureKind {
        /// A signature.
        Signature = "signature",
        /// A document timestamp (ETSI EN 319 142-1 §5.4).
        DocumentTimestamp = "document_timestamp",
    }
}

crate::named_enum! {
    /// Whether the signed data is as it was signed.
    pub enum Integrity {
        /// Every digest matches and the signature value verifies.
        Intact = "intact",
        /// A digest or the signature value does not verify.
        Broken = "broken",
        /// Not established (no signer certificate, unreadable data).
        Unknown = "unknown",
    }
}

crate::named_enum! {
    /// What the signature covers of the file.
    pub enum Coverage {
        /// PDF: the whole file (the last revision).
        WholeFile = "whole_file",
        /// PDF: a whole earlier revision (ISO 32000-2 §7.5.6 updates follow).
        WholeRevision = "whole_revision",
        /// OOXML: every part and relationship (metadata left unsigned by
        /// design is listed in the warnings).
        WholePackage = "whole_package",
        /// OOXML: not everything the package shows is signed.
        Partial = "partial",
        /// The signed ranges or references are malformed.
        Anomaly = "anomaly",
    }
}

crate::named_enum! {
    /// Whether what changed after signing is allowed.
    pub enum Modifications {
        /// Nothing changed.
        None = "none",
        /// Only changes the signature allows.
        Allowed = "allowed",
        /// A change the signature does not allow.
        Disallowed = "disallowed",
    }
}

crate::named_enum! {
    /// Levels of change after signing, ordered (pyHanko's
    /// `ModificationLevel`), judged against the DocMDP permission (ISO
    /// 32000-2 §12.8.2.2.2).
    #[derive(PartialOrd, Ord)]
    pub enum ModificationLevel {
        /// Nothing changed.
        None = "none",
        /// DSS, document timestamps, XMP metadata, document information.
        LtaUpdates = "lta_updates",
        /// New signatures, signature fields, form field values.
        FormFilling = "form_filling",
        /// Annotations (comments).
        Annotations = "annotations",
        /// Anything else: never allowed.
        Other = "other",
    }
}

crate::named_enum! {
    /// The revocation status of the signer's path, weighed against the
    /// proven time (ETSI EN 319 102-1 §5.6.2.4).
    pub enum Revocation {
        /// Not revoked.
        Good = "good",
        /// Revoked at or before the proven time.
        Revoked = "revoked",
        /// Revoked after the proven time: the signature stands.
        RevokedAfterSigning = "revoked_after_signing",
        /// Revoked, and nothing proves the signature existed before.
        RevokedNoPoe = "revoked_no_poe",
        /// No answer for some certificate of the path.
        NotChecked = "not_checked",
    }
}

crate::named_enum! {
    /// What a report warns about (each has a `warn-<code>` message in both
    /// languages).
    pub enum WarningCode {
        /// The certificate has expired; the timestamp proves it was valid.
        ValidatedAtTimestampTime = "validated_at_timestamp_time",
        /// Revocation answers were fetched from the network.
        RevocationFetchedOnline = "revocation_fetched_online",
        /// Revocation could not be checked (TT 15/2025).
        RevocationNotChecked = "revocation_not_checked",
        /// The signature binds no certificate of the file.
        SignerUnknown = "signer_unknown",
        /// The signature timestamp is invalid (detail: why).
        SignatureTimestampInvalid = "signature_timestamp_invalid",
        /// The signature timestamp is not trusted (detail: why).
        SignatureTimestampUntrusted = "signature_timestamp_untrusted",
        /// The document timestamp is invalid (detail: why).
        DocumentTimestampInvalid = "document_timestamp_invalid",
        /// The document timestamp is not trusted (detail: why).
        DocumentTimestampUntrusted = "document_timestamp_untrusted",
        /// A VRI timestamp is invalid (detail: why).
        VriTimestampInvalid = "vri_timestamp_invalid",
        /// A VRI timestamp is not trusted (detail: why).
        VriTimestampUntrusted = "vri_timestamp_untrusted",
        /// The timestamping authority's revocation was not checked
        /// (detail: which timestamp).
        TimestampRevocationNotChecked = "timestamp_revocation_not_checked",
        /// PDF: the signature dictionary is not an indirect object.
        SigDictNotIndirect = "sig_dict_not_indirect",
        /// PDF: the signature dictionary sits in an object stream.
        SigDictNotAtOffset = "sig_dict_not_at_offset",
        /// PDF: `/ByteRange` is invalid.
        ByteRangeInvalid = "byte_range_invalid",
        /// PDF: the CMS is invalid (detail: the parse error).
        CmsInvalid = "cms_invalid",
        /// PDF: the document timestamp's TSTInfo is invalid.
        TstinfoInvalid = "tstinfo_invalid",
        /// PDF: a detached signature carries content.
        DetachedWithEcontent = "detached_with_econtent",
        /// The claimed signing time is later than the proven time.
        ClaimedTimeAfterPoe = "claimed_time_after_poe",
        /// Another certificate with the signer's identifiers is ignored
        /// (detail: its subject).
        SignerCertificateIgnored = "signer_certificate_ignored",
        /// CAdES: no signing-certificate attribute.
        NoSigningCertificateAttribute = "no_signing_certificate_attribute",
        /// PDF: the cross-reference data was repaired.
        XrefRepaired = "xref_repaired",
        /// PDF: the signed revision's cross-reference data is defective
        /// (detail: the finding).
        XrefDefect = "xref_defect",
        /// OOXML: the ZIP file has a comment (detail: its size).
        ZipComment = "zip_comment",
        /// OOXML: the package's signature origin is not valid (detail: why).
        OriginInvalid = "origin_invalid",
        /// OOXML: the signature part's content type (detail: the part).
        SignaturePartContentType = "signature_part_content_type",
        /// OOXML: the signature part is not well-formed XML (detail).
        XmlMalformed = "xml_malformed",
        /// OOXML: the signature part holds no XML signature.
        NotAnXmlSignature = "not_an_xml_signature",
        /// OOXML: too many Id attributes (detail: the bound).
        TooManyIds = "too_many_ids",
        /// OOXML: two elements share an Id.
        DuplicateId = "duplicate_id",
        /// OOXML: SignedInfo missing or repeated.
        SignedInfoMissing = "signed_info_missing",
        /// OOXML: unsupported canonicalization method.
        UnsupportedCanonicalization = "unsupported_canonicalization",
        /// OOXML: unsupported signature method.
        UnsupportedSignatureMethod = "unsupported_signature_method",
        /// OOXML: no signature value.
        SignatureValueMissing = "signature_value_missing",
        /// OOXML: no references.
        NoReferences = "no_references",
        /// OOXML: too many references (detail: how many or which).
        TooManyReferences = "too_many_references",
        /// OOXML: an unsupported reference (detail: its URI).
        UnsupportedReference = "unsupported_reference",
        /// OOXML: an unsupported transform (detail: its algorithm).
        UnsupportedTransform = "unsupported_transform",
        /// OOXML: no package manifest.
        NoPackageManifest = "no_package_manifest",
        /// OOXML: SHA-1.
        WeakAlgorithmSha1 = "weak_algorithm_sha1",
        /// OOXML: one part referenced twice (detail: the URI).
        ManifestReferenceRepeated = "manifest_reference_repeated",
        /// OOXML: a signed part nothing points at (detail: the part).
        PartUnreferenced = "part_unreferenced",
        /// OOXML: metadata left unsigned by design (detail: the part).
        UnsignedMetadata = "unsigned_metadata",
        /// OOXML: view settings left unsigned (detail: the part).
        UnsignedViewSettings = "unsigned_view_settings",
        /// OOXML: custom XML left unsigned (detail: the part).
        UnsignedCustomXml = "unsigned_custom_xml",
    }
}

/// A warning of a report: its code and, for some, a technical detail (not
/// translated). Written in JSON as `code` or `code: detail`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Warning {
    /// What it is about.
    pub code: WarningCode,
    /// The technical detail (a part name, a parse error, a reason code).
    pub detail: Option<String>,
}

impl Warning {
    /// A warning with a detail.
    pub fn with(code: WarningCode, detail: impl Into<String>) -> Self {
        Self { code, detail: Some(detail.into()) }
    }
}

impl From<WarningCode> for Warning {
    fn from(code: WarningCode) -> Self {
        Self { code, detail: None }
    }
}

impl PartialEq<WarningCode> for Warning {
    fn eq(&self, code: &WarningCode) -> bool {
        self.code == *code
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.detail {
            Some(d) => write!(f, "{}: {d}", self.code.name()),
            None => f.write_str(self.code.name()),
        }
    }
}

impl Serialize for Warning {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// `timestamp_trust` as reports write it: the trust, or `none`.
fn trust_or_none<S: serde::Serializer>(t: &Option<TimestampTrust>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(t.map_or("none", TimestampTrust::name))
}

/// One signature (or document timestamp) in the report.
#[derive(Clone, Debug, Serialize)]
pub struct SignatureReport {
    /// PDF: the fully qualified field name; OOXML: the signature part.
    pub field: String,
    /// `signature` or `document_timestamp`.
    pub kind: SignatureKind,
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
    /// `none` (no token).
    #[serde(serialize_with = "trust_or_none")]
    pub timestamp_trust: Option<TimestampTrust>,
    /// Best proven time (ETSI EN 319 102-1 §5.6.2.4): the earliest
    /// validated timestamp covering the signature (its signature timestamp,
    /// a validated VRI timestamp, document timestamps of later revisions).
    /// Revocation and expiry are judged against it; `None`: no proof.
    pub poe_time: Option<String>,
    /// `intact`, `broken` or `unknown`.
    pub integrity: Integrity,
    /// PDF: `whole_file`, `whole_revision` or `anomaly`; OOXML:
    /// `whole_package` (metadata left unsigned by design is listed in the
    /// warnings), `partial` or `anomaly`.
    pub coverage: Coverage,
    /// `none`, `allowed` or `disallowed`.
    pub modifications: Modifications,
    /// What changed after signing, or is not covered (one line per finding).
    pub modification_details: Vec<String>,
    /// PDF: the level of what changed after signing, as pyHanko names the
    /// levels: `none`, `lta_updates` (DSS, document timestamps, metadata),
    /// `form_filling` (signing and filling fields), `annotations`, `other`.
    pub modification_level: ModificationLevel,
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
    pub revocation: Revocation,
    /// Indication.
    pub indication: Indication,
    /// Sub-indication.
    pub sub_indication: Option<SubIndication>,
    /// Warnings (`code` or `code: detail` in JSON).
    pub warnings: Vec<Warning>,
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
    pub fn new(field: String, kind: SignatureKind, subfilter: String) -> Self {
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
            timestamp_trust: None,
            poe_time: None,
            integrity: Integrity::Unknown,
            coverage: Coverage::Anomaly,
            modifications: Modifications::None,
            modification_details: Vec::new(),
            modification_level: ModificationLevel::None,
            changes: Vec::new(),
            visual_changes: Vec::new(),
            chain: ChainStatus::NoChainFound,
            chain_path: Vec::new(),
            revocation: Revocation::NotChecked,
            indication: Indication::TotalFailed,
            sub_indication: Some(SubIndication::FormatFailure),
            warnings: Vec::new(),
            byte_range: Vec::new(),
            certification: None,
            revision: None,
        }
    }

    /// Whether a warning with `code` was given.
    pub fn has_warning(&self, code: WarningCode) -> bool {
        self.warnings.iter().any(|w| w.code == code)
    }

    /// Adds a warning without detail unless one with its code is there.
    pub fn warn_once(&mut self, code: WarningCode) {
        if !self.has_warning(code) {
            self.warnings.push(code.into());
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
            r.warnings.push(WarningCode::ValidatedAtTimestampTime.into());
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
                    r.warn_once(WarningCode::RevocationFetchedOnline);
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
                Some(poe) if rt > poe => Revocation::RevokedAfterSigning,
                Some(_) => Revocation::Revoked,
                None => Revocation::RevokedNoPoe,
            }
        } else if !statuses.is_empty() && statuses.iter().all(|s| *s == RevocationStatus::Good) {
            Revocation::Good
        } else {
            Revocation::NotChecked
        };
    }
}

/// What the cryptographic steps found.
#[derive(Clone, Copy, Debug)]
pub struct IntegrityFacts {
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
pub fn conclude(r: &mut SignatureReport, f: IntegrityFacts) {
    use SubIndication as S;
    if r.revocation == Revocation::NotChecked {
        // TT 15/2025: say so when revocation could not be checked.
        r.warn_once(WarningCode::RevocationNotChecked);
    }
    // A report never names a signer the signature does not bind.
    if r.kind == SignatureKind::Signature && r.signer_subject.is_none() {
        r.warn_once(WarningCode::SignerUnknown);
    }
    let (ind, sub) = if !f.signer_found {
        (Indication::Indeterminate, Some(S::NoSigningCertificateFound))
    } else if !f.digest_ok {
        (Indication::TotalFailed, Some(S::HashFailure))
    } else if !f.signature_ok {
        (Indication::TotalFailed, Some(S::SigCryptoFailure))
    } else if f.signing_cert_mismatch {
        (Indication::TotalFailed, Some(S::SigConstraintsFailure))
    } else if r.coverage == Coverage::Anomaly {
        (Indication::TotalFailed, Some(S::FormatFailure))
    } else if r.modifications == Modifications::Disallowed {
        (Indication::TotalFailed, Some(S::ModifiedAfterSigning))
    } else if r.revocation == Revocation::Revoked {
        (Indication::TotalFailed, Some(S::Revoked))
    } else {
        match r.chain {
            ChainStatus::Valid if r.revocation == Revocation::Good => (Indication::TotalPassed, None),
            ChainStatus::Valid if r.revocation == Revocation::RevokedNoPoe => {
                (Indication::Indeterminate, Some(S::RevokedNoPoe))
            }
            ChainStatus::Valid if r.revocation == Revocation::RevokedAfterSigning && !f.timestamped => {
                (Indication::Indeterminate, Some(S::RevokedNoPoe))
            }
            ChainStatus::Valid if r.revocation == Revocation::RevokedAfterSigning => (Indication::TotalPassed, None),
            ChainStatus::Valid => (Indication::Indeterminate, Some(S::TryLater)),
            ChainStatus::OutOfValidity => (Indication::Indeterminate, Some(S::OutOfBoundsNoPoe)),
            ChainStatus::BadSignature => (Indication::TotalFailed, Some(S::SigCryptoFailure)),
            ChainStatus::NotCa | ChainStatus::NoChainFound => {
                (Indication::Indeterminate, Some(S::NoCertificateChainFound))
            }
            ChainStatus::UnsupportedAlgorithm => (Indication::Indeterminate, Some(S::CryptoConstraintsFailureNoPoe)),
            ChainStatus::ConstraintViolation => (Indication::Indeterminate, Some(S::ChainConstraintsFailure)),
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
    r.modifications = Modifications::Disallowed;
    let earlier = r.integrity != Integrity::Intact
        || r.coverage == Coverage::Anomaly
        || r.sub_indication == Some(SubIndication::SigConstraintsFailure);
    if !earlier {
        r.indication = Indication::TotalFailed;
        r.sub_indication = Some(SubIndication::ModifiedAfterSigning);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names<T: Copy + std::fmt::Display + std::str::FromStr + PartialEq + std::fmt::Debug>(all: &[T]) {
        let mut seen = std::collections::HashSet::new();
        for v in all {
            let name = v.to_string();
            assert!(seen.insert(name.clone()), "{name} twice");
            assert_eq!(name.parse::<T>().ok(), Some(*v), "{name}");
        }
    }

    #[test]
    fn every_vocabulary_has_one_name_per_value_and_reads_it_back() {
        names(Indication::ALL);
        names(SubIndication::ALL);
        names(SignatureKind::ALL);
        names(Integrity::ALL);
        names(Coverage::ALL);
        names(Modifications::ALL);
        names(ModificationLevel::ALL);
        names(Revocation::ALL);
        names(WarningCode::ALL);
        names(ChainStatus::ALL);
        names(TimestampTrust::ALL);
        assert!(
            Indication::TotalPassed < Indication::Indeterminate && Indication::Indeterminate < Indication::TotalFailed
        );
        assert!(ModificationLevel::LtaUpdates < ModificationLevel::FormFilling);
    }

    #[test]
    fn a_warning_is_written_as_its_code_then_its_detail() {
        assert_eq!(Warning::from(WarningCode::SignerUnknown).to_string(), "signer_unknown");
        let w = Warning::with(WarningCode::ZipComment, "12 bytes");
        assert_eq!(w.to_string(), "zip_comment: 12 bytes");
        assert!(w == WarningCode::ZipComment);
        let mut r = SignatureReport::new("Sig1".into(), SignatureKind::Signature, String::new());
        r.warn_once(WarningCode::RevocationNotChecked);
        r.warn_once(WarningCode::RevocationNotChecked);
        assert_eq!(r.warnings.len(), 1);
        assert!(r.has_warning(WarningCode::RevocationNotChecked) && !r.has_warning(WarningCode::SignerUnknown));
    }
}
