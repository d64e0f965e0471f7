//! Where was the camera? For a photo of roughly flat ground, the projective fit from
//! image to ground is a plane homography; with the focal length (from the field of
//! view) it factors into the camera's rotation and position (Zhang's planar pose:
//! `K⁻¹ H⁻¹ = λ [r₁ r₂ t]`). The uncertainty is how far the position moves when any one
//! control point is left out, so it needs one point more than the fit.

use nalgebra::{Matrix3, Vector3};

use super::georef::{self, ControlPoint, Method};

/// Used when neither the analyst nor EXIF gives a field of view: a typical phone's
/// main camera (about 26 mm equivalent is 69°; 60° errs towards the longer lenses of
/// compressed video crops).
pub const DEFAULT_FOV_DEG: f64 = 60.0;

/// The fewest control points an estimate with an uncertainty needs.
pub const MIN_POINTS: usize = 5;

/// Why no camera position came out, with the value or point that failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PoseError {
    #[error("a field of view of {0}° is not a camera's")]
    FieldOfView(f64),
    #[error(
        "a camera position needs at least {MIN_POINTS} control points on flat ground \
         (4 for the fit, one more to measure its uncertainty); {0} given"
    )]
    TooFewPoints(usize),
    #[error("the focal length is degenerate")]
    DegenerateFocal,
    /// The projective fit's own reason.
    #[error(transparent)]
    Fit(#[from] georef::FitError),
    #[error("the fit is singular")]
    Singular,
    /// Leaving out this control point (1-based) leaves no fit.
    #[error("without control point {0} the rest define no fit: spread the points out")]
    WithoutPoint(usize),
    #[error("a partial fit is singular")]
    PartialSingular,
    #[error("the fit does not describe a camera looking at a plane")]
    NotAPlane,
    #[error(
        "the fit puts the camera below the ground: the points are not on one flat plane \
         or are mislabelled"
    )]
    BelowGround,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CameraPose {
    pub lat: f64,
    pub lon: f64,
    /// Above the ground plane the points lie on, metres.
    pub height_m: f64,
    /// Clockwise from true north, degrees.
    pub heading_deg: f64,
    /// Below the horizon, degrees (90 = looking straight down).
    pub tilt_deg: f64,
    /// The largest leave-one-out displacement of the position, metres.
    pub uncertainty_m: f64,
}

/// Estimates the camera from control points on an image of `width`×`height` pixels
/// taken with a horizontal field of view of `fov_deg`.
pub fn estimate(
    points: &[ControlPoint],
    width: f64,
    height: f64,
    fov_deg: f64,
) -> Result<CameraPose, PoseError> {
    if !(fov_deg.is_finite() && fov_deg > 1.0 && fov_deg < 179.0) {
        return Err(PoseError::FieldOfView(fov_deg));
    }
    if points.len() < MIN_POINTS {
        return Err(PoseError::TooFewPoints(points.len()));
    }
    let focal = width / 2.0 / (fov_deg.to_radians() / 2.0).tan();
    let k_inv = Matrix3::new(
        focal,
        0.0,
        width / 2.0,
        0.0,
        focal,
        height / 2.0,
        0.0,
        0.0,
        1.0,
    )
    .try_inverse()
    .ok_or(PoseError::DegenerateFocal)?;
    let fit = georef::fit(points, Method::Projective)?;
    let (centre, axis) = pose(&fit.inverse_matrix().ok_or(PoseError::Singular)?, &k_inv)?;
    let mut uncertainty_m: f64 = 0.0;
    for i in 0..points.len() {
        let rest: Vec<ControlPoint> = points
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, p)| *p)
            .collect();
        let Ok(other) = georef::fit(&rest, Method::Projective) else {
            return Err(PoseError::WithoutPoint(i + 1));
        };
        let inverse = other.inverse_matrix().ok_or(PoseError::PartialSingular)?;
        let (c, _) = pose(&inverse, &k_inv)?;
        // Both in the same local frame? Each fit centres its own: convert through degrees.
        let (lat, lon) = other.frame.to_geo([c[0], c[1]]);
        let p = fit.frame.to_local(lat, lon);
        uncertainty_m = uncertainty_m.max((p[0] - centre[0]).hypot(p[1] - centre[1]));
    }
    let (lat, lon) = fit.frame.to_geo([centre[0], centre[1]]);
    let heading = axis[0].atan2(axis[1]).to_degrees().rem_euclid(360.0);
    let tilt = (-axis[2]).atan2(axis[0].hypot(axis[1])).to_degrees();
    Ok(CameraPose {
        lat,
        lon,
        height_m: centre[2],
        heading_deg: heading,
        tilt_deg: tilt,
        uncertainty_m,
    })
}

/// The camera centre (east, north, up metres in the fit's frame) and viewing direction
/// from the ground → image homography `g` (row-major).
fn pose(g: &[f64; 9], k_inv: &Matrix3<f64>) -> Result<(Vector3<f64>, Vector3<f64>), PoseError> {
    let m = k_inv * Matrix3::from_row_slice(g);
    let (m1, m2, m3) = (m.column(0), m.column(1), m.column(2));
    let scale = 2.0 / (m1.norm() + m2.norm());
    if !scale.is_finite() {
        return Err(PoseError::NotAPlane);
    }
    // The ground origin (the points' centre) must lie in front of the camera.
    let lambda = if m3.z >= 0.0 { scale } else { -scale };
    let r1 = m1 * lambda;
    let r2 = m2 * lambda;
    let t = m3 * lambda;
    let r3 = r1.cross(&r2);
    let approx = Matrix3::from_columns(&[r1, r2, r3]);
    let svd = approx.svd(true, true);
    let (Some(u), Some(v_t)) = (svd.u, svd.v_t) else {
        return Err(PoseError::NotAPlane);
    };
    let r = u * v_t;
    let centre = -(r.transpose() * t);
    if centre.z <= 0.0 {
        return Err(PoseError::BelowGround);
    }
    let axis = r.transpose() * Vector3::new(0.0, 0.0, 1.0);
    Ok((centre, axis))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spatial::georef::LocalFrame;

    /// Projects ground points (east, north, 0) through a camera at `c` looking along
    /// `heading` and `tilt` below the horizon.
    fn synthetic(
        c: [f64; 3],
        heading_deg: f64,
        tilt_deg: f64,
        fov_deg: f64,
        ground: &[[f64; 2]],
    ) -> Vec<[f64; 2]> {
        let (w, h) = (1920.0, 1080.0);
        let f = w / 2.0 / (fov_deg.to_radians() / 2.0).tan();
        let (hd, tl) = (heading_deg.to_radians(), tilt_deg.to_radians());
        // Camera axes in world (east, north, up): forward, right, down.
        let fwd = Vector3::new(hd.sin() * tl.cos(), hd.cos() * tl.cos(), -tl.sin());
        let right = Vector3::new(hd.cos(), -hd.sin(), 0.0);
        let down = fwd.cross(&right);
        ground
            .iter()
            .map(|g| {
                let d = Vector3::new(g[0] - c[0], g[1] - c[1], -c[2]);
                let (x, y, z) = (d.dot(&right), d.dot(&down), d.dot(&fwd));
                [w / 2.0 + f * x / z, h / 2.0 + f * y / z]
            })
            .collect()
    }

    #[test]
    fn recovers_a_known_camera() {
        let frame = LocalFrame::at(50.45, 30.52);
        let ground = [
            [-40.0, 60.0],
            [35.0, 70.0],
            [-20.0, 140.0],
            [50.0, 160.0],
            [0.0, 100.0],
            [-60.0, 110.0],
        ];
        let pixels = synthetic([5.0, -10.0, 25.0], 12.0, 15.0, 65.0, &ground);
        let points: Vec<ControlPoint> = ground
            .iter()
            .zip(&pixels)
            .map(|(g, p)| {
                let (lat, lon) = frame.to_geo(*g);
                ControlPoint {
                    x: p[0],
                    y: p[1],
                    lat,
                    lon,
                }
            })
            .collect();
        let pose = estimate(&points, 1920.0, 1080.0, 65.0).expect("pose");
        let at = frame.to_local(pose.lat, pose.lon);
        assert!(
            (at[0] - 5.0).abs() < 0.05 && (at[1] + 10.0).abs() < 0.05,
            "{at:?}"
        );
        assert!((pose.height_m - 25.0).abs() < 0.05, "{pose:?}");
        assert!((pose.heading_deg - 12.0).abs() < 0.05, "{pose:?}");
        assert!((pose.tilt_deg - 15.0).abs() < 0.05, "{pose:?}");
        assert!(pose.uncertainty_m < 0.01, "{pose:?}");

        // A wrong focal length moves the camera; a bad point shows in the uncertainty.
        let wide = estimate(&points, 1920.0, 1080.0, 90.0).expect("pose");
        let moved = frame.to_local(wide.lat, wide.lon);
        assert!((moved[0] - 5.0).hypot(moved[1] + 10.0) > 1.0);
        let mut bad = points.clone();
        bad[4].x += 40.0;
        let noisy = estimate(&bad, 1920.0, 1080.0, 65.0).expect("pose");
        assert!(noisy.uncertainty_m > 1.0, "{noisy:?}");
    }

    #[test]
    fn refuses_too_few_points_and_silly_fields_of_view() {
        let p = ControlPoint {
            x: 1.0,
            y: 1.0,
            lat: 1.0,
            lon: 1.0,
        };
        assert!(
            estimate(&[p; 4], 100.0, 100.0, 60.0)
                .unwrap_err()
                .to_string()
                .contains("at least 5")
        );
        assert!(estimate(&[p; 5], 100.0, 100.0, 0.0).is_err());
    }
}
