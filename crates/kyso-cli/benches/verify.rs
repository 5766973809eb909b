//! Verification benchmark: `kyso-cli verify` against poppler's `pdfsig` on
//! 1, 50 and 200 MB PDFs carrying three signatures (wall time, peak RSS).
//! Run with `cargo bench -p kyso-cli --bench verify`.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use kyso_testkit::{pins, tokens};

#[path = "common.rs"]
mod common;
use common::{big_pdf, median, sizes_mb, timed};

fn main() {
    let Some(fx) = kyso_testkit::fixture() else { return };
    if !Path::new("/usr/bin/time").exists() || std::process::Command::new("pdfsig").arg("-v").output().is_err() {
        eprintln!("SKIPPED: needs GNU time and pdfsig");
        return;
    }
    let sizes = sizes_mb("1,50,200");
    let dir = tempfile::tempdir().unwrap();
    let cli = env!("CARGO_BIN_EXE_kyso-cli");
    let module = fx.module.to_str().unwrap();
    let env = [("SOFTHSM2_CONF", fx.softhsm_conf.as_path())];
    let root = fx.pki_file("root.pem");
    let int = fx.pki_file("int.pem");
    println!("| size | signatures | kyso-cli verify (s) | peak RSS (MiB) | pdfsig (s) | pdfsig peak RSS (MiB) |");
    println!("|---|---|---|---|---|---|");
    for mb in sizes {
        let mut current = dir.path().join(format!("in-{mb}.pdf"));
        big_pdf(&current, mb << 20);
        for (i, (token, pin)) in
            [(tokens::TOCHUC, pins::TOCHUC), (tokens::TOCHUC, pins::TOCHUC), (tokens::TOCHUC, pins::TOCHUC)]
                .iter()
                .enumerate()
        {
            let out = dir.path().join(format!("s{i}-{mb}.pdf"));
            timed(
                &[
                    cli,
                    "sign",
                    current.to_str().unwrap(),
                    "-o",
                    out.to_str().unwrap(),
                    "--module",
                    module,
                    "--token",
                    token,
                    "--pin-stdin",
                    "--allow-unchecked",
                ],
                Some(pin),
                &env,
            );
            std::fs::remove_file(&current).unwrap();
            current = out;
        }
        let file = current.to_str().unwrap();
        let (mut k, mut p) = (Vec::new(), Vec::new());
        let (mut krss, mut prss) = (0, 0);
        for _ in 0..3 {
            let (w, r) = timed(
                &[cli, "verify", file, "--trust", root.to_str().unwrap(), "--certs", int.to_str().unwrap(), "--json"],
                None,
                &[],
            );
            k.push(w);
            krss = krss.max(r);
            let (w, r) = timed(&["pdfsig", file], None, &[]);
            p.push(w);
            prss = prss.max(r);
        }
        println!(
            "| {mb} MB | 3 | {:.3} | {:.1} | {:.3} | {:.1} |",
            median(k),
            krss as f64 / 1024.0,
            median(p),
            prss as f64 / 1024.0
        );
        std::fs::remove_file(&current).unwrap();
    }
}
