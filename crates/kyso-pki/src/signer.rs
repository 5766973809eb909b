//! The signer abstraction (pyHanko's layering): a signer knows its
//! certificate, chain and algorithm and signs a digest; it knows nothing of
//! where the key lives or what format the signature goes into.

use crate::algorithm::SignatureAlgorithm;
use x509_cert::Certificate;

/// Why a signer could not produce a signature. Variants carry no PIN and no
/// document content; the UI and CLI translate them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignerError {
    /// The digest has the wrong length for the algorithm.
    #[error("digest length {got} does not match the algorithm ({expected} bytes)")]
    DigestLength {
        /// Bytes expected.
        expected: usize,
        /// Bytes given.
        got: usize,
    },
    /// The key cannot do what was asked (e.g. PSS on an EC key).
    #[error("the key does not support {0}")]
    UnsupportedAlgorithm(String),
    /// The device or library failed; the text is the underlying cause.
    #[error("signing device error: {0}")]
    Device(String),
    /// The token was removed or the session closed mid-way.
    #[error("the token was removed or the session was closed")]
    TokenRemoved,
    /// A re-authentication (CKA_ALWAYS_AUTHENTICATE) was refused.
    #[error("the token refused the PIN for this signature")]
    ContextLoginFailed,
    /// Encoding failed.
    #[error("encoding error: {0}")]
    Encoding(#[from] der::Error),
}

/// Something that can sign a digest with a private key bound to a certificate.
pub trait Signer: Send {
    /// The signer's certificate.
    fn certificate(&self) -> &Certificate;

    /// Certificates of the chain above the signer's, nearest first, as known
    /// to the signer (may be empty: VGCA tokens often carry only the leaf).
    fn chain(&self) -> &[Certificate];

    /// The algorithm [`Signer::sign_digest`] uses.
    fn algorithm(&self) -> SignatureAlgorithm;

    /// The largest signature this signer can produce, in bytes, without
    /// touching the key (the "dry run" that sizes a PDF `/Contents`).
    fn max_signature_len(&self) -> usize;

    /// Signs a precomputed digest of [`SignatureAlgorithm::digest`]. RSA
    /// results are the raw signature block; ECDSA results are DER
    /// `Ecdsa-Sig-Value`, ready for CMS.
    fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>, SignerError>;

    /// Hashes `message` with the signer's digest and signs it.
    fn sign_message(&self, message: &[u8]) -> Result<Vec<u8>, SignerError> {
        let digest = self.algorithm().digest().digest(message);
        self.sign_digest(&digest)
    }
}

/// Checks a digest's length against the algorithm.
pub(crate) fn check_digest_len(alg: SignatureAlgorithm, digest: &[u8]) -> Result<(), SignerError> {
    let expected = alg.digest().output_len();
    if digest.len() != expected {
        return Err(SignerError::DigestLength { expected, got: digest.len() });
    }
    Ok(())
}

/// Maximum DER length of an `Ecdsa-Sig-Value` for a field of `field_len` bytes.
pub fn ecdsa_der_max_len(field_len: usize) -> usize {
    // SEQUENCE { INTEGER r, INTEGER s }: each INTEGER may gain a 0x00 pad.
    let int = 2 + field_len + 1;
    let body = 2 * int;
    body + if body < 128 { 2 } else { 3 }
}
