//! The clerk's preview in the real desktop binary, in a real X server
//! (Xvfb, 1366×768): `kyso --sign QĐ.pdf --role issuer` on a decision laid
//! out as NĐ 30/2020 Phụ lục I prescribes opens the sign screen with the
//! văn thư's role chosen, and page 1 is drawn with the proposed number box
//! in the printed "Số:      /QĐ-UBND" blank and the day and month boxes in
//! "ngày      tháng      năm 2026", with the seal's box over the signature
//! block below. No token is needed: the clerk sees where the number and
//! the date will go before choosing anything else. The screenshot is kept
//! in `target/kyso-gui-clerk-preview-page1.png`.
//!
//! What is checked, on the screenshot alone: outlined boxes in the
//! proposal's colour (a 2-pixel outline, a pale tint inside: the
//! preview's "proposed" mark), three of them on one line (number, day,
//! month) with the printed words around each ("Số:" and "/QĐ-UBND" beside
//! the number, "ngày" and "tháng" beside the date's), on a page drawn in
//! near-white with the header above and the title below, and a large box
//! (the seal) further down. The screen is polled until this holds or a
//! minute has passed (no timing is asserted).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod x11;

use std::process::Command;
use std::time::{Duration, Instant};

use x11::{Shot, geometry, have_all, kept, screenshot, start_kyso, wait_for_window, xvfb};

/// An outlined box found on the screen (inclusive pixel bounds).
#[derive(Debug, Clone, Copy)]
struct Outline {
    x0: usize,
    y0: usize,
    x1: usize,
    y1: usize,
}

impl Outline {
    fn width(&self) -> usize {
        self.x1 - self.x0 + 1
    }
    fn height(&self) -> usize {
        self.y1 - self.y0 + 1
    }
    fn centre_y(&self) -> usize {
        (self.y0 + self.y1) / 2
    }
}

/// The proposal's outline colour: the light theme's primary blue (a pixel
/// half covered by the outline still counts).
fn blue(p: [u8; 3]) -> bool {
    let [r, g, b] = p.map(i32::from);
    b >= 160 && b - r >= 60 && b - g >= 50
}

/// Printed text: the page's glyphs are black, anti-aliased into greys
/// (neutral, unlike the blue outlines and their tint).
fn dark(p: [u8; 3]) -> bool {
    let (lo, hi) = (p.iter().min().copied().unwrap_or(0), p.iter().max().copied().unwrap_or(0));
    hi - lo <= 40 && p.iter().map(|c| u32::from(*c)).sum::<u32>() < 540
}

/// The page's paper, or the pale tint inside a proposed box.
fn light(p: [u8; 3]) -> bool {
    p.iter().all(|c| *c >= 225)
}

/// How many pixels of `[x0, x1) × [y0, y1)` satisfy `f`, and how many
/// there are.
fn count(shot: &Shot, (x0, x1): (usize, usize), (y0, y1): (usize, usize), f: fn([u8; 3]) -> bool) -> (usize, usize) {
    let mut hits = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            hits += usize::from(f(shot.at(x, y)));
        }
    }
    (hits, x1.saturating_sub(x0) * y1.saturating_sub(y0))
}

/// The boxes drawn as an outline in the proposal's colour: connected blue
/// pixels whose bounding box is blue along its four sides (a rectangle,
/// not a radio button's circle) and pale inside (not a filled button).
fn outlines(shot: &Shot) -> Vec<Outline> {
    let (w, h) = (shot.width, shot.height);
    let mut seen = vec![false; w * h];
    let mut found = Vec::new();
    for start in 0..w * h {
        if seen[start] || !blue(shot.px[start]) {
            continue;
        }
        seen[start] = true;
        let mut stack = vec![start];
        let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            for (dx, dy) in [(-1i64, -1i64), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)] {
                let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                if nx < 0 || ny < 0 || nx >= w as i64 || ny >= h as i64 {
                    continue;
                }
                let j = ny as usize * w + nx as usize;
                if !seen[j] && blue(shot.px[j]) {
                    seen[j] = true;
                    stack.push(j);
                }
            }
        }
        let o = Outline { x0, y0, x1, y1 };
        if o.width() < 7 || o.height() < 6 || o.width() > 300 || o.height() > 300 {
            continue;
        }
        // Each side is a straight line: blue along all of it (in a band
        // of two pixels), not only in its middle as a circle's would be.
        let side = |along: std::ops::Range<usize>, band: [usize; 2], vertical: bool| {
            let n = along.len();
            let hits = along
                .filter(|&a| band.iter().any(|&b| blue(if vertical { shot.at(b, a) } else { shot.at(a, b) })))
                .count();
            hits * 10 >= n * 9
        };
        let sides = side(x0 + 2..x1 - 1, [y0, y0 + 1], false)
            && side(x0 + 2..x1 - 1, [y1 - 1, y1], false)
            && side(y0 + 2..y1 - 1, [x0, x0 + 1], true)
            && side(y0 + 2..y1 - 1, [x1 - 1, x1], true);
        let (inner_blue, inner) = count(shot, (x0 + 3, x1 - 2), (y0 + 3, y1 - 2), blue);
        let (inner_light, _) = count(shot, (x0 + 3, x1 - 2), (y0 + 3, y1 - 2), light);
        if sides && inner > 0 && inner_blue * 5 < inner && inner_light * 2 > inner {
            found.push(o);
        }
    }
    found
}

/// What the screen shows, checked: `Ok` with the number box, the date
/// boxes and the seal's box when page 1 is drawn with them in the printed
/// blanks, `Err` saying what is not there (yet).
fn clerk_preview(shot: &Shot) -> Result<(Outline, Vec<Outline>, Outline), String> {
    let boxes = outlines(shot);
    // The number and the date's blanks: three small boxes or more on one
    // line, the number's on the left, the date's further right.
    let mut rows: Vec<Vec<Outline>> = Vec::new();
    for b in boxes.iter().filter(|b| b.height() <= 30) {
        match rows.iter_mut().find(|r| r[0].centre_y().abs_diff(b.centre_y()) <= 4) {
            Some(r) => r.push(*b),
            None => rows.push(vec![*b]),
        }
    }
    let Some(mut row) = rows.into_iter().find(|r| r.len() >= 3) else {
        return Err(format!("no line of three proposed boxes (outlined boxes: {boxes:?})"));
    };
    row.sort_by_key(|b| b.x0);
    let number = row[0];
    let dates = row[1..].to_vec();
    let cy = number.centre_y();
    let line = (cy.saturating_sub(7), cy + 8);
    if dates[0].x0 < number.x1 + 80 {
        return Err(format!("the date's boxes are not apart from the number's: {number:?} {dates:?}"));
    }
    // The printed words around the blanks (ISO 32000-2 §9.4 text drawn by
    // the page itself, not by Kyso): "Số:" left of the number's box and
    // "/QĐ-UBND" right of it, "ngày" before the day's box, "tháng" between
    // the day's and the month's.
    let beside = [
        ("Số:", (number.x0.saturating_sub(30), number.x0.saturating_sub(1))),
        ("/QĐ-UBND", (number.x1 + 2, number.x1 + 40)),
        ("ngày", (dates[0].x0.saturating_sub(25), dates[0].x0.saturating_sub(1))),
        ("tháng", (dates[0].x1 + 2, dates[1].x0.saturating_sub(1))),
    ];
    for (word, xs) in beside {
        let (hits, _) = count(shot, xs, line, dark);
        if hits < 8 {
            return Err(format!("no printed \"{word}\" beside the boxes ({hits} dark pixels in x {xs:?}, y {line:?})"));
        }
    }
    // The page: the organisation's name and the motto above the line,
    // the title below it.
    let (left, right) = (number.x0.saturating_sub(30), dates[dates.len() - 1].x1 + 30);
    let (above, _) = count(shot, (left, right), (cy.saturating_sub(45), cy.saturating_sub(12)), dark);
    let (below, _) = count(shot, (left, right), (cy + 12, cy + 45), dark);
    if above < 150 || below < 100 {
        return Err(format!("no header above or title below the line ({above} and {below} dark pixels)"));
    }
    // The seal's box over the signature block, lower on the same page.
    let Some(seal) = boxes
        .iter()
        .find(|b| b.width() >= 40 && b.height() >= 40 && b.y0 > cy + 150 && b.x0 > left && b.x1 < right)
        .copied()
    else {
        return Err(format!("no seal box below the line (outlined boxes: {boxes:?})"));
    };
    // And from the header down to the seal's box, a large near-white
    // region: the paper, with its printed lines.
    let (paper, all) = count(shot, (left, right), (cy.saturating_sub(45), seal.y1), light);
    if paper * 100 < all * 80 {
        return Err(format!("no page drawn around the boxes ({paper} of {all} pixels light)"));
    }
    Ok((number, dates, seal))
}

#[test]
fn the_clerk_sees_page_one_with_the_number_and_date_boxes_in_the_printed_blanks() {
    if !have_all(&["Xvfb", "xwd", "xwininfo"]) {
        return;
    }
    let Some((_xvfb, display)) = xvfb("1366x768") else {
        kyso_testkit::require("no X server could be started");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("quyet-dinh.pdf");
    kyso_testkit::nd30::decision(&pdf, kyso_testkit::nd30::Layout::Deputy);
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    // The sign screen lists the tokens it finds: an empty SoftHSM store of
    // the test's own, never the user's.
    let tokens = dir.path().join("tokens");
    std::fs::create_dir_all(&tokens).unwrap();
    let softhsm_conf = dir.path().join("softhsm2.conf");
    std::fs::write(&softhsm_conf, format!("directories.tokendir = {}\nobjectstore.backend = file\n", tokens.display()))
        .unwrap();
    let args = ["--sign".as_ref(), pdf.as_os_str(), "--role".as_ref(), "issuer".as_ref()];
    let mut app = start_kyso(&display, &data, &args, &[("SOFTHSM2_CONF", &softhsm_conf)]);
    let id = wait_for_window(&display, &mut app, Duration::from_secs(60));

    // The preview is drawn in the background and the window is fitted to
    // the screen once it knows its size: look until the boxes are there
    // and the same on two looks in a row with the window unchanged.
    let out = kept("kyso-gui-clerk-preview-page1.png");
    let start = Instant::now();
    let mut last = None;
    let (shot, found) = loop {
        let window = geometry(&display, &id);
        let shot = screenshot(&display);
        let found = clerk_preview(&shot);
        let now = found.as_ref().ok().map(|(n, _, _)| (window, n.x0, n.y0));
        if (now.is_some() && now == last) || start.elapsed() > Duration::from_secs(60) {
            break (shot, found);
        }
        last = now;
        std::thread::sleep(Duration::from_millis(500));
    };
    shot.save(&out);
    let (number, dates, seal) = found.unwrap_or_else(|why| panic!("{why} ({})", out.display()));
    eprintln!("number box {number:?}, date boxes {dates:?}, seal box {seal:?} ({})", out.display());
    // Each box is the size of its blank: the number's (ten spaces in
    // "Số:          /QĐ-UBND") wider than the day's and the month's.
    assert!(dates.iter().all(|d| d.width() < number.width()), "{number:?} {dates:?} ({})", out.display());
    assert!(seal.y0 > number.y1 + 150, "{number:?} {seal:?} ({})", out.display());
    assert!(matches!(app.0.try_wait(), Ok(None)), "kyso still runs after drawing the preview");
}

/// `--role` takes the role names of `kyso-cli sign --role` only: another
/// name is refused before any window opens, in the user's language, with
/// exit code 2 (a usage error, as for any bad argument).
#[test]
fn a_role_kyso_cli_does_not_know_is_refused_with_exit_code_2() {
    for (lang, role, expected) in [
        ("en", "clerk", "Unknown role for --role: “clerk”"),
        ("vi", "Issuer", "Vai trò “Issuer” không hợp lệ cho --role"),
        ("en", "", "Unknown role for --role: “”"),
    ] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kyso"));
        cmd.args(["--sign", "quyet-dinh.pdf", "--role"]);
        if !role.is_empty() {
            cmd.arg(role);
        }
        let out = cmd.env("KYSO_LANG", lang).env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY").output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{lang} {role:?}: {err}");
        assert!(err.contains(expected), "{lang} {role:?}: {err}");
        assert!(err.contains("approver") && err.contains("issuer"), "the roles are named: {err}");
    }
}
