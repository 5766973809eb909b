//! Verification of OOXML package signatures (ECMA-376 Part 2 §13.2, W3C
//! XML-DSig core validation §3.2, XAdES 1.3.2 signed properties), reporting
//! in the vocabulary PDF uses. Besides the references, it accounts for every
//! part and relationship of the package: what a signature does not cover is
//! either metadata Office leaves unsigned by design, or a finding.

use std::collections::HashSet;
use std::path::Path;
use std::time::SystemTime;

use kyso_pki::report::{
    ChainInputs, Change, DocumentReport, Integrity, IntegrityFacts, Modifications, SignatureKind, SignatureReport,
    Warning, WarningCode, assess_chain, conclude, rfc3339,
};
use kyso_pki::timestamp::TimestampRole;
use kyso_pki::{CertDer, HashAlg};

use crate::OoxmlError;
use crate::c14n::{self, Method};
use crate::dsig::{
    NS_DSIG, NS_MDSSI, NS_XADES, NS_XADES141, RELATIONSHIP_TRANSFORM, c14n_of, digest_alg, follow, index_ids,
    relationship_selectors, relationship_transform_doc, relationship_transform_list, signature_alg, unb64,
};
use crate::opc::{Kind, Opc, Rel, is_main_document};
use crate::package::{CT_SIGNATURE, Package, source_of};
use crate::xml::Element;
use crate::zipread::fold;

/// Most references a SignedInfo may hold (Office writes three or four).
const MAX_SIGNED_INFO_REFERENCES: usize = 64;

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

fn verify_package(mut pkg: Package, opts: &VerifyOptions) -> Result<DocumentReport, OoxmlError> {
    let opc = Opc::of(&mut pkg)?;
    let mut binding: Option<bool> = None;
    let mut reports = Vec::new();
    for part in opc.signatures.clone() {
        let mut r = verify_one(&mut pkg, &opc, &mut binding, &part, opts);
        // ZIP-level warnings (an archive comment) hold for every signature.
        r.warnings.extend(pkg.warnings().iter().cloned());
        reports.push(r);
    }
    Ok(DocumentReport::of(reports, Vec::new()))
}

/// Whether a WordprocessingML part binds content controls to custom XML
/// data (ECMA-376 Part 1 §17.5.2.6 `w:dataBinding`): Word then shows the
/// custom XML part's values, so that part is content.
fn binds_custom_xml(pkg: &mut Package) -> bool {
    let parts: Vec<String> = pkg
        .parts()
        .iter()
        .filter(|p| pkg.content_type(p).is_some_and(|c| c.contains("wordprocessingml") && c.ends_with("+xml")))
        .cloned()
        .collect();
    parts.iter().any(|p| {
        // Unreadable counts as binding: the safe side.
        pkg.read(p).map_or(true, |d| d.windows(11).any(|w| w == b"dataBinding"))
    })
}

/// What the references of one signature established.
#[derive(Default)]
struct Coverage {
    /// Parts whose digest matched (folded names).
    parts: HashSet<String>,
    /// (folded relationships part, Id) of the relationships a verified
    /// Relationships Transform selected.
    rels: HashSet<(String, String)>,
    /// Relationships parts signed whole (no Relationships Transform).
    whole_rels: HashSet<String>,
}

#[allow(clippy::too_many_lines)]
fn verify_one(
    pkg: &mut Package,
    opc: &Opc,
    binding: &mut Option<bool>,
    part: &str,
    opts: &VerifyOptions,
) -> SignatureReport {
    let mut r = SignatureReport::new(part.to_owned(), SignatureKind::Signature, "xmldsig".to_owned());
    // §13.2.1: an origin that is not exactly one valid part leaves nothing
    // to tell machinery from content.
    if let Some(why) = &opc.origin_problem {
        let w = Warning::with(WarningCode::OriginInvalid, why.clone());
        r.modification_details.push(w.to_string());
        r.warnings.push(w);
        r.changes.push(change("origin_invalid", why.clone(), false));
        return r;
    }
    if pkg.content_type(part) != Some(CT_SIGNATURE) {
        r.warnings.push(Warning::with(WarningCode::SignaturePartContentType, part));
        return r;
    }
    let doc_len: usize;
    let doc = match pkg.read(part).and_then(|b| pkg.parse_bytes(&b).map(|d| (d, b.len()))) {
        Ok((d, n)) => {
            doc_len = n;
            d
        }
        Err(e) => {
            r.warnings.push(Warning::with(WarningCode::XmlMalformed, e.to_string()));
            return r;
        }
    };
    let root = &doc.root;
    if !root.is(NS_DSIG, "Signature") {
        r.warnings.push(WarningCode::NotAnXmlSignature.into());
        return r;
    }
    let ids = match index_ids(root) {
        Ok(i) => i,
        Err(OoxmlError::Malformed(m)) if m.contains("too many") => {
            r.warnings.push(Warning::with(WarningCode::TooManyIds, format!("more than {}", crate::dsig::MAX_IDS)));
            return r;
        }
        Err(_) => {
            r.warnings.push(WarningCode::DuplicateId.into());
            return r;
        }
    };
    let signed_infos: Vec<&Element> = root.elements().filter(|e| e.is(NS_DSIG, "SignedInfo")).collect();
    let [signed_info] = signed_infos[..] else {
        r.warnings.push(WarningCode::SignedInfoMissing.into());
        return r;
    };
    let Some((si_method, si_prefixes)) = signed_info.child(NS_DSIG, "CanonicalizationMethod").and_then(c14n_of) else {
        r.warnings.push(WarningCode::UnsupportedCanonicalization.into());
        return r;
    };
    let Some((sig_hash, sig_alg)) =
        signed_info.child(NS_DSIG, "SignatureMethod").and_then(|m| m.attr("Algorithm")).and_then(signature_alg)
    else {
        r.warnings.push(WarningCode::UnsupportedSignatureMethod.into());
        return r;
    };
    let Some(sig_value) = root.child(NS_DSIG, "SignatureValue").and_then(|v| unb64(&v.text())) else {
        r.warnings.push(WarningCode::SignatureValueMissing.into());
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
        r.warnings.push(WarningCode::NoReferences.into());
        return r;
    }
    // Bounded work: a handful of references, each to its own element, and
    // no more canonical bytes than a few times the signature itself.
    if refs.len() > MAX_SIGNED_INFO_REFERENCES {
        r.warnings.push(Warning::with(WarningCode::TooManyReferences, refs.len().to_string()));
        return r;
    }
    let mut c14n_budget = doc_len.saturating_mul(4).saturating_add(1 << 20);
    for reference in &refs {
        let uri = reference.attr("URI").unwrap_or("");
        let Some(id) = uri.strip_prefix('#') else {
            r.warnings.push(Warning::with(WarningCode::UnsupportedReference, uri));
            return r;
        };
        if verified_ids.contains(&id) {
            r.warnings.push(Warning::with(WarningCode::UnsupportedReference, format!("{uri} (twice)")));
            return r;
        }
        let Some(path) = ids.get(id) else {
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
                    r.warnings
                        .push(Warning::with(WarningCode::UnsupportedTransform, t.attr("Algorithm").unwrap_or("")));
                    return r;
                }
            }
        }
        let data = c14n::element(&path, method, &prefixes);
        c14n_budget = c14n_budget.saturating_sub(data.len());
        if c14n_budget == 0 {
            r.warnings.push(Warning::with(WarningCode::TooManyReferences, "canonical data"));
            return r;
        }
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
        r.warnings.push(WarningCode::NoPackageManifest.into());
    }
    let mut anomaly: Option<Warning> = None;
    let mut referenced: HashSet<String> = HashSet::new();
    for m in &manifests {
        for reference in m.elements().filter(|e| e.is(NS_DSIG, "Reference")) {
            // Each part once (§13.2.4.6): a part digested again and again
            // would be unbounded work, and two references to one part are
            // not what any signer writes.
            let uri = reference.attr("URI").unwrap_or("");
            let part = fold(uri.split_once('?').map_or(uri, |(p, _)| p));
            if referenced.len() >= crate::zipread::MAX_ENTRIES || !referenced.insert(part) {
                anomaly = Some(Warning::with(WarningCode::ManifestReferenceRepeated, uri));
                break;
            }
            match check_part_reference(pkg, opc, reference, &mut cov) {
                Ok(()) => {}
                Err(finding) => {
                    digest_ok = false;
                    let (code, detail) = finding.split_once(": ").unwrap_or((finding.as_str(), ""));
                    r.changes.push(change(manifest_kind(code), detail.to_owned(), false));
                    r.modification_details.push(finding);
                }
            }
        }
    }

    // --- The signer (ETSI EN 319 132-1 §5.2.2): the certificate the XAdES
    // SigningCertificate digest names and whose key verifies the
    // SignatureValue over the canonical SignedInfo (§3.2.2); without
    // XAdES, a KeyInfo certificate whose key verifies it. A certificate the
    // signature does not bind is never named, whatever its place in KeyInfo.
    let si_bytes = c14n::element(&[root, signed_info], si_method, &si_prefixes);
    let verifies = |c: &CertDer| {
        let spki = c.cert.tbs_certificate().subject_public_key_info();
        kyso_pki::verify_prehashed(spki, &sig_alg, sig_hash, &sig_hash.digest(&si_bytes), &sig_value).is_ok()
    };
    let refs = signed_props.map(signing_cert_refs).unwrap_or_default();
    let named = |c: &CertDer| refs.is_empty() || refs.iter().any(|(alg, d)| alg.digest(&c.der) == *d);
    let signer: Option<&CertDer> = certs.iter().find(|c| named(c) && verifies(c));
    let key_verifies = signer.is_some() || certs.iter().any(&verifies);
    let signature_ok = key_verifies;
    let signing_cert_mismatch = signer.is_none() && key_verifies;
    if let Some(c) = signer {
        r.set_signer(&c.cert);
    }
    if sig_hash == HashAlg::Sha1 {
        r.warnings.push(WarningCode::WeakAlgorithmSha1.into());
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
    // XAdES-T: the timestamp proves existence only once validated (ETSI EN
    // 319 102-1 §5.4, §5.6.2.4); claimed times are shown, never used.
    let at = opts.at.unwrap_or_else(SystemTime::now);
    let mut pool = certs.clone();
    pool.extend(opts.extra_certs.iter().cloned());
    let tctx = kyso_pki::timestamp::TokenContext {
        anchors: &opts.anchors,
        pool: &pool,
        crls: &opts.crls,
        ocsps: &[],
        at,
        online: opts.online.as_ref(),
    };
    let ts_time = signature_timestamp(root, &mut r, &tctx);
    r.signing_time = claimed.map(rfc3339);
    r.claimed_time = r.signing_time.clone();
    r.poe_time = ts_time.map(rfc3339);
    r.integrity = if certs.is_empty() {
        Integrity::Unknown
    } else if digest_ok && signature_ok {
        Integrity::Intact
    } else {
        Integrity::Broken
    };

    // --- Coverage of the package, from what this signature really signed.
    if let Some(why) = anomaly {
        r.modification_details.push(why.to_string());
        r.warnings.push(why);
    } else if !manifests.is_empty() {
        let acc = account(pkg, opc, binding, &cov);
        // Parts left out by design are warnings, not changes.
        for (code, detail) in acc.notes {
            r.warnings.push(Warning::with(code, detail));
        }
        if acc.findings.is_empty() {
            r.coverage = kyso_pki::report::Coverage::WholePackage;
        } else {
            // Not everything the package shows is signed.
            r.coverage = kyso_pki::report::Coverage::Partial;
            r.modifications = Modifications::Disallowed;
            for (code, detail, kind) in acc.findings {
                r.modification_details.push(format!("{code}: {detail}"));
                r.changes.push(change(kind, detail, false));
            }
        }
    }

    // --- Chain, revocation, verdict.
    if let Some(cert) = signer {
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
                signing_time: claimed.unwrap_or(at),
            },
        );
    }
    conclude(
        &mut r,
        IntegrityFacts {
            signer_found: !certs.is_empty(),
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
fn check_part_reference(pkg: &mut Package, opc: &Opc, reference: &Element, cov: &mut Coverage) -> Result<(), String> {
    let uri = reference.attr("URI").unwrap_or("");
    let (part, query) = uri.split_once('?').unwrap_or((uri, ""));
    if !part.starts_with('/') {
        return Err(format!("reference_not_a_part: {uri}"));
    }
    let Some(stored) = pkg.find(part).map(str::to_owned) else {
        return Err(format!("part_missing: {part}"));
    };
    // §13.2.4.6: the reference names the part's content type, so that a
    // changed content type (a part read as something else) breaks it.
    let Some(ct) = query.strip_prefix("ContentType=") else {
        return Err(format!("content_type_not_signed: {part}"));
    };
    if pkg.content_type(&stored) != Some(ct) {
        return Err(format!("content_type_changed: {part}"));
    }
    let folded = fold(&stored);
    let transforms: Vec<&Element> =
        reference.child(NS_DSIG, "Transforms").into_iter().flat_map(|t| t.elements()).collect();
    let is_rels = source_of(&stored).is_some();
    if transforms.is_empty() {
        // The part's bytes as stored, streamed (media parts can be large).
        let Some((alg, want)) = expected_digest(reference) else { return Err(format!("part_changed: {part}")) };
        let got = pkg.digest(&stored, alg).map_err(|e| format!("part_unreadable: {part}: {e}"))?;
        if got != want {
            return Err(format!("part_changed: {part}"));
        }
        if is_rels {
            cov.whole_rels.insert(folded.clone());
        }
        cov.parts.insert(folded);
        return Ok(());
    }
    let mut current = pkg.read(&stored).map_err(|e| format!("part_unreadable: {part}: {e}"))?;
    let mut selected: Option<Vec<String>> = None;
    for (n, t) in transforms.iter().enumerate() {
        let alg = t.attr("Algorithm").unwrap_or("");
        // The part as read when the package graph was built: not parsed again.
        if n == 0
            && alg == RELATIONSHIP_TRANSFORM
            && let Some(list) = opc.by_part.get(&folded)
        {
            let (ids, types) = relationship_selectors(t);
            let rels = list.iter().map(|i| &opc.rels[*i]);
            let (out, sel) = relationship_transform_list(
                rels.map(|r| (r.id.as_str(), r.target.as_str(), r.external, r.rel_type.as_str())),
                &ids,
                &types,
            );
            selected = Some(sel);
            current = out;
            continue;
        }
        let doc = if alg == RELATIONSHIP_TRANSFORM || c14n_of(t).is_some() {
            pkg.parse_bytes(&current).map_err(|e| format!("part_unreadable: {part}: {e}"))?
        } else {
            return Err(format!("unsupported_transform: {alg}"));
        };
        if alg == RELATIONSHIP_TRANSFORM {
            // §13.2.4.24: applied once, to a relationships part.
            if selected.is_some() || !is_rels {
                return Err(format!("unsupported_transform: {alg}"));
            }
            let (ids, types) = relationship_selectors(t);
            let (out, sel) =
                relationship_transform_doc(&doc, &ids, &types).map_err(|e| format!("part_unreadable: {part}: {e}"))?;
            selected = Some(sel);
            current = out;
        } else if let Some((m, p)) = c14n_of(t) {
            current = c14n::document(&doc, m, &p);
        }
    }
    if !check_digest(reference, &current) {
        return Err(format!("part_changed: {part}"));
    }
    match selected {
        Some(sel) => cov.rels.extend(sel.into_iter().map(|id| (folded.clone(), id))),
        None if is_rels => {
            cov.whole_rels.insert(folded.clone());
        }
        None => {}
    }
    cov.parts.insert(folded);
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
/// token over the canonical `SignatureValue` element, validated like a
/// signature (ETSI EN 319 102-1 §5.4); its time when it is a proof of
/// existence. The report gets its time, trust and any warning.
fn signature_timestamp(
    root: &Element,
    r: &mut SignatureReport,
    tctx: &kyso_pki::timestamp::TokenContext<'_>,
) -> Option<SystemTime> {
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
    let check = kyso_pki::timestamp::validate_token(&token, &|alg| Some(alg.digest(&data)), tctx);
    r.timestamp = check.time.map(rfc3339);
    r.timestamp_trust = Some(check.trust);
    r.warnings.extend(check.warning(TimestampRole::Signature));
    check.poe()
}

/// A change of the package for the report (`change-<kind>` in the
/// translations; the detail names the part or relationship).
fn change(kind: &'static str, detail: String, allowed: bool) -> Change {
    Change { kind, page: None, rect: None, detail, allowed }
}

/// Every change kind an OOXML verification reports (`change-<kind>` in
/// assets/i18n): what accounting and the manifest references find.
pub const CHANGE_KINDS: &[&str] = &[
    "origin_invalid",
    "relationships_part_misplaced",
    "relationships_part_content_type",
    "relationships_unreadable",
    "main_document_relationship_added",
    "relationship_second_of_type",
    "relationship_not_signed",
    "part_injected",
    "part_not_signed",
    "custom_xml_bound_not_signed",
    "part_changed",
    "part_missing",
    "part_unreadable",
    "content_type_changed",
    "content_type_not_signed",
    "reference_not_a_part",
    "unsupported_transform",
];

/// The change kind of a manifest reference finding.
fn manifest_kind(code: &str) -> &'static str {
    CHANGE_KINDS.iter().find(|k| **k == code).copied().unwrap_or("part_changed")
}

/// What accounting found: warnings (code, detail) and findings (code,
/// detail, change kind).
struct Accounting {
    notes: Vec<(WarningCode, String)>,
    findings: Vec<(&'static str, String, &'static str)>,
}

/// Every part and every relationship of the package against what one
/// signature covers (ECMA-376 Part 2 §13.2.4.6, §13.2.4.24): each must be
/// signed, be signature machinery, or be of a kind left out by design
/// ([`Kind`], compared exactly); everything else is a finding, named.
fn account(pkg: &mut Package, opc: &Opc, binding: &mut Option<bool>, cov: &Coverage) -> Accounting {
    let mut acc = Accounting { notes: Vec::new(), findings: Vec::new() };
    for (code, detail) in &opc.problems {
        acc.findings.push((code, detail.clone(), code));
    }
    // Custom XML is content when a content control shows it.
    let mut custom_xml_ok = |pkg: &mut Package| !*binding.get_or_insert_with(|| binds_custom_xml(pkg));
    let signed_rel =
        |r: &Rel| cov.whole_rels.contains(&r.rels_folded) || cov.rels.contains(&(r.rels_folded.clone(), r.id.clone()));
    // Types of the signed relationships of each source: an unsigned one of
    // the same type is a second main document, a second styles part…
    let signed_types: HashSet<(&str, &str)> =
        opc.rels.iter().filter(|r| signed_rel(r)).map(|r| (r.rels_folded.as_str(), r.rel_type.as_str())).collect();
    let mut allowed_rel = vec![false; opc.rels.len()];
    for (i, r) in opc.rels.iter().enumerate() {
        if r.machinery || signed_rel(r) {
            allowed_rel[i] = true;
            continue;
        }
        let ok = match r.kind {
            Some(Kind::Metadata | Kind::ViewSettings) => true,
            Some(Kind::CustomXml) => custom_xml_ok(pkg),
            None => false,
        };
        if ok {
            allowed_rel[i] = true;
            continue;
        }
        let kind = if is_main_document(&r.rel_type) && r.source == "/" {
            "main_document_relationship_added"
        } else if signed_types.contains(&(r.rels_folded.as_str(), r.rel_type.as_str())) {
            "relationship_second_of_type"
        } else {
            "relationship_not_signed"
        };
        acc.findings.push(("relationship_not_signed", r.describe(), kind));
    }
    let parts: Vec<String> = pkg.parts().to_vec();
    for p in &parts {
        let f = fold(p);
        if opc.machinery.contains(&f) || opc.rels_parts.contains(&f) {
            continue;
        }
        let incoming: Vec<usize> = opc.incoming.get(&f).cloned().unwrap_or_default();
        if cov.parts.contains(&f) {
            if incoming.is_empty() {
                acc.notes.push((WarningCode::PartUnreferenced, p.clone()));
            }
            continue;
        }
        if incoming.is_empty() {
            // Nothing points at it: a part injected into the package.
            acc.findings.push(("part_injected", p.clone(), "part_injected"));
            continue;
        }
        // Unsigned: acceptable only when every relationship to it says it
        // is of a kind left out by design (and that relationship is itself
        // signed or acceptable).
        let kinds: Vec<Option<Kind>> = incoming.iter().map(|i| opc.rels[*i].kind).collect();
        let all_ok = incoming.iter().all(|i| allowed_rel[*i]);
        match kinds.first().copied().flatten() {
            Some(k) if all_ok && kinds.iter().all(|x| *x == Some(k)) => {
                let code = match k {
                    Kind::Metadata => WarningCode::UnsignedMetadata,
                    Kind::ViewSettings => WarningCode::UnsignedViewSettings,
                    Kind::CustomXml => WarningCode::UnsignedCustomXml,
                };
                if k == Kind::CustomXml && !custom_xml_ok(pkg) {
                    acc.findings.push(("custom_xml_bound_not_signed", p.clone(), "custom_xml_bound_not_signed"));
                } else {
                    acc.notes.push((code, p.clone()));
                }
            }
            _ => acc.findings.push(("part_not_signed", p.clone(), "part_not_signed")),
        }
    }
    acc
}

/// `xsd:dateTime` as XAdES and OPC write it (`2026-11-29T05:30:00Z`, or with
/// an offset, fraction allowed).
pub(crate) fn parse_xml_time(s: &str) -> Option<SystemTime> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    let secs = t.unix_timestamp();
    (secs >= 0).then(|| SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs as u64))
}
