//! Reading tiles: PMTiles v3 (memory-mapped, through the `pmtiles` crate), MBTiles
//! (SQLite, TMS rows) and `z/x/y` folders. Tiles come back decompressed, with what they
//! are (vector or a raster image) sniffed from their bytes, so an archive whose
//! metadata lies is caught.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::error::{DecodeError, TileAddr, VectorError};

/// What a tile's bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TileFormat {
    /// Mapbox Vector Tile (protobuf).
    Mvt,
    Png,
    Jpeg,
    Webp,
}

impl TileFormat {
    pub fn is_vector(self) -> bool {
        self == TileFormat::Mvt
    }
    /// What decompressed tile bytes look like.
    pub fn sniff(bytes: &[u8]) -> TileFormat {
        if bytes.starts_with(b"\x89PNG") {
            TileFormat::Png
        } else if bytes.starts_with(&[0xff, 0xd8]) {
            TileFormat::Jpeg
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            TileFormat::Webp
        } else {
            TileFormat::Mvt
        }
    }
    fn name(self) -> &'static str {
        match self {
            TileFormat::Mvt => "a vector tile",
            TileFormat::Png => "a PNG image",
            TileFormat::Jpeg => "a JPEG image",
            TileFormat::Webp => "a WebP image",
        }
    }
}

enum Store {
    Pm(pmtiles::AsyncPmTilesReader<FileBackend>),
    PmMemory(pmtiles::AsyncPmTilesReader<MemoryBackend>),
    Mb(std::sync::Mutex<rusqlite::Connection>),
    Folder,
}

/// An opened tile archive or folder.
pub struct Archive {
    path: PathBuf,
    store: Store,
    format: TileFormat,
    min_zoom: u8,
    max_zoom: u8,
    /// West, south, east, north as the archive's header gives them (PMTiles).
    bounds: Option<[f64; 4]>,
}

/// PMTiles byte-range reads answered by positioned reads of the file (no memory map: a
/// basemap is the analyst's file, and a map of a file truncated meanwhile would fault).
pub struct FileBackend(std::fs::File);

impl pmtiles::AsyncBackend for FileBackend {
    async fn read(
        &self,
        offset: usize,
        length: usize,
    ) -> pmtiles::PmtResult<pmtiles::BackendResponse> {
        use std::os::unix::fs::FileExt;
        let mut buf = vec![0u8; length];
        let mut got = 0;
        while got < length {
            match self.0.read_at(&mut buf[got..], (offset + got) as u64)? {
                0 => break,
                n => got += n,
            }
        }
        buf.truncate(got);
        Ok(pmtiles::BackendResponse::new(bytes::Bytes::from(buf)))
    }
}

/// PMTiles byte-range reads of an archive held in memory (one bundled in the binary).
pub struct MemoryBackend(bytes::Bytes);

impl pmtiles::AsyncBackend for MemoryBackend {
    async fn read(
        &self,
        offset: usize,
        length: usize,
    ) -> pmtiles::PmtResult<pmtiles::BackendResponse> {
        let start = offset.min(self.0.len());
        let end = offset.saturating_add(length).min(self.0.len());
        Ok(pmtiles::BackendResponse::new(self.0.slice(start..end)))
    }
}

/// The tile format, zoom range and bounds (west, south, east, north) of a PMTiles
/// header, or why the archive cannot be read.
fn pm_header(
    path: &Path,
    h: &pmtiles::Header,
) -> Result<(TileFormat, u8, u8, [f64; 4]), VectorError> {
    match h.tile_compression {
        pmtiles::Compression::None | pmtiles::Compression::Gzip => {}
        c => {
            return Err(VectorError::UnsupportedCompression {
                path: path.to_owned(),
                compression: format!("{c:?}"),
            });
        }
    }
    let format = match h.tile_type {
        pmtiles::TileType::Mvt => TileFormat::Mvt,
        pmtiles::TileType::Png => TileFormat::Png,
        pmtiles::TileType::Jpeg => TileFormat::Jpeg,
        pmtiles::TileType::Webp => TileFormat::Webp,
        t => {
            return Err(VectorError::UnsupportedTiles {
                path: path.to_owned(),
                kind: format!("{t:?}"),
            });
        }
    };
    let bounds = [
        h.min_longitude,
        h.min_latitude,
        h.max_longitude,
        h.max_latitude,
    ];
    Ok((format, h.min_zoom, h.max_zoom.max(h.min_zoom), bounds))
}

/// Gunzips `bytes` when they start with the gzip magic; other bytes pass unchanged.
pub fn gunzip_if_needed(bytes: Vec<u8>) -> Result<Vec<u8>, DecodeError> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len() * 4);
    flate2::read::MultiGzDecoder::new(&bytes[..])
        .read_to_end(&mut out)
        .map_err(DecodeError::Gzip)?;
    Ok(out)
}

impl Archive {
    /// Opens a `.pmtiles`, `.mbtiles` or a folder of `z/x/y` tiles.
    pub fn open(path: &Path) -> Result<Archive, VectorError> {
        if path.is_dir() {
            return Archive::open_folder(path);
        }
        let mut head = [0u8; 16];
        let n = std::fs::File::open(path)
            .and_then(|mut f| f.read(&mut head))
            .map_err(|source| VectorError::Io {
                path: path.to_owned(),
                source,
            })?;
        if head[..n].starts_with(b"PMTiles") {
            Archive::open_pmtiles(path)
        } else if head[..n].starts_with(b"SQLite format 3") {
            Archive::open_mbtiles(path)
        } else {
            Err(VectorError::NotAnArchive {
                path: path.to_owned(),
                reason: "neither PMTiles nor SQLite (MBTiles)".into(),
            })
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
    pub fn format(&self) -> TileFormat {
        self.format
    }
    pub fn min_zoom(&self) -> u8 {
        self.min_zoom
    }
    pub fn max_zoom(&self) -> u8 {
        self.max_zoom
    }
    /// West, south, east, north the archive says it covers (PMTiles headers).
    pub fn bounds(&self) -> Option<[f64; 4]> {
        self.bounds
    }

    fn open_pmtiles(path: &Path) -> Result<Archive, VectorError> {
        let not = |reason: String| VectorError::NotAnArchive {
            path: path.to_owned(),
            reason,
        };
        let file = std::fs::File::open(path).map_err(|source| VectorError::Io {
            path: path.to_owned(),
            source,
        })?;
        let mut head = Vec::with_capacity(127);
        (&file)
            .take(127)
            .read_to_end(&mut head)
            .map_err(|source| VectorError::Io {
                path: path.to_owned(),
                source,
            })?;
        if head.len() < 127 {
            return Err(not(format!(
                "the PMTiles header is cut short ({} of 127 bytes)",
                head.len()
            )));
        }
        if head[7] != 3 {
            return Err(not(format!(
                "PMTiles version {}; only version 3 is read",
                head[7]
            )));
        }
        let reader = pollster::block_on(pmtiles::AsyncPmTilesReader::try_from_source(FileBackend(
            file,
        )))
        .map_err(|e| not(format!("unreadable PMTiles ({e})")))?;
        let (format, min_zoom, max_zoom, bounds) = pm_header(path, reader.get_header())?;
        Ok(Archive {
            path: path.to_owned(),
            store: Store::Pm(reader),
            format,
            min_zoom,
            max_zoom,
            bounds: Some(bounds),
        })
    }

    /// A PMTiles v3 archive held in memory (one bundled in the binary), named `path` in
    /// messages.
    pub fn from_pmtiles_bytes(path: &Path, bytes: bytes::Bytes) -> Result<Archive, VectorError> {
        let not = |reason: String| VectorError::NotAnArchive {
            path: path.to_owned(),
            reason,
        };
        if !bytes.starts_with(b"PMTiles") || bytes.get(7) != Some(&3) {
            return Err(not("not a PMTiles version 3 archive".into()));
        }
        let reader = pollster::block_on(pmtiles::AsyncPmTilesReader::try_from_source(
            MemoryBackend(bytes),
        ))
        .map_err(|e| not(format!("unreadable PMTiles ({e})")))?;
        let (format, min_zoom, max_zoom, bounds) = pm_header(path, reader.get_header())?;
        Ok(Archive {
            path: path.to_owned(),
            store: Store::PmMemory(reader),
            format,
            min_zoom,
            max_zoom,
            bounds: Some(bounds),
        })
    }

    fn open_mbtiles(path: &Path) -> Result<Archive, VectorError> {
        let not = |e: &dyn std::fmt::Display| VectorError::NotAnArchive {
            path: path.to_owned(),
            reason: e.to_string(),
        };
        let db = rusqlite::Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| not(&e))?;
        let meta = |name: &str| -> Result<Option<String>, rusqlite::Error> {
            db.query_row("SELECT value FROM metadata WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })
        };
        let declared = meta("format").map_err(|e| not(&format_args!("MBTiles metadata: {e}")))?;
        let (min_zoom, max_zoom): (Option<u8>, Option<u8>) = db
            .query_row(
                "SELECT min(zoom_level), max(zoom_level) FROM tiles",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| not(&format_args!("MBTiles tiles table: {e}")))?;
        let sample: Option<(u8, u32, u32, Vec<u8>)> = db
            .query_row(
                "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })
            .map_err(|e| not(&format_args!("MBTiles tiles table: {e}")))?;
        let Some((z, x, row, data)) = sample else {
            return Err(not(&"the MBTiles holds no tiles"));
        };
        let tile = TileAddr {
            z,
            x,
            y: (1u32 << z.min(31)).saturating_sub(1).saturating_sub(row),
        };
        let found = gunzip_if_needed(data)
            .map(|b| TileFormat::sniff(&b))
            .map_err(|e| VectorError::Tile {
                path: path.to_owned(),
                tile,
                reason: e.to_string(),
            })?;
        let expected = match declared.as_deref() {
            Some("pbf" | "mvt") => Some(TileFormat::Mvt),
            Some("png") => Some(TileFormat::Png),
            Some("jpg" | "jpeg") => Some(TileFormat::Jpeg),
            Some("webp") => Some(TileFormat::Webp),
            Some(other) => {
                return Err(VectorError::UnsupportedTiles {
                    path: path.to_owned(),
                    kind: format!("'{other}'"),
                });
            }
            None => None,
        };
        if let (Some(declared), Some(e)) = (&declared, expected)
            && e != found
        {
            return Err(VectorError::FormatLies {
                path: path.to_owned(),
                declared: declared.clone(),
                tile,
                found: found.name().into(),
            });
        }
        Ok(Archive {
            path: path.to_owned(),
            store: Store::Mb(std::sync::Mutex::new(db)),
            format: found,
            min_zoom: min_zoom.unwrap_or(0),
            max_zoom: max_zoom.unwrap_or(0),
            bounds: None,
        })
    }

    fn open_folder(path: &Path) -> Result<Archive, VectorError> {
        let not = |reason: &str| VectorError::NotAnArchive {
            path: path.to_owned(),
            reason: reason.into(),
        };
        let io = |source| VectorError::Io {
            path: path.to_owned(),
            source,
        };
        let mut zooms: Vec<u8> = std::fs::read_dir(path)
            .map_err(io)?
            .filter_map(Result::ok)
            .filter(|e| e.path().is_dir())
            .filter_map(|e| e.file_name().to_str()?.parse().ok())
            .collect();
        zooms.sort_unstable();
        let (Some(&min_zoom), Some(&max_zoom)) = (zooms.first(), zooms.last()) else {
            return Err(not("no {z}/{x}/{y} tile folders found"));
        };
        let first = walkdir::WalkDir::new(path.join(max_zoom.to_string()))
            .into_iter()
            .filter_map(Result::ok)
            .find(|e| e.file_type().is_file())
            .ok_or_else(|| not("no tile files in the deepest zoom folder"))?;
        let bytes = std::fs::read(first.path()).map_err(io)?;
        let format = gunzip_if_needed(bytes)
            .map(|b| TileFormat::sniff(&b))
            .map_err(|e| not(&e.to_string()))?;
        Ok(Archive {
            path: path.to_owned(),
            store: Store::Folder,
            format,
            min_zoom,
            max_zoom,
            bounds: None,
        })
    }

    /// A tile's decompressed bytes; `None` when the archive has no such tile.
    pub fn tile(&self, t: TileAddr) -> Result<Option<Vec<u8>>, VectorError> {
        let fail = |reason: String| VectorError::Tile {
            path: self.path.clone(),
            tile: t,
            reason,
        };
        if t.z > 31 || t.x >= (1u32 << t.z) || t.y >= (1u32 << t.z) {
            return Ok(None);
        }
        let raw = match &self.store {
            Store::Pm(reader) => {
                let coord =
                    pmtiles::TileCoord::new(t.z, t.x, t.y).map_err(|e| fail(e.to_string()))?;
                pollster::block_on(reader.get_tile(coord))
                    .map_err(|e| fail(e.to_string()))?
                    .map(|b| b.to_vec())
            }
            Store::PmMemory(reader) => {
                let coord =
                    pmtiles::TileCoord::new(t.z, t.x, t.y).map_err(|e| fail(e.to_string()))?;
                pollster::block_on(reader.get_tile(coord))
                    .map_err(|e| fail(e.to_string()))?
                    .map(|b| b.to_vec())
            }
            Store::Mb(db) => {
                let db = db.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let row = (1u32 << t.z) - 1 - t.y;
                db.prepare_cached(
                    "SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
                )
                .and_then(|mut q| {
                    q.query_row((t.z, t.x, row), |r| r.get::<_, Vec<u8>>(0))
                        .map(Some)
                        .or_else(|e| match e {
                            rusqlite::Error::QueryReturnedNoRows => Ok(None),
                            e => Err(e),
                        })
                })
                .map_err(|e| fail(e.to_string()))?
            }
            Store::Folder => self.folder_tile(t).map_err(|e| fail(e.to_string()))?,
        };
        raw.map(gunzip_if_needed)
            .transpose()
            .map_err(|e| fail(e.to_string()))
    }

    fn folder_tile(&self, t: TileAddr) -> std::io::Result<Option<Vec<u8>>> {
        let dir = self.path.join(t.z.to_string()).join(t.x.to_string());
        for ext in ["pbf", "mvt", "png", "jpg", "jpeg", "webp"] {
            match std::fs::read(dir.join(format!("{}.{ext}", t.y))) {
                Ok(bytes) => return Ok(Some(bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }
}
