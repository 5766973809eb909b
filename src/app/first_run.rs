//! Flows of a new user through [`App::update`] and the rendered window
//! (iced_test): the first start on the home screen, a file given by the
//! file manager, Kyso's own file chooser when the system's cannot open, the
//! journal searched without diacritics, settings kept across a restart,
//! and the primary buttons inside 1024×768 and 1366×768 screens. Real
//! components: the fixture's SoftHSM tokens, the journal, the files.

use iced_test::simulator;

use super::flows::{click, send, settle, shows, type_into};
use super::*;

fn vi() -> Translator {
    Translator::new(Lang::Vi)
}

/// Types `typed` over what a field holds (Ctrl+A first), then presses
/// Enter: the field showing `shown`, or the chooser's path field (`None`).
fn type_over(app: &mut App, shown: Option<&str>, typed: &str) {
    use iced::keyboard::key;
    let mut ui = simulator(app.view());
    let clicked = match shown {
        Some(label) => ui.click(label).map(|_| ()),
        None => ui.click(iced::widget::Id::new(file_chooser::PATH_ID)).map(|_| ()),
    };
    if let Err(e) = clicked {
        panic!("no field {shown:?}: {e:?}");
    }
    // Move to the end, then erase what is there.
    let _ = ui.tap_key(key::Named::End);
    for _ in 0..300 {
        let _ = ui.tap_key(key::Named::Backspace);
    }
    let _ = ui.typewrite(typed);
    let _ = ui.tap_key(iced::keyboard::key::Named::Enter);
    let messages: Vec<Message> = ui.into_messages().collect();
    for m in messages {
        send(app, m);
    }
}

#[test]
fn first_run_starts_on_the_home_screen_with_the_token_in_plain_words() {
    let fx = kyso_testkit::require_fixture!();
    let dir = tempfile::tempdir().expect("tempdir");
    let t = vi();
    let (mut app, boot) = App::new(None, Lang::Vi, Config::default(), dir.path().to_owned());
    // Before the first scan ends: the jobs, the help and no recent file.
    assert_eq!(app.tab, Tab::Home);
    for key in ["home-sign", "home-verify", "home-tokens", "home-help", "home-recent-none", "home-token-searching"] {
        assert!(shows(&app, &t.tr(key)), "{key} on the home screen");
    }
    settle(&mut app, boot);

    // With the fixture's tokens configured, the state is told in words:
    // the device's name and the certificate holder, no slot numbers and no
    // PIN flags.
    let config = Config { modules: vec![fx.module.clone()], ..Config::default() };
    let (mut app, boot) = App::new(None, Lang::Vi, config, dir.path().to_owned());
    settle(&mut app, boot);
    let (status, ready) = app.tokens.summary();
    assert!(ready, "{status:?}: {:#?}", app.tokens.modules());
    let line = status.render(&t);
    // One of the fixture's tokens (other tests may add their own), named
    // with the holder of its signing certificate.
    let labels: Vec<&str> = app
        .tokens
        .modules()
        .into_iter()
        .flatten()
        .flat_map(|m| &m.slots)
        .filter_map(|s| s.token.as_ref())
        .map(|tok| tok.label.as_str())
        .filter(|l| !l.is_empty())
        .collect();
    assert!(labels.iter().any(|l| line.contains(&format!("\"{l}\""))), "{line} names none of {labels:?}");
    assert!(line.contains("Nguyễn Văn A") || line.contains("Sở Thông tin và Truyền thông"), "{line}");
    assert!(shows(&app, &line), "{line}");
    for technical in ["tokens-slot-empty", "pin-not-initialized", "pin-ok", "token-serial"] {
        assert!(!shows(&app, &t.tr(technical)), "{technical} is for the device screen");
    }
    // The device screen is one click away.
    click(&mut app, &t.tr("home-tokens"));
    assert_eq!(app.tab, Tab::Tokens);
    assert!(shows(&app, kyso_testkit::tokens::CANHAN));
}

#[test]
fn a_file_from_the_file_manager_asks_check_or_sign_and_remembers() {
    // The boot scan loads PKCS#11 modules: the fixture's SoftHSM setting
    // must be in place first (see kyso-testkit).
    let _fx = kyso_testkit::require_fixture!();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let pdf = dir.path().join("Tờ trình.pdf");
    kyso_testkit::minimal_pdf(&pdf, 1);
    let t = vi();

    // "kyso FILE": the question, not the verification.
    let (mut app, boot) = App::new(Some(pdf.clone()), Lang::Vi, Config::default(), data.clone());
    settle(&mut app, boot);
    assert_eq!(app.tab, Tab::Home);
    assert!(shows(&app, &t.tr_args("home-ask", &[("file", "Tờ trình.pdf")])));
    assert!(!app.verify.is_running() && app.verify.path().is_empty());
    // Check it: the verify screen runs on it; it becomes a recent file.
    click(&mut app, &t.tr("home-ask-verify"));
    assert_eq!(app.tab, Tab::Verify);
    assert_eq!(app.verify.path(), pdf.display().to_string());
    assert!(app.verify.overall().is_some() || !app.verify.is_running(), "the check ran to its end");
    assert_eq!(app.config.recent, std::slice::from_ref(&pdf));

    // Again, now signing it and asking for the choice to be remembered.
    let (mut app, boot) = App::new(Some(pdf.clone()), Lang::Vi, Config::load(&Config::path(&data)), data.clone());
    settle(&mut app, boot);
    assert!(shows(&app, pdf.file_name().unwrap().to_str().unwrap()), "the recent file is listed");
    send(&mut app, Message::Home(home::Message::Remember(true)));
    click(&mut app, &t.tr("home-ask-sign"));
    assert_eq!(app.tab, Tab::Sign);
    assert_eq!(app.sign.output(), dir.path().join("Tờ trình.signed.pdf").display().to_string());
    assert_eq!(Config::load(&Config::path(&data)).open_with, Some(OpenAction::Sign), "kept on disk");

    // The next "kyso FILE" signs without asking; the settings can undo it.
    let (mut app, boot) = App::new(Some(pdf.clone()), Lang::Vi, Config::load(&Config::path(&data)), data.clone());
    settle(&mut app, boot);
    assert_eq!(app.tab, Tab::Sign);
    assert!(app.home.asking().is_none());
    send(&mut app, Message::Tab(Tab::Settings));
    click(&mut app, &t.tr("gui-settings-open-with-ask"));
    assert_eq!(Config::load(&Config::path(&data)).open_with, None);

    // A recent file clicked on the home screen asks the same question.
    send(&mut app, Message::Tab(Tab::Home));
    click(&mut app, "Tờ trình.pdf");
    assert_eq!(app.home.asking(), Some(pdf.as_path()));
    // A file dropped on the home screen too.
    send(&mut app, Message::Home(home::Message::Dismiss));
    send(&mut app, Message::FileDropped(pdf.clone()));
    assert!(shows(&app, &t.tr("home-ask-sign")));
}

#[test]
fn when_the_system_dialog_cannot_open_kysos_chooser_picks_the_file() {
    // The boot scan loads PKCS#11 modules: the fixture's SoftHSM setting
    // must be in place first (see kyso-testkit).
    let _fx = kyso_testkit::require_fixture!();
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = dir.path().join("Văn bản đến");
    std::fs::create_dir(&folder).expect("folder");
    let pdf = folder.join("cong-van-123.pdf");
    kyso_testkit::minimal_pdf(&pdf, 1);
    std::fs::write(folder.join("ghi-chu.txt"), b"not a document").expect("txt");
    let t = vi();

    // Without an XDG portal and without zenity (CI, a bare desktop), the
    // system's dialog answers at once: that is "could not open", not
    // "cancelled". (Where a dialog can open, it would wait for a person.)
    let no_portal = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none();
    let no_zenity = std::process::Command::new("zenity").arg("--version").output().is_err();
    if no_portal && no_zenity {
        let answer = iced::futures::executor::block_on(system_dialog(Mode::Open, "t".into(), None));
        assert_eq!(answer, Dialog::Unavailable);
    }

    let (mut app, boot) = App::new(None, Lang::Vi, Config::default(), dir.path().join("data"));
    settle(&mut app, boot);
    // "Kiểm tra chữ ký" on the home screen asks for a file; the dialog
    // could not open: Kyso's chooser says so and shows.
    let task = app.update(Message::Home(home::Message::Verify));
    drop(task);
    send(&mut app, Message::Dialog(Pick::Verify, Dialog::Unavailable));
    assert!(shows(&app, &t.tr("gui-fc-no-system-dialog")), "the user is told why");
    assert!(shows(&app, &t.tr("gui-fc-home")) && shows(&app, &t.tr("gui-fc-root")), "places listed");

    // The path field leads to the folder; only documents are listed.
    type_over(&mut app, None, &dir.path().display().to_string());
    click(&mut app, "Văn bản đến/");
    assert!(shows(&app, "cong-van-123.pdf"));
    assert!(!shows(&app, "ghi-chu.txt"), "filtered by kind");
    // Clicking the file selects it, "Chọn" checks it.
    click(&mut app, "cong-van-123.pdf");
    click(&mut app, &t.tr("gui-fc-choose"));
    assert!(app.chooser.is_none());
    assert_eq!(app.tab, Tab::Verify);
    assert_eq!(app.verify.path(), pdf.display().to_string());
    assert_eq!(app.config.recent, std::slice::from_ref(&pdf));

    // The same chooser saves the journal's export under a dated name.
    app.system_dialogs = false;
    send(&mut app, Message::Tab(Tab::Journal));
    click(&mut app, &t.tr("gui-journal-export-csv"));
    let name = journal::export_name(journal::Format::Csv);
    assert!(name.starts_with("nhat-ky-ky-so-") && name.ends_with(".csv"), "{name}");
    assert!(shows(&app, &t.tr("gui-fc-save")));
    // It opens in the folder of the latest file; "Lưu" keeps the dated name.
    assert!(shows(&app, &folder.display().to_string()), "starts where the last file was");
    click(&mut app, &t.tr("gui-fc-save"));
    let target = folder.join(&name);
    let csv = std::fs::read_to_string(&target).expect("the export is where it was saved");
    assert!(csv.contains("cong-van-123.pdf"), "{csv}");

    // Cancelling Kyso's chooser changes nothing; Escape closes it too.
    send(&mut app, Message::Tab(Tab::Tokens));
    send(&mut app, Message::Tokens(tokens::Message::ChooseModule));
    assert!(shows(&app, &t.tr("gui-choose-module")));
    click(&mut app, &t.tr("gui-cancel"));
    assert!(app.chooser.is_none() && app.config.modules.is_empty());
}

#[test]
fn the_journal_finds_names_typed_without_diacritics() {
    // The boot scan loads PKCS#11 modules: the fixture's SoftHSM setting
    // must be in place first (see kyso-testkit).
    let _fx = kyso_testkit::require_fixture!();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    {
        let mut j = kyso_journal::Journal::open_in(&data).expect("journal");
        for (signer, file, outcome) in [
            ("Nguyễn Văn Đức", "/tmp/to-trinh.pdf", "ok"),
            ("Trần Thị Bích", "/tmp/cong-van.pdf", "ok"),
            ("Đặng Văn Nam", "/tmp/hop-dong.docx", "TOTAL_PASSED"),
        ] {
            let entry = kyso_journal::Entry {
                action: if outcome == "ok" { "sign" } else { "verify" }.into(),
                signer_subject: Some(format!("CN={signer}, O=UBND tỉnh Bắc Ninh")),
                input_path: Some(file.into()),
                outcome: outcome.into(),
                ..Default::default()
            };
            j.append(&entry).expect("appended");
        }
        let failed = kyso_journal::Entry {
            action: "sign".into(),
            signer_subject: Some("CN=Nguyễn Văn Đức".into()),
            input_path: Some("/tmp/bao-cao.pdf".into()),
            ..Default::default()
        }
        .failed("pin_incorrect");
        j.append(&failed).expect("appended");
    }
    let t = vi();
    let (mut app, boot) = App::new(None, Lang::Vi, Config::default(), data.clone());
    settle(&mut app, boot);
    send(&mut app, Message::Tab(Tab::Journal));
    assert_eq!(app.journal.shown().len(), 4);
    // Results in words, times to the second in Vietnam's time.
    assert!(shows(&app, &t.tr("gui-journal-ok")) && shows(&app, &t.tr("ind-total-passed")));
    let failed = t.tr_args("gui-journal-failed", &[("reason", &t.tr("journal-code-pin-incorrect"))]);
    assert!(shows(&app, &failed), "{failed}");
    for raw in ["ok", "TOTAL_PASSED", "failed (pin_incorrect)"] {
        assert!(!shows(&app, raw), "raw code {raw:?} on screen");
    }
    let time = journal::local_time(&t, &app.journal.shown()[0].time_utc, "");
    assert!(time.len() == 19 && time.as_bytes()[2] == b'/' && !time.contains('T'), "{time}");
    assert!(shows(&app, &time));

    type_into(&mut app, &t.tr("gui-journal-search"), "nguyen van");
    let signers: Vec<_> = app.journal.shown().iter().filter_map(|r| r.entry.input_path.clone()).collect();
    assert_eq!(signers, ["/tmp/bao-cao.pdf", "/tmp/to-trinh.pdf"]);
    assert!(shows(&app, "Nguyễn Văn Đức") && !shows(&app, "Trần Thị Bích"));
    // đ folds to d.
    send(&mut app, Message::Journal(journal::Message::SearchChanged("dang van".into())));
    assert_eq!(app.journal.shown().len(), 1);
    assert!(shows(&app, "Đặng Văn Nam"));
    // The words shown for results are searched too, without diacritics.
    send(&mut app, Message::Journal(journal::Message::SearchChanged("hop le".into())));
    let found: Vec<_> = app.journal.shown().iter().map(|r| r.entry.outcome.clone()).collect();
    assert_eq!(found, ["TOTAL_PASSED"]);
    send(&mut app, Message::Journal(journal::Message::SearchChanged("khong thanh cong nguyen".into())));
    let found: Vec<_> = app.journal.shown().iter().map(|r| r.entry.error_code.clone()).collect();
    assert_eq!(found, [Some("pin_incorrect".to_owned())]);
}

#[test]
fn settings_survive_a_restart_without_a_save_button() {
    // The boot scan loads PKCS#11 modules: the fixture's SoftHSM setting
    // must be in place first (see kyso-testkit).
    let _fx = kyso_testkit::require_fixture!();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let t = vi();
    let (mut app, boot) = App::new(None, Lang::Vi, Config::default(), data.clone());
    settle(&mut app, boot);
    send(&mut app, Message::Tab(Tab::Settings));
    assert!(!shows(&app, &t.tr("gui-settings-save")), "no separate save step");
    // Radio buttons draw their own labels: their messages are sent as a
    // click sends them.
    send(&mut app, Message::Settings(settings::Message::Theme(ThemeChoice::Dark)));
    type_over(&mut app, Some("signed"), "da-ky");
    send(&mut app, Message::Settings(settings::Message::OfflineVerify(true)));
    // A half-typed TSA is refused with its reason and not kept…
    send(&mut app, Message::Settings(settings::Message::TsaChanged("tsa.ca".into())));
    assert!(shows(&app, &t.tr("gui-settings-tsa-invalid")));
    // …and the finished one is, with no stale message left.
    send(&mut app, Message::Settings(settings::Message::TsaChanged("http://tsa.so.gov.vn".into())));
    assert!(!shows(&app, &t.tr("gui-settings-tsa-invalid")));
    // The language button of the header is a setting too.
    click(&mut app, &t.tr("lang-en"));
    assert_eq!(app.translator.lang(), Lang::En);
    drop(app);

    // A new App reads what was kept.
    let kept = Config::load(&Config::path(&data));
    assert_eq!(kept.theme, ThemeChoice::Dark);
    assert_eq!(kept.output_suffix, "da-ky");
    assert!(kept.offline_verify);
    assert_eq!(kept.tsa, "http://tsa.so.gov.vn");
    assert_eq!(kept.lang, "en");
    let (app, boot) = App::new(None, kept.language(), kept, data);
    drop(boot);
    assert_eq!(app.theme(), iced::Theme::Dark);
    assert_eq!(app.title(), "Kyso — Digital signing");
}

/// Whether the widget showing `label` lies wholly inside a window of
/// `size` when `app` is drawn in it, without scrolling.
fn inside(app: &App, size: Size, label: &str) -> bool {
    // Laid out with the fonts the application uses.
    let settings = iced::Settings {
        fonts: crate::font::FILES.iter().map(|f| std::borrow::Cow::Borrowed(*f)).collect(),
        default_font: FONT,
        ..iced::Settings::default()
    };
    let mut ui = iced_test::Simulator::with_size(settings, size, app.view());
    let window = iced::Rectangle::new(iced::Point::ORIGIN, size);
    match ui.find(label) {
        Ok(found) => {
            let b = found.bounds();
            let ok = found.visible_bounds().is_some_and(|v| v.width >= b.width - 0.5 && v.height >= b.height - 0.5)
                && b.x >= 0.0
                && b.y >= 0.0
                && b.x + b.width <= window.width
                && b.y + b.height <= window.height;
            if !ok {
                eprintln!("{label:?}: bounds {b:?}, visible {:?}, window {window:?}", found.visible_bounds());
            }
            ok
        }
        Err(e) => {
            eprintln!("{label:?}: {e:?}");
            false
        }
    }
}

#[test]
fn primary_buttons_fit_1024_and_1366_wide_screens() {
    // The boot scan loads PKCS#11 modules: the fixture's SoftHSM setting
    // must be in place first (see kyso-testkit).
    let _fx = kyso_testkit::require_fixture!();
    let dir = tempfile::tempdir().expect("tempdir");
    let pdf = dir.path().join("cong-van.pdf");
    kyso_testkit::minimal_pdf(&pdf, 1);
    let t = vi();
    let (mut app, boot) = App::new(None, Lang::Vi, Config::default(), dir.path().join("data"));
    settle(&mut app, boot);
    for screen in [Size::new(1024.0, 768.0), Size::new(1366.0, 768.0)] {
        let window = fitting_size(screen, None);
        assert!(window.width <= screen.width && window.height <= screen.height);
        for small in [window, MIN_SIZE] {
            send(&mut app, Message::Tab(Tab::Home));
            for key in ["home-sign", "home-verify", "home-tokens"] {
                assert!(inside(&app, small, &t.tr(key)), "{key} inside {small:?}");
            }
            send(&mut app, Message::Tab(Tab::Verify));
            assert!(inside(&app, small, &t.tr("gui-browse")), "verify's Chọn… inside {small:?}");
            // The signing screen with a file: its "Ký…" button shows.
            send(&mut app, Message::Tab(Tab::Sign));
            send(&mut app, Message::FileDropped(pdf.clone()));
            assert!(inside(&app, small, &t.tr("gui-sign-start")), "Ký… inside {small:?}");
            send(&mut app, Message::Tab(Tab::Journal));
            assert!(inside(&app, small, &t.tr("gui-journal-export-csv")), "export inside {small:?}");
            send(&mut app, Message::Tab(Tab::Tokens));
            assert!(inside(&app, small, &t.tr("gui-choose-module")), "choose module inside {small:?}");
            app.system_dialogs = false;
            send(&mut app, Message::Tokens(tokens::Message::ChooseModule));
            assert!(inside(&app, small, &t.tr("gui-fc-choose")), "the chooser's button inside {small:?}");
            send(&mut app, Message::Chooser(file_chooser::Message::Cancel));
        }
    }
}
