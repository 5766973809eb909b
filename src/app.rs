//! The application: state, messages, and the wiring of screens to tasks and
//! subscriptions.

use std::path::PathBuf;
use std::time::Duration;

use iced::futures::channel::oneshot;
use iced::widget::{button, column, container, row, rule, space, text};
use iced::{Element, Fill, Subscription, Task};
use kyso_i18n::{Lang, Translator};
use kyso_token::ModuleReport;

use crate::Args;
use crate::i18n::Text;
use crate::screen::journal::{self, Journal};
use crate::screen::settings::{self, Config, Settings, ThemeChoice};
use crate::screen::sign::{self, Sign};
use crate::screen::tokens::{self, Tokens};
use crate::screen::verify::{self, Verify};

/// The interface's font (see [`crate::font`]).
pub use crate::font::REGULAR as FONT;

/// How often the token list is refreshed.
const RESCAN_EVERY: Duration = Duration::from_secs(2);

/// Runs the application.
pub fn run(args: Args, lang: Option<Lang>) -> iced::Result {
    let file = args.file;
    let data_dir = kyso_core::data_dir();
    let config = Config::load(&Config::path(&data_dir));
    // KYSO_LANG (given as `lang`) wins over the saved setting.
    let lang = lang.unwrap_or_else(|| config.language());
    iced::application(move || App::new(file.clone(), lang, config.clone(), data_dir.clone()), App::update, App::view)
        .title(App::title)
        .theme(App::theme)
        .subscription(App::subscription)
        .font(crate::font::FILES[0])
        .font(crate::font::FILES[1])
        .default_font(FONT)
        .window_size((1180.0, 720.0))
        .centered()
        .run()
}

/// The screens of the navigation bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
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
}

impl Tab {
    const ALL: [Self; 5] = [Self::Verify, Self::Sign, Self::Tokens, Self::Journal, Self::Settings];

    fn key(self) -> &'static str {
        match self {
            Self::Tokens => "gui-tab-tokens",
            Self::Verify => "gui-tab-verify",
            Self::Sign => "gui-tab-sign",
            Self::Journal => "gui-tab-journal",
            Self::Settings => "gui-tab-settings",
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
    /// A key no widget took (keyboard navigation).
    Key(iced::keyboard::Event),
}

/// Application state.
#[derive(Debug)]
pub struct App {
    translator: Translator,
    tab: Tab,
    tokens: Tokens,
    verify: Verify,
    sign: Sign,
    journal: Journal,
    settings: Settings,
    /// The settings in force.
    config: Config,
    /// Journal, settings, trust store and caches (`KYSO_DATA_DIR` or the
    /// platform's data directory; a test's own directory in tests).
    data_dir: PathBuf,
}

impl App {
    /// The initial state, the first token scan and, with a file given, its
    /// verification.
    pub fn new(file: Option<PathBuf>, lang: Lang, config: Config, data_dir: PathBuf) -> (Self, Task<Message>) {
        let mut sign = Sign::default();
        sign.configure(&config);
        let mut app = Self {
            translator: Translator::new(lang),
            tab: Tab::Tokens,
            tokens: Tokens::default(),
            verify: Verify::default(),
            sign,
            journal: Journal::default(),
            settings: Settings::new(Config { lang: lang.code().into(), ..config.clone() }, &data_dir),
            config,
            data_dir,
        };
        let mut tasks = Vec::new();
        if let Some(event) = app.tokens.start_scan() {
            tasks.push(app.handle_tokens_event(event));
        }
        if let Some(file) = file {
            app.tab = Tab::Verify;
            tasks.push(app.update(Message::Verify(verify::Message::Open(file))));
        }
        (app, Task::batch(tasks))
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

    /// Puts settings in force (language, theme, TSA, modules).
    fn apply(&mut self, config: Config) {
        let lang = config.language();
        if lang != self.translator.lang() {
            self.translator = Translator::new(lang);
        }
        self.sign.configure(&config);
        self.config = config;
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::Language(lang) => {
                if lang != self.translator.lang() {
                    self.translator = Translator::new(lang);
                }
                self.config.lang = lang.code().into();
                let _ = self.settings.update(settings::Message::Language(lang));
                Task::none()
            }
            Message::Tab(tab) => {
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
            Message::FileDropped(path) => {
                if self.tab == Tab::Sign {
                    self.update(Message::Sign(sign::Message::Files(sign::files::Message::Open(path))))
                } else {
                    self.tab = Tab::Verify;
                    self.update(Message::Verify(verify::Message::Open(path)))
                }
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
                Some(verify::Event::PickFile) => {
                    let title = self.translator.tr("gui-browse-verify");
                    let filter = self.translator.tr("gui-browse-documents");
                    Task::perform(pick_file(title, filter, DOCUMENT_EXTENSIONS), |file| {
                        Message::Verify(verify::Message::Picked(file))
                    })
                }
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
                Some(sign::Event::PickFiles) => {
                    let title = self.translator.tr("gui-browse-title");
                    let filter = self.translator.tr("gui-browse-documents");
                    Task::perform(pick_files(title, filter, DOCUMENT_EXTENSIONS), |files| {
                        Message::Sign(sign::Message::Files(sign::files::Message::Picked(files)))
                    })
                }
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
                Some(sign::Event::PickImage(field)) => {
                    let title = self.translator.tr("gui-browse-image");
                    Task::perform(pick_file(title, "PNG".into(), &["png"]), move |file| {
                        Message::Sign(sign::Message::Role(sign::role::Message::PickedImage(field, file)))
                    })
                }
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
                    let data_dir = self.data_dir.clone();
                    Task::perform(blocking("kyso-export", move || journal::export(&data_dir, format, &records)), |r| {
                        Message::Journal(journal::Message::Exported(
                            r.unwrap_or_else(|| Err(Text::new("gui-task-failed"))),
                        ))
                    })
                }
                None => Task::none(),
            },
        }
    }

    /// Keyboard navigation: Tab and Shift+Tab move between fields and
    /// buttons, Escape closes the PIN dialog, Ctrl+1…5 switch screens.
    fn key(&mut self, event: iced::keyboard::Event) -> Task<Message> {
        use iced::keyboard::{Event, Key, key::Named};
        let Event::KeyPressed { key, modifiers, .. } = event else { return Task::none() };
        match key.as_ref() {
            Key::Named(Named::Tab) if modifiers.shift() => iced::widget::operation::focus_previous(),
            Key::Named(Named::Tab) => iced::widget::operation::focus_next(),
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

    fn handle_settings_event(&mut self, event: settings::Event) -> Task<Message> {
        match event {
            settings::Event::Apply(config) => {
                self.apply(config);
                Task::none()
            }
            settings::Event::Save(config) => {
                self.apply(config.clone());
                let path = Config::path(&self.data_dir);
                Task::perform(blocking("kyso-settings", move || config.save(&path)), |r| {
                    Message::Settings(settings::Message::Saved(r.unwrap_or_else(|| Err(Text::new("gui-task-failed")))))
                })
            }
            settings::Event::PickOutputDir => {
                let title = self.translator.tr("gui-settings-output-dir");
                Task::perform(
                    async move {
                        rfd::AsyncFileDialog::new().set_title(title).pick_folder().await.map(|d| d.path().to_owned())
                    },
                    |dir| Message::Settings(settings::Message::OutputDirPicked(dir)),
                )
            }
            settings::Event::ImportAnchors => {
                let title = self.translator.tr("gui-settings-import");
                let data_dir = self.data_dir.clone();
                Task::perform(
                    async move {
                        let files = pick_files(title, "PEM, DER, CRT".into(), &["pem", "crt", "cer", "der"]).await;
                        blocking("kyso-trust", move || settings::import_anchors(&data_dir, &files)).await
                    },
                    |r| {
                        Message::Settings(settings::Message::AnchorsImported(
                            r.unwrap_or_else(|| Err(Text::new("gui-task-failed"))),
                        ))
                    },
                )
            }
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
            tokens::Event::PickModule => {
                let title = self.translator.tr("gui-choose-module");
                Task::perform(pick_file(title, "PKCS#11".into(), &["so", "dll", "dylib"]), |path| {
                    Message::Tokens(tokens::Message::ModulePicked(path))
                })
            }
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
        let screen = match self.tab {
            Tab::Tokens => self.tokens.view(t).map(Message::Tokens),
            Tab::Verify => self.verify.view(t).map(Message::Verify),
            Tab::Sign => self.sign.view(t).map(Message::Sign),
            Tab::Journal => self.journal.view(t).map(Message::Journal),
            Tab::Settings => self.settings.view(t).map(Message::Settings),
        };
        let page = column![header, nav, rule::horizontal(1), screen].spacing(12);
        container(page).padding(20).width(Fill).height(Fill).into()
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

/// The system's file dialog for one file of the given kind (`None`:
/// cancelled). The dialog runs beside the UI, never blocking it.
async fn pick_file(title: String, kind: String, extensions: &'static [&'static str]) -> Option<PathBuf> {
    let dialog = rfd::AsyncFileDialog::new().set_title(title).add_filter(kind, extensions);
    dialog.pick_file().await.map(|f| f.path().to_owned())
}

/// The system's file dialog for several files of the given kind (none:
/// cancelled).
async fn pick_files(title: String, kind: String, extensions: &'static [&'static str]) -> Vec<PathBuf> {
    let dialog = rfd::AsyncFileDialog::new().set_title(title).add_filter(kind, extensions);
    dialog.pick_files().await.map(|files| files.iter().map(|f| f.path().to_owned()).collect()).unwrap_or_default()
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
    fn a_file_argument_opens_the_verify_screen_and_checks_it() {
        let (app, _task) =
            App::new(Some("hop-dong.pdf".into()), Lang::default(), Config::default(), PathBuf::from("/nonexistent"));
        assert_eq!(app.tab, Tab::Verify);
        assert!(app.verify.is_running());
        assert_eq!(app.verify.path(), "hop-dong.pdf");
        let (app, _task) = App::new(None, Lang::default(), Config::default(), PathBuf::from("/nonexistent"));
        assert_eq!(app.tab, Tab::Tokens);
        assert!(!app.verify.is_running());
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
        let _ = app.update(Message::Key(press(Key::Character("2".into()), Modifiers::CTRL)));
        assert_eq!(app.tab, Tab::Sign);
        let _ = app.update(Message::Key(press(Key::Character("5".into()), Modifiers::CTRL)));
        assert_eq!(app.tab, Tab::Settings);
        let _ = app.update(Message::Key(press(Key::Character("9".into()), Modifiers::CTRL)));
        assert_eq!(app.tab, Tab::Settings);
        // Tab moves the focus (a widget operation, not a message).
        let _ = app.update(Message::Key(press(Key::Named(key::Named::Tab), Modifiers::SHIFT)));
        // Escape closes the PIN dialog and wipes what was typed.
        let _ = app.update(Message::Key(press(Key::Character("2".into()), Modifiers::CTRL)));
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
