//! The index build, streamed: three passes over the extract (multipolygon relations,
//! then nodes, then ways) and a packing step, holding in memory only what cannot wait.
//!
//! - every node's location goes to a file on disk ([`super::nodes`]), tagged nodes
//!   become features at once;
//! - each way is resolved against that file as it is read and written, as a feature, to
//!   a spool on disk ([`super::pack::Spool`]); only the member ways of multipolygons
//!   keep their geometry in memory until their relations are assembled;
//! - the spool is packed block by block into the index's arrays.
//!
//! Temporary files are unlinked from the start (gone however the build ends). The whole
//! extract's SHA-256 is computed on the first pass, as it is read.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use osmpbf::{BlobDecode, BlobReader, Element, RelMemberType};
use sha2::{Digest, Sha256};

use super::feature::{Feature, Part, ignored_key};
use super::nodes::{NodeLocations, NodeWriter};
use super::pack::{Arrays, Spool, TooLarge};
use super::{OsmError, OsmType};

/// What a build gives: the arrays to write, and the extract's SHA-256.
pub(super) struct Built {
    pub arrays: Arrays,
    pub sha256: String,
}

/// Counts the bytes read, for progress, and hashes them when asked.
struct Counting<'h, R> {
    inner: R,
    read: &'h AtomicU64,
    hash: Option<&'h mut Sha256>,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        if let Some(h) = self.hash.as_deref_mut() {
            h.update(&buf[..n]);
        }
        Ok(n)
    }
}

type BuildResult<T> = Result<T, OsmError>;

/// One pass over the file's data blocks; `visit` may fail (a temporary file could not
/// be written), which ends the pass.
fn pass(
    path: &Path,
    pass_index: u32,
    hash: Option<&mut Sha256>,
    progress: &(dyn Fn(f64) + Sync),
    cancel: &AtomicBool,
    mut visit: impl FnMut(Element<'_>) -> BuildResult<()>,
) -> BuildResult<()> {
    let file = std::fs::File::open(path).map_err(|source| OsmError::Read {
        path: path.to_owned(),
        source,
    })?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(1).max(1) as f64;
    let read = AtomicU64::new(0);
    let reader = BlobReader::new(std::io::BufReader::new(Counting {
        inner: file,
        read: &read,
        hash,
    }));
    let mut blocks = 0usize;
    for blob in reader {
        if cancel.load(Ordering::Relaxed) {
            return Err(OsmError::Cancelled);
        }
        let blob = blob.map_err(|e| not_pbf(path, &e))?;
        match blob.decode().map_err(|e| not_pbf(path, &e))? {
            BlobDecode::OsmData(block) => {
                blocks += 1;
                let mut failed = None;
                block.for_each_element(|e| {
                    if failed.is_none()
                        && let Err(e) = visit(e)
                    {
                        failed = Some(e);
                    }
                });
                if let Some(e) = failed {
                    return Err(e);
                }
            }
            BlobDecode::OsmHeader(header) => check_header(path, &header)?,
            BlobDecode::Unknown(_) => {}
        }
        let done = read.load(Ordering::Relaxed) as f64 / total;
        progress((f64::from(pass_index) + done) / 3.0);
    }
    if pass_index == 0 && blocks == 0 {
        return Err(OsmError::NoData {
            path: path.to_owned(),
        });
    }
    Ok(())
}

/// Features a reader must understand (the PBF format's `required_features`) that this
/// one does.
const UNDERSTOOD_FEATURES: &[&str] = &["OsmSchema-V0.6", "DenseNodes"];

/// Refuses what the index cannot represent: a history file (every version of every
/// object, deleted ones too, would all become features) or a feature it does not know.
fn check_header(path: &Path, header: &osmpbf::HeaderBlock) -> Result<(), OsmError> {
    for feature in header.required_features() {
        if feature == "HistoricalInformation" {
            return Err(OsmError::HistoryFile {
                path: path.to_owned(),
            });
        }
        if !UNDERSTOOD_FEATURES.contains(&feature.as_str()) {
            return Err(OsmError::UnsupportedFeature {
                path: path.to_owned(),
                feature: feature.clone(),
            });
        }
    }
    Ok(())
}

pub(super) fn not_pbf(path: &Path, e: &impl std::fmt::Display) -> OsmError {
    let text = e.to_string();
    OsmError::NotPbf {
        path: path.to_owned(),
        detail: text.split_whitespace().collect::<Vec<_>>().join(" "),
    }
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

/// Pass 1: multipolygon relations (and boundaries), waiting for their ways.
fn relations(
    path: &Path,
    strings: &mut Strings,
    hash: &mut Sha256,
    progress: &(dyn Fn(f64) + Sync),
    cancel: &AtomicBool,
) -> BuildResult<Vec<PendingRelation>> {
    let mut relations = Vec::new();
    pass(path, 0, Some(hash), progress, cancel, |e| {
        if let Element::Relation(r) = e {
            let is_area = r
                .tags()
                .any(|(k, v)| k == "type" && (v == "multipolygon" || v == "boundary"));
            if !is_area || r.tags().len() <= 1 {
                return Ok(());
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
        Ok(())
    })?;
    Ok(relations)
}

/// Pass 2: every node's location to disk; tagged nodes are features.
fn nodes(
    path: &Path,
    tmp: &Path,
    strings: &mut Strings,
    spool: &mut Spool,
    progress: &(dyn Fn(f64) + Sync),
    cancel: &AtomicBool,
) -> BuildResult<NodeLocations> {
    let io = |source| OsmError::BuildFiles {
        path: tmp.to_owned(),
        source,
    };
    let mut writer = NodeWriter::new(tmp).map_err(io)?;
    let mut node = |id: i64, lon: i32, lat: i32, tags: Vec<(u32, u32)>| {
        writer.push(id, lon, lat).map_err(io)?;
        if !tags.is_empty() {
            spool
                .push(&Feature {
                    osm_type: OsmType::Node,
                    id,
                    tags,
                    parts: vec![vec![[lon, lat]]],
                    area: false,
                })
                .map_err(io)?;
        }
        Ok(())
    };
    pass(path, 1, None, progress, cancel, |e| match e {
        Element::Node(n) => {
            let tags = strings.tags(n.tags());
            node(n.id(), n.decimicro_lon(), n.decimicro_lat(), tags)
        }
        Element::DenseNode(n) => {
            let tags = strings.tags(n.tags());
            node(n.id(), n.decimicro_lon(), n.decimicro_lat(), tags)
        }
        _ => Ok(()),
    })?;
    writer.finish(tmp).map_err(io)
}

/// Pass 3: tagged ways become features as they are read; member ways of the relations
/// keep their geometry for them.
#[allow(clippy::too_many_arguments)]
fn ways(
    path: &Path,
    tmp: &Path,
    strings: &mut Strings,
    member_ways: &[i64],
    locations: &NodeLocations,
    spool: &mut Spool,
    progress: &(dyn Fn(f64) + Sync),
    cancel: &AtomicBool,
) -> BuildResult<HashMap<i64, Part>> {
    let io = |source| OsmError::BuildFiles {
        path: tmp.to_owned(),
        source,
    };
    let mut way_parts: HashMap<i64, Part> = HashMap::new();
    let mut seen = 0u64;
    pass(path, 2, None, progress, cancel, |e| {
        let Element::Way(w) = e else {
            return Ok(());
        };
        seen += 1;
        if seen.is_multiple_of(500_000) {
            // Node pages read so far need not stay resident; those needed again are
            // read again from the page cache.
            locations.release();
        }
        let tags = strings.tags(w.tags());
        let member = member_ways.binary_search(&w.id()).is_ok();
        if tags.is_empty() && !member {
            return Ok(());
        }
        let refs: Vec<i64> = w.refs().collect();
        let part = carried_locations(&w, refs.len())
            .unwrap_or_else(|| refs.iter().filter_map(|r| locations.get(*r)).collect());
        if part.is_empty() {
            return Ok(());
        }
        if member {
            way_parts.insert(w.id(), part.clone());
        }
        if !tags.is_empty() {
            let closed = refs.len() >= 4 && refs.first() == refs.last();
            spool
                .push(&Feature {
                    osm_type: OsmType::Way,
                    id: w.id(),
                    area: closed && closed_way_is_area(strings, &tags),
                    tags,
                    parts: vec![part],
                })
                .map_err(io)?;
        }
        Ok(())
    })?;
    Ok(way_parts)
}

/// Builds the arrays of `path`'s index, with temporary files in `tmp`.
pub(super) fn build(
    path: &Path,
    tmp: &Path,
    progress: &(dyn Fn(f64) + Sync),
    cancel: &AtomicBool,
) -> BuildResult<Built> {
    let io = |source| OsmError::BuildFiles {
        path: tmp.to_owned(),
        source,
    };
    let mut strings = Strings::default();
    let mut hash = Sha256::new();
    let relations = relations(path, &mut strings, &mut hash, progress, cancel)?;
    let sha256 = hex::encode(hash.finalize());
    let mut member_ways: Vec<i64> = relations
        .iter()
        .flat_map(|r| r.ways.iter().copied())
        .collect();
    member_ways.sort_unstable();
    member_ways.dedup();

    let mut spool = Spool::new(tmp).map_err(io)?;
    let locations = nodes(path, tmp, &mut strings, &mut spool, progress, cancel)?;
    let way_parts = ways(
        path,
        tmp,
        &mut strings,
        &member_ways,
        &locations,
        &mut spool,
        progress,
        cancel,
    )?;
    drop(locations);
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
        spool
            .push(&Feature {
                osm_type: OsmType::Relation,
                id: r.id,
                tags: r.tags,
                parts,
                area: true,
            })
            .map_err(io)?;
    }
    drop(way_parts);
    if cancel.load(Ordering::Relaxed) {
        return Err(OsmError::Cancelled);
    }
    let spooled = spool.finish().map_err(io)?;
    let arrays =
        Arrays::pack(strings.table, &spooled).map_err(|TooLarge(what)| OsmError::TooLarge {
            path: path.to_owned(),
            what,
        })?;
    Ok(Built { arrays, sha256 })
}
