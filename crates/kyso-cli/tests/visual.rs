//! `kyso-cli verify` with the visual comparison (issue 21): a page content
//! replaced after signing is reported in `visual_changes` and as a
//! `visible_change`, `--render-diff DIR` writes the pictures, `--no-render`
//! says the pages were not compared.

#![allow(clippy::unwrap_used)] // test helpers panic on purpose

use kyso_pdf::object::{Dict, Object, StreamData};
use kyso_pdf::{IncrementalUpdate, PdfReader};
use kyso_testkit::{pins, require_fixture, tokens};

mod common;
use common::json;

#[test]
fn verify_shows_visible_changes_and_writes_the_pictures() {
    let fx = require_fixture!();
    let data = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("qd.pdf");
    kyso_testkit::minimal_pdf(&input, 2);
    let module = fx.module.to_str().unwrap();
    let out = common::kyso_cli(
        fx,
        data.path(),
        &[
            "sign",
            input.to_str().unwrap(),
            "--module",
            module,
            "--token",
            tokens::TOCHUC,
            "--pin-stdin",
            "--allow-unchecked",
        ],
        Some(pins::TOCHUC),
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let signed = dir.path().join("qd.signed.pdf");

    // Page 1's content stream redefined in an update (shadow "replace").
    let reader = PdfReader::open(&signed).unwrap();
    let page = reader.pages().unwrap()[0];
    let Some(Object::Ref(content, _)) = reader.get(page).unwrap().as_dict().unwrap().get("Contents").cloned() else {
        panic!("no content reference")
    };
    let mut up = IncrementalUpdate::new(&reader, false);
    up.write(
        content,
        &Object::Stream(Dict::new(), StreamData::Bytes(b"BT /F1 24 Tf 72 720 Td (Trang 9) Tj ET".to_vec())),
    );
    let mut bytes = std::fs::read(&signed).unwrap();
    bytes.extend_from_slice(&up.finish(&reader));
    let tampered = dir.path().join("tampered.pdf");
    std::fs::write(&tampered, bytes).unwrap();

    let pictures = dir.path().join("diff");
    let path = tampered.to_str().unwrap();
    let out = common::kyso_cli(
        fx,
        data.path(),
        &["verify", path, "--offline", "--json", "--render-diff", pictures.to_str().unwrap()],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    let s = &v["signatures"][0];
    assert_eq!(s["coverage"], "whole_revision");
    assert_eq!(s["modifications"], "disallowed");
    let visual = s["visual_changes"].as_array().unwrap();
    assert!(visual.iter().any(|c| c["page"] == 1 && c["explained_by"].is_null()), "{visual:?}");
    let rect = visual[0]["rect"].as_array().unwrap();
    assert_eq!(rect.len(), 4);
    let changes = s["changes"].as_array().unwrap();
    let seen = changes.iter().find(|c| c["kind"] == "visible_change").expect("a visible_change");
    assert_eq!((seen["page"].as_u64(), seen["allowed"].as_bool()), (Some(1), Some(false)));
    assert!(seen["detail"].as_str().unwrap().starts_with("visible change on page 1 at ("), "{seen}");
    for part in ["before", "after", "diff"] {
        let f = pictures.join(format!("sig1-page1-{part}.png"));
        let head = std::fs::read(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert_eq!(&head[..8], b"\x89PNG\r\n\x1a\n");
    }
    assert!(!pictures.join("sig1-page2-diff.png").exists(), "page 2 did not change");

    // Human output names the change in Vietnamese.
    let out = common::kyso_cli(fx, data.path(), &["verify", path, "--offline"], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("trang hiển thị khác bản đã ký"), "{text}");

    // --no-render: not compared, and said so.
    let out = common::kyso_cli(fx, data.path(), &["verify", path, "--offline", "--json", "--no-render"], None);
    let v = json(&out);
    let s = &v["signatures"][0];
    assert!(s["visual_changes"].as_array().unwrap().is_empty());
    let changes = s["changes"].as_array().unwrap();
    assert!(changes.iter().any(|c| c["kind"] == "visual_not_compared" && c["allowed"] == true), "{changes:?}");
    assert!(!changes.iter().any(|c| c["kind"] == "visible_change"));
}
