//! Detached CMS SignedData for PAdES baseline B-B (ETSI EN 319 142-1 §6.3,
//! RFC 5652 §5): signed attributes content-type, message-digest and ESS
//! signing-certificate-v2 (RFC 5035 §3), no signing-time (the PDF `/M`
//! carries the claimed time), the signer's certificate and its known chain.

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::ObjectIdentifier;
use const_oid::db::{rfc5911, rfc6268};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

use crate::signer::{Signer, SignerError};

const ID_AA_SIGNATURE_TIMESTAMP_TOKEN: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");

/// `IssuerSerial` (RFC 5035 §4).
#[derive(Clone, Debug, Sequence)]
struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: SerialNumber,
}

/// `ESSCertIDv2` (RFC 5035 §4) with the default hash SHA-256 omitted.
#[derive(Clone, Debug, Sequence)]
struct EssCertIdV2 {
    cert_hash: OctetString,
    issuer_serial: IssuerSerial,
}

/// `SigningCertificateV2` (RFC 5035 §3).
#[derive(Clone, Debug, Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, der::Error> {
    let mut values = SetOfVec::new();
    values.insert(value)?;
    Ok(Attribute { oid, values })
}

/// The ESS signing-certificate-v2 attribute binding `cert` (RFC 5035).
fn signing_certificate_v2(cert: &Certificate) -> Result<Attribute, der::Error> {
    let tbs = cert.tbs_certificate();
    let id = EssCertIdV2 {
        cert_hash: OctetString::new(Sha256::digest(cert.to_der()?).to_vec())?,
        issuer_serial: IssuerSerial {
            issuer: vec![GeneralName::DirectoryName(tbs.issuer().clone())],
            serial_number: tbs.serial_number().clone(),
        },
    };
    attribute(rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2, Any::encode_from(&SigningCertificateV2 { certs: vec![id] })?)
}

/// Where to get a signature timestamp (PAdES B-T, ETSI EN 319 142-1 §5.3).
#[derive(Clone, Debug)]
pub struct TsaConfig {
    /// The TSA URL (http://).
    pub url: String,
    /// How long to wait: the VGCA TSA can take minutes (vietnam-rules.md).
    pub timeout: std::time::Duration,
    /// The proxy from Settings or `--proxy` (`http://[user:password@]host:port`);
    /// `None` uses `HTTP_PROXY`/`HTTPS_PROXY`/`NO_PROXY` ([`crate::http::proxy_for`]).
    pub proxy: Option<String>,
}

impl TsaConfig {
    /// A TSA at `url` waited on for `timeout`, with the environment's proxy.
    pub fn new(url: impl Into<String>, timeout: std::time::Duration) -> Self {
        Self { url: url.into(), timeout, proxy: None }
    }

    /// Timestamps `data` (RFC 3161 over its SHA-256).
    pub fn request(&self, data: &[u8]) -> Result<(Vec<u8>, crate::tsp::TimestampInfo), crate::tsp::TspError> {
        self.request_for_digest(&crate::HashAlg::Sha256.digest(data))
    }

    /// Timestamps a SHA-256 `digest` (a PDF document timestamp, ETSI EN 319 142-1 §5.4.3).
    pub fn request_for_digest(
        &self,
        digest: &[u8],
    ) -> Result<(Vec<u8>, crate::tsp::TimestampInfo), crate::tsp::TspError> {
        let route = crate::http::Route { timeout: self.timeout, proxy: self.proxy.as_deref() };
        crate::tsp::request_timestamp_via(&self.url, digest, &route)
    }
}

/// Why a CMS signature could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CmsBuildError {
    /// The signer failed.
    #[error(transparent)]
    Signer(#[from] SignerError),
    /// The timestamp could not be obtained.
    #[error(transparent)]
    Timestamp(#[from] crate::tsp::TspError),
}

impl From<der::Error> for CmsBuildError {
    fn from(e: der::Error) -> Self {
        Self::Signer(SignerError::Encoding(e))
    }
}

/// Builds a detached CMS `ContentInfo` (DER) over content whose digest
/// (with the signer's digest algorithm) is `content_digest`.
pub fn build_detached_cms(signer: &dyn Signer, content_digest: &[u8]) -> Result<Vec<u8>, SignerError> {
    build_detached_cms_with(signer, content_digest, None).map_err(|e| match e {
        CmsBuildError::Signer(s) => s,
        CmsBuildError::Timestamp(t) => SignerError::Device(t.to_string()),
    })
}

/// As [`build_detached_cms`], adding an RFC 3161 signature timestamp over
/// the signature value as the unsigned attribute
/// id-aa-signatureTimeStampToken (RFC 3161 Appendix A) when `tsa` is given.
pub fn build_detached_cms_with(
    signer: &dyn Signer,
    content_digest: &[u8],
    tsa: Option<&TsaConfig>,
) -> Result<Vec<u8>, CmsBuildError> {
    let alg = signer.algorithm();
    let digest_alg = alg.digest().algorithm_identifier();
    let cert = signer.certificate();

    let mut signed_attrs = SetOfVec::new();
    signed_attrs.insert(attribute(rfc6268::ID_CONTENT_TYPE, Any::encode_from(&rfc5911::ID_DATA)?)?)?;
    signed_attrs.insert(attribute(
        rfc6268::ID_MESSAGE_DIGEST,
        Any::encode_from(&OctetString::new(content_digest.to_vec())?)?,
    )?)?;
    signed_attrs.insert(signing_certificate_v2(cert)?)?;
    // RFC 5652 §5.4: the signature covers the DER of the attributes as a SET.
    let to_sign = signed_attrs.to_der()?;
    let signature = signer.sign_message(&to_sign)?;
    let unsigned_attrs = match tsa {
        Some(cfg) => {
            let (token, _) = cfg.request(&signature)?;
            let mut set = SetOfVec::new();
            set.insert(attribute(ID_AA_SIGNATURE_TIMESTAMP_TOKEN, Any::from_der(&token)?)?)?;
            Some(set)
        }
        None => None,
    };

    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.tbs_certificate().issuer().clone(),
            serial_number: cert.tbs_certificate().serial_number().clone(),
        }),
        digest_alg: digest_alg.clone(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: alg.cms_algorithm_identifier()?,
        signature: OctetString::new(signature)?,
        unsigned_attrs,
    };
    let mut certs = SetOfVec::new();
    for c in std::iter::once(cert).chain(signer.chain().iter()) {
        // A chain may repeat the leaf; a SET must not hold duplicates.
        let choice = CertificateChoices::Certificate(c.clone());
        if !certs.iter().any(|x| x == &choice) {
            certs.insert(choice)?;
        }
    }
    let mut digest_algorithms = SetOfVec::new();
    digest_algorithms.insert(digest_alg)?;
    let mut infos = SetOfVec::new();
    infos.insert(signer_info)?;
    let sd = SignedData {
        version: CmsVersion::V1,
        digest_algorithms,
        encap_content_info: EncapsulatedContentInfo { econtent_type: rfc5911::ID_DATA, econtent: None },
        certificates: Some(CertificateSet(certs)),
        crls: None,
        signer_infos: SignerInfos(infos),
    };
    let ci = ContentInfo { content_type: rfc5911::ID_SIGNED_DATA, content: Any::encode_from(&sd)? };
    Ok(ci.to_der()?)
}

/// Upper bound of the DER size of [`build_detached_cms`]'s output, from the
/// signer's dry run (certificates + attributes + the largest signature).
pub fn estimate_cms_len(signer: &dyn Signer) -> usize {
    let certs: usize = std::iter::once(signer.certificate())
        .chain(signer.chain().iter())
        .map(|c| c.to_der().map(|d| d.len()).unwrap_or(4096))
        .sum();
    let issuer = signer.certificate().tbs_certificate().issuer().to_der().map(|d| d.len()).unwrap_or(512);
    // Attributes (~150 + issuer for ESS), identifiers and headers (~300).
    certs + signer.max_signature_len() + 2 * issuer + 600
}
