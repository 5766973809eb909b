//! The desktop app's [`Approver`]: the bridge's questions, forwarded to the
//! app, and the channels their answers come back on.

use super::*;

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
