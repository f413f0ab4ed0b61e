//! The health equity audit: for every cohort and check, how many of those it
//! applies to had it done (or are on the list, or on the register), in every
//! group of every equity dimension, with a 95% Wilson score interval, and the
//! gap between the most and the least deprived fifths.
//!
//! The Wilson interval is the one Public Health England's Fingertips and
//! the Association of Public Health Observatories' technical guide use for
//! proportions: unlike the normal approximation it stays within 0–1 and
//! behaves at small counts and at rates near 0 or 1.

use serde::Serialize;

use crate::math::round;

use super::{Breakdowns, Dimension, Ordered};
use crate::analysis::{Analysis, CohortResult};
use crate::rules::plan::{CohortKind, Plan};

/// z for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// One measure: a numerator out of a denominator, overall and by group.
#[derive(Debug, Clone, Serialize)]
pub struct Measure {
    /// `cohort` or `cohort.check`.
    pub id: String,
    pub cohort: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    pub title: String,
    /// What the numerator counts, e.g. "done", "on the list".
    pub numerator: &'static str,
    /// What the denominator counts, e.g. "eligible", "registered patients".
    pub denominator: &'static str,
    /// Whether a higher rate is the better one (checks done), the worse one
    /// (people on a worklist) or neither (register prevalence).
    pub higher_is: &'static str,
    pub total: Rate,
    /// Dimension id → group id → rate, in the breakdowns' order.
    pub by: Ordered<Ordered<Rate>>,
    /// Most deprived fifth (IMD quintile 1) against the least (quintile 5).
    pub deprivation_gap: Option<Gap>,
}

/// A proportion with its 95% Wilson score interval (all None when the
/// denominator is 0). Rates are fractions, rounded to 4 decimal places.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rate {
    pub numerator: u64,
    pub denominator: u64,
    pub rate: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

/// The gap between IMD quintile 1 and quintile 5.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Gap {
    pub most_deprived: f64,
    pub least_deprived: f64,
    /// Most deprived minus least deprived (a fraction; ×100 for percentage points).
    pub absolute: f64,
    /// Most deprived divided by least deprived (None when the least deprived rate is 0).
    pub relative: Option<f64>,
}

impl Rate {
    pub fn new(numerator: u64, denominator: u64) -> Rate {
        if denominator == 0 {
            return Rate { numerator, denominator, rate: None, low: None, high: None };
        }
        let (low, high) = wilson(numerator, denominator);
        Rate {
            numerator,
            denominator,
            rate: Some(round(numerator as f64 / denominator as f64, 4)),
            low: Some(round(low, 4)),
            high: Some(round(high, 4)),
        }
    }
}

/// The 95% Wilson score interval for `x` out of `n` (n > 0).
pub fn wilson(x: u64, n: u64) -> (f64, f64) {
    let (x, n) = (x as f64, n as f64);
    let p = x / n;
    let z2 = Z95 * Z95;
    let centre = p + z2 / (2.0 * n);
    let spread = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let scale = 1.0 + z2 / n;
    (((centre - spread) / scale).max(0.0), ((centre + spread) / scale).min(1.0))
}

fn gap(by_quintile: &Ordered<Rate>) -> Option<Gap> {
    let rate = |q: &str| by_quintile.0.iter().find(|(id, _)| id == q).and_then(|(_, r)| r.rate);
    let (most, least) = (rate("1")?, rate("5")?);
    Some(Gap {
        most_deprived: most,
        least_deprived: least,
        absolute: round(most - least, 4),
        relative: (least > 0.0).then(|| round(most / least, 4)),
    })
}

/// Numerator and denominator tallies per dimension and group, in
/// [`Dimension::ALL`] order.
struct Tally {
    counts: Vec<Vec<(u64, u64)>>,
}

impl Tally {
    fn new() -> Tally {
        Tally { counts: Dimension::ALL.iter().map(|d| vec![(0, 0); d.groups().len()]).collect() }
    }

    fn add(&mut self, groups: &[usize; 4], counted: bool) {
        for (d, &g) in groups.iter().enumerate() {
            let cell = &mut self.counts[d][g];
            cell.0 += counted as u64;
            cell.1 += 1;
        }
    }

    fn measure(self, id: String, title: String, kind: (&'static str, &'static str, &'static str)) -> Measure {
        let by = Ordered(
            Dimension::ALL
                .iter()
                .zip(self.counts)
                .map(|(d, cells)| {
                    let rates = d.groups().into_iter().zip(cells).map(|(g, (x, n))| (g, Rate::new(x, n))).collect();
                    (d.id().to_owned(), Ordered(rates))
                })
                .collect(),
        );
        // Every person is in one group of the first dimension: its sums are the totals.
        let (x, n) = by.0[0].1 .0.iter().fold((0, 0), |(x, n), (_, r)| (x + r.numerator, n + r.denominator));
        let (cohort, check) = match id.split_once('.') {
            Some((c, k)) => (c.to_owned(), Some(k.to_owned())),
            None => (id.clone(), None),
        };
        let deprivation_gap = gap(&by.0[0].1);
        Measure {
            id,
            cohort,
            check,
            title,
            numerator: kind.0,
            denominator: kind.1,
            higher_is: kind.2,
            total: Rate::new(x, n),
            by,
            deprivation_gap,
        }
    }
}

/// Everyone eligible for a cohort to whom the checks in `mask` apply
/// (any of them), tallied as having all of those done or not.
fn done_by_group(result: &CohortResult, groups: &[[usize; 4]], mask: u64) -> Tally {
    let mut tally = Tally::new();
    for e in result.eligible.iter().filter(|e| e.applies & mask != 0) {
        tally.add(&groups[e.patient as usize], e.all_done(mask));
    }
    tally
}

/// Every measure: each check of each cohort with checks (and all its
/// required checks together) among those eligible; each other worklist and
/// each register among the registered population, read off the breakdowns.
/// `groups[p]` is person p's group in each dimension.
pub fn audit(plan: &Plan, analysis: &Analysis, groups: &[[usize; 4]], breakdowns: &Breakdowns) -> Vec<Measure> {
    const DONE: (&str, &str, &str) = ("done", "eligible", "better");
    const LISTED: (&str, &str, &str) = ("on the list", "registered patients", "worse");
    const REGISTERED: (&str, &str, &str) = ("on the register", "registered patients", "neither");
    const FLAGGED: (&str, &str, &str) = ("flagged", "registered patients", "neither");
    let mut measures = Vec::new();
    for (ci, (c, result)) in plan.cohorts.iter().zip(&analysis.cohorts).enumerate() {
        if c.checks.is_empty() {
            // Everyone eligible is on the list: the rate is among the registered population.
            let counts = breakdowns
                .dimensions()
                .iter()
                .map(|table| table.0.iter().map(|(_, g)| (g.cohorts.0[ci].1.count, g.population)).collect())
                .collect();
            let kind = match c.kind {
                CohortKind::Worklist => LISTED,
                CohortKind::Register => REGISTERED,
                CohortKind::Flag => FLAGGED,
            };
            measures.push(Tally { counts }.measure(c.id.clone(), c.title.clone(), kind));
            continue;
        }
        for (i, check) in c.checks.iter().enumerate() {
            let tally = done_by_group(result, groups, 1 << i);
            let title = format!("{} ({})", check.title, c.title);
            measures.push(tally.measure(format!("{}.{}", c.id, check.id), title, DONE));
        }
        let required: u64 = c.checks.iter().enumerate().filter(|(_, k)| k.required).map(|(i, _)| 1 << i).sum();
        if required == 0 {
            continue;
        }
        let tally = done_by_group(result, groups, required);
        let title = format!("Every required check ({})", c.title);
        measures.push(tally.measure(format!("{}.all_required", c.id), title, DONE));
    }
    measures
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_published_values() {
        // Newcombe (1998), Statistics in Medicine 17:857-872, table I: 81/263 gives
        // 0.2553-0.3662; 15/148 gives 0.0624-0.1605; 0/20 gives 0-0.1611; 1/29 gives 0.0061-0.1718.
        let check = |x, n, low: f64, high: f64| {
            let (l, h) = wilson(x, n);
            assert!((l - low).abs() < 5e-5 && (h - high).abs() < 5e-5, "{x}/{n}: {l:.4}-{h:.4}");
        };
        check(81, 263, 0.2553, 0.3662);
        check(15, 148, 0.0624, 0.1605);
        check(0, 20, 0.0, 0.1611);
        check(1, 29, 0.0061, 0.1718);
        // All done: the lower bound is n / (n + z²) = 29 / 32.8415.
        check(29, 29, 0.8830, 1.0);
    }

    #[test]
    fn an_empty_group_has_no_rate() {
        assert_eq!(Rate::new(0, 0), Rate { numerator: 0, denominator: 0, rate: None, low: None, high: None });
        let r = Rate::new(3, 4);
        assert_eq!((r.rate, r.low, r.high), (Some(0.75), Some(0.3006), Some(0.9544)));
    }

    #[test]
    fn the_gap_is_quintile_1_against_quintile_5() {
        let q = |rates: [(u64, u64); 6]| {
            let ids = ["1", "2", "3", "4", "5", "not_recorded"];
            Ordered(ids.iter().zip(rates).map(|(id, (x, n))| (id.to_string(), Rate::new(x, n))).collect())
        };
        let g = gap(&q([(3, 10), (0, 0), (0, 0), (0, 0), (6, 10), (9, 10)])).unwrap();
        assert_eq!((g.most_deprived, g.least_deprived, g.absolute, g.relative), (0.3, 0.6, -0.3, Some(0.5)));
        let g = gap(&q([(3, 10), (0, 0), (0, 0), (0, 0), (0, 10), (0, 0)])).unwrap();
        assert_eq!(g.relative, None, "no ratio to a rate of 0");
        assert_eq!(gap(&q([(3, 10), (0, 0), (0, 0), (0, 0), (0, 0), (0, 0)])), None, "no one in quintile 5");
    }
}
