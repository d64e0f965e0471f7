//! Why a laid-out figure could not be drawn or encoded (a leaf: the renderers and the
//! typesetter import it without importing the figure module back).

/// Why a laid-out figure could not be drawn or encoded, with the size or source that
/// failed; the encoders' own messages otherwise.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("{0}")]
    Font(#[from] crate::assets::AssetError),
    #[error("cannot allocate a {width}×{height} figure")]
    Canvas { width: u32, height: u32 },
    #[error("cannot allocate a clip mask")]
    ClipMask,
    #[error("{name}: empty image")]
    EmptySource { name: String },
    #[error("figure buffer has the wrong size")]
    Buffer,
    #[error("{0}")]
    Png(#[from] png::EncodingError),
    #[error("{name}: cannot embed: {source}")]
    Embed {
        name: String,
        source: image::ImageError,
    },
    #[error("{0}")]
    Manifest(#[from] serde_json::Error),
}
