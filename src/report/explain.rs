//! Evidence into words: each reason and check as code, term, date, value
//! and a sentence a member of staff can check against the record.

use serde::Serialize;

use crate::analysis::{Analysis, CheckOutcome, Member};
use crate::model::{uk_date, AgeBand, Population};
use crate::rules::eval::{Evidence, Reason};
use crate::rules::plan::{CohortPlan, Plan};

use super::{EfiMember, MemberReport, QriskMember};

/// The record behind a reason or a check: code, term, date, value.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Recorded {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub term: Option<String>,
    /// ISO 8601 (yyyy-mm-dd).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// One reason a person is on a list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReasonReport {
    pub rule: String,
    #[serde(flatten)]
    pub record: Recorded,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A check's status for one person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    pub id: String,
    pub title: String,
    pub required: bool,
    pub done: bool,
    /// The check done, or the last time it was.
    #[serde(flatten)]
    pub record: Recorded,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_since: Option<i64>,
    /// "done on …", "last done on …" or "never recorded".
    pub detail: String,
}

pub(crate) struct Explainer<'a> {
    pub plan: &'a Plan,
    /// Per patient: bit i set if they have flag i of [`super::Flags::cohorts`].
    pub flags: &'a super::Flags,
    pub pop: &'a Population,
    pub analysis: &'a Analysis,
}

/// An event as shown, with its date in UK form and its age in days.
#[derive(Default)]
struct Shown {
    record: Recorded,
    days_since: Option<i64>,
    uk_date: Option<String>,
}

impl Explainer<'_> {
    fn event(&self, e: u32) -> Shown {
        let i = e as usize;
        let code = self.pop.codes.get(self.pop.events.code[i]);
        let date = self.pop.events.date[i];
        Shown {
            record: Recorded {
                code: Some(code.code.clone()),
                term: code.term.clone(),
                date: Some(date.to_string()),
                value: self.pop.events.value(i),
                unit: self.pop.unit(i).map(str::to_owned),
            },
            days_since: Some((self.analysis.as_of - date).num_days()),
            uk_date: Some(uk_date(date)),
        }
    }

    /// The systolic event, and "140/90 mmHg on 01/09/2026".
    fn bp(&self, systolic: u32, diastolic: Option<u32>) -> (Shown, String) {
        let shown = self.event(systolic);
        let s = shown.record.value.map(fmt_value).unwrap_or_default();
        let d = diastolic.and_then(|d| self.pop.events.value(d as usize)).map(fmt_value).unwrap_or_else(|| "?".into());
        let when = shown.uk_date.clone().unwrap_or_default();
        (shown, format!("{s}/{d} mmHg on {when}"))
    }

    /// What to show for a piece of evidence, and a sentence about it.
    fn evidence(&self, evidence: Evidence) -> (Shown, Option<String>) {
        match evidence {
            Evidence::None => (Shown::default(), None),
            Evidence::Event(e) => (self.event(e), None),
            Evidence::Count { n, latest } => {
                let shown = self.event(latest);
                let when = shown.uk_date.clone().unwrap_or_default();
                (shown, Some(format!("{n} records, latest on {when}")))
            }
            Evidence::Bp { systolic, diastolic } => {
                let (shown, reading) = self.bp(systolic, diastolic);
                (shown, Some(reading))
            }
            Evidence::LastBp { systolic, diastolic } => {
                let (shown, reading) = self.bp(systolic, diastolic);
                (shown, Some(format!("latest {reading}")))
            }
            Evidence::Age(age) => (Shown::default(), Some(format!("aged {age}"))),
            Evidence::NeverRecorded => (Shown::default(), Some("never recorded".into())),
            Evidence::LastRecorded(e) => {
                let shown = self.event(e);
                let when = shown.uk_date.clone().unwrap_or_default();
                (shown, Some(format!("last recorded on {when}")))
            }
            Evidence::Qrisk { tenths, recorded } => {
                let percent = format!("{}.{}%", tenths / 10, tenths % 10);
                match recorded {
                    Some(e) => {
                        let shown = self.event(e);
                        let when = shown.uk_date.clone().unwrap_or_default();
                        (shown, Some(format!("recorded QRISK score {percent} on {when}")))
                    }
                    None => (Shown::default(), Some(format!("QRISK3 {percent}, computed from recorded inputs"))),
                }
            }
            Evidence::Efi { deficits, category } => {
                let score = deficits as f64 / self.plan.efi.deficit_count() as f64;
                (
                    Shown::default(),
                    Some(format!(
                        "{deficits} of {} deficits (eFI {score:.2}, {})",
                        self.plan.efi.deficit_count(),
                        category.label()
                    )),
                )
            }
        }
    }

    pub fn reason(&self, r: &Reason) -> ReasonReport {
        let (shown, detail) = self.evidence(r.evidence);
        ReasonReport { rule: self.plan.labels[r.label as usize].clone(), record: shown.record, detail }
    }

    pub(crate) fn check(&self, cohort: &CohortPlan, k: usize, outcome: &CheckOutcome) -> CheckReport {
        let check = &cohort.checks[k];
        let (shown, detail) = self.evidence(outcome.evidence);
        let detail = match (outcome.done, outcome.evidence, &shown.uk_date) {
            (true, _, Some(d)) => detail.unwrap_or_else(|| format!("done on {d}")),
            (true, _, None) => "done".into(),
            (false, Evidence::LastBp { .. }, _) => format!("not met: {}", detail.unwrap_or_default()),
            (false, _, Some(d)) => format!("last done on {d}"),
            (false, _, None) => "never recorded".into(),
        };
        CheckReport {
            id: check.id.clone(),
            title: check.title.clone(),
            required: check.required,
            done: outcome.done,
            record: shown.record,
            days_since: shown.days_since,
            detail,
        }
    }

    /// The eFI of a person old enough for a category, deficits listed.
    fn efi(&self, p: crate::model::PatientIdx) -> Option<EfiMember> {
        let score = self.analysis.efi[p as usize];
        let category = score.category?;
        let efi = &self.plan.efi;
        let present = self
            .analysis
            .efi_deficits(p)
            .iter()
            .map(|d| {
                let title = match efi.deficits.get(d.index as usize) {
                    Some(deficit) => deficit.title.clone(),
                    None => efi.polypharmacy_title.clone(),
                };
                let (shown, detail) = self.evidence(d.evidence);
                let detail = match d.evidence {
                    Evidence::Count { n, .. } => {
                        Some(format!("{n} different medicines {}", efi.polypharmacy_window.describe()))
                    }
                    _ => detail.or_else(|| shown.uk_date.map(|d| format!("first recorded on {d}"))),
                };
                ReasonReport { rule: title, record: shown.record, detail }
            })
            .collect();
        let fraction = score.deficits as f64 / efi.deficit_count() as f64;
        Some(EfiMember { deficits: score.deficits, score: (fraction * 100.0).round() / 100.0, category, present })
    }

    pub fn member(&self, cohort: &CohortPlan, m: &Member) -> MemberReport {
        let p = &self.pop.patients[m.patient as usize];
        let age = p.age_on(self.analysis.as_of);
        let segment = self.analysis.segment[m.patient as usize];
        MemberReport {
            patient_id: p.id.clone(),
            nhs_number: p.nhs_number.clone(),
            nhs_number_valid: p.nhs_number_valid,
            name: p.name.clone(),
            age,
            sex: p.sex,
            age_band: AgeBand::of_age(age.max(0) as u32),
            ethnicity_group: p.ethnicity,
            imd_quintile: p.imd_quintile(),
            core20: p.core20(),
            segment: self.plan.segments[segment as usize].id.clone(),
            segment_reasons: self.analysis.segment_reasons(m.patient).iter().map(|r| self.reason(r)).collect(),
            efi_category: self.analysis.efi[m.patient as usize].category,
            efi: self.efi(m.patient),
            ltc_count: self.analysis.ltc_count[m.patient as usize] as u32,
            reasons: m.reasons.iter().map(|r| self.reason(r)).collect(),
            // A check that does not apply to the person is left out of their row.
            checks: m
                .checks
                .iter()
                .enumerate()
                .filter(|(_, o)| o.applies)
                .map(|(k, o)| self.check(cohort, k, o))
                .collect(),
            flags: self.flags.of(m.patient).map(|f| self.plan.cohorts[f].id.clone()).collect(),
            qrisk: self.analysis.qrisk[m.patient as usize].map(|q| QriskMember {
                percent: (q.percent * 10.0).round() / 10.0,
                source: if q.recorded.is_some() { "recorded" } else { "computed" },
            }),
            lists: Vec::new(),
        }
    }
}

/// Values as recorded: no trailing ".0" on whole numbers.
pub fn fmt_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}
