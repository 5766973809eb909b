//! Kyso (ký số): desktop signing client for Vietnamese government USB tokens.
//!
//! Usage: `kyso [--verify | --sign [--role ROLE]] [FILE]`. With a file and no option the
//! home screen asks whether to check or sign it (unless the user asked for
//! a choice to be remembered); the options answer beforehand (the desktop
//! entry's "Kiểm tra chữ ký" and "Ký số" actions). `--role` (the NĐ 30 role
//! names of `kyso-cli sign --role`: approver, issuer, appendix, copy) opens
//! the sign screen with that role chosen. The interface language is Vietnamese unless
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
    /// The role chosen on the sign screen (`--role`).
    pub role: Option<screen::sign::RoleChoice>,
}

/// What is wrong with the command line.
#[derive(Debug, PartialEq, Eq)]
enum Usage {
    /// An argument that does not belong (unknown option, second file,
    /// `--role` with `--verify`).
    Unexpected(String),
    /// `--role` with a value that is not a role (empty: no value).
    Role(String),
}

/// Parses `kyso [--verify | --sign [--role ROLE]] [FILE]`. `--role` takes
/// the role names of `kyso-cli sign --role` (parsed by the same
/// [`kyso_core::Role::parse`]) and implies `--sign`.
fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Args, Usage> {
    use screen::settings::OpenAction;
    let mut out = Args::default();
    let mut only_files = false;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let is_option = arg.to_str().is_some_and(|s| s.starts_with('-') && s.len() > 1);
        let action = match arg.to_str() {
            Some("--verify") => Some(OpenAction::Verify),
            Some("--sign") => Some(OpenAction::Sign),
            _ => None,
        };
        // `--role NAME` or `--role=NAME`.
        let role = match arg.to_str().filter(|_| !only_files) {
            Some("--role") => Some(args.next().map(|v| v.to_string_lossy().into_owned()).unwrap_or_default()),
            Some(s) => s.strip_prefix("--role=").map(str::to_owned),
            None => None,
        };
        if !only_files && arg == "--" {
            only_files = true;
        } else if let Some(name) = role {
            let Some(role) = kyso_core::Role::parse(&name) else { return Err(Usage::Role(name)) };
            if out.role.is_some() || out.action == Some(OpenAction::Verify) {
                return Err(Usage::Unexpected(arg.to_string_lossy().into_owned()));
            }
            out.role = Some(screen::sign::RoleChoice::from_role(role));
        } else if let (false, Some(action), None) = (only_files, action, out.action) {
            if action == OpenAction::Verify && out.role.is_some() {
                return Err(Usage::Unexpected(arg.to_string_lossy().into_owned()));
            }
            out.action = Some(action);
        } else if (!only_files && is_option) || out.file.is_some() {
            return Err(Usage::Unexpected(arg.to_string_lossy().into_owned()));
        } else {
            out.file = Some(PathBuf::from(arg));
        }
    }
    if out.role.is_some() {
        out.action = Some(OpenAction::Sign);
    }
    Ok(out)
}

fn main() -> iced::Result {
    let env_lang = std::env::var("KYSO_LANG").ok().and_then(|s| Lang::parse(&s));
    let args = match parse_args(std::env::args_os().skip(1)) {
        Ok(args) => args,
        Err(usage) => {
            let t = Translator::new(env_lang.unwrap_or_default());
            match usage {
                Usage::Unexpected(arg) => eprintln!("{}", t.tr_args("err-usage", &[("detail", &arg)])),
                Usage::Role(name) => eprintln!("{}", t.tr_args("err-gui-role", &[("role", &name)])),
            }
            std::process::exit(2);
        }
    };
    // Without a display server winit cannot open a window and panics; say
    // so in words instead (a session over SSH, a service, a console).
    if let Some(missing) = no_display() {
        let t = Translator::new(env_lang.unwrap_or_default());
        eprintln!("{}", t.tr_args("err-gui-no-display", &[("detail", missing)]));
        std::process::exit(1);
    }
    app::run(args, env_lang)
}

/// On Linux and the BSDs: the variables a window needs, when none is set.
fn no_display() -> Option<&'static str> {
    if cfg!(any(target_os = "windows", target_os = "macos")) {
        return None;
    }
    let set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
    if ["DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET"].iter().any(|k| set(k)) {
        None
    } else {
        Some("DISPLAY, WAYLAND_DISPLAY")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: &[&str]) -> Result<Args, Usage> {
        parse_args(v.iter().map(OsString::from))
    }

    fn unexpected(arg: &str) -> Result<Args, Usage> {
        Err(Usage::Unexpected(arg.into()))
    }

    #[test]
    fn file_argument_is_optional_and_single() {
        use screen::settings::OpenAction;
        assert_eq!(parse(&[]), Ok(Args::default()));
        assert_eq!(parse(&["a.pdf"]), Ok(Args { file: Some("a.pdf".into()), ..Args::default() }));
        assert_eq!(parse(&["--", "-x.pdf"]), Ok(Args { file: Some("-x.pdf".into()), ..Args::default() }));
        assert_eq!(parse(&["a.pdf", "b.pdf"]), unexpected("b.pdf"));
        assert_eq!(parse(&["--bogus"]), unexpected("--bogus"));
        // The desktop entry's actions.
        let sign = Args { file: Some("a.pdf".into()), action: Some(OpenAction::Sign), role: None };
        assert_eq!(parse(&["--sign", "a.pdf"]), Ok(sign));
        assert_eq!(parse(&["--verify", "--", "--sign"]).map(|a| a.action), Ok(Some(OpenAction::Verify)));
        assert_eq!(parse(&["--verify", "--sign", "a.pdf"]), unexpected("--sign"));
    }

    #[test]
    fn role_takes_the_cli_role_names_and_means_signing() {
        use screen::settings::OpenAction;
        use screen::sign::RoleChoice;
        let issuer =
            Args { file: Some("qd.pdf".into()), action: Some(OpenAction::Sign), role: Some(RoleChoice::Issuer) };
        assert_eq!(parse(&["--sign", "qd.pdf", "--role", "issuer"]), Ok(issuer));
        assert_eq!(
            parse(&["--role=approver", "qd.pdf"]).map(|a| (a.action, a.role)),
            Ok((Some(OpenAction::Sign), Some(RoleChoice::Approver)))
        );
        for (name, role) in [("appendix", RoleChoice::Appendix), ("copy", RoleChoice::Copy)] {
            assert_eq!(parse(&["--sign", "--role", name]).map(|a| a.role), Ok(Some(role)));
        }
        // Names kyso-cli refuses are refused here too.
        assert_eq!(parse(&["--sign", "--role", "clerk"]), Err(Usage::Role("clerk".into())));
        assert_eq!(parse(&["--sign", "--role", "Issuer"]), Err(Usage::Role("Issuer".into())));
        assert_eq!(parse(&["--sign", "--role", "none"]), Err(Usage::Role("none".into())));
        assert_eq!(parse(&["--sign", "--role"]), Err(Usage::Role(String::new())));
        // Signing only, once; after `--` it is a file name.
        assert_eq!(parse(&["--verify", "--role", "issuer"]), unexpected("--role"));
        assert_eq!(parse(&["--role", "issuer", "--verify"]), unexpected("--verify"));
        assert_eq!(parse(&["--role", "issuer", "--role", "copy"]), unexpected("--role"));
        assert_eq!(
            parse(&["--sign", "--", "--role=copy"]).map(|a| (a.file, a.role)),
            Ok((Some("--role=copy".into()), None))
        );
    }
}
