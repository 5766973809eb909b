//! The page preview: the page the signature goes on, the box the role's
//! preset proposes, the signatures already there; a press moves the box and
//! it follows the pointer until released (ISO 32000-2 §12.5.2 /Rect, user
//! space). Rendering runs in the background ([`render_preview`]).

use std::path::PathBuf;

use iced::widget::{button, column, image, row, scrollable, text};
use iced::{Element, Fill, Point};
use kyso_i18n::Translator;
use kyso_pdf::PdfReader;

use super::role::{RoleChoice, RoleInputs, preset_spec};
use crate::font::BOLD;
use crate::i18n::{Text, preset_error_message};
use crate::theme::{self, Mark};
use crate::widget::page_preview::{Overlay, page_preview};

/// The widget id of the page picture (tests click on it).
pub const PREVIEW_ID: &str = "kyso-preview-page";

/// Largest preview picture, in pixels.
const PREVIEW_W: u32 = 360;
const PREVIEW_H: u32 = 400;

/// Size of a box placed where no preset proposes one (points).
const DEFAULT_BOX: (f64, f64) = (170.0, 70.0);

/// A rendered page with the placement the preset proposes.
#[derive(Debug, Clone)]
pub struct Preview {
    path: PathBuf,
    image: kyso_preview::PageImage,
    handle: image::Handle,
    /// The visible page (CropBox within MediaBox) in user space.
    bounds: [f64; 4],
    /// The automatic placement: page and rectangle.
    auto: Option<(usize, [f64; 4])>,
    /// Why no automatic placement could be proposed.
    auto_error: Option<Text>,
    /// Signature widgets already on the page shown.
    existing: Vec<[f64; 4]>,
}

/// What to preview.
#[derive(Debug, Clone)]
pub struct PreviewRequest {
    /// Request id: results of older requests are ignored.
    pub id: u64,
    /// The PDF.
    pub path: PathBuf,
    /// The page to show; `None`: the page the preset picks.
    pub page: Option<usize>,
    /// The role.
    pub role: RoleChoice,
    /// Its inputs (images size the proposed box).
    pub inputs: RoleInputs,
}

/// What the preview's widgets emit.
#[derive(Debug, Clone)]
pub enum Message {
    /// A preview arrived (its request id, then the result).
    Ready(u64, Result<Box<Preview>, Text>),
    /// Show another page.
    Page(usize),
    /// The pointer moved over the page (picture pixels).
    Hover(Point),
    /// The page was pressed: the signature goes there, and follows the
    /// pointer until released (drag).
    Press,
    /// The mouse button was released, or the pointer left the page.
    Release,
    /// Back to the automatic placement.
    Reset,
}

/// What the preview tells the sign screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Render this page of the same file.
    Page(usize),
}

/// The preview's state.
#[derive(Debug, Default)]
pub struct Pane {
    preview: Option<Box<Preview>>,
    id: u64,
    loading: bool,
    error: Option<Text>,
    /// The file the last request was for.
    shown_for: Option<PathBuf>,
    hover: Option<Point>,
    /// The box follows the pointer (button held on the page).
    dragging: bool,
    /// A placement chosen on the page.
    placement: Option<(usize, [f64; 4])>,
}

impl Pane {
    /// The file the last request was for.
    pub fn shown_for(&self) -> Option<&PathBuf> {
        self.shown_for.as_ref()
    }

    /// The placement chosen on the preview.
    #[cfg(test)]
    pub fn placement(&self) -> Option<(usize, [f64; 4])> {
        self.placement
    }

    /// The placement chosen for `target`: it holds for that one PDF only.
    pub fn placement_for(&self, target: Option<&PathBuf>) -> Option<(usize, [f64; 4])> {
        match (&self.preview, target) {
            (Some(p), Some(target)) if p.path == *target => self.placement,
            _ => None,
        }
    }

    /// Forgets the placement chosen (another role, another file).
    pub fn reset_placement(&mut self) {
        self.placement = None;
    }

    /// Forgets the picture (its file was signed).
    pub fn clear(&mut self) {
        self.placement = None;
        self.preview = None;
        self.shown_for = None;
    }

    /// The request for `target` (the single PDF of a visible role), or
    /// `None` when there is nothing to show.
    pub fn request(
        &mut self,
        target: Option<PathBuf>,
        page: Option<usize>,
        role: RoleChoice,
        inputs: RoleInputs,
    ) -> Option<PreviewRequest> {
        let Some(path) = target else {
            // A late picture of an earlier file is ignored.
            self.id += 1;
            self.shown_for = None;
            self.loading = false;
            self.preview = None;
            self.error = None;
            self.placement = None;
            return None;
        };
        if self.preview.as_ref().is_some_and(|p| p.path != path) {
            self.placement = None;
        }
        self.id += 1;
        self.loading = true;
        self.shown_for = Some(path.clone());
        let page = page.or_else(|| self.preview.as_ref().filter(|p| p.path == path).map(|p| p.image.page));
        Some(PreviewRequest { id: self.id, path, page, role, inputs })
    }

    /// Handles a message of the preview.
    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Ready(id, result) => {
                if id == self.id {
                    self.loading = false;
                    match result {
                        Ok(p) => {
                            self.preview = Some(p);
                            self.error = None;
                        }
                        Err(e) => {
                            self.preview = None;
                            self.error = Some(e);
                        }
                    }
                }
            }
            Message::Page(page) => {
                if self.preview.as_ref().is_some_and(|p| page >= 1 && page <= p.image.pages) {
                    return Some(Event::Page(page));
                }
            }
            Message::Hover(p) => {
                self.hover = Some(p);
                if self.dragging {
                    self.place_at_pointer();
                }
            }
            Message::Release => self.dragging = false,
            Message::Press => {
                self.dragging = self.preview.is_some();
                self.place_at_pointer();
            }
            Message::Reset => self.placement = None,
        }
        None
    }

    /// Centres the box on the pointer: it keeps the proposed size (or the
    /// one already placed) and stays on the page.
    fn place_at_pointer(&mut self) {
        if let (Some(p), Some(at)) = (&self.preview, self.hover) {
            let size = self.placement.map(|(_, r)| r).or(p.auto.map(|(_, r)| r)).unwrap_or([
                0.0,
                0.0,
                DEFAULT_BOX.0,
                DEFAULT_BOX.1,
            ]);
            let rect = p.image.place(size, f64::from(at.x), f64::from(at.y), p.bounds);
            self.placement = Some((p.image.page, rect));
        }
    }

    /// The box drawn on the page shown: the placement chosen, else the
    /// automatic one (with `true` when chosen).
    fn shown_box(&self, p: &Preview) -> Option<(bool, [f64; 4])> {
        match self.placement {
            Some((page, r)) if page == p.image.page => Some((true, r)),
            Some(_) => None,
            None => p.auto.filter(|(page, _)| *page == p.image.page).map(|(_, r)| (false, r)),
        }
    }

    /// The page shown in the preview, and the pixel centre of the box drawn.
    #[cfg(test)]
    pub fn box_centre(&self) -> Option<(usize, f64, f64)> {
        let p = self.preview.as_ref()?;
        let (_, rect) = self.shown_box(p)?;
        let (x, y, w, h) = p.image.rect_to_pixels(rect);
        Some((p.image.page, x + w / 2.0, y + h / 2.0))
    }

    /// The preview column; `many`: several files are chosen (nothing to
    /// show).
    pub fn view<'a>(&'a self, t: &Translator, many: bool) -> Element<'a, Message> {
        let mut col = column![text(t.tr("gui-preview")).font(BOLD)].spacing(6).width(PREVIEW_W as f32 + 24.0);
        let Some(p) = &self.preview else {
            let note = if self.loading {
                t.tr("gui-preview-loading")
            } else if let Some(e) = &self.error {
                e.render(t)
            } else if many {
                t.tr("gui-preview-many")
            } else {
                t.tr("gui-preview-none")
            };
            return col.push(text(note).size(13)).into();
        };
        let page = p.image.page;
        col = col.push(
            row![
                button(text("‹")).on_press_maybe((page > 1).then_some(Message::Page(page.saturating_sub(1)))),
                text(t.tr_args(
                    "gui-preview-page",
                    &[("page", &page.to_string()), ("pages", &p.image.pages.to_string())]
                )),
                button(text("›")).on_press_maybe((page < p.image.pages).then_some(Message::Page(page + 1))),
                button(text(t.tr("gui-preview-auto")).size(13))
                    .style(button::secondary)
                    .on_press_maybe(self.placement.is_some().then_some(Message::Reset)),
            ]
            .spacing(8)
            .align_y(iced::Center),
        );
        let overlay = |rect: [f64; 4], mark: Mark| Overlay { rect: p.image.rect_to_pixels(rect), mark, label: None };
        let mut picture = page_preview(p.handle.clone(), (p.image.width, p.image.height), Message::Hover)
            .on_press(Message::Press)
            .on_release(Message::Release)
            .id(PREVIEW_ID);
        for r in &p.existing {
            picture = picture.overlay(overlay(*r, Mark::Existing));
        }
        if let Some((chosen, r)) = self.shown_box(p) {
            picture = picture.overlay(overlay(r, if chosen { Mark::Chosen } else { Mark::Proposed }));
        }
        col = col.push(picture);
        let hint = match (&self.placement, &p.auto, &p.auto_error) {
            (Some((pg, _)), _, _) if *pg != page => t.tr_args("gui-preview-chosen-on", &[("page", &pg.to_string())]),
            (Some(_), _, _) => t.tr("gui-preview-chosen"),
            (None, Some((pg, _)), _) if *pg != page => t.tr_args("gui-preview-auto-on", &[("page", &pg.to_string())]),
            (None, Some(_), _) => t.tr("gui-preview-proposed"),
            (None, None, Some(e)) => e.render(t),
            (None, None, None) => t.tr("gui-preview-click"),
        };
        scrollable(
            col.push(text(hint).size(13)).push(text(t.tr("gui-preview-click")).size(12).style(theme::text_muted)),
        )
        .height(Fill)
        .into()
    }
}

fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Renders the preview of a request (blocking: run it off the UI thread):
/// the page, the box the role's preset proposes, and the signatures
/// already there.
pub fn render_preview(req: &PreviewRequest) -> Result<Box<Preview>, Text> {
    let io = |e: std::io::Error| {
        Text::new("err-io").arg("path", req.path.display().to_string()).arg("detail", e.to_string())
    };
    let malformed = |e: kyso_pdf::PdfError| Text::new("err-pdf-malformed").arg("detail", e.to_string());
    let bytes = std::fs::read(&req.path).map_err(io)?;
    let reader = PdfReader::open(&req.path).map_err(malformed)?;
    let pages = reader.pages().map_err(malformed)?;
    let (auto, auto_error) = match preset_spec(req.role, &req.inputs, now_secs(), true) {
        Ok(Some(spec)) => match kyso_pdf::presets::prepare(&reader, &spec) {
            Ok(p) => (Some((p.page, p.appearance.rect)), None),
            Err(e) => (None, Some(preset_error_message(&e))),
        },
        Ok(None) => (None, None),
        Err(e) => (None, Some(e)),
    };
    let page = req.page.or(auto.map(|(p, _)| p)).unwrap_or(1).clamp(1, pages.len().max(1));
    let page_num = *pages.get(page - 1).ok_or_else(|| Text::new("err-pdf-malformed").arg("detail", "no page"))?;
    // A box placed by hand stays where the page is shown (inside the CropBox).
    let bounds = kyso_pdf::presets::visible_box(&reader, page_num).map_err(malformed)?;
    let existing = kyso_pdf::presets::signature_widgets(&reader, page_num).unwrap_or_default();
    let mut image = kyso_preview::render_page(&bytes, page, PREVIEW_W, PREVIEW_H)
        .map_err(|e| Text::new("gui-preview-failed").arg("detail", e.to_string()))?;
    let handle = image::Handle::from_rgba(image.width, image.height, std::mem::take(&mut image.rgba));
    Ok(Box::new(Preview { path: req.path.clone(), image, handle, bounds, auto, auto_error, existing }))
}
