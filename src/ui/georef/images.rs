//! The one decoded picture the georeference view and its map overlay show.

use crate::ui::command::Exposure;

/// A decoded image for the view and the overlay, kept while it is shown.
pub struct GeorefImage {
    pub sha256: String,
    pub texture: egui::TextureHandle,
    /// How it was made: shielded (a graphic item not revealed) and/or greyscale.
    pub look: (bool, bool),
}

/// The one decoded picture the view and the overlay use, reloaded when the evidence
/// changes. Decoded at most this large: enough to place points, small enough to decode
/// on the frame that needs it.
#[derive(Default)]
pub struct GeorefImages {
    current: Option<GeorefImage>,
    failed: Option<String>,
}

const MAX_TEXTURE_SIDE: u32 = 2048;

impl GeorefImages {
    pub fn current_size(&self) -> Option<[usize; 2]> {
        self.current.as_ref().map(|i| i.texture.size())
    }
}

impl GeorefImages {
    /// The picture of `sha256` as the analyst may see it: a graphic item not revealed is
    /// the board's 20 px greyscale stand-in (drawn stretched), *Reduce exposure* greys it.
    pub fn ensure(
        &mut self,
        ctx: &egui::Context,
        case: Option<&crate::case::Case>,
        sha256: Option<&str>,
        exposure: &Exposure,
    ) -> Option<&GeorefImage> {
        let (Some(case), Some(sha256)) = (case, sha256) else {
            return None;
        };
        let look = case.find_evidence(sha256).map_or((false, false), |r| {
            (exposure.shielded(r), exposure.greyscale())
        });
        let loaded = self
            .current
            .as_ref()
            .is_some_and(|i| i.sha256 == sha256 && i.look == look);
        if !loaded && self.failed.as_deref() != Some(sha256) {
            let source = crate::case::comparison::PanelSource::Evidence {
                sha256: sha256.to_owned(),
            };
            let decoded = case
                .panel_file(&source)
                .map_err(|e| e.to_string())
                .and_then(|file| {
                    crate::evidence::load_oriented(&file.path, MAX_TEXTURE_SIDE)
                        .map_err(|e| e.to_string())
                });
            match decoded {
                // The case record carries the decoders' warnings (inspector).
                Ok(crate::evidence::Loaded { image, .. }) => {
                    let mut rgb = image.into_rgb8();
                    if look.0 {
                        rgb = crate::board::shield::shielded(&rgb);
                    } else if look.1 {
                        crate::board::shield::greyscale(&mut rgb);
                    }
                    let rgba = image::DynamicImage::ImageRgb8(rgb).into_rgba8();
                    let size = [rgba.width() as usize, rgba.height() as usize];
                    let texture = ctx.load_texture(
                        format!("georef {sha256}"),
                        egui::ColorImage::from_rgba_unmultiplied(size, rgba.as_raw()),
                        egui::TextureOptions::LINEAR,
                    );
                    self.current = Some(GeorefImage {
                        sha256: sha256.to_owned(),
                        texture,
                        look,
                    });
                }
                Err(e) => {
                    log::warn!("{e}");
                    self.failed = Some(sha256.to_owned());
                    self.current = None;
                }
            }
        }
        self.current
            .as_ref()
            .filter(|i| i.sha256 == sha256 && i.look == look)
    }
}
