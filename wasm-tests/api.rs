//! The browser binding, run in headless Chromium: the same practice gives
//! the same report bytes as the native build (tests/golden.rs checks the
//! native side against the same file), whether the files arrive whole or
//! streamed in small chunks.

#![cfg(target_arch = "wasm32")]

use cohort_finder::wasm::{input_fields, synth_practice, LineScan, PracticeComparison, Session};
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "generated.rs"]
mod generated;

const GOLDEN: &str = include_str!("golden/report.json");
const GOLDEN_SUMMARY: &str = include_str!("golden/summary.json");
const GOLDEN_FUNNEL: &str = include_str!("golden/funnel.json");

fn practice() -> (Vec<u8>, Vec<u8>) {
    let files = synth_practice(250, 11, "deprived", "2026-11-23").map_err(JsValue::from).unwrap();
    (Uint8Array::new(&files.get(0)).to_vec(), Uint8Array::new(&files.get(1)).to_vec())
}

#[wasm_bindgen_test]
fn the_report_is_byte_identical_to_the_native_one() {
    let (patients, events) = practice();
    let mut session = Session::new("").map_err(JsValue::from).unwrap();
    session.load_patients_bytes("patients.csv", &patients);
    session.load_events_bytes("events.csv", &events);
    session.finish_loading().map_err(JsValue::from).unwrap();
    let json = session.report_json("2026-11-23").map_err(JsValue::from).unwrap();
    assert!(json == GOLDEN, "WASM report differs from wasm-tests/golden/report.json");
}

#[wasm_bindgen_test]
fn the_practice_summary_and_its_funnel_are_byte_identical_to_the_native_ones() {
    let (patients, events) = practice();
    let mut session = Session::new("").map_err(JsValue::from).unwrap();
    session.load_patients_bytes("patients.csv", &patients);
    session.load_events_bytes("events.csv", &events);
    session.finish_loading().map_err(JsValue::from).unwrap();
    session.analyse("2026-11-23").map_err(JsValue::from).unwrap();
    let shared = session.summary_json(false, "Y00001").map_err(JsValue::from).unwrap();
    assert!(shared == GOLDEN_SUMMARY, "WASM summary differs from wasm-tests/golden/summary.json");
    let mut comparison = PracticeComparison::new();
    let exact = session.summary_json(true, "Y00001").map_err(JsValue::from).unwrap();
    comparison.add_summary("this practice", &exact, "extract").map_err(JsValue::from).unwrap();
    let funnel = comparison.funnel("hypertension_not_to_target.all_required", "", "").map_err(JsValue::from).unwrap();
    assert!(funnel == GOLDEN_FUNNEL, "WASM funnel differs from wasm-tests/golden/funnel.json");
    // A shared file holding exact counts is refused, with the file's name.
    let refused = comparison.add_summary("mine.json", &exact, "summary").err().map(JsValue::from);
    let message = js_sys::Error::from(refused.unwrap()).message();
    assert_eq!(
        String::from(message),
        "mine.json: holds exact counts; only shared (suppressed and rounded) summaries can be read from a file"
    );
}

#[wasm_bindgen_test]
fn files_pushed_in_odd_chunks_give_the_same_report() {
    let (patients, events) = practice();
    let mut session = Session::new("").map_err(JsValue::from).unwrap();
    let rows = patients.iter().filter(|&&b| b == b'\n').count() as f64 - 1.0;
    session.begin_file("patients", "patients.csv").map_err(JsValue::from).unwrap();
    let lines = push_in_chunks(&mut session, &patients, 997);
    // Lines read after every chunk, ending on the whole file's (rows and the header).
    assert_eq!(lines.len(), patients.len().div_ceil(997));
    assert!(lines.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(lines.last(), Some(&(rows + 1.0)));
    let report: serde_json::Value = serde_json::from_str(&session.end_file().map_err(JsValue::from).unwrap()).unwrap();
    assert_eq!(report["read"], report["accepted"]);
    assert_eq!(report["read"].as_f64(), Some(rows));
    session.begin_file("events", "events.csv").map_err(JsValue::from).unwrap();
    push_in_chunks(&mut session, &events, 4093);
    session.end_file().map_err(JsValue::from).unwrap();
    session.finish_loading().map_err(JsValue::from).unwrap();
    let json = session.report_json("2026-11-23").map_err(JsValue::from).unwrap();
    assert!(json == GOLDEN, "pushed report differs from the golden file");
}

/// Pushes `bytes` to the file begun, `step` bytes at a time; the lines read after each chunk.
fn push_in_chunks(session: &mut Session, bytes: &[u8], step: usize) -> Vec<f64> {
    bytes.chunks(step).map(|c| session.push_bytes(&Uint8Array::from(c)).map_err(JsValue::from).unwrap()).collect()
}

#[wasm_bindgen_test]
fn a_file_that_stops_being_readable_keeps_the_rows_before() {
    let mut session = Session::new("").map_err(JsValue::from).unwrap();
    assert!(session.push_bytes(&Uint8Array::from(&b"x"[..])).is_err(), "no file begun");
    assert!(session.begin_file("fhir", "a.json").is_err(), "FHIR is read through loadFhir");
    session.begin_file("patients", "patients.csv").map_err(JsValue::from).unwrap();
    session
        .push_bytes(&Uint8Array::from(&b"patient_id,date_of_birth\na,1990-01-01\nb,19"[..]))
        .map_err(JsValue::from)
        .unwrap();
    let report = session.fail_file("the file was moved").map_err(JsValue::from).unwrap();
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!((report["read"].as_u64(), report["accepted"].as_u64()), (Some(1), Some(1)));
    assert_eq!(report["diagnostics"][0]["kind"], "read_error");
    assert_eq!(report["diagnostics"][0]["line"], 3);
    assert_eq!(report["diagnostics"][0]["message"], "reading stopped here: the file was moved");
}

#[wasm_bindgen_test]
fn settings_and_errors_come_back_as_messages() {
    let err = Session::new(r#"{"settings": {"case_finding_min_age": "forty"}}"#).err().map(JsValue::from).unwrap();
    let message = js_sys::Error::from(err).message().as_string().unwrap();
    assert!(message.contains("'case_finding_min_age' takes a value like 40"), "{message}");
    let session = Session::new("{}").map_err(JsValue::from).unwrap();
    assert!(session.report_json("2026-11-23").is_err(), "no files loaded yet");
}

fn loaded_session() -> Session {
    let (patients, events) = practice();
    let mut session = Session::new("").map_err(JsValue::from).unwrap();
    session.load_patients_bytes("patients.csv", &patients);
    session.load_events_bytes("events.csv", &events);
    session.finish_loading().map_err(JsValue::from).unwrap();
    session
}

#[wasm_bindgen_test]
fn worklists_come_a_page_at_a_time() {
    let mut session = loaded_session();
    let golden: serde_json::Value = serde_json::from_str(GOLDEN).unwrap();
    let full = &golden["cohorts"]["hypertension_not_to_target"];
    let listed = full["count"].as_u64().unwrap() as usize;
    assert!(listed > 5, "the fixture needs a list longer than a page");

    let summary: serde_json::Value =
        serde_json::from_str(&session.analyse("2026-11-23").map_err(JsValue::from).unwrap()).unwrap();
    assert_eq!(summary["cohorts"]["hypertension_not_to_target"]["count"], full["count"]);
    assert_eq!(summary["cohorts"]["hypertension_not_to_target"]["members"], serde_json::json!([]));

    // Default order: most missing checks first, then patient id.
    let mut expected: Vec<(usize, String)> = full["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let missing =
                m["checks"].as_array().unwrap().iter().filter(|c| c["required"] == true && c["done"] == false).count();
            (usize::MAX - missing, m["patient_id"].as_str().unwrap().to_owned())
        })
        .collect();
    expected.sort();
    let page: serde_json::Value = serde_json::from_str(
        &session
            .worklist_page(r#"{"cohort": "hypertension_not_to_target", "offset": 2, "limit": 3}"#)
            .map_err(JsValue::from)
            .unwrap(),
    )
    .unwrap();
    assert_eq!((page["listed"].as_u64(), page["matching"].as_u64()), (Some(listed as u64), Some(listed as u64)));
    let ids: Vec<&str> = page["rows"].as_array().unwrap().iter().map(|r| r["patient_id"].as_str().unwrap()).collect();
    let want: Vec<&str> = expected[2..5].iter().map(|(_, id)| id.as_str()).collect();
    assert_eq!(ids, want);

    let csv = session
        .worklist_csv(r#"{"cohort": "hypertension_not_to_target"}"#, r#"["nhs_number"]"#, false)
        .map_err(JsValue::from)
        .unwrap();
    assert_eq!(csv.lines().count(), listed);
    assert!(csv.lines().all(|l| l.len() == 10 && l.bytes().all(|b| b.is_ascii_digit())), "{csv}");
    assert!(session.worklist_page(r#"{"cohort": "nope"}"#).is_err());
}

#[wasm_bindgen_test]
fn definitions_list_every_cohort_and_the_editable_codelists() {
    let session = Session::new("").map_err(JsValue::from).unwrap();
    let defs: serde_json::Value = serde_json::from_str(&session.definitions()).unwrap();
    let golden: serde_json::Value = serde_json::from_str(GOLDEN).unwrap();
    // The report has one more list than there are rules: the priority list.
    assert_eq!(defs["cohorts"].as_array().unwrap().len() + 1, golden["cohorts"].as_object().unwrap().len());
    let ldhc = defs["clusters"].as_array().unwrap().iter().find(|c| c["id"] == "ld_health_check").unwrap();
    assert_eq!(ldhc["codes"][0]["code"], "69DB.");
    // Each cohort names its rule file, and the rule files come as written.
    assert_eq!(defs["cohorts"][0]["rule_file"], "rules/registers.toml");
    let registers =
        defs["rule_files"].as_array().unwrap().iter().find(|f| f["name"] == "rules/registers.toml").unwrap();
    assert!(registers["text"].as_str().unwrap().contains("id = \"hypertension_register\""));
}

#[wasm_bindgen_test]
fn input_fields_name_the_required_columns() {
    let fields: serde_json::Value = serde_json::from_str(&input_fields()).unwrap();
    let required = |file: &str| -> Vec<String> {
        fields[file]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["required"] == true)
            .map(|f| f["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(required("patients"), ["patient_id", "date_of_birth"]);
    assert_eq!(required("events"), ["patient_id", "code", "date"]);
}

const GOLDEN_RISK: &str = include_str!("golden/risk.json");

fn session_for(patients: usize, seed: u64, deprivation: &str) -> Session {
    let files = synth_practice(patients, seed, deprivation, "2026-11-23").map_err(JsValue::from).unwrap();
    let mut session = Session::new("").map_err(JsValue::from).unwrap();
    session.load_patients_bytes("patients.csv", &Uint8Array::new(&files.get(0)).to_vec());
    session.load_events_bytes("events.csv", &Uint8Array::new(&files.get(1)).to_vec());
    session.finish_loading().map_err(JsValue::from).unwrap();
    session
}

#[wasm_bindgen_test]
fn the_risk_model_card_is_byte_identical_to_the_native_one() {
    // tests/golden.rs writes the same practice's card natively.
    let mut session = session_for(6000, 7, "average");
    let card = session.risk_model("2026-11-23", "", None).map_err(JsValue::from).unwrap();
    assert!(card == GOLDEN_RISK, "WASM risk model card differs from wasm-tests/golden/risk.json");
    let with_settings =
        session.risk_model("2026-11-23", r#"{"tiers": [0.5, 2, 5]}"#, None).map_err(JsValue::from).unwrap();
    assert!(with_settings == GOLDEN_RISK, "the default tiers, given, change nothing");
    // Every scored person once, in rank order, with the card's tier counts.
    let csv = session.risk_scores_csv().map_err(JsValue::from).unwrap();
    let card: serde_json::Value = serde_json::from_str(&card).unwrap();
    let rows: Vec<(f64, u64)> = csv
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[1].parse().unwrap(), f[2].parse().unwrap())
        })
        .collect();
    assert_eq!(rows.len() as u64, card["data"]["practice_population"].as_u64().unwrap());
    assert!(rows.windows(2).all(|w| w[0].0 >= w[1].0 && w[0].1 <= w[1].1));
    for tier in card["tiers"].as_array().unwrap() {
        let t = tier["tier"].as_u64().unwrap();
        assert_eq!(rows.iter().filter(|r| r.1 == t).count() as u64, tier["people"].as_u64().unwrap());
    }
}

#[wasm_bindgen_test]
fn worklists_filter_by_risk_tier_while_the_model_is_for_the_analysis_date() {
    let mut session = session_for(6000, 7, "average");
    session.analyse("2026-11-23").map_err(JsValue::from).unwrap();
    let top = r#"{"cohort": "priority", "tiers": [1, 2], "sort": "risk", "limit": 0}"#;
    assert!(session.worklist_page(top).is_err(), "no tiers before the model is fitted");
    let progress = js_sys::Array::new();
    let record = Closure::<dyn Fn(String, f64, f64, String)>::new({
        let progress = progress.clone();
        move |stage: String, step: f64, steps: f64, _: String| {
            progress.push(&format!("{stage} {step}/{steps}").into());
        }
    });
    let card = session
        .risk_model("2026-11-23", "", Some(record.as_ref().unchecked_ref::<js_sys::Function>().clone()))
        .map_err(JsValue::from)
        .unwrap();
    let steps: Vec<String> = progress.iter().filter_map(|v| v.as_string()).collect();
    assert_eq!(
        steps,
        [
            "development_year 1/6",
            "validation_year 2/6",
            "fitting 3/6",
            "validating 4/6",
            "refitting 5/6",
            "scoring 6/6"
        ]
    );
    assert!(card == GOLDEN_RISK, "progress changes nothing");
    let page: serde_json::Value =
        serde_json::from_str(&session.worklist_page(top).map_err(JsValue::from).unwrap()).unwrap();
    let rows = page["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["risk"]["tier"].as_u64().unwrap() <= 2));
    let ranks: Vec<u64> = rows.iter().map(|r| r["risk"]["rank"].as_u64().unwrap()).collect();
    assert!(ranks.windows(2).all(|w| w[0] < w[1]), "highest risk first");
    let csv = session
        .worklist_csv(top, r#"["patient_id", "risk_percent", "risk_tier"]"#, true)
        .map_err(JsValue::from)
        .unwrap();
    assert_eq!(csv.lines().count(), rows.len() + 1);
    // Another as-of date: the scores were for the first.
    session.analyse("2026-06-01").map_err(JsValue::from).unwrap();
    assert!(session.worklist_page(top).is_err(), "the model is dropped for another date");
}

#[wasm_bindgen_test]
fn the_risk_model_refuses_a_practice_with_too_few_admissions() {
    let mut session = session_for(250, 11, "deprived");
    let err = session.risk_model("2026-11-23", "", None).err().map(JsValue::from).unwrap();
    let message = String::from(js_sys::Error::from(err).message());
    assert!(message.starts_with("Only "), "{message}");
    assert!(message.ends_with("so no risk scores are shown."), "{message}");
    assert!(session.risk_scores_csv().is_err(), "no scores after a refusal");
    let bad = session.risk_model("2026-11-23", r#"{"tiers": [5, 2]}"#, None).err().map(JsValue::from).unwrap();
    assert!(String::from(js_sys::Error::from(bad).message()).contains("must increase"));
}

/// Fit time for 50,000 patients in the browser; built only when
/// COHORT_FINDER_BENCH_50K is set at compile time, as it takes a while.
#[wasm_bindgen_test]
fn risk_model_fit_time_at_50000_patients() {
    if option_env!("COHORT_FINDER_BENCH_50K").is_none() {
        return;
    }
    let started = js_sys::Date::now();
    let mut session = session_for(50_000, 42, "average");
    let loaded = js_sys::Date::now();
    let card = session.risk_model("2026-11-23", "", None).map_err(JsValue::from).unwrap();
    let fitted = js_sys::Date::now();
    let card: serde_json::Value = serde_json::from_str(&card).unwrap();
    console_log!(
        "50,000 patients: synth and load {:.0} ms; features, both fits, validation and scoring {:.0} ms; AUROC {}",
        loaded - started,
        fitted - loaded,
        card["validation"]["auroc"]
    );
}

const GOLDEN_FHIR: &str = include_str!("golden/fhir.json");
const GOLDEN_WIDE: &str = include_str!("golden/wide.json");

#[wasm_bindgen_test]
fn fhir_and_wide_reports_are_byte_identical_to_the_native_ones() {
    // tests/golden.rs reads the same files in the same order natively.
    let fhir: [(&str, &[u8]); 3] = [
        ("uk_core_bundle.json", include_bytes!("../tests/fixtures/fhir/uk_core_bundle.json")),
        ("mixed.ndjson", include_bytes!("../tests/fixtures/fhir/mixed.ndjson")),
        ("gz/international_bundle.json.gz", include_bytes!("../tests/fixtures/fhir/gz/international_bundle.json.gz")),
    ];
    let mut session = Session::new("").map_err(JsValue::from).unwrap();
    for (name, bytes) in fhir {
        session.load_fhir_bytes(name, bytes);
    }
    session.finish_loading().map_err(JsValue::from).unwrap();
    let report = session.report_json("2026-11-23").map_err(JsValue::from).unwrap();
    assert!(report == GOLDEN_FHIR, "WASM FHIR report differs from wasm-tests/golden/fhir.json");

    let csv = include_bytes!("../tests/fixtures/wide/smi-report.csv");
    let profile = include_str!("../tests/fixtures/wide/smi-report.toml");
    let mut session = Session::new("").map_err(JsValue::from).unwrap();
    let preview: serde_json::Value = serde_json::from_str(&session.wide_preview("smi-report.csv", csv)).unwrap();
    assert_eq!(preview["headers"][4], "On SMI register");
    assert_eq!(preview["suggested"]["column"][0]["cluster"], "smi");
    let bad = session.load_wide_bytes(
        "smi-report.csv",
        csv,
        "[[column]]\nheader = \"X\"\nkind = \"date\"\ncluster = \"nope\"\n",
    );
    let message = String::from(js_sys::Error::from(JsValue::from(bad.err().unwrap())).message());
    assert_eq!(message, "'X': there is no cluster 'nope'");
    session.load_wide_bytes("smi-report.csv", csv, profile).map_err(JsValue::from).unwrap();
    session.finish_loading().map_err(JsValue::from).unwrap();
    let report = session.report_json("2026-11-23").map_err(JsValue::from).unwrap();
    assert!(report == GOLDEN_WIDE, "WASM wide report differs from wasm-tests/golden/wide.json");
    // A profile kept as JSON in the page is written as the same TOML.
    let checked: serde_json::Value = serde_json::from_str(&session.check_wide_profile(profile)).unwrap();
    assert_eq!(checked["problems"].as_array().unwrap().len(), 0);
    let toml = cohort_finder::wasm::wide_profile_toml(&checked["profile"].to_string()).map_err(JsValue::from).unwrap();
    let again: serde_json::Value = serde_json::from_str(&session.check_wide_profile(&toml)).unwrap();
    assert_eq!(again["profile"], checked["profile"]);
}

#[wasm_bindgen_test]
fn a_raw_scan_takes_chunks_as_a_load_does_and_counts_their_line_ends() {
    let (_, events) = practice();
    let lines = events.iter().filter(|&&b| b == b'\n').count() as f64;
    let mut scan = LineScan::new();
    let counts: Vec<f64> = events.chunks(4093).map(|c| scan.push(&Uint8Array::from(c))).collect();
    assert_eq!(counts.len(), events.len().div_ceil(4093));
    assert_eq!(counts.last(), Some(&lines));
}

const GOLDEN_GENERATED: &str = include_str!("golden/generated.json");

/// The generated practices of wasm-tests/generated.rs, through the Session
/// API: each report's digest is the native one (tests/generated_parity.rs).
#[wasm_bindgen_test]
fn generated_reports_are_byte_identical_to_the_native_ones() {
    let golden = generated::parse_digests(GOLDEN_GENERATED);
    assert_eq!(golden.len(), generated::CASES.len(), "wasm-tests/golden/generated.json has every case");
    let mut differ = Vec::new();
    for case in &generated::CASES {
        let (patients, events) = generated::inputs(case);
        let mut session = Session::new("").map_err(JsValue::from).unwrap();
        session.load_patients_bytes("patients.csv", &patients);
        session.load_events_bytes("events.csv", &events);
        session.finish_loading().map_err(JsValue::from).unwrap();
        let json = session.report_json(case.as_of).map_err(JsValue::from).unwrap();
        let (sha, bytes) = (generated::sha256(json.as_bytes()), json.len());
        if golden.get(case.name) != Some(&(sha, bytes)) {
            differ.push(format!("{} ({bytes} bytes)", case.name));
        }
    }
    assert!(differ.is_empty(), "WASM reports differ from wasm-tests/golden/generated.json: {}", differ.join(", "));
}
