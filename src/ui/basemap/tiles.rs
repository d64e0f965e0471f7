//! Tile helpers every source shares: the ancestor that covers a deeper tile, a piece of
//! it, a whole tile, a text-only attribution.

use walkers::sources::Attribution;
use walkers::{Tile, TileId, TilePiece};

/// The tile at `zoom` that covers `tile`, and the part of it (in 0..1 texture
/// coordinates) that `tile` occupies.
pub fn ancestor_tile(tile: TileId, zoom: u8) -> (TileId, egui::Rect) {
    let scale = 1u32 << (tile.zoom - zoom);
    let ancestor = TileId {
        x: tile.x / scale,
        y: tile.y / scale,
        zoom,
    };
    let step = 1.0 / scale as f32;
    let min = egui::pos2(
        (tile.x % scale) as f32 * step,
        (tile.y % scale) as f32 * step,
    );
    (
        ancestor,
        egui::Rect::from_min_size(min, egui::vec2(step, step)),
    )
}

/// An attribution that is just a line of text (no link, no logo).
pub fn text_attribution(text: &'static str) -> Attribution {
    Attribution {
        text,
        url: "",
        logo_light: None,
        logo_dark: None,
    }
}

/// `piece` cut down to the `sub` part of it.
pub fn sub_piece(piece: TilePiece, sub: egui::Rect) -> TilePiece {
    let uv = piece.uv;
    let map = |p: egui::Pos2| uv.min + (p.to_vec2() * uv.size());
    TilePiece::new(
        piece.tile,
        egui::Rect::from_min_max(map(sub.min), map(sub.max)),
    )
}

/// A whole tile as a piece.
pub fn whole_tile(tile: Tile) -> TilePiece {
    TilePiece::new(
        tile,
        egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
    )
}
