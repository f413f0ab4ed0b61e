//! Arbitrary text as a wide report's mapping profile: parsed, written back
//! to TOML and parsed again (the same profile), checked against the
//! clusters and, if it checks, used to read the fixed SMI report.

#![no_main]

mod common;

use cohort_finder::ingest::wide::WideProfile;
use cohort_finder::ingest::ColumnMapping;
use libfuzzer_sys::fuzz_target;

const REPORT: &[u8] = include_bytes!("../../tests/fixtures/wide/smi-report.csv");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(profile) = WideProfile::parse(text) else { return };
    let toml = profile.to_toml();
    let again = WideProfile::parse(&toml).unwrap_or_else(|e| panic!("to_toml does not parse back: {e}\n{toml}"));
    assert_eq!(profile, again, "to_toml does not parse back to the same profile:\n{toml}");
    let engine = common::engine();
    let checked = match profile.check(&engine.clusters) {
        Ok(checked) => checked,
        Err(problems) => {
            assert!(!problems.is_empty(), "a profile refused with no problem named");
            return;
        }
    };
    let mut loader = engine.loader(ColumnMapping::default());
    common::check_counts(loader.load_wide("smi-report.csv", REPORT, &checked), true);
    common::finish_and_report(engine, loader);
});
