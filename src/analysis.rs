//! Runs a [`Plan`] over a [`Population`] on an as-of date: for each person
//! in the current practice population, their eFI, every cohort (eligibility,
//! checks, membership, reasons) and their segment.
//!
//! One pass over the patients, one record scan each. People who had died,
//! left the practice or were not yet registered on the as-of date are
//! counted but never listed.

use std::ops::Range;

use crate::model::{Date, NotCurrent, PatientIdx, Population};
use crate::record::RecordIndex;
use crate::risk::efi::{self, Deficit};
use crate::risk::qrisk;
use crate::rules::eval::{eval, last_evidence, Context, Evidence, QriskValue, Reason};
use crate::rules::plan::{EfiCategory, Members, Plan};

/// A check's result for one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckOutcome {
    /// False when the check's `applies` criterion excludes the person; then
    /// it is neither done nor missing.
    pub applies: bool,
    pub done: bool,
    /// Done: what shows it. Not done: the latest relevant record, or never.
    pub evidence: Evidence,
}

/// One person on a cohort's list.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub patient: PatientIdx,
    pub reasons: Vec<Reason>,
    pub checks: Vec<CheckOutcome>,
}

/// One eligible person's checks as bit sets (bit i = check i).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Eligible {
    pub patient: PatientIdx,
    pub done: u64,
    pub applies: u64,
}

impl Eligible {
    /// Every check in `mask` that applies to this person is done.
    pub fn all_done(&self, mask: u64) -> bool {
        self.done & self.applies & mask == self.applies & mask
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CohortResult {
    pub eligible: Vec<Eligible>,
    pub members: Vec<Member>,
}

/// The eFI of one person, as counted (a category only at the minimum age).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EfiScore {
    pub deficits: u32,
    pub category: Option<EfiCategory>,
}

pub struct Analysis {
    pub as_of: Date,
    /// Per patient: `Some` if outside the current population on the as-of date.
    pub not_current: Vec<Option<NotCurrent>>,
    /// Per patient: index into `plan.segments` (`u8::MAX` if not current).
    pub segment: Vec<u8>,
    segment_reasons: Vec<Reason>,
    segment_offsets: Vec<u32>,
    /// Per patient (zero deficits if not current).
    pub efi: Vec<EfiScore>,
    /// Per patient: QRISK where computed or recorded (`None` if not current).
    pub qrisk: Vec<Option<QriskValue>>,
    efi_deficits: Vec<Deficit>,
    efi_offsets: Vec<u32>,
    pub cohorts: Vec<CohortResult>,
}

impl Analysis {
    pub fn segment_reasons(&self, p: PatientIdx) -> &[Reason] {
        &self.segment_reasons[self.segment_offsets[p as usize] as usize..self.segment_offsets[p as usize + 1] as usize]
    }

    pub fn efi_deficits(&self, p: PatientIdx) -> &[Deficit] {
        &self.efi_deficits[self.efi_offsets[p as usize] as usize..self.efi_offsets[p as usize + 1] as usize]
    }
}

/// Evaluates every cohort, the eFI and the segments for everyone.
pub fn analyse(plan: &Plan, pop: &Population, as_of: Date) -> Analysis {
    let n = pop.patients.len();
    let mut out = Analysis {
        as_of,
        not_current: Vec::with_capacity(n),
        segment: Vec::with_capacity(n),
        segment_reasons: Vec::new(),
        segment_offsets: Vec::with_capacity(n + 1),
        efi: Vec::with_capacity(n),
        qrisk: Vec::with_capacity(n),
        efi_deficits: Vec::new(),
        efi_offsets: Vec::with_capacity(n + 1),
        cohorts: vec![CohortResult::default(); plan.cohorts.len()],
    };
    let mut index = RecordIndex::new(plan.used_clusters.clone());
    let mut reasons: Vec<Reason> = Vec::new();
    let mut cohort_state: Vec<(bool, Range<usize>)> = Vec::with_capacity(plan.cohorts.len());
    let mut checks: Vec<CheckOutcome> = Vec::new();

    for p in 0..n as PatientIdx {
        out.segment_offsets.push(out.segment_reasons.len() as u32);
        out.efi_offsets.push(out.efi_deficits.len() as u32);
        let status = pop.patients[p as usize].not_current(as_of);
        out.not_current.push(status);
        if status.is_some() {
            out.segment.push(u8::MAX);
            out.efi.push(EfiScore { deficits: 0, category: None });
            out.qrisk.push(None);
            continue;
        }
        let rec = index.load(pop, p, as_of);

        let deficits = efi::deficits(&plan.efi, &rec, &mut out.efi_deficits);
        let category = efi::category(&plan.efi, rec.age, deficits);
        out.efi.push(EfiScore { deficits, category });
        let qrisk = plan.qrisk3.as_ref().and_then(|q| qrisk::value(&qrisk::assess(q, &rec)));
        out.qrisk.push(qrisk);
        let efi = category.map(|c| (deficits, c));

        reasons.clear();
        cohort_state.clear();
        for (ci, cohort) in plan.cohorts.iter().enumerate() {
            let ctx = Context { cohorts: &cohort_state, efi, qrisk };
            let start = reasons.len();
            let eligible = eval(&cohort.eligible, &rec, &ctx, &mut reasons);
            let range = start..reasons.len();
            if eligible {
                checks.clear();
                let (mut done_mask, mut applies_mask) = (0u64, 0u64);
                for (k, check) in cohort.checks.iter().enumerate() {
                    let mark = reasons.len();
                    let applies = check.applies.as_ref().is_none_or(|a| eval(a, &rec, &ctx, &mut reasons));
                    reasons.truncate(mark);
                    if !applies {
                        checks.push(CheckOutcome { applies, done: false, evidence: Evidence::None });
                        continue;
                    }
                    applies_mask |= 1 << k;
                    let done = eval(&check.done, &rec, &ctx, &mut reasons);
                    let evidence = if done {
                        reasons[mark..].iter().rev().map(|r| r.evidence).find(is_record).unwrap_or(Evidence::None)
                    } else {
                        last_evidence(&check.done, &rec)
                    };
                    reasons.truncate(mark);
                    if done {
                        done_mask |= 1 << k;
                    }
                    checks.push(CheckOutcome { applies, done, evidence });
                }
                let result = &mut out.cohorts[ci];
                result.eligible.push(Eligible { patient: p, done: done_mask, applies: applies_mask });
                let listed = match cohort.members {
                    Members::Eligible => true,
                    Members::MissingChecks => {
                        cohort.checks.iter().zip(&checks).any(|(k, o)| k.required && o.applies && !o.done)
                    }
                };
                if listed {
                    result.members.push(Member {
                        patient: p,
                        reasons: reasons[range.clone()].to_vec(),
                        checks: checks.clone(),
                    });
                }
            }
            cohort_state.push((eligible, range));
        }

        let ctx = Context { cohorts: &cohort_state, efi, qrisk };
        let mark = reasons.len();
        let segment = plan.segments.iter().position(|s| eval(&s.when, &rec, &ctx, &mut reasons));
        // The planner guarantees a catch-all last segment, so everyone has one.
        let segment = segment.expect("the last segment always matches");
        out.segment.push(segment as u8);
        out.segment_reasons.extend_from_slice(&reasons[mark..]);
    }
    out.segment_offsets.push(out.segment_reasons.len() as u32);
    out.efi_offsets.push(out.efi_deficits.len() as u32);
    out
}

fn is_record(e: &Evidence) -> bool {
    matches!(e, Evidence::Event(_) | Evidence::Count { .. } | Evidence::Bp { .. })
}
