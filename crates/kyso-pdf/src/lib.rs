//! Kyso's PDF layer: a lazy revision-aware reader, an incremental writer and
//! PAdES signing (ISO 32000-2 §12.8, ETSI EN 319 142-1). Reading and writing
//! know nothing of signatures; `sign` builds on them.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod appearance;
pub mod blanks;
pub mod diff;
pub mod document;
mod filter;
pub mod ltv;
pub mod object;
pub mod presets;
pub mod reader;
mod sign;
pub mod text;
mod verify;
mod writer;

pub use appearance::{Appearance, AppearanceError, Builder, Png, TextLine};
pub use reader::{PdfError, PdfReader, Section, XrefEntry, XrefKind};
pub use sign::{SignError, SignOptions, SignOutcome, check_field, sign_pdf, timestamp_pdf};
pub use verify::{Indication, PdfReport, SignatureReport, VerifyOptions, verify_pdf};
pub use writer::IncrementalUpdate;
