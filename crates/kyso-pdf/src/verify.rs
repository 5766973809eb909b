//! PDF signature verification (ISO 32000-2 §12.8, ETSI EN 319 142-1,
//! verdicts per ETSI EN 319 102-1 §5.1.3): every signature field, byte-range
//! integrity and coverage, the CMS, the certification path and revocation,
//! and an object-by-object analysis of everything written after each
//! signature. Returns report values, never errors, for anything in the file.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;
use std::time::SystemTime;

use kyso_pki::report::{
    ChainInputs, Coverage, Integrity, IntegrityFacts, ModificationLevel, Modifications, Revocation, SignatureKind,
    Warning, WarningCode, assess_chain, conclude, rfc3339,
};
pub use kyso_pki::report::{DocumentReport, Indication, SignatureReport};
use kyso_pki::timestamp::TimestampRole;
use kyso_pki::timestamp::{TokenCheck, TokenContext, validate_token};
use kyso_pki::tsp::MessageImprint;
use kyso_pki::{CertDer, CmsCheck, EssCheck, HashAlg, HashState, parse_cms};

use crate::object::{Dict, Object};
use crate::reader::{PdfError, PdfReader, XrefEntry};

/// Inputs of a verification.
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// Trust anchors.
    pub anchors: Vec<CertDer>,
    /// Extra intermediates (beside those in the CMS and the DSS).
    pub extra_certs: Vec<CertDer>,
    /// Extra CRLs (DER).
    pub crls: Vec<Vec<u8>>,
    /// Validation time; default: the signature's timestamp, else now.
    pub at: Option<SystemTime>,
    /// Fetch revocation answers (OCSP, then CRL) the file does not carry;
    /// `None` keeps verification offline.
    pub online: Option<kyso_pki::precheck::PrecheckOptions>,
}

/// The report of a PDF (the vocabulary every format shares).
pub type PdfReport = DocumentReport;

/// The message imprint and time of a `TSTInfo` (RFC 3161 §2.4.2).
fn parse_tst(econtent: &[u8]) -> Option<(MessageImprint, SystemTime)> {
    kyso_pki::tsp::parse_tst_info(econtent).map(|i| (i.imprint, i.time))
}

/// Parses a PDF date `D:YYYYMMDDHHmmSSOHH'mm'` (§7.9.4).
fn parse_pdf_date(s: &[u8]) -> Option<SystemTime> {
    let s = std::str::from_utf8(s).ok()?;
    let s = s.strip_prefix("D:").unwrap_or(s);
    let num = |a: usize, b: usize, d: i64| -> i64 { s.get(a..b).and_then(|x| x.parse().ok()).unwrap_or(d) };
    let (y, mo, d, h, mi, se) =
        (num(0, 4, 0), num(4, 6, 1), num(6, 8, 1), num(8, 10, 0), num(10, 12, 0), num(12, 14, 0));
    if y == 0 {
        return None;
    }
    let date = time::Date::from_calendar_date(y as i32, time::Month::try_from(mo as u8).ok()?, d as u8).ok()?;
    let t = time::Time::from_hms(h as u8, mi as u8, se as u8).ok()?;
    let mut off = 0i64;
    if let Some(sign) = s.get(14..15) {
        let oh = num(15, 17, 0);
        let om = num(18, 20, 0);
        off = (oh * 3600 + om * 60) * if sign == "-" { -1 } else { 1 };
    }
    let unix = time::PrimitiveDateTime::new(date, t).assume_utc().unix_timestamp() - off;
    Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(unix.max(0) as u64))
}

pub(crate) struct Field {
    name: String,
    num: Option<u32>,
    pub(crate) value: Option<Object>,
    /// Its widget kids (no /T, ISO 32000-2 §12.7.4.1), listed in /Kids.
    pub(crate) widgets: Vec<u32>,
}

/// The walk's memory: fields entered, and whether each kid is a field (has
/// /T), so that a /Kids array shared by many fields is read once.
#[derive(Default)]
struct Walk {
    seen: HashSet<u32>,
    is_field: HashMap<u32, bool>,
}

/// Signature fields of the AcroForm, walking /Kids (bounded, cycle-safe).
pub(crate) fn signature_fields(reader: &PdfReader) -> Result<Vec<Field>, PdfError> {
    let (_, catalog) = reader.catalog()?;
    let Some(af) = catalog.get("AcroForm") else { return Ok(Vec::new()) };
    let af = reader.resolve(af)?;
    let Some(fields) = af.as_dict().and_then(|d| d.get("Fields")) else { return Ok(Vec::new()) };
    let Object::Array(fields) = reader.resolve(fields)? else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    let mut walk = Walk::default();
    for f in fields {
        walk_field(reader, &f, "", None, &mut out, &mut walk, 0)?;
    }
    Ok(out)
}

fn walk_field(
    reader: &PdfReader,
    node: &Object,
    prefix: &str,
    inherited_ft: Option<Vec<u8>>,
    out: &mut Vec<Field>,
    walk: &mut Walk,
    depth: usize,
) -> Result<(), PdfError> {
    let num = match node {
        Object::Ref(n, _) => {
            if !walk.seen.insert(*n) || depth > 32 || walk.seen.len() > 100_000 {
                return Ok(());
            }
            Some(*n)
        }
        _ => None,
    };
    let obj = reader.resolve(node)?;
    let Some(d) = obj.as_dict() else { return Ok(()) };
    let part = crate::diff::text(d.get("T"));
    let name = match (&part, prefix.is_empty()) {
        (Some(p), true) => p.clone(),
        (Some(p), false) => format!("{prefix}.{p}"),
        (None, _) => prefix.to_owned(),
    };
    let ft = d.get("FT").and_then(Object::as_name).map(<[u8]>::to_vec).or(inherited_ft);
    let kids = match d.get("Kids").map(|k| reader.resolve(k)).transpose()? {
        Some(Object::Array(k)) => k,
        _ => Vec::new(),
    };
    // Kids that are only widgets (no /T) belong to this field; each kid is
    // read once however many fields list it.
    let mut field_kids = Vec::new();
    let mut widgets = Vec::new();
    for k in &kids {
        let is_field = match k {
            Object::Ref(n, _) => match walk.is_field.get(n) {
                Some(f) => *f,
                None => {
                    let f =
                        reader.get(*n).ok().and_then(|o| o.as_dict().map(|d| d.get("T").is_some())).unwrap_or(false);
                    walk.is_field.insert(*n, f);
                    f
                }
            },
            _ => k.as_dict().is_some_and(|d| d.get("T").is_some()),
        };
        match (is_field, k) {
            (true, _) => field_kids.push(k),
            (false, Object::Ref(n, _)) => widgets.push(*n),
            _ => {}
        }
    }
    if field_kids.is_empty() {
        if ft.as_deref() == Some(b"Sig") {
            out.push(Field { name, num, value: d.get("V").cloned(), widgets });
        }
    } else {
        for k in field_kids {
            walk_field(reader, k, &name, ft.clone(), out, walk, depth + 1)?;
        }
    }
    Ok(())
}

/// Hashes `[0, a) ∪ [b, b + c)` of the file through a fixed buffer.
fn hash_ranges(path: &Path, alg: HashAlg, br: &[u64; 4]) -> std::io::Result<Vec<u8>> {
    let mut f = std::fs::File::open(path)?;
    let mut h = HashState::new(alg);
    let mut buf = vec![0u8; 1 << 16];
    let mut feed = |f: &mut std::fs::File, start: u64, len: u64, h: &mut HashState| -> std::io::Result<()> {
        use std::io::Seek;
        f.seek(std::io::SeekFrom::Start(start))?;
        let mut left = len;
        while left > 0 {
            let n = f.read(&mut buf[..left.min(1 << 16) as usize])?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            h.update(&buf[..n]);
            left -= n as u64;
        }
        Ok(())
    };
    feed(&mut f, br[0], br[1], &mut h)?;
    feed(&mut f, br[2], br[3], &mut h)?;
    Ok(h.finalize())
}

/// Digests of many byte ranges in one sequential read of the file. Every
/// ByteRange is `[0, a) ∪ [b, e)`: one running state per algorithm hashes the
/// file from the start, is forked at each `a`, and each fork then takes only
/// the bytes of its own `[b, e)` (a revision's tail), so the cost is one pass
/// plus the tails, not one pass per signature.
fn hash_all(path: &Path, requests: &[(HashAlg, [u64; 4])]) -> std::io::Result<Vec<Vec<u8>>> {
    let mut f = std::fs::File::open(path)?;
    let mut shared: Vec<(HashAlg, HashState)> = Vec::new();
    for a in requests.iter().map(|r| r.0) {
        if !shared.iter().any(|(x, _)| *x == a) {
            shared.push((a, HashState::new(a)));
        }
    }
    let prefix_end = requests.iter().map(|r| r.1[1]).max().unwrap_or(0);
    let end = requests.iter().map(|r| r.1[2] + r.1[3]).max().unwrap_or(0);
    let mut forks: Vec<Option<HashState>> = vec![None; requests.len()];
    let mut breaks: Vec<u64> = requests.iter().flat_map(|r| [r.1[1], r.1[2], r.1[2] + r.1[3]]).collect();
    breaks.push(end);
    breaks.sort_unstable();
    breaks.dedup();
    let mut buf = vec![0u8; 1 << 16];
    let mut pos = 0u64;
    while pos < end {
        // Fork the shared state for signatures whose hole starts here.
        for (i, (alg, br)) in requests.iter().enumerate() {
            if br[1] == pos && forks[i].is_none() {
                forks[i] = shared.iter().find(|(a, _)| a == alg).map(|(_, h)| h.clone());
            }
        }
        let next_break = breaks.iter().copied().find(|b| *b > pos).unwrap_or(end);
        let n = (next_break - pos).min(buf.len() as u64) as usize;
        let got = f.read(&mut buf[..n])?;
        if got == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let chunk = &buf[..got];
        if pos < prefix_end {
            for (_, h) in &mut shared {
                h.update(chunk);
            }
        }
        for (i, (_, br)) in requests.iter().enumerate() {
            if pos >= br[2]
                && pos < br[2] + br[3]
                && let Some(h) = &mut forks[i]
            {
                h.update(chunk);
            }
        }
        pos += got as u64;
    }
    // A request whose hole starts at the end (empty second range) forks last.
    for (i, (alg, br)) in requests.iter().enumerate() {
        if br[1] == pos && forks[i].is_none() {
            forks[i] = shared.iter().find(|(a, _)| a == alg).map(|(_, h)| h.clone());
        }
    }
    Ok(forks.into_iter().map(|h| h.map(HashState::finalize).unwrap_or_default()).collect())
}

/// Precomputed range digests, keyed by algorithm and byte range.
type Digests = Vec<((HashAlg, [u64; 4]), Vec<u8>)>;

fn digest_of(path: &Path, digests: &Digests, alg: HashAlg, br: &[u64; 4]) -> std::io::Result<Vec<u8>> {
    match digests.iter().find(|(k, _)| k.0 == alg && &k.1 == br) {
        Some((_, d)) => Ok(d.clone()),
        None => hash_ranges(path, alg, br),
    }
}

/// The (algorithm, range) pairs the signatures will need, found cheaply
/// before the single hashing pass.
fn plan_digests(reader: &PdfReader, fields: &[Field]) -> Vec<(HashAlg, [u64; 4])> {
    let mut out = Vec::new();
    for f in fields {
        let Some(Object::Ref(n, _)) = &f.value else { continue };
        let Ok(Object::Dict(sig)) = reader.get(*n) else { continue };
        let br: Vec<i64> = match sig.get("ByteRange") {
            Some(Object::Array(a)) => a.iter().map(|x| x.as_int().unwrap_or(-1)).collect(),
            _ => continue,
        };
        if br.len() != 4
            || br.iter().any(|v| *v < 0)
            || br[0] != 0
            || br[2] < br[1]
            || (br[2] + br[3]) as u64 > reader.len()
        {
            continue;
        }
        let br = [0, br[1] as u64, br[2] as u64, br[3] as u64];
        let Some(Object::Str(c)) = sig.get("Contents") else { continue };
        let Ok(cms) = parse_cms(c) else { continue };
        let sub = sig.get("SubFilter").and_then(Object::as_name).unwrap_or_default();
        let alg = match sub {
            b"adbe.pkcs7.sha1" => HashAlg::Sha1,
            b"ETSI.RFC3161" => match cms
                .econtent()
                .and_then(|e| parse_tst(&e))
                .and_then(|(i, _)| HashAlg::from_oid(&i.hash_algorithm.oid))
            {
                Some(a) => a,
                None => continue,
            },
            _ => cms.digest_alg,
        };
        if !out.contains(&(alg, br)) {
            out.push((alg, br));
        }
    }
    out
}

/// Verifies every signature of the PDF at `path`.
pub fn verify_pdf(path: &Path, opts: &VerifyOptions) -> PdfReport {
    match verify_inner(path, opts) {
        Ok(r) => r,
        Err(e) => PdfReport::failed(e.to_string()),
    }
}

fn verify_inner(path: &Path, opts: &VerifyOptions) -> Result<PdfReport, PdfError> {
    let reader = PdfReader::open(path)?;
    if reader.trailer().get("Encrypt").is_some() {
        return Err(PdfError::Encrypted);
    }
    let fields = signature_fields(&reader)?;
    let (_, catalog) = reader.catalog()?;
    let docmdp = certification_of(&reader, &catalog);
    let dss = dss_material(&reader, &catalog);
    let plan = plan_digests(&reader, &fields);
    let digests: Digests = match hash_all(path, &plan) {
        Ok(d) => plan.into_iter().zip(d).collect(),
        Err(_) => Vec::new(),
    };
    let revisions = revision_ends(&reader);
    let ctx = Context { reader: &reader, path, opts, docmdp, dss, digests, revisions };
    let mut signatures = Vec::new();
    let mut unsigned = Vec::new();
    for f in fields {
        // A signature dictionary whose /Contents is still all zeros was
        // prepared but never signed: the field is unsigned.
        let placeholder = f.value.as_ref().and_then(|v| reader.resolve(v).ok()).is_some_and(|v| {
            matches!(v.as_dict().and_then(|d| d.get("Contents")), Some(Object::Str(c)) if c.iter().all(|b| *b == 0))
        });
        match &f.value {
            _ if placeholder => unsigned.push(f.name.clone()),
            None => unsigned.push(f.name.clone()),
            Some(v) => signatures.push(verify_one(&ctx, &f, v)),
        }
    }
    Ok(PdfReport::of(signatures, unsigned))
}

/// (certification signature object number, P).
fn certification_of(reader: &PdfReader, catalog: &Dict) -> Option<(u32, i64)> {
    let perms = reader.resolve(catalog.get("Perms")?).ok()?;
    let Some(Object::Ref(n, _)) = perms.as_dict()?.get("DocMDP").cloned() else { return None };
    let sig = reader.get(n).ok()?;
    let mut p = 2;
    if let Some(Object::Array(refs)) = sig.as_dict()?.get("Reference").and_then(|r| reader.resolve(r).ok()) {
        for r in refs {
            let r = reader.resolve(&r).ok()?;
            let d = r.as_dict()?;
            if d.get("TransformMethod").and_then(Object::as_name) == Some(b"DocMDP") {
                p = d
                    .get("TransformParams")
                    .and_then(|t| reader.resolve(t).ok())
                    .and_then(|t| t.as_dict().and_then(|t| t.get("P")).and_then(Object::as_int))
                    .unwrap_or(2);
            }
        }
    }
    Some((n, p))
}

/// Certificates and CRLs of the Document Security Store (ETSI EN 319 142-1 §5.4).
#[derive(Default)]
struct Dss {
    certs: Vec<CertDer>,
    crls: Vec<Vec<u8>>,
    ocsps: Vec<Vec<u8>>,
}

fn dss_material(reader: &PdfReader, catalog: &Dict) -> Dss {
    let mut out = Dss::default();
    let Some(dss) = catalog.get("DSS").and_then(|d| reader.resolve(d).ok()) else { return out };
    let Some(d) = dss.as_dict() else { return out };
    let streams = |key: &str| -> Vec<Vec<u8>> {
        let Some(Object::Array(items)) = d.get(key).and_then(|a| reader.resolve(a).ok()) else { return Vec::new() };
        items
            .iter()
            .take(10_000)
            .filter_map(|i| match reader.resolve(i).ok()? {
                Object::Stream(sd, data) => reader.stream_data(&sd, &data).ok(),
                _ => None,
            })
            .collect()
    };
    out.certs = streams("Certs").iter().filter_map(|c| CertDer::from_der(c)).collect();
    out.crls = streams("CRLs");
    out.ocsps = streams("OCSPs");
    out
}

/// What every signature of a file is checked against.
struct Context<'a> {
    reader: &'a PdfReader,
    path: &'a Path,
    opts: &'a VerifyOptions,
    /// (certification signature object, DocMDP P).
    docmdp: Option<(u32, i64)>,
    dss: Dss,
    digests: Digests,
    /// Where each revision ends (just after its `%%EOF`).
    revisions: Vec<u64>,
}

#[allow(clippy::too_many_lines)]
fn verify_one(ctx: &Context<'_>, field: &Field, value: &Object) -> SignatureReport {
    let (reader, path, opts, docmdp, dss, digests) =
        (ctx.reader, ctx.path, ctx.opts, &ctx.docmdp, &ctx.dss, &ctx.digests);
    let mut r = SignatureReport::new(field.name.clone(), SignatureKind::Signature, String::new());
    let _ = field.num;
    // The signature dictionary must be an indirect object at a file offset:
    // its /Contents is what the byte range leaves out.
    let Object::Ref(sig_num, _) = value else {
        r.warnings.push(WarningCode::SigDictNotIndirect.into());
        return r;
    };
    let Some(XrefEntry::Offset(sig_off, _)) = reader.entry(*sig_num) else {
        r.warnings.push(WarningCode::SigDictNotAtOffset.into());
        return r;
    };
    let Ok(Object::Dict(sig)) = reader.get(*sig_num) else { return r };
    if let Some((n, p)) = docmdp
        && n == sig_num
    {
        r.certification = Some(*p);
    }
    r.subfilter = sig
        .get("SubFilter")
        .and_then(Object::as_name)
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .unwrap_or_default();
    if sig.get("Type").and_then(Object::as_name) == Some(b"DocTimeStamp") || r.subfilter == "ETSI.RFC3161" {
        r.kind = SignatureKind::DocumentTimestamp;
    }
    let claimed = match sig.get("M") {
        Some(Object::Str(m)) => parse_pdf_date(m),
        _ => None,
    };

    // --- ByteRange (§12.8.1): [0 a b c], the gap exactly this /Contents.
    let br: Vec<i64> = match sig.get("ByteRange") {
        Some(Object::Array(a)) => a.iter().map(|x| x.as_int().unwrap_or(-1)).collect(),
        _ => Vec::new(),
    };
    r.byte_range = br.clone();
    let len = reader.len();
    let span = reader.dict_value_span(sig_off, "Contents").ok().flatten();
    let valid_br = br.len() == 4
        && br.iter().all(|v| *v >= 0)
        && br[0] == 0
        && br[2] >= br[1]
        && (br[2] + br[3]) as u64 <= len
        && span == Some((br[1] as u64, br[2] as u64));
    if !valid_br {
        r.warnings.push(WarningCode::ByteRangeInvalid.into());
        return r;
    }
    let br = [0u64, br[1] as u64, br[2] as u64, br[3] as u64];
    let signed_end = br[2] + br[3];

    // --- The CMS.
    let Some(Object::Str(contents)) = sig.get("Contents") else { return r };
    let cms = match parse_cms(contents) {
        Ok(c) => c,
        Err(e) => {
            r.warnings.push(Warning::with(WarningCode::CmsInvalid, e.to_string()));
            return r;
        }
    };
    // Timestamps are validated like signatures (ETSI EN 319 102-1 §5.4):
    // the same anchors, the file's and the caller's certificates and
    // revocation data, at the validation time (never a token's own time).
    let at = opts.at.unwrap_or_else(SystemTime::now);
    let mut pool = cms.certificates.clone();
    pool.extend(dss.certs.iter().cloned());
    pool.extend(opts.extra_certs.iter().cloned());
    let mut crls = cms.crls.clone();
    crls.extend(dss.crls.iter().cloned());
    crls.extend(opts.crls.iter().cloned());
    let tctx = TokenContext {
        anchors: &opts.anchors,
        pool: &pool,
        crls: &crls,
        ocsps: &dss.ocsps,
        at,
        online: opts.online.as_ref(),
    };
    let (check, own_token) = match r.subfilter.as_str() {
        "adbe.pkcs7.sha1" => {
            // ISO 32000-2 §12.8.3.3.1: the SHA-1 of the ranges is the encapsulated content.
            let Ok(range_sha1) = digest_of(path, digests, HashAlg::Sha1, &br) else { return r };
            let econtent = cms.econtent().unwrap_or_default();
            let c = cms.check(&cms.digest_alg.digest(&econtent));
            let ok = econtent == range_sha1;
            (CmsCheck { message_digest_ok: c.message_digest_ok && ok, ..c }, None)
        }
        "ETSI.RFC3161" => {
            let econtent = cms.econtent().unwrap_or_default();
            let c = cms.check(&cms.digest_alg.digest(&econtent));
            match parse_tst(&econtent) {
                Some((imprint, _)) => {
                    let alg = HashAlg::from_oid(&imprint.hash_algorithm.oid);
                    let ok = alg
                        .and_then(|a| digest_of(path, digests, a, &br).ok())
                        .is_some_and(|d| d == imprint.hashed_message.as_bytes());
                    // ETSI EN 319 142-1 §5.4.3: the token's imprint is the
                    // digest of the byte ranges.
                    let token = validate_token(contents, &|a| digest_of(path, digests, a, &br).ok(), &tctx);
                    (CmsCheck { message_digest_ok: c.message_digest_ok && ok, ..c }, Some(token))
                }
                None => {
                    r.warnings.push(WarningCode::TstinfoInvalid.into());
                    return r;
                }
            }
        }
        _ => {
            if cms.econtent().is_some() {
                // A detached signature must not carry content (pyHanko agrees).
                r.warnings.push(WarningCode::DetachedWithEcontent.into());
                return r;
            }
            let Ok(detached_digest) = digest_of(path, digests, cms.digest_alg, &br) else { return r };
            (cms.check(&detached_digest), None)
        }
    };
    // --- Time (ETSI EN 319 102-1 §5.6.2.4): the token of this signature
    // (its signature timestamp, or a document timestamp's own token) is
    // shown when intact and is a proof of existence only when validated;
    // a validated VRI timestamp and the document timestamps of later
    // revisions covering this one prove existence too. The best proven
    // time is the earliest; claimed times are shown, never used.
    let token = own_token
        .or_else(|| check.timestamp_token.as_ref().map(|tok| signature_timestamp(tok, cms.signature_value(), &tctx)));
    let mut poe = None;
    if let Some(t) = &token {
        r.timestamp = t.time.map(rfc3339);
        r.timestamp_trust = Some(t.trust);
        let role = match r.kind {
            SignatureKind::Signature => TimestampRole::Signature,
            SignatureKind::DocumentTimestamp => TimestampRole::Document,
        };
        r.warnings.extend(t.warning(role));
        if r.kind == SignatureKind::Signature {
            poe = t.poe();
        }
    }
    if r.kind == SignatureKind::Signature
        && let Some(vri) = vri_timestamp(ctx, contents, cms.signature_value(), &tctx)
    {
        r.warnings.extend(vri.warning(TimestampRole::Vri));
        poe = earliest(poe, vri.poe());
    }
    poe = earliest(poe, later_document_timestamps(ctx, signed_end, &tctx));
    let claimed = claimed.or(check.signing_time);
    r.claimed_time = claimed.map(rfc3339);
    r.signing_time = r.claimed_time.clone();
    r.poe_time = poe.map(rfc3339);
    // A claimed time well after what a trusted authority attests is false.
    let slack = token.as_ref().and_then(|t| t.accuracy).unwrap_or_default() + std::time::Duration::from_secs(120);
    if let (Some(c), Some(p)) = (claimed, poe)
        && c > p + slack
    {
        r.warnings.push(WarningCode::ClaimedTimeAfterPoe.into());
    }

    // --- Identity: only the certificate the signature binds is shown;
    // other certificates matching the signer identifier are reported.
    if let Some(cert) = &check.signer_cert {
        r.set_signer(cert);
    }
    for other in &check.ignored_candidates {
        r.warnings.push(Warning::with(WarningCode::SignerCertificateIgnored, other.to_string()));
    }

    // --- Integrity.
    let integrity_ok = check.candidate_found && check.message_digest_ok && check.signature_ok;
    r.integrity = if integrity_ok {
        Integrity::Intact
    } else if !check.candidate_found {
        Integrity::Unknown
    } else {
        Integrity::Broken
    };

    // --- Coverage.
    r.coverage = if signed_end == len {
        Coverage::WholeFile
    } else if ends_revision(reader, signed_end) {
        Coverage::WholeRevision
    } else {
        Coverage::Anomaly
    };

    let covered = ctx.revisions.iter().filter(|e| **e <= signed_end).count();
    if covered > 0 {
        r.revision = Some([covered, ctx.revisions.len()]);
    }

    // --- Changes after signing, judged against the signed revision itself
    // (crate::diff); the certification too is the signed revision's
    // (ISO 32000-2 §12.8.2.2: a later update cannot remove or add it).
    if matches!(r.coverage, Coverage::WholeRevision | Coverage::WholeFile) {
        r.certification = crate::diff::certification_at(path, signed_end).filter(|(n, _)| n == sig_num).map(|(_, p)| p);
    }
    if r.coverage == Coverage::WholeRevision {
        match crate::diff::analyse(path, signed_end, &ctx.revisions, *sig_num) {
            Ok(a) => {
                r.modifications = a.verdict;
                r.modification_level = a.level;
                r.modification_details = a.changes.iter().filter(|c| !c.allowed).map(|c| c.detail.clone()).collect();
                r.changes = a.changes;
                r.warnings.extend(a.warnings);
            }
            Err(e) => {
                r.modifications = Modifications::Disallowed;
                r.modification_level = ModificationLevel::Other;
                r.modification_details = vec![format!("the signed revision cannot be read: {e}")];
            }
        }
    }

    // --- Chain and revocation, at the validation time, expiry and
    // revocation weighed against the proven time.
    if let Some(cert) = &check.signer {
        assess_chain(
            &mut r,
            ChainInputs {
                signer: cert,
                pool: pool.clone(),
                crls: crls.clone(),
                ocsps: dss.ocsps.clone(),
                anchors: &opts.anchors,
                at,
                timestamp: poe,
                online: opts.online.as_ref(),
                signing_time: claimed.unwrap_or(at),
            },
        );
    }
    if r.revocation == Revocation::NotChecked {
        // TT 15/2025: say so when revocation could not be checked.
        r.warnings.push(WarningCode::RevocationNotChecked.into());
    }
    if check.ess == EssCheck::Absent && r.kind == SignatureKind::Signature && check.has_signed_attrs {
        r.warnings.push(WarningCode::NoSigningCertificateAttribute.into());
    }

    // --- Indication (ETSI EN 319 102-1 §5.1.3).
    // A document timestamp whose own token does not bind a timestamping
    // authority (RFC 3161 §2.3, §2.4.2) fails its constraints.
    let tsa_constraints_failed = r.kind == SignatureKind::DocumentTimestamp
        && token.as_ref().is_some_and(|t| {
            matches!(
                t.reason,
                Some("not_a_timestamping_authority" | "no_signing_certificate_attribute" | "tsa_not_bound")
            )
        });
    conclude(
        &mut r,
        IntegrityFacts {
            signer_found: check.candidate_found,
            digest_ok: check.message_digest_ok,
            signature_ok: check.signature_ok,
            signing_cert_mismatch: check.ess == EssCheck::Mismatch || tsa_constraints_failed,
            timestamped: poe.is_some(),
        },
    );
    r
}

/// Validates an RFC 3161 signature timestamp (ETSI EN 319 122-1 §5.3, ETSI
/// EN 319 102-1 §5.4): its imprint is the hash of the signature value, and
/// the token is checked like a signature ([`validate_token`]).
fn signature_timestamp(token: &[u8], signature_value: &[u8], tctx: &TokenContext<'_>) -> TokenCheck {
    validate_token(token, &|alg| Some(alg.digest(signature_value)), tctx)
}

fn earliest(a: Option<SystemTime>, b: Option<SystemTime>) -> Option<SystemTime> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

/// The timestamp of this signature's VRI entry in the DSS (ISO 32000-2
/// §12.8.4.4 Table 262 /TS, keyed by the SHA-1 of `/Contents`): a token
/// over the signature value (or the `/Contents` string), validated before
/// it is used as a proof of existence.
fn vri_timestamp(
    ctx: &Context<'_>,
    contents: &[u8],
    signature_value: &[u8],
    tctx: &TokenContext<'_>,
) -> Option<TokenCheck> {
    let reader = ctx.reader;
    let (_, catalog) = reader.catalog().ok()?;
    let dss = reader.resolve(catalog.get("DSS")?).ok()?;
    let vri = reader.resolve(dss.as_dict()?.get("VRI")?).ok()?;
    let key = hex::encode_upper(HashAlg::Sha1.digest(contents));
    let entry = reader.resolve(vri.as_dict()?.get(&key)?).ok()?;
    let Object::Stream(sd, data) = reader.resolve(entry.as_dict()?.get("TS")?).ok()? else { return None };
    let token = reader.stream_data(&sd, &data).ok()?;
    let over_value = validate_token(&token, &|alg| Some(alg.digest(signature_value)), tctx);
    if over_value.reason != Some("imprint_mismatch") {
        return Some(over_value);
    }
    Some(validate_token(&token, &|alg| Some(alg.digest(contents)), tctx))
}

/// The earliest validated document timestamp (ETSI EN 319 142-1 §5.4.3) of
/// a later revision whose first byte range covers the revision ending at
/// `signed_end`: a proof that revision, and the signature in it, existed.
fn later_document_timestamps(ctx: &Context<'_>, signed_end: u64, tctx: &TokenContext<'_>) -> Option<SystemTime> {
    let reader = ctx.reader;
    let mut best = None;
    for f in signature_fields(reader).ok()? {
        let Some(Object::Ref(n, _)) = f.value else { continue };
        let Ok(Object::Dict(sig)) = reader.get(n) else { continue };
        if sig.get("SubFilter").and_then(Object::as_name) != Some(b"ETSI.RFC3161") {
            continue;
        }
        let br: Vec<u64> = match sig.get("ByteRange") {
            Some(Object::Array(a)) => a.iter().filter_map(|x| x.as_int().and_then(|v| u64::try_from(v).ok())).collect(),
            _ => continue,
        };
        let Ok(br) = <[u64; 4]>::try_from(br) else { continue };
        if br[0] != 0 || br[1] < signed_end || br[2] < br[1] || br[2].saturating_add(br[3]) > reader.len() {
            continue;
        }
        let Some(Object::Str(contents)) = sig.get("Contents") else { continue };
        let token = validate_token(contents, &|a| digest_of(ctx.path, &ctx.digests, a, &br).ok(), tctx);
        best = earliest(best, token.poe());
    }
    best
}

/// Where each revision of the file ends: just after the `%%EOF` that
/// follows each cross-reference section (ISO 32000-2 §7.5.5, §7.5.6: an
/// incremental update appends a section, a trailer and `%%EOF`). Only the
/// bytes after each section are read, not the whole file; a `%%EOF` found
/// by chance inside a stream does not count.
fn revision_ends(reader: &PdfReader) -> Vec<u64> {
    const CHUNK: usize = 64 * 1024;
    const LIMIT: u64 = 64 * 1024 * 1024;
    let mut ends = Vec::new();
    for section in reader.sections() {
        let mut off = section.offset;
        while off < reader.len() && off - section.offset < LIMIT {
            let want = (CHUNK as u64).min(reader.len() - off) as usize;
            let Ok(buf) = reader.read_at(off, want) else { break };
            if let Some(i) = buf.windows(5).position(|w| w == b"%%EOF") {
                ends.push(off + i as u64 + 5);
                break;
            }
            if buf.len() < 5 {
                break;
            }
            // Overlap by four bytes so a marker across chunks is seen.
            off += buf.len() as u64 - 4;
        }
    }
    ends.sort_unstable();
    ends.dedup();
    // A linearized file's first revision has two sections, the first-page
    // one ending in its own `%%EOF` (Annex F): one revision, not two.
    let head = reader.read_at(0, 1024.min(reader.len() as usize)).unwrap_or_default();
    if ends.len() > 1 && head.windows(11).any(|w| w == b"/Linearized") {
        ends.remove(0);
    }
    ends
}

/// Whether `end` is the end of a revision: the bytes before it close with
/// `%%EOF` (and an optional end-of-line).
fn ends_revision(reader: &PdfReader, end: u64) -> bool {
    let start = end.saturating_sub(16);
    let Ok(tail) = reader.read_at(start, (end - start) as usize) else { return false };
    let trimmed = tail.iter().rposition(|b| !matches!(b, b'\r' | b'\n')).map_or(&tail[..0], |i| &tail[..=i]);
    trimmed.ends_with(b"%%EOF") && tail.len() - trimmed.len() <= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pass_digests_equal_separate_passes() {
        let dir = std::env::temp_dir().join(format!("kyso-hash-all-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f.bin");
        let data: Vec<u8> = (0..300_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        // Three nested signatures and a timestamp-like request with another hash.
        let reqs = vec![
            (HashAlg::Sha256, [0, 10_000, 20_000, 50_000]),
            (HashAlg::Sha256, [0, 100_000, 140_000, 60_000]),
            (HashAlg::Sha384, [0, 100_000, 140_000, 60_000]),
            (HashAlg::Sha256, [0, 250_000, 260_000, 40_000]),
            (HashAlg::Sha1, [0, 299_000, 300_000, 0]),
        ];
        let one = hash_all(&path, &reqs).unwrap();
        for (i, (alg, br)) in reqs.iter().enumerate() {
            assert_eq!(one[i], hash_ranges(&path, *alg, br).unwrap(), "request {i}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
