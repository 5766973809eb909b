//! A rendered page with boxes drawn over it (the places a signature, a seal,
//! a number or a date will go), reporting where the pointer is, in picture
//! pixels of the unzoomed page, and when the button is pressed and released.
//! Boxes are given in those pixels too (ISO 32000-2 §12.5.2 `/Rect` in user
//! space, turned into pixels by the page picture's own transform).

use iced::widget::{container, image, mouse_area, pin, stack, text};
use iced::{Element, Point};

use crate::theme::{self, Mark};

/// A box over the page: `(x, y, width, height)` in unzoomed pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlay {
    /// Where, in pixels of the page picture at zoom 1.
    pub rect: (f64, f64, f64, f64),
    /// What it stands for (its colours).
    pub mark: Mark,
    /// A short label drawn in the box (e.g. "Số", "Ngày").
    pub label: Option<String>,
}

/// The page picture and its boxes, at `zoom`.
pub struct PagePreview<'a, M> {
    handle: image::Handle,
    size: (u32, u32),
    zoom: f32,
    overlays: Vec<Overlay>,
    on_move: Box<dyn Fn(Point) -> M + 'a>,
    on_press: Option<M>,
    on_release: Option<M>,
    id: Option<iced::widget::Id>,
}

/// A page picture of `size` pixels (at zoom 1).
pub fn page_preview<'a, M>(
    handle: image::Handle,
    size: (u32, u32),
    on_move: impl Fn(Point) -> M + 'a,
) -> PagePreview<'a, M> {
    PagePreview {
        handle,
        size,
        zoom: 1.0,
        overlays: Vec::new(),
        on_move: Box::new(on_move),
        on_press: None,
        on_release: None,
        id: None,
    }
}

impl<'a, M: Clone + 'a> PagePreview<'a, M> {
    /// Draws the page `zoom` times larger (clamped to 0.25–4).
    pub fn zoom(mut self, zoom: f32) -> Self {
        self.zoom = zoom.clamp(0.25, 4.0);
        self
    }

    /// Adds a box.
    pub fn overlay(mut self, o: Overlay) -> Self {
        self.overlays.push(o);
        self
    }

    /// The message of a button press on the page.
    pub fn on_press(mut self, m: M) -> Self {
        self.on_press = Some(m);
        self
    }

    /// The message of a button release, or of the pointer leaving the page.
    pub fn on_release(mut self, m: M) -> Self {
        self.on_release = Some(m);
        self
    }

    /// The widget id of the picture (tests find it by this id).
    pub fn id(mut self, id: impl Into<iced::widget::Id>) -> Self {
        self.id = Some(id.into());
        self
    }
}

impl<'a, M: Clone + 'a> From<PagePreview<'a, M>> for Element<'a, M> {
    fn from(p: PagePreview<'a, M>) -> Self {
        let z = p.zoom;
        let (w, h) = (p.size.0 as f32 * z, p.size.1 as f32 * z);
        let mut layers = stack![image(p.handle).width(w).height(h)].width(w).height(h);
        for o in p.overlays {
            let (x, y, bw, bh) = o.rect;
            let m = o.mark;
            // A label only where the box has room for it.
            let size = (bh as f32 * z * 0.7).min(11.0 * z.max(1.0));
            let label = text(o.label.filter(|_| size >= 8.0).unwrap_or_default()).size(size.max(1.0));
            layers = layers.push(
                pin(container(label)
                    .width(bw as f32 * z)
                    .height(bh as f32 * z)
                    .padding(2)
                    .style(move |th| theme::mark(th, m)))
                .x(x as f32 * z)
                .y(y as f32 * z),
            );
        }
        let on_move = p.on_move;
        let mut area = mouse_area(layers)
            .on_move(move |at| on_move(Point::new(at.x / z, at.y / z)))
            .interaction(iced::mouse::Interaction::Crosshair);
        if let Some(m) = p.on_press {
            area = area.on_press(m);
        }
        if let Some(m) = p.on_release {
            area = area.on_release(m.clone()).on_exit(m);
        }
        let mut frame = container(area).style(container::bordered_box);
        if let Some(id) = p.id {
            frame = frame.id(id);
        }
        frame.into()
    }
}
