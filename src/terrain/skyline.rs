//! The skyline a camera would see: the terrain horizon around the camera, projected
//! into the frame's pixels through a pinhole camera (heading, pitch, roll, horizontal
//! field of view), as polylines, and optionally drawn over a transparent image.
//!
//! Pixels: (0, 0) is the top-left corner of the frame, x right, y down. Heading is
//! degrees clockwise from true north, pitch degrees up from level, roll degrees
//! clockwise as the photographer sees it (the skyline then tilts counter-clockwise).

use image::{Rgba, RgbaImage};
use serde::{Deserialize, Serialize};

use super::atan::atan2;
use super::horizon::rays;
use super::{Curvature, Dem, Placed, Site, TerrainError};

/// The largest frame side, pixels.
pub const MAX_SIDE: u32 = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Camera {
    pub site: Site,
    pub heading_deg: f64,
    pub pitch_deg: f64,
    pub roll_deg: f64,
    /// Horizontal field of view, degrees.
    pub fov_deg: f64,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skyline {
    pub camera: Camera,
    pub placed: Placed,
    pub max_distance_m: f64,
    /// Runs of skyline points inside the frame, pixels.
    pub polylines: Vec<Vec<[f64; 2]>>,
    /// Azimuths in view where no terrain was found, or the data ran out first.
    pub incomplete_azimuths: usize,
}

/// A camera's orientation as three unit vectors in east-north-up.
pub(crate) struct Basis {
    right: [f64; 3],
    up: [f64; 3],
    forward: [f64; 3],
    focal_px: f64,
    cx: f64,
    cy: f64,
}

impl Basis {
    pub(crate) fn new(c: &Camera) -> Basis {
        let (h, p, r) = (
            c.heading_deg.to_radians(),
            c.pitch_deg.to_radians(),
            c.roll_deg.to_radians(),
        );
        let forward = [h.sin() * p.cos(), h.cos() * p.cos(), p.sin()];
        let right0 = [h.cos(), -h.sin(), 0.0];
        let up0 = cross(right0, forward);
        // Roll clockwise (as the photographer sees it) turns the camera's right down.
        let right = add(scale(right0, r.cos()), scale(up0, -r.sin()));
        let up = add(scale(up0, r.cos()), scale(right0, r.sin()));
        let focal_px = f64::from(c.width) / 2.0 / (c.fov_deg.to_radians() / 2.0).tan();
        Basis {
            right,
            up,
            forward,
            focal_px,
            cx: f64::from(c.width) / 2.0,
            cy: f64::from(c.height) / 2.0,
        }
    }

    /// Pixel of a direction (azimuth, elevation in radians); None behind the camera.
    pub(crate) fn project(&self, az: f64, el: f64) -> Option<[f64; 2]> {
        let v = [az.sin() * el.cos(), az.cos() * el.cos(), el.sin()];
        let z = dot(v, self.forward);
        if z <= 1e-9 {
            return None;
        }
        Some([
            self.cx + self.focal_px * dot(v, self.right) / z,
            self.cy - self.focal_px * dot(v, self.up) / z,
        ])
    }

    /// The azimuth (degrees) of the ray through a pixel.
    fn azimuth_of(&self, x: f64, y: f64) -> f64 {
        self.direction(x, y).0
    }

    /// The direction of the ray through a pixel: azimuth (degrees clockwise from north,
    /// −180…180) and elevation (degrees up from level).
    pub(crate) fn direction(&self, x: f64, y: f64) -> (f64, f64) {
        let (u, v) = ((x - self.cx) / self.focal_px, (self.cy - y) / self.focal_px);
        let d = add(add(self.forward, scale(self.right, u)), scale(self.up, v));
        // Not hypot: the components are near 1, and this is the scan's inner loop.
        let horizontal = (d[0] * d[0] + d[1] * d[1]).sqrt();
        (
            atan2(d[0], d[1]).to_degrees(),
            atan2(d[2], horizontal).to_degrees(),
        )
    }
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}
fn add(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}
fn scale(a: [f64; 3], s: f64) -> [f64; 3] {
    [a[0] * s, a[1] * s, a[2] * s]
}

/// Refuses an absurd field of view, orientation or frame size, naming the value.
pub(crate) fn check(c: &Camera) -> Result<(), TerrainError> {
    if !c.fov_deg.is_finite() || c.fov_deg < 0.1 || c.fov_deg > 170.0 {
        return Err(TerrainError::bad(
            "--fov",
            c.fov_deg,
            "a camera's horizontal field of view must be between 0.1 and 170 degrees",
        ));
    }
    for (name, v, limit) in [
        ("--heading", c.heading_deg, 360.0),
        ("--pitch", c.pitch_deg, 89.0),
        ("--roll", c.roll_deg, 180.0),
    ] {
        if !v.is_finite() || v.abs() > limit {
            return Err(TerrainError::bad(
                name,
                v,
                &format!("must be within ±{limit} degrees"),
            ));
        }
    }
    if c.width == 0 || c.height == 0 || c.width > MAX_SIDE || c.height > MAX_SIDE {
        return Err(TerrainError::bad(
            "--size",
            f64::from(c.width.max(c.height)),
            &format!("the frame must be 1 to {MAX_SIDE} pixels on a side"),
        ));
    }
    Ok(())
}

/// The azimuths (degrees) the frame spans: from its border's rays, the shortest arc
/// that holds them all (the whole circle when the frame sees straight up or down).
fn azimuth_span(b: &Basis, c: &Camera) -> (f64, f64) {
    let (w, h) = (f64::from(c.width), f64::from(c.height));
    let mut az: Vec<f64> = Vec::new();
    for i in 0..=64 {
        let t = i as f64 / 64.0;
        for (x, y) in [(t * w, 0.0), (t * w, h), (0.0, t * h), (w, t * h)] {
            az.push(b.azimuth_of(x, y).rem_euclid(360.0));
        }
    }
    az.sort_by(f64::total_cmp);
    // The largest gap between neighbours is what the frame does not span.
    let mut gap = (360.0 - az[az.len() - 1] + az[0], az[0]);
    for pair in az.windows(2) {
        if pair[1] - pair[0] > gap.0 {
            gap = (pair[1] - pair[0], pair[1]);
        }
    }
    let span = 360.0 - gap.0;
    if span > 300.0 {
        return (0.0, 360.0);
    }
    (gap.1 - 1.0, span + 2.0)
}

/// The skyline in the frame, the terrain searched to `max_distance_m`.
pub fn skyline(
    dem: &Dem,
    camera: Camera,
    max_distance_m: f64,
    curvature: Curvature,
) -> Result<Skyline, TerrainError> {
    check(&camera)?;
    let placed = camera.site.place(dem, "camera")?;
    let basis = Basis::new(&camera);
    let azimuths = frame_azimuths(&basis, &camera);
    let horizon = rays(dem, &placed, &azimuths, max_distance_m, curvature)?;
    let (polylines, incomplete) = polylines_of(
        &basis,
        &camera,
        horizon
            .iter()
            .map(|p| (p.azimuth_deg, p.elevation_deg, p.complete)),
    );
    Ok(Skyline {
        camera,
        placed,
        max_distance_m,
        polylines,
        incomplete_azimuths: incomplete,
    })
}

/// The azimuths to sample for a camera: about two per pixel across the frame, over the
/// span the frame sees.
pub(crate) fn frame_azimuths(basis: &Basis, camera: &Camera) -> Vec<f64> {
    let (start, span) = azimuth_span(basis, camera);
    let per_px = camera.fov_deg / f64::from(camera.width);
    let n = ((span / (per_px / 2.0)).ceil() as usize).clamp(2, super::horizon::MAX_AZIMUTHS);
    (0..=n)
        .map(|i| (start + span * i as f64 / n as f64).rem_euclid(360.0))
        .collect()
}

/// Horizon samples (azimuth, elevation if terrain was found, whether the data held out)
/// projected into the frame: runs of points inside it, and how many of those points
/// are incomplete.
pub(crate) fn polylines_of(
    basis: &Basis,
    camera: &Camera,
    horizon: impl Iterator<Item = (f64, Option<f64>, bool)>,
) -> (Vec<Vec<[f64; 2]>>, usize) {
    let (w, h) = (f64::from(camera.width), f64::from(camera.height));
    let mut polylines: Vec<Vec<[f64; 2]>> = Vec::new();
    let mut current: Vec<[f64; 2]> = Vec::new();
    let mut incomplete = 0;
    for (azimuth_deg, elevation_deg, complete) in horizon {
        let pixel = elevation_deg
            .and_then(|el| basis.project(azimuth_deg.to_radians(), el.to_radians()))
            .filter(|p| p[0] >= 0.0 && p[0] <= w && p[1] >= 0.0 && p[1] <= h);
        if pixel.is_some() && !complete {
            incomplete += 1;
        }
        match pixel {
            Some(p) => current.push(p),
            None if current.len() > 1 => polylines.push(std::mem::take(&mut current)),
            None => current.clear(),
        }
    }
    if current.len() > 1 {
        polylines.push(current);
    }
    (polylines, incomplete)
}

/// The skyline drawn in `colour` over a transparent frame-sized image.
pub fn draw(skyline: &Skyline, colour: [u8; 4]) -> RgbaImage {
    let mut image = RgbaImage::new(skyline.camera.width, skyline.camera.height);
    for line in &skyline.polylines {
        for pair in line.windows(2) {
            imageproc::drawing::draw_line_segment_mut(
                &mut image,
                (pair[0][0] as f32, pair[0][1] as f32),
                (pair[1][0] as f32, pair[1][1] as f32),
                Rgba(colour),
            );
        }
    }
    image
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spatial::LatLon;

    fn camera(heading: f64, pitch: f64, roll: f64) -> Camera {
        Camera {
            site: Site {
                at: LatLon { lat: 0.0, lon: 0.0 },
                height_m: 2.0,
                reference: super::super::HeightRef::AboveGround,
            },
            heading_deg: heading,
            pitch_deg: pitch,
            roll_deg: roll,
            fov_deg: 90.0,
            width: 1000,
            height: 500,
        }
    }

    #[test]
    fn level_camera_puts_the_heading_at_the_centre() {
        let b = Basis::new(&camera(30.0, 0.0, 0.0));
        let p = b.project(30f64.to_radians(), 0.0).unwrap();
        assert!((p[0] - 500.0).abs() < 1e-9 && (p[1] - 250.0).abs() < 1e-9);
        // 45° right of the heading is the right edge (fov 90).
        let p = b.project(75f64.to_radians(), 0.0).unwrap();
        assert!((p[0] - 1000.0).abs() < 1e-6);
        assert!(b.project(210f64.to_radians(), 0.0).is_none());
    }

    #[test]
    fn pitch_up_lowers_the_horizon_and_roll_tilts_it() {
        let b = Basis::new(&camera(0.0, 10.0, 0.0));
        let p = b.project(0.0, 0.0).unwrap();
        // tan(10°) · focal (500 px) below the centre.
        assert!((p[1] - (250.0 + 500.0 * 10f64.to_radians().tan())).abs() < 1e-6);
        let b = Basis::new(&camera(0.0, 0.0, 10.0));
        let left = b.project((-20f64).to_radians(), 0.0).unwrap();
        let right = b.project(20f64.to_radians(), 0.0).unwrap();
        // Camera rolled clockwise: the level horizon rises to the right in the frame.
        assert!(right[1] < left[1]);
        let slope = (left[1] - right[1]) / (right[0] - left[0]);
        assert!((slope - 10f64.to_radians().tan()).abs() < 1e-9, "{slope}");
    }

    #[test]
    fn span_covers_the_field_of_view() {
        let c = camera(350.0, 0.0, 0.0);
        let (start, span) = azimuth_span(&Basis::new(&c), &c);
        assert!((start - 304.0).abs() < 0.5, "{start}");
        assert!((span - 92.0).abs() < 0.5, "{span}");
    }
}
