//! The report as a session keeps it: counts in words once, and members in
//! the analysis's compact form, put into words only for the rows asked for
//! (a page of a worklist, an export). A city's lists in words run to
//! gigabytes; the analysis they come from is a small part of that.

use std::borrow::Cow;

use super::explain::Explainer;
use super::worklist::{self, Listed, NhsNumberList, Page, Query, RiskById, Row, Selected};
use super::{counts, csv_export, priority, Flags, MemberReport, Report};
use crate::analysis::{Analysis, Member};
use crate::ingest::{FileReport, UnmappedCodes};
use crate::model::{AgeBand, EthnicityGroup, Patient, PatientIdx, Population};
use crate::rules::plan::Plan;

pub struct StoredReport {
    /// Everything but the member rows.
    summary: Report,
    analysis: Analysis,
    flags: Flags,
    /// The priority list: each person once, in patient id order, with
    /// their range in `memberships`.
    priority: Vec<(PatientIdx, std::ops::Range<u32>)>,
    /// (cohort, member) pairs: a person's lists in plan order.
    memberships: Vec<(u32, u32)>,
}

/// Which list a query reads.
#[derive(Clone, Copy)]
enum List {
    Cohort(usize),
    Priority,
}

/// One person on a list, read from the analysis without words.
#[derive(Clone, Copy)]
pub struct Entry<'a> {
    view: View<'a>,
    patient: &'a Patient,
    on: On,
}

#[derive(Clone, Copy)]
enum On {
    /// Member `.1` of cohort `.0`.
    Cohort(u32, u32),
    /// Person `.0` of the priority list.
    Priority(u32),
}

/// What an entry reads: the rules, the practice and the stored analysis.
#[derive(Clone, Copy)]
struct View<'a> {
    plan: &'a Plan,
    pop: &'a Population,
    stored: &'a StoredReport,
}

impl StoredReport {
    /// `files` are the ingest reports, in load order.
    pub fn new(
        plan: &Plan,
        pop: &Population,
        analysis: Analysis,
        files: Vec<FileReport>,
        unmapped_codes: UnmappedCodes,
    ) -> StoredReport {
        let mut summary = counts(plan, pop, &analysis, files, unmapped_codes);
        let flags = Flags::new(plan, &analysis, pop.patients.len());
        let mut listed: Vec<(PatientIdx, u32, u32)> = Vec::new();
        for (ci, _) in plan.cohorts.iter().enumerate().filter(|(_, c)| c.priority) {
            listed
                .extend(analysis.cohorts[ci].members.iter().enumerate().map(|(i, m)| (m.patient, ci as u32, i as u32)));
        }
        // As the worded priority list: by patient id, each person's lists in plan order (the sort is stable).
        listed.sort_by(|a, b| pop.patients[a.0 as usize].id.cmp(&pop.patients[b.0 as usize].id));
        let mut priority: Vec<(PatientIdx, std::ops::Range<u32>)> = Vec::new();
        for (k, &(p, _, _)) in listed.iter().enumerate() {
            match priority.last_mut() {
                Some((last, range)) if *last == p => range.end = k as u32 + 1,
                _ => priority.push((p, k as u32..k as u32 + 1)),
            }
        }
        let memberships = listed.into_iter().map(|(_, c, m)| (c, m)).collect();
        summary.cohorts.0.push((priority::PRIORITY_ID.to_owned(), priority::report(priority.len() as u64, Vec::new())));
        StoredReport { summary, analysis, flags, priority, memberships }
    }

    /// The report without member rows: what an overview needs.
    pub fn summary(&self) -> &Report {
        &self.summary
    }

    pub fn analysis(&self) -> &Analysis {
        &self.analysis
    }

    fn list(&self, plan: &Plan, q: &Query) -> Result<List, String> {
        if q.cohort == priority::PRIORITY_ID {
            return Ok(List::Priority);
        }
        plan.cohorts
            .iter()
            .position(|c| c.id == q.cohort)
            .map(List::Cohort)
            .ok_or_else(|| format!("there is no cohort '{}'", q.cohort))
    }

    fn entries<'a>(&'a self, plan: &'a Plan, pop: &'a Population, list: List) -> Vec<Entry<'a>> {
        let view = View { plan, pop, stored: self };
        let entry = |p: PatientIdx, on| Entry { view, patient: &pop.patients[p as usize], on };
        match list {
            List::Cohort(ci) => self.analysis.cohorts[ci]
                .members
                .iter()
                .enumerate()
                .map(|(i, m)| entry(m.patient, On::Cohort(ci as u32, i as u32)))
                .collect(),
            List::Priority => {
                self.priority.iter().enumerate().map(|(j, (p, _))| entry(*p, On::Priority(j as u32))).collect()
            }
        }
    }

    /// The people matching a query, in its order.
    fn select<'a>(
        &'a self,
        plan: &'a Plan,
        pop: &'a Population,
        q: &Query,
        risk: Option<&RiskById>,
    ) -> Result<(usize, Vec<Selected<Entry<'a>>>), String> {
        let list = self.list(plan, q)?;
        let entries = self.entries(plan, pop, list);
        let listed = entries.len();
        Ok((listed, worklist::select(entries, q, risk)?))
    }

    /// One page of a worklist, its rows in words; `risk` once the risk model is fitted.
    pub fn worklist_page<'a>(
        &'a self,
        plan: &'a Plan,
        pop: &'a Population,
        q: &'a Query,
        risk: Option<&RiskById>,
    ) -> Result<Page<'a>, String> {
        let (listed, selected) = self.select(plan, pop, q, risk)?;
        let rows = worklist::page_of(&selected, q).iter().map(|s| s.entry.row(s.risk)).collect();
        Ok(Page { cohort: &q.cohort, listed, matching: selected.len(), offset: q.offset, rows })
    }

    /// The filtered, sorted list as NHS numbers for a GP system's import.
    pub fn nhs_number_list(
        &self,
        plan: &Plan,
        pop: &Population,
        q: &Query,
        risk: Option<&RiskById>,
    ) -> Result<NhsNumberList, String> {
        Ok(worklist::nhs_number_list(&self.select(plan, pop, q, risk)?.1))
    }

    /// The whole filtered, sorted list as CSV with the chosen columns, each
    /// row put into words as it is written.
    pub fn worklist_csv(
        &self,
        plan: &Plan,
        pop: &Population,
        q: &Query,
        risk: Option<&RiskById>,
        columns: &[&str],
        header: bool,
    ) -> Result<String, String> {
        if risk.is_none() && columns.iter().any(|c| csv_export::RISK_COLUMNS.contains(c)) {
            return Err(worklist::NO_RISK_MODEL.into());
        }
        let (_, selected) = self.select(plan, pop, q, risk)?;
        csv_export::worklist_csv(selected.iter().map(|s| s.entry.row(s.risk)), columns, header)
    }
}

impl<'a> View<'a> {
    fn explainer(&self) -> Explainer<'a> {
        Explainer { plan: self.plan, pop: self.pop, analysis: &self.stored.analysis, flags: &self.stored.flags }
    }

    fn member(&self, ci: u32, i: u32) -> &'a Member {
        &self.stored.analysis.cohorts[ci as usize].members[i as usize]
    }

    /// A priority-list person's lists, as (cohort, member) pairs.
    fn memberships(&self, j: u32) -> &'a [(u32, u32)] {
        let range = &self.stored.priority[j as usize].1;
        &self.stored.memberships[range.start as usize..range.end as usize]
    }
}

impl<'a> Entry<'a> {
    fn p(&self) -> PatientIdx {
        match self.on {
            On::Cohort(ci, i) => self.view.member(ci, i).patient,
            On::Priority(j) => self.view.stored.priority[j as usize].0,
        }
    }

    /// The person's row in words, as the full report has it.
    fn row(&self, risk: Option<crate::risk::admission::Score>) -> Row<'static> {
        let (plan, explainer) = (self.view.plan, self.view.explainer());
        let member = match self.on {
            On::Cohort(ci, i) => explainer.member(&plan.cohorts[ci as usize], self.view.member(ci, i)),
            On::Priority(j) => {
                let mut row: Option<MemberReport> = None;
                for &(ci, i) in self.view.memberships(j) {
                    let cohort = &plan.cohorts[ci as usize];
                    let m = explainer.member(cohort, self.view.member(ci, i));
                    priority::add_list(&mut row, &cohort.id, &cohort.title, m);
                }
                row.expect("everyone on the priority list is on a list")
            }
        };
        Row { member: Cow::Owned(member), risk }
    }

    /// Each (cohort, member) this entry's checks come from.
    fn sources(&self) -> impl Iterator<Item = (u32, u32)> + 'a {
        let (one, many) = match self.on {
            On::Cohort(ci, i) => (Some((ci, i)), &[][..]),
            On::Priority(j) => (None, self.view.memberships(j)),
        };
        one.into_iter().chain(many.iter().copied())
    }

    /// Required checks that apply and are not done, as (cohort, check index).
    fn missing(&self) -> impl Iterator<Item = (u32, usize)> + 'a {
        let view = self.view;
        self.sources().flat_map(move |(ci, i)| {
            let checks = &view.plan.cohorts[ci as usize].checks;
            view.member(ci, i)
                .checks
                .iter()
                .enumerate()
                .filter(move |(k, o)| checks[*k].required && o.applies && !o.done)
                .map(move |(k, _)| (ci, k))
        })
    }

    fn flag_ids(&self) -> impl Iterator<Item = &'a str> + 'a {
        let plan = self.view.plan;
        self.view.stored.flags.of(self.p()).map(move |c| plan.cohorts[c].id.as_str())
    }
}

impl Listed for Entry<'_> {
    fn patient_id(&self) -> &str {
        &self.patient.id
    }
    fn nhs_number(&self) -> Option<&str> {
        self.patient.nhs_number.as_deref()
    }
    fn nhs_number_valid(&self) -> bool {
        self.patient.nhs_number_valid
    }
    fn name(&self) -> Option<&str> {
        self.patient.name.as_deref()
    }
    fn age(&self) -> i32 {
        self.patient.age_on(self.view.stored.analysis.as_of)
    }
    fn age_band(&self) -> AgeBand {
        AgeBand::of_age(self.age().max(0) as u32)
    }
    fn ethnicity(&self) -> EthnicityGroup {
        self.patient.ethnicity
    }
    fn imd_quintile(&self) -> Option<u8> {
        self.patient.imd_quintile()
    }
    fn segment(&self) -> &str {
        &self.view.plan.segments[self.view.stored.analysis.segment[self.p() as usize] as usize].id
    }
    fn has_any_flag(&self, ids: &[String]) -> bool {
        self.flag_ids().any(|f| ids.iter().any(|id| id == f))
    }
    fn core20_plus(&self) -> usize {
        self.flag_ids().filter(|f| *f == "core20" || *f == "plus").count()
    }
    fn is_missing(&self, check: &str) -> bool {
        let plan = self.view.plan;
        let prefixed = matches!(self.on, On::Priority(_));
        self.missing().any(|(ci, k)| {
            let (cohort, id) = (&plan.cohorts[ci as usize], &plan.cohorts[ci as usize].checks[k].id);
            if prefixed {
                check.strip_prefix(cohort.id.as_str()).and_then(|c| c.strip_prefix('.')) == Some(id)
            } else {
                check == id
            }
        })
    }
    fn missing_checks(&self) -> usize {
        self.missing().count()
    }
    fn lists(&self) -> usize {
        match self.on {
            On::Cohort(..) => 0,
            On::Priority(j) => self.view.memberships(j).len(),
        }
    }
    fn efi_deficits(&self) -> i64 {
        let score = self.view.stored.analysis.efi[self.p() as usize];
        score.category.map_or(-1, |_| score.deficits as i64)
    }
    fn qrisk(&self) -> f64 {
        self.view.stored.analysis.qrisk[self.p() as usize].map_or(-1.0, |q| (q.percent * 10.0).round() / 10.0)
    }
}
