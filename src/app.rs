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

/// The interface's font (see [`crate::font`]).
pub use crate::font::REGULAR as FONT;

/// How often the token list is refreshed.
const RESCAN_EVERY: Duration = Duration::from_secs(2);

/// The window's size when the screen is large enough and none was kept.
const PREFERRED_SIZE: Size = Size::new(1180.0, 760.0);
/// The size the window opens at, before the screen's size is known: fits a
/// 1024×768 screen with a taskbar and a title bar.
const OPENING_SIZE: Size = Size::new(1000.0, 680.0);
/// The smallest window: every screen still shows its primary button
/// (the content scrolls).
pub const MIN_SIZE: Size = Size::new(800.0, 560.0);
/// Room left on the screen for a taskbar and the window's title bar.
const SCREEN_MARGIN: Size = Size::new(24.0, 88.0);

/// Runs the application.
pub fn run(args: Args, lang: Option<Lang>) -> iced::Result {
    let (file, action) = (args.file, args.action);
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
    // `--verify`/`--sign` answer the question for this start only.
    let boot = move || match action {
        Some(action) => {
            let (mut app, boot) = App::new(None, lang, config.clone(), data_dir.clone());
            let open = file.clone().map_or_else(Task::none, |f| app.open_file(f, action));
            (app, Task::batch([boot, open]))
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

/// The window's size for a screen of `monitor` (logical pixels): the kept
/// size or [`PREFERRED_SIZE`], never larger than the screen less
/// [`SCREEN_MARGIN`], never below [`MIN_SIZE`] unless the screen is.
pub fn fitting_size(monitor: Size, kept: Option<[u32; 2]>) -> Size {
    #[allow(clippy::cast_precision_loss)]
    let wanted = kept.map_or(PREFERRED_SIZE, |[w, h]| Size::new(w as f32, h as f32));
    let room =
        Size::new((monitor.width - SCREEN_MARGIN.width).max(1.0), (monitor.height - SCREEN_MARGIN.height).max(1.0));
    let fit = |want: f32, min: f32, room: f32| want.max(min).min(room).round();
    Size::new(fit(wanted.width, MIN_SIZE.width, room.width), fit(wanted.height, MIN_SIZE.height, room.height))
}

/// Where the window goes on a screen of `monitor`: where it was left when
/// it lies wholly on the screen there, else centred.
pub fn fitting_position(monitor: Size, size: Size, kept: Option<[i32; 2]>) -> iced::Point {
    #[allow(clippy::cast_precision_loss)]
    let kept = kept.map(|[x, y]| iced::Point::new(x as f32, y as f32)).filter(|p| {
        p.x >= 0.0 && p.y >= 0.0 && p.x + size.width <= monitor.width && p.y + size.height <= monitor.height
    });
    kept.unwrap_or_else(|| {
        iced::Point::new(((monitor.width - size.width) / 2.0).max(0.0), ((monitor.height - size.height) / 2.0).max(0.0))
    })
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

/// What a file dialog is for: where its answer goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    /// The file to check.
    Verify,
    /// The files to sign.
    Sign,
    /// A signature or seal image.
    SignImage(sign::Field),
    /// A token's PKCS#11 library.
    Module,
    /// The folder signed copies go to.
    OutputDir,
    /// Certificates to trust ("Nhập chứng thư gốc…").
    Anchors,
    /// Where to export the journal.
    JournalExport(journal::Format),
    /// A document to sign for a web page that sent none (e-office bridge).
    BridgeFile,
}

/// How a file dialog ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dialog {
    /// These were chosen.
    Chosen(Vec<PathBuf>),
    /// The user closed it.
    Cancelled,
    /// The system's dialog could not open (Kyso's own is shown instead).
    Unavailable,
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

    /// What a dialog for `pick` asks: its mode, title and kind of file.
    fn dialog_spec(&self, pick: &Pick) -> (Mode, String, Option<Kind>) {
        let t = &self.translator;
        let documents = || Some(Kind { label: t.tr("gui-browse-documents"), extensions: DOCUMENT_EXTENSIONS });
        match pick {
            Pick::Verify => (Mode::Open, t.tr("gui-browse-verify"), documents()),
            Pick::BridgeFile => (Mode::Open, t.tr("gui-bridge-pick-browse"), documents()),
            Pick::Sign => (Mode::OpenMany, t.tr("gui-browse-title"), documents()),
            Pick::SignImage(_) => {
                (Mode::Open, t.tr("gui-browse-image"), Some(Kind { label: "PNG".into(), extensions: &["png"] }))
            }
            Pick::Module => (
                Mode::Open,
                t.tr("gui-choose-module"),
                Some(Kind { label: "PKCS#11".into(), extensions: &["so", "dll", "dylib"] }),
            ),
            Pick::OutputDir => (Mode::Folder, t.tr("gui-settings-output-dir"), None),
            Pick::Anchors => (
                Mode::OpenMany,
                t.tr("gui-settings-import"),
                Some(Kind { label: "PEM, DER, CRT".into(), extensions: &["pem", "crt", "cer", "der"] }),
            ),
            Pick::JournalExport(format) => {
                let (ext, label): (&'static [&'static str], &str) = match format {
                    journal::Format::Csv => (&["csv"], "CSV"),
                    journal::Format::Json => (&["json"], "JSON"),
                };
                (
                    Mode::Save(journal::export_name(*format)),
                    t.tr("gui-journal-export-title"),
                    Some(Kind { label: label.into(), extensions: ext }),
                )
            }
        }
    }

    /// Where Kyso's chooser starts: the folder of the latest file.
    fn chooser_start(&self) -> Option<PathBuf> {
        self.config.recent.first().and_then(|f| f.parent()).map(Path::to_owned)
    }

    /// Asks for a file (or folder, or where to save) for `pick`: the
    /// system's dialog, else Kyso's own chooser.
    fn open_dialog(&mut self, pick: Pick) -> Task<Message> {
        let (mode, title, kind) = self.dialog_spec(&pick);
        if !self.system_dialogs {
            self.chooser = Some((pick, FileChooser::new(mode, title, kind, self.chooser_start(), &self.config.recent)));
            return Task::none();
        }
        Task::perform(system_dialog(mode, title, kind), move |d| Message::Dialog(pick.clone(), d))
    }

    /// Delivers what a dialog for `pick` chose (`None`: nothing).
    fn deliver(&mut self, pick: Pick, files: Option<Vec<PathBuf>>) -> Task<Message> {
        let files = files.filter(|f| !f.is_empty());
        let first = files.as_ref().and_then(|f| f.first().cloned());
        match pick {
            Pick::Verify => {
                let recent = first.as_deref().map_or_else(Task::none, |f| self.remember_recent(f));
                Task::batch([recent, self.update(Message::Verify(verify::Message::Picked(first)))])
            }
            Pick::Sign => {
                let files = files.unwrap_or_default();
                let recent: Vec<_> = files.iter().rev().map(|f| self.remember_recent(f)).collect();
                Task::batch(recent)
                    .chain(self.update(Message::Sign(sign::Message::Files(sign::files::Message::Picked(files)))))
            }
            Pick::SignImage(field) => {
                self.update(Message::Sign(sign::Message::Role(sign::role::Message::PickedImage(field, first))))
            }
            Pick::Module => self.update(Message::Tokens(tokens::Message::ModulePicked(first))),
            Pick::BridgeFile => self.update(Message::Bridge(bridge::Message::FilePicked(first))),
            Pick::OutputDir => self.update(Message::Settings(settings::Message::OutputDirPicked(first))),
            Pick::Anchors => {
                let Some(files) = files else { return Task::none() };
                let data_dir = self.data_dir.clone();
                Task::perform(blocking("kyso-trust", move || settings::import_anchors(&data_dir, &files)), |r| {
                    Message::Settings(settings::Message::AnchorsImported(
                        r.unwrap_or_else(|| Err(Text::new("gui-task-failed"))),
                    ))
                })
            }
            Pick::JournalExport(format) => {
                let records = self.pending_export.take();
                let (Some(path), Some(records)) = (first, records) else { return Task::none() };
                Task::perform(blocking("kyso-export", move || journal::export_to(&path, format, &records)), |r| {
                    Message::Journal(journal::Message::Exported(r.unwrap_or_else(|| Err(Text::new("gui-task-failed")))))
                })
            }
        }
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

    /// Keyboard navigation: Tab and Shift+Tab move between fields and
    /// buttons, Escape closes the PIN dialog, Ctrl+1…6 switch screens, Escape also closes Kyso's file chooser.
    fn key(&mut self, event: iced::keyboard::Event) -> Task<Message> {
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
    fn handle_bridge_event(&mut self, event: bridge::Event) -> Task<Message> {
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

    fn handle_settings_event(&mut self, event: settings::Event) -> Task<Message> {
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

    fn handle_tokens_event(&mut self, event: tokens::Event) -> Task<Message> {
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

/// Runs blocking work (PDF, PKCS#11) on a thread of its own, never on the
/// UI or executor threads. `None` if it panicked or no thread could start.
async fn blocking<T: Send + 'static>(name: &'static str, work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = oneshot::channel();
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let _ = tx.send(work());
        })
        .ok()?;
    rx.await.ok()
}

/// An answer of "nothing chosen" sooner than this after asking means the
/// system's dialog never opened: without an XDG desktop portal and without
/// zenity, rfd answers `None` at once, as if cancelled (design-notes.md,
/// GUI). No person opens, reads and cancels a dialog this fast.
const NO_DIALOG_WITHIN: Duration = Duration::from_millis(700);

/// The system's file dialog (beside the UI, never blocking it) for `mode`.
async fn system_dialog(mode: Mode, title: String, kind: Option<Kind>) -> Dialog {
    let started = Instant::now();
    let mut dialog = rfd::AsyncFileDialog::new().set_title(title);
    if let Some(kind) = &kind {
        dialog = dialog.add_filter(kind.label.clone(), kind.extensions);
    }
    let path = |f: rfd::FileHandle| f.path().to_owned();
    let chosen = match mode {
        Mode::Open => dialog.pick_file().await.map(|f| vec![path(f)]),
        Mode::OpenMany => dialog.pick_files().await.map(|v| v.into_iter().map(path).collect()),
        Mode::Folder => dialog.pick_folder().await.map(|f| vec![path(f)]),
        Mode::Save(name) => dialog.set_file_name(name).save_file().await.map(|f| vec![path(f)]),
    };
    match chosen {
        Some(files) if !files.is_empty() => Dialog::Chosen(files),
        // Only the Linux back-end answers at once when it has no dialog.
        _ if cfg!(target_os = "linux") && started.elapsed() < NO_DIALOG_WITHIN => Dialog::Unavailable,
        _ => Dialog::Cancelled,
    }
}

/// What the file dialog offers to sign.
const DOCUMENT_EXTENSIONS: &[&str] = &["pdf", "docx", "docm", "xlsx", "xlsm", "pptx", "pptm"];

/// Signs a job on a thread of its own; its steps come back as a stream.
/// A panic in the signing ends the batch with an error instead of leaving
/// the screen waiting.
fn sign_in_background(job: sign::Job, data_dir: PathBuf) -> impl iced::futures::Stream<Item = sign::Step> {
    let (tx, rx) = iced::futures::channel::mpsc::unbounded();
    let fallback = tx.clone();
    let spawned = std::thread::Builder::new().name("kyso-sign".into()).spawn(move || {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            sign::run(job, &data_dir, &mut |step| {
                let _ = tx.unbounded_send(step);
            });
        }));
        if outcome.is_err() {
            let _ = tx.unbounded_send(sign::Step::Done(Err(Text::new("gui-task-failed")), None));
        }
    });
    if spawned.is_err() {
        let _ = fallback.unbounded_send(sign::Step::Done(Err(Text::new("gui-task-failed")), None));
    }
    drop(fallback);
    rx
}

/// Scans for tokens, then lists their certificates (no PIN: certificates
/// are public objects), on a thread of its own: PKCS#11 calls block (and
/// may hang in a bad driver), so they never run on the UI or executor
/// threads. `None` if the scan panicked or no thread could be started.
async fn scan_in_background(modules: Vec<PathBuf>) -> Option<(Vec<ModuleReport>, Vec<kyso_token::CertEntry>)> {
    blocking("kyso-token-scan", move || {
        let candidates = kyso_token::candidate_modules(&[], &modules);
        let report = kyso_token::scan(&candidates);
        let certs = sign::load_certificates(&modules).map(|l| l.into_iter().map(|c| c.entry).collect());
        (report, certs.unwrap_or_default())
    })
    .await
}

#[cfg(test)]
mod first_run;
#[cfg(test)]
mod flows;

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
        let (mut app, _task) = App::new(None, Lang::default(), Config::default(), PathBuf::from("/nonexistent"));
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
    fn a_file_argument_asks_unless_a_choice_was_remembered() {
        let (app, _task) =
            App::new(Some("hop-dong.pdf".into()), Lang::default(), Config::default(), PathBuf::from("/nonexistent"));
        assert_eq!(app.tab, Tab::Home);
        assert_eq!(app.home.asking(), Some(Path::new("hop-dong.pdf")));
        assert!(!app.verify.is_running());
        let remembered = Config { open_with: Some(OpenAction::Verify), ..Config::default() };
        let dir = tempfile::tempdir().unwrap();
        let (app, _task) = App::new(Some("hop-dong.pdf".into()), Lang::default(), remembered, dir.path().into());
        assert_eq!(app.tab, Tab::Verify);
        assert!(app.verify.is_running());
        assert_eq!(app.verify.path(), "hop-dong.pdf");
        let (app, _task) = App::new(None, Lang::default(), Config::default(), PathBuf::from("/nonexistent"));
        assert_eq!(app.tab, Tab::Home);
        assert!(app.home.asking().is_none() && !app.verify.is_running());
    }

    #[test]
    fn the_window_fits_the_screen() {
        // 1024×768 and 1366×768 screens: never larger than the screen less
        // room for a taskbar and a title bar.
        for (w, h) in [(1024.0, 768.0), (1366.0, 768.0), (1280.0, 720.0)] {
            let s = fitting_size(Size::new(w, h), None);
            assert!(s.width <= w - SCREEN_MARGIN.width && s.height <= h - SCREEN_MARGIN.height, "{s:?} on {w}×{h}");
            assert!(s.width >= MIN_SIZE.width && s.height >= MIN_SIZE.height, "{s:?}");
        }
        assert_eq!(fitting_size(Size::new(1920.0, 1080.0), None), PREFERRED_SIZE);
        // A kept size is restored when it fits, shrunk when it does not.
        assert_eq!(fitting_size(Size::new(1920.0, 1080.0), Some([1500, 900])), Size::new(1500.0, 900.0));
        assert_eq!(fitting_size(Size::new(1024.0, 768.0), Some([1500, 900])), Size::new(1000.0, 680.0));
        // A kept place is used when the window lies wholly on the screen.
        let (screen, size) = (Size::new(1366.0, 768.0), Size::new(1180.0, 680.0));
        assert_eq!(fitting_position(screen, size, Some([100, 40])), iced::Point::new(100.0, 40.0));
        assert_eq!(fitting_position(screen, size, Some([400, 40])), iced::Point::new(93.0, 44.0));
        assert_eq!(fitting_position(screen, size, Some([-5, 0])), iced::Point::new(93.0, 44.0));
        assert_eq!(fitting_position(screen, size, None), iced::Point::new(93.0, 44.0));
        let opening = OPENING_SIZE;
        assert!(opening.width <= 1024.0 - SCREEN_MARGIN.width && opening.height <= 768.0 - SCREEN_MARGIN.height);
    }

    #[test]
    fn dropped_files_go_to_the_current_screen() {
        let (mut app, _task) = App::new(None, Lang::En, Config::default(), PathBuf::from("/nonexistent"));
        let _ = app.update(Message::Tab(Tab::Sign));
        assert!(app.sign.is_busy(), "the certificate list is loading");
        // Token rescans pause while the signing screen uses the token.
        let _ = app.update(Message::Tokens(tokens::Message::ScanFinished(Some(report()))));
        let _ = app.update(Message::Tokens(tokens::Message::Tick));
        assert!(!app.tokens.is_scanning());
        let _ = app.update(Message::FileDropped("/tmp/a.pdf".into()));
        assert_eq!(app.sign.output(), "/tmp/a.signed.pdf");
        assert!(!app.verify.is_running());
        let _ = app.update(Message::Tab(Tab::Tokens));
        let _ = app.update(Message::FileDropped("/tmp/b.pdf".into()));
        assert_eq!(app.tab, Tab::Verify);
        assert_eq!(app.verify.path(), "/tmp/b.pdf");
        let _ = app.view();
    }

    #[test]
    fn a_chosen_module_is_kept_in_the_settings_and_scanned() {
        let dir = tempfile::tempdir().unwrap();
        let (mut app, _task) = App::new(None, Lang::Vi, Config::default(), dir.path().to_owned());
        let _ = app.update(Message::Tokens(tokens::Message::ScanFinished(Some(Vec::new()))));
        assert!(!app.tokens.is_scanning());
        let _ = app.update(Message::Tokens(tokens::Message::ModulePicked(Some("/opt/bit4id/libbit4xpki.so".into()))));
        assert_eq!(app.config.modules, [PathBuf::from("/opt/bit4id/libbit4xpki.so")]);
        assert!(app.tokens.is_scanning(), "a scan with the new module started");
        // Cancelling the dialog changes nothing.
        let _ = app.update(Message::Tokens(tokens::Message::ModulePicked(None)));
        assert_eq!(app.config.modules.len(), 1);
        let _ = app.view();
    }

    #[test]
    fn keys_switch_screens_and_escape_closes_the_pin_dialog() {
        use iced::keyboard::{Event, Key, Location, Modifiers, key};
        let press = |key: Key, modifiers: Modifiers| Event::KeyPressed {
            key: key.clone(),
            modified_key: key,
            physical_key: key::Physical::Unidentified(key::NativeCode::Unidentified),
            location: Location::Standard,
            modifiers,
            text: None,
            repeat: false,
        };
        let (mut app, _task) = App::new(None, Lang::Vi, Config::default(), PathBuf::from("/nonexistent"));
        let _ = app.update(Message::Key(press(Key::Character("3".into()), Modifiers::CTRL)));
        assert_eq!(app.tab, Tab::Sign);
        let _ = app.update(Message::Key(press(Key::Character("6".into()), Modifiers::CTRL)));
        assert_eq!(app.tab, Tab::Settings);
        let _ = app.update(Message::Key(press(Key::Character("9".into()), Modifiers::CTRL)));
        assert_eq!(app.tab, Tab::Settings);
        // Tab moves the focus (a widget operation, not a message).
        let _ = app.update(Message::Key(press(Key::Named(key::Named::Tab), Modifiers::SHIFT)));
        // Escape closes the PIN dialog and wipes what was typed.
        let _ = app.update(Message::Key(press(Key::Character("3".into()), Modifiers::CTRL)));
        let choice = crate::screen::sign::tests::choice("Good", kyso_token::PinState::default(), vec![]);
        let _ =
            app.update(Message::Sign(sign::Message::Certificate(sign::certificate::Message::Loaded(Some(Ok(vec![
                choice,
            ]))))));
        let _ =
            app.update(Message::Sign(sign::Message::Files(sign::files::Message::InputChanged("/tmp/a.pdf".into()))));
        let _ = app.update(Message::Sign(sign::Message::Sign));
        // The check before the PIN (run by the task just returned) found nothing.
        let _ = app.update(Message::Sign(sign::Message::Checked(1, Some(Vec::new()))));
        assert!(app.sign.pin_dialog_open(), "{:?}", app.sign.result());
        let _ = app.update(Message::Sign(sign::Message::Pin(crate::modal::pin::Message::Changed(sign::Secret::new(
            "12".into(),
        )))));
        let _ = app.update(Message::Key(press(Key::Named(key::Named::Escape), Modifiers::empty())));
        assert!(!app.sign.pin_dialog_open() && !app.sign.holds_pin());
    }

    #[test]
    fn language_toggle_switches_the_translator() {
        let (mut app, _task) =
            App::new(Some("hop-dong.pdf".into()), Lang::default(), Config::default(), PathBuf::from("/nonexistent"));
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
        for tab in Tab::ALL {
            let _ = app.update(Message::Tab(tab));
            let _ = app.view();
            assert!(app.translator.has(tab.key()));
        }
    }
}
