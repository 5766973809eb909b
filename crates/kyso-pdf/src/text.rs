//! Text with positions from a page's content streams (ISO 32000-2 §9.4
//! text objects and operators, §9.10 extraction of text content), enough
//! to find a signature block: the text matrix and CTM are tracked, strings
//! are decoded through the font's ToUnicode map (bfchar/bfrange, §9.10.3)
//! or, for simple fonts without one, as single bytes.

use std::collections::HashMap;

use crate::object::{Dict, Lexer, Object};
use crate::reader::{PdfError, PdfReader};

/// One glyph of a run, in page space.
#[derive(Clone, Debug, PartialEq)]
pub struct Glyph {
    /// What the glyph stands for (usually one character).
    pub text: String,
    /// Start x of the glyph's origin.
    pub x: f64,
    /// Advance to the next glyph (width, character and word spacing
    /// included), in page-space units along x.
    pub width: f64,
}

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
    /// Advance of the whole run (where the next run would start), from the
    /// font's widths (§9.2.4, §9.4.4).
    pub width: f64,
    /// The run's glyphs with their positions.
    pub glyphs: Vec<Glyph>,
}

impl TextRun {
    /// A run with no glyph positions (tests, hand-made runs); its width
    /// estimated from the serif font's metrics.
    pub fn new(text: &str, x: f64, y: f64, size: f64) -> Self {
        let width = crate::appearance::Builder::text_width(text, size);
        Self { text: text.to_owned(), x, y, size, width, glyphs: Vec::new() }
    }
}

/// What a page draws, as far as placement needs to know: its text runs,
/// and the bounds of its images (image and form XObjects, inline images)
/// and of its painted paths (§8.5), in page space.
#[derive(Clone, Debug, Default)]
pub struct PageContent {
    /// Text runs.
    pub runs: Vec<TextRun>,
    /// Bounds of images and form XObjects.
    pub images: Vec<[f64; 4]>,
    /// Bounds of painted paths: a stroked path by each segment, a filled
    /// path as a whole. Paths painted white are left out.
    pub paths: Vec<[f64; 4]>,
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

fn apply(m: &Matrix, x: f64, y: f64) -> (f64, f64) {
    (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
}

/// The bounds of the unit square under `m` (an image, §8.9.4).
fn unit_bounds(m: &Matrix) -> [f64; 4] {
    bounds(&[apply(m, 0.0, 0.0), apply(m, 1.0, 0.0), apply(m, 0.0, 1.0), apply(m, 1.0, 1.0)])
}

fn bounds(pts: &[(f64, f64)]) -> [f64; 4] {
    pts.iter().fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, (x, y)| {
        [b[0].min(*x), b[1].min(*y), b[2].max(*x), b[3].max(*y)]
    })
}

const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// A font's code → text map and glyph widths (§9.6.2.1 /Widths of simple
/// fonts, §9.7.4.3 /W and /DW of CIDFonts), in thousandths of text space.
struct FontMap {
    two_byte: bool,
    map: HashMap<u32, String>,
    widths: HashMap<u32, f64>,
    default_width: f64,
}

impl FontMap {
    fn codes(&self, bytes: &[u8]) -> Vec<u32> {
        if self.two_byte {
            bytes.chunks(2).map(|c| c.iter().fold(0u32, |a, b| (a << 8) | u32::from(*b))).collect()
        } else {
            bytes.iter().map(|b| u32::from(*b)).collect()
        }
    }

    fn text(&self, code: u32) -> String {
        match self.map.get(&code) {
            Some(s) => s.clone(),
            None if self.two_byte => String::new(),
            None => char::from_u32(code).map(String::from).unwrap_or_default(),
        }
    }

    fn width(&self, code: u32) -> f64 {
        self.widths.get(&code).copied().unwrap_or(self.default_width)
    }
}

/// The font of a run when the resources have none by that name: single
/// bytes, widths unknown (half an em).
fn fallback_font() -> FontMap {
    FontMap { two_byte: false, map: HashMap::new(), widths: HashMap::new(), default_width: 500.0 }
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

fn num_of(reader: &PdfReader, o: &Object) -> Option<f64> {
    match reader.resolve(o).ok()? {
        Object::Int(i) => Some(i as f64),
        Object::Real(r) => r.parse().ok(),
        _ => None,
    }
}

/// Widths of a simple font: `/FirstChar` and `/Widths` (§9.6.2.1), the
/// descriptor's `/MissingWidth` otherwise.
fn simple_widths(reader: &PdfReader, fd: &Dict) -> (HashMap<u32, f64>, f64) {
    let mut widths = HashMap::new();
    let first = fd.get("FirstChar").and_then(|f| num_of(reader, f)).unwrap_or(0.0).max(0.0) as u32;
    if let Some(Ok(Object::Array(w))) = fd.get("Widths").map(|w| reader.resolve(w)) {
        for (i, v) in w.iter().take(256).enumerate() {
            if let Some(v) = num_of(reader, v) {
                widths.insert(first.saturating_add(i as u32), v);
            }
        }
    }
    let missing = fd
        .get("FontDescriptor")
        .and_then(|d| reader.resolve(d).ok())
        .and_then(|d| d.as_dict().and_then(|d| d.get("MissingWidth")).and_then(|m| num_of(reader, m)));
    let default = missing.unwrap_or(if widths.is_empty() { 500.0 } else { 0.0 });
    (widths, default)
}

/// Widths of a Type0 font's descendant: `/W` (`c [w…]` and `c1 c2 w`
/// entries) and `/DW` (default 1000), §9.7.4.3.
fn cid_widths(reader: &PdfReader, fd: &Dict) -> (HashMap<u32, f64>, f64) {
    let mut widths = HashMap::new();
    let desc = match fd.get("DescendantFonts").map(|d| reader.resolve(d)) {
        Some(Ok(Object::Array(a))) => a.first().and_then(|f| reader.resolve(f).ok()),
        _ => None,
    };
    let Some(Object::Dict(cid)) = desc else { return (widths, 1000.0) };
    let dw = cid.get("DW").and_then(|d| num_of(reader, d)).unwrap_or(1000.0);
    if let Some(Ok(Object::Array(w))) = cid.get("W").map(|w| reader.resolve(w)) {
        let mut i = 0;
        while i < w.len() && widths.len() < 65_536 {
            let Some(first) = num_of(reader, &w[i]).map(|f| f.max(0.0) as u32) else { break };
            match w.get(i + 1).map(|o| reader.resolve(o)) {
                Some(Ok(Object::Array(list))) => {
                    for (k, v) in list.iter().take(65_536).enumerate() {
                        if let Some(v) = num_of(reader, v) {
                            widths.insert(first.saturating_add(k as u32), v);
                        }
                    }
                    i += 2;
                }
                Some(Ok(_)) => {
                    let last = num_of(reader, &w[i + 1]).map(|f| f.max(0.0) as u32).unwrap_or(first);
                    let Some(v) = w.get(i + 2).and_then(|v| num_of(reader, v)) else { break };
                    for c in first..=last.min(first.saturating_add(65_535)) {
                        widths.insert(c, v);
                    }
                    i += 3;
                }
                _ => break,
            }
        }
    }
    (widths, dw)
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
        let (widths, default_width) = if two_byte { cid_widths(reader, fd) } else { simple_widths(reader, fd) };
        out.insert(name, FontMap { two_byte, map, widths, default_width });
    }
    out
}

/// The kind of each XObject of the resources: `true` for an image, `false`
/// for a form (with its /BBox and /Matrix, §8.10.1).
enum XKind {
    Image,
    Form([f64; 4], Matrix),
}

fn xobjects(reader: &PdfReader, resources: &Dict) -> HashMap<Vec<u8>, XKind> {
    let mut out = HashMap::new();
    let Some(xs) = resources.get("XObject").and_then(|f| reader.resolve(f).ok()) else { return out };
    for (name, x) in xs.as_dict().map(|d| d.0.clone()).unwrap_or_default().into_iter().take(10_000) {
        let Ok(Object::Stream(d, _)) = reader.resolve(&x) else { continue };
        let nums = |key: &str| -> Vec<f64> {
            match d.get(key).map(|o| reader.resolve(o)) {
                Some(Ok(Object::Array(a))) => a.iter().filter_map(|v| num_of(reader, v)).collect(),
                _ => Vec::new(),
            }
        };
        let kind = if d.get("Subtype").and_then(Object::as_name) == Some(b"Form") {
            let b = nums("BBox");
            let m = nums("Matrix");
            let bbox = if b.len() == 4 { [b[0], b[1], b[2], b[3]] } else { [0.0; 4] };
            let matrix = if m.len() == 6 { [m[0], m[1], m[2], m[3], m[4], m[5]] } else { IDENTITY };
            XKind::Form(bbox, matrix)
        } else {
            XKind::Image
        };
        out.insert(name, kind);
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
    Ok(page_content(reader, page_num)?.runs)
}

/// Text runs, image and path bounds of page `page_num` (content streams
/// concatenated, §7.8.2; form XObjects counted by their bounding box, not
/// entered).
pub fn page_content(reader: &PdfReader, page_num: u32) -> Result<PageContent, PdfError> {
    let page = reader.get(page_num)?;
    let Some(pd) = page.as_dict() else { return Ok(PageContent::default()) };
    // Resources are inheritable (§7.7.3.4).
    let mut resources = Dict::new();
    let mut node = Some(pd.clone());
    for _ in 0..16 {
        let Some(n) = node.take() else { break };
        if let Some(Object::Dict(d)) = n.get("Resources").map(|r| reader.resolve(r)).transpose()? {
            resources = d;
            break;
        }
        node = n.get("Parent").and_then(|p| reader.resolve(p).ok()).and_then(|p| p.as_dict().cloned());
    }
    let fonts = font_maps(reader, &resources);
    let xobjs = xobjects(reader, &resources);
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
    Ok(interpret_all(&data, &fonts, &xobjs))
}

#[cfg(test)]
fn interpret(data: &[u8], fonts: &HashMap<Vec<u8>, FontMap>) -> Vec<TextRun> {
    interpret_all(data, fonts, &HashMap::new()).runs
}

/// The text state (§9.3): spacing, scaling, leading, font and size.
struct TextState {
    font: Vec<u8>,
    size: f64,
    leading: f64,
    char_spacing: f64,
    word_spacing: f64,
    scaling: f64,
}

/// Graphics state kept for bounds: the CTM and whether fills and strokes
/// are white (§8.6.8: gray 1, RGB 1 1 1, CMYK 0 0 0 0).
#[derive(Clone, Copy)]
struct Gs {
    ctm: Matrix,
    white_fill: bool,
    white_stroke: bool,
}

fn is_white(ops: &[f64]) -> bool {
    match ops {
        [g] => *g >= 0.99,
        [r, g, b] => *r >= 0.99 && *g >= 0.99 && *b >= 0.99,
        [c, m, y, k] => *c <= 0.01 && *m <= 0.01 && *y <= 0.01 && *k <= 0.01,
        _ => false,
    }
}

fn interpret_all(data: &[u8], fonts: &HashMap<Vec<u8>, FontMap>, xobjs: &HashMap<Vec<u8>, XKind>) -> PageContent {
    let mut out = PageContent::default();
    let fallback = fallback_font();
    let mut lx = Lexer::new(data, 0);
    let mut stack: Vec<Object> = Vec::new();
    let mut gs = Gs { ctm: IDENTITY, white_fill: false, white_stroke: false };
    let mut saved: Vec<Gs> = Vec::new();
    let (mut tm, mut tlm) = (IDENTITY, IDENTITY);
    let mut ts =
        TextState { font: Vec::new(), size: 12.0, leading: 0.0, char_spacing: 0.0, word_spacing: 0.0, scaling: 1.0 };
    // The current path: subpaths of page-space points.
    let mut path: Vec<Vec<(f64, f64)>> = Vec::new();
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
        let nums = || stack.iter().map(operand_num).collect::<Vec<f64>>();
        match op.as_slice() {
            b"q" if saved.len() < 1000 => saved.push(gs),
            b"Q" => gs = saved.pop().unwrap_or(Gs { ctm: IDENTITY, white_fill: false, white_stroke: false }),
            b"cm" => gs.ctm = mul(&[n(6), n(5), n(4), n(3), n(2), n(1)], &gs.ctm),
            b"g" | b"rg" | b"k" => gs.white_fill = is_white(&nums()),
            b"G" | b"RG" | b"K" => gs.white_stroke = is_white(&nums()),
            b"sc" | b"scn" => gs.white_fill = is_white(&nums()),
            b"SC" | b"SCN" => gs.white_stroke = is_white(&nums()),
            // Paths (§8.5.2) and their painting (§8.5.3).
            b"m" => path.push(vec![apply(&gs.ctm, n(2), n(1))]),
            b"l" => match path.last_mut() {
                Some(p) => p.push(apply(&gs.ctm, n(2), n(1))),
                None => path.push(vec![apply(&gs.ctm, n(2), n(1))]),
            },
            b"c" | b"v" | b"y" => {
                let pts: Vec<(f64, f64)> =
                    nums().chunks_exact(2).map(|p| apply(&gs.ctm, p[0], p[1])).collect::<Vec<_>>();
                match path.last_mut() {
                    Some(p) => p.extend(pts),
                    None => path.push(pts),
                }
            }
            b"re" => {
                let (x, y, w, h) = (n(4), n(3), n(2), n(1));
                path.push(vec![
                    apply(&gs.ctm, x, y),
                    apply(&gs.ctm, x + w, y),
                    apply(&gs.ctm, x + w, y + h),
                    apply(&gs.ctm, x, y + h),
                    apply(&gs.ctm, x, y),
                ]);
            }
            b"S" | b"s" | b"f" | b"F" | b"f*" | b"B" | b"B*" | b"b" | b"b*" => {
                let fill = !matches!(op.as_slice(), b"S" | b"s");
                let stroke = !matches!(op.as_slice(), b"f" | b"F" | b"f*");
                if fill && !gs.white_fill {
                    for p in path.iter().filter(|p| !p.is_empty()) {
                        if out.paths.len() < 100_000 {
                            out.paths.push(bounds(p));
                        }
                    }
                }
                if stroke && !gs.white_stroke {
                    for p in &path {
                        for seg in p.windows(2) {
                            if out.paths.len() < 100_000 {
                                out.paths.push(bounds(seg));
                            }
                        }
                    }
                }
                path.clear();
            }
            b"n" => path.clear(),
            b"Do" => {
                if let Some(Object::Name(name)) = stack.last() {
                    match xobjs.get(name) {
                        Some(XKind::Image) => out.images.push(unit_bounds(&gs.ctm)),
                        Some(XKind::Form(b, m)) => {
                            let m = mul(m, &gs.ctm);
                            out.images.push(bounds(&[
                                apply(&m, b[0], b[1]),
                                apply(&m, b[2], b[1]),
                                apply(&m, b[0], b[3]),
                                apply(&m, b[2], b[3]),
                            ]));
                        }
                        None => {}
                    }
                }
            }
            // Inline image (§8.9.7): its data runs to "EI" after white space.
            b"ID" => {
                out.images.push(unit_bounds(&gs.ctm));
                let rest = &data[lx.pos.min(data.len())..];
                let end = rest
                    .windows(3)
                    .position(|w| matches!(w[0], b' ' | b'\n' | b'\r' | b'\t') && &w[1..] == b"EI")
                    .map_or(data.len(), |p| lx.pos + p + 3);
                lx.pos = end;
            }
            b"BT" => {
                tm = IDENTITY;
                tlm = IDENTITY;
            }
            b"Tf" => {
                ts.size = n(1);
                if let Some(Object::Name(f)) = stack.get(stack.len().wrapping_sub(2)) {
                    ts.font = f.clone();
                }
            }
            b"TL" => ts.leading = n(1),
            b"Tc" => ts.char_spacing = n(1),
            b"Tw" => ts.word_spacing = n(1),
            b"Tz" => ts.scaling = n(1) / 100.0,
            b"Td" => {
                tlm = mul(&[1.0, 0.0, 0.0, 1.0, n(2), n(1)], &tlm);
                tm = tlm;
            }
            b"TD" => {
                ts.leading = -n(1);
                tlm = mul(&[1.0, 0.0, 0.0, 1.0, n(2), n(1)], &tlm);
                tm = tlm;
            }
            b"Tm" => {
                tlm = [n(6), n(5), n(4), n(3), n(2), n(1)];
                tm = tlm;
            }
            b"T*" => {
                tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -ts.leading], &tlm);
                tm = tlm;
            }
            b"Tj" | b"'" | b"\"" | b"TJ" => {
                if op == b"\"" {
                    ts.word_spacing = n(3);
                    ts.char_spacing = n(2);
                }
                if op == b"'" || op == b"\"" {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -ts.leading], &tlm);
                    tm = tlm;
                }
                let font = fonts.get(&ts.font).unwrap_or(&fallback);
                let items: Vec<Object> = match stack.last() {
                    Some(Object::Array(items)) if op == b"TJ" => items.clone(),
                    Some(s @ Object::Str(_)) if op != b"TJ" => vec![s.clone()],
                    _ => Vec::new(),
                };
                if !items.is_empty() {
                    out.runs.push(show(&items, font, &ts, &mut tm, &gs.ctm));
                }
            }
            _ => {}
        }
        stack.clear();
    }
    out
}

/// Shows strings and TJ adjustments (§9.4.3, §9.4.4): each glyph at the
/// text matrix, which then moves by the glyph's advance
/// `(w0 × Tfs + Tc + Tw) × Th` (Tw for the single-byte code 32 only).
fn show(items: &[Object], font: &FontMap, ts: &TextState, tm: &mut Matrix, ctm: &Matrix) -> TextRun {
    let start = mul(tm, ctm);
    let scale = (start[2] * start[2] + start[3] * start[3]).sqrt();
    let mut glyphs = Vec::new();
    let mut text = String::new();
    for item in items {
        match item {
            Object::Str(bytes) => {
                for code in font.codes(bytes) {
                    let m = mul(tm, ctm);
                    let space = !font.two_byte && code == 32;
                    let tx = (font.width(code) / 1000.0 * ts.size
                        + ts.char_spacing
                        + if space { ts.word_spacing } else { 0.0 })
                        * ts.scaling;
                    *tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], tm);
                    let after = mul(tm, ctm);
                    let t = font.text(code);
                    text.push_str(&t);
                    if glyphs.len() < 100_000 {
                        glyphs.push(Glyph { text: t, x: m[4], width: after[4] - m[4] });
                    }
                }
            }
            other => {
                let adj = operand_num(other);
                let tx = -adj / 1000.0 * ts.size * ts.scaling;
                *tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], tm);
            }
        }
    }
    let end = mul(tm, ctm);
    TextRun { text, x: start[4], y: start[5], size: ts.size * scale, width: end[4] - start[4], glyphs }
}

/// Runs joined into lines as a reader sees them: runs on one baseline
/// (within a quarter of the size) that follow each other closely (a gap
/// under one font size) become one run, with a space where the gap is
/// wider than a word space would be left out. Producers differ: Word and
/// LibreOffice write a line or a word per run, Chromium (Skia) one glyph
/// per `Tj` with a `Td` between (ISO 32000-2 §9.4.2 lets them); matching
/// title lines and anchors needs the line. Columns stay apart.
pub fn lines(runs: &[TextRun]) -> Vec<TextRun> {
    let kept: Vec<&TextRun> =
        runs.iter().filter(|r| r.size > 0.0 && r.x.is_finite() && r.y.is_finite() && !r.text.is_empty()).collect();
    let mut out = Vec::new();
    for g in baseline_groups(kept, |r| (r.x, r.y, r.size)) {
        let mut cur: Option<TextRun> = None;
        for r in g {
            match cur.as_mut() {
                Some(c) if r.x - (c.x + c.width) < c.size.max(r.size) => {
                    let gap = r.x - (c.x + c.width);
                    if gap > 0.15 * c.size.max(r.size) && !c.text.ends_with(' ') && !r.text.starts_with(' ') {
                        c.text.push(' ');
                    }
                    c.text.push_str(&r.text);
                    c.width = (r.x + r.width - c.x).max(c.width);
                    c.size = c.size.max(r.size);
                    if c.glyphs.len() + r.glyphs.len() <= 100_000 {
                        c.glyphs.extend(r.glyphs.iter().cloned());
                    }
                }
                _ => {
                    out.extend(cur.take());
                    cur = Some(r.clone());
                }
            }
        }
        out.extend(cur);
    }
    out
}

/// Items on one baseline grouped (top to bottom; a baseline within a
/// quarter of the larger size of the group's first item), each group left
/// to right. `at` gives an item's (x, baseline y, size).
pub(crate) fn baseline_groups<T>(mut items: Vec<T>, at: impl Fn(&T) -> (f64, f64, f64)) -> Vec<Vec<T>> {
    items.sort_by(|a, b| at(b).1.total_cmp(&at(a).1));
    let mut groups: Vec<Vec<T>> = Vec::new();
    for it in items {
        let (_, y, size) = at(&it);
        match groups.last_mut() {
            Some(g) if (at(&g[0]).1 - y).abs() <= 0.25 * at(&g[0]).2.max(size) => g.push(it),
            _ => groups.push(vec![it]),
        }
    }
    for g in &mut groups {
        g.sort_by(|a, b| at(a).0.total_cmp(&at(b).0));
    }
    groups
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
    let centre = if lowest_title.width > 0.0 {
        lowest_title.x + lowest_title.width / 2.0
    } else {
        lowest_title.x + lowest_title.size * lowest_title.text.chars().count() as f64 * 0.25
    };
    // Clear of the name's accents above its cap height (Vietnamese capitals
    // stack two marks) and of the title's descenders, as readers box the
    // words (poppler boxes a line by the font's ascent and descent).
    let (y1, y2) = (name.y + 1.1 * name.size + 1.0, lowest_title.y - 0.3 * lowest_title.size - 2.0);
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
        fonts.insert(b"F1".to_vec(), FontMap { two_byte: true, map, widths: HashMap::new(), default_width: 1000.0 });
        let runs = interpret(
            b"q 1 0 0 1 10 20 cm BT /F1 12 Tf 100 200 Td <00010002> Tj ET Q BT /F2 10 Tf 5 6 Td (abc) Tj ET",
            &fonts,
        );
        assert_eq!((runs[0].text.as_str(), runs[0].x, runs[0].y, runs[0].size), ("C\u{1EE6}", 110.0, 220.0, 12.0));
        assert_eq!(runs[1].text, "abc");
    }

    #[test]
    fn glyph_advances_follow_widths_spacing_and_kerning() {
        let widths: HashMap<u32, f64> = [(65, 600.0), (32, 250.0)].into_iter().collect();
        let mut fonts = HashMap::new();
        fonts.insert(b"F1".to_vec(), FontMap { two_byte: false, map: HashMap::new(), widths, default_width: 0.0 });
        // §9.4.4: tx = (w0 × Tfs + Tc + Tw) × Th; TJ numbers move by −n/1000 × Tfs.
        let runs = interpret(b"BT /F1 10 Tf 2 Tc 3 Tw 100 700 Td (A A) Tj (A) Tj [(A) -1000 (A)] TJ ET", &fonts);
        let x: Vec<f64> = runs[0].glyphs.iter().map(|g| g.x).collect();
        assert_eq!(x, [100.0, 108.0, 115.5]);
        assert!((runs[0].width - 23.5).abs() < 1e-9, "{:?}", runs[0]);
        assert!((runs[1].x - 123.5).abs() < 1e-9, "the next string starts where the last ended");
        let k: Vec<f64> = runs[2].glyphs.iter().map(|g| g.x).collect();
        assert!((k[1] - (k[0] + 8.0 + 10.0)).abs() < 1e-9, "{k:?}");
        // Tz scales every advance.
        let runs = interpret(b"BT /F1 10 Tf 50 Tz 0 0 Td (AA) Tj ET", &fonts);
        assert!((runs[0].width - 6.0).abs() < 1e-9, "{:?}", runs[0]);
    }

    #[test]
    fn images_and_paths_have_bounds_white_fills_do_not() {
        let c = interpret_all(
            b"q 100 0 0 50 10 20 cm /Im1 Do Q 1 g 0 0 600 800 re f 0 g 30 40 m 130 40 l S 5 5 10 10 re f",
            &HashMap::new(),
            &[(b"Im1".to_vec(), XKind::Image)].into_iter().collect(),
        );
        assert_eq!(c.images, [[10.0, 20.0, 110.0, 70.0]]);
        assert_eq!(c.paths, [[30.0, 40.0, 130.0, 40.0], [5.0, 5.0, 15.0, 15.0]]);
    }

    #[test]
    fn glyph_per_run_pages_are_read_as_lines() {
        // One run per glyph, as Chromium writes: the block is found on lines.
        let mut runs = Vec::new();
        for (text, x0, y) in [
            ("Nơi nhận:", 60.0, 300.0),
            ("KT. CHỦ TỊCH", 380.0, 300.0),
            ("PHÓ CHỦ TỊCH", 378.0, 284.0),
            ("Nguyễn Văn A", 385.0, 170.0),
        ] {
            let mut x = x0;
            for c in text.chars() {
                let run = TextRun::new(&c.to_string(), x, y, 13.0);
                x += run.width;
                if c != ' ' {
                    runs.push(run);
                }
            }
        }
        let joined = lines(&runs);
        let texts: Vec<&str> = joined.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["Nơi nhận:", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn A"]);
        let b = signature_block(&joined, 595.0).unwrap();
        assert!(b[1] > 170.0 && b[3] < 284.0 && b[0] > 300.0, "{b:?}");
    }

    #[test]
    fn finds_the_block_between_title_and_name() {
        let r = |t: &str, x: f64, y: f64| TextRun::new(t, x, y, 13.0);
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
