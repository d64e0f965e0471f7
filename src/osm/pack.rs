//! Building the packed arrays of [`super::packed`] without holding every feature in
//! memory: the build writes each feature, as it is resolved, to a spool (an unlinked
//! temporary file) and keeps only its centre and where it starts; packing then reads the
//! spool, mapped, block by block in spatial order.

use std::collections::HashMap;
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::feature::{Feature, Part, bounds_of};
use super::mapped::{self, Mmap};
use super::packed::{
    BLOCK, POINT_BIT, Reader, SECTIONS, decode_parts, encode_parts, kind_byte, put_signed,
    put_varint, write_file,
};

/// Features as the build resolved them, on disk.
pub(super) struct Spool {
    out: BufWriter<File>,
    written: u64,
    offsets: Vec<u64>,
    centres: Vec<[i32; 2]>,
    /// How many features use each string (by the build's string numbers).
    uses: Vec<u64>,
    scratch: Vec<u8>,
}

/// The finished spool, mapped.
pub(super) struct Spooled {
    map: Mmap,
    offsets: Vec<u64>,
    centres: Vec<[i32; 2]>,
    uses: Vec<u64>,
}

/// A feature read back from the spool.
struct Spilled {
    kind: u8,
    id: i64,
    tags: Vec<(u32, u32)>,
    parts: Vec<Part>,
}

impl Spool {
    pub fn new(dir: &Path) -> io::Result<Spool> {
        Ok(Spool {
            out: BufWriter::with_capacity(1 << 20, tempfile::tempfile_in(dir)?),
            written: 0,
            offsets: Vec::new(),
            centres: Vec::new(),
            uses: Vec::new(),
            scratch: Vec::new(),
        })
    }

    pub fn push(&mut self, f: &Feature) -> io::Result<()> {
        let b = bounds_of(&f.parts);
        // The centre as the in-memory builder computed it, so the order is the same.
        self.centres.push([
            ((b[0] + b[2]) * 0.5e7) as i32,
            ((b[1] + b[3]) * 0.5e7) as i32,
        ]);
        let s = &mut self.scratch;
        s.clear();
        s.push(kind_byte(f.osm_type, f.area, &f.parts));
        put_signed(s, f.id);
        put_varint(s, f.tags.len() as u64);
        for &(k, v) in &f.tags {
            put_varint(s, u64::from(k));
            put_varint(s, u64::from(v));
            for i in [k, v] {
                let i = i as usize;
                if self.uses.len() <= i {
                    self.uses.resize(i + 1, 0);
                }
                self.uses[i] += 1;
            }
        }
        encode_parts(s, &f.parts, [0, 0]);
        self.out.write_all(s)?;
        self.offsets.push(self.written);
        self.written += s.len() as u64;
        Ok(())
    }

    pub fn finish(self) -> io::Result<Spooled> {
        let file = self.out.into_inner().map_err(|e| e.into_error())?;
        Ok(Spooled {
            map: mapped::map(&file)?,
            offsets: self.offsets,
            centres: self.centres,
            uses: self.uses,
        })
    }
}

impl Spooled {
    fn get(&self, i: u32) -> Spilled {
        let at = usize::try_from(self.offsets[i as usize]).unwrap_or(usize::MAX);
        let mut r = Reader {
            bytes: self.map.get(at..).unwrap_or(&[]),
            at: 0,
        };
        let kind = r.bytes.first().copied().unwrap_or(0);
        r.at = 1;
        let id = r.signed();
        let n = r.varint();
        let tags = (0..n)
            .map(|_| (r.varint() as u32, r.varint() as u32))
            .collect();
        let parts = decode_parts(&mut r, kind & POINT_BIT != 0, [0, 0]);
        Spilled {
            kind,
            id,
            tags,
            parts,
        }
    }
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

/// The arrays of an index, in memory until written (see [`super::packed::Section`]).
#[derive(Default)]
pub(super) struct Arrays {
    text: Vec<u8>,
    string_ends: Vec<u32>,
    tag_sets: Vec<u8>,
    tag_set_ends: Vec<u32>,
    ids: Vec<i64>,
    kinds: Vec<u8>,
    tag_set: Vec<u32>,
    geometry: Vec<u8>,
    geometry_ends: Vec<u32>,
    block_bounds: Vec<[i32; 4]>,
}

/// Distinct tag lists, found by a hash of their bytes (a country has millions of them:
/// the lists themselves are not kept twice).
#[derive(Default)]
struct TagSets {
    by_hash: HashMap<u64, u32>,
    collided: HashMap<Vec<u8>, u32>,
}

impl Arrays {
    /// The number of the tag list `bytes`, added if new.
    fn tag_set(&mut self, sets: &mut TagSets, bytes: &[u8]) -> Result<u32, TooLarge> {
        let mut h = std::hash::DefaultHasher::new();
        bytes.hash(&mut h);
        let hash = h.finish();
        let next = self.tag_set_ends.len() as u32;
        match sets.by_hash.get(&hash) {
            Some(&set) if self.tag_set_bytes(set) == bytes => return Ok(set),
            Some(_) => {
                if let Some(&set) = sets.collided.get(bytes) {
                    return Ok(set);
                }
                sets.collided.insert(bytes.to_vec(), next);
            }
            None => {
                sets.by_hash.insert(hash, next);
            }
        }
        self.tag_sets.extend_from_slice(bytes);
        self.tag_set_ends.push(offset(self.tag_sets.len(), "tags")?);
        Ok(next)
    }

    fn tag_set_bytes(&self, set: u32) -> &[u8] {
        let i = set as usize;
        let start = if i == 0 {
            0
        } else {
            self.tag_set_ends[i - 1] as usize
        };
        &self.tag_sets[start..self.tag_set_ends[i] as usize]
    }

    /// Packs the spooled features; `strings` is the build's string table.
    pub fn pack(strings: Vec<String>, spooled: &Spooled) -> Result<Arrays, TooLarge> {
        // Strings numbered by use, commonest first.
        let mut uses = spooled.uses.clone();
        uses.resize(strings.len(), 0);
        let mut by_use: Vec<u32> = (0..strings.len() as u32).collect();
        by_use.sort_by_key(|&i| std::cmp::Reverse(uses[i as usize]));
        let mut renumber = vec![0u32; strings.len()];
        let mut packed = Arrays::default();
        for (new, &old) in by_use.iter().enumerate() {
            renumber[old as usize] = new as u32;
            packed
                .text
                .extend_from_slice(strings[old as usize].as_bytes());
            packed
                .string_ends
                .push(offset(packed.text.len(), "tag text")?);
        }
        drop(strings);

        let order = block_order(&spooled.centres);
        let n = order.len();
        packed.ids.reserve_exact(n);
        packed.kinds.reserve_exact(n);
        packed.tag_set.reserve_exact(n);
        packed.geometry_ends.reserve_exact(n);
        let mut sets = TagSets::default();
        let mut bytes = Vec::new();
        for (i, block) in order.chunks(BLOCK).enumerate() {
            let features: Vec<Spilled> = block.iter().map(|&i| spooled.get(i)).collect();
            let mut b = [i32::MAX, i32::MAX, i32::MIN, i32::MIN];
            for p in features.iter().flat_map(|f| f.parts.iter().flatten()) {
                b = [
                    b[0].min(p[0]),
                    b[1].min(p[1]),
                    b[2].max(p[0]),
                    b[3].max(p[1]),
                ];
            }
            packed.block_bounds.push(b);
            for f in features {
                packed.ids.push(f.id);
                packed.kinds.push(f.kind);
                bytes.clear();
                put_varint(&mut bytes, f.tags.len() as u64);
                for (k, v) in &f.tags {
                    put_varint(&mut bytes, u64::from(renumber[*k as usize]));
                    put_varint(&mut bytes, u64::from(renumber[*v as usize]));
                }
                let set = packed.tag_set(&mut sets, &bytes)?;
                packed.tag_set.push(set);
                encode_parts(&mut packed.geometry, &f.parts, [b[0], b[1]]);
                packed
                    .geometry_ends
                    .push(offset(packed.geometry.len(), "geometry")?);
            }
            if i % 4096 == 4095 {
                // The spool is read once: its pages need not stay resident.
                mapped::release(&spooled.map);
            }
        }
        Ok(packed)
    }

    /// Writes the index file (see [`write_file`]).
    pub fn write(&self, out: &mut impl Write, version: u32, meta: &[u8]) -> io::Result<()> {
        let sections: [&[u8]; SECTIONS] = [
            &self.text,
            bytemuck::cast_slice(&self.string_ends),
            &self.tag_sets,
            bytemuck::cast_slice(&self.tag_set_ends),
            bytemuck::cast_slice(&self.ids),
            &self.kinds,
            bytemuck::cast_slice(&self.tag_set),
            &self.geometry,
            bytemuck::cast_slice(&self.geometry_ends),
            bytemuck::cast_slice(&self.block_bounds),
        ];
        write_file(out, version, meta, sections)
    }
}

#[cfg(test)]
mod tests {
    use super::super::OsmType;
    use super::super::packed::Packed;
    use super::*;

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
        let dir = tempfile::tempdir().unwrap();
        let mut spool = Spool::new(dir.path()).unwrap();
        for f in &features {
            spool.push(f).unwrap();
        }
        let spooled = spool.finish().unwrap();
        let arrays = Arrays::pack(strings, &spooled).unwrap();
        let mut file = tempfile::tempfile_in(dir.path()).unwrap();
        arrays.write(&mut file, 7, b"meta").unwrap();
        let map = mapped::map(&file).unwrap();
        assert!(
            Packed::open(mapped::map(&file).unwrap(), 8).is_none(),
            "another version"
        );
        let packed = Packed::open(map, 7).unwrap();
        assert_eq!(packed.meta(), b"meta");
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
        let bounds: Vec<[f64; 4]> = packed.block_bounds().collect();
        for at in 0..100u32 {
            let b = bounds[at as usize / BLOCK];
            for p in packed.parts(at).iter().flatten() {
                let (x, y) = (f64::from(p[0]) * 1e-7, f64::from(p[1]) * 1e-7);
                assert!(
                    x >= b[0] - 1e-9 && x <= b[2] + 1e-9 && y >= b[1] - 1e-9 && y <= b[3] + 1e-9
                );
            }
        }
        // A cut file is refused, not read.
        let mut bytes = Vec::new();
        arrays.write(&mut bytes, 7, b"meta").unwrap();
        let mut cut = tempfile::tempfile_in(dir.path()).unwrap();
        cut.write_all(&bytes[..bytes.len() - 100]).unwrap();
        assert!(Packed::open(mapped::map(&cut).unwrap(), 7).is_none());
        // The spool was never linked into the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
