//! A test e-office application for the bridge (docs/e-office-bridge.md):
//! a loopback HTTPS server with its own test CA serving a page with our own
//! small JavaScript client of the plugin protocol, the documents to sign,
//! and an upload handler that stores what it receives and answers like the
//! real ones (`{"Status": true, "FileServer": …}`). Plus a WebDriver
//! client for headless Chromium (chromedriver's HTTP API, W3C WebDriver).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;

/// What the upload handler received.
#[derive(Clone, Debug, Default)]
pub struct Upload {
    /// The request target's query string (kept by the bridge).
    pub query: String,
    /// The form fields (MetaData).
    pub fields: Vec<(String, String)>,
    /// The file part's name (`uploadfile`) and file name.
    pub part: String,
    /// Its file name.
    pub file_name: String,
    /// The file.
    pub bytes: Vec<u8>,
    /// The `Cookie` header.
    pub cookie: Option<String>,
    /// The `Authorization` header.
    pub authorization: Option<String>,
    /// Where the app serves it again (`FileServer`).
    pub served_at: String,
}

/// A test CA and a server certificate for 127.0.0.1 and localhost.
pub struct TestCa {
    /// The CA certificate (DER): what the bridge trusts for downloads.
    pub ca_der: Vec<u8>,
    /// The server certificate (DER).
    pub server_der: Vec<u8>,
    server_key: Vec<u8>,
}

impl TestCa {
    /// A fresh CA (P-256) and its server certificate.
    pub fn new() -> Self {
        let ca_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        ca.distinguished_name.push(rcgen::DnType::CommonName, "Kyso TEST e-office CA");
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign, rcgen::KeyUsagePurpose::CrlSign];
        let ca_cert = ca.self_signed(&ca_key).expect("ca");
        let issuer = rcgen::Issuer::new(ca, ca_key);
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
        let mut leaf =
            rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).expect("params");
        leaf.distinguished_name.push(rcgen::DnType::CommonName, "qlvb.test");
        leaf.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let server = leaf.signed_by(&key, &issuer).expect("leaf");
        Self { ca_der: ca_cert.der().to_vec(), server_der: server.der().to_vec(), server_key: key.serialize_der() }
    }

    /// Writes the CA certificate as DER to `path`.
    pub fn write_ca(&self, path: &Path) {
        std::fs::write(path, &self.ca_der).expect("write CA");
    }

    fn server_config(&self) -> Arc<rustls::ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let cfg = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![rustls::pki_types::CertificateDer::from(self.server_der.clone())],
                rustls::pki_types::PrivateKeyDer::Pkcs8(self.server_key.clone().into()),
            )
            .expect("server config");
        Arc::new(cfg)
    }
}

impl Default for TestCa {
    fn default() -> Self {
        Self::new()
    }
}

/// The running test e-office app.
pub struct EOfficeApp {
    /// `https://127.0.0.1:PORT`.
    pub origin: String,
    /// Its port.
    pub port: u16,
    /// What the upload handler stored, in order.
    pub uploads: Arc<Mutex<Vec<Upload>>>,
    /// The CA its certificate chains to.
    pub ca: TestCa,
}

/// What the app serves.
#[derive(Clone, Debug)]
pub struct AppFiles {
    /// `/files/van-ban.pdf`.
    pub document: Vec<u8>,
    /// The bridge's port the page's client connects to (`?bridge=PORT`
    /// overrides it).
    pub bridge_port: u16,
    /// Size of `/files/lon.bin` (a file over the bridge's limit).
    pub big_size: usize,
    /// More files, served at `/files/<name>`.
    pub extra: Vec<(String, Vec<u8>)>,
}

impl EOfficeApp {
    /// Starts the app on 127.0.0.1 (a free port).
    pub fn start(files: AppFiles) -> Self {
        let ca = TestCa::new();
        let tls = ca.server_config();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let uploads: Arc<Mutex<Vec<Upload>>> = Arc::default();
        let (u, f) = (uploads.clone(), Arc::new(files));
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (tls, u, f) = (tls.clone(), u.clone(), f.clone());
                std::thread::spawn(move || {
                    let _ = serve(conn, tls, &u, &f, port);
                });
            }
        });
        Self { origin: format!("https://127.0.0.1:{port}"), port, uploads, ca }
    }

    /// The uploads so far.
    pub fn uploads(&self) -> Vec<Upload> {
        self.uploads.lock().map(|u| u.clone()).unwrap_or_default()
    }
}

fn serve(
    tcp: TcpStream,
    tls: Arc<rustls::ServerConfig>,
    uploads: &Mutex<Vec<Upload>>,
    files: &AppFiles,
    port: u16,
) -> std::io::Result<()> {
    tcp.set_read_timeout(Some(Duration::from_secs(30)))?;
    let conn = rustls::ServerConnection::new(tls).map_err(std::io::Error::other)?;
    let mut s = rustls::StreamOwned::new(conn, tcp);
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if s.read(&mut byte)? == 0 || buf.len() > 65536 {
            return Ok(());
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let mut lines = head.split("\r\n");
    let first: Vec<&str> = lines.next().unwrap_or("").split(' ').collect();
    let (method, target) = (first.first().copied().unwrap_or(""), first.get(1).copied().unwrap_or("/"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let header = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    match (method, path) {
        ("GET", "/") => reply(&mut s, "200 OK", "text/html; charset=utf-8", page(files.bridge_port).as_bytes()),
        ("GET", "/files/van-ban.pdf") => reply(&mut s, "200 OK", "application/pdf", &files.document),
        ("GET", "/files/lon.bin") => {
            let big = vec![b'x'; files.big_size];
            reply(&mut s, "200 OK", "application/pdf", &big)
        }
        ("GET", p) if files.extra.iter().any(|(n, _)| p.strip_prefix("/files/") == Some(n.as_str())) => {
            let body =
                files.extra.iter().find(|(n, _)| p.strip_prefix("/files/") == Some(n.as_str())).map(|(_, b)| b.clone());
            reply(&mut s, "200 OK", "application/octet-stream", &body.unwrap_or_default())
        }
        ("GET", p) if p.starts_with("/files/signed-") => {
            let found =
                uploads.lock().ok().and_then(|u| u.iter().find(|x| x.served_at.ends_with(p)).map(|x| x.bytes.clone()));
            match found {
                Some(b) => reply(&mut s, "200 OK", "application/pdf", &b),
                None => reply(&mut s, "404 Not Found", "text/plain", b"no"),
            }
        }
        ("POST", "/upload") => {
            let len: usize = header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
            let mut body = vec![0u8; len];
            s.read_exact(&mut body)?;
            let ctype = header("content-type").unwrap_or_default();
            let Some(boundary) = ctype.split("boundary=").nth(1).map(|b| b.trim_matches('"').to_owned()) else {
                return reply(&mut s, "200 OK", "text/html", br#"{"Status":false,"Message":"not multipart"}"#);
            };
            let mut up = parse_multipart(&body, &boundary);
            up.query = query.to_owned();
            up.cookie = header("cookie");
            up.authorization = header("authorization");
            let n = uploads.lock().map(|u| u.len()).unwrap_or(0);
            up.served_at = format!("https://127.0.0.1:{port}/files/signed-{n}.pdf");
            let answer = serde_json::json!({
                "Status": !up.bytes.is_empty() && up.part == "uploadfile",
                "Message": "Đã lưu",
                "FileName": up.file_name,
                "FileServer": up.served_at,
            });
            if let Ok(mut u) = uploads.lock() {
                u.push(up);
            }
            // Real handlers answer JSON as text/html.
            reply(&mut s, "200 OK", "text/html; charset=utf-8", answer.to_string().as_bytes())
        }
        _ => reply(&mut s, "404 Not Found", "text/plain", b"not found"),
    }
}

type Tls = rustls::StreamOwned<rustls::ServerConnection, TcpStream>;

fn reply(s: &mut Tls, code: &str, ctype: &str, body: &[u8]) -> std::io::Result<()> {
    write!(
        s,
        "HTTP/1.1 {code}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    s.write_all(body)?;
    s.flush()?;
    s.conn.send_close_notify();
    s.flush()
}

/// RFC 7578 form parts: fields and the one file.
fn parse_multipart(body: &[u8], boundary: &str) -> Upload {
    let mut up = Upload::default();
    let delim = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut rest = body;
    while let Some(i) = find(rest, delim.as_bytes()) {
        let after = &rest[i + delim.len()..];
        if after.starts_with(b"--") {
            break;
        }
        let after = after.strip_prefix(b"\r\n").unwrap_or(after);
        let end = find(after, delim.as_bytes()).unwrap_or(after.len());
        parts.push(&after[..end]);
        rest = &after[end..];
    }
    for p in parts {
        let Some(h) = find(p, b"\r\n\r\n") else { continue };
        let all = String::from_utf8_lossy(&p[..h]).into_owned();
        let head = all
            .split("\r\n")
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))
            .unwrap_or("")
            .to_owned();
        let mut data = &p[h + 4..];
        data = data.strip_suffix(b"\r\n").unwrap_or(data);
        let param = |k: &str| {
            head.split(';')
                .map(str::trim)
                .find_map(|x| x.strip_prefix(&format!("{k}=\"")).map(|v| v.trim_end_matches('"').to_owned()))
        };
        let name = param("name").unwrap_or_default();
        match param("filename") {
            Some(f) => {
                up.part = name;
                up.file_name = f;
                up.bytes = data.to_vec();
            }
            None => up.fields.push((name, String::from_utf8_lossy(data).into_owned())),
        }
    }
    up
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The page: our own client of the plugin protocol (one WebSocket per
/// call, one JSON frame each way) and the three buttons of an e-office
/// screen.
fn page(bridge_port: u16) -> String {
    PAGE.replace("__BRIDGE_PORT__", &bridge_port.to_string())
}

const PAGE: &str = r#"<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>QLVB thử nghiệm</title>
<style>body{font-family:sans-serif;margin:1.5em}button{margin:.3em;padding:.4em 1em}pre{background:#f4f4f4;padding:.5em;white-space:pre-wrap}</style>
</head><body>
<h1>Hệ thống quản lý văn bản (thử nghiệm)</h1>
<p>Văn bản: <a href="/files/van-ban.pdf">van-ban.pdf</a></p>
<p><button id="duyet">Ký duyệt</button></p>
<p>Số: <input id="so" value=""> Ngày: <input id="ngay" value=""> <button id="phathanh">Phát hành</button></p>
<p><button id="kiemtra">Kiểm tra</button></p>
<pre id="log"></pre>
<script>
"use strict";
// Our own client of the plugin protocol: wss://127.0.0.1:PORT/<Endpoint>,
// one text frame sent when the socket opens, the first reply passed on.
// ?bridge=PORT: another machine's bridge (the clerk's); ?file=URL: the
// document this screen works on.
const params = new URLSearchParams(location.search);
const KYSO = "wss://127.0.0.1:" + (params.get("bridge") || "__BRIDGE_PORT__") + "/";
window.kysoResults = [];
function kysoCall(endpoint, request, done) {
  let answered = false;
  const finish = (r) => { if (!answered) { answered = true; window.kysoResults.push({endpoint, reply: r}); log(endpoint, r); done(r); } };
  let ws;
  try { ws = new WebSocket(KYSO + endpoint); } catch (e) { finish({Status: -1, Message: String(e)}); return; }
  ws.onopen = () => ws.send(typeof request === "string" ? request : JSON.stringify(request));
  ws.onmessage = (ev) => {
    let r;
    try { r = JSON.parse(ev.data); } catch (e) { r = {Status: -1, Message: "bad reply"}; }
    ws.close();
    finish(r);
  };
  ws.onerror = () => finish({Status: -1, Message: "Không kết nối được dịch vụ ký số"});
  ws.onclose = () => finish({Status: -1, Message: "closed"});
}
function log(endpoint, r) {
  document.getElementById("log").textContent += endpoint + " → " + JSON.stringify(r) + "\n";
}
const base = location.origin;
let current = params.get("file") || base + "/files/van-ban.pdf";
function fileRequest(extra) {
  return Object.assign({
    FileUploadHandler: base + "/upload?docid=42&token=mot-lan",
    SessionId: "phien-thu",
    JWTToken: "jwt-thu",
    FileName: current,
    MetaData: [{Key: "docid", Value: "42"}, {Key: "nguoi", Value: "Nguyễn Văn A"}],
  }, extra || {});
}
document.getElementById("duyet").onclick = () =>
  kysoCall("SignApproved", fileRequest(), (r) => { if (r.Status === 0) current = r.FileServer; });
document.getElementById("phathanh").onclick = () =>
  kysoCall("SignIssued", fileRequest({DocNumber: document.getElementById("so").value,
                                      IssuedDate: document.getElementById("ngay").value}),
           (r) => { if (r.Status === 0) current = r.FileServer; });
document.getElementById("kiemtra").onclick = () =>
  kysoCall("VerifyPDF", {SessionId: "phien-thu", FileName: current}, () => {});
// For the tests: any endpoint with any frame.
window.kysoRaw = (endpoint, frame) => kysoCall(endpoint, frame, () => {});
</script>
</body></html>
"#;

/// Headless Chromium driven through chromedriver (W3C WebDriver over
/// HTTP).
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session trusting the
    /// certificates whose SPKI hashes are given.
    pub fn start(spki_hashes: &[String]) -> Result<Self, String> {
        let port = TcpListener::bind("127.0.0.1:0")
            .map_err(|e| e.to_string())?
            .local_addr()
            .map_err(|e| e.to_string())?
            .port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("chromedriver: {e}"))?;
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], port))).is_err() {
            if Instant::now() > deadline {
                return Err("chromedriver did not start".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().map_err(|e| e.to_string())?;
        let binary = crate::chromium_binary().unwrap_or("chromium");
        let caps = serde_json::json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": binary,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--window-size=1000,800", "--no-first-run",
                    format!("--user-data-dir={}", profile.path().display()),
                    format!("--ignore-certificate-errors-spki-list={}", spki_hashes.join(",")),
                ]
            }
        }}});
        let mut b = Self { driver, base, session: String::new(), _profile: profile };
        let v = b.post("/session", &caps)?;
        b.session = v["value"]["sessionId"].as_str().ok_or_else(|| format!("no session: {v}"))?.to_owned();
        Ok(b)
    }

    fn call(&self, method: &str, path: &str, body: Option<&serde_json::Value>) -> Result<serde_json::Value, String> {
        let url = format!("{}{}", self.base, path);
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .build()
            .into();
        let mut resp = match (method, body) {
            ("POST", Some(b)) => agent.post(&url).header("Content-Type", "application/json").send(b.to_string()),
            ("DELETE", _) => agent.delete(&url).call(),
            _ => agent.get(&url).call(),
        }
        .map_err(|e| format!("{url}: {e}"))?;
        let text = resp.body_mut().with_config().limit(64 << 20).read_to_string().map_err(|e| e.to_string())?;
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))?;
        if v["value"].get("error").is_some() {
            return Err(format!("{path}: {}", v["value"]));
        }
        Ok(v)
    }

    fn post(&self, path: &str, body: &serde_json::Value) -> Result<serde_json::Value, String> {
        self.call("POST", path, Some(body))
    }

    fn s(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    /// Opens `url`.
    pub fn goto(&self, url: &str) -> Result<(), String> {
        self.post(&self.s("/url"), &serde_json::json!({"url": url})).map(|_| ())
    }

    fn element(&self, css: &str) -> Result<String, String> {
        let v = self.post(&self.s("/element"), &serde_json::json!({"using": "css selector", "value": css}))?;
        v["value"]
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(|x| x.as_str())
            .map(str::to_owned)
            .ok_or_else(|| format!("no element {css}"))
    }

    /// Clicks the element `css`.
    pub fn click(&self, css: &str) -> Result<(), String> {
        let id = self.element(css)?;
        self.post(&self.s(&format!("/element/{id}/click")), &serde_json::json!({})).map(|_| ())
    }

    /// Types `text` into the element `css`.
    pub fn type_into(&self, css: &str, text: &str) -> Result<(), String> {
        let id = self.element(css)?;
        self.post(&self.s(&format!("/element/{id}/value")), &serde_json::json!({"text": text})).map(|_| ())
    }

    /// Runs `script` in the page; its return value.
    pub fn eval(&self, script: &str) -> Result<serde_json::Value, String> {
        Ok(self.post(&self.s("/execute/sync"), &serde_json::json!({"script": script, "args": []}))?["value"].clone())
    }

    /// Waits until the page has `n` protocol replies (`window.kysoResults`)
    /// and returns them.
    pub fn wait_results(&self, n: usize, timeout: Duration) -> Result<Vec<serde_json::Value>, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let v = self.eval("return window.kysoResults || [];")?;
            let list = v.as_array().cloned().unwrap_or_default();
            if list.len() >= n {
                return Ok(list);
            }
            if Instant::now() > deadline {
                return Err(format!("{} of {n} replies after {timeout:?}: {v}", list.len()));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Saves a screenshot of the page as PNG.
    pub fn screenshot(&self, path: &Path) -> Result<(), String> {
        let v = self.call("GET", &self.s("/screenshot"), None)?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v["value"].as_str().unwrap_or(""))
            .map_err(|e| e.to_string())?;
        if let Some(d) = path.parent() {
            let _ = std::fs::create_dir_all(d);
        }
        std::fs::write(path, png).map_err(|e| e.to_string())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.call("DELETE", &self.s(""), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A PNG with transparency: `color` strokes (a handwritten signature) or a
/// ring (a seal).
pub fn png(color: [u8; 3], ring: bool) -> Vec<u8> {
    let (w, h) = (300u32, if ring { 300 } else { 120 });
    let mut data = Vec::with_capacity(300 * 300 * 4);
    for y in 0..h {
        for x in 0..w {
            let (fx, fy) = (f64::from(x), f64::from(y));
            let on = if ring {
                let r = ((fx - 150.0).powi(2) + (fy - 150.0).powi(2)).sqrt();
                (110.0..145.0).contains(&r) || r < 60.0
            } else {
                (fy - (60.0 + 35.0 * (fx / 25.0).sin())).abs() < 14.0
            };
            data.extend_from_slice(&[color[0], color[1], color[2], if on { 255 } else { 0 }]);
        }
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut wr = enc.write_header().expect("png header");
        wr.write_image_data(&data).expect("png data");
    }
    out
}

/// The directory screenshots go to (`target/eoffice-screenshots`).
pub fn screenshot_dir() -> PathBuf {
    crate::repo_root().join("target/eoffice-screenshots")
}
