//! Every certificate on every token of every module found: the one listing
//! the command line, the desktop app and the core share.

use std::path::PathBuf;

use crate::discovery::ModuleCandidate;
use crate::error::TokenError;
use crate::module::{TokenReport, load_module};
use crate::objects::{CertEntry, list_certificates};
use crate::pin::Pin;

/// The certificates found across modules, with the token each is on.
#[derive(Debug, Default)]
pub struct Listing {
    /// Each certificate with its token (PIN state).
    pub certificates: Vec<(CertEntry, TokenReport)>,
    /// The last error met on the way (a module that would not load, a
    /// token that could not be read); the others were still listed.
    pub last_error: Option<TokenError>,
    /// Every error met on the way, in order, with its module.
    pub errors: Vec<(PathBuf, TokenError)>,
    /// How many matching tokens were found (listed or not).
    pub tokens: usize,
}

impl Listing {
    fn failed(&mut self, module: &std::path::Path, e: TokenError) {
        self.errors.push((module.to_owned(), e.clone()));
        self.last_error = Some(e);
    }
}

/// Lists the certificates (public objects: no PIN) of every token whose
/// label or serial is `token` (every token when `None`) in every module
/// of `candidates`; a failing module never stops the others.
pub fn list_all_certificates(candidates: &[ModuleCandidate], token: Option<&str>) -> Listing {
    list_all_certificates_with(candidates, token, None)
}

/// [`list_all_certificates`], logging in to each token with `pin` first
/// when given (private keys are then seen directly; a wrong PIN is an
/// error of that token, never retried).
pub fn list_all_certificates_with(candidates: &[ModuleCandidate], token: Option<&str>, pin: Option<&Pin>) -> Listing {
    let mut out = Listing::default();
    for c in candidates {
        let module = match load_module(&c.path) {
            Ok(m) => m,
            Err(e) => {
                out.failed(&c.path, e);
                continue;
            }
        };
        let tokens = match module.find_tokens(token) {
            Ok(t) => t,
            Err(e) => {
                out.failed(&c.path, e);
                continue;
            }
        };
        for (slot, report) in tokens {
            // PKCS#11 v2.40 §5.2 (CK_TOKEN_INFO, CKF_TOKEN_INITIALIZED): a
            // token never initialised holds no objects and opens no session
            // (SoftHSM keeps one spare in every configuration). It is listed
            // by `tokens`, but is neither a token to sign with nor an error.
            if !report.initialized {
                continue;
            }
            out.tokens += 1;
            match list_certificates(&module, slot, pin) {
                Ok(list) => out.certificates.extend(list.into_iter().map(|e| (e, report.clone()))),
                Err(e) => out.failed(&c.path, e),
            }
        }
    }
    out
}
