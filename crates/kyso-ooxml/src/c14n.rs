//! Canonical XML 1.0 (W3C REC-xml-c14n-20010315) and Exclusive XML
//! Canonicalization 1.0 (W3C REC-xml-exc-c14n-20020718) of a whole document
//! or of an element's subtree (the node-set of a same-document `#id`
//! reference, XML-DSig §4.4.3.3), with or without comments.

use crate::xml::{Attr, Document, Element, Node, XML_NS, escape_attr, escape_text};

/// The canonicalisation algorithms XML-DSig names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `http://www.w3.org/TR/2001/REC-xml-c14n-20010315` (and `#WithComments`).
    Inclusive {
        /// Keep comments.
        comments: bool,
    },
    /// `http://www.w3.org/2001/10/xml-exc-c14n#` (and `#WithComments`).
    Exclusive {
        /// Keep comments.
        comments: bool,
    },
}

/// Inclusive C14N 1.0 without comments.
pub const C14N: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
/// Inclusive C14N 1.0 with comments.
pub const C14N_COMMENTS: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";
/// Exclusive C14N 1.0 without comments.
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
/// Exclusive C14N 1.0 with comments.
pub const EXC_C14N_COMMENTS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";

impl Method {
    /// The method named by an XML-DSig `Algorithm` URI.
    pub fn from_uri(uri: &str) -> Option<Self> {
        Some(match uri {
            C14N => Self::Inclusive { comments: false },
            C14N_COMMENTS => Self::Inclusive { comments: true },
            EXC_C14N => Self::Exclusive { comments: false },
            EXC_C14N_COMMENTS => Self::Exclusive { comments: true },
            _ => return None,
        })
    }

    fn comments(self) -> bool {
        match self {
            Self::Inclusive { comments } | Self::Exclusive { comments } => comments,
        }
    }
}

/// Canonicalises a whole document (C14N §2.1: PIs and comments outside the
/// document element are separated from it by line feeds).
pub fn document(doc: &Document, method: Method, inclusive_prefixes: &[String]) -> Vec<u8> {
    let mut out = String::new();
    let keep = |n: &&Node| match n {
        Node::Comment(_) => method.comments(),
        _ => true,
    };
    for n in doc.before.iter().filter(keep) {
        misc(n, &mut out);
        out.push('\n');
    }
    subtree(&[&doc.root], method, inclusive_prefixes, &mut out);
    for n in doc.after.iter().filter(keep) {
        out.push('\n');
        misc(n, &mut out);
    }
    out.into_bytes()
}

/// Canonicalises the subtree of the last element of `path` (root first),
/// the apex taking its namespace context (and, for inclusive C14N, its
/// `xml:*` attributes) from the ancestors in `path`.
pub fn element(path: &[&Element], method: Method, inclusive_prefixes: &[String]) -> Vec<u8> {
    let mut out = String::new();
    subtree(path, method, inclusive_prefixes, &mut out);
    out.into_bytes()
}

fn misc(n: &Node, out: &mut String) {
    match n {
        Node::Comment(c) => {
            out.push_str("<!--");
            out.push_str(c);
            out.push_str("-->");
        }
        Node::Pi(t, d) => {
            out.push_str("<?");
            out.push_str(t);
            if !d.is_empty() {
                out.push(' ');
                out.push_str(d);
            }
            out.push_str("?>");
        }
        _ => {}
    }
}

/// Namespace bindings in scope: (prefix, URI), later entries win.
type Scope = Vec<(String, String)>;

fn lookup<'a>(scope: &'a Scope, prefix: &str) -> Option<&'a str> {
    scope.iter().rev().find(|(p, _)| p == prefix).map(|(_, u)| u.as_str())
}

fn subtree(path: &[&Element], method: Method, inclusive_prefixes: &[String], out: &mut String) {
    let Some((apex, ancestors)) = path.split_last() else { return };
    let mut scope: Scope = Vec::new();
    for a in ancestors {
        scope.extend(a.ns_decls.iter().cloned());
    }
    // Inclusive C14N §2.4: a subset's apex inherits the ancestors' xml:*
    // attributes it does not itself carry (nearest ancestor wins).
    let mut inherited: Vec<Attr> = Vec::new();
    if matches!(method, Method::Inclusive { .. }) {
        for a in ancestors.iter().rev() {
            for at in a.attrs.iter().filter(|x| x.ns == XML_NS) {
                if !inherited.iter().any(|i| i.local == at.local)
                    && !apex.attrs.iter().any(|x| x.ns == XML_NS && x.local == at.local)
                {
                    inherited.push(at.clone());
                }
            }
        }
    }
    // Nothing has been rendered above the apex.
    let rendered: Scope = Vec::new();
    walk(apex, &mut scope, &rendered, &inherited, method, inclusive_prefixes, out);
}

/// `scope`: bindings in scope at the parent; `rendered`: bindings the output
/// ancestors made visible (what the canonical form has in scope).
fn walk(
    el: &Element,
    scope: &mut Scope,
    rendered: &Scope,
    extra_attrs: &[Attr],
    method: Method,
    inclusive_prefixes: &[String],
    out: &mut String,
) {
    let mark = scope.len();
    scope.extend(el.ns_decls.iter().cloned());
    // The element's namespace nodes: every prefix in scope, nearest binding.
    let mut in_scope: Vec<(String, String)> = Vec::new();
    for (p, u) in scope.iter().rev() {
        if !in_scope.iter().any(|(q, _)| q == p) {
            in_scope.push((p.clone(), u.clone()));
        }
    }
    let mut ns_out: Vec<(String, String)> = Vec::new();
    match method {
        Method::Inclusive { .. } => {
            for (p, u) in &in_scope {
                let shown = lookup(rendered, p);
                if p.is_empty() && u.is_empty() {
                    // xmlns="" only undoes a rendered non-empty default.
                    if shown.is_some_and(|s| !s.is_empty()) {
                        ns_out.push((String::new(), String::new()));
                    }
                } else if shown != Some(u.as_str()) {
                    ns_out.push((p.clone(), u.clone()));
                }
            }
        }
        Method::Exclusive { .. } => {
            // Exc-C14N §3: only visibly utilised prefixes (plus the
            // InclusiveNamespaces PrefixList, treated as inclusive C14N would).
            let mut used: Vec<String> = vec![el.prefix.clone()];
            for a in el.attrs.iter().chain(extra_attrs) {
                if !a.prefix.is_empty() && a.prefix != "xml" && !used.contains(&a.prefix) {
                    used.push(a.prefix.clone());
                }
            }
            for (p, u) in &in_scope {
                let listed = inclusive_prefixes.iter().any(|x| x == p || (x == "#default" && p.is_empty()));
                if !used.contains(p) && !listed {
                    continue;
                }
                let shown = lookup(rendered, p);
                if p.is_empty() && u.is_empty() {
                    if shown.is_some_and(|s| !s.is_empty()) {
                        ns_out.push((String::new(), String::new()));
                    }
                } else if shown != Some(u.as_str()) {
                    ns_out.push((p.clone(), u.clone()));
                }
            }
        }
    }
    ns_out.sort_by(|a, b| a.0.cmp(&b.0));
    let mut attrs: Vec<&Attr> = el.attrs.iter().chain(extra_attrs).collect();
    // §2.2: attributes sorted by namespace URI, then local name; unqualified first.
    attrs.sort_by(|a, b| (a.ns.as_str(), a.local.as_str()).cmp(&(b.ns.as_str(), b.local.as_str())));

    let qname = el.qname();
    out.push('<');
    out.push_str(&qname);
    for (p, u) in &ns_out {
        if p.is_empty() {
            out.push_str(" xmlns=\"");
        } else {
            out.push_str(" xmlns:");
            out.push_str(p);
            out.push_str("=\"");
        }
        out.push_str(&escape_attr(u));
        out.push('"');
    }
    for a in attrs {
        out.push(' ');
        out.push_str(&a.qname());
        out.push_str("=\"");
        out.push_str(&escape_attr(&a.value));
        out.push('"');
    }
    out.push('>');
    let mut now_rendered: Scope = rendered.clone();
    now_rendered.extend(ns_out);
    for c in &el.children {
        match c {
            Node::Element(e) => walk(e, scope, &now_rendered, &[], method, inclusive_prefixes, out),
            Node::Text(t) => out.push_str(&escape_text(t)),
            Node::Comment(_) if !method.comments() => {}
            n => misc(n, out),
        }
    }
    out.push_str("</");
    out.push_str(&qname);
    out.push('>');
    scope.truncate(mark);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::parse;

    fn c14n(s: &str, m: Method) -> String {
        String::from_utf8(document(&parse(s.as_bytes()).unwrap(), m, &[])).unwrap()
    }

    const INC: Method = Method::Inclusive { comments: false };
    const EXC: Method = Method::Exclusive { comments: false };

    // W3C C14N 1.0 §3.1 (PIs, comments and outside of document element).
    #[test]
    fn w3c_3_1() {
        let input = "<?xml version=\"1.0\"?>\n\n<?xml-stylesheet   href=\"doc.xsl\"\n   type=\"text/xsl\"   ?>\n\n<doc>Hello, world!<!-- Comment 1 --></doc>\n\n<?pi-without-data     ?>\n\n<!-- Comment 2 -->\n\n<!-- Comment 3 -->";
        assert_eq!(
            c14n(input, INC),
            "<?xml-stylesheet href=\"doc.xsl\"\n   type=\"text/xsl\"   ?>\n<doc>Hello, world!</doc>\n<?pi-without-data?>"
        );
        assert_eq!(
            c14n(input, Method::Inclusive { comments: true }),
            "<?xml-stylesheet href=\"doc.xsl\"\n   type=\"text/xsl\"   ?>\n<doc>Hello, world!<!-- Comment 1 --></doc>\n<?pi-without-data?>\n<!-- Comment 2 -->\n<!-- Comment 3 -->"
        );
    }

    // W3C C14N 1.0 §3.3 (start and end tags), without the DTD's defaults.
    #[test]
    fn w3c_3_3() {
        let input = "<doc>\n   <e1   />\n   <e2   ></e2>\n   <e3   name = \"elem3\"   id=\"elem3\"   />\n   <e4   name=\"elem4\"   id=\"elem4\"   ></e4>\n   <e5 a:attr=\"out\" b:attr=\"sorted\" attr2=\"all\" attr=\"I'm\"\n      xmlns:b=\"http://www.ietf.org\"\n      xmlns:a=\"http://www.w3.org\"\n      xmlns=\"http://example.org\"/>\n   <e6 xmlns=\"\" xmlns:a=\"http://www.w3.org\">\n      <e7 xmlns=\"http://www.ietf.org\">\n         <e8 xmlns=\"\" xmlns:a=\"http://www.w3.org\">\n            <e9 xmlns=\"\" xmlns:a=\"http://www.ietf.org\"/>\n         </e8>\n      </e7>\n   </e6>\n</doc>";
        let want = "<doc>\n   <e1></e1>\n   <e2></e2>\n   <e3 id=\"elem3\" name=\"elem3\"></e3>\n   <e4 id=\"elem4\" name=\"elem4\"></e4>\n   <e5 xmlns=\"http://example.org\" xmlns:a=\"http://www.w3.org\" xmlns:b=\"http://www.ietf.org\" attr=\"I'm\" attr2=\"all\" b:attr=\"sorted\" a:attr=\"out\"></e5>\n   <e6 xmlns:a=\"http://www.w3.org\">\n      <e7 xmlns=\"http://www.ietf.org\">\n         <e8 xmlns=\"\">\n            <e9 xmlns:a=\"http://www.ietf.org\"></e9>\n         </e8>\n      </e7>\n   </e6>\n</doc>";
        assert_eq!(c14n(input, INC), want);
    }

    // W3C C14N 1.0 §3.4 (character modifications), the parts without a DTD.
    #[test]
    fn w3c_3_4() {
        let input = "<doc>\n   <text>First line&#x0d;&#10;Second line</text>\n   <value>&#x32;</value>\n   <compute><![CDATA[value>\"0\" && value<\"10\" ?\"valid\":\"error\"]]></compute>\n   <compute expr='value>\"0\" &amp;&amp; value&lt;\"10\" ?\"valid\":\"error\"'>valid</compute>\n   <norm attr=' &apos;   &#x20;&#13;&#xa;&#9;   &apos; '/>\n</doc>";
        let want = "<doc>\n   <text>First line&#xD;\nSecond line</text>\n   <value>2</value>\n   <compute>value&gt;\"0\" &amp;&amp; value&lt;\"10\" ?\"valid\":\"error\"</compute>\n   <compute expr=\"value>&quot;0&quot; &amp;&amp; value&lt;&quot;10&quot; ?&quot;valid&quot;:&quot;error&quot;\">valid</compute>\n   <norm attr=\" '    &#xD;&#xA;&#x9;   ' \"></norm>\n</doc>";
        assert_eq!(c14n(input, INC), want);
    }

    // W3C C14N 1.0 §3.7-like subset: an apex inherits namespaces and xml:*.
    #[test]
    fn subset_apex_context() {
        let d = parse(b"<r xmlns='urn:d' xmlns:p='urn:p' xml:lang='vi'><p:a xmlns:q='urn:q'><b/></p:a></r>").unwrap();
        let a = d.root.elements().next().unwrap();
        let inc = String::from_utf8(element(&[&d.root, a], INC, &[])).unwrap();
        assert_eq!(inc, "<p:a xmlns=\"urn:d\" xmlns:p=\"urn:p\" xmlns:q=\"urn:q\" xml:lang=\"vi\"><b></b></p:a>");
        let exc = String::from_utf8(element(&[&d.root, a], EXC, &[])).unwrap();
        assert_eq!(exc, "<p:a xmlns:p=\"urn:p\"><b xmlns=\"urn:d\"></b></p:a>");
        let exc_listed = String::from_utf8(element(&[&d.root, a], EXC, &["q".into()])).unwrap();
        assert_eq!(exc_listed, "<p:a xmlns:p=\"urn:p\" xmlns:q=\"urn:q\"><b xmlns=\"urn:d\"></b></p:a>");
    }

    // Exc-C14N §2.2's example: the outer namespace is not pulled in.
    #[test]
    fn exclusive_drops_unused() {
        let d = parse(b"<n0:local xmlns:n0='foo:bar' xmlns:n3='ftp://example.org'><n1:elem2 xmlns:n1='http://example.net' xml:lang='en'><n3:stuff xmlns:n3='ftp://example.org'/></n1:elem2></n0:local>").unwrap();
        let e = d.root.elements().next().unwrap();
        assert_eq!(
            String::from_utf8(element(&[&d.root, e], EXC, &[])).unwrap(),
            "<n1:elem2 xmlns:n1=\"http://example.net\" xml:lang=\"en\"><n3:stuff xmlns:n3=\"ftp://example.org\"></n3:stuff></n1:elem2>"
        );
        assert_eq!(
            String::from_utf8(element(&[&d.root, e], INC, &[])).unwrap(),
            "<n1:elem2 xmlns:n0=\"foo:bar\" xmlns:n1=\"http://example.net\" xmlns:n3=\"ftp://example.org\" xml:lang=\"en\"><n3:stuff></n3:stuff></n1:elem2>"
        );
    }
}
