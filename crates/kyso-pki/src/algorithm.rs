//! Digest and signature algorithms and their encodings.

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912;
use der::asn1::{Int, OctetString};
use der::{Encode, Sequence};
use serde::Serialize;
use sha2::Digest;
use spki::AlgorithmIdentifierOwned;

/// A message digest algorithm supported for signing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DigestAlgorithm {
    /// SHA-256 (the default: what VGCA tools use).
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl DigestAlgorithm {
    /// The algorithm's object identifier (RFC 5758 §2).
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Self::Sha256 => rfc5912::ID_SHA_256,
            Self::Sha384 => rfc5912::ID_SHA_384,
            Self::Sha512 => rfc5912::ID_SHA_512,
        }
    }

    /// Output length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// Hashes `data` in one call.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Self::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Self::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    /// The AlgorithmIdentifier with absent parameters (RFC 5754 §2).
    pub fn algorithm_identifier(self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned { oid: self.oid(), parameters: None }
    }

    /// Parses a user-facing name (`sha256`, `SHA-384`, …).
    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().replace('-', "").as_str() {
            "sha256" => Some(Self::Sha256),
            "sha384" => Some(Self::Sha384),
            "sha512" => Some(Self::Sha512),
            _ => None,
        }
    }
}

/// How a signature is computed over a digest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "scheme", content = "digest", rename_all = "kebab-case")]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2), the VGCA default.
    RsaPkcs1v15(DigestAlgorithm),
    /// RSASSA-PSS (RFC 8017 §8.1), MGF1 with the same digest, salt = digest length.
    RsaPss(DigestAlgorithm),
    /// ECDSA (FIPS 186-4); CMS carries the DER `Ecdsa-Sig-Value` (RFC 5753 §7.2).
    Ecdsa(DigestAlgorithm),
}

impl SignatureAlgorithm {
    /// The digest this signature uses.
    pub fn digest(self) -> DigestAlgorithm {
        match self {
            Self::RsaPkcs1v15(d) | Self::RsaPss(d) | Self::Ecdsa(d) => d,
        }
    }

    /// The `signatureAlgorithm` of a CMS SignerInfo (RFC 5652 §5.3).
    /// RSA v1.5 uses `rsaEncryption` as most validators expect (RFC 3370
    /// §3.2); PSS carries RSASSA-PSS-params (RFC 4056 §3); ECDSA uses
    /// ecdsa-with-SHAxxx (RFC 5753 §7.1.3).
    pub fn cms_algorithm_identifier(self) -> Result<AlgorithmIdentifierOwned, der::Error> {
        Ok(match self {
            Self::RsaPkcs1v15(_) => {
                AlgorithmIdentifierOwned { oid: rfc5912::RSA_ENCRYPTION, parameters: Some(der::asn1::Null.into()) }
            }
            Self::RsaPss(d) => AlgorithmIdentifierOwned {
                oid: rfc5912::ID_RSASSA_PSS,
                parameters: Some(der::Any::encode_from(&pss_params(d)?)?),
            },
            Self::Ecdsa(d) => AlgorithmIdentifierOwned {
                oid: match d {
                    DigestAlgorithm::Sha256 => rfc5912::ECDSA_WITH_SHA_256,
                    DigestAlgorithm::Sha384 => rfc5912::ECDSA_WITH_SHA_384,
                    DigestAlgorithm::Sha512 => rfc5912::ECDSA_WITH_SHA_512,
                },
                parameters: None,
            },
        })
    }
}

/// RSASSA-PSS-params (RFC 4055 §3.1) with explicit hash, MGF1 and salt.
#[derive(Clone, Debug, Sequence)]
struct PssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    hash: AlgorithmIdentifierOwned,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT")]
    mask_gen: AlgorithmIdentifierOwned,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT")]
    salt_len: u32,
}

fn pss_params(d: DigestAlgorithm) -> Result<PssParams, der::Error> {
    Ok(PssParams {
        hash: d.algorithm_identifier(),
        mask_gen: AlgorithmIdentifierOwned {
            oid: rfc5912::ID_MGF_1,
            parameters: Some(der::Any::encode_from(&d.algorithm_identifier())?),
        },
        salt_len: d.output_len() as u32,
    })
}

/// DigestInfo (RFC 8017 §9.2): what CKM_RSA_PKCS signs for PKCS#1 v1.5.
#[derive(Sequence)]
struct DigestInfo {
    algorithm: AlgorithmIdentifierOwned,
    digest: OctetString,
}

/// DER DigestInfo of `digest`, with NULL parameters as RFC 8017 §9.2 note 1
/// recommends.
pub fn rsa_digest_info(alg: DigestAlgorithm, digest: &[u8]) -> Result<Vec<u8>, der::Error> {
    DigestInfo {
        algorithm: AlgorithmIdentifierOwned { oid: alg.oid(), parameters: Some(der::asn1::Null.into()) },
        digest: OctetString::new(digest)?,
    }
    .to_der()
}

#[derive(Sequence)]
struct EcdsaSigValue {
    r: Int,
    s: Int,
}

/// Converts a raw `r‖s` ECDSA signature (what PKCS#11 CKM_ECDSA returns,
/// PKCS#11 v2.40 §2.3.1) into DER `Ecdsa-Sig-Value` (RFC 5753 §7.2).
pub fn ecdsa_raw_to_der(raw: &[u8]) -> Result<Vec<u8>, der::Error> {
    if raw.is_empty() || !raw.len().is_multiple_of(2) {
        return Err(der::ErrorKind::Length { tag: der::Tag::Sequence }.into());
    }
    let (r, s) = raw.split_at(raw.len() / 2);
    EcdsaSigValue { r: positive_int(r)?, s: positive_int(s)? }.to_der()
}

fn positive_int(bytes: &[u8]) -> Result<Int, der::Error> {
    let trimmed = match bytes.iter().position(|b| *b != 0) {
        Some(i) => &bytes[i..],
        None => &[0u8][..],
    };
    let mut v = Vec::with_capacity(trimmed.len() + 1);
    if trimmed[0] & 0x80 != 0 {
        v.push(0);
    }
    v.extend_from_slice(trimmed);
    Int::new(&v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_info_sha256_has_the_rfc8017_prefix() {
        let di = rsa_digest_info(DigestAlgorithm::Sha256, &[0u8; 32]).unwrap();
        // RFC 8017 §9.2 note 1: the SHA-256 prefix.
        assert_eq!(hex::encode(&di[..19]), "3031300d060960864801650304020105000420");
        assert_eq!(di.len(), 51);
    }

    #[test]
    fn raw_ecdsa_to_der_handles_high_bit_and_leading_zeros() {
        let mut raw = vec![0u8; 64];
        raw[0] = 0x80; // r needs a 0x00 pad
        raw[32] = 0x00;
        raw[33] = 0x01; // s has a leading zero to strip
        let der = ecdsa_raw_to_der(&raw).unwrap();
        assert_eq!(&der[..5], &[0x30, der.len() as u8 - 2, 0x02, 33, 0x00]);
        let sig = p256::ecdsa::Signature::from_der(&der).unwrap();
        assert_eq!(sig.to_bytes().as_slice(), raw.as_slice());
        assert!(ecdsa_raw_to_der(&[1, 2, 3]).is_err());
    }

    #[test]
    fn digest_names() {
        assert_eq!(DigestAlgorithm::from_name("SHA-384"), Some(DigestAlgorithm::Sha384));
        assert_eq!(DigestAlgorithm::from_name("md5"), None);
    }
}

/// An incremental hasher for a [`DigestAlgorithm`] (hashes a file through a
/// fixed buffer; the state can be cloned to fork at a byte-range hole).
#[derive(Clone, Debug)]
pub enum Hasher {
    /// SHA-256.
    Sha256(sha2::Sha256),
    /// SHA-384.
    Sha384(sha2::Sha384),
    /// SHA-512.
    Sha512(sha2::Sha512),
}

impl Hasher {
    /// A fresh hasher.
    pub fn new(alg: DigestAlgorithm) -> Self {
        match alg {
            DigestAlgorithm::Sha256 => Self::Sha256(sha2::Sha256::new()),
            DigestAlgorithm::Sha384 => Self::Sha384(sha2::Sha384::new()),
            DigestAlgorithm::Sha512 => Self::Sha512(sha2::Sha512::new()),
        }
    }

    /// Adds bytes.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Self::Sha256(h) => h.update(data),
            Self::Sha384(h) => h.update(data),
            Self::Sha512(h) => h.update(data),
        }
    }

    /// The digest.
    pub fn finalize(self) -> Vec<u8> {
        match self {
            Self::Sha256(h) => h.finalize().to_vec(),
            Self::Sha384(h) => h.finalize().to_vec(),
            Self::Sha512(h) => h.finalize().to_vec(),
        }
    }
}
