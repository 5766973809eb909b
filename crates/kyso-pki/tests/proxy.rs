//! TSA, OCSP and CRL through a forward proxy (the loopback proxy of
//! kyso-testkit, which counts what it relays in absolute form and the
//! tunnels it opens) with the proxy given as in Settings, authentication
//! included; redirects, IPv6 literals, https through `CONNECT`, and the
//! error kinds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::Ordering;
use std::time::Duration;

use der::Decode;
use kyso_pki::http::{HttpErrorKind, Route, exchange_via};
use kyso_pki::precheck::{PrecheckOptions, PrecheckResult, gather_revocation_via, precheck_with};
use kyso_pki::{Certificate, TsaConfig};
use kyso_testkit::{Fixture, fixture, start_forward_proxy, start_revocation_server, start_tsa};

fn cert(fx: &Fixture, name: &str) -> Certificate {
    Certificate::from_der(&std::fs::read(fx.pki_file(&format!("{name}.der"))).unwrap()).unwrap()
}

fn port_of(url: &str) -> SocketAddr {
    url.trim_start_matches("http://").trim_end_matches('/').parse().unwrap()
}

/// A one-shot loopback server on `listener` answering every request with `answer`.
fn answer_with(listener: TcpListener, answer: String) {
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            let mut head = Vec::new();
            let mut b = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && s.read(&mut b).unwrap_or(0) == 1 {
                head.push(b[0]);
            }
            let _ = s.write_all(answer.as_bytes());
        }
    });
}

/// One test: the revocation services are process-wide and their counters
/// are compared with the proxy's.
#[test]
fn tsa_ocsp_and_crl_through_an_authenticating_proxy() {
    let Some(fx) = fixture() else { return };
    let Some(server) = start_revocation_server(fx) else { return };
    let tsa = start_tsa(fx);
    // The TSA is named by a host only the proxy resolves: a direct
    // connection cannot reach it.
    let tsa_addr = port_of(&tsa.url);
    let proxy = start_forward_proxy(Some(("cán bộ", "p@ss")), &[("tsa.kyso.test", tsa_addr)]);
    let with_auth = proxy.url_with("c%C3%A1n%20b%E1%BB%99", "p%40ss");

    // RFC 3161 through the proxy.
    let cfg = TsaConfig {
        url: format!("http://tsa.kyso.test:{}/", tsa_addr.port()),
        timeout: Duration::from_secs(30),
        proxy: Some(with_auth.clone()),
    };
    let (token, _) = cfg.request(b"through the proxy").expect("timestamp through the proxy");
    assert!(!token.is_empty());
    assert_eq!(proxy.relayed.load(Ordering::SeqCst), 1);
    assert_eq!(proxy.seen(), vec![format!("tsa.kyso.test:{}", tsa_addr.port())]);

    // Without the password the proxy refuses: a proxy error, not retried.
    let wrong = TsaConfig { proxy: Some(proxy.url.clone()), ..cfg.clone() };
    let e = wrong.request(b"x").unwrap_err();
    assert!(matches!(&e, kyso_pki::tsp::TspError::Http(h) if h.kind == HttpErrorKind::Proxy), "{e}");
    assert_eq!(proxy.refused.load(Ordering::SeqCst), 1);

    // OCSP (the AIA responder of the fixture) through the proxy.
    let (canhan, int) = (cert(fx, "canhan"), cert(fx, "int"));
    let opts = PrecheckOptions {
        offline: false,
        timeout: Duration::from_secs(10),
        cache: None,
        proxy: Some(with_auth.clone()),
    };
    let (ocsp0, crl0) = (server.ocsp_hits.load(Ordering::SeqCst), server.crl_hits.load(Ordering::SeqCst));
    let p = precheck_with(&canhan, Some(&int), &[], &opts);
    assert_eq!(p.result, PrecheckResult::Good, "{:?}", p.evidence);
    assert_eq!(p.ocsps.len(), 1);
    assert_eq!(server.ocsp_hits.load(Ordering::SeqCst) - ocsp0, 1);
    assert_eq!(proxy.relayed.load(Ordering::SeqCst), 2);
    assert_eq!(proxy.seen().last().map(String::as_str), Some("127.0.0.1:47961"));

    // The responder off (503): the CRL from the distribution point, through the proxy.
    server.ocsp_on.store(false, Ordering::SeqCst);
    let p = precheck_with(&canhan, Some(&int), &[], &opts);
    server.ocsp_on.store(true, Ordering::SeqCst);
    assert_eq!(p.result, PrecheckResult::Good, "{:?}", p.evidence);
    assert_eq!(p.crls.len(), 1, "{:?}", p.evidence);
    assert_eq!(proxy.seen()[2..], ["127.0.0.1:47961", "127.0.0.1:47962"]);

    // The long-term gathering (B-LT) takes the same route: OCSP and the CRL.
    let g = gather_revocation_via(&[canhan.clone(), int.clone()], &opts.route());
    assert_eq!((g.ocsps.len(), g.crls.len()), (1, 1), "{:?}", g.notes);
    assert_eq!(proxy.seen()[4..], ["127.0.0.1:47961", "127.0.0.1:47962"]);

    // No direct connection: every answer the services gave (two OCSP, two
    // CRL) is one the proxy relayed (the refused OCSP request was not counted
    // by the responder).
    let served = server.ocsp_hits.load(Ordering::SeqCst) - ocsp0 + server.crl_hits.load(Ordering::SeqCst) - crl0;
    assert_eq!(served, 4);
    assert_eq!(proxy.relayed.load(Ordering::SeqCst), 1 + 5);

    // A redirect (RFC 9110 §15.4.3) to the CRL is followed, each hop through the proxy.
    let redirector = TcpListener::bind("127.0.0.1:0").unwrap();
    let raddr = redirector.local_addr().unwrap();
    answer_with(
        redirector,
        "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:47962/root.crl\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            .into(),
    );
    let before = proxy.relayed.load(Ordering::SeqCst);
    let route = Route { timeout: Duration::from_secs(10), proxy: Some(&with_auth) };
    let body = exchange_via(&format!("http://{raddr}/moved.crl"), "", None, &route).expect("redirected CRL");
    assert_eq!(body, std::fs::read(fx.pki_file("root-crl.der")).unwrap());
    assert_eq!(proxy.relayed.load(Ordering::SeqCst) - before, 2);
    assert_eq!(proxy.tunnels.load(Ordering::SeqCst), 0, "plain http is relayed, not tunnelled");
}

#[test]
fn https_goes_through_connect_and_errors_are_typed() {
    // A TLS "server" that accepts and hangs up: the tunnel is opened by the
    // proxy (counted), then the handshake fails — not a proxy error.
    let tls = TcpListener::bind("127.0.0.1:0").unwrap();
    let taddr = tls.local_addr().unwrap();
    std::thread::spawn(move || {
        for s in tls.incoming().flatten() {
            drop(s);
        }
    });
    let proxy = start_forward_proxy(None, &[("secure.kyso.test", taddr)]);
    let route = Route { timeout: Duration::from_secs(10), proxy: Some(&proxy.url) };
    let e = exchange_via(&format!("https://secure.kyso.test:{}/crl", taddr.port()), "", None, &route).unwrap_err();
    assert_ne!(e.kind, HttpErrorKind::Proxy, "{e}");
    assert_eq!((proxy.tunnels.load(Ordering::SeqCst), proxy.relayed.load(Ordering::SeqCst)), (1, 0));
    assert_eq!(proxy.seen(), vec![format!("secure.kyso.test:{}", taddr.port())]);

    // A status is typed as such, 5xx transient and 4xx not.
    for (code, transient) in [(404u16, false), (503, true)] {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let a = l.local_addr().unwrap();
        answer_with(l, format!("HTTP/1.1 {code} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
        let e = exchange_via(&format!("http://{a}/"), "", None, &route).unwrap_err();
        assert_eq!((e.kind, e.is_transient()), (HttpErrorKind::Status(code), transient), "{e}");
    }

    // A server that never answers: the total timeout, not a hang.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let saddr = silent.local_addr().unwrap();
    std::thread::spawn(move || {
        let _held: Vec<_> = silent.incoming().take(4).flatten().collect();
        std::thread::sleep(Duration::from_secs(30));
    });
    let started = std::time::Instant::now();
    let short = Route { timeout: Duration::from_millis(800), proxy: Some(&proxy.url) };
    let e = exchange_via(&format!("http://{saddr}/"), "x", Some(b"q"), &short).unwrap_err();
    assert_eq!(e.kind, HttpErrorKind::Timeout, "{e}");
    assert!(e.is_transient());
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}

#[test]
fn ipv6_literals_direct_and_through_the_proxy() {
    let Ok(l) = TcpListener::bind("[::1]:0") else {
        eprintln!("SKIPPED: no IPv6 loopback on this machine");
        return;
    };
    let a = l.local_addr().unwrap();
    answer_with(l, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nv6".into());
    let url = format!("http://[::1]:{}/x", a.port());
    let proxy = start_forward_proxy(None, &[]);
    let route = Route { timeout: Duration::from_secs(10), proxy: Some(&proxy.url) };
    assert_eq!(exchange_via(&url, "", None, &route).unwrap(), b"v6");
    assert_eq!(proxy.seen(), vec![format!("[::1]:{}", a.port())]);
}
