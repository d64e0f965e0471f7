//! What reading a video can fail with.

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
