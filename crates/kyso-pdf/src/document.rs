//! Small generated documents (the verification report): A4 pages of
//! wrapped text in an embedded subset of Liberation Serif (full Vietnamese
//! coverage, with a ToUnicode map so the text can be searched and copied),
//! written as a complete PDF (ISO 32000-2 §7.5: header, body, cross-reference
//! table, trailer; §9.7 Type 0 fonts).

use crate::appearance::{AppearanceError, Builder, LOCAL_BASE, TextLine, embed_font, relocate, stream};
use crate::object::{Dict, Object, StreamData, write_dict, write_object};

/// A4 in points.
const PAGE: (f64, f64) = (595.0, 842.0);
const MARGIN: f64 = 56.0;

/// A paragraph of a generated document.
#[derive(Clone, Debug, PartialEq)]
pub struct Paragraph {
    /// The text (wrapped at spaces to the page width).
    pub text: String,
    /// Size in points.
    pub size: f64,
    /// Fill colour, RGB 0–1.
    pub colour: [f64; 3],
    /// Left indent in points.
    pub indent: f64,
    /// Space above, in points.
    pub space_before: f64,
}

impl Paragraph {
    /// Body text.
    pub fn body(text: impl Into<String>) -> Self {
        Self { text: text.into(), size: 10.5, colour: [0.0; 3], indent: 0.0, space_before: 2.0 }
    }
}

/// Splits `text` into lines no wider than `width` at `size`.
fn wrap(text: &str, size: f64, width: f64) -> Vec<String> {
    let mut lines = Vec::new();
    for raw in text.split('\n') {
        let mut line = String::new();
        for word in raw.split(' ') {
            let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
            if Builder::text_width(&candidate, size) <= width {
                line = candidate;
                continue;
            }
            // The word starts a new line; a word wider than a whole line is
            // cut by characters.
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            line = word.to_owned();
            while Builder::text_width(&line, size) > width && line.chars().count() > 1 {
                let mut head = String::new();
                for c in line.chars() {
                    if Builder::text_width(&format!("{head}{c}"), size) > width && !head.is_empty() {
                        break;
                    }
                    head.push(c);
                }
                line = line[head.len()..].to_owned();
                lines.push(head);
            }
        }
        lines.push(line);
    }
    lines
}

/// Writes `paragraphs` as an A4 PDF titled `title` (document information,
/// §14.3.3), with as many pages as they need.
pub fn text_document(title: &str, paragraphs: &[Paragraph]) -> Result<Vec<u8>, AppearanceError> {
    // Layout: (page, line, colour).
    let mut placed: Vec<(usize, TextLine, [f64; 3])> = Vec::new();
    let (mut page, mut y) = (0usize, PAGE.1 - MARGIN);
    for p in paragraphs {
        let width = PAGE.0 - 2.0 * MARGIN - p.indent;
        y -= p.space_before;
        for line in wrap(&p.text, p.size, width) {
            let lead = p.size * 1.3;
            if y - lead < MARGIN {
                page += 1;
                y = PAGE.1 - MARGIN;
            }
            y -= lead;
            placed.push((page, TextLine { text: line, x: MARGIN + p.indent, y, size: p.size }, p.colour));
        }
    }
    let pages = page + 1;
    let mut font_objects = Vec::new();
    let all: Vec<TextLine> = placed.iter().map(|(_, l, _)| l.clone()).collect();
    let font = embed_font(&all, &mut font_objects)?;

    // Numbering: 1 catalog, 2 pages, 3 info, then the font's objects, then
    // each page and its content stream.
    let first_font = 4u32;
    let numbers: Vec<u32> = (0..font_objects.len() as u32).map(|i| first_font + i).collect();
    let first_page = first_font + font_objects.len() as u32;
    let mut font_ref = font.font.clone();
    relocate(&mut font_ref, &numbers);
    let mut objects: Vec<(u32, Object)> = vec![
        (1, Object::Dict(Dict::new().with("Type", Object::name("Catalog")).with("Pages", Object::Ref(2, 0)))),
        (
            2,
            Object::Dict(
                Dict::new().with("Type", Object::name("Pages")).with("Count", Object::Int(pages as i64)).with(
                    "Kids",
                    Object::Array((0..pages as u32).map(|i| Object::Ref(first_page + 2 * i, 0)).collect()),
                ),
            ),
        ),
        (
            3,
            Object::Dict(
                Dict::new()
                    .with("Title", Object::text(title))
                    .with("Producer", Object::text(concat!("Kyso ", env!("CARGO_PKG_VERSION")))),
            ),
        ),
    ];
    for (i, mut o) in font_objects.into_iter().enumerate() {
        relocate(&mut o, &numbers);
        objects.push((first_font + i as u32, o));
    }
    for p in 0..pages {
        let mut content = Vec::new();
        for (_, l, c) in placed.iter().filter(|(pg, _, _)| *pg == p) {
            let hex: String = font.encode(&l.text).iter().map(|cid| format!("{cid:04X}")).collect();
            content.extend_from_slice(
                format!(
                    "{:.3} {:.3} {:.3} rg BT /F1 {:.2} Tf {:.2} {:.2} Td <{hex}> Tj ET\n",
                    c[0], c[1], c[2], l.size, l.x, l.y
                )
                .as_bytes(),
            );
        }
        let num = first_page + 2 * p as u32;
        let page = Dict::new()
            .with("Type", Object::name("Page"))
            .with("Parent", Object::Ref(2, 0))
            .with("MediaBox", Object::Array(vec![Object::Int(0), Object::Int(0), Object::Int(595), Object::Int(842)]))
            .with(
                "Resources",
                Object::Dict(Dict::new().with("Font", Object::Dict(Dict::new().with("F1", font_ref.clone())))),
            )
            .with("Contents", Object::Ref(num + 1, 0));
        objects.push((num, Object::Dict(page)));
        objects.push((num + 1, stream(Dict::new(), content)));
    }
    debug_assert!(objects.iter().all(|(n, _)| *n < LOCAL_BASE));
    Ok(serialise(objects))
}

fn serialise(mut objects: Vec<(u32, Object)>) -> Vec<u8> {
    objects.sort_by_key(|(n, _)| *n);
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (n, o) in &objects {
        offsets.push(out.len());
        out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
        match o {
            Object::Stream(d, StreamData::Bytes(data)) => {
                let d = d.clone().with("Length", Object::Int(data.len() as i64));
                write_dict(&mut out, &d);
                out.extend_from_slice(b"\nstream\n");
                out.extend_from_slice(data);
                out.extend_from_slice(b"\nendstream");
            }
            other => write_object(&mut out, other),
        }
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    let mut trailer = Vec::new();
    write_dict(
        &mut trailer,
        &Dict::new()
            .with("Size", Object::Int(objects.len() as i64 + 1))
            .with("Root", Object::Ref(1, 0))
            .with("Info", Object::Ref(3, 0)),
    );
    out.extend_from_slice(b"trailer\n");
    out.extend_from_slice(&trailer);
    out.extend_from_slice(format!("\nstartxref\n{xref}\n%%EOF\n").as_bytes());
    out
}
