//! The X11 plumbing the real-window GUI tests share: a private Xvfb server,
//! the X11 tools (xwininfo, xwd) to find Kyso's window and take screenshots,
//! an XWD decoder and a PNG writer for the screenshots kept in `target/`.
// Each test binary uses the part it needs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process stopped when dropped (Xvfb, Kyso).
pub struct Killed(pub Child);

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

/// Whether `tool` is on the PATH.
pub fn have(tool: &str) -> bool {
    Command::new("sh").args(["-c", &format!("command -v {tool}")]).output().is_ok_and(|o| o.status.success())
}

/// Whether every one of `tools` is installed; when one is missing, says so
/// through `kyso_testkit::require` (a failure under KYSO_REQUIRE_ORACLES=1,
/// a skip otherwise) and returns `false`.
pub fn have_all(tools: &[&str]) -> bool {
    for tool in tools {
        if !have(tool) {
            kyso_testkit::require(&format!("{tool} is not installed (apt install xvfb x11-apps x11-utils)"));
            return false;
        }
    }
    true
}

/// Starts Xvfb on a free display number with a `screen` ("1366x768") and
/// returns once the server answers a client (its socket appearing is not
/// enough: a client connecting too early gets XOpenDisplay's failure).
pub fn xvfb(screen: &str) -> Option<(Killed, String)> {
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
pub fn find_window(display: &str, needle: &str) -> Option<String> {
    let out = Command::new("xwininfo").args(["-root", "-tree"]).env("DISPLAY", display).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().find(|l| l.contains(needle)).and_then(|l| l.split_whitespace().next()).map(str::to_owned)
}

/// The real desktop binary started with `args` on `display` (not on
/// Wayland), with the data directory `data` and the default language;
/// its standard error is kept for [`wait_for_window`]'s report.
pub fn start_kyso(display: &str, data: &Path, args: &[&std::ffi::OsStr], env: &[(&str, &Path)]) -> Killed {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kyso"));
    cmd.args(args)
        .env("DISPLAY", display)
        .env_remove("WAYLAND_DISPLAY")
        .env("KYSO_DATA_DIR", data)
        .env_remove("KYSO_LANG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    Killed(cmd.spawn().expect("kyso starts"))
}

/// Waits (up to `deadline` in all) for a window named "Kyso" of `app`;
/// panics with the app's standard error when it exits first.
pub fn wait_for_window(display: &str, app: &mut Killed, deadline: Duration) -> String {
    let start = Instant::now();
    loop {
        if let Some(id) = find_window(display, "Kyso") {
            return id;
        }
        if let Ok(Some(status)) = app.0.try_wait() {
            let mut err = String::new();
            if let Some(mut e) = app.0.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut e, &mut err);
            }
            panic!("kyso exited ({status}) before showing a window: {err}");
        }
        assert!(start.elapsed() < deadline, "no Kyso window after {} s", deadline.as_secs());
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// The window's (x, y, width, height) on the screen, from `xwininfo`.
pub fn geometry(display: &str, id: &str) -> Option<(i64, i64, i64, i64)> {
    let out = Command::new("xwininfo").args(["-id", id]).env("DISPLAY", display).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let field = |name: &str| -> Option<i64> {
        text.lines().find_map(|l| l.trim().strip_prefix(name)).and_then(|v| v.trim().parse().ok())
    };
    Some((field("Absolute upper-left X:")?, field("Absolute upper-left Y:")?, field("Width:")?, field("Height:")?))
}

/// A screenshot: width, height and RGB pixels, row by row.
pub struct Shot {
    pub width: usize,
    pub height: usize,
    pub px: Vec<[u8; 3]>,
}

impl Shot {
    /// The pixel at (x, y); black outside the picture.
    pub fn at(&self, x: usize, y: usize) -> [u8; 3] {
        if x < self.width && y < self.height { self.px[y * self.width + x] } else { [0, 0, 0] }
    }

    /// Keeps the screenshot for people as a PNG (best effort).
    pub fn save(&self, out: &Path) {
        let Ok(f) = std::fs::File::create(out) else { return };
        let mut enc = png::Encoder::new(std::io::BufWriter::new(f), self.width as u32, self.height as u32);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        if let Ok(mut wr) = enc.write_header() {
            let flat: Vec<u8> = self.px.iter().flatten().copied().collect();
            let _ = wr.write_image_data(&flat);
        }
    }
}

/// The whole screen of `display` (`xwd -root`).
pub fn screenshot(display: &str) -> Shot {
    let shot = Command::new("xwd").args(["-root", "-silent"]).env("DISPLAY", display).output().expect("xwd runs");
    assert!(shot.status.success(), "xwd: {}", String::from_utf8_lossy(&shot.stderr));
    let (width, height, px) = decode_xwd(&shot.stdout).expect("a 24/32-bit XWD dump");
    Shot { width, height, px }
}

/// Where a screenshot is kept: `target/NAME` of the repository.
pub fn kept(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join(name)
}

/// Decodes an XWD dump (X11 XWDFileHeader, version 7) of a 24/32-bit
/// TrueColor screen into (width, height, RGB pixels).
pub fn decode_xwd(data: &[u8]) -> Option<(usize, usize, Vec<[u8; 3]>)> {
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
