//! The check before the PIN: once the form is complete, kyso-core's
//! [`kyso_core::precheck`] runs in the background (certificate kind for the
//! role, NĐ 30/2020 Art. 32–33; output naming and whether it may be
//! written; revocation, Thông tư 15/2025 Art. 5; the timestamp server,
//! RFC 3161; the images the role needs). Its findings are shown translated;
//! what blocks stops here, what needs the person's word is asked
//! (overwrite or number the copy; sign without a revocation check, with
//! the explicit confirmation Thông tư 15/2025 requires, or cancel), and
//! only then does the PIN dialog open.

use std::path::{Path, PathBuf};

use iced::widget::{button, column, container, row, text};
use iced::{Element, Fill};
use kyso_core::{CertKind, Finding, OnExists, RequiredImage, Role, Severity};
use kyso_i18n::{Localize as _, Translator};

use super::progress::Plan;
use crate::font::BOLD;
use crate::i18n::{Text, core_error_message};
use crate::theme;

/// What a finding asks of the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// A signed copy's file exists: overwrite it or number the copy.
    Output,
    /// Revocation could not be checked: sign anyway (confirmed) or not.
    Revocation,
}

/// What a finding says, kept untranslated until shown.
#[derive(Debug, Clone, PartialEq)]
enum Said {
    /// A message.
    Text(Text),
    /// A message naming a role (translated when shown).
    Role { key: &'static str, role: Role, subject: String },
}

/// A finding of the check, as the screen shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    said: Said,
    /// How much it matters.
    pub severity: Severity,
    /// What it asks, when it needs the person's word.
    pub ask: Option<Ask>,
    /// The file it is about.
    pub file: Option<PathBuf>,
    /// The free numbered name an existing output's copy would take.
    numbered: Option<PathBuf>,
}

impl Found {
    /// The translated text.
    pub fn render(&self, t: &Translator) -> String {
        let line = match &self.said {
            Said::Text(x) => x.render(t),
            Said::Role { key, role, subject } => {
                t.tr_args(key, &[("role", &t.tr(kyso_i18n::role_key(*role))), ("subject", subject)])
            }
        };
        match (&self.file, self.severity) {
            (Some(f), Severity::Blocker | Severity::Confirm) => {
                let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                format!("{name}: {line}")
            }
            _ => line,
        }
    }

    /// The message key (tests).
    #[cfg(test)]
    pub fn key(&self) -> &'static str {
        match &self.said {
            Said::Text(x) => x.key,
            Said::Role { key, .. } => key,
        }
    }
}

/// A finding of kyso-core as the screen shows it; `None` for what needs no
/// word (revocation answered).
pub(super) fn found(f: &Finding, files: &[(PathBuf, PathBuf)]) -> Option<Found> {
    let path = |p: &Path| p.display().to_string();
    let said = match f {
        Finding::RevocationChecked { .. } => return None,
        Finding::OutputExists { path: p, .. } => Said::Text(Text::new("precheck-output-exists").arg("path", path(p))),
        Finding::OutputReplaced { path: p, .. } => {
            Said::Text(Text::new("precheck-output-replaced").arg("path", path(p)))
        }
        Finding::OutputNumbered { taken, path: p, .. } => {
            Said::Text(Text::new("precheck-output-numbered").arg("taken", path(taken)).arg("path", path(p)))
        }
        Finding::SignedInPlace { path: p, .. } => {
            Said::Text(Text::new("precheck-signed-in-place").arg("path", path(p)))
        }
        Finding::OutputNotWritable { dir, detail, .. } => {
            Said::Text(Text::new("precheck-output-not-writable").arg("dir", path(dir)).arg("detail", detail.clone()))
        }
        Finding::RoleMismatch { role, needed, subject, .. } => Said::Role {
            key: if *needed == CertKind::Personal {
                "precheck-role-needs-personal"
            } else {
                "precheck-role-needs-organization"
            },
            role: *role,
            subject: subject.clone(),
        },
        Finding::CertificateKindUnknown { role, subject } => {
            Said::Role { key: "precheck-kind-unknown", role: *role, subject: subject.clone() }
        }
        Finding::CertificateUnusable(w) => Said::Text(Text::new(super::certificate::refusal_key(*w))),
        Finding::CertificateRevoked(_) => Said::Text(Text::new("err-cert-revoked")),
        Finding::RevocationUnchecked { detail, confirmed: false } => {
            Said::Text(Text::new("precheck-revocation-unchecked").arg_message("detail", detail.message()))
        }
        Finding::RevocationUnchecked { detail, .. } => {
            Said::Text(Text::new("warn-revocation-unchecked-signing").arg_message("detail", detail.message()))
        }
        Finding::TsaUnreachable { url, detail } => {
            Said::Text(Text::new("precheck-tsa-unreachable").arg("url", url.clone()).arg("detail", detail.clone()))
        }
        Finding::TsaSlow { url, waited } => {
            Said::Text(Text::new("precheck-tsa-slow").arg("url", url.clone()).arg("seconds", waited.to_string()))
        }
        Finding::ImageRequired { image: RequiredImage::Signature, .. } => {
            Said::Text(Text::new("precheck-image-signature"))
        }
        Finding::ImageRequired { .. } => Said::Text(Text::new("precheck-image-seal")),
        Finding::NotForOffice { .. } => Said::Text(Text::new("gui-office-no-look")),
        Finding::LevelNotForOffice { .. } => Said::Text(Text::new("gui-office-level")),
        Finding::File { error: kyso_core::Error::Placement(e), .. } => Said::Text(super::preview::preset_text(e)),
        Finding::Credential(e) | Finding::File { error: e, .. } => Said::Text(core_error_message(e)),
        other => Said::Text(Text::new("err-signer").arg("detail", format!("{other:?}"))),
    };
    let ask = match f {
        Finding::OutputExists { .. } => Some(Ask::Output),
        Finding::RevocationUnchecked { confirmed: false, .. } => Some(Ask::Revocation),
        _ => None,
    };
    let file = f.file().and_then(|i| files.get(i)).map(|(input, _)| input.clone());
    let numbered = match f {
        Finding::OutputExists { numbered, .. } => Some(numbered.clone()),
        _ => None,
    };
    Some(Found { said, severity: f.severity(), ask, file, numbered })
}

/// Runs kyso-core's check before the PIN for `plan` (blocking: run it off
/// the UI thread; it asks the tokens, the revocation services and the
/// timestamp server).
pub fn run_precheck(plan: &Plan, data_dir: &Path) -> Vec<Found> {
    let req = plan.request(data_dir, None);
    let pre = kyso_core::precheck(&req);
    let mut out: Vec<Found> = pre.findings.iter().filter_map(|f| found(f, &plan.files)).collect();
    // A signing it blocks is journaled as the CLI journals it (one failed
    // entry per file, never a PIN); a journal problem is shown with the rest.
    if pre.blocked() {
        for p in kyso_core::journal_stopped(&req, &pre) {
            let said = Said::Text(super::progress::journal_text(&p));
            out.push(Found { said, severity: Severity::Info, ask: None, file: None, numbered: None });
        }
    }
    out
}

/// What the findings panel's buttons emit.
#[derive(Debug, Clone)]
pub enum Message {
    /// Replace the existing signed copies.
    Overwrite,
    /// Write the copies under the next free numbered name.
    Number,
    /// Sign without a revocation check (the confirmation itself).
    SignUnchecked,
    /// Do not sign.
    Cancel,
}

/// What the findings panel tells the sign screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Everything asked was answered: on to the PIN with these answers.
    Proceed {
        /// What to do with existing outputs.
        on_exists: OnExists,
        /// Sign without a revocation check (confirmed).
        allow_unchecked: bool,
    },
    /// The person chose not to sign.
    Cancelled,
}

/// The findings of one check and the answers given so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    found: Vec<Found>,
    on_exists: Option<OnExists>,
    allow_unchecked: bool,
}

impl Review {
    /// The findings of a check, with nothing answered yet.
    pub fn new(found: Vec<Found>, allow_unchecked: bool) -> Self {
        Self { found, on_exists: None, allow_unchecked }
    }

    /// The findings.
    #[cfg(test)]
    pub fn found(&self) -> &[Found] {
        &self.found
    }

    /// Whether anything stops the signing.
    pub fn blocked(&self) -> bool {
        self.found.iter().any(|f| f.severity == Severity::Blocker)
    }

    fn needs(&self, ask: Ask) -> bool {
        self.found.iter().any(|f| f.ask == Some(ask))
    }

    /// The answers, once every question is answered and nothing blocks.
    pub fn ready(&self) -> Option<Event> {
        if self.blocked() {
            return None;
        }
        let on_exists = match (self.needs(Ask::Output), self.on_exists) {
            (false, _) => OnExists::Ask,
            (true, Some(o)) => o,
            (true, None) => return None,
        };
        if self.needs(Ask::Revocation) && !self.allow_unchecked {
            return None;
        }
        Some(Event::Proceed { on_exists, allow_unchecked: self.allow_unchecked })
    }

    /// Handles a button of the panel.
    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Overwrite => self.on_exists = Some(OnExists::Overwrite),
            Message::Number => self.on_exists = Some(OnExists::Number),
            Message::SignUnchecked => self.allow_unchecked = true,
            Message::Cancel => return Some(Event::Cancelled),
        }
        self.ready()
    }

    /// The notes worth showing in the PIN dialog (what will happen).
    pub fn notes(&self, t: &Translator) -> Vec<String> {
        self.found.iter().filter(|f| f.severity == Severity::Info).map(|f| f.render(t)).collect()
    }

    /// The panel: each finding, and the choices still open.
    pub fn view<'a>(&'a self, t: &Translator) -> Element<'a, Message> {
        let title = if self.blocked() { "gui-precheck-blocked" } else { "gui-precheck-confirm" };
        let mut col = column![text(t.tr(title)).font(BOLD)].spacing(8);
        for f in &self.found {
            let line = text(f.render(t)).size(14);
            col = col.push(match f.severity {
                Severity::Blocker => line.style(theme::text_danger),
                Severity::Confirm => line.style(theme::text_warning),
                Severity::Info => line.style(theme::text_muted),
            });
        }
        let mut choices = row![].spacing(8);
        if !self.blocked() {
            if self.needs(Ask::Output) {
                let picked = |o: OnExists| if self.on_exists == Some(o) { button::primary } else { button::secondary };
                // One file: the button names the copy's new name.
                let asked: Vec<&Found> = self.found.iter().filter(|f| f.ask == Some(Ask::Output)).collect();
                let numbered = match asked.as_slice() {
                    [one] => one
                        .numbered
                        .as_ref()
                        .and_then(|p| p.file_name())
                        .map(|n| t.tr_args("gui-precheck-number-as", &[("name", &n.to_string_lossy())])),
                    _ => None,
                }
                .unwrap_or_else(|| t.tr("gui-precheck-number"));
                choices = choices
                    .push(
                        button(text(t.tr("gui-precheck-overwrite")))
                            .style(picked(OnExists::Overwrite))
                            .on_press(Message::Overwrite),
                    )
                    .push(button(text(numbered)).style(picked(OnExists::Number)).on_press(Message::Number));
            }
            if self.needs(Ask::Revocation) && !self.allow_unchecked {
                choices = choices.push(
                    button(text(t.tr("gui-precheck-sign-unchecked")))
                        .style(button::danger)
                        .on_press(Message::SignUnchecked),
                );
            }
        }
        choices = choices.push(button(text(t.tr("gui-cancel"))).style(button::secondary).on_press(Message::Cancel));
        col = col.push(choices.wrap());
        container(col.width(Fill)).padding(10).style(container::bordered_box).into()
    }
}
