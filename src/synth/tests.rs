use std::collections::{BTreeMap, HashMap, HashSet};

use super::*;
use crate::codes::Clusters;

fn extract() -> Date {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn config(patients: usize, seed: u64, deprivation: Deprivation) -> SynthConfig {
    SynthConfig { deprivation, ..SynthConfig::new(patients, seed, extract()) }
}

fn run(config: &SynthConfig, clusters: &Clusters) -> (Vec<u8>, Vec<u8>, SynthSummary) {
    let (mut p, mut e) = (Vec::new(), Vec::new());
    let summary = generate(config, clusters, &mut p, &mut e).unwrap();
    (p, e, summary)
}

struct Pat {
    dob: Date,
    imd: Option<u8>,
    reg: Date,
    left: Option<Date>,
}

struct Event {
    patient: String,
    code: String,
    date: Date,
    value: String,
    unit: String,
    system: String,
}

fn parse_date(s: &str) -> Option<Date> {
    (!s.is_empty()).then(|| ymd(s.as_bytes()))
}

fn parse(patients: &[u8], events: &[u8]) -> (BTreeMap<String, Pat>, Vec<Event>, Vec<String>) {
    let mut pats = BTreeMap::new();
    let mut nhs = Vec::new();
    for r in csv::Reader::from_reader(patients).records() {
        let r = r.unwrap();
        let left = parse_date(&r[9]).or(parse_date(&r[10]));
        pats.insert(
            r[0].to_owned(),
            Pat { dob: parse_date(&r[2]).unwrap(), imd: r[5].parse().ok(), reg: parse_date(&r[8]).unwrap(), left },
        );
        nhs.push(r[1].to_owned());
    }
    let evs = csv::Reader::from_reader(events)
        .records()
        .map(|r| {
            let r = r.unwrap();
            Event {
                patient: r[0].to_owned(),
                code: r[1].to_owned(),
                date: parse_date(&r[2]).unwrap(),
                value: r[3].to_owned(),
                unit: r[4].to_owned(),
                system: r[5].to_owned(),
            }
        })
        .collect();
    (pats, evs, nhs)
}

#[test]
fn same_seed_same_bytes_and_different_seed_different_practice() {
    let clusters = Clusters::builtin();
    let a = run(&config(400, 7, Deprivation::Average), &clusters);
    let b = run(&config(400, 7, Deprivation::Average), &clusters);
    assert!(a.0 == b.0 && a.1 == b.1, "same config must give identical files");
    assert_eq!(a.2, b.2);
    let c = run(&config(400, 8, Deprivation::Average), &clusters);
    assert_ne!(a.0, c.0);
    assert_ne!(a.1, c.1);
}

#[test]
fn headers_are_exactly_as_specified() {
    let clusters = Clusters::builtin();
    let (p, e, _) = run(&config(5, 1, Deprivation::Average), &clusters);
    let first = |b: &[u8]| String::from_utf8(b.split(|c| *c == b'\n').next().unwrap().to_vec()).unwrap();
    assert_eq!(
        first(&p),
        "patient_id,nhs_number,date_of_birth,sex,ethnicity,imd_decile,lsoa,practice_code,registered_date,deregistered_date,date_of_death,name"
    );
    assert_eq!(first(&e), "patient_id,code,date,value,unit,code_system,term");
    assert!(!p.contains(&b'\r') && !e.contains(&b'\r'), "LF line ends only");
}

#[test]
fn every_cluster_code_belongs_to_its_cluster() {
    let clusters = Clusters::builtin();
    let vocab = Vocab::new(&clusters);
    for info in &vocab.table {
        if let Some(cluster) = info.cluster {
            let id = clusters.id(cluster).unwrap();
            assert!(clusters.of_code(&info.code).contains(&id), "{} ({}) is not in {cluster}", info.code, info.term);
        }
        assert!(!info.term.is_empty(), "{} has no term", info.code);
    }
    for (group, codes) in vocab.ethnicity.iter().enumerate() {
        assert!(!codes.is_empty(), "no ethnicity codes for group {group}");
        let expected = [
            crate::model::EthnicityGroup::White,
            crate::model::EthnicityGroup::Mixed,
            crate::model::EthnicityGroup::Asian,
            crate::model::EthnicityGroup::Black,
            crate::model::EthnicityGroup::Other,
        ][group];
        for c in codes {
            assert_eq!(clusters.ethnicity_of(&vocab.get(*c).code), Some(expected));
        }
    }
    // Every code written is one of the vocabulary's, with its system.
    let known: HashMap<&str, &str> = vocab.table.iter().map(|c| (c.code.as_str(), c.system)).collect();
    let (_, e, _) = run(&config(1500, 3, Deprivation::Average), &clusters);
    let (_, events, _) = parse(&[], &e);
    let mut seen = HashSet::new();
    for ev in &events {
        assert_eq!(known.get(ev.code.as_str()), Some(&ev.system.as_str()), "unexpected code {}", ev.code);
        seen.insert(ev.code.clone());
        assert_eq!(ev.value.is_empty(), ev.unit.is_empty(), "{}: a unit goes with a value", ev.code);
    }
    // Medicines are dm+d; the LD health check is Read v2.
    assert!(events.iter().any(|e| e.system == "dmd"));
    assert!(events.iter().any(|e| e.code == "69DB." && e.system == "read2"));
    assert!(seen.len() > 60, "only {} distinct codes", seen.len());
}

#[test]
fn nhs_numbers_are_valid_test_numbers_and_unique() {
    let clusters = Clusters::builtin();
    let (p, e, summary) = run(&config(2000, 11, Deprivation::Deprived), &clusters);
    let (pats, _, nhs) = parse(&p, &e);
    assert_eq!(pats.len() as u64, summary.patients);
    let unique: HashSet<&String> = nhs.iter().collect();
    assert_eq!(unique.len(), nhs.len());
    for n in &nhs {
        assert!(n.len() == 10 && n.starts_with("999"), "{n}");
        assert_eq!(check_digit(&n[..9]), Some((n.as_bytes()[9] - b'0') as u32), "{n}");
    }
    assert_eq!(check_digit("943476591"), Some(9));
    assert_eq!(check_digit("123456789"), None);
}

#[test]
fn nothing_is_recorded_after_the_extract_before_birth_or_after_leaving() {
    let clusters = Clusters::builtin();
    let (p, e, _) = run(&config(3000, 5, Deprivation::Average), &clusters);
    let (pats, events, _) = parse(&p, &e);
    let mut before_reg = 0;
    for ev in &events {
        let pat = &pats[&ev.patient];
        assert!(ev.date <= extract(), "{} on {} after the extract", ev.code, ev.date);
        assert!(ev.date >= pat.dob, "{} on {} before birth {}", ev.code, ev.date, pat.dob);
        if let Some(left) = pat.left {
            assert!(ev.date <= left, "{} on {} after leaving {left}", ev.code, ev.date);
        }
        if ev.date < pat.reg {
            before_reg += 1;
        }
    }
    // Old diagnoses and vaccinations may predate registration; little else does.
    assert!(before_reg * 10 < events.len(), "{before_reg} of {} before registration", events.len());
    for pat in pats.values() {
        assert!(pat.reg >= pat.dob && pat.reg <= extract());
    }
}

/// The latest date of any code of each cluster, per patient.
struct Latest {
    map: HashMap<(u32, crate::model::ClusterId), Date>,
    alive: Vec<bool>,
}

fn ymd(b: &[u8]) -> Date {
    let n = |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |a, d| a * 10 + (d - b'0') as u32);
    NaiveDate::from_ymd_opt(n(0..4) as i32, n(5..7), n(8..10)).unwrap()
}

impl Latest {
    fn new(clusters: &Clusters, patients: &[u8], events: &[u8]) -> Latest {
        let mut ids: HashMap<Vec<u8>, u32> = HashMap::new();
        let mut alive = Vec::new();
        let mut reader = csv::Reader::from_reader(patients);
        for r in reader.byte_records() {
            let r = r.unwrap();
            ids.insert(r[0].to_vec(), alive.len() as u32);
            alive.push(r[9].is_empty() && r[10].is_empty());
        }
        let mut memo: HashMap<Vec<u8>, Box<[crate::model::ClusterId]>> = HashMap::new();
        let mut map: HashMap<(u32, crate::model::ClusterId), Date> = HashMap::new();
        let mut reader = csv::Reader::from_reader(events);
        for r in reader.byte_records() {
            let r = r.unwrap();
            let patient = ids[&r[0]];
            let date = ymd(&r[2]);
            let of = memo.entry(r[1].to_vec()).or_insert_with(|| clusters.of_code(std::str::from_utf8(&r[1]).unwrap()));
            for c in of.iter() {
                let e = map.entry((patient, *c)).or_insert(date);
                *e = (*e).max(date);
            }
        }
        Latest { map, alive }
    }

    fn alive(&self) -> usize {
        self.alive.iter().filter(|a| **a).count()
    }

    /// People on a register: a code from `diagnosis` with no later code from
    /// `resolved`, alive and registered on the extract date.
    fn register(&self, clusters: &Clusters, diagnosis: &str, resolved: Option<&str>, since: Option<Date>) -> usize {
        let d = clusters.id(diagnosis).unwrap();
        let r = resolved.map(|r| clusters.id(r).unwrap());
        (0..self.alive.len() as u32)
            .filter(|&p| self.alive[p as usize])
            .filter(|&p| {
                let Some(dx) = self.map.get(&(p, d)) else {
                    return false;
                };
                let res = r.and_then(|r| self.map.get(&(p, r)));
                since.is_none_or(|s| *dx >= s) && res.is_none_or(|res| dx >= res)
            })
            .count()
    }
}

#[test]
fn register_prevalences_are_near_national_figures() {
    let clusters = Clusters::builtin();
    let (p, e, _) = run(&config(20_000, 42, Deprivation::Average), &clusters);
    let latest = Latest::new(&clusters, &p, &e);
    let alive = latest.alive() as f64;
    let five_years_ago = extract() - chrono::Duration::days(5 * 365);
    let checks = [
        ("hyp", Some("hyp_resolved"), None, 12.0, 17.0),
        ("dm", Some("dm_resolved"), None, 5.0, 8.0),
        ("asthma", Some("asthma_resolved"), None, 5.0, 8.0),
        ("copd", Some("copd_resolved"), None, 1.2, 2.8),
        ("chd", None, None, 2.0, 4.2),
        ("af", None, None, 1.3, 2.8),
        ("stroke_tia", None, None, 1.2, 2.6),
        ("hf", Some("hf_resolved"), None, 0.6, 1.6),
        ("ckd", Some("ckd_resolved"), None, 2.2, 4.6),
        ("dementia", None, None, 0.45, 1.2),
        ("epilepsy", Some("epilepsy_resolved"), None, 0.5, 1.2),
        ("osteoporosis", None, None, 0.6, 1.5),
        ("ra", None, None, 0.5, 1.2),
        ("pad", None, None, 0.35, 0.95),
        ("cancer", None, Some(five_years_ago), 2.0, 4.2),
        ("palliative", Some("palliative_not_indicated"), None, 0.25, 0.9),
        ("smi", Some("smi_remission"), None, 0.65, 1.4),
        ("ld", None, None, 0.4, 1.0),
        ("autism", None, None, 0.6, 1.5),
    ];
    let mut failures = Vec::new();
    for (cluster, resolved, since, lo, hi) in checks {
        let pct = 100.0 * latest.register(&clusters, cluster, resolved, since) as f64 / alive;
        if !(lo..=hi).contains(&pct) {
            failures.push(format!("{cluster}: {pct:.2}% not in {lo}–{hi}%"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Share of adults aged 40+ in deciles `lo..=hi` (alive, registered) with a
/// systolic BP in the last five years.
fn bp_recorded(clusters: &Clusters, runs: &[(Vec<u8>, Vec<u8>)], deciles: std::ops::RangeInclusive<u8>) -> f64 {
    let sys = clusters.id("systolic_bp").unwrap();
    let since = extract() - chrono::Duration::days(5 * 365);
    let (mut eligible, mut with) = (0, 0);
    for (p, e) in runs {
        let (pats, events, _) = parse(p, e);
        let measured: HashSet<&str> = events
            .iter()
            .filter(|ev| ev.date >= since && clusters.of_code(&ev.code).contains(&sys))
            .map(|ev| ev.patient.as_str())
            .collect();
        for (id, pat) in &pats {
            let age = extract().years_since(pat.dob).unwrap_or(0);
            if pat.left.is_none() && age >= 40 && pat.imd.is_some_and(|d| deciles.contains(&d)) {
                eligible += 1;
                with += usize::from(measured.contains(id.as_str()));
            }
        }
    }
    with as f64 / eligible.max(1) as f64
}

#[test]
fn blood_pressure_is_recorded_less_often_in_the_most_deprived_deciles() {
    let clusters = Clusters::builtin();
    let runs: Vec<(Vec<u8>, Vec<u8>)> = [Deprivation::Deprived, Deprivation::Affluent]
        .iter()
        .map(|d| {
            let (p, e, _) = run(&config(5000, 21, *d), &clusters);
            (p, e)
        })
        .collect();
    let low = bp_recorded(&clusters, &runs, 1..=2);
    let high = bp_recorded(&clusters, &runs, 9..=10);
    assert!(low + 0.03 < high, "BP recorded in 5 years: deciles 1–2 {low:.3}, 9–10 {high:.3}");
}

#[test]
fn deprivation_profiles_shape_the_deciles() {
    let clusters = Clusters::builtin();
    for (d, lo, hi) in [(Deprivation::Deprived, 1, 3), (Deprivation::Affluent, 8, 10)] {
        let (p, e, _) = run(&config(2000, 9, d), &clusters);
        let (pats, _, _) = parse(&p, &e);
        let with: Vec<u8> = pats.values().filter_map(|p| p.imd).collect();
        let inside = with.iter().filter(|x| (lo..=hi).contains(*x)).count() as f64 / with.len() as f64;
        assert!(inside > 0.6, "{d}: {inside:.2} in deciles {lo}–{hi}");
        let blank = pats.values().filter(|p| p.imd.is_none()).count() as f64 / pats.len() as f64;
        assert!((0.01..0.06).contains(&blank), "{d}: {blank:.3} blank");
    }
    // Mixed: two catchments, few people in the middle deciles (a larger
    // practice, so its many LSOAs follow the profile closely).
    let (p, e, _) = run(&config(20_000, 9, Deprivation::Mixed), &clusters);
    let (pats, _, _) = parse(&p, &e);
    let with: Vec<u8> = pats.values().filter_map(|p| p.imd).collect();
    let share =
        |r: std::ops::RangeInclusive<u8>| with.iter().filter(|x| r.contains(*x)).count() as f64 / with.len() as f64;
    let (low, middle, high) = (share(1..=2), share(3..=7), share(8..=10));
    assert!(low > 0.3 && high > 0.3 && middle < 0.25, "mixed: {low:.2} / {middle:.2} / {high:.2}");
    assert_eq!("Affluent".parse::<Deprivation>(), Ok(Deprivation::Affluent));
    assert_eq!("mixed".parse::<Deprivation>(), Ok(Deprivation::Mixed));
    assert_eq!(Deprivation::Deprived.to_string(), "deprived");
    assert!("rich".parse::<Deprivation>().is_err());
}

#[test]
fn values_are_plain_decimals_and_some_bp_sit_on_the_thresholds() {
    let clusters = Clusters::builtin();
    let (p, e, _) = run(&config(3000, 13, Deprivation::Average), &clusters);
    let (_, events, _) = parse(&p, &e);
    let mut on_threshold = 0;
    for ev in events.iter().filter(|e| !e.value.is_empty()) {
        assert!(ev.value.bytes().all(|b| b.is_ascii_digit() || b == b'.'), "{}", ev.value);
        if ev.code == "271649006" && (ev.value == "140" || ev.value == "150") {
            on_threshold += 1;
        }
    }
    assert!(on_threshold > 0);
}

/// Every person as `generate` draws them, with what was drawn for their
/// emergency care: (alive and registered on the extract date, years).
fn truths(config: &SynthConfig, clusters: &Clusters) -> Vec<(bool, [Option<emergency::YearTruth>; YEARS])> {
    let ctx = Ctx::new(config, clusters);
    let mut evs = Vec::new();
    (0..config.patients)
        .map(|index| {
            let mut rng = Rng::new(config.seed, index as u64 + 1);
            let mut emergency_rng = Rng::emergency(config.seed, index as u64 + 1);
            let p = person::draw(&ctx, &mut rng);
            evs.clear();
            let facts = record::record(&ctx, &p, &mut rng, &mut emergency_rng, &mut evs);
            (p.death.is_none() && p.dereg.is_none(), facts.emergency)
        })
        .collect()
}

#[test]
fn emergency_admissions_and_ae_attendances_are_at_realistic_rates() {
    let clusters = Clusters::builtin();
    let (p, e, summary) = run(&config(20_000, 42, Deprivation::Average), &clusters);
    let (pats, events, _) = parse(&p, &e);
    let admission = clusters.id("emergency_admission").unwrap();
    let ae = clusters.id("ae_attendance").unwrap();
    let from = extract() - chrono::Months::new(12);
    let (mut admitted, mut admissions, mut attended) = (HashSet::new(), 0, HashSet::new());
    for ev in events.iter().filter(|ev| ev.date > from) {
        let of = clusters.of_code(&ev.code);
        if of.contains(&admission) {
            admitted.insert(ev.patient.as_str());
            admissions += usize::from(pats[&ev.patient].left.is_none());
        }
        if of.contains(&ae) {
            attended.insert(ev.patient.as_str());
        }
    }
    let current: Vec<&str> = pats.iter().filter(|(_, p)| p.left.is_none()).map(|(id, _)| id.as_str()).collect();
    let n = current.len() as f64;
    let share = |set: &HashSet<&str>| current.iter().filter(|id| set.contains(*id)).count() as f64 / n;
    let (admitted_share, attended_share) = (share(&admitted), share(&attended));
    let per_100 = 100.0 * admissions as f64 / n;
    assert!((0.08..=0.12).contains(&admitted_share), "{:.3} with an emergency admission", admitted_share);
    assert!((9.0..=15.0).contains(&per_100), "{per_100:.1} admissions per 100");
    assert!((0.18..=0.32).contains(&attended_share), "{:.3} with an A&E attendance", attended_share);
    // The summary counts what was drawn; the file holds exactly that.
    let counted = summary.conditions["emergency_admission_12m"] as f64 / summary.conditions["alive_registered"] as f64;
    assert_eq!(counted, admitted_share);
}

#[test]
fn emergency_care_stays_in_the_three_years_and_the_time_on_the_list() {
    let clusters = Clusters::builtin();
    let (p, e, _) = run(&config(5000, 8, Deprivation::Deprived), &clusters);
    let (pats, events, _) = parse(&p, &e);
    let emergency = [clusters.id("emergency_admission").unwrap(), clusters.id("ae_attendance").unwrap()];
    let earliest = extract() - chrono::Months::new(36);
    let mut seen = 0;
    for ev in events.iter().filter(|ev| clusters.of_code(&ev.code).iter().any(|c| emergency.contains(c))) {
        let pat = &pats[&ev.patient];
        assert!(ev.date > earliest && ev.date <= extract(), "{} on {}", ev.code, ev.date);
        assert!(ev.date >= pat.reg && pat.left.is_none_or(|left| ev.date <= left), "{} on {}", ev.code, ev.date);
        seen += 1;
    }
    assert!(seen > 1000, "{seen}");
}

/// Observed and expected (mean model probability) admission rates in a
/// stratum of whole person-years.
#[derive(Default)]
struct Stratum {
    n: f64,
    admitted: f64,
    expected: f64,
}

impl Stratum {
    fn rate(&self) -> f64 {
        self.admitted / self.n
    }

    /// Observed within 4 standard errors (and a little) of expected.
    fn agrees(&self) -> bool {
        let p = self.expected / self.n;
        (self.rate() - p).abs() <= 4.0 * (p * (1.0 - p) / self.n).sqrt() + 0.003
    }
}

#[test]
fn admission_rates_rise_with_age_frailty_conditions_and_prior_admissions_as_the_model_says() {
    let clusters = Clusters::builtin();
    let truths = truths(&config(60_000, 5, Deprivation::Mixed), &clusters);
    let years = truths.iter().flat_map(|(_, years)| years.iter().flatten()).filter(|y| y.exposure == 1.0);
    let mut strata: BTreeMap<(&str, u32), Stratum> = BTreeMap::new();
    for y in years {
        let f = &y.features;
        let age = match f.age {
            0..=49 => 0,
            50..=64 => 1,
            65..=74 => 2,
            75..=84 => 3,
            _ => 4,
        };
        let frailty = f.frailty.map(|c| c as u32 + 1).unwrap_or(0);
        let keys = [
            ("age", age),
            ("frailty", frailty),
            ("conditions", f.conditions.min(4)),
            ("prior admissions", f.prior_admissions.min(2)),
            ("imd quintile 1", u32::from(f.imd_decile.is_some_and(|d| d <= 2))),
        ];
        for key in keys {
            let s = strata.entry(key).or_default();
            s.n += 1.0;
            s.admitted += f64::from(u8::from(y.admissions > 0));
            s.expected += y.p_admission;
            assert_eq!(y.p_admission, EMERGENCY_ADMISSION.probability(f));
        }
    }
    let mut failures = Vec::new();
    for ((name, level), s) in &strata {
        if s.n >= 300.0 && !s.agrees() {
            failures.push(format!(
                "{name} {level}: {:.4} observed, {:.4} expected, n {}",
                s.rate(),
                s.expected / s.n,
                s.n
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    // Each gradient rises through its levels (frailty from fit upwards).
    for (name, levels) in [
        ("age", 0..=4),
        ("frailty", 1..=4),
        ("conditions", 0..=4),
        ("prior admissions", 0..=2),
        ("imd quintile 1", 0..=1),
    ] {
        let rates: Vec<f64> = levels.map(|l| strata[&(name, l)].rate()).collect();
        assert!(rates.windows(2).all(|w| w[0] < w[1]), "{name}: {rates:?}");
    }
}

#[test]
fn the_features_drawn_from_are_what_the_record_shows() {
    use crate::risk::admissions::{in_12_months_before, EmergencyClusters};
    let clusters = Clusters::builtin();
    let config = config(4000, 17, Deprivation::Average);
    let (p, e, _) = run(&config, &clusters);
    let truths = truths(&config, &clusters);
    let engine = crate::Engine::new(&crate::EngineConfig::default()).unwrap();
    let mut loader = engine.loader(crate::ingest::ColumnMapping::default());
    loader.load_patients("patients.csv", &p[..]);
    loader.load_events("events.csv", &e[..]);
    let (pop, _) = loader.finish();
    assert_eq!(pop.patients.len(), truths.len());
    let emergency = EmergencyClusters::new(&engine.clusters).unwrap();
    let reference = extract() - chrono::Months::new(12);
    let analysis = crate::analysis::analyse(&engine.plan, &pop, reference);
    let (mut compared, mut frail) = (0, 0);
    // Patient ids are P000001 onwards, so the population keeps generation order.
    for (i, (_, years)) in truths.iter().enumerate() {
        let Some(last) = years[0] else { continue };
        let before = in_12_months_before(&pop, i as u32, &emergency, reference);
        let during = in_12_months_before(&pop, i as u32, &emergency, extract());
        assert_eq!(
            (before.admissions, before.ae_attendances),
            (last.features.prior_admissions, last.features.prior_ae)
        );
        assert_eq!((during.admissions, during.ae_attendances), (last.admissions, last.ae), "patient {i}");
        if analysis.not_current[i].is_none() {
            assert_eq!(analysis.ltc_count[i] as u32, last.features.conditions, "patient {}", pop.patients[i].id);
            assert_eq!(analysis.efi[i].category, last.features.frailty, "patient {}", pop.patients[i].id);
            frail += usize::from(last.features.frailty.is_some_and(|c| c != crate::rules::plan::EfiCategory::Fit));
            compared += 1;
        }
    }
    assert!(compared > 3000, "{compared}");
    assert!(frail > 100, "{frail}");
}

#[test]
fn the_generators_efi_is_the_rules() {
    use super::record::{EFI_FIT_MAX, EFI_MILD_MAX, EFI_MIN_AGE, EFI_MODERATE_MAX, POLYPHARMACY_MEDICINES};
    let engine = crate::Engine::new(&crate::EngineConfig::default()).unwrap();
    let efi = &engine.plan.efi;
    assert_eq!((efi.min_age, efi.polypharmacy_min_medicines as usize), (EFI_MIN_AGE, POLYPHARMACY_MEDICINES));
    assert_eq!((efi.fit_max, efi.mild_max, efi.moderate_max), (EFI_FIT_MAX, EFI_MILD_MAX, EFI_MODERATE_MAX));
    let ids: Vec<_> = efi.deficits.iter().map(|d| d.cluster).collect();
    assert_eq!(super::vocab::deficit_clusters(&engine.clusters), ids);
}
