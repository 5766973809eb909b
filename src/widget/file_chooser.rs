//! Kyso's own file chooser, used when the system's dialog cannot open (no
//! XDG desktop portal and no zenity on a bare Linux desktop: rfd then
//! answers "nothing chosen" at once). Folders, a filter by kind (PDF and
//! Office, images, PKCS#11 libraries…) that can be switched off, the usual
//! places (home, Desktop, Documents, Downloads, the recent files) and a path
//! field. It serves opening one or several files, choosing a folder and
//! choosing where to save.

use std::path::{Path, PathBuf};

use iced::widget::{button, checkbox, column, container, row, rule, scrollable, space, text, text_input};
use iced::{Element, Fill};
use kyso_i18n::Translator;

use crate::i18n::Text;

use crate::font::BOLD;

/// The id of the path (or, when saving, name) field.
pub const PATH_ID: &str = "kyso-file-chooser-path";

/// The most entries a folder shows (a huge folder stays usable; the path
/// field reaches the rest).
const MAX_ENTRIES: usize = 2000;

/// What the chooser is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// One existing file.
    Open,
    /// One or more existing files.
    OpenMany,
    /// A folder.
    Folder,
    /// A new file's path; the name proposed.
    Save(String),
}

/// Which files are listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kind {
    /// Its name ("Văn bản PDF và Office").
    pub label: String,
    /// Extensions, lower case, without the dot.
    pub extensions: &'static [&'static str],
}

impl Kind {
    fn accepts(&self, path: &Path) -> bool {
        path.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| self.extensions.iter().any(|x| x.eq_ignore_ascii_case(e)))
    }
}

/// A line of the folder listing.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    name: String,
    path: PathBuf,
    is_dir: bool,
}

/// Messages of the chooser.
#[derive(Debug, Clone)]
pub enum Message {
    /// Show this folder.
    Open(PathBuf),
    /// Show the parent folder.
    Up,
    /// A file was clicked (a second click on it chooses it).
    Select(PathBuf),
    /// A recent file was clicked (chosen at once).
    Recent(PathBuf),
    /// The path (or, when saving, the name) field changed.
    PathChanged(String),
    /// Enter in the path field: a folder is shown, a file chosen.
    PathSubmitted,
    /// Show every file, not only those of the kind.
    ShowAll(bool),
    /// The main button.
    Accept,
    /// Close without choosing.
    Cancel,
}

/// What the chooser tells its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// These were chosen (one path except for [`Mode::OpenMany`]).
    Chosen(Vec<PathBuf>),
    /// Closed without a choice.
    Cancelled,
}

/// The chooser's state.
#[derive(Debug, Clone)]
pub struct FileChooser {
    mode: Mode,
    title: String,
    kind: Option<Kind>,
    show_all: bool,
    dir: PathBuf,
    entries: Vec<Entry>,
    truncated: bool,
    selected: Vec<PathBuf>,
    field: String,
    places: Vec<(&'static str, PathBuf)>,
    recent: Vec<PathBuf>,
    error: Option<Text>,
    /// Why Kyso's chooser is shown (the system's could not open).
    notice: Option<Text>,
}

impl FileChooser {
    /// A chooser titled `title` for `mode`, listing files of `kind` (all
    /// files when `None`), starting in `start` (the home folder when it is
    /// not a folder), with `recent` files offered.
    pub fn new(mode: Mode, title: String, kind: Option<Kind>, start: Option<PathBuf>, recent: &[PathBuf]) -> Self {
        let places = places();
        let dir = start
            .filter(|d| d.is_dir())
            .or_else(|| places.first().map(|(_, p)| p.clone()))
            .unwrap_or_else(|| PathBuf::from("/"));
        let field = match &mode {
            Mode::Save(name) => name.clone(),
            _ => String::new(),
        };
        let recent: Vec<PathBuf> = recent
            .iter()
            .filter(|p| p.is_file() && kind.as_ref().is_none_or(|k| k.accepts(p)))
            .take(8)
            .cloned()
            .collect();
        let mut c = Self {
            mode,
            title,
            kind,
            show_all: false,
            dir: PathBuf::new(),
            entries: Vec::new(),
            truncated: false,
            selected: Vec::new(),
            field,
            places,
            recent,
            error: None,
            notice: None,
        };
        c.show(dir);
        c
    }

    /// Says why this chooser is shown instead of the system's.
    pub fn with_notice(mut self, notice: Text) -> Self {
        self.notice = Some(notice);
        self
    }

    /// The folder shown.
    #[cfg(test)]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The names listed (folders first), as shown.
    #[cfg(test)]
    pub fn names(&self) -> Vec<&str> {
        self.entries.iter().map(|e| e.name.as_str()).collect()
    }

    fn show(&mut self, dir: PathBuf) {
        match list(&dir, self.kind.as_ref().filter(|_| !self.show_all), self.mode == Mode::Folder) {
            Ok((entries, truncated)) => {
                self.entries = entries;
                self.truncated = truncated;
                self.dir = dir;
                self.selected.clear();
                self.error = None;
                if !matches!(self.mode, Mode::Save(_)) {
                    self.field = self.dir.display().to_string();
                }
            }
            Err(e) => {
                self.error =
                    Some(Text::new("err-io").arg("path", dir.display().to_string()).arg("detail", e.to_string()));
            }
        }
    }

    fn chosen(&self) -> Option<Vec<PathBuf>> {
        match &self.mode {
            Mode::Open | Mode::OpenMany => (!self.selected.is_empty()).then(|| self.selected.clone()),
            Mode::Folder => Some(vec![self.selected.first().cloned().unwrap_or_else(|| self.dir.clone())]),
            Mode::Save(_) => {
                let name = self.field.trim();
                if name.is_empty() {
                    return None;
                }
                let path = Path::new(name);
                let path = if path.is_absolute() { path.to_owned() } else { self.dir.join(path) };
                // The kind's first extension when none was typed.
                let path = match (path.extension(), self.kind.as_ref().and_then(|k| k.extensions.first())) {
                    (None, Some(ext)) => path.with_extension(ext),
                    _ => path,
                };
                Some(vec![path])
            }
        }
    }

    /// Handles a message; `Some` when the chooser is done.
    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Open(dir) => {
                self.show(dir);
                None
            }
            Message::Up => {
                if let Some(parent) = self.dir.parent().map(Path::to_owned) {
                    self.show(parent);
                }
                None
            }
            Message::Select(path) => {
                match &self.mode {
                    Mode::OpenMany => {
                        if let Some(i) = self.selected.iter().position(|p| *p == path) {
                            self.selected.remove(i);
                        } else {
                            self.selected.push(path);
                        }
                    }
                    Mode::Save(_) => {
                        self.field = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    }
                    Mode::Open | Mode::Folder => {
                        // A second click on the same line chooses it.
                        if self.selected == [path.clone()] {
                            return Some(Event::Chosen(vec![path]));
                        }
                        self.selected = vec![path];
                    }
                }
                None
            }
            Message::Recent(path) => Some(Event::Chosen(vec![path])),
            Message::PathChanged(s) => {
                self.field = s;
                None
            }
            Message::PathSubmitted => {
                let typed = self.field.trim();
                let path = if Path::new(typed).is_absolute() { PathBuf::from(typed) } else { self.dir.join(typed) };
                if typed.is_empty() {
                    None
                } else if path.is_dir() && !matches!(self.mode, Mode::Folder) {
                    self.show(path);
                    None
                } else if matches!(self.mode, Mode::Save(_)) {
                    self.chosen().map(Event::Chosen)
                } else if path.is_dir() || path.is_file() {
                    Some(Event::Chosen(vec![path]))
                } else {
                    self.error = Some(Text::new("gui-fc-not-found").arg("path", path.display().to_string()));
                    None
                }
            }
            Message::ShowAll(all) => {
                self.show_all = all;
                let dir = self.dir.clone();
                self.show(dir);
                None
            }
            Message::Accept => self.chosen().map(Event::Chosen),
            Message::Cancel => Some(Event::Cancelled),
        }
    }

    /// The chooser.
    pub fn view<'a>(&'a self, t: &Translator) -> Element<'a, Message> {
        let mut head = column![text(self.title.clone()).size(20).font(BOLD)].spacing(4);
        if let Some(n) = &self.notice {
            head = head.push(text(n.render(t)).size(13).style(crate::theme::text_warning));
        }

        // Places and recent files.
        let mut side = column![text(t.tr("gui-fc-places")).size(13).font(BOLD)].spacing(4).width(210);
        for (key, path) in &self.places {
            let style = if *path == self.dir { button::primary } else { button::text };
            side = side
                .push(button(text(t.tr(key)).size(14)).style(style).width(Fill).on_press(Message::Open(path.clone())));
        }
        if !self.recent.is_empty() && !matches!(self.mode, Mode::Folder | Mode::Save(_)) {
            side = side.push(space::vertical().height(8)).push(text(t.tr("gui-fc-recent")).size(13).font(BOLD));
            for p in &self.recent {
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                side = side.push(button(text(name).size(13)).style(button::text).on_press(Message::Recent(p.clone())));
            }
        }

        // The folder.
        let up = button(text(t.tr("gui-fc-up")).size(14))
            .style(button::secondary)
            .on_press_maybe(self.dir.parent().map(|_| Message::Up));
        let mut listing = column![].spacing(2);
        for e in &self.entries {
            let selected = self.selected.contains(&e.path);
            // Folders in bold with a trailing slash (no icon font needed).
            let (label, message) = if e.is_dir {
                (text(format!("{}/", e.name)).font(BOLD), Message::Open(e.path.clone()))
            } else {
                (text(e.name.clone()), Message::Select(e.path.clone()))
            };
            let style = if selected { button::primary } else { button::text };
            listing = listing.push(button(label.size(14)).style(style).width(Fill).on_press(message));
        }
        if self.entries.is_empty() {
            listing = listing.push(text(t.tr("gui-fc-empty")).size(13));
        }
        if self.truncated {
            listing = listing.push(text(t.tr_args("gui-fc-truncated", &[("n", &MAX_ENTRIES.to_string())])).size(13));
        }
        let mut filter_row = row![].spacing(12).align_y(iced::Center);
        if let (Some(kind), false) = (&self.kind, self.mode == Mode::Folder) {
            filter_row = filter_row
                .push(text(t.tr_args("gui-fc-kind", &[("kind", &kind.label)])).size(13))
                .push(checkbox(self.show_all).label(t.tr("gui-fc-show-all")).on_toggle(Message::ShowAll).size(16));
        }
        let folder = column![
            row![up, text(self.dir.display().to_string()).size(14).font(BOLD)].spacing(8).align_y(iced::Center),
            filter_row,
            container(scrollable(listing.width(Fill)).width(Fill).height(Fill))
                .style(container::bordered_box)
                .padding(6)
                .width(Fill)
                .height(Fill),
        ]
        .spacing(8)
        .width(Fill);

        // The path field and the buttons.
        let placeholder = match self.mode {
            Mode::Save(_) => t.tr("gui-fc-name"),
            _ => t.tr("gui-fc-path"),
        };
        let accept_key = match self.mode {
            Mode::Save(_) => "gui-fc-save",
            Mode::Folder => "gui-fc-choose-folder",
            Mode::Open | Mode::OpenMany => "gui-fc-choose",
        };
        let accept = button(text(t.tr(accept_key)))
            .style(button::primary)
            .on_press_maybe(self.chosen().map(|_| Message::Accept));
        let mut bottom = column![
            row![
                text_input(&placeholder, &self.field)
                    .id(iced::widget::Id::new(PATH_ID))
                    .on_input(Message::PathChanged)
                    .on_submit(Message::PathSubmitted),
                button(text(t.tr("gui-cancel"))).style(button::secondary).on_press(Message::Cancel),
                accept,
            ]
            .spacing(8)
            .align_y(iced::Center)
        ]
        .spacing(4);
        if self.mode == Mode::OpenMany && !self.selected.is_empty() {
            bottom =
                bottom.push(text(t.tr_args("gui-fc-selected", &[("n", &self.selected.len().to_string())])).size(13));
        }
        if let Some(e) = &self.error {
            bottom = bottom.push(text(e.render(t)).size(13).style(crate::theme::text_danger));
        }
        let body = row![scrollable(side).height(Fill), folder].spacing(12).height(Fill);
        container(column![head, rule::horizontal(1), body, bottom].spacing(10))
            .padding(12)
            .style(container::bordered_box)
            .width(Fill)
            .height(Fill)
            .into()
    }
}

/// Lists `dir`: folders first, then files (of `kind` when given; none when
/// only folders are wanted), by name; hidden entries left out. The flag
/// says the listing was cut at [`MAX_ENTRIES`].
fn list(dir: &Path, kind: Option<&Kind>, folders_only: bool) -> std::io::Result<(Vec<Entry>, bool)> {
    let mut out = Vec::new();
    let mut truncated = false;
    for item in std::fs::read_dir(dir)? {
        let Ok(item) = item else { continue };
        let name = item.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = item.path();
        // Follows links (a link to a folder is a folder).
        let is_dir = path.is_dir();
        if !is_dir && (folders_only || kind.is_some_and(|k| !k.accepts(&path))) {
            continue;
        }
        if out.len() == MAX_ENTRIES {
            truncated = true;
            break;
        }
        out.push(Entry { name, path, is_dir });
    }
    out.sort_by(|a, b| b.is_dir.cmp(&a.is_dir).then_with(|| natural_key(&a.name).cmp(&natural_key(&b.name))));
    Ok((out, truncated))
}

/// Sorting key: case and diacritics ignored, so "Đề án" sits among the d's.
fn natural_key(name: &str) -> String {
    kyso_journal::fold(name)
}

/// The usual places that exist: home, then the desktop, documents and
/// downloads folders (their localised names from `user-dirs.dirs` when the
/// desktop set them, e.g. "Tài liệu"), then the file system's root.
pub fn places() -> Vec<(&'static str, PathBuf)> {
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")).map(PathBuf::from);
    let mut out = Vec::new();
    if let Some(home) = home.filter(|h| h.is_dir()) {
        let user_dirs = std::fs::read_to_string(
            std::env::var_os("XDG_CONFIG_HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| home.join(".config"))
                .join("user-dirs.dirs"),
        )
        .unwrap_or_default();
        out.push(("gui-fc-home", home.clone()));
        for (key, var, default) in [
            ("gui-fc-desktop", "XDG_DESKTOP_DIR", "Desktop"),
            ("gui-fc-documents", "XDG_DOCUMENTS_DIR", "Documents"),
            ("gui-fc-downloads", "XDG_DOWNLOAD_DIR", "Downloads"),
        ] {
            let dir = user_dir(&user_dirs, var, &home).unwrap_or_else(|| home.join(default));
            if dir.is_dir() && dir != home {
                out.push((key, dir));
            }
        }
    }
    out.push(("gui-fc-root", PathBuf::from(if cfg!(windows) { "C:\\" } else { "/" })));
    out
}

/// A folder of `user-dirs.dirs` (`XDG_DOCUMENTS_DIR="$HOME/Tài liệu"`).
fn user_dir(file: &str, var: &str, home: &Path) -> Option<PathBuf> {
    let line = file.lines().map(str::trim).find(|l| l.strip_prefix(var).is_some_and(|r| r.starts_with('=')))?;
    let value = line.split_once('=')?.1.trim().trim_matches('"');
    Some(match value.strip_prefix("$HOME") {
        Some(rest) => home.join(rest.trim_start_matches('/')),
        None => PathBuf::from(value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCS: &[&str] = &["pdf", "docx"];

    fn kind() -> Kind {
        Kind { label: "PDF, DOCX".into(), extensions: DOCS }
    }

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("Đề án")).unwrap();
        std::fs::create_dir(dir.path().join("cong-van")).unwrap();
        for f in ["b.PDF", "a.docx", "anh.png", ".an.pdf", "cong-van/to-trinh.pdf"] {
            std::fs::write(dir.path().join(f), b"x").unwrap();
        }
        dir
    }

    #[test]
    fn lists_folders_first_then_files_of_the_kind() {
        let dir = tree();
        let mut c = FileChooser::new(Mode::Open, "t".into(), Some(kind()), Some(dir.path().into()), &[]);
        assert_eq!(c.names(), ["cong-van", "Đề án", "a.docx", "b.PDF"]);
        let _ = c.update(Message::ShowAll(true));
        assert_eq!(c.names(), ["cong-van", "Đề án", "a.docx", "anh.png", "b.PDF"]);
        // Into a folder and back up.
        let _ = c.update(Message::Open(dir.path().join("cong-van")));
        assert_eq!(c.names(), ["to-trinh.pdf"]);
        let _ = c.update(Message::Up);
        assert_eq!(c.dir(), dir.path());
        // A folder that cannot be read keeps the listing and says why.
        let _ = c.update(Message::Open(dir.path().join("missing")));
        assert_eq!(c.dir(), dir.path());
        assert!(c.error.is_some());
    }

    #[test]
    fn choosing_opening_saving_and_folders() {
        let dir = tree();
        let pdf = dir.path().join("b.PDF");
        let mut c = FileChooser::new(Mode::Open, "t".into(), Some(kind()), Some(dir.path().into()), &[]);
        assert_eq!(c.update(Message::Accept), None, "nothing selected yet");
        assert_eq!(c.update(Message::Select(pdf.clone())), None);
        assert_eq!(c.update(Message::Select(pdf.clone())), Some(Event::Chosen(vec![pdf.clone()])));
        // A typed path: a folder is shown, a file chosen, a missing one refused.
        let _ = c.update(Message::PathChanged("cong-van".into()));
        assert_eq!(c.update(Message::PathSubmitted), None);
        assert!(c.dir().ends_with("cong-van"));
        let _ = c.update(Message::PathChanged("to-trinh.pdf".into()));
        let chosen = c.update(Message::PathSubmitted);
        assert_eq!(chosen, Some(Event::Chosen(vec![dir.path().join("cong-van/to-trinh.pdf")])));
        let _ = c.update(Message::PathChanged("/khong/co.pdf".into()));
        assert_eq!(c.update(Message::PathSubmitted), None);
        assert!(matches!(&c.error, Some(e) if e.key == "gui-fc-not-found"));

        let mut many = FileChooser::new(Mode::OpenMany, "t".into(), Some(kind()), Some(dir.path().into()), &[]);
        let docx = dir.path().join("a.docx");
        for p in [&pdf, &docx, &pdf, &pdf] {
            let _ = many.update(Message::Select(p.clone()));
        }
        assert_eq!(many.update(Message::Accept), Some(Event::Chosen(vec![docx.clone(), pdf.clone()])));

        let csv = Kind { label: "CSV".into(), extensions: &["csv"] };
        let mut save =
            FileChooser::new(Mode::Save("nhat-ky.csv".into()), "t".into(), Some(csv), Some(dir.path().into()), &[]);
        assert_eq!(save.update(Message::Accept), Some(Event::Chosen(vec![dir.path().join("nhat-ky.csv")])));
        let _ = save.update(Message::PathChanged("bao-cao".into()));
        assert_eq!(save.update(Message::Accept), Some(Event::Chosen(vec![dir.path().join("bao-cao.csv")])));

        let mut folder = FileChooser::new(Mode::Folder, "t".into(), None, Some(dir.path().into()), &[]);
        assert_eq!(folder.names(), ["cong-van", "Đề án"]);
        assert_eq!(folder.update(Message::Accept), Some(Event::Chosen(vec![dir.path().to_owned()])));
        assert_eq!(folder.update(Message::Cancel), Some(Event::Cancelled));
    }

    #[test]
    fn user_dirs_give_localised_places() {
        let file = "# comment\nXDG_DESKTOP_DIR=\"$HOME/Màn hình nền\"\nXDG_DOCUMENTS_DIR=\"/srv/Tài liệu\"\n";
        let home = Path::new("/home/vt");
        assert_eq!(user_dir(file, "XDG_DESKTOP_DIR", home), Some(PathBuf::from("/home/vt/Màn hình nền")));
        assert_eq!(user_dir(file, "XDG_DOCUMENTS_DIR", home), Some(PathBuf::from("/srv/Tài liệu")));
        assert_eq!(user_dir(file, "XDG_DOWNLOAD_DIR", home), None);
        assert!(places().iter().any(|(k, _)| *k == "gui-fc-root"));
    }
}
