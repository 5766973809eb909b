//! The window's size and place on the screen.

use super::*;

/// The window's size when the screen is large enough and none was kept.
pub(super) const PREFERRED_SIZE: Size = Size::new(1180.0, 760.0);
/// The size the window opens at, before the screen's size is known: fits a
/// 1024×768 screen with a taskbar and a title bar.
pub(super) const OPENING_SIZE: Size = Size::new(1000.0, 680.0);
/// The smallest window: every screen still shows its primary button
/// (the content scrolls).
pub const MIN_SIZE: Size = Size::new(800.0, 560.0);
/// Room left on the screen for a taskbar and the window's title bar.
pub(super) const SCREEN_MARGIN: Size = Size::new(24.0, 88.0);

/// The window's size for a screen of `monitor` (logical pixels): the kept
/// size or [`PREFERRED_SIZE`], never larger than the screen less
/// [`SCREEN_MARGIN`], never below [`MIN_SIZE`] unless the screen is.
pub fn fitting_size(monitor: Size, kept: Option<[u32; 2]>) -> Size {
    #[allow(clippy::cast_precision_loss)]
    let wanted = kept.map_or(PREFERRED_SIZE, |[w, h]| Size::new(w as f32, h as f32));
    let room =
        Size::new((monitor.width - SCREEN_MARGIN.width).max(1.0), (monitor.height - SCREEN_MARGIN.height).max(1.0));
    let fit = |want: f32, min: f32, room: f32| want.max(min).min(room).round();
    Size::new(fit(wanted.width, MIN_SIZE.width, room.width), fit(wanted.height, MIN_SIZE.height, room.height))
}

/// Where the window goes on a screen of `monitor`: where it was left when
/// it lies wholly on the screen there, else centred.
pub fn fitting_position(monitor: Size, size: Size, kept: Option<[i32; 2]>) -> iced::Point {
    #[allow(clippy::cast_precision_loss)]
    let kept = kept.map(|[x, y]| iced::Point::new(x as f32, y as f32)).filter(|p| {
        p.x >= 0.0 && p.y >= 0.0 && p.x + size.width <= monitor.width && p.y + size.height <= monitor.height
    });
    kept.unwrap_or_else(|| {
        iced::Point::new(((monitor.width - size.width) / 2.0).max(0.0), ((monitor.height - size.height) / 2.0).max(0.0))
    })
}
