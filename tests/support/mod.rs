//! Runs small hand-written practices through the whole pipeline.

#![allow(dead_code)]

use cohort_finder::ingest::{ColumnMapping, FileReport};
use cohort_finder::model::Population;
use cohort_finder::report::stored::StoredReport;
use cohort_finder::report::{CheckReport, CohortReport, MemberReport, Report};
use cohort_finder::rules::RuleOptions;
use cohort_finder::{Engine, EngineConfig};

pub const PATIENTS_HEADER: &str =
    "patient_id,date_of_birth,sex,imd_decile,ethnicity,registered_date,deregistered_date,date_of_death\n";
pub const EVENTS_HEADER: &str = "patient_id,code,date,value,unit,code_system,term\n";

pub fn date(iso: &str) -> chrono::NaiveDate {
    iso.parse().unwrap()
}

/// `patients` and `events` are CSV rows without their headers.
pub fn run(patients: &str, events: &str, as_of: &str) -> Report {
    run_with(RuleOptions::default(), patients, events, as_of)
}

pub fn run_with(rules: RuleOptions, patients: &str, events: &str, as_of: &str) -> Report {
    let engine = Engine::new(&EngineConfig { rules, ..Default::default() }).unwrap();
    report_from(&engine, &format!("{PATIENTS_HEADER}{patients}"), &format!("{EVENTS_HEADER}{events}"), as_of)
}

pub fn report_from(engine: &Engine, patients: &str, events: &str, as_of: &str) -> Report {
    let (pop, files) = load(engine, patients, events);
    engine.report(&pop, files, date(as_of))
}

/// The report as the page keeps it, with the engine and practice its rows are worded from.
pub fn stored(patients: &str, events: &str, as_of: &str) -> (Engine, Population, StoredReport) {
    let engine = Engine::new(&EngineConfig::default()).unwrap();
    let (pop, files) = load(&engine, &format!("{PATIENTS_HEADER}{patients}"), &format!("{EVENTS_HEADER}{events}"));
    let stored = engine.stored_report(&pop, files, date(as_of));
    (engine, pop, stored)
}

/// Loads CSV text, asserting no row was rejected.
fn load(engine: &Engine, patients: &str, events: &str) -> (Population, Vec<FileReport>) {
    let mut loader = engine.loader(ColumnMapping::default());
    loader.load_patients("patients.csv", patients.as_bytes());
    loader.load_events("events.csv", events.as_bytes());
    let (pop, files) = loader.finish();
    for f in &files {
        assert_eq!(f.rejected, 0, "fixture rows rejected: {:?}", f.diagnostics);
    }
    (pop, files)
}

pub fn set(options: &[&str]) -> RuleOptions {
    let mut rules = RuleOptions::default();
    for o in options {
        rules.set(o).unwrap();
    }
    rules
}

pub fn cohort<'a>(report: &'a Report, id: &str) -> &'a CohortReport {
    report.cohorts.get(id).unwrap_or_else(|| panic!("no cohort {id}"))
}

/// Patient ids on a cohort's list, in list order.
pub fn ids(report: &Report, id: &str) -> Vec<String> {
    cohort(report, id).members.iter().map(|m| m.patient_id.clone()).collect()
}

pub fn member<'a>(report: &'a Report, id: &str, patient: &str) -> &'a MemberReport {
    cohort(report, id)
        .members
        .iter()
        .find(|m| m.patient_id == patient)
        .unwrap_or_else(|| panic!("{patient} is not on {id}"))
}

pub fn check<'a>(m: &'a MemberReport, id: &str) -> &'a CheckReport {
    m.checks.iter().find(|c| c.id == id).unwrap_or_else(|| panic!("no check {id}"))
}

/// Each reason as "rule | code | date | detail" for compact assertions.
pub fn reasons(m: &MemberReport) -> Vec<String> {
    m.reasons
        .iter()
        .map(|r| {
            format!(
                "{} | {} | {} | {}",
                r.rule,
                r.record.code.as_deref().unwrap_or("-"),
                r.record.date.as_deref().unwrap_or("-"),
                r.detail.as_deref().unwrap_or("-")
            )
        })
        .collect()
}

/// Each current patient's segment and its first reason, found through a
/// local catch-all cohort (which also shows local rule files work).
pub fn segments(rules: RuleOptions, patients: &str, events: &str, as_of: &str) -> Vec<(String, String, String)> {
    let report = everyone(rules, patients, events, as_of);
    cohort(&report, "everyone")
        .members
        .iter()
        .map(|m| {
            (
                m.patient_id.clone(),
                m.segment.clone(),
                m.segment_reasons.first().map(|r| r.rule.clone()).unwrap_or_default(),
            )
        })
        .collect()
}

/// A report with a local cohort, "everyone", listing every current patient.
pub fn everyone(rules: RuleOptions, patients: &str, events: &str, as_of: &str) -> Report {
    let everyone = cohort_finder::rules::RuleSource {
        name: "everyone.toml".into(),
        text: "[[cohort]]\nid = \"everyone\"\ntitle = \"Everyone\"\neligible = { always = true }\n".into(),
    };
    let engine = Engine::new(&EngineConfig { rules, extra_rules: vec![everyone], ..Default::default() }).unwrap();
    report_from(&engine, &format!("{PATIENTS_HEADER}{patients}"), &format!("{EVENTS_HEADER}{events}"), as_of)
}

/// Loads a practice from CSV text with its own headers; no row may be rejected.
pub fn population(engine: &Engine, patients: &str, events: &str) -> Population {
    load(engine, patients, events).0
}
