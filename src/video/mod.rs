//! Video footage: what a clip is (probe), where its frames are (frame table), and the
//! exact frame for a time (grab), all through the system's ffmpeg run as a program.
//!
//! Time model, one for the whole app: a *time* is seconds after the clip's start, as
//! players and `ffmpeg -ss` count it; the frame for a time is the first frame in
//! presentation order whose timestamp is at or after it (what ffmpeg's accurate seek
//! returns). Frame indices count frames in presentation order from 0.

mod analysis;
mod capture_time;
mod frames;
mod grab;
mod mp4_index;
mod previews;
mod probe;
mod stream;
mod timecode;
mod tool;

pub use analysis::{
    ANALYSIS_SIDE, AnalysisOptions, DEFAULT_SCENE_THRESHOLD, SceneChange, VideoAnalysis, analyse,
    contact_sheet, preview_size,
};
pub use capture_time::{TimeTag, WRITTEN_TAG};
pub use frames::{FrameTable, Rational};
pub use grab::{DecodedFrame, GrabRequest, grab_frame};
pub use mp4_index::read_table as mp4_frame_table;
pub use previews::{SAMPLE_FRACTIONS, keyframe_previews, sample_keyframes};
pub use probe::{FrameHash, Probe, VideoFacts, parse_iso6709, probe};
pub use stream::FrameStream;
pub use timecode::{format_timecode, parse_time};
pub use tool::{FFMPEG_ENV, Ffmpeg, INSTALL_HINT, ToolOutput, args, input_arg, last_error_line};

/// Why a video could not be read or a frame not produced; shown after the file name.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VideoError {
    /// ffmpeg missing, too old, or would not start.
    #[error("{0}")]
    Tool(String),
    #[error("{tool} did not finish within {seconds:.0} s and was stopped")]
    Timeout { tool: String, seconds: f64 },
    #[error("{tool}: {message}")]
    Failed { tool: String, message: String },
    #[error("no video stream (audio only?)")]
    NoVideoStream,
    /// An MP4/MOV whose header lists frames that the file does not contain.
    #[error(
        "holds no media data: only the header (the moov box) is there, without the frames it \
         lists (an incomplete copy or download?)"
    )]
    NoMediaData,
    #[error("{0}")]
    Invalid(String),
    #[error("time {time} is beyond the last frame (at {last})")]
    BeyondEnd { time: String, last: String },
}

/// Overrides every ffmpeg time limit, in seconds (tests use a short one with a fake,
/// hanging ffmpeg).
pub const TIMEOUT_ENV: &str = "GEOPROOF_VIDEO_TIMEOUT_S";

/// How long one run of ffmpeg or ffprobe may take before it is treated as hung:
/// `default_s`, or the `GEOPROOF_VIDEO_TIMEOUT_S` override.
pub fn time_limit(default_s: u64) -> std::time::Duration {
    let seconds = std::env::var(TIMEOUT_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .unwrap_or(default_s as f64);
    std::time::Duration::from_secs_f64(seconds)
}

/// Probing reads the container's index: quick unless the file is hostile.
pub const PROBE_LIMIT_S: u64 = 60;
/// One grab decodes up to a whole group of pictures.
pub const GRAB_LIMIT_S: u64 = 120;
/// An analysis pass decodes the whole clip.
pub const ANALYSIS_LIMIT_S: u64 = 3600;
