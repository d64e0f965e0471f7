//! A camera looked at through a horizon computed already: the skyline it renders and
//! its score against a trace, and the fit from it, with no elevation data at hand. An
//! interactive view computes the horizon all round once per camera position
//! ([`HorizonTable::all_round`], where the elevation is) and then turns, tilts and
//! zooms the camera on the table alone.

use super::super::TerrainError;
use super::super::skyline::{self, Basis, Camera};
use super::score::{HorizonTable, Score, Trace, evaluate};
use super::search::{Fit, Ranges, fit_on_table};

/// Refuses a table that does not go all round: an orientation could look past it.
fn check_table(table: &HorizonTable) -> Result<(), TerrainError> {
    if table.is_all_round() {
        return Ok(());
    }
    Err(TerrainError::bad(
        "horizon",
        table.step_deg(),
        "the horizon table must go all round to view a camera on it",
    ))
}

/// The camera's skyline in the frame's pixels, from the table (runs of points inside
/// the frame), sampled as [`skyline::skyline`] samples the terrain.
pub fn skyline_on(
    table: &HorizonTable,
    camera: &Camera,
) -> Result<Vec<Vec<[f64; 2]>>, TerrainError> {
    skyline::check(camera)?;
    check_table(table)?;
    let basis = Basis::new(camera);
    let azimuths = skyline::frame_azimuths(&basis, camera);
    let horizon = azimuths.iter().map(|az| match table.at(*az) {
        Some((el, complete)) => (*az, Some(el), complete),
        None => (*az, None, true),
    });
    Ok(skyline::polylines_of(&basis, camera, horizon).0)
}

/// The camera's score against `trace` (at most `max_points` of it), from the table.
pub fn score_on(
    table: &HorizonTable,
    camera: &Camera,
    trace: &Trace,
    max_points: usize,
) -> Result<Score, TerrainError> {
    skyline::check(camera)?;
    check_table(table)?;
    trace.check(camera.width, camera.height)?;
    let points = trace.samples(max_points);
    Ok(evaluate(table, camera, &points, true).score)
}

/// [`super::fit_camera`] on a table computed already.
pub fn fit_on(
    table: &HorizonTable,
    start: Camera,
    trace: &Trace,
    ranges: Ranges,
    max_points: usize,
) -> Result<Fit, TerrainError> {
    skyline::check(&start)?;
    check_table(table)?;
    ranges.check()?;
    trace.check(start.width, start.height)?;
    let points = trace.samples(max_points);
    Ok(fit_on_table(table, start, &points, &ranges))
}
