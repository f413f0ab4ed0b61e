//! Worklist queries: filter, search, sort and page one cohort's members,
//! so a page shows 50 rows of a 50,000-row list without ever holding the
//! whole list in words. The same query drives the CSV export of "the list
//! as I see it". People are filtered and sorted through [`Listed`], which
//! both a worded member and a member read straight from the analysis give.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::priority::{PriorityKey, SortKeys};
use super::{id_of, MemberReport};
use crate::model::{AgeBand, EthnicityGroup};
use crate::risk::admission::Score;

/// Each scored person's emergency-admission risk, by patient id: present
/// once the risk model has been fitted for the analysis's as-of date.
pub type RiskById = HashMap<String, Score>;

/// Why a query that reads risk tiers cannot run yet.
pub const NO_RISK_MODEL: &str =
    "fit the emergency-admission risk model first (Risk tiers): the list cannot be filtered or sorted by risk without it";

/// What the user has chosen. Every filter is optional; within one filter any
/// listed value matches, and all the filters given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Query {
    pub cohort: String,
    pub segments: Vec<String>,
    /// "1" to "5", or "not_recorded".
    pub imd_quintiles: Vec<String>,
    /// Ethnic group ids: white, mixed, asian, black, other, not_recorded.
    pub ethnicities: Vec<String>,
    /// Age band labels: 0-17, 18-39, 40-64, 65-79, 80+.
    pub age_bands: Vec<String>,
    /// Flag ids (core20, plus, smoker): people with any of them.
    pub flags: Vec<String>,
    /// Only people missing this (required) check.
    pub missing_check: Option<String>,
    /// Risk tiers (1 = the highest risks): people in any of them. Needs the risk model.
    pub tiers: Vec<u8>,
    /// Case-insensitive text in the patient id, NHS number or name.
    pub search: String,
    pub sort: Sort,
    /// For `sort = "priority"`: the ordering rule, first key first.
    pub priority: Vec<PriorityKey>,
    pub descending: bool,
    pub offset: usize,
    /// Rows to return; 0 means all.
    pub limit: usize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Most required checks missing first, then by patient id.
    #[default]
    MissingChecks,
    /// By the query's priority rule (its default if none given).
    Priority,
    PatientId,
    NhsNumber,
    Name,
    Age,
    ImdQuintile,
    Segment,
    /// Highest emergency-admission risk first. Needs the risk model.
    Risk,
}

/// What a list filters, searches and sorts a person by.
pub trait Listed {
    fn patient_id(&self) -> &str;
    fn nhs_number(&self) -> Option<&str>;
    fn nhs_number_valid(&self) -> bool;
    fn name(&self) -> Option<&str>;
    fn age(&self) -> i32;
    fn age_band(&self) -> AgeBand;
    fn ethnicity(&self) -> EthnicityGroup;
    fn imd_quintile(&self) -> Option<u8>;
    /// The segment's id.
    fn segment(&self) -> &str;
    /// Holds any of these flags (ids such as core20, plus, smoker).
    fn has_any_flag(&self, ids: &[String]) -> bool;
    /// Core20 and PLUS flags held (0, 1 or 2).
    fn core20_plus(&self) -> usize;
    /// Misses this required check (that applies to them).
    fn is_missing(&self, check: &str) -> bool;
    /// Required checks missed.
    fn missing_checks(&self) -> usize;
    /// Lists the person is on (the priority list's people; none elsewhere).
    fn lists(&self) -> usize;
    /// eFI deficits; -1 under the eFI's minimum age.
    fn efi_deficits(&self) -> i64;
    /// QRISK percent to one place; -1 where there is none.
    fn qrisk(&self) -> f64;
}

impl Listed for &MemberReport {
    fn patient_id(&self) -> &str {
        &self.patient_id
    }
    fn nhs_number(&self) -> Option<&str> {
        self.nhs_number.as_deref()
    }
    fn nhs_number_valid(&self) -> bool {
        self.nhs_number_valid
    }
    fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
    fn age(&self) -> i32 {
        self.age
    }
    fn age_band(&self) -> AgeBand {
        self.age_band
    }
    fn ethnicity(&self) -> EthnicityGroup {
        self.ethnicity_group
    }
    fn imd_quintile(&self) -> Option<u8> {
        self.imd_quintile
    }
    fn segment(&self) -> &str {
        &self.segment
    }
    fn has_any_flag(&self, ids: &[String]) -> bool {
        self.flags.iter().any(|f| ids.contains(f))
    }
    fn core20_plus(&self) -> usize {
        self.flags.iter().filter(|f| *f == "core20" || *f == "plus").count()
    }
    fn is_missing(&self, check: &str) -> bool {
        self.checks.iter().any(|c| c.id == check && c.required && !c.done)
    }
    fn missing_checks(&self) -> usize {
        self.checks.iter().filter(|c| c.required && !c.done).count()
    }
    fn lists(&self) -> usize {
        self.lists.len()
    }
    fn efi_deficits(&self) -> i64 {
        self.efi.as_ref().map_or(-1, |e| e.deficits as i64)
    }
    fn qrisk(&self) -> f64 {
        self.qrisk.map_or(-1.0, |q| q.percent)
    }
}

/// A person matching a query, with their risk once the model is fitted.
#[derive(Debug, Clone, Copy)]
pub struct Selected<L> {
    pub entry: L,
    pub risk: Option<Score>,
}

/// One page of a filtered, sorted worklist.
#[derive(Debug, Clone, Serialize)]
pub struct Page<'a> {
    pub cohort: &'a str,
    /// People on the whole list.
    pub listed: usize,
    /// People matching the filters.
    pub matching: usize,
    pub offset: usize,
    pub rows: Vec<Row<'a>>,
}

/// A member as a list shows them: their report, and their risk once the model is fitted.
#[derive(Debug, Clone, Serialize)]
pub struct Row<'a> {
    #[serde(flatten)]
    pub member: Cow<'a, MemberReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<Score>,
}

/// NHS numbers for import, and the people who could not be included.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NhsNumberList {
    pub text: String,
    pub included: usize,
    /// Patient ids of members with no NHS number, or one failing its check digit.
    pub left_out: Vec<String>,
}

/// The selected people as NHS numbers, one per line with no header, for a
/// GP system to import as a patient group. People with no valid NHS number
/// cannot be imported: their patient ids come back apart.
pub fn nhs_number_list<L: Listed>(selected: &[Selected<L>]) -> NhsNumberList {
    let mut list = NhsNumberList::default();
    for Selected { entry, .. } in selected {
        match entry.nhs_number().filter(|_| entry.nhs_number_valid()) {
            Some(n) => {
                list.text.push_str(n);
                list.text.push_str("\r\n");
                list.included += 1;
            }
            None => list.left_out.push(entry.patient_id().to_owned()),
        }
    }
    list
}

fn matches<L: Listed>(q: &Query, m: &L, risk: Option<Score>, search: &str) -> bool {
    let any = |wanted: &[String], value: &str| wanted.is_empty() || wanted.iter().any(|w| w == value);
    let quintile = m.imd_quintile().map_or_else(|| "not_recorded".to_owned(), |v| v.to_string());
    any(&q.segments, m.segment())
        && any(&q.imd_quintiles, &quintile)
        && any(&q.ethnicities, &id_of(&m.ethnicity()))
        && any(&q.age_bands, m.age_band().label())
        && (q.flags.is_empty() || m.has_any_flag(&q.flags))
        && q.missing_check.as_ref().is_none_or(|id| m.is_missing(id))
        && (q.tiers.is_empty() || risk.is_some_and(|r| q.tiers.contains(&r.tier)))
        && (search.is_empty()
            || m.patient_id().to_lowercase().contains(search)
            || m.nhs_number().is_some_and(|n| n.contains(search))
            || m.name().is_some_and(|n| n.to_lowercase().contains(search)))
}

/// Checks a query can run: one that filters or sorts by risk needs `risk`.
fn check(q: &Query, risk: Option<&RiskById>) -> Result<(), String> {
    if risk.is_none() && (!q.tiers.is_empty() || q.sort == Sort::Risk) {
        return Err(NO_RISK_MODEL.into());
    }
    Ok(())
}

/// The people matching the query, in its order (ties by patient id, so
/// the order is total and the same every time). A query that filters or
/// sorts by risk needs `risk`.
pub fn select<L: Listed>(
    people: impl IntoIterator<Item = L>,
    q: &Query,
    risk: Option<&RiskById>,
) -> Result<Vec<Selected<L>>, String> {
    check(q, risk)?;
    let search = q.search.trim().to_lowercase();
    let risk_of = |m: &L| risk.and_then(|r| r.get(m.patient_id())).copied();
    let mut rows: Vec<(SortKeys, Selected<L>)> = people
        .into_iter()
        .map(|entry| Selected { risk: risk_of(&entry), entry })
        .filter(|r| matches(q, &r.entry, r.risk, &search))
        .map(|r| (SortKeys::of(&r.entry), r))
        .collect();
    let priority = if q.priority.is_empty() { &PriorityKey::DEFAULT[..] } else { &q.priority[..] };
    rows.sort_by(|(kx, x), (ky, y)| {
        let (a, b) = (&x.entry, &y.entry);
        let order = match q.sort {
            Sort::MissingChecks => ky.missing_checks.cmp(&kx.missing_checks),
            Sort::Priority => priority.iter().fold(std::cmp::Ordering::Equal, |o, k| o.then_with(|| k.compare(kx, ky))),
            Sort::PatientId => std::cmp::Ordering::Equal,
            Sort::NhsNumber => a.nhs_number().cmp(&b.nhs_number()),
            Sort::Name => a.name().cmp(&b.name()),
            Sort::Age => kx.age.cmp(&ky.age),
            Sort::ImdQuintile => a.imd_quintile().cmp(&b.imd_quintile()),
            Sort::Segment => a.segment().cmp(b.segment()),
            // The model's rank: highest risk first, ties as the tiers break them; unscored last.
            Sort::Risk => x.risk.map_or(u32::MAX, |r| r.rank).cmp(&y.risk.map_or(u32::MAX, |r| r.rank)),
        };
        let order = if q.descending { order.reverse() } else { order };
        order.then_with(|| a.patient_id().cmp(b.patient_id()))
    });
    Ok(rows.into_iter().map(|(_, r)| r).collect())
}

/// The part of `selected` a query's offset and limit ask for.
pub fn page_of<'s, L>(selected: &'s [Selected<L>], q: &Query) -> &'s [Selected<L>] {
    let start = q.offset.min(selected.len());
    let limit = if q.limit == 0 { selected.len() } else { q.limit };
    &selected[start..(start + limit).min(selected.len())]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AgeBand, EthnicityGroup, Sex};
    use crate::report::CheckReport;
    use crate::report::{csv_export, CohortReport};

    fn member(
        id: &str,
        name: &str,
        age: i32,
        quintile: Option<u8>,
        missing_bmi: bool,
        missing_bp: bool,
    ) -> MemberReport {
        let check = |id: &str, done: bool| CheckReport {
            id: id.into(),
            title: id.into(),
            required: true,
            done,
            record: Default::default(),
            days_since: None,
            detail: String::new(),
        };
        MemberReport {
            patient_id: id.into(),
            nhs_number: Some(format!("99900000{:02}", id.as_bytes()[0] - b'A' + 1)),
            nhs_number_valid: true,
            name: Some(name.into()),
            age,
            sex: Sex::Female,
            age_band: AgeBand::of_age(age as u32),
            ethnicity_group: EthnicityGroup::White,
            imd_quintile: quintile,
            core20: quintile == Some(1),
            segment: if age >= 65 { "frailty".into() } else { "healthy_adults".into() },
            segment_reasons: Vec::new(),
            efi_category: None,
            efi: None,
            ltc_count: 0,
            reasons: Vec::new(),
            checks: vec![check("bmi", !missing_bmi), check("bp", !missing_bp)],
            flags: if quintile == Some(1) { vec!["core20".into()] } else { Vec::new() },
            qrisk: None,
            lists: Vec::new(),
        }
    }

    fn cohort() -> CohortReport {
        CohortReport {
            title: "T".into(),
            kind: crate::rules::plan::CohortKind::Worklist,
            description: String::new(),
            source: String::new(),
            members_are: crate::rules::plan::Members::MissingChecks,
            eligible: 9,
            count: 4,
            checks: Default::default(),
            all_checks_done: None,
            members: vec![
                member("A", "Ann Lee", 70, Some(1), true, false),
                member("B", "Bob Ray", 30, None, true, true),
                member("C", "Cy Leeson", 45, Some(5), false, true),
                member("D", "Di Moss", 80, Some(1), true, true),
            ],
        }
    }

    fn select<'a>(
        c: &'a CohortReport,
        q: &Query,
        risk: Option<&RiskById>,
    ) -> Result<Vec<Selected<&'a MemberReport>>, String> {
        super::select(c.members.iter(), q, risk)
    }

    fn ids(rows: &[Selected<&MemberReport>]) -> Vec<String> {
        rows.iter().map(|r| r.entry.patient_id.clone()).collect()
    }

    fn rows<'a>(selected: &[Selected<&'a MemberReport>]) -> Vec<Row<'a>> {
        selected.iter().map(|s| Row { member: Cow::Borrowed(s.entry), risk: s.risk }).collect()
    }

    /// A's risk is the highest (tier 1), then C (tier 2), D (tier 3); B was not scored.
    fn risk() -> RiskById {
        let score = |percent, tier, rank| Score { percent, tier, rank };
        [("A", score(61.5, 1, 1)), ("C", score(40.0, 2, 2)), ("D", score(12.3, 3, 3))]
            .into_iter()
            .map(|(id, s)| (id.to_string(), s))
            .collect()
    }

    #[test]
    fn risk_tiers_filter_sort_and_fill_the_risk_columns() {
        let c = cohort();
        let risk = risk();
        let q = |tiers: Vec<u8>, sort| Query { tiers, sort, ..Default::default() };
        let select_ids = |q: Query| ids(&select(&c, &q, Some(&risk)).unwrap());
        assert_eq!(select_ids(q(vec![], Sort::Risk)), ["A", "C", "D", "B"], "unscored last");
        assert_eq!(select_ids(q(vec![1, 3], Sort::MissingChecks)), ["D", "A"]);
        assert_eq!(select_ids(Query { descending: true, ..q(vec![2, 3], Sort::Risk) }), ["D", "C"]);
        for needs_model in [q(vec![1], Sort::MissingChecks), q(vec![], Sort::Risk)] {
            assert_eq!(select(&c, &needs_model, None).unwrap_err(), NO_RISK_MODEL);
        }
        let rows = rows(&select(&c, &q(vec![], Sort::Risk), Some(&risk)).unwrap());
        let csv = csv_export::worklist_csv(rows.clone(), &["patient_id", "risk_percent", "risk_tier"], true).unwrap();
        assert_eq!(csv, "patient_id,risk_percent,risk_tier\r\nA,61.5,1\r\nC,40.0,2\r\nD,12.3,3\r\nB,,\r\n");
        let json = serde_json::to_value(&rows[0]).unwrap();
        assert_eq!(
            (&json["patient_id"], &json["risk"]["tier"], &json["risk"]["percent"]),
            (&"A".into(), &1.into(), &61.5.into())
        );
        assert!(serde_json::to_value(&rows[3]).unwrap().get("risk").is_none());
    }

    #[test]
    fn default_order_is_most_missing_first_then_id() {
        assert_eq!(ids(&select(&cohort(), &Query::default(), None).unwrap()), ["B", "D", "A", "C"]);
    }

    #[test]
    fn filters_combine_and_search_is_case_insensitive() {
        let c = cohort();
        let q = |f: fn(&mut Query)| {
            let mut q = Query::default();
            f(&mut q);
            ids(&select(&c, &q, None).unwrap())
        };
        assert_eq!(q(|q| q.imd_quintiles = vec!["1".into()]), ["D", "A"]);
        assert_eq!(q(|q| q.imd_quintiles = vec!["not_recorded".into(), "5".into()]), ["B", "C"]);
        assert_eq!(q(|q| q.missing_check = Some("bp".into())), ["B", "D", "C"]);
        assert_eq!(q(|q| q.segments = vec!["frailty".into()]), ["D", "A"]);
        assert_eq!(q(|q| q.age_bands = vec!["80+".into(), "18-39".into()]), ["B", "D"]);
        assert_eq!(q(|q| q.search = "LEE".into()), ["A", "C"]);
        assert_eq!(q(|q| q.search = "9990000003".into()), ["C"]);
        assert_eq!(
            q(|q| {
                q.search = "lee".into();
                q.missing_check = Some("bp".into());
            }),
            ["C"]
        );
    }

    #[test]
    fn sorting_by_a_column_either_way() {
        let c = cohort();
        let mut q = Query { sort: Sort::Age, ..Default::default() };
        assert_eq!(ids(&select(&c, &q, None).unwrap()), ["B", "C", "A", "D"]);
        q.descending = true;
        assert_eq!(ids(&select(&c, &q, None).unwrap()), ["D", "A", "C", "B"]);
        q = Query { sort: Sort::ImdQuintile, ..Default::default() };
        assert_eq!(ids(&select(&c, &q, None).unwrap()), ["B", "A", "D", "C"], "not recorded sorts first");
    }

    #[test]
    fn csv_has_the_chosen_columns_in_the_chosen_order() {
        let c = cohort();
        let rows = rows(&select(&c, &Query { missing_check: Some("bmi".into()), ..Default::default() }, None).unwrap());
        let csv = csv_export::worklist_csv(rows.clone(), &["nhs_number"], false).unwrap();
        assert_eq!(csv, "9990000002\r\n9990000004\r\n9990000001\r\n");
        let csv = csv_export::worklist_csv(rows[..1].to_vec(), &["name", "missing_checks"], true).unwrap();
        assert_eq!(csv, "name,missing_checks\r\nBob Ray,bmi: ; bp: \r\n");
        let e = csv_export::worklist_csv(rows, &["nhs_number", "postcode"], true).unwrap_err();
        assert!(e.starts_with("there is no column 'postcode'"), "{e}");
    }

    #[test]
    fn nhs_number_list_leaves_out_missing_and_invalid_numbers_by_name() {
        let mut c = cohort();
        c.members[0].nhs_number = None;
        c.members[2].nhs_number_valid = false;
        let list = nhs_number_list(&select(&c, &Query { sort: Sort::PatientId, ..Default::default() }, None).unwrap());
        assert_eq!(list.text, "9990000002\r\n9990000004\r\n");
        assert_eq!(list.included, 2);
        assert_eq!(list.left_out, ["A", "C"]);
    }
}
