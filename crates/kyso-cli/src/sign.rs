//! `kyso-cli sign`: PAdES signatures for PDF and ECMA-376 package signatures
//! for DOCX/XLSX/PPTX, through a token (one login for a whole batch) or a
//! PKCS#12 file. The signing itself is kyso-core's ([`kyso_core::sign_batch`]):
//! this module turns the flags into a request and renders what comes back.

use std::io::BufRead;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use clap::Args;
use kyso_core::{
    AlgorithmChoice, CertKind, Credential, Destination, Error, Finding, JournalProblem, Level, Look, OnExists, Output,
    PdfFields, PdfOnly, PrecheckInputs, Progress, RequiredImage, Role, Severity, SignRequest, Target, Tsa,
};
use kyso_i18n::{Localize as _, Translator};
use kyso_pdf::SignError;
use kyso_pki::{DigestAlgorithm, P12Error, SignatureAlgorithm, SignerError};
use kyso_token::{Pin, TokenError};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::output::{print_json, token_error_text};
use crate::{ModuleArgs, exit};

/// Options of `kyso-cli sign`.
#[derive(Args, Debug)]
pub struct SignArgs {
    /// Files to sign: PDF, DOCX, XLSX, PPTX.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Output file (one input only). Default: NAME.signed.EXT beside the input.
    #[arg(short, long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    modules: ModuleArgs,
    /// Token label or serial.
    #[arg(long, value_name = "LABEL_OR_SERIAL")]
    token: Option<String>,
    /// Certificate: serial (hex), CKA_ID (hex) or part of the subject's common name.
    #[arg(long)]
    cert: Option<String>,
    /// Sign with a PKCS#12 (.p12/.pfx) file instead of a token.
    #[arg(long, value_name = "FILE")]
    p12: Option<PathBuf>,
    /// Read the token PIN (or the PKCS#12 password) from the first line of
    /// standard input. It is never logged or stored.
    #[arg(long)]
    pin_stdin: bool,
    /// Signature field name (a new field, or an existing empty one).
    #[arg(long)]
    field: Option<String>,
    /// Page (1-based) for the signature's widget (default: 1, or the last
    /// page for the approver and issuer presets).
    #[arg(long)]
    page: Option<usize>,
    /// Visible signature preset (NĐ 30/2020 Phụ lục I): approver (signature
    /// image), issuer (organisation seal, number, date), appendix, copy.
    #[arg(long, value_parser = ["approver", "issuer", "appendix", "copy"])]
    role: Option<String>,
    /// Rectangle x1,y1,x2,y2 in points for the widget.
    #[arg(long, value_parser = parse_rect)]
    rect: Option<[f64; 4]>,
    /// Place the signature by this text on the page (the name, or a title
    /// line like "KT. CHỦ TỊCH"); default: the detected signature block.
    #[arg(long)]
    anchor: Option<String>,
    /// Handwritten-signature image (blue PNG, transparent background), approver.
    #[arg(long, value_name = "PNG")]
    image: Option<PathBuf>,
    /// Organisation seal image (red PNG, transparent background), issuer.
    #[arg(long, value_name = "PNG")]
    seal: Option<PathBuf>,
    /// The seal's real diameter in millimetres.
    #[arg(long, default_value_t = 36.0)]
    seal_mm: f64,
    /// Number and symbol ("Số: 123/QĐ-UBND"): written by the issuer, shown by appendix.
    #[arg(long)]
    number: Option<String>,
    /// Where the issuer writes the number on page 1 (x1,y1,x2,y2).
    #[arg(long, value_parser = parse_rect)]
    number_rect: Option<[f64; 4]>,
    /// Issue date line ("Bắc Ninh, ngày 22 tháng 11 năm 2026"), issuer.
    #[arg(long)]
    date: Option<String>,
    /// Where the issuer writes the date on page 1 (x1,y1,x2,y2).
    #[arg(long, value_parser = parse_rect)]
    date_rect: Option<[f64; 4]>,
    /// Copy form ("SAO Y", default "Bản sao điện tử"), copy.
    #[arg(long)]
    copy_form: Option<String>,
    /// The copying organisation, copy.
    #[arg(long)]
    org: Option<String>,
    /// Reason.
    #[arg(long)]
    reason: Option<String>,
    /// Location.
    #[arg(long)]
    location: Option<String>,
    /// Contact information.
    #[arg(long)]
    contact: Option<String>,
    /// Certify the document (first signature only): 1 no changes, 2 form
    /// filling and signing, 3 also annotations.
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=3))]
    certify: Option<u8>,
    /// Digest: sha256 (default), sha384, sha512.
    #[arg(long, value_parser = parse_digest)]
    digest: Option<DigestAlgorithm>,
    /// Use RSASSA-PSS instead of PKCS#1 v1.5 (RSA keys).
    #[arg(long)]
    pss: bool,
    /// PAdES level: B-B (default), B-T (signature timestamp), B-LT (plus a
    /// DSS with the chain and the CRLs of the pre-signing check), B-LTA (plus
    /// a document timestamp).
    #[arg(long, default_value = "B-B", value_parser = ["B-B", "B-T", "B-LT", "B-LTA"])]
    level: String,
    /// Timestamp server (RFC 3161) for B-T.
    #[arg(long, default_value = kyso_pki::tsp::VGCA_TSA)]
    tsa: String,
    /// Seconds to wait for the timestamp server (the VGCA TSA is slow).
    #[arg(long, default_value_t = 180)]
    tsa_timeout: u64,
    /// CRLs for the pre-signing revocation check (PEM or DER; repeatable).
    #[arg(long, value_name = "FILE")]
    crl: Vec<PathBuf>,
    /// Issuer certificates for the pre-signing check when the token has none.
    #[arg(long, value_name = "PEM")]
    certs: Vec<PathBuf>,
    /// Never use the network (no CRL download).
    #[arg(long)]
    offline: bool,
    /// HTTP proxy for the TSA, OCSP and CRL servers
    /// (`http://[user:password@]host:port`); without it `HTTPS_PROXY`,
    /// `HTTP_PROXY` and `NO_PROXY` apply.
    #[arg(long, value_name = "URL")]
    proxy: Option<String>,
    /// Sign even when the certificate's revocation could not be checked
    /// (Thông tư 15/2025 asks for this explicit confirmation).
    #[arg(long)]
    allow_unchecked: bool,
    /// Overwrite existing output files (the same as `--on-exists overwrite`).
    #[arg(long)]
    force: bool,
    /// When the output file exists: `fail` (default: nothing is signed,
    /// exit 5), `overwrite`, or `number` (`NAME.signed (2).pdf`, the first
    /// free number). A signed copy signed again (`NAME.signed.pdf`) is
    /// always replaced by its signed version.
    #[arg(long, value_name = "POLICY", value_parser = ["fail", "overwrite", "number"])]
    on_exists: Option<String>,
    /// Sign even when the certificate's kind does not fit the role (issuer,
    /// appendix and copy need an organisation certificate, approver a
    /// personal one). The override is journaled.
    #[arg(long)]
    allow_role_mismatch: bool,
}

fn parse_rect(s: &str) -> Result<[f64; 4], String> {
    let v: Vec<f64> =
        s.split(',').map(|p| p.trim().parse::<f64>()).collect::<Result<_, _>>().map_err(|e| e.to_string())?;
    match v.as_slice() {
        [a, b, c, d] => Ok([*a, *b, *c, *d]),
        _ => Err("expected x1,y1,x2,y2".into()),
    }
}

fn parse_digest(s: &str) -> Result<DigestAlgorithm, String> {
    DigestAlgorithm::from_name(s).ok_or_else(|| format!("unknown digest {s:?} (sha256, sha384, sha512)"))
}

#[derive(Serialize)]
struct FileResult {
    input: PathBuf,
    output: Option<PathBuf>,
    ok: bool,
    field: Option<String>,
    byte_range: Option<[u64; 4]>,
    /// The issuer's number and date: what was written where.
    written: Vec<WrittenJson>,
    error: Option<ErrorOut>,
}

/// A text written by the issuer preset (number, day, month, year, date).
#[derive(Serialize, Clone)]
struct WrittenJson {
    what: &'static str,
    page: usize,
    rect: [f64; 4],
    text: String,
    size: f64,
}

#[derive(Serialize, Clone)]
struct ErrorOut {
    code: &'static str,
    message: String,
}

#[derive(Serialize)]
struct SignJson {
    signer: Option<SignerJson>,
    files: Vec<FileResult>,
    findings: Vec<FindingJson>,
    error: Option<ErrorOut>,
}

/// One finding of the check before the PIN (docs/cli.md).
#[derive(Serialize, Clone)]
struct FindingJson {
    code: &'static str,
    severity: &'static str,
    file: Option<PathBuf>,
    message: String,
    details: serde_json::Value,
}

#[derive(Serialize)]
struct SignerJson {
    subject: String,
    issuer: String,
    serial: String,
    algorithm: SignatureAlgorithm,
}

/// A failure before any file is signed.
struct Fatal {
    exit: u8,
    error: ErrorOut,
}

fn fatal(exit: u8, code: &'static str, message: String) -> Fatal {
    Fatal { exit, error: ErrorOut { code, message } }
}

fn read_secret() -> Result<Zeroizing<String>, std::io::Error> {
    let mut line = Zeroizing::new(String::new());
    std::io::stdin().lock().read_line(&mut line)?;
    let trimmed = line.trim_end_matches(['\r', '\n']).len();
    line.truncate(trimmed);
    Ok(line)
}

/// The flag of a PDF-only setting.
fn flag(what: PdfOnly) -> &'static str {
    match what {
        PdfOnly::Role => "--role",
        PdfOnly::Rect => "--rect",
        PdfOnly::Anchor => "--anchor",
        PdfOnly::Image => "--image",
        PdfOnly::Seal => "--seal",
        PdfOnly::Number => "--number",
        PdfOnly::Date => "--date",
        PdfOnly::CopyForm => "--copy-form",
        PdfOnly::Organization => "--org",
        PdfOnly::Field => "--field",
        PdfOnly::Page => "--page",
        PdfOnly::Certify => "--certify",
        PdfOnly::Location => "--location",
        PdfOnly::Contact => "--contact",
        PdfOnly::Pss => "--pss",
    }
}

fn ooxml_error(t: &Translator, e: &kyso_ooxml::OoxmlError) -> (u8, String) {
    use kyso_ooxml::OoxmlError as E;
    match e {
        E::OutputExists(p) => (exit::IO, t.tr_args("err-output-exists", &[("path", p)])),
        E::Io(io) => (exit::IO, t.tr_args("err-io", &[("path", "OOXML"), ("detail", &io.to_string())])),
        E::Timestamp(d) => (exit::IO, t.tr_args("err-timestamp", &[("detail", d)])),
        E::Signer(SignerError::TokenRemoved) => (exit::TOKEN, t.tr("err-token-removed")),
        E::Signer(other) => (exit::TOKEN, t.tr_args("err-signer", &[("detail", &other.to_string())])),
        E::UnsupportedAlgorithm(d) => (exit::REFUSED, t.tr_args("err-ooxml-algorithm", &[("detail", d)])),
        other => (exit::REFUSED, t.tr_args("err-ooxml-malformed", &[("detail", &other.to_string())])),
    }
}

fn sign_error(t: &Translator, e: &SignError) -> (u8, String) {
    match e {
        SignError::OutputExists(p) => (exit::IO, t.tr_args("err-output-exists", &[("path", &p.display().to_string())])),
        SignError::SameFile => (exit::USAGE, t.tr("err-same-file")),
        SignError::Io { path, source } => {
            (exit::IO, t.tr_args("err-io", &[("path", &path.display().to_string()), ("detail", &source.to_string())]))
        }
        SignError::Pdf(kyso_pdf::PdfError::Io(io)) => {
            (exit::IO, t.tr_args("err-io", &[("path", "PDF"), ("detail", &io.to_string())]))
        }
        SignError::Pdf(kyso_pdf::PdfError::Encrypted) | SignError::Encrypted => {
            (exit::REFUSED, t.tr("err-pdf-encrypted"))
        }
        SignError::Pdf(other) => (exit::REFUSED, t.tr_args("err-pdf-malformed", &[("detail", &other.to_string())])),
        SignError::DocMdpForbids => (exit::REFUSED, t.tr("err-docmdp-forbids")),
        SignError::CertifyNotFirst => (exit::REFUSED, t.tr("err-certify-not-first")),
        SignError::FieldNotEmpty(f) => (exit::REFUSED, t.tr_args("err-field-not-empty", &[("field", f)])),
        SignError::FieldTakesNoWidgets(f) => (exit::REFUSED, t.tr_args("err-field-takes-no-widgets", &[("field", f)])),
        SignError::NoSuchPage { page, count } => {
            (exit::USAGE, t.tr_args("err-no-such-page", &[("page", &page.to_string()), ("count", &count.to_string())]))
        }
        SignError::Timestamp(e) => (exit::IO, t.tr_args("err-timestamp", &[("detail", &e.to_string())])),
        SignError::Signer(SignerError::TokenRemoved) => (exit::TOKEN, t.tr("err-token-removed")),
        SignError::NoRevocationData => (exit::REFUSED, t.tr("err-no-revocation-data")),
        SignError::Signer(other) => (exit::TOKEN, t.tr_args("err-signer", &[("detail", &other.to_string())])),
        _ => (exit::REFUSED, t.tr_args("err-signer", &[("detail", &e.to_string())])),
    }
}

fn warning_text(t: &Translator, w: kyso_pki::CertWarning) -> String {
    kyso_i18n::Localize::localize(&w, t)
}

/// The exit code, JSON code and translated message of a core error
/// (docs/cli.md).
fn render(t: &Translator, args: &SignArgs, e: &Error) -> (u8, ErrorOut) {
    use kyso_pdf::presets::PresetError as P;
    let io = |path: &std::path::Path, detail: &dyn std::fmt::Display| {
        t.tr_args("err-io", &[("path", &path.display().to_string()), ("detail", &detail.to_string())])
    };
    let (exit, message) = match e {
        Error::Io { path, source } => (exit::IO, io(path, source)),
        // A look that cannot be drawn refuses the file.
        Error::Image { path, source } => (exit::REFUSED, io(path, source)),
        Error::Token(te) => {
            let exit = if matches!(te, TokenError::TokenNotFound(_)) { exit::NOT_FOUND } else { exit::TOKEN };
            (exit, token_error_text(t, te))
        }
        Error::NoToken => (exit::NOT_FOUND, t.tr("tokens-none")),
        Error::CertificateNotFound => (exit::NOT_FOUND, t.tr("err-cert-not-found")),
        Error::CertificateAmbiguous(list) => {
            (exit::USAGE, t.tr_args("err-cert-ambiguous", &[("list", &list.join("; "))]))
        }
        Error::CertificateRefused(w) | Error::Unusable(w) => (exit::REFUSED, warning_text(t, *w)),
        Error::UnsupportedKey(d) => (exit::REFUSED, t.tr_args("err-unsupported-key", &[("detail", d)])),
        Error::PasswordRequired => (exit::USAGE, t.tr("err-password-required")),
        Error::Pkcs12(P12Error::WrongPassword) => (exit::TOKEN, t.tr("err-p12-password")),
        Error::Pkcs12(P12Error::Io(source)) => {
            (exit::IO, io(args.p12.as_deref().unwrap_or(std::path::Path::new("PKCS#12")), source))
        }
        Error::Pkcs12(other) => (exit::REFUSED, t.tr_args("err-p12-invalid", &[("detail", &other.to_string())])),
        Error::Revoked(_) => (exit::REFUSED, t.tr("err-cert-revoked")),
        Error::RevocationUnchecked(why) => (
            exit::REFUSED,
            t.tr_args("err-revocation-unchecked", &[("detail", &kyso_i18n::Localize::localize(why, t))]),
        ),
        Error::Unreadable(pe) => (exit::REFUSED, t.tr_args("err-pdf-malformed", &[("detail", &pe.to_string())])),
        Error::Placement(p) => (
            exit::REFUSED,
            match p {
                P::Appearance(a) => t.tr_args("err-image", &[("detail", &a.to_string())]),
                P::Missing(opt) => t.tr_args("err-preset-missing", &[("option", opt)]),
                P::RectOffPage => t.tr("err-rect-off-page"),
                P::AnchorNotFound(a) => t.tr_args("err-anchor-not-found", &[("text", a)]),
                P::BlankNotFound("number") => t.tr("err-blank-number"),
                P::BlankNotFound(_) => t.tr("err-blank-date"),
                P::SymbolMismatch { given, printed } => {
                    t.tr_args("err-number-symbol", &[("given", given), ("printed", printed)])
                }
                P::BadDate(d) => t.tr_args("err-bad-date", &[("date", d)]),
                P::YearMismatch { given, printed } => {
                    t.tr_args("err-date-year", &[("given", &given.to_string()), ("printed", &printed.to_string())])
                }
                P::NoSuchPage { page, count } => {
                    t.tr_args("err-no-such-page", &[("page", &page.to_string()), ("count", &count.to_string())])
                }
                other => t.tr_args("err-pdf-malformed", &[("detail", &other.to_string())]),
            },
        ),
        Error::NotForOffice(what) => (exit::REFUSED, t.tr_args("err-ooxml-option", &[("option", flag(*what))])),
        Error::LevelNotForOffice(l) => (exit::REFUSED, t.tr_args("err-ooxml-level", &[("level", l.name())])),
        Error::SameFile => (exit::USAGE, t.tr("err-same-file")),
        Error::OutputExists(p) => (exit::IO, t.tr_args("err-output-exists", &[("path", &p.display().to_string())])),
        Error::Pdf(se) | Error::LongTerm(se) => sign_error(t, se),
        Error::Office(oe) => ooxml_error(t, oe),
        other => (exit::REFUSED, t.tr_args("err-signer", &[("detail", &other.to_string())])),
    };
    (exit, ErrorOut { code: e.code(), message })
}

/// Reads the files of the pre-signing check (`--crl`, `--certs`).
fn precheck_inputs(t: &Translator, args: &SignArgs) -> Result<PrecheckInputs, Fatal> {
    let mut out = PrecheckInputs { offline: args.offline, allow_unchecked: args.allow_unchecked, ..Default::default() };
    for p in &args.crl {
        match std::fs::read(p).ok().and_then(|b| kyso_pki::load_crl(&b)) {
            Some(c) => out.crls.push(c),
            None => {
                return Err(fatal(
                    exit::USAGE,
                    "usage",
                    t.tr_args("err-usage", &[("detail", &format!("--crl {}", p.display()))]),
                ));
            }
        }
    }
    for p in &args.certs {
        let bytes = std::fs::read(p).map_err(|e| {
            fatal(
                exit::IO,
                "io",
                t.tr_args("err-io", &[("path", &p.display().to_string()), ("detail", &e.to_string())]),
            )
        })?;
        out.certs.extend(kyso_pki::load_certificates(&bytes).into_iter().map(|c| c.cert));
    }
    Ok(out)
}

/// The request the flags describe.
/// The PIN (or password) is not in it yet: it is read after the check
/// before the PIN ([`before_pin`]).
fn request(t: &Translator, args: &SignArgs) -> Result<SignRequest, Fatal> {
    let credential = match &args.p12 {
        Some(path) => Credential::Pkcs12 { path: path.clone(), password: None },
        None => Credential::Search {
            modules: args.modules.modules.clone(),
            token: args.token.clone(),
            certificate: args.cert.clone(),
            pin: None,
        },
    };
    let files = args
        .files
        .iter()
        .map(|input| Target {
            input: input.clone(),
            output: args.output.clone().map_or(Destination::Beside, Destination::File),
        })
        .collect();
    let mut req = SignRequest::new(files, credential, kyso_core::data_dir());
    req.algorithm = Some(AlgorithmChoice { digest: args.digest, pss: args.pss });
    req.level = Level::parse(&args.level).unwrap_or_default();
    req.tsa = Tsa { url: args.tsa.clone(), timeout: std::time::Duration::from_secs(args.tsa_timeout) };
    req.proxy = args.proxy.clone();
    req.look = Look {
        role: args.role.as_deref().map(|r| Role::parse(r).unwrap_or(Role::Approver)),
        rect: args.rect,
        anchor: args.anchor.clone(),
        image: args.image.clone(),
        seal: args.seal.clone(),
        seal_mm: args.seal_mm,
        number: args.number.clone(),
        number_rect: args.number_rect,
        date: args.date.clone(),
        date_rect: args.date_rect,
        copy_form: args.copy_form.clone(),
        organization: args.org.clone(),
    };
    req.pdf = PdfFields {
        field: args.field.clone(),
        page: args.page,
        certify: args.certify,
        location: args.location.clone(),
        contact: args.contact.clone(),
    };
    req.reason = args.reason.clone();
    req.on_exists = match (args.force, args.on_exists.as_deref()) {
        (true, _) | (_, Some("overwrite")) => OnExists::Overwrite,
        (_, Some("number")) => OnExists::Number,
        // `fail`: a command line cannot ask.
        _ => OnExists::Ask,
    };
    req.allow_role_mismatch = args.allow_role_mismatch;
    req.precheck = precheck_inputs(t, args)?;
    Ok(req)
}

/// A role's name in messages.
fn role_text(t: &Translator, role: Role) -> String {
    t.tr(kyso_i18n::role_key(role))
}

/// The exit code and translated message of a finding of the check before
/// the PIN (docs/cli.md).
fn finding_text(t: &Translator, args: &SignArgs, f: &Finding) -> (u8, String) {
    let path = |p: &std::path::Path| p.display().to_string();
    match f {
        Finding::OutputExists { path: p, numbered, .. } => (
            exit::IO,
            format!(
                "{} {}",
                t.tr_args("precheck-output-exists", &[("path", &path(p))]),
                t.tr_args("precheck-hint-output-exists", &[("numbered", &path(numbered))])
            ),
        ),
        Finding::OutputReplaced { path: p, .. } => {
            (exit::OK, t.tr_args("precheck-output-replaced", &[("path", &path(p))]))
        }
        Finding::OutputNumbered { taken, path: p, .. } => {
            (exit::OK, t.tr_args("precheck-output-numbered", &[("taken", &path(taken)), ("path", &path(p))]))
        }
        Finding::SignedInPlace { path: p, .. } => {
            (exit::OK, t.tr_args("precheck-signed-in-place", &[("path", &path(p))]))
        }
        Finding::OutputNotWritable { dir, detail, .. } => {
            (exit::IO, t.tr_args("precheck-output-not-writable", &[("dir", &path(dir)), ("detail", detail)]))
        }
        Finding::RoleMismatch { role, needed, subject, allowed, .. } => {
            let key = match (needed, allowed) {
                (CertKind::Personal, false) => "precheck-role-needs-personal",
                (_, false) => "precheck-role-needs-organization",
                (_, true) => "precheck-role-mismatch-allowed",
            };
            (exit::REFUSED, t.tr_args(key, &[("role", &role_text(t, *role)), ("subject", subject)]))
        }
        Finding::CertificateKindUnknown { role, subject } => {
            (exit::OK, t.tr_args("precheck-kind-unknown", &[("role", &role_text(t, *role)), ("subject", subject)]))
        }
        Finding::CertificateUnusable(w) => (exit::REFUSED, warning_text(t, *w)),
        Finding::CertificateRevoked(_) => (exit::REFUSED, t.tr("err-cert-revoked")),
        Finding::RevocationChecked { evidence } => (exit::OK, evidence.clone()),
        Finding::RevocationUnchecked { detail, confirmed: false } => {
            (exit::REFUSED, t.tr_args("err-revocation-unchecked", &[("detail", &detail.localize(t))]))
        }
        Finding::RevocationUnchecked { detail, .. } => {
            (exit::OK, t.tr_args("warn-revocation-unchecked-signing", &[("detail", &detail.localize(t))]))
        }
        Finding::TsaUnreachable { url, detail } => {
            (exit::IO, t.tr_args("precheck-tsa-unreachable", &[("url", url), ("detail", detail)]))
        }
        Finding::TsaSlow { url, waited } => {
            (exit::OK, t.tr_args("precheck-tsa-slow", &[("url", url), ("seconds", &waited.to_string())]))
        }
        Finding::ImageRequired { image: RequiredImage::Signature, .. } => {
            (exit::REFUSED, format!("{} (--image)", t.tr("precheck-image-signature")))
        }
        Finding::ImageRequired { .. } => (exit::REFUSED, format!("{} (--seal)", t.tr("precheck-image-seal"))),
        Finding::NotForOffice { what, .. } => {
            (exit::REFUSED, t.tr_args("err-ooxml-option", &[("option", flag(*what))]))
        }
        Finding::LevelNotForOffice { level, .. } => {
            (exit::REFUSED, t.tr_args("err-ooxml-level", &[("level", level.name())]))
        }
        Finding::Credential(e) | Finding::File { error: e, .. } => {
            let (code, out) = render(t, args, e);
            (code, out.message)
        }
        other => (exit::REFUSED, format!("{other:?}")),
    }
}

/// The check before the PIN (kyso-core's [`kyso_core::precheck`]): the
/// certificate is found on the tokens without the PIN, everything that can
/// stop the signing is checked, and only then is the PIN (or the PKCS#12
/// password) read and put in the request. Anything that blocks or needs a
/// confirmation the flags did not give stops here, nothing signed: the exit
/// code and the findings are returned.
fn before_pin(t: &Translator, args: &SignArgs, req: &mut SignRequest, json: bool) -> Result<Vec<FindingJson>, u8> {
    // The certificate, found without the PIN. When it cannot be found the
    // signing reports (and journals) why, as it always did.
    let mut check = true;
    if let Credential::Search { modules, token, certificate, .. } = &req.credential {
        let role = req.look.role;
        match kyso_core::find_certificate_for(modules, token.as_deref(), certificate.as_deref(), role) {
            Ok((entry, _)) => req.credential = Credential::Token { entry: Box::new(entry), pin: None },
            Err(_) => check = false,
        }
    }
    let mut out = Vec::new();
    if check {
        let pre = kyso_core::precheck(req);
        let mut stop: Option<(u8, ErrorOut)> = None;
        let mut per_file: Vec<Option<ErrorOut>> = vec![None; req.files.len()];
        for f in &pre.findings {
            let (exit_code, message) = finding_text(t, args, f);
            let severity = f.severity();
            let file = f.file().and_then(|i| req.files.get(i)).map(|target| target.input.clone());
            if !json
                && !matches!(
                    f,
                    Finding::RevocationChecked { .. } | Finding::RevocationUnchecked { confirmed: true, .. }
                )
            {
                match (severity, &file) {
                    (Severity::Info, _) => eprintln!("{message}"),
                    (_, Some(p)) => eprintln!("{}: {message}", p.display()),
                    (_, None) => eprintln!("{message}"),
                }
            }
            if severity != Severity::Info {
                let error = ErrorOut { code: f.code(), message: message.clone() };
                match f.file().and_then(|i| per_file.get_mut(i)) {
                    Some(slot) if slot.is_none() => *slot = Some(error.clone()),
                    _ => {}
                }
                if stop.is_none() {
                    stop = Some((exit_code, error));
                }
            }
            out.push(FindingJson { code: f.code(), severity: severity.name(), file, message, details: f.details() });
        }
        if let Some((exit_code, first)) = stop {
            for p in kyso_core::journal_stopped(req, &pre) {
                journal_problem(t, &p);
            }
            if json {
                let files = req
                    .files
                    .iter()
                    .zip(per_file)
                    .filter_map(|(target, e)| {
                        e.map(|error| FileResult {
                            input: target.input.clone(),
                            output: None,
                            ok: false,
                            field: None,
                            byte_range: None,
                            written: Vec::new(),
                            error: Some(error),
                        })
                    })
                    .collect::<Vec<_>>();
                // A refusal about the whole batch is the error; one about
                // files is in their entries.
                let batch_error = pre
                    .findings
                    .iter()
                    .find(|f| f.severity() != Severity::Info && f.file().is_none())
                    .map(|f| ErrorOut { code: f.code(), message: finding_text(t, args, f).1 });
                let error = if files.is_empty() { Some(first) } else { batch_error };
                print_json(&SignJson { signer: None, files, findings: out, error });
            }
            return Err(exit_code);
        }
    }
    // Nothing stops the signing: now the PIN.
    if args.pin_stdin {
        let secret = match read_secret() {
            Ok(s) => s,
            Err(e) => {
                let e = fatal(exit::IO, "io", t.tr_args("err-io", &[("path", "stdin"), ("detail", &e.to_string())]));
                return Err(report_fatal(json, e));
            }
        };
        match &mut req.credential {
            Credential::Pkcs12 { password, .. } => *password = Some(secret),
            Credential::Token { pin, .. } | Credential::Search { pin, .. } => *pin = Some(Pin::new(secret.to_string())),
            Credential::Signer(_) => {}
        }
    } else if let Credential::Token { pin, .. } | Credential::Search { pin, .. } = &mut req.credential {
        // A token with its own PIN pad: an empty PIN, as before.
        *pin = Some(Pin::new(String::new()));
    }
    Ok(out)
}

fn journal_problem(t: &Translator, p: &JournalProblem) {
    match p {
        JournalProblem::Recovered(w) => eprintln!("{}", t.tr_args("journal-recovered", &[("detail", w)])),
        JournalProblem::WriteFailed(d) => eprintln!("{}", t.tr_args("journal-write-failed", &[("detail", d)])),
    }
}

/// `kyso-cli sign`.
pub fn sign(t: &Translator, args: &SignArgs, json: bool) -> u8 {
    if args.output.is_some() && args.files.len() > 1 {
        let e = fatal(exit::USAGE, "usage", t.tr_args("err-usage", &[("detail", "--output with several files")]));
        return report_fatal(json, e);
    }
    let mut req = match request(t, args) {
        Ok(r) => r,
        Err(e) => return report_fatal(json, e),
    };
    let findings = match before_pin(t, args, &mut req, json) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let mut code = exit::OK;
    let mut results = Vec::new();
    let never = AtomicBool::new(false);
    let mut placed: std::collections::HashMap<usize, Vec<WrittenJson>> = std::collections::HashMap::new();
    let batch = kyso_core::sign_batch(
        req,
        &mut |p| match p {
            Progress::Checked { unchecked: Some(why) } => {
                eprintln!("{}", t.tr_args("warn-revocation-unchecked-signing", &[("detail", &why.localize(t))]));
            }
            Progress::Placed { index, description, written } => {
                if !json {
                    println!("{}", t.tr_args("sign-placed", &[("where", description)]));
                }
                let w = written.iter().map(|w| WrittenJson {
                    what: w.what,
                    page: w.page,
                    rect: w.rect.map(|v| (v * 100.0).round() / 100.0),
                    text: w.text.clone(),
                    size: (w.size * 100.0).round() / 100.0,
                });
                placed.insert(index, w.collect::<Vec<_>>());
            }
            Progress::Finished { index, outcome } => match &outcome.result {
                Ok(signed) => {
                    let output = match &signed.output {
                        Output::File(p) => p.clone(),
                        Output::Memory(_) => PathBuf::new(),
                    };
                    if !json {
                        println!(
                            "{}",
                            t.tr_args(
                                "sign-done",
                                &[
                                    ("input", &outcome.input.display().to_string()),
                                    ("output", &output.display().to_string())
                                ]
                            )
                        );
                    }
                    results.push(FileResult {
                        input: outcome.input.clone(),
                        output: Some(output),
                        ok: true,
                        field: signed.field.clone(),
                        byte_range: signed.byte_range,
                        written: placed.remove(&index).unwrap_or_default(),
                        error: None,
                    });
                }
                Err(e) => {
                    let (exit_code, err) = render(t, args, e);
                    // The first failure sets the exit code.
                    if code == exit::OK {
                        code = exit_code;
                    }
                    if !json {
                        eprintln!("{}: {}", outcome.input.display(), err.message);
                    }
                    results.push(FileResult {
                        input: outcome.input.clone(),
                        output: None,
                        ok: false,
                        field: None,
                        byte_range: None,
                        written: Vec::new(),
                        error: Some(err),
                    });
                }
            },
            Progress::Journal(j) => journal_problem(t, j),
            _ => {}
        },
        &never,
    );
    match batch {
        Ok(batch) => {
            if json {
                print_json(&SignJson {
                    signer: Some(SignerJson {
                        subject: batch.signer.subject,
                        issuer: batch.signer.issuer,
                        serial: batch.signer.serial,
                        algorithm: batch.algorithm,
                    }),
                    files: results,
                    findings,
                    error: None,
                });
            }
            code
        }
        Err(e) => {
            let (exit, error) = render(t, args, &e);
            report_fatal(json, Fatal { exit, error })
        }
    }
}

fn report_fatal(json: bool, e: Fatal) -> u8 {
    if json {
        print_json(&SignJson { signer: None, files: Vec::new(), findings: Vec::new(), error: Some(e.error.clone()) });
    } else {
        eprintln!("{}", e.error.message);
    }
    e.exit
}
