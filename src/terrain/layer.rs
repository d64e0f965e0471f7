//! The elevation files a case remembers (`case.json`'s `elevation`): each by path and
//! SHA-256, so a file changed since it was added is noticed rather than silently used,
//! and how the surface is shown on the map (a hillshade layer with an opacity).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::TerrainError;

/// One elevation file as the case remembers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElevationFileRef {
    /// Absolute, or relative to the case folder.
    pub path: PathBuf,
    /// SHA-256 of the file's bytes when it was added, lowercase hex.
    pub sha256: String,
}

/// The case's elevation surface: its files (one surface, mosaicked) and the hillshade
/// layer's look.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElevationLayers {
    pub files: Vec<ElevationFileRef>,
    #[serde(default = "default_opacity")]
    pub opacity: f32,
    #[serde(default = "yes")]
    pub visible: bool,
}

fn default_opacity() -> f32 {
    0.6
}

fn yes() -> bool {
    true
}

impl Default for ElevationLayers {
    fn default() -> ElevationLayers {
        ElevationLayers {
            files: Vec::new(),
            opacity: default_opacity(),
            visible: true,
        }
    }
}

impl ElevationLayers {
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Refuses an opacity outside 0…1, a path that is not a plain local file, a hash
    /// that is not 64 hex digits, and a file listed twice.
    pub fn check(&self) -> Result<(), TerrainError> {
        if !(self.opacity.is_finite() && (0.0..=1.0).contains(&self.opacity)) {
            return Err(TerrainError::bad(
                "elevation layer opacity",
                f64::from(self.opacity),
                "not between 0 and 1",
            ));
        }
        for (i, file) in self.files.iter().enumerate() {
            file.check()?;
            if self.files[..i].iter().any(|f| f.path == file.path) {
                return Err(TerrainError::Listed {
                    path: file.path.clone(),
                });
            }
        }
        Ok(())
    }
}

impl ElevationFileRef {
    /// Hashes the file at `path` (as found on disk) and remembers it as `stored`.
    pub fn hash(stored: &Path, path: &Path) -> Result<ElevationFileRef, TerrainError> {
        let sha256 =
            crate::fingerprint::sha256_file(path).map_err(|e| TerrainError::Unreadable {
                path: path.to_owned(),
                reason: e.to_string(),
            })?;
        let file = ElevationFileRef {
            path: stored.to_owned(),
            sha256,
        };
        file.check()?;
        Ok(file)
    }

    /// Refuses a path that is not a plain local file and a malformed hash.
    pub fn check(&self) -> Result<(), TerrainError> {
        let text = self.path.to_string_lossy();
        if text.is_empty() || text.starts_with("/vsi") || text.contains("://") {
            return Err(TerrainError::NotLocal {
                path: self.path.clone(),
            });
        }
        if self.sha256.len() != 64
            || !self
                .sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(TerrainError::BadHash {
                path: self.path.clone(),
                sha256: self.sha256.clone(),
            });
        }
        Ok(())
    }

    /// Checks that the file at `path` (where the case finds it) still has the bytes it
    /// had when it was added.
    pub fn verify(&self, path: &Path) -> Result<(), TerrainError> {
        let found =
            crate::fingerprint::sha256_file(path).map_err(|e| TerrainError::Unreadable {
                path: path.to_owned(),
                reason: e.to_string(),
            })?;
        if found != self.sha256 {
            return Err(TerrainError::Changed {
                path: path.to_owned(),
                expected: self.sha256.clone(),
                found,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, sha: &str) -> ElevationFileRef {
        ElevationFileRef {
            path: path.into(),
            sha256: sha.into(),
        }
    }

    #[test]
    fn check_refuses_bad_values_naming_them() {
        let good = "a".repeat(64);
        let mut layers = ElevationLayers {
            files: vec![file("dem.tif", &good)],
            ..Default::default()
        };
        assert!(layers.check().is_ok());
        layers.opacity = 1.5;
        assert!(layers.check().unwrap_err().to_string().contains("1.5"));
        layers.opacity = 1.0;
        layers.files.push(file("dem.tif", &good));
        assert!(layers.check().unwrap_err().to_string().contains("twice"));
        layers.files[1] = file("/vsicurl/http://x/dem.tif", &good);
        assert!(matches!(layers.check(), Err(TerrainError::NotLocal { .. })));
        layers.files[1] = file("other.tif", "ABC");
        let e = layers.check().unwrap_err().to_string();
        assert!(e.contains("other.tif") && e.contains("ABC"), "{e}");
    }

    #[test]
    fn verify_notices_a_changed_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dem.asc");
        std::fs::write(&path, b"one").unwrap();
        let r = ElevationFileRef::hash(Path::new("dem.asc"), &path).unwrap();
        assert_eq!(r.path, Path::new("dem.asc"));
        assert!(r.verify(&path).is_ok());
        std::fs::write(&path, b"two").unwrap();
        let e = r.verify(&path).unwrap_err().to_string();
        assert!(e.contains("dem.asc") && e.contains("changed"), "{e}");
    }
}
