//! Fitting the logistic regression (linfa-logistic, L-BFGS) and scoring
//! with it.
//!
//! The optimiser runs on the platform's `exp` and `ln`, whose last bits may
//! differ between a native build and WebAssembly, and it stops at a
//! tolerance, so where it stops may differ too. So from where it stops a
//! few Newton steps are taken with an `exp` built from `+`, `-`, `*` and `/`
//! alone (exact to the bit everywhere), the coefficients are rounded to 4
//! places, and every score is worked out from the rounded ones with the same
//! `exp`: what the card shows is what scores people, and the same input
//! gives the same scores in both builds.

use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};

use super::features::{Rows, N_TERMS};
use crate::math::{logistic, round};

/// The L2 penalty on the summed log-likelihood (the intercept is not
/// penalised): linfa's default, small beside thousands of rows, and it keeps
/// a rare flag whose few people were all admitted from running off to
/// infinity.
pub const L2_PENALTY: f64 = 1.0;
pub const MAX_ITERATIONS: u64 = 300;
/// The optimiser stops when the gradient's norm is below this many times
/// the number of rows (the loss is a sum over rows, so its rounding noise
/// grows with them; a fixed tolerance leaves a large practice's line search
/// spinning in that noise).
pub const GRADIENT_TOLERANCE_PER_ROW: f64 = 1e-7;

/// A fitted model, rounded to 4 places.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    pub intercept: f64,
    pub coefficients: [f64; N_TERMS],
    /// Each slope's standard error, from the inverse of the (penalised)
    /// information matrix at the optimum: how far chance alone could move it.
    pub standard_errors: [f64; N_TERMS],
}

/// Fits the model on rows with labels; an error in words if linfa fails.
pub fn fit(rows: &Rows) -> Result<Fitted, String> {
    // Centred columns: the intercept no longer trades off against every
    // other term, so L-BFGS settles in far fewer steps. The penalty is on
    // the slopes, which centring leaves as they are.
    let n = rows.len().max(1) as f64;
    let mut means = [0.0; N_TERMS];
    for i in 0..rows.len() {
        for (m, x) in means.iter_mut().zip(rows.row(i)) {
            *m += x;
        }
    }
    for m in &mut means {
        *m /= n;
    }
    let centred: Vec<f64> = rows.x.iter().enumerate().map(|(k, x)| x - means[k % N_TERMS]).collect();
    let x = Array2::from_shape_vec((rows.len(), N_TERMS), centred.clone()).map_err(|e| e.to_string())?;
    let y: Array1<bool> = rows.labels.iter().copied().collect();
    // Start from the intercept alone (the log-odds of the larger class, the
    // one linfa models), which centring makes the best start with no slopes.
    let events = rows.events() as f64;
    let (larger, smaller) = if events * 2.0 > n { (events, n - events) } else { (n - events, events) };
    let mut start = Array1::zeros(N_TERMS + 1);
    if smaller > 0.0 {
        start[N_TERMS] = (larger / smaller).ln();
    }
    let fitted = LogisticRegression::default()
        .initial_params(start)
        .alpha(L2_PENALTY)
        .max_iterations(MAX_ITERATIONS)
        .gradient_tolerance(GRADIENT_TOLERANCE_PER_ROW * n)
        .fit(&Dataset::new(x, y))
        .map_err(|e| format!("the model could not be fitted: {e}"))?;
    // linfa models the larger class; turn it round to model an admission.
    let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
    let mut beta = [0.0; N_TERMS + 1];
    for (b, w) in beta.iter_mut().zip(fitted.params().iter()) {
        *b = sign * w;
    }
    beta[N_TERMS] = sign * fitted.intercept();
    let information = polish(&centred, &rows.labels, &mut beta)?;
    let standard_errors =
        standard_errors(information).ok_or("the model could not be fitted: its information matrix is singular")?;
    let mut coefficients = [0.0; N_TERMS];
    let mut intercept = beta[N_TERMS];
    for ((c, w), m) in coefficients.iter_mut().zip(beta).zip(means) {
        *c = round(w, 4);
        intercept -= w * m;
    }
    let out = Fitted { intercept: round(intercept, 4), coefficients, standard_errors };
    if !out.intercept.is_finite() || out.coefficients.iter().chain(&out.standard_errors).any(|c| !c.is_finite()) {
        return Err("the model could not be fitted: the optimiser did not settle on finite coefficients".into());
    }
    Ok(out)
}

/// Newton steps taken from linfa's optimum.
pub const NEWTON_STEPS: usize = 3;

/// Takes [`NEWTON_STEPS`] Newton steps on the same penalised likelihood from
/// where L-BFGS stopped (`beta`: slopes, then the intercept, on centred
/// columns). From so close a start each step squares the error, so the
/// result is the optimum to the last few bits, whatever the platform's `exp`
/// did to the path there; and these steps use only [`crate::math::exp`] and arithmetic
/// in a fixed order, so they give the same bits natively and in WebAssembly.
/// Returns the information matrix of the last step.
#[allow(clippy::needless_range_loop)] // matrix code reads best by index
fn polish(x: &[f64], labels: &[bool], beta: &mut [f64; N_TERMS + 1]) -> Result<[[f64; K]; K], String> {
    let mut information = [[0.0; K]; K];
    for _ in 0..NEWTON_STEPS {
        let mut gradient = [0.0; K];
        let mut hessian = [[0.0; K]; K];
        for (row, &label) in x.chunks_exact(N_TERMS).zip(labels) {
            let mut v = [1.0; K];
            v[..N_TERMS].copy_from_slice(row);
            let mut z = 0.0;
            for (b, x) in beta.iter().zip(&v) {
                z += b * x;
            }
            let p = logistic(z);
            let (r, w) = (p - if label { 1.0 } else { 0.0 }, p * (1.0 - p));
            for i in 0..K {
                gradient[i] += r * v[i];
                for j in 0..=i {
                    hessian[i][j] += w * v[i] * v[j];
                }
            }
        }
        for i in 0..N_TERMS {
            gradient[i] += L2_PENALTY * beta[i];
            hessian[i][i] += L2_PENALTY;
        }
        for i in 0..K {
            for j in i + 1..K {
                hessian[i][j] = hessian[j][i];
            }
        }
        let step =
            solve(hessian, gradient).ok_or("the model could not be fitted: its information matrix is singular")?;
        for (b, s) in beta.iter_mut().zip(step) {
            *b -= s;
        }
        information = hessian;
    }
    Ok(information)
}

/// Slopes and the intercept, on centred columns.
const K: usize = N_TERMS + 1;

/// The slopes' standard errors, rounded to 4 places: square roots of the
/// diagonal of the inverse information matrix (one solve per slope; square
/// roots are exact to the bit everywhere).
fn standard_errors(information: [[f64; K]; K]) -> Option<[f64; N_TERMS]> {
    let mut out = [0.0; N_TERMS];
    for (i, se) in out.iter_mut().enumerate() {
        let mut unit = [0.0; K];
        unit[i] = 1.0;
        let variance = solve(information, unit)?[i];
        if variance.is_nan() || variance <= 0.0 {
            return None;
        }
        *se = round(variance.sqrt(), 4);
    }
    Some(out)
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting; `None`
/// when `a` is singular.
#[allow(clippy::needless_range_loop)] // matrix code reads best by index
fn solve<const K: usize>(mut a: [[f64; K]; K], mut b: [f64; K]) -> Option<[f64; K]> {
    for col in 0..K {
        let pivot = (col..K).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        let largest = a[pivot][col].abs();
        if largest == 0.0 || largest.is_nan() {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..K {
            let f = a[row][col] / a[col][col];
            for k in col..K {
                a[row][k] -= f * a[col][k];
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0; K];
    for row in (0..K).rev() {
        let mut s = b[row];
        for k in row + 1..K {
            s -= a[row][k] * x[k];
        }
        x[row] = s / a[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

impl Fitted {
    pub fn log_odds(&self, row: &[f64]) -> f64 {
        let mut z = self.intercept;
        for (c, x) in self.coefficients.iter().zip(row) {
            z += c * x;
        }
        z
    }

    pub fn probability(&self, row: &[f64]) -> f64 {
        logistic(self.log_odds(row))
    }

    /// Everyone's probability, in row order.
    pub fn score(&self, rows: &Rows) -> Vec<f64> {
        (0..rows.len()).map(|i| self.probability(rows.row(i))).collect()
    }
}
