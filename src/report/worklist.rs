//! Worklist queries: filter, search, sort and page one cohort's members,
//! so a page shows 50 rows of a 50,000-row list without ever holding the
//! whole list. The same query drives the CSV export of "the list as I see it".

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::priority::{missing_checks, PriorityKey};
use super::{csv_export, id_of, CohortReport, MemberReport, Report};
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
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Row<'a> {
    #[serde(flatten)]
    pub member: &'a MemberReport,
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

fn nhs_number_list(rows: &[Row]) -> NhsNumberList {
    let mut list = NhsNumberList::default();
    for Row { member: m, .. } in rows {
        match m.nhs_number.as_deref().filter(|_| m.nhs_number_valid) {
            Some(n) => {
                list.text.push_str(n);
                list.text.push_str("\r\n");
                list.included += 1;
            }
            None => list.left_out.push(m.patient_id.clone()),
        }
    }
    list
}

fn matches(q: &Query, m: &MemberReport, risk: Option<Score>, search: &str) -> bool {
    let any = |wanted: &[String], value: &str| wanted.is_empty() || wanted.iter().any(|w| w == value);
    let quintile = m.imd_quintile.map_or_else(|| "not_recorded".to_owned(), |v| v.to_string());
    any(&q.segments, &m.segment)
        && any(&q.imd_quintiles, &quintile)
        && any(&q.ethnicities, &id_of(&m.ethnicity_group))
        && any(&q.age_bands, m.age_band.label())
        && (q.flags.is_empty() || m.flags.iter().any(|f| q.flags.contains(f)))
        && q.missing_check.as_ref().is_none_or(|id| m.checks.iter().any(|c| &c.id == id && c.required && !c.done))
        && (q.tiers.is_empty() || risk.is_some_and(|r| q.tiers.contains(&r.tier)))
        && (search.is_empty()
            || m.patient_id.to_lowercase().contains(search)
            || m.nhs_number.as_deref().is_some_and(|n| n.contains(search))
            || m.name.as_deref().is_some_and(|n| n.to_lowercase().contains(search)))
}

/// The members matching the query, in its order (ties by patient id, so
/// the order is total and the same every time). A query that filters or
/// sorts by risk needs `risk`.
pub fn select<'a>(cohort: &'a CohortReport, q: &Query, risk: Option<&RiskById>) -> Result<Vec<Row<'a>>, String> {
    if risk.is_none() && (!q.tiers.is_empty() || q.sort == Sort::Risk) {
        return Err(NO_RISK_MODEL.into());
    }
    let search = q.search.trim().to_lowercase();
    let risk_of = |m: &MemberReport| risk.and_then(|r| r.get(&m.patient_id)).copied();
    let mut rows: Vec<Row> = cohort
        .members
        .iter()
        .map(|m| Row { member: m, risk: risk_of(m) })
        .filter(|r| matches(q, r.member, r.risk, &search))
        .collect();
    let priority = if q.priority.is_empty() { &PriorityKey::DEFAULT[..] } else { &q.priority[..] };
    rows.sort_by(|x, y| {
        let (a, b) = (x.member, y.member);
        let order = match q.sort {
            Sort::MissingChecks => missing_checks(b).cmp(&missing_checks(a)),
            Sort::Priority => priority.iter().fold(std::cmp::Ordering::Equal, |o, k| o.then_with(|| k.compare(a, b))),
            Sort::PatientId => std::cmp::Ordering::Equal,
            Sort::NhsNumber => a.nhs_number.cmp(&b.nhs_number),
            Sort::Name => a.name.cmp(&b.name),
            Sort::Age => a.age.cmp(&b.age),
            Sort::ImdQuintile => a.imd_quintile.cmp(&b.imd_quintile),
            Sort::Segment => a.segment.cmp(&b.segment),
            // The model's rank: highest risk first, ties as the tiers break them; unscored last.
            Sort::Risk => x.risk.map_or(u32::MAX, |r| r.rank).cmp(&y.risk.map_or(u32::MAX, |r| r.rank)),
        };
        let order = if q.descending { order.reverse() } else { order };
        order.then_with(|| a.patient_id.cmp(&b.patient_id))
    });
    Ok(rows)
}

impl Report {
    fn cohort_for(&self, q: &Query) -> Result<&CohortReport, String> {
        self.cohorts.get(&q.cohort).ok_or_else(|| format!("there is no cohort '{}'", q.cohort))
    }

    /// One page of a worklist; `risk` once the risk model is fitted.
    pub fn worklist_page<'a>(&'a self, q: &'a Query, risk: Option<&RiskById>) -> Result<Page<'a>, String> {
        let cohort = self.cohort_for(q)?;
        let rows = select(cohort, q, risk)?;
        let matching = rows.len();
        let limit = if q.limit == 0 { matching } else { q.limit };
        let rows = rows.into_iter().skip(q.offset).take(limit).collect();
        Ok(Page { cohort: &q.cohort, listed: cohort.members.len(), matching, offset: q.offset, rows })
    }

    /// The filtered, sorted list as NHS numbers, one per line with no header,
    /// for a GP system to import as a patient group. People with no valid
    /// NHS number cannot be imported: their patient ids come back apart.
    pub fn nhs_number_list(&self, q: &Query, risk: Option<&RiskById>) -> Result<NhsNumberList, String> {
        Ok(nhs_number_list(&select(self.cohort_for(q)?, q, risk)?))
    }

    /// The whole filtered, sorted list as CSV with the chosen columns.
    pub fn worklist_csv(
        &self,
        q: &Query,
        risk: Option<&RiskById>,
        columns: &[&str],
        header: bool,
    ) -> Result<String, String> {
        let cohort = self.cohort_for(q)?;
        if risk.is_none() && columns.iter().any(|c| csv_export::RISK_COLUMNS.contains(c)) {
            return Err(NO_RISK_MODEL.into());
        }
        csv_export::worklist_csv(&select(cohort, q, risk)?, columns, header)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AgeBand, EthnicityGroup, Sex};
    use crate::report::CheckReport;

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

    fn ids(rows: &[Row]) -> Vec<String> {
        rows.iter().map(|r| r.member.patient_id.clone()).collect()
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
        let rows = select(&c, &q(vec![], Sort::Risk), Some(&risk)).unwrap();
        let csv = csv_export::worklist_csv(&rows, &["patient_id", "risk_percent", "risk_tier"], true).unwrap();
        assert_eq!(csv, "patient_id,risk_percent,risk_tier\r\nA,61.5,1\r\nC,40.0,2\r\nD,12.3,3\r\nB,,\r\n");
        let json = serde_json::to_value(rows[0]).unwrap();
        assert_eq!(
            (&json["patient_id"], &json["risk"]["tier"], &json["risk"]["percent"]),
            (&"A".into(), &1.into(), &61.5.into())
        );
        assert!(serde_json::to_value(rows[3]).unwrap().get("risk").is_none());
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
        let rows = select(&c, &Query { missing_check: Some("bmi".into()), ..Default::default() }, None).unwrap();
        let csv = csv_export::worklist_csv(&rows, &["nhs_number"], false).unwrap();
        assert_eq!(csv, "9990000002\r\n9990000004\r\n9990000001\r\n");
        let csv = csv_export::worklist_csv(&rows[..1], &["name", "missing_checks"], true).unwrap();
        assert_eq!(csv, "name,missing_checks\r\nBob Ray,bmi: ; bp: \r\n");
        let e = csv_export::worklist_csv(&rows, &["nhs_number", "postcode"], true).unwrap_err();
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
