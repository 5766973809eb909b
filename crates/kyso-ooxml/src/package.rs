//! Reading an Open Packaging Conventions package (ECMA-376 Part 2): the ZIP
//! items as parts, `[Content_Types].xml` (§10.1.2) and relationship parts
//! (§9.3).

use std::collections::HashMap;
use std::io::{Cursor, Read, Seek};
use std::path::Path;

use crate::OoxmlError;
use crate::xml::{self, Element};
use crate::zipread;

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
/// Largest XML part we parse (relationships, content types, signatures,
/// transformed parts).
pub const MAX_XML_PART: usize = 16 << 20;
/// XML bytes one verification or signing may parse in all.
pub const MAX_XML_TOTAL: usize = 64 << 20;
/// Relationships one package may hold in all.
pub const MAX_RELATIONSHIPS: usize = 100_000;

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
/// part is never held whole unless it is hashed from memory). The ZIP
/// structure is read by [`crate::zipread`], which refuses ambiguous
/// archives; names are indexed folded (§9.1.1.2), so every look-up is one
/// hash probe.
pub struct Package {
    source: Box<dyn Source>,
    entries: Vec<zipread::Entry>,
    /// The part name of each entry.
    names: Vec<String>,
    /// Folded part name (or `[content_types].xml`) → index in `entries`.
    index: HashMap<String, usize>,
    /// Part names (`/word/document.xml`), in ZIP order, excluding
    /// `[Content_Types].xml` and directories.
    parts: Vec<String>,
    defaults: HashMap<String, String>,
    overrides: HashMap<String, String>,
    /// Package-level findings that do not stop verification (`zip_comment`).
    warnings: Vec<kyso_pki::report::Warning>,
    /// XML bytes parsed so far (bounded by [`MAX_XML_TOTAL`]).
    xml_spent: usize,
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

    fn from_source(mut source: Box<dyn Source>) -> Result<Self, OoxmlError> {
        let dir = zipread::read_directory(&mut source)?;
        let mut index = HashMap::with_capacity(dir.entries.len());
        let mut parts = Vec::with_capacity(dir.entries.len());
        let mut names = Vec::with_capacity(dir.entries.len());
        for (i, e) in dir.entries.iter().enumerate() {
            // Two names folding to one form were refused by the reader.
            index.insert(zipread::fold(&part_name(&e.name)), i);
            names.push(part_name(&e.name));
            if !e.name.eq_ignore_ascii_case("[Content_Types].xml") {
                parts.push(part_name(&e.name));
            }
        }
        let mut pkg = Package {
            source,
            entries: dir.entries,
            names,
            index,
            parts,
            defaults: HashMap::new(),
            overrides: HashMap::new(),
            warnings: dir.warnings,
            xml_spent: 0,
        };
        let ct = pkg.read_item("[Content_Types].xml").map_err(|e| match e {
            OoxmlError::PartMissing(_) => OoxmlError::NotOoxml,
            e => e,
        })?;
        let doc = pkg.parse_xml(&ct)?;
        if !doc.root.is(NS_CT, "Types") {
            return Err(OoxmlError::NotOoxml);
        }
        // §10.1.2.2.2-3: one Default per extension and one Override per part
        // name (both compared case-insensitively); a second one would be
        // read first-wins by some consumers and last-wins by others.
        for e in doc.root.elements() {
            match (e.ns.as_str(), e.local.as_str()) {
                (NS_CT, "Default") => {
                    let (Some(x), Some(c)) = (e.attr("Extension"), e.attr("ContentType")) else {
                        return Err(OoxmlError::Malformed("a content-type Default without Extension or ContentType"));
                    };
                    if pkg.defaults.insert(x.to_lowercase(), c.to_owned()).is_some() {
                        return Err(OoxmlError::DuplicateContentType(format!("Default for .{x}")));
                    }
                }
                (NS_CT, "Override") => {
                    let (Some(p), Some(c)) = (e.attr("PartName"), e.attr("ContentType")) else {
                        return Err(OoxmlError::Malformed("a content-type Override without PartName or ContentType"));
                    };
                    if pkg.overrides.insert(zipread::fold(p), c.to_owned()).is_some() {
                        return Err(OoxmlError::DuplicateContentType(format!("Override for {p}")));
                    }
                }
                _ => return Err(OoxmlError::Malformed("unexpected element in [Content_Types].xml")),
            }
        }
        Ok(pkg)
    }

    /// Part names, in ZIP order.
    pub fn parts(&self) -> &[String] {
        &self.parts
    }

    /// Package-level warnings (`zip_comment: …`).
    pub fn warnings(&self) -> &[kyso_pki::report::Warning] {
        &self.warnings
    }

    /// The stored name of `part` (matched case-insensitively, percent-decoded:
    /// §9.1.1.2), or `None` when the package has no such part.
    pub fn find(&self, part: &str) -> Option<&str> {
        let folded = zipread::fold(part);
        if folded == "/[content_types].xml" {
            return None;
        }
        self.index.get(&folded).map(|i| self.names[*i].as_str())
    }

    /// The content type of `part` (§10.1.2.4: an Override, else the Default
    /// for its extension).
    pub fn content_type(&self, part: &str) -> Option<&str> {
        let folded = zipread::fold(part);
        if let Some(c) = self.overrides.get(&folded) {
            return Some(c);
        }
        let (_, ext) = folded.rsplit_once('.')?;
        if ext.contains('/') {
            return None;
        }
        self.defaults.get(ext).map(String::as_str)
    }

    /// Counts `n` XML bytes against the package's parsing budget.
    fn parse_xml(&mut self, data: &[u8]) -> Result<xml::Document, OoxmlError> {
        if data.len() > MAX_XML_PART {
            return Err(OoxmlError::TooLarge("an XML part above 16 MiB".into()));
        }
        self.xml_spent = self.xml_spent.saturating_add(data.len());
        if self.xml_spent > MAX_XML_TOTAL {
            return Err(OoxmlError::TooLarge("more than 64 MiB of XML to read".into()));
        }
        Ok(xml::parse(data)?)
    }

    /// Parses `part` as XML, within the package's limits.
    pub fn read_xml(&mut self, part: &str) -> Result<xml::Document, OoxmlError> {
        let data = self.read(part)?;
        self.parse_xml(&data)
    }

    /// Parses XML bytes taken from this package (a transformed part), within
    /// the package's limits.
    pub fn parse_bytes(&mut self, data: &[u8]) -> Result<xml::Document, OoxmlError> {
        self.parse_xml(data)
    }

    fn entry_of(&self, item: &str) -> Result<zipread::Entry, OoxmlError> {
        self.index
            .get(&zipread::fold(&part_name(item)))
            .map(|i| self.entries[*i].clone())
            .ok_or_else(|| OoxmlError::PartMissing(part_name(item)))
    }

    pub(crate) fn read_item(&mut self, item: &str) -> Result<Vec<u8>, OoxmlError> {
        let e = self.entry_of(item)?;
        if e.size > MAX_PART {
            return Err(OoxmlError::TooLarge(part_name(item)));
        }
        let mut out = Vec::with_capacity(e.size as usize);
        zipread::open(&mut self.source, &e)?.read_to_end(&mut out).map_err(|e| OoxmlError::Zip(e.to_string()))?;
        Ok(out)
    }

    /// The digest of `part`, streamed (for large binary parts).
    pub fn digest(&mut self, part: &str, alg: kyso_pki::HashAlg) -> Result<Vec<u8>, OoxmlError> {
        let name = self.find(part).ok_or_else(|| OoxmlError::PartMissing(part.to_owned()))?.to_owned();
        let e = self.entry_of(&name[1..])?;
        let mut f = zipread::open(&mut self.source, &e)?;
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
        let doc = self.read_xml(rels_part)?;
        parse_relationships(&doc.root)
    }
}

/// The relationships listed by a `Relationships` element.
pub fn parse_relationships(root: &Element) -> Result<Vec<Relationship>, OoxmlError> {
    if !root.is(NS_RELS, "Relationships") {
        return Err(OoxmlError::Malformed("relationships part"));
    }
    let mut out: Vec<Relationship> = Vec::new();
    let mut ids: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for e in root.elements() {
        // §9.3.2.2: a Relationships element holds Relationship elements only.
        if !e.is(NS_RELS, "Relationship") {
            return Err(OoxmlError::Malformed("unexpected element in a relationships part"));
        }
        if out.len() >= MAX_RELATIONSHIPS {
            return Err(OoxmlError::TooLarge("more than 100000 relationships".into()));
        }
        let (Some(id), Some(t), Some(target)) = (e.attr("Id"), e.attr("Type"), e.attr("Target")) else {
            return Err(OoxmlError::Malformed("relationship without Id, Type or Target"));
        };
        if !ids.insert(id) {
            return Err(OoxmlError::Malformed("duplicate relationship Id"));
        }
        let external = match e.attr("TargetMode") {
            None | Some("Internal") => false,
            Some("External") => true,
            Some(_) => return Err(OoxmlError::Malformed("relationship TargetMode neither Internal nor External")),
        };
        out.push(Relationship { id: id.to_owned(), rel_type: t.to_owned(), target: target.to_owned(), external });
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
    // §9.3.3.1: `<dir>/_rels/<file>.rels`, the `_rels` segment and the
    // extension matched as Office matches names (case-insensitively).
    let (dir, file) = rels_part.rsplit_once('/')?;
    let parent = dir.strip_suffix("/_rels").or_else(|| {
        let cut = dir.len().checked_sub(6)?;
        (dir.is_char_boundary(cut) && dir[cut..].eq_ignore_ascii_case("/_rels")).then(|| &dir[..cut])
    })?;
    let cut = file.len().checked_sub(5)?;
    if !file.is_char_boundary(cut) || !file[cut..].eq_ignore_ascii_case(".rels") {
        return None;
    }
    let file = &file[..cut];
    Some(if file.is_empty() && parent.is_empty() { "/".to_owned() } else { format!("{parent}/{file}") })
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
        assert_eq!(source_of("/word/_RELS/document.xml.rels").as_deref(), Some("/word/document.xml"));
        assert_eq!(source_of("/word/evil.rels"), None);
        assert_eq!(source_of("/word/_rels/x.xml"), None);
    }
}
