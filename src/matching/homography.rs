//! Homographies: the normalised direct linear transform (Hartley & Zisserman, alg. 4.2)
//! and a RANSAC fit that tolerates wrong matches.

use nalgebra::{Matrix3, SMatrix, SymmetricEigen, Vector3};

pub type Point = [f64; 2];

/// Maps `p` by `h` (3×3, row-major).
pub fn project(h: &Matrix3<f64>, p: Point) -> Option<Point> {
    let v = h * Vector3::new(p[0], p[1], 1.0);
    (v.z.abs() > 1e-12).then(|| [v.x / v.z, v.y / v.z])
}

/// Translates and scales points to centroid 0, mean distance √2 (for conditioning).
fn normaliser(points: &[Point]) -> Matrix3<f64> {
    let n = points.len() as f64;
    let (mx, my) = points
        .iter()
        .fold((0.0, 0.0), |(x, y), p| (x + p[0] / n, y + p[1] / n));
    let mean_dist = points
        .iter()
        .map(|p| ((p[0] - mx).powi(2) + (p[1] - my).powi(2)).sqrt())
        .sum::<f64>()
        / n;
    let s = if mean_dist > 1e-12 {
        std::f64::consts::SQRT_2 / mean_dist
    } else {
        1.0
    };
    Matrix3::new(s, 0.0, -s * mx, 0.0, s, -s * my, 0.0, 0.0, 1.0)
}

/// The homography taking each `from[i]` to `to[i]` in the least-squares (algebraic)
/// sense; `None` for fewer than 4 pairs or a degenerate configuration.
pub fn fit(from: &[Point], to: &[Point]) -> Option<Matrix3<f64>> {
    if from.len() < 4 || from.len() != to.len() {
        return None;
    }
    let (ta, tb) = (normaliser(from), normaliser(to));
    let mut ata = SMatrix::<f64, 9, 9>::zeros();
    for (a, b) in from.iter().zip(to) {
        let a = project(&ta, *a)?;
        let b = project(&tb, *b)?;
        let rows = [
            [
                -a[0],
                -a[1],
                -1.0,
                0.0,
                0.0,
                0.0,
                b[0] * a[0],
                b[0] * a[1],
                b[0],
            ],
            [
                0.0,
                0.0,
                0.0,
                -a[0],
                -a[1],
                -1.0,
                b[1] * a[0],
                b[1] * a[1],
                b[1],
            ],
        ];
        for r in rows {
            let r = SMatrix::<f64, 9, 1>::from_row_slice(&r);
            ata += r * r.transpose();
        }
    }
    let eigen = SymmetricEigen::new(ata);
    let (smallest, _) = eigen
        .eigenvalues
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))?;
    let h = eigen.eigenvectors.column(smallest);
    let hn = Matrix3::from_row_slice(h.as_slice());
    let h = tb.try_inverse()? * hn * ta;
    let scale = h[(2, 2)];
    if scale.abs() < 1e-12 || !h.iter().all(|v| v.is_finite()) {
        return None;
    }
    Some(h / scale)
}

/// Distance in `to` between the projection of `from` and where it was matched.
pub fn error(h: &Matrix3<f64>, from: Point, to: Point) -> f64 {
    project(h, from).map_or(f64::INFINITY, |p| {
        ((p[0] - to[0]).powi(2) + (p[1] - to[1]).powi(2)).sqrt()
    })
}

/// A RANSAC result: the model refitted on all inliers.
#[derive(Debug, Clone)]
pub struct Fit {
    pub h: Matrix3<f64>,
    pub inliers: Vec<usize>,
    pub mean_error: f64,
}

/// Whether three points are (nearly) on one line: a 4-point sample with such a triple
/// determines no homography.
fn collinear(a: Point, b: Point, c: Point) -> bool {
    ((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])).abs() < 1.0
}

/// Fits a homography to `pairs` with RANSAC (reprojection threshold in pixels of `to`),
/// deterministic for a given input.
pub fn ransac(from: &[Point], to: &[Point], threshold: f64, max_iterations: usize) -> Option<Fit> {
    let n = from.len();
    if n < 4 {
        return None;
    }
    let mut state: u64 = 0x2545_F491_4F6C_DD1D ^ n as u64;
    let mut next = |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound as u64) as usize
    };
    let mut best: Vec<usize> = Vec::new();
    let mut iterations = max_iterations;
    let mut i = 0;
    while i < iterations {
        i += 1;
        let mut sample = [0usize; 4];
        for k in 0..4 {
            sample[k] = loop {
                let c = next(n);
                if !sample[..k].contains(&c) {
                    break c;
                }
            };
        }
        let a: Vec<Point> = sample.iter().map(|&s| from[s]).collect();
        let b: Vec<Point> = sample.iter().map(|&s| to[s]).collect();
        let degenerate = |p: &[Point]| {
            collinear(p[0], p[1], p[2])
                || collinear(p[0], p[1], p[3])
                || collinear(p[0], p[2], p[3])
                || collinear(p[1], p[2], p[3])
        };
        if degenerate(&a) || degenerate(&b) {
            continue;
        }
        let Some(h) = fit(&a, &b) else { continue };
        let inliers: Vec<usize> = (0..n)
            .filter(|&j| error(&h, from[j], to[j]) < threshold)
            .collect();
        if inliers.len() > best.len() {
            best = inliers;
            // Enough iterations to draw one all-inlier sample with 99.9% probability.
            let w = best.len() as f64 / n as f64;
            let needed = (1.0_f64 - 0.999).ln() / (1.0 - w.powi(4)).max(1e-12).ln();
            iterations = iterations.min(needed.ceil().max(1.0) as usize + i);
        }
    }
    if best.len() < 4 {
        return None;
    }
    // Refit on the inliers, and take the inliers of the refit (twice settles it).
    let mut inliers = best;
    let mut h = None;
    for _ in 0..2 {
        let a: Vec<Point> = inliers.iter().map(|&j| from[j]).collect();
        let b: Vec<Point> = inliers.iter().map(|&j| to[j]).collect();
        let refit = fit(&a, &b)?;
        let next: Vec<usize> = (0..n)
            .filter(|&j| error(&refit, from[j], to[j]) < threshold)
            .collect();
        h = Some(refit);
        if next.len() < 4 {
            break;
        }
        inliers = next;
    }
    let h = h?;
    let mean_error = inliers
        .iter()
        .map(|&j| error(&h, from[j], to[j]))
        .sum::<f64>()
        / inliers.len() as f64;
    Some(Fit {
        h,
        inliers,
        mean_error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dlt_recovers_an_exact_homography_and_ransac_ignores_outliers() {
        let truth = Matrix3::new(0.9, -0.2, 30.0, 0.15, 1.1, -12.0, 0.0002, -0.0001, 1.0);
        let from: Vec<Point> = (0..60)
            .map(|i| {
                [
                    f64::from(i % 10) * 90.0 + 5.0,
                    f64::from(i / 10) * 120.0 + 7.0,
                ]
            })
            .collect();
        let mut to: Vec<Point> = from.iter().map(|p| project(&truth, *p).unwrap()).collect();
        let h = fit(&from, &to).unwrap();
        for p in &from {
            let (a, b) = (project(&h, *p).unwrap(), project(&truth, *p).unwrap());
            assert!((a[0] - b[0]).abs() < 1e-6 && (a[1] - b[1]).abs() < 1e-6);
        }
        // A third of the matches wrong.
        for (i, t) in to.iter_mut().enumerate().filter(|(i, _)| i % 3 == 0) {
            *t = [(i * 37 % 800) as f64, (i * 91 % 600) as f64];
        }
        let fit = ransac(&from, &to, 2.0, 2000).unwrap();
        assert_eq!(fit.inliers.len(), 40);
        assert!(fit.mean_error < 1e-6, "{}", fit.mean_error);
    }
}
