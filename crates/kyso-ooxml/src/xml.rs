//! A small, namespace-aware XML 1.0 reader building an owned tree: enough
//! for OPC parts and XML-DSig, strict where signatures need it. Document
//! type declarations are refused (no entity expansion, no external fetches);
//! line ends are normalised (XML 1.0 §2.11) and attribute values normalised
//! (§3.3.3) as Canonical XML expects of its input.

use std::fmt;

/// The namespace bound to the `xml` prefix (Namespaces in XML 1.0 §3).
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Deepest element nesting accepted.
const MAX_DEPTH: usize = 256;
/// Most attributes (namespace declarations included) on one element: far
/// above what OOXML writes, low enough that checking each new attribute
/// against the earlier ones stays cheap.
const MAX_ATTRS: usize = 256;
/// Largest document accepted (OOXML parts above this are not XML we sign).
pub const MAX_LEN: usize = 64 << 20;

/// Why a part is not well-formed XML (or uses what we refuse).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("XML error at byte {pos}: {msg}")]
pub struct XmlError {
    /// Byte offset in the (line-end normalised) input.
    pub pos: usize,
    /// What was wrong.
    pub msg: &'static str,
}

/// An attribute (namespace declarations are kept apart, in [`Element::ns_decls`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attr {
    /// Prefix as written (`""` when none).
    pub prefix: String,
    /// Local name.
    pub local: String,
    /// Namespace URI (`""` for unprefixed attributes).
    pub ns: String,
    /// Normalised value.
    pub value: String,
}

impl Attr {
    /// The qualified name as written.
    pub fn qname(&self) -> String {
        if self.prefix.is_empty() { self.local.clone() } else { format!("{}:{}", self.prefix, self.local) }
    }
}

/// A node of the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// An element.
    Element(Element),
    /// Character data (references resolved, CDATA merged).
    Text(String),
    /// A comment.
    Comment(String),
    /// A processing instruction (target, data).
    Pi(String, String),
}

/// An element with its namespace facts resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element {
    /// Prefix as written (`""` when none).
    pub prefix: String,
    /// Local name.
    pub local: String,
    /// Namespace URI (`""` when none).
    pub ns: String,
    /// Namespace declarations on this element: (prefix, URI), prefix `""`
    /// for the default namespace.
    pub ns_decls: Vec<(String, String)>,
    /// Other attributes, in document order.
    pub attrs: Vec<Attr>,
    /// Children.
    pub children: Vec<Node>,
}

impl Element {
    /// The qualified name as written.
    pub fn qname(&self) -> String {
        if self.prefix.is_empty() { self.local.clone() } else { format!("{}:{}", self.prefix, self.local) }
    }

    /// Whether this is `{ns}local`.
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.ns == ns && self.local == local
    }

    /// The value of the unqualified attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|a| a.ns.is_empty() && a.local == name).map(|a| a.value.as_str())
    }

    /// Child elements.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|c| match c {
            Node::Element(e) => Some(e),
            _ => None,
        })
    }

    /// The first child element `{ns}local`.
    pub fn child(&self, ns: &str, local: &str) -> Option<&Element> {
        self.elements().find(|e| e.is(ns, local))
    }

    /// Concatenated text of this element's direct text children.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for c in &self.children {
            if let Node::Text(t) = c {
                s.push_str(t);
            }
        }
        s
    }
}

/// A parsed document: the root element and the comments and processing
/// instructions around it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// Nodes before the root element (comments and PIs only).
    pub before: Vec<Node>,
    /// The document element.
    pub root: Element,
    /// Nodes after the root element.
    pub after: Vec<Node>,
}

impl fmt::Display for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}>", self.root.qname())
    }
}

/// Parses a UTF-8 XML document (a UTF-8 byte-order mark is allowed).
pub fn parse(input: &[u8]) -> Result<Document, XmlError> {
    if input.len() > MAX_LEN {
        return Err(XmlError { pos: 0, msg: "document too large" });
    }
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let text = std::str::from_utf8(input).map_err(|e| XmlError { pos: e.valid_up_to(), msg: "not UTF-8" })?;
    // XML 1.0 §2.11: CR LF and lone CR become LF.
    let text = if text.contains('\r') { text.replace("\r\n", "\n").replace('\r', "\n") } else { text.to_owned() };
    let mut p = Parser { s: text.as_bytes(), pos: 0, scopes: Vec::new() };
    p.document()
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    /// In-scope namespace bindings, one frame per open element.
    scopes: Vec<Vec<(String, String)>>,
}

fn is_name_start(c: char) -> bool {
    c == ':' || c == '_' || c.is_alphabetic() || (c as u32 >= 0xC0 && !c.is_whitespace())
}

fn is_name_char(c: char) -> bool {
    is_name_start(c) || c == '-' || c == '.' || c.is_ascii_digit() || c == '\u{B7}' || c.is_numeric()
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

impl Parser<'_> {
    fn err<T>(&self, msg: &'static str) -> Result<T, XmlError> {
        Err(XmlError { pos: self.pos, msg })
    }

    fn rest(&self) -> &[u8] {
        &self.s[self.pos.min(self.s.len())..]
    }

    fn starts(&self, p: &str) -> bool {
        self.rest().starts_with(p.as_bytes())
    }

    fn skip_ws(&mut self) -> bool {
        let start = self.pos;
        while let Some(b' ' | b'\t' | b'\n') = self.s.get(self.pos) {
            self.pos += 1;
        }
        self.pos > start
    }

    fn expect(&mut self, p: &str, msg: &'static str) -> Result<(), XmlError> {
        if self.starts(p) {
            self.pos += p.len();
            Ok(())
        } else {
            self.err(msg)
        }
    }

    /// The text up to `end` (exclusive); moves past `end`.
    fn until(&mut self, end: &str, msg: &'static str) -> Result<String, XmlError> {
        let rest = self.rest();
        let Some(i) = find(rest, end.as_bytes()) else { return self.err(msg) };
        // The input is valid UTF-8 and `end` is ASCII, so this slice is too.
        let out = String::from_utf8_lossy(&rest[..i]).into_owned();
        if let Some(c) = out.chars().find(|c| !is_xml_char(*c)) {
            let _ = c;
            return self.err("character not allowed in XML");
        }
        self.pos += i + end.len();
        Ok(out)
    }

    fn peek_char(&self) -> Option<char> {
        std::str::from_utf8(&self.rest()[..self.rest().len().min(4)])
            .ok()
            .or_else(|| {
                // Cut in the middle of a character: decode what is valid.
                let r = &self.rest()[..self.rest().len().min(4)];
                (1..=r.len()).rev().find_map(|n| std::str::from_utf8(&r[..n]).ok())
            })
            .and_then(|s| s.chars().next())
    }

    fn name(&mut self) -> Result<String, XmlError> {
        let start = self.pos;
        match self.peek_char() {
            Some(c) if is_name_start(c) => self.pos += c.len_utf8(),
            _ => return self.err("name expected"),
        }
        while let Some(c) = self.peek_char() {
            if !is_name_char(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.pos]).into_owned())
    }

    fn document(&mut self) -> Result<Document, XmlError> {
        if self.starts("<?xml") && matches!(self.s.get(5), Some(b' ' | b'\t' | b'\n' | b'?')) {
            let decl = self.until("?>", "unterminated XML declaration")?;
            let lower = decl.to_ascii_lowercase();
            if let Some(i) = lower.find("encoding") {
                let enc = lower[i..].split(['"', '\'']).nth(1).unwrap_or("");
                if enc != "utf-8" && enc != "us-ascii" {
                    return self.err("only UTF-8 documents are supported");
                }
            }
        }
        let before = self.misc()?;
        if self.starts("<!DOCTYPE") {
            return self.err("document type declarations are not accepted");
        }
        if !self.starts("<") {
            return self.err("root element expected");
        }
        let root = self.element(0)?;
        let after = self.misc()?;
        if self.pos < self.s.len() {
            return self.err("content after the root element");
        }
        Ok(Document { before, root, after })
    }

    /// Comments, PIs and white space outside the root element.
    fn misc(&mut self) -> Result<Vec<Node>, XmlError> {
        let mut out = Vec::new();
        loop {
            self.skip_ws();
            if self.starts("<!--") {
                out.push(self.comment()?);
            } else if self.starts("<?") {
                out.push(self.pi()?);
            } else {
                return Ok(out);
            }
        }
    }

    fn comment(&mut self) -> Result<Node, XmlError> {
        self.pos += 4;
        let c = self.until("-->", "unterminated comment")?;
        if c.contains("--") || c.ends_with('-') {
            return self.err("'--' inside a comment");
        }
        Ok(Node::Comment(c))
    }

    fn pi(&mut self) -> Result<Node, XmlError> {
        self.pos += 2;
        let target = self.name()?;
        if target.eq_ignore_ascii_case("xml") {
            return self.err("misplaced XML declaration");
        }
        let data = if self.skip_ws() {
            self.until("?>", "unterminated processing instruction")?
        } else {
            self.expect("?>", "unterminated processing instruction")?;
            String::new()
        };
        Ok(Node::Pi(target, data))
    }

    /// A reference after `&` (XML 1.0 §4.1): the five predefined entities and
    /// character references.
    fn reference(&mut self) -> Result<char, XmlError> {
        self.pos += 1;
        let body = self.until(";", "unterminated reference")?;
        let c = match body.as_str() {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "apos" => '\'',
            "quot" => '"',
            b if b.starts_with("#x") => u32::from_str_radix(&b[2..], 16)
                .ok()
                .and_then(char::from_u32)
                .ok_or(XmlError { pos: self.pos, msg: "bad character reference" })?,
            b if b.starts_with('#') => b[1..]
                .parse::<u32>()
                .ok()
                .and_then(char::from_u32)
                .ok_or(XmlError { pos: self.pos, msg: "bad character reference" })?,
            _ => return self.err("undeclared entity"),
        };
        if !is_xml_char(c) {
            return self.err("reference to a character not allowed in XML");
        }
        Ok(c)
    }

    fn attr_value(&mut self) -> Result<String, XmlError> {
        let q = match self.s.get(self.pos) {
            Some(b'"') => '"',
            Some(b'\'') => '\'',
            _ => return self.err("quoted attribute value expected"),
        };
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek_char() else { return self.err("unterminated attribute value") };
            match c {
                c if c == q => {
                    self.pos += 1;
                    return Ok(out);
                }
                '<' => return self.err("'<' in attribute value"),
                '&' => out.push(self.reference()?),
                // §3.3.3: literal white space becomes a space; references do not.
                '\t' | '\n' => {
                    out.push(' ');
                    self.pos += 1;
                }
                c if !is_xml_char(c) => return self.err("character not allowed in XML"),
                c => {
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    fn resolve(&self, prefix: &str) -> Option<&str> {
        if prefix == "xml" {
            return Some(XML_NS);
        }
        for frame in self.scopes.iter().rev() {
            if let Some((_, uri)) = frame.iter().rev().find(|(p, _)| p == prefix) {
                return Some(uri);
            }
        }
        if prefix.is_empty() { Some("") } else { None }
    }

    fn element(&mut self, depth: usize) -> Result<Element, XmlError> {
        if depth >= MAX_DEPTH {
            return self.err("elements nested too deeply");
        }
        self.pos += 1;
        let qname = self.name()?;
        let mut raw: Vec<(String, String)> = Vec::new();
        let empty;
        loop {
            let ws = self.skip_ws();
            if self.starts("/>") {
                self.pos += 2;
                empty = true;
                break;
            }
            if self.starts(">") {
                self.pos += 1;
                empty = false;
                break;
            }
            if !ws {
                return self.err("white space expected between attributes");
            }
            if raw.len() >= MAX_ATTRS {
                return self.err("too many attributes on one element");
            }
            let n = self.name()?;
            self.skip_ws();
            self.expect("=", "'=' expected")?;
            self.skip_ws();
            let v = self.attr_value()?;
            if raw.iter().any(|(k, _)| *k == n) {
                return self.err("duplicate attribute");
            }
            raw.push((n, v));
        }
        let mut ns_decls = Vec::new();
        let mut plain = Vec::new();
        for (n, v) in raw {
            if n == "xmlns" {
                ns_decls.push((String::new(), v));
            } else if let Some(p) = n.strip_prefix("xmlns:") {
                if v.is_empty() {
                    return self.err("a prefix cannot be unbound in XML 1.0");
                }
                ns_decls.push((p.to_owned(), v));
            } else {
                plain.push((n, v));
            }
        }
        self.scopes.push(ns_decls.clone());
        let split = |q: &str| -> Result<(String, String), XmlError> {
            match q.split_once(':') {
                Some((p, l)) if !p.is_empty() && !l.is_empty() && !l.contains(':') => Ok((p.to_owned(), l.to_owned())),
                Some(_) => Err(XmlError { pos: self.pos, msg: "malformed qualified name" }),
                None => Ok((String::new(), q.to_owned())),
            }
        };
        let (prefix, local) = split(&qname)?;
        let Some(ns) = self.resolve(&prefix).map(str::to_owned) else { return self.err("unbound prefix") };
        let mut attrs: Vec<Attr> = Vec::new();
        for (n, value) in plain {
            let (p, l) = split(&n)?;
            let ans = if p.is_empty() {
                String::new()
            } else {
                match self.resolve(&p) {
                    Some(u) => u.to_owned(),
                    None => return self.err("unbound prefix"),
                }
            };
            if attrs.iter().any(|a| a.ns == ans && a.local == l) {
                return self.err("duplicate attribute");
            }
            attrs.push(Attr { prefix: p, local: l, ns: ans, value });
        }
        let mut el = Element { prefix, local, ns, ns_decls, attrs, children: Vec::new() };
        if !empty {
            self.content(&mut el, depth)?;
            self.expect("</", "end tag expected")?;
            let end = self.name()?;
            if end != qname {
                return self.err("end tag does not match start tag");
            }
            self.skip_ws();
            self.expect(">", "'>' expected")?;
        }
        self.scopes.pop();
        Ok(el)
    }

    fn content(&mut self, el: &mut Element, depth: usize) -> Result<(), XmlError> {
        let mut text = String::new();
        let flush = |text: &mut String, el: &mut Element| {
            if !text.is_empty() {
                el.children.push(Node::Text(std::mem::take(text)));
            }
        };
        loop {
            if self.pos >= self.s.len() {
                return self.err("unexpected end of document");
            }
            if self.starts("</") {
                flush(&mut text, el);
                return Ok(());
            } else if self.starts("<![CDATA[") {
                self.pos += 9;
                text.push_str(&self.until("]]>", "unterminated CDATA section")?);
            } else if self.starts("<!--") {
                flush(&mut text, el);
                let c = self.comment()?;
                el.children.push(c);
            } else if self.starts("<?") {
                flush(&mut text, el);
                let p = self.pi()?;
                el.children.push(p);
            } else if self.starts("<!") {
                return self.err("markup declaration inside content");
            } else if self.starts("<") {
                flush(&mut text, el);
                let child = self.element(depth + 1)?;
                el.children.push(Node::Element(child));
            } else if self.starts("&") {
                text.push(self.reference()?);
            } else {
                let Some(c) = self.peek_char() else { return self.err("bad character") };
                if !is_xml_char(c) {
                    return self.err("character not allowed in XML");
                }
                if c == '>' && text.ends_with("]]") {
                    return self.err("']]>' in content");
                }
                text.push(c);
                self.pos += c.len_utf8();
            }
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Escapes text for an XML attribute value in double quotes.
pub fn escape_attr(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '"' => o.push_str("&quot;"),
            '\t' => o.push_str("&#x9;"),
            '\n' => o.push_str("&#xA;"),
            '\r' => o.push_str("&#xD;"),
            c => o.push(c),
        }
    }
    o
}

/// Escapes character data.
pub fn escape_text(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '\r' => o.push_str("&#xD;"),
            c => o.push(c),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_and_references() {
        let d = parse(b"<?xml version='1.0' encoding='UTF-8'?>\r\n<a:r xmlns:a='urn:a' xmlns='urn:d' x='1&#10;2\t3'><b>x &amp; &#x1EA1;<![CDATA[<c>]]></b><!--n--></a:r>").unwrap();
        assert_eq!(d.root.ns, "urn:a");
        assert_eq!(d.root.attrs[0].value, "1\n2 3");
        let b = d.root.elements().next().unwrap();
        assert_eq!(b.ns, "urn:d");
        assert_eq!(b.text(), "x & ạ<c>");
    }

    #[test]
    fn refuses_what_it_must() {
        for bad in [
            &b"<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>"[..],
            b"<a><b></a>",
            b"<a x='1' x='2'/>",
            b"<p:a/>",
            b"<a>&foo;</a>",
            b"<a></a><b/>",
            b"<a x=1/>",
            b"<a>\x01</a>",
            b"",
        ] {
            assert!(parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
