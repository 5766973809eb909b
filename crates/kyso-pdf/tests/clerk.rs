//! The clerk's blanks on generated NĐ 30/2020 decisions (kyso-testkit's
//! `nd30`, real text in an embedded TrueType font): found where pdftotext
//! sees the printed words, and free room that touches nothing printed.

#![allow(clippy::unwrap_used)] // test helpers panic on purpose

use std::path::Path;
use std::process::Command;

use kyso_pdf::PdfReader;
use kyso_pdf::blanks::{covers_content, find_blanks, free_area, occupied};
use kyso_testkit::nd30::{Layout, SIZE, decision};
use kyso_testkit::tool_or_skip;

/// Words of page 1 from `pdftotext -bbox`: (text, xMin, yMin, xMax, yMax)
/// in PDF space (y up).
fn words(file: &Path, height: f64) -> Vec<(String, [f64; 4])> {
    let out = Command::new("pdftotext").args(["-bbox", "-f", "1", "-l", "1"]).arg(file).arg("-").output().unwrap();
    let html = String::from_utf8(out.stdout).unwrap();
    let attr = |l: &str, k: &str| -> f64 {
        let at = l.find(&format!("{k}=\"")).unwrap() + k.len() + 2;
        l[at..].split('"').next().unwrap().parse().unwrap()
    };
    html.lines()
        .filter(|l| l.trim_start().starts_with("<word"))
        .map(|l| {
            let text = l.split('>').nth(1).unwrap().split('<').next().unwrap().to_owned();
            let (x0, y0, x1, y1) = (attr(l, "xMin"), attr(l, "yMin"), attr(l, "xMax"), attr(l, "yMax"));
            (text.replace("&amp;", "&"), [x0, height - y1, x1, height - y0])
        })
        .collect()
}

#[test]
fn blanks_are_found_between_the_printed_words_of_every_layout() {
    let dir = tempfile::tempdir().unwrap();
    for layout in Layout::ALL {
        let file = dir.path().join(format!("{}.pdf", layout.name()));
        decision(&file, layout);
        let reader = PdfReader::open(&file).unwrap();
        let blanks = find_blanks(&reader, 1).unwrap();
        let number = blanks.number.clone().unwrap_or_else(|| panic!("{layout:?}: no number blank"));
        let date = blanks.date.clone().unwrap_or_else(|| panic!("{layout:?}: no date blank"));
        assert_eq!(number.symbol, "/QĐ-UBND", "{layout:?}");
        assert!((number.blank.size - SIZE).abs() < 0.01, "{layout:?} {number:?}");
        assert_eq!(date.printed_year.is_some(), layout != Layout::Landscape, "{layout:?} {date:?}");
        assert_eq!(date.year.is_some(), layout == Layout::Landscape, "{layout:?} {date:?}");
        // Nothing of the page is under a blank.
        for b in [Some(&number.blank), Some(&date.day), Some(&date.month), date.year.as_ref()].into_iter().flatten() {
            assert!(!covers_content(&reader, 1, b.rect).unwrap(), "{layout:?}: {b:?} covers the page");
        }
        if !tool_or_skip("pdftotext", "the blanks against poppler's word boxes") {
            continue;
        }
        let height = if layout == Layout::Landscape { 595.28 } else { 841.89 };
        let w = words(&file, height);
        let find = |t: &str| w.iter().find(|(s, _)| s.as_str() == t).unwrap_or_else(|| panic!("{t} in {w:?}")).1;
        // The number blank: right of "Số:", left of "/QĐ-UBND", on their line.
        // (poppler joins dot leaders and the symbol into one word)
        let so = find("Số:");
        let symbol = w.iter().find(|(s, _)| s.ends_with("/QĐ-UBND")).unwrap().clone();
        let symbol_x = if symbol.0 == "/QĐ-UBND" { symbol.1[0] } else { symbol.1[2] };
        let r = number.blank.rect;
        assert!(r[0] >= so[2] - 0.5 && r[2] <= symbol_x + 0.5, "{layout:?}: {r:?} between {so:?} and {symbol:?}");
        assert!(r[1] < so[1] + 4.0 && r[3] > so[1] + 4.0, "{layout:?}: {r:?} off the line of {so:?}");
        let (ngay, thang, nam) = (find("ngày"), find("tháng"), find("năm"));
        assert!(date.day.rect[0] >= ngay[2] - 0.5 && date.day.rect[2] <= thang[0] + 0.5, "{layout:?} {date:?}");
        assert!(date.month.rect[0] >= thang[2] - 0.5 && date.month.rect[2] <= nam[0] + 0.5, "{layout:?} {date:?}");
        // No poppler word inside a blank (leader dots excepted).
        for (s, b) in &w {
            if s.trim_start_matches('.').is_empty() || s.trim_start_matches('.') == "/QĐ-UBND" && s.starts_with('.') {
                continue;
            }
            for blank in [&number.blank.rect, &date.day.rect, &date.month.rect] {
                let overlap = blank[0] < b[2] && b[0] < blank[2] && blank[1] < b[3] && b[1] < blank[3];
                assert!(!overlap, "{layout:?}: {s:?} at {b:?} is inside the blank {blank:?}");
            }
        }
    }
}

#[test]
fn free_area_at_the_foot_touches_nothing_printed() {
    let dir = tempfile::tempdir().unwrap();
    for layout in [Layout::Deputy, Layout::Landscape] {
        let file = dir.path().join(format!("{}.pdf", layout.name()));
        decision(&file, layout);
        let reader = PdfReader::open(&file).unwrap();
        let r = free_area(&reader, 1, 160.0, 66.0).unwrap().unwrap_or_else(|| panic!("{layout:?}: no free area"));
        assert!(!covers_content(&reader, 1, r).unwrap(), "{layout:?}: {r:?}");
        let boxes = occupied(&reader, 1).unwrap();
        assert!(boxes.len() > 100, "{layout:?}: the page's glyphs are counted ({})", boxes.len());
        // A box over the title covers content.
        assert!(covers_content(&reader, 1, [250.0, boxes[0][1], 350.0, boxes[0][3]]).unwrap() || boxes[0][0] < 250.0);
        if tool_or_skip("pdftotext", "the free area against poppler's word boxes") {
            let height = if layout == Layout::Landscape { 595.28 } else { 841.89 };
            for (s, b) in words(&file, height) {
                let overlap = r[0] < b[2] && b[0] < r[2] && r[1] < b[3] && b[1] < r[3];
                assert!(!overlap, "{layout:?}: free area {r:?} covers {s:?} at {b:?}");
            }
        }
    }
}

mod common;
use common::{signer, trust};
use kyso_pdf::presets::{PresetInput, Role, prepare};
use kyso_pdf::{Appearance, Indication, SignOptions, sign_pdf, verify_pdf};
use kyso_pki::Signer;
use kyso_testkit::{pins, pyhanko_validate, require_fixture, shared_or_skip, tokens};

/// A PNG with transparency: `color` waves (a signature) or a ring (a seal).
fn png(color: [u8; 3], ring: bool) -> Vec<u8> {
    let (w, h) = (300u32, if ring { 300 } else { 120 });
    let mut data = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            let on = if ring {
                let r = (x as f64 - 150.0).hypot(y as f64 - 150.0);
                (110.0..145.0).contains(&r) || r < 60.0
            } else {
                (y as f64 - (60.0 + 35.0 * (x as f64 / 25.0).sin())).abs() < 14.0
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

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
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
        time: now(),
    }
}

/// Signs with a preset (or invisibly with `None`), as kyso-core does: the
/// placement's appearance and extra widgets go into one signature field.
fn sign_as(input: &Path, output: &Path, s: &dyn Signer, p: Option<&PresetInput>) -> Vec<(usize, Appearance)> {
    let mut opts = SignOptions { time: Some(now()), ..Default::default() };
    let mut extra = Vec::new();
    if let Some(p) = p {
        let placement = prepare(&PdfReader::open(input).unwrap(), p).unwrap();
        opts.page = Some(placement.page);
        opts.appearance = Some(placement.appearance);
        extra = placement.extra_widgets.clone();
        opts.extra_widgets = placement.extra_widgets;
    }
    sign_pdf(input, output, s, &opts).unwrap();
    extra
}

/// Page 1 at 72 dpi (1 px = 1 pt): (width, height, RGB).
fn render(file: &Path) -> (u32, u32, Vec<u8>) {
    let prefix = file.with_extension("render");
    let ok = Command::new("pdftoppm")
        .args(["-r", "72", "-png", "-singlefile", "-f", "1", "-l", "1"])
        .arg(file)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(ok.success());
    let bytes = std::fs::read(format!("{}.png", prefix.display())).unwrap();
    let mut dec = png::Decoder::new(std::io::Cursor::new(bytes));
    dec.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut r = dec.read_info().unwrap();
    let mut buf = vec![0; r.output_buffer_size().unwrap()];
    let info = r.next_frame(&mut buf).unwrap();
    let ch = info.color_type.samples();
    let rgb = buf[..info.buffer_size()].chunks(ch).flat_map(|p| [p[0], p[1], p[2]]).collect();
    (info.width, info.height, rgb)
}

/// Pixels of a PDF-space rectangle that match `pred`.
fn count(img: &(u32, u32, Vec<u8>), rect: [f64; 4], pred: impl Fn(u8, u8, u8) -> bool) -> usize {
    let (w, h, px) = img;
    let mut n = 0;
    for y in rect[1].max(0.0) as u32..(rect[3] as u32).min(*h) {
        for x in rect[0].max(0.0) as u32..(rect[2] as u32).min(*w) {
            let i = (((h - 1 - y) * w + x) * 3) as usize;
            if pred(px[i], px[i + 1], px[i + 2]) {
                n += 1;
            }
        }
    }
    n
}

/// A report value as shown (a string, or a named value).
fn shown(v: &impl std::fmt::Display) -> String {
    v.to_string()
}

fn intersects(a: &[f64; 4], b: &[f64; 4]) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

#[test]
fn three_approvals_then_the_clerk_writes_number_and_date_into_the_blanks() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    // Three officials with three certificates (RSA 2048, RSA 3072, ECDSA
    // P-256) on the personal token, the clerk with the organisation's.
    let first = signer(fx, tokens::CANHAN, pins::CANHAN, "Lê Văn Cường");
    let second = signer(fx, tokens::CANHAN, pins::CANHAN, "Trần Thị Bích");
    let third = signer(fx, tokens::CANHAN, pins::CANHAN, "Nguyễn Văn A");
    let clerk = signer(fx, tokens::TOCHUC, pins::TOCHUC, "Sở Thông tin và Truyền thông tỉnh Bắc Ninh");
    let blue = png([20, 40, 200], false);
    for layout in Layout::ALL {
        let d = dir.path().join(layout.name());
        std::fs::create_dir_all(&d).unwrap();
        let doc = d.join("qd.pdf");
        decision(&doc, layout);
        let height = if layout == Layout::Landscape { 595.28 } else { 841.89 };

        // 1: invisible; 2: visible in the free area at the foot; 3: the
        // signing official in the signature block.
        let a1 = d.join("a1.pdf");
        sign_as(&doc, &a1, &first, None);
        let reader = PdfReader::open(&a1).unwrap();
        let foot = free_area(&reader, 1, 120.0, 48.0).unwrap().unwrap();
        let a2 = d.join("a2.pdf");
        sign_as(
            &a1,
            &a2,
            &second,
            Some(&PresetInput { image: Some(blue.clone()), rect: Some(foot), ..preset(Role::Approver) }),
        );
        let a3 = d.join("a3.pdf");
        let official = PresetInput { image: Some(blue.clone()), ..preset(Role::Approver) };
        // In the block between the title lines and the name.
        let block = prepare(&PdfReader::open(&a2).unwrap(), &official).unwrap().appearance.rect;
        sign_as(&a2, &a3, &third, Some(&official));

        // The clerk: seal, number and date, one signature.
        let issued = d.join("qd.signed.pdf");
        let clerk_preset = PresetInput {
            seal: Some(png([220, 20, 20], true)),
            number: Some("45/QĐ-UBND".into()),
            date: Some("2026-03-05".into()),
            ..preset(Role::Issuer)
        };
        let placement = prepare(&PdfReader::open(&a3).unwrap(), &clerk_preset).unwrap();
        let whats: Vec<&str> = placement.written.iter().map(|w| w.what).collect();
        let expected: &[&str] =
            if layout == Layout::Landscape { &["number", "day", "month", "year"] } else { &["number", "day", "month"] };
        assert_eq!(whats, expected, "{layout:?}");
        assert_eq!(placement.written[0].text, "45", "{layout:?}: the symbol is printed already");
        assert_eq!(placement.written[1].text, "05", "NĐ 30: a day below 10 takes a zero");
        assert_eq!(placement.written[2].text, "3", "NĐ 30: months from 3 take none");
        let widgets = sign_as(&a3, &issued, &clerk, Some(&clerk_preset));
        assert_eq!(widgets.len(), expected.len());
        // A later signature's placement knows the number and date widgets
        // for the clerk's signature (they are listed in its /Kids).
        let r = PdfReader::open(&issued).unwrap();
        let taken = kyso_pdf::presets::signature_widgets(&r, r.pages().unwrap()[0]).unwrap();
        for (page, ap) in &widgets {
            assert_eq!(*page, 1);
            assert!(
                taken.iter().any(|t| t.iter().zip(ap.rect).all(|(a, b)| (a - b).abs() < 0.01)),
                "{layout:?}: {taken:?}"
            );
        }

        // Kyso: four valid signatures, the earlier ones with allowed changes.
        let report = verify_pdf(&issued, &trust(fx));
        assert_eq!(report.indication, Indication::TotalPassed, "{layout:?}: {report:#?}");
        assert_eq!(report.signatures.len(), 4, "{layout:?}");
        assert!(report.signatures[..3].iter().all(|s| shown(&s.modifications) == "allowed"), "{layout:?}: {report:#?}");

        if tool_or_skip("pdftotext", "the number and date where pdftotext reads them") {
            let before = words(&doc, height);
            let after = words(&issued, height);
            let new: Vec<&(String, [f64; 4])> = after.iter().filter(|w| !before.contains(w)).collect();
            let find = |ws: &[(String, [f64; 4])], t: &str| ws.iter().find(|(s, _)| s == t).unwrap().1;
            let so = find(&before, "Số:");
            // "45" on the printed line, right of "Số:", against the symbol
            // (poppler may read "45" and "/QĐ-UBND" as one word).
            let n = new
                .iter()
                .find(|(s, _)| s == "45" || s == "45/QĐ-UBND")
                .unwrap_or_else(|| panic!("{layout:?}: no 45 in {new:?}"));
            assert!(n.1[0] > so[2], "{layout:?}: {n:?} right of Số: {so:?}");
            assert!(
                (n.1[1] - so[1]).abs() < 0.5 && (n.1[3] - so[3]).abs() < 0.5,
                "{layout:?}: {n:?} on the line of {so:?}"
            );
            if n.0 == "45" {
                let symbol = after.iter().find(|(s, _)| s.ends_with("/QĐ-UBND")).unwrap();
                assert!(symbol.0 == "/QĐ-UBND" || symbol.0.starts_with('.'), "{layout:?}: {symbol:?}");
                if symbol.0 == "/QĐ-UBND" {
                    assert!((symbol.1[0] - n.1[2]).abs() < 1.5, "{layout:?}: 45 {n:?} against {symbol:?}");
                }
            }
            let text = Command::new("pdftotext").args(["-layout"]).arg(&issued).arg("-").output().unwrap();
            let text = String::from_utf8_lossy(&text.stdout);
            // (over dot leaders poppler's layout puts what is written on a
            // line of its own: the boxes above are the check there)
            if layout != Layout::Collective {
                assert!(text.contains("45/QĐ-UBND"), "{layout:?}: pdftotext does not read 45/QĐ-UBND:\n{text}");
            }
            // Day and month in their blanks, on the line.
            let (ngay, thang, nam) = (find(&before, "ngày"), find(&before, "tháng"), find(&before, "năm"));
            let day = new.iter().find(|(s, _)| s == "05").unwrap_or_else(|| panic!("{layout:?}: no day in {new:?}"));
            assert!(day.1[0] > ngay[2] && day.1[2] < thang[0], "{layout:?}: day {day:?}");
            assert!((day.1[1] - ngay[1]).abs() < 0.5, "{layout:?}: day {day:?} off the line {ngay:?}");
            let month = new.iter().find(|(s, _)| s == "3").unwrap_or_else(|| panic!("{layout:?}: no month in {new:?}"));
            assert!(month.1[0] > thang[2] && month.1[2] < nam[0], "{layout:?}: month {month:?}");
            if layout == Layout::Landscape {
                let year = new.iter().find(|(s, _)| s == "2026" && s.len() == 4).unwrap();
                assert!(year.1[0] > nam[2] && (year.1[1] - nam[1]).abs() < 0.5, "{layout:?}: year {year:?}");
            }
            // Nothing we wrote overlaps what was printed (leader dots are
            // written over on purpose).
            for (s, b) in &new {
                for (o, ob) in &before {
                    if o.trim_start_matches('.').is_empty() || (o.starts_with('.') && o.ends_with("/QĐ-UBND")) {
                        continue;
                    }
                    assert!(!intersects(b, ob), "{layout:?}: {s:?} {b:?} overlaps the printed {o:?} {ob:?}");
                }
            }
            for (_, ap) in &widgets {
                for (o, ob) in &before {
                    if o.trim_start_matches('.').is_empty() || (o.starts_with('.') && o.ends_with("/QĐ-UBND")) {
                        continue;
                    }
                    assert!(!intersects(&ap.rect, ob), "{layout:?}: widget {:?} over {o:?} {ob:?}", ap.rect);
                }
            }
            // The second official's box in the free area covers no word.
            for (o, ob) in &before {
                assert!(!intersects(&foot, ob), "{layout:?}: {foot:?} over {o:?}");
            }
        }

        if tool_or_skip("pdftoppm", "the seal over the official's signature, by pixels") {
            let img = render(&issued);
            let red = |r: u8, g: u8, b: u8| r > 150 && g < 100 && b < 100;
            let blue = |r: u8, g: u8, b: u8| b > 150 && r < 100 && g < 120;
            let third = block[0] + (block[2] - block[0]) / 3.0;
            // NĐ 30/2020 Phụ lục I: the seal covers about the left third of
            // the signature, the rest of the signature stays clear.
            assert!(
                count(&img, [block[0], block[1], third, block[3]], red) > 100,
                "{layout:?}: no seal on the left third"
            );
            assert_eq!(
                count(&img, [third + 15.0, block[1], block[2], block[3]], red),
                0,
                "{layout:?}: seal too far right"
            );
            assert!(
                count(&img, [third + 5.0, block[1], block[2], block[3]], blue) > 100,
                "{layout:?}: signature hidden"
            );
        }
        if tool_or_skip("qpdf", "the structure of the signed file") {
            let out = Command::new("qpdf").arg("--check").arg(&issued).output().unwrap();
            assert!(out.status.success(), "{layout:?}: {}", String::from_utf8_lossy(&out.stdout));
        }
        if tool_or_skip("pdfsig", "counting signatures as poppler sees them") {
            let out = Command::new("pdfsig").arg(&issued).output().unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            let entries: Vec<&str> = text.split("Signature #").skip(1).collect();
            let valid = |e: &&str| e.contains("Signature Validation: Signature is Valid.");
            // The three approvals, each once and valid.
            for (i, cn) in ["Lê Văn Cường", "Trần Thị Bích", "Nguyễn Văn A"].iter().enumerate() {
                assert!(entries.get(i).is_some_and(|e| valid(e) && e.contains(cn)), "{layout:?}: {text}");
            }
            // One entry per signer, all valid, and no unsigned field: the
            // clerk's seal, number and date are one signature here too
            // (poppler before 25.12 reads kids differently from 25.12 on;
            // the kids' shape in sign.rs serves both).
            assert_eq!(entries.len(), 4, "{layout:?}: {text}");
            assert!(entries.iter().all(valid), "{layout:?}: {text}");
            assert!(!text.contains("not signed"), "{layout:?}: {text}");
            assert!(entries[3].contains("Signature4"), "{layout:?}: {text}");
        }
        if let Some((ok, out)) = pyhanko_validate(fx, &issued) {
            assert!(ok, "{layout:?}: {out}");
            assert_eq!(out.matches("The signature is judged VALID.").count(), 4, "{layout:?}: {out}");
            assert!(!out.contains("INVALID"), "{layout:?}: {out}");
            let listed = Command::new("pyhanko").args(["sign", "list"]).arg(&issued).output().unwrap();
            let listed = String::from_utf8_lossy(&listed.stdout);
            assert_eq!(listed.lines().filter(|l| !l.trim().is_empty()).count(), 4, "{layout:?}: {listed}");
            assert!(
                listed.lines().filter(|l| !l.trim().is_empty()).all(|l| l.trim_end().ends_with(":FILLED")),
                "{layout:?}: an empty signature field is left: {listed}"
            );
        }
        if let Some(shared) = shared_or_skip("iText 5's count of signatures") {
            let out =
                Command::new(shared.join("oracles/pdf-java/run")).arg("itext5-verify").arg(&issued).output().unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            let lines: Vec<&str> = text.lines().filter(|l| l.contains("valid=")).collect();
            assert_eq!(lines.len(), 4, "{layout:?}: {text}{}", String::from_utf8_lossy(&out.stderr));
            // iText 5 cannot check ECDSA named by the key OID (the first
            // official's): the three RSA signatures are valid.
            assert_eq!(lines.iter().filter(|l| l.contains("valid=true")).count(), 3, "{layout:?}: {text}");
            assert!(!text.contains("valid=false"), "{layout:?}: {text}");
        }
        if layout == Layout::ALL[0] {
            others_sign_after_the_clerk(fx, &d, &issued);
        }
    }
}

/// The receiving agency signs the issued decision with other software
/// (iText 5, then PDFBox 2, each reading the clerk's field to add its own):
/// every reader then counts six signatures, all valid, no empty field, and
/// Kyso explains every later change to the earlier signatures.
fn others_sign_after_the_clerk(fx: &kyso_testkit::Fixture, d: &Path, issued: &Path) {
    let Some(oracle) = kyso_testkit::java_oracle() else { return };
    let keys = d.join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let by_itext = d.join("received-itext5.pdf");
    let run = |args: &[&std::ffi::OsStr]| {
        let (ok, msg) = kyso_testkit::run(Command::new(&oracle).args(args));
        assert!(ok, "{msg}");
    };
    let p12 = kyso_testkit::fixture_p12(fx, "rsa3072", &keys);
    run(&[
        "itext5-sign".as_ref(),
        issued.as_os_str(),
        by_itext.as_os_str(),
        p12.as_os_str(),
        pins::P12.as_ref(),
        "cades".as_ref(),
    ]);
    let by_pdfbox = d.join("received-pdfbox2.pdf");
    let p12 = kyso_testkit::fixture_p12(fx, "canhan", &keys);
    run(&["pdfbox-sign".as_ref(), by_itext.as_os_str(), by_pdfbox.as_os_str(), p12.as_os_str(), pins::P12.as_ref()]);

    let report = verify_pdf(&by_pdfbox, &trust(fx));
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
    assert_eq!(report.signatures.len(), 6);
    assert!(report.signatures[..5].iter().all(|s| shown(&s.modifications) == "allowed"), "{report:#?}");
    if tool_or_skip("pdfsig", "the received file as poppler sees it") {
        let out = Command::new("pdfsig").arg(&by_pdfbox).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let entries: Vec<&str> = text.split("Signature #").skip(1).collect();
        assert_eq!(entries.len(), 6, "{text}");
        assert!(entries.iter().all(|e| e.contains("Signature Validation: Signature is Valid.")), "{text}");
        assert!(!text.contains("not signed"), "{text}");
    }
    if let Some((ok, out)) = pyhanko_validate(fx, &by_pdfbox) {
        assert!(ok, "{out}");
        assert_eq!(out.matches("The signature is judged VALID.").count(), 6, "{out}");
        assert!(!out.contains("INVALID"), "{out}");
    }
    let out = Command::new(&oracle).arg("itext5-verify").arg(&by_pdfbox).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("valid=")).collect();
    assert_eq!(lines.len(), 6, "{text}{}", String::from_utf8_lossy(&out.stderr));
    // The first official's ECDSA signature is beyond iText 5 (see above).
    assert_eq!(lines.iter().filter(|l| l.contains("valid=true")).count(), 5, "{text}");
}

/// Decisions other producers made: headless Chromium printing an HTML
/// page (as web e-office systems do: one glyph per text operator, a
/// two-column header table) and LibreOffice exporting a Word document (a
/// line per operator, the header column wrapping "năm 2026"). The
/// official's signature lands between "PHÓ CHỦ TỊCH" and the name, the seal
/// over its left third, the number and date in the printed blanks (no year
/// written where one is printed); pdfsig, pyHanko and Kyso count two valid
/// signatures.
#[test]
fn decisions_from_other_producers_get_their_block_and_blanks() {
    let fx = require_fixture!();
    type Make = fn(&Path) -> Result<(), String>;
    let producers: [(&str, Make); 4] = [
        ("Chromium", kyso_testkit::nd30::chromium_decision),
        ("LibreOffice", kyso_testkit::nd30::libreoffice_decision),
        ("LibreOffice, dot leaders", kyso_testkit::nd30::libreoffice_decision_dotted),
        ("LibreOffice, \"năm\" wrapped", kyso_testkit::nd30::libreoffice_decision_long_place),
    ];
    for (producer, make) in producers {
        let dir = tempfile::tempdir().unwrap();
        let doc = dir.path().join("qd.pdf");
        if let Err(why) = make(&doc) {
            kyso_testkit::require(&why);
            continue;
        }
        decision_from(fx, producer, dir.path(), &doc);
    }
}

fn decision_from(fx: &kyso_testkit::Fixture, producer: &str, dir: &Path, doc: &Path) {
    let official = signer(fx, tokens::CANHAN, pins::CANHAN, "Nguyễn Văn A");
    let clerk = signer(fx, tokens::TOCHUC, pins::TOCHUC, "Sở Thông tin và Truyền thông tỉnh Bắc Ninh");
    let approved = dir.join("qd-approved.pdf");
    let approval = PresetInput { image: Some(png([20, 40, 200], false)), ..preset(Role::Approver) };
    let block = prepare(&PdfReader::open(doc).unwrap(), &approval).unwrap().appearance.rect;
    sign_as(doc, &approved, &official, Some(&approval));
    let issued = dir.join("qd-issued.pdf");
    let issue = PresetInput {
        seal: Some(png([220, 20, 20], true)),
        number: Some("45/QĐ-UBND".into()),
        date: Some("2026-03-05".into()),
        ..preset(Role::Issuer)
    };
    let placement = prepare(&PdfReader::open(&approved).unwrap(), &issue).unwrap();
    let seal = placement.appearance.rect;
    sign_as(&approved, &issued, &clerk, Some(&issue));

    // Where a reader sees the words (pdftotext: poppler, not our parser).
    if tool_or_skip("pdftotext", "the block and the blanks where pdftotext reads them") {
        let height = 841.89;
        let before = words(doc, height);
        // Dot leaders ("……", "….."), which forms print to be written over.
        let is_leader = |c: char| c == '.' || c == '…';
        let bare = |s: &str| s.trim_matches(is_leader).to_owned();
        let find = |t: &str| {
            before.iter().find(|(s, _)| bare(s) == t).unwrap_or_else(|| panic!("{producer}: no {t} in {before:?}")).1
        };
        let (pho, name) = (find("PHÓ"), find("Bình"));
        assert!(
            block[1] >= name[3] - 0.5 && block[3] <= pho[1] + 0.5,
            "{producer}: {block:?} between {name:?} and {pho:?}"
        );
        assert!(block[0] > 595.0 / 2.0 - 40.0, "{producer}: {block:?} in the right column");
        for (w, b) in &before {
            assert!(!intersects(&block, b), "{producer}: the signature {block:?} covers {w:?} {b:?}");
        }
        let third = block[0] + (block[2] - block[0]) / 3.0;
        assert!(
            seal[0] < third && third <= seal[2] + 0.5,
            "{producer}: seal {seal:?} over the left third of {block:?}"
        );

        let after = words(&issued, height);
        let new: Vec<&(String, [f64; 4])> = after.iter().filter(|w| !before.contains(w)).collect();
        let got = |t: &str| {
            new.iter().find(|(s, _)| bare(s) == t).unwrap_or_else(|| panic!("{producer}: no {t} in {new:?}")).1
        };
        let (so, symbol, n) = (find("Số:"), find("/QĐ-UBND"), got("45"));
        // Against the slash: the symbol's start, or (over leaders, read as
        // one word with the symbol) inside that word.
        let dotted = before.iter().any(|(s, _)| s.starts_with(is_leader) && s.ends_with("/QĐ-UBND"));
        let end = if dotted { symbol[2] - 40.0 } else { symbol[0] + 1.5 };
        assert!(n[0] > so[2] && n[2] <= end, "{producer}: 45 {n:?} between {so:?} and {symbol:?}");
        // On the printed line: poppler boxes each font by its own ascent and
        // descent, so the boxes of two fonts share their middle, not edges.
        let mid = |b: [f64; 4]| (b[1] + b[3]) / 2.0;
        let on_line = |a: [f64; 4], b: [f64; 4]| (mid(a) - mid(b)).abs() < 2.0;
        assert!(on_line(n, so), "{producer}: 45 {n:?} on the line of {so:?}");
        let ngay =
            before.iter().filter(|(s, _)| s == "ngày").map(|w| w.1).max_by(|a, b| a[1].total_cmp(&b[1])).unwrap();
        let header =
            |t: &str| before.iter().filter(|(s, _)| s == t).map(|w| w.1).find(|b| (b[1] - ngay[1]).abs() < 1.0);
        let thang = header("tháng").unwrap();
        let (day, month) = (got("05"), got("3"));
        assert!(day[0] > ngay[2] && day[2] < thang[0], "{producer}: day {day:?} between {ngay:?} and {thang:?}");
        assert!(on_line(day, ngay) && on_line(month, thang), "{producer}: {day:?} {month:?} off the line {ngay:?}");
        // Before "năm", or, when the column broke the line before "năm",
        // after "tháng" within the page's right margin (30 pt, 15 mm).
        let end = header("năm").map_or(595.0 - 42.0, |nam| nam[0]);
        assert!(month[0] > thang[2] && month[2] < end, "{producer}: month {month:?} between {thang:?} and {end}");
        assert_eq!(header("năm").is_none(), producer.contains("wrapped"), "{producer}: {before:?}");
        // The year is printed (on the date's line or wrapped below it), or
        // its century is ("năm 20….."): then only "26" goes after "20".
        assert!(!new.iter().any(|(s, _)| s.contains("2026")), "{producer}: a second year written: {new:?}");
        let century = before.iter().find(|(s, b)| s.starts_with("20") && s.len() > 4 && on_line(*b, ngay));
        assert_eq!(century.is_some(), producer.contains("dot"), "{producer}: {before:?}");
        if let Some((_, century)) = century {
            let rest = got("26");
            assert!(
                rest[0] >= century[0] + 10.0 && rest[0] < century[2],
                "{producer}: 26 {rest:?} after 20 {century:?}"
            );
            assert!(on_line(rest, ngay), "{producer}: 26 {rest:?} off the line");
        }
        // Poppler boxes words by their font's ascent and descent, which in
        // LibreOffice's fonts reach into the next line (its own printed lines
        // overlap by 2 pt): what we write may touch that slack, never ink.
        let ink = |b: &[f64; 4]| {
            let d = 0.12 * (b[3] - b[1]);
            [b[0], b[1] + d, b[2], b[3] - d]
        };
        for (_, b) in &new {
            for (w, o) in before.iter().filter(|(w, _)| !w.contains(is_leader)) {
                assert!(!intersects(&ink(b), &ink(o)), "{producer}: {b:?} over the printed {w:?} {o:?}");
            }
        }
    }

    let report = verify_pdf(&issued, &trust(fx));
    assert_eq!(report.indication, Indication::TotalPassed, "{producer}: {report:#?}");
    assert_eq!(report.signatures.len(), 2);
    assert_eq!(shown(&report.signatures[0].modifications), "allowed", "{report:#?}");
    if tool_or_skip("pdfsig", "the Chromium decision as poppler sees it") {
        let out = Command::new("pdfsig").arg(&issued).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(text.matches("Signature Validation: Signature is Valid.").count(), 2, "{text}");
        assert!(!text.contains("not signed"), "{text}");
    }
    if let Some((ok, out)) = pyhanko_validate(fx, &issued) {
        assert!(ok, "{out}");
        assert_eq!(out.matches("The signature is judged VALID.").count(), 2, "{out}");
    }
}

/// An empty signature field someone left on the page (here added by
/// pyHanko after the official signed) is no official's signature: the
/// seal still goes over the left third of the signed one.
#[test]
fn the_seal_ignores_an_empty_signature_field_on_the_page() {
    let fx = require_fixture!();
    if !tool_or_skip("pyhanko", "an empty field added by another tool") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("qd.pdf");
    decision(&doc, Layout::Deputy);
    let official = signer(fx, tokens::CANHAN, pins::CANHAN, "Nguyễn Văn A");
    let approved = dir.path().join("approved.pdf");
    let approval = PresetInput { image: Some(png([20, 40, 200], false)), ..preset(Role::Approver) };
    sign_as(&doc, &approved, &official, Some(&approval));
    let r = PdfReader::open(&approved).unwrap();
    let signed = kyso_pdf::presets::signed_signature_widgets(&r, *r.pages().unwrap().last().unwrap()).unwrap();
    assert_eq!(signed.len(), 1, "{signed:?}");
    let with_empty = dir.path().join("with-empty.pdf");
    kyso_testkit::pyhanko_add_field(&approved, &with_empty, "1/100,100,200,150/ChoTrong");
    let r = PdfReader::open(&with_empty).unwrap();
    let last = *r.pages().unwrap().last().unwrap();
    assert_eq!(kyso_pdf::presets::signature_widgets(&r, last).unwrap().len(), 2, "the empty field takes room");
    assert_eq!(kyso_pdf::presets::signed_signature_widgets(&r, last).unwrap(), signed);
    let issue = PresetInput { seal: Some(png([220, 20, 20], true)), ..preset(Role::Issuer) };
    let seal = prepare(&r, &issue).unwrap().appearance.rect;
    let o = signed[0];
    let third = o[0] + (o[2] - o[0]) / 3.0;
    assert!((seal[2] - third).abs() < 1.0, "seal {seal:?} over the left third of {o:?}");
}

/// Narrow header columns, as LibreOffice lays them out from a Word
/// template: the number's blank is a dotted underline (drawn as a path
/// under the baseline) and the column breaks the symbol after its dash
/// ("Số: ……/QĐ-" / "UBND"); a long place name breaks the date after "ngày"
/// ("tháng … năm 2026" below). The clerk's number and date still go into
/// the printed blanks, where pdftotext reads them.
#[test]
fn a_narrow_header_breaks_the_symbol_and_the_date() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("qd.pdf");
    if let Err(why) = kyso_testkit::nd30::libreoffice_decision_narrow(&doc) {
        kyso_testkit::require(&why);
        return;
    }
    let clerk = signer(fx, tokens::TOCHUC, pins::TOCHUC, "Sở Thông tin và Truyền thông tỉnh Bắc Ninh");
    let issue = PresetInput {
        seal: Some(png([220, 20, 20], true)),
        number: Some("45/QĐ-UBND".into()),
        date: Some("2026-03-05".into()),
        ..preset(Role::Issuer)
    };
    let issued = dir.path().join("qd-issued.pdf");
    sign_as(&doc, &issued, &clerk, Some(&issue));
    let report = verify_pdf(&issued, &trust(fx));
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
    if !tool_or_skip("pdftotext", "the narrow header as pdftotext reads it") {
        return;
    }
    let height = 841.89;
    let before = words(&doc, height);
    let after = words(&issued, height);
    let new: Vec<&(String, [f64; 4])> = after.iter().filter(|w| !before.contains(w)).collect();
    let find = |t: &str| before.iter().find(|(s, _)| s == t).unwrap_or_else(|| panic!("no {t} in {before:?}")).1;
    let got = |t: &str| new.iter().find(|(s, _)| s == t).unwrap_or_else(|| panic!("no {t} in {new:?}")).1;
    let mid = |b: [f64; 4]| (b[1] + b[3]) / 2.0;
    let on_line = |a: [f64; 4], b: [f64; 4]| (mid(a) - mid(b)).abs() < 2.0;
    // The layout is what this test is about: both breaks happened.
    let (so, broken, rest) = (find("Số:"), find("/QĐ-"), find("UBND"));
    let below = |a: [f64; 4], b: [f64; 4]| mid(a) < mid(b) - 0.6 * (b[3] - b[1]);
    assert!(on_line(so, broken) && below(rest, so), "{so:?} {broken:?} {rest:?}");
    let (ngay, thang, nam) = (find("ngày"), find("tháng"), find("năm"));
    assert!(below(thang, ngay) && on_line(thang, nam), "{ngay:?} {thang:?} {nam:?}");
    let (n, day, month) = (got("45"), got("05"), got("3"));
    assert!(on_line(n, so) && n[0] > so[2] && n[2] <= broken[0] + 1.5, "45 {n:?} between {so:?} and {broken:?}");
    assert!(on_line(day, ngay) && day[0] > ngay[2] && day[2] < 595.0 - 42.0, "05 {day:?} after {ngay:?}");
    assert!(on_line(month, thang) && month[0] > thang[2] && month[2] < nam[0], "3 {month:?}: {thang:?} {nam:?}");
    assert!(!new.iter().any(|(s, _)| s.contains("2026")), "a second year: {new:?}");
    let ink = |b: &[f64; 4]| {
        let d = 0.12 * (b[3] - b[1]);
        [b[0], b[1] + d, b[2], b[3] - d]
    };
    for (w, b) in &new {
        for (o, ob) in &before {
            assert!(!intersects(&ink(b), &ink(ob)), "{w:?} {b:?} over the printed {o:?} {ob:?}");
        }
    }
}
