//! RFC 3161 time-stamp protocol client: TimeStampReq (§2.4.1) with a
//! SHA-256 imprint, a nonce and certReq; the TimeStampResp (§2.4.2) is
//! checked — status, imprint, nonce, the token's CMS signature, and the TSA
//! certificate's critical timeStamping extended key usage (§2.3).

use std::time::{Duration, SystemTime};

use der::asn1::{BitString, Int, OctetString};
use der::{Any, Decode, Encode, Sequence, Tagged};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::ExtendedKeyUsage;

use crate::cms_verify::parse_cms;
use crate::hash::HashAlg;
use crate::http::{HttpError, Route, exchange_via};

/// Default TSA of the Vietnamese government CA (vietnam-rules.md).
pub const VGCA_TSA: &str = "http://tsa.ca.gov.vn/";

/// `MessageImprint` (RFC 3161 §2.4.1).
#[derive(Clone, Debug, Sequence)]
pub struct MessageImprint {
    /// Hash algorithm.
    pub hash_algorithm: AlgorithmIdentifierOwned,
    /// The hash.
    pub hashed_message: OctetString,
}

#[derive(Sequence)]
struct TimeStampReq {
    version: u8,
    message_imprint: MessageImprint,
    nonce: Option<Int>,
    #[asn1(default = "no")]
    cert_req: bool,
}

fn no() -> bool {
    false
}

#[derive(Sequence)]
struct PkiStatusInfo {
    status: u8,
    status_string: Option<Vec<Any>>,
    fail_info: Option<BitString>,
}

#[derive(Sequence)]
struct TimeStampResp {
    status: PkiStatusInfo,
    time_stamp_token: Option<Any>,
}

/// Why a timestamp could not be obtained.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TspError {
    /// The TSA could not be reached or answered badly at the HTTP level.
    #[error("the timestamp server could not be reached: {0}")]
    Http(#[from] HttpError),
    /// The TSA refused (PKIStatus rejection/waiting/revocation…).
    #[error("the timestamp server refused the request (status {0})")]
    Rejected(u8),
    /// The answer is not a valid timestamp for this request.
    #[error("invalid timestamp answer: {0}")]
    Invalid(String),
}

/// The parsed facts of a timestamp token.
#[derive(Clone, Debug)]
pub struct TimestampInfo {
    /// genTime.
    pub time: SystemTime,
    /// The imprint.
    pub imprint: MessageImprint,
    /// The nonce, when present.
    pub nonce: Option<Vec<u8>>,
}

/// Reads TSTInfo (§2.4.2): version, policy, messageImprint, serial, genTime, …
pub fn parse_tst_info(econtent: &[u8]) -> Option<TimestampInfo> {
    let items = Vec::<Any>::from_der(econtent).ok()?;
    let imprint = items.get(2)?.decode_as::<MessageImprint>().ok()?;
    let time = generalized_time(items.get(4)?.value())?;
    // nonce: the first INTEGER after genTime (accuracy is a SEQUENCE, ordering a BOOLEAN).
    let nonce = items.iter().skip(5).find(|a| a.tag() == der::Tag::Integer).map(|a| a.value().to_vec());
    Some(TimestampInfo { time, imprint, nonce })
}

/// `YYYYMMDDHHMMSS[.fff]Z` (X.680 §46); fractions are ignored.
pub fn generalized_time(v: &[u8]) -> Option<SystemTime> {
    let s = std::str::from_utf8(v).ok()?;
    if s.len() < 15 || !s.ends_with('Z') {
        return None;
    }
    let n = |a: usize, b: usize| s.get(a..b)?.parse::<u32>().ok();
    let date =
        time::Date::from_calendar_date(n(0, 4)? as i32, time::Month::try_from(n(4, 6)? as u8).ok()?, n(6, 8)? as u8)
            .ok()?;
    let t = time::Time::from_hms(n(8, 10)? as u8, n(10, 12)? as u8, n(12, 14)? as u8).ok()?;
    let unix = time::PrimitiveDateTime::new(date, t).assume_utc().unix_timestamp();
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(unix).ok()?))
}

/// Pauses before the second and third attempts: the VGCA TSA answers
/// overload with 5xx or stalls (vietnam-rules.md), and usually recovers.
const RETRY_PAUSES: [Duration; 2] = [Duration::from_secs(2), Duration::from_secs(5)];

/// Whether an HTTP failure is worth another attempt: a server error, a
/// timeout or a broken connection ([`HttpError::is_transient`], decided on
/// the error's kind); not a refusal, a bad URL or a 4xx.
fn transient(e: &HttpError) -> bool {
    e.is_transient()
}

/// Runs `f`, again after each pause while it fails transiently.
fn with_retries<T>(mut f: impl FnMut() -> Result<T, HttpError>) -> Result<T, HttpError> {
    let mut pauses = RETRY_PAUSES.iter();
    loop {
        match f() {
            Err(e) if transient(&e) => match pauses.next() {
                Some(p) => std::thread::sleep(*p),
                None => return Err(e),
            },
            other => return other,
        }
    }
}

/// Asks `url` to timestamp `data` (its SHA-256) and returns the checked
/// token (DER ContentInfo) and its facts.
pub fn request_timestamp(url: &str, data: &[u8], timeout: Duration) -> Result<(Vec<u8>, TimestampInfo), TspError> {
    request_timestamp_for_digest(url, &HashAlg::Sha256.digest(data), timeout)
}

/// Asks `url` to timestamp a SHA-256 `digest` (a document timestamp over
/// PDF byte ranges, ETSI EN 319 142-1 §5.4.3).
pub fn request_timestamp_for_digest(
    url: &str,
    digest: &[u8],
    timeout: Duration,
) -> Result<(Vec<u8>, TimestampInfo), TspError> {
    request_timestamp_via(url, digest, &Route { timeout, proxy: None })
}

/// [`request_timestamp_for_digest`] along `route` (its proxy; the timeout
/// applies to each attempt).
pub fn request_timestamp_via(
    url: &str,
    digest: &[u8],
    route: &Route<'_>,
) -> Result<(Vec<u8>, TimestampInfo), TspError> {
    let digest = digest.to_vec();
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce).map_err(|e| TspError::Invalid(e.to_string()))?;
    nonce[0] &= 0x7f;
    nonce[0] |= 0x01;
    let req = TimeStampReq {
        version: 1,
        message_imprint: MessageImprint {
            hash_algorithm: crate::DigestAlgorithm::Sha256.algorithm_identifier(),
            hashed_message: OctetString::new(digest.clone()).map_err(|e| TspError::Invalid(e.to_string()))?,
        },
        nonce: Some(Int::new(&nonce).map_err(|e| TspError::Invalid(e.to_string()))?),
        cert_req: true,
    };
    let body = req.to_der().map_err(|e| TspError::Invalid(e.to_string()))?;
    let answer = with_retries(|| exchange_via(url, "application/timestamp-query", Some(&body), route))?;
    let resp = TimeStampResp::from_der(&answer).map_err(|e| TspError::Invalid(e.to_string()))?;
    if resp.status.status > 1 {
        return Err(TspError::Rejected(resp.status.status));
    }
    let token = resp
        .time_stamp_token
        .ok_or_else(|| TspError::Invalid("no token".into()))?
        .to_der()
        .map_err(|e| TspError::Invalid(e.to_string()))?;
    let info = check_token(&token, HashAlg::Sha256, &digest)?;
    if info.nonce.as_deref() != Some(&nonce[..]) {
        return Err(TspError::Invalid("nonce mismatch".into()));
    }
    Ok((token, info))
}

/// Checks a timestamp token over `digest` (made with `alg`): imprint, CMS
/// signature and the TSA certificate's timeStamping purpose.
pub fn check_token(token: &[u8], alg: HashAlg, digest: &[u8]) -> Result<TimestampInfo, TspError> {
    let bad = |s: &str| TspError::Invalid(s.to_owned());
    let cms = parse_cms(token).map_err(|e| TspError::Invalid(e.to_string()))?;
    let econtent = cms.econtent().ok_or_else(|| bad("no TSTInfo"))?;
    let info = parse_tst_info(&econtent).ok_or_else(|| bad("bad TSTInfo"))?;
    if HashAlg::from_oid(&info.imprint.hash_algorithm.oid) != Some(alg)
        || info.imprint.hashed_message.as_bytes() != digest
    {
        return Err(bad("the timestamp is for other data"));
    }
    let c = cms.check(&cms.digest_alg.digest(&econtent));
    if !(c.message_digest_ok && c.signature_ok) {
        return Err(bad("the timestamp's signature does not verify"));
    }
    let cert = c.signer_cert.ok_or_else(|| bad("no TSA certificate"))?;
    let eku = cert.tbs_certificate().get_extension::<ExtendedKeyUsage>().ok().flatten();
    match eku {
        Some((true, e)) if e.0.iter().any(|o| o.to_string() == "1.3.6.1.5.5.7.3.8") => Ok(info),
        _ => Err(bad("the signer is not a timestamping authority")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{HttpError, HttpErrorKind};

    fn err(kind: HttpErrorKind) -> HttpError {
        HttpError { kind, url: "http://tsa.invalid/".into(), detail: String::new() }
    }

    #[test]
    fn retries_only_transient_failures() {
        let mut calls = 0;
        let r: Result<(), _> = with_retries(|| {
            calls += 1;
            Err(err(HttpErrorKind::Status(404)))
        });
        assert_eq!((r.is_err(), calls), (true, 1));
        let mut calls = 0;
        let r: Result<(), _> = with_retries(|| {
            calls += 1;
            Err(err(HttpErrorKind::Refused))
        });
        assert_eq!((r.is_err(), calls), (true, 1));
        let mut calls = 0;
        let r = with_retries(|| {
            calls += 1;
            if calls < 2 { Err(err(HttpErrorKind::Status(503))) } else { Ok(7) }
        });
        assert_eq!((r, calls), (Ok(7), 2));
        let mut calls = 0;
        let r = with_retries(|| {
            calls += 1;
            if calls < 2 { Err(err(HttpErrorKind::Reset)) } else { Ok(8) }
        });
        assert_eq!((r, calls), (Ok(8), 2));
        assert!(transient(&err(HttpErrorKind::Timeout)) && !transient(&err(HttpErrorKind::Dns)));
    }
}
