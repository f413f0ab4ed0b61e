//! One priority list across the worklists: each person once, with every
//! list they are on, every check they miss and every reason, ordered by a
//! rule the user sets (for example Core20 or PLUS first, then the number of
//! missing checks, then frailty).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::explain::{CheckReport, ReasonReport};
use super::{CohortReport, MemberReport, Ordered};
use crate::rules::plan::{CohortKind, Members, Plan};

/// The priority list's id among the cohorts of a report.
pub const PRIORITY_ID: &str = "priority";

/// One step of the ordering rule: people with more of it come first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriorityKey {
    /// Core20 and PLUS flags held (0, 1 or 2).
    Core20Plus,
    /// Required checks missing, over every list.
    MissingChecks,
    /// Worklists the person is on.
    Lists,
    /// eFI deficits (people under the eFI's minimum age count as none).
    Frailty,
    /// QRISK percent (none counts as lowest).
    Qrisk,
    Age,
}

impl PriorityKey {
    pub const DEFAULT: [PriorityKey; 3] = [PriorityKey::Core20Plus, PriorityKey::MissingChecks, PriorityKey::Frailty];

    /// Orders `a` before `b` when `a` has more of this key.
    pub fn compare(self, a: &MemberReport, b: &MemberReport) -> Ordering {
        match self {
            PriorityKey::Core20Plus => core20_plus(b).cmp(&core20_plus(a)),
            PriorityKey::MissingChecks => missing_checks(b).cmp(&missing_checks(a)),
            PriorityKey::Lists => b.lists.len().cmp(&a.lists.len()),
            PriorityKey::Frailty => efi_deficits(b).cmp(&efi_deficits(a)),
            PriorityKey::Qrisk => qrisk(b).total_cmp(&qrisk(a)),
            PriorityKey::Age => b.age.cmp(&a.age),
        }
    }
}

fn core20_plus(m: &MemberReport) -> usize {
    m.flags.iter().filter(|f| *f == "core20" || *f == "plus").count()
}

pub(super) fn missing_checks(m: &MemberReport) -> usize {
    m.checks.iter().filter(|c| c.required && !c.done).count()
}

fn efi_deficits(m: &MemberReport) -> i64 {
    m.efi.as_ref().map_or(-1, |e| e.deficits as i64)
}

fn qrisk(m: &MemberReport) -> f64 {
    m.qrisk.map_or(-1.0, |q| q.percent)
}

/// The priority list from the report's worklists (those marked for it).
pub fn cohort(plan: &Plan, cohorts: &[(String, CohortReport)]) -> CohortReport {
    let mut people: BTreeMap<&str, MemberReport> = BTreeMap::new();
    for (plan_cohort, (_, report)) in plan.cohorts.iter().zip(cohorts) {
        if !plan_cohort.priority {
            continue;
        }
        for m in &report.members {
            let row = people.entry(m.patient_id.as_str()).or_insert_with(|| MemberReport {
                reasons: Vec::new(),
                checks: Vec::new(),
                ..m.clone()
            });
            row.lists.push(report.title.clone());
            row.reasons.push(ReasonReport {
                rule: format!("On the list: {}", report.title),
                record: Default::default(),
                detail: None,
            });
            row.reasons.extend(m.reasons.iter().cloned());
            row.checks.extend(m.checks.iter().map(|c| CheckReport {
                id: format!("{}.{}", plan_cohort.id, c.id),
                title: format!("{} ({})", c.title, report.title),
                ..c.clone()
            }));
        }
    }
    let members: Vec<MemberReport> = people.into_values().collect();
    CohortReport {
        title: "Priority list".into(),
        kind: CohortKind::Worklist,
        description: "Everyone on any worklist, once, with every list they are on and every check they miss, \
                      in the order the priority rule sets."
            .into(),
        source: "Built from the worklists above".into(),
        members_are: Members::Eligible,
        eligible: members.len() as u64,
        count: members.len() as u64,
        checks: Ordered(Vec::new()),
        all_checks_done: None,
        members,
    }
}
