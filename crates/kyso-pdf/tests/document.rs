//! Generated reports are PDFs other tools read: qpdf finds no fault and
//! poppler's pdftotext gets the Vietnamese text back (the ToUnicode map).
#![allow(clippy::unwrap_used)]

use std::process::Command;

use kyso_pdf::PdfReader;
use kyso_pdf::document::{Paragraph, text_document};

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok()
}

#[test]
fn a_long_vietnamese_report_is_a_valid_searchable_pdf() {
    let mut paras = vec![Paragraph { size: 16.0, ..Paragraph::body("Báo cáo kiểm tra chữ ký số") }];
    for i in 1..=60 {
        paras.push(Paragraph {
            colour: if i % 2 == 0 { [0.18, 0.49, 0.2] } else { [0.0; 3] },
            space_before: 6.0,
            ..Paragraph::body(format!(
                "Chữ ký {i} — HỢP LỆ. Người ký: Nguyễn Văn A; Cơ quan: Sở Thông tin và Truyền thông tỉnh Bắc Ninh; \
                 tổ chức cấp chứng thư: CA phục vụ các cơ quan Nhà nước G2; một_từ_rất_dài_không_có_khoảng_trắng_{i}_ĐƯỢC_CẮT_THEO_KÝ_TỰ_ĐỂ_VỪA_KHỔ_GIẤY_MÀ_KHÔNG_TRÀN_RA_NGOÀI_LỀ_PHẢI"
            ))
        });
    }
    let pdf = text_document("Báo cáo kiểm tra chữ ký số", &paras).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bao-cao.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let reader = PdfReader::open(&path).unwrap();
    let pages = reader.pages().unwrap().len();
    assert!(pages >= 3, "60 paragraphs take several pages: {pages}");

    if have("qpdf") {
        let out = Command::new("qpdf").arg("--check").arg(&path).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success() && text.contains("No syntax or stream encoding errors"), "{text}");
    } else {
        kyso_testkit::require("qpdf is not installed: the qpdf check");
    }
    if have("pdftotext") || Command::new("pdftotext").arg("-v").output().is_ok() {
        let out = Command::new("pdftotext").arg("-enc").arg("UTF-8").arg(&path).arg("-").output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Báo cáo kiểm tra chữ ký số"), "{text}");
        assert!(text.contains("Chữ ký 60 — HỢP LỆ"), "the last paragraph is there");
        assert!(text.contains("Sở Thông tin và Truyền thông tỉnh Bắc Ninh"));
        assert!(text.contains("một_từ_rất_dài"), "{text}");
        // Every word stays inside the right margin (the long unbroken word
        // after other words is cut to fit): poppler's word boxes say so.
        let bbox = Command::new("pdftotext").arg("-bbox").arg(&path).arg("-").output().unwrap();
        let html = String::from_utf8_lossy(&bbox.stdout);
        let widest = html
            .split("xMax=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next().and_then(|v| v.parse::<f64>().ok()))
            .fold(0.0, f64::max);
        assert!(widest > 300.0 && widest <= 595.0 - 56.0 + 1.0, "a word reaches x = {widest}");
        let info = Command::new("pdfinfo").arg(&path).output().unwrap();
        let info = String::from_utf8_lossy(&info.stdout);
        let info_pages = info.lines().find_map(|l| l.strip_prefix("Pages:")).map(str::trim);
        assert!(info.contains("Báo cáo kiểm tra chữ ký số") && info_pages == Some(&*pages.to_string()), "{info}");
    } else {
        kyso_testkit::require("poppler-utils is not installed: the text extraction check");
    }
}
