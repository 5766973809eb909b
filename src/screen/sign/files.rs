//! The files to sign: typed, dropped or picked, several at once, and where
//! each signed copy goes (the settings' naming, or a path typed for a
//! single file).

use std::path::PathBuf;

use iced::widget::{button, column, row, text, text_input};
use iced::{Element, Fill};
use kyso_i18n::Translator;

use super::opt;
use crate::i18n::Text;
use crate::screen::settings::Config;
use crate::theme;

/// What the file section's widgets emit.
#[derive(Debug, Clone)]
pub enum Message {
    /// The typed path changed.
    InputChanged(String),
    /// Add the typed path to the files.
    Add,
    /// Remove a file from the list.
    Remove(usize),
    /// Open the system's file dialog.
    Browse,
    /// Files were picked in the dialog (none: cancelled).
    Picked(Vec<PathBuf>),
    /// A file was dropped on the window.
    Open(PathBuf),
    /// The output path changed.
    OutputChanged(String),
}

/// What the file section tells the sign screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The list of files changed.
    Changed,
    /// The typed path changed (it may name another file, or none).
    Typed,
    /// Ask the system's dialog for documents to sign.
    PickFiles,
}

/// The files and the output.
#[derive(Debug, Default)]
pub struct Files {
    /// Files added to the batch.
    list: Vec<PathBuf>,
    /// A typed path (counts as a file until added).
    input: String,
    output: String,
    /// The output was typed by the user (not derived from the input).
    output_edited: bool,
}

impl Files {
    /// The output path field.
    #[cfg(test)]
    pub fn output(&self) -> &str {
        &self.output
    }

    /// The files the next signing takes: those added, and a typed path.
    pub fn targets(&self) -> Vec<PathBuf> {
        let mut out = self.list.clone();
        if let Some(typed) = opt(&self.input).map(PathBuf::from)
            && !out.contains(&typed)
        {
            out.push(typed);
        }
        out
    }

    /// The (input, output) pairs of the next signing.
    pub fn pairs(&self, config: &Config) -> Vec<(PathBuf, PathBuf)> {
        let targets = self.targets();
        if let [one] = targets.as_slice() {
            return vec![(one.clone(), PathBuf::from(self.output.trim()))];
        }
        targets.into_iter().map(|t| (t.clone(), config.output_for(&t))).collect()
    }

    /// Checks the files: at least one, an output for a single file, and no
    /// two files signed into one.
    pub fn check(&self) -> Result<(), Text> {
        let targets = self.targets();
        if targets.is_empty() {
            return Err(Text::new("gui-no-file"));
        }
        if targets.len() == 1 && opt(&self.output).is_none() {
            return Err(Text::new("gui-no-output"));
        }
        Ok(())
    }

    /// Two files must not be signed into one (same name, one folder).
    pub fn check_outputs(&self, config: &Config) -> Result<(), Text> {
        let mut outputs: Vec<PathBuf> = self.pairs(config).into_iter().map(|(_, o)| o).collect();
        outputs.sort();
        match outputs.windows(2).find(|w| w[0] == w[1]) {
            Some(w) => Err(Text::new("gui-duplicate-output").arg("path", w[0].display().to_string())),
            None => Ok(()),
        }
    }

    /// Keeps the single output in step with the files.
    pub fn sync_output(&mut self, config: &Config) {
        if !self.output_edited {
            self.output = match self.targets().as_slice() {
                [one] => config.output_for(one).display().to_string(),
                _ => String::new(),
            };
        }
    }

    fn add(&mut self, paths: impl IntoIterator<Item = PathBuf>, config: &Config) {
        // A typed path joins the list first, in the order the user gave.
        if let Some(typed) = opt(&self.input).map(PathBuf::from)
            && !self.list.contains(&typed)
        {
            self.list.push(typed);
        }
        for p in paths {
            if !self.list.contains(&p) {
                self.list.push(p);
            }
        }
        // A typed path already added is not counted twice.
        if opt(&self.input).is_some_and(|t| self.list.contains(&PathBuf::from(t))) {
            self.input.clear();
        }
        self.output_edited = self.output_edited && self.targets().len() == 1;
        self.sync_output(config);
    }

    /// Signed files leave the list (their results stay on the screen);
    /// those that failed or were skipped stay for another try.
    pub fn remove_signed(&mut self, signed: &[PathBuf], config: &Config) {
        self.list.retain(|f| !signed.contains(f));
        if opt(&self.input).is_some_and(|t| signed.contains(&PathBuf::from(t))) {
            self.input.clear();
        }
        self.output_edited = false;
        self.sync_output(config);
    }

    /// Handles a message of the section.
    pub fn update(&mut self, message: Message, config: &Config, signing: bool) -> Option<Event> {
        match message {
            Message::InputChanged(s) => {
                self.input = s;
                self.sync_output(config);
                Some(Event::Typed)
            }
            Message::Add => {
                let p = opt(&self.input).map(PathBuf::from)?;
                self.add([p], config);
                Some(Event::Changed)
            }
            Message::Open(p) => {
                self.add([p], config);
                Some(Event::Changed)
            }
            Message::Picked(list) => {
                self.add(list, config);
                Some(Event::Changed)
            }
            Message::Remove(i) => {
                if signing || i >= self.list.len() {
                    return None;
                }
                self.list.remove(i);
                self.output_edited = false;
                self.sync_output(config);
                Some(Event::Changed)
            }
            Message::Browse => (!signing).then_some(Event::PickFiles),
            Message::OutputChanged(s) => {
                self.output_edited = !s.trim().is_empty();
                self.output = s;
                None
            }
        }
    }

    /// The path field, the list and the output.
    pub fn view<'a>(&'a self, t: &Translator, config: &Config, signing: bool) -> Element<'a, Message> {
        let labelled = |key: &str, widget: Element<'a, Message>| -> Element<'a, Message> {
            row![text(t.tr(key)).width(180), widget].spacing(8).align_y(iced::Center).into()
        };
        let mut col = column![labelled(
            "gui-file",
            row![
                text_input(&t.tr("gui-file-placeholder"), &self.input)
                    .on_input(Message::InputChanged)
                    .on_submit(Message::Add),
                button(text(t.tr("gui-add"))).style(button::secondary).on_press(Message::Add),
                button(text(t.tr("gui-browse")))
                    .style(button::secondary)
                    .on_press_maybe((!signing).then_some(Message::Browse)),
            ]
            .spacing(6)
            .into()
        )]
        .spacing(8);
        for (i, f) in self.list.iter().enumerate() {
            col = col.push(
                row![
                    text(f.display().to_string()).size(13).width(Fill),
                    button(text(t.tr("gui-remove")).size(13))
                        .style(button::text)
                        .on_press_maybe((!signing).then_some(Message::Remove(i))),
                ]
                .spacing(8)
                .align_y(iced::Center),
            );
        }
        let targets = self.targets();
        if targets.len() > 1 {
            let example = config.output_for(&targets[0]).display().to_string();
            col = col.push(
                text(t.tr_args("gui-files-count", &[("n", &targets.len().to_string()), ("example", &example)]))
                    .size(13)
                    .style(theme::text_muted),
            );
        } else {
            col =
                col.push(labelled("gui-output", text_input("", &self.output).on_input(Message::OutputChanged).into()));
        }
        col.into()
    }
}
