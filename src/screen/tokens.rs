//! The token panel: PKCS#11 modules, their slots and tokens with PIN state.
//! Scans never run here: `update` asks the application for one through
//! [`Event::Scan`], and the result comes back as [`Message::ScanFinished`].

use iced::widget::{button, column, container, row, rule, scrollable, space, text};
use iced::{Element, Fill, Font, font};
use kyso_i18n::Translator;
use kyso_token::{CertEntry, ModuleReport, SlotReport, TokenReport};

use crate::i18n::{Severity, Text, error_text, pin_flags};

/// Bold variant of the default font.
const BOLD: Font = Font { weight: font::Weight::Bold, ..crate::app::FONT };

/// Messages of the token panel.
#[derive(Debug, Clone)]
pub enum Message {
    /// The user pressed "Rescan".
    Rescan,
    /// The periodic re-scan timer fired.
    Tick,
    /// A scan ended: `None` when the scan itself failed (panicked).
    ScanFinished(Option<Vec<ModuleReport>>),
    /// The certificates the tokens hold (read without a PIN).
    Certificates(Vec<CertEntry>),
    /// The user wants to point at the token's PKCS#11 library.
    ChooseModule,
    /// A library was picked (none: cancelled).
    ModulePicked(Option<std::path::PathBuf>),
}

/// What the panel asks of the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Start a scan in the background.
    Scan,
    /// Ask the system's dialog for a PKCS#11 library.
    PickModule,
    /// Use this library from now on (kept in the settings), then scan.
    AddModule(std::path::PathBuf),
}

/// State of the token panel.
#[derive(Debug, Default)]
pub struct Tokens {
    /// The last scan's result; `None` until the first scan ends.
    modules: Option<Vec<ModuleReport>>,
    /// A scan is in flight.
    scanning: bool,
    /// The last scan failed.
    failed: bool,
    /// The certificates on the tokens (owner and validity per token).
    certificates: Vec<CertEntry>,
}

impl Tokens {
    /// Whether a scan is in flight.
    pub fn is_scanning(&self) -> bool {
        self.scanning
    }

    /// The certificates listed on the tokens.
    #[cfg(test)]
    pub fn certificates(&self) -> &[CertEntry] {
        &self.certificates
    }

    /// The tokens' state in plain words for the home screen: searching,
    /// none plugged in, ready (with the holder of its signing certificate)
    /// or PIN-locked. `true` when a token is ready to sign.
    pub fn summary(&self) -> (Text, bool) {
        let Some(modules) = self.modules() else {
            return (Text::new(if self.failed { "home-token-failed" } else { "home-token-searching" }), false);
        };
        // Tokens set up for use (a blank, uninitialised token is not one).
        let tokens: Vec<&TokenReport> = modules
            .iter()
            .flat_map(|m| &m.slots)
            .filter_map(|s| s.token.as_ref())
            .filter(|t| t.initialized && !t.label.trim().is_empty())
            .collect();
        let owner = |tok: &TokenReport| {
            self.certificates
                .iter()
                .find(|c| c.has_private_key && c.token_serial == tok.serial && c.token_label == tok.label)
                .map(|c| c.certificate.subject_cn.clone().unwrap_or_else(|| c.certificate.subject.clone()))
        };
        // A usable token with a signing certificate first, else any usable
        // one; else a locked one (the user must know why).
        let usable = || tokens.iter().copied().filter(|t| !t.pin.locked);
        if let Some(tok) = usable().find(|t| owner(t).is_some()).or_else(|| usable().next()) {
            let owner = owner(tok);
            let text = match owner {
                Some(owner) => Text::new("home-token-ready-owner").arg("label", tok.label.clone()).arg("owner", owner),
                None => Text::new("home-token-ready").arg("label", tok.label.clone()),
            };
            return (text, true);
        }
        match tokens.first() {
            Some(tok) => (Text::new("home-token-locked").arg("label", tok.label.clone()), false),
            None => (Text::new("home-token-none"), false),
        }
    }

    /// The last scan's result.
    pub fn modules(&self) -> Option<&[ModuleReport]> {
        self.modules.as_deref()
    }

    /// Marks a scan as started (the first one, started by the application at
    /// boot) and returns the event asking for it; `None` while one is in
    /// flight, so timer ticks never pile up.
    pub fn start_scan(&mut self) -> Option<Event> {
        if self.scanning {
            return None;
        }
        self.scanning = true;
        Some(Event::Scan)
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Rescan | Message::Tick => self.start_scan(),
            Message::ChooseModule => Some(Event::PickModule),
            Message::Certificates(list) => {
                self.certificates = list;
                None
            }
            Message::ModulePicked(path) => path.map(Event::AddModule),
            Message::ScanFinished(result) => {
                self.scanning = false;
                match result {
                    Some(modules) => {
                        self.modules = Some(modules);
                        self.failed = false;
                    }
                    None => self.failed = true,
                }
                None
            }
        }
    }

    /// The panel.
    pub fn view<'a>(&'a self, t: &Translator) -> Element<'a, Message> {
        let rescan = button(text(t.tr("gui-rescan"))).on_press_maybe((!self.is_scanning()).then_some(Message::Rescan));
        let choose = button(text(t.tr("gui-choose-module"))).style(button::secondary).on_press(Message::ChooseModule);
        let status = if self.is_scanning() { text(t.tr("gui-scanning")) } else { text("") };
        let header =
            row![text(t.tr("tokens-heading")).size(22).font(BOLD), space::horizontal(), status, choose, rescan]
                .spacing(12)
                .align_y(iced::Center);

        // The state in plain words first, with what to do; the technical
        // details (modules, slots, PIN flags) follow for whoever needs them.
        let (summary, ready) = self.summary();
        let summary = text(summary.render(t)).size(15);
        let mut body = column![
            if ready { summary.style(crate::theme::text_success) } else { summary },
            text(t.tr("gui-tokens-help")).size(13),
        ]
        .spacing(12);
        if self.failed {
            body = body.push(text(t.tr("gui-scan-failed")).style(crate::theme::text_danger));
        }
        match self.modules() {
            None => {}
            Some([]) => {
                body = body.push(text(t.tr("tokens-no-modules")));
                body = body.push(text(t.tr("gui-choose-module-hint")).size(13));
            }
            Some(modules) => {
                let any_token = modules.iter().flat_map(|m| &m.slots).any(|s| s.token.is_some());
                if !any_token {
                    body = body.push(text(t.tr("tokens-none")).style(crate::theme::text_warning));
                    body = body.push(text(t.tr("gui-choose-module-hint")).size(13));
                }
                for m in modules {
                    body = body.push(module_view(t, m, &self.certificates));
                }
            }
        }

        column![header, rule::horizontal(1), scrollable(body.padding([0, 12])).height(Fill)].spacing(12).into()
    }
}

fn module_view<'a>(t: &Translator, m: &'a ModuleReport, certs: &'a [CertEntry]) -> Element<'a, Message> {
    let path = m.path.display().to_string();
    let mut col = column![
        text(t.tr_args("tokens-module", &[("path", &path)])).font(BOLD),
        text(t.tr_args("tokens-module-source", &[("source", &kyso_i18n::Localize::localize(&m.source, t))])).size(13),
    ]
    .spacing(6);
    if m.loaded {
        let library = m
            .library
            .as_ref()
            .map(|l| {
                [l.manufacturer.as_str(), l.description.as_str(), l.version.as_str()]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default();
        col = col
            .push(text(t.tr_args("tokens-module-loaded", &[("library", &library)])).style(crate::theme::text_success));
    } else {
        let reason = m.error.as_ref().map(|e| error_text(t, e)).unwrap_or_default();
        col =
            col.push(text(t.tr_args("tokens-module-failed", &[("reason", &reason)])).style(crate::theme::text_danger));
    }
    for slot in &m.slots {
        col = col.push(slot_view(t, slot, certs));
    }
    container(col).padding(12).width(Fill).style(container::bordered_box).into()
}

fn slot_view<'a>(t: &Translator, s: &'a SlotReport, certs: &'a [CertEntry]) -> Element<'a, Message> {
    let id = s.slot_id.to_string();
    let mut col = column![text(t.tr_args("tokens-slot", &[("id", &id), ("description", &s.description)])).font(BOLD)]
        .spacing(4)
        .padding([0, 16]);
    if !s.token_present {
        col = col.push(text(t.tr("tokens-slot-empty")));
    }
    if let Some(token) = &s.token {
        col = col.push(token_view(t, token));
        // The owner and validity of each signing certificate on the token.
        for c in
            certs.iter().filter(|c| c.has_private_key && c.token_serial == token.serial && c.token_label == token.label)
        {
            let info = &c.certificate;
            let owner = info.subject_cn.clone().unwrap_or_else(|| info.subject.clone());
            let line = t.tr_args(
                "tokens-certificate",
                &[
                    ("owner", &owner),
                    ("from", &crate::i18n::short_date(t, &info.not_before)),
                    ("to", &crate::i18n::short_date(t, &info.not_after)),
                ],
            );
            let mut cert = column![text(line)].spacing(2);
            for w in &info.warnings {
                cert = cert.push(text(kyso_i18n::Localize::localize(w, t)).size(13).style(crate::theme::text_danger));
            }
            col = col.push(row![text(t.tr("tokens-owner")).width(160), cert].spacing(8));
        }
    }
    if let Some(reason) = &s.error {
        col = col.push(text(t.tr_args("tokens-slot-error", &[("reason", reason)])).style(crate::theme::text_danger));
    }
    col.into()
}

fn field<'a>(label: String, value: &str) -> Element<'a, Message> {
    row![text(label).width(160), text(value.to_owned())].spacing(8).into()
}

fn token_view<'a>(t: &Translator, tok: &'a TokenReport) -> Element<'a, Message> {
    let mut pin = column![].spacing(2);
    for (key, severity) in pin_flags(&tok.pin) {
        let line = text(t.tr(key));
        pin = pin.push(match severity {
            Severity::Normal => line,
            Severity::Warning => line.style(crate::theme::text_warning),
            Severity::Critical => line.size(18).font(BOLD).style(crate::theme::text_danger),
        });
    }
    if tok.protected_authentication_path {
        pin = pin.push(text(t.tr("pin-pad")));
    }
    column![
        field(t.tr("token-label"), &tok.label),
        field(t.tr("token-manufacturer"), &tok.manufacturer),
        field(t.tr("token-model"), &tok.model),
        field(t.tr("token-serial"), &tok.serial),
        row![text(t.tr("token-pin")).width(160), pin].spacing(8),
    ]
    .spacing(4)
    .into()
}
