//! OOXML benchmark: wall time and peak RSS of `kyso-cli sign` and
//! `kyso-cli verify` on DOCX packages with a large incompressible media
//! part, beside Apache POI's verification of the same file (the oracle of
//! ../shared, when present). Run with `cargo bench -p kyso-cli --bench ooxml`
//! (sizes via KYSO_BENCH_MB="1,20,100"). A second table times
//! `kyso-cli verify` on adversarial 5 MB packages built from a signed DOCX
//! (issue 23: any 5 MB package within 2 s).
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
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

/// The items of a package, in order.
fn items(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut d = Vec::new();
            f.read_to_end(&mut d).unwrap();
            (f.name().unwrap().to_string(), d)
        })
        .collect()
}

/// Writes `items` (deflated) plus `pad` bytes of stored noise, so that the
/// package reaches the size asked.
fn write_pkg(dst: &Path, items: &[(String, Vec<u8>)], pad: usize) {
    let mut w = zip::ZipWriter::new(std::fs::File::create(dst).unwrap());
    let o = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (n, d) in items {
        w.start_file(n.as_str(), o.large_file(d.len() > u32::MAX as usize / 2)).unwrap();
        w.write_all(d).unwrap();
    }
    if pad > 0 {
        w.start_file("word/media/pad.bin", o.compression_method(zip::CompressionMethod::Stored)).unwrap();
        noise(&mut w, pad);
    }
    w.finish().unwrap();
}

fn edit(items: &mut [(String, Vec<u8>)], name: &str, f: impl FnOnce(String) -> String) {
    let slot = items.iter_mut().find(|(n, _)| n == name).unwrap();
    slot.1 = f(String::from_utf8(std::mem::take(&mut slot.1)).unwrap()).into_bytes();
}

const TARGET: usize = 5 << 20;

/// Adversarial 5 MB packages built on the signed `base` (issue 23).
fn adversarial(base: &Path, dir: &Path) -> Vec<(&'static str, std::path::PathBuf)> {
    let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let orig = items(base);
    let sig = orig.iter().map(|(n, _)| n.clone()).find(|n| n.contains("xmlsignatures/sig")).unwrap();
    let size = |p: &Path| std::fs::metadata(p).unwrap().len() as usize;
    let mut out = Vec::new();
    let mut add = |label: &'static str, name: &str, it: Vec<(String, Vec<u8>)>| {
        let p = dir.join(name);
        write_pkg(&p, &it, 0);
        let pad = TARGET.saturating_sub(size(&p));
        write_pkg(&p, &it, pad);
        out.push((label, p));
    };
    // Many Id attributes in the signature part (≈ 5 MB of XML).
    let mut it = orig.clone();
    edit(&mut it, &sig, |x| {
        let mut bomb = String::from("<Object>");
        let mut i = 0;
        while bomb.len() < TARGET {
            bomb.push_str(&format!("<a Id=\"i{i}\"/>"));
            i += 1;
        }
        x.replace("</Signature>", &format!("{bomb}</Object></Signature>"))
    });
    add("signature part with ~330,000 Id attributes", "adv-ids.docx", it);
    // Just under the item limit: injected parts, each with a relationship.
    let mut it = orig.clone();
    let mut rels = String::new();
    for i in 0..9_900 {
        it.push((format!("word/x/p{i}.xml"), format!("<x>{i}</x>").into_bytes()));
        rels.push_str(&format!("<Relationship Id=\"rIdX{i}\" Type=\"{rel}/header\" Target=\"x/p{i}.xml\"/>"));
    }
    edit(&mut it, "word/_rels/document.xml.rels", |x| {
        x.replace("</Relationships>", &format!("{rels}</Relationships>"))
    });
    add("9,900 injected parts and relationships", "adv-parts.docx", it);
    // Just under the relationship limit, in one relationships part.
    let mut it = orig.clone();
    let mut rels = String::new();
    for i in 0..99_000 {
        rels.push_str(&format!("<Relationship Id=\"rIdY{i}\" Type=\"{rel}/hyperlink\" Target=\"http://x.invalid/{i}\" TargetMode=\"External\"/>"));
    }
    edit(&mut it, "word/_rels/document.xml.rels", |x| {
        x.replace("</Relationships>", &format!("{rels}</Relationships>"))
    });
    add("99,000 relationships in one part", "adv-rels.docx", it);
    // A signed part replaced by 500 MB of zeros (deflated to ~0.5 MB), near
    // the inflation limit: the manifest makes the verifier digest it.
    let mut it = orig.clone();
    let media = it.iter().map(|(n, _)| n.clone()).find(|n| n.starts_with("word/media/")).unwrap();
    it.iter_mut().find(|(n, _)| *n == media).unwrap().1 = vec![0u8; 500 << 20];
    add("a signed part replaced by 500 MB of zeros (deflated)", "adv-inflate.docx", it);
    // XML at the parsing budget: four 16 MB relationships parts.
    let mut it = orig.clone();
    let pad = " ".repeat((16 << 20) - 4096);
    for p in ["word/_rels/document.xml.rels", "_rels/.rels"] {
        edit(&mut it, p, |x| x.replace("</Relationships>", &format!("{pad}</Relationships>")));
    }
    edit(&mut it, &sig, |x| x.replace("</Signature>", &format!("{pad}</Signature>")));
    add("three 16 MB XML parts (white space)", "adv-xml.docx", it);
    out
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

    // --- Adversarial 5 MB packages (issue 23): kyso-cli verify, 3 runs.
    let base_signed = dir.path().join("adv-base.docx");
    let (_, _) = timed(
        &[
            cli,
            "sign",
            base.to_str().unwrap(),
            "-o",
            base_signed.to_str().unwrap(),
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
    println!();
    println!("| adversarial package | size (MB) | kyso-cli verify exit | verify wall (s) | peak RSS (MiB) |");
    println!("|---|---|---|---|---|");
    for (label, p) in adversarial(&base_signed, dir.path()) {
        let code = std::process::Command::new(cli)
            .args(["verify", p.to_str().unwrap(), "--json", "--offline"])
            .env("KYSO_DATA_DIR", dir.path())
            .output()
            .unwrap()
            .status
            .code()
            .unwrap_or(-1);
        let (mut t, mut r) = (Vec::new(), 0);
        for _ in 0..3 {
            let (w, m) = timed(&[cli, "verify", p.to_str().unwrap(), "--json", "--offline"], None, &env);
            t.push(w);
            r = r.max(m);
        }
        let mb = std::fs::metadata(&p).unwrap().len() as f64 / f64::from(1u32 << 20);
        println!("| {label} | {mb:.1} | {code} | {:.3} | {:.1} |", median(t), r as f64 / 1024.0);
    }
}
