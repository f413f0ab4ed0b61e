//! What every target shares: one engine with the built-in rules, the as-of
//! date, and the invariants every file report must keep.

#![allow(dead_code)]

use std::sync::OnceLock;

use cohort_finder::ingest::{FileKind, FileReport, Loader};
use cohort_finder::model::Date;
use cohort_finder::report::csv_export::csv_files;
use cohort_finder::Engine;

/// The engine with the built-in rules, made once per process.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(&Default::default()).expect("the built-in rules compile"))
}

/// Monday 23 November 2026, the date the tests draw lists up for.
pub fn as_of() -> Date {
    Date::from_ymd_opt(2026, 11, 23).expect("a real date")
}

/// A small practice in the documented input format, for targets whose
/// input is not the data.
pub const PATIENTS: &str = "\
patient_id,date_of_birth,sex,imd_decile,ethnicity,registered_date,deregistered_date,date_of_death
p1,1950-03-02,F,1,A,2001-05-01,,
p2,1988-11-30,M,10,J,2015-01-12,,
p3,2012-07-19,F,4,,2012-08-01,,
p4,1940-01-01,M,,M,1990-01-01,,2025-06-01
";
pub const EVENTS: &str = "\
patient_id,code,date,value,unit,code_system,term
p1,58214004,2015-06-01,,,,Schizophrenia
p1,271649006,2026-05-10,128,mmHg,,Systolic blood pressure
p1,271650006,2026-05-10,82,mmHg,,Diastolic blood pressure
p1,38341003,2019-02-01,,,,Hypertensive disorder
p2,110483000,2026-01-04,,,,Tobacco user
p2,60621009,2025-12-01,31.2,kg/m2,,Body mass index
p3,408856003,2024-01-10,,,,Learning disability
";

/// Checks a file report's counts: every row or resource is accepted,
/// rejected or (FHIR) deliberately skipped, and nothing is left pending
/// once loading has finished.
pub fn check_counts(f: &FileReport, finished: bool) {
    match f.kind {
        FileKind::Fhir => {
            let fhir = f.fhir.as_ref().expect("a FHIR file's report has its FHIR part");
            if finished {
                assert_eq!(
                    f.read,
                    f.accepted + f.rejected + fhir.skipped,
                    "{}: read != accepted + rejected + skipped",
                    f.file
                );
                assert_eq!(fhir.pending, 0, "{}: resources still pending after finish", f.file);
                for (ty, c) in &fhir.resources {
                    assert_eq!(c.read, c.accepted + c.rejected + c.skipped, "{}: {ty} counts do not add up", f.file);
                }
            } else {
                assert_eq!(
                    f.read,
                    f.accepted + f.rejected + fhir.skipped + fhir.pending,
                    "{}: read != accepted + rejected + skipped + pending",
                    f.file
                );
            }
        }
        _ => assert_eq!(f.read, f.accepted + f.rejected, "{}: read != accepted + rejected", f.file),
    }
    let counted: u64 = f.by_kind.values().sum();
    assert_eq!(
        counted,
        f.diagnostics.len() as u64 + f.diagnostics_not_shown,
        "{}: diagnostics counted by kind",
        f.file
    );
}

/// Finishes loading, checks every file's counts, and draws up the report
/// as JSON and as the CSV files.
pub fn finish_and_report(engine: &Engine, loader: Loader) {
    let (population, files) = loader.finish();
    for f in &files {
        check_counts(f, true);
    }
    let report = engine.report(&population, files, as_of());
    let _ = report.to_json();
    let _ = csv_files(&report);
}
