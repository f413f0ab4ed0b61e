//! The one source of randomness: a PCG generator per patient, seeded from the
//! practice seed and the patient's position, so that a patient's record does
//! not depend on how many numbers earlier patients happened to draw.
//!
//! Only integer arithmetic, `+`, `-`, `*` and `/` on `f64` are used: no
//! `exp`, `ln` or `powf` from the maths library, whose last bits may differ
//! between the platform's and the one compiled into WebAssembly. [`exp`] is
//! built here from those operations, so it gives the same bits everywhere.

use rand::{RngCore, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// SplitMix64 finaliser: spreads nearby seeds far apart.
pub(super) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

pub(super) struct Rng(Pcg64Mcg);

impl Rng {
    /// A generator for one `stream` (a patient, or the practice itself).
    pub(super) fn new(seed: u64, stream: u64) -> Rng {
        Rng(Pcg64Mcg::seed_from_u64(mix(seed ^ mix(stream ^ 0x5EED_5EED))))
    }

    /// Patient `index`'s own generator for emergency care, apart from the
    /// rest of their record, so that changing one never moves the other.
    pub(super) fn emergency(seed: u64, index: u64) -> Rng {
        Rng::new(seed, (1 << 63) | index)
    }

    pub(super) fn u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in [0, 1).
    pub(super) fn f64(&mut self) -> f64 {
        (self.u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// Uniform in 0..n (n > 0).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        ((self.u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in lo..=hi; `lo` when the range is empty.
    pub(super) fn int(&mut self, lo: i32, hi: i32) -> i32 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo) as u64 + 1) as i32
    }

    /// Approximately normal: the sum of six uniforms, rescaled. Tails stop
    /// at ±4.2 standard deviations, which suits clinical values.
    pub(super) fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        let mut s = 0.0;
        for _ in 0..6 {
            s += self.f64();
        }
        mean + (s - 3.0) * std::f64::consts::SQRT_2 * sd
    }

    /// A whole number from a normal draw, clamped to lo..=hi.
    pub(super) fn normal_int(&mut self, mean: f64, sd: f64, lo: i32, hi: i32) -> i32 {
        let v = self.normal(mean, sd);
        // Round half away from zero by hand (f64::round is exact, but keep it simple).
        let r = if v >= 0.0 { (v + 0.5) as i64 } else { -((-v + 0.5) as i64) };
        (r.clamp(lo as i64, hi as i64)) as i32
    }

    pub(super) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// An index drawn in proportion to `weights` (not all zero).
    pub(super) fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut r = self.f64() * total;
        for (i, w) in weights.iter().enumerate() {
            if r < *w {
                return i;
            }
            r -= w;
        }
        weights.iter().rposition(|w| *w > 0.0).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| Rng::new(42, 7).u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(Rng::new(42, 7).u64(), Rng::new(42, 8).u64());
        assert_ne!(Rng::new(42, 7).u64(), Rng::new(43, 7).u64());
    }

    #[test]
    fn normal_has_roughly_the_right_moments() {
        let mut r = Rng::new(1, 1);
        let n = 20_000;
        let xs: Vec<f64> = (0..n).map(|_| r.normal(10.0, 2.0)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
        assert!((mean - 10.0).abs() < 0.1, "{mean}");
        assert!((var - 4.0).abs() < 0.3, "{var}");
    }
}
