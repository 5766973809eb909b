//! Helpers shared by the kyso-cli integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

use kyso_testkit::Fixture;
use serde_json::Value;

/// Runs `kyso-cli` on the fixture tokens with the journal in `data`, the
/// interface in its default language, and `stdin` (a PIN) when given.
pub fn kyso_cli(fx: &Fixture, data: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kyso-cli"))
        .args(args)
        .env("SOFTHSM2_CONF", &fx.softhsm_conf)
        .env("KYSO_DATA_DIR", data)
        .env_remove("KYSO_LANG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kyso-cli runs");
    if let Some(s) = stdin {
        writeln!(child.stdin.take().unwrap(), "{s}").unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

/// The JSON on standard output.
pub fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}
