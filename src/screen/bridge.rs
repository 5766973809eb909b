//! "Ký từ hệ thống điện tử": the e-office bridge (crates/kyso-bridge, the
//! local `wss://127.0.0.1:8987` service that pages written for VGCA's
//! plugin call) inside the desktop app, with the person in control:
//!
//! - it runs only while the setting `bridge` is on (off until the person
//!   turns it on);
//! - [`GuiApprover`] is the bridge's [`Approver`]: each question of a
//!   bridge thread (trust this page? sign this? share the certificate?)
//!   is forwarded to the app through the subscription's channel and the
//!   thread waits for the person's answer on a reply channel;
//! - the screen shows the service's state, its address, the certificate's
//!   fingerprint, the pages allowed (revocable), the queue, and one
//!   question at a time: Kyso's own confirmation card (origin, the file's
//!   source and upload hosts, certificate, role, number and date, the
//!   first page) with the PIN.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock, mpsc};

use iced::futures::channel::mpsc::{UnboundedSender, unbounded};
use iced::futures::{SinkExt as _, Stream, StreamExt as _};
use iced::widget::{button, checkbox, column, container, image, row, scrollable, text, text_input};
use iced::{Element, Fill, Subscription};
use kyso_bridge::{Answer, Approver, BridgeConfig, Endpoint, Review};
use kyso_i18n::Translator;
use zeroize::Zeroizing;

use crate::font::BOLD;
use crate::screen::settings::Config;
use crate::theme;

mod approver;
mod card;

pub use self::approver::{GuiApprover, Question, Typed};
pub use self::card::{Card, Images};
#[cfg(test)]
use self::{approver::Reply, card::Mark};

/// The widget id of the PIN field of the confirmation card.
pub const PIN_ID: &str = "kyso-bridge-pin";

/// The size the first page is drawn at on the card.
const PREVIEW_BOX: (u32, u32) = (300, 420);

/// An origin as the bridge compares them (`https://host[:port]`, lower
/// case, no trailing slash).
pub fn normalize(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}

/// Messages of the screen.
#[derive(Debug, Clone)]
pub enum Message {
    /// The subscription's channel is ready: questions come through it.
    Connected(UnboundedSender<Question>),
    /// The bridge asks or tells something.
    Asked(Question),
    /// The answer to "may this page use Kyso?".
    Trust(bool),
    /// The answer to "may this page learn the certificate?".
    Share(bool),
    /// The PIN field changed.
    Pin(Typed),
    /// Sign with the PIN typed.
    Sign,
    /// Do not sign (or refuse what is asked).
    Decline,
    /// Open the file dialog for a page that sent no file.
    Browse,
    /// The file dialog ended.
    FilePicked(Option<PathBuf>),
    /// The switch.
    Enable(bool),
    /// Take back a page's permission.
    Revoke(String),
}

/// What the screen asks of the application (each a change of the
/// settings, kept at once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Turn the bridge on or off.
    Enable(bool),
    /// The person allowed this origin.
    Trusted(String),
    /// The person took back this origin's permission.
    Revoked(String),
    /// A question waits for the person: show this screen.
    Attention,
    /// Ask the system's dialog for a document to sign.
    PickFile,
}

/// A line about something that happened.
#[derive(Debug, Clone)]
enum Notice {
    PinRejected(String),
    Verified { origin: String, signatures: usize, passed: bool },
}

/// State of the screen and the running bridge.
pub struct Bridge {
    enabled: bool,
    port: u16,
    data_dir: PathBuf,
    modules: Vec<PathBuf>,
    proxy: Option<String>,
    /// The handwritten signature and the seal remembered in the settings.
    images: Images,
    trusted: Arc<RwLock<Vec<String>>>,
    to_app: Option<UnboundedSender<Question>>,
    handle: Option<kyso_bridge::Handle>,
    /// Why the service did not start.
    problem: Option<String>,
    /// The question shown, and the ones after it.
    current: Option<Question>,
    queue: VecDeque<Question>,
    waiting: usize,
    pin: Zeroizing<String>,
    notices: Vec<Notice>,
    /// Tests: changes to the service's configuration (the fixture token,
    /// the test e-office app's CA, loopback).
    #[cfg(test)]
    test_config: Option<TestConfig>,
}

/// Tests: a change to the service's configuration.
#[cfg(test)]
type TestConfig = Box<dyn Fn(&mut BridgeConfig)>;

impl std::fmt::Debug for Bridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bridge")
            .field("enabled", &self.enabled)
            .field("handle", &self.handle)
            .field("current", &self.current)
            .field("queue", &self.queue.len())
            .finish_non_exhaustive()
    }
}

impl Bridge {
    /// The screen for the settings `config` and the data directory (TLS
    /// identity, journal) `data_dir`; the service starts once the
    /// subscription is connected, if the setting is on.
    pub fn new(data_dir: &Path, config: &Config) -> Self {
        let mut b = Self {
            enabled: false,
            port: kyso_bridge::DEFAULT_PORT,
            data_dir: data_dir.to_owned(),
            modules: Vec::new(),
            proxy: None,
            images: (None, None),
            trusted: Arc::default(),
            to_app: None,
            handle: None,
            problem: None,
            current: None,
            queue: VecDeque::new(),
            waiting: 0,
            pin: Zeroizing::default(),
            notices: Vec::new(),
            #[cfg(test)]
            test_config: None,
        };
        b.configure(config);
        b
    }

    /// Tests: a free port, and `f` applied to the service's configuration.
    #[cfg(test)]
    pub fn for_test(mut self, f: impl Fn(&mut BridgeConfig) + 'static) -> Self {
        self.port = 0;
        self.test_config = Some(Box::new(f));
        self
    }

    /// The running service's address.
    #[cfg(test)]
    pub fn address(&self) -> Option<std::net::SocketAddr> {
        self.handle.as_ref().map(kyso_bridge::Handle::addr)
    }

    /// Follows the settings in force: starts or stops the service; an
    /// origin taken back restarts it (the service forgets the origins it
    /// was allowed while it ran).
    pub fn configure(&mut self, config: &Config) {
        let origins: Vec<String> = config.bridge_origins.iter().map(|o| normalize(o)).collect();
        let revoked = {
            let mut t = self.trusted.write().unwrap_or_else(PoisonError::into_inner);
            let revoked = t.iter().any(|o| !origins.contains(o));
            *t = origins;
            revoked
        };
        // The images remembered in the settings (per certificate; the
        // bridge signs with one certificate: the first remembered).
        let images = (
            config.images.values().find_map(|i| i.signature.clone()),
            config.images.values().find_map(|i| i.seal.clone()),
        );
        let changed = self.modules != config.modules || self.proxy != config.proxy() || self.images != images;
        self.modules = config.modules.clone();
        self.proxy = config.proxy();
        self.images = images;
        self.enabled = config.bridge;
        if !self.enabled {
            self.stop();
            self.to_app = None;
            self.problem = None;
        } else if self.handle.is_some() && (revoked || changed) {
            self.stop();
            self.start();
        } else if self.handle.is_none() {
            self.start();
        }
    }

    fn start(&mut self) {
        let Some(to_app) = self.to_app.clone().filter(|t| !t.is_closed()) else { return };
        let mut cfg = BridgeConfig::new(&self.data_dir);
        cfg.port = self.port;
        cfg.net.proxy = self.proxy.clone();
        cfg.signing.modules = self.modules.clone();
        cfg.signing.image = self.images.0.clone();
        cfg.signing.seal = self.images.1.clone();
        #[cfg(test)]
        if let Some(f) = &self.test_config {
            f(&mut cfg);
        }
        let images = (cfg.signing.image.clone(), cfg.signing.seal.clone());
        let approver = Arc::new(GuiApprover::new(to_app, self.trusted.clone(), images));
        match kyso_bridge::start(cfg, approver) {
            Ok(h) => {
                self.handle = Some(h);
                self.problem = None;
            }
            Err(e) => self.problem = Some(e.to_string()),
        }
    }

    /// Stops the service; the questions waiting are dropped (their threads
    /// answer the pages with a refusal).
    fn stop(&mut self) {
        if let Some(h) = self.handle.take() {
            h.stop();
        }
        self.current = None;
        self.queue.clear();
        self.waiting = 0;
        self.pin = Zeroizing::default();
    }

    /// Shows the next question.
    fn next(&mut self) {
        self.pin = Zeroizing::default();
        self.current = self.queue.pop_front();
    }

    /// The question shown.
    #[cfg(test)]
    pub fn current(&self) -> Option<&Question> {
        self.current.as_ref()
    }

    /// The channel questions come through, while the setting is on.
    pub fn subscription(&self) -> Subscription<Message> {
        if self.enabled { Subscription::run(listen) } else { Subscription::none() }
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            // A new channel (the subscription started again): a service
            // still holding the old one is restarted with it.
            Message::Connected(to_app) => {
                self.to_app = Some(to_app);
                if self.enabled {
                    self.stop();
                    self.start();
                }
                None
            }
            Message::Asked(q) => match q {
                Question::Waiting(n) => {
                    self.waiting = n;
                    None
                }
                Question::PinRejected(code) => {
                    self.notice(Notice::PinRejected(code));
                    None
                }
                Question::Verified { origin, signatures, passed } => {
                    self.notice(Notice::Verified { origin, signatures, passed });
                    Some(Event::Attention)
                }
                // Switched off meanwhile: dropped, the page is refused.
                _ if !self.enabled => None,
                q => {
                    if self.current.is_none() {
                        self.current = Some(q);
                    } else {
                        self.queue.push_back(q);
                    }
                    Some(Event::Attention)
                }
            },
            Message::Trust(yes) => match self.current.take() {
                Some(Question::Trust { origin, reply }) => {
                    if yes {
                        let mut t = self.trusted.write().unwrap_or_else(PoisonError::into_inner);
                        if !t.contains(&origin) {
                            t.push(origin.clone());
                        }
                    }
                    reply.send(yes);
                    self.next();
                    yes.then_some(Event::Trusted(origin))
                }
                other => {
                    self.current = other;
                    None
                }
            },
            Message::Share(yes) => {
                match self.current.take() {
                    Some(Question::Share { reply, .. }) => {
                        reply.send(yes);
                        self.next();
                    }
                    other => self.current = other,
                }
                None
            }
            Message::Pin(typed) => {
                self.pin = typed.0;
                None
            }
            Message::Sign => {
                match self.current.take() {
                    Some(Question::Confirm { reply, .. }) if !self.pin.is_empty() => {
                        reply.send(Some(std::mem::take(&mut self.pin)));
                        self.next();
                    }
                    other => self.current = other,
                }
                None
            }
            Message::Decline => {
                match self.current.take() {
                    Some(Question::Confirm { reply, .. }) => reply.send(None),
                    Some(Question::Trust { reply, .. } | Question::Share { reply, .. }) => reply.send(false),
                    Some(Question::PickFile { reply, .. }) => reply.send(None),
                    _ => {}
                }
                self.next();
                None
            }
            Message::Browse => matches!(self.current, Some(Question::PickFile { .. })).then_some(Event::PickFile),
            Message::FilePicked(file) => {
                match self.current.take() {
                    Some(Question::PickFile { reply, .. }) => {
                        reply.send(file);
                        self.next();
                    }
                    other => self.current = other,
                }
                None
            }
            Message::Enable(on) => Some(Event::Enable(on)),
            Message::Revoke(origin) => Some(Event::Revoked(origin)),
        }
    }

    fn notice(&mut self, n: Notice) {
        self.notices.push(n);
        if self.notices.len() > 5 {
            self.notices.remove(0);
        }
    }

    /// The screen.
    pub fn view<'a>(&'a self, t: &Translator) -> Element<'a, Message> {
        let mut col = column![
            text(t.tr("gui-bridge-title")).size(22).font(BOLD),
            text(t.tr("gui-bridge-intro")).size(14),
            checkbox(self.enabled).label(t.tr("gui-bridge-enable")).on_toggle(Message::Enable),
        ]
        .spacing(10);
        match (&self.handle, &self.problem) {
            (Some(h), _) => {
                let address = format!("https://{}/", h.addr());
                col = col
                    .push(text(t.tr_args("gui-bridge-running", &[("address", &address)])).style(theme::text_success))
                    .push(
                        text(t.tr_args("gui-bridge-fingerprint", &[("fingerprint", &h.identity().fingerprint())]))
                            .size(13),
                    )
                    .push(text(t.tr_args("gui-bridge-trust-hint", &[("address", &address)])).size(13));
            }
            (None, Some(p)) => {
                col = col.push(text(t.tr_args("gui-bridge-start-failed", &[("detail", p)])).style(theme::text_danger));
            }
            (None, None) => col = col.push(text(t.tr("gui-bridge-off")).style(theme::text_muted)),
        }
        if let Some(q) = &self.current {
            col = col.push(self.question(t, q));
        }
        let pending = self.handle.as_ref().map_or(0, kyso_bridge::Handle::pending).max(self.queue.len());
        if self.handle.is_some() {
            col = col.push(text(t.tr_args("gui-bridge-queue", &[("count", &pending.to_string())])).size(13));
        }
        for q in &self.queue {
            col = col.push(text(format!("• {}", queued_line(t, q))).size(13).style(theme::text_muted));
        }
        for n in &self.notices {
            col = col.push(match n {
                Notice::PinRejected(code) => {
                    text(t.tr_args("gui-bridge-pin-rejected", &[("code", code)])).style(theme::text_danger)
                }
                Notice::Verified { origin, signatures, passed } => text(t.tr_args(
                    if *passed { "gui-bridge-verified-ok" } else { "gui-bridge-verified-bad" },
                    &[("origin", origin), ("count", &signatures.to_string())],
                ))
                .style(if *passed { theme::text_success } else { theme::text_warning }),
            });
        }
        col = col.push(text(t.tr("gui-bridge-origins")).font(BOLD));
        let trusted = self.trusted.read().unwrap_or_else(PoisonError::into_inner).clone();
        if trusted.is_empty() {
            col = col.push(text(t.tr("gui-bridge-origins-none")).size(13).style(theme::text_muted));
        }
        for origin in trusted {
            col = col.push(
                row![
                    text(origin.clone()),
                    button(text(t.tr("gui-bridge-revoke")).size(13))
                        .style(button::secondary)
                        .on_press(Message::Revoke(origin)),
                ]
                .spacing(12)
                .align_y(iced::Center),
            );
        }
        scrollable(col.padding(4)).into()
    }

    fn question<'a>(&'a self, t: &Translator, q: &'a Question) -> Element<'a, Message> {
        let body: Element<'a, Message> = match q {
            Question::Trust { origin, .. } => column![
                text(t.tr_args("gui-bridge-trust-question", &[("origin", origin)])).size(18).font(BOLD),
                text(t.tr("gui-bridge-trust-note")).size(13),
                row![
                    button(text(t.tr("gui-bridge-trust-allow"))).style(button::success).on_press(Message::Trust(true)),
                    button(text(t.tr("gui-bridge-trust-deny"))).style(button::secondary).on_press(Message::Decline),
                ]
                .spacing(12),
            ]
            .spacing(10)
            .into(),
            Question::Share { origin, subject, .. } => column![
                text(t.tr_args("gui-bridge-share-question", &[("origin", origin), ("subject", subject)]))
                    .size(18)
                    .font(BOLD),
                row![
                    button(text(t.tr("gui-bridge-share-allow"))).style(button::success).on_press(Message::Share(true)),
                    button(text(t.tr("gui-bridge-share-deny"))).style(button::secondary).on_press(Message::Decline),
                ]
                .spacing(12),
            ]
            .spacing(10)
            .into(),
            Question::PickFile { origin, .. } => column![
                text(t.tr_args("gui-bridge-pick-question", &[("origin", origin)])).size(18).font(BOLD),
                row![
                    button(text(t.tr("gui-bridge-pick-browse"))).style(button::primary).on_press(Message::Browse),
                    button(text(t.tr("gui-bridge-decline"))).style(button::secondary).on_press(Message::Decline),
                ]
                .spacing(12),
            ]
            .spacing(10)
            .into(),
            Question::Confirm { card, .. } => self.card(t, card),
            _ => column![].into(),
        };
        container(body).padding(16).width(Fill).style(container::bordered_box).into()
    }
}

/// A waiting question in one line.
fn queued_line(t: &Translator, q: &Question) -> String {
    match q {
        Question::Trust { origin, .. } => t.tr_args("gui-bridge-queued-trust", &[("origin", origin)]),
        Question::Share { origin, .. } => t.tr_args("gui-bridge-queued-share", &[("origin", origin)]),
        Question::PickFile { origin, .. } => t.tr_args("gui-bridge-queued-pick", &[("origin", origin)]),
        Question::Confirm { card, .. } => {
            t.tr_args("gui-bridge-queued-sign", &[("origin", &card.origin), ("endpoint", card.endpoint.name())])
        }
        _ => String::new(),
    }
}

/// The subscription's stream: hands the app a sender for the bridge's
/// questions, then passes each one on.
fn listen() -> impl Stream<Item = Message> {
    iced::stream::channel(8, async |mut out: iced::futures::channel::mpsc::Sender<Message>| {
        let (to_app, mut questions) = unbounded();
        if out.send(Message::Connected(to_app)).await.is_err() {
            return;
        }
        while let Some(q) = questions.next().await {
            if out.send(Message::Asked(q)).await.is_err() {
                break;
            }
        }
    })
}

#[cfg(test)]
mod tests;
