//! OOXML signing through the SoftHSM token, judged by our verifier and by
//! Apache POI (../shared/oracles/docx-poi/verify), with tampering cases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};

use std::path::{Path, PathBuf};
use std::process::Command;

use kyso_ooxml::{Indication, SignOptions, VerifyOptions, sign_ooxml, verify_ooxml};
use kyso_pki::report::{Coverage, Integrity, Modifications, SubIndication};
use kyso_pki::{load_certificates, load_crl};
use kyso_testkit::{Fixture, fixture, pins, tokens};
use kyso_token::{Pin, Pkcs11Signer, SignerOptions, list_certificates, load_module};

fn signer(fx: &Fixture, token: &str, pin: &str, cn: &str) -> Pkcs11Signer {
    let module = load_module(&fx.module).unwrap();
    let (slot, _) = module.find_tokens(Some(token)).unwrap().remove(0);
    let certs = list_certificates(&module, slot, None).unwrap();
    let entry = certs.iter().find(|c| c.certificate.subject_cn.as_deref() == Some(cn)).unwrap();
    Pkcs11Signer::open(&module, entry, Pin::new(pin.into()), SignerOptions::default()).unwrap()
}

fn trust(fx: &Fixture) -> VerifyOptions {
    VerifyOptions {
        anchors: load_certificates(&std::fs::read(fx.pki_file("root.pem")).unwrap()),
        extra_certs: load_certificates(&std::fs::read(fx.pki_file("int.pem")).unwrap()),
        crls: ["crl.pem", "root-crl.pem"]
            .iter()
            .map(|f| load_crl(&std::fs::read(fx.pki_file(f)).unwrap()).unwrap())
            .collect(),
        at: None,
        online: None,
    }
}

/// Apache POI's verdict: Some(exit code) or None when ../shared is absent.
fn poi(file: &Path) -> Option<(i32, String)> {
    let shared = kyso_testkit::shared_or_skip("the POI check")?;
    // One POI at a time: its first run installs and compiles into a cache.
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = ONE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let out = Command::new("bash").arg(shared.join("oracles/docx-poi/verify")).arg(file).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    Some((out.status.code().unwrap_or(-1), text))
}

/// Rewrites a package, letting `edit` change, drop or add items.
fn rewrite(src: &Path, dst: &Path, edit: impl Fn(&str, Vec<u8>) -> Option<(String, Vec<u8>)>, add: &[(&str, &[u8])]) {
    let mut z = zip::ZipArchive::new(std::fs::File::open(src).unwrap()).unwrap();
    let mut w = zip::ZipWriter::new(std::fs::File::create(dst).unwrap());
    let o = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if let Some((n, d)) = edit(&name, data) {
            w.start_file(n, o).unwrap();
            w.write_all(&d).unwrap();
        }
    }
    for (n, d) in add {
        w.start_file(*n, o).unwrap();
        w.write_all(d).unwrap();
    }
    w.finish().unwrap();
}

fn sign(fx: &Fixture, input: &Path, output: &Path, who: &str) {
    let (token, pin) = match who {
        "Sở Thông tin và Truyền thông tỉnh Bắc Ninh" => (tokens::TOCHUC, pins::TOCHUC),
        _ => (tokens::CANHAN, pins::CANHAN),
    };
    let s = signer(fx, token, pin, who);
    sign_ooxml(input, output, &s, &SignOptions { comment: Some("Phê duyệt".into()), ..Default::default() }).unwrap();
}

fn dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn one_and_two_signers_accepted_by_us_and_poi() {
    let Some(fx) = fixture() else { return };
    let d = dir();
    let input = d.path().join("congvan.docx");
    kyso_testkit::minimal_docx(&input, "Kính gửi: Sở Nội vụ — ký số thử nghiệm");
    let before = std::fs::read(&input).unwrap();
    let one = d.path().join("congvan.signed.docx");
    sign(fx, &input, &one, "Nguyễn Văn A");
    assert_eq!(std::fs::read(&input).unwrap(), before, "input modified");
    let r = verify_ooxml(&one, &trust(fx));
    let json = serde_json::to_string_pretty(&r).unwrap();
    assert_eq!(r.indication, Indication::TotalPassed, "{json}");
    assert_eq!(r.signatures[0].coverage, Coverage::WholePackage, "{json}");
    assert_eq!(r.signatures[0].signer.as_deref(), Some("Nguyễn Văn A"));
    if let Some((code, text)) = poi(&one) {
        assert_eq!(code, 0, "POI rejects our signature: {text}");
    }

    // A second signer (the organisation's certificate) keeps the first valid.
    let two = d.path().join("congvan.signed2.docx");
    sign(fx, &one, &two, "Sở Thông tin và Truyền thông tỉnh Bắc Ninh");
    let r = verify_ooxml(&two, &trust(fx));
    let json = serde_json::to_string_pretty(&r).unwrap();
    assert_eq!(r.signatures.len(), 2, "{json}");
    assert!(r.signatures.iter().all(|s| s.indication == Indication::TotalPassed), "{json}");
    if let Some((code, text)) = poi(&two) {
        assert_eq!(code, 0, "POI rejects our two signatures: {text}");
        assert_eq!(text.matches("valid=true").count(), 2, "{text}");
    }
}

#[test]
fn ecdsa_and_office_files_accepted() {
    let Some(fx) = fixture() else { return };
    let d = dir();
    let mut inputs: Vec<PathBuf> = Vec::new();
    if let Some(shared) = kyso_testkit::shared_or_skip("the corpus inputs") {
        for n in ["hello-world-unsigned.docx", "hello-world-unsigned.xlsx", "hello-world-unsigned.pptx"] {
            inputs.push(shared.join("corpus/docx").join(n));
        }
    }
    let generated = d.path().join("gen.docx");
    kyso_testkit::minimal_docx(&generated, "ECDSA");
    inputs.push(generated);
    for (i, input) in inputs.iter().enumerate() {
        let ext = input.extension().unwrap().to_str().unwrap();
        let out = d.path().join(format!("out{i}.{ext}"));
        let who = if i % 2 == 0 { "Lê Văn Cường" } else { "Nguyễn Văn A" };
        sign(fx, input, &out, who);
        let r = verify_ooxml(&out, &trust(fx));
        let json = serde_json::to_string_pretty(&r).unwrap();
        assert_eq!(r.indication, Indication::TotalPassed, "{}: {json}", input.display());
        if let Some((code, text)) = poi(&out) {
            assert_eq!(code, 0, "POI rejects {}: {text}", input.display());
        }
    }
}

#[test]
fn tampering_is_caught_by_us_and_poi() {
    let Some(fx) = fixture() else { return };
    let d = dir();
    let input = d.path().join("a.docx");
    kyso_testkit::minimal_docx(&input, "Nội dung gốc");
    let signed = d.path().join("a.signed.docx");
    sign(fx, &input, &signed, "Nguyễn Văn A");

    let doc_rels = "word/_rels/document.xml.rels";
    let cases: Vec<(&str, PathBuf, bool)> = {
        let mut v = Vec::new();
        // A part changed.
        let p = d.path().join("changed.docx");
        rewrite(
            &signed,
            &p,
            |n, data| {
                let data = if n == "word/document.xml" {
                    String::from_utf8(data).unwrap().replace("gốc", "sửa").into_bytes()
                } else {
                    data
                };
                Some((n.to_owned(), data))
            },
            &[],
        );
        v.push(("changed part", p, true));
        // A part renamed.
        let p = d.path().join("renamed.docx");
        rewrite(
            &signed,
            &p,
            |n, data| {
                Some((if n == "word/media/image1.png" { "word/media/image2.png".into() } else { n.into() }, data))
            },
            &[],
        );
        v.push(("renamed part", p, true));
        // A relationship (and its part) added to a signed relationships part.
        let p = d.path().join("added-rel.docx");
        rewrite(
            &signed,
            &p,
            |n, data| {
                let data = if n == doc_rels {
                    String::from_utf8(data)
                        .unwrap()
                        .replace("</Relationships>", "<Relationship Id=\"rId9\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/header\" Target=\"header1.xml\"/></Relationships>")
                        .into_bytes()
                } else {
                    data
                };
                Some((n.to_owned(), data))
            },
            &[(
                "word/header1.xml",
                b"<w:hdr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"/>",
            )],
        );
        v.push(("added relationship", p, false));
        // An unreferenced part injected.
        let p = d.path().join("injected.docx");
        rewrite(&signed, &p, |n, data| Some((n.to_owned(), data)), &[("word/evil.xml", b"<x/>")]);
        v.push(("injected part", p, false));
        // A signed part's content type changed.
        let p = d.path().join("ctype.docx");
        rewrite(
            &signed,
            &p,
            |n, data| {
                let data = if n == "[Content_Types].xml" {
                    String::from_utf8(data).unwrap().replace("image/png", "image/jpeg").into_bytes()
                } else {
                    data
                };
                Some((n.to_owned(), data))
            },
            &[],
        );
        v.push(("content type changed", p, false));
        v
    };
    for (what, file, poi_sees_it) in cases {
        let r = verify_ooxml(&file, &trust(fx));
        let json = serde_json::to_string_pretty(&r).unwrap();
        assert_eq!(r.indication, Indication::TotalFailed, "{what}: {json}");
        assert!(!r.signatures[0].modification_details.is_empty(), "{what}: {json}");
        if let Some((code, text)) = poi(&file) {
            // POI checks the references only: an unsigned addition is
            // invisible to it, which is why our verifier accounts for
            // every part and relationship.
            if poi_sees_it {
                assert_eq!(code, 1, "POI accepts {what}: {text}");
            } else {
                assert_eq!(code, 0, "POI's view of {what} changed: {text}");
            }
        }
    }
}

#[test]
fn refuses_existing_output_and_bad_input() {
    let Some(fx) = fixture() else { return };
    let d = dir();
    let input = d.path().join("a.docx");
    kyso_testkit::minimal_docx(&input, "x");
    let s = signer(fx, tokens::CANHAN, pins::CANHAN, "Nguyễn Văn A");
    let err = sign_ooxml(&input, &input, &s, &SignOptions::default()).unwrap_err();
    assert!(matches!(err, kyso_ooxml::OoxmlError::OutputExists(_)), "{err}");
    let junk = d.path().join("junk.docx");
    std::fs::write(&junk, b"PK\x03\x04 not a zip").unwrap();
    let out = d.path().join("out.docx");
    let err = sign_ooxml(&junk, &out, &s, &SignOptions::default()).unwrap_err();
    assert!(matches!(err, kyso_ooxml::OoxmlError::NotOoxml), "{err}");
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 2, "a temporary file was left behind");
    let r = verify_ooxml(&junk, &VerifyOptions::default());
    assert_eq!(r.indication, Indication::TotalFailed);
    assert!(r.error.is_some());
}

/// Replaces the signature part of a signed package with `edit(xml)`.
fn edit_signature(src: &Path, dst: &Path, edit: impl Fn(String) -> String) {
    rewrite(
        src,
        dst,
        |n, data| {
            let data =
                if n == "_xmlsignatures/sig1.xml" { edit(String::from_utf8(data).unwrap()).into_bytes() } else { data };
            Some((n.to_owned(), data))
        },
        &[],
    );
}

#[test]
fn signature_wrapping_is_refused() {
    let Some(fx) = fixture() else { return };
    let d = dir();
    let input = d.path().join("a.docx");
    kyso_testkit::minimal_docx(&input, "Bản gốc");
    let signed = d.path().join("a.signed.docx");
    sign(fx, &input, &signed, "Nguyễn Văn A");

    // XSW: the genuine package object moved into a wrapper (its digest still
    // matches by Id) and a forged manifest put where a verifier looks.
    let wrapped = d.path().join("wrapped.docx");
    edit_signature(&signed, &wrapped, |x| {
        let start = x.find("<Object Id=\"idPackageObject\">").unwrap();
        let end = start + x[start..].find("</Object>").unwrap() + "</Object>".len();
        let genuine = x[start..end].to_owned();
        let forged = "<Object><Manifest></Manifest></Object>";
        format!("{}{forged}<Object><Wrapper>{genuine}</Wrapper></Object>{}", &x[..start], &x[end..])
    });
    // A second element with the package object's Id.
    let duplicate = d.path().join("duplicate.docx");
    edit_signature(&signed, &duplicate, |x| {
        x.replace("</Signature>", "<Object Id=\"idPackageObject\"><Manifest></Manifest></Object></Signature>")
    });
    for f in [&wrapped, &duplicate] {
        let r = verify_ooxml(f, &trust(fx));
        let json = serde_json::to_string_pretty(&r).unwrap();
        assert_eq!(r.indication, Indication::TotalFailed, "{}: {json}", f.display());
        assert_eq!(r.signatures[0].sub_indication, Some(SubIndication::FormatFailure), "{json}");
    }
}

#[test]
fn xades_t_with_a_local_tsa() {
    let Some(fx) = fixture() else { return };
    let tsa = kyso_testkit::start_tsa(fx);
    let d = dir();
    let input = d.path().join("a.docx");
    kyso_testkit::minimal_docx(&input, "Có dấu thời gian");
    let out = d.path().join("a.signed.docx");
    let s = signer(fx, tokens::CANHAN, pins::CANHAN, "Nguyễn Văn A");
    let opts = SignOptions {
        tsa: Some(kyso_pki::TsaConfig::new(tsa.url.clone(), std::time::Duration::from_secs(30))),
        ..Default::default()
    };
    let outcome = sign_ooxml(&input, &out, &s, &opts).unwrap();
    assert!(outcome.timestamp.is_some());
    let mut opts = trust(fx);
    opts.extra_certs.extend(load_certificates(&std::fs::read(fx.pki_file("tsa.pem")).unwrap()));
    let r = verify_ooxml(&out, &opts);
    let json = serde_json::to_string_pretty(&r).unwrap();
    assert_eq!(r.indication, Indication::TotalPassed, "{json}");
    assert!(r.signatures[0].timestamp.is_some(), "{json}");
    if let Some((code, text)) = poi(&out) {
        assert_eq!(code, 0, "POI rejects XAdES-T: {text}");
    }

    // A dead TSA: a clear error and no output file.
    let dead = d.path().join("dead.docx");
    let opts = SignOptions {
        tsa: Some(kyso_pki::TsaConfig::new("http://127.0.0.1:9/", std::time::Duration::from_secs(5))),
        ..Default::default()
    };
    let err = sign_ooxml(&input, &dead, &s, &opts).unwrap_err();
    assert!(matches!(err, kyso_ooxml::OoxmlError::Timestamp(_)), "{err}");
    assert!(!dead.exists());
}

#[test]
fn countersigning_an_office_signed_file_keeps_its_signature() {
    let Some(fx) = fixture() else { return };
    let Some(shared) = kyso_testkit::shared_or_skip("countersigning an Office-signed corpus file") else {
        return;
    };
    let d = dir();
    for name in ["ms-office-2010-signed.docx", "hello-world-signed.xlsx", "signed.docx"] {
        let input = shared.join("corpus/docx").join(name);
        let out = d.path().join(name);
        sign(fx, &input, &out, "Nguyễn Văn A");
        let r = verify_ooxml(&out, &trust(fx));
        let json = serde_json::to_string_pretty(&r).unwrap();
        assert_eq!(r.signatures.len(), 2, "{name}: {json}");
        assert_eq!(r.signatures[0].integrity, Integrity::Intact, "{name}: {json}");
        assert_eq!(r.signatures[0].modifications, Modifications::None, "{name}: {json}");
        assert_eq!(r.signatures[1].indication, Indication::TotalPassed, "{name}: {json}");
        if let Some((code, text)) = poi(&out) {
            assert_eq!(code, 0, "POI: {name}: {text}");
        }
    }
}
