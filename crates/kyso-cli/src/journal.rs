//! Journaling every CLI action, and `kyso-cli log`.

use clap::{Args, Subcommand};
use kyso_i18n::Translator;
use kyso_journal::{Entry, Filter, Journal, to_csv};

use crate::output::print_json;

/// Records `entry`; a journal failure is reported on stderr and never
/// hides the result of the action itself.
pub fn record(t: &Translator, entry: &Entry) {
    match Journal::open_default() {
        Ok(mut j) => {
            if let Some(w) = &j.warning {
                eprintln!("{}", t.tr_args("journal-recovered", &[("detail", w)]));
            }
            if let Err(e) = j.append(entry) {
                eprintln!("{}", t.tr_args("journal-write-failed", &[("detail", &e.to_string())]));
            }
        }
        Err(e) => eprintln!("{}", t.tr_args("journal-write-failed", &[("detail", &e.to_string())])),
    }
}

/// Reports a journal problem met by kyso-core on stderr.
pub fn problem(t: &Translator, p: &kyso_core::JournalProblem) {
    match p {
        kyso_core::JournalProblem::Recovered(w) => eprintln!("{}", t.tr_args("journal-recovered", &[("detail", w)])),
        kyso_core::JournalProblem::WriteFailed(d) => {
            eprintln!("{}", t.tr_args("journal-write-failed", &[("detail", d)]))
        }
    }
}

/// `kyso-cli log`.
#[derive(Args, Debug)]
pub struct LogArgs {
    #[command(subcommand)]
    command: Option<LogCommand>,
    /// From this date or time (UTC, e.g. 2026-11-01).
    #[arg(long)]
    since: Option<String>,
    /// Until this date or time (UTC, inclusive).
    #[arg(long)]
    until: Option<String>,
    /// Only this action (sign, verify, …).
    #[arg(long)]
    action: Option<String>,
    /// Text in the signer's name.
    #[arg(long)]
    signer: Option<String>,
    /// Text in the file path.
    #[arg(long)]
    file: Option<String>,
    /// CSV (Vietnamese headers, UTF-8 with BOM for Excel).
    #[arg(long)]
    csv: bool,
}

#[derive(Subcommand, Debug)]
enum LogCommand {
    /// Check the journal's hash chain; reports the first broken entry.
    Verify,
}

/// Exit code when the chain is broken.
const BROKEN: u8 = 1;

/// `kyso-cli log` and `kyso-cli log verify`.
pub fn log(t: &Translator, args: &LogArgs, json: bool) -> u8 {
    let journal = match Journal::open_default() {
        Ok(j) => j,
        Err(e) => {
            eprintln!("{}", t.tr_args("journal-write-failed", &[("detail", &e.to_string())]));
            return crate::exit::IO;
        }
    };
    if let Some(w) = &journal.warning {
        eprintln!("{}", t.tr_args("journal-recovered", &[("detail", w)]));
    }
    if let Some(LogCommand::Verify) = args.command {
        return match journal.verify_chain() {
            Ok(None) => {
                if json {
                    print_json(&serde_json::json!({"intact": true, "broken_at": null}));
                } else {
                    println!("{}", t.tr("journal-intact"));
                }
                crate::exit::OK
            }
            Ok(Some(b)) => {
                if json {
                    print_json(&serde_json::json!({"intact": false, "broken_at": b.entry_id, "kind": b.kind}));
                } else {
                    println!(
                        "{}",
                        t.tr_args(
                            "journal-broken",
                            &[
                                ("id", &b.entry_id.to_string()),
                                ("kind", &t.tr(&format!("journal-break-{}", b.kind.replace('_', "-"))))
                            ]
                        )
                    );
                }
                BROKEN
            }
            Err(e) => {
                eprintln!("{e}");
                crate::exit::IO
            }
        };
    }
    let filter = Filter {
        since: args.since.clone(),
        until: args.until.clone(),
        action: args.action.clone(),
        signer: args.signer.clone(),
        file: args.file.clone(),
    };
    let records = match journal.search(&filter) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return crate::exit::IO;
        }
    };
    if args.csv {
        print!("{}", to_csv(&records));
    } else if json {
        print_json(&records);
    } else {
        for r in &records {
            let e = &r.entry;
            println!(
                "#{} {} {} {} {} {}",
                r.id,
                r.time_local,
                t.tr(&format!("journal-action-{}", e.action)),
                e.input_path.as_deref().unwrap_or("-"),
                e.signer_subject.as_deref().unwrap_or("-"),
                if e.outcome == "ok" || e.outcome == "TOTAL_PASSED" {
                    e.outcome.clone()
                } else {
                    format!("{} {}", e.outcome, e.error_code.clone().unwrap_or_default())
                }
            );
        }
    }
    crate::exit::OK
}
