//! The emergency-admission model: its metrics on hand-worked examples, the
//! tiers on a hand-built ranking, the refusal, and on a synthetic practice
//! of 20,000 people its validation AUROC and fitted coefficients against the
//! generating ones (`cargo test --release --test risk_model -- --nocapture`
//! prints the table).

use cohort_finder::codes::Clusters;
use cohort_finder::ingest::ColumnMapping;
use cohort_finder::model::Population;
use cohort_finder::risk::admission::features::generating;
use cohort_finder::risk::admission::{self, metrics, tiers, RiskError, RiskSettings, MIN_EVENTS};
use cohort_finder::synth::{self, Deprivation, SynthConfig, EMERGENCY_ADMISSION};
use cohort_finder::{Engine, EngineConfig};

fn practice(patients: usize, seed: u64) -> (Engine, Population) {
    let config = SynthConfig {
        patients,
        seed,
        deprivation: Deprivation::Average,
        extract_date: "2026-11-23".parse().unwrap(),
        practice_code: "Y00001".into(),
    };
    let (mut p, mut e) = (Vec::new(), Vec::new());
    synth::generate(&config, &Clusters::builtin(), &mut p, &mut e).unwrap();
    let engine = Engine::new(&EngineConfig::default()).unwrap();
    let mut loader = engine.loader(ColumnMapping::default());
    loader.load_patients("patients.csv", &p[..]);
    loader.load_events("events.csv", &e[..]);
    let (pop, _) = loader.finish();
    (engine, pop)
}

#[test]
fn auroc_counts_pairs_ranked_right_and_ties_as_half() {
    // Positives 0.35 and 0.8 against negatives 0.1 and 0.4: 3 of 4 pairs right.
    assert_eq!(metrics::auroc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]), Some(0.75));
    // Positives 0.5 and 0.9 against 0.5 and 0.2: 3 right and one tie, 3.5 / 4.
    assert_eq!(metrics::auroc(&[0.5, 0.5, 0.2, 0.9], &[true, false, false, true]), Some(0.875));
    assert_eq!(metrics::auroc(&[0.3, 0.3, 0.3], &[true, false, false]), Some(0.5));
    assert_eq!(metrics::auroc(&[0.9, 0.1], &[false, true]), Some(0.0));
    assert_eq!(metrics::auroc(&[0.2, 0.7], &[true, true]), None, "no negatives");
    assert_eq!(metrics::auroc(&[], &[]), None);
}

#[test]
fn brier_is_the_mean_squared_error() {
    // (0.01 + 0.01 + 0.25 + 0) / 4
    let b = metrics::brier(&[0.1, 0.9, 0.5, 0.0], &[false, true, true, false]).unwrap();
    assert!((b - 0.0675).abs() < 1e-15, "{b}");
    assert_eq!(metrics::brier(&[], &[]), None);
}

#[test]
fn calibration_cuts_people_into_tenths_by_predicted_risk() {
    // 25 people with risks 0.04, 0.08, ... 1.00 given in reverse; every third had the event.
    let scores: Vec<f64> = (1..=25).rev().map(|i| i as f64 * 0.04).collect();
    let labels: Vec<bool> = (0..25).map(|i| i % 3 == 0).collect();
    let deciles = metrics::calibration(&scores, &labels);
    let sizes: Vec<usize> = deciles.iter().map(|d| d.people).collect();
    assert_eq!(sizes, [2, 3, 2, 3, 2, 3, 2, 3, 2, 3]);
    // The lowest tenth: 0.04 and 0.08, the last two given (indices 24 and 23; 24 had the event).
    assert_eq!((deciles[0].decile, deciles[0].events), (1, 1));
    assert!((deciles[0].mean_predicted - 0.06).abs() < 1e-12);
    assert_eq!(deciles[0].observed, 0.5);
    // The highest: 0.92, 0.96, 1.00 (indices 2, 1, 0; 0 had the event).
    assert_eq!((deciles[9].decile, deciles[9].people, deciles[9].events), (10, 3, 1));
    assert!((deciles[9].mean_predicted - 0.96).abs() < 1e-12);
    assert_eq!(deciles.iter().map(|d| d.events).sum::<usize>(), labels.iter().filter(|&&l| l).count());
    // Fewer than ten people: the empty tenths are left out.
    assert_eq!(metrics::calibration(&[0.2, 0.1, 0.3], &[true, false, false]).len(), 3);
}

#[test]
fn tiers_take_exact_shares_of_the_ranking_with_ties_broken_by_id() {
    // 1,000 people: 0.5% is 5, 2% is 20 and 5% is 50 people.
    let ids: Vec<String> = (0..1000).map(|i| format!("P{:04}", 999 - i)).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    // Scores fall in steps of ten people, so every tier boundary cuts a tie.
    let scores: Vec<f64> = (0..1000).map(|i| (i / 10) as f64 / 100.0).collect();
    let order = tiers::rank(&scores, &ids);
    let (tier, counts) = tiers::assign(&order, &tiers::DEFAULT_PERCENTS);
    assert_eq!(counts, [5, 15, 30, 950]);
    // The top ten share the highest score (rows 990-999, ids P0000-P0009): the smallest ids come first.
    let top: Vec<&str> = order[..5].iter().map(|&r| ids[r]).collect();
    assert_eq!(top, ["P0000", "P0001", "P0002", "P0003", "P0004"]);
    assert!(order[..5].iter().all(|&r| tier[r] == 1));
    assert!(order[5..20].iter().all(|&r| tier[r] == 2));
    assert!(order[20..50].iter().all(|&r| tier[r] == 3));
    assert!(order[50..].iter().all(|&r| tier[r] == 4));
    // Shares round down; a setting with other tiers.
    assert_eq!(tiers::top_count(999, 0.5), 4);
    assert_eq!(tiers::top_count(200, 0.5), 1);
    assert_eq!(tiers::top_count(100, 0.5), 0);
    let (_, counts) = tiers::assign(&order, &[1.0, 10.0]);
    assert_eq!(counts, [10, 90, 900]);
    assert_eq!(tiers::label(&[0.5, 2.0, 5.0], 0), "Top 0.5%");
    assert_eq!(tiers::label(&[0.5, 2.0, 5.0], 1), "0.5-2%");
    assert_eq!(tiers::label(&[0.5, 2.0, 5.0], 3), "The rest");
    assert!(tiers::check(&[5.0, 2.0]).is_err());
    assert!(tiers::check(&[0.0]).is_err());
    assert!(tiers::check(&[100.0]).is_err());
    assert!(tiers::check(&[]).is_err());
    assert!(tiers::check(&[f64::NAN]).is_err());
    assert!(tiers::check(&[0.5, 2.0, 5.0]).is_ok());
}

#[test]
fn a_small_practice_is_refused_in_words_with_no_scores() {
    let (engine, pop) = practice(1000, 3);
    let as_of = "2026-11-23".parse().unwrap();
    let err = admission::fit_and_score(&engine, &pop, as_of, &RiskSettings::default()).unwrap_err();
    let RiskError::TooFewEvents { events, with_admission: true, .. } = err else { panic!("{err}") };
    assert!(events < MIN_EVENTS);
    assert_eq!(
        err.to_string(),
        format!(
            "Only {events} people had an emergency admission in the 12 months to 23/11/2025; the model needs at \
             least 130 (10 per term) to be fitted honestly, so no risk scores are shown."
        )
    );
    let bad = RiskSettings { tiers: vec![2.0, 2.0] };
    assert!(matches!(admission::fit_and_score(&engine, &pop, as_of, &bad), Err(RiskError::Settings(_))));
    let early = admission::fit_and_score(&engine, &pop, chrono::NaiveDate::MIN, &RiskSettings::default());
    assert!(matches!(early, Err(RiskError::AsOfTooEarly(_))), "{early:?}");
}

/// How far each fitted coefficient may be from the generating one at 20,000
/// patients (about 1,800 people with an admission a year). The eFI terms are
/// looser: the generator's frailty is the category a person has on the
/// extract date, used for every year, while the model sees the eFI as the
/// record stood on each reference date, with fewer deficits coded yet (51
/// severe two years before the extract against 83 on it), so the fitted
/// frailty terms are attenuated.
const TOLERANCE: [(&str, f64); 11] = [
    ("intercept", 0.25),
    ("age_per_decade_over_50", 0.08),
    ("under_5", 0.3),
    ("female", 0.15),
    ("imd_quintile_1", 0.15),
    ("registers", 0.08),
    ("efi_mild", 0.3),
    ("efi_moderate", 0.5),
    ("efi_severe", 0.9),
    ("prior_admissions", 0.15),
    ("prior_ae", 0.15),
];

#[test]
fn at_20000_patients_it_discriminates_and_recovers_the_generating_coefficients() {
    let (engine, pop) = practice(20_000, 42);
    let model = admission::fit_and_score(&engine, &pop, "2026-11-23".parse().unwrap(), &RiskSettings::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let card = &model.card;
    let v = &card.validation;
    println!(
        "validation year: {} people, {} with an admission; AUROC {}, Brier {}, observed {} vs mean predicted {}",
        v.people, v.events, v.auroc, v.brier, v.observed_rate, v.mean_predicted
    );
    println!("{:<24} {:>10} {:>10} {:>10} {:>10}", "term", "generating", "fitted", "validated", "tolerance");
    for c in &card.coefficients {
        let g = generating(&EMERGENCY_ADMISSION, c.term);
        let tol = TOLERANCE.iter().find(|t| t.0 == c.term).map(|t| t.1);
        let show = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.4}"));
        println!(
            "{:<24} {:>10} {:>10.4} {:>10.4} {:>10}",
            c.term,
            show(g),
            c.coefficient,
            c.validated_coefficient,
            show(tol)
        );
    }
    assert!(v.auroc > 0.68, "AUROC {}", v.auroc);
    assert!(v.brier < 0.085, "Brier {}", v.brier);
    assert!((v.mean_predicted - v.observed_rate).abs() < 0.01, "calibration in the large");
    assert_eq!(v.calibration.len(), 10);
    // Observed rates rise from the lowest tenth of predicted risk to the highest.
    assert!(v.calibration[9].observed > 3.0 * v.calibration[0].observed);
    for (term, tol) in TOLERANCE {
        let c = card.coefficients.iter().find(|c| c.term == term).unwrap();
        let g = generating(&EMERGENCY_ADMISSION, term).unwrap();
        assert!((c.coefficient - g).abs() <= tol, "{term}: fitted {} vs generating {g}", c.coefficient);
    }
    // Frailty raises the risk at every level even though attenuated.
    for term in ["efi_mild", "efi_moderate", "efi_severe"] {
        assert!(card.coefficients.iter().find(|c| c.term == term).unwrap().coefficient > 0.2, "{term}");
    }
    // Tiers: exact shares of everyone scored.
    let n = card.data.practice_population;
    let people: Vec<usize> = card.tiers.iter().map(|t| t.people).collect();
    let (a, b, c) = (tiers::top_count(n, 0.5), tiers::top_count(n, 2.0), tiers::top_count(n, 5.0));
    assert_eq!(people, [a, b - a, c - b, n - c]);
    assert_eq!(model.ranked.len(), n);
    assert_eq!(model.scores.iter().flatten().count(), n);
    let first = model.scores[model.ranked[0] as usize].unwrap();
    assert_eq!((first.rank, first.tier), (1, 1));
    assert_eq!(Some(first.percent), card.tiers[0].highest_score);
}
