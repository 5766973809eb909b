//! XML-DSig pieces shared by signing and verification: algorithm URIs
//! (W3C XML-DSig 1.1 §6, RFC 6931), same-document references, and the OPC
//! Relationships Transform (ECMA-376 Part 2 §13.2.4.24).

use std::collections::HashMap;

use base64::Engine;
use kyso_pki::HashAlg;
use kyso_pki::x509_cert::spki::AlgorithmIdentifierOwned;

use crate::OoxmlError;
use crate::c14n::{self, Method};
use crate::package::{NS_RELS, parse_relationships};
use crate::xml::{self, Element, escape_attr};

/// XML-DSig namespace.
pub const NS_DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
/// XAdES 1.3.2 namespace.
pub const NS_XADES: &str = "http://uri.etsi.org/01903/v1.3.2#";
/// XAdES 1.4.1 namespace (SignatureTimeStamp may live here too).
pub const NS_XADES141: &str = "http://uri.etsi.org/01903/v1.4.1#";
/// OPC digital signature namespace.
pub const NS_MDSSI: &str = "http://schemas.openxmlformats.org/package/2006/digital-signature";
/// Office's signature details namespace.
pub const NS_OFFICE: &str = "http://schemas.microsoft.com/office/2006/digsig";
/// The Relationships Transform.
pub const RELATIONSHIP_TRANSFORM: &str = "http://schemas.openxmlformats.org/package/2006/RelationshipTransform";

/// The hash named by a `DigestMethod` URI.
pub fn digest_alg(uri: &str) -> Option<HashAlg> {
    Some(match uri {
        "http://www.w3.org/2000/09/xmldsig#sha1" => HashAlg::Sha1,
        "http://www.w3.org/2001/04/xmldsig-more#sha224" => HashAlg::Sha224,
        "http://www.w3.org/2001/04/xmlenc#sha256" => HashAlg::Sha256,
        "http://www.w3.org/2001/04/xmldsig-more#sha384" => HashAlg::Sha384,
        "http://www.w3.org/2001/04/xmlenc#sha512" => HashAlg::Sha512,
        _ => return None,
    })
}

/// The `DigestMethod` URI of a hash we sign with.
pub fn digest_uri(alg: HashAlg) -> &'static str {
    match alg {
        HashAlg::Sha384 => "http://www.w3.org/2001/04/xmldsig-more#sha384",
        HashAlg::Sha512 => "http://www.w3.org/2001/04/xmlenc#sha512",
        _ => "http://www.w3.org/2001/04/xmlenc#sha256",
    }
}

/// A `SignatureMethod`: the hash and the X.509 algorithm identifier our
/// verifier understands. XML-DSig ECDSA values are `r || s` (RFC 4050 §3.3),
/// which is what BSI TR-03111's "plain" ECDSA identifiers mean.
pub fn signature_alg(uri: &str) -> Option<(HashAlg, AlgorithmIdentifierOwned)> {
    let (h, oid) = match uri {
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1" => (HashAlg::Sha1, "1.2.840.113549.1.1.5"),
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" => (HashAlg::Sha256, "1.2.840.113549.1.1.11"),
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384" => (HashAlg::Sha384, "1.2.840.113549.1.1.12"),
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512" => (HashAlg::Sha512, "1.2.840.113549.1.1.13"),
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1" => (HashAlg::Sha1, "0.4.0.127.0.7.1.1.4.1.1"),
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256" => (HashAlg::Sha256, "0.4.0.127.0.7.1.1.4.1.3"),
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384" => (HashAlg::Sha384, "0.4.0.127.0.7.1.1.4.1.4"),
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512" => (HashAlg::Sha512, "0.4.0.127.0.7.1.1.4.1.5"),
        _ => return None,
    };
    let oid = oid.parse().ok()?;
    Some((h, AlgorithmIdentifierOwned { oid, parameters: None }))
}

/// Standard base64 (RFC 4648 §4).
pub fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// Decodes base64 content, ignoring the white space XML-DSig allows in it.
pub fn unb64(s: &str) -> Option<Vec<u8>> {
    let clean: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(clean).ok()
}

/// Most `Id` attributes a signature may carry (Office writes a handful;
/// the bound keeps the index small whatever the input).
pub const MAX_IDS: usize = 4096;

/// The child-index path (below the root) of every element carrying an `Id`
/// attribute, by value, in one hash map (linear in the document). Any
/// repeated value makes `#id` references ambiguous, the lever of
/// signature-wrapping attacks: refused, as are more than [`MAX_IDS`] Ids.
pub fn index_ids(root: &Element) -> Result<HashMap<String, Vec<usize>>, OoxmlError> {
    fn walk(e: &Element, path: &mut Vec<usize>, out: &mut HashMap<String, Vec<usize>>) -> Result<(), OoxmlError> {
        for a in e.attrs.iter().filter(|a| a.ns.is_empty() && matches!(a.local.as_str(), "Id" | "ID" | "id")) {
            if out.len() >= MAX_IDS {
                return Err(OoxmlError::Malformed("too many Id attributes"));
            }
            if out.insert(a.value.clone(), path.clone()).is_some() {
                return Err(OoxmlError::Malformed("two elements carry the same Id"));
            }
        }
        for (i, c) in e.elements().enumerate() {
            path.push(i);
            walk(c, path, out)?;
            path.pop();
        }
        Ok(())
    }
    let mut out = HashMap::new();
    // The parser bounds the depth, so the recursion is bounded too.
    walk(root, &mut Vec::new(), &mut out)?;
    Ok(out)
}

/// The elements from `root` along a child-index path.
pub fn follow<'a>(root: &'a Element, path: &[usize]) -> Vec<&'a Element> {
    let mut out = vec![root];
    let mut cur = root;
    for i in path {
        match cur.elements().nth(*i) {
            Some(e) => {
                out.push(e);
                cur = e;
            }
            None => break,
        }
    }
    out
}

/// A canonicalisation step named by a `Transform` or
/// `CanonicalizationMethod` element, with its exclusive-C14N prefix list.
pub fn c14n_of(e: &Element) -> Option<(Method, Vec<String>)> {
    let m = Method::from_uri(e.attr("Algorithm")?)?;
    let prefixes = e
        .elements()
        .find(|x| x.local == "InclusiveNamespaces")
        .and_then(|x| x.attr("PrefixList"))
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    Some((m, prefixes))
}

/// The Relationships Transform (ECMA-376 Part 2 §13.2.4.24): keeps the
/// relationships selected by Id or Type, sorted by Id, with only Id, Target,
/// TargetMode (defaulted to `Internal`) and Type, and no other content, then
/// canonicalises (the C14N that must follow it changes nothing further).
/// Returns the canonical bytes and the selected Ids.
pub fn relationship_transform(
    rels_xml: &[u8],
    source_ids: &[String],
    source_types: &[String],
) -> Result<(Vec<u8>, Vec<String>), OoxmlError> {
    relationship_transform_doc(&xml::parse(rels_xml)?, source_ids, source_types)
}

/// [`relationship_transform`] on a parsed relationships part. The steps of
/// ECMA-376 Part 2 §13.2.4.24: (1) markup-compatibility processing (none
/// is defined for relationships parts); (2) sort the Relationship elements
/// by Id (ordinal); (3) keep those whose Id is a SourceId or whose Type is a
/// SourceType; (4-6) drop everything else the Relationships element holds:
/// white space between elements (a pretty-printed part), comments,
/// processing instructions and Relationship content; (7) add
/// TargetMode="Internal" where it is absent; then C14N, which writes the
/// four attributes in name order. Returns the octets and the selected Ids.
pub fn relationship_transform_doc(
    doc: &xml::Document,
    source_ids: &[String],
    source_types: &[String],
) -> Result<(Vec<u8>, Vec<String>), OoxmlError> {
    // Validates the part (root element, attributes, unique Ids).
    parse_relationships(&doc.root)?;
    let ids: std::collections::HashSet<&str> = source_ids.iter().map(String::as_str).collect();
    let types: std::collections::HashSet<&str> = source_types.iter().map(String::as_str).collect();
    let mut selected: Vec<&Element> = doc
        .root
        .elements()
        .filter(|e| e.is(NS_RELS, "Relationship"))
        .filter(|e| e.attr("Id").is_some_and(|i| ids.contains(i)) || e.attr("Type").is_some_and(|t| types.contains(t)))
        .collect();
    selected.sort_by(|a, b| a.attr("Id").unwrap_or("").cmp(b.attr("Id").unwrap_or("")));
    let mut out = format!("<Relationships xmlns=\"{NS_RELS}\">");
    let mut ids = Vec::new();
    for e in selected {
        let id = e.attr("Id").unwrap_or("");
        ids.push(id.to_owned());
        out.push_str(&format!(
            "<Relationship Id=\"{}\" Target=\"{}\" TargetMode=\"{}\" Type=\"{}\"></Relationship>",
            escape_attr(id),
            escape_attr(e.attr("Target").unwrap_or("")),
            escape_attr(e.attr("TargetMode").unwrap_or("Internal")),
            escape_attr(e.attr("Type").unwrap_or("")),
        ));
    }
    out.push_str("</Relationships>");
    Ok((out.into_bytes(), ids))
}

/// [`relationship_transform_doc`] over relationships already read and
/// checked (Id, Target, external, Type), so that a large relationships part
/// is parsed once per verification: the same selection, order and output.
pub fn relationship_transform_list<'a>(
    rels: impl Iterator<Item = (&'a str, &'a str, bool, &'a str)>,
    source_ids: &[String],
    source_types: &[String],
) -> (Vec<u8>, Vec<String>) {
    let ids: std::collections::HashSet<&str> = source_ids.iter().map(String::as_str).collect();
    let types: std::collections::HashSet<&str> = source_types.iter().map(String::as_str).collect();
    let mut selected: Vec<(&str, &str, bool, &str)> =
        rels.filter(|(id, _, _, ty)| ids.contains(id) || types.contains(ty)).collect();
    selected.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = format!("<Relationships xmlns=\"{NS_RELS}\">");
    let mut sel = Vec::with_capacity(selected.len());
    for (id, target, external, ty) in selected {
        sel.push(id.to_owned());
        out.push_str(&format!(
            "<Relationship Id=\"{}\" Target=\"{}\" TargetMode=\"{}\" Type=\"{}\"></Relationship>",
            escape_attr(id),
            escape_attr(target),
            if external { "External" } else { "Internal" },
            escape_attr(ty),
        ));
    }
    out.push_str("</Relationships>");
    (out.into_bytes(), sel)
}

/// The selectors of a Relationships Transform element: (SourceIds, SourceTypes).
pub fn relationship_selectors(transform: &Element) -> (Vec<String>, Vec<String>) {
    let mut ids = Vec::new();
    let mut types = Vec::new();
    for e in transform.elements() {
        match (e.ns.as_str(), e.local.as_str()) {
            (NS_MDSSI, "RelationshipReference") => ids.extend(e.attr("SourceId").map(str::to_owned)),
            (NS_MDSSI, "RelationshipsGroupReference") => types.extend(e.attr("SourceType").map(str::to_owned)),
            _ => {}
        }
    }
    (ids, types)
}

/// The canonical octets of a whole XML part.
pub fn canonical_part(data: &[u8], method: Method, prefixes: &[String]) -> Result<Vec<u8>, OoxmlError> {
    Ok(c14n::document(&xml::parse(data)?, method, prefixes))
}
