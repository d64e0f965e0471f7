//! Basemap sources: the bundled Blue Marble, a local `.pmtiles` archive, or a local
//! `{z}/{x}/{y}.png|jpg` tile folder. All are files on disk: none makes a request.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use walkers::sources::Attribution;
use walkers::{Tile, TileId, TilePiece, Tiles};

/// The deepest zoom level in the bundled Blue Marble archive.
pub const BLUE_MARBLE_MAX_ZOOM: u8 = 5;

/// Which basemap the analyst chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceChoice {
    BlueMarble,
    PmTiles(PathBuf),
    Folder(PathBuf),
}

/// The tile at `zoom` that covers `tile`, and the part of it (in 0..1 texture
/// coordinates) that `tile` occupies.
pub fn ancestor_tile(tile: TileId, zoom: u8) -> (TileId, egui::Rect) {
    let scale = 1u32 << (tile.zoom - zoom);
    let ancestor = TileId {
        x: tile.x / scale,
        y: tile.y / scale,
        zoom,
    };
    let step = 1.0 / scale as f32;
    let min = egui::pos2(
        (tile.x % scale) as f32 * step,
        (tile.y % scale) as f32 * step,
    );
    (
        ancestor,
        egui::Rect::from_min_size(min, egui::vec2(step, step)),
    )
}

/// `piece` cut down to the `sub` part of it.
fn sub_piece(piece: TilePiece, sub: egui::Rect) -> TilePiece {
    let uv = piece.uv;
    let map = |p: egui::Pos2| uv.min + (p.to_vec2() * uv.size());
    TilePiece::new(
        piece.tile,
        egui::Rect::from_min_max(map(sub.min), map(sub.max)),
    )
}

/// A `.pmtiles` raster archive with a known deepest level; deeper zooms draw that level
/// enlarged instead of asking the archive for tiles it does not have.
pub struct PmTilesSource {
    tiles: walkers::PmTiles,
    max_zoom: u8,
    name: &'static str,
}

impl PmTilesSource {
    pub fn new(
        path: &Path,
        max_zoom: u8,
        name: &'static str,
        ctx: &egui::Context,
    ) -> PmTilesSource {
        PmTilesSource {
            tiles: walkers::PmTiles::with_style_and_tile_size(
                path,
                Default::default(),
                256,
                ctx.clone(),
            ),
            max_zoom,
            name,
        }
    }
}

impl Tiles for PmTilesSource {
    fn at(&mut self, tile_id: TileId) -> Option<TilePiece> {
        if tile_id.zoom <= self.max_zoom {
            return self.tiles.at(tile_id);
        }
        let (ancestor, sub) = ancestor_tile(tile_id, self.max_zoom);
        self.tiles.at(ancestor).map(|piece| sub_piece(piece, sub))
    }
    fn attribution(&self) -> Attribution {
        Attribution {
            text: self.name,
            url: "",
            logo_light: None,
            logo_dark: None,
        }
    }
    fn tile_size(&self) -> u32 {
        self.tiles.tile_size()
    }
}

/// A folder of `z/x/y.png` (or `.jpg`, `.jpeg`, `.webp`) tiles, XYZ scheme, 256 px.
/// Missing tiles fall back to the nearest available ancestor, enlarged.
pub struct FolderTiles {
    root: PathBuf,
    cache: HashMap<TileId, Option<Tile>>,
    ctx: egui::Context,
    loads_this_frame: (u64, usize),
}

/// Reading a tile is a small file read and decode; a few per frame keep panning smooth.
const LOADS_PER_FRAME: usize = 16;

impl FolderTiles {
    pub fn new(root: PathBuf, ctx: &egui::Context) -> FolderTiles {
        FolderTiles {
            root,
            cache: HashMap::new(),
            ctx: ctx.clone(),
            loads_this_frame: (0, 0),
        }
    }

    fn load(&mut self, id: TileId) -> Option<Tile> {
        if let Some(cached) = self.cache.get(&id) {
            return cached.clone();
        }
        let frame = self.ctx.cumulative_pass_nr();
        if self.loads_this_frame.0 != frame {
            self.loads_this_frame = (frame, 0);
        }
        if self.loads_this_frame.1 >= LOADS_PER_FRAME {
            self.ctx.request_repaint();
            return None;
        }
        self.loads_this_frame.1 += 1;
        let dir = self.root.join(id.zoom.to_string()).join(id.x.to_string());
        let tile = ["png", "jpg", "jpeg", "webp"].iter().find_map(|ext| {
            let bytes = std::fs::read(dir.join(format!("{}.{ext}", id.y))).ok()?;
            Tile::new(&bytes, &Default::default(), id.zoom, 256, &self.ctx)
                .map_err(|e| {
                    log::warn!(
                        "{}: tile {}/{}/{}: {e}",
                        self.root.display(),
                        id.zoom,
                        id.x,
                        id.y
                    )
                })
                .ok()
        });
        self.cache.insert(id, tile.clone());
        tile
    }
}

impl Tiles for FolderTiles {
    fn at(&mut self, tile_id: TileId) -> Option<TilePiece> {
        for zoom in (0..=tile_id.zoom).rev().take(8) {
            let (id, sub) = ancestor_tile(tile_id, zoom);
            if let Some(tile) = self.load(id) {
                return Some(sub_piece(
                    TilePiece::new(
                        tile,
                        egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
                    ),
                    sub,
                ));
            }
        }
        None
    }
    fn attribution(&self) -> Attribution {
        Attribution {
            text: "local tile folder",
            url: "",
            logo_light: None,
            logo_dark: None,
        }
    }
    fn tile_size(&self) -> u32 {
        256
    }
}

/// Opens the chosen source.
pub fn open_source(
    choice: &SourceChoice,
    assets: &Path,
    ctx: &egui::Context,
) -> Result<Box<dyn Tiles>, String> {
    match choice {
        SourceChoice::BlueMarble => {
            let path = assets.join("basemap/bluemarble-z0-5.pmtiles");
            if !path.is_file() {
                return Err(format!("{}: bundled basemap missing", path.display()));
            }
            Ok(Box::new(PmTilesSource::new(
                &path,
                BLUE_MARBLE_MAX_ZOOM,
                "NASA Blue Marble (public domain)",
                ctx,
            )))
        }
        SourceChoice::PmTiles(path) => {
            let mut head = [0u8; 7];
            std::fs::File::open(path)
                .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
                .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
            if &head != b"PMTiles" {
                return Err(format!("{}: not a PMTiles archive", path.display()));
            }
            // walkers reads up to zoom 15 from any archive.
            Ok(Box::new(PmTilesSource::new(path, 15, "local PMTiles", ctx)))
        }
        SourceChoice::Folder(path) => {
            let has_zoom_dirs = std::fs::read_dir(path)
                .map_err(|e| format!("{}: cannot read: {e}", path.display()))?
                .filter_map(Result::ok)
                .any(|e| {
                    e.file_name().to_string_lossy().parse::<u8>().is_ok() && e.path().is_dir()
                });
            if !has_zoom_dirs {
                return Err(format!(
                    "{}: no {{z}}/{{x}}/{{y}} tile folders found",
                    path.display()
                ));
            }
            Ok(Box::new(FolderTiles::new(path.clone(), ctx)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ancestor_tile_covers_the_right_quarter() {
        let (a, uv) = ancestor_tile(
            TileId {
                x: 3,
                y: 2,
                zoom: 6,
            },
            5,
        );
        assert_eq!((a.x, a.y, a.zoom), (1, 1, 5));
        assert_eq!(
            uv,
            egui::Rect::from_min_max(egui::pos2(0.5, 0.0), egui::pos2(1.0, 0.5))
        );
        let (a, uv) = ancestor_tile(
            TileId {
                x: 1023,
                y: 0,
                zoom: 10,
            },
            5,
        );
        assert_eq!((a.x, a.y), (31, 0));
        assert_eq!(uv.min, egui::pos2(31.0 / 32.0, 0.0));
    }

    #[test]
    fn folder_source_serves_tiles_and_falls_back_to_ancestors() {
        let dir = tempfile::tempdir().unwrap();
        let tile_dir = dir.path().join("3/4");
        std::fs::create_dir_all(&tile_dir).unwrap();
        let img = image::RgbImage::from_pixel(256, 256, image::Rgb([200, 10, 10]));
        img.save(tile_dir.join("2.png")).unwrap();
        let ctx = egui::Context::default();
        let mut tiles = open_source(
            &SourceChoice::Folder(dir.path().to_owned()),
            Path::new("."),
            &ctx,
        )
        .unwrap();
        assert!(
            tiles
                .at(TileId {
                    x: 4,
                    y: 2,
                    zoom: 3
                })
                .is_some()
        );
        let child = tiles
            .at(TileId {
                x: 9,
                y: 5,
                zoom: 4,
            })
            .expect("ancestor used");
        assert_eq!(child.uv.min, egui::pos2(0.5, 0.5));
        assert!(
            tiles
                .at(TileId {
                    x: 0,
                    y: 0,
                    zoom: 3
                })
                .is_none()
        );
    }

    #[test]
    fn a_file_that_is_not_pmtiles_is_refused_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fake.pmtiles");
        std::fs::write(&path, b"hello world").unwrap();
        let ctx = egui::Context::default();
        let err = open_source(&SourceChoice::PmTiles(path), Path::new("."), &ctx)
            .err()
            .unwrap();
        assert!(err.contains("fake.pmtiles: not a PMTiles archive"), "{err}");
    }
}
