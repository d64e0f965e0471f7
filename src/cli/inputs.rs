//! How commands read what they are given: a still (its decoders' warnings said on stderr)
//! and a case opened for a command that records itself in the audit log.

use anyhow::Result;

use geoproof::case::{Case, CaseError};
use geoproof::evidence;

/// A still for a command, its decoders' warnings (rows missing from a photo cut short)
/// said on stderr, one line each naming the file: the result stands on that picture.
pub fn load_still(
    path: &std::path::Path,
    max_side: u32,
) -> Result<(image::DynamicImage, u32, u32)> {
    let loaded = evidence::load_oriented(path, max_side)?;
    for w in &loaded.warnings {
        eprintln!("warning: {}: {w}", path.display());
    }
    Ok((loaded.image, loaded.width, loaded.height))
}

/// Opens a case for a command that only reads it but records itself in the audit log:
/// writable if possible (then `true`), else read-only when another process holds it.
pub fn open_for_logging(path: &std::path::Path) -> Result<(Case, bool)> {
    match Case::open(path) {
        Ok(case) => {
            let writable = case.read_only_reason().is_none();
            Ok((case, writable))
        }
        Err(CaseError::Locked { .. }) => Ok((Case::open_read_only(path)?, false)),
        Err(e) => Err(e.into()),
    }
}
