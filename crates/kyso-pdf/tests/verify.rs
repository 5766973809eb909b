//! Verification: our own and pyHanko's signatures with the fixture PKI must
//! pass; every tampering made here must not; the third-party corpus must get
//! the verdicts its origin projects assert (../shared/corpus/EXPECTED.md).

#![allow(clippy::unwrap_used)] // test helpers panic on purpose

use std::path::{Path, PathBuf};

use kyso_pdf::object::{Dict, Object, StreamData};
use kyso_pdf::{IncrementalUpdate, Indication, PdfReader, PdfReport, SignOptions, VerifyOptions, sign_pdf, verify_pdf};
use kyso_pki::Signer;
mod common;
use common::{signer, trust};
use kyso_pki::report::{Coverage, Integrity, Modifications, Revocation, SignatureKind, SubIndication, WarningCode};
use kyso_testkit::{Fixture, minimal_pdf, pins, require_fixture, tokens};

fn signed_file(_fx: &Fixture, dir: &Path, signers: &[&dyn Signer]) -> PathBuf {
    let mut current = dir.join("in.pdf");
    minimal_pdf(&current, 2);
    for (i, s) in signers.iter().enumerate() {
        let out = dir.join(format!("signed-{i}.pdf"));
        sign_pdf(&current, &out, *s, &SignOptions::default()).unwrap();
        current = out;
    }
    current
}

fn only(report: &PdfReport) -> &kyso_pdf::SignatureReport {
    assert_eq!(report.signatures.len(), 1, "{report:#?}");
    &report.signatures[0]
}

#[test]
fn our_successive_signatures_pass_with_the_fixture_pki() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let a = signer(fx, tokens::CANHAN, pins::CANHAN, "Nguyễn Văn A");
    let b = signer(fx, tokens::CANHAN, pins::CANHAN, "Lê Văn Cường");
    let c = signer(fx, tokens::TOCHUC, pins::TOCHUC, "Sở Thông tin và Truyền thông tỉnh Bắc Ninh");
    let file = signed_file(fx, dir.path(), &[&a, &b, &c]);
    let report = verify_pdf(&file, &trust(fx));
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
    assert_eq!(report.signatures.len(), 3);
    let s = &report.signatures;
    assert_eq!(s[0].signer.as_deref(), Some("Nguyễn Văn A"));
    assert_eq!(s[0].organization.as_deref(), Some("Văn phòng UBND tỉnh Bắc Ninh TEST"));
    assert_eq!((s[0].coverage, s[0].modifications), (Coverage::WholeRevision, Modifications::Allowed));
    assert_eq!((s[2].coverage, s[2].modifications), (Coverage::WholeFile, Modifications::None));
    for sig in s {
        assert_eq!((sig.integrity, sig.revocation, sig.sub_indication), (Integrity::Intact, Revocation::Good, None));
        assert!(sig.signing_time.is_some());
    }
    // Without trust anchors: intact but indeterminate.
    let bare = verify_pdf(&file, &VerifyOptions::default());
    assert_eq!(bare.indication, Indication::Indeterminate);
    assert!(
        bare.signatures
            .iter()
            .all(|s| s.integrity == Integrity::Intact
                && s.sub_indication == Some(SubIndication::NoCertificateChainFound))
    );
    // Without the CRL: revocation not checked, with the TT 15 warning.
    let no_crl = verify_pdf(&file, &VerifyOptions { crls: Vec::new(), ..trust(fx) });
    assert!(
        no_crl
            .signatures
            .iter()
            .all(|s| s.revocation == Revocation::NotChecked && s.has_warning(WarningCode::RevocationNotChecked))
    );
    assert_eq!(no_crl.indication, Indication::Indeterminate);
}

#[test]
fn revoked_and_expired_certificates_are_not_valid() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let revoked = signer(fx, tokens::CANHAN, pins::CANHAN, "Phạm Văn Dũng");
    let file = signed_file(fx, dir.path(), &[&revoked]);
    let r = verify_pdf(&file, &trust(fx));
    let s = only(&r);
    // No timestamp: nothing proves the signature predates the revocation
    // (ETSI EN 319 102-1 §5.6.2.4; time_identity.rs has the timestamped cases).
    assert_eq!(
        (s.revocation, s.indication, s.sub_indication),
        (Revocation::RevokedNoPoe, Indication::Indeterminate, Some(SubIndication::RevokedNoPoe))
    );

    let dir = tempfile::tempdir().unwrap();
    let expired = signer(fx, tokens::CANHAN, pins::CANHAN, "Hoàng Thị Em");
    let file = signed_file(fx, dir.path(), &[&expired]);
    let r = verify_pdf(&file, &trust(fx));
    assert_eq!(only(&r).sub_indication, Some(SubIndication::OutOfBoundsNoPoe), "{r:#?}");
    assert_eq!(r.indication, Indication::Indeterminate);
}

/// Appends an incremental update that redefines `objects`.
fn append_update(input: &Path, output: &Path, objects: &[(u32, Object)]) {
    let reader = PdfReader::open(input).unwrap();
    let mut up = IncrementalUpdate::new(&reader, false);
    for (n, o) in objects {
        up.write(*n, o);
    }
    let tail = up.finish(&reader);
    let mut bytes = std::fs::read(input).unwrap();
    bytes.extend_from_slice(&tail);
    std::fs::write(output, bytes).unwrap();
}

fn page_and_contents(file: &Path) -> (u32, Dict) {
    let r = PdfReader::open(file).unwrap();
    let p = r.pages().unwrap()[0];
    (p, r.get(p).unwrap().as_dict().unwrap().clone())
}

fn verdict(fx: &Fixture, file: &Path) -> (Indication, Option<SubIndication>, PdfReport) {
    let r = verify_pdf(file, &trust(fx));
    let s = r.signatures.first().cloned().unwrap_or_else(|| panic!("no signature: {r:#?}"));
    (s.indication, s.sub_indication, r)
}

#[test]
fn tampering_is_never_valid() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let a = signer(fx, tokens::CANHAN, pins::CANHAN, "Nguyễn Văn A");
    let file = signed_file(fx, dir.path(), &[&a]);
    let bytes = std::fs::read(&file).unwrap();
    let br = verify_pdf(&file, &trust(fx)).signatures[0].byte_range.clone();
    let (a_end, b_start) = (br[1] as usize, br[2] as usize);

    // A flipped byte before, inside the signature value, and after. The
    // signature value is the CMS's last element (no unsigned attributes at
    // B-B): 10 bytes before the end of the DER. (A byte of the unsigned
    // certificate bag may change without harm when the path is found anyway.)
    let hex: Vec<u8> = bytes[a_end + 1..b_start - 1].to_vec();
    let der: Vec<u8> =
        hex.chunks(2).map(|c| u8::from_str_radix(std::str::from_utf8(c).unwrap(), 16).unwrap()).collect();
    let der_len = kyso_pki::der_prefix(&der).unwrap().len();
    let in_signature = a_end + 1 + 2 * (der_len - 10);
    for (pos, label) in [(a_end / 2, "before"), (in_signature, "contents"), (b_start + 5, "after")] {
        let mut t = bytes.clone();
        t[pos] ^= 0x01;
        let path = dir.path().join(format!("flip-{label}.pdf"));
        std::fs::write(&path, &t).unwrap();
        let r = verify_pdf(&path, &trust(fx));
        assert_ne!(r.indication, Indication::TotalPassed, "{label}: {r:#?}");
    }

    // New page content after signing (incremental saving attack).
    let (page, mut dict) = page_and_contents(&file);
    let reader = PdfReader::open(&file).unwrap();
    let next = reader.next_object_number();
    let evil =
        Object::Stream(Dict::new(), StreamData::Bytes(b"BT /F1 24 Tf 72 700 Td (Da sua: 999 ty) Tj ET".to_vec()));
    dict.set("Contents", Object::Ref(next, 0));
    let path = dir.path().join("content-changed.pdf");
    append_update(&file, &path, &[(next, evil.clone()), (page, Object::Dict(dict.clone()))]);
    let (ind, sub, r) = verdict(fx, &path);
    assert_eq!((ind, sub), (Indication::TotalFailed, Some(SubIndication::ModifiedAfterSigning)), "{r:#?}");

    // Shadow attack "replace": redefine the existing content stream object.
    let (_, orig) = page_and_contents(&file);
    let Some(Object::Ref(cnum, _)) = orig.get("Contents").cloned() else { panic!() };
    let path = dir.path().join("shadow-replace.pdf");
    append_update(&file, &path, &[(cnum, evil.clone())]);
    assert_eq!(verdict(fx, &path).1, Some(SubIndication::ModifiedAfterSigning));

    // A page added after signing.
    let r2 = PdfReader::open(&file).unwrap();
    let (_, cat) = r2.catalog().unwrap();
    let Some(Object::Ref(pages_num, _)) = cat.get("Pages").cloned() else { panic!() };
    let mut pages = r2.get(pages_num).unwrap().as_dict().unwrap().clone();
    let Some(Object::Array(mut kids)) = pages.get("Kids").cloned() else { panic!() };
    kids.push(Object::Ref(next, 0));
    pages.set("Kids", Object::Array(kids));
    pages.set("Count", Object::Int(3));
    let mut new_page = orig.clone();
    new_page.remove("Annots");
    let path = dir.path().join("page-added.pdf");
    append_update(&file, &path, &[(next, Object::Dict(new_page)), (pages_num, Object::Dict(pages))]);
    assert_eq!(verdict(fx, &path).1, Some(SubIndication::ModifiedAfterSigning));

    // Overriding the signed field's appearance.
    let fields = {
        let af = r2.resolve(cat.get("AcroForm").unwrap()).unwrap();
        let Some(Object::Array(f)) = af.as_dict().unwrap().get("Fields").cloned() else { panic!() };
        f
    };
    let Object::Ref(fnum, _) = fields[0] else { panic!() };
    let mut field = r2.get(fnum).unwrap().as_dict().unwrap().clone();
    field.set("AP", Object::Dict(Dict::new().with("N", Object::Ref(next, 0))));
    let xobj = Object::Stream(
        Dict::new()
            .with("Type", Object::name("XObject"))
            .with("Subtype", Object::name("Form"))
            .with("BBox", Object::Array(vec![Object::Int(0), Object::Int(0), Object::Int(500), Object::Int(800)])),
        StreamData::Bytes(b"1 1 1 rg 0 0 500 800 re f".to_vec()),
    );
    let path = dir.path().join("ap-override.pdf");
    append_update(&file, &path, &[(next, xobj), (fnum, Object::Dict(field))]);
    assert_eq!(verdict(fx, &path).1, Some(SubIndication::ModifiedAfterSigning));

    // Catalog trick: a new /Root in the trailer is disallowed.
    let mut new_cat = cat.clone();
    new_cat.set("OpenAction", Object::Array(vec![Object::Ref(page, 0), Object::name("Fit")]));
    let path = dir.path().join("catalog-changed.pdf");
    let (Some(Object::Ref(root, _)), _) = (r2.trailer().get("Root").cloned(), ()) else { panic!() };
    append_update(&file, &path, &[(root, Object::Dict(new_cat))]);
    assert_eq!(verdict(fx, &path).1, Some(SubIndication::ModifiedAfterSigning));

    // Moving the byte range: write a ByteRange that does not match /Contents.
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let old = format!("[0 {} {} {}", br[1], br[2], br[3]);
    let pos = text.find(&old).unwrap();
    let mut t = bytes.clone();
    let moved = format!("[0 {} {} {}", br[1] - 1, br[2] - 1, br[3]);
    let moved = format!("{moved:<width$}", width = old.len());
    t[pos..pos + old.len()].copy_from_slice(moved.as_bytes());
    let path = dir.path().join("byterange-moved.pdf");
    std::fs::write(&path, &t).unwrap();
    let (ind, sub, _) = verdict(fx, &path);
    assert_eq!((ind, sub), (Indication::TotalFailed, Some(SubIndication::FormatFailure)));

    // Universal signature forgery: an empty /Contents.
    let hex_start = text[pos..].find('<').unwrap() + pos;
    let hex_end = text[hex_start..].find('>').unwrap() + hex_start;
    let mut t = bytes.clone();
    for b in &mut t[hex_start + 1..hex_end] {
        *b = b'0';
    }
    let path = dir.path().join("usf.pdf");
    std::fs::write(&path, &t).unwrap();
    let r = verify_pdf(&path, &trust(fx));
    assert_ne!(r.indication, Indication::TotalPassed);

    // And the untouched file still passes.
    assert_eq!(verify_pdf(&file, &trust(fx)).indication, Indication::TotalPassed);
}

#[test]
fn a_pyhanko_signature_made_through_softhsm_passes() {
    let fx = require_fixture!();
    if !kyso_testkit::tool_or_skip("pyhanko", "signing with pyHanko") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (src, out) = (dir.path().join("src.pdf"), dir.path().join("pyh.pdf"));
    minimal_pdf(&src, 1);
    let (ok, err) = kyso_testkit::pyhanko_pkcs11_sign(fx, tokens::TOCHUC, pins::TOCHUC, "tochuc", &src, &out);
    assert!(ok, "pyhanko sign: {err}");
    let r = verify_pdf(&out, &trust(fx));
    let s = only(&r);
    assert_eq!(
        (s.indication, s.integrity, s.coverage),
        (Indication::TotalPassed, Integrity::Intact, Coverage::WholeFile),
        "{r:#?}"
    );
    assert_eq!(s.signer.as_deref(), Some("Sở Thông tin và Truyền thông tỉnh Bắc Ninh"));
}

/// What EXPECTED.md asserts for each corpus file: integrity of every
/// signature, and whether the file as a whole is acceptable.
#[test]
fn third_party_corpus_gets_the_expected_findings() {
    let Some(shared) = kyso_testkit::shared_or_skip("the third-party PDF corpus") else {
        return;
    };
    let dir = shared.join("corpus/pdf");
    let v = |name: &str| verify_pdf(&dir.join(name), &VerifyOptions::default());
    let all_intact = |name: &str, n: usize| {
        let r = v(name);
        assert_eq!(r.signatures.len(), n, "{name}: {r:#?}");
        for s in &r.signatures {
            assert_eq!(s.integrity, Integrity::Intact, "{name} {}: {s:#?}", s.field);
            assert_ne!(s.coverage, Coverage::Anomaly, "{name}");
            assert_ne!(s.modifications, Modifications::Disallowed, "{name} {}: {:?}", s.field, s.modification_details);
            assert_ne!(s.indication, Indication::TotalFailed, "{name} {}: {s:#?}", s.field);
        }
        r
    };
    all_intact("pades-bes.pdf", 1);
    assert_eq!(v("pades-bes.pdf").signatures[0].coverage, Coverage::WholeFile);
    all_intact("doc-firmado.pdf", 2);
    assert!(all_intact("doc-firmado-T.pdf", 1).signatures[0].timestamp.is_some());
    all_intact("doc-firmado-LT.pdf", 1);
    let lt = all_intact("PAdES-LT.pdf", 4);
    assert!(lt.signatures.iter().any(|s| s.kind == SignatureKind::DocumentTimestamp));
    all_intact("hello_signed_INCSAVE_signed.pdf", 2);
    all_intact("dss-PLAIN-ECDSA_TeleSec_PKS_eIDAS_QES_CA_1-baseline-b.pdf", 1);
    all_intact("dss-1420_PAdES-BpB-att-SHA256-SHA3_256withRSA.pdf", 1);
    assert!(all_intact("pkcs7.pdf", 1).signatures[0].timestamp.is_some());
    all_intact("Signature-P-HU_MIC-1.pdf", 1);
    assert_eq!(all_intact("dss-2554_certified-no-change-permitted.pdf", 1).signatures[0].certification, Some(1));
    all_intact("dss-2554_fieldmdp-include.pdf", 1);
    all_intact("belgian_pki_multiple_ocsps_lt.pdf", 1);
    all_intact("adbe_crl_signed.pdf", 3);
    all_intact("pyhanko_minimal-two-fields-signed-twice.pdf", 2);
    all_intact("pyhanko_minimal-signed-twice-both-created.pdf", 2);
    all_intact("pyhanko_sig-no-signed-attrs.pdf", 1);
    all_intact("pyhanko_sig-with-ski-sid.pdf", 1);
    all_intact("pyhanko_pades-with-old-style-signing-cert-attr.pdf", 1);
    all_intact("pyhanko_pades-lta-dss-indirect-arrs-test.pdf", 2);
    all_intact("pyhanko_certified-with-indirect-refs-in-dir.pdf", 1);

    let failed = |name: &str| {
        let r = v(name);
        assert_eq!(r.indication, Indication::TotalFailed, "{name}: {r:#?}");
        r
    };
    for name in ["pdf-signed-added-page.pdf", "pdf-removed-pages.pdf"] {
        let r = failed(name);
        assert_eq!(
            (r.signatures[0].integrity, r.signatures[0].modifications),
            (Integrity::Intact, Modifications::Disallowed),
            "{name}"
        );
    }
    let overlap = failed("pdf-byterange-overlap.pdf");
    assert_eq!(overlap.signatures.iter().filter(|s| s.integrity == Integrity::Intact).count(), 1);
    assert_eq!(overlap.signatures.iter().filter(|s| s.sub_indication == Some(SubIndication::FormatFailure)).count(), 1);
    failed("pdf-signed-corrupted.pdf");
    failed("wrong-digest-algo.pdf");
    for name in ["one-byterange", "signature-gap-too-big", "weird-byterange"] {
        let r = failed(&format!("pyhanko_coverage-anomalies_{name}.pdf"));
        assert_eq!(r.signatures[0].coverage, Coverage::Anomaly);
    }
    let sneaky = failed("pyhanko_form-update-ap-indirect-sneaky-trailer.pdf");
    assert_eq!(sneaky.signatures[0].modifications, Modifications::Disallowed);
    assert_eq!(
        failed("pyhanko_pdf-sig-with-econtent.pdf").signatures[0].sub_indication,
        Some(SubIndication::FormatFailure)
    );
    let empty = v("pdf-with-two-empty-sigs.pdf");
    assert_eq!(empty.unsigned_fields.len(), 2, "{empty:#?}");

    // A cyclic structure ends quickly with a verdict or an error.
    let start = std::time::Instant::now();
    let r = v("pades_infinite_loop.pdf");
    assert_ne!(r.indication, Indication::TotalPassed);
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
}
