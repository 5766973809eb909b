//! Network discipline for the URLs a page hands the bridge: which URLs may
//! be fetched or posted to, and the fetch and upload themselves (connected
//! to the address that was checked, size-limited, one deadline, no
//! redirects, credentials only to the origin's host).

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use ureq::http::Uri;

/// The rules for downloads and uploads.
#[derive(Clone, Debug)]
pub struct NetPolicy {
    /// Tests only: loopback targets (127.0.0.0/8, ::1) are allowed, over
    /// http too.
    pub allow_loopback: bool,
    /// Hosts the person allowed beyond the origin's own site: they may be
    /// on another site, on a private (intranet) address, and over http.
    pub allow_hosts: Vec<String>,
    /// The largest file downloaded.
    pub max_bytes: u64,
    /// The whole exchange, per download or upload.
    pub timeout: Duration,
    /// The proxy (Settings, `--proxy`); `None`: the environment's.
    pub proxy: Option<String>,
    /// CA certificates (DER) trusted for downloads and uploads instead of
    /// the built-in web roots (an organisation's own CA, the test CA).
    pub roots: Option<Vec<Vec<u8>>>,
}

impl Default for NetPolicy {
    fn default() -> Self {
        Self {
            allow_loopback: false,
            allow_hosts: Vec::new(),
            max_bytes: 100 << 20,
            timeout: Duration::from_secs(120),
            proxy: None,
            roots: None,
        }
    }
}

/// Why a URL was refused or an exchange failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NetError {
    /// `file:` URLs and local paths are never read.
    #[error("không đọc tệp trên máy theo yêu cầu của trang web: {0}")]
    LocalFile(String),
    /// Not an absolute http(s) URL.
    #[error("địa chỉ không hợp lệ: {0}")]
    BadUrl(String),
    /// http where https is required.
    #[error("chỉ chấp nhận https: {0}")]
    NotHttps(String),
    /// Another site than the approved origin's.
    #[error("máy chủ {0} không thuộc trang đã cho phép")]
    CrossSite(String),
    /// A loopback, private, link-local or otherwise special address.
    #[error("địa chỉ {1} của máy chủ {0} là địa chỉ nội bộ, không được phép")]
    Forbidden(String, IpAddr),
    /// The name does not resolve.
    #[error("không tìm thấy máy chủ {0}")]
    Dns(String),
    /// Larger than allowed.
    #[error("tệp lớn hơn giới hạn {0} byte")]
    TooLarge(u64),
    /// The exchange failed.
    #[error("lỗi kết nối tới {0}: {1}")]
    Exchange(String, String),
    /// A non-2xx answer (redirects are not followed).
    #[error("máy chủ {0} trả lời mã HTTP {1}")]
    Status(String, u16),
}

impl NetError {
    /// Whether the URL itself was refused (before any connection).
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Self::LocalFile(_) | Self::BadUrl(_) | Self::NotHttps(_) | Self::CrossSite(_) | Self::Forbidden(..)
        )
    }
}

/// A checked URL: its host and the addresses it may be reached at.
#[derive(Clone, Debug)]
pub struct Checked {
    /// The URL (absolute).
    pub url: String,
    /// Its host, lower case, without brackets.
    pub host: String,
    /// The addresses that passed the checks (connections go only there).
    pub addrs: Vec<SocketAddr>,
}

/// The parts of an origin (`https://host[:port]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// `https` or `http`.
    pub scheme: String,
    /// Host, lower case, without brackets.
    pub host: String,
    /// The port (default for the scheme when absent).
    pub port: u16,
}

impl Origin {
    /// Parses a browser's `Origin` header (RFC 6454 §7).
    pub fn parse(s: &str) -> Option<Self> {
        let uri: Uri = s.trim().parse().ok()?;
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return None;
        }
        let host = bare(uri.host()?);
        if host.is_empty() {
            return None;
        }
        let port = uri.port_u16().unwrap_or(if scheme == "https" { 443 } else { 80 });
        Some(Self { scheme, host, port })
    }
}

fn bare(host: &str) -> String {
    host.trim_start_matches('[').trim_end_matches(']').trim_end_matches('.').to_ascii_lowercase()
}

/// Whether `ip` is an address a web page may not make the bridge reach:
/// loopback, private (RFC 1918, RFC 4193), shared (RFC 6598), link-local
/// (RFC 3927, RFC 4291 §2.5.6: cloud metadata at 169.254.169.254),
/// unspecified, multicast, broadcast, documentation or reserved.
fn special(ip: IpAddr) -> Special {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            if v4.is_loopback() {
                Special::Loopback
            } else if v4.is_private() || (o[0] == 100 && (64..128).contains(&o[1])) {
                Special::Private
            } else if v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || o[0] == 0
                || o[0] >= 240
            {
                Special::Never
            } else {
                Special::Public
            }
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return special(IpAddr::V4(v4));
            }
            let s = v6.segments();
            if v6.is_loopback() {
                Special::Loopback
            } else if (s[0] & 0xfe00) == 0xfc00 {
                Special::Private
            } else if (s[0] & 0xffc0) == 0xfe80
                || v6.is_unspecified()
                || v6.is_multicast()
                || s[0] == 0x2001 && s[1] == 0xdb8
            {
                Special::Never
            } else {
                Special::Public
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Special {
    Public,
    Loopback,
    Private,
    Never,
}

impl NetPolicy {
    fn allowed_host(&self, host: &str) -> bool {
        self.allow_hosts.iter().any(|h| bare(h) == host)
    }

    /// Checks `url` for a request from `origin`: an absolute `https://` URL
    /// (or a path, taken relative to the origin), on the origin's host or
    /// one of its subdomains (or an allowed host), resolving only to
    /// public addresses (private ones for an allowed host; loopback only
    /// in tests). `file:` URLs and local paths are refused.
    pub fn check(&self, url: &str, origin: &Origin) -> Result<Checked, NetError> {
        let raw = url.trim();
        let lower = raw.to_ascii_lowercase();
        if lower.starts_with("file:") || lower.starts_with("\\\\") || raw.as_bytes().get(1) == Some(&b':') {
            return Err(NetError::LocalFile(raw.to_owned()));
        }
        // Neither an absolute URL nor a path on the origin: a local path.
        if !raw.contains("://") && !raw.starts_with('/') {
            return Err(NetError::LocalFile(raw.to_owned()));
        }
        let absolute = if raw.starts_with('/') && !raw.starts_with("//") {
            let port = match (origin.scheme.as_str(), origin.port) {
                ("https", 443) | ("http", 80) => String::new(),
                (_, p) => format!(":{p}"),
            };
            let host = if origin.host.contains(':') { format!("[{}]", origin.host) } else { origin.host.clone() };
            format!("{}://{host}{port}{raw}", origin.scheme)
        } else {
            raw.to_owned()
        };
        let uri: Uri = absolute.parse().map_err(|_| NetError::BadUrl(raw.to_owned()))?;
        let scheme = uri.scheme_str().map(str::to_ascii_lowercase).ok_or_else(|| {
            if raw.contains("://") { NetError::BadUrl(raw.to_owned()) } else { NetError::LocalFile(raw.to_owned()) }
        })?;
        let host = uri.host().map(bare).filter(|h| !h.is_empty()).ok_or_else(|| NetError::BadUrl(raw.to_owned()))?;
        if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
            return Err(NetError::BadUrl(raw.to_owned()));
        }
        let allowed = self.allowed_host(&host);
        let literal: Option<IpAddr> = host.parse().ok();
        let loopback_ok =
            self.allow_loopback && (host == "localhost" || literal.is_some_and(|ip| special(ip) == Special::Loopback));
        match scheme.as_str() {
            "https" => {}
            "http" if allowed || loopback_ok => {}
            "http" => return Err(NetError::NotHttps(raw.to_owned())),
            _ => return Err(NetError::BadUrl(raw.to_owned())),
        }
        // Same site, approximated without a public-suffix list: the origin's
        // own host or a subdomain of it; anything else must be allowed.
        let same_site = host == origin.host || (literal.is_none() && host.ends_with(&format!(".{}", origin.host)));
        if !same_site && !allowed {
            return Err(NetError::CrossSite(host));
        }
        let port = uri.port_u16().unwrap_or(if scheme == "https" { 443 } else { 80 });
        let addrs: Vec<SocketAddr> = match literal {
            Some(ip) => vec![SocketAddr::new(ip, port)],
            None => (host.as_str(), port).to_socket_addrs().map_err(|_| NetError::Dns(host.clone()))?.collect(),
        };
        if addrs.is_empty() {
            return Err(NetError::Dns(host));
        }
        // Every address the name resolves to must pass (a name with one
        // public and one private address is refused); connections then go
        // only to these addresses (no second lookup: DNS rebinding).
        for a in &addrs {
            let ok = match special(a.ip()) {
                Special::Public => true,
                Special::Loopback => self.allow_loopback,
                Special::Private => allowed,
                Special::Never => false,
            };
            if !ok {
                return Err(NetError::Forbidden(host, a.ip()));
            }
        }
        Ok(Checked { url: absolute, host, addrs })
    }

    /// An agent that connects to `target`'s checked addresses only.
    fn agent(&self, target: &Checked) -> Result<ureq::Agent, NetError> {
        let proxy = match kyso_pki::http::proxy_for(&target.url, self.proxy.as_deref(), |k| std::env::var(k).ok()) {
            Ok(Some(_)) => {
                let raw = self.proxy.clone().or_else(|| {
                    ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
                        .iter()
                        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
                });
                raw.and_then(|p| ureq::Proxy::new(&p).ok())
            }
            _ => None,
        };
        let mut tls = ureq::tls::TlsConfig::builder().provider(ureq::tls::TlsProvider::Rustls);
        if let Some(roots) = &self.roots {
            let certs: Vec<ureq::tls::Certificate<'static>> =
                roots.iter().map(|d| ureq::tls::Certificate::from_der(d).to_owned()).collect();
            tls = tls.root_certs(ureq::tls::RootCerts::new_with_certs(&certs));
        }
        let config = ureq::Agent::config_builder()
            .proxy(proxy)
            .timeout_global(Some(self.timeout))
            .max_redirects(0)
            .max_redirects_will_error(false)
            .http_status_as_error(false)
            .max_idle_connections(0)
            .tls_config(tls.build())
            .user_agent(format!("Kyso/{}", env!("CARGO_PKG_VERSION")))
            .build();
        let port = target.addrs.first().map_or(443, SocketAddr::port);
        let resolver = Pinned { host: target.host.clone(), port, addrs: Arc::new(target.addrs.clone()) };
        Ok(ureq::Agent::with_parts(config, ureq::unversioned::transport::DefaultConnector::new(), resolver))
    }

    /// GETs `target` (at most `max_bytes`), with the credentials when
    /// given: (body, file name from Content-Disposition or the path).
    pub fn download(&self, target: &Checked, creds: &Credentials) -> Result<(Vec<u8>, String), NetError> {
        let agent = self.agent(target)?;
        let mut req = agent.get(&target.url);
        for (k, v) in creds.headers() {
            req = req.header(k, v);
        }
        let err = |e: ureq::Error| match e {
            ureq::Error::BodyExceedsLimit(_) => NetError::TooLarge(self.max_bytes),
            other => NetError::Exchange(target.host.clone(), other.to_string()),
        };
        let mut resp = req.call().map_err(err)?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(NetError::Status(target.host.clone(), status));
        }
        let declared =
            resp.headers().get("content-length").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > self.max_bytes) {
            return Err(NetError::TooLarge(self.max_bytes));
        }
        let name = resp
            .headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .and_then(disposition_name)
            .unwrap_or_else(|| path_name(&target.url));
        let body = resp.body_mut().with_config().limit(self.max_bytes).read_to_vec().map_err(err)?;
        Ok((body, sanitize(&name)))
    }

    /// POSTs `file` as `multipart/form-data` (RFC 7578) to `target`, the
    /// file in the part `uploadfile` named `name`, `fields` as form fields:
    /// (HTTP status, body).
    pub fn upload(
        &self,
        target: &Checked,
        creds: &Credentials,
        name: &str,
        file: &[u8],
        fields: &[(String, String)],
    ) -> Result<(u16, Vec<u8>), NetError> {
        let agent = self.agent(target)?;
        let boundary =
            format!("----kyso-{}", hex::encode(kyso_pki::HashAlg::Sha256.digest(file).get(..12).unwrap_or(&[])));
        let body = multipart(&boundary, name, file, fields);
        let mut req =
            agent.post(&target.url).header("Content-Type", format!("multipart/form-data; boundary={boundary}"));
        for (k, v) in creds.headers() {
            req = req.header(k, v);
        }
        let mut resp = req.send(&body[..]).map_err(|e| NetError::Exchange(target.host.clone(), e.to_string()))?;
        let status = resp.status().as_u16();
        let answer = resp
            .body_mut()
            .with_config()
            .limit(1 << 20)
            .read_to_vec()
            .map_err(|e| NetError::Exchange(target.host.clone(), e.to_string()))?;
        Ok((status, answer))
    }
}

/// The page's credentials, sent only to the origin's host.
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    /// `Cookie` value (`SessionId`).
    pub cookie: Option<String>,
    /// `Authorization: Bearer` token (`JWTToken`).
    pub bearer: Option<String>,
}

impl Credentials {
    /// The page's `SessionId` and `JWTToken` for a request to `host`: only
    /// when `host` is the origin's host.
    pub fn for_host(session: &str, jwt: &str, host: &str, origin: &Origin) -> Self {
        if host != origin.host {
            return Self::default();
        }
        // A header value may not carry CR or LF (RFC 9110 §5.5).
        let clean = |s: &str| Some(s.trim().to_owned()).filter(|v| !v.is_empty() && !v.contains(['\r', '\n']));
        let cookie = clean(session).map(|s| if s.contains('=') { s } else { format!("SessionId={s}") });
        Self { cookie, bearer: clean(jwt) }
    }

    fn headers(&self) -> Vec<(&'static str, String)> {
        let mut h = Vec::new();
        if let Some(c) = &self.cookie {
            h.push(("Cookie", c.clone()));
        }
        if let Some(b) = &self.bearer {
            h.push(("Authorization", format!("Bearer {b}")));
        }
        h
    }
}

/// The resolver that answers the checked addresses for the checked host
/// (and resolves anything else — a proxy — normally).
#[derive(Debug)]
struct Pinned {
    host: String,
    port: u16,
    addrs: Arc<Vec<SocketAddr>>,
}

impl ureq::unversioned::resolver::Resolver for Pinned {
    fn resolve(
        &self,
        uri: &Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
        // The target (host and port); a proxy on the same host but another
        // port is resolved normally.
        let default = if uri.scheme_str() == Some("http") { 80 } else { 443 };
        let port = uri.port_u16().unwrap_or(default);
        if uri.host().map(bare).as_deref() == Some(self.host.as_str()) && port == self.port {
            let mut out = self.empty();
            for a in self.addrs.iter().take(16) {
                out.push(*a);
            }
            return Ok(out);
        }
        ureq::unversioned::resolver::DefaultResolver::default().resolve(uri, config, timeout)
    }
}

/// `filename*=UTF-8''…` (RFC 6266 §4.3, RFC 8187) or `filename="…"`.
fn disposition_name(v: &str) -> Option<String> {
    let mut plain = None;
    for part in v.split(';').map(str::trim) {
        let Some((k, val)) = part.split_once('=') else { continue };
        match k.trim().to_ascii_lowercase().as_str() {
            "filename*" => {
                let enc = val.trim().trim_matches('"');
                if let Some((_, rest)) = enc.split_once("''") {
                    return percent_decode(rest);
                }
            }
            "filename" => plain = Some(val.trim().trim_matches('"').to_owned()),
            _ => {}
        }
    }
    plain.filter(|p| !p.is_empty())
}

/// The last path segment of a URL, percent-decoded.
fn path_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let last = path.rsplit('/').next().unwrap_or("");
    percent_decode(last).filter(|s| !s.is_empty()).unwrap_or_else(|| "tai-lieu".into())
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A file name safe to create: no directories, no control characters.
pub fn sanitize(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String =
        base.chars().filter(|c| !c.is_control() && !matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|')).collect();
    let clean = clean.trim().trim_start_matches('.').to_owned();
    if clean.is_empty() { "tai-lieu".into() } else { clean.chars().take(150).collect() }
}

/// A `multipart/form-data` body (RFC 7578): the fields, then the file.
fn multipart(boundary: &str, name: &str, file: &[u8], fields: &[(String, String)]) -> Vec<u8> {
    let q = |s: &str| s.replace(['"', '\r', '\n'], "_");
    let mut out = Vec::with_capacity(file.len() + 512);
    for (k, v) in fields {
        out.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n{v}\r\n", q(k)).as_bytes(),
        );
    }
    let ctype =
        if name.to_ascii_lowercase().ends_with(".pdf") { "application/pdf" } else { "application/octet-stream" };
    out.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"uploadfile\"; filename=\"{}\"\r\nContent-Type: {ctype}\r\n\r\n",
            q(name)
        )
        .as_bytes(),
    );
    out.extend_from_slice(file);
    out.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin::parse("https://qlvb.bacninh.gov.vn").expect("origin")
    }

    #[test]
    fn refusals_before_any_connection() {
        let p = NetPolicy::default();
        let o = Origin::parse("https://127.0.0.1:8443").expect("o");
        let err = |u: &str, o: &Origin| p.check(u, o).unwrap_err();
        assert!(matches!(err("file:///etc/passwd", &o), NetError::LocalFile(_)));
        assert!(matches!(err("C:\\Users\\a.pdf", &o), NetError::LocalFile(_)));
        assert!(matches!(err("etc/passwd", &o), NetError::LocalFile(_)));
        assert!(matches!(err("http://127.0.0.1:8443/a.pdf", &o), NetError::NotHttps(_)));
        assert!(matches!(err("https://127.0.0.1:8443/a.pdf", &o), NetError::Forbidden(..)));
        assert!(matches!(err("https://127.0.0.1:8443@evil.example/a.pdf", &o), NetError::BadUrl(_)));
        let o = Origin::parse("https://10.0.0.1").expect("o");
        assert!(matches!(err("https://10.0.0.1/a.pdf", &o), NetError::Forbidden(..)));
        let o = Origin::parse("https://169.254.169.254").expect("o");
        assert!(matches!(err("https://169.254.169.254/latest/meta-data", &o), NetError::Forbidden(..)));
        let o = origin();
        assert!(matches!(err("https://evil.example/a.pdf", &o), NetError::CrossSite(_)));
        assert!(matches!(err("https://bacninh.gov.vn.evil.example/a.pdf", &o), NetError::CrossSite(_)));
        assert!(matches!(err("https://xqlvb.bacninh.gov.vn/a.pdf", &o), NetError::CrossSite(_)));
        assert!(matches!(err("ftp://qlvb.bacninh.gov.vn/a.pdf", &o), NetError::BadUrl(_)));
        // Mapped IPv4 and the v6 link-local range.
        assert_eq!(special("::ffff:169.254.169.254".parse().expect("ip")), Special::Never);
        assert_eq!(special("fe80::1".parse().expect("ip")), Special::Never);
        assert_eq!(special("fd00::1".parse().expect("ip")), Special::Private);
        assert_eq!(special("100.64.0.1".parse().expect("ip")), Special::Private);
        assert_eq!(special("8.8.8.8".parse().expect("ip")), Special::Public);
    }

    #[test]
    fn loopback_and_allowed_hosts() {
        let o = Origin::parse("https://127.0.0.1:8443").expect("o");
        let p = NetPolicy { allow_loopback: true, ..Default::default() };
        let c = p.check("/files/a.pdf?id=3", &o).expect("relative");
        assert_eq!(c.url, "https://127.0.0.1:8443/files/a.pdf?id=3");
        assert_eq!(c.addrs, vec!["127.0.0.1:8443".parse::<SocketAddr>().expect("a")]);
        assert!(p.check("http://127.0.0.1:9/x", &o).is_ok());
        // Loopback is allowed, other special ranges still not.
        let o10 = Origin::parse("https://10.0.0.1").expect("o");
        assert!(matches!(p.check("https://10.0.0.1/a", &o10), Err(NetError::Forbidden(..))));
        let p = NetPolicy { allow_hosts: vec!["10.1.2.3".into()], ..Default::default() };
        assert!(p.check("http://10.1.2.3/u", &o).is_ok(), "an allowed intranet host, over http");
    }

    #[test]
    fn credentials_names_and_body() {
        let o = origin();
        let c = Credentials::for_host("abc", "jwt", "qlvb.bacninh.gov.vn", &o);
        assert_eq!(c.cookie.as_deref(), Some("SessionId=abc"));
        assert_eq!(c.bearer.as_deref(), Some("jwt"));
        let c = Credentials::for_host("abc", "jwt", "files.bacninh.gov.vn", &o);
        assert!(c.cookie.is_none() && c.bearer.is_none());
        assert!(Credentials::for_host("a\r\nX: y", "", "qlvb.bacninh.gov.vn", &o).cookie.is_none());
        assert_eq!(
            disposition_name("attachment; filename*=UTF-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh.pdf").as_deref(),
            Some("Quyết định.pdf")
        );
        assert_eq!(disposition_name("attachment; filename=\"a b.pdf\"").as_deref(), Some("a b.pdf"));
        assert_eq!(path_name("https://h/x/y/Van%20ban.pdf?id=1"), "Van ban.pdf");
        assert_eq!(sanitize("../../etc/passwd"), "passwd");
        assert_eq!(sanitize(".."), "tai-lieu");
        let body = multipart("B", "a.pdf", b"%PDF", &[("docid".into(), "7".into())]);
        let s = String::from_utf8_lossy(&body);
        assert!(s.contains("name=\"docid\"\r\n\r\n7\r\n"));
        assert!(s.contains("name=\"uploadfile\"; filename=\"a.pdf\""));
        assert!(s.ends_with("--B--\r\n"));
    }
}
