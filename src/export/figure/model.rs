//! What a figure is before it is drawn: the request's options, the plain drawing items
//! in figure pixels, the decoded sources, and the page's colours and reference sizes.
//! A leaf of the figure module: the composer, the raster and the SVG writer all read it.

use image::RgbImage;

use super::text::PathCmd;
use crate::board::geometry;

/// The layout's reference width: sizes below are for a figure this wide and scale with it.
pub(super) const BASE_WIDTH: f64 = 1200.0;

#[derive(Debug, Clone, PartialEq)]
pub struct FigureOptions {
    /// Output width in pixels.
    pub width: u32,
    pub figure_number: u32,
    /// Shown under the title; the finding's verdict when `None`.
    pub description: Option<String>,
    /// Extra source/credit lines (the panels' sources are always listed).
    pub credits: Vec<String>,
    /// Annotation ids shown enlarged below the panels.
    pub insets: Vec<String>,
    /// Writes title, finding id and program into the PNG (never EXIF, GPS or XMP).
    pub include_metadata: bool,
    /// Panels per row, top to bottom (`[3, 2]`: three, then two, each row filling the
    /// width); empty: one row for up to three panels, else a square-ish grid.
    pub layout: Vec<usize>,
}

impl Default for FigureOptions {
    fn default() -> FigureOptions {
        FigureOptions {
            width: 2400,
            figure_number: 1,
            description: None,
            credits: Vec::new(),
            insets: Vec::new(),
            include_metadata: false,
            layout: Vec::new(),
        }
    }
}

/// One drawing operation, in figure pixels.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// Source image `source` drawn through `transform` (source pixel → figure pixel,
    /// `[a, b, c, d, e, f]` as in SVG's `matrix`); the enclosing clip bounds it.
    Image {
        source: usize,
        transform: [f64; 6],
    },
    Stroke {
        points: Vec<[f64; 2]>,
        closed: bool,
        color: [u8; 4],
        width: f64,
    },
    Fill {
        points: Vec<[f64; 2]>,
        color: [u8; 4],
    },
    Circle {
        center: [f64; 2],
        radius: f64,
        fill: [u8; 4],
        outline: Option<([u8; 4], f64)>,
    },
    /// Filled outlines (text).
    Path {
        commands: Vec<PathCmd>,
        color: [u8; 4],
    },
    /// Items until the matching `EndClip` are clipped to the rectangle.
    BeginClip([f64; 4]),
    EndClip,
}

/// An image used by the figure, decoded at the resolution the figure needs.
pub struct Source {
    pub panel: String,
    pub sha256: String,
    pub name: String,
    pub kind: &'static str,
    pub pixels: RgbImage,
    /// Full-resolution pixels per decoded pixel.
    pub scale: f64,
    pub full_size: [u32; 2],
}

pub struct Figure {
    pub width: u32,
    pub height: u32,
    pub items: Vec<Item>,
    pub sources: Vec<Source>,
    /// What each source contributed (crop, transform), for the manifest.
    pub provenance: Vec<serde_json::Value>,
    pub finding: String,
    pub title: String,
}

pub(super) const WHITE: [u8; 4] = [255, 255, 255, 255];
pub(super) const INK: [u8; 4] = [20, 20, 20, 255];
pub(super) const GREY: [u8; 4] = [90, 90, 90, 255];
pub(super) const PANEL_BG: [u8; 4] = [32, 32, 32, 255];
/// A skyline fit on its frame: the rendered skyline (amber over a dark halo) and the
/// traced one (cyan, dashed).
pub(super) const SKYLINE_RENDERED: [u8; 4] = [255, 190, 0, 255];
pub(super) const SKYLINE_HALO: [u8; 4] = [0, 0, 0, 200];
pub(super) const SKYLINE_TRACED: [u8; 4] = [0, 215, 255, 255];
/// Text size of a panel's caption (at the reference width).
pub(super) const PANEL_CAPTION_SIZE: f64 = 14.0;

pub(super) fn rgba(c: [u8; 3]) -> [u8; 4] {
    [c[0], c[1], c[2], 255]
}

pub(super) fn rect_points(r: [f64; 4]) -> Vec<[f64; 2]> {
    geometry::corners(r).to_vec()
}
