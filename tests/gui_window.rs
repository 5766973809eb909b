//! The real desktop binary in a real X server (Xvfb) on a 1024×768 and a
//! 1366×768 screen: the window appears with the Vietnamese title, lies
//! wholly on the screen, and what it draws is not blank (screenshots kept
//! in `target/kyso-gui-window-<W>x<H>.png`). Skips with a message when
//! Xvfb or the X11 tools (xwd, xwininfo, xprop) are missing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod x11;

use std::process::Command;
use std::time::{Duration, Instant};

use x11::{geometry, have_all, kept, screenshot, start_kyso, wait_for_window, xvfb};

#[test]
fn the_window_opens_with_its_vietnamese_title_fits_the_screen_and_draws() {
    if !have_all(&["Xvfb", "xwd", "xwininfo", "xprop"]) {
        return;
    }
    for (w, h) in [(1024, 768), (1366, 768)] {
        window_on_screen(w, h);
    }
}

fn window_on_screen(screen_w: i64, screen_h: i64) {
    let Some((_xvfb, display)) = xvfb(&format!("{screen_w}x{screen_h}")) else {
        kyso_testkit::require("no X server could be started");
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let mut app = start_kyso(&display, data.path(), &[], &[]);

    // The window appears under its Vietnamese title.
    let id = wait_for_window(&display, &mut app, Duration::from_secs(60));
    let title = Command::new("xprop").args(["-id", &id, "_NET_WM_NAME"]).env("DISPLAY", &display).output().unwrap();
    let title = String::from_utf8_lossy(&title.stdout).into_owned();
    assert!(title.contains("Kyso — Ký số"), "window title: {title}");

    // The window is fitted to the screen once it knows the screen's size:
    // wholly on it, leaving room for a taskbar.
    let start = Instant::now();
    let (x, y, w, h) = loop {
        std::thread::sleep(Duration::from_millis(500));
        let g = geometry(&display, &id).expect("xwininfo -id");
        if start.elapsed() > Duration::from_secs(3) {
            break g;
        }
    };
    assert!(
        x >= 0 && y >= 0 && x + w <= screen_w && y + h <= screen_h,
        "window {w}x{h} at {x},{y} on a {screen_w}x{screen_h} screen"
    );
    assert!(w >= 800 && h >= 560, "window {w}x{h}: below the minimum size");
    assert!(h <= screen_h - 48, "window {w}x{h}: no room for a taskbar on {screen_w}x{screen_h}");

    // What it draws: many colours (text, buttons), not one flat fill.
    std::thread::sleep(Duration::from_secs(1));
    let shot = screenshot(&display);
    let px = &shot.px;
    let mut colours: Vec<[u8; 3]> = px.iter().step_by(7).copied().collect();
    colours.sort_unstable();
    colours.dedup();
    let dark = px.iter().filter(|p| u32::from(p[0]) + u32::from(p[1]) + u32::from(p[2]) < 200).count();
    // Keep the screenshot for people (target/kyso-gui-window-WxH.png).
    let out = kept(&format!("kyso-gui-window-{screen_w}x{screen_h}.png"));
    shot.save(&out);
    assert!(colours.len() > 16, "{} colours only: a blank window ({})", colours.len(), out.display());
    assert!(dark > 500, "no text drawn ({dark} dark pixels; {})", out.display());
}

/// Started where there is no display (over SSH, from a service), the app
/// says so in words and exits 1: no panic, no backtrace.
#[test]
fn without_a_display_the_app_says_so_in_words_and_exits_1() {
    for (lang, expected) in [("vi", "Không mở được cửa sổ"), ("en", "Cannot open a window")] {
        let out = Command::new(env!("CARGO_BIN_EXE_kyso"))
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("WAYLAND_SOCKET")
            .env("KYSO_LANG", lang)
            .env("KYSO_DATA_DIR", tempfile::tempdir().unwrap().path())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{lang}: {err}");
        assert!(err.contains(expected) && err.contains("kyso-cli"), "{lang}: {err}");
        assert!(!err.contains("panicked"), "{lang}: {err}");
    }
}
