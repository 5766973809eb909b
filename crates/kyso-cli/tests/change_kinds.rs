//! Every change the PDF analysis can report reads in both languages.

use kyso_i18n::{Lang, Translator};

#[test]
fn every_change_kind_and_level_is_translated() {
    for lang in [Lang::Vi, Lang::En] {
        let t = Translator::new(lang);
        for kind in kyso_pdf::diff::KINDS {
            let key = format!("change-{}", kind.replace('_', "-"));
            assert!(t.has(&key), "{lang:?}: {key} is missing");
            let line = t.change(kind, Some(2), Some([10.0, 20.0, 30.0, 40.0]), false);
            assert!(!line.contains(kind), "{lang:?}: {line}");
            assert!(line.contains('2') && line.contains("30"), "{line}");
        }
        for level in ["none", "lta_updates", "form_filling", "annotations", "other"] {
            assert!(t.has(&format!("modification-level-{}", level.replace('_', "-"))), "{lang:?}: {level}");
        }
    }
    let vi = Translator::new(Lang::Vi);
    assert_eq!(vi.change("page_added", Some(3), None, false), "thêm trang, trang 3 — KHÔNG được phép");
}
