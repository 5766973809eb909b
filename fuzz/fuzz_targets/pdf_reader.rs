//! The lazy PDF reader on arbitrary bytes: xref chain, catalog, page tree,
//! every object. Must never panic or loop.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(mut f) = tempfile::NamedTempFile::new() else { return };
    if std::io::Write::write_all(&mut f, data).is_err() {
        return;
    }
    if let Ok(r) = kyso_pdf::PdfReader::open(f.path()) {
        let _ = r.catalog();
        let _ = r.pages();
        for n in 0..r.next_object_number().min(256) {
            let _ = r.get(n);
        }
    }
});
