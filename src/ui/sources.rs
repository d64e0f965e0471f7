//! Basemap sources: the bundled Blue Marble, a local `.pmtiles` or `.mbtiles` archive,
//! a local `{z}/{x}/{y}.png|jpg` tile folder, or an online XYZ server (see `online`).
//! Only the last makes network requests.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::online::{HttpTileSource, NetworkLedger, OnlineSource, Timeouts};

use crate::assets;
use walkers::sources::Attribution;
use walkers::{Tile, TileId, TilePiece, Tiles};

/// Which basemap the analyst chose (remembered between runs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SourceChoice {
    BlueMarble,
    PmTiles(PathBuf),
    MbTiles(PathBuf),
    Folder(PathBuf),
    Online(OnlineSource),
}

impl SourceChoice {
    pub fn is_online(&self) -> bool {
        matches!(self, SourceChoice::Online(_))
    }

    pub fn label(&self) -> String {
        match self {
            SourceChoice::BlueMarble => "Blue Marble (offline)".into(),
            SourceChoice::PmTiles(p) | SourceChoice::MbTiles(p) | SourceChoice::Folder(p) => {
                p.file_name().map_or_else(
                    || p.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                )
            }
            SourceChoice::Online(s) => format!("{} (online)", s.name),
        }
    }
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

/// An attribution that is just a line of text (no link, no logo).
pub(super) fn text_attribution(text: &'static str) -> Attribution {
    Attribution {
        text,
        url: "",
        logo_light: None,
        logo_dark: None,
    }
}

/// `piece` cut down to the `sub` part of it.
pub(super) fn sub_piece(piece: TilePiece, sub: egui::Rect) -> TilePiece {
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
        text_attribution(self.name)
    }
    fn tile_size(&self) -> u32 {
        self.tiles.tile_size()
    }
}

/// Where a local tile source reads one tile's bytes from.
pub trait TileStore {
    /// The tile's encoded image, `None` if the store has no such tile.
    fn read(&self, id: TileId) -> Result<Option<Vec<u8>>, String>;
    fn describe(&self) -> String;
    /// The deepest level the store holds, when it knows it: deeper zooms draw that level
    /// enlarged without asking for tiles that cannot exist.
    fn max_zoom(&self) -> Option<u8> {
        None
    }
}

/// A raster PMTiles archive held in memory: the bundled Blue Marble is read in place
/// from the program's own bytes (walkers' `PmTiles` only opens files, and a copied
/// binary has no file to open).
pub struct MemoryPmTiles {
    reader: pmtiles::AsyncPmTilesReader<MemoryBackend>,
    name: String,
}

/// PMTiles' byte-range reads, answered from memory without copying.
pub struct MemoryBackend(bytes::Bytes);

impl pmtiles::AsyncBackend for MemoryBackend {
    async fn read(
        &self,
        offset: usize,
        length: usize,
    ) -> pmtiles::PmtResult<pmtiles::BackendResponse> {
        let end = offset.saturating_add(length).min(self.0.len());
        let start = offset.min(end);
        Ok(pmtiles::BackendResponse::new(self.0.slice(start..end)))
    }
}

impl MemoryPmTiles {
    /// Reads the archive's header and root directory; `name` is used in messages.
    pub fn open(bytes: bytes::Bytes, name: &str) -> Result<MemoryPmTiles, String> {
        let reader = pollster::block_on(pmtiles::AsyncPmTilesReader::try_from_source(
            MemoryBackend(bytes),
        ))
        .map_err(|e| format!("{name}: not a readable PMTiles archive ({e})"))?;
        if reader.get_header().tile_type == pmtiles::TileType::Mvt {
            return Err(format!(
                "{name}: holds vector tiles; only raster tiles can be shown"
            ));
        }
        Ok(MemoryPmTiles {
            reader,
            name: name.to_owned(),
        })
    }
}

impl TileStore for MemoryPmTiles {
    fn read(&self, id: TileId) -> Result<Option<Vec<u8>>, String> {
        let coord = pmtiles::TileCoord::new(id.zoom, id.x, id.y).map_err(|e| e.to_string())?;
        pollster::block_on(self.reader.get_tile_decompressed(coord))
            .map(|tile| tile.map(|b| b.to_vec()))
            .map_err(|e| e.to_string())
    }
    fn describe(&self) -> String {
        self.name.clone()
    }
    fn max_zoom(&self) -> Option<u8> {
        Some(self.reader.get_header().max_zoom)
    }
}

/// A folder of `z/x/y.png` (or `.jpg`, `.jpeg`, `.webp`) tiles, XYZ scheme, 256 px.
pub struct FolderStore {
    root: PathBuf,
}

impl TileStore for FolderStore {
    fn read(&self, id: TileId) -> Result<Option<Vec<u8>>, String> {
        let dir = self.root.join(id.zoom.to_string()).join(id.x.to_string());
        for ext in ["png", "jpg", "jpeg", "webp"] {
            match std::fs::read(dir.join(format!("{}.{ext}", id.y))) {
                Ok(bytes) => return Ok(Some(bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e.to_string()),
            }
        }
        Ok(None)
    }
    fn describe(&self) -> String {
        self.root.display().to_string()
    }
}

/// An MBTiles archive (SQLite, TMS rows), opened read-only.
pub struct MbTilesStore {
    path: PathBuf,
    db: rusqlite::Connection,
}

impl MbTilesStore {
    pub fn open(path: &Path) -> Result<MbTilesStore, String> {
        let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
        if !path.is_file() {
            return Err(fail(&"no such file"));
        }
        let db = rusqlite::Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| fail(&e))?;
        // Fails on a file that is not SQLite, or SQLite without the tiles table/view.
        let format: Option<String> = db
            .query_row("SELECT count(*) FROM tiles LIMIT 1", [], |_| Ok(()))
            .and_then(|()| {
                db.query_row(
                    "SELECT value FROM metadata WHERE name = 'format'",
                    [],
                    |r| r.get(0),
                )
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    e => Err(e),
                })
            })
            .map_err(|e| fail(&format_args!("not an MBTiles archive ({e})")))?;
        if let Some(f) = format.filter(|f| !matches!(f.as_str(), "png" | "jpg" | "jpeg" | "webp")) {
            return Err(fail(&format_args!(
                "holds '{f}' tiles; only raster png/jpg/webp tiles can be shown"
            )));
        }
        Ok(MbTilesStore {
            path: path.to_owned(),
            db,
        })
    }
}

impl TileStore for MbTilesStore {
    fn read(&self, id: TileId) -> Result<Option<Vec<u8>>, String> {
        // MBTiles counts rows from the south (TMS).
        let row = (1u32 << id.zoom) - 1 - id.y;
        self.db
            .prepare_cached(
                "SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
            )
            .and_then(|mut q| {
                q.query_row((id.zoom, id.x, row), |r| r.get::<_, Vec<u8>>(0))
                    .map(Some)
                    .or_else(|e| match e {
                        rusqlite::Error::QueryReturnedNoRows => Ok(None),
                        e => Err(e),
                    })
            })
            .map_err(|e| e.to_string())
    }
    fn describe(&self) -> String {
        self.path.display().to_string()
    }
}

/// Tiles from a local store, read on demand and kept decoded. Missing tiles fall back
/// to the nearest available ancestor, enlarged.
pub struct LocalTiles<S> {
    store: S,
    cache: HashMap<TileId, Option<Tile>>,
    ctx: egui::Context,
    loads_this_frame: (u64, usize),
    attribution: &'static str,
}

/// Reading a tile is a small file read and decode; a few per frame keep panning smooth.
const LOADS_PER_FRAME: usize = 16;

impl<S: TileStore> LocalTiles<S> {
    pub fn new(store: S, attribution: &'static str, ctx: &egui::Context) -> LocalTiles<S> {
        LocalTiles {
            store,
            cache: HashMap::new(),
            ctx: ctx.clone(),
            loads_this_frame: (0, 0),
            attribution,
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
        let decoded = match self.store.read(id) {
            Ok(None) => Ok(None),
            Ok(Some(bytes)) => Tile::new(&bytes, &Default::default(), id.zoom, 256, &self.ctx)
                .map(Some)
                .map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        let tile = decoded.unwrap_or_else(|e| {
            let store = self.store.describe();
            log::warn!("{store}: tile {}/{}/{}: {e}", id.zoom, id.x, id.y);
            None
        });
        self.cache.insert(id, tile.clone());
        tile
    }
}

impl<S: TileStore> Tiles for LocalTiles<S> {
    fn at(&mut self, tile_id: TileId) -> Option<TilePiece> {
        let deepest = self
            .store
            .max_zoom()
            .map_or(tile_id.zoom, |m| m.min(tile_id.zoom));
        for zoom in (0..=deepest).rev().take(8) {
            let (id, sub) = ancestor_tile(tile_id, zoom);
            if let Some(tile) = self.load(id) {
                return Some(sub_piece(whole_tile(tile), sub));
            }
        }
        None
    }
    fn attribution(&self) -> Attribution {
        text_attribution(self.attribution)
    }
    fn tile_size(&self) -> u32 {
        256
    }
}

/// A whole tile as a piece.
pub(super) fn whole_tile(tile: Tile) -> TilePiece {
    TilePiece::new(
        tile,
        egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
    )
}

/// Opens the chosen source. Only `Online` sends requests, each listed in `ledger`.
pub fn open_source(
    choice: &SourceChoice,
    ctx: &egui::Context,
    ledger: &Arc<NetworkLedger>,
) -> Result<Box<dyn Tiles>, String> {
    match choice {
        SourceChoice::BlueMarble => {
            let bytes = match assets::Origin::current() {
                assets::Origin::Embedded => bytes::Bytes::from_static(
                    assets::embedded_bytes(assets::path::BLUE_MARBLE).map_err(|e| e.to_string())?,
                ),
                assets::Origin::Folder(_) => bytes::Bytes::from(
                    assets::read(assets::path::BLUE_MARBLE)
                        .map_err(|e| e.to_string())?
                        .into_owned(),
                ),
            };
            let store = MemoryPmTiles::open(bytes, assets::path::BLUE_MARBLE)?;
            Ok(Box::new(LocalTiles::new(
                store,
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
        SourceChoice::MbTiles(path) => Ok(Box::new(LocalTiles::new(
            MbTilesStore::open(path)?,
            "local MBTiles",
            ctx,
        ))),
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
            Ok(Box::new(LocalTiles::new(
                FolderStore { root: path.clone() },
                "local tile folder",
                ctx,
            )))
        }
        SourceChoice::Online(source) => Ok(Box::new(HttpTileSource::new(
            source.clone(),
            ledger.clone(),
            Timeouts::default(),
            ctx,
        )?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_blue_marble_is_read_from_the_binary_and_enlarged_past_zoom_5() {
        let ctx = egui::Context::default();
        let mut tiles = open_source(&SourceChoice::BlueMarble, &ctx, &Default::default())
            .expect("bundled basemap");
        let world = tiles
            .at(TileId {
                x: 0,
                y: 0,
                zoom: 0,
            })
            .expect("z0 tile");
        assert_eq!(
            world.uv,
            egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0))
        );
        // Zoom 12 near the demo's arrest site: the z5 tile, a 1/128 part of it.
        let deep = TileId {
            x: 2441,
            y: 1328,
            zoom: 12,
        };
        let piece = tiles.at(deep).expect("ancestor at z5");
        assert!(
            (piece.uv.width() - 1.0 / 128.0).abs() < 1e-6,
            "{:?}",
            piece.uv
        );
    }

    #[test]
    fn a_memory_pmtiles_refuses_bytes_that_are_not_an_archive() {
        let err = MemoryPmTiles::open(
            bytes::Bytes::from_static(b"not pmtiles at all"),
            "x.pmtiles",
        )
        .err()
        .expect("refused");
        assert!(
            err.starts_with("x.pmtiles: not a readable PMTiles archive"),
            "{err}"
        );
    }

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
            &ctx,
            &Default::default(),
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
        let err = open_source(&SourceChoice::PmTiles(path), &ctx, &Default::default())
            .err()
            .unwrap();
        assert!(err.contains("fake.pmtiles: not a PMTiles archive"), "{err}");
    }

    /// An MBTiles file with one red tile at z3 x4 y2 (stored under its TMS row).
    fn mbtiles(dir: &Path, format: &str) -> PathBuf {
        let path = dir.join("t.mbtiles");
        let db = rusqlite::Connection::open(&path).unwrap();
        db.execute_batch(
            "CREATE TABLE metadata (name TEXT, value TEXT);
             CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);",
        )
        .unwrap();
        db.execute("INSERT INTO metadata VALUES ('format', ?1)", [format])
            .unwrap();
        let mut png = Vec::new();
        image::RgbImage::from_pixel(256, 256, image::Rgb([200, 10, 10]))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        db.execute(
            "INSERT INTO tiles VALUES (3, 4, 5, ?1)",
            rusqlite::params![png],
        )
        .unwrap();
        path
    }

    #[test]
    fn mbtiles_rows_are_flipped_and_missing_tiles_use_ancestors() {
        let dir = tempfile::tempdir().unwrap();
        let path = mbtiles(dir.path(), "png");
        let ctx = egui::Context::default();
        let mut tiles =
            open_source(&SourceChoice::MbTiles(path), &ctx, &Default::default()).unwrap();
        let exact = tiles
            .at(TileId {
                x: 4,
                y: 2,
                zoom: 3,
            })
            .expect("XYZ y=2 is TMS row 5");
        assert_eq!(exact.uv.min, egui::pos2(0.0, 0.0));
        let child = tiles
            .at(TileId {
                x: 9,
                y: 4,
                zoom: 4,
            })
            .expect("ancestor used");
        assert_eq!(child.uv.min, egui::pos2(0.5, 0.0));
        assert!(
            tiles
                .at(TileId {
                    x: 4,
                    y: 5,
                    zoom: 3
                })
                .is_none(),
            "the TMS row number is not the XYZ one"
        );
    }

    #[test]
    fn bad_mbtiles_files_are_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = egui::Context::default();
        let open = |path: PathBuf| {
            open_source(&SourceChoice::MbTiles(path), &ctx, &Default::default())
                .err()
                .unwrap()
        };
        let text = dir.path().join("text.mbtiles");
        std::fs::write(&text, b"not a database at all, just text").unwrap();
        let err = open(text);
        assert!(
            err.contains("text.mbtiles: not an MBTiles archive"),
            "{err}"
        );

        let empty = dir.path().join("empty.mbtiles");
        rusqlite::Connection::open(&empty)
            .unwrap()
            .execute_batch("CREATE TABLE other (a);")
            .unwrap();
        let err = open(empty);
        assert!(
            err.contains("empty.mbtiles: not an MBTiles archive"),
            "{err}"
        );

        let vector = dir.path().join("v");
        std::fs::create_dir(&vector).unwrap();
        let err = open(mbtiles(&vector, "pbf"));
        assert!(err.contains("holds 'pbf' tiles"), "{err}");

        let err = open(dir.path().join("missing.mbtiles"));
        assert!(err.contains("missing.mbtiles: no such file"), "{err}");
    }
}
