//! The OOXML verifier on arbitrary packages: ZIP, content types,
//! relationships, XML, C14N and XML-DSig processing must never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kyso_ooxml::verify_bytes(data.to_vec(), &kyso_ooxml::VerifyOptions::default());
});
