//! The home screen, where Kyso starts: the jobs (sign a document, check a
//! signature, the signing device), the recent files, the signing device's
//! state in plain words, and — when a file came from the file manager
//! ("Open with Kyso") or a recent file was clicked — the question "check it
//! or sign it?", which can be remembered.

use std::path::{Path, PathBuf};

use iced::widget::{button, checkbox, column, container, row, scrollable, space, text};
use iced::{Element, Fill};
use kyso_i18n::Translator;

use crate::i18n::Text;
use crate::screen::settings::OpenAction;

use crate::font::BOLD;

/// Messages of the home screen.
#[derive(Debug, Clone)]
pub enum Message {
    /// "Ký tài liệu".
    Sign,
    /// "Kiểm tra chữ ký".
    Verify,
    /// "Thiết bị ký".
    Tokens,
    /// A recent file was clicked.
    Recent(PathBuf),
    /// The answer to "check or sign?".
    Answer(OpenAction),
    /// "Always do this" was ticked or cleared.
    Remember(bool),
    /// The question was dismissed.
    Dismiss,
}

/// What the screen asks of the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Choose a file to sign.
    PickSign,
    /// Choose a file to check.
    PickVerify,
    /// Show the signing devices.
    Tokens,
    /// Do this with the file; `true`: remember the choice.
    Open(PathBuf, OpenAction, bool),
}

/// State of the home screen.
#[derive(Debug, Default)]
pub struct Home {
    /// The file the question is about.
    asking: Option<PathBuf>,
    remember: bool,
}

impl Home {
    /// Asks what to do with `file`.
    pub fn ask(&mut self, file: PathBuf) {
        self.asking = Some(file);
        self.remember = false;
    }

    /// The file the question is about.
    #[cfg(test)]
    pub fn asking(&self) -> Option<&Path> {
        self.asking.as_deref()
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Sign => Some(Event::PickSign),
            Message::Verify => Some(Event::PickVerify),
            Message::Tokens => Some(Event::Tokens),
            Message::Recent(path) => {
                self.ask(path);
                None
            }
            Message::Answer(action) => {
                let file = self.asking.take()?;
                Some(Event::Open(file, action, std::mem::take(&mut self.remember)))
            }
            Message::Remember(r) => {
                self.remember = r;
                None
            }
            Message::Dismiss => {
                self.asking = None;
                None
            }
        }
    }

    /// The screen: `recent` files (newest first) and the tokens' state
    /// (`ready`: a token can sign).
    pub fn view<'a>(&'a self, t: &Translator, recent: &'a [PathBuf], token: &(Text, bool)) -> Element<'a, Message> {
        let mut col = column![].spacing(16);
        if let Some(file) = &self.asking {
            col = col.push(question(t, file, self.remember));
        }
        let job =
            |key: &str, help: &str, message: Message, style: fn(&iced::Theme, button::Status) -> button::Style| {
                button(column![text(t.tr(key)).size(22).font(BOLD), text(t.tr(help)).size(14)].spacing(6))
                    .style(style)
                    .padding(16)
                    .width(Fill)
                    .on_press(message)
            };
        col = col.push(
            row![
                job("home-sign", "home-sign-help", Message::Sign, button::primary),
                job("home-verify", "home-verify-help", Message::Verify, button::primary),
                job("home-tokens", "home-tokens-help", Message::Tokens, button::secondary),
            ]
            .spacing(12),
        );
        let (status, ready) = token;
        let status = text(status.render(t)).size(15);
        col = col.push(
            container(if *ready { status.style(crate::theme::text_success) } else { status })
                .padding(10)
                .width(Fill)
                .style(container::rounded_box),
        );
        col = col.push(text(t.tr("home-help")).size(14));
        col = col.push(text(t.tr("home-recent")).size(17).font(BOLD));
        if recent.is_empty() {
            col = col.push(text(t.tr("home-recent-none")).size(14));
        }
        for file in recent {
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let folder = file.parent().map(|p| p.display().to_string()).unwrap_or_default();
            col = col.push(
                button(row![text(name).size(15), text(folder).size(12)].spacing(12).align_y(iced::Center))
                    .style(button::text)
                    .on_press(Message::Recent(file.clone())),
            );
        }
        scrollable(col.padding([0, 12])).height(Fill).into()
    }
}

/// "What do you want to do with FILE?" with both answers.
fn question<'a>(t: &Translator, file: &Path, remember: bool) -> Element<'a, Message> {
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| file.display().to_string());
    container(
        column![
            text(t.tr_args("home-ask", &[("file", &name)])).size(18).font(BOLD),
            text(file.display().to_string()).size(12),
            row![
                button(text(t.tr("home-ask-verify")).size(16))
                    .style(button::primary)
                    .padding([10, 18])
                    .on_press(Message::Answer(OpenAction::Verify)),
                button(text(t.tr("home-ask-sign")).size(16))
                    .style(button::primary)
                    .padding([10, 18])
                    .on_press(Message::Answer(OpenAction::Sign)),
                space::horizontal(),
                button(text(t.tr("gui-cancel"))).style(button::text).on_press(Message::Dismiss),
            ]
            .spacing(12)
            .align_y(iced::Center),
            checkbox(remember).label(t.tr("home-ask-remember")).on_toggle(Message::Remember).size(16),
        ]
        .spacing(10),
    )
    .padding(14)
    .width(Fill)
    .style(container::bordered_box)
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_question_answers_once_and_remembers_on_request() {
        let mut h = Home::default();
        assert_eq!(h.update(Message::Answer(OpenAction::Sign)), None, "nothing asked");
        h.ask("/tmp/a.pdf".into());
        let _ = h.update(Message::Remember(true));
        assert_eq!(
            h.update(Message::Answer(OpenAction::Sign)),
            Some(Event::Open("/tmp/a.pdf".into(), OpenAction::Sign, true))
        );
        assert!(h.asking().is_none());
        let _ = h.update(Message::Recent("/tmp/b.pdf".into()));
        assert_eq!(h.asking(), Some(Path::new("/tmp/b.pdf")));
        let _ = h.update(Message::Dismiss);
        assert!(h.asking().is_none());
        assert_eq!(h.update(Message::Sign), Some(Event::PickSign));
    }
}
