//! Certificate facts for display and pre-signing checks (RFC 5280 §4.1,
//! §4.2.1.3 key usage, §4.2.1.12 extended key usage, §4.2.1.4 policies).

use const_oid::ObjectIdentifier;
use const_oid::db::{rfc4519, rfc5280, rfc5912};
use der::{Encode, Tag, Tagged};
use pkcs8::DecodePublicKey;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::time::{SystemTime, UNIX_EPOCH};
use x509_cert::Certificate;
use x509_cert::ext::pkix::{BasicConstraints, CertificatePolicies, ExtendedKeyUsage, KeyUsage, KeyUsages};
use x509_cert::name::Name;

use crate::algorithm::{DigestAlgorithm, SignatureAlgorithm};

/// The public key of a certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum KeyKind {
    /// RSA with a modulus of `bits` bits.
    Rsa {
        /// Modulus size.
        bits: usize,
    },
    /// Elliptic curve key on a named curve.
    Ec {
        /// Curve name (`P-256`, `P-384`, `P-521` or the OID).
        curve: String,
    },
    /// Anything else (the OID).
    Other {
        /// Algorithm OID.
        oid: String,
    },
}

crate::named_enum! {
    /// Something the user should know before trying to sign.
    pub enum CertWarning {
        /// `notAfter` is in the past.
        Expired = "expired",
        /// `notBefore` is in the future.
        NotYetValid = "not_yet_valid",
        /// Key usage has neither digitalSignature nor nonRepudiation.
        NoSigningKeyUsage = "no_signing_key_usage",
        /// The certificate is a CA certificate.
        IsCa = "is_ca",
    }
}

/// Display facts of one certificate. Vietnamese text is kept as decoded
/// (UTF-8, no escaping).
#[derive(Clone, Debug, Serialize)]
pub struct CertInfo {
    /// Subject, most specific attribute first (`CN=…, O=…, C=VN`).
    pub subject: String,
    /// Subject common name.
    pub subject_cn: Option<String>,
    /// Subject organisation.
    pub organization: Option<String>,
    /// Issuer, most specific attribute first.
    pub issuer: String,
    /// Issuer common name.
    pub issuer_cn: Option<String>,
    /// Serial number, upper-case hex.
    pub serial: String,
    /// Start of validity, RFC 3339 UTC.
    pub not_before: String,
    /// End of validity, RFC 3339 UTC.
    pub not_after: String,
    /// Public key.
    pub key: KeyKind,
    /// Key usage bit names (RFC 5280 §4.2.1.3), empty when absent.
    pub key_usage: Vec<String>,
    /// Extended key usages: names where known, OIDs otherwise.
    pub extended_key_usage: Vec<String>,
    /// Certificate policy OIDs.
    pub policies: Vec<String>,
    /// SHA-256 of the DER certificate, lower-case hex.
    pub sha256: String,
    /// Warnings evaluated at the time given to [`CertInfo::from_certificate`].
    pub warnings: Vec<CertWarning>,
}

impl CertInfo {
    /// Extracts the facts of `cert`, judging validity at `now`.
    pub fn from_certificate(cert: &Certificate, now: SystemTime) -> Self {
        let tbs = cert.tbs_certificate();
        let validity = tbs.validity();
        let not_before = validity.not_before.to_system_time();
        let not_after = validity.not_after.to_system_time();

        let key_usage_bits: Option<KeyUsage> = tbs.get_extension::<KeyUsage>().ok().flatten().map(|(_, ku)| ku);
        let key_usage = key_usage_bits.as_ref().map(key_usage_names).unwrap_or_default();
        let extended_key_usage = tbs
            .get_extension::<ExtendedKeyUsage>()
            .ok()
            .flatten()
            .map(|(_, eku)| eku.0.iter().map(eku_name).collect())
            .unwrap_or_default();
        let policies = tbs
            .get_extension::<CertificatePolicies>()
            .ok()
            .flatten()
            .map(|(_, p)| p.0.iter().map(|pi| pi.policy_identifier.to_string()).collect())
            .unwrap_or_default();
        let is_ca = tbs.get_extension::<BasicConstraints>().ok().flatten().is_some_and(|(_, bc)| bc.ca);

        let mut warnings = Vec::new();
        if now > not_after {
            warnings.push(CertWarning::Expired);
        }
        if now < not_before {
            warnings.push(CertWarning::NotYetValid);
        }
        if let Some(ku) = &key_usage_bits
            && !ku.digital_signature()
            && !ku.non_repudiation()
        {
            warnings.push(CertWarning::NoSigningKeyUsage);
        }
        if is_ca {
            warnings.push(CertWarning::IsCa);
        }

        let der = cert.to_der().unwrap_or_default();
        Self {
            subject: format_name(tbs.subject()),
            subject_cn: name_attribute(tbs.subject(), rfc4519::CN),
            organization: name_attribute(tbs.subject(), rfc4519::O),
            issuer: format_name(tbs.issuer()),
            issuer_cn: name_attribute(tbs.issuer(), rfc4519::CN),
            serial: hex::encode_upper(tbs.serial_number().as_bytes()),
            not_before: rfc3339(not_before),
            not_after: rfc3339(not_after),
            key: key_kind(cert),
            key_usage,
            extended_key_usage,
            policies,
            sha256: hex::encode(Sha256::digest(&der)),
            warnings,
        }
    }

    /// True when nothing prevents signing with this certificate.
    pub fn can_sign(&self) -> bool {
        self.warnings.is_empty()
    }

    /// The default signature algorithm for this certificate's key:
    /// RSA PKCS#1 v1.5 + SHA-256 (what VGCA uses), ECDSA with the digest
    /// matching the curve (SHA-256 for P-256, SHA-384 for P-384).
    pub fn default_algorithm(&self) -> Option<SignatureAlgorithm> {
        match &self.key {
            KeyKind::Rsa { .. } => Some(SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha256)),
            KeyKind::Ec { curve } if curve == "P-256" => Some(SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha256)),
            KeyKind::Ec { curve } if curve == "P-384" => Some(SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha384)),
            KeyKind::Ec { curve } if curve == "P-521" => Some(SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha512)),
            _ => None,
        }
    }
}

/// RFC 3339 UTC text of a time (seconds precision).
pub(crate) fn rfc3339(t: SystemTime) -> String {
    let secs = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    };
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|dt| dt.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| format!("@{secs}"))
}

fn key_usage_names(ku: &KeyUsage) -> Vec<String> {
    const NAMES: [(KeyUsages, &str); 9] = [
        (KeyUsages::DigitalSignature, "digitalSignature"),
        (KeyUsages::NonRepudiation, "nonRepudiation"),
        (KeyUsages::KeyEncipherment, "keyEncipherment"),
        (KeyUsages::DataEncipherment, "dataEncipherment"),
        (KeyUsages::KeyAgreement, "keyAgreement"),
        (KeyUsages::KeyCertSign, "keyCertSign"),
        (KeyUsages::CRLSign, "cRLSign"),
        (KeyUsages::EncipherOnly, "encipherOnly"),
        (KeyUsages::DecipherOnly, "decipherOnly"),
    ];
    NAMES.iter().filter(|(bit, _)| ku.0.contains(*bit)).map(|(_, n)| (*n).to_owned()).collect()
}

fn eku_name(oid: &ObjectIdentifier) -> String {
    let name = match *oid {
        rfc5280::ID_KP_SERVER_AUTH => "serverAuth",
        rfc5280::ID_KP_CLIENT_AUTH => "clientAuth",
        rfc5280::ID_KP_CODE_SIGNING => "codeSigning",
        rfc5280::ID_KP_EMAIL_PROTECTION => "emailProtection",
        rfc5280::ID_KP_TIME_STAMPING => "timeStamping",
        rfc5280::ID_KP_OCSP_SIGNING => "OCSPSigning",
        _ if oid.to_string() == "1.3.6.1.4.1.311.10.3.12" => "documentSigning (Microsoft)",
        _ if oid.to_string() == "1.2.840.113583.1.1.5" => "documentSigning (Adobe)",
        _ => return oid.to_string(),
    };
    name.to_owned()
}

fn key_kind(cert: &Certificate) -> KeyKind {
    let spki = cert.tbs_certificate().subject_public_key_info();
    match spki.algorithm.oid {
        rfc5912::RSA_ENCRYPTION => {
            let bits = spki
                .to_der()
                .ok()
                .and_then(|d| rsa::RsaPublicKey::from_public_key_der(&d).ok())
                .map(|k| rsa::traits::PublicKeyParts::n(&k).bits() as usize)
                .unwrap_or(0);
            KeyKind::Rsa { bits }
        }
        rfc5912::ID_EC_PUBLIC_KEY => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                .map(|oid| match oid {
                    rfc5912::SECP_256_R_1 => "P-256".to_owned(),
                    rfc5912::SECP_384_R_1 => "P-384".to_owned(),
                    rfc5912::SECP_521_R_1 => "P-521".to_owned(),
                    other => other.to_string(),
                })
                .unwrap_or_default();
            KeyKind::Ec { curve }
        }
        other => KeyKind::Other { oid: other.to_string() },
    }
}

fn attribute_label(oid: &ObjectIdentifier) -> String {
    let label = match *oid {
        rfc4519::CN => "CN",
        rfc4519::O => "O",
        rfc4519::OU => "OU",
        rfc4519::C => "C",
        rfc4519::L => "L",
        rfc4519::ST => "ST",
        rfc4519::STREET => "STREET",
        rfc4519::TITLE => "T",
        rfc4519::SERIAL_NUMBER => "SERIALNUMBER",
        rfc4519::UID => "UID",
        rfc4519::DC => "DC",
        const_oid::db::rfc3280::EMAIL_ADDRESS => "E",
        _ => return oid.to_string(),
    };
    label.to_owned()
}

/// Decodes a directory string value (RFC 5280 §4.1.2.4) to text.
pub(crate) fn attribute_text(value: &der::Any) -> String {
    let bytes = value.value();
    match value.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::VisibleString => {
            String::from_utf8_lossy(bytes).into_owned()
        }
        // BMPString is UCS-2/UTF-16 big-endian.
        Tag::BmpString => {
            let units: Vec<u16> = bytes.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
            String::from_utf16_lossy(&units)
        }
        // TeletexString in practice carries Latin-1.
        Tag::TeletexString => bytes.iter().map(|b| char::from(*b)).collect(),
        _ => format!("#{}", hex::encode(value.to_der().unwrap_or_default())),
    }
}

/// Formats a name most specific attribute first, as RFC 4514 orders it,
/// but without escaping so Vietnamese text reads naturally.
pub fn format_name(name: &Name) -> String {
    let rdns: Vec<_> = name.iter_rdn().collect();
    rdns.iter()
        .rev()
        .map(|rdn| {
            rdn.iter()
                .map(|atv| format!("{}={}", attribute_label(&atv.oid), attribute_text(&atv.value)))
                .collect::<Vec<_>>()
                .join(" + ")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first value of an attribute in a name, decoded.
pub fn name_attribute(name: &Name, oid: ObjectIdentifier) -> Option<String> {
    name.iter().find(|atv| atv.oid == oid).map(|atv| attribute_text(&atv.value))
}
