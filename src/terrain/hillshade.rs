//! Hillshade of an elevation grid (Horn's slope and aspect, as `gdaldem hillshade`):
//! 1 (in shadow) to 255 (facing the light), 0 where there is no value (the outer cells
//! and cells next to nodata), for a light at an azimuth and altitude.

use super::TerrainError;

/// An elevation grid in metres, north-up, row by row from the north (NaN = nodata).
pub struct Grid<'a> {
    pub z: &'a [f32],
    pub width: usize,
    pub height: usize,
    /// Cell size east-west and north-south, metres.
    pub dx_m: f64,
    pub dy_m: f64,
}

/// Hillshade for a light at `azimuth_deg` (clockwise from north) and `altitude_deg`
/// above the horizon.
pub fn hillshade(
    grid: &Grid,
    azimuth_deg: f64,
    altitude_deg: f64,
) -> Result<Vec<u8>, TerrainError> {
    if !azimuth_deg.is_finite() {
        return Err(TerrainError::bad(
            "sun azimuth",
            azimuth_deg,
            "not a number",
        ));
    }
    if !altitude_deg.is_finite() || !(0.0..=90.0).contains(&altitude_deg) {
        return Err(TerrainError::bad(
            "sun altitude",
            altitude_deg,
            "must be 0 to 90 degrees",
        ));
    }
    if grid.z.len() != grid.width * grid.height || !(grid.dx_m > 0.0 && grid.dy_m > 0.0) {
        return Err(TerrainError::bad(
            "grid",
            grid.z.len() as f64,
            "size or cell size does not match",
        ));
    }
    let (w, h) = (grid.width, grid.height);
    let zenith = (90.0 - altitude_deg).to_radians();
    let azimuth = (360.0 - azimuth_deg + 90.0).to_radians();
    let (cz, sz) = (zenith.cos(), zenith.sin());
    let mut out = vec![0u8; w * h];
    for row in 1..h.saturating_sub(1) {
        for col in 1..w.saturating_sub(1) {
            let at = |dc: isize, dr: isize| {
                f64::from(grid.z[(row as isize + dr) as usize * w + (col as isize + dc) as usize])
            };
            let (a, b, c) = (at(-1, -1), at(0, -1), at(1, -1));
            let (d, f) = (at(-1, 0), at(1, 0));
            let (g, hh, i) = (at(-1, 1), at(0, 1), at(1, 1));
            let dzdx = ((c + 2.0 * f + i) - (a + 2.0 * d + g)) / (8.0 * grid.dx_m);
            let dzdy = ((g + 2.0 * hh + i) - (a + 2.0 * b + c)) / (8.0 * grid.dy_m);
            if !(dzdx.is_finite() && dzdy.is_finite() && at(0, 0).is_finite()) {
                continue;
            }
            let slope = dzdx.hypot(dzdy).atan();
            let aspect = dzdy.atan2(-dzdx);
            let shade = cz * slope.cos() + sz * slope.sin() * (azimuth - aspect).cos();
            out[row * w + col] = if shade <= 0.0 {
                1
            } else {
                (1.0 + 254.0 * shade).round().min(255.0) as u8
            };
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plane rising `slope` metres per metre toward `towards_deg`.
    fn plane(slope: f64, towards_deg: f64) -> Vec<f32> {
        let (s, c) = towards_deg.to_radians().sin_cos();
        let mut z = Vec::new();
        for row in 0..5 {
            for col in 0..5 {
                let (east, north) = (col as f64 * 10.0, -(row as f64) * 10.0);
                z.push((slope * (east * s + north * c)) as f32);
            }
        }
        z
    }

    fn centre(z: &[f32], az: f64, alt: f64) -> u8 {
        let g = Grid {
            z,
            width: 5,
            height: 5,
            dx_m: 10.0,
            dy_m: 10.0,
        };
        hillshade(&g, az, alt).unwrap()[12]
    }

    #[test]
    fn flat_ground_is_lit_by_the_sine_of_the_altitude() {
        let z = vec![100f32; 25];
        let expect = (1.0 + 254.0 * 45f64.to_radians().sin()).round() as u8;
        assert_eq!(centre(&z, 315.0, 45.0), expect);
        let g = Grid {
            z: &z,
            width: 5,
            height: 5,
            dx_m: 10.0,
            dy_m: 10.0,
        };
        assert_eq!(
            hillshade(&g, 315.0, 45.0).unwrap()[0],
            0,
            "edge cells have no value"
        );
    }

    #[test]
    fn a_slope_facing_the_sun_is_brighter_than_one_facing_away() {
        // 45° slope rising to the east faces west: lit from the west at 45° altitude,
        // the light is perpendicular to it (255); from the east it grazes it (1).
        let z = plane(1.0, 90.0);
        assert_eq!(centre(&z, 270.0, 45.0), 255);
        assert_eq!(centre(&z, 90.0, 45.0), 1);
        // From the north: cos(slope)·sin(alt) = cos 45° · sin 45° = 0.5.
        assert_eq!(centre(&z, 0.0, 45.0), (1.0 + 254.0 * 0.5f64).round() as u8);
    }

    #[test]
    fn refuses_a_sun_below_the_horizon() {
        let z = vec![0f32; 25];
        let g = Grid {
            z: &z,
            width: 5,
            height: 5,
            dx_m: 10.0,
            dy_m: 10.0,
        };
        assert!(hillshade(&g, 0.0, -5.0).is_err());
    }
}
