//! The attack generator of issue 23: each class of ZIP-level, relationship
//! and content-type edit rebuilt on a DOCX signed by Kyso through the
//! SoftHSM token and on the Office/POI-signed corpus files
//! (../shared/corpus/docx). Every attacked file must come out TOTAL_FAILED,
//! name what was done, and be judged within the time bound; legitimate
//! files (Kyso with one and two signers, pretty-printed relationships,
//! XLSX, PPTX, every corpus signed file) must still pass.
//!
//! The ZIP writer here is our own (stored entries): it is what lets a test
//! write what a careful library refuses to (two items of one name, a local
//! header that disagrees with the central directory, bytes outside items).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kyso_ooxml::{DocumentReport, Indication, SignOptions, VerifyOptions, sign_ooxml, verify_bytes};
use kyso_pki::report::{Coverage, Modifications};
use kyso_pki::{load_certificates, load_crl};
use kyso_testkit::{Fixture, fixture, pins, tokens};
use kyso_token::{Pin, Pkcs11Signer, SignerOptions, list_certificates, load_module};

/// The bound on one verification of an attacked package (issue 23: a few
/// seconds whatever the package; docs/benchmarks.md has the release-build
/// figures). Debug builds of this crate are several times slower.
fn bound() -> Duration {
    if cfg!(debug_assertions) { Duration::from_secs(30) } else { Duration::from_secs(2) }
}

const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const CT_MAIN: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml";
const CT_STYLES: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml";
const EVIL_DOC: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Chuyển 1.000.000 đồng vào tài khoản 666</w:t></w:r></w:p></w:body></w:document>"#;
const EVIL_STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:vanish/></w:rPr></w:rPrDefault></w:docDefaults></w:styles>"#;

// ---------------------------------------------------------------- ZIP I/O

/// A package as (item name, bytes), in ZIP order.
type Items = Vec<(String, Vec<u8>)>;

fn read_items(data: &[u8]) -> Items {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(data)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut d = Vec::new();
            f.read_to_end(&mut d).unwrap();
            (f.name().unwrap().to_string(), d)
        })
        .collect()
}

/// How to bend the archive structure while writing it.
#[derive(Default, Clone, Copy)]
struct Bend<'a> {
    prefix: &'a [u8],
    trailer: &'a [u8],
    /// Bytes between the first and the second item.
    gap: &'a [u8],
    /// (item index, name written in its local header instead).
    local_name: Option<(usize, &'a str)>,
    comment: &'a [u8],
}

/// Writes stored ZIP items (APPNOTE §4.3), duplicates and all.
fn write_zip(items: &Items, bend: Bend<'_>) -> Vec<u8> {
    let mut out = bend.prefix.to_vec();
    let mut central = Vec::new();
    for (i, (name, data)) in items.iter().enumerate() {
        if i == 1 {
            out.extend_from_slice(bend.gap);
        }
        let mut crc = flate2::Crc::new();
        crc.update(data);
        let crc = crc.sum();
        let offset = out.len() as u32;
        let local = match bend.local_name {
            Some((j, n)) if j == i => n,
            _ => name,
        };
        let fixed = |sig: u32, n: &str| {
            let mut h = sig.to_le_bytes().to_vec();
            h.extend(20u16.to_le_bytes()); // version needed
            h.extend(0x0800u16.to_le_bytes()); // UTF-8 names
            h.extend(0u16.to_le_bytes()); // stored
            h.extend([0, 0, 0x21, 0]); // time, date
            h.extend(crc.to_le_bytes());
            h.extend((data.len() as u32).to_le_bytes());
            h.extend((data.len() as u32).to_le_bytes());
            h.extend((n.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes()); // extra
            h
        };
        out.extend(fixed(0x0403_4b50, local));
        out.extend(local.as_bytes());
        out.extend(data);
        let mut c = 0x0201_4b50u32.to_le_bytes().to_vec();
        c.extend(20u16.to_le_bytes()); // version made by
        c.extend(&fixed(0, name)[4..]);
        c.extend([0u8; 8]); // comment len, disk, internal, external attrs (part)
        c.extend([0u8; 2]);
        c.extend(offset.to_le_bytes());
        c.extend(name.as_bytes());
        central.push(c);
    }
    let cd_off = out.len() as u32;
    let cd: Vec<u8> = central.concat();
    out.extend(&cd);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((items.len() as u16).to_le_bytes());
    out.extend((items.len() as u16).to_le_bytes());
    out.extend((cd.len() as u32).to_le_bytes());
    out.extend(cd_off.to_le_bytes());
    out.extend((bend.comment.len() as u16).to_le_bytes());
    out.extend(bend.comment);
    out.extend(bend.trailer);
    out
}

fn text(items: &Items, name: &str) -> String {
    String::from_utf8(items.iter().find(|(n, _)| n == name).map(|(_, d)| d.clone()).unwrap_or_default()).unwrap()
}

fn set(items: &mut Items, name: &str, data: impl Into<Vec<u8>>) {
    let data = data.into();
    match items.iter_mut().find(|(n, _)| n == name) {
        Some(slot) => slot.1 = data,
        None => items.push((name.to_owned(), data)),
    }
}

/// Inserts a relationship as the first child of a relationships part.
fn add_rel_first(items: &mut Items, rels: &str, rel: &str) {
    let t = text(items, rels);
    let i = t.find("<Relationship ").unwrap_or_else(|| t.find("</Relationships>").unwrap());
    set(items, rels, format!("{}{rel}{}", &t[..i], &t[i..]));
}

fn add_override(items: &mut Items, part: &str, ct: &str) {
    let t = text(items, "[Content_Types].xml");
    set(
        items,
        "[Content_Types].xml",
        t.replace("</Types>", &format!("<Override PartName=\"{part}\" ContentType=\"{ct}\"/></Types>")),
    );
}

/// The item name of the main document part (`word/document.xml` or what
/// the package's officeDocument relationship names).
fn main_part(items: &Items) -> String {
    let rels = text(items, "_rels/.rels");
    let at = rels.find("/officeDocument\"").or_else(|| rels.find("relationships/officeDocument")).unwrap();
    let rest = &rels[..at];
    let start = rest.rfind("<Relationship").unwrap();
    let el = &rels[start..];
    let el = &el[..el.find("/>").unwrap()];
    let t = el.split("Target=\"").nth(1).unwrap();
    t[..t.find('"').unwrap()].trim_start_matches('/').to_owned()
}

fn rels_of(part: &str) -> String {
    match part.rsplit_once('/') {
        Some((d, f)) => format!("{d}/_rels/{f}.rels"),
        None => format!("_rels/{part}.rels"),
    }
}

fn origin_target(items: &Items) -> String {
    let rels = text(items, "_rels/.rels");
    let at = rels.find("digital-signature/origin").unwrap();
    let start = rels[..at].rfind("<Relationship").unwrap();
    let el = &rels[start..];
    let el = &el[..el.find("/>").unwrap()];
    let t = el.split("Target=\"").nth(1).unwrap();
    t[..t.find('"').unwrap()].to_owned()
}

// ---------------------------------------------------------------- attacks

type Attack = fn(&Items) -> Vec<u8>;

fn attacks() -> Vec<(&'static str, Attack)> {
    vec![
        ("origin redirected to the package root", |items| {
            let mut it = items.clone();
            let o = origin_target(&it);
            let r = text(&it, "_rels/.rels").replace(&format!("Target=\"{o}\""), "Target=\"/\"");
            set(&mut it, "_rels/.rels", r);
            add_rel_first(
                &mut it,
                "_rels/.rels",
                &format!("<Relationship Id=\"rIdEvil\" Type=\"{REL}/officeDocument\" Target=\"word/evil.xml\"/>"),
            );
            set(&mut it, "word/evil.xml", EVIL_DOC);
            add_override(&mut it, "/word/evil.xml", CT_MAIN);
            write_zip(&it, Bend::default())
        }),
        ("origin redirected to the main document", |items| {
            let mut it = items.clone();
            let o = origin_target(&it);
            let main = main_part(&it);
            let r = text(&it, "_rels/.rels").replace(&format!("Target=\"{o}\""), &format!("Target=\"/{main}\""));
            set(&mut it, "_rels/.rels", r);
            add_rel_first(
                &mut it,
                &rels_of(&main),
                &format!("<Relationship Id=\"rIdEvil\" Type=\"{REL}/styles\" Target=\"evilstyles.xml\"/>"),
            );
            let dir = main.rsplit_once('/').map_or("", |(d, _)| d);
            set(&mut it, &format!("{dir}/evilstyles.xml"), EVIL_STYLES);
            add_override(&mut it, &format!("/{dir}/evilstyles.xml"), CT_STYLES);
            write_zip(&it, Bend::default())
        }),
        ("two origin relationships", |items| {
            let mut it = items.clone();
            add_rel_first(
                &mut it,
                "_rels/.rels",
                "<Relationship Id=\"rIdO2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/digital-signature/origin\" Target=\"evil/origin.sigs\"/>",
            );
            set(&mut it, "evil/origin.sigs", Vec::new());
            add_override(
                &mut it,
                "/evil/origin.sigs",
                "application/vnd.openxmlformats-package.digital-signature-origin",
            );
            write_zip(&it, Bend::default())
        }),
        ("second officeDocument relationship placed first", |items| {
            let mut it = items.clone();
            add_rel_first(
                &mut it,
                "_rels/.rels",
                &format!("<Relationship Id=\"rIdEvil\" Type=\"{REL}/officeDocument\" Target=\"word/evil.xml\"/>"),
            );
            set(&mut it, "word/evil.xml", EVIL_DOC);
            add_override(&mut it, "/word/evil.xml", CT_MAIN);
            write_zip(&it, Bend::default())
        }),
        ("second styles relationship", |items| {
            let mut it = items.clone();
            let main = main_part(&it);
            add_rel_first(
                &mut it,
                &rels_of(&main),
                &format!("<Relationship Id=\"rIdEvil\" Type=\"{REL}/styles\" Target=\"evilstyles.xml\"/>"),
            );
            let dir = main.rsplit_once('/').map_or("", |(d, _)| d);
            set(&mut it, &format!("{dir}/evilstyles.xml"), EVIL_STYLES);
            add_override(&mut it, &format!("/{dir}/evilstyles.xml"), CT_STYLES);
            write_zip(&it, Bend::default())
        }),
        (".rels part outside a _rels folder", |items| {
            let mut it = items.clone();
            set(
                &mut it,
                "word/evil.xml.rels",
                format!(
                    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{REL}/styles\" Target=\"evilstyles.xml\"/></Relationships>"
                ),
            );
            set(&mut it, "word/evilstyles.xml", EVIL_STYLES);
            add_override(&mut it, "/word/evilstyles.xml", CT_STYLES);
            write_zip(&it, Bend::default())
        }),
        ("relationships part of a missing source", |items| {
            let mut it = items.clone();
            set(
                &mut it,
                "word/_rels/ghost.xml.rels",
                format!(
                    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{REL}/styles\" Target=\"styles.xml\"/></Relationships>"
                ),
            );
            write_zip(&it, Bend::default())
        }),
        ("case-changed _rels with an added relationship", |items| {
            let mut it = items.clone();
            let main = main_part(&it);
            let rels = rels_of(&main);
            add_rel_first(
                &mut it,
                &rels,
                &format!("<Relationship Id=\"rIdEvil\" Type=\"{REL}/styles\" Target=\"evilstyles.xml\"/>"),
            );
            let dir = main.rsplit_once('/').map_or("", |(d, _)| d);
            set(&mut it, &format!("{dir}/evilstyles.xml"), EVIL_STYLES);
            add_override(&mut it, &format!("/{dir}/evilstyles.xml"), CT_STYLES);
            for (n, _) in it.iter_mut() {
                if *n == rels {
                    *n = n.replace("/_rels/", "/_RELS/");
                }
            }
            write_zip(&it, Bend::default())
        }),
        ("exact duplicate of the main part, altered copy last", |items| {
            let mut it = items.clone();
            let main = main_part(&it);
            it.push((main, EVIL_DOC.into()));
            write_zip(&it, Bend::default())
        }),
        ("exact duplicate of the main part, altered copy first", |items| {
            let mut it = items.clone();
            let main = main_part(&it);
            it.insert(0, (main, EVIL_DOC.into()));
            write_zip(&it, Bend::default())
        }),
        ("case-folded duplicate of the main part", |items| {
            let mut it = items.clone();
            let main = main_part(&it);
            it.push((main.to_uppercase(), EVIL_DOC.into()));
            write_zip(&it, Bend::default())
        }),
        ("percent-encoded duplicate of the main part", |items| {
            let mut it = items.clone();
            let main = main_part(&it);
            it.push((main.replacen('o', "%6F", 1), EVIL_DOC.into()));
            write_zip(&it, Bend::default())
        }),
        ("duplicate content-type Override", |items| {
            let mut it = items.clone();
            let main = main_part(&it);
            let t = text(&it, "[Content_Types].xml");
            let i = t.find("<Override").unwrap();
            set(
                &mut it,
                "[Content_Types].xml",
                format!("{}<Override PartName=\"/{main}\" ContentType=\"application/xml\"/>{}", &t[..i], &t[i..]),
            );
            write_zip(&it, Bend::default())
        }),
        ("duplicate content-type Default", |items| {
            let mut it = items.clone();
            let t = text(&it, "[Content_Types].xml");
            let i = t.find("<Default").unwrap();
            set(
                &mut it,
                "[Content_Types].xml",
                format!("{}<Default Extension=\"XML\" ContentType=\"text/plain\"/>{}", &t[..i], &t[i..]),
            );
            write_zip(&it, Bend::default())
        }),
        ("relationship type matched by suffix", |items| {
            let mut it = items.clone();
            let main = main_part(&it);
            add_rel_first(
                &mut it,
                &rels_of(&main),
                &format!(
                    "<Relationship Id=\"rIdEvil\" Type=\"{REL}/styles#/relationships/customXml\" Target=\"evilstyles.xml\"/>"
                ),
            );
            let dir = main.rsplit_once('/').map_or("", |(d, _)| d);
            set(&mut it, &format!("{dir}/evilstyles.xml"), EVIL_STYLES);
            add_override(&mut it, &format!("/{dir}/evilstyles.xml"), "application/xml");
            write_zip(&it, Bend::default())
        }),
        ("metadata relationship type to a content part", |items| {
            let mut it = items.clone();
            add_rel_first(
                &mut it,
                "_rels/.rels",
                &format!("<Relationship Id=\"rIdEvil\" Type=\"{REL}/extended-properties\" Target=\"word/evil.xml\"/>"),
            );
            set(&mut it, "word/evil.xml", EVIL_DOC);
            add_override(&mut it, "/word/evil.xml", CT_MAIN);
            write_zip(&it, Bend::default())
        }),
        ("external relationship added", |items| {
            let mut it = items.clone();
            let main = main_part(&it);
            add_rel_first(
                &mut it,
                &rels_of(&main),
                &format!(
                    "<Relationship Id=\"rIdEvil\" Type=\"{REL}/attachedTemplate\" Target=\"http://attacker.invalid/t.dotm\" TargetMode=\"External\"/>"
                ),
            );
            write_zip(&it, Bend::default())
        }),
        ("custom XML part injected", |items| {
            let mut it = items.clone();
            let main = main_part(&it);
            add_rel_first(
                &mut it,
                &rels_of(&main),
                &format!("<Relationship Id=\"rIdEvil\" Type=\"{REL}/customXml\" Target=\"../customXml/evil.xml\"/>"),
            );
            set(&mut it, "customXml/evil.xml", "<root><a>Chuyển 1.000.000 đồng vào tài khoản 666</a></root>");
            // The data binding makes custom XML content: a bound copy
            // (Kyso's own document) or an injected part naming the store.
            write_zip(&it, Bend::default())
        }),
        ("unreferenced part injected", |items| {
            let mut it = items.clone();
            set(&mut it, "word/evil.xml", EVIL_DOC);
            write_zip(&it, Bend::default())
        }),
        ("data before the first item", |items| {
            write_zip(items, Bend { prefix: b"MZ\x90\x00 polyglot", ..Bend::default() })
        }),
        ("data after the end of the archive", |items| {
            write_zip(items, Bend { trailer: b"PK\x03\x04 trailing", ..Bend::default() })
        }),
        ("hidden bytes between two items", |items| {
            let mut hidden = b"PK\x03\x04".to_vec();
            hidden.extend(EVIL_DOC.as_bytes());
            write_zip(items, Bend { gap: Box::leak(hidden.into_boxed_slice()), ..Bend::default() })
        }),
        ("local header names another part", |items| {
            let main = main_part(items);
            let i = items.iter().position(|(n, _)| *n == main).unwrap();
            write_zip(items, Bend { local_name: Some((i, "word/evil.xml")), ..Bend::default() })
        }),
        ("end record hidden in the archive comment", |items| {
            let mut c = b"PK\x05\x06".to_vec();
            c.extend([0u8; 18]);
            write_zip(items, Bend { comment: Box::leak(c.into_boxed_slice()), ..Bend::default() })
        }),
        ("signature with 300,000 Id attributes", |items| {
            let mut it = items.clone();
            let sig = it.iter().map(|(n, _)| n.clone()).find(|n| n.contains("xmlsignatures/sig")).unwrap();
            let t = text(&it, &sig);
            let mut bomb = String::with_capacity(8 << 20);
            bomb.push_str("<Object>");
            for i in 0..300_000 {
                bomb.push_str(&format!("<a Id=\"i{i}\"/>"));
            }
            bomb.push_str("</Object></Signature>");
            set(&mut it, &sig, t.replace("</Signature>", &bomb));
            write_zip(&it, Bend::default())
        }),
        ("30,000 injected parts", |items| {
            let mut it = items.clone();
            for i in 0..30_000 {
                it.push((format!("word/x/p{i}.xml"), b"<x/>".to_vec()));
            }
            write_zip(&it, Bend::default())
        }),
        ("9,000 injected parts and relationships", |items| {
            let mut it = items.clone();
            let main = main_part(&it);
            let mut rels = String::new();
            for i in 0..9_000 {
                it.push((format!("word/x/p{i}.xml"), b"<x/>".to_vec()));
                rels.push_str(&format!("<Relationship Id=\"rIdX{i}\" Type=\"{REL}/header\" Target=\"x/p{i}.xml\"/>"));
            }
            add_rel_first(&mut it, &rels_of(&main), &rels);
            write_zip(&it, Bend::default())
        }),
    ]
}

// ---------------------------------------------------------------- helpers

fn signer(fx: &Fixture, token: &str, pin: &str, cn: &str) -> Pkcs11Signer {
    let module = load_module(&fx.module).unwrap();
    let (slot, _) = module.find_tokens(Some(token)).unwrap().remove(0);
    let certs = list_certificates(&module, slot, None).unwrap();
    let entry = certs.iter().find(|c| c.certificate.subject_cn.as_deref() == Some(cn)).unwrap();
    Pkcs11Signer::open(&module, entry, Pin::new(pin.into()), SignerOptions::default()).unwrap()
}

fn sign(fx: &Fixture, input: &Path, output: &Path, who: &str) {
    let (token, pin) = match who {
        "Sở Thông tin và Truyền thông tỉnh Bắc Ninh" => (tokens::TOCHUC, pins::TOCHUC),
        _ => (tokens::CANHAN, pins::CANHAN),
    };
    let s = signer(fx, token, pin, who);
    sign_ooxml(input, output, &s, &SignOptions::default()).unwrap();
}

fn trust(fx: &Fixture) -> VerifyOptions {
    VerifyOptions {
        anchors: load_certificates(&std::fs::read(fx.pki_file("root.pem")).unwrap()),
        extra_certs: load_certificates(&std::fs::read(fx.pki_file("int.pem")).unwrap()),
        crls: ["crl.pem", "root-crl.pem"]
            .iter()
            .map(|f| load_crl(&std::fs::read(fx.pki_file(f)).unwrap()).unwrap())
            .collect(),
        ..Default::default()
    }
}

fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/docx");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("SKIPPED: ../shared/corpus/docx is absent; the corpus half of the attack matrix needs it");
        None
    }
}

fn timed_verify(bytes: Vec<u8>, opts: &VerifyOptions) -> (DocumentReport, Duration) {
    let t = Instant::now();
    let r = verify_bytes(bytes, opts);
    (r, t.elapsed())
}

/// Everything the report says about the package, for "is it named?".
fn said(r: &DocumentReport) -> String {
    let mut s = r.error.clone().unwrap_or_default();
    for sig in &r.signatures {
        s.push_str(&sig.modification_details.join("\n"));
        s.push_str(&sig.warnings.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"));
        for c in &sig.changes {
            s.push_str(&format!("\n{} {}", c.kind, c.detail));
        }
    }
    s
}

/// Runs every attack on `base` and checks the verdicts.
fn run_attacks(label: &str, base: &[u8], opts: &VerifyOptions, bound_custom_xml: bool) {
    let items = read_items(base);
    // The untouched package, rewritten by our writer, must still verify as
    // before: the writer itself changes nothing a verifier may see.
    let (clean, _) = timed_verify(write_zip(&items, Bend::default()), opts);
    assert!(
        clean.signatures.iter().all(|s| s.modifications == Modifications::None),
        "{label} rewritten: {}",
        said(&clean)
    );
    let mut slowest = Duration::ZERO;
    for (what, attack) in attacks() {
        if what == "custom XML part injected" && !bound_custom_xml {
            // Without a content control bound to custom XML, Word shows
            // nothing of it: accepted (with a warning), as Office does.
            let (r, _) = timed_verify(attack(&items), opts);
            assert!(said(&r).contains("unsigned_custom_xml"), "{label}: {what}: {}", said(&r));
            continue;
        }
        let bytes = attack(&items);
        let (r, took) = timed_verify(bytes, opts);
        slowest = slowest.max(took);
        let json = serde_json::to_string_pretty(&r).unwrap();
        assert_eq!(r.indication, Indication::TotalFailed, "{label}: {what}: {json}");
        assert!(r.error.is_some() || r.signatures.iter().any(|s| s.indication == Indication::TotalFailed));
        let named = said(&r);
        assert!(!named.trim().is_empty(), "{label}: {what}: nothing named: {json}");
        assert!(took < bound(), "{label}: {what}: {took:?}");
        eprintln!("{label}: {what}: {:?} in {took:?}: {}", r.indication, named.lines().next().unwrap_or(""));
    }
    eprintln!("{label}: slowest attacked verification {slowest:?}");
}

// ---------------------------------------------------------------- tests

/// A DOCX with a content control bound to a custom XML part (Word shows the
/// custom XML's value in the document), signed by Kyso.
fn bound_docx(path: &Path) {
    let tmp = path.with_extension("plain.docx");
    kyso_testkit::minimal_docx(&tmp, "Số tiền: ");
    let mut items = read_items(&std::fs::read(&tmp).unwrap());
    let body = r#"<w:sdt><w:sdtPr><w:dataBinding w:xpath="/root[1]/a[1]" w:storeItemID="{6C3C8BC8-F283-45AE-878A-BAB7291924A1}"/></w:sdtPr><w:sdtContent><w:r><w:t>100.000 đồng</w:t></w:r></w:sdtContent></w:sdt></w:p>"#;
    let doc = text(&items, "word/document.xml").replacen("</w:p>", body, 1);
    set(&mut items, "word/document.xml", doc);
    add_rel_first(
        &mut items,
        "word/_rels/document.xml.rels",
        &format!("<Relationship Id=\"rId9\" Type=\"{REL}/customXml\" Target=\"../customXml/item1.xml\"/>"),
    );
    set(&mut items, "customXml/item1.xml", "<root><a>100.000 đồng</a></root>");
    set(
        &mut items,
        "customXml/_rels/item1.xml.rels",
        format!(
            "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{REL}/customXmlProps\" Target=\"itemProps1.xml\"/></Relationships>"
        ),
    );
    set(
        &mut items,
        "customXml/itemProps1.xml",
        r#"<ds:datastoreItem ds:itemID="{6C3C8BC8-F283-45AE-878A-BAB7291924A1}" xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"/>"#,
    );
    add_override(
        &mut items,
        "/customXml/itemProps1.xml",
        "application/vnd.openxmlformats-officedocument.customXmlProperties+xml",
    );
    std::fs::write(path, write_zip(&items, Bend::default())).unwrap();
}

#[test]
fn attacks_on_a_kyso_signed_docx_all_fail() {
    let Some(fx) = fixture() else { return };
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in.docx");
    bound_docx(&input);
    let signed = d.path().join("signed.docx");
    sign(fx, &input, &signed, "Nguyễn Văn A");
    let bytes = std::fs::read(&signed).unwrap();
    let opts = trust(fx);
    let (r, _) = timed_verify(bytes.clone(), &opts);
    assert_eq!(r.indication, Indication::TotalPassed, "{}", serde_json::to_string_pretty(&r).unwrap());
    // Kyso signs custom XML (Office does not): changing it is a change.
    let mut items = read_items(&bytes);
    set(&mut items, "customXml/item1.xml", "<root><a>1.000.000 đồng, tài khoản 666</a></root>");
    let (r, _) = timed_verify(write_zip(&items, Bend::default()), &opts);
    assert_eq!(r.indication, Indication::TotalFailed);
    assert!(said(&r).contains("/customXml/item1.xml"), "{}", said(&r));
    run_attacks("kyso", &bytes, &opts, true);
}

#[test]
fn attacks_on_office_and_poi_signed_files_all_fail() {
    let Some(dir) = corpus() else { return };
    for name in [
        "hello-world-signed.docx",
        "hyperlink-example-signed.docx",
        "ms-office-2010-signed.docx",
        "signed.docx",
        "hello-world-office-2010-technical-preview.docx",
    ] {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let opts = VerifyOptions::default();
        let (r, _) = timed_verify(bytes.clone(), &opts);
        // Untrusted, expired certificates: not TOTAL_FAILED before the attack.
        assert_eq!(r.indication, Indication::Indeterminate, "{name}: {}", said(&r));
        run_attacks(name, &bytes, &opts, false);
    }
}

#[test]
fn legitimate_files_still_pass() {
    let Some(fx) = fixture() else { return };
    let d = tempfile::tempdir().unwrap();
    let opts = trust(fx);
    // Kyso, one then two signers; the inputs' package relationships are
    // pretty-printed (white space between Relationship elements).
    let input = d.path().join("in.docx");
    kyso_testkit::minimal_docx(&input, "Văn bản hợp lệ");
    assert!(text(&read_items(&std::fs::read(&input).unwrap()), "_rels/.rels").contains(">\n  <Relationship"));
    let one = d.path().join("one.docx");
    sign(fx, &input, &one, "Nguyễn Văn A");
    let two = d.path().join("two.docx");
    sign(fx, &one, &two, "Sở Thông tin và Truyền thông tỉnh Bắc Ninh");
    for f in [&one, &two] {
        let (r, took) = timed_verify(std::fs::read(f).unwrap(), &opts);
        let json = serde_json::to_string_pretty(&r).unwrap();
        assert_eq!(r.indication, Indication::TotalPassed, "{json}");
        assert!(r.signatures.iter().all(|s| s.coverage == Coverage::WholePackage), "{json}");
        assert!(took < bound());
    }
    // §13.2.4.24 ignores white space between Relationship elements: the
    // signed relationships parts pretty-printed after signing still verify.
    let mut items = read_items(&std::fs::read(&two).unwrap());
    for name in ["_rels/.rels", "word/_rels/document.xml.rels"] {
        let t = text(&items, name)
            .replace("><Relationship ", ">\r\n\t<Relationship ")
            .replace("</Relationships>", "\n</Relationships>");
        set(&mut items, name, t);
    }
    let (r, _) = timed_verify(write_zip(&items, Bend::default()), &opts);
    assert_eq!(r.indication, Indication::TotalPassed, "{}", serde_json::to_string_pretty(&r).unwrap());
    // An archive comment is not content: warned, not refused.
    let (r, _) = timed_verify(write_zip(&items, Bend { comment: b"Kyso", ..Bend::default() }), &opts);
    assert_eq!(r.indication, Indication::TotalPassed, "{}", serde_json::to_string_pretty(&r).unwrap());
    assert!(r.signatures.iter().all(|s| s.warnings.iter().any(|w| w.to_string().starts_with("zip_comment"))));
    // XLSX and PPTX made by others, signed by Kyso.
    if let Some(dir) = corpus() {
        for name in ["hello-world-unsigned.xlsx", "hello-world-unsigned.pptx", "hello-world-unsigned.docx"] {
            let out = d.path().join(name);
            sign(fx, &dir.join(name), &out, "Nguyễn Văn A");
            let (r, _) = timed_verify(std::fs::read(&out).unwrap(), &opts);
            let json = serde_json::to_string_pretty(&r).unwrap();
            assert_eq!(r.indication, Indication::TotalPassed, "{name}: {json}");
            assert_eq!(r.signatures[0].coverage, Coverage::WholePackage, "{name}: {json}");
        }
        // Every Office/POI-signed corpus file: intact, nothing unsigned but
        // what is left out by design.
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            if n.contains("unsigned") || n == "bug58630.xlsx" {
                continue;
            }
            let (r, took) = timed_verify(std::fs::read(&p).unwrap(), &VerifyOptions::default());
            let json = serde_json::to_string_pretty(&r).unwrap();
            assert_eq!(r.signatures.len(), 1, "{n}: {json}");
            assert_eq!(r.signatures[0].modifications, Modifications::None, "{n}: {json}");
            assert_eq!(r.signatures[0].coverage, Coverage::WholePackage, "{n}: {json}");
            assert_eq!(r.indication, Indication::Indeterminate, "{n}: {json}");
            assert!(took < bound());
        }
    }
}

#[test]
fn every_change_kind_and_warning_reads_in_both_languages() {
    use kyso_i18n::{Lang, Translator};
    for lang in [Lang::Vi, Lang::En] {
        let t = Translator::new(lang);
        for kind in kyso_ooxml::CHANGE_KINDS {
            let key = format!("change-{}", kind.replace('_', "-"));
            assert!(t.has(&key), "{lang:?}: {key} is missing");
        }
        for w in [
            "origin_invalid",
            "signature_part_content_type",
            "too_many_references",
            "too_many_ids",
            "manifest_reference_repeated",
            "zip_comment",
            "unsigned_metadata",
            "unsigned_view_settings",
            "unsigned_custom_xml",
            "part_unreferenced",
        ] {
            let key = format!("warn-{}", w.replace('_', "-"));
            assert!(t.has(&key), "{lang:?}: {key} is missing");
        }
        assert!(t.has("coverage-partial"));
    }
    let vi = Translator::new(Lang::Vi);
    assert_eq!(
        vi.tr("change-main-document-relationship-added"),
        "quan hệ thứ hai tới phần văn bản chính, không được ký"
    );
}
