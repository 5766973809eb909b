//! The interop matrix (issue 15, item 8a): documents signed one to three
//! times, in many orders, by Kyso (SoftHSM token), pyHanko (PKCS#12),
//! iText 5 and Apache PDFBox 2 (`../shared/oracles/pdf-java`), on inputs of
//! every structure Kyso meets: a classic cross-reference table, object
//! streams with a cross-reference stream, a linearized file, a direct
//! `/Info` dictionary, XMP metadata, and an NĐ 30 decision exported by
//! LibreOffice. Kyso must say TOTAL_PASSED for every
//! signature of every file; every signature Kyso made must be valid for
//! pyHanko, pdfsig and iText 5. The matrix goes to docs/interop.md.
//!
//! Chains share their prefixes (a chain of three extends the file of its
//! first two signatures), and the external tools run two at a time.

#![allow(clippy::unwrap_used)] // test code panics on purpose

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use kyso_pdf::{SignOptions, sign_pdf, verify_pdf};
use kyso_testkit::{Fixture, pins, require_fixture, tokens};

mod common;
#[path = "common/matrix.rs"]
mod matrix;
use common::{signer, trust};
use matrix::{
    cell, document, itext_verify, java, java_oracle, kyso_words, p12, parallel, pdfsig_valid, pyhanko_p12_sign, rfind,
    stream, write_doc_section,
};

/// The signers, by letter in a chain: K Kyso, P pyHanko, I iText 5, B PDFBox 2.
const SIGNERS: [char; 4] = ['K', 'P', 'I', 'B'];

fn signer_name(c: char) -> &'static str {
    match c {
        'K' => "Kyso",
        'P' => "pyHanko",
        'I' => "iText 5",
        _ => "PDFBox 2",
    }
}

/// A two-page document (ISO 32000-2 §7.7) with `/Info` given as trailer text
/// (`None`: none) and, when `xmp`, an XMP metadata stream (§14.3.2).
fn input_pdf(info_direct: bool, xmp: bool) -> Vec<u8> {
    let mut objects: Vec<(u32, Vec<u8>)> = vec![
        (
            1,
            if xmp {
                b"<< /Type /Catalog /Pages 2 0 R /Metadata 9 0 R >>".to_vec()
            } else {
                b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()
            },
        ),
        (2, b"<< /Type /Pages /Kids [4 0 R 6 0 R] /Count 2 >>".to_vec()),
        (3, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec()),
        (
            4,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>"
                .to_vec(),
        ),
        (5, stream("", b"BT /F1 24 Tf 72 760 Td (Cong van so 42) Tj ET 0 0 0.6 rg 72 600 300 60 re f")),
        (
            6,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 7 0 R >>"
                .to_vec(),
        ),
        (7, stream("", b"BT /F1 24 Tf 72 760 Td (Trang 2) Tj ET")),
        (8, b"<< /Title (Cong van 42) /Producer (kyso interop matrix) >>".to_vec()),
    ];
    if xmp {
        let packet = b"<?xpacket begin=\"\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?><x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"><dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">Cong van 42</rdf:li></rdf:Alt></dc:title><pdf:Producer>kyso interop matrix</pdf:Producer></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>";
        objects.push((9, stream("/Type /Metadata /Subtype /XML", packet)));
    }
    let bytes = document(&objects, (!info_direct).then_some(8));
    if !info_direct {
        return bytes;
    }
    // The trailer's /Info as a direct dictionary (offsets before it are unchanged).
    let at = rfind(&bytes, b"/Root 1 0 R").unwrap();
    let mut out = bytes[..at].to_vec();
    out.extend_from_slice(b"/Root 1 0 R /Info << /Title (Cong van 42) /Author (Van thu) >>");
    out.extend_from_slice(&bytes[at + "/Root 1 0 R".len()..]);
    out
}

/// The inputs: (label, file). qpdf rewrites the plain file with object
/// streams and a cross-reference stream, and linearized.
fn inputs(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    let plain = dir.join("plain.pdf");
    std::fs::write(&plain, input_pdf(false, false)).unwrap();
    let mut out = vec![("plain (xref table)", plain.clone())];
    for (label, flag, name) in [
        ("object streams + xref stream", "--object-streams=generate", "objstm.pdf"),
        ("linearized", "--linearize", "linear.pdf"),
    ] {
        let p = dir.join(name);
        let (ok, msg) = kyso_testkit::run(Command::new("qpdf").arg(flag).arg(&plain).arg(&p));
        assert!(ok, "qpdf {flag}: {msg}");
        out.push((label, p));
    }
    let direct = dir.join("direct-info.pdf");
    std::fs::write(&direct, input_pdf(true, false)).unwrap();
    out.push(("direct /Info", direct));
    let xmp = dir.join("xmp.pdf");
    std::fs::write(&xmp, input_pdf(false, true)).unwrap();
    out.push(("XMP metadata", xmp));
    // LibreOffice's export (tests/run.sh installs it; required under CI).
    let lo = dir.join("lo.pdf");
    match kyso_testkit::nd30::libreoffice_decision(&lo) {
        Ok(()) => out.push(("LibreOffice export", lo)),
        Err(why) => kyso_testkit::require(&why),
    }
    out
}

/// The chains signed on each input, beside their prefixes: on the plain
/// file every single signer, every ordered pair and six triples; on the
/// others each signer alone, each before and after Kyso, and two triples.
fn chains(input: usize) -> Vec<String> {
    let mut v: Vec<String> = SIGNERS.iter().map(|c| c.to_string()).collect();
    if input == 0 {
        for a in SIGNERS {
            for b in SIGNERS {
                v.push(format!("{a}{b}"));
            }
        }
        v.extend(["KPI", "PIB", "IBK", "BKP", "PPP", "KIB"].map(String::from));
    } else {
        for x in SIGNERS {
            v.push(format!("{x}K"));
            if x != 'K' {
                v.push(format!("K{x}"));
            }
        }
        v.extend(
            match input {
                1 => ["PIK", "KKK"],
                2 => ["BPK", "IKP"],
                3 => ["IPK", "KBI"],
                _ => ["PPK", "KPI"],
            }
            .map(String::from),
        );
    }
    v
}

/// Signs `input` into `out` as the `n`-th signature (1-based) with the
/// external signer `who`.
fn external_sign(
    fx: &Fixture,
    oracle: &Path,
    keys: &Path,
    who: char,
    n: usize,
    input: &Path,
    out: &Path,
) -> Result<(), String> {
    let (ok, msg) = match who {
        'P' => pyhanko_p12_sign(&p12(fx, "tochuc", keys), &format!("PyHanko{n}"), false, input, out),
        'I' => java(
            oracle,
            &[
                "itext5-sign".as_ref(),
                input.as_os_str(),
                out.as_os_str(),
                p12(fx, "rsa3072", keys).as_os_str(),
                pins::P12.as_ref(),
                "cades".as_ref(),
            ],
        ),
        _ => java(
            oracle,
            &[
                "pdfbox-sign".as_ref(),
                input.as_os_str(),
                out.as_os_str(),
                p12(fx, "canhan", keys).as_os_str(),
                pins::P12.as_ref(),
            ],
        ),
    };
    if ok && out.is_file() { Ok(()) } else { Err(format!("{} failed: {msg}", signer_name(who))) }
}

/// pyHanko's verdict per field: (field name, judged valid); when it
/// processes no field, its error line as the only entry.
fn pyhanko_fields(fx: &Fixture, file: &Path) -> Vec<(String, bool)> {
    let (_, out) = kyso_testkit::run(
        Command::new("pyhanko")
            .args(["sign", "validate", "--pretty-print", "--no-revocation-check", "--trust-replace", "--trust"])
            .arg(fx.pki_file("root.pem"))
            .arg("--other-certs")
            .arg(fx.pki_file("int.pem"))
            .arg(file),
    );
    let mut v = Vec::new();
    for block in out.split("\nField ").skip(1) {
        let name =
            block.lines().next().and_then(|l| l.split_once(": ")).map(|(_, n)| n.trim().to_owned()).unwrap_or_default();
        v.push((name, block.contains("The signature is judged VALID.")));
    }
    if v.is_empty() {
        let why = out.lines().find(|l| l.contains("rror")).unwrap_or("no output").trim().to_owned();
        v.push((format!("(pyHanko refused the file: {why})"), false));
    }
    v
}

/// pdfsig's verdict per field.
fn pdfsig_fields(file: &Path) -> Vec<(String, bool)> {
    let (_, out) = pdfsig_valid(file);
    out.split("Signature #")
        .skip(1)
        .map(|b| {
            let name = b
                .lines()
                .find_map(|l| l.trim().strip_prefix("- Signature Field Name: "))
                .unwrap_or_default()
                .trim()
                .to_owned();
            (name, b.contains("Signature Validation: Signature is Valid."))
        })
        .collect()
}

/// iText 5's verdict per field.
fn itext_fields(oracle: &Path, file: &Path) -> Vec<(String, bool)> {
    let (_, _, out) = itext_verify(oracle, file);
    out.lines()
        .filter(|l| l.contains("\tvalid="))
        .map(|l| {
            let name = l.split('\t').next().unwrap_or_default().to_owned();
            (name, l.contains("\tvalid=true"))
        })
        .collect()
}

fn tally(v: &[(String, bool)], n: usize) -> String {
    format!("{}/{n}", v.iter().filter(|(_, ok)| *ok).count())
}

/// The fields Kyso signed in a chain, with their place in it.
type KysoFields = Vec<(String, usize)>;

struct Node {
    input: usize,
    chain: String,
    file: PathBuf,
    /// The fields Kyso signed in this chain, with their place in it.
    kyso_fields: KysoFields,
}

#[test]
fn multi_signer_chains_pass_in_kyso_and_kyso_signatures_pass_elsewhere() {
    let fx = require_fixture!();
    for tool in ["pyhanko", "qpdf", "pdfsig"] {
        if !kyso_testkit::tool_or_skip(tool, "the interop matrix") {
            return;
        }
    }
    let Some(oracle) = java_oracle() else { return };
    let started = Instant::now();
    let (_tmp, dir) = matrix::work_dir();
    let dir = dir.as_path();
    let keys = dir.join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    for name in ["tochuc", "rsa3072", "canhan"] {
        p12(fx, name, &keys);
    }
    let kyso = signer(fx, tokens::TOCHUC, pins::TOCHUC, "Sở Thông tin và Truyền thông tỉnh Bắc Ninh");
    let inputs = inputs(dir);

    // Every chain and prefix, by length.
    let mut nodes: BTreeMap<(usize, String), Node> = BTreeMap::new();
    let mut wanted: Vec<(usize, String)> = Vec::new();
    for i in 0..inputs.len() {
        for c in chains(i) {
            for len in 1..=c.len() {
                let p = (i, c[..len].to_owned());
                if !wanted.contains(&p) {
                    wanted.push(p);
                }
            }
        }
    }
    let mut failures: Vec<String> = Vec::new();
    for len in 1..=3 {
        let level: Vec<&(usize, String)> = wanted.iter().filter(|(_, c)| c.len() == len).collect();
        let parent = |i: usize, c: &str| -> Option<(PathBuf, KysoFields)> {
            if c.len() == 1 {
                Some((inputs[i].1.clone(), Vec::new()))
            } else {
                nodes.get(&(i, c[..c.len() - 1].to_owned())).map(|n| (n.file.clone(), n.kyso_fields.clone()))
            }
        };
        let file_of = |i: usize, c: &str| dir.join(format!("in{i}-{c}.pdf"));
        // Kyso signs through one token session, here; the others in parallel.
        let mut made: Vec<Node> = Vec::new();
        for (i, c) in level.iter().filter(|(_, c)| c.ends_with('K')) {
            let Some((src, mut fields)) = parent(*i, c) else { continue };
            let out = file_of(*i, c);
            let opts = SignOptions { reason: Some(format!("Ký lần {len}")), force: true, ..Default::default() };
            match sign_pdf(&src, &out, &kyso, &opts) {
                Ok(o) => {
                    fields.push((o.field_name, len - 1));
                    made.push(Node { input: *i, chain: c.clone(), file: out, kyso_fields: fields });
                }
                Err(e) => failures.push(format!("{} {c}: Kyso could not sign: {e}", inputs[*i].0)),
            }
        }
        let others: Vec<(usize, String, PathBuf, KysoFields)> = level
            .iter()
            .filter(|(_, c)| !c.ends_with('K'))
            .filter_map(|(i, c)| parent(*i, c).map(|(src, f)| (*i, c.clone(), src, f)))
            .collect();
        let results = parallel(others.len(), |k| {
            let (i, c, src, _) = &others[k];
            external_sign(fx, &oracle, &keys, c.chars().last().unwrap(), c.len(), src, &file_of(*i, c))
        });
        for ((i, c, _, fields), r) in others.into_iter().zip(results) {
            match r {
                Ok(()) => made.push(Node { input: i, chain: c.clone(), file: file_of(i, &c), kyso_fields: fields }),
                Err(e) => failures.push(format!("{} {c}: {e}", inputs[i].0)),
            }
        }
        for n in made {
            nodes.insert((n.input, n.chain.clone()), n);
        }
    }
    let signed_in = started.elapsed();

    // Judge every file: Kyso always; pyHanko, pdfsig and iText 5 where Kyso signed.
    let list: Vec<&Node> = nodes.values().collect();
    let judged = parallel(list.len(), |k| {
        let n = list[k];
        let rep = verify_pdf(&n.file, &trust(fx));
        let kyso = kyso_words(&rep);
        let count = n.chain.len();
        let mut problems = Vec::new();
        if kyso != "TOTAL_PASSED" || rep.signatures.len() != count {
            let details: Vec<String> = rep
                .signatures
                .iter()
                .filter(|s| s.sub_indication.is_some())
                .map(|s| format!("{}: {:?} {:?}", s.field, s.sub_indication, s.modification_details))
                .collect();
            problems.push(format!(
                "Kyso: {kyso}, {} of {count} signatures {details:?} {:?}",
                rep.signatures.len(),
                rep.error
            ));
        }
        let (mut py, mut ps, mut it) = ("—".to_owned(), "—".to_owned(), "—".to_owned());
        if !n.kyso_fields.is_empty() {
            let judges = [
                ("pyHanko", pyhanko_fields(fx, &n.file)),
                ("pdfsig", pdfsig_fields(&n.file)),
                ("iText 5", itext_fields(&oracle, &n.file)),
            ];
            for (name, verdicts) in &judges {
                for (f, at) in &n.kyso_fields {
                    // pyHanko's difference analysis also judges the updates
                    // made after Kyso's signature: an iText 5 or PDFBox 2
                    // update can be refused on its own (iText 5 frees the
                    // previous cross-reference stream object, which pyHanko
                    // does not allow, also after pyHanko's own signature), so
                    // there its verdict is shown, not asserted.
                    let foreign_after = n.chain[at + 1..].contains(['I', 'B']);
                    // PDFBox 2 keeps a direct /Info in the revision it signs;
                    // pyHanko's DocInfoRule then cannot read any later update
                    // that has /Info ("indirect object expected") — it
                    // refuses its own signature after PDFBox on that file
                    // too — so there pyHanko is no judge either.
                    let direct_info_signed_by_pdfbox =
                        inputs[n.input].0 == "direct /Info" && n.chain[..*at].contains('B');
                    if *name == "pyHanko" && (foreign_after || direct_info_signed_by_pdfbox) {
                        continue;
                    }
                    if !verdicts.iter().any(|(v, ok)| v == f && *ok) {
                        problems.push(format!("{name} does not find Kyso's {f} valid: {verdicts:?}"));
                    }
                }
            }
            py = tally(&judges[0].1, count);
            ps = tally(&judges[1].1, count);
            it = tally(&judges[2].1, count);
        }
        (kyso, py, ps, it, problems)
    });

    let mut md = String::from(
        "## Interop matrix\n\nEach row is one file: the input, then its signers in order (K Kyso through the SoftHSM \
token, P pyHanko, I iText 5, B PDFBox 2; the last three with PKCS#12 keys of the fixture PKI). Expected: Kyso \
TOTAL_PASSED for every signature; every signature Kyso made valid for pyHanko, pdfsig and iText 5 (their columns \
count the signatures each finds valid, among all of the file's; `—`: not asked, no Kyso signature in the file). \
pyHanko's verdict on a Kyso signature followed by an iText 5 or PDFBox 2 signature is shown, not asserted: \
its difference analysis refuses some of their updates on their own (iText 5 frees the previous cross-reference \
stream object; it does so after pyHanko's own signatures too). Nor is it asserted on the direct-/Info input \
after a PDFBox 2 signature: PDFBox keeps /Info direct in the revision it signs and pyHanko then cannot read any \
later update that carries /Info, its own included.\n\n\
| input | signers | Kyso | pyHanko | pdfsig | iText 5 |\n|---|---|---|---|---|---|\n",
    );
    for (n, (kyso, py, ps, it, problems)) in list.iter().zip(&judged) {
        let chain: Vec<&str> = n.chain.chars().map(signer_name).collect();
        md.push_str(&format!(
            "| {} | {} | {}{} | {py} | {ps} | {it} |\n",
            cell(inputs[n.input].0),
            chain.join(" → "),
            cell(kyso),
            if problems.is_empty() { "" } else { " ✗" }
        ));
        for p in problems {
            failures.push(format!("{} {}: {p}", inputs[n.input].0, n.chain));
        }
    }
    if !inputs.iter().any(|(l, _)| l.starts_with("LibreOffice")) {
        md.push_str("\nLibreOffice is not installed on the machine that wrote this file: no LibreOffice-made input.\n");
    }
    md.push_str(&format!(
        "\n{} files, {} as expected.\n",
        list.len(),
        judged.iter().filter(|j| j.4.is_empty()).count()
    ));
    write_doc_section("interop", &md);
    eprintln!(
        "interop matrix: {} files signed in {:.1} s, judged in {:.1} s",
        list.len(),
        signed_in.as_secs_f64(),
        (started.elapsed() - signed_in).as_secs_f64()
    );
    for f in &failures {
        eprintln!("NOT AS EXPECTED {f}");
    }
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
}
