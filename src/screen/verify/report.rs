//! The saved report of a verification (HTML and PDF).

use super::*;

/// The technical line of a saved report: the ETSI EN 319 102-1 codes and
/// the exact UTC times (RFC 3339), as the JSON report has them — the
/// screen shows these in words and in local time.
pub(super) fn technical(s: &SignatureReport) -> String {
    let code = s.indication.name();
    let mut parts = vec![match s.sub_indication {
        Some(sub) => format!("{code}/{sub}"),
        None => code.to_owned(),
    }];
    for (name, v) in [("signing_time", &s.signing_time), ("timestamp", &s.timestamp), ("poe_time", &s.poe_time)] {
        if let Some(v) = v {
            parts.push(format!("{name} {v}"));
        }
    }
    parts.join(" · ")
}

/// The changed pages of a signature in the saved HTML report (issue 21):
/// each page as signed beside the page now, the regions that differ
/// outlined in the pixels (red: not explained by an allowed change; grey:
/// explained), as PNG data URIs so the report stays one file.
pub(super) fn thumbnails_html(t: &Translator, view: Option<&SignedView>) -> String {
    let Some(view) = view else { return String::new() };
    let changed =
        |p: &&PagePair| [&p.before, &p.after].iter().any(|x| x.as_ref().is_some_and(|x| !x.regions.is_empty()));
    let mut h = String::new();
    for pair in view.pages.iter().filter(changed) {
        h.push_str(&format!(
            "<figure><figcaption>{}</figcaption><div class=\"pages\">",
            html_escape(&t.tr_args("gui-signed-view-page", &[("page", &pair.page.to_string())]))
        ));
        for (key, missing, side) in [
            ("gui-signed-view-before", "gui-signed-view-missing-before", &pair.before),
            ("gui-signed-view-after", "gui-signed-view-missing-after", &pair.after),
        ] {
            let body = match side.as_ref().and_then(picture_png) {
                Some(png) => format!(
                    "<img alt=\"{0}\" src=\"data:image/png;base64,{1}\">",
                    html_escape(&t.tr(key)),
                    base64(&png)
                ),
                None => format!("<p>{}</p>", html_escape(&t.tr(missing))),
            };
            h.push_str(&format!("<div><p>{}</p>{body}</div>", html_escape(&t.tr(key))));
        }
        h.push_str("</div></figure>\n");
    }
    if !h.is_empty() {
        h.insert_str(0, &format!("<p class=\"legend\">{}</p>\n", html_escape(&t.tr("gui-signed-view-legend"))));
    }
    h
}

/// A page picture with its regions outlined, as PNG.
pub(super) fn picture_png(p: &Picture) -> Option<Vec<u8>> {
    let iced::widget::image::Handle::Rgba { width, height, pixels, .. } = &p.handle else { return None };
    let (w, h) = (usize::try_from(*width).ok()?, usize::try_from(*height).ok()?);
    let mut rgba = pixels.to_vec();
    if rgba.len() != w.checked_mul(h)?.checked_mul(4)? {
        return None;
    }
    for &((x, y, bw, bh), explained) in &p.regions {
        let colour: [u8; 4] = if explained { [0x75, 0x75, 0x75, 0xff] } else { [0xc6, 0x28, 0x28, 0xff] };
        // The rectangle's pixels, clamped to the picture (f64 → usize
        // saturates: negative values become 0).
        let clamp = |v: f64, max: usize| (v.max(0.0) as usize).min(max.saturating_sub(1));
        let (x0, y0) = (clamp(x, w), clamp(y, h));
        let (x1, y1) = (clamp(x + bw, w), clamp(y + bh, h));
        for yy in y0..=y1 {
            for xx in x0..=x1 {
                let edge = xx < x0 + 2 || xx + 2 > x1 || yy < y0 + 2 || yy + 2 > y1;
                if edge {
                    let at = (yy * w + xx) * 4;
                    rgba[at..at + 4].copy_from_slice(&colour);
                }
            }
        }
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, *width, *height);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().ok()?;
    writer.write_image_data(&rgba).ok()?;
    writer.finish().ok()?;
    Some(out)
}

/// RFC 4648 §4 base64 (for the report's data URIs).
pub(super) fn base64(data: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub(super) fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A self-contained, printable HTML report (the facts TT 15/2025 asks a
/// check to show), in the interface language.
pub(super) fn report_html(t: &Translator, file: &Path, done: &Done, cards: &[Card]) -> String {
    let lang = match t.lang() {
        kyso_i18n::Lang::Vi => "vi",
        _ => "en",
    };
    let colour = |tone: Tone| match tone {
        Tone::Passed => "#2e7d32",
        Tone::Failed => "#c62828",
        Tone::Indeterminate => "#f9a825",
    };
    let overall = Tone::of(done.report.indication);
    let now =
        time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    let mut h = String::new();
    h.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>body{{font-family:'Liberation Sans',Arial,sans-serif;max-width:56rem;margin:2rem auto;color:#222}}h1{{font-size:1.4rem}}.banner{{color:#fff;padding:.5rem 1rem;font-weight:bold}}.amber{{color:#000}}table{{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}}td{{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top}}td:first-child{{width:30%;color:#555}}.alert{{color:#c62828;font-weight:bold}}.warn{{color:#8a6d00}}footer{{color:#777;font-size:.8rem}}.pages{{display:flex;gap:1rem;flex-wrap:wrap}}.pages img{{max-width:26rem;border:1px solid #ccc}}.legend{{color:#555;font-size:.85rem}}</style></head><body>\n",
        html_escape(&t.tr("gui-report-title"))
    ));
    h.push_str(&format!("<h1>{}</h1>\n", html_escape(&t.tr("gui-report-title"))));
    h.push_str(&format!(
        "<p>{}</p>\n",
        html_escape(&t.tr_args("verify-file", &[("file", &file.display().to_string())]))
    ));
    let amber = if overall == Tone::Indeterminate { " amber" } else { "" };
    h.push_str(&format!(
        "<div class=\"banner{amber}\" style=\"background:{}\">{}: {}</div>\n",
        colour(overall),
        html_escape(&t.tr("verify-overall")),
        html_escape(&done.report.indication.localize(t))
    ));
    if done.report.signatures.is_empty() {
        h.push_str(&format!("<p>{}</p>\n", html_escape(&t.tr("verify-no-signature"))));
    }
    for (i, c) in cards.iter().enumerate() {
        let amber = if c.tone == Tone::Indeterminate { " amber" } else { "" };
        h.push_str(&format!(
            "<h2 class=\"banner{amber}\" style=\"background:{}\">{} — {}</h2>\n<table>\n",
            colour(c.tone),
            html_escape(&c.title),
            html_escape(&c.verdict)
        ));
        for r in &c.rows {
            let class = if r.alert { " class=\"alert\"" } else { "" };
            h.push_str(&format!(
                "<tr><td>{}</td><td{class}>{}</td></tr>\n",
                html_escape(&r.label),
                html_escape(&r.value)
            ));
        }
        if let Some(s) = done.report.signatures.get(i) {
            h.push_str(&format!(
                "<tr><td>{}</td><td class=\"tech\">{}</td></tr>\n",
                html_escape(&t.tr("gui-report-technical")),
                html_escape(&technical(s))
            ));
        }
        for d in &c.details {
            h.push_str(&format!("<tr><td></td><td class=\"alert\">{}</td></tr>\n", html_escape(d)));
        }
        for w in &c.warnings {
            h.push_str(&format!("<tr><td></td><td class=\"warn\">⚠ {}</td></tr>\n", html_escape(w)));
        }
        h.push_str("</table>\n");
        h.push_str(&thumbnails_html(t, done.signed.get(i)));
    }
    for u in &done.report.unsigned_fields {
        h.push_str(&format!("<p>{}</p>\n", html_escape(&t.tr_args("verify-unsigned-field", &[("field", u)]))));
    }
    h.push_str(&format!(
        "<footer>{}</footer>\n</body></html>\n",
        html_escape(&t.tr_args("gui-report-footer", &[("time", &now), ("version", env!("CARGO_PKG_VERSION"))]))
    ));
    h
}

/// The same report as a printable A4 PDF (Liberation Serif embedded, so
/// the Vietnamese text prints and can be searched anywhere).
pub(super) fn report_pdf(t: &Translator, file: &Path, done: &Done, cards: &[Card]) -> Option<Vec<u8>> {
    use kyso_pdf::document::{Paragraph, text_document};
    let colour = |tone: Tone| match tone {
        Tone::Passed => [0.18, 0.49, 0.2],
        Tone::Failed => [0.78, 0.16, 0.16],
        Tone::Indeterminate => [0.6, 0.42, 0.0],
    };
    let grey = [0.4, 0.4, 0.4];
    let title = t.tr("gui-report-title");
    let mut p = vec![
        Paragraph { size: 17.0, ..Paragraph::body(title.clone()) },
        Paragraph::body(t.tr_args("verify-file", &[("file", &file.display().to_string())])),
        Paragraph {
            size: 13.0,
            space_before: 10.0,
            colour: colour(Tone::of(done.report.indication)),
            ..Paragraph::body(format!("{}: {}", t.tr("verify-overall"), done.report.indication.localize(t)))
        },
    ];
    if done.report.signatures.is_empty() {
        p.push(Paragraph::body(t.tr("verify-no-signature")));
    }
    for (i, c) in cards.iter().enumerate() {
        p.push(Paragraph {
            size: 12.5,
            space_before: 14.0,
            colour: colour(c.tone),
            ..Paragraph::body(format!("{} — {}", c.title, c.verdict))
        });
        for r in &c.rows {
            let colour = if r.alert { colour(Tone::Failed) } else { [0.0; 3] };
            p.push(Paragraph { indent: 12.0, colour, ..Paragraph::body(format!("{}: {}", r.label, r.value)) });
        }
        if let Some(s) = done.report.signatures.get(i) {
            let line = format!("{}: {}", t.tr("gui-report-technical"), technical(s));
            p.push(Paragraph { indent: 12.0, size: 8.5, colour: grey, ..Paragraph::body(line) });
        }
        for d in &c.details {
            p.push(Paragraph { indent: 12.0, colour: colour(Tone::Failed), ..Paragraph::body(d.clone()) });
        }
        for w in &c.warnings {
            p.push(Paragraph {
                indent: 12.0,
                colour: colour(Tone::Indeterminate),
                ..Paragraph::body(format!("▲ {w}"))
            });
        }
    }
    for u in &done.report.unsigned_fields {
        p.push(Paragraph::body(t.tr_args("verify-unsigned-field", &[("field", u)])));
    }
    let now =
        time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    p.push(Paragraph {
        size: 8.5,
        space_before: 18.0,
        colour: grey,
        ..Paragraph::body(t.tr_args("gui-report-footer", &[("time", &now), ("version", env!("CARGO_PKG_VERSION"))]))
    });
    text_document(&title, &p).ok()
}

/// Writes a report through a temporary file beside it (blocking).
pub fn write_report(path: &Path, content: &[u8]) -> Result<PathBuf, Text> {
    crate::screen::write_file(path, content)?;
    Ok(path.to_owned())
}
