//! A local index of an OpenStreetMap extract: every tagged node, every tagged way and
//! every multipolygon relation as a geometry (their nodes' coordinates resolved, so a
//! distance is to the feature, not to one of its nodes), packed into flat arrays in
//! spatial blocks with an R-tree over the blocks ([`super::packed`]).
//!
//! Built once per extract by streaming it ([`super::build`]: node locations on disk, not
//! in memory), with progress and cancel, and cached under the user's cache folder as one
//! file that is memory-mapped when opened, not read whole. The cache is keyed by a hash of
//! the extract's header and blob index (the sequence of its PBF blob headers) and
//! [`FORMAT_VERSION`]; opening checks the extract's size and modification time against
//! those it was built from and hashes the whole extract only when they differ or when
//! asked to verify. The cache is written beside its final name and renamed, and the
//! build's temporary files are never linked: a cancelled or failed build leaves nothing
//! behind; an index of another version is rebuilt.

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::UNIX_EPOCH;

use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::build::{build, not_pbf};
use super::feature::{Part, bounds_of, representative_of};
use super::mapped;
use super::packed::{BLOCK, Packed, Reader};
use super::{OsmError, OsmType};

/// Bumped whenever what is stored changes; older caches are rebuilt.
/// (4: ways that carry their node locations are read from them; an index built by
/// version 3 of such an extract lacks those ways. 5: one file of flat arrays, mapped,
/// keyed by the extract's blob index.)
pub const FORMAT_VERSION: u32 = 5;

pub use super::feature::ignored_key;

/// What an index was built from, stored beside its arrays.
#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Source {
    size: u64,
    /// Modification time, seconds and nanoseconds since 1970 (unknown on some systems).
    modified: Option<(u64, u32)>,
    /// SHA-256 of the PBF header and blob index ([`blob_index_hash`]).
    blob_index: String,
    /// SHA-256 of the whole extract.
    sha256: String,
}

/// The index: features packed in flat arrays (see [`super::packed`]) in blocks of
/// [`BLOCK`] neighbours, and an R-tree over the blocks' bounds.
pub struct OsmIndex {
    pub source_sha256: String,
    packed: Packed,
    blocks: RTree<GeomWithData<Rectangle<[f64; 2]>, u32>>,
}

/// One feature of the index, read from the packed arrays when asked.
#[derive(Clone, Copy)]
pub struct FeatureRef<'a> {
    index: &'a OsmIndex,
    at: u32,
}

impl<'a> FeatureRef<'a> {
    pub fn osm_type(&self) -> OsmType {
        self.index.packed.osm_type(self.at)
    }

    pub fn id(&self) -> i64 {
        self.index.packed.id(self.at)
    }

    /// A closed way that is an area, or a multipolygon: distances from inside are zero.
    pub fn is_area(&self) -> bool {
        self.index.packed.is_area(self.at)
    }

    /// Which distinct tag list the feature has (features with equal tags share one).
    pub fn tag_set(&self) -> u32 {
        self.index.packed.tag_set(self.at)
    }

    /// Its geometry, decoded.
    pub fn parts(&self) -> Vec<Part> {
        self.index.packed.parts(self.at)
    }

    pub fn bounds(&self) -> [f64; 4] {
        bounds_of(&self.parts())
    }

    pub fn representative(&self) -> [f64; 2] {
        representative_of(&self.parts())
    }

    pub fn tag(&self, key: &str) -> Option<&'a str> {
        self.tags().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    pub fn tags(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.index.packed.tags(self.tag_set())
    }
}

impl OsmIndex {
    /// How many features it holds.
    pub fn len(&self) -> usize {
        self.packed.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every feature, in the index's (spatial) order.
    pub fn features(&self) -> impl Iterator<Item = FeatureRef<'_>> {
        (0..self.len() as u32).map(|at| FeatureRef { index: self, at })
    }

    /// How many distinct tag lists there are (the range of [`FeatureRef::tag_set`]).
    pub fn tag_set_count(&self) -> usize {
        self.packed.tag_set_count()
    }

    /// The features of every block whose bounds meet the box (west, south, east, north):
    /// all features whose bounds meet it, and some of their neighbours. Callers test the
    /// geometry they need.
    pub fn near_box(&self, b: [f64; 4]) -> impl Iterator<Item = FeatureRef<'_>> {
        let n = self.len() as u32;
        self.blocks
            .locate_in_envelope_intersecting(&AABB::from_corners([b[0], b[1]], [b[2], b[3]]))
            .flat_map(move |e| {
                let first = e.data * BLOCK as u32;
                (first..(first + BLOCK as u32).min(n)).map(|at| FeatureRef { index: self, at })
            })
    }

    /// The memory the index needs, bytes: its mapped file (in the page cache as it is
    /// read) and the block tree.
    pub fn approximate_bytes(&self) -> usize {
        let tree = self.blocks.size()
            * std::mem::size_of::<rstar::RTreeNode<GeomWithData<Rectangle<[f64; 2]>, u32>>>();
        self.packed.bytes_mapped() + tree + self.source_sha256.capacity()
    }

    /// Heap bytes per part of the index (strings, tags, geometry…).
    pub fn memory_breakdown(&self) -> Vec<(&'static str, usize)> {
        self.packed.breakdown()
    }

    fn from_packed(packed: Packed, source_sha256: String) -> OsmIndex {
        let entries: Vec<_> = packed
            .block_bounds()
            .enumerate()
            .map(|(i, b)| {
                GeomWithData::new(
                    Rectangle::from_corners([b[0], b[1]], [b[2], b[3]]),
                    i as u32,
                )
            })
            .collect();
        OsmIndex {
            source_sha256,
            packed,
            blocks: RTree::bulk_load(entries),
        }
    }

    /// The index file at `path` with what it was built from, if it is a usable one.
    fn load(path: &Path) -> Option<(OsmIndex, Source)> {
        let file = std::fs::File::open(path).ok()?;
        let packed = Packed::open(mapped::map(&file).ok()?, FORMAT_VERSION);
        let Some(packed) = packed else {
            log::warn!("{}: not a usable index; rebuilding", path.display());
            return None;
        };
        let Ok(source) = postcard::from_bytes::<Source>(packed.meta()) else {
            log::warn!("{}: not a usable index; rebuilding", path.display());
            return None;
        };
        let sha = source.sha256.clone();
        Some((OsmIndex::from_packed(packed, sha), source))
    }

    /// The cached index of `extract`, built (and cached in `cache_dir`) if there is none
    /// of this version. `progress` gets the fraction of the work done.
    pub fn open(
        extract: &Path,
        cache_dir: &Path,
        progress: &(dyn Fn(f64) + Sync),
        cancel: &AtomicBool,
    ) -> Result<OsmIndex, OsmError> {
        OsmIndex::open_checked(extract, cache_dir, false, progress, cancel)
    }

    /// [`OsmIndex::open`], hashing the whole extract when `verify` (otherwise only when
    /// its size or modification time differ from those the index was built from): an
    /// index of other contents is rebuilt.
    pub fn open_checked(
        extract: &Path,
        cache_dir: &Path,
        verify: bool,
        progress: &(dyn Fn(f64) + Sync),
        cancel: &AtomicBool,
    ) -> Result<OsmIndex, OsmError> {
        let read_err = |source| OsmError::Read {
            path: extract.to_owned(),
            source,
        };
        let meta = std::fs::metadata(extract).map_err(read_err)?;
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| (d.as_secs(), d.subsec_nanos()));
        let blob_index = blob_index_hash(extract)?;
        let cached = cache_dir.join(format!("{blob_index}.v{FORMAT_VERSION}.osmidx"));
        if let Some((index, source)) = OsmIndex::load(&cached) {
            let unchanged = source.size == meta.len()
                && source.modified == modified
                && source.blob_index == blob_index;
            if unchanged && !verify {
                return Ok(index);
            }
            let sha = crate::fingerprint::sha256_file(extract).map_err(read_err)?;
            if sha == source.sha256 {
                return Ok(index);
            }
            log::warn!(
                "{}: built from other contents than {}; rebuilding",
                cached.display(),
                extract.display()
            );
        }
        std::fs::create_dir_all(cache_dir).map_err(|source| OsmError::CreateCache {
            path: cache_dir.to_owned(),
            source,
        })?;
        let built = build(extract, cache_dir, progress, cancel)?;
        let source = Source {
            size: meta.len(),
            modified,
            blob_index,
            sha256: built.sha256,
        };
        let meta = postcard::to_allocvec(&source)?;
        crate::fsio::write_atomic_with(&cached, false, |file| {
            let io = crate::fsio::FileError::at(&cached);
            let mut out = BufWriter::with_capacity(1 << 20, file);
            built
                .arrays
                .write(&mut out, FORMAT_VERSION, &meta)
                .map_err(io)?;
            out.flush().map_err(crate::fsio::FileError::at(&cached))
        })?;
        drop(built.arrays);
        let (index, _) = OsmIndex::load(&cached).ok_or_else(|| OsmError::Read {
            path: cached.clone(),
            source: std::io::Error::other("the index just written does not read back"),
        })?;
        progress(1.0);
        Ok(index)
    }

    /// Builds without a cache (tests and benchmarks): the index file is an unlinked
    /// temporary file, mapped.
    pub fn build_uncached(extract: &Path) -> Result<OsmIndex, OsmError> {
        let never = AtomicBool::new(false);
        let tmp = std::env::temp_dir();
        let built = build(extract, &tmp, &|_| {}, &never)?;
        let io = |source| OsmError::BuildFiles {
            path: tmp.clone(),
            source,
        };
        let mut file = tempfile::tempfile_in(&tmp).map_err(io)?;
        {
            let mut out = BufWriter::with_capacity(1 << 20, &mut file);
            built
                .arrays
                .write(&mut out, FORMAT_VERSION, &[])
                .map_err(io)?;
            out.flush().map_err(io)?;
        }
        drop(built.arrays);
        let packed =
            Packed::open(mapped::map(&file).map_err(io)?, FORMAT_VERSION).ok_or_else(|| {
                io(std::io::Error::other(
                    "the index just written does not read back",
                ))
            })?;
        Ok(OsmIndex::from_packed(packed, built.sha256))
    }
}

/// Where indexes are cached: `$XDG_CACHE_HOME/geoproof/osm` (or `~/.cache/…`).
pub fn default_cache_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::home_dir().map(|h| h.join(".cache")))
        .map(|p| p.join(crate::assets::APP_ID).join("osm"))
}

/// The largest blob header the PBF format allows.
const MAX_BLOB_HEADER: usize = 64 * 1024;
/// The largest blob the PBF format allows.
const MAX_BLOB: usize = 32 * 1024 * 1024;

/// SHA-256 of an extract's structure: every blob header (type and data size, in file
/// order) and the whole header blob (its bounding box, replication time and features),
/// read without reading the data blobs. An extract that is rewritten or updated has
/// other blob sizes or another header; the full hash is checked when its size or time
/// change, or on demand.
pub fn blob_index_hash(path: &Path) -> Result<String, OsmError> {
    let read_err = |source| OsmError::Read {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let mut r = BufReader::with_capacity(1 << 16, file);
    let mut hash = Sha256::new();
    let mut first = true;
    loop {
        let mut len = [0u8; 4];
        match r.read(&mut len[..1]).map_err(read_err)? {
            0 => break,
            _ => r.read_exact(&mut len[1..]).map_err(read_err)?,
        }
        let n = u32::from_be_bytes(len) as usize;
        if n > MAX_BLOB_HEADER {
            return Err(not_pbf(path, &format!("a blob header of {n} bytes")));
        }
        let mut header = vec![0u8; n];
        r.read_exact(&mut header).map_err(read_err)?;
        hash.update(len);
        hash.update(&header);
        let size = data_size(&header).ok_or_else(|| not_pbf(path, &"a damaged blob header"))?;
        if first {
            if size > MAX_BLOB {
                return Err(not_pbf(path, &format!("a header blob of {size} bytes")));
            }
            let mut data = vec![0u8; size];
            r.read_exact(&mut data).map_err(read_err)?;
            hash.update(&data);
            first = false;
        } else {
            r.seek_relative(size as i64).map_err(read_err)?;
        }
    }
    Ok(hex::encode(hash.finalize()))
}

/// The `datasize` field of a PBF `BlobHeader` (protobuf field 3).
fn data_size(header: &[u8]) -> Option<usize> {
    let mut r = Reader {
        bytes: header,
        at: 0,
    };
    let mut size = None;
    while r.at < header.len() {
        let key = r.varint();
        match key & 7 {
            0 => {
                let v = r.varint();
                if key >> 3 == 3 {
                    size = usize::try_from(v).ok();
                }
            }
            2 => {
                let n = usize::try_from(r.varint()).ok()?;
                r.at = r.at.checked_add(n).filter(|e| *e <= header.len())?;
            }
            _ => return None,
        }
    }
    size
}
