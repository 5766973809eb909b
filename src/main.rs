//! Kyso (ký số): desktop signing client for Vietnamese government USB tokens.
//!
//! Usage: `kyso [--verify | --sign] [FILE]`. With a file and no option the
//! home screen asks whether to check or sign it (unless the user asked for
//! a choice to be remembered); the options answer beforehand (the desktop
//! entry's "Kiểm tra chữ ký" and "Ký số" actions). The interface language is Vietnamese unless
//! `KYSO_LANG` says otherwise (`en`, `en_US.UTF-8`, …).
#![forbid(unsafe_code)]

mod app;
mod font;
mod i18n;
mod modal;
mod screen;
mod theme;
mod widget;

use std::ffi::OsString;
use std::path::PathBuf;

use kyso_i18n::{Lang, Translator};

/// Command-line arguments.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Args {
    /// A document to open.
    pub file: Option<PathBuf>,
    /// What to do with it (`--verify`, `--sign`); `None`: ask.
    pub action: Option<screen::settings::OpenAction>,
}

/// Parses `kyso [--verify | --sign] [FILE]`; the error is the offending
/// argument.
fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Args, String> {
    use screen::settings::OpenAction;
    let mut out = Args::default();
    let mut only_files = false;
    for arg in args {
        let is_option = arg.to_str().is_some_and(|s| s.starts_with('-') && s.len() > 1);
        let action = match arg.to_str() {
            Some("--verify") => Some(OpenAction::Verify),
            Some("--sign") => Some(OpenAction::Sign),
            _ => None,
        };
        if !only_files && arg == "--" {
            only_files = true;
        } else if let (false, Some(action), None) = (only_files, action, out.action) {
            out.action = Some(action);
        } else if (!only_files && is_option) || out.file.is_some() {
            return Err(arg.to_string_lossy().into_owned());
        } else {
            out.file = Some(PathBuf::from(arg));
        }
    }
    Ok(out)
}

fn main() -> iced::Result {
    let env_lang = std::env::var("KYSO_LANG").ok().and_then(|s| Lang::parse(&s));
    let args = match parse_args(std::env::args_os().skip(1)) {
        Ok(args) => args,
        Err(arg) => {
            let t = Translator::new(env_lang.unwrap_or_default());
            eprintln!("{}", t.tr_args("err-usage", &[("detail", &arg)]));
            std::process::exit(2);
        }
    };
    app::run(args, env_lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: &[&str]) -> Result<Args, String> {
        parse_args(v.iter().map(OsString::from))
    }

    #[test]
    fn file_argument_is_optional_and_single() {
        use screen::settings::OpenAction;
        assert_eq!(parse(&[]), Ok(Args::default()));
        assert_eq!(parse(&["a.pdf"]), Ok(Args { file: Some("a.pdf".into()), action: None }));
        assert_eq!(parse(&["--", "-x.pdf"]), Ok(Args { file: Some("-x.pdf".into()), action: None }));
        assert_eq!(parse(&["a.pdf", "b.pdf"]), Err("b.pdf".into()));
        assert_eq!(parse(&["--bogus"]), Err("--bogus".into()));
        // The desktop entry's actions.
        let sign = Args { file: Some("a.pdf".into()), action: Some(OpenAction::Sign) };
        assert_eq!(parse(&["--sign", "a.pdf"]), Ok(sign));
        assert_eq!(parse(&["--verify", "--", "--sign"]).map(|a| a.action), Ok(Some(OpenAction::Verify)));
        assert_eq!(parse(&["--verify", "--sign", "a.pdf"]), Err("--sign".into()));
    }
}
