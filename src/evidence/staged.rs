//! Intake at disk speed: the file is read once, and while the preview is decoded from
//! those bytes another thread hashes the very same bytes and writes them to a temporary
//! copy beside the case's originals. The copy gets its final name (its hash) only when
//! the caller keeps it; dropped, it disappears, so an error never leaves a half-written
//! original behind.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{Inspection, IntakeCause, IntakeError, MediaType};
use crate::fsio::FileError;

/// How much is hashed and written at a time.
const CHUNK: usize = 1 << 20;

/// A copy of an original written (and synced) under a temporary name, with the SHA-256
/// of exactly the bytes written.
#[derive(Debug)]
pub struct StagedCopy {
    tmp: tempfile::NamedTempFile,
    sha256: String,
}

impl StagedCopy {
    /// The SHA-256 of the bytes in the copy.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Gives the copy its final name with `access`; the folder entry is synced.
    pub fn persist(self, path: &Path, access: crate::fsio::Access) -> Result<(), FileError> {
        crate::fsio::persist_temp(self.tmp, path, access)
    }
}

/// Creates the temporary copy in `dir` and fills it with `fill`, which hashes what it
/// writes; the copy is synced before it is handed back.
fn stage_with(
    dir: &Path,
    fill: impl FnOnce(&mut File, &mut Sha256) -> Result<(), IntakeCause>,
) -> Result<StagedCopy, IntakeCause> {
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(dir)
        .map_err(IntakeCause::Stage)?;
    let mut hasher = Sha256::new();
    fill(tmp.as_file_mut(), &mut hasher)?;
    tmp.as_file().sync_all().map_err(IntakeCause::Stage)?;
    Ok(StagedCopy {
        tmp,
        sha256: hex::encode(hasher.finalize()),
    })
}

/// Hashes `bytes` and writes them to a new temporary copy in `dir`, chunk by chunk.
fn stage_bytes(bytes: &[u8], dir: &Path) -> Result<StagedCopy, IntakeCause> {
    stage_with(dir, |file, hasher| {
        for chunk in bytes.chunks(CHUNK) {
            hasher.update(chunk);
            file.write_all(chunk).map_err(IntakeCause::Stage)?;
        }
        Ok(())
    })
}

/// Streams the file at `path` once into a temporary copy in `dir`, hashing each chunk.
fn stage_file(path: &Path, dir: &Path) -> Result<StagedCopy, IntakeCause> {
    stage_with(dir, |file, hasher| {
        let mut input = File::open(path).map_err(IntakeCause::Read)?;
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = input.read(&mut buf).map_err(IntakeCause::Read)?;
            if n == 0 {
                return Ok(());
            }
            hasher.update(&buf[..n]);
            file.write_all(&buf[..n]).map_err(IntakeCause::Stage)?;
        }
    })
}

/// Inspects one file (image or video) and writes its copy into `dir` at the same time:
/// the file is read once, and the hash recorded is the hash of the copy's bytes.
pub fn inspect_and_stage(path: &Path, dir: &Path) -> Result<(Inspection, StagedCopy), IntakeError> {
    let fail = |cause| IntakeError {
        path: path.to_owned(),
        cause,
    };
    let super::Opened {
        name,
        size_bytes,
        video,
    } = super::open_for_intake(path)?;
    if let Some(media_type) = video {
        return inspect_video_staged(path, name, media_type, size_bytes, dir).map_err(fail);
    }
    let bytes = super::read_file(path)?;
    let (result, staged) = std::thread::scope(|scope| {
        let stager = scope.spawn(|| stage_bytes(&bytes, dir));
        let result = super::analyse_image(&bytes);
        (result, stager.join())
    });
    let staged = staged
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        .map_err(fail)?;
    let analysis = result.map_err(fail)?;
    let inspection = analysis.into_inspection(name, bytes, staged.sha256.clone());
    Ok((inspection, staged))
}

/// A video: the probe and keyframe previews (ffmpeg) run while this process streams the
/// file once into the copy; the recorded hash is the copy's.
fn inspect_video_staged(
    path: &Path,
    name: String,
    media_type: MediaType,
    size_bytes: u64,
    dir: &Path,
) -> Result<(Inspection, StagedCopy), IntakeCause> {
    if size_bytes > super::MAX_VIDEO_BYTES {
        return Err(IntakeCause::TooBig(size_bytes));
    }
    let (result, staged) = std::thread::scope(|scope| {
        let stager = scope.spawn(|| stage_file(path, dir));
        let result = super::video::inspect_video_unhashed(path, name, media_type, size_bytes);
        (result, stager.join())
    });
    let staged = staged.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    let mut inspection = result?;
    inspection.sha256 = staged.sha256.clone();
    Ok((inspection, staged))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn a_staged_copy_holds_the_bytes_it_hashes_and_vanishes_unless_kept() {
        let dir = tempfile::tempdir().unwrap();
        let bytes: Vec<u8> = (0..3 * CHUNK + 17).map(|i| (i * 7 % 251) as u8).collect();
        let staged = stage_bytes(&bytes, dir.path()).unwrap();
        assert_eq!(staged.sha256(), crate::fingerprint::sha256_hex(&bytes));
        drop(staged);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "temp left");

        let src = dir.path().join("src.bin");
        fs::write(&src, &bytes).unwrap();
        let out = tempfile::tempdir().unwrap();
        let staged = stage_file(&src, out.path()).unwrap();
        let target = out.path().join("kept.bin");
        let sha = staged.sha256().to_owned();
        staged
            .persist(&target, crate::fsio::Access::ReadOnly)
            .unwrap();
        assert_eq!(fs::read(&target).unwrap(), bytes);
        assert_eq!(sha, crate::fingerprint::sha256_hex(&bytes));
        assert!(fs::metadata(&target).unwrap().permissions().readonly());
        assert_eq!(fs::read_dir(out.path()).unwrap().count(), 1, "temp left");
    }

    #[test]
    fn an_undecodable_image_leaves_no_copy_behind() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("broken.jpg");
        // A JPEG start followed by garbage: sniffed as JPEG, refused by the decoder.
        let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
        bytes.extend(std::iter::repeat_n(0x42u8, 5000));
        fs::write(&src, &bytes).unwrap();
        let stage = tempfile::tempdir().unwrap();
        let err = inspect_and_stage(&src, stage.path()).unwrap_err();
        assert!(
            err.to_string().starts_with(&src.display().to_string()),
            "{err}"
        );
        assert_eq!(fs::read_dir(stage.path()).unwrap().count(), 0, "temp left");
    }
}
