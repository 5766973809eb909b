//! The clerk's blanks and free room on a page.
//!
//! Nghị định 30/2020/NĐ-CP, Phụ lục I (mẫu 1.x, ô số 3 and 4) prints the
//! number line as "Số:" followed by a blank and the symbol ("/QĐ-UBND",
//! "/KH-UBND", … — the abbreviations of Phụ lục III, or an office code for
//! a công văn), and the place-and-date line as "…, ngày … tháng … năm …".
//! The văn thư fills them when issuing (Art. 15(3)). This module finds
//! those blanks from the page's text with positions (`text`, ISO 32000-2
//! §9.4, §9.10), and, for placing a signature where the page has no
//! signature block, the free room of a page from its text, image and path
//! bounds — so that nothing Kyso proposes covers what the page shows.

use crate::reader::{PdfError, PdfReader};
use crate::text::{PageContent, TextRun, page_content};

/// A blank of a printed line: where to write, on which baseline, at which
/// size.
#[derive(Clone, Debug, PartialEq)]
pub struct Blank {
    /// `[x1 y1 x2 y2]` in page space: the blank's width, from a little
    /// below the baseline to the height of digits.
    pub rect: [f64; 4],
    /// The printed line's baseline (page space).
    pub baseline: f64,
    /// The printed line's font size (page space).
    pub size: f64,
}

/// The number line "Số: … /SYMBOL".
#[derive(Clone, Debug, PartialEq)]
pub struct NumberBlank {
    /// The blank between "Số:" and the symbol.
    pub blank: Blank,
    /// The printed symbol, from its slash: "/QĐ-UBND".
    pub symbol: String,
}

/// The place-and-date line "…, ngày … tháng … năm …".
#[derive(Clone, Debug, PartialEq)]
pub struct DateBlanks {
    /// After "ngày".
    pub day: Blank,
    /// After "tháng".
    pub month: Blank,
    /// After "năm", when the year is left blank too.
    pub year: Option<Blank>,
    /// The year when printed.
    pub printed_year: Option<i32>,
    /// The century a form prints before a blank year ("năm 20…"): the
    /// `year` blank then takes only the remaining digits.
    pub year_prefix: Option<String>,
}

/// What [`find_blanks`] found; a `None` means "not found": the caller asks
/// for a rectangle (`--number-rect`, `--date-rect`, or a click).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Blanks {
    /// The number line.
    pub number: Option<NumberBlank>,
    /// The date line.
    pub date: Option<DateBlanks>,
}

/// The object number of page `page` (1-based).
fn page_object(reader: &PdfReader, page: usize) -> Result<u32, PdfError> {
    let pages = reader.pages()?;
    pages
        .get(page.wrapping_sub(1))
        .copied()
        .ok_or_else(|| PdfError::Malformed(format!("page {page} does not exist (the document has {})", pages.len())))
}

/// The blanks of page `page` (1-based; the clerk's are on page 1).
pub fn find_blanks(reader: &PdfReader, page: usize) -> Result<Blanks, PdfError> {
    let content = page_content(reader, page_object(reader, page)?)?;
    Ok(blanks_in(&content))
}

/// One character of a line with its extent.
#[derive(Clone, Debug)]
struct Cell {
    /// Folded for matching (lower case, no tone or vowel marks).
    folded: char,
    /// As printed (combining marks kept).
    orig: String,
    x0: f64,
    x1: f64,
    y: f64,
    size: f64,
}

/// Lower case without Vietnamese marks, for matching keywords whatever
/// the normalisation of the ToUnicode map; `None` for a combining mark.
fn fold(c: char) -> Option<char> {
    if ('\u{300}'..='\u{36f}').contains(&c) {
        return None;
    }
    let l = c.to_lowercase().next().unwrap_or(c);
    const A: &str = "àáảãạăằắẳẵặâầấẩẫậ";
    const E: &str = "èéẻẽẹêềếểễệ";
    const I: &str = "ìíỉĩị";
    const O: &str = "òóỏõọôồốổỗộơờớởỡợ";
    const U: &str = "ùúủũụưừứửữự";
    const Y: &str = "ỳýỷỹỵ";
    for (set, base) in [(A, 'a'), (E, 'e'), (I, 'i'), (O, 'o'), (U, 'u'), (Y, 'y')] {
        if set.contains(l) {
            return Some(base);
        }
    }
    Some(match l {
        'đ' => 'd',
        '\u{a0}' | '\t' => ' ',
        other => other,
    })
}

/// The glyphs of every run as cells; a run without glyph positions is
/// spread over its width.
fn cells_of(runs: &[TextRun]) -> Vec<Cell> {
    let mut out = Vec::new();
    for r in runs {
        let pieces: Vec<(String, f64, f64)> = if r.glyphs.is_empty() {
            let n = r.text.chars().count().max(1) as f64;
            let w = r.width / n;
            r.text.chars().enumerate().map(|(i, c)| (c.to_string(), r.x + w * i as f64, w)).collect()
        } else {
            r.glyphs.iter().map(|g| (g.text.clone(), g.x, g.width)).collect()
        };
        for (text, x, w) in pieces {
            let chars: Vec<char> = text.chars().collect();
            let n = chars.iter().filter(|c| fold(**c).is_some()).count().max(1) as f64;
            let mut k = 0.0;
            for c in chars {
                match fold(c) {
                    Some(f) => {
                        out.push(Cell {
                            folded: f,
                            orig: c.to_string(),
                            x0: x + w * k / n,
                            x1: x + w * (k + 1.0) / n,
                            y: r.y,
                            size: r.size,
                        });
                        k += 1.0;
                    }
                    None => {
                        if let Some(last) = out.last_mut() {
                            last.orig.push(c);
                        }
                    }
                }
            }
        }
        if out.len() > 200_000 {
            break;
        }
    }
    out
}

/// Cells grouped into lines (same baseline within a quarter of the size),
/// each sorted left to right, with a synthetic space wherever two glyphs
/// stand more than a fifth of the size apart.
fn lines_of(mut cells: Vec<Cell>) -> Vec<Vec<Cell>> {
    cells.retain(|c| c.size > 0.0 && c.x0.is_finite() && c.y.is_finite());
    let mut lines = crate::text::baseline_groups(cells, |c| (c.x0, c.y, c.size));
    for l in &mut lines {
        let mut with_gaps: Vec<Cell> = Vec::with_capacity(l.len());
        for c in l.drain(..) {
            if let Some(p) = with_gaps.last()
                && c.x0 - p.x1 > 0.2 * c.size.max(p.size)
                && p.folded != ' '
                && c.folded != ' '
            {
                let s = Cell { folded: ' ', orig: " ".into(), x0: p.x1, x1: c.x0, y: p.y, size: p.size };
                with_gaps.push(s);
            }
            with_gaps.push(c);
        }
        *l = with_gaps;
    }
    lines
}

/// Characters that make a blank: spaces and the dotted or underlined
/// leaders forms print.
fn is_blank_char(c: char) -> bool {
    matches!(c, ' ' | '.' | '…' | '_' | '·')
}

/// Whether the folded `word` starts at `i` as a whole word.
fn word_at(line: &[Cell], i: usize, word: &str) -> bool {
    let w: Vec<char> = word.chars().collect();
    if i + w.len() > line.len() {
        return false;
    }
    let before_ok = i == 0 || !line[i - 1].folded.is_alphanumeric();
    let after_ok = line.get(i + w.len()).is_none_or(|c| !c.folded.is_alphanumeric());
    before_ok && after_ok && line[i..i + w.len()].iter().zip(&w).all(|(c, k)| c.folded == *k)
}

/// The index after the run of blank characters from `i`.
fn skip_blank(line: &[Cell], mut i: usize) -> usize {
    while i < line.len() && is_blank_char(line[i].folded) {
        i += 1;
    }
    i
}

fn skip_spaces(line: &[Cell], mut i: usize) -> usize {
    while i < line.len() && line[i].folded == ' ' {
        i += 1;
    }
    i
}

/// A blank between `left` (the end of the printed text before it) and
/// `right` (the start of the printed text after it) on the baseline of
/// `at`. The box reaches from the font's descent to the top of digits
/// (Times New Roman-compatible metrics: descent 0.22 em, figures 0.68 em).
fn blank(left: f64, right: f64, at: &Cell) -> Blank {
    let s = at.size;
    let pad = 0.1 * s;
    Blank { rect: [left + pad, at.y - 0.22 * s, right - pad, at.y + 0.75 * s], baseline: at.y, size: s }
}

/// Ink boxes of the printed glyphs (not spaces, not leader dots inside
/// blanks when `skip_leaders`): from the descent to above the diacritics.
fn glyph_boxes(lines: &[Vec<Cell>], skip_leaders: bool) -> Vec<[f64; 4]> {
    lines
        .iter()
        .flatten()
        .filter(|c| c.folded != ' ' && !(skip_leaders && is_blank_char(c.folded)))
        .map(|c| [c.x0, c.y - 0.22 * c.size, c.x1, c.y + 0.9 * c.size])
        .collect()
}

fn overlaps(a: &[f64; 4], b: &[f64; 4], slack: f64) -> bool {
    a[0] + slack < b[2] && b[0] + slack < a[2] && a[1] + slack < b[3] && b[1] + slack < a[3]
}

/// The blanks of a page's content (see [`find_blanks`]).
pub fn blanks_in(content: &PageContent) -> Blanks {
    let lines = lines_of(cells_of(&content.runs));
    // Nothing printed may be under a blank we propose (the leader dots of
    // the blank itself excepted), nor any image or drawn path.
    let mut ink = glyph_boxes(&lines, true);
    ink.extend(content.images.iter().copied());
    // What is written takes the figures' height on the printed baseline:
    // the blank's own underline (a dotted underline, a border drawn under
    // the blank) and the line below, however tight the spacing, lie under
    // it. A thin rule drawn on the baseline itself (an empty inline box's
    // border in a browser's PDF) is the line the figures are written on.
    let free = |b: &Blank| {
        let figures = [b.rect[0], b.baseline + 0.02 * b.size, b.rect[2], b.baseline + 0.72 * b.size];
        let rule = |p: &[f64; 4]| p[3] - p[1] <= 0.12 * b.size && p[3] <= b.baseline + 0.12 * b.size;
        b.rect[2] > b.rect[0]
            && !ink.iter().any(|i| overlaps(&figures, i, 0.3))
            && !content.paths.iter().any(|p| !rule(p) && overlaps(&figures, p, 0.3))
    };
    // NĐ 30/2020 Phụ lục I: the place and date (ô 4) stand in the header
    // beside the number (ô 3). With the number line on the page, blank or
    // filled, a date line far from it is a citation in the body ("Căn cứ …
    // ngày … tháng … năm …"), never the document's date.
    let anchor = lines.iter().find_map(|l| number_label(l));
    let near_number = |d: &DateBlanks| anchor.is_none_or(|(y, size)| (d.day.baseline - y).abs() <= 5.0 * size);
    // A blank that ends its line stops at the text block's right edge.
    let right_edge = lines.iter().flatten().filter(|c| c.folded != ' ').map(|c| c.x1).fold(f64::MIN, f64::max);
    let mut out = Blanks::default();
    for (k, line) in lines.iter().enumerate() {
        if out.number.is_none()
            && let Some(n) = number_line(line, &lines[k + 1..])
            && free(&n.blank)
        {
            out.number = Some(n);
        }
        if out.date.is_none()
            && let Some(d) = date_line(line, &lines[k + 1..], right_edge)
            && near_number(&d)
            && free(&d.day)
            && free(&d.month)
            && d.year.as_ref().is_none_or(free)
        {
            out.date = Some(d);
        }
    }
    out
}

/// The colon of a "Số:" label whose "Số" is at `i`.
fn number_colon(line: &[Cell], i: usize) -> Option<usize> {
    if !word_at(line, i, "so") {
        return None;
    }
    let colon = skip_spaces(line, i + 2);
    (line.get(colon)?.folded == ':').then_some(colon)
}

/// The baseline and size of a number line, blank or filled ("Số:" then
/// blanks or figures, then "/SYMBOL").
fn number_label(line: &[Cell]) -> Option<(f64, f64)> {
    (0..line.len()).find_map(|i| {
        let colon = number_colon(line, i)?;
        let mut k = skip_blank(line, colon + 1);
        while line.get(k).is_some_and(|c| c.folded.is_ascii_digit() || c.folded == ' ') {
            k += 1;
        }
        (line.get(k)?.folded == '/').then_some((line[i].y, line[i].size))
    })
}

/// "Số:" blank "/SYMBOL" on one line. The symbol is a slash and at least
/// two letters (NĐ 30/2020 Phụ lục III: QĐ, NQ, KH, TTr, QyĐ, … followed
/// by the issuer's abbreviation).
fn number_line(line: &[Cell], below: &[Vec<Cell>]) -> Option<NumberBlank> {
    for i in 0..line.len() {
        let Some(colon) = number_colon(line, i) else { continue };
        let after = skip_blank(line, colon + 1);
        let Some(slash) = line.get(after) else { continue };
        if slash.folded != '/' {
            continue;
        }
        let word_end = |from: usize| (from..line.len()).find(|k| line[*k].folded == ' ').unwrap_or(line.len());
        let mut end = word_end(after);
        // A dash typed between spaces ("/QĐ - UBND") joins the parts, when
        // what it joins is an abbreviation (capitals and figures) and the
        // spaces are spaces, not a column's gap.
        let narrow = |gap: &[Cell]| gap.iter().all(|c| c.x1 - c.x0 < 0.8 * c.size);
        loop {
            let k = skip_spaces(line, end);
            let joins = is_dash(line[end - 1].folded) || line.get(k).is_some_and(|c| is_dash(c.folded));
            if k >= line.len() || k == end || !narrow(&line[end..k]) || !joins {
                break;
            }
            let mut next_end = word_end(k);
            let lone_dash = line[k..next_end].iter().all(|c| is_dash(c.folded));
            if lone_dash {
                // "- UBND": the dash alone, the part after more spaces.
                let w = skip_spaces(line, next_end);
                if w >= line.len() || !narrow(&line[next_end..w]) {
                    break;
                }
                next_end = word_end(w);
            }
            let part: String = line[k..next_end].iter().filter(|c| c.folded != ' ').map(|c| c.orig.as_str()).collect();
            if !abbreviation(&part) {
                break;
            }
            end = next_end;
        }
        let mut symbol: String = line[after..end].iter().filter(|c| c.folded != ' ').map(|c| c.orig.as_str()).collect();
        // A symbol the column broke after its dash ("/QĐ-" / "UBND") goes
        // on with the first word below it.
        if symbol.chars().last().is_some_and(is_dash)
            && let Some(rest) = below.iter().take(2).find_map(|n| symbol_rest(&line[i], &line[end - 1], n))
        {
            symbol.push_str(&rest);
        }
        if symbol.chars().filter(|c| c.is_alphabetic()).count() < 2 {
            continue;
        }
        let label = &line[colon];
        let mut b = blank(label.x1, slash.x0, label);
        // The number is written against the slash, as one word with the
        // symbol ("45/QĐ-UBND").
        b.rect[2] = slash.x0 - 0.05;
        if b.rect[2] - b.rect[0] < 0.8 * label.size {
            continue;
        }
        return Some(NumberBlank { blank: b, symbol });
    }
    None
}

/// The dashes a word processor may print in a symbol (hyphen, the Unicode
/// dashes, minus).
fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}')
}

/// The rest of a symbol broken after its dash: the first word of `next`
/// (close below) that starts under the number line, between "Số" (`so`)
/// and the broken symbol's end (`last`), made of letters, digits, dashes
/// and slashes only.
fn symbol_rest(so: &Cell, last: &Cell, next: &[Cell]) -> Option<String> {
    if so.y - next.first()?.y > 2.5 * so.size {
        return None;
    }
    let start = next.iter().position(|c| c.folded != ' ' && c.x0 >= so.x0 - 2.0 * so.size && c.x0 <= last.x1)?;
    if next[..start].iter().any(|c| c.folded != ' ' && c.x1 > so.x0 - 2.0 * so.size) {
        return None;
    }
    let word: String = next[start..].iter().take_while(|c| c.folded != ' ').map(|c| c.orig.as_str()).collect();
    (word.chars().count() <= 16 && abbreviation(&word)).then_some(word)
}

/// Whether `s` reads as a part of a symbol (NĐ 30/2020 Phụ lục III: the
/// abbreviations of the document's kind and of the issuer): capitals and
/// figures, with dashes between, at least one letter.
fn abbreviation(s: &str) -> bool {
    let s = s.trim_matches(is_dash);
    s.chars().any(char::is_alphabetic) && s.chars().all(|c| c.is_uppercase() || c.is_ascii_digit() || is_dash(c))
}

/// The year a narrow column wrapped onto the line below "năm" (Word and
/// LibreOffice break "năm 2026" when the blanks are long): four digits
/// first in `next`, under the date's part of the page, at most two lines
/// down.
fn wrapped_year(line: &[Cell], from: usize, next: Option<&[Cell]>) -> Option<i32> {
    let next = next?;
    let column = date_column(line, from, next)?;
    // Only the year: four digits alone in the column (a body line that
    // starts with a year is no wrapped date).
    let text: String = next.iter().filter(|c| column.holds(c)).map(|c| c.folded).collect();
    let text = text.trim();
    if text.len() == 4 && text.chars().all(|c| c.is_ascii_digit()) { text.parse().ok() } else { None }
}

/// The part of the page a date line takes, with a size's slack each side.
struct Column {
    left: f64,
    right: f64,
    slack: f64,
}

impl Column {
    /// Whether the cell stands within the column.
    fn holds(&self, c: &Cell) -> bool {
        c.x0 >= self.left - self.slack && c.x1 <= self.right + self.slack
    }
}

/// The date's column on `line` (whose "ngày" is at `from`), when `next`,
/// the line below, is close enough to continue it: from after the last
/// wide gap before "ngày" (a column apart) to the end of the line.
fn date_column(line: &[Cell], from: usize, next: &[Cell]) -> Option<Column> {
    let at = &line[from];
    if at.y - next.first()?.y > 2.5 * at.size {
        return None;
    }
    let left = line[..from]
        .iter()
        .rev()
        .find(|c| c.folded == ' ' && c.x1 - c.x0 > 1.5 * at.size)
        .map_or_else(|| line.first().map_or(at.x0, |c| c.x0), |c| c.x1);
    let right = line.last().map_or(at.x1, |c| c.x1);
    Some(Column { left, right, slack: at.size })
}

/// The first word of `next` within the date's column (of `line`, whose
/// "ngày" is at `from`), when it is `word`: the date went on below.
fn wrapped_word(line: &[Cell], from: usize, next: &[Cell], word: &str) -> Option<usize> {
    let column = date_column(line, from, next)?;
    let first = next.iter().position(|c| c.folded != ' ' && column.holds(c))?;
    word_at(next, first, word).then_some(first)
}

/// "năm" wrapped onto the line below the date (a narrow column broke
/// "tháng … năm 2026" after the month's blank): its index in `next` when
/// it is the first word of `next` within the date's column and all that
/// line holds there is "năm", a blank and the year or part of it (a body
/// line that starts with "Năm" is no date).
fn wrapped_nam(line: &[Cell], from: usize, next: &[Cell]) -> Option<usize> {
    let first = wrapped_word(line, from, next, "nam")?;
    let column = date_column(line, from, next)?;
    let rest: String = next[first + 3..].iter().filter(|c| column.holds(c)).map(|c| c.folded).collect();
    let rest = rest.trim_matches(is_blank_char);
    let digits = rest.trim_end_matches(is_blank_char);
    (digits.len() <= 4 && digits.chars().all(|c| c.is_ascii_digit())).then_some(first)
}

/// Where a blank that ends its line ends: the line's last mark (leader
/// dots), or room for two figures where a word processor drew no spaces.
fn line_end_blank(line: &[Cell], word_end: usize, right_edge: f64) -> f64 {
    let end = line.last().map_or(0.0, |c| c.x1);
    end.max(line[word_end].x1 + 2.0 * line[word_end].size).min(right_edge)
}

/// The blank of a date word that ends its line (`line[word_end]` is its
/// last letter): after it, within the text block; or, with no room for two
/// figures there, before the word the date goes on with on the line below
/// (`below[then]`), as a clerk writing by hand would.
fn end_blank(line: &[Cell], word_end: usize, right_edge: f64, below: &[Cell], then: usize) -> Blank {
    let at = &line[word_end];
    let after = blank(at.x1, line_end_blank(line, word_end, right_edge), at);
    if after.rect[2] - after.rect[0] >= 1.2 * at.size {
        return after;
    }
    let t = &below[then];
    let room = t.x0 - 2.6 * t.size;
    let left = below[..then].iter().rev().find(|c| c.folded != ' ').map_or(room, |c| c.x1.max(room));
    blank(left, t.x0, t)
}

/// "ngày" blank "tháng" blank "năm" (year or blank) on one line; `next`,
/// the line below in the date's column, is the first of `below` with
/// something there (the other column's lines, on baselines of their own,
/// come between). A narrow column may break the date once: after the
/// day's blank ("tháng … năm …" below), or after the month's ("năm …"
/// below); a year wrapped alone below "năm" is printed, not blank.
fn date_line(whole: &[Cell], below: &[Vec<Cell>], right_edge: f64) -> Option<DateBlanks> {
    for i in 0..whole.len() {
        if !word_at(whole, i, "ngay") {
            continue;
        }
        let next = below
            .iter()
            .take(2)
            .find(|l| date_column(whole, i, l).is_some_and(|col| l.iter().any(|c| c.folded != ' ' && col.holds(c))))
            .map(Vec::as_slice);
        let day_end = i + 4;
        let after_day = skip_blank(whole, day_end);
        // `mline` holds "tháng": this line, or the next.
        let (mline, m, day) = if word_at(whole, after_day, "thang") {
            (whole, after_day, blank(whole[day_end - 1].x1, whole[after_day].x0, &whole[i]))
        } else if after_day >= whole.len()
            && let Some(next) = next
            && let Some(m) = wrapped_word(whole, i, next, "thang")
        {
            (next, m, end_blank(whole, day_end - 1, right_edge, next, m))
        } else {
            continue;
        };
        let after_month = skip_blank(mline, m + 5);
        // `line` holds "năm": the month's line, or the next when the
        // column broke the date after the month's blank.
        let (line, y, month) = if word_at(mline, after_month, "nam") {
            (mline, after_month, blank(mline[m + 4].x1, mline[after_month].x0, &mline[m]))
        } else if std::ptr::eq(mline, whole)
            && after_month >= whole.len()
            && let Some(next) = next
            && let Some(y) = wrapped_nam(whole, i, next)
        {
            (next, y, end_blank(whole, m + 4, right_edge, next, y))
        } else {
            continue;
        };
        if day.rect[2] - day.rect[0] < 0.8 * day.size || month.rect[2] - month.rect[0] < 0.8 * month.size {
            continue;
        }
        let after = skip_blank(line, y + 3);
        let digits: String = line[after..].iter().take_while(|c| c.folded.is_ascii_digit()).map(|c| c.folded).collect();
        let same_line = std::ptr::eq(line, whole);
        let wrapped =
            if same_line && digits.is_empty() && after >= line.len() { wrapped_year(line, i, next) } else { None };
        let mut year_prefix = None;
        let (year, printed_year) = if digits.len() == 4 {
            (None, digits.parse().ok())
        } else if wrapped.is_some() {
            (None, wrapped)
        } else if (2..=3).contains(&digits.len())
            && line.get(after + digits.len()).is_none_or(|c| is_blank_char(c.folded))
        {
            // "năm 20……", "năm 202…", "năm 20" at the end of the line: the
            // form prints the start of the year, the clerk the rest.
            let n = digits.len();
            let rest = skip_blank(line, after + n);
            let left = line[after + n - 1].x1;
            let wide = left + (4 - n) as f64 * 0.75 * line[y].size;
            let right = line.get(rest).map_or_else(|| line[rest - 1].x1.max(wide), |c| c.x0);
            let b = blank(left, right, &line[y]);
            if b.rect[2] - b.rect[0] < 0.9 * b.size {
                continue;
            }
            year_prefix = Some(digits);
            (Some(b), None)
        } else if digits.is_empty() {
            let left = line[y + 2].x1;
            let right = line.get(after).map_or(left + 3.0 * line[y].size, |c| c.x0);
            let b = blank(left, right, &line[y]);
            if b.rect[2] - b.rect[0] < 1.8 * b.size {
                continue;
            }
            (Some(b), None)
        } else {
            continue;
        };
        return Some(DateBlanks { day, month, year, printed_year, year_prefix });
    }
    None
}

/// Everything page `page` (1-based) shows, as boxes: printed glyphs
/// (leader dots and underscores excepted: forms print them to be written
/// over), images and form XObjects, painted paths (a filled path covering more
/// than half the page — a background — left out), and the rectangles of
/// its visible annotations (earlier signatures' widgets included).
pub fn occupied(reader: &PdfReader, page: usize) -> Result<Vec<[f64; 4]>, PdfError> {
    occupied_on(reader, page_object(reader, page)?)
}

/// [`occupied`] by the page's object number.
pub(crate) fn occupied_on(reader: &PdfReader, num: u32) -> Result<Vec<[f64; 4]>, PdfError> {
    let content = page_content(reader, num)?;
    let mbox = crate::presets::page_box(reader, num)?;
    let area = (mbox[2] - mbox[0]) * (mbox[3] - mbox[1]);
    let big = |r: &[f64; 4]| (r[2] - r[0]) * (r[3] - r[1]) > area / 2.0;
    let lines = lines_of(cells_of(&content.runs));
    let mut out = glyph_boxes(&lines, true);
    out.extend(content.images.iter().filter(|r| !big(r)));
    out.extend(content.paths.iter().filter(|r| !big(r)));
    out.extend(annotation_rects(reader, num)?);
    Ok(out)
}

/// Rectangles of the page's annotations that are not hidden (§12.5.3).
fn annotation_rects(reader: &PdfReader, page_num: u32) -> Result<Vec<[f64; 4]>, PdfError> {
    use crate::object::Object;
    let page = reader.get(page_num)?;
    let Some(annots) = page.as_dict().and_then(|d| d.get("Annots")).cloned() else { return Ok(Vec::new()) };
    let Object::Array(annots) = reader.resolve(&annots)? else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for a in annots.iter().take(10_000) {
        let a = reader.resolve(a)?;
        let Some(d) = a.as_dict() else { continue };
        if d.get("F").and_then(Object::as_int).is_some_and(|f| f & 2 != 0) {
            continue;
        }
        if let Some(Object::Array(r)) = d.get("Rect").map(|r| reader.resolve(r)).transpose()? {
            let v: Vec<f64> = r
                .iter()
                .filter_map(|o| match o {
                    Object::Int(i) => Some(*i as f64),
                    Object::Real(s) => s.parse().ok(),
                    _ => None,
                })
                .collect();
            if v.len() == 4 && (v[2] - v[0]).abs() > 1.0 && (v[3] - v[1]).abs() > 1.0 {
                out.push([v[0].min(v[2]), v[1].min(v[3]), v[0].max(v[2]), v[1].max(v[3])]);
            }
        }
    }
    Ok(out)
}

/// Whether `rect` on page `page` (1-based) covers anything the page
/// shows (see [`occupied`]) — for a warning before a box moved by hand
/// is signed.
pub fn covers_content(reader: &PdfReader, page: usize, rect: [f64; 4]) -> Result<bool, PdfError> {
    let r = [rect[0].min(rect[2]), rect[1].min(rect[3]), rect[0].max(rect[2]), rect[1].max(rect[3])];
    Ok(occupied(reader, page)?.iter().any(|o| overlaps(&r, o, 0.5)))
}

/// The free place of `w` × `h` points at the foot of page `page`
/// (1-based) for a signature when the page has no signature block: among
/// the positions in the lower half of the visible page (10 mm margins)
/// that touch nothing [`occupied`] lists, the one with the most room
/// around it (up to 24 pt), then the highest (right under the text), then
/// the rightmost (where NĐ 30 puts the signature block). `None` when
/// nothing fits.
pub fn free_area(reader: &PdfReader, page: usize, w: f64, h: f64) -> Result<Option<[f64; 4]>, PdfError> {
    free_area_on(reader, page_object(reader, page)?, w, h)
}

/// [`free_area`] by the page's object number.
pub(crate) fn free_area_on(reader: &PdfReader, num: u32, w: f64, h: f64) -> Result<Option<[f64; 4]>, PdfError> {
    let vbox = crate::presets::visible_box(reader, num)?;
    let boxes = occupied_on(reader, num)?;
    Ok(free_area_in(&vbox, &boxes, w, h))
}

fn free_area_in(vbox: &[f64; 4], boxes: &[[f64; 4]], w: f64, h: f64) -> Option<[f64; 4]> {
    const MARGIN: f64 = 72.0 / 25.4 * 10.0;
    const STEP: f64 = 4.0;
    const ROOM: f64 = 24.0;
    if !(w > 0.0 && h > 0.0) {
        return None;
    }
    let (x_min, x_max) = (vbox[0] + MARGIN, vbox[2] - MARGIN - w);
    let (y_min, y_max) = (vbox[1] + MARGIN, (vbox[1] + vbox[3]) / 2.0 - h);
    if x_max < x_min || y_max < y_min {
        return None;
    }
    // Distance from a rectangle to a box (0 when they overlap).
    let dist = |r: &[f64; 4], b: &[f64; 4]| {
        let dx = (b[0] - r[2]).max(r[0] - b[2]).max(0.0);
        let dy = (b[1] - r[3]).max(r[1] - b[3]).max(0.0);
        dx.hypot(dy)
    };
    let mut best: Option<([f64; 4], f64)> = None;
    let nx = ((x_max - x_min) / STEP).floor() as usize;
    let ny = ((y_max - y_min) / STEP).floor() as usize;
    for iy in (0..=ny.min(2000)).rev() {
        let y = y_min + iy as f64 * STEP;
        for ix in (0..=nx.min(2000)).rev() {
            let x = x_min + ix as f64 * STEP;
            let r = [x, y, x + w, y + h];
            let room = boxes.iter().map(|b| dist(&r, b)).fold(ROOM, f64::min);
            if room <= 0.0 {
                continue;
            }
            // Scanning from the top right: a later candidate wins only
            // with strictly more room.
            if best.is_none_or(|(_, b)| room > b + 1e-9) {
                best = Some((r, room));
            }
        }
    }
    best.map(|(r, _)| r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Glyph;

    /// A run whose glyphs are `advance` wide each.
    fn run(text: &str, x: f64, y: f64, size: f64, advance: f64) -> TextRun {
        let glyphs: Vec<Glyph> = text
            .chars()
            .enumerate()
            .map(|(i, c)| Glyph { text: c.to_string(), x: x + advance * i as f64, width: advance })
            .collect();
        TextRun { text: text.into(), x, y, size, width: advance * text.chars().count() as f64, glyphs }
    }

    fn content(runs: Vec<TextRun>) -> PageContent {
        PageContent { runs, ..Default::default() }
    }

    #[test]
    fn number_blank_in_one_run_and_split_runs() {
        let one = blanks_in(&content(vec![run("Số:        /QĐ-UBND", 60.0, 700.0, 13.0, 6.5)]));
        let n = one.number.unwrap();
        assert_eq!(n.symbol, "/QĐ-UBND");
        assert_eq!(n.blank.baseline, 700.0);
        assert!(n.blank.rect[0] > 60.0 + 3.0 * 6.5 && n.blank.rect[2] < 60.0 + 11.0 * 6.5, "{n:?}");
        // "Số:" and "/KH-UBND" as separate runs, dots in between, NFD marks.
        let split = blanks_in(&content(vec![
            run("So\u{302}\u{301}:", 60.0, 700.0, 14.0, 7.0),
            run(".........", 96.0, 700.0, 14.0, 3.5),
            run("/KH-UBND", 130.0, 700.0, 14.0, 7.0),
        ]));
        let n = split.number.unwrap();
        assert_eq!(n.symbol, "/KH-UBND");
        assert!(n.blank.rect[0] >= 95.0 && n.blank.rect[2] <= 130.0, "{n:?}");
        // Already numbered, or no symbol: nothing.
        assert!(blanks_in(&content(vec![run("Số: 12/QĐ-UBND", 60.0, 700.0, 13.0, 6.5)])).number.is_none());
        assert!(blanks_in(&content(vec![run("Căn cứ số 30/2020/NĐ-CP", 60.0, 700.0, 13.0, 6.5)])).number.is_none());
    }

    #[test]
    fn a_year_with_its_century_printed_takes_the_rest() {
        let d = blanks_in(&content(vec![run("Hà Nội, ngày ….. tháng ….. năm 20…..", 300.0, 700.0, 14.0, 7.0)]))
            .date
            .unwrap();
        assert_eq!(d.year_prefix.as_deref(), Some("20"), "{d:?}");
        let y = d.year.unwrap();
        // Right after "20", over the leader dots.
        assert!(y.rect[0] >= 300.0 + 33.0 * 7.0 && y.rect[2] <= 300.0 + 38.0 * 7.0 + 0.1, "{y:?}");
        assert!(d.printed_year.is_none());
        // Three digits printed, or the century at the end of the line.
        for (line, prefix) in
            [("Hà Nội, ngày ….. tháng ….. năm 202…..", "202"), ("Hà Nội, ngày ….. tháng ….. năm 20", "20")]
        {
            let d = blanks_in(&content(vec![run(line, 300.0, 700.0, 14.0, 7.0)])).date.unwrap();
            assert_eq!(d.year_prefix.as_deref(), Some(prefix), "{line}: {d:?}");
            let y = d.year.unwrap();
            assert!(y.rect[0] > 300.0 + (line.chars().count() as f64 - 6.0) * 7.0 - 40.0, "{line}: {y:?}");
        }
    }

    #[test]
    fn a_year_wrapped_to_the_next_line_is_printed_not_blank() {
        // LibreOffice broke "năm 2026" in a narrow header column; the left
        // column prints its own line at the same height.
        let wrapped = blanks_in(&content(vec![
            run("Số:       /QĐ-UBND", 60.0, 700.0, 13.0, 6.5),
            run("Điện Biên, ngày       tháng       năm", 300.0, 700.0, 14.0, 7.0),
            run("TỈNH ĐIỆN BIÊN", 70.0, 683.0, 13.0, 6.5),
            run("2026", 420.0, 683.0, 14.0, 7.0),
        ]));
        let d = wrapped.date.unwrap();
        assert_eq!((d.year.is_none(), d.printed_year), (true, Some(2026)), "{d:?}");
        // A number elsewhere below, or a line far below, is no year; nor is
        // a body line under the date that starts with a year.
        let apart = blanks_in(&content(vec![
            run("Điện Biên, ngày       tháng       năm", 300.0, 700.0, 14.0, 7.0),
            run("2026", 60.0, 683.0, 14.0, 7.0),
            run("2027", 420.0, 600.0, 14.0, 7.0),
        ]));
        let d = apart.date.unwrap();
        assert!(d.year.is_some() && d.printed_year.is_none(), "{d:?}");
        let body = blanks_in(&content(vec![
            run("Hà Nội, ngày       tháng       năm", 300.0, 700.0, 14.0, 7.0),
            run("2026 là năm bản lề", 300.0, 680.0, 14.0, 7.0),
        ]));
        let d = body.date.unwrap();
        assert!(d.year.is_some() && d.printed_year.is_none(), "{d:?}");
    }

    #[test]
    fn nam_wrapped_to_the_next_line_ends_the_date() {
        // A long place name: the centred line broke before "năm".
        let printed = blanks_in(&content(vec![
            run("Thành phố Hồ Chí Minh, ngày ….. tháng …..", 300.0, 700.0, 14.0, 7.0),
            run("năm 2026", 400.0, 683.0, 14.0, 7.0),
        ]));
        let d = printed.date.unwrap();
        assert_eq!((d.year.is_none(), d.printed_year), (true, Some(2026)), "{d:?}");
        let tail = 300.0 + 41.0 * 7.0;
        assert!(d.month.baseline == 700.0 && d.month.rect[2] <= tail + 0.1, "{d:?}");
        assert!(d.month.rect[0] >= 300.0 + 36.0 * 7.0 - 0.1, "{d:?}");
        // The year blank too, on the line below; and a word processor that
        // drew no spaces after "tháng": the month goes right after it,
        // within the text block (here the motto's line, wider).
        let blank_year = blanks_in(&content(vec![
            run("Độc lập - Tự do - Hạnh phúc - Độc lập - Tự do", 300.0, 740.0, 14.0, 7.0),
            run("Thành phố Hồ Chí Minh, ngày       tháng", 300.0, 700.0, 14.0, 7.0),
            run("năm", 400.0, 683.0, 14.0, 7.0),
        ]));
        let d = blank_year.date.unwrap();
        let y = d.year.clone().unwrap();
        assert!(y.baseline == 683.0 && y.rect[0] >= 400.0 + 3.0 * 7.0, "{y:?}");
        assert!(d.month.baseline == 700.0 && d.month.rect[0] >= 300.0 + 39.0 * 7.0 - 0.1, "{d:?}");
        assert!(d.month.rect[2] > d.month.rect[0] + 14.0, "{d:?}");
        // No room left of the block's edge: the month goes before "năm".
        let edge = blanks_in(&content(vec![
            run("Thành phố Hồ Chí Minh, ngày       tháng", 300.0, 700.0, 14.0, 7.0),
            run("năm", 400.0, 683.0, 14.0, 7.0),
        ]));
        let d = edge.date.unwrap();
        assert!(
            d.month.baseline == 683.0 && d.month.rect[2] <= 400.0 && d.month.rect[0] >= 400.0 - 2.6 * 14.0,
            "{d:?}"
        );
        // A body line that starts with "Năm", or one in another column, is
        // not the end of a date.
        for next in [run("Năm 2026 là năm bản lề", 300.0, 683.0, 14.0, 7.0), run("năm 2026", 60.0, 683.0, 14.0, 7.0)]
        {
            let b = blanks_in(&content(vec![run("Hà Nội, ngày       tháng       ", 300.0, 700.0, 14.0, 7.0), next]));
            assert!(b.date.is_none(), "{b:?}");
        }
    }

    #[test]
    fn a_symbol_broken_or_spaced_at_its_dash_is_read_whole() {
        // A narrow header column broke "/QĐ-UBND" after the dash.
        let broken = blanks_in(&content(vec![
            run("Số:            /QĐ-", 90.0, 708.0, 13.0, 6.5),
            run("UBND", 119.0, 693.0, 13.0, 9.0),
        ]));
        assert_eq!(broken.number.unwrap().symbol, "/QĐ-UBND");
        // A dash typed between spaces; a column apart is not the symbol.
        let spaced = blanks_in(&content(vec![run("Số:         /QĐ - UBND", 60.0, 700.0, 13.0, 6.5)]));
        assert_eq!(spaced.number.unwrap().symbol, "/QĐ-UBND");
        let apart = blanks_in(&content(vec![
            run("Số:         /QĐ-UBND", 60.0, 700.0, 13.0, 6.5),
            run("- Điều 3", 300.0, 700.0, 13.0, 6.5),
        ]));
        assert_eq!(apart.number.unwrap().symbol, "/QĐ-UBND");
        // A body word far below, or in another column, does not continue it.
        let far = blanks_in(&content(vec![
            run("Số:            /QĐ-", 90.0, 708.0, 13.0, 6.5),
            run("UBND", 300.0, 693.0, 13.0, 9.0),
        ]));
        assert_eq!(far.number.unwrap().symbol, "/QĐ-");
        // Only an abbreviation continues a symbol: not the "V/v" line of a
        // công văn, nor a dash of the other column's motto.
        let vv = blanks_in(&content(vec![
            run("Số:        /UBND-", 70.0, 740.0, 13.0, 6.5),
            run("V/v triển khai", 70.0, 725.0, 12.0, 6.0),
        ]));
        assert_eq!(vv.number.unwrap().symbol, "/UBND-");
        let motto = blanks_in(&content(vec![run("Số:   /QĐ-UBND  - Tự do", 60.0, 700.0, 13.0, 6.5)]));
        assert_eq!(motto.number.unwrap().symbol, "/QĐ-UBND");
    }

    #[test]
    fn a_citation_in_the_body_is_not_the_documents_date() {
        // The header's date typed already; the body cites a resolution
        // whose date is left blank, broken after "ngày" or on one line.
        for body in [
            vec![
                run("Căn cứ Nghị quyết số       /NQ-HĐND của Hội đồng nhân dân tỉnh ngày", 90.0, 560.0, 14.0, 6.5),
                run("tháng       năm 2026 về chuyển đổi số;", 90.0, 543.0, 14.0, 6.5),
            ],
            vec![run("Căn cứ Nghị quyết ngày       tháng       năm 2026;", 90.0, 560.0, 14.0, 6.5)],
        ] {
            let mut runs = vec![
                run("Số:         /QĐ-UBND", 90.0, 728.0, 13.0, 6.5),
                run("Điện Biên, ngày 05 tháng 3 năm 2026", 300.0, 728.0, 14.0, 6.5),
            ];
            runs.extend(body);
            let b = blanks_in(&content(runs));
            assert!(b.number.is_some() && b.date.is_none(), "{b:?}");
        }
        // Beside a filled number, the header's blank date is still found.
        let b = blanks_in(&content(vec![
            run("Số: 45/QĐ-UBND", 90.0, 728.0, 13.0, 6.5),
            run("Điện Biên, ngày       tháng       năm 2026", 300.0, 728.0, 14.0, 6.5),
        ]));
        assert!(b.number.is_none() && b.date.is_some(), "{b:?}");
    }

    #[test]
    fn a_blank_at_the_end_of_its_line_stays_in_the_text_block() {
        let b = blanks_in(&content(vec![
            run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 300.0, 760.0, 13.0, 7.2),
            run("Thị xã Nghĩa Lộ, tỉnh Yên Bái, ngày", 360.0, 705.0, 14.0, 5.5),
            run("tháng        năm 2026", 400.0, 689.0, 14.0, 7.0),
        ]));
        // "ngày" ends at the block's edge: the day goes before "tháng".
        let d = b.date.unwrap();
        assert!(d.day.baseline == 689.0 && d.day.rect[2] <= 400.0, "{d:?}");
        // Room before the edge: the day is found, within it.
        let b = blanks_in(&content(vec![
            run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 300.0, 760.0, 13.0, 9.0),
            run("Thị xã Nghĩa Lộ, tỉnh Yên Bái, ngày", 360.0, 705.0, 14.0, 5.5),
            run("tháng        năm 2026", 400.0, 689.0, 14.0, 7.0),
        ]));
        let d = b.date.unwrap();
        assert!(d.day.rect[2] <= 300.0 + 34.0 * 9.0 + 0.01, "{d:?}");
    }

    #[test]
    fn a_date_broken_after_the_day_goes_on_below() {
        let b = blanks_in(&content(vec![
            run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 300.0, 760.0, 13.0, 7.2),
            run("Thị xã Nghĩa Lộ, tỉnh Yên Bái, ngày", 300.0, 705.0, 14.0, 5.5),
            run("tháng        năm 2026", 330.0, 689.0, 14.0, 7.0),
        ]));
        let d = b.date.unwrap();
        assert_eq!(d.printed_year, Some(2026), "{d:?}");
        assert!(d.day.baseline == 705.0 && d.day.rect[0] >= 300.0 + 35.0 * 5.5, "{d:?}");
        assert!(d.day.rect[2] <= 300.0 + 34.0 * 7.2 + 0.01, "within the text block: {d:?}");
        assert!(d.month.baseline == 689.0 && d.month.rect[0] >= 330.0 + 5.0 * 7.0, "{d:?}");
        assert!(d.month.rect[2] <= 330.0 + 13.0 * 7.0, "{d:?}");
        // A body line that starts with "tháng" and has no blank is no date.
        let body = blanks_in(&content(vec![
            run("Hà Nội, ngày", 300.0, 705.0, 14.0, 7.0),
            run("tháng 3 năm 2026 là hạn", 300.0, 689.0, 14.0, 7.0),
        ]));
        assert!(body.date.is_none(), "{body:?}");
    }

    #[test]
    fn the_blanks_own_underline_and_a_tight_next_line_do_not_block_it() {
        // Dotted underlines drawn as paths 1.2 pt under the baseline.
        let mut c = content(vec![
            run("Số:         /QĐ-UBND", 60.0, 728.0, 13.0, 6.5),
            run("Hà Nội, ngày         tháng         năm 2026", 300.0, 728.0, 13.0, 6.5),
        ]);
        c.paths.push([82.0, 726.5, 138.0, 727.0]);
        c.paths.push([380.0, 726.5, 430.0, 727.0]);
        let b = blanks_in(&c);
        assert!(b.number.is_some() && b.date.is_some(), "{b:?}");
        // A browser's dotted border of an empty inline box, on the baseline.
        c.paths = vec![[82.0, 728.0, 138.0, 728.75], [380.0, 728.0, 430.0, 728.75]];
        let b = blanks_in(&c);
        assert!(b.number.is_some() && b.date.is_some(), "{b:?}");
        // A thick bar or a box drawn across the blank still blocks it.
        c.paths = vec![[82.0, 727.0, 138.0, 733.0]];
        assert!(blanks_in(&c).number.is_none());
        // "Exactly 13 pt" line spacing: the line below starts 13 pt lower.
        let tight = blanks_in(&content(vec![
            run("Số:         /UBND-VP", 60.0, 735.8, 13.0, 6.5),
            run("V/v triển khai chuyển đổi số", 60.0, 722.8, 12.0, 6.0),
        ]));
        assert!(tight.number.is_some(), "{tight:?}");
    }

    #[test]
    fn date_blanks_with_and_without_the_year() {
        let b = blanks_in(&content(vec![run("Điện Biên, ngày     tháng     năm 2026", 300.0, 700.0, 13.0, 6.0)]));
        let d = b.date.unwrap();
        assert_eq!(d.printed_year, Some(2026));
        assert!(d.year.is_none());
        assert!(d.day.rect[0] > 300.0 + 15.0 * 6.0 && d.day.rect[2] < 300.0 + 20.0 * 6.0, "{d:?}");
        assert!(d.month.rect[0] > 300.0 + 25.0 * 6.0 && d.month.rect[2] < 300.0 + 30.0 * 6.0, "{d:?}");
        let b = blanks_in(&content(vec![run("Hà Nội, ngày ... tháng ... năm ...", 300.0, 700.0, 13.0, 6.0)]));
        let d = b.date.unwrap();
        assert!(d.year.is_some() && d.printed_year.is_none(), "{d:?}");
        // Filled, or only "ngày" in body text: nothing.
        assert!(blanks_in(&content(vec![run("ngày 5 tháng 3 năm 2026", 300.0, 700.0, 13.0, 6.0)])).date.is_none());
        assert!(blanks_in(&content(vec![run("có hiệu lực kể từ ngày ký", 60.0, 500.0, 13.0, 6.0)])).date.is_none());
    }

    #[test]
    fn a_blank_under_other_ink_is_not_proposed() {
        let mut c = content(vec![run("Số:        /QĐ-UBND", 60.0, 700.0, 13.0, 6.5)]);
        c.images.push([90.0, 695.0, 110.0, 720.0]);
        assert!(blanks_in(&c).number.is_none());
    }

    #[test]
    fn free_area_avoids_every_box() {
        let page = [0.0, 0.0, 595.0, 842.0];
        let boxes = vec![[60.0, 300.0, 540.0, 800.0], [60.0, 100.0, 300.0, 280.0]];
        let r = free_area_in(&page, &boxes, 170.0, 70.0).unwrap();
        assert!(boxes.iter().all(|b| !overlaps(&r, b, 0.0)), "{r:?}");
        assert!(r[0] >= 300.0 && r[3] <= 421.0, "{r:?}");
        // A full page: nothing.
        assert!(free_area_in(&page, &[[0.0, 0.0, 595.0, 842.0]], 170.0, 70.0).is_none());
    }
}
