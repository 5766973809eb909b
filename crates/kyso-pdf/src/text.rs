//! Text with positions from a page's content streams (ISO 32000-2 §9.4
//! text objects and operators, §9.10 extraction of text content), enough
//! to find a signature block: the text matrix and CTM are tracked, strings
//! are decoded through the font's ToUnicode map (bfchar/bfrange, §9.10.3)
//! or, for simple fonts without one, as single bytes.

use std::collections::HashMap;

use crate::object::{Dict, Lexer, Object};
use crate::reader::{PdfError, PdfReader};

/// A run of text shown by one operator.
#[derive(Clone, Debug, PartialEq)]
pub struct TextRun {
    /// The text.
    pub text: String,
    /// Start x in page space.
    pub x: f64,
    /// Baseline y in page space.
    pub y: f64,
    /// Font size in page space (approximate).
    pub size: f64,
}

type Matrix = [f64; 6];

fn mul(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// A font's code → text map.
struct FontMap {
    two_byte: bool,
    map: HashMap<u32, String>,
}

impl FontMap {
    fn decode(&self, bytes: &[u8]) -> String {
        if self.two_byte {
            bytes
                .chunks(2)
                .map(|c| {
                    let code = c.iter().fold(0u32, |a, b| (a << 8) | u32::from(*b));
                    self.map.get(&code).cloned().unwrap_or_default()
                })
                .collect()
        } else {
            bytes
                .iter()
                .map(|b| self.map.get(&u32::from(*b)).cloned().unwrap_or_else(|| char::from(*b).to_string()))
                .collect()
        }
    }
}

fn utf16_hex(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes.chunks(2).map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])).collect();
    String::from_utf16_lossy(&units)
}

fn code_of(o: &Object) -> Option<u32> {
    match o {
        Object::Str(b) if b.len() <= 4 => Some(b.iter().fold(0u32, |a, x| (a << 8) | u32::from(*x))),
        _ => None,
    }
}

/// Parses a ToUnicode CMap's bfchar and bfrange sections.
fn parse_cmap(data: &[u8]) -> HashMap<u32, String> {
    let mut map = HashMap::new();
    let mut lx = Lexer::new(data, 0);
    let mut tokens: Vec<Object> = Vec::new();
    while lx.pos < data.len() && tokens.len() < 200_000 {
        lx.skip_ws();
        let save = lx.pos;
        match lx.object() {
            Ok(o) => tokens.push(o),
            Err(_) => {
                lx.pos = save;
                let t = lx.token();
                if t.is_empty() {
                    lx.pos = save + 1;
                    continue;
                }
                tokens.push(Object::Name(t.to_vec()));
            }
        }
    }
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Object::Name(n) if n == b"beginbfchar" => {
                i += 1;
                while i + 1 < tokens.len() && !matches!(&tokens[i], Object::Name(n) if n == b"endbfchar") {
                    if let (Some(code), Object::Str(u)) = (code_of(&tokens[i]), &tokens[i + 1]) {
                        map.insert(code, utf16_hex(u));
                    }
                    i += 2;
                }
            }
            Object::Name(n) if n == b"beginbfrange" => {
                i += 1;
                while i + 2 < tokens.len() && !matches!(&tokens[i], Object::Name(n) if n == b"endbfrange") {
                    if let (Some(lo), Some(hi)) = (code_of(&tokens[i]), code_of(&tokens[i + 1])) {
                        match &tokens[i + 2] {
                            Object::Str(u) => {
                                let base: Vec<u16> =
                                    u.chunks(2).map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])).collect();
                                for (k, code) in (lo..=hi.min(lo + 0xffff)).enumerate() {
                                    let mut v = base.clone();
                                    if let Some(last) = v.last_mut() {
                                        *last = last.wrapping_add(k as u16);
                                    }
                                    map.insert(code, String::from_utf16_lossy(&v));
                                }
                            }
                            Object::Array(items) => {
                                for (k, item) in items.iter().enumerate() {
                                    if let Object::Str(u) = item {
                                        map.insert(lo + k as u32, utf16_hex(u));
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                    i += 3;
                }
            }
            _ => i += 1,
        }
    }
    map
}

fn font_maps(reader: &PdfReader, resources: &Dict) -> HashMap<Vec<u8>, FontMap> {
    let mut out = HashMap::new();
    let Some(fonts) = resources.get("Font").and_then(|f| reader.resolve(f).ok()) else { return out };
    for (name, f) in fonts.as_dict().map(|d| d.0.clone()).unwrap_or_default() {
        let Ok(font) = reader.resolve(&f) else { continue };
        let Some(fd) = font.as_dict() else { continue };
        let two_byte = fd.get("Subtype").and_then(Object::as_name) == Some(b"Type0");
        let map = match fd.get("ToUnicode").and_then(|t| reader.resolve(t).ok()) {
            Some(Object::Stream(d, data)) => reader.stream_data(&d, &data).map(|b| parse_cmap(&b)).unwrap_or_default(),
            _ => HashMap::new(),
        };
        out.insert(name, FontMap { two_byte, map });
    }
    out
}

fn operand_num(o: &Object) -> f64 {
    match o {
        Object::Int(i) => *i as f64,
        Object::Real(r) => r.parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// Text runs of page `page_num` (content streams concatenated; form
/// XObjects are not entered).
pub fn page_text(reader: &PdfReader, page_num: u32) -> Result<Vec<TextRun>, PdfError> {
    let page = reader.get(page_num)?;
    let Some(pd) = page.as_dict() else { return Ok(Vec::new()) };
    let resources = match pd.get("Resources").map(|r| reader.resolve(r)).transpose()? {
        Some(Object::Dict(d)) => d,
        _ => Dict::new(),
    };
    let fonts = font_maps(reader, &resources);
    let mut data = Vec::new();
    let contents = match pd.get("Contents").map(|c| reader.resolve(c)).transpose()? {
        Some(Object::Array(a)) => a,
        Some(o @ Object::Stream(..)) => vec![o],
        _ => Vec::new(),
    };
    for c in contents.iter().take(1000) {
        if let Object::Stream(d, s) = reader.resolve(c)? {
            data.extend(reader.stream_data(&d, &s)?);
            data.push(b'\n');
        }
    }
    Ok(interpret(&data, &fonts))
}

fn interpret(data: &[u8], fonts: &HashMap<Vec<u8>, FontMap>) -> Vec<TextRun> {
    let mut out = Vec::new();
    let mut lx = Lexer::new(data, 0);
    let mut stack: Vec<Object> = Vec::new();
    let (mut ctm, mut saved) = (IDENTITY, Vec::<Matrix>::new());
    let (mut tm, mut tlm) = (IDENTITY, IDENTITY);
    let (mut font, mut size, mut leading) = (Vec::new(), 12.0f64, 0.0f64);
    let mut steps = 0usize;
    while lx.pos < data.len() && steps < 2_000_000 {
        steps += 1;
        lx.skip_ws();
        if lx.pos >= data.len() {
            break;
        }
        let save = lx.pos;
        if let Ok(o) = lx.object() {
            stack.push(o);
            if stack.len() > 10_000 {
                stack.clear();
            }
            continue;
        }
        lx.pos = save;
        let op = lx.token().to_vec();
        if op.is_empty() {
            lx.pos = save + 1;
            stack.clear();
            continue;
        }
        let n = |i: usize| stack.get(stack.len().wrapping_sub(i)).map(operand_num).unwrap_or(0.0);
        let show = |bytes: &[u8], tm: &Matrix, out: &mut Vec<TextRun>| {
            let text = fonts
                .get(&font)
                .map(|f| f.decode(bytes))
                .unwrap_or_else(|| bytes.iter().map(|b| char::from(*b)).collect());
            let m = mul(tm, &ctm);
            let scale = (m[2] * m[2] + m[3] * m[3]).sqrt();
            out.push(TextRun { text, x: m[4], y: m[5], size: size * scale });
        };
        match op.as_slice() {
            b"q" => saved.push(ctm),
            b"Q" => ctm = saved.pop().unwrap_or(IDENTITY),
            b"cm" => ctm = mul(&[n(6), n(5), n(4), n(3), n(2), n(1)], &ctm),
            b"BT" => {
                tm = IDENTITY;
                tlm = IDENTITY;
            }
            b"Tf" => {
                size = n(1);
                if let Some(Object::Name(f)) = stack.get(stack.len().wrapping_sub(2)) {
                    font = f.clone();
                }
            }
            b"TL" => leading = n(1),
            b"Td" => {
                tlm = mul(&[1.0, 0.0, 0.0, 1.0, n(2), n(1)], &tlm);
                tm = tlm;
            }
            b"TD" => {
                leading = -n(1);
                tlm = mul(&[1.0, 0.0, 0.0, 1.0, n(2), n(1)], &tlm);
                tm = tlm;
            }
            b"Tm" => {
                tlm = [n(6), n(5), n(4), n(3), n(2), n(1)];
                tm = tlm;
            }
            b"T*" => {
                tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -leading], &tlm);
                tm = tlm;
            }
            b"Tj" | b"'" | b"\"" => {
                if op != b"Tj" {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -leading], &tlm);
                    tm = tlm;
                }
                if let Some(Object::Str(s)) = stack.last() {
                    show(s, &tm, &mut out);
                }
            }
            b"TJ" => {
                if let Some(Object::Array(items)) = stack.last() {
                    let bytes: Vec<u8> = items
                        .iter()
                        .filter_map(|i| if let Object::Str(s) = i { Some(s.clone()) } else { None })
                        .flatten()
                        .collect();
                    show(&bytes, &tm, &mut out);
                }
            }
            _ => {}
        }
        stack.clear();
    }
    out
}

/// Normalises for matching: Unicode-lowercase, whitespace collapsed.
fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The first run containing `anchor` (case-insensitive).
pub fn find_text<'a>(runs: &'a [TextRun], anchor: &str) -> Option<&'a TextRun> {
    let a = norm(anchor);
    runs.iter().find(|r| norm(&r.text).contains(&a))
}

/// Finds the signature block (NĐ 30/2020 Phụ lục I box 7c): title lines in
/// capitals (KT./TM./Q./TL./TUQ. or a position such as CHỦ TỊCH, GIÁM ĐỐC)
/// in the right half of the page, and the signer's name below them. Returns
/// the space between the last title line and the name: `[x1 y1 x2 y2]`.
pub fn signature_block(runs: &[TextRun], page_width: f64) -> Option<[f64; 4]> {
    const TITLES: [&str; 12] = [
        "KT.",
        "TM.",
        "Q.",
        "TL.",
        "TUQ.",
        "CHỦ TỊCH",
        "GIÁM ĐỐC",
        "BỘ TRƯỞNG",
        "TRƯỞNG",
        "THỦ TRƯỞNG",
        "CHÁNH VĂN PHÒNG",
        "HIỆU TRƯỞNG",
    ];
    let is_title = |t: &str| {
        let t = t.trim();
        t.chars().any(char::is_alphabetic) && t == t.to_uppercase() && TITLES.iter().any(|k| t.contains(k))
    };
    let titles: Vec<&TextRun> = runs.iter().filter(|r| r.x > page_width * 0.4 && is_title(&r.text)).collect();
    let lowest_title = titles.iter().min_by(|a, b| a.y.total_cmp(&b.y))?;
    // The name: the nearest non-title run below the titles, roughly aligned.
    let name = runs
        .iter()
        .filter(|r| {
            r.y < lowest_title.y - 20.0 && r.x > page_width * 0.4 && !is_title(&r.text) && !r.text.trim().is_empty()
        })
        .max_by(|a, b| a.y.total_cmp(&b.y))?;
    let centre = lowest_title.x + lowest_title.size * lowest_title.text.chars().count() as f64 * 0.25;
    let (y1, y2) = (name.y + name.size + 2.0, lowest_title.y - 4.0);
    if y2 - y1 < 20.0 {
        return None;
    }
    Some([centre - 80.0, y1, centre + 80.0, y2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_with_positions_and_a_cmap() {
        let cmap =
            b"1 beginbfchar <0001> <0043> <0002> <1EE6> endbfchar 1 beginbfrange <0003> <0004> <0041> endbfrange";
        let map = parse_cmap(cmap);
        assert_eq!(map.get(&2).map(String::as_str), Some("\u{1EE6}"));
        assert_eq!(map.get(&4).map(String::as_str), Some("B"));
        let mut fonts = HashMap::new();
        fonts.insert(b"F1".to_vec(), FontMap { two_byte: true, map });
        let runs = interpret(
            b"q 1 0 0 1 10 20 cm BT /F1 12 Tf 100 200 Td <00010002> Tj ET Q BT /F2 10 Tf 5 6 Td (abc) Tj ET",
            &fonts,
        );
        assert_eq!(runs[0], TextRun { text: "C\u{1EE6}".into(), x: 110.0, y: 220.0, size: 12.0 });
        assert_eq!(runs[1].text, "abc");
    }

    #[test]
    fn finds_the_block_between_title_and_name() {
        let r = |t: &str, x: f64, y: f64| TextRun { text: t.into(), x, y, size: 13.0 };
        let runs = vec![
            r("Nơi nhận:", 60.0, 300.0),
            r("KT. CHỦ TỊCH", 380.0, 300.0),
            r("PHÓ CHỦ TỊCH", 378.0, 284.0),
            r("Nguyễn Văn A", 385.0, 170.0),
        ];
        let b = signature_block(&runs, 595.0).unwrap();
        assert!(b[1] > 170.0 && b[3] < 284.0 && b[0] > 300.0, "{b:?}");
        assert_eq!(find_text(&runs, "phó chủ tịch").map(|r| r.y), Some(284.0));
    }
}
