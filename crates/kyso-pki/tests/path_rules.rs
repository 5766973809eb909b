//! RFC 5280 path validation rules without the PKITS corpus: certificates
//! and CRLs made with the openssl CLI in a temporary directory (EC P-256
//! keys, fast to generate): a name-constrained intermediate (§4.2.1.10),
//! a policy-mapping pair with and without inhibitPolicyMapping (§6.1.4),
//! a CRL with an issuing distribution point (§5.2.5, §6.3.3), a
//! pathological set (cross-certification mesh, deep chain) that must end
//! within a bound; and the real VGCA G2 chain with its policy.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use kyso_pki::der::asn1::ObjectIdentifier;
use kyso_pki::{
    CertDer, ChainStatus, PathOptions, RevocationStatus, check_path_revocation, load_certificates, load_crl,
    validate_path, validate_path_with,
};

struct Pki {
    dir: tempfile::TempDir,
    serial: u32,
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").current_dir(dir).args(args).output().unwrap();
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

impl Pki {
    fn new() -> Option<Self> {
        if !kyso_testkit::tool_or_skip("openssl", "certificates for the path validation rules") {
            return None;
        }
        Some(Self { dir: tempfile::tempdir().unwrap(), serial: 1 })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn key(&self, name: &str) {
        openssl(
            self.dir.path(),
            &["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", &format!("{name}.key")],
        );
    }

    /// A certificate `name` for `subject` with key `key`, signed by
    /// (`issuer` certificate, `issuer` key); self-signed when `issuer` is
    /// `None`. `ext` is the body of an OpenSSL extension section.
    fn cert(&mut self, name: &str, subject: &str, key: &str, issuer: Option<(&str, &str)>, ext: &str) -> CertDer {
        let d = self.dir.path();
        let cnf = format!("{name}.cnf");
        std::fs::write(
            d.join(&cnf),
            format!("[req]\ndistinguished_name=dn\n[dn]\n[v3]\nsubjectKeyIdentifier=hash\n{ext}\n"),
        )
        .unwrap();
        self.serial += 1;
        let serial = self.serial.to_string();
        let (crt, k) = (format!("{name}.pem"), format!("{key}.key"));
        match issuer {
            None => openssl(
                d,
                &[
                    "req",
                    "-new",
                    "-x509",
                    "-key",
                    &k,
                    "-subj",
                    subject,
                    "-days",
                    "3650",
                    "-set_serial",
                    &serial,
                    "-config",
                    &cnf,
                    "-extensions",
                    "v3",
                    "-out",
                    &crt,
                ],
            ),
            Some((ic, ik)) => {
                let csr = format!("{name}.csr");
                openssl(d, &["req", "-new", "-key", &k, "-subj", subject, "-config", &cnf, "-out", &csr]);
                openssl(
                    d,
                    &[
                        "x509",
                        "-req",
                        "-in",
                        &csr,
                        "-CA",
                        &format!("{ic}.pem"),
                        "-CAkey",
                        &format!("{ik}.key"),
                        "-set_serial",
                        &serial,
                        "-days",
                        "3650",
                        "-extfile",
                        &cnf,
                        "-extensions",
                        "v3",
                        "-out",
                        &crt,
                    ],
                );
            }
        }
        load_certificates(&std::fs::read(d.join(crt)).unwrap()).remove(0)
    }
}

const CA: &str = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign";
const EE: &str = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature";

fn oid(s: &str) -> ObjectIdentifier {
    ObjectIdentifier::new(s).unwrap()
}

#[test]
fn name_constrained_intermediate() {
    let Some(mut p) = Pki::new() else { return };
    for k in ["root", "sub", "ee"] {
        p.key(k);
    }
    let root = p.cert("root", "/C=VN/O=Root/CN=Root", "root", None, CA);
    let sub_ext = format!(
        "{CA}\nnameConstraints=critical,permitted;dirName:allowed,permitted;DNS:gov.vn,permitted;email:.gov.vn,\
         excluded;DNS:bad.gov.vn,permitted;IP:10.0.0.0/255.0.0.0\n[allowed]\nC=VN\nO=Allowed"
    );
    let sub = p.cert("sub", "/C=VN/O=Allowed/CN=Sub CA", "sub", Some(("root", "root")), &sub_ext);
    let pool = vec![sub];
    let anchors = vec![root];
    let now = SystemTime::now();
    let cases = [
        // Within every subtree (the DN compared after RFC 4518 preparation: case and spaces).
        ("good", "/C=VN/O=allowed  /CN=Good", "subjectAltName=DNS:mof.gov.vn,email:a@mof.gov.vn,IP:10.1.2.3", true),
        ("dn", "/C=VN/O=Other/CN=Other", "subjectAltName=DNS:mof.gov.vn", false),
        ("dns", "/C=VN/O=Allowed/CN=Dns", "subjectAltName=DNS:example.com", false),
        ("excluded", "/C=VN/O=Allowed/CN=Excl", "subjectAltName=DNS:x.bad.gov.vn", false),
        ("email", "/C=VN/O=Allowed/CN=Mail/emailAddress=a@example.com", "", false),
        ("ip", "/C=VN/O=Allowed/CN=Ip", "subjectAltName=IP:192.168.1.1", false),
    ];
    for (name, subject, san, valid) in cases {
        let leaf = p.cert(name, subject, "ee", Some(("sub", "sub")), &format!("{EE}\n{san}"));
        let r = validate_path(&leaf, &pool, &anchors, now);
        let want = if valid { ChainStatus::Valid } else { ChainStatus::ConstraintViolation };
        assert_eq!(r.status, want, "{name}: {r:?}");
    }
}

#[test]
fn policy_mapping_pair_and_inhibit_policy_mapping() {
    let Some(mut p) = Pki::new() else { return };
    for k in ["root", "ca1", "ca2", "ee"] {
        p.key(k);
    }
    let root = p.cert("root", "/CN=Policy Root", "root", None, CA);
    // ca1 asserts 1.2.3.1; ca2 (issued by ca1) maps 1.2.3.1 to 1.2.3.2,
    // which the end entity asserts.
    let ca1 = p.cert(
        "ca1",
        "/CN=Policy CA1",
        "ca1",
        Some(("root", "root")),
        &format!("{CA}\ncertificatePolicies=1.2.3.1\npolicyConstraints=critical,requireExplicitPolicy:0"),
    );
    let ca2 = p.cert(
        "ca2",
        "/CN=Policy CA2",
        "ca2",
        Some(("ca1", "ca1")),
        &format!("{CA}\ncertificatePolicies=1.2.3.1\npolicyMappings=critical,1.2.3.1:1.2.3.2"),
    );
    let ee = p.cert("ee", "/CN=Policy EE", "ee", Some(("ca2", "ca2")), &format!("{EE}\ncertificatePolicies=1.2.3.2"));
    let anchors = vec![root.clone()];
    let now = SystemTime::now();
    let pool = vec![ca1, ca2.clone()];

    let r = validate_path(&ee, &pool, &anchors, now);
    assert_eq!(r.status, ChainStatus::Valid, "{r:?}");
    assert_eq!(r.policies, vec!["1.2.3.2".to_owned()]);
    // Requested in the anchor's domain: the mapped policy satisfies it.
    let asked = |set: &[&str]| PathOptions {
        initial_policy_set: set.iter().map(|s| oid(s)).collect(),
        initial_explicit_policy: true,
        ..PathOptions::default()
    };
    assert_eq!(validate_path_with(&ee, &pool, &anchors, now, &asked(&["1.2.3.1"])).status, ChainStatus::Valid);
    assert_eq!(
        validate_path_with(&ee, &pool, &anchors, now, &asked(&["1.2.3.9"])).status,
        ChainStatus::ConstraintViolation
    );
    // The user inhibits mapping: the explicit policy required by ca1 is lost.
    let inhibit = PathOptions { initial_policy_mapping_inhibit: true, ..PathOptions::default() };
    assert_eq!(validate_path_with(&ee, &pool, &anchors, now, &inhibit).status, ChainStatus::ConstraintViolation);
    // A CA1 that inhibits mapping itself (inhibitPolicyMapping:0).
    let ca1i = p.cert(
        "ca1i",
        "/CN=Policy CA1",
        "ca1",
        Some(("root", "root")),
        &format!("{CA}\ncertificatePolicies=1.2.3.1\npolicyConstraints=critical,requireExplicitPolicy:0,inhibitPolicyMapping:0"),
    );
    let r = validate_path(&ee, &[ca1i, ca2], &anchors, now);
    assert_eq!(r.status, ChainStatus::ConstraintViolation, "{r:?}");
}

/// `openssl ca` state for CRLs of the CA `ca`.
fn crl(p: &Pki, ca: &str, name: &str, revoked: &[&str], idp: &str) -> Vec<u8> {
    let d = p.dir.path();
    let db = format!("{name}.index");
    let mut index = String::new();
    for r in revoked {
        let c = load_certificates(&std::fs::read(p.path(&format!("{r}.pem"))).unwrap()).remove(0);
        let serial = hex::encode_upper(c.cert.tbs_certificate().serial_number().as_bytes());
        index.push_str(&format!("R\t300101000000Z\t250101000000Z\t{serial}\tunknown\t/CN={r}\n"));
    }
    std::fs::write(d.join(&db), index).unwrap();
    std::fs::write(d.join(format!("{name}.crlnumber")), "01\n").unwrap();
    let cnf = format!("{name}.ca.cnf");
    std::fs::write(
        d.join(&cnf),
        format!(
            "[ca]\ndefault_ca=c\n[c]\ndatabase={db}\ncrlnumber={name}.crlnumber\ndefault_md=sha256\n\
             default_crl_days=30\ncrl_extensions=crlext\n[crlext]\nauthorityKeyIdentifier=keyid\n{idp}\n[idp]\n\
             fullname=URI:http://crl.example.vn/a.crl\nonlyuser=TRUE\n"
        ),
    )
    .unwrap();
    let out = format!("{name}.crl");
    openssl(
        d,
        &[
            "ca",
            "-gencrl",
            "-config",
            &cnf,
            "-cert",
            &format!("{ca}.pem"),
            "-keyfile",
            &format!("{ca}.key"),
            "-out",
            &out,
        ],
    );
    load_crl(&std::fs::read(d.join(out)).unwrap()).unwrap()
}

#[test]
fn crl_with_issuing_distribution_point() {
    let Some(mut p) = Pki::new() else { return };
    for k in ["root", "ca", "ee"] {
        p.key(k);
    }
    let root = p.cert("root", "/CN=IDP Root", "root", None, CA);
    let ca = p.cert("ca", "/CN=IDP CA", "ca", Some(("root", "root")), CA);
    let dp = |u: &str| format!("{EE}\ncrlDistributionPoints=URI:http://crl.example.vn/{u}.crl");
    let in_scope = p.cert("in_scope", "/CN=In scope", "ee", Some(("ca", "ca")), &dp("a"));
    let revoked = p.cert("revoked", "/CN=Revoked", "ee", Some(("ca", "ca")), &dp("a"));
    let elsewhere = p.cert("elsewhere", "/CN=Elsewhere", "ee", Some(("ca", "ca")), &dp("b"));
    let anchors = vec![root.clone()];
    let pool = vec![ca.clone()];
    let now = SystemTime::now();
    let root_crl = crl(&p, "root", "rootcrl", &[], "");
    // The CA's CRL covers user certificates of distribution point a.crl only.
    let idp_crl = crl(&p, "ca", "cacrl", &["revoked"], "issuingDistributionPoint=critical,@idp");
    let crls = vec![root_crl.clone(), idp_crl];
    let status = |leaf: &CertDer, crls: &[Vec<u8>]| {
        let r = validate_path(leaf, &pool, &anchors, now);
        assert_eq!(r.status, ChainStatus::Valid, "{r:?}");
        check_path_revocation(&r.certs, crls, &pool, &anchors, now)
    };
    assert_eq!(status(&in_scope, &crls), vec![RevocationStatus::Good, RevocationStatus::Good]);
    assert!(matches!(status(&revoked, &crls)[0], RevocationStatus::Revoked(_)));
    // Another distribution point: the CRL says nothing about it.
    assert_eq!(status(&elsewhere, &crls)[0], RevocationStatus::NotChecked);
    // onlyContainsUserCerts: the CA certificate is out of the IDP CRL's
    // scope, and the root's plain CRL covers it.
    assert_eq!(status(&in_scope, &crls)[1], RevocationStatus::Good);
    let ca_only = crl(&p, "ca", "cacrl2", &[], "issuingDistributionPoint=critical,@idp2\n[idp2]\nonlyCA=TRUE");
    assert_eq!(status(&in_scope, &[root_crl, ca_only])[0], RevocationStatus::NotChecked);
}

#[test]
fn pathological_certificate_sets_end_within_a_bound() {
    let Some(mut p) = Pki::new() else { return };
    const MESH: usize = 9;
    const DEEP: usize = 16;
    p.key("root");
    let root = p.cert("root", "/CN=Bound Root", "root", None, CA);
    let mut pool = Vec::new();
    // MESH keys under one name, each certifying every other: without loop
    // and candidate bounds there are MESH! paths to explore.
    for i in 0..MESH {
        p.key(&format!("m{i}"));
        pool.push(p.cert(&format!("m{i}"), "/CN=Mesh", &format!("m{i}"), None, CA));
    }
    for i in 0..MESH {
        for j in 0..MESH {
            if i != j {
                let name = format!("m{i}_by_{j}");
                pool.push(p.cert(&name, "/CN=Mesh", &format!("m{i}"), Some((&format!("m{j}"), &format!("m{j}"))), CA));
            }
        }
    }
    p.key("ee");
    let ee = p.cert("mesh_ee", "/CN=Mesh EE", "ee", Some(("m0", "m0")), EE);
    // A chain deeper than any path Kyso builds.
    let mut prev = "root".to_owned();
    for i in 0..DEEP {
        let name = format!("d{i}");
        p.key(&name);
        pool.push(p.cert(&name, &format!("/CN=Deep {i}"), &name, Some((&prev, &prev)), CA));
        prev = name;
    }
    let deep_ee = p.cert("deep_ee", "/CN=Deep EE", "ee", Some((&prev, &prev)), EE);
    let anchors = vec![root];
    for leaf in [&ee, &deep_ee] {
        let t = Instant::now();
        let r = validate_path(leaf, &pool, &anchors, SystemTime::now());
        let took = t.elapsed();
        assert_ne!(r.status, ChainStatus::Valid);
        assert!(took < Duration::from_secs(20), "path search took {took:?}");
        eprintln!("pathological set ({} certificates): {:?} in {took:?}", pool.len(), r.status);
    }
}

#[test]
fn vgca_g2_chain_validates_with_its_policy() {
    let Some(shared) = kyso_testkit::shared_or_skip("the VGCA G2 trust anchors") else { return };
    let read = |n: &str| load_certificates(&std::fs::read(shared.join("trust").join(n)).unwrap()).remove(0);
    let (root, ca) = (read("rootcag2.pem"), read("cpcag2.pem"));
    let anchors = vec![root];
    let now = SystemTime::now();
    let r = validate_path(&ca, &[], &anchors, now);
    assert_eq!(r.status, ChainStatus::Valid, "{r:?}");
    let vgca = PathOptions {
        initial_policy_set: vec![oid("2.16.704.1.1.1.1.1")],
        initial_explicit_policy: true,
        ..PathOptions::default()
    };
    let r = validate_path_with(&ca, &[], &anchors, now, &vgca);
    assert_eq!(r.status, ChainStatus::Valid, "{r:?}");
    assert_eq!(r.policies, vec!["2.16.704.1.1.1.1.1".to_owned()]);
    let other = PathOptions { initial_policy_set: vec![oid("2.16.704.1.1.1.1.9")], ..vgca };
    assert_eq!(validate_path_with(&ca, &[], &anchors, now, &other).status, ChainStatus::ConstraintViolation);
}
