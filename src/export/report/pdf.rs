//! The methods report as PDF: the same blocks as the HTML document, laid out on A4
//! pages with the bundled DejaVu Sans fonts embedded (subset by krilla), so the text is
//! real text a reader can search and copy. The figure is the same PNG the HTML embeds
//! (rendered once, redactions applied), drawn at the text width.
//!
//! Layout is done first (pages of positioned runs and images), then drawn: a table
//! whose cells fit equal columns is drawn as a grid; a wider one (hashes, provenance)
//! as one record per row, "Header: value" pairs wrapped like a paragraph, so a SHA-256
//! is never split across lines.

use std::sync::Arc;

use krilla::Document;
use krilla::geom::{Point, Size, Transform};
use krilla::image::Image;
use krilla::page::PageSettings;
use krilla::text::{Font, TextDirection};

use cosmic_text::{
    Attrs, Buffer, Family, FontSystem, Metrics as CtMetrics, Shaping, Weight, fontdb,
};

use super::doc::{Block, Report, Span};

/// A4 in points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 56.0;
const BODY: f32 = 9.5;
const TABLE: f32 = 8.0;

/// What can stop the PDF.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("bundled font {0}: {1}")]
    Font(&'static str, String),
    #[error("figure PNG cannot be embedded: {0}")]
    Image(String),
    #[error("PDF writer: {0}")]
    Write(String),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Face {
    Regular,
    Bold,
}

/// One run of text on one line, at its baseline.
#[derive(Debug, Clone)]
struct Run {
    x: f32,
    y: f32,
    size: f32,
    face: Face,
    text: String,
}

#[derive(Debug, Clone)]
enum Op {
    Text(Run),
    Image { x: f32, y: f32, w: f32, h: f32 },
    Rule { y: f32 },
}

/// Line breaking and widths with cosmic-text on the bundled DejaVu Sans, the fonts
/// krilla embeds, so the lines measured are the lines drawn.
struct Measure {
    fonts: FontSystem,
}

/// One line: runs of one face at their x offset from the line's start.
type Line = Vec<(f32, Face, String)>;

impl Measure {
    fn new(regular: &[u8], bold: &[u8]) -> Measure {
        let mut db = fontdb::Database::new();
        db.load_font_data(regular.to_vec());
        db.load_font_data(bold.to_vec());
        Measure {
            fonts: FontSystem::new_with_locale_and_db("en-US".into(), db),
        }
    }

    /// `spans` broken into lines of at most `width` points (unlimited with `None`).
    fn lines(&mut self, spans: &[(Face, String)], size: f32, width: Option<f32>) -> Vec<Line> {
        let attrs = |face: Face| {
            Attrs::new()
                .family(Family::Name("DejaVu Sans"))
                .weight(if face == Face::Bold {
                    Weight::BOLD
                } else {
                    Weight::NORMAL
                })
        };
        let mut buffer = Buffer::new(&mut self.fonts, CtMetrics::new(size, size * 1.35));
        buffer.set_size(width, None);
        buffer.set_rich_text(
            spans.iter().map(|(f, t)| (t.as_str(), attrs(*f))),
            &attrs(Face::Regular),
            Shaping::Advanced,
            None,
        );
        buffer.shape_until_scroll(&mut self.fonts, false);
        let mut lines = Vec::new();
        for run in buffer.layout_runs() {
            let mut line: Line = Vec::new();
            let mut group: Option<(f32, Face, usize, usize)> = None;
            for g in run.glyphs {
                let face = if g.font_weight == Weight::BOLD {
                    Face::Bold
                } else {
                    Face::Regular
                };
                match &mut group {
                    Some((_, f, _, end)) if *f == face && g.start >= *end => *end = g.end,
                    _ => {
                        if let Some((x, f, a, b)) = group.take() {
                            line.push((x, f, run.text[a..b].to_owned()));
                        }
                        group = Some((g.x, face, g.start, g.end));
                    }
                }
            }
            if let Some((x, f, a, b)) = group {
                line.push((x, f, run.text[a..b].to_owned()));
            }
            line.retain(|(_, _, t)| !t.trim().is_empty());
            if !line.is_empty() {
                lines.push(line);
            }
        }
        lines
    }

    /// The width of `text` on one line.
    fn width(&mut self, face: Face, size: f32, text: &str) -> f32 {
        let mut buffer = Buffer::new(&mut self.fonts, CtMetrics::new(size, size * 1.35));
        buffer.set_size(None, None);
        let attrs =
            Attrs::new()
                .family(Family::Name("DejaVu Sans"))
                .weight(if face == Face::Bold {
                    Weight::BOLD
                } else {
                    Weight::NORMAL
                });
        buffer.set_text(text, &attrs, Shaping::Advanced, None);
        buffer.shape_until_scroll(&mut self.fonts, false);
        buffer.layout_runs().map(|r| r.line_w).fold(0.0, f32::max)
    }
}

fn face_of(span: &Span) -> Face {
    match span {
        Span::Bold(_) => Face::Bold,
        _ => Face::Regular,
    }
}

/// Pages of drawing operations.
struct Layout<'m> {
    measure: &'m mut Measure,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Layout<'_> {
    fn width() -> f32 {
        PAGE_W - 2.0 * MARGIN
    }

    fn bottom() -> f32 {
        PAGE_H - MARGIN
    }

    fn page(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let n = self.pages.len();
        &mut self.pages[n - 1]
    }

    /// Room for `h` points more, or a new page.
    fn need(&mut self, h: f32) {
        if self.y + h > Self::bottom() && self.y > MARGIN {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
    }

    /// `spans` wrapped into `width` from `x0`, at `size`; moves y down.
    fn wrap(&mut self, spans: &[(Face, String)], x0: f32, width: f32, size: f32) {
        let line_h = size * 1.35;
        for line in self.measure.lines(spans, size, Some(width)) {
            self.need(line_h);
            let baseline = self.y + size;
            for (x, face, text) in line {
                self.page().push(Op::Text(Run {
                    x: x0 + x,
                    y: baseline,
                    size,
                    face,
                    text,
                }));
            }
            self.y += line_h;
        }
    }

    fn gap(&mut self, h: f32) {
        self.y += h;
    }

    fn block(&mut self, block: &Block) {
        let w = Self::width();
        match block {
            Block::Title(t) => {
                self.wrap(&[(Face::Bold, t.clone())], MARGIN, w, 16.0);
                self.gap(4.0);
            }
            Block::Heading(t) => {
                self.need(40.0);
                self.gap(6.0);
                self.wrap(&[(Face::Bold, t.clone())], MARGIN, w, 13.0);
                let y = self.y;
                self.page().push(Op::Rule { y });
                self.gap(4.0);
            }
            Block::Subheading(t) => {
                self.need(30.0);
                self.gap(3.0);
                self.wrap(&[(Face::Bold, t.clone())], MARGIN, w, 11.0);
                self.gap(2.0);
            }
            Block::Para(spans) => {
                let runs: Vec<(Face, String)> = spans
                    .iter()
                    .map(|s| (face_of(s), s.text().to_owned()))
                    .collect();
                self.wrap(&runs, MARGIN, w, BODY);
                self.gap(4.0);
            }
            Block::Table { head, rows } => self.table(head, rows),
            Block::Figure { width, height, .. } => {
                let scale = (w / *width as f32).min((Self::bottom() - MARGIN) / *height as f32);
                let (iw, ih) = (*width as f32 * scale, *height as f32 * scale);
                self.need(ih);
                let y = self.y;
                self.page().push(Op::Image {
                    x: MARGIN,
                    y,
                    w: iw,
                    h: ih,
                });
                self.y += ih + 4.0;
            }
        }
    }

    fn table(&mut self, head: &[String], rows: &[Vec<Vec<Span>>]) {
        let w = Self::width();
        let cols = head.len().max(1);
        let col_w = w / cols as f32;
        let text_of = |cell: &[Span]| cell.iter().map(Span::text).collect::<String>();
        let mut fits = head
            .iter()
            .all(|h| self.measure.width(Face::Bold, TABLE, h) <= col_w - 4.0);
        for r in rows {
            for c in r {
                fits = fits && self.measure.width(Face::Regular, TABLE, &text_of(c)) <= col_w - 4.0;
            }
        }
        if fits {
            for (row, face) in std::iter::once((
                head.iter().map(|h| vec![Span::Bold(h.clone())]).collect(),
                Face::Bold,
            ))
            .chain(rows.iter().map(|r| (r.clone(), Face::Regular)))
            {
                self.need(TABLE * 1.4);
                let baseline = self.y + TABLE;
                for (i, cell) in row.iter().enumerate() {
                    let text = text_of(cell);
                    if !text.is_empty() {
                        self.page().push(Op::Text(Run {
                            x: MARGIN + i as f32 * col_w,
                            y: baseline,
                            size: TABLE,
                            face,
                            text,
                        }));
                    }
                }
                self.y += TABLE * 1.4;
            }
        } else {
            for row in rows {
                let mut spans: Vec<(Face, String)> = Vec::new();
                for (i, cell) in row.iter().enumerate() {
                    let label = head.get(i).map_or(String::new(), |h| format!("{h}: "));
                    if i > 0 {
                        spans.push((Face::Regular, " · ".into()));
                    }
                    spans.push((Face::Bold, label));
                    spans.push((Face::Regular, text_of(cell)));
                }
                self.wrap(&spans, MARGIN, w, TABLE);
                self.gap(3.0);
            }
        }
        self.gap(4.0);
    }
}

impl Span {
    fn text(&self) -> &str {
        match self {
            Span::Text(t) | Span::Bold(t) | Span::Code(t) => t,
        }
    }
}

/// A bundled font for krilla, and its bytes for measuring.
fn font(rel: &'static str) -> Result<(Font, Arc<Vec<u8>>), PdfError> {
    let bytes = crate::assets::read(rel).map_err(|e| PdfError::Font(rel, e.to_string()))?;
    let bytes = Arc::new(bytes.into_owned());
    let font = Font::new(bytes.clone().into(), 0)
        .ok_or_else(|| PdfError::Font(rel, "not a font krilla can read".into()))?;
    Ok((font, bytes))
}

/// The report as PDF bytes.
pub fn render(report: &Report) -> Result<Vec<u8>, PdfError> {
    use crate::assets::path::{FONT_BOLD, FONT_REGULAR};
    let (regular, regular_bytes) = font(FONT_REGULAR)?;
    let (bold, bold_bytes) = font(FONT_BOLD)?;
    let mut measure = Measure::new(&regular_bytes, &bold_bytes);
    let mut layout = Layout {
        measure: &mut measure,
        pages: Vec::new(),
        y: MARGIN,
    };
    for block in &report.blocks {
        layout.block(block);
    }
    let figure = report.blocks.iter().find_map(|b| match b {
        Block::Figure { png, .. } => Some(png.clone()),
        _ => None,
    });
    let image = figure
        .map(|png| Image::from_png(png.into(), true).map_err(PdfError::Image))
        .transpose()?;
    let mut document = Document::new();
    document.set_metadata(
        krilla::metadata::Metadata::new()
            .title(format!("Methods report: {}", report.title))
            .creator(format!("geoproof {}", crate::assets::VERSION))
            .language("en".into()),
    );
    let total = layout.pages.len();
    let settings =
        PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| PdfError::Write("page size".into()))?;
    for (n, ops) in layout.pages.iter().enumerate() {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text(r) => {
                    let f = if r.face == Face::Bold {
                        &bold
                    } else {
                        &regular
                    };
                    surface.draw_text(
                        Point::from_xy(r.x, r.y),
                        f.clone(),
                        r.size,
                        &r.text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Op::Image { x, y, w, h } => {
                    if let (Some(image), Some(size)) = (&image, Size::from_wh(*w, *h)) {
                        surface.push_transform(&Transform::from_translate(*x, *y));
                        surface.draw_image(image.clone(), size);
                        surface.pop();
                    }
                }
                Op::Rule { y } => {
                    let mut pb = krilla::geom::PathBuilder::new();
                    pb.move_to(MARGIN, *y);
                    pb.line_to(PAGE_W - MARGIN, *y);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(krilla::paint::Stroke {
                            width: 0.5,
                            ..Default::default()
                        }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                        surface.set_fill(Some(krilla::paint::Fill::default()));
                    }
                }
            }
        }
        let footer = format!(
            "{} · geoproof {} · page {} of {total}",
            report.title,
            crate::assets::VERSION,
            n + 1
        );
        surface.draw_text(
            Point::from_xy(MARGIN, PAGE_H - MARGIN / 2.0),
            regular.clone(),
            7.0,
            &footer,
            false,
            TextDirection::Auto,
        );
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| PdfError::Write(format!("{e:?}")))
}
