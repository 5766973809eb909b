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
    /// Page 1 has no blank number line ("Số: …/QĐ-…") or date line
    /// ("…, ngày … tháng … năm …"): the caller asks where it goes
    /// (`--number-rect`, `--date-rect`, a click).
    #[error("the {0} line with a blank was not found on page 1: give its rectangle")]
    BlankNotFound(&'static str),
    /// The number's symbol is not the one printed after the blank.
    #[error("the number {given:?} does not end with the printed symbol {printed:?}")]
    SymbolMismatch {
        /// The number given.
        given: String,
        /// The symbol printed on page 1.
        printed: String,
    },
    /// The date could not be read (YYYY-MM-DD, DD/MM/YYYY, or "ngày D tháng M năm Y").
    #[error("the date {0:?} is not a date (YYYY-MM-DD, DD/MM/YYYY or \"ngày D tháng M năm Y\")")]
    BadDate(String),
    /// The year printed on the date line differs from the date's.
    #[error("the date's year {given} differs from the year {printed} printed on the date line")]
    YearMismatch {
        /// The date's year.
        given: i32,
        /// The printed year.
        printed: i32,
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
    /// The texts written (the issuer's number and date), where.
    pub written: Vec<Written>,
}

/// A text a preset writes into the document (the issuer's number and
/// date), for the report and the preview.
#[derive(Clone, Debug, PartialEq)]
pub struct Written {
    /// `number`, `day`, `month`, `year`, or `date` (a whole date line in a
    /// rectangle given by hand).
    pub what: &'static str,
    /// Page (1-based).
    pub page: usize,
    /// The widget's rectangle `[x1 y1 x2 y2]` in points.
    pub rect: [f64; 4],
    /// The text written.
    pub text: String,
    /// Its size in points.
    pub size: f64,
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

/// Rectangles of the visible signature widgets already on a page (empty
/// signature fields' included: the room they take is taken).
pub fn signature_widgets(reader: &PdfReader, page_num: u32) -> Result<Vec<[f64; 4]>, PdfError> {
    sig_widgets(reader, page_num, false)
}

/// Rectangles of the visible widgets of signed signature fields on a page:
/// where officials signed (the seal goes over the last one, NĐ 30/2020
/// Phụ lục I), an empty placeholder field left out.
pub fn signed_signature_widgets(reader: &PdfReader, page_num: u32) -> Result<Vec<[f64; 4]>, PdfError> {
    sig_widgets(reader, page_num, true)
}

fn sig_widgets(reader: &PdfReader, page_num: u32, signed_only: bool) -> Result<Vec<[f64; 4]>, PdfError> {
    let page = reader.get(page_num)?;
    let Some(annots) = page.as_dict().and_then(|d| d.get("Annots")) else { return Ok(Vec::new()) };
    let Object::Array(annots) = reader.resolve(annots)? else { return Ok(Vec::new()) };
    let kids = signature_kids(reader)?;
    let mut out = Vec::new();
    for a in annots.iter().take(10_000) {
        let listed = match a {
            Object::Ref(n, _) => kids.get(n).copied(),
            _ => None,
        };
        let a = reader.resolve(a)?;
        let Some(d) = a.as_dict() else { continue };
        if d.get("Subtype").and_then(Object::as_name) != Some(b"Widget") {
            continue;
        }
        let is_sig_dict = |x: &crate::object::Dict| x.get("FT").and_then(Object::as_name) == Some(b"Sig");
        // (is a signature widget, its field is signed); the /Parent is read
        // only for a widget no field lists.
        let (is_sig, signed) = match listed {
            Some(signed) => (true, signed),
            None if is_sig_dict(d) => (true, d.get("V").is_some()),
            None => match d.get("Parent").and_then(|p| reader.resolve(p).ok()) {
                Some(Object::Dict(p)) if is_sig_dict(&p) => (true, p.get("V").is_some()),
                _ => (false, false),
            },
        };
        if !is_sig || (signed_only && !signed) {
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

/// The widgets listed in the /Kids of signature fields (ISO 32000-2
/// §12.7.4.1: a kid without /T is a widget of the field), whether or not
/// they carry a /Parent (the clerk's number and date do not; see
/// `sign.rs`), each with whether its field is signed (/V): the verifier's
/// walk of the form.
fn signature_kids(reader: &PdfReader) -> Result<std::collections::HashMap<u32, bool>, PdfError> {
    let mut out = std::collections::HashMap::new();
    for f in crate::verify::signature_fields(reader)? {
        let signed = f.value.as_ref().is_some_and(|v| !matches!(v, Object::Null));
        out.extend(f.widgets.into_iter().map(|w| (w, signed)));
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
    let runs = crate::text::lines(&crate::text::page_text(reader, page_num).unwrap_or_default());
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
    if let Some(b) = crate::text::signature_block(&runs, mbox[2] - mbox[0]) {
        let occupied = crate::blanks::occupied_on(reader, page_num)?;
        let over = |o: &[f64; 4]| b[0] < o[2] - 0.5 && o[0] < b[2] - 0.5 && b[1] < o[3] - 0.5 && o[1] < b[3] - 0.5;
        if !occupied.iter().any(over) {
            return Ok(b);
        }
    }
    // No block (or one whose box would cover something): the freest place
    // of the foot of the page, never over what the page shows; the usual
    // place only when nothing is free.
    Ok(crate::blanks::free_area_on(reader, page_num, 160.0, 66.0)?.unwrap_or_else(|| auto_block(mbox)))
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
                written: Vec::new(),
            })
        }
        Role::Issuer => {
            let png = Png::decode(input.seal.as_deref().ok_or(PresetError::Missing("--seal"))?)?;
            let size = input.seal_mm * PT_PER_MM;
            let official = signed_signature_widgets(reader, page_num)?.last().copied();
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
            let (extra, written) = clerk_texts(reader, pages[0], input)?;
            let description = match official {
                Some(o) if input.rect.is_none() => {
                    format!("page {page}, seal {rect:?} over the left third of the signature at {o:?}")
                }
                _ => format!("page {page}, seal {rect:?}"),
            };
            let description = written
                .iter()
                .fold(description, |d, w| format!("{d}; {} {:?} on page {} at {:?}", w.what, w.text, w.page, w.rect));
            Ok(Placement { page, appearance, extra_widgets: extra, description, written })
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
                written: Vec::new(),
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

/// An appearance on a page (1-based).
type PageAppearance = (usize, Appearance);

/// How a text sits in its box.
#[derive(Clone, Copy)]
enum Align {
    Left,
    Centre,
    Right,
}

/// One line of `text` in `rect` on the printed `baseline` at `size`
/// (shrunk to fit the box's width when longer).
fn text_in_box(
    text: &str,
    rect: [f64; 4],
    baseline: f64,
    size: f64,
    align: Align,
) -> Result<(Appearance, f64), AppearanceError> {
    let (w, h) = (rect[2] - rect[0], rect[3] - rect[1]);
    let mut size = size;
    let mut tw = Builder::text_width(text, size);
    if tw > w && tw > 0.0 {
        size *= w / tw;
        tw = w;
    }
    let x = match align {
        Align::Left => 0.0,
        Align::Centre => (w - tw) / 2.0,
        Align::Right => w - tw,
    };
    let y = (baseline - rect[1]).clamp(0.0, h.max(0.0));
    let ap = Builder::new(w, h).text(TextLine { text: text.to_owned(), x, y, size }).build(rect)?;
    Ok((ap, size))
}

/// The number without a leading "Số:" label.
/// Whether a typed symbol is the printed one: spaces, letter case and the
/// dash a word processor chose (hyphen, en or em dash, minus) aside.
fn same_symbol(typed: &str, printed: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| if matches!(c, '\u{2010}'..='\u{2015}' | '\u{2212}') { '-' } else { c })
            .flat_map(char::to_uppercase)
            .collect()
    };
    norm(typed) == norm(printed)
}

fn strip_label(n: &str) -> &str {
    let t = n.trim();
    for label in ["Số:", "SỐ:", "số:", "Số :", "SỐ :"] {
        if let Some(rest) = t.strip_prefix(label) {
            return rest.trim();
        }
    }
    t
}

/// A calendar date from `YYYY-MM-DD`, `DD/MM/YYYY` (or with dashes or
/// dots), or a date line "… ngày D tháng M năm Y".
pub fn parse_date(s: &str) -> Option<time::Date> {
    let t = s.trim();
    let nums: Vec<i64> =
        t.split(|c: char| !c.is_ascii_digit()).filter(|p| !p.is_empty()).map(|p| p.parse().unwrap_or(-1)).collect();
    let (d, m, y) = match nums.as_slice() {
        [y, m, d] if t.len() >= 8 && t.chars().take(4).all(|c| c.is_ascii_digit()) => (*d, *m, *y),
        [d, m, y] => (*d, *m, *y),
        _ => return None,
    };
    let month = time::Month::try_from(u8::try_from(m).ok()?).ok()?;
    time::Date::from_calendar_date(i32::try_from(y).ok()?, month, u8::try_from(d).ok()?).ok()
}

/// Day and month as NĐ 30/2020 Phụ lục I (part II, ô số 4) writes them:
/// a day below 10 and the months 1 and 2 take a leading zero.
pub fn nd30_day_month(date: time::Date) -> (String, String) {
    let m = u8::from(date.month());
    let month = if m <= 2 { format!("{m:02}") } else { m.to_string() };
    (format!("{:02}", date.day()), month)
}

/// The issuer's number and date (NĐ 30/2020 Art. 15(3)): written into the
/// blanks of page 1 (`blanks`), or into the rectangles given, in the
/// printed line's size on its baseline. Each is a widget of the clerk's
/// one signature field (ISO 32000-2 §12.7.4, §12.7.5.5).
fn clerk_texts(
    reader: &PdfReader,
    first_num: u32,
    input: &PresetInput,
) -> Result<(Vec<PageAppearance>, Vec<Written>), PresetError> {
    let mut extra = Vec::new();
    let mut written = Vec::new();
    if input.number.is_none() && input.date.is_none() {
        return Ok((extra, written));
    }
    let first = page_box(reader, first_num)?;
    let content = crate::text::page_content(reader, first_num)?;
    let blanks = crate::blanks::blanks_in(&content);
    let check = |r: &[f64; 4]| if inside(r, &first) { Ok(()) } else { Err(PresetError::RectOffPage) };
    let mut put = |what: &'static str, text: String, rect: [f64; 4], baseline: f64, size: f64, align: Align| {
        let (ap, size) = text_in_box(&text, rect, baseline, size, align)?;
        extra.push((1, ap));
        written.push(Written { what, page: 1, rect, text, size });
        Ok::<(), PresetError>(())
    };
    if let Some(n) = &input.number {
        let n = strip_label(n);
        match (&blanks.number, input.number_rect) {
            (Some(nb), rect) => {
                // The symbol is printed: only the number goes in the blank,
                // right against the slash.
                let text = match n.find('/') {
                    Some(at) if same_symbol(&n[at..], &nb.symbol) => n[..at].trim().to_owned(),
                    Some(_) => {
                        return Err(PresetError::SymbolMismatch { given: n.to_owned(), printed: nb.symbol.clone() });
                    }
                    None => n.to_owned(),
                };
                let r = rect.unwrap_or(nb.blank.rect);
                check(&r)?;
                let baseline = if r[1] <= nb.blank.baseline && nb.blank.baseline <= r[3] {
                    nb.blank.baseline
                } else {
                    r[1] + 0.22 * nb.blank.size
                };
                put("number", text, r, baseline, nb.blank.size, Align::Right)?;
            }
            (None, Some(r)) => {
                check(&r)?;
                let size = 13.0f64.min((r[3] - r[1]) / 1.1);
                put("number", format!("Số: {n}"), r, r[1] + 0.22 * size, size, Align::Left)?;
            }
            (None, None) => return Err(PresetError::BlankNotFound("number")),
        }
    }
    if let Some(d) = &input.date {
        let parsed = parse_date(d);
        match (&blanks.date, input.date_rect) {
            (Some(db), None) => {
                let date = parsed.ok_or_else(|| PresetError::BadDate(d.clone()))?;
                if let Some(y) = db.printed_year
                    && y != date.year()
                {
                    return Err(PresetError::YearMismatch { given: date.year(), printed: y });
                }
                let (day, month) = nd30_day_month(date);
                put("day", day, db.day.rect, db.day.baseline, db.day.size, Align::Centre)?;
                put("month", month, db.month.rect, db.month.baseline, db.month.size, Align::Centre)?;
                if let Some(yb) = &db.year {
                    let year = date.year().to_string();
                    // After a printed century ("năm 20…") only the rest.
                    let text = match &db.year_prefix {
                        Some(p) => match year.strip_prefix(p.as_str()) {
                            Some(rest) => rest.to_owned(),
                            None => {
                                let printed = p.parse::<i32>().unwrap_or_default() * 100;
                                return Err(PresetError::YearMismatch { given: date.year(), printed });
                            }
                        },
                        None => year,
                    };
                    put("year", text, yb.rect, yb.baseline, yb.size, Align::Left)?;
                }
            }
            (_, Some(r)) => {
                check(&r)?;
                // A bare date becomes the line's date part; a whole line
                // ("Điện Biên, ngày 05 tháng 3 năm 2026") is written as given.
                let text = match parsed {
                    Some(date) if !d.chars().any(char::is_alphabetic) => {
                        let (day, month) = nd30_day_month(date);
                        format!("ngày {day} tháng {month} năm {}", date.year())
                    }
                    _ => d.clone(),
                };
                let size = blanks.date.as_ref().map_or(13.0f64, |b| b.day.size).min((r[3] - r[1]) / 1.1);
                put("date", text, r, r[1] + 0.22 * size, size, Align::Left)?;
            }
            (None, None) => return Err(PresetError::BlankNotFound("date")),
        }
    }
    Ok((extra, written))
}

#[cfg(test)]
mod tests {
    use super::same_symbol;

    #[test]
    fn a_typed_symbol_matches_the_printed_one_whatever_the_dash() {
        assert!(same_symbol("/QĐ-UBND", "/QĐ–UBND"));
        assert!(same_symbol("/2026/qđ-ubnd ", "/2026/QĐ-UBND"));
        assert!(same_symbol("/ KH - UBND", "/KH‑UBND"));
        assert!(!same_symbol("/QĐ-UBND", "/KH-UBND"));
        assert!(!same_symbol("/QĐ-UBND", "/2026/QĐ-UBND"));
    }
}
