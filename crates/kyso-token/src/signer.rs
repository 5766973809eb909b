//! Login and signing through a token (PKCS#11 v2.40 §5.6 C_Login, §5.11
//! C_Sign; mechanisms from PKCS#11 Current Mechanisms v2.40 §2.1.6 RSA
//! PKCS#1 v1.5, §2.1.10 RSA-PSS, §2.3.6 ECDSA).

use std::sync::Mutex;

use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use kyso_pki::{
    CertInfo, Certificate, DigestAlgorithm, KeyKind, SignatureAlgorithm, Signer, SignerError, ecdsa_der_max_len,
    ecdsa_raw_to_der, rsa_digest_info,
};

use crate::error::{TokenError, from_cryptoki};
use crate::module::{Module, PinState};
use crate::objects::{CertEntry, cert_public, key_objects, pair};
use crate::pin::Pin;

/// Logs the user in once. Never retries: a wrong PIN returns
/// [`TokenError::PinIncorrect`] with the token's new PIN state, because
/// real tokens lock after a few failures. A token already locked is
/// refused without trying. With a PIN pad (CKF_PROTECTED_AUTHENTICATION_PATH)
/// no PIN is sent and the reader asks for it.
pub(crate) fn login(module: &Module, session: &Session, slot: Slot, pin: Option<&Pin>) -> Result<(), TokenError> {
    let before = module.token_report(slot)?;
    if before.pin.locked {
        return Err(TokenError::PinLocked);
    }
    let res = if before.protected_authentication_path {
        session.login(UserType::User, None)
    } else {
        let pin = pin.ok_or(TokenError::PinRequired)?;
        let auth = pin.to_auth_pin();
        session.login(UserType::User, Some(&auth))
    };
    match res {
        Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(()),
        Err(CkError::Pkcs11(RvError::PinIncorrect, _)) => {
            let state =
                module.token_report(slot).map(|t| t.pin).unwrap_or(PinState { count_low: true, ..PinState::default() });
            if state.locked { Err(TokenError::PinLocked) } else { Err(TokenError::PinIncorrect { state }) }
        }
        Err(e) => Err(from_cryptoki(e)),
    }
}

/// Choices for a token signer.
#[derive(Clone, Copy, Debug, Default)]
pub struct SignerOptions {
    /// Algorithm; `None` picks the certificate's default (RSA v1.5 SHA-256,
    /// ECDSA with the curve's digest).
    pub algorithm: Option<SignatureAlgorithm>,
    /// Use the combined CKM_SHAxxx_RSA_PKCS mechanism? No: the digest is
    /// computed on the host, so CKM_RSA_PKCS over a DigestInfo is used; both
    /// give identical signatures (design-notes.md).
    pub _reserved: (),
}

/// A signer whose key stays on a token. Holds one logged-in session, so a
/// batch of documents needs one PIN entry.
pub struct Pkcs11Signer {
    session: Mutex<Session>,
    key: ObjectHandle,
    cert: Certificate,
    chain: Vec<Certificate>,
    algorithm: SignatureAlgorithm,
    max_len: usize,
    /// Kept only for keys with CKA_ALWAYS_AUTHENTICATE, which need a
    /// context-specific login before every signature. Zeroized on drop.
    context_pin: Option<Pin>,
}

impl std::fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Signer").field("algorithm", &self.algorithm).finish_non_exhaustive()
    }
}

impl Pkcs11Signer {
    /// Opens a session on the certificate's token, logs in with `pin` (once),
    /// and finds the paired private key.
    pub fn open(module: &Module, entry: &CertEntry, pin: Pin, options: SignerOptions) -> Result<Self, TokenError> {
        let slot = module
            .find_tokens(None)?
            .into_iter()
            .map(|(s, _)| s)
            .find(|s| s.id() == entry.slot_id)
            .ok_or(TokenError::TokenRemoved)?;
        let token = module.token_report(slot)?;
        if token.serial != entry.token_serial {
            return Err(TokenError::TokenRemoved);
        }
        let cert = entry.certificate().map_err(|e| TokenError::UnsupportedKey(e.to_string()))?;
        let info = CertInfo::from_certificate(&cert, std::time::SystemTime::now());
        let algorithm = match options.algorithm.or_else(|| info.default_algorithm()) {
            Some(a) => a,
            None => return Err(TokenError::UnsupportedKey(format!("{:?}", info.key))),
        };
        match (&info.key, algorithm) {
            (KeyKind::Rsa { .. }, SignatureAlgorithm::RsaPkcs1v15(_) | SignatureAlgorithm::RsaPss(_))
            | (KeyKind::Ec { .. }, SignatureAlgorithm::Ecdsa(_)) => {}
            _ => return Err(TokenError::UnsupportedKey(format!("{algorithm:?} with {:?}", info.key))),
        }
        let max_len = match &info.key {
            KeyKind::Rsa { bits } => bits.div_ceil(8),
            KeyKind::Ec { curve } if curve == "P-256" => ecdsa_der_max_len(32),
            KeyKind::Ec { curve } if curve == "P-384" => ecdsa_der_max_len(48),
            KeyKind::Ec { curve } if curve == "P-521" => ecdsa_der_max_len(66),
            other => return Err(TokenError::UnsupportedKey(format!("{other:?}"))),
        };

        let session = module.ctx.open_ro_session(slot).map_err(from_cryptoki)?;
        login(module, &session, slot, Some(&pin))?;
        let keys = key_objects(&session, ObjectClass::PRIVATE_KEY)?;
        let id = hex::decode(&entry.id).unwrap_or_default();
        let public = cert_public(&cert);
        let (key, _) = pair(&id, public.as_deref(), &keys).ok_or(TokenError::KeyNotFound)?;
        let key = key.handle;
        let always_auth = session
            .get_attributes(key, &[AttributeType::AlwaysAuthenticate])
            .ok()
            .is_some_and(|a| a.iter().any(|x| matches!(x, Attribute::AlwaysAuthenticate(true))));

        let chain = chain_from_token(&session, &cert);
        Ok(Self {
            session: Mutex::new(session),
            key,
            cert,
            chain,
            algorithm,
            max_len,
            context_pin: always_auth.then_some(pin),
        })
    }

    /// Whether every signature needs the PIN again (CKA_ALWAYS_AUTHENTICATE).
    pub fn always_authenticate(&self) -> bool {
        self.context_pin.is_some()
    }
}

/// Issuer certificates stored on the token (VGCA tokens often carry the CA
/// certificate), nearest first.
fn chain_from_token(session: &Session, leaf: &Certificate) -> Vec<Certificate> {
    use der::Decode;
    let mut pool: Vec<Certificate> = session
        .find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE)])
        .unwrap_or_default()
        .into_iter()
        .filter_map(|h| session.get_attributes(h, &[AttributeType::Value]).ok())
        .filter_map(|a| {
            a.into_iter().find_map(|x| match x {
                Attribute::Value(v) => Certificate::from_der(&v).ok(),
                _ => None,
            })
        })
        .collect();
    let mut chain = Vec::new();
    let mut current = leaf.tbs_certificate().issuer().clone();
    while let Some(i) = pool.iter().position(|c| c.tbs_certificate().subject() == &current && c != leaf) {
        let c = pool.remove(i);
        let done = c.tbs_certificate().subject() == c.tbs_certificate().issuer();
        current = c.tbs_certificate().issuer().clone();
        chain.push(c);
        if done {
            break;
        }
    }
    chain
}

/// PSS parameters: MGF1 with the same digest, salt as long as the digest
/// (RFC 8017 §9.1 recommendation; what RSASSA-PSS-params will announce).
fn pss_params(d: DigestAlgorithm) -> PkcsPssParams {
    let (hash_alg, mgf) = match d {
        DigestAlgorithm::Sha256 => (MechanismType::SHA256, PkcsMgfType::MGF1_SHA256),
        DigestAlgorithm::Sha384 => (MechanismType::SHA384, PkcsMgfType::MGF1_SHA384),
        DigestAlgorithm::Sha512 => (MechanismType::SHA512, PkcsMgfType::MGF1_SHA512),
    };
    PkcsPssParams { hash_alg, mgf, s_len: (d.output_len() as u64).into() }
}

fn signer_error(e: CkError) -> SignerError {
    match from_cryptoki(e) {
        TokenError::TokenRemoved => SignerError::TokenRemoved,
        other => SignerError::Device(other.to_string()),
    }
}

impl Signer for Pkcs11Signer {
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
        self.max_len
    }

    fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>, SignerError> {
        let expected = self.algorithm.digest().output_len();
        if digest.len() != expected {
            return Err(SignerError::DigestLength { expected, got: digest.len() });
        }
        if self.context_pin.is_some() {
            // Re-authentication must sit between C_SignInit and C_Sign, and
            // the raw mechanisms are single-part only: such keys sign the
            // message with a combined mechanism (see `sign_message`).
            return Err(SignerError::UnsupportedAlgorithm(
                "a digest with a CKA_ALWAYS_AUTHENTICATE key (sign the message instead)".into(),
            ));
        }
        let session = self.session.lock().map_err(|_| SignerError::Device("poisoned session".into()))?;
        match self.algorithm {
            SignatureAlgorithm::RsaPkcs1v15(d) => {
                let di = rsa_digest_info(d, digest)?;
                session.sign(&Mechanism::RsaPkcs, self.key, &di).map_err(signer_error)
            }
            SignatureAlgorithm::RsaPss(d) => {
                let params = pss_params(d);
                session.sign(&Mechanism::RsaPkcsPss(params), self.key, digest).map_err(signer_error)
            }
            SignatureAlgorithm::Ecdsa(_) => {
                // SoftHSM and many tokens lack ECDSA-with-hash: hash on the
                // host, CKM_ECDSA returns r‖s, CMS wants DER.
                let raw = session.sign(&Mechanism::Ecdsa, self.key, digest).map_err(signer_error)?;
                Ok(ecdsa_raw_to_der(&raw)?)
            }
        }
    }

    fn sign_message(&self, message: &[u8]) -> Result<Vec<u8>, SignerError> {
        let Some(pin) = &self.context_pin else {
            let digest = self.algorithm.digest().digest(message);
            return self.sign_digest(&digest);
        };
        // CKA_ALWAYS_AUTHENTICATE (PKCS#11 v2.40 §4.9, §5.6): C_SignInit, one
        // context-specific C_Login (never retried), then the data, with a
        // multi-part combined mechanism.
        let session = self.session.lock().map_err(|_| SignerError::Device("poisoned session".into()))?;
        let mech = match self.algorithm {
            SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha256) => Mechanism::Sha256RsaPkcs,
            SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha384) => Mechanism::Sha384RsaPkcs,
            SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha512) => Mechanism::Sha512RsaPkcs,
            SignatureAlgorithm::RsaPss(d @ DigestAlgorithm::Sha256) => Mechanism::Sha256RsaPkcsPss(pss_params(d)),
            SignatureAlgorithm::RsaPss(d @ DigestAlgorithm::Sha384) => Mechanism::Sha384RsaPkcsPss(pss_params(d)),
            SignatureAlgorithm::RsaPss(d @ DigestAlgorithm::Sha512) => Mechanism::Sha512RsaPkcsPss(pss_params(d)),
            SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha256) => Mechanism::EcdsaSha256,
            SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha384) => Mechanism::EcdsaSha384,
            SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha512) => Mechanism::EcdsaSha512,
        };
        session.sign_init(&mech, self.key).map_err(signer_error)?;
        session
            .login(UserType::ContextSpecific, Some(&pin.to_auth_pin()))
            .map_err(|_| SignerError::ContextLoginFailed)?;
        session.sign_update(message).map_err(signer_error)?;
        let sig = session.sign_final().map_err(signer_error)?;
        match self.algorithm {
            SignatureAlgorithm::Ecdsa(_) => Ok(ecdsa_raw_to_der(&sig)?),
            _ => Ok(sig),
        }
    }
}
