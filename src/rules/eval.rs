//! Evaluates a criterion on one patient's [`Record`], writing the reasons
//! it matched into a reusable buffer.
//!
//! Reasons are small copyable values (a label id and the evidence, usually
//! an event index); they become text only in the report, and only for people
//! who are listed. On a non-match the buffer is truncated back, so nothing
//! is allocated per patient once the buffer has grown.

use std::ops::Range;

use super::plan::{Compare, Criterion, EfiCategory, LabelId, Window};
use crate::model::ClusterId;
use crate::record::Record;

/// What supports a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    None,
    /// The event that satisfied the criterion.
    Event(u32),
    /// `n` qualifying events; `latest` is the most recent.
    Count {
        n: u32,
        latest: u32,
    },
    /// The latest blood pressure: lowest systolic and diastolic of that day.
    Bp {
        systolic: u32,
        diastolic: Option<u32>,
    },
    Age(i32),
    /// Nothing qualifying was ever recorded.
    NeverRecorded,
    /// The latest relevant event, which did not qualify (too old, or its value).
    LastRecorded(u32),
    /// The latest blood pressure, which did not qualify.
    LastBp {
        systolic: u32,
        diastolic: Option<u32>,
    },
    /// eFI deficits present.
    Efi {
        deficits: u32,
        category: EfiCategory,
    },
    /// A QRISK 10-year risk in tenths of a percent: computed by QRISK3 from
    /// recorded inputs, or the latest recorded score (`recorded` event).
    Qrisk {
        tenths: u32,
        recorded: Option<u32>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reason {
    pub label: LabelId,
    pub evidence: Evidence,
}

/// Per-patient facts that criteria may refer to besides the record.
pub struct Context<'a> {
    /// For each cohort evaluated so far: eligible, and its reasons' range in the buffer.
    pub cohorts: &'a [(bool, Range<usize>)],
    /// The patient's eFI, if they are old enough for a category.
    pub efi: Option<(u32, EfiCategory)>,
    /// The patient's QRISK, if it could be computed or was recorded.
    pub qrisk: Option<QriskValue>,
}

/// A 10-year cardiovascular risk in percent and where it came from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QriskValue {
    pub percent: f64,
    /// `None`: computed by QRISK3 from recorded inputs; else the recorded score's event.
    pub recorded: Option<u32>,
}

impl QriskValue {
    pub fn evidence(self) -> Evidence {
        Evidence::Qrisk { tenths: (self.percent * 10.0).round() as u32, recorded: self.recorded }
    }
}

/// Evaluates `c`; on a match its reasons are appended to `out`.
pub fn eval(c: &Criterion, rec: &Record, ctx: &Context, out: &mut Vec<Reason>) -> bool {
    let mark = out.len();
    let matched = eval_inner(c, rec, ctx, out);
    if !matched {
        out.truncate(mark);
    }
    matched
}

fn eval_inner(c: &Criterion, rec: &Record, ctx: &Context, out: &mut Vec<Reason>) -> bool {
    let mut push = |label: LabelId, evidence: Evidence| out.push(Reason { label, evidence });
    match c {
        Criterion::Coded { label, clusters, window, value, count_at_least, on_or_after_latest } => {
            match coded_match(rec, clusters, *window, *value, *count_at_least, *on_or_after_latest) {
                Some(evidence) => {
                    push(*label, evidence);
                    true
                }
                None => false,
            }
        }
        Criterion::Register { label, diagnosis, resolved, window } => {
            match register_match(rec, *diagnosis, resolved, *window) {
                Some(event) => {
                    push(*label, Evidence::Event(event));
                    true
                }
                None => false,
            }
        }
        Criterion::LatestBp { label, clusters, systolic, diastolic, compare, window } => {
            let Some((s, d)) = latest_bp(rec, *clusters, *window) else { return false };
            let sv = rec.value(s).unwrap_or(f64::NAN);
            let dv = d.and_then(|d| rec.value(d));
            let holds = match compare {
                // "Below target" needs both values below (a missing diastolic does not fail it).
                Compare::Below | Compare::AtOrBelow => {
                    compare.holds(sv, *systolic) && dv.is_none_or(|dv| compare.holds(dv, *diastolic))
                }
                // "At or above a threshold" needs either value at or above it.
                Compare::AtOrAbove | Compare::Above => {
                    compare.holds(sv, *systolic) || dv.is_some_and(|dv| compare.holds(dv, *diastolic))
                }
            };
            if holds {
                push(*label, Evidence::Bp { systolic: s, diastolic: d });
            }
            holds
        }
        Criterion::Age { label, min, max } => {
            let ok = min.is_none_or(|m| rec.age >= m) && max.is_none_or(|m| rec.age <= m);
            if ok {
                push(*label, Evidence::Age(rec.age));
            }
            ok
        }
        Criterion::Sex { label, sex } => {
            let ok = rec.person.sex == *sex;
            if ok {
                push(*label, Evidence::None);
            }
            ok
        }
        Criterion::ImdDecile { label, deciles } => {
            let ok = rec.person.imd_decile.is_some_and(|d| deciles.contains(&d));
            if ok {
                push(*label, Evidence::None);
            }
            ok
        }
        Criterion::Ethnicity { label, groups } => {
            let ok = groups.contains(&rec.person.ethnicity);
            if ok {
                push(*label, Evidence::None);
            }
            ok
        }
        Criterion::Cohort { index } => {
            let (eligible, range) = ctx.cohorts[*index].clone();
            if eligible {
                out.extend_from_within(range);
            }
            eligible
        }
        Criterion::Efi { label, at_least } => match ctx.efi {
            Some((deficits, category)) if category >= *at_least => {
                push(*label, Evidence::Efi { deficits, category });
                true
            }
            _ => false,
        },
        Criterion::Qrisk { label, compare, threshold } => match ctx.qrisk {
            Some(q) if compare.holds(q.percent, *threshold) => {
                push(*label, q.evidence());
                true
            }
            _ => false,
        },
        Criterion::All(items) => items.iter().all(|i| eval(i, rec, ctx, out)),
        Criterion::Any(items) => {
            // No short-circuit: every matching alternative adds its reasons.
            let mut any = false;
            for i in items {
                any |= eval(i, rec, ctx, out);
            }
            any
        }
        Criterion::Not { label, inner } => {
            let mark = out.len();
            if eval(inner, rec, ctx, out) {
                out.truncate(mark);
                return false;
            }
            out.push(Reason { label: *label, evidence: last_evidence(inner, rec) });
            true
        }
        Criterion::Always { label } => {
            push(*label, Evidence::None);
            true
        }
    }
}

fn coded_match(
    rec: &Record,
    clusters: &[ClusterId],
    window: Window,
    value: Option<(Compare, f64)>,
    count_at_least: u32,
    on_or_after_latest: Option<ClusterId>,
) -> Option<Evidence> {
    let mut from = window.start(rec.as_of);
    if let Some(anchor) = on_or_after_latest {
        let anchor_date = rec.date(*rec.in_cluster(anchor).last()?);
        from = Some(from.map_or(anchor_date, |f| f.max(anchor_date)));
    }
    if let Some((cmp, threshold)) = value {
        // The latest event with a value decides.
        let events = rec.since(clusters, from);
        let latest = events.iter().rev().copied().find(|&e| rec.value(e).is_some())?;
        return cmp.holds(rec.value(latest)?, threshold).then_some(Evidence::Event(latest));
    }
    if count_at_least > 1 {
        let events = rec.since(clusters, from);
        let n = events.len() as u32;
        return (n >= count_at_least).then(|| Evidence::Count { n, latest: *events.last().unwrap() });
    }
    rec.latest(clusters, from).map(Evidence::Event)
}

/// The latest diagnosis, if it is not followed by a resolution code. Codes
/// that are in the resolved clusters too ("schizophrenia in remission" is in
/// MH_COD) are resolutions, not diagnoses. A resolution on the same day as
/// the diagnosis does not resolve it: only a later one does, as in QOF.
pub(crate) fn register_match(
    rec: &Record,
    diagnosis: ClusterId,
    resolved: &[ClusterId],
    window: Window,
) -> Option<u32> {
    let is_resolution = |e: u32| {
        let clusters = &rec.pop.codes.get(rec.pop.events.code[e as usize]).clusters;
        resolved.iter().any(|r| clusters.contains(r))
    };
    let latest = rec.in_cluster(diagnosis).iter().rev().copied().find(|&e| !is_resolution(e))?;
    if window.start(rec.as_of).is_some_and(|from| rec.date(latest) < from) {
        return None;
    }
    match rec.latest(resolved, None) {
        Some(r) if rec.date(r) > rec.date(latest) => None,
        _ => Some(latest),
    }
}

/// The latest day with a systolic reading in the window, and the lowest
/// systolic and diastolic values recorded that day (the QOF convention).
fn latest_bp(
    rec: &Record,
    (sys_cluster, dia_cluster): (ClusterId, ClusterId),
    window: Window,
) -> Option<(u32, Option<u32>)> {
    let from = window.start(rec.as_of);
    let with_value = |list: &[u32]| list.iter().rev().copied().filter(|&e| rec.value(e).is_some()).collect::<Vec<_>>();
    let systolic = with_value(rec.in_cluster(sys_cluster));
    let day = rec.date(*systolic.first()?);
    if from.is_some_and(|f| day < f) {
        return None;
    }
    let lowest_on_day = |events: &[u32]| {
        events
            .iter()
            .copied()
            .filter(|&e| rec.date(e) == day)
            .min_by(|&a, &b| rec.value(a).unwrap().total_cmp(&rec.value(b).unwrap()).then(a.cmp(&b)))
    };
    let s = lowest_on_day(&systolic)?;
    let d = lowest_on_day(&with_value(rec.in_cluster(dia_cluster)));
    Some((s, d))
}

/// The latest record relevant to a criterion regardless of its window or
/// value: what "last done on …" reports when a check is not met. Falls back
/// to "never recorded" for criteria about codes, and nothing otherwise.
pub fn last_evidence(c: &Criterion, rec: &Record) -> Evidence {
    latest_relevant(c, rec).unwrap_or(if records_codes(c) { Evidence::NeverRecorded } else { Evidence::None })
}

fn latest_relevant(c: &Criterion, rec: &Record) -> Option<Evidence> {
    match c {
        Criterion::Coded { clusters, .. } => rec.latest(clusters, None).map(Evidence::LastRecorded),
        Criterion::Register { diagnosis, .. } => rec.latest(&[*diagnosis], None).map(Evidence::LastRecorded),
        Criterion::LatestBp { clusters, .. } => latest_bp(rec, *clusters, Window::Ever)
            .map(|(systolic, diastolic)| Evidence::LastBp { systolic, diastolic }),
        Criterion::All(items) | Criterion::Any(items) => {
            items.iter().filter_map(|i| latest_relevant(i, rec)).max_by_key(|e| match e {
                Evidence::LastRecorded(x) | Evidence::LastBp { systolic: x, .. } => *x,
                _ => 0,
            })
        }
        _ => None,
    }
}

/// Whether a criterion is about recorded codes (so "never recorded" makes sense).
fn records_codes(c: &Criterion) -> bool {
    match c {
        Criterion::Coded { .. } | Criterion::Register { .. } | Criterion::LatestBp { .. } => true,
        Criterion::All(items) | Criterion::Any(items) => items.iter().any(records_codes),
        _ => false,
    }
}
