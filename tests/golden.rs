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
