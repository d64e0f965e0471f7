//! A local index of an OpenStreetMap extract: every tagged node, every tagged way and
//! every multipolygon relation as a geometry (their nodes' coordinates resolved, so a
//! distance is to the feature, not to one of its nodes), packed into flat arrays in
//! spatial blocks with an R-tree over the blocks ([`super::packed`]).
//!
//! Built once per extract (three passes: relations, then ways, then nodes, so only the
//! nodes something needs are kept), with progress and cancel, and cached under the
//! user's cache folder keyed by the extract's SHA-256 and [`FORMAT_VERSION`]. The cache
//! is written beside its final name and renamed: a cancelled or failed build leaves
//! nothing behind; an index of another version is rebuilt.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use osmpbf::{BlobDecode, BlobReader, Element, RelMemberType};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use serde::{Deserialize, Serialize};

use super::OsmType;
use super::packed::{BLOCK, Packed};

/// Bumped whenever what is stored changes; older caches are rebuilt.
/// (4: ways that carry their node locations are read from them; an index built by
/// version 3 of such an extract lacks those ways.)
pub const FORMAT_VERSION: u32 = 4;

/// Tags that say nothing about what a feature is: editing notes, sources and import
/// bookkeeping (osm2pgsql's default style drops the same, so both backends see the same
/// tags).
const IGNORED_KEYS: &[&str] = &[
    "created_by",
    "source",
    "source_ref",
    "note",
    "fixme",
    "FIXME",
    "attribution",
    "comment",
    "odbl",
    "odbl:note",
];
const IGNORED_PREFIXES: &[&str] = &[
    "note:", "source:", "tiger:", "NHD:", "nhd:", "gnis:", "geobase:", "KSJ2:", "yh:",
];

/// Whether a tag is one of those that say nothing about what a feature is.
pub fn ignored_key(key: &str) -> bool {
    IGNORED_KEYS.contains(&key) || IGNORED_PREFIXES.iter().any(|p| key.starts_with(p))
}

/// A geometry part: a point (one vertex), a line or a ring, in 1e-7 degrees
/// (longitude, latitude), as OSM stores them.
pub type Part = Vec<[i32; 2]>;

/// A feature as the build assembles it, before it is packed.
#[derive(Debug, Clone)]
pub(super) struct Feature {
    pub osm_type: OsmType,
    pub id: i64,
    /// Indices into the build's string table.
    pub tags: Vec<(u32, u32)>,
    pub parts: Vec<Part>,
    /// A closed way that is an area (or a multipolygon): distances from inside are zero.
    pub area: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildError {
    Cancelled,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    version: u32,
    source_sha256: String,
    packed: Packed,
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

/// Degrees from 1e-7 degrees.
pub fn degrees(v: [i32; 2]) -> [f64; 2] {
    [f64::from(v[0]) * 1e-7, f64::from(v[1]) * 1e-7]
}

/// Bounding box (west, south, east, north) of parts, in degrees.
pub fn bounds_of(parts: &[Part]) -> [f64; 4] {
    let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for p in parts.iter().flatten() {
        let [x, y] = degrees(*p);
        b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
    }
    b
}

/// A point on the parts: the vertex nearest the middle of their vertices.
pub fn representative_of(parts: &[Part]) -> [f64; 2] {
    let all: Vec<[f64; 2]> = parts.iter().flatten().map(|p| degrees(*p)).collect();
    let n = all.len().max(1) as f64;
    let mid = all
        .iter()
        .fold([0.0, 0.0], |a, p| [a[0] + p[0] / n, a[1] + p[1] / n]);
    all.iter()
        .copied()
        .min_by(|a, b| {
            let da = (a[0] - mid[0]).powi(2) + (a[1] - mid[1]).powi(2);
            let db = (b[0] - mid[0]).powi(2) + (b[1] - mid[1]).powi(2);
            da.total_cmp(&db)
        })
        .unwrap_or(mid)
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

    /// The memory the index holds, bytes: its arrays' capacities and the block tree.
    pub fn approximate_bytes(&self) -> usize {
        let tree = self.blocks.size()
            * std::mem::size_of::<rstar::RTreeNode<GeomWithData<Rectangle<[f64; 2]>, u32>>>();
        self.packed.bytes() + tree + self.source_sha256.capacity()
    }

    /// Heap bytes per part of the index (strings, tags, geometry…).
    pub fn memory_breakdown(&self) -> Vec<(&'static str, usize)> {
        self.packed.breakdown()
    }

    fn from_stored(stored: Stored) -> OsmIndex {
        let entries: Vec<_> = stored
            .packed
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
            source_sha256: stored.source_sha256,
            packed: stored.packed,
            blocks: RTree::bulk_load(entries),
        }
    }

    /// The cached index of `extract`, built (and cached in `cache_dir`) if there is none
    /// of this version. `progress` gets the fraction of the file read.
    pub fn open(
        extract: &Path,
        cache_dir: &Path,
        progress: &(dyn Fn(f64) + Sync),
        cancel: &AtomicBool,
    ) -> Result<OsmIndex, String> {
        let sha = crate::fingerprint::sha256_file(extract)
            .map_err(|e| format!("{}: cannot read: {e}", extract.display()))?;
        let cached = cache_dir.join(format!("{sha}.v{FORMAT_VERSION}.osmidx"));
        if let Ok(bytes) = std::fs::read(&cached) {
            match postcard::from_bytes::<Stored>(&bytes) {
                Ok(stored)
                    if stored.version == FORMAT_VERSION
                        && stored.source_sha256 == sha
                        && stored.packed.is_consistent() =>
                {
                    return Ok(OsmIndex::from_stored(stored));
                }
                _ => log::warn!("{}: not a usable index; rebuilding", cached.display()),
            }
        }
        let stored = build(extract, &sha, progress, cancel).map_err(|e| match e {
            Err(BuildError::Cancelled) => "the index build was cancelled; nothing was kept".into(),
            Ok(message) => message,
        })?;
        std::fs::create_dir_all(cache_dir)
            .map_err(|e| format!("{}: cannot create: {e}", cache_dir.display()))?;
        let bytes = postcard::to_allocvec(&stored).map_err(|e| format!("index: {e}"))?;
        crate::fsio::write_atomic(&cached, &bytes, false).map_err(|e| e.to_string())?;
        Ok(OsmIndex::from_stored(stored))
    }

    /// Builds in memory without a cache (tests and benchmarks).
    pub fn build_uncached(extract: &Path) -> Result<OsmIndex, String> {
        let never = AtomicBool::new(false);
        let stored = build(extract, "", &|_| {}, &never).map_err(|e| match e {
            Err(BuildError::Cancelled) => "cancelled".into(),
            Ok(m) => m,
        })?;
        Ok(OsmIndex::from_stored(stored))
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

/// Counts the bytes read, for progress.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

type BuildResult<T> = Result<T, Result<String, BuildError>>;

/// One pass over the file's data blocks.
fn pass(
    path: &Path,
    pass_index: u32,
    progress: &(dyn Fn(f64) + Sync),
    cancel: &AtomicBool,
    mut visit: impl FnMut(Element<'_>),
) -> BuildResult<()> {
    let file = std::fs::File::open(path)
        .map_err(|e| Ok(format!("{}: cannot read: {e}", path.display())))?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(1).max(1) as f64;
    let read = Arc::new(AtomicU64::new(0));
    let reader = BlobReader::new(std::io::BufReader::new(Counting {
        inner: file,
        read: Arc::clone(&read),
    }));
    let mut blocks = 0usize;
    for blob in reader {
        if cancel.load(Ordering::Relaxed) {
            return Err(Err(BuildError::Cancelled));
        }
        let blob = blob.map_err(|e| Ok(not_pbf(path, &e)))?;
        match blob.decode().map_err(|e| Ok(not_pbf(path, &e)))? {
            BlobDecode::OsmData(block) => {
                blocks += 1;
                block.for_each_element(&mut visit);
            }
            BlobDecode::OsmHeader(header) => check_header(path, &header).map_err(Ok)?,
            BlobDecode::Unknown(_) => {}
        }
        let done = read.load(Ordering::Relaxed) as f64 / total;
        progress((f64::from(pass_index) + done) / 3.0);
    }
    if pass_index == 0 && blocks == 0 {
        return Err(Ok(format!(
            "{}: no OpenStreetMap data in it (not an .osm.pbf extract?)",
            path.display()
        )));
    }
    Ok(())
}

/// Features a reader must understand (the PBF format's `required_features`) that this
/// one does.
const UNDERSTOOD_FEATURES: &[&str] = &["OsmSchema-V0.6", "DenseNodes"];

/// Refuses what the index cannot represent: a history file (every version of every
/// object, deleted ones too, would all become features) or a feature it does not know.
fn check_header(path: &Path, header: &osmpbf::HeaderBlock) -> Result<(), String> {
    for feature in header.required_features() {
        if feature == "HistoricalInformation" {
            return Err(format!(
                "{}: an OSM history file (every version of every object, deleted ones too); \
                 a search needs a current extract (.osm.pbf), e.g. from `osmium time-filter`",
                path.display()
            ));
        }
        if !UNDERSTOOD_FEATURES.contains(&feature.as_str()) {
            return Err(format!(
                "{}: needs the .osm.pbf feature {feature:?}, which this reader does not support",
                path.display()
            ));
        }
    }
    Ok(())
}

fn not_pbf(path: &Path, e: &osmpbf::Error) -> String {
    let text = e.to_string();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    format!(
        "{}: not a readable .osm.pbf (truncated or another format: {text})",
        path.display()
    )
}

/// Interns tag strings.
#[derive(Default)]
struct Strings {
    table: Vec<String>,
    ids: HashMap<String, u32>,
}

impl Strings {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(id) = self.ids.get(s) {
            return *id;
        }
        let id = self.table.len() as u32;
        self.table.push(s.to_owned());
        self.ids.insert(s.to_owned(), id);
        id
    }

    fn tags<'a>(&mut self, tags: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<(u32, u32)> {
        tags.filter(|(k, _)| !ignored_key(k))
            .map(|(k, v)| (self.id(k), self.id(v)))
            .collect()
    }
}

/// A tagged way (or a member way of a multipolygon) waiting for its nodes.
struct PendingWay {
    id: i64,
    tags: Vec<(u32, u32)>,
    refs: Vec<i64>,
    /// The nodes' coordinates when the way carries them (`LocationsOnWays`, written by
    /// `osmium add-locations-to-ways`, which drops the untagged nodes themselves).
    located: Option<Part>,
}

/// The coordinates a way carries for its nodes, if it carries one for every node;
/// locations osmium could not fill (a node outside the extract) are left out, as
/// unresolved nodes are for ways without locations.
fn carried_locations(w: &osmpbf::Way<'_>, refs: usize) -> Option<Part> {
    let located: Part = w
        .node_locations()
        .map(|l| [l.decimicro_lon(), l.decimicro_lat()])
        .collect();
    if located.len() != refs || refs == 0 {
        return None;
    }
    let valid = |c: &[i32; 2]| c[0].abs() <= 1_800_000_000 && c[1].abs() <= 900_000_000;
    Some(located.into_iter().filter(valid).collect())
}

struct PendingRelation {
    id: i64,
    tags: Vec<(u32, u32)>,
    ways: Vec<i64>,
}

/// Whether a closed way with these tags is an area (a closed highway or barrier is a
/// loop of line, not a surface; `area=yes/no` decides when given).
fn closed_way_is_area(strings: &Strings, tags: &[(u32, u32)]) -> bool {
    let tag = |key: &str| {
        tags.iter()
            .find(|(k, _)| strings.table[*k as usize] == key)
            .map(|(_, v)| strings.table[*v as usize].as_str())
    };
    match tag("area") {
        Some("yes") => true,
        Some("no") => false,
        _ => tag("highway").is_none() && tag("barrier").is_none() && tag("railway").is_none(),
    }
}

/// Whether member ways join into closed rings: every way end meets an even number of
/// way ends (a closed way's two ends meet each other).
fn rings_close(parts: &[Part]) -> bool {
    let mut ends: HashMap<[i32; 2], u32> = HashMap::new();
    for part in parts {
        let (Some(first), Some(last)) = (part.first(), part.last()) else {
            return false;
        };
        if part.len() < 2 {
            return false;
        }
        *ends.entry(*first).or_default() += 1;
        *ends.entry(*last).or_default() += 1;
    }
    !ends.is_empty() && ends.values().all(|n| n % 2 == 0)
}

fn build(
    path: &Path,
    sha: &str,
    progress: &(dyn Fn(f64) + Sync),
    cancel: &AtomicBool,
) -> BuildResult<Stored> {
    let mut strings = Strings::default();
    // Pass 1: multipolygon relations and the ways they need.
    let mut relations = Vec::new();
    pass(path, 0, progress, cancel, |e| {
        if let Element::Relation(r) = e {
            let is_area = r
                .tags()
                .any(|(k, v)| k == "type" && (v == "multipolygon" || v == "boundary"));
            if !is_area || r.tags().len() <= 1 {
                return;
            }
            let ways: Vec<i64> = r
                .members()
                .filter(|m| m.member_type == RelMemberType::Way)
                .map(|m| m.member_id)
                .collect();
            if !ways.is_empty() {
                relations.push(PendingRelation {
                    id: r.id(),
                    tags: strings.tags(r.tags().filter(|(k, _)| *k != "type")),
                    ways,
                });
            }
        }
    })?;
    let mut member_ways: Vec<i64> = relations
        .iter()
        .flat_map(|r| r.ways.iter().copied())
        .collect();
    member_ways.sort_unstable();
    member_ways.dedup();

    // Pass 2: tagged ways, and the member ways (untagged ones too).
    let mut ways = Vec::new();
    pass(path, 1, progress, cancel, |e| {
        if let Element::Way(w) = e {
            let tags = strings.tags(w.tags());
            let member = member_ways.binary_search(&w.id()).is_ok();
            if tags.is_empty() && !member {
                return;
            }
            let refs: Vec<i64> = w.refs().collect();
            ways.push(PendingWay {
                id: w.id(),
                tags,
                located: carried_locations(&w, refs.len()),
                refs,
            });
        }
    })?;
    let mut needed: Vec<i64> = ways
        .iter()
        .filter(|w| w.located.is_none())
        .flat_map(|w| w.refs.iter().copied())
        .collect();
    needed.sort_unstable();
    needed.dedup();
    let mut coords = vec![[i32::MIN, i32::MIN]; needed.len()];

    // Pass 3: tagged nodes become features; needed nodes give their coordinates.
    let mut features = Vec::new();
    let mut node = |id: i64, lon: i32, lat: i32, tags: Vec<(u32, u32)>| {
        if let Ok(i) = needed.binary_search(&id) {
            coords[i] = [lon, lat];
        }
        if !tags.is_empty() {
            features.push(Feature {
                osm_type: OsmType::Node,
                id,
                tags,
                parts: vec![vec![[lon, lat]]],
                area: false,
            });
        }
    };
    pass(path, 2, progress, cancel, |e| match e {
        Element::Node(n) => {
            let tags = strings.tags(n.tags());
            node(n.id(), n.decimicro_lon(), n.decimicro_lat(), tags);
        }
        Element::DenseNode(n) => {
            let tags = strings.tags(n.tags());
            node(n.id(), n.decimicro_lon(), n.decimicro_lat(), tags);
        }
        _ => {}
    })?;

    let resolve = |refs: &[i64]| -> Part {
        refs.iter()
            .filter_map(|r| needed.binary_search(r).ok())
            .map(|i| coords[i])
            .filter(|c| c[0] != i32::MIN)
            .collect()
    };
    let mut way_parts: HashMap<i64, Part> = HashMap::new();
    for w in &ways {
        let part = w.located.clone().unwrap_or_else(|| resolve(&w.refs));
        if part.is_empty() {
            continue;
        }
        if member_ways.binary_search(&w.id).is_ok() {
            way_parts.insert(w.id, part.clone());
        }
        if !w.tags.is_empty() {
            let closed = w.refs.len() >= 4 && w.refs.first() == w.refs.last();
            features.push(Feature {
                osm_type: OsmType::Way,
                id: w.id,
                area: closed && closed_way_is_area(&strings, &w.tags),
                tags: w.tags.clone(),
                parts: vec![part],
            });
        }
    }
    for r in relations {
        let parts: Vec<Part> = r
            .ways
            .iter()
            .filter_map(|w| way_parts.get(w).cloned())
            .collect();
        // An area needs all its rings: a boundary cut by the extract's edge is not one
        // (osm2pgsql leaves it out too).
        if parts.len() != r.ways.len() || !rings_close(&parts) {
            continue;
        }
        features.push(Feature {
            osm_type: OsmType::Relation,
            id: r.id,
            tags: r.tags,
            parts,
            area: true,
        });
    }
    let packed = Packed::pack(strings.table, features)
        .map_err(|e| Ok(format!("{}: {e}", path.display())))?;
    progress(1.0);
    Ok(Stored {
        version: FORMAT_VERSION,
        source_sha256: sha.to_owned(),
        packed,
    })
}
