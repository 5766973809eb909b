//! Signing with the loopback OCSP responder and CRL server running (its own
//! test binary: the other CLI tests expect those services to be absent).
#![allow(clippy::unwrap_used)]

use kyso_testkit::{pins, require_fixture, start_revocation_server, tokens};
use serde_json::Value;

mod common;
use common::{json, kyso_cli as run};

#[test]
fn b_lt_and_b_lta_with_ocsp_evidence_validate_from_the_file_alone() {
    use std::sync::atomic::Ordering::SeqCst;
    let fx = require_fixture!();
    let Some(server) = start_revocation_server(fx) else { return };
    let tsa = kyso_testkit::start_tsa(fx);
    let module = fx.module.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let input = dir.path().join("qd.pdf");
    kyso_testkit::minimal_pdf(&input, 1);
    let (int, root, root_crl) = (fx.pki_file("int.pem"), fx.pki_file("root.pem"), fx.pki_file("root-crl.pem"));
    let sign = |level: &str, out: &std::path::Path| {
        // No --allow-unchecked and no CRL for the signer: the pre-signing
        // check gets its answer from the OCSP responder (then its cache);
        // the root's CRL covers the intermediate for the DSS.
        run(
            fx,
            &data,
            &[
                "sign",
                input.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
                "--module",
                module,
                "--token",
                tokens::CANHAN,
                "--cert",
                "Nguyễn Văn A",
                "--pin-stdin",
                "--level",
                level,
                "--tsa",
                &tsa.url,
                "--crl",
                root_crl.to_str().unwrap(),
                "--certs",
                int.to_str().unwrap(),
                "--json",
            ],
            Some(pins::CANHAN),
        )
    };
    for level in ["B-LT", "B-LTA"] {
        server.ocsp_on.store(true, SeqCst);
        server.crl_on.store(true, SeqCst);
        let out = dir.path().join(format!("qd-{level}.pdf"));
        let hits = server.ocsp_hits.load(SeqCst);
        let r = sign(level, &out);
        assert_eq!(
            r.status.code(),
            Some(0),
            "{level}: {}{}",
            String::from_utf8_lossy(&r.stdout),
            String::from_utf8_lossy(&r.stderr)
        );
        // After signing the responder is asked again: evidence fresher
        // than the signature, for the DSS.
        assert!(server.ocsp_hits.load(SeqCst) > hits, "{level}: no OCSP request");

        // Our verifier: only the root as anchor, no CRL given — the DSS's
        // OCSP responses and CRLs answer for the path.
        let v = json(&run(
            fx,
            &data,
            &["verify", out.to_str().unwrap(), "--trust", root.to_str().unwrap(), "--json"],
            None,
        ));
        assert_eq!(v["signatures"][0]["revocation"], "good", "{level}: {v:#}");
        assert_eq!(v["signatures"][0]["indication"], "TOTAL_PASSED", "{level}: {v:#}");

        // pyHanko's AdES validation with the services switched off: the
        // revocation information can only come from the file.
        server.ocsp_on.store(false, SeqCst);
        server.crl_on.store(false, SeqCst);
        if let Some((ok, text)) = kyso_testkit::pyhanko_adesverify(&root, &out) {
            assert!(ok, "{level}: {text}");
        }
    }
    server.ocsp_on.store(true, SeqCst);
    server.crl_on.store(true, SeqCst);

    // `extend` fetches current answers itself: B-B → B-LTA, judged from
    // the file alone.
    let bb = dir.path().join("qd-bb.pdf");
    assert_eq!(sign("B-B", &bb).status.code(), Some(0));
    let lta = dir.path().join("qd-extended.pdf");
    let r = run(
        fx,
        &data,
        &[
            "extend",
            bb.to_str().unwrap(),
            "-o",
            lta.to_str().unwrap(),
            "--level",
            "B-LTA",
            "--tsa",
            &tsa.url,
            "--certs",
            int.to_str().unwrap(),
            "--crl",
            root_crl.to_str().unwrap(),
            "--json",
        ],
        None,
    );
    let v = json(&r);
    assert_eq!(v["ok"], true, "{v:#}");
    assert!(v["ocsps"].as_u64().unwrap() >= 1, "{v:#}");
    server.ocsp_on.store(false, SeqCst);
    server.crl_on.store(false, SeqCst);
    if let Some((ok, text)) = kyso_testkit::pyhanko_adesverify(&root, &lta) {
        assert!(ok, "extend: {text}");
    }
    server.ocsp_on.store(true, SeqCst);
    server.crl_on.store(true, SeqCst);

    // The evidence reached the journal: the first signing asked the
    // responder, the second found the answer in the cache.
    let log = json(&run(fx, &data, &["log", "--json"], None));
    let entries: Vec<&Value> = log.as_array().unwrap().iter().filter(|e| e["action"] == "sign").collect();
    assert_eq!(entries.len(), 3, "{log:#}");
    for e in &entries {
        assert_eq!(e["precheck"], "good", "{log:#}");
        assert!(e["evidence"].as_str().unwrap().contains("ocsp sha256="), "{log:#}");
    }
    assert!(entries.iter().any(|e| e["evidence"].as_str().unwrap().contains("source=cache")), "{log:#}");

    // The revoked certificate is refused before signing, by OCSP.
    let refused = dir.path().join("revoked.pdf");
    let r = run(
        fx,
        &data,
        &[
            "sign",
            input.to_str().unwrap(),
            "-o",
            refused.to_str().unwrap(),
            "--module",
            module,
            "--token",
            tokens::CANHAN,
            "--cert",
            "Phạm Văn Dũng",
            "--pin-stdin",
            "--json",
        ],
        Some(pins::CANHAN),
    );
    assert_eq!(json(&r)["error"]["code"], "certificate_revoked", "{}", String::from_utf8_lossy(&r.stdout));
    assert!(!refused.exists());
}
