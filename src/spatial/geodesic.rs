//! Measurements on the WGS84 ellipsoid with Karney's geodesic algorithms (via `geo`),
//! accurate to nanometres — never a spherical approximation.

use geo::{Bearing, Distance, Geodesic, GeodesicArea, Length, LineString, Polygon};
use serde::Serialize;

use super::LatLon;

/// The geodesic between two points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Measure {
    /// Length of the shortest path on the ellipsoid, metres.
    pub distance_m: f64,
    /// Direction at the start toward the end, degrees clockwise from true north, 0–360.
    pub azimuth_deg: f64,
    /// Direction at the end back toward the start, degrees clockwise from true north.
    pub back_azimuth_deg: f64,
}

/// Distance and forward/back azimuths from `a` to `b`.
///
/// ```
/// use geoproof::spatial::{LatLon, measure};
/// let a = LatLon::new(0.0, 0.0).unwrap();
/// let b = LatLon::new(0.0, 1.0).unwrap();
/// let m = measure(a, b);
/// assert!((m.distance_m - 111_319.491).abs() < 0.001); // one degree of equator
/// assert!((m.azimuth_deg - 90.0).abs() < 1e-9);
/// assert!((m.back_azimuth_deg - 270.0).abs() < 1e-9);
/// ```
pub fn measure(a: LatLon, b: LatLon) -> Measure {
    let (pa, pb) = (a.to_point(), b.to_point());
    Measure {
        distance_m: Geodesic.distance(pa, pb),
        azimuth_deg: Geodesic.bearing(pa, pb),
        back_azimuth_deg: Geodesic.bearing(pb, pa),
    }
}

/// Geodesic distance in metres.
pub fn distance_m(a: LatLon, b: LatLon) -> f64 {
    Geodesic.distance(a.to_point(), b.to_point())
}

/// Length of a path through `points` in order, metres.
pub fn path_length_m(points: &[LatLon]) -> f64 {
    let line: LineString<f64> = points.iter().map(|p| (p.lon, p.lat)).collect();
    Geodesic.length(&line)
}

/// Area enclosed by a ring of `points` (closed automatically), square metres.
pub fn polygon_area_m2(points: &[LatLon]) -> f64 {
    let ring: LineString<f64> = points.iter().map(|p| (p.lon, p.lat)).collect();
    Polygon::new(ring, vec![]).geodesic_area_unsigned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_square_near_equator_has_expected_area() {
        let pts = [(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0)]
            .map(|(lat, lon)| LatLon::new(lat, lon).unwrap());
        // GeographicLib Planimeter: 12308778361.469 m².
        assert!((polygon_area_m2(&pts) - 12_308_778_361.469).abs() < 1.0);
        let path = path_length_m(&pts);
        // GeographicLib Planimeter, open polyline: 333196.529 m.
        assert!((path - 333_196.529).abs() < 0.001, "{path}");
    }
}
