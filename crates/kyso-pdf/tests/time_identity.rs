//! Time and identity you can trust (ETSI EN 319 102-1 §5.4, §5.6.2.4;
//! RFC 3161; RFC 5816; RFC 5035): timestamp tokens are validated before
//! they prove anything, revocation and expiry are judged at the proven
//! time, and the signer shown is the certificate the signature binds.
//! Tokens are made in the tests with the fixture TSAs' keys (a trusted one,
//! one dated in the past, an untrusted one) and put into real signatures
//! the way an attacker would (unsigned attributes are not signed); pyHanko's
//! AdES validation is run beside ours and its outcome printed
//! (docs/interop-time.md records them).

#![allow(clippy::unwrap_used)] // test helpers panic on purpose

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use kyso_pdf::{Indication, SignOptions, VerifyOptions, sign_pdf, timestamp_pdf, verify_pdf};
use kyso_pki::{HashAlg, Pkcs12Signer, TsaConfig, load_certificates, load_crl};
use kyso_testkit::{Fixture, minimal_pdf, require_fixture, start_tsa};

#[path = "../../kyso-pki/tests/support/tsa_token.rs"]
mod tsa_token;
use kyso_pki::report::{Revocation, SignatureKind, SubIndication, WarningCode};
use kyso_pki::timestamp::TimestampTrust;
use tsa_token::{Rewrite, Token, make_token, rewrite_cms, signature_value};

/// 2020-06-01, 2025-06-01 and 2031-01-01 (Unix seconds).
const JUNE_2020: u64 = 1_590_969_600;
const JUNE_2025: u64 = 1_748_736_000;
const YEAR_2031: u64 = 1_924_992_000;

fn at(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

/// Both fixture roots trusted, their intermediates and CRLs given.
fn trust(fx: &Fixture, when: Option<SystemTime>) -> VerifyOptions {
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
        at: when,
        online: None,
    }
}

fn p12(fx: &Fixture, name: &str) -> Pkcs12Signer {
    Pkcs12Signer::open(&fx.pki_file(&format!("{name}.p12")), kyso_testkit::pins::P12).unwrap()
}

/// Signs a one-page PDF as `name` (PAdES B-T through the fixture's real
/// TSA, so `/Contents` has room for another token), `/M` at `claimed`.
fn signed(fx: &'static Fixture, dir: &Path, name: &str, claimed: Option<u64>) -> PathBuf {
    let tsa = start_tsa(fx);
    let (input, out) = (dir.join("in.pdf"), dir.join(format!("{name}.pdf")));
    minimal_pdf(&input, 1);
    let opts = SignOptions {
        tsa: Some(TsaConfig::new(tsa.url.clone(), Duration::from_secs(30))),
        time: claimed.map(|t| t as i64),
        ..Default::default()
    };
    sign_pdf(&input, &out, &p12(fx, name), &opts).unwrap();
    out
}

/// The CMS of the first signature, and where its hex string lies.
fn contents(file: &Path) -> (Vec<u8>, std::ops::Range<usize>) {
    let bytes = std::fs::read(file).unwrap();
    let br = verify_pdf(file, &VerifyOptions::default()).signatures[0].byte_range.clone();
    let hex_range = (br[1] as usize + 1)..(br[2] as usize - 1);
    let der = hex::decode(&bytes[hex_range.clone()]).unwrap();
    let der = kyso_pki::der_prefix(&der).unwrap().to_vec();
    (der, hex_range)
}

/// `file` with its first signature's CMS changed by `rw` (what anyone can
/// do: the byte ranges leave `/Contents` out), written to `out`.
fn tampered(file: &Path, out: &Path, rw: &Rewrite<'_>) -> PathBuf {
    let mut bytes = std::fs::read(file).unwrap();
    let (der, range) = contents(file);
    let new = hex::encode_upper(rewrite_cms(&der, rw));
    assert!(new.len() <= range.len(), "the new CMS does not fit /Contents");
    let padded = format!("{new:0<width$}", width = range.len());
    bytes[range].copy_from_slice(padded.as_bytes());
    std::fs::write(out, bytes).unwrap();
    out.to_owned()
}

/// A token by the TSA `tsa` (a PKCS#12 of the fixture) over the first
/// signature's value of `file`, dated `time`.
fn token_for(fx: &Fixture, file: &Path, tsa: &str, time: SystemTime) -> Vec<u8> {
    let (der, _) = contents(file);
    make_token(&Token {
        p12: &fx.pki_file(&format!("{tsa}.p12")),
        imprint: HashAlg::Sha256.digest(&signature_value(&der)),
        time,
        ess: true,
    })
}

/// pyHanko's AdES validation of `file` (`pyhanko sign adesverify`,
/// trusting only `root`, the intermediate given, revocation not checked:
/// pyHanko would only ask online), printed for the record
/// (docs/interop-time.md): its AdES indication line and verdict.
fn pyhanko(fx: &Fixture, case: &str, root: &str, file: &Path) -> Option<String> {
    use std::process::Command;
    if !kyso_testkit::tool_or_skip("pyhanko", "the pyHanko AdES comparison") {
        return None;
    }
    let int = if root == "root.pem" { "int.pem" } else { "past-int.pem" };
    let (_, out) = kyso_testkit::run(
        Command::new("pyhanko")
            .args(["sign", "adesverify", "--pretty-print", "--no-revocation-check", "--trust-replace", "--trust"])
            .arg(fx.pki_file(root))
            .arg("--other-certs")
            .arg(fx.pki_file(int))
            .arg(file),
    );
    let lines: Vec<&str> = out
        .lines()
        .map(str::trim)
        .filter(|l| {
            let l = l.to_lowercase();
            l.contains("judged") || l.contains("indication") || l.contains("timestamp") || l.contains("error")
        })
        .collect();
    let summary = lines.join(" | ");
    eprintln!("pyHanko adesverify [{case}]: {summary}");
    Some(summary)
}

#[test]
fn a_trusted_timestamp_on_time_is_proof_of_existence() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let file = signed(fx, dir.path(), "canhan", None);
    let r = verify_pdf(&file, &trust(fx, None));
    let s = &r.signatures[0];
    assert_eq!(r.indication, Indication::TotalPassed, "{r:#?}");
    assert_eq!(s.timestamp_trust, Some(TimestampTrust::Trusted), "{s:#?}");
    assert!(s.poe_time.is_some() && s.poe_time == s.timestamp, "{s:#?}");
    assert!(s.claimed_time.is_some() && s.claimed_time == s.signing_time);
    // Years later, the certificate expired: the proven time carries it.
    let later = verify_pdf(&file, &trust(fx, Some(at(YEAR_2031))));
    assert_eq!(later.indication, Indication::TotalPassed, "{later:#?}");
    assert!(later.signatures[0].has_warning(WarningCode::ValidatedAtTimestampTime));
    if let Some(p) = pyhanko(fx, "trusted TSA, on time", "root.pem", &file) {
        assert!(p.contains("judged VALID") && p.contains("backed by a time stamping authority"), "{p}");
    }
}

#[test]
fn an_untrusted_or_wrong_token_proves_nothing() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let file = signed(fx, dir.path(), "canhan", None);
    let now = SystemTime::now();

    // A token from a TSA nobody trusts, over the right signature value.
    let rogue = token_for(fx, &file, "rogue-tsa", now);
    let f = tampered(&file, &dir.path().join("rogue.pdf"), &Rewrite { timestamp: Some(&rogue), ..Default::default() });
    let r = verify_pdf(&f, &trust(fx, None));
    let s = &r.signatures[0];
    assert_eq!((s.timestamp_trust, s.poe_time.as_deref()), (Some(TimestampTrust::Untrusted), None), "{s:#?}");
    assert!(s.timestamp.is_some(), "an intact token's time is shown, as untrusted");
    assert!(
        s.warnings.iter().any(|w| w.to_string() == "signature_timestamp_untrusted: no_chain_to_trust_anchor"),
        "{s:#?}"
    );
    // The signer is valid now: the verdict does not depend on the token.
    assert_eq!(r.indication, Indication::TotalPassed, "{r:#?}");
    // Years later it cannot stand in for a proof of existence.
    let later = verify_pdf(&f, &trust(fx, Some(at(YEAR_2031))));
    assert_eq!(
        (later.indication, later.signatures[0].sub_indication),
        (Indication::Indeterminate, Some(SubIndication::OutOfBoundsNoPoe)),
        "{later:#?}"
    );
    if let Some(p) = pyhanko(fx, "untrusted TSA", "root.pem", &f) {
        // pyHanko too does not count the token as backed by a TSA.
        assert!(!p.contains("backed by a time stamping authority"), "{p}");
    }

    // A trusted TSA's token over other data.
    let wrong = make_token(&Token {
        p12: &fx.pki_file("past-tsa.p12"),
        imprint: HashAlg::Sha256.digest(b"another signature"),
        time: now,
        ess: true,
    });
    let f =
        tampered(&file, &dir.path().join("imprint.pdf"), &Rewrite { timestamp: Some(&wrong), ..Default::default() });
    let r = verify_pdf(&f, &trust(fx, None));
    let s = &r.signatures[0];
    assert_eq!(
        (s.timestamp_trust, s.timestamp.as_deref(), s.poe_time.as_deref()),
        (Some(TimestampTrust::Invalid), None, None),
        "{s:#?}"
    );
    assert!(s.warnings.iter().any(|w| w.to_string() == "signature_timestamp_invalid: imprint_mismatch"), "{s:#?}");
    let later = verify_pdf(&f, &trust(fx, Some(at(YEAR_2031))));
    assert_eq!(later.signatures[0].sub_indication, Some(SubIndication::OutOfBoundsNoPoe), "{later:#?}");
    if let Some(p) = pyhanko(fx, "wrong imprint", "root.pem", &f) {
        assert!(p.contains("imprint"), "pyHanko sees the wrong imprint too: {p}");
    }

    // A trusted TSA's token without the ESS binding of its certificate.
    let unbound = make_token(&Token {
        p12: &fx.pki_file("past-tsa.p12"),
        imprint: HashAlg::Sha256.digest(&signature_value(&contents(&file).0)),
        time: now,
        ess: false,
    });
    let f =
        tampered(&file, &dir.path().join("noess.pdf"), &Rewrite { timestamp: Some(&unbound), ..Default::default() });
    let s = &verify_pdf(&f, &trust(fx, None)).signatures[0];
    assert_eq!((s.timestamp_trust, s.poe_time.as_deref()), (Some(TimestampTrust::Untrusted), None), "{s:#?}");
}

#[test]
fn a_token_dated_before_the_claimed_time_is_reported() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    // /M claims tomorrow; the trusted TSA says now.
    let tomorrow = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs() + 86_400;
    let file = signed(fx, dir.path(), "past-signer", Some(tomorrow));
    let r = verify_pdf(&file, &trust(fx, None));
    let s = &r.signatures[0];
    assert_eq!(s.timestamp_trust, Some(TimestampTrust::Trusted), "{s:#?}");
    assert!(s.claimed_time > s.poe_time, "{s:#?}");
    assert!(s.has_warning(WarningCode::ClaimedTimeAfterPoe), "{s:#?}");
    assert_eq!(r.indication, Indication::TotalPassed, "the proven time decides, not the claim: {r:#?}");
    pyhanko(fx, "token before /M", "past-root.pem", &file);
}

#[test]
fn revocation_is_judged_at_the_proven_time() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    // Revoked when the fixture was made (now); /M claims 2025.
    let file = signed(fx, dir.path(), "past-revoked", Some(JUNE_2025));

    // A trusted token of June 2025: revoked after the proven time.
    let before = token_for(fx, &file, "past-tsa", at(JUNE_2025));
    let f =
        tampered(&file, &dir.path().join("before.pdf"), &Rewrite { timestamp: Some(&before), ..Default::default() });
    let r = verify_pdf(&f, &trust(fx, None));
    let s = &r.signatures[0];
    assert_eq!((s.revocation, r.indication), (Revocation::RevokedAfterSigning, Indication::TotalPassed), "{r:#?}");
    assert_eq!(s.poe_time.as_deref(), Some("2025-06-01T00:00:00Z"));
    pyhanko(fx, "revoked after the token time", "past-root.pem", &f);

    // The real TSA's token of today: revoked before the proven time, /M notwithstanding.
    let r = verify_pdf(&file, &trust(fx, None));
    let s = &r.signatures[0];
    assert_eq!(s.timestamp_trust, Some(TimestampTrust::Trusted), "{s:#?}");
    assert_eq!(
        (s.revocation, r.indication, s.sub_indication),
        (Revocation::Revoked, Indication::TotalFailed, Some(SubIndication::Revoked)),
        "{r:#?}"
    );
    pyhanko(fx, "revoked before the token time", "past-root.pem", &file);

    // An untrusted token of 2025 proves nothing: no proof of existence.
    let rogue = token_for(fx, &file, "rogue-tsa", at(JUNE_2025));
    let f = tampered(&file, &dir.path().join("rogue.pdf"), &Rewrite { timestamp: Some(&rogue), ..Default::default() });
    let r = verify_pdf(&f, &trust(fx, None));
    let s = &r.signatures[0];
    assert_eq!(
        (s.revocation, r.indication, s.sub_indication),
        (Revocation::RevokedNoPoe, Indication::Indeterminate, Some(SubIndication::RevokedNoPoe)),
        "{r:#?}"
    );

    // No token at all.
    let bb = dir.path().join("bb.pdf");
    let input = dir.path().join("in.pdf");
    sign_pdf(
        &input,
        &bb,
        &p12(fx, "past-revoked"),
        &SignOptions { time: Some(JUNE_2025 as i64), ..Default::default() },
    )
    .unwrap();
    let r = verify_pdf(&bb, &trust(fx, None));
    assert_eq!(r.signatures[0].sub_indication, Some(SubIndication::RevokedNoPoe), "{r:#?}");
    pyhanko(fx, "revoked, no token", "past-root.pem", &bb);
}

#[test]
fn an_expired_signer_needs_a_proof_of_existence() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    // Valid 2020-01-01 .. 2021-01-01; /M claims June 2020.
    let file = signed(fx, dir.path(), "past-expired", Some(JUNE_2020));
    // The real TSA stamps today: no proof the signature existed in 2020.
    let r = verify_pdf(&file, &trust(fx, None));
    assert_eq!(
        (r.indication, r.signatures[0].sub_indication),
        (Indication::Indeterminate, Some(SubIndication::OutOfBoundsNoPoe)),
        "{r:#?}"
    );
    // A trusted token of June 2020 proves it.
    let tok = token_for(fx, &file, "past-tsa", at(JUNE_2020));
    let f = tampered(&file, &dir.path().join("poe.pdf"), &Rewrite { timestamp: Some(&tok), ..Default::default() });
    let r = verify_pdf(&f, &trust(fx, None));
    let s = &r.signatures[0];
    assert_eq!(r.indication, Indication::TotalPassed, "{r:#?}");
    assert!(s.has_warning(WarningCode::ValidatedAtTimestampTime), "{s:#?}");
    if let Some(p) = pyhanko(fx, "expired signer, token while valid", "past-root.pem", &f) {
        assert!(p.contains("judged VALID"), "{p}");
    }
    // The same token from an untrusted TSA does not.
    let rogue = token_for(fx, &file, "rogue-tsa", at(JUNE_2020));
    let f = tampered(&file, &dir.path().join("rogue.pdf"), &Rewrite { timestamp: Some(&rogue), ..Default::default() });
    let r = verify_pdf(&f, &trust(fx, None));
    assert_eq!(r.signatures[0].sub_indication, Some(SubIndication::OutOfBoundsNoPoe), "{r:#?}");
    if let Some(p) = pyhanko(fx, "expired signer, token from today", "past-root.pem", &file) {
        assert!(p.contains("judged INVALID"), "{p}");
    }
}

#[test]
fn a_later_document_timestamp_is_proof_of_existence() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let (input, bb, lta) = (dir.path().join("in.pdf"), dir.path().join("bb.pdf"), dir.path().join("lta.pdf"));
    minimal_pdf(&input, 1);
    sign_pdf(&input, &bb, &p12(fx, "canhan"), &SignOptions::default()).unwrap();
    let tsa = start_tsa(fx);
    let cfg = TsaConfig::new(tsa.url.clone(), Duration::from_secs(30));
    timestamp_pdf(&bb, &lta, &cfg, &SignOptions::default()).unwrap();
    let r = verify_pdf(&lta, &trust(fx, Some(at(YEAR_2031))));
    let (s, ts) = (&r.signatures[0], &r.signatures[1]);
    assert_eq!((s.kind, ts.kind), (SignatureKind::Signature, SignatureKind::DocumentTimestamp));
    assert_eq!(ts.timestamp_trust, Some(TimestampTrust::Trusted), "{ts:#?}");
    assert_eq!(s.poe_time, ts.timestamp, "{s:#?}");
    assert_eq!(s.indication, Indication::TotalPassed, "{s:#?}");
    // Without the document timestamp the same signature has no proof.
    let r = verify_pdf(&bb, &trust(fx, Some(at(YEAR_2031))));
    assert_eq!(r.signatures[0].sub_indication, Some(SubIndication::OutOfBoundsNoPoe), "{r:#?}");
}

#[test]
fn the_signer_shown_is_the_certificate_the_signature_binds() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let file = signed(fx, dir.path(), "canhan", None);
    let impostor = std::fs::read(fx.pki_file("impostor.der")).unwrap();
    // Same issuer name and serial number as the signer's certificate.
    let rw = Rewrite { prepend_certs: vec![impostor.clone()], ..Default::default() };
    let f = tampered(&file, &dir.path().join("first.pdf"), &rw);
    let r = verify_pdf(&f, &trust(fx, None));
    let s = &r.signatures[0];
    assert_eq!(s.signer.as_deref(), Some("Nguyễn Văn A"), "{s:#?}");
    assert_eq!(r.indication, Indication::TotalPassed, "an added certificate cannot fail a signature: {r:#?}");
    assert!(
        s.warnings
            .iter()
            .any(|w| w.to_string().starts_with("signer_certificate_ignored:") && w.to_string().contains("Kẻ Mạo Danh"))
    );
    pyhanko(fx, "extra certificate first in the set", "root.pem", &f);

    // Only the impostor left: nobody is named.
    let canhan = std::fs::read(fx.pki_file("canhan.der")).unwrap();
    let rw = Rewrite { prepend_certs: vec![impostor], drop_certs: vec![canhan], ..Default::default() };
    let f = tampered(&file, &dir.path().join("only.pdf"), &rw);
    let r = verify_pdf(&f, &trust(fx, None));
    let s = &r.signatures[0];
    assert_eq!((s.signer.as_deref(), s.signer_subject.as_deref()), (None, None), "{s:#?}");
    assert!(s.has_warning(WarningCode::SignerUnknown), "{s:#?}");
    assert_ne!(r.indication, Indication::TotalPassed, "{r:#?}");
    pyhanko(fx, "signer certificate replaced", "root.pem", &f);
}

/// `bb` with a DSS (ETSI EN 319 142-1 §5.4) whose VRI entry for its
/// signature carries `token` as `/TS`, written to `out`.
fn with_vri_timestamp(bb: &Path, out: &Path, token: Vec<u8>) {
    use kyso_pdf::object::{Object, StreamData};
    use kyso_pdf::{IncrementalUpdate, PdfReader};
    let lt = out.with_extension("lt.pdf");
    let material = kyso_pdf::ltv::collect_material(&PdfReader::open(bb).unwrap(), &[], &[]).unwrap();
    kyso_pdf::ltv::add_dss(bb, &lt, &material, true).unwrap();
    let reader = PdfReader::open(&lt).unwrap();
    let (_, catalog) = reader.catalog().unwrap();
    let Some(Object::Ref(dss_num, _)) = catalog.get("DSS").cloned() else { panic!("no DSS") };
    let Ok(Object::Dict(mut dss)) = reader.get(dss_num) else { panic!("DSS") };
    let Some(Object::Dict(mut vri)) = dss.get("VRI").cloned() else { panic!("VRI") };
    let key = &material.vri_keys[0];
    let Some(Object::Dict(mut entry)) = vri.get(key).cloned() else { panic!("VRI entry") };
    let mut up = IncrementalUpdate::new(&reader, false);
    let n = up.alloc();
    up.write(n, &Object::Stream(kyso_pdf::object::Dict::new(), StreamData::Bytes(token)));
    entry.set("TS", Object::Ref(n, 0));
    vri.set(key, Object::Dict(entry));
    dss.set("VRI", Object::Dict(vri));
    up.write(dss_num, &Object::Dict(dss));
    let mut bytes = std::fs::read(&lt).unwrap();
    bytes.extend(up.finish(&reader));
    std::fs::write(out, bytes).unwrap();
}

#[test]
fn a_vri_timestamp_is_validated_before_use() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let (input, bb) = (dir.path().join("in.pdf"), dir.path().join("bb.pdf"));
    minimal_pdf(&input, 1);
    // Valid 2020-01-01 .. 2021-01-01, B-B, /M June 2020.
    let opts = SignOptions { time: Some(JUNE_2020 as i64), ..Default::default() };
    sign_pdf(&input, &bb, &p12(fx, "past-expired"), &opts).unwrap();
    let (der, _) = contents(&bb);
    let value = signature_value(&der);
    let stamp = |tsa: &str| {
        make_token(&Token {
            p12: &fx.pki_file(&format!("{tsa}.p12")),
            imprint: HashAlg::Sha256.digest(&value),
            time: at(JUNE_2020),
            ess: true,
        })
    };
    // A trusted VRI timestamp of June 2020 proves the signature existed then.
    let good = dir.path().join("vri.pdf");
    with_vri_timestamp(&bb, &good, stamp("past-tsa"));
    let r = verify_pdf(&good, &trust(fx, None));
    let s = &r.signatures[0];
    assert_eq!(s.poe_time.as_deref(), Some("2020-06-01T00:00:00Z"), "{s:#?}");
    assert_eq!(s.indication, Indication::TotalPassed, "{s:#?}");
    // An untrusted one is reported and not used.
    let rogue = dir.path().join("rogue.pdf");
    with_vri_timestamp(&bb, &rogue, stamp("rogue-tsa"));
    let r = verify_pdf(&rogue, &trust(fx, None));
    let s = &r.signatures[0];
    assert!(s.warnings.iter().any(|w| w.to_string().starts_with("vri_timestamp_untrusted:")), "{s:#?}");
    assert_eq!((s.poe_time.as_deref(), s.sub_indication), (None, Some(SubIndication::OutOfBoundsNoPoe)), "{s:#?}");
}
