//! The practice summary file, schema version 1: for every cohort and
//! check (and every segment), how many people it counts out of how many,
//! overall and by IMD quintile, ethnic group, sex and age band. No
//! patient-level field of any kind.
//!
//! A summary is exact while it stays on the machine that holds the extract
//! (the PCN view uses exact figures for extracts it read itself) and is
//! disclosed ([`super::disclosure`]) whenever it is written out. Reading a
//! summary checks it as strictly as an extract: a shared file holding a
//! count of 1 to 7 is refused, never shown.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::disclosure::{disclose, Disclosure, SUPPRESS_UP_TO};
use crate::model::{AgeBand, EthnicityGroup, Population, Sex};
use crate::report::{id_of, Report};
use crate::rules::plan::Plan;
use crate::Engine;

/// The `schema` field of every summary file.
pub const SCHEMA: &str = "cohort-finder-practice-summary";
/// The version this build writes and reads.
pub const VERSION: u32 = 1;

/// One summary file: one or more practices on the same definitions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryFile {
    pub schema: String,
    pub version: u32,
    /// The software and version that made it.
    pub software: String,
    /// yyyy-mm-dd: the date the lists were drawn up for.
    pub as_of: String,
    pub disclosure: Disclosure,
    /// Every setting's value, so a PCN can see when practices differ.
    pub settings: BTreeMap<String, serde_json::Value>,
    /// Names of local rule files in use (local cohorts and PLUS groups).
    pub local_rule_files: Vec<String>,
    pub dimensions: Vec<DimensionInfo>,
    pub indicators: Vec<Indicator>,
    pub practices: Vec<PracticeFigures>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DimensionInfo {
    pub id: String,
    pub title: String,
    pub groups: Vec<GroupInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInfo {
    pub id: String,
    pub label: String,
}

/// What one figure counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    /// `cohort.check`, `cohort`, or `segment.id`.
    pub id: String,
    /// "check", "list", "register", "flag" or "segment".
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cohort: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    pub title: String,
    /// What the numerator counts ("done", "on the list", …).
    pub numerator: String,
    /// What the denominator counts ("eligible", "registered patients").
    pub denominator: String,
    /// "better", "worse" or "neither": what a higher rate means.
    pub higher_is: String,
}

/// One practice's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PracticeFigures {
    /// The practice's ODS code, or the name it was given.
    pub code: String,
    /// Registered patients on the as-of date.
    pub registered: Option<u64>,
    /// Indicator id → figures.
    pub values: BTreeMap<String, Figures>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub total: Cell,
    /// Dimension id → group id → cell.
    pub by: BTreeMap<String, BTreeMap<String, Cell>>,
}

/// A numerator out of a denominator; `None` is a suppressed count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    pub numerator: Option<u64>,
    pub denominator: Option<u64>,
}

impl Cell {
    fn exact(numerator: u64, denominator: u64) -> Cell {
        Cell { numerator: Some(numerator), denominator: Some(denominator) }
    }

    /// Both counts disclosed. A numerator is never shown over a
    /// suppressed denominator: the rate would say how small the group is.
    fn disclosed(self) -> Cell {
        let denominator = self.denominator.and_then(disclose);
        let numerator = denominator.and(self.numerator.and_then(disclose));
        Cell { numerator, denominator }
    }
}

impl SummaryFile {
    /// The file as shared: every count disclosed.
    pub fn disclosed(&self) -> SummaryFile {
        if !self.disclosure.exact {
            return self.clone();
        }
        let practices = self
            .practices
            .iter()
            .map(|p| PracticeFigures {
                code: p.code.clone(),
                registered: p.registered.and_then(disclose),
                values: p
                    .values
                    .iter()
                    .map(|(id, f)| {
                        let by =
                            f.by.iter()
                                .map(|(d, groups)| {
                                    (d.clone(), groups.iter().map(|(g, c)| (g.clone(), c.disclosed())).collect())
                                })
                                .collect();
                        (id.clone(), Figures { total: f.total.disclosed(), by })
                    })
                    .collect(),
            })
            .collect();
        SummaryFile { disclosure: Disclosure::shared(), practices, ..self.clone() }
    }

    /// Pretty JSON, as written to a file.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a summary always serialises") + "\n"
    }
}

/// The exact summary of a loaded extract as of the report's date: one
/// practice per practice code in the patients file (people with none go
/// under `fallback_code`), each analysed on its own. `report` is the
/// whole extract's report, reused when there is only one practice.
pub fn summarise(engine: &Engine, pop: &Population, report: &Report, fallback_code: &str) -> SummaryFile {
    let as_of: crate::model::Date = report.as_of.parse().expect("a report's as-of date is ISO");
    let groups = pop.by_practice(fallback_code);
    let practices = if groups.len() <= 1 {
        let code = groups.first().map_or(fallback_code.to_owned(), |(c, _)| c.clone());
        vec![figures(&engine.plan, &code, report)]
    } else {
        groups
            .iter()
            .map(|(code, patients)| {
                let part = pop.subset(patients);
                figures(&engine.plan, code, &engine.report(&part, Vec::new(), as_of))
            })
            .collect()
    };
    SummaryFile {
        schema: SCHEMA.into(),
        version: VERSION,
        software: concat!("cohort-finder ", env!("CARGO_PKG_VERSION")).into(),
        as_of: report.as_of.clone(),
        disclosure: Disclosure::exact(),
        settings: report
            .settings
            .0
            .iter()
            .map(|(id, s)| (id.clone(), serde_json::to_value(&s.value).expect("settings are plain values")))
            .collect(),
        local_rule_files: engine
            .rule_sources
            .iter()
            .filter(|s| !crate::rules::BUILTIN.iter().any(|(name, _)| *name == s.name))
            .map(|s| s.name.clone())
            .collect(),
        dimensions: dimensions(),
        indicators: indicators(&engine.plan, report),
        practices,
    }
}

fn dimensions() -> Vec<DimensionInfo> {
    let group = |id: &str, label: &str| GroupInfo { id: id.into(), label: label.into() };
    let imd = (1..=5)
        .map(|q| {
            let label = match q {
                1 => "1 (most deprived)".to_owned(),
                5 => "5 (least deprived)".to_owned(),
                q => q.to_string(),
            };
            group(&q.to_string(), &label)
        })
        .chain([group("not_recorded", "not recorded")])
        .collect();
    let dimension = |id: &str, title: &str, groups| DimensionInfo { id: id.into(), title: title.into(), groups };
    vec![
        dimension("imd_quintile", "IMD quintile", imd),
        dimension(
            "ethnicity",
            "Ethnic group",
            EthnicityGroup::ALL.iter().map(|g| group(&id_of(g), g.label())).collect(),
        ),
        dimension("sex", "Sex", Sex::ALL.iter().map(|s| group(&id_of(s), s.label())).collect()),
        dimension("age_band", "Age band", AgeBand::ALL.iter().map(|b| group(b.label(), b.label())).collect()),
    ]
}

/// The equity audit's measures, then one per segment.
fn indicators(plan: &Plan, report: &Report) -> Vec<Indicator> {
    let kinds: BTreeMap<&str, &str> = plan
        .cohorts
        .iter()
        .map(|c| {
            let kind = match c.kind {
                crate::rules::plan::CohortKind::Register => "register",
                crate::rules::plan::CohortKind::Worklist => "list",
                crate::rules::plan::CohortKind::Flag => "flag",
            };
            (c.id.as_str(), kind)
        })
        .collect();
    let measures = report.equity.iter().map(|m| Indicator {
        id: m.id.clone(),
        kind: if m.check.is_some() {
            "check".into()
        } else {
            kinds.get(m.cohort.as_str()).copied().unwrap_or("list").into()
        },
        cohort: Some(m.cohort.clone()),
        check: m.check.clone(),
        title: m.title.clone(),
        numerator: m.numerator.into(),
        denominator: m.denominator.into(),
        higher_is: m.higher_is.into(),
    });
    let segments = plan.segments.iter().map(|s| Indicator {
        id: format!("segment.{}", s.id),
        kind: "segment".into(),
        cohort: None,
        check: None,
        title: format!("Segment: {}", s.title),
        numerator: "in the segment".into(),
        denominator: "registered patients".into(),
        higher_is: "neither".into(),
    });
    measures.chain(segments).collect()
}

/// One practice's exact figures from its own report.
fn figures(plan: &Plan, code: &str, report: &Report) -> PracticeFigures {
    let mut values = BTreeMap::new();
    for m in &report.equity {
        let by =
            m.by.0
                .iter()
                .map(|(d, groups)| {
                    (
                        d.clone(),
                        groups.0.iter().map(|(g, r)| (g.clone(), Cell::exact(r.numerator, r.denominator))).collect(),
                    )
                })
                .collect();
        values.insert(m.id.clone(), Figures { total: Cell::exact(m.total.numerator, m.total.denominator), by });
    }
    let b = &report.breakdowns;
    let tables =
        [("imd_quintile", &b.imd_quintile), ("ethnicity", &b.ethnicity), ("sex", &b.sex), ("age_band", &b.age_band)];
    for (i, s) in plan.segments.iter().enumerate() {
        let by = tables
            .iter()
            .map(|(d, table)| {
                let groups =
                    table.0.iter().map(|(g, c)| (g.clone(), Cell::exact(c.segments.0[i].1, c.population))).collect();
                (d.to_string(), groups)
            })
            .collect();
        let total = Cell::exact(report.segments.0[i].1, report.population.current);
        values.insert(format!("segment.{}", s.id), Figures { total, by });
    }
    PracticeFigures { code: code.to_owned(), registered: Some(report.population.current), values }
}

/// Reads a summary file, checking it as a shared file (`exact` false) or
/// as this machine's own exact figures. Errors name the file and where.
pub fn read(file: &str, text: &str, exact: bool) -> Result<SummaryFile, String> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| format!("{file}: not JSON ({e}); a practice summary is a .json file"))?;
    match value.get("schema").and_then(|s| s.as_str()) {
        Some(SCHEMA) => {}
        Some(other) => return Err(format!("{file}: schema is '{other}', not a Cohort Finder practice summary")),
        None => return Err(format!("{file}: no \"schema\" field: not a Cohort Finder practice summary")),
    }
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v == VERSION as u64 => {}
        Some(v) if v > VERSION as u64 => {
            return Err(format!(
                "{file}: summary version {v} was made by a newer Cohort Finder; this one reads version {VERSION}"
            ))
        }
        _ => return Err(format!("{file}: \"version\" must be {VERSION}")),
    }
    let summary: SummaryFile = serde_json::from_str(text).map_err(|e| format!("{file}: {e}"))?;
    check(file, &summary, exact)?;
    Ok(summary)
}

/// The checks a file must pass before any figure is shown.
fn check(file: &str, s: &SummaryFile, exact: bool) -> Result<(), String> {
    if s.disclosure.exact != exact {
        return Err(if exact {
            format!("{file}: holds disclosed counts where exact ones were expected")
        } else {
            format!(
                "{file}: holds exact counts; only shared (suppressed and rounded) summaries can be read from a file"
            )
        });
    }
    if s.as_of.parse::<crate::model::Date>().is_err() {
        return Err(format!("{file}: as_of '{}' is not a date (yyyy-mm-dd)", s.as_of));
    }
    if s.practices.is_empty() {
        return Err(format!("{file}: holds no practices"));
    }
    let indicators: std::collections::BTreeSet<&str> = s.indicators.iter().map(|i| i.id.as_str()).collect();
    let mut codes = std::collections::BTreeSet::new();
    for (i, p) in s.practices.iter().enumerate() {
        let at = format!("{file}: practices[{i}] ({})", p.code);
        if p.code.trim().is_empty() {
            return Err(format!("{file}: practices[{i}] has no code"));
        }
        if !codes.insert(p.code.as_str()) {
            return Err(format!("{at}: the practice appears twice"));
        }
        let shown = |where_: &str, n: Option<u64>| -> Result<(), String> {
            match n {
                Some(n) if !exact && (1..=SUPPRESS_UP_TO).contains(&n) => {
                    Err(format!("{at}: {where_} is {n}: a shared summary never holds a count of 1 to 7"))
                }
                Some(n) if !exact && n % s.disclosure.rounded_to.max(1) != 0 => {
                    Err(format!("{at}: {where_} is {n}, not rounded to {} as the file says", s.disclosure.rounded_to))
                }
                _ => Ok(()),
            }
        };
        shown("registered", p.registered)?;
        for (id, f) in &p.values {
            if !indicators.contains(id.as_str()) {
                return Err(format!("{at}: values has '{id}', which is not among the indicators"));
            }
            let cells = std::iter::once(("total".to_owned(), &f.total))
                .chain(f.by.iter().flat_map(|(d, g)| g.iter().map(move |(g, c)| (format!("by.{d}.{g}"), c))));
            for (place, c) in cells {
                shown(&format!("{id} {place} numerator"), c.numerator)?;
                shown(&format!("{id} {place} denominator"), c.denominator)?;
                if let (Some(n), Some(d)) = (c.numerator, c.denominator) {
                    if n > d {
                        return Err(format!("{at}: {id} {place}: numerator {n} is more than denominator {d}"));
                    }
                }
            }
        }
    }
    Ok(())
}
