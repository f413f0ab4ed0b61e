//! How well predicted risks match what happened: discrimination (AUROC),
//! accuracy (Brier score) and calibration by tenths of predicted risk.

use serde::Serialize;

/// The area under the ROC curve as the Mann-Whitney statistic: the chance
/// that a random person with the event scored above a random person without
/// it, ties counting half. `None` without both kinds of people.
pub fn auroc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let n = scores.len().min(labels.len());
    let positives = labels[..n].iter().filter(|&&l| l).count();
    let negatives = n - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Sum of the positives' ranks (1-based), tied scores sharing their mean rank.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let mean_rank = (i + 1 + j + 1) as f64 / 2.0;
        let tied_positives = order[i..=j].iter().filter(|&&k| labels[k]).count();
        rank_sum += mean_rank * tied_positives as f64;
        i = j + 1;
    }
    let (p, q) = (positives as f64, negatives as f64);
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * q))
}

/// Mean squared difference between predicted risk and outcome (0 or 1).
pub fn brier(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let n = scores.len().min(labels.len());
    if n == 0 {
        return None;
    }
    let sum: f64 = scores
        .iter()
        .zip(labels)
        .map(|(s, &l)| {
            let d = s - if l { 1.0 } else { 0.0 };
            d * d
        })
        .sum();
    Some(sum / n as f64)
}

/// One tenth of the people, by predicted risk.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decile {
    /// 1 = the lowest predicted risks, 10 = the highest.
    pub decile: u8,
    pub people: usize,
    pub events: usize,
    /// Mean predicted risk, as a fraction.
    pub mean_predicted: f64,
    /// Share who had the event.
    pub observed: f64,
}

/// People in order of predicted risk (ties in row order) cut into ten
/// groups as equal as can be (sizes differ by one at most; with fewer than
/// ten people some are empty and left out).
pub fn calibration(scores: &[f64], labels: &[bool]) -> Vec<Decile> {
    let n = scores.len().min(labels.len());
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]).then(a.cmp(&b)));
    (0..10)
        .filter_map(|d| {
            let group = &order[d * n / 10..(d + 1) * n / 10];
            if group.is_empty() {
                return None;
            }
            let events = group.iter().filter(|&&k| labels[k]).count();
            let predicted: f64 = group.iter().map(|&k| scores[k]).sum();
            Some(Decile {
                decile: d as u8 + 1,
                people: group.len(),
                events,
                mean_predicted: predicted / group.len() as f64,
                observed: events as f64 / group.len() as f64,
            })
        })
        .collect()
}
