//! The EXIF block of a HEIF file's primary image: the `Exif` item that describes
//! (`cdsc`) the primary item (`pitm`). kamadak-exif takes the last `Exif` item in the
//! file, which in a file with several images (an iPhone photo with its edited copy)
//! belongs to another image: another capture time, another camera direction.

/// Why the primary image's EXIF could not be located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// The file has no EXIF for the primary image.
    None,
    /// The boxes that lead to it are damaged.
    Damaged(&'static str),
}

/// The largest EXIF block read (real ones are a few kilobytes).
const MAX_EXIF_BYTES: usize = 16 * 1024 * 1024;

/// The TIFF-structured EXIF of the primary image of the HEIF file `file`.
pub fn primary_exif(file: &[u8]) -> Result<Vec<u8>, Missing> {
    let meta = child(file, b"meta").ok_or(Missing::None)?;
    let meta = meta
        .get(4..)
        .ok_or(Missing::Damaged("meta box too short"))?;
    let primary = full_box_id(child(meta, b"pitm").ok_or(Missing::Damaged("no pitm box"))?)?;
    let exif_items = exif_items(child(meta, b"iinf").ok_or(Missing::Damaged("no iinf box"))?)?;
    let described = |id: u32| {
        child(meta, b"iref").is_some_and(|iref| describes(iref, id, primary).unwrap_or(false))
    };
    // With several images, the one describing the primary image; a lone one is taken
    // as kamadak-exif and exiftool take it.
    let item = match exif_items.as_slice() {
        [] => return Err(Missing::None),
        [only] => *only,
        items => *items
            .iter()
            .find(|id| described(**id))
            .ok_or(Missing::None)?,
    };
    let data = item_data(meta, file, item)?;
    // ExifDataBlock: a 4-byte offset to the TIFF header, then the EXIF bytes.
    let offset = read_u32(&data, 0).ok_or(Missing::Damaged("Exif item too short"))? as usize;
    data.get(4 + offset..)
        .filter(|tiff| tiff.len() >= 8)
        .map(<[u8]>::to_vec)
        .ok_or(Missing::Damaged(
            "Exif item's TIFF header offset is out of range",
        ))
}

fn read_u16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn read_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// An unsigned big-endian number of 0, 4 or 8 bytes.
fn read_sized(b: &[u8], at: usize, size: usize) -> Option<u64> {
    match size {
        0 => Some(0),
        4 => read_u32(b, at).map(u64::from),
        8 => Some(u64::from_be_bytes(b.get(at..at + 8)?.try_into().ok()?)),
        _ => None,
    }
}

/// The boxes in `data`: type and body.
fn boxes(mut data: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    std::iter::from_fn(move || {
        let size = read_u32(data, 0)? as usize;
        let kind = data.get(4..8)?;
        let (header, size) = match size {
            0 => (8, data.len()),
            1 => (16, usize::try_from(read_sized(data, 8, 8)?).ok()?),
            s => (8, s),
        };
        let body = data.get(header..size)?;
        let kind_and_body = (kind, body);
        data = &data[size..];
        Some(kind_and_body)
    })
}

fn child<'a>(data: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    boxes(data).find(|(k, _)| k == kind).map(|(_, body)| body)
}

/// The item id in a `pitm` box (version 0: 16 bits, else 32).
fn full_box_id(pitm: &[u8]) -> Result<u32, Missing> {
    let damaged = Missing::Damaged("pitm box too short");
    match pitm.first() {
        Some(0) => read_u16(pitm, 4).map(u32::from).ok_or(damaged),
        Some(_) => read_u32(pitm, 4).ok_or(damaged),
        None => Err(damaged),
    }
}

/// The ids of the `Exif` items listed in `iinf`.
fn exif_items(iinf: &[u8]) -> Result<Vec<u32>, Missing> {
    let entries = match iinf.first() {
        Some(0) => iinf.get(6..),
        Some(_) => iinf.get(8..),
        None => None,
    }
    .ok_or(Missing::Damaged("iinf box too short"))?;
    let mut ids = Vec::new();
    for (kind, infe) in boxes(entries) {
        if kind != b"infe" {
            continue;
        }
        // Versions 2 and 3 carry the item type; older ones cannot be an Exif item.
        let (id, type_at) = match infe.first() {
            Some(2) => (read_u16(infe, 4).map(u32::from), 8),
            Some(3) => (read_u32(infe, 4), 10),
            _ => continue,
        };
        if infe.get(type_at..type_at + 4) == Some(b"Exif")
            && let Some(id) = id
        {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Whether `iref` has a `cdsc` (content describes) reference from `from` to `to`.
fn describes(iref: &[u8], from: u32, to: u32) -> Option<bool> {
    let wide = *iref.first()? != 0;
    let id = |b: &[u8], at: usize| {
        if wide {
            read_u32(b, at)
        } else {
            read_u16(b, at).map(u32::from)
        }
    };
    let step = if wide { 4 } else { 2 };
    for (kind, body) in boxes(iref.get(4..)?) {
        if kind != b"cdsc" || id(body, 0)? != from {
            continue;
        }
        let count = usize::from(read_u16(body, step)?);
        if (0..count).any(|k| id(body, step + 2 + k * step) == Some(to)) {
            return Some(true);
        }
    }
    Some(false)
}

/// The bytes of item `item`, from its `iloc` extents in the file or in `idat`.
fn item_data(meta: &[u8], file: &[u8], item: u32) -> Result<Vec<u8>, Missing> {
    let damaged = |what| Missing::Damaged(what);
    let iloc = child(meta, b"iloc").ok_or(damaged("no iloc box"))?;
    let version = *iloc.first().ok_or(damaged("iloc box too short"))?;
    let sizes = read_u16(iloc, 4).ok_or(damaged("iloc box too short"))?;
    let nibble = |shift: u16| usize::from((sizes >> shift) & 0xF);
    let (offset_size, length_size, base_size) = (nibble(12), nibble(8), nibble(4));
    let index_size = if version >= 1 { nibble(0) } else { 0 };
    let (mut at, count) = if version < 2 {
        (8, read_u16(iloc, 6).map(u32::from))
    } else {
        (10, read_u32(iloc, 6))
    };
    let short = || damaged("iloc box too short");
    for _ in 0..count.ok_or_else(short)? {
        let id = if version < 2 {
            let id = read_u16(iloc, at).map(u32::from);
            at += 2;
            id
        } else {
            let id = read_u32(iloc, at);
            at += 4;
            id
        }
        .ok_or_else(short)?;
        let method = if version >= 1 {
            at += 2;
            read_u16(iloc, at - 2).ok_or_else(short)? & 0xF
        } else {
            0
        };
        at += 2; // data reference index
        let base = read_sized(iloc, at, base_size).ok_or_else(short)?;
        at += base_size;
        let extents = usize::from(read_u16(iloc, at).ok_or_else(short)?);
        at += 2;
        let mut data = Vec::new();
        for _ in 0..extents {
            at += index_size;
            let offset = read_sized(iloc, at, offset_size).ok_or_else(short)?;
            at += offset_size;
            let length = read_sized(iloc, at, length_size).ok_or_else(short)?;
            at += length_size;
            if id != item {
                continue;
            }
            let source = match method {
                0 => file,
                1 => child(meta, b"idat").ok_or(damaged("no idat box"))?,
                _ => return Err(damaged("Exif item stored by reference to another item")),
            };
            let start = usize::try_from(base + offset).map_err(|_| short())?;
            let end = start.saturating_add(usize::try_from(length).map_err(|_| short())?);
            if end - start + data.len() > MAX_EXIF_BYTES {
                return Err(damaged("Exif item larger than 16 MiB"));
            }
            let bytes = source
                .get(start..end)
                .ok_or(damaged("Exif item extends beyond the end of the file"))?;
            data.extend_from_slice(bytes);
        }
        if id == item {
            return Ok(data);
        }
    }
    Err(damaged("Exif item has no location"))
}
