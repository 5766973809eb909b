//! The confirmation card: what a page asks to sign, the proposed placement
//! drawn on its first page.

use super::*;
use iced::widget::column;

/// What the confirmation card shows: the [`Review`] of the bridge, owned.
#[derive(Debug)]
pub struct Card {
    /// The page's origin.
    pub origin: String,
    /// The endpoint called.
    pub endpoint: Endpoint,
    /// The host the file came from.
    pub source_host: String,
    /// The host the signed file goes to.
    pub upload_host: String,
    /// The document's file name.
    pub file: String,
    /// The role preset.
    pub role: Option<kyso_core::Role>,
    /// The number to write (SignIssued, SignAppendix).
    pub doc_number: Option<String>,
    /// The date line to write (SignIssued).
    pub issued_date: Option<String>,
    /// The signer (subject common name, else the subject).
    pub signer: Option<String>,
    /// The signer's organisation.
    pub organization: Option<String>,
    /// The certificate's issuer and serial.
    pub issuer: Option<(String, String)>,
    /// What the page says about the document.
    pub metadata: Vec<(String, String)>,
    /// A page of the document (a PDF that renders) with the boxes of the
    /// proposed placement drawn on it: page 1 when the clerk's number or
    /// date goes there, else the page of the signature.
    pub preview: Option<image::Handle>,
    /// The boxes drawn on the preview.
    pub marks: Vec<Mark>,
}

/// A box of the proposed placement, drawn in its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// The signature (and seal).
    Signature,
    /// The document number (SignIssued, SignAppendix).
    Number,
    /// The date line (SignIssued).
    Date,
}

impl Mark {
    pub(super) fn colour(self) -> [u8; 3] {
        match self {
            Self::Signature => [0x1d, 0x4e, 0xd8],
            Self::Number => [0xc6, 0x28, 0x28],
            Self::Date => [0x1b, 0x7f, 0x3b],
        }
    }

    pub(super) fn key(self) -> &'static str {
        match self {
            Self::Signature => "gui-bridge-card-mark-signature",
            Self::Number => "gui-bridge-card-mark-number",
            Self::Date => "gui-bridge-card-mark-date",
        }
    }
}

/// The signature and seal images the service signs with.
pub type Images = (Option<PathBuf>, Option<PathBuf>);

impl Card {
    /// The card of `r` (signed with `images`); the page is drawn here (on
    /// the bridge's thread, never the UI's).
    pub fn from_review(r: &Review<'_>, images: &Images) -> Self {
        let c = r.certificate;
        let (preview, marks) = preview(r, images).unzip();
        Self {
            origin: r.origin.to_owned(),
            endpoint: r.endpoint,
            source_host: r.source_host.to_owned(),
            upload_host: r.upload_host.to_owned(),
            file: r.document.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            role: r.role,
            doc_number: r.doc_number.map(str::to_owned),
            issued_date: r.issued_date.map(str::to_owned),
            signer: c.map(|c| c.subject_cn.clone().unwrap_or_else(|| c.subject.clone())),
            organization: c.and_then(|c| c.organization.clone()),
            issuer: c.map(|c| (c.issuer_cn.clone().unwrap_or_else(|| c.issuer.clone()), c.serial.clone())),
            metadata: r.metadata.to_vec(),
            preview,
            marks: marks.unwrap_or_default(),
        }
    }
}

/// The boxes the role's preset proposes for `r` (NĐ 30/2020 Phụ lục I:
/// the signature, and for the clerk the number and date blanks of page 1),
/// the same placement kyso-core will make.
pub(super) fn proposed(r: &Review<'_>, images: &Images) -> Vec<(Mark, usize, [f64; 4])> {
    use kyso_core::Role;
    let Some(role) = r.role else { return Vec::new() };
    let read = |p: &Option<PathBuf>| p.as_ref().and_then(|p| std::fs::read(p).ok());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    let spec = kyso_pdf::presets::PresetInput {
        role,
        page: None,
        rect: None,
        anchor: None,
        image: if role == Role::Approver { read(&images.0) } else { None },
        seal: if role == Role::Issuer { read(&images.1) } else { None },
        seal_mm: kyso_core::Look::default().seal_mm,
        number: r.doc_number.filter(|_| matches!(role, Role::Issuer | Role::Appendix)).map(str::to_owned),
        number_rect: None,
        date: r.issued_date.filter(|_| role == Role::Issuer).map(str::to_owned),
        date_rect: None,
        copy_form: None,
        organization: r.certificate.and_then(|c| c.organization.clone()),
        time: now,
    };
    let Ok(reader) = kyso_pdf::PdfReader::open(r.document) else { return Vec::new() };
    let Ok(placed) = kyso_pdf::presets::prepare(&reader, &spec) else { return Vec::new() };
    let mut out = vec![(Mark::Signature, placed.page, placed.appearance.rect)];
    for w in &placed.written {
        out.push((if w.what == "number" { Mark::Number } else { Mark::Date }, w.page, w.rect));
    }
    out
}

/// The page of the document the card shows, with the proposed boxes drawn
/// on it, when it is a PDF that renders.
pub(super) fn preview(r: &Review<'_>, images: &Images) -> Option<(image::Handle, Vec<Mark>)> {
    let bytes = std::fs::read(r.document).ok()?;
    if !bytes.starts_with(b"%PDF-") {
        return None;
    }
    let boxes = proposed(r, images);
    let page = if boxes.iter().any(|b| b.0 != Mark::Signature) { 1 } else { boxes.first().map_or(1, |b| b.1) };
    let mut img = kyso_preview::render_page(&bytes, page, PREVIEW_BOX.0, PREVIEW_BOX.1).ok()?;
    let mut marks = Vec::new();
    for (mark, _, rect) in boxes.into_iter().filter(|b| b.1 == page) {
        let px = img.rect_to_pixels(rect);
        outline(&mut img, px, mark.colour());
        if !marks.contains(&mark) {
            marks.push(mark);
        }
    }
    Some((image::Handle::from_rgba(img.width, img.height, img.rgba), marks))
}

/// Draws the outline (2 pixels wide) of the box `(x, y, w, h)` in pixels,
/// clipped to the picture.
pub(super) fn outline(img: &mut kyso_preview::PageImage, (x, y, w, h): (f64, f64, f64, f64), rgb: [u8; 3]) {
    let (width, height) = (i64::from(img.width), i64::from(img.height));
    #[allow(clippy::cast_possible_truncation)]
    let px = |v: f64| if v.is_finite() { v.round() as i64 } else { 0 };
    let (x0, y0, x1, y1) = (px(x), px(y), px(x + w), px(y + h));
    for yy in y0.max(0)..=y1.min(height - 1) {
        for xx in x0.max(0)..=x1.min(width - 1) {
            let edge = xx - x0 < 2 || x1 - xx < 2 || yy - y0 < 2 || y1 - yy < 2;
            if !edge {
                continue;
            }
            let Ok(i) = usize::try_from((yy * width + xx) * 4) else { continue };
            if let Some(p) = img.rgba.get_mut(i..i + 4) {
                p.copy_from_slice(&[rgb[0], rgb[1], rgb[2], 0xff]);
            }
        }
    }
}

impl Bridge {
    /// Kyso's own confirmation: who asks, where the file comes from and
    /// goes, what is written, who signs; the first page; the PIN.
    pub(super) fn card<'a>(&'a self, t: &Translator, c: &'a Card) -> Element<'a, Message> {
        let mut facts = column![
            text(t.tr_args("gui-bridge-card-title", &[("endpoint", c.endpoint.name())])).size(18).font(BOLD),
            text(t.tr_args("gui-bridge-card-origin", &[("origin", &c.origin)])).font(BOLD),
            if c.source_host.is_empty() {
                text(t.tr("gui-bridge-card-source-local"))
            } else {
                text(t.tr_args("gui-bridge-card-source", &[("host", &c.source_host)]))
            },
            text(t.tr_args("gui-bridge-card-upload", &[("host", &c.upload_host)])),
            text(t.tr_args("gui-bridge-card-file", &[("name", &c.file)])),
        ]
        .spacing(6);
        facts = facts.push(match c.role {
            Some(role) => text(t.tr_args("gui-bridge-card-role", &[("role", &t.tr(kyso_i18n::role_key(role)))])),
            None => text(t.tr("gui-bridge-card-role-none")),
        });
        if let Some(n) = &c.doc_number {
            facts = facts.push(text(t.tr_args("gui-bridge-card-number", &[("number", n)])).font(BOLD));
        }
        if let Some(d) = &c.issued_date {
            facts = facts.push(text(t.tr_args("gui-bridge-card-date", &[("date", d)])).font(BOLD));
        }
        match &c.signer {
            Some(s) => {
                let who = match &c.organization {
                    Some(o) if !o.is_empty() && o != s => format!("{s} — {o}"),
                    _ => s.clone(),
                };
                facts = facts.push(text(t.tr_args("gui-bridge-card-certificate", &[("subject", &who)])));
            }
            None => facts = facts.push(text(t.tr("gui-bridge-card-no-certificate")).style(theme::text_warning)),
        }
        if let Some((issuer, serial)) = &c.issuer {
            facts = facts.push(
                text(t.tr_args("gui-bridge-card-issuer", &[("issuer", issuer), ("serial", serial)]))
                    .size(13)
                    .style(theme::text_muted),
            );
        }
        for (k, v) in &c.metadata {
            facts = facts.push(text(format!("{k}: {v}")).size(13).style(theme::text_muted));
        }
        facts = facts
            .push(text(t.tr("gui-bridge-pin")))
            .push(
                text_input(&t.tr("gui-pin-placeholder"), &self.pin)
                    .secure(true)
                    .id(PIN_ID)
                    .on_input(|s| Message::Pin(Typed(Zeroizing::new(s))))
                    .on_submit(Message::Sign),
            )
            .push(
                row![
                    button(text(t.tr("gui-bridge-sign")))
                        .style(button::success)
                        .on_press_maybe((!self.pin.is_empty()).then_some(Message::Sign)),
                    button(text(t.tr("gui-bridge-decline"))).style(button::danger).on_press(Message::Decline),
                ]
                .spacing(12),
            );
        let preview: Element<'a, Message> = match &c.preview {
            Some(h) => {
                let mut side = column![container(image(h.clone())).style(container::bordered_box)].spacing(4);
                for m in &c.marks {
                    let [r, g, b] = m.colour();
                    side = side.push(text(t.tr(m.key())).size(12).color(iced::Color::from_rgb8(r, g, b)));
                }
                side.into()
            }
            None => text(t.tr("gui-bridge-card-no-preview")).size(13).style(theme::text_muted).into(),
        };
        row![facts.width(Fill), preview].spacing(16).into()
    }
}
