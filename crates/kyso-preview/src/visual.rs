//! What each signer saw, compared with what the reader sees (issue 21).
//!
//! For every signature that covers a whole earlier revision (ISO 32000-2
//! §7.5.6: an incremental update leaves the bytes `[0, end)` of the signed
//! revision intact, and those bytes are a complete PDF), the signed revision
//! and the document as it is now are drawn page by page with hayro, and the
//! pixels compared. A region that differs is *explained* when it lies in the
//! rectangle of a change the object analysis (kyso-pdf's `diff`) allowed — a
//! later signature's widget, a form value, an annotation a P=3 certification
//! permits (§12.8.2.2.2) — and does not erase ink the signer saw outside the
//! signature widgets of the signed revision. Any other visible difference
//! makes the signature's modifications `disallowed` (ETSI EN 319 102-1
//! §5.1.3 MODIFIED_AFTER_SIGNING is the indication then), whatever the object
//! rules said: every rule set has holes, a rendering does not lie about what
//! the reader sees — at least in this renderer. Where hayro cannot draw a
//! page (or the revision), the page is "not compared", never "unchanged".
//!
//! Cost: each distinct revision is opened once per worker, each page of the
//! final document is drawn once per worker and compared with every signed
//! revision that has it; only two page pictures per worker are alive at a
//! time (bounded memory). Pages are shared out between up to two threads.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use hayro::hayro_interpret::InterpreterSettings;
use hayro::hayro_interpret::util::TransformExt;
use hayro::hayro_syntax::Pdf;
use hayro::hayro_syntax::object::{Array, Dict, Name, ObjRef, ObjectIdentifier, Rect};
use hayro::hayro_syntax::page::Page;
use hayro::hayro_syntax::xref::XRef;
use hayro::kurbo::{Affine, Point};
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::{PixmapSettings, RenderCache, RenderSettings};
use kyso_pki::report::{Change, Coverage, DocumentReport, ModificationLevel, VisualChange, disallow_modifications};

/// How the comparison runs.
#[derive(Clone, Debug)]
pub struct VisualOptions {
    /// Resolution of the comparison: 72 dpi is one pixel per point, enough
    /// to see a 1 pt change.
    pub dpi: f32,
    /// Worker threads (pages are shared out between them).
    pub threads: usize,
    /// Where to write `sig<N>-page<P>-{before,after,diff}.png` for every
    /// page that differs (`kyso-cli verify --render-diff DIR`).
    pub render_diff: Option<PathBuf>,
}

impl Default for VisualOptions {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self { dpi: 72.0, threads: cores.clamp(1, 2), render_diff: None }
    }
}

/// What the comparison did (for the benchmark and the report).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VisualStats {
    /// Signatures compared.
    pub signatures: usize,
    /// Distinct signed revisions drawn.
    pub revisions: usize,
    /// Page pictures drawn (final and signed revisions).
    pub pages_drawn: usize,
    /// Signature × page comparisons.
    pub pages_compared: usize,
    /// Pages reported as not compared.
    pub not_compared: usize,
    /// Unexplained visible changes.
    pub unexplained: usize,
}

/// A per-channel difference above this counts (the two pictures come from
/// the same renderer at the same scale, so unchanged content draws the same
/// pixels; the tolerance absorbs anti-aliasing of shapes redrawn at the same
/// place).
const TOLERANCE: u8 = 40;
/// Cells of this many pixels group neighbouring differences into regions.
const CELL: usize = 8;
/// Allowed rectangles are widened by this many pixels (anti-aliased edges).
const SLACK: f64 = 2.0;
/// No page picture larger than this many pixels (the scale is lowered).
const MAX_PIXELS: f64 = 16.0e6;
/// At most this many regions per page are listed; beyond, they are merged.
const MAX_REGIONS: usize = 64;

/// The bytes of the file up to the end of one revision, without a copy.
struct Prefix {
    data: Arc<Vec<u8>>,
    end: usize,
}

impl AsRef<[u8]> for Prefix {
    fn as_ref(&self) -> &[u8] {
        self.data.get(..self.end).unwrap_or(&self.data)
    }
}

fn open(data: &Arc<Vec<u8>>, end: usize) -> Result<Pdf, String> {
    Pdf::new(Arc::new(Prefix { data: data.clone(), end })).map_err(|e| format!("{e:?}"))
}

/// One drawn page.
struct Picture {
    width: usize,
    height: usize,
    rgba: Vec<u8>,
    to_pixels: Affine,
    /// hayro reported something it could not draw.
    incomplete: bool,
    hash: u64,
    /// Signature widgets of the page, in pixels (left, top, right, bottom).
    sig_widgets: Vec<[f64; 4]>,
}

impl Picture {
    fn user_rect(&self, px: [usize; 4]) -> [f64; 4] {
        let inv = self.to_pixels.inverse();
        let a = inv * Point::new(px[0] as f64, px[1] as f64);
        let b = inv * Point::new(px[2] as f64 + 1.0, px[3] as f64 + 1.0);
        let r = |v: f64| (v * 10.0).round() / 10.0;
        [r(a.x.min(b.x)), r(a.y.min(b.y)), r((a.x - b.x).abs()), r((a.y - b.y).abs())]
    }

    /// A user-space `[x, y, w, h]` as pixels (left, top, right, bottom).
    fn pixel_rect(&self, u: [f64; 4]) -> [f64; 4] {
        let corners = [(u[0], u[1]), (u[0] + u[2], u[1]), (u[0], u[1] + u[3]), (u[0] + u[2], u[1] + u[3])];
        let mut out = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        for (x, y) in corners {
            let p = self.to_pixels * Point::new(x, y);
            out = [out[0].min(p.x), out[1].min(p.y), out[2].max(p.x), out[3].max(p.y)];
        }
        out
    }

    fn full(&self) -> [usize; 4] {
        [0, 0, self.width.saturating_sub(1), self.height.saturating_sub(1)]
    }
}

fn name_is(d: &Dict<'_>, key: &[u8], want: &[u8]) -> bool {
    d.get::<Name<'_>>(key).is_some_and(|n| n.as_ref() == want)
}

/// The rectangles of the page's signature widgets (ISO 32000-2 §12.7.5.5:
/// a widget of a field whose /FT, possibly inherited, is /Sig).
fn signature_widgets(page: &Page<'_>, listed: &Listed) -> Vec<Rect> {
    signature_widgets_of(page, listed).into_iter().map(|(r, _)| r).collect()
}

/// The widgets listed in the /Kids of signature fields, with their field
/// (ISO 32000-2 §12.7.4.1: a kid without /T is a widget of the field). The
/// clerk's number and date widgets have no /Parent (see kyso-pdf's
/// `sign.rs`): being listed is what makes them the field's.
/// Widget → the signature field listing it in /Kids.
type Listed = std::collections::HashMap<ObjectIdentifier, ObjRef>;

fn listed_signature_widgets(xref: &XRef) -> Listed {
    let mut out = std::collections::HashMap::new();
    let Some(root) = xref.get::<Dict<'_>>(xref.root_id()) else { return out };
    let Some(fields) = root.get::<Dict<'_>>(b"AcroForm").and_then(|af| af.get::<Array<'_>>(b"Fields")) else {
        return out;
    };
    // Each object is looked at once, whatever shares it (a /Kids array
    // listed by many fields costs its length, not a product), with one
    // budget for the whole walk.
    let mut seen = std::collections::HashSet::new();
    let mut budget = 100_000usize;
    let mut todo: Vec<(Dict<'_>, bool, usize)> =
        fields.iter::<Dict<'_>>().take(10_000).map(|d| (d, false, 0)).collect();
    while let Some((d, inherited, depth)) = todo.pop() {
        let Some(id) = d.obj_id() else { continue };
        if depth > 16 || !seen.insert(id) {
            continue;
        }
        let sig = d.get::<Name<'_>>(b"FT").map_or(inherited, |n| n.as_ref() == b"Sig");
        let Some(kids) = d.get::<Array<'_>>(b"Kids") else { continue };
        for k in kids.raw_iter() {
            let Ok(r) = ObjRef::try_from(k) else { continue };
            let kid = ObjectIdentifier::from(r);
            budget = budget.saturating_sub(1);
            if budget == 0 {
                return out;
            }
            if seen.contains(&kid) || out.contains_key(&kid) {
                continue;
            }
            let Some(k) = xref.get::<Dict<'_>>(kid) else { continue };
            if k.get::<hayro::hayro_syntax::object::String<'_>>(b"T").is_some() {
                todo.push((k, sig, depth + 1));
            } else if sig {
                out.insert(kid, ObjRef::from(id));
            }
        }
    }
    out
}

/// The page's signature widgets with the field each belongs to (the field
/// listing it in /Kids, else its /Parent, ISO 32000-2 §12.7.4; `None` when
/// field and widget are merged).
fn signature_widgets_of(page: &Page<'_>, listed: &Listed) -> Vec<(Rect, Option<ObjRef>)> {
    let mut out = Vec::new();
    let Some(annots) = page.raw().get::<Array<'_>>(b"Annots") else { return out };
    for a in annots.iter::<Dict<'_>>().take(10_000) {
        if !name_is(&a, b"Subtype", b"Widget") {
            continue;
        }
        if let Some(field) = a.obj_id().and_then(|id| listed.get(&id)) {
            if let Some(r) = a.get::<Rect>(b"Rect") {
                out.push((r, Some(*field)));
            }
            continue;
        }
        let mut sig = name_is(&a, b"FT", b"Sig");
        let mut parent = a.get::<Dict<'_>>(b"Parent");
        let mut depth = 0;
        while !sig && depth < 32 {
            let Some(p) = parent else { break };
            sig = name_is(&p, b"FT", b"Sig");
            parent = p.get::<Dict<'_>>(b"Parent");
            depth += 1;
        }
        if sig && let Some(r) = a.get::<Rect>(b"Rect") {
            out.push((r, a.get_ref(b"Parent")));
        }
    }
    out
}

fn draw<'a>(page: &'a Page<'a>, cache: &RenderCache<'a>, listed: &Listed, dpi: f32) -> Option<Picture> {
    let (w, h) = page.render_dimensions();
    if !(w.is_finite() && h.is_finite() && w >= 1.0 && h >= 1.0) {
        return None;
    }
    let mut scale = dpi / 72.0;
    let px = f64::from(w * scale) * f64::from(h * scale);
    if px > MAX_PIXELS {
        scale *= (MAX_PIXELS / px).sqrt() as f32;
    }
    if w * scale > f32::from(u16::MAX) || h * scale > f32::from(u16::MAX) {
        return None;
    }
    let incomplete = Arc::new(AtomicBool::new(false));
    let flag = incomplete.clone();
    let settings = InterpreterSettings {
        warning_sink: Arc::new(move |_| flag.store(true, Ordering::Relaxed)),
        ..Default::default()
    };
    let to_pixels = Affine::scale(f64::from(scale)) * page.initial_transform(true).to_kurbo();
    let pixmap = hayro::render(
        page,
        cache,
        &settings,
        &RenderSettings::default(),
        &PixmapSettings { x_scale: scale, y_scale: scale, bg_color: WHITE },
    );
    let (width, height) = (usize::from(pixmap.width()), usize::from(pixmap.height()));
    if width == 0 || height == 0 {
        return None;
    }
    let rgba = pixmap.data_as_u8_slice().to_vec();
    let mut hasher = DefaultHasher::new();
    (width, height).hash(&mut hasher);
    rgba.hash(&mut hasher);
    let mut pic = Picture {
        width,
        height,
        rgba,
        to_pixels,
        incomplete: incomplete.load(Ordering::Relaxed),
        hash: hasher.finish(),
        sig_widgets: Vec::new(),
    };
    pic.sig_widgets = signature_widgets(page, listed)
        .into_iter()
        .map(|r| pic.pixel_rect([r.x0.min(r.x1), r.y0.min(r.y1), (r.x1 - r.x0).abs(), (r.y1 - r.y0).abs()]))
        .collect();
    Some(pic)
}

fn luma(p: &[u8]) -> i32 {
    (299 * i32::from(p[0]) + 587 * i32::from(p[1]) + 114 * i32::from(p[2])) / 1000
}

fn inside(r: &[f64; 4], x: usize, y: usize) -> bool {
    let (x, y) = (x as f64 + 0.5, y as f64 + 0.5);
    x >= r[0] - SLACK && x <= r[2] + SLACK && y >= r[1] - SLACK && y <= r[3] + SLACK
}

/// Pixel boxes `[left, top, right, bottom]` (inclusive) of the regions of
/// marked cells, neighbouring cells (within one empty cell) merged.
fn regions(cells: &[Option<[usize; 4]>], cw: usize, ch: usize) -> Vec<[usize; 4]> {
    let mut seen = vec![false; cells.len()];
    let mut out = Vec::new();
    for start in 0..cells.len() {
        if seen[start] || cells[start].is_none() {
            continue;
        }
        seen[start] = true;
        let mut stack = vec![start];
        let mut bb = [usize::MAX, usize::MAX, 0, 0];
        while let Some(i) = stack.pop() {
            if let Some(c) = cells[i] {
                bb = [bb[0].min(c[0]), bb[1].min(c[1]), bb[2].max(c[2]), bb[3].max(c[3])];
            }
            let (cx, cy) = (i % cw, i / cw);
            for ny in cy.saturating_sub(2)..=(cy + 2).min(ch - 1) {
                for nx in cx.saturating_sub(2)..=(cx + 2).min(cw - 1) {
                    let j = ny * cw + nx;
                    if !seen[j] && cells[j].is_some() {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        out.push(bb);
    }
    if out.len() > MAX_REGIONS {
        let all = out.iter().fold([usize::MAX, usize::MAX, 0, 0], |a, b| {
            [a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])]
        });
        out = vec![all];
    }
    out
}

/// What one signature's allowed changes permit on one page.
#[derive(Clone, Debug)]
struct Allowance {
    rect: [f64; 4],
    kind: &'static str,
}

/// The comparison of one page for one signature.
#[derive(Debug, Default)]
struct PageResult {
    /// User-space rectangles of unexplained regions.
    unexplained: Vec<[f64; 4]>,
    /// Explained regions and the kind of change explaining each.
    explained: Vec<([f64; 4], &'static str)>,
    /// hayro reported something it could not draw.
    incomplete: bool,
    /// Pixel boxes (for the PNGs): unexplained, explained.
    boxes: Vec<([usize; 4], bool)>,
}

/// Compares the signed page `old` with the page `new` now.
fn compare(old: &Picture, new: &Picture, allowed: &[Allowance]) -> PageResult {
    let mut res = PageResult { incomplete: old.incomplete || new.incomplete, ..Default::default() };
    if old.hash == new.hash {
        return res;
    }
    let same_geometry = old.width == new.width
        && old.height == new.height
        && old.to_pixels.as_coeffs().iter().zip(new.to_pixels.as_coeffs()).all(|(a, b)| (a - b).abs() < 1e-6);
    if !same_geometry {
        // The page's size, crop box or rotation changed: all of it differs.
        res.unexplained.push(new.user_rect(new.full()));
        res.boxes.push((new.full(), true));
        return res;
    }
    let px_allowed: Vec<[f64; 4]> = allowed.iter().map(|a| new.pixel_rect(a.rect)).collect();
    let (w, h) = (new.width, new.height);
    let (cw, ch) = (w.div_ceil(CELL), h.div_ceil(CELL));
    let mut cells: Vec<Option<[usize; 4]>> = vec![None; cw * ch];
    let mut explained: Vec<Option<[usize; 4]>> = vec![None; allowed.len()];
    let grow = |b: &mut Option<[usize; 4]>, x: usize, y: usize| {
        *b = Some(match *b {
            None => [x, y, x, y],
            Some(c) => [c[0].min(x), c[1].min(y), c[2].max(x), c[3].max(y)],
        });
    };
    for y in 0..h {
        let row = y * w * 4;
        let (a_row, b_row) = (&old.rgba[row..row + w * 4], &new.rgba[row..row + w * 4]);
        if a_row == b_row {
            continue;
        }
        for x in 0..w {
            let (a, b) = (&a_row[x * 4..x * 4 + 4], &b_row[x * 4..x * 4 + 4]);
            if a.iter().zip(b).take(3).all(|(p, q)| p.abs_diff(*q) <= TOLERANCE) {
                continue;
            }
            let by = px_allowed.iter().position(|r| inside(r, x, y));
            // An allowed addition may draw over blank paper or over an
            // earlier signature's appearance (the seal over the official's
            // signature, NĐ 30/2020), never erase what the signer saw.
            let erases = {
                let (la, lb) = (luma(a), luma(b));
                la < 128 && lb > la + 64 && !old.sig_widgets.iter().any(|r| inside(r, x, y))
            };
            match by {
                Some(i) if !erases => grow(&mut explained[i], x, y),
                _ => grow(&mut cells[(y / CELL) * cw + x / CELL], x, y),
            }
        }
    }
    for bb in regions(&cells, cw, ch) {
        res.unexplained.push(new.user_rect(bb));
        res.boxes.push((bb, true));
    }
    for (i, bb) in explained.into_iter().enumerate() {
        if let Some(bb) = bb {
            res.explained.push((new.user_rect(bb), allowed[i].kind));
            res.boxes.push((bb, false));
        }
    }
    res
}

/// One signature to compare.
struct Job {
    /// Index in the report.
    sig: usize,
    /// Index of its revision in `ends`.
    rev: usize,
    /// Allowed changes with a place, by page (1-based) of the final document.
    allowed: Vec<(usize, Allowance)>,
}

/// What a worker found.
#[derive(Default)]
struct Found {
    /// (job, page index of the final document, result).
    pages: Vec<(usize, usize, PageResult)>,
    /// Page hashes: final, and per revision.
    final_hashes: Vec<(usize, u64)>,
    rev_hashes: Vec<(usize, usize, u64)>,
    /// Pages of a signed revision the final document lacks: (job, page, rect).
    removed: Vec<(usize, usize, [f64; 4])>,
    /// Pages that could not be drawn: (job, page index, why).
    undrawn: Vec<(usize, usize, String)>,
    drawn: usize,
    errors: Vec<String>,
}

/// Compares, for every signature of `report` that covers a whole earlier
/// revision of the PDF at `path`, what was signed with what is shown now, and
/// records the result in the report: `visual_changes`, a `visible_change`
/// (not allowed) for every unexplained difference, `visual_not_compared`
/// for pages that could not be drawn; the signature's modifications and
/// indication, and the document's indication, follow.
pub fn compare_revisions(path: &Path, report: &mut DocumentReport, opts: &VisualOptions) -> VisualStats {
    let mut stats = VisualStats::default();
    let mut ends: Vec<usize> = Vec::new();
    let mut jobs: Vec<Job> = Vec::new();
    for (i, s) in report.signatures.iter().enumerate() {
        if s.coverage != Coverage::WholeRevision || s.byte_range.len() != 4 {
            continue;
        }
        let Some(end) = s.byte_range[2].checked_add(s.byte_range[3]).and_then(|e| usize::try_from(e).ok()) else {
            continue;
        };
        let rev = match ends.iter().position(|e| *e == end) {
            Some(r) => r,
            None => {
                ends.push(end);
                ends.len() - 1
            }
        };
        let allowed = s
            .changes
            .iter()
            .filter(|c| c.allowed)
            .filter_map(|c| Some((c.page?, Allowance { rect: c.rect?, kind: c.kind })))
            .collect();
        jobs.push(Job { sig: i, rev, allowed });
    }
    stats.signatures = jobs.len();
    stats.revisions = ends.len();
    if jobs.is_empty() {
        return stats;
    }
    let data = match std::fs::read(path) {
        Ok(d) => Arc::new(d),
        Err(e) => {
            not_compared_all(report, &jobs, &format!("the file could not be read: {e}"), &mut stats);
            return stats;
        }
    };
    if ends.iter().any(|e| *e > data.len()) {
        not_compared_all(report, &jobs, "a signed revision ends beyond the file", &mut stats);
        return stats;
    }
    let final_pages = match open(&data, data.len()) {
        Ok(p) => {
            sibling_widgets(&p, &mut jobs);
            p.pages().len()
        }
        Err(e) => {
            not_compared_all(report, &jobs, &format!("the document could not be drawn: {e}"), &mut stats);
            return stats;
        }
    };
    let threads = opts.threads.max(1).min(final_pages.max(1));
    let found: Vec<Found> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|k| {
                let (data, ends, jobs) = (&data, &ends, &jobs);
                scope.spawn(move || worker(data, ends, jobs, k, threads, opts))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    });
    merge(report, &jobs, &ends, found, final_pages, &mut stats);
    stats
}

/// A signature added after signing may have further widgets than the one
/// the change analysis names (the clerk's number and date, NĐ 30/2020 Art.
/// 15(3), are widgets of the clerk's signature field, ISO 32000-2
/// §12.7.5.5): the widgets of the same field, found by the named widget's
/// page and rectangle, are allowed as that widget is.
fn sibling_widgets(pdf: &Pdf, jobs: &mut [Job]) {
    let listed = listed_signature_widgets(pdf.xref());
    let widgets: Vec<(usize, Rect, ObjRef)> = pdf
        .pages()
        .iter()
        .enumerate()
        .flat_map(|(i, p)| signature_widgets_of(p, &listed).into_iter().filter_map(move |(r, f)| Some((i + 1, r, f?))))
        .collect();
    let xywh = |r: &Rect| [r.x0.min(r.x1), r.y0.min(r.y1), (r.x1 - r.x0).abs(), (r.y1 - r.y0).abs()];
    let near = |r: &Rect, u: &[f64; 4]| xywh(r).iter().zip(u).all(|(a, b)| (a - b).abs() < 0.5);
    for job in jobs {
        let mut more = Vec::new();
        for (page, a) in job.allowed.iter().filter(|(_, a)| a.kind == "signature_added") {
            let fields: Vec<ObjRef> =
                widgets.iter().filter(|(p, r, _)| p == page && near(r, &a.rect)).map(|(_, _, f)| *f).collect();
            for (p, r, f) in &widgets {
                if fields.contains(f) && !(p == page && near(r, &a.rect)) {
                    let rect = xywh(r);
                    more.push((*p, Allowance { rect, kind: "signature_added" }));
                }
            }
        }
        job.allowed.extend(more);
    }
}

fn worker(data: &Arc<Vec<u8>>, ends: &[usize], jobs: &[Job], k: usize, step: usize, opts: &VisualOptions) -> Found {
    let mut out = Found::default();
    let Ok(final_pdf) = open(data, data.len()) else { return out };
    let revs: Vec<Result<Pdf, String>> = ends.iter().map(|e| open(data, *e)).collect();
    for (j, job) in jobs.iter().enumerate() {
        if let Err(e) = &revs[job.rev]
            && k == 0
        {
            out.errors.push(format!("{j}\u{0}{e}"));
        }
    }
    let final_cache = RenderCache::new();
    let rev_caches: Vec<RenderCache<'_>> = revs.iter().map(|_| RenderCache::new()).collect();
    // Each revision's widget → field map, once (not per page).
    let final_listed = listed_signature_widgets(final_pdf.xref());
    let rev_listed: Vec<Listed> =
        revs.iter().map(|r| r.as_ref().map(|p| listed_signature_widgets(p.xref())).unwrap_or_default()).collect();
    let fpages = final_pdf.pages();
    let most = revs.iter().flatten().map(|p| p.pages().len()).chain([fpages.len()]).max().unwrap_or(0);
    let mut i = k;
    while i < most {
        let now = fpages.get(i).map(|p| draw(p, &final_cache, &final_listed, opts.dpi));
        if now.is_some() {
            out.drawn += 1;
        }
        if let Some(Some(p)) = &now {
            out.final_hashes.push((i, p.hash));
        }
        for (r, rev) in revs.iter().enumerate() {
            let Ok(pdf) = rev else { continue };
            let pages = pdf.pages();
            let then = pages.get(i).map(|p| draw(p, &rev_caches[r], &rev_listed[r], opts.dpi));
            if then.is_some() {
                out.drawn += 1;
            }
            if let Some(Some(p)) = &then {
                out.rev_hashes.push((r, i, p.hash));
            }
            for (j, job) in jobs.iter().enumerate().filter(|(_, j)| j.rev == r) {
                match (&then, &now) {
                    (None, None) => {}
                    (Some(Some(old)), Some(Some(new))) => {
                        let allowed: Vec<Allowance> =
                            job.allowed.iter().filter(|(p, _)| *p == i + 1).map(|(_, a)| a.clone()).collect();
                        let res = compare(old, new, &allowed);
                        if let Some(dir) = &opts.render_diff
                            && !res.boxes.is_empty()
                        {
                            let _ = write_pngs(dir, job.sig + 1, i + 1, old, new, &res.boxes);
                        }
                        out.pages.push((j, i, res));
                    }
                    // A page added after signing: all of it is new.
                    (None, Some(Some(new))) => {
                        let mut res = PageResult { unexplained: vec![new.user_rect(new.full())], ..Default::default() };
                        res.boxes.push((new.full(), true));
                        out.pages.push((j, i, res));
                    }
                    (Some(Some(old)), None) => out.removed.push((j, i, old.user_rect(old.full()))),
                    _ => out.undrawn.push((j, i, "the renderer could not draw the page".into())),
                }
            }
        }
        i += step;
    }
    out
}

fn not_compared_all(report: &mut DocumentReport, jobs: &[Job], why: &str, stats: &mut VisualStats) {
    for j in jobs {
        push_not_compared(report, j.sig, None, why.to_owned());
        stats.not_compared += 1;
    }
}

fn push_not_compared(report: &mut DocumentReport, sig: usize, page: Option<usize>, detail: String) {
    if let Some(s) = report.signatures.get_mut(sig) {
        s.changes.push(Change { kind: "visual_not_compared", page, rect: None, detail, allowed: true });
    }
}

fn merge(
    report: &mut DocumentReport,
    jobs: &[Job],
    ends: &[usize],
    found: Vec<Found>,
    final_pages: usize,
    stats: &mut VisualStats,
) {
    let mut pages = Vec::new();
    let mut final_hash = vec![None; final_pages];
    let mut rev_hash: Vec<Vec<(usize, u64)>> = vec![Vec::new(); ends.len()];
    let mut removed = Vec::new();
    let mut undrawn = Vec::new();
    let mut errors = Vec::new();
    for f in found {
        stats.pages_drawn += f.drawn;
        pages.extend(f.pages);
        for (i, h) in f.final_hashes {
            if let Some(slot) = final_hash.get_mut(i) {
                *slot = Some(h);
            }
        }
        for (r, i, h) in f.rev_hashes {
            rev_hash[r].push((i, h));
        }
        removed.extend(f.removed);
        undrawn.extend(f.undrawn);
        errors.extend(f.errors);
    }
    for e in errors {
        let (j, why) = e.split_once('\u{0}').unwrap_or(("", &e));
        if let Some(job) = j.parse::<usize>().ok().and_then(|j| jobs.get(j)) {
            push_not_compared(report, job.sig, None, format!("the signed revision could not be drawn: {why}"));
            stats.not_compared += 1;
        }
    }
    pages.sort_by_key(|(j, i, _)| (*j, *i));
    let mut unexplained_of = vec![false; jobs.len()];
    for (j, i, res) in pages {
        let job = &jobs[j];
        let Some(sig) = report.signatures.get_mut(job.sig) else { continue };
        stats.pages_compared += 1;
        let page = i + 1;
        // A page that shows, unchanged, another page of the signed revision.
        let moved = final_hash
            .get(i)
            .copied()
            .flatten()
            .and_then(|h| rev_hash[job.rev].iter().find(|(o, oh)| *oh == h && *o != i).map(|(o, _)| o + 1));
        let in_signed = rev_hash[job.rev].iter().any(|(o, _)| *o == i);
        for rect in &res.unexplained {
            sig.visual_changes.push(VisualChange { page, rect: *rect, explained_by: None });
            let mut detail = format!(
                "visible change on page {page} at ({}, {}, {}, {}) not explained by an allowed update",
                rect[0], rect[1], rect[2], rect[3]
            );
            if !in_signed {
                detail.push_str(&format!(": page {page} was added after signing"));
            } else if let Some(o) = moved {
                detail.push_str(&format!(": it shows page {o} of the signed revision (pages reordered)"));
            }
            sig.modification_details.push(detail.clone());
            sig.changes.push(Change {
                kind: "visible_change",
                page: Some(page),
                rect: Some(*rect),
                detail,
                allowed: false,
            });
            unexplained_of[j] = true;
            stats.unexplained += 1;
        }
        for (rect, kind) in &res.explained {
            sig.visual_changes.push(VisualChange { page, rect: *rect, explained_by: Some(*kind) });
        }
        if res.incomplete && res.unexplained.is_empty() {
            sig.changes.push(Change {
                kind: "visual_not_compared",
                page: Some(page),
                rect: None,
                detail: format!(
                    "page {page}: the renderer could not draw everything on it, so it is not known to be unchanged"
                ),
                allowed: true,
            });
            stats.not_compared += 1;
        }
    }
    removed.sort_unstable_by_key(|(j, i, _)| (*j, *i));
    for (j, i, rect) in removed {
        let job = &jobs[j];
        let Some(sig) = report.signatures.get_mut(job.sig) else { continue };
        let page = i + 1;
        let detail = format!(
            "visible change on page {page} at ({}, {}, {}, {}) not explained by an allowed update: page {page} of the signed revision is no longer in the document",
            rect[0], rect[1], rect[2], rect[3]
        );
        sig.visual_changes.push(VisualChange { page, rect, explained_by: None });
        sig.modification_details.push(detail.clone());
        sig.changes.push(Change { kind: "visible_change", page: Some(page), rect: Some(rect), detail, allowed: false });
        unexplained_of[j] = true;
        stats.unexplained += 1;
    }
    for (j, i, why) in undrawn {
        push_not_compared(report, jobs[j].sig, Some(i + 1), format!("page {}: {why}", i + 1));
        stats.not_compared += 1;
    }
    for (j, job) in jobs.iter().enumerate() {
        if unexplained_of[j]
            && let Some(sig) = report.signatures.get_mut(job.sig)
        {
            disallow_modifications(sig);
            sig.modification_level = ModificationLevel::Other;
        }
    }
    refresh_indication(report);
}

/// The document's indication: the worst of its signatures (as
/// [`DocumentReport::of`] derives it).
fn refresh_indication(report: &mut DocumentReport) {
    if let Some(worst) = report.signatures.iter().map(|s| s.indication).max() {
        report.indication = worst;
    }
}

/// Records that the visual comparison was not run (`--no-render`): every
/// signature it would have compared says so, never "unchanged".
pub fn mark_not_compared(report: &mut DocumentReport, why: &str) {
    for s in report.signatures.iter_mut().filter(|s| s.coverage == Coverage::WholeRevision) {
        s.changes.push(Change {
            kind: "visual_not_compared",
            page: None,
            rect: None,
            detail: why.to_owned(),
            allowed: true,
        });
    }
}

fn write_png(path: &Path, width: usize, height: usize, rgba: &[u8]) -> Result<(), String> {
    let file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    let (w, h) = (u32::try_from(width).map_err(|e| e.to_string())?, u32::try_from(height).map_err(|e| e.to_string())?);
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), w, h);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(rgba).map_err(|e| e.to_string())
}

/// `sig<N>-page<P>-before.png` (signed), `-after.png` (now) and `-diff.png`
/// (now, faded, differing pixels in full colour, unexplained regions
/// outlined in red, explained ones in green).
fn write_pngs(
    dir: &Path,
    sig: usize,
    page: usize,
    old: &Picture,
    new: &Picture,
    boxes: &[([usize; 4], bool)],
) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let stem = format!("sig{sig}-page{page}");
    write_png(&dir.join(format!("{stem}-before.png")), old.width, old.height, &old.rgba)?;
    write_png(&dir.join(format!("{stem}-after.png")), new.width, new.height, &new.rgba)?;
    let mut diff = new.rgba.clone();
    let same_size = old.width == new.width && old.height == new.height;
    for (i, px) in diff.chunks_exact_mut(4).enumerate() {
        let changed =
            !same_size || old.rgba[i * 4..i * 4 + 3].iter().zip(&px[..3]).any(|(a, b)| a.abs_diff(*b) > TOLERANCE);
        if !changed {
            for c in &mut px[..3] {
                *c = 255 - (255 - *c) / 4;
            }
        }
    }
    for (bb, bad) in boxes {
        let colour: [u8; 4] = if *bad { [220, 0, 0, 255] } else { [0, 150, 0, 255] };
        let (l, t) = (bb[0].saturating_sub(2), bb[1].saturating_sub(2));
        let (r, b) = ((bb[2] + 2).min(new.width - 1), (bb[3] + 2).min(new.height - 1));
        for x in l..=r {
            for y in [t, b] {
                diff[(y * new.width + x) * 4..(y * new.width + x) * 4 + 4].copy_from_slice(&colour);
            }
        }
        for y in t..=b {
            for x in [l, r] {
                diff[(y * new.width + x) * 4..(y * new.width + x) * 4 + 4].copy_from_slice(&colour);
            }
        }
    }
    write_png(&dir.join(format!("{stem}-diff.png")), new.width, new.height, &diff)
}
