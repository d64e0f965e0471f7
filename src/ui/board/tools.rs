//! What the board's tools are: the tool a press uses, how redactions are drawn, how
//! panels are arranged, the loupe's settings and the gesture in progress.

use crate::board::geometry::Handle;
use crate::case::comparison::Shape;

/// What a press on a panel does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardTool {
    Select,
    Pan,
    Rectangle,
    Ellipse,
    Polygon,
    Point,
    Arrow,
    Freehand,
    Text,
    /// Click an annotation, then its counterpart on another panel.
    Link,
    /// Mark an object's base, top and shadow tip (or, on a map snapshot, an object and
    /// its shadow tip).
    Shadow,
    /// Draw a region hidden in every output (shape and method in [`RedactSettings`]).
    Redact,
    /// A candidate camera's terrain skyline over the frame, traced and fitted
    /// ([`super::skyline`]); available when the case has elevation.
    Skyline,
}

/// What the Redact tool draws and how the region is hidden.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RedactSettings {
    pub shape: RedactShape,
    pub method: crate::case::comparison::RedactMethod,
    /// Brush width on screen, points (stored in image pixels at the zoom drawn at).
    pub brush_pt: f64,
}

impl Default for RedactSettings {
    fn default() -> RedactSettings {
        RedactSettings {
            shape: RedactShape::Rectangle,
            method: crate::case::comparison::RedactMethod::Pixelate,
            brush_pt: 24.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedactShape {
    Rectangle,
    Ellipse,
    Polygon,
    Brush,
}

impl RedactShape {
    pub const ALL: [RedactShape; 4] = [
        RedactShape::Rectangle,
        RedactShape::Ellipse,
        RedactShape::Polygon,
        RedactShape::Brush,
    ];

    pub fn label(self) -> &'static str {
        match self {
            RedactShape::Rectangle => "rectangle",
            RedactShape::Ellipse => "ellipse",
            RedactShape::Polygon => "polygon",
            RedactShape::Brush => "brush",
        }
    }

    /// The drawing tool whose gesture makes this shape.
    pub fn drawn_with(self) -> BoardTool {
        match self {
            RedactShape::Rectangle => BoardTool::Rectangle,
            RedactShape::Ellipse => BoardTool::Ellipse,
            RedactShape::Polygon => BoardTool::Polygon,
            RedactShape::Brush => BoardTool::Freehand,
        }
    }
}

impl BoardTool {
    pub const ALL: [BoardTool; 13] = [
        BoardTool::Select,
        BoardTool::Pan,
        BoardTool::Rectangle,
        BoardTool::Ellipse,
        BoardTool::Polygon,
        BoardTool::Point,
        BoardTool::Arrow,
        BoardTool::Freehand,
        BoardTool::Text,
        BoardTool::Link,
        BoardTool::Shadow,
        BoardTool::Redact,
        BoardTool::Skyline,
    ];

    pub fn label(self) -> &'static str {
        match self {
            BoardTool::Select => "Select",
            BoardTool::Pan => "Pan",
            BoardTool::Rectangle => "Rectangle",
            BoardTool::Ellipse => "Ellipse",
            BoardTool::Polygon => "Polygon",
            BoardTool::Point => "Point",
            BoardTool::Arrow => "Arrow",
            BoardTool::Freehand => "Freehand",
            BoardTool::Text => "Text",
            BoardTool::Link => "Link",
            BoardTool::Shadow => "Shadow",
            BoardTool::Redact => "Redact",
            BoardTool::Skyline => "Skyline",
        }
    }

    pub fn key(self) -> egui::Key {
        use egui::Key;
        match self {
            BoardTool::Select => Key::V,
            BoardTool::Pan => Key::H,
            BoardTool::Rectangle => Key::R,
            BoardTool::Ellipse => Key::E,
            BoardTool::Polygon => Key::G,
            BoardTool::Point => Key::P,
            BoardTool::Arrow => Key::A,
            BoardTool::Freehand => Key::F,
            BoardTool::Text => Key::T,
            BoardTool::Link => Key::L,
            BoardTool::Shadow => Key::S,
            BoardTool::Redact => Key::X,
            BoardTool::Skyline => Key::K,
        }
    }

    pub fn hint(self) -> &'static str {
        match self {
            BoardTool::Select => {
                "Click to select; drag to move; drag a corner to resize; Delete removes"
            }
            BoardTool::Pan => "Drag to pan (middle button or Space+drag pans with any tool)",
            BoardTool::Rectangle | BoardTool::Ellipse | BoardTool::Arrow => "Drag to draw",
            BoardTool::Polygon => "Click the corners; Enter or a double click closes it",
            BoardTool::Point => "Click to mark a point",
            BoardTool::Freehand => "Drag to draw a stroke",
            BoardTool::Text => "Click to place a text callout; type it in the inspector",
            BoardTool::Link => "Click a feature, then the same feature on another panel",
            BoardTool::Shadow => {
                "Click base, top, then shadow tip (map snapshot: object, then tip)"
            }
            BoardTool::Redact => {
                "Draw what to hide in every figure and exported image (the evidence is unchanged)"
            }
            BoardTool::Skyline => {
                "Drag: heading and pitch · wheel: field of view · click: trace the skyline · \
                 arrows: move the camera (settings in the inspector)"
            }
        }
    }

    /// The gesture a press makes with this tool: the Redact tool draws like its shape.
    pub fn drawing(self, redact: &RedactSettings) -> BoardTool {
        if self == BoardTool::Redact {
            redact.shape.drawn_with()
        } else {
            self
        }
    }
}

/// How panels are arranged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    SideBySide,
    Stacked,
    Grid,
}

impl Layout {
    pub const ALL: [Layout; 3] = [Layout::SideBySide, Layout::Stacked, Layout::Grid];

    pub fn label(self) -> &'static str {
        match self {
            Layout::SideBySide => "side by side",
            Layout::Stacked => "stacked",
            Layout::Grid => "grid",
        }
    }
}

/// The magnifier: enhancement applies to the loupe's pixels only, never to the evidence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Loupe {
    pub on: bool,
    pub magnification: f64,
    /// Added to every channel, -100..100.
    pub brightness: f32,
    /// Multiplier around mid-grey, 0.5..3.
    pub contrast: f32,
    /// Unsharp-mask amount, 0..3.
    pub sharpen: f32,
}

impl Default for Loupe {
    fn default() -> Loupe {
        Loupe {
            on: false,
            magnification: 4.0,
            brightness: 0.0,
            contrast: 1.0,
            sharpen: 0.0,
        }
    }
}

/// A press-drag-release in progress.
#[derive(Debug, Clone, PartialEq)]
pub enum Gesture {
    Draw {
        panel: String,
        tool: BoardTool,
        start: [f64; 2],
        points: Vec<[f64; 2]>,
    },
    Move {
        id: String,
        grab: [f64; 2],
        original: Shape,
    },
    Resize {
        id: String,
        handle: Handle,
        original: Shape,
    },
    /// Dragging one mark of a shadow measurement.
    MoveShadowMark {
        id: String,
        mark: usize,
    },
    Pan,
}
