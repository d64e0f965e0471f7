//! A map view rendered offline into an image: the tiles of a vector or raster archive
//! that cover it, overzoomed past the archive's deepest level, vector tiles through the
//! same meshes the map draws. A tile that cannot be read or decoded is left blank and
//! named in `tile_errors`; the rest of the view is still drawn.

use std::path::Path;

use image::RgbaImage;

use super::archive::{Archive, TileFormat};
use super::error::{TileAddr, VectorError};
use super::mesh;
use super::raster::{Placement, fill_mesh};
use super::style::{self, Schema, Theme};

/// Largest snapshot side, in pixels.
pub const MAX_SIDE: u32 = 8192;
/// Deepest display zoom.
pub const MAX_ZOOM: f64 = 22.0;
/// Web Mercator's latitude limit.
const MAX_LAT: f64 = 85.051_128_779_806_59;

/// What to render: the centre (latitude, longitude, degrees), a Web Mercator zoom
/// (256-pixel tiles), the image size and the colours.
#[derive(Debug, Clone, Copy)]
pub struct View {
    pub center: [f64; 2],
    pub zoom: f64,
    pub size: [u32; 2],
    pub theme: Theme,
}

/// A rendered view.
#[derive(Debug)]
pub struct Snapshot {
    pub image: RgbaImage,
    /// West, south, east, north, degrees.
    pub bounds: [f64; 4],
    /// The level the tiles came from (below the view's zoom when overzoomed); `None`
    /// when the source draws nothing at the view's zoom.
    pub source_zoom: Option<u8>,
    pub schema: Option<Schema>,
    pub tiles_drawn: usize,
    pub tile_errors: Vec<String>,
    pub notes: Vec<String>,
}

/// Web Mercator x, y in 0..1 (y down) of a latitude and longitude.
pub fn mercator(lat: f64, lon: f64) -> [f64; 2] {
    let lat = lat.clamp(-MAX_LAT, MAX_LAT).to_radians();
    [
        (lon + 180.0) / 360.0,
        (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0,
    ]
}

/// Latitude, longitude of Web Mercator x, y in 0..1.
pub fn unmercator(x: f64, y: f64) -> [f64; 2] {
    let n = std::f64::consts::PI * (1.0 - 2.0 * y);
    [n.sinh().atan().to_degrees(), x * 360.0 - 180.0]
}

impl View {
    fn check(&self) -> Result<(), VectorError> {
        let [lat, lon] = self.center;
        let bad = |m: String| Err(VectorError::View(m));
        if !(lat.abs() <= MAX_LAT && lon.abs() <= 180.0) {
            return bad(format!(
                "centre {lat},{lon} is outside Web Mercator (latitude within ±85.05, longitude within ±180)"
            ));
        }
        if !(0.0..=MAX_ZOOM).contains(&self.zoom) {
            return bad(format!("zoom {} is outside 0..{MAX_ZOOM}", self.zoom));
        }
        let [w, h] = self.size;
        if w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE {
            return bad(format!(
                "size {w}x{h} is outside 1..{MAX_SIDE} pixels a side"
            ));
        }
        Ok(())
    }

    /// The view's top-left corner in world pixels at its zoom, and the world's size.
    fn origin(&self) -> ([f64; 2], f64) {
        let world = 256.0 * 2f64.powf(self.zoom);
        let c = mercator(self.center[0], self.center[1]);
        (
            [
                c[0] * world - f64::from(self.size[0]) / 2.0,
                c[1] * world - f64::from(self.size[1]) / 2.0,
            ],
            world,
        )
    }

    /// West, south, east, north of the view, degrees.
    pub fn bounds(&self) -> [f64; 4] {
        let (o, world) = self.origin();
        let nw = unmercator(o[0] / world, o[1] / world);
        let se = unmercator(
            (o[0] + f64::from(self.size[0])) / world,
            (o[1] + f64::from(self.size[1])) / world,
        );
        [nw[1], se[0], se[1], nw[0]]
    }
}

/// Where a view's tiles come from: a tile archive ([`Archive`]) or an OSM extract's
/// index drawn as a street map ([`super::streets::OsmStreets`]).
pub trait TileSource {
    fn path(&self) -> &Path;
    /// The level a view at `zoom` is drawn from; `None` when the source draws nothing
    /// at that zoom.
    fn level_for(&self, zoom: f64) -> Option<u8>;
    /// Draws the tile at `addr` (or what stands for it) into `image` at `at`:
    /// `Ok(None)` when the source has nothing there, `Ok(Some(schema))` when drawn.
    fn draw(
        &self,
        addr: TileAddr,
        view: &View,
        at: Placement,
        image: &mut RgbaImage,
    ) -> Result<Option<Option<Schema>>, VectorError>;
    /// What a view at `zoom` should say about the source (overzoom, a zoom the source
    /// does not draw at, kinds of features it lacks).
    fn notes(&self, zoom: f64) -> Vec<String>;
}

impl TileSource for Archive {
    fn path(&self) -> &Path {
        Archive::path(self)
    }
    fn level_for(&self, zoom: f64) -> Option<u8> {
        Some((zoom.floor() as u8).clamp(self.min_zoom(), self.max_zoom()))
    }
    fn draw(
        &self,
        addr: TileAddr,
        view: &View,
        at: Placement,
        image: &mut RgbaImage,
    ) -> Result<Option<Option<Schema>>, VectorError> {
        draw_tile(self, view, addr, at, image)
    }
    fn notes(&self, zoom: f64) -> Vec<String> {
        if zoom > f64::from(self.max_zoom()) {
            vec![format!(
                "overzoomed: the archive's deepest level is {}, drawn enlarged",
                self.max_zoom()
            )]
        } else {
            Vec::new()
        }
    }
}

/// Renders `view` from `source`.
pub fn render(source: &dyn TileSource, view: &View) -> Result<Snapshot, VectorError> {
    view.check()?;
    let bg = style::background(view.theme);
    let mut image = RgbaImage::from_pixel(view.size[0], view.size[1], image::Rgba(bg));
    let source_zoom = source.level_for(view.zoom);
    let mut snap = Snapshot {
        image: RgbaImage::new(0, 0),
        bounds: view.bounds(),
        source_zoom,
        schema: None,
        tiles_drawn: 0,
        tile_errors: Vec::new(),
        notes: Vec::new(),
    };
    if let Some(z) = source_zoom {
        draw_tiles(source, view, z, &mut image, &mut snap);
    }
    if let Some(note) = snap.schema.and_then(Schema::note) {
        snap.notes.push(note.into());
    }
    snap.notes.extend(source.notes(view.zoom));
    snap.image = image;
    Ok(snap)
}

/// Draws every tile of level `source_zoom` that the view meets.
fn draw_tiles(
    source: &dyn TileSource,
    view: &View,
    source_zoom: u8,
    image: &mut RgbaImage,
    snap: &mut Snapshot,
) {
    let (origin, _) = view.origin();
    let tile_px = 256.0 * 2f64.powf(view.zoom - f64::from(source_zoom));
    let n = 1i64 << source_zoom;
    let x0 = (origin[0] / tile_px).floor() as i64;
    let x1 = ((origin[0] + f64::from(view.size[0])) / tile_px).ceil() as i64;
    let y0 = ((origin[1] / tile_px).floor() as i64).max(0);
    let y1 = (((origin[1] + f64::from(view.size[1])) / tile_px).ceil() as i64).min(n);
    for ty in y0..y1 {
        for tx in x0..x1 {
            let offset = [
                tx as f64 * tile_px - origin[0],
                ty as f64 * tile_px - origin[1],
            ];
            let clip = [
                offset[0].round() as i64,
                offset[1].round() as i64,
                (offset[0] + tile_px).round() as i64,
                (offset[1] + tile_px).round() as i64,
            ];
            let addr = TileAddr {
                z: source_zoom,
                x: tx.rem_euclid(n) as u32,
                y: ty as u32,
            };
            let at = Placement {
                offset,
                scale: tile_px,
                clip,
            };
            match source.draw(addr, view, at, image) {
                Ok(Some(schema)) => {
                    snap.tiles_drawn += 1;
                    snap.schema = snap.schema.or(schema);
                }
                Ok(None) => {}
                Err(e) => snap.tile_errors.push(e.to_string()),
            }
        }
    }
}

/// Draws the tile at `addr`, or its nearest ancestor the archive holds, into `at`.
/// `Ok(None)` when neither exists; `Ok(Some(schema))` when drawn.
fn draw_tile(
    archive: &Archive,
    view: &View,
    addr: TileAddr,
    at: Placement,
    image: &mut RgbaImage,
) -> Result<Option<Option<Schema>>, VectorError> {
    let (offset, tile_px, clip) = (at.offset, at.scale, at.clip);
    for z in (archive.min_zoom()..=addr.z).rev() {
        let (anc, off, frac) = addr.ancestor(z);
        let Some(bytes) = archive.tile(anc)? else {
            continue;
        };
        let px = tile_px / frac;
        let at = Placement {
            offset: [offset[0] - off[0] * px, offset[1] - off[1] * px],
            scale: px,
            clip,
        };
        let fail = |reason: String| VectorError::Tile {
            path: archive.path().to_owned(),
            tile: anc,
            reason,
        };
        return if archive.format() == TileFormat::Mvt {
            let tm = mesh::tile_mesh(&bytes, view.theme, view.zoom as f32, px as f32)
                .map_err(|e| fail(e.to_string()))?;
            fill_mesh(image, &tm.mesh, at);
            Ok(Some(tm.schema))
        } else {
            let tile = image::load_from_memory(&bytes)
                .map_err(|e| fail(format!("not a readable image ({e})")))?
                .to_rgba8();
            blit(image, &tile, at);
            Ok(Some(None))
        };
    }
    Ok(None)
}

/// Draws a raster tile scaled into place, nearest pixel.
fn blit(image: &mut RgbaImage, tile: &RgbaImage, at: Placement) {
    let (w, h) = (i64::from(image.width()), i64::from(image.height()));
    let (tw, th) = (f64::from(tile.width()), f64::from(tile.height()));
    for y in at.clip[1].max(0)..at.clip[3].min(h) {
        let v = ((y as f64 + 0.5 - at.offset[1]) / at.scale * th).floor();
        if !(0.0..th).contains(&v) {
            continue;
        }
        for x in at.clip[0].max(0)..at.clip[2].min(w) {
            let u = ((x as f64 + 0.5 - at.offset[0]) / at.scale * tw).floor();
            if (0.0..tw).contains(&u) {
                let p = *tile.get_pixel(u as u32, v as u32);
                image.put_pixel(x as u32, y as u32, p);
            }
        }
    }
}
