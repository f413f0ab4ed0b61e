//! One priority list across the worklists: each person once, with every
//! list they are on, every check they miss and every reason, ordered by a
//! rule the user sets (for example Core20 or PLUS first, then the number of
//! missing checks, then frailty).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::explain::{CheckReport, ReasonReport};
use super::worklist::Listed;
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
    pub fn compare(self, a: &SortKeys, b: &SortKeys) -> Ordering {
        match self {
            PriorityKey::Core20Plus => b.core20_plus.cmp(&a.core20_plus),
            PriorityKey::MissingChecks => b.missing_checks.cmp(&a.missing_checks),
            PriorityKey::Lists => b.lists.cmp(&a.lists),
            PriorityKey::Frailty => b.efi_deficits.cmp(&a.efi_deficits),
            PriorityKey::Qrisk => b.qrisk.total_cmp(&a.qrisk),
            PriorityKey::Age => b.age.cmp(&a.age),
        }
    }
}

/// A person's priority keys, worked out once before a sort rather than at
/// every comparison (a city's priority list is hundreds of thousands long).
#[derive(Debug, Clone, Copy)]
pub struct SortKeys {
    pub core20_plus: usize,
    pub missing_checks: usize,
    pub lists: usize,
    pub efi_deficits: i64,
    pub qrisk: f64,
    pub age: i32,
}

impl SortKeys {
    pub fn of<L: Listed>(l: &L) -> SortKeys {
        SortKeys {
            core20_plus: l.core20_plus(),
            missing_checks: l.missing_checks(),
            lists: l.lists(),
            efi_deficits: l.efi_deficits(),
            qrisk: l.qrisk(),
            age: l.age(),
        }
    }
}

/// Adds one list's row for a person to their priority-list row: the list,
/// a reason naming it, its reasons and its checks (ids prefixed by the list's).
pub(crate) fn add_list(row: &mut Option<MemberReport>, list_id: &str, list_title: &str, mut m: MemberReport) {
    let (reasons, checks) = (std::mem::take(&mut m.reasons), std::mem::take(&mut m.checks));
    let row = row.get_or_insert(m);
    row.lists.push(list_title.to_owned());
    row.reasons.push(ReasonReport {
        rule: format!("On the list: {list_title}"),
        record: Default::default(),
        detail: None,
    });
    row.reasons.extend(reasons);
    row.checks.extend(checks.into_iter().map(|c| CheckReport {
        id: format!("{list_id}.{}", c.id),
        title: format!("{} ({list_title})", c.title),
        ..c
    }));
}

/// The priority list's cohort report, around its members (or none, for a summary).
pub(crate) fn report(people: u64, members: Vec<MemberReport>) -> CohortReport {
    CohortReport {
        title: "Priority list".into(),
        kind: CohortKind::Worklist,
        description: "Everyone on any worklist, once, with every list they are on and every check they miss, \
                      in the order the priority rule sets."
            .into(),
        source: "Built from the worklists above".into(),
        members_are: Members::Eligible,
        eligible: people,
        count: people,
        checks: Ordered(Vec::new()),
        all_checks_done: None,
        members,
    }
}

/// The priority list from the report's worklists (those marked for it).
pub fn cohort(plan: &Plan, cohorts: &[(String, CohortReport)]) -> CohortReport {
    let mut people: BTreeMap<&str, Option<MemberReport>> = BTreeMap::new();
    for (plan_cohort, (_, list)) in plan.cohorts.iter().zip(cohorts) {
        if !plan_cohort.priority {
            continue;
        }
        for m in &list.members {
            add_list(people.entry(m.patient_id.as_str()).or_default(), &plan_cohort.id, &list.title, m.clone());
        }
    }
    let members: Vec<MemberReport> = people.into_values().flatten().collect();
    report(members.len() as u64, members)
}
