//! Signing benchmark (issue: PDF signing, "Benchmark"): wall time and peak
//! RSS of `kyso-cli sign` through a SoftHSM token, against the floor of the
//! same file: `cp` plus `openssl dgst -sha256` (SHA-NI) and plus `sha256sum`.
//! Peak RSS comes from GNU time (`/usr/bin/time -f %M`). Run with
//! `cargo bench -p kyso-cli --bench sign` (sizes via KYSO_BENCH_MB="1,50,200").
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use kyso_testkit::{pins, tokens};

/// A one-page PDF whose page draws one incompressible image of `bytes` bytes.
fn big_pdf(path: &Path, bytes: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut off = Vec::new();
    let mut pos = 0usize;
    let put = |f: &mut std::io::BufWriter<std::fs::File>, s: &[u8], pos: &mut usize| {
        f.write_all(s).unwrap();
        *pos += s.len();
    };
    put(&mut f, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", &mut pos);
    let width = 1000usize;
    let height = bytes.div_ceil(width);
    let objs: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>".to_vec(),
        b"<< /Length 33 >>\nstream\nq 595 0 0 842 0 0 cm /Im1 Do Q\n\nendstream".to_vec(),
    ];
    for (i, o) in objs.iter().enumerate() {
        off.push(pos);
        put(&mut f, format!("{} 0 obj\n", i + 1).as_bytes(), &mut pos);
        put(&mut f, o, &mut pos);
        put(&mut f, b"\nendobj\n", &mut pos);
    }
    off.push(pos);
    let len = width * height;
    put(
        &mut f,
        format!("5 0 obj\n<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Length {len} >>\nstream\n").as_bytes(),
        &mut pos,
    );
    // xorshift noise: incompressible, reproducible.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut chunk = vec![0u8; 1 << 16];
    let mut left = len;
    while left > 0 {
        let n = left.min(chunk.len());
        for b in chunk[..n].iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
        put(&mut f, &chunk[..n], &mut pos);
        left -= n;
    }
    put(&mut f, b"\nendstream\nendobj\n", &mut pos);
    let xref = pos;
    put(&mut f, b"xref\n0 6\n0000000000 65535 f\r\n", &mut pos);
    for o in off {
        put(&mut f, format!("{o:010} 00000 n\r\n").as_bytes(), &mut pos);
    }
    put(&mut f, format!("trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(), &mut pos);
    f.flush().unwrap();
}

/// Runs `cmd` under GNU time; returns (wall seconds, peak RSS KiB).
fn timed(args: &[&str], stdin: Option<&str>, env: &[(&str, &Path)]) -> (f64, u64) {
    let mut cmd = Command::new("/usr/bin/time");
    cmd.args(["-f", "KYSO_TIME %e %M"]).args(args).stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let start = Instant::now();
    let mut child = cmd.spawn().unwrap();
    if let Some(s) = stdin {
        writeln!(child.stdin.take().unwrap(), "{s}").unwrap();
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().unwrap();
    let wall = start.elapsed().as_secs_f64();
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err.lines().find(|l| l.starts_with("KYSO_TIME")).unwrap_or_else(|| panic!("{err}"));
    let rss = line.split_whitespace().nth(2).and_then(|v| v.parse().ok()).unwrap_or(0);
    (wall, rss)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let Some(fx) = kyso_testkit::fixture() else { return };
    if !Path::new("/usr/bin/time").exists() {
        eprintln!("SKIPPED: GNU time (/usr/bin/time) is needed for peak RSS");
        return;
    }
    let sizes: Vec<usize> = std::env::var("KYSO_BENCH_MB")
        .unwrap_or_else(|_| "1,50,200".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
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
