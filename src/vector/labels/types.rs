//! The label candidate types every part of `labels` shares (a leaf module).

/// What a label names, in the order labels are placed (places win).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Place,
    Road,
    Water,
}

/// Where a label may sit, in world Web Mercator units (0..1, y down).
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Point([f64; 2]),
    Line(Vec<[f64; 2]>),
}

/// A name that may be drawn: its text, kind, rank within the kind (smaller first),
/// text size (pixels), weight, the zoom it starts at, and where it goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub text: String,
    pub kind: Kind,
    pub rank: f32,
    pub px: f32,
    pub bold: bool,
    pub min_zoom: f32,
    pub shape: Shape,
}
