//! What a clip is, from `ffprobe -show_format -show_streams` and its packet table:
//! codec, displayed size after the display matrix, duration, frame rate and count,
//! audio, and the container's own tags (capture time, location, camera).

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::capture_time::{TimeTag, capture_time, tag_meaning};
use super::frames::{FrameTable, Rational};
use super::{Ffmpeg, PROBE_LIMIT_S, VideoError, args, input_arg, time_limit};
use crate::metadata::ExifSummary;

/// Codecs the tests cover; others that ffmpeg decodes are taken in with a warning.
const TESTED_CODECS: &[&str] = &["h264", "hevc", "vp8", "vp9", "av1"];

/// The video facts kept in an evidence record (`"video": {…}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VideoFacts {
    /// `mp4`, `quicktime`, `m4v`, `webm`, `matroska`, `mpegts` or `avi`.
    pub container: String,
    /// ffmpeg's codec name: `h264`, `hevc`, `vp8`, `vp9`, `av1`, …
    pub codec: String,
    /// The video stream used (the first that is not cover art).
    pub stream_index: u32,
    /// The stream's time base, e.g. `1/15360`; frame timestamps are in these units.
    pub time_base: String,
    /// Clockwise rotation applied for display (0, 90, 180, 270), from the display
    /// matrix; `width`/`height` of the record are after it.
    pub rotation_deg: u32,
    pub duration_s: f64,
    /// Average frames per second; for a one-frame clip the rate its frame duration
    /// declares (what ffprobe and exiftool report); `None` when unknown, never 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fps: Option<f64>,
    pub variable_frame_rate: bool,
    /// Frames in presentation order.
    pub frame_count: u64,
    /// Where times are counted from (the container's start time), seconds.
    pub start_time_s: f64,
    pub has_audio: bool,
    /// The container tag the capture time (`taken_at`) was read from, e.g.
    /// `com.apple.quicktime.creationdate`, or `creation_time` when no capture date exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_tag: Option<String>,
    /// Time tags more than a minute away from the one used (typically `creation_time`,
    /// when the file was last written), as the file gives them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_times: Vec<TimeTag>,
    /// Perceptual hashes of a few frames spread over the clip (near-duplicate reposts,
    /// stills that are frames of this clip).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frame_hashes: Vec<FrameHash>,
    /// Scene changes and per-second hashes, added by the background analysis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis: Option<super::VideoAnalysis>,
}

impl VideoFacts {
    pub fn time_base(&self) -> Option<Rational> {
        Rational::parse(&self.time_base)
    }

    /// Microseconds of the start time (as ffmpeg prints it: exact to the µs).
    pub fn start_us(&self) -> i64 {
        (self.start_time_s * 1e6).round() as i64
    }

    /// Where the capture time came from, and each time tag that disagrees with it by more
    /// than a minute: one line each, as the inspector and `inspect` show them.
    pub fn time_notes(&self) -> Vec<String> {
        let mut notes: Vec<String> = self
            .time_tag
            .iter()
            .map(|tag| format!("{tag} ({})", tag_meaning(tag)))
            .collect();
        notes.extend(self.other_times.iter().map(|t| {
            format!(
                "not used: {} {} ({}), more than a minute apart",
                t.tag,
                t.value,
                t.meaning()
            )
        }));
        notes
    }

    /// Every perceptual hash known for the clip: intake's and the analysis's.
    pub fn all_hashes(&self) -> impl Iterator<Item = &FrameHash> {
        self.frame_hashes
            .iter()
            .chain(self.analysis.iter().flat_map(|a| a.hashes.iter()))
    }
}

/// A perceptual hash of one frame (same recipe as for stills).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameHash {
    pub frame_index: u64,
    pub time_s: f64,
    pub hash: crate::fingerprint::PerceptualHash,
}

/// Everything the probe learned.
#[derive(Debug, Clone)]
pub struct Probe {
    pub facts: VideoFacts,
    /// Displayed size (after rotation).
    pub width: u32,
    pub height: u32,
    /// Creation time (UTC), location and camera from the container's tags.
    pub metadata: ExifSummary,
    pub table: FrameTable,
    pub warnings: Vec<String>,
}

/// Probes a clip. `container` is the sniffed container name.
pub fn probe(ff: &Ffmpeg, path: &Path, container: &str) -> Result<Probe, VideoError> {
    let mut list = args([
        "-v",
        "error",
        "-show_format",
        "-show_streams",
        "-of",
        "json",
    ]);
    list.push(input_arg(path));
    let out = ff.run_ffprobe(&list, time_limit(PROBE_LIMIT_S))?;
    let doc: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| VideoError::Invalid(format!("ffprobe printed unreadable JSON: {e}")))?;
    let info = StreamInfo::from_json(&doc).map_err(|e| refused_size(&out.stderr).unwrap_or(e))?;
    // ffmpeg reads a header-only MP4's index as frames and fails only when decoding them,
    // in its own terms; the missing media data is the true reason.
    if is_iso_media(container) && super::mp4_index::has_media_data(path) == Some(false) {
        return Err(VideoError::NoMediaData);
    }
    let table = FrameTable::read(ff, path, info.index, info.time_base, info.start_us)?;
    Ok(assemble(container, &doc, info, table))
}

/// MP4 and QuickTime files, made of ISO base media boxes.
fn is_iso_media(container: &str) -> bool {
    matches!(container, "mp4" | "quicktime" | "m4v")
}

/// The facts of the chosen video stream.
struct StreamInfo {
    index: u32,
    codec: String,
    coded_width: u32,
    coded_height: u32,
    rotation_deg: u32,
    time_base: Rational,
    start_us: i64,
    duration_s: Option<f64>,
    /// ffprobe's `avg_frame_rate` (`600/7`), used when the frames alone give no rate.
    declared_fps: Option<f64>,
    has_audio: bool,
}

impl StreamInfo {
    fn from_json(doc: &Value) -> Result<StreamInfo, VideoError> {
        let streams = doc["streams"].as_array().cloned().unwrap_or_default();
        let has_audio = streams.iter().any(|s| s["codec_type"] == "audio");
        let video = streams
            .iter()
            .find(|s| s["codec_type"] == "video" && s["disposition"]["attached_pic"] != 1)
            .ok_or(VideoError::NoVideoStream)?;
        let index = video["index"]
            .as_u64()
            .and_then(|i| u32::try_from(i).ok())
            .ok_or_else(|| VideoError::Invalid("video stream without an index".into()))?;
        let codec = video["codec_name"].as_str().unwrap_or("unknown").to_owned();
        let size = |key: &str| video[key].as_u64().and_then(|v| u32::try_from(v).ok());
        let (Some(coded_width), Some(coded_height)) = (size("width"), size("height")) else {
            return Err(VideoError::Invalid(format!(
                "the {codec} stream has no frame size (damaged header?)"
            )));
        };
        if coded_width == 0 || coded_height == 0 {
            return Err(VideoError::Invalid(format!(
                "the {codec} stream declares a frame of {coded_width}×{coded_height} pixels"
            )));
        }
        let time_base = video["time_base"]
            .as_str()
            .and_then(Rational::parse)
            .ok_or_else(|| VideoError::Invalid("video stream without a time base".into()))?;
        let start_us = seconds(&doc["format"]["start_time"])
            .or_else(|| seconds(&video["start_time"]))
            .map_or(0, |s| (s * 1e6).round() as i64);
        let duration_s =
            seconds(&doc["format"]["duration"]).or_else(|| seconds(&video["duration"]));
        Ok(StreamInfo {
            index,
            codec,
            coded_width,
            coded_height,
            rotation_deg: rotation(video),
            time_base,
            start_us,
            duration_s,
            declared_fps: video["avg_frame_rate"].as_str().and_then(ratio),
            has_audio,
        })
    }
}

fn assemble(container: &str, doc: &Value, info: StreamInfo, table: FrameTable) -> Probe {
    let mut warnings = Vec::new();
    if !TESTED_CODECS.contains(&info.codec.as_str()) {
        warnings.push(format!(
            "video codec {} is outside the tested set (H.264, HEVC, VP8, VP9, AV1); check \
             grabbed frames against another player",
            info.codec
        ));
    }
    if table.untimed_packets > 0 {
        warnings.push(format!(
            "{} video packets carry no timestamp and were not counted as frames",
            table.untimed_packets
        ));
    }
    let (width, height) = if info.rotation_deg % 180 == 90 {
        (info.coded_height, info.coded_width)
    } else {
        (info.coded_width, info.coded_height)
    };
    let tags = merged_tags(doc, info.index);
    let mut metadata = metadata_from_tags(&tags, &mut warnings);
    let capture = capture_time(&tags);
    warnings.extend(capture.warnings);
    metadata.taken_at = capture.taken_at;
    // A single frame has no spacing to measure; its declared duration gives the rate.
    let fps = table.average_fps().or(info.declared_fps);
    let duration_s = info.duration_s.unwrap_or_else(|| {
        table.pts.last().map_or(0.0, |&last| {
            table.time_base.seconds(last) - info.start_us as f64 / 1e6
        })
    });
    let facts = VideoFacts {
        container: container.to_owned(),
        codec: info.codec,
        stream_index: info.index,
        time_base: info.time_base.to_string(),
        rotation_deg: info.rotation_deg,
        duration_s,
        fps: fps.map(|f| (f * 1000.0).round() / 1000.0),
        variable_frame_rate: table.variable_frame_rate(),
        frame_count: table.frame_count() as u64,
        start_time_s: info.start_us as f64 / 1e6,
        has_audio: info.has_audio,
        time_tag: capture.tag,
        other_times: capture.disagreeing,
        frame_hashes: Vec::new(),
        analysis: None,
    };
    Probe {
        facts,
        width,
        height,
        metadata,
        table,
        warnings,
    }
}

/// ffmpeg's own refusal of an absurd frame size (`Picture size 65535x65535 is invalid`),
/// which leaves the stream without a size.
fn refused_size(stderr: &str) -> Option<VideoError> {
    let rest = stderr.split("Picture size ").nth(1)?;
    let size = rest.split_whitespace().next()?;
    Some(VideoError::Invalid(format!(
        "declares frames of {size} pixels, above the decode limit"
    )))
}

/// `600/7` → 85.714…; `0/0` (ffprobe's "unknown") and other non-rates → `None`.
fn ratio(text: &str) -> Option<f64> {
    let (n, d) = text.split_once('/')?;
    let (n, d): (f64, f64) = (n.trim().parse().ok()?, d.trim().parse().ok()?);
    let r = n / d;
    (r.is_finite() && r > 0.0).then_some(r)
}

/// ffprobe prints numbers as strings (`"4.000000"`).
fn seconds(v: &Value) -> Option<f64> {
    v.as_str()
        .and_then(|s| s.parse::<f64>().ok())
        .or_else(|| v.as_f64())
        .filter(|s| s.is_finite())
}

/// Clockwise display rotation as ffmpeg applies it (`-display_rotation`'s opposite:
/// the display matrix's angle is counter-clockwise), or the legacy `rotate` tag.
fn rotation(video: &Value) -> u32 {
    let from_matrix = video["side_data_list"].as_array().and_then(|list| {
        list.iter()
            .find(|d| d["side_data_type"] == "Display Matrix")
            .and_then(|d| d["rotation"].as_f64())
            .map(|ccw| -ccw)
    });
    let from_tag = || {
        video["tags"]["rotate"]
            .as_str()
            .and_then(|r| r.trim().parse::<f64>().ok())
    };
    let degrees = from_matrix.or_else(from_tag).unwrap_or(0.0);
    let quarter = (degrees / 90.0).round() as i64;
    (quarter.rem_euclid(4) * 90) as u32
}

/// Format tags overlaid by the video stream's, keys lower-cased.
fn merged_tags(doc: &Value, index: u32) -> Vec<(String, String)> {
    let mut tags = Vec::new();
    let mut take = |v: &Value| {
        if let Some(map) = v.as_object() {
            for (k, v) in map {
                if let Some(s) = v.as_str() {
                    tags.push((k.to_ascii_lowercase(), s.to_owned()));
                }
            }
        }
    };
    take(&doc["format"]["tags"]);
    if let Some(stream) = doc["streams"].as_array().and_then(|s| {
        s.iter()
            .find(|s| s["index"].as_u64() == Some(u64::from(index)))
    }) {
        take(&stream["tags"]);
    }
    tags
}

fn tag<'a>(tags: &'a [(String, String)], keys: &[&str]) -> Option<&'a str> {
    keys.iter().find_map(|k| {
        tags.iter()
            .find(|(key, v)| key == k && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    })
}

fn metadata_from_tags(tags: &[(String, String)], warnings: &mut Vec<String>) -> ExifSummary {
    let mut summary = ExifSummary {
        make: tag(
            tags,
            &[
                "com.apple.quicktime.make",
                "make",
                "com.android.manufacturer",
            ],
        )
        .map(str::to_owned),
        model: tag(
            tags,
            &["com.apple.quicktime.model", "model", "com.android.model"],
        )
        .map(str::to_owned),
        ..ExifSummary::default()
    };
    if let Some(text) = tag(
        tags,
        &[
            "com.apple.quicktime.location.iso6709",
            "location",
            "location-eng",
        ],
    ) {
        match parse_iso6709(text) {
            Some((lat, lon, _)) if lat == 0.0 && lon == 0.0 => warnings.push(
                "location is exactly 0, 0 (\"null island\", a common junk value); recorded as \
                 missing"
                    .into(),
            ),
            Some((lat, lon, alt)) => {
                summary.lat = Some(lat);
                summary.lon = Some(lon);
                summary.alt_m = alt;
            }
            None => warnings.push(format!("location tag {text:?} could not be read; ignored")),
        }
    }
    summary
}

/// ISO 6709 points as phones write them: `+53.0798+034.5543/`, `+53.0798+034.5543+120.5/`,
/// and the sexagesimal forms `±DDMM.M±DDDMM.M` and `±DDMMSS.S±DDDMMSS.S`.
pub fn parse_iso6709(text: &str) -> Option<(f64, f64, Option<f64>)> {
    let body = text.trim().trim_end_matches('/');
    let body = body.split("CRS").next()?.trim_end_matches('/');
    let mut parts = Vec::new();
    let mut start = None;
    for (i, c) in body.char_indices() {
        if c == '+' || c == '-' {
            if let Some(s) = start {
                parts.push(&body[s..i]);
            }
            start = Some(i);
        } else if !(c.is_ascii_digit() || c == '.') {
            return None;
        }
    }
    parts.push(&body[start?..]);
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let lat = angle(parts[0], 2)?;
    let lon = angle(parts[1], 3)?;
    let alt = match parts.get(2) {
        Some(a) => Some(a.parse::<f64>().ok().filter(|a| a.is_finite())?),
        None => None,
    };
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon, alt))
}

/// `±DD.D`, `±DDMM.M` or `±DDMMSS.S` (with `degree_digits` 2 for latitude, 3 for
/// longitude) → signed decimal degrees.
fn angle(text: &str, degree_digits: usize) -> Option<f64> {
    let (sign, digits) = text.split_at(1);
    let sign = if sign == "-" { -1.0 } else { 1.0 };
    let whole_len = digits.find('.').unwrap_or(digits.len());
    let value: f64 = digits.parse().ok()?;
    let degrees = match whole_len - degree_digits {
        0 => value,
        2 => {
            let d = (value / 100.0).trunc();
            d + (value - d * 100.0) / 60.0
        }
        4 => {
            let d = (value / 10000.0).trunc();
            let m = ((value - d * 10000.0) / 100.0).trunc();
            d + m / 60.0 + (value - d * 10000.0 - m * 100.0) / 3600.0
        }
        _ => return None,
    };
    Some(sign * degrees)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso6709_decimal_and_sexagesimal() {
        assert_eq!(
            parse_iso6709("+53.0798+034.5543/"),
            Some((53.0798, 34.5543, None))
        );
        assert_eq!(
            parse_iso6709("-33.8688+151.2093+012.500/"),
            Some((-33.8688, 151.2093, Some(12.5)))
        );
        let (lat, lon, _) = parse_iso6709("+4043.5-07359.6/").unwrap();
        assert!((lat - 40.725).abs() < 1e-9 && (lon + 73.99333333).abs() < 1e-6);
        let (lat, _, _) = parse_iso6709("+404330-0735936/").unwrap();
        assert!((lat - (40.0 + 43.0 / 60.0 + 30.0 / 3600.0)).abs() < 1e-9);
        assert_eq!(parse_iso6709("+91.0+000.0/"), None);
        assert_eq!(parse_iso6709("hello"), None);
        assert_eq!(parse_iso6709("+1+2+3+4/"), None);
    }

    #[test]
    fn declared_rates() {
        assert!((ratio("600/7").unwrap() - 85.714_285).abs() < 1e-5);
        assert_eq!(ratio("30/1"), Some(30.0));
        assert_eq!(ratio("0/0"), None);
        assert_eq!(ratio("0/1"), None);
        assert_eq!(ratio("x"), None);
    }

    #[test]
    fn rotation_follows_ffmpeg_autorotate() {
        // A `rotate=90` tag written by ffmpeg 5.1 reads back as display-matrix rotation
        // 90 (counter-clockwise), and ffmpeg turns the picture counter-clockwise.
        let v = serde_json::json!({"side_data_list":[{"side_data_type":"Display Matrix","rotation":90}]});
        assert_eq!(rotation(&v), 270);
        let v = serde_json::json!({"side_data_list":[{"side_data_type":"Display Matrix","rotation":-90.0}]});
        assert_eq!(rotation(&v), 90);
        assert_eq!(rotation(&serde_json::json!({"tags":{"rotate":"180"}})), 180);
        assert_eq!(rotation(&serde_json::json!({})), 0);
    }
}
