//! The page preview: the pages the look goes on, with a box for each of its
//! parts (the signature or seal, and for the clerk the number and the date
//! on page 1), at a readable size with zoom. A box is dragged to move it; a
//! press elsewhere puts the part chosen in the "move" row there (ISO
//! 32000-2 §12.5.2 /Rect, user space). A box over the page's text or
//! pictures is drawn in the warning colour with a line saying so.
//! Rendering runs in the background ([`render_preview`]).

use std::path::PathBuf;

use iced::widget::{button, column, image, row, scrollable, text};
use iced::{Element, Fill, Point};
use kyso_i18n::Translator;

use super::role::{RoleChoice, RoleInputs};
use crate::font::BOLD;
use crate::i18n::Text;
use crate::theme::{self, Mark};
use crate::widget::page_preview::{Overlay, page_preview};

#[cfg(test)]
mod probe;
mod render;

pub use render::{preset_text, render_preview};

/// The widget id of the picture of the page the signature (or seal) goes
/// on (tests press on it).
pub const PREVIEW_ID: &str = "kyso-preview-page";

/// Width of the page picture at zoom 100 %, in screen pixels.
const DISPLAY_W: f32 = 400.0;
/// The picture is rendered this many times larger than shown at 100 %, so
/// that zooming in stays sharp.
const RENDER_SCALE: f32 = 2.0;
/// Tallest page picture rendered, in pixels.
const RENDER_H: u32 = 1200;
/// The zoom steps.
const ZOOMS: [f32; 5] = [0.75, 1.0, 1.5, 2.0, 3.0];

/// A part of the look, each with its own box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The signature image, the seal, or the text block of an appendix or
    /// a copy.
    Main,
    /// The clerk's number (page 1).
    Number,
    /// The clerk's date line (page 1).
    Date,
}

impl Part {
    fn key(self, role: RoleChoice) -> &'static str {
        match (self, role) {
            (Self::Number, _) => "gui-preview-part-number",
            (Self::Date, _) => "gui-preview-part-date",
            (Self::Main, RoleChoice::Issuer) => "gui-preview-part-seal",
            (Self::Main, RoleChoice::Approver) => "gui-preview-part-signature",
            (Self::Main, _) => "gui-preview-part-text",
        }
    }

    /// Size of a box placed where no preset proposes one (points).
    fn default_size(self) -> (f64, f64) {
        match self {
            Self::Main => (170.0, 70.0),
            Self::Number => (150.0, 18.0),
            Self::Date => (260.0, 18.0),
        }
    }
}

/// Where the parts go: page and rectangle of each one placed.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Placements {
    /// The signature or seal.
    pub main: Option<(usize, [f64; 4])>,
    /// The number (page 1).
    pub number: Option<[f64; 4]>,
    /// The date line (page 1).
    pub date: Option<[f64; 4]>,
}

impl Placements {
    fn get(&self, part: Part) -> Option<(usize, [f64; 4])> {
        match part {
            Part::Main => self.main,
            Part::Number => self.number.map(|r| (1, r)),
            Part::Date => self.date.map(|r| (1, r)),
        }
    }

    fn set(&mut self, part: Part, page: usize, r: [f64; 4]) {
        match part {
            Part::Main => self.main = Some((page, r)),
            Part::Number => self.number = Some(r),
            Part::Date => self.date = Some(r),
        }
    }

    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// One rendered page.
#[derive(Debug, Clone)]
struct PageView {
    image: kyso_preview::PageImage,
    handle: image::Handle,
    /// The visible page (CropBox within MediaBox) in user space.
    bounds: [f64; 4],
    /// Signature widgets already on the page.
    existing: Vec<[f64; 4]>,
    /// What the page shows (text, pictures, drawings, annotations), in
    /// user space.
    occupied: Vec<[f64; 4]>,
}

/// The rendered pages with the placement the preset proposes.
#[derive(Debug, Clone)]
pub struct Preview {
    path: PathBuf,
    pages: usize,
    views: Vec<PageView>,
    /// The proposed boxes: part, page, rectangle.
    auto: Vec<(Part, usize, [f64; 4])>,
    /// Why no automatic placement could be proposed.
    auto_error: Option<Text>,
    /// The clerk's lines page 1 has no blank for: the clerk shows where.
    missing: Vec<Part>,
}

/// What to preview.
#[derive(Debug, Clone)]
pub struct PreviewRequest {
    /// Request id: results of older requests are ignored.
    pub id: u64,
    /// The PDF.
    pub path: PathBuf,
    /// The page to show; `None`: the pages the preset puts its parts on.
    pub page: Option<usize>,
    /// The role.
    pub role: RoleChoice,
    /// Its inputs (images size the proposed box; a number or date placed
    /// by hand is kept).
    pub inputs: RoleInputs,
}

/// What the preview's widgets emit.
#[derive(Debug, Clone)]
pub enum Message {
    /// A preview arrived (its request id, then the result).
    Ready(u64, Result<Box<Preview>, Text>),
    /// Show another page.
    Page(usize),
    /// The pointer moved over a page picture (its index, unzoomed pixels).
    Hover(usize, Point),
    /// A page picture was pressed: a box under the pointer is dragged;
    /// elsewhere the part chosen to move goes there.
    Press(usize),
    /// The mouse button was released, or the pointer left the page.
    Release,
    /// Back to the automatic placement.
    Reset,
    /// The part a press puts where it is.
    Move(Part),
    /// Another zoom step.
    Zoom(f32),
}

/// What the preview tells the sign screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Render again: this page, or (`None`) the pages of the look.
    Render(Option<usize>),
}

/// A box in pixels of the unzoomed picture: `(x, y, width, height)`.
type PixelBox = (f64, f64, f64, f64);

/// A box being dragged: its part and where it was grabbed (pixels from
/// its centre).
#[derive(Debug, Clone, Copy)]
struct Drag {
    part: Part,
    view: usize,
    grab: (f64, f64),
}

/// The preview's state.
#[derive(Debug)]
pub struct Pane {
    preview: Option<Box<Preview>>,
    id: u64,
    loading: bool,
    error: Option<Text>,
    /// The file the last request was for.
    shown_for: Option<PathBuf>,
    /// The page the user turned to (`None`: the pages of the look).
    page: Option<usize>,
    hover: Option<(usize, Point)>,
    drag: Option<Drag>,
    /// The part a press elsewhere moves.
    moving: Part,
    placements: Placements,
    zoom: f32,
}

impl Default for Pane {
    fn default() -> Self {
        Self {
            preview: None,
            id: 0,
            loading: false,
            error: None,
            shown_for: None,
            page: None,
            hover: None,
            drag: None,
            moving: Part::Main,
            placements: Placements::default(),
            zoom: 1.0,
        }
    }
}

fn overlaps(a: &[f64; 4], b: &[f64; 4]) -> bool {
    a[0].min(a[2]) < b[0].max(b[2])
        && b[0].min(b[2]) < a[0].max(a[2])
        && a[1].min(a[3]) < b[1].max(b[3])
        && b[1].min(b[3]) < a[1].max(a[3])
}

impl Pane {
    /// The file the last request was for.
    pub fn shown_for(&self) -> Option<&PathBuf> {
        self.shown_for.as_ref()
    }

    /// The placements chosen for `target`: they hold for that one PDF only.
    pub fn placements_for(&self, target: Option<&PathBuf>) -> Placements {
        match (&self.preview, target) {
            (Some(p), Some(target)) if p.path == *target => self.placements,
            _ => Placements::default(),
        }
    }

    /// Forgets the placements chosen (another role, another file).
    pub fn reset_placement(&mut self) {
        self.placements = Placements::default();
        self.moving = Part::Main;
    }

    /// Forgets the picture (its file was signed).
    pub fn clear(&mut self) {
        self.reset_placement();
        self.preview = None;
        self.shown_for = None;
        self.page = None;
    }

    /// The request for `target` (the single PDF of a visible role), or
    /// `None` when there is nothing to show; `page`: a page turned to.
    pub fn request(
        &mut self,
        target: Option<PathBuf>,
        page: Option<Option<usize>>,
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
            self.page = None;
            self.reset_placement();
            return None;
        };
        if self.shown_for.as_ref().is_some_and(|p| *p != path) || self.preview.as_ref().is_some_and(|p| p.path != path)
        {
            self.reset_placement();
            self.page = None;
        }
        if let Some(page) = page {
            self.page = page;
        }
        self.id += 1;
        self.loading = true;
        self.shown_for = Some(path.clone());
        // A number or date placed by hand stays (the others are proposed
        // around it, e.g. when page 1 has no blank for it).
        let inputs = RoleInputs { number_rect: self.placements.number, date_rect: self.placements.date, ..inputs };
        Some(PreviewRequest { id: self.id, path, page: self.page, role, inputs })
    }

    /// Handles a message of the preview.
    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Ready(id, result) => {
                if id == self.id {
                    self.loading = false;
                    self.drag = None;
                    match result {
                        Ok(p) => {
                            // A line without a blank is put by a click.
                            if let Some(part) = p.missing.iter().find(|m| self.placements.get(**m).is_none()) {
                                self.moving = *part;
                            }
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
                if self.preview.as_ref().is_some_and(|p| page >= 1 && page <= p.pages) {
                    return Some(Event::Render(Some(page)));
                }
            }
            Message::Hover(view, at) => {
                self.hover = Some((view, at));
                if let Some(d) = self.drag
                    && d.view == view
                {
                    self.place(d.part, view, (f64::from(at.x) - d.grab.0, f64::from(at.y) - d.grab.1));
                }
            }
            Message::Release => {
                // A number or date put by hand where no blank was found:
                // the rest of the look is proposed again around it.
                let placed = self.drag.take().map(|d| d.part);
                if self.preview.as_ref().is_some_and(|p| placed.is_some_and(|part| p.missing.contains(&part))) {
                    return Some(Event::Render(None));
                }
            }
            Message::Press(view) => {
                let (v, at) = self.hover.filter(|(v, _)| *v == view)?;
                let (x, y) = (f64::from(at.x), f64::from(at.y));
                let hit = self
                    .boxes(v)
                    .into_iter()
                    .find(|(_, _, (bx, by, bw, bh))| x >= *bx && x <= bx + bw && y >= *by && y <= by + bh);
                // A box is held where it was grabbed (the date's blanks by
                // the rectangle around them).
                let centre = |part: Part| {
                    let view = self.preview.as_ref()?.views.get(v)?;
                    let (bx, by, bw, bh) = view.image.rect_to_pixels(self.shown(part)?.1);
                    Some((bx + bw / 2.0, by + bh / 2.0))
                };
                let (part, grab) = match hit.and_then(|(part, _, _)| Some((part, centre(part)?))) {
                    Some((part, (cx, cy))) => (part, (x - cx, y - cy)),
                    None => (self.moving, (0.0, 0.0)),
                };
                if self.preview.is_some() && self.place(part, v, (x - grab.0, y - grab.1)) {
                    self.drag = Some(Drag { part, view: v, grab });
                }
            }
            Message::Reset => {
                self.reset_placement();
                return Some(Event::Render(None)).filter(|_| self.page.take().is_some());
            }
            Message::Move(part) => self.moving = part,
            Message::Zoom(z) => self.zoom = z,
        }
        None
    }

    /// Centres `part`'s box on the pixel `(x, y)` of view `v`: it keeps its
    /// size and stays on the page. The number and date go on page 1 only.
    fn place(&mut self, part: Part, v: usize, (x, y): (f64, f64)) -> bool {
        let Some(view) = self.preview.as_ref().and_then(|p| p.views.get(v)) else { return false };
        let page = view.image.page;
        if part != Part::Main && page != 1 {
            return false;
        }
        let (w, h) = part.default_size();
        let size = self.shown(part).map_or([0.0, 0.0, w, h], |(_, r)| r);
        let rect = view.image.place(size, x, y, view.bounds);
        self.placements.set(part, page, rect);
        true
    }

    /// The box of `part`: the placement chosen, else the proposed one.
    /// (The day, month and year blanks of the date count as one box: the
    /// rectangle around them.)
    fn shown(&self, part: Part) -> Option<(usize, [f64; 4])> {
        self.placements.get(part).or_else(|| {
            let p = self.preview.as_ref()?;
            p.auto.iter().filter(|(q, _, _)| *q == part).fold(None, |acc, (_, page, r)| match acc {
                None => Some((*page, *r)),
                Some((pg, d)) => Some((pg, [d[0].min(r[0]), d[1].min(r[1]), d[2].max(r[2]), d[3].max(r[3])])),
            })
        })
    }

    /// The boxes drawn on view `v` (number and date first: they are the
    /// smaller ones, grabbed before a seal under them): part, chosen, and
    /// pixels `(x, y, w, h)` of the unzoomed picture.
    fn boxes(&self, v: usize) -> Vec<(Part, bool, PixelBox)> {
        let Some(view) = self.preview.as_ref().and_then(|p| p.views.get(v)) else { return Vec::new() };
        let page = view.image.page;
        let mut out = Vec::new();
        for part in [Part::Number, Part::Date, Part::Main] {
            match (self.placements.get(part), &self.preview) {
                (Some((pg, r)), _) if pg == page => out.push((part, true, view.image.rect_to_pixels(r))),
                (Some(_), _) | (None, None) => {}
                // Each blank the preset writes into is drawn where it is.
                (None, Some(p)) => out.extend(
                    p.auto
                        .iter()
                        .filter(|(q, pg, _)| *q == part && *pg == page)
                        .map(|(_, _, r)| (part, false, view.image.rect_to_pixels(*r))),
                ),
            }
        }
        out
    }

    /// The parts moved by hand whose box covers what the page shows (the
    /// proposed places are the preset's own). The clerk's seal goes over
    /// the official's signature by design (NĐ 30/2020 Phụ lục I): the
    /// signatures already there do not count for it.
    fn covering(&self, role: RoleChoice) -> Vec<Part> {
        let Some(p) = &self.preview else { return Vec::new() };
        let same = |a: &[f64; 4], b: &[f64; 4]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 0.01);
        [Part::Main, Part::Number, Part::Date]
            .into_iter()
            .filter(|part| {
                let seal = *part == Part::Main && role == RoleChoice::Issuer;
                self.placements.get(*part).is_some_and(|(page, r)| {
                    p.views.iter().filter(|v| v.image.page == page).any(|v| {
                        v.occupied
                            .iter()
                            .filter(|o| !(seal && v.existing.iter().any(|e| same(e, o))))
                            .any(|o| overlaps(o, &r))
                    })
                })
            })
            .collect()
    }

    /// The warnings about boxes moved over the page's content, for the
    /// PIN dialog (the last look before signing).
    pub fn covering_notes(&self, t: &Translator, role: RoleChoice) -> Vec<String> {
        self.covering(role)
            .into_iter()
            .map(|part| t.tr_args("gui-preview-covers", &[("part", &t.tr(part.key(role)))]))
            .collect()
    }

    /// The display scale of view `v` (screen pixels per picture pixel).
    fn scale(&self, v: &PageView) -> f32 {
        self.zoom * DISPLAY_W / v.image.width.max(1) as f32
    }

    /// The widget id of the picture of `page`: [`PREVIEW_ID`] for the page
    /// the signature or seal goes on.
    pub fn picture_id(&self, page: usize) -> String {
        match self.shown(Part::Main) {
            Some((main, _)) if main == page => PREVIEW_ID.to_owned(),
            None if self.preview.as_ref().and_then(|p| p.views.first()).is_some_and(|v| v.image.page == page) => {
                PREVIEW_ID.to_owned()
            }
            _ => format!("{PREVIEW_ID}-{page}"),
        }
    }

    /// The preview column; `many`: several files are chosen (nothing to
    /// show).
    pub fn view<'a>(&'a self, t: &Translator, role: RoleChoice, many: bool) -> Element<'a, Message> {
        let mut col = column![text(t.tr("gui-preview")).font(BOLD)].spacing(6).width(DISPLAY_W + 24.0);
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
        let page = p.views.last().map_or(1, |v| v.image.page);
        let zoom_at = ZOOMS.iter().position(|z| (*z - self.zoom).abs() < 0.01).unwrap_or(1);
        col = col.push(
            row![
                button(text("‹")).on_press_maybe((page > 1).then_some(Message::Page(page.saturating_sub(1)))),
                text(t.tr_args("gui-preview-page", &[("page", &page.to_string()), ("pages", &p.pages.to_string())])),
                button(text("›")).on_press_maybe((page < p.pages).then_some(Message::Page(page + 1))),
                button(text("−")).on_press_maybe(zoom_at.checked_sub(1).map(|i| Message::Zoom(ZOOMS[i]))),
                text(format!("{:.0} %", self.zoom * 100.0)).size(13),
                button(text("+")).on_press_maybe(ZOOMS.get(zoom_at + 1).map(|z| Message::Zoom(*z))),
                button(text(t.tr("gui-preview-auto")).size(13))
                    .style(button::secondary)
                    .on_press_maybe((!self.placements.is_empty() || self.page.is_some()).then_some(Message::Reset)),
            ]
            .spacing(6)
            .align_y(iced::Center)
            .wrap(),
        );
        // The clerk moves the seal, the number or the date: a press puts
        // the one chosen here where it is.
        if role == RoleChoice::Issuer {
            let mut parts = row![text(t.tr("gui-preview-move")).size(13)].spacing(6).align_y(iced::Center);
            for part in [Part::Main, Part::Number, Part::Date] {
                let style = if self.moving == part { button::primary } else { button::secondary };
                parts =
                    parts.push(button(text(t.tr(part.key(role))).size(13)).style(style).on_press(Message::Move(part)));
            }
            col = col.push(parts.wrap());
        }
        let covering = self.covering(role);
        for (i, v) in p.views.iter().enumerate() {
            let mut picture =
                page_preview(v.handle.clone(), (v.image.width, v.image.height), move |at| Message::Hover(i, at))
                    .zoom(self.scale(v))
                    .on_press(Message::Press(i))
                    .on_release(Message::Release)
                    .id(self.picture_id(v.image.page));
            for r in &v.existing {
                picture =
                    picture.overlay(Overlay { rect: v.image.rect_to_pixels(*r), mark: Mark::Existing, label: None });
            }
            for (part, chosen, rect) in self.boxes(i) {
                let mark = match (covering.contains(&part), chosen) {
                    (true, _) => Mark::Overlap,
                    (false, true) => Mark::Chosen,
                    (false, false) => Mark::Proposed,
                };
                let label = (part != Part::Main).then(|| t.tr(part.key(role)));
                picture = picture.overlay(Overlay { rect, mark, label });
            }
            if p.views.len() > 1 {
                col = col.push(text(t.tr_args("gui-preview-page-of", &[("page", &v.image.page.to_string())])).size(13));
            }
            col = col.push(scrollable(picture).direction(scrollable::Direction::Horizontal(Default::default())));
        }
        for part in p.missing.iter().filter(|m| self.placements.get(**m).is_none()) {
            col = col.push(
                text(t.tr_args("gui-preview-blank-missing", &[("part", &t.tr(part.key(role)))]))
                    .size(13)
                    .style(theme::text_warning),
            );
        }
        for part in covering {
            col = col.push(
                text(t.tr_args("gui-preview-covers", &[("part", &t.tr(part.key(role)))]))
                    .size(13)
                    .style(theme::text_warning),
            );
        }
        let main = self.placements.main;
        let auto_main = p.auto.iter().find(|(q, _, _)| *q == Part::Main).map(|(_, pg, _)| *pg);
        let shown = |pg: usize| p.views.iter().any(|v| v.image.page == pg);
        let hint = match (main, auto_main, &p.auto_error) {
            (Some((pg, _)), _, _) if !shown(pg) => t.tr_args("gui-preview-chosen-on", &[("page", &pg.to_string())]),
            (Some(_), _, _) => t.tr("gui-preview-chosen"),
            (None, _, Some(e)) => e.render(t),
            (None, Some(pg), _) if !shown(pg) => t.tr_args("gui-preview-auto-on", &[("page", &pg.to_string())]),
            (None, Some(_), _) => t.tr("gui-preview-proposed"),
            (None, None, None) => t.tr("gui-preview-click"),
        };
        scrollable(
            col.push(text(hint).size(13)).push(text(t.tr("gui-preview-click")).size(12).style(theme::text_muted)),
        )
        .height(Fill)
        .into()
    }
}
