//! The folder lock: one process at a time writes a case. The lock is the OS's advisory
//! file lock on `.geoproof.lock` (released by the kernel when its process ends, however
//! it ends); the file's content says who holds it, so the next process can name the
//! holder, and can tell that a lock it just took was left by a process that died.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::Path;

use super::{CaseError, EVIDENCE_DIR, FINDINGS_DIR, LOCK_FILE, SNAPSHOTS_DIR};

/// A held lock; dropping it clears the holder line and releases the lock.
#[derive(Debug)]
pub struct FolderLock {
    file: File,
    /// The holder line found in the file when it was taken: a process that died holding
    /// the case (a clean exit clears it).
    took_over: Option<String>,
}

/// A lock can linger for a moment after its owner released it: a process forked by a
/// multi-threaded program holds a copy of every descriptor until its exec. Retry
/// briefly before reporting the case as busy.
const ATTEMPTS: u32 = 12;

impl FolderLock {
    pub fn acquire(root: &Path) -> Result<FolderLock, CaseError> {
        let path = root.join(LOCK_FILE);
        let io_err = |source| CaseError::Io {
            path: path.clone(),
            source,
        };
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(io_err)?;
        for attempt in 0..ATTEMPTS {
            match file.try_lock() {
                Ok(()) => {
                    let previous = holder_line(&mut file);
                    write_holder(&mut file).map_err(io_err)?;
                    return Ok(FolderLock {
                        file,
                        took_over: previous,
                    });
                }
                Err(fs::TryLockError::WouldBlock) if attempt + 1 < ATTEMPTS => {
                    std::thread::sleep(std::time::Duration::from_millis(25));
                }
                Err(fs::TryLockError::WouldBlock) => break,
                Err(fs::TryLockError::Error(source)) => return Err(io_err(source)),
            }
        }
        let holder = holder_line(&mut file).unwrap_or_else(|| "holder unknown".to_owned());
        Err(CaseError::Locked {
            path: root.to_owned(),
            lock: path,
            holder,
        })
    }

    /// Who held the case before, if that process ended without letting go of it.
    pub fn took_over(&self) -> Option<&str> {
        self.took_over.as_deref()
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // A clean exit leaves no holder line: a line found later means a crash.
        let _ = self.file.set_len(0);
    }
}

/// The holder line of the lock file (at most one short line), if any.
fn holder_line(file: &mut File) -> Option<String> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.take(1024).read_to_string(&mut text).ok()?;
    let line = text.lines().next()?.trim();
    (!line.is_empty()).then(|| super::short_text(line, 200))
}

fn write_holder(file: &mut File) -> std::io::Result<()> {
    let host = fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "this machine".to_owned());
    let line = format!(
        "geoproof {} (pid {} on {host}) since {}\n",
        env!("CARGO_PKG_VERSION"),
        std::process::id(),
        chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ"),
    );
    file.set_len(0)?;
    file.rewind()?;
    file.write_all(line.as_bytes())?;
    file.sync_data()
}

/// Removes the temporary files of atomic writes a crash interrupted. Only called while
/// holding the lock: no other process can be writing them.
pub fn remove_interrupted_writes(root: &Path) {
    for dir in [
        root.to_owned(),
        root.join(EVIDENCE_DIR),
        root.join(FINDINGS_DIR),
        root.join(SNAPSHOTS_DIR),
    ] {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let is_temp = name.to_string_lossy().starts_with(".tmp-")
                && entry.file_type().is_ok_and(|t| t.is_file());
            if is_temp {
                match fs::remove_file(entry.path()) {
                    Ok(()) => log::info!(
                        "{}: removed the leftover of an interrupted write",
                        entry.path().display()
                    ),
                    Err(e) => log::warn!("{}: {e}", entry.path().display()),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_released_lock_can_be_taken_again_and_names_its_holder_while_held() {
        let dir = tempfile::tempdir().unwrap();
        let first = FolderLock::acquire(dir.path()).unwrap();
        match FolderLock::acquire(dir.path()) {
            Err(CaseError::Locked { holder, .. }) => {
                assert!(
                    holder.contains(&format!("(pid {} on ", std::process::id())),
                    "{holder}"
                )
            }
            other => panic!("{other:?}"),
        }
        drop(first);
        let again = FolderLock::acquire(dir.path()).unwrap();
        assert!(
            again.took_over().is_none(),
            "a clean release leaves no holder"
        );
    }
}
