//! `kyso-cli sign`: PAdES signatures for PDF and ECMA-376 package signatures
//! for DOCX/XLSX/PPTX, through a token (one login for a whole batch) or a
//! PKCS#12 file.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use clap::Args;
use kyso_i18n::Translator;
use kyso_pdf::{SignError, SignOptions, sign_pdf};
use kyso_pki::{CertInfo, DigestAlgorithm, P12Error, Pkcs12Signer, SignatureAlgorithm, Signer, SignerError};
use kyso_token::{
    CertEntry, Pin, Pkcs11Signer, SignerOptions, TokenError, candidate_modules, list_certificates, load_module,
};
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
    /// Overwrite existing output files.
    #[arg(long)]
    force: bool,
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
    error: Option<ErrorOut>,
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
    error: Option<ErrorOut>,
}

#[derive(Serialize)]
struct SignerJson {
    subject: String,
    issuer: String,
    serial: String,
    algorithm: SignatureAlgorithm,
}

/// Where a signature went: the PDF field and byte range (an Office
/// signature has neither).
type Placed = (Option<String>, Option<[u64; 4]>);

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

fn default_output(input: &Path) -> PathBuf {
    crate::format::signed_name(input)
}

/// PDF-only options given for an Office file: the first one, by its flag.
fn pdf_only_option(args: &SignArgs) -> Option<&'static str> {
    [
        (args.role.is_some(), "--role"),
        (args.rect.is_some(), "--rect"),
        (args.anchor.is_some(), "--anchor"),
        (args.image.is_some(), "--image"),
        (args.seal.is_some(), "--seal"),
        (args.number.is_some(), "--number"),
        (args.date.is_some(), "--date"),
        (args.copy_form.is_some(), "--copy-form"),
        (args.org.is_some(), "--org"),
        (args.field.is_some(), "--field"),
        (args.page.is_some(), "--page"),
        (args.certify.is_some(), "--certify"),
        (args.location.is_some(), "--location"),
        (args.contact.is_some(), "--contact"),
        (args.pss, "--pss"),
    ]
    .into_iter()
    .find_map(|(given, flag)| given.then_some(flag))
}

fn ooxml_error(t: &Translator, e: &kyso_ooxml::OoxmlError) -> (u8, ErrorOut) {
    use kyso_ooxml::OoxmlError as E;
    let (exit, code, msg) = match e {
        E::OutputExists(p) => (exit::IO, "output_exists", t.tr_args("err-output-exists", &[("path", p)])),
        E::Io(io) => (exit::IO, "io", t.tr_args("err-io", &[("path", "OOXML"), ("detail", &io.to_string())])),
        E::Timestamp(d) => (exit::IO, "timestamp_failed", t.tr_args("err-timestamp", &[("detail", d)])),
        E::Signer(SignerError::TokenRemoved) => (exit::TOKEN, "token_removed", t.tr("err-token-removed")),
        E::Signer(other) => (exit::TOKEN, "signer_error", t.tr_args("err-signer", &[("detail", &other.to_string())])),
        E::UnsupportedAlgorithm(d) => {
            (exit::REFUSED, "unsupported_algorithm", t.tr_args("err-ooxml-algorithm", &[("detail", d)]))
        }
        other => {
            (exit::REFUSED, "ooxml_malformed", t.tr_args("err-ooxml-malformed", &[("detail", &other.to_string())]))
        }
    };
    (exit, ErrorOut { code, message: msg })
}

/// Signs one Office file (ECMA-376 Part 2; XAdES-T for `--level B-T`).
fn sign_office(
    t: &Translator,
    args: &SignArgs,
    signer: &dyn Signer,
    input: &Path,
    output: &Path,
    now: i64,
) -> Result<(), (u8, ErrorOut)> {
    let refuse = |code: &'static str, message: String| Err((exit::REFUSED, ErrorOut { code, message }));
    if let Some(flag) = pdf_only_option(args) {
        return refuse("option_not_for_ooxml", t.tr_args("err-ooxml-option", &[("option", flag)]));
    }
    if matches!(args.level.as_str(), "B-LT" | "B-LTA") {
        return refuse("option_not_for_ooxml", t.tr_args("err-ooxml-level", &[("level", &args.level)]));
    }
    if input.canonicalize().ok().is_some_and(|i| output.canonicalize().ok() == Some(i)) {
        return Err((exit::USAGE, ErrorOut { code: "same_file", message: t.tr("err-same-file") }));
    }
    let opts = kyso_ooxml::SignOptions {
        time: Some(std::time::UNIX_EPOCH + std::time::Duration::from_secs(now.max(0) as u64)),
        comment: args.reason.clone(),
        tsa: (args.level == "B-T").then(|| kyso_pki::TsaConfig {
            url: args.tsa.clone(),
            timeout: std::time::Duration::from_secs(args.tsa_timeout),
            proxy: args.proxy.clone(),
        }),
        overwrite: args.force,
    };
    kyso_ooxml::sign_ooxml(input, output, signer, &opts).map(|_| ()).map_err(|e| ooxml_error(t, &e))
}

fn algorithm_for(info: &CertInfo, args: &SignArgs) -> Option<SignatureAlgorithm> {
    let base = info.default_algorithm()?;
    let d = args.digest.unwrap_or(base.digest());
    Some(match base {
        SignatureAlgorithm::RsaPkcs1v15(_) | SignatureAlgorithm::RsaPss(_) if args.pss => SignatureAlgorithm::RsaPss(d),
        SignatureAlgorithm::RsaPkcs1v15(_) | SignatureAlgorithm::RsaPss(_) => SignatureAlgorithm::RsaPkcs1v15(d),
        SignatureAlgorithm::Ecdsa(_) => SignatureAlgorithm::Ecdsa(d),
    })
}

fn token_fatal(t: &Translator, e: &TokenError) -> Fatal {
    let exit = match e {
        TokenError::TokenNotFound(_) => exit::NOT_FOUND,
        _ => exit::TOKEN,
    };
    let code = match e.code() {
        kyso_token::ErrorCode::PinIncorrect => "pin_incorrect",
        kyso_token::ErrorCode::PinLocked => "pin_locked",
        kyso_token::ErrorCode::TokenNotFound => "token_not_found",
        kyso_token::ErrorCode::TokenRemoved => "token_removed",
        kyso_token::ErrorCode::KeyNotFound => "key_not_found",
        _ => "token_error",
    };
    fatal(exit, code, token_error_text(t, e))
}

/// Refuses certificates that cannot sign now (TT 15/2025 Art. 5: check the
/// certificate before signing).
fn check_certificate(t: &Translator, info: &CertInfo) -> Result<(), Fatal> {
    if let Some(w) = info.warnings.first() {
        let code = serde_json::to_value(w).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        return Err(fatal(exit::REFUSED, "certificate_refused", t.tr(&format!("warn-{code}"))));
    }
    Ok(())
}

fn choose(t: &Translator, certs: Vec<CertEntry>, wanted: Option<&str>) -> Result<CertEntry, Fatal> {
    let mut candidates: Vec<CertEntry> = certs.into_iter().filter(|c| c.has_private_key).collect();
    if let Some(w) = wanted {
        let wl = w.to_lowercase();
        candidates.retain(|c| {
            c.certificate.serial.eq_ignore_ascii_case(w)
                || c.id.eq_ignore_ascii_case(w)
                || c.certificate.subject_cn.as_deref().is_some_and(|cn| cn.to_lowercase().contains(&wl))
        });
    } else {
        // Without a choice, only certificates that can sign are candidates.
        candidates.retain(|c| c.certificate.can_sign());
    }
    match candidates.len() {
        0 => Err(fatal(exit::NOT_FOUND, "certificate_not_found", t.tr("err-cert-not-found"))),
        1 => Ok(candidates.remove(0)),
        _ => {
            let list: Vec<String> = candidates
                .iter()
                .map(|c| format!("{} ({})", c.certificate.subject_cn.clone().unwrap_or_default(), c.certificate.serial))
                .collect();
            Err(fatal(
                exit::USAGE,
                "certificate_ambiguous",
                t.tr_args("err-cert-ambiguous", &[("list", &list.join("; "))]),
            ))
        }
    }
}

fn open_signer(t: &Translator, args: &SignArgs) -> Result<Box<dyn Signer>, Fatal> {
    let secret = if args.pin_stdin {
        Some(read_secret().map_err(|e| {
            fatal(exit::IO, "io", t.tr_args("err-io", &[("path", "stdin"), ("detail", &e.to_string())]))
        })?)
    } else {
        None
    };
    if let Some(p12) = &args.p12 {
        let password = secret.ok_or_else(|| fatal(exit::USAGE, "pin_required", t.tr("err-password-required")))?;
        let s = Pkcs12Signer::open(p12, &password).map_err(|e| match e {
            P12Error::WrongPassword => fatal(exit::TOKEN, "wrong_password", t.tr("err-p12-password")),
            P12Error::Io(io) => fatal(
                exit::IO,
                "io",
                t.tr_args("err-io", &[("path", &p12.display().to_string()), ("detail", &io.to_string())]),
            ),
            other => {
                fatal(exit::REFUSED, "p12_invalid", t.tr_args("err-p12-invalid", &[("detail", &other.to_string())]))
            }
        })?;
        let info = CertInfo::from_certificate(s.certificate(), std::time::SystemTime::now());
        check_certificate(t, &info)?;
        let alg = algorithm_for(&info, args).ok_or_else(|| {
            fatal(exit::REFUSED, "unsupported_key", t.tr_args("err-unsupported-key", &[("detail", "")]))
        })?;
        let s = s.with_algorithm(alg).map_err(|e| fatal(exit::REFUSED, "unsupported_key", e.to_string()))?;
        return Ok(Box::new(s));
    }
    let mut all = Vec::new();
    let mut modules = Vec::new();
    let mut last_err = None;
    for c in candidate_modules(&args.modules.modules, &[]) {
        let m = match load_module(&c.path) {
            Ok(m) => m,
            Err(e) => {
                last_err = Some(e);
                continue;
            }
        };
        for (slot, _) in m.find_tokens(args.token.as_deref()).map_err(|e| token_fatal(t, &e))? {
            match list_certificates(&m, slot, None) {
                Ok(list) => all.extend(list),
                Err(e) => last_err = Some(e),
            }
        }
        modules.push(m);
    }
    if all.is_empty() {
        if let Some(tok) = &args.token {
            return Err(token_fatal(t, &TokenError::TokenNotFound(tok.clone())));
        }
        if let Some(e) = last_err {
            return Err(token_fatal(t, &e));
        }
        return Err(fatal(exit::NOT_FOUND, "token_not_found", t.tr("tokens-none")));
    }
    let entry = choose(t, all, args.cert.as_deref())?;
    check_certificate(t, &entry.certificate)?;
    let module = modules
        .into_iter()
        .find(|m| m.path() == entry.module)
        .ok_or_else(|| token_fatal(t, &TokenError::TokenRemoved))?;
    let algorithm = algorithm_for(&entry.certificate, args);
    let pin = Pin::new(secret.map(|s| s.to_string()).unwrap_or_default());
    let signer = Pkcs11Signer::open(&module, &entry, pin, SignerOptions { algorithm, ..Default::default() })
        .map_err(|e| token_fatal(t, &e))?;
    Ok(Box::new(signer))
}

fn sign_error(t: &Translator, e: &SignError) -> (u8, ErrorOut) {
    let (exit, code, msg) = match e {
        SignError::OutputExists(p) => {
            (exit::IO, "output_exists", t.tr_args("err-output-exists", &[("path", &p.display().to_string())]))
        }
        SignError::SameFile => (exit::USAGE, "same_file", t.tr("err-same-file")),
        SignError::Io { path, source } => (
            exit::IO,
            "io",
            t.tr_args("err-io", &[("path", &path.display().to_string()), ("detail", &source.to_string())]),
        ),
        SignError::Pdf(kyso_pdf::PdfError::Io(io)) => {
            (exit::IO, "io", t.tr_args("err-io", &[("path", "PDF"), ("detail", &io.to_string())]))
        }
        SignError::Pdf(kyso_pdf::PdfError::Encrypted) | SignError::Encrypted => {
            (exit::REFUSED, "encrypted", t.tr("err-pdf-encrypted"))
        }
        SignError::Pdf(other) => {
            (exit::REFUSED, "pdf_malformed", t.tr_args("err-pdf-malformed", &[("detail", &other.to_string())]))
        }
        SignError::DocMdpForbids => (exit::REFUSED, "docmdp_forbids", t.tr("err-docmdp-forbids")),
        SignError::CertifyNotFirst => (exit::REFUSED, "certify_not_first", t.tr("err-certify-not-first")),
        SignError::FieldNotEmpty(f) => {
            (exit::REFUSED, "field_not_empty", t.tr_args("err-field-not-empty", &[("field", f)]))
        }
        SignError::NoSuchPage { page, count } => (
            exit::USAGE,
            "no_such_page",
            t.tr_args("err-no-such-page", &[("page", &page.to_string()), ("count", &count.to_string())]),
        ),
        SignError::Timestamp(e) => {
            (exit::IO, "timestamp_failed", t.tr_args("err-timestamp", &[("detail", &e.to_string())]))
        }
        SignError::Signer(SignerError::TokenRemoved) => (exit::TOKEN, "token_removed", t.tr("err-token-removed")),
        SignError::NoRevocationData => (exit::REFUSED, "no_revocation_data", t.tr("err-no-revocation-data")),
        SignError::Signer(other) => {
            (exit::TOKEN, "signer_error", t.tr_args("err-signer", &[("detail", &other.to_string())]))
        }
        _ => (exit::REFUSED, "sign_failed", t.tr_args("err-signer", &[("detail", &e.to_string())])),
    };
    (exit, ErrorOut { code, message: msg })
}

/// `kyso-cli sign`.
pub fn sign(t: &Translator, args: &SignArgs, json: bool) -> u8 {
    if args.output.is_some() && args.files.len() > 1 {
        let e = fatal(exit::USAGE, "usage", t.tr_args("err-usage", &[("detail", "--output with several files")]));
        return report_fatal(json, e);
    }
    let signer = match open_signer(t, args) {
        Ok(s) => s,
        Err(e) => {
            // A failed attempt is journaled too (never the PIN).
            journal_failure(t, args, &e, None);
            return report_fatal(json, e);
        }
    };
    // TT 15/2025 Art. 5: check the certificate (validity, key usage,
    // revocation) before signing, and keep the evidence.
    let precheck = match run_precheck(t, args, signer.as_ref()) {
        Ok(p) => p,
        Err(e) => {
            journal_failure(t, args, &e, Some(signer.certificate()));
            return report_fatal(json, e);
        }
    };
    let token_label = signer_token(args);
    let cert = CertInfo::from_certificate(signer.certificate(), std::time::SystemTime::now());
    let mut code = exit::OK;
    let mut results = Vec::new();
    for input in &args.files {
        let output = args.output.clone().unwrap_or_else(|| default_output(input));
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
        let mut opts = SignOptions {
            field_name: args.field.clone(),
            page: args.page.or(Some(1)),
            time: Some(now),
            tsa: (args.level != "B-B").then(|| kyso_pki::TsaConfig {
                url: args.tsa.clone(),
                timeout: std::time::Duration::from_secs(args.tsa_timeout),
                proxy: args.proxy.clone(),
            }),
            reason: args.reason.clone(),
            location: args.location.clone(),
            contact_info: args.contact.clone(),
            name: cert.subject_cn.clone(),
            certify: args.certify,
            force: args.force,
            ..Default::default()
        };
        let office = crate::format::detect(input) == crate::format::Format::Ooxml;
        if let Some(role) = args.role.as_ref().filter(|_| !office) {
            match placement(t, args, role, input, now) {
                Ok(p) => {
                    if !json {
                        println!("{}", t.tr_args("sign-placed", &[("where", &p.description)]));
                    }
                    opts.page = Some(p.page);
                    opts.appearance = Some(p.appearance);
                    opts.extra_widgets = p.extra_widgets;
                }
                Err(err) => {
                    file_failed(&mut results, &mut code, exit::REFUSED, input, err, json);
                    continue;
                }
            }
        }
        let entry = kyso_journal::Entry {
            role: args.role.clone(),
            token_label: token_label.clone(),
            token_module: args.modules.modules.first().map(|m| m.display().to_string()),
            precheck: Some(precheck.result.clone()),
            evidence: Some(precheck.evidence.clone()),
            ..kyso_journal::Entry::signing(
                input,
                &cert,
                &args.level,
                (args.level != "B-B").then_some(args.tsa.as_str()),
            )
        };
        let signed: Result<Placed, (u8, ErrorOut)> = if office {
            sign_office(t, args, signer.as_ref(), input, &output, now).map(|()| (None, None))
        } else {
            sign_pdf(input, &output, signer.as_ref(), &opts)
                .and_then(|o| {
                    if matches!(args.level.as_str(), "B-LT" | "B-LTA")
                        && let Err(e) = long_term(args, &output, &precheck)
                    {
                        // The level asked for could not be reached: no
                        // output rather than one at a lower level.
                        let _ = std::fs::remove_file(&output);
                        return Err(e);
                    }
                    Ok((Some(o.field_name), Some(o.byte_range)))
                })
                .map_err(|e| sign_error(t, &e))
        };
        match signed {
            Ok((field, byte_range)) => {
                crate::journal::record(t, &entry.with_output(&output));
                if !json {
                    println!(
                        "{}",
                        t.tr_args(
                            "sign-done",
                            &[("input", &input.display().to_string()), ("output", &output.display().to_string())]
                        )
                    );
                }
                results.push(FileResult {
                    input: input.clone(),
                    output: Some(output),
                    ok: true,
                    field,
                    byte_range,
                    error: None,
                });
            }
            Err((c, err)) => {
                crate::journal::record(t, &entry.failed(err.code));
                file_failed(&mut results, &mut code, c, input, err, json);
            }
        }
    }
    if json {
        print_json(&SignJson {
            signer: Some(SignerJson {
                subject: cert.subject,
                issuer: cert.issuer,
                serial: cert.serial,
                algorithm: signer.algorithm(),
            }),
            files: results,
            error: None,
        });
    }
    code
}

/// Computes the visible appearance of a role preset for one file.
fn placement(
    t: &Translator,
    args: &SignArgs,
    role: &str,
    input: &std::path::Path,
    now: i64,
) -> Result<kyso_pdf::presets::Placement, ErrorOut> {
    use kyso_pdf::presets::{PresetError, PresetInput, Role, prepare};
    let read = |p: &Option<PathBuf>| -> Result<Option<Vec<u8>>, ErrorOut> {
        match p {
            Some(p) => std::fs::read(p).map(Some).map_err(|e| ErrorOut {
                code: "io",
                message: t.tr_args("err-io", &[("path", &p.display().to_string()), ("detail", &e.to_string())]),
            }),
            None => Ok(None),
        }
    };
    let input_spec = PresetInput {
        role: Role::parse(role).unwrap_or(Role::Approver),
        page: args.page,
        rect: args.rect,
        anchor: args.anchor.clone(),
        image: read(&args.image)?,
        seal: read(&args.seal)?,
        seal_mm: args.seal_mm,
        number: args.number.clone(),
        number_rect: args.number_rect,
        date: args.date.clone(),
        date_rect: args.date_rect,
        copy_form: args.copy_form.clone(),
        organization: args.org.clone(),
        time: now,
    };
    let reader = kyso_pdf::PdfReader::open(input).map_err(|e| ErrorOut {
        code: "pdf_malformed",
        message: t.tr_args("err-pdf-malformed", &[("detail", &e.to_string())]),
    })?;
    prepare(&reader, &input_spec).map_err(|e| match e {
        PresetError::Appearance(a) => {
            ErrorOut { code: "image_invalid", message: t.tr_args("err-image", &[("detail", &a.to_string())]) }
        }
        PresetError::Missing(opt) => {
            ErrorOut { code: "usage", message: t.tr_args("err-preset-missing", &[("option", opt)]) }
        }
        PresetError::RectOffPage => ErrorOut { code: "rect_off_page", message: t.tr("err-rect-off-page") },
        PresetError::AnchorNotFound(a) => {
            ErrorOut { code: "anchor_not_found", message: t.tr_args("err-anchor-not-found", &[("text", &a)]) }
        }
        PresetError::NoSuchPage { page, count } => ErrorOut {
            code: "no_such_page",
            message: t.tr_args("err-no-such-page", &[("page", &page.to_string()), ("count", &count.to_string())]),
        },
        other => ErrorOut {
            code: "pdf_malformed",
            message: t.tr_args("err-pdf-malformed", &[("detail", &other.to_string())]),
        },
    })
}

/// Upgrades a freshly signed file in place to B-LT or B-LTA
/// ([`kyso_pdf::ltv::make_long_term`]).
fn long_term(args: &SignArgs, output: &std::path::Path, pre: &PrecheckOut) -> Result<(), kyso_pdf::SignError> {
    let cfg = kyso_pki::TsaConfig {
        url: args.tsa.clone(),
        timeout: std::time::Duration::from_secs(args.tsa_timeout),
        proxy: args.proxy.clone(),
    };
    kyso_pdf::ltv::make_long_term_via(
        output,
        &kyso_pdf::ltv::LongTerm {
            leaf: &pre.leaf,
            issuer: pre.issuer.as_ref(),
            certs: &pre.certs,
            crls: &pre.crls,
            ocsps: &pre.ocsps,
            fetch: !args.offline,
            archive: (args.level == "B-LTA").then_some(&cfg),
        },
        args.proxy.as_deref(),
    )
}

/// Records a file that could not be signed; the first failure sets the exit code.
fn file_failed(
    results: &mut Vec<FileResult>,
    code: &mut u8,
    exit_code: u8,
    input: &std::path::Path,
    err: ErrorOut,
    json: bool,
) {
    if *code == exit::OK {
        *code = exit_code;
    }
    if !json {
        eprintln!("{}: {}", input.display(), err.message);
    }
    results.push(FileResult {
        input: input.to_owned(),
        output: None,
        ok: false,
        field: None,
        byte_range: None,
        error: Some(err),
    });
}

/// Journals a signing that failed before any file was signed, once per input.
fn journal_failure(t: &Translator, args: &SignArgs, e: &Fatal, cert: Option<&kyso_pki::Certificate>) {
    for input in &args.files {
        let (path, sha) = kyso_journal::file_facts(input);
        crate::journal::record(
            t,
            &kyso_journal::Entry {
                action: "sign".into(),
                role: args.role.clone(),
                input_path: path,
                input_sha256: sha,
                signer_subject: cert.map(|c| kyso_pki::format_name(c.tbs_certificate().subject())),
                token_label: args.token.clone(),
                level: Some(args.level.clone()),
                precheck: cert.map(|_| e.error.code.to_owned()),
                outcome: "failed".into(),
                error_code: Some(e.error.code.into()),
                ..Default::default()
            },
        );
    }
}

/// Runs the pre-signing check; returns (result, evidence) for the journal.
/// The pre-signing check's result, evidence and material (for a B-LT DSS).
struct PrecheckOut {
    result: String,
    evidence: String,
    crls: Vec<Vec<u8>>,
    ocsps: Vec<Vec<u8>>,
    /// The signer's certificate and its issuer (for a fresh OCSP at B-LT).
    leaf: kyso_pki::Certificate,
    issuer: Option<kyso_pki::Certificate>,
    certs: Vec<Vec<u8>>,
}

fn run_precheck(t: &Translator, args: &SignArgs, signer: &dyn Signer) -> Result<PrecheckOut, Fatal> {
    use kyso_pki::precheck::{PrecheckOptions, PrecheckResult, RevocationCache, precheck_with};
    let mut crls = Vec::new();
    for p in &args.crl {
        match std::fs::read(p).ok().and_then(|b| kyso_pki::load_crl(&b)) {
            Some(c) => crls.push(c),
            None => {
                return Err(fatal(
                    exit::USAGE,
                    "usage",
                    t.tr_args("err-usage", &[("detail", &format!("--crl {}", p.display()))]),
                ));
            }
        }
    }
    let mut pool: Vec<kyso_pki::Certificate> = signer.chain().to_vec();
    for p in &args.certs {
        let bytes = std::fs::read(p).map_err(|e| {
            fatal(
                exit::IO,
                "io",
                t.tr_args("err-io", &[("path", &p.display().to_string()), ("detail", &e.to_string())]),
            )
        })?;
        pool.extend(kyso_pki::load_certificates(&bytes).into_iter().map(|c| c.cert));
    }
    let cert = signer.certificate();
    let issuer = pool.iter().find(|c| c.tbs_certificate().subject() == cert.tbs_certificate().issuer());
    let check = precheck_with(
        cert,
        issuer,
        &crls,
        &PrecheckOptions {
            offline: args.offline,
            timeout: std::time::Duration::from_secs(15),
            cache: Some(RevocationCache::new(kyso_journal::data_dir().join("cache"))),
            proxy: args.proxy.clone(),
        },
    );
    let evidence = check.evidence.join("; ");
    let certs: Vec<Vec<u8>> = pool.iter().filter_map(|c| kyso_pki::der::Encode::to_der(c).ok()).collect();
    let out = |result: String| PrecheckOut {
        result,
        evidence: evidence.clone(),
        crls: check.crls.clone(),
        ocsps: check.ocsps.clone(),
        certs: certs.clone(),
        leaf: cert.clone(),
        issuer: issuer.cloned(),
    };
    match check.result {
        PrecheckResult::Good => Ok(out("good".into())),
        PrecheckResult::Revoked(_) => Err(fatal(exit::REFUSED, "certificate_revoked", t.tr("err-cert-revoked"))),
        PrecheckResult::Unusable(w) => {
            let code = serde_json::to_value(w).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            Err(fatal(exit::REFUSED, "certificate_refused", t.tr(&format!("warn-{code}"))))
        }
        PrecheckResult::Unchecked(why) if args.allow_unchecked => {
            eprintln!("{}", t.tr_args("warn-revocation-unchecked-signing", &[("detail", &why)]));
            Ok(out(format!("revocation_not_checked: {why}")))
        }
        PrecheckResult::Unchecked(why) => Err(fatal(
            exit::REFUSED,
            "revocation_unchecked",
            t.tr_args("err-revocation-unchecked", &[("detail", &why)]),
        )),
    }
}

fn signer_token(args: &SignArgs) -> Option<String> {
    match &args.p12 {
        Some(p) => Some(format!("PKCS#12 {}", p.display())),
        None => args.token.clone(),
    }
}

fn report_fatal(json: bool, e: Fatal) -> u8 {
    if json {
        print_json(&SignJson { signer: None, files: Vec::new(), error: Some(e.error.clone()) });
    } else {
        eprintln!("{}", e.error.message);
    }
    e.exit
}
