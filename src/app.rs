//! The application: state, messages, and the wiring of screens to tasks and
//! subscriptions.

use std::path::PathBuf;
use std::time::Duration;

use iced::futures::channel::oneshot;
use iced::widget::{button, column, container, row, space, text};
use iced::{Element, Fill, Font, Subscription, Task};
use kyso_i18n::{Lang, Translator};
use kyso_token::ModuleReport;

use crate::Args;
use crate::screen::tokens::{self, Tokens};

/// Liberation Sans (SIL OFL 1.1, see `assets/fonts/`): full Vietnamese
/// coverage, bundled so text shows even without system fonts.
pub const FONT: Font = Font::with_name("Liberation Sans");
const FONT_REGULAR: &[u8] = include_bytes!("../assets/fonts/LiberationSans-Regular.ttf");
const FONT_BOLD: &[u8] = include_bytes!("../assets/fonts/LiberationSans-Bold.ttf");

/// How often the token list is refreshed.
const RESCAN_EVERY: Duration = Duration::from_secs(2);

/// Runs the application.
pub fn run(args: Args, lang: Lang) -> iced::Result {
    let file = args.file;
    iced::application(move || App::new(file.clone(), lang), App::update, App::view)
        .title(App::title)
        .subscription(App::subscription)
        .font(FONT_REGULAR)
        .font(FONT_BOLD)
        .default_font(FONT)
        .window_size((900.0, 640.0))
        .centered()
        .run()
}

/// Application messages.
#[derive(Debug, Clone)]
pub enum Message {
    /// The user picked a language.
    Language(Lang),
    /// A message of the token panel.
    Tokens(tokens::Message),
}

/// Application state.
#[derive(Debug)]
pub struct App {
    translator: Translator,
    file: Option<PathBuf>,
    tokens: Tokens,
}

impl App {
    /// The initial state and the first token scan.
    pub fn new(file: Option<PathBuf>, lang: Lang) -> (Self, Task<Message>) {
        let mut app = Self { translator: Translator::new(lang), file, tokens: Tokens::default() };
        let task = match app.tokens.start_scan() {
            Some(event) => app.handle_tokens_event(event),
            None => Task::none(),
        };
        (app, task)
    }

    fn title(&self) -> String {
        self.translator.tr("app-name")
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::Language(lang) => {
                if lang != self.translator.lang() {
                    self.translator = Translator::new(lang);
                }
                Task::none()
            }
            Message::Tokens(m) => match self.tokens.update(m) {
                Some(event) => self.handle_tokens_event(event),
                None => Task::none(),
            },
        }
    }

    fn handle_tokens_event(&mut self, event: tokens::Event) -> Task<Message> {
        match event {
            tokens::Event::Scan => {
                Task::perform(scan_in_background(), |r| Message::Tokens(tokens::Message::ScanFinished(r)))
            }
        }
    }

    fn subscription(&self) -> Subscription<Message> {
        iced::time::every(RESCAN_EVERY).map(|_| Message::Tokens(tokens::Message::Tick))
    }

    fn view(&self) -> Element<'_, Message> {
        let t = &self.translator;
        let lang_button = |lang: Lang, key: &str| {
            let style = if t.lang() == lang { button::primary } else { button::secondary };
            button(text(t.tr(key)).size(14)).style(style).on_press(Message::Language(lang))
        };
        let header = row![
            column![text(t.tr("app-name")).size(26), text(t.tr("app-tagline")).size(14)].spacing(4),
            space::horizontal(),
            text(t.tr("gui-language")).size(14),
            lang_button(Lang::Vi, "lang-vi"),
            lang_button(Lang::En, "lang-en"),
        ]
        .spacing(8)
        .align_y(iced::Center);

        let mut page = column![header].spacing(16);
        if let Some(file) = &self.file {
            let path = file.display().to_string();
            page = page.push(text(t.tr_args("gui-open-file", &[("path", &path)])));
        }
        page = page.push(self.tokens.view(t).map(Message::Tokens));
        container(page).padding(20).width(Fill).height(Fill).into()
    }
}

/// Scans for tokens on a thread of its own: PKCS#11 calls block (and may
/// hang in a bad driver), so they never run on the UI or executor threads.
/// `None` if the scan panicked or no thread could be started.
async fn scan_in_background() -> Option<Vec<ModuleReport>> {
    let (tx, rx) = oneshot::channel();
    std::thread::Builder::new()
        .name("kyso-token-scan".into())
        .spawn(move || {
            let candidates = kyso_token::candidate_modules(&[], &[]);
            let _ = tx.send(kyso_token::scan(&candidates));
        })
        .ok()?;
    rx.await.ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kyso_token::{ModuleSource, PinState, SlotReport, TokenError, TokenReport};

    fn report() -> Vec<ModuleReport> {
        let token = TokenReport {
            label: "Nguyễn Văn A".into(),
            manufacturer: "Bit4id".into(),
            model: "miniLector".into(),
            serial: "123".into(),
            pin: PinState { initialized: true, final_try: true, ..Default::default() },
            protected_authentication_path: false,
            login_required: true,
            initialized: true,
        };
        vec![
            ModuleReport {
                path: "/usr/lib/libbit4xpki.so".into(),
                source: ModuleSource::WellKnown,
                vendor: Some("Bit4id"),
                loaded: true,
                error: None,
                library: None,
                slots: vec![SlotReport {
                    slot_id: 0,
                    description: "reader".into(),
                    token_present: true,
                    removable: true,
                    token: Some(token),
                    error: None,
                }],
            },
            ModuleReport {
                path: "/usr/lib/missing.so".into(),
                source: ModuleSource::Environment,
                vendor: None,
                loaded: false,
                error: Some(TokenError::ModuleNotFound { path: "/usr/lib/missing.so".into() }),
                library: None,
                slots: vec![],
            },
        ]
    }

    #[test]
    fn boot_starts_a_scan_and_ticks_do_not_pile_up() {
        let (mut app, _task) = App::new(None, Lang::default());
        assert!(app.tokens.is_scanning());
        assert!(app.tokens.modules().is_none());
        // A tick or a rescan while the scan is in flight starts nothing.
        assert_eq!(app.tokens.update(tokens::Message::Tick), None);
        assert_eq!(app.tokens.update(tokens::Message::Rescan), None);

        let _ = app.update(Message::Tokens(tokens::Message::ScanFinished(Some(report()))));
        assert!(!app.tokens.is_scanning());
        let modules = app.tokens.modules().expect("scan result");
        assert_eq!(modules.len(), 2);
        assert!(modules[0].slots[0].token.as_ref().is_some_and(|t| t.pin.final_try));

        // The next tick starts a new scan; a failed scan keeps the old list.
        assert_eq!(app.tokens.update(tokens::Message::Tick), Some(tokens::Event::Scan));
        let _ = app.update(Message::Tokens(tokens::Message::ScanFinished(None)));
        assert!(!app.tokens.is_scanning());
        assert_eq!(app.tokens.modules().map(<[_]>::len), Some(2));
    }

    #[test]
    fn language_toggle_switches_the_translator() {
        let (mut app, _task) = App::new(Some("hop-dong.pdf".into()), Lang::default());
        assert_eq!(app.translator.lang(), Lang::Vi);
        assert_eq!(app.title(), "Kyso — Ký số");
        let _ = app.update(Message::Language(Lang::En));
        assert_eq!(app.translator.lang(), Lang::En);
        assert_eq!(app.title(), "Kyso — Digital signing");
        let _ = app.update(Message::Language(Lang::Vi));
        assert_eq!(app.translator.tr("gui-rescan"), "Quét lại");
        // The view builds in both languages with a scan result shown.
        let _ = app.update(Message::Tokens(tokens::Message::ScanFinished(Some(report()))));
        let _ = app.view();
    }
}
