//! The report for a fixed synthetic practice, byte for byte. The WASM test
//! (wasm-tests/api.rs) compares its own report with the same file, so the
//! two builds must agree exactly. `UPDATE_GOLDEN=1 cargo test --test golden`
//! rewrites the file after an intended change.

use cohort_finder::codes::Clusters;
use cohort_finder::ingest::ColumnMapping;
use cohort_finder::synth::{self, Deprivation, SynthConfig};
use cohort_finder::{Engine, EngineConfig};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/wasm-tests/golden/report.json");

#[test]
fn the_report_matches_the_golden_file() {
    let date = "2026-11-23".parse().unwrap();
    let config = SynthConfig {
        patients: 250,
        seed: 11,
        deprivation: Deprivation::Deprived,
        extract_date: date,
        practice_code: "Y00001".into(),
    };
    let (mut patients, mut events) = (Vec::new(), Vec::new());
    synth::generate(&config, &Clusters::builtin(), &mut patients, &mut events).unwrap();
    let engine = Engine::new(&EngineConfig::default()).unwrap();
    let mut loader = engine.loader(ColumnMapping::default());
    loader.load_patients("patients.csv", &patients[..]);
    loader.load_events("events.csv", &events[..]);
    let (pop, files) = loader.finish();
    let json = engine.report(&pop, files, date).to_json();

    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(GOLDEN, &json).unwrap();
    }
    let golden = std::fs::read_to_string(GOLDEN).expect("wasm-tests/golden/report.json (UPDATE_GOLDEN=1 writes it)");
    assert!(json == golden, "the report differs from {GOLDEN}; if the change is intended, rerun with UPDATE_GOLDEN=1");
}
