//! A [`Signer`] backed by a PKCS#12 (.p12/.pfx) file (RFC 7292).
//!
//! Supports what current tools write: PBES2 (PBKDF2 + AES-CBC, RFC 8018
//! §6.2) for shrouded keys and encrypted bags, and an HMAC-SHA-1/SHA-256
//! integrity MAC with the PKCS#12 key derivation (RFC 7292 Appendix B).
//! Legacy RC2/3DES files are refused with [`P12Error::UnsupportedEncryption`].

use std::path::Path;

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912;
use der::asn1::{Any, OctetString, SetOfVec};
use der::{Decode, Encode, Sequence};
use hmac::{KeyInit, Mac};
use pkcs8::{DecodePrivateKey, EncodePublicKey, PrivateKeyInfoRef};
use rsa::{Pkcs1v15Sign, Pss, RsaPrivateKey};
use signature::hazmat::PrehashSigner;
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use zeroize::Zeroizing;

use crate::algorithm::{DigestAlgorithm, SignatureAlgorithm};
use crate::signer::{Signer, SignerError, check_digest_len, ecdsa_der_max_len};

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const KEY_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.1");
const SHROUDED_KEY_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
const CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
const X509_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");
const ID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");

/// Why a PKCS#12 file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum P12Error {
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    /// Not a PKCS#12 file, or a damaged one.
    #[error("not a valid PKCS#12 file: {0}")]
    Malformed(String),
    /// The password is wrong (the integrity MAC or decryption failed).
    #[error("wrong password")]
    WrongPassword,
    /// Encryption other than PBES2 (e.g. legacy RC2/3DES).
    #[error("unsupported PKCS#12 encryption {0}")]
    UnsupportedEncryption(String),
    /// No private key, or no certificate matching it.
    #[error("the file holds no private key with its certificate")]
    NoKeyPair,
    /// The key type is not supported for signing.
    #[error("unsupported key type {0}")]
    UnsupportedKey(String),
}

impl From<pkcs8::Error> for P12Error {
    fn from(e: pkcs8::Error) -> Self {
        Self::Malformed(e.to_string())
    }
}

impl From<der::Error> for P12Error {
    fn from(e: der::Error) -> Self {
        Self::Malformed(e.to_string())
    }
}

/// `ContentInfo` (RFC 5652 §3) as PKCS#12 uses it.
#[derive(Sequence)]
struct ContentInfo {
    content_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    content: Option<Any>,
}

/// `MacData` (RFC 7292 §4).
#[derive(Sequence)]
struct MacData {
    mac: DigestInfo,
    mac_salt: OctetString,
    #[asn1(default = "one")]
    iterations: u32,
}

fn one() -> u32 {
    1
}

#[derive(Sequence)]
struct DigestInfo {
    algorithm: AlgorithmIdentifierOwned,
    digest: OctetString,
}

/// `PFX` (RFC 7292 §4).
#[derive(Sequence)]
struct Pfx {
    version: u8,
    auth_safe: ContentInfo,
    mac_data: Option<MacData>,
}

/// `EncryptedData` (RFC 5652 §8).
#[derive(Sequence)]
struct EncryptedData {
    version: u8,
    encrypted_content_info: EncryptedContentInfo,
}

#[derive(Sequence)]
struct EncryptedContentInfo {
    content_type: ObjectIdentifier,
    content_encryption_algorithm: AlgorithmIdentifierOwned,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    encrypted_content: Option<OctetString>,
}

/// `SafeBag` (RFC 7292 §4.2).
#[derive(Sequence)]
struct SafeBag {
    bag_id: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    bag_value: Any,
    bag_attributes: Option<SetOfVec<Attribute>>,
}

/// `CertBag` (RFC 7292 §4.2.3).
#[derive(Sequence)]
struct CertBag {
    cert_id: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    cert_value: OctetString,
}

enum Key {
    Rsa(Box<RsaPrivateKey>),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
}

/// A signer holding a key and certificate loaded from a PKCS#12 file.
pub struct Pkcs12Signer {
    key: Key,
    cert: Certificate,
    chain: Vec<Certificate>,
    algorithm: SignatureAlgorithm,
}

impl std::fmt::Debug for Pkcs12Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs12Signer").field("algorithm", &self.algorithm).finish_non_exhaustive()
    }
}

impl Pkcs12Signer {
    /// Opens a PKCS#12 file with its password.
    pub fn open(path: &Path, password: &str) -> Result<Self, P12Error> {
        let data = Zeroizing::new(std::fs::read(path)?);
        Self::from_der(&data, password)
    }

    /// Parses a DER PKCS#12 blob.
    pub fn from_der(data: &[u8], password: &str) -> Result<Self, P12Error> {
        let pfx = Pfx::from_der(data)?;
        if pfx.version != 3 || pfx.auth_safe.content_type != ID_DATA {
            return Err(P12Error::Malformed("unexpected PFX version or content".into()));
        }
        let auth_safe = pfx
            .auth_safe
            .content
            .ok_or_else(|| P12Error::Malformed("empty authSafe".into()))?
            .decode_as::<OctetString>()?;
        if let Some(mac) = &pfx.mac_data {
            verify_mac(mac, auth_safe.as_bytes(), password)?;
        }

        let mut keys: Vec<Zeroizing<Vec<u8>>> = Vec::new();
        let mut certs: Vec<Certificate> = Vec::new();
        let infos = Vec::<ContentInfo>::from_der(auth_safe.as_bytes())?;
        for info in infos {
            let content = info.content.ok_or_else(|| P12Error::Malformed("empty content".into()))?;
            let safe_contents: Zeroizing<Vec<u8>> = match info.content_type {
                ID_DATA => Zeroizing::new(content.decode_as::<OctetString>()?.into_bytes().into_vec()),
                ID_ENCRYPTED_DATA => {
                    let ed = content.decode_as::<EncryptedData>()?;
                    let eci = ed.encrypted_content_info;
                    let ct = eci.encrypted_content.ok_or_else(|| P12Error::Malformed("no encrypted content".into()))?;
                    Zeroizing::new(decrypt(&eci.content_encryption_algorithm, ct.as_bytes(), password)?)
                }
                other => return Err(P12Error::Malformed(format!("content type {other}"))),
            };
            for bag in Vec::<SafeBag>::from_der(&safe_contents)? {
                match bag.bag_id {
                    KEY_BAG => keys.push(Zeroizing::new(bag.bag_value.to_der()?)),
                    SHROUDED_KEY_BAG => {
                        let epki_der = bag.bag_value.to_der()?;
                        let epki = pkcs8::EncryptedPrivateKeyInfoRef::try_from(epki_der.as_slice())?;
                        let alg = AlgorithmIdentifierOwned::from_der(&epki.encryption_algorithm.to_der()?)?;
                        keys.push(Zeroizing::new(decrypt(&alg, epki.encrypted_data.as_bytes(), password)?));
                    }
                    CERT_BAG => {
                        let cb = bag.bag_value.decode_as::<CertBag>()?;
                        if cb.cert_id == X509_CERTIFICATE {
                            certs.push(Certificate::from_der(cb.cert_value.as_bytes())?);
                        }
                    }
                    _ => {}
                }
            }
        }

        for key_der in &keys {
            let (key, spki) = load_key(key_der)?;
            let Some(pos) = certs.iter().position(|c| {
                c.tbs_certificate().subject_public_key_info().to_der().ok().as_deref() == Some(spki.as_slice())
            }) else {
                continue;
            };
            let cert = certs.remove(pos);
            let chain = order_chain(&cert, certs);
            let algorithm = match key {
                Key::Rsa(_) => SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha256),
                Key::P256(_) => SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha256),
                Key::P384(_) => SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha384),
            };
            return Ok(Self { key, cert, chain, algorithm });
        }
        Err(P12Error::NoKeyPair)
    }

    /// Chooses another algorithm (e.g. RSA-PSS, or SHA-384).
    pub fn with_algorithm(mut self, alg: SignatureAlgorithm) -> Result<Self, SignerError> {
        match (&self.key, alg) {
            (Key::Rsa(_), SignatureAlgorithm::RsaPkcs1v15(_) | SignatureAlgorithm::RsaPss(_))
            | (Key::P256(_) | Key::P384(_), SignatureAlgorithm::Ecdsa(_)) => {
                self.algorithm = alg;
                Ok(self)
            }
            _ => Err(SignerError::UnsupportedAlgorithm(format!("{alg:?}"))),
        }
    }
}

/// Orders the other certificates from the leaf's issuer upwards; unrelated
/// certificates are dropped.
fn order_chain(leaf: &Certificate, mut pool: Vec<Certificate>) -> Vec<Certificate> {
    let mut chain = Vec::new();
    let mut current = leaf.tbs_certificate().issuer().clone();
    while let Some(i) = pool.iter().position(|c| c.tbs_certificate().subject() == &current) {
        let c = pool.remove(i);
        let self_signed = c.tbs_certificate().subject() == c.tbs_certificate().issuer();
        current = c.tbs_certificate().issuer().clone();
        chain.push(c);
        if self_signed {
            break;
        }
    }
    chain
}

fn decrypt(alg: &AlgorithmIdentifierOwned, data: &[u8], password: &str) -> Result<Vec<u8>, P12Error> {
    let scheme = pkcs5::EncryptionScheme::from_der(&alg.to_der()?)
        .map_err(|_| P12Error::UnsupportedEncryption(alg.oid.to_string()))?;
    if !matches!(scheme, pkcs5::EncryptionScheme::Pbes2(_)) {
        return Err(P12Error::UnsupportedEncryption(alg.oid.to_string()));
    }
    scheme.decrypt(password, data).map_err(|_| P12Error::WrongPassword)
}

fn load_key(der: &[u8]) -> Result<(Key, Vec<u8>), P12Error> {
    let info = PrivateKeyInfoRef::try_from(der)?;
    let oid = info.algorithm.oid;
    let bad = |e: &dyn std::fmt::Display| P12Error::Malformed(e.to_string());
    if oid == rfc5912::RSA_ENCRYPTION {
        let k = RsaPrivateKey::from_pkcs8_der(der).map_err(|e| bad(&e))?;
        let spki = k.to_public_key().to_public_key_der().map_err(|e| bad(&e))?;
        return Ok((Key::Rsa(Box::new(k)), spki.into_vec()));
    }
    if oid == rfc5912::ID_EC_PUBLIC_KEY {
        let curve = info.algorithm.parameters.and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        match curve {
            Some(rfc5912::SECP_256_R_1) => {
                let k = p256::ecdsa::SigningKey::from_pkcs8_der(der).map_err(|e| bad(&e))?;
                let spki = k.verifying_key().to_public_key_der().map_err(|e| bad(&e))?;
                return Ok((Key::P256(k), spki.into_vec()));
            }
            Some(rfc5912::SECP_384_R_1) => {
                let k = p384::ecdsa::SigningKey::from_pkcs8_der(der).map_err(|e| bad(&e))?;
                let spki = k.verifying_key().to_public_key_der().map_err(|e| bad(&e))?;
                return Ok((Key::P384(k), spki.into_vec()));
            }
            other => {
                return Err(P12Error::UnsupportedKey(other.map_or_else(|| "EC".into(), |o| o.to_string())));
            }
        }
    }
    Err(P12Error::UnsupportedKey(oid.to_string()))
}

/// Checks the PFX integrity MAC (RFC 7292 §5, Appendix B).
fn verify_mac(mac: &MacData, content: &[u8], password: &str) -> Result<(), P12Error> {
    // Appendix B.1: the password as a NUL-terminated BMPString.
    let mut bmp = Zeroizing::new(Vec::with_capacity(password.len() * 2 + 2));
    for unit in password.encode_utf16() {
        bmp.extend_from_slice(&unit.to_be_bytes());
    }
    bmp.extend_from_slice(&[0, 0]);
    let salt = mac.mac_salt.as_bytes();
    let iterations = mac.iterations;
    let expected = mac.mac.digest.as_bytes();
    let ok = match mac.mac.algorithm.oid {
        ID_SHA1 => {
            let key = pkcs12_kdf(&bmp, salt, iterations, 20, 64, |d| <sha1::Sha1 as sha1::Digest>::digest(d).to_vec());
            let mut m =
                hmac::Hmac::<sha1::Sha1>::new_from_slice(&key).map_err(|_| P12Error::Malformed("mac key".into()))?;
            m.update(content);
            m.verify_slice(expected).is_ok()
        }
        rfc5912::ID_SHA_256 => {
            let key =
                pkcs12_kdf(&bmp, salt, iterations, 32, 64, |d| <sha2::Sha256 as sha2::Digest>::digest(d).to_vec());
            let mut m =
                hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).map_err(|_| P12Error::Malformed("mac key".into()))?;
            m.update(content);
            m.verify_slice(expected).is_ok()
        }
        other => return Err(P12Error::UnsupportedEncryption(format!("MAC {other}"))),
    };
    if ok { Ok(()) } else { Err(P12Error::WrongPassword) }
}

/// PKCS#12 key derivation, ID 3 (MAC key), RFC 7292 Appendix B.2.
/// `u` is the hash output length, `v` its block length.
fn pkcs12_kdf(
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    u: usize,
    v: usize,
    hash: impl Fn(&[u8]) -> Vec<u8>,
) -> Zeroizing<Vec<u8>> {
    let n = u; // the MAC key is as long as the hash output
    let fill = |src: &[u8]| -> Vec<u8> {
        if src.is_empty() {
            return Vec::new();
        }
        let len = v * src.len().div_ceil(v);
        src.iter().copied().cycle().take(len).collect()
    };
    let mut i_buf = Zeroizing::new(fill(salt));
    i_buf.extend_from_slice(&fill(password));
    let d = vec![3u8; v];
    let mut out = Zeroizing::new(Vec::with_capacity(n));
    while out.len() < n {
        let mut a = hash(&[d.as_slice(), i_buf.as_slice()].concat());
        for _ in 1..iterations.max(1) {
            a = hash(&a);
        }
        let b: Vec<u8> = a.iter().copied().cycle().take(v).collect();
        for block in i_buf.chunks_mut(v) {
            // I_j = (I_j + B + 1) mod 2^(8v)
            let mut carry = 1u16;
            for k in (0..v).rev() {
                let sum = u16::from(block[k]) + u16::from(b[k]) + carry;
                block[k] = sum as u8;
                carry = sum >> 8;
            }
        }
        out.extend_from_slice(&a);
    }
    out.truncate(n);
    out
}

impl Signer for Pkcs12Signer {
    fn certificate(&self) -> &Certificate {
        &self.cert
    }

    fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn max_signature_len(&self) -> usize {
        match &self.key {
            Key::Rsa(k) => rsa::traits::PublicKeyParts::size(k.as_ref()),
            Key::P256(_) => ecdsa_der_max_len(32),
            Key::P384(_) => ecdsa_der_max_len(48),
        }
    }

    fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>, SignerError> {
        check_digest_len(self.algorithm, digest)?;
        let dev = |e: &dyn std::fmt::Display| SignerError::Device(e.to_string());
        match (&self.key, self.algorithm) {
            (Key::Rsa(k), SignatureAlgorithm::RsaPkcs1v15(d)) => {
                let scheme = match d {
                    DigestAlgorithm::Sha256 => Pkcs1v15Sign::new::<sha2::Sha256>(),
                    DigestAlgorithm::Sha384 => Pkcs1v15Sign::new::<sha2::Sha384>(),
                    DigestAlgorithm::Sha512 => Pkcs1v15Sign::new::<sha2::Sha512>(),
                };
                k.sign(scheme, digest).map_err(|e| dev(&e))
            }
            (Key::Rsa(k), SignatureAlgorithm::RsaPss(d)) => {
                let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
                match d {
                    DigestAlgorithm::Sha256 => k.sign_with_rng(&mut rng, Pss::<sha2::Sha256>::new(), digest),
                    DigestAlgorithm::Sha384 => k.sign_with_rng(&mut rng, Pss::<sha2::Sha384>::new(), digest),
                    DigestAlgorithm::Sha512 => k.sign_with_rng(&mut rng, Pss::<sha2::Sha512>::new(), digest),
                }
                .map_err(|e| dev(&e))
            }
            (Key::P256(k), SignatureAlgorithm::Ecdsa(_)) => {
                let sig: p256::ecdsa::Signature = k.sign_prehash(digest).map_err(|e| dev(&e))?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            (Key::P384(k), SignatureAlgorithm::Ecdsa(_)) => {
                let sig: p384::ecdsa::Signature = k.sign_prehash(digest).map_err(|e| dev(&e))?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            (_, alg) => Err(SignerError::UnsupportedAlgorithm(format!("{alg:?}"))),
        }
    }
}
