//! Tests of the signing screen: messages sent as the widgets send them,
//! state and events checked; the simulator clicks where a user would.

use super::*;
use crate::i18n::token_error_message;
use crate::modal::pin;
use iced_test::simulator;
use kyso_i18n::Lang;
use kyso_pki::{CertInfo, KeyKind};
use kyso_token::PinState;
use kyso_token::{CertEntry, TokenReport};
use std::sync::atomic::Ordering;

pub(crate) fn choice(label: &str, pin: PinState, warnings: Vec<kyso_pki::CertWarning>) -> Choice {
    let token = TokenReport {
        label: label.into(),
        manufacturer: "Bit4id".into(),
        model: "miniLector".into(),
        serial: "123".into(),
        pin,
        protected_authentication_path: false,
        login_required: true,
        initialized: true,
    };
    let certificate = CertInfo {
        subject: "CN=Nguyễn Văn A, O=UBND".into(),
        subject_cn: Some("Nguyễn Văn A".into()),
        organization: Some("UBND".into()),
        issuer: "CN=VGCA".into(),
        issuer_cn: Some("VGCA".into()),
        serial: "01".into(),
        not_before: "2025-01-01".into(),
        not_after: "2028-01-01".into(),
        key: KeyKind::Rsa { bits: 2048 },
        key_usage: vec![],
        extended_key_usage: vec![],
        policies: vec![],
        sha256: format!("sha-{label}"),
        warnings,
    };
    Choice {
        entry: CertEntry {
            module: "/usr/lib/libbit4xpki.so".into(),
            slot_id: 0,
            token_label: label.into(),
            token_serial: "123".into(),
            id: "01".into(),
            label: "cert".into(),
            certificate,
            has_private_key: true,
            key_match: None,
            key_evidence: None,
            der: vec![],
        },
        token,
        kind: kyso_core::CertKind::Unknown,
    }
}

pub(super) fn ready() -> Sign {
    let mut s = Sign::default();
    let _ = s.update(Message::Files(files::Message::InputChanged("/tmp/hop-dong.pdf".into())));
    let list = vec![
        choice("Expired", PinState::default(), vec![kyso_pki::CertWarning::Expired]),
        choice("Good", PinState { initialized: true, final_try: true, ..Default::default() }, vec![]),
    ];
    let _ = s.update(Message::Certificate(certificate::Message::Loaded(Some(Ok(list)))));
    s
}

#[test]
fn office_files_keep_their_extension() {
    let mut s = Sign::default();
    let _ = s.update(Message::Files(files::Message::InputChanged("/tmp/to-trinh.docx".into())));
    assert_eq!(s.output(), "/tmp/to-trinh.signed.docx");
    let _ = s.update(Message::Files(files::Message::InputChanged("/tmp/bang-luong.xlsx".into())));
    assert_eq!(s.output(), "/tmp/bang-luong.signed.xlsx");
}

#[test]
fn output_defaults_beside_the_input_and_the_only_usable_cert_is_chosen() {
    let s = ready();
    assert_eq!(s.output(), "/tmp/hop-dong.signed.pdf");
    assert_eq!(s.certificates.selected_index(), Some(1));
    let mut s = s;
    // A certificate with warnings cannot be chosen.
    let _ = s.update(Message::Certificate(certificate::Message::Select(0)));
    assert_eq!(s.certificates.selected_index(), Some(1));
    // A typed output is kept while one file is signed.
    let _ = s.update(Message::Files(files::Message::OutputChanged("/tmp/out.pdf".into())));
    let _ = s.update(Message::Files(files::Message::Add));
    assert_eq!(s.output(), "/tmp/out.pdf");
    assert_eq!(s.files.pairs(&s.config), [(PathBuf::from("/tmp/hop-dong.pdf"), PathBuf::from("/tmp/out.pdf"))]);
    // Several files: each signed copy goes beside its input.
    let _ = s.update(Message::Files(files::Message::Picked(vec![
        "/tmp/a.pdf".into(),
        "/tmp/b.docx".into(),
        "/tmp/a.pdf".into(),
    ])));
    assert_eq!(
        s.files.pairs(&s.config),
        [
            (PathBuf::from("/tmp/hop-dong.pdf"), PathBuf::from("/tmp/hop-dong.signed.pdf")),
            (PathBuf::from("/tmp/a.pdf"), PathBuf::from("/tmp/a.signed.pdf")),
            (PathBuf::from("/tmp/b.docx"), PathBuf::from("/tmp/b.signed.docx")),
        ]
    );
    // Removing back to one file offers its default output again.
    let _ = s.update(Message::Files(files::Message::Remove(2)));
    let _ = s.update(Message::Files(files::Message::Remove(1)));
    assert_eq!(s.output(), "/tmp/hop-dong.signed.pdf");
    let _ = s.view(&Translator::new(kyso_i18n::Lang::Vi));
}

/// Presses "Sign"; when the form is complete, the check before the PIN
/// reports `found` (as kyso-core's precheck would, run in the background).
pub(super) fn sign(s: &mut Sign, found: Vec<precheck::Found>) -> Option<Event> {
    match s.update(Message::Sign) {
        Some(Event::Precheck(id, _)) => s.update(Message::Checked(id, Some(found))),
        other => other,
    }
}

/// Feeds `messages` to the screen; a check before the PIN finds nothing.
pub(super) fn feed(s: &mut Sign, messages: Vec<Message>) -> Option<Event> {
    let mut last = None;
    for m in messages {
        last = match s.update(m) {
            Some(Event::Precheck(id, _)) => s.update(Message::Checked(id, Some(Vec::new()))),
            other => other,
        };
    }
    last
}

pub(super) fn start(s: &mut Sign) -> Box<Job> {
    let _ = sign(s, Vec::new());
    let _ = s.update(Message::Pin(pin::Message::Changed(Secret::new("1".into()))));
    let Some(Event::Sign(job)) = s.update(Message::Pin(pin::Message::Confirm)) else {
        panic!("no signing started: {:?}", s.result())
    };
    job
}

/// Three files: progress per file, a cancel that stops before the next
/// one, failures kept in the list, signed files taken out of it.
#[test]
fn a_batch_reports_each_file_and_cancel_stops_before_the_next() {
    let mut s = ready();
    let _ = s.update(Message::Files(files::Message::Picked(vec!["/tmp/a.pdf".into(), "/tmp/b.pdf".into()])));
    let job = start(&mut s);
    assert_eq!(job.plan.files.len(), 3);
    assert!(s.progress().iter().all(|(_, st)| *st == FileStatus::Waiting));
    let _ = s.update(Message::Progress(progress::Message::Step(Step::Started(0))));
    assert_eq!(s.progress()[0].1, FileStatus::Signing);
    let vi = Translator::new(kyso_i18n::Lang::Vi);
    let mut ui = simulator(s.view(&vi));
    let _ = ui.click(vi.tr("gui-cancel").as_str()).expect("a cancel button while signing");
    for m in ui.into_messages().collect::<Vec<_>>() {
        let _ = s.update(m);
    }
    assert!(job.cancel.load(Ordering::SeqCst), "the running job sees the cancel");
    let _ = s.update(Message::Progress(progress::Message::Step(Step::File(0, Ok("/tmp/hop-dong.signed.pdf".into())))));
    let _ = s.update(Message::Progress(progress::Message::Step(Step::Started(1))));
    let _ = s.update(Message::Progress(progress::Message::Step(Step::File(1, Err(Text::new("err-output-exists"))))));
    let _ = s.update(Message::Progress(progress::Message::Step(Step::Done(Ok(()), None))));
    assert!(!s.is_busy());
    assert_eq!(s.progress()[2].1, FileStatus::Skipped);
    assert_eq!(s.targets(), [PathBuf::from("/tmp/a.pdf"), PathBuf::from("/tmp/b.pdf")], "signed files leave the list");
    assert_eq!(s.last_error().map(|e| e.key), Some("err-output-exists"));
    let en = Translator::new(kyso_i18n::Lang::En);
    let mut ui = simulator(s.view(&en));
    assert!(ui.find(en.tr_args("gui-file-skipped", &[("file", "b.pdf")]).as_str()).is_ok());
}

/// The văn thư's two certificates: choosing a role chooses the one of its
/// kind, whether the list came in before or after the role.
#[test]
fn the_role_chooses_the_certificate_of_its_kind() {
    let usable = PinState { initialized: true, ..Default::default() };
    let mut person = choice("CANHAN", usable, vec![]);
    person.kind = kyso_core::CertKind::Personal;
    let mut org = choice("TOCHUC", usable, vec![]);
    org.kind = kyso_core::CertKind::Organization;
    let list = vec![person, org];
    let mut s = Sign::default();
    let _ = s.update(Message::Files(files::Message::InputChanged("/tmp/qd.pdf".into())));
    let _ = s.update(Message::Certificate(certificate::Message::Loaded(Some(Ok(list.clone())))));
    assert_eq!(s.certificates.selected_index(), None, "two can sign, no role yet");
    for (role, index) in
        [(RoleChoice::Issuer, 1), (RoleChoice::Approver, 0), (RoleChoice::Copy, 1), (RoleChoice::None, 1)]
    {
        let _ = s.update(Message::Role(role::Message::Selected(role)));
        assert_eq!(s.certificates.selected_index(), Some(index), "{role:?}");
    }
    // The person's own pick stands while it fits the role.
    let _ = s.update(Message::Role(role::Message::Selected(RoleChoice::Approver)));
    let _ = s.update(Message::Certificate(certificate::Message::Select(0)));
    let _ = s.update(Message::Role(role::Message::Selected(RoleChoice::None)));
    assert_eq!(s.certificates.selected_index(), Some(0));
    assert!(s.kind_note(&Translator::new(Lang::Vi)).is_none());
    // A pick whose kind cannot be told stays, through a reload too.
    let mut unknown = choice("KHAC", usable, vec![]);
    unknown.kind = kyso_core::CertKind::Unknown;
    let with_unknown = vec![unknown, list[1].clone()];
    let _ = s.update(Message::Certificate(certificate::Message::Loaded(Some(Ok(with_unknown.clone())))));
    let _ = s.update(Message::Role(role::Message::Selected(RoleChoice::Issuer)));
    let _ = s.update(Message::Certificate(certificate::Message::Select(0)));
    let _ = s.update(Message::Certificate(certificate::Message::Loaded(Some(Ok(with_unknown)))));
    let _ = s.update(Message::Role(role::Message::Selected(RoleChoice::Copy)));
    assert_eq!(s.certificates.selected_index(), Some(0));
    // The role chosen first, the list after.
    let mut s = Sign::default();
    let _ = s.update(Message::Files(files::Message::InputChanged("/tmp/qd.pdf".into())));
    let _ = s.update(Message::Role(role::Message::Selected(RoleChoice::Issuer)));
    let _ = s.update(Message::Certificate(certificate::Message::Loaded(Some(Ok(list)))));
    assert_eq!(s.certificates.selected_index(), Some(1));
    assert!(s.kind_note(&Translator::new(Lang::Vi)).is_none());
}

#[test]
fn issuer_role_shows_the_seal_fields() {
    let mut s = ready();
    assert!(s.visible_fields().is_empty());
    let _ = s.update(Message::Role(role::Message::Selected(RoleChoice::Issuer)));
    assert_eq!(s.visible_fields(), &[Field::Seal, Field::SealMm, Field::Number, Field::Date]);
    let _ = s.update(Message::Role(role::Message::Selected(RoleChoice::Approver)));
    assert_eq!(s.visible_fields(), &[Field::Image]);
    let _ = s.update(Message::Role(role::Message::Selected(RoleChoice::Copy)));
    assert!(s.visible_fields().contains(&Field::Org));

    // A missing seal, then a bad seal size, are refused before any PIN
    // is asked.
    let _ = s.update(Message::Role(role::Message::Selected(RoleChoice::Issuer)));
    assert!(sign(&mut s, Vec::new()).is_none());
    assert!(matches!(s.result(), Some(Err(e)) if e.key == "gui-required-seal"));
    let _ = s.update(Message::Role(role::Message::FieldChanged(Field::Seal, "/tmp/dau.png".into())));
    let _ = s.update(Message::Role(role::Message::FieldChanged(Field::SealMm, "abc".into())));
    assert!(sign(&mut s, Vec::new()).is_none());
    assert!(!s.pin_dialog_open());
    assert!(matches!(s.result(), Some(Err(e)) if e.key == "gui-seal-mm-invalid"));
    let _ = s.update(Message::Role(role::Message::FieldChanged(Field::SealMm, "40,5".into())));
    assert_eq!(
        sign(&mut s, Vec::new()).map(|e| matches!(e, Event::FocusPin)),
        Some(true),
        "the PIN field gets the focus"
    );
    assert!(s.pin_dialog_open());
}

/// Choose the certificate, the approver role and B-T, sign, type the PIN
/// and confirm — by clicking and typing in the rendered interface.
#[test]
fn simulator_flow_from_certificate_to_signing_job() {
    let vi = Translator::new(kyso_i18n::Lang::Vi);
    let mut s = ready();
    let mut ui = simulator(s.view(&vi));
    assert!(ui.find("Nguyễn Văn A").is_ok(), "the certificates are listed");
    drop(ui);
    // Radio labels are drawn by the radio itself, not as text widgets the
    // simulator can select: their messages are sent as a click would.
    let _ = s.update(Message::Role(role::Message::Selected(RoleChoice::Approver)));
    let _ = s.update(Message::Role(role::Message::Level(Level::Timestamped)));
    assert_eq!(s.role.role, RoleChoice::Approver);
    assert_eq!(s.role.level, Level::Timestamped);

    // The approver needs a signature image: its field is shown, and
    // signing without one is refused before the PIN.
    let mut ui = simulator(s.view(&vi));
    assert!(ui.find(vi.tr("gui-image-path").as_str()).is_ok());
    let _ = ui.click(vi.tr("gui-sign-start").as_str()).unwrap();
    let messages: Vec<Message> = ui.into_messages().collect();
    let _ = feed(&mut s, messages);
    assert!(!s.pin_dialog_open());
    assert_eq!(s.last_error().map(|e| e.key), Some("gui-required-image"));
    let _ = s.update(Message::Role(role::Message::FieldChanged(Field::Image, "/tmp/chu-ky.png".into())));
    let mut ui = simulator(s.view(&vi));
    assert!(ui.find(vi.tr("gui-required-image").as_str()).is_ok(), "the reason is shown");
    let _ = ui.click(vi.tr("gui-sign-start").as_str()).unwrap();
    let messages: Vec<Message> = ui.into_messages().collect();
    let _ = feed(&mut s, messages);
    assert!(s.pin_dialog_open(), "{:?}", s.result());

    // The PIN dialog: type the PIN, confirm.
    let mut ui = simulator(s.view(&vi));
    let _ = ui.click(vi.tr("gui-pin-placeholder").as_str()).unwrap();
    let _ = ui.typewrite("12345678");
    for m in ui.into_messages().collect::<Vec<_>>() {
        assert!(matches!(m, Message::Pin(pin::Message::Changed(_))));
        let _ = s.update(m);
    }
    assert!(s.holds_pin());
    // The sign button of the dialog is enabled once a PIN is typed.
    let mut ui = simulator(s.view(&vi));
    let _ = ui.click(vi.tr("gui-pin-sign").as_str()).unwrap();
    let mut job = None;
    for m in ui.into_messages().collect::<Vec<_>>() {
        if let Some(Event::Sign(j)) = s.update(m) {
            job = Some(j);
        }
    }
    let job = job.expect("a signing job");
    assert_eq!((job.plan.role, job.plan.level), (RoleChoice::Approver, Level::Timestamped));
    assert!(!format!("{job:?}").contains("12345678"), "the PIN never shows");
    assert!(s.is_busy() && !s.holds_pin());
}

#[test]
fn a_signed_result_offers_its_folder() {
    let vi = Translator::new(kyso_i18n::Lang::Vi);
    let mut s = ready();
    let _ = start(&mut s);
    let _ = s.update(Message::Progress(progress::Message::Step(Step::File(
        0,
        Ok(PathBuf::from("/tmp/out/hop-dong.signed.pdf")),
    ))));
    let _ = s.update(Message::Progress(progress::Message::Step(Step::Done(Ok(()), None))));
    let mut ui = simulator(s.view(&vi));
    let _ = ui.click(vi.tr("gui-open-folder").as_str()).unwrap();
    let messages: Vec<Message> = ui.into_messages().collect();
    let [Message::Progress(progress::Message::OpenFolder(file))] = messages.as_slice() else { panic!("{messages:?}") };
    assert!(
        matches!(s.update(Message::Progress(progress::Message::OpenFolder(file.clone()))), Some(Event::OpenFolder(f)) if f == *file)
    );
}

#[test]
fn a_timestamped_level_carries_its_tsa_into_the_job() {
    let mut s = ready();
    let _ = sign(&mut s, Vec::new());
    let _ = s.update(Message::Pin(pin::Message::Changed(Secret::new("1".into()))));
    let Some(Event::Sign(job)) = s.update(Message::Pin(pin::Message::Confirm)) else { panic!("no signing started") };
    assert_eq!((job.plan.level, job.plan.tsa.as_str()), (Level::Basic, kyso_pki::tsp::VGCA_TSA));
    let _ = s.update(Message::Progress(progress::Message::Step(Step::File(0, Ok(PathBuf::from("/tmp/x.pdf"))))));
    let _ = s.update(Message::Progress(progress::Message::Step(Step::Done(Ok(()), None))));

    // The signed file left the list: it is given again.
    let _ = s.update(Message::Files(files::Message::InputChanged("/tmp/hop-dong.signed.pdf".into())));
    let _ = s.update(Message::Role(role::Message::Level(Level::Timestamped)));
    let _ = s.update(Message::Role(role::Message::Tsa(" http://127.0.0.1:3180/ ".into())));
    let _ = sign(&mut s, Vec::new());
    let _ = s.update(Message::Pin(pin::Message::Changed(Secret::new("1".into()))));
    let Some(Event::Sign(job)) = s.update(Message::Pin(pin::Message::Confirm)) else { panic!("no signing started") };
    assert_eq!((job.plan.level, job.plan.tsa.as_str()), (Level::Timestamped, "http://127.0.0.1:3180/"));
    assert_eq!(job.plan.level.name(), "B-T");
    let vi = Translator::new(kyso_i18n::Lang::Vi);
    let _ = s.view(&vi);
}

#[test]
fn a_wrong_pin_keeps_no_pin_and_is_not_retried() {
    let mut s = ready();
    let _ = sign(&mut s, Vec::new());
    assert!(s.pin_dialog_open());
    let _ = s.update(Message::Pin(pin::Message::Changed(Secret::new("123456".into()))));
    assert!(s.holds_pin());
    assert!(!format!("{s:?}").contains("123456"));

    let Some(Event::Sign(job)) = s.update(Message::Pin(pin::Message::Confirm)) else { panic!("no signing started") };
    assert!(!s.holds_pin() && !s.pin_dialog_open() && s.is_busy());
    assert!(!format!("{job:?}").contains("123456"));
    assert_eq!(job.plan.files, [(PathBuf::from("/tmp/hop-dong.pdf"), PathBuf::from("/tmp/hop-dong.signed.pdf"))]);
    drop(job);
    // A second confirm starts nothing.
    assert!(s.update(Message::Pin(pin::Message::Confirm)).is_none());

    let wrong = token_error_message(&kyso_token::TokenError::PinIncorrect {
        state: PinState { final_try: true, ..Default::default() },
    });
    let next = s.update(Message::Progress(progress::Message::Step(Step::Done(Err(wrong), None))));
    // The list is reloaded to show the new PIN counter; nothing is retried.
    assert!(matches!(next, Some(Event::LoadCertificates)));
    assert!(!s.holds_pin() && !s.pin_dialog_open());
    let en = Translator::new(Lang::En);
    let shown = s.last_error().expect("error shown").render(&en);
    assert!(shown.starts_with("Wrong PIN."), "{shown}");
    let _ = s.view(&en);
}

#[test]
fn pin_dialog_shows_the_token_warnings_and_cancel_wipes() {
    let mut s = ready();
    let _ = sign(&mut s, Vec::new());
    let _ = s.update(Message::Pin(pin::Message::Changed(Secret::new("1".into()))));
    let _ = s.view(&Translator::new(Lang::Vi));
    let _ = s.update(Message::Pin(pin::Message::Cancel));
    assert!(!s.holds_pin() && !s.pin_dialog_open());
    // Typing without the dialog open stores nothing.
    let _ = s.update(Message::Pin(pin::Message::Changed(Secret::new("2".into()))));
    assert!(!s.holds_pin());
}

/// The settings choose the role the screen starts with and where signed
/// copies go; a certificate brings back the images it signed with, and
/// a signing with new images asks to remember them.
#[test]
fn settings_defaults_and_remembered_images() {
    let mut config = Config { default_role: "approver".into(), output_suffix: "da-ky".into(), ..Config::default() };
    config.images.insert(
        "sha-Good".into(),
        CertImages { subject: "Nguyễn Văn A".into(), signature: Some("/tmp/chu-ky.png".into()), seal: None },
    );
    let mut s = ready();
    s.configure(&config);
    assert_eq!(s.role.role, RoleChoice::Approver);
    assert_eq!(s.output(), "/tmp/hop-dong.da-ky.pdf");
    let _ = s.update(Message::Certificate(certificate::Message::Select(1)));
    assert_eq!(s.role.field(Field::Image), "/tmp/chu-ky.png");
    // A role the user picked is kept when the settings change.
    let _ = s.update(Message::Role(role::Message::Selected(RoleChoice::Issuer)));
    s.configure(&config);
    assert_eq!(s.role.role, RoleChoice::Issuer);
    let _ = s.update(Message::Role(role::Message::FieldChanged(Field::Seal, "/tmp/dau.png".into())));
    let _ = start(&mut s);
    let _ = s.update(Message::Progress(progress::Message::Step(Step::File(0, Ok("/tmp/hop-dong.da-ky.pdf".into())))));
    let Some(Event::RememberImages(sha, images)) =
        s.update(Message::Progress(progress::Message::Step(Step::Done(Ok(()), None))))
    else {
        panic!("images remembered")
    };
    assert_eq!(sha, "sha-Good");
    assert_eq!(images.seal, Some(PathBuf::from("/tmp/dau.png")));
    assert_eq!(images.signature, Some(PathBuf::from("/tmp/chu-ky.png")), "the earlier image is kept");
}

/// What cannot be signed is refused before the PIN is asked: a visible
/// look or a long-term level on an Office file, two files into one.
#[test]
fn office_looks_levels_and_clashing_outputs_are_refused_before_the_pin() {
    let mut s = ready();
    let _ = s.update(Message::Files(files::Message::Picked(vec!["/tmp/to-trinh.docx".into()])));
    let _ = s.update(Message::Role(role::Message::Selected(RoleChoice::Approver)));
    let _ = s.update(Message::Role(role::Message::FieldChanged(Field::Image, "/tmp/ky.png".into())));
    assert!(sign(&mut s, Vec::new()).is_none());
    assert_eq!(s.last_error().map(|e| e.key), Some("gui-office-no-look"));
    let _ = s.update(Message::Role(role::Message::Selected(RoleChoice::None)));
    let _ = s.update(Message::Role(role::Message::Level(Level::Archive)));
    assert!(sign(&mut s, Vec::new()).is_none());
    assert_eq!(s.last_error().map(|e| e.key), Some("gui-office-level"));
    let _ = s.update(Message::Role(role::Message::Level(Level::Timestamped)));
    assert!(matches!(sign(&mut s, Vec::new()), Some(Event::FocusPin)));
    let _ = s.update(Message::Pin(pin::Message::Cancel));

    // One output folder, two inputs of the same name.
    let config = Config { output_dir: Some("/tmp/da-ky".into()), ..Config::default() };
    s.configure(&config);
    let _ = s.update(Message::Files(files::Message::Picked(vec!["/srv/a/qd.pdf".into(), "/srv/b/qd.pdf".into()])));
    assert!(sign(&mut s, Vec::new()).is_none());
    assert_eq!(s.last_error().map(|e| e.key), Some("gui-duplicate-output"));
    assert!(!s.pin_dialog_open());
}

/// What the files rule out shows at once: a Word file sets a visible role
/// back to none, with a notice; a long-term level is flagged beside the
/// levels; a role's required image is asked for under its field before
/// "Sign" is pressed.
#[test]
fn an_office_file_resets_a_pdf_only_role_and_requirements_show_at_once() {
    let en = Translator::new(Lang::En);
    let mut s = ready();
    let _ = s.update(Message::Role(role::Message::Selected(RoleChoice::Approver)));
    // The approver's image is asked for as soon as the role is chosen.
    let mut ui = simulator(s.view(&en));
    assert!(ui.find(en.tr("gui-required-image").as_str()).is_ok(), "requirement shown before Sign");
    drop(ui);
    assert!(s.last_error().is_none(), "nothing was refused yet");
    let _ = s.update(Message::Files(files::Message::Picked(vec!["/tmp/to-trinh.docx".into()])));
    assert_eq!(s.role.role, RoleChoice::None, "the PDF-only role gave way");
    let mut ui = simulator(s.view(&en));
    assert!(ui.find(en.tr("gui-role-reset-office").as_str()).is_ok(), "the notice says why");
    drop(ui);
    let _ = s.update(Message::Role(role::Message::Level(Level::Archive)));
    let mut ui = simulator(s.view(&en));
    assert!(ui.find(en.tr("gui-office-level").as_str()).is_ok(), "the level is flagged at once");
    drop(ui);
    // Choosing a visible role again while the Word file is there is flagged.
    let _ = s.update(Message::Role(role::Message::Selected(RoleChoice::Copy)));
    let mut ui = simulator(s.view(&en));
    assert!(ui.find(en.tr("gui-office-no-look").as_str()).is_ok());
    assert!(ui.find(en.tr("gui-role-reset-office").as_str()).is_err(), "the notice went with the new choice");
}

mod clerk;
#[cfg(debug_assertions)]
mod identical;
