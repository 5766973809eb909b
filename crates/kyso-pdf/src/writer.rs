//! Incremental updates (ISO 32000-2 §7.5.6): new and changed objects appended
//! after the original bytes, with a cross-reference section of the same kind
//! as the previous one and a trailer whose `/Prev` points back. Objects are
//! written with generation 0 (pyHanko's strict mode rejects others).

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
}

impl IncrementalUpdate {
    /// Starts an update for `reader`'s file. `needs_eol` adds a newline when
    /// the original does not end with one.
    pub fn new(reader: &PdfReader, needs_eol: bool) -> Self {
        let mut buf = Vec::new();
        if needs_eol {
            buf.push(b'\n');
        }
        Self { base: reader.len(), buf, offsets: Vec::new(), next: reader.next_object_number() }
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
    pub fn write(&mut self, num: u32, obj: &Object) {
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
        let prev = reader.sections()[0].offset;
        let old = reader.trailer();
        let mut trailer = Dict::new();
        for key in ["Root", "Info", "ID"] {
            if let Some(v) = old.get(key) {
                trailer.set(key, v.clone());
            }
        }
        if trailer.get("ID").is_none() {
            // ISO 32000-2 §14.4: a file identifier; both halves from the content.
            let seed = <sha2::Sha256 as sha2::Digest>::digest(format!("{}-{}", reader.len(), prev));
            let id = Object::Str(seed[..16].to_vec());
            trailer.set("ID", Object::Array(vec![id.clone(), id]));
        }
        trailer.set("Prev", Object::Int(prev as i64));
        self.offsets.sort();
        match reader.sections()[0].kind {
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
