//! Where PKCS#11 modules are looked for: `KYSO_PKCS11_MODULE`, configured
//! paths, the install locations of the modules Vietnamese officials use,
//! and p11-kit's registered modules. Only absolute paths are ever loaded,
//! and never from a document's folder (design-notes.md, PKCS#11).

use std::path::{Path, PathBuf};

use serde::Serialize;

kyso_pki::named_enum! {
    /// Why a module path is on the list.
    pub enum ModuleSource {
        /// Given on the command line (`--module`).
        Explicit = "explicit",
        /// From `KYSO_PKCS11_MODULE`.
        Environment = "environment",
        /// From the user's settings.
        Configured = "configured",
        /// A vendor's usual install location.
        WellKnown = "well_known",
        /// Registered with p11-kit.
        P11Kit = "p11_kit",
    }
}

/// One module to try.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModuleCandidate {
    /// Absolute path (or as given, when the user gave a relative one: loading
    /// then fails with a clear error).
    pub path: PathBuf,
    /// Where it came from.
    pub source: ModuleSource,
    /// Vendor name when known.
    pub vendor: Option<&'static str>,
}

/// Vendor modules and where their installers put them.
/// (vendor, path) pairs for the running OS.
pub fn well_known_modules() -> Vec<(&'static str, PathBuf)> {
    let mut v: Vec<(&'static str, &str)> = Vec::new();
    if cfg!(target_os = "windows") {
        let sys = std::env::var("SystemRoot").unwrap_or_else(|_| r"C:\Windows".into());
        let sys32 = format!(r"{sys}\System32");
        let list: Vec<(&'static str, String)> = vec![
            ("VGCA Bit4id", format!(r"{sys32}\bit4xpki.dll")),
            ("VGCA Bit4id", format!(r"{sys32}\bit4ipki.dll")),
            ("SafeNet eToken", format!(r"{sys32}\eTPKCS11.dll")),
            ("Viettel-CA", format!(r"{sys32}\viettel-ca_v6.dll")),
            ("Viettel-CA", format!(r"{sys32}\viettel-ca_v5.dll")),
            ("VNPT-CA", format!(r"{sys32}\vnpt-ca_csp11.dll")),
            ("VNPT-CA", format!(r"{sys32}\vnpt-ca_v34.dll")),
            ("OpenSC", r"C:\Program Files\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll".into()),
            ("SoftHSM", r"C:\SoftHSM2\lib\softhsm2-x64.dll".into()),
        ];
        return list.into_iter().map(|(n, p)| (n, PathBuf::from(p))).collect();
    }
    if cfg!(target_os = "macos") {
        v.extend([
            ("VGCA Bit4id", "/usr/local/lib/bit4id/libbit4xpki.dylib"),
            ("VGCA Bit4id", "/Library/bit4id/pkcs11/libbit4xpki.dylib"),
            ("SafeNet eToken", "/usr/local/lib/libeTPkcs11.dylib"),
            ("Viettel-CA", "/usr/local/lib/viettel-ca_v6.dylib"),
            ("VNPT-CA", "/usr/local/lib/libvnpt-ca_csp11.dylib"),
            ("OpenSC", "/Library/OpenSC/lib/opensc-pkcs11.so"),
            ("SoftHSM", "/opt/homebrew/lib/softhsm/libsofthsm2.so"),
            ("SoftHSM", "/usr/local/lib/softhsm/libsofthsm2.so"),
        ]);
    } else {
        v.extend([
            ("VGCA Bit4id", "/usr/lib/libbit4xpki.so"),
            ("VGCA Bit4id", "/usr/lib/bit4id/libbit4xpki.so"),
            ("VGCA Bit4id", "/usr/local/lib/libbit4xpki.so"),
            ("SafeNet eToken", "/usr/lib/libeTPkcs11.so"),
            ("SafeNet eToken", "/usr/lib64/libeTPkcs11.so"),
            ("Viettel-CA", "/usr/lib/viettel-ca_v6.so"),
            ("Viettel-CA", "/usr/local/lib/viettel-ca_v6.so"),
            ("VNPT-CA", "/usr/lib/libvnpt-ca_csp11.so"),
            ("VNPT-CA", "/usr/lib/vnpt-ca/libcsp11_v1.so"),
            ("OpenSC", "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"),
            ("OpenSC", "/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so"),
            ("OpenSC", "/usr/lib64/opensc-pkcs11.so"),
            ("SoftHSM", "/usr/lib/softhsm/libsofthsm2.so"),
            ("SoftHSM", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"),
            ("SoftHSM", "/usr/lib64/pkcs11/libsofthsm2.so"),
            ("SoftHSM", "/usr/local/lib/softhsm/libsofthsm2.so"),
        ]);
    }
    v.into_iter().map(|(n, p)| (n, PathBuf::from(p))).collect()
}

/// Modules registered with p11-kit (`module:` lines of `*.module` files).
/// The p11-kit trust module (system CA list) is not a token and is skipped.
fn p11kit_modules() -> Vec<PathBuf> {
    if cfg!(target_os = "windows") {
        return Vec::new();
    }
    let mut dirs = vec![PathBuf::from("/usr/share/p11-kit/modules"), PathBuf::from("/etc/pkcs11/modules")];
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".config/pkcs11/modules"));
    }
    let lib_dirs = [
        "/usr/lib/x86_64-linux-gnu/pkcs11",
        "/usr/lib/aarch64-linux-gnu/pkcs11",
        "/usr/lib64/pkcs11",
        "/usr/lib/pkcs11",
    ];
    let mut out = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        for file in files.into_iter().filter(|p| p.extension().is_some_and(|e| e == "module")) {
            let Ok(text) = std::fs::read_to_string(&file) else { continue };
            for line in text.lines() {
                let Some(value) = line.trim().strip_prefix("module:") else { continue };
                let value = value.trim();
                if value.contains("p11-kit-trust") {
                    continue;
                }
                let p = PathBuf::from(value);
                if p.is_absolute() {
                    out.push(p);
                } else if let Some(found) = lib_dirs.iter().map(|d| Path::new(d).join(&p)).find(|c| c.is_file()) {
                    out.push(found);
                }
            }
        }
    }
    out
}

/// The ordered list of modules to try.
///
/// When `explicit` is non-empty only those are tried (the user chose).
/// Otherwise: `KYSO_PKCS11_MODULE` (a path list), `configured`, then the
/// well-known and p11-kit modules that exist on disk. Duplicates (same file)
/// are removed.
pub fn candidate_modules(explicit: &[PathBuf], configured: &[PathBuf]) -> Vec<ModuleCandidate> {
    let mut out: Vec<ModuleCandidate> = Vec::new();
    let mut push = |path: PathBuf, source, vendor| {
        let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if !out.iter().any(|c| std::fs::canonicalize(&c.path).unwrap_or_else(|_| c.path.clone()) == key) {
            out.push(ModuleCandidate { path, source, vendor });
        }
    };
    if !explicit.is_empty() {
        for p in explicit {
            push(p.clone(), ModuleSource::Explicit, None);
        }
        return out;
    }
    if let Some(list) = std::env::var_os("KYSO_PKCS11_MODULE") {
        for p in std::env::split_paths(&list).filter(|p| !p.as_os_str().is_empty()) {
            push(p, ModuleSource::Environment, None);
        }
    }
    for p in configured {
        push(p.clone(), ModuleSource::Configured, None);
    }
    for (vendor, p) in well_known_modules() {
        if p.is_file() {
            push(p, ModuleSource::WellKnown, Some(vendor));
        }
    }
    for p in p11kit_modules() {
        push(p, ModuleSource::P11Kit, None);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_paths_win_and_are_deduplicated() {
        let a = PathBuf::from("/nonexistent/a.so");
        let got = candidate_modules(&[a.clone(), a.clone()], &[PathBuf::from("/x.so")]);
        assert_eq!(got, vec![ModuleCandidate { path: a, source: ModuleSource::Explicit, vendor: None }]);
    }

    #[test]
    fn well_known_list_names_the_vietnamese_vendors() {
        let names: Vec<_> = well_known_modules().into_iter().map(|(n, _)| n).collect();
        for vendor in ["VGCA Bit4id", "SafeNet eToken", "Viettel-CA", "VNPT-CA", "OpenSC", "SoftHSM"] {
            assert!(names.contains(&vendor), "{vendor} missing");
        }
    }
}
