//! The data geoproof ships inside its binary: fonts, the offline basemap, the Natural
//! Earth borders and cities, and the demo case. A copied or installed binary needs no
//! source tree and downloads nothing.
//!
//! `GEOPROOF_ASSETS` names a folder laid out like the repository's `assets/`; when it is
//! set, every asset is read from there instead (for trying other data during
//! development). It is the only way the file system is consulted for assets.

use std::borrow::Cow;
use std::io;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

/// Environment variable naming a folder that replaces the embedded assets.
pub const OVERRIDE_VAR: &str = "GEOPROOF_ASSETS";

/// The folder name of the app's data (settings, the demo case) under the user's data
/// folder; the same name eframe uses for its persistence, so both live together.
pub const APP_ID: &str = "geoproof";

// One embedded tree per runtime folder of `assets/`; screenshots and notes stay out.
static FONTS: Dir = include_dir!("$CARGO_MANIFEST_DIR/assets/fonts");
static BASEMAP: Dir = include_dir!("$CARGO_MANIFEST_DIR/assets/basemap");
static NATURAL_EARTH: Dir = include_dir!("$CARGO_MANIFEST_DIR/assets/naturalearth");
static DEMO_CASE: Dir = include_dir!("$CARGO_MANIFEST_DIR/assets/demo-case");

/// Asset paths the program reads, relative to the assets root.
pub mod path {
    pub const FONT_REGULAR: &str = "fonts/DejaVuSans.ttf";
    pub const FONT_BOLD: &str = "fonts/DejaVuSans-Bold.ttf";
    pub const FONT_ARABIC: &str = "fonts/NotoSansArabic-Regular.ttf";
    pub const BLUE_MARBLE: &str = "basemap/bluemarble-z0-5.pmtiles";
    /// Vector tiles of Vaduz at zoom 12 to 15 (OpenStreetMap, ODbL), drawn over the
    /// Blue Marble where they reach: the demo case's street map.
    pub const DEMO_STREETS: &str = "basemap/vaduz-streets.pmtiles";
    pub const BORDERS: &str = "naturalearth/ne_10m_admin_0_countries.geojson.gz";
    pub const CITIES: &str = "naturalearth/naturalearth_cities.geojson";
    pub const DEMO_CASE: &str = "demo-case";
}

#[derive(Debug, thiserror::Error)]
pub enum AssetError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{0}: not among the bundled assets")]
    Unknown(String),
    #[error("{}: cannot write the demo case: {cause}", path.display())]
    DemoCase { path: PathBuf, cause: String },
}

/// Where assets come from in this process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Built into the binary.
    Embedded,
    /// A folder named by `GEOPROOF_ASSETS`.
    Folder(PathBuf),
}

impl Origin {
    pub fn current() -> Origin {
        match std::env::var_os(OVERRIDE_VAR) {
            Some(dir) if !dir.is_empty() => Origin::Folder(PathBuf::from(dir)),
            _ => Origin::Embedded,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Origin::Embedded => "built into the program".into(),
            Origin::Folder(dir) => format!("{} ({OVERRIDE_VAR})", dir.display()),
        }
    }
}

fn embedded_root(rel: &str) -> Option<(&'static Dir<'static>, &str)> {
    let (top, rest) = rel.split_once('/').unwrap_or((rel, ""));
    let dir = match top {
        "fonts" => &FONTS,
        "basemap" => &BASEMAP,
        "naturalearth" => &NATURAL_EARTH,
        "demo-case" => &DEMO_CASE,
        _ => return None,
    };
    Some((dir, rest))
}

fn embedded(rel: &str) -> Option<&'static [u8]> {
    let (dir, rest) = embedded_root(rel)?;
    dir.get_file(rest).map(|f| f.contents())
}

/// The bytes of the asset at `rel` (for example [`path::FONT_REGULAR`]).
pub fn read(rel: &str) -> Result<Cow<'static, [u8]>, AssetError> {
    match Origin::current() {
        Origin::Embedded => embedded(rel)
            .map(Cow::Borrowed)
            .ok_or_else(|| AssetError::Unknown(rel.to_owned())),
        Origin::Folder(dir) => {
            let path = dir.join(rel);
            std::fs::read(&path)
                .map(Cow::Owned)
                .map_err(|source| AssetError::Io { path, source })
        }
    }
}

/// The embedded copy of an asset, whatever `GEOPROOF_ASSETS` says: for data that must
/// stay `'static` (the basemap is read in place, tile by tile).
pub fn embedded_bytes(rel: &str) -> Result<&'static [u8], AssetError> {
    embedded(rel).ok_or_else(|| AssetError::Unknown(rel.to_owned()))
}

/// A file to write: its path relative to the case, and its bytes.
type CaseFile = (PathBuf, Cow<'static, [u8]>);

/// Every file of the demo case.
fn demo_case_files() -> Result<Vec<CaseFile>, AssetError> {
    fn walk_embedded(dir: &'static Dir<'static>, out: &mut Vec<CaseFile>) {
        for file in dir.files() {
            out.push((file.path().to_owned(), Cow::Borrowed(file.contents())));
        }
        for sub in dir.dirs() {
            walk_embedded(sub, out);
        }
    }
    fn walk_folder(root: &Path, dir: &Path, out: &mut Vec<CaseFile>) -> Result<(), AssetError> {
        let io_err = |path: &Path| {
            let path = path.to_owned();
            move |source| AssetError::Io { path, source }
        };
        for entry in std::fs::read_dir(dir).map_err(io_err(dir))? {
            let entry = entry.map_err(io_err(dir))?;
            let path = entry.path();
            if entry.file_type().map_err(io_err(&path))?.is_dir() {
                walk_folder(root, &path, out)?;
            } else {
                let bytes = std::fs::read(&path).map_err(io_err(&path))?;
                let rel = path.strip_prefix(root).unwrap_or(&path).to_owned();
                out.push((rel, Cow::Owned(bytes)));
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    match Origin::current() {
        Origin::Embedded => walk_embedded(&DEMO_CASE, &mut files),
        Origin::Folder(dir) => {
            let root = dir.join(path::DEMO_CASE);
            walk_folder(&root, &root, &mut files)?;
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}

/// Writes the bundled demo case to `target` unless a case is already there, and returns
/// whether it wrote it. The case is assembled in a sibling temporary folder and renamed
/// into place, so an interrupted first launch never leaves half a case behind.
pub fn write_demo_case(target: &Path) -> Result<bool, AssetError> {
    if target.join("case.json").exists() {
        return Ok(false);
    }
    let fail = |cause: String| AssetError::DemoCase {
        path: target.to_owned(),
        cause,
    };
    let parent = target
        .parent()
        .ok_or_else(|| fail("the path has no parent folder".into()))?;
    std::fs::create_dir_all(parent).map_err(|e| fail(e.to_string()))?;
    let staging = tempfile::Builder::new()
        .prefix(".demo-case-")
        .tempdir_in(parent)
        .map_err(|e| fail(e.to_string()))?;
    for (rel, bytes) in demo_case_files()? {
        let dest = staging.path().join(&rel);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
        }
        // Originals are read-only in a case, as intake leaves them.
        let original = rel.starts_with("evidence") && rel.extension().is_some_and(|e| e != "json");
        crate::fsio::write_atomic(&dest, &bytes, original).map_err(|e| fail(e.to_string()))?;
    }
    if target.exists() {
        // An empty or partial folder from an older version: keep it aside, never delete.
        let aside = target.with_extension(format!("old-{}", std::process::id()));
        std::fs::rename(target, &aside).map_err(|e| fail(e.to_string()))?;
        log::warn!(
            "{}: moved aside to {} (it had no case.json)",
            target.display(),
            aside.display()
        );
    }
    let staged = staging.keep();
    std::fs::rename(&staged, target).map_err(|e| {
        let _ = std::fs::remove_dir_all(&staged);
        fail(e.to_string())
    })?;
    Ok(true)
}

/// The user's data folder for geoproof (settings, the demo case): the same folder
/// eframe's persistence uses, computed without eframe so the CLI agrees with the app.
pub fn user_data_dir() -> Option<PathBuf> {
    use std::env::var_os;
    if cfg!(target_os = "macos") {
        std::env::home_dir().map(|h| h.join("Library/Application Support").join(APP_ID))
    } else if cfg!(windows) {
        var_os("APPDATA").map(|p| PathBuf::from(p).join(APP_ID).join("data"))
    } else {
        var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| std::env::home_dir().map(|h| h.join(".local").join("share")))
            .map(|p| p.join(APP_ID))
    }
}

/// The demo case in the user's data folder, written there on first use.
pub fn demo_case_path() -> Result<PathBuf, AssetError> {
    let target = user_data_dir()
        .ok_or_else(|| AssetError::DemoCase {
            path: PathBuf::from("~"),
            cause: "this user has no data folder (HOME is not set)".into(),
        })?
        .join(path::DEMO_CASE);
    write_demo_case(&target)?;
    Ok(target)
}

/// One item of data shipped inside the program, for `--version` and the About box.
#[derive(Debug, Clone, Copy)]
pub struct BundledData {
    pub name: &'static str,
    pub what: &'static str,
    pub licence: &'static str,
}

/// What the program carries, with licences (the same as `assets/README.md`).
pub const BUNDLED_DATA: &[BundledData] = &[
    BundledData {
        name: "NASA Blue Marble (Next Generation)",
        what: "offline world imagery, zoom 0–5",
        licence: "public domain (NASA)",
    },
    BundledData {
        name: "Natural Earth 5.1.1 admin-0 countries (1:10m) and cities",
        what: "borders, country names, distances to borders",
        licence: "public domain (Natural Earth)",
    },
    BundledData {
        name: "DejaVu Sans",
        what: "UI and figure text (Latin, Cyrillic, Arabic script)",
        licence: "Bitstream Vera / DejaVu licence",
    },
    BundledData {
        name: "Noto Sans Arabic",
        what: "figure text in Arabic, Persian, Pashto",
        licence: "SIL Open Font License 1.1",
    },
    BundledData {
        name: "Time zone boundaries (timezone-boundary-builder, via tzf-rs) and the IANA time zone database",
        what: "local times at a point (sun and shadows)",
        licence: "ODbL 1.0, © OpenStreetMap contributors (boundaries); public domain (IANA)",
    },
    BundledData {
        name: "Demo case",
        what: "public-domain photographs (NASA, SpaceX) and two example findings",
        licence: "as its sources",
    },
];

/// The version and the features compiled in, as `--version` prints them after the name.
pub const VERSION: &str = if cfg!(feature = "gui") {
    concat!(env!("CARGO_PKG_VERSION"), " (features: gui)")
} else {
    concat!(env!("CARGO_PKG_VERSION"), " (features: none)")
};

/// `geoproof 0.1.0 (features: gui)`: what `--version` and the About box say.
pub fn version_line() -> String {
    format!("geoproof {VERSION}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_asset_is_embedded() {
        for rel in [
            path::FONT_REGULAR,
            path::FONT_BOLD,
            path::FONT_ARABIC,
            path::BLUE_MARBLE,
            path::BORDERS,
            path::CITIES,
            "demo-case/case.json",
        ] {
            assert!(
                embedded_bytes(rel).is_ok_and(|b| !b.is_empty()),
                "{rel} missing"
            );
        }
    }

    #[test]
    fn embedded_assets_equal_the_source_tree() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
        for rel in [path::FONT_ARABIC, path::BLUE_MARBLE, path::CITIES] {
            let on_disk = std::fs::read(root.join(rel)).expect("source asset");
            assert_eq!(
                embedded_bytes(rel).expect("embedded"),
                &on_disk[..],
                "{rel}"
            );
        }
    }

    #[test]
    fn an_unknown_asset_is_an_error_naming_it() {
        let err = embedded_bytes("fonts/missing.ttf").unwrap_err();
        assert_eq!(
            err.to_string(),
            "fonts/missing.ttf: not among the bundled assets"
        );
        assert!(embedded_bytes("screenshots/board.png").is_err());
    }

    #[test]
    fn the_demo_case_is_written_whole_once_and_never_over_a_case() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("nested").join("demo-case");
        assert!(write_demo_case(&target).expect("first write"));
        let embedded_count = {
            let mut n = 0;
            fn count(d: &Dir, n: &mut usize) {
                *n += d.files().count();
                d.dirs().for_each(|s| count(s, n));
            }
            count(&DEMO_CASE, &mut n);
            n
        };
        let written = walk_count(&target);
        assert_eq!(written, embedded_count);
        // No staging folder is left beside it.
        let siblings: Vec<_> = std::fs::read_dir(target.parent().expect("parent"))
            .expect("read")
            .collect();
        assert_eq!(siblings.len(), 1);
        // A second call (or a case the analyst changed) is left alone.
        std::fs::write(target.join("case.json"), b"{}").expect("write");
        assert!(!write_demo_case(&target).expect("second"));
        assert_eq!(
            std::fs::read(target.join("case.json")).expect("read"),
            b"{}"
        );
    }

    fn walk_count(dir: &Path) -> usize {
        std::fs::read_dir(dir)
            .expect("read")
            .map(|e| {
                let e = e.expect("entry");
                if e.file_type().expect("type").is_dir() {
                    walk_count(&e.path())
                } else {
                    1
                }
            })
            .sum()
    }

    #[test]
    fn the_version_line_names_version_and_features() {
        let line = version_line();
        let listed = if cfg!(feature = "gui") { "gui" } else { "none" };
        assert!(line.ends_with(&format!("(features: {listed})")), "{line}");
        assert!(line.starts_with(concat!("geoproof ", env!("CARGO_PKG_VERSION"))));
        assert_eq!(line.contains("gui"), cfg!(feature = "gui"), "{line}");
    }
}
