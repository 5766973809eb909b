//! Signing an OOXML package as Office 2010 and later do (ECMA-376 Part 2
//! §13.2, XML-DSig with a package Manifest, Office's SignatureInfoV1 and
//! XAdES 1.3.2 signed properties; XAdES-T on request). Earlier signatures
//! stay valid: their parts are copied byte for byte, and the relationship
//! parts we touch only gain relationships their transforms do not select.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, SystemTime};

use kyso_pki::{CertInfo, HashAlg, KeyKind, SignatureAlgorithm, Signer};

use crate::OoxmlError;
use crate::c14n::{self, C14N, Method};
use crate::dsig::{
    NS_DSIG, NS_MDSSI, NS_OFFICE, NS_XADES, RELATIONSHIP_TRANSFORM, b64, digest_uri, follow, index_ids,
    relationship_transform,
};
use crate::opc::{Kind, Opc, kind_of};
use crate::package::{CT_ORIGIN, CT_RELS, CT_SIGNATURE, NS_RELS, Package, REL_ORIGIN, REL_SIGNATURE, rels_part_of};
use crate::xml::{self, escape_attr, escape_text};
use crate::zipread::fold;
use kyso_pki::report::rfc3339;

/// How to sign.
#[derive(Clone, Debug, Default)]
pub struct SignOptions {
    /// The claimed signing time (XAdES SigningTime); default now.
    pub time: Option<SystemTime>,
    /// Office's "purpose for signing this document" (SignatureComments).
    pub comment: Option<String>,
    /// A TSA for a XAdES-T signature timestamp (ETSI EN 319 132-1 §5.3).
    pub tsa: Option<kyso_pki::TsaConfig>,
    /// Replace an existing output file.
    pub overwrite: bool,
}

/// What a signing produced.
#[derive(Clone, Debug)]
pub struct SignOutcome {
    /// The new signature part.
    pub signature_part: String,
    /// Parts covered by the manifest.
    pub signed_parts: usize,
    /// Time of the signature timestamp, when one was asked for.
    pub timestamp: Option<SystemTime>,
}

/// The XML-DSig `SignatureMethod` URI of a signer's algorithm.
fn method_uri(alg: SignatureAlgorithm) -> Result<&'static str, OoxmlError> {
    use kyso_pki::DigestAlgorithm::{Sha256, Sha384, Sha512};
    Ok(match alg {
        SignatureAlgorithm::RsaPkcs1v15(Sha256) => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        SignatureAlgorithm::RsaPkcs1v15(Sha384) => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
        SignatureAlgorithm::RsaPkcs1v15(Sha512) => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
        SignatureAlgorithm::Ecdsa(Sha256) => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
        SignatureAlgorithm::Ecdsa(Sha384) => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
        SignatureAlgorithm::Ecdsa(Sha512) => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
        other => return Err(OoxmlError::UnsupportedAlgorithm(format!("{other:?}"))),
    })
}

fn hash_of(alg: SignatureAlgorithm) -> HashAlg {
    match alg.digest() {
        kyso_pki::DigestAlgorithm::Sha384 => HashAlg::Sha384,
        kyso_pki::DigestAlgorithm::Sha512 => HashAlg::Sha512,
        _ => HashAlg::Sha256,
    }
}

/// ECDSA `Ecdsa-Sig-Value` (DER) to XML-DSig's `r || s` (RFC 4050 §3.3),
/// each left-padded to the field size.
fn ecdsa_der_to_raw(der_sig: &[u8], field: usize) -> Result<Vec<u8>, OoxmlError> {
    #[derive(der::Sequence)]
    struct EcSig<'a> {
        r: der::asn1::UintRef<'a>,
        s: der::asn1::UintRef<'a>,
    }
    let sig = <EcSig<'_> as der::Decode<'_>>::from_der(der_sig)
        .map_err(|e| OoxmlError::UnsupportedAlgorithm(format!("ECDSA signature: {e}")))?;
    let mut out = Vec::with_capacity(2 * field);
    for v in [sig.r.as_bytes(), sig.s.as_bytes()] {
        if v.len() > field {
            return Err(OoxmlError::UnsupportedAlgorithm("ECDSA value longer than the field".into()));
        }
        out.extend(std::iter::repeat_n(0u8, field - v.len()));
        out.extend_from_slice(v);
    }
    Ok(out)
}

fn field_len(curve: &str) -> usize {
    match curve {
        "P-384" | "brainpoolP384r1" | "1.3.36.3.3.2.8.1.1.11" => 48,
        "P-521" => 66,
        _ => 32,
    }
}

/// A big-endian unsigned integer in decimal (XAdES X509SerialNumber).
fn decimal(bytes: &[u8]) -> String {
    let mut digits: Vec<u8> = vec![0];
    for b in bytes {
        let mut carry = u32::from(*b);
        for d in &mut digits {
            let v = u32::from(*d) * 256 + carry;
            *d = (v % 10) as u8;
            carry = v / 10;
        }
        while carry > 0 {
            digits.push((carry % 10) as u8);
            carry /= 10;
        }
    }
    while digits.len() > 1 && digits.last() == Some(&0) {
        digits.pop();
    }
    digits.iter().rev().map(|d| char::from(b'0' + d)).collect()
}

/// Adds a `<Relationship>` to a relationships part (or creates the part),
/// keeping every existing byte: inserted right before the closing tag.
fn add_relationship(existing: Option<&[u8]>, id: &str, rel_type: &str, target: &str) -> Result<Vec<u8>, OoxmlError> {
    let rel = format!(
        "<Relationship Id=\"{}\" Type=\"{}\" Target=\"{}\"/>",
        escape_attr(id),
        escape_attr(rel_type),
        escape_attr(target)
    );
    match existing {
        None => Ok(format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"{NS_RELS}\">{rel}</Relationships>"
        )
        .into_bytes()),
        Some(data) => insert_before_close(data, "Relationships", &rel),
    }
}

/// Inserts `fragment` before the root element's end tag (the document is
/// checked well-formed first; a self-closed root is opened).
fn insert_before_close(data: &[u8], root_local: &str, fragment: &str) -> Result<Vec<u8>, OoxmlError> {
    let doc = xml::parse(data)?;
    if doc.root.local != root_local {
        return Err(OoxmlError::Malformed("unexpected root element"));
    }
    let text = std::str::from_utf8(data).map_err(|_| OoxmlError::Malformed("not UTF-8"))?;
    let qname = doc.root.qname();
    let close = format!("</{qname}>");
    let mut out = String::with_capacity(text.len() + fragment.len());
    if let Some(i) = text.rfind(&close) {
        out.push_str(&text[..i]);
        out.push_str(fragment);
        out.push_str(&text[i..]);
    } else {
        // <Types .../>: the only "/>" that can end the document is the root's.
        let i = text.rfind("/>").ok_or(OoxmlError::Malformed("root element end"))?;
        out.push_str(&text[..i]);
        out.push('>');
        out.push_str(fragment);
        out.push_str(&close);
        out.push_str(&text[i + 2..]);
    }
    Ok(out.into_bytes())
}

/// The first `rIdN` not used in `rels`.
fn free_id(rels: &[crate::package::Relationship]) -> String {
    (1..).map(|n| format!("rId{n}")).find(|id| !rels.iter().any(|r| r.id == *id)).unwrap_or_default()
}

/// Signs the package at `input` into `output` (never modifying `input`;
/// written to a temporary file beside `output`, renamed when complete).
#[allow(clippy::too_many_lines)]
pub fn sign_ooxml(
    input: &Path,
    output: &Path,
    signer: &dyn Signer,
    opts: &SignOptions,
) -> Result<SignOutcome, OoxmlError> {
    if output.exists() && !opts.overwrite {
        return Err(OoxmlError::OutputExists(output.display().to_string()));
    }
    let mut pkg = Package::open(input)?;
    let opc = Opc::of(&mut pkg)?;
    // A package whose structure a verifier refuses is not signed: the
    // signature would vouch for something readers see differently.
    if let Some(why) = &opc.origin_problem {
        return Err(OoxmlError::Ambiguous(why.clone()));
    }
    if let Some((code, detail)) = opc.problems.first() {
        return Err(OoxmlError::Ambiguous(format!("{code}: {detail}")));
    }
    let alg = signer.algorithm();
    let sig_method = method_uri(alg)?;
    let hash = hash_of(alg);

    // --- The signature machinery (§12.2): origin part, its relationships,
    // the new signature part, content types.
    let root_rels_bytes = if pkg.find("/_rels/.rels").is_some() { Some(pkg.read("/_rels/.rels")?) } else { None };
    let root_rels = pkg.relationships("/_rels/.rels")?;
    let (origin, new_root_rels) = match &opc.origin {
        Some(o) => (o.clone(), None),
        None => {
            let o = "/_xmlsignatures/origin.sigs".to_owned();
            let id = free_id(&root_rels);
            (o, Some(add_relationship(root_rels_bytes.as_deref(), &id, REL_ORIGIN, "_xmlsignatures/origin.sigs")?))
        }
    };
    let origin_dir = origin.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
    let sig_part =
        (1..).map(|n| format!("{origin_dir}/sig{n}.xml")).find(|p| pkg.find(p).is_none()).unwrap_or_default();
    let origin_rels_part = rels_part_of(&origin);
    let origin_rels_bytes =
        if pkg.find(&origin_rels_part).is_some() { Some(pkg.read(&origin_rels_part)?) } else { None };
    let origin_rels = pkg.relationships(&origin_rels_part)?;
    let sig_file = sig_part.rsplit_once('/').map_or(sig_part.as_str(), |(_, f)| f);
    let new_origin_rels =
        add_relationship(origin_rels_bytes.as_deref(), &free_id(&origin_rels), REL_SIGNATURE, sig_file)?;
    let ct_bytes = pkg.read_item("[Content_Types].xml")?;
    let mut ct_add = String::new();
    if pkg.content_type(&origin).is_none() {
        match origin.rsplit_once('.') {
            Some((_, "sigs")) => ct_add.push_str(&format!("<Default Extension=\"sigs\" ContentType=\"{CT_ORIGIN}\"/>")),
            _ => ct_add
                .push_str(&format!("<Override PartName=\"{}\" ContentType=\"{CT_ORIGIN}\"/>", escape_attr(&origin))),
        }
    }
    ct_add.push_str(&format!("<Override PartName=\"{}\" ContentType=\"{CT_SIGNATURE}\"/>", escape_attr(&sig_part)));
    let new_ct = insert_before_close(&ct_bytes, "Types", &ct_add)?;

    // --- The manifest: every part but the signature machinery; each
    // relationship part through the Relationships Transform, selecting
    // every relationship except metadata and the signature origin
    // (§13.2.4.24), as Office does.
    let mut manifest = String::new();
    let mut signed_parts = 0usize;
    let parts: Vec<String> = pkg.parts().to_vec();
    // The machinery (and the origin we add) is never a manifest entry; parts
    // reached only as package metadata are left out as Office does. Custom
    // XML, presentation and view settings are signed: they can change what
    // the document shows.
    let machinery = |p: &str| {
        let f = fold(p);
        opc.machinery.contains(&f) || f == fold(&origin) || f == fold(&origin_rels_part)
    };
    let metadata_only = |p: &str| {
        let mut kinds = opc.incoming(p).map(|r| r.kind).peekable();
        kinds.peek().is_some() && kinds.all(|k| k == Some(Kind::Metadata))
    };
    for part in &parts {
        if machinery(part) || metadata_only(part) {
            continue;
        }
        let Some(ct) = pkg.content_type(part).map(str::to_owned) else {
            return Err(OoxmlError::Malformed("a part has no content type"));
        };
        let uri = format!("{}?ContentType={}", part, ct);
        if opc.rels_parts.contains(&fold(part)) && ct == CT_RELS {
            let data = match &new_root_rels {
                Some(n) if fold(part) == "/_rels/.rels" => n.clone(),
                _ => pkg.read(part)?,
            };
            let rels = crate::package::parse_relationships(&xml::parse(&data)?.root)?;
            // Every relationship but the origin and package metadata
            // (ECMA-376 Part 2 §13.2.4.24 selects them by Id).
            let source = crate::package::source_of(part).unwrap_or_default();
            let ids: Vec<String> = rels
                .iter()
                .filter(|r| {
                    let target = crate::package::resolve_target(&source, &r.target);
                    let ct = if r.external { None } else { pkg.find(&target).and_then(|t| pkg.content_type(t)) };
                    r.rel_type != REL_ORIGIN && kind_of(&r.rel_type, ct, source == "/") != Some(Kind::Metadata)
                })
                .map(|r| r.id.clone())
                .collect();
            let (canonical, _) = relationship_transform(&data, &ids, &[])?;
            let mut t = String::new();
            for id in &ids {
                t.push_str(&format!(
                    "<mdssi:RelationshipReference xmlns:mdssi=\"{NS_MDSSI}\" SourceId=\"{}\"/>",
                    escape_attr(id)
                ));
            }
            manifest.push_str(&format!(
                "<Reference URI=\"{}\"><Transforms><Transform Algorithm=\"{RELATIONSHIP_TRANSFORM}\">{t}</Transform><Transform Algorithm=\"{C14N}\"/></Transforms><DigestMethod Algorithm=\"{}\"/><DigestValue>{}</DigestValue></Reference>",
                escape_attr(&uri),
                digest_uri(hash),
                b64(&hash.digest(&canonical))
            ));
        } else {
            manifest.push_str(&format!(
                "<Reference URI=\"{}\"><DigestMethod Algorithm=\"{}\"/><DigestValue>{}</DigestValue></Reference>",
                escape_attr(&uri),
                digest_uri(hash),
                b64(&pkg.digest(part, hash)?)
            ));
        }
        signed_parts += 1;
    }

    // --- The signature document, with placeholders for the digests of the
    // objects and for the signature value.
    let now = opts.time.unwrap_or_else(SystemTime::now);
    let when = rfc3339(now);
    let cert = signer.certificate();
    let cert_der = der::Encode::to_der(cert).map_err(kyso_pki::SignerError::from)?;
    let issuer = cert.tbs_certificate().issuer().to_string();
    let serial = decimal(cert.tbs_certificate().serial_number().as_bytes());
    let mut key_info = format!("<X509Certificate>{}</X509Certificate>", b64(&cert_der));
    for c in signer.chain() {
        let d = der::Encode::to_der(c).map_err(kyso_pki::SignerError::from)?;
        key_info.push_str(&format!("<X509Certificate>{}</X509Certificate>", b64(&d)));
    }
    let comment = opts.comment.as_deref().map(escape_text).unwrap_or_default();
    let dm = digest_uri(hash);
    let package_object = format!(
        "<Object Id=\"idPackageObject\"><Manifest>{manifest}</Manifest><SignatureProperties><SignatureProperty Id=\"idSignatureTime\" Target=\"#idPackageSignature\"><mdssi:SignatureTime xmlns:mdssi=\"{NS_MDSSI}\"><mdssi:Format>YYYY-MM-DDThh:mm:ssTZD</mdssi:Format><mdssi:Value>{when}</mdssi:Value></mdssi:SignatureTime></SignatureProperty></SignatureProperties></Object>"
    );
    let office_object = format!(
        "<Object Id=\"idOfficeObject\"><SignatureProperties><SignatureProperty Id=\"idOfficeV1Details\" Target=\"#idPackageSignature\"><SignatureInfoV1 xmlns=\"{NS_OFFICE}\"><SetupID></SetupID><SignatureText></SignatureText><SignatureImage></SignatureImage><SignatureComments>{comment}</SignatureComments><WindowsVersion>10.0</WindowsVersion><OfficeVersion>16.0</OfficeVersion><ApplicationVersion>16.0</ApplicationVersion><Monitors>1</Monitors><HorizontalResolution>1366</HorizontalResolution><VerticalResolution>768</VerticalResolution><ColorDepth>32</ColorDepth><SignatureProviderId>{{00000000-0000-0000-0000-000000000000}}</SignatureProviderId><SignatureProviderUrl></SignatureProviderUrl><SignatureProviderDetails>9</SignatureProviderDetails><ManifestHashAlgorithm>{dm}</ManifestHashAlgorithm><SignatureType>1</SignatureType></SignatureInfoV1></SignatureProperty></SignatureProperties></Object>"
    );
    let xades_object = format!(
        "<Object><xd:QualifyingProperties xmlns:xd=\"{NS_XADES}\" Target=\"#idPackageSignature\"><xd:SignedProperties Id=\"idSignedProperties\"><xd:SignedSignatureProperties><xd:SigningTime>{when}</xd:SigningTime><xd:SigningCertificate><xd:Cert><xd:CertDigest><DigestMethod Algorithm=\"{dm}\"/><DigestValue>{}</DigestValue></xd:CertDigest><xd:IssuerSerial><X509IssuerName>{}</X509IssuerName><X509SerialNumber>{serial}</X509SerialNumber></xd:IssuerSerial></xd:Cert></xd:SigningCertificate><xd:SignaturePolicyIdentifier><xd:SignaturePolicyImplied/></xd:SignaturePolicyIdentifier></xd:SignedSignatureProperties><xd:SignedDataObjectProperties><xd:CommitmentTypeIndication><xd:CommitmentTypeId><xd:Identifier>http://uri.etsi.org/01903/v1.2.2#ProofOfApproval</xd:Identifier></xd:CommitmentTypeId><xd:AllSignedDataObjects/></xd:CommitmentTypeIndication></xd:SignedDataObjectProperties></xd:SignedProperties>UNSIGNED_PROPS</xd:QualifyingProperties></Object>",
        b64(&hash.digest(&cert_der)),
        escape_text(&issuer)
    );
    let signed_info_tpl = format!(
        "<SignedInfo><CanonicalizationMethod Algorithm=\"{C14N}\"/><SignatureMethod Algorithm=\"{sig_method}\"/><Reference Type=\"http://www.w3.org/2000/09/xmldsig#Object\" URI=\"#idPackageObject\"><DigestMethod Algorithm=\"{dm}\"/><DigestValue>D_PACKAGE</DigestValue></Reference><Reference Type=\"http://www.w3.org/2000/09/xmldsig#Object\" URI=\"#idOfficeObject\"><DigestMethod Algorithm=\"{dm}\"/><DigestValue>D_OFFICE</DigestValue></Reference><Reference Type=\"http://uri.etsi.org/01903#SignedProperties\" URI=\"#idSignedProperties\"><Transforms><Transform Algorithm=\"{C14N}\"/></Transforms><DigestMethod Algorithm=\"{dm}\"/><DigestValue>D_XADES</DigestValue></Reference></SignedInfo>"
    );
    let assemble = |signed_info: &str, value: &str, unsigned: &str| {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Signature xmlns=\"{NS_DSIG}\" Id=\"idPackageSignature\">{signed_info}<SignatureValue>{value}</SignatureValue><KeyInfo><X509Data>{key_info}</X509Data></KeyInfo>{package_object}{office_object}{}</Signature>",
            xades_object.replace("UNSIGNED_PROPS", unsigned)
        )
    };
    // Digests of the three objects, canonicalised in place (XML-DSig §4.4.3.3).
    let draft = xml::parse(assemble(&signed_info_tpl, "", "").as_bytes())?;
    let ids = index_ids(&draft.root)?;
    let digest_of = |id: &str| -> Result<String, OoxmlError> {
        let path = ids.get(id).ok_or(OoxmlError::Malformed("signature object"))?;
        Ok(b64(&hash.digest(&c14n::element(&follow(&draft.root, path), Method::Inclusive { comments: false }, &[]))))
    };
    let signed_info = signed_info_tpl
        .replace("D_PACKAGE", &digest_of("idPackageObject")?)
        .replace("D_OFFICE", &digest_of("idOfficeObject")?)
        .replace("D_XADES", &digest_of("idSignedProperties")?);
    let with_si = xml::parse(assemble(&signed_info, "", "").as_bytes())?;
    let si = with_si.root.elements().next().ok_or(OoxmlError::Malformed("SignedInfo"))?;
    let si_c14n = c14n::element(&[&with_si.root, si], Method::Inclusive { comments: false }, &[]);

    // --- The signature value (the token is touched only here).
    let raw = signer.sign_digest(&alg.digest().digest(&si_c14n))?;
    let value = match alg {
        SignatureAlgorithm::Ecdsa(_) => {
            let curve = match CertInfo::from_certificate(cert, now).key {
                KeyKind::Ec { curve } => curve,
                _ => String::new(),
            };
            ecdsa_der_to_raw(&raw, field_len(&curve))?
        }
        _ => raw,
    };
    let value_b64 = b64(&value);

    // --- XAdES-T: a timestamp over the canonical SignatureValue.
    let mut unsigned = String::new();
    let mut timestamp = None;
    if let Some(tsa) = &opts.tsa {
        let doc = xml::parse(assemble(&signed_info, &value_b64, "").as_bytes())?;
        let pos = doc.root.elements().position(|e| e.is(NS_DSIG, "SignatureValue")).unwrap_or(1);
        let sv = c14n::element(&follow(&doc.root, &[pos]), Method::Inclusive { comments: false }, &[]);
        let (token, info) = tsa.request(&sv).map_err(|e| OoxmlError::Timestamp(e.to_string()))?;
        timestamp = Some(info.time);
        unsigned = format!(
            "<xd:UnsignedProperties><xd:UnsignedSignatureProperties><xd:SignatureTimeStamp Id=\"idSignatureTimeStamp\"><CanonicalizationMethod Algorithm=\"{C14N}\"/><xd:EncapsulatedTimeStamp>{}</xd:EncapsulatedTimeStamp></xd:SignatureTimeStamp></xd:UnsignedSignatureProperties></xd:UnsignedProperties>",
            b64(&token)
        );
    }
    let signature_xml = assemble(&signed_info, &value_b64, &unsigned);

    // --- Write: untouched items raw, changed ones rewritten, new ones added.
    let dir = output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new().prefix(".kyso-").suffix(".part").tempfile_in(dir)?;
    {
        let file = std::io::BufReader::new(std::fs::File::open(input)?);
        let mut src = zip::ZipArchive::new(file).map_err(|e| OoxmlError::Zip(e.to_string()))?;
        let mut w = zip::ZipWriter::new(std::io::BufWriter::new(tmp.as_file()));
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip_time(now));
        let zerr = |e: zip::result::ZipError| OoxmlError::Zip(e.to_string());
        let mut wrote_origin_rels = false;
        for i in 0..src.len() {
            let f = src.by_index_raw(i).map_err(zerr)?;
            let name = f.name().map_err(zerr)?.into_owned();
            let part = format!("/{name}");
            let replacement: Option<&[u8]> = if name == "[Content_Types].xml" {
                Some(&new_ct)
            } else if part.eq_ignore_ascii_case("/_rels/.rels") {
                new_root_rels.as_deref()
            } else if part.eq_ignore_ascii_case(&origin_rels_part) {
                wrote_origin_rels = true;
                Some(&new_origin_rels)
            } else {
                None
            };
            match replacement {
                Some(data) => {
                    drop(f);
                    w.start_file(name, deflated).map_err(zerr)?;
                    w.write_all(data)?;
                }
                None => w.raw_copy_file(f).map_err(zerr)?,
            }
        }
        if pkg.find("/_rels/.rels").is_none()
            && let Some(data) = &new_root_rels
        {
            w.start_file("_rels/.rels", deflated).map_err(zerr)?;
            w.write_all(data)?;
        }
        if pkg.find(&origin).is_none() {
            w.start_file(&origin[1..], deflated.compression_method(zip::CompressionMethod::Stored)).map_err(zerr)?;
        }
        if !wrote_origin_rels {
            w.start_file(&origin_rels_part[1..], deflated).map_err(zerr)?;
            w.write_all(&new_origin_rels)?;
        }
        w.start_file(&sig_part[1..], deflated).map_err(zerr)?;
        w.write_all(signature_xml.as_bytes())?;
        let mut out = w.finish().map_err(zerr)?;
        out.flush()?;
    }
    tmp.as_file().sync_all()?;
    if opts.overwrite {
        tmp.persist(output).map_err(|e| OoxmlError::Io(e.error))?;
    } else {
        tmp.persist_noclobber(output).map_err(|e| OoxmlError::Io(e.error))?;
    }
    Ok(SignOutcome { signature_part: sig_part, signed_parts, timestamp })
}

fn zip_time(t: SystemTime) -> zip::DateTime {
    let secs = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or(Duration::ZERO).as_secs() as i64;
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|d| {
            zip::DateTime::from_date_and_time(
                d.year().clamp(1980, 2107) as u16,
                d.month() as u8,
                d.day(),
                d.hour(),
                d.minute(),
                d.second(),
            )
            .ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_serials() {
        assert_eq!(decimal(&[0x00]), "0");
        assert_eq!(decimal(&[0x01, 0x00]), "256");
        assert_eq!(
            decimal(&[0x10, 0, 0, 0, 0, 0, 0x59, 0xe0, 0x97, 0xc3, 0x88, 0x31, 0xed, 0xb6, 0x81, 0x18]),
            "21267647932559078400084294942057726232"
        );
    }

    #[test]
    fn insertion_keeps_bytes() {
        let src = b"<?xml version=\"1.0\"?>\r\n<Types xmlns=\"urn:x\"><Default Extension=\"xml\"/></Types>";
        let out = insert_before_close(src, "Types", "<Override/>").unwrap();
        assert_eq!(
            out,
            b"<?xml version=\"1.0\"?>\r\n<Types xmlns=\"urn:x\"><Default Extension=\"xml\"/><Override/></Types>"
        );
        let out = insert_before_close(b"<Types xmlns=\"urn:x\"/>", "Types", "<O/>").unwrap();
        assert_eq!(out, b"<Types xmlns=\"urn:x\"><O/></Types>");
    }
}
