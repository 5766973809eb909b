//! Kyso's translations. The texts live in Fluent files under
//! `assets/i18n/<lang>/kyso.ftl` (translators never edit Rust); they are
//! compiled into the binary. Vietnamese is the default language.
//!
//! A test checks that both languages define exactly the same messages, so a
//! key used in the code exists in both.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

mod localize;
pub use localize::{Localize, Message, role_key};

const VI: &str = include_str!("../../../assets/i18n/vi/kyso.ftl");
const EN: &str = include_str!("../../../assets/i18n/en/kyso.ftl");

/// A user-interface language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Tiếng Việt (default).
    #[default]
    Vi,
    /// English.
    En,
}

impl Lang {
    /// Parses `vi`, `en`, `vi-VN`, `en_US.UTF-8`, …
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.to_ascii_lowercase();
        if s.starts_with("vi") {
            Some(Self::Vi)
        } else if s.starts_with("en") {
            Some(Self::En)
        } else {
            None
        }
    }

    /// The BCP 47 code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Vi => "vi",
            Self::En => "en",
        }
    }
}

/// Formats messages in one language.
pub struct Translator {
    lang: Lang,
    bundle: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for Translator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Translator").field("lang", &self.lang).finish()
    }
}

fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let (src, id) = match lang {
        Lang::Vi => (VI, unic_langid::langid!("vi")),
        Lang::En => (EN, unic_langid::langid!("en")),
    };
    let mut b = FluentBundle::new_concurrent(vec![id]);
    // No Unicode isolation marks: output goes to terminals and files too.
    b.set_use_isolating(false);
    let res = FluentResource::try_new(src.to_owned()).unwrap_or_else(|(res, _errors)| res);
    let _ = b.add_resource(res);
    b
}

impl Translator {
    /// A translator for `lang`.
    pub fn new(lang: Lang) -> Self {
        Self { lang, bundle: bundle(lang) }
    }

    /// The language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The message `key`, or the key itself when missing.
    pub fn tr(&self, key: &str) -> String {
        self.tr_args(key, &[])
    }

    /// The message `key` with named arguments.
    pub fn tr_args(&self, key: &str, args: &[(&str, &str)]) -> String {
        let Some(msg) = self.bundle.get_message(key) else { return key.to_owned() };
        let Some(pattern) = msg.value() else { return key.to_owned() };
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            fargs.set(*k, FluentValue::from(*v));
        }
        let mut errors = Vec::new();
        self.bundle.format_pattern(pattern, Some(&fargs), &mut errors).into_owned()
    }

    /// Whether `key` exists.
    pub fn has(&self, key: &str) -> bool {
        self.bundle.has_message(key)
    }

    /// One change made after a signature, for the person to read: what it
    /// is (`change-<kind>`), on which page and where (PDF user space, in
    /// points), and whether it is allowed after the signature.
    pub fn change(&self, kind: &str, page: Option<usize>, rect: Option<[f64; 4]>, allowed: bool) -> String {
        let key = format!("change-{}", kind.replace('_', "-"));
        let mut out = if self.has(&key) { self.tr(&key) } else { kind.to_owned() };
        if let Some(p) = page {
            out.push_str(", ");
            out.push_str(&self.tr_args("change-on-page", &[("page", &p.to_string())]));
        }
        if let Some([x, y, w, h]) = rect {
            let f = |v: f64| format!("{v:.0}");
            out.push(' ');
            out.push_str(&self.tr_args("change-at", &[("x", &f(x)), ("y", &f(y)), ("w", &f(w)), ("h", &f(h))]));
        }
        out.push_str(" — ");
        out.push_str(&self.tr(if allowed { "change-allowed" } else { "change-not-allowed" }));
        out
    }
}

/// The message ids defined in a language's file.
pub fn message_ids(lang: Lang) -> Vec<String> {
    let src = match lang {
        Lang::Vi => VI,
        Lang::En => EN,
    };
    let mut ids: Vec<String> = src
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_owned()))
        .collect();
    ids.sort();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_define_the_same_messages_and_parse_cleanly() {
        assert_eq!(message_ids(Lang::Vi), message_ids(Lang::En));
        for src in [VI, EN] {
            assert!(FluentResource::try_new(src.to_owned()).is_ok(), "FTL syntax error");
        }
    }

    #[test]
    fn vietnamese_is_default_and_args_are_substituted() {
        let t = Translator::new(Lang::default());
        assert_eq!(t.lang(), Lang::Vi);
        assert_eq!(t.tr_args("err-pin-incorrect", &[]), "Mã PIN không đúng.");
        let e = Translator::new(Lang::En);
        assert!(e.tr_args("err-module-not-found", &[("path", "/x.so")]).contains("/x.so"));
        assert_eq!(e.tr("no-such-key"), "no-such-key");
        assert_eq!(Lang::parse("en_US.UTF-8"), Some(Lang::En));
    }
}
