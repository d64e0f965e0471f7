//! Why a figure could not be made, drawn, encoded or written (a leaf of the figure
//! module: the renderers, the typesetter and the composer import it without importing
//! the figure module back).

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

/// Why a figure could not be made or written. The message names the finding, panel or
/// file and the cause.
#[derive(Debug, thiserror::Error)]
pub enum FigureError {
    /// The request cannot make a figure: no panels, a width out of range, a layout that
    /// does not fit the panels, an inset of an unknown annotation.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// A panel's picture cannot be located, read or decoded.
    #[error(transparent)]
    Panel(Box<PanelError>),
    /// A redaction does not lie on its panel's picture (never silently clipped).
    #[error(transparent)]
    Redaction(Box<RedactionError>),
    /// Shaping text or encoding the PNG, SVG or manifest failed.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// An output or the manifest could not be written.
    #[error(transparent)]
    Write(#[from] crate::fsio::FileError),
    /// An imagery layer could not be opened or rendered (before/after figures).
    #[error(transparent)]
    Imagery(#[from] Box<crate::imagery::ImageryError>),
    /// A view that cannot be rendered (or whose file cannot be read for it).
    #[error(transparent)]
    View(#[from] crate::imagery::view::ViewError),
    /// The export could not be recorded in the case's audit log.
    #[error("recording the export in the audit log: {0}")]
    Log(#[source] Box<crate::case::CaseError>),
}

impl From<PanelError> for FigureError {
    fn from(e: PanelError) -> FigureError {
        FigureError::Panel(Box::new(e))
    }
}

impl From<RedactionError> for FigureError {
    fn from(e: RedactionError) -> FigureError {
        FigureError::Redaction(Box::new(e))
    }
}

/// A figure request that cannot be met.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// Neither a PNG nor an SVG file to write.
    #[error("no output file: a figure is written as PNG, SVG or both")]
    NoOutput,
    /// The finding is not in the case.
    #[error(transparent)]
    Finding(Box<crate::case::CaseError>),
    #[error("finding {finding} has no panels to show")]
    NoPanels { finding: String },
    #[error("finding {finding} has no panel {panel}")]
    UnknownPanel { finding: String, panel: String },
    #[error("width {width} px is outside 200–20000")]
    Width { width: u32 },
    #[error("finding {finding} has no annotation {annotation} for an inset")]
    UnknownInset { finding: String, annotation: String },
    /// `layout` as given (panels per row, comma separated).
    #[error(
        "layout {layout} has {places} places in rows of at least one, but the finding has \
         {panels} panels"
    )]
    Layout {
        layout: String,
        places: usize,
        panels: usize,
    },
}

/// A panel's picture that cannot be located, read or decoded.
#[derive(Debug, thiserror::Error)]
pub enum PanelError {
    /// The panel's file is not in the case (or its record is not valid).
    #[error(transparent)]
    Locate(Box<crate::case::CaseError>),
    /// The picture's size cannot be read from its header.
    #[error("{}: {source}", path.display())]
    Size {
        path: std::path::PathBuf,
        #[source]
        source: image::ImageError,
    },
    /// The image cannot be decoded.
    #[error(transparent)]
    Picture(#[from] crate::evidence::IntakeError),
    /// The video, or the frame the panel shows, cannot be decoded.
    #[error(transparent)]
    Frame(#[from] crate::case::FrameError),
}

impl From<crate::case::CaseError> for PanelError {
    fn from(e: crate::case::CaseError) -> PanelError {
        PanelError::Locate(Box::new(e))
    }
}

/// A redaction that does not lie on its panel's picture.
#[derive(Debug, thiserror::Error)]
#[error(
    "{}: redaction {annotation} on panel {panel} of finding {finding}: {problem}",
    picture.display()
)]
pub struct RedactionError {
    /// The panel's picture.
    pub picture: std::path::PathBuf,
    pub finding: String,
    pub panel: String,
    pub annotation: String,
    #[source]
    pub problem: Box<crate::case::Invalid>,
}
