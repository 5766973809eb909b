//! The certificate check before signing (Thông tư 15/2025/TT-BKHCN Art. 5):
//! validity period, key usage and revocation, with the evidence kept for
//! the journal. Revocation comes from CRLs given by the caller or fetched
//! from the certificate's CRL distribution points (RFC 5280 §4.2.1.13) over
//! HTTP unless offline.

use std::time::{Duration, SystemTime};

use serde::Serialize;
use x509_cert::Certificate;
use x509_cert::ext::pkix::CrlDistributionPoints;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};

use crate::cert::{CertInfo, CertWarning};
use crate::hash::HashAlg;
use crate::trust::{RevocationStatus, check_crls};

/// The verdict of the pre-signing check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrecheckResult {
    /// Valid, usable for signing, not revoked.
    Good,
    /// Revoked (Unix time of revocation).
    Revoked(i64),
    /// Revocation could not be checked (reason).
    Unchecked(String),
    /// Expired, not yet valid or not for signing.
    Unusable(CertWarning),
}

/// The check and its evidence.
#[derive(Clone, Debug, Serialize)]
pub struct Precheck {
    /// Verdict.
    pub result: PrecheckResult,
    /// Evidence: the CRLs used (SHA-256 and source).
    pub evidence: Vec<String>,
    /// The CRLs used (DER), to embed in a DSS at B-LT.
    #[serde(skip)]
    pub crls: Vec<Vec<u8>>,
}

/// HTTP CRL locations of a certificate.
pub fn crl_urls(cert: &Certificate) -> Vec<String> {
    let Ok(Some((_, dps))) = cert.tbs_certificate().get_extension::<CrlDistributionPoints>() else { return Vec::new() };
    let mut out = Vec::new();
    for dp in dps.0 {
        if let Some(DistributionPointName::FullName(names)) = dp.distribution_point {
            for n in names {
                if let GeneralName::UniformResourceIdentifier(uri) = n {
                    let s = uri.to_string();
                    if s.starts_with("http://") {
                        out.push(s);
                    }
                }
            }
        }
    }
    out
}

/// Checks `cert` (issued by `issuer`, when known) before signing.
pub fn precheck(
    cert: &Certificate,
    issuer: Option<&Certificate>,
    given_crls: &[Vec<u8>],
    offline: bool,
    timeout: Duration,
) -> Precheck {
    let now = SystemTime::now();
    let info = CertInfo::from_certificate(cert, now);
    if let Some(w) = info.warnings.iter().find(|w| **w != CertWarning::IsCa) {
        return Precheck { result: PrecheckResult::Unusable(*w), evidence: Vec::new(), crls: Vec::new() };
    }
    let Some(issuer) = issuer else {
        return Precheck {
            result: PrecheckResult::Unchecked("issuer certificate unknown".into()),
            evidence: Vec::new(),
            crls: Vec::new(),
        };
    };
    let mut crls: Vec<Vec<u8>> = given_crls.to_vec();
    let mut evidence: Vec<String> = given_crls
        .iter()
        .map(|c| format!("crl sha256={} source=given", hex::encode(HashAlg::Sha256.digest(c))))
        .collect();
    let mut status = check_crls(cert, issuer, &crls, now);
    let mut fetch_error = None;
    if status == RevocationStatus::NotChecked && !offline {
        for url in crl_urls(cert) {
            match crate::http::exchange(&url, "application/pkix-crl", None, timeout) {
                Ok(body) => {
                    let der = crate::trust::load_crl(&body).unwrap_or(body);
                    evidence.push(format!("crl sha256={} source={url}", hex::encode(HashAlg::Sha256.digest(&der))));
                    crls.push(der);
                    status = check_crls(cert, issuer, &crls, now);
                    if status != RevocationStatus::NotChecked {
                        break;
                    }
                }
                Err(e) => fetch_error = Some(format!("{url}: {e}")),
            }
        }
    }
    let result = match status {
        RevocationStatus::Good => PrecheckResult::Good,
        RevocationStatus::Revoked(t) => PrecheckResult::Revoked(t),
        RevocationStatus::NotChecked => PrecheckResult::Unchecked(match (offline, fetch_error) {
            (true, _) => "offline and no CRL given".into(),
            (false, Some(e)) => e,
            (false, None) => "no usable CRL".into(),
        }),
    };
    Precheck { result, evidence, crls }
}
