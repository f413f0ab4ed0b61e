//! Funnel plot control limits for a proportion against a target.
//!
//! The method of the PHE Fingertips technical guide (and the
//! PHEindicatormethods funnel functions): the limit at denominator n is the
//! observed proportion whose Wilson score interval just reaches the target.
//! Solving Wilson's bound for the observation gives a quadratic; its two
//! roots are the lower and upper limits. Only square roots are taken, so
//! the limits are the same to the last bit natively and in WASM.

use serde::Serialize;

use crate::math::round;

/// z for 95% two-sided limits (the 97.5th percentile).
pub const Z95: f64 = 1.959_963_984_540_054;
/// z for 99.8% two-sided limits (the 99.9th percentile).
pub const Z998: f64 = 3.090_232_306_167_813;

/// The limits at one denominator, as fractions held within 0–1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Limits {
    pub denominator: u64,
    pub low_99_8: f64,
    pub low_95: f64,
    pub high_95: f64,
    pub high_99_8: f64,
}

/// The lower and upper limits for `target` at `n` (n > 0) with `z`.
pub fn limits(target: f64, n: u64, z: f64) -> (f64, f64) {
    let a = z * z / n as f64;
    let c = target * (1.0 + a) - a / 2.0;
    // (1 + a)q² − (2c + a)q + (c² − a²/4) = 0
    let (qa, qb, qc) = (1.0 + a, 2.0 * c + a, c * c - a * a / 4.0);
    let root = (qb * qb - 4.0 * qa * qc).max(0.0).sqrt();
    (((qb - root) / (2.0 * qa)).clamp(0.0, 1.0), ((qb + root) / (2.0 * qa)).clamp(0.0, 1.0))
}

pub fn at(target: f64, n: u64) -> Limits {
    let (low_95, high_95) = limits(target, n, Z95);
    let (low_99_8, high_99_8) = limits(target, n, Z998);
    Limits {
        denominator: n,
        low_99_8: round(low_99_8, 6),
        low_95: round(low_95, 6),
        high_95: round(high_95, 6),
        high_99_8: round(high_99_8, 6),
    }
}

/// Where a practice's rate falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    Within,
    #[serde(rename = "high_95")]
    High95,
    #[serde(rename = "high_99_8")]
    High998,
    #[serde(rename = "low_95")]
    Low95,
    #[serde(rename = "low_99_8")]
    Low998,
}

impl Position {
    pub fn of(numerator: u64, denominator: u64, target: f64) -> Position {
        let rate = numerator as f64 / denominator as f64;
        let (l95, h95) = limits(target, denominator, Z95);
        let (l998, h998) = limits(target, denominator, Z998);
        if rate > h998 {
            Position::High998
        } else if rate > h95 {
            Position::High95
        } else if rate < l998 {
            Position::Low998
        } else if rate < l95 {
            Position::Low95
        } else {
            Position::Within
        }
    }
}

/// The funnel drawn from 1 to a little past the largest denominator, at
/// 1–10 and then 10, 12, 15, 20, 25, 30, 40, 50, 60, 80 times each power of
/// ten: dense where the funnel bends, sparse where it is nearly flat.
pub fn curve(target: f64, largest: u64) -> Vec<Limits> {
    const STEPS: [u64; 10] = [10, 12, 15, 20, 25, 30, 40, 50, 60, 80];
    let top = (largest + largest / 10).max(10);
    let mut ns: Vec<u64> = (1..10).collect();
    let mut scale = 1u64;
    'out: loop {
        for step in STEPS {
            let n = step * scale;
            ns.push(n.min(top));
            if n >= top {
                break 'out;
            }
        }
        scale *= 10;
    }
    ns.into_iter().map(|n| at(target, n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-7
    }

    #[test]
    fn limits_match_the_phe_fingertips_method() {
        // Worked with PHE's published closed form (PHEindicatormethods
        // sigma_adjustment) for each case, to 6 places.
        let cases = [
            (0.6, 100, Z95, 0.503982, 0.696018),
            (0.6, 100, Z998, 0.448610, 0.751390),
            (0.05, 200, Z95, 0.019795, 0.080205),
            (0.05, 200, Z998, 0.002376, 0.097624),
            (0.5, 1000, Z998, 0.451139, 0.548861),
            // Beyond 0–1 the limits are held at the ends.
            (0.9, 30, Z95, 0.792648, 1.0),
            (0.2, 5, Z95, 0.0, 0.550609),
        ];
        for (target, n, z, low, high) in cases {
            let (l, h) = limits(target, n, z);
            assert!(close(l, low) && close(h, high), "{target} at {n}, z {z}: {l:.6}-{h:.6}");
        }
    }

    #[test]
    fn for_large_denominators_the_limits_approach_the_normal_ones() {
        let (l, h) = limits(0.3, 1_000_000, Z95);
        let se = (0.3f64 * 0.7 / 1e6).sqrt();
        assert!((l - (0.3 - Z95 * se)).abs() < 1e-6 && (h - (0.3 + Z95 * se)).abs() < 1e-6);
    }

    #[test]
    fn positions_against_a_target_of_60_percent_at_100() {
        // Limits at 100: 95% 50.4–69.6%, 99.8% 44.9–75.1%.
        assert_eq!(Position::of(60, 100, 0.6), Position::Within);
        assert_eq!(Position::of(70, 100, 0.6), Position::High95);
        assert_eq!(Position::of(76, 100, 0.6), Position::High998);
        assert_eq!(Position::of(50, 100, 0.6), Position::Low95);
        assert_eq!(Position::of(44, 100, 0.6), Position::Low998);
    }

    #[test]
    fn the_curve_starts_at_one_and_passes_the_largest_denominator() {
        let c = curve(0.5, 2000);
        assert_eq!(c.first().unwrap().denominator, 1);
        assert!(c.last().unwrap().denominator >= 2200);
        assert!(c.windows(2).all(|w| w[0].denominator < w[1].denominator));
        // The funnel narrows as the denominator grows.
        assert!(c.windows(2).all(|w| w[1].high_95 <= w[0].high_95 && w[1].low_95 >= w[0].low_95));
    }
}
