//! The listener: TLS on 127.0.0.1, an HTTPS page at `/`, a WebSocket per
//! request (RFC 6455), one request served at a time.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tungstenite::protocol::{Role as WsRole, WebSocketConfig};
use tungstenite::{Message, WebSocket};

use crate::net::{Checked, Credentials, NetError, Origin};
use crate::protocol::{Endpoint, FileReply, FileRequest, HandlerReply, status, text_of};
use crate::tls::LocalIdentity;
use crate::{Answer, Approver, BridgeConfig, Review, StartError};

/// The largest request head and WebSocket message accepted.
const MAX_HEAD: usize = 16 << 10;
const MAX_MESSAGE: usize = 1 << 20;
/// Connections served at once (each waits its turn in the queue).
const MAX_CONNECTIONS: usize = 64;

/// A running bridge.
pub struct Handle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
    identity: LocalIdentity,
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handle").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl Handle {
    /// The address listened on (127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The TLS identity served.
    pub fn identity(&self) -> &LocalIdentity {
        &self.identity
    }

    /// Requests received and not yet answered (the one being served
    /// included).
    pub fn pending(&self) -> usize {
        self.shared.turn.pending()
    }

    /// Stops accepting; requests under way finish.
    pub fn stop(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Serves until the process ends.
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.stop_now();
        }
    }
}

/// Requests served one at a time, in the order they arrived.
#[derive(Default)]
struct Turnstile {
    state: Mutex<(u64, u64)>,
    cv: Condvar,
}

impl Turnstile {
    fn ticket(&self) -> u64 {
        let mut s = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let t = s.0;
        s.0 += 1;
        t
    }

    fn wait(&self, ticket: u64) {
        let mut s = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        while s.1 != ticket {
            s = self.cv.wait(s).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }

    fn done(&self) {
        let mut s = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        s.1 += 1;
        self.cv.notify_all();
    }

    fn pending(&self) -> usize {
        let s = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        usize::try_from(s.0 - s.1).unwrap_or(usize::MAX)
    }
}

/// Leaves the turnstile when dropped (a panic in a request does not stall
/// the queue).
struct Turn<'a>(&'a Turnstile);

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.0.done();
    }
}

struct Shared {
    cfg: BridgeConfig,
    approver: Arc<dyn Approver>,
    trusted: Mutex<HashSet<String>>,
    turn: Turnstile,
    tls: Arc<rustls::ServerConfig>,
    cert_pem: String,
    fingerprint: String,
    port: u16,
}

/// Starts the bridge on 127.0.0.1:`cfg.port` (never another interface)
/// with the TLS identity of `cfg.data_dir` (made on first start).
pub fn start(cfg: BridgeConfig, approver: Arc<dyn Approver>) -> Result<Handle, StartError> {
    let identity = LocalIdentity::load_or_create(&cfg.identity_dir())?;
    let tls = identity.server_config()?;
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, cfg.port))
        .map_err(|source| StartError::Bind { port: cfg.port, source })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind { port: cfg.port, source })?;
    let cert_pem = std::fs::read_to_string(&identity.cert_pem_path).unwrap_or_default();
    let shared = Arc::new(Shared {
        cfg,
        approver,
        trusted: Mutex::new(HashSet::new()),
        turn: Turnstile::default(),
        tls,
        cert_pem,
        fingerprint: identity.fingerprint(),
        port: addr.port(),
    });
    let stop = Arc::new(AtomicBool::new(false));
    let (s, st) = (shared.clone(), stop.clone());
    let open = Arc::new(AtomicUsize::new(0));
    let thread = std::thread::Builder::new()
        .name("kyso-bridge".into())
        .spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                // A page opening sockets in a loop gets no more than
                // MAX_CONNECTIONS threads; the rest are closed at once.
                if open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                    open.fetch_sub(1, Ordering::SeqCst);
                    drop(conn);
                    continue;
                }
                let (s, mine) = (s.clone(), open.clone());
                let spawned = std::thread::Builder::new().name("kyso-bridge-conn".into()).spawn(move || {
                    serve(&s, conn);
                    mine.fetch_sub(1, Ordering::SeqCst);
                });
                if spawned.is_err() {
                    // The thread never ran, nor its decrement.
                    open.fetch_sub(1, Ordering::SeqCst);
                }
            }
        })
        .map_err(|source| StartError::Bind { port: addr.port(), source })?;
    Ok(Handle { addr, shared, stop, thread: Some(thread), identity })
}

type Tls = rustls::StreamOwned<rustls::ServerConnection, TcpStream>;

/// The request head: method, path, headers (names lower case).
struct Head {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
}

impl Head {
    fn get(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

fn read_head(stream: &mut Tls) -> Option<Head> {
    let mut buf = Vec::with_capacity(1024);
    let mut byte = [0u8; 1];
    // Byte by byte up to the blank line: nothing after it is consumed (the
    // WebSocket's frames follow on the same stream).
    while !buf.ends_with(b"\r\n\r\n") {
        if buf.len() >= MAX_HEAD || stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let text = std::str::from_utf8(&buf).ok()?;
    let mut lines = text.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, path) = (first.next()?.to_owned(), first.next()?.to_owned());
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Some(Head { method, path, headers })
}

fn respond(stream: &mut Tls, code: &str, ctype: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {code}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nContent-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
    let _ = stream.flush();
    stream.conn.send_close_notify();
    let _ = stream.flush();
}

fn serve(shared: &Arc<Shared>, tcp: TcpStream) {
    let timeout = Some(shared.cfg.request_timeout);
    let _ = tcp.set_read_timeout(timeout);
    let _ = tcp.set_write_timeout(timeout);
    let Ok(conn) = rustls::ServerConnection::new(shared.tls.clone()) else { return };
    let mut stream = rustls::StreamOwned::new(conn, tcp);
    let Some(head) = read_head(&mut stream) else { return };
    // The Host must be this service (a DNS-rebinding page reaching
    // 127.0.0.1 under its own name is refused, RFC 9110 §7.2).
    let host_ok = head.get("host").is_some_and(|h| {
        let h = h.to_ascii_lowercase();
        h == format!("127.0.0.1:{}", shared.port) || h == format!("localhost:{}", shared.port)
    });
    if !host_ok {
        respond(
            &mut stream,
            "421 Misdirected Request",
            "text/plain; charset=utf-8",
            "Sai địa chỉ máy chủ.\n".as_bytes(),
        );
        return;
    }
    let upgrade = head.get("upgrade").is_some_and(|u| u.eq_ignore_ascii_case("websocket"));
    if head.method != "GET" {
        respond(&mut stream, "405 Method Not Allowed", "text/plain; charset=utf-8", b"GET only\n");
        return;
    }
    if !upgrade {
        match head.path.split('?').next().unwrap_or("") {
            "/" => respond(&mut stream, "200 OK", "text/html; charset=utf-8", page(shared).as_bytes()),
            "/kyso-bridge.pem" => respond(&mut stream, "200 OK", "application/x-pem-file", shared.cert_pem.as_bytes()),
            _ => respond(&mut stream, "404 Not Found", "text/plain; charset=utf-8", "Không có trang này.\n".as_bytes()),
        }
        return;
    }
    // RFC 6455 §4.2.2: the server's handshake.
    let Some(key) = head.get("sec-websocket-key") else {
        respond(&mut stream, "400 Bad Request", "text/plain; charset=utf-8", b"no Sec-WebSocket-Key\n");
        return;
    };
    let accept = tungstenite::handshake::derive_accept_key(key.as_bytes());
    let reply = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
    );
    if stream.write_all(reply.as_bytes()).and_then(|()| stream.flush()).is_err() {
        return;
    }
    let origin = head.get("origin").unwrap_or("").to_owned();
    let path = head.path.clone();
    let config = WebSocketConfig::default().max_message_size(Some(MAX_MESSAGE)).max_frame_size(Some(MAX_MESSAGE));
    let mut ws = WebSocket::from_raw_socket(stream, WsRole::Server, Some(config));
    // The page sends one frame when the socket opens.
    let frame = loop {
        match ws.read() {
            Ok(Message::Text(t)) => break Some(Ok(t.as_str().to_owned())),
            Ok(Message::Binary(_)) => break Some(Err(())),
            Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)) => continue,
            Ok(Message::Close(_)) => break None,
            // A frame that breaks the protocol or is too large.
            Err(tungstenite::Error::Capacity(_) | tungstenite::Error::Protocol(_) | tungstenite::Error::Utf8(_)) => {
                break Some(Err(()));
            }
            Err(_) => break None,
        }
    };
    let Some(frame) = frame else { return };
    // Long work ahead (the person reads, types the PIN): no read deadline.
    let _ = ws.get_ref().sock.set_read_timeout(None);
    let reply = handle(shared, Endpoint::from_path(&path), path.trim_start_matches('/'), &origin, frame);
    let _ = ws.send(Message::text(reply.to_string()));
    let _ = ws.get_ref().sock.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = ws.close(None);
    // Until the page's close frame (or the deadline).
    while ws.read().is_ok() {}
}

/// The bridge's facts about one request, for the journal.
#[derive(Default)]
struct Facts {
    role: Option<&'static str>,
    source: Option<String>,
    source_host: Option<String>,
    upload: Option<String>,
    upload_host: Option<String>,
    input_sha256: Option<String>,
    output_sha256: Option<String>,
    signer: Option<kyso_pki::CertInfo>,
}

fn reply(code: i32, message: impl Into<String>) -> Value {
    json!({"Status": code, "Message": message.into()})
}

fn handle(
    shared: &Shared,
    endpoint: Option<Endpoint>,
    raw_endpoint: &str,
    origin: &str,
    frame: Result<String, ()>,
) -> Value {
    let mut facts = Facts::default();
    let answer = answer(shared, endpoint, origin, frame, &mut facts);
    journal(shared, endpoint.map_or(raw_endpoint, |e| e.name()), origin, &facts, &answer);
    answer
}

fn answer(
    shared: &Shared,
    endpoint: Option<Endpoint>,
    origin: &str,
    frame: Result<String, ()>,
    facts: &mut Facts,
) -> Value {
    let Some(endpoint) = endpoint else {
        return reply(status::UNKNOWN_ENDPOINT, "Kyso không hỗ trợ chức năng này.");
    };
    facts.role = endpoint.role().map(role_name);
    let Ok(text) = frame else {
        return reply(status::MALFORMED, "Yêu cầu không hợp lệ: cần một thông điệp văn bản JSON.");
    };
    let request: Option<FileRequest> = if endpoint.signs_file() || endpoint.verifies() {
        match serde_json::from_str::<FileRequest>(&text) {
            Ok(r) => Some(r),
            Err(_) => return reply(status::MALFORMED, "Yêu cầu không hợp lệ: dữ liệu JSON sai định dạng."),
        }
    } else {
        None
    };
    if endpoint.off_by_default() {
        return reply(status::DISABLED, "Chức năng này đang tắt trong Kyso (ký dữ liệu không xem được nội dung).");
    }
    // One request at a time: wait for the ones before.
    let ticket = shared.turn.ticket();
    shared.approver.queue_changed(shared.turn.pending());
    shared.turn.wait(ticket);
    let _turn = Turn(&shared.turn);
    let Some(page) = Origin::parse(origin) else {
        return reply(status::ORIGIN_REFUSED, "Trang web không cho biết nguồn gốc (Origin): Kyso từ chối.");
    };
    let origin_key = origin.trim().to_ascii_lowercase();
    let known = shared.trusted.lock().unwrap_or_else(std::sync::PoisonError::into_inner).contains(&origin_key);
    if !known {
        if !shared.approver.trust_origin(&origin_key) {
            return reply(
                status::ORIGIN_REFUSED,
                format!("Trang {origin_key} chưa được phép dùng Kyso để ký số. Hãy cho phép trang này trong Kyso."),
            );
        }
        shared.trusted.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(origin_key.clone());
    }
    match (endpoint, request) {
        (Endpoint::GetCertInfo, _) => cert_info(shared, &origin_key),
        (e, Some(r)) if e.verifies() => verify(shared, e, &origin_key, &page, &r, facts),
        (e, Some(r)) => sign(shared, e, &origin_key, &page, &r, facts),
        (_, None) => reply(status::MALFORMED, "Yêu cầu không hợp lệ."),
    }
}

fn role_name(r: kyso_core::Role) -> &'static str {
    match r {
        kyso_core::Role::Approver => "approver",
        kyso_core::Role::Issuer => "issuer",
        kyso_core::Role::Appendix => "appendix",
        kyso_core::Role::Copy => "copy",
    }
}

/// A core error in the page's words: e-office pages show the message to
/// Vietnamese users, so it is never the library's English.
fn vi(e: &kyso_core::Error) -> String {
    use kyso_i18n::Localize as _;
    e.localize(&kyso_i18n::Translator::new(kyso_i18n::Lang::Vi))
}

fn net_reply(e: &NetError) -> Value {
    let code = match e {
        NetError::TooLarge(_) => status::TOO_LARGE,
        e if e.is_refusal() => status::URL_REFUSED,
        _ => status::DOWNLOAD_FAILED,
    };
    reply(code, format!("Kyso từ chối hoặc không tải được tệp: {e}"))
}

/// The URL without its query string (which may carry one-time tokens).
fn without_query(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or("").to_owned()
}

/// The document fetched into a private directory.
struct Fetched {
    _dir: tempfile::TempDir,
    path: PathBuf,
    name: String,
}

fn fetch(shared: &Shared, origin: &str, page: &Origin, r: &FileRequest, facts: &mut Facts) -> Result<Fetched, Value> {
    let dir =
        tempfile::Builder::new().prefix("kyso-bridge-").tempdir().map_err(|e| reply(status::FAILED, e.to_string()))?;
    if r.file_name.trim().is_empty() {
        let Some(local) = shared.approver.pick_local_file(origin) else {
            return Err(reply(
                status::FAILED,
                "Trang yêu cầu chọn tệp trên máy, nhưng không có tệp nào được chọn (đã hủy, hoặc Kyso chạy không có cửa sổ để chọn).",
            ));
        };
        facts.source = Some(local.display().to_string());
        let name = local.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "tai-lieu".into());
        let path = dir.path().join(crate::net::sanitize(&name));
        std::fs::copy(&local, &path).map_err(|e| reply(status::FAILED, e.to_string()))?;
        facts.input_sha256 = kyso_journal::file_sha256(&path);
        return Ok(Fetched { _dir: dir, path, name });
    }
    let source = shared.cfg.net.check(&r.file_name, page).map_err(|e| net_reply(&e))?;
    facts.source = Some(without_query(&source.url));
    facts.source_host = Some(source.host.clone());
    let creds = Credentials::for_host(&r.session_id, &r.jwt_token, &source.host, page);
    let (bytes, name) = shared.cfg.net.download(&source, &creds).map_err(|e| net_reply(&e))?;
    facts.input_sha256 = Some(hex::encode(kyso_pki::HashAlg::Sha256.digest(&bytes)));
    let name = typed_name(&name, &bytes);
    let path = dir.path().join(&name);
    std::fs::write(&path, &bytes).map_err(|e| reply(status::FAILED, e.to_string()))?;
    Ok(Fetched { _dir: dir, path, name })
}

/// The file name with the extension its content calls for: e-office
/// servers often serve `download.ashx?id=…` or a stored name without its
/// type, and handlers take the type from the uploaded name. A PDF (`%PDF-`
/// in the first KiB, ISO 32000-2 §7.5.2) ends in `.pdf`; a ZIP package
/// (ECMA-376 Part 2 §8) keeps an Office extension or gets `.docx`.
fn typed_name(name: &str, bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(1024)];
    let pdf = head.windows(5).any(|w| w == b"%PDF-");
    let zip = bytes.starts_with(b"PK\x03\x04");
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, e.to_ascii_lowercase()),
        _ => (name, String::new()),
    };
    if pdf && ext != "pdf" {
        format!("{stem}.pdf")
    } else if zip
        && (ext.is_empty() || kyso_core::Format::detect(std::path::Path::new(name)) != kyso_core::Format::Office)
    {
        format!("{stem}.docx")
    } else {
        name.to_owned()
    }
}

/// `2026-11-29` or `2026-11-29T…` → "ngày 29 tháng 11 năm 2026": NĐ
/// 30/2020 Phụ lục I, ô số 4 — a day below 10 and the months 1 and 2 get a
/// leading zero ("ngày 05 tháng 02", "ngày 05 tháng 3"). The place is the
/// page's own text; the preset writes into the page's blanks.
fn date_line(iso: &str) -> Option<String> {
    let d = iso.trim().get(..10)?;
    let mut it = d.split('-');
    let (y, m, day) = (it.next()?, it.next()?, it.next()?);
    let (y, m, day): (u32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, day.parse().ok()?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let month = if m <= 2 { format!("{m:02}") } else { m.to_string() };
    Some(format!("ngày {day:02} tháng {month} năm {y}"))
}

fn sign(shared: &Shared, endpoint: Endpoint, origin: &str, page: &Origin, r: &FileRequest, facts: &mut Facts) -> Value {
    // Both URLs are journaled as given, and checked before anything is
    // fetched.
    facts.upload = Some(without_query(r.file_upload_handler.trim()));
    if !r.file_name.trim().is_empty() {
        facts.source = Some(without_query(r.file_name.trim()));
    }
    let upload: Checked = match shared.cfg.net.check(&r.file_upload_handler, page) {
        Ok(u) => u,
        Err(e) => return net_reply(&e),
    };
    facts.upload = Some(without_query(&upload.url));
    facts.upload_host = Some(upload.host.clone());
    if !r.file_name.trim().is_empty()
        && let Err(e) = shared.cfg.net.check(&r.file_name, page)
    {
        return net_reply(&e);
    }
    let setup = &shared.cfg.signing;
    // The certificate that fits the endpoint's role when the token holds
    // several (the văn thư's personal and organisation certificates).
    let (token, wanted) = (setup.token.as_deref(), setup.certificate.as_deref());
    let (entry, _token) = match kyso_core::find_certificate_for(&setup.modules, token, wanted, endpoint.role()) {
        Ok(found) => found,
        Err(e) => return reply(status::SIGN_FAILED, format!("Không tìm thấy chứng thư số để ký: {}", vi(&e))),
    };
    facts.signer = Some(entry.certificate.clone());
    let fetched = match fetch(shared, origin, page, r, facts) {
        Ok(f) => f,
        Err(v) => return v,
    };
    let format = kyso_core::Format::detect(&fetched.path);
    let wrong = match endpoint {
        Endpoint::SignOffice => format != kyso_core::Format::Office,
        Endpoint::SignFile => false,
        _ => format != kyso_core::Format::Pdf,
    };
    if wrong {
        return reply(
            status::SIGN_FAILED,
            format!("Tệp {} không đúng loại cho chức năng {}.", fetched.name, endpoint.name()),
        );
    }
    let number = Some(r.doc_number.trim().to_owned()).filter(|n| !n.is_empty());
    let date = date_line(&r.issued_date);
    let role = endpoint.role();
    let mut look = kyso_core::Look { role, ..Default::default() };
    match role {
        Some(kyso_core::Role::Approver) => look.image = setup.image.clone(),
        Some(kyso_core::Role::Issuer) => {
            look.seal = setup.seal.clone();
            look.number = number.clone();
            look.date = date.clone();
        }
        Some(kyso_core::Role::Appendix) => look.number = number.clone(),
        Some(kyso_core::Role::Copy) => {
            look.organization = setup.organization.clone().or_else(|| entry.certificate.organization.clone());
        }
        None => {}
    }
    let metadata: Vec<(String, String)> = r.meta_data.iter().map(|m| (m.key.clone(), m.value.clone())).collect();
    let mut req = kyso_core::SignRequest::new(
        vec![kyso_core::Target { input: fetched.path.clone(), output: kyso_core::Destination::Memory }],
        kyso_core::Credential::Token { entry: Box::new(entry), pin: None },
        &shared.cfg.data_dir,
    );
    req.level = setup.level;
    req.tsa = setup.tsa.clone();
    req.proxy = shared.cfg.net.proxy.clone();
    req.look = look;
    req.reason = Some(match endpoint {
        Endpoint::SignIncome => "Tiếp nhận văn bản đến".to_owned(),
        e => format!("Ký qua Kyso từ {origin} ({})", e.name()),
    });
    req.precheck = kyso_core::PrecheckInputs {
        certs: setup
            .certs
            .iter()
            .filter_map(|p| std::fs::read(p).ok())
            .flat_map(|d| kyso_pki::load_certificates(&d))
            .map(|c| c.cert)
            .collect(),
        offline: setup.offline,
        allow_unchecked: setup.allow_unchecked,
        ..Default::default()
    };
    req.all_or_nothing = true;
    req.origin = Some(origin.to_owned());
    req.metadata = metadata.clone();
    // The person confirms (origin, source, destination, certificate,
    // role, number and date) before the PIN (weakness 4).
    let approver = shared.approver.clone();
    let (origin_s, source_host, upload_host) =
        (origin.to_owned(), facts.source_host.clone().unwrap_or_default(), upload.host.clone());
    let (doc, num, day) = (fetched.path.clone(), number.clone(), date.clone());
    req.confirm = Some(Box::new(move |c: &kyso_core::Confirmation<'_>| {
        let review = Review {
            origin: &origin_s,
            endpoint,
            source_host: &source_host,
            upload_host: &upload_host,
            document: &doc,
            role,
            doc_number: num.as_deref(),
            issued_date: day.as_deref(),
            certificate: c.certificate,
            metadata: c.metadata,
        };
        match approver.confirm(&review) {
            Answer::Sign(pin) => kyso_core::Decision::ProceedWith(pin),
            Answer::Decline => kyso_core::Decision::Decline,
        }
    }));
    let cancel = AtomicBool::new(false);
    let batch = kyso_core::sign_batch(req, &mut |_| {}, &cancel);
    let signed = match batch {
        Err(kyso_core::Error::Declined) => return reply(status::DECLINED, "Người dùng đã từ chối ký."),
        Err(e) => {
            if matches!(e.code(), "pin_incorrect" | "pin_locked" | "pin_invalid") {
                shared.approver.pin_rejected(e.code());
                return reply(status::SIGN_FAILED, "Mã PIN không đúng hoặc token đã bị khóa: không ký được.");
            }
            return reply(status::SIGN_FAILED, format!("Không ký được: {}", vi(&e)));
        }
        Ok(mut b) => match b.outcomes.pop().map(|o| o.result) {
            Some(Ok(kyso_core::Signed { output: kyso_core::Output::Memory(bytes), .. })) => bytes,
            Some(Err(e)) => return reply(status::SIGN_FAILED, format!("Không ký được: {}", vi(&e))),
            _ => return reply(status::SIGN_FAILED, "Không ký được."),
        },
    };
    facts.output_sha256 = Some(hex::encode(kyso_pki::HashAlg::Sha256.digest(&signed)));
    let creds = Credentials::for_host(&r.session_id, &r.jwt_token, &upload.host, page);
    let (code, body) = match shared.cfg.net.upload(&upload, &creds, &fetched.name, &signed, &metadata) {
        Ok(a) => a,
        Err(e) => return reply(status::UPLOAD_FAILED, format!("Không gửi được tệp đã ký: {e}")),
    };
    if !(200..300).contains(&code) {
        return reply(status::UPLOAD_FAILED, format!("Máy chủ nhận tệp trả lời mã HTTP {code}."));
    }
    // The handler's JSON (often sent as text/html) mapped to the page's
    // reply: `Status: true` → 0 with its fields; anything else → failure
    // with its message.
    let handler: HandlerReply = match serde_json::from_slice(body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&body)) {
        Ok(h) => h,
        Err(_) => return reply(status::UPLOAD_FAILED, "Máy chủ nhận tệp trả lời không đúng định dạng JSON."),
    };
    if !handler.ok() {
        let msg = text_of(&handler.message);
        return reply(
            status::UPLOAD_FAILED,
            if msg.is_empty() { "Máy chủ nhận tệp từ chối tệp đã ký.".to_owned() } else { msg },
        );
    }
    let or = |v: String, d: String| if v.is_empty() { d } else { v };
    let out = FileReply {
        status: status::OK,
        message: or(text_of(&handler.message), "Đã ký số và gửi tệp thành công.".into()),
        file_name: or(text_of(&handler.file_name), fetched.name.clone()),
        file_server: text_of(&handler.file_server),
        document_number: or(text_of(&handler.document_number), number.unwrap_or_default()),
        document_date: or(text_of(&handler.document_date), r.issued_date.trim().to_owned()),
    };
    serde_json::to_value(out).unwrap_or_else(|_| reply(status::FAILED, ""))
}

fn verify(
    shared: &Shared,
    endpoint: Endpoint,
    origin: &str,
    page: &Origin,
    r: &FileRequest,
    facts: &mut Facts,
) -> Value {
    if !r.file_name.trim().is_empty() {
        facts.source = Some(without_query(r.file_name.trim()));
    }
    let fetched = match fetch(shared, origin, page, r, facts) {
        Ok(f) => f,
        Err(v) => return v,
    };
    let format = kyso_core::Format::detect(&fetched.path);
    let expected = if endpoint == Endpoint::VerifyOffice { kyso_core::Format::Office } else { kyso_core::Format::Pdf };
    if format != expected {
        return reply(
            status::SIGN_FAILED,
            format!("Tệp {} không đúng loại cho chức năng {}.", fetched.name, endpoint.name()),
        );
    }
    let mut anchors = kyso_core::stored_anchors(&shared.cfg.data_dir);
    for p in &shared.cfg.verify_anchors {
        if let Ok(d) = std::fs::read(p) {
            anchors.extend(kyso_pki::load_certificates(&d));
        }
    }
    // Revocation answers the file lacks are fetched (OCSP, then CRL)
    // unless the bridge is offline.
    let online = (!shared.cfg.signing.offline)
        .then(|| kyso_core::online_options(&shared.cfg.data_dir, shared.cfg.net.proxy.clone()));
    let opts = kyso_core::VerifyOptions {
        anchors,
        online,
        journal: Some(shared.cfg.data_dir.clone()),
        // The shipped VGCA roots unless switched off in the settings.
        shipped_anchors: kyso_core::shipped_anchors_enabled(&shared.cfg.data_dir),
        ..Default::default()
    };
    let v = kyso_core::verify(&fetched.path, &opts);
    shared.approver.show_verification(origin, &v.report);
    let sigs: Vec<Value> = v
        .report
        .signatures
        .iter()
        .map(|s| {
            json!({
                "Signer": s.signer.clone().unwrap_or_default(),
                "Organization": s.organization.clone().unwrap_or_default(),
                "SigningTime": s.signing_time.clone().unwrap_or_default(),
                "Indication": s.indication,
                "SubIndication": s.sub_indication,
            })
        })
        .collect();
    let all_valid = v.report.indication == kyso_core::Indication::TotalPassed && !sigs.is_empty();
    let message = if sigs.is_empty() {
        "Tệp không có chữ ký số.".to_owned()
    } else if all_valid {
        format!("Tất cả {} chữ ký số hợp lệ.", sigs.len())
    } else {
        format!("Có chữ ký số không hợp lệ hoặc chưa xác định được ({} chữ ký).", sigs.len())
    };
    json!({
        "Status": if all_valid { status::OK } else { status::NOT_VALID },
        "Message": message,
        "FileName": fetched.name,
        "Indication": v.report.indication,
        "Signatures": sigs,
    })
}

fn cert_info(shared: &Shared, origin: &str) -> Value {
    use base64::Engine as _;
    let setup = &shared.cfg.signing;
    let (entry, _) =
        match kyso_core::find_certificate(&setup.modules, setup.token.as_deref(), setup.certificate.as_deref()) {
            Ok(f) => f,
            Err(e) => return reply(status::FAILED, format!("Không tìm thấy chứng thư số: {}", vi(&e))),
        };
    if !shared.approver.share_certificate(origin, &entry.certificate) {
        return reply(status::DECLINED, "Người dùng không đồng ý cho trang này xem thông tin chứng thư số.");
    }
    let c = &entry.certificate;
    json!({
        "Status": status::OK,
        "Message": "",
        "CertInfo": {
            "Subject": c.subject,
            "Issuer": c.issuer,
            "SerialNumber": c.serial,
            "ValidFrom": c.not_before,
            "ValidTo": c.not_after,
            "Base64Data": base64::engine::general_purpose::STANDARD.encode(&entry.der),
        }
    })
}

/// Journals one bridge request (refused ones included): who asked, what,
/// from where to where, the outcome, the documents' hashes.
fn journal(shared: &Shared, endpoint: &str, origin: &str, facts: &Facts, answer: &Value) {
    let code = answer.get("Status").and_then(Value::as_i64).unwrap_or(i64::from(status::FAILED));
    let evidence = json!({
        "origin": origin,
        "endpoint": endpoint,
        "source_host": facts.source_host,
        "upload_host": facts.upload_host,
        "status": code,
        "message": answer.get("Message").and_then(Value::as_str).unwrap_or(""),
    });
    let signer = facts.signer.as_ref();
    let entry = kyso_journal::Entry {
        action: "bridge".into(),
        role: facts.role.map(str::to_owned),
        input_path: facts.source.clone(),
        input_sha256: facts.input_sha256.clone(),
        output_path: facts.upload.clone(),
        output_sha256: facts.output_sha256.clone(),
        signer_subject: signer.map(|c| c.subject.clone()),
        signer_issuer: signer.map(|c| c.issuer.clone()),
        signer_serial: signer.map(|c| c.serial.clone()),
        signer_sha256: signer.map(|c| c.sha256.clone()),
        evidence: Some(evidence.to_string()),
        outcome: if code == 0 { "ok".into() } else { "failed".into() },
        error_code: (code != 0).then(|| format!("bridge_status_{code}")),
        ..Default::default()
    };
    let _ = kyso_core::record(&shared.cfg.data_dir, &entry);
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The page at `/`: what Kyso is, and — having reached it — the browser
/// has accepted this service's certificate.
fn page(shared: &Shared) -> String {
    let fp = shared
        .fingerprint
        .as_bytes()
        .chunks(2)
        .map(|c| String::from_utf8_lossy(c).to_uppercase())
        .collect::<Vec<_>>()
        .join(":");
    format!(
        r#"<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Kyso — dịch vụ ký số trên máy này</title>
<style>body{{font-family:sans-serif;max-width:44em;margin:2em auto;line-height:1.5;color:#222}}code{{word-break:break-all}}</style></head>
<body>
<h1>Kyso — dịch vụ ký số trên máy này</h1>
<p>Kyso là phần mềm ký số chạy trên máy tính của bạn. Các hệ thống quản lý văn bản và điều hành, một cửa điện tử
gọi tới địa chỉ <code>wss://127.0.0.1:{port}</code> này để nhờ Kyso ký văn bản bằng USB token của bạn.</p>
<p><strong>Bạn đang xem được trang này: trình duyệt đã chấp nhận chứng thư số riêng của Kyso trên máy này.</strong>
Hãy quay lại trang quản lý văn bản và thử ký lại.</p>
<ul>
<li>Kyso chỉ nhận yêu cầu từ các trang bạn đã cho phép; mỗi lần ký, Kyso cho bạn xem trang nào yêu cầu, tệp lấy từ
đâu, tệp đã ký gửi về đâu, chứng thư số và vai trò ký, rồi mới hỏi mã PIN.</li>
<li>Kyso chỉ tải và gửi tệp qua https, tới đúng máy chủ của trang đã cho phép, không bao giờ đọc tệp trên máy theo yêu cầu của trang web.</li>
<li>Mọi yêu cầu, kể cả yêu cầu bị từ chối, được ghi vào nhật ký của Kyso.</li>
</ul>
<p>Dấu vân tay SHA-256 của chứng thư số Kyso trên máy này (để đối chiếu):<br><code>{fp}</code></p>
<p>Tải chứng thư số để cài vào trình duyệt: <a href="/kyso-bridge.pem">kyso-bridge.pem</a></p>
</body></html>
"#,
        port = shared.port,
        fp = escape(&fp),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_content() {
        assert_eq!(typed_name("download.ashx", b"%PDF-1.7 ..."), "download.pdf");
        assert_eq!(typed_name("a.pdf", b"%PDF-1.7"), "a.pdf");
        assert_eq!(typed_name("signed-0.pdf", b"PK\x03\x04rest"), "signed-0.docx");
        assert_eq!(typed_name("b.xlsx", b"PK\x03\x04rest"), "b.xlsx");
        assert_eq!(typed_name("tai-lieu", b"PK\x03\x04rest"), "tai-lieu.docx");
        assert_eq!(typed_name("x.txt", b"plain"), "x.txt");
    }

    #[test]
    fn dates_and_queue() {
        assert_eq!(date_line("2026-11-29").as_deref(), Some("ngày 29 tháng 11 năm 2026"));
        assert_eq!(date_line("2026-03-05T08:00:00+07:00").as_deref(), Some("ngày 05 tháng 3 năm 2026"));
        assert_eq!(date_line("2026-02-15").as_deref(), Some("ngày 15 tháng 02 năm 2026"));
        assert_eq!(date_line("29/11/2026"), None);
        assert_eq!(date_line(""), None);
        let t = Turnstile::default();
        let (a, b) = (t.ticket(), t.ticket());
        assert_eq!(t.pending(), 2);
        t.wait(a);
        t.done();
        t.wait(b);
        assert_eq!(t.pending(), 1);
        t.done();
        assert_eq!(t.pending(), 0);
    }
}
