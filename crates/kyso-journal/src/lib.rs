//! Kyso's local activity journal (Thông tư 15/2025: keep the certificate,
//! the revocation evidence and the result of each check).
//!
//! One SQLite database in the user's data directory (`KYSO_DATA_DIR`
//! overrides it), in WAL mode with a busy timeout so the GUI and the CLI can
//! write at once. Each entry stores the SHA-256 of the previous one, so an
//! edited, deleted or inserted row breaks the chain at that entry
//! ([`Journal::verify_chain`]). Never a PIN, never document content.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub mod search;
pub use search::fold;

/// Current schema version.
pub const SCHEMA_VERSION: i64 = 1;
/// The longest a journal operation waits for another process's lock,
/// opening included, before [`JournalError::Busy`].
pub const BUSY_WAIT: Duration = Duration::from_secs(10);
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Journal errors.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// The disk is full: the entry was not written.
    #[error("the disk is full; the journal entry was not written")]
    DiskFull,
    /// The file is not a readable journal database (it is moved aside).
    #[error("the journal database is damaged: {0}")]
    Corrupt(String),
    /// Another Kyso process held the journal for longer than we wait
    /// ([`BUSY_WAIT`] by default): nothing was written or moved aside.
    #[error(
        "the journal is in use by another Kyso program (waited {} s); close it or try again",
        .waited.as_secs_f32().round()
    )]
    Busy {
        /// How long we waited.
        waited: Duration,
    },
    /// Another SQLite failure: nothing is moved aside.
    #[error("journal database error: {0}")]
    Db(String),
    /// Creating the data directory failed.
    #[error("cannot create the data directory {path}: {source}")]
    Io {
        /// Directory.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
}

impl From<rusqlite::Error> for JournalError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            match f.code {
                rusqlite::ErrorCode::DiskFull => return Self::DiskFull,
                rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase => {
                    return Self::Corrupt(e.to_string());
                }
                // SQLITE_BUSY / SQLITE_LOCKED (and their extended codes):
                // by the result code, never by the message's text.
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked => {
                    return Self::Busy { waited: Duration::ZERO };
                }
                _ => {}
            }
        }
        Self::Db(e.to_string())
    }
}

/// One action to record. Empty fields are simply absent.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    /// `sign`, `verify`, `extend`, `trust`, …
    pub action: String,
    /// Role preset (approver, issuer, appendix, copy).
    pub role: Option<String>,
    /// Input file path.
    pub input_path: Option<String>,
    /// SHA-256 of the input file.
    pub input_sha256: Option<String>,
    /// Output file path.
    pub output_path: Option<String>,
    /// SHA-256 of the output file.
    pub output_sha256: Option<String>,
    /// Signer certificate subject.
    pub signer_subject: Option<String>,
    /// Signer certificate issuer.
    pub signer_issuer: Option<String>,
    /// Signer certificate serial.
    pub signer_serial: Option<String>,
    /// SHA-256 of the signer certificate.
    pub signer_sha256: Option<String>,
    /// Token label.
    pub token_label: Option<String>,
    /// Token serial.
    pub token_serial: Option<String>,
    /// PKCS#11 module.
    pub token_module: Option<String>,
    /// Signature level (B-B, B-T, …).
    pub level: Option<String>,
    /// TSA URL.
    pub tsa: Option<String>,
    /// Result of the pre-signing certificate check.
    pub precheck: Option<String>,
    /// Reference to revocation evidence.
    pub evidence: Option<String>,
    /// Verification indications per signature (JSON).
    pub verification: Option<String>,
    /// `ok` or `failed`.
    pub outcome: String,
    /// Error code on failure.
    pub error_code: Option<String>,
}

impl Entry {
    /// The entry of a signing of `input` with the certificate `cert` at
    /// `level` (the CLI and the GUI journal the same facts); `ok` until the
    /// caller records the output or the failure. Role, token, pre-signing
    /// check and evidence are the caller's to fill.
    pub fn signing(input: &Path, cert: &kyso_pki::CertInfo, level: &str, tsa: Option<&str>) -> Self {
        let (input_path, input_sha256) = file_facts(input);
        Self {
            action: "sign".into(),
            input_path,
            input_sha256,
            signer_subject: Some(cert.subject.clone()),
            signer_issuer: Some(cert.issuer.clone()),
            signer_serial: Some(cert.serial.clone()),
            signer_sha256: Some(cert.sha256.clone()),
            level: Some(level.to_owned()),
            tsa: tsa.map(str::to_owned),
            outcome: "ok".into(),
            ..Default::default()
        }
    }

    /// Records the signed output (its absolute path and SHA-256).
    pub fn with_output(mut self, output: &Path) -> Self {
        (self.output_path, self.output_sha256) = file_facts(output);
        self
    }

    /// [`Entry::with_output`] with both SHA-256 values already computed by
    /// the signing pass (`kyso_pdf::SignOutcome`): the input's replaces the
    /// one read at [`Entry::signing`] time only if that read failed, and
    /// neither file is read again.
    pub fn with_output_hashed(mut self, output: &Path, input_sha256: &[u8], output_sha256: &[u8]) -> Self {
        self.input_sha256 = self.input_sha256.or_else(|| Some(hex::encode(input_sha256)));
        self.output_path = Some(absolute(output));
        self.output_sha256 = Some(hex::encode(output_sha256));
        self
    }

    /// [`Entry::signing`] without reading `input`: its SHA-256 comes from
    /// the pass that signs it ([`Entry::with_output_hashed`] fills it in).
    pub fn signing_unread(input: &Path, cert: &kyso_pki::CertInfo, level: &str, tsa: Option<&str>) -> Self {
        Self {
            action: "sign".into(),
            input_path: Some(absolute(input)),
            input_sha256: None,
            signer_subject: Some(cert.subject.clone()),
            signer_issuer: Some(cert.issuer.clone()),
            signer_serial: Some(cert.serial.clone()),
            signer_sha256: Some(cert.sha256.clone()),
            level: Some(level.to_owned()),
            tsa: tsa.map(str::to_owned),
            outcome: "ok".into(),
            ..Default::default()
        }
    }

    /// Records a failure with its error code.
    pub fn failed(mut self, code: impl Into<String>) -> Self {
        self.outcome = "failed".into();
        self.error_code = Some(code.into());
        self
    }

    /// The entry of a verification of the file at `path` (the CLI and the
    /// GUI journal the same facts): the first signer's identity, the
    /// verdict, and a summary of every signature.
    pub fn verification(path: &Path, report: &kyso_pki::report::DocumentReport) -> Self {
        let (input_path, input_sha256) = file_facts(path);
        let summary: Vec<serde_json::Value> = report
            .signatures
            .iter()
            .map(|s| {
                serde_json::json!({"field": s.field, "signer": s.signer, "indication": s.indication,
                    "sub_indication": s.sub_indication})
            })
            .collect();
        Self {
            action: "verify".into(),
            input_path,
            input_sha256,
            signer_subject: report.signatures.iter().find_map(|s| s.signer_subject.clone()),
            signer_issuer: report.signatures.iter().find_map(|s| s.issuer.clone()),
            signer_serial: report.signatures.iter().find_map(|s| s.serial.clone()),
            verification: serde_json::to_string(&summary).ok(),
            outcome: report.indication.name().to_owned(),
            ..Default::default()
        }
    }
}

/// An entry as stored, with its identity, times and chain hashes.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Record {
    /// Row id.
    pub id: i64,
    /// UTC time (RFC 3339).
    pub time_utc: String,
    /// Local time (RFC 3339 with offset).
    pub time_local: String,
    /// Kyso version that wrote it.
    pub kyso_version: String,
    /// The entry.
    #[serde(flatten)]
    pub entry: Entry,
    /// Hash of the previous record.
    pub prev_hash: String,
    /// Hash of this record.
    pub hash: String,
}

/// Search filters for [`Journal::search`].
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// From this UTC date or time (inclusive, RFC 3339 prefix such as `2026-11-01`).
    pub since: Option<String>,
    /// Until this UTC date or time (inclusive prefix).
    pub until: Option<String>,
    /// Action.
    pub action: Option<String>,
    /// Text in the signer's subject.
    pub signer: Option<String>,
    /// Text in the input or output path.
    pub file: Option<String>,
}

/// Where the chain breaks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainBreak {
    /// The first entry whose link does not hold.
    pub entry_id: i64,
    /// `edited` (content does not match its hash), `deleted_or_inserted`
    /// (its link to the previous entry does not hold).
    pub kind: &'static str,
}

/// The journal.
pub struct Journal {
    conn: Connection,
    path: PathBuf,
    /// A warning from opening (e.g. a corrupt file was moved aside).
    pub warning: Option<String>,
    /// The longest a write waits for another process's lock.
    wait: Duration,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal").field("path", &self.path).finish()
    }
}

/// The data directory: `KYSO_DATA_DIR`, else the platform's.
pub fn data_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("KYSO_DATA_DIR") {
        return PathBuf::from(d);
    }
    directories::ProjectDirs::from("vn", "Kyso", "kyso")
        .map(|p| p.data_dir().to_owned())
        .unwrap_or_else(|| PathBuf::from(".kyso"))
}

fn now_strings() -> (String, String) {
    let utc = time::OffsetDateTime::now_utc();
    // Vietnam time (UTC+7, no daylight saving) is the local time of record.
    let local = utc.to_offset(time::UtcOffset::from_hms(7, 0, 0).unwrap_or(time::UtcOffset::UTC));
    let f = &time::format_description::well_known::Rfc3339;
    (utc.format(f).unwrap_or_default(), local.format(f).unwrap_or_default())
}

fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("")
}

/// The hash of a record: SHA-256 over the previous hash and every field,
/// length-prefixed so no two records serialise alike.
fn record_hash(id: i64, time_utc: &str, time_local: &str, version: &str, e: &Entry, prev: &str) -> String {
    let fields = [
        id.to_string().as_str(),
        time_utc,
        time_local,
        version,
        &e.action,
        opt(&e.role),
        opt(&e.input_path),
        opt(&e.input_sha256),
        opt(&e.output_path),
        opt(&e.output_sha256),
        opt(&e.signer_subject),
        opt(&e.signer_issuer),
        opt(&e.signer_serial),
        opt(&e.signer_sha256),
        opt(&e.token_label),
        opt(&e.token_serial),
        opt(&e.token_module),
        opt(&e.level),
        opt(&e.tsa),
        opt(&e.precheck),
        opt(&e.evidence),
        opt(&e.verification),
        &e.outcome,
        opt(&e.error_code),
    ]
    .map(str::to_owned);
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    for f in fields {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f.as_bytes());
    }
    hex::encode(h.finalize())
}

const COLUMNS: &str = "id, time_utc, time_local, kyso_version, action, role, input_path, input_sha256, output_path, \
    output_sha256, signer_subject, signer_issuer, signer_serial, signer_sha256, token_label, token_serial, \
    token_module, level, tsa, precheck, evidence, verification, outcome, error_code, prev_hash, hash";

fn row_to_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<Record> {
    Ok(Record {
        id: r.get(0)?,
        time_utc: r.get(1)?,
        time_local: r.get(2)?,
        kyso_version: r.get(3)?,
        entry: Entry {
            action: r.get(4)?,
            role: r.get(5)?,
            input_path: r.get(6)?,
            input_sha256: r.get(7)?,
            output_path: r.get(8)?,
            output_sha256: r.get(9)?,
            signer_subject: r.get(10)?,
            signer_issuer: r.get(11)?,
            signer_serial: r.get(12)?,
            signer_sha256: r.get(13)?,
            token_label: r.get(14)?,
            token_serial: r.get(15)?,
            token_module: r.get(16)?,
            level: r.get(17)?,
            tsa: r.get(18)?,
            precheck: r.get(19)?,
            evidence: r.get(20)?,
            verification: r.get(21)?,
            outcome: r.get(22)?,
            error_code: r.get(23)?,
        },
        prev_hash: r.get(24)?,
        hash: r.get(25)?,
    })
}

fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version < 1 {
        conn.execute_batch(
            "BEGIN;
             CREATE TABLE IF NOT EXISTS entries (
                id INTEGER PRIMARY KEY,
                time_utc TEXT NOT NULL, time_local TEXT NOT NULL, kyso_version TEXT NOT NULL,
                action TEXT NOT NULL, role TEXT,
                input_path TEXT, input_sha256 TEXT, output_path TEXT, output_sha256 TEXT,
                signer_subject TEXT, signer_issuer TEXT, signer_serial TEXT, signer_sha256 TEXT,
                token_label TEXT, token_serial TEXT, token_module TEXT,
                level TEXT, tsa TEXT, precheck TEXT, evidence TEXT, verification TEXT,
                outcome TEXT NOT NULL, error_code TEXT,
                prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
             CREATE INDEX IF NOT EXISTS entries_time ON entries(time_utc);
             PRAGMA user_version = 1;
             COMMIT;",
        )?;
    }
    Ok(())
}

impl Journal {
    /// Opens (or creates) the journal in [`data_dir`].
    pub fn open_default() -> Result<Self, JournalError> {
        Self::open_in(&data_dir())
    }

    /// Opens (or creates) the journal of the data directory `dir`.
    pub fn open_in(dir: &Path) -> Result<Self, JournalError> {
        Self::open(&dir.join("journal.sqlite"))
    }

    /// Opens (or creates) the journal at `path`. A file that is not a
    /// readable database is moved aside (`…corrupt-<time>`) and a new one is
    /// started, with [`Journal::warning`] set.
    pub fn open(path: &Path) -> Result<Self, JournalError> {
        Self::open_waiting(path, BUSY_WAIT)
    }

    /// [`Journal::open`], waiting at most `wait` in all for another
    /// process's lock (opening, and later each write), then
    /// [`JournalError::Busy`].
    pub fn open_waiting(path: &Path, wait: Duration) -> Result<Self, JournalError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| JournalError::Io { path: dir.to_owned(), source })?;
        }
        // A journal being created or switched to WAL by another process
        // can answer "busy" without waiting the busy timeout: try again
        // until the deadline.
        let started = std::time::Instant::now();
        let deadline = started + wait;
        let mut attempt;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            attempt = Self::open_checked(path, left);
            match attempt {
                Err(JournalError::Busy { .. }) if !left.is_zero() => {
                    std::thread::sleep(Duration::from_millis(50).min(left));
                }
                _ => break,
            }
        }
        if let Err(JournalError::Busy { .. }) = attempt {
            return Err(JournalError::Busy { waited: started.elapsed() });
        }
        if let Ok(j) = &mut attempt {
            // Later writes wait the whole `wait` each.
            j.conn.busy_timeout(wait)?;
            j.wait = wait;
        }
        match attempt {
            Ok(j) => Ok(j),
            // Only a damaged file is moved aside: a busy or locked database
            // (another Kyso process writing) is an error, never a reason to
            // set the journal aside.
            Err(e @ JournalError::Corrupt(_)) => {
                let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
                let aside = path.with_extension(format!("sqlite.corrupt-{stamp}"));
                std::fs::rename(path, &aside).map_err(|source| JournalError::Io { path: path.to_owned(), source })?;
                for ext in ["sqlite-wal", "sqlite-shm"] {
                    let _ = std::fs::remove_file(path.with_extension(ext));
                }
                let mut j = Self::open_checked(path, wait)?;
                j.wait = wait;
                j.warning = Some(format!("{e}; the damaged journal was moved to {}", aside.display()));
                Ok(j)
            }
            Err(e) => Err(e),
        }
    }

    fn open_checked(path: &Path, wait: Duration) -> Result<Self, JournalError> {
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)?;
        conn.busy_timeout(wait)?;
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        let _ = mode;
        conn.execute_batch("PRAGMA synchronous=FULL;")?;
        let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(JournalError::Corrupt(format!("integrity check failed: {check}")));
        }
        migrate(&conn)?;
        Ok(Self { conn, path: path.to_owned(), warning: None, wait })
    }

    /// The database path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends an entry, chained to the last one, in one immediate
    /// transaction (two writers serialise on the lock).
    pub fn append(&mut self, entry: &Entry) -> Result<Record, JournalError> {
        let wait = self.wait;
        self.append_inner(entry).map_err(|e| match e {
            JournalError::Busy { .. } => JournalError::Busy { waited: wait },
            e => e,
        })
    }

    fn append_inner(&mut self, entry: &Entry) -> Result<Record, JournalError> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let last: Option<(i64, String)> = tx
            .query_row("SELECT id, hash FROM entries ORDER BY id DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let (id, prev) = match last {
            Some((id, h)) => (id + 1, h),
            None => (1, GENESIS.to_owned()),
        };
        let (utc, local) = now_strings();
        let version = env!("CARGO_PKG_VERSION").to_owned();
        let hash = record_hash(id, &utc, &local, &version, entry, &prev);
        let e = entry;
        tx.execute(
            &format!("INSERT INTO entries ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)"),
            params![
                id, utc, local, version, e.action, e.role, e.input_path, e.input_sha256, e.output_path,
                e.output_sha256, e.signer_subject, e.signer_issuer, e.signer_serial, e.signer_sha256,
                e.token_label, e.token_serial, e.token_module, e.level, e.tsa, e.precheck, e.evidence,
                e.verification, e.outcome, e.error_code, prev, hash
            ],
        )?;
        tx.commit()?;
        Ok(Record {
            id,
            time_utc: utc,
            time_local: local,
            kyso_version: version,
            entry: entry.clone(),
            prev_hash: prev,
            hash,
        })
    }

    /// Entries matching `f`, oldest first.
    pub fn search(&self, f: &Filter) -> Result<Vec<Record>, JournalError> {
        let mut sql = format!("SELECT {COLUMNS} FROM entries WHERE 1=1");
        let mut args: Vec<String> = Vec::new();
        if let Some(s) = &f.since {
            args.push(s.clone());
            sql.push_str(&format!(" AND time_utc >= ?{}", args.len()));
        }
        if let Some(u) = &f.until {
            // Inclusive of the whole day when a date is given.
            args.push(format!("{u}\u{10FFFF}"));
            sql.push_str(&format!(" AND time_utc <= ?{}", args.len()));
        }
        if let Some(a) = &f.action {
            args.push(a.clone());
            sql.push_str(&format!(" AND action = ?{}", args.len()));
        }
        if let Some(s) = &f.signer {
            args.push(format!("%{s}%"));
            sql.push_str(&format!(" AND signer_subject LIKE ?{}", args.len()));
        }
        if let Some(p) = &f.file {
            args.push(format!("%{p}%"));
            let n = args.len();
            sql.push_str(&format!(" AND (input_path LIKE ?{n} OR output_path LIKE ?{n})"));
        }
        sql.push_str(" ORDER BY id");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), row_to_record)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Checks the hash chain; returns the first broken link, if any.
    pub fn verify_chain(&self) -> Result<Option<ChainBreak>, JournalError> {
        let mut stmt = self.conn.prepare(&format!("SELECT {COLUMNS} FROM entries ORDER BY id"))?;
        let rows = stmt.query_map([], row_to_record)?;
        let mut prev = GENESIS.to_owned();
        for r in rows {
            let r = r?;
            let expected = record_hash(r.id, &r.time_utc, &r.time_local, &r.kyso_version, &r.entry, &r.prev_hash);
            if expected != r.hash {
                return Ok(Some(ChainBreak { entry_id: r.id, kind: "edited" }));
            }
            if r.prev_hash != prev {
                return Ok(Some(ChainBreak { entry_id: r.id, kind: "deleted_or_inserted" }));
            }
            prev = r.hash;
        }
        Ok(None)
    }
}

/// The absolute path of a file and its SHA-256, as the journal records them.
pub fn file_facts(p: &Path) -> (Option<String>, Option<String>) {
    (Some(absolute(p)), file_sha256(p))
}

/// The absolute path of `p` as the journal records it.
fn absolute(p: &Path) -> String {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned()).display().to_string()
}

/// SHA-256 of a file, streamed, lower-case hex; `None` when unreadable.
pub fn file_sha256(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).ok()?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Some(hex::encode(h.finalize()))
}

/// An RFC 3339 local time as spreadsheets read it, to the second:
/// `2026-11-29 20:40:05` (the stored text when it is not a time). The
/// exact value stays in the UTC column.
fn to_the_second(rfc3339: &str) -> String {
    let f = &time::format_description::well_known::Rfc3339;
    match time::OffsetDateTime::parse(rfc3339, f) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => rfc3339.to_owned(),
    }
}

/// CSV with Vietnamese column headers and a UTF-8 BOM (so Excel reads it
/// as UTF-8), RFC 4180 quoting.
pub fn to_csv(records: &[Record]) -> String {
    const HEADERS: [&str; 16] = [
        "Mã",
        "Thời gian (giờ Việt Nam)",
        "Thời gian UTC",
        "Hành động",
        "Vai trò",
        "Tệp gốc",
        "SHA-256 tệp gốc",
        "Tệp kết quả",
        "SHA-256 tệp kết quả",
        "Người ký",
        "Tổ chức cấp",
        "Số hiệu chứng thư",
        "Thiết bị",
        "Kết quả kiểm tra",
        "Kết quả",
        "Mã lỗi",
    ];
    let q = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
    };
    let mut out = String::from("\u{feff}");
    out.push_str(&HEADERS.join(","));
    out.push_str("\r\n");
    for r in records {
        let e = &r.entry;
        let cols = [
            r.id.to_string(),
            to_the_second(&r.time_local),
            r.time_utc.clone(),
            e.action.clone(),
            opt(&e.role).to_owned(),
            opt(&e.input_path).to_owned(),
            opt(&e.input_sha256).to_owned(),
            opt(&e.output_path).to_owned(),
            opt(&e.output_sha256).to_owned(),
            opt(&e.signer_subject).to_owned(),
            opt(&e.signer_issuer).to_owned(),
            opt(&e.signer_serial).to_owned(),
            opt(&e.token_label).to_owned(),
            opt(&e.verification).to_owned(),
            e.outcome.clone(),
            opt(&e.error_code).to_owned(),
        ];
        out.push_str(&cols.iter().map(|c| q(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}
