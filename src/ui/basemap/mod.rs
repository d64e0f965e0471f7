//! The basemap: which source the analyst chose and opening it. Sources are local
//! (`local`: the bundled Blue Marble, a `.pmtiles` or `.mbtiles` archive, a
//! `{z}/{x}/{y}.png|jpg` folder) or online XYZ servers (`online`); `tiles` holds what
//! both need (ancestor tiles, pieces, attributions). Only `online` makes requests, each
//! written to the network ledger first.

use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use walkers::Tiles;

mod layered;
mod local;
pub mod online;
mod requests;
pub mod state;
mod tiles;
mod vector;
pub mod vector_labels;

pub use local::{FolderStore, LocalTiles, MbTilesStore, MemoryPmTiles, PmTilesSource, TileStore};
pub use online::{HttpTileSource, OnlineSource, Timeouts};
pub use tiles::{ancestor_tile, sub_piece, text_attribution, whole_tile};
pub use vector::{VectorTiles, note, render_tile};

use super::ledger::NetworkLedger;
use crate::assets;

/// Which basemap the analyst chose (remembered between runs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SourceChoice {
    BlueMarble,
    PmTiles(PathBuf),
    MbTiles(PathBuf),
    Folder(PathBuf),
    Online(OnlineSource),
    /// An OpenStreetMap extract (`.osm.pbf`) drawn as a street map from its index.
    OsmExtract(PathBuf),
}

impl SourceChoice {
    pub fn is_online(&self) -> bool {
        matches!(self, SourceChoice::Online(_))
    }

    pub fn label(&self) -> String {
        match self {
            SourceChoice::BlueMarble => "Blue Marble (offline)".into(),
            SourceChoice::OsmExtract(p) => format!(
                "{} (street map)",
                p.file_name().map_or_else(
                    || p.display().to_string(),
                    |n| n.to_string_lossy().into_owned()
                )
            ),
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

/// Opens the chosen source. Only `Online` sends requests, each listed in `ledger`.
pub fn open_source(
    choice: &SourceChoice,
    ctx: &egui::Context,
    ledger: &Arc<NetworkLedger>,
) -> Result<Box<dyn Tiles>, String> {
    open_source_with(choice, ctx, ledger, None)
}

/// [`open_source`], an extract's index cached in `osm_cache` (the user's cache folder
/// when `None`).
pub fn open_source_with(
    choice: &SourceChoice,
    ctx: &egui::Context,
    ledger: &Arc<NetworkLedger>,
    osm_cache: Option<PathBuf>,
) -> Result<Box<dyn Tiles>, String> {
    if let SourceChoice::PmTiles(path) | SourceChoice::MbTiles(path) = choice
        && let Some(vector) = open_vector(path, ctx)
    {
        return vector;
    }
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
            let base = Box::new(LocalTiles::new(
                store,
                "NASA Blue Marble (public domain)",
                ctx,
            ));
            Ok(with_demo_streets(base, ctx))
        }
        SourceChoice::PmTiles(path) => {
            local::check_raster_pmtiles(path)?;
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
        SourceChoice::OsmExtract(path) if !path.is_file() => {
            Err(format!("{}: no such file", path.display()))
        }
        SourceChoice::OsmExtract(path) => Ok(Box::new(VectorTiles::osm_extract(
            path.clone(),
            osm_cache,
            ctx,
        ))),
        SourceChoice::Online(source) => Ok(Box::new(HttpTileSource::new(
            source.clone(),
            ledger.clone(),
            Timeouts::default(),
            ctx,
        )?)),
    }
}

/// The Blue Marble with the bundled street map of Vaduz over it; the Blue Marble alone
/// (and a warning in the log) if that archive cannot be read.
fn with_demo_streets(base: Box<dyn Tiles>, ctx: &egui::Context) -> Box<dyn Tiles> {
    let rel = assets::path::DEMO_STREETS;
    let bytes = match assets::Origin::current() {
        assets::Origin::Embedded => assets::embedded_bytes(rel).map(bytes::Bytes::from_static),
        assets::Origin::Folder(_) => assets::read(rel).map(|b| bytes::Bytes::from(b.into_owned())),
    };
    let archive = bytes.map_err(|e| e.to_string()).and_then(|b| {
        crate::vector::Archive::from_pmtiles_bytes(std::path::Path::new(rel), b)
            .map_err(|e| e.to_string())
    });
    match archive {
        Ok(a) => Box::new(layered::WithStreets::new(base, a, ctx)),
        Err(e) => {
            log::warn!("{e}");
            base
        }
    }
}

/// `path` as a vector basemap, or the reason an archive cannot be shown at all; `None`
/// for a raster archive or a file that is no archive (the raster sources open it or
/// say why not).
fn open_vector(
    path: &std::path::Path,
    ctx: &egui::Context,
) -> Option<Result<Box<dyn Tiles>, String>> {
    use crate::vector::VectorError;
    match crate::vector::Archive::open(path) {
        Ok(a) if a.format().is_vector() => Some(Ok(Box::new(VectorTiles::new(a, ctx)))),
        Ok(_) => None,
        Err(
            e @ (VectorError::FormatLies { .. }
            | VectorError::UnsupportedCompression { .. }
            | VectorError::Tile { .. }),
        ) => Some(Err(e.to_string())),
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use walkers::TileId;

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

    /// protomaps/PMTiles' js/test/data/test_fixture_1.pmtiles (tests/data/real/basemaps):
    /// a version 3 header whose tile type (byte 99) is 1, Mapbox Vector Tiles.
    #[test]
    fn a_vector_pmtiles_opens_as_a_vector_basemap_drawn_off_the_ui_thread() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/real/basemaps/test_fixture_1.pmtiles");
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!((&bytes[..7], bytes[7], bytes[99]), (&b"PMTiles"[..], 3, 1));
        let ctx = egui::Context::default();
        let mut tiles = open_source(&SourceChoice::PmTiles(path), &ctx, &Default::default())
            .expect("a vector basemap");
        // Zoom 3 is past the archive's only level (0): drawn from it, overzoomed.
        let id = TileId {
            x: 4,
            y: 4,
            zoom: 3,
        };
        assert!(tiles.at(id).is_none(), "drawn on the UI thread");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let piece = loop {
            if let Some(piece) = tiles.at(id) {
                break piece;
            }
            assert!(std::time::Instant::now() < deadline, "no tile after 20 s");
            std::thread::sleep(std::time::Duration::from_millis(10));
        };
        assert_eq!(
            piece.uv,
            egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0))
        );
        // The same archive with its tile type set to PNG is opened.
        let dir = tempfile::tempdir().unwrap();
        let raster = dir.path().join("raster.pmtiles");
        let mut png = bytes.clone();
        png[99] = 2;
        std::fs::write(&raster, png).unwrap();
        assert!(open_source(&SourceChoice::PmTiles(raster), &ctx, &Default::default()).is_ok());
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
        assert!(
            err.contains("t.mbtiles: the metadata says format 'pbf' but tile 3/4/2 is a PNG image"),
            "{err}"
        );

        let err = open(dir.path().join("missing.mbtiles"));
        assert!(err.contains("missing.mbtiles: no such file"), "{err}");
    }
}
