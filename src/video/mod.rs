//! Video footage: what a clip is (probe), where its frames are (frame table), and the
//! exact frame for a time (grab), all through the system's ffmpeg run as a program.
//!
//! Time model, one for the whole app: a *time* is seconds after the clip's start, as
//! players and `ffmpeg -ss` count it; the frame for a time is the first frame in
//! presentation order whose timestamp is at or after it (what ffmpeg's accurate seek
//! returns). Frame indices count frames in presentation order from 0.

mod analysis;
mod capture_time;
mod error;
mod frames;
mod grab;
mod mp4_index;
mod mp4_samples;
mod packet_decoder;
mod previews;
mod probe;
mod read_table;
mod stream;
mod timecode;
mod tool;

pub use analysis::{
    ANALYSIS_SIDE, AnalysisOptions, DEFAULT_SCENE_THRESHOLD, FrameHash, SceneChange, VideoAnalysis,
    analyse, contact_sheet, preview_size,
};
pub use capture_time::{TimeTag, WRITTEN_TAG};
pub use error::VideoError;
pub use frames::{FrameTable, Rational};
pub use grab::{DecodedFrame, GrabRequest, grab_frame};
pub use mp4_index::read_table as mp4_frame_table;
pub use mp4_samples::Unsupported;
pub use packet_decoder::PacketDecoder;
pub use previews::{SAMPLE_FRACTIONS, keyframe_previews, sample_keyframes};
pub use probe::{Probe, VideoFacts, parse_iso6709, probe};
pub use stream::FrameStream;
pub use timecode::{TimeError, format_timecode, parse_time};
pub use tool::{
    ANALYSIS_LIMIT_S, FFMPEG_ENV, Ffmpeg, GRAB_LIMIT_S, INSTALL_HINT, PROBE_LIMIT_S, TIMEOUT_ENV,
    ToolOutput, args, input_arg, last_error_line, time_limit,
};
