//! Widgets of our own, built from iced's.

pub mod file_chooser;
pub mod page_preview;
