//! The package as a graph (ECMA-376 Part 2 §9.3, §13.2): every relationship
//! of every relationships part, who points at each part, the signature
//! machinery (one origin, the signature parts it names), and the kinds of
//! part a signature may leave out. Built once, in hash maps, so accounting
//! for a package is linear in its parts and relationships.

use std::collections::{HashMap, HashSet};

use crate::OoxmlError;
use crate::package::{
    CT_ORIGIN, CT_RELS, MAX_RELATIONSHIPS, Package, REL_ORIGIN, REL_SIGNATURE, rels_part_of, resolve_target, source_of,
};
use crate::zipread::fold;

/// Relationship type of a signature's certificate part (§13.2.3).
pub const REL_CERTIFICATE: &str =
    "http://schemas.openxmlformats.org/package/2006/relationships/digital-signature/certificate";
/// Content type of a certificate part (§13.2.3).
pub const CT_CERTIFICATE: &str = "application/vnd.openxmlformats-package.digital-signature-certificate";
/// Most signatures one package may carry.
pub const MAX_SIGNATURES: usize = 100;

/// Why a part may be left out of a signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Package metadata Office leaves unsigned (core, extended and custom
    /// properties, thumbnail; ECMA-376 Part 2 §11, Part 1 §15.2.12.1,
    /// §15.2.12.2, §15.2.12.3, §15.2.16), from the package itself.
    Metadata,
    /// Presentation and view settings Apache POI leaves unsigned (Part 1
    /// §15.2.16 presProps, §15.2.19 viewProps): not slide content.
    ViewSettings,
    /// Custom XML data (Part 1 §15.2.4, §15.2.5) Office leaves unsigned:
    /// acceptable only while no content control shows it (data binding).
    CustomXml,
}

/// Exact (relationship type, target content types, source must be the
/// package) of each kind. Transitional and Strict spellings.
const KINDS: &[(&str, &[&str], bool, Kind)] = &[
    (
        "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
        &["application/vnd.openxmlformats-package.core-properties+xml"],
        true,
        Kind::Metadata,
    ),
    (
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties",
        &["application/vnd.openxmlformats-officedocument.extended-properties+xml"],
        true,
        Kind::Metadata,
    ),
    (
        "http://purl.oclc.org/ooxml/officeDocument/relationships/extendedProperties",
        &["application/vnd.openxmlformats-officedocument.extended-properties+xml"],
        true,
        Kind::Metadata,
    ),
    (
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties",
        &["application/vnd.openxmlformats-officedocument.custom-properties+xml"],
        true,
        Kind::Metadata,
    ),
    (
        "http://purl.oclc.org/ooxml/officeDocument/relationships/customProperties",
        &["application/vnd.openxmlformats-officedocument.custom-properties+xml"],
        true,
        Kind::Metadata,
    ),
    (
        "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail",
        &[
            "image/jpeg",
            "image/png",
            "image/gif",
            "image/bmp",
            "image/tiff",
            "image/x-wmf",
            "image/x-emf",
            "image/x-pict",
        ],
        true,
        Kind::Metadata,
    ),
    (
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/presProps",
        &["application/vnd.openxmlformats-officedocument.presentationml.presProps+xml"],
        false,
        Kind::ViewSettings,
    ),
    (
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/viewProps",
        &["application/vnd.openxmlformats-officedocument.presentationml.viewProps+xml"],
        false,
        Kind::ViewSettings,
    ),
    (
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml",
        &["application/xml", "text/xml"],
        false,
        Kind::CustomXml,
    ),
    (
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXmlProps",
        &["application/vnd.openxmlformats-officedocument.customXmlProperties+xml"],
        false,
        Kind::CustomXml,
    ),
];

/// The kind a relationship gives its target, compared exactly: relationship
/// type, the target's content type, and (for metadata) the package as source.
pub fn kind_of(rel_type: &str, target_ct: Option<&str>, source_is_package: bool) -> Option<Kind> {
    let ct = target_ct?;
    KINDS
        .iter()
        .find(|(t, cts, pkg_only, _)| *t == rel_type && cts.contains(&ct) && (source_is_package || !pkg_only))
        .map(|(_, _, _, k)| *k)
}

/// Relationship types of the main part (the second one is the lever of a
/// redirected document).
pub fn is_main_document(rel_type: &str) -> bool {
    matches!(
        rel_type,
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
            | "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
    )
}

/// One relationship of the package.
#[derive(Clone, Debug)]
pub struct Rel {
    /// Its relationships part, as stored.
    pub rels_part: String,
    /// That part's folded name.
    pub rels_folded: String,
    /// The source part (`/` for the package).
    pub source: String,
    /// `Id`.
    pub id: String,
    /// `Type`.
    pub rel_type: String,
    /// `Target` as written.
    pub target: String,
    /// `TargetMode="External"`.
    pub external: bool,
    /// The folded target part of an internal relationship.
    pub resolved: Option<String>,
    /// Whether this is a kind a signature may leave out.
    pub kind: Option<Kind>,
    /// Part of the signature machinery (the origin relationship, signature
    /// and certificate relationships).
    pub machinery: bool,
}

impl Rel {
    /// `rels_part#Id (Type → target)` for reports.
    pub fn describe(&self) -> String {
        let short = self.rel_type.rsplit('/').next().unwrap_or(&self.rel_type);
        let target = if self.external { format!("{} (External)", self.target) } else { self.target.clone() };
        format!("{}#{} ({short} → {target})", self.rels_part, self.id)
    }
}

/// The package's graph.
#[derive(Debug, Default)]
pub struct Opc {
    /// Every relationship of every well-placed relationships part.
    pub rels: Vec<Rel>,
    /// Folded part name → indices in `rels` of relationships pointing at it.
    pub incoming: HashMap<String, Vec<usize>>,
    /// Folded names of the well-placed relationships parts.
    pub rels_parts: HashSet<String>,
    /// Folded relationships part → indices in `rels`, in document order.
    pub by_part: HashMap<String, Vec<usize>>,
    /// Structural findings that hold for every signature: (code, detail).
    pub problems: Vec<(&'static str, String)>,
    /// The digital signature origin part, when exactly one valid origin exists.
    pub origin: Option<String>,
    /// Why the origin is not valid (a format failure of every signature).
    pub origin_problem: Option<String>,
    /// The signature parts the origin names (stored names).
    pub signatures: Vec<String>,
    /// Folded names of the machinery parts.
    pub machinery: HashSet<String>,
}

impl Opc {
    /// Reads every relationships part of `pkg`.
    #[allow(clippy::too_many_lines)]
    pub fn of(pkg: &mut Package) -> Result<Self, OoxmlError> {
        let mut g = Opc::default();
        let parts: Vec<String> = pkg.parts().to_vec();
        for p in &parts {
            let f = fold(p);
            let looks_like_rels = f.ends_with(".rels") || f.contains("/_rels/") || pkg.content_type(p) == Some(CT_RELS);
            if !looks_like_rels {
                continue;
            }
            // §9.3.3.1 [M1.25, M1.30]: a relationships part sits at
            // `_rels/<source>.rels` of an existing part (or the package),
            // has the relationships content type, and has no relationships
            // of its own.
            let source = match source_of(p) {
                Some(s) if s == "/" => Some(s),
                Some(s) if source_of(&s).is_none() => pkg.find(&s).map(str::to_owned),
                _ => None,
            };
            let Some(source) = source else {
                g.problems.push(("relationships_part_misplaced", p.clone()));
                continue;
            };
            if pkg.content_type(p) != Some(CT_RELS) {
                g.problems.push(("relationships_part_content_type", p.clone()));
                continue;
            }
            let list = match pkg.relationships(p) {
                Ok(l) => l,
                Err(e @ OoxmlError::TooLarge(_)) => return Err(e),
                Err(e) => {
                    g.problems.push(("relationships_unreadable", format!("{p}: {e}")));
                    continue;
                }
            };
            if g.rels.len() + list.len() > MAX_RELATIONSHIPS {
                return Err(OoxmlError::TooLarge(format!("more than {MAX_RELATIONSHIPS} relationships")));
            }
            g.rels_parts.insert(f.clone());
            for r in list {
                let resolved = (!r.external).then(|| fold(&resolve_target(&source, &r.target)));
                let ct = resolved.as_deref().and_then(|t| pkg.find(t)).and_then(|t| pkg.content_type(t));
                let kind = if r.external { None } else { kind_of(&r.rel_type, ct, source == "/") };
                g.by_part.entry(f.clone()).or_default().push(g.rels.len());
                g.rels.push(Rel {
                    rels_part: p.clone(),
                    rels_folded: f.clone(),
                    source: source.clone(),
                    id: r.id,
                    rel_type: r.rel_type,
                    target: r.target,
                    external: r.external,
                    resolved,
                    kind,
                    machinery: false,
                });
            }
        }

        // --- The origin (§13.2.1 [M6.1-M6.3]): exactly one package
        // relationship of the origin type, internal, to an existing part of
        // the origin content type. Any other shape is a format failure and
        // nothing is machinery (so every relationship is accounted for).
        let origins: Vec<usize> =
            (0..g.rels.len()).filter(|i| g.rels[*i].source == "/" && g.rels[*i].rel_type == REL_ORIGIN).collect();
        let origin_target = |r: &Rel| r.resolved.as_deref().and_then(|t| pkg.find(t)).map(str::to_owned);
        let mut candidates: Vec<String> = Vec::new();
        match origins[..] {
            [] => {}
            [i] => {
                let r = &g.rels[i];
                match origin_target(r) {
                    _ if r.external => {
                        g.origin_problem = Some(format!("the origin relationship is external: {}", r.target))
                    }
                    None => g.origin_problem = Some(format!("the origin part does not exist: {}", r.target)),
                    Some(t) if pkg.content_type(&t) != Some(CT_ORIGIN) => {
                        g.origin_problem = Some(format!("{t} is not a signature origin part"));
                        candidates.push(t);
                    }
                    Some(t) => {
                        g.rels[i].machinery = true;
                        g.origin = Some(t);
                    }
                }
            }
            _ => {
                g.origin_problem = Some(format!("{} signature origin relationships", origins.len()));
                candidates.extend(origins.iter().filter_map(|i| origin_target(&g.rels[*i])));
            }
        }
        if g.origin_problem.is_some() {
            // Still report the signatures a well-formed origin part names,
            // each as a format failure.
            candidates.extend(parts.iter().filter(|p| pkg.content_type(p) == Some(CT_ORIGIN)).cloned());
        }
        let valid = g.origin.is_some();
        candidates.extend(g.origin.iter().cloned());
        // Each candidate costs a pass over the relationships: a few only.
        let mut seen = HashSet::new();
        candidates.retain(|c| seen.insert(fold(c)));
        candidates.truncate(8);
        for origin in candidates {
            let origin_rels = fold(&rels_part_of(&origin));
            for i in 0..g.rels.len() {
                let r = &g.rels[i];
                if r.rels_folded != origin_rels || r.rel_type != REL_SIGNATURE || r.external {
                    continue;
                }
                let Some(t) = origin_target(r) else { continue };
                if valid {
                    g.rels[i].machinery = true;
                    g.machinery.insert(fold(&t));
                }
                if !g.signatures.contains(&t) {
                    if g.signatures.len() >= MAX_SIGNATURES {
                        return Err(OoxmlError::TooLarge(format!("more than {MAX_SIGNATURES} signatures")));
                    }
                    g.signatures.push(t);
                }
            }
            if valid {
                g.machinery.insert(fold(&origin));
                g.machinery.insert(origin_rels);
            }
        }
        // Certificate parts of the signatures (§13.2.3).
        if valid {
            let sigs: HashSet<String> = g.signatures.iter().map(|s| fold(s)).collect();
            for r in &mut g.rels {
                if sigs.contains(&fold(&r.source)) && r.rel_type == REL_CERTIFICATE && !r.external {
                    let ct = r.resolved.as_deref().and_then(|t| pkg.find(t)).and_then(|t| pkg.content_type(t));
                    if ct == Some(CT_CERTIFICATE)
                        && let Some(t) = &r.resolved
                    {
                        r.machinery = true;
                        g.machinery.insert(t.clone());
                    }
                }
            }
        }
        for (i, r) in g.rels.iter().enumerate() {
            if let Some(t) = &r.resolved
                && !r.machinery
            {
                g.incoming.entry(t.clone()).or_default().push(i);
            }
        }
        Ok(g)
    }

    /// Whether the folded part name is signature machinery.
    pub fn is_machinery(&self, part: &str) -> bool {
        self.machinery.contains(&fold(part))
    }

    /// The non-machinery relationships pointing at `part`.
    pub fn incoming(&self, part: &str) -> impl Iterator<Item = &Rel> {
        self.incoming.get(&fold(part)).into_iter().flatten().map(|i| &self.rels[*i])
    }
}
