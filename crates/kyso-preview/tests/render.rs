//! The preview draws pages as poppler does and maps clicks back to user
//! space, rotated and offset pages included.

use std::path::Path;
use std::process::Command;

use kyso_preview::{PageImage, PreviewError, page_count, render_page};

/// A one-page PDF with `page_extra` in the page dictionary and a black
/// rectangle filled at user-space `rect`.
fn pdf_with_rect(media: [f64; 4], page_extra: &str, rect: [f64; 4]) -> Vec<u8> {
    let content = format!("0 0 0 rg {} {} {} {} re f", rect[0], rect[1], rect[2] - rect[0], rect[3] - rect[1]);
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [{} {} {} {}] {page_extra} /Contents 4 0 R >>",
            media[0], media[1], media[2], media[3]
        ),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
    ];
    kyso_testkit::pdf_from_objects(&objects)
}

fn dark(img: &PageImage, x: u32, y: u32) -> bool {
    let i = ((y * img.width + x) * 4) as usize;
    img.rgba[i] < 100 && img.rgba[i + 1] < 100 && img.rgba[i + 2] < 100
}

/// The bounding box `(x0, y0, x1, y1)` of the dark pixels.
fn dark_box(w: u32, h: u32, is_dark: impl Fn(u32, u32) -> bool) -> Option<(u32, u32, u32, u32)> {
    let mut b: Option<(u32, u32, u32, u32)> = None;
    for y in 0..h {
        for x in 0..w {
            if is_dark(x, y) {
                b = Some(match b {
                    None => (x, y, x, y),
                    Some((x0, y0, x1, y1)) => (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
                });
            }
        }
    }
    b
}

/// The box the mapping predicts for `rect` holds the dark pixels hayro drew.
fn check_mapping(img: &PageImage, rect: [f64; 4]) {
    let (left, top, w, h) = img.rect_to_pixels(rect);
    let found = dark_box(img.width, img.height, |x, y| dark(img, x, y)).expect("the rectangle was drawn");
    let expect = (left, top, left + w - 1.0, top + h - 1.0);
    for (got, want) in [(found.0, expect.0), (found.1, expect.1), (found.2, expect.2), (found.3, expect.3)] {
        assert!((f64::from(got) - want).abs() <= 1.5, "drawn {found:?}, mapped {expect:?}");
    }
    // A click in the middle of the drawn box lands inside the rectangle.
    let (ux, uy) = img.to_user(f64::from(found.0 + found.2) / 2.0, f64::from(found.1 + found.3) / 2.0);
    assert!(ux > rect[0] && ux < rect[2] && uy > rect[1] && uy < rect[3], "({ux}, {uy}) not in {rect:?}");
}

#[test]
fn a_plain_page_maps_both_ways() {
    let rect = [100.0, 600.0, 300.0, 700.0];
    let pdf = pdf_with_rect([0.0, 0.0, 595.0, 842.0], "", rect);
    assert_eq!(page_count(&pdf), Ok(1));
    let img = render_page(&pdf, 1, 298, 421).expect("rendered");
    assert_eq!((img.width, img.height), (297, 421));
    assert_eq!(img.rgba.len(), (img.width * img.height * 4) as usize);
    let (x, y) = img.to_pixels(0.0, 842.0);
    assert!(x.abs() < 0.01 && y.abs() < 0.01, "top left is the origin of the picture: {x}, {y}");
    let (x, y) = img.to_user(img.to_pixels(123.0, 456.0).0, img.to_pixels(123.0, 456.0).1);
    assert!((x - 123.0).abs() < 1e-9 && (y - 456.0).abs() < 1e-9);
    check_mapping(&img, rect);
}

#[test]
fn rotated_and_offset_pages_map_too() {
    let rect = [150.0, 200.0, 250.0, 260.0];
    for extra in ["/Rotate 90", "/Rotate 180", "/Rotate 270", "/CropBox [50 50 500 800]"] {
        let pdf = pdf_with_rect([0.0, 0.0, 595.0, 842.0], extra, rect);
        let img = render_page(&pdf, 1, 400, 400).expect("rendered");
        assert!(img.width <= 400 && img.height <= 400, "{extra}: {img:?}");
        if extra.starts_with("/Rotate 90") || extra.starts_with("/Rotate 270") {
            assert!(img.width > img.height, "{extra}: a portrait page turned is landscape");
        }
        check_mapping(&img, rect);
    }
}

#[test]
fn placing_keeps_the_size_and_stays_on_the_page() {
    let pdf = pdf_with_rect([0.0, 0.0, 595.0, 842.0], "", [0.0, 0.0, 1.0, 1.0]);
    let img = render_page(&pdf, 1, 595, 842).expect("rendered");
    let page = [0.0, 0.0, 595.0, 842.0];
    let r = img.place([0.0, 0.0, 170.0, 70.0], 300.0, 421.0, page);
    assert!(((r[2] - r[0]) - 170.0).abs() < 1e-9 && ((r[3] - r[1]) - 70.0).abs() < 1e-9);
    assert!(((r[0] + r[2]) / 2.0 - 300.0).abs() < 1e-6 && ((r[1] + r[3]) / 2.0 - 421.0).abs() < 1e-6);
    // A click in the corner keeps the whole box on the page.
    let r = img.place([0.0, 0.0, 170.0, 70.0], 1.0, 1.0, page);
    assert_eq!(r, [0.0, 772.0, 170.0, 842.0]);
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    assert!(matches!(render_page(b"not a pdf", 1, 100, 100), Err(PreviewError::Unreadable(_))));
    let pdf = pdf_with_rect([0.0, 0.0, 595.0, 842.0], "", [0.0, 0.0, 1.0, 1.0]);
    assert_eq!(render_page(&pdf, 0, 100, 100).unwrap_err(), PreviewError::NoSuchPage { page: 0, pages: 1 });
    assert_eq!(render_page(&pdf, 2, 100, 100).unwrap_err(), PreviewError::NoSuchPage { page: 2, pages: 1 });
    let truncated = &pdf[..pdf.len() / 2];
    let _ = render_page(truncated, 1, 100, 100);
}

/// poppler (`pdftoppm`) draws the fixture's signed documents where hayro
/// does: the dark area of a page with text agrees within two pixels.
#[test]
fn agrees_with_poppler_on_a_text_page() {
    if Command::new("pdftoppm").arg("-v").output().is_err() {
        kyso_testkit::require("pdftoppm (poppler-utils) is not installed");
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let pdf = dir.join("page.pdf");
    kyso_testkit::minimal_pdf(&pdf, 1);
    let bytes = std::fs::read(&pdf).expect("pdf");
    let img = render_page(&bytes, 1, 300, 300).expect("rendered");
    let ours = dark_box(img.width, img.height, |x, y| dark(&img, x, y)).expect("text drawn");
    let out = dir.join("poppler");
    let status = Command::new("pdftoppm")
        .args(["-r", "36", "-gray", "-singlefile"])
        .arg("-scale-to-x")
        .arg(img.width.to_string())
        .arg("-scale-to-y")
        .arg(img.height.to_string())
        .arg(&pdf)
        .arg(&out)
        .status()
        .expect("pdftoppm");
    assert!(status.success());
    let (w, h, gray) = read_pgm(&out.with_extension("pgm"));
    assert_eq!((w, h), (img.width, img.height));
    let theirs = dark_box(w, h, |x, y| gray[(y * w + x) as usize] < 100).expect("poppler drew text");
    for (a, b) in [(ours.0, theirs.0), (ours.1, theirs.1), (ours.2, theirs.2), (ours.3, theirs.3)] {
        assert!(a.abs_diff(b) <= 2, "hayro {ours:?} vs poppler {theirs:?}");
    }
}

/// A binary PGM (P5, 8-bit).
fn read_pgm(path: &Path) -> (u32, u32, Vec<u8>) {
    let data = std::fs::read(path).expect("pgm");
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while data[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !data[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&data[start..i]).into_owned());
    }
    assert_eq!(fields[0], "P5");
    let (w, h): (u32, u32) = (fields[1].parse().expect("w"), fields[2].parse().expect("h"));
    (w, h, data[i + 1..].to_vec())
}
