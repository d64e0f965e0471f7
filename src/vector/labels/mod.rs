//! Basemap labels (#32): place, road and water names read from vector tiles
//! (`extract`), shaped in any script from the bundled fonts (`font`), placed per view
//! without collisions — places over roads over water, a label that collides dropped —
//! (`place`) and painted with a halo (`paint`). `geoproof snapshot` and the app's map
//! run this same placement on the same candidates, so both show the same labels. An
//! OSM extract's street map gives candidates of the same kinds from its index (`osm`);
//! both sources answer through [`LabelSource`]. The case's marks and labels are placed
//! first; basemap labels keep clear of their boxes.

pub mod extract;
pub mod font;
pub mod osm;
pub mod paint;
pub mod place;
pub mod types;

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

pub use extract::tile_candidates;
pub use font::{LabelFonts, Shaped};
pub use place::{Frame, Placed, place, place_around};
pub use types::{Candidate, Kind, Shape};

use super::archive::{Archive, TileFormat};
use super::error::{TileAddr, VectorError};
use super::snapshot::{Snapshot, TileSource, View, mercator};
use super::streets::OsmStreets;
use crate::spatial::labels::Bounds;

/// A basemap whose names can be placed: label tiles at levels `label_levels()`, the
/// tile standing for a view's tile (itself or an ancestor the source holds), and the
/// candidates of a tile.
pub trait LabelSource: TileSource + Send + Sync {
    fn label_levels(&self) -> (u8, u8);
    fn label_tile(&self, addr: TileAddr) -> Result<Option<TileAddr>, VectorError>;
    fn label_candidates(&self, tile: TileAddr) -> Result<Vec<Candidate>, VectorError>;
}

impl LabelSource for Archive {
    fn label_levels(&self) -> (u8, u8) {
        (self.min_zoom(), self.max_zoom())
    }
    fn label_tile(&self, addr: TileAddr) -> Result<Option<TileAddr>, VectorError> {
        if self.format() != TileFormat::Mvt {
            return Ok(None);
        }
        held_tile(self, addr)
    }
    fn label_candidates(&self, tile: TileAddr) -> Result<Vec<Candidate>, VectorError> {
        archive_candidates(self, tile)
    }
}

impl LabelSource for OsmStreets {
    fn label_levels(&self) -> (u8, u8) {
        (osm::MIN_LEVEL, osm::MAX_LEVEL)
    }
    fn label_tile(&self, addr: TileAddr) -> Result<Option<TileAddr>, VectorError> {
        Ok(Some(addr))
    }
    fn label_candidates(&self, tile: TileAddr) -> Result<Vec<Candidate>, VectorError> {
        Ok(osm::osm_candidates(self, tile))
    }
}

impl<T: LabelSource + ?Sized> LabelSource for std::sync::Arc<T> {
    fn label_levels(&self) -> (u8, u8) {
        (**self).label_levels()
    }
    fn label_tile(&self, addr: TileAddr) -> Result<Option<TileAddr>, VectorError> {
        (**self).label_tile(addr)
    }
    fn label_candidates(&self, tile: TileAddr) -> Result<Vec<Candidate>, VectorError> {
        (**self).label_candidates(tile)
    }
}

/// A label drawn in a snapshot: its text, kind, the box it takes (left, top, right,
/// bottom, pixels) and its angle in degrees (0 for horizontal).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrawnLabel {
    pub text: String,
    pub kind: Kind,
    #[serde(rename = "box")]
    pub bounds: [f32; 4],
    pub angle: f32,
}

/// Shapes each candidate's text once per distinct (text, size, weight). A text that
/// cannot be shaped (no font asset) is an error, not a silently missing label.
pub struct ShapeCache {
    fonts: LabelFonts,
    shaped: HashMap<(String, u32, bool), Shaped>,
}

impl ShapeCache {
    pub fn new() -> Result<ShapeCache, VectorError> {
        Ok(ShapeCache {
            fonts: LabelFonts::new().map_err(VectorError::Fonts)?,
            shaped: HashMap::new(),
        })
    }

    pub fn get(&mut self, c: &Candidate) -> Result<&Shaped, VectorError> {
        let key = (c.text.clone(), c.px.to_bits(), c.bold);
        if !self.shaped.contains_key(&key) {
            let s = self
                .fonts
                .shape(&c.text, c.px, c.bold)
                .map_err(VectorError::Fonts)?;
            self.shaped.insert(key.clone(), s);
        }
        Ok(&self.shaped[&key])
    }

    /// The shaped size of each candidate (`None` for text with no outline).
    pub fn sizes(&mut self, cs: &[Candidate]) -> Result<Vec<Option<[f32; 2]>>, VectorError> {
        let mut out = Vec::with_capacity(cs.len());
        for c in cs {
            let s = self.get(c)?;
            out.push(s.path.is_some().then_some(s.size));
        }
        Ok(out)
    }
}

impl Frame {
    /// The frame of a snapshot view.
    pub fn of(view: &View) -> Frame {
        let world = 256.0 * 2f64.powf(view.zoom);
        let c = mercator(view.center[0], view.center[1]);
        Frame {
            origin: [
                c[0] * world - f64::from(view.size[0]) / 2.0,
                c[1] * world - f64::from(view.size[1]) / 2.0,
            ],
            world,
            size: [view.size[0] as f32, view.size[1] as f32],
        }
    }
}

/// The archive level labels are read from at display zoom `zoom` for an archive of
/// levels `min..=max`: the view's own level, overzoomed past `max`; none below `min`,
/// where the map does not draw the archive either (the demo's streets of one town from
/// zoom 12, seen at the world view, would otherwise be millions of tiles a frame).
pub fn label_level(min: u8, max: u8, zoom: f64) -> Option<u8> {
    let z = zoom.floor().clamp(0.0, 255.0) as u8;
    (z >= min).then(|| z.min(max))
}

/// The tiles at level `z` whose labels a frame may show: those under the view and one
/// tile around it, so a name whose point lies just outside still labels a road that
/// enters the view.
pub fn view_tiles(frame: &Frame, z: u8) -> Vec<TileAddr> {
    let n = 1i64 << z;
    let tile_px = frame.world / n as f64;
    let x0 = (frame.origin[0] / tile_px).floor() as i64 - 1;
    let x1 = ((frame.origin[0] + f64::from(frame.size[0])) / tile_px).floor() as i64 + 1;
    let y0 = ((frame.origin[1] / tile_px).floor() as i64 - 1).max(0);
    let y1 =
        (((frame.origin[1] + f64::from(frame.size[1])) / tile_px).floor() as i64 + 1).min(n - 1);
    let mut out = BTreeSet::new();
    for ty in y0..=y1 {
        for tx in x0..=x1.min(x0 + n - 1) {
            out.insert(TileAddr {
                z,
                x: tx.rem_euclid(n) as u32,
                y: ty as u32,
            });
        }
    }
    out.into_iter().collect()
}

/// The tile the archive holds for `addr`: itself or its nearest ancestor (overzoom).
pub fn held_tile(archive: &Archive, addr: TileAddr) -> Result<Option<TileAddr>, VectorError> {
    for z in (archive.min_zoom()..=addr.z).rev() {
        let (anc, _, _) = addr.ancestor(z);
        if archive.tile(anc)?.is_some() {
            return Ok(Some(anc));
        }
    }
    Ok(None)
}

/// The label tiles whose labels a frame may show (each once).
pub fn source_tiles(source: &dyn LabelSource, frame: &Frame) -> Result<Vec<TileAddr>, VectorError> {
    let (min, max) = source.label_levels();
    let Some(z) = label_level(min, max, f64::from(frame.zoom())) else {
        return Ok(Vec::new());
    };
    let mut out = BTreeSet::new();
    for t in view_tiles(frame, z) {
        if let Some(held) = source.label_tile(t)? {
            out.insert(held);
        }
    }
    Ok(out.into_iter().collect())
}

/// The label candidates of one archive tile; none for a raster archive.
pub fn archive_candidates(
    archive: &Archive,
    tile: TileAddr,
) -> Result<Vec<Candidate>, VectorError> {
    if archive.format() != TileFormat::Mvt {
        return Ok(Vec::new());
    }
    let Some(bytes) = archive.tile(tile)? else {
        return Ok(Vec::new());
    };
    tile_candidates(&bytes, tile).map_err(|e| VectorError::Tile {
        path: archive.path().to_owned(),
        tile,
        reason: e.to_string(),
    })
}

/// Places `candidates` in `view` around the boxes `taken` (the case's marks and
/// labels, placed first) and paints them into `image` (the view's snapshot); returns
/// the labels drawn.
pub fn draw_labels(
    image: &mut image::RgbaImage,
    view: &View,
    candidates: &[Candidate],
    taken: &[Bounds],
    shapes: &mut ShapeCache,
) -> Result<Vec<DrawnLabel>, VectorError> {
    let frame = Frame::of(view);
    let sizes = shapes.sizes(candidates)?;
    let placed = place_around(candidates, &sizes, &frame, taken);
    let (w, h) = (image.width(), image.height());
    // A snapshot is opaque (its paper colour is), so its straight RGBA is also the
    // premultiplied RGBA tiny-skia paints into.
    let Some(mut pixmap) = tiny_skia::PixmapMut::from_bytes(image.as_mut(), w, h) else {
        return Ok(Vec::new());
    };
    let mut drawn = Vec::with_capacity(placed.len());
    for p in &placed {
        let c = &candidates[p.candidate];
        let shaped = shapes.get(c)?;
        paint::paint_label(&mut pixmap, shaped, c.kind, view.theme, p.center, p.angle);
        drawn.push(DrawnLabel {
            text: c.text.clone(),
            kind: c.kind,
            bounds: [
                p.bounds.min[0],
                p.bounds.min[1],
                p.bounds.max[0],
                p.bounds.max[1],
            ],
            angle: p.angle.to_degrees(),
        });
    }
    Ok(drawn)
}

/// Places and draws the names of `source` on `snap`, its rendering of `view`, around
/// the boxes `taken`. A tile whose labels cannot be read is named in `tile_errors`,
/// like one that cannot be drawn.
pub fn label_snapshot(
    source: &dyn LabelSource,
    view: &View,
    snap: &mut Snapshot,
    taken: &[Bounds],
) -> Result<Vec<DrawnLabel>, VectorError> {
    let mut candidates = Vec::new();
    for t in source_tiles(source, &Frame::of(view))? {
        match source.label_candidates(t) {
            Ok(c) => candidates.extend(c),
            Err(e) => {
                let e = e.to_string();
                if !snap.tile_errors.contains(&e) {
                    snap.tile_errors.push(e);
                }
            }
        }
    }
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let mut shapes = ShapeCache::new()?;
    draw_labels(&mut snap.image, view, &candidates, taken, &mut shapes)
}

/// [`super::snapshot::render`] with the source's labels placed and drawn on top, and
/// the labels drawn.
pub fn render_labelled(
    source: &dyn LabelSource,
    view: &View,
) -> Result<(Snapshot, Vec<DrawnLabel>), VectorError> {
    let mut snap = super::snapshot::render(source, view)?;
    let labels = label_snapshot(source, view, &mut snap, &[])?;
    Ok((snap, labels))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_come_from_the_archive_level_of_the_view_clamped_to_its_levels() {
        assert_eq!(label_level(0, 14, 3.7), Some(3));
        assert_eq!(label_level(0, 14, 17.2), Some(14));
        assert_eq!(label_level(12, 15, 12.0), Some(12));
        assert_eq!(label_level(12, 15, 11.9), None);
    }

    #[test]
    fn a_view_far_below_the_archive_levels_places_no_labels() {
        // The demo's Vaduz streets (zoom 12-15) under the world view: no labels, rather
        // than every zoom-12 tile of the world asked for in each frame.
        assert_eq!(label_level(12, 15, 9.9), None);
        assert_eq!(label_level(12, 15, 1.0), None);
        let frame = Frame::of(&View {
            center: [47.14, 9.52],
            zoom: 2.0,
            size: [1400, 900],
            theme: crate::vector::Theme::Light,
        });
        let z = label_level(12, 15, f64::from(frame.zoom()));
        assert!(z.is_none(), "{z:?}");
    }
}
