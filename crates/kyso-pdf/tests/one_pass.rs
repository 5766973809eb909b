//! One pass over the file: the SHA-256 of the input and of the signed
//! output come from the copy `sign_pdf` makes anyway (the journal needs no
//! second read), and equal what `openssl dgst -sha256` computes on disk.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use kyso_pdf::{SignOptions, sign_pdf};
mod common;
use common::signer;
use kyso_testkit::{minimal_pdf, pins, require_fixture, tokens};

/// `openssl dgst -sha256 -r FILE` (an implementation nobody here wrote).
fn openssl_sha256(p: &Path) -> Option<String> {
    let out = Command::new("openssl").args(["dgst", "-sha256", "-r"]).arg(p).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    text.split_whitespace().next().map(str::to_owned)
}

#[test]
fn input_and_output_hashes_come_from_the_signing_pass() {
    let fx = require_fixture!();
    let dir = tempfile::tempdir().unwrap();
    let (input, first, second) = (dir.path().join("in.pdf"), dir.path().join("1.pdf"), dir.path().join("2.pdf"));
    minimal_pdf(&input, 2);
    let s = signer(fx, tokens::CANHAN, pins::CANHAN, "Nguyễn Văn A");
    let o = sign_pdf(&input, &first, &s, &SignOptions::default()).unwrap();
    let Some(want_in) = openssl_sha256(&input) else {
        eprintln!("SKIPPED: openssl not installed");
        return;
    };
    assert_eq!(hex::encode(o.input_sha256), want_in);
    assert_eq!(hex::encode(o.output_sha256), openssl_sha256(&first).unwrap());
    // A second signature over the signed file: its input is the first output.
    let o2 = sign_pdf(&first, &second, &s, &SignOptions::default()).unwrap();
    assert_eq!(o2.input_sha256, o.output_sha256);
    assert_eq!(hex::encode(o2.output_sha256), openssl_sha256(&second).unwrap());
    assert_ne!(o2.output_sha256, o2.input_sha256);
}
