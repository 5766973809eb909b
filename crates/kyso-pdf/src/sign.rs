//! PAdES baseline B-B signing by incremental update (ISO 32000-2 §12.8,
//! ETSI EN 319 142-1 §5): a signature field and widget, the signature
//! dictionary with a `/ByteRange` and a zero-filled `/Contents` placeholder
//! sized from the signer's dry run, then the CMS over the byte ranges.
//!
//! The input is never modified: its bytes are streamed into a temporary file
//! beside the output through a fixed buffer (and hashed on the way); the
//! update is appended, patched, flushed and only then renamed into place. A
//! failure at any point (wrong PIN, token pulled out) leaves no output.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use kyso_pki::{CmsBuildError, Hasher, Signer, SignerError, TsaConfig, build_detached_cms_with, estimate_cms_len};
use sha2::Digest as _;

use crate::appearance::{Appearance, relocate};
use crate::object::{Dict, Object, StreamData};
use crate::reader::{PdfError, PdfReader};
use crate::writer::IncrementalUpdate;

/// Room kept in `/Contents` for an RFC 3161 timestamp added later (B-T).
const TIMESTAMP_RESERVE: usize = 8192;
const BYTERANGE_WIDTH: usize = 10;

/// What to sign and how.
#[derive(Clone, Debug, Default)]
pub struct SignOptions {
    /// Name of a new field, or of an existing empty signature field to fill.
    pub field_name: Option<String>,
    /// Page (1-based) of a new field's widget; default 1.
    pub page: Option<usize>,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// `/ContactInfo`.
    pub contact_info: Option<String>,
    /// `/Name`.
    pub name: Option<String>,
    /// Claimed signing time for `/M` (Unix seconds); default now.
    pub time: Option<i64>,
    /// Certify the document (DocMDP, §12.8.2.2) with this permission level
    /// (1, 2 or 3); only for the first signature.
    pub certify: Option<u8>,
    /// Visible appearance; `None` = invisible (zero rectangle).
    pub appearance: Option<Appearance>,
    /// Further widgets of the same signature field, each on a page (1-based)
    /// with its own appearance — e.g. the clerk's number and date written
    /// where the document has them (NĐ 30/2020 Art. 15(3)). Adding a
    /// signature field with its widgets is an allowed change after earlier
    /// signatures.
    pub extra_widgets: Vec<(usize, Appearance)>,
    /// PAdES B-T: a signature timestamp from this TSA (RFC 3161).
    pub tsa: Option<TsaConfig>,
    /// Overwrite an existing output file.
    pub force: bool,
}

/// Why signing failed. The input file is untouched in every case.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// Reading the PDF failed.
    #[error(transparent)]
    Pdf(#[from] PdfError),
    /// I/O on the output.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The output exists and `force` was not given.
    #[error("the output file exists: {0}")]
    OutputExists(PathBuf),
    /// Output and input are the same file.
    #[error("the output must differ from the input")]
    SameFile,
    /// The PDF is encrypted (not supported: refused, never rewritten).
    #[error("the PDF is encrypted")]
    Encrypted,
    /// A certification signature forbids any change (DocMDP P=1).
    #[error("the document is certified with no changes allowed")]
    DocMdpForbids,
    /// Certification asked on a document already signed.
    #[error("only the first signature can certify a document")]
    CertifyNotFirst,
    /// The named field exists and is not an empty signature field.
    #[error("field {0} exists and is not an empty signature field")]
    FieldNotEmpty(String),
    /// The named field is an empty signature field that is its own
    /// widget on the page, so it cannot also take the number and date
    /// widgets of the clerk's one signature (ISO 32000-2 §12.7.4: a field
    /// merged with its widget has no /Kids).
    #[error("field {0} is already placed on the page and cannot also carry the number and date")]
    FieldTakesNoWidgets(String),
    /// The page does not exist.
    #[error("page {page} does not exist (the document has {count})")]
    NoSuchPage {
        /// Asked.
        page: usize,
        /// Available.
        count: usize,
    },
    /// The signer failed (token removed, device error…).
    #[error(transparent)]
    Signer(#[from] SignerError),
    /// The timestamp could not be obtained (nothing was written).
    #[error(transparent)]
    Timestamp(kyso_pki::tsp::TspError),
    /// The CMS did not fit the placeholder (should not happen).
    #[error("the signature is larger than the space reserved")]
    PlaceholderTooSmall,
    /// B-LT asked, but no OCSP response or CRL answers for the signer's
    /// certificate (ETSI EN 319 142-1 §5.4): nothing was written.
    #[error("no revocation information (OCSP or CRL) for the signer's certificate")]
    NoRevocationData,
}

/// What a signing produced.
#[derive(Clone, Debug)]
pub struct SignOutcome {
    /// The signature field's name.
    pub field_name: String,
    /// `/ByteRange`.
    pub byte_range: [u64; 4],
    /// Size of the signed file.
    pub output_len: u64,
    /// Bytes of CMS written into `/Contents`.
    pub cms_len: usize,
    /// SHA-256 of the input file, from the pass that copied it (for the
    /// journal: no second read).
    pub input_sha256: [u8; 32],
    /// SHA-256 of the signed file: the input's hash state continued over
    /// the appended update (an incremental update, ISO 32000-2 §7.5.6,
    /// leaves the original bytes as the file's prefix).
    pub output_sha256: [u8; 32],
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SignError + '_ {
    move |source| SignError::Io { path: path.to_owned(), source }
}

/// `D:YYYYMMDDHHmmSS+07'00'` (ISO 32000-2 §7.9.4) in Vietnam time (UTC+7,
/// no daylight saving).
fn pdf_date(unix: i64) -> String {
    let offset = time::UtcOffset::from_hms(7, 0, 0).unwrap_or(time::UtcOffset::UTC);
    let t =
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH).to_offset(offset);
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}+07'00'",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn text(o: Option<&Object>) -> Option<String> {
    match o {
        Some(Object::Str(s)) => Some(if s.starts_with(&[0xfe, 0xff]) {
            let u: Vec<u16> = s[2..].chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
            String::from_utf16_lossy(&u)
        } else {
            s.iter().map(|b| char::from(*b)).collect()
        }),
        _ => None,
    }
}

/// The DocMDP permission of an existing certification signature, if any
/// (§12.8.2.2: `/Perms /DocMDP` → signature → `/Reference` → `/P`, default 2).
fn docmdp_level(reader: &PdfReader, catalog: &Dict) -> Result<Option<i64>, PdfError> {
    let Some(perms) = catalog.get("Perms") else { return Ok(None) };
    let perms = reader.resolve(perms)?;
    let Some(sig) = perms.as_dict().and_then(|p| p.get("DocMDP")) else { return Ok(None) };
    let sig = reader.resolve(sig)?;
    let Some(refs) = sig.as_dict().and_then(|d| d.get("Reference")) else { return Ok(Some(2)) };
    if let Object::Array(refs) = reader.resolve(refs)? {
        for r in refs {
            let r = reader.resolve(&r)?;
            let Some(d) = r.as_dict() else { continue };
            if d.get("TransformMethod").and_then(Object::as_name) == Some(b"DocMDP") {
                let p = match d.get("TransformParams") {
                    Some(tp) => reader.resolve(tp)?.as_dict().and_then(|t| t.get("P")).and_then(Object::as_int),
                    None => None,
                };
                return Ok(Some(p.unwrap_or(2)));
            }
        }
    }
    Ok(Some(2))
}

/// Writes an appearance's objects and its form XObject; returns the form's
/// object number.
fn write_appearance(up: &mut IncrementalUpdate, ap: &Appearance) -> u32 {
    let numbers: Vec<u32> = ap.objects.iter().map(|_| up.alloc()).collect();
    for (obj, n) in ap.objects.iter().zip(&numbers) {
        let mut o = obj.clone();
        relocate(&mut o, &numbers);
        up.write(*n, &o);
    }
    let (w, h) = ((ap.rect[2] - ap.rect[0]).abs(), (ap.rect[3] - ap.rect[1]).abs());
    let mut resources = Object::Dict(ap.resources.clone());
    relocate(&mut resources, &numbers);
    let fmt = |v: f64| Object::Real(format!("{v:.2}"));
    let xobj = Dict::new()
        .with("Type", Object::name("XObject"))
        .with("Subtype", Object::name("Form"))
        .with("BBox", Object::Array(vec![fmt(0.0), fmt(0.0), fmt(w), fmt(h)]))
        .with("Resources", resources);
    let n = up.alloc();
    up.write(n, &Object::Stream(xobj, StreamData::Bytes(ap.content.clone())));
    n
}

/// What fills `/Contents`.
enum Producer<'a> {
    /// A CMS signature by `signer` (PAdES B-B, or B-T with `opts.tsa`).
    Signature(&'a dyn Signer),
    /// A document timestamp (PAdES B-LTA, ISO 32000-2 §12.8.5): the TSA's
    /// token over the byte ranges.
    DocTimestamp(&'a TsaConfig),
}

/// Signs `input` into `output` with `signer`.
pub fn sign_pdf(
    input: &Path,
    output: &Path,
    signer: &dyn Signer,
    opts: &SignOptions,
) -> Result<SignOutcome, SignError> {
    write_signature(input, output, Producer::Signature(signer), opts)
}

/// Adds a document timestamp (`/Type /DocTimeStamp`, `/SubFilter
/// /ETSI.RFC3161`) from `tsa` in a new revision — the last step of PAdES
/// B-LTA (ETSI EN 319 142-1 §5.5).
pub fn timestamp_pdf(
    input: &Path,
    output: &Path,
    tsa: &TsaConfig,
    opts: &SignOptions,
) -> Result<SignOutcome, SignError> {
    write_signature(input, output, Producer::DocTimestamp(tsa), opts)
}

/// The form's top-level fields as the signing sees them.
struct FormFields {
    /// Every field's name (a new field takes a free one).
    names: Vec<String>,
    /// Signature fields that hold a signature.
    signed_fields: usize,
    /// The field asked for by name, when it exists.
    existing: Option<(u32, Dict)>,
}

/// Reads the form's fields (`/AcroForm /Fields`, ISO 32000-2 §12.7.3) and
/// checks the field asked for: it must be an empty signature field
/// (§12.7.5.5), and one that is merged with its widget cannot take the
/// extra widgets of the clerk's signature.
fn form_fields(
    reader: &PdfReader,
    fields: &[Object],
    want: Option<&str>,
    extra_widgets: bool,
) -> Result<FormFields, SignError> {
    let mut out = FormFields { names: Vec::new(), signed_fields: 0, existing: None };
    for f in fields.iter().take(10_000) {
        let Object::Ref(num, _) = f else { continue };
        let Some(d) = reader.get(*num)?.as_dict().cloned() else { continue };
        let name = text(d.get("T")).unwrap_or_default();
        let signature = d.get("FT").and_then(Object::as_name) == Some(b"Sig");
        if d.get("V").is_some() && signature {
            out.signed_fields += 1;
        }
        if want == Some(name.as_str()) {
            if !signature || d.get("V").is_some() {
                return Err(SignError::FieldNotEmpty(name));
            }
            if extra_widgets {
                return Err(SignError::FieldTakesNoWidgets(name));
            }
            out.existing = Some((*num, d));
        }
        out.names.push(name);
    }
    Ok(out)
}

/// The interactive form (ISO 32000-2 §12.7.3): the catalog's /AcroForm
/// and its /Fields as written (a reference or inline) and resolved (empty
/// when absent or malformed).
struct Form {
    acroform_obj: Option<Object>,
    acroform: Dict,
    fields_obj: Option<Object>,
    fields: Vec<Object>,
}

fn read_form(reader: &PdfReader, catalog: &Dict) -> Result<Form, SignError> {
    let acroform_obj = catalog.get("AcroForm").cloned();
    let acroform = match &acroform_obj {
        Some(o) => reader.resolve(o)?.as_dict().cloned().unwrap_or_default(),
        None => Dict::new(),
    };
    let fields_obj = acroform.get("Fields").cloned();
    let fields = match &fields_obj {
        Some(o) => match reader.resolve(o)? {
            Object::Array(a) => a,
            _ => Vec::new(),
        },
        None => Vec::new(),
    };
    Ok(Form { acroform_obj, acroform, fields_obj, fields })
}

/// Checks, before anything is signed, that the field named `name` can take
/// the signature: absent (a new field is made), or an empty signature field
/// and, when the signature has `extra_widgets` (the clerk's number and
/// date), not one already placed on a page. The signing checks the same.
pub fn check_field(reader: &PdfReader, name: &str, extra_widgets: bool) -> Result<(), SignError> {
    let (_, catalog) = reader.catalog()?;
    let form = read_form(reader, &catalog)?;
    form_fields(reader, &form.fields, Some(name), extra_widgets).map(drop)
}

fn write_signature(
    input: &Path,
    output: &Path,
    producer: Producer<'_>,
    opts: &SignOptions,
) -> Result<SignOutcome, SignError> {
    if let (Ok(a), Ok(b)) = (std::fs::canonicalize(input), std::fs::canonicalize(output))
        && a == b
    {
        return Err(SignError::SameFile);
    }
    if output.exists() && !opts.force {
        return Err(SignError::OutputExists(output.to_owned()));
    }
    let reader = PdfReader::open(input)?;
    if reader.trailer().get("Encrypt").is_some() {
        return Err(SignError::Encrypted);
    }
    let (catalog_num, catalog) = reader.catalog()?;
    if docmdp_level(&reader, &catalog)? == Some(1) {
        return Err(SignError::DocMdpForbids);
    }

    // --- The form: existing fields, chosen or new field name.
    let Form { acroform_obj, mut acroform, fields_obj, mut fields } = read_form(&reader, &catalog)?;
    let FormFields { names, signed_fields, existing } =
        form_fields(&reader, &fields, opts.field_name.as_deref(), !opts.extra_widgets.is_empty())?;
    if opts.certify.is_some() && signed_fields > 0 {
        return Err(SignError::CertifyNotFirst);
    }
    let field_name = match &opts.field_name {
        Some(n) => n.clone(),
        None => (1..).map(|i| format!("Signature{i}")).find(|n| !names.contains(n)).unwrap_or_default(),
    };

    let pages = reader.pages()?;
    let page_no = opts.page.unwrap_or(1);
    let page_num =
        *pages.get(page_no.wrapping_sub(1)).ok_or(SignError::NoSuchPage { page: page_no, count: pages.len() })?;

    // --- The update.
    let tail = reader.read_at(reader.len().saturating_sub(1), 1)?;
    let mut up = IncrementalUpdate::new(&reader, !matches!(tail.last(), Some(b'\n' | b'\r')));
    let sig_num = up.alloc();
    let (field_num, mut field) = match &existing {
        Some((n, d)) => (*n, d.clone()),
        None => (up.alloc(), Dict::new()),
    };

    // Signature dictionary (§12.8.1, Table 255).
    let (cms_room, mut sig) = match &producer {
        Producer::Signature(signer) => (
            estimate_cms_len(*signer) + TIMESTAMP_RESERVE,
            Dict::new()
                .with("Type", Object::name("Sig"))
                .with("Filter", Object::name("Adobe.PPKLite"))
                .with("SubFilter", Object::name("ETSI.CAdES.detached")),
        ),
        Producer::DocTimestamp(_) => (
            2 * TIMESTAMP_RESERVE,
            Dict::new()
                .with("Type", Object::name("DocTimeStamp"))
                .with("Filter", Object::name("Adobe.PPKLite"))
                .with("SubFilter", Object::name("ETSI.RFC3161")),
        ),
    };
    let now = opts.time.unwrap_or_else(|| time::OffsetDateTime::now_utc().unix_timestamp());
    if let Producer::Signature(_) = producer {
        sig.set("M", Object::Str(pdf_date(now).into_bytes()));
        for (k, v) in [
            ("Reason", &opts.reason),
            ("Location", &opts.location),
            ("ContactInfo", &opts.contact_info),
            ("Name", &opts.name),
        ] {
            if let Some(v) = v {
                sig.set(k, Object::text(v));
            }
        }
    }
    if let Some(p) = opts.certify {
        // §12.8.2.2: DocMDP transform parameters in a signature reference.
        let params = Dict::new()
            .with("Type", Object::name("TransformParams"))
            .with("P", Object::Int(i64::from(p.clamp(1, 3))))
            .with("V", Object::name("1.2"));
        let r = Dict::new()
            .with("Type", Object::name("SigRef"))
            .with("TransformMethod", Object::name("DocMDP"))
            .with("TransformParams", Object::Dict(params));
        sig.set("Reference", Object::Array(vec![Object::Dict(r)]));
    }

    // Field + widget (merged, §12.7.5.5 and §12.5.6.19).
    let rect = opts.appearance.as_ref().map_or([0.0; 4], |a| a.rect);
    let num = |v: f64| Object::Real(format!("{v:.2}"));
    if existing.is_none() {
        field = Dict::new()
            .with("Type", Object::name("Annot"))
            .with("Subtype", Object::name("Widget"))
            .with("FT", Object::name("Sig"))
            .with("T", Object::text(&field_name))
            .with("F", Object::Int(132))
            .with("Rect", Object::Array(rect.iter().map(|v| num(*v)).collect()))
            .with("P", Object::Ref(page_num, 0));
    }
    field.set("V", Object::Ref(sig_num, 0));
    if let Some(ap) = &opts.appearance {
        let ap_num = write_appearance(&mut up, ap);
        field.set("AP", Object::Dict(Dict::new().with("N", Object::Ref(ap_num, 0))));
        if existing.is_some() {
            field.set("Rect", Object::Array(ap.rect.iter().map(|v| num(*v)).collect()));
        }
    }
    // Extra widgets make the field a parent with /Kids (ISO 32000-2
    // §12.7.4.1): the field keeps only field keys and every widget, the
    // main one included, becomes a kid without /T — by §12.7.4.2 a
    // representation of the same field, not a field of its own.
    //
    // Readers disagree on how to tell a widget kid from a child field, so
    // the kids are written in the one shape every reader measured here
    // (docs/architecture.md, "The clerk's one signature") takes as one
    // signature:
    // - the main widget comes first, keeps /Parent (iText 5 and PDFBox
    //   name a widget's field by walking /Parent up from the page's
    //   /Annots) and repeats the field's /V (poppler before 25.12 takes any
    //   kid with /Parent for a child field and reads /V from the kid
    //   itself);
    // - the other widgets carry no /Parent (Table 191 asks for one, but
    //   poppler before 25.12 would otherwise list each as an unsigned
    //   signature field); being in the field's /Kids is what ties them to
    //   the field for pyHanko, Acrobat, poppler and Kyso, which read the
    //   hierarchy from /AcroForm /Fields down.
    let mut extra_refs: Vec<(u32, u32)> = Vec::new();
    let mut main_widget = field_num;
    if !opts.extra_widgets.is_empty() {
        main_widget = up.alloc();
        let mut widget = Dict::new();
        for key in ["Type", "Subtype", "F", "Rect", "P", "AP"] {
            if let Some(v) = field.get(key).cloned() {
                widget.set(key, v);
                field.remove(key);
            }
        }
        widget.set("Parent", Object::Ref(field_num, 0));
        widget.set("V", Object::Ref(sig_num, 0));
        up.write(main_widget, &Object::Dict(widget));
        for (page, ap) in &opts.extra_widgets {
            let pnum =
                *pages.get(page.wrapping_sub(1)).ok_or(SignError::NoSuchPage { page: *page, count: pages.len() })?;
            let ap_num = write_appearance(&mut up, ap);
            let wnum = up.alloc();
            let widget = Dict::new()
                .with("Type", Object::name("Annot"))
                .with("Subtype", Object::name("Widget"))
                .with("F", Object::Int(132))
                .with("Rect", Object::Array(ap.rect.iter().map(|v| num(*v)).collect()))
                .with("P", Object::Ref(pnum, 0))
                .with("AP", Object::Dict(Dict::new().with("N", Object::Ref(ap_num, 0))));
            up.write(wnum, &Object::Dict(widget));
            extra_refs.push((pnum, wnum));
        }
        let kids = std::iter::once(main_widget).chain(extra_refs.iter().map(|(_, w)| *w));
        field.set("Kids", Object::Array(kids.map(|w| Object::Ref(w, 0)).collect()));
    }
    up.write(field_num, &Object::Dict(field));

    // Page /Annots and /AcroForm /Fields for a new field.
    let mut catalog_changed = false;
    let mut catalog = catalog;
    if existing.is_none() {
        // Each page that gets widgets: its /Annots grows (in place when indirect).
        let mut per_page: Vec<(u32, Vec<u32>)> = vec![(page_num, vec![main_widget])];
        for (pnum, wnum) in &extra_refs {
            match per_page.iter_mut().find(|(p, _)| p == pnum) {
                Some((_, list)) => list.push(*wnum),
                None => per_page.push((*pnum, vec![*wnum])),
            }
        }
        for (pnum, widgets) in per_page {
            let refs: Vec<Object> = widgets.iter().map(|w| Object::Ref(*w, 0)).collect();
            let mut page = reader.get(pnum)?.as_dict().cloned().ok_or_else(|| PdfError::Malformed("page".into()))?;
            match page.get("Annots").cloned() {
                Some(Object::Ref(an, _)) => {
                    let mut arr = match reader.get(an)? {
                        Object::Array(a) => a,
                        _ => Vec::new(),
                    };
                    arr.extend(refs);
                    up.write(an, &Object::Array(arr));
                }
                Some(Object::Array(mut arr)) => {
                    arr.extend(refs);
                    page.set("Annots", Object::Array(arr));
                    up.write(pnum, &Object::Dict(page));
                }
                _ => {
                    page.set("Annots", Object::Array(refs));
                    up.write(pnum, &Object::Dict(page));
                }
            }
        }
        fields.push(Object::Ref(field_num, 0));
    }
    match &fields_obj {
        Some(Object::Ref(fnum, _)) => up.write(*fnum, &Object::Array(fields)),
        _ => acroform.set("Fields", Object::Array(fields)),
    }
    acroform.set("SigFlags", Object::Int(3));
    match &acroform_obj {
        Some(Object::Ref(anum, _)) => up.write(*anum, &Object::Dict(acroform)),
        _ => {
            let anum = up.alloc();
            up.write(anum, &Object::Dict(acroform));
            catalog.set("AcroForm", Object::Ref(anum, 0));
            catalog_changed = true;
        }
    }
    if opts.certify.is_some() {
        catalog.set("Perms", Object::Dict(Dict::new().with("DocMDP", Object::Ref(sig_num, 0))));
        catalog_changed = true;
    }
    if catalog_changed {
        let cnum = catalog_num.ok_or_else(|| PdfError::Malformed("/Root is not a reference".into()))?;
        up.write(cnum, &Object::Dict(catalog));
    }

    // The signature dictionary last but one, with fixed-width placeholders.
    let br_placeholder = format!("[0 {z} {z} {z}]", z = "0".repeat(BYTERANGE_WIDTH));
    let sig_at = up.buf.len();
    up.write(
        sig_num,
        &Object::Dict(
            sig.with("ByteRange", Object::Name(b"KYSOBR".to_vec())).with("Contents", Object::Name(b"KYSOCT".to_vec())),
        ),
    );
    let placeholder_contents = format!("<{}>", "0".repeat(cms_room * 2));
    let sig_bytes = up.buf.split_off(sig_at);
    let sig_text = String::from_utf8_lossy(&sig_bytes).replacen("/KYSOBR", &br_placeholder, 1).replacen(
        "/KYSOCT",
        &placeholder_contents,
        1,
    );
    // The IncrementalUpdate recorded the object's offset; only its length changed.
    up.buf.extend_from_slice(sig_text.as_bytes());
    let mut update = up.finish(&reader);

    let base = reader.len();
    let rel = |needle: &[u8]| update.windows(needle.len()).position(|w| w == needle);
    let contents_rel = rel(placeholder_contents.as_bytes()).ok_or(SignError::PlaceholderTooSmall)?;
    let br_rel = rel(br_placeholder.as_bytes()).ok_or(SignError::PlaceholderTooSmall)?;
    let total = base + update.len() as u64;
    let a = base + contents_rel as u64;
    let b = a + placeholder_contents.len() as u64;
    let byte_range = [0, a, b, total - b];
    let br_text = format!("[0 {} {} {}]", byte_range[1], byte_range[2], byte_range[3]);
    let mut br_fixed = br_text.into_bytes();
    br_fixed.resize(br_placeholder.len(), b' ');
    if br_fixed.len() != br_placeholder.len() || byte_range[1] >= 10u64.pow(BYTERANGE_WIDTH as u32) {
        return Err(SignError::PlaceholderTooSmall);
    }
    update[br_rel..br_rel + br_fixed.len()].copy_from_slice(&br_fixed);

    // Stream the original into a temp file beside the output, hashing it.
    let out_dir = output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new().prefix(".kyso-").suffix(".part").tempfile_in(out_dir).map_err(io(output))?;
    let digest_alg = match &producer {
        Producer::Signature(signer) => signer.algorithm().digest(),
        Producer::DocTimestamp(_) => kyso_pki::DigestAlgorithm::Sha256,
    };
    // With SHA-256 as the signature's digest (the usual case), the
    // ByteRange digest starts as the file's own SHA-256 over the original
    // bytes: one hash pass, its state forked after the input.
    let shared = digest_alg == kyso_pki::DigestAlgorithm::Sha256;
    let mut hasher = (!shared).then(|| Hasher::new(digest_alg));
    let mut file_hash = sha2::Sha256::new();
    {
        let mut src = std::fs::File::open(input).map_err(io(input))?;
        let mut buf = vec![0u8; 1 << 16];
        let mut copied = 0u64;
        loop {
            let n = src.read(&mut buf).map_err(io(input))?;
            if n == 0 {
                break;
            }
            if let Some(h) = hasher.as_mut() {
                h.update(&buf[..n]);
            }
            file_hash.update(&buf[..n]);
            tmp.write_all(&buf[..n]).map_err(io(output))?;
            copied += n as u64;
        }
        if copied != base {
            return Err(SignError::Pdf(PdfError::Malformed("the input changed while signing".into())));
        }
    }
    let mut hasher = hasher.unwrap_or_else(|| Hasher::Sha256(file_hash.clone()));
    hasher.update(&update[..contents_rel]);
    hasher.update(&update[contents_rel + placeholder_contents.len()..]);
    let digest = hasher.finalize();

    // The only step that touches the token.
    let cms = match producer {
        Producer::Signature(signer) => {
            build_detached_cms_with(signer, &digest, opts.tsa.as_ref()).map_err(|e| match e {
                CmsBuildError::Signer(s) => SignError::Signer(s),
                CmsBuildError::Timestamp(t) => SignError::Timestamp(t),
                other => SignError::Signer(SignerError::Device(other.to_string())),
            })?
        }
        Producer::DocTimestamp(tsa) => tsa.request_for_digest(&digest).map_err(SignError::Timestamp)?.0,
    };
    if cms.len() > cms_room {
        return Err(SignError::PlaceholderTooSmall);
    }
    let hex = hex::encode_upper(&cms);
    update[contents_rel + 1..contents_rel + 1 + hex.len()].copy_from_slice(hex.as_bytes());

    let input_sha256: [u8; 32] = file_hash.clone().finalize().into();
    file_hash.update(&update);
    let output_sha256: [u8; 32] = file_hash.finalize().into();
    tmp.write_all(&update).map_err(io(output))?;
    tmp.as_file().sync_all().map_err(io(output))?;
    if opts.force {
        tmp.persist(output).map_err(|e| SignError::Io { path: output.to_owned(), source: e.error })?;
    } else {
        tmp.persist_noclobber(output).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                SignError::OutputExists(output.to_owned())
            } else {
                SignError::Io { path: output.to_owned(), source: e.error }
            }
        })?;
    }
    Ok(SignOutcome { field_name, byte_range, output_len: total, cms_len: cms.len(), input_sha256, output_sha256 })
}
