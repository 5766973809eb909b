//! Journaling an action; a journal problem never hides the action's result.

use std::path::Path;

/// Something went wrong with the journal while an action was recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JournalProblem {
    /// A damaged journal was moved aside and a new one started.
    Recovered(String),
    /// The entry could not be written.
    WriteFailed(String),
}

/// Appends `entry` to the journal of `data_dir`; what went wrong is
/// returned, in the order it happened.
pub fn record(data_dir: &Path, entry: &kyso_journal::Entry) -> Vec<JournalProblem> {
    let mut out = Vec::new();
    match kyso_journal::Journal::open_in(data_dir) {
        Ok(mut j) => {
            if let Some(w) = &j.warning {
                out.push(JournalProblem::Recovered(w.clone()));
            }
            if let Err(e) = j.append(entry) {
                out.push(JournalProblem::WriteFailed(e.to_string()));
            }
        }
        Err(e) => out.push(JournalProblem::WriteFailed(e.to_string())),
    }
    out
}
