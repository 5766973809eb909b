//! A minimal HTTP/1.1 client for the plain-HTTP services PKI uses (RFC 3161
//! TSAs, OCSP responders, CRL distribution points are `http://` by design:
//! their answers are signed). No TLS; bounded sizes; timeouts everywhere.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

const MAX_BODY: usize = 16 << 20;

/// Why an HTTP exchange failed.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpError {
    /// Not an `http://host[:port]/path` URL.
    #[error("unsupported URL {0} (http:// only)")]
    BadUrl(String),
    /// Could not connect, or the connection broke / timed out.
    #[error("network error: {0}")]
    Network(String),
    /// The server answered with a non-200 status.
    #[error("HTTP status {0}")]
    Status(u16),
    /// A malformed or oversized answer.
    #[error("malformed HTTP answer: {0}")]
    Malformed(String),
}

fn split_url(url: &str) -> Result<(String, u16, String), HttpError> {
    let rest = url.strip_prefix("http://").ok_or_else(|| HttpError::BadUrl(url.into()))?;
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().map_err(|_| HttpError::BadUrl(url.into()))?),
        None => (hostport, 80),
    };
    if host.is_empty() {
        return Err(HttpError::BadUrl(url.into()));
    }
    Ok((host.to_owned(), port, path.to_owned()))
}

/// POSTs `body` (or GETs when `body` is `None`) and returns the answer body.
pub fn exchange(url: &str, content_type: &str, body: Option<&[u8]>, timeout: Duration) -> Result<Vec<u8>, HttpError> {
    let (host, port, path) = split_url(url)?;
    let net = |e: std::io::Error| HttpError::Network(e.to_string());
    let addr = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(net)?
        .next()
        .ok_or_else(|| HttpError::Network("no address".into()))?;
    let mut s = TcpStream::connect_timeout(&addr, timeout).map_err(net)?;
    s.set_read_timeout(Some(timeout)).map_err(net)?;
    s.set_write_timeout(Some(timeout)).map_err(net)?;
    let method = if body.is_some() { "POST" } else { "GET" };
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: Kyso/{}\r\nConnection: close\r\n",
        env!("CARGO_PKG_VERSION")
    );
    if let Some(b) = body {
        req.push_str(&format!("Content-Type: {content_type}\r\nContent-Length: {}\r\n", b.len()));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).map_err(net)?;
    if let Some(b) = body {
        s.write_all(b).map_err(net)?;
    }
    let mut r = BufReader::new(s);
    let mut status = String::new();
    r.read_line(&mut status).map_err(net)?;
    let code: u16 = status
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| HttpError::Malformed(status.trim().into()))?;
    let (mut len, mut chunked) = (None, false);
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).map_err(net)? == 0 {
            break;
        }
        let l = line.trim_end().to_ascii_lowercase();
        if l.is_empty() {
            break;
        }
        if let Some(v) = l.strip_prefix("content-length:") {
            len = v.trim().parse::<usize>().ok();
        }
        if l.starts_with("transfer-encoding:") && l.contains("chunked") {
            chunked = true;
        }
    }
    if code != 200 {
        return Err(HttpError::Status(code));
    }
    let mut out = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            r.read_line(&mut size).map_err(net)?;
            let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
                .map_err(|_| HttpError::Malformed("chunk".into()))?;
            if n == 0 {
                break;
            }
            if out.len() + n > MAX_BODY {
                return Err(HttpError::Malformed("answer too large".into()));
            }
            let mut chunk = vec![0; n + 2];
            r.read_exact(&mut chunk).map_err(net)?;
            out.extend_from_slice(&chunk[..n]);
        }
    } else if let Some(n) = len {
        if n > MAX_BODY {
            return Err(HttpError::Malformed("answer too large".into()));
        }
        out.resize(n, 0);
        r.read_exact(&mut out).map_err(net)?;
    } else {
        r.take(MAX_BODY as u64).read_to_end(&mut out).map_err(net)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(split_url("http://tsa.ca.gov.vn/").unwrap(), ("tsa.ca.gov.vn".into(), 80, "/".into()));
        assert_eq!(split_url("http://127.0.0.1:8080/tsa?x=1").unwrap(), ("127.0.0.1".into(), 8080, "/tsa?x=1".into()));
        assert!(split_url("https://x/").is_err());
        assert!(exchange("http://127.0.0.1:1/", "x", None, Duration::from_millis(500)).is_err());
    }
}
