//! File dialogs: the system's (rfd) and, where it cannot open, Kyso's own
//! chooser; what each asks and where its answer goes.

use super::*;

/// What a file dialog is for: where its answer goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    /// The file to check.
    Verify,
    /// The files to sign.
    Sign,
    /// A signature or seal image.
    SignImage(sign::Field),
    /// A token's PKCS#11 library.
    Module,
    /// The folder signed copies go to.
    OutputDir,
    /// Certificates to trust ("Nhập chứng thư gốc…").
    Anchors,
    /// Where to export the journal.
    JournalExport(journal::Format),
    /// A document to sign for a web page that sent none (e-office bridge).
    BridgeFile,
}

/// How a file dialog ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dialog {
    /// These were chosen.
    Chosen(Vec<PathBuf>),
    /// The user closed it.
    Cancelled,
    /// The system's dialog could not open (Kyso's own is shown instead).
    Unavailable,
}

impl App {
    /// What a dialog for `pick` asks: its mode, title and kind of file.
    pub(super) fn dialog_spec(&self, pick: &Pick) -> (Mode, String, Option<Kind>) {
        let t = &self.translator;
        let documents = || Some(Kind { label: t.tr("gui-browse-documents"), extensions: DOCUMENT_EXTENSIONS });
        match pick {
            Pick::Verify => (Mode::Open, t.tr("gui-browse-verify"), documents()),
            Pick::BridgeFile => (Mode::Open, t.tr("gui-bridge-pick-browse"), documents()),
            Pick::Sign => (Mode::OpenMany, t.tr("gui-browse-title"), documents()),
            Pick::SignImage(_) => {
                (Mode::Open, t.tr("gui-browse-image"), Some(Kind { label: "PNG".into(), extensions: &["png"] }))
            }
            Pick::Module => (
                Mode::Open,
                t.tr("gui-choose-module"),
                Some(Kind { label: "PKCS#11".into(), extensions: &["so", "dll", "dylib"] }),
            ),
            Pick::OutputDir => (Mode::Folder, t.tr("gui-settings-output-dir"), None),
            Pick::Anchors => (
                Mode::OpenMany,
                t.tr("gui-settings-import"),
                Some(Kind { label: "PEM, DER, CRT".into(), extensions: &["pem", "crt", "cer", "der"] }),
            ),
            Pick::JournalExport(format) => {
                let (ext, label): (&'static [&'static str], &str) = match format {
                    journal::Format::Csv => (&["csv"], "CSV"),
                    journal::Format::Json => (&["json"], "JSON"),
                };
                (
                    Mode::Save(journal::export_name(*format)),
                    t.tr("gui-journal-export-title"),
                    Some(Kind { label: label.into(), extensions: ext }),
                )
            }
        }
    }

    /// Where Kyso's chooser starts: the folder of the latest file.
    pub(super) fn chooser_start(&self) -> Option<PathBuf> {
        self.config.recent.first().and_then(|f| f.parent()).map(Path::to_owned)
    }

    /// Asks for a file (or folder, or where to save) for `pick`: the
    /// system's dialog, else Kyso's own chooser.
    pub(super) fn open_dialog(&mut self, pick: Pick) -> Task<Message> {
        let (mode, title, kind) = self.dialog_spec(&pick);
        if !self.system_dialogs {
            self.chooser = Some((pick, FileChooser::new(mode, title, kind, self.chooser_start(), &self.config.recent)));
            return Task::none();
        }
        Task::perform(system_dialog(mode, title, kind), move |d| Message::Dialog(pick.clone(), d))
    }

    /// Delivers what a dialog for `pick` chose (`None`: nothing).
    pub(super) fn deliver(&mut self, pick: Pick, files: Option<Vec<PathBuf>>) -> Task<Message> {
        let files = files.filter(|f| !f.is_empty());
        let first = files.as_ref().and_then(|f| f.first().cloned());
        match pick {
            Pick::Verify => {
                let recent = first.as_deref().map_or_else(Task::none, |f| self.remember_recent(f));
                Task::batch([recent, self.update(Message::Verify(verify::Message::Picked(first)))])
            }
            Pick::Sign => {
                let files = files.unwrap_or_default();
                let recent: Vec<_> = files.iter().rev().map(|f| self.remember_recent(f)).collect();
                Task::batch(recent)
                    .chain(self.update(Message::Sign(sign::Message::Files(sign::files::Message::Picked(files)))))
            }
            Pick::SignImage(field) => {
                self.update(Message::Sign(sign::Message::Role(sign::role::Message::PickedImage(field, first))))
            }
            Pick::Module => self.update(Message::Tokens(tokens::Message::ModulePicked(first))),
            Pick::BridgeFile => self.update(Message::Bridge(bridge::Message::FilePicked(first))),
            Pick::OutputDir => self.update(Message::Settings(settings::Message::OutputDirPicked(first))),
            Pick::Anchors => {
                let Some(files) = files else { return Task::none() };
                let data_dir = self.data_dir.clone();
                Task::perform(blocking("kyso-trust", move || settings::import_anchors(&data_dir, &files)), |r| {
                    Message::Settings(settings::Message::AnchorsImported(
                        r.unwrap_or_else(|| Err(Text::new("gui-task-failed"))),
                    ))
                })
            }
            Pick::JournalExport(format) => {
                let records = self.pending_export.take();
                let (Some(path), Some(records)) = (first, records) else { return Task::none() };
                Task::perform(blocking("kyso-export", move || journal::export_to(&path, format, &records)), |r| {
                    Message::Journal(journal::Message::Exported(r.unwrap_or_else(|| Err(Text::new("gui-task-failed")))))
                })
            }
        }
    }
}

/// An answer of "nothing chosen" sooner than this after asking means the
/// system's dialog never opened: without an XDG desktop portal and without
/// zenity, rfd answers `None` at once, as if cancelled (design-notes.md,
/// GUI). No person opens, reads and cancels a dialog this fast.
pub(super) const NO_DIALOG_WITHIN: Duration = Duration::from_millis(700);

/// The system's file dialog (beside the UI, never blocking it) for `mode`.
pub(super) async fn system_dialog(mode: Mode, title: String, kind: Option<Kind>) -> Dialog {
    let started = Instant::now();
    let mut dialog = rfd::AsyncFileDialog::new().set_title(title);
    if let Some(kind) = &kind {
        dialog = dialog.add_filter(kind.label.clone(), kind.extensions);
    }
    let path = |f: rfd::FileHandle| f.path().to_owned();
    let chosen = match mode {
        Mode::Open => dialog.pick_file().await.map(|f| vec![path(f)]),
        Mode::OpenMany => dialog.pick_files().await.map(|v| v.into_iter().map(path).collect()),
        Mode::Folder => dialog.pick_folder().await.map(|f| vec![path(f)]),
        Mode::Save(name) => dialog.set_file_name(name).save_file().await.map(|f| vec![path(f)]),
    };
    match chosen {
        Some(files) if !files.is_empty() => Dialog::Chosen(files),
        // Only the Linux back-end answers at once when it has no dialog.
        _ if cfg!(target_os = "linux") && started.elapsed() < NO_DIALOG_WITHIN => Dialog::Unavailable,
        _ => Dialog::Cancelled,
    }
}

/// What the file dialog offers to sign.
pub(super) const DOCUMENT_EXTENSIONS: &[&str] = &["pdf", "docx", "docm", "xlsx", "xlsm", "pptx", "pptm"];
