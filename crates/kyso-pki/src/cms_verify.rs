//! Parsing and checking a CMS SignedData signature (RFC 5652 §5.4, §5.6):
//! signer identification by issuer+serial or subject key identifier, the
//! message-digest attribute, the signature value over the DER signed
//! attributes (or over the content digest when there are none), and the ESS
//! signing-certificate v1/v2 binding (RFC 2634 §5.4, RFC 5035) that
//! openssl and pdfsig skip but pyHanko checks.

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
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

/// A parsed CMS signature.
#[derive(Clone, Debug)]
pub struct ParsedCms {
    sd: SignedData,
    signer: SignerInfo,
    /// Certificates carried in the CMS.
    pub certificates: Vec<Certificate>,
    /// CRLs carried in the CMS (`crls` field and Adobe revocation archival), DER.
    pub crls: Vec<Vec<u8>>,
    /// The SignerInfo's digest algorithm.
    pub digest_alg: HashAlg,
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
    /// The signer's certificate, when found in the CMS.
    pub signer_cert: Option<Certificate>,
    /// The message-digest attribute equals the content digest (true when there
    /// are no signed attributes and the signature covers the digest directly).
    pub message_digest_ok: bool,
    /// The signature value verifies with the signer's key.
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

/// Parses a CMS ContentInfo holding SignedData with exactly one signer.
pub fn parse_cms(buf: &[u8]) -> Result<ParsedCms, CmsFormatError> {
    let der = der_prefix(buf).ok_or_else(|| CmsFormatError::Decode("bad length".into()))?;
    let ci = ContentInfo::from_der(der).map_err(|e| CmsFormatError::Decode(e.to_string()))?;
    if ci.content_type.to_string() != ID_SIGNED_DATA {
        return Err(CmsFormatError::NotSignedData);
    }
    let sd: SignedData = ci.content.decode_as().map_err(|e: der::Error| CmsFormatError::Decode(e.to_string()))?;
    let n = sd.signer_infos.0.len();
    if n != 1 {
        return Err(CmsFormatError::SignerCount(n));
    }
    let signer = sd.signer_infos.0.iter().next().cloned().ok_or(CmsFormatError::SignerCount(0))?;
    let digest_alg = HashAlg::from_oid(&signer.digest_alg.oid)
        .ok_or_else(|| CmsFormatError::UnsupportedDigest(signer.digest_alg.oid.to_string()))?;
    let mut certificates = Vec::new();
    if let Some(set) = &sd.certificates {
        for c in set.0.iter() {
            if let cms::cert::CertificateChoices::Certificate(c) = c {
                certificates.push(c.clone());
            }
        }
    }
    let mut crls = Vec::new();
    if let Some(set) = &sd.crls {
        for r in set.0.iter() {
            if let cms::revocation::RevocationInfoChoice::Crl(c) = r {
                if let Ok(d) = c.to_der() {
                    crls.push(d);
                }
            }
        }
    }
    // Adobe's revocation archival attribute (ISO 32000-2 §12.8.3.3.2).
    if let Some(attrs) = &signer.signed_attrs {
        for a in attrs.iter().filter(|a| a.oid.to_string() == ADBE_REVOCATION) {
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
    }
    Ok(ParsedCms { sd, signer, certificates, crls, digest_alg })
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
        let any = self.sd.encap_content_info.econtent.as_ref()?;
        any.decode_as::<OctetString>().ok().map(|o| o.as_bytes().to_vec()).or_else(|| Some(any.value().to_vec()))
    }

    /// The encapsulated content type.
    pub fn econtent_type(&self) -> ObjectIdentifier {
        self.sd.encap_content_info.econtent_type
    }

    /// The signer's certificate (RFC 5652 §5.3 sid).
    pub fn signer_certificate(&self) -> Option<&Certificate> {
        self.certificates.iter().find(|c| match &self.signer.sid {
            SignerIdentifier::IssuerAndSerialNumber(ias) => {
                c.tbs_certificate().issuer() == &ias.issuer && c.tbs_certificate().serial_number() == &ias.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => c
                .tbs_certificate()
                .get_extension::<SubjectKeyIdentifier>()
                .ok()
                .flatten()
                .is_some_and(|(_, s)| s.0 == ski.0),
        })
    }

    /// The signature value (for timestamp imprints).
    pub fn signature_value(&self) -> &[u8] {
        self.signer.signature.as_bytes()
    }

    /// Checks the signature against `content_digest` (made with [`ParsedCms::digest_alg`]).
    pub fn check(&self, content_digest: &[u8]) -> CmsCheck {
        let cert = self.signer_certificate().cloned();
        let mut out = CmsCheck {
            signer_cert: cert.clone(),
            message_digest_ok: false,
            signature_ok: false,
            ess: EssCheck::Absent,
            signing_time: None,
            timestamp_token: None,
            has_signed_attrs: self.signer.signed_attrs.is_some(),
        };
        if let Some(unsigned) = &self.signer.unsigned_attrs {
            out.timestamp_token = unsigned
                .iter()
                .find(|a| a.oid.to_string() == ID_TIMESTAMP_TOKEN)
                .and_then(|a| a.values.iter().next())
                .and_then(|v| v.to_der().ok());
        }
        let sig = self.signer.signature.as_bytes();
        match &self.signer.signed_attrs {
            Some(attrs) => {
                let mut has_content_type = false;
                for a in attrs.iter() {
                    let first = a.values.iter().next();
                    match a.oid.to_string().as_str() {
                        ID_CONTENT_TYPE => has_content_type = true,
                        ID_MESSAGE_DIGEST => {
                            out.message_digest_ok = a.values.len() == 1
                                && first
                                    .and_then(|v| v.decode_as::<OctetString>().ok())
                                    .is_some_and(|o| o.as_bytes() == content_digest);
                        }
                        ID_SIGNING_TIME => {
                            out.signing_time =
                                first.and_then(|v| v.decode_as::<Time>().ok()).map(|t| t.to_system_time());
                        }
                        oid @ (ID_SIGNING_CERT_V1 | ID_SIGNING_CERT_V2) => {
                            out.ess = ess_check(first, cert.as_ref(), oid == ID_SIGNING_CERT_V2);
                        }
                        _ => {}
                    }
                }
                // RFC 5652 §5.3: content-type is mandatory with signed attributes.
                out.message_digest_ok &= has_content_type;
                if let (Some(c), Ok(msg)) = (&cert, attrs.to_der()) {
                    out.signature_ok = verify_message(
                        c.tbs_certificate().subject_public_key_info(),
                        &self.signer.signature_algorithm,
                        self.digest_alg,
                        &msg,
                        sig,
                    )
                    .is_ok();
                }
            }
            None => {
                out.message_digest_ok = true;
                if let Some(c) = &cert {
                    let h =
                        signature_hash(&self.signer.signature_algorithm, self.digest_alg).unwrap_or(self.digest_alg);
                    out.signature_ok = h == self.digest_alg
                        && verify_prehashed(
                            c.tbs_certificate().subject_public_key_info(),
                            &self.signer.signature_algorithm,
                            h,
                            content_digest,
                            sig,
                        )
                        .is_ok();
                }
            }
        }
        out
    }
}

fn ess_check(value: Option<&Any>, cert: Option<&Certificate>, v2: bool) -> EssCheck {
    let (Some(v), Some(cert)) = (value, cert) else { return EssCheck::Mismatch };
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
    let Ok(der) = cert.to_der() else { return EssCheck::Mismatch };
    if hash.digest(&der) == first.cert_hash.as_bytes() { EssCheck::Match } else { EssCheck::Mismatch }
}
