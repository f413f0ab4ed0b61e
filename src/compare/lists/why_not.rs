//! Why someone is not eligible: a walk over the cohort's criterion that
//! evaluates its parts on their record and names those that fail.

use super::standing::{reason_words, value_words};
use crate::codes::Clusters;
use crate::model::{uk_date, ClusterId, Date};
use crate::record::Record;
use crate::report::{fmt_value, Explainer};
use crate::rules::eval::{eval, last_evidence, register_match, Context, Evidence, Reason};
use crate::rules::plan::{Compare, Criterion, LabelId, Plan, Window};

/// Evaluates parts of a criterion on one patient to say which fail and why.
pub(super) struct Walk<'w, 'r> {
    pub(super) plan: &'w Plan,
    pub(super) clusters: &'w Clusters,
    pub(super) ex: &'w Explainer<'w>,
    pub(super) rec: &'w Record<'r>,
    pub(super) ctx: &'w Context<'w>,
    /// The reasons buffer the patient's cohorts were evaluated into: cohort
    /// criteria copy their reasons from it.
    pub(super) buf: &'w mut Vec<Reason>,
}

impl Walk<'_, '_> {
    pub(super) fn holds(&mut self, c: &Criterion) -> bool {
        let mark = self.buf.len();
        let holds = eval(c, self.rec, self.ctx, self.buf);
        self.buf.truncate(mark);
        holds
    }

    /// The reasons `c` gives when it holds.
    pub(super) fn reasons(&mut self, c: &Criterion) -> Option<Vec<Reason>> {
        let mark = self.buf.len();
        let holds = eval(c, self.rec, self.ctx, self.buf);
        let reasons = holds.then(|| self.buf[mark..].to_vec());
        self.buf.truncate(mark);
        reasons
    }

    /// The parts of `c` that hold, as reasons, though `c` may not.
    pub(super) fn held(&mut self, c: &Criterion) -> Vec<Reason> {
        let plan = self.plan;
        match c {
            Criterion::All(items) | Criterion::Any(items) => items.iter().flat_map(|i| self.held(i)).collect(),
            Criterion::Cohort { index } if !self.ctx.cohorts[*index].0 => self.held(&plan.cohorts[*index].eligible),
            _ => self.reasons(c).unwrap_or_default(),
        }
    }

    /// Sentences saying which parts of `c` fail and why; none if it holds.
    pub(super) fn why_not(&mut self, c: &Criterion) -> Vec<String> {
        let mut out = Vec::new();
        self.why_not_into(c, &mut out);
        out
    }

    pub(super) fn why_not_into(&mut self, c: &Criterion, out: &mut Vec<String>) {
        if self.holds(c) {
            return;
        }
        let (rec, plan) = (self.rec, self.plan);
        let not_met = |label: &LabelId, why: String| format!("{}: not met ({why})", plan.labels[*label as usize]);
        match c {
            Criterion::All(items) | Criterion::Any(items) => {
                for i in items {
                    self.why_not_into(i, out);
                }
            }
            Criterion::Cohort { index } => {
                out.push(format!("{}: not met", plan.cohorts[*index].title));
                self.why_not_into(&plan.cohorts[*index].eligible, out);
            }
            Criterion::Not { label, inner } => {
                let found = self.reasons(inner).unwrap_or_default();
                let words: Vec<String> = found.iter().map(|r| reason_words(&self.ex.reason(r))).collect();
                out.push(not_met(label, words.join("; ")));
            }
            Criterion::Coded { label, clusters, window, value, count_at_least, on_or_after_latest } => {
                let why = self.coded_why(*label, clusters, *window, *value, *count_at_least, *on_or_after_latest);
                out.push(not_met(label, why));
            }
            Criterion::Register { label, diagnosis, resolved, window } => {
                let why = self.register_why(*label, *diagnosis, resolved, *window);
                out.push(not_met(label, why));
            }
            Criterion::LatestBp { label, window, .. } => {
                let why = match last_evidence(c, rec) {
                    Evidence::NeverRecorded => "never recorded".to_owned(),
                    evidence => {
                        let r = self.ex.reason(&Reason { label: *label, evidence });
                        let reading = r.detail.unwrap_or_default();
                        let date = r.record.date.as_deref().and_then(|d| d.parse::<Date>().ok());
                        match (window.start(rec.as_of), date) {
                            (Some(from), Some(d)) if d < from => format!("none {}; {reading}", window.describe()),
                            _ => reading,
                        }
                    }
                };
                out.push(not_met(label, why));
            }
            Criterion::Age { label, .. } => out.push(not_met(label, format!("aged {}", rec.age))),
            Criterion::Sex { label, .. } => out.push(not_met(label, format!("sex {}", rec.person.sex.label()))),
            Criterion::ImdDecile { label, .. } => {
                let decile = rec.person.imd_decile.map_or_else(|| "not recorded".to_owned(), |d| d.to_string());
                out.push(not_met(label, format!("IMD decile {decile}")));
            }
            Criterion::Ethnicity { label, .. } => {
                out.push(not_met(label, format!("ethnic group {}", rec.person.ethnicity.label())))
            }
            Criterion::Efi { label, .. } => {
                let why = match self.ctx.efi {
                    Some((deficits, category)) => format!("eFI {deficits} deficits, {}", category.label()),
                    None => format!("no eFI category under {}", self.plan.efi.min_age),
                };
                out.push(not_met(label, why));
            }
            Criterion::Qrisk { label, .. } => {
                let why = match self.ctx.qrisk {
                    Some(q) => format!("QRISK {:.1}%", q.percent),
                    None => "no QRISK computed or recorded".to_owned(),
                };
                out.push(not_met(label, why));
            }
            Criterion::Always { .. } => {}
        }
    }

    /// "code term on 01/02/2026", with its value if it has one.
    pub(super) fn event_words(&self, label: LabelId, e: u32) -> String {
        let r = self.ex.reason(&Reason { label, evidence: Evidence::Event(e) }).record;
        let code = r.code.unwrap_or_default();
        let mut words = match r.term {
            Some(term) => format!("{code} {term}"),
            None => code,
        };
        if let Some(date) = r.date.as_deref().and_then(|d| d.parse::<Date>().ok()) {
            words = format!("{words} on {}", uk_date(date));
        }
        if let Some(v) = r.value {
            words = format!("{words} ({})", value_words(v, r.unit.as_deref()));
        }
        words
    }

    pub(super) fn coded_why(
        &self,
        label: LabelId,
        clusters: &[ClusterId],
        window: Window,
        value: Option<(Compare, f64)>,
        count_at_least: u32,
        on_or_after_latest: Option<ClusterId>,
    ) -> String {
        let rec = self.rec;
        let mut from = window.start(rec.as_of);
        if let Some(anchor) = on_or_after_latest {
            let title = &self.clusters.get(anchor).title;
            let Some(&latest) = rec.in_cluster(anchor).last() else { return format!("no {title} recorded") };
            let anchor_date = rec.date(latest);
            from = Some(from.map_or(anchor_date, |f| f.max(anchor_date)));
            if rec.latest(clusters, from).is_none() {
                return format!("none on or after {}", self.event_words(label, latest));
            }
        }
        let in_window = rec.since(clusters, from);
        let last = rec.latest(clusters, None);
        if in_window.is_empty() {
            return match last {
                None => "never recorded".to_owned(),
                Some(e) => format!("none {}; last: {}", window.describe(), self.event_words(label, e)),
            };
        }
        if let Some((cmp, threshold)) = value {
            return match in_window.iter().rev().copied().find(|&e| rec.value(e).is_some()) {
                None => format!("no value recorded {}", window.describe()),
                Some(e) => format!(
                    "latest value {}, needs {} {}",
                    self.event_words(label, e),
                    cmp.symbol(),
                    fmt_value(threshold)
                ),
            };
        }
        if count_at_least > 1 {
            return format!("{} {}, {count_at_least} needed", in_window.len(), window.describe());
        }
        match last {
            Some(e) => format!("last: {}", self.event_words(label, e)),
            None => "never recorded".to_owned(),
        }
    }

    pub(super) fn register_why(
        &self,
        label: LabelId,
        diagnosis: ClusterId,
        resolved: &[ClusterId],
        window: Window,
    ) -> String {
        let rec = self.rec;
        let is_resolution = |e: u32| {
            let clusters = &rec.pop.codes.get(rec.pop.events.code[e as usize]).clusters;
            resolved.iter().any(|r| clusters.contains(r))
        };
        let Some(latest) = rec.in_cluster(diagnosis).iter().rev().copied().find(|&e| !is_resolution(e)) else {
            let title = &self.clusters.get(diagnosis).title;
            return match rec.latest(resolved, None) {
                Some(r) => format!("no {title} code other than resolutions; latest {}", self.event_words(label, r)),
                None => format!("no {title} code recorded"),
            };
        };
        if window.start(rec.as_of).is_some_and(|from| rec.date(latest) < from) {
            return format!("latest diagnosis {}, not {}", self.event_words(label, latest), window.describe());
        }
        match rec.latest(resolved, None) {
            Some(r) if register_match(rec, diagnosis, resolved, window).is_none() => {
                format!("resolved by {}, after {}", self.event_words(label, r), self.event_words(label, latest))
            }
            _ => format!("latest diagnosis {}", self.event_words(label, latest)),
        }
    }
}
