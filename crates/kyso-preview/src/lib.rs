//! Page preview for placing a visible signature: renders one page of a PDF
//! to RGBA with hayro (pure Rust, no system library) and converts between
//! the picture's pixels and the page's default user space (ISO 32000-2
//! §8.3.2.3), so that a click on the picture becomes a rectangle `/Rect` can
//! use (§12.5.2) — rotated and cropped pages included (§7.7.3.3 /Rotate,
//! /CropBox).
//!
//! The renderer never decides anything about signatures: it only draws.
//! Encrypted PDFs and pages hayro cannot draw give an error, and the
//! signing screen then falls back to the automatic placement.

pub mod visual;

use hayro::hayro_interpret::InterpreterSettings;
use hayro::hayro_interpret::util::TransformExt;
use hayro::hayro_syntax::Pdf;
use hayro::kurbo::{Affine, Point};
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::{PixmapSettings, RenderCache, RenderSettings};

/// Why a page could not be drawn.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PreviewError {
    /// The bytes are not a PDF hayro can read (or it is encrypted).
    #[error("the file could not be read for preview: {0}")]
    Unreadable(String),
    /// No such page.
    #[error("page {page} does not exist (the document has {pages})")]
    NoSuchPage {
        /// The page asked for (1-based).
        page: usize,
        /// Pages in the document.
        pages: usize,
    },
    /// The page has no area.
    #[error("the page has no area")]
    Empty,
}

/// One rendered page.
#[derive(Clone, PartialEq)]
pub struct PageImage {
    /// The page (1-based).
    pub page: usize,
    /// Pages in the document.
    pub pages: usize,
    /// Picture width in pixels.
    pub width: u32,
    /// Picture height in pixels.
    pub height: u32,
    /// Straight RGBA, row by row from the top (the background is opaque
    /// white, so premultiplied and straight alpha agree).
    pub rgba: Vec<u8>,
    /// User space → pixels.
    to_pixels: [f64; 6],
}

impl std::fmt::Debug for PageImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageImage")
            .field("page", &self.page)
            .field("pages", &self.pages)
            .field("width", &self.width)
            .field("height", &self.height)
            .finish_non_exhaustive()
    }
}

impl PageImage {
    fn affine(&self) -> Affine {
        Affine::new(self.to_pixels)
    }

    /// A point of the page's user space, in pixels of the picture.
    pub fn to_pixels(&self, x: f64, y: f64) -> (f64, f64) {
        let p = self.affine() * Point::new(x, y);
        (p.x, p.y)
    }

    /// A pixel of the picture, in the page's user space.
    pub fn to_user(&self, x: f64, y: f64) -> (f64, f64) {
        let p = self.affine().inverse() * Point::new(x, y);
        (p.x, p.y)
    }

    /// A user-space rectangle `[x1, y1, x2, y2]` as the pixel box
    /// `(left, top, width, height)` that holds it.
    pub fn rect_to_pixels(&self, r: [f64; 4]) -> (f64, f64, f64, f64) {
        let corners = [(r[0], r[1]), (r[2], r[1]), (r[0], r[3]), (r[2], r[3])].map(|(x, y)| self.to_pixels(x, y));
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for (x, y) in corners {
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
        }
        (x0, y0, x1 - x0, y1 - y0)
    }

    /// The user-space rectangle of the same size as `r` centred on the
    /// pixel `(x, y)`, moved inside `bounds` (the page box) when it would
    /// stick out.
    pub fn place(&self, r: [f64; 4], x: f64, y: f64, bounds: [f64; 4]) -> [f64; 4] {
        let (w, h) = ((r[2] - r[0]).abs(), (r[3] - r[1]).abs());
        let (cx, cy) = self.to_user(x, y);
        let clamp = |c: f64, half: f64, lo: f64, hi: f64| {
            if hi - lo <= 2.0 * half { (lo + hi) / 2.0 } else { c.clamp(lo + half, hi - half) }
        };
        let (lo_x, hi_x) = (bounds[0].min(bounds[2]), bounds[0].max(bounds[2]));
        let (lo_y, hi_y) = (bounds[1].min(bounds[3]), bounds[1].max(bounds[3]));
        let cx = clamp(cx, w / 2.0, lo_x, hi_x);
        let cy = clamp(cy, h / 2.0, lo_y, hi_y);
        [cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0]
    }
}

/// The number of pages of `pdf`.
pub fn page_count(pdf: &[u8]) -> Result<usize, PreviewError> {
    Ok(open(pdf)?.pages().len())
}

fn open(pdf: &[u8]) -> Result<Pdf, PreviewError> {
    Pdf::new(pdf.to_vec()).map_err(|e| PreviewError::Unreadable(format!("{e:?}")))
}

/// Renders page `page` (1-based) of `pdf` to fit in `max_w`×`max_h` pixels.
pub fn render_page(pdf: &[u8], page: usize, max_w: u32, max_h: u32) -> Result<PageImage, PreviewError> {
    let doc = open(pdf)?;
    let pages = doc.pages();
    let count = pages.len();
    let p = page.checked_sub(1).and_then(|i| pages.get(i)).ok_or(PreviewError::NoSuchPage { page, pages: count })?;
    let (w, h) = p.render_dimensions();
    if !(w.is_finite() && h.is_finite() && w >= 1.0 && h >= 1.0) {
        return Err(PreviewError::Empty);
    }
    let scale = (max_w.max(1) as f32 / w).min(max_h.max(1) as f32 / h);
    // hayro::render scales user space by `initial_transform` (crop box,
    // rotation, y axis down) and then by the scale factor: the same here.
    let to_pixels = Affine::scale(scale as f64) * p.initial_transform(true).to_kurbo();
    let settings = PixmapSettings { x_scale: scale, y_scale: scale, bg_color: WHITE };
    let cache = RenderCache::new();
    let pixmap = hayro::render(p, &cache, &InterpreterSettings::default(), &RenderSettings::default(), &settings);
    let (width, height) = (u32::from(pixmap.width()), u32::from(pixmap.height()));
    if width == 0 || height == 0 {
        return Err(PreviewError::Empty);
    }
    let rgba = pixmap.data_as_u8_slice().to_vec();
    Ok(PageImage { page, pages: count, width, height, rgba, to_pixels: to_pixels.as_coeffs() })
}
