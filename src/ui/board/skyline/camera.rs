//! The candidate camera of the Skyline tool: where it starts (the finding's saved fit,
//! its georeferenced camera, its place, else the map's centre), and how the analyst's
//! gestures change it. Pure functions: no egui, no elevation.

use crate::case::{EvidenceRecord, Finding};
use crate::spatial::LatLon;
use crate::terrain::skyline::Camera;
use crate::terrain::{HeightRef, Site, metres_per_degree};

/// The camera's height above the ground when nothing says otherwise, metres (a person
/// holding a phone).
pub const DEFAULT_HEIGHT_M: f64 = 2.0;
/// The field of view when neither the evidence nor its EXIF gives one, degrees.
pub const DEFAULT_FOV_DEG: f64 = 60.0;
/// What one arrow key press moves the camera, metres (with Shift: ten times as far).
pub const STEP_M: f64 = 10.0;

/// The field of view for a frame: set on the evidence, from its EXIF 35 mm focal
/// length, else the default; and where it came from.
pub fn fov_of(record: Option<&EvidenceRecord>) -> (f64, &'static str) {
    match record.map(|r| (r.fov_deg, r.exif.horizontal_fov_deg())) {
        Some((Some(f), _)) => (f, "set on the evidence"),
        Some((None, Some(f))) => (f, "EXIF 35 mm focal length"),
        _ => (DEFAULT_FOV_DEG, "default (no focal length known)"),
    }
}

/// Where the candidate camera stands first, and what that place is: the finding's
/// georeferenced camera, its place, else the map's centre. With the camera's heading
/// when it has one.
pub fn start_place(
    finding: &Finding,
    map_centre: Option<LatLon>,
) -> Option<(LatLon, f64, &'static str)> {
    if let Some(c) = finding
        .georeference
        .as_ref()
        .and_then(|g| g.camera.as_ref())
        && let Ok(at) = LatLon::new(c.lat, c.lon)
    {
        return Some((at, c.heading_deg, "the georeference's camera"));
    }
    if let Some(l) = finding.location
        && let Ok(at) = LatLon::new(l.lat, l.lon)
    {
        return Some((at, 0.0, "the finding's place"));
    }
    map_centre.map(|at| (at, 0.0, "the map's centre"))
}

/// A level camera at `at` looking along `heading_deg`, for a `size` frame.
pub fn level_camera(at: LatLon, heading_deg: f64, fov_deg: f64, size: [u32; 2]) -> Camera {
    Camera {
        site: Site {
            at,
            height_m: DEFAULT_HEIGHT_M,
            reference: HeightRef::AboveGround,
        },
        heading_deg: heading_deg.rem_euclid(360.0),
        pitch_deg: 0.0,
        roll_deg: 0.0,
        fov_deg,
        width: size[0].max(1),
        height: size[1].max(1),
    }
}

/// Turns and tilts `from` by a drag of `delta` image pixels, so the rendered skyline
/// follows the pointer: right turns the camera left, down tilts it up.
pub fn dragged(from: &Camera, delta: [f64; 2]) -> Camera {
    let focal = f64::from(from.width) / 2.0 / (from.fov_deg.to_radians() / 2.0).tan();
    let heading = from.heading_deg - (delta[0] / focal).atan().to_degrees();
    let pitch = from.pitch_deg + (delta[1] / focal).atan().to_degrees();
    Camera {
        heading_deg: heading.rem_euclid(360.0),
        pitch_deg: pitch.clamp(-89.0, 89.0),
        ..*from
    }
}

/// The field of view after a wheel turn of `scroll` points (up narrows it).
pub fn zoomed(from: &Camera, scroll: f64) -> Camera {
    Camera {
        fov_deg: (from.fov_deg * (-scroll / 300.0).exp()).clamp(1.0, 170.0),
        ..*from
    }
}

/// The camera moved `forward` metres along its heading and `right` metres across it.
pub fn moved(from: &Camera, forward: f64, right: f64) -> Camera {
    let h = from.heading_deg.to_radians();
    let east = forward * h.sin() + right * h.cos();
    let north = forward * h.cos() - right * h.sin();
    let (per_lon, per_lat) = metres_per_degree(from.site.at.lat);
    let at = LatLon::new(
        from.site.at.lat + north / per_lat,
        from.site.at.lon + east / per_lon,
    )
    .unwrap_or(from.site.at);
    Camera {
        site: Site { at, ..from.site },
        ..*from
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn camera() -> Camera {
        level_camera(LatLon::new(45.0, 15.0).unwrap(), 90.0, 60.0, [800, 500])
    }

    #[test]
    fn a_drag_moves_the_skyline_with_the_pointer() {
        let c = camera();
        let focal = 400.0 / 30f64.to_radians().tan();
        let d = dragged(&c, [focal, 0.0]);
        assert!((d.heading_deg - 45.0).abs() < 1e-9, "{}", d.heading_deg);
        let d = dragged(&c, [0.0, -focal]);
        assert!((d.pitch_deg + 45.0).abs() < 1e-9, "{}", d.pitch_deg);
        let d = dragged(&dragged(&c, [0.0, 1e6]), [0.0, 1e6]);
        assert!(d.pitch_deg <= 89.0);
    }

    #[test]
    fn arrows_move_along_the_heading_and_the_wheel_narrows_the_view() {
        let c = camera();
        let m = moved(&c, 100.0, 0.0);
        let (per_lon, _) = metres_per_degree(45.0);
        assert!(((m.site.at.lon - 15.0) * per_lon - 100.0).abs() < 1e-6);
        assert!((m.site.at.lat - 45.0).abs() < 1e-9);
        let m = moved(&c, 0.0, 10.0);
        assert!(m.site.at.lat < 45.0, "right of east is south");
        assert!(zoomed(&c, 100.0).fov_deg < 60.0);
        assert_eq!(zoomed(&c, -1e6).fov_deg, 170.0);
    }
}
