//! Durable writes for every file the program makes (case records, caches, exports, the
//! demo case): a temporary file in the destination folder, fsynced, given ordinary
//! permissions and renamed over the target, so a crash leaves the old or the new
//! version, never a half-written file. The lowest layer: it knows nothing of cases.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A file operation that failed, and on which file.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct FileError {
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

impl FileError {
    pub fn at(path: &Path) -> impl FnOnce(io::Error) -> FileError + '_ {
        move |source| FileError {
            path: path.to_owned(),
            source,
        }
    }
}

/// Writes `bytes` to `path` atomically. With `read_only`, the file is made read-only
/// before it appears under its final name, so an original never exists writable.
pub fn write_atomic(path: &Path, bytes: &[u8], read_only: bool) -> Result<(), FileError> {
    write_atomic_with(path, read_only, |tmp| {
        tmp.write_all(bytes).map_err(FileError::at(path))
    })
}

/// Who may read and change a file once it is in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// 0644: case files shared by a team through git, exports.
    Shared,
    /// 0444: originals, which never exist writable.
    ReadOnly,
    /// 0600: secrets (the analyst's key); never readable by others, not even before
    /// the rename.
    Private,
}

/// The atomic write itself: `fill` writes the temp file (beside `path`); it is then
/// synced, given its permissions, renamed into place and the folder synced. A failing
/// `fill` leaves nothing behind.
pub fn write_atomic_with<E: From<FileError>>(
    path: &Path,
    read_only: bool,
    fill: impl FnOnce(&mut File) -> Result<(), E>,
) -> Result<(), E> {
    let access = if read_only {
        Access::ReadOnly
    } else {
        Access::Shared
    };
    write_through_temp(path, "", access, |tmp| fill(tmp.as_file_mut()))
}

/// The one "temp file beside the target, then persist with a mode" of the program.
/// `fill` writes the temp file, through its handle or by its path (GDAL writes by path;
/// `suffix` gives it the extension its driver expects). The file is then synced, given
/// `access`, renamed over `path` and the folder synced. A failing `fill` leaves nothing
/// behind.
pub fn write_through_temp<E: From<FileError>>(
    path: &Path,
    suffix: &str,
    access: Access,
    fill: impl FnOnce(&mut tempfile::NamedTempFile) -> Result<(), E>,
) -> Result<(), E> {
    let io_err = FileError::at(path);
    let dir = match path.parent() {
        // A bare file name ("figure.png") is in the current folder.
        Some(dir) if dir.as_os_str().is_empty() => Path::new("."),
        Some(dir) => dir,
        None => {
            return Err(io_err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "path has no parent folder",
            ))
            .into());
        }
    };
    let io_err = |source| E::from(FileError::at(path)(source));
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .suffix(suffix)
        .tempfile_in(dir)
        .map_err(io_err)?;
    fill(&mut tmp)?;
    tmp.as_file().sync_all().map_err(io_err)?;
    set_permissions(tmp.as_file(), access).map_err(io_err)?;
    tmp.persist(path).map_err(|e| io_err(e.error))?;
    sync_dir(dir).map_err(io_err)?;
    Ok(())
}

/// How far a write waits for the disk before it returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// The file's bytes are synced before the rename; the folder entry is not: the
    /// caller syncs the folder once for several files ([`sync_folder`]) before anything
    /// that refers to them is written.
    FolderLater,
    /// Nothing is synced (a cache that is rebuilt when unreadable): still never a
    /// half-written file under the final name while the system runs.
    None,
}

/// Writes `bytes` to `path` through a temp file renamed into place, like
/// [`write_atomic`], syncing only what `durability` says. Returns the folder the file
/// is in (to sync later).
pub fn write_renamed(
    path: &Path,
    bytes: &[u8],
    access: Access,
    durability: Durability,
) -> Result<PathBuf, FileError> {
    let dir = match path.parent() {
        Some(dir) if dir.as_os_str().is_empty() => Path::new("."),
        Some(dir) => dir,
        None => Path::new("."),
    };
    let io_err = FileError::at(path);
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(dir)
        .map_err(FileError::at(path))?;
    tmp.write_all(bytes).map_err(FileError::at(path))?;
    if durability == Durability::FolderLater {
        tmp.as_file().sync_all().map_err(FileError::at(path))?;
    }
    set_permissions(tmp.as_file(), access).map_err(FileError::at(path))?;
    tmp.persist(path).map_err(|e| io_err(e.error))?;
    Ok(dir.to_owned())
}

/// Writes `bytes` to a temp file beside `path`, synced and given `access`, and returns
/// it unrenamed (deleted when dropped): the caller renames it with
/// `TempPath::persist` once it decides to, then syncs the folder.
pub fn stage(path: &Path, bytes: &[u8], access: Access) -> Result<tempfile::TempPath, FileError> {
    let dir = match path.parent() {
        Some(dir) if dir.as_os_str().is_empty() => Path::new("."),
        Some(dir) => dir,
        None => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(dir)
        .map_err(FileError::at(path))?;
    tmp.write_all(bytes).map_err(FileError::at(path))?;
    tmp.as_file().sync_all().map_err(FileError::at(path))?;
    set_permissions(tmp.as_file(), access).map_err(FileError::at(path))?;
    Ok(tmp.into_temp_path())
}

/// Makes the renames done in `dir` durable (after [`Durability::FolderLater`] writes).
pub fn sync_folder(dir: &Path) -> Result<(), FileError> {
    sync_dir(dir).map_err(FileError::at(dir))
}

/// Gives a temporary file already written and synced in its destination folder its
/// final name: the permissions `access` gives, rename, folder synced.
pub fn persist_temp(
    tmp: tempfile::NamedTempFile,
    path: &Path,
    access: Access,
) -> Result<(), FileError> {
    let io_err = FileError::at(path);
    set_permissions(tmp.as_file(), access).map_err(FileError::at(path))?;
    tmp.persist(path).map_err(|e| io_err(e.error))?;
    let dir = match path.parent() {
        Some(dir) if dir.as_os_str().is_empty() => Path::new("."),
        Some(dir) => dir,
        None => Path::new("."),
    };
    sync_dir(dir).map_err(FileError::at(path))
}

/// Temp files are created private (0600); a case file is shared by a team through
/// git, so it gets ordinary permissions: 0644, or 0444 for originals.
fn set_permissions(file: &File, access: Access) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = match access {
            Access::Shared => 0o644,
            Access::ReadOnly => 0o444,
            Access::Private => 0o600,
        };
        file.set_permissions(fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let mut perms = file.metadata()?.permissions();
        perms.set_readonly(access == Access::ReadOnly);
        file.set_permissions(perms)
    }
}

/// Makes a rename durable by syncing the folder entry (a no-op where unsupported).
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}
