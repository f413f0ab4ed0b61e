//! Risk tiers: the top 0.5%, 2% and 5% of scores and the rest (a setting),
//! by rank of the score, ties broken by patient id so the tiers never
//! depend on the order the files came in.

use std::cmp::Ordering;

/// The default tier boundaries, as cumulative percentages from the top.
pub const DEFAULT_PERCENTS: [f64; 3] = [0.5, 2.0, 5.0];

/// Checks tier boundaries: 1 to 9 of them, each above 0 and below 100, in
/// increasing order, to at most 3 decimal places.
pub fn check(percents: &[f64]) -> Result<(), String> {
    if percents.is_empty() || percents.len() > 9 {
        return Err(format!("risk tiers need 1 to 9 percentages, not {}", percents.len()));
    }
    for &p in percents {
        if !(p.is_finite() && p > 0.0 && p < 100.0) {
            return Err(format!("a risk tier's percentage must be above 0 and below 100, not {p}"));
        }
        if (p * 1000.0 - (p * 1000.0).round()).abs() > 1e-6 {
            return Err(format!("a risk tier's percentage takes at most 3 decimal places, not {p}"));
        }
    }
    if percents.windows(2).any(|w| w[0] >= w[1]) {
        return Err("risk tier percentages must increase (for example 0.5, 2, 5)".into());
    }
    Ok(())
}

/// How many of `n` people are in the top `percent` %: rounded down, in
/// whole-number arithmetic (thousandths of a percent).
pub fn top_count(n: usize, percent: f64) -> usize {
    let milli = (percent * 1000.0).round() as u128;
    (n as u128 * milli / 100_000) as usize
}

/// The order of rank: highest score first, then patient id.
pub fn rank(scores: &[f64], ids: &[&str]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len().min(ids.len())).collect();
    order.sort_by(|&a, &b| match scores[b].total_cmp(&scores[a]) {
        Ordering::Equal => ids[a].cmp(ids[b]),
        other => other,
    });
    order
}

/// Each person's tier (1 = the highest risks, `percents.len() + 1` = the
/// rest) given the ranking from [`rank`]; and the people in each tier.
pub fn assign(order: &[usize], percents: &[f64]) -> (Vec<u8>, Vec<usize>) {
    let n = order.len();
    let mut bounds: Vec<usize> = percents.iter().map(|&p| top_count(n, p)).collect();
    bounds.push(n);
    let mut tier = vec![0u8; n];
    let mut counts = vec![0usize; bounds.len()];
    let mut t = 0;
    for (position, &person) in order.iter().enumerate() {
        while position >= bounds[t] {
            t += 1;
        }
        tier[person] = t as u8 + 1;
        counts[t] += 1;
    }
    (tier, counts)
}

/// A tier's name: "Top 0.5%", "0.5-2%", …, "The rest".
pub fn label(percents: &[f64], tier: usize) -> String {
    match (tier.checked_sub(1).map(|i| percents[i]), percents.get(tier)) {
        (None, Some(p)) => format!("Top {p}%"),
        (Some(a), Some(b)) => format!("{a}-{b}%"),
        _ => "The rest".into(),
    }
}
