//! Whether a certificate belongs to an organisation or to a person, read
//! from its subject name (RFC 5280 §4.1.2.6).
//!
//! Nghị định 30/2020/NĐ-CP gives each signature a kind of certificate: the
//! competent person signs with their own (Art. 32(2)(c)), the clerk signs
//! with the organisation's, as do appendices and copies (Art. 32(2)(c–d),
//! Art. 33; `../shared/docs/vietnam-rules.md`). No certificate extension
//! says which kind a Vietnamese certificate is, so the subject is read the
//! way the CAs write it:
//!
//! - a person's identity document number in `UID` (`CMND:`, `CCCD:`,
//!   `HC:` passport), as Vietnamese CAs issue personal certificates — the
//!   fixture's `canhan` (`UID=CMND:…`, `tests/fixtures/make-pki.sh`) is
//!   shaped after them;
//! - an organisation's code in `UID` (`MST:` tax code of 10 digits or
//!   10+3 for a branch, `MNS:` budget-relation code of state bodies,
//!   `QĐ:`/`GP:` founding decision or licence), as in organisation
//!   certificates — the fixture's `tochuc` (`UID=MST:…`);
//! - a common name that is an agency's name (`Ủy ban nhân dân …`, `Sở …`,
//!   `Bộ …`, `Văn phòng …`: the names NĐ 30/2020 Phụ lục I puts at the
//!   head of a document), as the VGCA names organisation certificates
//!   (the fixture's `tochuc`: `CN=Sở Thông tin và Truyền thông …`);
//! - a `title` (2.5.4.12) is a person's position;
//! - ETSI EN 319 412-1 §5.1.3 / EN 319 412-2 §4.2.4 and EN 319 412-3
//!   §4.2.1: `givenName`/`surname`/`pseudonym`, or a `serialNumber` with a
//!   natural-person semantics prefix (`PAS`, `IDC`, `PNO`), name a person;
//!   an `organizationIdentifier` (2.5.4.97), or a `serialNumber` with a
//!   legal-person prefix (`VAT`, `NTR`, `PSD`, `LEI`, §5.1.4), names a
//!   legal person.
//!
//! The verdict is conservative: contradicting or missing signs give
//! [`CertKind::Unknown`]. A person's certificate inside an organisation
//! often carries the organisation's tax code next to the person's identity
//! number (`UID=CMND:… + UID=MST:…`): the identity number wins.

use const_oid::ObjectIdentifier;
use serde::Serialize;
use x509_cert::Certificate;
use x509_cert::name::Name;

/// The kind of a signing certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CertKind {
    /// An organisation's certificate (the seal's signature).
    Organization,
    /// A person's certificate.
    Personal,
    /// Not decidable from the subject.
    Unknown,
}

impl CertKind {
    /// Its name in JSON and the journal: `organization`, `personal`,
    /// `unknown`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Organization => "organization",
            Self::Personal => "personal",
            Self::Unknown => "unknown",
        }
    }
}

/// A sign read from the subject.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "signal", content = "value", rename_all = "snake_case")]
pub enum KindSignal {
    /// A person's identity number in `UID` (its prefix: CMND, CCCD, HC).
    PersonalId(String),
    /// An organisation's code in `UID` (its prefix: MST, MNS, QĐ, GP).
    OrganizationId(String),
    /// A `title` attribute (a person's position).
    Title,
    /// `givenName`, `surname` or `pseudonym` (ETSI EN 319 412-2 §4.2.4).
    PersonName,
    /// A natural person's `serialNumber` (ETSI EN 319 412-1 §5.1.3).
    NaturalPersonSerial,
    /// An `organizationIdentifier` (ETSI EN 319 412-1 §5.1.4).
    OrganizationIdentifier,
    /// A `serialNumber` with a legal person's semantics (`VAT`, `NTR`,
    /// `PSD`, `LEI`: ETSI EN 319 412-1 §5.1.4), as some seal certificates
    /// carry it.
    LegalPersonSerial,
    /// The common name is an agency's name.
    AgencyName,
}

/// The kind and what it was decided on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Classification {
    /// The verdict.
    pub kind: CertKind,
    /// Every sign found, in subject order.
    pub signals: Vec<KindSignal>,
}

const UID: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.9.2342.19200300.100.1.1");
const CN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const TITLE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.12");
const SURNAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.4");
const GIVEN_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.42");
const PSEUDONYM: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.65");
const SERIAL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");
const ORGANIZATION_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.97");

/// `UID` prefixes of a person's identity documents: chứng minh nhân dân,
/// căn cước công dân, hộ chiếu.
const PERSONAL_PREFIXES: &[&str] = &["cmnd", "cmt", "cmtnd", "cccd", "cc", "hc"];

/// `UID` prefixes of an organisation's codes: mã số thuế, mã quan hệ ngân
/// sách, quyết định thành lập, giấy phép.
const ORGANIZATION_PREFIXES: &[&str] = &["mst", "mns", "qđ", "qd", "gp"];

/// First words of Vietnamese agency and organisation names (lower case).
/// None of them begins a Vietnamese personal name.
const AGENCY_HEADS: &[&str] = &[
    "ủy ban",
    "ubnd",
    "hội đồng nhân dân",
    "hđnd",
    "văn phòng",
    "sở",
    "bộ",
    "cục",
    "tổng cục",
    "chi cục",
    "vụ",
    "ban",
    "phòng",
    "trung tâm",
    "viện",
    "học viện",
    "trường",
    "đại học",
    "bệnh viện",
    "kho bạc",
    "công an",
    "tòa án",
    "viện kiểm sát",
    "thanh tra",
    "đảng ủy",
    "tỉnh ủy",
    "thành ủy",
    "huyện ủy",
    "quận ủy",
    "thị ủy",
    "mặt trận",
    "liên đoàn",
    "công ty",
    "tập đoàn",
    "ngân hàng",
    "chi nhánh",
    "cơ quan",
    "chính phủ",
    "quốc hội",
    "bảo hiểm xã hội",
];

/// Lower case, with the two spellings of the tone marks on `uy`/`oa` made
/// one (`uỷ`/`ủy`, `toà`/`tòa`: both are in use).
fn fold(s: &str) -> String {
    s.trim()
        .to_lowercase()
        .replace("uỷ", "ủy")
        .replace("uý", "úy")
        .replace("oà", "òa")
        .replace("oá", "óa")
        .replace("oả", "ỏa")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a common name is an agency's name.
pub fn is_agency_name(cn: &str) -> bool {
    let cn = fold(cn);
    AGENCY_HEADS.iter().any(|h| cn == *h || cn.strip_prefix(h).is_some_and(|rest| rest.starts_with(' ')))
}

/// The prefix of a `UID` value such as `CMND:001085012345` (lower case).
fn uid_prefix(value: &str) -> Option<String> {
    let (prefix, number) = value.split_once(':')?;
    let number = number.trim();
    (!number.is_empty()).then(|| fold(prefix))
}

/// The digits of a code, without separators.
fn digits(value: &str) -> usize {
    value.split_once(':').map_or(0, |(_, n)| n.chars().filter(char::is_ascii_digit).count())
}

/// Classifies a subject name.
pub fn classify_name(name: &Name) -> Classification {
    let mut signals = Vec::new();
    for atv in name.iter() {
        let text = crate::cert::attribute_text(&atv.value);
        match atv.oid {
            UID => {
                let Some(prefix) = uid_prefix(&text) else { continue };
                if PERSONAL_PREFIXES.contains(&prefix.as_str()) {
                    signals.push(KindSignal::PersonalId(prefix.to_uppercase()));
                } else if ORGANIZATION_PREFIXES.contains(&prefix.as_str()) {
                    // A 12-digit tax code is a person's (the citizen
                    // identity number serves as personal tax code since
                    // Thông tư 86/2024/TT-BTC): not an organisation's sign.
                    if prefix == "mst" && digits(&text) == 12 {
                        continue;
                    }
                    signals.push(KindSignal::OrganizationId(prefix.to_uppercase()));
                }
            }
            CN if is_agency_name(&text) => signals.push(KindSignal::AgencyName),
            TITLE if !text.trim().is_empty() => signals.push(KindSignal::Title),
            SURNAME | GIVEN_NAME | PSEUDONYM => signals.push(KindSignal::PersonName),
            SERIAL_NUMBER => {
                // ETSI EN 319 412-1 §5.1.3 (natural person) and §5.1.4
                // (legal person): three letters of type, two of country,
                // a hyphen, the number ("PNOVN-001085012345").
                let upper = text.trim().to_uppercase();
                let semantics = |types: &[&str]| {
                    upper.get(..3).is_some_and(|t| types.contains(&t))
                        && upper.get(3..5).is_some_and(|c| c.bytes().all(|b| b.is_ascii_uppercase()))
                        && upper.as_bytes().get(5) == Some(&b'-')
                        && upper.len() > 6
                };
                if semantics(&["PAS", "IDC", "PNO"]) {
                    signals.push(KindSignal::NaturalPersonSerial);
                } else if semantics(&["VAT", "NTR", "PSD", "LEI"]) {
                    signals.push(KindSignal::LegalPersonSerial);
                }
            }
            ORGANIZATION_IDENTIFIER => signals.push(KindSignal::OrganizationIdentifier),
            _ => {}
        }
    }
    Classification { kind: decide(&signals), signals }
}

/// The verdict from the signs. Strong signs (an identity number, a natural
/// person's serial or name attributes; an agency name, an
/// organizationIdentifier) decide unless they contradict each other; weak
/// ones (a title; an organisation's code) decide only alone. A person's
/// identity number next to an organisation's code is a person working
/// there.
fn decide(signals: &[KindSignal]) -> CertKind {
    use KindSignal as S;
    let has = |f: fn(&KindSignal) -> bool| signals.iter().any(f);
    let strong_person = has(|s| matches!(s, S::PersonalId(_) | S::NaturalPersonSerial | S::PersonName));
    let strong_org = has(|s| matches!(s, S::AgencyName | S::OrganizationIdentifier | S::LegalPersonSerial));
    let weak_person = has(|s| matches!(s, S::Title));
    let weak_org = has(|s| matches!(s, S::OrganizationId(_)));
    match (strong_person, strong_org) {
        (true, true) => CertKind::Unknown,
        (true, false) => CertKind::Personal,
        (false, true) if weak_person => CertKind::Unknown,
        (false, true) => CertKind::Organization,
        (false, false) => match (weak_person, weak_org) {
            (true, false) => CertKind::Personal,
            (false, true) => CertKind::Organization,
            _ => CertKind::Unknown,
        },
    }
}

/// Classifies a certificate by its subject.
pub fn classify(cert: &Certificate) -> Classification {
    classify_name(cert.tbs_certificate().subject())
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::{Decode, Encode};

    /// DER of a TLV.
    fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = der::Length::try_from(body.len()).expect("length");
        out.extend(len.to_der().expect("length DER"));
        out.extend_from_slice(body);
        out
    }

    /// A name of `TYPE=value` attributes (an OID in dotted form, or CN,
    /// UID, C), one per RDN, most specific first; values are UTF8String.
    fn kind(dn: &str) -> CertKind {
        let mut rdns = Vec::new();
        for part in dn.split(',').filter(|p| !p.is_empty()).rev() {
            let (t, v) = part.split_once('=').expect("TYPE=value");
            let oid = match t {
                "CN" => CN,
                "UID" => UID,
                "C" => ObjectIdentifier::new_unwrap("2.5.4.6"),
                "O" => ObjectIdentifier::new_unwrap("2.5.4.10"),
                other => ObjectIdentifier::new(other).expect("an OID"),
            };
            let atv = [oid.to_der().expect("OID"), tlv(0x0c, v.as_bytes())].concat();
            rdns.extend(tlv(0x31, &tlv(0x30, &atv)));
        }
        let name = Name::from_der(&tlv(0x30, &rdns)).expect("a name");
        classify_name(&name).kind
    }

    #[test]
    fn identity_numbers_and_agency_names_decide() {
        assert_eq!(kind("CN=Nguyen Van A,UID=CMND:001085012345,C=VN"), CertKind::Personal);
        assert_eq!(kind("CN=Nguyen Van A,UID=CCCD:001085012345,UID=MST:0301824642,C=VN"), CertKind::Personal);
        assert_eq!(kind("CN=Cong ty ABC,UID=MST:0301824642,C=VN"), CertKind::Organization);
        assert_eq!(kind("CN=Nguyen Van A,UID=MST:001085012345,C=VN"), CertKind::Unknown);
        assert_eq!(kind("CN=Nguyen Van A,2.5.4.12=Pho Giam doc,C=VN"), CertKind::Personal);
        assert_eq!(kind("CN=Nguyen Van A,O=Bo Noi vu,C=VN"), CertKind::Unknown);
        assert_eq!(kind("CN=Nguyen Van A,2.5.4.5=PNOVN-001085012345,C=VN"), CertKind::Personal);
        assert_eq!(kind("CN=Some Body,2.5.4.5=12345,C=VN"), CertKind::Unknown);
        assert_eq!(kind("CN=Seal,2.5.4.5=NTRSK-36061701,C=SK"), CertKind::Organization);
        assert_eq!(kind("CN=Van thu,2.5.4.97=VATVN-0301824642,C=VN"), CertKind::Organization);
        assert_eq!(kind("CN=Van thu,2.5.4.97=VATVN-0301824642,UID=CMND:1,C=VN"), CertKind::Unknown);
        assert_eq!(kind("CN=Van thu,2.5.4.4=Nguyen,C=VN"), CertKind::Personal);
        assert_eq!(kind(""), CertKind::Unknown);
    }

    #[test]
    fn vietnamese_agency_names() {
        for n in [
            "Ủy ban nhân dân tỉnh Điện Biên",
            "UỶ BAN NHÂN DÂN HUYỆN MƯỜNG ẢNG",
            "Sở Thông tin và Truyền thông tỉnh Bắc Ninh",
            "Văn phòng Chính phủ",
            "Toà án nhân dân tỉnh Lai Châu",
            "Bộ Nội vụ",
        ] {
            assert!(is_agency_name(n), "{n}");
        }
        for n in ["Nguyễn Văn A", "Sơn Thị B", "Bộ", "Bội Văn C", "Vũ Thị D", "Trương Văn E", "Văn Thị F", ""]
        {
            assert_eq!(is_agency_name(n), n == "Bộ", "{n}");
        }
    }

    /// The fixture PKI's certificates (tests/fixtures/make-pki.sh).
    #[test]
    fn fixture_personal_and_organisation_certificates() {
        let Some(fx) = kyso_testkit::fixture() else { return };
        let load = |n: &str| {
            let pem = std::fs::read(fx.pki_file(&format!("{n}.pem"))).expect("fixture certificate");
            crate::load_certificates(&pem).remove(0).cert
        };
        let canhan = classify(&load("canhan"));
        assert_eq!(canhan.kind, CertKind::Personal, "{canhan:?}");
        assert!(canhan.signals.contains(&KindSignal::PersonalId("CMND".into())));
        assert!(canhan.signals.contains(&KindSignal::Title));
        let tochuc = classify(&load("tochuc"));
        assert_eq!(tochuc.kind, CertKind::Organization, "{tochuc:?}");
        assert!(tochuc.signals.contains(&KindSignal::AgencyName));
        assert!(tochuc.signals.contains(&KindSignal::OrganizationId("MST".into())));
        // A name alone, under its ministry: not decidable.
        assert_eq!(classify(&load("rsa3072")).kind, CertKind::Unknown);
    }
}
