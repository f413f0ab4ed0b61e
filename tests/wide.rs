//! A wide GP report (one row a patient) read through a mapping profile:
//! `tests/fixtures/wide/smi-report.csv` with `smi-report.toml`, checked by
//! hand. As of Monday 23 November 2026, so "12 months" began on 24 November
//! 2025; the profile's report date is 20 November 2026.

mod support;

use cohort_finder::ingest::wide::WideProfile;
use cohort_finder::ingest::{ColumnMapping, FileReport};
use cohort_finder::report::Report;
use cohort_finder::Engine;
use support::*;

const REPORT: &str = include_str!("fixtures/wide/smi-report.csv");
const PROFILE: &str = include_str!("fixtures/wide/smi-report.toml");

fn read() -> (Report, FileReport) {
    let engine = Engine::new(&Default::default()).unwrap();
    let profile = WideProfile::parse(PROFILE).unwrap().check(&engine.clusters).unwrap();
    let mut loader = engine.loader(ColumnMapping::default());
    loader.load_wide("smi-report.csv", REPORT.as_bytes(), &profile);
    let (pop, mut files) = loader.finish();
    let file = files[0].clone();
    (engine.report(&pop, std::mem::take(&mut files), date("2026-11-23")), file)
}

/// Each diagnostic as "line kind column: message".
fn diagnostics(f: &FileReport) -> Vec<String> {
    f.diagnostics
        .iter()
        .map(|d| format!("{} {} {}: {}", d.line, d.kind, d.column.as_deref().unwrap_or("-"), d.message))
        .collect()
}

#[test]
fn every_row_is_a_patient_or_a_line_numbered_reason() {
    let (_, f) = read();
    assert_eq!((f.read, f.accepted, f.rejected), (7, 5, 2));
    assert_eq!(
        diagnostics(&f),
        [
            "4 invalid_value Latest BP value: blood pressure '118/seventy' is not systolic/diastolic; recorded without a value",
            "5 invalid_flag On SMI register: 'maybe' is not yes or no (nor a date) for Psychosis, schizophrenia, bipolar disorder (MH_COD); nothing was recorded from it",
            "6 invalid_value Latest BMI: value 'heavy' is not a number; recorded without a value",
            "6 invalid_value Latest BP value: value '135 over 85' is not a number; recorded without a value",
            "6 invalid_date Smoking status date: '31/02/2026' is not a valid date (expected dd/mm/yyyy, yyyy-mm-dd or d-Mon-yyyy); nothing was recorded for Smoking status recorded",
            "7 missing_patient_id Patient ID: patient_id is blank",
            "8 invalid_date Date of Birth: date_of_birth: 'not a date' is not a valid date (expected dd/mm/yyyy, yyyy-mm-dd or d-Mon-yyyy)",
            "1 mapped_column_not_found -: the mapping profile names 'Cholesterol date' (cholesterol date), but the file has no such column",
        ]
    );
    assert_eq!(f.columns["bp.value"], "Latest BP value");
    assert_eq!(f.columns["smi.flag"], "On SMI register");
    assert_eq!(f.columns["sex"], "Gender");
    assert_eq!(f.ignored_columns, ["Practice notes"]);
}

#[test]
fn flags_dates_and_values_become_the_registers_and_checks_by_hand() {
    let (r, _) = read();
    // W3 says No (its diagnosis date is ignored); W4's "maybe" is not read.
    assert_eq!(ids(&r, "smi_register"), ["W1", "W2", "W5"]);
    let missing = |p: &str| -> Vec<String> {
        member(&r, "smi_health_checks", p)
            .checks
            .iter()
            .filter(|c| c.required && !c.done)
            .map(|c| c.id.clone())
            .collect()
    };
    assert_eq!(missing("W1"), ["lipids", "alcohol"]);
    // W2's BP of 15/01/2025 is over 12 months old.
    assert_eq!(missing("W2"), ["bmi", "blood_pressure", "lipids", "glucose", "alcohol", "smoking"]);
    // W5's unreadable BP and BMI values still date the checks; its impossible smoking date does not.
    assert_eq!(missing("W5"), ["lipids", "glucose", "alcohol", "smoking"]);

    let w1 = member(&r, "smi_health_checks", "W1");
    let bmi = check(w1, "bmi");
    assert_eq!(bmi.record.code.as_deref(), Some("Latest BMI date"));
    assert_eq!(bmi.record.term.as_deref(), Some("report column, counted as BMI recorded"));
    assert_eq!((bmi.record.date.as_deref(), bmi.record.value), (Some("2026-06-01"), Some(31.2)));
    let hba1c = check(w1, "glucose");
    assert_eq!((hba1c.record.date.as_deref(), hba1c.record.value), (Some("2026-10-01"), Some(48.0)));

    // 142/91 is a systolic and a diastolic reading: W1 (not on the hypertension register) is 140/90 or more.
    assert_eq!(ids(&r, "hypertension_possible_undiagnosed"), ["W1"]);
    let reasons = reasons(member(&r, "hypertension_possible_undiagnosed", "W1"));
    assert!(reasons.iter().any(|x| x.contains("Latest BP date (systolic)") && x.contains("142")), "{reasons:#?}");

    // A "yes" with no date stands for the report's date; a date in the flag column is the date.
    let smi_reason = |p: &str| reasons_of(&r, "smi_register", p);
    assert!(smi_reason("W2").contains("2026-11-20"), "{}", smi_reason("W2"));
    assert!(smi_reason("W5").contains("2019-03-12"), "{}", smi_reason("W5"));
    assert!(smi_reason("W1").contains("2010-01-01"), "{}", smi_reason("W1"));
}

fn reasons_of(r: &Report, cohort: &str, patient: &str) -> String {
    reasons(member(r, cohort, patient)).join("; ")
}

#[test]
fn a_profile_that_does_not_fit_says_why_and_reads_nothing() {
    let engine = Engine::new(&Default::default()).unwrap();
    let bad = PROFILE.replace("cluster = \"bmi\"", "cluster = \"body_mass\"");
    let problems = WideProfile::parse(&bad).unwrap().check(&engine.clusters).unwrap_err();
    assert_eq!(
        problems,
        ["'Latest BMI date': there is no cluster 'body_mass'", "'Latest BMI': there is no cluster 'body_mass'"]
    );
}

#[test]
fn a_preview_shows_the_headers_first_rows_and_a_suggested_profile() {
    let engine = Engine::new(&Default::default()).unwrap();
    // The start of the file only, cut in the middle of a line.
    let p = cohort_finder::ingest::wide::preview("smi-report.csv", &REPORT.as_bytes()[..560], &engine.clusters);
    assert_eq!(p.headers.len(), 14);
    assert_eq!(p.headers[4], "On SMI register");
    assert_eq!(p.rows.len(), 5);
    assert_eq!(p.rows[0][..5], ["W1", "9434765919", "1970-05-01", "F", "Yes"]);
    let suggested: Vec<String> =
        p.suggested.columns.iter().map(|c| format!("{}={}.{}", c.header, c.cluster, c.kind.as_str())).collect();
    assert_eq!(
        suggested,
        [
            "On SMI register=smi.flag",
            "SMI diagnosis date=smi.date",
            "Latest BP date=bp.date",
            "Latest BP value=bp.value",
            "Latest BMI date=bmi.date",
            "Latest BMI=bmi.value",
            "Smoking status date=smoking.date",
            "HbA1c date=hba1c.date",
            "HbA1c=hba1c.value",
        ]
    );
    assert_eq!(p.suggested.patients["date_of_birth"], "Date of Birth");
}
