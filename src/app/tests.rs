//! Tests of the application state.

use super::*;
use kyso_token::{ModuleSource, PinState, SlotReport, TokenError, TokenReport};

fn report() -> Vec<ModuleReport> {
    let token = TokenReport {
        label: "Nguyễn Văn A".into(),
        manufacturer: "Bit4id".into(),
        model: "miniLector".into(),
        serial: "123".into(),
        pin: PinState { initialized: true, final_try: true, ..Default::default() },
        protected_authentication_path: false,
        login_required: true,
        initialized: true,
    };
    vec![
        ModuleReport {
            path: "/usr/lib/libbit4xpki.so".into(),
            source: ModuleSource::WellKnown,
            vendor: Some("Bit4id"),
            loaded: true,
            error: None,
            library: None,
            slots: vec![SlotReport {
                slot_id: 0,
                description: "reader".into(),
                token_present: true,
                removable: true,
                token: Some(token),
                error: None,
            }],
        },
        ModuleReport {
            path: "/usr/lib/missing.so".into(),
            source: ModuleSource::Environment,
            vendor: None,
            loaded: false,
            error: Some(TokenError::ModuleNotFound { path: "/usr/lib/missing.so".into() }),
            library: None,
            slots: vec![],
        },
    ]
}

#[test]
fn boot_starts_a_scan_and_ticks_do_not_pile_up() {
    let (mut app, _task) = App::new(None, Lang::default(), Config::default(), PathBuf::from("/nonexistent"));
    assert!(app.tokens.is_scanning());
    assert!(app.tokens.modules().is_none());
    // A tick or a rescan while the scan is in flight starts nothing.
    assert_eq!(app.tokens.update(tokens::Message::Tick), None);
    assert_eq!(app.tokens.update(tokens::Message::Rescan), None);

    let _ = app.update(Message::Tokens(tokens::Message::ScanFinished(Some(report()))));
    assert!(!app.tokens.is_scanning());
    let modules = app.tokens.modules().expect("scan result");
    assert_eq!(modules.len(), 2);
    assert!(modules[0].slots[0].token.as_ref().is_some_and(|t| t.pin.final_try));

    // The next tick starts a new scan; a failed scan keeps the old list.
    assert_eq!(app.tokens.update(tokens::Message::Tick), Some(tokens::Event::Scan));
    let _ = app.update(Message::Tokens(tokens::Message::ScanFinished(None)));
    assert!(!app.tokens.is_scanning());
    assert_eq!(app.tokens.modules().map(<[_]>::len), Some(2));
}

#[test]
fn a_file_argument_asks_unless_a_choice_was_remembered() {
    let (app, _task) =
        App::new(Some("hop-dong.pdf".into()), Lang::default(), Config::default(), PathBuf::from("/nonexistent"));
    assert_eq!(app.tab, Tab::Home);
    assert_eq!(app.home.asking(), Some(Path::new("hop-dong.pdf")));
    assert!(!app.verify.is_running());
    let remembered = Config { open_with: Some(OpenAction::Verify), ..Config::default() };
    let dir = tempfile::tempdir().unwrap();
    let (app, _task) = App::new(Some("hop-dong.pdf".into()), Lang::default(), remembered, dir.path().into());
    assert_eq!(app.tab, Tab::Verify);
    assert!(app.verify.is_running());
    assert_eq!(app.verify.path(), "hop-dong.pdf");
    let (app, _task) = App::new(None, Lang::default(), Config::default(), PathBuf::from("/nonexistent"));
    assert_eq!(app.tab, Tab::Home);
    assert!(app.home.asking().is_none() && !app.verify.is_running());
}

#[test]
fn the_window_fits_the_screen() {
    // 1024×768 and 1366×768 screens: never larger than the screen less
    // room for a taskbar and a title bar.
    for (w, h) in [(1024.0, 768.0), (1366.0, 768.0), (1280.0, 720.0)] {
        let s = fitting_size(Size::new(w, h), None);
        assert!(s.width <= w - SCREEN_MARGIN.width && s.height <= h - SCREEN_MARGIN.height, "{s:?} on {w}×{h}");
        assert!(s.width >= MIN_SIZE.width && s.height >= MIN_SIZE.height, "{s:?}");
    }
    assert_eq!(fitting_size(Size::new(1920.0, 1080.0), None), PREFERRED_SIZE);
    // A kept size is restored when it fits, shrunk when it does not.
    assert_eq!(fitting_size(Size::new(1920.0, 1080.0), Some([1500, 900])), Size::new(1500.0, 900.0));
    assert_eq!(fitting_size(Size::new(1024.0, 768.0), Some([1500, 900])), Size::new(1000.0, 680.0));
    // A kept place is used when the window lies wholly on the screen.
    let (screen, size) = (Size::new(1366.0, 768.0), Size::new(1180.0, 680.0));
    assert_eq!(fitting_position(screen, size, Some([100, 40])), iced::Point::new(100.0, 40.0));
    assert_eq!(fitting_position(screen, size, Some([400, 40])), iced::Point::new(93.0, 44.0));
    assert_eq!(fitting_position(screen, size, Some([-5, 0])), iced::Point::new(93.0, 44.0));
    assert_eq!(fitting_position(screen, size, None), iced::Point::new(93.0, 44.0));
    let opening = OPENING_SIZE;
    assert!(opening.width <= 1024.0 - SCREEN_MARGIN.width && opening.height <= 768.0 - SCREEN_MARGIN.height);
}

#[test]
fn dropped_files_go_to_the_current_screen() {
    let (mut app, _task) = App::new(None, Lang::En, Config::default(), PathBuf::from("/nonexistent"));
    let _ = app.update(Message::Tab(Tab::Sign));
    assert!(app.sign.is_busy(), "the certificate list is loading");
    // Token rescans pause while the signing screen uses the token.
    let _ = app.update(Message::Tokens(tokens::Message::ScanFinished(Some(report()))));
    let _ = app.update(Message::Tokens(tokens::Message::Tick));
    assert!(!app.tokens.is_scanning());
    let _ = app.update(Message::FileDropped("/tmp/a.pdf".into()));
    assert_eq!(app.sign.output(), "/tmp/a.signed.pdf");
    assert!(!app.verify.is_running());
    let _ = app.update(Message::Tab(Tab::Tokens));
    let _ = app.update(Message::FileDropped("/tmp/b.pdf".into()));
    assert_eq!(app.tab, Tab::Verify);
    assert_eq!(app.verify.path(), "/tmp/b.pdf");
    let _ = app.view();
}

#[test]
fn a_chosen_module_is_kept_in_the_settings_and_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, _task) = App::new(None, Lang::Vi, Config::default(), dir.path().to_owned());
    let _ = app.update(Message::Tokens(tokens::Message::ScanFinished(Some(Vec::new()))));
    assert!(!app.tokens.is_scanning());
    let _ = app.update(Message::Tokens(tokens::Message::ModulePicked(Some("/opt/bit4id/libbit4xpki.so".into()))));
    assert_eq!(app.config.modules, [PathBuf::from("/opt/bit4id/libbit4xpki.so")]);
    assert!(app.tokens.is_scanning(), "a scan with the new module started");
    // Cancelling the dialog changes nothing.
    let _ = app.update(Message::Tokens(tokens::Message::ModulePicked(None)));
    assert_eq!(app.config.modules.len(), 1);
    let _ = app.view();
}

#[test]
fn keys_switch_screens_and_escape_closes_the_pin_dialog() {
    use iced::keyboard::{Event, Key, Location, Modifiers, key};
    let press = |key: Key, modifiers: Modifiers| Event::KeyPressed {
        key: key.clone(),
        modified_key: key,
        physical_key: key::Physical::Unidentified(key::NativeCode::Unidentified),
        location: Location::Standard,
        modifiers,
        text: None,
        repeat: false,
    };
    let (mut app, _task) = App::new(None, Lang::Vi, Config::default(), PathBuf::from("/nonexistent"));
    let _ = app.update(Message::Key(press(Key::Character("3".into()), Modifiers::CTRL)));
    assert_eq!(app.tab, Tab::Sign);
    let _ = app.update(Message::Key(press(Key::Character("6".into()), Modifiers::CTRL)));
    assert_eq!(app.tab, Tab::Settings);
    let _ = app.update(Message::Key(press(Key::Character("9".into()), Modifiers::CTRL)));
    assert_eq!(app.tab, Tab::Settings);
    // Tab moves the focus (a widget operation, not a message).
    let _ = app.update(Message::Key(press(Key::Named(key::Named::Tab), Modifiers::SHIFT)));
    // Escape closes the PIN dialog and wipes what was typed.
    let _ = app.update(Message::Key(press(Key::Character("3".into()), Modifiers::CTRL)));
    let choice = crate::screen::sign::tests::choice("Good", kyso_token::PinState::default(), vec![]);
    let _ = app
        .update(Message::Sign(sign::Message::Certificate(sign::certificate::Message::Loaded(Some(Ok(vec![choice]))))));
    let _ = app.update(Message::Sign(sign::Message::Files(sign::files::Message::InputChanged("/tmp/a.pdf".into()))));
    let _ = app.update(Message::Sign(sign::Message::Sign));
    // The check before the PIN (run by the task just returned) found nothing.
    let _ = app.update(Message::Sign(sign::Message::Checked(1, Some(Vec::new()))));
    assert!(app.sign.pin_dialog_open(), "{:?}", app.sign.result());
    let _ = app
        .update(Message::Sign(sign::Message::Pin(crate::modal::pin::Message::Changed(sign::Secret::new("12".into())))));
    let _ = app.update(Message::Key(press(Key::Named(key::Named::Escape), Modifiers::empty())));
    assert!(!app.sign.pin_dialog_open() && !app.sign.holds_pin());
}

#[test]
fn language_toggle_switches_the_translator() {
    let (mut app, _task) =
        App::new(Some("hop-dong.pdf".into()), Lang::default(), Config::default(), PathBuf::from("/nonexistent"));
    assert_eq!(app.translator.lang(), Lang::Vi);
    assert_eq!(app.title(), "Kyso — Ký số");
    let _ = app.update(Message::Language(Lang::En));
    assert_eq!(app.translator.lang(), Lang::En);
    assert_eq!(app.title(), "Kyso — Digital signing");
    let _ = app.update(Message::Language(Lang::Vi));
    assert_eq!(app.translator.tr("gui-rescan"), "Quét lại");
    // The view builds in both languages with a scan result shown.
    let _ = app.update(Message::Tokens(tokens::Message::ScanFinished(Some(report()))));
    let _ = app.view();
    for tab in Tab::ALL {
        let _ = app.update(Message::Tab(tab));
        let _ = app.view();
        assert!(app.translator.has(tab.key()));
    }
}
