//! Signing benchmark (issue: PDF signing, "Benchmark"): wall time and peak
//! RSS of `kyso-cli sign` through a SoftHSM token, against the floor of the
//! same file: `cp` plus `openssl dgst -sha256` (SHA-NI) and plus `sha256sum`.
//! Peak RSS comes from GNU time (`/usr/bin/time -f %M`). Run with
//! `cargo bench -p kyso-cli --bench sign` (sizes via KYSO_BENCH_MB="1,50,200").
#![allow(clippy::unwrap_used)]

use std::path::Path;

use kyso_testkit::{pins, tokens};

#[path = "common.rs"]
mod common;
use common::{big_pdf, median, sizes_mb, timed};

fn main() {
    let Some(fx) = kyso_testkit::fixture() else { return };
    if !Path::new("/usr/bin/time").exists() {
        eprintln!("SKIPPED: GNU time (/usr/bin/time) is needed for peak RSS");
        return;
    }
    let sizes = sizes_mb("1,50,200");
    let dir = tempfile::tempdir_in(std::env::var_os("KYSO_BENCH_DIR").unwrap_or_else(|| std::env::temp_dir().into()))
        .unwrap();
    let cli = env!("CARGO_BIN_EXE_kyso-cli");
    let module = fx.module.to_str().unwrap();
    let env = [("SOFTHSM2_CONF", fx.softhsm_conf.as_path())];
    println!(
        "| size | kyso-cli sign wall (s) | peak RSS (MiB) | cp + openssl sha256 (s) | cp + sha256sum (s) | ratio to openssl floor |"
    );
    println!("|---|---|---|---|---|---|");
    for mb in sizes {
        let input = dir.path().join(format!("in-{mb}.pdf"));
        big_pdf(&input, mb << 20);
        let inp = input.to_str().unwrap();
        let copy = dir.path().join("copy.pdf");
        let mut sign_t = Vec::new();
        let mut rss = 0;
        let mut floor_ossl = Vec::new();
        let mut floor_sum = Vec::new();
        for i in 0..3 {
            let out = dir.path().join(format!("out-{mb}-{i}.pdf"));
            let (w, r) = timed(
                &[
                    cli,
                    "sign",
                    inp,
                    "-o",
                    out.to_str().unwrap(),
                    "--module",
                    module,
                    "--token",
                    tokens::TOCHUC,
                    "--pin-stdin",
                    "--force",
                    "--allow-unchecked",
                ],
                Some(pins::TOCHUC),
                &env,
            );
            assert!(out.exists(), "signing failed");
            std::fs::remove_file(&out).unwrap();
            sign_t.push(w);
            rss = rss.max(r);
            let (c, _) = timed(&["cp", inp, copy.to_str().unwrap()], None, &[]);
            let (h, _) = timed(&["openssl", "dgst", "-sha256", inp], None, &[]);
            let (s, _) = timed(&["sha256sum", inp], None, &[]);
            floor_ossl.push(c + h);
            floor_sum.push(c + s);
        }
        let (w, fo, fs) = (median(sign_t), median(floor_ossl), median(floor_sum));
        println!("| {mb} MB | {w:.3} | {:.1} | {fo:.3} | {fs:.3} | {:.2} |", rss as f64 / 1024.0, w / fo);
        std::fs::remove_file(&input).unwrap();
    }
}
