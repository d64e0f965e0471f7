//! What a shadow says. On flat ground a vertical object of height h casts a shadow of
//! length h / tan(e), e the sun's apparent elevation: the ratio shadow ÷ height fixes
//! the elevation, which at a known place fixes the time (usually one morning and one
//! afternoon window) and at a known time fixes a band on Earth (ShadowFinder's question).
//! The shadow's bearing (away from the sun) picks the window or narrows the band.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use geo::{MultiPolygon, Polygon, Rect, coord};
use rayon::prelude::*;
use serde::Serialize;
use solar_positioning::{Location, SolarPositions};

use super::error::SunError;
use super::position::{Atmosphere, delta_t, location, sun_at};
use crate::spatial::LatLon;

/// A measured ratio (shadow length ÷ object height) and how far off it may be, as a
/// fraction of it: a time or place fits when |ratio − measured| / measured ≤ tolerance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RatioMeasure {
    pub ratio: f64,
    pub tolerance: f64,
}

impl RatioMeasure {
    pub fn new(ratio: f64, tolerance: f64) -> Result<RatioMeasure, SunError> {
        if !(ratio.is_finite() && ratio > 0.0) {
            return Err(SunError::Input(format!(
                "shadow ratio {ratio} must be a positive number"
            )));
        }
        if ratio > 1000.0 {
            return Err(SunError::Input(format!(
                "shadow ratio {ratio} means a sun 0.06° above the horizon: too low to measure"
            )));
        }
        if !(tolerance.is_finite() && tolerance > 0.0 && tolerance < 1.0) {
            return Err(SunError::Input(format!(
                "tolerance {tolerance} must be between 0 and 1 (a fraction of the ratio)"
            )));
        }
        Ok(RatioMeasure { ratio, tolerance })
    }

    /// The apparent elevations (degrees) that produce ratios within tolerance: lower
    /// elevation for the longer shadow.
    pub fn elevation_range_deg(&self) -> (f64, f64) {
        let elevation = |r: f64| (1.0 / r).atan().to_degrees();
        (
            elevation(self.ratio * (1.0 + self.tolerance)),
            elevation(self.ratio * (1.0 - self.tolerance)),
        )
    }

    fn fits_elevation(&self, apparent_elevation_deg: f64) -> bool {
        let (lo, hi) = self.elevation_range_deg();
        apparent_elevation_deg > 0.0 && (lo..=hi).contains(&apparent_elevation_deg)
    }
}

/// A measured shadow bearing (degrees from true north, the way the shadow points) and
/// its tolerance in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BearingMeasure {
    pub bearing_deg: f64,
    pub tolerance_deg: f64,
}

impl BearingMeasure {
    pub fn new(bearing_deg: f64, tolerance_deg: f64) -> Result<BearingMeasure, SunError> {
        if !(bearing_deg.is_finite()
            && tolerance_deg.is_finite()
            && (0.0..=180.0).contains(&tolerance_deg))
        {
            return Err(SunError::Input(format!(
                "bearing {bearing_deg}±{tolerance_deg}° is not a direction with a tolerance of 0–180°"
            )));
        }
        Ok(BearingMeasure {
            bearing_deg: bearing_deg.rem_euclid(360.0),
            tolerance_deg,
        })
    }

    /// Parses `DEG` or `DEG±TOL` (also `DEG+-TOL`); a bare bearing gets ±10°.
    pub fn parse(text: &str) -> Result<BearingMeasure, SunError> {
        let bad = || SunError::Input(format!("{text:?} is not a bearing such as 250 or 250±10"));
        let (b, t) = match text.split_once('±').or_else(|| text.split_once("+-")) {
            Some((b, t)) => (b, t.trim().parse::<f64>().map_err(|_| bad())?),
            None => (text, 10.0),
        };
        BearingMeasure::new(
            b.trim().trim_end_matches('°').parse().map_err(|_| bad())?,
            t,
        )
    }

    fn fits(&self, shadow_bearing_deg: f64) -> bool {
        let d = (shadow_bearing_deg - self.bearing_deg).rem_euclid(360.0);
        d.min(360.0 - d) <= self.tolerance_deg
    }
}

/// A span of time in which the shadow ratio fits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Window {
    pub start_utc: DateTime<Utc>,
    pub end_utc: DateTime<Utc>,
    /// The shadow's bearing in the middle of the window, degrees from true north.
    pub shadow_bearing_deg: f64,
    /// Whether a given bearing fits in the middle of the window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bearing_fits: Option<bool>,
}

/// The UTC windows on the local date `date` (in `zone`) at `p` in which the shadow
/// ratio fits `measure`; with a bearing, each window says whether the bearing fits.
/// Found on a one-minute scan, each edge refined to a second.
pub fn windows_on<Tz: TimeZone>(
    p: LatLon,
    date: NaiveDate,
    zone: &Tz,
    measure: RatioMeasure,
    bearing: Option<BearingMeasure>,
    atmosphere: Atmosphere,
) -> Result<Vec<Window>, SunError> {
    location(p)?;
    let start = zone
        .from_local_datetime(
            &date
                .and_hms_opt(0, 0, 0)
                .ok_or_else(|| SunError::Input(format!("{date}: not a date")))?,
        )
        .earliest()
        .ok_or_else(|| SunError::Input(format!("{date}: midnight does not exist in that zone")))?
        .with_timezone(&Utc);
    let end = start + Duration::days(1);
    let fits = |t: DateTime<Utc>| -> Result<bool, SunError> {
        let sun = sun_at(p, 0.0, t, None, atmosphere)?;
        Ok(measure.fits_elevation(sun.apparent_elevation_deg))
    };
    let mut windows = Vec::new();
    let mut t = start;
    let mut open: Option<DateTime<Utc>> = None;
    let mut previous = fits(t)?;
    if previous {
        open = Some(t);
    }
    while t < end {
        let next = (t + Duration::minutes(1)).min(end);
        let now = fits(next)?;
        if now != previous {
            let edge = refine(t, next, previous, &fits)?;
            if now {
                open = Some(edge);
            } else if let Some(s) = open.take() {
                windows.push((s, edge));
            }
        }
        previous = now;
        t = next;
    }
    if let Some(s) = open {
        windows.push((s, end));
    }
    windows
        .into_iter()
        .map(|(s, e)| {
            let mid = s + (e - s) / 2;
            let sun = sun_at(p, 0.0, mid, None, atmosphere)?;
            Ok(Window {
                start_utc: s,
                end_utc: e,
                shadow_bearing_deg: sun.shadow_bearing_deg(),
                bearing_fits: bearing.map(|b| b.fits(sun.shadow_bearing_deg())),
            })
        })
        .collect()
}

/// The instant (to a second) between `a` and `b` where `fits` changes from `at_a`.
fn refine(
    mut a: DateTime<Utc>,
    mut b: DateTime<Utc>,
    at_a: bool,
    fits: &dyn Fn(DateTime<Utc>) -> Result<bool, SunError>,
) -> Result<DateTime<Utc>, SunError> {
    while b - a > Duration::seconds(1) {
        let mid = a + (b - a) / 2;
        if fits(mid)? == at_a {
            a = mid;
        } else {
            b = mid;
        }
    }
    Ok(b)
}

/// Where on Earth a shadow ratio (and bearing) fits at one instant: grid cells whose
/// centre fits, merged into polygons (longitude first, WGS84 degrees).
#[derive(Debug, Clone)]
pub struct Locus {
    pub grid_deg: f64,
    /// Number of fitting cells.
    pub cells: usize,
    /// Cells evaluated (rows that cannot reach the elevation are skipped whole).
    pub evaluated: usize,
    pub area: MultiPolygon<f64>,
}

/// The locus of `measure` (and `bearing`) at `instant` on a `grid_deg` grid, computed
/// with SPA at every cell centre that can fit (the sun's time-dependent terms are shared
/// by all cells; rows whose latitude cannot see the required elevation are skipped).
pub fn locus(
    instant: DateTime<Utc>,
    measure: RatioMeasure,
    bearing: Option<BearingMeasure>,
    grid_deg: f64,
    atmosphere: Atmosphere,
) -> Result<Locus, SunError> {
    if !(grid_deg.is_finite() && (0.01..=10.0).contains(&grid_deg)) {
        return Err(SunError::Input(format!(
            "grid of {grid_deg}° (0.01° to 10° allowed)"
        )));
    }
    let prepared = SolarPositions::new()
        .for_time(&instant, delta_t(instant))
        .map_err(|e| SunError::Input(e.to_string()))?;
    let refraction = atmosphere.correction()?;
    let declination = prepared.declination();
    let (lo, hi) = measure.elevation_range_deg();
    let rows = (180.0 / grid_deg).round() as usize;
    let cols = (360.0 / grid_deg).round() as usize;
    // A cheap first look at every cell: the geometric elevation from the declination and
    // hour angle on a sphere (within 0.01° of SPA), compared with the band widened by a
    // degree (refraction and margin). SPA then decides every cell near the band.
    let hour_angle_at_greenwich = greenwich_hour_angle_deg(&prepared)?;
    let (sin_dec, cos_dec) = declination.to_radians().sin_cos();
    let cos_hour: Vec<f64> = (0..cols)
        .map(|col| {
            let lon = -180.0 + (col as f64 + 0.5) * grid_deg;
            (hour_angle_at_greenwich + lon).to_radians().cos()
        })
        .collect();
    let (sin_lo, sin_hi) = (
        (lo - 1.0).max(-90.0).to_radians().sin(),
        (hi + 1.0).min(90.0).to_radians().sin(),
    );
    // Per row, the runs of fitting columns.
    let runs: Vec<RowRuns> = (0..rows)
        .into_par_iter()
        .map(|row| {
            let lat = -90.0 + (row as f64 + 0.5) * grid_deg;
            // The sun's elevation at this latitude lies within these bounds all day
            // (with a degree to spare for refraction and parallax).
            let highest = 90.0 - (lat - declination).abs() + 1.0;
            let lowest = -(90.0 - (lat + declination).abs()) - 1.0;
            if highest < lo || lowest > hi {
                return (row, 0, Vec::new());
            }
            let mut runs = Vec::new();
            let mut start: Option<usize> = None;
            let (sin_lat, cos_lat) = lat.to_radians().sin_cos();
            for (col, cos_h) in cos_hour.iter().enumerate() {
                let lon = -180.0 + (col as f64 + 0.5) * grid_deg;
                let sin_elevation = sin_lat * sin_dec + cos_lat * cos_dec * cos_h;
                let near = (sin_lo..=sin_hi).contains(&sin_elevation);
                let ok = near
                    && prepared
                        .at(
                            Location {
                                latitude: lat,
                                longitude: lon,
                            },
                            0.0,
                            Some(refraction),
                        )
                        .is_ok_and(|sun| {
                            measure.fits_elevation(sun.elevation_angle())
                                && bearing.is_none_or(|b| b.fits((sun.azimuth() + 180.0) % 360.0))
                        });
                match (ok, start) {
                    (true, None) => start = Some(col),
                    (false, Some(s)) => {
                        runs.push((s, col));
                        start = None;
                    }
                    _ => {}
                }
            }
            if let Some(s) = start {
                runs.push((s, cols));
            }
            (row, cols, runs)
        })
        .collect();
    let evaluated = runs.iter().map(|(_, n, _)| n).sum();
    let cells = runs
        .iter()
        .flat_map(|(_, _, r)| r.iter().map(|(a, b)| b - a))
        .sum();
    let area = merge_runs(&runs, grid_deg);
    Ok(Locus {
        grid_deg,
        cells,
        evaluated,
        area,
    })
}

/// The sun's hour angle at Greenwich, degrees, read off SPA's position seen from
/// (0°, 0°): on the equator, sin e = cos δ cos H and cos e sin A = −cos δ sin H.
fn greenwich_hour_angle_deg(
    prepared: &solar_positioning::PreparedPositions,
) -> Result<f64, SunError> {
    let sun = prepared
        .at(
            Location {
                latitude: 0.0,
                longitude: 0.0,
            },
            0.0,
            None,
        )
        .map_err(|e| SunError::Input(e.to_string()))?;
    let (sin_a, _) = sun.azimuth().to_radians().sin_cos();
    let (sin_e, cos_e) = sun.elevation_angle().to_radians().sin_cos();
    Ok((-sin_a * cos_e).atan2(sin_e).to_degrees())
}

/// One grid row: its index, the cells evaluated in it, and the fitting column ranges.
type RowRuns = (usize, usize, Vec<(usize, usize)>);

/// Row runs to polygons: runs that cover the same columns in consecutive rows become
/// one rectangle, and touching rectangles are unioned.
fn merge_runs(runs: &[RowRuns], grid: f64) -> MultiPolygon<f64> {
    use geo::BooleanOps;
    // (first row, last row, start col, end col), growing while the next row repeats.
    let mut open: Vec<(usize, usize, usize, usize)> = Vec::new();
    let mut closed = Vec::new();
    for (row, _, row_runs) in runs {
        let mut next_open = Vec::new();
        for &(a, b) in row_runs {
            match open
                .iter()
                .position(|&(_, last, s, e)| last + 1 == *row && s == a && e == b)
            {
                Some(i) => {
                    let (first, _, s, e) = open.swap_remove(i);
                    next_open.push((first, *row, s, e));
                }
                None => next_open.push((*row, *row, a, b)),
            }
        }
        closed.append(&mut open);
        open = next_open;
    }
    closed.append(&mut open);
    let rect = |(r0, r1, c0, c1): (usize, usize, usize, usize)| -> Polygon<f64> {
        Rect::new(
            coord! { x: -180.0 + c0 as f64 * grid, y: -90.0 + r0 as f64 * grid },
            coord! { x: -180.0 + c1 as f64 * grid, y: -90.0 + (r1 + 1) as f64 * grid },
        )
        .to_polygon()
    };
    let rects: Vec<Polygon<f64>> = closed.into_iter().map(rect).collect();
    if rects.is_empty() {
        return MultiPolygon::new(Vec::new());
    }
    // Union in halves so the overlay never sees everything at once.
    fn union_all(polys: &[Polygon<f64>]) -> MultiPolygon<f64> {
        match polys {
            [] => MultiPolygon::new(Vec::new()),
            [one] => MultiPolygon::new(vec![one.clone()]),
            _ => {
                let (a, b) = polys.split_at(polys.len() / 2);
                union_all(a).union(&union_all(b))
            }
        }
    }
    union_all(&rects)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::sun::BRYANSK;

    #[test]
    fn bad_ratios_tolerances_and_bearings_are_refused() {
        for (r, t) in [
            (0.0, 0.1),
            (-1.0, 0.1),
            (f64::NAN, 0.1),
            (1e6, 0.1),
            (1.0, 0.0),
            (1.0, 1.0),
            (1.0, -0.2),
        ] {
            assert!(RatioMeasure::new(r, t).is_err(), "{r} {t}");
        }
        assert!(BearingMeasure::parse("north").is_err());
        let b = BearingMeasure::parse("250±5").unwrap();
        assert_eq!((b.bearing_deg, b.tolerance_deg), (250.0, 5.0));
        assert!(b.fits(253.0) && !b.fits(260.0));
        assert!(
            BearingMeasure::parse("358").unwrap().fits(3.0),
            "across north"
        );
    }

    #[test]
    fn a_ratio_at_a_known_place_gives_a_morning_and_an_afternoon_window() {
        // The sun at 13:00 UTC on 2024-03-23 in Bryansk: take its ratio as measured.
        let t = DateTime::parse_from_rfc3339("2024-03-23T13:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let sun = sun_at(BRYANSK, 0.0, t, None, Atmosphere::default()).unwrap();
        let measure = RatioMeasure::new(sun.shadow_ratio().unwrap(), 0.02).unwrap();
        let bearing = BearingMeasure::new(sun.shadow_bearing_deg(), 10.0).unwrap();
        let date = NaiveDate::from_ymd_opt(2024, 3, 23).unwrap();
        let windows = windows_on(
            BRYANSK,
            date,
            &chrono_tz::Europe::Moscow,
            measure,
            Some(bearing),
            Atmosphere::default(),
        )
        .unwrap();
        assert_eq!(windows.len(), 2, "{windows:?}");
        let afternoon = &windows[1];
        assert!(
            afternoon.start_utc <= t && t <= afternoon.end_utc,
            "{afternoon:?}"
        );
        assert_eq!(afternoon.bearing_fits, Some(true));
        assert_eq!(
            windows[0].bearing_fits,
            Some(false),
            "the bearing picks the afternoon"
        );
        // Each edge is where the ratio leaves the tolerance, to about a second.
        for edge in [afternoon.start_utc, afternoon.end_utc] {
            let r = sun_at(BRYANSK, 0.0, edge, None, Atmosphere::default())
                .unwrap()
                .shadow_ratio()
                .unwrap();
            let off = (r - measure.ratio).abs() / measure.ratio;
            assert!((off - 0.02).abs() < 0.002, "{off}");
        }
    }

    #[test]
    fn a_ratio_the_sun_never_reaches_that_day_has_no_window() {
        let date = NaiveDate::from_ymd_opt(2024, 12, 21).unwrap();
        // Noon elevation in Bryansk at the winter solstice is about 13.5°: ratio ≥ 4.
        let measure = RatioMeasure::new(0.5, 0.05).unwrap();
        let windows =
            windows_on(BRYANSK, date, &Utc, measure, None, Atmosphere::default()).unwrap();
        assert!(windows.is_empty());
    }

    /// The cheap spherical first look never drops a cell SPA would keep: the locus
    /// equals SPA evaluated at every cell centre, at several instants and ratios.
    #[test]
    fn the_first_look_drops_no_cell_that_spa_keeps() {
        for (time, ratio) in [
            ("2024-03-23T10:00:00Z", 2.7),
            ("2024-06-21T03:17:00Z", 0.4),
            ("2024-12-21T20:45:00Z", 8.0),
        ] {
            let t = DateTime::parse_from_rfc3339(time)
                .unwrap()
                .with_timezone(&Utc);
            let measure = RatioMeasure::new(ratio, 0.2).unwrap();
            let grid = 2.0;
            let fast = locus(t, measure, None, grid, Atmosphere::default()).unwrap();
            let mut brute = 0;
            for row in 0..90 {
                for col in 0..180 {
                    let p = LatLon {
                        lat: -90.0 + (f64::from(row) + 0.5) * grid,
                        lon: -180.0 + (f64::from(col) + 0.5) * grid,
                    };
                    let sun = sun_at(p, 0.0, t, None, Atmosphere::default()).unwrap();
                    brute += usize::from(measure.fits_elevation(sun.apparent_elevation_deg));
                }
            }
            assert_eq!(fast.cells, brute, "{time} ratio {ratio}");
        }
    }

    #[test]
    fn the_locus_holds_the_place_and_every_cell_in_it_fits() {
        let t = DateTime::parse_from_rfc3339("2024-03-23T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let sun = sun_at(BRYANSK, 0.0, t, None, Atmosphere::default()).unwrap();
        let measure = RatioMeasure::new(sun.shadow_ratio().unwrap(), 0.05).unwrap();
        let locus = locus(t, measure, None, 1.0, Atmosphere::default()).unwrap();
        use geo::Contains;
        assert!(
            locus
                .area
                .contains(&geo::point!(x: BRYANSK.lon, y: BRYANSK.lat))
        );
        assert!(locus.cells > 0 && locus.evaluated >= locus.cells);
        // Sample points inside the locus: their own ratio fits (to the grid's reach).
        let mut checked = 0;
        for poly in &locus.area {
            let Some(c) = geo::InteriorPoint::interior_point(poly) else {
                continue;
            };
            let s = sun_at(
                LatLon {
                    lat: c.y(),
                    lon: c.x(),
                },
                0.0,
                t,
                None,
                Atmosphere::default(),
            )
            .unwrap();
            let off = (s.shadow_ratio().unwrap() - measure.ratio).abs() / measure.ratio;
            assert!(off < 0.05 + 0.05, "{off} at {c:?}");
            checked += 1;
        }
        assert!(checked > 0);
        // A bearing narrows it.
        let bearing = BearingMeasure::new(sun.shadow_bearing_deg(), 5.0).unwrap();
        let narrow = super::locus(t, measure, Some(bearing), 1.0, Atmosphere::default()).unwrap();
        assert!(
            narrow.cells < locus.cells / 2,
            "{} vs {}",
            narrow.cells,
            locus.cells
        );
        assert!(
            narrow
                .area
                .contains(&geo::point!(x: BRYANSK.lon, y: BRYANSK.lat))
        );
    }
}
