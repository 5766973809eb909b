//! `cargo bench -p kyso-preview --bench render`: how long the signing
//! screen waits for a page preview (360×400 px, as the screen asks), on the
//! corpus PDFs of ../shared (skipped when absent) and a generated page,
//! beside poppler's `pdftoppm` drawing the same page at the same size
//! (its process start included, as the preview's thread start is).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const RUNS: usize = 5;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|k| k.parse::<f64>().ok()))
        .map_or(0.0, |kib| kib / 1024.0)
}

fn poppler(path: &Path, w: u32, h: u32) -> Option<f64> {
    let out = std::env::temp_dir().join(format!("kyso-bench-{}", std::process::id()));
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let ok = Command::new("pdftoppm")
            .args(["-f", "1", "-l", "1", "-singlefile", "-png", "-scale-to-x"])
            .arg(w.to_string())
            .arg("-scale-to-y")
            .arg(h.to_string())
            .arg(path)
            .arg(&out)
            .stderr(std::process::Stdio::null())
            .status()
            .ok()?
            .success();
        if !ok {
            return None;
        }
        times.push(t.elapsed().as_secs_f64());
    }
    let _ = std::fs::remove_file(out.with_extension("png"));
    Some(median(times))
}

fn main() {
    let mut files: Vec<PathBuf> = Vec::new();
    let generated = std::env::temp_dir().join(format!("kyso-bench-{}.pdf", std::process::id()));
    kyso_testkit::minimal_pdf(&generated, 3);
    files.push(generated.clone());
    match kyso_testkit::shared_dir() {
        Some(shared) => {
            let mut corpus: Vec<PathBuf> = std::fs::read_dir(shared.join("corpus/pdf"))
                .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "pdf")).collect())
                .unwrap_or_default();
            corpus.sort();
            files.extend(corpus);
        }
        None => eprintln!("../shared absent: only the generated page is measured"),
    }
    println!("| file | size (KiB) | page px | hayro preview (ms) | pdftoppm (ms) |");
    println!("|---|---|---|---|---|");
    let mut all = Vec::new();
    for f in &files {
        let Ok(bytes) = std::fs::read(f) else { continue };
        let mut times = Vec::new();
        let mut dims = None;
        for _ in 0..RUNS {
            let t = Instant::now();
            match kyso_preview::render_page(&bytes, 1, 360, 400) {
                Ok(img) => dims = Some((img.width, img.height)),
                Err(e) => {
                    dims = None;
                    eprintln!("{}: {e}", f.display());
                    break;
                }
            }
            times.push(t.elapsed().as_secs_f64());
        }
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let Some((w, h)) = dims else {
            println!("| {name} | {} | — | not drawn | — |", bytes.len() / 1024);
            continue;
        };
        let ours = median(times);
        all.push(ours);
        let theirs = poppler(f, w, h).map_or("—".to_owned(), |s| format!("{:.1}", s * 1000.0));
        println!("| {name} | {} | {w}×{h} | {:.1} | {theirs} |", bytes.len() / 1024, ours * 1000.0);
    }
    let _ = std::fs::remove_file(&generated);
    if !all.is_empty() {
        println!(
            "\nmedian over files: {:.1} ms, slowest: {:.1} ms, peak RSS of this process: {:.1} MiB",
            median(all.clone()) * 1000.0,
            all.iter().copied().fold(0.0, f64::max) * 1000.0,
            peak_rss_mib()
        );
    }
}
