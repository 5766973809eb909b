//! XAdES-T and signer identity in Office package signatures (ETSI EN 319
//! 132-1 §5.2.2, §5.3; ETSI EN 319 102-1 §5.4, §5.6.2.4): the
//! SignatureTimeStamp proves a time only once validated, expiry is judged
//! at the proven time, and the signer is the certificate the
//! SigningCertificate digest names, not the first of KeyInfo. Tokens are
//! made with the fixture TSAs' keys (tests/fixtures/make-pki.sh) over the
//! imprint of the real token and put where an attacker can put them
//! (unsigned properties, KeyInfo).

#![allow(clippy::unwrap_used)] // test helpers panic on purpose

use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, SystemTime};

use base64::Engine;
use kyso_ooxml::{Indication, SignOptions, VerifyOptions, sign_ooxml, verify_ooxml};
use kyso_pki::{Pkcs12Signer, load_certificates, load_crl};
use kyso_testkit::{Fixture, minimal_docx, require_fixture, start_tsa};

#[path = "../../kyso-pki/tests/support/tsa_token.rs"]
mod tsa_token;
use kyso_pki::report::{SubIndication, WarningCode};
use kyso_pki::timestamp::TimestampTrust;
use tsa_token::{Token, make_token};

const JUNE_2020: u64 = 1_590_969_600;
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn trust(fx: &Fixture) -> VerifyOptions {
    let certs = |names: &[&str]| {
        names.iter().flat_map(|n| load_certificates(&std::fs::read(fx.pki_file(n)).unwrap())).collect::<Vec<_>>()
    };
    VerifyOptions {
        anchors: certs(&["root.pem", "past-root.pem"]),
        extra_certs: certs(&["int.pem", "past-int.pem"]),
        crls: ["crl.pem", "root-crl.pem", "past-crl.pem", "past-root-crl.pem"]
            .iter()
            .map(|f| load_crl(&std::fs::read(fx.pki_file(f)).unwrap()).unwrap())
            .collect(),
        ..Default::default()
    }
}

/// A DOCX signed by the fixture's `name` (PKCS#12), XAdES-T through the
/// fixture's real TSA, claiming `claimed`.
fn signed(fx: &'static Fixture, dir: &Path, name: &str, claimed: Option<SystemTime>) -> std::path::PathBuf {
    let tsa = start_tsa(fx);
    let (input, out) = (dir.join("in.docx"), dir.join(format!("{name}.docx")));
    minimal_docx(&input, "Kiểm tra thời điểm ký");
    let signer = Pkcs12Signer::open(&fx.pki_file(&format!("{name}.p12")), kyso_testkit::pins::P12).unwrap();
    let opts = SignOptions {
        tsa: Some(kyso_pki::TsaConfig::new(tsa.url.clone(), Duration::from_secs(30))),
        time: claimed,
        ..Default::default()
    };
    sign_ooxml(&input, &out, &signer, &opts).unwrap();
    out
}

/// `src` with its signature part's XML changed by `edit`, written to `dst`.
fn edit_signature(src: &Path, dst: &Path, edit: impl Fn(String) -> String) {
    let mut zin = zip::ZipArchive::new(std::fs::File::open(src).unwrap()).unwrap();
    let mut zout = zip::ZipWriter::new(std::fs::File::create(dst).unwrap());
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name.starts_with("_xmlsignatures/sig") && name.ends_with(".xml") {
            data = edit(String::from_utf8(data).unwrap()).into_bytes();
        }
        zout.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        zout.write_all(&data).unwrap();
    }
    zout.finish().unwrap();
}

/// The base64 text of the `EncapsulatedTimeStamp` element.
fn encapsulated(xml: &str) -> (usize, usize) {
    let open = xml.find("EncapsulatedTimeStamp").unwrap();
    let start = open + xml[open..].find('>').unwrap() + 1;
    let end = start + xml[start..].find('<').unwrap();
    (start, end)
}

/// The file with its SignatureTimeStamp replaced by a token of the TSA
/// `tsa` over the same imprint, dated `time`.
fn restamped(fx: &Fixture, src: &Path, dst: &Path, tsa: &str, time: SystemTime) {
    let p12 = fx.pki_file(&format!("{tsa}.p12"));
    edit_signature(src, dst, |xml| {
        let (a, b) = encapsulated(&xml);
        let old = B64.decode(xml[a..b].split_whitespace().collect::<String>()).unwrap();
        let cms = kyso_pki::parse_cms(&old).unwrap();
        let info = kyso_pki::tsp::parse_tst_info(&cms.econtent().unwrap()).unwrap();
        let token =
            make_token(&Token { p12: &p12, imprint: info.imprint.hashed_message.as_bytes().to_vec(), time, ess: true });
        format!("{}{}{}", &xml[..a], B64.encode(token), &xml[b..])
    });
}

#[test]
fn xades_t_proves_a_time_only_when_its_authority_is_trusted() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let june = SystemTime::UNIX_EPOCH + Duration::from_secs(JUNE_2020);
    // Valid 2020-01-01 .. 2021-01-01; the real TSA stamps today.
    let file = signed(fx, dir.path(), "past-expired", Some(june));
    let r = verify_ooxml(&file, &trust(fx));
    let s = &r.signatures[0];
    assert_eq!(s.timestamp_trust, Some(TimestampTrust::Trusted), "{s:#?}");
    assert_eq!(s.claimed_time.as_deref(), Some("2020-06-01T00:00:00Z"), "{s:#?}");
    assert_eq!(s.sub_indication, Some(SubIndication::OutOfBoundsNoPoe), "today's proof cannot cover 2020: {s:#?}");

    // A trusted authority's token of June 2020 over the same signature value.
    let poe = dir.path().join("poe.docx");
    restamped(fx, &file, &poe, "past-tsa", june);
    let r = verify_ooxml(&poe, &trust(fx));
    let s = &r.signatures[0];
    assert_eq!(
        (r.indication, s.poe_time.as_deref()),
        (Indication::TotalPassed, Some("2020-06-01T00:00:00Z")),
        "{s:#?}"
    );
    assert!(s.has_warning(WarningCode::ValidatedAtTimestampTime), "{s:#?}");

    // The same from an authority nobody trusts proves nothing.
    let rogue = dir.path().join("rogue.docx");
    restamped(fx, &file, &rogue, "rogue-tsa", june);
    let r = verify_ooxml(&rogue, &trust(fx));
    let s = &r.signatures[0];
    assert_eq!((s.timestamp_trust, s.poe_time.as_deref()), (Some(TimestampTrust::Untrusted), None), "{s:#?}");
    assert_eq!(s.sub_indication, Some(SubIndication::OutOfBoundsNoPoe), "{s:#?}");
    assert!(s.warnings.iter().any(|w| w.to_string().starts_with("signature_timestamp_untrusted:")), "{s:#?}");
}

#[test]
fn the_signer_is_the_certificate_signing_certificate_names() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let file = signed(fx, dir.path(), "past-signer", None);
    // Another certificate put first in KeyInfo (not signed by Office).
    let impostor = B64.encode(std::fs::read(fx.pki_file("impostor.der")).unwrap());
    let first = dir.path().join("first.docx");
    edit_signature(&file, &first, |xml| {
        let at = xml.find("X509Certificate").unwrap();
        let open = xml[..at].rfind('<').unwrap();
        let tag = &xml[open..at + "X509Certificate".len()];
        let close = tag.replacen('<', "</", 1);
        format!("{}{tag}>{impostor}{close}>{}", &xml[..open], &xml[open..])
    });
    let r = verify_ooxml(&first, &trust(fx));
    let s = &r.signatures[0];
    assert_eq!(s.signer.as_deref(), Some("Ngô Thị Hoa"), "{s:#?}");
    assert_eq!(r.indication, Indication::TotalPassed, "{s:#?}");
}
