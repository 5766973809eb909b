//! Role presets for visible signatures, as Nghị định 30/2020/NĐ-CP,
//! Phụ lục I fixes their look:
//! - approver (item II.7.d): the official's handwritten-signature image,
//!   in the signature block between the title line and the name;
//! - issuer (item II.8.a): the organisation's seal at its real size,
//!   covering about the left third of the official's signature image, plus
//!   the document number and date written by the clerk (Art. 15(3));
//! - appendix (items II.8.b, III.1.d) and copy (part II.I): no image, a text
//!   block at the top right of page 1, Times New Roman-compatible 10 pt
//!   regular black, with the signing time in ISO 8601 (+07:00).

use crate::appearance::{Appearance, AppearanceError, Builder, PT_PER_MM, Png, TextLine};
use crate::object::Object;
use crate::reader::{PdfError, PdfReader};

/// A role preset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The competent official.
    Approver,
    /// The clerk applying the organisation's seal.
    Issuer,
    /// An appendix or attachment in a separate file.
    Appendix,
    /// An electronic copy.
    Copy,
}

impl Role {
    /// Parses `approver`, `issuer`, `appendix`, `copy`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "approver" => Some(Self::Approver),
            "issuer" => Some(Self::Issuer),
            "appendix" => Some(Self::Appendix),
            "copy" => Some(Self::Copy),
            _ => None,
        }
    }
}

/// What a preset needs.
#[derive(Clone, Debug)]
pub struct PresetInput {
    /// The role.
    pub role: Role,
    /// Page (1-based); default: the last page for approver/issuer, 1 otherwise.
    pub page: Option<usize>,
    /// Explicit rectangle in points.
    pub rect: Option<[f64; 4]>,
    /// Text on the page to place the signature by (the signer's name, or a
    /// title line such as "KT. CHỦ TỊCH").
    pub anchor: Option<String>,
    /// Handwritten-signature PNG (approver).
    pub image: Option<Vec<u8>>,
    /// Seal PNG (issuer).
    pub seal: Option<Vec<u8>>,
    /// Seal diameter in millimetres (issuer).
    pub seal_mm: f64,
    /// Document number and symbol ("Số: 123/QĐ-UBND") for issuer/appendix.
    pub number: Option<String>,
    /// Where the issuer writes the number (page 1).
    pub number_rect: Option<[f64; 4]>,
    /// Issue date line ("Bắc Ninh, ngày 22 tháng 11 năm 2026") for issuer.
    pub date: Option<String>,
    /// Where the issuer writes the date (page 1).
    pub date_rect: Option<[f64; 4]>,
    /// Copy form ("SAO Y", "Bản sao điện tử") for copy.
    pub copy_form: Option<String>,
    /// The copying organisation for copy.
    pub organization: Option<String>,
    /// Signing time (Unix seconds), shown in ISO 8601 with +07:00.
    pub time: i64,
}

/// Problems placing a preset.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PresetError {
    /// Reading the PDF failed.
    #[error(transparent)]
    Pdf(#[from] PdfError),
    /// The image could not be used.
    #[error(transparent)]
    Appearance(#[from] AppearanceError),
    /// A required input is missing (its option name).
    #[error("missing input: {0}")]
    Missing(&'static str),
    /// The anchor text is not on the page.
    #[error("the text {0:?} was not found on the page")]
    AnchorNotFound(String),
    /// The rectangle is not inside the page.
    #[error("the rectangle is outside the page")]
    RectOffPage,
    /// The page does not exist.
    #[error("page {page} does not exist (the document has {count})")]
    NoSuchPage {
        /// Asked.
        page: usize,
        /// Available.
        count: usize,
    },
}

/// Where and how a preset will be drawn.
#[derive(Clone, Debug)]
pub struct Placement {
    /// Page of the main widget (1-based).
    pub page: usize,
    /// The main widget's appearance.
    pub appearance: Appearance,
    /// Further widgets (page, appearance).
    pub extra_widgets: Vec<(usize, Appearance)>,
    /// A human summary of where things were placed.
    pub description: String,
}

/// ISO 8601 with the Vietnam offset.
pub fn iso_time_vn(unix: i64) -> String {
    let offset = time::UtcOffset::from_hms(7, 0, 0).unwrap_or(time::UtcOffset::UTC);
    let t =
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH).to_offset(offset);
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// The MediaBox of a page, inherited through /Parent (§7.7.3.4).
pub fn page_box(reader: &PdfReader, page_num: u32) -> Result<[f64; 4], PdfError> {
    Ok(inherited_box(reader, page_num, "MediaBox")?.unwrap_or([0.0, 0.0, 595.28, 841.89]))
}

/// The part of a page a viewer shows: the CropBox within the MediaBox
/// (ISO 32000-2 §14.11.2; the CropBox defaults to the MediaBox).
pub fn visible_box(reader: &PdfReader, page_num: u32) -> Result<[f64; 4], PdfError> {
    let media = page_box(reader, page_num)?;
    Ok(match inherited_box(reader, page_num, "CropBox")? {
        Some(c) => {
            let r = [c[0].max(media[0]), c[1].max(media[1]), c[2].min(media[2]), c[3].min(media[3])];
            if r[0] < r[2] && r[1] < r[3] { r } else { media }
        }
        None => media,
    })
}

/// A page rectangle, inherited from the page tree (§7.7.3.4), normalised.
fn inherited_box(reader: &PdfReader, page_num: u32, key: &str) -> Result<Option<[f64; 4]>, PdfError> {
    let mut node = reader.get(page_num)?;
    for _ in 0..16 {
        let Some(d) = node.as_dict() else { break };
        if let Some(mb) = d.get(key)
            && let Object::Array(a) = reader.resolve(mb)?
        {
            let v: Vec<f64> = a.iter().filter_map(number).collect();
            if v.len() == 4 {
                return Ok(Some([v[0].min(v[2]), v[1].min(v[3]), v[0].max(v[2]), v[1].max(v[3])]));
            }
        }
        match d.get("Parent") {
            Some(p) => node = reader.resolve(p)?,
            None => break,
        }
    }
    Ok(None)
}

fn number(o: &Object) -> Option<f64> {
    match o {
        Object::Int(i) => Some(*i as f64),
        Object::Real(r) => r.parse().ok(),
        _ => None,
    }
}

/// Rectangles of the visible signature widgets already on a page.
pub fn signature_widgets(reader: &PdfReader, page_num: u32) -> Result<Vec<[f64; 4]>, PdfError> {
    let page = reader.get(page_num)?;
    let Some(annots) = page.as_dict().and_then(|d| d.get("Annots")) else { return Ok(Vec::new()) };
    let Object::Array(annots) = reader.resolve(annots)? else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for a in annots.iter().take(10_000) {
        let a = reader.resolve(a)?;
        let Some(d) = a.as_dict() else { continue };
        let is_sig = d.get("FT").and_then(Object::as_name) == Some(b"Sig")
            || d.get("Parent")
                .and_then(|p| reader.resolve(p).ok())
                .is_some_and(|p| p.as_dict().and_then(|pd| pd.get("FT")).and_then(Object::as_name) == Some(b"Sig"));
        if !is_sig || d.get("Subtype").and_then(Object::as_name) != Some(b"Widget") {
            continue;
        }
        if let Some(Object::Array(r)) = d.get("Rect").map(|r| reader.resolve(r)).transpose()? {
            let v: Vec<f64> = r.iter().filter_map(number).collect();
            if v.len() == 4 && (v[2] - v[0]).abs() > 1.0 && (v[3] - v[1]).abs() > 1.0 {
                out.push([v[0].min(v[2]), v[1].min(v[3]), v[0].max(v[2]), v[1].max(v[3])]);
            }
        }
    }
    Ok(out)
}

fn inside(r: &[f64; 4], page: &[f64; 4]) -> bool {
    r[0] >= page[0] - 0.5
        && r[1] >= page[1] - 0.5
        && r[2] <= page[2] + 0.5
        && r[3] <= page[3] + 0.5
        && r[2] > r[0]
        && r[3] > r[1]
}

/// The signature block when nothing is given: the right half of the page,
/// in the lower part where the official's block sits (box 7c).
fn auto_block(page: &[f64; 4]) -> [f64; 4] {
    let (w, h) = (page[2] - page[0], page[3] - page[1]);
    let x1 = page[0] + w * 0.55;
    let y1 = page[1] + h * 0.22;
    [x1, y1, (x1 + 170.0).min(page[2] - 20.0), y1 + 70.0]
}

/// Where the signature goes when no rectangle is given: by `anchor` text,
/// else the detected signature block (title lines, then the name), else
/// the usual place of the block.
fn block_on_page(
    reader: &PdfReader,
    page_num: u32,
    mbox: &[f64; 4],
    anchor: Option<&str>,
) -> Result<[f64; 4], PresetError> {
    let runs = crate::text::page_text(reader, page_num).unwrap_or_default();
    if let Some(a) = anchor {
        let run = crate::text::find_text(&runs, a).ok_or_else(|| PresetError::AnchorNotFound(a.to_owned()))?;
        let width = Builder::text_width(&run.text, run.size.max(1.0)).max(60.0);
        let cx = run.x + width / 2.0;
        let upper = run.text.trim() == run.text.trim().to_uppercase();
        // Below a title line, above a name.
        let (y1, y2) =
            if upper { (run.y - 70.0, run.y - 4.0) } else { (run.y + run.size + 2.0, run.y + run.size + 66.0) };
        return Ok(clamp([cx - 80.0, y1, cx + 80.0, y2], mbox));
    }
    Ok(crate::text::signature_block(&runs, mbox[2] - mbox[0]).unwrap_or_else(|| auto_block(mbox)))
}

/// An image scaled into `rect` keeping its aspect ratio, centred.
fn image_appearance(png: Png, rect: [f64; 4]) -> Result<Appearance, AppearanceError> {
    let (w, h) = (rect[2] - rect[0], rect[3] - rect[1]);
    let scale = (w / f64::from(png.width)).min(h / f64::from(png.height));
    let (iw, ih) = (f64::from(png.width) * scale, f64::from(png.height) * scale);
    Builder::new(w, h).image(png, (w - iw) / 2.0, (h - ih) / 2.0, iw, ih).build(rect)
}

/// A text block: lines top to bottom, 10 pt (or `size`).
fn text_appearance(lines: &[String], rect: [f64; 4], size: f64) -> Result<Appearance, AppearanceError> {
    let (w, h) = (rect[2] - rect[0], rect[3] - rect[1]);
    let mut b = Builder::new(w, h);
    for (i, l) in lines.iter().enumerate() {
        b = b.text(TextLine { text: l.clone(), x: 2.0, y: h - size * 1.2 * (i as f64 + 1.0) + 2.0, size });
    }
    b.build(rect)
}

fn text_rect_top_right(lines: &[String], page: &[f64; 4], size: f64) -> [f64; 4] {
    let width = lines.iter().map(|l| Builder::text_width(l, size)).fold(0.0, f64::max) + 6.0;
    let height = size * 1.2 * lines.len() as f64 + 4.0;
    // 10 mm from the right edge, 10 mm from the top (box 14 / top right of page 1).
    let x2 = page[2] - 10.0 * PT_PER_MM;
    let y2 = page[3] - 10.0 * PT_PER_MM;
    [x2 - width, y2 - height, x2, y2]
}

/// Computes the appearance(s) of a preset for `reader`'s document.
pub fn prepare(reader: &PdfReader, input: &PresetInput) -> Result<Placement, PresetError> {
    let pages = reader.pages()?;
    let default_page = match input.role {
        Role::Approver | Role::Issuer => pages.len(),
        Role::Appendix | Role::Copy => 1,
    };
    let page = input.page.unwrap_or(default_page);
    let page_num = *pages.get(page.wrapping_sub(1)).ok_or(PresetError::NoSuchPage { page, count: pages.len() })?;
    let mbox = page_box(reader, page_num)?;
    if let Some(r) = &input.rect
        && !inside(r, &mbox)
    {
        return Err(PresetError::RectOffPage);
    }
    let time = iso_time_vn(input.time);
    match input.role {
        Role::Approver => {
            let png = Png::decode(input.image.as_deref().ok_or(PresetError::Missing("--image"))?)?;
            let rect = match input.rect {
                Some(r) => r,
                None => block_on_page(reader, page_num, &mbox, input.anchor.as_deref())?,
            };
            let appearance = image_appearance(png, rect)?;
            Ok(Placement {
                page,
                appearance,
                extra_widgets: Vec::new(),
                description: format!("page {page}, rect {rect:?}"),
            })
        }
        Role::Issuer => {
            let png = Png::decode(input.seal.as_deref().ok_or(PresetError::Missing("--seal"))?)?;
            let size = input.seal_mm * PT_PER_MM;
            let official = signature_widgets(reader, page_num)?.last().copied();
            let rect = match (input.rect, official) {
                (Some(r), _) => r,
                // Over the left third of the official's signature image.
                (None, Some(o)) => {
                    let right = o[0] + (o[2] - o[0]) / 3.0;
                    let cy = (o[1] + o[3]) / 2.0;
                    [right - size, cy - size / 2.0, right, cy + size / 2.0]
                }
                (None, None) => {
                    let b = block_on_page(reader, page_num, &mbox, input.anchor.as_deref())?;
                    let cy = (b[1] + b[3]) / 2.0;
                    [b[0] - size / 3.0, cy - size / 2.0, b[0] + size * 2.0 / 3.0, cy + size / 2.0]
                }
            };
            let rect = clamp(rect, &mbox);
            let appearance = image_appearance(png, rect)?;
            let mut extra = Vec::new();
            let first = page_box(reader, pages[0])?;
            if let Some(n) = &input.number {
                let r = input.number_rect.unwrap_or([
                    first[0] + 57.0,
                    first[3] - 150.0,
                    first[0] + 280.0,
                    first[3] - 130.0,
                ]);
                if !inside(&r, &first) {
                    return Err(PresetError::RectOffPage);
                }
                extra.push((1, text_appearance(std::slice::from_ref(n), r, 13.0)?));
            }
            if let Some(d) = &input.date {
                let r =
                    input.date_rect.unwrap_or([first[2] * 0.45, first[3] - 150.0, first[2] - 30.0, first[3] - 130.0]);
                if !inside(&r, &first) {
                    return Err(PresetError::RectOffPage);
                }
                extra.push((1, text_appearance(std::slice::from_ref(d), r, 13.0)?));
            }
            let description = match official {
                Some(o) if input.rect.is_none() => {
                    format!("page {page}, seal {rect:?} over the left third of the signature at {o:?}")
                }
                _ => format!("page {page}, seal {rect:?}"),
            };
            Ok(Placement { page, appearance, extra_widgets: extra, description })
        }
        Role::Appendix | Role::Copy => {
            let mut lines = Vec::new();
            if input.role == Role::Appendix {
                lines.push(input.number.clone().ok_or(PresetError::Missing("--number"))?);
            } else {
                lines.push(input.copy_form.clone().unwrap_or_else(|| "Bản sao điện tử".into()));
                lines.push(input.organization.clone().ok_or(PresetError::Missing("--org"))?);
            }
            lines.push(time);
            let rect = input.rect.unwrap_or_else(|| text_rect_top_right(&lines, &mbox, 10.0));
            let appearance = text_appearance(&lines, rect, 10.0)?;
            Ok(Placement {
                page,
                appearance,
                extra_widgets: Vec::new(),
                description: format!("page {page}, top right {rect:?}"),
            })
        }
    }
}

fn clamp(r: [f64; 4], page: &[f64; 4]) -> [f64; 4] {
    let (w, h) = (r[2] - r[0], r[3] - r[1]);
    let x1 = r[0].clamp(page[0], page[2] - w);
    let y1 = r[1].clamp(page[1], page[3] - h);
    [x1, y1, x1 + w, y1 + h]
}
