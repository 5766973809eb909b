//! Decisions laid out as Nghị định 30/2020/NĐ-CP, Phụ lục I prescribes
//! (mẫu 1.4 "Quyết định (cá biệt)"), generated with real text: Liberation
//! Serif (Times New Roman metrics) embedded whole as a CIDFontType2 with
//! Identity-H codes, glyph widths (/W) and a ToUnicode map (ISO 32000-2
//! §9.7.4, §9.10.3), so that pdftotext, poppler and Kyso read the same
//! words at the same places. The header leaves the clerk's blanks: "Số:"
//! then a blank then "/QĐ-UBND", and "Điện Biên, ngày … tháng … năm 2026".
//!
//! The blanks are drawn three ways (spaces in one string; separate
//! strings at separate positions; dot leaders in a TJ array with
//! kerning) so that a finder has to read glyph positions, not strings.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use crate::repo_root;

/// The signature block of the decision (NĐ 30/2020 Phụ lục I, ô số 7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH": a deputy signs for the chairman;
    /// number blank of spaces in one string, date blank of spaces.
    Deputy,
    /// "CHỦ TỊCH", no KT.: number label and symbol as separate strings,
    /// the date's words separated by TJ kerning.
    Chairman,
    /// "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH": dot leaders as blanks.
    Collective,
    /// The deputy's layout on a landscape A4 page, the year left blank too.
    Landscape,
}

impl Layout {
    /// Every layout.
    pub const ALL: [Layout; 4] = [Layout::Deputy, Layout::Chairman, Layout::Collective, Layout::Landscape];

    /// A short name for file names.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Deputy => "kt-chu-tich",
            Layout::Chairman => "chu-tich",
            Layout::Collective => "tm-ubnd",
            Layout::Landscape => "landscape",
        }
    }
}

/// The font size of the header's number and date lines and of the body.
pub const SIZE: f64 = 13.0;

/// One piece of text: a TJ array of strings and kerning adjustments.
enum Piece {
    Text(String),
    Kern(f64),
}

struct Font {
    data: Vec<u8>,
}

impl Font {
    fn face(&self) -> ttf_parser::Face<'_> {
        ttf_parser::Face::parse(&self.data, 0).expect("Liberation Serif parses")
    }
}

/// What the page shows: (pieces, x, baseline y, size).
type Line = (Vec<Piece>, f64, f64, f64);

fn t(s: &str) -> Vec<Piece> {
    vec![Piece::Text(s.to_owned())]
}

/// Writes the decision in `layout` to `path`.
pub fn decision(path: &Path, layout: Layout) {
    let font = Font {
        data: std::fs::read(repo_root().join("assets/fonts/LiberationSerif-Regular.ttf")).expect("bundled font"),
    };
    let landscape = layout == Layout::Landscape;
    let (w, h) = if landscape { (841.89, 595.28) } else { (595.28, 841.89) };
    let left = 70.0;
    let right_col = w * 0.52;
    let top = h - 50.0;
    // Header (ô số 1, 2): organisation left, national motto right.
    let mut lines: Vec<Line> = vec![
        (t("ỦY BAN NHÂN DÂN"), left + 10.0, top, 13.0),
        (t("TỈNH ĐIỆN BIÊN"), left + 18.0, top - 16.0, 13.0),
        (t("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), right_col - 10.0, top, 12.0),
        (t("Độc lập - Tự do - Hạnh phúc"), right_col + 35.0, top - 16.0, 13.0),
    ];
    // Number (ô số 3) and place and date (ô số 4) on one baseline.
    let y = top - 48.0;
    match layout {
        Layout::Deputy | Layout::Landscape => {
            lines.push((t("Số:          /QĐ-UBND"), left, y, SIZE));
        }
        Layout::Chairman => {
            lines.push((t("Số:"), left, y, SIZE));
            lines.push((t("/QĐ-UBND"), left + 62.0, y, SIZE));
        }
        Layout::Collective => {
            lines.push((
                vec![Piece::Text("Số: ".into()), Piece::Kern(-200.0), Piece::Text("........../QĐ-UBND".into())],
                left,
                y,
                SIZE,
            ));
        }
    }
    let date_x = right_col;
    match layout {
        Layout::Deputy => lines.push((t("Điện Biên, ngày      tháng      năm 2026"), date_x, y, SIZE)),
        Layout::Landscape => lines.push((t("Điện Biên, ngày      tháng      năm        "), date_x, y, SIZE)),
        Layout::Chairman => lines.push((
            vec![
                Piece::Text("Điện Biên, ngày".into()),
                Piece::Kern(-1800.0),
                Piece::Text("tháng".into()),
                Piece::Kern(-1800.0),
                Piece::Text("năm 2026".into()),
            ],
            date_x,
            y,
            SIZE,
        )),
        Layout::Collective => lines.push((t("Điện Biên, ngày ...... tháng ...... năm 2026"), date_x, y, SIZE)),
    }
    // Title and summary (ô số 5a), authority (ô số 6).
    let centre = |s: &str, size: f64, font: &Font| (w - text_width(font, s, size)) / 2.0;
    let mut y = y - 40.0;
    for (s, size) in [
        ("QUYẾT ĐỊNH", 14.0),
        ("Về việc ban hành Kế hoạch chuyển đổi số năm 2026", 14.0),
        ("CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH ĐIỆN BIÊN", 14.0),
    ] {
        lines.push((t(s), centre(s, size, &font), y, size));
        y -= if s == "QUYẾT ĐỊNH" { 18.0 } else { 28.0 };
    }
    let body: &[&str] = &[
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
        "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ;",
        "Theo đề nghị của Giám đốc Sở Khoa học và Công nghệ.",
        "Điều 1. Ban hành kèm theo Quyết định này Kế hoạch chuyển đổi số năm 2026.",
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
        "Điều 3. Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc các sở, ngành",
        "và Chủ tịch Ủy ban nhân dân các huyện chịu trách nhiệm thi hành Quyết định này./.",
    ];
    let count = if landscape { 4 } else { body.len() };
    for s in body.iter().take(count) {
        lines.push((t(s), left + 10.0, y, SIZE));
        y -= 19.0;
    }
    // Recipients (ô số 9a, 12pt/11pt) and the signature block (ô số 7a–c).
    y -= 10.0;
    lines.push((t("Nơi nhận:"), left, y, 12.0));
    lines.push((t("- Như Điều 3;"), left, y - 14.0, 11.0));
    lines.push((t("- Lưu: VT, KGVX."), left, y - 27.0, 11.0));
    let block_x = w * 0.62;
    let titles: &[&str] = match layout {
        Layout::Deputy | Layout::Landscape => &["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"],
        Layout::Chairman => &["CHỦ TỊCH"],
        Layout::Collective => &["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"],
    };
    let mut ty = y;
    for s in titles {
        lines.push((t(s), block_x + (110.0 - text_width(&font, s, 13.0)) / 2.0, ty, 13.0));
        ty -= 16.0;
    }
    let name = "Lò Văn Mừng";
    lines.push((t(name), block_x + (110.0 - text_width(&font, name, 13.0)) / 2.0, ty - 80.0, 13.0));

    // The rule under the motto (a drawn path, §8.5) — content too.
    let motto_x = right_col + 35.0;
    let rule = format!(
        "q 0.6 w 0 G {:.2} {:.2} m {:.2} {:.2} l S Q\n",
        motto_x + 10.0,
        top - 20.0,
        motto_x + text_width(&font, "Độc lập - Tự do - Hạnh phúc", 13.0) - 10.0,
        top - 20.0
    );
    write_pdf(path, &font, &lines, w, h, &rule);
}

fn text_width(font: &Font, s: &str, size: f64) -> f64 {
    let face = font.face();
    let upem = f64::from(face.units_per_em());
    s.chars()
        .filter_map(|c| face.glyph_index(c))
        .map(|g| f64::from(face.glyph_hor_advance(g).unwrap_or(0)) * size / upem)
        .sum()
}

fn write_pdf(path: &Path, font: &Font, lines: &[Line], w: f64, h: f64, extra: &str) {
    let face = font.face();
    let upem = f64::from(face.units_per_em());
    let mut used: BTreeMap<u16, char> = BTreeMap::new();
    let mut content = String::from(extra);
    content.push_str("0 g\n");
    for (pieces, x, y, size) in lines {
        let mut arr = String::new();
        for p in pieces {
            match p {
                Piece::Text(s) => {
                    arr.push('<');
                    for c in s.chars() {
                        let g = face.glyph_index(c).expect("the font covers Vietnamese").0;
                        used.insert(g, c);
                        let _ = write!(arr, "{g:04X}");
                    }
                    arr.push('>');
                }
                Piece::Kern(k) => {
                    let _ = write!(arr, " {k} ");
                }
            }
        }
        let _ = writeln!(content, "BT /F1 {size} Tf {x:.2} {y:.2} Td [{arr}] TJ ET");
    }
    let widths: String = used
        .keys()
        .map(|g| {
            let adv = f64::from(face.glyph_hor_advance(ttf_parser::GlyphId(*g)).unwrap_or(0)) * 1000.0 / upem;
            format!("{g} [{}]", adv.round())
        })
        .collect::<Vec<_>>()
        .join(" ");
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n",
    );
    let entries: Vec<_> = used.iter().collect();
    for chunk in entries.chunks(100) {
        let _ = writeln!(cmap, "{} beginbfchar", chunk.len());
        for (g, c) in chunk {
            let mut u = [0u16; 2];
            let hex: String = c.encode_utf16(&mut u).iter().map(|x| format!("{x:04X}")).collect();
            let _ = writeln!(cmap, "<{g:04X}> <{hex}>");
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap CMapName currentdict /CMap defineresource pop end end\n");

    let stream = |dict: &str, data: &[u8]| -> Vec<u8> {
        let mut v = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
        v.extend_from_slice(data);
        v.extend_from_slice(b"\nendstream");
        v
    };
    let bbox = face.global_bounding_box();
    let s = |v: i16| (f64::from(v) * 1000.0 / upem).round();
    // Objects: 1 catalog, 2 pages, 3 page, 4 content, 5 Type0, 6 CIDFont,
    // 7 descriptor, 8 font file, 9 ToUnicode.
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w} {h}] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
        )
        .into_bytes(),
        stream("", content.as_bytes()),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /LiberationSerif /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 9 0 R >>".to_vec(),
        format!(
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /LiberationSerif /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 7 0 R /DW 1000 /W [{widths}] /CIDToGIDMap /Identity >>"
        )
        .into_bytes(),
        format!(
            "<< /Type /FontDescriptor /FontName /LiberationSerif /Flags 6 /FontBBox [{} {} {} {}] /ItalicAngle 0 /Ascent {} /Descent {} /CapHeight {} /StemV 80 /FontFile2 8 0 R >>",
            s(bbox.x_min),
            s(bbox.y_min),
            s(bbox.x_max),
            s(bbox.y_max),
            s(face.ascender()),
            s(face.descender()),
            s(face.capital_height().unwrap_or(face.ascender()))
        )
        .into_bytes(),
        stream(&format!("/Length1 {}", font.data.len()), &font.data),
        stream("", cmap.as_bytes()),
    ];
    std::fs::write(path, pdf_from_bytes(&objects)).expect("write the decision");
}

/// A complete PDF from objects numbered from 1 (as
/// [`crate::pdf_from_objects`], for objects with binary streams).
fn pdf_from_bytes(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f\r\n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /ID [<4e44333020323032> <4e44333020323032>] >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// The same decision (KT. CHỦ TỊCH block) written as an HTML page, the
/// way web e-office systems produce theirs, and printed to PDF by headless
/// Chromium: another producer's PDF (Skia writes one glyph per `Tj` with a
/// `Td` between, subset CID fonts with ToUnicode; the header is a two-column
/// table). `Err` says why when no Chromium could print; callers decide
/// whether that skips ([`crate::require`]).
pub fn chromium_decision(path: &Path) -> Result<(), String> {
    let binary = crate::chromium_binary().ok_or("Chromium is not installed (apt install chromium)")?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let html = dir.path().join("qd.html");
    std::fs::write(&html, CHROMIUM_DECISION).map_err(|e| e.to_string())?;
    let out = std::process::Command::new(binary)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer"])
        .arg(format!("--user-data-dir={}", dir.path().join("profile").display()))
        .arg(format!("--print-to-pdf={}", path.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .map_err(|e| format!("{binary}: {e}"))?;
    if !path.is_file() {
        return Err(format!("{binary} printed nothing: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(())
}

/// NĐ 30/2020 Phụ lục I, mẫu 1.4, in HTML: the header table (authority and
/// number line left, national motto and place-and-date line right, both
/// blanks left for the clerk), title, body, and the recipients beside the
/// "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" block with room for the signature.
const CHROMIUM_DECISION: &str = r#"<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 20mm 15mm 20mm 30mm; }
body { font-family: "Liberation Serif", "Times New Roman", serif; font-size: 14pt; }
table.h { width: 100%; border-collapse: collapse; } table.h td { vertical-align: top; text-align: center; padding: 0; }
.l { width: 40%; font-size: 13pt; } .r { width: 60%; }
.b { font-weight: bold; } .i { font-style: italic; }
h1 { text-align: center; font-size: 14pt; margin: 24pt 0 0 0; }
p { text-align: justify; text-indent: 1cm; margin: 6pt 0; }
table.s { width: 100%; margin-top: 18pt; } table.s td { vertical-align: top; }
</style></head><body>
<table class="h"><tr>
<td class="l">ỦY BAN NHÂN DÂN<br><span class="b">TỈNH ĐIỆN BIÊN</span><br>———<br>Số: &nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;/QĐ-UBND</td>
<td class="r"><span class="b" style="font-size:13pt">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</span><br><span class="b">Độc lập - Tự do - Hạnh phúc</span><br>———————<br><span class="i">Điện Biên, ngày &nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; tháng &nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; năm 2026</span></td>
</tr></table>
<h1>QUYẾT ĐỊNH</h1>
<div style="text-align:center" class="b">Về việc phê duyệt kế hoạch chuyển đổi số năm 2026</div>
<div style="text-align:center">———</div>
<div style="text-align:center" class="b">CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH ĐIỆN BIÊN</div>
<p class="i">Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;</p>
<p class="i">Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;</p>
<p class="i">Theo đề nghị của Giám đốc Sở Thông tin và Truyền thông.</p>
<div style="text-align:center" class="b">QUYẾT ĐỊNH:</div>
<p><b>Điều 1.</b> Phê duyệt kế hoạch chuyển đổi số năm 2026 của tỉnh Điện Biên kèm theo Quyết định này.</p>
<p><b>Điều 2.</b> Quyết định này có hiệu lực kể từ ngày ký.</p>
<p><b>Điều 3.</b> Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc các sở, ban, ngành chịu trách nhiệm thi hành Quyết định này./.</p>
<table class="s"><tr>
<td style="width:50%;font-size:12pt"><b><i>Nơi nhận:</i></b><br>- Như Điều 3;<br>- Lưu: VT.</td>
<td style="width:50%;text-align:center" class="b">KT. CHỦ TỊCH<br>PHÓ CHỦ TỊCH<br><br><br><br><br>Nguyễn Văn Bình</td>
</tr></table>
</body></html>
"#;

/// The decision as a Word document (WordprocessingML, ECMA-376 Part 1
/// §17: two borderless tables for the header and the signature block,
/// Times New Roman 13–14 as NĐ 30/2020 Phụ lục I sets, the blanks typed as
/// spaces), exported to PDF by LibreOffice the way an office without Word
/// makes its PDFs: yet another producer (TrueType subsets in WinAnsi with
/// extra encodings for Vietnamese, a line per text operator; the header
/// column wraps "năm 2026" after the long date blanks). `Err` says why when
/// LibreOffice is missing or fails; callers decide whether that skips.
pub fn libreoffice_decision(path: &Path) -> Result<(), String> {
    libreoffice_export(path, Blanks::Spaces)
}

/// [`libreoffice_decision`] with the blanks printed as dot leaders, the
/// way many templates print them: "Số: ……/QĐ-UBND" and "ngày ….. tháng
/// ….. năm 20….." (the century printed, the rest of the year left blank).
pub fn libreoffice_decision_dotted(path: &Path) -> Result<(), String> {
    libreoffice_export(path, Blanks::Dotted)
}

/// [`libreoffice_decision`] of an agency whose place name is long
/// ("Thành phố Hồ Chí Minh"): the header column breaks the date line
/// before "năm", so "năm 2026" stands on the line below the blanks.
pub fn libreoffice_decision_long_place(path: &Path) -> Result<(), String> {
    libreoffice_export(path, Blanks::LongPlace)
}

/// [`libreoffice_decision`] with the narrow header columns some templates
/// have: the number's blank is a dotted underline and the column breaks
/// the symbol after its dash ("Số: ……/QĐ-" / "UBND"); a long place name
/// breaks the date after "ngày" ("tháng … năm 2026" on the line below).
pub fn libreoffice_decision_narrow(path: &Path) -> Result<(), String> {
    libreoffice_export(path, Blanks::Narrow)
}

/// How the header's blanks are printed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Blanks {
    /// Typed spaces.
    Spaces,
    /// Dot leaders, the year's century printed.
    Dotted,
    /// Typed spaces after a long place name.
    LongPlace,
    /// Narrow columns, the number's blank underlined.
    Narrow,
}

fn libreoffice_export(path: &Path, blanks: Blanks) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let docx = dir.path().join("qd.docx");
    write_decision_docx(&docx, blanks).map_err(|e| format!("writing the DOCX: {e}"))?;
    let out = std::process::Command::new("soffice")
        .args(["--headless", "--norestore", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(format!("-env:UserInstallation=file://{}", dir.path().join("profile").display()))
        .arg(&docx)
        .output()
        .map_err(|e| format!("LibreOffice (soffice) is not installed (apt install libreoffice-writer-nogui): {e}"))?;
    let pdf = dir.path().join("qd.pdf");
    if !pdf.is_file() {
        return Err(format!(
            "soffice made no PDF: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    std::fs::copy(&pdf, path).map(|_| ()).map_err(|e| e.to_string())
}

/// A paragraph: alignment, then runs of (text, bold, italic, half-points).
fn w_p(jc: &str, runs: &[(&str, bool, bool, u32)]) -> String {
    w_p_underlined(jc, runs, false)
}

/// [`w_p`]; with `underline_blanks`, runs of spaces only get a dotted
/// underline (a form's blank as Word users draw it).
fn w_p_underlined(jc: &str, runs: &[(&str, bool, bool, u32)], underline_blanks: bool) -> String {
    let mut p = format!(r#"<w:p><w:pPr><w:spacing w:before="0" w:after="0"/><w:jc w:val="{jc}"/></w:pPr>"#);
    for (text, b, i, sz) in runs {
        let blank = underline_blanks && !text.is_empty() && text.chars().all(|c| c == ' ');
        let _ = write!(
            p,
            r#"<w:r><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:cs="Times New Roman"/>{}{}{}<w:sz w:val="{sz}"/></w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>"#,
            if *b { "<w:b/>" } else { "" },
            if *i { "<w:i/>" } else { "" },
            if blank { r#"<w:u w:val="dotted"/>"# } else { "" },
        );
    }
    p.push_str("</w:p>");
    p
}

/// A borderless two-column table; widths in twentieths of a point.
fn w_table(widths: [u32; 2], cells: [Vec<String>; 2]) -> String {
    let mut t = format!(
        r#"<w:tbl><w:tblPr><w:tblW w:w="{}" w:type="dxa"/><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid><w:gridCol w:w="{}"/><w:gridCol w:w="{}"/></w:tblGrid><w:tr>"#,
        widths[0] + widths[1],
        widths[0],
        widths[1]
    );
    for (w, paras) in widths.iter().zip(cells) {
        let _ = write!(t, r#"<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr>{}</w:tc>"#, paras.concat());
    }
    t.push_str("</w:tr></w:tbl>");
    t
}

fn write_decision_docx(path: &Path, blanks: Blanks) -> std::io::Result<()> {
    let c = "center";
    let (number, date) = match blanks {
        Blanks::Dotted => ("Số: ……/QĐ-UBND", "Điện Biên, ngày ….. tháng ….. năm 20….."),
        Blanks::Spaces => ("Số:         /QĐ-UBND", "Điện Biên, ngày       tháng       năm 2026"),
        Blanks::LongPlace => ("Số:         /QĐ-UBND", "Thành phố Hồ Chí Minh, ngày         tháng         năm 2026"),
        Blanks::Narrow => ("Số:", "Thị xã Nghĩa Lộ, tỉnh Yên Bái, ngày           tháng        năm 2026"),
    };
    let narrow = blanks == Blanks::Narrow;
    let number_line = if narrow {
        w_p_underlined(
            c,
            &[("Số:", false, false, 26), ("               ", false, false, 26), ("/QĐ-UBND", false, false, 26)],
            true,
        )
    } else {
        w_p(c, &[(number, false, false, 26)])
    };
    let header = w_table(
        if narrow { [2300, 4500] } else { [3400, 5950] },
        [
            vec![
                w_p(c, &[("ỦY BAN NHÂN DÂN", false, false, 26)]),
                w_p(c, &[("TỈNH ĐIỆN BIÊN", true, false, 26)]),
                w_p(c, &[("———", false, false, 26)]),
                number_line,
            ],
            vec![
                w_p(c, &[("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", true, false, 26)]),
                w_p(c, &[("Độc lập - Tự do - Hạnh phúc", true, false, 28)]),
                w_p(c, &[("———————", false, false, 28)]),
                w_p(c, &[(date, false, true, 28)]),
            ],
        ],
    );
    let mut body = header;
    body.push_str(&w_p(c, &[("", false, false, 28)]));
    body.push_str(&w_p(c, &[("QUYẾT ĐỊNH", true, false, 28)]));
    body.push_str(&w_p(c, &[("Về việc phê duyệt kế hoạch chuyển đổi số năm 2026", true, false, 28)]));
    body.push_str(&w_p(c, &[("———", false, false, 28)]));
    body.push_str(&w_p(c, &[("CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH ĐIỆN BIÊN", true, false, 28)]));
    for line in [
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
        "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
        "Theo đề nghị của Giám đốc Sở Thông tin và Truyền thông.",
    ] {
        body.push_str(&w_p("both", &[("        ", false, false, 28), (line, false, true, 28)]));
    }
    body.push_str(&w_p(c, &[("QUYẾT ĐỊNH:", true, false, 28)]));
    for (head, line) in [
        ("Điều 1. ", "Phê duyệt kế hoạch chuyển đổi số năm 2026 của tỉnh Điện Biên kèm theo Quyết định này."),
        ("Điều 2. ", "Quyết định này có hiệu lực kể từ ngày ký."),
        (
            "Điều 3. ",
            "Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc các sở, ban, ngành chịu trách nhiệm thi hành Quyết định này./.",
        ),
    ] {
        body.push_str(&w_p(
            "both",
            &[("        ", false, false, 28), (head, true, false, 28), (line, false, false, 28)],
        ));
    }
    body.push_str(&w_p(c, &[("", false, false, 28)]));
    let mut block = vec![w_p(c, &[("KT. CHỦ TỊCH", true, false, 28)]), w_p(c, &[("PHÓ CHỦ TỊCH", true, false, 28)])];
    for _ in 0..4 {
        block.push(w_p(c, &[("", false, false, 28)]));
    }
    block.push(w_p(c, &[("Nguyễn Văn Bình", true, false, 28)]));
    body.push_str(&w_table(
        [4600, 4750],
        [
            vec![
                w_p("left", &[("Nơi nhận:", true, true, 24)]),
                w_p("left", &[("- Như Điều 3;", false, false, 22)]),
                w_p("left", &[("- Lưu: VT.", false, false, 22)]),
            ],
            block,
        ],
    ));
    // A4, margins 20/15/20/30 mm (NĐ 30/2020 Phụ lục I).
    body.push_str(r#"<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="850" w:bottom="1134" w:left="1701" w:header="0" w:footer="0" w:gutter="0"/></w:sectPr>"#);
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    let parts: [(&str, &str); 3] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#,
        ),
        ("word/document.xml", &document),
    ];
    crate::write_zip(path, &parts)
}
