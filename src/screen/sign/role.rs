//! The visible-signature role (NĐ 30/2020 Phụ lục I: approver, issuer,
//! appendix, copy) with its inputs, the level and the TSA.

use std::path::PathBuf;

use iced::widget::{button, checkbox, column, radio, row, text, text_input};
use iced::{Element, Fill};
use kyso_i18n::Translator;
use kyso_pdf::presets::{PresetInput, Role};

use super::certificate::Choice;
use crate::i18n::Text;
use crate::screen::settings::{CertImages, Config};
use crate::theme;

/// The baseline level (one typed level for every front end).
pub use kyso_core::Level;

/// Default diameter of an organisation seal, in millimetres.
const SEAL_MM: &str = "36";

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

    /// The choice of a preset role (the names `kyso-cli sign --role` and
    /// `kyso --role` take, parsed by [`Role::parse`]).
    pub fn from_role(role: Role) -> Self {
        match role {
            Role::Approver => Self::Approver,
            Role::Issuer => Self::Issuer,
            Role::Appendix => Self::Appendix,
            Role::Copy => Self::Copy,
        }
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

    pub(super) fn preset(self) -> Option<(Role, &'static str)> {
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

    /// The message saying this required field is empty.
    fn required_key(self) -> &'static str {
        match self {
            Field::Image => "gui-required-image",
            Field::Seal => "gui-required-seal",
            Field::Number => "gui-required-number",
            _ => "gui-required-org",
        }
    }
}

/// The translation key of a level's label.
fn level_key(l: Level) -> &'static str {
    match l {
        Level::Basic => "gui-level-bb",
        Level::Timestamped => "gui-level-bt",
        Level::LongTerm => "gui-level-blt",
        Level::Archive => "gui-level-blta",
    }
}

/// Inputs of a role preset.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoleInputs {
    /// A placement chosen on the preview (page, rectangle); `None`: the
    /// preset's own.
    pub(super) placement: Option<(usize, [f64; 4])>,
    /// The clerk's number box placed by hand (page 1).
    pub(super) number_rect: Option<[f64; 4]>,
    /// The clerk's date box placed by hand (page 1).
    pub(super) date_rect: Option<[f64; 4]>,
    pub(super) image: Option<PathBuf>,
    pub(super) seal: Option<PathBuf>,
    pub(super) seal_mm: f64,
    pub(super) number: Option<String>,
    pub(super) date: Option<String>,
    pub(super) copy_form: Option<String>,
    pub(super) org: Option<String>,
}

/// What the role section's widgets emit.
#[derive(Debug, Clone)]
pub enum Message {
    /// The user picked a role.
    Selected(RoleChoice),
    /// A role field changed.
    FieldChanged(Field, String),
    /// Open the file dialog for a role's image field.
    BrowseImage(Field),
    /// An image was picked for a field.
    PickedImage(Field, Option<PathBuf>),
    /// The user picked a level.
    Level(Level),
    /// The TSA URL changed.
    Tsa(String),
    /// The user allowed (or not) signing without a revocation check.
    AllowUnchecked(bool),
}

/// What the role section tells the sign screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Another role: the placement chosen no longer holds.
    RoleChanged,
    /// An image changed: the proposed box may change size.
    ImageChanged,
    /// Ask the system's dialog for a PNG for this field.
    PickImage(Field),
}

/// The role, its inputs as typed, the level and the TSA.
#[derive(Debug)]
pub struct Form {
    pub(super) role: RoleChoice,
    /// The user picked a role (the default role no longer applies).
    touched: bool,
    image: String,
    seal: String,
    seal_mm: String,
    number: String,
    date: String,
    copy_form: String,
    org: String,
    pub(super) level: Level,
    pub(super) tsa: String,
    pub(super) allow_unchecked: bool,
    /// Why the role was changed for the user (an Office file was chosen).
    notice: Option<Text>,
}

impl Default for Form {
    fn default() -> Self {
        Self {
            role: RoleChoice::None,
            touched: false,
            image: String::new(),
            seal: String::new(),
            seal_mm: SEAL_MM.into(),
            number: String::new(),
            date: String::new(),
            copy_form: String::new(),
            org: String::new(),
            level: Level::Basic,
            tsa: kyso_pki::tsp::VGCA_TSA.into(),
            allow_unchecked: false,
            notice: None,
        }
    }
}

fn opt(s: &str) -> Option<String> {
    super::opt(s)
}

impl Form {
    /// Puts the settings in force: the TSA and the default role (until the
    /// user picks one).
    pub fn configure(&mut self, config: &Config) {
        self.tsa = config.tsa.clone();
        if !self.touched {
            self.role = RoleChoice::from_code(&config.default_role);
        }
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

    /// A field as typed.
    pub fn field(&self, f: Field) -> &str {
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

    /// Handles a message of the section.
    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Selected(r) => {
                self.touched = true;
                self.notice = None;
                if r != self.role {
                    self.role = r;
                    return Some(Event::RoleChanged);
                }
            }
            Message::FieldChanged(f, s) => *self.field_mut(f) = s,
            Message::BrowseImage(f) => return Some(Event::PickImage(f)),
            Message::PickedImage(f, p) => {
                if let Some(p) = p {
                    *self.field_mut(f) = p.display().to_string();
                    return Some(Event::ImageChanged);
                }
            }
            Message::Level(l) => self.level = l,
            Message::Tsa(u) => self.tsa = u,
            Message::AllowUnchecked(v) => self.allow_unchecked = v,
        }
        None
    }

    /// An Office file was chosen: its signature has no visible look (the
    /// NĐ 30 looks are PDF's), so a visible role gives way to an invisible
    /// signature, with a notice saying why. `true` when the role changed.
    pub fn drop_look_for_office(&mut self) -> bool {
        if self.role == RoleChoice::None {
            return false;
        }
        self.role = RoleChoice::None;
        self.notice = Some(Text::new("gui-role-reset-office"));
        true
    }

    /// Fills the image fields still empty with the images `c` signed with
    /// last time.
    pub fn recall_images(&mut self, c: &Choice, config: &Config) {
        if let Some(imgs) = config.images.get(&c.entry.certificate.sha256).cloned() {
            for (field, path) in [(Field::Image, imgs.signature), (Field::Seal, imgs.seal)] {
                if let Some(p) = path
                    && self.field(field).trim().is_empty()
                {
                    *self.field_mut(field) = p.display().to_string();
                }
            }
        }
    }

    /// The role inputs as typed (no validation), for the preview.
    pub fn inputs_unchecked(&self) -> RoleInputs {
        let fields = self.role.fields();
        let get = |f: Field| if fields.contains(&f) { opt(self.field(f)) } else { None };
        RoleInputs {
            placement: None,
            number_rect: None,
            date_rect: None,
            image: get(Field::Image).map(PathBuf::from),
            seal: get(Field::Seal).map(PathBuf::from),
            seal_mm: self.seal_mm.trim().replace(',', ".").parse::<f64>().ok().filter(|v| *v > 0.0).unwrap_or(36.0),
            number: get(Field::Number),
            date: get(Field::Date),
            copy_form: get(Field::CopyForm),
            org: get(Field::Org),
        }
    }

    /// The first required field left empty, as the message saying so.
    pub fn missing(&self) -> Option<Text> {
        self.role.required().iter().find(|f| opt(self.field(**f)).is_none()).map(|f| Text::new(f.required_key()))
    }

    /// Checks the role's inputs (NĐ 30/2020 Phụ lục I: the signature image,
    /// the seal, the number, the copying organisation cannot be left out;
    /// the seal size must be a positive number).
    pub fn check(&self) -> Result<RoleInputs, Text> {
        if let Some(e) = self.missing() {
            return Err(e);
        }
        let seal_mm = if self.role.fields().contains(&Field::SealMm) {
            match self.seal_mm.trim().replace(',', ".").parse::<f64>() {
                Ok(v) if v.is_finite() && v > 0.0 => v,
                _ => return Err(Text::new("gui-seal-mm-invalid")),
            }
        } else {
            36.0
        };
        Ok(RoleInputs { seal_mm, ..self.inputs_unchecked() })
    }

    /// The images this signing uses, to remember for its certificate.
    pub fn images_to_remember(&self, c: &Choice, config: &Config) -> Option<(String, CertImages)> {
        let fields = self.role.fields();
        let get = |f: Field| fields.contains(&f).then(|| opt(self.field(f)).map(PathBuf::from)).flatten();
        let (signature, seal) = (get(Field::Image), get(Field::Seal));
        if signature.is_none() && seal.is_none() {
            return None;
        }
        let info = &c.entry.certificate;
        let remembered = config.images.get(&info.sha256);
        let images = CertImages {
            subject: info.subject_cn.clone().unwrap_or_else(|| info.subject.clone()),
            signature: signature.or_else(|| remembered.and_then(|r| r.signature.clone())),
            seal: seal.or_else(|| remembered.and_then(|r| r.seal.clone())),
        };
        Some((info.sha256.clone(), images))
    }

    /// The role, level, TSA and field rows; `office`: an Office file is
    /// among the files. What the role or the files rule out, and what the
    /// role needs, shows as soon as it applies.
    /// `kind_note`: the chosen certificate is not the kind the role needs.
    pub fn view<'a>(&'a self, t: &Translator, office: bool, kind_note: Option<String>) -> Element<'a, Message> {
        let labelled = |key: &str, widget: Element<'a, Message>| -> Element<'a, Message> {
            row![text(t.tr(key)).width(180), widget].spacing(8).align_y(iced::Center).into()
        };
        // Radio choices wrap onto more lines in a narrow window.
        let mut roles = row![].spacing(12);
        for r in RoleChoice::ALL {
            roles = roles.push(radio(t.tr(r.key()), r, Some(self.role), Message::Selected));
        }
        let mut form = column![row![text(t.tr("gui-role")).width(180), roles.wrap().vertical_spacing(6)]].spacing(8);
        let note = |key: Text| text(key.render(t)).size(13);
        if let Some(n) = kind_note {
            form = form.push(text(n).size(13).style(theme::text_danger));
        }
        if let Some(n) = &self.notice {
            form = form.push(note(n.clone()).style(theme::text_warning));
        } else if office && self.role != RoleChoice::None {
            form = form.push(note(Text::new("gui-office-no-look")).style(theme::text_danger));
        }
        let mut levels = row![].spacing(12);
        for l in Level::ALL {
            levels = levels.push(radio(t.tr(level_key(l)), l, Some(self.level), Message::Level));
        }
        form = form.push(row![text(t.tr("gui-level")).width(180), levels.wrap().vertical_spacing(6)]);
        if office && matches!(self.level, Level::LongTerm | Level::Archive) {
            form = form.push(note(Text::new("gui-office-level")).style(theme::text_danger));
        }
        if self.level.timestamped() {
            form = form.push(labelled("gui-tsa", text_input("", &self.tsa).on_input(Message::Tsa).into()));
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
            if self.role.required().contains(&f) && opt(self.field(f)).is_none() {
                form = form.push(note(Text::new(f.required_key())).style(theme::text_warning));
            }
        }
        form.width(Fill).into()
    }
}

/// A 1×1 transparent PNG: stands in for an image not chosen yet, so the
/// preview can still propose where the signature goes.
pub(super) const PLACEHOLDER_PNG: &[u8] = &[
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 31, 21, 196,
    137, 0, 0, 0, 11, 73, 68, 65, 84, 120, 156, 99, 96, 0, 2, 0, 0, 5, 0, 1, 122, 94, 171, 63, 0, 0, 0, 0, 73, 69, 78,
    68, 174, 66, 96, 130,
];

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
pub fn preset_spec(
    role: RoleChoice,
    i: &RoleInputs,
    now: i64,
    placeholders: bool,
) -> Result<Option<PresetInput>, Text> {
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
        number_rect: i.number_rect,
        // The date stands in as today's, in the form the clerk types.
        date: i.date.clone().or_else(|| placeholders.then(|| today(now))),
        date_rect: i.date_rect,
        copy_form: i.copy_form.clone(),
        organization: text_or(&i.org),
        time: now,
    }))
}

/// The calendar date of `now` (Unix seconds) in Vietnam (UTC+7) as
/// DD/MM/YYYY.
fn today(now: i64) -> String {
    let vn = time::UtcOffset::from_hms(7, 0, 0).unwrap_or(time::UtcOffset::UTC);
    let d = time::OffsetDateTime::from_unix_timestamp(now).unwrap_or(time::OffsetDateTime::UNIX_EPOCH).to_offset(vn);
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

/// The look of a role with its inputs for kyso-core (NĐ 30/2020 Phụ lục
/// I); a placement chosen on the preview is kept.
pub fn look(role: RoleChoice, i: &RoleInputs) -> kyso_core::Look {
    kyso_core::Look {
        role: role.preset().map(|(r, _)| r),
        rect: i.placement.map(|(_, r)| r),
        image: i.image.clone(),
        seal: i.seal.clone(),
        seal_mm: i.seal_mm,
        number: i.number.clone(),
        number_rect: i.number_rect,
        date: i.date.clone(),
        date_rect: i.date_rect,
        copy_form: i.copy_form.clone(),
        organization: i.org.clone(),
        ..Default::default()
    }
}
