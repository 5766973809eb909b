//! The lenient BER/DER CMS parser and checker.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(cms) = kyso_pki::parse_cms(data) {
        let _ = cms.check(&[0u8; 32]);
        let _ = cms.econtent();
    }
});
