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

/// The widget id of the PIN field of the confirmation card.
pub const PIN_ID: &str = "kyso-bridge-pin";

/// The size the first page is drawn at on the card.
const PREVIEW_BOX: (u32, u32) = (300, 420);

/// An origin as the bridge compares them (`https://host[:port]`, lower
/// case, no trailing slash).
pub fn normalize(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}

/// The way back to a bridge thread waiting for the person: answered once;
/// dropped unanswered (the bridge switched off, the app closed), the
/// thread takes it as a refusal.
pub struct Reply<T>(Arc<Mutex<Option<mpsc::Sender<T>>>>);

impl<T> Clone for Reply<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T> std::fmt::Debug for Reply<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reply")
    }
}

impl<T> Reply<T> {
    /// A reply and the receiver its thread waits on.
    pub fn channel() -> (Self, mpsc::Receiver<T>) {
        let (tx, rx) = mpsc::channel();
        (Self(Arc::new(Mutex::new(Some(tx)))), rx)
    }

    /// Answers (only the first answer counts).
    pub fn send(&self, value: T) {
        if let Some(tx) = self.0.lock().unwrap_or_else(PoisonError::into_inner).take() {
            let _ = tx.send(value);
        }
    }
}

/// Typed PIN text: wiped on drop, never printed by `Debug`.
#[derive(Clone, Default)]
pub struct Typed(pub Zeroizing<String>);

impl std::fmt::Debug for Typed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Typed(***)")
    }
}

/// What the confirmation card shows: the [`Review`] of the bridge, owned.
#[derive(Debug)]
pub struct Card {
    /// The page's origin.
    pub origin: String,
    /// The endpoint called.
    pub endpoint: Endpoint,
    /// The host the file came from.
    pub source_host: String,
    /// The host the signed file goes to.
    pub upload_host: String,
    /// The document's file name.
    pub file: String,
    /// The role preset.
    pub role: Option<kyso_core::Role>,
    /// The number to write (SignIssued, SignAppendix).
    pub doc_number: Option<String>,
    /// The date line to write (SignIssued).
    pub issued_date: Option<String>,
    /// The signer (subject common name, else the subject).
    pub signer: Option<String>,
    /// The signer's organisation.
    pub organization: Option<String>,
    /// The certificate's issuer and serial.
    pub issuer: Option<(String, String)>,
    /// What the page says about the document.
    pub metadata: Vec<(String, String)>,
    /// A page of the document (a PDF that renders) with the boxes of the
    /// proposed placement drawn on it: page 1 when the clerk's number or
    /// date goes there, else the page of the signature.
    pub preview: Option<image::Handle>,
    /// The boxes drawn on the preview.
    pub marks: Vec<Mark>,
}

/// A box of the proposed placement, drawn in its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// The signature (and seal).
    Signature,
    /// The document number (SignIssued, SignAppendix).
    Number,
    /// The date line (SignIssued).
    Date,
}

impl Mark {
    fn colour(self) -> [u8; 3] {
        match self {
            Self::Signature => [0x1d, 0x4e, 0xd8],
            Self::Number => [0xc6, 0x28, 0x28],
            Self::Date => [0x1b, 0x7f, 0x3b],
        }
    }

    fn key(self) -> &'static str {
        match self {
            Self::Signature => "gui-bridge-card-mark-signature",
            Self::Number => "gui-bridge-card-mark-number",
            Self::Date => "gui-bridge-card-mark-date",
        }
    }
}

/// The signature and seal images the service signs with.
pub type Images = (Option<PathBuf>, Option<PathBuf>);

impl Card {
    /// The card of `r` (signed with `images`); the page is drawn here (on
    /// the bridge's thread, never the UI's).
    pub fn from_review(r: &Review<'_>, images: &Images) -> Self {
        let c = r.certificate;
        let (preview, marks) = preview(r, images).unzip();
        Self {
            origin: r.origin.to_owned(),
            endpoint: r.endpoint,
            source_host: r.source_host.to_owned(),
            upload_host: r.upload_host.to_owned(),
            file: r.document.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            role: r.role,
            doc_number: r.doc_number.map(str::to_owned),
            issued_date: r.issued_date.map(str::to_owned),
            signer: c.map(|c| c.subject_cn.clone().unwrap_or_else(|| c.subject.clone())),
            organization: c.and_then(|c| c.organization.clone()),
            issuer: c.map(|c| (c.issuer_cn.clone().unwrap_or_else(|| c.issuer.clone()), c.serial.clone())),
            metadata: r.metadata.to_vec(),
            preview,
            marks: marks.unwrap_or_default(),
        }
    }
}

/// The boxes the role's preset proposes for `r` (NĐ 30/2020 Phụ lục I:
/// the signature, and for the clerk the number and date blanks of page 1),
/// the same placement kyso-core will make.
fn proposed(r: &Review<'_>, images: &Images) -> Vec<(Mark, usize, [f64; 4])> {
    use kyso_core::Role;
    let Some(role) = r.role else { return Vec::new() };
    let read = |p: &Option<PathBuf>| p.as_ref().and_then(|p| std::fs::read(p).ok());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    let spec = kyso_pdf::presets::PresetInput {
        role,
        page: None,
        rect: None,
        anchor: None,
        image: if role == Role::Approver { read(&images.0) } else { None },
        seal: if role == Role::Issuer { read(&images.1) } else { None },
        seal_mm: kyso_core::Look::default().seal_mm,
        number: r.doc_number.filter(|_| matches!(role, Role::Issuer | Role::Appendix)).map(str::to_owned),
        number_rect: None,
        date: r.issued_date.filter(|_| role == Role::Issuer).map(str::to_owned),
        date_rect: None,
        copy_form: None,
        organization: r.certificate.and_then(|c| c.organization.clone()),
        time: now,
    };
    let Ok(reader) = kyso_pdf::PdfReader::open(r.document) else { return Vec::new() };
    let Ok(placed) = kyso_pdf::presets::prepare(&reader, &spec) else { return Vec::new() };
    let mut out = vec![(Mark::Signature, placed.page, placed.appearance.rect)];
    for w in &placed.written {
        out.push((if w.what == "number" { Mark::Number } else { Mark::Date }, w.page, w.rect));
    }
    out
}

/// The page of the document the card shows, with the proposed boxes drawn
/// on it, when it is a PDF that renders.
fn preview(r: &Review<'_>, images: &Images) -> Option<(image::Handle, Vec<Mark>)> {
    let bytes = std::fs::read(r.document).ok()?;
    if !bytes.starts_with(b"%PDF-") {
        return None;
    }
    let boxes = proposed(r, images);
    let page = if boxes.iter().any(|b| b.0 != Mark::Signature) { 1 } else { boxes.first().map_or(1, |b| b.1) };
    let mut img = kyso_preview::render_page(&bytes, page, PREVIEW_BOX.0, PREVIEW_BOX.1).ok()?;
    let mut marks = Vec::new();
    for (mark, _, rect) in boxes.into_iter().filter(|b| b.1 == page) {
        let px = img.rect_to_pixels(rect);
        outline(&mut img, px, mark.colour());
        if !marks.contains(&mark) {
            marks.push(mark);
        }
    }
    Some((image::Handle::from_rgba(img.width, img.height, img.rgba), marks))
}

/// Draws the outline (2 pixels wide) of the box `(x, y, w, h)` in pixels,
/// clipped to the picture.
fn outline(img: &mut kyso_preview::PageImage, (x, y, w, h): (f64, f64, f64, f64), rgb: [u8; 3]) {
    let (width, height) = (i64::from(img.width), i64::from(img.height));
    #[allow(clippy::cast_possible_truncation)]
    let px = |v: f64| if v.is_finite() { v.round() as i64 } else { 0 };
    let (x0, y0, x1, y1) = (px(x), px(y), px(x + w), px(y + h));
    for yy in y0.max(0)..=y1.min(height - 1) {
        for xx in x0.max(0)..=x1.min(width - 1) {
            let edge = xx - x0 < 2 || x1 - xx < 2 || yy - y0 < 2 || y1 - yy < 2;
            if !edge {
                continue;
            }
            let Ok(i) = usize::try_from((yy * width + xx) * 4) else { continue };
            if let Some(p) = img.rgba.get_mut(i..i + 4) {
                p.copy_from_slice(&[rgb[0], rgb[1], rgb[2], 0xff]);
            }
        }
    }
}

/// What the bridge tells or asks the app.
#[derive(Debug, Clone)]
pub enum Question {
    /// First request from `origin`: may it use the bridge?
    Trust {
        /// The page's origin.
        origin: String,
        /// The answer.
        reply: Reply<bool>,
    },
    /// Sign what the card shows? `Some(PIN)`: sign; `None`: decline.
    Confirm {
        /// What the person is shown.
        card: Arc<Card>,
        /// The answer.
        reply: Reply<Option<Zeroizing<String>>>,
    },
    /// `GetCertInfo`: may `origin` learn the certificate's name and
    /// organisation?
    Share {
        /// The page's origin.
        origin: String,
        /// The certificate's holder.
        subject: String,
        /// The answer.
        reply: Reply<bool>,
    },
    /// The page sent no file (`FileName` empty): the person picks one on
    /// this machine, or none.
    PickFile {
        /// The page's origin.
        origin: String,
        /// The file, or `None`.
        reply: Reply<Option<PathBuf>>,
    },
    /// Requests received and not answered yet.
    Waiting(usize),
    /// The token refused the PIN (`pin_incorrect`, `pin_locked`, …).
    PinRejected(String),
    /// A page had a document verified.
    Verified {
        /// The page's origin.
        origin: String,
        /// Signatures found.
        signatures: usize,
        /// Every one of them valid (ETSI EN 319 102-1 TOTAL_PASSED).
        passed: bool,
    },
}

/// The desktop app's [`Approver`]: forwards each question to the app and
/// waits for the answer. The origins the person allowed (kept in the
/// settings) are not asked again.
pub struct GuiApprover {
    to_app: UnboundedSender<Question>,
    trusted: Arc<RwLock<Vec<String>>>,
    images: Images,
}

impl GuiApprover {
    /// Questions go to `to_app`; `trusted` are the origins allowed;
    /// `images` the ones the service signs with (for the card's boxes).
    pub fn new(to_app: UnboundedSender<Question>, trusted: Arc<RwLock<Vec<String>>>, images: Images) -> Self {
        Self { to_app, trusted, images }
    }

    /// Sends a question and waits for its answer; `None` when the app is
    /// gone or dropped the question.
    fn ask<T>(&self, question: impl FnOnce(Reply<T>) -> Question) -> Option<T> {
        let (reply, answer) = Reply::channel();
        self.to_app.unbounded_send(question(reply)).ok()?;
        answer.recv().ok()
    }

    fn tell(&self, q: Question) {
        let _ = self.to_app.unbounded_send(q);
    }
}

impl Approver for GuiApprover {
    fn trust_origin(&self, origin: &str) -> bool {
        let origin = normalize(origin);
        if self.trusted.read().unwrap_or_else(PoisonError::into_inner).contains(&origin) {
            return true;
        }
        self.ask(|reply| Question::Trust { origin, reply }).unwrap_or(false)
    }

    fn confirm(&self, review: &Review<'_>) -> Answer {
        let card = Arc::new(Card::from_review(review, &self.images));
        match self.ask(|reply| Question::Confirm { card, reply }) {
            Some(Some(pin)) => Answer::Sign(pin),
            _ => Answer::Decline,
        }
    }

    fn share_certificate(&self, origin: &str, c: &kyso_pki::CertInfo) -> bool {
        let subject = c.subject_cn.clone().unwrap_or_else(|| c.subject.clone());
        self.ask(|reply| Question::Share { origin: normalize(origin), subject, reply }).unwrap_or(false)
    }

    fn pick_local_file(&self, origin: &str) -> Option<PathBuf> {
        self.ask(|reply| Question::PickFile { origin: normalize(origin), reply }).flatten()
    }

    fn show_verification(&self, origin: &str, report: &kyso_core::DocumentReport) {
        self.tell(Question::Verified {
            origin: normalize(origin),
            signatures: report.signatures.len(),
            passed: report.indication == kyso_pki::report::Indication::TotalPassed,
        });
    }

    fn queue_changed(&self, waiting: usize) {
        self.tell(Question::Waiting(waiting));
    }

    fn pin_rejected(&self, code: &str) {
        self.tell(Question::PinRejected(code.to_owned()));
    }
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

    /// Kyso's own confirmation: who asks, where the file comes from and
    /// goes, what is written, who signs; the first page; the PIN.
    fn card<'a>(&'a self, t: &Translator, c: &'a Card) -> Element<'a, Message> {
        let mut facts = column![
            text(t.tr_args("gui-bridge-card-title", &[("endpoint", c.endpoint.name())])).size(18).font(BOLD),
            text(t.tr_args("gui-bridge-card-origin", &[("origin", &c.origin)])).font(BOLD),
            if c.source_host.is_empty() {
                text(t.tr("gui-bridge-card-source-local"))
            } else {
                text(t.tr_args("gui-bridge-card-source", &[("host", &c.source_host)]))
            },
            text(t.tr_args("gui-bridge-card-upload", &[("host", &c.upload_host)])),
            text(t.tr_args("gui-bridge-card-file", &[("name", &c.file)])),
        ]
        .spacing(6);
        facts = facts.push(match c.role {
            Some(role) => text(t.tr_args("gui-bridge-card-role", &[("role", &t.tr(role_key(role)))])),
            None => text(t.tr("gui-bridge-card-role-none")),
        });
        if let Some(n) = &c.doc_number {
            facts = facts.push(text(t.tr_args("gui-bridge-card-number", &[("number", n)])).font(BOLD));
        }
        if let Some(d) = &c.issued_date {
            facts = facts.push(text(t.tr_args("gui-bridge-card-date", &[("date", d)])).font(BOLD));
        }
        match &c.signer {
            Some(s) => {
                let who = match &c.organization {
                    Some(o) if !o.is_empty() && o != s => format!("{s} — {o}"),
                    _ => s.clone(),
                };
                facts = facts.push(text(t.tr_args("gui-bridge-card-certificate", &[("subject", &who)])));
            }
            None => facts = facts.push(text(t.tr("gui-bridge-card-no-certificate")).style(theme::text_warning)),
        }
        if let Some((issuer, serial)) = &c.issuer {
            facts = facts.push(
                text(t.tr_args("gui-bridge-card-issuer", &[("issuer", issuer), ("serial", serial)]))
                    .size(13)
                    .style(theme::text_muted),
            );
        }
        for (k, v) in &c.metadata {
            facts = facts.push(text(format!("{k}: {v}")).size(13).style(theme::text_muted));
        }
        facts = facts
            .push(text(t.tr("gui-bridge-pin")))
            .push(
                text_input(&t.tr("gui-pin-placeholder"), &self.pin)
                    .secure(true)
                    .id(PIN_ID)
                    .on_input(|s| Message::Pin(Typed(Zeroizing::new(s))))
                    .on_submit(Message::Sign),
            )
            .push(
                row![
                    button(text(t.tr("gui-bridge-sign")))
                        .style(button::success)
                        .on_press_maybe((!self.pin.is_empty()).then_some(Message::Sign)),
                    button(text(t.tr("gui-bridge-decline"))).style(button::danger).on_press(Message::Decline),
                ]
                .spacing(12),
            );
        let preview: Element<'a, Message> = match &c.preview {
            Some(h) => {
                let mut side = column![container(image(h.clone())).style(container::bordered_box)].spacing(4);
                for m in &c.marks {
                    let [r, g, b] = m.colour();
                    side = side.push(text(t.tr(m.key())).size(12).color(iced::Color::from_rgb8(r, g, b)));
                }
                side.into()
            }
            None => text(t.tr("gui-bridge-card-no-preview")).size(13).style(theme::text_muted).into(),
        };
        row![facts.width(Fill), preview].spacing(16).into()
    }
}

fn role_key(role: kyso_core::Role) -> &'static str {
    match role {
        kyso_core::Role::Approver => "role-name-approver",
        kyso_core::Role::Issuer => "role-name-issuer",
        kyso_core::Role::Appendix => "role-name-appendix",
        kyso_core::Role::Copy => "role-name-copy",
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
