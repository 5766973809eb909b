//! An OCSP client (RFC 6960): requests with a nonce (RFC 8954), and the
//! checks a relying party owes a response (§3.2): it answers for this
//! certificate, it is signed by the issuer or by a responder the issuer
//! delegated (id-kp-OCSPSigning, §4.2.2.2), and it is current.

use std::time::{Duration, SystemTime};

use der::asn1::OctetString;
use der::{Decode, Encode, Sequence};
use serde::Serialize;
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::AuthorityInfoAccessSyntax;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

use crate::ber::elements;
use crate::hash::{HashAlg, verify_message};

/// id-ad-ocsp (RFC 5280 §4.2.2.1).
const AD_OCSP: &str = "1.3.6.1.5.5.7.48.1";
/// id-pkix-ocsp-basic.
const OCSP_BASIC: &str = "1.3.6.1.5.5.7.48.1.1";
/// id-pkix-ocsp-nonce.
const OCSP_NONCE: &str = "1.3.6.1.5.5.7.48.1.2";
/// id-kp-OCSPSigning.
const KP_OCSP_SIGNING: &str = "1.3.6.1.5.5.7.3.9";
/// Clock skew tolerated on thisUpdate.
const SKEW: Duration = Duration::from_secs(300);
/// How long a response without nextUpdate counts as current.
const NO_NEXT_UPDATE: Duration = Duration::from_secs(24 * 3600);

/// What a responder said about a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OcspStatus {
    /// Not revoked.
    Good,
    /// Revoked at this Unix time.
    Revoked(i64),
    /// The responder does not know the certificate.
    Unknown,
}

impl OcspStatus {
    /// The revocation status this answer gives (unknown answers nothing).
    pub fn revocation(self) -> crate::trust::RevocationStatus {
        match self {
            Self::Good => crate::trust::RevocationStatus::Good,
            Self::Revoked(t) => crate::trust::RevocationStatus::Revoked(t),
            Self::Unknown => crate::trust::RevocationStatus::NotChecked,
        }
    }
}

/// A checked response.
#[derive(Clone, Debug)]
pub struct OcspAnswer {
    /// The status.
    pub status: OcspStatus,
    /// When the responder produced it.
    pub produced_at: SystemTime,
    /// thisUpdate of the single response.
    pub this_update: SystemTime,
    /// nextUpdate, when given.
    pub next_update: Option<SystemTime>,
    /// The whole `OCSPResponse` (DER), as evidence and for a DSS.
    pub der: Vec<u8>,
}

/// Why a response could not be obtained or used.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum OcspError {
    /// The certificate names no OCSP responder.
    #[error("the certificate names no OCSP responder")]
    NoResponder,
    /// The exchange failed.
    #[error(transparent)]
    Http(#[from] crate::http::HttpError),
    /// The responder answered with an error status (RFC 6960 §4.2.1).
    #[error("OCSP responder error status {0}")]
    Status(u8),
    /// Not a well-formed basic response.
    #[error("malformed OCSP response: {0}")]
    Malformed(&'static str),
    /// The response is not for this certificate.
    #[error("the OCSP response is for another certificate")]
    OtherCertificate,
    /// The signature does not verify or the signer is not authorised.
    #[error("the OCSP response is not signed by the issuer or its responder")]
    BadSignature,
    /// The nonce does not match the request's.
    #[error("the OCSP nonce does not match")]
    Nonce,
    /// Outside thisUpdate … nextUpdate.
    #[error("the OCSP response is not current")]
    NotCurrent,
}

/// CertID (RFC 6960 §4.1.1).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
struct CertId {
    hash_algorithm: AlgorithmIdentifierOwned,
    issuer_name_hash: OctetString,
    issuer_key_hash: OctetString,
    serial_number: SerialNumber,
}

#[derive(Sequence)]
struct Request {
    req_cert: CertId,
}

#[derive(Sequence)]
struct TbsRequest {
    request_list: Vec<Request>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    request_extensions: Option<Vec<Extension>>,
}

#[derive(Sequence)]
struct OcspRequest {
    tbs_request: TbsRequest,
}

/// OCSP responder URLs (`http://`) of a certificate's AIA.
pub fn ocsp_urls(cert: &Certificate) -> Vec<String> {
    let Ok(Some((_, aia))) = cert.tbs_certificate().get_extension::<AuthorityInfoAccessSyntax>() else {
        return Vec::new();
    };
    aia.0
        .iter()
        .filter(|ad| ad.access_method.to_string() == AD_OCSP)
        .filter_map(|ad| match &ad.access_location {
            GeneralName::UniformResourceIdentifier(u) if u.as_str().starts_with("http://") => Some(u.to_string()),
            _ => None,
        })
        .collect()
}

fn cert_id(cert: &Certificate, issuer: &Certificate, alg: HashAlg) -> Result<CertId, der::Error> {
    let oid = match alg {
        HashAlg::Sha256 => const_oid::db::rfc5912::ID_SHA_256,
        HashAlg::Sha384 => const_oid::db::rfc5912::ID_SHA_384,
        HashAlg::Sha512 => const_oid::db::rfc5912::ID_SHA_512,
        _ => const_oid::db::rfc5912::ID_SHA_1,
    };
    let name = issuer.tbs_certificate().subject().to_der()?;
    let key = issuer.tbs_certificate().subject_public_key_info().subject_public_key.raw_bytes();
    Ok(CertId {
        hash_algorithm: AlgorithmIdentifierOwned { oid, parameters: Some(der::asn1::Null.into()) },
        issuer_name_hash: OctetString::new(alg.digest(&name))?,
        issuer_key_hash: OctetString::new(alg.digest(key))?,
        serial_number: cert.tbs_certificate().serial_number().clone(),
    })
}

/// An `OCSPRequest` for `cert` (SHA-1 CertID, as responders expect) with
/// an optional nonce.
pub fn build_request(cert: &Certificate, issuer: &Certificate, nonce: Option<&[u8]>) -> Result<Vec<u8>, der::Error> {
    let request_extensions = match nonce {
        Some(n) => Some(vec![Extension {
            extn_id: OCSP_NONCE.parse().map_err(|_| der::Tag::ObjectIdentifier.value_error())?,
            critical: false,
            extn_value: OctetString::new(OctetString::new(n)?.to_der()?)?,
        }]),
        None => None,
    };
    OcspRequest {
        tbs_request: TbsRequest {
            request_list: vec![Request { req_cert: cert_id(cert, issuer, HashAlg::Sha1)? }],
            request_extensions,
        },
    }
    .to_der()
}

fn gtime(tlv: &crate::ber::Tlv<'_>) -> Option<SystemTime> {
    (tlv.tag == [0x18]).then(|| crate::tsp::generalized_time(tlv.content)).flatten()
}

fn unix(t: SystemTime) -> i64 {
    t.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// The nonce (the OCTET STRING's content) among response extensions.
fn response_nonce(exts: &[u8]) -> Option<Vec<u8>> {
    let seq = elements(exts)?.into_iter().next()?;
    for ext in elements(seq.content)? {
        let Ok(e) = Extension::from_der(ext.raw) else { continue };
        if e.extn_id.to_string() == OCSP_NONCE {
            let inner = e.extn_value.as_bytes();
            return Some(
                OctetString::from_der(inner).map(|o| o.as_bytes().to_vec()).unwrap_or_else(|_| inner.to_vec()),
            );
        }
    }
    None
}

/// Checks a DER `OCSPResponse` for `cert` issued by `issuer`, at `at`
/// (RFC 6960 §3.2); `nonce` is the request's, when one was sent.
pub fn check_response(
    der: &[u8],
    cert: &Certificate,
    issuer: &Certificate,
    at: SystemTime,
    nonce: Option<&[u8]>,
) -> Result<OcspAnswer, OcspError> {
    check(der, cert, issuer, Some(at), nonce)
}

/// As [`check_response`]; without `at`, currency is left to the caller
/// (an archived response is judged against the signing time).
#[allow(clippy::too_many_lines)]
fn check(
    der: &[u8],
    cert: &Certificate,
    issuer: &Certificate,
    at: Option<SystemTime>,
    nonce: Option<&[u8]>,
) -> Result<OcspAnswer, OcspError> {
    let bad = OcspError::Malformed;
    let outer = elements(der).and_then(|v| v.into_iter().next()).ok_or(bad("not DER"))?;
    let parts = elements(outer.content).ok_or(bad("OCSPResponse"))?;
    let status = parts.first().filter(|t| t.tag == [0x0a]).ok_or(bad("responseStatus"))?;
    let code = *status.content.first().ok_or(bad("responseStatus"))?;
    if code != 0 {
        return Err(OcspError::Status(code));
    }
    let rb = parts.get(1).filter(|t| t.tag == [0xa0]).ok_or(bad("responseBytes"))?;
    let rb = elements(rb.content).and_then(|v| v.into_iter().next()).ok_or(bad("responseBytes"))?;
    let rb = elements(rb.content).ok_or(bad("responseBytes"))?;
    let (ty, body) = (rb.first().ok_or(bad("responseType"))?, rb.get(1).ok_or(bad("response"))?);
    let ty: const_oid::ObjectIdentifier =
        const_oid::ObjectIdentifier::from_der(ty.raw).map_err(|_| bad("responseType"))?;
    if ty.to_string() != OCSP_BASIC || body.tag != [0x04] {
        return Err(bad("not a basic response"));
    }
    // BasicOCSPResponse (§4.2.1).
    let basic = elements(body.content).and_then(|v| v.into_iter().next()).ok_or(bad("BasicOCSPResponse"))?;
    let b = elements(basic.content).ok_or(bad("BasicOCSPResponse"))?;
    let tbs = b.first().ok_or(bad("tbsResponseData"))?;
    let sig_alg = AlgorithmIdentifierOwned::from_der(b.get(1).ok_or(bad("signatureAlgorithm"))?.raw)
        .map_err(|_| bad("signatureAlgorithm"))?;
    let sig = der::asn1::BitString::from_der(b.get(2).ok_or(bad("signature"))?.raw).map_err(|_| bad("signature"))?;
    let mut certs: Vec<Certificate> = Vec::new();
    if let Some(c) = b.get(3).filter(|t| t.tag == [0xa0]) {
        let seq = elements(c.content).and_then(|v| v.into_iter().next()).ok_or(bad("certs"))?;
        for e in elements(seq.content).ok_or(bad("certs"))? {
            certs.push(Certificate::from_der(e.raw).map_err(|_| bad("certs"))?);
        }
    }

    // ResponseData.
    let mut rd = elements(tbs.content).ok_or(bad("ResponseData"))?.into_iter().peekable();
    if rd.peek().is_some_and(|t| t.tag == [0xa0]) {
        rd.next();
    }
    let responder = rd.next().ok_or(bad("responderID"))?;
    let produced_at = rd.next().as_ref().and_then(gtime).ok_or(bad("producedAt"))?;
    let responses = rd.next().filter(|t| t.tag == [0x30]).ok_or(bad("responses"))?;
    let extensions = rd.next().filter(|t| t.tag == [0xa1]);

    // The signer: the issuer itself, or a delegated responder it certified.
    let signed_by = |signer: &Certificate| {
        verify_message(
            signer.tbs_certificate().subject_public_key_info(),
            &sig_alg,
            HashAlg::Sha256,
            tbs.raw,
            sig.raw_bytes(),
        )
        .is_ok()
    };
    let names_signer = |c: &Certificate| match responder.tag {
        [0xa1] => c.tbs_certificate().subject().to_der().ok().as_deref() == Some(responder.content),
        [0xa2] => {
            let key = c.tbs_certificate().subject_public_key_info().subject_public_key.raw_bytes();
            OctetString::from_der(responder.content).is_ok_and(|o| o.as_bytes() == HashAlg::Sha1.digest(key))
        }
        _ => false,
    };
    let authorised = if names_signer(issuer) {
        signed_by(issuer)
    } else {
        certs
            .iter()
            .filter(|c| names_signer(c))
            .any(|c| delegated_by(c, issuer, at.unwrap_or(produced_at)) && signed_by(c))
    };
    if !authorised {
        return Err(OcspError::BadSignature);
    }
    if let Some(n) = nonce
        && let Some(got) = extensions.as_ref().and_then(|e| response_nonce(e.content))
        && got != n
    {
        return Err(OcspError::Nonce);
    }

    // The SingleResponse for this certificate.
    for single in elements(responses.content).ok_or(bad("responses"))? {
        let f = elements(single.content).ok_or(bad("SingleResponse"))?;
        let id = CertId::from_der(f.first().ok_or(bad("certID"))?.raw).map_err(|_| bad("certID"))?;
        let Some(alg) = HashAlg::from_oid(&id.hash_algorithm.oid) else { continue };
        let Ok(mine) = cert_id(cert, issuer, alg) else { continue };
        if mine.issuer_name_hash != id.issuer_name_hash
            || mine.issuer_key_hash != id.issuer_key_hash
            || mine.serial_number != id.serial_number
        {
            continue;
        }
        let st = f.get(1).ok_or(bad("certStatus"))?;
        let status = match st.tag {
            [0x80] => OcspStatus::Good,
            [0xa1] => {
                let t = elements(st.content).and_then(|v| v.into_iter().next()).as_ref().and_then(gtime);
                OcspStatus::Revoked(unix(t.ok_or(bad("revocationTime"))?))
            }
            [0x82] => OcspStatus::Unknown,
            _ => return Err(bad("certStatus")),
        };
        let this_update = f.get(2).and_then(gtime).ok_or(bad("thisUpdate"))?;
        let next_update = f
            .get(3)
            .filter(|t| t.tag == [0xa0])
            .and_then(|t| elements(t.content).and_then(|v| v.into_iter().next()))
            .as_ref()
            .and_then(gtime);
        let until = next_update.unwrap_or(this_update + NO_NEXT_UPDATE);
        if let Some(at) = at
            && (this_update > at + SKEW || until < at)
        {
            return Err(OcspError::NotCurrent);
        }
        return Ok(OcspAnswer { status, produced_at, this_update, next_update, der: der.to_vec() });
    }
    Err(OcspError::OtherCertificate)
}

/// Whether `responder` is a delegated OCSP signer of `issuer` (§4.2.2.2):
/// issued and signed by it, with id-kp-OCSPSigning, valid at `at`.
fn delegated_by(responder: &Certificate, issuer: &Certificate, at: SystemTime) -> bool {
    use x509_cert::ext::pkix::ExtendedKeyUsage;
    let tbs = responder.tbs_certificate();
    if tbs.issuer() != issuer.tbs_certificate().subject() {
        return false;
    }
    let v = tbs.validity();
    if v.not_before.to_system_time() > at || v.not_after.to_system_time() < at {
        return false;
    }
    let eku_ok = matches!(tbs.get_extension::<ExtendedKeyUsage>(), Ok(Some((_, eku)))
        if eku.0.iter().any(|o| o.to_string() == KP_OCSP_SIGNING));
    let Ok(der) = responder.to_der() else { return false };
    let Some(tbs_raw) = elements(&der)
        .and_then(|v| v.into_iter().next())
        .and_then(|o| elements(o.content)?.into_iter().next().map(|t| t.raw.to_vec()))
    else {
        return false;
    };
    eku_ok
        && verify_message(
            issuer.tbs_certificate().subject_public_key_info(),
            responder.signature_algorithm(),
            HashAlg::Sha256,
            &tbs_raw,
            responder.signature().raw_bytes(),
        )
        .is_ok()
}

/// Asks the certificate's responders (AIA) in turn; the first usable
/// answer wins.
pub fn query(cert: &Certificate, issuer: &Certificate, timeout: Duration) -> Result<OcspAnswer, OcspError> {
    query_via(cert, issuer, &crate::http::Route { timeout, proxy: None })
}

/// [`query`] along `route` (its proxy and timeout).
pub fn query_via(
    cert: &Certificate,
    issuer: &Certificate,
    route: &crate::http::Route<'_>,
) -> Result<OcspAnswer, OcspError> {
    let urls = ocsp_urls(cert);
    if urls.is_empty() {
        return Err(OcspError::NoResponder);
    }
    let mut nonce = [0u8; 16];
    getrandom::fill(&mut nonce).map_err(|_| OcspError::Malformed("no randomness for the nonce"))?;
    let req = build_request(cert, issuer, Some(&nonce)).map_err(|_| OcspError::Malformed("request"))?;
    let mut last = OcspError::NoResponder;
    for url in urls {
        match crate::http::exchange_via(&url, "application/ocsp-request", Some(&req), route) {
            Ok(body) => match check_response(&body, cert, issuer, SystemTime::now(), Some(&nonce)) {
                Ok(a) => return Ok(a),
                Err(e) => last = e,
            },
            Err(e) => last = e.into(),
        }
    }
    Err(last)
}

/// The status stored responses (a DSS, a CMS revocation archive) give
/// `cert` for a signature made at `signing_time`: a revocation, or a "good"
/// that was current at that time or issued after it (ETSI EN 319 102-1
/// §5.2.5: revocation information fresher than the signature).
pub fn status_from(
    responses: &[Vec<u8>],
    cert: &Certificate,
    issuer: &Certificate,
    signing_time: SystemTime,
) -> Option<OcspAnswer> {
    responses.iter().filter_map(|r| check(r, cert, issuer, None, None).ok()).find(|a| match a.status {
        OcspStatus::Revoked(_) => true,
        OcspStatus::Good => a.this_update + SKEW >= signing_time || a.next_update.is_some_and(|n| n >= signing_time),
        OcspStatus::Unknown => false,
    })
}
