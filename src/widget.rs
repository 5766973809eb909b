//! Widgets of our own, built from iced's.

pub mod page_preview;
