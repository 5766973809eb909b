//! What changed after a signature, judged against the revision it signed.
//!
//! The signed revision is loaded exactly as it was — its own cross-reference
//! chain, object streams, trailer and catalog ([`PdfReader::open_revision`]) —
//! and every later revision is compared with it object by object, as
//! pyHanko's difference analysis does (the rule names below follow its
//! `CatalogModificationRule`, `DocInfoRule`, `MetadataUpdateRule`,
//! `DSSCompareRule`, `ObjectStreamRule`, `SigFieldCreationRule`,
//! `SigFieldModificationRule`, `GenericFieldModificationRule`). Reject by
//! default: an object that changed is explained by a rule that knows its
//! role *in the signed revision*, or the change is disallowed. Roles and
//! whitelists never come from the later (possibly an attacker's) revision.
//!
//! Levels (pyHanko's `ModificationLevel`) are judged against the DocMDP
//! permission of the signed revision (ISO 32000-2 §12.8.2.2.2): P=1 allows
//! only long-term-validation updates (DSS and document timestamps, ETSI EN
//! 319 142-1 §5.4, §5.5), P=2 form filling and signing, P=3 annotations too.
//! An approval signature without certification is treated as P=2, as
//! pyHanko does. FieldMDP locks (§12.8.2.4) forbid changes to locked fields.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use kyso_pki::report::{Change, Modifications, Warning, WarningCode};

use crate::object::{Dict, Object, StreamData};
use crate::reader::{PdfError, PdfReader, XrefEntry};

/// Modification levels, ordered (pyHanko's `ModificationLevel`); the
/// report's vocabulary.
pub use kyso_pki::report::ModificationLevel as Level;

/// The result of the analysis for one signature.
#[derive(Debug)]
pub struct Analysis {
    /// `none`, `allowed` or `disallowed`.
    pub verdict: Modifications,
    /// The highest level seen.
    pub level: Level,
    /// Every change, in the order found.
    pub changes: Vec<Change>,
    /// Warnings about the signed revision itself, e.g. `xref_repaired`.
    pub warnings: Vec<Warning>,
}

/// Every change kind the analysis reports (each has a `change-<kind>`
/// message in both languages; kyso-cli's tests check it).
pub const KINDS: &[&str] = &[
    "action_added",
    "annotation_added",
    "annotation_changed",
    "annotation_removed",
    "appearance_changed",
    "catalog_changed",
    "catalog_extensions",
    "certification_changed",
    "data_after_last_revision",
    "dss_invalid",
    "dss_updated",
    "form_changed",
    "hidden_revision",
    "form_field_added",
    "form_field_changed",
    "form_field_filled",
    "form_field_removed",
    "form_resources_changed",
    "info_hijacked",
    "info_updated",
    "locked_field_changed",
    "metadata_invalid",
    "metadata_updated",
    "need_appearances_set",
    "object_changed",
    "object_freed",
    "object_stream_overridden",
    "object_unreadable",
    "page_added",
    "page_changed",
    "page_content_changed",
    "page_removed",
    "page_tree_changed",
    "pages_reordered",
    "revision_structure",
    "revision_unreadable",
    "shared_object_changed",
    "signature_added",
    "signature_dictionary_changed",
    "signature_field_added",
    "signature_field_changed",
    "signature_not_covering_update",
    "signature_value_direct",
    "signature_value_reused",
    "signature_value_shared",
    "signature_widget_changed",
    "signed_field_changed",
    "timestamp_added",
    "trailer_changed",
    "undefined_reference_defined",
    "unsigned_signature_field_with_appearance",
    "version_updated",
    "visible_change",
    "visual_not_compared",
    "widget_added",
    "xref_defect",
];

const TRAILER: u32 = u32::MAX;
/// Keys that point back up the tree or across it; a reference under them is
/// not a use of the object's content (ISO 32000-2 §12.5.2 /P, §12.7.4
/// /Parent, §14.7.4 /Pg, §12.3.2 destinations, outline links).
const BACK_KEYS: &[&[u8]] =
    &[b"Parent", b"P", b"Pg", b"Dest", b"D", b"Popup", b"IRT", b"First", b"Last", b"Next", b"Prev", b"SD"];
/// Catalog keys other rules judge (pyHanko's ROOT_EXEMPT_STRICT_COMPARISON).
const CATALOG_FREE: &[&str] = &["AcroForm", "DSS", "Extensions", "Metadata", "MarkInfo", "Version"];
/// AcroForm keys judged separately (pyHanko's ACROFORM_EXEMPT_STRICT_COMPARISON).
const ACROFORM_FREE: &[&str] = &["Fields", "DR", "DA", "Q", "NeedAppearances", "SigFlags"];
/// Keys a form field's value update may change (pyHanko's VALUE_UPDATE_KEYS).
const VALUE_KEYS: &[&str] = &["V", "AP", "AS", "F", "DA", "Q", "Ff", "Type"];
/// Keys filling an empty signature field may set (ISO 32000-2 §12.7.5.5).
const SIG_FILL_KEYS: &[&str] = &["V", "AP", "AS", "Rect", "F", "P", "DA", "MK", "Type", "Ff", "Lock", "SV"];
/// Trailer keys that belong to the cross-reference machinery (§7.5.5, §7.5.8.2).
const TRAILER_FREE: &[&str] =
    &["Size", "Prev", "ID", "XRefStm", "Type", "W", "Index", "Length", "Filter", "DecodeParms", "DocChecksum", "Info"];
/// Markup annotations (§12.5.6.2) a P=3 certification lets anyone add.
const MARKUP: &[&[u8]] = &[
    b"Text",
    b"FreeText",
    b"Line",
    b"Square",
    b"Circle",
    b"Polygon",
    b"PolyLine",
    b"Highlight",
    b"Underline",
    b"Squiggly",
    b"StrikeOut",
    b"Stamp",
    b"Caret",
    b"Ink",
    b"Popup",
];
/// Bounds on the work (objects visited, bytes compared).
const MAX_OBJECTS: usize = 2_000_000;
const MAX_COMPARE: u64 = 256 << 20;

/// Which objects are new relative to the signed revision, and which of
/// them an earlier later revision already had (judged there).
struct Fresh<'a> {
    old: &'a PdfReader,
    prev: &'a PdfReader,
}

impl Fresh<'_> {
    /// Not in the signed revision (pyHanko's `is_ref_unassignable`).
    fn is_new(&self, n: &u32) -> bool {
        !in_use(self.old.entry(*n))
    }

    /// New relative to the signed revision, but already judged with the
    /// revision that created it.
    fn seen_before(&self, n: &u32) -> bool {
        self.is_new(n) && in_use(self.prev.entry(*n))
    }
}

/// What an object of the signed revision is, and from where it was reached.
#[derive(Clone, Debug, PartialEq)]
enum Role {
    Catalog,
    Info,
    Metadata,
    Dss,
    DssPart,
    AcroForm,
    FieldsArray,
    Resources,
    PageTree,
    Page(usize),
    Content(usize),
    AnnotsArray(usize),
    Annotation(usize),
    /// A form field (with its merged widget), by fully qualified name.
    Field {
        name: String,
        sig: bool,
        signed: bool,
    },
    /// A widget kid of a field.
    Widget {
        field: u32,
    },
    /// An appearance stream or appearance dictionary of a field or widget.
    Appearance {
        owner: u32,
    },
    SigValue,
    ObjStm,
}

/// The field a widget annotation belongs to (ISO 32000-2 §12.7.4.1,
/// Table 191): itself when merged with its field (it has /FT or /T), else
/// the field whose /Kids list it (read from /AcroForm /Fields down, as
/// pyHanko and Acrobat do), else its /Parent. A /Parent that names another
/// field than the one listing the widget, or two fields listing it, tie it
/// to none.
fn widget_field(g: &Graph, n: u32, d: &Dict) -> Option<u32> {
    // Merged with its field: its own /FT, or a partial name /T (§12.7.4.2)
    // with the type inherited.
    if d.get("FT").is_some() || d.get("T").is_some() {
        return Some(n);
    }
    let mut fields = g.roles.get(&n).into_iter().flatten().filter_map(|(r, _)| match r {
        Role::Widget { field } => Some(*field),
        _ => None,
    });
    let listed = fields.next();
    // Listed in the /Kids of two different fields: nobody's.
    if let Some(l) = listed
        && fields.any(|f| f != l)
    {
        return None;
    }
    match (listed, ref_of(d.get("Parent"))) {
        (Some(l), Some(p)) if l != p => None,
        (Some(l), _) => Some(l),
        (None, p) => p,
    }
}

/// A revision loaded for comparison, with the roles of its objects.
struct Graph {
    r: PdfReader,
    roles: HashMap<u32, Vec<(Role, u32)>>,
    pages: Vec<u32>,
    /// Field object number → (name, is signature field, /V reference).
    fields: HashMap<u32, (String, bool, Option<u32>)>,
    /// Per page, the annotation references, in order.
    annots: Vec<Vec<u32>>,
}

fn get<'a>(d: &'a Dict, key: &str) -> Option<&'a Object> {
    d.get(key)
}

fn ref_of(o: Option<&Object>) -> Option<u32> {
    match o {
        Some(Object::Ref(n, _)) => Some(*n),
        _ => None,
    }
}

fn in_use(e: Option<XrefEntry>) -> bool {
    matches!(e, Some(XrefEntry::Offset(..) | XrefEntry::InStream(..)))
}

impl Graph {
    fn load(path: &Path, end: u64) -> Result<Self, PdfError> {
        let r = PdfReader::open_revision(path, end)?;
        let mut g = Self { r, roles: HashMap::new(), pages: Vec::new(), fields: HashMap::new(), annots: Vec::new() };
        g.map_roles();
        Ok(g)
    }

    fn role(&mut self, n: u32, role: Role, from: u32) {
        let v = self.roles.entry(n).or_default();
        if !v.iter().any(|(r, f)| *r == role && *f == from) {
            v.push((role, from));
        }
    }

    fn resolve(&self, o: &Object) -> Object {
        self.r.resolve(o).unwrap_or(Object::Null)
    }

    fn dict_of(&self, o: &Object) -> Dict {
        match self.resolve(o) {
            Object::Dict(d) | Object::Stream(d, _) => d,
            _ => Dict::new(),
        }
    }

    /// Roles from the trailer down: catalog, info, metadata, DSS, AcroForm
    /// and fields, page tree, pages, contents, annotations, object streams.
    fn map_roles(&mut self) {
        let trailer = self.r.trailer().clone();
        let root = ref_of(get(&trailer, "Root"));
        if let Some(n) = root {
            self.role(n, Role::Catalog, TRAILER);
        }
        if let Some(n) = ref_of(get(&trailer, "Info")) {
            self.role(n, Role::Info, TRAILER);
        }
        let holder = root.unwrap_or(TRAILER);
        let catalog = get(&trailer, "Root").map(|c| self.dict_of(c)).unwrap_or_default();
        if let Some(n) = ref_of(get(&catalog, "Metadata")) {
            self.role(n, Role::Metadata, holder);
        }
        if let Some(d) = get(&catalog, "DSS") {
            let dh = ref_of(Some(d)).unwrap_or(holder);
            if let Some(n) = ref_of(Some(d)) {
                self.role(n, Role::Dss, holder);
            }
            let dss = self.dict_of(d);
            for (_, v) in &dss.0 {
                if let Some(n) = ref_of(Some(v)) {
                    self.role(n, Role::DssPart, dh);
                }
                let inner = self.resolve(v);
                let ih = ref_of(Some(v)).unwrap_or(dh);
                let items: Vec<Object> = match inner {
                    Object::Array(a) => a,
                    Object::Dict(vri) => vri.0.into_iter().map(|(_, x)| x).collect(),
                    _ => Vec::new(),
                };
                for it in items.iter().take(100_000) {
                    if let Some(n) = ref_of(Some(it)) {
                        self.role(n, Role::DssPart, ih);
                    }
                    if let Object::Dict(vd) = self.resolve(it) {
                        let vh = ref_of(Some(it)).unwrap_or(ih);
                        for (_, x) in vd.0 {
                            if let Some(n) = ref_of(Some(&x)) {
                                self.role(n, Role::DssPart, vh);
                            }
                            let xh = ref_of(Some(&x)).unwrap_or(vh);
                            for y in array(&self.resolve(&x)).iter().take(100_000) {
                                if let Some(n) = ref_of(Some(y)) {
                                    self.role(n, Role::DssPart, xh);
                                }
                            }
                        }
                    }
                }
            }
        }
        if let Some(af) = get(&catalog, "AcroForm") {
            let ah = ref_of(Some(af)).unwrap_or(holder);
            if let Some(n) = ref_of(Some(af)) {
                self.role(n, Role::AcroForm, holder);
            }
            let afd = self.dict_of(af);
            if let Some(dr) = get(&afd, "DR")
                && let Some(n) = ref_of(Some(dr))
            {
                self.role(n, Role::Resources, ah);
            }
            if let Some(fields) = get(&afd, "Fields") {
                let fh = ref_of(Some(fields)).unwrap_or(ah);
                if let Some(n) = ref_of(Some(fields)) {
                    self.role(n, Role::FieldsArray, ah);
                }
                if let Object::Array(items) = self.resolve(fields) {
                    let mut seen = HashSet::new();
                    for it in items.iter().take(100_000) {
                        if let Some(n) = ref_of(Some(it)) {
                            self.walk_field(n, "", false, fh, &mut seen, 0);
                        }
                    }
                }
            }
        }
        // The page tree (§7.7.3), each node loaded once; a page listed twice
        // is kept twice so that the comparison sees it.
        let mut found = Vec::new();
        if let Some(p) = get(&catalog, "Pages") {
            self.walk_tree(p, holder, &mut found, &mut HashSet::new(), 0);
        }
        self.pages = found.iter().map(|(n, _)| *n).collect();
        for (i, (p, page)) in found.into_iter().enumerate() {
            self.role(p, Role::Page(i), TRAILER);
            // Content streams (a direct array is read here; an indirect one is
            // judged as the content of the page it hangs from).
            match get(&page, "Contents") {
                Some(Object::Ref(n, _)) => self.role(*n, Role::Content(i), p),
                Some(Object::Array(items)) => {
                    for n in items.iter().filter_map(|it| ref_of(Some(it))) {
                        self.role(n, Role::Content(i), p);
                    }
                }
                _ => {}
            }
            let mut list = Vec::new();
            if let Some(a) = get(&page, "Annots") {
                if let Some(n) = ref_of(Some(a)) {
                    self.role(n, Role::AnnotsArray(i), p);
                }
                let ah = ref_of(Some(a)).unwrap_or(p);
                if let Object::Array(items) = self.resolve(a) {
                    for it in items.iter().take(100_000) {
                        if let Some(n) = ref_of(Some(it)) {
                            list.push(n);
                            if !self.fields.contains_key(&n) {
                                self.role(n, Role::Annotation(i), ah);
                            } else {
                                // A field with a merged widget is also used by the page.
                                let roles = self.roles.get(&n).cloned().unwrap_or_default();
                                for (r, _) in roles.into_iter().filter(|(r, _)| matches!(r, Role::Field { .. })) {
                                    self.role(n, r, ah);
                                }
                            }
                            if let Some((Role::Widget { field }, _)) =
                                self.roles.get(&n).and_then(|v| v.first()).cloned()
                            {
                                self.role(n, Role::Widget { field }, ah);
                            }
                        }
                    }
                }
            }
            self.annots.push(list);
        }
        // Object streams of the revision (§7.5.7): never to be redefined.
        for s in self.r.sections() {
            for (_, e) in &s.entries {
                if let XrefEntry::InStream(stm, _) = e {
                    let v = self.roles.entry(*stm).or_default();
                    if v.is_empty() {
                        v.push((Role::ObjStm, TRAILER));
                    }
                }
            }
        }
    }

    fn walk_tree(
        &mut self,
        node: &Object,
        from: u32,
        out: &mut Vec<(u32, Dict)>,
        seen: &mut HashSet<u32>,
        depth: usize,
    ) {
        let Some(n) = ref_of(Some(node)) else { return };
        if depth > 64 || out.len() > MAX_OBJECTS {
            return;
        }
        let first = seen.insert(n);
        let d = self.dict_of(node);
        if d.get("Kids").is_some() && d.get("Type").and_then(Object::as_name) != Some(b"Page") {
            self.role(n, Role::PageTree, from);
            if !first {
                return;
            }
            if let Some(kids) = d.get("Kids") {
                for k in array(&self.resolve(kids)) {
                    self.walk_tree(&k, n, out, seen, depth + 1);
                }
            }
        } else {
            out.push((n, d));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn walk_field(
        &mut self,
        n: u32,
        prefix: &str,
        inherited_sig: bool,
        from: u32,
        seen: &mut HashSet<u32>,
        depth: usize,
    ) {
        if depth > 32 || !seen.insert(n) || seen.len() > 100_000 {
            return;
        }
        let d = self.dict_of(&Object::Ref(n, 0));
        let part = crate::diff::text(d.get("T"));
        let full = match (&part, prefix.is_empty()) {
            (Some(p), true) => p.clone(),
            (Some(p), false) => format!("{prefix}.{p}"),
            (None, _) => prefix.to_owned(),
        };
        let sig = d.get("FT").and_then(Object::as_name).map_or(inherited_sig, |f| f == b"Sig");
        let v = ref_of(d.get("V"));
        let signed = v.is_some() || (d.get("V").is_some() && !matches!(d.get("V"), Some(Object::Null)));
        self.role(n, Role::Field { name: full.clone(), sig, signed }, from);
        self.fields.insert(n, (full.clone(), sig, v));
        if let Some(v) = v {
            self.role(v, Role::SigValue, n);
        }
        self.appearance_roles(&d, n);
        if let Some(kids) = d.get("Kids") {
            let kh = ref_of(Some(kids)).unwrap_or(n);
            if let Object::Array(items) = self.resolve(kids) {
                for k in items.iter().take(10_000) {
                    let Some(kn) = ref_of(Some(k)) else { continue };
                    let kd = self.dict_of(k);
                    if kd.get("T").is_some() {
                        self.walk_field(kn, &full, sig, kh, seen, depth + 1);
                    } else {
                        self.role(kn, Role::Widget { field: n }, kh);
                        self.appearance_roles(&kd, kn);
                    }
                }
            }
        }
    }

    fn appearance_roles(&mut self, d: &Dict, owner: u32) {
        let Some(ap) = d.get("AP") else { return };
        let aph = ref_of(Some(ap)).unwrap_or(owner);
        if let Some(n) = ref_of(Some(ap)) {
            self.role(n, Role::Appearance { owner }, owner);
        }
        for (_, v) in self.dict_of(ap).0 {
            if let Some(n) = ref_of(Some(&v)) {
                self.role(n, Role::Appearance { owner }, aph);
            }
            if let Object::Dict(states) = self.resolve(&v) {
                let sh = ref_of(Some(&v)).unwrap_or(aph);
                for (_, s) in states.0 {
                    if let Some(n) = ref_of(Some(&s)) {
                        self.role(n, Role::Appearance { owner }, sh);
                    }
                }
            }
        }
    }
}

pub(crate) fn text(o: Option<&Object>) -> Option<String> {
    match o {
        Some(Object::Str(s)) if s.starts_with(&[0xfe, 0xff]) => {
            let u: Vec<u16> =
                s.get(2..).unwrap_or_default().chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
            Some(String::from_utf16_lossy(&u))
        }
        Some(Object::Str(s)) => Some(s.iter().map(|b| char::from(*b)).collect()),
        _ => None,
    }
}

fn num(o: &Object) -> Option<f64> {
    match o {
        Object::Int(i) => Some(*i as f64),
        Object::Real(r) => r.parse().ok(),
        _ => None,
    }
}

/// Semantic equality (dictionaries as maps, numbers by value, stream data
/// byte for byte), following nothing: references compare by number.
fn same_value(a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::Int(_) | Object::Real(_), Object::Int(_) | Object::Real(_)) => num(a) == num(b),
        (Object::Array(x), Object::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_value(p, q)),
        (Object::Dict(x), Object::Dict(y)) => same_dict(x, y, &[]),
        (Object::Ref(x, _), Object::Ref(y, _)) => x == y,
        _ => a == b,
    }
}

fn last<'a>(d: &'a Dict, k: &[u8]) -> Option<&'a Object> {
    d.0.iter().rev().find(|(key, _)| key == k).map(|(_, v)| v)
}

fn keys(d: &Dict) -> BTreeSet<Vec<u8>> {
    d.0.iter().map(|(k, _)| k.clone()).collect()
}

/// Dictionaries equal as maps, ignoring `skip`.
fn same_dict(a: &Dict, b: &Dict, skip: &[&str]) -> bool {
    diff_keys(a, b, skip).is_empty()
}

/// Keys whose values differ (as maps), ignoring `skip`.
fn diff_keys(a: &Dict, b: &Dict, skip: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for k in keys(a).union(&keys(b)) {
        if skip.iter().any(|s| s.as_bytes() == k.as_slice()) {
            continue;
        }
        let same = match (last(a, k), last(b, k)) {
            (Some(x), Some(y)) => same_value(x, y),
            (None, None) => true,
            _ => false,
        };
        if !same {
            out.push(String::from_utf8_lossy(k).into_owned());
        }
    }
    out
}

/// The object with references to undefined objects made null and null
/// dictionary entries dropped (§7.3.7, §7.3.10), for comparison.
fn normalize(o: &Object, undefined: &dyn Fn(u32) -> bool) -> Object {
    fn walk(o: &Object, undefined: &dyn Fn(u32) -> bool, depth: usize) -> Object {
        if depth > 64 {
            return o.clone();
        }
        let dict = |d: &Dict| {
            Dict(
                d.0.iter()
                    .map(|(k, v)| (k.clone(), walk(v, undefined, depth + 1)))
                    .filter(|(_, v)| !matches!(v, Object::Null))
                    .collect(),
            )
        };
        match o {
            Object::Ref(n, _) if undefined(*n) => Object::Null,
            Object::Array(a) => Object::Array(a.iter().map(|x| walk(x, undefined, depth + 1)).collect()),
            Object::Dict(d) => Object::Dict(dict(d)),
            Object::Stream(d, s) => Object::Stream(dict(d), s.clone()),
            other => other.clone(),
        }
    }
    walk(o, undefined, 0)
}

/// One object in two revisions, streams by their raw data.
fn same_object(old: &PdfReader, a: &Object, new: &PdfReader, b: &Object) -> bool {
    match (a, b) {
        (Object::Stream(da, sa), Object::Stream(db, sb)) => {
            if !same_dict(da, db, &["Length"]) {
                return false;
            }
            match (raw(old, sa), raw(new, sb)) {
                (Some(x), Some(y)) => x == y,
                _ => false,
            }
        }
        (Object::Stream(..), _) | (_, Object::Stream(..)) => false,
        _ => same_value(a, b),
    }
}

fn raw(r: &PdfReader, s: &StreamData) -> Option<Vec<u8>> {
    match s {
        StreamData::Bytes(b) => Some(b.clone()),
        StreamData::File(off, len) if *len <= MAX_COMPARE => r.read_at(*off, usize::try_from(*len).ok()?).ok(),
        StreamData::File(..) => None,
    }
}

/// The references an object holds, with the top-level key each sits under.
fn refs_in(o: &Object, out: &mut Vec<(u32, Vec<u8>)>) {
    fn walk(o: &Object, key: &[u8], out: &mut Vec<(u32, Vec<u8>)>, depth: usize) {
        if depth > 64 {
            return;
        }
        match o {
            Object::Ref(n, _) => out.push((*n, key.to_vec())),
            Object::Array(a) => a.iter().for_each(|x| walk(x, key, out, depth + 1)),
            Object::Dict(d) | Object::Stream(d, _) => {
                for (k, v) in &d.0 {
                    walk(v, if depth == 0 { k } else { key }, out, depth + 1);
                }
            }
            _ => {}
        }
    }
    walk(o, b"", out, 0);
}

/// Every use of the `targets` in the signed revision: (holder, key); the
/// trailer is `TRAILER`. Back references (/Parent, /P, …) are left out.
fn usages(g: &Graph, targets: &HashSet<u32>) -> HashMap<u32, Vec<(u32, Vec<u8>)>> {
    let mut out: HashMap<u32, Vec<(u32, Vec<u8>)>> = HashMap::new();
    if targets.is_empty() {
        return out;
    }
    let mut found = Vec::new();
    refs_in(&Object::Dict(g.r.trailer().clone()), &mut found);
    for (n, k) in found.drain(..) {
        if targets.contains(&n) {
            out.entry(n).or_default().push((TRAILER, k));
        }
    }
    let max = g.r.next_object_number();
    let mut visited = 0usize;
    for holder in 1..max {
        if !in_use(g.r.entry(holder)) {
            continue;
        }
        visited += 1;
        if visited > MAX_OBJECTS {
            break;
        }
        let Ok(o) = g.r.get(holder) else { continue };
        // A cross-reference stream's dictionary is a trailer (§7.5.8.2):
        // counted once, above, as the trailer.
        if matches!(&o, Object::Stream(d, _) if d.get("Type").and_then(Object::as_name) == Some(b"XRef")) {
            continue;
        }
        refs_in(&o, &mut found);
        for (n, k) in found.drain(..) {
            if targets.contains(&n) && !BACK_KEYS.contains(&k.as_slice()) {
                out.entry(n).or_default().push((holder, k));
            }
        }
    }
    out
}

fn old_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// Judges the file after the revision ending at `signed_end`.
///
/// `ends` are the ends of every revision of the file, ascending; `sig_num`
/// the signature dictionary of the signature (for its FieldMDP locks).
pub fn analyse(path: &Path, signed_end: u64, ends: &[u64], sig_num: u32) -> Result<Analysis, PdfError> {
    let old = Graph::load(path, signed_end)?;
    let mut a = Analyser::new(&old, sig_num);
    let later: Vec<u64> = ends.iter().copied().filter(|e| *e > signed_end).collect();
    // Bytes after the last revision that no cross-reference section
    // accounts for (ISO 32000-2 §7.5.5: a file ends with `%%EOF`): readers
    // that repair files may show them (the incremental saving attack).
    let last = ends.iter().copied().max().unwrap_or(signed_end).max(signed_end);
    if last < old_len(path) {
        let tail = std::fs::File::open(path).ok().and_then(|mut f| {
            use std::io::{Read, Seek};
            f.seek(std::io::SeekFrom::Start(last)).ok()?;
            let mut b = Vec::new();
            f.take(1 << 20).read_to_end(&mut b).ok()?;
            Some(b)
        });
        if tail.is_none_or(|t| t.iter().any(|b| !matches!(b, b' ' | b'\r' | b'\n' | b'\t' | b'\0' | 0x0c))) {
            a.push(
                Level::Other,
                "data_after_last_revision",
                None,
                None,
                format!("{} bytes after the last %%EOF are not part of any revision", old_len(path) - last),
            );
        }
    }
    // One scan of the signed revision finds the uses of every object any
    // later revision redefines (cheaper than one scan per revision).
    if let Ok(full) = PdfReader::open(path) {
        let all: HashSet<u32> = full
            .sections()
            .iter()
            .filter(|s| s.offset >= signed_end)
            .flat_map(|s| s.entries.iter().map(|(n, _)| *n))
            .take(MAX_OBJECTS)
            .collect();
        a.prefetch_uses(&all);
    }
    let mut prev_end = signed_end;
    let mut prev_sections: Vec<u64> = old.r.sections().iter().map(|s| s.offset).collect();
    let mut prev: Option<Graph> = None;
    // The signed revision's own cross-reference defects are the signer's
    // file, not a change: reported as warnings (repairs as `xref_repaired`).
    for f in old.r.findings() {
        let w = if f.is_repair() {
            WarningCode::XrefRepaired.into()
        } else {
            Warning::with(WarningCode::XrefDefect, f.name())
        };
        if !a.warnings.contains(&w) {
            a.warnings.push(w);
        }
    }
    for end in later {
        let new = match Graph::load(path, end) {
            Ok(g) => g,
            Err(e) => {
                a.push(Level::Other, "revision_unreadable", None, None, format!("revision ending at {end}: {e}"));
                break;
            }
        };
        // Revision structure (§7.5.6): a later revision keeps the earlier
        // chain below it unchanged and adds sections only after it.
        let offs: Vec<u64> = new.r.sections().iter().map(|s| s.offset).collect();
        let below: Vec<u64> = offs.iter().copied().filter(|o| *o < prev_end).collect();
        if below != prev_sections || offs.iter().any(|o| *o >= end) || below.len() == offs.len() {
            a.push(
                Level::Other,
                "revision_structure",
                None,
                None,
                format!("cross-reference chain of the revision ending at {end} does not extend the signed one"),
            );
        }
        a.xref_findings(&new.r, prev_end);
        a.hidden_revisions(&new.r, prev_end, end);
        a.revision(&new, prev.as_ref().unwrap_or(&old), prev_end, end);
        prev_end = end;
        prev_sections = offs;
        prev = Some(new);
    }
    Ok(a.finish())
}

struct Analyser<'a> {
    old: &'a Graph,
    /// DocMDP P of the signed revision (None: approval signatures only).
    docmdp: Option<i64>,
    /// FieldMDP of this signature: (action, field names).
    fieldmdp: Option<(Vec<u8>, Vec<String>)>,
    changes: Vec<(Level, Change)>,
    warnings: Vec<Warning>,
    usage_cache: HashMap<u32, Vec<(u32, Vec<u8>)>>,
}

impl<'a> Analyser<'a> {
    fn new(old: &'a Graph, sig_num: u32) -> Self {
        let catalog = old.r.catalog().map(|(_, c)| c).unwrap_or_default();
        // ISO 32000-2 §12.8.2.2: the certification is the signature named by
        // /Perms /DocMDP in the signed revision's catalog.
        let docmdp = get(&catalog, "Perms")
            .map(|p| old.dict_of(p))
            .and_then(|p| ref_of(p.get("DocMDP")))
            .map(|n| transform_p(old, n).unwrap_or(2));
        let fieldmdp = fieldmdp_of(old, sig_num);
        Self { old, docmdp, fieldmdp, changes: Vec::new(), warnings: Vec::new(), usage_cache: HashMap::new() }
    }

    fn push(&mut self, level: Level, kind: &'static str, page: Option<usize>, rect: Option<[f64; 4]>, detail: String) {
        self.changes.push((level, Change { kind, page: page.map(|p| p + 1), rect, detail, allowed: false }));
    }

    fn max_allowed(&self) -> Level {
        match self.docmdp {
            Some(1) => Level::LtaUpdates,
            Some(3) => Level::Annotations,
            _ => Level::FormFilling,
        }
    }

    fn locked(&self, field: &str) -> bool {
        let Some((action, names)) = &self.fieldmdp else { return false };
        match action.as_slice() {
            b"All" => true,
            b"Include" => names.iter().any(|n| n == field),
            b"Exclude" => !names.iter().any(|n| n == field),
            _ => false,
        }
    }

    fn finish(self) -> Analysis {
        let max = self.max_allowed();
        let mut level = Level::None;
        let mut changes = Vec::new();
        let mut disallowed = false;
        for (l, mut c) in self.changes {
            level = level.max(l);
            c.allowed = l != Level::Other && l <= max;
            disallowed |= !c.allowed;
            changes.push(c);
        }
        let verdict = if disallowed {
            Modifications::Disallowed
        } else if changes.is_empty() {
            Modifications::None
        } else {
            Modifications::Allowed
        };
        Analysis { verdict, level, changes, warnings: self.warnings }
    }

    /// Cross-reference findings of the sections a later revision added
    /// (strict reading, issue 15): a defect there is a disallowed change —
    /// readers disagree on what such a revision holds; a repair is a warning.
    fn xref_findings(&mut self, r: &PdfReader, from: u64) {
        for f in r.findings().iter().filter(|f| f.section >= from) {
            if f.is_repair() {
                if !self.warnings.iter().any(|w| *w == WarningCode::XrefRepaired) {
                    self.warnings.push(WarningCode::XrefRepaired.into());
                }
            } else if f.is_defect() {
                self.push(Level::Other, "xref_defect", None, None, format!("{}: {:?}", f.name(), f.kind));
            }
        }
    }

    /// A later revision holds exactly one `%%EOF`, its own: another one in
    /// its bytes is an update that the cross-reference chain skips — hidden
    /// from this reader, shown by readers that rebuild the file (§7.5.6).
    fn hidden_revisions(&mut self, r: &PdfReader, from: u64, end: u64) {
        // Read in 1 MiB pieces (an update may be large), each with the 8
        // bytes after it so that a marker across two pieces is seen once.
        const PIECE: u64 = 1 << 20;
        let (mut eofs, mut startxrefs) = (0usize, 0usize);
        let mut off = from;
        while off < end {
            let own = PIECE.min(end - off);
            let Ok(buf) = r.read_at(off, usize::try_from(own + 8).unwrap_or(usize::MAX)) else { return };
            let starts = usize::try_from(own).unwrap_or(usize::MAX);
            let count = |needle: &[u8]| buf.windows(needle.len()).take(starts).filter(|w| *w == needle).count();
            eofs += count(b"%%EOF");
            startxrefs += count(b"startxref");
            off += own;
        }
        if eofs > 1 || startxrefs > 1 {
            self.push(
                Level::Other,
                "hidden_revision",
                None,
                None,
                format!("the update ending at {end} holds another end of file that the cross-reference chain skips"),
            );
        }
    }

    /// Uses of `n` in the signed revision that no checked context covers.
    fn unexplained_uses(&mut self, n: u32, contexts: &[u32]) -> Option<String> {
        if !self.usage_cache.contains_key(&n) {
            // One scan for every object changed in the file.
            let targets: HashSet<u32> = [n].into_iter().collect();
            let u = usages(self.old, &targets);
            self.usage_cache.insert(n, u.get(&n).cloned().unwrap_or_default());
        }
        let uses = self.usage_cache.get(&n)?;
        let extra: Vec<String> = uses
            .iter()
            .filter(|(h, _)| !contexts.contains(h))
            .map(|(h, k)| {
                let holder = if *h == TRAILER { "trailer".to_owned() } else { format!("object {h}") };
                format!("/{} of {holder}", String::from_utf8_lossy(k))
            })
            .collect();
        (!extra.is_empty()).then(|| extra.join(", "))
    }

    /// Prefetches the uses of every changed or new object in one scan.
    fn prefetch_uses(&mut self, targets: &HashSet<u32>) {
        let missing: HashSet<u32> = targets.iter().copied().filter(|n| !self.usage_cache.contains_key(n)).collect();
        if missing.is_empty() {
            return;
        }
        let found = usages(self.old, &missing);
        for n in missing {
            self.usage_cache.insert(n, found.get(&n).cloned().unwrap_or_default());
        }
    }

    /// One later revision (sections between `from` and `end`) against the signed one.
    fn revision(&mut self, new: &Graph, prev: &Graph, from: u64, end: u64) {
        let old = self.old;
        let mut own: BTreeSet<u32> = BTreeSet::new();
        for s in new.r.sections().iter().filter(|s| s.offset >= from) {
            own.extend(s.entries.iter().map(|(n, _)| *n));
        }
        // `created`: objects this revision defines that no earlier one had;
        // `fresh`: every object the signed revision did not have (pyHanko's
        // "unassignable" references), whatever later revision made it.
        let mut created = BTreeSet::new();
        let mut changed = Vec::new();
        for &n in own.iter().take(MAX_OBJECTS) {
            if n == 0 {
                continue;
            }
            let (oe, ne) = (old.r.entry(n), new.r.entry(n));
            if !in_use(ne) {
                if in_use(oe) {
                    // pyHanko's reject_object_freeing.
                    self.push(Level::Other, "object_freed", None, None, format!("object {n} deleted"));
                }
                continue;
            }
            if !in_use(oe) {
                if !in_use(prev.r.entry(n)) {
                    created.insert(n);
                }
                continue;
            }
            // ISO 32000-2 §7.3.10, §7.3.7: a reference to an undefined object
            // is null, and a null entry is an absent one (writers, Kyso's own
            // among them, write such references back as null).
            let (o, nw) = match (old.r.get(n), new.r.get(n)) {
                (Ok(o), Ok(nw)) => (normalize(&o, &|r| !in_use(old.r.entry(r))), normalize(&nw, &|_| false)),
                (_, Err(e)) | (Err(e), _) => {
                    self.push(Level::Other, "object_unreadable", None, None, format!("object {n}: {e}"));
                    continue;
                }
            };
            if same_object(&old.r, &o, &new.r, &nw) {
                continue;
            }
            changed.push((n, o, nw));
        }
        let targets: HashSet<u32> = changed.iter().map(|(n, ..)| *n).chain(created.iter().copied()).collect();
        self.prefetch_uses(&targets);
        let fresh = Fresh { old: &old.r, prev: &prev.r };

        // New objects must not give a meaning to a reference the signed
        // revision left undefined (a dangling reference captured later).
        for &n in &created {
            if let Some(uses) = self.unexplained_uses(n, &[]) {
                self.push(
                    Level::Other,
                    "undefined_reference_defined",
                    None,
                    None,
                    format!("object {n}, undefined when signed but used as {uses}, was defined later"),
                );
            }
        }
        self.trailer(new, &fresh);
        for (n, o, nw) in &changed {
            self.judge(new, *n, o, nw, &fresh, end);
        }
        self.pages(new);
        self.signature_values(new);
    }

    fn trailer(&mut self, new: &Graph, fresh: &Fresh<'_>) {
        let (ot, nt) = (self.old.r.trailer(), new.r.trailer());
        if ref_of(ot.get("Root")) != ref_of(nt.get("Root")) || ot.get("Root").is_none() {
            self.push(Level::Other, "trailer_changed", None, None, "trailer /Root changed".into());
        }
        if ot.get("Encrypt").map(|e| same_value(e, nt.get("Encrypt").unwrap_or(&Object::Null))) != Some(true)
            && (ot.get("Encrypt").is_some() || nt.get("Encrypt").is_some())
        {
            self.push(Level::Other, "trailer_changed", None, None, "trailer /Encrypt changed".into());
        }
        let mut skip: Vec<&str> = TRAILER_FREE.to_vec();
        skip.push("Root");
        skip.push("Encrypt");
        let other = diff_keys(ot, nt, &skip);
        if !other.is_empty() {
            self.push(
                Level::Other,
                "trailer_changed",
                None,
                None,
                format!("trailer keys changed: /{}", other.join(", /")),
            );
        }
        // DocInfoRule: /Info may be replaced by a new dictionary, never by an
        // object that existed before.
        let (oi, ni) = (ref_of(ot.get("Info")), ref_of(nt.get("Info")));
        if let Some(n) = ni
            && Some(n) != oi
        {
            if !fresh.is_new(&n) {
                self.push(
                    Level::Other,
                    "info_hijacked",
                    None,
                    None,
                    format!("/Info now points at existing object {n}"),
                );
            } else {
                self.info_dict(new, n);
            }
        }
    }

    fn info_dict(&mut self, new: &Graph, n: u32) {
        match new.r.get(n) {
            Ok(Object::Dict(d)) if d.0.iter().all(|(_, v)| !matches!(v, Object::Stream(..))) => {
                self.push(Level::LtaUpdates, "info_updated", None, None, format!("document information (object {n})"));
            }
            _ => self.push(Level::Other, "info_hijacked", None, None, format!("/Info object {n} is not a dictionary")),
        }
    }

    #[allow(clippy::too_many_lines)]
    fn judge(&mut self, new: &Graph, n: u32, o: &Object, nw: &Object, fresh: &Fresh<'_>, end: u64) {
        let old = self.old;
        let roles = old.roles.get(&n).cloned().unwrap_or_default();
        let contexts: Vec<u32> = roles.iter().map(|(_, f)| *f).collect();
        // A changed object must not also serve elsewhere in the signed
        // revision (pyHanko: every old usage must be cleared by a rule).
        let shared = self.unexplained_uses(n, &contexts);
        let Some((role, _)) = roles.first().cloned() else {
            self.push(Level::Other, "object_changed", None, None, format!("object {n} changed"));
            return;
        };
        if let Some(uses) = &shared
            && !matches!(role, Role::Page(_) | Role::PageTree | Role::Catalog)
        {
            self.push(
                Level::Other,
                "shared_object_changed",
                None,
                None,
                format!("object {n} changed, but it is also used as {uses} in the signed revision"),
            );
            return;
        }
        let (od, nd) = (o.as_dict().cloned().unwrap_or_default(), nw.as_dict().cloned().unwrap_or_default());
        let stream_change = matches!(o, Object::Stream(..)) || matches!(nw, Object::Stream(..));
        match role {
            Role::Catalog => self.catalog(new, n, &od, &nd, fresh, end),
            Role::Info => {
                if matches!(nw, Object::Dict(_)) && !stream_change {
                    self.push(
                        Level::LtaUpdates,
                        "info_updated",
                        None,
                        None,
                        format!("document information (object {n})"),
                    );
                } else {
                    self.push(
                        Level::Other,
                        "info_hijacked",
                        None,
                        None,
                        format!("/Info object {n} is no longer a dictionary"),
                    );
                }
            }
            Role::Metadata => self.metadata(new, n),
            Role::Dss | Role::DssPart => self.dss(new, fresh),
            Role::AcroForm => self.acroform(new, &od, &nd, fresh, end),
            Role::FieldsArray => {
                let (oa, na) = (array(o), array(nw));
                self.fields_array(new, &oa, &na, fresh, end);
            }
            Role::Resources => self.resources(new, &od, &nd),
            Role::PageTree => {
                // Page order and count are compared in `pages`.
                let k = diff_keys(&od, &nd, &["Kids", "Count"]);
                if !k.is_empty() {
                    self.push(
                        Level::Other,
                        "page_tree_changed",
                        None,
                        None,
                        format!("page tree node {n}: /{}", k.join(", /")),
                    );
                }
            }
            Role::Page(i) => {
                let k = diff_keys(&od, &nd, &["Annots"]);
                if k.iter().any(|k| k == "Contents") {
                    self.push(
                        Level::Other,
                        "page_content_changed",
                        Some(i),
                        None,
                        format!("page object {n}: /Contents replaced"),
                    );
                }
                let rest: Vec<&String> = k.iter().filter(|k| *k != "Contents").collect();
                if !rest.is_empty() {
                    let list = rest.iter().map(|k| format!("/{k}")).collect::<Vec<_>>().join(", ");
                    self.push(Level::Other, "page_changed", Some(i), None, format!("page object {n}: {list} changed"));
                }
                if !same_value(od.get("Annots").unwrap_or(&Object::Null), nd.get("Annots").unwrap_or(&Object::Null)) {
                    let oa = old_annots(old, i);
                    let na = new.annots_of_page(n);
                    self.annots(new, i, &oa, &na, fresh, end);
                }
            }
            Role::AnnotsArray(i) => {
                let oa = old_annots(old, i);
                let na = array(nw).iter().filter_map(|x| ref_of(Some(x))).collect::<Vec<_>>();
                self.annots(new, i, &oa, &na, fresh, end);
            }
            Role::Content(i) => {
                self.push(
                    Level::Other,
                    "page_content_changed",
                    Some(i),
                    None,
                    format!("content stream {n} of the page changed"),
                );
            }
            Role::Annotation(i) => {
                let rect = rect_of(&nd);
                let level = if self.docmdp == Some(3) && !has_action(&nd) { Level::Annotations } else { Level::Other };
                self.push(level, "annotation_changed", Some(i), rect, format!("annotation {n} changed"));
            }
            Role::Field { name, sig, signed } => self.field(new, n, &name, sig, signed, &od, &nd, end),
            Role::Widget { field } => {
                let (fname, sig, signed) = match old.roles.get(&field).and_then(|r| r.first()) {
                    Some((Role::Field { name, sig, signed }, _)) => (name.clone(), *sig, *signed),
                    _ => (String::new(), false, false),
                };
                // A widget changes with its field: judged by the same rules.
                let filled_now = new.fields.get(&field).and_then(|f| f.2).is_some();
                if sig {
                    // The widget of an empty signature field being signed now
                    // takes its appearance and place (SigFieldModificationRule).
                    let bad = diff_keys(&od, &nd, &[]).iter().any(|k| !SIG_FILL_KEYS.contains(&k.as_str()));
                    if signed || !filled_now || bad || has_action(&nd) || self.locked(&fname) {
                        self.push(
                            Level::Other,
                            "signature_widget_changed",
                            page_of(new, n),
                            rect_of(&nd),
                            format!("widget {n} of signature field '{fname}' changed beyond signing it"),
                        );
                    }
                } else {
                    self.value_update(n, &fname, false, &od, &nd, page_of(new, n));
                }
            }
            Role::Appearance { owner } => {
                let (fname, sig, signed, filled) = owner_field(old, new, owner);
                if self.locked(&fname) || signed || (sig && !filled) {
                    self.push(
                        Level::Other,
                        "appearance_changed",
                        page_of(new, owner),
                        None,
                        format!("appearance {n} of '{fname}' replaced"),
                    );
                } else {
                    self.push(
                        Level::FormFilling,
                        "form_field_filled",
                        page_of(new, owner),
                        None,
                        format!("appearance {n} of '{fname}'"),
                    );
                }
            }
            Role::SigValue => {
                self.push(
                    Level::Other,
                    "signature_dictionary_changed",
                    None,
                    None,
                    format!("signature dictionary {n} changed"),
                );
            }
            Role::ObjStm => {
                self.push(Level::Other, "object_stream_overridden", None, None, format!("object stream {n} redefined"));
            }
        }
    }

    fn catalog(&mut self, new: &Graph, n: u32, od: &Dict, nd: &Dict, fresh: &Fresh<'_>, end: u64) {
        let k = diff_keys(od, nd, CATALOG_FREE);
        if !k.is_empty() {
            let kind = if k.iter().any(|k| k == "Perms") { "certification_changed" } else { "catalog_changed" };
            self.push(Level::Other, kind, None, None, format!("catalog (object {n}): /{} changed", k.join(", /")));
        }
        for key in CATALOG_FREE {
            let (ov, nv) = (od.get(key), nd.get(key));
            if nv.is_none() {
                if ov.is_some() {
                    self.push(Level::Other, "catalog_changed", None, None, format!("catalog /{key} removed"));
                }
                continue;
            }
            if ov.is_some_and(|o| nv.is_some_and(|v| same_value(o, v))) {
                continue;
            }
            // compare_key_refs: a new reference must be a new object.
            if let Some(r) = ref_of(nv)
                && Some(r) != ref_of(ov)
                && !fresh.is_new(&r)
            {
                self.push(
                    Level::Other,
                    "catalog_changed",
                    None,
                    None,
                    format!("catalog /{key} now points at existing object {r}"),
                );
                continue;
            }
            match *key {
                "Metadata" => {
                    if let Some(r) = ref_of(nv) {
                        self.metadata(new, r);
                    } else {
                        self.push(Level::Other, "catalog_changed", None, None, "/Metadata is not a stream".into());
                    }
                }
                "DSS" => self.dss(new, fresh),
                "AcroForm" => {
                    let oa = ov.map(|o| self.old.dict_of(o)).unwrap_or_default();
                    let na = nv.map(|v| new.dict_of(v)).unwrap_or_default();
                    self.acroform(new, &oa, &na, fresh, end);
                }
                "Version" if matches!(nv, Some(Object::Name(_))) => {
                    self.push(Level::LtaUpdates, "version_updated", None, None, "PDF version raised".into());
                }
                "Extensions" | "MarkInfo" => {
                    self.push(Level::LtaUpdates, "catalog_extensions", None, None, format!("catalog /{key}"));
                }
                _ => self.push(Level::Other, "catalog_changed", None, None, format!("catalog /{key} changed")),
            }
        }
    }

    /// MetadataUpdateRule: XMP metadata may be replaced by XML.
    fn metadata(&mut self, new: &Graph, r: u32) {
        let ok = match new.r.get(r) {
            Ok(Object::Stream(d, s)) => new.r.stream_data(&d, &s).ok().is_some_and(|b| {
                let t = String::from_utf8_lossy(&b[..b.len().min(4096)]).to_string();
                let t = t.trim_start_matches('\u{feff}').trim_start();
                t.starts_with('<') && (t.contains("xmpmeta") || t.contains("xpacket")) && !t.contains("<!ENTITY")
            }),
            _ => false,
        };
        if ok {
            self.push(Level::LtaUpdates, "metadata_updated", None, None, format!("XMP metadata (object {r})"));
        } else {
            self.push(Level::Other, "metadata_invalid", None, None, format!("/Metadata object {r} is not XMP"));
        }
    }

    /// DSSCompareRule (ETSI EN 319 142-1 §5.4.2): the DSS holds only streams
    /// of certificates, CRLs and OCSP responses, new or already in the DSS.
    fn dss(&mut self, new: &Graph, fresh: &Fresh<'_>) {
        if self.changes.iter().any(|(_, c)| c.kind == "dss_updated" || c.kind == "dss_invalid") {
            return;
        }
        let old_streams: HashSet<u32> = self
            .old
            .roles
            .iter()
            .filter(|(_, v)| v.iter().any(|(r, _)| *r == Role::DssPart || *r == Role::Dss))
            .map(|(n, _)| *n)
            .collect();
        let catalog = new.r.catalog().map(|(_, c)| c).unwrap_or_default();
        let Some(dss) = catalog.get("DSS") else { return };
        let d = new.dict_of(dss);
        let mut bad = Vec::new();
        for (k, v) in &d.0 {
            let key = String::from_utf8_lossy(k).into_owned();
            match key.as_str() {
                "Type" => {}
                "Certs" | "CRLs" | "OCSPs" => {
                    for it in array(&new.resolve(v)) {
                        if !stream_ok(new, &it, fresh, &old_streams) {
                            bad.push(format!("/{key} item {it:?}"));
                        }
                    }
                }
                "VRI" => {
                    for (_, entry) in new.dict_of(v).0 {
                        for (vk, vv) in new.dict_of(&entry).0 {
                            let items = match new.resolve(&vv) {
                                Object::Array(a) => a,
                                Object::Stream(..) => vec![vv.clone()],
                                _ => Vec::new(),
                            };
                            if vk == b"TU" || vk == b"Type" {
                                continue;
                            }
                            for it in items {
                                if !stream_ok(new, &it, fresh, &old_streams) {
                                    bad.push(format!("/VRI /{} item {it:?}", String::from_utf8_lossy(&vk)));
                                }
                            }
                        }
                    }
                }
                _ => bad.push(format!("/{key}")),
            }
        }
        if bad.is_empty() {
            self.push(Level::LtaUpdates, "dss_updated", None, None, "validation data (DSS)".into());
        } else {
            self.push(
                Level::Other,
                "dss_invalid",
                None,
                None,
                format!("DSS holds more than validation data: {}", bad.join(", ")),
            );
        }
    }

    fn acroform(&mut self, new: &Graph, od: &Dict, nd: &Dict, fresh: &Fresh<'_>, end: u64) {
        let k = diff_keys(od, nd, ACROFORM_FREE);
        if !k.is_empty() {
            self.push(Level::Other, "form_changed", None, None, format!("AcroForm: /{} changed", k.join(", /")));
        }
        // §12.7.3: /NeedAppearances makes viewers redraw every field from its
        // value, so what is shown would no longer be what was signed.
        let need = |d: &Dict| matches!(d.get("NeedAppearances"), Some(Object::Bool(true)));
        if need(nd) && !need(od) {
            self.push(Level::Other, "need_appearances_set", None, None, "AcroForm /NeedAppearances set".into());
        }
        if let (Some(o), Some(n)) = (od.get("DR"), nd.get("DR"))
            && !same_value(o, n)
        {
            let (o, n) = (self.old.dict_of(o), new.dict_of(n));
            self.resources(new, &o, &n);
        }
        if od.get("DR").is_some() && nd.get("DR").is_none() {
            self.push(Level::Other, "form_resources_changed", None, None, "AcroForm /DR removed".into());
        }
        let of = od.get("Fields").map(|f| array(&self.old.resolve(f))).unwrap_or_default();
        let nf = nd.get("Fields").map(|f| array(&new.resolve(f))).unwrap_or_default();
        if !same_value(&Object::Array(of.clone()), &Object::Array(nf.clone())) {
            self.fields_array(new, &of, &nf, fresh, end);
        }
    }

    /// Default resources (§12.7.3, /DR): viewers draw fields that lack an
    /// appearance with its fonts, so an existing font must stay as signed;
    /// other resources and new fonts may be added (pyHanko exempts /DR).
    fn resources(&mut self, new: &Graph, od: &Dict, nd: &Dict) {
        let (of, nf) = (
            od.get("Font").map(|f| self.old.dict_of(f)).unwrap_or_default(),
            nd.get("Font").map(|f| new.dict_of(f)).unwrap_or_default(),
        );
        let changed: Vec<String> =
            of.0.iter()
                .filter(|(k, v)| last(&nf, k).is_none_or(|x| !same_value(v, x)))
                .map(|(k, _)| String::from_utf8_lossy(k).into_owned())
                .collect();
        if !changed.is_empty() {
            self.push(
                Level::Other,
                "form_resources_changed",
                None,
                None,
                format!("form default fonts changed: /{}", changed.join(", /")),
            );
        }
    }

    /// The /Fields array: old fields kept in order, new ones only
    /// signature fields created in this update (SigFieldCreationRule).
    fn fields_array(&mut self, new: &Graph, oa: &[Object], na: &[Object], fresh: &Fresh<'_>, end: u64) {
        let o: Vec<u32> = oa.iter().filter_map(|x| ref_of(Some(x))).collect();
        let n: Vec<u32> = na.iter().filter_map(|x| ref_of(Some(x))).collect();
        if n.len() != na.len() || has_duplicates(&n) {
            self.push(Level::Other, "form_changed", None, None, "/Fields holds direct or repeated entries".into());
        }
        if !is_subsequence(&o, &n) {
            self.push(Level::Other, "form_field_removed", None, None, "form fields removed or reordered".into());
        }
        for f in n.iter().filter(|f| !o.contains(f) && !fresh.seen_before(f)) {
            if fresh.is_new(f) {
                self.new_field(new, *f, end);
            } else {
                self.push(
                    Level::Other,
                    "form_changed",
                    None,
                    None,
                    format!("existing object {f} listed as a new form field"),
                );
            }
        }
    }

    /// A signature field created after signing: a real signature widget,
    /// no actions, signed by a signature of its own revision or invisible.
    fn new_field(&mut self, new: &Graph, f: u32, end: u64) {
        let d = new.dict_of(&Object::Ref(f, 0));
        let fname = text(d.get("T")).unwrap_or_default();
        if d.get("FT").and_then(Object::as_name) != Some(b"Sig") {
            self.push(Level::Other, "form_field_added", None, None, format!("non-signature field '{fname}' added"));
            return;
        }
        let mut widgets = vec![(f, d.clone())];
        if let Some(k) = d.get("Kids") {
            widgets = array(&new.resolve(k))
                .iter()
                .filter_map(|x| ref_of(Some(x)))
                .map(|w| (w, new.dict_of(&Object::Ref(w, 0))))
                .collect();
        }
        if has_action(&d) || widgets.iter().any(|(_, w)| has_action(w)) {
            self.push(Level::Other, "action_added", None, None, format!("signature field '{fname}' carries an action"));
        }
        for (w, wd) in &widgets {
            if wd.get("Subtype").and_then(Object::as_name).is_some_and(|s| s != b"Widget") {
                self.push(
                    Level::Other,
                    "annotation_added",
                    page_of(new, *w),
                    rect_of(wd),
                    format!("field '{fname}' is not a widget"),
                );
            }
        }
        let visible = widgets.iter().find(|(_, wd)| is_visible(wd));
        match ref_of(d.get("V")) {
            Some(v) => {
                self.check_sig_value(new, v, &fname, end, visible.map(|(w, wd)| (page_of(new, *w), rect_of(wd))))
            }
            None if d.get("V").is_some() => {
                self.push(Level::Other, "signature_value_direct", None, None, format!("field '{fname}': direct /V"));
            }
            None => {
                if let Some((w, wd)) = visible {
                    self.push(
                        Level::Other,
                        "unsigned_signature_field_with_appearance",
                        page_of(new, *w),
                        rect_of(wd),
                        format!("unsigned signature field '{fname}' with a visible appearance"),
                    );
                } else {
                    self.push(
                        Level::FormFilling,
                        "signature_field_added",
                        None,
                        None,
                        format!("empty signature field '{fname}'"),
                    );
                }
            }
        }
    }

    /// The /V of a newly signed field: a signature dictionary written in this
    /// revision, whose byte range ends exactly where the revision ends.
    fn check_sig_value(
        &mut self,
        new: &Graph,
        v: u32,
        fname: &str,
        end: u64,
        place: Option<(Option<usize>, Option<[f64; 4]>)>,
    ) {
        let sd = new.dict_of(&Object::Ref(v, 0));
        let br: Vec<i64> =
            array(sd.get("ByteRange").unwrap_or(&Object::Null)).iter().filter_map(Object::as_int).collect();
        // The byte range ends at this revision's `%%EOF` (and its end-of-line).
        let br_end = br.get(2).zip(br.get(3)).and_then(|(a, b)| a.checked_add(*b)).and_then(|e| u64::try_from(e).ok());
        let covers = br.len() == 4 && br_end.is_some_and(|e| e >= end && e <= end.saturating_add(2));
        let is_dts = sd.get("Type").and_then(Object::as_name) == Some(b"DocTimeStamp")
            || sd.get("SubFilter").and_then(Object::as_name) == Some(b"ETSI.RFC3161");
        let (page, rect) = place.unwrap_or((None, None));
        if self.old.r.entry(v).is_some_and(|e| in_use(Some(e))) {
            self.push(
                Level::Other,
                "signature_value_reused",
                page,
                rect,
                format!("field '{fname}' reuses signature dictionary {v}"),
            );
        } else if !covers {
            self.push(
                Level::Other,
                "signature_not_covering_update",
                page,
                rect,
                format!(
                    "field '{fname}': its signature does not cover the revision that adds it ({br_end:?} vs {end})"
                ),
            );
        } else if is_dts {
            self.push(Level::LtaUpdates, "timestamp_added", None, None, format!("document timestamp '{fname}'"));
        } else {
            self.push(Level::FormFilling, "signature_added", page, rect, format!("signature '{fname}'"));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn field(&mut self, new: &Graph, n: u32, fname: &str, sig: bool, signed: bool, od: &Dict, nd: &Dict, end: u64) {
        let page = page_of(new, n);
        if self.locked(fname) {
            self.push(
                Level::Other,
                "locked_field_changed",
                page,
                rect_of(nd),
                format!("field '{fname}' is locked by the signature"),
            );
            return;
        }
        if sig && signed {
            let k = diff_keys(od, nd, &[]);
            self.push(
                Level::Other,
                "signed_field_changed",
                page,
                rect_of(nd),
                format!("signed field '{fname}': /{} changed", k.join(", /")),
            );
            return;
        }
        if !sig {
            self.value_update(n, fname, false, od, nd, page);
            return;
        }
        // SigFieldModificationRule: an empty signature field is signed.
        let k = diff_keys(od, nd, &[]);
        // An appearance shared with something else of the signed revision
        // (even hung off the trailer) is not this field's to replace.
        if k.iter().any(|k| k == "AP")
            && let Some(ap) = ref_of(od.get("AP"))
            && let Some(uses) = self.unexplained_uses(ap, &[n])
        {
            self.push(
                Level::Other,
                "shared_object_changed",
                page,
                rect_of(nd),
                format!("signature field '{fname}': its appearance {ap}, also used as {uses}, was replaced"),
            );
            return;
        }
        let bad: Vec<&String> = k.iter().filter(|k| !SIG_FILL_KEYS.contains(&k.as_str()) && *k != "Kids").collect();
        if !bad.is_empty() || has_action(nd) {
            let list = bad.iter().map(|k| format!("/{k}")).collect::<Vec<_>>().join(", ");
            self.push(
                Level::Other,
                "signature_field_changed",
                page,
                rect_of(nd),
                format!("signature field '{fname}': {list} changed"),
            );
            return;
        }
        if nd.get("Kids").is_some()
            && !same_value(od.get("Kids").unwrap_or(&Object::Null), nd.get("Kids").unwrap_or(&Object::Null))
        {
            self.push(
                Level::Other,
                "signature_field_changed",
                page,
                None,
                format!("signature field '{fname}': widgets changed"),
            );
            return;
        }
        match ref_of(nd.get("V")) {
            Some(v) => {
                let visible = if is_visible(nd) { Some((page, rect_of(nd))) } else { None };
                self.check_sig_value(new, v, fname, end, visible.or(Some((page, None))));
            }
            None => self.push(
                Level::Other,
                "unsigned_signature_field_with_appearance",
                page,
                rect_of(nd),
                format!("empty signature field '{fname}' changed without being signed"),
            ),
        }
    }

    /// GenericFieldModificationRule: a form field's value and appearance.
    fn value_update(&mut self, n: u32, fname: &str, sig: bool, od: &Dict, nd: &Dict, page: Option<usize>) {
        if self.locked(fname) {
            self.push(
                Level::Other,
                "locked_field_changed",
                page,
                rect_of(nd),
                format!("field '{fname}' is locked by the signature"),
            );
            return;
        }
        let k = diff_keys(od, nd, &[]);
        let bad: Vec<&String> = k.iter().filter(|k| !VALUE_KEYS.contains(&k.as_str())).collect();
        if !bad.is_empty() || has_action(nd) && !has_action(od) || sig {
            let list = bad.iter().map(|k| format!("/{k}")).collect::<Vec<_>>().join(", ");
            self.push(
                Level::Other,
                "form_field_changed",
                page,
                rect_of(nd),
                format!("field '{fname}' (object {n}): {list} changed"),
            );
        } else {
            self.push(Level::FormFilling, "form_field_filled", page, rect_of(nd), format!("field '{fname}'"));
        }
    }

    /// A page's annotations: old ones kept in order; new ones widgets of new
    /// or newly signed signature fields, or (P=3) markup annotations.
    fn annots(&mut self, new: &Graph, page: usize, oa: &[u32], na: &[u32], fresh: &Fresh<'_>, end: u64) {
        let _ = end;
        if has_duplicates(na) {
            self.push(Level::Other, "annotation_changed", Some(page), None, "an annotation is listed twice".into());
        }
        if !is_subsequence(oa, na) {
            self.push(Level::Other, "annotation_removed", Some(page), None, "annotations removed or reordered".into());
        }
        for a in na.iter().filter(|a| !oa.contains(a) && !fresh.seen_before(a)) {
            let d = new.dict_of(&Object::Ref(*a, 0));
            let sub = d.get("Subtype").and_then(Object::as_name).unwrap_or_default().to_vec();
            let rect = rect_of(&d);
            if !fresh.is_new(a) {
                // An old object hung onto a page: an old field's widget moved
                // here, or anything else; never allowed.
                self.push(
                    Level::Other,
                    "annotation_added",
                    Some(page),
                    rect,
                    format!("existing object {a} added to the page"),
                );
                continue;
            }
            if sub == b"Widget" {
                let field = widget_field(new, *a, &d);
                let is_sig_field = field.is_some_and(|f| new.fields.get(&f).is_some_and(|x| x.1));
                // A widget that repeats its field's /V (for readers that take a
                // kid with /Parent for a field) repeats it exactly.
                let same_value = match (ref_of(d.get("V")), field.and_then(|f| new.fields.get(&f))) {
                    (Some(wv), Some(f)) => d.get("FT").is_some() || f.2 == Some(wv),
                    (Some(_), None) => false,
                    (None, _) => d.get("V").is_none(),
                };
                // Its field is new, or was an empty signature field in the
                // signed revision and is signed now; never a signed one.
                let new_or_filled = field.is_some_and(|f| {
                    fresh.is_new(&f)
                        || (self.old.fields.get(&f).is_some_and(|x| x.1 && x.2.is_none())
                            && new.fields.get(&f).and_then(|x| x.2).is_some())
                });
                if !is_sig_field || !new_or_filled || !same_value || has_action(&d) {
                    self.push(
                        Level::Other,
                        "widget_added",
                        Some(page),
                        rect,
                        format!("widget {a} is not the widget of a new signature"),
                    );
                }
                continue;
            }
            let markup = MARKUP.contains(&sub.as_slice()) && !has_action(&d);
            let level = if markup { Level::Annotations } else { Level::Other };
            self.push(
                level,
                "annotation_added",
                Some(page),
                rect,
                format!("{} annotation (object {a})", String::from_utf8_lossy(&sub)),
            );
        }
    }

    /// Pages added, removed or reordered (the page tree itself).
    fn pages(&mut self, new: &Graph) {
        let (o, n) = (&self.old.pages, &new.pages);
        if o == n {
            return;
        }
        if n.len() > o.len() {
            for (i, p) in n.iter().enumerate().filter(|(_, p)| !o.contains(p)) {
                self.push(Level::Other, "page_added", Some(i), None, format!("page object {p} added"));
            }
        }
        let removed: Vec<usize> = o.iter().enumerate().filter(|(_, p)| !n.contains(p)).map(|(i, _)| i).collect();
        for i in &removed {
            self.push(Level::Other, "page_removed", Some(*i), None, format!("page {} removed", i + 1));
        }
        let kept_o: Vec<u32> = o.iter().copied().filter(|p| n.contains(p)).collect();
        let kept_n: Vec<u32> = n.iter().copied().filter(|p| o.contains(p)).collect();
        if kept_o != kept_n || has_duplicates(n) {
            self.push(Level::Other, "pages_reordered", None, None, "page order changed".into());
        }
    }

    /// One signature dictionary is the value of one field only (§12.7.5.5).
    fn signature_values(&mut self, new: &Graph) {
        let mut seen: HashMap<u32, &str> = HashMap::new();
        for (name, _, v) in new.fields.values() {
            if let Some(v) = v
                && let Some(first) = seen.insert(*v, name)
            {
                self.push(
                    Level::Other,
                    "signature_value_shared",
                    None,
                    None,
                    format!("signature dictionary {v} is the value of '{first}' and '{name}'"),
                );
            }
        }
    }
}

impl Graph {
    fn annots_of_page(&self, page: u32) -> Vec<u32> {
        match self.pages.iter().position(|p| *p == page) {
            Some(i) => self.annots.get(i).cloned().unwrap_or_default(),
            None => {
                let d = self.dict_of(&Object::Ref(page, 0));
                d.get("Annots")
                    .map(|a| array(&self.resolve(a)))
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|x| ref_of(Some(x)))
                    .collect()
            }
        }
    }
}

fn old_annots(g: &Graph, page: usize) -> Vec<u32> {
    g.annots.get(page).cloned().unwrap_or_default()
}

fn owner_field(old: &Graph, new: &Graph, owner: u32) -> (String, bool, bool, bool) {
    let field = match old.roles.get(&owner).and_then(|r| r.first()) {
        Some((Role::Widget { field }, _)) => *field,
        _ => owner,
    };
    let (name, sig, v) = old.fields.get(&field).cloned().unwrap_or_default();
    let filled = new.fields.get(&field).and_then(|f| f.2).is_some();
    (name, sig, v.is_some(), filled)
}

fn page_of(g: &Graph, annot: u32) -> Option<usize> {
    g.annots.iter().position(|a| a.contains(&annot))
}

fn array(o: &Object) -> Vec<Object> {
    match o {
        Object::Array(a) => a.clone(),
        _ => Vec::new(),
    }
}

fn rect_of(d: &Dict) -> Option<[f64; 4]> {
    let r: Vec<f64> = array(d.get("Rect")?).iter().filter_map(num).collect();
    let [x1, y1, x2, y2] = r.as_slice() else { return None };
    Some([x1.min(*x2), y1.min(*y2), (x2 - x1).abs(), (y2 - y1).abs()])
}

fn is_visible(d: &Dict) -> bool {
    let hidden = d.get("F").and_then(Object::as_int).is_some_and(|f| f & 0b10 != 0);
    d.get("AP").is_some() && rect_of(d).is_some_and(|r| r[2] > 0.0 && r[3] > 0.0) && !hidden
}

/// Actions (§12.6): /A or /AA on a field or widget.
fn has_action(d: &Dict) -> bool {
    d.get("A").is_some() || d.get("AA").is_some()
}

fn has_duplicates(v: &[u32]) -> bool {
    let mut s = HashSet::new();
    !v.iter().all(|x| s.insert(*x))
}

/// `old` appears in `new` in the same order (items only added).
fn is_subsequence(old: &[u32], new: &[u32]) -> bool {
    let mut it = new.iter();
    old.iter().all(|o| it.any(|n| n == o))
}

fn stream_ok(new: &Graph, it: &Object, fresh: &Fresh<'_>, old_streams: &HashSet<u32>) -> bool {
    let Some(n) = ref_of(Some(it)) else { return false };
    (fresh.is_new(&n) || old_streams.contains(&n)) && matches!(new.r.get(n), Ok(Object::Stream(..)))
}

/// DocMDP P of a certification signature dictionary (§12.8.2.2, Table 257).
fn transform_p(g: &Graph, sig: u32) -> Option<i64> {
    let sd = g.dict_of(&Object::Ref(sig, 0));
    for r in array(&g.resolve(sd.get("Reference")?)) {
        let rd = g.dict_of(&r);
        if rd.get("TransformMethod").and_then(Object::as_name) == Some(b"DocMDP") {
            let tp = rd.get("TransformParams").map(|t| g.dict_of(t)).unwrap_or_default();
            return Some(tp.get("P").and_then(Object::as_int).unwrap_or(2));
        }
    }
    None
}

/// FieldMDP of a signature (§12.8.2.4, Table 258): action and field names.
fn fieldmdp_of(g: &Graph, sig: u32) -> Option<(Vec<u8>, Vec<String>)> {
    let sd = g.dict_of(&Object::Ref(sig, 0));
    for r in array(&g.resolve(sd.get("Reference")?)) {
        let rd = g.dict_of(&r);
        if rd.get("TransformMethod").and_then(Object::as_name) == Some(b"FieldMDP") {
            let tp = rd.get("TransformParams").map(|t| g.dict_of(t)).unwrap_or_default();
            let action = tp.get("Action").and_then(Object::as_name).unwrap_or(b"All").to_vec();
            let fields = tp.get("Fields").map(|f| array(&g.resolve(f))).unwrap_or_default();
            return Some((action, fields.iter().filter_map(|f| text(Some(f))).collect()));
        }
    }
    None
}

/// DocMDP P of the certification in the revision ending at `end`, and the
/// certification signature's dictionary (for the report).
pub fn certification_at(path: &Path, end: u64) -> Option<(u32, i64)> {
    let g = Graph::load(path, end).ok()?;
    let catalog = g.r.catalog().ok()?.1;
    let perms = g.dict_of(catalog.get("Perms")?);
    let n = ref_of(perms.get("DocMDP"))?;
    Some((n, transform_p(&g, n).unwrap_or(2)))
}

#[cfg(test)]
mod tests {
    use super::KINDS;

    /// Every kind the analysis can push is listed in `KINDS` (and so is
    /// translated): read from this file's own source.
    #[test]
    fn every_pushed_kind_is_listed() {
        let src = include_str!("diff.rs");
        let mut found = 0;
        for (i, _) in src.match_indices("Level::") {
            let rest = &src[i..];
            let Some(q) = rest.find('"') else { continue };
            let head = &rest[..q];
            if head.contains(';') || head.contains('{') || q > 60 {
                continue;
            }
            let kind: String = rest[q + 1..].chars().take_while(|c| *c != '"').collect();
            if kind.chars().all(|c| c.is_ascii_lowercase() || c == '_') && !kind.is_empty() {
                assert!(KINDS.contains(&kind.as_str()), "{kind} is not in KINDS");
                found += 1;
            }
        }
        assert!(found > 40, "only {found} kinds found");
        let mut sorted = KINDS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), KINDS.len());
    }
}
