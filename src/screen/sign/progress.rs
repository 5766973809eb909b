//! A signing under way and its outcome: the background job ([`run`]) that
//! signs every file through kyso-core with one login, the per-file states,
//! the cancel button and the result line.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use iced::widget::{button, column, row, text};
use iced::{Element, Fill};
use kyso_i18n::Translator;
use kyso_token::Pin;

use super::certificate::Choice;
use super::role::{Level, RoleChoice, RoleInputs, look};
use crate::font::BOLD;
use crate::i18n::Text;
use crate::screen::settings::CertImages;
use crate::theme;

/// Seconds to wait for the TSA (the VGCA TSA can take minutes).
const TSA_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(180);

/// How a signing goes on (sent as it happens).
#[derive(Debug, Clone)]
pub enum Step {
    /// File `i` is being signed.
    Started(usize),
    /// File `i`'s look was placed; the clerk's number and date were
    /// written there (what, text, page).
    Placed(usize, Vec<Written>),
    /// File `i` ended: the signed file or why not.
    File(usize, Result<PathBuf, Text>),
    /// The batch ended: what stopped it before any file (PIN, token,
    /// revocation), then any journal problem.
    Done(Result<(), Text>, Option<Text>),
}

/// A text the clerk's look wrote into the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    /// `number`, `day`, `month`, `year` or `date`.
    pub what: &'static str,
    /// The text written.
    pub text: String,
    /// Its page (1-based).
    pub page: usize,
}

impl Written {
    fn key(&self) -> &'static str {
        match self.what {
            "number" => "gui-written-number",
            "day" => "gui-written-day",
            "month" => "gui-written-month",
            "year" => "gui-written-year",
            _ => "gui-written-date",
        }
    }
}

/// Where a file of the batch is.
#[derive(Debug, Clone, PartialEq)]
pub enum FileStatus {
    /// Not started.
    Waiting,
    /// Being signed.
    Signing,
    /// Signed into this file.
    Signed(PathBuf),
    /// Not signed, and why.
    Failed(Text),
    /// Not attempted (cancelled, or the batch stopped).
    Skipped,
}

/// Everything a signing needs but the PIN: what the check before the PIN
/// judges and the signing then does.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The files and where each signed copy goes.
    pub files: Vec<(PathBuf, PathBuf)>,
    /// The certificate.
    pub choice: Choice,
    /// The role.
    pub role: RoleChoice,
    /// Role inputs.
    pub inputs: RoleInputs,
    /// Sign even when revocation could not be checked (explicit consent,
    /// Thông tư 15/2025).
    pub allow_unchecked: bool,
    /// The level.
    pub level: Level,
    /// The TSA for B-T and above.
    pub tsa: String,
    /// The HTTP proxy of the settings (`None`: the environment's).
    pub proxy: Option<String>,
    /// What to do with a signed copy that exists already.
    pub on_exists: kyso_core::OnExists,
}

impl Plan {
    /// The kyso-core request of this plan (with the PIN when signing,
    /// without when checking before the PIN).
    pub fn request(&self, data_dir: &Path, pin: Option<Pin>) -> kyso_core::SignRequest {
        let files = self.files.iter().map(|(i, o)| kyso_core::Target::to(i, o)).collect();
        let credential = kyso_core::Credential::Token { entry: Box::new(self.choice.entry.clone()), pin };
        let mut req = kyso_core::SignRequest::new(files, credential, data_dir);
        req.level = self.level;
        req.tsa = kyso_core::Tsa { url: self.tsa.clone(), timeout: TSA_TIMEOUT };
        req.proxy = self.proxy.clone();
        req.look = look(self.role, &self.inputs);
        req.pdf.page = self.inputs.placement.map(|(p, _)| p);
        req.precheck.allow_unchecked = self.allow_unchecked;
        req.on_exists = self.on_exists;
        req.all_or_nothing = true;
        req
    }
}

/// A signing: the plan, the PIN and the cancel flag.
#[derive(Debug)]
pub struct Job {
    /// What is signed, how.
    pub plan: Plan,
    /// Set to stop before the next file.
    pub cancel: Arc<AtomicBool>,
    /// The PIN (moved out of the dialog).
    pub pin: Pin,
}

/// What the progress section's widgets emit.
#[derive(Debug, Clone)]
pub enum Message {
    /// Signing went one step further.
    Step(Step),
    /// Stop after the file being signed.
    Cancel,
    /// The user asked to open the folder of the signed file.
    OpenFolder(PathBuf),
}

/// What the progress section tells the sign screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Show this file's folder in the system's file manager.
    OpenFolder(PathBuf),
    /// The batch ended.
    Finished {
        /// The inputs signed.
        signed: Vec<PathBuf>,
        /// A PIN error stopped it (the token's counter changed).
        pin_failed: bool,
        /// Images to remember for the certificate (on success).
        remember: Option<(String, CertImages)>,
    },
}

/// The running or last batch.
#[derive(Debug, Default)]
pub struct Progress {
    signing: bool,
    /// The files of the running or last batch, with their state.
    files: Vec<(PathBuf, FileStatus)>,
    cancel: Option<Arc<AtomicBool>>,
    result: Option<Result<PathBuf, Text>>,
    journal: Option<Text>,
    /// Images to remember for the certificate of the running signing.
    remember: Option<(String, CertImages)>,
    /// What the clerk's look wrote, per file of the batch.
    written: Vec<Vec<Written>>,
}

impl Progress {
    /// Whether a signing runs.
    pub fn is_signing(&self) -> bool {
        self.signing
    }

    /// The last result.
    #[cfg(test)]
    pub fn result(&self) -> Option<&Result<PathBuf, Text>> {
        self.result.as_ref()
    }

    /// The per-file states of the last batch.
    #[cfg(test)]
    pub fn files(&self) -> &[(PathBuf, FileStatus)] {
        &self.files
    }

    /// Shows why the signing could not start.
    pub fn refuse(&mut self, e: Text) {
        self.result = Some(Err(e));
    }

    /// Forgets the last result (a new attempt begins).
    pub fn clear_result(&mut self) {
        self.result = None;
    }

    /// Starts a batch of `files`; returns its cancel flag.
    pub fn start(&mut self, files: &[(PathBuf, PathBuf)], remember: Option<(String, CertImages)>) -> Arc<AtomicBool> {
        let cancel = Arc::new(AtomicBool::new(false));
        self.signing = true;
        self.journal = None;
        self.remember = remember;
        self.cancel = Some(cancel.clone());
        self.files = files.iter().map(|(i, _)| (i.clone(), FileStatus::Waiting)).collect();
        self.written = vec![Vec::new(); files.len()];
        cancel
    }

    /// Handles a message of the section.
    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Cancel => {
                if let Some(c) = &self.cancel {
                    c.store(true, Ordering::SeqCst);
                }
                None
            }
            Message::OpenFolder(file) => Some(Event::OpenFolder(file)),
            Message::Step(step) => self.step(step),
        }
    }

    fn step(&mut self, step: Step) -> Option<Event> {
        match step {
            Step::Started(i) => {
                if let Some((_, s)) = self.files.get_mut(i) {
                    *s = FileStatus::Signing;
                }
                None
            }
            Step::Placed(i, w) => {
                if let Some(slot) = self.written.get_mut(i) {
                    *slot = w;
                }
                None
            }
            Step::File(i, r) => {
                if let Some((_, s)) = self.files.get_mut(i) {
                    *s = match r {
                        Ok(p) => FileStatus::Signed(p),
                        Err(e) => FileStatus::Failed(e),
                    };
                }
                None
            }
            Step::Done(result, journal) => {
                self.signing = false;
                self.cancel = None;
                self.journal = journal;
                for (_, s) in &mut self.files {
                    if matches!(s, FileStatus::Waiting | FileStatus::Signing) {
                        *s = FileStatus::Skipped;
                    }
                }
                let pin_failed = matches!(&result, Err(e) if e.key.starts_with("err-pin"));
                let signed: Vec<PathBuf> = self
                    .files
                    .iter()
                    .filter(|(_, s)| matches!(s, FileStatus::Signed(_)))
                    .map(|(p, _)| p.clone())
                    .collect();
                self.result = Some(match result {
                    Err(e) => Err(e),
                    Ok(()) => {
                        let failed = self.files.iter().find_map(|(_, s)| match s {
                            FileStatus::Failed(e) => Some(e.clone()),
                            _ => None,
                        });
                        let last = self.files.iter().rev().find_map(|(_, s)| match s {
                            FileStatus::Signed(p) => Some(p.clone()),
                            _ => None,
                        });
                        match (failed, last) {
                            (Some(e), _) => Err(e),
                            (None, Some(p)) => Ok(p),
                            (None, None) => Err(Text::new("gui-cancelled")),
                        }
                    }
                });
                // The images the certificate signed with (as they were when
                // the PIN was confirmed) are remembered after a success.
                let remember = self.remember.take().filter(|_| matches!(self.result, Some(Ok(_))));
                Some(Event::Finished { signed, pin_failed, remember })
            }
        }
    }

    /// The counter and the cancel button, beside the sign button.
    pub fn inline<'a>(&'a self, t: &Translator) -> Element<'a, Message> {
        if !self.signing {
            return row![].into();
        }
        let done = self.files.iter().filter(|(_, s)| !matches!(s, FileStatus::Waiting | FileStatus::Signing)).count();
        let cancelling = self.cancel.as_ref().is_some_and(|c| c.load(Ordering::SeqCst));
        row![
            text(t.tr_args(
                "gui-signing-progress",
                &[("done", &done.to_string()), ("total", &self.files.len().to_string())],
            )),
            button(text(t.tr("gui-cancel")))
                .style(button::secondary)
                .on_press_maybe((!cancelling).then_some(Message::Cancel)),
        ]
        .spacing(12)
        .align_y(iced::Center)
        .into()
    }

    /// The per-file states, the result and any journal problem.
    pub fn view<'a>(&'a self, t: &Translator) -> Element<'a, Message> {
        let mut bar = column![].spacing(6);
        if self.signing {
            bar = bar.push(text(t.tr("gui-signing")).size(13));
        }
        if self.files.len() > 1 || self.signing {
            for (input, status) in &self.files {
                bar = bar.push(file_status_view(t, input, status));
            }
        }
        match &self.result {
            Some(Ok(out)) if self.files.len() <= 1 => {
                bar = bar.push(
                    row![
                        text(t.tr_args("gui-signed", &[("output", &out.display().to_string())]))
                            .style(theme::text_success),
                        button(text(t.tr("gui-open-folder")).size(14))
                            .style(button::secondary)
                            .on_press(Message::OpenFolder(out.clone())),
                    ]
                    .spacing(12)
                    .align_y(iced::Center),
                )
            }
            Some(Err(e)) => bar = bar.push(text(e.render(t)).style(theme::text_danger)),
            _ => {}
        }
        // What the clerk's look wrote into each signed file (NĐ 30/2020
        // Art. 15(3): the number and the date of issue).
        for ((_, status), written) in self.files.iter().zip(&self.written) {
            if matches!(status, FileStatus::Signed(_)) && !written.is_empty() {
                bar = bar.push(text(written_line(t, written)).size(13));
            }
        }
        if let Some(j) = &self.journal {
            bar = bar.push(text(j.render(t)).style(theme::text_warning).size(13));
        }
        bar.width(Fill).into()
    }
}

/// "Written on page 1: number 45, day 05, month 3" in the person's language.
fn written_line(t: &Translator, written: &[Written]) -> String {
    let page = written.first().map_or(1, |w| w.page);
    let items: Vec<String> = written.iter().map(|w| t.tr_args(w.key(), &[("text", &w.text)])).collect();
    t.tr_args("gui-written", &[("page", &page.to_string()), ("items", &items.join(", "))])
}

fn file_status_view<'a>(t: &Translator, input: &Path, status: &'a FileStatus) -> Element<'a, Message> {
    let name = input.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let line = match status {
        FileStatus::Waiting => text(t.tr_args("gui-file-waiting", &[("file", &name)])).size(13),
        FileStatus::Signing => text(t.tr_args("gui-file-signing", &[("file", &name)])).size(13).font(BOLD),
        FileStatus::Signed(out) => {
            return row![
                text(t.tr_args("gui-file-signed", &[("file", &name), ("output", &out.display().to_string())]))
                    .size(13)
                    .style(theme::text_success),
                button(text(t.tr("gui-open-folder")).size(12))
                    .style(button::secondary)
                    .on_press(Message::OpenFolder(out.clone())),
            ]
            .spacing(8)
            .align_y(iced::Center)
            .into();
        }
        FileStatus::Failed(e) => text(t.tr_args("gui-file-failed", &[("file", &name), ("detail", &e.render(t))]))
            .size(13)
            .style(theme::text_danger),
        FileStatus::Skipped => {
            text(t.tr_args("gui-file-skipped", &[("file", &name)])).size(13).style(theme::text_warning)
        }
    };
    line.into()
}

/// Opens the folder holding `file` in the system's file manager (detached;
/// a failure is only returned, never fatal).
pub fn open_folder(file: &Path) -> std::io::Result<()> {
    let dir = file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let program = if cfg!(target_os = "windows") {
        "explorer"
    } else if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    std::process::Command::new(program)
        .arg(dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(|_| ())
}

/// A journal problem in words.
pub(super) fn journal_text(p: &kyso_core::JournalProblem) -> Text {
    match p {
        kyso_core::JournalProblem::Recovered(w) => Text::new("journal-recovered").arg("detail", w.clone()),
        kyso_core::JournalProblem::WriteFailed(d) => Text::new("journal-write-failed").arg("detail", d.clone()),
    }
}

/// Signs every file of the job (blocking: run it off the UI thread)
/// through kyso-core with one login, reporting each step through
/// `report`. Every file is prepared before the PIN is used (a missing image
/// costs no PIN attempt); the certificate is checked first (TT 15/2025
/// Art. 5); each file is journaled as `kyso-cli sign` does (never the
/// PIN). A file either gets its complete signed copy or nothing; the inputs
/// are never modified. Cancelling stops before the next file.
pub fn run(mut job: Job, data_dir: &Path, report: &mut dyn FnMut(Step)) {
    let pin = std::mem::replace(&mut job.pin, Pin::new(String::new()));
    let req = job.plan.request(data_dir, Some(pin));
    let mut journal_problem = None;
    let done = kyso_core::sign_batch(
        req,
        &mut |p| match p {
            kyso_core::Progress::Started(i) => report(Step::Started(i)),
            kyso_core::Progress::Placed { index, written, .. } => report(Step::Placed(
                index,
                written.iter().map(|w| Written { what: w.what, text: w.text.clone(), page: w.page }).collect(),
            )),
            kyso_core::Progress::Finished { index, outcome } => {
                let result = match &outcome.result {
                    Ok(_) => outcome.output.clone().ok_or_else(|| Text::new("gui-task-failed")),
                    Err(e) => Err(crate::i18n::core_error_message(e)),
                };
                report(Step::File(index, result));
            }
            kyso_core::Progress::Journal(j) => journal_problem = Some(journal_text(j)),
            _ => {}
        },
        &job.cancel,
    );
    report(Step::Done(done.map(|_| ()).map_err(|e| crate::i18n::core_error_message(&e)), journal_problem));
}
