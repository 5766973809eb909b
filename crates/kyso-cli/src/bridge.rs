//! `kyso-cli bridge serve` and `kyso-cli bridge trust`: the e-office bridge
//! (crates/kyso-bridge) without the desktop app, for automation and tests.
//! Headless, nobody answers a confirmation: it signs only with the PIN
//! given on standard input, for the origins named on the command line, and
//! says so loudly; everything is journaled.

use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand};
use kyso_bridge::{Answer, Approver, BridgeConfig, Review};
use zeroize::Zeroizing;

use crate::ModuleArgs;
use crate::exit;

/// `kyso-cli bridge …`.
#[derive(Subcommand)]
pub enum BridgeCommand {
    /// Run the e-office bridge (wss://127.0.0.1:8987) without the desktop app.
    Serve(Box<ServeArgs>),
    /// Register the bridge's certificate with the NSS databases (Chromium, Firefox) found.
    Trust(TrustArgs),
}

/// `kyso-cli bridge serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (the service never listens on another interface).
    #[arg(long, default_value_t = kyso_bridge::DEFAULT_PORT)]
    port: u16,
    #[command(flatten)]
    modules: ModuleArgs,
    /// Token label or serial.
    #[arg(long, value_name = "LABEL_OR_SERIAL")]
    token: Option<String>,
    /// Certificate: serial (hex), CKA_ID (hex) or part of the subject's common name.
    #[arg(long)]
    cert: Option<String>,
    /// Read the token PIN from the first line of standard input. Without it
    /// every signature request is declined.
    #[arg(long)]
    pin_stdin: bool,
    /// A page origin (https://host[:port]) allowed to use the bridge (repeatable).
    /// No other origin is served.
    #[arg(long = "approve-origin", value_name = "ORIGIN")]
    approve_origins: Vec<String>,
    /// Answer GetCertInfo (the certificate's name and organisation) to the approved origins.
    #[arg(long)]
    share_cert_info: bool,
    /// A host the bridge may download from and upload to beyond the origin's own
    /// site, also on a private (intranet) address and over http (repeatable).
    #[arg(long = "allow-host", value_name = "HOST")]
    allow_hosts: Vec<String>,
    /// Tests only: allow loopback addresses (and http to them) as file and upload targets.
    #[arg(long)]
    insecure_loopback: bool,
    /// Largest file downloaded, in bytes.
    #[arg(long, default_value_t = 100 << 20)]
    max_size: u64,
    /// Seconds allowed for each download or upload, in total.
    #[arg(long, default_value_t = 120)]
    net_timeout: u64,
    /// CA certificate (PEM or DER) trusted for downloads and uploads instead of the
    /// built-in web roots (repeatable).
    #[arg(long = "ca-file", value_name = "FILE")]
    ca_files: Vec<PathBuf>,
    /// HTTP proxy (default: HTTPS_PROXY/NO_PROXY from the environment).
    #[arg(long, value_name = "URL")]
    proxy: Option<String>,
    /// Handwritten-signature image (PNG) for SignApproved.
    #[arg(long, value_name = "PNG")]
    image: Option<PathBuf>,
    /// Seal image (PNG) for SignIssued.
    #[arg(long, value_name = "PNG")]
    seal: Option<PathBuf>,
    /// The copying organisation for SignCopy (default: the certificate's O).
    #[arg(long)]
    org: Option<String>,
    /// PAdES level: B-B (default), B-T, B-LT, B-LTA.
    #[arg(long, default_value = "B-B", value_parser = ["B-B", "B-T", "B-LT", "B-LTA"])]
    level: String,
    /// Timestamp server (RFC 3161) for B-T and above.
    #[arg(long, default_value = kyso_pki::tsp::VGCA_TSA)]
    tsa: String,
    /// Issuer certificates for the pre-signing check when the token has none.
    #[arg(long, value_name = "PEM")]
    certs: Vec<PathBuf>,
    /// No network for the pre-signing check.
    #[arg(long)]
    offline: bool,
    /// Sign even when the certificate's revocation could not be checked.
    #[arg(long)]
    allow_unchecked: bool,
    /// Extra trust anchor for VerifyPDF/VerifyOffice (repeatable; beside the trust store).
    #[arg(long = "anchor", value_name = "FILE")]
    anchors: Vec<PathBuf>,
}

/// `kyso-cli bridge trust`.
#[derive(Args)]
pub struct TrustArgs {
    /// This NSS database directory only (repeatable); default: ~/.pki/nssdb and the
    /// Firefox profiles found.
    #[arg(long = "nssdb", value_name = "DIR")]
    nssdbs: Vec<PathBuf>,
}

/// The confirmation of the headless service: its flags.
struct Headless {
    origins: Vec<String>,
    /// Dropped when the token refuses it (each further try would cost one
    /// of the token's few).
    pin: std::sync::Mutex<Option<Zeroizing<String>>>,
    share_cert_info: bool,
}

fn normalize(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}

impl Approver for Headless {
    fn trust_origin(&self, origin: &str) -> bool {
        let ok = self.origins.iter().any(|o| *o == normalize(origin));
        if !ok {
            eprintln!("kyso-cli bridge: từ chối trang chưa được phép (origin refused): {origin}");
        }
        ok
    }

    fn confirm(&self, r: &Review<'_>) -> Answer {
        let who = r.certificate.and_then(|c| c.subject_cn.clone()).unwrap_or_default();
        eprintln!(
            "kyso-cli bridge: {} từ {} — tệp từ {} gửi về {} — chứng thư {who}{}{}",
            r.endpoint.name(),
            r.origin,
            r.source_host,
            r.upload_host,
            r.doc_number.map(|n| format!(" — số {n}")).unwrap_or_default(),
            r.issued_date.map(|d| format!(" — {d}")).unwrap_or_default(),
        );
        let pin = self.pin.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        match pin {
            Some(p) => Answer::Sign(p),
            None => {
                eprintln!("kyso-cli bridge: không có mã PIN dùng được: từ chối ký (no usable PIN: declined)");
                Answer::Decline
            }
        }
    }

    fn share_certificate(&self, origin: &str, _c: &kyso_pki::CertInfo) -> bool {
        eprintln!(
            "kyso-cli bridge: GetCertInfo từ {origin}: {}",
            if self.share_cert_info { "cho phép" } else { "từ chối" }
        );
        self.share_cert_info
    }

    fn pin_rejected(&self, code: &str) {
        eprintln!("kyso-cli bridge: token từ chối mã PIN ({code}); không dùng lại mã này (the PIN is dropped)");
        *self.pin.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }

    fn queue_changed(&self, waiting: usize) {
        if waiting > 1 {
            eprintln!("kyso-cli bridge: {waiting} yêu cầu đang chờ (queued)");
        }
    }
}

/// `kyso-cli bridge …`.
pub fn bridge(cmd: &BridgeCommand, json: bool) -> u8 {
    match cmd {
        BridgeCommand::Serve(a) => serve(a, json),
        BridgeCommand::Trust(a) => trust(a, json),
    }
}

fn serve(a: &ServeArgs, json: bool) -> u8 {
    for o in &a.approve_origins {
        if kyso_bridge::Origin::parse(o).is_none() {
            eprintln!(
                "kyso-cli bridge: --approve-origin {o}: cần dạng https://máy-chủ[:cổng] (expected https://host[:port])"
            );
            return exit::USAGE;
        }
    }
    let pin = if a.pin_stdin {
        let mut line = Zeroizing::new(String::new());
        if let Err(e) = std::io::stdin().lock().read_line(&mut line) {
            eprintln!("kyso-cli bridge: stdin: {e}");
            return exit::IO;
        }
        Some(Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_owned()))
    } else {
        None
    };
    let mut roots = Vec::new();
    for p in &a.ca_files {
        match std::fs::read(p) {
            Ok(d) => roots.extend(kyso_pki::load_certificates(&d).into_iter().map(|c| c.der)),
            Err(e) => {
                eprintln!("kyso-cli bridge: {}: {e}", p.display());
                return exit::IO;
            }
        }
    }
    let data_dir = kyso_core::data_dir();
    let mut cfg = BridgeConfig::new(&data_dir);
    cfg.port = a.port;
    cfg.net = kyso_bridge::NetPolicy {
        allow_loopback: a.insecure_loopback,
        allow_hosts: a.allow_hosts.clone(),
        max_bytes: a.max_size,
        timeout: Duration::from_secs(a.net_timeout),
        proxy: a.proxy.clone(),
        roots: (!roots.is_empty()).then_some(roots),
    };
    cfg.signing = kyso_bridge::SigningSetup {
        modules: a.modules.modules.clone(),
        token: a.token.clone(),
        certificate: a.cert.clone(),
        level: kyso_core::Level::parse(&a.level).unwrap_or_default(),
        tsa: kyso_core::Tsa { url: a.tsa.clone(), ..Default::default() },
        image: a.image.clone(),
        seal: a.seal.clone(),
        organization: a.org.clone(),
        certs: a.certs.clone(),
        offline: a.offline,
        allow_unchecked: a.allow_unchecked,
    };
    cfg.verify_anchors = a.anchors.clone();
    let signing = pin.is_some() && !a.approve_origins.is_empty();
    let approver = Headless {
        origins: a.approve_origins.iter().map(|o| normalize(o)).collect(),
        pin: std::sync::Mutex::new(pin),
        share_cert_info: a.share_cert_info,
    };
    let handle = match kyso_bridge::start(cfg, Arc::new(approver)) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("kyso-cli bridge: {e}");
            return exit::IO;
        }
    };
    eprintln!(
        "CẢNH BÁO (WARNING): kyso-cli bridge chạy không có giao diện: {} — mọi yêu cầu được ghi vào nhật ký.",
        if signing {
            "các trang đã cho phép được ký bằng mã PIN đã nhập mà không hỏi lại từng lần (requests from the approved origins are signed with the given PIN, without asking)"
        } else {
            "không ký (no signing: give --pin-stdin and --approve-origin)"
        }
    );
    let id = handle.identity();
    if json {
        println!(
            "{}",
            serde_json::json!({
                "listening": handle.addr().to_string(),
                "certificate": id.cert_pem_path.display().to_string(),
                "fingerprint_sha256": id.fingerprint(),
                "spki_sha256": id.spki_sha256_base64(),
                "journal": data_dir.display().to_string(),
            })
        );
    } else {
        println!(
            "Kyso bridge: https://{}/ — chứng thư {} (SHA-256 {})",
            handle.addr(),
            id.cert_pem_path.display(),
            id.fingerprint()
        );
    }
    handle.wait();
    exit::OK
}

/// NSS databases of this user: Chromium's and every Firefox profile's.
fn nss_databases() -> Vec<PathBuf> {
    let Some(home) = std::env::var_os("HOME").map(PathBuf::from) else { return Vec::new() };
    let mut out = Vec::new();
    let chromium = home.join(".pki/nssdb");
    if chromium.join("cert9.db").is_file() {
        out.push(chromium);
    }
    for base in [".mozilla/firefox", "snap/firefox/common/.mozilla/firefox"] {
        if let Ok(entries) = std::fs::read_dir(home.join(base)) {
            out.extend(entries.flatten().map(|e| e.path()).filter(|p| p.join("cert9.db").is_file()));
        }
    }
    out
}

fn trust(a: &TrustArgs, json: bool) -> u8 {
    let dir = kyso_core::data_dir().join("bridge");
    let id = match kyso_bridge::tls::LocalIdentity::load_or_create(&dir) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("kyso-cli bridge trust: {e}");
            return exit::IO;
        }
    };
    let dbs = if a.nssdbs.is_empty() { nss_databases() } else { a.nssdbs.clone() };
    let certutil = std::process::Command::new("certutil").arg("-H").output().is_ok();
    let mut results = Vec::new();
    for db in &dbs {
        let r = if certutil {
            add_to_nss(db, &id.cert_pem_path)
        } else {
            Err("certutil not installed (libnss3-tools)".into())
        };
        results.push((db.clone(), r));
    }
    if json {
        let list: Vec<_> = results
            .iter()
            .map(|(d, r)| serde_json::json!({"nssdb": d.display().to_string(), "ok": r.is_ok(), "error": r.as_ref().err()}))
            .collect();
        println!(
            "{}",
            serde_json::json!({"certificate": id.cert_pem_path.display().to_string(), "fingerprint_sha256": id.fingerprint(), "nss": list})
        );
    } else {
        println!(
            "Chứng thư của Kyso bridge (certificate): {} (SHA-256 {})",
            id.cert_pem_path.display(),
            id.fingerprint()
        );
        for (d, r) in &results {
            match r {
                Ok(()) => println!("  đã thêm vào (added to) {}", d.display()),
                Err(e) => println!("  không thêm được vào (not added to) {}: {e}", d.display()),
            }
        }
        if results.is_empty() {
            println!("  không thấy cơ sở dữ liệu NSS nào (no NSS database found); xem docs/e-office-bridge.md");
        }
        println!("  Windows, macOS: xem (see) docs/e-office-bridge.md");
    }
    if results.iter().all(|(_, r)| r.is_ok()) { exit::OK } else { exit::IO }
}

/// `certutil -A -t "P,,"`: the certificate is a trusted peer for TLS
/// servers (it is self-signed and no CA).
fn add_to_nss(db: &Path, pem: &Path) -> Result<(), String> {
    let out = std::process::Command::new("certutil")
        .args(["-A", "-d"])
        .arg(format!("sql:{}", db.display()))
        .args(["-n", "Kyso bridge (127.0.0.1)", "-t", "P,,", "-i"])
        .arg(pem)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&out.stderr).trim().to_owned()) }
}
