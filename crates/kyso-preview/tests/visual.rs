//! The visual comparison (issue 21): every tampering made here shows an
//! unexplained visible change on the right page — also when the object
//! rules' verdict is thrown away first — and poppler (`pdftoppm`) sees the
//! same pixels change there; legitimate multi-signer documents (our own
//! signatures, the clerk's seal with number and date, pyHanko, iText 5 and
//! PDFBox 2 signatures after ours and before ours) show only explained
//! changes.

#![allow(clippy::unwrap_used)] // test helpers panic on purpose

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use kyso_pdf::appearance::Appearance;
use kyso_pdf::object::{Dict, Object, StreamData};
use kyso_pdf::presets::{PresetInput, Role, prepare};
use kyso_pdf::{IncrementalUpdate, Indication, PdfReader, PdfReport, SignOptions, VerifyOptions, sign_pdf, verify_pdf};
use kyso_pki::report::{Coverage, ModificationLevel, Modifications, SubIndication};
use kyso_pki::{Signer, load_certificates, load_crl};
use kyso_preview::visual::{VisualOptions, compare_revisions};
use kyso_testkit::{
    Fixture, fixture_p12 as p12, java_oracle, minimal_pdf, pdf_from_objects, pins, require_fixture, tokens,
};
use kyso_token::{Pin, Pkcs11Signer, SignerOptions, list_certificates, load_module};

fn signer(fx: &Fixture, token: &str, pin: &str, cn: &str) -> Pkcs11Signer {
    let module = load_module(&fx.module).unwrap();
    let (slot, _) = module.find_tokens(Some(token)).unwrap().remove(0);
    let certs = list_certificates(&module, slot, None).unwrap();
    let entry = certs.iter().find(|c| c.certificate.subject_cn.as_deref() == Some(cn)).unwrap();
    Pkcs11Signer::open(&module, entry, Pin::new(pin.into()), SignerOptions::default()).unwrap()
}

fn trust(fx: &Fixture) -> VerifyOptions {
    VerifyOptions {
        anchors: load_certificates(&std::fs::read(fx.pki_file("root.pem")).unwrap()),
        extra_certs: load_certificates(&std::fs::read(fx.pki_file("int.pem")).unwrap()),
        crls: ["crl.pem", "root-crl.pem"]
            .iter()
            .map(|f| load_crl(&std::fs::read(fx.pki_file(f)).unwrap()).unwrap())
            .collect(),
        at: None::<SystemTime>,
        online: None,
    }
}

/// Appends an incremental update that redefines `objects`.
fn append_update(input: &Path, output: &Path, objects: &[(u32, Object)]) {
    let reader = PdfReader::open(input).unwrap();
    let mut up = IncrementalUpdate::new(&reader, false);
    for (n, o) in objects {
        up.write(*n, o);
    }
    let tail = up.finish(&reader);
    let mut bytes = std::fs::read(input).unwrap();
    bytes.extend_from_slice(&tail);
    std::fs::write(output, bytes).unwrap();
}

fn sign(input: &Path, output: &Path, s: &dyn Signer, opts: &SignOptions) {
    sign_pdf(input, output, s, opts).unwrap();
}

/// A three-page document with a text line per page ("Trang N" at
/// (72, 720), 24 pt) and, unused by any page, a content stream that draws
/// other text (the shadow attack's hidden content), signed once by Kyso.
fn signed_document(fx: &Fixture, dir: &Path) -> PathBuf {
    let mut objs: Vec<String> = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        "<< /Type /Pages /Kids [4 0 R 6 0 R 8 0 R] /Count 3 >>".into(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into(),
    ];
    for i in 0..3 {
        objs.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            5 + 2 * i
        ));
        let text = format!("BT /F1 24 Tf 72 720 Td (Trang {}: dong y chi 100 trieu) Tj ET", i + 1);
        objs.push(format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()));
    }
    let hidden = "BT /F1 24 Tf 72 720 Td (Trang 1: dong y chi 999 trieu) Tj ET";
    objs.push(format!("<< /Length {} >>\nstream\n{hidden}\nendstream", hidden.len()));
    let plain = dir.join("plain.pdf");
    std::fs::write(&plain, pdf_from_objects(&objs)).unwrap();
    let a = signer(fx, tokens::CANHAN, pins::CANHAN, "Nguyễn Văn A");
    let signed = dir.join("signed.pdf");
    sign(&plain, &signed, &a, &SignOptions::default());
    signed
}

/// The hidden content stream of [`signed_document`].
const HIDDEN: u32 = 10;

fn page_dict(file: &Path, i: usize) -> (u32, Dict) {
    let r = PdfReader::open(file).unwrap();
    let p = r.pages().unwrap()[i];
    (p, r.get(p).unwrap().as_dict().unwrap().clone())
}

fn visual(file: &Path, report: &mut PdfReport) {
    compare_revisions(file, report, &VisualOptions::default());
}

/// The bytes of the revision the first signature signed, as a file.
fn signed_revision(file: &Path, report: &PdfReport, out: &Path) -> PathBuf {
    let br = &report.signatures[0].byte_range;
    let end = (br[2] + br[3]) as usize;
    std::fs::write(out, &std::fs::read(file).unwrap()[..end]).unwrap();
    out.to_path_buf()
}

/// Page `page` drawn by poppler at 72 dpi: (width, height, RGB).
fn poppler(file: &Path, page: usize) -> Option<(usize, usize, Vec<u8>)> {
    let prefix = file.with_extension(format!("p{page}"));
    let ok = Command::new("pdftoppm")
        .args(["-r", "72", "-singlefile", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(file)
        .arg(&prefix)
        .status()
        .ok()?
        .success();
    if !ok {
        return None;
    }
    let data = std::fs::read(prefix.with_extension(format!("p{page}.ppm"))).ok()?;
    // P6 <w> <h> <max>\n<rgb>
    let mut fields = Vec::new();
    let mut pos = 0;
    while fields.len() < 4 {
        while data[pos].is_ascii_whitespace() {
            pos += 1;
        }
        let start = pos;
        while !data[pos].is_ascii_whitespace() {
            pos += 1;
        }
        fields.push(String::from_utf8_lossy(&data[start..pos]).into_owned());
    }
    let (w, h) = (fields[1].parse().ok()?, fields[2].parse().ok()?);
    Some((w, h, data[pos + 1..].to_vec()))
}

/// Pixels poppler draws differently in the user-space `rect` (x, y, w, h)
/// of `page` between the signed revision and the file.
fn poppler_differs(before: &Path, after: &Path, page: usize, rect: [f64; 4]) -> usize {
    let (Some(a), Some(b)) = (poppler(before, page), poppler(after, page)) else {
        // A page the signed revision lacks (or the file lost): all of it.
        return usize::MAX;
    };
    assert_eq!((a.0, a.1), (b.0, b.1), "page size changed");
    let (w, h) = (a.0, a.1);
    let x0 = rect[0].floor().max(0.0) as usize;
    let x1 = ((rect[0] + rect[2]).ceil() as usize).min(w);
    let y0 = (h as f64 - (rect[1] + rect[3])).floor().max(0.0) as usize;
    let y1 = ((h as f64 - rect[1]).ceil() as usize).min(h);
    let mut n = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            let i = (y * w + x) * 3;
            if a.2[i..i + 3].iter().zip(&b.2[i..i + 3]).any(|(p, q)| p.abs_diff(*q) > 40) {
                n += 1;
            }
        }
    }
    n
}

/// The object rules thrown away: the report as if they had allowed every
/// change (rectangles included) and judged the signature valid.
fn without_object_rules(mut r: PdfReport) -> PdfReport {
    for s in &mut r.signatures {
        s.modifications = Modifications::None;
        s.modification_level = ModificationLevel::None;
        s.modification_details.clear();
        for c in &mut s.changes {
            c.allowed = true;
        }
        s.indication = Indication::TotalPassed;
        s.sub_indication = None;
    }
    r.indication = Indication::TotalPassed;
    r
}

/// The first signature shows an unexplained visible change on `page`, and
/// poppler sees pixels change there too.
fn caught_on(label: &str, dir: &Path, file: &Path, report: &PdfReport, page: usize) {
    let s = &report.signatures[0];
    assert_eq!(s.modifications, Modifications::Disallowed, "{label}: {s:#?}");
    assert_eq!(
        (s.indication, s.sub_indication),
        (Indication::TotalFailed, Some(SubIndication::ModifiedAfterSigning)),
        "{label}"
    );
    assert_eq!(report.indication, Indication::TotalFailed, "{label}");
    let hits: Vec<_> = s.visual_changes.iter().filter(|v| v.page == page && v.explained_by.is_none()).collect();
    assert!(!hits.is_empty(), "{label}: no unexplained change on page {page}: {:#?}", s.visual_changes);
    let change = s.changes.iter().find(|c| c.kind == "visible_change" && c.page == Some(page)).unwrap();
    assert!(!change.allowed, "{label}");
    assert!(change.detail.starts_with(&format!("visible change on page {page} at (")), "{label}: {}", change.detail);
    assert!(s.modification_details.iter().any(|d| d.starts_with("visible change on page")), "{label}");
    if !kyso_testkit::tool_or_skip("pdftoppm", "the poppler cross-check of the visual comparison") {
        return;
    }
    let before = signed_revision(file, report, &dir.join(format!("{label}-signed.pdf")));
    let seen = hits.iter().map(|v| poppler_differs(&before, file, page, v.rect)).max().unwrap_or(0);
    assert!(seen > 0, "{label}: poppler draws page {page} the same in the signed revision and now");
}

/// Runs the verifier with and without the object rules and checks both.
fn check_tampering(fx: &Fixture, dir: &Path, label: &str, file: &Path, page: usize) {
    let mut full = verify_pdf(file, &trust(fx));
    assert_eq!(full.signatures[0].coverage, Coverage::WholeRevision, "{label}");
    visual(file, &mut full);
    caught_on(label, dir, file, &full, page);

    let mut alone = without_object_rules(verify_pdf(file, &trust(fx)));
    visual(file, &mut alone);
    caught_on(&format!("{label}-visual-only"), dir, file, &alone, page);
}

#[test]
fn every_tampering_is_a_visible_change_on_its_page() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let signed = signed_document(fx, d);
    let untouched = verify_pdf(&signed, &trust(fx));
    assert_eq!(untouched.indication, Indication::TotalPassed, "{untouched:#?}");
    let next = PdfReader::open(&signed).unwrap().next_object_number();

    // Content replaced on page 2.
    let (p2, mut d2) = page_dict(&signed, 1);
    let evil = Object::Stream(
        Dict::new(),
        StreamData::Bytes(b"BT /F1 24 Tf 72 720 Td (Trang 2: dong y chi 900 trieu) Tj ET".to_vec()),
    );
    d2.set("Contents", Object::Ref(next, 0));
    let file = d.join("content.pdf");
    append_update(&signed, &file, &[(next, evil), (p2, Object::Dict(d2))]);
    check_tampering(fx, d, "content", &file, 2);

    // Pages 1 and 3 swapped.
    let r = PdfReader::open(&signed).unwrap();
    let (_, cat) = r.catalog().unwrap();
    let Some(Object::Ref(pages_num, _)) = cat.get("Pages").cloned() else { panic!() };
    let mut pages = r.get(pages_num).unwrap().as_dict().unwrap().clone();
    let Some(Object::Array(mut kids)) = pages.get("Kids").cloned() else { panic!() };
    kids.swap(0, 2);
    pages.set("Kids", Object::Array(kids));
    let file = d.join("reordered.pdf");
    append_update(&signed, &file, &[(pages_num, Object::Dict(pages))]);
    check_tampering(fx, d, "reordered", &file, 1);
    let mut rep = verify_pdf(&file, &trust(fx));
    visual(&file, &mut rep);
    assert!(
        rep.signatures[0].changes.iter().any(|c| c.detail.contains("shows page 3 of the signed revision")),
        "{:#?}",
        rep.signatures[0].changes
    );

    // A FreeText annotation whose appearance covers the text of page 1.
    let (p1, mut d1) = page_dict(&signed, 0);
    let ap = Object::Stream(
        Dict::new()
            .with("Type", Object::name("XObject"))
            .with("Subtype", Object::name("Form"))
            .with("BBox", Object::Array(vec![Object::Int(0), Object::Int(0), Object::Int(420), Object::Int(40)]))
            .with(
                "Resources",
                Object::Dict(Dict::new().with("Font", Object::Dict(Dict::new().with("F1", Object::Ref(3, 0))))),
            ),
        StreamData::Bytes(
            b"1 1 1 rg 0 0 420 40 re f 0 0 0 rg BT /F1 24 Tf 2 12 Td (Trang 1: khong dong y) Tj ET".to_vec(),
        ),
    );
    let annot = Dict::new()
        .with("Type", Object::name("Annot"))
        .with("Subtype", Object::name("FreeText"))
        .with("Rect", Object::Array(vec![Object::Int(70), Object::Int(708), Object::Int(490), Object::Int(748)]))
        .with("Contents", Object::Str(b"Trang 1: khong dong y".to_vec()))
        .with("DA", Object::Str(b"/Helv 24 Tf 0 g".to_vec()))
        .with("F", Object::Int(4))
        .with("AP", Object::Dict(Dict::new().with("N", Object::Ref(next + 1, 0))));
    let mut annots = match d1.get("Annots") {
        Some(Object::Array(a)) => a.clone(),
        _ => Vec::new(),
    };
    annots.push(Object::Ref(next, 0));
    d1.set("Annots", Object::Array(annots));
    let file = d.join("freetext.pdf");
    append_update(&signed, &file, &[(next, Object::Dict(annot)), (next + 1, ap), (p1, Object::Dict(d1))]);
    check_tampering(fx, d, "freetext", &file, 1);

    // A real second signature whose widget paints over the signed text.
    let b = signer(fx, tokens::CANHAN, pins::CANHAN, "Lê Văn Cường");
    let cover = Appearance {
        rect: [60.0, 700.0, 500.0, 760.0],
        content: b"1 1 1 rg 0 0 440 60 re f".to_vec(),
        resources: Dict::new(),
        objects: Vec::new(),
    };
    let file = d.join("covering-widget.pdf");
    sign(&signed, &file, &b, &SignOptions { appearance: Some(cover), ..Default::default() });
    let objects_say = verify_pdf(&file, &trust(fx));
    assert!(objects_say.signatures[0].changes.iter().any(|c| c.allowed && c.kind == "signature_added"));
    check_tampering(fx, d, "covering-widget", &file, 1);

    // Shadow attack (hide and replace): the page now shows content the
    // signed revision carried but did not show.
    let (p1, mut d1) = page_dict(&signed, 0);
    d1.set("Contents", Object::Ref(HIDDEN, 0));
    let file = d.join("shadow.pdf");
    append_update(&signed, &file, &[(p1, Object::Dict(d1))]);
    check_tampering(fx, d, "shadow", &file, 1);

    // A page added after signing.
    let r = PdfReader::open(&signed).unwrap();
    let mut pages = r.get(pages_num).unwrap().as_dict().unwrap().clone();
    let Some(Object::Array(mut kids)) = pages.get("Kids").cloned() else { panic!() };
    kids.push(Object::Ref(next, 0));
    pages.set("Kids", Object::Array(kids));
    pages.set("Count", Object::Int(4));
    let (_, mut extra) = page_dict(&signed, 1);
    extra.remove("Annots");
    let file = d.join("page-added.pdf");
    append_update(&signed, &file, &[(next, Object::Dict(extra)), (pages_num, Object::Dict(pages))]);
    check_tampering(fx, d, "page-added", &file, 4);
}

fn png(color: [u8; 3], ring: bool) -> Vec<u8> {
    let (w, h) = (300u32, if ring { 300 } else { 120 });
    let mut data = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            let on = if ring {
                let (dx, dy) = (f64::from(x) - 150.0, f64::from(y) - 150.0);
                let r = (dx * dx + dy * dy).sqrt();
                (110.0..145.0).contains(&r) || (r < 60.0)
            } else {
                let wave = 60.0 + 35.0 * (f64::from(x) / 25.0).sin();
                (f64::from(y) - wave).abs() < 14.0
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

fn sign_preset(input: &Path, output: &Path, s: &dyn Signer, p: &PresetInput) {
    let reader = PdfReader::open(input).unwrap();
    let placement = prepare(&reader, p).unwrap();
    let opts = SignOptions {
        page: Some(placement.page),
        appearance: Some(placement.appearance),
        extra_widgets: placement.extra_widgets,
        time: Some(p.time),
        ..Default::default()
    };
    sign(input, output, s, &opts);
}

/// Only explained changes, the verdict unchanged, and at least `explained`
/// explained regions over all signatures.
fn only_explained(label: &str, file: &Path, fx: &Fixture, explained: usize) {
    let before = verify_pdf(file, &trust(fx));
    assert_eq!(before.indication, Indication::TotalPassed, "{label}: {before:#?}");
    let mut after = before.clone();
    let stats = compare_revisions(file, &mut after, &VisualOptions::default());
    assert!(stats.pages_compared > 0, "{label}: nothing compared");
    for s in &after.signatures {
        assert!(s.visual_changes.iter().all(|v| v.explained_by.is_some()), "{label}: {:#?}", s.visual_changes);
        assert!(!s.changes.iter().any(|c| c.kind == "visible_change" || c.kind == "visual_not_compared"), "{label}");
    }
    let n: usize = after.signatures.iter().map(|s| s.visual_changes.len()).sum();
    assert!(n >= explained, "{label}: {n} explained regions, expected {explained}");
    assert_eq!(after.indication, Indication::TotalPassed, "{label}");
    for (a, b) in before.signatures.iter().zip(&after.signatures) {
        assert_eq!(
            (a.modifications, a.indication, a.sub_indication),
            (b.modifications, b.indication, b.sub_indication)
        );
    }
}

#[test]
fn legitimate_chains_show_only_explained_changes() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let doc = d.join("doc.pdf");
    minimal_pdf(&doc, 2);
    let head = signer(fx, tokens::CANHAN, pins::CANHAN, "Nguyễn Văn A");
    let deputy = signer(fx, tokens::CANHAN, pins::CANHAN, "Lê Văn Cường");
    let org = signer(fx, tokens::TOCHUC, pins::TOCHUC, "Sở Thông tin và Truyền thông tỉnh Bắc Ninh");

    // Two Kyso signatures, one invisible then one visible.
    let one = d.join("one.pdf");
    sign(&doc, &one, &deputy, &SignOptions::default());
    let two = d.join("two.pdf");
    let blue = png([20, 40, 200], false);
    sign_preset(
        &one,
        &two,
        &head,
        &PresetInput { image: Some(blue.clone()), rect: Some([350.0, 190.0, 510.0, 270.0]), ..preset(Role::Approver) },
    );
    only_explained("kyso-kyso", &two, fx, 1);

    // The clerk's flow: approval, then the seal over the left third of the
    // official's signature with the number and the date on page 1.
    let approved = d.join("approved.pdf");
    sign_preset(
        &doc,
        &approved,
        &head,
        &PresetInput { image: Some(blue), rect: Some([350.0, 190.0, 510.0, 270.0]), ..preset(Role::Approver) },
    );
    let issued = d.join("issued.pdf");
    let seal = PresetInput {
        seal: Some(png([220, 20, 20], true)),
        number: Some("Số: 123/QĐ-UBND".into()),
        date: Some("Bắc Ninh, ngày 22 tháng 11 năm 2026".into()),
        // This document prints no blanks: the clerk gives the places.
        number_rect: Some([57.0, 841.89 - 150.0, 280.0, 841.89 - 130.0]),
        date_rect: Some([595.28 * 0.45, 841.89 - 150.0, 595.28 - 30.0, 841.89 - 130.0]),
        ..preset(Role::Issuer)
    };
    sign_preset(&approved, &issued, &org, &seal);
    only_explained("clerk", &issued, fx, 3);

    // Kyso, then pyHanko through the same token.
    if kyso_testkit::tool_or_skip("pyhanko", "a Kyso + pyHanko chain") {
        let py = d.join("pyhanko.pdf");
        let (ok, err) = kyso_testkit::pyhanko_pkcs11_sign(fx, tokens::TOCHUC, pins::TOCHUC, "tochuc", &two, &py);
        assert!(ok, "{err}");
        only_explained("kyso-pyhanko", &py, fx, 1);
    }

    // Independent Java signers (../shared/oracles/pdf-java): iText 5 after
    // our two signatures, PDFBox 2 after that, then Kyso again; and a chain
    // that starts with them on a fresh document.
    if let Some(run) = java_oracle() {
        let itext = d.join("kyso-itext.pdf");
        java_sign(&run, "itext5-sign", &two, &itext, &p12(fx, "rsa3072", d), true);
        only_explained("kyso-itext5", &itext, fx, 1);
        let pdfbox = d.join("kyso-itext-pdfbox.pdf");
        java_sign(&run, "pdfbox-sign", &itext, &pdfbox, &p12(fx, "canhan", d), false);
        only_explained("kyso-itext5-pdfbox", &pdfbox, fx, 1);
        let again = d.join("kyso-itext-pdfbox-kyso.pdf");
        sign(&pdfbox, &again, &org, &SignOptions::default());
        only_explained("kyso-itext5-pdfbox-kyso", &again, fx, 1);

        let first = d.join("itext-first.pdf");
        java_sign(&run, "itext5-sign", &doc, &first, &p12(fx, "rsa3072", d), true);
        let then = d.join("itext-pdfbox.pdf");
        java_sign(&run, "pdfbox-sign", &first, &then, &p12(fx, "canhan", d), false);
        let last = d.join("itext-pdfbox-kyso.pdf");
        sign(&then, &last, &deputy, &SignOptions::default());
        // Invisible signatures after the first: nothing to see, nothing
        // unexplained.
        only_explained("itext5-pdfbox-kyso", &last, fx, 0);
    }
}

/// Signs `input` into `output` with the Java oracle (`itext5-sign` as
/// CAdES when `cades`, `pdfbox-sign`) and a PKCS#12.
fn java_sign(run: &Path, tool: &str, input: &Path, output: &Path, p12: &Path, cades: bool) {
    let mut cmd = Command::new("bash");
    cmd.arg(run).arg(tool).arg(input).arg(output).arg(p12).arg(pins::P12);
    if cades {
        cmd.arg("cades");
    }
    let (ok, msg) = kyso_testkit::run(&mut cmd);
    assert!(ok && output.is_file(), "{tool}: {msg}");
}

#[test]
fn render_diff_writes_before_after_and_diff_pictures() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let signed = signed_document(fx, d);
    let (p1, mut d1) = page_dict(&signed, 0);
    d1.set("Contents", Object::Ref(HIDDEN, 0));
    let file = d.join("shadow.pdf");
    append_update(&signed, &file, &[(p1, Object::Dict(d1))]);
    let mut report = verify_pdf(&file, &trust(fx));
    let out = d.join("diff");
    let stats =
        compare_revisions(&file, &mut report, &VisualOptions { render_diff: Some(out.clone()), ..Default::default() });
    assert_eq!(stats.unexplained, 1, "{stats:?}");
    for part in ["before", "after", "diff"] {
        let p = out.join(format!("sig1-page1-{part}.png"));
        let dec = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&p).unwrap()));
        let info = dec.read_info().unwrap().info().clone();
        assert_eq!((info.width, info.height), (595, 841), "{part}");
    }
    // Unchanged pages get no pictures.
    assert!(!out.join("sig1-page2-diff.png").exists());
}
