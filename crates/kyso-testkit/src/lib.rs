//! Test support for Kyso: generates the fixture PKI with the repository's
//! own scripts (`tests/fixtures/make-pki.sh`, `provision-softhsm.sh`) into a
//! private temporary directory once per test process, and points SoftHSM at
//! it. Never the user's token store. Tests call [`fixture`]; when a tool,
//! the fixture or `../shared` is missing they call [`require`], which
//! skips with a printed reason, or fails the test when the run requires
//! every oracle (`KYSO_REQUIRE_ORACLES=1`, set by `tests/run.sh` and CI).
//!
//! This crate is the one place that sets an environment variable
//! (`SOFTHSM2_CONF`, read by SoftHSM at C_Initialize). It does so once,
//! under a `OnceLock`, before any module is loaded in this process.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub mod nd30;

/// Test user PINs of the fixture tokens.
pub mod pins {
    /// "VGCA GCA-01 CANHAN".
    pub const CANHAN: &str = "12345678";
    /// "VGCA GCA-01 TOCHUC".
    pub const TOCHUC: &str = "87654321";
    /// "VGCA GCA-01 PINTEST".
    pub const PINTEST: &str = "11112222";
    /// Password of the fixture PKCS#12 files.
    pub const P12: &str = "kyso-p12";
}

/// Token labels.
pub mod tokens {
    /// Personal certificates.
    pub const CANHAN: &str = "VGCA GCA-01 CANHAN";
    /// Organisation certificate.
    pub const TOCHUC: &str = "VGCA GCA-01 TOCHUC";
    /// For PIN tests (its own counters).
    pub const PINTEST: &str = "VGCA GCA-01 PINTEST";
}

/// A generated PKI and provisioned SoftHSM token store.
#[derive(Debug)]
pub struct Fixture {
    /// Directory with `root.pem`, `int.pem`, `canhan.pem`, `crl.pem`, … .
    pub pki: PathBuf,
    /// The private `softhsm2.conf`.
    pub softhsm_conf: PathBuf,
    /// The SoftHSM module.
    pub module: PathBuf,
    _dir: tempfile::TempDir,
}

impl Fixture {
    /// A file of the PKI directory.
    pub fn pki_file(&self, name: &str) -> PathBuf {
        self.pki.join(name)
    }
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap_or_else(|_| PathBuf::from("."))
}

/// `../shared` beside the repository, when present.
pub fn shared_dir() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KYSO_SHARED_DIR") {
        let p = PathBuf::from(p);
        return p.is_dir().then_some(p);
    }
    let p = repo_root().join("../shared");
    p.is_dir().then_some(p)
}

/// The SoftHSM module path, when installed.
pub fn softhsm_module() -> Option<PathBuf> {
    [
        "/usr/lib/softhsm/libsofthsm2.so",
        "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/lib64/pkcs11/libsofthsm2.so",
        "/usr/local/lib/softhsm/libsofthsm2.so",
        "/opt/homebrew/lib/softhsm/libsofthsm2.so",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok() || Command::new(tool).arg("version").output().is_ok()
}

fn build() -> Result<Fixture, String> {
    let module = softhsm_module().ok_or("SoftHSM2 is not installed (apt install softhsm2)")?;
    for tool in ["openssl", "pkcs11-tool", "softhsm2-util", "bash"] {
        if !have(tool) {
            return Err(format!("{tool} is not installed"));
        }
    }
    // Under target/ (cleaned by `cargo clean`); a process keeps its fixture
    // for its whole life, so fixtures older than a day are swept here.
    let base = repo_root().join("target/kyso-fixtures");
    std::fs::create_dir_all(&base).map_err(|e| e.to_string())?;
    if let Ok(entries) = std::fs::read_dir(&base) {
        for e in entries.flatten() {
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 86_400);
            if old {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    let dir = tempfile::Builder::new().prefix("kyso-fixture-").tempdir_in(&base).map_err(|e| e.to_string())?;
    let pki = dir.path().join("pki");
    let hsm = dir.path().join("hsm");
    let scripts = repo_root().join("tests/fixtures");
    let run = |script: &str, args: &[&Path]| -> Result<(), String> {
        let out = Command::new("bash")
            .arg(scripts.join(script))
            .args(args)
            .env("SOFTHSM2_CONF", hsm.join("softhsm2.conf"))
            .output()
            .map_err(|e| format!("{script}: {e}"))?;
        if !out.status.success() {
            return Err(format!("{script} failed: {}", String::from_utf8_lossy(&out.stderr)));
        }
        Ok(())
    };
    run("make-pki.sh", &[&pki])?;
    run("provision-softhsm.sh", &[&pki, &hsm, &module])?;
    let softhsm_conf = hsm.join("softhsm2.conf");
    // SAFETY: see the crate documentation; done once, before this process
    // loads any PKCS#11 module, under the fixture's OnceLock.
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("SOFTHSM2_CONF", &softhsm_conf);
    }
    Ok(Fixture { pki, softhsm_conf, module, _dir: dir })
}

/// Whether this run requires every tool and corpus the tests use: the
/// environment variable `KYSO_REQUIRE_ORACLES` is `1` (`tests/run.sh`, CI).
pub fn oracles_required() -> bool {
    std::env::var_os("KYSO_REQUIRE_ORACLES").is_some_and(|v| v == "1")
}

/// What a test calls where it cannot check something because a tool, the
/// fixture or `../shared` is missing, before it returns: prints
/// `SKIPPED: reason`, or, when the run requires every oracle
/// ([`oracles_required`]), fails the calling test with the reason, so that
/// no test passes without having checked anything.
#[track_caller]
pub fn require(reason: &str) {
    if oracles_required() {
        panic!("KYSO_REQUIRE_ORACLES=1 and this test cannot run: {reason}");
    }
    eprintln!("SKIPPED: {reason}");
}

/// Whether the program `tool` can be started (it exists on the `PATH`);
/// when it cannot, [`require`] is called with `reason` (the caller then
/// returns or leaves out the check).
#[track_caller]
pub fn tool_or_skip(tool: &str, reason: &str) -> bool {
    let found = Command::new(tool).arg("--version").output().is_ok();
    if !found {
        require(&format!("{tool} is not installed ({reason})"));
    }
    found
}

/// `../shared` ([`shared_dir`]), or [`require`] called with `what` (what
/// the caller leaves unchecked without it) and `None`.
#[track_caller]
pub fn shared_or_skip(what: &str) -> Option<PathBuf> {
    let dir = shared_dir();
    if dir.is_none() {
        require(&format!("../shared is absent: {what}"));
    }
    dir
}

/// The iText 5 / PDFBox 2 oracle of ../shared (`oracles/pdf-java/run`):
/// `None`, through [`require`], when it is absent.
pub fn java_oracle() -> Option<PathBuf> {
    let run = shared_or_skip("the iText 5 / PDFBox 2 oracle")?.join("oracles/pdf-java/run");
    if !run.is_file() {
        require("../shared/oracles/pdf-java/run is missing");
        return None;
    }
    Some(run)
}

/// A PKCS#12 of the fixture signer `name` (`NAME.key`, `NAME.pem`, the
/// intermediate) in `dir`, password [`pins::P12`]; made once per `dir`.
pub fn fixture_p12(fx: &Fixture, name: &str, dir: &Path) -> PathBuf {
    let out = dir.join(format!("{name}.p12"));
    if !out.exists() {
        let (ok, msg) = run(Command::new("openssl")
            .args(["pkcs12", "-export", "-inkey"])
            .arg(fx.pki_file(&format!("{name}.key")))
            .arg("-in")
            .arg(fx.pki_file(&format!("{name}.pem")))
            .arg("-certfile")
            .arg(fx.pki_file("int.pem"))
            .args(["-name", name, "-passout", &format!("pass:{}", pins::P12), "-out"])
            .arg(&out));
        assert!(ok, "openssl pkcs12: {msg}");
    }
    out
}

/// The process-wide fixture, built on first use. `None` (through
/// [`require`]: printed, or a failure under `KYSO_REQUIRE_ORACLES=1`) when
/// SoftHSM or the PKI tools are missing.
#[track_caller]
pub fn fixture() -> Option<&'static Fixture> {
    static FIXTURE: OnceLock<Result<Fixture, String>> = OnceLock::new();
    match FIXTURE.get_or_init(build) {
        Ok(f) => Some(f),
        Err(why) => {
            require(&format!("token fixture unavailable: {why}"));
            None
        }
    }
}

/// Skips the calling test (returns) when the fixture is unavailable (a
/// failure instead under `KYSO_REQUIRE_ORACLES=1`, see [`require`]).
#[macro_export]
macro_rules! require_fixture {
    () => {
        match $crate::fixture() {
            Some(f) => f,
            None => return,
        }
    };
}

/// Runs a command and returns (success, stdout+stderr).
pub fn run(cmd: &mut Command) -> (bool, String) {
    match cmd.output() {
        Ok(o) => (
            o.status.success(),
            format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)),
        ),
        Err(e) => (false, e.to_string()),
    }
}

/// pyHanko's validation of every signature in `file` (`pyhanko sign
/// validate`: the fixture root the only anchor, the intermediate given,
/// revocation not checked): whether it succeeded, and its output (stdout
/// then stderr). `None`, with the reason printed, without pyhanko.
pub fn pyhanko_validate(fx: &Fixture, file: &Path) -> Option<(bool, String)> {
    pyhanko(&[
        "sign".as_ref(),
        "validate".as_ref(),
        "--pretty-print".as_ref(),
        "--no-revocation-check".as_ref(),
        "--trust-replace".as_ref(),
        "--trust".as_ref(),
        fx.pki_file("root.pem").as_os_str(),
        "--other-certs".as_ref(),
        fx.pki_file("int.pem").as_os_str(),
        file.as_os_str(),
    ])
}

/// pyHanko's AdES validation of `file` (`pyhanko sign adesverify`:
/// revocation from the file itself), trusting only `root`: whether it
/// judged the file valid and nothing invalid, and its output.
pub fn pyhanko_adesverify(root: &Path, file: &Path) -> Option<(bool, String)> {
    let (ok, out) = pyhanko(&[
        "sign".as_ref(),
        "adesverify".as_ref(),
        "--pretty-print".as_ref(),
        "--trust-replace".as_ref(),
        "--trust".as_ref(),
        root.as_os_str(),
        file.as_os_str(),
    ])?;
    Some((ok && out.contains("judged VALID") && !out.contains("INVALID"), out))
}

/// Another tool's empty signature field: pyHanko adds `field`
/// (`PAGE/x1,y1,x2,y2/NAME`, as `pyhanko sign addfields --field` takes it)
/// to `input` and writes `output`. Panics when pyHanko fails; callers check
/// for the tool first ([`tool_or_skip`]).
pub fn pyhanko_add_field(input: &Path, output: &Path, field: &str) {
    let (ok, msg) = run(Command::new("pyhanko").args(["sign", "addfields", "--field", field]).arg(input).arg(output));
    assert!(ok, "pyhanko addfields: {msg}");
}

fn pyhanko(args: &[&std::ffi::OsStr]) -> Option<(bool, String)> {
    if !tool_or_skip("pyhanko", "the pyHanko check") {
        return None;
    }
    Some(run(Command::new("pyhanko").args(args)))
}

/// Writes a small PDF with `pages` pages and a classic xref table
/// (test input for signing; qpdf turns it into the other kinds).
pub fn minimal_pdf(path: &Path, pages: usize) {
    let mut objs: Vec<String> = Vec::new();
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    objs.push("<< /Type /Catalog /Pages 2 0 R >>".into());
    objs.push(format!("<< /Type /Pages /Kids [{}] /Count {pages} >>", kids.join(" ")));
    objs.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into());
    for i in 0..pages {
        objs.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            5 + 2 * i
        ));
        let text = format!("BT /F1 24 Tf 72 720 Td (Trang {}) Tj ET", i + 1);
        objs.push(format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()));
    }
    std::fs::write(path, pdf_from_objects(&objs)).unwrap();
}

/// A complete PDF from its objects, numbered from 1 (the first is the
/// catalog): header, bodies, a classic cross-reference table, trailer.
pub fn pdf_from_objects(objects: &[String]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f\r\n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R /ID [<0011223344556677> <0011223344556677>] >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1)
            .as_bytes(),
    );
    out
}

/// A local RFC 3161 timestamping authority on loopback, answering with
/// `openssl ts -reply` and the fixture TSA certificate. Stops with the process.
#[derive(Debug)]
pub struct TsaServer {
    /// `http://127.0.0.1:PORT/`.
    pub url: String,
}

/// A minimal HTTP/1.1 server on `listener`: each request's (path, body)
/// goes to `handle`, whose (ok, content type, body) is the answer. Requests
/// are answered one at a time (the openssl database is not concurrent).
fn serve<F>(listener: std::net::TcpListener, handle: F)
where
    F: Fn(&str, &[u8]) -> Option<(&'static str, Vec<u8>)> + Send + Sync + 'static,
{
    use std::io::{BufRead, BufReader, Read, Write};
    let handle = std::sync::Arc::new(handle);
    let lock = std::sync::Arc::new(std::sync::Mutex::new(()));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (lock, handle) = (lock.clone(), handle.clone());
            std::thread::spawn(move || {
                let Ok(clone) = stream.try_clone() else { return };
                let mut reader = BufReader::new(clone);
                let mut len = 0usize;
                let mut path = String::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    if path.is_empty() {
                        path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
                    }
                    let l = line.trim_end().to_ascii_lowercase();
                    if l.is_empty() {
                        break;
                    }
                    if let Some(v) = l.strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0u8; len.min(1 << 20)];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let answer = {
                    let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
                    handle(&path, &body)
                };
                let mut s = stream;
                let (head, ctype, reply) = match answer {
                    Some((ctype, reply)) => ("200 OK", ctype, reply),
                    None => ("503 Service Unavailable", "text/plain", Vec::new()),
                };
                let _ = write!(
                    s,
                    "HTTP/1.1 {head}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    reply.len()
                );
                let _ = s.write_all(&reply);
            });
        }
    });
}

/// Runs an openssl command in the fixture's PKI directory on `input`,
/// returning what it wrote to `-out`/`-respout`.
fn openssl_reply(pki: &Path, args: &[&str], input: &[u8], out_flag: &str) -> Option<Vec<u8>> {
    // One openssl at a time per process: the TSA serial file and the CA
    // database are shared by every server of the fixture.
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = ONE.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().ok()?;
    let (q, r) = (dir.path().join("in.der"), dir.path().join("out.der"));
    std::fs::write(&q, input).ok()?;
    let ok = Command::new("openssl")
        .args(args)
        .arg(&q)
        .arg(out_flag)
        .arg(&r)
        .current_dir(pki)
        .env("KYSO_CA", "int")
        .output()
        .is_ok_and(|o| o.status.success());
    if ok { std::fs::read(&r).ok() } else { None }
}

/// Starts a TSA for `fx` (one per call; each listens on its own port).
pub fn start_tsa(fx: &'static Fixture) -> TsaServer {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!("http://{}/", listener.local_addr().expect("addr"));
    let pki = fx.pki.clone();
    serve(listener, move |_, body| {
        openssl_reply(&pki, &["ts", "-reply", "-config", "ca.cnf", "-queryfile"], body, "-out")
            .map(|r| ("application/timestamp-reply", r))
    });
    TsaServer { url }
}

/// The loopback OCSP responder and CRL server the fixture certificates
/// name (make-pki.sh): `openssl ocsp` over the intermediate's database with
/// the delegated responder certificate, and `int.crl`. Each can be switched
/// off (answers 503) to test caches and fallbacks.
#[derive(Debug)]
pub struct RevocationServer {
    /// Whether the OCSP responder answers.
    pub ocsp_on: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Whether the CRL server answers.
    pub crl_on: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// OCSP requests answered so far.
    pub ocsp_hits: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// Downloads of the intermediate's CRL served so far.
    pub crl_hits: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

/// Starts (once per process) the revocation services on their fixed ports
/// (OCSP 47961, CRL 47962); `None`, through [`require`], when a port is
/// taken by another process.
pub fn start_revocation_server(fx: &'static Fixture) -> Option<&'static RevocationServer> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    static SERVER: OnceLock<Option<RevocationServer>> = OnceLock::new();
    SERVER
        .get_or_init(|| {
            let (ocsp, crl) = match (
                std::net::TcpListener::bind("127.0.0.1:47961"),
                std::net::TcpListener::bind("127.0.0.1:47962"),
            ) {
                (Ok(a), Ok(b)) => (a, b),
                (Err(e), _) | (_, Err(e)) => {
                    require(&format!("loopback revocation ports 47961/47962 are taken: {e}"));
                    return None;
                }
            };
            let server = RevocationServer {
                ocsp_on: Arc::new(AtomicBool::new(true)),
                crl_on: Arc::new(AtomicBool::new(true)),
                ocsp_hits: Arc::new(AtomicUsize::new(0)),
                crl_hits: Arc::new(AtomicUsize::new(0)),
            };
            let (on, hits, pki) = (server.ocsp_on.clone(), server.ocsp_hits.clone(), fx.pki.clone());
            serve(ocsp, move |_, body| {
                if !on.load(Ordering::SeqCst) {
                    return None;
                }
                hits.fetch_add(1, Ordering::SeqCst);
                openssl_reply(
                    &pki,
                    &[
                        "ocsp",
                        "-index",
                        "db/int/index.txt",
                        "-CA",
                        "int.pem",
                        "-rsigner",
                        "ocsp.pem",
                        "-rkey",
                        "ocsp.key",
                        "-rother",
                        "int.pem",
                        "-ndays",
                        "1",
                        "-reqin",
                    ],
                    body,
                    "-respout",
                )
                .map(|r| ("application/ocsp-response", r))
            });
            let (on, hits, pki) = (server.crl_on.clone(), server.crl_hits.clone(), fx.pki.clone());
            serve(crl, move |path, _| {
                let file = match path {
                    "/int.crl" => "crl.der",
                    // The intermediate's own distribution point (not counted).
                    "/root.crl" => "root-crl.der",
                    _ => return None,
                };
                if !on.load(Ordering::SeqCst) {
                    return None;
                }
                if file == "crl.der" {
                    hits.fetch_add(1, Ordering::SeqCst);
                }
                std::fs::read(pki.join(file)).ok().map(|c| ("application/pkix-crl", c))
            });
            Some(server)
        })
        .as_ref()
}

/// A self-signed certificate that takes the VGCA root's name ("RootCA
/// chuyên dùng Chính phủ G2") without being it, made by openssl in `dir`:
/// the PEM's path. The pins must refuse it.
pub fn impostor_root_g2(dir: &Path) -> PathBuf {
    let (key, pem) = (dir.join("impostor.key"), dir.join("impostor.pem"));
    let (ok, out) = run(Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-utf8", "-subj"])
        .arg("/C=VN/O=Ban Cơ yếu Chính phủ/CN=RootCA chuyên dùng Chính phủ G2")
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&pem));
    assert!(ok, "openssl req: {out}");
    pem
}

/// The Chromium binary of this machine (Debian's `chromium` first).
pub fn chromium_binary() -> Option<&'static str> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .into_iter()
        .find(|p| Path::new(p).exists())
}

/// Writes a ZIP package (deflated) of `parts`, (name, content), in order.
pub fn write_zip<S: AsRef<[u8]>>(path: &Path, parts: &[(&str, S)]) -> std::io::Result<()> {
    let mut w = zip::ZipWriter::new(std::fs::File::create(path)?);
    let o = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in parts {
        w.start_file(*name, o).map_err(std::io::Error::other)?;
        std::io::Write::write_all(&mut w, data.as_ref())?;
    }
    w.finish().map_err(std::io::Error::other)?;
    Ok(())
}

/// A generated Word document with Vietnamese text, an image part, core
/// properties and an Office-like layout (test input for OOXML signing).
pub fn minimal_docx(path: &Path, text: &str) {
    let files: [(&str, String); 6] = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#.to_owned()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
  <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
  <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>"#.to_owned()),
        ("word/document.xml", format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"#)),
        ("word/_rels/document.xml.rels", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.png"/></Relationships>"#.to_owned()),
        ("word/media/image1.png", "\u{89}PNG not really".to_owned()),
        ("docProps/core.xml", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Công văn</dc:title></cp:coreProperties>"#.to_owned()),
    ];
    write_zip(path, &files).expect("write test DOCX");
}

/// Signs `src` into `out` with pyHanko through the fixture's SoftHSM token
/// (the reference signer: its files our verifier must accept). `label` is
/// the certificate and key label on the token. Returns (success, stderr).
pub fn pyhanko_pkcs11_sign(
    fx: &Fixture,
    token: &str,
    pin: &str,
    label: &str,
    src: &Path,
    out: &Path,
) -> (bool, String) {
    use std::io::Write;
    let child = Command::new("pyhanko")
        .args(["sign", "addsig", "--field", "PyHanko", "pkcs11", "--lib"])
        .arg(&fx.module)
        .args(["--token-label", token, "--cert-label", label, "--key-label", label])
        .arg(src)
        .arg(out)
        .env("SOFTHSM2_CONF", &fx.softhsm_conf)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return (false, e.to_string()),
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = writeln!(stdin, "{pin}");
    }
    match child.wait_with_output() {
        Ok(o) => (o.status.success(), String::from_utf8_lossy(&o.stderr).into_owned()),
        Err(e) => (false, e.to_string()),
    }
}

/// A loopback HTTP forward proxy for the proxy tests: absolute-form
/// requests (RFC 9112 §3.2.2) are relayed, `CONNECT` (RFC 9110 §9.3.6)
/// opens a tunnel; with credentials, anything without the matching
/// `Proxy-Authorization: Basic` gets 407 (RFC 9110 §15.5.8). Host names in
/// its own table resolve only here, so a client that bypasses the proxy
/// cannot reach them. Stops with the process.
#[derive(Debug)]
pub struct ForwardProxy {
    /// `http://127.0.0.1:PORT` (without credentials).
    pub url: String,
    /// Absolute-form requests relayed.
    pub relayed: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// `CONNECT` tunnels opened.
    pub tunnels: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// Requests refused with 407.
    pub refused: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// `host:port` of every request relayed or tunnelled, in order.
    pub targets: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl ForwardProxy {
    /// The proxy URL with `user:password@` (percent-encoding left to the caller).
    pub fn url_with(&self, user: &str, password: &str) -> String {
        self.url.replacen("http://", &format!("http://{user}:{password}@"), 1)
    }

    /// The targets seen so far.
    pub fn seen(&self) -> Vec<String> {
        self.targets.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let n =
            (u32::from(c[0]) << 16) | (u32::from(*c.get(1).unwrap_or(&0)) << 8) | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Starts a forward proxy on loopback. `credentials` (user, password), when
/// given, are required; `names` maps host names only this proxy resolves.
pub fn start_forward_proxy(credentials: Option<(&str, &str)>, names: &[(&str, std::net::SocketAddr)]) -> ForwardProxy {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let proxy = ForwardProxy {
        url,
        relayed: Arc::new(AtomicUsize::new(0)),
        tunnels: Arc::new(AtomicUsize::new(0)),
        refused: Arc::new(AtomicUsize::new(0)),
        targets: Arc::new(Mutex::new(Vec::new())),
    };
    let expected = credentials.map(|(u, p)| format!("basic {}", base64(format!("{u}:{p}").as_bytes())));
    let names: Arc<Vec<(String, std::net::SocketAddr)>> =
        Arc::new(names.iter().map(|(n, a)| (n.to_ascii_lowercase(), *a)).collect());
    let (relayed, tunnels, refused, targets) =
        (proxy.relayed.clone(), proxy.tunnels.clone(), proxy.refused.clone(), proxy.targets.clone());
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let (expected, names) = (expected.clone(), names.clone());
            let (relayed, tunnels, refused, targets) =
                (relayed.clone(), tunnels.clone(), refused.clone(), targets.clone());
            std::thread::spawn(move || {
                let Some(req) = read_proxy_request(&client) else { return };
                let mut out = &client;
                if let Some(want) = &expected {
                    let got = req.header("proxy-authorization").map(|v| {
                        // The scheme is case-insensitive (RFC 9110 §11.1).
                        let (s, rest) = v.split_once(' ').unwrap_or((v, ""));
                        format!("{} {}", s.to_ascii_lowercase(), rest.trim())
                    });
                    if got.as_deref() != Some(want.as_str()) {
                        refused.fetch_add(1, Ordering::SeqCst);
                        let _ = std::io::Write::write_all(
                            &mut out,
                            b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"kyso\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                        );
                        return;
                    }
                }
                let resolve = |hostport: &str| -> Option<std::net::TcpStream> {
                    use std::net::ToSocketAddrs;
                    let (host, port) = split_host_port(hostport)?;
                    let addr = match names.iter().find(|(n, _)| *n == host.to_ascii_lowercase()) {
                        Some((_, a)) => *a,
                        None => (host.as_str(), port).to_socket_addrs().ok()?.next()?,
                    };
                    std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(5)).ok()
                };
                if req.method == "CONNECT" {
                    let Some(upstream) = resolve(&req.target) else {
                        let _ = std::io::Write::write_all(
                            &mut out,
                            b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n",
                        );
                        return;
                    };
                    tunnels.fetch_add(1, Ordering::SeqCst);
                    targets.lock().unwrap_or_else(|e| e.into_inner()).push(req.target.clone());
                    let _ = std::io::Write::write_all(&mut out, b"HTTP/1.1 200 Connection established\r\n\r\n");
                    let (Ok(mut c2), Ok(mut u2)) = (client.try_clone(), upstream.try_clone()) else { return };
                    let up = std::thread::spawn(move || {
                        let _ = std::io::copy(&mut c2, &mut u2);
                        let _ = u2.shutdown(std::net::Shutdown::Write);
                    });
                    let (mut u, mut c) = (&upstream, &client);
                    let _ = std::io::copy(&mut u, &mut c);
                    let _ = client.shutdown(std::net::Shutdown::Both);
                    let _ = up.join();
                    return;
                }
                // Absolute form: http://host[:port]/path.
                let Some(rest) = req.target.strip_prefix("http://") else {
                    let _ =
                        std::io::Write::write_all(&mut out, b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
                    return;
                };
                let (hostport, path) = match rest.find('/') {
                    Some(i) => (&rest[..i], &rest[i..]),
                    None => (rest, "/"),
                };
                let hostport =
                    if split_host_port(hostport).is_some() { hostport.to_owned() } else { format!("{hostport}:80") };
                let Some(mut upstream) = resolve(&hostport) else {
                    let _ =
                        std::io::Write::write_all(&mut out, b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
                    return;
                };
                relayed.fetch_add(1, Ordering::SeqCst);
                targets.lock().unwrap_or_else(|e| e.into_inner()).push(hostport.clone());
                let mut head = format!("{} {path} HTTP/1.1\r\n", req.method);
                for (k, v) in &req.headers {
                    let lk = k.to_ascii_lowercase();
                    if !matches!(lk.as_str(), "proxy-authorization" | "proxy-connection" | "connection") {
                        head.push_str(&format!("{k}: {v}\r\n"));
                    }
                }
                head.push_str("Connection: close\r\n\r\n");
                if std::io::Write::write_all(&mut upstream, head.as_bytes()).is_err()
                    || std::io::Write::write_all(&mut upstream, &req.body).is_err()
                {
                    return;
                }
                let _ = std::io::copy(&mut upstream, &mut out);
            });
        }
    });
    proxy
}

/// `host:port` or `[v6]:port` → (host without brackets, port).
fn split_host_port(s: &str) -> Option<(String, u16)> {
    if let Some(rest) = s.strip_prefix('[') {
        let (h, p) = rest.split_once("]:")?;
        return Some((h.to_owned(), p.parse().ok()?));
    }
    let (h, p) = s.rsplit_once(':')?;
    Some((h.to_owned(), p.parse().ok()?))
}

struct ProxyRequest {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl ProxyRequest {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Reads one request head and its Content-Length body, byte by byte (so
/// nothing of a tunnel's first bytes is swallowed).
fn read_proxy_request(mut s: &std::net::TcpStream) -> Option<ProxyRequest> {
    use std::io::Read;
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if s.read(&mut b).ok()? == 0 || head.len() > 64 << 10 {
            return None;
        }
        head.push(b[0]);
    }
    let text = String::from_utf8(head).ok()?;
    let mut lines = text.split("\r\n");
    let mut first = lines.next()?.split_whitespace();
    let (method, target) = (first.next()?.to_owned(), first.next()?.to_owned());
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned())).collect();
    let len = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len.min(16 << 20)];
    s.read_exact(&mut body).ok()?;
    Some(ProxyRequest { method, target, headers, body })
}

pub mod eoffice;
