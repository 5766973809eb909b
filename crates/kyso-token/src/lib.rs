//! Kyso's token layer (PKCS#11 v2.40 through `cryptoki`): finds the modules
//! Vietnamese officials have installed, lists slots, tokens and their PIN
//! state, pairs certificates with private keys, logs in without ever
//! retrying a PIN, and signs through [`Pkcs11Signer`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod discovery;
mod error;
mod listing;
mod module;
mod objects;
mod pin;
mod signer;

pub use discovery::{ModuleCandidate, ModuleSource, candidate_modules, well_known_modules};
pub use error::{ErrorCode, TokenError};
pub use listing::{Listing, list_all_certificates, list_all_certificates_with};
pub use module::{LibraryInfo, Module, ModuleReport, PinState, SlotReport, TokenReport, load_module, scan};
pub use objects::{CertEntry, KeyEvidence, KeyMatch, list_certificates};
pub use pin::Pin;
pub use signer::{Pkcs11Signer, SignerOptions};
