//! Every colour the UI uses, in one place. `tests/fitness/layers.rs` fails when a file
//! of `ui/` names a colour itself (`Color32::…`) instead of taking it from here.

use egui::Color32;

pub const BORDER: Color32 = Color32::from_rgb(255, 214, 102);
pub const COUNTRY_LABEL: Color32 = Color32::from_rgba_premultiplied(235, 235, 235, 220);
pub const CAPITAL: Color32 = Color32::from_rgb(220, 220, 220);
pub const EVIDENCE: Color32 = Color32::from_rgb(66, 135, 245);
pub const WEDGE: Color32 = Color32::from_rgb(66, 135, 245);
/// Magnetic or unknown direction reference: a warning colour.
pub const WEDGE_MAGNETIC: Color32 = Color32::from_rgb(255, 140, 0);
pub const FINDING: Color32 = Color32::from_rgb(230, 57, 70);
pub const PRECISION_FILL: Color32 = Color32::from_rgba_premultiplied(60, 15, 18, 60);
pub const MEASURE: Color32 = Color32::from_rgb(80, 250, 123);
pub const ATTRIBUTION: Color32 = Color32::from_rgb(230, 230, 230);
pub const ERROR: Color32 = Color32::from_rgb(255, 110, 110);
/// The sun on the map: its direction, its day's path, and the shadow it casts.
pub const SUN: Color32 = Color32::from_rgb(255, 221, 0);
pub const SUN_PATH: Color32 = Color32::from_rgb(255, 196, 60);
pub const SHADOW: Color32 = Color32::from_rgb(20, 20, 28);
pub const SHADOW_HALO: Color32 = Color32::from_rgb(240, 240, 240);
/// Online state and other things the analyst must not miss.
pub const WARNING: Color32 = Color32::from_rgb(255, 170, 60);
/// The georeference view: control points, the selected one, a point waiting for its
/// place on the map, the estimated camera, and the image half's background.
pub const GEOREF_POINT: Color32 = Color32::from_rgb(0, 229, 255);
pub const GEOREF_SELECTED: Color32 = Color32::from_rgb(255, 64, 129);
pub const GEOREF_PENDING: Color32 = Color32::from_rgb(255, 235, 59);
pub const GEOREF_CAMERA: Color32 = Color32::from_rgb(186, 104, 200);
/// Candidate sites by status (Okabe–Ito: distinguishable with colour-blindness).
pub const CANDIDATE_UNCHECKED: Color32 = Color32::from_rgb(190, 190, 190);
pub const CANDIDATE_POSSIBLE: Color32 = Color32::from_rgb(240, 228, 66);
pub const CANDIDATE_LIKELY: Color32 = Color32::from_rgb(86, 180, 233);
pub const CANDIDATE_RULED_OUT: Color32 = Color32::from_rgb(213, 94, 0);
pub const CANDIDATE_CONFIRMED: Color32 = Color32::from_rgb(0, 158, 115);
/// OpenStreetMap query results not yet added as candidates.
pub const OSM_RESULT: Color32 = Color32::from_rgb(204, 121, 167);
pub const GEOREF_BACKGROUND: Color32 = Color32::from_rgb(24, 24, 28);
/// Outlines round markers and dots, so they stand out on any imagery.
pub const OUTLINE: Color32 = Color32::BLACK;
/// Halos, selection rings and text on dark backdrops.
pub const HALO: Color32 = Color32::WHITE;
/// A texture drawn as it is (the tint a mesh or image multiplies by).
pub const UNTINTED: Color32 = Color32::WHITE;
/// Nothing drawn (an unchanged pixel in an overlay).
pub const CLEAR: Color32 = Color32::TRANSPARENT;
/// Secondary text: "no image", "no panels yet".
pub const MUTED: Color32 = Color32::GRAY;
/// Behind a label drawn over imagery.
pub const LABEL_BACKDROP: Color32 = Color32::from_black_alpha(190);
/// Behind a board panel's picture.
pub const BOARD_BACKGROUND: Color32 = Color32::from_gray(24);
/// The first side of a link being made.
pub const LINK_PENDING: Color32 = Color32::YELLOW;
/// Matching proposals not yet accepted.
pub const PROPOSAL: Color32 = Color32::from_rgb(230, 230, 230);
/// A shadow measurement on the board: the object's height and the shadow.
pub const SHADOW_HEIGHT: Color32 = Color32::from_rgb(90, 220, 255);
pub const SHADOW_MEASURE: Color32 = Color32::from_rgb(255, 150, 40);
/// Redaction outlines on the board.
pub const REDACTION: Color32 = Color32::from_rgb(255, 70, 70);
/// The loupe's ring and crosshair.
pub const LOUPE_RING: Color32 = Color32::from_gray(230);
pub const LOUPE_CROSSHAIR: Color32 = Color32::RED;
/// The video transport bar: background, track, keyframes, scene changes, playhead and
/// a thumbnail not yet decoded.
pub const TRANSPORT_BACKGROUND: Color32 = Color32::from_gray(36);
pub const TRANSPORT_TRACK: Color32 = Color32::from_gray(20);
pub const KEYFRAME: Color32 = Color32::from_gray(120);
pub const SCENE: Color32 = Color32::from_rgb(255, 170, 40);
pub const PLAYHEAD: Color32 = Color32::from_rgb(80, 170, 255);
pub const THUMBNAIL_PENDING: Color32 = Color32::from_gray(70);
/// A reviewer's blind location on the map.
pub const BLIND: Color32 = Color32::from_rgb(0, 200, 255);
/// Review states: draft, ready for review, approved, disputed.
pub const REVIEW_DRAFT: Color32 = Color32::from_gray(160);
pub const REVIEW_READY: Color32 = Color32::from_rgb(86, 180, 233);
pub const REVIEW_APPROVED: Color32 = Color32::from_rgb(0, 158, 115);
pub const REVIEW_DISPUTED: Color32 = Color32::from_rgb(230, 120, 0);
/// A signature that holds, and one that does not.
pub const SIGNATURE_OK: Color32 = Color32::from_rgb(0, 158, 115);

/// The colour of a review state's badge.
pub fn review_colour(status: crate::case::review::ReviewStatus) -> Color32 {
    use crate::case::review::ReviewStatus;
    match status {
        ReviewStatus::Draft => REVIEW_DRAFT,
        ReviewStatus::Ready => REVIEW_READY,
        ReviewStatus::Approved => REVIEW_APPROVED,
        ReviewStatus::Disputed => REVIEW_DISPUTED,
    }
}

/// A colour the domain computed (a link's colour, an annotation's ink, a pixel) as
/// egui draws it.
pub fn rgb(c: [u8; 3]) -> Color32 {
    Color32::from_rgb(c[0], c[1], c[2])
}

/// Ground a viewshed sees, drawn over the map (RGBA, not premultiplied).
pub const VIEWSHED_RGBA: [u8; 4] = [255, 214, 10, 150];
/// The profile chart: terrain, the ground under it, holes without data.
pub const PROFILE_TERRAIN: Color32 = Color32::from_rgb(170, 140, 100);
pub const PROFILE_GROUND: Color32 = Color32::from_rgba_premultiplied(60, 48, 32, 160);
pub const PROFILE_HOLE: Color32 = Color32::from_rgba_premultiplied(60, 60, 60, 90);
pub const PROFILE_BACKGROUND: Color32 = Color32::from_gray(22);

/// The Skyline tool (#33): the terrain skyline the candidate camera renders, the trace
/// the analyst accepted, and a suggestion not yet accepted (drawn dashed).
pub const SKYLINE_RENDERED: Color32 = Color32::from_rgb(255, 64, 160);
pub const SKYLINE_TRACE: Color32 = Color32::from_rgb(0, 230, 118);
pub const SKYLINE_PROPOSAL: Color32 = Color32::from_rgb(255, 235, 59);
/// The Skyline scan's ranking on the map: the ranked sites, the best one, and sites that
/// could not be fitted.
pub const SKYLINE_SCAN_SITE: Color32 = Color32::from_rgb(255, 64, 160);
pub const SKYLINE_SCAN_BEST: Color32 = Color32::from_rgb(255, 196, 0);
pub const SKYLINE_SCAN_UNFITTED: Color32 = Color32::from_gray(150);
/// The skyline of the finding's saved skyline fit, drawn beside the estimated camera's
/// in the georeference view.
pub const SKYLINE_SAVED_FIT: Color32 = Color32::from_rgb(64, 196, 255);
