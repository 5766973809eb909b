//! Name constraints (RFC 5280 §4.2.1.10) as path validation applies them
//! (§6.1.3 b–c, §6.1.4 g). The permitted subtrees of each constraining CA
//! are kept as one set: a name must fall within every set that constrains
//! its type, which is the intersection of §6.1.4 (g)(1) without computing
//! it. Excluded subtrees are accumulated as a union (§6.1.4 (g)(2)).

use der::Decode;
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{NameConstraints, SubjectAltName, constraints::name::GeneralSubtree};
use x509_cert::name::Name;

use crate::name_prep::name_within;

/// PKCS #9 emailAddress, which §4.2.1.10 checks against rfc822Name
/// constraints when the subject carries it.
const EMAIL_ADDRESS: der::asn1::ObjectIdentifier = der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1");

/// A name of the certificate under check, borrowed from it.
#[derive(Clone, Copy)]
enum Subject<'a> {
    Dn(&'a Name),
    Email(&'a str),
    Dns(&'a str),
    Uri(&'a str),
    Ip(&'a [u8]),
    /// A form Kyso does not constrain (otherName, ediPartyName, …).
    Other,
}

/// permittedSubtrees (one entry per constraining certificate) and
/// excludedSubtrees accumulated along the path.
#[derive(Default)]
pub(crate) struct NameConstraintState {
    permitted: Vec<Vec<GeneralSubtree>>,
    excluded: Vec<GeneralSubtree>,
}

impl NameConstraintState {
    /// §6.1.4 (g): takes in the nameConstraints of a CA certificate.
    pub(crate) fn add(&mut self, nc: NameConstraints) {
        if let Some(p) = nc.permitted_subtrees {
            self.permitted.push(p);
        }
        if let Some(e) = nc.excluded_subtrees {
            self.excluded.extend(e);
        }
    }

    /// §6.1.3 (b)–(c): the subject name, every emailAddress of the subject
    /// and every subjectAltName entry must be within the permitted subtrees
    /// and outside the excluded ones. `Err` when the certificate's
    /// subjectAltName cannot be decoded.
    pub(crate) fn allows(&self, cert: &Certificate) -> Result<bool, ()> {
        if self.permitted.is_empty() && self.excluded.is_empty() {
            return Ok(true);
        }
        let tbs = cert.tbs_certificate();
        let subject = tbs.subject();
        if !subject.is_empty() && !self.name_allowed(Subject::Dn(subject)) {
            return Ok(false);
        }
        for atv in subject.iter().filter(|a| a.oid == EMAIL_ADDRESS) {
            let Ok(s) = std::str::from_utf8(atv.value.value()) else { return Ok(false) };
            if !self.name_allowed(Subject::Email(s)) {
                return Ok(false);
            }
        }
        let san = tbs.get_extension::<SubjectAltName>().map_err(|_| ())?;
        if let Some((_, san)) = san {
            for gn in &san.0 {
                if !self.name_allowed(borrow(gn)) {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    fn name_allowed(&self, name: Subject<'_>) -> bool {
        if matches!(name, Subject::Other) {
            return true;
        }
        for set in &self.permitted {
            let mut same_type = set.iter().filter_map(|s| matches(&s.base, name)).peekable();
            if same_type.peek().is_some() && !same_type.any(|m| m) {
                return false;
            }
        }
        !self.excluded.iter().any(|s| matches(&s.base, name) == Some(true))
    }
}

fn borrow(gn: &GeneralName) -> Subject<'_> {
    match gn {
        GeneralName::DirectoryName(n) => Subject::Dn(n),
        GeneralName::Rfc822Name(s) => Subject::Email(s.as_str()),
        GeneralName::DnsName(s) => Subject::Dns(s.as_str()),
        GeneralName::UniformResourceIdentifier(s) => Subject::Uri(s.as_str()),
        GeneralName::IpAddress(o) => Subject::Ip(o.as_bytes()),
        _ => Subject::Other,
    }
}

/// `None` when the constraint is of another name type than `name`,
/// otherwise whether `name` is within the subtree `base`.
fn matches(base: &GeneralName, name: Subject<'_>) -> Option<bool> {
    Some(match (base, name) {
        (GeneralName::DirectoryName(b), Subject::Dn(n)) => name_within(b, n),
        (GeneralName::Rfc822Name(b), Subject::Email(e)) => email_within(b.as_str(), e),
        (GeneralName::DnsName(b), Subject::Dns(d)) => dns_within(b.as_str(), d),
        (GeneralName::UniformResourceIdentifier(b), Subject::Uri(u)) => uri_within(b.as_str(), u),
        (GeneralName::IpAddress(b), Subject::Ip(a)) => ip_within(b.as_bytes(), a),
        _ => return None,
    })
}

/// §4.2.1.10 rfc822Name: a full mailbox, a host (all mailboxes there), or a
/// domain starting with a period (all hosts below it).
fn email_within(base: &str, email: &str) -> bool {
    let Some((local, host)) = email.rsplit_once('@') else { return false };
    if let Some((bl, bh)) = base.rsplit_once('@') {
        return bl == local && bh.eq_ignore_ascii_case(host);
    }
    if base.starts_with('.') {
        return ends_with_ci(host, base);
    }
    host.eq_ignore_ascii_case(base)
}

/// §4.2.1.10 dNSName: the name itself or any name with labels added on
/// the left.
fn dns_within(base: &str, name: &str) -> bool {
    if base.is_empty() {
        return true;
    }
    if base.starts_with('.') {
        return ends_with_ci(name, base);
    }
    name.eq_ignore_ascii_case(base)
        || (ends_with_ci(name, base)
            && name.len().checked_sub(base.len() + 1).and_then(|i| name.as_bytes().get(i)) == Some(&b'.'))
}

/// §4.2.1.10 URI: the constraint applies to the host part; a host, or a
/// domain starting with a period (hosts below it). A URI without an
/// authority matches no subtree.
fn uri_within(base: &str, uri: &str) -> bool {
    let Some(host) = uri_host(uri) else { return false };
    if base.starts_with('.') {
        return ends_with_ci(host, base);
    }
    host.eq_ignore_ascii_case(base)
}

fn uri_host(uri: &str) -> Option<&str> {
    let (_, rest) = uri.split_once(':')?;
    let rest = rest.strip_prefix("//")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host =
        if host.starts_with('[') { host.split_once(']').map(|(h, _)| &h[1..])? } else { host.split(':').next()? };
    (!host.is_empty()).then_some(host)
}

/// §4.2.1.10 iPAddress: address and mask (8 octets for IPv4, 32 for IPv6).
fn ip_within(base: &[u8], addr: &[u8]) -> bool {
    let n = addr.len();
    if (n != 4 && n != 16) || base.len() != 2 * n {
        return false;
    }
    let (net, mask) = base.split_at(n);
    addr.iter().zip(net).zip(mask).all(|((a, b), m)| a & m == b & m)
}

fn ends_with_ci(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len()
        && s.is_char_boundary(s.len() - suffix.len())
        && s[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// Decodes the nameConstraints of a certificate (`Err` when malformed).
pub(crate) fn of(cert: &Certificate) -> Result<Option<NameConstraints>, ()> {
    match cert.tbs_certificate().extensions() {
        None => Ok(None),
        Some(exts) => match exts.iter().find(|e| e.extn_id.to_string() == "2.5.29.30") {
            None => Ok(None),
            Some(e) => NameConstraints::from_der(e.extn_value.as_bytes()).map(Some).map_err(|_| ()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert!(dns_within("testcertificates.gov", "testserver.testcertificates.gov"));
        assert!(dns_within("testcertificates.gov", "TestCertificates.gov"));
        assert!(!dns_within("testcertificates.gov", "mytestcertificates.gov"));
        assert!(dns_within(".gov", "a.gov") && !dns_within(".gov", "gov"));
        assert!(email_within("example.com", "a@Example.com") && !email_within("example.com", "a@x.example.com"));
        assert!(email_within(".example.com", "a@x.example.com") && !email_within(".example.com", "a@example.com"));
        assert!(email_within("a@example.com", "a@example.com") && !email_within("a@example.com", "b@example.com"));
        assert!(uri_within("host.gov", "http://user@host.gov:80/p") && !uri_within("host.gov", "urn:x"));
        assert!(!uri_within(".gov", "https://[::1]/") && uri_within(".gov", "ftp://a.gov/"));
        assert!(ip_within(&[192, 168, 0, 0, 255, 255, 0, 0], &[192, 168, 3, 4]));
        assert!(!ip_within(&[192, 168, 0, 0, 255, 255, 0, 0], &[10, 168, 3, 4]));
        assert!(!ip_within(&[192, 168, 0, 0, 255, 255, 0, 0], &[0; 16]));
    }
}
