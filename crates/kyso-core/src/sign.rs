//! One signing orchestration for every front end: the files are prepared
//! (format, visible preset, output), the person confirms, the signer is
//! opened (one login for the batch), the certificate is checked, then each
//! file is signed, upgraded to the long-term level asked for, and
//! journaled.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use kyso_pdf::presets::{Placement, PresetInput, Role};
use kyso_pki::precheck::{PrecheckOptions, PrecheckResult, RevocationCache, precheck_with};
use kyso_pki::{CertInfo, Certificate, DigestAlgorithm, Pkcs12Signer, SignatureAlgorithm, Signer};
use kyso_token::{CertEntry, Pin, Pkcs11Signer, SignerOptions, TokenError, TokenReport};
use zeroize::Zeroizing;

use crate::document::Format;
use crate::error::{Error, PdfOnly};
use crate::journal::{JournalProblem, record};
use crate::precheck::{OnExists, OutputChoice, choose_output};

/// The baseline level of a signature: ETSI EN 319 142-1 §6 for PDF
/// (PAdES), EN 319 132-1 §6 for Office files (XAdES; B-B and B-T only).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// B-B: the signer's clock only.
    #[default]
    Basic,
    /// B-T: an RFC 3161 signature timestamp.
    Timestamped,
    /// B-LT: plus the chain and revocation answers in a DSS (PDF only).
    LongTerm,
    /// B-LTA: plus a document timestamp over it all (PDF only).
    Archive,
}

impl Level {
    /// Every level, lowest first.
    pub const ALL: [Self; 4] = [Self::Basic, Self::Timestamped, Self::LongTerm, Self::Archive];

    /// Its name: `B-B`, `B-T`, `B-LT`, `B-LTA`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Basic => "B-B",
            Self::Timestamped => "B-T",
            Self::LongTerm => "B-LT",
            Self::Archive => "B-LTA",
        }
    }

    /// The level named `s` ([`Level::name`]).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.name() == s)
    }

    /// Whether the level needs the TSA.
    pub fn timestamped(self) -> bool {
        self != Self::Basic
    }

    /// Whether the level needs a DSS (B-LT, B-LTA: PAdES only).
    pub fn long_term(self) -> bool {
        matches!(self, Self::LongTerm | Self::Archive)
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The timestamp server (RFC 3161).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tsa {
    /// Its URL.
    pub url: String,
    /// How long to wait for it (the VGCA TSA can take minutes).
    pub timeout: Duration,
}

impl Default for Tsa {
    fn default() -> Self {
        Self { url: kyso_pki::tsp::VGCA_TSA.into(), timeout: Duration::from_secs(180) }
    }
}

/// Who signs.
pub enum Credential {
    /// Find the certificate on the tokens of these modules (every module
    /// found when empty): on the token with this label or serial, the one
    /// whose serial, CKA_ID or common name matches `certificate` (the only
    /// usable one when `None`).
    Search {
        /// Modules to load (absolute paths); empty: the usual ones.
        modules: Vec<PathBuf>,
        /// Token label or serial.
        token: Option<String>,
        /// Serial, CKA_ID (hex) or part of the common name.
        certificate: Option<String>,
        /// The PIN (`None`: asked through [`SignRequest::confirm`], else
        /// none, for a token with its own PIN pad).
        pin: Option<Pin>,
    },
    /// A certificate already chosen from [`list_certificates`].
    Token {
        /// The certificate and its token.
        entry: Box<CertEntry>,
        /// The PIN (as for [`Credential::Search`]).
        pin: Option<Pin>,
    },
    /// A PKCS#12 file.
    Pkcs12 {
        /// The file.
        path: PathBuf,
        /// Its password (`None`: asked through [`SignRequest::confirm`]).
        password: Option<Zeroizing<String>>,
    },
    /// A signer already opened (a caller with its own key store).
    Signer(Box<dyn Signer>),
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Search { modules, token, certificate, .. } => f
                .debug_struct("Search")
                .field("modules", modules)
                .field("token", token)
                .field("certificate", certificate)
                .finish_non_exhaustive(),
            Self::Token { entry, .. } => f.debug_struct("Token").field("entry", &entry.id).finish_non_exhaustive(),
            Self::Pkcs12 { path, .. } => f.debug_struct("Pkcs12").field("path", path).finish_non_exhaustive(),
            Self::Signer(_) => f.write_str("Signer"),
        }
    }
}

/// The signature algorithm asked for (default: the key's own).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AlgorithmChoice {
    /// The digest (default: the key's).
    pub digest: Option<DigestAlgorithm>,
    /// RSASSA-PSS instead of PKCS#1 v1.5 for RSA keys (PDF only).
    pub pss: bool,
}

/// The visible look of a PDF signature: a role preset of NĐ 30/2020 Phụ
/// lục I and its inputs. Without a role the signature is invisible.
#[derive(Clone, Debug, PartialEq)]
pub struct Look {
    /// The role.
    pub role: Option<Role>,
    /// The rectangle in points (x1, y1, x2, y2); default: the preset's.
    pub rect: Option<[f64; 4]>,
    /// Place by this text on the page.
    pub anchor: Option<String>,
    /// The handwritten-signature PNG (approver).
    pub image: Option<PathBuf>,
    /// The seal PNG (issuer).
    pub seal: Option<PathBuf>,
    /// The seal's real diameter in millimetres.
    pub seal_mm: f64,
    /// Number and symbol (issuer, appendix).
    pub number: Option<String>,
    /// Where the issuer writes the number on page 1.
    pub number_rect: Option<[f64; 4]>,
    /// The issue date line (issuer).
    pub date: Option<String>,
    /// Where the issuer writes the date on page 1.
    pub date_rect: Option<[f64; 4]>,
    /// The copy form (copy).
    pub copy_form: Option<String>,
    /// The copying organisation (copy).
    pub organization: Option<String>,
}

impl Default for Look {
    fn default() -> Self {
        Self {
            role: None,
            rect: None,
            anchor: None,
            image: None,
            seal: None,
            seal_mm: 36.0,
            number: None,
            number_rect: None,
            date: None,
            date_rect: None,
            copy_form: None,
            organization: None,
        }
    }
}

/// PDF settings beyond the look (ISO 32000-2 §12.8.1 signature dictionary).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PdfFields {
    /// The signature field (a new one, or an existing empty one).
    pub field: Option<String>,
    /// The widget's page (1-based).
    pub page: Option<usize>,
    /// Certify (DocMDP permission 1–3; first signature only).
    pub certify: Option<u8>,
    /// `/Location`.
    pub location: Option<String>,
    /// `/ContactInfo`.
    pub contact: Option<String>,
}

/// The pre-signing check's inputs (TT 15/2025 Art. 5).
#[derive(Clone, Debug, Default)]
pub struct PrecheckInputs {
    /// CRLs given (DER).
    pub crls: Vec<Vec<u8>>,
    /// Issuer certificates when the token has none.
    pub certs: Vec<Certificate>,
    /// Never use the network.
    pub offline: bool,
    /// Sign even when revocation could not be checked (explicit consent).
    pub allow_unchecked: bool,
}

/// Where a signed copy goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// `NAME.signed.EXT` beside the input ([`crate::signed_name`]).
    Beside,
    /// This file.
    File(PathBuf),
    /// Returned in memory (the web bridge answers with the bytes).
    Memory,
}

/// One file of a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The document (never modified).
    pub input: PathBuf,
    /// Where its signed copy goes.
    pub output: Destination,
}

impl Target {
    /// `input` signed into `NAME.signed.EXT` beside it.
    pub fn beside(input: impl Into<PathBuf>) -> Self {
        Self { input: input.into(), output: Destination::Beside }
    }

    /// `input` signed into `output`.
    pub fn to(input: impl Into<PathBuf>, output: impl Into<PathBuf>) -> Self {
        Self { input: input.into(), output: Destination::File(output.into()) }
    }
}

/// What the person is asked to confirm before the PIN is used.
#[derive(Debug)]
pub struct Confirmation<'a> {
    /// Who asks (the web bridge: the page's origin).
    pub origin: Option<&'a str>,
    /// What the requester says about the documents (title, number, …).
    pub metadata: &'a [(String, String)],
    /// The documents.
    pub files: &'a [Target],
    /// The certificate that will sign (unknown for PKCS#12 until opened).
    pub certificate: Option<&'a CertInfo>,
    /// Its token (PIN state).
    pub token: Option<&'a TokenReport>,
    /// The level.
    pub level: Level,
}

/// The answer to a [`Confirmation`].
pub enum Decision {
    /// Go on with the PIN (or password) the credential carries.
    Proceed,
    /// Go on with this PIN (or password), typed in the confirmation.
    ProceedWith(Zeroizing<String>),
    /// Do not sign.
    Decline,
}

/// Asked once per batch, after the files were prepared and before any
/// login.
pub type ConfirmFn = dyn FnMut(&Confirmation<'_>) -> Decision + Send;

/// A signing: files, signer, look, level, TSA, outputs.
pub struct SignRequest {
    /// The files, in order.
    pub files: Vec<Target>,
    /// Who signs.
    pub credential: Credential,
    /// The algorithm (`None`: the signer's default).
    pub algorithm: Option<AlgorithmChoice>,
    /// The level.
    pub level: Level,
    /// The TSA for B-T and above.
    pub tsa: Tsa,
    /// The HTTP proxy for TSA, OCSP and CRL (`None`: the environment's).
    pub proxy: Option<String>,
    /// The visible look (PDF).
    pub look: Look,
    /// PDF settings.
    pub pdf: PdfFields,
    /// The reason (PDF `/Reason`, Office's purpose for signing).
    pub reason: Option<String>,
    /// The pre-signing check.
    pub precheck: PrecheckInputs,
    /// What to do when an output file exists ([`crate::precheck`]
    /// reports it before the PIN). A signed copy signed again under its own
    /// name ([`crate::signed_name`]) is not "existing": it is replaced by its
    /// signed version.
    pub on_exists: OnExists,
    /// Sign even when the certificate's kind (organisation or person) is
    /// not the one the role needs (NĐ 30/2020 Art. 32(2)(c–d)). Only the
    /// command line offers it (`--allow-role-mismatch`); it is journaled.
    pub allow_role_mismatch: bool,
    /// A file that cannot be prepared (a missing image, a PDF-only look
    /// for an Office file, …) stops the whole batch before any PIN is
    /// used; otherwise only that file fails.
    pub all_or_nothing: bool,
    /// The data directory (revocation cache, trust store, journal).
    pub data_dir: PathBuf,
    /// Journal every file (never the PIN).
    pub journal: bool,
    /// The claimed signing time (Unix seconds); `None`: now
    /// ([`crate::clock`]).
    pub time: Option<i64>,
    /// Who asks (the web bridge: the page's origin).
    pub origin: Option<String>,
    /// What the requester says about the documents.
    pub metadata: Vec<(String, String)>,
    /// Asked before the PIN is used (may supply it); `None`: no question.
    pub confirm: Option<Box<ConfirmFn>>,
}

impl std::fmt::Debug for SignRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignRequest")
            .field("files", &self.files)
            .field("credential", &self.credential)
            .field("level", &self.level)
            .field("look", &self.look)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl SignRequest {
    /// A B-B, invisible signing of `files` by `credential`, journaled in
    /// `data_dir`.
    pub fn new(files: Vec<Target>, credential: Credential, data_dir: impl Into<PathBuf>) -> Self {
        Self {
            files,
            credential,
            algorithm: None,
            level: Level::Basic,
            tsa: Tsa::default(),
            proxy: None,
            look: Look::default(),
            pdf: PdfFields::default(),
            reason: None,
            precheck: PrecheckInputs::default(),
            on_exists: OnExists::Ask,
            allow_role_mismatch: false,
            all_or_nothing: false,
            data_dir: data_dir.into(),
            journal: true,
            time: None,
            origin: None,
            metadata: Vec::new(),
            confirm: None,
        }
    }

    fn tsa_config(&self) -> kyso_pki::TsaConfig {
        kyso_pki::TsaConfig { url: self.tsa.url.clone(), timeout: self.tsa.timeout, proxy: self.proxy.clone() }
    }
}

/// A signed copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Written to this file.
    File(PathBuf),
    /// Held in memory.
    Memory(Vec<u8>),
}

/// A signed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The signed copy.
    pub output: Output,
    /// The PDF signature field (Office signatures have none).
    pub field: Option<String>,
    /// The PDF `/ByteRange`.
    pub byte_range: Option<[u64; 4]>,
    /// SHA-256 of the input, from the pass that signed it (PDF), so that the
    /// journal does not read the file again.
    pub input_sha256: Option<[u8; 32]>,
    /// SHA-256 of the output, the input's hash continued over the appended
    /// update (PDF B-B/B-T written to a file; a long-term upgrade rewrites
    /// the file, so it is read again then).
    pub output_sha256: Option<[u8; 32]>,
}

/// What became of one file.
#[derive(Debug)]
pub struct SignOutcome {
    /// The input.
    pub input: PathBuf,
    /// Where it would go (`None`: in memory).
    pub output: Option<PathBuf>,
    /// The signed copy, or why not.
    pub result: Result<Signed, Error>,
}

/// A batch that was signed (each file may still have failed).
#[derive(Debug)]
pub struct Batch {
    /// The signer's certificate.
    pub signer: CertInfo,
    /// The signature algorithm.
    pub algorithm: SignatureAlgorithm,
    /// One outcome per file signed or attempted, in order; files after a
    /// cancel are absent.
    pub outcomes: Vec<SignOutcome>,
    /// The batch was cancelled before its end.
    pub cancelled: bool,
}

/// How a batch goes on (reported as it happens).
#[derive(Debug)]
pub enum Progress<'a> {
    /// The certificate was checked; `unchecked` is why its revocation
    /// could not be checked (signing goes on with consent).
    Checked {
        /// Why revocation was not checked.
        unchecked: Option<&'a kyso_pki::precheck::Unchecked>,
    },
    /// File `i` is being signed.
    Started(usize),
    /// The visible signature of file `index` goes here.
    Placed {
        /// The file.
        index: usize,
        /// A human summary of the placement.
        description: &'a str,
        /// The issuer's number and date: what was written where
        /// (page, rectangle), into the blanks of page 1 or the rectangles
        /// given.
        written: &'a [kyso_pdf::presets::Written],
    },
    /// File `index` ended.
    Finished {
        /// The file.
        index: usize,
        /// Its outcome.
        outcome: &'a SignOutcome,
    },
    /// The journal had a problem (the action itself is unaffected).
    Journal(&'a JournalProblem),
}

/// Lists every certificate on every token of the modules found
/// (`explicit` only when given, else the environment's, `configured` and
/// the usual install locations), with its token; no PIN is needed. An
/// empty list with an error explains why none was found.
pub fn list_certificates(
    explicit: &[PathBuf],
    configured: &[PathBuf],
    token: Option<&str>,
) -> Result<Vec<(CertEntry, TokenReport)>, TokenError> {
    let listing = certificate_listing(explicit, configured, token, None);
    match (listing.certificates.is_empty(), listing.last_error) {
        (true, Some(e)) => Err(e),
        _ => Ok(listing.certificates),
    }
}

/// The listing behind [`list_certificates`] in full: every certificate,
/// every error with its module, the number of matching tokens; with a
/// `pin`, each token is logged in to first so that its private keys are
/// seen (`kyso-cli certs --pin-stdin`).
pub fn certificate_listing(
    explicit: &[PathBuf],
    configured: &[PathBuf],
    token: Option<&str>,
    pin: Option<&Pin>,
) -> kyso_token::Listing {
    kyso_token::list_all_certificates_with(&kyso_token::candidate_modules(explicit, configured), token, pin)
}

/// Finds the certificate to sign with among `modules`' tokens (see
/// [`Credential::Search`]): one with a private key, matching `wanted`
/// (serial, CKA_ID or part of the common name), or the only one that can
/// sign now.
pub fn find_certificate(
    modules: &[PathBuf],
    token: Option<&str>,
    wanted: Option<&str>,
) -> Result<(CertEntry, TokenReport), Error> {
    find_certificate_for(modules, token, wanted, None)
}

/// [`find_certificate`] for a signature in `role`: when no certificate is
/// named and several can sign, those of the kind the role needs are the
/// candidates, if there are any (NĐ 30/2020 Art. 32(2)(c–d): the clerk
/// issues with the organisation's certificate, an official signs with
/// their own; [`crate::precheck::role_needs`]). A văn thư whose token
/// holds both then needs to name neither.
pub fn find_certificate_for(
    modules: &[PathBuf],
    token: Option<&str>,
    wanted: Option<&str>,
    role: Option<Role>,
) -> Result<(CertEntry, TokenReport), Error> {
    let listing = kyso_token::list_all_certificates(&kyso_token::candidate_modules(modules, &[]), token);
    if listing.certificates.is_empty() {
        if let Some(t) = token {
            return Err(Error::Token(TokenError::TokenNotFound(t.to_owned())));
        }
        return Err(listing.last_error.map_or(Error::NoToken, Error::Token));
    }
    let mut candidates: Vec<(CertEntry, TokenReport)> =
        listing.certificates.into_iter().filter(|(c, _)| c.has_private_key).collect();
    if let Some(w) = wanted {
        let wl = w.to_lowercase();
        candidates.retain(|(c, _)| {
            c.certificate.serial.eq_ignore_ascii_case(w)
                || c.id.eq_ignore_ascii_case(w)
                || c.certificate.subject_cn.as_deref().is_some_and(|cn| cn.to_lowercase().contains(&wl))
        });
    } else {
        // Without a choice, only certificates that can sign are candidates,
        // and among several, those that fit the role.
        candidates.retain(|(c, _)| c.certificate.can_sign());
        if let Some(role) = role
            && candidates.len() > 1
        {
            let needed = crate::precheck::role_needs(role);
            let fits = |c: &CertEntry| crate::precheck::certificate_kind(c).kind == needed;
            if candidates.iter().any(|(c, _)| fits(c)) {
                candidates.retain(|(c, _)| fits(c));
            }
        }
    }
    match candidates.len() {
        0 => Err(Error::CertificateNotFound),
        1 => Ok(candidates.remove(0)),
        _ => Err(Error::CertificateAmbiguous(
            candidates
                .iter()
                .map(|(c, _)| {
                    format!("{} ({})", c.certificate.subject_cn.clone().unwrap_or_default(), c.certificate.serial)
                })
                .collect(),
        )),
    }
}

use crate::precheck::role_name;

/// A file ready to sign.
struct Plan {
    format: Format,
    /// The output file (`None`: in memory).
    output: Option<PathBuf>,
    /// The output may replace an existing file (the person chose to, or a
    /// signed copy is signed again under its own name).
    replace: bool,
    /// The output is the input (a signed copy signed again): it keeps the
    /// input's permissions.
    in_place: bool,
    placement: Option<Placement>,
}

fn read_image(p: &Option<PathBuf>) -> Result<Option<Vec<u8>>, Error> {
    match p {
        Some(p) => std::fs::read(p).map(Some).map_err(|source| Error::Image { path: p.clone(), source }),
        None => Ok(None),
    }
}

/// The first PDF-only setting of the request (an Office file refuses it).
fn pdf_only(req: &SignRequest) -> Option<PdfOnly> {
    let (l, p) = (&req.look, &req.pdf);
    [
        (l.role.is_some(), PdfOnly::Role),
        (l.rect.is_some(), PdfOnly::Rect),
        (l.anchor.is_some(), PdfOnly::Anchor),
        (l.image.is_some(), PdfOnly::Image),
        (l.seal.is_some(), PdfOnly::Seal),
        (l.number.is_some(), PdfOnly::Number),
        (l.date.is_some(), PdfOnly::Date),
        (l.copy_form.is_some(), PdfOnly::CopyForm),
        (l.organization.is_some(), PdfOnly::Organization),
        (p.field.is_some(), PdfOnly::Field),
        (p.page.is_some(), PdfOnly::Page),
        (p.certify.is_some(), PdfOnly::Certify),
        (p.location.is_some(), PdfOnly::Location),
        (p.contact.is_some(), PdfOnly::Contact),
        (req.algorithm.is_some_and(|a| a.pss), PdfOnly::Pss),
    ]
    .into_iter()
    .find_map(|(given, what)| given.then_some(what))
}

fn same_file(a: &Path, b: &Path) -> bool {
    a.canonicalize().ok().is_some_and(|i| b.canonicalize().ok() == Some(i))
}

/// [`prepare`] for the precheck: whether the file can be prepared.
pub(crate) fn prepare_only(req: &SignRequest, target: &Target) -> Result<(), Error> {
    prepare(req, target, req.time.unwrap_or_else(crate::clock)).map(|_| ())
}

/// Prepares one file before any login: its format, its output, and for a
/// PDF with a role the preset's placement (NĐ 30/2020 Phụ lục I).
fn prepare(req: &SignRequest, target: &Target, now: i64) -> Result<Plan, Error> {
    let input = &target.input;
    let format = Format::detect(input);
    // The same choice the precheck reported (crate::precheck).
    let choice = choose_output(req, target);
    let (output, replace, in_place) = match &choice {
        OutputChoice::Memory => (None, false, false),
        OutputChoice::New(p) | OutputChoice::Numbered { path: p, .. } | OutputChoice::Exists { path: p, .. } => {
            (Some(p.clone()), false, false)
        }
        OutputChoice::Replace(p) => (Some(p.clone()), true, false),
        OutputChoice::InPlace(p) => (Some(p.clone()), true, true),
    };
    let mut placement = None;
    match format {
        Format::Office => {
            if let Some(what) = pdf_only(req) {
                return Err(Error::NotForOffice(what));
            }
            if req.level.long_term() {
                return Err(Error::LevelNotForOffice(req.level));
            }
        }
        Format::Pdf => {
            let spec = match req.look.role {
                None => None,
                Some(role) => {
                    let l = &req.look;
                    Some(PresetInput {
                        role,
                        page: req.pdf.page,
                        rect: l.rect,
                        anchor: l.anchor.clone(),
                        image: read_image(&l.image)?,
                        seal: read_image(&l.seal)?,
                        seal_mm: l.seal_mm,
                        number: l.number.clone(),
                        number_rect: l.number_rect,
                        date: l.date.clone(),
                        date_rect: l.date_rect,
                        copy_form: l.copy_form.clone(),
                        organization: l.organization.clone(),
                        time: now,
                    })
                }
            };
            if spec.is_some() || req.pdf.field.is_some() {
                let reader = kyso_pdf::PdfReader::open(input).map_err(Error::Unreadable)?;
                if let Some(spec) = &spec {
                    placement = Some(kyso_pdf::presets::prepare(&reader, spec).map_err(Error::Placement)?);
                }
                // The field asked for by name: the signing would refuse it
                // after the PIN; say so before (ISO 32000-2 §12.7.5.5).
                if let Some(name) = &req.pdf.field {
                    let extra_widgets = placement.as_ref().is_some_and(|p| !p.extra_widgets.is_empty());
                    kyso_pdf::check_field(&reader, name, extra_widgets).map_err(Error::Pdf)?;
                }
            }
        }
    }
    if let Some(out) = &output
        && !in_place
        && same_file(input, out)
    {
        return Err(Error::SameFile);
    }
    if let OutputChoice::Exists { path, .. } = choice {
        return Err(Error::OutputExists(path));
    }
    Ok(Plan { format, output, replace, in_place, placement })
}

/// The signer resolved before any secret is used.
enum Resolved {
    Token { entry: Box<CertEntry>, token: Option<TokenReport>, pin: Option<Pin> },
    Pkcs12 { path: PathBuf, password: Option<Zeroizing<String>> },
    Signer(Box<dyn Signer>),
}

/// The algorithm asked for a key whose facts are `info` (`None`: the
/// key's default is kept).
fn algorithm_for(info: &CertInfo, choice: Option<AlgorithmChoice>) -> Result<Option<SignatureAlgorithm>, Error> {
    let Some(choice) = choice else { return Ok(None) };
    let base = info.default_algorithm().ok_or_else(|| Error::UnsupportedKey(String::new()))?;
    let d = choice.digest.unwrap_or(base.digest());
    Ok(Some(match base {
        SignatureAlgorithm::RsaPkcs1v15(_) | SignatureAlgorithm::RsaPss(_) if choice.pss => {
            SignatureAlgorithm::RsaPss(d)
        }
        SignatureAlgorithm::RsaPkcs1v15(_) | SignatureAlgorithm::RsaPss(_) => SignatureAlgorithm::RsaPkcs1v15(d),
        SignatureAlgorithm::Ecdsa(_) => SignatureAlgorithm::Ecdsa(d),
    }))
}

/// TT 15/2025 Art. 5: a certificate that cannot sign now is refused.
fn refuse_unusable(info: &CertInfo) -> Result<(), Error> {
    match info.warnings.first() {
        Some(w) => Err(Error::CertificateRefused(*w)),
        None => Ok(()),
    }
}

fn resolve(credential: Credential, role: Option<Role>) -> Result<Resolved, Error> {
    match credential {
        Credential::Search { modules, token, certificate, pin } => {
            let (entry, report) = find_certificate_for(&modules, token.as_deref(), certificate.as_deref(), role)?;
            refuse_unusable(&entry.certificate)?;
            Ok(Resolved::Token { entry: Box::new(entry), token: Some(report), pin })
        }
        Credential::Token { entry, pin } => {
            refuse_unusable(&entry.certificate)?;
            Ok(Resolved::Token { entry, token: None, pin })
        }
        Credential::Pkcs12 { path, password } => Ok(Resolved::Pkcs12 { path, password }),
        Credential::Signer(s) => Ok(Resolved::Signer(s)),
    }
}

fn open_signer(
    resolved: Resolved,
    secret: Option<Zeroizing<String>>,
    choice: Option<AlgorithmChoice>,
) -> Result<Box<dyn Signer>, Error> {
    match resolved {
        Resolved::Token { entry, pin, .. } => {
            let module = kyso_token::load_module(&entry.module)?;
            let pin = match secret {
                Some(s) => Pin::new(s.to_string()),
                None => pin.unwrap_or_else(|| Pin::new(String::new())),
            };
            let algorithm = algorithm_for(&entry.certificate, choice)?;
            let signer = Pkcs11Signer::open(&module, &entry, pin, SignerOptions { algorithm, ..Default::default() })?;
            Ok(Box::new(signer))
        }
        Resolved::Pkcs12 { path, password } => {
            let password = secret.or(password).ok_or(Error::PasswordRequired)?;
            let s = Pkcs12Signer::open(&path, &password)?;
            let info = CertInfo::from_certificate(s.certificate(), std::time::SystemTime::now());
            refuse_unusable(&info)?;
            let alg = algorithm_for(&info, Some(choice.unwrap_or_default()))?
                .ok_or_else(|| Error::UnsupportedKey(String::new()))?;
            let s = s.with_algorithm(alg).map_err(|e| Error::UnsupportedKey(e.to_string()))?;
            Ok(Box::new(s))
        }
        Resolved::Signer(s) => Ok(s),
    }
}

/// The pre-signing check's result for the journal and the material a
/// B-LT DSS takes from it.
struct Checked {
    result: String,
    evidence: String,
    issuer: Option<Certificate>,
    certs: Vec<Vec<u8>>,
    crls: Vec<Vec<u8>>,
    ocsps: Vec<Vec<u8>>,
    unchecked: Option<kyso_pki::precheck::Unchecked>,
}

/// The pre-signing check of `cert` (TT 15/2025 Art. 5) with its issuer
/// found in `chain` (the token's), the request's certificates or the trust
/// store; also the certificates a B-LT DSS takes. Answers fetched here are
/// cached in the data directory, so a precheck before the PIN and the
/// check at signing time ask the network once.
pub(crate) fn revocation_check(
    req: &SignRequest,
    cert: &Certificate,
    chain: &[Certificate],
) -> (kyso_pki::precheck::Precheck, Option<Certificate>, Vec<Vec<u8>>) {
    let pool: Vec<Certificate> = chain.iter().chain(req.precheck.certs.iter()).cloned().collect();
    let issued_by = |c: &&Certificate| c.tbs_certificate().subject() == cert.tbs_certificate().issuer();
    // The issuer from the token or the request, else from the trust store,
    // else from the certificates Kyso ships (a VGCA token often holds the
    // signer's certificate alone).
    let issuer = pool
        .iter()
        .find(issued_by)
        .cloned()
        .or_else(|| crate::stored_anchors(&req.data_dir).into_iter().map(|c| c.cert).find(|c| issued_by(&c)))
        .or_else(|| crate::trust::shipped_issuer_of(cert));
    let mut certs: Vec<Vec<u8>> = pool.iter().filter_map(|c| kyso_pki::der::Encode::to_der(c).ok()).collect();
    if let Some(der) = issuer.as_ref().and_then(|c| kyso_pki::der::Encode::to_der(c).ok())
        && !certs.contains(&der)
    {
        certs.push(der);
    }
    let check = precheck_with(
        cert,
        issuer.as_ref(),
        &req.precheck.crls,
        &PrecheckOptions {
            offline: req.precheck.offline,
            timeout: Duration::from_secs(15),
            cache: Some(RevocationCache::new(req.data_dir.join("cache"))),
            proxy: req.proxy.clone(),
        },
    );
    (check, issuer, certs)
}

/// TT 15/2025 Art. 5: checks the certificate (validity, key usage,
/// revocation from the given CRLs, then its OCSP responder, then its CRL
/// distribution points, RFC 6960 / RFC 5280 §4.2.1.13) before signing and
/// keeps the evidence.
fn check(req: &SignRequest, signer: &dyn Signer) -> (Result<Checked, Error>, String) {
    let (check, issuer, certs) = revocation_check(req, signer.certificate(), signer.chain());
    let evidence = check.evidence.join("; ");
    let ok = |result: String, unchecked: Option<kyso_pki::precheck::Unchecked>| Checked {
        result,
        evidence: evidence.clone(),
        issuer: issuer.clone(),
        certs: certs.clone(),
        crls: check.crls.clone(),
        ocsps: check.ocsps.clone(),
        unchecked,
    };
    let result = match &check.result {
        PrecheckResult::Good => Ok(ok("good".into(), None)),
        PrecheckResult::Revoked(t) => Err(Error::Revoked(*t)),
        PrecheckResult::Unusable(w) => Err(Error::Unusable(*w)),
        PrecheckResult::Unchecked(why) if req.precheck.allow_unchecked => {
            Ok(ok(format!("revocation_not_checked: {why}"), Some(why.clone())))
        }
        PrecheckResult::Unchecked(why) => Err(Error::RevocationUnchecked(why.clone())),
    };
    (result, evidence)
}

/// Who signed, for the journal.
struct Identity {
    cert: Option<CertInfo>,
    token_label: Option<String>,
    token_module: Option<String>,
}

/// The signer's certificate when known before any secret is used.
fn resolved_certificate(resolved: &Resolved) -> Option<Certificate> {
    match resolved {
        Resolved::Token { entry, .. } => entry.certificate().ok(),
        Resolved::Signer(s) => Some(s.certificate().clone()),
        Resolved::Pkcs12 { .. } => None,
    }
}

fn identity(resolved: &Resolved) -> Identity {
    match resolved {
        Resolved::Token { entry, .. } => Identity {
            cert: Some(entry.certificate.clone()),
            token_label: Some(entry.token_label.clone()),
            token_module: Some(entry.module.display().to_string()),
        },
        Resolved::Pkcs12 { path, .. } => {
            Identity { cert: None, token_label: Some(format!("PKCS#12 {}", path.display())), token_module: None }
        }
        Resolved::Signer(s) => Identity {
            cert: Some(CertInfo::from_certificate(s.certificate(), std::time::SystemTime::now())),
            token_label: None,
            token_module: None,
        },
    }
}

/// Signs every file of `request` with one login, reporting each step to
/// `progress`; `cancel` stops the batch before the next file. Nothing is
/// asked of the token before every file is prepared (and, with
/// [`SignRequest::all_or_nothing`], before every file could be). A file
/// gets its complete signed copy or nothing: the inputs are never
/// modified, a long-term level that cannot be reached leaves no output at a
/// lower one. Each file is journaled (never the PIN); a failure before
/// the first file is journaled once per file and returned.
pub fn sign_batch(
    mut request: SignRequest,
    progress: &mut dyn FnMut(Progress<'_>),
    cancel: &AtomicBool,
) -> Result<Batch, Error> {
    // The claimed signing time (`/M`, the look's date, XAdES SigningTime):
    // one instant for the whole batch, from the one clock (crate::clock).
    let now = request.time.unwrap_or_else(crate::clock);
    let plans: Vec<Result<Plan, Error>> = request.files.iter().map(|t| prepare(&request, t, now)).collect();
    if request.all_or_nothing
        && let Some(Err(_)) = plans.iter().find(|p| p.is_err())
    {
        let first = plans.into_iter().find_map(Result::err);
        return Err(first.unwrap_or(Error::Declined));
    }
    // The credential moves into the signer; a harmless value stays behind.
    let credential =
        std::mem::replace(&mut request.credential, Credential::Pkcs12 { path: PathBuf::new(), password: None });
    let fatal = |req: &SignRequest, e: Error, id: Option<&Identity>, progress: &mut dyn FnMut(Progress<'_>)| {
        journal_fatal(req, &e, id, progress);
        e
    };
    let resolved = match resolve(credential, request.look.role) {
        Ok(r) => r,
        Err(e) => return Err(fatal(&request, e, None, progress)),
    };
    let id = identity(&resolved);
    // NĐ 30/2020 Art. 32(2)(c–d), Art. 33: the certificate's kind fits the
    // role, decided before the PIN is used (a PKCS#12 file's certificate is
    // known once the file is opened, still before any file is signed).
    let role_note = match resolved_certificate(&resolved) {
        Some(cert) => match crate::precheck::role_fit(&request, &cert) {
            Ok(note) => Some(note),
            Err(e) => return Err(fatal(&request, e, Some(&id), progress)),
        },
        None => None,
    };
    // The person confirms what is about to be signed, by whom, before the
    // PIN is used (the web bridge shows the requesting origin).
    let mut secret = None;
    if let Some(confirm) = request.confirm.as_mut() {
        let (certificate, token) = match &resolved {
            Resolved::Token { entry, token, .. } => (Some(&entry.certificate), token.as_ref()),
            _ => (id.cert.as_ref(), None),
        };
        let c = Confirmation {
            origin: request.origin.as_deref(),
            metadata: &request.metadata,
            files: &request.files,
            certificate,
            token,
            level: request.level,
        };
        match confirm(&c) {
            Decision::Proceed => {}
            Decision::ProceedWith(s) => secret = Some(s),
            Decision::Decline => return Err(fatal(&request, Error::Declined, Some(&id), progress)),
        }
    }
    let signer = match open_signer(resolved, secret, request.algorithm) {
        Ok(s) => s,
        Err(e) => {
            // A login that failed names no signer (as `kyso-cli sign` always
            // journaled it): the key was never used.
            let anonymous = Identity { cert: None, token_label: id.token_label.clone(), token_module: None };
            return Err(fatal(&request, e, Some(&anonymous), progress));
        }
    };
    let id =
        Identity { cert: Some(CertInfo::from_certificate(signer.certificate(), std::time::SystemTime::now())), ..id };
    let cert = id
        .cert
        .clone()
        .unwrap_or_else(|| CertInfo::from_certificate(signer.certificate(), std::time::SystemTime::now()));
    let role_note = match role_note {
        Some(note) => note,
        None => match crate::precheck::role_fit(&request, signer.certificate()) {
            Ok(note) => note,
            Err(e) => return Err(fatal(&request, e, Some(&id), progress)),
        },
    };
    let (checked, _) = check(&request, signer.as_ref());
    let checked = match checked {
        Ok(c) => c,
        Err(e) => return Err(fatal(&request, e, Some(&id), progress)),
    };
    progress(Progress::Checked { unchecked: checked.unchecked.as_ref() });
    let mut batch =
        Batch { signer: cert.clone(), algorithm: signer.algorithm(), outcomes: Vec::new(), cancelled: false };
    for (i, (target, plan)) in request.files.iter().zip(plans).enumerate() {
        if cancel.load(Ordering::SeqCst) {
            batch.cancelled = true;
            break;
        }
        progress(Progress::Started(i));
        let output = plan.as_ref().ok().and_then(|p| p.output.clone());
        let result = match plan {
            Ok(plan) => {
                if let Some(p) = &plan.placement {
                    progress(Progress::Placed { index: i, description: &p.description, written: &p.written });
                }
                sign_one(&request, signer.as_ref(), &target.input, plan, &checked, &cert, now)
            }
            Err(e) => Err(e),
        };
        if request.journal {
            // One pass over the file: a PDF signing already hashed the input
            // (and the output, continuing that state), so neither is read
            // again for the journal.
            let tsa = request.level.timestamped().then_some(request.tsa.url.as_str());
            let signed_hash = result.as_ref().ok().and_then(|s| s.input_sha256);
            let base = match signed_hash {
                Some(h) => kyso_journal::Entry {
                    input_sha256: Some(hex::encode(h)),
                    ..kyso_journal::Entry::signing_unread(&target.input, &cert, request.level.name(), tsa)
                },
                None => kyso_journal::Entry::signing(&target.input, &cert, request.level.name(), tsa),
            };
            let entry = kyso_journal::Entry {
                role: request.look.role.map(|r| role_name(r).to_owned()),
                token_label: id.token_label.clone(),
                token_module: id.token_module.clone(),
                // An allowed role mismatch or an unknown certificate kind is
                // kept with the check's result.
                precheck: Some(match &role_note {
                    Some(note) => format!("{}; {note}", checked.result),
                    None => checked.result.clone(),
                }),
                evidence: Some(checked.evidence.clone()),
                ..base
            };
            let entry = match &result {
                Ok(Signed { output: Output::File(p), input_sha256: Some(i), output_sha256: Some(o), .. }) => {
                    entry.with_output_hashed(p, i, o)
                }
                Ok(Signed { output: Output::File(p), .. }) => entry.with_output(p),
                Ok(Signed { output: Output::Memory(bytes), .. }) => kyso_journal::Entry {
                    output_sha256: Some(hex::encode(kyso_pki::HashAlg::Sha256.digest(bytes))),
                    ..entry
                },
                Err(e) => entry.failed(e.code()),
            };
            for p in record(&request.data_dir, &entry) {
                progress(Progress::Journal(&p));
            }
        }
        let outcome = SignOutcome { input: target.input.clone(), output, result };
        progress(Progress::Finished { index: i, outcome: &outcome });
        batch.outcomes.push(outcome);
    }
    Ok(batch)
}

/// Journals a batch that stopped before its first file, once per file.
fn journal_fatal(req: &SignRequest, e: &Error, id: Option<&Identity>, progress: &mut dyn FnMut(Progress<'_>)) {
    if !req.journal {
        return;
    }
    for t in &req.files {
        let entry = match id.and_then(|i| i.cert.as_ref()) {
            Some(cert) => kyso_journal::Entry {
                role: req.look.role.map(|r| role_name(r).to_owned()),
                token_label: id.and_then(|i| i.token_label.clone()),
                token_module: id.and_then(|i| i.token_module.clone()),
                precheck: Some(e.code().to_owned()),
                ..kyso_journal::Entry::signing(
                    &t.input,
                    cert,
                    req.level.name(),
                    req.level.timestamped().then_some(req.tsa.url.as_str()),
                )
            },
            None => {
                let (input_path, input_sha256) = kyso_journal::file_facts(&t.input);
                kyso_journal::Entry {
                    action: "sign".into(),
                    role: req.look.role.map(|r| role_name(r).to_owned()),
                    input_path,
                    input_sha256,
                    token_label: id.and_then(|i| i.token_label.clone()),
                    level: Some(req.level.name().to_owned()),
                    outcome: "ok".into(),
                    ..Default::default()
                }
            }
        };
        for p in record(&req.data_dir, &entry.failed(e.code())) {
            progress(Progress::Journal(&p));
        }
    }
}

/// A temporary file in `dir` (removed on drop unless persisted): private
/// (0600) when `private`, else with the permissions a new file of the user
/// gets (0666 less the umask), which the signed copy keeps.
fn temp_in(dir: &Path, suffix: &str, private: bool) -> Result<tempfile::TempPath, Error> {
    let mut b = tempfile::Builder::new();
    b.prefix(".kyso-sign-").suffix(suffix);
    #[cfg(unix)]
    if !private {
        use std::os::unix::fs::PermissionsExt;
        // The mode given to open(2) is masked by the umask.
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    #[cfg(not(unix))]
    let _ = private;
    b.tempfile_in(dir)
        .map(tempfile::NamedTempFile::into_temp_path)
        .map_err(|source| Error::Io { path: dir.to_owned(), source })
}

/// Moves a finished temporary file to `output` (replacing it only when
/// asked), with `permissions` (the libraries write their own private
/// temporary files and rename them over ours: the mode is set again here).
fn put_in_place(
    tmp: tempfile::TempPath,
    output: &Path,
    overwrite: bool,
    permissions: std::fs::Permissions,
) -> Result<(), Error> {
    std::fs::set_permissions(&tmp, permissions).map_err(|source| Error::Io { path: output.to_owned(), source })?;
    let done = if overwrite { tmp.persist(output) } else { tmp.persist_noclobber(output) };
    done.map_err(|e| {
        if !overwrite && output.exists() {
            Error::OutputExists(output.to_owned())
        } else {
            Error::Io { path: output.to_owned(), source: e.error }
        }
    })
}

/// Signs one prepared file.
fn sign_one(
    req: &SignRequest,
    signer: &dyn Signer,
    input: &Path,
    plan: Plan,
    checked: &Checked,
    cert: &CertInfo,
    now: i64,
) -> Result<Signed, Error> {
    // Every copy is signed into a temporary file beside its output, renamed
    // into place only when complete (a signed copy signed again replaces
    // itself this way), with the permissions of a new file of the user (the
    // umask), or the input's own when it replaces the input. In memory: a
    // private temporary file, read back, removed.
    let suffix = if plan.format == Format::Pdf { ".pdf" } else { ".tmp" };
    let tmp = match &plan.output {
        Some(p) => {
            if !plan.replace && p.exists() {
                return Err(Error::OutputExists(p.clone()));
            }
            let dir = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
            temp_in(dir, suffix, false)?
        }
        None => temp_in(&std::env::temp_dir(), suffix, true)?,
    };
    let permissions = if plan.in_place { std::fs::metadata(input) } else { std::fs::metadata(&tmp) }
        .map(|m| m.permissions())
        .map_err(|source| Error::Io { path: input.to_owned(), source })?;
    let target: &Path = &tmp;
    let overwrite = true;
    let mut hashes: (Option<[u8; 32]>, Option<[u8; 32]>) = (None, None);
    let (field, byte_range) = match plan.format {
        Format::Office => {
            let opts = kyso_ooxml::SignOptions {
                time: Some(std::time::UNIX_EPOCH + Duration::from_secs(u64::try_from(now).unwrap_or(0))),
                comment: req.reason.clone(),
                tsa: (req.level == Level::Timestamped).then(|| req.tsa_config()),
                overwrite,
            };
            kyso_ooxml::sign_ooxml(input, target, signer, &opts).map_err(Error::Office)?;
            (None, None)
        }
        Format::Pdf => {
            let mut opts = kyso_pdf::SignOptions {
                field_name: req.pdf.field.clone(),
                page: req.pdf.page.or(Some(1)),
                time: Some(now),
                tsa: req.level.timestamped().then(|| req.tsa_config()),
                reason: req.reason.clone(),
                location: req.pdf.location.clone(),
                contact_info: req.pdf.contact.clone(),
                name: cert.subject_cn.clone(),
                certify: req.pdf.certify,
                force: overwrite,
                ..Default::default()
            };
            if let Some(p) = plan.placement {
                opts.page = Some(p.page);
                opts.appearance = Some(p.appearance);
                opts.extra_widgets = p.extra_widgets;
            }
            if req.level.long_term() {
                // B-LT/B-LTA (ETSI EN 319 142-1 §6.3, §6.4): signed, then
                // given its DSS (and document timestamp) in the temporary
                // file; the output appears only when all of it succeeded.
                let o = kyso_pdf::sign_pdf(input, target, signer, &opts).map_err(Error::Pdf)?;
                let archive = req.tsa_config();
                let lt = kyso_pdf::ltv::LongTerm {
                    leaf: signer.certificate(),
                    issuer: checked.issuer.as_ref(),
                    certs: &checked.certs,
                    crls: &checked.crls,
                    ocsps: &checked.ocsps,
                    fetch: !req.precheck.offline,
                    archive: (req.level == Level::Archive).then_some(&archive),
                };
                kyso_pdf::ltv::make_long_term_via(target, &lt, req.proxy.as_deref()).map_err(Error::LongTerm)?;
                hashes = (Some(o.input_sha256), None);
                (Some(o.field_name), Some(o.byte_range))
            } else {
                let o = kyso_pdf::sign_pdf(input, target, signer, &opts).map_err(Error::Pdf)?;
                hashes = (Some(o.input_sha256), Some(o.output_sha256));
                (Some(o.field_name), Some(o.byte_range))
            }
        }
    };
    let output = match plan.output {
        Some(p) => {
            put_in_place(tmp, &p, plan.replace, permissions)?;
            Output::File(p)
        }
        None => Output::Memory(std::fs::read(&tmp).map_err(|source| Error::Io { path: tmp.to_path_buf(), source })?),
    };
    let (input_sha256, output_sha256) = hashes;
    Ok(Signed { output, field, byte_range, input_sha256, output_sha256 })
}
