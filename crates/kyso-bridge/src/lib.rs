//! Kyso's e-office bridge: the local service that web applications written
//! for VGCA's plugin call (`wss://127.0.0.1:8987/<Endpoint>`, one JSON
//! frame in, one out; docs/e-office-bridge.md), answered through kyso-core
//! with the person in control:
//!
//! - it listens on 127.0.0.1 only, over TLS with a key and certificate made
//!   on this machine ([`tls::LocalIdentity`]);
//! - every request names the page's origin; an origin is served only once
//!   the [`Approver`] trusted it, and every signature is confirmed through
//!   the [`Approver`] (origin, file source, upload host, certificate, role)
//!   before the PIN;
//! - the URLs a page hands over are checked ([`net::NetPolicy`]): https,
//!   same site, no private, link-local or loopback addresses, no local
//!   files, a size limit and a deadline, credentials only to the origin;
//! - one request at a time, the others wait in order ([`Handle::pending`]);
//! - every request, refused ones included, goes into the activity journal.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod net;
pub mod protocol;
mod server;
pub mod tls;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use net::{NetError, NetPolicy, Origin};
pub use protocol::{Endpoint, FileReply, FileRequest, MetaItem, status};
pub use server::{Handle, start};

use kyso_core::{Level, Role, Tsa};
use kyso_pki::CertInfo;
use zeroize::Zeroizing;

/// The port VGCA's plugin protocol uses.
pub const DEFAULT_PORT: u16 = 8987;

/// What the person is shown before a signature (weakness 4 of the
/// protocol notes: origin, destination, document, role, number and date).
#[derive(Debug)]
pub struct Review<'a> {
    /// The page's origin.
    pub origin: &'a str,
    /// The endpoint called.
    pub endpoint: Endpoint,
    /// The host the file came from.
    pub source_host: &'a str,
    /// The host the signed file goes to.
    pub upload_host: &'a str,
    /// The downloaded document (for a preview).
    pub document: &'a Path,
    /// The role preset.
    pub role: Option<Role>,
    /// The number the page asks to write (SignIssued, SignAppendix).
    pub doc_number: Option<&'a str>,
    /// The date line the page asks to write (SignIssued).
    pub issued_date: Option<&'a str>,
    /// The certificate that will sign.
    pub certificate: Option<&'a CertInfo>,
    /// What the page says about the document (`MetaData`).
    pub metadata: &'a [(String, String)],
}

/// The person's answer to a [`Review`].
pub enum Answer {
    /// Sign, with this PIN (typed now; never cached by the bridge).
    Sign(Zeroizing<String>),
    /// Do not sign.
    Decline,
}

/// The person's side of the bridge: the desktop app answers with its own
/// windows; `kyso-cli bridge serve` answers from its flags.
pub trait Approver: Send + Sync {
    /// First request from `origin`: may it use the bridge at all? (The
    /// answer is remembered while the bridge runs; the desktop app keeps it
    /// in Settings.)
    fn trust_origin(&self, origin: &str) -> bool;

    /// Just before the PIN: sign what `review` shows?
    fn confirm(&self, review: &Review<'_>) -> Answer;

    /// `GetCertInfo`: may `origin` learn the name and organisation of the
    /// certificate (weakness 5)?
    fn share_certificate(&self, origin: &str, certificate: &CertInfo) -> bool;

    /// `FileName` was empty: the person picks a local file (`None`: not
    /// possible here, the request fails).
    fn pick_local_file(&self, _origin: &str) -> Option<PathBuf> {
        None
    }

    /// A verification's result, shown to the person (the page gets a
    /// summary).
    fn show_verification(&self, _origin: &str, _report: &kyso_core::DocumentReport) {}

    /// A request waits for its turn (`waiting` requests queued) or started.
    fn queue_changed(&self, _waiting: usize) {}

    /// The token refused the PIN given in [`Approver::confirm`] (`code`:
    /// `pin_incorrect`, `pin_locked`, `pin_invalid`): a PIN kept for
    /// later requests must be dropped, or each one would cost a try until
    /// the token locks.
    fn pin_rejected(&self, _code: &str) {}
}

/// How the bridge signs: the token and certificate, the look's images, the
/// level.
#[derive(Clone, Debug, Default)]
pub struct SigningSetup {
    /// PKCS#11 modules (empty: the usual ones).
    pub modules: Vec<PathBuf>,
    /// Token label or serial.
    pub token: Option<String>,
    /// Certificate serial, CKA_ID or part of the common name.
    pub certificate: Option<String>,
    /// The level (B-B default).
    pub level: Level,
    /// The TSA for B-T and above.
    pub tsa: Tsa,
    /// The handwritten-signature PNG (SignApproved).
    pub image: Option<PathBuf>,
    /// The seal PNG (SignIssued).
    pub seal: Option<PathBuf>,
    /// The copying organisation (SignCopy; default: the certificate's O).
    pub organization: Option<String>,
    /// Issuer certificates for the pre-signing check (PEM or DER files).
    pub certs: Vec<PathBuf>,
    /// No network for the pre-signing check.
    pub offline: bool,
    /// Sign when revocation could not be checked (explicit consent).
    pub allow_unchecked: bool,
}

/// The bridge's settings.
#[derive(Clone, Debug)]
pub struct BridgeConfig {
    /// The port on 127.0.0.1 (8987; 0 picks a free one, for tests).
    pub port: u16,
    /// The data directory (journal, TLS identity under `bridge/`).
    pub data_dir: PathBuf,
    /// Download and upload rules.
    pub net: NetPolicy,
    /// Signing.
    pub signing: SigningSetup,
    /// Extra trust anchors for VerifyPDF/VerifyOffice (beside the store's).
    pub verify_anchors: Vec<PathBuf>,
    /// How long a connection may take to send its request.
    pub request_timeout: Duration,
}

impl BridgeConfig {
    /// The defaults for `data_dir`: port 8987, the default network rules.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            port: DEFAULT_PORT,
            data_dir: data_dir.into(),
            net: NetPolicy::default(),
            signing: SigningSetup::default(),
            verify_anchors: Vec::new(),
            request_timeout: Duration::from_secs(30),
        }
    }

    /// Where the TLS identity is kept.
    pub fn identity_dir(&self) -> PathBuf {
        self.data_dir.join("bridge")
    }
}

/// Why the bridge could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The TLS identity.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// The port could not be bound (another service, VGCA's own, on it?).
    #[error("127.0.0.1:{port}: {source}")]
    Bind {
        /// The port.
        port: u16,
        /// The cause.
        source: std::io::Error,
    },
}
