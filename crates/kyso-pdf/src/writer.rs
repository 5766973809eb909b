//! Incremental updates (ISO 32000-2 §7.5.6): new and changed objects appended
//! after the original bytes, with a cross-reference section of the same kind
//! as the previous one and a trailer whose `/Prev` points back. Objects are
//! written with generation 0 (pyHanko's strict mode rejects others).
//!
//! Whatever small defects the input has, the output stays readable by strict
//! validators: a direct `/Info` dictionary is written as an indirect object
//! (ISO 32000-2 §14.3.3 and Table 15: `/Info` "shall be an indirect
//! reference"), and new object numbers are above every number any earlier
//! revision uses or references, dangling references included (§7.3.10: a
//! reference to an undefined object is null; an update must not give it a
//! meaning).

use crate::object::{Dict, Object, StreamData, write_dict, write_object};
use crate::reader::{PdfReader, XrefKind};

/// The objects of one update, serialised into memory (an update holds a few
/// small objects; the original file is streamed, never loaded).
pub struct IncrementalUpdate {
    /// Offset in the output where the update starts.
    base: u64,
    /// The update's bytes.
    pub buf: Vec<u8>,
    offsets: Vec<(u32, u64)>,
    next: u32,
    /// Numbers the input references without defining them.
    dangling: Vec<u32>,
}

impl IncrementalUpdate {
    /// Starts an update for `reader`'s file. `needs_eol` adds a newline when
    /// the original does not end with one.
    pub fn new(reader: &PdfReader, needs_eol: bool) -> Self {
        let mut buf = Vec::new();
        if needs_eol {
            buf.push(b'\n');
        }
        // A file that cannot be scanned still gets numbers above its xref.
        let scan = reader.scan_references().unwrap_or_else(|_| crate::reader::ReferenceScan {
            fresh: reader.next_object_number(),
            dangling: Vec::new(),
        });
        Self { base: reader.len(), buf, offsets: Vec::new(), next: scan.fresh, dangling: scan.dangling }
    }

    /// Reserves a new object number.
    pub fn alloc(&mut self) -> u32 {
        let n = self.next;
        self.next += 1;
        n
    }

    /// Absolute offset of the next byte written.
    pub fn position(&self) -> u64 {
        self.base + self.buf.len() as u64
    }

    /// Writes `num 0 obj … endobj`. For streams, the data is written as given.
    /// A reference to an object the input never defined is written as
    /// `null`, what it means (§7.3.10): strict readers (pyHanko) refuse to
    /// follow it.
    pub fn write(&mut self, num: u32, obj: &Object) {
        let cleaned;
        let obj = if self.dangling.is_empty() {
            obj
        } else {
            cleaned = null_dangling(obj, &self.dangling, 0);
            &cleaned
        };
        self.offsets.push((num, self.position()));
        self.buf.extend_from_slice(format!("{num} 0 obj\n").as_bytes());
        match obj {
            Object::Stream(dict, StreamData::Bytes(data)) => {
                let mut d = dict.clone();
                d.set("Length", Object::Int(data.len() as i64));
                write_dict(&mut self.buf, &d);
                self.buf.extend_from_slice(b"\nstream\n");
                self.buf.extend_from_slice(data);
                self.buf.extend_from_slice(b"\nendstream");
            }
            other => write_object(&mut self.buf, other),
        }
        self.buf.extend_from_slice(b"\nendobj\n");
    }

    /// Writes the cross-reference section and trailer and `%%EOF`.
    pub fn finish(mut self, reader: &PdfReader) -> Vec<u8> {
        let prev = reader.sections().first().map_or(0, |s| s.offset);
        let old = reader.trailer();
        let mut trailer = Dict::new();
        for key in ["Root", "Info", "ID"] {
            if let Some(v) = old.get(key) {
                trailer.set(key, v.clone());
            }
        }
        // Table 15: /Info is an indirect reference; a direct dictionary is
        // carried over as a new object with the same entries.
        if let Some(Object::Dict(info)) = trailer.get("Info").cloned() {
            let n = self.alloc();
            self.write(n, &Object::Dict(info));
            trailer.set("Info", Object::Ref(n, 0));
        }
        if trailer.get("ID").is_none() {
            // ISO 32000-2 §14.4: a file identifier; both halves from the content.
            let seed = <sha2::Sha256 as sha2::Digest>::digest(format!("{}-{}", reader.len(), prev));
            let id = Object::Str(seed[..16].to_vec());
            trailer.set("ID", Object::Array(vec![id.clone(), id]));
        }
        trailer.set("Prev", Object::Int(prev as i64));
        self.offsets.sort();
        match reader.sections().first().map_or(XrefKind::Table, |s| s.kind) {
            XrefKind::Table => {
                let xref_at = self.position();
                self.buf.extend_from_slice(b"xref\n");
                for run in runs(&self.offsets) {
                    self.buf.extend_from_slice(format!("{} {}\n", run[0].0, run.len()).as_bytes());
                    for (_, off) in run {
                        self.buf.extend_from_slice(format!("{off:010} 00000 n\r\n").as_bytes());
                    }
                }
                trailer.set("Size", Object::Int(i64::from(self.next)));
                let mut t = Dict(vec![(b"Size".to_vec(), Object::Int(i64::from(self.next)))]);
                for (k, v) in trailer.0 {
                    t.set(std::str::from_utf8(&k).unwrap_or(""), v);
                }
                self.buf.extend_from_slice(b"trailer\n");
                write_dict(&mut self.buf, &t);
                self.buf.extend_from_slice(format!("\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
            }
            XrefKind::Stream => {
                // §7.5.8: a cross-reference stream listing itself too.
                let num = self.alloc();
                let xref_at = self.position();
                let mut all = self.offsets.clone();
                all.push((num, xref_at));
                all.sort();
                let wide = all.iter().any(|(_, o)| *o > u64::from(u32::MAX));
                let ow = if wide { 8 } else { 4 };
                let mut data = Vec::new();
                let mut index = Vec::new();
                for run in runs(&all) {
                    index.push(Object::Int(i64::from(run[0].0)));
                    index.push(Object::Int(run.len() as i64));
                    for (_, off) in run {
                        data.push(1u8);
                        data.extend_from_slice(&off.to_be_bytes()[8 - ow..]);
                        data.extend_from_slice(&[0, 0]);
                    }
                }
                let mut d = Dict::new()
                    .with("Type", Object::name("XRef"))
                    .with("Size", Object::Int(i64::from(self.next)))
                    .with("Index", Object::Array(index))
                    .with("W", Object::Array(vec![Object::Int(1), Object::Int(ow as i64), Object::Int(2)]));
                for (k, v) in trailer.0 {
                    d.0.push((k, v));
                }
                self.write(num, &Object::Stream(d, StreamData::Bytes(data)));
                self.buf.extend_from_slice(format!("startxref\n{xref_at}\n%%EOF\n").as_bytes());
            }
        }
        self.buf
    }
}

/// `obj` with every reference to a number in `dangling` (sorted) replaced
/// by null; a dictionary entry whose value is null is dropped (§7.3.7).
fn null_dangling(obj: &Object, dangling: &[u32], depth: usize) -> Object {
    let clean_dict = |d: &Dict| {
        Dict(
            d.0.iter()
                .map(|(k, v)| (k.clone(), null_dangling(v, dangling, depth + 1)))
                .filter(|(_, v)| *v != Object::Null)
                .collect(),
        )
    };
    match obj {
        _ if depth > 64 => obj.clone(),
        Object::Ref(n, _) if dangling.binary_search(n).is_ok() => Object::Null,
        Object::Array(a) => Object::Array(a.iter().map(|o| null_dangling(o, dangling, depth + 1)).collect()),
        Object::Dict(d) => Object::Dict(clean_dict(d)),
        Object::Stream(d, data) => Object::Stream(clean_dict(d), data.clone()),
        other => other.clone(),
    }
}

/// Splits sorted (number, offset) pairs into runs of consecutive numbers.
fn runs(offsets: &[(u32, u64)]) -> Vec<&[(u32, u64)]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=offsets.len() {
        if i == offsets.len() || offsets[i].0 != offsets[i - 1].0 + 1 {
            if start < i {
                out.push(&offsets[start..i]);
            }
            start = i;
        }
    }
    out
}
