//! `cargo bench -p kyso-preview --bench visual`: what the visual comparison
//! (issue 21) adds to a verification — a 20-page text document (45 lines a
//! page) signed three times by Kyso through the fixture's SoftHSM token
//! (the first invisible, the other two visible), so two signed revisions and
//! the final document are drawn: 60 page pictures. Printed: the object
//! verification alone, the visual comparison with one and two threads, and
//! the peak RSS. Skipped (with a message) without the fixture.

use std::time::Instant;

use kyso_pdf::object::Dict;
use kyso_pdf::{Appearance, SignOptions, VerifyOptions, sign_pdf, verify_pdf};
use kyso_preview::visual::{VisualOptions, compare_revisions};
use kyso_testkit::{pdf_from_objects, pins, tokens};
use kyso_token::{Pin, Pkcs11Signer, SignerOptions, list_certificates, load_module};

const RUNS: usize = 5;
const PAGES: usize = 20;

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

/// CPU time (user + system) of this process so far, in seconds
/// (/proc/self/stat fields 14 and 15, in clock ticks of 1/100 s): the cost
/// independent of what else the machine runs.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1.split_whitespace().collect::<Vec<_>>();
            Some((rest.get(11)?.parse::<f64>().ok()? + rest.get(12)?.parse::<f64>().ok()?) / 100.0)
        })
        .unwrap_or(0.0)
}

fn document() -> Vec<u8> {
    let mut objs: Vec<String> = Vec::new();
    let kids: Vec<String> = (0..PAGES).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    objs.push("<< /Type /Catalog /Pages 2 0 R >>".into());
    objs.push(format!("<< /Type /Pages /Kids [{}] /Count {PAGES} >>", kids.join(" ")));
    objs.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into());
    for i in 0..PAGES {
        objs.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            5 + 2 * i
        ));
        let mut text = String::from("BT /F1 11 Tf 14 TL 60 780 Td\n");
        for l in 0..45 {
            text.push_str(&format!(
                "(Trang {} dong {l}: Dieu {l}. Quyet dinh nay co hieu luc ke tu ngay ky ban hanh va thay the.) '\n",
                i + 1
            ));
        }
        text.push_str("ET");
        objs.push(format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()));
    }
    pdf_from_objects(&objs)
}

fn signer(fx: &kyso_testkit::Fixture, token: &str, pin: &str, cn: &str) -> Pkcs11Signer {
    let module = load_module(&fx.module).expect("module");
    let (slot, _) = module.find_tokens(Some(token)).expect("tokens").remove(0);
    let certs = list_certificates(&module, slot, None).expect("certificates");
    let entry = certs.iter().find(|c| c.certificate.subject_cn.as_deref() == Some(cn)).expect("certificate");
    Pkcs11Signer::open(&module, entry, Pin::new(pin.into()), SignerOptions::default()).expect("login")
}

fn main() {
    let Some(fx) = kyso_testkit::fixture() else {
        eprintln!("the token fixture is unavailable: nothing measured");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut current = dir.path().join("doc.pdf");
    std::fs::write(&current, document()).expect("write");
    let people = [
        (tokens::CANHAN, pins::CANHAN, "Lê Văn Cường"),
        (tokens::CANHAN, pins::CANHAN, "Nguyễn Văn A"),
        (tokens::TOCHUC, pins::TOCHUC, "Sở Thông tin và Truyền thông tỉnh Bắc Ninh"),
    ];
    for (i, (token, pin, cn)) in people.iter().enumerate() {
        let s = signer(fx, token, pin, cn);
        let out = dir.path().join(format!("signed-{i}.pdf"));
        let appearance = (i > 0).then(|| Appearance {
            rect: [60.0 + 180.0 * i as f64, 60.0, 220.0 + 180.0 * i as f64, 120.0],
            content: b"0 0 0.8 rg 0 0 160 60 re S 10 10 140 40 re f".to_vec(),
            resources: Dict::new(),
            objects: Vec::new(),
        });
        let opts = SignOptions { page: Some(PAGES), appearance, ..Default::default() };
        sign_pdf(&current, &out, &s, &opts).expect("sign");
        current = out;
    }
    let opts = VerifyOptions::default();
    let mut verify_times = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let _ = verify_pdf(&current, &opts);
        verify_times.push(t.elapsed().as_secs_f64());
    }
    println!("3-signature {PAGES}-page document, {} KiB", std::fs::metadata(&current).map_or(0, |m| m.len() / 1024));
    println!("| step | threads | wall, median of {RUNS} (ms) | CPU, mean (ms) |");
    println!("|---|---|---|---|");
    println!("| verify_pdf (object rules, no network) | 1 | {:.0} | — |", median(verify_times) * 1000.0);
    for threads in [1, 2] {
        let mut times = Vec::new();
        let mut stats = None;
        let mut cpu = 0.0;
        for _ in 0..RUNS {
            let mut report = verify_pdf(&current, &opts);
            let (t, c) = (Instant::now(), cpu_seconds());
            stats = Some(compare_revisions(&current, &mut report, &VisualOptions { threads, ..Default::default() }));
            times.push(t.elapsed().as_secs_f64());
            cpu += cpu_seconds() - c;
            assert!(report.signatures.iter().all(|s| s.visual_changes.iter().all(|v| v.explained_by.is_some())));
        }
        println!(
            "| visual comparison at 72 dpi | {threads} | {:.0} | {:.0} |",
            median(times) * 1000.0,
            cpu / RUNS as f64 * 1000.0
        );
        if threads == 2 {
            println!("\n{stats:?}");
        }
    }
    println!("peak RSS of this process: {:.1} MiB", peak_rss_mib());
    if let Ok(l) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average during the run: {}", l.split_whitespace().take(3).collect::<Vec<_>>().join(" "));
    }
}
