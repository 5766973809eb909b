//! Hash algorithms a verifier meets (SHA-1, SHA-2, SHA-3) and generic
//! signature verification over a digest for RSA PKCS#1 v1.5 (RFC 8017
//! §8.2.2), RSASSA-PSS (§8.1.2, RFC 4055 parameters) and ECDSA in DER (RFC
//! 5753) or plain r‖s (BSI TR-03111 §5.2.1) form.

use const_oid::ObjectIdentifier;
use der::{Decode, Encode, Sequence};
use rsa::{Pkcs1v15Sign, Pss, RsaPublicKey};
use serde::Serialize;
use sha2::Digest;
use signature::hazmat::PrehashVerifier;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};

use crate::verify::VerifyError;

/// A hash algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HashAlg {
    /// SHA-1 (legacy; only for verification).
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
    /// SHA3-256.
    Sha3_256,
    /// SHA3-384.
    Sha3_384,
    /// SHA3-512.
    Sha3_512,
}

impl HashAlg {
    /// From a digest algorithm OID.
    pub fn from_oid(o: &ObjectIdentifier) -> Option<Self> {
        Some(match o.to_string().as_str() {
            "1.3.14.3.2.26" => Self::Sha1,
            "2.16.840.1.101.3.4.2.4" => Self::Sha224,
            "2.16.840.1.101.3.4.2.1" => Self::Sha256,
            "2.16.840.1.101.3.4.2.2" => Self::Sha384,
            "2.16.840.1.101.3.4.2.3" => Self::Sha512,
            "2.16.840.1.101.3.4.2.8" => Self::Sha3_256,
            "2.16.840.1.101.3.4.2.9" => Self::Sha3_384,
            "2.16.840.1.101.3.4.2.10" => Self::Sha3_512,
            _ => return None,
        })
    }

    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let mut h = HashState::new(self);
        h.update(data);
        h.finalize()
    }

    /// A short name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA-1",
            Self::Sha224 => "SHA-224",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
            Self::Sha3_256 => "SHA3-256",
            Self::Sha3_384 => "SHA3-384",
            Self::Sha3_512 => "SHA3-512",
        }
    }
}

/// An incremental hash of any [`HashAlg`]; cloneable to fork the state.
#[derive(Clone, Debug)]
pub enum HashState {
    /// SHA-1.
    Sha1(sha1::Sha1),
    /// SHA-224.
    Sha224(sha2::Sha224),
    /// SHA-256.
    Sha256(sha2::Sha256),
    /// SHA-384.
    Sha384(sha2::Sha384),
    /// SHA-512.
    Sha512(sha2::Sha512),
    /// SHA3-256.
    Sha3_256(sha3::Sha3_256),
    /// SHA3-384.
    Sha3_384(sha3::Sha3_384),
    /// SHA3-512.
    Sha3_512(sha3::Sha3_512),
}

macro_rules! each {
    ($self:expr, $h:ident => $e:expr) => {
        match $self {
            HashState::Sha1($h) => $e,
            HashState::Sha224($h) => $e,
            HashState::Sha256($h) => $e,
            HashState::Sha384($h) => $e,
            HashState::Sha512($h) => $e,
            HashState::Sha3_256($h) => $e,
            HashState::Sha3_384($h) => $e,
            HashState::Sha3_512($h) => $e,
        }
    };
}

impl HashState {
    /// A fresh state.
    pub fn new(alg: HashAlg) -> Self {
        match alg {
            HashAlg::Sha1 => Self::Sha1(sha1::Sha1::new()),
            HashAlg::Sha224 => Self::Sha224(sha2::Sha224::new()),
            HashAlg::Sha256 => Self::Sha256(sha2::Sha256::new()),
            HashAlg::Sha384 => Self::Sha384(sha2::Sha384::new()),
            HashAlg::Sha512 => Self::Sha512(sha2::Sha512::new()),
            HashAlg::Sha3_256 => Self::Sha3_256(sha3::Sha3_256::new()),
            HashAlg::Sha3_384 => Self::Sha3_384(sha3::Sha3_384::new()),
            HashAlg::Sha3_512 => Self::Sha3_512(sha3::Sha3_512::new()),
        }
    }

    /// Adds bytes.
    pub fn update(&mut self, data: &[u8]) {
        each!(self, h => Digest::update(h, data))
    }

    /// The digest.
    pub fn finalize(self) -> Vec<u8> {
        each!(self, h => h.finalize().to_vec())
    }
}

/// The signature scheme named by a signature AlgorithmIdentifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scheme {
    RsaV15(Option<HashAlg>),
    RsaPss,
    EcdsaDer(Option<HashAlg>),
    EcdsaPlain(HashAlg),
}

fn scheme(alg: &ObjectIdentifier) -> Option<Scheme> {
    use HashAlg::*;
    Some(match alg.to_string().as_str() {
        "1.2.840.113549.1.1.1" => Scheme::RsaV15(None),
        "1.2.840.113549.1.1.5" => Scheme::RsaV15(Some(Sha1)),
        "1.2.840.113549.1.1.14" => Scheme::RsaV15(Some(Sha224)),
        "1.2.840.113549.1.1.11" => Scheme::RsaV15(Some(Sha256)),
        "1.2.840.113549.1.1.12" => Scheme::RsaV15(Some(Sha384)),
        "1.2.840.113549.1.1.13" => Scheme::RsaV15(Some(Sha512)),
        "2.16.840.1.101.3.4.3.14" => Scheme::RsaV15(Some(Sha3_256)),
        "2.16.840.1.101.3.4.3.15" => Scheme::RsaV15(Some(Sha3_384)),
        "2.16.840.1.101.3.4.3.16" => Scheme::RsaV15(Some(Sha3_512)),
        "1.2.840.113549.1.1.10" => Scheme::RsaPss,
        "1.2.840.10045.2.1" => Scheme::EcdsaDer(None),
        "1.2.840.10045.4.1" => Scheme::EcdsaDer(Some(Sha1)),
        "1.2.840.10045.4.3.1" => Scheme::EcdsaDer(Some(Sha224)),
        "1.2.840.10045.4.3.2" => Scheme::EcdsaDer(Some(Sha256)),
        "1.2.840.10045.4.3.3" => Scheme::EcdsaDer(Some(Sha384)),
        "1.2.840.10045.4.3.4" => Scheme::EcdsaDer(Some(Sha512)),
        "2.16.840.1.101.3.4.3.10" => Scheme::EcdsaDer(Some(Sha3_256)),
        "2.16.840.1.101.3.4.3.11" => Scheme::EcdsaDer(Some(Sha3_384)),
        "2.16.840.1.101.3.4.3.12" => Scheme::EcdsaDer(Some(Sha3_512)),
        "0.4.0.127.0.7.1.1.4.1.1" => Scheme::EcdsaPlain(Sha1),
        "0.4.0.127.0.7.1.1.4.1.2" => Scheme::EcdsaPlain(Sha224),
        "0.4.0.127.0.7.1.1.4.1.3" => Scheme::EcdsaPlain(Sha256),
        "0.4.0.127.0.7.1.1.4.1.4" => Scheme::EcdsaPlain(Sha384),
        "0.4.0.127.0.7.1.1.4.1.5" => Scheme::EcdsaPlain(Sha512),
        "0.4.0.127.0.7.1.1.4.1.10" => Scheme::EcdsaPlain(Sha3_256),
        "0.4.0.127.0.7.1.1.4.1.11" => Scheme::EcdsaPlain(Sha3_384),
        "0.4.0.127.0.7.1.1.4.1.12" => Scheme::EcdsaPlain(Sha3_512),
        _ => return None,
    })
}

/// RSASSA-PSS-params (RFC 4055 §3.1), defaults SHA-1 / MGF1-SHA-1 / 20.
#[derive(Sequence, Default)]
struct PssParamsIn {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mask_gen: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    salt_len: Option<u32>,
}

/// The hash a signature algorithm uses: its own when it names one,
/// otherwise `fallback` (the SignerInfo's digestAlgorithm).
pub fn signature_hash(sig_alg: &AlgorithmIdentifierOwned, fallback: HashAlg) -> Option<HashAlg> {
    match scheme(&sig_alg.oid)? {
        Scheme::RsaV15(h) | Scheme::EcdsaDer(h) => Some(h.unwrap_or(fallback)),
        Scheme::EcdsaPlain(h) => Some(h),
        Scheme::RsaPss => {
            let p = pss_params(sig_alg);
            Some(p.hash.as_ref().and_then(|a| HashAlg::from_oid(&a.oid)).unwrap_or(HashAlg::Sha1))
        }
    }
}

fn pss_params(sig_alg: &AlgorithmIdentifierOwned) -> PssParamsIn {
    sig_alg
        .parameters
        .as_ref()
        .and_then(|p| p.to_der().ok())
        .and_then(|d| PssParamsIn::from_der(&d).ok())
        .unwrap_or_default()
}

macro_rules! rsa_v15 {
    ($key:expr, $h:expr, $digest:expr, $sig:expr) => {
        match $h {
            HashAlg::Sha1 => $key.verify(Pkcs1v15Sign::new::<sha1::Sha1>(), $digest, $sig),
            HashAlg::Sha224 => $key.verify(Pkcs1v15Sign::new::<sha2::Sha224>(), $digest, $sig),
            HashAlg::Sha256 => $key.verify(Pkcs1v15Sign::new::<sha2::Sha256>(), $digest, $sig),
            HashAlg::Sha384 => $key.verify(Pkcs1v15Sign::new::<sha2::Sha384>(), $digest, $sig),
            HashAlg::Sha512 => $key.verify(Pkcs1v15Sign::new::<sha2::Sha512>(), $digest, $sig),
            HashAlg::Sha3_256 => $key.verify(Pkcs1v15Sign::new::<sha3::Sha3_256>(), $digest, $sig),
            HashAlg::Sha3_384 => $key.verify(Pkcs1v15Sign::new::<sha3::Sha3_384>(), $digest, $sig),
            HashAlg::Sha3_512 => $key.verify(Pkcs1v15Sign::new::<sha3::Sha3_512>(), $digest, $sig),
        }
    };
}

macro_rules! rsa_pss {
    ($key:expr, $h:expr, $salt:expr, $digest:expr, $sig:expr) => {
        match $h {
            HashAlg::Sha1 => $key.verify(Pss::<sha1::Sha1>::new_with_salt($salt), $digest, $sig),
            HashAlg::Sha224 => $key.verify(Pss::<sha2::Sha224>::new_with_salt($salt), $digest, $sig),
            HashAlg::Sha256 => $key.verify(Pss::<sha2::Sha256>::new_with_salt($salt), $digest, $sig),
            HashAlg::Sha384 => $key.verify(Pss::<sha2::Sha384>::new_with_salt($salt), $digest, $sig),
            HashAlg::Sha512 => $key.verify(Pss::<sha2::Sha512>::new_with_salt($salt), $digest, $sig),
            HashAlg::Sha3_256 => $key.verify(Pss::<sha3::Sha3_256>::new_with_salt($salt), $digest, $sig),
            HashAlg::Sha3_384 => $key.verify(Pss::<sha3::Sha3_384>::new_with_salt($salt), $digest, $sig),
            HashAlg::Sha3_512 => $key.verify(Pss::<sha3::Sha3_512>::new_with_salt($salt), $digest, $sig),
        }
    };
}

/// ECDSA over one curve: the SEC1 point, the signature as DER or plain
/// r‖s (BSI TR-03111), the prehashed digest.
macro_rules! ecdsa_check {
    ($vk:ty, $sig:ty, $point:expr, $signature:expr, $plain:expr, $digest:expr) => {{
        let vk = <$vk>::from_sec1_bytes($point).map_err(|_| VerifyError::BadKey)?;
        let sig = if $plain { <$sig>::from_slice($signature) } else { <$sig>::from_der($signature) }
            .map_err(|_| VerifyError::Mismatch)?;
        vk.verify_prehash($digest, &sig).map_err(|_| VerifyError::Mismatch)
    }};
}

/// Verifies `signature` over a precomputed `digest` (made with `hash`) with
/// the key in `spki`, under the scheme named by `sig_alg`.
pub fn verify_prehashed(
    spki: &SubjectPublicKeyInfoOwned,
    sig_alg: &AlgorithmIdentifierOwned,
    hash: HashAlg,
    digest: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    let spki_der = spki.to_der().map_err(|_| VerifyError::BadKey)?;
    let spki_ref = SubjectPublicKeyInfoRef::from_der(&spki_der).map_err(|_| VerifyError::BadKey)?;
    let scheme = scheme(&sig_alg.oid).ok_or(VerifyError::BadKey)?;
    match scheme {
        Scheme::RsaV15(_) | Scheme::RsaPss => {
            let key = RsaPublicKey::try_from(spki_ref).map_err(|_| VerifyError::BadKey)?;
            let res = if scheme == Scheme::RsaPss {
                let salt = pss_params(sig_alg).salt_len.unwrap_or(20) as usize;
                rsa_pss!(key, hash, salt, digest, signature)
            } else {
                rsa_v15!(key, hash, digest, signature)
            };
            res.map_err(|_| VerifyError::Mismatch)
        }
        Scheme::EcdsaDer(_) | Scheme::EcdsaPlain(_) => {
            let point = spki_ref.subject_public_key.raw_bytes();
            let curve = spki_ref
                .algorithm
                .parameters
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                .ok_or(VerifyError::BadKey)?;
            let plain = matches!(scheme, Scheme::EcdsaPlain(_));
            // X9.62 / RFC 5639 curves by their OID (RFC 5480 §2.1.1.1).
            match curve.to_string().as_str() {
                "1.2.840.10045.3.1.7" => {
                    ecdsa_check!(p256::ecdsa::VerifyingKey, p256::ecdsa::Signature, point, signature, plain, digest)
                }
                "1.3.132.0.34" => {
                    ecdsa_check!(p384::ecdsa::VerifyingKey, p384::ecdsa::Signature, point, signature, plain, digest)
                }
                "1.3.36.3.3.2.8.1.1.7" => ecdsa_check!(
                    ecdsa::VerifyingKey<bp256::BrainpoolP256r1>,
                    bp256::r1::ecdsa::Signature,
                    point,
                    signature,
                    plain,
                    digest
                ),
                "1.3.36.3.3.2.8.1.1.11" => ecdsa_check!(
                    ecdsa::VerifyingKey<bp384::BrainpoolP384r1>,
                    bp384::r1::ecdsa::Signature,
                    point,
                    signature,
                    plain,
                    digest
                ),
                _ => Err(VerifyError::BadKey),
            }
        }
    }
}

/// Hashes `message` with the signature's hash and verifies.
pub fn verify_message(
    spki: &SubjectPublicKeyInfoOwned,
    sig_alg: &AlgorithmIdentifierOwned,
    fallback_hash: HashAlg,
    message: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    let hash = signature_hash(sig_alg, fallback_hash).ok_or(VerifyError::BadKey)?;
    let res = verify_prehashed(spki, sig_alg, hash, &hash.digest(message), signature);
    // RSA PKCS#1 v1.5 signs a DigestInfo that names its own hash: some
    // producers label the algorithm with one hash and sign with the
    // SignerInfo's (seen in EU DSS output). The DigestInfo is covered by the
    // signature, so accepting the hash it names is sound.
    if res.is_err() && hash != fallback_hash && matches!(scheme(&sig_alg.oid), Some(Scheme::RsaV15(_))) {
        return verify_prehashed(spki, sig_alg, fallback_hash, &fallback_hash.digest(message), signature);
    }
    res
}
