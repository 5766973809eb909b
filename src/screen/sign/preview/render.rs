//! Drawing the preview (off the UI thread): the pages the look goes on,
//! the boxes the role's preset proposes, what each page already shows.

use kyso_pdf::PdfReader;
use kyso_pdf::presets::{PresetError, PresetInput};

use super::{DISPLAY_W, PageView, Part, Preview, PreviewRequest, RENDER_H, RENDER_SCALE};
use crate::i18n::{Text, preset_error_message};
use crate::screen::sign::role::preset_spec;
use iced::widget::image;

fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// The boxes of a prepared look: the main widget, and the clerk's number
/// and date on page 1 (the day, month and year blanks each a box of the
/// date part, moved together).
fn parts(placed: &kyso_pdf::presets::Placement) -> Vec<(Part, usize, [f64; 4])> {
    let mut out = vec![(Part::Main, placed.page, placed.appearance.rect)];
    for w in &placed.written {
        let part = if w.what == "number" { Part::Number } else { Part::Date };
        out.push((part, w.page, w.rect));
    }
    out
}

/// A placement error of the preset in words; the clerk's lines are put by
/// a click on the preview rather than by the CLI's rectangles.
pub fn preset_text(e: &PresetError) -> Text {
    match e {
        PresetError::BlankNotFound("number") => Text::new("gui-blank-number"),
        PresetError::BlankNotFound(_) => Text::new("gui-blank-date"),
        PresetError::SymbolMismatch { given, printed } => {
            Text::new("err-number-symbol").arg("given", given.clone()).arg("printed", printed.clone())
        }
        PresetError::BadDate(d) => Text::new("err-bad-date").arg("date", d.clone()),
        PresetError::YearMismatch { given, printed } => {
            Text::new("err-date-year").arg("given", given.to_string()).arg("printed", printed.to_string())
        }
        other => preset_error_message(other),
    }
}

/// Prepares the preset for the preview: a clerk's line that page 1 has no
/// blank for is left out (and listed, to be put by a click), and a date
/// standing in for one not typed yet takes the year printed on the line.
fn prepare(
    reader: &PdfReader,
    mut spec: PresetInput,
    date_typed: bool,
) -> (Result<kyso_pdf::presets::Placement, PresetError>, Vec<Part>) {
    let mut missing = Vec::new();
    for _ in 0..4 {
        match kyso_pdf::presets::prepare(reader, &spec) {
            Err(PresetError::BlankNotFound("number")) if spec.number.is_some() && spec.number_rect.is_none() => {
                spec.number = None;
                missing.push(Part::Number);
            }
            Err(PresetError::BlankNotFound(_)) if spec.date.is_some() && spec.date_rect.is_none() => {
                spec.date = None;
                missing.push(Part::Date);
            }
            Err(PresetError::YearMismatch { printed, .. }) if !date_typed => {
                let day = spec.date.as_deref().and_then(|d| d.get(..6)).unwrap_or("01/01/").to_owned();
                spec.date = Some(format!("{day}{printed}"));
            }
            other => return (other, missing),
        }
    }
    (kyso_pdf::presets::prepare(reader, &spec), missing)
}

/// What page `page` shows (text, pictures, drawings, annotations): the
/// boxes a box moved by hand must not cover (kyso-pdf's reading of the
/// page's content, ISO 32000-2 §9.4, §8.9, §12.5).
fn occupied(reader: &PdfReader, page: usize) -> Vec<[f64; 4]> {
    kyso_pdf::blanks::occupied(reader, page).unwrap_or_default()
}

/// Renders the preview of a request (blocking: run it off the UI thread):
/// the pages the look goes on (or the page asked for), the boxes the
/// role's preset proposes, and the signatures already there.
pub fn render_preview(req: &PreviewRequest) -> Result<Box<Preview>, Text> {
    let io = |e: std::io::Error| {
        Text::new("err-io").arg("path", req.path.display().to_string()).arg("detail", e.to_string())
    };
    let malformed = |e: kyso_pdf::PdfError| Text::new("err-pdf-malformed").arg("detail", e.to_string());
    let bytes = std::fs::read(&req.path).map_err(io)?;
    let reader = PdfReader::open(&req.path).map_err(malformed)?;
    let pages = reader.pages().map_err(malformed)?;
    let (auto, auto_error, missing) = match preset_spec(req.role, &req.inputs, now_secs(), true) {
        Ok(Some(spec)) => match prepare(&reader, spec, req.inputs.date.is_some()) {
            (Ok(p), missing) => (parts(&p), None, missing),
            (Err(e), missing) => (Vec::new(), Some(preset_text(&e)), missing),
        },
        Ok(None) => (Vec::new(), None, Vec::new()),
        Err(e) => (Vec::new(), Some(e), Vec::new()),
    };
    let mut shown: Vec<usize> = match req.page {
        Some(p) => vec![p],
        None => auto.iter().map(|(_, p, _)| *p).collect(),
    };
    if shown.is_empty() || (req.page.is_none() && !missing.is_empty()) {
        // No proposal, or a clerk's line to put by hand: page 1.
        shown.push(1);
    }
    shown.sort_unstable();
    shown.dedup();
    let mut views = Vec::new();
    for page in shown.into_iter().map(|p| p.clamp(1, pages.len().max(1))) {
        let page_num = *pages.get(page - 1).ok_or_else(|| Text::new("err-pdf-malformed").arg("detail", "no page"))?;
        // A box placed by hand stays where the page is shown (inside the CropBox).
        let bounds = kyso_pdf::presets::visible_box(&reader, page_num).map_err(malformed)?;
        let existing = kyso_pdf::presets::signature_widgets(&reader, page_num).unwrap_or_default();
        let w = (DISPLAY_W * RENDER_SCALE) as u32;
        let mut image = kyso_preview::render_page(&bytes, page, w, RENDER_H)
            .map_err(|e| Text::new("gui-preview-failed").arg("detail", e.to_string()))?;
        let handle = image::Handle::from_rgba(image.width, image.height, std::mem::take(&mut image.rgba));
        views.push(PageView { image, handle, bounds, existing, occupied: occupied(&reader, page) });
    }
    Ok(Box::new(Preview { path: req.path.clone(), pages: pages.len(), views, auto, auto_error, missing }))
}
