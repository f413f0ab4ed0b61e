//! The electronic frailty index (Clegg et al. 2016): deficits present out of
//! 36, equally weighted, with the deficits listed as reasons.

use crate::model::CodeSystem;
use crate::record::Record;
use crate::rules::eval::Evidence;
use crate::rules::plan::{EfiCategory, EfiPlan};

/// Marks the polypharmacy deficit in [`Deficit::index`].
pub const POLYPHARMACY: u8 = u8::MAX;

/// One deficit present, with what shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deficit {
    /// Index into [`EfiPlan::deficits`], or [`POLYPHARMACY`].
    pub index: u8,
    /// The first code of a coded deficit; the count of medicines for polypharmacy.
    pub evidence: Evidence,
}

/// Appends the deficits present to `out` and returns how many there are.
pub fn deficits(plan: &EfiPlan, rec: &Record, out: &mut Vec<Deficit>) -> u32 {
    let before = out.len();
    for (i, d) in plan.deficits.iter().enumerate() {
        if let Some(&first) = rec.in_cluster(d.cluster).first() {
            out.push(Deficit { index: i as u8, evidence: Evidence::Event(first) });
        }
    }
    if let Some((n, latest)) = distinct_medicines(plan, rec) {
        if n >= plan.polypharmacy_min_medicines {
            out.push(Deficit { index: POLYPHARMACY, evidence: Evidence::Count { n, latest } });
        }
    }
    (out.len() - before) as u32
}

/// The category, for people old enough to have one.
pub fn category(plan: &EfiPlan, age: i32, deficits: u32) -> Option<EfiCategory> {
    (age >= plan.min_age).then(|| plan.category(deficits))
}

/// Distinct dm+d codes issued in the polypharmacy window, and the latest issue.
fn distinct_medicines(plan: &EfiPlan, rec: &Record) -> Option<(u32, u32)> {
    let events = &rec.pop.events;
    let from = plan.polypharmacy_window.start(rec.as_of);
    let start = from
        .map_or(rec.events.start, |f| rec.events.start + events.date[rec.events.clone()].partition_point(|&d| d < f));
    let mut seen: Vec<u32> = Vec::new();
    let mut latest = None;
    for i in start..rec.events.end {
        let code = events.code[i];
        if rec.pop.codes.get(code).system == CodeSystem::Dmd {
            latest = Some(i as u32);
            if !seen.contains(&code) {
                seen.push(code);
            }
        }
    }
    latest.map(|l| (seen.len() as u32, l))
}
