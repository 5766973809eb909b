//! Visible signatures per NĐ 30/2020 Phụ lục I on a generated Vietnamese
//! administrative document: pixels checked on pdftoppm renderings, text with
//! pdftotext, and the approval chain ending with the clerk's seal validated
//! by pyHanko and by our verifier.

#![allow(clippy::unwrap_used)] // test helpers panic on purpose

use std::path::{Path, PathBuf};
use std::process::Command;

use kyso_pdf::appearance::relocate;
use kyso_pdf::object::{Dict, Object, StreamData};
use kyso_pdf::presets::{PresetInput, Role, prepare};
use kyso_pdf::{Builder, IncrementalUpdate, Indication, PdfReader, SignOptions, TextLine, sign_pdf, verify_pdf};
use kyso_pki::Signer;
mod common;
use common::{signer, trust};
use kyso_pki::report::Modifications;
use kyso_testkit::{minimal_pdf, pins, require_fixture, tokens};

const DOC_LINES: [(&str, f64, f64, f64); 10] = [
    ("UBND TỈNH BẮC NINH", 60.0, 780.0, 12.0),
    ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 290.0, 780.0, 12.0),
    ("Độc lập - Tự do - Hạnh phúc", 340.0, 764.0, 12.0),
    ("QUYẾT ĐỊNH", 250.0, 640.0, 14.0),
    ("Về việc phê duyệt kế hoạch chuyển đổi số năm 2027", 150.0, 620.0, 13.0),
    ("Điều 1. Phê duyệt kế hoạch kèm theo Quyết định này.", 70.0, 560.0, 13.0),
    ("Điều 2. Quyết định có hiệu lực kể từ ngày ký.", 70.0, 540.0, 13.0),
    ("KT. CHỦ TỊCH", 380.0, 300.0, 13.0),
    ("PHÓ CHỦ TỊCH", 378.0, 284.0, 13.0),
    ("Nguyễn Văn A", 385.0, 170.0, 13.0),
];

/// A one-page Vietnamese decision whose text is drawn with Kyso's embedded
/// font (so pdftotext also checks our ToUnicode maps).
fn document(dir: &Path) -> PathBuf {
    let base = dir.join("base.pdf");
    minimal_pdf(&base, 1);
    let mut b = Builder::new(595.28, 841.89);
    for (t, x, y, s) in DOC_LINES {
        b = b.text(TextLine { text: t.into(), x, y, size: s });
    }
    let ap = b.build([0.0, 0.0, 595.28, 841.89]).unwrap();
    let reader = PdfReader::open(&base).unwrap();
    let page = reader.pages().unwrap()[0];
    let mut page_dict = reader.get(page).unwrap().as_dict().unwrap().clone();
    let mut up = IncrementalUpdate::new(&reader, false);
    let numbers: Vec<u32> = ap.objects.iter().map(|_| up.alloc()).collect();
    for (o, n) in ap.objects.iter().zip(&numbers) {
        let mut o = o.clone();
        relocate(&mut o, &numbers);
        up.write(*n, &o);
    }
    let mut res = Object::Dict(ap.resources.clone());
    relocate(&mut res, &numbers);
    let content = up.alloc();
    up.write(content, &Object::Stream(Dict::new(), StreamData::Bytes(ap.content.clone())));
    page_dict.set("Contents", Object::Ref(content, 0));
    page_dict.set("Resources", res);
    up.write(page, &Object::Dict(page_dict));
    let mut bytes = std::fs::read(&base).unwrap();
    bytes.extend_from_slice(&up.finish(&reader));
    let doc = dir.join("quyet-dinh.pdf");
    std::fs::write(&doc, bytes).unwrap();
    doc
}

/// A PNG with transparency: `color` strokes (signature) or a ring (seal).
fn png(color: [u8; 3], ring: bool) -> Vec<u8> {
    let (w, h) = (300u32, if ring { 300 } else { 120 });
    let mut data = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            let on = if ring {
                let (dx, dy) = (x as f64 - 150.0, y as f64 - 150.0);
                let r = (dx * dx + dy * dy).sqrt();
                (110.0..145.0).contains(&r) || (r < 60.0)
            } else {
                let wave = 60.0 + 35.0 * ((x as f64) / 25.0).sin();
                (y as f64 - wave).abs() < 14.0
            };
            data.extend_from_slice(&[color[0], color[1], color[2], if on { 255 } else { 0 }]);
        }
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        enc.write_header().unwrap().write_image_data(&data).unwrap();
    }
    out
}

fn preset(role: Role) -> PresetInput {
    PresetInput {
        role,
        page: None,
        rect: None,
        anchor: None,
        image: None,
        seal: None,
        seal_mm: 36.0,
        number: None,
        number_rect: None,
        date: None,
        date_rect: None,
        copy_form: None,
        organization: None,
        time: 1_795_400_000,
    }
}

fn sign_with(input: &Path, output: &Path, s: &dyn Signer, p: &PresetInput) -> Result<(), String> {
    let reader = PdfReader::open(input).map_err(|e| e.to_string())?;
    let placement = prepare(&reader, p).map_err(|e| e.to_string())?;
    let opts = SignOptions {
        page: Some(placement.page),
        appearance: Some(placement.appearance),
        extra_widgets: placement.extra_widgets,
        time: Some(p.time),
        ..Default::default()
    };
    sign_pdf(input, output, s, &opts).map(|_| ()).map_err(|e| e.to_string())
}

/// Renders page 1 at 72 dpi (1 px = 1 pt) and returns (width, height, RGB).
fn render(file: &Path) -> Option<(u32, u32, Vec<u8>)> {
    let prefix = file.with_extension("render");
    let ok = Command::new("pdftoppm")
        .args(["-r", "72", "-png", "-singlefile", "-f", "1", "-l", "1"])
        .arg(file)
        .arg(&prefix)
        .status()
        .ok()?;
    assert!(ok.success());
    let bytes = std::fs::read(format!("{}.png", prefix.display())).ok()?;
    let mut dec = png::Decoder::new(std::io::Cursor::new(bytes));
    dec.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut r = dec.read_info().ok()?;
    let mut buf = vec![0; r.output_buffer_size()?];
    let info = r.next_frame(&mut buf).ok()?;
    let ch = info.color_type.samples();
    let rgb = buf[..info.buffer_size()].chunks(ch).flat_map(|p| [p[0], p[1], p[2]]).collect();
    Some((info.width, info.height, rgb))
}

/// Counts pixels in a PDF-space rectangle matching a predicate.
fn count(img: &(u32, u32, Vec<u8>), rect: [f64; 4], pred: impl Fn(u8, u8, u8) -> bool) -> usize {
    let (w, h, px) = img;
    let mut n = 0;
    for y in rect[1].max(0.0) as u32..(rect[3] as u32).min(*h) {
        for x in rect[0].max(0.0) as u32..(rect[2] as u32).min(*w) {
            let row = h - 1 - y; // PDF y goes up
            let i = ((row * w + x) * 3) as usize;
            if pred(px[i], px[i + 1], px[i + 2]) {
                n += 1;
            }
        }
    }
    n
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("-v").output().is_ok()
}

#[test]
fn approvals_then_the_clerks_seal_look_right_and_stay_valid() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let doc = document(dir.path());
    if have("pdftotext") {
        let out = Command::new("pdftotext").args(["-layout"]).arg(&doc).arg("-").output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        for (t, ..) in DOC_LINES {
            assert!(text.contains(t), "pdftotext lost {t:?}:\n{text}");
        }
    }
    let head = signer(fx, tokens::CANHAN, pins::CANHAN, "Nguyễn Văn A");
    let deputy = signer(fx, tokens::CANHAN, pins::CANHAN, "Lê Văn Cường");
    let org = signer(fx, tokens::TOCHUC, pins::TOCHUC, "Sở Thông tin và Truyền thông tỉnh Bắc Ninh");
    let blue = png([20, 40, 200], false);

    // Department head (left block), then the agency head between title and name.
    let a1 = dir.path().join("a1.pdf");
    sign_with(
        &doc,
        &a1,
        &deputy,
        &PresetInput { image: Some(blue.clone()), rect: Some([70.0, 190.0, 230.0, 270.0]), ..preset(Role::Approver) },
    )
    .unwrap();
    let a2 = dir.path().join("a2.pdf");
    let block = [350.0, 190.0, 510.0, 270.0];
    sign_with(&a1, &a2, &head, &PresetInput { image: Some(blue), rect: Some(block), ..preset(Role::Approver) })
        .unwrap();
    // The clerk: seal over the left third of the last signature, number and date.
    let issued = dir.path().join("issued.pdf");
    let seal = PresetInput {
        seal: Some(png([220, 20, 20], true)),
        number: Some("Số: 123/QĐ-UBND".into()),
        date: Some("Bắc Ninh, ngày 22 tháng 11 năm 2026".into()),
        // This document prints no blanks: the clerk gives the places.
        number_rect: Some([57.0, 841.89 - 150.0, 280.0, 841.89 - 130.0]),
        date_rect: Some([595.28 * 0.45, 841.89 - 150.0, 595.28 - 30.0, 841.89 - 130.0]),
        ..preset(Role::Issuer)
    };
    sign_with(&a2, &issued, &org, &seal).unwrap();

    let report = verify_pdf(&issued, &trust(fx));
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
    assert_eq!(report.signatures.len(), 3);
    assert!(report.signatures[..2].iter().all(|s| s.modifications == Modifications::Allowed), "{report:#?}");

    if Command::new("pyhanko").arg("--version").output().is_ok() {
        let out = Command::new("pyhanko")
            .args(["sign", "validate", "--pretty-print", "--no-revocation-check", "--trust-replace", "--trust"])
            .arg(fx.pki_file("root.pem"))
            .arg("--other-certs")
            .arg(fx.pki_file("int.pem"))
            .arg(&issued)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            let _ = std::fs::copy(&issued, std::env::temp_dir().join("kyso-visible-failed.pdf"));
        }
        assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(text.matches("The signature is judged VALID.").count(), 3, "{text}");
        assert!(!text.contains("INVALID"), "{text}");
    }

    if have("pdftoppm") {
        let img = render(&issued).unwrap();
        let blue = |r: u8, g: u8, b: u8| b > 150 && r < 100 && g < 120;
        let red = |r: u8, g: u8, b: u8| r > 150 && g < 100 && b < 100;
        // Blue signature in the right half of the block, not covered by the seal.
        let right_two_thirds = [block[0] + (block[2] - block[0]) / 3.0 + 5.0, block[1], block[2], block[3]];
        assert!(count(&img, right_two_thirds, blue) > 200, "no blue signature");
        // The red seal sits on the left third of the block and to its left.
        let s = 36.0 * 72.0 / 25.4;
        let right = block[0] + (block[2] - block[0]) / 3.0;
        let cy = (block[1] + block[3]) / 2.0;
        let seal_rect = [right - s, cy - s / 2.0, right, cy + s / 2.0];
        assert!(count(&img, seal_rect, red) > 500, "no red seal at {seal_rect:?}");
        assert!(
            count(&img, [block[0], block[1], right, block[3]], red) > 100,
            "the seal does not cover the left third"
        );
        assert_eq!(count(&img, [right + 15.0, block[1], block[2], block[3]], red), 0, "seal too far right");
        // Number and date written on page 1 (dark text where they belong).
        let dark = |r: u8, g: u8, b: u8| r < 80 && g < 80 && b < 80;
        assert!(count(&img, [57.0, 841.89 - 150.0, 280.0, 841.89 - 130.0], dark) > 30, "no number");
        assert!(count(&img, [595.28 * 0.45, 841.89 - 150.0, 565.0, 841.89 - 130.0], dark) > 30, "no date");
    }
}

#[test]
fn appendix_and_copy_write_the_prescribed_text_top_right() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let doc = document(dir.path());
    let org = signer(fx, tokens::TOCHUC, pins::TOCHUC, "Sở Thông tin và Truyền thông tỉnh Bắc Ninh");
    let app = dir.path().join("appendix.pdf");
    sign_with(&doc, &app, &org, &PresetInput { number: Some("Số: 123/QĐ-UBND".into()), ..preset(Role::Appendix) })
        .unwrap();
    let copy = dir.path().join("copy.pdf");
    sign_with(
        &doc,
        &copy,
        &org,
        &PresetInput { organization: Some("Văn phòng UBND tỉnh Bắc Ninh".into()), ..preset(Role::Copy) },
    )
    .unwrap();
    for f in [&app, &copy] {
        assert_eq!(verify_pdf(f, &trust(fx)).indication, Indication::TotalPassed);
        if have("pdftoppm") {
            let img = render(f).unwrap();
            let dark = |r: u8, g: u8, b: u8| r < 90 && g < 90 && b < 90;
            // Top right corner: black 10 pt text; no colour anywhere near it.
            assert!(
                count(&img, [380.0, 841.89 - 75.0, 567.0, 841.89 - 28.0], dark) > 50,
                "no text top right in {}",
                f.display()
            );
            let colored = |r: u8, g: u8, b: u8| {
                (i16::from(r) - i16::from(b)).abs() > 60 || (i16::from(g) - i16::from(b)).abs() > 60
            };
            assert_eq!(count(&img, [380.0, 841.89 - 75.0, 567.0, 841.89 - 28.0], colored), 0);
        }
    }
    // The time is ISO 8601 with the Vietnam offset.
    assert_eq!(kyso_pdf::presets::iso_time_vn(1_795_400_000), "2026-11-23T09:13:20+07:00");
}

#[test]
fn bad_inputs_are_clear_errors_with_no_output() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let doc = document(dir.path());
    let org = signer(fx, tokens::TOCHUC, pins::TOCHUC, "Sở Thông tin và Truyền thông tỉnh Bắc Ninh");
    let out = dir.path().join("out.pdf");
    let e = sign_with(
        &doc,
        &out,
        &org,
        &PresetInput { image: Some(b"GIF89a not a png".to_vec()), ..preset(Role::Approver) },
    )
    .unwrap_err();
    assert!(e.contains("PNG"), "{e}");
    let e = sign_with(
        &doc,
        &out,
        &org,
        &PresetInput {
            image: Some(png([0, 0, 200], false)),
            rect: Some([500.0, 800.0, 900.0, 900.0]),
            ..preset(Role::Approver)
        },
    )
    .unwrap_err();
    assert!(e.contains("outside"), "{e}");
    let e = sign_with(&doc, &out, &org, &preset(Role::Issuer)).unwrap_err();
    assert!(e.contains("--seal"), "{e}");
    let e = sign_with(
        &doc,
        &out,
        &org,
        &PresetInput {
            image: Some(png([0, 0, 200], false)),
            anchor: Some("GIÁM ĐỐC SỞ".into()),
            ..preset(Role::Approver)
        },
    )
    .unwrap_err();
    assert!(e.contains("not found"), "{e}");
    assert!(!out.exists());
}

/// The part of a page a viewer shows is the CropBox within the MediaBox;
/// without a CropBox, the MediaBox (inherited from the page tree).
#[test]
fn the_visible_box_is_the_crop_box_within_the_media_box() {
    let write = |page_extra: &str| {
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>".to_owned(),
            format!("<< /Type /Page /Parent 2 0 R {page_extra} >>"),
        ];
        let out = kyso_testkit::pdf_from_objects(&objects);
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("p.pdf");
        std::fs::write(&path, out).expect("written");
        let reader = kyso_pdf::PdfReader::open(&path).expect("opened");
        let page = reader.pages().expect("pages")[0];
        (
            kyso_pdf::presets::page_box(&reader, page).expect("media"),
            kyso_pdf::presets::visible_box(&reader, page).expect("visible"),
        )
    };
    assert_eq!(write(""), ([0.0, 0.0, 595.0, 842.0], [0.0, 0.0, 595.0, 842.0]));
    assert_eq!(write("/CropBox [50 60 500 800]").1, [50.0, 60.0, 500.0, 800.0]);
    // A CropBox reaching outside the MediaBox is cut to it.
    assert_eq!(write("/CropBox [-20 100 700 800]").1, [0.0, 100.0, 595.0, 800.0]);
}

/// Each signature names the revision it covers; a linearized original
/// (two cross-reference sections, two `%%EOF`, one revision) counts once.
#[test]
fn signatures_name_their_revision_also_on_linearized_files() {
    let fx = require_fixture!();
    if !kyso_testkit::tool_or_skip("qpdf", "linearizing the input") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = dir.path().join("plain.pdf");
    minimal_pdf(&plain, 2);
    let linear = dir.path().join("linear.pdf");
    let ok = Command::new("qpdf").arg("--linearize").arg(&plain).arg(&linear).status().expect("qpdf").success();
    assert!(ok);
    let s = signer(fx, tokens::CANHAN, pins::CANHAN, "Nguyễn Văn A");
    for (input, name) in [(&plain, "plain"), (&linear, "linear")] {
        let once = dir.path().join(format!("{name}-1.pdf"));
        let twice = dir.path().join(format!("{name}-2.pdf"));
        sign_pdf(input, &once, &s, &SignOptions::default()).expect("signed once");
        sign_pdf(&once, &twice, &s, &SignOptions::default()).expect("signed twice");
        let r = verify_pdf(&twice, &trust(fx));
        let revisions: Vec<_> = r.signatures.iter().map(|s| s.revision).collect();
        assert_eq!(revisions, [Some([2, 3]), Some([3, 3])], "{name}");
    }
}

/// B-LT needs an answer for the signer's certificate: without one, the
/// upgrade refuses and leaves the signed file as it was.
#[test]
fn long_term_without_revocation_data_is_refused() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in.pdf");
    minimal_pdf(&input, 1);
    let out = dir.path().join("out.pdf");
    let s = signer(fx, tokens::CANHAN, pins::CANHAN, "Nguyễn Văn A");
    sign_pdf(&input, &out, &s, &SignOptions::default()).expect("signed");
    let before = std::fs::read(&out).expect("signed bytes");
    let int = kyso_pki::load_certificates(&std::fs::read(fx.pki_file("int.pem")).expect("int")).remove(0);
    let lt = kyso_pdf::ltv::LongTerm {
        leaf: s.certificate(),
        issuer: Some(&int.cert),
        certs: &[],
        crls: &[],
        ocsps: &[],
        fetch: false,
        archive: None,
    };
    assert!(matches!(kyso_pdf::ltv::make_long_term(&out, &lt), Err(kyso_pdf::SignError::NoRevocationData)));
    assert_eq!(std::fs::read(&out).expect("unchanged"), before);
    // With the intermediate's CRL it goes through.
    let crl = kyso_pki::load_crl(&std::fs::read(fx.pki_file("crl.pem")).expect("crl")).expect("a CRL");
    let lt = kyso_pdf::ltv::LongTerm { crls: std::slice::from_ref(&crl), ..lt };
    kyso_pdf::ltv::make_long_term(&out, &lt).expect("B-LT");
    assert!(std::fs::read(&out).expect("upgraded").len() > before.len());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".kyso"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary file left: {leftovers:?}");
}
