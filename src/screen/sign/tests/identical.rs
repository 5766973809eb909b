//! The desktop app and `kyso-cli sign` are two front ends of one core: the
//! same document, certificate, role and level signed at the same claimed
//! time give the same bytes. The desktop side is the sign screen driven as
//! a person drives it (its own `Plan` → request → `run`); the command line
//! is the real `kyso-cli` binary of this build. Both sign with the fixture
//! SoftHSM token's RSA key (PKCS#1 v1.5 signatures are deterministic,
//! RFC 8017 §8.2) and the clock fixed through kyso-core
//! (`KYSO_FIXED_SIGNING_TIME` for the command line, the same instant on the
//! desktop's thread: debug builds only).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::super::*;
use super::clerk::Driver;

/// 2026-03-05 09:30:00 in Vietnam (UTC+7).
const SIGNED_AT: i64 = 1_772_677_800;
/// `/M` of that instant (ISO 32000-2 §7.9.4), as kyso-pdf writes it.
const SIGNED_AT_PDF: &[u8] = b"D:20260305093000+07'00'";

/// The `kyso-cli` binary built beside this test (`cargo test --workspace`
/// builds it, as tests/run.sh does); `None`, through `require`, when it is
/// missing or older than the sources it is built from (a narrow
/// `cargo test -p kyso` does not rebuild it).
fn kyso_cli() -> Option<PathBuf> {
    let exe = std::env::current_exe().expect("the test binary");
    // target/debug/deps/kyso-HASH → target/debug/kyso-cli
    let dir = exe.parent().and_then(Path::parent).expect("the target directory");
    let cli = dir.join(format!("kyso-cli{}", std::env::consts::EXE_SUFFIX));
    let Ok(built) = std::fs::metadata(&cli).and_then(|m| m.modified()) else {
        kyso_testkit::require(&format!("{} is not built (cargo build -p kyso-cli)", cli.display()));
        return None;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let crates = [
        "kyso-cli",
        "kyso-core",
        "kyso-pdf",
        "kyso-pki",
        "kyso-token",
        "kyso-ooxml",
        "kyso-journal",
        "kyso-i18n",
        "kyso-bridge",
        "kyso-preview",
    ];
    let mut newest = None;
    for c in crates {
        newest_in(&root.join("crates").join(c).join("src"), &mut newest);
    }
    if let Some((when, file)) = newest
        && when > built
    {
        kyso_testkit::require(&format!("{} is older than {} (cargo build -p kyso-cli)", cli.display(), file.display()));
        return None;
    }
    Some(cli)
}

/// The most recently modified file under `dir`.
fn newest_in(dir: &Path, newest: &mut Option<(std::time::SystemTime, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            newest_in(&p, newest);
        } else if let Ok(t) = e.metadata().and_then(|m| m.modified())
            && newest.as_ref().is_none_or(|(n, _)| t > *n)
        {
            *newest = Some((t, p));
        }
    }
}

/// A data directory trusting the fixture's root.
fn data_dir(fx: &kyso_testkit::Fixture, dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir.join("trust")).expect("trust dir");
    std::fs::copy(fx.pki_file("root.pem"), dir.join("trust/root.pem")).expect("anchor");
    dir.to_owned()
}

/// `kyso-cli sign INPUT -o OUTPUT` with the fixture token's RSA key
/// (`canhan`, CKA_ID 0a0b0c01) and `extra` flags, the clock fixed.
fn cli_sign(cli: &Path, fx: &kyso_testkit::Fixture, data: &Path, (input, output): (&Path, &Path), extra: &[&str]) {
    let mut child = Command::new(cli)
        .arg("sign")
        .arg(input)
        .arg("-o")
        .arg(output)
        .arg("--module")
        .arg(&fx.module)
        .args(["--token", kyso_testkit::tokens::CANHAN, "--cert", "0a0b0c01", "--pin-stdin", "--json"])
        .args(extra)
        .env("KYSO_DATA_DIR", data)
        .env("KYSO_FIXED_SIGNING_TIME", "2026-03-05T09:30:00+07:00")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kyso-cli runs");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(stdin, "{}", kyso_testkit::pins::CANHAN).expect("PIN written");
    }
    let out = child.wait_with_output().expect("kyso-cli ends");
    assert!(
        out.status.success(),
        "kyso-cli sign {}: {}\n{}",
        input.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Where two signed copies first differ, with the bytes around it.
fn first_difference(a: &[u8], b: &[u8]) -> String {
    let at = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
    let around = |s: &[u8]| String::from_utf8_lossy(&s[at.saturating_sub(80)..(at + 80).min(s.len())]).into_owned();
    format!(
        "lengths {} and {}; first difference at byte {at}:\ndesktop: {:?}\ncli:     {:?}",
        a.len(),
        b.len(),
        around(a),
        around(b)
    )
}

/// A case: its name, the input, the role and its fields on the screen,
/// the flags.
type Case<'a> = (&'a str, &'a Path, RoleChoice, Vec<(Field, String)>, Vec<&'a str>);

/// The claimed time kyso-core reads back from a signed copy, with its
/// signature intact.
fn claimed_time(file: &Path, fx: &kyso_testkit::Fixture) -> Option<String> {
    let root = std::fs::read(fx.pki_file("root.pem")).expect("root");
    let opts =
        kyso_core::VerifyOptions { anchors: kyso_pki::load_certificates(&root), ..kyso_core::VerifyOptions::default() };
    let report = kyso_core::verify(file, &opts).report;
    let sig = report.signatures.first()?;
    assert_eq!(sig.integrity, kyso_pki::report::Integrity::Intact, "{}: {report:?}", file.display());
    sig.claimed_time.clone()
}

/// Both front ends sign the same document to the same bytes: a PDF with a
/// B-B invisible signature, then with the approver's visible signature and
/// its handwritten-signature image (NĐ 30/2020 Phụ lục I), and a Word
/// document (ECMA-376 Part 2 §12, XAdES), at the same fixed time. The
/// claimed time is the fixed one (`/M`; kyso-core's verification reads it
/// back), and the copies are intact signatures.
#[test]
fn the_desktop_and_the_command_line_sign_to_the_same_bytes() {
    let fx = kyso_testkit::require_fixture!();
    let Some(cli) = kyso_cli() else { return };
    let _revocation = kyso_testkit::start_revocation_server(fx);
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let (desktop_data, cli_data) = (data_dir(fx, &d.join("desktop")), data_dir(fx, &d.join("cli")));
    let pdf = d.join("quyet-dinh.pdf");
    kyso_testkit::nd30::decision(&pdf, kyso_testkit::nd30::Layout::Deputy);
    let docx = d.join("to-trinh.docx");
    kyso_testkit::minimal_docx(&docx, "Tờ trình về việc ký số văn bản");
    let image = d.join("chu-ky.png");
    std::fs::write(&image, kyso_testkit::eoffice::png([20, 40, 200], false)).expect("image");

    let config = Config { modules: vec![fx.module.clone()], ..Config::default() };
    let mut s = Sign::default();
    s.configure(&config);
    let listed = load_certificates(&config.modules);
    let _ = s.update(Message::Certificate(certificate::Message::Loaded(Some(listed))));
    let drive = Driver { data_dir: desktop_data };
    let who = ("Nguyễn Văn A", kyso_testkit::tokens::CANHAN);

    let image_arg = image.display().to_string();
    let cases: [Case<'_>; 3] = [
        ("invisible", &pdf, RoleChoice::None, vec![], vec![]),
        (
            "approver",
            &pdf,
            RoleChoice::Approver,
            vec![(Field::Image, image_arg.clone())],
            vec!["--role", "approver", "--image", &image_arg],
        ),
        ("word", &docx, RoleChoice::None, vec![], vec![]),
    ];
    for (name, input, role, fields, flags) in cases {
        let ext = input.extension().and_then(|e| e.to_str()).unwrap_or_default();
        let (on_desktop, on_cli) = (d.join(format!("{name}.desktop.{ext}")), d.join(format!("{name}.cli.{ext}")));
        kyso_core::with_fixed_clock(SIGNED_AT, || {
            drive.sign(&mut s, (input, &on_desktop), who, role, &fields, kyso_testkit::pins::CANHAN, None);
        });
        cli_sign(&cli, fx, &cli_data, (input, &on_cli), &flags);
        let (a, b) = (std::fs::read(&on_desktop).expect("desktop copy"), std::fs::read(&on_cli).expect("cli copy"));
        if ext == "pdf" {
            assert!(a.windows(SIGNED_AT_PDF.len()).any(|w| w == SIGNED_AT_PDF), "{name}: the fixed time claimed");
        }
        assert_eq!(claimed_time(&on_desktop, fx).as_deref(), Some("2026-03-05T02:30:00Z"), "{name}");
        assert!(a == b, "{name}: {}", first_difference(&a, &b));
        if ext == "pdf"
            && let Some((ok, out)) = kyso_testkit::pyhanko_validate(fx, &on_desktop)
        {
            assert!(ok, "pyHanko {name}: {out}");
        }
    }
}
