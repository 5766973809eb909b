//! RFC 3161 timestamp tokens validated like signatures before they may
//! serve as proof of existence (ETSI EN 319 102-1 §5.4 time-stamp
//! validation building block, §5.6.2.4 proof of existence): the token is
//! a CMS SignedData over a `TSTInfo` (RFC 3161 §2.4.2) whose message
//! imprint is the hash of what it covers; its signer is the certificate the
//! ESS signing-certificate(-v2) attribute binds (RFC 3161 §2.4.2, RFC
//! 5816), which carries the critical id-kp-timeStamping extended key usage
//! (RFC 3161 §2.3), chains to a trust anchor and was valid and not revoked
//! at the token's time. A token that fails any of this proves nothing: it
//! is reported and never becomes a validation time.

use std::time::{Duration, SystemTime};

use der::{Any, Decode, Tagged};
use x509_cert::ext::pkix::ExtendedKeyUsage;

use crate::cms_verify::{EssCheck, parse_cms};
use crate::hash::HashAlg;
use crate::report::{Warning, WarningCode};
use crate::trust::{CertDer, ChainStatus, RevocationStatus, check_crls, validate_path};

/// id-ct-TSTInfo (RFC 3161 §2.4.2).
const ID_CT_TSTINFO: &str = "1.2.840.113549.1.9.16.1.4";
/// id-kp-timeStamping (RFC 3161 §2.3).
const ID_KP_TIMESTAMPING: &str = "1.3.6.1.5.5.7.3.8";

/// What a token is checked against.
#[derive(Clone, Copy, Debug)]
pub struct TokenContext<'a> {
    /// Trust anchors (the same as for signatures).
    pub anchors: &'a [CertDer],
    /// Certificates that may complete the TSA's path (the token's own are added).
    pub pool: &'a [CertDer],
    /// CRLs (DER) that may answer for the TSA's path.
    pub crls: &'a [Vec<u8>],
    /// OCSP responses (DER) that may answer for the TSA's path.
    pub ocsps: &'a [Vec<u8>],
    /// The validation time (current time unless asked otherwise).
    pub at: SystemTime,
    /// Ask responders and distribution points when nothing else answers.
    pub online: Option<&'a crate::precheck::PrecheckOptions>,
}

crate::named_enum! {
    /// How far a token is to be believed (a report's `timestamp_trust`;
    /// no token at all is `none` there).
    pub enum TimestampTrust {
        /// Validated: its time is a proof of existence.
        Trusted = "trusted",
        /// Intact (imprint and signature verify) but its signer is not a
        /// trusted, valid, unrevoked timestamping authority bound by the token.
        Untrusted = "untrusted",
        /// Malformed, for other data, or its signature does not verify.
        Invalid = "invalid",
    }
}

crate::named_enum! {
    /// Which timestamp a warning is about (the first part of its code).
    pub enum TimestampRole {
        /// A signature timestamp (unsigned attribute, ETSI EN 319 122-1 §5.3).
        Signature = "signature_timestamp",
        /// A document timestamp (ETSI EN 319 142-1 §5.4).
        Document = "document_timestamp",
        /// A timestamp in the DSS's VRI (ETSI EN 319 142-1 §5.4.2).
        Vri = "vri_timestamp",
    }
}

/// The outcome of validating one token.
#[derive(Clone, Debug)]
pub struct TokenCheck {
    /// Verdict.
    pub trust: TimestampTrust,
    /// genTime, when the token is intact (whatever its trust).
    pub time: Option<SystemTime>,
    /// Why it is not trusted (a short code), when it is not.
    pub reason: Option<&'static str>,
    /// The TSA certificate's subject, when the token binds one.
    pub tsa: Option<String>,
    /// The accuracy of genTime (RFC 3161 §2.4.2), when given.
    pub accuracy: Option<Duration>,
    /// The nonce (hex), when present.
    pub nonce: Option<String>,
    /// The TSA policy.
    pub policy: Option<String>,
    /// The token's serial number (hex).
    pub serial: Option<String>,
    /// Every certificate of the TSA's path had a revocation answer.
    pub revocation_checked: bool,
}

impl TokenCheck {
    fn failed(trust: TimestampTrust, reason: &'static str) -> Self {
        Self {
            trust,
            time: None,
            reason: Some(reason),
            tsa: None,
            accuracy: None,
            nonce: None,
            policy: None,
            serial: None,
            revocation_checked: false,
        }
    }

    /// The proof of existence this token gives: its time when trusted.
    pub fn poe(&self) -> Option<SystemTime> {
        (self.trust == TimestampTrust::Trusted).then_some(self.time).flatten()
    }

    /// The warning a report carries for this token, `role` naming it;
    /// `None` when all is well.
    pub fn warning(&self, role: TimestampRole) -> Option<Warning> {
        use WarningCode as W;
        let (invalid, untrusted) = match role {
            TimestampRole::Signature => (W::SignatureTimestampInvalid, W::SignatureTimestampUntrusted),
            TimestampRole::Document => (W::DocumentTimestampInvalid, W::DocumentTimestampUntrusted),
            TimestampRole::Vri => (W::VriTimestampInvalid, W::VriTimestampUntrusted),
        };
        match self.trust {
            TimestampTrust::Invalid => Some(Warning::with(invalid, self.reason.unwrap_or("invalid"))),
            TimestampTrust::Untrusted => Some(Warning::with(untrusted, self.reason.unwrap_or("untrusted"))),
            TimestampTrust::Trusted if !self.revocation_checked => {
                Some(Warning::with(W::TimestampRevocationNotChecked, role.name()))
            }
            TimestampTrust::Trusted => None,
        }
    }
}

/// Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] INTEGER
/// OPTIONAL, micros [1] INTEGER OPTIONAL } (RFC 3161 §2.4.2).
fn accuracy(a: &Any) -> Option<Duration> {
    let items = Vec::<Any>::from_der(&der::Encode::to_der(a).ok()?).ok()?;
    let int = |v: &[u8]| -> Option<u64> {
        if v.len() > 8 {
            return None;
        }
        Some(v.iter().fold(0u64, |n, b| (n << 8) | u64::from(*b)))
    };
    let mut d = Duration::ZERO;
    for i in items {
        let v = int(i.value())?;
        d = d.checked_add(match i.tag() {
            der::Tag::Integer => Duration::from_secs(v),
            der::Tag::ContextSpecific { number, .. } if number.value() == 0 => Duration::from_millis(v),
            der::Tag::ContextSpecific { number, .. } if number.value() == 1 => Duration::from_micros(v),
            _ => continue,
        })?;
    }
    Some(d)
}

/// Validates `token`; `covered` gives the digest, with the algorithm the
/// token names, of what the token must cover (the signature value for a
/// signature timestamp, the byte ranges for a document timestamp).
pub fn validate_token(
    token: &[u8],
    covered: &dyn Fn(HashAlg) -> Option<Vec<u8>>,
    ctx: &TokenContext<'_>,
) -> TokenCheck {
    use TimestampTrust::{Invalid, Untrusted};
    let Ok(cms) = parse_cms(token) else { return TokenCheck::failed(Invalid, "malformed") };
    if cms.econtent_type().to_string() != ID_CT_TSTINFO {
        return TokenCheck::failed(Invalid, "not_a_timestamp");
    }
    let Some(econtent) = cms.econtent() else { return TokenCheck::failed(Invalid, "malformed") };
    let Some(info) = crate::tsp::parse_tst_info(&econtent) else { return TokenCheck::failed(Invalid, "malformed") };
    // The message imprint (RFC 3161 §2.4.2) must be the hash of what is covered.
    let Some(alg) = HashAlg::from_oid(&info.imprint.hash_algorithm.oid) else {
        return TokenCheck::failed(Invalid, "unsupported_hash");
    };
    if covered(alg).as_deref() != Some(info.imprint.hashed_message.as_bytes()) {
        return TokenCheck::failed(Invalid, "imprint_mismatch");
    }
    let check = cms.check(&cms.digest_alg.digest(&econtent));
    if !check.message_digest_ok || !check.signature_ok {
        return TokenCheck::failed(Invalid, "bad_signature");
    }
    let items = Vec::<Any>::from_der(&econtent).unwrap_or_default();
    let mut out = TokenCheck {
        trust: Untrusted,
        time: Some(info.time),
        reason: None,
        tsa: None,
        accuracy: items.iter().skip(5).find(|a| a.tag() == der::Tag::Sequence).and_then(accuracy),
        nonce: info.nonce.as_deref().map(hex::encode),
        policy: items.get(1).and_then(|p| p.decode_as::<const_oid::ObjectIdentifier>().ok()).map(|o| o.to_string()),
        serial: items.get(3).map(|s| hex::encode(s.value())),
        revocation_checked: false,
    };
    let untrusted = |mut o: TokenCheck, why: &'static str| {
        o.reason = Some(why);
        o
    };
    // The TSA is the certificate the token binds (RFC 3161 §2.4.2: the ESS
    // signing-certificate attribute is mandatory; RFC 5816 allows v2).
    let Some(tsa) = check.signer.clone() else { return untrusted(out, "tsa_not_bound") };
    out.tsa = Some(crate::cert::format_name(tsa.cert.tbs_certificate().subject()));
    if check.ess != EssCheck::Match {
        return untrusted(out, "no_signing_certificate_attribute");
    }
    // RFC 3161 §2.3: the extended key usage is critical and names timeStamping.
    let is_tsa = matches!(
        tsa.cert.tbs_certificate().get_extension::<ExtendedKeyUsage>(),
        Ok(Some((true, e))) if e.0.iter().any(|o| o.to_string() == ID_KP_TIMESTAMPING)
    );
    if !is_tsa {
        return untrusted(out, "not_a_timestamping_authority");
    }
    // The TSA's path, judged at the token's time.
    let mut pool = cms.certificates.clone();
    pool.extend(ctx.pool.iter().cloned());
    let chain = validate_path(&tsa, &pool, ctx.anchors, info.time);
    match chain.status {
        ChainStatus::Valid => {}
        ChainStatus::NoChainFound | ChainStatus::NotCa => return untrusted(out, "no_chain_to_trust_anchor"),
        ChainStatus::OutOfValidity => return untrusted(out, "tsa_certificate_out_of_validity"),
        _ => return untrusted(out, "tsa_chain_invalid"),
    }
    // Not revoked at the token's time (RFC 5280 §6.3, RFC 6960).
    let mut crls = cms.crls.clone();
    crls.extend(ctx.crls.iter().cloned());
    let mut all_answered = true;
    for pair in chain.certs.windows(2) {
        if ctx.anchors.contains(&pair[0]) {
            break;
        }
        let (cert, issuer) = (&pair[0].cert, &pair[1].cert);
        let mut st = check_crls(cert, issuer, &crls, ctx.at);
        if st == RevocationStatus::NotChecked {
            st = check_crls(cert, issuer, &crls, info.time);
        }
        if st == RevocationStatus::NotChecked
            && let Some(a) = crate::ocsp::status_from(ctx.ocsps, cert, issuer, info.time)
        {
            st = a.status.revocation();
        }
        let expired = cert.tbs_certificate().validity().not_after.to_system_time() < ctx.at;
        if st == RevocationStatus::NotChecked
            && !expired
            && let Some(opts) = ctx.online
        {
            let (mut c, mut o, mut e) = (Vec::new(), Vec::new(), Vec::new());
            st = crate::precheck::fetch_status(cert, issuer, opts, &mut c, &mut o, &mut e).0;
        }
        match st {
            RevocationStatus::Revoked(t) if t <= unix(info.time) => return untrusted(out, "tsa_certificate_revoked"),
            RevocationStatus::NotChecked => all_answered = false,
            _ => {}
        }
    }
    out.revocation_checked = all_answered;
    out.trust = TimestampTrust::Trusted;
    out
}

fn unix(t: SystemTime) -> i64 {
    t.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}
