//! Text for figures: shaped with cosmic-text (HarfBuzz-compatible shaping, bidi, line
//! breaking) from the bundled fonts only, and turned into glyph outlines so the PNG and
//! the SVG show exactly the same letters — Latin, Cyrillic, and Arabic script (Persian,
//! Pashto) right to left with joined letters — whatever fonts the reader has.

use cosmic_text::{
    Align, Attrs, Buffer, CacheKeyFlags, Command, Fallback, Family, FontSystem, Metrics, Shaping,
    SwashCache, Weight, fontdb,
};

/// One piece of an outline, in figure pixels (y down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PathCmd {
    MoveTo([f64; 2]),
    LineTo([f64; 2]),
    QuadTo([f64; 2], [f64; 2]),
    CubicTo([f64; 2], [f64; 2], [f64; 2]),
    Close,
}

/// Laid-out text: glyph outlines relative to the block's top-left corner.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextBlock {
    pub width: f64,
    pub height: f64,
    pub outlines: Vec<PathCmd>,
}

impl TextBlock {
    /// The outlines moved to `at` (the block's top-left corner).
    pub fn placed(&self, at: [f64; 2]) -> Vec<PathCmd> {
        let m = |p: [f64; 2]| [p[0] + at[0], p[1] + at[1]];
        self.outlines
            .iter()
            .map(|c| match *c {
                PathCmd::MoveTo(p) => PathCmd::MoveTo(m(p)),
                PathCmd::LineTo(p) => PathCmd::LineTo(m(p)),
                PathCmd::QuadTo(a, b) => PathCmd::QuadTo(m(a), m(b)),
                PathCmd::CubicTo(a, b, c) => PathCmd::CubicTo(m(a), m(b), m(c)),
                PathCmd::Close => PathCmd::Close,
            })
            .collect()
    }
}

const LATIN: &str = "DejaVu Sans";
const ARABIC: &str = "Noto Sans Arabic";

/// Only the bundled fonts, in this order, whatever the script.
struct BundledFallback;

impl Fallback for BundledFallback {
    fn common_fallback(&self) -> &[&'static str] {
        &[LATIN, ARABIC]
    }

    fn forbidden_fallback(&self) -> &[&'static str] {
        &[]
    }

    fn script_fallback(&self, _: unicode_script::Script, _: &str) -> &[&'static str] {
        &[ARABIC, LATIN]
    }
}

pub struct Typesetter {
    fonts: FontSystem,
    outlines: SwashCache,
}

/// Whether the text has Arabic-script letters (set in Noto Sans Arabic, the bundled font
/// made for them; DejaVu Sans lacks some Pashto letters).
fn has_arabic(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c as u32, 0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF)
    })
}

/// Whether the paragraph's first strong letter is right-to-left (Unicode's rule for a
/// paragraph's direction): such captions are right-aligned.
fn starts_right_to_left(text: &str) -> bool {
    text.chars()
        .find(|c| c.is_alphabetic())
        .is_some_and(|c| has_arabic(&c.to_string()))
}

impl Typesetter {
    /// Loads the bundled DejaVu Sans (regular, bold) and Noto Sans Arabic; no system
    /// font is ever used, so a figure looks the same on every machine.
    pub fn new() -> Result<Typesetter, super::error::RenderError> {
        use crate::assets::{self, path};
        let mut db = fontdb::Database::new();
        for name in [path::FONT_REGULAR, path::FONT_BOLD, path::FONT_ARABIC] {
            let bytes = assets::read(name)?;
            db.load_font_data(bytes.into_owned());
        }
        Ok(Typesetter {
            fonts: FontSystem::new_with_locale_and_db_and_fallback(
                "en-US".into(),
                db,
                BundledFallback,
            ),
            outlines: SwashCache::new(),
        })
    }

    /// Shapes `text` at `size` pixels, wrapped at `max_width` if given. Right-to-left
    /// paragraphs are right-aligned within `max_width`.
    pub fn layout(
        &mut self,
        text: &str,
        size: f64,
        max_width: Option<f64>,
        bold: bool,
    ) -> TextBlock {
        let size = size as f32;
        let mut buffer = Buffer::new(&mut self.fonts, Metrics::new(size, size * 1.3));
        buffer.set_size(max_width.map(|w| w as f32), None);
        let family = if has_arabic(text) { ARABIC } else { LATIN };
        let attrs = Attrs::new()
            .family(Family::Name(family))
            .weight(if bold { Weight::BOLD } else { Weight::NORMAL })
            .cache_key_flags(CacheKeyFlags::DISABLE_HINTING);
        let align = if max_width.is_some() && starts_right_to_left(text) {
            Some(Align::Right)
        } else {
            None
        };
        buffer.set_text(text, &attrs, Shaping::Advanced, align);
        buffer.shape_until_scroll(&mut self.fonts, false);
        let mut block = TextBlock::default();
        for run in buffer.layout_runs() {
            block.width = block.width.max(f64::from(run.line_w));
            block.height = block.height.max(f64::from(run.line_top + run.line_height));
            for g in run.glyphs {
                let x = f64::from(g.x + g.font_size * g.x_offset);
                let y = f64::from(run.line_y + g.y - g.font_size * g.y_offset);
                let key = g.physical((0.0, 0.0), 1.0).cache_key;
                let Some(commands) = self.outlines.get_outline_commands(&mut self.fonts, key)
                else {
                    continue;
                };
                // Outlines are y-up from the baseline.
                let p = |vx: f32, vy: f32| [x + f64::from(vx), y - f64::from(vy)];
                for c in commands {
                    block.outlines.push(match *c {
                        Command::MoveTo(a) => PathCmd::MoveTo(p(a.x, a.y)),
                        Command::LineTo(a) => PathCmd::LineTo(p(a.x, a.y)),
                        Command::QuadTo(a, b) => PathCmd::QuadTo(p(a.x, a.y), p(b.x, b.y)),
                        Command::CurveTo(a, b, c) => {
                            PathCmd::CubicTo(p(a.x, a.y), p(b.x, b.y), p(c.x, c.y))
                        }
                        Command::Close => PathCmd::Close,
                    });
                }
            }
        }
        if let Some(w) = max_width
            && align.is_some()
        {
            block.width = w;
        }
        block
    }
}
