//! Practice summaries: the small-number rule on every shared count, the
//! schema's checks on reading, one extract split by practice code, and PCN
//! figures from shared summaries against the same practices' extracts.

#![cfg(not(target_arch = "wasm32"))]

mod support;

use cohort_finder::codes::Clusters;
use cohort_finder::compare::practices::{Comparison, Source};
use cohort_finder::compare::summary::{self, Cell, SummaryFile};
use cohort_finder::ingest::ColumnMapping;
use cohort_finder::model::Population;
use cohort_finder::report::Report;
use cohort_finder::synth::{self, Deprivation, SynthConfig};
use cohort_finder::{Engine, EngineConfig};
use proptest::prelude::*;
use support::*;

const AS_OF: &str = "2026-11-23";

fn engine() -> Engine {
    Engine::new(&EngineConfig::default()).unwrap()
}

/// A synthetic practice's two CSV files.
fn practice(seed: u64, patients: usize, deprivation: Deprivation, code: &str) -> (String, String) {
    let config = SynthConfig { patients, seed, deprivation, extract_date: date(AS_OF), practice_code: code.into() };
    let (mut p, mut e) = (Vec::new(), Vec::new());
    synth::generate(&config, &Clusters::builtin(), &mut p, &mut e).unwrap();
    (String::from_utf8(p).unwrap(), String::from_utf8(e).unwrap())
}

fn load(engine: &Engine, patients: &str, events: &str) -> (Population, Report) {
    let mut loader = engine.loader(ColumnMapping::default());
    loader.load_patients("patients.csv", patients.as_bytes());
    loader.load_events("events.csv", events.as_bytes());
    let (pop, files) = loader.finish();
    let report = engine.report(&pop, files, date(AS_OF));
    (pop, report)
}

fn exact_summary(engine: &Engine, patients: &str, events: &str, code: &str) -> SummaryFile {
    let (pop, report) = load(engine, patients, events);
    summary::summarise(engine, &pop, &report, code)
}

/// Every count in a summary's JSON: (where, value) for each numerator,
/// denominator and registered figure.
fn counts(json: &serde_json::Value, at: &str, out: &mut Vec<(String, Option<u64>)>) {
    match json {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let here = format!("{at}.{k}");
                if matches!(k.as_str(), "numerator" | "denominator" | "registered") && !v.is_string() {
                    out.push((here, v.as_u64()));
                } else {
                    counts(v, &here, out);
                }
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                counts(v, &format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

fn shared_counts(file: &SummaryFile) -> Vec<(String, Option<u64>)> {
    let json: serde_json::Value = serde_json::from_str(&file.disclosed().to_json()).unwrap();
    let mut out = Vec::new();
    counts(&json["practices"], "practices", &mut out);
    out
}

fn deprivation() -> impl Strategy<Value = Deprivation> {
    prop_oneof![
        Just(Deprivation::Deprived),
        Just(Deprivation::Average),
        Just(Deprivation::Affluent),
        Just(Deprivation::Mixed)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Small practices have many small groups: the rule must hold in every one.
    #[test]
    fn no_shared_summary_holds_a_count_from_1_to_7(seed in 0u64..100_000, size in 20usize..900, dep in deprivation()) {
        let engine = engine();
        let (p, e) = practice(seed, size, dep, "Y00001");
        let file = exact_summary(&engine, &p, &e, "Y00001");
        let shared = shared_counts(&file);
        prop_assert!(shared.len() > 1000, "only {} counts", shared.len());
        for (at, n) in &shared {
            if let Some(n) = n {
                prop_assert!(*n == 0 || (*n >= 10 && n % 5 == 0), "{} is {}", at, n);
            }
        }
        // And it reads back as a shared file.
        prop_assert!(summary::read("s.json", &file.disclosed().to_json(), false).is_ok());
    }
}

// ---------------------------------------------------------------- a hand-checked practice

/// 20 people aged 50 (10 women, 10 men, no IMD recorded), 9 of them on the
/// hypertension register: 5 women and 4 men.
fn hypertension_practice() -> (String, String) {
    let mut patients = String::from(PATIENTS_HEADER);
    let mut events = String::from(EVENTS_HEADER);
    for i in 0..20 {
        let sex = if i < 10 { "F" } else { "M" };
        patients.push_str(&format!("H{i:02},1976-01-01,{sex},,A,,,\n"));
        if i < 5 || (10..14).contains(&i) {
            events.push_str(&format!("H{i:02},38341003,2020-01-01,,,,Hypertensive disorder\n"));
        }
    }
    (patients, events)
}

#[test]
fn a_hand_checked_practice_is_rounded_and_suppressed_as_the_rule_says() {
    let engine = engine();
    let (p, e) = hypertension_practice();
    let exact = exact_summary(&engine, &p, &e, "Y12345");
    assert!(exact.disclosure.exact);
    let practice = &exact.practices[0];
    assert_eq!((practice.code.as_str(), practice.registered), ("Y12345", Some(20)));
    let hyp = &practice.values["hypertension_register"];
    let cell = |n, d| Cell { numerator: Some(n), denominator: Some(d) };
    assert_eq!(hyp.total, cell(9, 20));
    assert_eq!(hyp.by["sex"]["female"], cell(5, 10));
    assert_eq!(hyp.by["sex"]["male"], cell(4, 10));
    assert_eq!(hyp.by["sex"]["unknown"], cell(0, 0));
    assert_eq!(hyp.by["imd_quintile"]["not_recorded"], cell(9, 20));
    assert_eq!(hyp.by["age_band"]["40-64"], cell(9, 20));
    assert_eq!(practice.values["segment.long_term_conditions"].total, cell(9, 20));
    assert_eq!(practice.values["segment.healthy_adults"].total, cell(11, 20));

    let shared = exact.disclosed();
    assert!(!shared.disclosure.exact);
    let practice = &shared.practices[0];
    assert_eq!(practice.registered, Some(20));
    let hyp = &practice.values["hypertension_register"];
    // 9 → 10 and 20 → 20; 5 and 4 are suppressed over shown denominators of 10.
    assert_eq!(hyp.total, cell(10, 20));
    assert_eq!(hyp.by["sex"]["female"], Cell { numerator: None, denominator: Some(10) });
    assert_eq!(hyp.by["sex"]["male"], Cell { numerator: None, denominator: Some(10) });
    assert_eq!(hyp.by["sex"]["unknown"], cell(0, 0));
    // 11 → 10: the segments no longer add up to the registered 20, as the rule says they need not.
    assert_eq!(practice.values["segment.healthy_adults"].total, cell(10, 20));
    // A suppressed denominator hides its numerator too, even a zero.
    let epilepsy = &practice.values["epilepsy_register"];
    assert_eq!(epilepsy.total, cell(0, 20));
    let smi = &practice.values["smi_register"];
    assert_eq!(smi.by["imd_quintile"]["1"], cell(0, 0));

    // The file says what it is and carries no patient-level field.
    let text = shared.to_json();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["schema"], "cohort-finder-practice-summary");
    assert_eq!(json["version"], 1);
    assert_eq!(json["as_of"], AS_OF);
    assert_eq!(json["disclosure"]["suppressed_up_to"], 7);
    assert_eq!(json["disclosure"]["rounded_to"], 5);
    assert_eq!(json["settings"]["case_finding_min_age"], 40);
    for field in ["H00", "H19", "1976-01-01", "patient_id", "nhs_number", "\"name\""] {
        assert!(!text.contains(field), "the summary holds {field}");
    }
    let kinds: Vec<&str> = shared.indicators.iter().map(|i| i.kind.as_str()).collect();
    for kind in ["check", "list", "register", "flag", "segment"] {
        assert!(kinds.contains(&kind), "no {kind} indicator");
    }
    assert_eq!(
        shared.dimensions.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
        ["imd_quintile", "ethnicity", "sex", "age_band"]
    );
}

#[test]
fn reading_a_summary_refuses_what_it_cannot_trust() {
    let engine = engine();
    let (p, e) = hypertension_practice();
    let exact = exact_summary(&engine, &p, &e, "Y12345");
    let shared = exact.disclosed().to_json();
    assert!(summary::read("y.json", &shared, false).is_ok());

    let err = |text: &str, exact: bool| match summary::read("y.json", text, exact) {
        Ok(_) => panic!("accepted: {}", &text[..200.min(text.len())]),
        Err(e) => e,
    };
    assert_eq!(
        err(&exact.to_json(), false),
        "y.json: holds exact counts; only shared (suppressed and rounded) summaries can be read from a file"
    );
    let small = shared.replacen("\"registered\": 20", "\"registered\": 3", 1);
    assert_eq!(
        err(&small, false),
        "y.json: practices[0] (Y12345): registered is 3: a shared summary never holds a count of 1 to 7"
    );
    let unrounded = shared.replacen("\"registered\": 20", "\"registered\": 21", 1);
    assert_eq!(
        err(&unrounded, false),
        "y.json: practices[0] (Y12345): registered is 21, not rounded to 5 as the file says"
    );
    let newer = shared.replacen("\"version\": 1", "\"version\": 2", 1);
    assert_eq!(
        err(&newer, false),
        "y.json: summary version 2 was made by a newer Cohort Finder; this one reads version 1"
    );
    let other = shared.replacen("cohort-finder-practice-summary", "something-else", 1);
    assert_eq!(err(&other, false), "y.json: schema is 'something-else', not a Cohort Finder practice summary");
    assert_eq!(err("{\"a\": 1}", false), "y.json: no \"schema\" field: not a Cohort Finder practice summary");
    let broken = &shared[..shared.len() / 2];
    assert!(err(broken, false).starts_with("y.json: not JSON (EOF while parsing"), "{}", err(broken, false));
    let missing = shared.replacen("\"as_of\"", "\"as_at\"", 1);
    assert!(err(&missing, false).starts_with("y.json: missing field `as_of` at line"), "{}", err(&missing, false));
    let over = shared.replacen("\"numerator\": 10,", "\"numerator\": 25,", 1);
    assert!(err(&over, false).contains("numerator 25 is more than denominator"), "{}", err(&over, false));
}

// ---------------------------------------------------------------- across practices

/// Joins practices into one extract with a practice_code column, patient
/// ids made unique by their practice.
fn one_extract(practices: &[(String, String, &str)]) -> (String, String) {
    let (mut patients, mut events) = (String::new(), String::new());
    for (i, (p, e, code)) in practices.iter().enumerate() {
        for (out, text) in [(&mut patients, p), (&mut events, e)] {
            for (n, line) in text.lines().enumerate() {
                if n == 0 {
                    if i == 0 {
                        out.push_str(line);
                        out.push('\n');
                    }
                    continue;
                }
                out.push_str(&format!("{code}-{line}\n"));
            }
        }
    }
    (patients, events)
}

#[test]
fn one_extract_with_a_practice_code_column_gives_each_practice_its_own_figures() {
    let engine = engine();
    let a = practice(3, 700, Deprivation::Deprived, "Y00001");
    let b = practice(4, 500, Deprivation::Affluent, "Y00002");
    let (p, e) = one_extract(&[(a.0.clone(), a.1.clone(), "Y00001"), (b.0.clone(), b.1.clone(), "Y00002")]);
    let both = exact_summary(&engine, &p, &e, "unused");
    let codes: Vec<&str> = both.practices.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes, ["Y00001", "Y00002"]);
    let alone_a = exact_summary(&engine, &a.0, &a.1, "unused");
    let alone_b = exact_summary(&engine, &b.0, &b.1, "unused");
    assert_eq!(both.practices[0], alone_a.practices[0]);
    assert_eq!(both.practices[1], alone_b.practices[0]);
}

#[test]
fn pcn_figures_from_shared_summaries_equal_the_extracts_up_to_the_rounding() {
    let engine = engine();
    let practices = [
        ("Y00001", Deprivation::Deprived, 3000),
        ("Y00002", Deprivation::Average, 5000),
        ("Y00003", Deprivation::Affluent, 2000),
        ("Y00004", Deprivation::Mixed, 1500),
    ];
    let (mut exact, mut shared) = (Comparison::new(), Comparison::new());
    for (i, (code, dep, size)) in practices.iter().enumerate() {
        let (p, e) = practice(100 + i as u64, *size, *dep, code);
        let file = exact_summary(&engine, &p, &e, code);
        exact.add(code, &file, Source::Extract);
        // The shared file goes through its JSON text, as a PCN lead receives it.
        shared.add_file(&format!("{code}.json"), &file.disclosed().to_json(), Source::Summary).unwrap();
    }
    let half = 2; // nearest 5
    let mut compared = 0;
    let dimensions = exact.table(None).dimensions;
    let places = std::iter::once(None)
        .chain(dimensions.iter().flat_map(|d| d.groups.iter().map(move |g| Some((d.id.as_str(), g.id.as_str())))));
    for at in places {
        let (x, s) = (exact.table(at), shared.table(at));
        assert_eq!(x.indicators.len(), s.indicators.len());
        for (xr, sr) in x.indicators.iter().zip(&s.indicators) {
            assert_eq!(xr.indicator.id, sr.indicator.id);
            let mut shown = 0;
            let (mut numerator, mut denominator) = (0, 0);
            for (xc, sc) in xr.cells.iter().zip(&sr.cells) {
                let (xn, xd) = (xc.numerator.unwrap(), xc.denominator.unwrap());
                match (sc.numerator, sc.denominator) {
                    (Some(n), Some(d)) => {
                        assert!(
                            n.abs_diff(xn) <= half && d.abs_diff(xd) <= half,
                            "{} {at:?}: {n}/{d} for {xn}/{xd}",
                            xr.indicator.id
                        );
                        shown += 1;
                        numerator += xn;
                        denominator += xd;
                    }
                    (None, Some(d)) => {
                        assert!(d.abs_diff(xd) <= half);
                        assert!(
                            (1..=7).contains(&xn) || (1..=7).contains(&xd),
                            "{} {at:?}: {xn} suppressed",
                            xr.indicator.id
                        );
                    }
                    (None, None) => {
                        assert!((1..=7).contains(&xd), "{} {at:?}: denominator {xd} suppressed", xr.indicator.id)
                    }
                    (Some(_), None) => panic!("a numerator over a suppressed denominator"),
                }
            }
            // The PCN figure adds up only the practices shown, each within the rounding.
            assert_eq!(sr.pcn.practices, shown);
            assert!(sr.pcn.numerator.abs_diff(numerator) <= half * shown as u64);
            assert!(sr.pcn.denominator.abs_diff(denominator) <= half * shown as u64);
            compared += 1;
        }
    }
    assert!(compared > 1000, "{compared} figures compared");
    let w = shared.table(None).warnings;
    assert!(w.is_empty(), "{w:?}");
}

#[test]
fn the_funnel_leaves_out_suppressed_practices_and_centres_on_the_shown_ones() {
    let engine = engine();
    let mut comparison = Comparison::new();
    for (i, (code, size)) in [("Y00001", 4000), ("Y00002", 2500), ("Y00003", 60)].iter().enumerate() {
        let (p, e) = practice(200 + i as u64, *size, Deprivation::Average, code);
        let file = exact_summary(&engine, &p, &e, code).disclosed();
        comparison.add(code, &file, Source::Summary);
    }
    let f = comparison.funnel("smi_health_checks.all_required", None).unwrap();
    let table = comparison.table(None);
    let row = table.indicators.iter().find(|r| r.indicator.id == "smi_health_checks.all_required").unwrap();
    // The 60-patient practice has under 8 people on its SMI register: suppressed, so left out.
    assert_eq!(row.cells[2].status, "suppressed");
    assert_eq!(f.left_out.len(), 1);
    assert_eq!((f.left_out[0].code.as_str(), f.left_out[0].why), ("Y00003", "suppressed (1 to 7)"));
    assert_eq!(f.points.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(), ["Y00001", "Y00002"]);
    let (n, d): (u64, u64) = f.points.iter().fold((0, 0), |(n, d), p| (n + p.numerator, d + p.denominator));
    assert_eq!((f.pcn.numerator, f.pcn.denominator, f.pcn.practices), (n, d, 2));
    assert_eq!(row.pcn, f.pcn);
    let largest = f.points.iter().map(|p| p.denominator).max().unwrap();
    assert!(f.curve.last().unwrap().denominator >= largest);
    assert!(comparison.funnel("no_such.indicator", None).is_err());
}

#[test]
fn practices_on_different_dates_or_settings_are_flagged() {
    let (p, e) = hypertension_practice();
    let base = exact_summary(&engine(), &p, &e, "Y00001");
    let engine45 =
        Engine::new(&EngineConfig { rules: set(&["case_finding_min_age=45"]), ..Default::default() }).unwrap();
    let mut later = exact_summary(&engine45, &p, &e, "Y00002");
    later.as_of = "2026-12-01".into();
    let mut c = Comparison::new();
    c.add("a", &base, Source::Extract);
    c.add("b", &later.disclosed(), Source::Summary);
    assert_eq!(
        c.table(None).warnings,
        [
            "The practices are drawn up on different dates: as of 2026-11-23 for Y00001; as of 2026-12-01 for Y00002.",
            "The setting case_finding_min_age differs: 40 for Y00001; 45 for Y00002.",
            "Y00001 is exact (from extracts on this machine); the others are from shared summaries, rounded to 5 with 1 to 7 suppressed, so small differences may be rounding.",
        ]
    );
    // Adding a practice again replaces it.
    let again = c.add("a2", &base, Source::Extract);
    assert_eq!((again.added.len(), again.replaced), (0, vec!["Y00001".to_owned()]));
    assert!(c.remove("Y00002") && !c.remove("Y00002"));
}
