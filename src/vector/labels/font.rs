//! Label text shaped with cosmic-text (HarfBuzz-compatible shaping through rustybuzz,
//! bidi) from the bundled fonts only, so a label looks the same on every machine:
//! DejaVu Sans for Latin, Greek and Cyrillic, Noto Sans Arabic for Arabic script
//! (joined letters, right to left), Droid Sans Fallback for Chinese, Japanese and
//! Korean, loaded the first time a label needs it. The result is glyph outlines as a
//! tiny-skia path, which both the snapshot and the app's map paint.

use cosmic_text::{
    Attrs, Buffer, CacheKeyFlags, Command, Fallback, Family, FontSystem, Metrics, Shaping,
    SwashCache, Weight, fontdb,
};

use crate::assets::{self, AssetError, path};

const LATIN: &str = "DejaVu Sans";
const ARABIC: &str = "Noto Sans Arabic";
const CJK: &str = "Droid Sans Fallback";

struct BundledFallback;

impl Fallback for BundledFallback {
    fn common_fallback(&self) -> &[&'static str] {
        &[LATIN, ARABIC, CJK]
    }
    fn forbidden_fallback(&self) -> &[&'static str] {
        &[]
    }
    fn script_fallback(&self, _: unicode_script::Script, _: &str) -> &[&'static str] {
        &[LATIN, ARABIC, CJK]
    }
}

/// A label's text laid out on one line: its outline in pixels relative to the top-left
/// corner of its `size` box.
#[derive(Debug, Clone)]
pub struct Shaped {
    pub size: [f32; 2],
    /// `None` when no glyph has an outline (blank text).
    pub path: Option<tiny_skia::Path>,
    /// Glyphs laid out (after shaping: a joined Arabic word has fewer than letters).
    pub glyphs: usize,
    /// Glyphs no bundled font has (drawn as the font's empty box, or nothing).
    pub missing: usize,
}

/// The bundled fonts and the glyph cache.
pub struct LabelFonts {
    fonts: FontSystem,
    outlines: SwashCache,
    cjk_loaded: bool,
}

fn has_arabic(c: char) -> bool {
    matches!(c as u32, 0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF)
}

fn has_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF | 0x2E80..=0x2FDF | 0x3000..=0x30FF | 0x3130..=0x318F
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF
        | 0xFF00..=0xFFEF)
}

impl LabelFonts {
    /// Loads DejaVu Sans (regular, bold) and Noto Sans Arabic from the bundled assets.
    pub fn new() -> Result<LabelFonts, AssetError> {
        let mut db = fontdb::Database::new();
        for name in [path::FONT_REGULAR, path::FONT_BOLD, path::FONT_ARABIC] {
            db.load_font_data(assets::read(name)?.into_owned());
        }
        Ok(LabelFonts {
            fonts: FontSystem::new_with_locale_and_db_and_fallback(
                "en-US".into(),
                db,
                BundledFallback,
            ),
            outlines: SwashCache::new(),
            cjk_loaded: false,
        })
    }

    fn load_cjk(&mut self) -> Result<(), AssetError> {
        use std::io::Read;
        let gz = assets::read(path::FONT_CJK_GZ)?;
        let mut ttf = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut ttf)
            .map_err(|source| AssetError::Io {
                path: path::FONT_CJK_GZ.into(),
                source,
            })?;
        self.fonts.db_mut().load_font_data(ttf);
        self.cjk_loaded = true;
        Ok(())
    }

    /// Shapes `text` on one line at `px` pixels. The first Chinese, Japanese or Korean
    /// letter loads the CJK font (decompressed from the binary, once).
    pub fn shape(&mut self, text: &str, px: f32, bold: bool) -> Result<Shaped, AssetError> {
        if !self.cjk_loaded && text.chars().any(has_cjk) {
            self.load_cjk()?;
        }
        let mut buffer = Buffer::new(&mut self.fonts, Metrics::new(px, px * 1.25));
        buffer.set_size(None, None);
        let family = if text.chars().any(has_arabic) {
            ARABIC
        } else if text.chars().any(has_cjk) {
            CJK
        } else {
            LATIN
        };
        let attrs = Attrs::new()
            .family(Family::Name(family))
            .weight(if bold { Weight::BOLD } else { Weight::NORMAL })
            .cache_key_flags(CacheKeyFlags::DISABLE_HINTING);
        buffer.set_text(text, &attrs, Shaping::Advanced, None);
        buffer.shape_until_scroll(&mut self.fonts, false);
        let mut pb = tiny_skia::PathBuilder::new();
        let (mut width, mut height, mut glyphs, mut missing) = (0f32, 0f32, 0, 0);
        for run in buffer.layout_runs() {
            width = width.max(run.line_w);
            height = height.max(run.line_top + run.line_height);
            for g in run.glyphs {
                glyphs += 1;
                if g.glyph_id == 0 {
                    missing += 1;
                }
                let x = g.x + g.font_size * g.x_offset;
                let y = run.line_y + g.y - g.font_size * g.y_offset;
                let key = g.physical((0.0, 0.0), 1.0).cache_key;
                let Some(commands) = self.outlines.get_outline_commands(&mut self.fonts, key)
                else {
                    continue;
                };
                for c in commands {
                    match *c {
                        Command::MoveTo(a) => pb.move_to(x + a.x, y - a.y),
                        Command::LineTo(a) => pb.line_to(x + a.x, y - a.y),
                        Command::QuadTo(a, b) => pb.quad_to(x + a.x, y - a.y, x + b.x, y - b.y),
                        Command::CurveTo(a, b, c) => {
                            pb.cubic_to(x + a.x, y - a.y, x + b.x, y - b.y, x + c.x, y - c.y)
                        }
                        Command::Close => pb.close(),
                    }
                }
            }
        }
        Ok(Shaped {
            size: [width.ceil(), height.ceil()],
            path: pb.finish(),
            glyphs,
            missing,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> LabelFonts {
        LabelFonts::new().expect("bundled fonts")
    }

    #[test]
    fn latin_and_cyrillic_are_set_in_dejavu_with_every_glyph() {
        let mut f = fonts();
        let s = f.shape("Москва", 14.0, false).unwrap();
        assert_eq!((s.glyphs, s.missing), (6, 0));
        assert!(s.path.is_some() && s.size[0] > 30.0 && s.size[1] > 14.0);
        let latin = f.shape("Vaduz", 14.0, false).unwrap();
        assert_eq!((latin.glyphs, latin.missing), (5, 0));
    }

    #[test]
    fn arabic_letters_are_joined_and_cjk_loads_its_font() {
        let mut f = fonts();
        // "القاهرة": 7 letters, all with a glyph; joined forms (contextual shaping).
        let s = f.shape("القاهرة", 14.0, false).unwrap();
        assert_eq!(s.missing, 0);
        assert!(s.glyphs >= 6 && s.path.is_some());
        assert!(!f.cjk_loaded);
        let cjk = f.shape("東京 서울", 14.0, false).unwrap();
        assert!(f.cjk_loaded);
        assert_eq!(cjk.missing, 0, "{cjk:?}");
        assert!(cjk.glyphs >= 4 && cjk.size[0] > 40.0);
    }
}
