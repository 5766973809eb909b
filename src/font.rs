//! The fonts of the interface, declared once for every screen.

use iced::{Font, font};

/// Liberation Sans (SIL OFL 1.1, see `assets/fonts/`): full Vietnamese
/// coverage, bundled so text shows even without system fonts.
pub const REGULAR: Font = Font::with_name("Liberation Sans");

/// The bold variant of [`REGULAR`] (headings, names).
pub const BOLD: Font = Font { weight: font::Weight::Bold, ..REGULAR };

/// The bundled font files, loaded at start-up.
pub const FILES: [&[u8]; 2] = [
    include_bytes!("../assets/fonts/LiberationSans-Regular.ttf"),
    include_bytes!("../assets/fonts/LiberationSans-Bold.ttf"),
];
