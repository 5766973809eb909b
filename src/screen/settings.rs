//! Settings: language, theme, the timestamp server, PKCS#11 module paths,
//! the default role, how signed copies are named, the signature and seal
//! images remembered per certificate, online revocation checks, and the
//! trust anchors (imported here or with `kyso-cli trust add`). Kept as
//! `config.json` in the data directory (written through a temporary file);
//! read once at start.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use iced::widget::{button, checkbox, column, radio, row, rule, scrollable, text, text_input};
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

/// What a file given by the file manager ("Open with Kyso") is opened for,
/// once the user asked for it to be remembered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OpenAction {
    /// Check its signatures.
    Verify,
    /// Sign it.
    Sign,
}

/// How many recent files are kept.
pub const RECENT_MAX: usize = 10;

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
    /// The role the signing screen starts with (`none`, `approver`,
    /// `issuer`, `appendix`, `copy`).
    pub default_role: String,
    /// The word added to a signed copy's name: `NAME.<suffix>.pdf`.
    pub output_suffix: String,
    /// Where signed copies go; `None`: beside the original.
    pub output_dir: Option<PathBuf>,
    /// Signature and seal images remembered per certificate (by SHA-256).
    pub images: BTreeMap<String, CertImages>,
    /// Verify with revocation from the file and the cache only.
    pub offline_verify: bool,
    /// HTTP proxy for the TSA, OCSP and CRL servers
    /// (`http://[user:password@]host:port`); empty: the environment's
    /// (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`).
    pub proxy: String,
    /// Trust the roots shipped with Kyso (RootCA chuyên dùng Chính phủ G2,
    /// Vietnam National Root CA); the key `shipped_anchors`
    /// (`kyso_core::SHIPPED_ANCHORS_KEY`), which `kyso-cli` reads too.
    pub shipped_anchors: bool,
    /// Files opened lately, newest first (at most [`RECENT_MAX`]).
    pub recent: Vec<PathBuf>,
    /// What `kyso FILE` does without asking; `None`: ask.
    pub open_with: Option<OpenAction>,
    /// The window's last size (logical pixels), restored at start when it
    /// still fits the screen.
    pub window: Option<[u32; 2]>,
    /// Where the window was left (screen pixels), restored when the
    /// window still lies wholly on the screen there.
    pub window_at: Option<[i32; 2]>,
    /// The e-office bridge (`wss://127.0.0.1:8987`, screen "Ký từ hệ thống
    /// điện tử") runs while Kyso does; off until the person turns it on.
    pub bridge: bool,
    /// The web pages (origins) the person allowed to use the bridge;
    /// revocable on the bridge's screen.
    pub bridge_origins: Vec<String>,
}

/// The images a certificate's holder signs with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CertImages {
    /// The certificate's holder (for the settings list).
    pub subject: String,
    /// Handwritten signature (approver).
    pub signature: Option<PathBuf>,
    /// Organisation seal (issuer).
    pub seal: Option<PathBuf>,
}

/// The default word of a signed copy's name.
pub const OUTPUT_SUFFIX: &str = "signed";

impl Default for Config {
    fn default() -> Self {
        Self {
            lang: Lang::default().code().into(),
            theme: ThemeChoice::Light,
            tsa: kyso_pki::tsp::VGCA_TSA.into(),
            modules: Vec::new(),
            default_role: "none".into(),
            output_suffix: OUTPUT_SUFFIX.into(),
            output_dir: None,
            images: BTreeMap::new(),
            offline_verify: false,
            proxy: String::new(),
            shipped_anchors: true,
            recent: Vec::new(),
            open_with: None,
            window: None,
            window_at: None,
            bridge: false,
            bridge_origins: Vec::new(),
        }
    }
}

impl Config {
    /// The proxy in force, when one is set.
    pub fn proxy(&self) -> Option<String> {
        Some(self.proxy.trim().to_owned()).filter(|p| !p.is_empty())
    }

    /// The language.
    pub fn language(&self) -> Lang {
        Lang::parse(&self.lang).unwrap_or_default()
    }

    /// Where the signed copy of `input` goes: `NAME.<suffix>.EXT` beside it,
    /// or in the chosen folder.
    pub fn output_for(&self, input: &Path) -> PathBuf {
        let suffix = match self.output_suffix.trim().trim_matches('.') {
            "" => OUTPUT_SUFFIX,
            s => s,
        };
        let stem = input.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let name = match input.extension() {
            Some(ext) => format!("{stem}.{suffix}.{}", ext.to_string_lossy()),
            None => format!("{stem}.{suffix}"),
        };
        match &self.output_dir {
            Some(dir) if !dir.as_os_str().is_empty() => dir.join(name),
            _ => input.with_file_name(name),
        }
    }

    /// Puts `file` first in the recent files; `false` when it already was.
    pub fn remember_recent(&mut self, file: &Path) -> bool {
        let file = std::path::absolute(file).unwrap_or_else(|_| file.to_owned());
        if self.recent.first() == Some(&file) {
            return false;
        }
        self.recent.retain(|p| *p != file);
        self.recent.insert(0, file);
        self.recent.truncate(RECENT_MAX);
        true
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
    /// The proxy URL changed.
    ProxyChanged(String),
    /// The module paths changed (one per line or comma-separated).
    ModulesChanged(String),
    /// The default role was picked.
    DefaultRole(String),
    /// The signed-copy word changed.
    SuffixChanged(String),
    /// The output folder changed (empty: beside the original).
    OutputDirChanged(String),
    /// Open the folder dialog for the output folder.
    BrowseOutputDir,
    /// A folder was picked.
    OutputDirPicked(Option<PathBuf>),
    /// Forget the images of a certificate.
    ForgetImages(String),
    /// Verification without the network.
    OfflineVerify(bool),
    /// Trust the roots shipped with Kyso, or not.
    ShippedAnchors(bool),
    /// Ask again, for a file given by the file manager, whether to check
    /// or sign it.
    ForgetOpenWith,
    /// Open the file dialog to import trust anchors.
    ImportAnchors,
    /// Anchors were imported (what was added) or refused.
    AnchorsImported(Result<Vec<kyso_pki::store::AnchorInfo>, Text>),
    /// Remove a trust anchor (SHA-256).
    RemoveAnchor(String),
    /// An anchor was removed.
    AnchorRemoved(Result<(), Text>),
    /// Saving ended.
    Saved(Result<(), Text>),
    /// Run the e-office bridge, or not.
    Bridge(bool),
}

/// What the screen asks of the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Put these settings in force and write them: every change is kept at
    /// once, there is no separate save step.
    Save(Box<Config>),
    /// Ask the system's dialog for a folder.
    PickOutputDir,
    /// Ask the system's dialog for certificates to trust.
    ImportAnchors,
    /// Remove this anchor from the store.
    RemoveAnchor(String),
}

/// State of the settings screen.
#[derive(Debug, Default)]
pub struct Settings {
    /// The settings in force (the last valid edit).
    config: Config,
    /// Where the settings are saved.
    path: PathBuf,
    /// The fields as typed (a half-typed URL is not put in force).
    tsa: String,
    proxy: String,
    modules: String,
    output_dir: String,
    /// Why the last edit or save was not kept; cleared by the next good one.
    problem: Option<Text>,
    /// Trust anchors in the store.
    anchors: Vec<kyso_pki::store::AnchorInfo>,
    /// Where the trust store is.
    data_dir: PathBuf,
    anchor_status: Option<Result<String, Text>>,
}

fn modules_text(config: &Config) -> String {
    config.modules.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
}

impl Settings {
    /// The screen for `config`, with the anchors found in the trust store
    /// of `data_dir`.
    pub fn new(config: Config, data_dir: &Path) -> Self {
        let mut s = Self {
            tsa: config.tsa.clone(),
            proxy: config.proxy.clone(),
            modules: modules_text(&config),
            output_dir: config.output_dir.as_ref().map(|d| d.display().to_string()).unwrap_or_default(),
            config,
            path: Config::path(data_dir),
            problem: None,
            anchors: Vec::new(),
            data_dir: data_dir.to_owned(),
            anchor_status: None,
        };
        s.reload_anchors();
        s
    }

    fn reload_anchors(&mut self) {
        self.anchors = stored_anchors(&self.data_dir).iter().map(kyso_pki::store::AnchorInfo::of).collect();
    }

    /// Follows settings changed elsewhere (a module chosen on the token
    /// panel, images remembered after signing, the language button, the
    /// recent files): the lists shown are the ones in force; fields being
    /// typed keep their text.
    pub fn sync(&mut self, in_force: &Config) {
        if self.config.modules != in_force.modules {
            self.modules = modules_text(in_force);
        }
        self.config = in_force.clone();
    }

    /// Adds a PKCS#11 library chosen on the token panel to the settings in
    /// force (saved at once).
    pub fn add_module(&mut self, path: PathBuf, in_force: &Config) -> Option<Event> {
        if in_force.modules.contains(&path) {
            return None;
        }
        let mut saved = in_force.clone();
        saved.modules.push(path);
        self.sync(&saved);
        Some(Event::Save(Box::new(saved)))
    }

    /// Remembers the images a certificate signed with in the settings in
    /// force (saved at once).
    pub fn remember_images(&mut self, sha256: String, images: CertImages, in_force: &Config) -> Option<Event> {
        if in_force.images.get(&sha256) == Some(&images) {
            return None;
        }
        let mut saved = in_force.clone();
        saved.images.insert(sha256, images);
        self.sync(&saved);
        Some(Event::Save(Box::new(saved)))
    }

    /// The settings in force.
    #[cfg(test)]
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Why the last change was not kept.
    #[cfg(test)]
    pub fn problem(&self) -> Option<&Text> {
        self.problem.as_ref()
    }

    /// Keeps the settings as they now are.
    fn save(&mut self) -> Option<Event> {
        self.problem = None;
        Some(Event::Save(Box::new(self.config.clone())))
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Language(l) => {
                self.config.lang = l.code().into();
                self.save()
            }
            Message::Theme(th) => {
                self.config.theme = th;
                self.save()
            }
            Message::TsaChanged(u) => {
                let tsa = u.trim().to_owned();
                self.tsa = u;
                // TSA answers are signed: http:// is the usual, https:// works too.
                if !tsa.starts_with("http://") && !tsa.starts_with("https://") || tsa.len() < "http://x".len() {
                    self.problem = Some(Text::new("gui-settings-tsa-invalid"));
                    return None;
                }
                if tsa == self.config.tsa {
                    self.problem = None;
                    return None;
                }
                self.config.tsa = tsa;
                self.save()
            }
            Message::ProxyChanged(u) => {
                let proxy = u.trim().to_owned();
                self.proxy = u;
                if !proxy.is_empty() && kyso_pki::http::ProxyUrl::parse(&proxy).is_err() {
                    self.problem = Some(Text::new("gui-settings-proxy-invalid"));
                    return None;
                }
                if proxy == self.config.proxy {
                    self.problem = None;
                    return None;
                }
                self.config.proxy = proxy;
                self.save()
            }
            Message::ModulesChanged(m) => {
                self.config.modules =
                    m.split([',', '\n']).map(str::trim).filter(|p| !p.is_empty()).map(PathBuf::from).collect();
                self.modules = m;
                self.save()
            }
            Message::DefaultRole(r) => {
                self.config.default_role = r;
                self.save()
            }
            Message::SuffixChanged(v) => {
                self.config.output_suffix = v;
                self.save()
            }
            Message::OutputDirChanged(v) => {
                self.config.output_dir = (!v.trim().is_empty()).then(|| PathBuf::from(v.trim()));
                self.output_dir = v;
                self.save()
            }
            Message::BrowseOutputDir => Some(Event::PickOutputDir),
            Message::OutputDirPicked(dir) => {
                let dir = dir?;
                self.update(Message::OutputDirChanged(dir.display().to_string()))
            }
            Message::ForgetImages(sha) => {
                self.config.images.remove(&sha);
                self.save()
            }
            Message::ShippedAnchors(on) => {
                // Written at once: verification reads it from the file.
                self.config.shipped_anchors = on;
                self.save()
            }
            Message::OfflineVerify(v) => {
                self.config.offline_verify = v;
                self.save()
            }
            Message::ForgetOpenWith => {
                self.config.open_with = None;
                self.save()
            }
            Message::ImportAnchors => Some(Event::ImportAnchors),
            Message::AnchorsImported(r) => {
                self.anchor_status =
                    Some(r.map(|added| added.iter().map(|a| a.subject.clone()).collect::<Vec<_>>().join("; ")));
                self.reload_anchors();
                None
            }
            Message::RemoveAnchor(sha) => Some(Event::RemoveAnchor(sha)),
            Message::AnchorRemoved(r) => {
                self.anchor_status = match r {
                    Ok(()) => None,
                    Err(e) => Some(Err(e)),
                };
                self.reload_anchors();
                None
            }
            Message::Bridge(on) => {
                self.config.bridge = on;
                self.save()
            }
            Message::Saved(r) => {
                self.problem = r.err();
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
            text(t.tr_args("gui-settings-autosave", &[("path", &self.path.display().to_string())])).size(13),
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
            labelled("gui-tsa", text_input("", &self.tsa).on_input(Message::TsaChanged).into()),
            labelled(
                "gui-settings-proxy",
                text_input(&t.tr("gui-settings-proxy-hint"), &self.proxy).on_input(Message::ProxyChanged).into()
            ),
            labelled(
                "gui-settings-modules",
                text_input(&t.tr("gui-settings-modules-hint"), &self.modules).on_input(Message::ModulesChanged).into()
            ),
            labelled("gui-settings-default-role", {
                use crate::screen::sign::RoleChoice;
                let chosen = RoleChoice::from_code(&self.config.default_role);
                let mut roles = row![].spacing(12);
                for r in RoleChoice::ALL {
                    roles = roles.push(radio(t.tr(r.key()), r, Some(chosen), |r: RoleChoice| {
                        Message::DefaultRole(r.code().to_owned())
                    }));
                }
                roles.into()
            }),
            labelled(
                "gui-settings-suffix",
                text_input(OUTPUT_SUFFIX, &self.config.output_suffix).on_input(Message::SuffixChanged).into()
            ),
            labelled(
                "gui-settings-output-dir",
                row![
                    text_input(&t.tr("gui-settings-output-dir-hint"), &self.output_dir)
                        .on_input(Message::OutputDirChanged),
                    button(text(t.tr("gui-browse"))).style(button::secondary).on_press(Message::BrowseOutputDir),
                ]
                .spacing(6)
                .into()
            ),
            text(t.tr_args(
                "gui-settings-output-example",
                &[("example", &self.config.output_for(Path::new("cong-van.pdf")).display().to_string())]
            ))
            .size(12),
            checkbox(self.config.offline_verify)
                .label(t.tr("gui-settings-offline-verify"))
                .on_toggle(Message::OfflineVerify),
            checkbox(self.config.bridge).label(t.tr("gui-settings-bridge")).on_toggle(Message::Bridge),
        ]
        .spacing(10);
        if let Some(action) = self.config.open_with {
            let key = match action {
                OpenAction::Verify => "gui-settings-open-with-verify",
                OpenAction::Sign => "gui-settings-open-with-sign",
            };
            col = col.push(
                row![
                    text(t.tr(key)).size(13),
                    button(text(t.tr("gui-settings-open-with-ask")).size(13))
                        .style(button::secondary)
                        .on_press(Message::ForgetOpenWith),
                ]
                .spacing(8)
                .align_y(iced::Center),
            );
        }
        if let Some(e) = &self.problem {
            col = col.push(text(e.render(t)).style(crate::theme::text_danger));
        }
        col = col.push(rule::horizontal(1)).push(text(t.tr("gui-settings-images")).font(BOLD));
        if self.config.images.is_empty() {
            col = col.push(text(t.tr("gui-settings-no-images")).size(13));
        }
        for (sha, imgs) in &self.config.images {
            let mut line = column![text(imgs.subject.clone())].spacing(2);
            for (key, p) in [("gui-image-path", &imgs.signature), ("gui-seal-path", &imgs.seal)] {
                if let Some(p) = p {
                    line = line.push(text(format!("{}: {}", t.tr(key), p.display())).size(12));
                }
            }
            col = col.push(
                row![
                    line.width(Fill),
                    button(text(t.tr("gui-remove")).size(13))
                        .style(button::text)
                        .on_press(Message::ForgetImages(sha.clone())),
                ]
                .align_y(iced::Center),
            );
        }
        // The roots Kyso ships, their pins and validity, and their switch.
        col = col.push(rule::horizontal(1)).push(crate::screen::verify::shipped_trust_section(
            t,
            self.config.shipped_anchors,
            Message::ShippedAnchors,
        ));
        col = col.push(rule::horizontal(1)).push(
            row![
                text(t.tr("gui-settings-anchors")).font(BOLD),
                button(text(t.tr("gui-settings-import"))).style(button::secondary).on_press(Message::ImportAnchors),
            ]
            .spacing(12)
            .align_y(iced::Center),
        );
        match &self.anchor_status {
            Some(Ok(added)) if !added.is_empty() => {
                col = col.push(
                    text(t.tr_args("gui-settings-imported", &[("subjects", added)]))
                        .size(13)
                        .style(crate::theme::text_success),
                );
            }
            Some(Err(e)) => col = col.push(text(e.render(t)).size(13).style(crate::theme::text_danger)),
            _ => {}
        }
        if self.anchors.is_empty() {
            col = col.push(text(t.tr("gui-settings-no-anchors")).size(13));
        }
        for a in &self.anchors {
            let mut line = column![text(a.subject.clone()), text(format!("SHA-256 {}", a.sha256)).size(12)].spacing(2);
            if let Some(name) = a.pinned {
                line = line.push(
                    text(t.tr_args("gui-settings-pinned", &[("name", name)]))
                        .size(12)
                        .style(crate::theme::text_success),
                );
            }
            col = col.push(
                row![
                    line.width(Fill),
                    button(text(t.tr("gui-remove")).size(13))
                        .style(button::text)
                        .on_press(Message::RemoveAnchor(a.sha256.clone())),
                ]
                .align_y(iced::Center),
            );
        }
        col = col.push(text(t.tr("gui-settings-anchors-hint")).size(13));
        scrollable(col.padding([0, 12])).height(Fill).into()
    }
}

/// Imports every certificate of `files` into the trust store of
/// `data_dir` (blocking); a Vietnamese root name without its pin is refused.
pub fn import_anchors(data_dir: &Path, files: &[PathBuf]) -> Result<Vec<kyso_pki::store::AnchorInfo>, Text> {
    let store = kyso_pki::store::AnchorStore::in_data_dir(data_dir);
    let mut added = Vec::new();
    for f in files {
        let bytes = std::fs::read(f)
            .map_err(|e| Text::new("err-io").arg("path", f.display().to_string()).arg("detail", e.to_string()))?;
        let certs = kyso_pki::load_certificates(&bytes);
        if certs.is_empty() {
            return Err(Text::new("trust-not-a-certificate").arg("path", f.display().to_string()));
        }
        for c in certs {
            added.push(store.add(&c).map_err(|e| match e {
                kyso_pki::store::StoreError::PinMismatch { subject, sha256 } => {
                    Text::new("trust-pin-mismatch").arg("subject", subject).arg("sha256", sha256)
                }
                kyso_pki::store::StoreError::Io { path, source } => {
                    Text::new("err-io").arg("path", path.display().to_string()).arg("detail", source.to_string())
                }
            })?);
        }
    }
    Ok(added)
}

/// Removes an anchor from the trust store of `data_dir` (blocking).
pub fn remove_anchor(data_dir: &Path, sha256: &str) -> Result<(), Text> {
    kyso_pki::store::AnchorStore::in_data_dir(data_dir)
        .remove(sha256)
        .map(|_| ())
        .map_err(|e| Text::new("err-io").arg("path", sha256.to_owned()).arg("detail", e.to_string()))
}

/// The anchors imported here or with `kyso-cli trust add` (data directory
/// `trust/`).
pub fn stored_anchors(data_dir: &Path) -> Vec<kyso_pki::CertDer> {
    kyso_pki::store::AnchorStore::in_data_dir(data_dir).list()
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
            default_role: "issuer".into(),
            output_suffix: "da-ky".into(),
            output_dir: Some(PathBuf::from("/tmp/da-ky")),
            images: BTreeMap::from([(
                "ab".repeat(32),
                CertImages { subject: "Nguyễn Văn A".into(), signature: Some("/tmp/ky.png".into()), seal: None },
            )]),
            offline_verify: true,
            proxy: "http://proxy.so.gov.vn:3128".into(),
            shipped_anchors: false,
            recent: vec![PathBuf::from("/home/vt/Tài liệu/cong-van.pdf")],
            open_with: Some(OpenAction::Sign),
            window: Some([1180, 700]),
            window_at: Some([40, 20]),
            bridge: true,
            bridge_origins: vec!["https://vpdt.so.gov.vn".into()],
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
    fn every_change_is_saved_at_once_and_bad_urls_are_not() {
        let mut s = Settings::new(Config::default(), Path::new("/nonexistent"));
        let Some(Event::Save(c)) = s.update(Message::Language(Lang::En)) else { panic!("not saved") };
        assert_eq!(c.language(), Lang::En);
        let Some(Event::Save(c)) = s.update(Message::Theme(ThemeChoice::Dark)) else { panic!("not saved") };
        assert_eq!(c.theme, ThemeChoice::Dark);
        let Some(Event::Save(c)) = s.update(Message::ModulesChanged("/a.so, /b.so\n/c.so".into())) else { panic!() };
        assert_eq!(c.modules.len(), 3);
        // A half-typed URL is not put in force, and says why.
        assert!(s.update(Message::TsaChanged("tsa.ca.gov.vn".into())).is_none());
        assert!(matches!(s.problem(), Some(e) if e.key == "gui-settings-tsa-invalid"));
        assert_eq!(s.config().tsa, kyso_pki::tsp::VGCA_TSA);
        let Some(Event::Save(c)) = s.update(Message::TsaChanged(" http://tsa.so.gov.vn/ ".into())) else { panic!() };
        assert_eq!(c.tsa, "http://tsa.so.gov.vn/");
        assert!(s.problem().is_none(), "no stale message once the URL is good");
        // A proxy the HTTP layer cannot use is refused.
        assert!(s.update(Message::ProxyChanged("socks5://proxy:1080".into())).is_none());
        assert!(matches!(s.problem(), Some(e) if e.key == "gui-settings-proxy-invalid"));
        let Some(Event::Save(c)) =
            s.update(Message::ProxyChanged(" http://can-bo:p%40ss@proxy.so.gov.vn:3128 ".into()))
        else {
            panic!("not saved")
        };
        assert_eq!(c.proxy().as_deref(), Some("http://can-bo:p%40ss@proxy.so.gov.vn:3128"));
        // A failed write is shown until the next good one.
        let _ = s.update(Message::Saved(Err(Text::new("err-io").arg("path", "/x").arg("detail", "full"))));
        assert!(s.problem().is_some());
        let _ = s.update(Message::Saved(Ok(())));
        assert!(s.problem().is_none());
        let _ = s.view(&Translator::new(Lang::Vi));
    }

    #[test]
    fn signed_copies_are_named_by_the_settings() {
        let mut c = Config::default();
        assert_eq!(c.output_for(Path::new("/d/cong-van.pdf")), PathBuf::from("/d/cong-van.signed.pdf"));
        assert_eq!(c.output_for(Path::new("/d/to-trinh.docx")), PathBuf::from("/d/to-trinh.signed.docx"));
        c.output_suffix = " .da-ky. ".into();
        c.output_dir = Some(PathBuf::from("/out"));
        assert_eq!(c.output_for(Path::new("/d/cong-van.pdf")), PathBuf::from("/out/cong-van.da-ky.pdf"));
        c.output_suffix = String::new();
        assert_eq!(c.output_for(Path::new("/d/x.pdf")), PathBuf::from("/out/x.signed.pdf"));
        let mut s = Settings::new(Config::default(), Path::new("/nonexistent"));
        let Some(Event::Save(c)) = s.update(Message::OutputDirChanged(" /srv/ky ".into())) else { panic!() };
        assert_eq!(c.output_dir, Some(PathBuf::from("/srv/ky")));
        let Some(Event::Save(c)) = s.update(Message::OutputDirChanged(String::new())) else { panic!() };
        assert_eq!(c.output_dir, None);
        let Some(Event::Save(c)) = s.update(Message::DefaultRole("issuer".into())) else { panic!() };
        assert_eq!(c.default_role, "issuer");
        let _ = s.view(&Translator::new(Lang::En));
    }

    #[test]
    fn images_are_remembered_once_and_can_be_forgotten() {
        let mut s = Settings::new(Config::default(), Path::new("/nonexistent"));
        // An edit not saved yet must not be saved with the images.
        let _ = s.update(Message::TsaChanged("tsa.invalid".into()));
        let imgs = CertImages { subject: "Nguyễn Văn A".into(), signature: Some("/tmp/ky.png".into()), seal: None };
        let in_force = Config::default();
        let Some(Event::Save(c)) = s.remember_images("aa".into(), imgs.clone(), &in_force) else { panic!("saved") };
        assert_eq!(c.images.get("aa"), Some(&imgs));
        assert_eq!(c.tsa, in_force.tsa, "the unsaved TSA edit stays unsaved");
        assert!(s.remember_images("aa".into(), imgs, &c).is_none(), "nothing new, nothing saved");
        let mut ui = iced_test::simulator(s.view(&Translator::new(Lang::Vi)));
        assert!(ui.find("Nguyễn Văn A").is_ok());
        drop(ui);
        let Some(Event::Save(c)) = s.update(Message::ForgetImages("aa".into())) else { panic!() };
        assert!(c.images.is_empty());
    }

    /// Importing through the settings stores the fixture root; a file with
    /// no certificate is a clear error; removing takes it out.
    #[test]
    fn anchors_are_imported_listed_and_removed() {
        let fx = kyso_testkit::require_fixture!();
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, b"not a certificate").unwrap();
        let err = import_anchors(dir.path(), std::slice::from_ref(&junk)).unwrap_err();
        assert_eq!(err.key, "trust-not-a-certificate");
        let added = import_anchors(dir.path(), &[fx.pki_file("root.pem")]).unwrap();
        assert_eq!(added.len(), 1);
        let mut s = Settings::new(Config::default(), dir.path());
        assert_eq!(s.anchors.len(), 1);
        let sha = s.anchors[0].sha256.clone();
        let Some(Event::RemoveAnchor(x)) = s.update(Message::RemoveAnchor(sha.clone())) else { panic!() };
        remove_anchor(dir.path(), &x).unwrap();
        let _ = s.update(Message::AnchorRemoved(Ok(())));
        assert!(s.anchors.is_empty());
        let _ = s.update(Message::AnchorsImported(Ok(added)));
        assert!(matches!(&s.anchor_status, Some(Ok(subjects)) if subjects.contains("TEST")));
        let _ = s.view(&Translator::new(Lang::Vi));
    }
}
