//! The whole verifier on arbitrary files.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(mut f) = tempfile::NamedTempFile::new() else { return };
    if std::io::Write::write_all(&mut f, data).is_err() {
        return;
    }
    let _ = kyso_pdf::verify_pdf(f.path(), &kyso_pdf::VerifyOptions::default());
});
