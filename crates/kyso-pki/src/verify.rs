//! Verification of a raw signature over a digest with a certificate's public
//! key (RFC 8017 §8.1.2, §8.2.2; FIPS 186-4 §6.4).

use const_oid::db::rfc5912;
use der::Decode;
use rsa::{Pkcs1v15Sign, Pss, RsaPublicKey};
use signature::hazmat::PrehashVerifier;
use spki::SubjectPublicKeyInfoRef;
use x509_cert::Certificate;

use crate::algorithm::{DigestAlgorithm, SignatureAlgorithm};

/// Why a signature did not verify.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// The public key could not be decoded or does not fit the algorithm.
    #[error("unsupported or malformed public key")]
    BadKey,
    /// The signature value does not match.
    #[error("signature does not match")]
    Mismatch,
}

/// Verifies `signature` over `digest` with the key of `cert`. ECDSA
/// signatures are DER `Ecdsa-Sig-Value`.
pub fn verify_digest_signature(
    cert: &Certificate,
    alg: SignatureAlgorithm,
    digest: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    let spki_der =
        der::Encode::to_der(cert.tbs_certificate().subject_public_key_info()).map_err(|_| VerifyError::BadKey)?;
    let spki = SubjectPublicKeyInfoRef::from_der(&spki_der).map_err(|_| VerifyError::BadKey)?;
    match alg {
        SignatureAlgorithm::RsaPkcs1v15(d) | SignatureAlgorithm::RsaPss(d) => {
            if spki.algorithm.oid != rfc5912::RSA_ENCRYPTION {
                return Err(VerifyError::BadKey);
            }
            let key = RsaPublicKey::try_from(spki).map_err(|_| VerifyError::BadKey)?;
            let res = match (alg, d) {
                (SignatureAlgorithm::RsaPkcs1v15(_), DigestAlgorithm::Sha256) => {
                    key.verify(Pkcs1v15Sign::new::<sha2::Sha256>(), digest, signature)
                }
                (SignatureAlgorithm::RsaPkcs1v15(_), DigestAlgorithm::Sha384) => {
                    key.verify(Pkcs1v15Sign::new::<sha2::Sha384>(), digest, signature)
                }
                (SignatureAlgorithm::RsaPkcs1v15(_), DigestAlgorithm::Sha512) => {
                    key.verify(Pkcs1v15Sign::new::<sha2::Sha512>(), digest, signature)
                }
                (_, DigestAlgorithm::Sha256) => key.verify(Pss::<sha2::Sha256>::new(), digest, signature),
                (_, DigestAlgorithm::Sha384) => key.verify(Pss::<sha2::Sha384>::new(), digest, signature),
                (_, DigestAlgorithm::Sha512) => key.verify(Pss::<sha2::Sha512>::new(), digest, signature),
            };
            res.map_err(|_| VerifyError::Mismatch)
        }
        SignatureAlgorithm::Ecdsa(_) => {
            let point = spki.subject_public_key.raw_bytes();
            let curve = spki
                .algorithm
                .parameters
                .and_then(|p| p.decode_as::<const_oid::ObjectIdentifier>().ok())
                .ok_or(VerifyError::BadKey)?;
            match curve {
                rfc5912::SECP_256_R_1 => {
                    let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| VerifyError::BadKey)?;
                    let sig = p256::ecdsa::Signature::from_der(signature).map_err(|_| VerifyError::Mismatch)?;
                    vk.verify_prehash(digest, &sig).map_err(|_| VerifyError::Mismatch)
                }
                rfc5912::SECP_384_R_1 => {
                    let vk = p384::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| VerifyError::BadKey)?;
                    let sig = p384::ecdsa::Signature::from_der(signature).map_err(|_| VerifyError::Mismatch)?;
                    vk.verify_prehash(digest, &sig).map_err(|_| VerifyError::Mismatch)
                }
                _ => Err(VerifyError::BadKey),
            }
        }
    }
}
