//! Our own reading of a ZIP archive's structure (APPNOTE.TXT 6.3.x §4.3,
//! which ECMA-376 Part 2 Annex C profiles for packages): the end of central
//! directory record, every central directory entry counted, each local
//! header compared with its central directory entry, and the bytes of the
//! file accounted for entry by entry.
//!
//! Readers disagree on ambiguous archives (a streaming reader follows local
//! headers, Office and most libraries the central directory, some take the
//! first of two equal names, others the last), so an ambiguity is refused
//! here rather than resolved one way. What is refused and what is only
//! warned about is listed in docs/architecture.md ("OOXML package reading"):
//!
//! refused — no end record, or one whose comment does not reach the end of
//! the file exactly (data after the archive), or an end-record signature
//! inside the comment; several disks; an entry count or central directory
//! size that disagrees with the entries found; encryption; compression other
//! than stored or deflate; a local header whose name, method, flags, CRC or
//! sizes disagree with the central directory (or a data descriptor that
//! does); entries that overlap; bytes before the first entry, between two
//! entries or between the last entry and the central directory; two names
//! equal exactly or once case and percent-encoding are folded; names with a
//! backslash, an empty, `.` or `..` segment, or a leading `/`; more than
//! [`MAX_ENTRIES`] entries; a package that inflates more than
//! [`MAX_RATIO`] times its size (plus [`RATIO_FLOOR`]).
//!
//! warned — a non-empty archive comment (`zip_comment`): Office opens such
//! files and the comment is never content.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};

use crate::OoxmlError;

/// Most entries an archive may have (Office documents have tens to a few
/// thousand; the bound keeps every later step linear and small).
pub const MAX_ENTRIES: usize = 10_000;
/// The declared uncompressed total may exceed the file size this many times
/// (plus [`RATIO_FLOOR`]); beyond, the package is refused as a ZIP bomb.
pub const MAX_RATIO: u64 = 100;
/// Uncompressed bytes any package may have whatever its size.
pub const RATIO_FLOOR: u64 = 64 << 20;

const SIG_LOCAL: u32 = 0x0403_4b50;
const SIG_CENTRAL: u32 = 0x0201_4b50;
const SIG_EOCD: u32 = 0x0605_4b50;
const SIG_EOCD64: u32 = 0x0606_4b50;
const SIG_LOCATOR64: u32 = 0x0706_4b50;
const SIG_DESCRIPTOR: u32 = 0x0807_4b50;

/// One file entry, as the central directory and its local header agree.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The item name as stored.
    pub name: String,
    /// 0 stored, 8 deflate.
    pub method: u16,
    /// CRC-32 of the uncompressed data.
    pub crc: u32,
    /// Compressed size.
    pub compressed: u64,
    /// Uncompressed size.
    pub size: u64,
    /// Where the compressed data starts.
    pub data_offset: u64,
}

/// The archive's entries in central directory order, and warnings.
#[derive(Debug)]
pub struct Directory {
    /// File entries (directories excluded).
    pub entries: Vec<Entry>,
    /// Findings that do not make the archive ambiguous.
    pub warnings: Vec<kyso_pki::report::Warning>,
}

fn bad(msg: impl Into<String>) -> OoxmlError {
    OoxmlError::Zip(msg.into())
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2).map_or(0, |s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4).map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8).map_or(0, |s| {
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        u64::from_le_bytes(a)
    })
}

fn read_at<R: Read + Seek>(r: &mut R, at: u64, len: usize) -> Result<Vec<u8>, OoxmlError> {
    r.seek(SeekFrom::Start(at))?;
    let mut buf = vec![0u8; len];
    r.read_exact(&mut buf).map_err(|_| bad("the archive is truncated"))?;
    Ok(buf)
}

/// The name a part is compared under (ECMA-376 Part 2 §9.1.1.2: part names
/// are equivalent when equal after ASCII case folding; percent-encoded
/// characters are decoded first, and any Unicode case is folded too, so
/// that every name a reader could take for another folds to the same form).
pub fn fold(name: &str) -> String {
    percent_decode(name).to_lowercase()
}

/// Decodes `%XX` escapes (RFC 3986 §2.1); a malformed escape stays as written.
pub fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A ZIP item name that maps to one OPC part name without ambiguity
/// (ECMA-376 Part 2 §9.1.1.1: non-empty segments, none `.`/`..` or ending in
/// a dot; no backslash, which some readers take for a separator).
fn check_name(name: &str) -> Result<(), OoxmlError> {
    let body = name.strip_suffix('/').unwrap_or(name);
    if name.is_empty() || name.starts_with('/') || name.contains('\\') || name.contains('\0') {
        return Err(bad(format!("item name not allowed in a package: {name:?}")));
    }
    if body.split('/').any(|s| s.is_empty() || s == "." || s == ".." || s.ends_with('.')) {
        return Err(bad(format!("item name not allowed in a package: {name:?}")));
    }
    Ok(())
}

/// The ZIP64 extended information extra field (APPNOTE §4.5.3): replaces
/// the 32-bit fields that hold 0xFFFFFFFF, in order.
fn zip64_extra(extra: &[u8], size: &mut u64, comp: &mut u64, offset: Option<&mut u64>) -> Result<(), OoxmlError> {
    let mut i = 0usize;
    while i + 4 <= extra.len() {
        let id = u16_at(extra, i);
        let len = usize::from(u16_at(extra, i + 2));
        let body = extra.get(i + 4..i + 4 + len).ok_or_else(|| bad("extra field overruns its entry"))?;
        if id == 1 {
            let mut at = 0usize;
            let mut take = |v: &mut u64| -> Result<(), OoxmlError> {
                if *v == u64::from(u32::MAX) {
                    if at + 8 > body.len() {
                        return Err(bad("ZIP64 extra field too short"));
                    }
                    *v = u64_at(body, at);
                    at += 8;
                }
                Ok(())
            };
            take(size)?;
            take(comp)?;
            if let Some(o) = offset {
                take(o)?;
            }
            return Ok(());
        }
        i += 4 + len;
    }
    Ok(())
}

/// Reads and cross-checks the archive structure of `r`.
#[allow(clippy::too_many_lines)]
pub fn read_directory<R: Read + Seek>(r: &mut R) -> Result<Directory, OoxmlError> {
    let len = r.seek(SeekFrom::End(0))?;
    if len < 22 {
        return Err(OoxmlError::NotOoxml);
    }
    // --- End of central directory record (§4.3.16): its comment must end
    // exactly at the end of the file.
    let tail_len = len.min(22 + 0xFFFF);
    let tail_start = len - tail_len;
    let tail = read_at(r, tail_start, tail_len as usize)?;
    let mut eocd = None;
    let mut any_sig = false;
    for i in (0..=tail.len() - 22).rev() {
        if u32_at(&tail, i) == SIG_EOCD {
            any_sig = true;
            if i + 22 + usize::from(u16_at(&tail, i + 20)) == tail.len() {
                eocd = Some(i);
                break;
            }
        }
    }
    let Some(e) = eocd else {
        return Err(if any_sig { bad("data after the end of the ZIP archive") } else { OoxmlError::NotOoxml });
    };
    let comment = &tail[e + 22..];
    if comment.windows(4).any(|w| matches!(u32_at(w, 0), SIG_EOCD | SIG_EOCD64 | SIG_LOCATOR64)) {
        return Err(bad("the archive comment holds another end-of-archive record"));
    }
    let mut warnings = Vec::new();
    if !comment.is_empty() {
        warnings.push(kyso_pki::report::Warning::with(
            kyso_pki::report::WarningCode::ZipComment,
            format!("{} bytes", comment.len()),
        ));
    }
    let eocd_pos = tail_start + e as u64;
    let (disk, cd_disk) = (u16_at(&tail, e + 4), u16_at(&tail, e + 6));
    let (n_disk, n_total) = (u16_at(&tail, e + 8), u16_at(&tail, e + 10));
    let mut total = u64::from(n_total);
    let mut cd_size = u64::from(u32_at(&tail, e + 12));
    let mut cd_off = u64::from(u32_at(&tail, e + 16));
    if disk != 0 || cd_disk != 0 || n_disk != n_total {
        return Err(bad("multi-disk archives are not packages"));
    }
    // --- ZIP64 end record and locator (§4.3.14-15), when present.
    let mut cd_end_expected = eocd_pos;
    if eocd_pos >= 20 && u32_at(&read_at(r, eocd_pos - 20, 4)?, 0) == SIG_LOCATOR64 {
        let loc = read_at(r, eocd_pos - 20, 20)?;
        let rec_off = u64_at(&loc, 8);
        if u32_at(&loc, 4) != 0 || u32_at(&loc, 16) > 1 || rec_off >= eocd_pos - 20 {
            return Err(bad("bad ZIP64 end-of-archive locator"));
        }
        let rec = read_at(r, rec_off, 56)?;
        if u32_at(&rec, 0) != SIG_EOCD64 || rec_off.checked_add(12 + u64_at(&rec, 4)) != Some(eocd_pos - 20) {
            return Err(bad("bad ZIP64 end-of-archive record"));
        }
        if u32_at(&rec, 16) != 0 || u32_at(&rec, 20) != 0 || u64_at(&rec, 24) != u64_at(&rec, 32) {
            return Err(bad("multi-disk archives are not packages"));
        }
        total = u64_at(&rec, 32);
        cd_size = u64_at(&rec, 40);
        cd_off = u64_at(&rec, 48);
        cd_end_expected = rec_off;
    }
    if total > MAX_ENTRIES as u64 {
        return Err(bad(format!("more than {MAX_ENTRIES} items")));
    }
    if cd_off.checked_add(cd_size) != Some(cd_end_expected) {
        return Err(bad("the central directory does not end where its end record says"));
    }
    if cd_size > (MAX_ENTRIES as u64) * (46 + 3 * 0xFFFF) {
        return Err(bad("central directory too large"));
    }
    let cd = read_at(r, cd_off, cd_size as usize)?;

    // --- Every central directory entry (§4.3.12), counted.
    struct Raw {
        entry: Entry,
        flags: u16,
        header_offset: u64,
        name_bytes: Vec<u8>,
        zip64: bool,
    }
    let mut raws: Vec<Raw> = Vec::new();
    let mut exact: HashMap<Vec<u8>, ()> = HashMap::new();
    let mut folded: HashMap<String, String> = HashMap::new();
    let mut at = 0usize;
    while at < cd.len() {
        if raws.len() >= MAX_ENTRIES {
            return Err(bad(format!("more than {MAX_ENTRIES} items")));
        }
        if at + 46 > cd.len() || u32_at(&cd, at) != SIG_CENTRAL {
            return Err(bad("damaged central directory entry"));
        }
        let flags = u16_at(&cd, at + 8);
        let method = u16_at(&cd, at + 10);
        let crc = u32_at(&cd, at + 16);
        let mut comp = u64::from(u32_at(&cd, at + 20));
        let mut size = u64::from(u32_at(&cd, at + 24));
        let (nl, xl, cl) =
            (usize::from(u16_at(&cd, at + 28)), usize::from(u16_at(&cd, at + 30)), usize::from(u16_at(&cd, at + 32)));
        let disk_start = u16_at(&cd, at + 34);
        let mut header_offset = u64::from(u32_at(&cd, at + 42));
        let end = at + 46 + nl + xl + cl;
        if end > cd.len() {
            return Err(bad("damaged central directory entry"));
        }
        let name_bytes = cd[at + 46..at + 46 + nl].to_vec();
        let extra = &cd[at + 46 + nl..at + 46 + nl + xl];
        let zip64 = comp == u64::from(u32::MAX) || size == u64::from(u32::MAX);
        zip64_extra(extra, &mut size, &mut comp, Some(&mut header_offset))?;
        at = end;
        let name = String::from_utf8(name_bytes.clone()).map_err(|_| bad("an item name is not UTF-8"))?;
        check_name(&name)?;
        if exact.insert(name_bytes.clone(), ()).is_some() {
            return Err(OoxmlError::DuplicatePart(format!("/{name} (two identical ZIP items)")));
        }
        let f = fold(name.trim_end_matches('/'));
        if let Some(other) = folded.insert(f, name.clone()) {
            return Err(OoxmlError::DuplicatePart(format!("/{name} and /{other} (names that differ only in case)")));
        }
        if disk_start != 0 {
            return Err(bad("multi-disk archives are not packages"));
        }
        if flags & 0x41 != 0 {
            return Err(bad(format!("encrypted item: {name}")));
        }
        if method != 0 && method != 8 {
            return Err(bad(format!("compression method {method} of {name} is not allowed in a package")));
        }
        raws.push(Raw {
            entry: Entry { name, method, crc, compressed: comp, size, data_offset: 0 },
            flags,
            header_offset,
            name_bytes,
            zip64,
        });
    }
    if raws.len() as u64 != total {
        return Err(bad(format!("the end record counts {total} items but the central directory has {}", raws.len())));
    }

    // --- Each local header (§4.3.7) against its central entry, and the
    // span of bytes each entry owns.
    let mut spans: Vec<(u64, u64, usize)> = Vec::with_capacity(raws.len());
    let mut inflated: u64 = 0;
    for (i, raw) in raws.iter_mut().enumerate() {
        let name = raw.entry.name.clone();
        let mismatch =
            |what: &str| bad(format!("the local header of {name} disagrees with the central directory ({what})"));
        let h = read_at(r, raw.header_offset, 30)?;
        if u32_at(&h, 0) != SIG_LOCAL {
            return Err(bad(format!("no local header where the central directory puts {name}")));
        }
        let flags = u16_at(&h, 6);
        let method = u16_at(&h, 8);
        let (nl, xl) = (usize::from(u16_at(&h, 26)), usize::from(u16_at(&h, 28)));
        let var = read_at(r, raw.header_offset + 30, nl + xl)?;
        if var[..nl] != raw.name_bytes[..] {
            return Err(mismatch("name"));
        }
        if method != raw.entry.method {
            return Err(mismatch("compression method"));
        }
        if (flags ^ raw.flags) & 0x0809 != 0 {
            return Err(mismatch("flags"));
        }
        let descriptor = flags & 0x08 != 0;
        let mut lcomp = u64::from(u32_at(&h, 18));
        let mut lsize = u64::from(u32_at(&h, 22));
        let local_zip64 = lcomp == u64::from(u32::MAX) || lsize == u64::from(u32::MAX);
        zip64_extra(&var[nl..], &mut lsize, &mut lcomp, None)?;
        if !descriptor && (u32_at(&h, 14) != raw.entry.crc || lcomp != raw.entry.compressed || lsize != raw.entry.size)
        {
            return Err(mismatch("CRC or sizes"));
        }
        let data_offset = raw.header_offset + 30 + (nl + xl) as u64;
        let mut end =
            data_offset.checked_add(raw.entry.compressed).ok_or_else(|| bad(format!("size of {name} overflows")))?;
        if descriptor {
            // A data descriptor (§4.3.9): optional signature, CRC, sizes
            // (8 bytes each for ZIP64 entries); it must agree too.
            let wide = raw.zip64 || local_zip64;
            let d = read_at(r, end, if wide { 24 } else { 16 }).or_else(|_| read_at(r, end, 12))?;
            let skip = if u32_at(&d, 0) == SIG_DESCRIPTOR { 4 } else { 0 };
            let (crc, c, s) = if wide {
                (u32_at(&d, skip), u64_at(&d, skip + 4), u64_at(&d, skip + 12))
            } else {
                (u32_at(&d, skip), u64::from(u32_at(&d, skip + 4)), u64::from(u32_at(&d, skip + 8)))
            };
            if crc != raw.entry.crc || c != raw.entry.compressed || s != raw.entry.size {
                return Err(mismatch("data descriptor"));
            }
            end += (skip + if wide { 20 } else { 12 }) as u64;
        }
        if end > cd_off {
            return Err(bad(format!("{name} runs into the central directory")));
        }
        raw.entry.data_offset = data_offset;
        inflated = inflated.saturating_add(raw.entry.size);
        spans.push((raw.header_offset, end, i));
    }
    spans.sort_unstable();
    let mut pos = 0u64;
    for (start, end, i) in &spans {
        let name = &raws[*i].entry.name;
        if *start < pos {
            return Err(bad(format!("{name} overlaps another item")));
        }
        if *start > pos {
            return Err(bad(if pos == 0 {
                format!("{start} bytes before the first item")
            } else {
                format!("{} unaccounted bytes before {name}", start - pos)
            }));
        }
        pos = *end;
    }
    if pos != cd_off {
        return Err(bad(format!("{} unaccounted bytes after the last item", cd_off - pos)));
    }
    if inflated > MAX_RATIO.saturating_mul(len).saturating_add(RATIO_FLOOR) {
        return Err(bad(format!(
            "the package would inflate to {inflated} bytes, more than {MAX_RATIO} times its size (a ZIP bomb)"
        )));
    }
    let entries = raws.into_iter().map(|r| r.entry).filter(|e| !e.name.ends_with('/')).collect();
    Ok(Directory { entries, warnings })
}

/// The uncompressed data of `entry`, checked against its size and CRC-32
/// as it is read (§4.4.7-9).
pub fn open<'a, R: Read + Seek>(r: &'a mut R, entry: &Entry) -> Result<Box<dyn Read + 'a>, OoxmlError> {
    r.seek(SeekFrom::Start(entry.data_offset))?;
    let raw = r.take(entry.compressed);
    let inner: Box<dyn Read + 'a> = match entry.method {
        8 => Box::new(flate2::read::DeflateDecoder::new(raw)),
        _ => Box::new(raw),
    };
    Ok(Box::new(Checked {
        inner,
        crc: flate2::Crc::new(),
        left: entry.size,
        want: entry.crc,
        name: entry.name.clone(),
    }))
}

struct Checked<'a> {
    inner: Box<dyn Read + 'a>,
    crc: flate2::Crc,
    left: u64,
    want: u32,
    name: String,
}

impl Read for Checked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let err = |m: String| std::io::Error::new(std::io::ErrorKind::InvalidData, m);
        if buf.is_empty() {
            return Ok(0);
        }
        // One byte more than declared is asked for, to notice a longer item.
        let cap = usize::try_from(self.left.saturating_add(1)).unwrap_or(usize::MAX).min(buf.len());
        let n = self.inner.read(&mut buf[..cap])?;
        if n as u64 > self.left {
            return Err(err(format!("{} holds more data than its declared size", self.name)));
        }
        self.left -= n as u64;
        self.crc.update(&buf[..n]);
        if n == 0 {
            if self.left != 0 {
                return Err(err(format!("{} holds less data than its declared size", self.name)));
            }
            if self.crc.sum() != self.want {
                return Err(err(format!("CRC-32 of {} does not match", self.name)));
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_and_names() {
        assert_eq!(fold("/Word/_RELS/Document.xml.rels"), "/word/_rels/document.xml.rels");
        assert_eq!(fold("/a%20B.xml"), "/a b.xml");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert!(check_name("word/document.xml").is_ok());
        assert!(check_name("word/").is_ok());
        for n in ["/x", "a\\b", "a//b", "a/./b", "a/../b", "a/b."] {
            assert!(check_name(n).is_err(), "{n}");
        }
    }

    #[test]
    fn truncated_or_junk_is_refused_without_panic() {
        for data in [&b""[..], b"PK\x05\x06", b"PK\x03\x04 not a zip at all, no end record here........"] {
            assert!(read_directory(&mut std::io::Cursor::new(data.to_vec())).is_err());
        }
        let mut eocd = b"PK\x05\x06".to_vec();
        eocd.extend([0u8; 18]);
        eocd[10] = 5; // five entries claimed, none present
        eocd[8] = 5;
        assert!(read_directory(&mut std::io::Cursor::new(eocd)).is_err());
    }
}
