//! Test support shared by the time and identity tests of kyso-pki,
//! kyso-pdf and kyso-ooxml (included with `#[path]`): RFC 3161 timestamp
//! tokens made in the test with a fixture TSA's key (its PKCS#12 from
//! `tests/fixtures/make-pki.sh`) for a chosen time and imprint — what a TSA
//! with another clock, an untrusted TSA or a forger produces — and the
//! rewriting of a CMS SignedData an attacker can do without the signer's
//! key (unsigned attributes, the certificate set).
#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;
use std::time::SystemTime;

use kyso_pki::der::Encode;
use kyso_pki::der::asn1::ObjectIdentifier;
use kyso_pki::{DigestAlgorithm, Pkcs12Signer, Signer};

const ID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const ID_CT_TSTINFO: &str = "1.2.840.113549.1.9.16.1.4";
const ID_CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
const ID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
const ID_SIGNING_CERT_V2: &str = "1.2.840.113549.1.9.16.2.47";
const ID_TIMESTAMP_TOKEN: &str = "1.2.840.113549.1.9.16.2.14";

/// A DER element: tag, definite length, content.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n.to_be_bytes().iter().copied().skip_while(|b| *b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn oid(dotted: &str) -> Vec<u8> {
    ObjectIdentifier::new_unwrap(dotted).to_der().unwrap()
}

fn uint(v: &[u8]) -> Vec<u8> {
    let v: Vec<u8> = v.iter().copied().skip_while(|b| *b == 0).collect();
    let mut c = if v.first().is_none_or(|b| *b & 0x80 != 0) { vec![0] } else { Vec::new() };
    c.extend(v);
    tlv(0x02, &c)
}

fn generalized(t: SystemTime) -> Vec<u8> {
    let secs = t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs() as i64;
    let d = time::OffsetDateTime::from_unix_timestamp(secs).unwrap();
    let s = format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}Z",
        d.year(),
        u8::from(d.month()),
        d.day(),
        d.hour(),
        d.minute(),
        d.second()
    );
    tlv(0x18, s.as_bytes())
}

/// A DER SET OF, its elements sorted (X.690 §11.6).
fn set_of(mut items: Vec<Vec<u8>>) -> Vec<u8> {
    items.sort();
    tlv(0x31, &items.concat())
}

fn attribute(oid_s: &str, value: &[u8]) -> Vec<u8> {
    tlv(0x30, &cat(&[&oid(oid_s), &tlv(0x31, value)]))
}

/// What the token says and how it is made.
pub struct Token<'a> {
    /// The TSA's PKCS#12 (password `kyso-p12`).
    pub p12: &'a Path,
    /// SHA-256 message imprint.
    pub imprint: Vec<u8>,
    /// genTime.
    pub time: SystemTime,
    /// Include the ESS signing-certificate-v2 attribute (RFC 5816).
    pub ess: bool,
}

/// A TimeStampToken (RFC 3161 §2.4.2): SignedData over a TSTInfo, signed
/// by the TSA of `spec.p12`, its certificate and chain included.
pub fn make_token(spec: &Token<'_>) -> Vec<u8> {
    let signer = Pkcs12Signer::open(spec.p12, "kyso-p12").unwrap();
    let sha256 = DigestAlgorithm::Sha256.algorithm_identifier().to_der().unwrap();
    let serial = spec.time.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_nanos().to_be_bytes();
    let tst = tlv(
        0x30,
        &cat(&[
            &uint(&[1]),
            &oid("1.3.6.1.4.1.99999.2.1"),
            &tlv(0x30, &cat(&[&sha256, &tlv(0x04, &spec.imprint)])),
            &uint(&serial),
            &generalized(spec.time),
            // accuracy: 1 second
            &tlv(0x30, &uint(&[1])),
        ]),
    );
    let cert = signer.certificate();
    let cert_der = cert.to_der().unwrap();
    let mut attrs = vec![
        attribute(ID_CONTENT_TYPE, &oid(ID_CT_TSTINFO)),
        attribute(ID_MESSAGE_DIGEST, &tlv(0x04, &DigestAlgorithm::Sha256.digest(&tst))),
    ];
    if spec.ess {
        // SigningCertificateV2 { certs SEQUENCE OF ESSCertIDv2 { certHash } } (SHA-256 default).
        let id = tlv(0x30, &tlv(0x04, &DigestAlgorithm::Sha256.digest(&cert_der)));
        attrs.push(attribute(ID_SIGNING_CERT_V2, &tlv(0x30, &tlv(0x30, &id))));
    }
    let signed = set_of(attrs);
    let signature = signer.sign_message(&signed).unwrap();
    let mut signed_implicit = signed.clone();
    signed_implicit[0] = 0xa0;
    let tbs = cert.tbs_certificate();
    let sid = tlv(0x30, &cat(&[&tbs.issuer().to_der().unwrap(), &tbs.serial_number().to_der().unwrap()]));
    let sig_alg = signer.algorithm().cms_algorithm_identifier().unwrap().to_der().unwrap();
    let signer_info =
        tlv(0x30, &cat(&[&uint(&[1]), &sid, &sha256, &signed_implicit, &sig_alg, &tlv(0x04, &signature)]));
    let mut certs = cert_der.clone();
    for c in signer.chain() {
        certs.extend(c.to_der().unwrap());
    }
    let eci = tlv(0x30, &cat(&[&oid(ID_CT_TSTINFO), &tlv(0xa0, &tlv(0x04, &tst))]));
    let sd = tlv(0x30, &cat(&[&uint(&[3]), &tlv(0x31, &sha256), &eci, &tlv(0xa0, &certs), &tlv(0x31, &signer_info)]));
    tlv(0x30, &cat(&[&oid(ID_SIGNED_DATA), &tlv(0xa0, &sd)]))
}

/// One DER element at the start of `buf`: (tag, whole element, content).
pub fn element(buf: &[u8]) -> (u8, &[u8], &[u8]) {
    let tag = buf[0];
    let (len, hdr) = match buf[1] {
        n if n < 0x80 => (n as usize, 2),
        n => {
            let k = (n & 0x7f) as usize;
            (buf[2..2 + k].iter().fold(0usize, |a, b| (a << 8) | *b as usize), 2 + k)
        }
    };
    (tag, &buf[..hdr + len], &buf[hdr..hdr + len])
}

/// The elements of a constructed content.
pub fn children(mut content: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let (_, whole, _) = element(content);
        out.push(whole);
        content = &content[whole.len()..];
    }
    out
}

/// What an attacker changes in a CMS SignedData without the signer's key.
#[derive(Default)]
pub struct Rewrite<'a> {
    /// Replace (or add) the signature timestamp token (unsigned attribute).
    pub timestamp: Option<&'a [u8]>,
    /// Certificates (DER) put first in the certificate set.
    pub prepend_certs: Vec<Vec<u8>>,
    /// Drop every certificate of the set whose DER is one of these.
    pub drop_certs: Vec<Vec<u8>>,
}

/// `cms` (a DER ContentInfo, possibly zero-padded) with `rw` applied.
pub fn rewrite_cms(cms: &[u8], rw: &Rewrite<'_>) -> Vec<u8> {
    let (_, _, ci) = element(cms);
    let ci = children(ci);
    let (_, _, explicit) = element(ci[1]);
    let (_, _, sd) = element(explicit);
    let parts = children(sd);
    let mut out_parts: Vec<Vec<u8>> = Vec::new();
    for p in &parts {
        match p[0] {
            0xa0 => {
                let (_, _, content) = element(p);
                let mut certs: Vec<u8> = rw.prepend_certs.concat();
                for c in children(content) {
                    if !rw.drop_certs.iter().any(|d| d.as_slice() == c) {
                        certs.extend_from_slice(c);
                    }
                }
                out_parts.push(tlv(0xa0, &certs));
            }
            0x31 if out_parts.len() >= 3 => {
                let (_, _, infos) = element(p);
                let si = children(infos)[0];
                let (_, _, si_content) = element(si);
                let mut fields: Vec<Vec<u8>> =
                    children(si_content).into_iter().filter(|f| f[0] != 0xa1).map(<[u8]>::to_vec).collect();
                let old_unsigned = children(si_content).into_iter().find(|f| f[0] == 0xa1).map(<[u8]>::to_vec);
                let mut unsigned: Vec<Vec<u8>> = match &old_unsigned {
                    Some(u) => children(element(u).2).into_iter().map(<[u8]>::to_vec).collect(),
                    None => Vec::new(),
                };
                if let Some(tok) = rw.timestamp {
                    let ts_oid = oid(ID_TIMESTAMP_TOKEN);
                    unsigned.retain(|a| !children(element(a).2)[0].starts_with(&ts_oid));
                    unsigned.push(attribute(ID_TIMESTAMP_TOKEN, tok));
                }
                if !unsigned.is_empty() {
                    fields.push(tlv(0xa1, &unsigned.concat()));
                }
                out_parts.push(tlv(0x31, &tlv(0x30, &fields.concat())));
            }
            _ => out_parts.push(p.to_vec()),
        }
    }
    let sd = tlv(0x30, &out_parts.concat());
    tlv(0x30, &cat(&[ci[0], &tlv(0xa0, &sd)]))
}

/// The signature value (OCTET STRING content) of the one SignerInfo.
pub fn signature_value(cms: &[u8]) -> Vec<u8> {
    kyso_pki::parse_cms(cms).unwrap().signature_value().to_vec()
}
