//! Generated practices whose full reports must be byte-identical natively
//! and in WebAssembly: `synth` practices of different seeds, sizes,
//! deprivation profiles and dates, some perturbed (rows shuffled, CRLF line
//! ends, a byte-order mark, bad rows mixed in). Shared by
//! tests/generated_parity.rs (native, which keeps the digests in
//! wasm-tests/golden/generated.json) and wasm-tests/api.rs (the same inputs
//! through the browser binding, checked against the same file).
//!
//! Nothing here may depend on the target: the bytes of every input are a
//! function of the case alone.

#![allow(dead_code)]

use cohort_finder::codes::Clusters;
use cohort_finder::synth::{self, Deprivation, SynthConfig};

/// One generated practice and how its files are changed before reading.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    pub name: &'static str,
    pub patients: usize,
    pub seed: u64,
    pub deprivation: &'static str,
    /// The synthetic extract's last day.
    pub extract: &'static str,
    /// The date the lists are drawn up for.
    pub as_of: &'static str,
    pub shuffle: bool,
    pub crlf: bool,
    pub bom: bool,
    pub bad_rows: bool,
}

const fn case(name: &'static str, patients: usize, seed: u64, deprivation: &'static str) -> Case {
    Case {
        name,
        patients,
        seed,
        deprivation,
        extract: "2026-11-23",
        as_of: "2026-11-23",
        shuffle: false,
        crlf: false,
        bom: false,
        bad_rows: false,
    }
}

/// The cases, in the order both builds run them.
pub const CASES: [Case; 12] = [
    case("plain_deprived_50", 50, 1, "deprived"),
    case("plain_affluent_400", 400, 2, "affluent"),
    Case { as_of: "2026-03-31", ..case("year_end_average_220", 220, 3, "average") },
    Case { as_of: "2026-04-01", ..case("year_start_mixed_180", 180, 4, "mixed") },
    Case { extract: "2024-01-15", as_of: "2024-01-15", ..case("older_extract_deprived_300", 300, 5, "deprived") },
    Case { as_of: "2025-06-30", ..case("earlier_as_of_affluent_260", 260, 6, "affluent") },
    Case { shuffle: true, ..case("shuffled_average_350", 350, 7, "average") },
    Case { crlf: true, ..case("crlf_deprived_120", 120, 8, "deprived") },
    Case { bom: true, crlf: true, ..case("bom_crlf_mixed_90", 90, 9, "mixed") },
    Case { bad_rows: true, ..case("bad_rows_affluent_150", 150, 10, "affluent") },
    Case {
        shuffle: true,
        bad_rows: true,
        as_of: "2026-09-30",
        ..case("shuffled_bad_rows_deprived_400", 400, 11, "deprived")
    },
    Case {
        shuffle: true,
        crlf: true,
        bom: true,
        bad_rows: true,
        extract: "2025-12-31",
        as_of: "2025-12-31",
        ..case("everything_average_75", 75, 12, "average")
    },
];

/// The case's patients and events files, as read.
pub fn inputs(case: &Case) -> (Vec<u8>, Vec<u8>) {
    let config = SynthConfig {
        patients: case.patients,
        seed: case.seed,
        deprivation: case.deprivation.parse::<Deprivation>().unwrap(),
        extract_date: case.extract.parse().unwrap(),
        practice_code: "Y00001".into(),
    };
    let (mut patients, mut events) = (Vec::new(), Vec::new());
    synth::generate(&config, &Clusters::builtin(), &mut patients, &mut events).unwrap();
    let (mut patients, mut events) = (lines(&patients), lines(&events));
    if case.bad_rows {
        // A repeated id, a birth date that is no date, a row with too few cells.
        let first = patients[1].clone();
        patients.insert(patients.len() / 2, first);
        patients.push(b"BAD1,,31/02/1980,F,,,,,,,,".to_vec());
        patients.push(b"BAD2,9999999999".to_vec());
        // An unknown patient, a date that is no date, a value that is no
        // number, an impossible blood pressure, a blank code, a blank line.
        events.push(b"NOBODY,60621009,2026-01-01,31.2,kg/m2,,".to_vec());
        events.push(b"P000001,60621009,2026-02-30,31.2,kg/m2,,".to_vec());
        events.push(b"P000002,60621009,2025-05-01,thirty,kg/m2,,".to_vec());
        events.push(b"P000003,72313002,2025-05-01,400,mm[Hg],,".to_vec());
        events.push(b"P000004,,2025-05-01,,,,".to_vec());
        events.insert(events.len() / 3, Vec::new());
    }
    if case.shuffle {
        shuffle(&mut patients[1..], case.seed);
        shuffle(&mut events[1..], case.seed ^ 0x5eed);
    }
    let end: &[u8] = if case.crlf { b"\r\n" } else { b"\n" };
    let (mut patients, mut events) = (join(&patients, end), join(&events, end));
    if case.bom {
        patients.splice(0..0, *b"\xEF\xBB\xBF");
        events.splice(0..0, *b"\xEF\xBB\xBF");
    }
    (patients, events)
}

/// The lines of a file written with LF line ends (no quoted line breaks).
fn lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

fn join(lines: &[Vec<u8>], end: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for line in lines {
        out.extend_from_slice(line);
        out.extend_from_slice(end);
    }
    out
}

/// Fisher–Yates with splitmix64: the same order on every target.
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    for i in (1..items.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// The SHA-256 of a report, as lower-case hex.
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The digests file: `{case: {sha256, bytes}}`, one case a line, in case order.
pub fn digests_json(digests: &[(&str, String, usize)]) -> String {
    let mut out = String::from("{\n");
    for (i, (name, sha, bytes)) in digests.iter().enumerate() {
        let comma = if i + 1 == digests.len() { "" } else { "," };
        out.push_str(&format!("  \"{name}\": {{\"sha256\": \"{sha}\", \"bytes\": {bytes}}}{comma}\n"));
    }
    out.push_str("}\n");
    out
}

/// Reads the digests file back: case -> (sha256, bytes).
pub fn parse_digests(text: &str) -> std::collections::BTreeMap<String, (String, usize)> {
    let value: serde_json::Value = serde_json::from_str(text).expect("wasm-tests/golden/generated.json is JSON");
    value
        .as_object()
        .expect("an object of cases")
        .iter()
        .map(|(name, d)| {
            let sha = d["sha256"].as_str().expect("sha256").to_owned();
            let bytes = d["bytes"].as_u64().expect("bytes") as usize;
            (name.clone(), (sha, bytes))
        })
        .collect()
}
