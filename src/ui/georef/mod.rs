//! The georeference view: a finding's image panel beside the map. Control points are
//! placed by clicking the image, then the same place on the map; they are numbered on
//! both sides, can be dragged on either, and Delete removes the selected one. The fit,
//! its residuals and the overlay update live; every finished gesture is one
//! `Edit::PutFinding` (undoable). The board opens it from a panel's *Image* menu.

mod ctx;
mod image_half;
mod images;
mod inspector;
mod map_half;
pub mod overlay;
mod points;
pub mod session;
mod sky;

use egui::{Pos2, Rect, Ui};

use crate::case::Case;
use crate::case::georeference::Georeference;
use crate::spatial::georef::{ControlPoint, Fit, FitError};

use super::command::GeorefExport;
use session::GeorefSession;

pub use ctx::{GeorefCtx, record_of};
pub use image_half::image_ui;
pub use images::{GeorefImage, GeorefImages};
pub use inspector::inspector_ui;
pub use map_half::{after_map, before_map, holds_map, map_clicked};
pub use sky::{SkyCamera, SkyLines, SkyView};

/// Share of the central area the image takes.
const IMAGE_SHARE: f32 = 0.45;

/// The centre of control points and a Web Mercator zoom at which they span about 400
/// screen points (at most zoom 18).
fn frame_points(points: &[ControlPoint]) -> (f64, f64, f64) {
    let n = points.len() as f64;
    let lat = points.iter().map(|p| p.lat).sum::<f64>() / n;
    let lon = points.iter().map(|p| p.lon).sum::<f64>() / n;
    let frame = crate::spatial::georef::LocalFrame::at(lat, lon);
    let span = points
        .iter()
        .map(|p| {
            let d = frame.to_local(p.lat, p.lon);
            d[0].abs().max(d[1].abs()) * 2.0
        })
        .fold(50.0, f64::max);
    // Screen points per metre at zoom 0 and this latitude (the map's own projection),
    // doubled per zoom level: the zoom that shows `span` in about 400 points.
    let at_zoom_0 = {
        use walkers::Projection as _;
        walkers::MercatorProjection.scale_pixel_per_meter(walkers::lon_lat(lon, lat), 0.0)
    };
    let zoom = (400.0 / (span * at_zoom_0)).log2().clamp(2.0, 18.0);
    (lat, lon, zoom)
}

/// A view on `panel` of `finding` (the panel must show a still image), and where the
/// map should look to show its points (centre latitude, longitude, zoom).
pub fn open_session(
    case: &Case,
    finding: &str,
    panel: &str,
) -> Result<(GeorefSession, Option<MapFrame>), String> {
    let f = case.finding(finding).map_err(|e| e.to_string())?;
    let p = f
        .panels
        .iter()
        .find(|p| p.id == panel)
        .ok_or_else(|| format!("finding {finding} has no panel {panel}"))?;
    let crate::case::comparison::PanelSource::Evidence { sha256 } = &p.source else {
        return Err("only an evidence image can be georeferenced (not a map snapshot)".into());
    };
    let record = case.find_evidence(sha256).map_err(|e| e.to_string())?;
    if !record.kind().is_still() {
        return Err(
            "grab the frame first (Video → Grab frame): a georeference pins a still".into(),
        );
    }
    if let Some(g) = &f.georeference
        && g.panel != panel
    {
        return Err(format!(
            "finding {finding} already georeferences panel {}; one per finding",
            g.panel
        ));
    }
    let fov = match (record.fov_deg, record.exif.horizontal_fov_deg()) {
        (Some(f), _) => (f, "set on the evidence".to_owned()),
        (None, Some(f)) => (f, "EXIF 35 mm focal length".to_owned()),
        (None, None) => (
            crate::spatial::camera_pose::DEFAULT_FOV_DEG,
            "a guess: set it".to_owned(),
        ),
    };
    let session = GeorefSession::new(finding, panel, [record.width, record.height], fov);
    // Show all the points on the map, whatever the zoom was.
    let frame = f
        .georeference
        .as_ref()
        .filter(|g| !g.points.is_empty())
        .map(|g| frame_points(&g.points));
    Ok((session, frame))
}

/// Where the map should look: centre latitude, longitude and zoom.
pub type MapFrame = (f64, f64, f64);

/// The fit of the georeference being edited, and why there is none.
pub fn current_fit(state: &GeorefCtx<'_>) -> Option<Result<Fit, FitError>> {
    state.georef_record().map(Georeference::fit)
}

/// Writes the georeference's export (the image with its redactions applied) and says
/// what was written.
pub fn export(
    case: &Case,
    session: &GeorefSession,
    kind: GeorefExport,
    path: &std::path::Path,
) -> Result<String, String> {
    {
        use crate::export::georef as export;
        let finding = case.finding(&session.finding).map_err(|e| e.to_string())?;
        let g = finding
            .georeference
            .as_ref()
            .ok_or("place control points first")?;
        let fit = g.fit().map_err(|e| e.to_string())?;
        let write = |bytes: &[u8], p: &std::path::Path| {
            crate::fsio::write_atomic(p, bytes, false).map_err(|e| e.to_string())
        };
        match kind {
            GeorefExport::ControlPoints => {
                write(
                    export::control_points_geojson(&fit, &g.points).as_bytes(),
                    path,
                )?;
            }
            GeorefExport::GeoTiff | GeorefExport::Kml => {
                let pixels = crate::export::figure::redacted_panel_image(case, finding, &g.panel)
                    .map_err(|e| e.to_string())?;
                if kind == GeorefExport::GeoTiff {
                    let warped = export::warp(&pixels, &fit, export::MAX_WARP_SIDE)
                        .map_err(|e| e.to_string())?;
                    export::write_geotiff(&warped, path).map_err(|e| e.to_string())?;
                } else {
                    let png_path = path.with_extension("png");
                    let href = png_path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let text = export::kml(
                        &finding.title,
                        &fit,
                        &g.points,
                        pixels.width(),
                        pixels.height(),
                        &href,
                        g.opacity,
                    )
                    .map_err(|e| e.to_string())?;
                    let png =
                        crate::export::redact::encode_png(&pixels).map_err(|e| e.to_string())?;
                    write(&png, &png_path)?;
                    write(text.as_bytes(), path)?;
                }
            }
        }
        Ok(format!("wrote {}", path.display()))
    }
}

/// The image and map halves, side by side, with the overlay and points on the map, and
/// the skyline check over the image.
pub fn view_ui<S>(
    ui: &mut Ui,
    state: &mut S,
    image: Option<&GeorefImage>,
    sky: &mut SkyView,
    georef: fn(&mut S) -> GeorefCtx<'_>,
    map: impl FnOnce(&mut Ui, &mut S),
) {
    let full = ui.available_rect_before_wrap();
    let split = full.left() + full.width() * IMAGE_SHARE;
    let image_rect = Rect::from_min_max(full.min, Pos2::new(split - 2.0, full.bottom()));
    let map_rect = Rect::from_min_max(Pos2::new(split + 2.0, full.top()), full.max);
    ui.scope_builder(egui::UiBuilder::new().max_rect(image_rect), |ui| {
        sky::sky_bar(ui, &mut georef(state), sky);
        image_ui(ui, &mut georef(state), image, sky);
    });
    ui.scope_builder(egui::UiBuilder::new().max_rect(map_rect), |ui| {
        // The map half is all of this child: the wheel zoom asks whether the pointer is
        // inside it.
        ui.expand_to_include_rect(map_rect);
        before_map(ui, &mut georef(state));
        map(ui, state);
        after_map(ui, &mut georef(state));
    });
    ui.advance_cursor_after_rect(full);
}
