//! The lazy PDF reader on arbitrary bytes: strict xref reading and its
//! repairs, catalog, page tree, every object of every section, object
//! streams, the reference scan of the writer. Must never panic or loop.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(mut f) = tempfile::NamedTempFile::new() else { return };
    if std::io::Write::write_all(&mut f, data).is_err() {
        return;
    }
    if let Ok(r) = kyso_pdf::PdfReader::open(f.path()) {
        let _ = r.findings().iter().map(|x| x.to_string()).count();
        let _ = r.catalog();
        let _ = r.pages();
        let _ = r.scan_references();
        for n in 0..r.next_object_number().min(256) {
            if let Ok(o) = r.get(n) {
                let _ = r.resolve(&o);
                if let kyso_pdf::object::Object::Stream(d, s) = &o {
                    let _ = r.stream_data(d, s);
                }
            }
        }
        for s in r.sections() {
            for (n, e) in s.entries.iter().take(256) {
                let _ = r.get_entry(*n, *e);
            }
        }
        // Every revision view the sections suggest.
        for s in r.sections().iter().take(4) {
            if let Ok(v) = kyso_pdf::PdfReader::open_revision(f.path(), s.end) {
                let _ = v.catalog();
            }
        }
    }
});
