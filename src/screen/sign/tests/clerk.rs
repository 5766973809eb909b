//! The clerk's steps on the sign screen: the preview of page 1 and of the
//! signature page with a box per part, dragged; the check before the PIN.

use std::path::PathBuf;

use iced_test::simulator;
use kyso_i18n::{Lang, Translator};

use super::super::*;
use super::{feed, ready, sign, start};
use crate::modal::pin;

/// Renders the preview the screen asked for, as the application does in
/// the background, and hands it back.
fn rendered(s: &mut Sign, event: Option<Event>) {
    let Some(Event::Preview(req)) = event else { panic!("a preview was asked for: {event:?}") };
    let result = render_preview(&req);
    assert!(result.is_ok(), "{:?}", result.as_ref().err());
    let _ = s.update(Message::Preview(preview::Message::Ready(req.id, result)));
}

/// Presses the picture `id` at `from` (screen pixels from its corner),
/// drags to `to` and releases, then feeds the messages to the screen.
fn drag(s: &mut Sign, t: &Translator, id: &str, from: (f64, f64), to: (f64, f64)) {
    use iced::mouse::{Button, Event as Mouse};
    let mut ui = simulator(s.view(t));
    let picture = ui.find(iced::widget::Id::from(id.to_owned())).expect("the page picture");
    let b = picture.bounds();
    let at = |(x, y): (f64, f64)| iced::Point::new(b.x + x as f32, b.y + y as f32);
    let (a, z) = (at(from), at(to));
    assert!(picture.visible_bounds().is_some_and(|v| v.contains(a) && v.contains(z)), "{a:?} {z:?} in {b:?}");
    ui.point_at(a);
    let _ = ui.simulate([iced::Event::Mouse(Mouse::CursorMoved { position: a })]);
    let _ = ui.simulate([iced::Event::Mouse(Mouse::ButtonPressed(Button::Left))]);
    ui.point_at(z);
    let _ = ui.simulate([iced::Event::Mouse(Mouse::CursorMoved { position: z })]);
    let _ = ui.simulate([iced::Event::Mouse(Mouse::ButtonReleased(Button::Left))]);
    for m in ui.into_messages().collect::<Vec<_>>() {
        let _ = s.update(m);
    }
}

/// The clerk's steps on the preview of an NĐ 30 decision: the issuer role
/// shows page 1 with the number and date boxes in the printed blanks and
/// the seal; the number box is dragged, zoom keeps it where it was put, a
/// box dropped on printed text is flagged, and the signing job carries the
/// number's rectangle.
#[test]
fn the_clerk_sees_page_one_and_drags_the_number_box() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pdf = dir.path().join("quyet-dinh.pdf");
    kyso_testkit::nd30::decision(&pdf, kyso_testkit::nd30::Layout::Deputy);
    let vi = Translator::new(Lang::Vi);
    let mut s = ready();
    let e = s.update(Message::Files(files::Message::InputChanged(pdf.display().to_string())));
    assert!(e.is_none(), "no preview without a visible role");
    let e = s.update(Message::Role(role::Message::Selected(RoleChoice::Issuer)));
    rendered(&mut s, e);
    assert_eq!(s.preview.moving_and_missing().1, [], "both blanks found");
    let (page, _, _) = s.preview.box_centre(preview::Part::Main).expect("the seal's box");
    assert_eq!(page, 1, "a one-page decision: the seal on page 1");
    let (page, nx, ny) = s.preview.box_centre(preview::Part::Number).expect("the number's box");
    assert_eq!(page, 1, "the number goes on page 1");
    let (_, dx, dy) = s.preview.box_centre(preview::Part::Date).expect("the date's box");
    assert!(
        dy > ny - 40.0 && dy < ny + 40.0 && dx > nx,
        "the date line is beside the number line: {dx},{dy} {nx},{ny}"
    );
    let mut ui = simulator(s.view(&vi));
    assert!(ui.find(iced::widget::Id::new(PREVIEW_ID)).is_ok(), "page 1 shown");
    assert!(ui.find(vi.tr("gui-preview-part-number").as_str()).is_ok(), "the number box is labelled");
    let covers = vi.tr_args("gui-preview-covers", &[("part", &vi.tr("gui-preview-part-number"))]);
    assert!(ui.find(covers.as_str()).is_err(), "the proposed boxes cover nothing");
    drop(ui);
    snapshot_of_page_one(&s, &vi, (nx, ny));

    // Drag the number 12 px right and 6 px down.
    drag(&mut s, &vi, PREVIEW_ID, (nx, ny), (nx + 12.0, ny + 6.0));
    let placed = s.preview.placements().number.expect("the number was placed by hand");
    let (_, mx, my) = s.preview.box_centre(preview::Part::Number).expect("drawn where dropped");
    assert!((mx - nx - 12.0).abs() < 0.5 && (my - ny - 6.0).abs() < 0.5, "{mx},{my} from {nx},{ny}");
    assert!(s.placement().is_none(), "the seal stays where proposed");

    // Zooming in shows the same place, larger.
    let _ = s.update(Message::Preview(preview::Message::Zoom(2.0)));
    let (_, zx, zy) = s.preview.box_centre(preview::Part::Number).expect("drawn");
    assert!((zx - 2.0 * mx).abs() < 0.5 && (zy - 2.0 * my).abs() < 0.5);
    assert_eq!(s.preview.placements().number, Some(placed));
    let _ = s.update(Message::Preview(preview::Message::Zoom(1.0)));

    // The job signs with the number where it was put.
    let _ = s.update(Message::Role(role::Message::FieldChanged(Field::Seal, "/tmp/dau.png".into())));
    let job = start(&mut s);
    assert_eq!(job.plan.inputs.number_rect, Some(placed));
    assert_eq!(job.plan.inputs.placement, None);
    drop(job);
    let _ = s.update(Message::Progress(progress::Message::Step(Step::Done(Err(Text::new("gui-cancelled")), None))));

    // Dropped on the printed text, the box is flagged before signing.
    let (tx, ty) = s.preview.printed_centre(1).expect("page 1 shows text");
    let (_, mx, my) = s.preview.box_centre(preview::Part::Number).expect("drawn");
    drag(&mut s, &vi, PREVIEW_ID, (mx, my), (tx, ty));
    let mut ui = simulator(s.view(&vi));
    assert!(ui.find(covers.as_str()).is_ok(), "the warning is shown: {covers}");
    drop(ui);
    // And again in the PIN dialog, the last look before signing.
    assert!(matches!(sign(&mut s, Vec::new()), Some(Event::FocusPin)));
    let mut ui = simulator(s.view(&vi));
    assert!(ui.find(covers.as_str()).is_ok(), "the warning is in the PIN dialog");
}

/// A page 1 without the printed blanks: the preview says so, a click on
/// page 1 puts the number there, and the rest of the look is proposed
/// around it.
#[test]
fn a_number_line_without_a_blank_is_put_by_a_click() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pdf = dir.path().join("cong-van.pdf");
    kyso_testkit::minimal_pdf(&pdf, 2);
    let en = Translator::new(Lang::En);
    let mut s = ready();
    let _ = s.update(Message::Files(files::Message::InputChanged(pdf.display().to_string())));
    let e = s.update(Message::Role(role::Message::Selected(RoleChoice::Issuer)));
    rendered(&mut s, e);
    let (moving, missing) = s.preview.moving_and_missing();
    assert_eq!(missing, [preview::Part::Number, preview::Part::Date]);
    assert_eq!(moving, preview::Part::Number, "a click puts the number");
    let (page, _, _) = s.preview.box_centre(preview::Part::Main).expect("the seal is still proposed");
    assert_eq!(page, 2);
    let missing_number = en.tr_args("gui-preview-blank-missing", &[("part", &en.tr("gui-preview-part-number"))]);
    let mut ui = simulator(s.view(&en));
    assert!(ui.find(missing_number.as_str()).is_ok(), "the preview says what to do");
    drop(ui);

    // A click on page 1, near the top left.
    let page_one = format!("{PREVIEW_ID}-1");
    let mut last = None;
    {
        use iced::mouse::{Button, Event as Mouse};
        let mut ui = simulator(s.view(&en));
        let picture = ui.find(iced::widget::Id::from(page_one.clone())).expect("page 1 shown");
        let b = picture.bounds();
        let at = iced::Point::new(b.x + 120.0, b.y + 90.0);
        ui.point_at(at);
        let _ = ui.simulate([iced::Event::Mouse(Mouse::CursorMoved { position: at })]);
        let _ = ui.simulate([iced::Event::Mouse(Mouse::ButtonPressed(Button::Left))]);
        let _ = ui.simulate([iced::Event::Mouse(Mouse::ButtonReleased(Button::Left))]);
        let messages: Vec<Message> = ui.into_messages().collect();
        for m in messages {
            if let Some(e) = s.update(m) {
                last = Some(e);
            }
        }
    }
    let placed = s.preview.placements().number.expect("the number was put");
    rendered(&mut s, last);
    let (moving, missing) = s.preview.moving_and_missing();
    assert_eq!(missing, [preview::Part::Date], "the number has its place now");
    assert_eq!(moving, preview::Part::Date, "next, the date");
    assert_eq!(s.preview.placements().number, Some(placed));
    let _ = s.update(Message::Role(role::Message::FieldChanged(Field::Seal, "/tmp/dau.png".into())));
    let job = start(&mut s);
    assert_eq!(job.plan.inputs.number_rect, Some(placed));
}

/// The check's findings, as kyso-core reports them for a one-file plan.
fn findings(list: &[kyso_core::Finding]) -> Vec<precheck::Found> {
    let files = [(PathBuf::from("/tmp/hop-dong.pdf"), PathBuf::from("/tmp/hop-dong.signed.pdf"))];
    list.iter().filter_map(|f| precheck::found(f, &files)).collect()
}

/// What the check before the PIN finds is shown translated: a blocker
/// keeps the PIN dialog shut; an existing output and an unchecked
/// revocation are asked (number the copy, confirm signing unchecked), and
/// the answers go into the signing; a late result of an older check is
/// ignored.
#[test]
fn the_check_before_the_pin_blocks_or_asks() {
    use kyso_core::{CertKind, Finding, OnExists, Role};
    let en = Translator::new(Lang::En);
    let mut s = ready();
    let blocked = findings(&[Finding::RoleMismatch {
        role: Role::Approver,
        needed: CertKind::Personal,
        found: CertKind::Organization,
        subject: "CN=UBND tỉnh Điện Biên".into(),
        allowed: false,
    }]);
    assert!(sign(&mut s, blocked).is_none());
    assert!(!s.pin_dialog_open(), "a wrong certificate for the role is refused before the PIN");
    let expected = en.tr_args(
        "precheck-role-needs-personal",
        &[("role", &en.tr("role-name-approver")), ("subject", "CN=UBND tỉnh Điện Biên")],
    );
    let mut ui = simulator(s.view(&en));
    assert!(ui.find(expected.as_str()).is_ok(), "the refusal is shown in words: {expected}");
    assert!(ui.find(en.tr("gui-precheck-overwrite").as_str()).is_err(), "nothing to choose when blocked");
    drop(ui);

    // An older check's result arriving late changes nothing.
    let Some(Event::Precheck(old, _)) = s.update(Message::Sign) else { panic!("a check") };
    let _ = s.update(Message::Files(files::Message::OutputChanged("/tmp/khac.pdf".into())));
    assert!(s.update(Message::Checked(old, Some(Vec::new()))).is_none());
    assert!(!s.pin_dialog_open());

    let asks = findings(&[
        Finding::OutputExists {
            file: 0,
            path: "/tmp/hop-dong.signed.pdf".into(),
            numbered: "/tmp/hop-dong.signed (2).pdf".into(),
        },
        Finding::RevocationUnchecked {
            detail: kyso_pki::precheck::Unchecked::FetchFailed("OCSP: connection refused".into()),
            confirmed: false,
        },
        Finding::TsaSlow { url: "http://tsa.example/".into(), waited: 10 },
    ]);
    let _ = s.update(Message::Files(files::Message::OutputChanged("/tmp/hop-dong.signed.pdf".into())));
    assert!(sign(&mut s, asks).is_none(), "questions first");
    assert!(!s.pin_dialog_open());
    let number = en.tr_args("gui-precheck-number-as", &[("name", "hop-dong.signed (2).pdf")]);
    let mut ui = simulator(s.view(&en));
    let _ = ui.click(number.as_str()).expect("the numbered name is offered");
    let messages: Vec<Message> = ui.into_messages().collect();
    assert!(feed(&mut s, messages).is_none(), "the revocation question is still open");
    assert!(!s.pin_dialog_open());
    let mut ui = simulator(s.view(&en));
    let _ = ui.click(en.tr("gui-precheck-sign-unchecked").as_str()).expect("the confirmation is offered");
    let messages: Vec<Message> = ui.into_messages().collect();
    assert!(matches!(feed(&mut s, messages), Some(Event::FocusPin)));
    // The PIN dialog tells what will happen meanwhile.
    let slow = en.tr_args("precheck-tsa-slow", &[("url", "http://tsa.example/"), ("seconds", "10")]);
    assert!(simulator(s.view(&en)).find(slow.as_str()).is_ok(), "notes in the PIN dialog");
    let _ = s.update(Message::Pin(pin::Message::Changed(Secret::new("1".into()))));
    let Some(Event::Sign(job)) = s.update(Message::Pin(pin::Message::Confirm)) else { panic!("signing") };
    assert_eq!(job.plan.on_exists, OnExists::Number);
    assert!(job.plan.allow_unchecked, "confirmed in the dialog");

    // Cancel closes the questions without signing.
    let _ = s.update(Message::Progress(progress::Message::Step(Step::Done(Ok(()), None))));
    let _ = s.update(Message::Files(files::Message::InputChanged("/tmp/hop-dong.pdf".into())));
    let asks =
        findings(&[Finding::RevocationUnchecked { detail: kyso_pki::precheck::Unchecked::Offline, confirmed: false }]);
    assert!(sign(&mut s, asks).is_none());
    assert!(s.update(Message::Review(precheck::Message::Cancel)).is_none());
    assert!(!s.pin_dialog_open() && s.review.is_none());
}

/// The real check before the PIN (SoftHSM tokens of the fixture, its PKI
/// and revocation services): the approver role with the organisation's
/// certificate is refused before the PIN; with the official's own
/// certificate the PIN dialog opens, after the existing output is numbered.
#[test]
fn a_wrong_certificate_for_the_role_is_refused_before_the_pin() {
    let fx = kyso_testkit::require_fixture!();
    let _revocation = kyso_testkit::start_revocation_server(fx);
    let dir = tempfile::tempdir().expect("tempdir");
    let data_dir = dir.path().join("data");
    std::fs::create_dir_all(data_dir.join("trust")).expect("trust dir");
    std::fs::copy(fx.pki_file("root.pem"), data_dir.join("trust/root.pem")).expect("anchor");
    let pdf = dir.path().join("quyet-dinh.pdf");
    kyso_testkit::minimal_pdf(&pdf, 1);
    let image = dir.path().join("chu-ky.png");
    std::fs::write(&image, super::role::PLACEHOLDER_PNG).expect("png");
    let config = Config { modules: vec![fx.module.clone()], ..Config::default() };
    let mut s = Sign::default();
    s.configure(&config);
    let listed = load_certificates(&config.modules);
    let _ = s.update(Message::Certificate(certificate::Message::Loaded(Some(listed))));
    let _ = s.update(Message::Files(files::Message::InputChanged(pdf.display().to_string())));
    let _ = s.update(Message::Role(role::Message::Selected(RoleChoice::Approver)));
    let _ = s.update(Message::Role(role::Message::FieldChanged(Field::Image, image.display().to_string())));
    let pick = |s: &mut Sign, token: &str| {
        let list = s.certificates.list().expect("listed");
        let i = list
            .iter()
            .position(|c| c.entry.token_label == token && c.usable())
            .unwrap_or_else(|| panic!("a usable certificate on {token}"));
        let _ = s.update(Message::Certificate(certificate::Message::Select(i)));
    };
    let check = |s: &mut Sign| {
        let Some(Event::Precheck(id, plan)) = s.update(Message::Sign) else { panic!("a check: {:?}", s.result()) };
        let found = run_precheck(&plan, &data_dir);
        s.update(Message::Checked(id, Some(found)))
    };

    pick(&mut s, kyso_testkit::tokens::TOCHUC);
    // Shown as soon as the role and the certificate are both chosen.
    let vi = Translator::new(Lang::Vi);
    let note = s.kind_note(&vi).expect("the organisation's certificate is told from the subject");
    assert!(simulator(s.view(&vi)).find(note.as_str()).is_ok(), "{note}");
    assert!(check(&mut s).is_none());
    assert!(!s.pin_dialog_open(), "the organisation's certificate cannot approve");
    let review = s.review.as_ref().expect("findings shown");
    assert!(review.blocked());
    assert!(
        review.found().iter().any(|f| f.key() == "precheck-role-needs-personal"),
        "{:?}",
        review.found().iter().map(|f| f.key()).collect::<Vec<_>>()
    );

    // The refusal is journaled: who tried, as what, why.
    let journal = kyso_journal::Journal::open_in(&data_dir).expect("journal");
    let records = journal.search(&kyso_journal::Filter::default()).expect("records");
    let refused = records.iter().find(|r| r.entry.action == "sign").expect("the refusal journaled");
    assert_ne!(refused.entry.outcome, "ok");
    assert_eq!(refused.entry.error_code.as_deref(), Some("role_mismatch"), "{:?}", refused.entry);
    drop(journal);

    pick(&mut s, kyso_testkit::tokens::CANHAN);
    assert_eq!(s.kind_note(&vi), None, "the official's own certificate fits");
    std::fs::write(dir.path().join("quyet-dinh.signed.pdf"), b"an earlier copy").expect("existing output");
    assert!(check(&mut s).is_none(), "the existing output is asked about first");
    let e = s.update(Message::Review(precheck::Message::Number));
    assert!(matches!(e, Some(Event::FocusPin)), "{:?}", s.review.as_ref().map(|r| r.found().to_vec()));
    assert!(s.pin_dialog_open());
    assert_eq!(s.plan.as_ref().map(|p| p.on_exists), Some(kyso_core::OnExists::Number));
}

/// What the application does with the screen's events, done here with the
/// same functions: previews drawn, the check before the PIN run, the
/// signing run to its end.
pub(super) struct Driver {
    pub(super) data_dir: PathBuf,
}

impl Driver {
    fn handle(&self, s: &mut Sign, event: Option<Event>) -> Option<Event> {
        match event {
            Some(Event::Preview(req)) => {
                let r = render_preview(&req);
                s.update(Message::Preview(preview::Message::Ready(req.id, r)))
            }
            Some(Event::Precheck(id, plan)) => {
                let found = run_precheck(&plan, &self.data_dir);
                s.update(Message::Checked(id, Some(found)))
            }
            Some(Event::Sign(job)) => {
                let mut steps = Vec::new();
                run(*job, &self.data_dir, &mut |step| steps.push(step));
                let mut last = None;
                for step in steps {
                    last = s.update(Message::Progress(progress::Message::Step(step)));
                }
                last
            }
            other => other,
        }
    }

    fn send(&self, s: &mut Sign, m: Message) -> Option<Event> {
        let e = s.update(m);
        self.handle(s, e)
    }

    /// Signs `input` into `output` with `who`'s certificate on `token` as
    /// `role`, typing `pin`; `drag`: the number box moved on page 1 first.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn sign(
        &self,
        s: &mut Sign,
        (input, output): (&std::path::Path, &std::path::Path),
        (who, token): (&str, &str),
        role: RoleChoice,
        fields: &[(Field, String)],
        pin_code: &str,
        drag_number: Option<(f64, f64)>,
    ) {
        let vi = Translator::new(Lang::Vi);
        let _ = self.send(s, Message::Files(files::Message::InputChanged(input.display().to_string())));
        let _ = self.send(s, Message::Files(files::Message::OutputChanged(output.display().to_string())));
        let list = s.certificates.list().expect("listed");
        let i = list
            .iter()
            .position(|c| c.entry.token_label == token && c.entry.certificate.subject_cn.as_deref() == Some(who))
            .unwrap_or_else(|| panic!("{who} on {token}"));
        let _ = self.send(s, Message::Certificate(certificate::Message::Select(i)));
        let _ = self.send(s, Message::Role(role::Message::Selected(role)));
        for (f, v) in fields {
            let _ = self.send(s, Message::Role(role::Message::FieldChanged(*f, v.clone())));
        }
        if let Some((dx, dy)) = drag_number {
            let (_, nx, ny) = s.preview.box_centre(preview::Part::Number).expect("the number box on page 1");
            drag(s, &vi, PREVIEW_ID, (nx, ny), (nx + dx, ny + dy));
        }
        let e = self.send(s, Message::Sign);
        assert!(matches!(e, Some(Event::FocusPin)), "{who}: {:?} {:?}", s.result(), s.review);
        let _ = s.update(Message::Pin(pin::Message::Changed(Secret::new(pin_code.into()))));
        let _ = self.send(s, Message::Pin(pin::Message::Confirm));
        assert!(matches!(s.result(), Some(Ok(p)) if p == output), "{who}: {:?}", s.result());
    }
}

/// The văn thư's day in the desktop screen, with the real tokens, PKI and
/// revocation services: three officials approve an NĐ 30 decision in turn
/// (three certificates; the last one visible in the signature block), the
/// clerk issues it with the organisation's certificate, the number and the
/// date going into the printed blanks (the number box nudged on the
/// preview), then an appendix and an electronic copy are signed. pyHanko
/// judges every signature valid: four on the decision, five on the copy.
#[test]
fn three_officials_then_the_clerk_then_an_appendix_and_a_copy() {
    let fx = kyso_testkit::require_fixture!();
    let _revocation = kyso_testkit::start_revocation_server(fx);
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let data_dir = d.join("data");
    std::fs::create_dir_all(data_dir.join("trust")).expect("trust dir");
    std::fs::copy(fx.pki_file("root.pem"), data_dir.join("trust/root.pem")).expect("anchor");
    let (image, seal) = (d.join("chu-ky.png"), d.join("con-dau.png"));
    std::fs::write(&image, kyso_testkit::eoffice::png([20, 40, 200], false)).expect("image");
    std::fs::write(&seal, kyso_testkit::eoffice::png([220, 20, 20], true)).expect("seal");
    let qd = d.join("qd.pdf");
    kyso_testkit::nd30::decision(&qd, kyso_testkit::nd30::Layout::Deputy);
    let appendix = d.join("phu-luc.pdf");
    kyso_testkit::minimal_pdf(&appendix, 1);

    let config = Config { modules: vec![fx.module.clone()], ..Config::default() };
    let mut s = Sign::default();
    s.configure(&config);
    let listed = load_certificates(&config.modules);
    let _ = s.update(Message::Certificate(certificate::Message::Loaded(Some(listed))));
    let drive = Driver { data_dir: data_dir.clone() };
    let (canhan, tochuc) = (kyso_testkit::tokens::CANHAN, kyso_testkit::tokens::TOCHUC);
    let (a1, a2, a3) = (d.join("a1.pdf"), d.join("a2.pdf"), d.join("a3.pdf"));
    let path = |p: &PathBuf| p.display().to_string();
    for (input, output, who, role, fields) in [
        (&qd, &a1, "Lê Văn Cường", RoleChoice::None, vec![]),
        (&a1, &a2, "Trần Thị Bích", RoleChoice::None, vec![]),
        (&a2, &a3, "Nguyễn Văn A", RoleChoice::Approver, vec![(Field::Image, path(&image))]),
    ] {
        drive.sign(&mut s, (input, output), (who, canhan), role, &fields, kyso_testkit::pins::CANHAN, None);
    }
    let org = "Sở Thông tin và Truyền thông tỉnh Bắc Ninh";
    let issued = d.join("qd.signed.pdf");
    let clerk = vec![
        (Field::Seal, path(&seal)),
        (Field::Number, "45/QĐ-UBND".to_owned()),
        (Field::Date, "05/03/2026".to_owned()),
    ];
    drive.sign(
        &mut s,
        (&a3, &issued),
        (org, tochuc),
        RoleChoice::Issuer,
        &clerk,
        kyso_testkit::pins::TOCHUC,
        Some((2.0, 0.0)),
    );
    // The signing says what it wrote where.
    let en = Translator::new(Lang::En);
    let said = en.tr_args(
        "gui-written",
        &[
            ("page", "1"),
            (
                "items",
                &[("gui-written-number", "45"), ("gui-written-day", "05"), ("gui-written-month", "3")]
                    .map(|(k, v)| en.tr_args(k, &[("text", v)]))
                    .join(", "),
            ),
        ],
    );
    assert!(simulator(s.view(&en)).find(said.as_str()).is_ok(), "{said}");
    // The number went where the box was left on page 1.
    let reader = kyso_pdf::PdfReader::open(&issued).expect("issued");
    let first = reader.pages().expect("pages")[0];
    let widgets = kyso_pdf::presets::signature_widgets(&reader, first).expect("widgets");
    assert!(widgets.len() >= 4, "approver, seal, number, day, month on the page: {widgets:?}");

    let appendix_signed = d.join("phu-luc.signed.pdf");
    let number = vec![(Field::Number, "Phụ lục kèm theo Quyết định số 45/QĐ-UBND".to_owned())];
    drive.sign(
        &mut s,
        (&appendix, &appendix_signed),
        (org, tochuc),
        RoleChoice::Appendix,
        &number,
        kyso_testkit::pins::TOCHUC,
        None,
    );
    let copy = d.join("qd.ban-sao.pdf");
    let org_field = vec![(Field::Org, "Văn phòng UBND tỉnh Điện Biên".to_owned())];
    drive.sign(&mut s, (&issued, &copy), (org, tochuc), RoleChoice::Copy, &org_field, kyso_testkit::pins::TOCHUC, None);

    for (file, n) in [(&issued, 4), (&appendix_signed, 1), (&copy, 5)] {
        if let Some((ok, out)) = kyso_testkit::pyhanko_validate(fx, file) {
            assert!(ok, "pyHanko {}: {out}", file.display());
            assert_eq!(out.matches("The signature is judged VALID.").count(), n, "{}: {out}", file.display());
        }
    }
}

/// Draws the screen with the real renderer, keeps the picture
/// (`target/kyso-sign-preview-page1-RENDERER.png`, for people) and checks that the
/// number's box is drawn on the page in the proposed-box colour.
fn snapshot_of_page_one(s: &Sign, t: &Translator, (nx, ny): (f64, f64)) {
    let mut ui = simulator(s.view(t));
    let b = ui.find(iced::widget::Id::new(PREVIEW_ID)).expect("page 1").bounds();
    // iced_test names the file after the renderer: kyso-sign-preview-page1-RENDERER.png.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    let ours = |dir: &std::path::Path| -> Vec<PathBuf> {
        std::fs::read_dir(dir)
            .map(|r| {
                r.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| {
                        p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("kyso-sign-preview-page1-"))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    for old in ours(&dir) {
        let _ = std::fs::remove_file(old);
    }
    let shot = ui.snapshot(&iced::Theme::Light).expect("drawn");
    assert!(shot.matches_image(dir.join("kyso-sign-preview-page1.png")).expect("written"));
    let out = ours(&dir).pop().expect("the picture kept");
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&out).expect("the picture")));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut rgba = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut rgba).expect("a frame");
    let (w, scale) = (info.width as usize, 2.0);
    let colour = crate::theme::mark(&iced::Theme::Light, crate::theme::Mark::Proposed).border.color.into_rgba8();
    // Around the number box's centre (the box is ~20 px tall at 100 %),
    // its outline shows in the proposed colour.
    let (cx, cy) = ((f64::from(b.x) + nx) * scale, (f64::from(b.y) + ny) * scale);
    let mut hits = 0;
    for y in (cy - 40.0) as usize..(cy + 40.0) as usize {
        for x in (cx - 200.0) as usize..(cx + 200.0) as usize {
            let i = (y * w + x) * 4;
            let px = &rgba[i..i + 3];
            if px.iter().zip(&colour[..3]).all(|(a, b)| a.abs_diff(*b) < 24) {
                hits += 1;
            }
        }
    }
    assert!(hits > 100, "the number box's outline drawn: {hits} pixels ({})", out.display());
}
