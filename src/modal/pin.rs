//! The PIN dialog. The PIN lives only in the dialog's field: confirming
//! moves it into a [`kyso_token::Pin`] (zeroized on drop) and clears the
//! field; cancelling wipes it. The dialog shows the token's PIN state
//! (PKCS#11 v3.0 §5.7.2 `CK_TOKEN_INFO` flags: locked, final try, count low)
//! so that a last attempt is never made unawares.

use iced::widget::{button, column, container, row, text, text_input};
use iced::{Element, Fill};
use kyso_i18n::Translator;
use kyso_token::TokenReport;
use zeroize::Zeroizing;

use crate::font::BOLD;
use crate::i18n::{Severity, pin_flags};
use crate::theme;

/// The widget id of the PIN field (focused when the dialog opens).
pub const PIN_ID: &str = "kyso-pin";

/// Typed secret text: wiped on drop, never printed by `Debug`.
#[derive(Clone, Default)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps typed text.
    pub fn new(s: String) -> Self {
        Self(Zeroizing::new(s))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// What the dialog's widgets emit.
#[derive(Debug, Clone)]
pub enum Message {
    /// The PIN field changed.
    Changed(Secret),
    /// The user confirmed the PIN.
    Confirm,
    /// The user closed the dialog.
    Cancel,
}

/// What the dialog tells its parent.
#[derive(Debug)]
pub enum Event {
    /// The PIN typed (the field is wiped).
    Confirmed(kyso_token::Pin),
    /// The dialog was closed without a PIN.
    Cancelled,
}

/// The open dialog: the typed PIN.
#[derive(Debug, Default)]
pub struct Dialog {
    pin: Secret,
}

impl Dialog {
    /// Whether any PIN text is held.
    pub fn holds_pin(&self) -> bool {
        !self.pin.0.is_empty()
    }

    /// Handles a message of the dialog.
    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Changed(secret) => {
                // `Zeroizing` wipes the old text as it is replaced.
                self.pin = secret;
                None
            }
            Message::Confirm => {
                let pin = kyso_token::Pin::new(std::mem::take(&mut *self.pin.0));
                self.pin = Secret::default();
                Some(Event::Confirmed(pin))
            }
            Message::Cancel => {
                self.pin = Secret::default();
                Some(Event::Cancelled)
            }
        }
    }

    /// The dialog for the certificate of `subject` on `token`, with the
    /// notes of the check before the PIN (what will happen to the files).
    pub fn view<'a>(
        &'a self,
        t: &Translator,
        token: &TokenReport,
        subject: String,
        notes: Vec<String>,
    ) -> Element<'a, Message> {
        let mut col =
            column![text(t.tr_args("gui-pin-for", &[("token", &token.label)])).size(20).font(BOLD), text(subject)]
                .spacing(10);
        for (key, severity) in pin_flags(&token.pin) {
            let line = text(t.tr(key));
            col = col.push(match severity {
                Severity::Normal => line,
                Severity::Warning => line.style(theme::text_warning),
                Severity::Critical => line.size(18).font(BOLD).style(theme::text_danger),
            });
        }
        for n in notes {
            col = col.push(text(n).size(13).style(theme::text_muted));
        }
        let locked = token.pin.locked;
        let mut input = text_input(&t.tr("gui-pin-placeholder"), &self.pin.0).secure(true).id(PIN_ID);
        if !locked {
            input = input.on_input(|s| Message::Changed(Secret::new(s))).on_submit(Message::Confirm);
        }
        col = col.push(input).push(text(t.tr("gui-pin-no-retry")).size(13));
        col = col.push(
            row![
                button(text(t.tr("gui-pin-sign")))
                    .style(button::success)
                    .on_press_maybe((!locked && self.holds_pin()).then_some(Message::Confirm)),
                button(text(t.tr("gui-cancel"))).style(button::secondary).on_press(Message::Cancel),
            ]
            .spacing(12),
        );
        container(container(col).padding(20).max_width(520).style(container::bordered_box))
            .center_x(Fill)
            .padding(20)
            .into()
    }
}
