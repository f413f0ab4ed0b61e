//! The report: what the CLI prints and the page shows.
//!
//! Built from an [`Analysis`]; turns evidence into text (codes, terms, UK
//! dates, values) only here, and only for people on a list. Maps keep the
//! rules' own order (cohorts as defined, segments by precedence), so the
//! same input and as-of date always give the same bytes.

pub mod csv_export;
pub mod equity;
mod explain;
mod ordered;
pub mod priority;
pub mod stored;
pub mod worklist;

use serde::Serialize;

pub use csv_export::{csv_files, worklist_csv, RISK_COLUMNS, WORKLIST_COLUMNS};
pub(crate) use explain::{fmt_value, Explainer};
pub use explain::{CheckReport, ReasonReport, Recorded};
pub use ordered::Ordered;

use crate::analysis::{Analysis, Eligible};
use crate::ingest::{FileReport, UnmappedCodes};
use crate::model::{AgeBand, Date, EthnicityGroup, NotCurrent, Patient, Population, Sex};
use crate::rules::plan::{CohortKind, EfiCategory, Members, Plan, SettingValue};

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub as_of: String,
    pub settings: Ordered<SettingValue>,
    pub segment_precedence: Vec<String>,
    /// Per input file: rows read, accepted, rejected, and the diagnostics.
    pub input: Ordered<FileReport>,
    /// The codes loaded that matched no cluster, most frequent first.
    pub unmapped_codes: UnmappedCodes,
    pub population: PopulationSummary,
    pub cohorts: Ordered<CohortReport>,
    pub segments: Ordered<u64>,
    pub efi: EfiReport,
    /// Long-term condition registers per person, in bands.
    pub multimorbidity: MultimorbidityReport,
    pub breakdowns: Breakdowns,
    /// The health equity audit: every check and list as a rate with its
    /// interval, by group, and the deprivation gap.
    pub equity: Vec<equity::Measure>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PopulationSummary {
    /// Patients accepted from the input.
    pub loaded: u64,
    /// Registered and alive on the as-of date: the people the lists cover.
    pub current: u64,
    pub deceased: u64,
    pub deregistered: u64,
    pub not_yet_registered: u64,
    pub not_yet_born: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CohortReport {
    pub title: String,
    pub kind: CohortKind,
    pub description: String,
    pub source: String,
    /// Who is listed: everyone eligible, or those missing a required check.
    pub members_are: Members,
    pub eligible: u64,
    /// People on the list.
    pub count: u64,
    pub checks: Ordered<CheckSummary>,
    /// Eligible people with every check done (cohorts with checks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_checks_done: Option<u64>,
    pub members: Vec<MemberReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckSummary {
    pub title: String,
    pub required: bool,
    /// Eligible people the check applies to (all of them unless it says whom).
    pub applies: u64,
    /// Eligible people with this check done.
    pub done: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberReport {
    pub patient_id: String,
    pub nhs_number: Option<String>,
    pub nhs_number_valid: bool,
    pub name: Option<String>,
    pub age: i32,
    pub sex: Sex,
    pub age_band: AgeBand,
    pub ethnicity_group: EthnicityGroup,
    pub imd_quintile: Option<u8>,
    pub core20: bool,
    pub segment: String,
    /// Why this segment: the first segment in precedence whose rule is met.
    pub segment_reasons: Vec<ReasonReport>,
    pub efi_category: Option<EfiCategory>,
    /// The electronic frailty index with the deficits present (65 and over).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub efi: Option<EfiMember>,
    /// Long-term condition registers the person is on (see the report's `multimorbidity`).
    pub ltc_count: u32,
    pub reasons: Vec<ReasonReport>,
    pub checks: Vec<CheckReport>,
    /// Ids of the flags (cohorts of kind "flag") the person has, e.g. core20, plus, smoker.
    pub flags: Vec<String>,
    /// QRISK where computed from recorded inputs or recorded (ages 25-84, no CVD).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qrisk: Option<QriskMember>,
    /// On the priority list: the titles of the lists the person is on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lists: Vec<String>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct QriskMember {
    /// 10-year risk in percent, to one place.
    pub percent: f64,
    /// "computed" (QRISK3 from recorded inputs) or "recorded" (the latest recorded score).
    pub source: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct EfiMember {
    pub deficits: u32,
    /// Deficits present / 36, to two places.
    pub score: f64,
    pub category: EfiCategory,
    /// Each deficit present: its first code, or the medicines counted.
    pub present: Vec<ReasonReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EfiReport {
    pub source: String,
    /// People in the current population old enough for a category.
    pub assessed: u64,
    pub categories: Ordered<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MultimorbidityReport {
    pub source: String,
    /// The register cohorts counted, by id.
    pub registers: Vec<String>,
    /// People in the current population (everyone is counted, at any age).
    pub assessed: u64,
    /// People per band: "0-1", "2-3" (multimorbidity), "4+" (complex multimorbidity).
    pub bands: Ordered<u64>,
    /// People on exactly n registers, at index n, up to the largest count found.
    pub by_count: Vec<u64>,
}

/// Counts per group for each equity dimension; "not_recorded" is a group.
#[derive(Debug, Clone, Serialize)]
pub struct Breakdowns {
    pub imd_quintile: Ordered<GroupCounts>,
    pub ethnicity: Ordered<GroupCounts>,
    pub sex: Ordered<GroupCounts>,
    pub age_band: Ordered<GroupCounts>,
}

impl Breakdowns {
    /// The tables in [`Dimension::ALL`] order.
    fn dimensions(&self) -> [&Ordered<GroupCounts>; 4] {
        [&self.imd_quintile, &self.ethnicity, &self.sex, &self.age_band]
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct GroupCounts {
    pub population: u64,
    pub segments: Ordered<u64>,
    pub cohorts: Ordered<CohortCounts>,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct CohortCounts {
    pub eligible: u64,
    pub count: u64,
}

/// Builds the report, every member in words. `files` are the ingest
/// reports, in load order.
pub fn build(
    plan: &Plan,
    pop: &Population,
    analysis: &Analysis,
    files: Vec<FileReport>,
    unmapped_codes: UnmappedCodes,
) -> Report {
    let mut report = counts(plan, pop, analysis, files, unmapped_codes);
    let flags = Flags::new(plan, analysis, pop.patients.len());
    let explainer = explain::Explainer { plan, pop, analysis, flags: &flags };
    for ((_, cohort), (c, r)) in report.cohorts.0.iter_mut().zip(plan.cohorts.iter().zip(&analysis.cohorts)) {
        cohort.members = r.members.iter().map(|m| explainer.member(c, m)).collect();
    }
    let priority_list = priority::cohort(plan, &report.cohorts.0);
    report.cohorts.0.push((priority::PRIORITY_ID.to_owned(), priority_list));
    report
}

/// The report without member rows and without the priority list, which
/// needs them (or [`stored::StoredReport`]'s index) to be counted.
fn counts(
    plan: &Plan,
    pop: &Population,
    analysis: &Analysis,
    files: Vec<FileReport>,
    unmapped_codes: UnmappedCodes,
) -> Report {
    let as_of = analysis.as_of;
    let mut population = PopulationSummary {
        loaded: pop.patients.len() as u64,
        current: 0,
        deceased: 0,
        deregistered: 0,
        not_yet_registered: 0,
        not_yet_born: 0,
    };
    for status in &analysis.not_current {
        match status {
            None => population.current += 1,
            Some(NotCurrent::Deceased) => population.deceased += 1,
            Some(NotCurrent::Deregistered) => population.deregistered += 1,
            Some(NotCurrent::NotYetRegistered) => population.not_yet_registered += 1,
            Some(NotCurrent::NotYetBorn) => population.not_yet_born += 1,
        }
    }

    let mut segment_counts = vec![0u64; plan.segments.len()];
    let mut efi_counts = [0u64; 4];
    let mut by_count: Vec<u64> = Vec::new();
    for (p, &s) in analysis.segment.iter().enumerate() {
        if s != u8::MAX {
            segment_counts[s as usize] += 1;
            let n = analysis.ltc_count[p] as usize;
            if by_count.len() <= n {
                by_count.resize(n + 1, 0);
            }
            by_count[n] += 1;
        }
        if let Some(c) = analysis.efi[p].category {
            efi_counts[c as usize] += 1;
        }
    }

    // Each person's group in every equity dimension, worked out once.
    let groups: Vec<[usize; 4]> = pop.patients.iter().map(|p| Dimension::ALL.map(|d| d.group(p, as_of))).collect();
    let breakdowns = breakdowns(plan, analysis, &groups);
    let cohorts = plan
        .cohorts
        .iter()
        .zip(&analysis.cohorts)
        .map(|(c, r)| {
            let checks = c
                .checks
                .iter()
                .enumerate()
                .map(|(k, check)| {
                    let bit = 1u64 << k;
                    let applies = r.eligible.iter().filter(|e| e.applies & bit != 0).count() as u64;
                    let done = r.eligible.iter().filter(|e| e.done & bit != 0).count() as u64;
                    let summary = CheckSummary { title: check.title.clone(), required: check.required, applies, done };
                    (check.id.clone(), summary)
                })
                .collect();
            let all_mask = (1u64 << c.checks.len()) - 1;
            let report = CohortReport {
                title: c.title.clone(),
                kind: c.kind,
                description: c.description.clone(),
                source: c.source.clone(),
                members_are: c.members,
                eligible: r.eligible.len() as u64,
                count: r.members.len() as u64,
                checks: Ordered(checks),
                all_checks_done: (!c.checks.is_empty())
                    .then(|| r.eligible.iter().filter(|e| e.all_done(all_mask)).count() as u64),
                members: Vec::new(),
            };
            (c.id.clone(), report)
        })
        .collect::<Vec<_>>();

    Report {
        as_of: as_of.to_string(),
        settings: Ordered(plan.settings.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
        segment_precedence: plan.segments.iter().map(|s| s.id.clone()).collect(),
        input: Ordered(files.into_iter().map(|f| (f.file.clone(), f)).collect()),
        unmapped_codes,
        population,
        cohorts: Ordered(cohorts),
        segments: Ordered(plan.segments.iter().map(|s| s.id.clone()).zip(segment_counts).collect()),
        efi: EfiReport {
            source: plan.efi.source.clone(),
            assessed: efi_counts.iter().sum(),
            categories: Ordered(
                EfiCategory::ALL.iter().map(|c| (c.label().to_owned(), efi_counts[*c as usize])).collect(),
            ),
        },
        multimorbidity: multimorbidity(plan, by_count),
        equity: equity::audit(plan, analysis, &groups, &breakdowns),
        breakdowns,
    }
}

fn multimorbidity(plan: &Plan, by_count: Vec<u64>) -> MultimorbidityReport {
    use crate::risk::multimorbidity::{register_cohorts, Band, SOURCE};
    let mut bands = [0u64; 3];
    for (n, &people) in by_count.iter().enumerate() {
        bands[Band::of(n as u32) as usize] += people;
    }
    MultimorbidityReport {
        source: SOURCE.to_owned(),
        registers: register_cohorts(plan).into_iter().map(|c| plan.cohorts[c].id.clone()).collect(),
        assessed: by_count.iter().sum(),
        bands: Ordered(Band::ALL.iter().map(|b| (b.id().to_owned(), bands[*b as usize])).collect()),
        by_count,
    }
}

/// Who has which flag (the cohorts of kind "flag": Core20, PLUS, smoker).
pub struct Flags {
    /// Indices into `plan.cohorts` of the flags, at most 64.
    pub cohorts: Vec<usize>,
    /// Per patient: bit i set if they have flag `cohorts[i]`.
    bits: Vec<u64>,
}

impl Flags {
    pub(crate) fn new(plan: &Plan, analysis: &Analysis, patients: usize) -> Flags {
        let cohorts: Vec<usize> = plan
            .cohorts
            .iter()
            .enumerate()
            .filter(|(_, c)| c.kind == CohortKind::Flag)
            .map(|(i, _)| i)
            .take(64)
            .collect();
        let mut bits = vec![0u64; patients];
        for (i, &c) in cohorts.iter().enumerate() {
            for e in &analysis.cohorts[c].eligible {
                bits[e.patient as usize] |= 1 << i;
            }
        }
        Flags { cohorts, bits }
    }

    /// The cohort indices of a patient's flags.
    pub fn of(&self, p: crate::model::PatientIdx) -> impl Iterator<Item = usize> + '_ {
        let bits = self.bits[p as usize];
        self.cohorts.iter().enumerate().filter(move |(i, _)| bits & (1 << i) != 0).map(|(_, &c)| c)
    }
}

/// The equity dimensions: each person is in exactly one group of each.
#[derive(Clone, Copy)]
enum Dimension {
    ImdQuintile,
    Ethnicity,
    Sex,
    AgeBand,
}

impl Dimension {
    const ALL: [Dimension; 4] = [Dimension::ImdQuintile, Dimension::Ethnicity, Dimension::Sex, Dimension::AgeBand];

    /// The dimension's id, as the breakdowns name it.
    fn id(self) -> &'static str {
        match self {
            Dimension::ImdQuintile => "imd_quintile",
            Dimension::Ethnicity => "ethnicity",
            Dimension::Sex => "sex",
            Dimension::AgeBand => "age_band",
        }
    }

    /// Group ids in display order; "not_recorded" is a group of its own.
    fn groups(self) -> Vec<String> {
        match self {
            Dimension::ImdQuintile => (1..=5).map(|q| q.to_string()).chain(["not_recorded".to_owned()]).collect(),
            Dimension::Ethnicity => EthnicityGroup::ALL.iter().map(id_of).collect(),
            Dimension::Sex => Sex::ALL.iter().map(id_of).collect(),
            Dimension::AgeBand => AgeBand::ALL.iter().map(|b| b.label().to_owned()).collect(),
        }
    }

    /// The index of `p`'s group in [`Dimension::groups`].
    fn group(self, p: &Patient, as_of: Date) -> usize {
        match self {
            Dimension::ImdQuintile => p.imd_quintile().map_or(5, |q| q as usize - 1),
            Dimension::Ethnicity => EthnicityGroup::ALL.iter().position(|g| *g == p.ethnicity).unwrap(),
            Dimension::Sex => Sex::ALL.iter().position(|s| *s == p.sex).unwrap(),
            Dimension::AgeBand => {
                let band = AgeBand::of_age(p.age_on(as_of).max(0) as u32);
                AgeBand::ALL.iter().position(|b| *b == band).unwrap()
            }
        }
    }
}

fn breakdowns(plan: &Plan, analysis: &Analysis, groups: &[[usize; 4]]) -> Breakdowns {
    let empty = || GroupCounts {
        population: 0,
        segments: Ordered(plan.segments.iter().map(|s| (s.id.clone(), 0)).collect()),
        cohorts: Ordered(plan.cohorts.iter().map(|c| (c.id.clone(), CohortCounts::default())).collect()),
    };
    let mut tables: Vec<Vec<GroupCounts>> =
        Dimension::ALL.iter().map(|d| d.groups().iter().map(|_| empty()).collect()).collect();

    for (p, g) in groups.iter().enumerate() {
        if analysis.not_current[p].is_some() {
            continue;
        }
        for (d, &group) in g.iter().enumerate() {
            let counts = &mut tables[d][group];
            counts.population += 1;
            counts.segments.0[analysis.segment[p] as usize].1 += 1;
        }
    }
    for (ci, result) in analysis.cohorts.iter().enumerate() {
        for &Eligible { patient: p, .. } in &result.eligible {
            for (d, &group) in groups[p as usize].iter().enumerate() {
                tables[d][group].cohorts.0[ci].1.eligible += 1;
            }
        }
        for m in &result.members {
            for (d, &group) in groups[m.patient as usize].iter().enumerate() {
                tables[d][group].cohorts.0[ci].1.count += 1;
            }
        }
    }
    let mut tables = Dimension::ALL.iter().zip(tables).map(|(d, t)| Ordered(d.groups().into_iter().zip(t).collect()));
    Breakdowns {
        imd_quintile: tables.next().unwrap(),
        ethnicity: tables.next().unwrap(),
        sex: tables.next().unwrap(),
        age_band: tables.next().unwrap(),
    }
}

/// The serde name of a unit enum value (its id in the report).
pub(crate) fn id_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => unreachable!("report ids are plain strings"),
    }
}

impl Report {
    /// Compact JSON: a city-sized report runs to hundreds of megabytes.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a report always serialises")
    }

    pub fn write_json(&self, out: impl std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer(out, self).map_err(std::io::Error::from)
    }
}

/// What the rules are, for the Definitions view: each cohort and segment
/// with its source and rule file, the settings, and every cluster's codes.
#[derive(Debug, Clone, Serialize)]
pub struct Definitions<'a> {
    pub cohorts: Vec<CohortDefinition<'a>>,
    pub segments: Vec<SegmentDefinition<'a>>,
    pub settings: &'a std::collections::BTreeMap<String, SettingValue>,
    pub efi_source: &'a str,
    pub clusters: Vec<&'a crate::codes::Cluster>,
    /// The rule files as written, so a reader can see each cohort's rule.
    pub rule_files: &'a [crate::rules::RuleSource],
}

#[derive(Debug, Clone, Serialize)]
pub struct CohortDefinition<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub kind: CohortKind,
    pub description: &'a str,
    pub source: &'a str,
    /// The name of the rule file the cohort is defined in (see `rule_files`).
    pub rule_file: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct SegmentDefinition<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
}

pub fn definitions(engine: &crate::Engine) -> Definitions<'_> {
    let (plan, clusters) = (&engine.plan, &engine.clusters);
    Definitions {
        cohorts: plan
            .cohorts
            .iter()
            .map(|c| CohortDefinition {
                id: &c.id,
                title: &c.title,
                kind: c.kind,
                description: &c.description,
                source: &c.source,
                rule_file: &c.file,
            })
            .collect(),
        segments: plan
            .segments
            .iter()
            .map(|s| SegmentDefinition { id: &s.id, title: &s.title, description: &s.description })
            .collect(),
        settings: &plan.settings,
        efi_source: &plan.efi.source,
        clusters: clusters.iter().collect(),
        rule_files: &engine.rule_sources,
    }
}
