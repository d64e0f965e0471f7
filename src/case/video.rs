//! Videos in a case: opening one for decoding, grabbing frames as new evidence that
//! records exactly which frame of which clip it is, and storing the analysis.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use super::model::DerivedFrom;
use super::{Case, CaseError, EVIDENCE_DIR, Edit, EvidenceRecord, ImportOptions, ImportOutcome};
use crate::evidence;
use crate::video::{
    self, AnalysisOptions, DecodedFrame, Ffmpeg, FrameTable, GrabRequest, VideoAnalysis,
    VideoError, format_timecode,
};

/// Why a frame could not be taken from a video; names the file.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error(transparent)]
    Case(#[from] CaseError),
    #[error("{}: {cause}", path.display())]
    Video { path: PathBuf, cause: VideoError },
    /// One frame of a batch; its cause may name the file again.
    #[error("{}: the frame at {time} (frame {index}) could not be grabbed: {}", path.display(), short_cause(cause))]
    Grab {
        path: PathBuf,
        time: String,
        index: usize,
        cause: Box<FrameError>,
    },
}

/// A cause without the file name its own message starts with.
fn short_cause(cause: &FrameError) -> String {
    match cause {
        FrameError::Video { cause, .. } => cause.to_string(),
        other => other.to_string(),
    }
}

/// One grab of a [`Case::add_frame_grabs`] batch, recorded.
#[derive(Debug, Clone)]
pub struct StoredGrab {
    pub index: usize,
    /// The decoder's complaint for this frame, if any (also in the record's warnings).
    pub damage: Option<String>,
    pub outcome: ImportOutcome,
}

/// What one batch recorded, and the frame it stopped at, if any.
#[derive(Debug)]
pub struct StoredGrabs {
    /// In the order the frames arrived (time order).
    pub grabs: Vec<StoredGrab>,
    pub failed: Option<FrameError>,
}

/// A video of the case, ready to decode: its record, file and frame table.
#[derive(Debug, Clone)]
pub struct OpenVideo {
    pub record: EvidenceRecord,
    pub path: PathBuf,
    pub table: FrameTable,
    pub ffmpeg: &'static Ffmpeg,
}

impl OpenVideo {
    /// Opens the video of `record` stored at `path`: locates ffmpeg and reads the frame
    /// table (a demux pass). Needs no `Case`, so a worker thread can do it.
    pub fn open(record: EvidenceRecord, path: PathBuf) -> Result<OpenVideo, FrameError> {
        let fail = |cause| FrameError::Video {
            path: path.clone(),
            cause,
        };
        let Some(facts) = record.video.as_ref() else {
            return Err(fail(VideoError::Invalid(format!(
                "{} is not a video ({})",
                record.original_name, record.media_type
            ))));
        };
        let time_base = facts
            .time_base()
            .ok_or_else(|| fail(VideoError::Invalid("record has no valid time base".into())))?;
        let ffmpeg = Ffmpeg::locate().map_err(fail)?;
        let table = FrameTable::read(
            ffmpeg,
            &path,
            facts.stream_index,
            time_base,
            facts.start_us(),
        )
        .map_err(fail)?;
        Ok(OpenVideo {
            record,
            path,
            table,
            ffmpeg,
        })
    }

    fn fail(&self, cause: VideoError) -> FrameError {
        FrameError::Video {
            path: self.path.clone(),
            cause,
        }
    }

    /// Displayed size (rotation applied).
    pub fn size(&self) -> (u32, u32) {
        (self.record.width, self.record.height)
    }

    /// The frame for a time after the start (ffmpeg's accurate-seek rule).
    pub fn frame_at(&self, time_us: i64) -> Result<usize, FrameError> {
        self.table
            .frame_at_or_err(time_us)
            .map_err(|e| self.fail(e))
    }

    /// Decodes frame `index` at full displayed resolution.
    pub fn decode(&self, index: usize) -> Result<DecodedFrame, FrameError> {
        let (width, height) = self.size();
        video::grab_frame(
            self.ffmpeg,
            &self.path,
            &self.table,
            GrabRequest {
                index,
                width,
                height,
                scale_to: None,
            },
        )
        .map_err(|e| self.fail(e))
    }

    /// Decodes the whole clip at preview size for scene changes and hashes.
    pub fn analyse(
        &self,
        options: AnalysisOptions,
        progress: &mut dyn FnMut(usize, usize) -> bool,
    ) -> Result<(VideoAnalysis, Vec<(usize, image::RgbImage)>), FrameError> {
        video::analyse(
            self.ffmpeg,
            &self.path,
            &self.table,
            self.size(),
            options,
            progress,
        )
        .map_err(|e| self.fail(e))
    }
}

impl Case {
    /// Opens video `id` (an id or unique prefix) for decoding: locates ffmpeg and reads
    /// the frame table of the stored original.
    pub fn open_video(&self, id: &str) -> Result<OpenVideo, FrameError> {
        let record = self.find_evidence(id)?.clone();
        let path = self.evidence_path(&record);
        OpenVideo::open(record, path)
    }

    /// Stores a decoded frame as new evidence (lossless PNG, rotation applied) with its
    /// provenance, and saves the case. Identical pixels give identical bytes, so
    /// grabbing a frame twice returns the existing item.
    pub fn add_frame_grab(
        &mut self,
        video: &OpenVideo,
        frame: &DecodedFrame,
    ) -> Result<ImportOutcome, FrameError> {
        let outcome = self.add_frame_grab_unsaved(video, frame)?;
        self.save()?;
        Ok(outcome)
    }

    /// The grabs of one call (`frames --at … --at …`), stored as the frames arrive and
    /// recorded together in ONE save: each grab's PNG is written and synced as it comes,
    /// then all records, one `frames_grabbed` log line and the items' own lines are
    /// committed at once. A frame that failed (`Err((index, cause))`) ends the batch:
    /// the grabs before it are recorded, the ones after it are not taken, and
    /// [`StoredGrabs::failed`] names its time and cause.
    pub fn add_frame_grabs(
        &mut self,
        video: &OpenVideo,
        frames: impl IntoIterator<Item = Result<DecodedFrame, (usize, FrameError)>>,
    ) -> Result<StoredGrabs, FrameError> {
        self.ensure_writable()?;
        let mut stored = StoredGrabs {
            grabs: Vec::new(),
            failed: None,
        };
        for frame in frames {
            let result = frame.and_then(|frame| {
                self.add_frame_grab_unsaved(video, &frame)
                    .map(|outcome| (frame.index, frame.damage, outcome))
                    .map_err(|e| (frame.index, e))
            });
            match result {
                Ok((index, damage, outcome)) => stored.grabs.push(StoredGrab {
                    index,
                    damage,
                    outcome,
                }),
                Err((index, cause)) => {
                    stored.failed = Some(FrameError::Grab {
                        path: video.path.clone(),
                        time: format_timecode(video.table.time_us(index)),
                        index,
                        cause: Box::new(cause),
                    });
                    break;
                }
            }
        }
        let grabs: Vec<serde_json::Value> = stored
            .grabs
            .iter()
            .map(|g| {
                serde_json::json!({
                    "frame": g.index,
                    "timecode": format_timecode(video.table.time_us(g.index)),
                    "id": g.outcome.record().sha256,
                })
            })
            .collect();
        let mut detail = serde_json::json!({ "video": video.record.sha256, "grabs": grabs });
        if let Some(failed) = &stored.failed {
            detail["failed"] = serde_json::json!(failed.to_string());
        }
        self.log_event("frames_grabbed", detail);
        self.save()?;
        Ok(stored)
    }

    /// Encodes and stores one grab (its PNG synced) and applies its record, unsaved.
    fn add_frame_grab_unsaved(
        &mut self,
        video: &OpenVideo,
        frame: &DecodedFrame,
    ) -> Result<ImportOutcome, FrameError> {
        self.ensure_writable()?;
        let (png, pixels) = encode_png(&frame.image).map_err(|e| video.fail(e))?;
        let name = grab_name(
            &video.record.original_name,
            frame.index,
            video.table.time_us(frame.index),
        );
        let mut inspection = evidence::inspect_encoded_png(name, png, &pixels);
        let source = &video.record.exif;
        inspection.exif.lat = source.lat;
        inspection.exif.lon = source.lon;
        inspection.exif.alt_m = source.alt_m;
        if let Some(damage) = &frame.damage {
            inspection.warnings.push(format!(
                "the decoder reported damage while decoding this frame ({damage}); it may show \
                 concealment artefacts"
            ));
        }
        let options = ImportOptions {
            derived_from: Some(derived_from(video, frame)),
            graphic: video.record.graphic,
            ..ImportOptions::default()
        };
        Ok(self.add_unsaved(inspection, &options)?)
    }

    /// Records a video's analysis and saves the case.
    pub fn set_video_analysis(
        &mut self,
        id: &str,
        analysis: VideoAnalysis,
    ) -> Result<(), CaseError> {
        self.apply(Edit::SetVideoAnalysis {
            id: id.to_owned(),
            analysis: Box::new(analysis),
        })?;
        self.save()
    }
}

fn derived_from(video: &OpenVideo, frame: &DecodedFrame) -> DerivedFrom {
    let facts = video.record.video.as_ref();
    let time_us = video.table.time_us(frame.index);
    let absolute = video.path.to_string_lossy().into_owned();
    let relative = format!("{EVIDENCE_DIR}/{}", file_name(&video.path));
    DerivedFrom {
        sha256: video.record.sha256.clone(),
        original_name: video.record.original_name.clone(),
        stream_index: video.table.stream_index,
        pts: frame.pts,
        time_base: video.table.time_base.to_string(),
        pts_time_s: video.table.time_base.seconds(frame.pts),
        time_s: time_us as f64 / 1e6,
        timecode: format_timecode(time_us),
        frame_index: frame.index as u64,
        rotation_applied: true,
        rotation_deg: facts.map_or(0, |f| f.rotation_deg),
        decoder: facts.map_or_else(String::new, |f| f.codec.clone()),
        ffmpeg_version: video.ffmpeg.version_line.clone(),
        // The case-relative path, so a record says nothing about where the case lives.
        ffmpeg_args: frame
            .args
            .iter()
            .map(|a| a.replace(&absolute, &relative))
            .collect(),
        damage: frame.damage.clone(),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `arrest-f001234-00h00m41.208s.png`: sorts by frame, says where it is from.
fn grab_name(video_name: &str, index: usize, time_us: i64) -> String {
    let stem = Path::new(video_name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "video".into());
    let tc = format_timecode(time_us);
    let (hms, ms) = tc.split_once('.').unwrap_or((&tc, "000"));
    let parts: Vec<&str> = hms.split(':').collect();
    format!(
        "{stem}-f{index:06}-{}h{}m{}.{ms}s.png",
        parts.first().unwrap_or(&"00"),
        parts.get(1).unwrap_or(&"00"),
        parts.get(2).unwrap_or(&"00")
    )
}

/// Lossless, deterministic PNG (RGB: a decoded frame has no transparency), and the
/// pixels it holds.
fn encode_png(image: &image::RgbaImage) -> Result<(Vec<u8>, image::DynamicImage), VideoError> {
    use image::ImageEncoder;
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    let rgb = image::DynamicImage::ImageRgba8(image.clone()).into_rgb8();
    let mut out = Vec::new();
    PngEncoder::new_with_quality(
        Cursor::new(&mut out),
        CompressionType::Fast,
        FilterType::Adaptive,
    )
    .write_image(
        rgb.as_raw(),
        rgb.width(),
        rgb.height(),
        image::ExtendedColorType::Rgb8,
    )
    .map_err(|e| VideoError::Invalid(format!("frame could not be encoded as PNG: {e}")))?;
    Ok((out, image::DynamicImage::ImageRgb8(rgb)))
}

#[cfg(test)]
mod tests {
    use super::grab_name;

    #[test]
    fn grab_names_carry_frame_and_time() {
        assert_eq!(
            grab_name("arrest.mp4", 1234, 41_208_000),
            "arrest-f001234-00h00m41.208s.png"
        );
        assert_eq!(grab_name("", 0, 0), "video-f000000-00h00m00.000s.png");
    }
}
