//! The certificates of every token found: listed in the background, one
//! chosen; those that cannot sign (no key, expired, encryption only) are
//! folded away unless asked for.

use std::path::PathBuf;

use iced::widget::{button, checkbox, column, row, text};
use iced::{Element, Fill};
use kyso_i18n::Translator;
use kyso_pki::CertWarning;
use kyso_token::{CertEntry, TokenReport};

use crate::font::BOLD;
use crate::i18n::{Text, token_error_message};
use crate::theme;

/// A certificate with the token it is on.
#[derive(Debug, Clone)]
pub struct Choice {
    /// The certificate.
    pub entry: CertEntry,
    /// The token (PIN state).
    pub token: TokenReport,
    /// Whose it is: a person's or an organisation's (VGCA subject
    /// conventions), which decides the roles it may sign.
    pub kind: kyso_core::CertKind,
}

impl Choice {
    /// Whether the certificate may be used: a private key and no warning.
    pub fn usable(&self) -> bool {
        self.entry.has_private_key && self.entry.certificate.warnings.is_empty()
    }

    /// The holder's name (the subject's CN, else the whole subject).
    pub fn holder(&self) -> String {
        let info = &self.entry.certificate;
        info.subject_cn.clone().unwrap_or_else(|| info.subject.clone())
    }

    /// Refuses a certificate that cannot sign now (TT 15/2025 Art. 5).
    pub fn check(&self) -> Result<(), Text> {
        match self.entry.certificate.warnings.first() {
            None => Ok(()),
            Some(w) => Err(Text::new(refusal_key(*w))),
        }
    }
}

/// The message key saying why a certificate cannot sign now.
pub fn refusal_key(w: CertWarning) -> &'static str {
    match w {
        CertWarning::Expired => "warn-expired",
        CertWarning::NotYetValid => "warn-not_yet_valid",
        CertWarning::NoSigningKeyUsage => "warn-no_signing_key_usage",
        CertWarning::IsCa => "warn-is_ca",
    }
}

/// What the certificate section's widgets emit.
#[derive(Debug, Clone)]
pub enum Message {
    /// The user asked for the certificate list again.
    Refresh,
    /// The certificate list arrived (`None`: the listing panicked).
    Loaded(Option<Result<Vec<Choice>, Text>>),
    /// The user picked a certificate.
    Select(usize),
    /// Show (or fold away) the certificates that cannot sign.
    ShowUnusable(bool),
}

/// What the certificate section tells the sign screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// List the certificates in the background ([`load_certificates`]).
    Load,
    /// A certificate was picked.
    Selected,
}

/// The certificate list and the choice.
#[derive(Debug, Default)]
pub struct Certificates {
    list: Option<Vec<Choice>>,
    loading: bool,
    error: Option<Text>,
    selected: Option<usize>,
    show_unusable: bool,
}

impl Certificates {
    /// Whether a listing is running.
    pub fn is_loading(&self) -> bool {
        self.loading
    }

    /// Whether the list was asked for at least once.
    pub fn is_loaded(&self) -> bool {
        self.list.is_some() || self.loading || self.error.is_some()
    }

    /// The chosen certificate.
    pub fn selected(&self) -> Option<&Choice> {
        self.list.as_ref()?.get(self.selected?)
    }

    /// The list, once loaded.
    #[cfg(test)]
    pub fn list(&self) -> Option<&[Choice]> {
        self.list.as_deref()
    }

    /// Chooses the certificate of the kind a role `needs` when the chosen one
    /// (if any) is not of that kind and exactly one usable certificate is
    /// (NĐ 30/2020 Art. 32(2)(c–d): the văn thư holds both a personal and
    /// the organisation's certificate). Whether the choice changed.
    pub fn fit_role(&mut self, needs: kyso_core::CertKind) -> bool {
        // A pick whose kind cannot be told is the person's to keep: the
        // check before the PIN only notes it.
        if self.selected().is_some_and(|c| c.kind == needs || c.kind == kyso_core::CertKind::Unknown) {
            return false;
        }
        let Some(list) = &self.list else { return false };
        let fitting: Vec<usize> = (0..list.len()).filter(|&i| list[i].usable() && list[i].kind == needs).collect();
        match fitting.as_slice() {
            [one] => {
                self.selected = Some(*one);
                true
            }
            _ => false,
        }
    }

    /// The index of the chosen certificate in the list.
    #[cfg(test)]
    pub fn selected_index(&self) -> Option<usize> {
        self.selected
    }

    /// The facts line shown for `who`'s certificate on the token `token`.
    #[cfg(test)]
    pub fn facts_line(&self, t: &Translator, who: &str, token: &str) -> Option<String> {
        self.list
            .as_ref()?
            .iter()
            .find(|c| c.entry.token_label == token && c.entry.certificate.subject_cn.as_deref() == Some(who))
            .map(|c| cert_facts(t, c))
    }

    /// Marks the list as asked for; `None` while one is loading or a
    /// signing uses the tokens.
    pub fn start_loading(&mut self, signing: bool) -> Option<Event> {
        if self.loading || signing {
            return None;
        }
        self.loading = true;
        Some(Event::Load)
    }

    /// Handles a message of the section.
    pub fn update(&mut self, message: Message, signing: bool) -> Option<Event> {
        match message {
            Message::Refresh => return self.start_loading(signing),
            Message::Loaded(result) => {
                self.loading = false;
                match result {
                    Some(Ok(list)) => {
                        // Keep the choice if the same certificate is still there.
                        let previous = self.selected().map(|c| c.entry.certificate.sha256.clone());
                        self.selected = previous
                            .and_then(|sha| list.iter().position(|c| c.entry.certificate.sha256 == sha))
                            .or_else(|| {
                                let usable: Vec<usize> = (0..list.len()).filter(|&i| list[i].usable()).collect();
                                (usable.len() == 1).then(|| usable[0])
                            });
                        self.list = Some(list);
                        self.error = None;
                    }
                    Some(Err(e)) => self.error = Some(e),
                    None => self.error = Some(Text::new("gui-task-failed")),
                }
            }
            Message::Select(i) => {
                self.list.as_ref().and_then(|l| l.get(i)).filter(|c| c.usable())?;
                self.selected = Some(i);
                return Some(Event::Selected);
            }
            Message::ShowUnusable(v) => self.show_unusable = v,
        }
        None
    }

    /// The heading, the refresh button and the list.
    pub fn view<'a>(&'a self, t: &Translator, busy: bool) -> Element<'a, Message> {
        let refresh = button(text(t.tr("gui-rescan"))).on_press_maybe((!busy).then_some(Message::Refresh));
        let mut col =
            column![row![text(t.tr("gui-certificate")).font(BOLD), refresh].spacing(12).align_y(iced::Center)]
                .spacing(8);
        if self.loading {
            col = col.push(text(t.tr("gui-scanning")));
        }
        if let Some(e) = &self.error {
            col = col.push(text(e.render(t)).style(theme::text_danger));
        }
        match &self.list {
            Some(list) if list.is_empty() => {
                col = col.push(text(t.tr("err-cert-not-found")).style(theme::text_warning))
            }
            Some(list) => {
                let unusable = list.iter().filter(|c| !c.usable()).count();
                for (i, c) in list.iter().enumerate() {
                    if c.usable() || self.show_unusable {
                        col = col.push(cert_view(t, i, c, self.selected == Some(i)));
                    }
                }
                if unusable > 0 {
                    col = col.push(
                        checkbox(self.show_unusable)
                            .label(t.tr_args("gui-show-unusable", &[("n", &unusable.to_string())]))
                            .on_toggle(Message::ShowUnusable)
                            .text_size(13),
                    );
                }
            }
            None => {}
        }
        col.into()
    }
}

/// One line of facts (token, validity) keeps a token's certificates on one
/// screen and tells apart the same person's certificates on two tokens.
fn cert_facts(t: &Translator, c: &Choice) -> String {
    let info = &c.entry.certificate;
    format!(
        "{}: {} · {}: {}",
        t.tr("cert-token"),
        c.entry.token_label,
        t.tr("cert-validity"),
        t.tr_args(
            "cert-validity-range",
            &[
                ("from", &crate::i18n::short_date(t, &info.not_before)),
                ("to", &crate::i18n::short_date(t, &info.not_after))
            ]
        )
    )
}

fn cert_view<'a>(t: &Translator, i: usize, c: &'a Choice, selected: bool) -> Element<'a, Message> {
    let info = &c.entry.certificate;
    let mut col = column![text(c.holder()).font(BOLD), text(cert_facts(t, c)).size(13)].spacing(2);
    if !c.entry.has_private_key {
        col = col.push(
            text(format!("{}: {}", t.tr("cert-private-key"), t.tr("cert-private-key-no"))).style(theme::text_warning),
        );
    }
    for w in &info.warnings {
        col = col.push(text(kyso_i18n::Localize::localize(w, t)).style(theme::text_danger));
    }
    let style = if selected { button::primary } else { button::secondary };
    button(col)
        .width(Fill)
        .padding([4, 10])
        .style(style)
        .on_press_maybe(c.usable().then_some(Message::Select(i)))
        .into()
}

/// Lists the certificates of every token of every module found
/// (blocking: run it off the UI thread).
pub fn load_certificates(modules: &[PathBuf]) -> Result<Vec<Choice>, Text> {
    kyso_core::list_certificates(&[], modules, None)
        .map(|list| {
            list.into_iter()
                .map(|(entry, token)| {
                    let kind = kyso_core::certificate_kind(&entry).kind;
                    Choice { entry, token, kind }
                })
                .collect()
        })
        .map_err(|e| token_error_message(&e))
}
