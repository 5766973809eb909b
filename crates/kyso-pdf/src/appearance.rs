//! Visible signature appearances (ISO 32000-2 §12.7.4.3 appearance streams,
//! §12.5.5): text in an embedded, subsetted Type0/CIDFontType2 font with a
//! ToUnicode map (§9.7, §9.10.3) so it stays searchable and copyable, and
//! PNG images as image XObjects with an SMask for transparency (§8.9.5,
//! §11.6.5.3). The looks follow Nghị định 30/2020/NĐ-CP, Phụ lục I
//! (see `presets`).

use std::collections::BTreeMap;
use std::io::Write;

use crate::object::{Dict, Object, StreamData};

/// Liberation Serif: metric-compatible with Times New Roman, full
/// Vietnamese coverage, SIL OFL 1.1 (assets/fonts/LICENSE-Liberation.txt).
const SERIF: &[u8] = include_bytes!("../../../assets/fonts/LiberationSerif-Regular.ttf");

/// First local object number: references at or above it point into
/// [`Appearance::objects`] and are renumbered when written.
pub const LOCAL_BASE: u32 = 0x7000_0000;

/// Problems building an appearance.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppearanceError {
    /// The image is not a PNG Kyso can read.
    #[error("the image is not a readable PNG: {0}")]
    NotPng(String),
    /// The font could not be used.
    #[error("font error: {0}")]
    Font(String),
}

/// A visible appearance: a form XObject placed in a rectangle of a page.
#[derive(Clone, Debug)]
pub struct Appearance {
    /// `[x1 y1 x2 y2]` on the page, in points.
    pub rect: [f64; 4],
    /// Content stream of the form XObject (its own space `[0 0 w h]`).
    pub content: Vec<u8>,
    /// `/Resources` of the form XObject; may reference [`Appearance::objects`]
    /// as `LOCAL_BASE + index`.
    pub resources: Dict,
    /// Indirect objects the resources need (font program, images, …).
    pub objects: Vec<Object>,
}

/// A decoded PNG: 8-bit RGB and an optional 8-bit alpha channel.
#[derive(Clone, Debug)]
pub struct Png {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    rgb: Vec<u8>,
    alpha: Option<Vec<u8>>,
}

impl Png {
    /// Decodes a PNG (any colour type and depth, palette and 16-bit
    /// expanded/stripped to 8-bit).
    pub fn decode(bytes: &[u8]) -> Result<Self, AppearanceError> {
        let bad = |e: &dyn std::fmt::Display| AppearanceError::NotPng(e.to_string());
        let mut dec = png::Decoder::new(std::io::Cursor::new(bytes));
        dec.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut reader = dec.read_info().map_err(|e| bad(&e))?;
        let size = reader.output_buffer_size().ok_or_else(|| AppearanceError::NotPng("image too large".into()))?;
        if size > 256 << 20 {
            return Err(AppearanceError::NotPng("image too large".into()));
        }
        let mut buf = vec![0; size];
        let info = reader.next_frame(&mut buf).map_err(|e| bad(&e))?;
        let (w, h) = (info.width, info.height);
        let px = (w * h) as usize;
        let data = &buf[..info.buffer_size()];
        let (rgb, alpha) = match info.color_type {
            png::ColorType::Rgba => (
                data.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect(),
                Some(data.chunks_exact(4).map(|p| p[3]).collect()),
            ),
            png::ColorType::Rgb => (data.to_vec(), None),
            png::ColorType::GrayscaleAlpha => (
                data.chunks_exact(2).flat_map(|p| [p[0], p[0], p[0]]).collect(),
                Some(data.chunks_exact(2).map(|p| p[1]).collect()),
            ),
            png::ColorType::Grayscale => (data.iter().flat_map(|g| [*g, *g, *g]).collect(), None),
            png::ColorType::Indexed => return Err(AppearanceError::NotPng("unexpanded palette".into())),
        };
        let rgb: Vec<u8> = rgb;
        if rgb.len() != px * 3 {
            return Err(AppearanceError::NotPng("unexpected pixel data".into()));
        }
        Ok(Self { width: w, height: h, rgb, alpha })
    }
}

fn flate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

pub(crate) fn stream(dict: Dict, data: Vec<u8>) -> Object {
    Object::Stream(dict.with("Filter", Object::name("FlateDecode")), StreamData::Bytes(flate(&data)))
}

fn num(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-0" { "0".into() } else { s.to_owned() }
}

/// A text run in the appearance's own coordinates.
#[derive(Clone, Debug)]
pub struct TextLine {
    /// The text (any Unicode the font covers).
    pub text: String,
    /// Baseline start x.
    pub x: f64,
    /// Baseline y.
    pub y: f64,
    /// Size in points.
    pub size: f64,
}

/// Builds an appearance of `width` × `height` points: images first, then
/// black text lines.
#[derive(Default)]
pub struct Builder {
    width: f64,
    height: f64,
    images: Vec<(Png, [f64; 4])>,
    lines: Vec<TextLine>,
}

impl Builder {
    /// A new builder.
    pub fn new(width: f64, height: f64) -> Self {
        Self { width, height, ..Default::default() }
    }

    /// Draws `png` into `[x y w h]` (appearance coordinates).
    pub fn image(mut self, png: Png, x: f64, y: f64, w: f64, h: f64) -> Self {
        self.images.push((png, [x, y, w, h]));
        self
    }

    /// Adds a text line.
    pub fn text(mut self, line: TextLine) -> Self {
        self.lines.push(line);
        self
    }

    /// Width of `text` at `size` in the serif font, in points.
    pub fn text_width(text: &str, size: f64) -> f64 {
        let Ok(face) = ttf_parser::Face::parse(SERIF, 0) else { return 0.0 };
        let upem = f64::from(face.units_per_em());
        text.chars()
            .filter_map(|c| face.glyph_index(c))
            .map(|g| f64::from(face.glyph_hor_advance(g).unwrap_or(0)) * size / upem)
            .sum()
    }

    /// Produces the appearance placed at `rect` on the page.
    pub fn build(self, rect: [f64; 4]) -> Result<Appearance, AppearanceError> {
        let mut objects = Vec::new();
        let mut resources = Dict::new();
        let mut content = Vec::new();
        let mut xobjects = Dict::new();
        for (i, (png, [x, y, w, h])) in self.images.into_iter().enumerate() {
            let mut img = Dict::new()
                .with("Type", Object::name("XObject"))
                .with("Subtype", Object::name("Image"))
                .with("Width", Object::Int(i64::from(png.width)))
                .with("Height", Object::Int(i64::from(png.height)))
                .with("ColorSpace", Object::name("DeviceRGB"))
                .with("BitsPerComponent", Object::Int(8));
            if let Some(alpha) = &png.alpha {
                let smask = Dict::new()
                    .with("Type", Object::name("XObject"))
                    .with("Subtype", Object::name("Image"))
                    .with("Width", Object::Int(i64::from(png.width)))
                    .with("Height", Object::Int(i64::from(png.height)))
                    .with("ColorSpace", Object::name("DeviceGray"))
                    .with("BitsPerComponent", Object::Int(8));
                objects.push(stream(smask, alpha.clone()));
                img.set("SMask", Object::Ref(LOCAL_BASE + objects.len() as u32 - 1, 0));
            }
            objects.push(stream(img, png.rgb));
            let name = format!("Im{}", i + 1);
            xobjects.set(&name, Object::Ref(LOCAL_BASE + objects.len() as u32 - 1, 0));
            content.extend_from_slice(
                format!("q {} 0 0 {} {} {} cm /{name} Do Q\n", num(w), num(h), num(x), num(y)).as_bytes(),
            );
        }
        if !self.lines.is_empty() {
            let font = embed_font(&self.lines, &mut objects)?;
            resources.set("Font", Object::Dict(Dict::new().with("F1", font.font.clone())));
            content.extend_from_slice(b"0 g\n");
            for l in &self.lines {
                let hex: String = font.encode(&l.text).iter().map(|cid| format!("{cid:04X}")).collect();
                content.extend_from_slice(
                    format!("BT /F1 {} Tf {} {} Td <{hex}> Tj ET\n", num(l.size), num(l.x), num(l.y)).as_bytes(),
                );
            }
        }
        if !xobjects.0.is_empty() {
            resources.set("XObject", Object::Dict(xobjects));
        }
        let _ = (self.width, self.height);
        Ok(Appearance { rect, content, resources, objects })
    }
}

pub(crate) struct EmbeddedFont {
    pub(crate) font: Object,
    map: BTreeMap<char, u16>,
}

impl EmbeddedFont {
    pub(crate) fn encode(&self, text: &str) -> Vec<u16> {
        text.chars().map(|c| self.map.get(&c).copied().unwrap_or(0)).collect()
    }
}

/// Subsets the serif font to the characters used and writes the Type0 font
/// objects; returns the font dictionary reference and the char → CID map
/// (CIDs are the subset's glyph ids, CIDToGIDMap /Identity).
pub(crate) fn embed_font(lines: &[TextLine], objects: &mut Vec<Object>) -> Result<EmbeddedFont, AppearanceError> {
    let face = ttf_parser::Face::parse(SERIF, 0).map_err(|e| AppearanceError::Font(e.to_string()))?;
    let upem = f64::from(face.units_per_em());
    let mut remapper = subsetter::GlyphRemapper::new();
    remapper.remap(0);
    let mut map = BTreeMap::new();
    let mut widths = BTreeMap::new();
    for c in lines.iter().flat_map(|l| l.text.chars()) {
        if map.contains_key(&c) {
            continue;
        }
        let Some(g) = face.glyph_index(c) else { continue };
        let cid = remapper.remap(g.0);
        map.insert(c, cid);
        widths.insert(cid, f64::from(face.glyph_hor_advance(g).unwrap_or(0)) * 1000.0 / upem);
    }
    let program = subsetter::subset(SERIF, 0, &remapper).map_err(|e| AppearanceError::Font(e.to_string()))?;
    // A subset tag from the glyph set (§9.9.2: six upper-case letters).
    let seed: u32 = map.values().fold(0x811c_9dc5u32, |h, v| (h ^ u32::from(*v)).wrapping_mul(0x0100_0193));
    let tag: String = (0..6).map(|i| char::from(b'A' + ((seed >> (i * 5)) % 26) as u8)).collect();
    let base = format!("{tag}+LiberationSerif");

    objects.push(stream(Dict::new().with("Length1", Object::Int(program.len() as i64)), program));
    let file_ref = Object::Ref(LOCAL_BASE + objects.len() as u32 - 1, 0);
    let bbox = face.global_bounding_box();
    let scale = |v: i16| Object::Int((f64::from(v) * 1000.0 / upem).round() as i64);
    let descriptor = Dict::new()
        .with("Type", Object::name("FontDescriptor"))
        .with("FontName", Object::name(&base))
        .with("Flags", Object::Int(6))
        .with(
            "FontBBox",
            Object::Array(vec![scale(bbox.x_min), scale(bbox.y_min), scale(bbox.x_max), scale(bbox.y_max)]),
        )
        .with("ItalicAngle", Object::Int(0))
        .with("Ascent", scale(face.ascender()))
        .with("Descent", scale(face.descender()))
        .with("CapHeight", scale(face.capital_height().unwrap_or(face.ascender())))
        .with("StemV", Object::Int(80))
        .with("FontFile2", file_ref);
    objects.push(Object::Dict(descriptor));
    let desc_ref = Object::Ref(LOCAL_BASE + objects.len() as u32 - 1, 0);
    let w: Vec<Object> = widths
        .iter()
        .flat_map(|(cid, w)| [Object::Int(i64::from(*cid)), Object::Array(vec![Object::Int(w.round() as i64)])])
        .collect();
    let cid_font = Dict::new()
        .with("Type", Object::name("Font"))
        .with("Subtype", Object::name("CIDFontType2"))
        .with("BaseFont", Object::name(&base))
        .with(
            "CIDSystemInfo",
            Object::Dict(
                Dict::new()
                    .with("Registry", Object::Str(b"Adobe".to_vec()))
                    .with("Ordering", Object::Str(b"Identity".to_vec()))
                    .with("Supplement", Object::Int(0)),
            ),
        )
        .with("FontDescriptor", desc_ref)
        .with("DW", Object::Int(500))
        .with("W", Object::Array(w))
        .with("CIDToGIDMap", Object::name("Identity"));
    objects.push(Object::Dict(cid_font));
    let cid_ref = Object::Ref(LOCAL_BASE + objects.len() as u32 - 1, 0);
    objects.push(stream(Dict::new(), to_unicode(&map)));
    let tu_ref = Object::Ref(LOCAL_BASE + objects.len() as u32 - 1, 0);
    let type0 = Dict::new()
        .with("Type", Object::name("Font"))
        .with("Subtype", Object::name("Type0"))
        .with("BaseFont", Object::name(&base))
        .with("Encoding", Object::name("Identity-H"))
        .with("DescendantFonts", Object::Array(vec![cid_ref]))
        .with("ToUnicode", tu_ref);
    objects.push(Object::Dict(type0));
    let font = Object::Ref(LOCAL_BASE + objects.len() as u32 - 1, 0);
    Ok(EmbeddedFont { font, map })
}

/// A ToUnicode CMap (§9.10.3) for 2-byte CIDs.
fn to_unicode(map: &BTreeMap<char, u16>) -> Vec<u8> {
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<_> = map.iter().collect();
    for chunk in entries.chunks(100) {
        s.push_str(&format!("{} beginbfchar\n", chunk.len()));
        for (c, cid) in chunk {
            let mut units = [0u16; 2];
            let hex: String = c.encode_utf16(&mut units).iter().map(|u| format!("{u:04X}")).collect();
            s.push_str(&format!("<{cid:04X}> <{hex}>\n"));
        }
        s.push_str("endbfchar\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s.into_bytes()
}

/// Replaces local references (≥ [`LOCAL_BASE`]) with real object numbers.
pub fn relocate(obj: &mut Object, numbers: &[u32]) {
    match obj {
        Object::Ref(n, _) if *n >= LOCAL_BASE => {
            if let Some(real) = numbers.get((*n - LOCAL_BASE) as usize) {
                *n = *real;
            }
        }
        Object::Array(items) => items.iter_mut().for_each(|o| relocate(o, numbers)),
        Object::Dict(d) | Object::Stream(d, _) => d.0.iter_mut().for_each(|(_, v)| relocate(v, numbers)),
        _ => {}
    }
}

/// Points per millimetre.
pub const PT_PER_MM: f64 = 72.0 / 25.4;
