//! Distinguished name comparison (RFC 5280 §7.1 with the LDAP string
//! preparation of RFC 4518 §2): attribute values of the directory string
//! types are transcoded to Unicode (PrintableString, UTF8String,
//! BMPString, TeletexString all compare alike; the der crate rejects
//! UniversalString), case
//! folded, and insignificant spaces are removed (leading and trailing
//! spaces dropped, inner runs of white space counted as one). Other values
//! compare by their DER bytes.
//!
//! The comparison streams characters and allocates nothing, so path
//! building can compare many candidate names cheaply.

use der::{Any, Tag, Tagged};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::{Name, RelativeDistinguishedName};

/// The characters of a directory string, decoded from its ASN.1 string type.
enum Decoded<'a> {
    Utf8(std::str::Chars<'a>),
    Latin1(std::slice::Iter<'a, u8>),
    Bmp(std::slice::ChunksExact<'a, u8>),
}

impl Iterator for Decoded<'_> {
    type Item = char;
    fn next(&mut self) -> Option<char> {
        match self {
            Decoded::Utf8(c) => c.next(),
            Decoded::Latin1(b) => b.next().map(|b| char::from(*b)),
            // A lone surrogate cannot be a character: it becomes U+FFFD, so
            // it never equals a well-formed value by accident.
            Decoded::Bmp(c) => {
                c.next().map(|u| char::from_u32(u32::from(u16::from_be_bytes([u[0], u[1]]))).unwrap_or('\u{FFFD}'))
            }
        }
    }
}

fn decode(value: &Any) -> Option<Decoded<'_>> {
    let bytes = value.value();
    Some(match value.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::VisibleString => {
            Decoded::Utf8(std::str::from_utf8(bytes).ok()?.chars())
        }
        Tag::TeletexString => Decoded::Latin1(bytes.iter()),
        Tag::BmpString if bytes.len().is_multiple_of(2) => Decoded::Bmp(bytes.chunks_exact(2)),
        _ => return None,
    })
}

/// RFC 4518 §2.2 (map): characters mapped to nothing.
fn mapped_to_nothing(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{1806}' | '\u{034F}' | '\u{180B}'..='\u{180D}' | '\u{FE00}'..='\u{FE0F}' | '\u{FFFC}')
        || (c.is_control() && !c.is_whitespace())
        || matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// A prepared value: RFC 4518 §2.2 map (case folding, white space to
/// SPACE) and §2.6.1 insignificant space handling.
struct Prepared<'a> {
    inner: std::iter::FlatMap<Decoded<'a>, std::char::ToLowercase, fn(char) -> std::char::ToLowercase>,
    started: bool,
    pending_space: bool,
    held: Option<char>,
}

fn fold(c: char) -> std::char::ToLowercase {
    let c = if c.is_whitespace() { ' ' } else { c };
    c.to_lowercase()
}

impl<'a> Prepared<'a> {
    fn new(d: Decoded<'a>) -> Self {
        let f: fn(char) -> std::char::ToLowercase = fold;
        Self { inner: d.flat_map(f), started: false, pending_space: false, held: None }
    }
}

impl Iterator for Prepared<'_> {
    type Item = char;
    fn next(&mut self) -> Option<char> {
        if let Some(c) = self.held.take() {
            return Some(c);
        }
        loop {
            let c = self.inner.next()?;
            if mapped_to_nothing(c) {
                continue;
            }
            if c == ' ' {
                self.pending_space = self.started;
                continue;
            }
            self.started = true;
            if self.pending_space {
                self.pending_space = false;
                self.held = Some(c);
                return Some(' ');
            }
            return Some(c);
        }
    }
}

/// RFC 5280 §7.1: two attribute values match when their prepared forms
/// are equal (string types), or their encodings are (other types).
pub(crate) fn values_match(a: &Any, b: &Any) -> bool {
    if a.tag() == b.tag() && a.value() == b.value() {
        return true;
    }
    match (decode(a), decode(b)) {
        (Some(x), Some(y)) => Prepared::new(x).eq(Prepared::new(y)),
        _ => false,
    }
}

fn atv_match(a: &AttributeTypeAndValue, b: &AttributeTypeAndValue) -> bool {
    a.oid == b.oid && values_match(&a.value, &b.value)
}

/// Two RDNs match when they have the same number of attributes and each
/// attribute of one matches an attribute of the other (RFC 5280 §7.1).
pub(crate) fn rdn_match(a: &RelativeDistinguishedName, b: &RelativeDistinguishedName) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| atv_match(x, y)))
}

/// RFC 5280 §7.1: names match when they have the same RDNs in order.
pub(crate) fn names_match(a: &Name, b: &Name) -> bool {
    a == b || (a.len() == b.len() && a.iter_rdn().zip(b.iter_rdn()).all(|(x, y)| rdn_match(x, y)))
}

/// RFC 5280 §4.2.1.10: `name` is within the directoryName subtree `base`
/// when `base`'s RDNs are the first RDNs of `name`.
pub(crate) fn name_within(base: &Name, name: &Name) -> bool {
    base.len() <= name.len() && base.iter_rdn().zip(name.iter_rdn()).all(|(x, y)| rdn_match(x, y))
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Decode;
    use der::asn1::{PrintableStringRef, Utf8StringRef};

    fn any_utf8(s: &str) -> Any {
        Any::from(Utf8StringRef::new(s).unwrap())
    }

    #[test]
    fn printable_and_utf8_with_case_and_spaces_match() {
        let p = Any::from(PrintableStringRef::new("Good  CA ").unwrap());
        assert!(values_match(&p, &any_utf8("  good ca")));
        assert!(!values_match(&p, &any_utf8("goodca")));
        assert!(values_match(&any_utf8("Ban Cơ yếu"), &any_utf8("BAN CƠ YẾU")));
    }

    #[test]
    fn names_compare_after_preparation() {
        let a: Name = "CN=Good CA,O=Test Certificates 2011,C=US".parse().unwrap();
        let b: Name = "CN=good   ca,O=TEST Certificates 2011,C=us".parse().unwrap();
        let c: Name = "CN=Other,O=Test Certificates 2011,C=US".parse().unwrap();
        assert!(names_match(&a, &b));
        assert!(!names_match(&a, &c));
        let base: Name = "O=Test Certificates 2011,C=US".parse().unwrap();
        assert!(name_within(&base, &a));
        assert!(!name_within(&a, &base));
        // A truncated BMPString is no string: compared by bytes only.
        let bad = Any::from_der(&[0x1e, 0x01, 0x41]).ok();
        assert!(bad.is_none() || !values_match(bad.as_ref().unwrap(), &any_utf8("A")));
    }
}
