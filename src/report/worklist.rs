//! Worklist queries: filter, search, sort and page one cohort's members,
//! so a page shows 50 rows of a 50,000-row list without ever holding the
//! whole list. The same query drives the CSV export of "the list as I see it".

use serde::{Deserialize, Serialize};

use super::priority::{missing_checks, PriorityKey};
use super::{csv_export, id_of, CohortReport, MemberReport, Report};

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
    pub rows: Vec<&'a MemberReport>,
}

/// NHS numbers for import, and the people who could not be included.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NhsNumberList {
    pub text: String,
    pub included: usize,
    /// Patient ids of members with no NHS number, or one failing its check digit.
    pub left_out: Vec<String>,
}

fn nhs_number_list(rows: &[&MemberReport]) -> NhsNumberList {
    let mut list = NhsNumberList::default();
    for m in rows {
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

fn matches(q: &Query, m: &MemberReport, search: &str) -> bool {
    let any = |wanted: &[String], value: &str| wanted.is_empty() || wanted.iter().any(|w| w == value);
    let quintile = m.imd_quintile.map_or_else(|| "not_recorded".to_owned(), |v| v.to_string());
    any(&q.segments, &m.segment)
        && any(&q.imd_quintiles, &quintile)
        && any(&q.ethnicities, &id_of(&m.ethnicity_group))
        && any(&q.age_bands, m.age_band.label())
        && (q.flags.is_empty() || m.flags.iter().any(|f| q.flags.contains(f)))
        && q.missing_check.as_ref().is_none_or(|id| m.checks.iter().any(|c| &c.id == id && c.required && !c.done))
        && (search.is_empty()
            || m.patient_id.to_lowercase().contains(search)
            || m.nhs_number.as_deref().is_some_and(|n| n.contains(search))
            || m.name.as_deref().is_some_and(|n| n.to_lowercase().contains(search)))
}

/// The members matching the query, in its order (ties by patient id, so
/// the order is total and the same every time).
pub fn select<'a>(cohort: &'a CohortReport, q: &Query) -> Vec<&'a MemberReport> {
    let search = q.search.trim().to_lowercase();
    let mut rows: Vec<&MemberReport> = cohort.members.iter().filter(|m| matches(q, m, &search)).collect();
    let priority = if q.priority.is_empty() { &PriorityKey::DEFAULT[..] } else { &q.priority[..] };
    rows.sort_by(|a, b| {
        let order = match q.sort {
            Sort::MissingChecks => missing_checks(b).cmp(&missing_checks(a)),
            Sort::Priority => priority.iter().fold(std::cmp::Ordering::Equal, |o, k| o.then_with(|| k.compare(a, b))),
            Sort::PatientId => std::cmp::Ordering::Equal,
            Sort::NhsNumber => a.nhs_number.cmp(&b.nhs_number),
            Sort::Name => a.name.cmp(&b.name),
            Sort::Age => a.age.cmp(&b.age),
            Sort::ImdQuintile => a.imd_quintile.cmp(&b.imd_quintile),
            Sort::Segment => a.segment.cmp(&b.segment),
        };
        let order = if q.descending { order.reverse() } else { order };
        order.then_with(|| a.patient_id.cmp(&b.patient_id))
    });
    rows
}

impl Report {
    fn cohort_for(&self, q: &Query) -> Result<&CohortReport, String> {
        self.cohorts.get(&q.cohort).ok_or_else(|| format!("there is no cohort '{}'", q.cohort))
    }

    /// One page of a worklist.
    pub fn worklist_page<'a>(&'a self, q: &'a Query) -> Result<Page<'a>, String> {
        let cohort = self.cohort_for(q)?;
        let rows = select(cohort, q);
        let matching = rows.len();
        let limit = if q.limit == 0 { matching } else { q.limit };
        let rows = rows.into_iter().skip(q.offset).take(limit).collect();
        Ok(Page { cohort: &q.cohort, listed: cohort.members.len(), matching, offset: q.offset, rows })
    }

    /// The filtered, sorted list as NHS numbers, one per line with no header,
    /// for a GP system to import as a patient group. People with no valid
    /// NHS number cannot be imported: their patient ids come back apart.
    pub fn nhs_number_list(&self, q: &Query) -> Result<NhsNumberList, String> {
        Ok(nhs_number_list(&select(self.cohort_for(q)?, q)))
    }

    /// The whole filtered, sorted list as CSV with the chosen columns.
    pub fn worklist_csv(&self, q: &Query, columns: &[&str], header: bool) -> Result<String, String> {
        let cohort = self.cohort_for(q)?;
        csv_export::worklist_csv(&select(cohort, q), columns, header)
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

    fn ids(rows: &[&MemberReport]) -> Vec<String> {
        rows.iter().map(|m| m.patient_id.clone()).collect()
    }

    #[test]
    fn default_order_is_most_missing_first_then_id() {
        assert_eq!(ids(&select(&cohort(), &Query::default())), ["B", "D", "A", "C"]);
    }

    #[test]
    fn filters_combine_and_search_is_case_insensitive() {
        let c = cohort();
        let q = |f: fn(&mut Query)| {
            let mut q = Query::default();
            f(&mut q);
            ids(&select(&c, &q))
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
        assert_eq!(ids(&select(&c, &q)), ["B", "C", "A", "D"]);
        q.descending = true;
        assert_eq!(ids(&select(&c, &q)), ["D", "A", "C", "B"]);
        q = Query { sort: Sort::ImdQuintile, ..Default::default() };
        assert_eq!(ids(&select(&c, &q)), ["B", "A", "D", "C"], "not recorded sorts first");
    }

    #[test]
    fn csv_has_the_chosen_columns_in_the_chosen_order() {
        let c = cohort();
        let rows = select(&c, &Query { missing_check: Some("bmi".into()), ..Default::default() });
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
        let list = nhs_number_list(&select(&c, &Query { sort: Sort::PatientId, ..Default::default() }));
        assert_eq!(list.text, "9990000002\r\n9990000004\r\n");
        assert_eq!(list.included, 2);
        assert_eq!(list.left_out, ["A", "C"]);
    }
}
