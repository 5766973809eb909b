//! The journal's chain, tamper detection, concurrency and fault handling.
#![allow(clippy::unwrap_used)]

use kyso_journal::{Entry, Filter, Journal, to_csv};
use rusqlite::Connection;

fn entry(action: &str, signer: &str, file: &str) -> Entry {
    Entry {
        action: action.into(),
        input_path: Some(file.into()),
        signer_subject: Some(signer.into()),
        outcome: "ok".into(),
        ..Default::default()
    }
}

fn filled(dir: &std::path::Path) -> Journal {
    let mut j = Journal::open(&dir.join("journal.sqlite")).unwrap();
    for i in 0..5 {
        j.append(&entry(
            if i % 2 == 0 { "sign" } else { "verify" },
            "CN=Nguyễn Văn A",
            &format!("/tmp/công-văn-{i}.pdf"),
        ))
        .unwrap();
    }
    j
}

#[test]
fn chain_verifies_and_search_filters() {
    let dir = tempfile::tempdir().unwrap();
    let j = filled(dir.path());
    assert_eq!(j.verify_chain().unwrap(), None);
    assert_eq!(j.search(&Filter::default()).unwrap().len(), 5);
    assert_eq!(j.search(&Filter { action: Some("sign".into()), ..Default::default() }).unwrap().len(), 3);
    assert_eq!(j.search(&Filter { signer: Some("Nguyễn".into()), ..Default::default() }).unwrap().len(), 5);
    assert_eq!(j.search(&Filter { file: Some("công-văn-3".into()), ..Default::default() }).unwrap().len(), 1);
    let today = time::OffsetDateTime::now_utc().date().to_string();
    assert_eq!(
        j.search(&Filter { since: Some(today.clone()), until: Some(today), ..Default::default() }).unwrap().len(),
        5
    );
    assert!(j.search(&Filter { until: Some("2000-01-01".into()), ..Default::default() }).unwrap().is_empty());
}

#[test]
fn edited_deleted_and_inserted_rows_are_caught_at_the_right_entry() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    drop(filled(dir.path()));
    let raw = Connection::open(&path).unwrap();

    raw.execute("UPDATE entries SET signer_subject = 'CN=Kẻ giả mạo' WHERE id = 3", []).unwrap();
    let b = Journal::open(&path).unwrap().verify_chain().unwrap().unwrap();
    assert_eq!((b.entry_id, b.kind), (3, "edited"));
    raw.execute("UPDATE entries SET signer_subject = 'CN=Nguyễn Văn A' WHERE id = 3", []).unwrap();
    assert_eq!(Journal::open(&path).unwrap().verify_chain().unwrap(), None);

    raw.execute("DELETE FROM entries WHERE id = 2", []).unwrap();
    let b = Journal::open(&path).unwrap().verify_chain().unwrap().unwrap();
    assert_eq!((b.entry_id, b.kind), (3, "deleted_or_inserted"));

    // An inserted row (copied from a valid one) breaks the link after it.
    let dir2 = tempfile::tempdir().unwrap();
    let path2 = dir2.path().join("journal.sqlite");
    drop(filled(dir2.path()));
    let raw2 = Connection::open(&path2).unwrap();
    raw2.execute("UPDATE entries SET id = id + 1000 WHERE id >= 4", []).unwrap();
    raw2.execute("UPDATE entries SET id = id - 999 WHERE id >= 1000", []).unwrap();
    raw2.execute(
        "INSERT INTO entries SELECT 4, time_utc, time_local, kyso_version, action, role, input_path, input_sha256, output_path, output_sha256, signer_subject, signer_issuer, signer_serial, signer_sha256, token_label, token_serial, token_module, level, tsa, precheck, evidence, verification, outcome, error_code, prev_hash, hash FROM entries WHERE id = 1",
        [],
    )
    .unwrap();
    let b = Journal::open(&path2).unwrap().verify_chain().unwrap().unwrap();
    assert_eq!(b.entry_id, 4);
}

#[test]
fn two_writers_at_once_both_land() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    drop(Journal::open(&path).unwrap());
    let handles: Vec<_> = (0..2)
        .map(|w| {
            let p = path.clone();
            std::thread::spawn(move || {
                let mut j = Journal::open(&p).unwrap();
                for i in 0..50 {
                    j.append(&entry("verify", "CN=A", &format!("w{w}-{i}.pdf"))).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let j = Journal::open(&path).unwrap();
    assert_eq!(j.search(&Filter::default()).unwrap().len(), 100);
    assert_eq!(j.verify_chain().unwrap(), None);
}

#[test]
fn a_corrupt_file_is_moved_aside_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    std::fs::write(&path, b"this is not a database, just garbage bytes that look like nothing").unwrap();
    let mut j = Journal::open(&path).unwrap();
    assert!(j.warning.as_deref().unwrap_or("").contains("corrupt"), "{:?}", j.warning);
    j.append(&entry("sign", "CN=B", "x.pdf")).unwrap();
    assert_eq!(j.verify_chain().unwrap(), None);
    let aside = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("corrupt"))
        .count();
    assert_eq!(aside, 1);
}

#[test]
fn csv_has_vietnamese_headers_a_bom_and_intact_text() {
    let dir = tempfile::tempdir().unwrap();
    let j = filled(dir.path());
    let csv = to_csv(&j.search(&Filter::default()).unwrap());
    assert!(csv.starts_with("\u{feff}Mã,Thời gian (giờ Việt Nam),"));
    assert!(csv.contains("CN=Nguyễn Văn A"));
    assert_eq!(csv.lines().count(), 6);
    // Local time to the second (no offset, no fraction); UTC exact beside it.
    let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    assert!(row[1].len() == 19 && row[1].as_bytes()[10] == b' ' && !row[1].contains('+'), "{}", row[1]);
    assert!(row[2].ends_with('Z'), "{}", row[2]);
}

/// Several writers opening a journal that does not exist yet (the GUI and
/// the CLI at once): nobody sets the journal aside and no entry is lost.
#[test]
fn concurrent_first_opens_lose_nothing() {
    for round in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite");
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let path = path.clone();
                std::thread::spawn(move || {
                    for i in 0..10 {
                        let mut j = Journal::open(&path).unwrap();
                        assert!(j.warning.is_none(), "round {round} writer {w}: {:?}", j.warning);
                        j.append(&entry("verify", "CN=A", &format!("/tmp/{w}-{i}.pdf"))).unwrap();
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        let j = Journal::open(&path).unwrap();
        assert_eq!(j.search(&Default::default()).unwrap().len(), 40, "round {round}");
        assert_eq!(j.verify_chain().unwrap(), None);
        let aside = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| e.as_ref().is_ok_and(|e| e.file_name().to_string_lossy().contains("corrupt")));
        assert_eq!(aside.count(), 0, "round {round}: a journal was set aside");
    }
}

/// Another process holding the journal's lock (a second SQLite connection
/// in an exclusive transaction): opening and writing give up after the
/// bounded wait with `Busy`, classified by SQLite's result code, and work
/// again once the lock is released.
#[test]
fn a_locked_journal_is_a_clear_error_within_the_wait() {
    use kyso_journal::JournalError;
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    let wait = Duration::from_millis(1500);

    // A write while another connection holds the write lock (WAL journal).
    let mut j = Journal::open_waiting(&path, wait).unwrap();
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let started = Instant::now();
    let e = j.append(&entry("sign", "CN=A", "a.pdf")).unwrap_err();
    let took = started.elapsed();
    assert!(matches!(e, JournalError::Busy { waited } if waited == wait), "{e:?}");
    assert!(took >= wait && took < wait + Duration::from_secs(3), "{took:?}");
    assert!(e.to_string().contains("in use by another Kyso program"), "{e}");
    other.execute_batch("COMMIT").unwrap();
    j.append(&entry("sign", "CN=A", "a.pdf")).unwrap();
    drop(j);

    // Opening a database another program holds exclusively in rollback
    // mode (nothing can be read): Busy after the wait, not after minutes.
    let plain = dir.path().join("plain.sqlite");
    let other = rusqlite::Connection::open(&plain).unwrap();
    other
        .execute_batch("PRAGMA journal_mode=DELETE; CREATE TABLE t(x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);")
        .unwrap();
    let started = Instant::now();
    let e = Journal::open_waiting(&plain, wait).unwrap_err();
    let took = started.elapsed();
    assert!(matches!(e, JournalError::Busy { waited } if waited >= wait), "{e:?}");
    assert!(took < wait + Duration::from_secs(3), "{took:?}");
    assert!(plain.exists(), "a busy journal is never moved aside");
    other.execute_batch("ROLLBACK").unwrap();
    drop(other);
    let j = Journal::open_waiting(&plain, wait).unwrap();
    assert!(j.warning.is_none());
    assert!(kyso_journal::BUSY_WAIT <= Duration::from_secs(10));
}

/// The signing pass's SHA-256 values (kyso_pdf::SignOutcome) give the same
/// entry as hashing the files again, without reading them.
#[test]
fn signing_entries_take_the_hashes_of_the_signing_pass() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    let (key, pem) = (dir.path().join("k.pem"), dir.path().join("c.pem"));
    let made = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1"])
        .args(["-subj", "/CN=Nguyễn Văn A", "-utf8", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&pem)
        .output();
    if !made.is_ok_and(|o| o.status.success()) {
        eprintln!("SKIPPED: openssl could not make a certificate");
        return;
    }
    let cert = kyso_pki::load_certificates(&std::fs::read(&pem).unwrap()).remove(0).cert;
    let info = kyso_pki::CertInfo::from_certificate(&cert, std::time::SystemTime::now());
    let (input, output) = (dir.path().join("in.pdf"), dir.path().join("in.signed.pdf"));
    std::fs::write(&input, b"%PDF-1.7\n...original...\n%%EOF\n").unwrap();
    std::fs::write(&output, b"%PDF-1.7\n...original...\n%%EOF\n...update...\n%%EOF\n").unwrap();
    let sha = |p: &std::path::Path| Sha256::digest(std::fs::read(p).unwrap()).to_vec();
    let read = Entry::signing(&input, &info, "B-B", None).with_output(&output);
    let passed =
        Entry::signing_unread(&input, &info, "B-B", None).with_output_hashed(&output, &sha(&input), &sha(&output));
    assert_eq!(read, passed);
    assert!(read.input_sha256.is_some() && read.output_sha256.is_some());
}
