//! Reading an Open Packaging Conventions package (ECMA-376 Part 2): the ZIP
//! items as parts, `[Content_Types].xml` (§10.1.2) and relationship parts
//! (§9.3).

use std::io::{Cursor, Read, Seek};
use std::path::Path;

use crate::OoxmlError;
use crate::xml::{self, Element};

/// `[Content_Types].xml`'s namespace.
pub const NS_CT: &str = "http://schemas.openxmlformats.org/package/2006/content-types";
/// Relationship parts' namespace.
pub const NS_RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
/// Relationship type of the digital signature origin (§12.2.2).
pub const REL_ORIGIN: &str = "http://schemas.openxmlformats.org/package/2006/relationships/digital-signature/origin";
/// Relationship type of a signature part.
pub const REL_SIGNATURE: &str =
    "http://schemas.openxmlformats.org/package/2006/relationships/digital-signature/signature";
/// Content type of a relationship part.
pub const CT_RELS: &str = "application/vnd.openxmlformats-package.relationships+xml";
/// Content type of the origin part.
pub const CT_ORIGIN: &str = "application/vnd.openxmlformats-package.digital-signature-origin";
/// Content type of a signature part.
pub const CT_SIGNATURE: &str = "application/vnd.openxmlformats-package.digital-signature-xmlsignature+xml";

/// Largest part we read into memory (a ZIP bomb guard).
const MAX_PART: u64 = 256 << 20;

/// One relationship (§9.3.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relationship {
    /// `Id`.
    pub id: String,
    /// `Type`.
    pub rel_type: String,
    /// `Target` as written.
    pub target: String,
    /// `TargetMode="External"`.
    pub external: bool,
}

/// What a package is read from: a file (streamed) or bytes in memory.
pub trait Source: Read + Seek + Send {}
impl<T: Read + Seek + Send> Source for T {}

/// An opened package, read part by part from its source (a large media
/// part is never held whole unless it is hashed from memory).
pub struct Package {
    archive: zip::ZipArchive<Box<dyn Source>>,
    /// Part names (`/word/document.xml`), in ZIP order, excluding
    /// `[Content_Types].xml` and directories.
    parts: Vec<String>,
    defaults: Vec<(String, String)>,
    overrides: Vec<(String, String)>,
}

/// The part name of a ZIP item name.
fn part_name(item: &str) -> String {
    format!("/{item}")
}

impl Package {
    /// Reads a package from its bytes.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, OoxmlError> {
        Self::from_source(Box::new(Cursor::new(bytes)))
    }

    /// Opens the package at `path` (read only).
    pub fn open(path: &Path) -> Result<Self, OoxmlError> {
        Self::from_source(Box::new(std::io::BufReader::new(std::fs::File::open(path)?)))
    }

    fn from_source(source: Box<dyn Source>) -> Result<Self, OoxmlError> {
        let mut archive = zip::ZipArchive::new(source).map_err(|_| OoxmlError::NotOoxml)?;
        let mut parts = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        for i in 0..archive.len() {
            let f = archive.by_index_raw(i).map_err(|e| OoxmlError::Zip(e.to_string()))?;
            let name = f.name().map_err(|e| OoxmlError::Zip(e.to_string()))?.into_owned();
            if name.ends_with('/') {
                continue;
            }
            // Part names compare case-insensitively (§9.1.1.2); two items
            // naming one part make the package ambiguous.
            let lower = name.to_lowercase();
            if seen.contains(&lower) {
                return Err(OoxmlError::DuplicatePart(name));
            }
            seen.push(lower);
            if name != "[Content_Types].xml" {
                parts.push(part_name(&name));
            }
        }
        let mut pkg = Package { archive, parts, defaults: Vec::new(), overrides: Vec::new() };
        let ct = pkg.read_item("[Content_Types].xml").map_err(|_| OoxmlError::NotOoxml)?;
        let doc = xml::parse(&ct)?;
        if !doc.root.is(NS_CT, "Types") {
            return Err(OoxmlError::NotOoxml);
        }
        for e in doc.root.elements() {
            match (e.ns.as_str(), e.local.as_str()) {
                (NS_CT, "Default") => {
                    if let (Some(x), Some(c)) = (e.attr("Extension"), e.attr("ContentType")) {
                        pkg.defaults.push((x.to_lowercase(), c.to_owned()));
                    }
                }
                (NS_CT, "Override") => {
                    if let (Some(p), Some(c)) = (e.attr("PartName"), e.attr("ContentType")) {
                        pkg.overrides.push((p.to_lowercase(), c.to_owned()));
                    }
                }
                _ => {}
            }
        }
        Ok(pkg)
    }

    /// Part names, in ZIP order.
    pub fn parts(&self) -> &[String] {
        &self.parts
    }

    /// The stored name of `part` (matched case-insensitively, percent-decoded
    /// as a fallback), or `None` when the package has no such part.
    pub fn find(&self, part: &str) -> Option<&str> {
        let lower = part.to_lowercase();
        let decoded = percent_decode(part).to_lowercase();
        self.parts.iter().find(|p| p.to_lowercase() == lower || p.to_lowercase() == decoded).map(String::as_str)
    }

    /// The content type of `part` (§10.1.2.4: an Override, else the Default
    /// for its extension).
    pub fn content_type(&self, part: &str) -> Option<&str> {
        let lower = part.to_lowercase();
        if let Some((_, c)) = self.overrides.iter().find(|(p, _)| *p == lower) {
            return Some(c);
        }
        let ext = lower.rsplit_once('.').map(|(_, e)| e)?;
        if ext.contains('/') {
            return None;
        }
        self.defaults.iter().find(|(x, _)| x == ext).map(|(_, c)| c.as_str())
    }

    pub(crate) fn read_item(&mut self, item: &str) -> Result<Vec<u8>, OoxmlError> {
        let f = self.archive.by_name(item).map_err(|_| OoxmlError::PartMissing(part_name(item)))?;
        if f.size() > MAX_PART {
            return Err(OoxmlError::TooLarge(part_name(item)));
        }
        let mut out = Vec::with_capacity(f.size() as usize);
        f.take(MAX_PART + 1).read_to_end(&mut out).map_err(|e| OoxmlError::Zip(e.to_string()))?;
        if out.len() as u64 > MAX_PART {
            return Err(OoxmlError::TooLarge(part_name(item)));
        }
        Ok(out)
    }

    /// The digest of `part`, streamed (for large binary parts).
    pub fn digest(&mut self, part: &str, alg: kyso_pki::HashAlg) -> Result<Vec<u8>, OoxmlError> {
        let name = self.find(part).ok_or_else(|| OoxmlError::PartMissing(part.to_owned()))?.to_owned();
        let mut f = self.archive.by_name(&name[1..]).map_err(|_| OoxmlError::PartMissing(part.to_owned()))?;
        let mut h = kyso_pki::HashState::new(alg);
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = f.read(&mut buf).map_err(|e| OoxmlError::Zip(e.to_string()))?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
        }
        Ok(h.finalize())
    }

    /// The bytes of `part`.
    pub fn read(&mut self, part: &str) -> Result<Vec<u8>, OoxmlError> {
        let name = self.find(part).ok_or_else(|| OoxmlError::PartMissing(part.to_owned()))?.to_owned();
        self.read_item(&name[1..])
    }

    /// The relationships of the relationship part `rels_part`; an absent
    /// part has none.
    pub fn relationships(&mut self, rels_part: &str) -> Result<Vec<Relationship>, OoxmlError> {
        if self.find(rels_part).is_none() {
            return Ok(Vec::new());
        }
        let doc = xml::parse(&self.read(rels_part)?)?;
        parse_relationships(&doc.root)
    }
}

/// The relationships listed by a `Relationships` element.
pub fn parse_relationships(root: &Element) -> Result<Vec<Relationship>, OoxmlError> {
    if !root.is(NS_RELS, "Relationships") {
        return Err(OoxmlError::Malformed("relationships part"));
    }
    let mut out: Vec<Relationship> = Vec::new();
    for e in root.elements().filter(|e| e.is(NS_RELS, "Relationship")) {
        let (Some(id), Some(t), Some(target)) = (e.attr("Id"), e.attr("Type"), e.attr("Target")) else {
            return Err(OoxmlError::Malformed("relationship without Id, Type or Target"));
        };
        if out.iter().any(|r| r.id == id) {
            return Err(OoxmlError::Malformed("duplicate relationship Id"));
        }
        out.push(Relationship {
            id: id.to_owned(),
            rel_type: t.to_owned(),
            target: target.to_owned(),
            external: e.attr("TargetMode") == Some("External"),
        });
    }
    Ok(out)
}

/// The relationship part of `part` (§9.3.3.1): `/a/b.xml` → `/a/_rels/b.xml.rels`;
/// the package itself (`/`) → `/_rels/.rels`.
pub fn rels_part_of(part: &str) -> String {
    match part.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
        None => format!("/_rels/{part}.rels"),
    }
}

/// The source part of a relationship part: `/a/_rels/b.xml.rels` → `/a/b.xml`,
/// `/_rels/.rels` → `/`.
pub fn source_of(rels_part: &str) -> Option<String> {
    let (dir, file) = rels_part.rsplit_once("/_rels/")?;
    let file = file.strip_suffix(".rels")?;
    Some(if file.is_empty() && dir.is_empty() { "/".to_owned() } else { format!("{dir}/{file}") })
}

/// Resolves an internal relationship target against its source part (RFC 3986 §5.2).
pub fn resolve_target(source: &str, target: &str) -> String {
    let target = target.split('#').next().unwrap_or("");
    let mut segs: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        let base = source.rsplit_once('/').map_or("", |(d, _)| d);
        base.split('/').filter(|s| !s.is_empty()).collect()
    };
    for s in target.split('/') {
        match s {
            "" | "." => {}
            ".." => {
                segs.pop();
            }
            s => segs.push(s),
        }
    }
    format!("/{}", segs.join("/"))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_arithmetic() {
        assert_eq!(rels_part_of("/word/document.xml"), "/word/_rels/document.xml.rels");
        assert_eq!(rels_part_of(""), "/_rels/.rels");
        assert_eq!(source_of("/_rels/.rels").as_deref(), Some("/"));
        assert_eq!(source_of("/word/_rels/document.xml.rels").as_deref(), Some("/word/document.xml"));
        assert_eq!(resolve_target("/", "word/document.xml"), "/word/document.xml");
        assert_eq!(resolve_target("/word/document.xml", "../customXml/item1.xml"), "/customXml/item1.xml");
        assert_eq!(resolve_target("/word/document.xml", "/word/media/a.png"), "/word/media/a.png");
        assert_eq!(percent_decode("/a%20b.xml"), "/a b.xml");
    }
}
