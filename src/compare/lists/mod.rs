//! List comparison: who joined, who left, who is on both, and why.
//!
//! One cohort's list in two extracts (each analysed on its own as-of date,
//! people matched by the practice's patient id), or our list against a list
//! of NHS numbers exported from a GP system's search (matched by valid NHS
//! number). Everyone who joined or left, or is only on the other list, gets
//! reasons in words that can be checked against the record: their status for
//! the cohort on each side (not in the extract, died, left, not eligible,
//! eligible with every check done, listed) and the codes, dates and values
//! behind the change.
//!
//! Lists come from the same full pass as the report; people who need more
//! explaining than the report keeps (anyone eligible but not listed, or not
//! eligible) are evaluated again on their own by the same code.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::ingest::{nhs_number_check, NhsNumber};
use crate::model::{Date, Patient, PatientIdx, Population};
use crate::rules::plan::Plan;
use crate::Engine;

mod nhs_list;
mod standing;
mod why_not;

pub use nhs_list::{read_nhs_number_list, ListDiagnostic, ListedNumber, NhsNumberList};
use standing::{done_words, entry_both, entry_joined, entry_left, missing_words, reason_words, Analysed};

/// One side of a comparison: an extract and the date it is analysed on.
pub struct Side<'a> {
    pub population: &'a Population,
    pub as_of: Date,
    /// How the side is named, e.g. "last month".
    pub label: String,
}

/// A person's standing for the cohort on one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Not in that side's extract (for a list of NHS numbers: not on it).
    NotInExtract,
    NotYetBorn,
    Deceased,
    Deregistered,
    NotYetRegistered,
    NotEligible,
    /// Eligible for a cohort that lists people missing checks, with every required check done.
    EligibleNotListed,
    Listed,
}

impl Status {
    pub fn id(self) -> &'static str {
        match self {
            Status::NotInExtract => "not_in_extract",
            Status::NotYetBorn => "not_yet_born",
            Status::Deceased => "deceased",
            Status::Deregistered => "deregistered",
            Status::NotYetRegistered => "not_yet_registered",
            Status::NotEligible => "not_eligible",
            Status::EligibleNotListed => "eligible_not_listed",
            Status::Listed => "listed",
        }
    }

    fn current(self) -> bool {
        matches!(self, Status::NotEligible | Status::EligibleNotListed | Status::Listed)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    PatientId,
    NhsNumber,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SideSummary {
    pub label: String,
    /// yyyy-mm-dd; none for a list of NHS numbers.
    pub as_of: Option<String>,
    /// People on the list on this side.
    pub count: usize,
}

/// One person in a group of the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub patient_id: Option<String>,
    pub nhs_number: Option<String>,
    pub name: Option<String>,
    pub status_before: Status,
    pub status_after: Status,
    /// Why they joined or left, or what changed, in words to check against the record.
    pub why: Vec<String>,
    /// On both lists, with reasons or missing checks that changed.
    pub changed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListComparison {
    pub cohort: String,
    pub title: String,
    pub matched_by: MatchedBy,
    /// The earlier extract, or the list of NHS numbers.
    pub before: SideSummary,
    /// The later extract, or ours.
    pub after: SideSummary,
    /// On the list after and not before (only on ours).
    pub joined: Vec<Entry>,
    /// On the list before and not after (only on theirs).
    pub left: Vec<Entry>,
    pub both: Vec<Entry>,
    pub their_list: Option<TheirList>,
}

/// How a list of NHS numbers was read, as a comparison reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TheirList {
    pub file: String,
    /// Lines read.
    pub read: usize,
    /// Distinct valid NHS numbers.
    pub numbers: usize,
    /// Lines that gave no new number: read = numbers + not_used.
    pub not_used: usize,
    /// The column the numbers came from, when the file has a header.
    pub column: Option<String>,
    pub diagnostics: Vec<ListDiagnostic>,
}

// ---------------------------------------------------------------- comparisons

fn cohort_index(plan: &Plan, cohort: &str) -> Result<usize, String> {
    plan.cohorts.iter().position(|c| c.id == cohort).ok_or_else(|| {
        if cohort == crate::report::priority::PRIORITY_ID {
            "the priority list cannot be compared as a whole: compare one of the lists on it".to_owned()
        } else {
            format!("there is no cohort '{cohort}'")
        }
    })
}

/// Compares one cohort's list in two extracts, matching people by patient id.
pub fn compare_extracts(engine: &Engine, before: Side, after: Side, cohort: &str) -> Result<ListComparison, String> {
    let plan = &engine.plan;
    let ci = cohort_index(plan, cohort)?;
    let b = Analysed::new(engine, before, ci);
    let a = Analysed::new(engine, after, ci);
    let (mut joined, mut left, mut both) = (Vec::new(), Vec::new(), Vec::new());

    let (bm, am) = (&b.analysis.cohorts[ci].members, &a.analysis.cohorts[ci].members);
    let (mut i, mut j) = (0, 0);
    while i < bm.len() || j < am.len() {
        let bid = bm.get(i).map(|m| b.patient(m.patient).id.as_str());
        let aid = am.get(j).map(|m| a.patient(m.patient).id.as_str());
        let order = match (bid, aid) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => Ordering::Less,
            _ => Ordering::Greater,
        };
        match order {
            Ordering::Equal => {
                let (bp, ap) = (bm[i].patient, am[j].patient);
                both.push(entry_both(&b, bp, &a, ap));
                i += 1;
                j += 1;
            }
            Ordering::Less => {
                let bp = bm[i].patient;
                let ap = a.find(&b.patient(bp).id);
                left.push(entry_left(&b, bp, &a, ap));
                i += 1;
            }
            Ordering::Greater => {
                let ap = am[j].patient;
                let bp = b.find(&a.patient(ap).id);
                joined.push(entry_joined(&b, bp, &a, ap));
                j += 1;
            }
        }
    }
    let c = &plan.cohorts[ci];
    Ok(ListComparison {
        cohort: c.id.clone(),
        title: c.title.clone(),
        matched_by: MatchedBy::PatientId,
        before: b.summary(),
        after: a.summary(),
        joined,
        left,
        both,
        their_list: None,
    })
}

/// Compares our list with a list of NHS numbers (say an EMIS Web or
/// SystmOne search), matching by valid NHS number. "before" is their list
/// and "after" ours: joined = only on ours, left = only on theirs.
pub fn compare_with_nhs_numbers(
    engine: &Engine,
    ours: Side,
    theirs: &NhsNumberList,
    cohort: &str,
) -> Result<ListComparison, String> {
    let plan = &engine.plan;
    let ci = cohort_index(plan, cohort)?;
    let o = Analysed::new(engine, ours, ci);
    let their_numbers: HashSet<&str> = theirs.numbers.iter().map(|n| n.number.as_str()).collect();
    let mut by_number: HashMap<&str, Vec<PatientIdx>> = HashMap::new();
    for (p, patient) in o.side.population.patients.iter().enumerate() {
        if let Some(n) = valid_number(patient) {
            by_number.entry(n).or_default().push(p as PatientIdx);
        }
    }

    let (mut only_ours, mut both) = (Vec::new(), Vec::new());
    let mut matched: HashSet<&str> = HashSet::new();
    for m in &o.analysis.cohorts[ci].members {
        let patient = o.patient(m.patient);
        let number = valid_number(patient);
        let mut entry = o.entry(m.patient, Status::NotInExtract, Status::Listed);
        match number.filter(|n| their_numbers.contains(n)) {
            Some(n) => {
                matched.insert(n);
                entry.status_before = Status::Listed;
                both.push(entry);
            }
            None => {
                if number.is_none() {
                    entry.why.push(match patient.nhs_number {
                        None => "no NHS number recorded, so it could not be matched".into(),
                        Some(_) => "the NHS number recorded is not valid, so it could not be matched".into(),
                    });
                }
                let listed = o.listed(m);
                entry.why.extend(listed.reasons.iter().map(reason_words));
                entry.why.extend(listed.missing().map(missing_words));
                only_ours.push(entry);
            }
        }
    }

    let mut only_theirs = Vec::new();
    for listed in theirs.numbers.iter().filter(|n| !matched.contains(n.number.as_str())) {
        let candidates = by_number.get(listed.number.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        let best = candidates.iter().copied().max_by_key(|&p| (o.status(Some(p)), std::cmp::Reverse(p)));
        let entry = match best {
            None => Entry {
                patient_id: None,
                nhs_number: Some(listed.number.clone()),
                name: None,
                status_before: Status::Listed,
                status_after: Status::NotInExtract,
                why: vec!["no patient in our extract has this NHS number".into()],
                changed: false,
            },
            Some(p) => {
                let standing = o.standing(Some(p));
                let mut entry = o.entry(p, Status::Listed, standing.status);
                entry.nhs_number = Some(listed.number.clone());
                entry.why = match standing.status {
                    Status::NotEligible => std::iter::once("not eligible".to_owned()).chain(standing.why_not).collect(),
                    Status::EligibleNotListed => std::iter::once("eligible, with every required check done".to_owned())
                        .chain(standing.checks.iter().filter(|c| c.required).map(done_words))
                        .collect(),
                    status => vec![o.gone(p, status)],
                };
                entry
            }
        };
        only_theirs.push(entry);
    }
    only_theirs.sort_by(|x, y| {
        (x.patient_id.is_none(), &x.patient_id, &x.nhs_number).cmp(&(
            y.patient_id.is_none(),
            &y.patient_id,
            &y.nhs_number,
        ))
    });

    let c = &plan.cohorts[ci];
    Ok(ListComparison {
        cohort: c.id.clone(),
        title: c.title.clone(),
        matched_by: MatchedBy::NhsNumber,
        before: SideSummary { label: theirs.label.clone(), as_of: None, count: theirs.numbers.len() },
        after: o.summary(),
        joined: only_ours,
        left: only_theirs,
        both,
        their_list: Some(theirs.summary()),
    })
}

fn group<'a>(c: &'a ListComparison, group: &str) -> Result<&'a [Entry], String> {
    match group {
        "joined" => Ok(&c.joined),
        "left" => Ok(&c.left),
        "both" => Ok(&c.both),
        other => Err(format!("there is no group '{other}' (joined, left or both)")),
    }
}

/// One group as CSV: patient_id, nhs_number, name, status_before,
/// status_after and why (its sentences joined with "; ").
pub fn comparison_csv(c: &ListComparison, group_id: &str) -> Result<String, String> {
    let entries = group(c, group_id)?;
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let failed = |e: csv::Error| e.to_string();
    w.write_record(["patient_id", "nhs_number", "name", "status_before", "status_after", "why"]).map_err(failed)?;
    for e in entries {
        w.write_record([
            e.patient_id.as_deref().unwrap_or(""),
            e.nhs_number.as_deref().unwrap_or(""),
            e.name.as_deref().unwrap_or(""),
            e.status_before.id(),
            e.status_after.id(),
            &e.why.join("; "),
        ])
        .map_err(failed)?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// One group's valid NHS numbers, each once, one per line with no header:
/// a list a GP system can import as a patient group.
pub fn comparison_nhs_numbers(c: &ListComparison, group_id: &str) -> Result<String, String> {
    let entries = group(c, group_id)?;
    let mut seen = HashSet::new();
    let mut text = String::new();
    for n in entries.iter().filter_map(|e| e.nhs_number.as_deref()) {
        if let NhsNumber::Valid(n) = nhs_number_check(n) {
            if seen.insert(n.clone()) {
                text.push_str(&n);
                text.push_str("\r\n");
            }
        }
    }
    Ok(text)
}

fn valid_number(p: &Patient) -> Option<&str> {
    p.nhs_number.as_deref().filter(|_| p.nhs_number_valid)
}
