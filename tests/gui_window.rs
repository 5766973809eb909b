//! The real desktop binary in a real X server (Xvfb) on a 1024×768 and a
//! 1366×768 screen: the window appears with the Vietnamese title, lies
//! wholly on the screen, and what it draws is not blank (screenshots kept
//! in `target/kyso-gui-window-<W>x<H>.png`). Skips with a message when
//! Xvfb or the X11 tools (xwd, xwininfo, xprop) are missing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        // SIGTERM first: Xvfb then removes its lock file and socket (a
        // SIGKILL leaves /tmp/.X<n>-lock behind and uses up display numbers).
        let _ = Command::new("kill").arg(self.0.id().to_string()).status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn have(tool: &str) -> bool {
    Command::new("sh").args(["-c", &format!("command -v {tool}")]).output().is_ok_and(|o| o.status.success())
}

/// Starts Xvfb on a free display number with a `screen` ("1366x768") and
/// returns once the server answers a client (its socket appearing is not
/// enough: a client connecting too early gets XOpenDisplay's failure).
fn xvfb(screen: &str) -> Option<(Killed, String)> {
    for n in 90..400 {
        if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() || Path::new(&format!("/tmp/.X{n}-lock")).exists() {
            continue;
        }
        let child = Command::new("Xvfb")
            .args([&format!(":{n}"), "-screen", "0", &format!("{screen}x24"), "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let mut guard = Killed(child);
        let display = format!(":{n}");
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            if let Ok(Some(_)) = guard.0.try_wait() {
                // Lost a race for this display number: try the next.
                break;
            }
            let answers = Command::new("xwininfo")
                .args(["-root"])
                .env("DISPLAY", &display)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if answers {
                return Some((guard, display));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    None
}

/// The id of the first top-level window whose name contains `needle`.
fn find_window(display: &str, needle: &str) -> Option<String> {
    let out = Command::new("xwininfo").args(["-root", "-tree"]).env("DISPLAY", display).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().find(|l| l.contains(needle)).and_then(|l| l.split_whitespace().next()).map(str::to_owned)
}

/// The window's (x, y, width, height) on the screen, from `xwininfo`.
fn geometry(display: &str, id: &str) -> Option<(i64, i64, i64, i64)> {
    let out = Command::new("xwininfo").args(["-id", id]).env("DISPLAY", display).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let field = |name: &str| -> Option<i64> {
        text.lines().find_map(|l| l.trim().strip_prefix(name)).and_then(|v| v.trim().parse().ok())
    };
    Some((field("Absolute upper-left X:")?, field("Absolute upper-left Y:")?, field("Width:")?, field("Height:")?))
}

/// Decodes an XWD dump (X11 XWDFileHeader, version 7) of a 24/32-bit
/// TrueColor screen into (width, height, RGB pixels).
fn decode_xwd(data: &[u8]) -> Option<(usize, usize, Vec<[u8; 3]>)> {
    let word =
        |i: usize| -> Option<u32> { data.get(i * 4..i * 4 + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]])) };
    let header_size = word(0)? as usize;
    if word(1)? != 7 {
        return None;
    }
    let (width, height) = (word(4)? as usize, word(5)? as usize);
    let byte_order = word(7)?; // 0 = LSB first
    let bits_per_pixel = word(11)?;
    let bytes_per_line = word(12)? as usize;
    let (rmask, gmask, bmask) = (word(14)?, word(15)?, word(16)?);
    let ncolors = word(19)? as usize;
    if bits_per_pixel != 32 && bits_per_pixel != 24 {
        return None;
    }
    let start = header_size + ncolors * 12;
    let bpp = bits_per_pixel as usize / 8;
    let shift = |m: u32| m.trailing_zeros();
    let mut px = Vec::with_capacity(width * height);
    for y in 0..height {
        for x in 0..width {
            let o = start + y * bytes_per_line + x * bpp;
            let b = data.get(o..o + bpp)?;
            let mut v = 0u32;
            if byte_order == 0 {
                for (i, byte) in b.iter().enumerate() {
                    v |= u32::from(*byte) << (8 * i);
                }
            } else {
                for byte in b {
                    v = (v << 8) | u32::from(*byte);
                }
            }
            px.push([
                ((v & rmask) >> shift(rmask)) as u8,
                ((v & gmask) >> shift(gmask)) as u8,
                ((v & bmask) >> shift(bmask)) as u8,
            ]);
        }
    }
    Some((width, height, px))
}

#[test]
fn the_window_opens_with_its_vietnamese_title_fits_the_screen_and_draws() {
    for tool in ["Xvfb", "xwd", "xwininfo", "xprop"] {
        if !have(tool) {
            kyso_testkit::require(&format!("{tool} is not installed (apt install xvfb x11-apps x11-utils)"));
            return;
        }
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
    let app = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .env("DISPLAY", &display)
        .env_remove("WAYLAND_DISPLAY")
        .env("KYSO_DATA_DIR", data.path())
        .env_remove("KYSO_LANG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kyso starts");
    let mut app = Killed(app);

    // The window appears under its Vietnamese title.
    let start = Instant::now();
    let id = loop {
        if let Some(id) = find_window(&display, "Kyso") {
            break id;
        }
        if let Ok(Some(status)) = app.0.try_wait() {
            let mut err = String::new();
            if let Some(mut e) = app.0.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut e, &mut err);
            }
            panic!("kyso exited ({status}) before showing a window: {err}");
        }
        assert!(start.elapsed() < Duration::from_secs(60), "no Kyso window after 60 s");
        std::thread::sleep(Duration::from_millis(250));
    };
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
    let shot = Command::new("xwd").args(["-root", "-silent"]).env("DISPLAY", &display).output().unwrap();
    assert!(shot.status.success());
    let (w, h, px) = decode_xwd(&shot.stdout).expect("a 24/32-bit XWD dump");
    let mut colours: Vec<[u8; 3]> = px.iter().step_by(7).copied().collect();
    colours.sort_unstable();
    colours.dedup();
    let dark = px.iter().filter(|p| u32::from(p[0]) + u32::from(p[1]) + u32::from(p[2]) < 200).count();
    // Keep the screenshot for people (target/kyso-gui-window-WxH.png).
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/kyso-gui-window-{screen_w}x{screen_h}.png"));
    if let Ok(f) = std::fs::File::create(&out) {
        let mut enc = png::Encoder::new(std::io::BufWriter::new(f), w as u32, h as u32);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        if let Ok(mut wr) = enc.write_header() {
            let flat: Vec<u8> = px.iter().flatten().copied().collect();
            let _ = wr.write_image_data(&flat);
        }
    }
    assert!(colours.len() > 16, "{} colours only: a blank window ({})", colours.len(), out.display());
    assert!(dark > 500, "no text drawn ({dark} dark pixels; {})", out.display());
}
