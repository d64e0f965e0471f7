//! Local tile sources: the bundled Blue Marble (read from the program's own bytes), a
//! `.pmtiles` or `.mbtiles` archive, a folder of `z/x/y` tiles. None of them touches
//! the network.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use walkers::sources::Attribution;
use walkers::{Tile, TileId, TilePiece, Tiles};

use super::tiles::{ancestor_tile, sub_piece, text_attribution, whole_tile};

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
                "{name}: a vector PMTiles (Mapbox Vector Tiles): {RASTER_ONLY}"
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
    pub(super) root: PathBuf,
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

/// Said when a tile archive is not raster: what a basemap can be, for now.
const RASTER_ONLY: &str =
    "only raster basemaps (PNG, JPEG or WebP tiles) can be shown until vector rendering lands";

/// Checks a PMTiles file's header before walkers opens it: the magic, version 3, and a
/// raster tile type (byte 99 of the header: 1 MVT and 6 MLT are vector, 2 PNG, 3 JPEG,
/// 4 WebP raster, 5 AVIF, which is not decoded), so a vector archive is refused with
/// the reason instead of showing a blank map.
pub fn check_raster_pmtiles(path: &Path) -> Result<(), String> {
    let name = path.display();
    let mut head = Vec::with_capacity(127);
    std::fs::File::open(path)
        .and_then(|f| std::io::Read::read_to_end(&mut std::io::Read::take(f, 127), &mut head))
        .map_err(|e| format!("{name}: cannot read: {e}"))?;
    if !head.starts_with(b"PMTiles") {
        return Err(format!("{name}: not a PMTiles archive"));
    }
    if head.len() < 127 {
        return Err(format!(
            "{name}: the PMTiles header is cut short ({} of 127 bytes)",
            head.len()
        ));
    }
    match (head[7], head[99]) {
        (3, 2..=4) => Ok(()),
        (3, 1) => Err(format!(
            "{name}: a vector PMTiles (Mapbox Vector Tiles): {RASTER_ONLY}"
        )),
        (3, 6) => Err(format!(
            "{name}: a vector PMTiles (MapLibre Tiles): {RASTER_ONLY}"
        )),
        (3, 5) => Err(format!(
            "{name}: a PMTiles of AVIF tiles, which geoproof does not decode: {RASTER_ONLY}"
        )),
        (3, t) => Err(format!(
            "{name}: a PMTiles of unknown tile type {t}: {RASTER_ONLY}"
        )),
        (v, _) => Err(format!(
            "{name}: PMTiles version {v}; only version 3 archives are read"
        )),
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
            let kind = if matches!(f.as_str(), "pbf" | "mvt" | "mlt") {
                "a vector MBTiles"
            } else {
                "an MBTiles of"
            };
            return Err(fail(&format_args!("{kind} ('{f}' tiles): {RASTER_ONLY}")));
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
