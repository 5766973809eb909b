//! Keyboard navigation and the events the screens raise.

use super::*;

impl App {
    /// Keyboard navigation: Tab and Shift+Tab move between fields and
    /// buttons, Escape closes the PIN dialog, Ctrl+1…6 switch screens, Escape also closes Kyso's file chooser.
    pub(super) fn key(&mut self, event: iced::keyboard::Event) -> Task<Message> {
        use iced::keyboard::{Event, Key, key::Named};
        let Event::KeyPressed { key, modifiers, .. } = event else { return Task::none() };
        match key.as_ref() {
            Key::Named(Named::Tab) if modifiers.shift() => iced::widget::operation::focus_previous(),
            Key::Named(Named::Tab) => iced::widget::operation::focus_next(),
            Key::Named(Named::Escape) if self.chooser.is_some() => {
                self.update(Message::Chooser(file_chooser::Message::Cancel))
            }
            Key::Named(Named::Escape) if self.tab == Tab::Sign => {
                self.update(Message::Sign(sign::Message::Pin(crate::modal::pin::Message::Cancel)))
            }
            Key::Character(c) if modifiers.command() => {
                match c.parse::<usize>().ok().and_then(|n| n.checked_sub(1)).and_then(|i| Tab::ALL.get(i)) {
                    Some(tab) => self.update(Message::Tab(*tab)),
                    None => Task::none(),
                }
            }
            _ => Task::none(),
        }
    }

    /// The bridge's screen changes the settings (kept at once) or asks to
    /// be shown (a page waits for the person).
    pub(super) fn handle_bridge_event(&mut self, event: bridge::Event) -> Task<Message> {
        let mut config = self.config.clone();
        match event {
            bridge::Event::Attention => {
                self.tab = Tab::Bridge;
                return iced::window::oldest().and_then(iced::window::gain_focus);
            }
            bridge::Event::PickFile => return self.open_dialog(Pick::BridgeFile),
            bridge::Event::Enable(on) => config.bridge = on,
            bridge::Event::Trusted(origin) if !config.bridge_origins.contains(&origin) => {
                config.bridge_origins.push(origin);
            }
            bridge::Event::Trusted(_) => return Task::none(),
            bridge::Event::Revoked(origin) => config.bridge_origins.retain(|o| *o != origin),
        }
        self.handle_settings_event(settings::Event::Save(Box::new(config)))
    }

    pub(super) fn handle_settings_event(&mut self, event: settings::Event) -> Task<Message> {
        match event {
            settings::Event::Save(config) => {
                self.apply(*config);
                self.persist()
            }
            settings::Event::PickOutputDir => self.open_dialog(Pick::OutputDir),
            settings::Event::ImportAnchors => self.open_dialog(Pick::Anchors),
            settings::Event::RemoveAnchor(sha) => {
                let data_dir = self.data_dir.clone();
                Task::perform(blocking("kyso-trust", move || settings::remove_anchor(&data_dir, &sha)), |r| {
                    Message::Settings(settings::Message::AnchorRemoved(
                        r.unwrap_or_else(|| Err(Text::new("gui-task-failed"))),
                    ))
                })
            }
        }
    }

    pub(super) fn handle_tokens_event(&mut self, event: tokens::Event) -> Task<Message> {
        match event {
            tokens::Event::PickModule => self.open_dialog(Pick::Module),
            tokens::Event::AddModule(path) => {
                // Kept in the settings (saved), then used by the next scan.
                let save = match self.settings.add_module(path, &self.config) {
                    Some(event) => self.handle_settings_event(event),
                    None => Task::none(),
                };
                let scan = match self.tokens.update(tokens::Message::Rescan) {
                    Some(event) => self.handle_tokens_event(event),
                    None => Task::none(),
                };
                Task::batch([save, scan])
            }
            tokens::Event::Scan => Task::perform(scan_in_background(self.config.modules.clone()), |r| r).then(|r| {
                let (modules, certs) = match r {
                    Some((m, c)) => (Some(m), c),
                    None => (None, Vec::new()),
                };
                Task::batch([
                    Task::done(Message::Tokens(tokens::Message::ScanFinished(modules))),
                    Task::done(Message::Tokens(tokens::Message::Certificates(certs))),
                ])
            }),
        }
    }
}
