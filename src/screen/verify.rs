//! The verification screen: a PDF's signatures, one card each.
//! Verification never runs here: `update` asks the application for one
//! through [`Event::Verify`] (the work is done by [`run`] on a thread of
//! its own), and the result comes back as [`Message::Finished`].

use std::path::{Path, PathBuf};

use iced::widget::{button, column, container, row, rule, scrollable, text, text_input};
use iced::{Color, Element, Fill, Font, font};
use kyso_i18n::Translator;
use kyso_pdf::{Indication, PdfReport, SignatureReport};

use crate::i18n::{Text, chain_key, indication_key, value_text, warning_text};

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
            Some(Err(e)) => body = body.push(text(e.render(t)).style(text::danger)),
            Some(Ok(done)) => {
                if let Some(file) = &self.checked {
                    body = body.push(text(t.tr_args("verify-file", &[("file", &file.display().to_string())])));
                }
                let tone = Tone::of(done.report.indication);
                body = body.push(banner(
                    format!("{}: {}", t.tr("verify-overall"), t.tr(indication_key(done.report.indication))),
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
                    Some(Err(e)) => body = body.push(text(e.render(t)).style(text::danger)),
                    None => {}
                }
                if done.report.signatures.is_empty() {
                    body = body.push(text(t.tr("verify-no-signature")));
                }
                if let Some(e) = &done.report.error {
                    body = body.push(text(e.clone()).style(text::danger));
                }
                for c in self.cards(t) {
                    body = body.push(card_view(c));
                }
                for u in &done.report.unsigned_fields {
                    body = body.push(text(t.tr_args("verify-unsigned-field", &[("field", u)])));
                }
                if let Some(j) = &done.journal {
                    body = body.push(text(j.render(t)).style(text::warning).size(13));
                }
            }
        }
        column![form, rule::horizontal(1), scrollable(body.padding([0, 12])).height(Fill)].spacing(12).into()
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

fn card_view<'a>(c: Card) -> Element<'a, Message> {
    let mut col = column![banner(format!("{} — {}", c.title, c.verdict), c.tone, 16)].spacing(4);
    for r in c.rows {
        let value = text(r.value);
        let value = if r.alert { value.style(text::danger).font(BOLD) } else { value };
        col = col.push(row![text(r.label).width(220), value].spacing(8));
    }
    for d in c.details {
        col = col.push(row![text("").width(220), text(format!("• {d}")).size(13)].spacing(8));
    }
    for w in c.warnings {
        col = col.push(text(format!("▲ {w}")).style(text::warning));
    }
    container(col.padding([0, 0])).padding(8).width(Fill).style(container::bordered_box).into()
}

fn card(t: &Translator, i: usize, s: &SignatureReport) -> Card {
    let none = || "—".to_owned();
    let mut rows = Vec::new();
    let mut push = |key: &str, value: String, alert: bool| rows.push(Row { label: t.tr(key), value, alert });
    // A signer the signature does not bind is never named.
    let unknown = s.kind == "signature" && s.signer_subject.is_none();
    let signer = if unknown { t.tr("verify-signer-unknown") } else { s.signer.clone().unwrap_or_else(none) };
    push("verify-signer", signer, unknown);
    if let Some(o) = &s.organization {
        push("verify-organization", o.clone(), false);
    }
    push("verify-issuer", s.issuer.clone().unwrap_or_else(none), false);
    push("verify-signing-time", s.signing_time.clone().unwrap_or_else(none), false);
    let untrusted = s.timestamp.is_some() && s.timestamp_trust != "trusted";
    let stamp = match &s.timestamp {
        Some(ts) if untrusted => format!("{ts} ({})", t.tr("verify-timestamp-untrusted")),
        Some(ts) => ts.clone(),
        None => t.tr("verify-none"),
    };
    push("verify-timestamp", stamp, untrusted);
    push("verify-poe-time", s.poe_time.clone().unwrap_or_else(|| t.tr("verify-none")), false);
    push("verify-integrity", value_text(t, "integrity", s.integrity), s.integrity != "intact");
    push("verify-coverage", value_text(t, "coverage", s.coverage), s.coverage == "anomaly");
    if let Some([k, n]) = s.revision {
        push(
            "verify-revision",
            t.tr_args("verify-revision-of", &[("k", &k.to_string()), ("n", &n.to_string())]),
            false,
        );
    }
    push("verify-modifications", value_text(t, "modifications", s.modifications), s.modifications == "disallowed");
    push("verify-chain", t.tr(chain_key(s.chain)), s.chain != kyso_pki::ChainStatus::Valid);
    push(
        "verify-revocation",
        value_text(t, "revocation", s.revocation),
        matches!(s.revocation, "revoked" | "revoked_no_poe"),
    );
    if let (Some(a), Some(b)) = (&s.cert_not_before, &s.cert_not_after) {
        push("cert-validity", t.tr_args("cert-validity-range", &[("from", a), ("to", b)]), false);
    }
    let verdict = match s.sub_indication {
        Some(sub) => format!("{} ({sub})", t.tr(indication_key(s.indication))),
        None => t.tr(indication_key(s.indication)),
    };
    Card {
        tone: Tone::of(s.indication),
        title: format!("{} {} — {}", t.tr("verify-signature"), i + 1, s.field),
        verdict,
        rows,
        // Every change after signing in the person's language; the
        // technical detail stays in the JSON report.
        details: if s.changes.is_empty() {
            s.modification_details.clone()
        } else {
            s.changes.iter().map(|c| t.change(c.kind, c.page, c.rect, c.allowed)).collect()
        },
        warnings: s.warnings.iter().map(|w| warning_text(t, w)).collect(),
    }
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
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>body{{font-family:'Liberation Sans',Arial,sans-serif;max-width:56rem;margin:2rem auto;color:#222}}h1{{font-size:1.4rem}}.banner{{color:#fff;padding:.5rem 1rem;font-weight:bold}}.amber{{color:#000}}table{{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}}td{{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top}}td:first-child{{width:30%;color:#555}}.alert{{color:#c62828;font-weight:bold}}.warn{{color:#8a6d00}}footer{{color:#777;font-size:.8rem}}</style></head><body>\n",
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
        html_escape(&t.tr(indication_key(done.report.indication)))
    ));
    if done.report.signatures.is_empty() {
        h.push_str(&format!("<p>{}</p>\n", html_escape(&t.tr("verify-no-signature"))));
    }
    for c in cards {
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
        for d in &c.details {
            h.push_str(&format!("<tr><td></td><td class=\"alert\">{}</td></tr>\n", html_escape(d)));
        }
        for w in &c.warnings {
            h.push_str(&format!("<tr><td></td><td class=\"warn\">⚠ {}</td></tr>\n", html_escape(w)));
        }
        h.push_str("</table>\n");
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
            ..Paragraph::body(format!("{}: {}", t.tr("verify-overall"), t.tr(indication_key(done.report.indication))))
        },
    ];
    if done.report.signatures.is_empty() {
        p.push(Paragraph::body(t.tr("verify-no-signature")));
    }
    for c in cards {
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
/// as `kyso-cli verify` does.
pub fn run(req: &Request, data_dir: &Path, online: bool, proxy: Option<String>) -> Result<Done, Text> {
    if !req.path.is_file() {
        return Err(Text::new("gui-file-not-found").arg("path", req.path.display().to_string()));
    }
    // Without anchors given, those imported with `kyso-cli trust add`.
    let anchors = if req.anchors.is_empty() {
        crate::screen::settings::stored_anchors(data_dir)
    } else {
        read_certs(&req.anchors)?
    };
    // Revocation the file does not carry is asked of the certificates'
    // OCSP responders and CRL distribution points (answers cached).
    let online = online.then(|| kyso_core::online_options(data_dir, proxy));
    let opts = kyso_core::VerifyOptions {
        anchors,
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
    Ok(Done { report: done.report, journal })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kyso_i18n::Lang;
    use kyso_pki::ChainStatus;

    fn sig(field: &str, indication: Indication, sub: Option<&'static str>) -> SignatureReport {
        SignatureReport {
            field: field.into(),
            kind: "signature",
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
            timestamp_trust: "none",
            poe_time: None,
            integrity: if indication == Indication::TotalFailed { "broken" } else { "intact" },
            coverage: "whole_file",
            modifications: "none",
            modification_details: vec![],
            modification_level: "none",
            changes: vec![],
            visual_changes: vec![],
            chain: if indication == Indication::TotalPassed { ChainStatus::Valid } else { ChainStatus::NoChainFound },
            chain_path: vec![],
            revocation: "not_checked",
            indication,
            sub_indication: sub,
            warnings: vec!["revocation_not_checked".into(), "brand_new_warning".into()],
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
                sig("Sig2", Indication::TotalFailed, Some("HASH_FAILURE")),
                sig("Sig3", Indication::Indeterminate, Some("NO_CERTIFICATE_CHAIN_FOUND")),
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
        let _ = v.update(Message::Finished(second.id, Ok(Done { report: report(), journal: None })));
        assert!(!v.is_running());
        assert_eq!(v.overall(), Some(Indication::TotalFailed));
    }

    #[test]
    fn cards_have_the_colour_of_their_verdict_and_follow_the_language() {
        let mut v = Verify::default();
        let Some(Event::Verify(req)) = v.update(Message::Open("x.pdf".into())) else { panic!("no request") };
        let _ = v.update(Message::Finished(req.id, Ok(Done { report: report(), journal: None })));

        let en = Translator::new(Lang::En);
        let cards = v.cards(&en);
        let tones: Vec<Tone> = cards.iter().map(|c| c.tone).collect();
        assert_eq!(tones, vec![Tone::Passed, Tone::Failed, Tone::Indeterminate]);
        assert_eq!(cards[0].verdict, "VALID");
        assert_eq!(cards[1].verdict, "INVALID (HASH_FAILURE)");
        assert!(cards[0].title.starts_with("Signature 1"));
        let integrity = |c: &Card| c.rows.iter().find(|r| r.label == "Integrity").cloned().expect("integrity row");
        assert!(!integrity(&cards[0]).alert);
        assert!(integrity(&cards[1]).alert && integrity(&cards[1]).value == "ALTERED");
        assert!(cards[0].rows.iter().any(|r| r.label == "Validity" && r.value.contains("2028-01-01")));
        // Known warnings are translated, unknown ones shown raw.
        assert_eq!(cards[0].warnings, vec![en.tr("warn-revocation-not-checked"), "brand_new_warning".to_owned()]);

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
        let _ = v.update(Message::Finished(req.id, Ok(Done { report: report(), journal: None })));
        assert_eq!(v.update(Message::Export(ReportFormat::Html)), Some(Event::Export(ReportFormat::Html)));

        let vi = Translator::new(Lang::Vi);
        let (path, html) = v.report(ReportFormat::Html, &vi).unwrap();
        let html = String::from_utf8(html).unwrap();
        assert_eq!(path, dir.path().join("quyet-dinh.kyso-report.html"));
        assert!(html.starts_with("<!DOCTYPE html>") && html.contains("lang=\"vi\""));
        assert!(html.contains(&vi.tr("gui-report-title")) && html.contains("Nguyễn Văn A"));
        assert!(html.contains("HASH_FAILURE") && html.contains("#c62828"), "the failed card is red");
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
            assert!(text.contains("HASH_FAILURE"), "{text}");
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
        let _ = v.update(Message::Finished(req.id, Ok(Done { report: report(), journal: None })));
        let mut ui = simulator(v.view(&vi));
        assert!(ui.find("Nguyễn Văn A").is_ok());
        let overall = format!("{}: {}", vi.tr("verify-overall"), vi.tr("ind-total-failed"));
        assert!(ui.find(overall.as_str()).is_ok(), "the overall verdict banner");
        let _ = ui.click(vi.tr("gui-report-html").as_str()).unwrap();
        let messages: Vec<Message> = ui.into_messages().collect();
        assert!(matches!(messages.as_slice(), [Message::Export(ReportFormat::Html)]), "{messages:?}");
    }
}
