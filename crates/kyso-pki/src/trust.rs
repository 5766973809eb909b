//! Certification path building and validation (RFC 5280 §6.1: names chain
//! under the §7.1 / RFC 4518 comparison, each signature verifies with its
//! issuer's key, issuers are CAs, validity at the validation time, path
//! length, name constraints, certificate policies, critical extensions),
//! and CRL checking (RFC 5280 §6.3, with issuing distribution points,
//! indirect and delta CRLs, CRL issuers other than the certificate issuer).
//! Trust anchors are pinned by SHA-256.

use std::time::SystemTime;

use der::{Decode, Encode};
use serde::Serialize;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::crl::dp::{DistributionPoint, IssuingDistributionPoint};
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName, GeneralNames};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BaseCrlNumber, BasicConstraints, CrlDistributionPoints, CrlNumber, CrlReason,
    SubjectKeyIdentifier,
};
use x509_cert::name::Name;

use const_oid::ObjectIdentifier;
use der::asn1::Uint;

use crate::name_constraints::{self, NameConstraintState};
use crate::name_prep::names_match;
use crate::policy::PolicyState;

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
        let cert = match Certificate::from_der(der) {
            Ok(c) => c,
            Err(_) => Certificate::from_der(&clamp_pre_1970(der)?).ok()?,
        };
        Some(Self { cert, der: der.to_vec() })
    }

    /// The original bytes of `tbsCertificate`.
    fn tbs(&self) -> Option<&[u8]> {
        let outer = crate::ber::elements(&self.der)?.into_iter().next()?;
        crate::ber::elements(outer.content)?.into_iter().next().map(|t| t.raw)
    }
}

/// RFC 5280 §4.1.2.5.1 lets a UTCTime mean 1950–1969, which the der
/// crate's time type cannot hold: a copy of `der` where such a UTCTime
/// reads 1970-01-01T00:00:00Z, for decoding only (signatures and hashes
/// keep the original bytes). A notBefore before 1970 so becomes 1970, which
/// changes no validity decision at any time Kyso runs. `None` when there
/// is nothing to clamp.
fn clamp_pre_1970(der: &[u8]) -> Option<Vec<u8>> {
    let mut out = der.to_vec();
    let mut changed = false;
    let mut i = 0;
    while i + 15 <= out.len() {
        let w = &out[i..i + 15];
        if w[0] == 0x17
            && w[1] == 0x0d
            && w[2..14].iter().all(u8::is_ascii_digit)
            && w[14] == b'Z'
            && matches!(w[2], b'5' | b'6')
        {
            out[i + 2..i + 15].copy_from_slice(b"700101000000Z");
            changed = true;
            i += 15;
        } else {
            i += 1;
        }
    }
    changed.then_some(out)
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

crate::named_enum! {
    /// Outcome of path validation.
    pub enum ChainStatus {
        /// A path to a trust anchor was found and checks out.
        Valid = "valid",
        /// No path to any trust anchor.
        NoChainFound = "no_chain_found",
        /// A certificate's signature does not verify with its issuer's key.
        BadSignature = "bad_signature",
        /// An issuer is not a CA.
        NotCa = "not_ca",
        /// A signature in the path uses an algorithm Kyso cannot check.
        UnsupportedAlgorithm = "unsupported_algorithm",
        /// A certificate carries a critical extension Kyso does not process
        /// (RFC 5280 §4.2), violates a path length constraint (§4.2.1.9), a
        /// name constraint (§4.2.1.10) or the certificate policies the path
        /// requires (§6.1.3 d–f, §6.1.4 a–b, h–j, §6.1.5).
        ConstraintViolation = "constraint_violation",
        /// A certificate of the path is outside its validity at the time.
        OutOfValidity = "out_of_validity",
    }
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
    /// The certificate policies (dotted OIDs) the valid path authorises
    /// within the requested policy set (RFC 5280 §6.1.5 (g): the leaves of
    /// the valid_policy_tree; `2.5.29.32.0` = anyPolicy). Empty when the
    /// path is not valid or asserts no policy.
    pub policies: Vec<String>,
}

/// Verification options of RFC 5280 §6.1.1 (c), (e)–(g).
#[derive(Clone, Debug, Default)]
pub struct PathOptions {
    /// user-initial-policy-set; empty means any-policy.
    pub initial_policy_set: Vec<ObjectIdentifier>,
    /// initial-explicit-policy: the path must be valid for at least one
    /// policy of the set.
    pub initial_explicit_policy: bool,
    /// initial-policy-mapping-inhibit.
    pub initial_policy_mapping_inhibit: bool,
    /// initial-any-policy-inhibit.
    pub initial_any_policy_inhibit: bool,
}

fn within(cert: &CertDer, at: SystemTime) -> bool {
    let v = cert.cert.tbs_certificate().validity();
    v.not_before.to_system_time() <= at && at <= v.not_after.to_system_time()
}

/// Extensions Kyso processes or may safely ignore when critical
/// (RFC 5280 §4.2, §6.1.4 (o), §6.1.5 (f): a certificate with any other
/// critical extension is rejected).
const KNOWN_EXTENSIONS: [&str; 14] = [
    "2.5.29.14",         // subjectKeyIdentifier
    "2.5.29.35",         // authorityKeyIdentifier
    "2.5.29.15",         // keyUsage
    "2.5.29.37",         // extKeyUsage
    "2.5.29.17",         // subjectAltName
    "2.5.29.18",         // issuerAltName
    "2.5.29.19",         // basicConstraints
    "2.5.29.30",         // nameConstraints (name_constraints.rs)
    "2.5.29.31",         // cRLDistributionPoints
    "2.5.29.32",         // certificatePolicies (policy.rs)
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

/// RFC 5280 §6.1: self-issued = subject and issuer match (§7.1 rules).
fn self_issued(cert: &Certificate) -> bool {
    names_match(cert.tbs_certificate().subject(), cert.tbs_certificate().issuer())
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

/// Most certificates a path may hold, the anchor included.
const MAX_PATH_LEN: usize = 12;
/// Most candidate issuers examined (each costs a signature check) while
/// building paths for one certificate: with many same-named issuers or
/// cross-certification loops the search ends here.
const MAX_CANDIDATES: usize = 512;

/// Builds and checks a path from `leaf` through `pool` to one of `anchors`,
/// judging validity at `at`, with the default options (any policy). When
/// several paths fail, the most specific failure is reported.
pub fn validate_path(leaf: &CertDer, pool: &[CertDer], anchors: &[CertDer], at: SystemTime) -> ChainReport {
    validate_path_with(leaf, pool, anchors, at, &PathOptions::default())
}

/// [`validate_path`] with the RFC 5280 §6.1.1 inputs of `opts` (e.g. a
/// user-initial-policy-set with initial-explicit-policy, to require that
/// the path is valid for a given certificate policy).
pub fn validate_path_with(
    leaf: &CertDer,
    pool: &[CertDer],
    anchors: &[CertDer],
    at: SystemTime,
    opts: &PathOptions,
) -> ChainReport {
    let mut search = Search {
        pool,
        anchors,
        at,
        opts,
        budget: MAX_CANDIDATES,
        best: Best { status: ChainStatus::NoChainFound, certs: vec![leaf], policies: Vec::new() },
    };
    let mut path = Vec::with_capacity(MAX_PATH_LEN);
    path.push(leaf);
    search.walk(&mut path);
    let best = search.best;
    ChainReport {
        status: best.status,
        path: best.certs.iter().map(|c| format_name(c.cert.tbs_certificate().subject())).collect(),
        certs: best.certs.into_iter().cloned().collect(),
        policies: best.policies.iter().map(ToString::to_string).collect(),
    }
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

struct Best<'a> {
    status: ChainStatus,
    certs: Vec<&'a CertDer>,
    policies: Vec<ObjectIdentifier>,
}

struct Search<'a, 'o> {
    pool: &'a [CertDer],
    anchors: &'a [CertDer],
    at: SystemTime,
    opts: &'o PathOptions,
    budget: usize,
    best: Best<'a>,
}

impl<'a> Search<'a, '_> {
    fn report(&mut self, path: &[&'a CertDer], status: ChainStatus, policies: Vec<ObjectIdentifier>) {
        let (r, b) = (rank(status), rank(self.best.status));
        if r > b || (r == b && path.len() > self.best.certs.len()) {
            self.best = Best { status, certs: path.to_vec(), policies };
        }
    }

    /// Depth-first path building from the end entity towards an anchor
    /// (RFC 5280 §6.1 leaves building open): issuers are the certificates
    /// whose subject matches the issuer name (§7.1), those whose key
    /// identifier matches the authority key identifier first; a
    /// certificate, or another certificate for the same subject and key,
    /// appears at most once in a path, which ends cross-certification
    /// loops; depth and candidate count are bounded.
    fn walk(&mut self, path: &mut Vec<&'a CertDer>) {
        let Some(current) = path.last().copied() else { return };
        if self.anchors.iter().any(|a| a.der == current.der) {
            let (status, policies) = check_path(path, self.at, self.opts);
            self.report(path, status, policies);
            return;
        }
        if path.len() >= MAX_PATH_LEN {
            return;
        }
        let issuer_name = current.cert.tbs_certificate().issuer();
        let aki = authority_key_id(&current.cert);
        let mut candidates: Vec<&'a CertDer> = self
            .anchors
            .iter()
            .chain(self.pool.iter())
            .filter(|c| names_match(c.cert.tbs_certificate().subject(), issuer_name))
            .collect();
        // Stable: anchors stay ahead of the pool among equals.
        candidates.sort_by_key(|c| aki.is_some() && subject_key_id(&c.cert) != aki);
        let mut any = false;
        for cand in candidates {
            if path.iter().any(|p| p.der == cand.der || same_entity(&p.cert, &cand.cert)) {
                continue;
            }
            if self.budget == 0 {
                return;
            }
            self.budget -= 1;
            any = true;
            path.push(cand);
            match signed_by(current, cand) {
                None => self.report(path, ChainStatus::UnsupportedAlgorithm, Vec::new()),
                Some(false) => self.report(path, ChainStatus::BadSignature, Vec::new()),
                // §6.1.4 (k), (n): an issuer must be a CA allowed to sign certificates.
                Some(true) if !is_ca(&cand.cert) || !key_usage_allows(&cand.cert, false) => {
                    self.report(path, ChainStatus::NotCa, Vec::new())
                }
                Some(true) => self.walk(path),
            }
            path.pop();
            if self.best.status == ChainStatus::Valid {
                return;
            }
        }
        if !any {
            self.report(path, ChainStatus::NoChainFound, Vec::new());
        }
    }
}

/// Same subject and same public key: a second certificate for an entity
/// already in the path (a cross-certificate back to it) adds nothing.
fn same_entity(a: &Certificate, b: &Certificate) -> bool {
    let (ta, tb) = (a.tbs_certificate(), b.tbs_certificate());
    ta.subject_public_key_info() == tb.subject_public_key_info() && names_match(ta.subject(), tb.subject())
}

fn authority_key_id(cert: &Certificate) -> Option<Vec<u8>> {
    let (_, aki) = cert.tbs_certificate().get_extension::<AuthorityKeyIdentifier>().ok()??;
    aki.key_identifier.map(|k| k.as_bytes().to_vec())
}

fn subject_key_id(cert: &Certificate) -> Option<Vec<u8>> {
    let (_, ski) = cert.tbs_certificate().get_extension::<SubjectKeyIdentifier>().ok()??;
    Some(ski.0.as_bytes().to_vec())
}

/// RFC 5280 §6.1.2–§6.1.5 over a built path (`path[0]` the end entity,
/// the last element the trust anchor, whose name and key start the
/// process; the signatures and CA flags were checked while building):
/// validity (§6.1.3 a.2), name constraints (b–c, §6.1.4 g), policies
/// (§6.1.3 d–f, §6.1.4 a–b, h–j, §6.1.5 a–b, g), path length (§6.1.4
/// l–m) and critical extensions (§6.1.4 o, §6.1.5 f).
fn check_path(path: &[&CertDer], at: SystemTime, opts: &PathOptions) -> (ChainStatus, Vec<ObjectIdentifier>) {
    let n = path.len() - 1;
    let mut violation = false;
    // The anchor's validity too: an expired root is not trusted.
    let mut expired = !within(path[n], at);
    let mut policies = PolicyState::new(
        n,
        opts.initial_explicit_policy,
        opts.initial_policy_mapping_inhibit,
        opts.initial_any_policy_inhibit,
    );
    let user_set = (!opts.initial_policy_set.is_empty()).then_some(opts.initial_policy_set.as_slice());
    let mut names = NameConstraintState::default();
    let mut max_path_length = n;
    let mut authorised = Vec::new();
    for i in 1..=n {
        let cert = &path[n - i].cert;
        let si = self_issued(cert);
        // §6.1.3 (a)(2)
        expired |= !within(path[n - i], at);
        // §6.1.3 (b)–(c): a self-issued intermediate is not checked.
        if (!si || i == n) && names.allows(cert) != Ok(true) {
            violation = true;
        }
        // §6.1.3 (d)–(f)
        if policies.process(cert, i, n, si).is_err() {
            return (ChainStatus::ConstraintViolation, Vec::new());
        }
        if i < n {
            // §6.1.4 (a)–(b), (h)–(j)
            if policies.prepare(cert, i, si).is_err() {
                return (ChainStatus::ConstraintViolation, Vec::new());
            }
            // §6.1.4 (g)
            match name_constraints::of(cert) {
                Ok(Some(nc)) => names.add(nc),
                Ok(None) => {}
                Err(()) => violation = true,
            }
            // §6.1.4 (l)
            if !si {
                if max_path_length == 0 {
                    violation = true;
                }
                max_path_length = max_path_length.saturating_sub(1);
            }
            // §6.1.4 (m)
            if let Ok(Some((_, bc))) = cert.tbs_certificate().get_extension::<BasicConstraints>()
                && let Some(max) = bc.path_len_constraint
            {
                max_path_length = max_path_length.min(usize::from(max));
            }
            // §6.1.4 (k), (n) again, for a path given whole.
            if !is_ca(cert) || !key_usage_allows(cert, false) {
                return (ChainStatus::NotCa, Vec::new());
            }
        } else {
            // §6.1.5 (a)–(b), (g)
            match std::mem::replace(&mut policies, PolicyState::new(0, false, false, false)).wrap_up(cert, n, user_set)
            {
                Ok(p) => authorised = p,
                Err(_) => return (ChainStatus::ConstraintViolation, Vec::new()),
            }
        }
        // §6.1.4 (o), §6.1.5 (f)
        violation |= unknown_critical(cert);
    }
    if violation {
        (ChainStatus::ConstraintViolation, Vec::new())
    } else if expired {
        (ChainStatus::OutOfValidity, Vec::new())
    } else {
        (ChainStatus::Valid, authorised)
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
/// any other critical extension is not used.
const KNOWN_CRL_EXTENSIONS: [&str; 5] = [
    "2.5.29.20", // cRLNumber
    "2.5.29.35", // authorityKeyIdentifier
    "2.5.29.28", // issuingDistributionPoint (§5.2.5)
    "2.5.29.27", // deltaCRLIndicator (§5.2.4)
    "2.5.29.46", // freshestCRL
];
/// CRL entry extensions (RFC 5280 §5.3): reasonCode, invalidityDate,
/// certificateIssuer.
const KNOWN_ENTRY_EXTENSIONS: [&str; 3] = ["2.5.29.21", "2.5.29.24", "2.5.29.29"];
/// All reasons of RFC 5280 §6.3.3 (bits 1–8 of ReasonFlags).
const ALL_REASONS: u16 = 0x1FE;
/// removeFromCRL (RFC 5280 §5.3.1).
const REMOVE_FROM_CRL: u8 = 8;
/// How deep CRL issuer paths are followed (§6.3.3 (f): the CRL issuer's own
/// path and its revocation, whose CRLs may have yet another issuer).
const MAX_CRL_DEPTH: usize = 2;

/// A CRL parsed once for all the certificates checked against it.
struct Crl<'a> {
    list: CertificateList,
    tbs: &'a [u8],
    idp: Option<IssuingDistributionPoint>,
    idp_raw: Option<&'a [u8]>,
    number: Option<Uint>,
    delta_base: Option<Uint>,
}

fn crl_ext<'c>(list: &'c CertificateList, oid: &str) -> Option<&'c x509_cert::ext::Extension> {
    list.tbs_cert_list.crl_extensions.as_ref()?.iter().find(|e| e.extn_id.to_string() == oid)
}

impl<'a> Crl<'a> {
    /// `None` for a CRL that cannot be used: undecodable, or with an
    /// unknown critical CRL or entry extension (§5.2, §5.3).
    fn parse(der: &'a [u8]) -> Option<Self> {
        let list = CertificateList::from_der(der).ok()?;
        let tl = &list.tbs_cert_list;
        if tl.crl_extensions.as_ref().is_some_and(|exts| {
            exts.iter().any(|e| e.critical && !KNOWN_CRL_EXTENSIONS.contains(&e.extn_id.to_string().as_str()))
        }) {
            return None;
        }
        if tl.revoked_certificates.as_ref().is_some_and(|l| {
            l.iter().any(|r| {
                r.crl_entry_extensions.as_ref().is_some_and(|exts| {
                    exts.iter().any(|e| e.critical && !KNOWN_ENTRY_EXTENSIONS.contains(&e.extn_id.to_string().as_str()))
                })
            })
        }) {
            return None;
        }
        let outer = crate::ber::elements(der)?.into_iter().next()?;
        let tbs = crate::ber::elements(outer.content)?.into_iter().next()?.raw;
        let idp_ext = crl_ext(&list, "2.5.29.28");
        let idp = match idp_ext {
            Some(e) => Some(IssuingDistributionPoint::from_der(e.extn_value.as_bytes()).ok()?),
            None => None,
        };
        let idp_raw = match idp_ext {
            // Borrowed from `der`, not from `list`: find the same bytes there.
            Some(e) => Some(find_sub(der, e.extn_value.as_bytes())?),
            None => None,
        };
        let number = match crl_ext(&list, "2.5.29.20") {
            Some(e) => Some(CrlNumber::from_der(e.extn_value.as_bytes()).ok()?.0),
            None => None,
        };
        let delta_base = match crl_ext(&list, "2.5.29.27") {
            Some(e) => Some(BaseCrlNumber::from_der(e.extn_value.as_bytes()).ok()?.0),
            None => None,
        };
        Some(Self { list, tbs, idp, idp_raw, number, delta_base })
    }

    /// §6.3.3 (a), §5.1.2.4–5: thisUpdate ≤ at ≤ nextUpdate.
    fn current(&self, at: SystemTime) -> bool {
        let tl = &self.list.tbs_cert_list;
        tl.this_update.to_system_time() <= at && tl.next_update.is_none_or(|n| at <= n.to_system_time())
    }

    fn signed_with(&self, key: &Certificate) -> bool {
        verify_message(
            key.tbs_certificate().subject_public_key_info(),
            &self.list.signature_algorithm,
            HashAlg::Sha256,
            self.tbs,
            self.list.signature.raw_bytes(),
        )
        .is_ok()
    }

    /// §6.3.3 (j): the entry for `cert` (serial and, in an indirect CRL,
    /// certificate issuer, §5.3.3: an entry without certificateIssuer has
    /// the issuer of the entry before it, the first one the CRL issuer):
    /// its revocation time and reason code.
    fn entry(&self, cert: &Certificate) -> Option<(i64, Option<u8>)> {
        let tbs = cert.tbs_certificate();
        let indirect = self.idp.as_ref().is_some_and(|i| i.indirect_crl);
        let mut entry_issuer: Option<Name> = None;
        for r in self.list.tbs_cert_list.revoked_certificates.as_ref()? {
            if indirect
                && let Some(e) = r
                    .crl_entry_extensions
                    .as_ref()
                    .and_then(|x| x.iter().find(|e| e.extn_id.to_string() == "2.5.29.29"))
            {
                entry_issuer = GeneralNames::from_der(e.extn_value.as_bytes()).ok().and_then(|g| {
                    g.into_iter().find_map(|n| if let GeneralName::DirectoryName(d) = n { Some(d) } else { None })
                });
            }
            if &r.serial_number != tbs.serial_number() {
                continue;
            }
            let issuer = entry_issuer.as_ref().unwrap_or(&self.list.tbs_cert_list.issuer);
            if indirect && !names_match(issuer, tbs.issuer()) {
                continue;
            }
            let reason = r
                .crl_entry_extensions
                .as_ref()
                .and_then(|x| x.iter().find(|e| e.extn_id.to_string() == "2.5.29.21"))
                .and_then(|e| CrlReason::from_der(e.extn_value.as_bytes()).ok())
                .map(|r| r as u8);
            let t = i64::try_from(r.revocation_date.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
            return Some((t, reason));
        }
        None
    }
}

fn find_sub<'a>(hay: &'a [u8], needle: &[u8]) -> Option<&'a [u8]> {
    if needle.is_empty() {
        return Some(&hay[..0]);
    }
    hay.windows(needle.len()).position(|w| w == needle).map(|p| &hay[p..p + needle.len()])
}

fn uint_le(a: &Uint, b: &Uint) -> bool {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    (x.len(), x) <= (y.len(), y)
}

fn same_cert(a: &Certificate, b: &Certificate) -> bool {
    a.signature() == b.signature() && a.tbs_certificate().serial_number() == b.tbs_certificate().serial_number()
}

/// The names of a distribution point (§4.2.1.13): the full names, or the
/// RDN appended to `relative_to` (the CRL issuer).
fn dp_names(dpn: &DistributionPointName, relative_to: &Name) -> Vec<GeneralName> {
    match dpn {
        DistributionPointName::FullName(names) => names.clone(),
        DistributionPointName::NameRelativeToCRLIssuer(rdn) => {
            let mut seq: Vec<x509_cert::name::RelativeDistinguishedName> = relative_to.iter_rdn().cloned().collect();
            seq.push(rdn.clone());
            seq.to_der()
                .ok()
                .and_then(|d| Name::from_der(&d).ok())
                .map(GeneralName::DirectoryName)
                .into_iter()
                .collect()
        }
    }
}

fn general_names_meet(a: &[GeneralName], b: &[GeneralName]) -> bool {
    a.iter().any(|x| {
        b.iter().any(|y| match (x, y) {
            (GeneralName::DirectoryName(p), GeneralName::DirectoryName(q)) => names_match(p, q),
            _ => x == y,
        })
    })
}

struct CrlContext<'a> {
    crls: Vec<Crl<'a>>,
    pool: &'a [CertDer],
    anchors: &'a [CertDer],
    at: SystemTime,
    /// CRL issuers whose own validation is under way (loop guard).
    stack: Vec<Certificate>,
}

impl<'a> CrlContext<'a> {
    fn new(crls: &'a [Vec<u8>], pool: &'a [CertDer], anchors: &'a [CertDer], at: SystemTime) -> Self {
        Self { crls: crls.iter().filter_map(|d| Crl::parse(d)).collect(), pool, anchors, at, stack: Vec::new() }
    }

    /// RFC 5280 §6.3.3 for `cert`, issued by `issuer`.
    fn status(&mut self, cert: &Certificate, issuer: &Certificate, depth: usize) -> RevocationStatus {
        let dps: Vec<Option<DistributionPoint>> = match cert.tbs_certificate().get_extension::<CrlDistributionPoints>()
        {
            Ok(Some((_, d))) if !d.0.is_empty() => d.0.into_iter().map(Some).collect(),
            Ok(_) => vec![None],
            Err(_) => return RevocationStatus::NotChecked,
        };
        let cert_is_ca = is_ca(cert) && cert.tbs_certificate().extensions().is_some();
        let mut reasons: u16 = 0;
        for dp in &dps {
            for k in 0..self.crls.len() {
                if reasons == ALL_REASONS {
                    break;
                }
                let crl = &self.crls[k];
                if crl.delta_base.is_some() || !crl.current(self.at) {
                    continue;
                }
                let Some(interim) = crl_scope(crl, cert, cert_is_ca, dp.as_ref()) else { continue };
                // §6.3.3 (d): the CRL must cover a reason not yet covered.
                if interim & !reasons == 0 {
                    continue;
                }
                // §6.3.3 (f)–(g): a CRL issuer validated to the same anchors.
                let Some(signer) = self.crl_signer(k, issuer, depth) else { continue };
                let crl = &self.crls[k];
                // §6.3.3 (c)(1), (i): a current delta CRL of the same scope
                // and issuer key, based on this or an earlier complete CRL.
                let delta = self.crls.iter().find(|d| {
                    d.delta_base.as_ref().zip(crl.number.as_ref()).is_some_and(|(b, n)| uint_le(b, n))
                        && d.idp_raw == crl.idp_raw
                        && names_match(&d.list.tbs_cert_list.issuer, &crl.list.tbs_cert_list.issuer)
                        && d.current(self.at)
                        && d.signed_with(&signer)
                });
                // §6.3.3 (j): the delta CRL first; removeFromCRL there
                // undoes the complete CRL's entry.
                match delta.and_then(|d| d.entry(cert)) {
                    Some((_, Some(REMOVE_FROM_CRL))) => {}
                    Some((t, _)) => return RevocationStatus::Revoked(t),
                    None => {
                        if let Some((t, reason)) = crl.entry(cert)
                            && reason != Some(REMOVE_FROM_CRL)
                        {
                            return RevocationStatus::Revoked(t);
                        }
                    }
                }
                // §6.3.3 (k)
                reasons |= interim;
            }
        }
        // §6.3.3 end: every reason covered, or the status stays undetermined.
        if reasons == ALL_REASONS { RevocationStatus::Good } else { RevocationStatus::NotChecked }
    }

    /// §6.3.3 (f)–(g): the certificate whose key signed CRL `k`: the
    /// certificate's issuer itself, an anchor, or another certificate of the
    /// CRL issuer (a new key after rollover, a separate CRL-signing key, an
    /// indirect CRL issuer) whose own path validates to the anchors with its
    /// revocation checked, as deep as [`MAX_CRL_DEPTH`].
    fn crl_signer(&mut self, k: usize, issuer: &Certificate, depth: usize) -> Option<Certificate> {
        let crl_issuer = self.crls[k].list.tbs_cert_list.issuer.clone();
        let own = names_match(issuer.tbs_certificate().subject(), &crl_issuer)
            && key_usage_allows(issuer, true)
            && self.crls[k].signed_with(issuer);
        if own {
            return Some(issuer.clone());
        }
        let (pool, anchors, at) = (self.pool, self.anchors, self.at);
        for cand in anchors.iter().chain(pool.iter()) {
            let c = &cand.cert;
            if !names_match(c.tbs_certificate().subject(), &crl_issuer)
                || !key_usage_allows(c, true)
                || !self.crls[k].signed_with(c)
            {
                continue;
            }
            if anchors.iter().any(|a| a.der == cand.der) || self.stack.iter().any(|s| same_cert(s, c)) {
                return Some(c.clone());
            }
            if depth >= MAX_CRL_DEPTH {
                continue;
            }
            let report = validate_path(cand, pool, anchors, at);
            if report.status != ChainStatus::Valid {
                continue;
            }
            self.stack.push(c.clone());
            let good = report
                .certs
                .windows(2)
                .all(|w| self.status(&w[0].cert, &w[1].cert, depth + 1) == RevocationStatus::Good);
            self.stack.pop();
            if good {
                return Some(c.clone());
            }
        }
        None
    }
}

/// §6.3.3 (b)–(c): whether the complete CRL `crl` covers `cert` for the
/// distribution point `dp` (`None` = the certificate names none), and for
/// which reasons (the interim_reasons_mask).
fn crl_scope(crl: &Crl<'_>, cert: &Certificate, cert_is_ca: bool, dp: Option<&DistributionPoint>) -> Option<u16> {
    let crl_issuer = &crl.list.tbs_cert_list.issuer;
    let cert_issuer = cert.tbs_certificate().issuer();
    let indirect = crl.idp.as_ref().is_some_and(|i| i.indirect_crl);
    // (b)(1)
    match dp.and_then(|d| d.crl_issuer.as_ref()) {
        Some(names) => {
            let named = names.iter().any(|n| matches!(n, GeneralName::DirectoryName(d) if names_match(d, crl_issuer)));
            if !named || !indirect {
                return None;
            }
        }
        None => {
            if !names_match(crl_issuer, cert_issuer) {
                return None;
            }
        }
    }
    let mut interim = ALL_REASONS;
    if let Some(idp) = &crl.idp {
        // (b)(2)(i)
        if let Some(idp_name) = &idp.distribution_point {
            let idp_names = dp_names(idp_name, crl_issuer);
            let dp = dp?;
            let meets = match (&dp.distribution_point, &dp.crl_issuer) {
                (Some(dpn), issuers) => {
                    let base = issuers
                        .as_ref()
                        .and_then(|g| {
                            g.iter().find_map(|n| if let GeneralName::DirectoryName(d) = n { Some(d) } else { None })
                        })
                        .unwrap_or(cert_issuer);
                    general_names_meet(&idp_names, &dp_names(dpn, base))
                }
                (None, Some(issuers)) => general_names_meet(&idp_names, issuers),
                (None, None) => false,
            };
            if !meets {
                return None;
            }
        }
        // (b)(2)(ii)–(iv)
        if (idp.only_contains_user_certs && cert_is_ca)
            || (idp.only_contains_ca_certs && !cert_is_ca)
            || idp.only_contains_attribute_certs
        {
            return None;
        }
        // (c)
        if let Some(r) = idp.only_some_reasons {
            interim &= r.bits();
        }
    }
    if let Some(r) = dp.and_then(|d| d.reasons) {
        interim &= r.bits();
    }
    Some(interim)
}

/// Checks `cert` against the CRLs (DER) signed by its `issuer` that are
/// current at `at` (RFC 5280 §6.3.3, with issuing distribution points,
/// indirect CRL entries and delta CRLs; the CRL must be signed by
/// `issuer`'s key: use [`check_path_revocation`] to accept CRLs signed by
/// other keys of the CRL issuer).
pub fn check_crls(cert: &Certificate, issuer: &Certificate, crls: &[Vec<u8>], at: SystemTime) -> RevocationStatus {
    CrlContext::new(crls, &[], &[], at).status(cert, issuer, MAX_CRL_DEPTH)
}

/// RFC 5280 §6.1.3 (a)(3) with §6.3: the revocation status of each
/// certificate of a validated `path` (as [`ChainReport::certs`] gives it,
/// end entity first; one status per certificate but the anchor), from
/// `crls`. A CRL signed by another key than the certificate issuer's (key
/// rollover, a separate CRL-signing key, an indirect CRL) is used when that
/// key's certificate, from `pool` or `anchors`, validates to `anchors` and
/// is not revoked itself.
pub fn check_path_revocation(
    path: &[CertDer],
    crls: &[Vec<u8>],
    pool: &[CertDer],
    anchors: &[CertDer],
    at: SystemTime,
) -> Vec<RevocationStatus> {
    let mut ctx = CrlContext::new(crls, pool, anchors, at);
    path.windows(2).map(|w| ctx.status(&w[0].cert, &w[1].cert, 0)).collect()
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
