//! The signing screen: one or several files, a certificate on a token, a
//! visible-signature role placed on a page preview, then the PIN. Token,
//! disk and rendering work never runs here: `update` asks the application
//! through [`Event`]s (done by [`load_certificates`], [`render_preview`] and
//! [`run`] on threads of their own) and results come back as messages.
//!
//! The PIN lives only in the dialog's field: confirming moves it into a
//! [`Pin`] (zeroized on drop) and clears the field; cancelling wipes it; a
//! wrong PIN is reported and never retried.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use iced::widget::{
    button, checkbox, column, container, image, mouse_area, pin, radio, row, rule, scrollable, stack, text, text_input,
};
use iced::{Element, Fill, Point};
use kyso_i18n::Translator;
use kyso_pdf::PdfReader;
use kyso_pdf::presets::{PresetInput, Role};
use kyso_pki::CertWarning;
use kyso_token::{CertEntry, Pin, TokenReport};
use zeroize::Zeroizing;

use crate::i18n::{Severity, Text, pin_flags, preset_error_message, token_error_message, warning_text};
use crate::screen::settings::{CertImages, Config};

use crate::font::BOLD;
use crate::theme;

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

    /// The name saved in the settings.
    pub fn code(self) -> &'static str {
        self.preset().map_or("none", |(_, name)| name)
    }

    /// The role saved as `code` (unknown: none).
    pub fn from_code(code: &str) -> Self {
        Self::ALL.into_iter().find(|r| r.code() == code).unwrap_or_default()
    }

    /// The translation key of its label.
    pub fn key(self) -> &'static str {
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

    /// The fields that must be filled.
    pub fn required(self) -> &'static [Field] {
        match self {
            Self::None => &[],
            Self::Approver => &[Field::Image],
            Self::Issuer => &[Field::Seal],
            Self::Appendix => &[Field::Number],
            Self::Copy => &[Field::Org],
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

/// The baseline level (one typed level for every front end).
pub use kyso_core::Level;

/// The translation key of a level's label.
fn level_key(l: Level) -> &'static str {
    match l {
        Level::Basic => "gui-level-bb",
        Level::Timestamped => "gui-level-bt",
        Level::LongTerm => "gui-level-blt",
        Level::Archive => "gui-level-blta",
    }
}

/// Seconds to wait for the TSA (the VGCA TSA can take minutes).
const TSA_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(180);

/// Messages of the signing screen.
#[derive(Debug, Clone)]
pub enum Message {
    /// The typed path changed.
    InputChanged(String),
    /// Add the typed path to the files.
    Add,
    /// Remove a file from the list.
    Remove(usize),
    /// Open the system's file dialog.
    Browse,
    /// Files were picked in the dialog (none: cancelled).
    Picked(Vec<PathBuf>),
    /// Open the file dialog for a role's image field.
    BrowseImage(Field),
    /// An image was picked for a field.
    PickedImage(Field, Option<PathBuf>),
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
    /// Signing went one step further.
    Progress(Step),
    /// Stop after the file being signed.
    Cancel,
    /// The user allowed (or not) signing without a revocation check.
    AllowUnchecked(bool),
    /// The user asked to open the folder of the signed file.
    OpenFolder(PathBuf),
    /// The user picked a level.
    LevelSelected(Level),
    /// The TSA URL changed.
    TsaChanged(String),
    /// Show (or fold away) the certificates that cannot sign.
    ShowUnusable(bool),
    /// A preview arrived (its request id, then the result).
    PreviewReady(u64, Result<Box<Preview>, Text>),
    /// Show another page.
    PreviewPage(usize),
    /// The pointer moved over the page (picture pixels).
    PreviewHover(Point),
    /// The page was pressed: the signature goes there, and follows the
    /// pointer until released (drag).
    PreviewClick,
    /// The mouse button was released, or the pointer left the page.
    PreviewRelease,
    /// Back to the automatic placement.
    PreviewReset,
}

/// How a signing goes on (sent as it happens).
#[derive(Debug, Clone)]
pub enum Step {
    /// File `i` is being signed.
    Started(usize),
    /// File `i` ended: the signed file or why not.
    File(usize, Result<PathBuf, Text>),
    /// The batch ended: what stopped it before any file (PIN, token,
    /// revocation), then any journal problem.
    Done(Result<(), Text>, Option<Text>),
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

/// A rendered page with the placement the preset proposes.
#[derive(Debug, Clone)]
pub struct Preview {
    path: PathBuf,
    image: kyso_preview::PageImage,
    handle: image::Handle,
    /// The visible page (CropBox within MediaBox) in user space.
    bounds: [f64; 4],
    /// The automatic placement: page and rectangle.
    auto: Option<(usize, [f64; 4])>,
    /// Why no automatic placement could be proposed.
    auto_error: Option<Text>,
    /// Signature widgets already on the page shown.
    existing: Vec<[f64; 4]>,
}

/// What to preview.
#[derive(Debug, Clone)]
pub struct PreviewRequest {
    /// Request id: results of older requests are ignored.
    pub id: u64,
    /// The PDF.
    pub path: PathBuf,
    /// The page to show; `None`: the page the preset picks.
    pub page: Option<usize>,
    /// The role.
    pub role: RoleChoice,
    /// Its inputs (images size the proposed box).
    pub inputs: RoleInputs,
}

/// Everything a signing needs.
#[derive(Debug)]
pub struct Job {
    /// The files and where each signed copy goes.
    pub files: Vec<(PathBuf, PathBuf)>,
    /// Set to stop before the next file.
    pub cancel: Arc<AtomicBool>,
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
    /// The HTTP proxy of the settings (`None`: the environment's).
    pub proxy: Option<String>,
}

/// Inputs of a role preset.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoleInputs {
    /// A placement chosen on the preview (page, rectangle); `None`: the
    /// preset's own.
    placement: Option<(usize, [f64; 4])>,
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
#[derive(Debug)]
pub struct Sign {
    /// Files added to the batch.
    files: Vec<PathBuf>,
    /// A typed path (counts as a file until added).
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
    proxy: Option<String>,
    image: String,
    seal: String,
    seal_mm: String,
    number: String,
    date: String,
    copy_form: String,
    org: String,
    show_unusable: bool,
    pin_dialog: bool,
    pin: Secret,
    signing: bool,
    /// The files of the running or last batch, with their state.
    progress: Vec<(PathBuf, FileStatus)>,
    cancel: Option<Arc<AtomicBool>>,
    result: Option<Result<PathBuf, Text>>,
    journal: Option<Text>,
    preview: Option<Box<Preview>>,
    preview_id: u64,
    preview_loading: bool,
    preview_error: Option<Text>,
    hover: Option<Point>,
    /// The box follows the pointer (button held on the page).
    dragging: bool,
    /// Images to remember for the certificate of the running signing.
    remember: Option<(String, CertImages)>,
    /// The file the last preview request was for.
    preview_for: Option<PathBuf>,
    /// A placement chosen on the preview.
    placement: Option<(usize, [f64; 4])>,
    /// The settings (naming, remembered images).
    config: Config,
    /// The user picked a role (the default role no longer applies).
    role_touched: bool,
}

impl Default for Sign {
    fn default() -> Self {
        Self {
            files: Vec::new(),
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
            proxy: None,
            image: String::new(),
            seal: String::new(),
            seal_mm: SEAL_MM.into(),
            number: String::new(),
            date: String::new(),
            copy_form: String::new(),
            org: String::new(),
            show_unusable: false,
            pin_dialog: false,
            pin: Secret::default(),
            signing: false,
            progress: Vec::new(),
            cancel: None,
            result: None,
            journal: None,
            preview: None,
            preview_id: 0,
            preview_loading: false,
            preview_error: None,
            hover: None,
            dragging: false,
            remember: None,
            preview_for: None,
            placement: None,
            config: Config::default(),
            role_touched: false,
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

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

impl Sign {
    /// Puts the settings in force: TSA, output naming, remembered images,
    /// and the default role (until the user picks one).
    pub fn configure(&mut self, config: &Config) {
        self.tsa = config.tsa.clone();
        self.proxy = config.proxy();
        if !self.role_touched {
            self.role = RoleChoice::from_code(&config.default_role);
        }
        self.config = config.clone();
        self.sync_output();
    }

    /// Where the signed copy of `input` goes (the settings' naming).
    fn default_output(&self, input: &Path) -> PathBuf {
        self.config.output_for(input)
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

    /// The facts line shown for `who`'s certificate on the token `token`.
    #[cfg(test)]
    pub fn facts_line(&self, t: &Translator, who: &str, token: &str) -> Option<String> {
        self.certificates
            .as_ref()?
            .iter()
            .find(|c| c.entry.token_label == token && c.entry.certificate.subject_cn.as_deref() == Some(who))
            .map(|c| cert_facts(t, c))
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

    /// The files the next signing takes: those added, and a typed path.
    pub fn targets(&self) -> Vec<PathBuf> {
        let mut out = self.files.clone();
        if let Some(typed) = opt(&self.input).map(PathBuf::from)
            && !out.contains(&typed)
        {
            out.push(typed);
        }
        out
    }

    /// The one PDF a preview is for: a single target, a PDF, a visible role.
    fn preview_target(&self) -> Option<PathBuf> {
        let targets = self.targets();
        match targets.as_slice() {
            [one] if self.role != RoleChoice::None && !is_office(one) && one.is_file() => Some(one.clone()),
            _ => None,
        }
    }

    /// Keeps the single output in step with the files.
    fn sync_output(&mut self) {
        if !self.output_edited {
            self.output = match self.targets().as_slice() {
                [one] => self.default_output(one).display().to_string(),
                _ => String::new(),
            };
        }
    }

    fn set_input(&mut self, s: String) {
        self.input = s;
        self.sync_output();
    }

    fn add_files(&mut self, paths: impl IntoIterator<Item = PathBuf>) {
        // A typed path joins the list first, in the order the user gave.
        if let Some(typed) = opt(&self.input).map(PathBuf::from)
            && !self.files.contains(&typed)
        {
            self.files.push(typed);
        }
        for p in paths {
            if !self.files.contains(&p) {
                self.files.push(p);
            }
        }
        // A typed path already added is not counted twice.
        if opt(&self.input).is_some_and(|t| self.files.contains(&PathBuf::from(t))) {
            self.input.clear();
        }
        self.output_edited = self.output_edited && self.targets().len() == 1;
        self.sync_output();
    }

    /// Asks for a preview when the single PDF, the role or the page changed.
    fn refresh_preview(&mut self, page: Option<usize>) -> Option<Event> {
        let Some(path) = self.preview_target() else {
            // A late picture of an earlier file is ignored.
            self.preview_id += 1;
            self.preview_for = None;
            self.preview_loading = false;
            self.preview = None;
            self.preview_error = None;
            self.placement = None;
            return None;
        };
        if self.preview.as_ref().is_some_and(|p| p.path != path) {
            self.placement = None;
        }
        self.preview_id += 1;
        self.preview_loading = true;
        self.preview_for = Some(path.clone());
        let page = page.or_else(|| self.preview.as_ref().filter(|p| p.path == path).map(|p| p.image.page));
        Some(Event::Preview(Box::new(PreviewRequest {
            id: self.preview_id,
            path,
            page,
            role: self.role,
            inputs: self.inputs_unchecked(),
        })))
    }

    /// The role inputs as typed (no validation), for the preview.
    fn inputs_unchecked(&self) -> RoleInputs {
        let fields = self.role.fields();
        let get = |f: Field| if fields.contains(&f) { opt(self.field(f)) } else { None };
        RoleInputs {
            placement: None,
            image: get(Field::Image).map(PathBuf::from),
            seal: get(Field::Seal).map(PathBuf::from),
            seal_mm: self.seal_mm.trim().replace(',', ".").parse::<f64>().ok().filter(|v| *v > 0.0).unwrap_or(36.0),
            number: get(Field::Number),
            date: get(Field::Date),
            copy_form: get(Field::CopyForm),
            org: get(Field::Org),
        }
    }

    fn wipe_pin(&mut self) {
        // `Zeroizing` wipes the old text as it is replaced.
        self.pin = Secret::default();
        self.pin_dialog = false;
    }

    /// Checks the form before asking for the PIN.
    fn check(&self) -> Result<RoleInputs, Text> {
        let targets = self.targets();
        if targets.is_empty() {
            return Err(Text::new("gui-no-file"));
        }
        if targets.len() == 1 && opt(&self.output).is_none() {
            return Err(Text::new("gui-no-output"));
        }
        // Office files have no visible signature and no long-term PAdES
        // level (the NĐ 30 looks and the DSS are PDF's).
        if targets.iter().any(|t| is_office(t)) {
            if self.role != RoleChoice::None {
                return Err(Text::new("gui-office-no-look"));
            }
            if matches!(self.level, Level::LongTerm | Level::Archive) {
                return Err(Text::new("gui-office-level"));
            }
        }
        // Two files must not be signed into one (same name, one folder).
        let mut outputs: Vec<PathBuf> = self.pairs().into_iter().map(|(_, o)| o).collect();
        outputs.sort();
        if let Some(w) = outputs.windows(2).find(|w| w[0] == w[1]) {
            return Err(Text::new("gui-duplicate-output").arg("path", w[0].display().to_string()));
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
        // What the role's look cannot go without (NĐ 30/2020 Phụ lục I): the
        // signature image, the seal, the number, the copying organisation.
        for f in self.role.required() {
            if opt(self.field(*f)).is_none() {
                return Err(Text::new(match f {
                    Field::Image => "gui-required-image",
                    Field::Seal => "gui-required-seal",
                    Field::Number => "gui-required-number",
                    _ => "gui-required-org",
                }));
            }
        }
        let seal_mm = if self.role.fields().contains(&Field::SealMm) {
            match self.seal_mm.trim().replace(',', ".").parse::<f64>() {
                Ok(v) if v.is_finite() && v > 0.0 => v,
                _ => return Err(Text::new("gui-seal-mm-invalid")),
            }
        } else {
            36.0
        };
        // A placement chosen on the preview holds for that one PDF only.
        let placement = match (&self.preview, self.preview_target()) {
            (Some(p), Some(target)) if p.path == target => self.placement,
            _ => None,
        };
        Ok(RoleInputs { placement, seal_mm, ..self.inputs_unchecked() })
    }

    /// The (input, output) pairs of the next signing.
    fn pairs(&self) -> Vec<(PathBuf, PathBuf)> {
        let targets = self.targets();
        if let [one] = targets.as_slice() {
            return vec![(one.clone(), PathBuf::from(self.output.trim()))];
        }
        targets.into_iter().map(|t| (t.clone(), self.default_output(&t))).collect()
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::InputChanged(s) => {
                self.set_input(s);
                // A typed path that names another file (or none) changes
                // what the preview shows.
                if self.preview_target() != self.preview_for {
                    return self.refresh_preview(None);
                }
            }
            Message::Add => {
                if let Some(p) = opt(&self.input).map(PathBuf::from) {
                    self.add_files([p]);
                    return self.refresh_preview(None);
                }
            }
            Message::Open(p) => {
                self.add_files([p]);
                return self.refresh_preview(None);
            }
            Message::Picked(list) => {
                self.add_files(list);
                return self.refresh_preview(None);
            }
            Message::Remove(i) => {
                if !self.signing && i < self.files.len() {
                    self.files.remove(i);
                    self.output_edited = false;
                    self.sync_output();
                    return self.refresh_preview(None);
                }
            }
            Message::Browse => return (!self.signing).then_some(Event::PickFiles),
            Message::BrowseImage(f) => return Some(Event::PickImage(f)),
            Message::PickedImage(f, p) => {
                if let Some(p) = p {
                    *self.field_mut(f) = p.display().to_string();
                    return self.refresh_preview(None);
                }
            }
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
                let c = self.certificates.as_ref().and_then(|l| l.get(i)).filter(|c| c.usable())?;
                // The images this certificate signed with last time.
                if let Some(imgs) = self.config.images.get(&c.entry.certificate.sha256).cloned() {
                    for (field, path) in [(Field::Image, imgs.signature), (Field::Seal, imgs.seal)] {
                        if let Some(p) = path
                            && self.field(field).trim().is_empty()
                        {
                            *self.field_mut(field) = p.display().to_string();
                        }
                    }
                }
                self.selected = Some(i);
                return self.refresh_preview(None);
            }
            Message::RoleSelected(r) => {
                self.role_touched = true;
                if r != self.role {
                    self.role = r;
                    self.placement = None;
                    return self.refresh_preview(None);
                }
            }
            Message::AllowUnchecked(v) => self.allow_unchecked = v,
            Message::LevelSelected(l) => self.level = l,
            Message::OpenFolder(file) => return Some(Event::OpenFolder(file)),
            Message::TsaChanged(u) => self.tsa = u,
            Message::ShowUnusable(v) => self.show_unusable = v,
            Message::FieldChanged(f, s) => *self.field_mut(f) = s,
            Message::PreviewReady(id, result) => {
                if id == self.preview_id {
                    self.preview_loading = false;
                    match result {
                        Ok(p) => {
                            self.preview = Some(p);
                            self.preview_error = None;
                        }
                        Err(e) => {
                            self.preview = None;
                            self.preview_error = Some(e);
                        }
                    }
                }
            }
            Message::PreviewPage(page) => {
                if self.preview.as_ref().is_some_and(|p| page >= 1 && page <= p.image.pages) {
                    return self.refresh_preview(Some(page));
                }
            }
            Message::PreviewHover(p) => {
                self.hover = Some(p);
                if self.dragging {
                    self.place_at_pointer();
                }
            }
            Message::PreviewRelease => self.dragging = false,
            Message::PreviewClick => {
                self.dragging = self.preview.is_some();
                self.place_at_pointer();
            }
            Message::PreviewReset => self.placement = None,
            Message::Sign => {
                if !self.signing {
                    match self.check() {
                        Ok(_) => {
                            self.result = None;
                            self.wipe_pin();
                            self.pin_dialog = true;
                            return Some(Event::FocusPin);
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
                self.remember = self.images_to_remember(&choice);
                let files = self.pairs();
                let cancel = Arc::new(AtomicBool::new(false));
                self.signing = true;
                self.journal = None;
                self.cancel = Some(cancel.clone());
                self.progress = files.iter().map(|(i, _)| (i.clone(), FileStatus::Waiting)).collect();
                return Some(Event::Sign(Box::new(Job {
                    files,
                    cancel,
                    choice,
                    pin,
                    role: self.role,
                    inputs,
                    allow_unchecked: self.allow_unchecked,
                    level: self.level,
                    tsa: self.tsa.trim().to_owned(),
                    proxy: self.proxy.clone(),
                })));
            }
            Message::Cancel => {
                if let Some(c) = &self.cancel {
                    c.store(true, Ordering::SeqCst);
                }
            }
            Message::Progress(step) => return self.step(step),
        }
        None
    }

    fn step(&mut self, step: Step) -> Option<Event> {
        match step {
            Step::Started(i) => {
                if let Some((_, s)) = self.progress.get_mut(i) {
                    *s = FileStatus::Signing;
                }
            }
            Step::File(i, r) => {
                if let Some((_, s)) = self.progress.get_mut(i) {
                    *s = match r {
                        Ok(p) => FileStatus::Signed(p),
                        Err(e) => FileStatus::Failed(e),
                    };
                }
            }
            Step::Done(result, journal) => {
                self.signing = false;
                self.cancel = None;
                self.wipe_pin();
                self.journal = journal;
                for (_, s) in &mut self.progress {
                    if matches!(s, FileStatus::Waiting | FileStatus::Signing) {
                        *s = FileStatus::Skipped;
                    }
                }
                let pin_failed = matches!(&result, Err(e) if e.key.starts_with("err-pin"));
                // Signed files leave the list (their results stay below);
                // those that failed or were skipped stay for another try.
                let signed: Vec<PathBuf> = self
                    .progress
                    .iter()
                    .filter(|(_, s)| matches!(s, FileStatus::Signed(_)))
                    .map(|(p, _)| p.clone())
                    .collect();
                if !signed.is_empty() {
                    self.files.retain(|f| !signed.contains(f));
                    if opt(&self.input).is_some_and(|t| signed.contains(&PathBuf::from(t))) {
                        self.input.clear();
                    }
                    self.output_edited = false;
                    self.sync_output();
                    self.placement = None;
                    self.preview = None;
                    self.preview_for = None;
                }
                self.result = Some(match result {
                    Err(e) => Err(e),
                    Ok(()) => {
                        let failed = self.progress.iter().find_map(|(_, s)| match s {
                            FileStatus::Failed(e) => Some(e.clone()),
                            _ => None,
                        });
                        let last = self.progress.iter().rev().find_map(|(_, s)| match s {
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
                if pin_failed {
                    // The token's counter changed: show its new state.
                    return self.start_loading();
                }
                // Remember the images the certificate signed with (as they
                // were when the PIN was confirmed).
                let remember = self.remember.take();
                if let (Some(Ok(_)), Some((sha, images))) = (&self.result, remember) {
                    return Some(Event::RememberImages(sha, images));
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

    /// The placement chosen on the preview.
    #[cfg(test)]
    pub fn placement(&self) -> Option<(usize, [f64; 4])> {
        self.placement
    }

    /// The page shown in the preview, and the pixel centre of the box drawn.
    #[cfg(test)]
    pub fn preview_box_centre(&self) -> Option<(usize, f64, f64)> {
        let p = self.preview.as_ref()?;
        let (_, rect) = self.shown_box(p)?;
        let (x, y, w, h) = p.image.rect_to_pixels(rect);
        Some((p.image.page, x + w / 2.0, y + h / 2.0))
    }

    /// The per-file states of the last batch.
    #[cfg(test)]
    pub fn progress(&self) -> &[(PathBuf, FileStatus)] {
        &self.progress
    }

    /// The images this signing uses, to remember for its certificate.
    fn images_to_remember(&self, c: &Choice) -> Option<(String, CertImages)> {
        let fields = self.role.fields();
        let get = |f: Field| fields.contains(&f).then(|| opt(self.field(f)).map(PathBuf::from)).flatten();
        let (signature, seal) = (get(Field::Image), get(Field::Seal));
        if signature.is_none() && seal.is_none() {
            return None;
        }
        let info = &c.entry.certificate;
        let remembered = self.config.images.get(&info.sha256);
        let images = CertImages {
            subject: info.subject_cn.clone().unwrap_or_else(|| info.subject.clone()),
            signature: signature.or_else(|| remembered.and_then(|r| r.signature.clone())),
            seal: seal.or_else(|| remembered.and_then(|r| r.seal.clone())),
        };
        Some((info.sha256.clone(), images))
    }

    /// Centres the box on the pointer: it keeps the proposed size (or the
    /// one already placed) and stays on the page.
    fn place_at_pointer(&mut self) {
        if let (Some(p), Some(at)) = (&self.preview, self.hover) {
            let size = self.placement.map(|(_, r)| r).or(p.auto.map(|(_, r)| r)).unwrap_or([
                0.0,
                0.0,
                DEFAULT_BOX.0,
                DEFAULT_BOX.1,
            ]);
            let rect = p.image.place(size, f64::from(at.x), f64::from(at.y), p.bounds);
            self.placement = Some((p.image.page, rect));
        }
    }

    /// The box drawn on the page shown: the placement chosen, else the
    /// automatic one (with `true` when chosen).
    fn shown_box(&self, p: &Preview) -> Option<(bool, [f64; 4])> {
        match self.placement {
            Some((page, r)) if page == p.image.page => Some((true, r)),
            Some(_) => None,
            None => p.auto.filter(|(page, _)| *page == p.image.page).map(|(_, r)| (false, r)),
        }
    }

    /// The screen.
    pub fn view<'a>(&'a self, t: &Translator) -> Element<'a, Message> {
        if self.pin_dialog {
            return self.pin_view(t);
        }
        let labelled = |key: &str, widget: Element<'a, Message>| -> Element<'a, Message> {
            row![text(t.tr(key)).width(180), widget].spacing(8).align_y(iced::Center).into()
        };
        // Files: typed, dropped or picked; several at once.
        let mut form = column![labelled(
            "gui-file",
            row![
                text_input(&t.tr("gui-file-placeholder"), &self.input)
                    .on_input(Message::InputChanged)
                    .on_submit(Message::Add),
                button(text(t.tr("gui-add"))).style(button::secondary).on_press(Message::Add),
                button(text(t.tr("gui-browse")))
                    .style(button::secondary)
                    .on_press_maybe((!self.signing).then_some(Message::Browse)),
            ]
            .spacing(6)
            .into()
        ),]
        .spacing(8);
        for (i, f) in self.files.iter().enumerate() {
            form = form.push(
                row![
                    text(f.display().to_string()).size(13).width(Fill),
                    button(text(t.tr("gui-remove")).size(13))
                        .style(button::text)
                        .on_press_maybe((!self.signing).then_some(Message::Remove(i))),
                ]
                .spacing(8)
                .align_y(iced::Center),
            );
        }
        let targets = self.targets();
        if targets.len() > 1 {
            let example = self.default_output(&targets[0]).display().to_string();
            form = form.push(
                text(t.tr_args("gui-files-count", &[("n", &targets.len().to_string()), ("example", &example)]))
                    .size(13)
                    .style(theme::text_muted),
            );
        } else {
            form =
                form.push(labelled("gui-output", text_input("", &self.output).on_input(Message::OutputChanged).into()));
        }

        // Certificates.
        let refresh = button(text(t.tr("gui-rescan"))).on_press_maybe((!self.is_busy()).then_some(Message::Refresh));
        form = form.push(row![text(t.tr("gui-certificate")).font(BOLD), refresh].spacing(12).align_y(iced::Center));
        if self.loading {
            form = form.push(text(t.tr("gui-scanning")));
        }
        if let Some(e) = &self.load_error {
            form = form.push(text(e.render(t)).style(theme::text_danger));
        }
        match &self.certificates {
            Some(list) if list.is_empty() => {
                form = form.push(text(t.tr("err-cert-not-found")).style(theme::text_warning))
            }
            Some(list) => {
                // Certificates that cannot sign (no key, expired, encryption
                // only) are folded away unless asked for.
                let unusable = list.iter().filter(|c| !c.usable()).count();
                for (i, c) in list.iter().enumerate() {
                    if c.usable() || self.show_unusable {
                        form = form.push(cert_view(t, i, c, self.selected == Some(i)));
                    }
                }
                if unusable > 0 {
                    form = form.push(
                        checkbox(self.show_unusable)
                            .label(t.tr_args("gui-show-unusable", &[("n", &unusable.to_string())]))
                            .on_toggle(Message::ShowUnusable)
                            .text_size(13),
                    );
                }
            }
            None => {}
        }

        // Role.
        // Radio choices wrap onto more lines in a narrow window.
        let mut roles = row![].spacing(12);
        for r in RoleChoice::ALL {
            roles = roles.push(radio(t.tr(r.key()), r, Some(self.role), Message::RoleSelected));
        }
        form = form.push(row![text(t.tr("gui-role")).width(180), roles.wrap().vertical_spacing(6)]);
        let mut levels = row![].spacing(12);
        for l in Level::ALL {
            levels = levels.push(radio(t.tr(level_key(l)), l, Some(self.level), Message::LevelSelected));
        }
        form = form.push(row![text(t.tr("gui-level")).width(180), levels.wrap().vertical_spacing(6)]);
        if self.level.timestamped() {
            form = form.push(labelled("gui-tsa", text_input("", &self.tsa).on_input(Message::TsaChanged).into()));
        }
        form = form
            .push(checkbox(self.allow_unchecked).label(t.tr("gui-allow-unchecked")).on_toggle(Message::AllowUnchecked));
        for &f in self.role.fields() {
            let input = text_input("", self.field(f)).on_input(move |s| Message::FieldChanged(f, s));
            let widget: Element<'a, Message> = if matches!(f, Field::Image | Field::Seal) {
                row![input, button(text(t.tr("gui-browse"))).style(button::secondary).on_press(Message::BrowseImage(f))]
                    .spacing(6)
                    .into()
            } else {
                input.into()
            };
            form = form.push(labelled(f.key(), widget));
        }

        // The action bar stays in view below the scrolling form (a long
        // certificate list must not push "Sign" off a 1366×768 screen).
        let sign = button(text(t.tr("gui-sign-start")))
            .style(button::success)
            .on_press_maybe((!self.signing && self.selected.is_some()).then_some(Message::Sign));
        let mut actions = row![sign].spacing(12).align_y(iced::Center);
        if self.signing {
            let done =
                self.progress.iter().filter(|(_, s)| !matches!(s, FileStatus::Waiting | FileStatus::Signing)).count();
            actions = actions.push(text(t.tr_args(
                "gui-signing-progress",
                &[("done", &done.to_string()), ("total", &self.progress.len().to_string())],
            )));
            let cancelling = self.cancel.as_ref().is_some_and(|c| c.load(Ordering::SeqCst));
            actions = actions.push(
                button(text(t.tr("gui-cancel")))
                    .style(button::secondary)
                    .on_press_maybe((!cancelling).then_some(Message::Cancel)),
            );
        }
        let mut bar = column![actions].spacing(6);
        if self.signing {
            bar = bar.push(text(t.tr("gui-signing")).size(13));
        }
        if self.progress.len() > 1 || self.signing {
            for (input, status) in &self.progress {
                bar = bar.push(file_status_view(t, input, status));
            }
        }
        match &self.result {
            Some(Ok(out)) if self.progress.len() <= 1 => {
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
        if let Some(j) = &self.journal {
            bar = bar.push(text(j.render(t)).style(theme::text_warning).size(13));
        }
        let body = row![scrollable(form.padding([0, 12])).height(Fill).width(Fill), self.preview_view(t)].spacing(12);
        column![
            rule::horizontal(1),
            body.height(Fill),
            rule::horizontal(1),
            scrollable(bar.padding([0, 12])).height(iced::Shrink)
        ]
        .spacing(12)
        .into()
    }

    /// The page preview: the proposed or chosen box over the page; a click
    /// moves it there (ISO 32000-2 §12.5.2 /Rect, user space).
    fn preview_view<'a>(&'a self, t: &Translator) -> Element<'a, Message> {
        if self.role == RoleChoice::None {
            return column![].width(0).into();
        }
        let mut col = column![text(t.tr("gui-preview")).font(BOLD)].spacing(6).width(PREVIEW_W as f32 + 24.0);
        let Some(p) = &self.preview else {
            let note = if self.preview_loading {
                t.tr("gui-preview-loading")
            } else if let Some(e) = &self.preview_error {
                e.render(t)
            } else if self.targets().len() > 1 {
                t.tr("gui-preview-many")
            } else {
                t.tr("gui-preview-none")
            };
            return col.push(text(note).size(13)).into();
        };
        let page = p.image.page;
        col = col.push(
            row![
                button(text("‹")).on_press_maybe((page > 1).then_some(Message::PreviewPage(page.saturating_sub(1)))),
                text(t.tr_args(
                    "gui-preview-page",
                    &[("page", &page.to_string()), ("pages", &p.image.pages.to_string())]
                )),
                button(text("›")).on_press_maybe((page < p.image.pages).then_some(Message::PreviewPage(page + 1))),
                button(text(t.tr("gui-preview-auto")).size(13))
                    .style(button::secondary)
                    .on_press_maybe(self.placement.is_some().then_some(Message::PreviewReset)),
            ]
            .spacing(8)
            .align_y(iced::Center),
        );
        let (w, h) = (p.image.width as f32, p.image.height as f32);
        let mut layers = stack![image(p.handle.clone()).width(w).height(h)].width(w).height(h);
        let boxed = |rect: [f64; 4], m: theme::Mark| {
            let (x, y, bw, bh) = p.image.rect_to_pixels(rect);
            pin(container(text("")).width(bw as f32).height(bh as f32).style(move |th| theme::mark(th, m)))
                .x(x as f32)
                .y(y as f32)
        };
        for r in &p.existing {
            layers = layers.push(boxed(*r, theme::Mark::Existing));
        }
        if let Some((chosen, r)) = self.shown_box(p) {
            layers = layers.push(boxed(r, if chosen { theme::Mark::Chosen } else { theme::Mark::Proposed }));
        }
        col = col.push(
            container(
                mouse_area(layers)
                    .on_move(Message::PreviewHover)
                    .on_press(Message::PreviewClick)
                    .on_release(Message::PreviewRelease)
                    .on_exit(Message::PreviewRelease)
                    .interaction(iced::mouse::Interaction::Crosshair),
            )
            .id(iced::widget::Id::new(PREVIEW_ID))
            .style(container::bordered_box),
        );
        let hint = match (&self.placement, &p.auto, &p.auto_error) {
            (Some((pg, _)), _, _) if *pg != page => t.tr_args("gui-preview-chosen-on", &[("page", &pg.to_string())]),
            (Some(_), _, _) => t.tr("gui-preview-chosen"),
            (None, Some((pg, _)), _) if *pg != page => t.tr_args("gui-preview-auto-on", &[("page", &pg.to_string())]),
            (None, Some(_), _) => t.tr("gui-preview-proposed"),
            (None, None, Some(e)) => e.render(t),
            (None, None, None) => t.tr("gui-preview-click"),
        };
        scrollable(
            col.push(text(hint).size(13)).push(text(t.tr("gui-preview-click")).size(12).style(theme::text_muted)),
        )
        .height(Fill)
        .into()
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
                Severity::Warning => line.style(theme::text_warning),
                Severity::Critical => line.size(18).font(BOLD).style(theme::text_danger),
            });
        }
        let locked = choice.token.pin.locked;
        let mut input = text_input(&t.tr("gui-pin-placeholder"), &self.pin.0).secure(true).id(PIN_ID);
        if !locked {
            input = input.on_input(|s| Message::PinChanged(Secret::new(s))).on_submit(Message::PinConfirm);
        }
        col = col.push(input).push(text(t.tr("gui-pin-no-retry")).size(13));
        col = col.push(
            row![
                button(text(t.tr("gui-pin-sign")))
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

/// One line of facts (token, validity) keeps a token's certificates on one
/// screen and tells apart the same person's certificates on two tokens.
fn cert_facts(t: &Translator, c: &Choice) -> String {
    let info = &c.entry.certificate;
    format!(
        "{}: {} · {}: {}",
        t.tr("cert-token"),
        c.entry.token_label,
        t.tr("cert-validity"),
        t.tr_args(
            "cert-validity-range",
            &[
                ("from", &crate::i18n::short_date(t, &info.not_before)),
                ("to", &crate::i18n::short_date(t, &info.not_after))
            ]
        )
    )
}

fn cert_view<'a>(t: &Translator, i: usize, c: &'a Choice, selected: bool) -> Element<'a, Message> {
    let info = &c.entry.certificate;
    let mut col = column![
        text(info.subject_cn.clone().unwrap_or_else(|| info.subject.clone())).font(BOLD),
        text(cert_facts(t, c)).size(13),
    ]
    .spacing(2);
    if !c.entry.has_private_key {
        col = col.push(
            text(format!("{}: {}", t.tr("cert-private-key"), t.tr("cert-private-key-no"))).style(theme::text_warning),
        );
    }
    for w in &info.warnings {
        let code = serde_json::to_value(w).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        col = col.push(text(warning_text(t, &code)).style(theme::text_danger));
    }
    let style = if selected { button::primary } else { button::secondary };
    button(col)
        .width(Fill)
        .padding([4, 10])
        .style(style)
        .on_press_maybe(c.usable().then_some(Message::Select(i)))
        .into()
}

/// Lists the certificates of every token of every module found
/// (blocking: run it off the UI thread).
pub fn load_certificates(modules: &[PathBuf]) -> Result<Vec<Choice>, Text> {
    kyso_core::list_certificates(&[], modules, None)
        .map(|list| list.into_iter().map(|(entry, token)| Choice { entry, token }).collect())
        .map_err(|e| token_error_message(&e))
}

/// Whether `path` is an Office package (kyso-core decides).
fn is_office(path: &Path) -> bool {
    kyso_core::Format::detect(path) == kyso_core::Format::Office
}

/// The widget id of the PIN field (focused when the dialog opens).
pub const PIN_ID: &str = "kyso-pin";

/// The widget id of the page picture (tests click on it).
pub const PREVIEW_ID: &str = "kyso-preview-page";

/// Largest preview picture, in pixels.
const PREVIEW_W: u32 = 360;
const PREVIEW_H: u32 = 400;

/// Size of a box placed where no preset proposes one (points).
const DEFAULT_BOX: (f64, f64) = (170.0, 70.0);

/// A 1×1 transparent PNG: stands in for an image not chosen yet, so the
/// preview can still propose where the signature goes.
const PLACEHOLDER_PNG: &[u8] = &[
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 31, 21, 196,
    137, 0, 0, 0, 11, 73, 68, 65, 84, 120, 156, 99, 96, 0, 2, 0, 0, 5, 0, 1, 122, 94, 171, 63, 0, 0, 0, 0, 73, 69, 78,
    68, 174, 66, 96, 130,
];

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

/// Renders the preview of a request (blocking: run it off the UI thread):
/// the page, the box the role's preset proposes, and the signatures
/// already there.
pub fn render_preview(req: &PreviewRequest) -> Result<Box<Preview>, Text> {
    let io = |e: std::io::Error| {
        Text::new("err-io").arg("path", req.path.display().to_string()).arg("detail", e.to_string())
    };
    let malformed = |e: kyso_pdf::PdfError| Text::new("err-pdf-malformed").arg("detail", e.to_string());
    let bytes = std::fs::read(&req.path).map_err(io)?;
    let reader = PdfReader::open(&req.path).map_err(malformed)?;
    let pages = reader.pages().map_err(malformed)?;
    let (auto, auto_error) = match preset_spec(req.role, &req.inputs, now_secs(), true) {
        Ok(Some(spec)) => match kyso_pdf::presets::prepare(&reader, &spec) {
            Ok(p) => (Some((p.page, p.appearance.rect)), None),
            Err(e) => (None, Some(preset_error_message(&e))),
        },
        Ok(None) => (None, None),
        Err(e) => (None, Some(e)),
    };
    let page = req.page.or(auto.map(|(p, _)| p)).unwrap_or(1).clamp(1, pages.len().max(1));
    let page_num = *pages.get(page - 1).ok_or_else(|| Text::new("err-pdf-malformed").arg("detail", "no page"))?;
    // A box placed by hand stays where the page is shown (inside the CropBox).
    let bounds = kyso_pdf::presets::visible_box(&reader, page_num).map_err(malformed)?;
    let existing = kyso_pdf::presets::signature_widgets(&reader, page_num).unwrap_or_default();
    let mut image = kyso_preview::render_page(&bytes, page, PREVIEW_W, PREVIEW_H)
        .map_err(|e| Text::new("gui-preview-failed").arg("detail", e.to_string()))?;
    let handle = image::Handle::from_rgba(image.width, image.height, std::mem::take(&mut image.rgba));
    Ok(Box::new(Preview { path: req.path.clone(), image, handle, bounds, auto, auto_error, existing }))
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

/// The preset of a role with its inputs (NĐ 30/2020 Phụ lục I); `None` for
/// an invisible signature. With `placeholders`, missing images and texts
/// are stood in for (to propose a place before everything is chosen).
fn preset_spec(role: RoleChoice, i: &RoleInputs, now: i64, placeholders: bool) -> Result<Option<PresetInput>, Text> {
    let Some((role, _)) = role.preset() else { return Ok(None) };
    let image = |p: &Option<PathBuf>| match read_file(p) {
        Ok(Some(b)) => Ok(Some(b)),
        Ok(None) | Err(_) if placeholders => Ok(Some(PLACEHOLDER_PNG.to_vec())),
        other => other,
    };
    let text_or = |v: &Option<String>| v.clone().or_else(|| placeholders.then(|| "…".to_owned()));
    Ok(Some(PresetInput {
        role,
        page: i.placement.map(|(p, _)| p),
        rect: i.placement.map(|(_, r)| r),
        anchor: None,
        image: image(&i.image)?,
        seal: image(&i.seal)?,
        seal_mm: i.seal_mm,
        number: text_or(&i.number),
        number_rect: None,
        date: i.date.clone(),
        date_rect: None,
        copy_form: i.copy_form.clone(),
        organization: text_or(&i.org),
        time: now,
    }))
}

/// The look of a role with its inputs for kyso-core (NĐ 30/2020 Phụ lục
/// I); a placement chosen on the preview is kept.
fn look(role: RoleChoice, i: &RoleInputs) -> kyso_core::Look {
    kyso_core::Look {
        role: role.preset().map(|(r, _)| r),
        rect: i.placement.map(|(_, r)| r),
        image: i.image.clone(),
        seal: i.seal.clone(),
        seal_mm: i.seal_mm,
        number: i.number.clone(),
        date: i.date.clone(),
        copy_form: i.copy_form.clone(),
        organization: i.org.clone(),
        ..Default::default()
    }
}

fn journal_text(p: &kyso_core::JournalProblem) -> Text {
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
    let files = job.files.iter().map(|(i, o)| kyso_core::Target::to(i, o)).collect();
    let credential = kyso_core::Credential::Token { entry: Box::new(job.choice.entry.clone()), pin: Some(pin) };
    let mut req = kyso_core::SignRequest::new(files, credential, data_dir);
    req.level = job.level;
    req.tsa = kyso_core::Tsa { url: job.tsa.clone(), timeout: TSA_TIMEOUT };
    req.proxy = job.proxy.clone();
    req.look = look(job.role, &job.inputs);
    req.pdf.page = job.inputs.placement.map(|(p, _)| p);
    req.precheck.allow_unchecked = job.allow_unchecked;
    req.all_or_nothing = true;
    let mut journal_problem = None;
    let done = kyso_core::sign_batch(
        req,
        &mut |p| match p {
            kyso_core::Progress::Started(i) => report(Step::Started(i)),
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use iced_test::simulator;
    use kyso_i18n::Lang;
    use kyso_pki::{CertInfo, KeyKind};
    use kyso_token::PinState;

    pub(crate) fn choice(label: &str, pin: PinState, warnings: Vec<kyso_pki::CertWarning>) -> Choice {
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
        // A typed output is kept while one file is signed.
        let _ = s.update(Message::OutputChanged("/tmp/out.pdf".into()));
        let _ = s.update(Message::Add);
        assert_eq!(s.output(), "/tmp/out.pdf");
        assert_eq!(s.pairs(), [(PathBuf::from("/tmp/hop-dong.pdf"), PathBuf::from("/tmp/out.pdf"))]);
        // Several files: each signed copy goes beside its input.
        let _ = s.update(Message::Picked(vec!["/tmp/a.pdf".into(), "/tmp/b.docx".into(), "/tmp/a.pdf".into()]));
        assert_eq!(
            s.pairs(),
            [
                (PathBuf::from("/tmp/hop-dong.pdf"), PathBuf::from("/tmp/hop-dong.signed.pdf")),
                (PathBuf::from("/tmp/a.pdf"), PathBuf::from("/tmp/a.signed.pdf")),
                (PathBuf::from("/tmp/b.docx"), PathBuf::from("/tmp/b.signed.docx")),
            ]
        );
        // Removing back to one file offers its default output again.
        let _ = s.update(Message::Remove(2));
        let _ = s.update(Message::Remove(1));
        assert_eq!(s.output(), "/tmp/hop-dong.signed.pdf");
        let _ = s.view(&Translator::new(kyso_i18n::Lang::Vi));
    }

    fn start(s: &mut Sign) -> Box<Job> {
        let _ = s.update(Message::Sign);
        let _ = s.update(Message::PinChanged(Secret::new("1".into())));
        let Some(Event::Sign(job)) = s.update(Message::PinConfirm) else {
            panic!("no signing started: {:?}", s.result)
        };
        job
    }

    /// Three files: progress per file, a cancel that stops before the next
    /// one, failures kept in the list, signed files taken out of it.
    #[test]
    fn a_batch_reports_each_file_and_cancel_stops_before_the_next() {
        let mut s = ready();
        let _ = s.update(Message::Picked(vec!["/tmp/a.pdf".into(), "/tmp/b.pdf".into()]));
        let job = start(&mut s);
        assert_eq!(job.files.len(), 3);
        assert!(s.progress().iter().all(|(_, st)| *st == FileStatus::Waiting));
        let _ = s.update(Message::Progress(Step::Started(0)));
        assert_eq!(s.progress()[0].1, FileStatus::Signing);
        let vi = Translator::new(kyso_i18n::Lang::Vi);
        let mut ui = simulator(s.view(&vi));
        let _ = ui.click(vi.tr("gui-cancel").as_str()).expect("a cancel button while signing");
        for m in ui.into_messages().collect::<Vec<_>>() {
            let _ = s.update(m);
        }
        assert!(job.cancel.load(Ordering::SeqCst), "the running job sees the cancel");
        let _ = s.update(Message::Progress(Step::File(0, Ok("/tmp/hop-dong.signed.pdf".into()))));
        let _ = s.update(Message::Progress(Step::Started(1)));
        let _ = s.update(Message::Progress(Step::File(1, Err(Text::new("err-output-exists")))));
        let _ = s.update(Message::Progress(Step::Done(Ok(()), None)));
        assert!(!s.is_busy());
        assert_eq!(s.progress()[2].1, FileStatus::Skipped);
        assert_eq!(
            s.targets(),
            [PathBuf::from("/tmp/a.pdf"), PathBuf::from("/tmp/b.pdf")],
            "signed files leave the list"
        );
        assert_eq!(s.last_error().map(|e| e.key), Some("err-output-exists"));
        let en = Translator::new(kyso_i18n::Lang::En);
        let mut ui = simulator(s.view(&en));
        assert!(ui.find(en.tr_args("gui-file-skipped", &[("file", "b.pdf")]).as_str()).is_ok());
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

        // A missing seal, then a bad seal size, are refused before any PIN
        // is asked.
        let _ = s.update(Message::RoleSelected(RoleChoice::Issuer));
        assert!(s.update(Message::Sign).is_none());
        assert!(matches!(s.result(), Some(Err(e)) if e.key == "gui-required-seal"));
        let _ = s.update(Message::FieldChanged(Field::Seal, "/tmp/dau.png".into()));
        let _ = s.update(Message::FieldChanged(Field::SealMm, "abc".into()));
        assert!(s.update(Message::Sign).is_none());
        assert!(!s.pin_dialog_open());
        assert!(matches!(s.result(), Some(Err(e)) if e.key == "gui-seal-mm-invalid"));
        let _ = s.update(Message::FieldChanged(Field::SealMm, "40,5".into()));
        assert_eq!(
            s.update(Message::Sign).map(|e| matches!(e, Event::FocusPin)),
            Some(true),
            "the PIN field gets the focus"
        );
        assert!(s.pin_dialog_open());
    }

    /// Choose the certificate, the approver role and B-T, sign, type the PIN
    /// and confirm — by clicking and typing in the rendered interface.
    #[test]
    fn simulator_flow_from_certificate_to_signing_job() {
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

        // The approver needs a signature image: its field is shown, and
        // signing without one is refused before the PIN.
        let mut ui = simulator(s.view(&vi));
        assert!(ui.find(vi.tr("gui-image-path").as_str()).is_ok());
        let _ = ui.click(vi.tr("gui-sign-start").as_str()).unwrap();
        for m in ui.into_messages().collect::<Vec<_>>() {
            let _ = s.update(m);
        }
        assert!(!s.pin_dialog_open());
        assert_eq!(s.last_error().map(|e| e.key), Some("gui-required-image"));
        let _ = s.update(Message::FieldChanged(Field::Image, "/tmp/chu-ky.png".into()));
        let mut ui = simulator(s.view(&vi));
        assert!(ui.find(vi.tr("gui-required-image").as_str()).is_ok(), "the reason is shown");
        let _ = ui.click(vi.tr("gui-sign-start").as_str()).unwrap();
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
        let _ = ui.click(vi.tr("gui-pin-sign").as_str()).unwrap();
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
        let vi = Translator::new(kyso_i18n::Lang::Vi);
        let mut s = ready();
        let _ = start(&mut s);
        let _ = s.update(Message::Progress(Step::File(0, Ok(PathBuf::from("/tmp/out/hop-dong.signed.pdf")))));
        let _ = s.update(Message::Progress(Step::Done(Ok(()), None)));
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
        let _ = s.update(Message::Progress(Step::File(0, Ok(PathBuf::from("/tmp/x.pdf")))));
        let _ = s.update(Message::Progress(Step::Done(Ok(()), None)));

        // The signed file left the list: it is given again.
        let _ = s.update(Message::InputChanged("/tmp/hop-dong.signed.pdf".into()));
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
        assert_eq!(job.files, [(PathBuf::from("/tmp/hop-dong.pdf"), PathBuf::from("/tmp/hop-dong.signed.pdf"))]);
        drop(job);
        // A second confirm starts nothing.
        assert!(s.update(Message::PinConfirm).is_none());

        let wrong = token_error_message(&kyso_token::TokenError::PinIncorrect {
            state: PinState { final_try: true, ..Default::default() },
        });
        let next = s.update(Message::Progress(Step::Done(Err(wrong), None)));
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

    /// The settings choose the role the screen starts with and where signed
    /// copies go; a certificate brings back the images it signed with, and
    /// a signing with new images asks to remember them.
    #[test]
    fn settings_defaults_and_remembered_images() {
        let mut config = Config { default_role: "approver".into(), output_suffix: "da-ky".into(), ..Config::default() };
        config.images.insert(
            "sha-Good".into(),
            CertImages { subject: "Nguyễn Văn A".into(), signature: Some("/tmp/chu-ky.png".into()), seal: None },
        );
        let mut s = ready();
        s.configure(&config);
        assert_eq!(s.role, RoleChoice::Approver);
        assert_eq!(s.output(), "/tmp/hop-dong.da-ky.pdf");
        let _ = s.update(Message::Select(1));
        assert_eq!(s.field(Field::Image), "/tmp/chu-ky.png");
        // A role the user picked is kept when the settings change.
        let _ = s.update(Message::RoleSelected(RoleChoice::Issuer));
        s.configure(&config);
        assert_eq!(s.role, RoleChoice::Issuer);
        let _ = s.update(Message::FieldChanged(Field::Seal, "/tmp/dau.png".into()));
        let _ = start(&mut s);
        let _ = s.update(Message::Progress(Step::File(0, Ok("/tmp/hop-dong.da-ky.pdf".into()))));
        let Some(Event::RememberImages(sha, images)) = s.update(Message::Progress(Step::Done(Ok(()), None))) else {
            panic!("images remembered")
        };
        assert_eq!(sha, "sha-Good");
        assert_eq!(images.seal, Some(PathBuf::from("/tmp/dau.png")));
        assert_eq!(images.signature, Some(PathBuf::from("/tmp/chu-ky.png")), "the earlier image is kept");
    }

    /// What cannot be signed is refused before the PIN is asked: a visible
    /// look or a long-term level on an Office file, two files into one.
    #[test]
    fn office_looks_levels_and_clashing_outputs_are_refused_before_the_pin() {
        let mut s = ready();
        let _ = s.update(Message::Picked(vec!["/tmp/to-trinh.docx".into()]));
        let _ = s.update(Message::RoleSelected(RoleChoice::Approver));
        let _ = s.update(Message::FieldChanged(Field::Image, "/tmp/ky.png".into()));
        assert!(s.update(Message::Sign).is_none());
        assert_eq!(s.last_error().map(|e| e.key), Some("gui-office-no-look"));
        let _ = s.update(Message::RoleSelected(RoleChoice::None));
        let _ = s.update(Message::LevelSelected(Level::Archive));
        assert!(s.update(Message::Sign).is_none());
        assert_eq!(s.last_error().map(|e| e.key), Some("gui-office-level"));
        let _ = s.update(Message::LevelSelected(Level::Timestamped));
        assert!(matches!(s.update(Message::Sign), Some(Event::FocusPin)));
        let _ = s.update(Message::PinCancel);

        // One output folder, two inputs of the same name.
        let config = Config { output_dir: Some("/tmp/da-ky".into()), ..Config::default() };
        s.configure(&config);
        let _ = s.update(Message::Picked(vec!["/srv/a/qd.pdf".into(), "/srv/b/qd.pdf".into()]));
        assert!(s.update(Message::Sign).is_none());
        assert_eq!(s.last_error().map(|e| e.key), Some("gui-duplicate-output"));
        assert!(!s.pin_dialog_open());
    }
}
