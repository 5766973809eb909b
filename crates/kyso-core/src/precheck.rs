//! Everything that can stop a signing, checked after the certificate is
//! chosen and before the PIN is asked for: where each signed copy goes
//! (and whether it may), whether the certificate's kind fits the role
//! (NĐ 30/2020/NĐ-CP Art. 32(2)(c–d), Art. 33), the images the role needs
//! (Phụ lục I II.7.d, II.8.a), PDF-only settings on Office files, the
//! certificate's validity and revocation (Thông tư 15/2025/TT-BKHCN Art. 5)
//! and the timestamp server when the level needs one (RFC 3161).
//!
//! A front end builds its [`SignRequest`] without the PIN, calls
//! [`precheck`], shows the [`Finding`]s, and asks for the PIN only when
//! nothing blocks. A finding that needs confirmation is confirmed by
//! changing the request: [`SignRequest::on_exists`] for an existing
//! output, [`crate::PrecheckInputs::allow_unchecked`] for revocation that
//! could not be checked. [`crate::sign_batch`] makes the same output
//! choice and checks again what may have changed meanwhile (the
//! certificate's revocation, the output appearing), so what it reports
//! after the PIN is only what could not be known before.

use std::path::{Path, PathBuf};
use std::time::Duration;

use kyso_pki::kind::{CertKind, Classification, classify};
use kyso_pki::precheck::PrecheckResult;
use kyso_pki::{CertInfo, CertWarning, Certificate};
use serde::Serialize;
use serde_json::json;

use crate::document::{Format, numbered_name, signed_name};
use crate::error::{Error, PdfOnly};
use crate::sign::{Credential, Destination, Level, SignRequest, Target};
use kyso_pdf::presets::Role;

/// What to do when a signed copy's file exists already.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum OnExists {
    /// Replace it.
    Overwrite,
    /// Write the first free numbered name beside it instead
    /// (`NAME.signed (2).pdf`, [`crate::numbered_name`]).
    Number,
    /// Ask the person ([`Finding::OutputExists`] needs confirmation); the
    /// signing refuses the file until the request says otherwise.
    #[default]
    Ask,
}

impl OnExists {
    /// `overwrite`, `number`, `ask`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Overwrite => "overwrite",
            Self::Number => "number",
            Self::Ask => "ask",
        }
    }
}

/// Where a file's signed copy goes, decided the same way by the precheck
/// and by the signing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum OutputChoice {
    /// Returned in memory.
    Memory,
    /// A file that does not exist yet.
    New(PathBuf),
    /// An existing file, replaced ([`OnExists::Overwrite`]).
    Replace(PathBuf),
    /// The input itself, a signed copy signed again under its own name.
    InPlace(PathBuf),
    /// `taken` exists: the copy goes to the free `path`.
    Numbered { taken: PathBuf, path: PathBuf },
    /// The file exists and the person decides ([`OnExists::Ask`]).
    Exists { path: PathBuf, numbered: PathBuf },
}

/// The first free numbered variant of `path`.
fn free_numbered(path: &Path) -> PathBuf {
    (2..=9999u32).map(|n| numbered_name(path, n)).find(|p| !p.exists()).unwrap_or_else(|| numbered_name(path, 10000))
}

/// Decides where `target`'s signed copy goes under the request's policy.
pub(crate) fn choose_output(req: &SignRequest, target: &Target) -> OutputChoice {
    let path = match &target.output {
        Destination::Memory => return OutputChoice::Memory,
        Destination::Beside => {
            let p = signed_name(&target.input);
            if p == target.input {
                return OutputChoice::InPlace(p);
            }
            p
        }
        // The same, named explicitly (a front end that shows the name).
        Destination::File(p) if *p == target.input && signed_name(&target.input) == target.input => {
            return OutputChoice::InPlace(p.clone());
        }
        Destination::File(p) => p.clone(),
    };
    if !path.exists() {
        return OutputChoice::New(path);
    }
    match req.on_exists {
        OnExists::Overwrite => OutputChoice::Replace(path),
        OnExists::Number => OutputChoice::Numbered { path: free_numbered(&path), taken: path },
        OnExists::Ask => OutputChoice::Exists { numbered: free_numbered(&path), path },
    }
}

/// How much a finding matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Shown; signing goes on.
    Info,
    /// Signing goes on only when the person confirms (by changing the
    /// request, see the module documentation).
    Confirm,
    /// Signing cannot go on.
    Blocker,
}

impl Severity {
    /// `info`, `confirm`, `blocker`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Confirm => "confirm",
            Self::Blocker => "blocker",
        }
    }
}

/// An image a role needs (NĐ 30/2020 Phụ lục I).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequiredImage {
    /// The handwritten signature of the competent person (II.7.d).
    Signature,
    /// The organisation's seal (II.8.a).
    Seal,
}

/// The kind of certificate a role needs: the competent person signs with
/// their own (NĐ 30/2020 Art. 32(2)(c)); the clerk issues with the
/// organisation's (Art. 32(2)(c–d)), as appendices in a separate file
/// (Phụ lục I II.8.b) and electronic copies (Art. 33) are signed.
pub fn role_needs(role: Role) -> CertKind {
    match role {
        Role::Approver => CertKind::Personal,
        Role::Issuer | Role::Appendix | Role::Copy => CertKind::Organization,
    }
}

/// The name of a role in JSON and the journal.
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Approver => "approver",
        Role::Issuer => "issuer",
        Role::Appendix => "appendix",
        Role::Copy => "copy",
    }
}

/// Something the precheck found. `file` is the index of the file in
/// [`SignRequest::files`].
#[derive(Debug)]
#[non_exhaustive]
pub enum Finding {
    /// The output exists and the person decides (overwrite, number, or
    /// cancel); `numbered` is the free name numbering would use.
    OutputExists {
        /// The file.
        file: usize,
        /// The existing output.
        path: PathBuf,
        /// The free numbered name.
        numbered: PathBuf,
    },
    /// The output exists and will be replaced ([`OnExists::Overwrite`]).
    OutputReplaced {
        /// The file.
        file: usize,
        /// The output.
        path: PathBuf,
    },
    /// The output exists; the copy goes to a numbered name.
    OutputNumbered {
        /// The file.
        file: usize,
        /// The existing file.
        taken: PathBuf,
        /// Where the copy goes.
        path: PathBuf,
    },
    /// A signed copy is signed again under its own name: it is replaced by
    /// its signed version (a PDF keeps the earlier revisions byte for byte).
    SignedInPlace {
        /// The file.
        file: usize,
        /// The document.
        path: PathBuf,
    },
    /// The output's folder cannot be written.
    OutputNotWritable {
        /// The file.
        file: usize,
        /// The folder.
        dir: PathBuf,
        /// Why.
        detail: String,
    },
    /// The certificate's kind is not the role's.
    RoleMismatch {
        /// The role.
        role: Role,
        /// The kind it needs.
        needed: CertKind,
        /// The certificate's.
        found: CertKind,
        /// The subject, to show.
        subject: String,
        /// Allowed by [`SignRequest::allow_role_mismatch`] (then only shown,
        /// and journaled).
        allowed: bool,
    },
    /// The certificate's kind could not be told: signing goes on, with a
    /// warning to check that it is the right one for the role.
    CertificateKindUnknown {
        /// The role.
        role: Role,
        /// The subject.
        subject: String,
    },
    /// The certificate cannot sign now (expired, not yet valid, no
    /// signing key usage).
    CertificateUnusable(CertWarning),
    /// The certificate is revoked (Unix time of revocation).
    CertificateRevoked(i64),
    /// Its revocation status was answered (what answered it).
    RevocationChecked {
        /// The evidence (hashes and sources).
        evidence: String,
    },
    /// Its revocation status could not be checked: TT 15/2025 lets the
    /// person sign anyway only with an explicit confirmation.
    RevocationUnchecked {
        /// Why (typed, so each front end says it in its language).
        detail: kyso_pki::precheck::Unchecked,
        /// Confirmed already ([`crate::PrecheckInputs::allow_unchecked`]).
        confirmed: bool,
    },
    /// The timestamp server the level needs cannot be reached.
    TsaUnreachable {
        /// Its URL.
        url: String,
        /// Why.
        detail: String,
    },
    /// The timestamp server did not answer within the probe's time; the
    /// signing will wait for it up to its own timeout.
    TsaSlow {
        /// Its URL.
        url: String,
        /// Seconds waited.
        waited: u64,
    },
    /// The role needs an image that was not given.
    ImageRequired {
        /// The role.
        role: Role,
        /// Which image.
        image: RequiredImage,
    },
    /// A PDF-only setting (a role, a rectangle, …) for an Office file.
    NotForOffice {
        /// The file.
        file: usize,
        /// The setting.
        what: PdfOnly,
    },
    /// A PAdES-only level for an Office file.
    LevelNotForOffice {
        /// The file.
        file: usize,
        /// The level.
        level: Level,
    },
    /// The signer could not be found (no token, no certificate, several).
    Credential(Error),
    /// The file cannot be prepared (unreadable, placement, image…).
    File {
        /// The file.
        file: usize,
        /// Why.
        error: Error,
    },
}

impl Finding {
    /// How much it matters.
    pub fn severity(&self) -> Severity {
        match self {
            Self::OutputReplaced { .. }
            | Self::OutputNumbered { .. }
            | Self::SignedInPlace { .. }
            | Self::CertificateKindUnknown { .. }
            | Self::RevocationChecked { .. }
            | Self::TsaSlow { .. } => Severity::Info,
            Self::RoleMismatch { allowed: true, .. } | Self::RevocationUnchecked { confirmed: true, .. } => {
                Severity::Info
            }
            Self::OutputExists { .. } | Self::RevocationUnchecked { .. } => Severity::Confirm,
            _ => Severity::Blocker,
        }
    }

    /// Its stable code (the CLI's JSON `findings[].code`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::OutputExists { .. } => "output_exists",
            Self::OutputReplaced { .. } => "output_replaced",
            Self::OutputNumbered { .. } => "output_numbered",
            Self::SignedInPlace { .. } => "signed_in_place",
            Self::OutputNotWritable { .. } => "output_not_writable",
            Self::RoleMismatch { allowed: false, .. } => "role_mismatch",
            Self::RoleMismatch { allowed: true, .. } => "role_mismatch_allowed",
            Self::CertificateKindUnknown { .. } => "certificate_kind_unknown",
            Self::CertificateUnusable(_) => "certificate_refused",
            Self::CertificateRevoked(_) => "certificate_revoked",
            Self::RevocationChecked { .. } => "revocation_checked",
            Self::RevocationUnchecked { confirmed: false, .. } => "revocation_unchecked",
            Self::RevocationUnchecked { confirmed: true, .. } => "revocation_unchecked_confirmed",
            Self::TsaUnreachable { .. } => "tsa_unreachable",
            Self::TsaSlow { .. } => "tsa_slow",
            Self::ImageRequired { .. } => "image_required",
            Self::NotForOffice { .. } | Self::LevelNotForOffice { .. } => "option_not_for_ooxml",
            Self::Credential(e) | Self::File { error: e, .. } => e.code(),
        }
    }

    /// The file it is about, when one.
    pub fn file(&self) -> Option<usize> {
        match self {
            Self::OutputExists { file, .. }
            | Self::OutputReplaced { file, .. }
            | Self::OutputNumbered { file, .. }
            | Self::SignedInPlace { file, .. }
            | Self::OutputNotWritable { file, .. }
            | Self::NotForOffice { file, .. }
            | Self::LevelNotForOffice { file, .. }
            | Self::File { file, .. } => Some(*file),
            _ => None,
        }
    }

    /// Its structured details (the CLI's JSON `findings[].details`).
    pub fn details(&self) -> serde_json::Value {
        match self {
            Self::OutputExists { path, numbered, .. } => json!({"path": path, "numbered": numbered}),
            Self::OutputReplaced { path, .. } | Self::SignedInPlace { path, .. } => json!({"path": path}),
            Self::OutputNumbered { taken, path, .. } => json!({"taken": taken, "path": path}),
            Self::OutputNotWritable { dir, detail, .. } => json!({"dir": dir, "detail": detail}),
            Self::RoleMismatch { role, needed, found, subject, .. } => {
                json!({"role": role_name(*role), "needed": needed, "found": found, "subject": subject})
            }
            Self::CertificateKindUnknown { role, subject } => json!({"role": role_name(*role), "subject": subject}),
            Self::CertificateUnusable(w) => json!({"warning": w}),
            Self::CertificateRevoked(t) => json!({"revoked_at": t}),
            Self::RevocationChecked { evidence } => json!({"evidence": evidence}),
            Self::RevocationUnchecked { detail, .. } => json!({"detail": detail.to_string()}),
            Self::TsaUnreachable { url, detail } => json!({"url": url, "detail": detail}),
            Self::TsaSlow { url, waited } => json!({"url": url, "waited_seconds": waited}),
            Self::ImageRequired { role, image } => json!({"role": role_name(*role), "image": image}),
            Self::NotForOffice { what, .. } => json!({"option": format!("{what:?}").to_lowercase()}),
            Self::LevelNotForOffice { level, .. } => json!({"level": level.name()}),
            Self::Credential(e) | Self::File { error: e, .. } => json!({"detail": e.to_string()}),
        }
    }
}

/// What the precheck found, and the certificate it judged.
#[derive(Debug, Default)]
pub struct Prechecked {
    /// Every finding: about the signer (found, kind against the role)
    /// first, then in the order checked (outputs and files, validity and
    /// revocation, the timestamp server).
    pub findings: Vec<Finding>,
    /// The signer's certificate (`None` for a PKCS#12 file: it opens with
    /// its password; its certificate is judged at signing, before any
    /// file is signed).
    pub certificate: Option<CertInfo>,
    /// Its kind and the signs it was decided on.
    pub kind: Option<Classification>,
}

impl Prechecked {
    /// The highest severity found.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(Finding::severity).max()
    }

    /// Whether anything blocks the signing.
    pub fn blocked(&self) -> bool {
        self.worst() == Some(Severity::Blocker)
    }

    /// The findings that need the person's confirmation.
    pub fn to_confirm(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.severity() == Severity::Confirm)
    }
}

/// Journals a signing the precheck stopped, as [`crate::sign_batch`]
/// journals one that fails before its first file: one failed `sign` entry
/// per file (never the PIN: none was asked), with the first finding that
/// stopped it as the error code and in `precheck`. Nothing when
/// [`SignRequest::journal`] is off or nothing stopped it.
pub fn journal_stopped(req: &SignRequest, pre: &Prechecked) -> Vec<crate::JournalProblem> {
    let Some(stop) = pre.findings.iter().find(|f| f.severity() != Severity::Info) else { return Vec::new() };
    if !req.journal {
        return Vec::new();
    }
    let code = stop.code();
    let mut problems = Vec::new();
    for t in &req.files {
        let tsa = req.level.timestamped().then_some(req.tsa.url.as_str());
        let base = match &pre.certificate {
            Some(cert) => kyso_journal::Entry::signing(&t.input, cert, req.level.name(), tsa),
            None => {
                let (input_path, input_sha256) = kyso_journal::file_facts(&t.input);
                kyso_journal::Entry {
                    action: "sign".into(),
                    input_path,
                    input_sha256,
                    level: Some(req.level.name().to_owned()),
                    outcome: "ok".into(),
                    ..Default::default()
                }
            }
        };
        let token_label = match &req.credential {
            Credential::Token { entry, .. } => Some(entry.token_label.clone()),
            _ => None,
        };
        let entry = kyso_journal::Entry {
            role: req.look.role.map(|r| role_name(r).to_owned()),
            token_label,
            precheck: Some(code.to_owned()),
            ..base
        };
        problems.extend(crate::record(&req.data_dir, &entry.failed(code)));
    }
    problems
}

/// How long the timestamp server is given to answer the probe.
const TSA_PROBE: Duration = Duration::from_secs(10);

/// The signer's certificate and the other certificates of its token,
/// without any PIN: a certificate searched for is found on the tokens
/// ([`crate::find_certificate`]), a PKCS#12 file is not opened.
fn signer_certificate(
    credential: &Credential,
    role: Option<Role>,
) -> Result<Option<(Certificate, Vec<Certificate>)>, Error> {
    let on_token = |entry: &kyso_token::CertEntry| {
        let cert = entry.certificate().map_err(|e| Error::UnsupportedKey(e.to_string()))?;
        // The issuing CA travels on the token too (public objects). A
        // listing that met an error (the token busy with another program's
        // session) is tried once more before the issuer is given up.
        let modules = kyso_token::candidate_modules(std::slice::from_ref(&entry.module), &[]);
        let mut listing = kyso_token::list_all_certificates(&modules, Some(&entry.token_serial));
        if listing.last_error.is_some() {
            std::thread::sleep(Duration::from_millis(200));
            listing = kyso_token::list_all_certificates(&modules, Some(&entry.token_serial));
        }
        let chain = listing
            .certificates
            .iter()
            .filter(|(c, _)| c.der != entry.der)
            .filter_map(|(c, _)| c.certificate().ok())
            .collect();
        Ok(Some((cert, chain)))
    };
    match credential {
        Credential::Token { entry, .. } => on_token(entry),
        Credential::Search { modules, token, certificate, .. } => {
            let (entry, _) = crate::find_certificate_for(modules, token.as_deref(), certificate.as_deref(), role)?;
            on_token(&entry)
        }
        Credential::Signer(s) => Ok(Some((s.certificate().clone(), s.chain().to_vec()))),
        Credential::Pkcs12 { .. } => Ok(None),
    }
}

/// The kind of a certificate listed on a token ([`crate::list_certificates`]),
/// for a front end that shows it or offers the roles it fits
/// ([`role_needs`]); `Unknown` when its DER cannot be read.
pub fn certificate_kind(entry: &kyso_token::CertEntry) -> Classification {
    match entry.certificate() {
        Ok(cert) => classify(&cert),
        Err(_) => Classification { kind: CertKind::Unknown, signals: Vec::new() },
    }
}

/// The role's fit with the certificate `cert`: `Ok(None)` when it fits or
/// no role is asked; `Ok(Some(note))` when signing goes on with a note for
/// the journal (the kind is unknown, or the mismatch was allowed);
/// otherwise the refusal.
pub(crate) fn role_fit(req: &SignRequest, cert: &Certificate) -> Result<Option<String>, Error> {
    let Some(role) = req.look.role else { return Ok(None) };
    let needed = role_needs(role);
    match classify(cert).kind {
        k if k == needed => Ok(None),
        CertKind::Unknown => Ok(Some(format!("certificate_kind_unknown(role={})", role_name(role)))),
        found if req.allow_role_mismatch => Ok(Some(format!(
            "role_mismatch_allowed(role={}, needed={}, certificate={})",
            role_name(role),
            needed.name(),
            found.name()
        ))),
        found => Err(Error::RoleMismatch { role, needed, found }),
    }
}

/// What the PDF signing would refuse after the PIN, told before it: an
/// encrypted document (ISO 32000-2 §7.6; Kyso does not decrypt), or one
/// certified with no changes allowed (§12.8.2.2, DocMDP P=1). A file that
/// cannot be read is left to the signing's own report.
fn pdf_refusal(input: &Path) -> Option<Error> {
    if Format::detect(input) != Format::Pdf {
        return None;
    }
    let reader = kyso_pdf::PdfReader::open(input).ok()?;
    if reader.trailer().get("Encrypt").is_some() {
        return Some(Error::Pdf(kyso_pdf::SignError::Encrypted));
    }
    let end = std::fs::metadata(input).ok()?.len();
    match kyso_pdf::diff::certification_at(input, end) {
        Some((_, 1)) => Some(Error::Pdf(kyso_pdf::SignError::DocMdpForbids)),
        _ => None,
    }
}

/// Whether a file can be created in `dir`.
fn writable(dir: &Path) -> Result<(), String> {
    tempfile::Builder::new().prefix(".kyso-probe-").tempfile_in(dir).map(drop).map_err(|e| e.to_string())
}

/// Probes the timestamp server with a real RFC 3161 request (§2.4.1)
/// over a digest of nothing: the same exchange the signing makes.
fn probe_tsa(url: String, timeout: Duration, proxy: Option<&str>) -> Option<Finding> {
    let route = kyso_pki::http::Route { timeout: TSA_PROBE.min(timeout), proxy };
    let digest = kyso_pki::HashAlg::Sha256.digest(b"");
    match kyso_pki::tsp::request_timestamp_via(&url, &digest, &route) {
        Ok(_) => None,
        Err(kyso_pki::tsp::TspError::Http(e)) if e.kind == kyso_pki::http::HttpErrorKind::Timeout => {
            Some(Finding::TsaSlow { url, waited: route.timeout.as_secs() })
        }
        Err(e) => Some(Finding::TsaUnreachable { url, detail: e.to_string() }),
    }
}

/// Checks everything that can stop `req` before the PIN is asked for (see
/// the module documentation). The network is used for the revocation
/// check (OCSP, CRL; answers are cached for the signing) and the timestamp
/// probe, both at once (revocation only from the cache and the given CRLs
/// when the request is offline).
pub fn precheck(req: &SignRequest) -> Prechecked {
    let mut out = Prechecked::default();
    let now = std::time::SystemTime::now();
    // The files: output, format, role settings, placement.
    let images_missing = match req.look.role {
        Some(role @ Role::Approver) if req.look.image.is_none() => Some((role, RequiredImage::Signature)),
        Some(role @ Role::Issuer) if req.look.seal.is_none() => Some((role, RequiredImage::Seal)),
        _ => None,
    };
    let any_pdf = req.files.iter().any(|t| Format::detect(&t.input) == Format::Pdf);
    if let (Some((role, image)), true) = (images_missing, any_pdf) {
        out.findings.push(Finding::ImageRequired { role, image });
    }
    for (file, target) in req.files.iter().enumerate() {
        let choice = choose_output(req, target);
        let dir = match &choice {
            OutputChoice::Memory => None,
            OutputChoice::New(p)
            | OutputChoice::Replace(p)
            | OutputChoice::InPlace(p)
            | OutputChoice::Numbered { path: p, .. }
            | OutputChoice::Exists { path: p, .. } => {
                Some(p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_owned())
            }
        };
        match choice {
            OutputChoice::Replace(path) => out.findings.push(Finding::OutputReplaced { file, path }),
            OutputChoice::InPlace(path) => out.findings.push(Finding::SignedInPlace { file, path }),
            OutputChoice::Numbered { taken, path } => out.findings.push(Finding::OutputNumbered { file, taken, path }),
            OutputChoice::Exists { path, numbered } => {
                out.findings.push(Finding::OutputExists { file, path, numbered })
            }
            OutputChoice::Memory | OutputChoice::New(_) => {}
        }
        if let Some(dir) = dir
            && let Err(detail) = writable(&dir)
        {
            out.findings.push(Finding::OutputNotWritable { file, dir, detail });
        }
        match crate::sign::prepare_only(req, target) {
            Ok(()) => out.findings.extend(pdf_refusal(&target.input).map(|error| Finding::File { file, error })),
            // Reported above.
            Err(Error::OutputExists(_)) => {}
            Err(Error::Placement(kyso_pdf::presets::PresetError::Missing("--image" | "--seal")))
                if images_missing.is_some() => {}
            Err(Error::NotForOffice(what)) => out.findings.push(Finding::NotForOffice { file, what }),
            Err(Error::LevelNotForOffice(level)) => out.findings.push(Finding::LevelNotForOffice { file, level }),
            Err(error) => out.findings.push(Finding::File { file, error }),
        }
    }
    // The certificate: kind for the role, validity and revocation; and
    // the timestamp server, probed meanwhile.
    let signer = signer_certificate(&req.credential, req.look.role);
    // `offline` is about revocation: a timestamped level needs its server.
    let probe = req.level.timestamped();
    let (signer, tsa) = std::thread::scope(|s| {
        let (url, timeout, proxy) = (req.tsa.url.clone(), req.tsa.timeout, req.proxy.as_deref());
        let tsa = probe.then(|| s.spawn(move || probe_tsa(url, timeout, proxy)));
        let checked = match signer {
            Ok(Some((cert, chain))) => {
                let (check, _, _) = crate::sign::revocation_check(req, &cert, &chain);
                Ok(Some((cert, check)))
            }
            Ok(None) => Ok(None),
            Err(e) => Err(e),
        };
        (checked, tsa.and_then(|h| h.join().ok().flatten()))
    });
    match signer {
        Err(e) => out.findings.push(Finding::Credential(e)),
        Ok(None) => {}
        Ok(Some((cert, check))) => {
            let info = CertInfo::from_certificate(&cert, now);
            let kind = classify(&cert);
            if let Some(role) = req.look.role {
                let needed = role_needs(role);
                let subject = info.subject.clone();
                match kind.kind {
                    k if k == needed => {}
                    CertKind::Unknown => out.findings.push(Finding::CertificateKindUnknown { role, subject }),
                    found => out.findings.push(Finding::RoleMismatch {
                        role,
                        needed,
                        found,
                        subject,
                        allowed: req.allow_role_mismatch,
                    }),
                }
            }
            match check.result {
                PrecheckResult::Good => {
                    out.findings.push(Finding::RevocationChecked { evidence: check.evidence.join("; ") })
                }
                PrecheckResult::Revoked(t) => out.findings.push(Finding::CertificateRevoked(t)),
                PrecheckResult::Unusable(w) => out.findings.push(Finding::CertificateUnusable(w)),
                PrecheckResult::Unchecked(detail) => {
                    out.findings.push(Finding::RevocationUnchecked { detail, confirmed: req.precheck.allow_unchecked })
                }
            }
            out.certificate = Some(info);
            out.kind = Some(kind);
        }
    }
    out.findings.extend(tsa);
    // Who signs comes first: a signer that cannot be found or whose kind
    // does not fit the role is the first thing to say (the rest in the
    // order checked).
    out.findings.sort_by_key(|f| {
        !matches!(f, Finding::Credential(_) | Finding::RoleMismatch { .. } | Finding::CertificateKindUnknown { .. })
    });
    out
}
