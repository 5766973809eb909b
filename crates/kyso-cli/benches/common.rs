//! Shared by the benchmarks: a large PDF generator and a timed runner.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// A one-page PDF whose page draws one incompressible image of `bytes` bytes.
pub fn big_pdf(path: &Path, bytes: usize) {
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
    noise(&mut f, len);
    pos += len;
    put(&mut f, b"\nendstream\nendobj\n", &mut pos);
    let xref = pos;
    put(&mut f, b"xref\n0 6\n0000000000 65535 f\r\n", &mut pos);
    for o in off {
        put(&mut f, format!("{o:010} 00000 n\r\n").as_bytes(), &mut pos);
    }
    put(&mut f, format!("trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(), &mut pos);
    f.flush().unwrap();
}

/// Writes `len` bytes of xorshift noise: incompressible, reproducible.
pub fn noise(w: &mut impl Write, len: usize) {
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
        w.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
}

/// The sizes to measure, in MB: `KYSO_BENCH_MB` ("1,50,200"), else `default`.
pub fn sizes_mb(default: &str) -> Vec<usize> {
    std::env::var("KYSO_BENCH_MB")
        .unwrap_or_else(|_| default.into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

/// Runs `cmd` under GNU time; returns (wall seconds, peak RSS KiB).
pub fn timed(args: &[&str], stdin: Option<&str>, env: &[(&str, &Path)]) -> (f64, u64) {
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

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}
