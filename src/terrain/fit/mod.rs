//! Fitting a camera to the skyline traced on a frame (#33): the score of a camera
//! (mean angular distance between the traced points and the terrain's skyline),
//! the search of heading, pitch, roll and field of view around a starting camera, the
//! scan that ranks candidate sites by their best fit, and a proposed trace from the
//! frame's edges. A score is a measure of agreement, not proof of a place.

mod scan;
mod score;
mod search;
mod suggest;
mod view;

pub use scan::{MAX_SITES, Ranked, ScanOptions, grid_sites, scan};
pub use score::{HorizonTable, MAX_TRACE_POINTS, MISSING_PENALTY_DEG, Score, Trace};
pub use search::{Fit, FitOptions, Ranges, fit_camera, score_camera};
pub use suggest::{Suggestion, WORK_SIDE, suggest_skyline};
pub use view::{fit_on, score_on, skyline_on};
