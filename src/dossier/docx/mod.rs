//! The Word (.docx) writers of the dossier and the annual report, in the administrative format
//! of NĐ 30/2020/NĐ-CP Phụ lục I: A4, Times New Roman, body 14 pt, margins 20/20/30/15 mm, the
//! issuing body and "Số: …/…" beside the national motto and its rule, place and date in
//! italics, the title, "Nơi nhận:" and the signature block.
//!
//! They read the same content model as the Markdown and HTML templates (`build::Dossier`,
//! `annual::Annual`), so the formats cannot disagree; this module owns only the layout. The
//! file itself is written by `docx-rs` and the logical model's picture is rendered from the
//! graph's SVG by `resvg`. Every text goes through [`runs`]: NFC, and each blank to fill
//! ("……") or "Cần hoàn thiện thủ công" becomes a highlighted placeholder. No I/O except
//! reading the system's fonts to draw the picture's labels.

mod annual;
mod dossier;

pub(super) use annual::annual;
pub(super) use dossier::dossier;

use anyhow::{Context, bail};
use docx_rs::{
    AlignmentType, BorderType, BreakType, Docx, LineSpacing, PageMargin, PageOrientationType,
    Paragraph, ParagraphBorder, ParagraphBorderPosition, ParagraphBorders, Pic, Run, RunFonts,
    SectionProperty, Shading, Style, StyleType, Table, TableCell, TableRow, WidthType,
};
use unicode_normalization::UnicodeNormalization;

use super::vi;

/// The font NĐ 30/2020 Phụ lục I requires. LibreOffice on Linux substitutes the
/// metric-compatible Liberation Serif when it is not installed; the file still names it.
pub const FONT: &str = "Times New Roman";
/// Body text, in half-points: 14 pt (NĐ 30/2020 allows 13–14).
const BODY: usize = 28;
/// Table text: 12 pt (11 pt in Mẫu 08's twelve columns).
const TABLE: usize = 24;
/// Highlight colour of a field a person must fill.
const PLACEHOLDER: &str = "yellow";

/// A4 in twentieths of a point (twips), portrait.
const A4: (u32, u32) = (11906, 16838);
/// 1 mm in twips.
const MM: f64 = 1440.0 / 25.4;

/// The page margins of NĐ 30/2020 Phụ lục I: top and bottom 20 mm (20–25 allowed), left 30 mm
/// (30–35), right 15 mm (15–20).
fn margins() -> PageMargin {
    let mm = |n: f64| (n * MM).round() as i32;
    PageMargin {
        top: mm(20.0),
        left: mm(30.0),
        bottom: mm(20.0),
        right: mm(15.0),
        header: mm(10.0),
        footer: mm(10.0),
        gutter: 0,
    }
}

/// The width inside the margins, in twips.
fn text_width(landscape: bool) -> usize {
    let m = margins();
    let page = if landscape { A4.1 } else { A4.0 } as i32;
    (page - m.left - m.right) as usize
}

/// A page setup for a section ending at a paragraph (docx sections are closed by the paragraph
/// that carries their properties).
fn section(landscape: bool) -> SectionProperty {
    let (w, h) = if landscape { (A4.1, A4.0) } else { A4 };
    SectionProperty::new()
        .page_size(
            docx_rs::PageSize::new()
                .size(w, h)
                .orient(orientation(landscape)),
        )
        .page_margin(margins())
}

fn orientation(landscape: bool) -> PageOrientationType {
    if landscape {
        PageOrientationType::Landscape
    } else {
        PageOrientationType::Portrait
    }
}

fn fonts() -> RunFonts {
    RunFonts::new()
        .ascii(FONT)
        .hi_ansi(FONT)
        .cs(FONT)
        .east_asia(FONT)
}

/// A new document: page setup of its last section, Times New Roman 14 pt, and the styles the
/// writers use: Title, Heading 1–3 (real Word headings, so a table of contents and the
/// navigation pane see them), "Table Grid" for data tables and "Layout Table" for the
/// borderless header and signature blocks. `date` (dd/mm/yyyy) becomes the file's creation
/// date, so the same input writes the same file.
fn document(landscape: bool, date: &str) -> Docx {
    let (w, h) = if landscape { (A4.1, A4.0) } else { A4 };
    let heading = |id: &str, name: &str, size: usize, level: usize| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .based_on("Normal")
            .next("Normal")
            .q_format(true)
            .bold()
            .size(size)
            .fonts(fonts())
            .outline_lvl(level)
            .line_spacing(LineSpacing::new().before(240).after(120))
    };
    let mut doc = Docx::new()
        .page_size(w, h)
        .page_orient(orientation(landscape))
        .page_margin(margins())
        .default_fonts(fonts())
        .default_size(BODY)
        .default_line_spacing(LineSpacing::new().after(80))
        .add_style(heading("Heading1", "heading 1", BODY, 0))
        .add_style(heading("Heading2", "heading 2", BODY, 1))
        .add_style(heading("Heading3", "heading 3", BODY, 2).italic())
        .add_style(
            Style::new("Title", StyleType::Paragraph)
                .name("Title")
                .based_on("Normal")
                .next("Normal")
                .q_format(true)
                .bold()
                .size(BODY)
                .fonts(fonts())
                .align(AlignmentType::Center),
        )
        .add_style(Style::new("TableGrid", StyleType::Table).name("Table Grid"))
        .add_style(Style::new("LayoutTable", StyleType::Table).name("Layout Table"));
    if let Some(iso) = iso_date(date) {
        doc = doc.created_at(&iso).updated_at(&iso);
    }
    doc
}

/// `dd/mm/yyyy` as the W3C date-time of the document's properties.
fn iso_date(date: &str) -> Option<String> {
    let mut it = date.split('/');
    let (d, m, y) = (it.next()?, it.next()?, it.next()?);
    Some(format!("{y}-{m}-{d}T00:00:00Z"))
}

/// "ngày 06 tháng 12 năm 2026" from `dd/mm/yyyy`, or the blank form's dotted date.
fn long_date(date: &str) -> String {
    let mut it = date.split('/');
    match (it.next(), it.next(), it.next()) {
        (Some(d), Some(m), Some(y)) => format!("ngày {d} tháng {m} năm {y}"),
        _ => "ngày …… tháng …… năm ……".into(),
    }
}

/// The blank date line of a form, as the HTML dossier writes it.
pub const BLANK_DATE: &str = "……………………, ngày …… tháng …… năm ……";

/// The runs of `text` in NFC, each blank to fill ("……") and each "Cần hoàn thiện thủ công"
/// highlighted so that a person finds every field left to them.
pub fn runs(text: &str, style: impl Fn(Run) -> Run) -> Vec<Run> {
    let text: String = text.nfc().collect();
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while !rest.is_empty() {
        let dots = rest.find('…');
        let manual = rest.find(vi::MANUAL);
        let (at, len) = match (dots, manual) {
            (Some(d), Some(m)) if m < d => (m, vi::MANUAL.len()),
            (Some(d), _) => (
                d,
                rest[d..]
                    .char_indices()
                    .find(|&(_, c)| c != '…')
                    .map_or(rest.len() - d, |(i, _)| i),
            ),
            (None, Some(m)) => (m, vi::MANUAL.len()),
            (None, None) => (rest.len(), 0),
        };
        if at > 0 {
            out.push(style(Run::new().add_text(&rest[..at])));
        }
        if len > 0 {
            out.push(style(Run::new().add_text(&rest[at..at + len])).highlight(PLACEHOLDER));
        }
        rest = &rest[at + len..];
    }
    out
}

/// A paragraph of `text` with the body font.
pub fn para(text: &str) -> Paragraph {
    styled(text, |r| r)
}

/// A paragraph whose runs all get `style` (bold, italic, a size).
pub fn styled(text: &str, style: impl Fn(Run) -> Run) -> Paragraph {
    runs(text, style)
        .into_iter()
        .fold(Paragraph::new(), |p, r| p.add_run(r))
}

/// A paragraph of the label in bold followed by the text.
pub fn labelled(label: &str, text: &str) -> Paragraph {
    runs(text, |r| r)
        .into_iter()
        .fold(styled(label, |r| r.bold()), |p, r| p.add_run(r))
}

/// A list item: a dash and the text, indented as NĐ 30/2020's bodies write enumerations.
pub fn item(text: &str) -> Paragraph {
    styled(&format!("- {text}"), |r| r).indent(Some(567), None, None, None)
}

/// A heading of Word's built-in style "heading N" (1–3).
pub fn heading(level: usize, text: &str) -> Paragraph {
    styled(text, |r| r)
        .style(&format!("Heading{level}"))
        .keep_next(true)
}

/// A page break as its own paragraph.
pub fn page_break() -> Paragraph {
    Paragraph::new().add_run(Run::new().add_break(BreakType::Page))
}

/// The paragraph closing a section with `landscape` pages; what follows starts a new page.
pub fn end_section(landscape: bool) -> Paragraph {
    Paragraph::new().section_property(section(landscape))
}

/// What each of `cols` columns of `size` half-point text needs, in twips: `hard`, the longest
/// word of its header (row 0; "STT", "VLAN" never break); `soft`, also the longest word of its
/// cells up to 10 characters (a long token such as an IPv6 address may break); `want`, its
/// longest cell up to 40 characters.
struct Needs {
    hard: Vec<f64>,
    soft: Vec<f64>,
    want: Vec<f64>,
}

fn needs(rows: &[Vec<String>], cols: usize, size: usize) -> Needs {
    // A character of Times at `size`: about 0.6 em on average, up to 0.75 em in a bold
    // capital header ("STT"), which a word's minimum must allow; plus the cell's left and
    // right margins (0.08 in each) and a little.
    let em = size as f64 / 2.0 * 20.0;
    let (char_w, word_w) = (em * 0.6, em * 0.75);
    let pad = 280.0;
    let mut n = Needs {
        hard: vec![pad; cols],
        soft: vec![pad; cols],
        want: vec![pad; cols],
    };
    for (r, row) in rows.iter().enumerate() {
        for (i, cell) in row.iter().enumerate().take(cols) {
            let longest = |cap: usize| {
                cell.split_whitespace()
                    .map(|w| w.chars().count().min(cap))
                    .max()
                    .unwrap_or(0) as f64
                    * word_w
                    + pad
            };
            if r == 0 {
                n.hard[i] = n.hard[i].max(longest(16));
            }
            n.soft[i] = n.soft[i].max(n.hard[i]).max(longest(10));
            n.want[i] = n.want[i]
                .max(n.soft[i])
                .max(cell.chars().count().min(40) as f64 * char_w + pad);
        }
    }
    n
}

/// `floor` plus `spare` shared in proportion to `extra` (evenly when no column asks for more).
fn share(floor: &[f64], extra: &[f64], spare: f64) -> Vec<usize> {
    let total: f64 = extra.iter().sum();
    floor
        .iter()
        .zip(extra)
        .map(|(f, e)| {
            let part = if total > 0.0 {
                e / total
            } else {
                1.0 / floor.len() as f64
            };
            (f + spare * part) as usize
        })
        .collect()
}

/// Column widths in twips across `width`: every column its header's words, then, while the
/// width allows, its cells' words, then the rest in proportion to how much longer its cells
/// are. Only when the headers' words alone do not fit are they squeezed.
fn widths(rows: &[Vec<String>], cols: usize, size: usize, width: usize) -> Vec<usize> {
    let n = needs(rows, cols, size);
    let width = width as f64;
    let sum = |v: &[f64]| v.iter().sum::<f64>();
    let diff = |a: &[f64], b: &[f64]| -> Vec<f64> {
        a.iter().zip(b).map(|(x, y)| (x - y).max(0.0)).collect()
    };
    if sum(&n.hard) >= width {
        return n
            .hard
            .iter()
            .map(|m| (m * width / sum(&n.hard)) as usize)
            .collect();
    }
    if sum(&n.soft) >= width {
        return share(&n.hard, &diff(&n.soft, &n.hard), width - sum(&n.hard));
    }
    share(&n.soft, &diff(&n.want, &n.soft), width - sum(&n.soft))
}

fn cell(text: &str, size: usize, header: bool, width: usize) -> TableCell {
    let p = styled(text, |r| {
        let r = r.size(size);
        if header { r.bold() } else { r }
    });
    let c = TableCell::new()
        .add_paragraph(p)
        .width(width, WidthType::Dxa);
    if header {
        c.shading(Shading::new().fill("E7E6E6"))
    } else {
        c
    }
}

/// Whether the words of a table's columns fit across the page (see [`needs`]).
pub fn fits(header: &[String], rows: &[Vec<String>], landscape: bool) -> bool {
    let size = if landscape { TABLE - 2 } else { TABLE };
    let mut all = vec![header.to_vec()];
    all.extend(rows.iter().cloned());
    needs(&all, header.len(), size).soft.iter().sum::<f64>() < text_width(landscape) as f64
}

/// A data table: `header` in bold on grey when given, then `rows`, every cell one paragraph of
/// text (placeholders highlighted), across the text width of the page.
pub fn table(header: Option<&[String]>, rows: &[Vec<String>], landscape: bool) -> Table {
    let size = if landscape { TABLE - 2 } else { TABLE };
    let cols = header
        .map(|h| h.len())
        .or_else(|| rows.iter().map(Vec::len).max())
        .unwrap_or(1);
    let mut all: Vec<Vec<String>> = header.map(|h| vec![h.to_vec()]).unwrap_or_default();
    all.extend(rows.iter().cloned());
    let w = widths(&all, cols, size, text_width(landscape));
    let mut out = Vec::new();
    if let Some(h) = header {
        out.push(
            TableRow::new(
                h.iter()
                    .zip(&w)
                    .map(|(t, &w)| cell(t, size, true, w))
                    .collect(),
            )
            .cant_split(),
        );
    }
    for row in rows {
        out.push(
            TableRow::new(
                row.iter()
                    .zip(&w)
                    .map(|(t, &w)| cell(t, size, false, w))
                    .collect(),
            )
            .cant_split(),
        );
    }
    Table::new(out)
        .style("TableGrid")
        .set_grid(w)
        .width(text_width(landscape), WidthType::Dxa)
}

/// A two-column table of label (bold, grey) and value, as the HTML's `<th>`/`<td>` rows.
pub fn key_values(rows: &[(String, String)]) -> Table {
    let width = text_width(false);
    let (a, b) = (width * 2 / 5, width - width * 2 / 5);
    Table::new(
        rows.iter()
            .map(|(k, v)| {
                TableRow::new(vec![cell(k, TABLE, true, a), cell(v, TABLE, false, b)]).cant_split()
            })
            .collect(),
    )
    .style("TableGrid")
    .set_grid(vec![a, b])
    .width(width, WidthType::Dxa)
}

fn layout_cell(paragraphs: Vec<Paragraph>, width: usize) -> TableCell {
    paragraphs
        .into_iter()
        .fold(TableCell::new(), |c, p| c.add_paragraph(p))
        .width(width, WidthType::Dxa)
}

fn layout_table(left: Vec<Paragraph>, right: Vec<Paragraph>, split: usize, width: usize) -> Table {
    // Borders cleared explicitly ("nil"): an empty border list lets LibreOffice draw its own.
    Table::new(vec![TableRow::new(vec![
        layout_cell(left, split),
        layout_cell(right, width - split),
    ])])
    .clear_all_border()
    .style("LayoutTable")
    .set_grid(vec![split, width - split])
    .width(width, WidthType::Dxa)
}

/// A short horizontal rule under a centred line of about `chars` characters, as NĐ 30/2020
/// draws it under the issuing body and the motto: a bottom border on an indented paragraph.
fn rule_under(p: Paragraph, chars: usize, cell_width: usize) -> Paragraph {
    // About 150 twips a character of 13 pt bold Times, plus the cell's own margins.
    let line = (chars * 150 + 200).min(cell_width);
    let side = ((cell_width - line) / 2) as i32;
    p.indent(Some(side), None, Some(side), None).set_borders(
        ParagraphBorders::with_empty().set(
            ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                .val(BorderType::Single)
                .size(6)
                .space(1),
        ),
    )
}

/// The heading block of NĐ 30/2020 Phụ lục I (ô 1–4): on the left the issuing body in
/// capitals, bold, with its rule, and "Số: ……/……"; on the right the national motto
/// "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" / "Độc lập - Tự do - Hạnh phúc" with its rule, then
/// the place and date in italics.
pub fn nd30_header(issuer: &str, place_date: &str, landscape: bool) -> Table {
    let width = text_width(landscape);
    // The motto's first line must fit on one line at 12 pt.
    let split = width * 37 / 100;
    let center = |p: Paragraph| p.align(AlignmentType::Center);
    let issuer_up = issuer.to_uppercase();
    let left = vec![
        rule_under(
            center(styled(&issuer_up, |r| r.bold().size(26))),
            issuer_up.chars().count().min(24),
            split,
        ),
        center(styled("Số: ……/……", |r| r.size(26))),
    ];
    let motto = "Độc lập - Tự do - Hạnh phúc";
    let right = vec![
        center(styled(
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            |r| r.bold().size(24),
        )),
        rule_under(
            center(styled(motto, |r| r.bold().size(26))),
            motto.chars().count(),
            width - split,
        ),
        center(styled(place_date, |r| r.italic().size(26))),
    ];
    layout_table(left, right, split, width)
}

/// The closing block of NĐ 30/2020 Phụ lục I (ô 8–9): "Nơi nhận:" on the left, the signature
/// on the right (who signs, in capitals, then how).
pub fn nd30_closing(signer: &str, how: &str, landscape: bool) -> Table {
    let width = text_width(landscape);
    let split = width / 2;
    let left = vec![
        styled("Nơi nhận:", |r| r.bold().italic().size(24)),
        styled("- Như trên;", |r| r.size(22)),
        styled("- Lưu: VT, ……", |r| r.size(22)),
    ];
    let center = |p: Paragraph| p.align(AlignmentType::Center);
    let right = vec![
        center(
            styled(signer, |r| r.bold())
                .add_run(Run::new().add_break(BreakType::TextWrapping))
                .add_run(Run::new().add_text(how).italic()),
        ),
        center(para(" ")),
        center(para(" ")),
        center(styled("……………………", |r| r.bold())),
    ];
    layout_table(left, right, split, width)
}

/// The place and date line: the place left to fill, the date given.
pub fn place_date(date: &str) -> String {
    format!("……………………, {}", long_date(date))
}

/// A stylesheet for the graph's SVG (whose nodes carry only classes): white boxes, one tint per
/// kind of node, the serif font, grey edges.
const SVG_STYLE: &str = "<style>\
rect{fill:#ffffff;stroke:#333333;stroke-width:1.2}\
.st-system rect{fill:#dbe9f7}.st-server rect{fill:#eef6e8}.st-network rect{fill:#fff4d6}\
.st-datacenter rect{fill:#eeeeee}.st-external rect{fill:#f6e0e0}\
text{font-family:'Times New Roman','Liberation Serif',serif;font-size:13px;fill:#111111}\
text.sub{font-size:10px;fill:#555555}\
path{fill:none;stroke:#555555;stroke-width:1.2}marker path{fill:#555555;stroke:none}\
</style>";

/// The SVG drawn as a PNG by resvg, with the system's fonts for the labels.
/// Fails, rather than drawing boxes without names, when no font is found.
pub fn png(svg: &str) -> anyhow::Result<(Vec<u8>, u32, u32)> {
    use resvg::{tiny_skia, usvg};
    let styled = match svg.find("<defs>") {
        Some(at) => format!("{}{SVG_STYLE}{}", &svg[..at], &svg[at..]),
        None => bail!("the logical model's SVG has no <defs> to style"),
    };
    let mut opt = usvg::Options {
        font_family: "Liberation Serif".into(),
        ..Default::default()
    };
    opt.fontdb_mut().load_system_fonts();
    if opt.fontdb_mut().is_empty() {
        bail!(
            "no font found to draw the logical model's labels (install fonts-liberation2, which gives Liberation Serif)"
        );
    }
    let tree = usvg::Tree::from_str(&styled, &opt).context("reading the logical model's SVG")?;
    let size = tree.size();
    // Twice the drawing's size, for print, but at most 2400 pixels wide (about 250 dpi across
    // the text width): a wide graph would otherwise make a picture of megabytes.
    let scale = (2400.0 / size.width()).min(2.0);
    let (w, h) = (
        (size.width() * scale).ceil() as u32,
        (size.height() * scale).ceil() as u32,
    );
    let mut pixmap = tiny_skia::Pixmap::new(w, h)
        .with_context(|| format!("a {w}×{h} picture of the logical model"))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let bytes = pixmap
        .encode_png()
        .context("encoding the logical model as PNG")?;
    Ok((bytes, w, h))
}

/// The picture as an inline image across the text width, keeping its proportions.
pub fn picture(png: Vec<u8>, w: u32, h: u32, landscape: bool) -> Paragraph {
    // EMU: 635 per twip.
    let max_w = text_width(landscape) as u64 * 635;
    let ew = max_w;
    let eh = ew * h as u64 / w.max(1) as u64;
    Paragraph::new().align(AlignmentType::Center).add_run(
        Run::new().add_image(Pic::new_with_dimensions(png, w, h).size(ew as u32, eh as u32)),
    )
}

/// Insert before the document's child `at` a table-of-contents field over Heading 1–3, and
/// bookmark every heading for its page reference. The field is marked dirty so that Word fills
/// in the page numbers when the file is opened (LibreOffice: Tools ▸ Update ▸ Update All); its
/// entries are written in advance without numbers, so a reader that does not update fields (a
/// PDF conversion) still lists the parts. (docx-rs' own table of contents wraps its entries in
/// a content control, which LibreOffice 7.4 shows as the field's code.)
pub fn insert_toc(mut doc: Docx, at: usize) -> Docx {
    use docx_rs::{
        DocumentChild, FieldCharType, InstrPAGEREF, InstrText, InstrToC, TabLeaderType,
        TabValueType,
    };
    let mut entries = Vec::new();
    for child in doc.document.children.iter_mut() {
        let DocumentChild::Paragraph(p) = child else {
            continue;
        };
        let level = p
            .property
            .style
            .as_ref()
            .and_then(|s| s.val.strip_prefix("Heading")?.parse::<usize>().ok());
        if let Some(level) = level {
            let id = entries.len() + 1;
            let name = format!("_Toc{id:08}");
            let text = p.raw_text();
            **p = std::mem::take(&mut **p)
                .add_bookmark_start(id, &name)
                .add_bookmark_end(id);
            entries.push((level, text, name));
        }
    }
    let field = |t: FieldCharType, dirty: bool| Run::new().add_field_char(t, dirty);
    let mut toc = vec![
        Paragraph::new()
            .add_run(field(FieldCharType::Begin, true))
            .add_run(Run::new().add_instr_text(InstrText::TOC(
                InstrToC::new().heading_styles_range(1, 3).hyperlink(),
            )))
            .add_run(field(FieldCharType::Separate, false)),
    ];
    let width = text_width(false);
    for (level, text, name) in entries {
        toc.push(
            styled(&text, |r| r.size(26))
                .indent(Some(((level - 1) * 283) as i32), None, None, None)
                .add_tab(
                    docx_rs::Tab::new()
                        .val(TabValueType::Right)
                        .leader(TabLeaderType::Dot)
                        .pos(width),
                )
                .add_run(Run::new().add_tab())
                .add_run(field(FieldCharType::Begin, false))
                .add_run(
                    Run::new()
                        .add_instr_text(InstrText::PAGEREF(InstrPAGEREF::new(name).hyperlink())),
                )
                .add_run(field(FieldCharType::Separate, false))
                .add_run(field(FieldCharType::End, false)),
        );
    }
    toc.push(Paragraph::new().add_run(field(FieldCharType::End, false)));
    let at = at.min(doc.document.children.len());
    doc.document.children.splice(
        at..at,
        toc.into_iter()
            .map(|p| DocumentChild::Paragraph(Box::new(p))),
    );
    doc
}

/// The document packed as a .docx (a ZIP of WordprocessingML parts).
pub fn pack(doc: Docx) -> anyhow::Result<Vec<u8>> {
    let mut buf = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut buf)
        .context("writing the .docx package")?;
    Ok(buf.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<(String, bool)> {
        runs(text, |r| r)
            .iter()
            .map(|r| {
                let t: String = r
                    .children
                    .iter()
                    .filter_map(|c| match c {
                        docx_rs::RunChild::Text(t) => Some(t.text.clone()),
                        _ => None,
                    })
                    .collect();
                (t, r.run_property.highlight.is_some())
            })
            .collect()
    }

    #[test]
    fn blanks_and_manual_marks_are_highlighted_placeholders_and_the_rest_is_not() {
        let t = format!("Địa chỉ: {} ({}: quy chế)", vi::BLANK, vi::MANUAL);
        assert_eq!(
            texts(&t),
            vec![
                ("Địa chỉ: ".into(), false),
                (vi::BLANK.into(), true),
                (" (".into(), false),
                (vi::MANUAL.into(), true),
                (": quy chế)".into(), false),
            ]
        );
    }

    #[test]
    fn text_is_written_in_nfc() {
        // "Việt" with a combining dot below and circumflex (NFD) comes out precomposed.
        let nfd = "Vie\u{0323}\u{0302}t";
        assert_eq!(texts(nfd), vec![("Việt".into(), false)]);
    }

    #[test]
    fn margins_are_those_of_nd_30_2020() {
        let m = margins();
        let mm = |t: i32| (t as f64 / MM).round() as i32;
        assert_eq!(
            (mm(m.top), mm(m.bottom), mm(m.left), mm(m.right)),
            (20, 20, 30, 15)
        );
    }
}
