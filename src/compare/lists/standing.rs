//! One side of a comparison analysed, each person's standing for the
//! cohort on it, and the change between two standings in words.

use super::why_not::Walk;
use super::{Entry, Side, SideSummary, Status};
use crate::analysis::{self, Analysis, Member};
use crate::codes::Clusters;
use crate::model::{uk_date, Date, NotCurrent, Patient, PatientIdx};
use crate::record::RecordIndex;
use crate::report::{fmt_value, CheckReport, Explainer, Flags, ReasonReport, Recorded};
use crate::rules::plan::{CohortPlan, Plan};
use crate::Engine;

/// A side with its full pass, for looking people up and explaining them.
pub(super) struct Analysed<'a> {
    pub(super) plan: &'a Plan,
    pub(super) clusters: &'a Clusters,
    pub(super) cohort: usize,
    pub(super) side: Side<'a>,
    pub(super) analysis: Analysis,
    pub(super) flags: Flags,
}

/// A person's standing for the cohort on one side, in words.
pub(super) struct Standing {
    pub(super) status: Status,
    /// Why they are eligible (eligible people).
    pub(super) reasons: Vec<ReasonReport>,
    /// The checks that apply to them (eligible people).
    pub(super) checks: Vec<CheckReport>,
    /// Indices of the cohort's checks that do not apply to them (eligible people).
    pub(super) not_applying: Vec<usize>,
    /// The criteria they fail (people not eligible).
    pub(super) why_not: Vec<String>,
    /// The parts of the rule they meet all the same (people not eligible).
    held: Vec<ReasonReport>,
}

impl Standing {
    pub(super) fn bare(status: Status) -> Standing {
        Standing {
            status,
            reasons: Vec::new(),
            checks: Vec::new(),
            not_applying: Vec::new(),
            why_not: Vec::new(),
            held: Vec::new(),
        }
    }

    /// Required checks that apply and are not done.
    pub(super) fn missing(&self) -> impl Iterator<Item = &CheckReport> {
        self.checks.iter().filter(|c| c.required && !c.done)
    }

    pub(super) fn check(&self, id: &str) -> Option<&CheckReport> {
        self.checks.iter().find(|c| c.id == id)
    }
}

impl<'a> Analysed<'a> {
    pub(super) fn new(engine: &'a Engine, side: Side<'a>, cohort: usize) -> Analysed<'a> {
        let plan = &engine.plan;
        let analysis = analysis::analyse(plan, side.population, side.as_of);
        let flags = Flags::new(plan, &analysis, side.population.patients.len());
        Analysed { plan, clusters: &engine.clusters, cohort, side, analysis, flags }
    }

    pub(super) fn cohort_plan(&self) -> &'a CohortPlan {
        &self.plan.cohorts[self.cohort]
    }

    pub(super) fn explainer(&self) -> Explainer<'_> {
        Explainer { plan: self.plan, flags: &self.flags, pop: self.side.population, analysis: &self.analysis }
    }

    pub(super) fn summary(&self) -> SideSummary {
        SideSummary {
            label: self.side.label.clone(),
            as_of: Some(self.side.as_of.to_string()),
            count: self.analysis.cohorts[self.cohort].members.len(),
        }
    }

    pub(super) fn patient(&self, p: PatientIdx) -> &'a Patient {
        &self.side.population.patients[p as usize]
    }

    /// Patients are held in order of id.
    pub(super) fn find(&self, id: &str) -> Option<PatientIdx> {
        self.side.population.patients.binary_search_by(|p| p.id.as_str().cmp(id)).ok().map(|p| p as PatientIdx)
    }

    pub(super) fn member(&self, p: PatientIdx) -> Option<&Member> {
        let members = &self.analysis.cohorts[self.cohort].members;
        members.binary_search_by_key(&p, |m| m.patient).ok().map(|i| &members[i])
    }

    pub(super) fn status(&self, p: Option<PatientIdx>) -> Status {
        let Some(p) = p else { return Status::NotInExtract };
        match self.analysis.not_current[p as usize] {
            Some(NotCurrent::Deceased) => Status::Deceased,
            Some(NotCurrent::Deregistered) => Status::Deregistered,
            Some(NotCurrent::NotYetRegistered) => Status::NotYetRegistered,
            Some(NotCurrent::NotYetBorn) => Status::NotYetBorn,
            None => {
                let result = &self.analysis.cohorts[self.cohort];
                if self.member(p).is_some() {
                    Status::Listed
                } else if result.eligible.binary_search_by_key(&p, |e| e.patient).is_ok() {
                    Status::EligibleNotListed
                } else {
                    Status::NotEligible
                }
            }
        }
    }

    /// An entry with the person's ids and name from this side.
    pub(super) fn entry(&self, p: PatientIdx, before: Status, after: Status) -> Entry {
        let patient = self.patient(p);
        Entry {
            patient_id: Some(patient.id.clone()),
            nhs_number: patient.nhs_number.clone(),
            name: patient.name.clone(),
            status_before: before,
            status_after: after,
            why: Vec::new(),
            changed: false,
        }
    }

    /// A listed person's reasons and checks, from the full pass.
    pub(super) fn listed(&self, m: &Member) -> Standing {
        let ex = self.explainer();
        let cohort = self.cohort_plan();
        let mut s = Standing::bare(Status::Listed);
        s.reasons = m.reasons.iter().map(|r| ex.reason(r)).collect();
        for (k, o) in m.checks.iter().enumerate() {
            if o.applies {
                s.checks.push(ex.check(cohort, k, o));
            } else {
                s.not_applying.push(k);
            }
        }
        s
    }

    /// The person's standing, evaluated again on their own where the full
    /// pass does not keep enough to explain it.
    pub(super) fn standing(&self, p: Option<PatientIdx>) -> Standing {
        let status = self.status(p);
        let Some(p) = p.filter(|_| status.current()) else { return Standing::bare(status) };
        if let Some(m) = self.member(p) {
            return self.listed(m);
        }
        self.with_patient(p, |one, walk| {
            let mut s = Standing::bare(status);
            let ex = walk.ex;
            let cohort = self.cohort_plan();
            if one.eligible {
                s.reasons = one.reasons.iter().map(|r| ex.reason(r)).collect();
                for (k, o) in one.checks.iter().enumerate() {
                    if o.applies {
                        s.checks.push(ex.check(cohort, k, o));
                    } else {
                        s.not_applying.push(k);
                    }
                }
            } else {
                s.why_not = walk.why_not(&cohort.eligible);
                s.held = walk.held(&cohort.eligible).iter().map(|r| ex.reason(r)).collect();
            }
            s
        })
    }

    /// Why check `k` does not apply to the person.
    pub(super) fn why_not_applying(&self, p: PatientIdx, k: usize) -> Vec<String> {
        match &self.cohort_plan().checks[k].applies {
            Some(applies) => self.with_patient(p, |_, walk| walk.why_not(applies)),
            None => Vec::new(),
        }
    }

    /// Evaluates one current patient again and hands over a walker for more criteria.
    pub(super) fn with_patient<T>(&self, p: PatientIdx, f: impl FnOnce(&analysis::OnePatient, &mut Walk) -> T) -> T {
        let mut index = RecordIndex::new(self.plan.used_clusters.clone());
        let mut one =
            analysis::evaluate_one(self.plan, &mut index, self.side.population, p, self.side.as_of, self.cohort);
        let ex = self.explainer();
        let mut scratch = std::mem::take(&mut one.scratch);
        let (ctx, buf) = scratch.context(&one.facts);
        let mut walk = Walk { plan: self.plan, clusters: self.clusters, ex: &ex, rec: &one.rec, ctx: &ctx, buf };
        f(&one, &mut walk)
    }

    /// Why someone is not in this side's current population (or its extract).
    pub(super) fn gone(&self, p: PatientIdx, status: Status) -> String {
        let patient = self.patient(p);
        let day = |d: Option<Date>| d.map(uk_date).unwrap_or_default();
        match status {
            Status::Deceased => format!("died (date of death {})", day(patient.date_of_death)),
            Status::Deregistered => format!("deregistered on {}", day(patient.deregistered_date)),
            Status::NotYetRegistered => format!(
                "not yet registered on {} (registration date {})",
                uk_date(self.side.as_of),
                day(patient.registered_date)
            ),
            Status::NotYetBorn => format!(
                "not yet born on {} (date of birth {})",
                uk_date(self.side.as_of),
                uk_date(patient.date_of_birth)
            ),
            _ => self.not_in_extract(),
        }
    }

    pub(super) fn not_in_extract(&self) -> String {
        format!("not in the extract of {} ({})", uk_date(self.side.as_of), self.side.label)
    }
}

// ---------------------------------------------------------------- why, between two extracts

pub(super) fn entry_left(b: &Analysed, bp: PatientIdx, a: &Analysed, ap: Option<PatientIdx>) -> Entry {
    let before = b.listed(b.member(bp).expect("left means listed before"));
    let after = a.standing(ap);
    let mut entry = match ap {
        Some(ap) => a.entry(ap, Status::Listed, after.status),
        None => b.entry(bp, Status::Listed, after.status),
    };
    entry.why = match (after.status, ap) {
        (_, None) => vec![a.not_in_extract()],
        (Status::EligibleNotListed, Some(ap)) => {
            let mut why = Vec::new();
            for check in before.missing() {
                match after.check(&check.id) {
                    Some(now) if now.done => why.push(done_words(now)),
                    Some(now) => why.push(missing_words(now)),
                    None => why.extend(no_longer_applies(a, ap, &check.id, &check.title)),
                }
            }
            why
        }
        (Status::NotEligible, _) => std::iter::once("no longer eligible".to_owned())
            .chain(before.reasons.iter().map(|r| format!("was listed for: {}", reason_words(r))))
            .chain(after.why_not)
            .collect(),
        (status, Some(ap)) => vec![a.gone(ap, status)],
    };
    entry
}

pub(super) fn entry_joined(b: &Analysed, bp: Option<PatientIdx>, a: &Analysed, ap: PatientIdx) -> Entry {
    let before = b.standing(bp);
    let after = a.listed(a.member(ap).expect("joined means listed after"));
    let mut entry = a.entry(ap, before.status, Status::Listed);
    let mut why = Vec::new();
    match before.status {
        Status::EligibleNotListed => {
            for check in after.missing() {
                match before.check(&check.id) {
                    Some(_) => why.push(missing_words(check)),
                    None => why.push(format!("{} (it applies now)", missing_words(check))),
                }
            }
        }
        Status::NotEligible => {
            why.push("newly eligible".to_owned());
            let held: Vec<(&str, &Recorded)> = before.held.iter().map(reason_key).collect();
            let new: Vec<&ReasonReport> = after.reasons.iter().filter(|r| !held.contains(&reason_key(r))).collect();
            let shown = if new.is_empty() { after.reasons.iter().collect() } else { new };
            why.extend(shown.into_iter().map(reason_words));
            why.extend(after.missing().map(missing_words));
        }
        status => {
            why.push(arrived(b, bp, status, a.patient(ap)));
            why.extend(after.reasons.iter().map(reason_words));
            why.extend(after.missing().map(missing_words));
        }
    }
    entry.why = why;
    entry
}

pub(super) fn entry_both(b: &Analysed, bp: PatientIdx, a: &Analysed, ap: PatientIdx) -> Entry {
    let before = b.listed(b.member(bp).expect("listed before"));
    let after = a.listed(a.member(ap).expect("listed after"));
    let mut entry = a.entry(ap, Status::Listed, Status::Listed);
    let mut why = Vec::new();
    // A reason is its rule: the same rule met by a newer record (another
    // lithium issue, a later reading) is not a change in why someone is listed.
    let rules = |s: &Standing| s.reasons.iter().map(|r| r.rule.clone()).collect::<Vec<_>>();
    let (old, new) = (rules(&before), rules(&after));
    for r in after.reasons.iter().filter(|r| !old.contains(&r.rule)) {
        why.push(format!("new reason: {}", reason_words(r)));
    }
    for r in before.reasons.iter().filter(|r| !new.contains(&r.rule)) {
        why.push(format!("no longer a reason: {}", reason_words(r)));
    }
    for check in before.missing() {
        match after.check(&check.id) {
            Some(now) if now.done => why.push(done_words(now)),
            Some(_) => {}
            None => why.extend(no_longer_applies(a, ap, &check.id, &check.title)),
        }
    }
    for check in after.missing() {
        match before.check(&check.id) {
            Some(was) if !was.done => {}
            Some(_) => why.push(format!("{} now missing ({})", check.title, check.detail)),
            None => why.push(format!("{} now applies and is missing ({})", check.title, check.detail)),
        }
    }
    entry.changed = !why.is_empty();
    entry.why = why;
    entry
}

/// "Cervical screening no longer applies", and why not.
pub(super) fn no_longer_applies(a: &Analysed, ap: PatientIdx, id: &str, title: &str) -> Vec<String> {
    let k = a.cohort_plan().checks.iter().position(|c| c.id == id);
    let mut why = vec![format!("{title} no longer applies")];
    if let Some(k) = k {
        why.extend(a.why_not_applying(ap, k));
    }
    why
}

/// Why someone who was not in the earlier side's current population is now.
pub(super) fn arrived(b: &Analysed, bp: Option<PatientIdx>, status: Status, now: &Patient) -> String {
    let day = |d: Option<Date>| d.map(uk_date).unwrap_or_default();
    let was = bp.map(|p| b.patient(p));
    let registered_since = now.registered_date.filter(|&r| r > b.side.as_of);
    let extract = format!("the extract of {} ({})", uk_date(b.side.as_of), b.side.label);
    match (status, was) {
        (Status::NotYetRegistered, _) => format!("registered on {}", day(now.registered_date)),
        (Status::NotYetBorn, _) => format!("born on {}", uk_date(now.date_of_birth)),
        (Status::Deregistered, Some(was)) => match registered_since {
            Some(r) => format!(
                "deregistered on {} in {extract}; registered again on {}",
                day(was.deregistered_date),
                uk_date(r)
            ),
            None => format!("deregistered on {} in {extract}; not deregistered now", day(was.deregistered_date)),
        },
        (Status::Deceased, Some(was)) => {
            format!("date of death {} in {extract}; no date of death now", day(was.date_of_death))
        }
        _ => match registered_since {
            Some(r) => format!("not in {extract}; registered on {}", uk_date(r)),
            None => format!("not in {extract}"),
        },
    }
}

// ---------------------------------------------------------------- words

/// A reason's identity across extracts: its rule and the record behind it
/// (not the wording of its detail, so a birthday changes nothing).
pub(super) fn reason_key(r: &ReasonReport) -> (&str, &Recorded) {
    (&r.rule, &r.record)
}

/// "Rule (code term, 01/02/2026, 31.2 kg/m2)", or the rule with its detail.
pub(super) fn reason_words(r: &ReasonReport) -> String {
    let parts = record_parts(&r.record, r.detail.as_deref());
    match (r.rule.is_empty(), parts.is_empty()) {
        (_, true) => r.rule.clone(),
        (true, false) => parts.join(", "),
        (false, false) => format!("{} ({})", r.rule, parts.join(", ")),
    }
}

pub(super) fn record_parts(record: &Recorded, detail: Option<&str>) -> Vec<String> {
    let mut parts = Vec::new();
    if let Some(code) = &record.code {
        parts.push(match &record.term {
            Some(term) => format!("{code} {term}"),
            None => code.clone(),
        });
    }
    let date = record.date.as_deref().and_then(|d| d.parse::<Date>().ok()).map(uk_date);
    if let Some(date) = date.filter(|d| detail.is_none_or(|t| !t.contains(d.as_str()))) {
        parts.push(date);
    }
    if let Some(detail) = detail {
        parts.push(detail.to_owned());
    }
    // A detail other than "last recorded" already gives the value (a
    // reading, a count, a score).
    if detail.is_none_or(|t| t.starts_with("last recorded")) {
        if let Some(v) = record.value {
            parts.push(value_words(v, record.unit.as_deref()));
        }
    }
    parts
}

pub(super) fn value_words(v: f64, unit: Option<&str>) -> String {
    match unit {
        Some(u) => format!("{} {u}", fmt_value(v)),
        None => fmt_value(v),
    }
}

/// "BMI done on 03/11/2026 (60621009 Body mass index, 31.2 kg/m2)".
pub(super) fn done_words(c: &CheckReport) -> String {
    let plain = c.detail.starts_with("done");
    let head = if plain { format!("{} {}", c.title, c.detail) } else { format!("{} done: {}", c.title, c.detail) };
    let mut parts = Vec::new();
    if let Some(code) = &c.record.code {
        parts.push(match &c.record.term {
            Some(term) => format!("{code} {term}"),
            None => code.clone(),
        });
    }
    if let (true, Some(v)) = (plain, c.record.value) {
        parts.push(value_words(v, c.record.unit.as_deref()));
    }
    if parts.is_empty() {
        head
    } else {
        format!("{head} ({})", parts.join(", "))
    }
}

/// "Blood pressure: last done on 14/11/2025".
pub(super) fn missing_words(c: &CheckReport) -> String {
    format!("{}: {}", c.title, c.detail)
}
