//! Colours of the interface, read from the iced theme in force so that they
//! work on the light and the dark theme alike.
//!
//! Status colours (success, warning, danger, muted) start from the theme's
//! own palette and are darkened (on a light background) or lightened (on a
//! dark one) until their contrast with the background reaches WCAG 2.2
//! success criterion 1.4.3 (contrast minimum, level AA: 4.5:1 for text).

use iced::widget::{container, text};
use iced::{Background, Border, Color, Theme};

/// WCAG 2.2 SC 1.4.3: the least contrast ratio of normal text (level AA).
pub const AA_TEXT: f32 = 4.5;

/// The relative luminance of an sRGB colour (WCAG 2.2, "relative
/// luminance": linearised channels weighted 0.2126, 0.7152, 0.0722).
pub fn luminance(c: Color) -> f32 {
    let lin = |v: f32| if v <= 0.04045 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) };
    0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b)
}

/// The contrast ratio of two colours (WCAG 2.2, "contrast ratio"):
/// `(L1 + 0.05) / (L2 + 0.05)`, the lighter over the darker, 1 to 21.
pub fn contrast(a: Color, b: Color) -> f32 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

fn mix(a: Color, b: Color, t: f32) -> Color {
    Color::from_rgb(a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t)
}

/// `colour` moved towards black or white (whichever the background leaves
/// more room to) in small steps until it reads on `background` at
/// [`AA_TEXT`] (with a little margin).
pub fn readable(colour: Color, background: Color) -> Color {
    let opaque = Color { a: 1.0, ..colour };
    let target = if contrast(Color::BLACK, background) >= contrast(Color::WHITE, background) {
        Color::BLACK
    } else {
        Color::WHITE
    };
    (0..=50)
        .map(|i| mix(opaque, target, i as f32 / 50.0))
        .find(|c| contrast(*c, background) >= AA_TEXT + 0.1)
        .unwrap_or(target)
}

fn background(theme: &Theme) -> Color {
    theme.palette().background
}

/// Text that reports success (signed, valid).
pub fn success(theme: &Theme) -> Color {
    readable(theme.palette().success, background(theme))
}

/// Text that warns (a check could not be made, a box over text).
pub fn warning(theme: &Theme) -> Color {
    readable(theme.palette().warning, background(theme))
}

/// Text that reports a failure or a refusal.
pub fn danger(theme: &Theme) -> Color {
    readable(theme.palette().danger, background(theme))
}

/// Secondary text (hints, notes): between the text and the background.
pub fn muted(theme: &Theme) -> Color {
    let p = theme.palette();
    readable(mix(p.text, p.background, 0.4), p.background)
}

/// Text style in [`success`].
pub fn text_success(theme: &Theme) -> text::Style {
    text::Style { color: Some(success(theme)) }
}

/// Text style in [`warning`].
pub fn text_warning(theme: &Theme) -> text::Style {
    text::Style { color: Some(warning(theme)) }
}

/// Text style in [`danger`].
pub fn text_danger(theme: &Theme) -> text::Style {
    text::Style { color: Some(danger(theme)) }
}

/// Text style in [`muted`].
pub fn text_muted(theme: &Theme) -> text::Style {
    text::Style { color: Some(muted(theme)) }
}

/// What a box drawn over a page preview stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Where the preset proposes to put it.
    Proposed,
    /// Where the user put it.
    Chosen,
    /// A signature already on the page.
    Existing,
    /// A box that covers the page's content.
    Overlap,
}

/// The outline and light fill of a box over the page picture. The page is
/// drawn as printed (white paper) in either theme, so the outline colours
/// are chosen for contrast with white, from the theme's palette.
pub fn mark(theme: &Theme, m: Mark) -> container::Style {
    let p = theme.palette();
    let (colour, fill) = match m {
        Mark::Proposed => (p.primary, 0.12),
        Mark::Chosen => (p.success, 0.18),
        Mark::Existing => (mix(p.text, p.background, 0.5), 0.05),
        Mark::Overlap => (p.danger, 0.25),
    };
    // Non-text outlines need 3:1 against the page (WCAG 2.2 SC 1.4.11).
    let colour = (0..=20)
        .map(|i| mix(Color { a: 1.0, ..colour }, Color::BLACK, i as f32 / 20.0))
        .find(|c| contrast(*c, Color::WHITE) >= 3.0)
        .unwrap_or(Color::BLACK);
    container::Style {
        // A label in the box is read on the white page, in either theme.
        text_color: Some(readable(colour, Color::WHITE)),
        background: Some(Background::Color(Color { a: fill, ..colour })),
        border: Border { color: colour, width: if m == Mark::Overlap { 3.0 } else { 2.0 }, radius: 2.0.into() },
        ..container::Style::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_matches_the_wcag_definition() {
        assert!((contrast(Color::BLACK, Color::WHITE) - 21.0).abs() < 0.01);
        assert!((contrast(Color::WHITE, Color::WHITE) - 1.0).abs() < 1e-6);
        // #767676 on white is the well-known 4.54:1 limit grey.
        let grey = Color::from_rgb8(0x76, 0x76, 0x76);
        assert!((contrast(grey, Color::WHITE) - 4.54).abs() < 0.01, "{}", contrast(grey, Color::WHITE));
    }

    /// Every status colour reads at level AA on the background of the light
    /// and the dark theme (the two the settings offer), and of every other
    /// built-in theme.
    #[test]
    fn status_colours_meet_aa_on_every_theme() {
        for theme in Theme::ALL {
            let bg = theme.palette().background;
            for (name, colour) in [
                ("success", success(theme)),
                ("warning", warning(theme)),
                ("danger", danger(theme)),
                ("muted", muted(theme)),
            ] {
                let ratio = contrast(colour, bg);
                assert!(ratio >= AA_TEXT, "{theme:?} {name}: {ratio:.2}:1");
            }
        }
        // The colours follow the theme: light and dark give different ones.
        assert_ne!(success(&Theme::Light), success(&Theme::Dark));
    }

    #[test]
    fn marks_outline_at_three_to_one_and_label_at_aa_on_the_page() {
        for theme in [Theme::Light, Theme::Dark] {
            for m in [Mark::Proposed, Mark::Chosen, Mark::Existing, Mark::Overlap] {
                let style = mark(&theme, m);
                assert!(contrast(style.border.color, Color::WHITE) >= 3.0, "{theme:?} {m:?}");
                let label = style.text_color.expect("a label colour");
                assert!(contrast(label, Color::WHITE) >= AA_TEXT, "{theme:?} {m:?} label");
            }
        }
    }
}
