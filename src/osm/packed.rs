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
//! The arrays are built by [`super::pack`] and written to one file, each array at an
//! 8-byte boundary; [`Packed`] maps that file and reads the arrays in place, so opening
//! an index reads its header and block bounds, not the whole file. Reads of a damaged
//! file give empty or wrong features, never a panic.
//!
//! Offsets are `u32`: more than 4 GiB of geometry is refused with a message pointing to
//! the PostGIS backend, which is what a planet needs.

use std::io::{self, Write};
use std::ops::Range;

use super::OsmType;
use super::feature::Part;
use super::mapped::Mmap;

/// Features per block of the spatial index.
pub const BLOCK: usize = 32;

pub(super) const AREA_BIT: u8 = 4;
/// The geometry is one vertex (no counts stored).
pub(super) const POINT_BIT: u8 = 8;

const MAGIC: &[u8; 8] = b"GPOSMIDX";
/// Written in the machine's byte order: a file from a machine of the other order is
/// not read (and is rebuilt).
const BYTE_ORDER: u32 = 0x0102_0304;

/// The arrays, in file order.
#[derive(Clone, Copy)]
pub(super) enum Section {
    /// All tag strings, concatenated; string `i` ends at `string_ends[i]`.
    Text,
    StringEnds,
    /// Distinct tag lists: varint count, then varint (key, value) string numbers.
    TagSets,
    TagSetEnds,
    /// Per feature, in block order.
    Ids,
    /// `OsmType` in the low bits, [`AREA_BIT`] for areas, [`POINT_BIT`] for one vertex.
    Kinds,
    TagSet,
    Geometry,
    GeometryEnds,
    /// Per block: west, south, east, north in 1e-7 degrees.
    BlockBounds,
}
pub(super) const SECTIONS: usize = 10;
/// Magic, version, byte order, metadata length, then (offset, length) per section.
const HEADER: usize = 8 + 4 + 4 + 8 + SECTIONS * 16;

pub(super) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub(super) fn put_signed(out: &mut Vec<u8>, v: i64) {
    put_varint(out, ((v << 1) ^ (v >> 63)) as u64);
}

/// Reads varints from a byte run the index wrote itself (a short run reads as zeros
/// rather than panicking).
pub(super) struct Reader<'a> {
    pub bytes: &'a [u8],
    pub at: usize,
}

impl Reader<'_> {
    pub fn varint(&mut self) -> u64 {
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

    pub fn signed(&mut self) -> i64 {
        let v = self.varint();
        ((v >> 1) as i64) ^ -((v & 1) as i64)
    }
}

pub(super) fn kind_byte(t: OsmType, area: bool, parts: &[Part]) -> u8 {
    let t = match t {
        OsmType::Node => 0,
        OsmType::Way => 1,
        OsmType::Relation => 2,
    };
    let point = parts.len() == 1 && parts[0].len() == 1;
    t | if area { AREA_BIT } else { 0 } | if point { POINT_BIT } else { 0 }
}

pub(super) fn type_of(kind: u8) -> OsmType {
    match kind & 3 {
        0 => OsmType::Node,
        1 => OsmType::Way,
        _ => OsmType::Relation,
    }
}

/// A point is its vertex alone; other geometries start with their part count, and each
/// part with its vertex count (doubled, plus one when it is closed: its last vertex, the
/// first again, is not stored).
pub(super) fn encode_parts(out: &mut Vec<u8>, parts: &[Part], origin: [i32; 2]) {
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

/// What [`encode_parts`] wrote; counts are bounded by the bytes left, so a damaged run
/// cannot ask for much.
pub(super) fn decode_parts(r: &mut Reader<'_>, point: bool, origin: [i32; 2]) -> Vec<Part> {
    let mut last = [i64::from(origin[0]), i64::from(origin[1])];
    let mut vertex = |r: &mut Reader<'_>| {
        last = [last[0] + r.signed(), last[1] + r.signed()];
        [last[0] as i32, last[1] as i32]
    };
    if point {
        return vec![vec![vertex(r)]];
    }
    let parts = r.varint().min(r.bytes.len() as u64);
    (0..parts)
        .map(|_| {
            let header = r.varint();
            let n = (header / 2).min(r.bytes.len() as u64);
            let mut part: Part = (0..n).map(|_| vertex(r)).collect();
            if header & 1 == 1
                && let Some(first) = part.first().copied()
            {
                part.push(first);
            }
            part
        })
        .collect()
}

/// Writes the index file: header, `meta` (the caller's, e.g. what the index was built
/// from), then the arrays, each at an 8-byte boundary.
pub(super) fn write_file(
    out: &mut impl Write,
    version: u32,
    meta: &[u8],
    sections: [&[u8]; SECTIONS],
) -> io::Result<()> {
    let pad = |n: usize| n.div_ceil(8) * 8;
    let mut header = Vec::with_capacity(HEADER);
    header.extend_from_slice(MAGIC);
    header.extend_from_slice(&version.to_ne_bytes());
    header.extend_from_slice(&BYTE_ORDER.to_ne_bytes());
    header.extend_from_slice(&(meta.len() as u64).to_ne_bytes());
    let mut at = pad(HEADER + meta.len());
    for s in sections {
        header.extend_from_slice(&(at as u64).to_ne_bytes());
        header.extend_from_slice(&(s.len() as u64).to_ne_bytes());
        at = pad(at + s.len());
    }
    out.write_all(&header)?;
    out.write_all(meta)?;
    let mut written = HEADER + meta.len();
    for s in sections {
        out.write_all(&[0u8; 8][..pad(written) - written])?;
        out.write_all(s)?;
        written = pad(written) + s.len();
    }
    out.write_all(&[0u8; 8][..pad(written) - written])
}

/// The arrays of an index file, read in place.
pub struct Packed {
    map: Mmap,
    meta: Range<usize>,
    sections: [Range<usize>; SECTIONS],
    len: usize,
}

fn ne_u64(bytes: &[u8], at: usize) -> Option<usize> {
    let b: [u8; 8] = bytes.get(at..at + 8)?.try_into().ok()?;
    usize::try_from(u64::from_ne_bytes(b)).ok()
}

impl Packed {
    /// The file's arrays, if it is an index file of `version` whose arrays agree in
    /// length with each other; `None` for anything else (the caller rebuilds).
    pub fn open(map: Mmap, version: u32) -> Option<Packed> {
        let b = &map[..];
        if b.get(..8)? != MAGIC
            || b.get(8..12)? != version.to_ne_bytes()
            || b.get(12..16)? != BYTE_ORDER.to_ne_bytes()
        {
            return None;
        }
        let meta_len = ne_u64(b, 16)?;
        let meta = HEADER..HEADER.checked_add(meta_len)?;
        let mut sections: [Range<usize>; SECTIONS] = Default::default();
        for (i, s) in sections.iter_mut().enumerate() {
            let at = ne_u64(b, 24 + i * 16)?;
            let len = ne_u64(b, 32 + i * 16)?;
            *s = at..at.checked_add(len)?;
            if at % 8 != 0 || s.end > b.len() {
                return None;
            }
        }
        if meta.end > b.len() {
            return None;
        }
        let mut p = Packed {
            map,
            meta,
            sections,
            len: 0,
        };
        p.len = p.kinds().len();
        p.is_consistent().then_some(p)
    }

    fn bytes(&self, s: Section) -> &[u8] {
        &self.map[self.sections[s as usize].clone()]
    }

    fn u32s(&self, s: Section) -> &[u32] {
        bytemuck::try_cast_slice(self.bytes(s)).unwrap_or(&[])
    }

    fn ids(&self) -> &[i64] {
        bytemuck::try_cast_slice(self.bytes(Section::Ids)).unwrap_or(&[])
    }

    fn kinds(&self) -> &[u8] {
        self.bytes(Section::Kinds)
    }

    fn bounds(&self) -> &[[i32; 4]] {
        bytemuck::try_cast_slice(self.bytes(Section::BlockBounds)).unwrap_or(&[])
    }

    /// What the writer put beside the arrays.
    pub fn meta(&self) -> &[u8] {
        &self.map[self.meta.clone()]
    }

    /// Whether the arrays agree with each other in length and their end offsets with
    /// the data they index (checked on open, without reading the data).
    fn is_consistent(&self) -> bool {
        let n = self.len;
        let ends_fit = |ends: Section, data: Section| {
            let ends = self.u32s(ends);
            ends.last().map_or(0, |e| *e as usize) == self.bytes(data).len()
        };
        self.ids().len() == n
            && self.u32s(Section::TagSet).len() == n
            && self.u32s(Section::GeometryEnds).len() == n
            && self.bounds().len() == n.div_ceil(BLOCK)
            && ends_fit(Section::GeometryEnds, Section::Geometry)
            && ends_fit(Section::TagSetEnds, Section::TagSets)
            && ends_fit(Section::StringEnds, Section::Text)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn tag_set_count(&self) -> usize {
        self.u32s(Section::TagSetEnds).len()
    }

    /// Bytes of the mapped file (held by the page cache as they are read).
    pub fn bytes_mapped(&self) -> usize {
        self.map.len()
    }

    /// Bytes per array, for the benchmark's account of where memory goes.
    pub fn breakdown(&self) -> Vec<(&'static str, usize)> {
        let len = |s: Section| self.bytes(s).len();
        vec![
            ("text", len(Section::Text)),
            ("string ends", len(Section::StringEnds)),
            ("tag sets", len(Section::TagSets) + len(Section::TagSetEnds)),
            ("ids", len(Section::Ids)),
            ("kinds", len(Section::Kinds)),
            ("tag set per feature", len(Section::TagSet)),
            (
                "geometry",
                len(Section::Geometry) + len(Section::GeometryEnds),
            ),
            ("block bounds", len(Section::BlockBounds)),
        ]
    }

    /// Each block's bounds in degrees (west, south, east, north).
    pub fn block_bounds(&self) -> impl Iterator<Item = [f64; 4]> + '_ {
        self.bounds().iter().map(|b| {
            [
                f64::from(b[0]) * 1e-7,
                f64::from(b[1]) * 1e-7,
                f64::from(b[2]) * 1e-7,
                f64::from(b[3]) * 1e-7,
            ]
        })
    }

    pub fn id(&self, at: u32) -> i64 {
        self.ids().get(at as usize).copied().unwrap_or(0)
    }

    fn kind(&self, at: u32) -> u8 {
        self.kinds().get(at as usize).copied().unwrap_or(0)
    }

    pub fn osm_type(&self, at: u32) -> OsmType {
        type_of(self.kind(at))
    }

    pub fn is_area(&self, at: u32) -> bool {
        self.kind(at) & AREA_BIT != 0
    }

    pub fn tag_set(&self, at: u32) -> u32 {
        self.u32s(Section::TagSet)
            .get(at as usize)
            .copied()
            .unwrap_or(0)
    }

    /// Run `i` of `data` (empty when the offsets are damaged).
    fn run(&self, ends: Section, data: Section, i: usize) -> &[u8] {
        let ends = self.u32s(ends);
        let start = if i == 0 {
            Some(0)
        } else {
            ends.get(i - 1).map(|e| *e as usize)
        };
        let end = ends.get(i).map(|e| *e as usize);
        match (start, end) {
            (Some(s), Some(e)) => self.bytes(data).get(s..e).unwrap_or(&[]),
            _ => &[],
        }
    }

    fn string(&self, i: u64) -> &str {
        usize::try_from(i)
            .ok()
            .and_then(|i| std::str::from_utf8(self.run(Section::StringEnds, Section::Text, i)).ok())
            .unwrap_or("")
    }

    pub fn tags(&self, set: u32) -> impl Iterator<Item = (&str, &str)> + '_ {
        let mut r = Reader {
            bytes: self.run(Section::TagSetEnds, Section::TagSets, set as usize),
            at: 0,
        };
        let n = r.varint().min(r.bytes.len() as u64);
        (0..n).map(move |_| {
            let k = r.varint();
            let v = r.varint();
            (self.string(k), self.string(v))
        })
    }

    pub fn parts(&self, at: u32) -> Vec<Part> {
        let Some(block) = self.bounds().get(at as usize / BLOCK) else {
            return Vec::new();
        };
        let mut r = Reader {
            bytes: self.run(Section::GeometryEnds, Section::Geometry, at as usize),
            at: 0,
        };
        decode_parts(&mut r, self.kind(at) & POINT_BIT != 0, [block[0], block[1]])
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
}
