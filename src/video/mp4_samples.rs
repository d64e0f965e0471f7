//! Where each sample of an H.264 MP4/MOV video track lies in the file, in decoding
//! order, with the frame (presentation index) it becomes: what the packet decoder
//! (`packet_decoder`) feeds to a running ffmpeg instead of asking it to open the file.
//!
//! Read from the same sample tables as `mp4_index` (`stts`, `ctts`, `stss`, `elst`, plus
//! `stsz`, `stsc`, `stco`/`co64` and the `avcC` record), with the same timestamps; the
//! result is checked against the clip's frame table and refused (with the reason) when
//! they disagree, so a frame index always names the same frame on both paths.

use std::io::Cursor;
use std::path::Path;

use super::frames::FrameTable;

/// One coded sample: its bytes in the file and the frame it decodes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    pub offset: u64,
    pub size: u32,
    /// The frame's index in presentation order (an index into the frame table).
    pub index: usize,
    /// A sync sample (`stss`).
    pub sync: bool,
}

/// The samples of one H.264 video track in decoding order.
#[derive(Debug, Clone)]
pub struct Mp4Samples {
    /// The `avcC` decoder configuration record (SPS, PPS, NAL length size).
    pub avcc: Vec<u8>,
    pub coded_width: u16,
    pub coded_height: u16,
    /// Decoding order.
    pub samples: Vec<Sample>,
    /// Presentation index → position in `samples`.
    pub by_index: Vec<usize>,
}

/// Why the packet decoder cannot take a clip (the caller then decodes each frame with
/// its own ffmpeg run, as before).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unsupported(pub String);

type Refusal = Unsupported;

impl From<&str> for Unsupported {
    fn from(reason: &str) -> Unsupported {
        Unsupported(reason.to_owned())
    }
}

impl From<String> for Unsupported {
    fn from(reason: String) -> Unsupported {
        Unsupported(reason)
    }
}

impl Mp4Samples {
    /// The samples of stream `table.stream_index` of `path`, checked against `table`.
    pub fn read(path: &Path, table: &FrameTable) -> Result<Mp4Samples, Refusal> {
        let moov = super::mp4_index::read_moov(path)
            .ok_or("not an MP4/MOV file with a readable moov box")?;
        let context = mp4parse::read_mp4(&mut Cursor::new(moov))
            .map_err(|e| Unsupported(format!("the MP4 sample tables cannot be read ({e:?})")))?;
        if context.mvex.is_some() {
            return Err("a fragmented MP4".into());
        }
        let movie_scale = context.timescale.ok_or("no movie time scale")?.0 as i64;
        let track = context
            .tracks
            .get(table.stream_index as usize)
            .ok_or("the video stream is not an MP4 track")?;
        let (avcc, coded_width, coded_height) = avc_config(track)?;
        let timing = sample_times(track, movie_scale)?;
        let places = sample_places(track)?;
        if places.len() != timing.len() {
            return Err("the sample size and time tables disagree".into());
        }
        let sync: Option<std::collections::HashSet<u32>> = track
            .stss
            .as_ref()
            .map(|s| s.samples.iter().copied().collect());
        let mut samples = Vec::with_capacity(timing.len());
        let mut by_index = vec![usize::MAX; table.frame_count()];
        for (i, (pts, (offset, size))) in timing.iter().zip(places).enumerate() {
            let index = table.pts.binary_search(pts).map_err(|_| {
                Unsupported(format!("sample {i} (pts {pts}) is not in the frame table"))
            })?;
            if by_index[index] != usize::MAX {
                return Err(format!("two samples share pts {pts}").into());
            }
            by_index[index] = i;
            let sync = sync.as_ref().is_none_or(|s| s.contains(&(i as u32 + 1)));
            samples.push(Sample {
                offset,
                size,
                index,
                sync,
            });
        }
        if by_index.contains(&usize::MAX) {
            return Err("the frame table has frames without a sample".into());
        }
        Ok(Mp4Samples {
            avcc,
            coded_width,
            coded_height,
            samples,
            by_index,
        })
    }

    /// The NAL length size of the samples (1, 2 or 4 bytes), from `avcC`.
    pub fn nal_length_size(&self) -> usize {
        usize::from(self.avcc.get(4).map_or(3, |b| b & 3)) + 1
    }

    /// Whether sample bytes hold an IDR slice (NAL type 5): decoding can start there
    /// and nothing before it is referenced.
    pub fn holds_idr(&self, bytes: &[u8]) -> bool {
        let n = self.nal_length_size();
        let mut at = 0usize;
        while at + n < bytes.len() {
            let len = bytes[at..at + n]
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            let Some(&header) = bytes.get(at + n) else {
                return false;
            };
            if header & 0x1f == 5 {
                return true;
            }
            at = at.saturating_add(n).saturating_add(len);
        }
        false
    }

    /// Where decoding for frame `index` can start: the last sync sample at or before
    /// the frame's sample (decoding order) whose frame is not after it, and after which
    /// no sample shows a frame before that sync sample's own (a closed group).
    pub fn start_for(&self, index: usize) -> Option<usize> {
        let at = *self.by_index.get(index)?;
        (0..=at).rev().find(|&s| {
            let sample = self.samples[s];
            sample.sync && sample.index <= index && self.closed_from(s)
        })
    }

    /// No sample from `start` up to the next sync sample shows a frame before `start`'s.
    fn closed_from(&self, start: usize) -> bool {
        let first = self.samples[start].index;
        self.samples[start + 1..]
            .iter()
            .take_while(|s| !s.sync)
            .all(|s| s.index > first)
    }
}

/// The `avcC` record and coded size of the track's only sample description.
fn avc_config(track: &mp4parse::Track) -> Result<(Vec<u8>, u16, u16), Refusal> {
    let stsd = track.stsd.as_ref().ok_or("no sample description")?;
    if stsd.descriptions.len() != 1 {
        return Err(format!(
            "{} sample descriptions (one is handled)",
            stsd.descriptions.len()
        )
        .into());
    }
    match &stsd.descriptions[0] {
        mp4parse::SampleEntry::Video(v) => match (&v.codec_type, &v.codec_specific) {
            (mp4parse::CodecType::H264, mp4parse::VideoCodecSpecific::AVCConfig(avcc)) => {
                Ok((avcc.to_vec(), v.width, v.height))
            }
            (codec, _) => Err(format!("codec {codec:?} (H.264 is handled)").into()),
        },
        _ => Err("the stream is not video".into()),
    }
}

/// Each sample's presentation timestamp (decoding order), exactly as `mp4_index` and
/// ffmpeg compute them; refused where `mp4_index` would refuse or where ffmpeg would
/// discard a sample (before the edit).
fn sample_times(track: &mp4parse::Track, movie_scale: i64) -> Result<Vec<i64>, Refusal> {
    let scale = track.timescale.as_ref().ok_or("no track time scale")?.0 as i64;
    let stts = track.stts.as_ref().ok_or("no stts")?;
    let mut dts: Vec<i64> = Vec::new();
    let mut t: i64 = 0;
    for s in stts.samples.iter() {
        for _ in 0..s.sample_count {
            dts.push(t);
            t = t
                .checked_add(i64::from(s.sample_delta))
                .ok_or("stts overflows")?;
        }
    }
    let mut offsets: Vec<i64> = Vec::with_capacity(dts.len());
    if let Some(ctts) = &track.ctts {
        for o in ctts.samples.iter() {
            let offset = match o.time_offset {
                mp4parse::TimeOffsetVersion::Version0(v) => i64::from(v),
                mp4parse::TimeOffsetVersion::Version1(v) => i64::from(v),
            };
            offsets.extend(std::iter::repeat_n(offset, o.sample_count as usize));
        }
        if offsets.len() != dts.len() {
            return Err("ctts and stts count different samples".into());
        }
    } else {
        offsets.resize(dts.len(), 0);
    }
    let media_time = track.media_time.as_ref().map_or(0, |m| m.0 as i64);
    let empty = track.empty_duration.as_ref().map_or(0, |e| e.0 as i64);
    if movie_scale <= 0 {
        return Err("movie time scale 0".into());
    }
    let empty_ticks = (i128::from(empty) * i128::from(scale) / i128::from(movie_scale)) as i64;
    let mut times = Vec::with_capacity(dts.len());
    for (d, o) in dts.iter().zip(&offsets) {
        let pts = d + o - media_time + empty_ticks;
        if pts < empty_ticks {
            return Err("samples before the edit (ffmpeg discards them)".into());
        }
        times.push(pts);
    }
    Ok(times)
}

/// Each sample's (file offset, size) in decoding order, from `stsz`, `stsc`, `stco`.
fn sample_places(track: &mp4parse::Track) -> Result<Vec<(u64, u32)>, Refusal> {
    let stsz = track.stsz.as_ref().ok_or("no stsz")?;
    let stsc = track.stsc.as_ref().ok_or("no stsc")?;
    let stco = track.stco.as_ref().ok_or("no stco")?;
    let count = if stsz.sample_size > 0 {
        usize::MAX
    } else {
        stsz.sample_sizes.len()
    };
    let size_of = |i: usize| -> Option<u32> {
        if stsz.sample_size > 0 {
            Some(stsz.sample_size)
        } else {
            stsz.sample_sizes.get(i).copied()
        }
    };
    let mut places = Vec::new();
    let chunks = stco.offsets.len();
    for (n, entry) in stsc.samples.iter().enumerate() {
        let first = entry.first_chunk as usize;
        let end = stsc
            .samples
            .get(n + 1)
            .map_or(chunks + 1, |next| next.first_chunk as usize);
        if first == 0 || end < first || end > chunks + 1 {
            return Err("stsc names chunks that do not exist".into());
        }
        for chunk in first..end {
            let mut offset = stco.offsets[chunk - 1];
            for _ in 0..entry.samples_per_chunk {
                if places.len() >= count {
                    break;
                }
                let Some(size) = size_of(places.len()) else {
                    break;
                };
                places.push((offset, size));
                offset = offset
                    .checked_add(u64::from(size))
                    .ok_or("offset overflows")?;
            }
        }
    }
    Ok(places)
}
