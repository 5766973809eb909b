//! Our Canonical XML against libxml2's (`xmllint --c14n`, `--exc-c14n`), an
//! implementation nobody here wrote, on OOXML parts of the corpus and on
//! hand-made documents with Vietnamese text, namespaces and escapes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::process::Command;

use kyso_ooxml::c14n::{Method, document};

fn xmllint(flag: &str, input: &[u8]) -> Option<Vec<u8>> {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut f, input).unwrap();
    let out = Command::new("xmllint").arg(flag).arg(f.path()).output().ok()?;
    assert!(out.status.success(), "xmllint failed: {}", String::from_utf8_lossy(&out.stderr));
    Some(out.stdout)
}

fn compare(name: &str, input: &[u8]) -> bool {
    let doc = kyso_ooxml::xml::parse(input).unwrap_or_else(|e| panic!("{name}: {e}"));
    for (flag, m) in
        [("--c14n", Method::Inclusive { comments: true }), ("--exc-c14n", Method::Exclusive { comments: true })]
    {
        let Some(theirs) = xmllint(flag, input) else {
            kyso_testkit::require("xmllint (libxml2-utils) is not installed");
            return false;
        };
        let ours = document(&doc, m, &[]);
        assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&theirs), "{name} {flag}");
    }
    true
}

const SAMPLES: [&str; 3] = [
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" xmlns:r=\"urn:r\" xmlns:unused=\"urn:u\"><w:body><w:p w:rsidR=\"00AB\"><w:r><w:t xml:space=\"preserve\">Cộng hoà xã hội chủ nghĩa Việt Nam — Độc lập &amp; Tự do &lt;Hạnh phúc&gt;\t</w:t></w:r></w:p><w:sectPr r:id=\"rId1\" w:a='x&#10;y&#13;z\tw \"q\"'/></w:body><!-- ghi chú --></w:document>",
    "<a xmlns=\"urn:d\"><b xmlns=\"\"><c xmlns=\"urn:d\"/></b><p:e xmlns:p=\"urn:p\" p:z=\"1\" a=\"2\" xmlns:q=\"urn:q\" q:y=\"3\"/><![CDATA[x < y && ]]]]><![CDATA[>]]><?pi data ?></a>",
    "<?pre x?><!-- c --><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\n  <Relationship Id=\"rId1\" Type=\"t\" Target=\"a b.xml\"/>\n</Relationships>\n<!-- after -->",
];

#[test]
fn hand_made_documents_match_libxml2() {
    for (i, s) in SAMPLES.iter().enumerate() {
        if !compare(&format!("sample {i}"), s.as_bytes()) {
            return;
        }
    }
}

#[test]
fn corpus_parts_match_libxml2() {
    let Some(shared) = kyso_testkit::shared_or_skip("the corpus parts") else {
        return;
    };
    let mut checked = 0;
    for entry in std::fs::read_dir(shared.join("corpus/docx")).unwrap() {
        let path = entry.unwrap().path();
        let mut z = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
        for i in 0..z.len() {
            let mut f = z.by_index(i).unwrap();
            let name = f.name().unwrap().to_string();
            if !(name.ends_with(".xml") || name.ends_with(".rels")) {
                continue;
            }
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            if !compare(&format!("{}:{name}", path.display()), &data) {
                return;
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} parts");
}
