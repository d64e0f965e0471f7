//! The bundled basemap: the Blue Marble everywhere, and from zoom 12 the bundled street
//! map of Vaduz (vector tiles made from OpenStreetMap, ODbL) where it reaches, drawn by
//! the vector tile service; so the demo's Liechtenstein finding shows streets offline.
//! While a street tile is being drawn, the Blue Marble stands in for it.

use walkers::sources::Attribution;
use walkers::{TileId, TilePiece, Tiles};

use super::tiles::text_attribution;
use super::vector::VectorTiles;
use crate::vector::Archive;
use crate::vector::snapshot::unmercator;

pub struct WithStreets {
    base: Box<dyn Tiles>,
    streets: VectorTiles,
    /// West, south, east, north the street map covers.
    bounds: [f64; 4],
    min_zoom: u8,
}

impl WithStreets {
    /// `base` with the street map `streets` over it where `streets`' header says it
    /// reaches (nowhere when it does not say).
    pub fn new(base: Box<dyn Tiles>, streets: Archive, ctx: &egui::Context) -> WithStreets {
        let bounds = streets.bounds().unwrap_or([0.0; 4]);
        let min_zoom = streets.min_zoom();
        WithStreets {
            base,
            streets: VectorTiles::new(streets, ctx),
            bounds,
            min_zoom,
        }
    }

    fn covers(&self, t: TileId) -> bool {
        let n = f64::from(1u32 << t.zoom);
        let nw = unmercator(f64::from(t.x) / n, f64::from(t.y) / n);
        let se = unmercator(f64::from(t.x + 1) / n, f64::from(t.y + 1) / n);
        let [w, s, e, north] = self.bounds;
        t.zoom >= self.min_zoom && nw[1] < e && se[1] > w && se[0] < north && nw[0] > s
    }
}

impl Tiles for WithStreets {
    fn at(&mut self, tile_id: TileId) -> Option<TilePiece> {
        if self.covers(tile_id)
            && let Some(piece) = self.streets.at(tile_id)
        {
            return Some(piece);
        }
        self.base.at(tile_id)
    }
    fn attribution(&self) -> Attribution {
        text_attribution(
            "NASA Blue Marble (public domain); Vaduz streets © OpenStreetMap contributors (ODbL)",
        )
    }
    fn tile_size(&self) -> u32 {
        256
    }
}
