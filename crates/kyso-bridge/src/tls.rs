//! The bridge's own TLS identity: a key and a self-signed certificate made
//! on this machine on first start (never a key shared between machines),
//! kept in `<data dir>/bridge/`, made again before it expires.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use base64::Engine as _;

/// How long a certificate is made for (browsers cap a server certificate
/// at 398 days, CA/B Forum BR §6.3.2).
const VALIDITY_DAYS: i64 = 397;
/// A certificate with less than this left is made again at start.
const RENEW_BEFORE: Duration = Duration::from_secs(30 * 86_400);

/// Why the TLS identity could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Reading or writing the files failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Making the key or certificate failed.
    #[error("certificate generation: {0}")]
    Generate(String),
    /// rustls refused the key or certificate.
    #[error("TLS configuration: {0}")]
    Config(String),
}

/// The bridge's certificate and key, as loaded or made.
pub struct LocalIdentity {
    /// The certificate (DER).
    pub cert_der: Vec<u8>,
    key_der: zeroize::Zeroizing<Vec<u8>>,
    /// Its `notAfter`.
    pub not_after: SystemTime,
    /// Where `cert.pem` is (what a person imports into a browser).
    pub cert_pem_path: PathBuf,
    /// Whether it was made at this start (first start or renewal).
    pub created: bool,
}

impl std::fmt::Debug for LocalIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalIdentity")
            .field("cert_pem_path", &self.cert_pem_path)
            .field("not_after", &self.not_after)
            .field("created", &self.created)
            .finish_non_exhaustive()
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> TlsError + '_ {
    move |source| TlsError::Io { path: path.to_owned(), source }
}

/// Writes `bytes` to `path` readable by its owner only (a private key).
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), TlsError> {
    let tmp = path.with_extension("tmp");
    {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(&tmp).map_err(io(&tmp))?;
        std::io::Write::write_all(&mut f, bytes).map_err(io(&tmp))?;
    }
    std::fs::rename(&tmp, path).map_err(io(path))
}

/// `notAfter` of a DER certificate (RFC 5280 §4.1.2.5), `None` when it does
/// not parse.
fn not_after(der: &[u8]) -> Option<SystemTime> {
    let cert: kyso_pki::Certificate = kyso_pki::der::Decode::from_der(der).ok()?;
    Some(cert.tbs_certificate().validity().not_after.to_system_time())
}

impl LocalIdentity {
    /// The identity kept in `dir` (`cert.der`, `key.der`, `cert.pem`),
    /// made when absent, unreadable or expiring within 30 days.
    pub fn load_or_create(dir: &Path) -> Result<Self, TlsError> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let (cert_path, key_path, pem_path) = (dir.join("cert.der"), dir.join("key.der"), dir.join("cert.pem"));
        if let (Ok(cert_der), Ok(key_der)) = (std::fs::read(&cert_path), std::fs::read(&key_path))
            && let Some(end) = not_after(&cert_der)
            && end.duration_since(SystemTime::now()).is_ok_and(|left| left > RENEW_BEFORE)
        {
            let id = Self {
                cert_der,
                key_der: zeroize::Zeroizing::new(key_der),
                not_after: end,
                cert_pem_path: pem_path.clone(),
                created: false,
            };
            if id.server_config().is_ok() {
                return Ok(id);
            }
        }
        let (cert_der, key_der, pem) = generate(VALIDITY_DAYS)?;
        write_private(&key_path, &key_der)?;
        std::fs::write(&cert_path, &cert_der).map_err(io(&cert_path))?;
        std::fs::write(&pem_path, pem).map_err(io(&pem_path))?;
        let end = not_after(&cert_der).ok_or_else(|| TlsError::Generate("unreadable certificate".into()))?;
        Ok(Self {
            cert_der,
            key_der: zeroize::Zeroizing::new(key_der),
            not_after: end,
            cert_pem_path: pem_path,
            created: true,
        })
    }

    /// The rustls server configuration (TLS 1.2 and 1.3, ring).
    pub fn server_config(&self) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(self.key_der.to_vec().into());
        let cert = rustls::pki_types::CertificateDer::from(self.cert_der.clone());
        let cfg = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Config(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .map_err(|e| TlsError::Config(e.to_string()))?;
        Ok(Arc::new(cfg))
    }

    /// Base64 of the SHA-256 of the certificate's SubjectPublicKeyInfo
    /// (Chromium's `--ignore-certificate-errors-spki-list`, HPKP's pin
    /// format, RFC 7469 §2.4).
    pub fn spki_sha256_base64(&self) -> String {
        spki_sha256_base64(&self.cert_der).unwrap_or_default()
    }

    /// SHA-256 of the certificate, hex (what a person compares).
    pub fn fingerprint(&self) -> String {
        hex::encode(kyso_pki::HashAlg::Sha256.digest(&self.cert_der))
    }
}

/// Base64 SHA-256 of the SubjectPublicKeyInfo of a DER certificate.
pub fn spki_sha256_base64(cert_der: &[u8]) -> Option<String> {
    let cert: kyso_pki::Certificate = kyso_pki::der::Decode::from_der(cert_der).ok()?;
    let spki = kyso_pki::der::Encode::to_der(cert.tbs_certificate().subject_public_key_info()).ok()?;
    Some(base64::engine::general_purpose::STANDARD.encode(kyso_pki::HashAlg::Sha256.digest(&spki)))
}

/// A P-256 key and a self-signed server certificate for 127.0.0.1 and
/// localhost (RFC 5280 §4.2.1.6 subjectAltName iPAddress and dNSName;
/// serverAuth EKU, §4.2.1.12): (certificate DER, PKCS#8 key DER, PEM).
fn generate(days: i64) -> Result<(Vec<u8>, Vec<u8>, String), TlsError> {
    let err = |e: rcgen::Error| TlsError::Generate(e.to_string());
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(err)?;
    let mut params =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).map_err(err)?;
    let host = std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "máy này".into());
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(rcgen::DnType::CommonName, "Kyso — dịch vụ ký số cục bộ (127.0.0.1)");
    dn.push(rcgen::DnType::OrganizationName, format!("Kyso trên {host}"));
    params.distinguished_name = dn;
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(days);
    params.is_ca = rcgen::IsCa::ExplicitNoCa;
    params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let mut serial = [0u8; 16];
    getrandom(&mut serial);
    serial[0] &= 0x7f;
    params.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));
    let cert = params.self_signed(&key).map_err(err)?;
    Ok((cert.der().to_vec(), key.serialize_der(), cert.pem()))
}

/// Random bytes from ring's system generator.
fn getrandom(out: &mut [u8]) {
    let _ = rustls::crypto::ring::default_provider().secure_random.fill(out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_once_kept_then_renewed_before_expiry() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = LocalIdentity::load_or_create(dir.path()).expect("create");
        assert!(a.created);
        assert!(a.server_config().is_ok());
        let left = a.not_after.duration_since(SystemTime::now()).expect("future");
        assert!(left > Duration::from_secs(390 * 86_400), "{left:?}");
        let b = LocalIdentity::load_or_create(dir.path()).expect("load");
        assert!(!b.created);
        assert_eq!(a.cert_der, b.cert_der);
        assert_eq!(a.spki_sha256_base64().len(), 44);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join("key.der")).expect("meta").permissions().mode();
            assert_eq!(mode & 0o077, 0, "the key is private");
        }
        // A damaged certificate is made again.
        std::fs::write(dir.path().join("cert.der"), b"junk").expect("write");
        let c = LocalIdentity::load_or_create(dir.path()).expect("remake");
        assert!(c.created);
        assert_ne!(c.cert_der, a.cert_der);
        let pem = std::fs::read_to_string(&c.cert_pem_path).expect("pem");
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
        // One expiring within 30 days is renewed at start.
        let (cert, key, _) = generate(10).expect("short");
        std::fs::write(dir.path().join("cert.der"), &cert).expect("write");
        std::fs::write(dir.path().join("key.der"), &key).expect("write");
        let d = LocalIdentity::load_or_create(dir.path()).expect("renew");
        assert!(d.created, "renewed");
        assert_ne!(d.cert_der, cert);
        // One with 31 days left is kept.
        let (cert, key, _) = generate(32).expect("kept");
        std::fs::write(dir.path().join("cert.der"), &cert).expect("write");
        std::fs::write(dir.path().join("key.der"), &key).expect("write");
        let e = LocalIdentity::load_or_create(dir.path()).expect("keep");
        assert!(!e.created);
        assert_eq!(e.cert_der, cert);
    }
}
