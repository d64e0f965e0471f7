//! Why a valid TIFF is not shown: the evidence decoder reads 8/16-bit grey, RGB and RGBA,
//! while GIS and scanners also write palette, floating-point, YCbCr (JPEG-in-TIFF), CMYK
//! and CIELab files. When decoding fails, the first image's tags say which of these it
//! is, so the analyst reads "unsupported: palette", not "corrupt".

/// The first image's tags that decide how its pixels are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Layout {
    compression: Option<u64>,
    photometric: Option<u64>,
    bits: Option<u64>,
    sample_format: Option<u64>,
    samples: Option<u64>,
}

/// What kind of valid TIFF this is, in words, when it is one the evidence decoder does
/// not show; `None` when the tags name nothing unusual (the file is then damaged).
pub fn unsupported_variant(bytes: &[u8]) -> Option<String> {
    let l = layout(bytes)?;
    let bits = l.bits.unwrap_or(1);
    let samples = l.samples.unwrap_or(1);
    if l.sample_format == Some(3) {
        let mut what = format!("{bits}-bit float");
        if samples == 1 && bits == 32 {
            what.push_str(
                ", one band: elevation data or other measured values (a DEM), which open \
                 as an imagery layer on the map",
            );
        }
        return Some(what);
    }
    match l.photometric? {
        3 => Some("palette (colour-mapped)".into()),
        5 => Some("CMYK (separated)".into()),
        6 if l.compression == Some(7) => Some("JPEG-in-TIFF with YCbCr colour".into()),
        6 => Some("YCbCr colour".into()),
        8..=10 => Some("CIELab colour".into()),
        32844 | 32845 => Some("LogLuv (high dynamic range)".into()),
        _ if l.sample_format == Some(6) => Some("complex-valued samples".into()),
        _ if !matches!(bits, 8 | 16) => Some(format!("{bits} bits per sample")),
        _ => None,
    }
}

/// Reads the tags of the first image directory (classic TIFF and BigTIFF, either byte
/// order); `None` if the header or directory is not whole.
fn layout(bytes: &[u8]) -> Option<Layout> {
    let little = match bytes.get(..2)? {
        b"II" => true,
        b"MM" => false,
        _ => return None,
    };
    let uint = |at: usize, len: usize| -> Option<u64> {
        let b = bytes.get(at..at.checked_add(len)?)?;
        let mut v = 0u64;
        for k in 0..len {
            let byte = u64::from(if little { b[len - 1 - k] } else { b[k] });
            v = (v << 8) | byte;
        }
        Some(v)
    };
    let big = match uint(2, 2)? {
        42 => false,
        43 => true,
        _ => return None,
    };
    let (ifd, count_len, entry_len, value_at) = if big {
        (usize::try_from(uint(8, 8)?).ok()?, 8, 20, 12)
    } else {
        (usize::try_from(uint(4, 4)?).ok()?, 2, 12, 8)
    };
    let count = usize::try_from(uint(ifd, count_len)?).ok()?.min(4096);
    let mut l = Layout::default();
    for i in 0..count {
        let e = ifd + count_len + i * entry_len;
        let tag = uint(e, 2)?;
        let kind = uint(e + 2, 2)?;
        // The first value only (all samples share it in practice): SHORT or LONG inline.
        let value = match kind {
            3 => uint(e + value_at, 2),
            4 => uint(e + value_at, 4),
            _ => None,
        };
        let n = uint(e + 4, if big { 8 } else { 4 })?;
        // More than fit inline: the value is an offset to the array; read its first.
        let value = match (kind, n, big) {
            (3, 3.., false) | (3, 5.., true) => {
                let at = usize::try_from(uint(e + value_at, if big { 8 } else { 4 })?).ok()?;
                uint(at, 2)
            }
            _ => value,
        };
        match tag {
            259 => l.compression = value,
            262 => l.photometric = value,
            258 => l.bits = value,
            339 => l.sample_format = value,
            277 => l.samples = value,
            _ => {}
        }
    }
    Some(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A little-endian classic TIFF header and one directory of SHORT tags.
    fn tiff(tags: &[(u16, u16)]) -> Vec<u8> {
        let mut b = b"II*\0\x08\0\0\0".to_vec();
        b.extend((tags.len() as u16).to_le_bytes());
        for (tag, value) in tags {
            b.extend(tag.to_le_bytes());
            b.extend(3u16.to_le_bytes());
            b.extend(1u32.to_le_bytes());
            b.extend(value.to_le_bytes());
            b.extend([0, 0]);
        }
        b.extend([0; 4]);
        b
    }

    #[test]
    fn tags_name_the_variant() {
        let palette = tiff(&[(258, 8), (259, 1), (262, 3), (277, 1)]);
        assert_eq!(
            unsupported_variant(&palette).as_deref(),
            Some("palette (colour-mapped)")
        );
        let dem = tiff(&[(258, 32), (262, 1), (277, 1), (339, 3)]);
        assert!(
            unsupported_variant(&dem)
                .unwrap()
                .starts_with("32-bit float, one band: elevation")
        );
        let grey = tiff(&[(258, 8), (262, 1), (277, 1)]);
        assert_eq!(unsupported_variant(&grey), None);
        assert_eq!(unsupported_variant(b"II*\0\xff\xff\0\0"), None);
        assert_eq!(unsupported_variant(b"not a tiff"), None);
    }
}
