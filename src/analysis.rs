//! Runs a [`Plan`] over a [`Population`] on an as-of date: for each person
//! in the current practice population, their eFI, every cohort (eligibility,
//! checks, membership, reasons), how many long-term condition registers they
//! are on, and their segment.
//!
//! One pass over the patients, one record scan each. People who had died,
//! left the practice or were not yet registered on the as-of date are
//! counted but never listed.

use std::ops::Range;

use crate::model::{Date, NotCurrent, PatientIdx, Population};
use crate::record::{Record, RecordIndex};
use crate::risk::efi::{self, Deficit};
use crate::risk::multimorbidity;
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
    /// Per patient: long-term condition registers they are on (see
    /// [`multimorbidity`]; 0 if not current).
    pub ltc_count: Vec<u8>,
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

    /// The heap bytes held (capacities, not lengths), and the members of every list.
    pub fn heap_bytes(&self) -> (usize, usize) {
        fn bytes<T>(v: &Vec<T>) -> usize {
            v.capacity() * std::mem::size_of::<T>()
        }
        let per_patient = bytes(&self.not_current)
            + bytes(&self.segment)
            + bytes(&self.segment_reasons)
            + bytes(&self.segment_offsets)
            + bytes(&self.efi)
            + bytes(&self.qrisk)
            + bytes(&self.ltc_count)
            + bytes(&self.efi_deficits)
            + bytes(&self.efi_offsets);
        let members: usize = self.cohorts.iter().map(|c| c.members.len()).sum();
        let lists: usize = self
            .cohorts
            .iter()
            .map(|c| {
                bytes(&c.eligible)
                    + bytes(&c.members)
                    + c.members.iter().map(|m| bytes(&m.reasons) + bytes(&m.checks)).sum::<usize>()
            })
            .sum();
        (per_patient + lists, members)
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
        ltc_count: Vec::with_capacity(n),
        efi_deficits: Vec::new(),
        efi_offsets: Vec::with_capacity(n + 1),
        cohorts: vec![CohortResult::default(); plan.cohorts.len()],
    };
    let mut index = RecordIndex::new(plan.used_clusters.clone());
    let mut scratch = Scratch::default();
    let registers = multimorbidity::register_cohorts(plan);

    for p in 0..n as PatientIdx {
        out.segment_offsets.push(out.segment_reasons.len() as u32);
        out.efi_offsets.push(out.efi_deficits.len() as u32);
        let status = pop.patients[p as usize].not_current(as_of);
        out.not_current.push(status);
        if status.is_some() {
            out.segment.push(u8::MAX);
            out.efi.push(EfiScore { deficits: 0, category: None });
            out.qrisk.push(None);
            out.ltc_count.push(0);
            continue;
        }
        let rec = index.load(pop, p, as_of);
        let facts = Facts::of(plan, &rec, &mut out.efi_deficits);
        out.efi.push(facts.efi_score);
        out.qrisk.push(facts.qrisk);

        let cohorts = &mut out.cohorts;
        evaluate_cohorts(plan, &rec, &facts, &mut scratch, |ci, o| {
            if !o.eligible {
                return;
            }
            let result = &mut cohorts[ci];
            result.eligible.push(Eligible { patient: p, done: o.done, applies: o.applies });
            if o.listed {
                result.members.push(Member { patient: p, reasons: o.reasons.to_vec(), checks: o.checks.to_vec() });
            }
        });

        let ltc = multimorbidity::count(&registers, |c| scratch.cohorts[c].0);
        out.ltc_count.push(ltc as u8);

        let (ctx, reasons) = scratch.context(&facts);
        let mark = reasons.len();
        let segment = plan.segments.iter().position(|s| eval(&s.when, &rec, &ctx, reasons));
        // The planner guarantees a catch-all last segment, so everyone has one.
        let segment = segment.expect("the last segment always matches");
        out.segment.push(segment as u8);
        out.segment_reasons.extend_from_slice(&reasons[mark..]);
    }
    out.segment_offsets.push(out.segment_reasons.len() as u32);
    out.efi_offsets.push(out.efi_deficits.len() as u32);
    out
}

/// What criteria may ask of a person besides their record: eFI and QRISK.
pub(crate) struct Facts {
    pub efi_score: EfiScore,
    pub qrisk: Option<QriskValue>,
}

impl Facts {
    /// Works them out from the record; the eFI deficits present go to `deficits`.
    pub fn of(plan: &Plan, rec: &Record, deficits: &mut Vec<Deficit>) -> Facts {
        let count = efi::deficits(&plan.efi, rec, deficits);
        let category = efi::category(&plan.efi, rec.age, count);
        let qrisk = plan.qrisk3.as_ref().and_then(|q| qrisk::value(&qrisk::assess(q, rec)));
        Facts { efi_score: EfiScore { deficits: count, category }, qrisk }
    }

    fn efi(&self) -> Option<(u32, EfiCategory)> {
        self.efi_score.category.map(|c| (self.efi_score.deficits, c))
    }
}

/// Buffers reused from one patient to the next, so that the full pass
/// allocates nothing per patient once they have grown.
#[derive(Default)]
pub(crate) struct Scratch {
    /// The reasons of every cohort evaluated so far (and then the segment's).
    pub reasons: Vec<Reason>,
    /// Per cohort evaluated: eligible, and its reasons' range in `reasons`.
    pub cohorts: Vec<(bool, Range<usize>)>,
    checks: Vec<CheckOutcome>,
}

impl Scratch {
    /// The context for evaluating more criteria on the patient last
    /// evaluated, and the buffer their reasons go to (cohort criteria copy
    /// their reasons from it, so it must be this one).
    pub fn context(&mut self, facts: &Facts) -> (Context<'_>, &mut Vec<Reason>) {
        (Context { cohorts: &self.cohorts, efi: facts.efi(), qrisk: facts.qrisk }, &mut self.reasons)
    }
}

/// One cohort's result for one patient, as [`evaluate_cohorts`] hands it on.
pub(crate) struct CohortOutcome<'a> {
    pub eligible: bool,
    /// On the list: eligible, and missing a required check where the cohort lists only those.
    pub listed: bool,
    pub reasons: &'a [Reason],
    /// Every check in plan order (empty when not eligible).
    pub checks: &'a [CheckOutcome],
    pub done: u64,
    pub applies: u64,
}

/// Evaluates every cohort for one current patient in plan order, handing
/// each result to `each` as it is made. Afterwards `scratch` holds what
/// criteria that refer to cohorts need (see [`Scratch::context`]).
pub(crate) fn evaluate_cohorts(
    plan: &Plan,
    rec: &Record,
    facts: &Facts,
    scratch: &mut Scratch,
    mut each: impl FnMut(usize, CohortOutcome<'_>),
) {
    let Scratch { reasons, cohorts: cohort_state, checks } = scratch;
    let (efi, qrisk) = (facts.efi(), facts.qrisk);
    reasons.clear();
    cohort_state.clear();
    for (ci, cohort) in plan.cohorts.iter().enumerate() {
        let ctx = Context { cohorts: &cohort_state[..], efi, qrisk };
        let start = reasons.len();
        let eligible = eval(&cohort.eligible, rec, &ctx, reasons);
        let range = start..reasons.len();
        checks.clear();
        let (mut done_mask, mut applies_mask) = (0u64, 0u64);
        let mut listed = false;
        if eligible {
            for (k, check) in cohort.checks.iter().enumerate() {
                let mark = reasons.len();
                let applies = check.applies.as_ref().is_none_or(|a| eval(a, rec, &ctx, reasons));
                reasons.truncate(mark);
                if !applies {
                    checks.push(CheckOutcome { applies, done: false, evidence: Evidence::None });
                    continue;
                }
                applies_mask |= 1 << k;
                let done = eval(&check.done, rec, &ctx, reasons);
                let evidence = if done {
                    reasons[mark..].iter().rev().map(|r| r.evidence).find(is_record).unwrap_or(Evidence::None)
                } else {
                    last_evidence(&check.done, rec)
                };
                reasons.truncate(mark);
                if done {
                    done_mask |= 1 << k;
                }
                checks.push(CheckOutcome { applies, done, evidence });
            }
            listed = match cohort.members {
                Members::Eligible => true,
                Members::MissingChecks => {
                    cohort.checks.iter().zip(checks.iter()).any(|(k, o)| k.required && o.applies && !o.done)
                }
            };
        }
        each(
            ci,
            CohortOutcome {
                eligible,
                listed,
                reasons: &reasons[range.clone()],
                checks: &checks[..],
                done: done_mask,
                applies: applies_mask,
            },
        );
        cohort_state.push((eligible, range));
    }
}

/// One patient evaluated on their own, to explain a single person: their
/// record, facts and every cohort's state, so that more criteria can be
/// evaluated on them, and one cohort's result in full.
pub(crate) struct OnePatient<'a> {
    pub rec: Record<'a>,
    pub facts: Facts,
    pub scratch: Scratch,
    pub eligible: bool,
    pub reasons: Vec<Reason>,
    pub checks: Vec<CheckOutcome>,
}

/// Evaluates patient `p` on `as_of` as the full pass does, keeping cohort
/// `cohort`'s result. `index` is reused between calls.
pub(crate) fn evaluate_one<'a>(
    plan: &Plan,
    index: &'a mut RecordIndex,
    pop: &'a Population,
    p: PatientIdx,
    as_of: Date,
    cohort: usize,
) -> OnePatient<'a> {
    let rec = index.load(pop, p, as_of);
    let facts = Facts::of(plan, &rec, &mut Vec::new());
    let mut scratch = Scratch::default();
    let (mut eligible, mut reasons, mut checks) = (false, Vec::new(), Vec::new());
    evaluate_cohorts(plan, &rec, &facts, &mut scratch, |ci, o| {
        if ci == cohort {
            eligible = o.eligible;
            reasons = o.reasons.to_vec();
            checks = o.checks.to_vec();
        }
    });
    OnePatient { rec, facts, scratch, eligible, reasons, checks }
}

fn is_record(e: &Evidence) -> bool {
    matches!(e, Evidence::Event(_) | Evidence::Count { .. } | Evidence::Bp { .. })
}
