//! "Xem bản đã ký": what each signer saw beside the document now (issue 21).

use super::*;
use iced::widget::column;

/// How many pages a signature's signed-version view shows at most (those
/// with visible changes first): bounded memory whatever the document.
pub(super) const SIGNED_VIEW_PAGES: usize = 3;

/// The box each page of that view is drawn to fit, in pixels.
pub(super) const SIGNED_VIEW_BOX: (u32, u32) = (420, 594);

/// The signed-version views of a PDF's signatures (issue 21): for each
/// signature, the revision it signed — the bytes up to the end of its byte
/// range (ISO 32000-2 §12.8.1; §7.5.6 incremental updates keep them) —
/// and the document now, drawn with kyso-preview, with the regions the
/// visual comparison found outlined.
pub(super) fn signed_views(path: &Path, report: &PdfReport) -> Vec<SignedView> {
    let Ok(bytes) = std::fs::read(path) else { return Vec::new() };
    report.signatures.iter().map(|s| signed_view_of(&bytes, s)).collect()
}

pub(super) fn signed_view_of(bytes: &[u8], s: &SignatureReport) -> SignedView {
    let end = match s.byte_range.as_slice() {
        [_, _, start, len] => start.checked_add(*len).and_then(|e| usize::try_from(e).ok()),
        _ => None,
    };
    let Some(signed) = end.filter(|_| s.kind == SignatureKind::Signature).and_then(|e| bytes.get(..e)) else {
        return SignedView::default();
    };
    let mut pages: Vec<usize> = s.visual_changes.iter().map(|v| v.page).collect();
    pages.sort_unstable();
    pages.dedup();
    pages.truncate(SIGNED_VIEW_PAGES);
    if pages.is_empty() {
        pages.push(1);
    }
    let draw = |pdf: &[u8], page: usize| -> Option<Picture> {
        let img = kyso_preview::render_page(pdf, page, SIGNED_VIEW_BOX.0, SIGNED_VIEW_BOX.1).ok()?;
        // The comparison's rectangles are (x, y, w, h) in user space.
        let regions = s
            .visual_changes
            .iter()
            .filter(|v| v.page == page)
            .map(|v| {
                let [x, y, w, h] = v.rect;
                (img.rect_to_pixels([x, y, x + w, y + h]), v.explained_by.is_some())
            })
            .collect();
        let size = (img.width, img.height);
        Some(Picture { handle: iced::widget::image::Handle::from_rgba(size.0, size.1, img.rgba), size, regions })
    };
    let pages = pages
        .into_iter()
        .map(|page| PagePair { page, before: draw(signed, page), after: draw(bytes, page) })
        .filter(|p| p.before.is_some() || p.after.is_some())
        .collect();
    SignedView { pages }
}

impl Verify {
    /// The signed-version view of one signature: per page, the signed page
    /// and the page now side by side, or overlaid with a slider, the
    /// regions that differ outlined (red: not explained by an allowed
    /// change; grey: explained).
    pub(super) fn signed_view<'a>(&self, t: &Translator, view: &'a SignedView) -> Element<'a, Message> {
        use crate::theme::Mark;
        use iced::widget::{image, pin, slider, stack};
        let mode = self.signed_mode;
        let blend = self.signed_blend;
        let choice = |key: &str, m: SignedMode| {
            let style = if mode == m { button::primary } else { button::secondary };
            button(text(t.tr(key)).size(13)).style(style).on_press(Message::SignedMode(m))
        };
        let mut col = column![
            row![
                choice("gui-signed-view-side", SignedMode::SideBySide),
                choice("gui-signed-view-overlay", SignedMode::Overlay)
            ]
            .spacing(8),
            text(t.tr("gui-signed-view-legend")).size(13).style(crate::theme::text_muted),
        ]
        .spacing(8);
        if mode == SignedMode::Overlay {
            col = col.push(
                row![
                    text(t.tr("gui-signed-view-before")).size(13),
                    slider(0.0..=1.0, blend, Message::SignedBlend).step(0.05).width(240),
                    text(t.tr("gui-signed-view-after")).size(13),
                ]
                .spacing(8)
                .align_y(iced::Center),
            );
        }
        // A page picture with its regions outlined (theme marks: red for an
        // unexplained region, grey for an explained one).
        let boxes = |p: &'a Picture| -> Vec<Element<'a, Message>> {
            p.regions
                .iter()
                .map(|&((x, y, w, h), explained)| {
                    let m = if explained { Mark::Existing } else { Mark::Overlap };
                    pin(container(text("")).width(w as f32).height(h as f32).style(move |th| crate::theme::mark(th, m)))
                        .x(x as f32)
                        .y(y as f32)
                        .into()
                })
                .collect()
        };
        let picture = |p: &'a Picture| -> Element<'a, Message> {
            let (w, h) = (p.size.0 as f32, p.size.1 as f32);
            let mut layers = stack![image(p.handle.clone()).width(w).height(h)].width(w).height(h);
            for b in boxes(p) {
                layers = layers.push(b);
            }
            container(layers).style(container::bordered_box).into()
        };
        let missing = |key: &str| -> Element<'a, Message> {
            container(text(t.tr(key)).size(13)).padding(12).width(SIGNED_VIEW_BOX.0 as f32).into()
        };
        for pair in &view.pages {
            let title = t.tr_args("gui-signed-view-page", &[("page", &pair.page.to_string())]);
            let unexplained = [&pair.before, &pair.after]
                .iter()
                .any(|p| p.as_ref().is_some_and(|p| p.regions.iter().any(|(_, e)| !e)));
            let note = if unexplained {
                text(t.tr("gui-signed-view-changed")).size(13).style(crate::theme::text_danger)
            } else if pair.after.as_ref().is_some_and(|p| !p.regions.is_empty()) {
                text(t.tr("gui-signed-view-allowed")).size(13)
            } else {
                text(t.tr("gui-signed-view-no-change")).size(13).style(crate::theme::text_muted)
            };
            col = col.push(column![text(title).font(BOLD), note].spacing(2));
            let shown: Element<'a, Message> = match (mode, &pair.before, &pair.after) {
                (SignedMode::Overlay, Some(b), Some(a)) => {
                    let (w, h) = (b.size.0.max(a.size.0) as f32, b.size.1.max(a.size.1) as f32);
                    let mut layers = stack![
                        image(b.handle.clone()).width(b.size.0 as f32).height(b.size.1 as f32),
                        image(a.handle.clone()).width(a.size.0 as f32).height(a.size.1 as f32).opacity(blend),
                    ]
                    .width(w)
                    .height(h);
                    for r in boxes(a) {
                        layers = layers.push(r);
                    }
                    container(layers).style(container::bordered_box).into()
                }
                (_, before, after) => row![
                    column![
                        text(t.tr("gui-signed-view-before")).size(13),
                        before.as_ref().map_or_else(|| missing("gui-signed-view-missing-before"), picture),
                    ]
                    .spacing(4),
                    column![
                        text(t.tr("gui-signed-view-after")).size(13),
                        after.as_ref().map_or_else(|| missing("gui-signed-view-missing-after"), picture),
                    ]
                    .spacing(4),
                ]
                .spacing(12)
                .into(),
            };
            col = col.push(scrollable(shown).direction(scrollable::Direction::Horizontal(Default::default())));
        }
        container(col).padding(8).width(Fill).style(container::bordered_box).into()
    }
}
