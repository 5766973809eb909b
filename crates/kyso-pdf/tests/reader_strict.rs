//! The strict cross-reference reader (ISO 32000-2 §7.5): every irregularity
//! is a named finding, the repairs mature readers make are made and named,
//! no input makes the reader, the object parser, the filters or the
//! verifier panic (the fuzz crash inputs and seed corpus under
//! `tests/fuzz-regressions/`), and Kyso's output stays readable by pyHanko's
//! strict validation when the input has a direct `/Info` or a dangling
//! reference.

#![allow(clippy::unwrap_used)] // test helpers panic on purpose

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kyso_pdf::object::Object;
use kyso_pdf::reader::{XrefFinding, XrefFindingKind as K};
use kyso_pdf::{PdfReader, SignOptions, VerifyOptions, XrefEntry, sign_pdf, verify_pdf};
mod common;
use kyso_testkit::{pdf_from_objects, pins, require_fixture, tokens};

/// Catalog, page tree, one page and its content: the objects of the
/// crafted files below (numbers 1 to 4).
fn objects() -> Vec<String> {
    let text = "BT /F1 12 Tf 72 720 Td (x) Tj ET";
    vec![
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>".into(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
    ]
}

/// A body of `objects` numbered from 1, and the offset of each.
fn body(objects: &[String]) -> (Vec<u8>, Vec<usize>) {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    (out, offsets)
}

/// One row of a cross-reference stream with /W [1 4 2].
fn row(kind: u8, a: u64, b: u16) -> Vec<u8> {
    let mut r = vec![kind];
    r.extend_from_slice(&u32::try_from(a).unwrap().to_be_bytes());
    r.extend_from_slice(&b.to_be_bytes());
    r
}

/// Appends an uncompressed cross-reference stream (object `num`) with the
/// given rows and extra dictionary entries, `startxref` and `%%EOF`.
fn append_xref_stream(out: &mut Vec<u8>, num: usize, rows: &[u8], dict: &str) -> usize {
    let at = out.len();
    out.extend_from_slice(
        format!("{num} 0 obj\n<< /Type /XRef /W [1 4 2] {dict} /Length {} >>\nstream\n", rows.len()).as_bytes(),
    );
    out.extend_from_slice(rows);
    out.extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{at}\n%%EOF\n").as_bytes());
    at
}

/// `objects` with a cross-reference stream whose rows `edit` may change.
fn stream_pdf(objects: &[String], edit: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let (mut out, offsets) = body(objects);
    let num = objects.len() + 1;
    let mut rows = row(0, 0, 65535);
    for o in &offsets {
        rows.extend(row(1, *o as u64, 0));
    }
    rows.extend(row(1, out.len() as u64, 0));
    edit(&mut rows);
    append_xref_stream(&mut out, num, &rows, &format!("/Size {} /Root 1 0 R", num + 1));
    out
}

/// Appends an update with a classic table: `objects` as (number, body),
/// and a trailer whose `/Prev` is `prev`.
fn append_table_update(out: &mut Vec<u8>, objects: &[(u32, String)], size: u32, prev: u64, extra: &str) -> usize {
    let mut offs = Vec::new();
    for (n, o) in objects {
        offs.push((*n, out.len()));
        out.extend_from_slice(format!("{n} 0 obj\n{o}\nendobj\n").as_bytes());
    }
    let at = out.len();
    out.extend_from_slice(b"xref\n0 1\n0000000000 65535 f\r\n");
    for (n, o) in offs {
        out.extend_from_slice(format!("{n} 1\n{o:010} 00000 n\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {size} /Root 1 0 R /Prev {prev} {extra} >>\nstartxref\n{at}\n%%EOF\n").as_bytes(),
    );
    at
}

/// `bytes` with the first `from` replaced by `to`.
fn replace(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    let at = bytes.windows(from.len()).position(|w| w == from.as_bytes()).unwrap();
    [&bytes[..at], to.as_bytes(), &bytes[at + from.len()..]].concat()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn open(dir: &Path, name: &str, bytes: &[u8]) -> PdfReader {
    PdfReader::open(&write(dir, name, bytes)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn kinds(r: &PdfReader) -> Vec<K> {
    r.findings().iter().map(|f| f.kind.clone()).collect()
}

/// Offset of the last `xref` table of a file.
fn last_table(bytes: &[u8]) -> usize {
    bytes.windows(6).rposition(|w| w == b"\nxref\n").unwrap() + 1
}

#[test]
fn well_formed_tables_and_streams_have_no_findings() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [("t.pdf", pdf_from_objects(&objects())), ("s.pdf", stream_pdf(&objects(), |_| {}))] {
        let r = open(dir.path(), name, &bytes);
        assert!(r.findings().is_empty(), "{name}: {:?}", r.findings());
        assert_eq!(r.eof_end(), r.len(), "{name}");
        assert_eq!(r.pages().unwrap(), [3], "{name}");
        assert!(matches!(r.get(4).unwrap(), Object::Stream(..)));
    }
}

#[test]
fn truncated_xref_stream_rows_are_named_not_skipped() {
    let dir = tempfile::tempdir().unwrap();
    // The last row (the xref stream itself) cut in the middle.
    let r = open(dir.path(), "cut.pdf", &stream_pdf(&objects(), |rows| rows.truncate(rows.len() - 3)));
    assert!(kinds(&r).contains(&K::TruncatedXrefStream { expected: 6, found: 5 }), "{:?}", r.findings());
    assert_eq!(r.findings()[0].name(), "truncated_xref_stream");
    assert!(r.findings()[0].is_defect());
    // Rows missing altogether.
    let r = open(dir.path(), "short.pdf", &stream_pdf(&objects(), |rows| rows.truncate(7 * 4)));
    assert!(kinds(&r).contains(&K::TruncatedXrefStream { expected: 6, found: 4 }), "{:?}", r.findings());
    // Bytes after the last row.
    let r = open(dir.path(), "long.pdf", &stream_pdf(&objects(), |rows| rows.extend_from_slice(&[0; 9])));
    assert!(kinds(&r).contains(&K::ExtraXrefStreamData { bytes: 9 }), "{:?}", r.findings());
}

#[test]
fn unknown_xref_stream_entry_types_are_named() {
    let dir = tempfile::tempdir().unwrap();
    // Object 4 (the content stream) given type 7: §7.5.8.3 makes it null.
    let r = open(dir.path(), "t7.pdf", &stream_pdf(&objects(), |rows| rows[4 * 7] = 7));
    assert!(kinds(&r).contains(&K::UnknownEntryType { num: 4, kind: 7 }), "{:?}", r.findings());
    assert_eq!(r.entry(4), None);
    assert_eq!(r.get(4).unwrap(), Object::Null);
}

#[test]
fn generation_mismatches_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = pdf_from_objects(&objects());
    // The table says object 3 has generation 2; its header says 0.
    let table = last_table(&bytes);
    let line = table + "xref\n0 5\n".len() + 3 * 20;
    bytes[line + 11..line + 16].copy_from_slice(b"00002");
    let r = open(dir.path(), "gen.pdf", &bytes);
    assert_eq!(kinds(&r), [K::GenerationMismatch { num: 3, xref: 2, found: 0 }], "{:?}", r.findings());
    assert_eq!(r.findings()[0].name(), "generation_mismatch");
}

#[test]
fn data_after_the_final_eof_is_accounted_for() {
    let dir = tempfile::tempdir().unwrap();
    let clean = pdf_from_objects(&objects());
    // White space (more than the old 2 KB window) is no finding.
    let mut padded = clean.clone();
    padded.extend(std::iter::repeat_n(b' ', 5000));
    padded.push(b'\n');
    let r = open(dir.path(), "pad.pdf", &padded);
    assert!(r.findings().is_empty(), "{:?}", r.findings());
    assert_eq!(r.eof_end(), clean.len() as u64);
    // An object appended without any cross-reference section.
    let mut extra = clean.clone();
    extra.extend_from_slice(b"4 0 obj\n<< /Length 3 >>\nstream\nBT\nendstream\nendobj\n");
    let r = open(dir.path(), "extra.pdf", &extra);
    let want = K::DataAfterEof { offset: clean.len() as u64, len: (extra.len() - clean.len()) as u64 };
    assert_eq!(kinds(&r), [want], "{:?}", r.findings());
    // A `startxref` more than 2 KB before the end is still found.
    let mut far = clean.clone();
    far.extend(std::iter::repeat_n(b'%', 4000));
    let r = open(dir.path(), "far.pdf", &far);
    assert!(matches!(kinds(&r)[..], [K::DataAfterEof { len: 4000, .. }]), "{:?}", r.findings());
    // No %%EOF at all.
    let cut = &clean[..clean.len() - "%%EOF\n".len()];
    assert_eq!(kinds(&open(dir.path(), "noeof.pdf", cut)), [K::MissingEof]);
}

#[test]
fn cyclic_prev_chains_are_named_and_stop() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = pdf_from_objects(&objects());
    // A section whose /Prev is its own offset.
    let mut self_loop = bytes.clone();
    let at = self_loop.len();
    self_loop.extend_from_slice(
        format!(
            "xref\n0 1\n0000000000 65535 f\r\ntrailer\n<< /Size 5 /Root 1 0 R /Prev {at} >>\nstartxref\n{at}\n%%EOF\n"
        )
        .as_bytes(),
    );
    let r = open(dir.path(), "loop.pdf", &self_loop);
    assert_eq!(kinds(&r), [K::RelistedSection { prev: at as u64 }], "{:?}", r.findings());
    assert_eq!(r.sections().len(), 1);
    assert_eq!(r.findings()[0].name(), "relisted_xref_section");
    // Two sections pointing at each other (integers written with leading
    // zeros so the offsets are known before writing).
    let mut two = bytes.clone();
    let a = two.len();
    let section =
        |prev: usize| format!("xref\n0 1\n0000000000 65535 f\r\ntrailer\n<< /Size 5 /Root 1 0 R /Prev {prev:010} >>\n");
    let b = a + section(0).len();
    two.extend_from_slice(section(b).as_bytes());
    two.extend_from_slice(section(a).as_bytes());
    two.extend_from_slice(format!("startxref\n{b}\n%%EOF\n").as_bytes());
    let r = open(dir.path(), "two.pdf", &two);
    assert_eq!(kinds(&r), [K::RelistedSection { prev: b as u64 }], "{:?}", r.findings());
    assert_eq!(r.sections().len(), 2);
}

#[test]
fn a_prev_a_few_bytes_off_is_repaired_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = pdf_from_objects(&objects());
    let first = last_table(&bytes) as u64;
    let page = objects()[2].replace("200 200", "300 300");
    // /Prev 3 bytes into the first section ("ef\n0 5..."), as in the EU DSS
    // five-signature file that qpdf, poppler and PDFBox read.
    append_table_update(&mut bytes, &[(3, page.clone())], 5, first + 3, "");
    let r = open(dir.path(), "prev.pdf", &bytes);
    assert_eq!(kinds(&r), [K::XrefRepaired { from: first + 3, to: first }], "{:?}", r.findings());
    assert!(r.findings()[0].is_repair() && !r.findings()[0].is_defect());
    assert_eq!(r.findings()[0].name(), "xref_repaired");
    assert_eq!(r.sections().len(), 2);
    assert_eq!(r.sections()[1].offset, first);
    assert_eq!(r.pages().unwrap(), [3]);
    assert!(format!("{:?}", r.get(3).unwrap()).contains("300"));
    // The same for an object offset: object 2 listed 2 bytes early.
    let mut obj = pdf_from_objects(&objects());
    let line = last_table(&obj) + "xref\n0 5\n".len() + 2 * 20;
    let wrong = std::str::from_utf8(&obj[line..line + 10]).unwrap().parse::<u64>().unwrap() - 2;
    obj[line..line + 10].copy_from_slice(format!("{wrong:010}").as_bytes());
    let r = open(dir.path(), "obj.pdf", &obj);
    assert_eq!(kinds(&r), [K::ObjectOffsetRepaired { num: 2, from: wrong, to: wrong + 2 }], "{:?}", r.findings());
    assert_eq!(r.entry(2), Some(XrefEntry::Offset(wrong + 2, 0)));
    assert_eq!(r.pages().unwrap(), [3]);
    // Nothing near: an error, not a guess.
    let mut far = pdf_from_objects(&objects());
    let at = far.windows(9).rposition(|w| w == b"startxref").unwrap();
    far.truncate(at);
    far.extend_from_slice(format!("startxref\n{}\n%%EOF\n", at + 5000).as_bytes());
    assert!(PdfReader::open(&write(dir.path(), "far.pdf", &far)).is_err());
}

#[test]
fn hybrid_files_keep_the_tables_entries() {
    let dir = tempfile::tempdir().unwrap();
    // A table listing object 3 in use and object 4 free, and an /XRefStm
    // stream that moves object 3 elsewhere and gives object 4 a location.
    let (mut bytes, offsets) = body(&objects());
    let other_page = bytes.len();
    bytes.extend_from_slice(b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 9 9] >>\nendobj\n");
    let mut rows = row(1, other_page as u64, 0);
    rows.extend(row(1, offsets[3] as u64, 0));
    let stm_at = bytes.len();
    bytes.extend_from_slice(
        format!("6 0 obj\n<< /Type /XRef /W [1 4 2] /Index [3 2] /Size 7 /Length {} >>\nstream\n", rows.len())
            .as_bytes(),
    );
    bytes.extend_from_slice(&rows);
    bytes.extend_from_slice(b"\nendstream\nendobj\n");
    let table = bytes.len();
    bytes.extend_from_slice(b"xref\n0 5\n0000000000 65535 f\r\n");
    for o in &offsets[..3] {
        bytes.extend_from_slice(format!("{o:010} 00000 n\r\n").as_bytes());
    }
    bytes.extend_from_slice(b"0000000000 65535 f\r\n");
    bytes.extend_from_slice(
        format!("trailer\n<< /Size 7 /Root 1 0 R /XRefStm {stm_at} >>\nstartxref\n{table}\n%%EOF\n").as_bytes(),
    );
    let r = open(dir.path(), "hybrid.pdf", &bytes);
    assert_eq!(kinds(&r), [K::HybridConflict { num: 3 }, K::HybridFreeFilled { num: 4 }], "{:?}", r.findings());
    assert_eq!(r.entry(3), Some(XrefEntry::Offset(offsets[2] as u64, 0)), "the table wins");
    assert_eq!(r.entry(4), Some(XrefEntry::Offset(offsets[3] as u64, 0)), "the stream fills a free entry");
    assert!(r.findings()[0].is_defect() && !r.findings()[1].is_defect());
}

#[test]
fn object_stream_offsets_never_overflow() {
    let dir = tempfile::tempdir().unwrap();
    // An object stream whose /First and offset add up past usize::MAX
    // (reader.rs used `first + at as usize`).
    let index = "5 18446744073709551615 ";
    let objstm = format!(
        "<< /Type /ObjStm /N 1 /First 9223372036854775807 /Length {} >>\nstream\n{index}<< >>\nendstream",
        index.len() + 5
    );
    let mut objs = objects();
    objs.push(objstm);
    let bytes = stream_pdf(&objs, |rows| {
        // Object 6 is the xref stream itself; a row for 7 inside stream 5.
        rows.extend(row(2, 5, 0));
    });
    // /Size says 7 objects but the rows describe 8: the extra row is named.
    let r = open(dir.path(), "objstm.pdf", &bytes);
    assert!(r.get(7).is_err() || r.get(7).unwrap() == Object::Null);
    // The same with a /Size that covers it.
    let bytes = replace(&bytes, "/Size 7", "/Size 8");
    let r = open(dir.path(), "objstm8.pdf", &bytes);
    assert_eq!(r.entry(7), Some(XrefEntry::InStream(5, 0)));
    let e = r.get(7).unwrap_err().to_string();
    assert!(e.contains("object stream"), "{e}");
}

#[test]
fn fresh_object_numbers_skip_dangling_references() {
    let dir = tempfile::tempdir().unwrap();
    let mut objs = objects();
    // The page's resources point at object 9, which no section defines.
    objs[2] = objs[2].replace("/Contents", "/Resources << /XObject << /Im0 9 0 R >> >> /Contents");
    let r = open(dir.path(), "dangling.pdf", &pdf_from_objects(&objs));
    assert_eq!(r.next_object_number(), 5);
    assert_eq!(r.fresh_object_number().unwrap(), 10);
    assert_eq!(r.scan_references().unwrap().dangling, [9]);
    // Also inside an object stream, and far numbers are ignored.
    let plain = open(dir.path(), "plain.pdf", &pdf_from_objects(&objects()));
    assert_eq!(plain.fresh_object_number().unwrap(), 5);
}

/// Every file of the third-party corpus opens (the two damaged ones are
/// refused with an error, never a panic); the findings of each are printed.
#[test]
fn every_corpus_file_opens_with_its_findings() {
    let Some(shared) = kyso_testkit::shared_or_skip("the third-party PDF corpus") else { return };
    let mut names: Vec<_> = std::fs::read_dir(shared.join("corpus/pdf"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    names.sort();
    assert!(names.len() >= 30);
    // Damaged beyond a local repair (qpdf reconstructs it from scratch):
    // EXPECTED.md wants a failure without a crash.
    let damaged = ["pades_infinite_loop.pdf"];
    for p in &names {
        let name = p.file_name().unwrap().to_str().unwrap();
        let start = Instant::now();
        match PdfReader::open(p) {
            Ok(r) => {
                let f: Vec<String> = r.findings().iter().map(XrefFinding::to_string).collect();
                eprintln!("{name}: {} sections, findings: {f:?}", r.sections().len());
                assert!(!damaged.contains(&name), "{name} was expected to be refused");
                r.pages().unwrap_or_else(|e| panic!("{name}: {e}"));
                // 10 bytes cut out of the file: the sections and objects
                // after the cut are found 10 bytes early, as qpdf does.
                if name == "pdf-signed-corrupted.pdf" {
                    assert!(r.findings().iter().all(XrefFinding::is_repair), "{name}: {f:?}");
                    assert!(!r.findings().is_empty());
                } else {
                    assert!(r.findings().iter().all(|f| !f.is_defect()), "{name}: {f:?}");
                }
            }
            Err(e) => {
                eprintln!("{name}: refused: {e}");
                assert!(damaged.contains(&name), "{name}: {e}");
            }
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{name}");
    }
}

/// Opens, resolves every object and verifies, under catch_unwind, with a
/// time bound.
fn survive(path: &Path) -> Result<(), String> {
    let p = path.to_owned();
    let start = Instant::now();
    let outcome = std::panic::catch_unwind(move || {
        if let Ok(r) = PdfReader::open(&p) {
            let _ = r.catalog();
            let _ = r.pages();
            let _ = r.fresh_object_number();
            for n in 0..r.next_object_number().min(4096) {
                if let Ok(o) = r.get(n) {
                    let _ = r.resolve(&o);
                    if let Object::Stream(d, data) = &o {
                        let _ = r.stream_data(d, data);
                    }
                }
            }
            for s in r.sections() {
                for (n, e) in s.entries.iter().take(4096) {
                    let _ = r.get_entry(*n, *e);
                }
            }
        }
        let report = verify_pdf(&p, &VerifyOptions::default());
        report.signatures.len()
    });
    match outcome {
        Err(e) => Err(format!(
            "panic: {}",
            e.downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        )),
        Ok(_) if start.elapsed() > Duration::from_secs(20) => Err(format!("took {:?}", start.elapsed())),
        Ok(_) => Ok(()),
    }
}

/// Every crash input the fuzzers found, and their seed corpus, run through
/// the reader and the verifier: no panic, a bounded time.
#[test]
fn fuzz_regressions_and_seeds_never_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "md"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "{} files in {}", files.len(), dir.display());
    let failures: Vec<String> = files
        .iter()
        .filter_map(|f| survive(f).err().map(|e| format!("{}: {e}", f.file_name().unwrap().to_string_lossy())))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

fn validate(file: &Path, expected: usize) {
    let fx = kyso_testkit::fixture().unwrap();
    let Some((ok, out)) = kyso_testkit::pyhanko_validate(fx, file) else { return };
    assert!(ok, "pyHanko rejected {}:\n{out}", file.display());
    assert_eq!(out.matches("The signature is judged VALID.").count(), expected, "{out}");
    assert!(!out.contains("INVALID") && !out.contains("ILLEGAL"), "{out}");
}

/// Kyso signs `input` twice, then pyHanko (strict reading) adds a third
/// signature; pyHanko validates every signature after each step.
fn sign_and_validate(input: &Path, dir: &Path) -> PathBuf {
    let fx = kyso_testkit::fixture().unwrap();
    let signer = common::signer(fx, tokens::CANHAN, pins::CANHAN, "Nguyễn Văn A");
    let (one, two, three) = (dir.join("one.pdf"), dir.join("two.pdf"), dir.join("three.pdf"));
    sign_pdf(input, &one, &signer, &SignOptions::default()).unwrap();
    validate(&one, 1);
    sign_pdf(&one, &two, &signer, &SignOptions::default()).unwrap();
    validate(&two, 2);
    if kyso_testkit::tool_or_skip("pyhanko", "pyHanko signing Kyso's output") {
        let (ok, err) = kyso_testkit::pyhanko_pkcs11_sign(fx, tokens::TOCHUC, pins::TOCHUC, "tochuc", &two, &three);
        assert!(ok, "pyHanko could not sign Kyso's output: {err}");
        validate(&three, 3);
    }
    one
}

/// ISO 32000-2 Table 15: Kyso writes `/Info` as an indirect object when the
/// input's is a direct dictionary, and pyHanko's strict validation reads
/// the result.
#[test]
fn direct_info_is_written_indirect_and_pyhanko_validates() {
    let _fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let bytes = replace(&pdf_from_objects(&objects()), "/Root 1 0 R", "/Root 1 0 R /Info << /Title (Cong van) >>");
    let input = write(dir.path(), "info.pdf", &bytes);
    let out = sign_and_validate(&input, dir.path());
    let r = PdfReader::open(&out).unwrap();
    let Some(Object::Ref(n, _)) = r.trailer().get("Info") else { panic!("{:?}", r.trailer()) };
    let info = r.get(*n).unwrap();
    assert_eq!(info.as_dict().unwrap().get("Title"), Some(&Object::Str(b"Cong van".to_vec())));
}

/// New object numbers never capture a dangling reference of the input
/// (§7.3.10): the page's /Resources point at an undefined object 5, which
/// a Kyso update must not define.
#[test]
fn dangling_references_are_not_captured_and_pyhanko_validates() {
    let _fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let mut objs = objects();
    objs[2] = objs[2].replace("/Contents", "/Resources << /XObject << /Im0 5 0 R >> >> /Contents");
    let input = write(dir.path(), "dangling.pdf", &pdf_from_objects(&objs));
    let out = sign_and_validate(&input, dir.path());
    let r = PdfReader::open(&out).unwrap();
    assert_eq!(r.get(5).unwrap(), Object::Null, "object 5 stays undefined");
    // The update rewrites old objects (1 to 4) and adds new ones above 5.
    assert!(r.sections()[0].entries.iter().all(|(n, _)| *n != 5), "{:?}", r.sections()[0].entries);
}
