//! Publication figures of a finding: its panels side by side with every annotation and
//! linked-feature number drawn exactly as on the board (the same `board::marks`), zoomed
//! insets, a legend of linked features and a caption block; map panels carry a scale bar
//! and a north arrow. The figure is first built as a list of plain drawing items in
//! figure pixels; `raster` paints them into a PNG and `svg` writes them as vectors over
//! the embedded images, so the two outputs (and the app's preview, which is the raster)
//! cannot drift apart.

pub mod before_after;
mod compose;
mod error;
mod model;
mod parts;
mod raster;
mod skyline;
mod svg;
pub mod text;

use std::path::{Path, PathBuf};

use image::RgbImage;
use serde::Serialize;

use crate::case::{Case, Finding, store};
pub use compose::build;
pub use error::{FigureError, PanelError, RedactionError, RenderError, RequestError};
pub use model::{Figure, FigureOptions, Item, Source};
use parts::{check_redactions, locate_picture, on_shown_frames, panel_picture};
pub(crate) use raster::outline;
pub use text::{PathCmd, TextBlock, Typesetter};

/// What a panel shows, at full resolution, with its redactions applied: the picture the
/// board's *Copy image* and *Export image* hand out (a video panel: the frame it shows).
pub fn redacted_panel_image(
    case: &Case,
    finding: &Finding,
    panel_id: &str,
) -> Result<RgbImage, FigureError> {
    let finding = &on_shown_frames(finding);
    let panel = finding
        .panels
        .iter()
        .find(|p| p.id == panel_id)
        .ok_or_else(|| RequestError::UnknownPanel {
            finding: finding.id.clone(),
            panel: panel_id.to_owned(),
        })?;
    let picture = locate_picture(case, panel)?;
    let mut alone = finding.clone();
    alone.annotations.retain(|a| a.panel == panel.id);
    alone.panels = vec![panel.clone()];
    check_redactions(&alone, std::slice::from_ref(&picture))?;
    let (image, full_w, _) = panel_picture(case, panel, &picture.path, u32::MAX)?;
    let mut pixels = image.into_rgb8();
    let scale = f64::from(full_w) / f64::from(pixels.width().max(1));
    crate::export::redact::apply_panel(&mut pixels, &alone.annotations, scale);
    Ok(pixels)
}

/// The PNG of a figure (RGB, 8 bit). No metadata chunk at all unless `include_metadata`,
/// and then only title, finding id and program as text chunks.
pub fn png(figure: &Figure, include_metadata: bool) -> Result<Vec<u8>, FigureError> {
    Ok(raster::encode_png(figure, include_metadata)?)
}

/// The figure's pixels (the app's preview uses exactly this).
pub fn pixels(figure: &Figure) -> Result<image::RgbaImage, FigureError> {
    Ok(raster::render(figure)?)
}

/// The SVG of a figure: images embedded as PNG, annotations and text as vector paths.
pub fn svg(figure: &Figure) -> Result<String, FigureError> {
    Ok(svg::write(figure)?)
}

/// What was exported, as written into the sidecar manifest and the audit log.
#[derive(Debug, Clone, Serialize)]
pub struct FigureExport {
    pub manifest: PathBuf,
    pub outputs: Vec<(PathBuf, String)>,
    pub width: u32,
    pub height: u32,
}

/// Renders and writes a finding's figure (PNG and/or SVG, atomically), a sidecar
/// manifest `<name>.manifest.json`, and logs the export in the case.
pub fn export(
    case: &mut Case,
    finding_id: &str,
    png_path: Option<&Path>,
    svg_path: Option<&Path>,
    options: &FigureOptions,
    log: bool,
) -> Result<FigureExport, FigureError> {
    let first = png_path.or(svg_path).ok_or(RequestError::NoOutput)?;
    let finding = case
        .finding(finding_id)
        .map_err(|e| RequestError::Finding(Box::new(e)))?
        .clone();
    let mut ts = Typesetter::new()?;
    let figure = build(case, &finding, options, &mut ts)?;
    let mut outputs = Vec::new();
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    if let Some(p) = png_path {
        files.push((p.to_owned(), png(&figure, options.include_metadata)?));
    }
    if let Some(p) = svg_path {
        files.push((p.to_owned(), svg(&figure)?.into_bytes()));
    }
    for (path, bytes) in &files {
        write_output(path, bytes)?;
        outputs.push((path.clone(), crate::evidence::sha256_hex(bytes)));
    }
    let manifest_path = first.with_extension("manifest.json");
    let manifest = serde_json::json!({
        "program": format!("geoproof {}", env!("CARGO_PKG_VERSION")),
        "finding": finding.id,
        "title": finding.title,
        "created": chrono::Utc::now(),
        "width": figure.width,
        "height": figure.height,
        "metadata_in_image": options.include_metadata,
        "outputs": outputs.iter().map(|(p, sha)| serde_json::json!({
            "file": p.file_name().map(|n| n.to_string_lossy().into_owned()), "sha256": sha
        })).collect::<Vec<_>>(),
        "sources": figure.provenance,
    });
    let bytes = store::to_sorted_json_bytes(manifest.clone()).map_err(RenderError::from)?;
    write_output(&manifest_path, &bytes)?;
    if log {
        case.log_event(
            "figure_exported",
            serde_json::json!({
                "finding": finding.id,
                "outputs": manifest["outputs"],
                "manifest": manifest_path.display().to_string(),
                "width": figure.width,
            }),
        );
        case.save().map_err(|e| FigureError::Log(Box::new(e)))?;
    }
    Ok(FigureExport {
        manifest: manifest_path,
        outputs,
        width: figure.width,
        height: figure.height,
    })
}

fn write_output(path: &Path, bytes: &[u8]) -> Result<(), FigureError> {
    Ok(crate::fsio::write_atomic(path, bytes, false)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::FindingKind;
    use crate::case::comparison::{Category, FrameRef, PanelSource, Shape};

    #[test]
    fn a_video_panel_shows_only_the_annotations_of_its_frame() {
        let mut f = Finding::new(FindingKind::Comparison, "t");
        let p = crate::board::ops::add_panel(
            &mut f,
            PanelSource::Evidence {
                sha256: "a".repeat(64),
            },
        );
        f.panels[0].frame = Some(FrameRef {
            index: 45,
            time_s: 1.5,
        });
        for (index, time_s) in [(45, 1.5), (10, 0.33)] {
            let id = crate::board::ops::add_annotation(
                &mut f,
                &p,
                Shape::Point { x: 1.0, y: 1.0 },
                Category::Other,
            );
            crate::board::ops::annotation_mut(&mut f, &id)
                .unwrap()
                .frame = Some(FrameRef { index, time_s });
        }
        let unbound = crate::board::ops::add_annotation(
            &mut f,
            &p,
            Shape::Point { x: 2.0, y: 2.0 },
            Category::Other,
        );
        let shown: Vec<String> = on_shown_frames(&f)
            .annotations
            .iter()
            .map(|a| a.id.clone())
            .collect();
        assert_eq!(shown, vec!["A1".to_owned(), unbound]);
    }
}
