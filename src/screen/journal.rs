//! The activity journal: every signing, checking and upgrade, searchable
//! and filterable, with the hash chain's state and CSV/JSON export. The
//! journal is read and written off the UI thread: `update` asks for it
//! through [`Event`]s and the results come back as messages.

use std::path::PathBuf;

use iced::widget::{button, column, container, row, rule, scrollable, space, text, text_input};
use iced::{Element, Fill, Font, font};
use kyso_i18n::Translator;
use kyso_journal::{ChainBreak, Filter, Record};

use crate::i18n::Text;

const BOLD: Font = Font { weight: font::Weight::Bold, ..crate::app::FONT };

/// Which actions are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Action {
    /// Everything.
    #[default]
    All,
    /// Signings.
    Sign,
    /// Checks.
    Verify,
    /// Upgrades (B-LT/B-LTA).
    Extend,
}

impl Action {
    const ALL: [Self; 4] = [Self::All, Self::Sign, Self::Verify, Self::Extend];

    fn name(self) -> Option<&'static str> {
        match self {
            Self::All => None,
            Self::Sign => Some("sign"),
            Self::Verify => Some("verify"),
            Self::Extend => Some("extend"),
        }
    }

    fn key(self) -> &'static str {
        match self {
            Self::All => "gui-journal-all",
            Self::Sign => "journal-action-sign",
            Self::Verify => "journal-action-verify",
            Self::Extend => "journal-action-extend",
        }
    }
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV with a BOM (opens in Excel with Vietnamese intact).
    Csv,
    /// JSON.
    Json,
}

/// What a load returns: the records and the chain's state.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// Matching records, newest first.
    pub records: Vec<Record>,
    /// The first broken link, if any.
    pub chain: Option<ChainBreak>,
}

/// Messages of the journal screen.
#[derive(Debug, Clone)]
pub enum Message {
    /// Reload from disk.
    Refresh,
    /// The search text changed.
    SearchChanged(String),
    /// An action filter was picked.
    Action(Action),
    /// A load finished.
    Loaded(Result<Loaded, Text>),
    /// Export what is shown.
    Export(Format),
    /// An export finished (the file written).
    Exported(Result<PathBuf, Text>),
}

/// What the screen asks of the application.
#[derive(Debug, Clone)]
pub enum Event {
    /// Read the journal with this filter.
    Load(Filter),
    /// Write these records.
    Export(Format, Vec<Record>),
}

/// State of the journal screen.
#[derive(Debug, Default)]
pub struct Journal {
    search: String,
    action: Action,
    records: Vec<Record>,
    chain: Option<Option<ChainBreak>>,
    loading: bool,
    loaded: bool,
    status: Option<Result<String, Text>>,
    /// The interface's language: the search also finds the words shown
    /// for actions and results ("hop le", "that bai").
    words: Option<Translator>,
}

impl Journal {
    /// The screen in `lang`.
    pub fn in_language(lang: kyso_i18n::Lang) -> Self {
        Self { words: Some(Translator::new(lang)), ..Self::default() }
    }

    /// The interface's language changed.
    pub fn set_language(&mut self, lang: kyso_i18n::Lang) {
        self.words = Some(Translator::new(lang));
    }

    /// The records the search lets through (what the table and exports
    /// show): without regard to diacritics or case, so "nguyen van" finds
    /// "Nguyễn Văn" ([`Record::matches`]); each word of the search is found
    /// in the record's fields or in the words shown for its action and
    /// result.
    pub fn shown(&self) -> Vec<&Record> {
        let query = kyso_journal::fold(&self.search);
        let words: Vec<&str> = query.split(' ').filter(|w| !w.is_empty()).collect();
        self.records
            .iter()
            .filter(|r| {
                r.matches(&self.search) || {
                    let shown = self.words.as_ref().map_or_else(String::new, |t| {
                        let action = translated(t, &format!("journal-action-{}", r.entry.action), &r.entry.action);
                        kyso_journal::fold(&format!("{action} {}", outcome_text(t, r).0))
                    });
                    words.iter().all(|w| r.matches(w) || shown.contains(w))
                }
            })
            .collect()
    }

    fn filter(&self) -> Filter {
        Filter { action: self.action.name().map(str::to_owned), ..Default::default() }
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Refresh => {
                if self.loading {
                    return None;
                }
                self.loading = true;
                Some(Event::Load(self.filter()))
            }
            Message::SearchChanged(s) => {
                self.search = s;
                None
            }
            Message::Action(a) => {
                self.action = a;
                self.loading = true;
                Some(Event::Load(self.filter()))
            }
            Message::Loaded(result) => {
                self.loading = false;
                self.loaded = true;
                match result {
                    Ok(l) => {
                        self.records = l.records;
                        self.chain = Some(l.chain);
                        self.status = None;
                    }
                    Err(e) => self.status = Some(Err(e)),
                }
                None
            }
            Message::Export(f) => Some(Event::Export(f, self.shown().into_iter().cloned().collect())),
            Message::Exported(r) => {
                self.status = Some(r.map(|p| p.display().to_string()));
                None
            }
        }
    }

    /// The screen.
    pub fn view<'a>(&'a self, t: &'a Translator) -> Element<'a, Message> {
        let mut filters = row![].spacing(6).align_y(iced::Center);
        for a in Action::ALL {
            let style = if self.action == a { button::primary } else { button::secondary };
            filters = filters.push(button(text(t.tr(a.key())).size(14)).style(style).on_press(Message::Action(a)));
        }
        let tools = row![
            text_input(&t.tr("gui-journal-search"), &self.search).on_input(Message::SearchChanged).width(280),
            filters,
            space::horizontal(),
            button(text(t.tr("gui-journal-reload")).size(14)).on_press(Message::Refresh),
            button(text(t.tr("gui-journal-export-csv")).size(14)).on_press(Message::Export(Format::Csv)),
            button(text(t.tr("gui-journal-export-json")).size(14)).on_press(Message::Export(Format::Json)),
        ]
        .spacing(8)
        .align_y(iced::Center);
        let chain = match &self.chain {
            None => text(if self.loading { t.tr("gui-journal-loading") } else { String::new() }),
            Some(None) => text(t.tr("journal-intact")).style(crate::theme::text_success),
            Some(Some(b)) => text(t.tr_args(
                "journal-broken",
                &[
                    ("id", &b.entry_id.to_string()),
                    ("kind", &t.tr(&format!("journal-break-{}", b.kind.replace('_', "-")))),
                ],
            ))
            .style(crate::theme::text_danger),
        };
        let status: Element<'_, Message> = match &self.status {
            Some(Ok(path)) => text(t.tr_args("gui-journal-exported", &[("path", path)])).into(),
            Some(Err(e)) => text(e.render(t)).style(crate::theme::text_danger).into(),
            None => space::vertical().height(0).into(),
        };
        let shown = self.shown();
        let cell = |s: String, w: u16| container(text(s).size(13)).width(iced::Length::FillPortion(w));
        let outcome_cell = |r: &Record, w: u16| {
            let (s, style): (String, fn(&iced::Theme) -> text::Style) = outcome_text(t, r);
            container(text(s).size(13).style(style)).width(iced::Length::FillPortion(w))
        };
        let title = |k: &str, w: u16| container(text(t.tr(k)).size(13).font(BOLD)).width(iced::Length::FillPortion(w));
        let head = row![
            title("gui-journal-col-time", 3),
            title("gui-journal-col-action", 2),
            title("gui-journal-col-file", 5),
            title("gui-journal-col-signer", 4),
            title("gui-journal-col-outcome", 3),
        ]
        .spacing(8);
        let mut table = column![].spacing(4);
        for r in &shown {
            let file = r
                .entry
                .output_path
                .as_deref()
                .or(r.entry.input_path.as_deref())
                .map(|p| std::path::Path::new(p).file_name().map_or(p.to_owned(), |f| f.to_string_lossy().into_owned()))
                .unwrap_or_default();
            let signer = r
                .entry
                .signer_subject
                .as_deref()
                .map(|s| s.split(", ").find_map(|p| p.strip_prefix("CN=")).map_or_else(|| s.to_owned(), str::to_owned))
                .unwrap_or_default();
            let action = translated(t, &format!("journal-action-{}", r.entry.action), &r.entry.action);
            table = table.push(
                row![
                    cell(local_time(t, &r.time_utc, &r.time_local), 3),
                    cell(action, 2),
                    cell(file, 5),
                    cell(signer, 4),
                    outcome_cell(r, 3),
                ]
                .spacing(8),
            );
        }
        let body: Element<'_, Message> = if shown.is_empty() && self.loaded {
            text(t.tr("gui-journal-empty")).into()
        } else {
            scrollable(table).height(Fill).into()
        };
        column![
            text(t.tr("gui-journal-help")).size(13),
            tools,
            row![chain, space::horizontal(), text(t.tr_args("gui-journal-count", &[("n", &shown.len().to_string())]))],
            status,
            container(head).style(container::rounded_box).padding(6),
            rule::horizontal(1),
            body,
        ]
        .spacing(10)
        .width(Fill)
        .into()
    }
}

/// Reads the journal (blocking: run it off the UI thread), newest first.
pub fn load(data_dir: &std::path::Path, filter: &Filter) -> Result<Loaded, Text> {
    let j = kyso_journal::Journal::open_in(data_dir)
        .map_err(|e| Text::new("journal-write-failed").arg("detail", e.to_string()))?;
    let mut records = j.search(filter).map_err(|e| Text::new("journal-write-failed").arg("detail", e.to_string()))?;
    records.reverse();
    let chain = j.verify_chain().map_err(|e| Text::new("journal-write-failed").arg("detail", e.to_string()))?;
    Ok(Loaded { records, chain })
}

/// Vietnam's time (the journal's local time): UTC+7, no daylight saving.
fn vietnam() -> time::UtcOffset {
    time::UtcOffset::from_hms(7, 0, 0).unwrap_or(time::UtcOffset::UTC)
}

/// A record's time as people read it, in Vietnam's time to the second:
/// "29/11/2026 20:40:05" (Vietnamese), "2026-11-29 20:40:05" (English).
/// The stored text when it is not a time.
pub fn local_time(t: &Translator, utc: &str, stored_local: &str) -> String {
    let rfc = &time::format_description::well_known::Rfc3339;
    let Ok(at) = time::OffsetDateTime::parse(utc, rfc).or_else(|_| time::OffsetDateTime::parse(stored_local, rfc))
    else {
        return stored_local.to_owned();
    };
    let at = at.to_offset(vietnam());
    let (d, m, y) = (at.day(), u8::from(at.month()), at.year());
    let (hh, mm, ss) = (at.hour(), at.minute(), at.second());
    match t.lang() {
        kyso_i18n::Lang::Vi => format!("{d:02}/{m:02}/{y} {hh:02}:{mm:02}:{ss:02}"),
        _ => format!("{y}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}"),
    }
}

/// The message `key`, or `raw` when there is none.
fn translated(t: &Translator, key: &str, raw: &str) -> String {
    if t.has(key) { t.tr(key) } else { raw.to_owned() }
}

/// A record's result in words, with its colour: done, failed (and why),
/// or the verdict of a check.
fn outcome_text(t: &Translator, r: &Record) -> (String, fn(&iced::Theme) -> text::Style) {
    use crate::theme::{text_danger, text_success, text_warning};
    match r.entry.outcome.as_str() {
        "ok" => (t.tr("gui-journal-ok"), text_success),
        "failed" => {
            let why = r.entry.error_code.as_deref().map_or_else(
                || t.tr("journal-code-unknown"),
                |code| {
                    let key = format!("journal-code-{}", code.replace('_', "-"));
                    if t.has(&key) { t.tr(&key) } else { t.tr("journal-code-unknown") }
                },
            );
            (t.tr_args("gui-journal-failed", &[("reason", &why)]), text_danger)
        }
        "TOTAL_PASSED" => (t.tr("ind-total-passed"), text_success),
        "TOTAL_FAILED" => (t.tr("ind-total-failed"), text_danger),
        "INDETERMINATE" => (t.tr("ind-indeterminate"), text_warning),
        "NO_SIGNATURE" | "no_signature" => (t.tr("gui-journal-no-signature"), text_warning),
        other => {
            (translated(t, &format!("journal-outcome-{}", other.to_lowercase().replace('_', "-")), other), text_warning)
        }
    }
}

/// The name an export proposes: `nhat-ky-ky-so-2026-11-29.csv` (today in
/// Vietnam's time).
pub fn export_name(format: Format) -> String {
    let today = time::OffsetDateTime::now_utc().to_offset(vietnam()).date();
    let ext = match format {
        Format::Csv => "csv",
        Format::Json => "json",
    };
    format!("nhat-ky-ky-so-{:04}-{:02}-{:02}.{ext}", today.year(), u8::from(today.month()), today.day())
}

/// Writes `records` as CSV or JSON to `path` (blocking), through a
/// temporary file; returns the path.
pub fn export_to(path: &std::path::Path, format: Format, records: &[Record]) -> Result<PathBuf, Text> {
    let data = match format {
        Format::Csv => kyso_journal::to_csv(records).into_bytes(),
        Format::Json => serde_json::to_vec_pretty(records)
            .map_err(|e| Text::new("err-io").arg("path", path.display().to_string()).arg("detail", e.to_string()))?,
    };
    crate::screen::write_file(path, &data)?;
    Ok(path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: i64, action: &str, signer: &str, file: &str) -> Record {
        Record {
            id,
            time_utc: format!("2026-11-29T0{id}:00:00Z"),
            time_local: format!("2026-11-29T0{id}:00:00+07:00"),
            kyso_version: "0.1.0".into(),
            entry: kyso_journal::Entry {
                action: action.into(),
                signer_subject: Some(format!("CN={signer}, O=UBND")),
                input_path: Some(file.into()),
                outcome: "ok".into(),
                ..Default::default()
            },
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    #[test]
    fn filters_reload_and_search_narrows_without_reloading() {
        let mut j = Journal::default();
        assert!(matches!(j.update(Message::Refresh), Some(Event::Load(f)) if f.action.is_none()));
        // A second refresh while loading starts nothing.
        assert!(j.update(Message::Refresh).is_none());
        let loaded = Loaded {
            records: vec![
                record(2, "verify", "Trần Thị Bích", "/tmp/b.pdf"),
                record(1, "sign", "Nguyễn Văn A", "/tmp/to-trinh.docx"),
            ],
            chain: None,
        };
        let _ = j.update(Message::Loaded(Ok(loaded)));
        assert!(j.loaded);
        assert_eq!(j.shown().len(), 2);
        let _ = j.update(Message::SearchChanged("nguyễn".into()));
        assert_eq!(j.shown().len(), 1);
        let _ = j.update(Message::SearchChanged("DOCX".into()));
        assert_eq!(j.shown()[0].id, 1);
        assert!(
            matches!(j.update(Message::Action(Action::Sign)), Some(Event::Load(f)) if f.action.as_deref() == Some("sign"))
        );
        // Export takes what is shown.
        let Some(Event::Export(Format::Csv, rows)) = j.update(Message::Export(Format::Csv)) else {
            panic!("no export")
        };
        assert_eq!(rows.len(), 1);
    }

    #[test]
    fn a_broken_chain_and_load_errors_are_kept() {
        let mut j = Journal::default();
        let _ = j.update(Message::Loaded(Ok(Loaded {
            records: vec![],
            chain: Some(ChainBreak { entry_id: 3, kind: "edited" }),
        })));
        assert_eq!(j.chain, Some(Some(ChainBreak { entry_id: 3, kind: "edited" })));
        let _ = j.update(Message::Loaded(Err(Text::new("journal-write-failed").arg("detail", "x"))));
        assert!(matches!(j.status, Some(Err(_))));
    }

    #[test]
    fn export_writes_csv_and_json() {
        let dir = tempfile::tempdir().unwrap();
        let records = vec![record(1, "sign", "Nguyễn Văn A", "/tmp/a.pdf")];
        let csv = export_to(&dir.path().join(export_name(Format::Csv)), Format::Csv, &records).unwrap();
        let name = csv.file_name().unwrap().to_string_lossy().into_owned();
        // nhat-ky-ky-so-YYYY-MM-DD.csv, today in Vietnam's time.
        let today = time::OffsetDateTime::now_utc().to_offset(vietnam()).date();
        let date = format!("{}-{:02}-{:02}", today.year(), u8::from(today.month()), today.day());
        assert_eq!(name, format!("nhat-ky-ky-so-{date}.csv"));
        let text = std::fs::read_to_string(&csv).unwrap();
        assert!(text.starts_with('\u{feff}') && text.contains("Nguyễn Văn A"), "{text}");
        let json = export_to(&dir.path().join(export_name(Format::Json)), Format::Json, &records).unwrap();
        let back: Vec<Record> = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
        assert_eq!(back, records);
        assert!(std::fs::read_dir(dir.path()).unwrap().all(|e| e.unwrap().path().extension() != Some("part".as_ref())));
    }

    #[test]
    fn simulator_search_filter_and_export() {
        use iced_test::simulator;
        let vi = Translator::new(kyso_i18n::Lang::Vi);
        let mut j = Journal::default();
        let _ = j.update(Message::Loaded(Ok(Loaded {
            records: vec![record(1, "sign", "Nguyễn Văn A", "/tmp/to-trinh.docx")],
            chain: None,
        })));
        let mut ui = simulator(j.view(&vi));
        assert!(ui.find("Nguyễn Văn A").is_ok(), "the signer is listed");
        assert!(ui.find("to-trinh.docx").is_ok(), "the file is listed");
        assert!(ui.find(vi.tr("journal-intact").as_str()).is_ok(), "the chain state is shown");
        let _ = ui.click(vi.tr("journal-action-verify").as_str()).unwrap();
        let _ = ui.click(vi.tr("gui-journal-export-csv").as_str()).unwrap();
        let messages: Vec<Message> = ui.into_messages().collect();
        assert!(matches!(messages[0], Message::Action(Action::Verify)), "{messages:?}");
        assert!(matches!(messages[1], Message::Export(Format::Csv)), "{messages:?}");
    }
}
