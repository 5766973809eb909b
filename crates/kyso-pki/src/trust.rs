//! Certification path building and validation (RFC 5280 §6.1, simplified:
//! names chain, each signature verifies with its issuer's key, issuers are
//! CAs, every certificate is within its validity at the validation time),
//! and CRL checking (RFC 5280 §6.3). Trust anchors are pinned by SHA-256.

use std::time::SystemTime;

use der::{Decode, Encode};
use serde::Serialize;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::BasicConstraints;

use crate::cert::format_name;
use crate::hash::{HashAlg, verify_message};

/// SHA-256 pins of the Vietnamese roots and the VGCA G2 intermediate
/// (vietnam-rules.md): RootCA chuyên dùng Chính phủ G2, CA phục vụ các cơ
/// quan Nhà nước G2, Vietnam National Root CA. The certificates themselves
/// are imported by the user and checked against these.
pub const VGCA_PINS: [(&str, &str); 3] = [
    ("RootCA chuyên dùng Chính phủ G2", "f04ba4b459a7c9a1b971ad9b1cb833e695a80c79aea63b174b66a70edfe2fdb8"),
    ("CA phục vụ các cơ quan Nhà nước G2", "d8cab7a4aef92e6bb2509d7c61cee7b44f3731b2d21074963530277b366fae4b"),
    ("Vietnam National Root CA", "bac8bf609ab420a8ee1780d74f4de5c7f7184959d2a7375b0a75e4c29f0908e7"),
];

/// A certificate with the exact bytes it came in: signatures and hashes
/// bind to those bytes, and a re-encoding may differ (e.g. a GeneralizedTime
/// that RFC 5280 would write as UTCTime).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertDer {
    /// The parsed certificate.
    pub cert: Certificate,
    /// Its original DER.
    pub der: Vec<u8>,
}

impl CertDer {
    /// Parses DER, keeping the bytes.
    pub fn from_der(der: &[u8]) -> Option<Self> {
        Certificate::from_der(der).ok().map(|cert| Self { cert, der: der.to_vec() })
    }

    /// The original bytes of `tbsCertificate`.
    fn tbs(&self) -> Option<&[u8]> {
        let outer = crate::ber::elements(&self.der)?.into_iter().next()?;
        crate::ber::elements(outer.content)?.into_iter().next().map(|t| t.raw)
    }
}

/// SHA-256 of a certificate's DER, lower-case hex.
pub fn cert_sha256(cert: &Certificate) -> String {
    hex::encode(Sha256::digest(cert.to_der().unwrap_or_default()))
}

/// The name of the pinned anchor `cert` is, if any.
pub fn pinned_name(cert: &Certificate) -> Option<&'static str> {
    let h = cert_sha256(cert);
    VGCA_PINS.iter().find(|(_, pin)| *pin == h).map(|(n, _)| *n)
}

/// Outcome of path validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainStatus {
    /// A path to a trust anchor was found and checks out.
    Valid,
    /// No path to any trust anchor.
    NoChainFound,
    /// A certificate's signature does not verify with its issuer's key.
    BadSignature,
    /// An issuer is not a CA.
    NotCa,
    /// A signature in the path uses an algorithm Kyso cannot check.
    UnsupportedAlgorithm,
    /// A certificate carries a critical extension Kyso does not process
    /// (RFC 5280 §4.2), or violates a path length constraint (§4.2.1.9).
    ConstraintViolation,
    /// A certificate of the path is outside its validity at the time.
    OutOfValidity,
}

/// Path validation report.
#[derive(Clone, Debug, Serialize)]
pub struct ChainReport {
    /// Status.
    pub status: ChainStatus,
    /// Subjects from the signer up to the anchor (or as far as built).
    pub path: Vec<String>,
    /// The certificates of the path, signer first.
    #[serde(skip)]
    pub certs: Vec<CertDer>,
}

fn within(cert: &CertDer, at: SystemTime) -> bool {
    let v = cert.cert.tbs_certificate().validity();
    v.not_before.to_system_time() <= at && at <= v.not_after.to_system_time()
}

/// Extensions Kyso understands or may safely ignore when critical
/// (RFC 5280 §4.2: a certificate with any other critical extension is
/// rejected).
const KNOWN_EXTENSIONS: [&str; 14] = [
    "2.5.29.14",         // subjectKeyIdentifier
    "2.5.29.35",         // authorityKeyIdentifier
    "2.5.29.15",         // keyUsage
    "2.5.29.37",         // extKeyUsage
    "2.5.29.17",         // subjectAltName
    "2.5.29.18",         // issuerAltName
    "2.5.29.19",         // basicConstraints
    "2.5.29.30",         // nameConstraints (not enforced: see pkits-divergences.txt)
    "2.5.29.31",         // cRLDistributionPoints
    "2.5.29.32",         // certificatePolicies
    "2.5.29.33",         // policyMappings
    "2.5.29.36",         // policyConstraints
    "2.5.29.54",         // inhibitAnyPolicy
    "1.3.6.1.5.5.7.1.1", // authorityInfoAccess
];

fn unknown_critical(cert: &Certificate) -> bool {
    cert.tbs_certificate().extensions().is_some_and(|exts| {
        exts.iter().any(|e| e.critical && !KNOWN_EXTENSIONS.contains(&e.extn_id.to_string().as_str()))
    })
}

/// RFC 5280 §4.2.1.3: a CA key that signs certificates needs keyCertSign
/// (and cRLSign for CRLs) when the key usage extension is present.
fn key_usage_allows(cert: &Certificate, crl: bool) -> bool {
    match cert.tbs_certificate().get_extension::<x509_cert::ext::pkix::KeyUsage>() {
        Ok(Some((_, ku))) => {
            if crl {
                ku.crl_sign()
            } else {
                ku.key_cert_sign()
            }
        }
        Ok(None) => true,
        Err(_) => false,
    }
}

fn self_issued(cert: &Certificate) -> bool {
    cert.tbs_certificate().subject() == cert.tbs_certificate().issuer()
}

/// RFC 5280 §4.2.1.9: for each CA of the path (the anchor excluded), the
/// non-self-issued intermediates below it must not exceed its pathLen.
fn path_lengths_ok(path: &[CertDer]) -> bool {
    for (i, ca) in path.iter().enumerate().skip(1).take(path.len().saturating_sub(2)) {
        if let Ok(Some((_, bc))) = ca.cert.tbs_certificate().get_extension::<BasicConstraints>()
            && let Some(max) = bc.path_len_constraint
        {
            let below = path[1..i].iter().filter(|c| !self_issued(&c.cert)).count();
            if below > usize::from(max) {
                return false;
            }
        }
    }
    true
}

fn is_ca(cert: &Certificate) -> bool {
    match cert.tbs_certificate().get_extension::<BasicConstraints>() {
        Ok(Some((_, bc))) => bc.ca,
        // v1 certificates (old roots) carry no extensions.
        Ok(None) => cert.tbs_certificate().extensions().is_none(),
        Err(_) => false,
    }
}

/// Whether `issuer` signed `child`: `None` when the algorithm or key type
/// is not supported (no conclusion either way).
fn signed_by(child: &CertDer, issuer: &CertDer) -> Option<bool> {
    let tbs = child.tbs()?;
    match verify_message(
        issuer.cert.tbs_certificate().subject_public_key_info(),
        child.cert.signature_algorithm(),
        HashAlg::Sha256,
        tbs,
        child.cert.signature().raw_bytes(),
    ) {
        Ok(()) => Some(true),
        Err(crate::verify::VerifyError::Mismatch) => Some(false),
        Err(_) => None,
    }
}

/// Builds and checks a path from `leaf` through `pool` to one of `anchors`,
/// judging validity at `at`. When several paths fail, the most specific
/// failure is reported.
pub fn validate_path(leaf: &CertDer, pool: &[CertDer], anchors: &[CertDer], at: SystemTime) -> ChainReport {
    let mut best = ChainReport {
        status: ChainStatus::NoChainFound,
        path: vec![format_name(leaf.cert.tbs_certificate().subject())],
        certs: vec![leaf.clone()],
    };
    let mut path = vec![leaf.clone()];
    walk(&mut path, pool, anchors, at, &mut best);
    best
}

fn rank(s: ChainStatus) -> u8 {
    match s {
        ChainStatus::Valid => 4,
        ChainStatus::OutOfValidity => 3,
        ChainStatus::NotCa => 2,
        ChainStatus::UnsupportedAlgorithm => 1,
        ChainStatus::ConstraintViolation => 2,
        ChainStatus::BadSignature => 1,
        ChainStatus::NoChainFound => 0,
    }
}

fn report(path: &[CertDer], status: ChainStatus, best: &mut ChainReport) {
    if rank(status) > rank(best.status) || (rank(status) == rank(best.status) && path.len() > best.certs.len()) {
        *best = ChainReport {
            status,
            path: path.iter().map(|c| format_name(c.cert.tbs_certificate().subject())).collect(),
            certs: path.to_vec(),
        };
    }
}

fn walk(path: &mut Vec<CertDer>, pool: &[CertDer], anchors: &[CertDer], at: SystemTime, best: &mut ChainReport) {
    let Some(current) = path.last().cloned() else { return };
    // An anchor reached (the certificate itself, by content).
    if anchors.iter().any(|a| a.der == current.der) {
        let status = if path[..path.len() - 1].iter().any(|c| unknown_critical(&c.cert)) || !path_lengths_ok(path) {
            ChainStatus::ConstraintViolation
        } else if path.iter().all(|c| within(c, at)) {
            ChainStatus::Valid
        } else {
            ChainStatus::OutOfValidity
        };
        report(path, status, best);
        return;
    }
    if path.len() > 8 {
        return;
    }
    let issuer_name = current.cert.tbs_certificate().issuer();
    let candidates = anchors.iter().chain(pool.iter()).filter(|c| c.cert.tbs_certificate().subject() == issuer_name);
    let mut any = false;
    for cand in candidates {
        if path.contains(cand) {
            continue;
        }
        any = true;
        let Some(good) = signed_by(&current, cand) else {
            path.push(cand.clone());
            report(path, ChainStatus::UnsupportedAlgorithm, best);
            path.pop();
            continue;
        };
        if !good {
            path.push(cand.clone());
            report(path, ChainStatus::BadSignature, best);
            path.pop();
            continue;
        }
        if !is_ca(&cand.cert) || !key_usage_allows(&cand.cert, false) {
            path.push(cand.clone());
            report(path, ChainStatus::NotCa, best);
            path.pop();
            continue;
        }
        path.push(cand.clone());
        walk(path, pool, anchors, at, best);
        path.pop();
        if best.status == ChainStatus::Valid {
            return;
        }
    }
    if !any {
        report(path, ChainStatus::NoChainFound, best);
    }
}

/// Revocation status of a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RevocationStatus {
    /// A CRL from the issuer does not list it.
    Good,
    /// Listed as revoked (Unix seconds of the revocation).
    Revoked(i64),
    /// No usable CRL or OCSP response.
    NotChecked,
}

/// CRL extensions Kyso processes or may ignore (RFC 5280 §5.2): a CRL with
/// any other critical extension (issuing distribution point, delta CRL
/// indicator, …) is not used.
const KNOWN_CRL_EXTENSIONS: [&str; 2] = ["2.5.29.20", "2.5.29.35"];

/// Checks `cert` against the CRLs (DER) that its `issuer` signed and that
/// are current at `at` (RFC 5280 §6.3.3: thisUpdate ≤ at ≤ nextUpdate).
pub fn check_crls(cert: &Certificate, issuer: &Certificate, crls: &[Vec<u8>], at: SystemTime) -> RevocationStatus {
    let mut status = RevocationStatus::NotChecked;
    if !key_usage_allows(issuer, true) {
        return status;
    }
    for der in crls {
        let Ok(crl) = <CertificateList>::from_der(der) else { continue };
        if &crl.tbs_cert_list.issuer != issuer.tbs_certificate().subject() {
            continue;
        }
        let tl = &crl.tbs_cert_list;
        if tl.this_update.to_system_time() > at || tl.next_update.is_some_and(|n| n.to_system_time() < at) {
            continue;
        }
        if tl.crl_extensions.as_ref().is_some_and(|exts| {
            exts.iter().any(|e| e.critical && !KNOWN_CRL_EXTENSIONS.contains(&e.extn_id.to_string().as_str()))
        }) {
            continue;
        }
        let tbs = crate::ber::elements(der)
            .and_then(|v| v.into_iter().next())
            .and_then(|outer| crate::ber::elements(outer.content)?.into_iter().next().map(|t| t.raw.to_vec()));
        let Some(tbs) = tbs else { continue };
        if verify_message(
            issuer.tbs_certificate().subject_public_key_info(),
            &crl.signature_algorithm,
            HashAlg::Sha256,
            &tbs,
            crl.signature.raw_bytes(),
        )
        .is_err()
        {
            continue;
        }
        let serial = cert.tbs_certificate().serial_number();
        if let Some(r) =
            crl.tbs_cert_list.revoked_certificates.as_ref().and_then(|l| l.iter().find(|r| &r.serial_number == serial))
        {
            let t = r.revocation_date.to_unix_duration().as_secs() as i64;
            return RevocationStatus::Revoked(t);
        }
        status = RevocationStatus::Good;
    }
    status
}

/// Reads every certificate from PEM or DER bytes.
pub fn load_certificates(data: &[u8]) -> Vec<CertDer> {
    let Ok(text) = std::str::from_utf8(data) else { return CertDer::from_der(data).into_iter().collect() };
    if !text.contains("-----BEGIN ") {
        return CertDer::from_der(data).into_iter().collect();
    }
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
        let Some(end) = rest[start..].find("-----END CERTIFICATE-----") else { break };
        let block = &rest[start..start + end + 25];
        if let Ok((_, der)) = der::pem::decode_vec(block.as_bytes()) {
            out.extend(CertDer::from_der(&der));
        }
        rest = &rest[start + end + 25..];
    }
    out
}

/// Reads a CRL from PEM or DER bytes, returning DER.
pub fn load_crl(data: &[u8]) -> Option<Vec<u8>> {
    if let Ok(text) = std::str::from_utf8(data)
        && let Some(start) = text.find("-----BEGIN X509 CRL-----")
    {
        let end = text[start..].find("-----END X509 CRL-----")? + start + 22;
        let (_, der) = der::pem::decode_vec(&text.as_bytes()[start..end]).ok()?;
        return Some(der);
    }
    <CertificateList>::from_der(data).ok().map(|_| data.to_vec())
}
