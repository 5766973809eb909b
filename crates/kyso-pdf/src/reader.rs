//! A lazy, revision-aware PDF reader (ISO 32000-2 §7.5): it reads the
//! trailer chain and cross-reference sections (classic tables §7.5.4,
//! streams §7.5.8, hybrid files §7.5.8.4), and parses objects on demand from
//! the file, including objects inside object streams (§7.5.7). Memory does
//! not grow with the file size: only the xref and the objects asked for are
//! held.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Mutex;

use crate::object::{Dict, Lexer, Object, ParseError, StreamData};

/// Reader errors.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    /// I/O failure.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// Not a PDF, or damaged beyond reading.
    #[error("malformed PDF: {0}")]
    Malformed(String),
    /// The file is encrypted.
    #[error("the PDF is encrypted")]
    Encrypted,
}

fn malformed(what: impl Into<String>) -> PdfError {
    PdfError::Malformed(what.into())
}

/// Where an object lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XrefEntry {
    /// Free.
    Free,
    /// At a byte offset, with a generation.
    Offset(u64, u16),
    /// Inside an object stream, at an index.
    InStream(u32, u32),
}

/// Kind of a cross-reference section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XrefKind {
    /// `xref` table.
    Table,
    /// Cross-reference stream.
    Stream,
}

/// One cross-reference section with its trailer, newest first in
/// [`PdfReader::sections`].
#[derive(Clone, Debug)]
pub struct Section {
    /// Offset of the section (what `startxref` or `/Prev` points to).
    pub offset: u64,
    /// Table or stream.
    pub kind: XrefKind,
    /// Trailer dictionary (the stream dictionary for xref streams).
    pub trailer: Dict,
    /// Entries of this section.
    pub entries: Vec<(u32, XrefEntry)>,
}

/// A decoded object stream: its bytes and (object number, offset) index.
type ObjStm = (Vec<u8>, Vec<(u32, usize)>);

const MAX_SECTIONS: usize = 10_000;
const MAX_WINDOW: usize = 64 << 20;

/// A PDF file opened for lazy reading.
pub struct PdfReader {
    file: Mutex<File>,
    len: u64,
    sections: Vec<Section>,
    xref: HashMap<u32, XrefEntry>,
    objstm_cache: Mutex<HashMap<u32, ObjStm>>,
}

impl std::fmt::Debug for PdfReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PdfReader").field("len", &self.len).field("sections", &self.sections.len()).finish()
    }
}

impl PdfReader {
    /// Opens a file.
    pub fn open(path: &Path) -> Result<Self, PdfError> {
        Self::open_revision(path, u64::MAX)
    }

    /// Opens the file as it was when it ended at byte `end` (just after a
    /// revision's `%%EOF`): the revision's own `startxref`, cross-reference
    /// chain, object streams and trailer, blind to every byte after `end`
    /// (ISO 32000-2 §7.5.6: an incremental update only appends). This is the
    /// document a signature covering `[0, end)` signed. `u64::MAX` reads
    /// the whole file.
    pub fn open_revision(path: &Path, end: u64) -> Result<Self, PdfError> {
        let file = File::open(path)?;
        let len = file.metadata()?.len().min(end);
        let mut r = Self {
            file: Mutex::new(file),
            len,
            sections: Vec::new(),
            xref: HashMap::new(),
            objstm_cache: Mutex::new(HashMap::new()),
        };
        r.load_xref()?;
        Ok(r)
    }

    /// File length.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Cross-reference sections, newest first.
    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// The newest trailer.
    pub fn trailer(&self) -> &Dict {
        &self.sections[0].trailer
    }

    /// `/Size` for the next update: the largest of all trailers and of the
    /// object numbers in use (a wrong `/Size` makes later updates reuse
    /// numbers, design-notes.md).
    pub fn next_object_number(&self) -> u32 {
        let by_size = self.sections.iter().filter_map(|s| s.trailer.get("Size")?.as_int()).max().unwrap_or(0);
        let by_xref = self.xref.keys().max().map_or(0, |m| i64::from(*m) + 1);
        u32::try_from(by_size.max(by_xref)).unwrap_or(u32::MAX)
    }

    /// Reads `n` bytes at `off` (fewer at the end of the file).
    pub fn read_at(&self, off: u64, n: usize) -> Result<Vec<u8>, PdfError> {
        let mut f = self.file.lock().map_err(|_| malformed("poisoned file lock"))?;
        f.seek(SeekFrom::Start(off))?;
        // Never past `len`: a revision view must not see later bytes.
        let n = (n as u64).min(self.len.saturating_sub(off));
        let mut buf = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
        f.by_ref().take(n).read_to_end(&mut buf)?;
        Ok(buf)
    }

    fn load_xref(&mut self) -> Result<(), PdfError> {
        let tail_len = self.len.min(2048);
        let tail = self.read_at(self.len - tail_len, tail_len as usize)?;
        let pos = rfind(&tail, b"startxref").ok_or_else(|| malformed("no startxref"))?;
        let mut lx = Lexer::new(&tail, pos + 9);
        let mut next = Some(lx.uint().map_err(|_| malformed("bad startxref"))?);
        let mut seen = HashSet::new();
        while let Some(off) = next {
            if !seen.insert(off) || self.sections.len() >= MAX_SECTIONS {
                return Err(malformed("cyclic /Prev chain"));
            }
            let mut section = self.read_section(off)?;
            // Hybrid files (§7.5.8.4): the /XRefStm entries complete the table.
            if let Some(stm) = section.trailer.get("XRefStm").and_then(Object::as_int)
                && let Ok(extra) = self.read_section(stm as u64)
            {
                let used: HashSet<u32> =
                    section.entries.iter().filter(|(_, x)| *x != XrefEntry::Free).map(|(m, _)| *m).collect();
                section.entries.retain(|(m, x)| *x != XrefEntry::Free || !extra.entries.iter().any(|(n, _)| n == m));
                section.entries.extend(extra.entries.into_iter().filter(|(n, _)| !used.contains(n)));
            }
            for (n, e) in &section.entries {
                self.xref.entry(*n).or_insert(*e);
            }
            next = section.trailer.get("Prev").and_then(Object::as_int).map(|p| p as u64);
            self.sections.push(section);
        }
        Ok(())
    }

    fn read_section(&self, off: u64) -> Result<Section, PdfError> {
        if off >= self.len {
            return Err(malformed("xref offset beyond the end of the file"));
        }
        let head = self.read_at(off, 16)?;
        let start = head.iter().position(|b| !b" \r\n\t".contains(b)).unwrap_or(0);
        if head[start..].starts_with(b"xref") {
            return self.read_table(off);
        }
        let (obj, _) = self.parse_indirect_at(off)?;
        let Object::Stream(dict, data) = obj else { return Err(malformed("xref is neither a table nor a stream")) };
        if dict.get("Type").and_then(Object::as_name) != Some(b"XRef") {
            return Err(malformed("xref stream without /Type /XRef"));
        }
        let raw = self.stream_data(&dict, &data)?;
        let w: Vec<usize> = match dict.get("W") {
            Some(Object::Array(a)) if a.len() == 3 => {
                a.iter().map(|x| x.as_int().unwrap_or(0).clamp(0, 8) as usize).collect()
            }
            _ => return Err(malformed("xref stream /W")),
        };
        let size = dict.get("Size").and_then(Object::as_int).unwrap_or(0);
        let index: Vec<i64> = match dict.get("Index") {
            Some(Object::Array(a)) => a.iter().filter_map(Object::as_int).collect(),
            _ => vec![0, size],
        };
        let row = w.iter().sum::<usize>();
        if row == 0 {
            return Err(malformed("xref stream /W is empty"));
        }
        let mut entries = Vec::new();
        let mut rows = raw.chunks_exact(row);
        for pair in index.chunks(2) {
            let [first, count] = pair else { break };
            for i in 0..(*count).max(0) {
                let Some(r) = rows.next() else { break };
                let field = |k: usize| -> u64 {
                    let s: usize = w[..k].iter().sum();
                    r[s..s + w[k]].iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
                };
                let t = if w[0] == 0 { 1 } else { field(0) };
                let num = u32::try_from(first + i).map_err(|_| malformed("object number"))?;
                let e = match t {
                    0 => XrefEntry::Free,
                    1 => XrefEntry::Offset(field(1), field(2) as u16),
                    2 => XrefEntry::InStream(field(1) as u32, field(2) as u32),
                    _ => continue,
                };
                entries.push((num, e));
            }
        }
        Ok(Section { offset: off, kind: XrefKind::Stream, trailer: dict, entries })
    }

    fn read_table(&self, off: u64) -> Result<Section, PdfError> {
        let mut window = 1 << 16;
        loop {
            let buf = self.read_at(off, window)?;
            let complete = buf.len() < window;
            match parse_table(&buf) {
                Ok((entries, trailer)) => {
                    return Ok(Section { offset: off, kind: XrefKind::Table, trailer, entries });
                }
                Err(ParseError::Eof) if !complete && window < MAX_WINDOW * 4 => window *= 4,
                Err(e) => return Err(malformed(format!("xref table: {e:?}"))),
            }
        }
    }

    /// Parses `n g obj … endobj` at `off`; returns the object and its number.
    pub fn parse_indirect_at(&self, off: u64) -> Result<(Object, (u32, u16)), PdfError> {
        let mut window = 1 << 14;
        loop {
            let buf = self.read_at(off, window)?;
            let complete = buf.len() < window;
            match self.parse_indirect(&buf, off) {
                Ok(x) => return Ok(x),
                Err(ParseError::Eof) if !complete && window < MAX_WINDOW => window *= 4,
                Err(e) => return Err(malformed(format!("object at {off}: {e:?}"))),
            }
        }
    }

    fn parse_indirect(&self, buf: &[u8], base: u64) -> Result<(Object, (u32, u16)), ParseError> {
        let mut lx = Lexer::new(buf, 0);
        let num = lx.uint()?;
        let gen_ = lx.uint()?;
        lx.keyword(b"obj")?;
        let obj = lx.object()?;
        let id = (u32::try_from(num).map_err(|_| ParseError::Syntax(0, "number"))?, gen_ as u16);
        let Object::Dict(dict) = obj else { return Ok((obj, id)) };
        if lx.token() != b"stream" {
            return Ok((Object::Dict(dict), id));
        }
        // §7.3.8.1: `stream` is followed by CRLF or LF.
        if buf.get(lx.pos) == Some(&b'\r') {
            lx.pos += 1;
        }
        if buf.get(lx.pos) == Some(&b'\n') {
            lx.pos += 1;
        }
        let data_off = base + lx.pos as u64;
        let len = match dict.get("Length") {
            Some(Object::Int(n)) if *n >= 0 => *n as u64,
            Some(Object::Ref(n, _)) => {
                // Lengths stored elsewhere are looked up (never recursively
                // through another stream).
                match self.xref.get(n) {
                    Some(XrefEntry::Offset(o, _)) if *o != base => {
                        let b = self.read_at(*o, 256).map_err(|_| ParseError::Eof)?;
                        let mut l2 = Lexer::new(&b, 0);
                        l2.uint()?;
                        l2.uint()?;
                        l2.keyword(b"obj")?;
                        l2.object()?.as_int().unwrap_or(0).max(0) as u64
                    }
                    _ => find_endstream(buf, lx.pos).map(|e| (e - lx.pos) as u64).ok_or(ParseError::Eof)?,
                }
            }
            _ => find_endstream(buf, lx.pos).map(|e| (e - lx.pos) as u64).ok_or(ParseError::Eof)?,
        };
        if data_off + len > self.len {
            return Err(ParseError::Syntax(lx.pos, "stream runs past the end of the file"));
        }
        Ok((Object::Stream(dict, StreamData::File(data_off, len)), id))
    }

    /// The decoded data of a stream (FlateDecode with PNG predictors, or none).
    pub fn stream_data(&self, dict: &Dict, data: &StreamData) -> Result<Vec<u8>, PdfError> {
        let raw = match data {
            StreamData::File(off, len) => {
                if *len > MAX_WINDOW as u64 * 4 {
                    return Err(malformed("stream too large to decode"));
                }
                self.read_at(*off, *len as usize)?
            }
            StreamData::Bytes(b) => b.clone(),
        };
        crate::filter::decode(dict, raw).map_err(malformed)
    }

    /// The xref entry of an object number.
    pub fn entry(&self, num: u32) -> Option<XrefEntry> {
        self.xref.get(&num).copied()
    }

    /// Loads object `num` (the newest definition).
    pub fn get(&self, num: u32) -> Result<Object, PdfError> {
        match self.xref.get(&num) {
            None | Some(XrefEntry::Free) => Ok(Object::Null),
            Some(XrefEntry::Offset(off, _)) => {
                let (obj, (n, _)) = self.parse_indirect_at(*off)?;
                if n != num {
                    return Err(malformed(format!("xref points object {num} at object {n}")));
                }
                Ok(obj)
            }
            Some(XrefEntry::InStream(stm, idx)) => self.get_from_objstm(*stm, *idx, num),
        }
    }

    fn get_from_objstm(&self, stm: u32, idx: u32, num: u32) -> Result<Object, PdfError> {
        let mut cache = self.objstm_cache.lock().map_err(|_| malformed("poisoned cache"))?;
        if !cache.contains_key(&stm) {
            let Some(XrefEntry::Offset(off, _)) = self.xref.get(&stm) else {
                return Err(malformed("object stream not at an offset"));
            };
            let (obj, _) = self.parse_indirect_at(*off)?;
            let Object::Stream(dict, data) = obj else { return Err(malformed("object stream is not a stream")) };
            let n = dict.get("N").and_then(Object::as_int).unwrap_or(0).max(0) as usize;
            let first = dict.get("First").and_then(Object::as_int).unwrap_or(0).max(0) as usize;
            let bytes = self.stream_data(&dict, &data)?;
            let mut lx = Lexer::new(&bytes, 0);
            let mut index = Vec::with_capacity(n.min(100_000));
            for _ in 0..n {
                let (Ok(o), Ok(at)) = (lx.uint(), lx.uint()) else { break };
                index.push((o as u32, first + at as usize));
            }
            if cache.len() > 64 {
                cache.clear();
            }
            cache.insert(stm, (bytes, index));
        }
        let (bytes, index) = &cache[&stm];
        let &(n, at) = index.get(idx as usize).ok_or_else(|| malformed("object stream index"))?;
        if n != num || at > bytes.len() {
            return Err(malformed("object stream entry mismatch"));
        }
        Lexer::new(bytes, at).object().map_err(|e| malformed(format!("object {num}: {e:?}")))
    }

    /// Loads the version of object `num` that `entry` points to.
    pub fn get_entry(&self, num: u32, entry: XrefEntry) -> Result<Object, PdfError> {
        match entry {
            XrefEntry::Free => Ok(Object::Null),
            XrefEntry::Offset(off, _) => {
                let (obj, (n, _)) = self.parse_indirect_at(off)?;
                if n != num {
                    return Err(malformed(format!("xref points object {num} at object {n}")));
                }
                Ok(obj)
            }
            XrefEntry::InStream(stm, idx) => self.get_from_objstm(stm, idx, num),
        }
    }

    /// The definition of `num` in the newest section located before byte
    /// `limit` (the object as a signed revision saw it).
    pub fn entry_before(&self, num: u32, limit: u64) -> Option<XrefEntry> {
        self.sections
            .iter()
            .filter(|s| s.offset < limit)
            .find_map(|s| s.entries.iter().find(|(n, _)| *n == num).map(|(_, e)| *e))
    }

    /// The byte span of the value of `key` in the dictionary of the
    /// indirect object at `off` (e.g. a signature's `/Contents`).
    pub fn dict_value_span(&self, off: u64, key: &str) -> Result<Option<(u64, u64)>, PdfError> {
        let mut window = 1 << 16;
        loop {
            let buf = self.read_at(off, window)?;
            let complete = buf.len() < window;
            match value_span(&buf, key) {
                Ok(span) => return Ok(span.map(|(a, b)| (off + a as u64, off + b as u64))),
                Err(ParseError::Eof) if !complete && window < MAX_WINDOW => window *= 4,
                Err(e) => return Err(malformed(format!("object at {off}: {e:?}"))),
            }
        }
    }

    /// Follows references (bounded) to a direct object.
    pub fn resolve(&self, obj: &Object) -> Result<Object, PdfError> {
        let mut cur = obj.clone();
        for _ in 0..32 {
            match cur {
                Object::Ref(n, _) => cur = self.get(n)?,
                other => return Ok(other),
            }
        }
        Err(malformed("reference chain too long"))
    }

    /// The document catalog.
    pub fn catalog(&self) -> Result<(Option<u32>, Dict), PdfError> {
        let root = self.trailer().get("Root").cloned().ok_or_else(|| malformed("no /Root"))?;
        let num = match root {
            Object::Ref(n, _) => Some(n),
            _ => None,
        };
        match self.resolve(&root)? {
            Object::Dict(d) => Ok((num, d)),
            _ => Err(malformed("/Root is not a dictionary")),
        }
    }

    /// Object numbers of the pages, in order (page tree §7.7.3), with cycle
    /// and depth protection.
    pub fn pages(&self) -> Result<Vec<u32>, PdfError> {
        let (_, cat) = self.catalog()?;
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let root = cat.get("Pages").cloned().ok_or_else(|| malformed("no /Pages"))?;
        self.walk_pages(&root, &mut out, &mut seen, 0)?;
        Ok(out)
    }

    fn walk_pages(
        &self,
        node: &Object,
        out: &mut Vec<u32>,
        seen: &mut HashSet<u32>,
        depth: usize,
    ) -> Result<(), PdfError> {
        let Object::Ref(num, _) = node else { return Err(malformed("page tree node is not a reference")) };
        if depth > 64 || !seen.insert(*num) {
            return Err(malformed("cyclic or too deep page tree"));
        }
        let obj = self.get(*num)?;
        let d = obj.as_dict().ok_or_else(|| malformed("page tree node is not a dictionary"))?;
        match d.get("Type").and_then(Object::as_name) {
            Some(b"Page") => out.push(*num),
            _ => match d.get("Kids").map(|k| self.resolve(k)).transpose()? {
                Some(Object::Array(kids)) => {
                    for k in &kids {
                        self.walk_pages(k, out, seen, depth + 1)?;
                    }
                }
                _ if d.get("Contents").is_some() || d.get("MediaBox").is_some() => out.push(*num),
                _ => return Err(malformed("page tree node without /Kids")),
            },
        }
        Ok(())
    }
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn find_endstream(buf: &[u8], from: usize) -> Option<usize> {
    let rel = buf[from..].windows(9).position(|w| w == b"endstream")?;
    let mut end = from + rel;
    // Drop the EOL before `endstream`.
    if end > from && buf[end - 1] == b'\n' {
        end -= 1;
    }
    if end > from && buf[end - 1] == b'\r' {
        end -= 1;
    }
    Some(end)
}

/// Parses a classic xref table and its trailer.
fn parse_table(buf: &[u8]) -> Result<(Vec<(u32, XrefEntry)>, Dict), ParseError> {
    let mut lx = Lexer::new(buf, 0);
    lx.keyword(b"xref")?;
    let mut entries = Vec::new();
    loop {
        let save = lx.pos;
        let t = lx.token();
        if t == b"trailer" {
            break;
        }
        if t.is_empty() && lx.pos >= buf.len() {
            return Err(ParseError::Eof);
        }
        lx.pos = save;
        let first = lx.uint()?;
        let count = lx.uint()?;
        for i in 0..count {
            let off = lx.uint()?;
            let gen_ = lx.uint()?;
            let kind = lx.token();
            if kind.is_empty() && lx.pos >= buf.len() {
                return Err(ParseError::Eof);
            }
            let num = u32::try_from(first + i).map_err(|_| ParseError::Syntax(lx.pos, "object number"))?;
            let e = match kind {
                b"n" => XrefEntry::Offset(off, gen_ as u16),
                b"f" => XrefEntry::Free,
                _ => return Err(ParseError::Syntax(lx.pos, "xref entry type")),
            };
            entries.push((num, e));
        }
    }
    match lx.object()? {
        Object::Dict(d) => Ok((entries, d)),
        _ => Err(ParseError::Syntax(lx.pos, "trailer is not a dictionary")),
    }
}

/// Finds the span of a top-level dictionary value in `n g obj << … >>`.
fn value_span(buf: &[u8], key: &str) -> Result<Option<(usize, usize)>, ParseError> {
    let mut lx = Lexer::new(buf, 0);
    lx.uint()?;
    lx.uint()?;
    lx.keyword(b"obj")?;
    lx.skip_ws();
    if !buf[lx.pos..].starts_with(b"<<") {
        return Err(ParseError::Syntax(lx.pos, "dictionary expected"));
    }
    lx.pos += 2;
    loop {
        lx.skip_ws();
        match (buf.get(lx.pos), buf.get(lx.pos + 1)) {
            (Some(b'>'), Some(b'>')) => return Ok(None),
            (None, _) | (Some(_), None) => return Err(ParseError::Eof),
            _ => {}
        }
        let at = lx.pos;
        let Object::Name(k) = lx.object()? else { return Err(ParseError::Syntax(at, "key")) };
        lx.skip_ws();
        let start = lx.pos;
        lx.object()?;
        if k == key.as_bytes() {
            return Ok(Some((start, lx.pos)));
        }
    }
}
