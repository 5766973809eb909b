//! The signing screen: a PDF, a certificate on a token, a visible-signature
//! role, then the PIN. Token work never runs here: `update` asks the
//! application through [`Event`]s (done by [`load_certificates`] and [`run`]
//! on threads of their own) and results come back as messages.
//!
//! The PIN lives only in the dialog's field: confirming moves it into a
//! [`Pin`] (zeroized on drop) and clears the field; cancelling wipes it; a
//! wrong PIN is reported and never retried.

use std::path::{Path, PathBuf};

use iced::widget::{button, checkbox, column, container, radio, row, rule, scrollable, text, text_input};
use iced::{Element, Fill, Font, font};
use kyso_i18n::Translator;
use kyso_pdf::presets::{PresetInput, Role};
use kyso_pdf::{PdfReader, SignOptions, sign_pdf};
use kyso_pki::CertWarning;
use kyso_token::{CertEntry, Pin, Pkcs11Signer, SignerOptions, TokenReport};
use zeroize::Zeroizing;

use crate::i18n::{
    Severity, Text, pin_flags, preset_error_message, sign_error_message, token_error_message, warning_text,
};

/// Bold variant of the default font.
const BOLD: Font = Font { weight: font::Weight::Bold, ..crate::app::FONT };

/// Default diameter of an organisation seal, in millimetres.
const SEAL_MM: &str = "36";

/// Typed secret text: wiped on drop, never printed by `Debug`.
#[derive(Clone, Default)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps typed text.
    pub fn new(s: String) -> Self {
        Self(Zeroizing::new(s))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A certificate with the token it is on.
#[derive(Debug, Clone)]
pub struct Choice {
    /// The certificate.
    pub entry: CertEntry,
    /// The token (PIN state).
    pub token: TokenReport,
}

impl Choice {
    /// Whether the certificate may be used: a private key and no warning.
    pub fn usable(&self) -> bool {
        self.entry.has_private_key && self.entry.certificate.warnings.is_empty()
    }
}

/// The visible-signature role (NĐ 30/2020 Phụ lục I).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RoleChoice {
    /// An invisible signature.
    #[default]
    None,
    /// The competent official (signature image).
    Approver,
    /// The clerk (organisation seal, number, date).
    Issuer,
    /// An appendix.
    Appendix,
    /// An electronic copy.
    Copy,
}

impl RoleChoice {
    /// All roles, in display order.
    pub const ALL: [Self; 5] = [Self::None, Self::Approver, Self::Issuer, Self::Appendix, Self::Copy];

    fn key(self) -> &'static str {
        match self {
            Self::None => "gui-role-none",
            Self::Approver => "gui-role-approver",
            Self::Issuer => "gui-role-issuer",
            Self::Appendix => "gui-role-appendix",
            Self::Copy => "gui-role-copy",
        }
    }

    fn preset(self) -> Option<(Role, &'static str)> {
        match self {
            Self::None => None,
            Self::Approver => Some((Role::Approver, "approver")),
            Self::Issuer => Some((Role::Issuer, "issuer")),
            Self::Appendix => Some((Role::Appendix, "appendix")),
            Self::Copy => Some((Role::Copy, "copy")),
        }
    }

    /// The fields the role needs.
    pub fn fields(self) -> &'static [Field] {
        match self {
            Self::None => &[],
            Self::Approver => &[Field::Image],
            Self::Issuer => &[Field::Seal, Field::SealMm, Field::Number, Field::Date],
            Self::Appendix => &[Field::Number, Field::Date],
            Self::Copy => &[Field::CopyForm, Field::Org],
        }
    }
}

/// A role's input field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Signature image (PNG).
    Image,
    /// Seal image (PNG).
    Seal,
    /// Seal diameter.
    SealMm,
    /// Number and symbol.
    Number,
    /// Issue date line.
    Date,
    /// Copy form.
    CopyForm,
    /// Copying organisation.
    Org,
}

impl Field {
    fn key(self) -> &'static str {
        match self {
            Self::Image => "gui-image-path",
            Self::Seal => "gui-seal-path",
            Self::SealMm => "gui-seal-mm",
            Self::Number => "gui-number",
            Self::Date => "gui-date",
            Self::CopyForm => "gui-copy-form",
            Self::Org => "gui-org",
        }
    }
}

/// The baseline level (ETSI EN 319 142-1 for PDF, EN 319 132-1 for
/// Office files): with or without a trusted timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Level {
    /// B-B: the signer's clock only.
    #[default]
    Basic,
    /// B-T: an RFC 3161 timestamp from the TSA.
    Timestamped,
}

impl Level {
    /// Both levels, in display order.
    pub const ALL: [Self; 2] = [Self::Basic, Self::Timestamped];

    fn key(self) -> &'static str {
        match self {
            Self::Basic => "gui-level-bb",
            Self::Timestamped => "gui-level-bt",
        }
    }

    /// The journal's name of the level.
    pub fn name(self) -> &'static str {
        match self {
            Self::Basic => "B-B",
            Self::Timestamped => "B-T",
        }
    }
}

/// Seconds to wait for the TSA (the VGCA TSA can take minutes).
const TSA_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(180);

/// Messages of the signing screen.
#[derive(Debug, Clone)]
pub enum Message {
    /// The input path changed.
    InputChanged(String),
    /// The output path changed.
    OutputChanged(String),
    /// A file was dropped on the window.
    Open(PathBuf),
    /// The user asked for the certificate list again.
    Refresh,
    /// The certificate list arrived (`None`: the listing panicked).
    CertificatesLoaded(Option<Result<Vec<Choice>, Text>>),
    /// The user picked a certificate.
    Select(usize),
    /// The user picked a role.
    RoleSelected(RoleChoice),
    /// A role field changed.
    FieldChanged(Field, String),
    /// The user pressed "Sign": the PIN dialog opens.
    Sign,
    /// The PIN field changed.
    PinChanged(Secret),
    /// The user confirmed the PIN.
    PinConfirm,
    /// The user closed the PIN dialog.
    PinCancel,
    /// Signing ended.
    Finished(Result<PathBuf, Text>, Option<Text>),
    /// The user allowed (or not) signing without a revocation check.
    AllowUnchecked(bool),
    /// The user asked to open the folder of the signed file.
    OpenFolder(PathBuf),
    /// The user picked a level.
    LevelSelected(Level),
    /// The TSA URL changed.
    TsaChanged(String),
}

/// Everything a signing needs.
#[derive(Debug)]
pub struct Job {
    /// The PDF.
    pub input: PathBuf,
    /// Where to write.
    pub output: PathBuf,
    /// The certificate.
    pub choice: Choice,
    /// The PIN (moved out of the dialog).
    pub pin: Pin,
    /// The role and its inputs.
    pub role: RoleChoice,
    /// Role inputs.
    pub inputs: RoleInputs,
    /// Sign even when revocation could not be checked (explicit consent,
    /// Thông tư 15/2025).
    pub allow_unchecked: bool,
    /// B-B or B-T.
    pub level: Level,
    /// The TSA for B-T.
    pub tsa: String,
}

/// Inputs of a role preset.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoleInputs {
    image: Option<PathBuf>,
    seal: Option<PathBuf>,
    seal_mm: f64,
    number: Option<String>,
    date: Option<String>,
    copy_form: Option<String>,
    org: Option<String>,
}

/// What the screen asks of the application.
#[derive(Debug)]
pub enum Event {
    /// Run [`load_certificates`] in the background.
    LoadCertificates,
    /// Run [`run`] in the background.
    Sign(Box<Job>),
    /// Show this file's folder in the system's file manager.
    OpenFolder(PathBuf),
}

/// State of the signing screen.
#[derive(Debug)]
pub struct Sign {
    input: String,
    output: String,
    /// The output was typed by the user (not derived from the input).
    output_edited: bool,
    certificates: Option<Vec<Choice>>,
    loading: bool,
    load_error: Option<Text>,
    selected: Option<usize>,
    role: RoleChoice,
    allow_unchecked: bool,
    level: Level,
    tsa: String,
    image: String,
    seal: String,
    seal_mm: String,
    number: String,
    date: String,
    copy_form: String,
    org: String,
    pin_dialog: bool,
    pin: Secret,
    signing: bool,
    result: Option<Result<PathBuf, Text>>,
    journal: Option<Text>,
}

impl Default for Sign {
    fn default() -> Self {
        Self {
            input: String::new(),
            output: String::new(),
            output_edited: false,
            certificates: None,
            loading: false,
            load_error: None,
            selected: None,
            role: RoleChoice::None,
            allow_unchecked: false,
            level: Level::Basic,
            tsa: kyso_pki::tsp::VGCA_TSA.into(),
            image: String::new(),
            seal: String::new(),
            seal_mm: SEAL_MM.into(),
            number: String::new(),
            date: String::new(),
            copy_form: String::new(),
            org: String::new(),
            pin_dialog: false,
            pin: Secret::default(),
            signing: false,
            result: None,
            journal: None,
        }
    }
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

/// `NAME.signed.pdf` (or `.docx`, `.xlsx`, `.pptx`) beside the input.
pub fn default_output(input: &Path) -> PathBuf {
    kyso_ooxml::signed_name(input)
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

impl Sign {
    /// Sets the timestamp server (from the settings).
    pub fn set_tsa(&mut self, url: &str) {
        self.tsa = url.to_owned();
    }

    /// Whether token work is in flight (the token panel then pauses its scans).
    pub fn is_busy(&self) -> bool {
        self.loading || self.signing
    }

    /// Whether the certificate list was asked for at least once.
    pub fn is_loaded(&self) -> bool {
        self.certificates.is_some() || self.loading || self.load_error.is_some()
    }

    /// The output path field.
    #[cfg(test)]
    pub fn output(&self) -> &str {
        &self.output
    }

    /// The fields of the chosen role.
    #[cfg(test)]
    pub fn visible_fields(&self) -> &'static [Field] {
        self.role.fields()
    }

    /// Whether the PIN dialog is open.
    #[cfg(test)]
    pub fn pin_dialog_open(&self) -> bool {
        self.pin_dialog
    }

    /// Whether any PIN text is held.
    pub fn holds_pin(&self) -> bool {
        !self.pin.0.is_empty()
    }

    /// The last result.
    #[cfg(test)]
    pub fn result(&self) -> Option<&Result<PathBuf, Text>> {
        self.result.as_ref()
    }

    /// Marks the certificate list as asked for; `None` while one is loading.
    pub fn start_loading(&mut self) -> Option<Event> {
        if self.loading || self.signing {
            return None;
        }
        self.loading = true;
        Some(Event::LoadCertificates)
    }

    fn selected_choice(&self) -> Option<&Choice> {
        self.certificates.as_ref()?.get(self.selected?)
    }

    fn field_mut(&mut self, f: Field) -> &mut String {
        match f {
            Field::Image => &mut self.image,
            Field::Seal => &mut self.seal,
            Field::SealMm => &mut self.seal_mm,
            Field::Number => &mut self.number,
            Field::Date => &mut self.date,
            Field::CopyForm => &mut self.copy_form,
            Field::Org => &mut self.org,
        }
    }

    fn field(&self, f: Field) -> &str {
        match f {
            Field::Image => &self.image,
            Field::Seal => &self.seal,
            Field::SealMm => &self.seal_mm,
            Field::Number => &self.number,
            Field::Date => &self.date,
            Field::CopyForm => &self.copy_form,
            Field::Org => &self.org,
        }
    }

    fn set_input(&mut self, s: String) {
        if !self.output_edited {
            self.output = opt(&s).map(|p| default_output(Path::new(&p)).display().to_string()).unwrap_or_default();
        }
        self.input = s;
    }

    fn wipe_pin(&mut self) {
        // `Zeroizing` wipes the old text as it is replaced.
        self.pin = Secret::default();
        self.pin_dialog = false;
    }

    /// Checks the form before asking for the PIN.
    fn check(&self) -> Result<RoleInputs, Text> {
        if opt(&self.input).is_none() {
            return Err(Text::new("gui-no-file"));
        }
        if opt(&self.output).is_none() {
            return Err(Text::new("gui-no-output"));
        }
        let Some(choice) = self.selected_choice() else { return Err(Text::new("gui-no-certificate")) };
        if let Some(w) = choice.entry.certificate.warnings.first() {
            // TT 15/2025 Art. 5: a certificate that cannot sign now is refused.
            return Err(Text::new(match w {
                CertWarning::Expired => "warn-expired",
                CertWarning::NotYetValid => "warn-not_yet_valid",
                CertWarning::NoSigningKeyUsage => "warn-no_signing_key_usage",
                CertWarning::IsCa => "warn-is_ca",
            }));
        }
        let seal_mm = if self.role.fields().contains(&Field::SealMm) {
            match self.seal_mm.trim().replace(',', ".").parse::<f64>() {
                Ok(v) if v.is_finite() && v > 0.0 => v,
                _ => return Err(Text::new("gui-seal-mm-invalid")),
            }
        } else {
            36.0
        };
        let fields = self.role.fields();
        let get = |f: Field| if fields.contains(&f) { opt(self.field(f)) } else { None };
        Ok(RoleInputs {
            image: get(Field::Image).map(PathBuf::from),
            seal: get(Field::Seal).map(PathBuf::from),
            seal_mm,
            number: get(Field::Number),
            date: get(Field::Date),
            copy_form: get(Field::CopyForm),
            org: get(Field::Org),
        })
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::InputChanged(s) => self.set_input(s),
            Message::Open(p) => self.set_input(p.display().to_string()),
            Message::OutputChanged(s) => {
                self.output_edited = !s.trim().is_empty();
                self.output = s;
            }
            Message::Refresh => return self.start_loading(),
            Message::CertificatesLoaded(result) => {
                self.loading = false;
                match result {
                    Some(Ok(list)) => {
                        // Keep the choice if the same certificate is still there.
                        let previous = self.selected_choice().map(|c| c.entry.certificate.sha256.clone());
                        self.selected = previous
                            .and_then(|sha| list.iter().position(|c| c.entry.certificate.sha256 == sha))
                            .or_else(|| {
                                let usable: Vec<usize> = (0..list.len()).filter(|&i| list[i].usable()).collect();
                                (usable.len() == 1).then(|| usable[0])
                            });
                        self.certificates = Some(list);
                        self.load_error = None;
                    }
                    Some(Err(e)) => self.load_error = Some(e),
                    None => self.load_error = Some(Text::new("gui-task-failed")),
                }
            }
            Message::Select(i) => {
                if self.certificates.as_ref().and_then(|l| l.get(i)).is_some_and(Choice::usable) {
                    self.selected = Some(i);
                }
            }
            Message::RoleSelected(r) => self.role = r,
            Message::AllowUnchecked(v) => self.allow_unchecked = v,
            Message::LevelSelected(l) => self.level = l,
            Message::OpenFolder(file) => return Some(Event::OpenFolder(file)),
            Message::TsaChanged(u) => self.tsa = u,
            Message::FieldChanged(f, s) => *self.field_mut(f) = s,
            Message::Sign => {
                if !self.signing {
                    match self.check() {
                        Ok(_) => {
                            self.result = None;
                            self.wipe_pin();
                            self.pin_dialog = true;
                        }
                        Err(e) => self.result = Some(Err(e)),
                    }
                }
            }
            Message::PinChanged(secret) => {
                if self.pin_dialog {
                    self.pin = secret;
                }
            }
            Message::PinCancel => self.wipe_pin(),
            Message::PinConfirm => {
                if !self.pin_dialog || self.signing {
                    return None;
                }
                let pin = Pin::new(std::mem::take(&mut *self.pin.0));
                self.wipe_pin();
                let inputs = match self.check() {
                    Ok(i) => i,
                    Err(e) => {
                        self.result = Some(Err(e));
                        return None;
                    }
                };
                let choice = self.selected_choice().cloned()?;
                if choice.token.pin.locked {
                    self.result = Some(Err(Text::new("err-pin-locked")));
                    return None;
                }
                self.signing = true;
                return Some(Event::Sign(Box::new(Job {
                    input: PathBuf::from(self.input.trim()),
                    output: PathBuf::from(self.output.trim()),
                    choice,
                    pin,
                    role: self.role,
                    inputs,
                    allow_unchecked: self.allow_unchecked,
                    level: self.level,
                    tsa: self.tsa.trim().to_owned(),
                })));
            }
            Message::Finished(result, journal) => {
                self.signing = false;
                self.wipe_pin();
                let pin_failed = matches!(&result, Err(e) if e.key.starts_with("err-pin"));
                self.result = Some(result);
                self.journal = journal;
                if pin_failed {
                    // The token's counter changed: show its new state.
                    return self.start_loading();
                }
            }
        }
        None
    }

    /// The error of the last attempt.
    #[cfg(test)]
    pub fn last_error(&self) -> Option<&Text> {
        match &self.result {
            Some(Err(e)) => Some(e),
            _ => None,
        }
    }

    /// The screen.
    pub fn view<'a>(&'a self, t: &Translator) -> Element<'a, Message> {
        if self.pin_dialog {
            return self.pin_view(t);
        }
        let labelled = |key: &str, widget: Element<'a, Message>| -> Element<'a, Message> {
            row![text(t.tr(key)).width(200), widget].spacing(8).align_y(iced::Center).into()
        };
        let mut form = column![
            labelled(
                "gui-file",
                text_input(&t.tr("gui-file-placeholder"), &self.input).on_input(Message::InputChanged).into()
            ),
            labelled("gui-output", text_input("", &self.output).on_input(Message::OutputChanged).into()),
        ]
        .spacing(8);

        // Certificates.
        let refresh = button(text(t.tr("gui-rescan"))).on_press_maybe((!self.is_busy()).then_some(Message::Refresh));
        form = form.push(row![text(t.tr("gui-certificate")).font(BOLD), refresh].spacing(12).align_y(iced::Center));
        if self.loading {
            form = form.push(text(t.tr("gui-scanning")));
        }
        if let Some(e) = &self.load_error {
            form = form.push(text(e.render(t)).style(text::danger));
        }
        match &self.certificates {
            Some(list) if list.is_empty() => form = form.push(text(t.tr("err-cert-not-found")).style(text::warning)),
            Some(list) => {
                for (i, c) in list.iter().enumerate() {
                    form = form.push(cert_view(t, i, c, self.selected == Some(i)));
                }
            }
            None => {}
        }

        // Role.
        let mut roles = row![text(t.tr("gui-role")).width(200)].spacing(12);
        for r in RoleChoice::ALL {
            roles = roles.push(radio(t.tr(r.key()), r, Some(self.role), Message::RoleSelected));
        }
        form = form.push(roles);
        let mut levels = row![text(t.tr("gui-level")).width(200)].spacing(12);
        for l in Level::ALL {
            levels = levels.push(radio(t.tr(l.key()), l, Some(self.level), Message::LevelSelected));
        }
        form = form.push(levels);
        if self.level == Level::Timestamped {
            form = form.push(labelled("gui-tsa", text_input("", &self.tsa).on_input(Message::TsaChanged).into()));
        }
        form = form
            .push(checkbox(self.allow_unchecked).label(t.tr("gui-allow-unchecked")).on_toggle(Message::AllowUnchecked));
        for &f in self.role.fields() {
            form = form.push(labelled(
                f.key(),
                text_input("", self.field(f)).on_input(move |s| Message::FieldChanged(f, s)).into(),
            ));
        }

        let sign = button(text(t.tr("gui-sign")))
            .style(button::success)
            .on_press_maybe((!self.signing && self.selected.is_some()).then_some(Message::Sign));
        form = form.push(sign);
        if self.signing {
            form = form.push(text(t.tr("gui-signing")));
        }
        match &self.result {
            Some(Ok(out)) => {
                form = form.push(
                    row![
                        text(t.tr_args("gui-signed", &[("output", &out.display().to_string())])).style(text::success),
                        button(text(t.tr("gui-open-folder")).size(14))
                            .style(button::secondary)
                            .on_press(Message::OpenFolder(out.clone())),
                    ]
                    .spacing(12)
                    .align_y(iced::Center),
                )
            }
            Some(Err(e)) => form = form.push(text(e.render(t)).style(text::danger)),
            None => {}
        }
        if let Some(j) = &self.journal {
            form = form.push(text(j.render(t)).style(text::warning).size(13));
        }
        column![rule::horizontal(1), scrollable(form.padding([0, 12])).height(Fill)].spacing(12).into()
    }

    fn pin_view<'a>(&'a self, t: &Translator) -> Element<'a, Message> {
        let Some(choice) = self.selected_choice() else { return text("").into() };
        let mut col = column![
            text(t.tr_args("gui-pin-for", &[("token", &choice.token.label)])).size(20).font(BOLD),
            text(
                choice.entry.certificate.subject_cn.clone().unwrap_or_else(|| choice.entry.certificate.subject.clone())
            ),
        ]
        .spacing(10);
        for (key, severity) in pin_flags(&choice.token.pin) {
            let line = text(t.tr(key));
            col = col.push(match severity {
                Severity::Normal => line,
                Severity::Warning => line.style(text::warning),
                Severity::Critical => line.size(18).font(BOLD).style(text::danger),
            });
        }
        let locked = choice.token.pin.locked;
        let mut input = text_input(&t.tr("gui-pin-placeholder"), &self.pin.0).secure(true);
        if !locked {
            input = input.on_input(|s| Message::PinChanged(Secret::new(s))).on_submit(Message::PinConfirm);
        }
        col = col.push(input).push(text(t.tr("gui-pin-no-retry")).size(13));
        col = col.push(
            row![
                button(text(t.tr("gui-sign")))
                    .style(button::success)
                    .on_press_maybe((!locked && self.holds_pin()).then_some(Message::PinConfirm)),
                button(text(t.tr("gui-cancel"))).style(button::secondary).on_press(Message::PinCancel),
            ]
            .spacing(12),
        );
        container(container(col).padding(20).max_width(520).style(container::bordered_box))
            .center_x(Fill)
            .padding(20)
            .into()
    }
}

fn cert_view<'a>(t: &Translator, i: usize, c: &'a Choice, selected: bool) -> Element<'a, Message> {
    let info = &c.entry.certificate;
    let mut col = column![
        text(info.subject_cn.clone().unwrap_or_else(|| info.subject.clone())).font(BOLD),
        text(format!("{}: {}", t.tr("cert-token"), c.entry.token_label)).size(13),
        text(format!(
            "{}: {}",
            t.tr("cert-validity"),
            t.tr_args("cert-validity-range", &[("from", &info.not_before), ("to", &info.not_after)])
        ))
        .size(13),
    ]
    .spacing(2);
    if !c.entry.has_private_key {
        col = col
            .push(text(format!("{}: {}", t.tr("cert-private-key"), t.tr("cert-private-key-no"))).style(text::warning));
    }
    for w in &info.warnings {
        let code = serde_json::to_value(w).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        col = col.push(text(warning_text(t, &code)).style(text::danger));
    }
    let style = if selected { button::primary } else { button::secondary };
    button(col).width(Fill).style(style).on_press_maybe(c.usable().then_some(Message::Select(i))).into()
}

/// Lists the certificates of every token of every module found
/// (blocking: run it off the UI thread).
pub fn load_certificates(modules: &[PathBuf]) -> Result<Vec<Choice>, Text> {
    let mut out = Vec::new();
    let mut last_err = None;
    for c in kyso_token::candidate_modules(&[], modules) {
        let module = match kyso_token::load_module(&c.path) {
            Ok(m) => m,
            Err(e) => {
                last_err = Some(e);
                continue;
            }
        };
        let tokens = match module.find_tokens(None) {
            Ok(t) => t,
            Err(e) => {
                last_err = Some(e);
                continue;
            }
        };
        for (slot, token) in tokens {
            match kyso_token::list_certificates(&module, slot, None) {
                Ok(list) => out.extend(list.into_iter().map(|entry| Choice { entry, token: token.clone() })),
                Err(e) => last_err = Some(e),
            }
        }
    }
    match (out.is_empty(), last_err) {
        (true, Some(e)) => Err(token_error_message(&e)),
        _ => Ok(out),
    }
}

fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

fn read_file(p: &Option<PathBuf>) -> Result<Option<Vec<u8>>, Text> {
    match p {
        Some(p) => std::fs::read(p)
            .map(Some)
            .map_err(|e| Text::new("err-io").arg("path", p.display().to_string()).arg("detail", e.to_string())),
        None => Ok(None),
    }
}

fn options(job: &Job, now: i64) -> Result<SignOptions, Text> {
    let mut opts = SignOptions {
        page: Some(1),
        time: Some(now),
        name: job.choice.entry.certificate.subject_cn.clone(),
        ..Default::default()
    };
    if let Some((role, _)) = job.role.preset() {
        let i = &job.inputs;
        let spec = PresetInput {
            role,
            page: None,
            rect: None,
            anchor: None,
            image: read_file(&i.image)?,
            seal: read_file(&i.seal)?,
            seal_mm: i.seal_mm,
            number: i.number.clone(),
            number_rect: None,
            date: i.date.clone(),
            date_rect: None,
            copy_form: i.copy_form.clone(),
            organization: i.org.clone(),
            time: now,
        };
        let reader =
            PdfReader::open(&job.input).map_err(|e| Text::new("err-pdf-malformed").arg("detail", e.to_string()))?;
        let p = kyso_pdf::presets::prepare(&reader, &spec).map_err(|e| preset_error_message(&e))?;
        opts.page = Some(p.page);
        opts.appearance = Some(p.appearance);
        opts.extra_widgets = p.extra_widgets;
    }
    Ok(opts)
}

/// Signs (blocking: run it off the UI thread) and journals the attempt as
/// `kyso-cli sign` does (never the PIN). Returns the output path or the
/// error, then any journal problem.
pub fn run(job: Job) -> (Result<PathBuf, Text>, Option<Text>) {
    let now = now_secs();
    let cert = &job.choice.entry.certificate;
    let facts = |p: &Path| {
        let abs = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned());
        (Some(abs.display().to_string()), kyso_journal::file_sha256(p))
    };
    let (input_path, input_sha256) = facts(&job.input);
    let mut entry = kyso_journal::Entry {
        action: "sign".into(),
        role: job.role.preset().map(|(_, name)| name.to_owned()),
        input_path,
        input_sha256,
        signer_subject: Some(cert.subject.clone()),
        signer_issuer: Some(cert.issuer.clone()),
        signer_serial: Some(cert.serial.clone()),
        signer_sha256: Some(cert.sha256.clone()),
        token_label: Some(job.choice.entry.token_label.clone()),
        token_module: Some(job.choice.entry.module.display().to_string()),
        level: Some(job.level.name().into()),
        tsa: (job.level == Level::Timestamped).then(|| job.tsa.clone()),
        outcome: "ok".into(),
        ..Default::default()
    };
    let office = kyso_ooxml::is_package(&job.input);
    let result: Result<PathBuf, Text> = (|| {
        // Office files have no visible signature: the NĐ 30 presets are PDF's.
        if office && let Some((_, name)) = job.role.preset() {
            return Err(Text::new("err-ooxml-option").arg("option", name));
        }
        // The placement first: a missing image costs no PIN attempt.
        let tsa = (job.level == Level::Timestamped)
            .then(|| kyso_pki::TsaConfig { url: job.tsa.clone(), timeout: TSA_TIMEOUT });
        let mut opts = if office { SignOptions::default() } else { options(&job, now)? };
        opts.tsa = tsa.clone();
        let module = kyso_token::load_module(&job.choice.entry.module).map_err(|e| token_error_message(&e))?;
        let Job { choice, pin, input, output, allow_unchecked, .. } = job;
        let signer = Pkcs11Signer::open(&module, &choice.entry, pin, SignerOptions::default())
            .map_err(|e| token_error_message(&e))?;
        // TT 15/2025 Art. 5: validity, key usage and revocation before signing
        // (CRL from the certificate's distribution point), evidence journaled.
        let issuer = kyso_pki::Signer::chain(&signer).iter().find(|c| {
            c.tbs_certificate().subject() == kyso_pki::Signer::certificate(&signer).tbs_certificate().issuer()
        });
        let check = kyso_pki::precheck::precheck_with(
            kyso_pki::Signer::certificate(&signer),
            issuer,
            &[],
            &kyso_pki::precheck::PrecheckOptions {
                offline: false,
                timeout: std::time::Duration::from_secs(15),
                cache: Some(kyso_pki::precheck::RevocationCache::new(kyso_journal::data_dir().join("cache"))),
            },
        );
        entry.evidence = Some(check.evidence.join("; "));
        match check.result {
            kyso_pki::precheck::PrecheckResult::Good => entry.precheck = Some("good".into()),
            kyso_pki::precheck::PrecheckResult::Revoked(_) => {
                entry.precheck = Some("revoked".into());
                return Err(Text::new("err-cert-revoked"));
            }
            kyso_pki::precheck::PrecheckResult::Unusable(_) => {
                entry.precheck = Some("unusable".into());
                return Err(Text::new("gui-cert-unusable"));
            }
            kyso_pki::precheck::PrecheckResult::Unchecked(why) => {
                entry.precheck = Some(format!("revocation_not_checked: {why}"));
                if !allow_unchecked {
                    return Err(Text::new("err-revocation-unchecked").arg("detail", why));
                }
            }
        }
        if office {
            let opts = kyso_ooxml::SignOptions {
                time: Some(std::time::UNIX_EPOCH + std::time::Duration::from_secs(now.max(0) as u64)),
                tsa,
                ..Default::default()
            };
            kyso_ooxml::sign_ooxml(&input, &output, &signer, &opts)
                .map_err(|e| crate::i18n::ooxml_error_message(&e))?;
        } else {
            sign_pdf(&input, &output, &signer, &opts).map_err(|e| sign_error_message(&e))?;
        }
        Ok(output)
    })();
    match &result {
        Ok(output) => {
            let (p, sha) = facts(output);
            entry.output_path = p;
            entry.output_sha256 = sha;
        }
        Err(e) => {
            entry.outcome = "failed".into();
            entry.error_code = Some(e.code());
        }
    }
    let journal = crate::app::journal(&entry);
    (result, journal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kyso_i18n::Lang;
    use kyso_pki::{CertInfo, KeyKind};
    use kyso_token::PinState;

    fn choice(label: &str, pin: PinState, warnings: Vec<kyso_pki::CertWarning>) -> Choice {
        let token = TokenReport {
            label: label.into(),
            manufacturer: "Bit4id".into(),
            model: "miniLector".into(),
            serial: "123".into(),
            pin,
            protected_authentication_path: false,
            login_required: true,
            initialized: true,
        };
        let certificate = CertInfo {
            subject: "CN=Nguyễn Văn A, O=UBND".into(),
            subject_cn: Some("Nguyễn Văn A".into()),
            organization: Some("UBND".into()),
            issuer: "CN=VGCA".into(),
            issuer_cn: Some("VGCA".into()),
            serial: "01".into(),
            not_before: "2025-01-01".into(),
            not_after: "2028-01-01".into(),
            key: KeyKind::Rsa { bits: 2048 },
            key_usage: vec![],
            extended_key_usage: vec![],
            policies: vec![],
            sha256: format!("sha-{label}"),
            warnings,
        };
        Choice {
            entry: CertEntry {
                module: "/usr/lib/libbit4xpki.so".into(),
                slot_id: 0,
                token_label: label.into(),
                token_serial: "123".into(),
                id: "01".into(),
                label: "cert".into(),
                certificate,
                has_private_key: true,
                key_match: None,
                key_evidence: None,
                der: vec![],
            },
            token,
        }
    }

    fn ready() -> Sign {
        let mut s = Sign::default();
        let _ = s.update(Message::InputChanged("/tmp/hop-dong.pdf".into()));
        let list = vec![
            choice("Expired", PinState::default(), vec![kyso_pki::CertWarning::Expired]),
            choice("Good", PinState { initialized: true, final_try: true, ..Default::default() }, vec![]),
        ];
        let _ = s.update(Message::CertificatesLoaded(Some(Ok(list))));
        s
    }

    #[test]
    fn office_files_keep_their_extension() {
        let mut s = Sign::default();
        let _ = s.update(Message::InputChanged("/tmp/to-trinh.docx".into()));
        assert_eq!(s.output(), "/tmp/to-trinh.signed.docx");
        let _ = s.update(Message::InputChanged("/tmp/bang-luong.xlsx".into()));
        assert_eq!(s.output(), "/tmp/bang-luong.signed.xlsx");
    }

    #[test]
    fn output_defaults_beside_the_input_and_the_only_usable_cert_is_chosen() {
        let s = ready();
        assert_eq!(s.output(), "/tmp/hop-dong.signed.pdf");
        assert_eq!(s.selected, Some(1));
        let mut s = s;
        // A certificate with warnings cannot be chosen.
        let _ = s.update(Message::Select(0));
        assert_eq!(s.selected, Some(1));
        // A typed output is kept when the input changes.
        let _ = s.update(Message::OutputChanged("/tmp/out.pdf".into()));
        let _ = s.update(Message::Open("/tmp/other.pdf".into()));
        assert_eq!(s.output(), "/tmp/out.pdf");
    }

    #[test]
    fn issuer_role_shows_the_seal_fields() {
        let mut s = ready();
        assert!(s.visible_fields().is_empty());
        let _ = s.update(Message::RoleSelected(RoleChoice::Issuer));
        assert_eq!(s.visible_fields(), &[Field::Seal, Field::SealMm, Field::Number, Field::Date]);
        let _ = s.update(Message::RoleSelected(RoleChoice::Approver));
        assert_eq!(s.visible_fields(), &[Field::Image]);
        let _ = s.update(Message::RoleSelected(RoleChoice::Copy));
        assert!(s.visible_fields().contains(&Field::Org));

        // A bad seal size is refused before any PIN is asked.
        let _ = s.update(Message::RoleSelected(RoleChoice::Issuer));
        let _ = s.update(Message::FieldChanged(Field::SealMm, "abc".into()));
        assert!(s.update(Message::Sign).is_none());
        assert!(!s.pin_dialog_open());
        assert!(matches!(s.result(), Some(Err(e)) if e.key == "gui-seal-mm-invalid"));
        let _ = s.update(Message::FieldChanged(Field::SealMm, "40,5".into()));
        let _ = s.update(Message::Sign);
        assert!(s.pin_dialog_open());
    }

    /// Choose the certificate, the approver role and B-T, sign, type the PIN
    /// and confirm — by clicking and typing in the rendered interface.
    #[test]
    fn simulator_flow_from_certificate_to_signing_job() {
        use iced_test::simulator;
        let vi = Translator::new(kyso_i18n::Lang::Vi);
        let mut s = ready();
        let mut ui = simulator(s.view(&vi));
        assert!(ui.find("Nguyễn Văn A").is_ok(), "the certificates are listed");
        drop(ui);
        // Radio labels are drawn by the radio itself, not as text widgets the
        // simulator can select: their messages are sent as a click would.
        let _ = s.update(Message::RoleSelected(RoleChoice::Approver));
        let _ = s.update(Message::LevelSelected(Level::Timestamped));
        assert_eq!(s.role, RoleChoice::Approver);
        assert_eq!(s.level, Level::Timestamped);

        // The approver needs a signature image: its field is shown.
        let mut ui = simulator(s.view(&vi));
        assert!(ui.find(vi.tr("gui-image-path").as_str()).is_ok());
        let _ = ui.click(vi.tr("gui-sign").as_str()).unwrap();
        for m in ui.into_messages().collect::<Vec<_>>() {
            let _ = s.update(m);
        }
        assert!(s.pin_dialog_open(), "{:?}", s.result());

        // The PIN dialog: type the PIN, confirm.
        let mut ui = simulator(s.view(&vi));
        let _ = ui.click(vi.tr("gui-pin-placeholder").as_str()).unwrap();
        let _ = ui.typewrite("12345678");
        for m in ui.into_messages().collect::<Vec<_>>() {
            assert!(matches!(m, Message::PinChanged(_)));
            let _ = s.update(m);
        }
        assert!(s.holds_pin());
        // The sign button of the dialog is enabled once a PIN is typed.
        let mut ui = simulator(s.view(&vi));
        let _ = ui.click(vi.tr("gui-sign").as_str()).unwrap();
        let mut job = None;
        for m in ui.into_messages().collect::<Vec<_>>() {
            if let Some(Event::Sign(j)) = s.update(m) {
                job = Some(j);
            }
        }
        let job = job.expect("a signing job");
        assert_eq!((job.role, job.level), (RoleChoice::Approver, Level::Timestamped));
        assert!(!format!("{job:?}").contains("12345678"), "the PIN never shows");
        assert!(s.is_busy() && !s.holds_pin());
    }

    #[test]
    fn a_signed_result_offers_its_folder() {
        use iced_test::simulator;
        let vi = Translator::new(kyso_i18n::Lang::Vi);
        let mut s = ready();
        let _ = s.update(Message::Finished(Ok(PathBuf::from("/tmp/out/hop-dong.signed.pdf")), None));
        let mut ui = simulator(s.view(&vi));
        let _ = ui.click(vi.tr("gui-open-folder").as_str()).unwrap();
        let messages: Vec<Message> = ui.into_messages().collect();
        let [Message::OpenFolder(file)] = messages.as_slice() else { panic!("{messages:?}") };
        assert!(matches!(s.update(Message::OpenFolder(file.clone())), Some(Event::OpenFolder(f)) if f == *file));
    }

    #[test]
    fn a_timestamped_level_carries_its_tsa_into_the_job() {
        let mut s = ready();
        let _ = s.update(Message::Sign);
        let _ = s.update(Message::PinChanged(Secret::new("1".into())));
        let Some(Event::Sign(job)) = s.update(Message::PinConfirm) else { panic!("no signing started") };
        assert_eq!((job.level, job.tsa.as_str()), (Level::Basic, kyso_pki::tsp::VGCA_TSA));
        let _ = s.update(Message::Finished(Ok(PathBuf::from("/tmp/x.pdf")), None));

        let _ = s.update(Message::LevelSelected(Level::Timestamped));
        let _ = s.update(Message::TsaChanged(" http://127.0.0.1:3180/ ".into()));
        let _ = s.update(Message::Sign);
        let _ = s.update(Message::PinChanged(Secret::new("1".into())));
        let Some(Event::Sign(job)) = s.update(Message::PinConfirm) else { panic!("no signing started") };
        assert_eq!((job.level, job.tsa.as_str()), (Level::Timestamped, "http://127.0.0.1:3180/"));
        assert_eq!(job.level.name(), "B-T");
        let vi = Translator::new(kyso_i18n::Lang::Vi);
        let _ = s.view(&vi);
    }

    #[test]
    fn a_wrong_pin_keeps_no_pin_and_is_not_retried() {
        let mut s = ready();
        let _ = s.update(Message::Sign);
        assert!(s.pin_dialog_open());
        let _ = s.update(Message::PinChanged(Secret::new("123456".into())));
        assert!(s.holds_pin());
        assert!(!format!("{s:?}").contains("123456"));

        let Some(Event::Sign(job)) = s.update(Message::PinConfirm) else { panic!("no signing started") };
        assert!(!s.holds_pin() && !s.pin_dialog_open() && s.is_busy());
        assert!(!format!("{job:?}").contains("123456"));
        assert_eq!(job.output, PathBuf::from("/tmp/hop-dong.signed.pdf"));
        drop(job);
        // A second confirm starts nothing.
        assert!(s.update(Message::PinConfirm).is_none());

        let wrong = token_error_message(&kyso_token::TokenError::PinIncorrect {
            state: PinState { final_try: true, ..Default::default() },
        });
        let next = s.update(Message::Finished(Err(wrong), None));
        // The list is reloaded to show the new PIN counter; nothing is retried.
        assert!(matches!(next, Some(Event::LoadCertificates)));
        assert!(!s.holds_pin() && !s.pin_dialog_open());
        let en = Translator::new(Lang::En);
        let shown = s.last_error().expect("error shown").render(&en);
        assert!(shown.starts_with("Wrong PIN."), "{shown}");
        let _ = s.view(&en);
    }

    #[test]
    fn pin_dialog_shows_the_token_warnings_and_cancel_wipes() {
        let mut s = ready();
        let _ = s.update(Message::Sign);
        let _ = s.update(Message::PinChanged(Secret::new("1".into())));
        let _ = s.view(&Translator::new(Lang::Vi));
        let _ = s.update(Message::PinCancel);
        assert!(!s.holds_pin() && !s.pin_dialog_open());
        // Typing without the dialog open stores nothing.
        let _ = s.update(Message::PinChanged(Secret::new("2".into())));
        assert!(!s.holds_pin());
    }
}
