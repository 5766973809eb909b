//! The verification screen: a PDF's signatures, one card each.
//! Verification never runs here: `update` asks the application for one
//! through [`Event::Verify`] (the work is done by [`run`] on a thread of
//! its own), and the result comes back as [`Message::Finished`].

use std::path::{Path, PathBuf};

use iced::widget::{button, column, container, row, rule, scrollable, text, text_input};
use iced::{Color, Element, Fill, Font, font};
use kyso_i18n::{Localize, Translator};
use kyso_pdf::{Indication, PdfReport, SignatureReport};
use kyso_pki::report::{Coverage, Integrity, Modifications, Revocation, SignatureKind, SubIndication, Warning};
use kyso_pki::timestamp::TimestampTrust;

use crate::i18n::Text;

mod clock;
mod report;
mod signed_view;
mod summary;
#[cfg(test)]
mod tests;

pub use self::clock::local_time;
pub use self::report::write_report;
pub use self::summary::shipped_trust_section;
use self::{report::*, signed_view::*, summary::*};

/// Bold variant of the default font.
const BOLD: Font = Font { weight: font::Weight::Bold, ..crate::app::FONT };

/// Messages of the verification screen.
#[derive(Debug, Clone)]
pub enum Message {
    /// The file path field changed.
    PathChanged(String),
    /// The trust anchors field changed.
    AnchorsChanged(String),
    /// The extra intermediates field changed.
    ExtraChanged(String),
    /// The user pressed "Check".
    Check,
    /// A file was given on the command line or dropped on the window.
    Open(PathBuf),
    /// Open the system's file dialog.
    Browse,
    /// A file was picked in the dialog (none: cancelled).
    Picked(Option<PathBuf>),
    /// A verification ended (its request id, then the result).
    Finished(u64, Result<Done, Text>),
    /// Save the report shown.
    Export(ReportFormat),
    /// A report was saved (the file written).
    Exported(Result<PathBuf, Text>),
    /// Show the signed version of this signature (index), or hide it.
    SignedView(Option<usize>),
    /// Side by side or overlaid.
    SignedMode(SignedMode),
    /// The overlay's blend: 0 the signed page, 1 the page now.
    SignedBlend(f32),
}

/// Formats of a saved verification report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// A self-contained HTML page in the interface language.
    Html,
    /// The JSON report `kyso-cli verify --json` prints.
    Json,
    /// A printable A4 PDF in the interface language.
    Pdf,
}

/// A finished verification.
#[derive(Debug, Clone)]
pub struct Done {
    /// The report.
    pub report: PdfReport,
    /// A journal problem, shown beside the result.
    pub journal: Option<Text>,
    /// Per signature, the pages of its "signed version" view (issue 21).
    pub signed: Vec<SignedView>,
}

/// What one signature signed beside what the document shows now: the
/// pages that look different (or the first page when none does), drawn
/// off the UI thread by [`run`].
#[derive(Debug, Clone, Default)]
pub struct SignedView {
    /// The pages.
    pub pages: Vec<PagePair>,
}

/// A page as signed and as it is now.
#[derive(Debug, Clone)]
pub struct PagePair {
    /// The page (1-based).
    pub page: usize,
    /// The signed revision's page; `None`: it did not exist then.
    pub before: Option<Picture>,
    /// The page now; `None`: it was removed.
    pub after: Option<Picture>,
}

/// A drawn page with the regions that differ from the other side.
#[derive(Debug, Clone)]
pub struct Picture {
    /// The picture.
    pub handle: iced::widget::image::Handle,
    /// Its size in pixels.
    pub size: (u32, u32),
    /// Regions that differ, in its pixels (left, top, width, height), and
    /// whether an allowed change explains each.
    pub regions: Vec<((f64, f64, f64, f64), bool)>,
}

/// How the signed version is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignedMode {
    /// The signed page on the left, the page now on the right.
    #[default]
    SideBySide,
    /// The page now over the signed page, blended by a slider.
    Overlay,
}

/// What to verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Request id: results of older requests are ignored.
    pub id: u64,
    /// The PDF.
    pub path: PathBuf,
    /// Trust anchor files (PEM or DER).
    pub anchors: Vec<PathBuf>,
    /// Extra intermediate certificate files.
    pub extra: Vec<PathBuf>,
}

/// What the screen asks of the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Run [`run`] in the background.
    Verify(Request),
    /// Save the report shown (the application renders it with its
    /// translator: [`Verify::report`]).
    Export(ReportFormat),
    /// Ask the system's dialog for a document to check.
    PickFile,
}

/// The colour class of a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// TOTAL_PASSED: green.
    Passed,
    /// TOTAL_FAILED: red.
    Failed,
    /// INDETERMINATE: amber.
    Indeterminate,
}

impl Tone {
    /// The tone of an indication.
    pub fn of(i: Indication) -> Self {
        match i {
            Indication::TotalPassed => Self::Passed,
            Indication::TotalFailed => Self::Failed,
            Indication::Indeterminate => Self::Indeterminate,
        }
    }

    fn colors(self) -> (Color, Color) {
        match self {
            Self::Passed => (Color::from_rgb8(0x2e, 0x7d, 0x32), Color::WHITE),
            Self::Failed => (Color::from_rgb8(0xc6, 0x28, 0x28), Color::WHITE),
            Self::Indeterminate => (Color::from_rgb8(0xf9, 0xa8, 0x25), Color::BLACK),
        }
    }
}

/// One row of a signature card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Translated label.
    pub label: String,
    /// Value.
    pub value: String,
    /// Shown as a problem.
    pub alert: bool,
}

/// A signature card, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// Header colour.
    pub tone: Tone,
    /// "Signature 1 — Field".
    pub title: String,
    /// Translated indication and sub-indication.
    pub verdict: String,
    /// Rows.
    pub rows: Vec<Row>,
    /// What changed after signing.
    pub details: Vec<String>,
    /// Translated warnings.
    pub warnings: Vec<String>,
}

/// State of the verification screen.
#[derive(Debug, Default)]
pub struct Verify {
    path: String,
    anchors: String,
    extra: String,
    /// The request in flight.
    running: Option<u64>,
    next_id: u64,
    /// The file of the result shown.
    checked: Option<PathBuf>,
    outcome: Option<Result<Done, Text>>,
    /// The last report saved, or why it could not be.
    exported: Option<Result<PathBuf, Text>>,
    /// Counts the results shown: each new one starts scrolled to the top.
    shown: u64,
    /// The signature whose signed version is open.
    signed_open: Option<usize>,
    signed_mode: SignedMode,
    signed_blend: f32,
}

fn split_paths(s: &str) -> Vec<PathBuf> {
    s.split(',').map(str::trim).filter(|p| !p.is_empty()).map(PathBuf::from).collect()
}

impl Verify {
    /// Whether a verification is in flight.
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// The file path field.
    #[cfg(test)]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The last result.
    #[cfg(test)]
    pub fn outcome(&self) -> Option<&Result<Done, Text>> {
        self.outcome.as_ref()
    }

    /// The overall verdict of the last report.
    #[cfg(test)]
    pub fn overall(&self) -> Option<Indication> {
        match &self.outcome {
            Some(Ok(done)) => Some(done.report.indication),
            _ => None,
        }
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::PathChanged(s) => {
                self.path = s;
                None
            }
            Message::AnchorsChanged(s) => {
                self.anchors = s;
                None
            }
            Message::ExtraChanged(s) => {
                self.extra = s;
                None
            }
            Message::Open(path) => {
                self.path = path.display().to_string();
                self.start()
            }
            Message::Check => self.start(),
            Message::Finished(id, result) => {
                if self.running == Some(id) {
                    self.running = None;
                    self.outcome = Some(result);
                    self.exported = None;
                    self.shown = self.shown.wrapping_add(1);
                    self.signed_open = None;
                }
                None
            }
            Message::Export(f) => matches!(self.outcome, Some(Ok(_))).then_some(Event::Export(f)),
            Message::Browse => Some(Event::PickFile),
            Message::Picked(Some(path)) => self.update(Message::Open(path)),
            Message::Picked(None) => None,
            Message::Exported(r) => {
                self.exported = Some(r);
                None
            }
            Message::SignedView(i) => {
                self.signed_open = i;
                None
            }
            Message::SignedMode(m) => {
                self.signed_mode = m;
                None
            }
            Message::SignedBlend(b) => {
                self.signed_blend = b.clamp(0.0, 1.0);
                None
            }
        }
    }

    /// The report shown, rendered for saving: the path beside the checked
    /// file (`NAME.kyso-report.html` / `.json`) and the content.
    pub fn report(&self, format: ReportFormat, t: &Translator) -> Option<(PathBuf, Vec<u8>)> {
        let (Some(Ok(done)), Some(file)) = (&self.outcome, &self.checked) else { return None };
        let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "report".into());
        match format {
            ReportFormat::Json => {
                let format = kyso_core::Format::detect(file).name();
                let mut v = serde_json::to_value(&done.report).ok()?;
                if let Some(o) = v.as_object_mut() {
                    o.insert("file".into(), file.display().to_string().into());
                    o.insert("format".into(), format.into());
                }
                let text = serde_json::to_vec_pretty(&v).ok()?;
                Some((file.with_file_name(format!("{stem}.kyso-report.json")), text))
            }
            ReportFormat::Html => Some((
                file.with_file_name(format!("{stem}.kyso-report.html")),
                report_html(t, file, done, &self.cards(t)).into_bytes(),
            )),
            ReportFormat::Pdf => Some((
                file.with_file_name(format!("{stem}.kyso-report.pdf")),
                report_pdf(t, file, done, &self.cards(t))?,
            )),
        }
    }

    fn start(&mut self) -> Option<Event> {
        let path = self.path.trim();
        if path.is_empty() {
            self.outcome = Some(Err(Text::new("gui-no-file")));
            return None;
        }
        self.next_id += 1;
        self.running = Some(self.next_id);
        self.checked = Some(PathBuf::from(path));
        self.outcome = None;
        Some(Event::Verify(Request {
            id: self.next_id,
            path: PathBuf::from(path),
            anchors: split_paths(&self.anchors),
            extra: split_paths(&self.extra),
        }))
    }

    /// The signature cards of the last report.
    pub fn cards(&self, t: &Translator) -> Vec<Card> {
        match &self.outcome {
            Some(Ok(done)) => done.report.signatures.iter().enumerate().map(|(i, s)| card(t, i, s)).collect(),
            _ => Vec::new(),
        }
    }

    /// The screen.
    pub fn view<'a>(&'a self, t: &Translator) -> Element<'a, Message> {
        let check = button(text(t.tr("gui-check")))
            .on_press_maybe((!self.is_running() && !self.path.trim().is_empty()).then_some(Message::Check));
        let form = column![
            row![
                text_input(&t.tr("gui-file-placeholder"), &self.path)
                    .on_input(Message::PathChanged)
                    .on_submit(Message::Check),
                button(text(t.tr("gui-browse"))).style(button::secondary).on_press(Message::Browse),
                check,
            ]
            .spacing(8),
            text_input(&t.tr("gui-trust-anchors"), &self.anchors).on_input(Message::AnchorsChanged),
            text_input(&t.tr("gui-extra-certs"), &self.extra).on_input(Message::ExtraChanged),
            text(t.tr("gui-drop-hint")).size(13),
        ]
        .spacing(8);

        let mut body = column![].spacing(12);
        if self.is_running() {
            body = body.push(text(t.tr("gui-verifying")));
        }
        match &self.outcome {
            None => {}
            Some(Err(e)) => body = body.push(text(e.render(t)).style(crate::theme::text_danger)),
            Some(Ok(done)) => {
                if let Some(file) = &self.checked {
                    body = body.push(text(t.tr_args("verify-file", &[("file", &file.display().to_string())])));
                }
                let tone = Tone::of(done.report.indication);
                body = body.push(banner(
                    format!("{}: {}", t.tr("verify-overall"), done.report.indication.localize(t)),
                    tone,
                    20,
                ));
                body = body.push(
                    row![
                        button(text(t.tr("gui-report-html")).size(14)).on_press(Message::Export(ReportFormat::Html)),
                        button(text(t.tr("gui-report-json")).size(14)).on_press(Message::Export(ReportFormat::Json)),
                        button(text(t.tr("gui-report-pdf")).size(14)).on_press(Message::Export(ReportFormat::Pdf)),
                    ]
                    .spacing(8),
                );
                match &self.exported {
                    Some(Ok(p)) => {
                        body = body.push(text(t.tr_args("gui-report-saved", &[("path", &p.display().to_string())])))
                    }
                    Some(Err(e)) => body = body.push(text(e.render(t)).style(crate::theme::text_danger)),
                    None => {}
                }
                if done.report.signatures.is_empty() {
                    body = body.push(text(t.tr("verify-no-signature")));
                }
                // The library's file-level error is English and technical
                // (it stays in the JSON report): the screen says what it means.
                if let Some(key) = error_key(&done.report) {
                    body = body.push(text(t.tr(key)).style(crate::theme::text_danger));
                }
                for (i, c) in self.cards(t).into_iter().enumerate() {
                    let open = self.signed_open == Some(i);
                    let has_view = done.signed.get(i).is_some_and(|v| !v.pages.is_empty());
                    let toggle = has_view.then(|| {
                        let (key, msg) = if open {
                            ("gui-signed-view-close", Message::SignedView(None))
                        } else {
                            ("gui-signed-view-open", Message::SignedView(Some(i)))
                        };
                        button(text(t.tr(key)).size(14)).style(button::secondary).on_press(msg)
                    });
                    body = body.push(card_view(c, toggle.map(Element::from)));
                    if open && let Some(view) = done.signed.get(i) {
                        body = body.push(self.signed_view(t, view));
                    }
                }
                for u in &done.report.unsigned_fields {
                    body = body.push(text(t.tr_args("verify-unsigned-field", &[("field", u)])));
                }
                if let Some(j) = &done.journal {
                    body = body.push(text(j.render(t)).style(crate::theme::text_warning).size(13));
                }
            }
        }
        // iced keeps a widget's state (the scroll offset) by its place and
        // state type in the tree: each new result alternates a column
        // (stateless) around the scrollable, so the state is made anew and
        // the overall verdict, at the top, is in view.
        let results = scrollable(body.padding([0, 12])).height(Fill);
        let results: Element<'a, Message> =
            if self.shown.is_multiple_of(2) { results.into() } else { column![results].height(Fill).into() };
        column![form, rule::horizontal(1), results].spacing(12).into()
    }
}

fn read_certs(paths: &[PathBuf]) -> Result<Vec<kyso_pki::CertDer>, Text> {
    let mut out = Vec::new();
    for p in paths {
        let bytes = std::fs::read(p)
            .map_err(|e| Text::new("err-io").arg("path", p.display().to_string()).arg("detail", e.to_string()))?;
        let list = kyso_pki::load_certificates(&bytes);
        if list.is_empty() {
            return Err(Text::new("gui-no-certificate-in").arg("path", p.display().to_string()));
        }
        out.extend(list);
    }
    Ok(out)
}

/// Verifies a request (blocking: run it off the UI thread) and journals it
/// as `kyso-cli verify` does, with the certificates Kyso ships.
pub fn run(req: &Request, data_dir: &Path, online: bool, proxy: Option<String>) -> Result<Done, Text> {
    run_with(req, data_dir, online, proxy, kyso_core::TrustBundle::shipped())
}

/// [`run`] with `shipped` in place of Kyso's own bundle: the tests give the
/// fixture PKI's root and intermediate through it, the way the VGCA roots
/// come in for a user. Its anchors count when the `shipped_anchors`
/// setting of `data_dir` is on (the default).
fn run_with(
    req: &Request,
    data_dir: &Path,
    online: bool,
    proxy: Option<String>,
    shipped: kyso_core::TrustBundle,
) -> Result<Done, Text> {
    if !req.path.is_file() {
        return Err(Text::new("gui-file-not-found").arg("path", req.path.display().to_string()));
    }
    // Without anchors given, those imported with `kyso-cli trust add`.
    let anchors = if req.anchors.is_empty() {
        crate::screen::settings::stored_anchors(data_dir)
    } else {
        let given = read_certs(&req.anchors)?;
        // Named like a pinned Vietnamese root without being it: refused,
        // as the trust store refuses it.
        if let Some((subject, sha256)) = given.iter().find_map(kyso_core::pin_impostor) {
            return Err(Text::new("trust-pin-mismatch").arg("subject", subject).arg("sha256", sha256));
        }
        given
    };
    // Revocation the file does not carry is asked of the certificates'
    // OCSP responders and CRL distribution points (answers cached).
    let online = online.then(|| kyso_core::online_options(data_dir, proxy));
    let opts = kyso_core::VerifyOptions {
        anchors,
        // RFC 5280 §6.1.1 (d): the shipped roots, unless switched off in
        // the settings; the shipped intermediate helps build paths anyway.
        shipped,
        shipped_anchors: kyso_core::shipped_anchors_enabled(data_dir),
        extra_certs: read_certs(&req.extra)?,
        online,
        // Journaled below, after the visual comparison (the final verdict).
        journal: None,
        ..Default::default()
    };
    let mut done = kyso_core::verify(&req.path, &opts);
    // What each signer saw against what is shown now (issue 21).
    if done.format == kyso_core::Format::Pdf {
        kyso_preview::visual::compare_revisions(&req.path, &mut done.report, &Default::default());
    }
    done.journal = kyso_core::record(data_dir, &kyso_journal::Entry::verification(&req.path, &done.report));
    // The last journal problem is shown (a write failure after a recovery).
    let journal = done.journal.last().map(|p| match p {
        kyso_core::JournalProblem::Recovered(w) => Text::new("journal-recovered").arg("detail", w.clone()),
        kyso_core::JournalProblem::WriteFailed(d) => Text::new("journal-write-failed").arg("detail", d.clone()),
    });
    // What each signer saw beside the pages now, drawn here, off the UI
    // thread (issue 21).
    let signed = if done.format == kyso_core::Format::Pdf { signed_views(&req.path, &done.report) } else { Vec::new() };
    Ok(Done { report: done.report, journal, signed })
}
