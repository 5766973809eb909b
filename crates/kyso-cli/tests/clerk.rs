//! The clerk's step through `kyso-cli sign` (issue 17): on an NĐ 30/2020
//! decision signed by three officials, `--role issuer` finds the blanks of
//! page 1, writes the number and the date there in one signature, and
//! reports where (`written` in the JSON); `--number-rect/--date-rect`
//! override; a document without blanks is refused before the PIN is used.

#![allow(clippy::unwrap_used)] // test helpers panic on purpose

use std::path::Path;
use std::process::Output;

use kyso_testkit::nd30::{Layout, decision};
use kyso_testkit::{Fixture, pins, pyhanko_validate, require_fixture, tokens};

mod common;
use common::json;

fn data_dir() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

fn sign(fx: &Fixture, input: &Path, output: &Path, extra: &[&str], token: &str, pin: &str) -> Output {
    let mut args = vec![
        "sign",
        input.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
        "--module",
        fx.module.to_str().unwrap(),
        "--pin-stdin",
        "--allow-unchecked",
        "--json",
    ];
    // "" names no token: the certificate is then found on any.
    if !token.is_empty() {
        args.extend(["--token", token]);
    }
    args.extend_from_slice(extra);
    common::kyso_cli(fx, data_dir(), &args, Some(pin))
}

/// The test kit's signature (blue strokes) or seal (red ring) PNG.
fn png(path: &Path, ring: bool) {
    let color = if ring { [220, 20, 20] } else { [20, 40, 200] };
    std::fs::write(path, kyso_testkit::eoffice::png(color, ring)).unwrap();
}

#[test]
fn the_clerk_numbers_and_dates_a_decision_signed_by_three_officials() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (image, seal) = (d.join("chu-ky.png"), d.join("con-dau.png"));
    png(&image, false);
    png(&seal, true);
    let clerk =
        ["--role", "issuer", "--seal", seal.to_str().unwrap(), "--number", "Số: 45/QĐ-UBND", "--date", "05/03/2026"];
    let (mut a3, mut number_rect) = (d.to_path_buf(), Vec::new());
    for layout in Layout::ALL {
        let dl = d.join(layout.name());
        std::fs::create_dir_all(&dl).unwrap();
        let doc = dl.join("qd.pdf");
        decision(&doc, layout);
        // Three officials, three certificates; the last one visible in the block.
        let (a1, a2) = (dl.join("a1.pdf"), dl.join("a2.pdf"));
        a3 = dl.join("a3.pdf");
        for (input, output, cn, look) in [
            (&doc, &a1, "Lê Văn Cường", vec![]),
            (&a1, &a2, "Trần Thị Bích", vec![]),
            (&a2, &a3, "Nguyễn Văn A", vec!["--role", "approver", "--image", image.to_str().unwrap()]),
        ] {
            let mut extra = vec!["--cert", cn];
            extra.extend(look);
            let out = sign(fx, input, output, &extra, tokens::CANHAN, pins::CANHAN);
            let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            assert_eq!(out.status.code(), Some(0), "{layout:?} {cn}: {said}");
        }
        // The clerk: number and date found on page 1 and reported.
        let issued = dl.join("qd.signed.pdf");
        let out = sign(fx, &a3, &issued, &clerk, tokens::TOCHUC, pins::TOCHUC);
        let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{layout:?}: {said}");
        let v = json(&out);
        let written = v["files"][0]["written"].as_array().unwrap().clone();
        let what: Vec<&str> = written.iter().map(|w| w["what"].as_str().unwrap()).collect();
        let texts: Vec<&str> = written.iter().map(|w| w["text"].as_str().unwrap()).collect();
        if layout == Layout::Landscape {
            assert_eq!((what, texts), (vec!["number", "day", "month", "year"], vec!["45", "05", "3", "2026"]), "{v:#}");
        } else {
            assert_eq!((what, texts), (vec!["number", "day", "month"], vec!["45", "05", "3"]), "{v:#}");
        }
        let at_13 = |w: &serde_json::Value| w["page"] == 1 && (w["size"].as_f64().unwrap() - 13.0).abs() < 0.01;
        assert!(written.iter().all(at_13), "{layout:?}: {v:#}");
        number_rect = written[0]["rect"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
        if let Some((ok, text)) = pyhanko_validate(fx, &issued) {
            assert!(ok, "{layout:?}: {text}");
            assert_eq!(text.matches("The signature is judged VALID.").count(), 4, "{layout:?}: {text}");
        }
    }

    // The same with the number moved by hand: written where asked. No
    // token or certificate named: of the personal and organisation
    // certificates plugged in, the clerk's role takes the organisation's.
    let moved = d.join("qd.moved.pdf");
    let r = format!("{},{},{},{}", number_rect[0] - 3.0, number_rect[1], number_rect[2], number_rect[3]);
    let mut args = clerk.to_vec();
    args.extend(["--number-rect", &r]);
    let out = sign(fx, &a3, &moved, &args, "", pins::TOCHUC);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let v = json(&out);
    assert!(v["signer"]["subject"].as_str().unwrap().contains("Sở Thông tin"), "{v:#}");
    let got: Vec<f64> =
        v["files"][0]["written"][0]["rect"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
    assert!((got[0] - (number_rect[0] - 3.0)).abs() < 0.02, "{v:#}");

    // A page 1 without blanks: refused before signing, nothing written;
    // a symbol other than the printed one too.
    let plain = d.join("plain.pdf");
    kyso_testkit::minimal_pdf(&plain, 1);
    for (input, number, code) in
        [(&plain, "45/QĐ-UBND", "blank_not_found"), (&a3, "45/KH-UBND", "number_symbol_mismatch")]
    {
        let never = d.join("never.pdf");
        let args = ["--role", "issuer", "--seal", seal.to_str().unwrap(), "--number", number, "--date", "2026-03-05"];
        let out = sign(fx, input, &never, &args, tokens::TOCHUC, pins::TOCHUC);
        assert_ne!(out.status.code(), Some(0));
        let v = json(&out);
        let err = if v["error"].is_null() { &v["files"][0]["error"] } else { &v["error"] };
        assert_eq!(err["code"], code, "{v:#}");
        assert!(!never.exists());
    }

    // An empty signature field another tool placed on the page cannot also
    // carry the number and date: refused before the PIN is read, in words.
    if kyso_testkit::tool_or_skip("pyhanko", "an empty field placed by another tool") {
        let placed = d.join("placed.pdf");
        kyso_testkit::pyhanko_add_field(&a3, &placed, "1/380,120,520,200/VanThu");
        let never = d.join("never.pdf");
        let mut args = clerk.to_vec();
        args.extend(["--field", "VanThu"]);
        let out = sign(fx, &placed, &never, &args, tokens::TOCHUC, pins::TOCHUC);
        assert_eq!(out.status.code(), Some(6), "{}", String::from_utf8_lossy(&out.stdout));
        let v = json(&out);
        let err = &v["files"][0]["error"];
        assert_eq!(err["code"], "field_takes_no_widgets", "{v:#}");
        let message = err["message"].as_str().unwrap();
        assert!(message.contains("\"VanThu\"") && message.contains("số và ngày"), "{message}");
        assert!(!never.exists());
    }
}
