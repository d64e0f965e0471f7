//! The one place the OSM index maps files into memory (the crate denies `unsafe`
//! elsewhere). Only files this program wrote itself are mapped, read-only: the node
//! locations of a build in progress (an unlinked temporary file nobody else can open) and
//! a finished index in the cache folder, whose contents are checked before they are used.

use std::fs::File;
use std::io;

pub use memmap2::Mmap;

/// Maps `file` read-only. A file that is truncated by another program while mapped
/// makes reads past its new end fault; every index file is written under a temporary
/// name and renamed, so the program's own writes never do that.
#[allow(unsafe_code)]
pub fn map(file: &File) -> io::Result<Mmap> {
    // SAFETY: read-only mapping of a file this program wrote (see the module note); the
    // bytes are only read as plain integers, whatever they contain.
    unsafe { Mmap::map(file) }
}

/// Gives back the pages of a mapping read so far (they stay in the page cache and come
/// back on the next read), so that reading a large file once does not hold it resident.
#[allow(unsafe_code)]
pub fn release(map: &Mmap) {
    // SAFETY: the mapping is read-only and file-backed: dropping its pages loses nothing,
    // later reads fault them in again from the file.
    let _ = unsafe { map.unchecked_advise(memmap2::UncheckedAdvice::DontNeed) };
}
