//! Verification of OOXML package signatures (ECMA-376 Part 2 §13.2, W3C
//! XML-DSig core validation §3.2, XAdES 1.3.2 signed properties), reporting
//! in the vocabulary PDF uses. Besides the references, it accounts for every
//! part and relationship of the package: what a signature does not cover is
//! either metadata Office leaves unsigned by design, or a finding.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::SystemTime;

use kyso_pki::report::{ChainInputs, DocumentReport, Integrity, SignatureReport, assess_chain, conclude, rfc3339};
use kyso_pki::{CertDer, HashAlg};

use crate::OoxmlError;
use crate::c14n::{self, Method};
use crate::dsig::{
    NS_DSIG, NS_MDSSI, NS_XADES, NS_XADES141, RELATIONSHIP_TRANSFORM, c14n_of, canonical_part, digest_alg, follow,
    index_ids, relationship_selectors, relationship_transform, signature_alg, unb64,
};
use crate::package::{
    CT_ORIGIN, CT_SIGNATURE, Package, REL_ORIGIN, REL_SIGNATURE, Relationship, rels_part_of, resolve_target, source_of,
};
use crate::xml::{self, Element};

/// Inputs of a verification (as for PDF).
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// Trust anchors.
    pub anchors: Vec<CertDer>,
    /// Extra intermediates.
    pub extra_certs: Vec<CertDer>,
    /// CRLs (DER).
    pub crls: Vec<Vec<u8>>,
    /// Validation time; default: the signature's timestamp, else now.
    pub at: Option<SystemTime>,
    /// Fetch revocation answers (OCSP, then CRL) the file does not carry;
    /// `None` keeps verification offline.
    pub online: Option<kyso_pki::precheck::PrecheckOptions>,
}

/// Relationship types Office and POI leave out of their signatures by
/// design: package metadata, the signature machinery, custom XML data, and
/// (POI) presentation and view settings. A part reached only through these
/// may be unsigned without it being a finding.
pub(crate) fn unsigned_by_design(rel_type: &str) -> bool {
    left_unsigned_when_signing(rel_type)
        || ["/relationships/presProps", "/relationships/viewProps"].iter().any(|s| rel_type.ends_with(s))
}

/// What we, like Office, leave out when signing: package metadata (POI
/// cannot even dereference the core properties part), custom XML data and
/// the signature machinery.
pub(crate) fn left_unsigned_when_signing(rel_type: &str) -> bool {
    [
        "/metadata/core-properties",
        "/extended-properties",
        "/custom-properties",
        "/metadata/thumbnail",
        "/digital-signature/origin",
        "/digital-signature/signature",
        "/digital-signature/certificate",
        // Custom XML data parts (ECMA-376 Part 1 §15.2.5, §22.5): Office
        // leaves them and their properties out of the signature.
        "/relationships/customXml",
        "/relationships/customXmlProps",
    ]
    .iter()
    .any(|s| rel_type.ends_with(s))
}

/// Verifies every package signature of the file at `path`.
pub fn verify_ooxml(path: &Path, opts: &VerifyOptions) -> DocumentReport {
    match Package::open(path).and_then(|p| verify_package(p, opts)) {
        Ok(r) => r,
        Err(e) => DocumentReport::failed(e.to_string()),
    }
}

/// Verifies every package signature of a package held in memory.
pub fn verify_bytes(bytes: Vec<u8>, opts: &VerifyOptions) -> DocumentReport {
    match Package::from_bytes(bytes).and_then(|p| verify_package(p, opts)) {
        Ok(r) => r,
        Err(e) => DocumentReport::failed(e.to_string()),
    }
}

/// The signature machinery of a package: the origin part, its relationship
/// part and the signature parts (§12.2).
pub(crate) struct Machinery {
    pub origin: Option<String>,
    pub signatures: Vec<String>,
}

impl Machinery {
    pub(crate) fn of(pkg: &mut Package) -> Result<Self, OoxmlError> {
        let root_rels = pkg.relationships("/_rels/.rels")?;
        let origin =
            root_rels.iter().find(|r| r.rel_type == REL_ORIGIN && !r.external).map(|r| resolve_target("/", &r.target));
        let mut signatures = Vec::new();
        if let Some(o) = &origin {
            for r in pkg.relationships(&rels_part_of(o))? {
                if r.rel_type == REL_SIGNATURE && !r.external {
                    let p = resolve_target(o, &r.target);
                    if pkg.find(&p).is_some() && !signatures.contains(&p) {
                        signatures.push(p);
                    }
                }
            }
        }
        Ok(Self { origin, signatures })
    }

    /// Whether `part` belongs to the machinery (never signed, never a finding).
    pub(crate) fn contains(&self, pkg: &Package, part: &str) -> bool {
        let l = part.to_lowercase();
        let is = |p: &str| p.to_lowercase() == l;
        self.origin.as_deref().is_some_and(|o| is(o) || is(&rels_part_of(o)))
            || self.signatures.iter().any(|s| is(s))
            || matches!(pkg.content_type(part), Some(CT_ORIGIN | CT_SIGNATURE))
    }
}

fn verify_package(mut pkg: Package, opts: &VerifyOptions) -> Result<DocumentReport, OoxmlError> {
    let machinery = Machinery::of(&mut pkg)?;
    let mut reports = Vec::new();
    for part in machinery.signatures.clone() {
        reports.push(verify_one(&mut pkg, &machinery, &part, opts));
    }
    Ok(DocumentReport::of(reports, Vec::new()))
}

/// What the references of one signature established.
#[derive(Default)]
struct Coverage {
    /// Parts whose digest matched (lower-case names).
    parts: BTreeSet<String>,
    /// (relationship part, selected Ids) for verified relationship references.
    rels: Vec<(String, Vec<String>)>,
}

#[allow(clippy::too_many_lines)]
fn verify_one(pkg: &mut Package, machinery: &Machinery, part: &str, opts: &VerifyOptions) -> SignatureReport {
    let mut r = SignatureReport::new(part.to_owned(), "signature", "xmldsig".to_owned());
    let doc = match pkg.read(part).and_then(|b| xml::parse(&b).map_err(OoxmlError::from)) {
        Ok(d) => d,
        Err(e) => {
            r.warnings.push(format!("xml_malformed: {e}"));
            return r;
        }
    };
    let root = &doc.root;
    if !root.is(NS_DSIG, "Signature") {
        r.warnings.push("not_an_xml_signature".into());
        return r;
    }
    let ids = match index_ids(root) {
        Ok(i) => i,
        Err(_) => {
            r.warnings.push("duplicate_id".into());
            return r;
        }
    };
    let signed_infos: Vec<&Element> = root.elements().filter(|e| e.is(NS_DSIG, "SignedInfo")).collect();
    let [signed_info] = signed_infos[..] else {
        r.warnings.push("signed_info_missing".into());
        return r;
    };
    let Some((si_method, si_prefixes)) = signed_info.child(NS_DSIG, "CanonicalizationMethod").and_then(c14n_of) else {
        r.warnings.push("unsupported_canonicalization".into());
        return r;
    };
    let Some((sig_hash, sig_alg)) =
        signed_info.child(NS_DSIG, "SignatureMethod").and_then(|m| m.attr("Algorithm")).and_then(signature_alg)
    else {
        r.warnings.push("unsupported_signature_method".into());
        return r;
    };
    let Some(sig_value) = root.child(NS_DSIG, "SignatureValue").and_then(|v| unb64(&v.text())) else {
        r.warnings.push("signature_value_missing".into());
        return r;
    };
    let certs: Vec<CertDer> = root
        .child(NS_DSIG, "KeyInfo")
        .into_iter()
        .flat_map(|k| k.elements().filter(|e| e.is(NS_DSIG, "X509Data")))
        .flat_map(|d| d.elements().filter(|e| e.is(NS_DSIG, "X509Certificate")))
        .filter_map(|c| unb64(&c.text()).and_then(|d| CertDer::from_der(&d)))
        .collect();

    // --- References of SignedInfo (XML-DSig §3.2.1): same-document only, each
    // to an element of this signature reached by a unique Id.
    let mut digest_ok = true;
    let mut verified_ids: Vec<&str> = Vec::new();
    let refs: Vec<&Element> = signed_info.elements().filter(|e| e.is(NS_DSIG, "Reference")).collect();
    if refs.is_empty() {
        r.warnings.push("no_references".into());
        return r;
    }
    for reference in &refs {
        let uri = reference.attr("URI").unwrap_or("");
        let Some(id) = uri.strip_prefix('#') else {
            r.warnings.push(format!("unsupported_reference: {uri}"));
            return r;
        };
        let Some((_, path)) = ids.iter().find(|(v, _)| v == id) else {
            r.modification_details.push(format!("reference_target_missing: {uri}"));
            digest_ok = false;
            continue;
        };
        let path = follow(root, path);
        let (mut method, mut prefixes) = (Method::Inclusive { comments: false }, Vec::new());
        for t in reference.child(NS_DSIG, "Transforms").into_iter().flat_map(|t| t.elements()) {
            match c14n_of(t) {
                // A same-document reference drops comments whatever the method says.
                Some((Method::Inclusive { .. }, p)) => (method, prefixes) = (Method::Inclusive { comments: false }, p),
                Some((Method::Exclusive { .. }, p)) => (method, prefixes) = (Method::Exclusive { comments: false }, p),
                None => {
                    r.warnings.push(format!("unsupported_transform: {}", t.attr("Algorithm").unwrap_or("")));
                    return r;
                }
            }
        }
        let data = c14n::element(&path, method, &prefixes);
        if check_digest(reference, &data) {
            verified_ids.push(id);
        } else {
            digest_ok = false;
            r.modification_details.push(format!("reference_digest_mismatch: {uri}"));
        }
    }

    // The verified ds:Object children of the signature and the XAdES
    // SignedProperties; anything else found by Id (a wrapped copy) is ignored.
    let objects: Vec<&Element> = root
        .elements()
        .filter(|e| e.is(NS_DSIG, "Object") && e.attr("Id").is_some_and(|i| verified_ids.contains(&i)))
        .collect();
    let signed_props: Option<&Element> = root
        .elements()
        .filter(|e| e.is(NS_DSIG, "Object"))
        .flat_map(|o| o.elements().filter(|q| q.is(NS_XADES, "QualifyingProperties")))
        .flat_map(|q| q.elements().filter(|s| s.is(NS_XADES, "SignedProperties")))
        .find(|s| s.attr("Id").is_some_and(|i| verified_ids.contains(&i)));

    // --- The package object: manifest references to parts (§13.2.4).
    let mut cov = Coverage::default();
    let manifests: Vec<&Element> =
        objects.iter().flat_map(|o| o.elements().filter(|e| e.is(NS_DSIG, "Manifest"))).collect();
    if manifests.is_empty() {
        r.warnings.push("no_package_manifest".into());
    }
    for m in &manifests {
        for reference in m.elements().filter(|e| e.is(NS_DSIG, "Reference")) {
            match check_part_reference(pkg, reference, &mut cov) {
                Ok(()) => {}
                Err(finding) => {
                    digest_ok = false;
                    r.modification_details.push(finding);
                }
            }
        }
    }

    // --- The signer's certificate: the one XAdES SigningCertificate names.
    let mut signing_cert_mismatch = false;
    let signer: Option<&CertDer> = match signed_props.map(signing_cert_refs) {
        Some(list) if !list.is_empty() => {
            let found = certs.iter().find(|c| list.iter().any(|(alg, d)| alg.digest(&c.der) == *d));
            if found.is_none() {
                signing_cert_mismatch = !certs.is_empty();
            }
            found.or(certs.first())
        }
        _ => certs.first(),
    };

    // --- SignatureValue over the canonical SignedInfo (§3.2.2).
    let si_bytes = c14n::element(&[root, signed_info], si_method, &si_prefixes);
    let signature_ok = signer.is_some_and(|c| {
        let spki = c.cert.tbs_certificate().subject_public_key_info();
        kyso_pki::verify_prehashed(spki, &sig_alg, sig_hash, &sig_hash.digest(&si_bytes), &sig_value).is_ok()
    });
    if let Some(c) = signer {
        r.set_signer(&c.cert);
    }
    if sig_hash == HashAlg::Sha1 {
        r.warnings.push("weak_algorithm_sha1".into());
    }

    // --- Times: XAdES SigningTime, else the OPC SignatureTime.
    let claimed = signed_props
        .and_then(|s| s.child(NS_XADES, "SignedSignatureProperties"))
        .and_then(|s| s.child(NS_XADES, "SigningTime"))
        .map(|t| t.text())
        .or_else(|| {
            objects
                .iter()
                .flat_map(|o| o.elements().filter(|e| e.is(NS_DSIG, "SignatureProperties")))
                .flat_map(|p| p.elements())
                .flat_map(|p| p.elements().filter(|e| e.is(NS_MDSSI, "SignatureTime")))
                .find_map(|t| t.child(NS_MDSSI, "Value").map(Element::text))
        })
        .and_then(|t| parse_xml_time(t.trim()));
    let ts_time = signature_timestamp(root, &mut r);
    r.signing_time = claimed.map(rfc3339);
    r.timestamp = ts_time.map(rfc3339);
    r.integrity = if signer.is_none() {
        "unknown"
    } else if digest_ok && signature_ok {
        "intact"
    } else {
        "broken"
    };

    // --- Coverage of the package.
    if !manifests.is_empty() {
        let (unsigned_metadata, findings) = account(pkg, machinery, &cov);
        // Metadata left unsigned by design is reported, not held against
        // the signature: every Office signature leaves it out.
        r.coverage = "whole_package";
        for p in unsigned_metadata {
            r.warnings.push(format!("unsigned_metadata: {p}"));
        }
        if !findings.is_empty() {
            r.modifications = "disallowed";
            r.modification_details.extend(findings);
        }
    }

    // --- Chain, revocation, verdict.
    let at = opts.at.or(ts_time).unwrap_or_else(SystemTime::now);
    if let Some(cert) = signer {
        let mut pool = certs.clone();
        pool.extend(opts.extra_certs.iter().cloned());
        assess_chain(
            &mut r,
            ChainInputs {
                signer: cert,
                pool,
                crls: opts.crls.clone(),
                ocsps: Vec::new(),
                anchors: &opts.anchors,
                at,
                timestamp: ts_time,
                online: opts.online.as_ref(),
                signing_time: claimed.or(ts_time).unwrap_or(at),
            },
        );
    }
    conclude(
        &mut r,
        Integrity {
            signer_found: signer.is_some(),
            digest_ok,
            signature_ok,
            signing_cert_mismatch,
            timestamped: ts_time.is_some(),
        },
    );
    r
}

/// Compares a `Reference`'s `DigestValue` with the digest of `data`.
fn check_digest(reference: &Element, data: &[u8]) -> bool {
    expected_digest(reference).is_some_and(|(alg, want)| alg.digest(data) == want)
}

/// A `Reference`'s digest algorithm and `DigestValue`, when both are usable.
fn expected_digest(reference: &Element) -> Option<(HashAlg, Vec<u8>)> {
    let alg = reference.child(NS_DSIG, "DigestMethod").and_then(|m| m.attr("Algorithm")).and_then(digest_alg)?;
    let want = reference.child(NS_DSIG, "DigestValue").and_then(|v| unb64(&v.text()))?;
    Some((alg, want))
}

/// One manifest reference (`/part?ContentType=…`, §13.2.4.6): the part must
/// exist with that content type and its (transformed) digest must match.
fn check_part_reference(pkg: &mut Package, reference: &Element, cov: &mut Coverage) -> Result<(), String> {
    let uri = reference.attr("URI").unwrap_or("");
    let (part, query) = uri.split_once('?').unwrap_or((uri, ""));
    if !part.starts_with('/') {
        return Err(format!("reference_not_a_part: {uri}"));
    }
    let Some(stored) = pkg.find(part).map(str::to_owned) else {
        return Err(format!("part_missing: {part}"));
    };
    if let Some(ct) = query.strip_prefix("ContentType=")
        && pkg.content_type(&stored) != Some(ct)
    {
        return Err(format!("content_type_changed: {part}"));
    }
    let transforms: Vec<&Element> =
        reference.child(NS_DSIG, "Transforms").into_iter().flat_map(|t| t.elements()).collect();
    if transforms.is_empty() {
        // The part's bytes as stored, streamed (media parts can be large).
        let Some((alg, want)) = expected_digest(reference) else { return Err(format!("part_changed: {part}")) };
        let got = pkg.digest(&stored, alg).map_err(|e| format!("part_unreadable: {part}: {e}"))?;
        if got != want {
            return Err(format!("part_changed: {part}"));
        }
        cov.parts.insert(stored.to_lowercase());
        return Ok(());
    }
    let data = pkg.read(&stored).map_err(|e| format!("part_unreadable: {part}: {e}"))?;
    let mut selected: Option<Vec<String>> = None;
    let octets = if transforms.is_empty() {
        data
    } else {
        let mut current: Option<Vec<u8>> = None;
        for t in &transforms {
            let alg = t.attr("Algorithm").unwrap_or("");
            if alg == RELATIONSHIP_TRANSFORM {
                let (ids, types) = relationship_selectors(t);
                let (out, sel) =
                    relationship_transform(&data, &ids, &types).map_err(|e| format!("part_unreadable: {part}: {e}"))?;
                selected = Some(sel);
                current = Some(out);
            } else if let Some((m, p)) = c14n_of(t) {
                let input = current.take().unwrap_or_else(|| data.clone());
                current = Some(canonical_part(&input, m, &p).map_err(|e| format!("part_unreadable: {part}: {e}"))?);
            } else {
                return Err(format!("unsupported_transform: {alg}"));
            }
        }
        current.unwrap_or_default()
    };
    if !check_digest(reference, &octets) {
        return Err(format!("part_changed: {part}"));
    }
    cov.parts.insert(stored.to_lowercase());
    if let Some(sel) = selected {
        cov.rels.push((stored.to_lowercase(), sel));
    }
    Ok(())
}

/// XAdES `SigningCertificate` entries: (hash, digest of the certificate).
fn signing_cert_refs(signed_props: &Element) -> Vec<(HashAlg, Vec<u8>)> {
    let mut out = Vec::new();
    let Some(sc) = signed_props
        .child(NS_XADES, "SignedSignatureProperties")
        .and_then(|s| s.child(NS_XADES, "SigningCertificate").or_else(|| s.child(NS_XADES, "SigningCertificateV2")))
    else {
        return out;
    };
    for cert in sc.elements().filter(|e| e.local == "Cert") {
        let Some(cd) = cert.child(NS_XADES, "CertDigest") else { continue };
        let alg = cd.child(NS_DSIG, "DigestMethod").and_then(|m| m.attr("Algorithm")).and_then(digest_alg);
        let val = cd.child(NS_DSIG, "DigestValue").and_then(|v| unb64(&v.text()));
        if let (Some(a), Some(v)) = (alg, val) {
            out.push((a, v));
        }
    }
    out
}

/// A XAdES-T `SignatureTimeStamp` (ETSI EN 319 132-1 §5.3): an RFC 3161
/// token over the canonical `SignatureValue` element.
fn signature_timestamp(root: &Element, r: &mut SignatureReport) -> Option<SystemTime> {
    let value = root.elements().position(|e| e.is(NS_DSIG, "SignatureValue"))?;
    let stamp = root
        .elements()
        .filter(|e| e.is(NS_DSIG, "Object"))
        .flat_map(|o| o.elements().filter(|q| q.is(NS_XADES, "QualifyingProperties")))
        .flat_map(|q| q.elements().filter(|u| u.is(NS_XADES, "UnsignedProperties")))
        .flat_map(|u| u.elements().filter(|s| s.is(NS_XADES, "UnsignedSignatureProperties")))
        .flat_map(|s| {
            s.elements().filter(|t| (t.ns == NS_XADES || t.ns == NS_XADES141) && t.local == "SignatureTimeStamp")
        })
        .next()?;
    let (method, prefixes) = stamp
        .child(NS_DSIG, "CanonicalizationMethod")
        .and_then(c14n_of)
        .unwrap_or((Method::Inclusive { comments: false }, Vec::new()));
    let token = stamp.elements().find(|e| e.local == "EncapsulatedTimeStamp").and_then(|e| unb64(&e.text()))?;
    let sv = follow(root, &[value]);
    let data = c14n::element(&sv, method, &prefixes);
    let cms = kyso_pki::parse_cms(&token).ok()?;
    let info = cms.econtent().and_then(|e| kyso_pki::tsp::parse_tst_info(&e))?;
    let alg = HashAlg::from_oid(&info.imprint.hash_algorithm.oid)?;
    match kyso_pki::tsp::check_token(&token, alg, &alg.digest(&data)) {
        Ok(i) => Some(i.time),
        Err(_) => {
            r.warnings.push("signature_timestamp_invalid".into());
            None
        }
    }
}

/// Every part and relationship the signature does not cover: (metadata
/// parts Office leaves unsigned by design, findings).
fn account(pkg: &mut Package, machinery: &Machinery, cov: &Coverage) -> (Vec<String>, Vec<String>) {
    let mut metadata = Vec::new();
    let mut findings = Vec::new();
    // All relationships of the package, with their resolved targets.
    let parts: Vec<String> = pkg.parts().to_vec();
    let mut all_rels: Vec<(String, Relationship, String)> = Vec::new();
    for p in parts.iter().filter(|p| p.to_lowercase().ends_with(".rels")) {
        let Some(source) = source_of(p) else { continue };
        match pkg.relationships(p) {
            Ok(rels) => {
                for rel in rels {
                    let target = if rel.external { String::new() } else { resolve_target(&source, &rel.target) };
                    all_rels.push((p.clone(), rel, target));
                }
            }
            Err(_) => findings.push(format!("relationships_unreadable: {p}")),
        }
    }
    let signed_rel = |rels_part: &str, id: &str| {
        cov.rels.iter().any(|(p, ids)| *p == rels_part.to_lowercase() && ids.iter().any(|i| i == id))
    };
    // Relationships in a signed part's relationships that the signature
    // does not select (an added relationship hides here).
    for (p, rel, _) in &all_rels {
        if machinery.contains(pkg, p) || signed_rel(p, &rel.id) || unsigned_by_design(&rel.rel_type) {
            continue;
        }
        findings.push(format!("relationship_not_signed: {p}#{}", rel.id));
    }
    for p in &parts {
        let lower = p.to_lowercase();
        if cov.parts.contains(&lower) || machinery.contains(pkg, p) || lower.ends_with(".rels") {
            continue;
        }
        let incoming: Vec<&(String, Relationship, String)> =
            all_rels.iter().filter(|(_, rel, t)| !rel.external && t.to_lowercase() == lower).collect();
        if !incoming.is_empty() && incoming.iter().all(|(_, rel, _)| unsigned_by_design(&rel.rel_type)) {
            metadata.push(p.clone());
        } else if incoming.is_empty() {
            // Nothing points at it: a part injected into the package.
            findings.push(format!("part_injected: {p}"));
        } else {
            findings.push(format!("part_not_signed: {p}"));
        }
    }
    (metadata, findings)
}

/// `xsd:dateTime` as XAdES and OPC write it (`2026-11-29T05:30:00Z`, or with
/// an offset, fraction allowed).
pub(crate) fn parse_xml_time(s: &str) -> Option<SystemTime> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    let secs = t.unix_timestamp();
    (secs >= 0).then(|| SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs as u64))
}
