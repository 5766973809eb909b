//! OOXML benchmark: wall time and peak RSS of `kyso-cli sign` and
//! `kyso-cli verify` on DOCX packages with a large incompressible media
//! part, beside Apache POI's verification of the same file (the oracle of
//! ../shared, when present). Run with `cargo bench -p kyso-cli --bench ooxml`
//! (sizes via KYSO_BENCH_MB="1,20,100").
#![allow(clippy::unwrap_used)]

use std::path::Path;

use kyso_testkit::{pins, tokens};

#[path = "common.rs"]
mod common;
use common::{median, noise, sizes_mb, timed};

/// A DOCX with a `word/media/blob.png` of `bytes` incompressible bytes.
fn big_docx(src: &Path, dst: &Path, bytes: usize) {
    let mut z = zip::ZipArchive::new(std::fs::File::open(src).unwrap()).unwrap();
    let mut w = zip::ZipWriter::new(std::fs::File::create(dst).unwrap());
    for i in 0..z.len() {
        w.raw_copy_file(z.by_index_raw(i).unwrap()).unwrap();
    }
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(bytes > u32::MAX as usize / 2);
    w.start_file("word/media/blob.png", opts).unwrap();
    noise(&mut w, bytes);
    w.finish().unwrap();
}

fn main() {
    let Some(fx) = kyso_testkit::fixture() else { return };
    if !Path::new("/usr/bin/time").exists() {
        eprintln!("SKIPPED: GNU time (/usr/bin/time) is needed for peak RSS");
        return;
    }
    let sizes = sizes_mb("1,20,100");
    let dir = tempfile::tempdir().unwrap();
    let cli = env!("CARGO_BIN_EXE_kyso-cli");
    let module = fx.module.to_str().unwrap();
    let env = [("SOFTHSM2_CONF", fx.softhsm_conf.as_path()), ("KYSO_DATA_DIR", dir.path())];
    let poi = kyso_testkit::shared_dir().map(|s| s.join("oracles/docx-poi/verify"));
    let base = dir.path().join("base.docx");
    kyso_testkit::minimal_docx(&base, "Văn bản đo hiệu năng");
    println!(
        "| size | sign wall (s) | sign peak RSS (MiB) | verify wall (s) | verify peak RSS (MiB) | POI verify (s) |"
    );
    println!("|---|---|---|---|---|---|");
    for mb in sizes {
        let input = dir.path().join(format!("in-{mb}.docx"));
        big_docx(&base, &input, mb << 20);
        let out = dir.path().join(format!("out-{mb}.docx"));
        let (mut st, mut sr, mut vt, mut vr, mut pt) = (Vec::new(), 0, Vec::new(), 0, Vec::new());
        for _ in 0..3 {
            let (w, r) = timed(
                &[
                    cli,
                    "sign",
                    input.to_str().unwrap(),
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
            st.push(w);
            sr = sr.max(r);
            let (w, r) = timed(&[cli, "verify", out.to_str().unwrap(), "--json"], None, &env);
            vt.push(w);
            vr = vr.max(r);
            if let Some(p) = &poi {
                let (w, _) = timed(&["bash", p.to_str().unwrap(), out.to_str().unwrap()], None, &[]);
                pt.push(w);
            }
        }
        let poi_t = if pt.is_empty() { "—".to_owned() } else { format!("{:.3}", median(pt)) };
        println!(
            "| {mb} MB | {:.3} | {:.1} | {:.3} | {:.1} | {poi_t} |",
            median(st),
            sr as f64 / 1024.0,
            median(vt),
            vr as f64 / 1024.0
        );
    }
}
