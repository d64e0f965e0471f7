//! Measurements on the WGS84 ellipsoid with Karney's geodesic algorithms (via `geo`),
//! accurate to nanometres — never a spherical approximation.

use geo::{Bearing, Destination, Distance, Geodesic, GeodesicArea, Length, LineString, Polygon};
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

/// The point `distance_m` from `from` along `azimuth_deg` (the direct geodesic problem).
pub fn destination(from: LatLon, azimuth_deg: f64, distance_m: f64) -> LatLon {
    let p = Geodesic.destination(from.to_point(), azimuth_deg, distance_m);
    LatLon {
        lat: p.y(),
        lon: p.x(),
    }
}

/// A closed ring of points `radius_m` from `center` (a geodesic circle), `segments` sides.
pub fn geodesic_circle(center: LatLon, radius_m: f64, segments: usize) -> Vec<LatLon> {
    let n = segments.max(8);
    let mut ring: Vec<LatLon> = (0..n)
        .map(|i| destination(center, 360.0 * i as f64 / n as f64, radius_m))
        .collect();
    ring.push(ring[0]);
    ring
}

/// A closed ring for a camera's field of view: from the camera out to `length_m`, between
/// `direction_deg ± fov_deg/2`.
pub fn view_wedge(camera: LatLon, direction_deg: f64, fov_deg: f64, length_m: f64) -> Vec<LatLon> {
    let steps = 16;
    let mut ring = vec![camera];
    for i in 0..=steps {
        let az = direction_deg - fov_deg / 2.0 + fov_deg * i as f64 / steps as f64;
        ring.push(destination(camera, az.rem_euclid(360.0), length_m));
    }
    ring.push(camera);
    ring
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
