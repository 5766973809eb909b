//! Settings: language, theme, the timestamp server, PKCS#11 module paths
//! and the trust anchors in use. Kept as `config.json` in the data
//! directory (written through a temporary file); read once at start.

use std::path::{Path, PathBuf};

use iced::widget::{button, column, radio, row, rule, scrollable, text, text_input};
use iced::{Element, Fill, Font, font};
use kyso_i18n::{Lang, Translator};
use serde::{Deserialize, Serialize};

use crate::i18n::Text;

const BOLD: Font = Font { weight: font::Weight::Bold, ..crate::app::FONT };

/// The interface theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeChoice {
    /// Light.
    #[default]
    Light,
    /// Dark.
    Dark,
}

/// The saved settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// `vi` or `en`.
    pub lang: String,
    /// Light or dark.
    pub theme: ThemeChoice,
    /// The RFC 3161 server for B-T.
    pub tsa: String,
    /// PKCS#11 modules to try before the well-known locations.
    pub modules: Vec<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            lang: Lang::default().code().into(),
            theme: ThemeChoice::Light,
            tsa: kyso_pki::tsp::VGCA_TSA.into(),
            modules: Vec::new(),
        }
    }
}

impl Config {
    /// The language.
    pub fn language(&self) -> Lang {
        Lang::parse(&self.lang).unwrap_or_default()
    }

    /// Where the settings of the data directory `data_dir` live.
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("config.json")
    }

    /// Reads `path`; a missing or unreadable file gives the defaults.
    pub fn load(path: &Path) -> Self {
        std::fs::read(path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    /// Writes to `path` through a temporary file (blocking).
    pub fn save(&self, path: &Path) -> Result<(), Text> {
        let data = serde_json::to_vec_pretty(self)
            .map_err(|e| Text::new("err-io").arg("path", path.display().to_string()).arg("detail", e.to_string()))?;
        crate::screen::write_file(path, &data)
    }
}

/// Messages of the settings screen.
#[derive(Debug, Clone)]
pub enum Message {
    /// A language was picked.
    Language(Lang),
    /// A theme was picked.
    Theme(ThemeChoice),
    /// The TSA URL changed.
    TsaChanged(String),
    /// The module paths changed (one per line or comma-separated).
    ModulesChanged(String),
    /// Save.
    Save,
    /// Saving ended.
    Saved(Result<(), Text>),
}

/// What the screen asks of the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Apply these settings now (language, theme, TSA, modules).
    Apply(Config),
    /// Apply and write them.
    Save(Config),
}

/// State of the settings screen.
#[derive(Debug, Default)]
pub struct Settings {
    config: Config,
    /// Where the settings are saved.
    path: PathBuf,
    modules: String,
    saving: bool,
    status: Option<Result<(), Text>>,
    /// Trust anchors in the store: (subject, SHA-256, VGCA name when pinned).
    anchors: Vec<(String, String, Option<&'static str>)>,
}

impl Settings {
    /// The screen for `config`, with the anchors found in the trust store
    /// of `data_dir`.
    pub fn new(config: Config, data_dir: &Path) -> Self {
        let modules = config.modules.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
        let anchors = stored_anchors(data_dir)
            .iter()
            .map(|c| {
                (
                    kyso_pki::format_name(c.cert.tbs_certificate().subject()),
                    kyso_pki::cert_sha256(&c.cert),
                    kyso_pki::pinned_name(&c.cert),
                )
            })
            .collect();
        Self { config, path: Config::path(data_dir), modules, saving: false, status: None, anchors }
    }

    /// The settings as edited.
    #[cfg(test)]
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Language(l) => {
                self.config.lang = l.code().into();
                Some(Event::Apply(self.config.clone()))
            }
            Message::Theme(th) => {
                self.config.theme = th;
                Some(Event::Apply(self.config.clone()))
            }
            Message::TsaChanged(u) => {
                self.config.tsa = u;
                None
            }
            Message::ModulesChanged(m) => {
                self.config.modules =
                    m.split([',', '\n']).map(str::trim).filter(|p| !p.is_empty()).map(PathBuf::from).collect();
                self.modules = m;
                None
            }
            Message::Save => {
                if self.saving {
                    return None;
                }
                let tsa = self.config.tsa.trim();
                // The PKI HTTP client speaks plain HTTP (TSA answers are signed).
                if !tsa.starts_with("http://") {
                    self.status = Some(Err(Text::new("gui-settings-tsa-invalid")));
                    return None;
                }
                self.config.tsa = tsa.to_owned();
                self.saving = true;
                self.status = None;
                Some(Event::Save(self.config.clone()))
            }
            Message::Saved(r) => {
                self.saving = false;
                self.status = Some(r);
                None
            }
        }
    }

    /// The screen.
    pub fn view<'a>(&'a self, t: &Translator) -> Element<'a, Message> {
        let labelled = |key: &str, w: Element<'a, Message>| -> Element<'a, Message> {
            row![text(t.tr(key)).width(220), w].spacing(8).align_y(iced::Center).into()
        };
        let lang = self.config.language();
        let mut col = column![
            labelled(
                "gui-language",
                row![
                    radio(t.tr("lang-vi"), Lang::Vi, Some(lang), Message::Language),
                    radio(t.tr("lang-en"), Lang::En, Some(lang), Message::Language),
                ]
                .spacing(16)
                .into()
            ),
            labelled(
                "gui-settings-theme",
                row![
                    radio(t.tr("gui-theme-light"), ThemeChoice::Light, Some(self.config.theme), Message::Theme),
                    radio(t.tr("gui-theme-dark"), ThemeChoice::Dark, Some(self.config.theme), Message::Theme),
                ]
                .spacing(16)
                .into()
            ),
            labelled("gui-tsa", text_input("", &self.config.tsa).on_input(Message::TsaChanged).into()),
            labelled(
                "gui-settings-modules",
                text_input(&t.tr("gui-settings-modules-hint"), &self.modules).on_input(Message::ModulesChanged).into()
            ),
            row![
                button(text(t.tr("gui-settings-save")))
                    .style(button::success)
                    .on_press_maybe((!self.saving).then_some(Message::Save)),
            ],
        ]
        .spacing(10);
        match &self.status {
            Some(Ok(())) => {
                col = col.push(
                    text(t.tr_args("gui-settings-saved", &[("path", &self.path.display().to_string())]))
                        .style(text::success),
                );
            }
            Some(Err(e)) => col = col.push(text(e.render(t)).style(text::danger)),
            None => {}
        }
        col = col.push(rule::horizontal(1)).push(text(t.tr("gui-settings-anchors")).font(BOLD));
        if self.anchors.is_empty() {
            col = col.push(text(t.tr("gui-settings-no-anchors")).size(13));
        }
        for (subject, sha, pin) in &self.anchors {
            let mut line = column![text(subject.clone()), text(format!("SHA-256 {sha}")).size(12)].spacing(2);
            if let Some(name) = pin {
                line =
                    line.push(text(t.tr_args("gui-settings-pinned", &[("name", name)])).size(12).style(text::success));
            }
            col = col.push(line);
        }
        col = col.push(text(t.tr("gui-settings-anchors-hint")).size(13));
        scrollable(col.padding([0, 12])).height(Fill).into()
    }
}

/// The anchors imported with `kyso-cli trust add` (data directory `trust/`).
pub fn stored_anchors(data_dir: &Path) -> Vec<kyso_pki::CertDer> {
    let Ok(entries) = std::fs::read_dir(data_dir.join("trust")) else { return Vec::new() };
    let mut out: Vec<kyso_pki::CertDer> = entries
        .flatten()
        .filter_map(|e| std::fs::read(e.path()).ok())
        .flat_map(|b| kyso_pki::load_certificates(&b))
        .collect();
    out.sort_by(|a, b| a.der.cmp(&b.der));
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_round_trips_and_bad_files_give_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/config.json");
        assert_eq!(Config::load(&path), Config::default());
        let c = Config {
            lang: "en".into(),
            theme: ThemeChoice::Dark,
            tsa: "http://127.0.0.1:3180/".into(),
            modules: vec![PathBuf::from("/usr/lib/libbit4xpki.so")],
        };
        c.save(&path).unwrap();
        assert_eq!(Config::load(&path), c);
        assert_eq!(c.language(), Lang::En);
        std::fs::write(&path, b"{ not json").unwrap();
        assert_eq!(Config::load(&path), Config::default());
        // A file from an older version (fewer keys) keeps the rest default.
        std::fs::write(&path, br#"{"lang":"en"}"#).unwrap();
        assert_eq!(Config::load(&path).tsa, kyso_pki::tsp::VGCA_TSA);
    }

    #[test]
    fn language_and_theme_apply_at_once_and_save_checks_the_tsa() {
        let mut s = Settings::new(Config::default(), Path::new("/nonexistent"));
        let Some(Event::Apply(c)) = s.update(Message::Language(Lang::En)) else { panic!("not applied") };
        assert_eq!(c.language(), Lang::En);
        let Some(Event::Apply(c)) = s.update(Message::Theme(ThemeChoice::Dark)) else { panic!("not applied") };
        assert_eq!(c.theme, ThemeChoice::Dark);
        let _ = s.update(Message::ModulesChanged("/a.so, /b.so\n/c.so".into()));
        assert_eq!(s.config().modules.len(), 3);
        let _ = s.update(Message::TsaChanged("tsa.ca.gov.vn".into()));
        assert!(s.update(Message::Save).is_none());
        assert!(matches!(&s.status, Some(Err(e)) if e.key == "gui-settings-tsa-invalid"));
        let _ = s.update(Message::TsaChanged(" http://tsa.ca.gov.vn/ ".into()));
        let Some(Event::Save(c)) = s.update(Message::Save) else { panic!("not saved") };
        assert_eq!(c.tsa, "http://tsa.ca.gov.vn/");
        assert!(s.update(Message::Save).is_none(), "one save at a time");
        let _ = s.update(Message::Saved(Ok(())));
        let _ = s.view(&Translator::new(Lang::Vi));
    }
}
