//! Parsing and checking a CMS SignedData signature (RFC 5652 §5.4, §5.6):
//! signer identification by issuer+serial or subject key identifier, the
//! message-digest attribute, the signature value over the DER signed
//! attributes (or over the content digest when there are none), and the ESS
//! signing-certificate v1/v2 binding (RFC 2634 §5.4, RFC 5035) that
//! openssl and pdfsig skip but pyHanko checks.

use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier};
use x509_cert::attr::Attribute;

use crate::ber::elements;
use crate::trust::CertDer;
use const_oid::ObjectIdentifier;
use der::asn1::OctetString;
use der::{Any, Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::ext::pkix::SubjectKeyIdentifier;
use x509_cert::time::Time;

use crate::hash::{HashAlg, signature_hash, verify_message, verify_prehashed};

const ID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const ID_CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
const ID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
const ID_SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
const ID_SIGNING_CERT_V1: &str = "1.2.840.113549.1.9.16.2.12";
const ID_SIGNING_CERT_V2: &str = "1.2.840.113549.1.9.16.2.47";
const ID_TIMESTAMP_TOKEN: &str = "1.2.840.113549.1.9.16.2.14";
const ADBE_REVOCATION: &str = "1.2.840.113583.1.1.8";

/// Why a CMS blob is not a usable signature (FORMAT_FAILURE).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CmsFormatError {
    /// Not DER, or not a ContentInfo.
    #[error("not a CMS ContentInfo: {0}")]
    Decode(String),
    /// Not SignedData.
    #[error("the CMS is not SignedData")]
    NotSignedData,
    /// Zero or several SignerInfos.
    #[error("the CMS must hold exactly one signer, it holds {0}")]
    SignerCount(usize),
    /// Unknown digest algorithm.
    #[error("unsupported digest algorithm {0}")]
    UnsupportedDigest(String),
}

/// A parsed CMS signature. Parsing is lenient where real files differ
/// (BER encodings, unknown revocation choices, unsorted attribute sets):
/// every element is walked by hand and the signed attributes are kept as
/// their original bytes, which is what the signature covers.
#[derive(Clone, Debug)]
pub struct ParsedCms {
    econtent_type: ObjectIdentifier,
    econtent: Option<Vec<u8>>,
    sid: SignerIdentifier,
    signed_attrs_raw: Option<Vec<u8>>,
    signed_attrs: Vec<Attribute>,
    unsigned_attrs: Vec<Attribute>,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: Vec<u8>,
    /// Certificates carried in the CMS, with their original encodings.
    pub certificates: Vec<CertDer>,
    /// CRLs carried in the CMS (`crls` field and Adobe revocation archival), DER.
    pub crls: Vec<Vec<u8>>,
    /// The SignerInfo's digest algorithm.
    pub digest_alg: HashAlg,
}

fn dec(e: impl std::fmt::Display) -> CmsFormatError {
    CmsFormatError::Decode(e.to_string())
}

fn attributes(set_content: &[u8]) -> Vec<Attribute> {
    elements(set_content).unwrap_or_default().iter().filter_map(|t| Attribute::from_der(t.raw).ok()).collect()
}

/// Parses a CMS ContentInfo holding SignedData with exactly one signer.
pub fn parse_cms(buf: &[u8]) -> Result<ParsedCms, CmsFormatError> {
    let (der, _) = crate::ber::to_der(buf).ok_or_else(|| CmsFormatError::Decode("bad BER/DER encoding".into()))?;
    let top = elements(&der).and_then(|v| v.into_iter().next()).ok_or_else(|| dec("empty"))?;
    let ci = elements(top.content).ok_or_else(|| dec("ContentInfo"))?;
    let oid = ci
        .first()
        .map(|t| <ObjectIdentifier>::from_der(t.raw))
        .transpose()
        .map_err(dec)?
        .ok_or_else(|| dec("no content type"))?;
    if oid.to_string() != ID_SIGNED_DATA {
        return Err(CmsFormatError::NotSignedData);
    }
    let explicit = ci.get(1).ok_or_else(|| dec("no content"))?;
    let sd_tlv = elements(explicit.content).and_then(|v| v.into_iter().next()).ok_or_else(|| dec("SignedData"))?;
    let parts = elements(sd_tlv.content).ok_or_else(|| dec("SignedData"))?;
    // version, digestAlgorithms, encapContentInfo, [0] certs?, [1] crls?, signerInfos
    let eci = parts.get(2).ok_or_else(|| dec("no encapContentInfo"))?;
    let eci = EncapsulatedContentInfo::from_der(eci.raw).map_err(dec)?;
    let mut certificates = Vec::new();
    let mut crls = Vec::new();
    let mut signer_set = None;
    for p in parts.iter().skip(3) {
        match p.tag {
            [0xa0] => {
                for c in elements(p.content).unwrap_or_default() {
                    certificates.extend(CertDer::from_der(c.raw));
                }
            }
            [0xa1] => {
                for c in elements(p.content).unwrap_or_default() {
                    if c.tag == [0x30] {
                        crls.push(c.raw.to_vec());
                    }
                }
            }
            [0x31] => signer_set = Some(p.content),
            _ => {}
        }
    }
    let signers = elements(signer_set.ok_or_else(|| dec("no signerInfos"))?).ok_or_else(|| dec("signerInfos"))?;
    if signers.len() != 1 {
        return Err(CmsFormatError::SignerCount(signers.len()));
    }
    let si = elements(signers[0].content).ok_or_else(|| dec("SignerInfo"))?;
    // version, sid, digestAlgorithm, [0] signedAttrs?, signatureAlgorithm, signature, [1] unsignedAttrs?
    let sid_tlv = si.get(1).ok_or_else(|| dec("no sid"))?;
    let sid = if sid_tlv.tag == [0x80] {
        SignerIdentifier::SubjectKeyIdentifier(x509_cert::ext::pkix::SubjectKeyIdentifier(
            OctetString::new(sid_tlv.content.to_vec()).map_err(dec)?,
        ))
    } else {
        SignerIdentifier::IssuerAndSerialNumber(cms::cert::IssuerAndSerialNumber::from_der(sid_tlv.raw).map_err(dec)?)
    };
    let digest_alg_id =
        AlgorithmIdentifierOwned::from_der(si.get(2).ok_or_else(|| dec("no digestAlgorithm"))?.raw).map_err(dec)?;
    let digest_alg = HashAlg::from_oid(&digest_alg_id.oid)
        .ok_or_else(|| CmsFormatError::UnsupportedDigest(digest_alg_id.oid.to_string()))?;
    let mut i = 3;
    let mut signed_attrs_raw = None;
    let mut signed_attrs = Vec::new();
    if si.get(i).is_some_and(|t| t.tag == [0xa0]) {
        let t = &si[i];
        // RFC 5652 §5.4: the signature covers the attributes with a SET tag.
        let mut raw = t.raw.to_vec();
        raw[0] = 0x31;
        signed_attrs_raw = Some(raw);
        signed_attrs = attributes(t.content);
        i += 1;
    }
    let signature_algorithm =
        AlgorithmIdentifierOwned::from_der(si.get(i).ok_or_else(|| dec("no signatureAlgorithm"))?.raw).map_err(dec)?;
    let signature = si.get(i + 1).ok_or_else(|| dec("no signature"))?.content.to_vec();
    let unsigned_attrs = si.get(i + 2).filter(|t| t.tag == [0xa1]).map(|t| attributes(t.content)).unwrap_or_default();

    // Adobe's revocation archival attribute (ISO 32000-2 §12.8.3.3.2).
    for a in signed_attrs.iter().filter(|a| a.oid.to_string() == ADBE_REVOCATION) {
        for v in a.values.iter() {
            if let Ok(ri) = v.decode_as::<AdbeRevocationInfo>() {
                for c in ri.crls.unwrap_or_default() {
                    if let Ok(d) = c.to_der() {
                        crls.push(d);
                    }
                }
            }
        }
    }
    let econtent = eci.econtent.as_ref().map(|any| {
        any.decode_as::<OctetString>().map(|o| o.as_bytes().to_vec()).unwrap_or_else(|_| any.value().to_vec())
    });
    Ok(ParsedCms {
        econtent_type: eci.econtent_type,
        econtent,
        sid,
        signed_attrs_raw,
        signed_attrs,
        unsigned_attrs,
        signature_algorithm,
        signature,
        certificates,
        crls,
        digest_alg,
    })
}

/// ESS signing-certificate check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EssCheck {
    /// No signing-certificate attribute.
    Absent,
    /// The hash matches the signer's certificate.
    Match,
    /// The hash does not match: the signature may be bound to another certificate.
    Mismatch,
}

/// The result of checking a parsed CMS against a content digest.
#[derive(Clone, Debug)]
pub struct CmsCheck {
    /// The certificate the signature binds (RFC 5652 §5.3 signer identifier,
    /// the ESS signing-certificate hash when present, and a signature value
    /// that verifies with its key); `None` when no certificate of the CMS is
    /// bound, so that no report shows a name the signature does not bind.
    pub signer_cert: Option<Certificate>,
    /// [`CmsCheck::signer_cert`] with its original bytes.
    pub signer: Option<CertDer>,
    /// Some certificate of the CMS matches the signer identifier.
    pub candidate_found: bool,
    /// Subjects of certificates that match the signer identifier but are
    /// not the one the signature binds (ignored for identity, reported).
    pub ignored_candidates: Vec<String>,
    /// The message-digest attribute equals the content digest (true when there
    /// are no signed attributes and the signature covers the digest directly).
    pub message_digest_ok: bool,
    /// The signature value verifies with a candidate's key.
    pub signature_ok: bool,
    /// ESS binding.
    pub ess: EssCheck,
    /// The signing-time attribute, when present (PAdES puts it in /M).
    pub signing_time: Option<std::time::SystemTime>,
    /// The RFC 3161 signature timestamp token (unsigned attribute), DER.
    pub timestamp_token: Option<Vec<u8>>,
    /// Whether signed attributes were present.
    pub has_signed_attrs: bool,
}

/// Cuts a DER element from a zero-padded buffer (PDF `/Contents`).
pub fn der_prefix(buf: &[u8]) -> Option<&[u8]> {
    if buf.len() < 2 {
        return None;
    }
    let (len, hdr): (usize, usize) = match buf[1] {
        n if n < 0x80 => (n as usize, 2),
        0x81 => (*buf.get(2)? as usize, 3),
        0x82 => ((*buf.get(2)? as usize) << 8 | *buf.get(3)? as usize, 4),
        0x83 => ((*buf.get(2)? as usize) << 16 | (*buf.get(3)? as usize) << 8 | *buf.get(4)? as usize, 5),
        0x84 => (
            (*buf.get(2)? as usize) << 24
                | (*buf.get(3)? as usize) << 16
                | (*buf.get(4)? as usize) << 8
                | *buf.get(5)? as usize,
            6,
        ),
        _ => return None,
    };
    buf.get(..hdr.checked_add(len)?)
}

/// `RevocationInfoArchival` (ISO 32000-2 §12.8.3.3.2), CRLs only.
#[derive(Sequence)]
struct AdbeRevocationInfo {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    crls: Option<Vec<Any>>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    ocsps: Option<Vec<Any>>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    other: Option<Any>,
}

/// `ESSCertID` / `ESSCertIDv2`: optional hash algorithm, then the hash.
#[derive(Sequence)]
struct EssCertId {
    hash_alg: Option<AlgorithmIdentifierOwned>,
    cert_hash: OctetString,
    issuer_serial: Option<Any>,
}

#[derive(Sequence)]
struct SigningCertificate {
    certs: Vec<EssCertId>,
    policies: Option<Any>,
}

impl ParsedCms {
    /// The encapsulated content (present for adbe.pkcs7.sha1 and timestamps).
    pub fn econtent(&self) -> Option<Vec<u8>> {
        self.econtent.clone()
    }

    /// The encapsulated content type.
    pub fn econtent_type(&self) -> ObjectIdentifier {
        self.econtent_type
    }

    /// The signer's certificate: among the certificates matching the
    /// signer identifier (RFC 5652 §5.3), the one the ESS
    /// signing-certificate attribute binds (RFC 5035 §3), else the first
    /// when there is no such attribute. The signature value is not checked
    /// here: [`ParsedCms::check`] does.
    pub fn signer_certificate(&self) -> Option<&Certificate> {
        self.signer().map(|c| &c.cert)
    }

    /// [`ParsedCms::signer_certificate`] with its original bytes.
    pub fn signer(&self) -> Option<&CertDer> {
        let ess = self.ess_attribute();
        let candidates = self.candidates();
        match ess {
            Some((v, v2)) => candidates
                .into_iter()
                .find(|i| ess_check(Some(v), Some(&self.certificates[*i].der), v2) == EssCheck::Match),
            None => candidates.into_iter().next(),
        }
        .map(|i| &self.certificates[i])
    }

    /// Indices of the certificates matching the signer identifier (issuer
    /// and serial number, or subject key identifier; RFC 5652 §5.3).
    fn candidates(&self) -> Vec<usize> {
        let matches = |c: &Certificate| match &self.sid {
            SignerIdentifier::IssuerAndSerialNumber(ias) => {
                c.tbs_certificate().issuer() == &ias.issuer && c.tbs_certificate().serial_number() == &ias.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => c
                .tbs_certificate()
                .get_extension::<SubjectKeyIdentifier>()
                .ok()
                .flatten()
                .is_some_and(|(_, s)| s.0 == ski.0),
        };
        (0..self.certificates.len()).filter(|i| matches(&self.certificates[*i].cert)).collect()
    }

    /// The ESS signing-certificate attribute: v2 (RFC 5035) when present,
    /// else v1 (RFC 2634 §5.4), with whether it is v2.
    fn ess_attribute(&self) -> Option<(&Any, bool)> {
        let find = |oid: &str| {
            self.signed_attrs.iter().find(|a| a.oid.to_string() == oid).and_then(|a| a.values.iter().next())
        };
        find(ID_SIGNING_CERT_V2).map(|v| (v, true)).or_else(|| find(ID_SIGNING_CERT_V1).map(|v| (v, false)))
    }

    /// The signature value (for timestamp imprints).
    pub fn signature_value(&self) -> &[u8] {
        &self.signature
    }

    /// Whether the signature value verifies with `cert`'s key, over the
    /// signed attributes or, without them, over `content_digest`.
    fn verifies_with(&self, cert: &Certificate, content_digest: &[u8]) -> bool {
        let spki = cert.tbs_certificate().subject_public_key_info();
        match &self.signed_attrs_raw {
            Some(raw) => verify_message(spki, &self.signature_algorithm, self.digest_alg, raw, &self.signature).is_ok(),
            None => {
                let h = signature_hash(&self.signature_algorithm, self.digest_alg).unwrap_or(self.digest_alg);
                h == self.digest_alg
                    && verify_prehashed(spki, &self.signature_algorithm, h, content_digest, &self.signature).is_ok()
            }
        }
    }

    /// Checks the signature against `content_digest` (made with
    /// [`ParsedCms::digest_alg`]). The signer is chosen from the signature
    /// itself, not from the order of the certificate set: among the
    /// certificates matching the signer identifier (RFC 5652 §5.3), the one
    /// the ESS signing-certificate(-v2) hash names (RFC 5035 §3, RFC 2634
    /// §5.4: the first ESSCertID is the signer's) and whose key verifies the
    /// signature value. Other matching certificates are ignored for
    /// identity and listed.
    pub fn check(&self, content_digest: &[u8]) -> CmsCheck {
        let candidates = self.candidates();
        let mut out = CmsCheck {
            signer_cert: None,
            signer: None,
            candidate_found: !candidates.is_empty(),
            ignored_candidates: Vec::new(),
            message_digest_ok: false,
            signature_ok: false,
            ess: EssCheck::Absent,
            signing_time: None,
            timestamp_token: None,
            has_signed_attrs: self.signed_attrs_raw.is_some(),
        };
        out.timestamp_token = self
            .unsigned_attrs
            .iter()
            .find(|a| a.oid.to_string() == ID_TIMESTAMP_TOKEN)
            .and_then(|a| a.values.iter().next())
            .and_then(|v| v.to_der().ok());
        if self.signed_attrs_raw.is_some() {
            let mut content_type_ok = false;
            for a in &self.signed_attrs {
                let first = a.values.iter().next();
                match a.oid.to_string().as_str() {
                    // RFC 5652 §11.1: one value, equal to eContentType.
                    ID_CONTENT_TYPE => {
                        content_type_ok = a.values.len() == 1
                            && first
                                .and_then(|v| v.decode_as::<ObjectIdentifier>().ok())
                                .is_some_and(|o| o == self.econtent_type);
                    }
                    ID_MESSAGE_DIGEST => {
                        out.message_digest_ok = a.values.len() == 1
                            && first
                                .and_then(|v| v.decode_as::<OctetString>().ok())
                                .is_some_and(|o| o.as_bytes() == content_digest);
                    }
                    ID_SIGNING_TIME => {
                        out.signing_time = first.and_then(|v| v.decode_as::<Time>().ok()).map(|t| t.to_system_time());
                    }
                    _ => {}
                }
            }
            // RFC 5652 §5.3: content-type is mandatory with signed attributes.
            out.message_digest_ok &= content_type_ok;
        } else {
            out.message_digest_ok = true;
        }
        let ess_attr = self.ess_attribute();
        let judged: Vec<(usize, EssCheck, bool)> = candidates
            .iter()
            .map(|&i| {
                let c = &self.certificates[i];
                let ess = match ess_attr {
                    Some((v, v2)) => ess_check(Some(v), Some(&c.der), v2),
                    None => EssCheck::Absent,
                };
                (i, ess, self.verifies_with(&c.cert, content_digest))
            })
            .collect();
        let bound = judged.iter().find(|(_, ess, sig)| *ess != EssCheck::Mismatch && *sig);
        match bound {
            Some(&(i, ess, _)) => {
                out.signer = Some(self.certificates[i].clone());
                out.signer_cert = Some(self.certificates[i].cert.clone());
                out.signature_ok = true;
                out.ess = ess;
            }
            None => {
                // Nothing bound: a key that verifies under a certificate the
                // ESS attribute does not name is a constraint failure; no
                // verifying key at all is a cryptographic failure.
                out.signature_ok = judged.iter().any(|(_, _, sig)| *sig);
                out.ess = match ess_attr {
                    None => EssCheck::Absent,
                    // A key verifies, but only under a certificate the
                    // attribute does not name.
                    Some(_) if out.signature_ok => EssCheck::Mismatch,
                    Some(_) if judged.iter().any(|(_, e, _)| *e == EssCheck::Match) => EssCheck::Match,
                    Some(_) => EssCheck::Mismatch,
                };
            }
        }
        let chosen = out.signer.as_ref().map(|c| c.der.clone());
        out.ignored_candidates = candidates
            .iter()
            .filter(|&&i| chosen.as_deref() != Some(self.certificates[i].der.as_slice()))
            .map(|&i| crate::cert::format_name(self.certificates[i].cert.tbs_certificate().subject()))
            .collect();
        out
    }
}

fn ess_check(value: Option<&Any>, cert_der: Option<&[u8]>, v2: bool) -> EssCheck {
    let (Some(v), Some(der)) = (value, cert_der) else { return EssCheck::Mismatch };
    let Ok(sc) = v.decode_as::<SigningCertificate>() else { return EssCheck::Mismatch };
    let Some(first) = sc.certs.first() else { return EssCheck::Mismatch };
    let hash = if v2 {
        match &first.hash_alg {
            Some(a) => match HashAlg::from_oid(&a.oid) {
                Some(h) => h,
                None => return EssCheck::Mismatch,
            },
            None => HashAlg::Sha256,
        }
    } else {
        HashAlg::Sha1
    };
    if hash.digest(der) == first.cert_hash.as_bytes() { EssCheck::Match } else { EssCheck::Mismatch }
}
