//! Tests of the settings screen.

use super::*;

#[test]
fn config_round_trips_and_bad_files_give_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/config.json");
    assert_eq!(Config::load(&path), Config::default());
    let c = Config {
        lang: "en".into(),
        theme: ThemeChoice::Dark,
        tsa: "http://127.0.0.1:3180/".into(),
        modules: vec![PathBuf::from("/usr/lib/libbit4xpki.so")],
        default_role: "issuer".into(),
        output_suffix: "da-ky".into(),
        output_dir: Some(PathBuf::from("/tmp/da-ky")),
        images: BTreeMap::from([(
            "ab".repeat(32),
            CertImages { subject: "Nguyễn Văn A".into(), signature: Some("/tmp/ky.png".into()), seal: None },
        )]),
        offline_verify: true,
        proxy: "http://proxy.so.gov.vn:3128".into(),
        shipped_anchors: false,
        recent: vec![PathBuf::from("/home/vt/Tài liệu/cong-van.pdf")],
        open_with: Some(OpenAction::Sign),
        window: Some([1180, 700]),
        window_at: Some([40, 20]),
        bridge: true,
        bridge_origins: vec!["https://vpdt.so.gov.vn".into()],
    };
    c.save(&path).unwrap();
    assert_eq!(Config::load(&path), c);
    assert_eq!(c.language(), Lang::En);
    std::fs::write(&path, b"{ not json").unwrap();
    assert_eq!(Config::load(&path), Config::default());
    // A file from an older version (fewer keys) keeps the rest default.
    std::fs::write(&path, br#"{"lang":"en"}"#).unwrap();
    assert_eq!(Config::load(&path).tsa, kyso_pki::tsp::VGCA_TSA);
}

#[test]
fn every_change_is_saved_at_once_and_bad_urls_are_not() {
    let mut s = Settings::new(Config::default(), Path::new("/nonexistent"));
    let Some(Event::Save(c)) = s.update(Message::Language(Lang::En)) else { panic!("not saved") };
    assert_eq!(c.language(), Lang::En);
    let Some(Event::Save(c)) = s.update(Message::Theme(ThemeChoice::Dark)) else { panic!("not saved") };
    assert_eq!(c.theme, ThemeChoice::Dark);
    let Some(Event::Save(c)) = s.update(Message::ModulesChanged("/a.so, /b.so\n/c.so".into())) else { panic!() };
    assert_eq!(c.modules.len(), 3);
    // A half-typed URL is not put in force, and says why.
    assert!(s.update(Message::TsaChanged("tsa.ca.gov.vn".into())).is_none());
    assert!(matches!(s.problem(), Some(e) if e.key == "gui-settings-tsa-invalid"));
    assert_eq!(s.config().tsa, kyso_pki::tsp::VGCA_TSA);
    let Some(Event::Save(c)) = s.update(Message::TsaChanged(" http://tsa.so.gov.vn/ ".into())) else { panic!() };
    assert_eq!(c.tsa, "http://tsa.so.gov.vn/");
    assert!(s.problem().is_none(), "no stale message once the URL is good");
    // A proxy the HTTP layer cannot use is refused.
    assert!(s.update(Message::ProxyChanged("socks5://proxy:1080".into())).is_none());
    assert!(matches!(s.problem(), Some(e) if e.key == "gui-settings-proxy-invalid"));
    let Some(Event::Save(c)) = s.update(Message::ProxyChanged(" http://can-bo:p%40ss@proxy.so.gov.vn:3128 ".into()))
    else {
        panic!("not saved")
    };
    assert_eq!(c.proxy().as_deref(), Some("http://can-bo:p%40ss@proxy.so.gov.vn:3128"));
    // A failed write is shown until the next good one.
    let _ = s.update(Message::Saved(Err(Text::new("err-io").arg("path", "/x").arg("detail", "full"))));
    assert!(s.problem().is_some());
    let _ = s.update(Message::Saved(Ok(())));
    assert!(s.problem().is_none());
    let _ = s.view(&Translator::new(Lang::Vi));
}

#[test]
fn signed_copies_are_named_by_the_settings() {
    let mut c = Config::default();
    assert_eq!(c.output_for(Path::new("/d/cong-van.pdf")), PathBuf::from("/d/cong-van.signed.pdf"));
    assert_eq!(c.output_for(Path::new("/d/to-trinh.docx")), PathBuf::from("/d/to-trinh.signed.docx"));
    c.output_suffix = " .da-ky. ".into();
    c.output_dir = Some(PathBuf::from("/out"));
    assert_eq!(c.output_for(Path::new("/d/cong-van.pdf")), PathBuf::from("/out/cong-van.da-ky.pdf"));
    c.output_suffix = String::new();
    assert_eq!(c.output_for(Path::new("/d/x.pdf")), PathBuf::from("/out/x.signed.pdf"));
    let mut s = Settings::new(Config::default(), Path::new("/nonexistent"));
    let Some(Event::Save(c)) = s.update(Message::OutputDirChanged(" /srv/ky ".into())) else { panic!() };
    assert_eq!(c.output_dir, Some(PathBuf::from("/srv/ky")));
    let Some(Event::Save(c)) = s.update(Message::OutputDirChanged(String::new())) else { panic!() };
    assert_eq!(c.output_dir, None);
    let Some(Event::Save(c)) = s.update(Message::DefaultRole("issuer".into())) else { panic!() };
    assert_eq!(c.default_role, "issuer");
    let _ = s.view(&Translator::new(Lang::En));
}

#[test]
fn images_are_remembered_once_and_can_be_forgotten() {
    let mut s = Settings::new(Config::default(), Path::new("/nonexistent"));
    // An edit not saved yet must not be saved with the images.
    let _ = s.update(Message::TsaChanged("tsa.invalid".into()));
    let imgs = CertImages { subject: "Nguyễn Văn A".into(), signature: Some("/tmp/ky.png".into()), seal: None };
    let in_force = Config::default();
    let Some(Event::Save(c)) = s.remember_images("aa".into(), imgs.clone(), &in_force) else { panic!("saved") };
    assert_eq!(c.images.get("aa"), Some(&imgs));
    assert_eq!(c.tsa, in_force.tsa, "the unsaved TSA edit stays unsaved");
    assert!(s.remember_images("aa".into(), imgs, &c).is_none(), "nothing new, nothing saved");
    let mut ui = iced_test::simulator(s.view(&Translator::new(Lang::Vi)));
    assert!(ui.find("Nguyễn Văn A").is_ok());
    drop(ui);
    let Some(Event::Save(c)) = s.update(Message::ForgetImages("aa".into())) else { panic!() };
    assert!(c.images.is_empty());
}

/// Importing through the settings stores the fixture root; a file with
/// no certificate is a clear error; removing takes it out.
#[test]
fn anchors_are_imported_listed_and_removed() {
    let fx = kyso_testkit::require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, b"not a certificate").unwrap();
    let err = import_anchors(dir.path(), std::slice::from_ref(&junk)).unwrap_err();
    assert_eq!(err.key, "trust-not-a-certificate");
    let added = import_anchors(dir.path(), &[fx.pki_file("root.pem")]).unwrap();
    assert_eq!(added.len(), 1);
    let mut s = Settings::new(Config::default(), dir.path());
    assert_eq!(s.anchors.len(), 1);
    let sha = s.anchors[0].sha256.clone();
    let Some(Event::RemoveAnchor(x)) = s.update(Message::RemoveAnchor(sha.clone())) else { panic!() };
    remove_anchor(dir.path(), &x).unwrap();
    let _ = s.update(Message::AnchorRemoved(Ok(())));
    assert!(s.anchors.is_empty());
    let _ = s.update(Message::AnchorsImported(Ok(added)));
    assert!(matches!(&s.anchor_status, Some(Ok(subjects)) if subjects.contains("TEST")));
    let _ = s.view(&Translator::new(Lang::Vi));
}
