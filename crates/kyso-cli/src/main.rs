//! `kyso-cli`: Kyso's command line. Human output is Vietnamese by default
//! (`--lang en` for English); `--json` gives the stable documented format
//! (docs/cli.md). Exit codes: 0 ok, 2 usage error, 3 nothing found, 4 module
//! or token error, 5 I/O error, 6 document or certificate refused.
#![forbid(unsafe_code)]

mod bridge;
mod extend;
mod journal;
mod output;
mod sign;
mod tokens;
mod trust;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use kyso_i18n::{Lang, Translator};

/// Exit codes (docs/cli.md).
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// Usage error (clap uses 2 as well).
    pub const USAGE: u8 = 2;
    /// No token or certificate found.
    pub const NOT_FOUND: u8 = 3;
    /// A module or token error (including a wrong PIN).
    pub const TOKEN: u8 = 4;
    /// Reading or writing a file failed.
    pub const IO: u8 = 5;
    /// The document was refused (encrypted, certified without changes
    /// allowed, damaged) or the certificate may not sign.
    pub const REFUSED: u8 = 6;
}

#[derive(Parser)]
#[command(name = "kyso-cli", version, about = "Kyso — ký số / digital signing (PDF, DOCX) with PKCS#11 tokens")]
struct Cli {
    /// Language of human output: vi (default) or en. Also KYSO_LANG.
    #[arg(long, global = true, value_parser = parse_lang)]
    lang: Option<Lang>,
    /// Machine-readable JSON output (docs/cli.md).
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("unknown language {s:?} (vi, en)"))
}

/// Where to look for PKCS#11 modules.
#[derive(Args, Clone, Debug, Default)]
pub struct ModuleArgs {
    /// PKCS#11 module to load (absolute path; repeatable). Without it Kyso
    /// tries KYSO_PKCS11_MODULE, then the usual install locations and p11-kit.
    #[arg(long = "module", value_name = "PATH")]
    pub modules: Vec<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// List PKCS#11 modules, slots and tokens with their PIN state.
    Tokens {
        #[command(flatten)]
        modules: ModuleArgs,
    },
    /// List the certificates on the tokens and whether a private key pairs with each.
    Certs {
        #[command(flatten)]
        modules: ModuleArgs,
        /// Only the token with this label or serial number.
        #[arg(long, value_name = "LABEL_OR_SERIAL")]
        token: Option<String>,
        /// Log in first (PIN read from the first line of standard input) so
        /// private keys are seen directly. The PIN is never logged or stored.
        #[arg(long)]
        pin_stdin: bool,
    },
    /// Sign PDF files (PAdES B-B, incremental update: earlier signatures stay valid).
    Sign(Box<sign::SignArgs>),
    /// Check the signatures of PDF files (exit 0 all valid, 1 any invalid, 2 otherwise).
    Verify(verify::VerifyArgs),
    /// Upgrade a signed PDF to PAdES B-LT (DSS) or B-LTA (plus a document timestamp).
    Extend(extend::ExtendArgs),
    /// Trust anchors: add (checked against the VGCA pins), list, remove.
    #[command(subcommand)]
    Trust(trust::TrustCommand),
    /// The local activity journal: list, filter, export (--csv, --json), `log verify`.
    Log(journal::LogArgs),
    /// The e-office bridge: `serve` (wss://127.0.0.1:8987 without the desktop app), `trust`.
    #[command(subcommand)]
    Bridge(bridge::BridgeCommand),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // `verify` uses 0–2 for verdicts: its usage errors are 3.
            let verifying = std::env::args().skip(1).find(|a| !a.starts_with('-')).is_some_and(|a| a == "verify");
            let usage = if verifying { verify::USAGE } else { exit::USAGE };
            let code = if e.use_stderr() { usage } else { exit::OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let lang = cli.lang.or_else(|| std::env::var("KYSO_LANG").ok().and_then(|l| Lang::parse(&l))).unwrap_or_default();
    let t = Translator::new(lang);
    let code = match cli.command {
        Command::Tokens { modules } => tokens::tokens(&t, &modules, cli.json),
        Command::Certs { modules, token, pin_stdin } => {
            tokens::certs(&t, &modules, token.as_deref(), pin_stdin, cli.json)
        }
        Command::Sign(args) => sign::sign(&t, &args, cli.json),
        Command::Verify(args) => verify::verify(&t, &args, cli.json),
        Command::Log(args) => journal::log(&t, &args, cli.json),
        Command::Extend(args) => extend::extend(&t, &args, cli.json),
        Command::Trust(cmd) => trust::trust(&t, &cmd, cli.json),
        Command::Bridge(cmd) => bridge::bridge(&cmd, cli.json),
    };
    ExitCode::from(code)
}
