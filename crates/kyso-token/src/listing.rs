//! Every certificate on every token of every module found: the one listing
//! the command line, the desktop app and the core share.

use crate::discovery::ModuleCandidate;
use crate::error::TokenError;
use crate::module::{TokenReport, load_module};
use crate::objects::{CertEntry, list_certificates};

/// The certificates found across modules, with the token each is on.
#[derive(Debug, Default)]
pub struct Listing {
    /// Each certificate with its token (PIN state).
    pub certificates: Vec<(CertEntry, TokenReport)>,
    /// The last error met on the way (a module that would not load, a
    /// token that could not be read); the others were still listed.
    pub last_error: Option<TokenError>,
}

/// Lists the certificates (public objects: no PIN) of every token whose
/// label or serial is `token` (every token when `None`) in every module
/// of `candidates`; a failing module never stops the others.
pub fn list_all_certificates(candidates: &[ModuleCandidate], token: Option<&str>) -> Listing {
    let mut out = Listing::default();
    for c in candidates {
        let module = match load_module(&c.path) {
            Ok(m) => m,
            Err(e) => {
                out.last_error = Some(e);
                continue;
            }
        };
        let tokens = match module.find_tokens(token) {
            Ok(t) => t,
            Err(e) => {
                out.last_error = Some(e);
                continue;
            }
        };
        for (slot, report) in tokens {
            match list_certificates(&module, slot, None) {
                Ok(list) => out.certificates.extend(list.into_iter().map(|e| (e, report.clone()))),
                Err(e) => out.last_error = Some(e),
            }
        }
    }
    out
}
