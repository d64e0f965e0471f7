//! Analysts and their keys: an Ed25519 key pair per analyst, the private half in the
//! user's config folder (never in a case), the public half listed in the case.
//!
//! The key file is `<config>/geoproof/analyst.key`, where `<config>` is
//! `$GEOPROOF_CONFIG_DIR` when set (tests use it so they never touch the real home),
//! else `$XDG_CONFIG_HOME`, else `$HOME/.config`. It is JSON (`name`, `public_key`,
//! `secret_key`, both keys lowercase hex) written with mode 0600; a key file anyone but
//! its owner may read or write is refused when loaded.

use super::invalid::Invalid;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

/// The variable that overrides where the analyst's key is kept.
pub const CONFIG_DIR_ENV: &str = "GEOPROOF_CONFIG_DIR";
pub const KEY_FILE: &str = "analyst.key";

/// An analyst as a case lists them: a name and a public key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalystKey {
    pub name: String,
    /// Ed25519 public key, 32 bytes as lowercase hex.
    pub public_key: String,
    pub added: DateTime<Utc>,
}

impl AnalystKey {
    /// `SHA256:` and the first 16 hex digits of the SHA-256 of the key's 32 bytes, in
    /// groups of four.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.public_key)
    }

    pub(super) fn check(&self) -> Result<(), Invalid> {
        super::limits::text("analyst name", &self.name, super::MAX_SHORT_TEXT)?;
        parse_public_key(&self.public_key).map(|_| ())
    }
}

/// The fingerprint of a public key written as hex (see [`AnalystKey::fingerprint`]).
pub fn fingerprint(public_key_hex: &str) -> String {
    let raw = hex::decode(public_key_hex).unwrap_or_else(|_| public_key_hex.as_bytes().to_vec());
    let digest = crate::fingerprint::sha256_hex(&raw);
    let groups: Vec<&str> = (0..4).map(|i| &digest[i * 4..i * 4 + 4]).collect();
    format!("SHA256:{}", groups.join(":"))
}

/// A public key from its hex form.
pub(super) fn parse_public_key(hex_text: &str) -> Result<VerifyingKey, Invalid> {
    let bytes: [u8; 32] = hex::decode(hex_text)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            let shown: String = hex_text.chars().take(20).collect();
            Invalid::rule(
                "public key",
                format!("public key {shown:?}… is not 64 hex digits"),
            )
        })?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| {
        Invalid::rule(
            "public key",
            format!("public key {} is not an Ed25519 key", &hex_text[..12]),
        )
    })
}

/// What can go wrong with the analyst's own key.
#[derive(Debug, thiserror::Error)]
pub enum AnalystError {
    #[error("no config folder: set ${CONFIG_DIR_ENV}, $XDG_CONFIG_HOME or $HOME")]
    NoConfigDir,
    #[error(
        "{}: no analyst key; create one first",
        path.display()
    )]
    NoKey { path: PathBuf },
    #[error(
        "{}: an analyst key already exists (for {name:?}); it is never overwritten",
        path.display()
    )]
    Exists { path: PathBuf, name: String },
    #[error(
        "{}: key file mode {mode:03o} lets others read or change it; refused (run chmod 600 on it)",
        path.display()
    )]
    LoosePermissions { path: PathBuf, mode: u32 },
    #[error("{}: malformed key file: {reason}", path.display())]
    Malformed { path: PathBuf, reason: String },
    #[error("analyst name {name:?}: {reason}")]
    BadName { name: String, reason: Invalid },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

#[derive(Serialize, Deserialize)]
struct KeyFile {
    name: String,
    public_key: String,
    secret_key: String,
    created: DateTime<Utc>,
}

/// The analyst at this computer: their name and signing key.
pub struct LocalAnalyst {
    pub name: String,
    pub created: DateTime<Utc>,
    key: SigningKey,
}

impl std::fmt::Debug for LocalAnalyst {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalAnalyst")
            .field("name", &self.name)
            .field("public_key", &self.public_key_hex())
            .finish_non_exhaustive()
    }
}

impl LocalAnalyst {
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.key.verifying_key().to_bytes())
    }

    /// How the case lists this analyst.
    pub fn entry(&self) -> AnalystKey {
        AnalystKey {
            name: self.name.clone(),
            public_key: self.public_key_hex(),
            added: Utc::now(),
        }
    }

    /// The Ed25519 signature of `message`, as lowercase hex.
    pub fn sign(&self, message: &[u8]) -> String {
        hex::encode(self.key.sign(message).to_bytes())
    }

    pub fn fingerprint(&self) -> String {
        fingerprint(&self.public_key_hex())
    }
}

/// `<config>/geoproof/analyst.key` (see the module notes).
pub fn key_path() -> Result<PathBuf, AnalystError> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let base = var(CONFIG_DIR_ENV)
        .map(PathBuf::from)
        .or_else(|| var("XDG_CONFIG_HOME").map(PathBuf::from))
        .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".config")))
        .ok_or(AnalystError::NoConfigDir)?;
    Ok(base.join("geoproof").join(KEY_FILE))
}

/// Creates this computer's analyst key at [`key_path`]; an existing key is never
/// replaced.
pub fn init(name: &str) -> Result<LocalAnalyst, AnalystError> {
    let path = key_path()?;
    init_at(&path, name)
}

/// [`init`] at `path` (the app and tests choose where).
pub fn init_at(path: &Path, name: &str) -> Result<LocalAnalyst, AnalystError> {
    let name = name.trim();
    super::limits::text("analyst name", name, super::MAX_SHORT_TEXT)
        .and_then(|()| {
            if name.is_empty() {
                Err(Invalid::rule("analyst name", "is empty"))
            } else {
                Ok(())
            }
        })
        .map_err(|reason| AnalystError::BadName {
            name: name.to_owned(),
            reason,
        })?;
    if let Ok(existing) = load_from(path) {
        return Err(AnalystError::Exists {
            path: path.to_owned(),
            name: existing.name,
        });
    }
    if path.exists() {
        return Err(AnalystError::Exists {
            path: path.to_owned(),
            name: "unreadable".into(),
        });
    }
    let mut seed = [0u8; 32];
    getrandom::getrandom(&mut seed).map_err(|e| AnalystError::Io {
        path: path.to_owned(),
        source: std::io::Error::other(format!("no random numbers from the system: {e}")),
    })?;
    let key = SigningKey::from_bytes(&seed);
    let analyst = LocalAnalyst {
        name: name.to_owned(),
        created: Utc::now(),
        key,
    };
    let file = KeyFile {
        name: analyst.name.clone(),
        public_key: analyst.public_key_hex(),
        secret_key: hex::encode(seed),
        created: analyst.created,
    };
    let io_err = |source| AnalystError::Io {
        path: path.to_owned(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir).map_err(io_err)?;
    let bytes = serde_json::to_vec_pretty(&file).map_err(|e| io_err(std::io::Error::other(e)))?;
    // Private: mode 0600 from creation on, so the key is never readable by others, not
    // even before the rename.
    crate::fsio::write_through_temp(path, "", crate::fsio::Access::Private, |tmp| {
        std::io::Write::write_all(tmp, &bytes).map_err(crate::fsio::FileError::at(path))
    })
    .map_err(|e| io_err(e.source))?;
    Ok(analyst)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// This computer's analyst, from [`key_path`].
pub fn load() -> Result<LocalAnalyst, AnalystError> {
    load_from(&key_path()?)
}

/// [`load`] from `path`.
pub fn load_from(path: &Path) -> Result<LocalAnalyst, AnalystError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(AnalystError::NoKey {
                path: path.to_owned(),
            });
        }
        Err(source) => {
            return Err(AnalystError::Io {
                path: path.to_owned(),
                source,
            });
        }
    };
    check_private(path, &meta)?;
    let malformed = |reason: String| AnalystError::Malformed {
        path: path.to_owned(),
        reason,
    };
    let text = std::fs::read(path).map_err(|source| AnalystError::Io {
        path: path.to_owned(),
        source,
    })?;
    let file: KeyFile = serde_json::from_slice(&text).map_err(|e| malformed(e.to_string()))?;
    let seed: [u8; 32] = hex::decode(&file.secret_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| malformed("secret_key is not 64 hex digits".into()))?;
    let key = SigningKey::from_bytes(&seed);
    let analyst = LocalAnalyst {
        name: file.name,
        created: file.created,
        key,
    };
    if analyst.public_key_hex() != file.public_key {
        return Err(malformed("public_key does not belong to secret_key".into()));
    }
    Ok(analyst)
}

#[cfg(unix)]
fn check_private(path: &Path, meta: &std::fs::Metadata) -> Result<(), AnalystError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(AnalystError::LoosePermissions {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _meta: &std::fs::Metadata) -> Result<(), AnalystError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_created_private_loaded_and_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("geoproof").join(KEY_FILE);
        let made = init_at(&path, "Ana").unwrap();
        let loaded = load_from(&path).unwrap();
        assert_eq!(made.public_key_hex(), loaded.public_key_hex());
        assert!(matches!(
            init_at(&path, "Ana"),
            Err(AnalystError::Exists { .. })
        ));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let err = load_from(&path).unwrap_err().to_string();
            assert!(err.contains("mode 644") && err.contains("refused"), "{err}");
        }
    }

    #[test]
    fn fingerprints_are_short_and_stable() {
        let f = fingerprint(&"ab".repeat(32));
        assert_eq!(f.len(), "SHA256:".len() + 19);
        assert_eq!(f, fingerprint(&"ab".repeat(32)));
    }
}
