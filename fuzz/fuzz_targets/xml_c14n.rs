//! The XML reader and both canonicalisations on arbitrary text; a document
//! that parses must canonicalise to XML that parses again to the same
//! canonical form (C14N is idempotent).
#![no_main]
use kyso_ooxml::c14n::{Method, document};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = kyso_ooxml::xml::parse(data) else { return };
    for m in [Method::Inclusive { comments: true }, Method::Exclusive { comments: false }] {
        let once = document(&doc, m, &[]);
        let again = kyso_ooxml::xml::parse(&once).expect("canonical XML parses");
        assert_eq!(document(&again, m, &[]), once);
    }
});
