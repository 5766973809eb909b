//! The attack matrix (issue 15, item 8b). A two-page contract with a form
//! field, an empty signature field, a white overlay hiding a clause and an
//! unreferenced content stream (the "shadow" preparations of Mainka et al.,
//! NDSS 2021) is signed by Kyso (approval, certified P=1/2/3, with object
//! streams), by pyHanko and by iText 5; then each attack class of issue 15
//! and of the published PDF signature attacks (incremental saving, signature
//! wrapping, universal signature forgery: Mladenov et al., CCS 2019; shadow
//! hide / replace / hide-and-replace; evil annotation and sneaky signature
//! attacks on certified documents: Mainka et al., S&P 2021) is rebuilt as a
//! hand-written incremental update (or byte edit) of a signed file. Kyso
//! must never say TOTAL_PASSED for an attack; the legitimate controls (a
//! further signature, DSS, form filling, allowed annotations…) must pass.
//! Each case is also drawn by poppler before and after, and judged by
//! pyHanko; the matrix goes to docs/interop.md.

#![allow(clippy::unwrap_used)] // test code panics on purpose

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use kyso_pdf::object::{Dict, Object};
use kyso_pdf::{PdfReader, SignOptions, XrefEntry, sign_pdf, verify_pdf};
use kyso_pki::Signer;
use kyso_testkit::{Fixture, pins, require_fixture, tokens};

mod common;
#[path = "common/matrix.rs"]
mod matrix;
use common::{signer, trust};
use matrix::{
    Update, cell, document, java, java_oracle, kyso_words, p12, parallel, pyhanko_p12_sign, pyhanko_words, rfind, ser,
    stream, visible_change, write_doc_section,
};

/// The replacement text every content attack shows.
const EVIL: &[u8] =
    b"BT /F1 28 Tf 60 760 Td (HOP DONG SO 999) Tj ET BT /F1 20 Tf 60 700 Td (Gia tri: 9.000.000.000 dong) Tj ET";

/// The contract (ISO 32000-2 §7.7 catalog and page tree, §12.7 AcroForm).
/// Page 1 draws its text (object 5), then a white box (object 13) over a
/// clause at y = 400; object 14 is a signed but unreferenced content stream.
fn contract() -> Vec<u8> {
    let page1 = b"0 0 0.6 rg 50 480 300 80 re f BT /F1 28 Tf 60 760 Td (HOP DONG SO 123) Tj ET \
BT /F1 20 Tf 60 700 Td (Gia tri: 100.000.000 dong) Tj ET BT /F1 20 Tf 60 400 Td (Dieu khoan an: phat 10 ty) Tj ET";
    let objects: Vec<(u32, Vec<u8>)> = vec![
        (1, b"<< /Type /Catalog /Pages 2 0 R /AcroForm 9 0 R >>".to_vec()),
        (2, b"<< /Type /Pages /Kids [4 0 R 6 0 R] /Count 2 >>".to_vec()),
        (3, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec()),
        (
            4,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R /Helv 3 0 R >> >> \
/Contents [5 0 R 13 0 R] /Annots [10 0 R 11 0 R] >>"
                .to_vec(),
        ),
        (5, stream("", page1)),
        (
            6,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 7 0 R >>"
                .to_vec(),
        ),
        (7, stream("", b"0 0.5 0 rg 60 560 200 100 re f BT /F1 28 Tf 60 760 Td (TRANG 2 - PHU LUC) Tj ET")),
        (8, b"<< /Title (Hop dong 123) /Producer (kyso attack matrix) >>".to_vec()),
        (9, b"<< /Fields [10 0 R 11 0 R] /DR << /Font << /Helv 3 0 R >> >> /DA (/Helv 12 Tf 0 g) >>".to_vec()),
        (
            10,
            b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (SoTien) /V (100000000) /Rect [60 620 300 650] /P 4 0 R /F 4 \
/DA (/Helv 14 Tf 0 g) /AP << /N 12 0 R >> >>"
                .to_vec(),
        ),
        (11, b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (ChuKyTrong) /Rect [0 0 0 0] /P 4 0 R /F 4 >>".to_vec()),
        (
            12,
            stream(
                "/Type /XObject /Subtype /Form /BBox [0 0 240 30] /Resources << /Font << /Helv 3 0 R >> >>",
                b"/Tx BMC BT /Helv 14 Tf 2 10 Td (100000000) Tj ET EMC",
            ),
        ),
        (13, stream("", b"1 1 1 rg 40 380 520 60 re f")),
        (14, stream("", EVIL)),
    ];
    document(&objects, Some(8))
}

/// The signed inputs the attacks start from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Base {
    /// Kyso approval signature (B-B).
    Kyso,
    /// Kyso certification signature, DocMDP P=1, 2, 3.
    KysoP1,
    KysoP2,
    KysoP3,
    /// Kyso approval signature on the contract rewritten by qpdf with
    /// object streams and a cross-reference stream.
    KysoObjStm,
    /// pyHanko (PKCS#11, SoftHSM).
    PyHanko,
    /// iText 5 (PKCS#12, CAdES).
    IText,
}

impl Base {
    fn label(self) -> &'static str {
        match self {
            Base::Kyso => "Kyso",
            Base::KysoP1 => "Kyso P=1",
            Base::KysoP2 => "Kyso P=2",
            Base::KysoP3 => "Kyso P=3",
            Base::KysoObjStm => "Kyso, object streams",
            Base::PyHanko => "pyHanko",
            Base::IText => "iText 5",
        }
    }
}

/// What a signed file holds, found with Kyso's reader on the untouched input.
struct Facts {
    root: u32,
    catalog: Dict,
    pages_num: u32,
    pages: Dict,
    page_nums: Vec<u32>,
    page1: Dict,
    contents1: Vec<u32>,
    /// The AcroForm's object number (`None`: direct in the catalog).
    acroform_num: Option<u32>,
    acroform: Dict,
    /// (number, dictionary) of the fields `SoTien` and `ChuKyTrong`.
    text_field: (u32, Dict),
    empty_sig: (u32, Dict),
    /// The signed field and its signature dictionary (its `/V`).
    sig_field_num: u32,
    sig_value: u32,
    sig_dict: Dict,
    /// End of the signed revision (`/ByteRange` b + c).
    signed_end: usize,
    byte_range: [usize; 4],
}

fn refnum(o: Option<&Object>) -> Option<u32> {
    match o {
        Some(Object::Ref(n, _)) => Some(*n),
        _ => None,
    }
}

fn facts(path: &Path) -> Facts {
    let r = PdfReader::open(path).unwrap();
    let (root, catalog) = r.catalog().unwrap();
    let pages_num = refnum(catalog.get("Pages")).unwrap();
    let pages = r.get(pages_num).unwrap().as_dict().unwrap().clone();
    let page_nums = r.pages().unwrap();
    let page1 = r.get(page_nums[0]).unwrap().as_dict().unwrap().clone();
    let contents1 = match r.resolve(page1.get("Contents").unwrap()).unwrap() {
        Object::Array(a) => a.iter().filter_map(|o| refnum(Some(o))).collect(),
        _ => vec![refnum(page1.get("Contents")).unwrap()],
    };
    let acroform_num = refnum(catalog.get("AcroForm"));
    let acroform = r.resolve(catalog.get("AcroForm").unwrap()).unwrap().as_dict().unwrap().clone();
    let Some(Object::Array(fields)) = acroform.get("Fields").map(|f| r.resolve(f).unwrap()) else { panic!("fields") };
    let mut named = Vec::new();
    for f in &fields {
        let n = refnum(Some(f)).unwrap();
        named.push((n, r.get(n).unwrap().as_dict().unwrap().clone()));
    }
    let by_name = |t: &[u8]| named.iter().find(|(_, d)| matches!(d.get("T"), Some(Object::Str(s)) if s == t)).cloned();
    let sig_field = named
        .iter()
        .find(|(_, d)| d.get("FT").and_then(Object::as_name) == Some(b"Sig") && d.get("V").is_some())
        .cloned()
        .expect("a signed field");
    let sig_value = refnum(sig_field.1.get("V")).unwrap();
    let sig_dict = r.get(sig_value).unwrap().as_dict().unwrap().clone();
    let Some(Object::Array(br)) = sig_dict.get("ByteRange") else { panic!("ByteRange") };
    let br: Vec<usize> = br.iter().map(|x| x.as_int().unwrap() as usize).collect();
    Facts {
        root: root.unwrap(),
        catalog: catalog.clone(),
        pages_num,
        pages,
        page_nums,
        page1,
        contents1,
        acroform_num,
        acroform,
        text_field: by_name(b"SoTien").expect("SoTien"),
        empty_sig: by_name(b"ChuKyTrong").expect("ChuKyTrong"),
        sig_field_num: sig_field.0,
        sig_value,
        sig_dict,
        signed_end: br[2] + br[3],
        byte_range: [br[0], br[1], br[2], br[3]],
    }
}

/// Everything a case builder may use.
struct Ctx<'a> {
    fx: &'static Fixture,
    path: &'a Path,
    f: &'a Facts,
    dir: &'a Path,
    kyso: &'a dyn Signer,
}

impl Ctx<'_> {
    fn update(&self) -> Update {
        Update::new(self.path)
    }
    fn bytes(&self) -> Vec<u8> {
        std::fs::read(self.path).unwrap()
    }
    fn out(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.pdf"))
    }
}

fn r(n: u32) -> Object {
    Object::Ref(n, 0)
}

fn refs(ns: &[u32]) -> Object {
    Object::Array(ns.iter().map(|n| r(*n)).collect())
}

fn rect(v: [i64; 4]) -> Object {
    Object::Array(v.iter().map(|x| Object::Int(*x)).collect())
}

/// `d` with `key` set.
fn with(d: &Dict, key: &str, v: Object) -> Object {
    let mut d = d.clone();
    d.set(key, v);
    Object::Dict(d)
}

/// `d` without `key`.
fn without(d: &Dict, key: &str) -> Object {
    let mut d = d.clone();
    d.remove(key);
    Object::Dict(d)
}

/// Page 1 with one more annotation.
fn page1_with_annot(c: &Ctx<'_>, annot: u32) -> Object {
    let mut annots = match c.f.page1.get("Annots") {
        Some(Object::Array(a)) => a.clone(),
        _ => Vec::new(),
    };
    annots.push(r(annot));
    with(&c.f.page1, "Annots", Object::Array(annots))
}

/// Writes the AcroForm `af` (as its own object, or inside the catalog).
fn write_acroform(c: &Ctx<'_>, u: &mut Update, af: Dict) {
    match c.f.acroform_num {
        Some(n) => u.object(n, &Object::Dict(af)),
        None => u.object(c.f.root, &with(&c.f.catalog, "AcroForm", Object::Dict(af))),
    }
}

/// A new field `num` in the AcroForm and on page 1.
fn add_field(c: &Ctx<'_>, u: &mut Update, num: u32) {
    let mut fields = match c.f.acroform.get("Fields") {
        Some(Object::Array(a)) => a.clone(),
        _ => Vec::new(),
    };
    fields.push(r(num));
    let mut af = c.f.acroform.clone();
    af.set("Fields", Object::Array(fields));
    write_acroform(c, u, af);
    u.object(c.f.page_nums[0], &page1_with_annot(c, num));
}

/// An appearance stream that covers the amount with white and prints
/// another amount.
fn evil_appearance(u: &mut Update) -> u32 {
    let n = u.alloc();
    u.obj(
        n,
        &stream(
            "/Type /XObject /Subtype /Form /BBox [0 0 400 40] /Resources << /Font << /F1 3 0 R >> >>",
            b"1 1 1 rg 0 0 400 40 re f BT 0 g /F1 20 Tf 2 12 Td (Gia tri: 9.000.000.000 dong) Tj ET",
        ),
    );
    n
}

/// A FreeText annotation over the amount (the evil annotation attack).
fn evil_freetext(c: &Ctx<'_>, u: &mut Update) -> u32 {
    let ap = evil_appearance(u);
    let n = u.alloc();
    u.object(
        n,
        &Object::Dict(
            Dict::new()
                .with("Type", Object::name("Annot"))
                .with("Subtype", Object::name("FreeText"))
                .with("Rect", rect([55, 690, 455, 730]))
                .with("Contents", Object::Str(b"Gia tri: 9.000.000.000 dong".to_vec()))
                .with("DA", Object::Str(b"/Helv 20 Tf 0 g".to_vec()))
                .with("P", r(c.f.page_nums[0]))
                .with("F", Object::Int(4))
                .with("AP", Object::Dict(Dict::new().with("N", r(ap)))),
        ),
    );
    n
}

/// A sticky note in the margin, away from the text (a harmless comment).
fn note(c: &Ctx<'_>, u: &mut Update) -> u32 {
    let n = u.alloc();
    u.object(
        n,
        &Object::Dict(
            Dict::new()
                .with("Type", Object::name("Annot"))
                .with("Subtype", Object::name("Text"))
                .with("Rect", rect([540, 800, 560, 820]))
                .with("Contents", Object::Str(b"Da xem".to_vec()))
                .with("P", r(c.f.page_nums[0]))
                .with("F", Object::Int(4)),
        ),
    );
    n
}

/// A new signature widget `num` with the given extra entries.
fn sig_widget(c: &Ctx<'_>, name: &str, extra: &[(&str, Object)]) -> Object {
    let mut d = Dict::new()
        .with("Type", Object::name("Annot"))
        .with("Subtype", Object::name("Widget"))
        .with("FT", Object::name("Sig"))
        .with("T", Object::Str(name.as_bytes().to_vec()))
        .with("Rect", rect([0, 0, 0, 0]))
        .with("P", r(c.f.page_nums[0]))
        .with("F", Object::Int(4));
    for (k, v) in extra {
        d.set(k, v.clone());
    }
    Object::Dict(d)
}

fn evil_stream() -> Vec<u8> {
    stream("", EVIL)
}

/// Page 1 with `/Contents` replaced.
fn page1_contents(c: &Ctx<'_>, contents: Object) -> Object {
    with(&c.f.page1, "Contents", contents)
}

fn reversed(d: &Dict, key: &str) -> Object {
    let Some(Object::Array(mut a)) = d.get(key).cloned() else { panic!("{key}") };
    a.reverse();
    with(d, key, Object::Array(a))
}

/// The signature dictionary rewritten (a plain dictionary: the original's
/// entries as read, `/Contents` as a hex string) with one change.
fn sig_dict_edit(c: &Ctx<'_>, u: &mut Update, edit: impl Fn(&mut Dict)) {
    let mut d = c.f.sig_dict.clone();
    edit(&mut d);
    u.object(c.f.sig_value, &Object::Dict(d));
    u.obj(c.f.contents1[0], &evil_stream());
}

/// Kyso signs `input` into `out` (approval, or certification at `certify`).
fn kyso_sign(signer: &dyn Signer, input: &Path, out: &Path, certify: Option<u8>) {
    let opts = SignOptions {
        reason: Some("Phê duyệt hợp đồng".into()),
        location: Some("Bắc Ninh".into()),
        certify,
        force: true,
        ..Default::default()
    };
    sign_pdf(input, out, signer, &opts).unwrap_or_else(|e| panic!("kyso sign {}: {e}", out.display()));
}

type Build = Box<dyn Fn(&Ctx<'_>) -> Vec<u8> + Sync>;

struct Case {
    id: &'static str,
    class: &'static str,
    base: Base,
    /// A legitimate change: Kyso must say TOTAL_PASSED.
    control: bool,
    /// Made to change what a reader sees: poppler must draw a difference
    /// (so the case really does what it claims).
    visible_by_design: bool,
    build: Build,
}

fn case(id: &'static str, class: &'static str, base: Base, visible: bool, build: Build) -> Case {
    Case { id, class, base, control: false, visible_by_design: visible, build }
}

fn control(id: &'static str, base: Base, build: Build) -> Case {
    Case { id, class: "legitimate control", base, control: true, visible_by_design: false, build }
}

#[allow(clippy::too_many_lines)]
fn cases() -> Vec<Case> {
    use Base::*;
    let mut v: Vec<Case> = Vec::new();

    // --- Legitimate controls: these must stay TOTAL_PASSED. ---
    v.push(control(
        "control-kyso-countersigns",
        Kyso,
        Box::new(|c| {
            let out = c.out("control-kyso-countersigns");
            kyso_sign(c.kyso, c.path, &out, None);
            std::fs::read(out).unwrap()
        }),
    ));
    v.push(control(
        "control-kyso-countersigns-p2",
        KysoP2,
        Box::new(|c| {
            let out = c.out("control-kyso-countersigns-p2");
            kyso_sign(c.kyso, c.path, &out, None);
            std::fs::read(out).unwrap()
        }),
    ));
    v.push(control(
        "control-pyhanko-countersigns",
        Kyso,
        Box::new(|c| {
            let out = c.out("control-pyhanko-countersigns");
            let (ok, msg) = pyhanko_p12_sign(&p12(c.fx, "tochuc", c.dir), "PyHankoSau", false, c.path, &out);
            assert!(ok, "pyhanko: {msg}");
            std::fs::read(out).unwrap()
        }),
    ));
    v.push(control(
        "control-kyso-after-pyhanko",
        PyHanko,
        Box::new(|c| {
            let out = c.out("control-kyso-after-pyhanko");
            kyso_sign(c.kyso, c.path, &out, None);
            std::fs::read(out).unwrap()
        }),
    ));
    v.push(control(
        "control-kyso-after-itext",
        IText,
        Box::new(|c| {
            let out = c.out("control-kyso-after-itext");
            kyso_sign(c.kyso, c.path, &out, None);
            std::fs::read(out).unwrap()
        }),
    ));
    v.push(control(
        "control-dss-added",
        Kyso,
        Box::new(|c| {
            let out = c.out("control-dss-added");
            let reader = PdfReader::open(c.path).unwrap();
            let extra: Vec<Vec<u8>> =
                ["int.der", "root.der"].iter().filter_map(|n| std::fs::read(c.fx.pki_file(n)).ok()).collect();
            let crls = vec![std::fs::read(c.fx.pki_file("crl.der")).unwrap()];
            let m = kyso_pdf::ltv::collect_material(&reader, &extra, &crls).unwrap();
            kyso_pdf::ltv::add_dss(c.path, &out, &m, true).unwrap();
            std::fs::read(out).unwrap()
        }),
    ));
    v.push(control(
        "control-form-filled",
        Kyso,
        Box::new(|c| {
            // Form filling (ISO 32000-2 §12.7.5): a new value and a matching appearance.
            let mut u = c.update();
            let ap = u.alloc();
            u.obj(
                ap,
                &stream(
                    "/Type /XObject /Subtype /Form /BBox [0 0 240 30] /Resources << /Font << /Helv 3 0 R >> >>",
                    b"/Tx BMC BT /Helv 14 Tf 2 10 Td (200000000) Tj ET EMC",
                ),
            );
            let (n, d) = &c.f.text_field;
            let mut d = d.clone();
            d.set("V", Object::Str(b"200000000".to_vec()));
            d.set("AP", Object::Dict(Dict::new().with("N", r(ap))));
            u.object(*n, &Object::Dict(d));
            u.finish_table()
        }),
    ));
    // A comment after approval signatures only. ISO 32000-2 §12.8.2.2 lets
    // a certification's P=3 allow annotations; an approval signature grants
    // nothing of the kind, and a markup annotation can cover signed text
    // (the evil annotation attack). Kyso judges it as pyHanko does: not
    // valid, the comment listed as a change. Under P=3 it passes (below).
    v.push(case(
        "comment-after-approval-only",
        "annotations without P=3",
        Kyso,
        true,
        Box::new(|c| {
            let mut u = c.update();
            let n = note(c, &mut u);
            u.object(c.f.page_nums[0], &page1_with_annot(c, n));
            u.finish_table()
        }),
    ));
    v.push(control(
        "control-comment-under-p3",
        KysoP3,
        Box::new(|c| {
            let mut u = c.update();
            let n = note(c, &mut u);
            u.object(c.f.page_nums[0], &page1_with_annot(c, n));
            u.finish_table()
        }),
    ));
    v.push(control(
        "control-info-replaced",
        Kyso,
        Box::new(|c| {
            let mut u = c.update();
            let n = u.alloc();
            u.obj(n, b"<< /Title (Hop dong 123) /Producer (kyso attack matrix) /ModDate (D:20261129120000+07'00') >>");
            u.set_trailer("Info", Some(&format!("{n} 0 R")));
            u.finish_table()
        }),
    ));
    v.push(control(
        "control-xmp-added",
        Kyso,
        Box::new(|c| {
            let mut u = c.update();
            let n = u.alloc();
            let xmp = b"<?xpacket begin=\"\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?><x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">Hop dong 123</rdf:li></rdf:Alt></dc:title></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>";
            u.obj(n, &stream("/Type /Metadata /Subtype /XML", xmp));
            u.object(c.f.root, &with(&c.f.catalog, "Metadata", r(n)));
            u.finish_table()
        }),
    ));

    // --- Allowed-set hijack: /Info, /DSS or /Metadata aimed at signed content. ---
    for base in [Kyso, PyHanko, IText] {
        v.push(case(
            "hijack-info-to-content",
            "allowed-set hijack",
            base,
            true,
            Box::new(|c| {
                let mut u = c.update();
                u.obj(c.f.contents1[0], &evil_stream());
                u.set_trailer("Info", Some(&format!("{} 0 R", c.f.contents1[0])));
                u.finish_table()
            }),
        ));
    }
    v.push(case(
        "hijack-info-to-page-tree",
        "allowed-set hijack",
        Kyso,
        true,
        Box::new(|c| {
            let mut u = c.update();
            u.object(c.f.pages_num, &reversed(&c.f.pages, "Kids"));
            u.set_trailer("Info", Some(&format!("{} 0 R", c.f.pages_num)));
            u.finish_table()
        }),
    ));
    v.push(case(
        "hijack-info-to-catalog",
        "allowed-set hijack",
        Kyso,
        true,
        Box::new(|c| {
            let mut u = c.update();
            let pages = u.alloc();
            u.object(
                pages,
                &Object::Dict(
                    Dict::new()
                        .with("Type", Object::name("Pages"))
                        .with("Kids", refs(&c.f.page_nums[1..2]))
                        .with("Count", Object::Int(1)),
                ),
            );
            u.object(c.f.root, &with(&c.f.catalog, "Pages", r(pages)));
            u.set_trailer("Info", Some(&format!("{} 0 R", c.f.root)));
            u.finish_table()
        }),
    ));
    for base in [Kyso, PyHanko] {
        v.push(case(
            "hijack-dss-to-content",
            "allowed-set hijack",
            base,
            true,
            Box::new(|c| {
                let mut u = c.update();
                u.obj(c.f.contents1[0], &evil_stream());
                u.object(c.f.root, &with(&c.f.catalog, "DSS", r(c.f.contents1[0])));
                u.finish_table()
            }),
        ));
    }
    v.push(case(
        "hijack-dss-to-page-tree",
        "allowed-set hijack",
        Kyso,
        true,
        Box::new(|c| {
            let mut u = c.update();
            u.object(c.f.pages_num, &reversed(&c.f.pages, "Kids"));
            u.object(c.f.root, &with(&c.f.catalog, "DSS", r(c.f.pages_num)));
            u.finish_table()
        }),
    ));
    v.push(case(
        "hijack-metadata-to-content",
        "allowed-set hijack",
        Kyso,
        true,
        Box::new(|c| {
            let mut u = c.update();
            u.obj(c.f.contents1[0], &stream("/Type /Metadata /Subtype /XML", EVIL));
            u.object(c.f.root, &with(&c.f.catalog, "Metadata", r(c.f.contents1[0])));
            u.finish_table()
        }),
    ));

    // --- DocMDP taken from the attacker's revision; annotations under P=1/2 (EAA, SSA). ---
    v.push(case(
        "perms-removed-then-annotation-p1",
        "DocMDP /Perms removal",
        KysoP1,
        true,
        Box::new(|c| {
            let mut u = c.update();
            let a = evil_freetext(c, &mut u);
            u.object(c.f.page_nums[0], &page1_with_annot(c, a));
            u.object(c.f.root, &without(&c.f.catalog, "Perms"));
            u.finish_table()
        }),
    ));
    v.push(case(
        "perms-removed-then-content-p1",
        "DocMDP /Perms removal",
        KysoP1,
        true,
        Box::new(|c| {
            let mut u = c.update();
            u.obj(c.f.contents1[0], &evil_stream());
            u.object(c.f.root, &without(&c.f.catalog, "Perms"));
            u.finish_table()
        }),
    ));
    for (id, base) in [("eaa-freetext-under-p1", KysoP1), ("eaa-freetext-under-p2", KysoP2)] {
        v.push(case(
            id,
            "evil annotation attack (EAA)",
            base,
            true,
            Box::new(|c| {
                let mut u = c.update();
                let a = evil_freetext(c, &mut u);
                u.object(c.f.page_nums[0], &page1_with_annot(c, a));
                u.finish_table()
            }),
        ));
    }
    v.push(case(
        "ssa-unsigned-signature-widget-p2",
        "sneaky signature attack (SSA)",
        KysoP2,
        true,
        Box::new(|c| {
            let mut u = c.update();
            let ap = evil_appearance(&mut u);
            let n = u.alloc();
            u.object(
                n,
                &sig_widget(
                    c,
                    "ChuKyMoi",
                    &[("Rect", rect([55, 690, 455, 730])), ("AP", Object::Dict(Dict::new().with("N", r(ap))))],
                ),
            );
            add_field(c, &mut u, n);
            u.finish_table()
        }),
    ));
    v.push(case(
        "form-filled-under-p1",
        "DocMDP P=1",
        KysoP1,
        true,
        Box::new(|c| {
            let mut u = c.update();
            let ap = u.alloc();
            u.obj(
                ap,
                &stream(
                    "/Type /XObject /Subtype /Form /BBox [0 0 240 30] /Resources << /Font << /Helv 3 0 R >> >>",
                    b"/Tx BMC BT /Helv 14 Tf 2 10 Td (900000000000) Tj ET EMC",
                ),
            );
            let (n, d) = &c.f.text_field;
            let mut d = d.clone();
            d.set("V", Object::Str(b"900000000000".to_vec()));
            d.set("AP", Object::Dict(Dict::new().with("N", r(ap))));
            u.object(*n, &Object::Dict(d));
            u.finish_table()
        }),
    ));

    // --- Object streams. ---
    v.push(case(
        "objstm-old-stream-rewritten",
        "object streams",
        KysoObjStm,
        true,
        Box::new(|c| {
            // The object stream holding the page tree (Kyso's update left it
            // there) gets a new body, same number, same index order, in
            // which the pages are swapped.
            let reader = PdfReader::open(c.path).unwrap();
            let Some(XrefEntry::InStream(stm, _)) = reader.entry(c.f.pages_num) else {
                panic!("the page tree is not in an object stream")
            };
            let mut members: Vec<(u32, u32)> = (1..reader.next_object_number())
                .filter_map(|n| match reader.entry(n) {
                    Some(XrefEntry::InStream(s, i)) if s == stm => Some((i, n)),
                    _ => None,
                })
                .collect();
            members.sort_unstable();
            let mut u = c.update();
            let mut header = String::new();
            let mut bodies = Vec::new();
            for (_, n) in &members {
                let o = if *n == c.f.pages_num { reversed(&c.f.pages, "Kids") } else { reader.get(*n).unwrap() };
                header.push_str(&format!("{n} {} ", bodies.len()));
                bodies.extend_from_slice(&ser(&o));
                bodies.push(b'\n');
            }
            let mut data = header.clone().into_bytes();
            data.extend_from_slice(&bodies);
            u.obj(stm, &stream(&format!("/Type /ObjStm /N {} /First {}", members.len(), header.len()), &data));
            u.finish_stream(&[], 0, None)
        }),
    ));
    v.push(case(
        "objstm-new-stream-overrides-page",
        "object streams",
        KysoObjStm,
        true,
        Box::new(|c| {
            let mut u = c.update();
            let evil = u.alloc();
            u.obj(evil, &evil_stream());
            let stm = u.alloc();
            let body = ser(&page1_contents(c, r(evil)));
            let header = format!("{} 0 ", c.f.page_nums[0]);
            let mut data = header.clone().into_bytes();
            data.extend_from_slice(&body);
            u.obj(stm, &stream(&format!("/Type /ObjStm /N 1 /First {}", header.len()), &data));
            u.finish_stream(&[(c.f.page_nums[0], 2, stm, 0)], 0, None)
        }),
    ));

    // --- Arrays reordered or repeated. ---
    for base in [Kyso, PyHanko] {
        v.push(case(
            "contents-reordered",
            "arrays (/Contents)",
            base,
            true,
            Box::new(|c| {
                let mut u = c.update();
                let mut order = c.f.contents1.clone();
                order.reverse();
                u.object(c.f.page_nums[0], &page1_contents(c, refs(&order)));
                u.finish_table()
            }),
        ));
    }
    v.push(case(
        "contents-item-repeated",
        "arrays (/Contents)",
        Kyso,
        true,
        Box::new(|c| {
            let mut u = c.update();
            let mut order = c.f.contents1.clone();
            order.push(c.f.contents1[0]);
            u.object(c.f.page_nums[0], &page1_contents(c, refs(&order)));
            u.finish_table()
        }),
    ));
    v.push(case(
        "kids-reordered",
        "arrays (/Kids)",
        Kyso,
        true,
        Box::new(|c| {
            let mut u = c.update();
            u.object(c.f.pages_num, &reversed(&c.f.pages, "Kids"));
            u.finish_table()
        }),
    ));
    v.push(case(
        "kids-item-repeated",
        "arrays (/Kids)",
        Kyso,
        true,
        Box::new(|c| {
            let mut u = c.update();
            let mut kids = vec![c.f.page_nums[0]];
            kids.extend_from_slice(&c.f.page_nums);
            let mut pages = c.f.pages.clone();
            pages.set("Kids", refs(&kids));
            pages.set("Count", Object::Int(kids.len() as i64));
            u.object(c.f.pages_num, &Object::Dict(pages));
            u.finish_table()
        }),
    ));

    // --- Revision structure. ---
    v.push(case(
        "prev-skips-the-signed-section",
        "revision structure",
        Kyso,
        true,
        Box::new(|c| {
            // The new section's /Prev is the section *before* the signature's;
            // it re-lists the signature revision's objects where they lie.
            let reader = PdfReader::open(c.path).unwrap();
            let sections = reader.sections();
            let mut u = c.update();
            for (n, e) in &sections[0].entries {
                if let XrefEntry::Offset(off, g) = e {
                    u.list(*n, *g, *off);
                }
            }
            u.prev = sections[1].offset;
            u.obj(c.f.contents1[0], &evil_stream());
            u.finish_table()
        }),
    ));

    v.push(case(
        "orphan-section-skipped-by-prev",
        "revision structure",
        Kyso,
        false,
        Box::new(|c| {
            // A complete update changing the content, then a last, empty
            // section whose /Prev goes back to the signed one: the change is
            // in the file but in no revision (a reader that rebuilds the
            // cross-references finds it).
            let mut u = c.update();
            u.obj(c.f.contents1[0], &evil_stream());
            let (size, trailer) = (u.next, u.trailer_entries());
            let hidden = u.finish_table();
            let prev = matrix::last_startxref(&c.bytes());
            let mut b = hidden;
            let xref = b.len();
            b.extend_from_slice(
                format!("xref\n0 0\ntrailer\n<< /Size {size}{trailer} /Prev {prev} >>\nstartxref\n{xref}\n%%EOF\n")
                    .as_bytes(),
            );
            b
        }),
    ));

    // --- Lenient cross-reference reading. ---
    v.push(case(
        "xref-stream-row-truncated",
        "xref leniency",
        KysoObjStm,
        true,
        Box::new(|c| {
            // Page 1 points at a new object whose row is the last one, cut short.
            let mut u = c.update();
            let me = u.alloc();
            let evil = u.alloc();
            u.obj(evil, &evil_stream());
            u.object(c.f.page_nums[0], &page1_contents(c, r(evil)));
            u.finish_stream(&[], 1, Some(me))
        }),
    ));
    v.push(case(
        "xref-stream-unknown-type",
        "xref leniency",
        KysoObjStm,
        true,
        Box::new(|c| {
            // ISO 32000-2 §7.5.8.3: another type is a reference to null.
            let mut u = c.update();
            let at = u.obj_unlisted(c.f.contents1[0], &evil_stream());
            u.finish_stream(&[(c.f.contents1[0], 7, at as u32, 0)], 0, None)
        }),
    ));
    v.push(case(
        "xref-generation-mismatch",
        "xref leniency",
        Kyso,
        true,
        Box::new(|c| {
            let mut u = c.update();
            u.obj_gen(c.f.contents1[0], 1, &evil_stream());
            u.finish_table()
        }),
    ));
    v.push(case(
        "new-object-does-not-parse",
        "xref leniency",
        Kyso,
        true,
        Box::new(|c| {
            // Page 1 points at a new object whose entry leads to no object.
            let mut u = c.update();
            let n = u.alloc();
            let at = u.position();
            u.raw(b"% nothing here\n");
            u.list(n, 0, at);
            u.object(c.f.page_nums[0], &page1_contents(c, r(n)));
            u.finish_table()
        }),
    ));
    v.push(case(
        "objects-after-last-eof",
        "xref leniency",
        Kyso,
        false,
        Box::new(|c| {
            let mut b = c.bytes();
            b.extend_from_slice(format!("\n{} 0 obj\n", c.f.contents1[0]).as_bytes());
            b.extend_from_slice(&evil_stream());
            b.extend_from_slice(b"\nendobj\n");
            b
        }),
    ));
    v.push(case(
        "update-without-eof-marker",
        "xref leniency",
        Kyso,
        true,
        Box::new(|c| {
            let mut u = c.update();
            u.obj(c.f.contents1[0], &evil_stream());
            let mut b = u.finish_table();
            b.truncate(b.len() - b"%%EOF\n".len());
            b
        }),
    ));
    v.push(case(
        "hybrid-xrefstm-overrides-free-entry",
        "xref leniency",
        Kyso,
        true,
        Box::new(|c| {
            // ISO 32000-2 §7.5.8.4: the table marks the content free; the
            // /XRefStm stream of the same section says it is in use.
            let n = c.f.contents1[0];
            let mut u = c.update();
            let at = u.obj_unlisted(n, &evil_stream());
            let xs = u.alloc();
            let mut row = vec![1u8];
            row.extend_from_slice(&(at as u32).to_be_bytes());
            row.extend_from_slice(&0u16.to_be_bytes());
            let xs_at = u.obj_unlisted(xs, &stream(&format!("/Type /XRef /Size {} /W [1 4 2] /Index [{n} 1]", xs + 1), &row));
            let (size, prev, trailer) = (u.next, u.prev, u.trailer_entries());
            let mut b = u.written();
            let xref = b.len();
            b.extend_from_slice(
                format!(
                    "xref\n{n} 1\n0000000000 00001 f\r\ntrailer\n<< /Size {size}{trailer} /Prev {prev} /XRefStm {xs_at} >>\nstartxref\n{xref}\n%%EOF\n"
                )
                .as_bytes(),
            );
            b
        }),
    ));

    // --- Forms and annotations. ---
    v.push(case(
        "sig-field-with-javascript-action",
        "forms and annotations",
        Kyso,
        false,
        Box::new(|c| {
            let mut u = c.update();
            let n = u.alloc();
            let js =
                Dict::new().with("S", Object::name("JavaScript")).with("JS", Object::Str(b"app.alert('!')".to_vec()));
            u.object(n, &sig_widget(c, "ChuKyJS", &[("AA", Object::Dict(Dict::new().with("PO", Object::Dict(js))))]));
            add_field(c, &mut u, n);
            u.finish_table()
        }),
    ));
    v.push(case(
        "sig-field-with-uri-action",
        "forms and annotations",
        Kyso,
        false,
        Box::new(|c| {
            let mut u = c.update();
            let n = u.alloc();
            let uri =
                Dict::new().with("S", Object::name("URI")).with("URI", Object::Str(b"http://evil.example/".to_vec()));
            u.object(n, &sig_widget(c, "ChuKyURI", &[("Rect", rect([0, 0, 595, 842])), ("A", Object::Dict(uri))]));
            add_field(c, &mut u, n);
            u.finish_table()
        }),
    ));
    v.push(case(
        "sig-field-that-is-a-freetext",
        "forms and annotations",
        Kyso,
        true,
        Box::new(|c| {
            let mut u = c.update();
            let ap = evil_appearance(&mut u);
            let n = u.alloc();
            u.object(
                n,
                &sig_widget(
                    c,
                    "ChuKyFT",
                    &[
                        ("Subtype", Object::name("FreeText")),
                        ("Rect", rect([55, 690, 455, 730])),
                        ("DA", Object::Str(b"/Helv 20 Tf 0 g".to_vec())),
                        ("Contents", Object::Str(b"Gia tri: 9.000.000.000 dong".to_vec())),
                        ("AP", Object::Dict(Dict::new().with("N", r(ap)))),
                    ],
                ),
            );
            add_field(c, &mut u, n);
            u.finish_table()
        }),
    ));
    v.push(case(
        "empty-sig-field-gets-appearance",
        "forms and annotations",
        Kyso,
        true,
        Box::new(|c| {
            let mut u = c.update();
            let ap = evil_appearance(&mut u);
            let (n, d) = &c.f.empty_sig;
            let mut d = d.clone();
            d.set("Rect", rect([55, 690, 455, 730]));
            d.set("AP", Object::Dict(Dict::new().with("N", r(ap))));
            u.object(*n, &Object::Dict(d));
            u.finish_table()
        }),
    ));
    v.push(case(
        "need-appearances-value-changed",
        "forms and annotations",
        Kyso,
        false,
        Box::new(|c| {
            let mut u = c.update();
            let mut af = c.f.acroform.clone();
            af.set("NeedAppearances", Object::Bool(true));
            write_acroform(c, &mut u, af);
            let (n, d) = &c.f.text_field;
            u.object(*n, &with(d, "V", Object::Str(b"900000000000".to_vec())));
            u.finish_table()
        }),
    ));
    v.push(case(
        "default-resources-changed",
        "forms and annotations",
        Kyso,
        false,
        Box::new(|c| {
            let mut u = c.update();
            let font = u.alloc();
            u.obj(font, b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier-Bold >>");
            let mut af = c.f.acroform.clone();
            af.set("NeedAppearances", Object::Bool(true));
            af.set("DR", Object::Dict(Dict::new().with("Font", Object::Dict(Dict::new().with("Helv", r(font))))));
            write_acroform(c, &mut u, af);
            u.finish_table()
        }),
    ));
    v.push(case(
        "one-signature-value-in-two-fields",
        "forms and annotations",
        Kyso,
        false,
        Box::new(|c| {
            let mut u = c.update();
            let n = u.alloc();
            u.object(n, &sig_widget(c, "ChuKyThu2", &[("V", r(c.f.sig_value))]));
            add_field(c, &mut u, n);
            u.finish_table()
        }),
    ));

    // A new signature field whose widget kid (listed in its /Kids, so the
    // field's for pyHanko and Kyso) claims through its own /Parent or /V
    // the signed field: readers that walk /Parent from the page (iText 5,
    // poppler before 25.12) would show the old signature on it.
    for (id, key) in
        [("widget-kid-parent-is-the-signed-field", "Parent"), ("widget-kid-value-of-the-old-signature", "V")]
    {
        v.push(case(
            id,
            "forms and annotations",
            Kyso,
            false,
            Box::new(move |c| {
                let mut u = c.update();
                let field = u.alloc();
                let kid = u.alloc();
                let claim = if key == "Parent" { r(c.f.sig_field_num) } else { r(c.f.sig_value) };
                let parent = if key == "Parent" { claim.clone() } else { r(field) };
                let mut w = Dict::new()
                    .with("Type", Object::name("Annot"))
                    .with("Subtype", Object::name("Widget"))
                    .with("Parent", parent)
                    .with("Rect", rect([0, 0, 0, 0]))
                    .with("P", r(c.f.page_nums[0]))
                    .with("F", Object::Int(4));
                if key == "V" {
                    w.set("V", claim);
                }
                u.object(kid, &Object::Dict(w));
                let f = Dict::new()
                    .with("FT", Object::name("Sig"))
                    .with("T", Object::Str(b"ChuKyCon".to_vec()))
                    .with("Kids", refs(&[kid]));
                u.object(field, &Object::Dict(f));
                let mut fields = match c.f.acroform.get("Fields") {
                    Some(Object::Array(a)) => a.clone(),
                    _ => Vec::new(),
                };
                fields.push(r(field));
                let mut af = c.f.acroform.clone();
                af.set("Fields", Object::Array(fields));
                write_acroform(c, &mut u, af);
                u.object(c.f.page_nums[0], &page1_with_annot(c, kid));
                u.finish_table()
            }),
        ));
    }

    // --- Shadow attacks (Mainka et al., NDSS 2021). ---
    for base in [Kyso, PyHanko] {
        v.push(case(
            "shadow-hide",
            "shadow attack",
            base,
            true,
            Box::new(|c| {
                // The white box prepared in the signed revision becomes empty.
                let mut u = c.update();
                u.obj(c.f.contents1[1], &stream("", b""));
                u.finish_table()
            }),
        ));
    }
    for base in [Kyso, IText] {
        v.push(case(
            "shadow-replace",
            "shadow attack",
            base,
            true,
            Box::new(|c| {
                let mut u = c.update();
                u.obj(c.f.contents1[0], &evil_stream());
                u.finish_table()
            }),
        ));
    }
    v.push(case(
        "shadow-hide-and-replace",
        "shadow attack",
        Kyso,
        true,
        Box::new(|c| {
            // Page 1 shows the signed but unreferenced object 14; nothing new
            // is written but the page dictionary.
            let mut u = c.update();
            u.object(c.f.page_nums[0], &page1_contents(c, r(14)));
            u.finish_table()
        }),
    ));

    // --- Incremental saving attack, signature wrapping, USF (Mladenov et al., CCS 2019). ---
    v.push(case(
        "isa-new-content",
        "incremental saving attack",
        Kyso,
        true,
        Box::new(|c| {
            let mut u = c.update();
            let n = u.alloc();
            u.obj(n, &evil_stream());
            u.object(c.f.page_nums[0], &page1_contents(c, r(n)));
            u.finish_table()
        }),
    ));
    v.push(case(
        "isa-objects-and-trailer-without-xref",
        "incremental saving attack",
        Kyso,
        true,
        Box::new(|c| {
            let mut u = c.update();
            u.obj(c.f.contents1[0], &evil_stream());
            let (size, prev, trailer) = (u.next, u.prev, u.trailer_entries());
            let mut b = u.written();
            let at = b.len();
            b.extend_from_slice(
                format!("trailer\n<< /Size {size}{trailer} /Prev {prev} >>\nstartxref\n{at}\n%%EOF\n").as_bytes(),
            );
            b
        }),
    ));
    v.push(case(
        "signature-wrapping",
        "signature wrapping",
        Kyso,
        true,
        Box::new(|c| {
            // The second signed range is moved behind new objects placed in
            // a widened gap; /ByteRange is rewritten in place, same width.
            let b = c.bytes();
            let [_, a, gap, len] = c.f.byte_range;
            let at = rfind(&b[..a], b"/ByteRange").unwrap();
            let open = at + b[at..].iter().position(|x| *x == b'[').unwrap();
            let close = at + b[at..].iter().position(|x| *x == b']').unwrap();
            let mut evil = format!("\n{} 0 obj\n", c.f.contents1[0]).into_bytes();
            evil.extend_from_slice(&evil_stream());
            evil.extend_from_slice(b"\nendobj\n");
            let moved = format!("[0 {a} {} {len}", gap + evil.len());
            let width = close - open;
            let moved = format!("{moved:<width$}");
            assert_eq!(moved.len(), width, "ByteRange text fits");
            let mut out = b[..open].to_vec();
            out.extend_from_slice(moved.as_bytes());
            out.extend_from_slice(&b[close..gap]);
            out.extend_from_slice(&evil);
            out.extend_from_slice(&b[gap..]);
            out
        }),
    ));
    type Edit = fn(&mut Dict);
    let usf: [(&'static str, Edit); 6] = [
        ("usf-contents-missing", |d| d.remove("Contents")),
        ("usf-contents-null", |d| d.set("Contents", Object::Null)),
        ("usf-byterange-missing", |d| d.remove("ByteRange")),
        ("usf-byterange-null", |d| d.set("ByteRange", Object::Null)),
        ("usf-byterange-three-numbers", |d| {
            if let Some(Object::Array(a)) = d.get("ByteRange").cloned() {
                d.set("ByteRange", Object::Array(a[..3].to_vec()));
            }
        }),
        ("usf-byterange-zero", |d| d.set("ByteRange", rect([0, 0, 0, 0]))),
    ];
    for (id, edit) in usf {
        v.push(case(
            id,
            "universal signature forgery (USF)",
            Kyso,
            true,
            Box::new(move |c| {
                let mut u = c.update();
                sig_dict_edit(c, &mut u, edit);
                u.finish_table()
            }),
        ));
    }
    v
}

struct Row {
    id: String,
    class: &'static str,
    base: &'static str,
    expected: &'static str,
    kyso: String,
    pyhanko: String,
    visible: String,
    ok: bool,
    why: String,
}

fn have_tools() -> bool {
    for tool in ["pyhanko", "pdftoppm", "qpdf"] {
        if !kyso_testkit::tool_or_skip(tool, "the attack matrix") {
            return false;
        }
    }
    true
}

#[test]
fn attacks_are_never_total_passed_and_controls_pass() {
    let fx = require_fixture!();
    if !have_tools() {
        return;
    }
    let Some(oracle) = java_oracle() else { return };
    let started = Instant::now();
    let (_tmp, dir) = matrix::work_dir();
    let dir = dir.as_path();
    let contract_path = dir.join("contract.pdf");
    std::fs::write(&contract_path, contract()).unwrap();
    let kyso = signer(fx, tokens::CANHAN, pins::CANHAN, "Nguyễn Văn A");

    // The signed inputs.
    let mut bases: Vec<(Base, PathBuf)> = Vec::new();
    for (b, certify) in [(Base::Kyso, None), (Base::KysoP1, Some(1)), (Base::KysoP2, Some(2)), (Base::KysoP3, Some(3))]
    {
        let out = dir.join(format!("base-{b:?}.pdf"));
        kyso_sign(&kyso, &contract_path, &out, certify);
        bases.push((b, out));
    }
    let os = dir.join("contract-objstm.pdf");
    let (ok, msg) = kyso_testkit::run(
        Command::new("qpdf")
            .args(["--object-streams=generate", "--preserve-unreferenced"])
            .arg(&contract_path)
            .arg(&os),
    );
    assert!(ok, "qpdf: {msg}");
    let out = dir.join("base-KysoObjStm.pdf");
    kyso_sign(&kyso, &os, &out, None);
    bases.push((Base::KysoObjStm, out));
    let out = dir.join("base-PyHanko.pdf");
    let (ok, msg) = kyso_testkit::pyhanko_pkcs11_sign(fx, tokens::TOCHUC, pins::TOCHUC, "tochuc", &contract_path, &out);
    assert!(ok, "pyhanko: {msg}");
    bases.push((Base::PyHanko, out));
    let out = dir.join("base-IText.pdf");
    let key = p12(fx, "canhan", dir);
    let (ok, msg) = java(
        &oracle,
        &[
            "itext5-sign".as_ref(),
            contract_path.as_os_str(),
            out.as_os_str(),
            key.as_os_str(),
            pins::P12.as_ref(),
            "cades".as_ref(),
        ],
    );
    assert!(ok, "iText 5: {msg}");
    bases.push((Base::IText, out));
    // Every base passes untouched (else the matrix would prove nothing).
    for (b, p) in &bases {
        let rep = verify_pdf(p, &trust(fx));
        assert_eq!(kyso_words(&rep), "TOTAL_PASSED", "the {b:?} input itself: {rep:#?}");
    }
    let facts: Vec<Facts> = bases.iter().map(|(_, p)| facts(p)).collect();

    // Build every case (sequentially: Kyso signs through one token session).
    let cases = cases();
    let mut built: Vec<(usize, PathBuf, Vec<u8>)> = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let bi = bases.iter().position(|(b, _)| *b == c.base).unwrap();
        let case_dir = dir.join(format!("case-{i:02}"));
        std::fs::create_dir_all(&case_dir).unwrap();
        let ctx = Ctx { fx, path: &bases[bi].1, f: &facts[bi], dir: &case_dir, kyso: &kyso };
        let bytes = (c.build)(&ctx);
        let file = case_dir.join(format!("{}.pdf", c.id));
        std::fs::write(&file, &bytes).unwrap();
        let signed = std::fs::read(&bases[bi].1).unwrap()[..facts[bi].signed_end].to_vec();
        built.push((i, file, signed));
    }
    let built_in = started.elapsed();

    // Judge them, two at a time.
    let rows: Vec<Row> = parallel(built.len(), |k| {
        let (i, file, signed) = &built[k];
        let c = &cases[*i];
        let rep = verify_pdf(file, &trust(fx));
        let kyso = kyso_words(&rep);
        let passed = kyso == "TOTAL_PASSED";
        let (pyhanko, _) = pyhanko_words(fx, file);
        let visible = visible_change(signed, file, file.parent().unwrap());
        let mut why = String::new();
        if c.control != passed {
            why = format!(
                "Kyso said {kyso}: {:?}",
                rep.signatures.iter().map(|s| &s.modification_details).collect::<Vec<_>>()
            );
        }
        if c.visible_by_design && !visible.starts_with("yes") {
            why.push_str(&format!(" the attack changes nothing poppler draws ({visible})"));
        }
        Row {
            id: c.id.to_owned(),
            class: c.class,
            base: c.base.label(),
            expected: if c.control { "TOTAL_PASSED" } else { "not TOTAL_PASSED" },
            kyso,
            pyhanko,
            visible,
            ok: why.is_empty(),
            why,
        }
    });

    let mut md = String::from(
        "## Attack matrix\n\nEach row is a signed input (the *base*) with one attack or one legitimate change appended \
(tests/attacks.rs builds them by hand). *Expected* is what the test asserts for Kyso.\n\n\
| case | class | base | expected | Kyso | pyHanko | visible change |\n|---|---|---|---|---|---|---|\n",
    );
    for r in &rows {
        md.push_str(&format!(
            "| {} | {} | {} | {} | {}{} | {} | {} |\n",
            cell(&r.id),
            cell(r.class),
            cell(r.base),
            r.expected,
            cell(&r.kyso),
            if r.ok { "" } else { " ✗" },
            r.pyhanko,
            cell(&r.visible)
        ));
    }
    let failing: Vec<&Row> = rows.iter().filter(|r| !r.ok).collect();
    md.push_str(&format!(
        "\n{} cases, {} as expected{}.\n",
        rows.len(),
        rows.len() - failing.len(),
        if failing.is_empty() { String::new() } else { format!(", {} not (✗)", failing.len()) }
    ));
    write_doc_section("attacks", &md);
    eprintln!(
        "attack matrix: {} cases built in {:.1} s, judged in {:.1} s",
        rows.len(),
        built_in.as_secs_f64(),
        (started.elapsed() - built_in).as_secs_f64()
    );
    for r in &failing {
        eprintln!(
            "NOT AS EXPECTED {} [{}]: {} — pyHanko {} — visible {}; {}",
            r.id, r.base, r.kyso, r.pyhanko, r.visible, r.why
        );
    }
    assert!(
        failing.is_empty(),
        "{} of {} cases not as expected: {}",
        failing.len(),
        rows.len(),
        failing.iter().map(|r| format!("{} [{}]", r.id, r.base)).collect::<Vec<_>>().join(", ")
    );
}
