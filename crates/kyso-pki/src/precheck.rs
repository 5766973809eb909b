//! The certificate check before signing (Thông tư 15/2025/TT-BKHCN Art. 5):
//! validity period, key usage and revocation, with the evidence kept for
//! the journal. Revocation comes from CRLs given by the caller, else from
//! OCSP (RFC 6960, the responder in the AIA), else from CRLs fetched from
//! the distribution points (RFC 5280 §4.2.1.13); fetched answers are kept
//! in a local cache until their nextUpdate, and offline only the cache and
//! the given CRLs are used.

use std::path::{Path, PathBuf};
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
    /// Revocation could not be checked (why).
    Unchecked(Unchecked),
    /// Expired, not yet valid or not for signing.
    Unusable(CertWarning),
}

/// Why the revocation of a certificate could not be checked (RFC 5280
/// §6.3, RFC 6960): written in JSON as the English reason it always was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unchecked {
    /// The issuer's certificate is not known: nobody to ask about it.
    IssuerUnknown,
    /// Offline, and no CRL was given.
    Offline,
    /// Neither a CRL nor an OCSP answer could be used.
    NoUsableCrl,
    /// Asking the responder or downloading the CRL failed (the error).
    FetchFailed(String),
}

impl std::fmt::Display for Unchecked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::IssuerUnknown => f.write_str("issuer certificate unknown"),
            Self::Offline => f.write_str("offline and no CRL given"),
            Self::NoUsableCrl => f.write_str("no usable CRL"),
            Self::FetchFailed(e) => f.write_str(e),
        }
    }
}

impl Serialize for Unchecked {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
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
    /// The OCSP responses used (DER `OCSPResponse`), for the DSS.
    #[serde(skip)]
    pub ocsps: Vec<Vec<u8>>,
}

/// Where revocation answers are cached: one file per CRL URL and per
/// certificate, named by SHA-256, used while current.
#[derive(Clone, Debug)]
pub struct RevocationCache {
    dir: PathBuf,
}

impl RevocationCache {
    /// A cache in `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    fn path(&self, kind: &str, key: &[u8]) -> PathBuf {
        self.dir.join(format!("{kind}-{}.der", &hex::encode(HashAlg::Sha256.digest(key))[..32]))
    }

    fn put(&self, path: &Path, data: &[u8]) {
        // Best effort: a cache that cannot be written is only slower.
        let _ = std::fs::create_dir_all(&self.dir);
        let tmp = path.with_extension("part");
        if std::fs::write(&tmp, data).is_ok() {
            let _ = std::fs::rename(&tmp, path);
        }
    }

    /// A cached CRL from `url` that is still current.
    pub fn crl(&self, url: &str, now: SystemTime) -> Option<Vec<u8>> {
        use der::Decode;
        let der = std::fs::read(self.path("crl", url.as_bytes())).ok()?;
        let crl = <x509_cert::crl::CertificateList>::from_der(&der).ok()?;
        crl.tbs_cert_list.next_update.is_some_and(|n| n.to_system_time() >= now).then_some(der)
    }

    /// Stores a CRL fetched from `url`.
    pub fn put_crl(&self, url: &str, der: &[u8]) {
        self.put(&self.path("crl", url.as_bytes()), der);
    }

    /// A cached OCSP answer for `cert` that is still current.
    pub fn ocsp(&self, cert: &Certificate, issuer: &Certificate, now: SystemTime) -> Option<crate::ocsp::OcspAnswer> {
        let key = der::Encode::to_der(cert).ok()?;
        let der = std::fs::read(self.path("ocsp", &key)).ok()?;
        crate::ocsp::check_response(&der, cert, issuer, now, None).ok()
    }

    /// Stores an OCSP response for `cert`.
    pub fn put_ocsp(&self, cert: &Certificate, der: &[u8]) {
        if let Ok(key) = der::Encode::to_der(cert) {
            self.put(&self.path("ocsp", &key), der);
        }
    }
}

/// How the pre-signing check may look for revocation information.
#[derive(Clone, Debug)]
pub struct PrecheckOptions {
    /// Never use the network.
    pub offline: bool,
    /// Per-request timeout.
    pub timeout: Duration,
    /// A cache of fetched answers.
    pub cache: Option<RevocationCache>,
    /// The proxy from Settings or `--proxy`; `None` uses the environment's
    /// (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`: [`crate::http::proxy_for`]).
    pub proxy: Option<String>,
}

impl PrecheckOptions {
    /// The HTTP route of these options.
    pub fn route(&self) -> crate::http::Route<'_> {
        crate::http::Route { timeout: self.timeout, proxy: self.proxy.as_deref() }
    }
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

/// Downloads a CRL (PEM or DER) from a distribution point, as DER.
fn fetch_crl(url: &str, route: &crate::http::Route<'_>) -> Result<Vec<u8>, crate::http::HttpError> {
    let body = crate::http::exchange_via(url, "application/pkix-crl", None, route)?;
    Ok(crate::trust::load_crl(&body).unwrap_or(body))
}

/// Checks `cert` (issued by `issuer`, when known) before signing, without a cache.
pub fn precheck(
    cert: &Certificate,
    issuer: Option<&Certificate>,
    given_crls: &[Vec<u8>],
    offline: bool,
    timeout: Duration,
) -> Precheck {
    precheck_with(cert, issuer, given_crls, &PrecheckOptions { offline, timeout, cache: None, proxy: None })
}

/// Checks `cert` (issued by `issuer`, when known) before signing.
pub fn precheck_with(
    cert: &Certificate,
    issuer: Option<&Certificate>,
    given_crls: &[Vec<u8>],
    opts: &PrecheckOptions,
) -> Precheck {
    let offline = opts.offline;
    let now = SystemTime::now();
    let info = CertInfo::from_certificate(cert, now);
    let none = |result| Precheck { result, evidence: Vec::new(), crls: Vec::new(), ocsps: Vec::new() };
    if let Some(w) = info.warnings.iter().find(|w| **w != CertWarning::IsCa) {
        return none(PrecheckResult::Unusable(*w));
    }
    let Some(issuer) = issuer else {
        return none(PrecheckResult::Unchecked(Unchecked::IssuerUnknown));
    };
    let mut crls: Vec<Vec<u8>> = given_crls.to_vec();
    let mut ocsps: Vec<Vec<u8>> = Vec::new();
    let mut evidence: Vec<String> = given_crls
        .iter()
        .map(|c| format!("crl sha256={} source=given", hex::encode(HashAlg::Sha256.digest(c))))
        .collect();
    let mut status = check_crls(cert, issuer, &crls, now);
    let mut fetch_error = None;
    if status == RevocationStatus::NotChecked {
        (status, fetch_error) = fetch_status(cert, issuer, opts, &mut crls, &mut ocsps, &mut evidence);
    }
    let result = match status {
        RevocationStatus::Good => PrecheckResult::Good,
        RevocationStatus::Revoked(t) => PrecheckResult::Revoked(t),
        RevocationStatus::NotChecked => PrecheckResult::Unchecked(match (offline, fetch_error) {
            (true, _) => Unchecked::Offline,
            (false, Some(e)) => Unchecked::FetchFailed(e),
            (false, None) => Unchecked::NoUsableCrl,
        }),
    };
    Precheck { result, evidence, crls, ocsps }
}

/// Asks for `cert`'s current status (issued by `issuer`): a cached or fresh
/// OCSP answer from its AIA responder (RFC 6960), else a cached or
/// downloaded CRL from its distribution points (RFC 5280 §4.2.1.13). What was
/// used is appended to `crls`, `ocsps` and `evidence`; the second value is
/// the last fetch error.
pub fn fetch_status(
    cert: &Certificate,
    issuer: &Certificate,
    opts: &PrecheckOptions,
    crls: &mut Vec<Vec<u8>>,
    ocsps: &mut Vec<Vec<u8>>,
    evidence: &mut Vec<String>,
) -> (RevocationStatus, Option<String>) {
    let (offline, route) = (opts.offline, opts.route());
    let now = SystemTime::now();
    let mut status = RevocationStatus::NotChecked;
    let mut fetch_error = None;
    let ocsp_evidence = |a: &crate::ocsp::OcspAnswer, source: &str| {
        format!(
            "ocsp sha256={} source={source} status={} produced_at={}",
            hex::encode(HashAlg::Sha256.digest(&a.der)),
            match a.status {
                crate::ocsp::OcspStatus::Good => "good".to_owned(),
                crate::ocsp::OcspStatus::Revoked(t) => format!("revoked@{t}"),
                crate::ocsp::OcspStatus::Unknown => "unknown".to_owned(),
            },
            a.produced_at.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
        )
    };
    // OCSP: the cache, then the responder.
    if status == RevocationStatus::NotChecked {
        if let Some(a) = opts.cache.as_ref().and_then(|c| c.ocsp(cert, issuer, now)) {
            evidence.push(ocsp_evidence(&a, "cache"));
            status = a.status.revocation();
            ocsps.push(a.der);
        } else if !offline && !crate::ocsp::ocsp_urls(cert).is_empty() {
            match crate::ocsp::query_via(cert, issuer, &route) {
                Ok(a) => {
                    let url = crate::ocsp::ocsp_urls(cert).join(" ");
                    evidence.push(ocsp_evidence(&a, &url));
                    status = a.status.revocation();
                    if let Some(c) = &opts.cache {
                        c.put_ocsp(cert, &a.der);
                    }
                    ocsps.push(a.der);
                }
                Err(e) => fetch_error = Some(format!("OCSP: {e}")),
            }
        }
    }
    // CRLs: the cache, then the distribution points.
    if status == RevocationStatus::NotChecked {
        for url in crl_urls(cert) {
            let cached = opts.cache.as_ref().and_then(|c| c.crl(&url, now));
            let fetched = match cached {
                Some(der) => Some((der, "cache".to_owned())),
                None if offline => None,
                None => match fetch_crl(&url, &route) {
                    Ok(der) => {
                        if let Some(c) = &opts.cache {
                            c.put_crl(&url, &der);
                        }
                        Some((der, url.clone()))
                    }
                    Err(e) => {
                        fetch_error = Some(format!("{url}: {e}"));
                        None
                    }
                },
            };
            if let Some((der, source)) = fetched {
                evidence.push(format!("crl sha256={} source={source}", hex::encode(HashAlg::Sha256.digest(&der))));
                crls.push(der);
                status = check_crls(cert, issuer, crls, now);
                if status != RevocationStatus::NotChecked {
                    break;
                }
            }
        }
    }
    (status, fetch_error)
}

/// Revocation evidence gathered for a DSS (ETSI EN 319 142-1 §5.4).
#[derive(Clone, Debug, Default)]
pub struct Gathered {
    /// OCSP responses (DER `OCSPResponse`).
    pub ocsps: Vec<Vec<u8>>,
    /// CRLs (DER).
    pub crls: Vec<Vec<u8>>,
    /// One line per certificate: where its answer came from, or why none.
    pub notes: Vec<String>,
}

/// Fetches current revocation evidence for every certificate of `certs`
/// whose issuer is also in `certs` (self-signed roots need none): the
/// responder of its AIA, and a CRL from its distribution points (a CRL
/// also answers for the issuer's other certificates, a TSA's among them).
/// Answers fresher than a signature are what long-term validation needs
/// (ETSI EN 319 102-1 §5.2.5.4), so the cache is not used.
pub fn gather_revocation(certs: &[Certificate], timeout: Duration) -> Gathered {
    gather_revocation_via(certs, &crate::http::Route { timeout, proxy: None })
}

/// [`gather_revocation`] along `route` (its proxy and timeout).
pub fn gather_revocation_via(certs: &[Certificate], route: &crate::http::Route<'_>) -> Gathered {
    let mut out = Gathered::default();
    let now = SystemTime::now();
    let mut crl_sources: Vec<String> = Vec::new();
    for cert in certs {
        let tbs = cert.tbs_certificate();
        if tbs.subject() == tbs.issuer() {
            continue;
        }
        let Some(issuer) = certs.iter().find(|c| c.tbs_certificate().subject() == tbs.issuer()) else { continue };
        let name = crate::cert::format_name(tbs.subject());
        let mut answered = false;
        if let Ok(a) = crate::ocsp::query_via(cert, issuer, route)
            && a.status != crate::ocsp::OcspStatus::Unknown
        {
            out.notes.push(format!("{name}: ocsp"));
            if !out.ocsps.contains(&a.der) {
                out.ocsps.push(a.der);
            }
            answered = true;
        }
        for url in crl_urls(cert) {
            if crl_sources.contains(&url) {
                answered = true;
                break;
            }
            if let Ok(der) = fetch_crl(&url, route)
                && check_crls(cert, issuer, std::slice::from_ref(&der), now) != RevocationStatus::NotChecked
            {
                out.notes.push(format!("{name}: crl {url}"));
                crl_sources.push(url);
                if !out.crls.contains(&der) {
                    out.crls.push(der);
                }
                answered = true;
                break;
            }
        }
        if !answered {
            out.notes.push(format!("{name}: no revocation information reachable"));
        }
    }
    out
}
