//! The index's features in flat arrays, so that a country-size extract fits in a few
//! bytes a feature instead of a few allocations a feature:
//!
//! - features are sorted into spatial blocks of [`BLOCK`] neighbours (sort-tile-recursive
//!   packing of their bounding-box centres); only the blocks go into the R-tree;
//! - a feature's geometry is one run of bytes: part and vertex counts, then each vertex
//!   as the zig-zag varint difference from the previous one (the first from its block's
//!   south-west corner), so a vertex of a building takes two to four bytes, not eight;
//! - tag lists are stored once per distinct list (every `building=yes` shares one), as
//!   varint pairs of string numbers, and strings are numbered by how often they are
//!   used (the commonest take one byte);
//! - strings are one text with end offsets.
//!
//! Offsets are `u32`: more than 4 GiB of geometry is refused with a message pointing to
//! the PostGIS backend, which is what a planet needs.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::OsmType;
use super::feature::{Feature, Part, bounds_of};

/// Features per block of the spatial index.
pub const BLOCK: usize = 32;

const AREA_BIT: u8 = 4;
/// The geometry is one vertex (no counts stored).
const POINT_BIT: u8 = 8;

#[derive(Serialize, Deserialize, Default)]
pub struct Packed {
    /// All tag strings, concatenated; string `i` ends at `string_ends[i]`.
    text: String,
    string_ends: Vec<u32>,
    /// Distinct tag lists: varint count, then varint (key, value) string numbers.
    tag_sets: Vec<u8>,
    tag_set_ends: Vec<u32>,
    /// Per feature, in block order.
    ids: Vec<i64>,
    /// `OsmType` in the low bits, [`AREA_BIT`] for areas, [`POINT_BIT`] for one vertex.
    kinds: Vec<u8>,
    tag_set: Vec<u32>,
    geometry: Vec<u8>,
    geometry_ends: Vec<u32>,
    /// Per block: west, south, east, north in 1e-7 degrees.
    block_bounds: Vec<[i32; 4]>,
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_signed(out: &mut Vec<u8>, v: i64) {
    put_varint(out, ((v << 1) ^ (v >> 63)) as u64);
}

/// Reads varints from a byte run the index wrote itself (checked on open by
/// [`Packed::is_consistent`]; a short run reads as zeros rather than panicking).
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn varint(&mut self) -> u64 {
        let mut v = 0u64;
        let mut shift = 0;
        while let Some(b) = self.bytes.get(self.at) {
            self.at += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 || shift >= 63 {
                break;
            }
            shift += 7;
        }
        v
    }

    fn signed(&mut self) -> i64 {
        let v = self.varint();
        ((v >> 1) as i64) ^ -((v & 1) as i64)
    }
}

fn kind_byte(t: OsmType, area: bool, parts: &[Part]) -> u8 {
    let t = match t {
        OsmType::Node => 0,
        OsmType::Way => 1,
        OsmType::Relation => 2,
    };
    let point = parts.len() == 1 && parts[0].len() == 1;
    t | if area { AREA_BIT } else { 0 } | if point { POINT_BIT } else { 0 }
}

/// The build overflowed a 32-bit offset into this part of the index (the caller names
/// the file).
#[derive(Debug)]
pub(super) struct TooLarge(pub &'static str);

fn offset(len: usize, what: &'static str) -> Result<u32, TooLarge> {
    u32::try_from(len).map_err(|_| TooLarge(what))
}

/// The order that groups features into compact blocks: sort by x, cut into vertical
/// strips of whole blocks, sort each strip by y (sort-tile-recursive).
fn block_order(centres: &[[i32; 2]]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..centres.len() as u32).collect();
    order.sort_unstable_by_key(|&i| centres[i as usize][0]);
    let blocks = centres.len().div_ceil(BLOCK);
    let strips = (blocks as f64).sqrt().ceil().max(1.0) as usize;
    let per_strip = blocks.div_ceil(strips) * BLOCK;
    for strip in order.chunks_mut(per_strip.max(1)) {
        strip.sort_unstable_by_key(|&i| centres[i as usize][1]);
    }
    order
}

impl Packed {
    /// Packs the build's features; `strings` is the build's string table.
    pub(super) fn pack(strings: Vec<String>, features: Vec<Feature>) -> Result<Packed, TooLarge> {
        // Strings numbered by use, commonest first.
        let mut uses = vec![0u64; strings.len()];
        for (k, v) in features.iter().flat_map(|f| &f.tags) {
            uses[*k as usize] += 1;
            uses[*v as usize] += 1;
        }
        let mut by_use: Vec<u32> = (0..strings.len() as u32).collect();
        by_use.sort_by_key(|&i| std::cmp::Reverse(uses[i as usize]));
        let mut renumber = vec![0u32; strings.len()];
        let mut packed = Packed::default();
        for (new, &old) in by_use.iter().enumerate() {
            renumber[old as usize] = new as u32;
            packed.text.push_str(&strings[old as usize]);
            packed
                .string_ends
                .push(offset(packed.text.len(), "tag text")?);
        }
        drop(strings);

        let centres: Vec<[i32; 2]> = features
            .iter()
            .map(|f| {
                let b = bounds_of(&f.parts);
                [
                    ((b[0] + b[2]) * 0.5e7) as i32,
                    ((b[1] + b[3]) * 0.5e7) as i32,
                ]
            })
            .collect();
        let order = block_order(&centres);
        drop(centres);

        let mut sets: HashMap<Vec<(u32, u32)>, u32> = HashMap::new();
        packed.ids.reserve_exact(features.len());
        packed.kinds.reserve_exact(features.len());
        packed.tag_set.reserve_exact(features.len());
        packed.geometry_ends.reserve_exact(features.len());
        for block in order.chunks(BLOCK) {
            let mut b = [i32::MAX, i32::MAX, i32::MIN, i32::MIN];
            for p in block
                .iter()
                .flat_map(|&i| features[i as usize].parts.iter().flatten())
            {
                b = [
                    b[0].min(p[0]),
                    b[1].min(p[1]),
                    b[2].max(p[0]),
                    b[3].max(p[1]),
                ];
            }
            packed.block_bounds.push(b);
            for &i in block {
                let f = &features[i as usize];
                packed.ids.push(f.id);
                packed.kinds.push(kind_byte(f.osm_type, f.area, &f.parts));
                let tags: Vec<(u32, u32)> = f
                    .tags
                    .iter()
                    .map(|(k, v)| (renumber[*k as usize], renumber[*v as usize]))
                    .collect();
                let next = sets.len() as u32;
                let set = *sets.entry(tags).or_insert_with_key(|tags| {
                    put_varint(&mut packed.tag_sets, tags.len() as u64);
                    for (k, v) in tags {
                        put_varint(&mut packed.tag_sets, u64::from(*k));
                        put_varint(&mut packed.tag_sets, u64::from(*v));
                    }
                    next
                });
                if set == next {
                    packed
                        .tag_set_ends
                        .push(offset(packed.tag_sets.len(), "tags")?);
                }
                packed.tag_set.push(set);
                encode_parts(&mut packed.geometry, &f.parts, [b[0], b[1]]);
                packed
                    .geometry_ends
                    .push(offset(packed.geometry.len(), "geometry")?);
            }
        }
        packed.shrink_to_fit();
        Ok(packed)
    }

    fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.string_ends.shrink_to_fit();
        self.tag_sets.shrink_to_fit();
        self.tag_set_ends.shrink_to_fit();
        self.geometry.shrink_to_fit();
        self.block_bounds.shrink_to_fit();
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn tag_set_count(&self) -> usize {
        self.tag_set_ends.len()
    }

    /// Whether the arrays agree with each other (a cache file could be damaged).
    pub fn is_consistent(&self) -> bool {
        let n = self.ids.len();
        let ascending = |ends: &[u32], len: usize| {
            ends.windows(2).all(|w| w[0] <= w[1]) && ends.last().map_or(0, |e| *e as usize) == len
        };
        self.kinds.len() == n
            && self.tag_set.len() == n
            && self.geometry_ends.len() == n
            && self.block_bounds.len() == n.div_ceil(BLOCK)
            && ascending(&self.geometry_ends, self.geometry.len())
            && ascending(&self.tag_set_ends, self.tag_sets.len())
            && ascending(&self.string_ends, self.text.len())
            && self
                .string_ends
                .iter()
                .all(|e| self.text.is_char_boundary(*e as usize))
            && self
                .tag_set
                .iter()
                .all(|s| (*s as usize) < self.tag_set_ends.len())
            && self.kinds.iter().all(|k| k & 3 <= 2 && k >> 4 == 0)
    }

    /// Heap bytes held.
    pub fn bytes(&self) -> usize {
        self.breakdown().iter().map(|(_, b)| b).sum()
    }

    /// Heap bytes per array, for the benchmark's account of where memory goes.
    pub fn breakdown(&self) -> Vec<(&'static str, usize)> {
        vec![
            ("text", self.text.capacity()),
            ("string ends", self.string_ends.capacity() * 4),
            (
                "tag sets",
                self.tag_sets.capacity() + self.tag_set_ends.capacity() * 4,
            ),
            ("ids", self.ids.capacity() * 8),
            ("kinds", self.kinds.capacity()),
            ("tag set per feature", self.tag_set.capacity() * 4),
            (
                "geometry",
                self.geometry.capacity() + self.geometry_ends.capacity() * 4,
            ),
            ("block bounds", self.block_bounds.capacity() * 16),
        ]
    }

    /// Each block's bounds in degrees (west, south, east, north).
    pub fn block_bounds(&self) -> impl Iterator<Item = [f64; 4]> + '_ {
        self.block_bounds.iter().map(|b| {
            [
                f64::from(b[0]) * 1e-7,
                f64::from(b[1]) * 1e-7,
                f64::from(b[2]) * 1e-7,
                f64::from(b[3]) * 1e-7,
            ]
        })
    }

    pub fn id(&self, at: u32) -> i64 {
        self.ids[at as usize]
    }

    pub fn osm_type(&self, at: u32) -> OsmType {
        match self.kinds[at as usize] & 3 {
            0 => OsmType::Node,
            1 => OsmType::Way,
            _ => OsmType::Relation,
        }
    }

    pub fn is_area(&self, at: u32) -> bool {
        self.kinds[at as usize] & AREA_BIT != 0
    }

    pub fn tag_set(&self, at: u32) -> u32 {
        self.tag_set[at as usize]
    }

    fn run(ends: &[u32], i: usize) -> std::ops::Range<usize> {
        let start = if i == 0 { 0 } else { ends[i - 1] as usize };
        start..ends[i] as usize
    }

    fn string(&self, i: u64) -> &str {
        usize::try_from(i)
            .ok()
            .filter(|i| *i < self.string_ends.len())
            .and_then(|i| self.text.get(Self::run(&self.string_ends, i)))
            .unwrap_or("")
    }

    pub fn tags(&self, set: u32) -> impl Iterator<Item = (&str, &str)> + '_ {
        let mut r = Reader {
            bytes: &self.tag_sets[Self::run(&self.tag_set_ends, set as usize)],
            at: 0,
        };
        let n = r.varint();
        (0..n).map(move |_| {
            let k = r.varint();
            let v = r.varint();
            (self.string(k), self.string(v))
        })
    }

    pub fn parts(&self, at: u32) -> Vec<Part> {
        let block = &self.block_bounds[at as usize / BLOCK];
        let mut r = Reader {
            bytes: &self.geometry[Self::run(&self.geometry_ends, at as usize)],
            at: 0,
        };
        let mut last = [i64::from(block[0]), i64::from(block[1])];
        let mut vertex = |r: &mut Reader<'_>| {
            last = [last[0] + r.signed(), last[1] + r.signed()];
            [last[0] as i32, last[1] as i32]
        };
        if self.kinds[at as usize] & POINT_BIT != 0 {
            return vec![vec![vertex(&mut r)]];
        }
        // Counts are bounded by the bytes left, so a damaged run cannot ask for much.
        let parts = r.varint().min(r.bytes.len() as u64);
        (0..parts)
            .map(|_| {
                let header = r.varint();
                let n = (header / 2).min(r.bytes.len() as u64);
                let mut part: Part = (0..n).map(|_| vertex(&mut r)).collect();
                if header & 1 == 1
                    && let Some(first) = part.first().copied()
                {
                    part.push(first);
                }
                part
            })
            .collect()
    }
}

/// A point is its vertex alone; other geometries start with their part count, and each
/// part with its vertex count (doubled, plus one when it is closed: its last vertex, the
/// first again, is not stored).
fn encode_parts(out: &mut Vec<u8>, parts: &[Part], origin: [i32; 2]) {
    let mut last = [i64::from(origin[0]), i64::from(origin[1])];
    let mut vertex = |out: &mut Vec<u8>, p: &[i32; 2]| {
        let p = [i64::from(p[0]), i64::from(p[1])];
        put_signed(out, p[0] - last[0]);
        put_signed(out, p[1] - last[1]);
        last = p;
    };
    if let [point] = parts
        && let [p] = point.as_slice()
    {
        vertex(out, p);
        return;
    }
    put_varint(out, parts.len() as u64);
    for part in parts {
        let closed = part.len() >= 3 && part.first() == part.last();
        let stored = if closed {
            &part[..part.len() - 1]
        } else {
            part
        };
        put_varint(out, stored.len() as u64 * 2 + u64::from(closed));
        for p in stored {
            vertex(out, p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_at_their_edges() {
        let values = [
            0i64,
            1,
            -1,
            63,
            -64,
            64,
            1 << 20,
            -(1 << 31),
            i64::from(i32::MAX) * 2,
        ];
        let mut bytes = Vec::new();
        for v in values {
            put_signed(&mut bytes, v);
        }
        let mut r = Reader {
            bytes: &bytes,
            at: 0,
        };
        for v in values {
            assert_eq!(r.signed(), v);
        }
        assert_eq!(r.at, bytes.len());
        // Small differences take one byte each way.
        let mut one = Vec::new();
        put_signed(&mut one, -64);
        assert_eq!(one.len(), 1);
    }

    #[test]
    fn features_come_back_as_they_went_in() {
        let strings = vec![
            "amenity".into(),
            "fuel".into(),
            "building".into(),
            "yes".into(),
        ];
        let features: Vec<Feature> = (0..100)
            .map(|i| Feature {
                osm_type: if i % 3 == 0 {
                    OsmType::Way
                } else {
                    OsmType::Node
                },
                id: 1_000_000_000_000 + i,
                tags: if i % 2 == 0 {
                    vec![(0, 1)]
                } else {
                    vec![(2, 3), (0, 1)]
                },
                parts: {
                    let mut ring: Part = (0..(i % 5 + 1))
                        .map(|k| {
                            [
                                (i * 1000 + k * 37) as i32 - 1_799_999_999,
                                -(i as i32) * 99 + 900_000_000 + k as i32,
                            ]
                        })
                        .collect();
                    if i % 4 == 0 {
                        ring.push(ring[0]);
                    }
                    if i % 7 == 0 {
                        vec![ring.clone(), ring]
                    } else {
                        vec![ring]
                    }
                },
                area: i % 3 == 0,
            })
            .collect();
        let packed = Packed::pack(strings, features.clone()).unwrap();
        assert!(packed.is_consistent());
        assert_eq!(packed.len(), 100);
        assert_eq!(packed.tag_set_count(), 2, "equal tag lists are stored once");
        for at in 0..100u32 {
            let f = features.iter().find(|f| f.id == packed.id(at)).unwrap();
            assert_eq!(packed.osm_type(at), f.osm_type);
            assert_eq!(packed.is_area(at), f.area);
            assert_eq!(packed.parts(at), f.parts);
            let tags: Vec<_> = packed.tags(packed.tag_set(at)).collect();
            let want = if f.tags.len() == 1 {
                vec![("amenity", "fuel")]
            } else {
                vec![("building", "yes"), ("amenity", "fuel")]
            };
            assert_eq!(tags, want);
        }
        // Every feature lies inside its block's bounds.
        for (at, b) in (0..100u32).map(|at| (at, packed.block_bounds[at as usize / BLOCK])) {
            for p in packed.parts(at).iter().flatten() {
                assert!(p[0] >= b[0] && p[0] <= b[2] && p[1] >= b[1] && p[1] <= b[3]);
            }
        }
    }
}
