//! PDF objects (ISO 32000-2 §7.3) and their parser and serialiser.

#![deny(clippy::arithmetic_side_effects, clippy::as_conversions)]

use std::fmt::Write as _;

/// A PDF object. Reals keep their source text so rewritten dictionaries
/// carry the exact numbers they had.
#[derive(Clone, Debug, PartialEq)]
pub enum Object {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// Integer.
    Int(i64),
    /// Real number, as written.
    Real(String),
    /// String (literal or hex), decoded bytes.
    Str(Vec<u8>),
    /// Name without the slash, decoded.
    Name(Vec<u8>),
    /// Array.
    Array(Vec<Object>),
    /// Dictionary.
    Dict(Dict),
    /// Stream: dictionary and the absolute file range of its data.
    Stream(Dict, StreamData),
    /// Indirect reference `n g R`.
    Ref(u32, u16),
}

/// Where a stream's data lies.
#[derive(Clone, Debug, PartialEq)]
pub enum StreamData {
    /// Absolute offset and length in the file.
    File(u64, u64),
    /// Bytes held in memory (objects we write).
    Bytes(Vec<u8>),
}

/// An ordered dictionary.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dict(pub Vec<(Vec<u8>, Object)>);

impl Dict {
    /// Empty dictionary.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Object> {
        self.0.iter().find(|(k, _)| k == key.as_bytes()).map(|(_, v)| v)
    }

    /// Sets `key`, replacing an existing value in place.
    pub fn set(&mut self, key: &str, value: Object) {
        if let Some(slot) = self.0.iter_mut().find(|(k, _)| k == key.as_bytes()) {
            slot.1 = value;
        } else {
            self.0.push((key.as_bytes().to_vec(), value));
        }
    }

    /// Removes `key`.
    pub fn remove(&mut self, key: &str) {
        self.0.retain(|(k, _)| k != key.as_bytes());
    }

    /// Builder-style set.
    pub fn with(mut self, key: &str, value: Object) -> Self {
        self.set(key, value);
        self
    }
}

impl Object {
    /// A name object.
    pub fn name(n: &str) -> Self {
        Self::Name(n.as_bytes().to_vec())
    }

    /// The dictionary of a dict or stream.
    pub fn as_dict(&self) -> Option<&Dict> {
        match self {
            Self::Dict(d) | Self::Stream(d, _) => Some(d),
            _ => None,
        }
    }

    /// Integer value.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Self::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// Name bytes.
    pub fn as_name(&self) -> Option<&[u8]> {
        match self {
            Self::Name(n) => Some(n),
            _ => None,
        }
    }

    /// A text string (ISO 32000-2 §7.9.2.2): UTF-16BE with BOM when not ASCII.
    pub fn text(s: &str) -> Self {
        if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            Self::Str(s.as_bytes().to_vec())
        } else {
            let mut v = vec![0xfe, 0xff];
            for u in s.encode_utf16() {
                v.extend_from_slice(&u.to_be_bytes());
            }
            Self::Str(v)
        }
    }
}

/// Parse error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Ran out of input (the caller may retry with more).
    Eof,
    /// Malformed input at a position.
    Syntax(usize, &'static str),
    /// Nesting too deep.
    TooDeep,
}

const MAX_DEPTH: usize = 64;

fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

fn is_delim(b: u8) -> bool {
    matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

/// A cursor over bytes.
pub struct Lexer<'a> {
    /// The bytes.
    pub buf: &'a [u8],
    /// Current position.
    pub pos: usize,
}

impl<'a> Lexer<'a> {
    /// A lexer at `pos`.
    pub fn new(buf: &'a [u8], pos: usize) -> Self {
        Self { buf, pos }
    }

    /// Moves `n` bytes on (positions never exceed the buffer length, so
    /// saturation is never reached in practice).
    fn advance(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n);
    }

    /// The byte `k` places after the cursor.
    fn peek(&self, k: usize) -> Option<&u8> {
        self.buf.get(self.pos.checked_add(k)?)
    }

    /// Skips whitespace and comments.
    pub fn skip_ws(&mut self) {
        while self.pos < self.buf.len() {
            let b = self.buf[self.pos];
            if is_white(b) {
                self.advance(1);
            } else if b == b'%' {
                while self.pos < self.buf.len() && !matches!(self.buf[self.pos], b'\r' | b'\n') {
                    self.advance(1);
                }
            } else {
                break;
            }
        }
    }

    /// Reads a regular token (keyword or number).
    pub fn token(&mut self) -> &'a [u8] {
        self.skip_ws();
        let start = self.pos;
        while self.pos < self.buf.len() && !is_white(self.buf[self.pos]) && !is_delim(self.buf[self.pos]) {
            self.advance(1);
        }
        &self.buf[start..self.pos]
    }

    /// Expects a keyword.
    pub fn keyword(&mut self, kw: &[u8]) -> Result<(), ParseError> {
        let at = self.pos;
        let t = self.token();
        if t == kw {
            Ok(())
        } else if self.pos >= self.buf.len() {
            Err(ParseError::Eof)
        } else {
            Err(ParseError::Syntax(at, "keyword expected"))
        }
    }

    /// Reads an unsigned integer token.
    pub fn uint(&mut self) -> Result<u64, ParseError> {
        let at = self.pos;
        let t = self.token();
        if t.is_empty() && self.pos >= self.buf.len() {
            return Err(ParseError::Eof);
        }
        std::str::from_utf8(t).ok().and_then(|s| s.parse().ok()).ok_or(ParseError::Syntax(at, "integer expected"))
    }

    /// Parses one object (no `stream` handling: see the reader).
    pub fn object(&mut self) -> Result<Object, ParseError> {
        self.object_depth(0)
    }

    fn object_depth(&mut self, depth: usize) -> Result<Object, ParseError> {
        if depth > MAX_DEPTH {
            return Err(ParseError::TooDeep);
        }
        self.skip_ws();
        let Some(&b) = self.buf.get(self.pos) else { return Err(ParseError::Eof) };
        match b {
            b'/' => {
                self.advance(1);
                let start = self.pos;
                while self.pos < self.buf.len() && !is_white(self.buf[self.pos]) && !is_delim(self.buf[self.pos]) {
                    self.advance(1);
                }
                Ok(Object::Name(decode_name(&self.buf[start..self.pos])))
            }
            b'(' => self.literal_string(),
            b'<' if self.peek(1) == Some(&b'<') => {
                self.advance(2);
                let mut d = Dict::new();
                loop {
                    self.skip_ws();
                    match (self.buf.get(self.pos), self.peek(1)) {
                        (Some(b'>'), Some(b'>')) => {
                            self.advance(2);
                            return Ok(Object::Dict(d));
                        }
                        (None, _) | (Some(_), None) => return Err(ParseError::Eof),
                        _ => {}
                    }
                    let at = self.pos;
                    let Object::Name(k) = self.object_depth(depth.saturating_add(1))? else {
                        return Err(ParseError::Syntax(at, "dictionary key must be a name"));
                    };
                    let v = self.object_depth(depth.saturating_add(1))?;
                    // ISO 32000-2 §7.3.7: a null value is the same as no entry.
                    if v != Object::Null {
                        d.0.retain(|(key, _)| key != &k);
                        d.0.push((k, v));
                    }
                }
            }
            b'<' => {
                self.advance(1);
                let mut hex = Vec::new();
                loop {
                    let Some(&c) = self.buf.get(self.pos) else { return Err(ParseError::Eof) };
                    self.advance(1);
                    match c {
                        b'>' => break,
                        c if c.is_ascii_hexdigit() => hex.push(c),
                        c if is_white(c) => {}
                        _ => return Err(ParseError::Syntax(self.pos.saturating_sub(1), "bad hex string")),
                    }
                }
                if hex.len().is_multiple_of(2) {
                } else {
                    hex.push(b'0');
                }
                Ok(Object::Str(
                    hex.chunks(2)
                        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap_or("0"), 16).unwrap_or(0))
                        .collect(),
                ))
            }
            b'[' => {
                self.advance(1);
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    match self.buf.get(self.pos) {
                        None => return Err(ParseError::Eof),
                        Some(b']') => {
                            self.advance(1);
                            return Ok(Object::Array(items));
                        }
                        _ => items.push(self.object_depth(depth.saturating_add(1))?),
                    }
                }
            }
            _ => {
                let at = self.pos;
                let t = self.token();
                if t.is_empty() {
                    return Err(ParseError::Syntax(at, "unexpected delimiter"));
                }
                match t {
                    b"null" => return Ok(Object::Null),
                    b"true" => return Ok(Object::Bool(true)),
                    b"false" => return Ok(Object::Bool(false)),
                    _ => {}
                }
                let s = std::str::from_utf8(t).map_err(|_| ParseError::Syntax(at, "bad token"))?;
                if let Ok(i) = s.parse::<i64>() {
                    // `n g R`?
                    let save = self.pos;
                    if i >= 0 {
                        let g = self.token();
                        if let Ok(g) = std::str::from_utf8(g).unwrap_or("").parse::<u16>() {
                            let r = self.token();
                            if r == b"R" {
                                return Ok(Object::Ref(
                                    u32::try_from(i).map_err(|_| ParseError::Syntax(at, "object number"))?,
                                    g,
                                ));
                            }
                        }
                    }
                    self.pos = save;
                    return Ok(Object::Int(i));
                }
                if s.parse::<f64>().is_ok() || s.starts_with('.') || s.starts_with("-.") {
                    return Ok(Object::Real(s.to_owned()));
                }
                if self.pos >= self.buf.len() {
                    return Err(ParseError::Eof);
                }
                Err(ParseError::Syntax(at, "unknown token"))
            }
        }
    }

    fn literal_string(&mut self) -> Result<Object, ParseError> {
        self.advance(1);
        let mut out = Vec::new();
        let mut depth: u32 = 1;
        loop {
            let Some(&c) = self.buf.get(self.pos) else { return Err(ParseError::Eof) };
            self.advance(1);
            match c {
                b'(' => {
                    depth = depth.saturating_add(1);
                    out.push(c);
                }
                b')' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Ok(Object::Str(out));
                    }
                    out.push(c);
                }
                b'\\' => {
                    let Some(&e) = self.buf.get(self.pos) else { return Err(ParseError::Eof) };
                    self.advance(1);
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.buf.get(self.pos) == Some(&b'\n') {
                                self.advance(1);
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            // §7.3.4.2: up to three octal digits; high-order
                            // overflow is ignored (`\777` is 0xFF).
                            let mut v = e.wrapping_sub(b'0');
                            for _ in 0..2 {
                                match self.buf.get(self.pos) {
                                    Some(&d @ b'0'..=b'7') => {
                                        v = (v << 3) | d.wrapping_sub(b'0');
                                        self.advance(1);
                                    }
                                    _ => break,
                                }
                            }
                            out.push(v);
                        }
                        other => out.push(other),
                    }
                }
                _ => out.push(c),
            }
        }
    }
}

fn decode_name(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut rest = raw;
    // §7.3.5: `#` followed by two hexadecimal digits is one byte.
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'#'
            && let Some(hex) = tail.get(..2)
            && hex.iter().all(u8::is_ascii_hexdigit)
            && let Ok(v) = u8::from_str_radix(std::str::from_utf8(hex).unwrap_or("zz"), 16)
        {
            out.push(v);
            rest = tail.get(2..).unwrap_or_default();
            continue;
        }
        out.push(b);
        rest = tail;
    }
    out
}

/// Serialises an object (ISO 32000-2 §7.3). Streams are written by the
/// writer, not here.
pub fn write_object(out: &mut Vec<u8>, obj: &Object) {
    match obj {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => out.extend_from_slice(r.as_bytes()),
        Object::Str(s) => write_string(out, s),
        Object::Name(n) => write_name(out, n),
        Object::Array(a) => {
            out.push(b'[');
            for (i, o) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_object(out, o);
            }
            out.push(b']');
        }
        Object::Dict(d) | Object::Stream(d, _) => write_dict(out, d),
        Object::Ref(n, g) => out.extend_from_slice(format!("{n} {g} R").as_bytes()),
    }
}

/// Serialises a dictionary.
pub fn write_dict(out: &mut Vec<u8>, d: &Dict) {
    out.extend_from_slice(b"<<");
    for (k, v) in &d.0 {
        write_name(out, k);
        out.push(b' ');
        write_object(out, v);
    }
    out.extend_from_slice(b">>");
}

fn write_name(out: &mut Vec<u8>, n: &[u8]) {
    out.push(b'/');
    for &b in n {
        if b.is_ascii_graphic() && !is_delim(b) && b != b'#' {
            out.push(b);
        } else {
            let mut s = String::new();
            let _ = write!(s, "#{b:02X}");
            out.extend_from_slice(s.as_bytes());
        }
    }
}

/// Literal string with `(`, `)`, `\` and control bytes escaped, so no
/// user text (a /Reason with brackets) can break the file.
fn write_string(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'(');
    for &b in s {
        match b {
            b'(' | b')' | b'\\' => {
                out.push(b'\\');
                out.push(b);
            }
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\n' => out.extend_from_slice(b"\\n"),
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(format!("\\{b:03o}").as_bytes()),
        }
    }
    out.push(b')');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Object {
        Lexer::new(s.as_bytes(), 0).object().unwrap()
    }

    #[test]
    fn parses_the_basic_types() {
        assert_eq!(parse("12 0 R"), Object::Ref(12, 0));
        assert_eq!(parse("12 0 obj"), Object::Int(12));
        assert_eq!(parse("-3.5"), Object::Real("-3.5".into()));
        assert_eq!(parse("(a\\(b\\)\\101\\\nc)"), Object::Str(b"a(b)Ac".to_vec()));
        assert_eq!(parse("<48 65 6c6C6>"), Object::Str(b"Hell`".to_vec()));
        assert_eq!(parse("/A#20B"), Object::Name(b"A B".to_vec()));
        let d = parse("<< /Type /Page /Kids [1 0 R 2 0 R] /X null >>");
        assert_eq!(d.as_dict().unwrap().get("Type"), Some(&Object::name("Page")));
        assert_eq!(d.as_dict().unwrap().get("X"), None);
        assert_eq!(Lexer::new(b"<< /A [1 2", 0).object(), Err(ParseError::Eof));
        assert_eq!(Lexer::new("[".repeat(100).as_bytes(), 0).object(), Err(ParseError::TooDeep));
    }

    #[test]
    fn writes_round_trip_with_escapes() {
        let o = Object::Array(vec![
            Object::Str(b"(x)\\".to_vec()),
            Object::name("A B"),
            Object::Dict(Dict::new().with("K", Object::Real("0.5".into()))),
            Object::text("Hà Nội"),
        ]);
        let mut out = Vec::new();
        write_object(&mut out, &o);
        assert_eq!(Lexer::new(&out, 0).object().unwrap(), o);
    }
}
