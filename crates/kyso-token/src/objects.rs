//! Certificates on a token and the private keys they pair with
//! (PKCS#11 v2.40 §4.6 certificate objects, §4.9 private keys).
//!
//! Pairing follows what tokens do in practice: the same `CKA_ID` on the
//! certificate and the key (VGCA tokens use 4-byte IDs); when the IDs
//! differ, the key whose public half equals the certificate's.

use std::time::SystemTime;

use cryptoki::object::{Attribute, AttributeType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use cryptoki::slot::Slot;
use der::{Decode, Encode};
use kyso_pki::{CertInfo, Certificate};
use serde::Serialize;

use crate::error::{TokenError, from_cryptoki};
use crate::module::Module;
use crate::pin::Pin;
use crate::signer::login;

/// How a certificate was paired with its key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyMatch {
    /// Same CKA_ID.
    Id,
    /// Same public key (IDs differ).
    PublicKey,
}

/// What object showed the key exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyEvidence {
    /// The private key object itself (visible after login, or public).
    PrivateKey,
    /// Only the public key object of the pair (private keys are hidden
    /// until login on most tokens).
    PublicKeyObject,
}

/// A certificate found on a token.
#[derive(Clone, Debug, Serialize)]
pub struct CertEntry {
    /// Module the token is in.
    pub module: std::path::PathBuf,
    /// Slot id.
    pub slot_id: u64,
    /// Token label.
    pub token_label: String,
    /// Token serial.
    pub token_serial: String,
    /// CKA_ID, hex.
    pub id: String,
    /// CKA_LABEL.
    pub label: String,
    /// Parsed facts.
    pub certificate: CertInfo,
    /// Whether a private key pairs with it.
    pub has_private_key: bool,
    /// How it was paired.
    pub key_match: Option<KeyMatch>,
    /// What showed the key.
    pub key_evidence: Option<KeyEvidence>,
    /// The DER certificate.
    #[serde(skip)]
    pub der: Vec<u8>,
}

impl CertEntry {
    /// Decodes the certificate.
    pub fn certificate(&self) -> Result<Certificate, der::Error> {
        Certificate::from_der(&self.der)
    }
}

pub(crate) struct KeyObject {
    pub handle: ObjectHandle,
    pub id: Vec<u8>,
    /// RSA modulus or EC point (raw), when readable.
    pub public: Option<Vec<u8>>,
}

fn find(session: &Session, class: ObjectClass) -> Result<Vec<ObjectHandle>, TokenError> {
    session.find_objects(&[Attribute::Class(class)]).map_err(from_cryptoki)
}

fn attr_bytes(attrs: &[Attribute], want: AttributeType) -> Option<Vec<u8>> {
    attrs.iter().find_map(|a| match (a, want) {
        (Attribute::Id(v), AttributeType::Id)
        | (Attribute::Label(v), AttributeType::Label)
        | (Attribute::Value(v), AttributeType::Value)
        | (Attribute::Modulus(v), AttributeType::Modulus)
        | (Attribute::EcPoint(v), AttributeType::EcPoint) => Some(v.clone()),
        _ => None,
    })
}

/// Strips leading zero bytes (modulus comparisons).
fn trim(v: &[u8]) -> &[u8] {
    let i = v.iter().position(|b| *b != 0).unwrap_or(v.len());
    &v[i..]
}

/// An EC point as PKCS#11 returns it: usually DER OCTET STRING, sometimes raw.
fn unwrap_ec_point(v: &[u8]) -> Vec<u8> {
    der::asn1::OctetString::from_der(v).map(|o| o.as_bytes().to_vec()).unwrap_or_else(|_| v.to_vec())
}

pub(crate) fn key_objects(session: &Session, class: ObjectClass) -> Result<Vec<KeyObject>, TokenError> {
    let mut out = Vec::new();
    for handle in find(session, class)? {
        let id = session
            .get_attributes(handle, &[AttributeType::Id])
            .ok()
            .and_then(|a| attr_bytes(&a, AttributeType::Id))
            .unwrap_or_default();
        // Not every key type has both attributes; ask one at a time.
        let modulus = session
            .get_attributes(handle, &[AttributeType::Modulus])
            .ok()
            .and_then(|a| attr_bytes(&a, AttributeType::Modulus))
            .map(|m| trim(&m).to_vec());
        let public = modulus.or_else(|| {
            session
                .get_attributes(handle, &[AttributeType::EcPoint])
                .ok()
                .and_then(|a| attr_bytes(&a, AttributeType::EcPoint))
                .map(|p| unwrap_ec_point(&p))
        });
        out.push(KeyObject { handle, id, public });
    }
    Ok(out)
}

/// The public key material of a certificate as PKCS#11 exposes it: the RSA
/// modulus without leading zeros, or the uncompressed EC point.
pub(crate) fn cert_public(cert: &Certificate) -> Option<Vec<u8>> {
    let spki = cert.tbs_certificate().subject_public_key_info();
    let bits = spki.subject_public_key.as_bytes()?;
    if spki.algorithm.oid == const_oid::db::rfc5912::RSA_ENCRYPTION {
        let der = spki.to_der().ok()?;
        let k = <rsa::RsaPublicKey as rsa::pkcs8::DecodePublicKey>::from_public_key_der(&der).ok()?;
        return Some(trim(&rsa::traits::PublicKeyParts::n(&k).to_be_bytes()).to_vec());
    }
    Some(bits.to_vec())
}

/// Finds the private key for a certificate: same ID first, then same public key.
pub(crate) fn pair<'a>(
    cert_id: &[u8],
    cert_public: Option<&[u8]>,
    keys: &'a [KeyObject],
) -> Option<(&'a KeyObject, KeyMatch)> {
    if !cert_id.is_empty()
        && let Some(k) = keys.iter().find(|k| k.id == cert_id)
    {
        return Some((k, KeyMatch::Id));
    }
    let cp = cert_public?;
    keys.iter().find(|k| k.public.as_deref() == Some(cp)).map(|k| (k, KeyMatch::PublicKey))
}

/// Lists the certificates of the token in `slot`. With a PIN, logs in first
/// so that private keys are visible; without, pairing relies on public key
/// objects. A wrong PIN is returned at once (never retried).
pub fn list_certificates(module: &Module, slot: Slot, pin: Option<&Pin>) -> Result<Vec<CertEntry>, TokenError> {
    let token = module.token_report(slot)?;
    let session = module.ctx.open_ro_session(slot).map_err(from_cryptoki)?;
    if let Some(pin) = pin {
        login(module, &session, slot, Some(pin))?;
    }
    let privs = key_objects(&session, ObjectClass::PRIVATE_KEY)?;
    let pubs = key_objects(&session, ObjectClass::PUBLIC_KEY)?;
    let now = SystemTime::now();
    let mut out = Vec::new();
    for handle in find(&session, ObjectClass::CERTIFICATE)? {
        let attrs = session
            .get_attributes(handle, &[AttributeType::Value, AttributeType::Id, AttributeType::Label])
            .map_err(from_cryptoki)?;
        let Some(der) = attr_bytes(&attrs, AttributeType::Value) else { continue };
        let Ok(cert) = Certificate::from_der(&der) else { continue };
        let id = attr_bytes(&attrs, AttributeType::Id).unwrap_or_default();
        let label = attr_bytes(&attrs, AttributeType::Label)
            .map(|l| String::from_utf8_lossy(&l).into_owned())
            .unwrap_or_default();
        let public = cert_public(&cert);
        let (has_key, key_match, evidence) = match pair(&id, public.as_deref(), &privs) {
            Some((_, m)) => (true, Some(m), Some(KeyEvidence::PrivateKey)),
            None => match pair(&id, public.as_deref(), &pubs) {
                // A public key object of a pair stands for the hidden private
                // key only while we are not logged in.
                Some((_, m)) if pin.is_none() => (true, Some(m), Some(KeyEvidence::PublicKeyObject)),
                _ => (false, None, None),
            },
        };
        out.push(CertEntry {
            module: module.path().to_owned(),
            slot_id: slot.id(),
            token_label: token.label.clone(),
            token_serial: token.serial.clone(),
            id: hex::encode(&id),
            label,
            certificate: CertInfo::from_certificate(&cert, now),
            has_private_key: has_key,
            key_match,
            key_evidence: evidence,
            der,
        });
    }
    if pin.is_some() {
        let _ = session.logout();
    }
    out.sort_by(|a, b| b.has_private_key.cmp(&a.has_private_key).then(a.id.cmp(&b.id)));
    Ok(out)
}
