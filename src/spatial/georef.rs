//! Georeferencing an image by control points: a fit from image pixels to the ground in a
//! local metric frame (east/north metres on the tangent plane at the points' centre),
//! by Helmert (similarity, ≥ 2 points), affine (≥ 3) or projective (≥ 4, normalised DLT
//! in f64). Image rows grow downwards and northings upwards, so the Helmert similarity
//! flips the image's y axis before rotating and scaling (a rotation and scale alone
//! cannot mirror, and every unmirrored picture needs that mirror). Residuals are given in metres and in image pixels, with the RMS error as QGIS
//! computes it (√(Σ residual² / (n − minimum))) and leave-one-out residuals, which are
//! what shows a bad point: with n at the minimum, residuals are zero by construction.

use nalgebra::{DMatrix, Matrix3, Vector3};
use serde::{Deserialize, Serialize};

/// Points further apart than this do not lie on one local plane well enough: the fit
/// is made, with a warning.
pub const MAX_EXTENT_M: f64 = 50_000.0;

/// An RMS error above this fraction of the control points' spread (their RMS distance
/// from their centre on the ground) means the method does not describe the points: a
/// wrong point, a mirrored image, or the wrong method. The fit is made, with a warning.
pub const MISFIT_FRACTION: f64 = 0.1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Helmert,
    Affine,
    Projective,
}

impl Method {
    /// The fewest points the method is defined by.
    pub fn minimum(self) -> usize {
        match self {
            Method::Helmert => 2,
            Method::Affine => 3,
            Method::Projective => 4,
        }
    }

    pub fn parse(text: &str) -> Option<Method> {
        match text.trim().to_ascii_lowercase().as_str() {
            "helmert" | "similarity" => Some(Method::Helmert),
            "affine" => Some(Method::Affine),
            "projective" | "homography" => Some(Method::Projective),
            _ => None,
        }
    }
}

/// One control point: an image pixel and the place it shows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ControlPoint {
    pub x: f64,
    pub y: f64,
    pub lat: f64,
    pub lon: f64,
}

/// The tangent plane at a point: degrees ↔ metres east/north (WGS84 radii of curvature).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LocalFrame {
    pub lat0: f64,
    pub lon0: f64,
    m_per_deg_lat: f64,
    m_per_deg_lon: f64,
}

impl LocalFrame {
    pub fn at(lat0: f64, lon0: f64) -> LocalFrame {
        const A: f64 = 6_378_137.0;
        const E2: f64 = 6.694_379_990_14e-3;
        let phi = lat0.to_radians();
        let w = (1.0 - E2 * phi.sin().powi(2)).sqrt();
        let n = A / w;
        let m = A * (1.0 - E2) / w.powi(3);
        LocalFrame {
            lat0,
            lon0,
            m_per_deg_lat: m.to_radians(),
            m_per_deg_lon: n.to_radians() * phi.cos(),
        }
    }

    pub fn to_local(&self, lat: f64, lon: f64) -> [f64; 2] {
        let mut dlon = lon - self.lon0;
        if dlon > 180.0 {
            dlon -= 360.0;
        } else if dlon < -180.0 {
            dlon += 360.0;
        }
        [
            dlon * self.m_per_deg_lon,
            (lat - self.lat0) * self.m_per_deg_lat,
        ]
    }

    /// Metres per degree of latitude and of longitude at the frame's origin.
    pub fn metres_per_degree(&self) -> (f64, f64) {
        (self.m_per_deg_lat, self.m_per_deg_lon)
    }

    pub fn to_geo(&self, p: [f64; 2]) -> (f64, f64) {
        let lat = self.lat0 + p[1] / self.m_per_deg_lat;
        let mut lon = self.lon0 + p[0] / self.m_per_deg_lon;
        if lon > 180.0 {
            lon -= 360.0;
        } else if lon < -180.0 {
            lon += 360.0;
        }
        (lat, lon)
    }
}

/// A fitted mapping image pixel → local metres, as a 3×3 matrix (the last row is
/// `0 0 1` for Helmert and affine).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fit {
    pub method: Method,
    pub frame: LocalFrame,
    /// Row-major 3×3, image (x, y, 1) → local (e, n, w).
    pub matrix: [f64; 9],
    pub residuals: Vec<Residual>,
    /// √(Σ residual² / (n − minimum)), metres; `None` when n equals the minimum.
    pub rms_m: Option<f64>,
    pub warnings: Vec<String>,
    /// The homogeneous `w` at the control points' centre: pixels whose `w` falls to a
    /// small fraction of it (or changes sign) are at or beyond the horizon.
    #[serde(skip)]
    pub w_at_points: f64,
    /// The control points' centre in the image, pixels.
    #[serde(skip)]
    pub centre_px: [f64; 2],
}

/// Pixels mapped with `w` under this fraction of the control points' lie 20× further
/// away than the points: at the horizon, where a projective overlay stretches to
/// infinity. They are left out of overlays.
pub const HORIZON_W_FRACTION: f64 = 0.05;

/// Whether a pixel with homogeneous `w` lies before the horizon of a fit whose control
/// points have `w_at_points` (NaN is not).
pub fn before_horizon(w: f64, w_at_points: f64) -> bool {
    (w / w_at_points).partial_cmp(&HORIZON_W_FRACTION) == Some(std::cmp::Ordering::Greater)
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Residual {
    pub residual_m: f64,
    pub residual_px: f64,
    /// The point's residual when the fit is made without it (`None` with too few left).
    pub leave_one_out_m: Option<f64>,
}

impl Fit {
    fn h(&self) -> Matrix3<f64> {
        Matrix3::from_row_slice(&self.matrix)
    }

    /// Where an image pixel lies on the ground (`None` beyond the horizon of a
    /// projective fit).
    pub fn image_to_geo(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        apply(&self.h(), [x, y]).map(|p| self.frame.to_geo(p))
    }

    /// Where an image pixel lies in the fit's local frame (east, north metres), or `None`
    /// at or beyond the horizon (see [`HORIZON_W_FRACTION`]).
    pub fn image_to_local(&self, x: f64, y: f64) -> Option<[f64; 2]> {
        let m = &self.matrix;
        let w = m[6] * x + m[7] * y + m[8];
        if !before_horizon(w, self.w_at_points) {
            return None;
        }
        Some([
            (m[0] * x + m[1] * y + m[2]) / w,
            (m[3] * x + m[4] * y + m[5]) / w,
        ])
    }

    /// Like [`Fit::image_to_geo`], but `None` near and beyond the horizon.
    pub fn image_to_geo_clipped(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        self.image_to_local(x, y).map(|p| self.frame.to_geo(p))
    }

    /// The 3×3 matrix local metres → image pixels.
    pub fn inverse_matrix(&self) -> Option<[f64; 9]> {
        let inv = self.h().try_inverse()?;
        Some(std::array::from_fn(|k| inv[(k / 3, k % 3)]))
    }

    /// Which image pixel shows a place.
    pub fn geo_to_image(&self, lat: f64, lon: f64) -> Option<[f64; 2]> {
        let inv = self.h().try_inverse()?;
        apply(&inv, self.frame.to_local(lat, lon))
    }
}

fn apply(h: &Matrix3<f64>, p: [f64; 2]) -> Option<[f64; 2]> {
    let v = h * Vector3::new(p[0], p[1], 1.0);
    (v.z.abs() > 1e-12).then(|| [v.x / v.z, v.y / v.z])
}

/// Why control points give no fit.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    #[error("{method:?} needs at least {needed} control points; {given} given")]
    TooFewPoints {
        method: Method,
        needed: usize,
        given: usize,
    },
    /// `point` counts from 1, as the analyst numbers them.
    #[error("control point {point} is not a valid pixel and place")]
    InvalidPoint { point: usize },
    #[error("control points {first} and {second} are duplicates")]
    Duplicates { first: usize, second: usize },
    #[error(
        "the control points lie on one line in the image: {method:?} is not defined; \
         spread them out"
    )]
    Collinear { method: Method },
    /// The points pass the checks but the solution does not exist or is not finite.
    #[error("{cause}")]
    Degenerate { method: Method, cause: String },
}

fn degenerate(method: Method) -> impl Fn(&str) -> FitError {
    move |cause| FitError::Degenerate {
        method,
        cause: cause.to_owned(),
    }
}

/// Fits `points` by `method`, with residuals and leave-one-out residuals.
pub fn fit(points: &[ControlPoint], method: Method) -> Result<Fit, FitError> {
    check(points, method)?;
    let n = points.len() as f64;
    let frame = LocalFrame::at(
        points.iter().map(|p| p.lat).sum::<f64>() / n,
        points.iter().map(|p| p.lon).sum::<f64>() / n,
    );
    let pairs: Vec<([f64; 2], [f64; 2])> = points
        .iter()
        .map(|p| ([p.x, p.y], frame.to_local(p.lat, p.lon)))
        .collect();
    let extent = pairs
        .iter()
        .flat_map(|a| {
            pairs
                .iter()
                .map(move |b| (a.1[0] - b.1[0]).hypot(a.1[1] - b.1[1]))
        })
        .fold(0.0, f64::max);
    let h = solve(&pairs, method)?;
    let inverse = h.try_inverse();
    let mut residuals = Vec::new();
    for (i, (img, ground)) in pairs.iter().enumerate() {
        let predicted = apply(&h, *img)
            .ok_or_else(|| degenerate(method)("a control point maps to infinity"))?;
        let residual_m = (predicted[0] - ground[0]).hypot(predicted[1] - ground[1]);
        let residual_px = inverse
            .as_ref()
            .and_then(|inv| apply(inv, *ground))
            .map_or(f64::NAN, |p| (p[0] - img[0]).hypot(p[1] - img[1]));
        let leave_one_out_m = (pairs.len() > method.minimum())
            .then(|| {
                let rest: Vec<_> = pairs
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, p)| *p)
                    .collect();
                let h = solve(&rest, method).ok()?;
                let p = apply(&h, *img)?;
                Some((p[0] - ground[0]).hypot(p[1] - ground[1]))
            })
            .flatten();
        residuals.push(Residual {
            residual_m,
            residual_px,
            leave_one_out_m,
        });
    }
    let dof = pairs.len() - method.minimum();
    let rms_m = (dof > 0)
        .then(|| (residuals.iter().map(|r| r.residual_m.powi(2)).sum::<f64>() / dof as f64).sqrt());
    let mut warnings = Vec::new();
    if extent > MAX_EXTENT_M {
        warnings.push(format!(
            "the points are {:.0} km apart: a local plane is wrong at that scale (at most \
             {:.0} km), so places far from the points are off",
            extent / 1000.0,
            MAX_EXTENT_M / 1000.0
        ));
    }
    let mean = pairs
        .iter()
        .fold([0.0, 0.0], |m, (_, g)| [m[0] + g[0] / n, m[1] + g[1] / n]);
    let spread = (pairs
        .iter()
        .map(|(_, g)| (g[0] - mean[0]).powi(2) + (g[1] - mean[1]).powi(2))
        .sum::<f64>()
        / n)
        .sqrt();
    if let Some(rms) = rms_m.filter(|rms| *rms > MISFIT_FRACTION * spread) {
        warnings.push(format!(
            "the RMS error ({rms:.1} m) is {:.0}% of the points' spread ({spread:.1} m): \
             {method:?} does not fit these points (a point in the wrong place, a mirrored \
             image, or another method needed)",
            100.0 * rms / spread
        ));
    }
    if dof == 0 {
        warnings.push(format!(
            "{} points is the minimum for {:?}: residuals are zero by construction and prove \
             nothing; add points",
            pairs.len(),
            method
        ));
    }
    let centre = pairs.iter().fold([0.0, 0.0], |a, (img, _)| {
        [a[0] + img[0] / n, a[1] + img[1] / n]
    });
    let w_at_points = (h * Vector3::new(centre[0], centre[1], 1.0)).z;
    Ok(Fit {
        method,
        frame,
        matrix: std::array::from_fn(|k| h[(k / 3, k % 3)]),
        residuals,
        rms_m,
        warnings,
        w_at_points,
        centre_px: centre,
    })
}

fn check(points: &[ControlPoint], method: Method) -> Result<(), FitError> {
    if points.len() < method.minimum() {
        return Err(FitError::TooFewPoints {
            method,
            needed: method.minimum(),
            given: points.len(),
        });
    }
    for (i, p) in points.iter().enumerate() {
        if ![p.x, p.y, p.lat, p.lon].iter().all(|v| v.is_finite())
            || !(-90.0..=90.0).contains(&p.lat)
            || !(-180.0..=180.0).contains(&p.lon)
        {
            return Err(FitError::InvalidPoint { point: i + 1 });
        }
        for (j, q) in points.iter().enumerate().skip(i + 1) {
            if (p.x - q.x).hypot(p.y - q.y) < 1e-6 || (p.lat == q.lat && p.lon == q.lon) {
                return Err(FitError::Duplicates {
                    first: i + 1,
                    second: j + 1,
                });
            }
        }
    }
    if method != Method::Helmert && collinear(points) {
        return Err(FitError::Collinear { method });
    }
    Ok(())
}

/// Whether the image points lie (nearly) on one line.
fn collinear(points: &[ControlPoint]) -> bool {
    let n = points.len() as f64;
    let (mx, my) = (
        points.iter().map(|p| p.x).sum::<f64>() / n,
        points.iter().map(|p| p.y).sum::<f64>() / n,
    );
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for p in points {
        sxx += (p.x - mx).powi(2);
        syy += (p.y - my).powi(2);
        sxy += (p.x - mx) * (p.y - my);
    }
    // The smaller eigenvalue of the scatter matrix, relative to the larger.
    let tr = sxx + syy;
    let det = sxx * syy - sxy * sxy;
    let disc = (tr * tr / 4.0 - det).max(0.0).sqrt();
    let (big, small) = (tr / 2.0 + disc, tr / 2.0 - disc);
    big <= 0.0 || small / big < 1e-6
}

/// Translation and scale that centre points and give them mean distance √2.
fn normalise(points: &[[f64; 2]]) -> Matrix3<f64> {
    let n = points.len() as f64;
    let (mx, my) = (
        points.iter().map(|p| p[0]).sum::<f64>() / n,
        points.iter().map(|p| p[1]).sum::<f64>() / n,
    );
    let mean = points
        .iter()
        .map(|p| (p[0] - mx).hypot(p[1] - my))
        .sum::<f64>()
        / n;
    let s = if mean > 0.0 {
        std::f64::consts::SQRT_2 / mean
    } else {
        1.0
    };
    Matrix3::new(s, 0.0, -s * mx, 0.0, s, -s * my, 0.0, 0.0, 1.0)
}

/// The least-squares matrix from image to local metres.
fn solve(pairs: &[([f64; 2], [f64; 2])], method: Method) -> Result<Matrix3<f64>, FitError> {
    let degenerate = degenerate(method);
    let src: Vec<[f64; 2]> = pairs.iter().map(|p| p.0).collect();
    let dst: Vec<[f64; 2]> = pairs.iter().map(|p| p.1).collect();
    let (ts, td) = (normalise(&src), normalise(&dst));
    let norm = |t: &Matrix3<f64>, p: [f64; 2]| {
        let v = t * Vector3::new(p[0], p[1], 1.0);
        [v.x, v.y]
    };
    let s: Vec<[f64; 2]> = src.iter().map(|p| norm(&ts, *p)).collect();
    let d: Vec<[f64; 2]> = dst.iter().map(|p| norm(&td, *p)).collect();
    let n = s.len();
    let h = match method {
        Method::Helmert => {
            // Rotation and scale of (x, −y), the image with rows flipped to grow north:
            // e = a x + b y + c, n = b x − a y + d.
            let mut a = DMatrix::zeros(2 * n, 4);
            let mut b = DMatrix::zeros(2 * n, 1);
            for i in 0..n {
                let [x, y] = s[i];
                a.row_mut(2 * i).copy_from_slice(&[x, y, 1.0, 0.0]);
                a.row_mut(2 * i + 1).copy_from_slice(&[-y, x, 0.0, 1.0]);
                b[(2 * i, 0)] = d[i][0];
                b[(2 * i + 1, 0)] = d[i][1];
            }
            let p = least_squares(a, b, method)?;
            Matrix3::new(p[0], p[1], p[2], p[1], -p[0], p[3], 0.0, 0.0, 1.0)
        }
        Method::Affine => {
            let mut a = DMatrix::zeros(2 * n, 6);
            let mut b = DMatrix::zeros(2 * n, 1);
            for i in 0..n {
                let [x, y] = s[i];
                a.row_mut(2 * i)
                    .copy_from_slice(&[x, y, 1.0, 0.0, 0.0, 0.0]);
                a.row_mut(2 * i + 1)
                    .copy_from_slice(&[0.0, 0.0, 0.0, x, y, 1.0]);
                b[(2 * i, 0)] = d[i][0];
                b[(2 * i + 1, 0)] = d[i][1];
            }
            let p = least_squares(a, b, method)?;
            Matrix3::new(p[0], p[1], p[2], p[3], p[4], p[5], 0.0, 0.0, 1.0)
        }
        Method::Projective => {
            // DLT: the null vector of A (smallest singular value).
            let rows = (2 * n).max(9);
            let mut a = DMatrix::zeros(rows, 9);
            for i in 0..n {
                let [x, y] = s[i];
                let [u, v] = d[i];
                a.row_mut(2 * i)
                    .copy_from_slice(&[-x, -y, -1.0, 0.0, 0.0, 0.0, u * x, u * y, u]);
                a.row_mut(2 * i + 1).copy_from_slice(&[
                    0.0,
                    0.0,
                    0.0,
                    -x,
                    -y,
                    -1.0,
                    v * x,
                    v * y,
                    v,
                ]);
            }
            let svd = a.svd(false, true);
            let vt = svd
                .v_t
                .ok_or_else(|| degenerate("the projective fit did not converge"))?;
            let (k, _) = svd
                .singular_values
                .iter()
                .enumerate()
                .min_by(|a, b| a.1.total_cmp(b.1))
                .ok_or_else(|| degenerate("no solution"))?;
            let h = vt.row(k);
            Matrix3::from_row_slice(&h.iter().copied().collect::<Vec<_>>())
        }
    };
    let inv_td = td
        .try_inverse()
        .ok_or_else(|| degenerate("degenerate ground points"))?;
    let mut full = inv_td * h * ts;
    if method == Method::Projective {
        let z = full[(2, 2)];
        if z.abs() < 1e-15 {
            return Err(degenerate("the projective fit is degenerate"));
        }
        full /= z;
    }
    if !full.iter().all(|v| v.is_finite()) || full.determinant().abs() < 1e-18 {
        return Err(degenerate(
            "the control points do not define a fit (degenerate layout)",
        ));
    }
    Ok(full)
}

fn least_squares(a: DMatrix<f64>, b: DMatrix<f64>, method: Method) -> Result<Vec<f64>, FitError> {
    let svd = a.svd(true, true);
    let x = svd
        .solve(&b, 1e-12)
        .map_err(|e| degenerate(method)(&format!("least squares failed: {e}")))?;
    Ok(x.iter().copied().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Control points made from a known mapping: ground = H · pixel, shifted so the
    /// points' centre is the frame's origin (the fit's own local frame).
    fn synthetic(h: &Matrix3<f64>, frame: &LocalFrame, pixels: &[[f64; 2]]) -> Vec<ControlPoint> {
        let ground: Vec<[f64; 2]> = pixels.iter().map(|p| apply(h, *p).unwrap()).collect();
        let n = ground.len() as f64;
        let mean = [
            ground.iter().map(|g| g[0]).sum::<f64>() / n,
            ground.iter().map(|g| g[1]).sum::<f64>() / n,
        ];
        pixels
            .iter()
            .zip(&ground)
            .map(|(p, g)| {
                let (lat, lon) = frame.to_geo([g[0] - mean[0], g[1] - mean[1]]);
                ControlPoint {
                    x: p[0],
                    y: p[1],
                    lat,
                    lon,
                }
            })
            .collect()
    }

    /// The ground point a pixel should land on, in the frame `synthetic` used.
    fn expected(
        h: &Matrix3<f64>,
        frame: &LocalFrame,
        pixels: &[[f64; 2]],
        p: [f64; 2],
    ) -> (f64, f64) {
        let ground: Vec<[f64; 2]> = pixels.iter().map(|q| apply(h, *q).unwrap()).collect();
        let n = ground.len() as f64;
        let g = apply(h, p).unwrap();
        frame.to_geo([
            g[0] - ground.iter().map(|g| g[0]).sum::<f64>() / n,
            g[1] - ground.iter().map(|g| g[1]).sum::<f64>() / n,
        ])
    }

    const PIXELS: [[f64; 2]; 8] = [
        [10.0, 20.0],
        [1800.0, 40.0],
        [1900.0, 1000.0],
        [30.0, 1050.0],
        [900.0, 500.0],
        [400.0, 800.0],
        [1500.0, 300.0],
        [700.0, 100.0],
    ];

    #[test]
    fn each_method_recovers_its_own_mapping_exactly() {
        let frame = LocalFrame::at(53.079839, 34.554344);
        let cases = [
            // Rows grow south: a similarity with the image's y axis flipped.
            (
                Method::Helmert,
                Matrix3::new(0.3, 0.1, 50.0, 0.1, -0.3, -20.0, 0.0, 0.0, 1.0),
            ),
            (
                Method::Affine,
                Matrix3::new(0.3, 0.05, 50.0, -0.02, -0.25, 80.0, 0.0, 0.0, 1.0),
            ),
            (
                Method::Projective,
                Matrix3::new(0.3, 0.05, 50.0, -0.02, -0.25, 80.0, 1e-5, 2e-4, 1.0),
            ),
        ];
        for (method, h) in cases {
            let points = synthetic(&h, &frame, &PIXELS);
            let f = fit(&points, method).unwrap();
            for r in &f.residuals {
                assert!(r.residual_m < 0.01, "{method:?} {r:?}");
                assert!(r.residual_px < 0.01, "{method:?} {r:?}");
                assert!(r.leave_one_out_m.unwrap() < 0.01, "{method:?} {r:?}");
            }
            assert!(f.rms_m.unwrap() < 0.01);
            // A pixel not used in the fit lands where the mapping says.
            let (lat, lon) = f.image_to_geo(1234.0, 567.0).unwrap();
            let want = expected(&h, &frame, &PIXELS, [1234.0, 567.0]);
            let (dlat, dlon) = (lat - want.0, lon - want.1);
            assert!(dlat.abs() < 1e-7 && dlon.abs() < 1e-7, "{method:?}");
            let back = f.geo_to_image(lat, lon).unwrap();
            assert!((back[0] - 1234.0).abs() < 1e-4 && (back[1] - 567.0).abs() < 1e-4);
        }
    }

    #[test]
    fn an_outlier_stands_out_in_its_leave_one_out_residual() {
        let frame = LocalFrame::at(-25.408, -54.589);
        let h = Matrix3::new(0.3, 0.05, 50.0, -0.02, -0.25, 80.0, 1e-5, 2e-4, 1.0);
        let grid: Vec<[f64; 2]> = (0..4)
            .flat_map(|i| {
                (0..3).map(move |j| [100.0 + 550.0 * f64::from(i), 80.0 + 450.0 * f64::from(j)])
            })
            .collect();
        let mut points = synthetic(&h, &frame, &grid);
        // Centimetre noise on every point, and one interior point 40 m off.
        for (i, p) in points.iter_mut().enumerate() {
            p.lat += ((i * 7919) % 13) as f64 * 1e-7 - 6e-7;
            p.lon += ((i * 104_729) % 11) as f64 * 1e-7 - 5e-7;
        }
        points[4].lat += 40.0 / 111_000.0;
        let f = fit(&points, Method::Projective).unwrap();
        let worst = f
            .residuals
            .iter()
            .enumerate()
            .max_by(|a, b| {
                a.1.leave_one_out_m
                    .unwrap()
                    .total_cmp(&b.1.leave_one_out_m.unwrap())
            })
            .unwrap()
            .0;
        assert_eq!(worst, 4);
        assert!(f.residuals[4].leave_one_out_m.unwrap() > 30.0);
        assert!(f.rms_m.unwrap() > 5.0);
    }

    #[test]
    fn helmert_of_a_mirrored_mapping_warns_that_it_does_not_fit() {
        // Rotation and scale without the y flip: an image seen in a mirror. Helmert
        // cannot mirror back, and says the residuals are far above the points' spread.
        let frame = LocalFrame::at(50.45, 30.52);
        let h = Matrix3::new(0.3, -0.1, 50.0, 0.1, 0.3, -20.0, 0.0, 0.0, 1.0);
        let points = synthetic(&h, &frame, &PIXELS[..5]);
        let f = fit(&points, Method::Helmert).unwrap();
        assert!(f.rms_m.unwrap() > 100.0, "{:?}", f.rms_m);
        assert!(
            f.warnings.iter().any(|w| w.contains("does not fit")),
            "{:?}",
            f.warnings
        );
        // Affine takes the mirror and fits exactly, without that warning.
        let f = fit(&points, Method::Affine).unwrap();
        assert!(f.rms_m.unwrap() < 0.01);
        assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    }

    #[test]
    fn bad_point_sets_are_refused_with_the_reason() {
        let frame = LocalFrame::at(53.0, 34.5);
        let h = Matrix3::new(0.3, 0.05, 50.0, -0.02, -0.25, 80.0, 0.0, 0.0, 1.0);
        let points = synthetic(&h, &frame, &PIXELS);
        let e = fit(&points[..3], Method::Projective).unwrap_err();
        assert!(e.to_string().contains("at least 4"), "{e}");
        let line: Vec<[f64; 2]> = (0..5)
            .map(|i| [100.0 * f64::from(i), 50.0 * f64::from(i)])
            .collect();
        let e = fit(&synthetic(&h, &frame, &line), Method::Affine).unwrap_err();
        assert!(e.to_string().contains("one line"), "{e}");
        let mut dup = points[..4].to_vec();
        dup[3] = dup[0];
        assert!(
            fit(&dup, Method::Affine)
                .unwrap_err()
                .to_string()
                .contains("duplicates")
        );
        // Points 200 km apart: fitted, with a warning (the view and the CLI both warn).
        let mut far = points[..4].to_vec();
        far[3].lat += 2.0;
        let f = fit(&far, Method::Affine).unwrap();
        assert!(
            f.warnings.iter().any(|w| w.contains("local plane")),
            "{:?}",
            f.warnings
        );
        // At the minimum: fitted, and warned that residuals prove nothing.
        let f = fit(&points[..3], Method::Affine).unwrap();
        assert!(f.rms_m.is_none() && f.warnings[0].contains("prove nothing"));
    }
}
