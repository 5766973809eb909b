//! What the tests read of the preview: the boxes' places in screen
//! pixels, the placements, the parts waiting for a click.

use super::{Pane, Part, Placements};

impl Pane {
    /// The placements chosen on the preview.
    pub fn placements(&self) -> Placements {
        self.placements
    }

    /// The page shown with `part`'s box, and the box's centre in screen
    /// pixels from the picture's corner.
    pub fn box_centre(&self, part: Part) -> Option<(usize, f64, f64)> {
        let p = self.preview.as_ref()?;
        let (page, r) = self.shown(part)?;
        let v = p.views.iter().find(|v| v.image.page == page)?;
        let (x, y, w, h) = v.image.rect_to_pixels(r);
        let s = f64::from(self.scale(v));
        Some((page, (x + w / 2.0) * s, (y + h / 2.0) * s))
    }

    /// The centre, in screen pixels from the picture's corner, of the
    /// largest thing printed on `page` (tests drop a box on it).
    pub fn printed_centre(&self, page: usize) -> Option<(f64, f64)> {
        let v = self.preview.as_ref()?.views.iter().find(|v| v.image.page == page)?;
        let area = |r: &&[f64; 4]| (r[2] - r[0]).abs() * (r[3] - r[1]).abs();
        let r = v.occupied.iter().max_by(|a, b| area(a).total_cmp(&area(b)))?;
        let (x, y, w, h) = v.image.rect_to_pixels(*r);
        let s = f64::from(self.scale(v));
        Some(((x + w / 2.0) * s, (y + h / 2.0) * s))
    }

    /// Whether `part` was placed by hand.
    pub fn placed(&self, part: Part) -> bool {
        self.placements.get(part).is_some()
    }

    /// The parts a click puts, and that page 1 has no blank for.
    pub fn moving_and_missing(&self) -> (Part, Vec<Part>) {
        (self.moving, self.preview.as_ref().map(|p| p.missing.clone()).unwrap_or_default())
    }
}
