//! The report for a fixed synthetic practice, byte for byte, with its
//! practice summary and a funnel plot of it, and the emergency-admission
//! model card for a larger one. The WASM test
//! (wasm-tests/api.rs) compares its own output with the same files, so the
//! two builds must agree exactly. `UPDATE_GOLDEN=1 cargo test --test golden`
//! rewrites them after an intended change.

use cohort_finder::codes::Clusters;
use cohort_finder::compare::practices::{Comparison, Source};
use cohort_finder::compare::summary;
use cohort_finder::ingest::{ColumnMapping, FileReport};
use cohort_finder::model::{Date, Population};
use cohort_finder::report::priority::PriorityKey;
use cohort_finder::report::worklist::{self, Query, Sort};
use cohort_finder::report::MemberReport;
use cohort_finder::risk::admission::{self, RiskSettings};
use cohort_finder::synth::{self, Deprivation, SynthConfig};
use cohort_finder::{Engine, EngineConfig};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/wasm-tests/golden/");

fn check(name: &str, output: &str) {
    let path = format!("{GOLDEN}{name}");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, output).unwrap();
    }
    let golden = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{path} (UPDATE_GOLDEN=1 writes it)"));
    assert!(output == golden, "the output differs from {path}; if the change is intended, rerun with UPDATE_GOLDEN=1");
}

/// A synthetic practice as of 2026-11-23, loaded with the built-in rules.
fn practice(patients: usize, seed: u64, deprivation: Deprivation) -> (Engine, Population, Vec<FileReport>, Date) {
    let date = "2026-11-23".parse().unwrap();
    let config = SynthConfig { patients, seed, deprivation, extract_date: date, practice_code: "Y00001".into() };
    let (mut p, mut e) = (Vec::new(), Vec::new());
    synth::generate(&config, &Clusters::builtin(), &mut p, &mut e).unwrap();
    let engine = Engine::new(&EngineConfig::default()).unwrap();
    let mut loader = engine.loader(ColumnMapping::default());
    loader.load_patients("patients.csv", &p[..]);
    loader.load_events("events.csv", &e[..]);
    let (pop, files) = loader.finish();
    (engine, pop, files, date)
}

#[test]
fn the_report_summary_and_funnel_match_the_golden_files() {
    let (engine, pop, files, date) = practice(250, 11, Deprivation::Deprived);
    let report = engine.report(&pop, files, date);
    check("report.json", &report.to_json());

    let exact = summary::summarise(&engine, &pop, &report, "Y00001");
    check("summary.json", &exact.disclosed().to_json());
    let mut comparison = Comparison::new();
    comparison.add("this practice", &exact, Source::Extract);
    let funnel = comparison.funnel("hypertension_not_to_target.all_required", None).unwrap();
    check("funnel.json", &serde_json::to_string(&funnel).unwrap());
}

/// The page keeps the report compact and words rows as they are asked
/// for: its summary is the full report less the rows, and every list under
/// every filter and order gives the rows the full report's lists give.
#[test]
fn the_stored_report_gives_the_full_reports_rows_under_every_query() {
    let (engine, pop, files, date) = practice(250, 11, Deprivation::Deprived);
    let full = engine.report(&pop, files.clone(), date);
    let kept = engine.stored_report(&pop, files, date);

    let mut without_rows = full.clone();
    for (_, c) in &mut without_rows.cohorts.0 {
        c.members.clear();
    }
    assert_eq!(kept.summary().to_json(), without_rows.to_json());

    let segment = full.segment_precedence[0].clone();
    let mut queries = vec![Query::default()];
    for sort in
        [Sort::Priority, Sort::PatientId, Sort::NhsNumber, Sort::Name, Sort::Age, Sort::ImdQuintile, Sort::Segment]
    {
        queries.push(Query { sort, ..Default::default() });
        queries.push(Query { sort, descending: true, offset: 3, limit: 7, ..Default::default() });
    }
    for key in [
        PriorityKey::Core20Plus,
        PriorityKey::MissingChecks,
        PriorityKey::Lists,
        PriorityKey::Frailty,
        PriorityKey::Qrisk,
        PriorityKey::Age,
    ] {
        queries.push(Query { sort: Sort::Priority, priority: vec![key], ..Default::default() });
    }
    queries.extend([
        Query { segments: vec![segment], ..Default::default() },
        Query { imd_quintiles: vec!["1".into(), "not_recorded".into()], ..Default::default() },
        Query { ethnicities: vec!["asian".into()], ..Default::default() },
        Query { age_bands: vec!["65-79".into(), "80+".into()], ..Default::default() },
        Query { flags: vec!["core20".into(), "smoker".into()], ..Default::default() },
        Query { search: "P00001".into(), ..Default::default() },
    ]);
    let mut compared = 0;
    for (id, cohort) in &full.cohorts.0 {
        let mut checks: Vec<String> =
            cohort.members.iter().flat_map(|m| m.checks.iter().map(|c| c.id.clone())).collect();
        checks.sort();
        checks.dedup();
        let with_checks = checks.into_iter().map(|c| Query { missing_check: Some(c), ..Default::default() });
        for q in queries.iter().cloned().chain(with_checks) {
            let q = Query { cohort: id.clone(), ..q };
            let expected = worklist::select(cohort.members.iter(), &q, None).unwrap();
            let expected: Vec<&MemberReport> = worklist::page_of(&expected, &q).iter().map(|s| s.entry).collect();
            let page = kept.worklist_page(&engine.plan, &pop, &q, None).unwrap();
            let rows: Vec<&MemberReport> = page.rows.iter().map(|r| &*r.member).collect();
            assert_eq!(
                serde_json::to_string(&rows).unwrap(),
                serde_json::to_string(&expected).unwrap(),
                "cohort {id}, query {q:?}"
            );
            assert_eq!(page.listed, cohort.members.len());
            compared += rows.len();
        }
    }
    assert!(compared > 10_000, "only {compared} rows compared");
}

/// The emergency-admission model card for a practice big enough to fit:
/// its coefficients, validation metrics, calibration table and tier counts.
#[test]
fn the_risk_model_card_matches_the_golden_file() {
    let (engine, pop, _, date) = practice(6000, 7, Deprivation::Average);
    let model = admission::fit_and_score(&engine, &pop, date, &RiskSettings::default()).unwrap();
    check("risk.json", &model.to_json());
}

/// The report of the FHIR corpus (every file of `tests/fixtures/fhir`, as
/// the WASM test reads them) and of the wide report through its profile.
#[test]
fn the_fhir_and_wide_report_reports_match_the_golden_files() {
    let engine = Engine::new(&EngineConfig::default()).unwrap();
    let date = "2026-11-23".parse().unwrap();
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
    let mut loader = engine.loader(ColumnMapping::default());
    for name in FHIR_FILES {
        loader.load_fhir(name, std::fs::File::open(format!("{fixtures}fhir/{name}")).unwrap());
    }
    let (pop, files) = loader.finish();
    check("fhir.json", &engine.report(&pop, files, date).to_json());

    let profile = std::fs::read_to_string(format!("{fixtures}wide/smi-report.toml")).unwrap();
    let profile = cohort_finder::ingest::wide::WideProfile::parse(&profile).unwrap().check(&engine.clusters).unwrap();
    let mut loader = engine.loader(ColumnMapping::default());
    loader.load_wide(
        "smi-report.csv",
        std::fs::File::open(format!("{fixtures}wide/smi-report.csv")).unwrap(),
        &profile,
    );
    let (pop, files) = loader.finish();
    check("wide.json", &engine.report(&pop, files, date).to_json());
}

/// The FHIR corpus, in the order both builds read it.
pub const FHIR_FILES: [&str; 3] = ["uk_core_bundle.json", "mixed.ndjson", "gz/international_bundle.json.gz"];
