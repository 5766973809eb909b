//! A lazy, revision-aware PDF reader (ISO 32000-2 §7.5): it reads the
//! trailer chain and cross-reference sections (classic tables §7.5.4,
//! streams §7.5.8, hybrid files §7.5.8.4), and parses objects on demand from
//! the file, including objects inside object streams (§7.5.7). Memory does
//! not grow with the file size: only the xref and the objects asked for are
//! held.
//!
//! Reading is strict: every irregularity of the cross-reference data is
//! kept as a named [`XrefFinding`] (never silently skipped), and the few
//! defects that mature readers repair (a section or object a few bytes away
//! from where its offset says) are repaired and recorded as such, so that a
//! verifier can refuse the file or warn.

#![deny(clippy::arithmetic_side_effects, clippy::as_conversions)]

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
    /// Offset of the section (what `startxref` or `/Prev` points to; after a
    /// repair, where the section really is).
    pub offset: u64,
    /// Offset just after the section (after the trailer dictionary of a
    /// table, after the data of a stream).
    pub end: u64,
    /// Table or stream.
    pub kind: XrefKind,
    /// Trailer dictionary (the stream dictionary for xref streams).
    pub trailer: Dict,
    /// Entries of this section (for a hybrid file, the table's entries
    /// completed by its `/XRefStm` stream, §7.5.8.4).
    pub entries: Vec<(u32, XrefEntry)>,
}

/// What a strict reading of the cross-reference data found (ISO 32000-2
/// §7.5.4-§7.5.8). Each names a defect the reader did not hide; see
/// [`XrefFinding::name`] and [`XrefFinding::is_repair`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum XrefFindingKind {
    /// `startxref` or `/Prev` pointed at `from`, where there is no
    /// cross-reference section; the section was found at `to`, a few bytes
    /// away, and read from there (as qpdf, poppler and PDFBox do).
    XrefRepaired {
        /// Offset the file gave.
        from: u64,
        /// Where the section was found.
        to: u64,
    },
    /// The xref entry of object `num` pointed at `from`, where the object is
    /// not; it was found at `to`, a few bytes away, and the entry corrected.
    ObjectOffsetRepaired {
        /// Object number.
        num: u32,
        /// Offset the xref gave.
        from: u64,
        /// Where `num gen obj` was found.
        to: u64,
    },
    /// A cross-reference stream holds fewer rows than its `/Index` (or
    /// `/Size`) announces, or ends inside a row (§7.5.8.2).
    TruncatedXrefStream {
        /// Rows announced.
        expected: u64,
        /// Whole rows present.
        found: u64,
    },
    /// A cross-reference stream holds bytes after its last announced row.
    ExtraXrefStreamData {
        /// Bytes left over.
        bytes: u64,
    },
    /// A cross-reference stream row of a type other than 0, 1 or 2
    /// (§7.5.8.3: such an entry is a reference to the null object).
    UnknownEntryType {
        /// Object number of the row.
        num: u32,
        /// The type field.
        kind: u64,
    },
    /// `/Index`, `/W` or a field of a cross-reference stream is not usable
    /// as §7.5.8.2 describes (odd or negative `/Index`, a generation beyond
    /// 65535...).
    MalformedXrefStream {
        /// What is wrong.
        what: &'static str,
    },
    /// One section lists the same object number twice (the first listing
    /// is used).
    DuplicateEntry {
        /// Object number.
        num: u32,
    },
    /// The object at the entry's offset has another generation than the
    /// entry (§7.5.4).
    GenerationMismatch {
        /// Object number.
        num: u32,
        /// Generation in the xref.
        xref: u16,
        /// Generation in the object header.
        found: u16,
    },
    /// No `num gen obj` at the offset an in-use entry gives, and none near.
    ObjectNotAtOffset {
        /// Object number.
        num: u32,
        /// Offset the entry gives.
        offset: u64,
    },
    /// An entry places object `num` in object stream `stream`, which is not
    /// an in-use object at a byte offset (§7.5.7).
    MissingObjectStream {
        /// Object number.
        num: u32,
        /// The object stream's number.
        stream: u32,
    },
    /// This section's bytes overlap another section's.
    OverlappingSections {
        /// Offset of the other section.
        other: u64,
    },
    /// `/Prev` (or `/XRefStm`) points at a section already read: a cycle or
    /// a section listed twice in the chain. The chain stops there.
    RelistedSection {
        /// The offset pointed to again.
        prev: u64,
    },
    /// `/Prev` or `/XRefStm` is not a non-negative integer.
    BadPrev,
    /// Bytes other than white space after the final `%%EOF` (§7.5.5): they
    /// belong to no revision.
    DataAfterEof {
        /// Offset of the first such byte.
        offset: u64,
        /// Bytes from there to the end of the file.
        len: u64,
    },
    /// No `%%EOF` after the last `startxref` (§7.5.5).
    MissingEof,
    /// Hybrid file: the `/XRefStm` stream gives another location for an
    /// object the table lists in use; the table's entry is used (§7.5.8.4).
    HybridConflict {
        /// Object number.
        num: u32,
    },
    /// Hybrid file: the `/XRefStm` stream gives a location for an object
    /// the table lists as free (allowed by §7.5.8.4 — such objects are the
    /// compressed ones — but a reader that ignores the stream sees the
    /// object deleted).
    HybridFreeFilled {
        /// Object number.
        num: u32,
    },
    /// Hybrid file: the `/XRefStm` stream cannot be read.
    HybridStreamUnreadable {
        /// Its offset.
        offset: u64,
    },
    /// More findings than the reader keeps (the rest are dropped).
    TooManyFindings,
}

/// What [`PdfReader::scan_references`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReferenceScan {
    /// The first object number no section defines and no reference names.
    pub fresh: u32,
    /// Numbers referenced (`n g R`) but defined by no section, ascending
    /// (a raw scan: a number may come from binary data; it is still
    /// undefined).
    pub dangling: Vec<u32>,
}

/// One finding, with the section it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XrefFinding {
    /// Offset of the section concerned (for file-level findings, the newest
    /// section's).
    pub section: u64,
    /// What was found.
    pub kind: XrefFindingKind,
}

impl XrefFinding {
    /// A stable snake_case name (for JSON and warnings): `xref_repaired`,
    /// `truncated_xref_stream`, `generation_mismatch`, ...
    pub fn name(&self) -> &'static str {
        use XrefFindingKind as K;
        match self.kind {
            K::XrefRepaired { .. } | K::ObjectOffsetRepaired { .. } => "xref_repaired",
            K::TruncatedXrefStream { .. } => "truncated_xref_stream",
            K::ExtraXrefStreamData { .. } => "extra_xref_stream_data",
            K::UnknownEntryType { .. } => "unknown_xref_entry_type",
            K::MalformedXrefStream { .. } => "malformed_xref_stream",
            K::DuplicateEntry { .. } => "duplicate_xref_entry",
            K::GenerationMismatch { .. } => "generation_mismatch",
            K::ObjectNotAtOffset { .. } => "object_not_at_offset",
            K::MissingObjectStream { .. } => "missing_object_stream",
            K::OverlappingSections { .. } => "overlapping_xref_sections",
            K::RelistedSection { .. } => "relisted_xref_section",
            K::BadPrev => "bad_prev",
            K::DataAfterEof { .. } => "data_after_eof",
            K::MissingEof => "missing_eof",
            K::HybridConflict { .. } => "hybrid_xref_conflict",
            K::HybridFreeFilled { .. } => "hybrid_xref_free_filled",
            K::HybridStreamUnreadable { .. } => "hybrid_xref_stream_unreadable",
            K::TooManyFindings => "too_many_xref_findings",
        }
    }

    /// Whether this records a repair mature readers make too (warn
    /// `xref_repaired`, and judge the repaired file), as opposed to a defect.
    pub fn is_repair(&self) -> bool {
        matches!(self.kind, XrefFindingKind::XrefRepaired { .. } | XrefFindingKind::ObjectOffsetRepaired { .. })
    }

    /// Whether this is a defect of the cross-reference data (neither a
    /// repair nor [`XrefFindingKind::HybridFreeFilled`], which §7.5.8.4
    /// allows).
    pub fn is_defect(&self) -> bool {
        !self.is_repair() && !matches!(self.kind, XrefFindingKind::HybridFreeFilled { .. })
    }
}

impl std::fmt::Display for XrefFinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (section at {}): {:?}", self.name(), self.section, self.kind)
    }
}

/// The entries of one section.
type Entries = Vec<(u32, XrefEntry)>;

/// A decoded object stream: its bytes and (object number, offset) index.
type ObjStm = (Vec<u8>, Vec<(u32, usize)>);

const MAX_SECTIONS: usize = 10_000;
const MAX_WINDOW: usize = 64 << 20;
const MAX_FINDINGS: usize = 1_000;
/// How far from a wrong offset a section or object is looked for.
const REPAIR_WINDOW: u64 = 1024;
/// How many misplaced objects are looked for near their offsets.
const MAX_OBJECT_REPAIRS: usize = 256;
/// How far back from the end `startxref` is looked for.
const MAX_TAIL_SCAN: u64 = 64 << 20;

/// The empty dictionary, for a reader without sections.
static EMPTY: Dict = Dict(Vec::new());

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

fn to_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// A PDF file opened for lazy reading.
pub struct PdfReader {
    file: Mutex<File>,
    len: u64,
    sections: Vec<Section>,
    xref: HashMap<u32, XrefEntry>,
    objstm_cache: Mutex<HashMap<u32, ObjStm>>,
    findings: Vec<XrefFinding>,
    eof_end: u64,
}

impl std::fmt::Debug for PdfReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PdfReader")
            .field("len", &self.len)
            .field("sections", &self.sections.len())
            .field("findings", &self.findings)
            .finish()
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
            findings: Vec::new(),
            eof_end: len,
        };
        r.load_xref()?;
        Ok(r)
    }

    /// File length (of the revision, for [`PdfReader::open_revision`]).
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

    /// What the strict reading of the cross-reference data found, in the
    /// order met (newest section first). Empty for a well-formed file.
    pub fn findings(&self) -> &[XrefFinding] {
        &self.findings
    }

    /// Offset just after the final `%%EOF` and its end-of-line: the end of
    /// the last revision. Bytes from here to [`PdfReader::len`] belong to
    /// no revision (white space only, unless a
    /// [`XrefFindingKind::DataAfterEof`] finding says otherwise).
    pub fn eof_end(&self) -> u64 {
        self.eof_end
    }

    /// The newest trailer.
    pub fn trailer(&self) -> &Dict {
        self.sections.first().map_or(&EMPTY, |s| &s.trailer)
    }

    /// `/Size` for the next update: the largest of all trailers and of the
    /// object numbers in use (a wrong `/Size` makes later updates reuse
    /// numbers, design-notes.md).
    pub fn next_object_number(&self) -> u32 {
        let by_size = self.sections.iter().filter_map(|s| s.trailer.get("Size")?.as_int()).max().unwrap_or(0);
        let by_xref = self.sections.iter().flat_map(|s| s.entries.iter()).map(|(n, _)| i64::from(*n)).max();
        let by_xref = by_xref.map_or(0, |m| m.saturating_add(1));
        u32::try_from(by_size.max(by_xref)).unwrap_or(u32::MAX)
    }

    /// The first object number a new update may use without capturing any
    /// reference of the file: above [`PdfReader::next_object_number`] and
    /// above every `n g R` written anywhere in the file, including dangling
    /// references to objects that do not exist (ISO 32000-2 §7.3.10: such a
    /// reference is null, and would stop being so if an update defined the
    /// number). The file is scanned once, as raw bytes, and the object
    /// streams are decoded and scanned; a reference far above the xref
    /// (`2^20` numbers) cannot be reached by an update and is ignored.
    pub fn fresh_object_number(&self) -> Result<u32, PdfError> {
        Ok(self.scan_references()?.fresh)
    }

    /// One pass over every reference written in the file (see
    /// [`PdfReader::fresh_object_number`]): the first fresh object number,
    /// and the numbers referenced without being defined by any section.
    pub fn scan_references(&self) -> Result<ReferenceScan, PdfError> {
        let base = self.next_object_number();
        let cap = base.saturating_add(1 << 20);
        let mut max_ref = None::<u32>;
        let mut dangling = std::collections::BTreeSet::new();
        let defined = |n: u32| matches!(self.xref.get(&n), Some(XrefEntry::Offset(..) | XrefEntry::InStream(..)));
        let mut note = |n: u32| {
            if n >= base && n < cap {
                max_ref = Some(max_ref.map_or(n, |m| m.max(n)));
            }
            if !defined(n) && dangling.len() < 1 << 16 {
                dangling.insert(n);
            }
        };
        const CHUNK: usize = 1 << 20;
        const OVERLAP: u64 = 64;
        let mut off = 0u64;
        while off < self.len {
            let buf = self.read_at(off, CHUNK)?;
            if buf.is_empty() {
                break;
            }
            scan_refs(&buf, &mut note);
            if buf.len() < CHUNK {
                break;
            }
            off = off.saturating_add(to_u64(buf.len())).saturating_sub(OVERLAP);
        }
        let streams: HashSet<u32> = self
            .sections
            .iter()
            .flat_map(|s| s.entries.iter())
            .filter_map(|(_, e)| match e {
                XrefEntry::InStream(s, _) => Some(*s),
                _ => None,
            })
            .collect();
        for stm in streams {
            let Some(XrefEntry::Offset(o, _)) = self.xref.get(&stm) else { continue };
            let Ok((Object::Stream(d, data), _)) = self.parse_indirect_at(*o) else { continue };
            if let Ok(bytes) = self.stream_data(&d, &data) {
                scan_refs(&bytes, &mut note);
            }
        }
        let fresh = max_ref.map_or(base, |m| m.saturating_add(1).max(base));
        Ok(ReferenceScan { fresh, dangling: dangling.into_iter().collect() })
    }

    /// Reads `n` bytes at `off` (fewer at the end of the file).
    pub fn read_at(&self, off: u64, n: usize) -> Result<Vec<u8>, PdfError> {
        let mut f = self.file.lock().map_err(|_| malformed("poisoned file lock"))?;
        f.seek(SeekFrom::Start(off))?;
        // Never past `len`: a revision view must not see later bytes.
        let n = to_u64(n).min(self.len.saturating_sub(off));
        // Fill a buffer of the wanted size and stop when it is full: no
        // extra read to find the end (objects are loaded by the thousand).
        let mut buf = vec![0u8; to_usize(n).min(MAX_WINDOW.saturating_mul(4))];
        let mut got = 0usize;
        while let Some(rest) = buf.get_mut(got..).filter(|r| !r.is_empty()) {
            match f.read(rest) {
                Ok(0) => break,
                Ok(k) => got = got.saturating_add(k),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        buf.truncate(got);
        Ok(buf)
    }

    fn note(&mut self, section: u64, kind: XrefFindingKind) {
        if self.findings.len() < MAX_FINDINGS {
            self.findings.push(XrefFinding { section, kind });
        } else if self.findings.len() == MAX_FINDINGS {
            self.findings.push(XrefFinding { section, kind: XrefFindingKind::TooManyFindings });
        }
    }

    /// Finds the last `startxref` of the file and what follows it (§7.5.5):
    /// its offset value, and the end of the `%%EOF` line. Bytes after that
    /// which are not white space are recorded.
    fn locate_startxref(&mut self) -> Result<u64, PdfError> {
        const CHUNK: u64 = 1 << 16;
        let floor = self.len.saturating_sub(MAX_TAIL_SCAN);
        let mut hi = self.len;
        let (pos, tail) = loop {
            let lo = hi.saturating_sub(CHUNK).max(floor);
            // Read a little past `hi` so a keyword across chunks is seen.
            let buf = self.read_at(lo, to_usize(hi.saturating_sub(lo).saturating_add(16)))?;
            if let Some(p) = rfind(&buf, b"startxref") {
                let at = lo.saturating_add(to_u64(p));
                let rest = self.read_at(at, to_usize(self.len.saturating_sub(at)).min(MAX_WINDOW))?;
                break (at, rest);
            }
            if lo <= floor {
                return Err(malformed("no startxref"));
            }
            hi = lo;
        };
        let mut lx = Lexer::new(&tail, 9);
        let value = lx.uint().map_err(|_| malformed("bad startxref"))?;
        let newest = value;
        // White space only: `%%EOF` is itself a comment to the lexer.
        let mut at = lx.pos;
        while tail.get(at).is_some_and(|b| is_white(*b)) {
            at = at.saturating_add(1);
        }
        if tail.get(at..).is_some_and(|t| t.starts_with(b"%%EOF")) {
            let mut end = at.saturating_add(5);
            // One end-of-line marker belongs to the `%%EOF` line.
            if tail.get(end) == Some(&b'\r') {
                end = end.saturating_add(1);
            }
            if tail.get(end) == Some(&b'\n') {
                end = end.saturating_add(1);
            }
            self.eof_end = pos.saturating_add(to_u64(end));
            let after = tail.get(end..).unwrap_or_default();
            if let Some(first) = after.iter().position(|b| !is_white(*b)) {
                let offset = self.eof_end.saturating_add(to_u64(first));
                self.note(newest, XrefFindingKind::DataAfterEof { offset, len: self.len.saturating_sub(offset) });
            }
        } else {
            self.eof_end = self.len;
            self.note(newest, XrefFindingKind::MissingEof);
        }
        Ok(value)
    }

    fn load_xref(&mut self) -> Result<(), PdfError> {
        let mut next = Some(self.locate_startxref()?);
        let mut seen = HashSet::new();
        let mut from = None::<u64>;
        while let Some(off) = next {
            if self.sections.len() >= MAX_SECTIONS {
                return Err(malformed("too many cross-reference sections"));
            }
            if !seen.insert(off) {
                self.note(from.unwrap_or(off), XrefFindingKind::RelistedSection { prev: off });
                break;
            }
            let (mut section, rows) = match self.read_section(off) {
                Ok(s) => s,
                Err(e) => match self.repair_section(off) {
                    Some((s, rows)) => {
                        self.note(s.offset, XrefFindingKind::XrefRepaired { from: off, to: s.offset });
                        if !seen.insert(s.offset) {
                            self.note(from.unwrap_or(off), XrefFindingKind::RelistedSection { prev: s.offset });
                            break;
                        }
                        (s, rows)
                    }
                    None => return Err(e),
                },
            };
            for kind in rows {
                self.note(section.offset, kind);
            }
            self.merge_hybrid(&mut section, &seen);
            self.note_duplicates(&section);
            next = match section.trailer.get("Prev") {
                None => None,
                Some(p) => match p.as_int().and_then(|p| u64::try_from(p).ok()) {
                    Some(p) => Some(p),
                    None => {
                        self.note(section.offset, XrefFindingKind::BadPrev);
                        None
                    }
                },
            };
            from = Some(section.offset);
            for (n, e) in &section.entries {
                self.xref.entry(*n).or_insert(*e);
            }
            self.sections.push(section);
        }
        self.note_overlaps();
        self.check_objects()?;
        Ok(())
    }

    /// Hybrid files (§7.5.8.4): a table's `/XRefStm` stream completes the
    /// table. The table's in-use entries win; the stream fills the numbers
    /// the table lists free or not at all. An update of a hybrid file may
    /// repeat the `/XRefStm` of an earlier revision (Acrobat does): that
    /// older stream only fills the numbers the update's table does not list
    /// (a free entry there is a deletion), and its differences with the
    /// table are the update's changes, not conflicts.
    fn merge_hybrid(&mut self, section: &mut Section, chain: &HashSet<u64>) {
        let Some(v) = section.trailer.get("XRefStm") else { return };
        let Some(stm) = v.as_int().and_then(|s| u64::try_from(s).ok()) else {
            self.note(section.offset, XrefFindingKind::BadPrev);
            return;
        };
        if chain.contains(&stm) {
            self.note(section.offset, XrefFindingKind::RelistedSection { prev: stm });
            return;
        }
        let prev = section.trailer.get("Prev").and_then(Object::as_int).and_then(|p| u64::try_from(p).ok());
        let older = prev.is_some_and(|p| p < section.offset && stm < p);
        let extra = match self.read_section(stm) {
            Ok((x, rows)) if x.kind == XrefKind::Stream => {
                for kind in rows {
                    self.note(section.offset, kind);
                }
                x
            }
            _ => {
                self.note(section.offset, XrefFindingKind::HybridStreamUnreadable { offset: stm });
                return;
            }
        };
        let table: HashMap<u32, XrefEntry> = section.entries.iter().rev().map(|(n, e)| (*n, *e)).collect();
        let mut filled = HashSet::new();
        for (n, e) in &extra.entries {
            match (table.get(n), e) {
                (None, _) => {
                    filled.insert(*n);
                }
                (Some(_), _) if older => {}
                (Some(XrefEntry::Free), XrefEntry::Free) => {}
                (Some(XrefEntry::Free), _) => {
                    self.note(section.offset, XrefFindingKind::HybridFreeFilled { num: *n });
                    filled.insert(*n);
                }
                (Some(t), _) if t != e => self.note(section.offset, XrefFindingKind::HybridConflict { num: *n }),
                (Some(_), _) => {}
            }
        }
        section.entries.retain(|(n, _)| !filled.contains(n));
        section.entries.extend(extra.entries.into_iter().filter(|(n, _)| filled.contains(n)));
    }

    fn note_duplicates(&mut self, section: &Section) {
        let mut seen = HashSet::new();
        let dups: Vec<u32> = section.entries.iter().filter(|(n, _)| !seen.insert(*n)).map(|(n, _)| *n).collect();
        for num in dups {
            self.note(section.offset, XrefFindingKind::DuplicateEntry { num });
        }
    }

    fn note_overlaps(&mut self) {
        let spans: Vec<(u64, u64)> = self.sections.iter().map(|s| (s.offset, s.end)).collect();
        for (i, a) in spans.iter().enumerate() {
            for b in spans.iter().skip(i.saturating_add(1)) {
                if a.0 < b.1 && b.0 < a.1 {
                    self.note(a.0, XrefFindingKind::OverlappingSections { other: b.0 });
                }
            }
        }
    }

    /// Checks that every in-use entry of every section points at its object
    /// (`num gen obj`, §7.5.4), repairing an offset that is a few bytes off.
    fn check_objects(&mut self) -> Result<(), PdfError> {
        let mut checked: HashMap<(u32, u64), Option<u64>> = HashMap::new();
        // Searching costs a window read per object: a file with thousands of
        // wrong offsets is not worth repairing (and must not take minutes).
        let mut budget = MAX_OBJECT_REPAIRS;
        for si in 0..self.sections.len() {
            let Some(section) = self.sections.get(si) else { break };
            let sec_off = section.offset;
            let entries = section.entries.clone();
            for (ei, (num, e)) in entries.iter().enumerate() {
                match *e {
                    XrefEntry::Free => {}
                    XrefEntry::InStream(stm, _) => {
                        if !matches!(self.xref.get(&stm), Some(XrefEntry::Offset(..))) {
                            self.note(sec_off, XrefFindingKind::MissingObjectStream { num: *num, stream: stm });
                        }
                    }
                    XrefEntry::Offset(off, gen_) => {
                        let fixed = match checked.get(&(*num, off)) {
                            Some(f) => *f,
                            None => {
                                let f = self.check_object(sec_off, *num, off, gen_, &mut budget)?;
                                checked.insert((*num, off), f);
                                f
                            }
                        };
                        if let Some(to) = fixed
                            && let Some(slot) = self.sections.get_mut(si).and_then(|s| s.entries.get_mut(ei))
                        {
                            slot.1 = XrefEntry::Offset(to, gen_);
                        }
                    }
                }
            }
        }
        // Rebuild the newest-first map from the corrected sections.
        self.xref.clear();
        for s in &self.sections {
            for (n, e) in &s.entries {
                self.xref.entry(*n).or_insert(*e);
            }
        }
        Ok(())
    }

    /// Checks one object header; returns the repaired offset if it moved.
    fn check_object(
        &mut self,
        sec: u64,
        num: u32,
        off: u64,
        gen_: u16,
        budget: &mut usize,
    ) -> Result<Option<u64>, PdfError> {
        if off >= self.len {
            self.note(sec, XrefFindingKind::ObjectNotAtOffset { num, offset: off });
            return Ok(None);
        }
        let head = self.read_at(off, 64)?;
        if let Some((n, g)) = object_header(&head)
            && n == num
        {
            if g != gen_ {
                self.note(sec, XrefFindingKind::GenerationMismatch { num, xref: gen_, found: g });
            }
            return Ok(None);
        }
        let found = match budget.checked_sub(1) {
            Some(left) => {
                *budget = left;
                self.find_object_near(num, off)?
            }
            None => None,
        };
        match found {
            Some((to, g)) => {
                self.note(sec, XrefFindingKind::ObjectOffsetRepaired { num, from: off, to });
                if g != gen_ {
                    self.note(sec, XrefFindingKind::GenerationMismatch { num, xref: gen_, found: g });
                }
                Ok(Some(to))
            }
            None => {
                self.note(sec, XrefFindingKind::ObjectNotAtOffset { num, offset: off });
                Ok(None)
            }
        }
    }

    /// The bytes within [`REPAIR_WINDOW`] of `off`, and where they start.
    fn window_around(&self, off: u64) -> Result<(u64, Vec<u8>), PdfError> {
        let lo = off.saturating_sub(REPAIR_WINDOW).min(self.len);
        let hi = off.saturating_add(REPAIR_WINDOW).min(self.len);
        // A little more so a header starting near `hi` can be read whole.
        Ok((lo, self.read_at(lo, to_usize(hi.saturating_sub(lo).saturating_add(64)))?))
    }

    /// Finds `num g obj` starting at a token boundary near `off`, nearest first.
    fn find_object_near(&self, num: u32, off: u64) -> Result<Option<(u64, u16)>, PdfError> {
        let (lo, buf) = self.window_around(off)?;
        let mut best = None::<(u64, u64, u16)>;
        for (i, _) in buf.iter().enumerate().filter(|(i, b)| b.is_ascii_digit() && at_token_start(&buf, *i)) {
            let Some(rest) = buf.get(i..) else { continue };
            let Some((n, g)) = object_header(rest) else { continue };
            if n != num {
                continue;
            }
            let at = lo.saturating_add(to_u64(i));
            let dist = at.abs_diff(off);
            if best.is_none_or(|(d, _, _)| dist < d) {
                best = Some((dist, at, g));
            }
        }
        Ok(best.map(|(_, at, g)| (at, g)))
    }

    /// Looks for a cross-reference section (an `xref` keyword or an xref
    /// stream object) near `off`, nearest first. This is the repair qpdf,
    /// poppler and PDFBox make when `/Prev` or `startxref` is a few bytes off.
    fn repair_section(&self, off: u64) -> Option<(Section, Vec<XrefFindingKind>)> {
        let (lo, buf) = self.window_around(off).ok()?;
        let mut candidates: Vec<u64> = Vec::new();
        for i in 0..buf.len() {
            if !at_token_start(&buf, i) {
                continue;
            }
            let Some(rest) = buf.get(i..) else { continue };
            let is_xref = rest.starts_with(b"xref") && rest.get(4).is_none_or(|b| is_white(*b));
            if is_xref || (rest.first().is_some_and(u8::is_ascii_digit) && object_header(rest).is_some()) {
                candidates.push(lo.saturating_add(to_u64(i)));
            }
        }
        candidates.sort_by_key(|c| c.abs_diff(off));
        candidates.into_iter().filter(|c| *c != off).take(64).find_map(|c| self.read_section(c).ok())
    }

    /// Reads the section at `off`, with the irregularities of its rows.
    fn read_section(&self, off: u64) -> Result<(Section, Vec<XrefFindingKind>), PdfError> {
        if off >= self.len {
            return Err(malformed("xref offset beyond the end of the file"));
        }
        let head = self.read_at(off, 16)?;
        let start = head.iter().position(|b| !b" \r\n\t".contains(b)).unwrap_or(0);
        if head.get(start..).is_some_and(|h| h.starts_with(b"xref")) {
            return Ok((self.read_table(off)?, Vec::new()));
        }
        let (obj, _) = self.parse_indirect_at(off)?;
        let Object::Stream(dict, data) = obj else { return Err(malformed("xref is neither a table nor a stream")) };
        if dict.get("Type").and_then(Object::as_name) != Some(b"XRef") {
            return Err(malformed("xref stream without /Type /XRef"));
        }
        let end = match data {
            StreamData::File(o, l) => o.saturating_add(l),
            StreamData::Bytes(_) => off,
        };
        let raw = self.stream_data(&dict, &data)?;
        let (entries, findings) = parse_xref_stream(&dict, &raw)?;
        Ok((Section { offset: off, end, kind: XrefKind::Stream, trailer: dict, entries }, findings))
    }

    fn read_table(&self, off: u64) -> Result<Section, PdfError> {
        let mut window = 1 << 16;
        loop {
            let buf = self.read_at(off, window)?;
            let complete = buf.len() < window;
            match parse_table(&buf) {
                Ok((entries, trailer, used)) => {
                    let end = off.saturating_add(to_u64(used));
                    return Ok(Section { offset: off, end, kind: XrefKind::Table, trailer, entries });
                }
                Err(ParseError::Eof) if !complete && window < MAX_WINDOW.saturating_mul(4) => {
                    window = window.saturating_mul(4);
                }
                Err(e) => return Err(malformed(format!("xref table: {e:?}"))),
            }
        }
    }

    /// Parses `n g obj … endobj` at `off`; returns the object and its number.
    pub fn parse_indirect_at(&self, off: u64) -> Result<(Object, (u32, u16)), PdfError> {
        // Most objects are small: start with 2 KiB and grow (a page walk or a
        // change analysis loads tens of thousands of objects).
        let mut window = 1 << 11;
        loop {
            let buf = self.read_at(off, window)?;
            let complete = buf.len() < window;
            match self.parse_indirect(&buf, off) {
                Ok(x) => return Ok(x),
                Err(ParseError::Eof) if !complete && window < MAX_WINDOW => window = window.saturating_mul(4),
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
        let id = (
            u32::try_from(num).map_err(|_| ParseError::Syntax(0, "object number"))?,
            u16::try_from(gen_).map_err(|_| ParseError::Syntax(0, "generation"))?,
        );
        let Object::Dict(dict) = obj else { return Ok((obj, id)) };
        if lx.token() != b"stream" {
            return Ok((Object::Dict(dict), id));
        }
        // §7.3.8.1: `stream` is followed by CRLF or LF.
        if buf.get(lx.pos) == Some(&b'\r') {
            lx.pos = lx.pos.saturating_add(1);
        }
        if buf.get(lx.pos) == Some(&b'\n') {
            lx.pos = lx.pos.saturating_add(1);
        }
        let data_off = base.checked_add(to_u64(lx.pos)).ok_or(ParseError::Syntax(lx.pos, "offset"))?;
        let to_end =
            |from: usize| find_endstream(buf, from).map(|e| to_u64(e.saturating_sub(from))).ok_or(ParseError::Eof);
        let len = match dict.get("Length") {
            Some(Object::Int(n)) if *n >= 0 => u64::try_from(*n).unwrap_or(0),
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
                        u64::try_from(l2.object()?.as_int().unwrap_or(0)).unwrap_or(0)
                    }
                    _ => to_end(lx.pos)?,
                }
            }
            _ => to_end(lx.pos)?,
        };
        if data_off.checked_add(len).is_none_or(|e| e > self.len) {
            return Err(ParseError::Syntax(lx.pos, "stream runs past the end of the file"));
        }
        Ok((Object::Stream(dict, StreamData::File(data_off, len)), id))
    }

    /// The decoded data of a stream (FlateDecode with PNG predictors, or none).
    pub fn stream_data(&self, dict: &Dict, data: &StreamData) -> Result<Vec<u8>, PdfError> {
        let raw = match data {
            StreamData::File(off, len) => {
                if *len > to_u64(MAX_WINDOW.saturating_mul(4)) {
                    return Err(malformed("stream too large to decode"));
                }
                self.read_at(*off, to_usize(*len))?
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
            None => Ok(Object::Null),
            Some(e) => self.get_entry(num, *e),
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
            let bytes = self.stream_data(&dict, &data)?;
            let index = objstm_index(&dict, &bytes)?;
            if cache.len() > 64 {
                cache.clear();
            }
            cache.insert(stm, (bytes, index));
        }
        let (bytes, index) = cache.get(&stm).ok_or_else(|| malformed("object stream cache"))?;
        let idx = usize::try_from(idx).map_err(|_| malformed("object stream index"))?;
        let &(n, at) = index.get(idx).ok_or_else(|| malformed("object stream index"))?;
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
                Ok(span) => {
                    return Ok(span.map(|(a, b)| (off.saturating_add(to_u64(a)), off.saturating_add(to_u64(b)))));
                }
                Err(ParseError::Eof) if !complete && window < MAX_WINDOW => window = window.saturating_mul(4),
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
                        self.walk_pages(k, out, seen, depth.saturating_add(1))?;
                    }
                }
                _ if d.get("Contents").is_some() || d.get("MediaBox").is_some() => out.push(*num),
                _ => return Err(malformed("page tree node without /Kids")),
            },
        }
        Ok(())
    }
}

fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

fn is_regular(b: u8) -> bool {
    !is_white(b) && !b"()<>[]{}/%".contains(&b)
}

/// Whether a token may start at `i` (start of the buffer or after a
/// non-regular character).
fn at_token_start(buf: &[u8], i: usize) -> bool {
    i.checked_sub(1).and_then(|j| buf.get(j)).is_none_or(|b| !is_regular(*b))
}

/// `num gen obj` at the start of `buf` (after white space).
fn object_header(buf: &[u8]) -> Option<(u32, u16)> {
    let mut lx = Lexer::new(buf, 0);
    let n = u32::try_from(lx.uint().ok()?).ok()?;
    let g = u16::try_from(lx.uint().ok()?).ok()?;
    lx.keyword(b"obj").ok()?;
    Some((n, g))
}

/// Calls `note` with the object number of every `n g R` (§7.3.10) in raw
/// bytes.
fn scan_refs(buf: &[u8], note: &mut impl FnMut(u32)) {
    // memchr's vectorised search: this loop runs over every byte of the
    // file before each signing (docs/benchmarks.md).
    for i in memchr::memchr_iter(b'R', buf) {
        if buf.get(i.saturating_add(1)).is_some_and(|b| is_regular(*b)) {
            continue;
        }
        // Backwards from `R`: white space, generation, white space, number.
        let Some(head) = buf.get(..i) else { continue };
        let (rest, w1) = strip_end(head, is_white);
        let (rest, g) = strip_end(rest, |b| b.is_ascii_digit());
        let (rest, w2) = strip_end(rest, is_white);
        let (rest, d) = strip_end(rest, |b| b.is_ascii_digit());
        if w1 == 0 || w2 == 0 || g == 0 || g > 5 || d == 0 || d > 10 || rest.last().is_some_and(|b| is_regular(*b)) {
            continue;
        }
        let digits = buf.get(rest.len()..rest.len().saturating_add(d)).unwrap_or_default();
        if let Some(n) = std::str::from_utf8(digits).ok().and_then(|s| s.parse::<u32>().ok()) {
            note(n);
        }
    }
}

/// `s` without its trailing bytes that match `f`, and how many there were.
fn strip_end(s: &[u8], f: impl Fn(u8) -> bool) -> (&[u8], usize) {
    let n = s.iter().rev().take_while(|b| f(**b)).count();
    (s.get(..s.len().saturating_sub(n)).unwrap_or_default(), n)
}

/// The (object number, offset) index of an object stream (§7.5.7): `/N`
/// pairs of integers, offsets relative to `/First`. Every offset is checked
/// to lie within the stream.
fn objstm_index(dict: &Dict, bytes: &[u8]) -> Result<Vec<(u32, usize)>, PdfError> {
    let int = |k: &str| dict.get(k).and_then(Object::as_int).and_then(|v| usize::try_from(v).ok());
    let n = int("N").ok_or_else(|| malformed("object stream /N"))?;
    let first = int("First").ok_or_else(|| malformed("object stream /First"))?;
    let mut lx = Lexer::new(bytes, 0);
    let mut index = Vec::with_capacity(n.min(100_000));
    for _ in 0..n {
        let (Ok(o), Ok(at)) = (lx.uint(), lx.uint()) else { break };
        let num = u32::try_from(o).map_err(|_| malformed("object stream: object number"))?;
        let at = usize::try_from(at)
            .ok()
            .and_then(|a| first.checked_add(a))
            .filter(|a| *a <= bytes.len())
            .ok_or_else(|| malformed("object stream: offset beyond the stream"))?;
        index.push((num, at));
    }
    Ok(index)
}

/// The entries of a cross-reference stream (§7.5.8.2-3) and what is
/// irregular in them.
fn parse_xref_stream(dict: &Dict, raw: &[u8]) -> Result<(Entries, Vec<XrefFindingKind>), PdfError> {
    let mut findings = Vec::new();
    let w: Vec<usize> = match dict.get("W") {
        Some(Object::Array(a)) if a.len() == 3 => a
            .iter()
            .map(|x| x.as_int().and_then(|v| usize::try_from(v).ok()).filter(|v| *v <= 8))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| malformed("xref stream /W: widths must be 0 to 8"))?,
        _ => return Err(malformed("xref stream /W")),
    };
    let [w0, w1, w2] = [w.first(), w.get(1), w.get(2)].map(|x| x.copied().unwrap_or(0));
    let size = dict.get("Size").and_then(Object::as_int).ok_or_else(|| malformed("xref stream /Size"))?;
    let mut index: Vec<(u64, u64)> = Vec::new();
    match dict.get("Index") {
        Some(Object::Array(a)) => {
            if a.len() % 2 != 0 {
                findings.push(XrefFindingKind::MalformedXrefStream { what: "odd /Index" });
            }
            for pair in a.chunks_exact(2) {
                let v: Vec<Option<u64>> = pair.iter().map(|x| x.as_int().and_then(|v| u64::try_from(v).ok())).collect();
                match v.as_slice() {
                    [Some(f), Some(c)] => index.push((*f, *c)),
                    _ => findings.push(XrefFindingKind::MalformedXrefStream { what: "/Index" }),
                }
            }
        }
        Some(_) => findings.push(XrefFindingKind::MalformedXrefStream { what: "/Index" }),
        None => index.push((0, u64::try_from(size).unwrap_or(0))),
    }
    let row = w0.saturating_add(w1).saturating_add(w2);
    if row == 0 {
        return Err(malformed("xref stream /W is empty"));
    }
    let expected = index.iter().fold(0u64, |acc, (_, c)| acc.saturating_add(*c));
    let have = to_u64(raw.len().checked_div(row).unwrap_or(0));
    let partial = !raw.len().is_multiple_of(row);
    if have < expected || (partial && have <= expected) {
        findings.push(XrefFindingKind::TruncatedXrefStream { expected, found: have });
    } else if have > expected || partial {
        let extra = to_u64(raw.len()).saturating_sub(expected.saturating_mul(to_u64(row)));
        findings.push(XrefFindingKind::ExtraXrefStreamData { bytes: extra });
    }
    let field = |r: &[u8], from: usize, width: usize| -> u64 {
        r.iter().skip(from).take(width).fold(0u64, |acc, b| acc.checked_shl(8).unwrap_or(0) | u64::from(*b))
    };
    let mut rows = raw.chunks_exact(row);
    let mut entries = Vec::new();
    'outer: for (first, count) in index {
        for i in 0..count {
            let Some(r) = rows.next() else { break 'outer };
            let Some(num) = first.checked_add(i).and_then(|n| u32::try_from(n).ok()) else {
                findings.push(XrefFindingKind::MalformedXrefStream { what: "object number" });
                break 'outer;
            };
            // §7.5.8.3: type 1 when the first field is absent.
            let t = if w0 == 0 { 1 } else { field(r, 0, w0) };
            let f1 = field(r, w0, w1);
            let f2 = field(r, w0.saturating_add(w1), w2);
            let e = match t {
                0 => XrefEntry::Free,
                1 => match u16::try_from(f2) {
                    Ok(g) => XrefEntry::Offset(f1, g),
                    Err(_) => {
                        findings.push(XrefFindingKind::MalformedXrefStream { what: "generation" });
                        continue;
                    }
                },
                2 => match (u32::try_from(f1), u32::try_from(f2)) {
                    (Ok(s), Ok(x)) => XrefEntry::InStream(s, x),
                    _ => {
                        findings.push(XrefFindingKind::MalformedXrefStream { what: "object stream number" });
                        continue;
                    }
                },
                kind => {
                    findings.push(XrefFindingKind::UnknownEntryType { num, kind });
                    continue;
                }
            };
            entries.push((num, e));
        }
    }
    Ok((entries, findings))
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn find_endstream(buf: &[u8], from: usize) -> Option<usize> {
    let rel = buf.get(from..)?.windows(9).position(|w| w == b"endstream")?;
    let mut end = from.checked_add(rel)?;
    // Drop the EOL before `endstream`.
    for eol in [b'\n', b'\r'] {
        if end > from && end.checked_sub(1).and_then(|i| buf.get(i)) == Some(&eol) {
            end = end.saturating_sub(1);
        }
    }
    Some(end)
}

/// Parses a classic xref table and its trailer (§7.5.4, §7.5.5); returns
/// the bytes used.
fn parse_table(buf: &[u8]) -> Result<(Entries, Dict, usize), ParseError> {
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
            let num = first
                .checked_add(i)
                .and_then(|n| u32::try_from(n).ok())
                .ok_or(ParseError::Syntax(lx.pos, "object number"))?;
            let e = match kind {
                b"n" => {
                    XrefEntry::Offset(off, u16::try_from(gen_).map_err(|_| ParseError::Syntax(lx.pos, "generation"))?)
                }
                b"f" => XrefEntry::Free,
                _ => return Err(ParseError::Syntax(lx.pos, "xref entry type")),
            };
            entries.push((num, e));
        }
    }
    match lx.object()? {
        Object::Dict(d) => Ok((entries, d, lx.pos)),
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
    if !buf.get(lx.pos..).is_some_and(|b| b.starts_with(b"<<")) {
        return Err(ParseError::Syntax(lx.pos, "dictionary expected"));
    }
    lx.pos = lx.pos.saturating_add(2);
    loop {
        lx.skip_ws();
        match (buf.get(lx.pos), lx.pos.checked_add(1).and_then(|p| buf.get(p))) {
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
