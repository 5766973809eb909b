//! HTTP for the services PKI uses — RFC 3161 TSAs, RFC 6960 OCSP responders,
//! RFC 5280 CRL distribution points and AIA issuers — through `ureq` 3
//! (rustls). Most of these URLs are `http://` by design (their answers are
//! signed); `https://` works as well.
//!
//! On top of `ureq` this layer decides the proxy (the one given, else
//! `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` in either case, minus `NO_PROXY`),
//! follows redirects itself so each hop gets the same proxy decision, keeps
//! one deadline for the whole exchange, and types every failure by kind —
//! never by an error message's text. Through a proxy, https:// targets are
//! tunnelled with `CONNECT` by `ureq`; http:// targets are sent to the
//! proxy in absolute form (RFC 9112 §3.2.2), which `ureq` 3 does not do by
//! itself (see [`absolute_form`]).

use std::io::ErrorKind as IoKind;
use std::time::{Duration, Instant};

use ureq::http::Uri;
use ureq::http::uri::{Authority, Scheme};

/// The largest answer accepted (a CRL of a large CA is a few MiB).
const MAX_BODY: u64 = 16 << 20;
/// Redirects followed (RFC 9110 §15.4) before giving up.
const MAX_REDIRECTS: usize = 5;

/// What kind of failure an HTTP exchange met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpErrorKind {
    /// The whole exchange took longer than allowed.
    Timeout,
    /// The server (or the proxy) refused the connection.
    Refused,
    /// The host name could not be resolved.
    Dns,
    /// The server answered with this non-success status.
    Status(u16),
    /// The proxy could not be used: a bad proxy URL, a refused tunnel, or
    /// authentication required (407).
    Proxy,
    /// The connection broke off (reset, closed early).
    Reset,
    /// Not an `http://` or `https://` URL with a host.
    BadUrl,
    /// The answer is larger than allowed.
    TooLarge,
    /// Anything else: TLS, a malformed answer, too many redirects.
    Other,
}

/// Why an HTTP exchange failed: a kind to decide on, the URL and a detail
/// to show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {url}{}", kind_text(*.kind), if .detail.is_empty() { String::new() } else { format!(" ({})", .detail) })]
pub struct HttpError {
    /// The kind.
    pub kind: HttpErrorKind,
    /// The URL asked for.
    pub url: String,
    /// The underlying error, for the log (never decided on).
    pub detail: String,
}

fn kind_text(k: HttpErrorKind) -> String {
    match k {
        HttpErrorKind::Timeout => "timed out".into(),
        HttpErrorKind::Refused => "connection refused".into(),
        HttpErrorKind::Dns => "host name not found".into(),
        HttpErrorKind::Status(s) => format!("HTTP status {s}"),
        HttpErrorKind::Proxy => "proxy error".into(),
        HttpErrorKind::Reset => "connection broken".into(),
        HttpErrorKind::BadUrl => "unsupported URL (http:// or https:// only)".into(),
        HttpErrorKind::TooLarge => "answer too large".into(),
        HttpErrorKind::Other => "network error".into(),
    }
}

impl HttpError {
    fn new(kind: HttpErrorKind, url: &str, detail: impl Into<String>) -> Self {
        Self { kind, url: url.to_owned(), detail: detail.into() }
    }

    /// Whether another attempt may succeed: a server error (5xx), a
    /// timeout or a broken connection; not a refusal, a 4xx or a bad URL.
    pub fn is_transient(&self) -> bool {
        match self.kind {
            HttpErrorKind::Status(s) => s >= 500,
            HttpErrorKind::Timeout | HttpErrorKind::Reset => true,
            _ => false,
        }
    }
}

/// A forward proxy: `http://[user:password@]host[:port]` (or `https://`;
/// a bare `host:port` means `http://`). The user and password are
/// percent-encoded in the URL and sent as `Proxy-Authorization: Basic`
/// (RFC 9110 §11.7.1).
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyUrl {
    scheme: Scheme,
    authority: Authority,
    /// As given (credentials included), for `ureq`'s CONNECT tunnel.
    raw: String,
}

impl std::fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password.
        write!(f, "ProxyUrl({}://{})", self.scheme, self.authority)
    }
}

impl ProxyUrl {
    /// Parses a proxy URL.
    pub fn parse(s: &str) -> Result<Self, HttpError> {
        let bad = |d: &str| HttpError::new(HttpErrorKind::Proxy, s, d.to_owned());
        let t = s.trim();
        let with_scheme = if t.contains("://") { t.to_owned() } else { format!("http://{t}") };
        let uri: Uri = with_scheme.parse().map_err(|_| bad("not a URL"))?;
        let scheme = uri.scheme().cloned().ok_or_else(|| bad("no scheme"))?;
        if scheme != Scheme::HTTP && scheme != Scheme::HTTPS {
            return Err(bad("only http:// and https:// proxies are supported"));
        }
        let full = uri.authority().ok_or_else(|| bad("no host"))?.as_str();
        let (userinfo, hostport) = match full.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, full),
        };
        let authority: Authority = hostport.parse().map_err(|_| bad("bad host"))?;
        if authority.host().is_empty() {
            return Err(bad("no host"));
        }
        let decode =
            |v: &str| percent_decode(v).ok_or_else(|| bad("the user or password is not valid percent-encoded UTF-8"));
        if let Some(u) = userinfo {
            let (user, pass) = u.split_once(':').unwrap_or((u, ""));
            decode(user)?;
            decode(pass)?;
        }
        Ok(Self { scheme, authority, raw: with_scheme })
    }
}

impl ProxyUrl {
    /// `Proxy-Authorization: Basic` for the URL's user and password
    /// (RFC 9110 §11.7.1, RFC 7617), percent-decoded.
    fn basic_auth(&self) -> Option<String> {
        use base64::Engine as _;
        let hostport = self.raw.split_once("://").map_or(self.raw.as_str(), |(_, r)| r);
        let (userinfo, _) = hostport.split_once('/').map_or(hostport, |(a, _)| a).rsplit_once('@')?;
        let (user, pass) = userinfo.split_once(':').unwrap_or((userinfo, ""));
        let pair = format!("{}:{}", percent_decode(user)?, percent_decode(pass)?);
        Some(format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair)))
    }
}

/// Plain HTTP through a proxy in absolute form (RFC 9112 §3.2.2), on
/// `ureq`'s transport interface: the connection goes to the proxy
/// ([`absolute_form::ToProxy`]) and the request line's origin-form target
/// gets the scheme and authority in front ([`absolute_form::Rewrite`]).
mod absolute_form {
    use ureq::Error;
    use ureq::http::Uri;
    use ureq::http::uri::Authority;
    use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
    use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

    /// Resolves every target to the proxy's addresses.
    #[derive(Debug)]
    pub(super) struct ToProxy {
        pub(super) proxy: Authority,
    }

    impl Resolver for ToProxy {
        fn resolve(
            &self,
            _target: &Uri,
            config: &ureq::config::Config,
            timeout: NextTimeout,
        ) -> Result<ResolvedSocketAddrs, Error> {
            let uri: Uri = format!("http://{}/", self.proxy).parse().map_err(|_| Error::InvalidProxyUrl)?;
            DefaultResolver::default().resolve(&uri, config, timeout)
        }
    }

    /// Puts `origin` (`http://host:port`) before the request target.
    #[derive(Debug)]
    pub(super) struct Rewrite {
        pub(super) origin: String,
    }

    impl<In: Transport> Connector<In> for Rewrite {
        type Out = Absolute<In>;

        fn connect(&self, _: &ConnectionDetails<'_>, chained: Option<In>) -> Result<Option<Self::Out>, Error> {
            Ok(chained.map(|inner| Absolute { inner, origin: self.origin.clone(), head_sent: false }))
        }
    }

    #[derive(Debug)]
    pub(super) struct Absolute<T> {
        inner: T,
        origin: String,
        head_sent: bool,
    }

    impl<T: Transport> Transport for Absolute<T> {
        fn buffers(&mut self) -> &mut dyn Buffers {
            self.inner.buffers()
        }

        fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
            if self.head_sent {
                return self.inner.transmit_output(amount, timeout);
            }
            self.head_sent = true;
            // The first bytes of a fresh connection are the request line
            // "METHOD SP origin-form SP HTTP/1.1".
            let out = self.inner.buffers().output();
            let Some(sp) = out[..amount].iter().position(|&b| b == b' ') else {
                return self.inner.transmit_output(amount, timeout);
            };
            if out.get(sp + 1) != Some(&b'/') {
                return self.inner.transmit_output(amount, timeout);
            }
            let mut head = Vec::with_capacity(amount + self.origin.len());
            head.extend_from_slice(&out[..=sp]);
            head.extend_from_slice(self.origin.as_bytes());
            head.extend_from_slice(&out[sp + 1..amount]);
            if head.len() > out.len() {
                return Err(Error::Io(std::io::Error::other("request too large for the proxy's absolute form")));
            }
            out[..head.len()].copy_from_slice(&head);
            self.inner.transmit_output(head.len(), timeout)
        }

        fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
            self.inner.await_input(timeout)
        }

        fn is_open(&mut self) -> bool {
            self.inner.is_open()
        }
    }
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

/// The host of a URI without IPv6 brackets, lower case.
fn bare_host(uri: &Uri) -> String {
    uri.host().unwrap_or("").trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase()
}

/// Whether `NO_PROXY` (`list`: comma- or space-separated host names, domain
/// suffixes with or without a leading `.`/`*.`, IP literals, `*` for all;
/// a `:port` suffix is ignored) exempts `host`.
pub fn no_proxy_matches(list: &str, host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']').trim_end_matches('.').to_ascii_lowercase();
    list.split([',', ' ']).map(str::trim).filter(|e| !e.is_empty()).any(|entry| {
        if entry == "*" {
            return true;
        }
        let mut e = entry.to_ascii_lowercase();
        // "[::1]:8080", "[::1]", "host:8080" → the host part.
        if let Some(rest) = e.strip_prefix('[') {
            e = rest.split(']').next().unwrap_or("").to_owned();
        } else if e.matches(':').count() == 1 {
            e = e.split(':').next().unwrap_or("").to_owned();
        }
        let suffix = e.trim_start_matches('*').trim_start_matches('.').trim_end_matches('.');
        !suffix.is_empty()
            && (host == suffix
                || (host.len() > suffix.len() && host.ends_with(suffix) && {
                    let cut = host.len() - suffix.len() - 1;
                    host.as_bytes()[cut] == b'.'
                }))
    })
}

/// The proxy for `target`: `explicit` (Settings, `--proxy`) when given,
/// else the environment (`env` looks a variable up): `https_proxy` /
/// `HTTPS_PROXY` for https targets, `http_proxy` / `HTTP_PROXY` for http,
/// then `all_proxy` / `ALL_PROXY`; empty values count as unset. `NO_PROXY`
/// (`no_proxy`) exempts hosts from either.
pub fn proxy_for(
    target: &str,
    explicit: Option<&str>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<ProxyUrl>, HttpError> {
    let uri: Uri = target.parse().map_err(|_| HttpError::new(HttpErrorKind::BadUrl, target, ""))?;
    let get = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    if let Some(list) = get("no_proxy").or_else(|| get("NO_PROXY"))
        && no_proxy_matches(&list, &bare_host(&uri))
    {
        return Ok(None);
    }
    let chosen = match explicit.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Some(p.to_owned()),
        None => {
            let keys: [&str; 2] = if uri.scheme() == Some(&Scheme::HTTPS) {
                ["https_proxy", "HTTPS_PROXY"]
            } else {
                ["http_proxy", "HTTP_PROXY"]
            };
            keys.iter().chain(&["all_proxy", "ALL_PROXY"]).find_map(|k| get(k))
        }
    };
    chosen.map(|p| ProxyUrl::parse(&p)).transpose()
}

/// How to reach a server.
#[derive(Clone, Debug, Default)]
pub struct Route<'a> {
    /// Total time allowed, redirects included.
    pub timeout: Duration,
    /// The proxy from Settings or `--proxy`; `None` reads the environment.
    pub proxy: Option<&'a str>,
}

/// POSTs `body` (or GETs when `body` is `None`) and returns the answer body,
/// with the proxy from the environment.
pub fn exchange(url: &str, content_type: &str, body: Option<&[u8]>, timeout: Duration) -> Result<Vec<u8>, HttpError> {
    exchange_via(url, content_type, body, &Route { timeout, proxy: None })
}

/// POSTs `body` (or GETs when `body` is `None`) along `route` and returns
/// the answer body of a 2xx answer.
pub fn exchange_via(
    url: &str,
    content_type: &str,
    body: Option<&[u8]>,
    route: &Route<'_>,
) -> Result<Vec<u8>, HttpError> {
    exchange_env(url, content_type, body, route, &|k| std::env::var(k).ok())
}

/// [`exchange_via`] with the environment looked up through `env`.
fn exchange_env(
    url: &str,
    content_type: &str,
    body: Option<&[u8]>,
    route: &Route<'_>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<u8>, HttpError> {
    let deadline = Instant::now() + route.timeout;
    let mut current = url.to_owned();
    for _ in 0..=MAX_REDIRECTS {
        let proxy = proxy_for(&current, route.proxy, env)?;
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(HttpError::new(HttpErrorKind::Timeout, url, "deadline passed between redirects"));
        }
        let (status, location, answer) = one_request(&current, content_type, body, proxy.as_ref(), left)?;
        // RFC 9110 §15.4: a GET follows 301/302/303/307/308; a POST only 307
        // and 308, which keep the method and body (the others would turn it
        // into a GET, which no OCSP responder or TSA expects).
        let follow = match status {
            301..=303 => body.is_none(),
            307 | 308 => true,
            _ => false,
        };
        match location {
            Some(loc) if follow => current = resolve_location(&current, &loc)?,
            _ if (200..300).contains(&status) => return Ok(answer),
            _ => return Err(HttpError::new(HttpErrorKind::Status(status), &current, "")),
        }
    }
    Err(HttpError::new(HttpErrorKind::Other, url, format!("more than {MAX_REDIRECTS} redirects")))
}

/// A `Location` (RFC 9110 §10.2.2, RFC 3986 §5.2) against the URL it came from.
fn resolve_location(base: &str, loc: &str) -> Result<String, HttpError> {
    let loc = loc.trim();
    if loc.starts_with("http://") || loc.starts_with("https://") {
        return Ok(loc.to_owned());
    }
    let uri: Uri = base.parse().map_err(|_| HttpError::new(HttpErrorKind::BadUrl, base, ""))?;
    let scheme = uri.scheme_str().unwrap_or("http");
    let authority = uri.authority().map(Authority::as_str).unwrap_or("");
    Ok(if let Some(rest) = loc.strip_prefix("//") {
        format!("{scheme}://{rest}")
    } else if loc.starts_with('/') {
        format!("{scheme}://{authority}{loc}")
    } else {
        let dir = uri.path().rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        format!("{scheme}://{authority}{dir}/{loc}")
    })
}

/// One request without following redirects: (status, Location, body).
fn one_request(
    url: &str,
    content_type: &str,
    body: Option<&[u8]>,
    proxy: Option<&ProxyUrl>,
    timeout: Duration,
) -> Result<(u16, Option<String>, Vec<u8>), HttpError> {
    let target: Uri = url.parse().map_err(|_| HttpError::new(HttpErrorKind::BadUrl, url, ""))?;
    let scheme = target.scheme().cloned();
    let authority = target.authority().cloned();
    let (Some(scheme), Some(authority)) = (scheme, authority) else {
        return Err(HttpError::new(HttpErrorKind::BadUrl, url, ""));
    };
    if (scheme != Scheme::HTTP && scheme != Scheme::HTTPS) || target.host().is_none_or(str::is_empty) {
        return Err(HttpError::new(HttpErrorKind::BadUrl, url, ""));
    }
    // An https:// target through a proxy: ureq opens a tunnel with
    // `CONNECT host:port` (RFC 9110 §9.3.6), with `Proxy-Authorization:
    // Basic` from the proxy URL's user and password. An http:// target: the
    // request goes to the proxy itself with the absolute URI as its target
    // (RFC 9112 §3.2.2) — what proxies expect for plain HTTP (squid and
    // tinyproxy refuse `CONNECT` to port 80 by default).
    let absolute = proxy.filter(|_| scheme == Scheme::HTTP);
    let tunnel = proxy.filter(|_| scheme == Scheme::HTTPS);
    let ureq_proxy = match tunnel {
        Some(p) => {
            Some(ureq::Proxy::new(&p.raw).map_err(|e| HttpError::new(HttpErrorKind::Proxy, url, e.to_string()))?)
        }
        None => None,
    };
    let config = ureq::Agent::config_builder()
        // The proxy decision is ours (NO_PROXY, Settings): never ureq's own
        // reading of the environment.
        .proxy(ureq_proxy)
        .timeout_global(Some(timeout))
        .max_redirects(0)
        .max_redirects_will_error(false)
        .http_status_as_error(false)
        .max_idle_connections(0)
        .user_agent(format!("Kyso/{}", env!("CARGO_PKG_VERSION")))
        .build();
    let agent: ureq::Agent = match absolute {
        Some(p) => {
            use ureq::unversioned::transport::{Connector, TcpConnector};
            let origin = format!("{}://{}", scheme, authority.as_str());
            ureq::Agent::with_parts(
                config,
                TcpConnector::default().chain(absolute_form::Rewrite { origin }),
                absolute_form::ToProxy { proxy: p.authority.clone() },
            )
        }
        None => config.into(),
    };
    let via_proxy = proxy.is_some();
    let classify = |e: ureq::Error| classify(e, url, via_proxy, proxy, &target);
    let proxy_auth = absolute.and_then(ProxyUrl::basic_auth);
    let mut resp = match body {
        Some(b) => {
            let mut req = agent.post(target.clone()).header("Content-Type", content_type);
            if let Some(a) = &proxy_auth {
                req = req.header("Proxy-Authorization", a);
            }
            req.send(b).map_err(classify)?
        }
        None => {
            let mut req = agent.get(target.clone());
            if let Some(a) = &proxy_auth {
                req = req.header("Proxy-Authorization", a);
            }
            req.call().map_err(classify)?
        }
    };
    let status = resp.status().as_u16();
    if status == 407 {
        return Err(HttpError::new(HttpErrorKind::Proxy, url, "proxy authentication required (407)"));
    }
    let location = resp.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
    if !(200..300).contains(&status) {
        return Ok((status, location, Vec::new()));
    }
    let answer = resp.body_mut().with_config().limit(MAX_BODY).read_to_vec().map_err(classify)?;
    Ok((status, location, answer))
}

/// Types a `ureq` failure by its variant and, for I/O, by the error kind.
fn classify(e: ureq::Error, url: &str, via_proxy: bool, proxy: Option<&ProxyUrl>, target: &Uri) -> HttpError {
    use HttpErrorKind as K;
    let detail = e.to_string();
    let kind = match &e {
        ureq::Error::Timeout(_) => K::Timeout,
        ureq::Error::HostNotFound => K::Dns,
        ureq::Error::ConnectProxyFailed(_) | ureq::Error::InvalidProxyUrl => K::Proxy,
        ureq::Error::BodyExceedsLimit(_) => K::TooLarge,
        ureq::Error::BadUri(_) => K::BadUrl,
        ureq::Error::Io(io) => match io.kind() {
            IoKind::TimedOut | IoKind::WouldBlock => K::Timeout,
            IoKind::ConnectionRefused if via_proxy => K::Proxy,
            IoKind::ConnectionRefused => K::Refused,
            IoKind::ConnectionReset | IoKind::ConnectionAborted | IoKind::BrokenPipe | IoKind::UnexpectedEof => {
                K::Reset
            }
            // The resolver's failure has no kind of its own: ask again
            // whether the name resolves.
            _ if !resolves(proxy.map(|p| &p.authority).or(target.authority()), target) => {
                if via_proxy {
                    K::Proxy
                } else {
                    K::Dns
                }
            }
            _ => K::Other,
        },
        _ => K::Other,
    };
    HttpError::new(kind, url, detail)
}

fn resolves(authority: Option<&Authority>, target: &Uri) -> bool {
    use std::net::ToSocketAddrs;
    let Some(a) = authority else { return false };
    let port = a.port_u16().unwrap_or(if target.scheme() == Some(&Scheme::HTTPS) { 443 } else { 80 });
    let host = a.host().trim_start_matches('[').trim_end_matches(']');
    (host, port).to_socket_addrs().is_ok_and(|mut i| i.next().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| (*v).to_owned())
    }

    #[test]
    fn proxy_choice() {
        let e =
            [("HTTP_PROXY", "http://p1:3128"), ("https_proxy", "p2:8080"), ("NO_PROXY", "localhost,.corp.vn,[::1]")];
        let got = |t: &str, x: Option<&str>| proxy_for(t, x, env(&e)).unwrap().map(|p| p.authority.to_string());
        assert_eq!(got("http://tsa.ca.gov.vn/", None).as_deref(), Some("p1:3128"));
        assert_eq!(got("https://tsa.example/", None).as_deref(), Some("p2:8080"));
        assert_eq!(got("http://ocsp.corp.vn/", None), None);
        assert_eq!(got("http://corp.vn/", None), None);
        assert_eq!(got("http://notcorp.vn/", None).as_deref(), Some("p1:3128"));
        assert_eq!(got("http://[::1]:8080/x", None), None);
        assert_eq!(got("http://localhost/", Some("http://set:1")), None);
        assert_eq!(got("http://tsa.ca.gov.vn/", Some("http://set:1")).as_deref(), Some("set:1"));
        // Lower case wins over upper case; ALL_PROXY is the last resort.
        let e = [("http_proxy", "low:1"), ("HTTP_PROXY", "up:2"), ("ALL_PROXY", "all:3")];
        assert_eq!(proxy_for("http://x/", None, env(&e)).unwrap().unwrap().authority.as_str(), "low:1");
        assert_eq!(proxy_for("https://x/", None, env(&e)).unwrap().unwrap().authority.as_str(), "all:3");
        assert!(proxy_for("http://x/", None, env(&[("NO_PROXY", "*"), ("HTTP_PROXY", "p:1")])).unwrap().is_none());
        assert!(proxy_for("http://x/", None, env(&[])).unwrap().is_none());
        assert_eq!(proxy_for("http://x/", Some("socks5://s:1"), env(&[])).unwrap_err().kind, HttpErrorKind::Proxy);
    }

    #[test]
    fn proxy_credentials() {
        let p = ProxyUrl::parse("http://v%C4%83n:p%40ss%3Aw@proxy.local:3128").unwrap();
        assert_eq!(p.authority.as_str(), "proxy.local:3128");
        assert_eq!(p.basic_auth().unwrap(), "Basic dsSDbjpwQHNzOnc=");
        assert_eq!(ProxyUrl::parse("http://p:1").unwrap().basic_auth(), None);
        let u = ureq::Proxy::new(&p.raw).unwrap();
        assert_eq!((u.username(), u.password()), (Some("văn"), Some("p@ss:w")));
        assert!(!format!("{p:?}").contains("ss"));
        assert!(ProxyUrl::parse("http://%zz@p:1").is_err());
        assert_eq!(ProxyUrl::parse("[::1]:3128").unwrap().authority.host(), "[::1]");
    }

    #[test]
    fn locations() {
        let r = |b, l| resolve_location(b, l).unwrap();
        assert_eq!(r("http://a/x/y.crl", "z.crl"), "http://a/x/z.crl");
        assert_eq!(r("http://a:8/x/y", "/z"), "http://a:8/z");
        assert_eq!(r("http://a/x", "//b/c"), "http://b/c");
        assert_eq!(r("http://a/x", "https://b/c"), "https://b/c");
        assert_eq!(r("http://[::1]:8/x/y", "z"), "http://[::1]:8/x/z");
    }

    #[test]
    fn bad_urls_and_refusals() {
        let t = Route { timeout: Duration::from_secs(5), proxy: None };
        let exchange_via = |u: &str, c: &str, b: Option<&[u8]>, r: &Route<'_>| exchange_env(u, c, b, r, &|_| None);
        for u in ["ftp://x/", "https:///", "nonsense"] {
            assert_eq!(exchange_via(u, "x", None, &t).unwrap_err().kind, HttpErrorKind::BadUrl, "{u}");
        }
        // Port 1 on loopback: nothing listens.
        let e = exchange_via("http://127.0.0.1:1/", "x", None, &t).unwrap_err();
        assert_eq!(e.kind, HttpErrorKind::Refused, "{e}");
        assert!(!e.is_transient());
        let e = exchange_via("http://kyso-no-such-host.invalid/", "x", None, &t).unwrap_err();
        assert_eq!(e.kind, HttpErrorKind::Dns, "{e}");
        // An IPv6 literal, directly.
        if let Ok(l) = std::net::TcpListener::bind("[::1]:0") {
            let port = l.local_addr().unwrap().port();
            std::thread::spawn(move || {
                use std::io::{Read, Write};
                if let Some(Ok(mut s)) = l.incoming().next() {
                    let mut buf = [0u8; 1024];
                    let _ = s.read(&mut buf);
                    let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nv6");
                }
            });
            assert_eq!(exchange_via(&format!("http://[::1]:{port}/crl"), "x", None, &t).unwrap(), b"v6");
        }
        // A proxy that refuses is a proxy error, not the server's.
        let t = Route { timeout: Duration::from_secs(5), proxy: Some("http://127.0.0.1:1") };
        let e = exchange_via("http://example.invalid/", "x", None, &t).unwrap_err();
        assert_eq!(e.kind, HttpErrorKind::Proxy, "{e}");
    }
}
