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

mod config;
#[cfg(test)]
mod tests;

pub use self::config::*;

const BOLD: Font = Font { weight: font::Weight::Bold, ..crate::app::FONT };

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
