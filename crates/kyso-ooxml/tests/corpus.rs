//! The third-party corpus (Apache POI's test files, ../shared/corpus/docx):
//! every verdict as ../shared/corpus/EXPECTED.md states it.

use std::path::PathBuf;

use kyso_ooxml::{VerifyOptions, verify_ooxml};
use kyso_pki::report::{Coverage, Integrity, Modifications};

fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/docx");
    if dir.is_dir() {
        Some(dir)
    } else {
        kyso_testkit::require("../shared/corpus/docx is absent; the OOXML corpus test needs it");
        None
    }
}

#[test]
fn office_made_signatures_are_intact() {
    let Some(dir) = corpus() else { return };
    let signed = [
        "hello-world-office-2010-technical-preview.docx",
        "hello-world-signed.docx",
        "hello-world-signed.pptx",
        "hello-world-signed.xlsx",
        "hyperlink-example-signed.docx",
        "ms-office-2010-signed.docx",
        "ms-office-2010-signed.pptx",
        "ms-office-2010-signed.xlsx",
        "signed.docx",
    ];
    for name in signed {
        let report = verify_ooxml(&dir.join(name), &VerifyOptions::default());
        let json = serde_json::to_string_pretty(&report).unwrap();
        assert_eq!(report.signatures.len(), 1, "{name}: {json}");
        let s = &report.signatures[0];
        assert_eq!(s.integrity, Integrity::Intact, "{name}: {json}");
        assert_eq!(s.modifications, Modifications::None, "{name}: {json}");
        assert_ne!(s.coverage, Coverage::Anomaly, "{name}: {json}");
        assert!(s.signer.is_some(), "{name}: {json}");
        // Foreign, expired certificates and no trust anchors: not a failure.
        assert_eq!(report.indication, kyso_ooxml::Indication::Indeterminate, "{name}: {json}");
    }
}

#[test]
fn unsigned_files_have_no_signature() {
    let Some(dir) = corpus() else { return };
    for name in [
        "hello-world-unsigned.docx",
        "hello-world-unsigned.pptx",
        "hello-world-unsigned.xlsx",
        "hello-world-office-2010-technical-preview-unsigned.docx",
        "bug58630.xlsx",
    ] {
        let report = verify_ooxml(&dir.join(name), &VerifyOptions::default());
        assert!(report.signatures.is_empty(), "{name}");
        assert_eq!(report.error.as_deref(), Some("no signature"), "{name}");
    }
}
