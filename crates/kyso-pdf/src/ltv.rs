//! Long-term validation material (ETSI EN 319 142-1 §5.4, PAdES B-LT): a
//! Document Security Store in a new incremental update, with the
//! certificates, CRLs and OCSP responses each signature needs and a VRI entry per signature
//! (keyed by the upper-case hex SHA-1 of its `/Contents`, §5.4.2.2).

use std::io::{Read, Write};
use std::path::Path;

use kyso_pki::{HashAlg, parse_cms};

use crate::object::{Dict, Object, StreamData};
use crate::reader::{PdfError, PdfReader};
use crate::sign::SignError;
use crate::writer::IncrementalUpdate;

/// What goes into the DSS.
#[derive(Clone, Debug, Default)]
pub struct DssMaterial {
    /// DER certificates (deduplicated).
    pub certs: Vec<Vec<u8>>,
    /// DER CRLs (deduplicated).
    pub crls: Vec<Vec<u8>>,
    /// DER `OCSPResponse`s (deduplicated; set by the caller, e.g. from the
    /// pre-signing check).
    pub ocsps: Vec<Vec<u8>>,
    /// VRI keys (SHA-1 of each signature's /Contents).
    pub vri_keys: Vec<String>,
}

fn push_unique(list: &mut Vec<Vec<u8>>, item: Vec<u8>) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// Gathers, for every signature of `reader`'s document, the certificates of
/// its CMS, the given intermediates/roots and CRLs, and its VRI key.
pub fn collect_material(
    reader: &PdfReader,
    extra_certs: &[Vec<u8>],
    crls: &[Vec<u8>],
) -> Result<DssMaterial, PdfError> {
    let mut m = DssMaterial::default();
    let (_, catalog) = reader.catalog()?;
    let Some(af) = catalog.get("AcroForm") else { return Ok(m) };
    let af = reader.resolve(af)?;
    let Some(Object::Array(fields)) =
        af.as_dict().and_then(|d| d.get("Fields")).map(|f| reader.resolve(f)).transpose()?
    else {
        return Ok(m);
    };
    for f in fields.iter().take(10_000) {
        let f = reader.resolve(f)?;
        let Some(v) = f.as_dict().and_then(|d| d.get("V")) else { continue };
        let v = reader.resolve(v)?;
        let Some(Object::Str(contents)) = v.as_dict().and_then(|d| d.get("Contents")) else { continue };
        m.vri_keys.push(hex::encode_upper(HashAlg::Sha1.digest(contents)));
        if let Ok(cms) = parse_cms(contents) {
            for c in &cms.certificates {
                push_unique(&mut m.certs, c.der.clone());
            }
            for crl in cms.crls {
                push_unique(&mut m.crls, crl);
            }
        }
    }
    for c in extra_certs {
        push_unique(&mut m.certs, c.clone());
    }
    for c in crls {
        push_unique(&mut m.crls, c.clone());
    }
    Ok(m)
}

/// Writes `input` plus an update adding `material` to the DSS into `output`
/// (temporary file, renamed when complete).
pub fn add_dss(input: &Path, output: &Path, material: &DssMaterial, force: bool) -> Result<(), SignError> {
    if output.exists() && !force {
        return Err(SignError::OutputExists(output.to_owned()));
    }
    let reader = PdfReader::open(input)?;
    if reader.trailer().get("Encrypt").is_some() {
        return Err(SignError::Encrypted);
    }
    let (cat_num, mut catalog) = reader.catalog()?;
    let cat_num = cat_num.ok_or_else(|| PdfError::Malformed("/Root is not a reference".into()))?;
    let tail = reader.read_at(reader.len().saturating_sub(1), 1)?;
    let mut up = IncrementalUpdate::new(&reader, !matches!(tail.last(), Some(b'\n' | b'\r')));

    // Keep what an earlier DSS held.
    let mut dss = match catalog.get("DSS").map(|d| reader.resolve(d)).transpose()? {
        Some(Object::Dict(d)) => d,
        _ => Dict::new(),
    };
    let existing = |key: &str, dss: &Dict| -> Result<Vec<Object>, PdfError> {
        Ok(match dss.get(key).map(|a| reader.resolve(a)).transpose()? {
            Some(Object::Array(a)) => a,
            _ => Vec::new(),
        })
    };
    let write_streams = |items: &[Vec<u8>], up: &mut IncrementalUpdate| -> Vec<Object> {
        items
            .iter()
            .map(|der| {
                let n = up.alloc();
                up.write(n, &Object::Stream(Dict::new(), StreamData::Bytes(der.clone())));
                Object::Ref(n, 0)
            })
            .collect()
    };
    let cert_refs = write_streams(&material.certs, &mut up);
    let crl_refs = write_streams(&material.crls, &mut up);
    let ocsp_refs = write_streams(&material.ocsps, &mut up);
    let mut ocsps = existing("OCSPs", &dss)?;
    ocsps.extend(ocsp_refs.iter().cloned());
    let mut certs = existing("Certs", &dss)?;
    certs.extend(cert_refs.iter().cloned());
    let mut crls = existing("CRLs", &dss)?;
    crls.extend(crl_refs.iter().cloned());
    let mut vri = match dss.get("VRI").map(|v| reader.resolve(v)).transpose()? {
        Some(Object::Dict(d)) => d,
        _ => Dict::new(),
    };
    for key in &material.vri_keys {
        let mut entry = Dict::new().with("Cert", Object::Array(cert_refs.clone()));
        if !crl_refs.is_empty() {
            entry.set("CRL", Object::Array(crl_refs.clone()));
        }
        if !ocsp_refs.is_empty() {
            entry.set("OCSP", Object::Array(ocsp_refs.clone()));
        }
        vri.set(key, Object::Dict(entry));
    }
    dss.set("Certs", Object::Array(certs));
    if !crls.is_empty() {
        dss.set("CRLs", Object::Array(crls));
    }
    if !ocsps.is_empty() {
        dss.set("OCSPs", Object::Array(ocsps));
    }
    dss.set("VRI", Object::Dict(vri));
    let dss_num = up.alloc();
    up.write(dss_num, &Object::Dict(dss.with("Type", Object::name("DSS"))));
    catalog.set("DSS", Object::Ref(dss_num, 0));
    up.write(cat_num, &Object::Dict(catalog));
    let update = up.finish(&reader);

    let io = |e: std::io::Error| SignError::Io { path: output.to_owned(), source: e };
    let dir = output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new().prefix(".kyso-").suffix(".part").tempfile_in(dir).map_err(io)?;
    let mut src = std::fs::File::open(input).map_err(io)?;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = src.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        tmp.write_all(&buf[..n]).map_err(io)?;
    }
    tmp.write_all(&update).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    if force {
        tmp.persist(output).map_err(|e| io(e.error))?;
    } else {
        tmp.persist_noclobber(output).map_err(|e| io(e.error))?;
    }
    Ok(())
}

/// What a freshly signed file needs to become B-LT or B-LTA: the
/// pre-signing check's answers and the signer's chain.
#[derive(Clone, Debug)]
pub struct LongTerm<'a> {
    /// The signer's certificate.
    pub leaf: &'a kyso_pki::Certificate,
    /// Its issuer, when known.
    pub issuer: Option<&'a kyso_pki::Certificate>,
    /// Further certificates (DER) for the DSS: the chain.
    pub certs: &'a [Vec<u8>],
    /// CRLs (DER) of the pre-signing check.
    pub crls: &'a [Vec<u8>],
    /// OCSP responses (DER) of the pre-signing check.
    pub ocsps: &'a [Vec<u8>],
    /// Ask the responders and distribution points again after signing.
    pub fetch: bool,
    /// B-LTA: the TSA of the document timestamp over it all.
    pub archive: Option<&'a kyso_pki::TsaConfig>,
}

/// Upgrades a freshly signed file in place to B-LT (a DSS with the chain
/// and revocation answers, ETSI EN 319 142-1 §5.4) or, with an archive
/// TSA, B-LTA (plus a document timestamp, §5.5), through a temporary file
/// beside it. Revocation evidence for B-LT must postdate the signature
/// (ETSI EN 319 102-1 §5.2.5.4): with `fetch`, the responders and
/// distribution points are asked again now that it is signed (the issuer's
/// CRL also answers for a TSA it certified); the pre-signing answers stay.
pub fn make_long_term(output: &Path, lt: &LongTerm<'_>) -> Result<(), SignError> {
    make_long_term_via(output, lt, None)
}

/// [`make_long_term`] with the answers fetched through `proxy` (Settings,
/// `--proxy`; `None` uses the environment's, [`kyso_pki::http::proxy_for`]).
pub fn make_long_term_via(output: &Path, lt: &LongTerm<'_>, proxy: Option<&str>) -> Result<(), SignError> {
    let reader = PdfReader::open(output)?;
    let mut material = collect_material(&reader, lt.certs, lt.crls)?;
    drop(reader);
    material.ocsps = lt.ocsps.to_vec();
    if lt.fetch {
        let mut chain: Vec<kyso_pki::Certificate> = vec![lt.leaf.clone()];
        chain.extend(lt.issuer.cloned());
        let route = kyso_pki::http::Route { timeout: std::time::Duration::from_secs(30), proxy };
        let fresh = kyso_pki::precheck::gather_revocation_via(&chain, &route);
        material.ocsps.extend(fresh.ocsps);
        for c in fresh.crls {
            push_unique(&mut material.crls, c);
        }
    }
    // B-LT means the file proves the signer's certificate was not revoked:
    // without an answer for it there is no B-LT to write.
    let now = std::time::SystemTime::now();
    let answered = lt.issuer.is_some_and(|issuer| {
        kyso_pki::check_crls(lt.leaf, issuer, &material.crls, now) != kyso_pki::RevocationStatus::NotChecked
            || kyso_pki::ocsp::status_from(&material.ocsps, lt.leaf, issuer, now).is_some()
    });
    if !answered {
        return Err(SignError::NoRevocationData);
    }
    // The DSS goes into a temporary file of its own beside `output` (then
    // the document timestamp, for B-LTA), renamed over it only when
    // complete; the temporary file is removed on any failure.
    let dir = output.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let io = |e: std::io::Error| SignError::Io { path: output.to_owned(), source: e };
    let part = tempfile::Builder::new().prefix(".kyso-lt-").suffix(".pdf").tempfile_in(dir).map_err(io)?;
    add_dss(output, part.path(), &material, true)?;
    match lt.archive {
        Some(cfg) => {
            let stamped = tempfile::Builder::new().prefix(".kyso-lta-").suffix(".pdf").tempfile_in(dir).map_err(io)?;
            crate::timestamp_pdf(
                part.path(),
                stamped.path(),
                cfg,
                &crate::SignOptions { force: true, ..Default::default() },
            )?;
            stamped.persist(output).map_err(|e| io(e.error))?;
        }
        None => {
            part.persist(output).map_err(|e| io(e.error))?;
        }
    }
    Ok(())
}
