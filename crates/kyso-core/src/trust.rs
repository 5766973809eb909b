//! The trust Kyso ships: the public certificates of the Vietnamese public
//! service PKI (`assets/trust/`), built into the program and checked
//! against their SHA-256 pins, beside the anchors the user imports.
//!
//! RFC 5280 §6.1.1 (d) leaves the choice of trust anchors to the relying
//! party. Kyso trusts the two roots out of the box (as VGCA's own tools
//! do): `RootCA chuyên dùng Chính phủ G2` and the `Vietnam National Root
//! CA`. `CA phục vụ các cơ quan Nhà nước G2` is *not* an anchor: it is an
//! intermediate issued by RootCA G2, shipped for path building only —
//! signatures made by VGCA tools embed the signer's certificate alone, so
//! the verifier completes the path itself (RFC 5280 §6.1: the path is the
//! relying party's to build; it adds no trust, a path through it must still
//! end at an anchor).
//!
//! The shipped anchors are on by default and can be switched off with the
//! `shipped_anchors` key of the settings file (`config.json` in the data
//! directory, read by the desktop app and `kyso-cli`), with `kyso-cli trust
//! shipped off`, or for one run with `kyso-cli verify --no-shipped-anchors`.
//! Nothing else adds to them: no environment variable, no file. Tests
//! give the fixture PKI through the same [`TrustBundle`] value a front end
//! passes in [`crate::VerifyOptions::shipped`].

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::SystemTime;

use kyso_pki::CertDer;
use kyso_pki::CertInfo;
use serde::Serialize;

/// Where a trusted certificate comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrustSource {
    /// Built into Kyso (`assets/trust/`).
    Shipped,
    /// Imported by the user (`kyso-cli trust add`, the desktop Settings).
    User,
}

/// What a shipped certificate is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShippedRole {
    /// A root trusted as anchor (when the shipped anchors are on).
    Anchor,
    /// An intermediate offered to path building; never trusted by itself.
    Intermediate,
}

/// A certificate shipped with Kyso.
#[derive(Debug)]
pub struct ShippedCert {
    /// Its file under `assets/trust/`.
    pub file: &'static str,
    /// Its common name.
    pub name: &'static str,
    /// SHA-256 of its DER, lower-case hex (vietnam-rules.md; the same as
    /// [`kyso_pki::VGCA_PINS`]).
    pub sha256: &'static str,
    /// Anchor or intermediate.
    pub role: ShippedRole,
    pem: &'static [u8],
}

/// The three shipped certificates, roots first.
static SHIPPED: [ShippedCert; 3] = [
    ShippedCert {
        file: "rootcag2.pem",
        name: "RootCA chuyên dùng Chính phủ G2",
        sha256: "f04ba4b459a7c9a1b971ad9b1cb833e695a80c79aea63b174b66a70edfe2fdb8",
        role: ShippedRole::Anchor,
        pem: include_bytes!("../../../assets/trust/rootcag2.pem"),
    },
    ShippedCert {
        file: "vnrca256.pem",
        name: "Vietnam National Root CA",
        sha256: "bac8bf609ab420a8ee1780d74f4de5c7f7184959d2a7375b0a75e4c29f0908e7",
        role: ShippedRole::Anchor,
        pem: include_bytes!("../../../assets/trust/vnrca256.pem"),
    },
    ShippedCert {
        file: "cpcag2.pem",
        name: "CA phục vụ các cơ quan Nhà nước G2",
        sha256: "d8cab7a4aef92e6bb2509d7c61cee7b44f3731b2d21074963530277b366fae4b",
        role: ShippedRole::Intermediate,
        pem: include_bytes!("../../../assets/trust/cpcag2.pem"),
    },
];

/// The certificates shipped with Kyso.
pub fn shipped_certificates() -> &'static [ShippedCert] {
    &SHIPPED
}

impl ShippedCert {
    /// The certificate, only when its bytes match the pin (a build with a
    /// different file in `assets/trust/` trusts nothing in its place).
    pub fn certificate(&self) -> Option<CertDer> {
        kyso_pki::load_certificates(self.pem)
            .into_iter()
            .next()
            .filter(|c| hex::encode(kyso_pki::HashAlg::Sha256.digest(&c.der)) == self.sha256)
    }
}

/// The certificates a verification takes beyond the user's anchors and
/// the file's own: anchors, and intermediates for path building.
/// [`TrustBundle::shipped`] in the front ends; tests pass the fixture PKI
/// in its place, so that they run the same path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustBundle {
    /// Trusted roots.
    pub anchors: Vec<CertDer>,
    /// Intermediates offered to path building (no trust of their own).
    pub intermediates: Vec<CertDer>,
}

impl TrustBundle {
    /// Kyso's own: the two roots as anchors, CA G2 as intermediate, each
    /// checked against its pin.
    pub fn shipped() -> Self {
        static BUNDLE: OnceLock<TrustBundle> = OnceLock::new();
        BUNDLE
            .get_or_init(|| {
                let mut b = TrustBundle::default();
                for s in &SHIPPED {
                    if let Some(c) = s.certificate() {
                        match s.role {
                            ShippedRole::Anchor => b.anchors.push(c),
                            ShippedRole::Intermediate => b.intermediates.push(c),
                        }
                    }
                }
                b
            })
            .clone()
    }
}

/// The shipped certificate that issued `cert` (by name, RFC 5280 §4.1.2.4),
/// if any: for the pre-signing revocation check of a token that carries
/// only the signer's certificate (its issuer's key signs the OCSP answer or
/// the CRL), and for the chain a B-LT DSS keeps. No trust comes of it.
pub fn shipped_issuer_of(cert: &kyso_pki::Certificate) -> Option<kyso_pki::Certificate> {
    let b = TrustBundle::shipped();
    b.intermediates
        .into_iter()
        .chain(b.anchors)
        .map(|c| c.cert)
        .find(|c| c.tbs_certificate().subject() == cert.tbs_certificate().issuer())
}

/// A certificate that carries the name of a pinned Vietnamese certificate
/// ([`kyso_pki::VGCA_PINS`]) without being it: its subject and SHA-256, for
/// the refusal. The trust store refuses these at import; anchors given for
/// one verification (`kyso-cli verify --trust`, the desktop's anchors
/// field) are refused the same way (RFC 5280 §6.1.1 (d): the relying
/// party's anchors, checked once, here).
pub fn pin_impostor(c: &CertDer) -> Option<(String, String)> {
    if kyso_pki::pinned_name(&c.cert).is_some() {
        return None;
    }
    let subject = c.cert.tbs_certificate().subject();
    let cn = kyso_pki::name_attribute(subject, kyso_pki::der::asn1::ObjectIdentifier::new_unwrap("2.5.4.3"))?;
    kyso_pki::VGCA_PINS
        .iter()
        .any(|(name, _)| *name == cn)
        .then(|| (kyso_pki::format_name(subject), hex::encode(kyso_pki::HashAlg::Sha256.digest(&c.der))))
}

/// One line of the trust list (`kyso-cli trust list`, the desktop
/// Settings).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrustEntry {
    /// Shipped or imported.
    pub source: TrustSource,
    /// For a shipped certificate: anchor or intermediate; imported ones
    /// are anchors.
    pub role: ShippedRole,
    /// Its subject.
    pub subject: String,
    /// SHA-256 of its DER, lower-case hex.
    pub sha256: String,
    /// The pinned Vietnamese certificate it is, if any.
    pub pinned: Option<&'static str>,
    /// Start of validity, RFC 3339 UTC.
    pub not_before: String,
    /// End of validity, RFC 3339 UTC.
    pub not_after: String,
    /// Whether verification uses it now (shipped anchors can be switched
    /// off; intermediates and imported anchors are always used).
    pub enabled: bool,
}

impl TrustEntry {
    fn of(c: &CertDer, source: TrustSource, role: ShippedRole, enabled: bool) -> Self {
        let info = CertInfo::from_certificate(&c.cert, SystemTime::now());
        Self {
            source,
            role,
            subject: info.subject,
            sha256: info.sha256,
            pinned: kyso_pki::pinned_name(&c.cert),
            not_before: info.not_before,
            not_after: info.not_after,
            enabled,
        }
    }
}

/// The shipped certificates (whether their anchors are on as given), then
/// the anchors imported into the store of `data_dir`.
pub fn trust_list(data_dir: &Path, shipped_on: bool) -> Vec<TrustEntry> {
    let mut out: Vec<TrustEntry> = SHIPPED
        .iter()
        .filter_map(|s| {
            let on = shipped_on || s.role == ShippedRole::Intermediate;
            s.certificate().map(|c| TrustEntry::of(&c, TrustSource::Shipped, s.role, on))
        })
        .collect();
    out.extend(
        crate::stored_anchors(data_dir).iter().map(|c| TrustEntry::of(c, TrustSource::User, ShippedRole::Anchor, true)),
    );
    out
}

/// The settings file of a data directory, shared by the desktop app and
/// `kyso-cli` (`config.json`).
pub fn settings_path(data_dir: &Path) -> PathBuf {
    data_dir.join("config.json")
}

/// The settings key that switches the shipped anchors.
pub const SHIPPED_ANCHORS_KEY: &str = "shipped_anchors";

/// Whether the shipped anchors are on in the settings of `data_dir`: yes
/// unless the file says `"shipped_anchors": false` (a missing or
/// unreadable file gives the default, on — as the desktop app reads it).
pub fn shipped_anchors_enabled(data_dir: &Path) -> bool {
    std::fs::read(settings_path(data_dir))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| v.get(SHIPPED_ANCHORS_KEY).and_then(serde_json::Value::as_bool))
        .unwrap_or(true)
}

/// Why the setting could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// Reading or writing the file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The file is not a JSON object; it is left as it is.
    #[error("{path}: not a settings file (a JSON object)")]
    NotSettings {
        /// The file.
        path: PathBuf,
    },
}

/// Switches the shipped anchors in the settings of `data_dir`, keeping
/// every other setting (written whole to a temporary file, then renamed).
pub fn set_shipped_anchors_enabled(data_dir: &Path, on: bool) -> Result<(), SettingsError> {
    let path = settings_path(data_dir);
    let io = |source| SettingsError::Io { path: path.clone(), source };
    let mut value = match std::fs::read(&path) {
        Ok(b) => serde_json::from_slice::<serde_json::Value>(&b)
            .map_err(|_| SettingsError::NotSettings { path: path.clone() })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => serde_json::Value::Object(Default::default()),
        Err(e) => return Err(io(e)),
    };
    let Some(obj) = value.as_object_mut() else { return Err(SettingsError::NotSettings { path }) };
    obj.insert(SHIPPED_ANCHORS_KEY.into(), on.into());
    let data = serde_json::to_vec_pretty(&value).unwrap_or_default();
    std::fs::create_dir_all(data_dir).map_err(io)?;
    let tmp = path.with_extension("json.part");
    std::fs::write(&tmp, &data).map_err(io)?;
    std::fs::rename(&tmp, &path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kyso_pki::{ChainStatus, validate_path};

    /// 1 January of 2027 or 2049, 00:00 UTC.
    fn at(y: i32) -> SystemTime {
        let secs = match y {
            2027 => 1_798_761_600,
            2049 => 2_493_072_000,
            _ => unreachable!(),
        };
        SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs)
    }

    /// Each shipped file is the certificate of its pin (vietnam-rules.md),
    /// named and valid as published.
    #[test]
    fn shipped_certificates_match_their_pins_names_and_validity() {
        let expected = [
            ("rootcag2.pem", "RootCA chuyên dùng Chính phủ G2", "2018-08-22", "2048-08-14"),
            ("vnrca256.pem", "Vietnam National Root CA", "2014-04-15", "2039-04-15"),
            ("cpcag2.pem", "CA phục vụ các cơ quan Nhà nước G2", "2018-08-22", "2048-08-14"),
        ];
        assert_eq!(SHIPPED.len(), expected.len());
        for (s, (file, cn, from, to)) in SHIPPED.iter().zip(expected) {
            assert_eq!(s.file, file);
            let c = s.certificate().unwrap_or_else(|| panic!("{file} does not match its pin"));
            let der_hash = hex::encode(kyso_pki::HashAlg::Sha256.digest(&c.der));
            assert_eq!(der_hash, s.sha256, "{file}");
            // The same pins the trust store checks imports against.
            assert!(kyso_pki::VGCA_PINS.contains(&(cn, s.sha256)), "{file}: not in VGCA_PINS");
            assert_eq!(kyso_pki::pinned_name(&c.cert), Some(cn));
            let info = CertInfo::from_certificate(&c.cert, SystemTime::now());
            assert_eq!(info.subject_cn.as_deref(), Some(cn), "{file}");
            assert_eq!(s.name, cn);
            assert!(info.not_before.starts_with(from), "{file}: {}", info.not_before);
            assert!(info.not_after.starts_with(to), "{file}: {}", info.not_after);
            assert!(info.warnings.contains(&kyso_pki::CertWarning::IsCa), "{file}: a CA certificate");
            // Not expired now (the first to expire is the national root, 2039).
            assert!(!info.warnings.contains(&kyso_pki::CertWarning::Expired), "{file} expired");
        }
        let org = |i: usize| CertInfo::from_certificate(&SHIPPED[i].certificate().unwrap().cert, SystemTime::now());
        assert_eq!(org(0).organization.as_deref(), Some("Ban Cơ yếu Chính phủ"));
        assert_eq!(org(2).issuer_cn.as_deref(), Some("RootCA chuyên dùng Chính phủ G2"));
    }

    /// The pins in the code are those of the shared rules (upper-case hex
    /// there), when the shared folder is beside the checkout.
    #[test]
    fn pins_are_those_of_the_vietnam_rules() {
        let Some(shared) = kyso_testkit::shared_or_skip("docs/vietnam-rules.md") else { return };
        let rules = std::fs::read_to_string(shared.join("docs/vietnam-rules.md")).expect("vietnam-rules.md");
        for s in &SHIPPED {
            assert!(rules.contains(&s.sha256.to_uppercase()), "{} pin not in vietnam-rules.md", s.file);
        }
        // And the files are byte for byte the shared copies.
        for s in &SHIPPED {
            let shared_pem = std::fs::read(shared.join("trust").join(s.file)).expect("shared trust file");
            assert_eq!(shared_pem, s.pem, "{}", s.file);
        }
    }

    /// The roots are self-signed anchors; CA G2 is an intermediate whose
    /// path ends at RootCA G2 (RFC 5280 §6.1), not an anchor.
    #[test]
    fn roots_are_anchors_and_ca_g2_chains_to_root_g2() {
        let b = TrustBundle::shipped();
        assert_eq!(b.anchors.len(), 2);
        assert_eq!(b.intermediates.len(), 1);
        for root in &b.anchors {
            let t = root.cert.tbs_certificate();
            assert_eq!(t.subject(), t.issuer(), "a root is self-issued");
        }
        let int = &b.intermediates[0];
        let r = validate_path(int, &[], &b.anchors, at(2027));
        assert_eq!(r.status, ChainStatus::Valid, "{r:?}");
        assert_eq!(r.path.len(), 2);
        assert!(r.path[1].contains("RootCA chuyên dùng Chính phủ G2"), "{:?}", r.path);
        // Only RootCA G2 makes it valid: the national root does not.
        let r = validate_path(int, &[], &b.anchors[1..], at(2027));
        assert_ne!(r.status, ChainStatus::Valid);
        // Outside the validity of the hierarchy, no path.
        assert_eq!(validate_path(int, &[], &b.anchors, at(2049)).status, ChainStatus::OutOfValidity);
    }

    /// The issuer of a VGCA-issued certificate is found among the shipped
    /// ones (CA G2 for RootCA G2's subordinate; here the intermediate
    /// itself, whose issuer is RootCA G2); a certificate of another
    /// hierarchy finds none.
    #[test]
    fn the_issuer_of_a_vgca_certificate_is_found_among_the_shipped() {
        let b = TrustBundle::shipped();
        let ca = &b.intermediates[0].cert;
        let issuer = shipped_issuer_of(ca).expect("RootCA G2");
        assert_eq!(kyso_pki::pinned_name(&issuer), Some("RootCA chuyên dùng Chính phủ G2"));
        let national = &b.anchors[1].cert;
        assert_eq!(kyso_pki::pinned_name(&shipped_issuer_of(national).unwrap()), Some("Vietnam National Root CA"));
        let Some(shared) = kyso_testkit::shared_or_skip("a certificate of another hierarchy (PKITS)") else { return };
        let pkits = std::fs::read(shared.join("corpus/pkits/certs/GoodCACert.crt")).expect("PKITS certificate");
        let other = kyso_pki::load_certificates(&pkits);
        assert_eq!(other.len(), 1);
        assert!(shipped_issuer_of(&other[0].cert).is_none());
    }

    /// A certificate named like RootCA G2 but not it is an impostor; the
    /// real one and a certificate of another name are not.
    #[test]
    fn a_certificate_named_like_a_pinned_root_is_an_impostor() {
        for s in &SHIPPED {
            assert_eq!(pin_impostor(&s.certificate().unwrap()), None, "{}", s.file);
        }
        if !kyso_testkit::tool_or_skip("openssl", "a self-signed certificate named like RootCA G2") {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let fake = kyso_testkit::impostor_root_g2(dir.path());
        let fake = kyso_pki::load_certificates(&std::fs::read(&fake).unwrap());
        let (subject, sha256) = pin_impostor(&fake[0]).expect("an impostor");
        assert!(subject.contains("RootCA chuyên dùng Chính phủ G2") && sha256.len() == 64);
    }

    /// A file in `assets/trust/` that is not the pinned certificate is not
    /// trusted in its place.
    #[test]
    fn a_certificate_that_misses_its_pin_is_dropped() {
        let wrong = ShippedCert { pem: SHIPPED[1].pem, ..SHIPPED[0] };
        assert!(wrong.certificate().is_none());
        let garbage = ShippedCert { pem: b"not a certificate", ..SHIPPED[0] };
        assert!(garbage.certificate().is_none());
    }

    #[test]
    fn the_setting_is_on_by_default_and_switching_keeps_the_other_settings() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        assert!(shipped_anchors_enabled(&data), "no file: on");
        std::fs::create_dir_all(&data).unwrap();
        std::fs::write(settings_path(&data), br#"{"lang":"en","proxy":"http://p:3128"}"#).unwrap();
        assert!(shipped_anchors_enabled(&data), "no key: on");
        set_shipped_anchors_enabled(&data, false).unwrap();
        assert!(!shipped_anchors_enabled(&data));
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(settings_path(&data)).unwrap()).unwrap();
        assert_eq!((v["lang"].as_str(), v["proxy"].as_str()), (Some("en"), Some("http://p:3128")));
        set_shipped_anchors_enabled(&data, true).unwrap();
        assert!(shipped_anchors_enabled(&data));
        // A file that is not a settings object is left alone, with an error.
        std::fs::write(settings_path(&data), b"[1, 2]").unwrap();
        assert!(matches!(set_shipped_anchors_enabled(&data, false), Err(SettingsError::NotSettings { .. })));
        assert_eq!(std::fs::read(settings_path(&data)).unwrap(), b"[1, 2]");
        assert!(shipped_anchors_enabled(&data), "an unreadable setting gives the default");

        let list = trust_list(&data, false);
        assert_eq!(list.len(), 3);
        assert!(list.iter().all(|e| e.source == TrustSource::Shipped && e.pinned.is_some()));
        assert_eq!(list.iter().filter(|e| e.enabled).count(), 1, "only the intermediate when off");
        assert!(trust_list(&data, true).iter().all(|e| e.enabled));
    }
}
