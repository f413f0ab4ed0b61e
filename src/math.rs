//! The few transcendental functions the crate needs, from `+`, `-`, `*`
//! and `/` alone: IEEE 754 makes those exact to the bit on every platform,
//! where the platform's own `exp` may differ in its last bits between a
//! native build and WASM. Used wherever a result must be byte-identical in
//! both (the synthetic admissions, the risk model), and the one rounding
//! rule for figures the crate writes out.

/// e^x: x = k ln 2 + r with |r| <= ln 2 / 2, e^r by its Taylor series, then
/// 2^k by building the float. Relative error about 1e-15.
pub fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    let x = x.clamp(-700.0, 700.0);
    let half = if x >= 0.0 { 0.5 } else { -0.5 };
    let k = (x * std::f64::consts::LOG2_E + half) as i64;
    let r = x - k as f64 * std::f64::consts::LN_2;
    let (mut sum, mut term) = (1.0, 1.0);
    for i in 1..=16 {
        term = term * r / i as f64;
        sum += term;
    }
    // |k| <= 1010 after the clamp, so the exponent field stays normal.
    sum * f64::from_bits(((k + 1023) as u64) << 52)
}

/// The logistic function: the probability for log-odds `z`.
pub fn logistic(z: f64) -> f64 {
    1.0 / (1.0 + exp(-z))
}

/// Rounds to `places` (0 to 6) decimal places, halves away from zero.
pub fn round(x: f64, places: usize) -> f64 {
    let scale = [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6][places.min(6)];
    // Adding 0 turns -0 into 0, so a figure that rounds to nothing reads "0.0".
    (x * scale).round() / scale + 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_and_logistic_agree_with_the_maths_library() {
        for i in -400..=400 {
            let x = i as f64 * 0.0625;
            let (ours, std) = (exp(x), x.exp());
            assert!(((ours - std) / std).abs() < 1e-13, "exp({x}) = {ours}, not {std}");
        }
        assert_eq!(exp(0.0), 1.0);
        assert!(exp(-1000.0) > 0.0 && exp(1000.0).is_finite());
        assert!((logistic(0.0) - 0.5).abs() < 1e-15);
        assert!((logistic(-2.0) - 1.0 / (1.0 + 2.0f64.exp())).abs() < 1e-15);
    }

    #[test]
    fn rounding_goes_half_away_from_zero_and_never_to_minus_zero() {
        assert_eq!(round(0.123_46, 4), 0.1235);
        assert_eq!(round(-0.123_46, 4), -0.1235);
        assert_eq!(round(12.349_9, 1), 12.3);
        assert_eq!(round(-0.000_01, 4).to_string(), "0");
    }
}
