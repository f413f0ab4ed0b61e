//! Generated practices (wasm-tests/generated.rs: seeds, sizes, deprivation
//! profiles, dates; rows shuffled, CRLF, a byte-order mark, bad rows), each
//! report's SHA-256 and length against wasm-tests/golden/generated.json. The
//! WASM test (wasm-tests/api.rs) reads the same inputs through the browser
//! binding and checks the same file, so the two builds agree byte for byte
//! on every case. `UPDATE_GOLDEN=1 cargo test --release --test
//! generated_parity` rewrites the file after an intended change.

#[path = "../wasm-tests/generated.rs"]
mod generated;

use cohort_finder::ingest::ColumnMapping;
use cohort_finder::{Engine, EngineConfig};
use generated::{Case, CASES};

const DIGESTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/wasm-tests/golden/generated.json");

fn report(engine: &Engine, case: &Case) -> String {
    let (patients, events) = generated::inputs(case);
    let mut loader = engine.loader(ColumnMapping::default());
    loader.load_patients("patients.csv", &patients[..]);
    loader.load_events("events.csv", &events[..]);
    let (pop, files) = loader.finish();
    engine.report(&pop, files, case.as_of.parse().unwrap()).to_json()
}

#[test]
fn generated_reports_match_their_digests() {
    let engine = Engine::new(&EngineConfig::default()).unwrap();
    let digests: Vec<(&str, String, usize)> = CASES
        .iter()
        .map(|case| {
            let json = report(&engine, case);
            (case.name, generated::sha256(json.as_bytes()), json.len())
        })
        .collect();
    let written = generated::digests_json(&digests);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(DIGESTS, &written).unwrap();
    }
    let golden = std::fs::read_to_string(DIGESTS).unwrap_or_else(|_| {
        panic!("{DIGESTS} is missing: UPDATE_GOLDEN=1 cargo test --release --test generated_parity writes it")
    });
    let golden = generated::parse_digests(&golden);
    let mut differ = Vec::new();
    for (name, sha, bytes) in &digests {
        match golden.get(*name) {
            Some((want, want_bytes)) if want == sha && want_bytes == bytes => {}
            Some((_, want_bytes)) => {
                differ.push(format!("{name}: {bytes} bytes, was {want_bytes} (or the same length, other bytes)"))
            }
            None => differ.push(format!("{name}: not in the file")),
        }
    }
    assert!(
        differ.is_empty() && golden.len() == digests.len(),
        "generated reports differ from {DIGESTS}:\n  {}\nIf the engine changed on purpose, rerun with \
         UPDATE_GOLDEN=1 cargo test --release --test generated_parity (the WASM test checks the same file)",
        differ.join("\n  ")
    );
}

/// The perturbations read as intended: every case loads most of its rows,
/// and the bad rows are the only ones rejected.
#[test]
fn the_perturbed_inputs_are_what_they_say() {
    let engine = Engine::new(&EngineConfig::default()).unwrap();
    for case in &CASES {
        let (patients, events) = generated::inputs(case);
        assert_eq!(patients.starts_with(b"\xEF\xBB\xBF"), case.bom, "{}", case.name);
        assert_eq!(patients.windows(2).any(|w| w == b"\r\n"), case.crlf, "{}", case.name);
        let mut loader = engine.loader(ColumnMapping::default());
        loader.load_patients("patients.csv", &patients[..]);
        loader.load_events("events.csv", &events[..]);
        let (pop, files) = loader.finish();
        let rejected: Vec<u64> = files.iter().map(|f| f.rejected).collect();
        let want = if case.bad_rows { [3, 3] } else { [0, 0] };
        assert_eq!(rejected, want, "{}: rejected rows", case.name);
        assert_eq!(pop.patients.len(), case.patients, "{}", case.name);
        let text = if case.bom { &patients[3..] } else { &patients[..] };
        assert!(text.starts_with(b"patient_id,"), "{}: the header stays first", case.name);
    }
}
