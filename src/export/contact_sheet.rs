//! A contact sheet: a video's first frame and scene changes in a grid, each with its
//! timecode and frame number, painted by the figure renderer (same fonts, same PNG
//! writer, no metadata).

use image::RgbImage;

use super::figure::{self, Figure, FigureError, Item, Source, Typesetter};

const COLUMNS: usize = 4;
const MARGIN: f64 = 16.0;
const GAP: f64 = 12.0;
const LABEL_SIZE: f64 = 14.0;
const TITLE_SIZE: f64 = 18.0;
const INK: [u8; 4] = [20, 20, 20, 255];
const PAPER: [u8; 4] = [255, 255, 255, 255];

/// PNG bytes of a sheet of `tiles` (label, thumbnail), left to right, top to bottom.
pub fn render_png(title: &str, tiles: &[(String, RgbImage)]) -> Result<Vec<u8>, FigureError> {
    let cell_w = tiles
        .iter()
        .map(|(_, t)| t.width())
        .max()
        .unwrap_or(256)
        .max(64) as f64;
    let cell_h = tiles
        .iter()
        .map(|(_, t)| t.height())
        .max()
        .unwrap_or(144)
        .max(36) as f64;
    let label_h = LABEL_SIZE * 1.6;
    let columns = COLUMNS.min(tiles.len().max(1));
    let rows = tiles.len().div_ceil(COLUMNS).max(1);
    let width = 2.0 * MARGIN + columns as f64 * cell_w + (columns as f64 - 1.0) * GAP;
    let mut type_setter = Typesetter::new()?;
    let heading = type_setter.layout(title, TITLE_SIZE, Some(width - 2.0 * MARGIN), true);
    let top = MARGIN + heading.height + GAP;
    let height = top + rows as f64 * (cell_h + label_h + GAP) + MARGIN - GAP;
    let mut items = vec![Item::Fill {
        points: vec![[0.0, 0.0], [width, 0.0], [width, height], [0.0, height]],
        color: PAPER,
    }];
    items.push(Item::Path {
        commands: heading.placed([MARGIN, MARGIN]),
        color: INK,
    });
    let mut sources = Vec::new();
    for (n, (label, thumb)) in tiles.iter().enumerate() {
        let x = MARGIN + (n % COLUMNS) as f64 * (cell_w + GAP);
        let y = top + (n / COLUMNS) as f64 * (cell_h + label_h + GAP);
        items.push(Item::Image {
            source: sources.len(),
            transform: [1.0, 0.0, 0.0, 1.0, x, y],
        });
        sources.push(Source {
            panel: format!("tile {n}"),
            sha256: String::new(),
            name: label.clone(),
            kind: "frame",
            pixels: thumb.clone(),
            scale: 1.0,
            full_size: [thumb.width(), thumb.height()],
        });
        let text = type_setter.layout(label, LABEL_SIZE, Some(cell_w), false);
        items.push(Item::Path {
            commands: text.placed([x, y + f64::from(thumb.height()) + 4.0]),
            color: INK,
        });
    }
    let sheet = Figure {
        width: width.ceil() as u32,
        height: height.ceil() as u32,
        items,
        sources,
        provenance: Vec::new(),
        finding: String::new(),
        title: title.to_owned(),
    };
    figure::png(&sheet, false)
}
