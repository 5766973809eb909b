//! The signing screen: one or several files, a certificate on a token, a
//! visible-signature role placed on a page preview, then the PIN.
//!
//! Each part is a component with its own `Message`, `update` and `view`
//! ([`files`], [`certificate`], [`role`], [`preview`], [`progress`], and the
//! PIN dialog in [`crate::modal::pin`]); this module nests their messages,
//! turns what they tell it into [`Event`]s for the application, and checks
//! the whole form before the PIN is asked. Token, disk and rendering work
//! never runs here: the application runs [`load_certificates`],
//! [`render_preview`] and [`run`] on threads of their own and the results
//! come back as messages.
//!
//! The PIN lives only in the dialog's field: confirming moves it into a
//! [`kyso_token::Pin`] (zeroized on drop) and clears the field; cancelling
//! wipes it; a wrong PIN is reported and never retried.

pub mod certificate;
pub mod files;
pub mod precheck;
pub mod preview;
pub mod progress;
pub mod role;
#[cfg(test)]
pub(crate) mod tests;

use std::path::{Path, PathBuf};

use iced::widget::{button, column, row, rule, scrollable, text};
use iced::{Element, Fill};
use kyso_i18n::Translator;

pub use self::certificate::load_certificates;
pub use self::precheck::run_precheck;
pub use self::preview::{PreviewRequest, render_preview};
pub use self::progress::{Job, Plan, Step, open_folder, run};
pub use self::role::{Field, Level, RoleChoice};
#[cfg(test)]
pub use self::{certificate::Choice, preview::PREVIEW_ID, progress::FileStatus};
use crate::i18n::Text;
pub use crate::modal::pin::PIN_ID;
#[cfg(test)]
pub use crate::modal::pin::Secret;
use crate::modal::pin::{self, Dialog};
use crate::screen::settings::{CertImages, Config};

/// Messages of the signing screen: those of its parts, and "Sign".
#[derive(Debug, Clone)]
pub enum Message {
    /// The files and the output.
    Files(files::Message),
    /// The certificate list.
    Certificate(certificate::Message),
    /// The role, its inputs, the level.
    Role(role::Message),
    /// The page preview.
    Preview(preview::Message),
    /// The running signing.
    Progress(progress::Message),
    /// The PIN dialog.
    Pin(pin::Message),
    /// The check before the PIN ended (its id; `None`: it panicked).
    Checked(u64, Option<Vec<precheck::Found>>),
    /// A choice on the findings of that check.
    Review(precheck::Message),
    /// The user pressed "Sign": the form is checked and the PIN dialog opens.
    Sign,
}

/// What the screen asks of the application.
#[derive(Debug)]
pub enum Event {
    /// Run [`load_certificates`] in the background.
    LoadCertificates,
    /// Run [`run_precheck`] in the background; its result comes back as
    /// [`Message::Checked`] with this id.
    Precheck(u64, Box<Plan>),
    /// Run [`run`] in the background.
    Sign(Box<Job>),
    /// Show this file's folder in the system's file manager.
    OpenFolder(PathBuf),
    /// Run [`render_preview`] in the background.
    Preview(Box<PreviewRequest>),
    /// Ask the system's dialog for documents to sign.
    PickFiles,
    /// Ask the system's dialog for a PNG for this field.
    PickImage(Field),
    /// Keep these images for this certificate (SHA-256) in the settings.
    RememberImages(String, CertImages),
    /// Put the keyboard focus in the PIN field.
    FocusPin,
}

/// State of the signing screen.
#[derive(Debug, Default)]
pub struct Sign {
    files: files::Files,
    certificates: certificate::Certificates,
    role: role::Form,
    preview: preview::Pane,
    progress: progress::Progress,
    /// The PIN dialog, while open.
    pin: Option<Dialog>,
    /// The plan being checked or signed (answers to the check applied).
    plan: Option<Plan>,
    /// The id of the check before the PIN that runs (`None`: none).
    checking: Option<u64>,
    /// Ids of checks asked for (late results of older ones are ignored).
    check_id: u64,
    /// The findings of the last check and the answers given.
    review: Option<precheck::Review>,
    /// The settings (naming, remembered images, proxy).
    config: Config,
}

/// Trimmed text, `None` when empty.
pub(crate) fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// Whether `path` is an Office package (kyso-core decides).
fn is_office(path: &Path) -> bool {
    kyso_core::Format::detect(path) == kyso_core::Format::Office
}

impl Sign {
    /// Puts the settings in force: TSA, output naming, remembered images,
    /// and the default role (until the user picks one).
    pub fn configure(&mut self, config: &Config) {
        self.role.configure(config);
        self.config = config.clone();
        self.files.sync_output(&self.config);
    }

    /// Whether token work is in flight (the token panel then pauses its scans).
    pub fn is_busy(&self) -> bool {
        self.certificates.is_loading() || self.progress.is_signing() || self.checking.is_some()
    }

    /// Whether the certificate list was asked for at least once.
    pub fn is_loaded(&self) -> bool {
        self.certificates.is_loaded()
    }

    /// Marks the certificate list as asked for; `None` while one is loading.
    pub fn start_loading(&mut self) -> Option<Event> {
        self.certificates.start_loading(self.progress.is_signing()).map(|_| Event::LoadCertificates)
    }

    /// The files the next signing takes: those added, and a typed path.
    pub fn targets(&self) -> Vec<PathBuf> {
        self.files.targets()
    }

    /// Whether a Word, Excel or PowerPoint file is among the files.
    fn has_office(&self) -> bool {
        self.targets().iter().any(|t| is_office(t))
    }

    /// What is wrong with the chosen certificate for the chosen role, as
    /// soon as both are chosen (NĐ 30/2020 Art. 32–33: the official signs
    /// with a personal certificate, the clerk, appendices and copies with
    /// the organisation's); the check before the PIN refuses it.
    fn kind_note(&self, t: &Translator) -> Option<String> {
        let (role, _) = self.role.role.preset()?;
        let c = self.certificates.selected()?;
        let needed = kyso_core::role_needs(role);
        if c.kind == needed || c.kind == kyso_core::CertKind::Unknown {
            return None;
        }
        let key = if needed == kyso_core::CertKind::Personal {
            "precheck-role-needs-personal"
        } else {
            "precheck-role-needs-organization"
        };
        let role_name = t.tr(kyso_i18n::role_key(role));
        Some(t.tr_args(key, &[("role", &role_name), ("subject", &c.entry.certificate.subject)]))
    }

    /// Switches to the one usable certificate of the kind the chosen role
    /// needs ([`certificate::Certificates::fit_role`]), with the images it
    /// signed with last time; whether it switched.
    fn fit_certificate_to_role(&mut self) -> bool {
        let Some((role, _)) = self.role.role.preset() else { return false };
        if !self.certificates.fit_role(kyso_core::role_needs(role)) {
            return false;
        }
        if let Some(c) = self.certificates.selected() {
            self.role.recall_images(c, &self.config);
        }
        true
    }

    /// The one PDF a preview is for: a single target, a PDF, a visible role.
    fn preview_target(&self) -> Option<PathBuf> {
        match self.targets().as_slice() {
            [one] if self.role.role != RoleChoice::None && !is_office(one) && one.is_file() => Some(one.clone()),
            _ => None,
        }
    }

    /// Asks for a preview when the single PDF or the role changed (the
    /// same pages shown).
    fn refresh_preview(&mut self) -> Option<Event> {
        self.render_preview(None)
    }

    /// Asks for a preview; `page`: another page to show (`Some(None)`: the
    /// pages of the look).
    fn render_preview(&mut self, page: Option<Option<usize>>) -> Option<Event> {
        let target = self.preview_target();
        let inputs = self.role.inputs_unchecked();
        self.preview.request(target, page, self.role.role, inputs).map(|r| Event::Preview(Box::new(r)))
    }

    /// Checks the form before asking for the PIN.
    fn check(&self) -> Result<role::RoleInputs, Text> {
        self.files.check()?;
        // Office files have no visible signature and no long-term PAdES
        // level (the NĐ 30 looks and the DSS are PDF's).
        if self.has_office() {
            if self.role.role != RoleChoice::None {
                return Err(Text::new("gui-office-no-look"));
            }
            if matches!(self.role.level, Level::LongTerm | Level::Archive) {
                return Err(Text::new("gui-office-level"));
            }
        }
        self.files.check_outputs(&self.config)?;
        let choice = self.certificates.selected().ok_or_else(|| Text::new("gui-no-certificate"))?;
        choice.check()?;
        let inputs = self.role.check()?;
        // A placement chosen on the preview holds for that one PDF only.
        let placed = self.preview.placements_for(self.preview_target().as_ref());
        Ok(role::RoleInputs { placement: placed.main, number_rect: placed.number, date_rect: placed.date, ..inputs })
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> Option<Event> {
        let signing = self.progress.is_signing();
        // A change to the form makes the last check stale.
        if matches!(
            message,
            Message::Files(_)
                | Message::Certificate(certificate::Message::Select(_))
                | Message::Role(_)
                | Message::Preview(preview::Message::Press(_) | preview::Message::Reset)
        ) {
            self.forget_check();
        }
        match message {
            Message::Files(m) => match self.files.update(m, &self.config, signing)? {
                files::Event::PickFiles => Some(Event::PickFiles),
                event => {
                    // Choosing a Word, Excel or PowerPoint file rules out
                    // the visible roles at once, not when "Sign" is pressed.
                    let reset = self.has_office() && self.role.drop_look_for_office();
                    if reset {
                        self.preview.reset_placement();
                    }
                    // A typed path that names another file (or none) changes
                    // what the preview shows.
                    if event == files::Event::Typed
                        && !reset
                        && self.preview_target().as_ref() == self.preview.shown_for()
                    {
                        return None;
                    }
                    self.refresh_preview()
                }
            },
            Message::Certificate(certificate::Message::Loaded(list)) => {
                let _ = self.certificates.update(certificate::Message::Loaded(list), signing);
                // A role chosen before the list came in takes its kind.
                if !self.fit_certificate_to_role() {
                    return None;
                }
                self.forget_check();
                self.refresh_preview()
            }
            Message::Certificate(m) => match self.certificates.update(m, signing)? {
                certificate::Event::Load => Some(Event::LoadCertificates),
                certificate::Event::Selected => {
                    // The images this certificate signed with last time.
                    if let Some(c) = self.certificates.selected() {
                        self.role.recall_images(c, &self.config);
                    }
                    self.refresh_preview()
                }
            },
            Message::Role(m) => match self.role.update(m)? {
                role::Event::RoleChanged => {
                    self.preview.reset_placement();
                    self.fit_certificate_to_role();
                    self.refresh_preview()
                }
                role::Event::ImageChanged => self.refresh_preview(),
                role::Event::PickImage(f) => Some(Event::PickImage(f)),
            },
            Message::Preview(m) => match self.preview.update(m)? {
                preview::Event::Render(page) => self.render_preview(Some(page)),
            },
            Message::Progress(m) => match self.progress.update(m)? {
                progress::Event::OpenFolder(file) => Some(Event::OpenFolder(file)),
                progress::Event::Finished { signed, pin_failed, remember } => {
                    self.pin = None;
                    if !signed.is_empty() {
                        self.files.remove_signed(&signed, &self.config);
                        self.preview.clear();
                    }
                    if pin_failed {
                        // The token's counter changed: show its new state.
                        return self.start_loading();
                    }
                    remember.map(|(sha, images)| Event::RememberImages(sha, images))
                }
            },
            Message::Sign => {
                if signing || self.checking.is_some() {
                    return None;
                }
                match self.check() {
                    Ok(inputs) => {
                        self.progress.clear_result();
                        let plan = self.plan(inputs)?;
                        self.check_id += 1;
                        self.checking = Some(self.check_id);
                        self.plan = Some(plan.clone());
                        Some(Event::Precheck(self.check_id, Box::new(plan)))
                    }
                    Err(e) => {
                        self.progress.refuse(e);
                        None
                    }
                }
            }
            Message::Checked(id, found) => {
                if self.checking != Some(id) {
                    return None;
                }
                self.checking = None;
                let Some(found) = found else {
                    self.forget_check();
                    self.progress.refuse(Text::new("gui-task-failed"));
                    return None;
                };
                let review = precheck::Review::new(found, self.role.allow_unchecked);
                let ready = review.ready();
                self.review = Some(review);
                self.answered(ready?)
            }
            Message::Review(m) => {
                let event = self.review.as_mut()?.update(m)?;
                self.answered(event)
            }
            Message::Pin(m) => {
                let dialog = self.pin.as_mut()?;
                match dialog.update(m)? {
                    pin::Event::Cancelled => {
                        self.pin = None;
                        self.forget_check();
                        None
                    }
                    pin::Event::Confirmed(pin) => {
                        self.pin = None;
                        if signing {
                            return None;
                        }
                        self.start_signing(pin)
                    }
                }
            }
        }
    }

    /// Forgets the last check, its findings and the plan.
    fn forget_check(&mut self) {
        self.checking = None;
        self.review = None;
        self.plan = None;
    }

    /// The check's questions were answered (or there were none): the
    /// answers go into the plan and the PIN dialog opens; or the person
    /// chose not to sign.
    fn answered(&mut self, event: precheck::Event) -> Option<Event> {
        match event {
            precheck::Event::Proceed { on_exists, allow_unchecked } => {
                let plan = self.plan.as_mut()?;
                plan.on_exists = on_exists;
                plan.allow_unchecked = allow_unchecked;
                self.pin = Some(Dialog::default());
                Some(Event::FocusPin)
            }
            precheck::Event::Cancelled => {
                self.forget_check();
                None
            }
        }
    }

    /// The plan of the form (checked): files, certificate, look, level.
    fn plan(&self, inputs: role::RoleInputs) -> Option<Plan> {
        Some(Plan {
            files: self.files.pairs(&self.config),
            choice: self.certificates.selected().cloned()?,
            role: self.role.role,
            inputs,
            allow_unchecked: self.role.allow_unchecked,
            level: self.role.level,
            tsa: self.role.tsa.trim().to_owned(),
            proxy: self.config.proxy(),
            on_exists: kyso_core::OnExists::Ask,
        })
    }

    /// Starts the signing with the PIN typed: the plan checked, with the
    /// answers given (the form is checked again).
    fn start_signing(&mut self, pin: kyso_token::Pin) -> Option<Event> {
        let plan = self.plan.take();
        self.review = None;
        if let Err(e) = self.check() {
            self.progress.refuse(e);
            return None;
        }
        let plan = plan?;
        if plan.choice.token.pin.locked {
            self.progress.refuse(Text::new("err-pin-locked"));
            return None;
        }
        let remember = self.role.images_to_remember(&plan.choice, &self.config);
        let cancel = self.progress.start(&plan.files, remember);
        Some(Event::Sign(Box::new(Job { plan, cancel, pin })))
    }

    /// The screen.
    pub fn view<'a>(&'a self, t: &Translator) -> Element<'a, Message> {
        if let (Some(dialog), Some(choice)) = (&self.pin, self.certificates.selected()) {
            let mut notes = self.preview.covering_notes(t, self.role.role);
            notes.extend(self.review.as_ref().map(|r| r.notes(t)).unwrap_or_default());
            return dialog.view(t, &choice.token, choice.holder(), notes).map(Message::Pin);
        }
        let signing = self.progress.is_signing();
        let form = column![
            self.files.view(t, &self.config, signing).map(Message::Files),
            self.certificates.view(t, self.is_busy()).map(Message::Certificate),
            self.role.view(t, self.has_office(), self.kind_note(t)).map(Message::Role),
        ]
        .spacing(8);

        // The action bar stays in view below the scrolling form (a long
        // certificate list must not push "Sign" off a 1366×768 screen).
        let ready = !signing && self.checking.is_none() && self.certificates.selected().is_some();
        let sign =
            button(text(t.tr("gui-sign-start"))).style(button::success).on_press_maybe(ready.then_some(Message::Sign));
        let mut actions = row![sign, self.progress.inline(t).map(Message::Progress)].spacing(12).align_y(iced::Center);
        if self.checking.is_some() {
            actions = actions.push(text(t.tr("gui-precheck-running")).size(13));
        }
        let mut bar = column![actions].spacing(6);
        if let Some(review) = &self.review {
            bar = bar.push(review.view(t).map(Message::Review));
        }
        let bar = bar.push(self.progress.view(t).map(Message::Progress));
        let preview: Element<'a, Message> = if self.role.role == RoleChoice::None {
            column![].width(0).into()
        } else {
            self.preview.view(t, self.role.role, self.targets().len() > 1).map(Message::Preview)
        };
        let body = row![scrollable(form.padding([0, 12])).height(Fill).width(Fill), preview].spacing(12);
        column![
            rule::horizontal(1),
            body.height(Fill),
            rule::horizontal(1),
            scrollable(bar.padding([0, 12])).height(iced::Shrink)
        ]
        .spacing(12)
        .into()
    }
}

/// Accessors the application's and the screen's tests read.
#[cfg(test)]
impl Sign {
    /// The output path field.
    pub fn output(&self) -> &str {
        self.files.output()
    }

    /// Whether any PIN text is held.
    pub fn holds_pin(&self) -> bool {
        self.pin.as_ref().is_some_and(Dialog::holds_pin)
    }

    /// The fields of the chosen role.
    pub fn visible_fields(&self) -> &'static [Field] {
        self.role.role.fields()
    }

    /// Whether the PIN dialog is open.
    pub fn pin_dialog_open(&self) -> bool {
        self.pin.is_some()
    }

    /// The last result.
    pub fn result(&self) -> Option<&Result<PathBuf, Text>> {
        self.progress.result()
    }

    /// The error of the last attempt.
    pub fn last_error(&self) -> Option<&Text> {
        match self.progress.result() {
            Some(Err(e)) => Some(e),
            _ => None,
        }
    }

    /// The facts line shown for `who`'s certificate on the token `token`.
    pub fn facts_line(&self, t: &Translator, who: &str, token: &str) -> Option<String> {
        self.certificates.facts_line(t, who, token)
    }

    /// The placement chosen on the preview.
    pub fn placement(&self) -> Option<(usize, [f64; 4])> {
        self.preview.placements().main
    }

    /// The page shown in the preview, and the pixel centre of the box drawn.
    pub fn preview_box_centre(&self) -> Option<(usize, f64, f64)> {
        self.preview.box_centre(preview::Part::Main)
    }

    /// The widget id of page 1 while a clerk's line (number, date) has no
    /// printed blank there and waits for a click.
    pub fn blank_to_place(&self) -> Option<String> {
        let (_, missing) = self.preview.moving_and_missing();
        missing.iter().any(|m| !self.preview.placed(*m)).then(|| self.preview.picture_id(1))
    }

    /// The per-file states of the last batch.
    pub fn progress(&self) -> &[(PathBuf, FileStatus)] {
        self.progress.files()
    }
}
