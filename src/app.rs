//! The application: state, messages, and the wiring of screens to tasks and
//! subscriptions.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use iced::futures::channel::oneshot;
use iced::widget::{button, column, container, row, rule, space, text};
use iced::{Element, Fill, Size, Subscription, Task};
use kyso_i18n::{Lang, Translator};
use kyso_token::ModuleReport;

use crate::Args;
use crate::i18n::Text;
use crate::screen::bridge::{self, Bridge};
use crate::screen::home::{self, Home};
use crate::screen::journal::{self, Journal};
use crate::screen::settings::{self, Config, OpenAction, Settings, ThemeChoice};
use crate::screen::sign::{self, Sign};
use crate::screen::tokens::{self, Tokens};
use crate::screen::verify::{self, Verify};
use crate::widget::file_chooser::{self, FileChooser, Kind, Mode};

mod background;
mod dialogs;
mod events;
mod window;

#[cfg(test)]
use self::dialogs::system_dialog;
pub use self::dialogs::{Dialog, Pick};
pub use self::window::{MIN_SIZE, fitting_position, fitting_size};
use self::{background::*, window::*};

/// The interface's font (see [`crate::font`]).
pub use crate::font::REGULAR as FONT;

/// How often the token list is refreshed.
const RESCAN_EVERY: Duration = Duration::from_secs(2);

/// Runs the application.
pub fn run(args: Args, lang: Option<Lang>) -> iced::Result {
    let (file, action, role) = (args.file, args.action, args.role);
    let data_dir = kyso_core::data_dir();
    let config = Config::load(&Config::path(&data_dir));
    // KYSO_LANG (given as `lang`) wins over the saved setting.
    let lang = lang.unwrap_or_else(|| config.language());
    let settings = iced::window::Settings {
        size: OPENING_SIZE,
        min_size: Some(MIN_SIZE),
        position: iced::window::Position::Centered,
        // Files dropped on the window are verified or signed.
        ..iced::window::Settings::default()
    };
    // `--verify`/`--sign` answer the question for this start only;
    // `--role` is chosen on the sign screen as if clicked, before the file
    // opens there (without a file, the sign screen opens).
    let boot = move || match action {
        Some(action) => {
            let (mut app, boot) = App::new(None, lang, config.clone(), data_dir.clone());
            let chosen = role.map_or_else(Task::none, |r| {
                let choose = app.update(Message::Sign(sign::Message::Role(sign::role::Message::Selected(r))));
                if file.is_some() { choose } else { Task::batch([choose, app.update(Message::Tab(Tab::Sign))]) }
            });
            let open = file.clone().map_or_else(Task::none, |f| app.open_file(f, action));
            (app, Task::batch([boot, chosen, open]))
        }
        None => App::new(file.clone(), lang, config.clone(), data_dir.clone()),
    };
    iced::application(boot, App::update, App::view)
        .title(App::title)
        .theme(App::theme)
        .subscription(App::subscription)
        .font(crate::font::FILES[0])
        .font(crate::font::FILES[1])
        .default_font(FONT)
        .window(settings)
        // The window's size is kept on close (see `Message::CloseRequested`).
        .exit_on_close_request(false)
        .run()
}

/// The screens of the navigation bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// Where Kyso starts: the jobs, the recent files, the token's state.
    Home,
    /// The token panel.
    Tokens,
    /// Signature verification.
    Verify,
    /// Signing.
    Sign,
    /// The activity journal.
    Journal,
    /// Settings.
    Settings,
    /// "Ký từ hệ thống điện tử": the e-office bridge.
    Bridge,
}

impl Tab {
    const ALL: [Self; 7] =
        [Self::Home, Self::Verify, Self::Sign, Self::Tokens, Self::Journal, Self::Settings, Self::Bridge];

    fn key(self) -> &'static str {
        match self {
            Self::Home => "gui-tab-home",
            Self::Tokens => "gui-tab-tokens",
            Self::Verify => "gui-tab-verify",
            Self::Sign => "gui-tab-sign",
            Self::Journal => "gui-tab-journal",
            Self::Settings => "gui-tab-settings",
            Self::Bridge => "gui-tab-bridge",
        }
    }
}

/// Application messages.
#[derive(Debug, Clone)]
pub enum Message {
    /// The user picked a language.
    Language(Lang),
    /// The user picked a screen.
    Tab(Tab),
    /// A file was dropped on the window.
    FileDropped(PathBuf),
    /// A message of the token panel.
    Tokens(tokens::Message),
    /// A message of the verification screen.
    Verify(verify::Message),
    /// A message of the signing screen.
    Sign(sign::Message),
    /// A message of the journal screen.
    Journal(journal::Message),
    /// A message of the settings screen.
    Settings(settings::Message),
    /// A message of the e-office bridge's screen.
    Bridge(bridge::Message),
    /// A key no widget took (keyboard navigation).
    Key(iced::keyboard::Event),
    /// A message of the home screen.
    Home(home::Message),
    /// A file dialog ended.
    Dialog(Pick, Dialog),
    /// A message of Kyso's own file chooser.
    Chooser(file_chooser::Message),
    /// The settings were written (or not).
    ConfigSaved(Result<(), Text>),
    /// The window opened: its screen's size is asked for.
    Opened(iced::window::Id),
    /// The window is on a screen of this size (`None`: unknown).
    Monitor(iced::window::Id, Option<Size>),
    /// The window was resized.
    Resized(Size),
    /// The window's close button was pressed.
    CloseRequested(iced::window::Id),
    /// The window is closing; it was here (`None`: unknown).
    Closing(iced::window::Id, Option<iced::Point>),
}

/// Application state.
#[derive(Debug)]
pub struct App {
    translator: Translator,
    tab: Tab,
    home: Home,
    /// Kyso's own file chooser, when open, and what it is for.
    chooser: Option<(Pick, FileChooser)>,
    /// Try the system's file dialog first (`KYSO_FILE_DIALOG=kyso`: never).
    system_dialogs: bool,
    /// A settings write is in flight; another is wanted after it.
    saving: bool,
    save_again: bool,
    /// The records waiting for the export dialog's answer.
    pending_export: Option<Vec<kyso_journal::Record>>,
    /// The window's size as last resized.
    window_size: Option<Size>,
    tokens: Tokens,
    verify: Verify,
    sign: Sign,
    journal: Journal,
    settings: Settings,
    bridge: Bridge,
    /// The settings in force.
    config: Config,
    /// Journal, settings, trust store and caches (`KYSO_DATA_DIR` or the
    /// platform's data directory; a test's own directory in tests).
    data_dir: PathBuf,
}

impl App {
    /// The initial state (the home screen), the first token scan, the
    /// window fitted to the screen and, with a file given ("Open with
    /// Kyso"), the question whether to check or sign it — or what the user
    /// asked to be remembered.
    pub fn new(file: Option<PathBuf>, lang: Lang, config: Config, data_dir: PathBuf) -> (Self, Task<Message>) {
        let mut sign = Sign::default();
        sign.configure(&config);
        let mut app = Self {
            translator: Translator::new(lang),
            tab: Tab::Home,
            home: Home::default(),
            chooser: None,
            system_dialogs: std::env::var("KYSO_FILE_DIALOG").map_or(true, |v| v != "kyso"),
            saving: false,
            save_again: false,
            pending_export: None,
            window_size: None,
            tokens: Tokens::default(),
            verify: Verify::default(),
            sign,
            journal: Journal::in_language(lang),
            bridge: Bridge::new(&data_dir, &config),
            settings: Settings::new(Config { lang: lang.code().into(), ..config.clone() }, &data_dir),
            config,
            data_dir,
        };
        let mut tasks = Vec::new();
        if let Some(event) = app.tokens.start_scan() {
            tasks.push(app.handle_tokens_event(event));
        }
        if let Some(file) = file {
            match app.config.open_with {
                Some(action) => tasks.push(app.open_file(file, action)),
                None => app.home.ask(file),
            }
        }
        (app, Task::batch(tasks))
    }

    /// Checks or signs `file` (from the command line, a recent file or a
    /// drop on the home screen); it becomes the first recent file.
    fn open_file(&mut self, file: PathBuf, action: OpenAction) -> Task<Message> {
        let recent = self.remember_recent(&file);
        let open = match action {
            OpenAction::Verify => {
                self.tab = Tab::Verify;
                self.update(Message::Verify(verify::Message::Open(file)))
            }
            OpenAction::Sign => {
                let load = self.update(Message::Tab(Tab::Sign));
                Task::batch([load, self.update(Message::Sign(sign::Message::Files(sign::files::Message::Open(file))))])
            }
        };
        Task::batch([recent, open])
    }

    /// Puts `file` first among the recent files (kept in the settings).
    fn remember_recent(&mut self, file: &Path) -> Task<Message> {
        if !self.config.remember_recent(file) {
            return Task::none();
        }
        self.settings.sync(&self.config);
        self.persist()
    }

    /// Writes the settings in force, one write at a time (a change made
    /// while one is in flight is written after it).
    fn persist(&mut self) -> Task<Message> {
        if self.saving {
            self.save_again = true;
            return Task::none();
        }
        self.saving = true;
        let config = self.config.clone();
        let path = Config::path(&self.data_dir);
        Task::perform(blocking("kyso-settings", move || config.save(&path)), |r| {
            Message::ConfigSaved(r.unwrap_or_else(|| Err(Text::new("gui-task-failed"))))
        })
    }

    fn title(&self) -> String {
        self.translator.tr("app-name")
    }

    fn theme(&self) -> iced::Theme {
        match self.config.theme {
            ThemeChoice::Light => iced::Theme::Light,
            ThemeChoice::Dark => iced::Theme::Dark,
        }
    }

    /// Puts settings in force (language, theme, TSA, modules); the
    /// settings screen shows them.
    fn apply(&mut self, config: Config) {
        let lang = config.language();
        if lang != self.translator.lang() {
            self.translator = Translator::new(lang);
            self.journal.set_language(lang);
        }
        self.sign.configure(&config);
        self.settings.sync(&config);
        self.bridge.configure(&config);
        self.config = config;
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::Language(lang) => match self.settings.update(settings::Message::Language(lang)) {
                Some(event) => self.handle_settings_event(event),
                None => Task::none(),
            },
            Message::Tab(tab) => {
                // Another screen closes Kyso's file chooser unanswered.
                if self.chooser.take().is_some() {
                    self.pending_export = None;
                }
                self.tab = tab;
                if tab == Tab::Sign && !self.sign.is_loaded() {
                    return self.update(Message::Sign(sign::Message::Certificate(sign::certificate::Message::Refresh)));
                }
                // The journal is read afresh each time it is shown.
                if tab == Tab::Journal {
                    return self.update(Message::Journal(journal::Message::Refresh));
                }
                Task::none()
            }
            Message::Key(event) => self.key(event),
            // A drop on the signing screen is signed, on the home screen
            // the user is asked, elsewhere it is checked.
            Message::FileDropped(path) => match self.tab {
                Tab::Sign => self.open_file(path, OpenAction::Sign),
                Tab::Home => {
                    self.home.ask(path);
                    Task::none()
                }
                _ => self.open_file(path, OpenAction::Verify),
            },
            Message::Home(m) => match self.home.update(m) {
                Some(home::Event::PickSign) => {
                    self.tab = Tab::Sign;
                    let load = self.update(Message::Tab(Tab::Sign));
                    Task::batch([load, self.open_dialog(Pick::Sign)])
                }
                Some(home::Event::PickVerify) => {
                    self.tab = Tab::Verify;
                    self.open_dialog(Pick::Verify)
                }
                Some(home::Event::Tokens) => self.update(Message::Tab(Tab::Tokens)),
                Some(home::Event::Open(file, action, remember)) => {
                    let open = self.open_file(file, action);
                    if remember {
                        self.config.open_with = Some(action);
                        self.settings.sync(&self.config);
                        return Task::batch([open, self.persist()]);
                    }
                    open
                }
                None => Task::none(),
            },
            Message::Dialog(pick, Dialog::Unavailable) => {
                let (mode, title, kind) = self.dialog_spec(&pick);
                let chooser = FileChooser::new(mode, title, kind, self.chooser_start(), &self.config.recent)
                    .with_notice(Text::new("gui-fc-no-system-dialog"));
                self.chooser = Some((pick, chooser));
                Task::none()
            }
            Message::Dialog(pick, Dialog::Chosen(files)) => self.deliver(pick, Some(files)),
            Message::Dialog(pick, Dialog::Cancelled) => self.deliver(pick, None),
            Message::Chooser(m) => {
                let Some((_, chooser)) = self.chooser.as_mut() else { return Task::none() };
                match chooser.update(m) {
                    Some(file_chooser::Event::Chosen(files)) => match self.chooser.take() {
                        Some((pick, _)) => self.deliver(pick, Some(files)),
                        None => Task::none(),
                    },
                    Some(file_chooser::Event::Cancelled) => match self.chooser.take() {
                        Some((pick, _)) => self.deliver(pick, None),
                        None => Task::none(),
                    },
                    None => Task::none(),
                }
            }
            Message::Bridge(m) => match self.bridge.update(m) {
                Some(event) => self.handle_bridge_event(event),
                None => Task::none(),
            },
            Message::ConfigSaved(r) => {
                self.saving = false;
                let _ = self.settings.update(settings::Message::Saved(r));
                if std::mem::take(&mut self.save_again) { self.persist() } else { Task::none() }
            }
            Message::Opened(id) => iced::window::monitor_size(id).map(move |s| Message::Monitor(id, s)),
            Message::Monitor(id, Some(monitor)) => {
                let size = fitting_size(monitor, self.config.window);
                let at = fitting_position(monitor, size, self.config.window_at);
                Task::batch([iced::window::resize(id, size), iced::window::move_to(id, at)])
            }
            Message::Monitor(_, None) => Task::none(),
            Message::Resized(size) => {
                self.window_size = Some(size);
                Task::none()
            }
            Message::CloseRequested(id) => iced::window::position(id).map(move |at| Message::Closing(id, at)),
            Message::Closing(id, at) => {
                // Size and place are kept for the next start (written here,
                // at once: the process ends with the window).
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let size = self
                    .window_size
                    .filter(|s| s.width >= 1.0 && s.height >= 1.0)
                    .map(|s| [s.width.round() as u32, s.height.round() as u32]);
                #[allow(clippy::cast_possible_truncation)]
                let at = at.map(|p| [p.x.round() as i32, p.y.round() as i32]);
                if (size.is_some() && size != self.config.window) || (at.is_some() && at != self.config.window_at) {
                    self.config.window = size.or(self.config.window);
                    self.config.window_at = at.or(self.config.window_at);
                    let _ = self.config.save(&Config::path(&self.data_dir));
                }
                iced::window::close(id)
            }
            // Token scans pause while the signing screen talks to a token.
            Message::Tokens(tokens::Message::Tick) if self.sign.is_busy() => Task::none(),
            Message::Tokens(m) => match self.tokens.update(m) {
                Some(event) => self.handle_tokens_event(event),
                None => Task::none(),
            },
            Message::Verify(m) => match self.verify.update(m) {
                Some(verify::Event::Verify(request)) => {
                    let id = request.id;
                    let data_dir = self.data_dir.clone();
                    let (online, proxy) = (!self.config.offline_verify, self.config.proxy());
                    Task::perform(
                        blocking("kyso-verify", move || verify::run(&request, &data_dir, online, proxy)),
                        move |r| {
                            Message::Verify(verify::Message::Finished(
                                id,
                                r.unwrap_or_else(|| Err(Text::new("gui-task-failed"))),
                            ))
                        },
                    )
                }
                Some(verify::Event::PickFile) => self.open_dialog(Pick::Verify),
                Some(verify::Event::Export(format)) => match self.verify.report(format, &self.translator) {
                    Some((path, content)) => {
                        Task::perform(blocking("kyso-report", move || verify::write_report(&path, &content)), |r| {
                            Message::Verify(verify::Message::Exported(
                                r.unwrap_or_else(|| Err(Text::new("gui-task-failed"))),
                            ))
                        })
                    }
                    None => Task::none(),
                },
                None => Task::none(),
            },
            Message::Sign(m) => match self.sign.update(m) {
                Some(sign::Event::LoadCertificates) => {
                    let modules = self.config.modules.clone();
                    Task::perform(blocking("kyso-certificates", move || sign::load_certificates(&modules)), |r| {
                        Message::Sign(sign::Message::Certificate(sign::certificate::Message::Loaded(r)))
                    })
                }
                Some(sign::Event::OpenFolder(file)) => {
                    // Best effort: a desktop without a file manager changes nothing.
                    let _ = sign::open_folder(&file);
                    Task::none()
                }
                Some(sign::Event::Sign(job)) => {
                    let data_dir = self.data_dir.clone();
                    Task::run(sign_in_background(*job, data_dir), |step| {
                        Message::Sign(sign::Message::Progress(sign::progress::Message::Step(step)))
                    })
                }
                Some(sign::Event::Preview(request)) => {
                    let id = request.id;
                    Task::perform(blocking("kyso-preview", move || sign::render_preview(&request)), move |r| {
                        Message::Sign(sign::Message::Preview(sign::preview::Message::Ready(
                            id,
                            r.unwrap_or_else(|| Err(Text::new("gui-task-failed"))),
                        )))
                    })
                }
                Some(sign::Event::PickFiles) => self.open_dialog(Pick::Sign),
                Some(sign::Event::Precheck(id, plan)) => {
                    let data_dir = self.data_dir.clone();
                    Task::perform(blocking("kyso-precheck", move || sign::run_precheck(&plan, &data_dir)), move |r| {
                        Message::Sign(sign::Message::Checked(id, r))
                    })
                }
                Some(sign::Event::FocusPin) => iced::widget::operation::focus(sign::PIN_ID),
                Some(sign::Event::RememberImages(sha256, images)) => {
                    match self.settings.remember_images(sha256, images, &self.config) {
                        Some(event) => self.handle_settings_event(event),
                        None => Task::none(),
                    }
                }
                Some(sign::Event::PickImage(field)) => self.open_dialog(Pick::SignImage(field)),
                None => Task::none(),
            },
            Message::Settings(m) => match self.settings.update(m) {
                Some(event) => self.handle_settings_event(event),
                None => Task::none(),
            },
            Message::Journal(m) => match self.journal.update(m) {
                Some(journal::Event::Load(filter)) => {
                    let data_dir = self.data_dir.clone();
                    Task::perform(blocking("kyso-journal", move || journal::load(&data_dir, &filter)), |r| {
                        Message::Journal(journal::Message::Loaded(
                            r.unwrap_or_else(|| Err(Text::new("gui-task-failed"))),
                        ))
                    })
                }
                Some(journal::Event::Export(format, records)) => {
                    self.pending_export = Some(records);
                    self.open_dialog(Pick::JournalExport(format))
                }
                None => Task::none(),
            },
        }
    }

    fn subscription(&self) -> Subscription<Message> {
        let dropped = iced::event::listen_with(|event, _status, _window| match event {
            iced::Event::Window(iced::window::Event::FileDropped(path)) => Some(Message::FileDropped(path)),
            _ => None,
        });
        Subscription::batch([
            iced::time::every(RESCAN_EVERY).map(|_| Message::Tokens(tokens::Message::Tick)),
            dropped,
            iced::window::open_events().map(Message::Opened),
            iced::window::resize_events().map(|(_, size)| Message::Resized(size)),
            iced::window::close_requests().map(Message::CloseRequested),
            self.bridge.subscription().map(Message::Bridge),
            // Keys no widget took; and Escape always (a focused text field
            // takes it to unfocus, yet it must close the PIN dialog).
            iced::event::listen_with(|event, status, _window| match event {
                iced::Event::Keyboard(
                    key @ iced::keyboard::Event::KeyPressed {
                        key: iced::keyboard::Key::Named(iced::keyboard::key::Named::Escape),
                        ..
                    },
                ) => Some(Message::Key(key)),
                iced::Event::Keyboard(key) if status == iced::event::Status::Ignored => Some(Message::Key(key)),
                _ => None,
            }),
        ])
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

        let mut nav = row![].spacing(8);
        for tab in Tab::ALL {
            let style = if self.tab == tab { button::primary } else { button::text };
            nav = nav.push(button(text(t.tr(tab.key()))).style(style).on_press(Message::Tab(tab)));
        }
        let screen = match (&self.chooser, self.tab) {
            (Some((_, chooser)), _) => chooser.view(t).map(Message::Chooser),
            (None, tab) => self.screen(tab),
        };
        let page = column![header, nav, rule::horizontal(1), screen].spacing(12);
        container(page).padding(20).width(Fill).height(Fill).into()
    }

    fn screen(&self, tab: Tab) -> Element<'_, Message> {
        let t = &self.translator;
        match tab {
            Tab::Home => self.home.view(t, &self.config.recent, &self.tokens.summary()).map(Message::Home),
            Tab::Tokens => self.tokens.view(t).map(Message::Tokens),
            Tab::Verify => self.verify.view(t).map(Message::Verify),
            Tab::Sign => self.sign.view(t).map(Message::Sign),
            Tab::Journal => self.journal.view(t).map(Message::Journal),
            Tab::Settings => self.settings.view(t).map(Message::Settings),
            Tab::Bridge => self.bridge.view(t).map(Message::Bridge),
        }
    }
}

#[cfg(test)]
mod first_run;
#[cfg(test)]
mod flows;

#[cfg(test)]
mod tests;
