//! `kyso-cli sign --level B-T` through a forward proxy: taken from
//! `HTTP_PROXY` in the environment, or from `--proxy` with a user and
//! password. The TSA is named by a host only the proxy resolves, so the
//! timestamp cannot have come any other way.
#![allow(clippy::unwrap_used)]

use std::process::{Command, Output, Stdio};
use std::sync::atomic::Ordering::SeqCst;

use kyso_testkit::{Fixture, pins, require_fixture, start_forward_proxy, tokens};

const PROXY_VARS: [&str; 8] =
    ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"];

/// `kyso-cli sign … --level B-T` with the environment's proxy variables
/// replaced by `env`.
fn sign(fx: &Fixture, dir: &std::path::Path, out: &str, tsa: &str, extra: &[&str], env: &[(&str, &str)]) -> Output {
    use std::io::Write;
    let input = dir.join("in.pdf");
    if !input.exists() {
        kyso_testkit::minimal_pdf(&input, 1);
    }
    let crl = fx.pki_file("crl.pem");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kyso-cli"));
    cmd.args(["sign", input.to_str().unwrap(), "-o", dir.join(out).to_str().unwrap()])
        .args(["--module", fx.module.to_str().unwrap(), "--token", tokens::CANHAN, "--cert", "Nguyễn Văn A"])
        .args(["--pin-stdin", "--level", "B-T", "--tsa", tsa, "--tsa-timeout", "20"])
        .args(["--crl", crl.to_str().unwrap(), "--json"])
        .args(extra)
        .env("SOFTHSM2_CONF", &fx.softhsm_conf)
        .env("KYSO_DATA_DIR", dir.join("data"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for v in PROXY_VARS {
        cmd.env_remove(v);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("kyso-cli runs");
    writeln!(child.stdin.take().unwrap(), "{}", pins::CANHAN).unwrap();
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn b_t_through_the_environment_proxy_and_through_proxy_with_credentials() {
    let fx = require_fixture!();
    let tsa = kyso_testkit::start_tsa(fx);
    let tsa_addr: std::net::SocketAddr = tsa.url.trim_start_matches("http://").trim_end_matches('/').parse().unwrap();
    let hidden = format!("http://tsa.kyso.test:{}/", tsa_addr.port());
    let dir = tempfile::tempdir().unwrap();

    // HTTP_PROXY from the environment.
    let open = start_forward_proxy(None, &[("tsa.kyso.test", tsa_addr)]);
    let r = sign(fx, dir.path(), "env.pdf", &hidden, &[], &[("HTTP_PROXY", &open.url)]);
    assert_eq!(r.status.code(), Some(0), "{}", text(&r));
    // Two requests relayed: the TSA probed before the PIN (kyso-core's
    // precheck), then the signature's timestamp.
    assert_eq!(open.relayed.load(SeqCst), 2);
    assert!(dir.path().join("env.pdf").is_file());

    // NO_PROXY exempts the host: the name does not resolve, no timestamp.
    let r = sign(fx, dir.path(), "no.pdf", &hidden, &[], &[("HTTP_PROXY", &open.url), ("NO_PROXY", ".kyso.test")]);
    assert_ne!(r.status.code(), Some(0), "{}", text(&r));
    assert_eq!(open.relayed.load(SeqCst), 2, "NO_PROXY ignored");
    assert!(!dir.path().join("no.pdf").exists());

    // --proxy with a user and password wins over the environment.
    let guarded = start_forward_proxy(Some(("cán bộ", "mật khẩu")), &[("tsa.kyso.test", tsa_addr)]);
    let with = guarded.url_with("c%C3%A1n%20b%E1%BB%99", "m%E1%BA%ADt%20kh%E1%BA%A9u");
    let r = sign(fx, dir.path(), "flag.pdf", &hidden, &["--proxy", &with], &[("HTTP_PROXY", &open.url)]);
    assert_eq!(r.status.code(), Some(0), "{}", text(&r));
    assert_eq!((guarded.relayed.load(SeqCst), open.relayed.load(SeqCst)), (2, 2));

    // A wrong password: refused by the proxy (the probe before the PIN),
    // reported as a proxy error, no output.
    let r = sign(fx, dir.path(), "bad.pdf", &hidden, &["--proxy", &guarded.url_with("x", "y")], &[]);
    assert_ne!(r.status.code(), Some(0), "{}", text(&r));
    assert!(text(&r).contains("proxy"), "{}", text(&r));
    assert_eq!(guarded.refused.load(SeqCst), 1);
    assert!(!dir.path().join("bad.pdf").exists());
}
