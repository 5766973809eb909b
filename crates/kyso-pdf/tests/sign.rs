//! PAdES signing judged by validators nobody here wrote: pyHanko, pdfsig,
//! qpdf and openssl. Signers are real SoftHSM tokens from the fixture PKI.

#![allow(clippy::unwrap_used)] // test helpers panic on purpose

use std::path::{Path, PathBuf};
use std::process::Command;

use kyso_pdf::{SignError, SignOptions, sign_pdf};
use kyso_pki::Signer;
mod common;
use common::signer;
use kyso_testkit::{Fixture, minimal_pdf, pins, require_fixture, tokens};

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--help").output().is_ok()
}

fn pyhanko_validate(fx: &Fixture, file: &Path, expected: usize) {
    let Some((ok, out)) = kyso_testkit::pyhanko_validate(fx, file) else { return };
    assert!(ok, "pyHanko rejected {}:\n{out}", file.display());
    assert_eq!(out.matches("The signature is judged VALID.").count(), expected, "{out}");
    assert_eq!(out.matches("The signer's certificate is trusted.").count(), expected, "{out}");
    assert!(!out.contains("INVALID") && !out.contains("ILLEGAL"), "{out}");
}

fn pdfsig_all_valid(file: &Path, expected: usize) {
    if !have("pdfsig") {
        kyso_testkit::require("pdfsig (poppler-utils) is not installed: the pdfsig check");
        return;
    }
    let (_, out) = kyso_testkit::run(Command::new("pdfsig").arg(file));
    assert_eq!(out.matches("Signature Validation: Signature is Valid.").count(), expected, "{out}");
}

fn qpdf_check(file: &Path) {
    if !have("qpdf") {
        return;
    }
    let (ok, out) = kyso_testkit::run(Command::new("qpdf").arg("--check").arg(file));
    assert!(ok && out.contains("No syntax or stream encoding errors"), "qpdf: {out}");
}

/// openssl cms -verify over the signed byte ranges of the last signature.
fn openssl_cms_verify(fx: &Fixture, file: &Path, br: [u64; 4], dir: &Path) {
    let bytes = std::fs::read(file).unwrap();
    let mut signed = bytes[..br[1] as usize].to_vec();
    signed.extend_from_slice(&bytes[br[2] as usize..(br[2] + br[3]) as usize]);
    let hex = &bytes[br[1] as usize + 1..br[2] as usize - 1];
    let der = hex_to_der(hex);
    let (sig, content) = (dir.join("sig.der"), dir.join("content.bin"));
    std::fs::write(&sig, der).unwrap();
    std::fs::write(&content, signed).unwrap();
    let (ok, out) = kyso_testkit::run(
        Command::new("openssl")
            .args(["cms", "-verify", "-binary", "-inform", "DER", "-in"])
            .arg(&sig)
            .arg("-content")
            .arg(&content)
            .arg("-CAfile")
            // The TOCHUC token carries no CA certificate, so its CMS holds
            // only the leaf (as VGCA's tools do); openssl 3.0 cms has no
            // -untrusted, so the intermediate goes with the root.
            .arg(fx.pki_file("chain.pem"))
            .args(["-purpose", "any", "-out", "/dev/null"]),
    );
    if !(ok && out.contains("Verification successful")) {
        let keep = std::env::temp_dir().join("kyso-failed-cms");
        let _ = std::fs::create_dir_all(&keep);
        let _ = std::fs::copy(&sig, keep.join("sig.der"));
        let _ = std::fs::copy(file, keep.join("file.pdf"));
    }
    assert!(ok && out.contains("Verification successful"), "openssl cms on {}: {out}", file.display());
}

fn hex_to_der(hex: &[u8]) -> Vec<u8> {
    let bytes: Vec<u8> =
        hex.chunks(2).map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap()).collect();
    // The CMS is zero-padded: cut at its DER length.
    let len = match bytes[1] {
        n if n < 0x80 => 2 + n as usize,
        0x81 => 3 + bytes[2] as usize,
        0x82 => 4 + ((bytes[2] as usize) << 8 | bytes[3] as usize),
        0x83 => 5 + ((bytes[2] as usize) << 16 | (bytes[3] as usize) << 8 | bytes[4] as usize),
        _ => panic!("length"),
    };
    bytes[..len].to_vec()
}

fn three_signatures(fx: &Fixture, input: &Path, dir: &Path, label: &str) {
    let fields = signatures_after(fx, input, dir, label, 0);
    assert_eq!(fields, ["Signature1", "Signature2", "Signature3"]);
}

/// Adds three signatures (personal RSA, personal ECDSA, organisation) to a
/// file already holding `already` valid ones; every validator checks every
/// signature after each step.
fn signatures_after(fx: &Fixture, input: &Path, dir: &Path, label: &str, already: usize) -> Vec<String> {
    let signers = [
        signer(fx, tokens::CANHAN, pins::CANHAN, "Nguyễn Văn A"),
        signer(fx, tokens::CANHAN, pins::CANHAN, "Lê Văn Cường"),
        signer(fx, tokens::TOCHUC, pins::TOCHUC, "Sở Thông tin và Truyền thông tỉnh Bắc Ninh"),
    ];
    let mut current = input.to_owned();
    let mut fields = Vec::new();
    for (i, s) in signers.iter().enumerate() {
        let out = dir.join(format!("{label}-{}.pdf", i + 1));
        let opts = SignOptions {
            reason: Some(format!("Phê duyệt (lần {}) — đồng ý", i + 1)),
            location: Some("Bắc Ninh".into()),
            ..Default::default()
        };
        let outcome = sign_pdf(&current, &out, s as &dyn Signer, &opts).unwrap_or_else(|e| panic!("{label} #{i}: {e}"));
        fields.push(outcome.field_name.clone());
        qpdf_check(&out);
        openssl_cms_verify(fx, &out, outcome.byte_range, dir);
        pdfsig_all_valid(&out, already + i + 1);
        pyhanko_validate(fx, &out, already + i + 1);
        current = out;
    }
    fields
}

fn qpdf(args: &[&str], input: &Path, output: &Path) -> bool {
    if !have("qpdf") {
        kyso_testkit::require("qpdf is not installed");
        return false;
    }
    let (ok, out) = kyso_testkit::run(Command::new("qpdf").args(args).arg(input).arg(output));
    assert!(ok || out.contains("warning"), "qpdf {args:?}: {out}");
    true
}

#[test]
fn three_successive_signatures_on_a_minimal_pdf() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("min.pdf");
    minimal_pdf(&input, 1);
    let before = std::fs::read(&input).unwrap();
    three_signatures(fx, &input, dir.path(), "min");
    assert_eq!(std::fs::read(&input).unwrap(), before, "the input must never change");
}

#[test]
fn three_successive_signatures_on_a_multi_page_pdf() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("multi.pdf");
    minimal_pdf(&input, 12);
    three_signatures(fx, &input, dir.path(), "multi");
}

#[test]
fn three_successive_signatures_with_xref_and_object_streams() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let (src, input) = (dir.path().join("src.pdf"), dir.path().join("objstm.pdf"));
    minimal_pdf(&src, 5);
    if !qpdf(&["--object-streams=generate"], &src, &input) {
        return;
    }
    three_signatures(fx, &input, dir.path(), "objstm");
}

#[test]
fn three_successive_signatures_on_a_linearized_pdf() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let (src, input) = (dir.path().join("src.pdf"), dir.path().join("lin.pdf"));
    minimal_pdf(&src, 5);
    if !qpdf(&["--linearize"], &src, &input) {
        return;
    }
    three_signatures(fx, &input, dir.path(), "lin");
}

#[test]
fn refusals_leave_no_output() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.pdf");
    minimal_pdf(&input, 1);
    let signer = signer(fx, tokens::CANHAN, pins::CANHAN, "Nguyễn Văn A");
    // Existing output without force.
    let out = dir.path().join("exists.pdf");
    std::fs::write(&out, b"keep me").unwrap();
    assert!(matches!(sign_pdf(&input, &out, &signer, &SignOptions::default()), Err(SignError::OutputExists(_))));
    assert_eq!(std::fs::read(&out).unwrap(), b"keep me");
    // Certified with no changes allowed: a second signature is refused.
    let certified = dir.path().join("certified.pdf");
    sign_pdf(&input, &certified, &signer, &SignOptions { certify: Some(1), ..Default::default() }).unwrap();
    pyhanko_validate(fx, &certified, 1);
    let next = dir.path().join("next.pdf");
    assert!(matches!(sign_pdf(&certified, &next, &signer, &SignOptions::default()), Err(SignError::DocMdpForbids)));
    assert!(!next.exists());
    // Not a PDF.
    let junk = dir.path().join("junk.pdf");
    std::fs::write(&junk, b"not a pdf at all").unwrap();
    assert!(matches!(
        sign_pdf(&junk, &dir.path().join("j.pdf"), &signer, &SignOptions::default()),
        Err(SignError::Pdf(_))
    ));
    // No temp files left behind.
    let leftovers: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().contains(".kyso-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn three_signatures_after_a_pyhanko_signature_made_through_softhsm() {
    let fx = require_fixture!();
    if !have("pyhanko") {
        kyso_testkit::require("pyhanko is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (src, input) = (dir.path().join("src.pdf"), dir.path().join("pyhanko.pdf"));
    minimal_pdf(&src, 3);
    let (ok, err) = kyso_testkit::pyhanko_pkcs11_sign(fx, tokens::CANHAN, pins::CANHAN, "canhan", &src, &input);
    assert!(ok, "pyhanko sign: {err}");
    pyhanko_validate(fx, &input, 1);
    let fields = signatures_after(fx, &input, dir.path(), "pyh", 1);
    assert_eq!(fields.len(), 3);
}

#[test]
fn fills_an_existing_empty_signature_field() {
    let fx = require_fixture!();
    if !have("pyhanko") {
        kyso_testkit::require("pyhanko is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (src, input, out) = (dir.path().join("src.pdf"), dir.path().join("fields.pdf"), dir.path().join("signed.pdf"));
    minimal_pdf(&src, 2);
    kyso_testkit::pyhanko_add_field(&src, &input, "2/300,100,500,160/TruongPhong");
    let signer = signer(fx, tokens::CANHAN, pins::CANHAN, "Nguyễn Văn A");
    let o =
        sign_pdf(&input, &out, &signer, &SignOptions { field_name: Some("TruongPhong".into()), ..Default::default() })
            .unwrap();
    assert_eq!(o.field_name, "TruongPhong");
    pyhanko_validate(fx, &out, 1);
    pdfsig_all_valid(&out, 1);
    qpdf_check(&out);
    // Filling it again is refused: it is no longer empty.
    let again = dir.path().join("again.pdf");
    let err =
        sign_pdf(&out, &again, &signer, &SignOptions { field_name: Some("TruongPhong".into()), ..Default::default() });
    assert!(matches!(err, Err(SignError::FieldNotEmpty(_))), "{err:?}");
}

#[test]
fn encrypted_pdfs_are_refused() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let (src, input) = (dir.path().join("src.pdf"), dir.path().join("enc.pdf"));
    minimal_pdf(&src, 1);
    if !qpdf(&["--encrypt", "", "owner", "256", "--"], &src, &input) {
        return;
    }
    let signer = signer(fx, tokens::CANHAN, pins::CANHAN, "Nguyễn Văn A");
    let out = dir.path().join("out.pdf");
    assert!(matches!(sign_pdf(&input, &out, &signer, &SignOptions::default()), Err(SignError::Encrypted)));
    assert!(!out.exists());
}
