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

fn banner<'a>(label: String, tone: Tone, size: u32) -> Element<'a, Message> {
    let (bg, fg) = tone.colors();
    container(text(label).size(size).font(BOLD))
        .padding([6, 12])
        .width(Fill)
        .style(move |_| container::Style { background: Some(bg.into()), text_color: Some(fg), ..Default::default() })
        .into()
}

fn card_view<'a>(c: Card, action: Option<Element<'a, Message>>) -> Element<'a, Message> {
    let mut col = column![banner(format!("{} — {}", c.title, c.verdict), c.tone, 16)].spacing(4);
    for r in c.rows {
        let value = text(r.value);
        let value = if r.alert { value.style(crate::theme::text_danger).font(BOLD) } else { value };
        col = col.push(row![text(r.label).width(220), value].spacing(8));
    }
    for d in c.details {
        col = col.push(row![text("").width(220), text(format!("• {d}")).size(13)].spacing(8));
    }
    for w in c.warnings {
        col = col.push(text(format!("▲ {w}")).style(crate::theme::text_warning));
    }
    if let Some(a) = action {
        col = col.push(a);
    }
    container(col.padding([0, 0])).padding(8).width(Fill).style(container::bordered_box).into()
}

fn card(t: &Translator, i: usize, s: &SignatureReport) -> Card {
    let none = || "—".to_owned();
    let when = |v: &Option<String>| v.as_deref().map(|x| local_time(t, x));
    let mut rows = Vec::new();
    let mut push = |key: &str, value: String, alert: bool| rows.push(Row { label: t.tr(key), value, alert });
    // A signer the signature does not bind is never named.
    let unknown = s.kind == SignatureKind::Signature && s.signer_subject.is_none();
    let signer = if unknown { t.tr("verify-signer-unknown") } else { s.signer.clone().unwrap_or_else(none) };
    push("verify-signer", signer, unknown);
    if let Some(o) = &s.organization {
        push("verify-organization", o.clone(), false);
    }
    push("verify-issuer", s.issuer.clone().unwrap_or_else(none), false);
    push("verify-signing-time", when(&s.signing_time).unwrap_or_else(none), false);
    let untrusted = s.timestamp.is_some() && s.timestamp_trust != Some(TimestampTrust::Trusted);
    let stamp = match when(&s.timestamp) {
        Some(ts) if untrusted => format!("{ts} ({})", t.tr("verify-timestamp-untrusted")),
        Some(ts) => ts,
        None => t.tr("verify-none"),
    };
    push("verify-timestamp", stamp, untrusted);
    push("verify-poe-time", when(&s.poe_time).unwrap_or_else(|| t.tr("verify-none")), false);
    let (integrity, integrity_alert) = integrity_text(t, s);
    push("verify-integrity", integrity, integrity_alert);
    push("verify-coverage", s.coverage.localize(t), s.coverage == Coverage::Anomaly);
    if let Some([k, n]) = s.revision {
        push(
            "verify-revision",
            t.tr_args("verify-revision-of", &[("k", &k.to_string()), ("n", &n.to_string())]),
            false,
        );
    }
    push("verify-modifications", s.modifications.localize(t), s.modifications == Modifications::Disallowed);
    push("verify-chain", s.chain.localize(t), s.chain != kyso_pki::ChainStatus::Valid);
    // The anchor the path ended at, and whether Kyso shipped it.
    if s.chain == kyso_pki::ChainStatus::Valid
        && let Some(anchor) = s.chain_path.last()
    {
        let shipped = kyso_core::shipped_certificates().iter().find(|c| anchor.contains(&format!("CN={}", c.name)));
        let value = match shipped {
            Some(c) => t.tr_args("verify-anchor-shipped", &[("name", c.name)]),
            None => anchor.clone(),
        };
        push("verify-anchor", value, false);
    }
    push(
        "verify-revocation",
        s.revocation.localize(t),
        matches!(s.revocation, Revocation::Revoked | Revocation::RevokedNoPoe),
    );
    if let (Some(a), Some(b)) = (&s.cert_not_before, &s.cert_not_after) {
        let (a, b) = (local_time(t, a), local_time(t, b));
        push("cert-validity", t.tr_args("cert-validity-range", &[("from", &a), ("to", &b)]), false);
    }
    let mut warnings: Vec<String> = s.warnings.iter().map(|w| warning_message(t, w)).collect();
    if s.sub_indication == Some(SubIndication::NoCertificateChainFound) {
        warnings.push(t.tr("verify-signer-untrusted-hint"));
    }
    Card {
        tone: Tone::of(s.indication),
        title: format!("{} {} — {}", t.tr("verify-signature"), i + 1, s.field),
        verdict: verdict_text(t, s.indication, s.sub_indication),
        rows,
        // Every change after signing in the person's language (the
        // technical detail stays in the JSON report); the English
        // `modification_details` never reach the screen.
        details: s.changes.iter().map(|c| t.change(c.kind, c.page, c.rect, c.allowed)).collect(),
        warnings,
    }
}

/// The verdict in words: the indication, then what the sub-indication
/// (ETSI EN 319 102-1 §5.1.3) means — never the raw code.
pub fn verdict_text(t: &Translator, i: Indication, sub: Option<SubIndication>) -> String {
    match sub {
        Some(code) => format!("{} — {}", i.localize(t), code.localize(t)),
        None => i.localize(t),
    }
}

/// A warning in words (its code's message; the technical detail stays in
/// the JSON report), never an English sentence of the library.
fn warning_message(t: &Translator, w: &Warning) -> String {
    w.localize(t)
}

/// How many disallowed changes the integrity line names before "and N more".
const INTEGRITY_CHANGES: usize = 3;

/// Integrity as what it means (issue 18): the byte ranges' hash (ISO
/// 32000-2 §12.8.1) can hold while the file was changed in a later
/// revision (§7.5.6) in a way that is not allowed — say both.
fn integrity_text(t: &Translator, s: &SignatureReport) -> (String, bool) {
    if s.integrity == Integrity::Broken {
        return (t.tr("verify-integrity-broken"), true);
    }
    if s.integrity != Integrity::Intact {
        return (s.integrity.localize(t), true);
    }
    let bad: Vec<String> =
        s.changes.iter().filter(|c| !c.allowed).map(|c| t.change(c.kind, c.page, c.rect, c.allowed)).collect();
    let modified =
        s.modifications == Modifications::Disallowed || s.sub_indication == Some(SubIndication::ModifiedAfterSigning);
    if modified {
        let mut list: Vec<String> = bad.iter().take(INTEGRITY_CHANGES).cloned().collect();
        if bad.len() > INTEGRITY_CHANGES {
            let more = (bad.len() - INTEGRITY_CHANGES).to_string();
            list.push(t.tr_args("verify-more-changes", &[("n", &more)]));
        }
        if list.is_empty() {
            list.push(s.modifications.localize(t));
        }
        return (t.tr_args("verify-integrity-intact-modified", &[("changes", &list.join("; "))]), true);
    }
    if s.changes.is_empty() {
        (t.tr("verify-integrity-intact-only"), false)
    } else {
        (t.tr("verify-integrity-intact-allowed"), false)
    }
}

/// The message for a report's file-level error, if it has one that the
/// screen does not already say ("no signature" is shown as such).
fn error_key(report: &PdfReport) -> Option<&'static str> {
    match report.error.as_deref() {
        None => None,
        Some(_) if report.signatures.is_empty() && report.error.as_deref() == Some("no signature") => None,
        Some(_) => Some("verify-error-unreadable"),
    }
}

/// An RFC 3339 time of a report, in the user's time zone as people write
/// it: `29/11/2026 20:40:05 (GMT+7)` in Vietnamese, `2026-11-29 20:40:05
/// (GMT+7)` in English. Text that is not such a time is returned as is.
pub fn local_time(t: &Translator, rfc3339: &str) -> String {
    use time::format_description::well_known::Rfc3339;
    match time::OffsetDateTime::parse(rfc3339, &Rfc3339) {
        Ok(at) => format_at(t, at, local_zone::offset_at(at.unix_timestamp())),
        Err(_) => rfc3339.to_owned(),
    }
}

/// `at` at the UTC offset `offset`, in the layout of [`local_time`].
fn format_at(t: &Translator, at: time::OffsetDateTime, offset: time::UtcOffset) -> String {
    let d = at.to_offset(offset);
    let (h, m, _) = offset.as_hms();
    let zone = match (h, m.unsigned_abs()) {
        (h, 0) => format!("GMT{h:+}"),
        (h, m) => format!("GMT{}{}:{m:02}", if offset.is_negative() { '-' } else { '+' }, h.unsigned_abs()),
    };
    let (y, mo, day) = (d.year(), u8::from(d.month()), d.day());
    let clock = format!("{:02}:{:02}:{:02}", d.hour(), d.minute(), d.second());
    match t.lang() {
        kyso_i18n::Lang::Vi => format!("{day:02}/{mo:02}/{y} {clock} ({zone})"),
        _ => format!("{y}-{mo:02}-{day:02} {clock} ({zone})"),
    }
}

/// The system's UTC offset at an instant, read from the time zone database
/// (RFC 8536 TZif: `$TZ`, else `/etc/localtime`). Where there is none
/// (Windows, a bare container), Vietnam's +07:00 — Kyso's users' zone,
/// without daylight saving since 1975.
mod local_zone {
    use std::sync::OnceLock;

    /// Vietnam (Asia/Ho_Chi_Minh).
    const VIETNAM: i32 = 7 * 3600;

    /// Transitions (UTC seconds, offset after it) and the offset before
    /// the first.
    pub(super) struct Zone {
        pub(super) initial: i32,
        pub(super) transitions: Vec<(i64, i32)>,
    }

    pub fn offset_at(unix: i64) -> time::UtcOffset {
        static ZONE: OnceLock<Option<Zone>> = OnceLock::new();
        let secs = match ZONE.get_or_init(load) {
            Some(z) => match z.transitions.iter().rev().find(|(at, _)| *at <= unix) {
                Some((_, off)) => *off,
                None => z.initial,
            },
            None => VIETNAM,
        };
        time::UtcOffset::from_whole_seconds(secs).unwrap_or(time::UtcOffset::UTC)
    }

    fn load() -> Option<Zone> {
        let path = match std::env::var("TZ") {
            Ok(tz) if !tz.is_empty() => {
                let tz = tz.trim_start_matches(':');
                if tz.starts_with('/') {
                    std::path::PathBuf::from(tz)
                } else if tz.split('/').all(|p| !p.is_empty() && p != "..") {
                    std::path::Path::new("/usr/share/zoneinfo").join(tz)
                } else {
                    return None;
                }
            }
            _ => std::path::PathBuf::from("/etc/localtime"),
        };
        parse(&std::fs::read(path).ok()?)
    }

    fn be32(b: &[u8], at: usize) -> Option<u32> {
        Some(u32::from_be_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?))
    }

    /// RFC 8536 §3: the header, then the version 1 data block (32-bit
    /// times); version 2 and later repeat the data with 64-bit times
    /// after it, which is used when present.
    pub(super) fn parse(b: &[u8]) -> Option<Zone> {
        if b.get(..4)? != b"TZif" {
            return None;
        }
        let counts = |at: usize| -> Option<[usize; 6]> {
            let mut c = [0usize; 6];
            for (i, v) in c.iter_mut().enumerate() {
                *v = usize::try_from(be32(b, at.checked_add(20)?.checked_add(i.checked_mul(4)?)?)?).ok()?;
            }
            Some(c)
        };
        // [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt]
        let v1 = counts(0)?;
        let block_len = |c: [usize; 6], time: usize| -> Option<usize> {
            let [isut, isstd, leap, times, types, chars] = c;
            times
                .checked_mul(time.checked_add(1)?)?
                .checked_add(types.checked_mul(6)?)?
                .checked_add(chars)?
                .checked_add(leap.checked_mul(time.checked_add(4)?)?)?
                .checked_add(isstd)?
                .checked_add(isut)
        };
        let (c, data, time) = if b.get(4).is_some_and(|v| *v >= b'2') {
            let second = 44usize.checked_add(block_len(v1, 4)?)?;
            if b.get(second..second.checked_add(4)?)? != b"TZif" {
                return None;
            }
            (counts(second)?, second.checked_add(44)?, 8usize)
        } else {
            (v1, 44usize, 4usize)
        };
        let [_, _, _, times, types, _] = c;
        if types == 0 {
            return None;
        }
        let idx_at = data.checked_add(times.checked_mul(time)?)?;
        let types_at = idx_at.checked_add(times)?;
        let utoff = |ty: usize| -> Option<i32> {
            let at = types_at.checked_add(ty.checked_mul(6)?)?;
            Some(i32::from_be_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?))
        };
        let mut transitions = Vec::with_capacity(times.min(4096));
        for i in 0..times {
            let at = data.checked_add(i.checked_mul(time)?)?;
            let when = if time == 8 {
                i64::from_be_bytes(b.get(at..at.checked_add(8)?)?.try_into().ok()?)
            } else {
                i64::from(i32::from_be_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?))
            };
            let ty = usize::from(*b.get(idx_at.checked_add(i)?)?);
            if ty >= types {
                return None;
            }
            transitions.push((when, utoff(ty)?));
        }
        // RFC 8536 §3.2: local time before the first transition is the
        // first time type.
        Some(Zone { initial: utoff(0)?, transitions })
    }
}

/// How many pages a signature's signed-version view shows at most (those
/// with visible changes first): bounded memory whatever the document.
const SIGNED_VIEW_PAGES: usize = 3;

/// The box each page of that view is drawn to fit, in pixels.
const SIGNED_VIEW_BOX: (u32, u32) = (420, 594);

/// The signed-version views of a PDF's signatures (issue 21): for each
/// signature, the revision it signed — the bytes up to the end of its byte
/// range (ISO 32000-2 §12.8.1; §7.5.6 incremental updates keep them) —
/// and the document now, drawn with kyso-preview, with the regions the
/// visual comparison found outlined.
fn signed_views(path: &Path, report: &PdfReport) -> Vec<SignedView> {
    let Ok(bytes) = std::fs::read(path) else { return Vec::new() };
    report.signatures.iter().map(|s| signed_view_of(&bytes, s)).collect()
}

fn signed_view_of(bytes: &[u8], s: &SignatureReport) -> SignedView {
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
    fn signed_view<'a>(&self, t: &Translator, view: &'a SignedView) -> Element<'a, Message> {
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

/// The trust section of the settings screen (issue 18): the certificates
/// Kyso ships, each with its SHA-256 pin, validity and role, and the
/// switch of the shipped anchors (the `shipped_anchors` setting, read by
/// [`run`] and `kyso-cli`).
pub fn shipped_trust_section<'a, M: Clone + 'a>(
    t: &Translator,
    on: bool,
    toggle: impl Fn(bool) -> M + 'a,
) -> Element<'a, M> {
    use iced::widget::checkbox;
    let state = t.tr(if on { "trust-enabled" } else { "trust-disabled" });
    let mut col = column![
        text(t.tr("gui-shipped-title")).size(16).font(BOLD),
        checkbox(on).label(t.tr("gui-shipped-toggle")).on_toggle(toggle),
        text(t.tr("gui-shipped-hint")).size(13).style(crate::theme::text_muted),
    ]
    .spacing(6);
    for c in kyso_core::shipped_certificates() {
        let Some(cert) = c.certificate() else { continue };
        let info = kyso_pki::CertInfo::from_certificate(&cert.cert, std::time::SystemTime::now());
        let role = match c.role {
            kyso_core::ShippedRole::Anchor => t.tr_args("gui-shipped-role-anchor", &[("state", &state)]),
            kyso_core::ShippedRole::Intermediate => t.tr("gui-shipped-role-intermediate"),
        };
        let (from, to) = (local_time(t, &info.not_before), local_time(t, &info.not_after));
        let used = on || c.role == kyso_core::ShippedRole::Intermediate;
        let role = text(role).size(13);
        col = col.push(
            column![
                text(c.name).font(BOLD),
                if used { role.style(crate::theme::text_success) } else { role.style(crate::theme::text_muted) },
                text(t.tr_args("gui-shipped-validity", &[("from", &from), ("to", &to)])).size(13),
                text(t.tr_args("gui-shipped-pin", &[("sha256", c.sha256)])).size(12).font(iced::Font::MONOSPACE),
            ]
            .spacing(2),
        );
    }
    col.into()
}

/// The technical line of a saved report: the ETSI EN 319 102-1 codes and
/// the exact UTC times (RFC 3339), as the JSON report has them — the
/// screen shows these in words and in local time.
fn technical(s: &SignatureReport) -> String {
    let code = s.indication.name();
    let mut parts = vec![match s.sub_indication {
        Some(sub) => format!("{code}/{sub}"),
        None => code.to_owned(),
    }];
    for (name, v) in [("signing_time", &s.signing_time), ("timestamp", &s.timestamp), ("poe_time", &s.poe_time)] {
        if let Some(v) = v {
            parts.push(format!("{name} {v}"));
        }
    }
    parts.join(" · ")
}

/// The changed pages of a signature in the saved HTML report (issue 21):
/// each page as signed beside the page now, the regions that differ
/// outlined in the pixels (red: not explained by an allowed change; grey:
/// explained), as PNG data URIs so the report stays one file.
fn thumbnails_html(t: &Translator, view: Option<&SignedView>) -> String {
    let Some(view) = view else { return String::new() };
    let changed =
        |p: &&PagePair| [&p.before, &p.after].iter().any(|x| x.as_ref().is_some_and(|x| !x.regions.is_empty()));
    let mut h = String::new();
    for pair in view.pages.iter().filter(changed) {
        h.push_str(&format!(
            "<figure><figcaption>{}</figcaption><div class=\"pages\">",
            html_escape(&t.tr_args("gui-signed-view-page", &[("page", &pair.page.to_string())]))
        ));
        for (key, missing, side) in [
            ("gui-signed-view-before", "gui-signed-view-missing-before", &pair.before),
            ("gui-signed-view-after", "gui-signed-view-missing-after", &pair.after),
        ] {
            let body = match side.as_ref().and_then(picture_png) {
                Some(png) => format!(
                    "<img alt=\"{0}\" src=\"data:image/png;base64,{1}\">",
                    html_escape(&t.tr(key)),
                    base64(&png)
                ),
                None => format!("<p>{}</p>", html_escape(&t.tr(missing))),
            };
            h.push_str(&format!("<div><p>{}</p>{body}</div>", html_escape(&t.tr(key))));
        }
        h.push_str("</div></figure>\n");
    }
    if !h.is_empty() {
        h.insert_str(0, &format!("<p class=\"legend\">{}</p>\n", html_escape(&t.tr("gui-signed-view-legend"))));
    }
    h
}

/// A page picture with its regions outlined, as PNG.
fn picture_png(p: &Picture) -> Option<Vec<u8>> {
    let iced::widget::image::Handle::Rgba { width, height, pixels, .. } = &p.handle else { return None };
    let (w, h) = (usize::try_from(*width).ok()?, usize::try_from(*height).ok()?);
    let mut rgba = pixels.to_vec();
    if rgba.len() != w.checked_mul(h)?.checked_mul(4)? {
        return None;
    }
    for &((x, y, bw, bh), explained) in &p.regions {
        let colour: [u8; 4] = if explained { [0x75, 0x75, 0x75, 0xff] } else { [0xc6, 0x28, 0x28, 0xff] };
        // The rectangle's pixels, clamped to the picture (f64 → usize
        // saturates: negative values become 0).
        let clamp = |v: f64, max: usize| (v.max(0.0) as usize).min(max.saturating_sub(1));
        let (x0, y0) = (clamp(x, w), clamp(y, h));
        let (x1, y1) = (clamp(x + bw, w), clamp(y + bh, h));
        for yy in y0..=y1 {
            for xx in x0..=x1 {
                let edge = xx < x0 + 2 || xx + 2 > x1 || yy < y0 + 2 || yy + 2 > y1;
                if edge {
                    let at = (yy * w + xx) * 4;
                    rgba[at..at + 4].copy_from_slice(&colour);
                }
            }
        }
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, *width, *height);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().ok()?;
    writer.write_image_data(&rgba).ok()?;
    writer.finish().ok()?;
    Some(out)
}

/// RFC 4648 §4 base64 (for the report's data URIs).
fn base64(data: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A self-contained, printable HTML report (the facts TT 15/2025 asks a
/// check to show), in the interface language.
fn report_html(t: &Translator, file: &Path, done: &Done, cards: &[Card]) -> String {
    let lang = match t.lang() {
        kyso_i18n::Lang::Vi => "vi",
        _ => "en",
    };
    let colour = |tone: Tone| match tone {
        Tone::Passed => "#2e7d32",
        Tone::Failed => "#c62828",
        Tone::Indeterminate => "#f9a825",
    };
    let overall = Tone::of(done.report.indication);
    let now =
        time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    let mut h = String::new();
    h.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>body{{font-family:'Liberation Sans',Arial,sans-serif;max-width:56rem;margin:2rem auto;color:#222}}h1{{font-size:1.4rem}}.banner{{color:#fff;padding:.5rem 1rem;font-weight:bold}}.amber{{color:#000}}table{{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}}td{{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top}}td:first-child{{width:30%;color:#555}}.alert{{color:#c62828;font-weight:bold}}.warn{{color:#8a6d00}}footer{{color:#777;font-size:.8rem}}.pages{{display:flex;gap:1rem;flex-wrap:wrap}}.pages img{{max-width:26rem;border:1px solid #ccc}}.legend{{color:#555;font-size:.85rem}}</style></head><body>\n",
        html_escape(&t.tr("gui-report-title"))
    ));
    h.push_str(&format!("<h1>{}</h1>\n", html_escape(&t.tr("gui-report-title"))));
    h.push_str(&format!(
        "<p>{}</p>\n",
        html_escape(&t.tr_args("verify-file", &[("file", &file.display().to_string())]))
    ));
    let amber = if overall == Tone::Indeterminate { " amber" } else { "" };
    h.push_str(&format!(
        "<div class=\"banner{amber}\" style=\"background:{}\">{}: {}</div>\n",
        colour(overall),
        html_escape(&t.tr("verify-overall")),
        html_escape(&done.report.indication.localize(t))
    ));
    if done.report.signatures.is_empty() {
        h.push_str(&format!("<p>{}</p>\n", html_escape(&t.tr("verify-no-signature"))));
    }
    for (i, c) in cards.iter().enumerate() {
        let amber = if c.tone == Tone::Indeterminate { " amber" } else { "" };
        h.push_str(&format!(
            "<h2 class=\"banner{amber}\" style=\"background:{}\">{} — {}</h2>\n<table>\n",
            colour(c.tone),
            html_escape(&c.title),
            html_escape(&c.verdict)
        ));
        for r in &c.rows {
            let class = if r.alert { " class=\"alert\"" } else { "" };
            h.push_str(&format!(
                "<tr><td>{}</td><td{class}>{}</td></tr>\n",
                html_escape(&r.label),
                html_escape(&r.value)
            ));
        }
        if let Some(s) = done.report.signatures.get(i) {
            h.push_str(&format!(
                "<tr><td>{}</td><td class=\"tech\">{}</td></tr>\n",
                html_escape(&t.tr("gui-report-technical")),
                html_escape(&technical(s))
            ));
        }
        for d in &c.details {
            h.push_str(&format!("<tr><td></td><td class=\"alert\">{}</td></tr>\n", html_escape(d)));
        }
        for w in &c.warnings {
            h.push_str(&format!("<tr><td></td><td class=\"warn\">⚠ {}</td></tr>\n", html_escape(w)));
        }
        h.push_str("</table>\n");
        h.push_str(&thumbnails_html(t, done.signed.get(i)));
    }
    for u in &done.report.unsigned_fields {
        h.push_str(&format!("<p>{}</p>\n", html_escape(&t.tr_args("verify-unsigned-field", &[("field", u)]))));
    }
    h.push_str(&format!(
        "<footer>{}</footer>\n</body></html>\n",
        html_escape(&t.tr_args("gui-report-footer", &[("time", &now), ("version", env!("CARGO_PKG_VERSION"))]))
    ));
    h
}

/// The same report as a printable A4 PDF (Liberation Serif embedded, so
/// the Vietnamese text prints and can be searched anywhere).
fn report_pdf(t: &Translator, file: &Path, done: &Done, cards: &[Card]) -> Option<Vec<u8>> {
    use kyso_pdf::document::{Paragraph, text_document};
    let colour = |tone: Tone| match tone {
        Tone::Passed => [0.18, 0.49, 0.2],
        Tone::Failed => [0.78, 0.16, 0.16],
        Tone::Indeterminate => [0.6, 0.42, 0.0],
    };
    let grey = [0.4, 0.4, 0.4];
    let title = t.tr("gui-report-title");
    let mut p = vec![
        Paragraph { size: 17.0, ..Paragraph::body(title.clone()) },
        Paragraph::body(t.tr_args("verify-file", &[("file", &file.display().to_string())])),
        Paragraph {
            size: 13.0,
            space_before: 10.0,
            colour: colour(Tone::of(done.report.indication)),
            ..Paragraph::body(format!("{}: {}", t.tr("verify-overall"), done.report.indication.localize(t)))
        },
    ];
    if done.report.signatures.is_empty() {
        p.push(Paragraph::body(t.tr("verify-no-signature")));
    }
    for (i, c) in cards.iter().enumerate() {
        p.push(Paragraph {
            size: 12.5,
            space_before: 14.0,
            colour: colour(c.tone),
            ..Paragraph::body(format!("{} — {}", c.title, c.verdict))
        });
        for r in &c.rows {
            let colour = if r.alert { colour(Tone::Failed) } else { [0.0; 3] };
            p.push(Paragraph { indent: 12.0, colour, ..Paragraph::body(format!("{}: {}", r.label, r.value)) });
        }
        if let Some(s) = done.report.signatures.get(i) {
            let line = format!("{}: {}", t.tr("gui-report-technical"), technical(s));
            p.push(Paragraph { indent: 12.0, size: 8.5, colour: grey, ..Paragraph::body(line) });
        }
        for d in &c.details {
            p.push(Paragraph { indent: 12.0, colour: colour(Tone::Failed), ..Paragraph::body(d.clone()) });
        }
        for w in &c.warnings {
            p.push(Paragraph {
                indent: 12.0,
                colour: colour(Tone::Indeterminate),
                ..Paragraph::body(format!("▲ {w}"))
            });
        }
    }
    for u in &done.report.unsigned_fields {
        p.push(Paragraph::body(t.tr_args("verify-unsigned-field", &[("field", u)])));
    }
    let now =
        time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    p.push(Paragraph {
        size: 8.5,
        space_before: 18.0,
        colour: grey,
        ..Paragraph::body(t.tr_args("gui-report-footer", &[("time", &now), ("version", env!("CARGO_PKG_VERSION"))]))
    });
    text_document(&title, &p).ok()
}

/// Writes a report through a temporary file beside it (blocking).
pub fn write_report(path: &Path, content: &[u8]) -> Result<PathBuf, Text> {
    crate::screen::write_file(path, content)?;
    Ok(path.to_owned())
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

#[cfg(test)]
mod tests {
    use super::*;
    use kyso_i18n::Lang;
    use kyso_pki::ChainStatus;
    use kyso_pki::report::{ModificationLevel, WarningCode};

    fn sig(field: &str, indication: Indication, sub: Option<SubIndication>) -> SignatureReport {
        SignatureReport {
            field: field.into(),
            kind: SignatureKind::Signature,
            subfilter: "ETSI.CAdES.detached".into(),
            signer: Some("Nguyễn Văn A".into()),
            organization: Some("UBND tỉnh Bắc Ninh".into()),
            signer_subject: Some("CN=Nguyễn Văn A".into()),
            issuer: Some("CA phục vụ các cơ quan Nhà nước".into()),
            serial: Some("01".into()),
            cert_not_before: Some("2025-01-01".into()),
            cert_not_after: Some("2028-01-01".into()),
            signing_time: Some("2026-11-22T08:00:00Z".into()),
            claimed_time: Some("2026-11-22T08:00:00Z".into()),
            timestamp: None,
            timestamp_trust: None,
            poe_time: None,
            integrity: if indication == Indication::TotalFailed { Integrity::Broken } else { Integrity::Intact },
            coverage: Coverage::WholeFile,
            modifications: Modifications::None,
            modification_details: vec![],
            modification_level: ModificationLevel::None,
            changes: vec![],
            visual_changes: vec![],
            chain: if indication == Indication::TotalPassed { ChainStatus::Valid } else { ChainStatus::NoChainFound },
            chain_path: vec![],
            revocation: Revocation::NotChecked,
            indication,
            sub_indication: sub,
            warnings: vec![
                WarningCode::RevocationNotChecked.into(),
                Warning::with(WarningCode::XrefDefect, "section 2: offset off by 3"),
            ],
            byte_range: vec![0, 10, 20, 30],
            certification: None,
            revision: Some([1, 2]),
        }
    }

    fn report() -> PdfReport {
        PdfReport {
            indication: Indication::TotalFailed,
            signatures: vec![
                sig("Sig1", Indication::TotalPassed, None),
                sig("Sig2", Indication::TotalFailed, Some(SubIndication::HashFailure)),
                sig("Sig3", Indication::Indeterminate, Some(SubIndication::NoCertificateChainFound)),
            ],
            unsigned_fields: vec!["Empty1".into()],
            error: None,
        }
    }

    #[test]
    fn open_starts_a_check_and_only_the_latest_result_counts() {
        let mut v = Verify::default();
        assert_eq!(v.update(Message::Check), None, "nothing to check");
        assert!(matches!(v.outcome(), Some(Err(e)) if e.key == "gui-no-file"));
        // The file dialog: cancelled changes nothing; a pick is checked.
        assert_eq!(v.update(Message::Browse), Some(Event::PickFile));
        assert_eq!(v.update(Message::Picked(None)), None);
        let Some(Event::Verify(picked)) = v.update(Message::Picked(Some("picked.pdf".into()))) else { panic!() };
        assert_eq!(picked.path, PathBuf::from("picked.pdf"));

        let _ = v.update(Message::AnchorsChanged(" a.pem, ,b.pem ".into()));
        let Some(Event::Verify(first)) = v.update(Message::Open("one.pdf".into())) else { panic!("no request") };
        assert_eq!(first.path, PathBuf::from("one.pdf"));
        assert_eq!(first.anchors, vec![PathBuf::from("a.pem"), PathBuf::from("b.pem")]);
        assert!(v.is_running());
        let _ = v.update(Message::PathChanged("two.pdf".into()));
        let Some(Event::Verify(second)) = v.update(Message::Check) else { panic!("no request") };
        assert_ne!(first.id, second.id);

        // The stale result is dropped; the current one is shown.
        let _ = v.update(Message::Finished(first.id, Err(Text::new("gui-task-failed"))));
        assert!(v.is_running() && v.outcome().is_none());
        let _ =
            v.update(Message::Finished(second.id, Ok(Done { report: report(), journal: None, signed: Vec::new() })));
        assert!(!v.is_running());
        assert_eq!(v.overall(), Some(Indication::TotalFailed));
    }

    #[test]
    fn cards_have_the_colour_of_their_verdict_and_follow_the_language() {
        let mut v = Verify::default();
        let Some(Event::Verify(req)) = v.update(Message::Open("x.pdf".into())) else { panic!("no request") };
        let _ = v.update(Message::Finished(req.id, Ok(Done { report: report(), journal: None, signed: Vec::new() })));

        let en = Translator::new(Lang::En);
        let cards = v.cards(&en);
        let tones: Vec<Tone> = cards.iter().map(|c| c.tone).collect();
        assert_eq!(tones, vec![Tone::Passed, Tone::Failed, Tone::Indeterminate]);
        assert_eq!(cards[0].verdict, "VALID");
        assert_eq!(cards[1].verdict, "INVALID — the signed content has been altered");
        assert!(cards[0].title.starts_with("Signature 1"));
        let integrity = |c: &Card| c.rows.iter().find(|r| r.label == "Integrity").cloned().expect("integrity row");
        assert!(!integrity(&cards[0]).alert);
        assert!(integrity(&cards[1]).alert && integrity(&cards[1]).value == en.tr("verify-integrity-broken"));
        assert!(cards[0].rows.iter().any(|r| r.label == "Validity" && r.value.contains("2028-01-01")));
        // Warnings are said by their code; the technical detail stays in the JSON.
        assert_eq!(cards[0].warnings, vec![en.tr("warn-revocation-not-checked"), en.tr("warn-xref-defect")]);

        let vi = Translator::new(Lang::Vi);
        let cards_vi = v.cards(&vi);
        assert_ne!(cards_vi[0].verdict, cards[0].verdict);
        assert_eq!(cards_vi[0].verdict, vi.tr("ind-total-passed"));
        assert_eq!(cards_vi[0].rows[0].label, vi.tr("verify-signer"));
        // The view builds in both languages.
        let _ = v.view(&en);
        let _ = v.view(&vi);
    }

    #[test]
    fn reports_are_saved_as_html_and_json_beside_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("quyet-dinh.pdf");
        let mut v = Verify::default();
        assert!(v.update(Message::Export(ReportFormat::Html)).is_none(), "nothing to export yet");
        let Some(Event::Verify(req)) = v.update(Message::Open(file.clone())) else { panic!("no request") };
        let _ = v.update(Message::Finished(req.id, Ok(Done { report: report(), journal: None, signed: Vec::new() })));
        assert_eq!(v.update(Message::Export(ReportFormat::Html)), Some(Event::Export(ReportFormat::Html)));

        let vi = Translator::new(Lang::Vi);
        let (path, html) = v.report(ReportFormat::Html, &vi).unwrap();
        let html = String::from_utf8(html).unwrap();
        assert_eq!(path, dir.path().join("quyet-dinh.kyso-report.html"));
        assert!(html.starts_with("<!DOCTYPE html>") && html.contains("lang=\"vi\""));
        assert!(html.contains(&vi.tr("gui-report-title")) && html.contains("Nguyễn Văn A"));
        assert!(html.contains(&vi.tr("sub-hash-failure")) && html.contains("#c62828"), "the failed card is red");
        // The codes and UTC times stay in the technical lines of the report.
        assert!(html.contains("TOTAL_FAILED/HASH_FAILURE") && html.contains("signing_time 2026-11-22T08:00:00Z"));
        let (jpath, json) = v.report(ReportFormat::Json, &vi).unwrap();
        assert_eq!(jpath, dir.path().join("quyet-dinh.kyso-report.json"));
        let back: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!((back["format"].as_str(), back["indication"].as_str()), (Some("pdf"), Some("TOTAL_FAILED")));
        assert_eq!(back["signatures"].as_array().map(Vec::len), Some(3));

        let written = write_report(&path, html.as_bytes()).unwrap();
        assert_eq!(std::fs::read_to_string(&written).unwrap(), html);

        // The PDF report: A4 pages poppler reads back in Vietnamese.
        let (ppath, pdf) = v.report(ReportFormat::Pdf, &vi).unwrap();
        assert_eq!(ppath, dir.path().join("quyet-dinh.kyso-report.pdf"));
        assert!(pdf.starts_with(b"%PDF-1.7"));
        let written_pdf = write_report(&ppath, &pdf).unwrap();
        if let Ok(out) = std::process::Command::new("pdftotext").arg(&written_pdf).arg("-").output() {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains(&vi.tr("gui-report-title")) && text.contains("Nguyễn Văn A"), "{text}");
            assert!(text.contains(&vi.tr("ind-total-failed")), "{text}");
        }
        let _ = v.update(Message::Exported(Ok(written)));
        let en = Translator::new(Lang::En);
        let (_, html_en) = v.report(ReportFormat::Html, &en).unwrap();
        let html_en = String::from_utf8(html_en).unwrap();
        assert!(html_en.contains("lang=\"en\"") && html_en.contains(&en.tr("gui-report-title")));
        let _ = v.view(&vi);
    }

    #[test]
    fn simulator_shows_the_cards_and_saves_a_report() {
        use iced_test::simulator;
        let vi = Translator::new(Lang::Vi);
        let mut v = Verify::default();
        let Some(Event::Verify(req)) = v.update(Message::Open("hop-dong.pdf".into())) else { panic!("no request") };
        let _ = v.update(Message::Finished(req.id, Ok(Done { report: report(), journal: None, signed: Vec::new() })));
        let mut ui = simulator(v.view(&vi));
        assert!(ui.find("Nguyễn Văn A").is_ok());
        let overall = format!("{}: {}", vi.tr("verify-overall"), vi.tr("ind-total-failed"));
        assert!(ui.find(overall.as_str()).is_ok(), "the overall verdict banner");
        let _ = ui.click(vi.tr("gui-report-html").as_str()).unwrap();
        let messages: Vec<Message> = ui.into_messages().collect();
        assert!(matches!(messages.as_slice(), [Message::Export(ReportFormat::Html)]), "{messages:?}");
    }

    /// Every sub-indication the libraries can give (ETSI EN 319 102-1
    /// §5.1.3), every change kind, known and unknown warnings, a file-level
    /// error and "no signature": in Vietnamese, nothing on the screen is a
    /// raw code, a UTC "…Z" time or an English sentence of a library.
    #[test]
    fn every_report_variant_reads_in_vietnamese() {
        // Every sub-indication the libraries can give.
        const SUBS: &[SubIndication] = SubIndication::ALL;
        let vi = Translator::new(Lang::Vi);
        let mut sigs = Vec::new();
        for (i, sub) in SUBS.iter().enumerate() {
            let mut s = sig(&format!("Chữ ký {i}"), Indication::TotalFailed, Some(*sub));
            s.signing_time = Some("2026-11-29T13:40:05Z".into());
            s.poe_time = Some("2026-11-29T13:41:00Z".into());
            s.timestamp = Some("2026-11-29T13:41:00Z".into());
            s.timestamp_trust = Some(TimestampTrust::Untrusted);
            s.cert_not_before = Some("2025-01-01T00:00:00Z".into());
            s.cert_not_after = Some("2028-01-01T00:00:00Z".into());
            s.integrity = if i % 2 == 0 { Integrity::Intact } else { Integrity::Broken };
            s.modifications = if i % 3 == 0 { Modifications::Disallowed } else { Modifications::Allowed };
            s.modification_details = vec!["object 11: stream content changed".into(), "/Count, /Kids changed".into()];
            s.warnings = vec![
                WarningCode::RevocationNotChecked.into(),
                Warning::with(WarningCode::SignatureTimestampUntrusted, "the TSA certificate has no path to an anchor"),
                Warning::with(WarningCode::XrefDefect, "section 2: offset off by 3"),
            ];
            s.changes = kyso_pdf::diff::KINDS
                .iter()
                .enumerate()
                .map(|(k, kind)| kyso_pki::report::Change {
                    kind,
                    page: Some(k % 3 + 1),
                    rect: (k % 2 == 0).then_some([10.0, 20.0, 100.0, 40.0]),
                    detail: "object 11: stream content changed".into(),
                    allowed: k % 2 == 0,
                })
                .collect();
            sigs.push(s);
        }
        let mut v = Verify::default();
        let reports = [
            PdfReport { indication: Indication::TotalFailed, signatures: sigs, unsigned_fields: vec![], error: None },
            PdfReport::failed("no signature".into()),
            PdfReport::failed("/tmp/x.pdf: PDF syntax error: missing xref table".into()),
        ];
        let utc = |s: &str| s.as_bytes().windows(2).any(|w| w[0].is_ascii_digit() && w[1] == b'Z');
        let raw_code =
            |s: &str| s.split(|c: char| !(c.is_ascii_uppercase() || c == '_')).any(|w| w.len() > 3 && w.contains('_'));
        // An English sentence: four or more ASCII words of letters in a row.
        let english = |s: &str| {
            let mut run = 0;
            for w in s.split_whitespace() {
                let w = w.trim_matches(|c: char| c.is_ascii_punctuation());
                run = if !w.is_empty() && w.chars().all(|c| c.is_ascii_alphabetic()) { run + 1 } else { 0 };
                if run >= 4 {
                    return true;
                }
            }
            false
        };
        for report in reports {
            let Some(Event::Verify(req)) = v.update(Message::Open("van-ban.pdf".into())) else { panic!() };
            let error = error_key(&report).map(|k| vi.tr(k));
            let _ = v.update(Message::Finished(req.id, Ok(Done { report, journal: None, signed: Vec::new() })));
            let mut shown: Vec<String> = error.into_iter().collect();
            for c in v.cards(&vi) {
                shown.push(c.verdict.clone());
                shown.extend(c.rows.iter().flat_map(|r| [r.label.clone(), r.value.clone()]));
                shown.extend(c.details.iter().cloned());
                shown.extend(c.warnings.iter().cloned());
            }
            for line in &shown {
                assert!(!utc(line), "a UTC time on screen: {line}");
                assert!(!raw_code(line), "a raw code on screen: {line}");
                assert!(!english(line), "English on the Vietnamese screen: {line}");
                assert!(!line.contains("stream content") && !line.contains("/Kids"), "{line}");
            }
            let _ = v.view(&vi);
        }
        // The unreadable file says so in Vietnamese.
        let failed = PdfReport::failed("/tmp/x.pdf: PDF syntax error".into());
        assert_eq!(error_key(&failed), Some("verify-error-unreadable"));
        assert_eq!(error_key(&PdfReport::failed("no signature".into())), None, "said by verify-no-signature");
        // Each sub-indication has its own words.
        let texts: std::collections::BTreeSet<String> = SUBS.iter().map(|c| c.localize(&vi)).collect();
        assert_eq!(texts.len(), SUBS.len());
        assert!(SUBS.iter().all(|c| vi.has(c.message().key)));
    }

    /// Intact bytes but a disallowed later change: the integrity line says
    /// both, naming the change, instead of "intact" beside "INVALID".
    #[test]
    fn intact_but_changed_after_signing_is_said_as_such() {
        let vi = Translator::new(Lang::Vi);
        let mut s = sig("Sig1", Indication::TotalFailed, Some(SubIndication::ModifiedAfterSigning));
        s.integrity = Integrity::Intact;
        s.modifications = Modifications::Disallowed;
        s.changes = vec![
            kyso_pki::report::Change {
                kind: "signature_added",
                page: Some(1),
                rect: Some([300.0, 50.0, 200.0, 60.0]),
                detail: String::new(),
                allowed: true,
            },
            kyso_pki::report::Change {
                kind: "page_added",
                page: Some(3),
                rect: None,
                detail: "/Count, /Kids changed".into(),
                allowed: false,
            },
        ];
        let c = card(&vi, 0, &s);
        let row = c.rows.iter().find(|r| r.label == vi.tr("verify-integrity")).unwrap();
        assert!(row.alert);
        assert!(row.value.starts_with("Nội dung đã ký còn nguyên vẹn, nhưng tệp bị sửa sau khi ký"), "{}", row.value);
        assert!(row.value.contains(&vi.change("page_added", Some(3), None, false)), "{}", row.value);
        assert!(!row.value.contains(&vi.tr("change-signature-added")), "allowed changes are not blamed");
        assert_eq!(c.verdict, format!("{} — {}", vi.tr("ind-total-failed"), vi.tr("sub-modified-after-signing")));
        // Only allowed changes: intact, said plainly, no alert.
        s.changes.truncate(1);
        s.modifications = Modifications::Allowed;
        s.sub_indication = None;
        let c = card(&vi, 0, &s);
        let row = c.rows.iter().find(|r| r.label == vi.tr("verify-integrity")).unwrap();
        assert_eq!((row.value.as_str(), row.alert), (vi.tr("verify-integrity-intact-allowed").as_str(), false));
    }

    #[test]
    fn times_are_shown_in_the_local_zone_the_vietnamese_way() {
        let at = time::OffsetDateTime::from_unix_timestamp(1_795_959_605).unwrap(); // 2026-11-29T13:40:05Z
        let plus7 = time::UtcOffset::from_hms(7, 0, 0).unwrap();
        let vi = Translator::new(Lang::Vi);
        let en = Translator::new(Lang::En);
        assert_eq!(format_at(&vi, at, plus7), "29/11/2026 20:40:05 (GMT+7)");
        assert_eq!(format_at(&en, at, plus7), "2026-11-29 20:40:05 (GMT+7)");
        let india = time::UtcOffset::from_hms(5, 30, 0).unwrap();
        assert_eq!(format_at(&vi, at, india), "29/11/2026 19:10:05 (GMT+5:30)");
        let west = time::UtcOffset::from_hms(-3, -30, 0).unwrap();
        assert_eq!(format_at(&en, at, west), "2026-11-29 10:10:05 (GMT-3:30)");
        assert_eq!(format_at(&en, at, time::UtcOffset::UTC), "2026-11-29 13:40:05 (GMT+0)");
        // Not a time: shown as it is; a time: never with its "Z".
        assert_eq!(local_time(&vi, "2025-01-01"), "2025-01-01");
        let shown = local_time(&vi, "2026-11-29T13:40:05Z");
        assert!(shown.contains("/11/2026") && shown.contains("(GMT") && !shown.ends_with('Z'), "{shown}");
    }

    /// A TZif file (RFC 8536) as the system keeps it: version 2, one
    /// transition from +08:00 to +07:00 at 1975-06-13 (as Asia/Ho_Chi_Minh).
    #[test]
    fn the_zone_file_gives_the_offset_at_each_instant() {
        fn header(version: u8, times: u32, types: u32, chars: u32) -> Vec<u8> {
            let mut h = b"TZif".to_vec();
            h.push(version);
            h.extend([0u8; 15]);
            for c in [0u32, 0, 0, times, types, chars] {
                h.extend(c.to_be_bytes());
            }
            h
        }
        let switch: i64 = 171_820_800; // 1975-06-13T00:00:00Z
        let mut f = header(b'2', 1, 2, 8);
        f.extend((switch as i32).to_be_bytes());
        f.push(1);
        for (off, idx) in [(8 * 3600i32, 0u8), (7 * 3600, 4)] {
            f.extend(off.to_be_bytes());
            f.extend([0, idx]);
        }
        f.extend(b"+08\0+07\0");
        f.extend(header(b'2', 1, 2, 8));
        f.extend(switch.to_be_bytes());
        f.push(1);
        for (off, idx) in [(8 * 3600i32, 0u8), (7 * 3600, 4)] {
            f.extend(off.to_be_bytes());
            f.extend([0, idx]);
        }
        f.extend(b"+08\0+07\0");
        f.extend(b"\n<+07>-7\n");
        let z = local_zone::parse(&f).expect("parses");
        assert_eq!(z.initial, 8 * 3600);
        assert_eq!(z.transitions, vec![(switch, 7 * 3600)]);
        // Truncated or foreign data is refused, never a panic.
        for cut in 0..f.len() {
            let _ = local_zone::parse(&f[..cut]);
        }
        assert!(local_zone::parse(b"not a zone file at all, just text......................").is_none());
        let mut bad = f.clone();
        // The version 2 block's type index (after the 25 bytes of the
        // version 1 block, its header and one 8-byte time): a type that
        // does not exist.
        bad[44 + 25 + 44 + 8] = 9;
        assert!(local_zone::parse(&bad).is_none());
    }

    /// The desktop settings and kyso-core read the same key: a `Config`
    /// saved with the shipped anchors off is read as off by the verifier.
    #[test]
    fn the_settings_file_switches_the_shipped_anchors() {
        let dir = tempfile::tempdir().unwrap();
        let path = crate::screen::settings::Config::path(dir.path());
        assert_eq!(path, kyso_core::settings_path(dir.path()));
        assert!(kyso_core::shipped_anchors_enabled(dir.path()));
        kyso_core::set_shipped_anchors_enabled(dir.path(), false).unwrap();
        assert!(!kyso_core::shipped_anchors_enabled(dir.path()));
        // The section shows each shipped certificate with its pin.
        let vi = Translator::new(Lang::Vi);
        let section: Element<'_, bool> = shipped_trust_section(&vi, false, |b| b);
        let mut ui = iced_test::simulator(section);
        for c in kyso_core::shipped_certificates() {
            assert!(ui.find(c.name).is_ok(), "{}", c.name);
            assert!(ui.find(vi.tr_args("gui-shipped-pin", &[("sha256", c.sha256)]).as_str()).is_ok());
        }
        let _ = ui.click(vi.tr("gui-shipped-toggle").as_str()).unwrap();
        assert_eq!(ui.into_messages().collect::<Vec<bool>>(), [true], "the switch turns them on");
    }

    /// `input` signed as VGCA's tools sign: the CMS carries the signer's
    /// certificate alone. Through kyso-core, with a PKCS#12 file that holds
    /// only the fixture signer's key and certificate (made by openssl, as
    /// the fixture's own files are); the revocation pre-check gets the
    /// intermediate and the CRLs. `None` when openssl is missing (a
    /// failure under KYSO_REQUIRE_ORACLES=1).
    fn sign_leaf_only(fx: &kyso_testkit::Fixture, input: &Path, dir: &Path) -> Option<PathBuf> {
        if !kyso_testkit::tool_or_skip("openssl", "a PKCS#12 file with the signer's certificate alone") {
            return None;
        }
        let p12 = dir.join("leaf-only.p12");
        let ok = std::process::Command::new("openssl")
            .args(["pkcs12", "-export", "-passout", "pass:kyso-p12", "-inkey"])
            .arg(fx.pki_file("canhan.key"))
            .arg("-in")
            .arg(fx.pki_file("canhan.pem"))
            .arg("-out")
            .arg(&p12)
            .status()
            .unwrap()
            .success();
        assert!(ok, "openssl pkcs12");
        let credential =
            kyso_core::Credential::Pkcs12 { path: p12, password: Some(zeroize::Zeroizing::new("kyso-p12".into())) };
        let mut r =
            kyso_core::SignRequest::new(vec![kyso_core::Target::beside(input)], credential, dir.join("signing"));
        r.precheck.offline = true;
        for name in ["crl.pem", "root-crl.pem"] {
            r.precheck.crls.push(kyso_pki::load_crl(&std::fs::read(fx.pki_file(name)).unwrap()).unwrap());
        }
        let int = kyso_pki::load_certificates(&std::fs::read(fx.pki_file("int.pem")).unwrap());
        r.precheck.certs.extend(int.into_iter().map(|c| c.cert));
        let batch = kyso_core::sign_batch(r, &mut |_| {}, &std::sync::atomic::AtomicBool::new(false)).unwrap();
        let out = batch.outcomes.into_iter().next().unwrap();
        assert!(out.result.is_ok(), "{:?}", out.result.err());
        out.output
    }

    /// Issue 18: a VGCA-style signature (the signer's certificate alone)
    /// reads HỢP LỆ with nothing imported — the fixture root and
    /// intermediate come in through the shipped-trust bundle, as the VGCA
    /// roots do — with local times and no raw code; switched off in the
    /// settings, it is not trusted and the screen says where to switch.
    #[test]
    fn a_vgca_style_signature_is_valid_with_no_imported_anchor() {
        let fx = kyso_testkit::require_fixture!();
        let Some(_revocation) = kyso_testkit::start_revocation_server(fx) else { return };
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let input = dir.path().join("cong-van.pdf");
        kyso_testkit::minimal_pdf(&input, 1);
        let Some(signed) = sign_leaf_only(fx, &input, dir.path()) else { return };
        let load = |n: &str| kyso_pki::load_certificates(&std::fs::read(fx.pki_file(n)).unwrap());
        let bundle = kyso_core::TrustBundle { anchors: load("root.pem"), intermediates: load("int.pem") };

        let vi = Translator::new(Lang::Vi);
        let mut v = Verify::default();
        let Some(Event::Verify(req)) = v.update(Message::Open(signed.clone())) else { panic!("no request") };
        assert!(req.anchors.is_empty() && req.extra.is_empty(), "nothing given by the user");
        let done = run_with(&req, &data, true, None, bundle.clone());
        let _ = v.update(Message::Finished(req.id, done));
        assert_eq!(v.overall(), Some(Indication::TotalPassed), "{:#?}", v.cards(&vi));
        let card = v.cards(&vi).remove(0);
        assert_eq!(card.verdict, vi.tr("ind-total-passed"));
        let value = |key: &str| card.rows.iter().find(|r| r.label == vi.tr(key)).map(|r| r.value.clone());
        let when = value("verify-signing-time").unwrap();
        assert!(when.contains("(GMT") && !when.contains('Z') && when.contains('/'), "{when}");
        assert_eq!(value("verify-integrity"), Some(vi.tr("verify-integrity-intact-only")));
        assert!(value("verify-anchor").unwrap().contains("TEST"), "{:?}", value("verify-anchor"));
        let mut ui = iced_test::simulator(v.view(&vi));
        let overall = format!("{}: {}", vi.tr("verify-overall"), vi.tr("ind-total-passed"));
        assert!(ui.find(overall.as_str()).is_ok(), "the overall verdict");
        assert!(ui.find(when.as_str()).is_ok(), "the local signing time");
        drop(ui);

        // The signature carries no intermediate: without the bundled one,
        // the root alone reaches nothing.
        let root_only = kyso_core::TrustBundle { intermediates: Vec::new(), ..bundle.clone() };
        let alone = run_with(&req, &data, true, None, root_only).unwrap();
        assert_eq!(alone.report.signatures[0].sub_indication, Some(SubIndication::NoCertificateChainFound));

        // Switched off in the settings: no trusted path, and a hint.
        kyso_core::set_shipped_anchors_enabled(&data, false).unwrap();
        let Some(Event::Verify(req)) = v.update(Message::Check) else { panic!("no request") };
        let _ = v.update(Message::Finished(req.id, run_with(&req, &data, true, None, bundle)));
        assert_eq!(v.overall(), Some(Indication::Indeterminate));
        let card = v.cards(&vi).remove(0);
        assert_eq!(
            card.verdict,
            format!("{} — {}", vi.tr("ind-indeterminate"), vi.tr("sub-no-certificate-chain-found"))
        );
        assert!(card.warnings.contains(&vi.tr("verify-signer-untrusted-hint")));
    }

    /// A simulator tall enough that the card and the pages need no
    /// scrolling.
    fn tall(e: Element<'_, Message>) -> iced_test::Simulator<'_, Message> {
        iced_test::Simulator::with_size(iced::Settings::default(), iced::Size::new(1400.0, 4000.0), e)
    }

    /// Issue 21: "Xem bản đã ký" shows the page as signed beside the page
    /// now, with the content replaced after signing outlined as not
    /// explained, and switches to the overlaid view with its slider.
    #[test]
    fn the_signed_version_view_shows_a_replaced_page() {
        use kyso_pdf::object::{Dict, Object, StreamData};
        let fx = kyso_testkit::require_fixture!();
        let dir = tempfile::tempdir().unwrap();
        let (input, tampered) = (dir.path().join("a.pdf"), dir.path().join("a.changed.pdf"));
        kyso_testkit::minimal_pdf(&input, 2);
        let Some(signed) = sign_leaf_only(fx, &input, dir.path()) else { return };
        // Page 2's text replaced in a later revision (ISO 32000-2 §7.5.6).
        let reader = kyso_pdf::PdfReader::open(&signed).unwrap();
        let page = reader.pages().unwrap()[1];
        let mut dict = reader.get(page).unwrap().as_dict().unwrap().clone();
        let next = reader.next_object_number();
        let text_now = b"BT /F1 24 Tf 72 720 Td (Trang 2: chi 900 trieu dong) Tj ET".to_vec();
        dict.set("Contents", Object::Ref(next, 0));
        let mut up = kyso_pdf::IncrementalUpdate::new(&reader, false);
        up.write(next, &Object::Stream(Dict::new(), StreamData::Bytes(text_now)));
        up.write(page, &Object::Dict(dict));
        let mut bytes = std::fs::read(&signed).unwrap();
        bytes.extend_from_slice(&up.finish(&reader));
        std::fs::write(&tampered, bytes).unwrap();

        let data = dir.path().join("data");
        let mut v = Verify::default();
        let Some(Event::Verify(req)) = v.update(Message::Open(tampered)) else { panic!("no request") };
        let done = run_with(&req, &data, false, None, kyso_core::TrustBundle::default()).unwrap();
        let view = &done.signed[0];
        assert_eq!(view.pages.iter().map(|p| p.page).collect::<Vec<_>>(), [2], "the changed page");
        let pair = &view.pages[0];
        let (before, after) = (pair.before.as_ref().unwrap(), pair.after.as_ref().unwrap());
        assert!(
            after.regions.iter().any(|(r, explained)| !explained && r.2 > 10.0 && r.3 > 5.0),
            "{:?}",
            after.regions
        );
        assert_eq!(before.size, after.size);
        assert_eq!(done.report.indication, Indication::TotalFailed, "a visible change fails the signature");
        let _ = v.update(Message::Finished(req.id, Ok(done)));

        // The saved HTML report shows the changed page, as signed and now,
        // as PNG pictures with the region outlined in red.
        let vi = Translator::new(Lang::Vi);
        let (_, html) = v.report(ReportFormat::Html, &vi).unwrap();
        let html = String::from_utf8(html).unwrap();
        assert_eq!(html.matches("data:image/png;base64,").count(), 2, "before and after of page 2");
        let png_at = html.find("data:image/png;base64,").unwrap() + "data:image/png;base64,".len();
        assert!(html[png_at..].starts_with("iVBORw0KGgo"), "a PNG signature");
        let mut ui = tall(v.view(&vi));
        let _ = ui.click(vi.tr("gui-signed-view-open").as_str()).unwrap();
        let messages: Vec<Message> = ui.into_messages().collect();
        assert!(matches!(messages.as_slice(), [Message::SignedView(Some(0))]), "{messages:?}");
        for m in messages {
            let _ = v.update(m);
        }
        let mut ui = tall(v.view(&vi));
        for key in
            ["gui-signed-view-before", "gui-signed-view-after", "gui-signed-view-changed", "gui-signed-view-close"]
        {
            assert!(ui.find(vi.tr(key).as_str()).is_ok(), "{key}");
        }
        assert!(ui.find(vi.tr_args("gui-signed-view-page", &[("page", "2")]).as_str()).is_ok());
        let _ = ui.click(vi.tr("gui-signed-view-overlay").as_str()).unwrap();
        let messages: Vec<Message> = ui.into_messages().collect();
        assert!(matches!(messages.as_slice(), [Message::SignedMode(SignedMode::Overlay)]), "{messages:?}");
        for m in messages {
            let _ = v.update(m);
        }
        let _ = v.update(Message::SignedBlend(0.3));
        let mut ui = tall(v.view(&vi));
        assert!(ui.find(vi.tr("gui-signed-view-before").as_str()).is_ok(), "the slider's ends are labelled");
        drop(ui);
        // A new result closes the view.
        let Some(Event::Verify(req)) = v.update(Message::Check) else { panic!() };
        let _ = v.update(Message::Finished(req.id, Err(Text::new("gui-task-failed"))));
        assert_eq!(v.signed_open, None);
    }

    /// Issue 18: a second file's result does not keep the first one's
    /// scroll offset. iced rebuilds a widget's state when the state type at
    /// its place changes; each new result changes it.
    #[test]
    fn each_new_result_starts_scrolled_to_the_top() {
        use iced_runtime::core::widget::Tree;
        let vi = Translator::new(Lang::Vi);
        let mut v = Verify::default();
        let show = |v: &mut Verify| {
            let Some(Event::Verify(req)) = v.update(Message::Open("x.pdf".into())) else { panic!() };
            let _ =
                v.update(Message::Finished(req.id, Ok(Done { report: report(), journal: None, signed: Vec::new() })));
        };
        show(&mut v);
        let first = v.view(&vi);
        let mut tree = Tree::new(first.as_widget());
        let before = tree.children[2].tag;
        drop(first);
        // The same result redrawn (scrolling, hovering): the state stays.
        let again = v.view(&vi);
        tree.diff(again.as_widget());
        assert_eq!(tree.children[2].tag, before);
        drop(again);
        show(&mut v);
        let second = v.view(&vi);
        tree.diff(second.as_widget());
        assert_ne!(tree.children[2].tag, before, "a new result: a new scroll state");
        drop(second);
        show(&mut v);
        let third = v.view(&vi);
        tree.diff(third.as_widget());
        assert_eq!(tree.children[2].tag, before, "alternating, and new again");
    }

    #[test]
    fn base64_is_rfc_4648() {
        // RFC 4648 §10 test vectors.
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), coded);
        }
    }

    /// An anchor typed in for one check that carries a pinned Vietnamese
    /// root's name without being it is refused, as the trust store does.
    #[test]
    fn an_anchor_named_like_a_pinned_root_is_refused() {
        if !kyso_testkit::tool_or_skip("openssl", "a self-signed certificate named like RootCA G2") {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let (key, fake, pdf) = (dir.path().join("k.pem"), dir.path().join("gia.pem"), dir.path().join("x.pdf"));
        let ok = std::process::Command::new("openssl")
            .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-utf8", "-subj"])
            .arg("/C=VN/O=Ban Cơ yếu Chính phủ/CN=RootCA chuyên dùng Chính phủ G2")
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&fake)
            .output()
            .unwrap();
        assert!(ok.status.success());
        kyso_testkit::minimal_pdf(&pdf, 1);
        let req = Request { id: 1, path: pdf, anchors: vec![fake], extra: vec![] };
        let err = run_with(&req, &dir.path().join("data"), false, None, kyso_core::TrustBundle::shipped()).unwrap_err();
        assert_eq!(err.key, "trust-pin-mismatch");
        assert!(err.render(&Translator::new(Lang::Vi)).contains("không khớp"));
    }
}
