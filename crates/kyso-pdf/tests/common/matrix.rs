#![allow(dead_code, clippy::unwrap_used)]
//! What the interop and attack matrices (tests/interop.rs, tests/attacks.rs)
//! share: the hand-written incremental update builder, the independent
//! judges (pyHanko, pdfsig, iText 5 through `../shared/oracles/pdf-java`,
//! poppler's `pdftoppm` for what a reader sees), the signers other than
//! Kyso, a small worker pool and the writer of `docs/interop.md`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use kyso_pdf::object::{Object, write_object};
use kyso_pdf::{Indication, PdfReader, PdfReport};
use kyso_testkit::{Fixture, pins};

/// `o` serialised (dictionaries, arrays, references; not stream data).
pub fn ser(o: &Object) -> Vec<u8> {
    let mut v = Vec::new();
    write_object(&mut v, o);
    v
}

/// A PDF from numbered object bodies (`(num, body)`, any order) with a
/// classic cross-reference table and a trailer naming `/Root 1 0 R` and,
/// when given, `/Info`. ISO 32000-2 §7.5.
pub fn document(objects: &[(u32, Vec<u8>)], info: Option<u32>) -> Vec<u8> {
    let mut objects = objects.to_vec();
    objects.sort_by_key(|(n, _)| *n);
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (n, body) in &objects {
        offsets.push((*n, out.len()));
        out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let size = objects.last().map_or(1, |(n, _)| n + 1);
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {size}\n0000000000 65535 f\r\n").as_bytes());
    for n in 1..size {
        match offsets.iter().find(|(m, _)| *m == n) {
            Some((_, off)) => out.extend_from_slice(format!("{off:010} 00000 n\r\n").as_bytes()),
            None => out.extend_from_slice(b"0000000000 00001 f\r\n"),
        }
    }
    let info = info.map(|i| format!(" /Info {i} 0 R")).unwrap_or_default();
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {size} /Root 1 0 R{info} /ID [<4b59534f4d415452> <4b59534f4d415452>] >>\nstartxref\n{xref}\n%%EOF\n"
        )
        .as_bytes(),
    );
    out
}

/// A stream object body: `<< dict /Length n >> stream … endstream`.
pub fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut v = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    v.extend_from_slice(data);
    v.extend_from_slice(b"\nendstream");
    v
}

/// Where `needle` last occurs in `hay` (byte offsets: PDF files are not UTF-8).
pub fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The offset the last `startxref` of `bytes` names.
pub fn last_startxref(bytes: &[u8]) -> u64 {
    let at = bytes.windows(9).rposition(|w| w == b"startxref").expect("startxref");
    let rest = std::str::from_utf8(&bytes[at + 9..]).unwrap_or("");
    rest.split_whitespace().next().and_then(|t| t.parse().ok()).expect("startxref offset")
}

/// An incremental update written by hand (ISO 32000-2 §7.5.6): object
/// bodies, then a cross-reference table or stream and a trailer whose
/// `/Prev` is the base's last section. The builder writes what it is told,
/// also what no conforming writer would (that is what attacks are).
pub struct Update {
    /// The base file, ending with an end-of-line.
    pub base: Vec<u8>,
    body: Vec<u8>,
    /// (number, generation, offset) of each object written.
    pub entries: Vec<(u32, u16, u64)>,
    /// `/Prev`.
    pub prev: u64,
    /// The first unused object number.
    pub next: u32,
    /// Trailer entries (key without slash, serialised value), in order.
    pub trailer: Vec<(String, String)>,
}

impl Update {
    /// An update to the file at `path` (its trailer's `/Root`, `/Info`,
    /// `/ID` carried over).
    pub fn new(path: &Path) -> Self {
        let mut base = std::fs::read(path).expect("base file");
        let reader = PdfReader::open(path).expect("base parses");
        let prev = last_startxref(&base);
        if !base.ends_with(b"\n") && !base.ends_with(b"\r") {
            base.push(b'\n');
        }
        let mut trailer = Vec::new();
        for key in ["Root", "Info", "ID"] {
            if let Some(v) = reader.trailer().get(key) {
                trailer.push((key.to_owned(), String::from_utf8_lossy(&ser(v)).into_owned()));
            }
        }
        Self { base, body: Vec::new(), entries: Vec::new(), prev, next: reader.next_object_number(), trailer }
    }

    /// A new object number.
    pub fn alloc(&mut self) -> u32 {
        self.next += 1;
        self.next - 1
    }

    /// Absolute offset of the next byte written.
    pub fn position(&self) -> u64 {
        (self.base.len() + self.body.len()) as u64
    }

    /// `num gen obj body endobj`, listed in the cross-reference section.
    pub fn obj_gen(&mut self, num: u32, gen_: u16, body: &[u8]) {
        let at = self.position();
        self.entries.push((num, gen_, at));
        self.body.extend_from_slice(format!("{num} {gen_} obj\n").as_bytes());
        self.body.extend_from_slice(body);
        self.body.extend_from_slice(b"\nendobj\n");
        self.next = self.next.max(num + 1);
    }

    /// `num 0 obj body endobj`.
    pub fn obj(&mut self, num: u32, body: &[u8]) {
        self.obj_gen(num, 0, body);
    }

    /// A kyso [`Object`] (dictionary, array…) as object `num`.
    pub fn object(&mut self, num: u32, o: &Object) {
        self.obj(num, &ser(o));
    }

    /// Bytes written as they are (not listed in the cross-reference section).
    pub fn raw(&mut self, bytes: &[u8]) {
        self.body.extend_from_slice(bytes);
    }

    /// `num 0 obj body endobj` written but not listed; its offset.
    pub fn obj_unlisted(&mut self, num: u32, body: &[u8]) -> u64 {
        let at = self.position();
        self.raw(format!("{num} 0 obj\n").as_bytes());
        self.raw(body);
        self.raw(b"\nendobj\n");
        at
    }

    /// Lists object `num` at `offset` without writing it (an entry that
    /// points at bytes written elsewhere, e.g. in an earlier revision).
    pub fn list(&mut self, num: u32, gen_: u16, offset: u64) {
        self.entries.push((num, gen_, offset));
    }

    /// Sets (or, with `None`, removes) a trailer entry.
    pub fn set_trailer(&mut self, key: &str, value: Option<&str>) {
        self.trailer.retain(|(k, _)| k != key);
        if let Some(v) = value {
            self.trailer.push((key.to_owned(), v.to_owned()));
        }
    }

    /// The base and the objects written so far (no section yet).
    pub fn written(&self) -> Vec<u8> {
        let mut out = self.base.clone();
        out.extend_from_slice(&self.body);
        out
    }

    /// The trailer entries as ` /Key value` text (without `/Size`, `/Prev`).
    pub fn trailer_entries(&self) -> String {
        self.trailer.iter().map(|(k, v)| format!(" /{k} {v}")).collect()
    }

    /// The whole file: base, objects, a classic table, trailer, `%%EOF`.
    pub fn finish_table(self) -> Vec<u8> {
        let mut out = self.base.clone();
        out.extend_from_slice(&self.body);
        let xref = out.len();
        out.extend_from_slice(b"xref\n");
        let mut entries = self.entries.clone();
        entries.sort_by_key(|e| e.0);
        entries.dedup_by_key(|e| e.0);
        let mut i = 0;
        while i < entries.len() {
            let mut j = i + 1;
            while j < entries.len() && entries[j].0 == entries[j - 1].0 + 1 {
                j += 1;
            }
            out.extend_from_slice(format!("{} {}\n", entries[i].0, j - i).as_bytes());
            for (_, g, off) in &entries[i..j] {
                out.extend_from_slice(format!("{off:010} {g:05} n\r\n").as_bytes());
            }
            i = j;
        }
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {}{} /Prev {} >>\nstartxref\n{xref}\n%%EOF\n",
                self.next,
                self.trailer_entries(),
                self.prev
            )
            .as_bytes(),
        );
        out
    }

    /// The whole file with a cross-reference stream (ISO 32000-2 §7.5.8,
    /// `/W [1 4 2]`, unfiltered) listing `extra` rows (number, type, field 2,
    /// field 3) beside the objects written; `cut` bytes are dropped from the
    /// end of the row data (a truncated stream, for the leniency cases).
    /// `number`: the stream's own object number (default: a new one).
    pub fn finish_stream(mut self, extra: &[(u32, u8, u32, u16)], cut: usize, number: Option<u32>) -> Vec<u8> {
        let me = number.unwrap_or_else(|| self.alloc());
        let at = self.position();
        let mut rows: Vec<(u32, u8, u32, u16)> =
            self.entries.iter().map(|(n, g, off)| (*n, 1u8, *off as u32, *g)).collect();
        rows.extend_from_slice(extra);
        rows.push((me, 1, at as u32, 0));
        rows.sort_by_key(|r| r.0);
        rows.dedup_by_key(|r| r.0);
        let mut index = Vec::new();
        let mut data = Vec::new();
        let mut i = 0;
        while i < rows.len() {
            let mut j = i + 1;
            while j < rows.len() && rows[j].0 == rows[j - 1].0 + 1 {
                j += 1;
            }
            index.push(format!("{} {}", rows[i].0, j - i));
            i = j;
        }
        for (_, t, f2, f3) in &rows {
            data.push(*t);
            data.extend_from_slice(&f2.to_be_bytes());
            data.extend_from_slice(&f3.to_be_bytes());
        }
        data.truncate(data.len() - cut);
        let dict = format!(
            "/Type /XRef /Size {} /W [1 4 2] /Index [{}]{} /Prev {}",
            self.next,
            index.join(" "),
            self.trailer_entries(),
            self.prev
        );
        let body = stream(&dict, &data);
        self.body.extend_from_slice(format!("{me} 0 obj\n").as_bytes());
        self.body.extend_from_slice(&body);
        self.body.extend_from_slice(b"\nendobj\n");
        let mut out = self.base;
        out.extend_from_slice(&self.body);
        out.extend_from_slice(format!("startxref\n{at}\n%%EOF\n").as_bytes());
        out
    }
}

/// Kyso's verdict on a file in the matrix's words: the document's
/// indication, and the worst signature's sub-indication.
pub fn kyso_words(r: &PdfReport) -> String {
    let ind = |i: Indication| match i {
        Indication::TotalPassed => "TOTAL_PASSED",
        Indication::Indeterminate => "INDETERMINATE",
        Indication::TotalFailed => "TOTAL_FAILED",
    };
    let sub = r
        .signatures
        .iter()
        .filter(|s| s.indication == r.indication)
        .find_map(|s| s.sub_indication)
        .map(|s| format!(" {s}"))
        .or_else(|| r.error.as_ref().map(|e| format!(" ({})", e.chars().take(60).collect::<String>())))
        .unwrap_or_default();
    format!("{}{sub}", ind(r.indication))
}

/// pyHanko's judgement of every signature of `file` (`pyhanko sign
/// validate`, fixture root as the only anchor, revocation not checked):
/// `VALID` when each is judged valid, `INVALID` when one is not, `refused`
/// when pyHanko could not process the file; and its output.
pub fn pyhanko_words(fx: &Fixture, file: &Path) -> (String, String) {
    let (ok, out) = kyso_testkit::run(
        Command::new("pyhanko")
            .args(["sign", "validate", "--pretty-print", "--no-revocation-check", "--trust-replace", "--trust"])
            .arg(fx.pki_file("root.pem"))
            .arg("--other-certs")
            .arg(fx.pki_file("int.pem"))
            .arg(file),
    );
    let word = if ok && out.contains("judged VALID") && !out.contains("INVALID") {
        "VALID"
    } else if out.contains("INVALID") {
        "INVALID"
    } else {
        "refused"
    };
    (word.to_owned(), out)
}

/// Pages of `file` drawn by poppler at 50 dpi (`pdftoppm -r 50`, PPM).
pub fn render(file: &Path, dir: &Path, label: &str) -> Result<Vec<Vec<u8>>, String> {
    let prefix = dir.join(label);
    let (ok, out) = kyso_testkit::run(Command::new("pdftoppm").args(["-r", "50"]).arg(file).arg(&prefix));
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{label}-")) && n.ends_with(".ppm"))
        })
        .collect();
    if pages.is_empty() {
        return Err(format!("pdftoppm drew nothing (ok={ok}): {}", out.lines().next().unwrap_or("")));
    }
    pages.sort();
    Ok(pages.iter().map(|p| std::fs::read(p).unwrap_or_default()).collect())
}

/// Whether poppler draws `after` differently from the revision `signed`
/// (other page count, or any pixel of any page): `yes`, `no`, or why it
/// could not tell.
pub fn visible_change(signed: &[u8], after: &Path, dir: &Path) -> String {
    let before = dir.join("signed-revision.pdf");
    std::fs::write(&before, signed).expect("write signed revision");
    let a = render(&before, dir, "before");
    let b = render(after, dir, "after");
    match (a, b) {
        (Ok(a), Ok(b)) => {
            if a == b {
                "no".into()
            } else if a.len() != b.len() {
                format!("yes ({} → {} pages)", a.len(), b.len())
            } else {
                let pages: Vec<String> = a
                    .iter()
                    .zip(&b)
                    .enumerate()
                    .filter(|(_, (x, y))| x != y)
                    .map(|(i, _)| (i + 1).to_string())
                    .collect();
                format!("yes (page {})", pages.join(", "))
            }
        }
        (Err(e), _) => format!("signed revision not drawn: {e}"),
        (_, Err(_)) => "yes (poppler cannot draw the file)".into(),
    }
}

pub use kyso_testkit::java_oracle;

/// Runs the Java oracle (`itext5-sign`, `pdfbox-sign`, `itext5-verify`).
pub fn java(run: &Path, args: &[&std::ffi::OsStr]) -> (bool, String) {
    kyso_testkit::run(Command::new("bash").arg(run).args(args))
}

/// iText 5's verdict (`itext5-verify`): whether every signature is valid,
/// how many lines said so, and its output.
pub fn itext_verify(run: &Path, file: &Path) -> (bool, usize, String) {
    let (ok, out) = java(run, &["itext5-verify".as_ref(), file.as_os_str()]);
    (ok, out.matches("valid=true").count(), out)
}

/// pdfsig's count of signatures whose digest and CMS check out.
pub fn pdfsig_valid(file: &Path) -> (usize, String) {
    let (_, out) = kyso_testkit::run(Command::new("pdfsig").arg(file));
    (out.matches("Signature Validation: Signature is Valid.").count(), out)
}

pub use kyso_testkit::fixture_p12 as p12;

/// pyHanko signs `src` into `out` with a PKCS#12 as field `field`
/// (`certify`: a certification signature, DocMDP P=2).
pub fn pyhanko_p12_sign(p12: &Path, field: &str, certify: bool, src: &Path, out: &Path) -> (bool, String) {
    let pass = p12.with_extension("pass");
    std::fs::write(&pass, pins::P12).expect("passfile");
    let mut cmd = Command::new("pyhanko");
    cmd.args(["sign", "addsig", "--field", field, "--reason", "Phê duyệt"]);
    if certify {
        cmd.arg("--certify");
    }
    cmd.args(["pkcs12", "--passfile"]).arg(&pass).arg(src).arg(out).arg(p12);
    kyso_testkit::run(&mut cmd)
}

/// A temporary directory for a matrix's files, removed with the guard;
/// kept (and named on stderr) when `KYSO_MATRIX_KEEP` is set, to look at
/// the files.
pub fn work_dir() -> (Option<tempfile::TempDir>, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    if std::env::var_os("KYSO_MATRIX_KEEP").is_some() {
        let p = tmp.keep();
        eprintln!("keeping the matrix files in {}", p.display());
        (None, p)
    } else {
        let p = tmp.path().to_owned();
        (Some(tmp), p)
    }
}

/// Runs `work(i)` for every `i < n` on two threads (this machine has two
/// cores; pyHanko and the JVM spend most of their time starting), results
/// in order.
pub fn parallel<T: Send>(n: usize, work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let next = Mutex::new(0usize);
    let results: Mutex<Vec<Option<T>>> = Mutex::new((0..n).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let i = {
                        let mut g = next.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                        let i = *g;
                        *g += 1;
                        i
                    };
                    if i >= n {
                        break;
                    }
                    let r = work(i);
                    results.lock().unwrap_or_else(std::sync::PoisonError::into_inner)[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .into_iter()
        .map(|r| r.expect("ran"))
        .collect()
}

const DOC_HEAD: &str = "# Interoperability and attack matrices

Generated by the test suite — do not edit by hand. `cargo test -p kyso-pdf --test interop`
rewrites the first section, `cargo test -p kyso-pdf --test attacks` the second (issue 15,
items 8 and 9). Both tests assert the *expected* column; this file is what the last run saw.

- **Kyso**: `verify_pdf` with the fixture root as the only anchor, the intermediate and both CRLs:
  the document's indication and the worst signature's sub-indication.
- **pyHanko**: `pyhanko sign validate` with the same anchor, revocation not checked: `VALID`
  (every signature judged valid), `INVALID`, or `refused` (the file was not processed).
- **visible change**: poppler (`pdftoppm -r 50`) draws the attacked file differently from the
  revision the first signature covers (`bytes[..ByteRange end]`): page count or any pixel.

The time-and-identity cases (forged and untrusted timestamps, revocation at proven time, the
signer the signature binds) are in [interop-time.md](interop-time.md); the Office package
attacks in `crates/kyso-ooxml/tests/attacks.rs`.
";

/// Rewrites `docs/interop.md` with `body` as section `name` (`interop` or
/// `attacks`), keeping the other section as the last run of its test wrote it.
pub fn write_doc_section(name: &str, body: &str) {
    let path = kyso_testkit::repo_root().join("docs/interop.md");
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let section = |n: &str| -> String {
        let (b, e) = (format!("<!-- BEGIN {n} -->\n"), format!("<!-- END {n} -->\n"));
        if n == name {
            return format!("{b}{body}{e}");
        }
        match (old.find(&b), old.find(&e)) {
            (Some(i), Some(j)) if i < j => old[i..j + e.len()].to_owned(),
            _ => format!("{b}(not generated yet: run `cargo test -p kyso-pdf --test {n}`)\n{e}"),
        }
    };
    let text = format!("{DOC_HEAD}\n{}\n{}", section("interop"), section("attacks"));
    std::fs::write(&path, text).expect("write docs/interop.md");
}

/// A Markdown table cell (no pipes or newlines).
pub fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}
