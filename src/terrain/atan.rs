//! `atan2` for the skyline fit's inner loop (two per traced point and orientation tried):
//! Cephes' rational approximation of the arctangent (S. Moshier, the same constants as
//! the `wide` crate's), within a few units in the last place of the C library's.

use std::f64::consts::{FRAC_PI_2, FRAC_PI_4, PI};

/// tan(3π/8).
const T3P8: f64 = 2.414_213_562_373_095;
/// The part of π/2 beyond `FRAC_PI_2`'s last bit.
const MOREBITS: f64 = 6.123_233_995_736_766e-17;
const P: [f64; 5] = [
    -0.875_060_860_003_190_4,
    -16.157_537_187_333_652,
    -75.008_557_923_147_05,
    -122.886_668_449_013_61,
    -64.850_219_049_420_25,
];
const Q: [f64; 5] = [
    24.858_464_901_423_062,
    165.027_009_831_698_85,
    432.881_060_491_290_27,
    485.390_399_635_913_7,
    194.550_657_148_261_4,
];

/// The arctangent of a finite `x`, radians.
#[inline]
fn atan(x: f64) -> f64 {
    let a = x.abs();
    let (base, r, more) = if a > T3P8 {
        (FRAC_PI_2, -1.0 / a, MOREBITS)
    } else if a <= 0.66 {
        (0.0, a, 0.0)
    } else {
        (FRAC_PI_4, (a - 1.0) / (a + 1.0), 0.5 * MOREBITS)
    };
    let z = r * r;
    let p = (((P[0] * z + P[1]) * z + P[2]) * z + P[3]) * z + P[4];
    let q = ((((z + Q[0]) * z + Q[1]) * z + Q[2]) * z + Q[3]) * z + Q[4];
    let y = base + (r * (z * p / q) + r + more);
    if x < 0.0 { -y } else { y }
}

/// The angle of (x, y) from the x axis, radians in −π…π, as `f64::atan2(y, x)` for
/// finite values (falls back to it otherwise).
#[inline]
pub(crate) fn atan2(y: f64, x: f64) -> f64 {
    if !(x.is_finite() && y.is_finite()) || x == 0.0 || y == 0.0 {
        return y.atan2(x);
    }
    let a = atan(y / x);
    if x > 0.0 {
        a
    } else if y > 0.0 {
        a + PI
    } else {
        a - PI
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Within `rel` of the C library's value (relative, or absolute near 0).
    fn close(y: f64, x: f64, rel: f64) -> f64 {
        let (ours, theirs) = (atan2(y, x), y.atan2(x));
        let off = (ours - theirs).abs();
        assert!(
            off <= rel * theirs.abs().max(1e-300),
            "{y} {x}: {ours} vs {theirs}"
        );
        off
    }

    #[test]
    fn agrees_with_the_c_library_to_the_last_bits() {
        let mut worst: f64 = 0.0;
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        };
        for i in 0..200_000 {
            let scale = 10f64.powi(i % 13 - 6);
            let (y, x) = (next() * scale, next());
            worst = worst.max(close(y, x, 1e-15));
        }
        for (y, x) in [
            (1.0, 1.0),
            (-1.0, -1.0),
            (1e-300, -1.0),
            (-3.0, 1e-12),
            (0.66, 1.0),
        ] {
            close(y, x, 1e-15);
        }
        // Zeros and infinities are the C library's own.
        for (y, x) in [
            (0.0, 1.0),
            (0.0, -1.0),
            (-0.0, -1.0),
            (1.0, 0.0),
            (-1.0, 0.0),
            (0.0, 0.0),
            (f64::INFINITY, 1.0),
        ] {
            assert_eq!(atan2(y, x), y.atan2(x), "{y} {x}");
        }
        assert!(atan2(f64::NAN, 1.0).is_nan());
        eprintln!("worst difference {worst:e} rad");
    }
}
