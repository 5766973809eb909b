//! Translation helpers for the library types shown in the interface.

use kyso_i18n::{Localize, Message, Translator};
use kyso_pdf::presets::PresetError;
use kyso_token::{PinState, TokenError};

/// A message kept untranslated until it is shown, so that results computed
/// on a worker thread follow the language toggle (kyso-i18n's [`Message`],
/// which the CLI shares).
pub type Text = Message;

/// The date of an RFC 3339 time as people write it: 29/11/2026 in
/// Vietnamese, 2026-11-29 in English (the text itself when it is not one).
pub fn short_date(t: &Translator, rfc3339: &str) -> String {
    let date = rfc3339.get(..10).filter(|d| d.as_bytes().get(4) == Some(&b'-') && d.as_bytes().get(7) == Some(&b'-'));
    match (date, t.lang()) {
        (Some(d), kyso_i18n::Lang::Vi) => format!("{}/{}/{}", &d[8..10], &d[5..7], &d[..4]),
        (Some(d), _) => d.to_owned(),
        (None, _) => rfc3339.to_owned(),
    }
}

/// A token-layer error as a message.
pub fn token_error_message(err: &TokenError) -> Text {
    err.message()
}

/// A signing error of kyso-core as a message.
pub fn core_error_message(err: &kyso_core::Error) -> Text {
    err.message()
}

/// A signature-preset error as a message.
pub fn preset_error_message(err: &PresetError) -> Text {
    err.message()
}

/// The translated text of a token-layer error.
pub fn error_text(t: &Translator, err: &TokenError) -> String {
    err.localize(t)
}

/// How serious a PIN flag is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// Nothing to worry about.
    Normal,
    /// Worth a look.
    Warning,
    /// The user must see this before typing a PIN.
    Critical,
}

/// The message keys of a token's PIN flags, most serious first.
pub fn pin_flags(pin: &PinState) -> Vec<(&'static str, Severity)> {
    let mut out = Vec::new();
    if pin.locked {
        out.push(("pin-locked", Severity::Critical));
    }
    if pin.final_try {
        out.push(("pin-final-try", Severity::Critical));
    }
    if pin.count_low {
        out.push(("pin-count-low", Severity::Warning));
    }
    if pin.to_be_changed {
        out.push(("pin-to-be-changed", Severity::Warning));
    }
    if !pin.initialized {
        out.push(("pin-not-initialized", Severity::Warning));
    }
    if out.is_empty() {
        out.push(("pin-ok", Severity::Normal));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_the_local_way() {
        let vi = Translator::new(kyso_i18n::Lang::Vi);
        let en = Translator::new(kyso_i18n::Lang::En);
        assert_eq!(short_date(&vi, "2026-11-29T09:25:48Z"), "29/11/2026");
        assert_eq!(short_date(&en, "2026-11-29T09:25:48Z"), "2026-11-29");
        assert_eq!(short_date(&vi, "garbage"), "garbage");
        assert_eq!(short_date(&vi, "ngày 1"), "ngày 1");
    }
    use kyso_i18n::Lang;

    #[test]
    fn messages_render_in_both_languages() {
        let en = Translator::new(Lang::En);
        let wrong = token_error_message(&TokenError::PinIncorrect {
            state: PinState { final_try: true, ..Default::default() },
        });
        assert_eq!(wrong.key, "err-pin-incorrect");
        let s = wrong.render(&en);
        assert!(s.starts_with("Wrong PIN.") && s.len() > "Wrong PIN.".len(), "{s}");
        let s = error_text(&en, &TokenError::ModuleLoad { path: "/x.so".into(), reason: "bad ELF".into() });
        assert!(s.contains("/x.so") && s.contains("bad ELF"), "{s}");
    }

    #[test]
    fn locked_and_final_try_come_first() {
        let pin = PinState { initialized: true, count_low: true, final_try: true, ..Default::default() };
        let flags = pin_flags(&pin);
        assert_eq!(flags[0], ("pin-final-try", Severity::Critical));
        assert_eq!(flags[1].0, "pin-count-low");
        let ok = PinState { initialized: true, ..Default::default() };
        assert_eq!(pin_flags(&ok), vec![("pin-ok", Severity::Normal)]);
    }
}
