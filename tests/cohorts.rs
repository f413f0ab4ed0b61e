//! Hand-built practices with hand-checked cohorts, reasons and counts.
//! Unless a test says otherwise the as-of date is Monday 23 November 2026:
//! the financial year began on 1 April 2026, "12 months" began on
//! 24 November 2025 and "5 years" on 24 November 2021.

mod support;

use cohort_finder::report::equity::Measure;
use cohort_finder::report::Report;
use support::*;

const AS_OF: &str = "2026-11-23";

// ---------------------------------------------------------------- learning disability

const LD_PATIENTS: &str = "\
L1,2012-11-23,F,3,A,,,
L2,2012-11-24,M,3,A,,,
L3,1996-05-01,M,,,,,
L4,1996-05-01,F,,,,,
L5,1986-01-01,M,,,,,
";
const LD_EVENTS: &str = "\
L1,110359009,2020-01-01,,,,Intellectual disability
L2,110359009,2020-01-01,,,,Intellectual disability
L3,110359009,2010-01-01,,,,Intellectual disability
L3,69DB.,2026-03-31,,,read2,Learning disability health examination
L4,110359009,2010-01-01,,,,Intellectual disability
L4,69DB.,2026-04-01,,,read2,Learning disability health examination
L4,9HB4.,2026-04-15,,,read2,Health action plan completed
L5,110359009,2010-01-01,,,,Intellectual disability
";

#[test]
fn ld_register_has_everyone_with_an_ld_code_at_any_age() {
    let r = run(LD_PATIENTS, LD_EVENTS, AS_OF);
    assert_eq!(ids(&r, "ld_register"), ["L1", "L2", "L3", "L4", "L5"]);
}

#[test]
fn ld_health_check_is_due_from_the_14th_birthday_in_the_financial_year() {
    let r = run(LD_PATIENTS, LD_EVENTS, AS_OF);
    let c = cohort(&r, "ld_health_check_due");
    // L2 turns 14 tomorrow; L4 was checked on 1 April, the first day of the year.
    assert_eq!(c.eligible, 4);
    assert_eq!(ids(&r, "ld_health_check_due"), ["L1", "L3", "L5"]);
    assert_eq!(c.checks["health_check"].done, 1);
    assert_eq!(c.checks["health_action_plan"].done, 1);

    let l1 = member(&r, "ld_health_check_due", "L1");
    assert_eq!(
        reasons(l1),
        ["Learning disability code | 110359009 | 2020-01-01 | -", "Aged 14 or over | - | - | aged 14"]
    );
    // A check on 31 March belongs to last year: still due, 237 days since.
    let l3 = check(member(&r, "ld_health_check_due", "L3"), "health_check");
    assert!(!l3.done);
    assert_eq!(l3.detail, "last done on 31/03/2026");
    assert_eq!(l3.days_since, Some(237));
    assert_eq!(l3.record.code.as_deref(), Some("69DB."));
    let l5 = check(member(&r, "ld_health_check_due", "L5"), "health_check");
    assert_eq!((l5.done, l5.detail.as_str(), l5.days_since), (false, "never recorded", None));
}

#[test]
fn ld_health_check_settings_change_the_age_and_the_window() {
    let rolling = run_with(set(&["ld_health_check_window=\"12 months\""]), LD_PATIENTS, LD_EVENTS, AS_OF);
    assert_eq!(ids(&rolling, "ld_health_check_due"), ["L1", "L5"]);
    let adults = run_with(set(&["ld_health_check_min_age=18"]), LD_PATIENTS, LD_EVENTS, AS_OF);
    assert_eq!(ids(&adults, "ld_health_check_due"), ["L3", "L5"]);
}

#[test]
fn ld_health_action_plan_must_follow_the_check() {
    let events = "\
L1,110359009,2020-01-01,,,,
L1,9HB4.,2026-04-10,,,read2,
L1,69DB.,2026-05-01,,,read2,
";
    let r = run("L1,1990-01-01,F,,,,,\n", events, AS_OF);
    let c = cohort(&r, "ld_health_check_due");
    // Checked this year, so not on the list; the plan came before the check, so it does not count.
    assert_eq!((c.eligible, c.count), (1, 0));
    assert_eq!(c.checks["health_check"].done, 1);
    assert_eq!(c.checks["health_action_plan"].done, 0);
}

// ---------------------------------------------------------------- serious mental illness

const SMI_PATIENTS: &str = "\
S1,1980-01-01,M,1,A,,,
S2,1980-01-01,F,1,A,,,
S3,1980-01-01,M,5,N,,,
S4,1980-01-01,F,,,,,
S5,1980-01-01,M,,,,,
S6,1980-01-01,F,,,,,
S7,1980-01-01,M,,,,,
";
const SMI_EVENTS: &str = "\
S1,1089481000000106,2015-01-01,,,,Cataleptic schizophrenia
S2,1089481000000106,2015-01-01,,,,Cataleptic schizophrenia
S2,111485001,2018-01-01,,,,Mixed bipolar I disorder in full remission
S3,1089481000000106,2015-01-01,,,,Cataleptic schizophrenia
S3,111485001,2018-01-01,,,,Mixed bipolar I disorder in full remission
S3,1089481000000106,2020-06-01,,,,Cataleptic schizophrenia
S4,879511000001105,2026-07-01,,,dmd,Camcolit 250 tablets
S5,879511000001105,2026-05-01,,,dmd,Camcolit 250 tablets
S6,111483008,2019-01-01,,,,Catatonic schizophrenia in remission
S7,1089481000000106,2019-03-01,,,,Cataleptic schizophrenia
S7,111485001,2019-03-01,,,,Mixed bipolar I disorder in full remission
S1,60621009,2026-06-01,31.2,kg/m2,,Body mass index
S1,271649006,2026-06-01,128,mmHg,,Systolic blood pressure
S1,1005671000000105,2025-10-01,5.1,mmol/L,,Serum cholesterol level
S1,1049321000000109,2026-02-01,41,mmol/mol,,HbA1c
S1,160573003,2025-11-24,4,units/week,,Alcohol intake
S3,60621009,2026-01-01,24,kg/m2,,
S3,271649006,2026-01-01,118,mmHg,,
S3,1005671000000105,2026-01-01,4.2,mmol/L,,
S3,1049321000000109,2026-01-01,38,mmol/mol,,
S3,160573003,2026-01-01,0,units/week,,
S3,160603005,2026-01-01,,,,Light cigarette smoker
S7,160573003,2025-11-23,2,units/week,,
";

#[test]
fn smi_register_follows_remission_and_rediagnosis_and_lithium() {
    let r = run(SMI_PATIENTS, SMI_EVENTS, AS_OF);
    // S2 in remission; S3 re-diagnosed after remission; S4 lithium within 6 months
    // (S5's was 6 months and 22 days ago); S6 has only an "in remission" code;
    // S7's remission is on the day of the diagnosis, which does not resolve it.
    assert_eq!(ids(&r, "smi_register"), ["S1", "S3", "S4", "S7"]);
    assert_eq!(
        reasons(member(&r, "smi_register", "S3")),
        ["Psychosis, schizophrenia or bipolar disorder, not in remission | 1089481000000106 | 2020-06-01 | -"]
    );
    assert_eq!(reasons(member(&r, "smi_register", "S4")), ["Lithium prescribed | 879511000001105 | 2026-07-01 | -"]);
}

#[test]
fn smi_six_checks_say_what_is_done_and_what_is_missing() {
    let r = run(SMI_PATIENTS, SMI_EVENTS, AS_OF);
    let c = cohort(&r, "smi_health_checks");
    assert_eq!(c.eligible, 4);
    assert_eq!(ids(&r, "smi_health_checks"), ["S1", "S4", "S7"]);
    assert_eq!(c.all_checks_done, Some(1), "only S3 has all six");
    let done: Vec<(&str, u64)> = c.checks.0.iter().map(|(k, v)| (k.as_str(), v.done)).collect();
    assert_eq!(
        done,
        [("bmi", 2), ("blood_pressure", 2), ("lipids", 1), ("glucose", 2), ("alcohol", 2), ("smoking", 1)]
    );

    let s1 = member(&r, "smi_health_checks", "S1");
    let status: Vec<(&str, bool, &str)> =
        s1.checks.iter().map(|k| (k.id.as_str(), k.done, k.detail.as_str())).collect();
    assert_eq!(
        status,
        [
            ("bmi", true, "done on 01/06/2026"),
            ("blood_pressure", true, "done on 01/06/2026"),
            ("lipids", false, "last done on 01/10/2025"),
            ("glucose", true, "done on 01/02/2026"),
            // The first day of the 12-month window counts.
            ("alcohol", true, "done on 24/11/2025"),
            ("smoking", false, "never recorded"),
        ]
    );
    let bmi = check(s1, "bmi");
    assert_eq!(
        (bmi.record.value, bmi.record.unit.as_deref(), bmi.record.code.as_deref()),
        (Some(31.2), Some("kg/m2"), Some("60621009"))
    );
    // The day before the window does not.
    assert_eq!(check(member(&r, "smi_health_checks", "S7"), "alcohol").detail, "last done on 23/11/2025");
    let s4_missing = member(&r, "smi_health_checks", "S4").checks.iter().filter(|k| !k.done).count();
    assert_eq!(s4_missing, 6);
}

// ---------------------------------------------------------------- hypertension

const HYP_PATIENTS: &str = "\
H1,1976-01-01,M,,,,,
H2,1941-01-01,F,,,,,
H2b,1941-01-01,F,,,,,
H3,1966-01-01,M,,,,,
H4,1976-01-01,F,,,,,
H5,1976-01-01,M,,,,,
H6,1946-11-23,F,,,,,
";
const HYP_EVENTS: &str = "\
H1,38341003,2018-01-01,,,,Hypertensive disorder
H1,271649006,2026-09-01,140,mmHg,,
H1,271650006,2026-09-01,90,mmHg,,
H2,38341003,2018-01-01,,,,
H2,271649006,2026-10-01,150,mmHg,,
H2,271650006,2026-10-01,90,mmHg,,
H2b,38341003,2018-01-01,,,,
H2b,271649006,2026-10-01,149,mmHg,,
H2b,271650006,2026-10-01,89,mmHg,,
H3,38341003,2018-01-01,,,,
H3,271649006,2025-10-01,130,mmHg,,
H3,271650006,2025-10-01,80,mmHg,,
H4,38341003,2018-01-01,,,,
H4,271649006,2026-08-01,160,mmHg,,
H4,271650006,2026-08-01,95,mmHg,,
H4,271649006,2026-08-01,135,mmHg,,
H4,271650006,2026-08-01,85,mmHg,,
H5,38341003,2015-01-01,,,,
H5,162659009,2020-01-01,,,,Hypertension resolved
H6,38341003,2018-01-01,,,,
H6,271649006,2026-11-01,145,mmHg,,
H6,271650006,2026-11-01,85,mmHg,,
";

#[test]
fn hypertension_register_drops_resolved_diagnoses() {
    let r = run(HYP_PATIENTS, HYP_EVENTS, AS_OF);
    assert_eq!(ids(&r, "hypertension_register"), ["H1", "H2", "H2b", "H3", "H4", "H6"]);
}

#[test]
fn hypertension_not_to_target_uses_the_nice_target_for_age() {
    let r = run(HYP_PATIENTS, HYP_EVENTS, AS_OF);
    // H1 exactly 140/90 under 80 and H2 exactly 150/90 at 85 are not below target;
    // H3 has no BP in 12 months; H4's lowest readings of the day are 135/85;
    // H6 turned 80 today, so 145/85 is within the 150/90 target.
    assert_eq!(ids(&r, "hypertension_not_to_target"), ["H1", "H2", "H3"]);
    let h1 = check(member(&r, "hypertension_not_to_target", "H1"), "bp_at_target");
    // No BP row in the file has a term: the check shows the codelist's.
    assert_eq!(h1.record.term.as_deref(), Some("Systolic blood pressure"));
    assert_eq!((h1.done, h1.detail.as_str()), (false, "not met: latest 140/90 mmHg on 01/09/2026"));
    assert!(check(member(&r, "hypertension_not_to_target", "H1"), "bp_recorded").done);
    let h3 = member(&r, "hypertension_not_to_target", "H3");
    assert_eq!(check(h3, "bp_recorded").detail, "last done on 01/10/2025");
    assert_eq!(check(h3, "bp_at_target").detail, "not met: latest 130/80 mmHg on 01/10/2025");
}

#[test]
fn hypertension_target_can_follow_qof_at_or_below() {
    let r = run_with(set(&["bp_target_compare=at_or_below"]), HYP_PATIENTS, HYP_EVENTS, AS_OF);
    assert_eq!(ids(&r, "hypertension_not_to_target"), ["H3"]);
}

const BP_PATIENTS: &str = "\
U1,1981-01-01,M,,,,,
U2,1981-01-01,F,,,,,
U3,1981-01-01,M,,,,,
U4,2010-01-01,F,,,,,
U5,1981-01-01,M,,,,,
C1,1986-11-23,F,,,,,
C2,1986-11-24,M,,,,,
C3,1976-01-01,F,,,,,
C4,1976-01-01,M,,,,,
C5,1976-01-01,F,,,,,
";
const BP_EVENTS: &str = "\
U1,271649006,2026-01-10,142,mmHg,,
U1,271650006,2026-01-10,80,mmHg,,
U2,271649006,2026-01-10,135,mmHg,,
U2,271650006,2026-01-10,90,mmHg,,
U3,271649006,2026-01-10,139,mmHg,,
U3,271650006,2026-01-10,89,mmHg,,
U4,271649006,2026-01-10,150,mmHg,,
U4,271650006,2026-01-10,95,mmHg,,
U5,271649006,2025-01-10,150,mmHg,,
U5,271650006,2025-01-10,95,mmHg,,
U5,271649006,2026-01-10,130,mmHg,,
U5,271650006,2026-01-10,80,mmHg,,
C3,271649006,2021-11-24,120,mmHg,,
C4,271649006,2021-11-23,120,mmHg,,
C5,38341003,2020-01-01,,,,
";

#[test]
fn possible_undiagnosed_hypertension_is_a_latest_adult_bp_of_140_90_or_more() {
    let r = run(BP_PATIENTS, BP_EVENTS, AS_OF);
    // U2's diastolic is exactly 90; U3 is just under; U4 is 16; U5's latest is normal.
    assert_eq!(ids(&r, "hypertension_possible_undiagnosed"), ["U1", "U2"]);
    assert_eq!(
        reasons(member(&r, "hypertension_possible_undiagnosed", "U1"))[2],
        "Latest blood pressure 140/90 or higher | 271649006 | 2026-01-10 | 142/80 mmHg on 10/01/2026"
    );
}

#[test]
fn case_finding_is_40_and_over_with_no_bp_in_five_years() {
    let r = run(BP_PATIENTS, BP_EVENTS, AS_OF);
    // C1 turned 40 today; C2 is 39; C3's BP is on the first day of the 5 years;
    // C4's is the day before; C5 is on the register.
    assert_eq!(ids(&r, "hypertension_case_finding"), ["C1", "C4"]);
    assert_eq!(
        reasons(member(&r, "hypertension_case_finding", "C1")),
        [
            "Aged 40 or over | - | - | aged 40",
            "Not on the hypertension register | - | - | -",
            "No blood pressure recorded in 5 years | - | - | never recorded",
        ]
    );
    assert_eq!(
        reasons(member(&r, "hypertension_case_finding", "C4"))[2],
        "No blood pressure recorded in 5 years | 271649006 | 2021-11-23 | last recorded on 23/11/2021"
    );
    let qof = run_with(set(&["case_finding_min_age=45"]), BP_PATIENTS, BP_EVENTS, AS_OF);
    assert_eq!(ids(&qof, "hypertension_case_finding"), ["C4"]);
}

// ---------------------------------------------------------------- who is in the population

const STATUS_PATIENTS: &str = "\
D1,1950-01-01,M,,,,,2026-01-01
D2,1950-01-01,F,,,,2026-05-01,
D3,1950-01-01,M,,,2027-01-01,,
E1,1950-01-01,F,,,,,
";
const STATUS_EVENTS: &str = "\
D1,38341003,2018-01-01,,,,
D2,38341003,2018-01-01,,,,
D3,38341003,2018-01-01,,,,
E1,38341003,2027-01-01,,,,
";

#[test]
fn the_dead_the_departed_and_the_future_are_not_listed() {
    let r = run(STATUS_PATIENTS, STATUS_EVENTS, AS_OF);
    assert!(ids(&r, "hypertension_register").is_empty(), "E1's diagnosis is dated after the as-of date");
    let p = &r.population;
    assert_eq!((p.loaded, p.current, p.deceased, p.deregistered, p.not_yet_registered), (4, 1, 1, 1, 1));
    assert_eq!(r.segments.0.iter().map(|(_, n)| n).sum::<u64>(), 1);

    let earlier = run(STATUS_PATIENTS, STATUS_EVENTS, "2025-12-31");
    assert_eq!(ids(&earlier, "hypertension_register"), ["D1", "D2"]);
    assert_eq!(earlier.population.current, 3, "D1, D2 and E1");
}

// ---------------------------------------------------------------- segments

const SEGMENT_PATIENTS: &str = "\
G1,1956-01-01,F,,,,,
G2,1956-01-01,M,,,,,
G3,2016-01-01,F,,,,,
G4,1996-01-01,F,,,,,
G5,1996-01-01,F,,,,,
G6,1996-01-01,F,,,,,
G7,1996-01-01,F,,,,,
G8,1976-01-01,M,,,,,
G9,1976-01-01,F,,,,,
G10,2006-01-01,M,,,,,
G11,1986-01-01,M,,,,,
G12,1966-01-01,F,,,,,
G13,1981-01-01,M,,,,,
";
const SEGMENT_EVENTS: &str = "\
G1,103735009,2026-01-01,,,,Palliative care
G1,925861000000102,2026-01-01,,,,Severe frailty
G2,925861000000102,2026-01-01,,,,Severe frailty
G3,195967001,2022-01-01,,,,Asthma
G4,77386006,2026-04-27,,,,Pregnant
G4,38341003,2020-01-01,,,,
G5,10058006,2026-11-02,,,,Miscarriage
G6,77386006,2026-03-01,,,,Pregnant
G6,10058006,2026-09-28,,,,Miscarriage
G7,77386006,2025-12-08,,,,Pregnant
G8,100721000119109,2023-01-01,,,,High grade astrocytoma of brain
G9,100721000119109,2019-01-01,,,,High grade astrocytoma of brain
G10,191689008,2010-01-01,,,,Active infantile autism
G12,38341003,2020-01-01,,,,
G13,1089481000000106,2015-01-01,,,,
";

#[test]
fn everyone_is_in_the_first_segment_whose_rule_they_meet() {
    let placed = segments(Default::default(), SEGMENT_PATIENTS, SEGMENT_EVENTS, AS_OF);
    let got: Vec<(&str, &str)> = placed.iter().map(|(p, s, _)| (p.as_str(), s.as_str())).collect();
    assert_eq!(
        got,
        [
            ("G1", "end_of_life"),
            ("G10", "learning_disability_neurodiversity"),
            ("G11", "healthy_adults"),
            ("G12", "long_term_conditions"),
            ("G13", "serious_mental_illness"),
            ("G2", "frailty"),
            ("G3", "children_young_people"),
            ("G4", "maternity"),
            ("G5", "maternity"),
            ("G6", "healthy_adults"),
            ("G7", "healthy_adults"),
            ("G8", "cancer"),
            ("G9", "healthy_adults"),
        ]
    );
    let reason = |p: &str| placed.iter().find(|(q, _, _)| q == p).unwrap().2.clone();
    assert_eq!(reason("G2"), "Aged 65 or over");
    assert_eq!(reason("G4"), "Pregnant: pregnancy code in the last 42 weeks, no delivery or loss since");
    assert_eq!(reason("G11"), "No higher segment applies");
}

#[test]
fn segment_precedence_is_configurable() {
    let rules = cohort_finder::rules::RuleOptions {
        segment_precedence: Some(
            [
                "frailty",
                "end_of_life",
                "cancer",
                "serious_mental_illness",
                "learning_disability_neurodiversity",
                "long_term_conditions",
                "maternity",
                "children_young_people",
                "healthy_adults",
            ]
            .map(String::from)
            .to_vec(),
        ),
        ..Default::default()
    };
    let placed = segments(rules, SEGMENT_PATIENTS, SEGMENT_EVENTS, AS_OF);
    let of = |p: &str| placed.iter().find(|(q, _, _)| q == p).unwrap().1.clone();
    assert_eq!(of("G1"), "frailty");
    assert_eq!(of("G4"), "long_term_conditions", "hypertension now outranks maternity");
    let r = run(SEGMENT_PATIENTS, SEGMENT_EVENTS, AS_OF);
    assert_eq!(r.segments.0.iter().map(|(_, n)| n).sum::<u64>(), 13);
}

// ---------------------------------------------------------------- electronic frailty index

/// One code from each of 13 eFI deficits (none of them a QOF register code).
const DEFICIT_CODES: [&str; 13] = [
    "21134002",
    "3978000",
    "3723001",
    "160733006",
    "29738008",
    "7956006",
    "60845006",
    "1912002",
    "47850008",
    "5913000",
    "15188001",
    "44186003",
    "22220005",
];

fn efi_fixture() -> (String, String) {
    let patients = "F1,1956-01-01,F,,,,,\nF2,1956-01-01,M,,,,,\nF3,1956-01-01,F,,,,,\nF4,1966-01-01,M,,,,,\nF5,1956-01-01,F,,,,,\nF6,1956-01-01,M,,,,,\n";
    let mut events = String::new();
    for (patient, n) in [("F1", 5), ("F2", 4), ("F3", 4), ("F4", 10), ("F5", 13), ("F6", 9)] {
        for code in &DEFICIT_CODES[..n] {
            events.push_str(&format!("{patient},{code},2015-06-01,,,,\n"));
        }
    }
    // F2: five distinct medicines in 12 months is a deficit; F3's four are not.
    for (patient, medicines) in [("F2", 5), ("F3", 4)] {
        for m in 0..medicines {
            events.push_str(&format!("{patient},39{m}0011000001105,2026-0{}-01,,,dmd,Medicine {m}\n", m + 2));
        }
    }
    (patients.into(), events)
}

#[test]
fn efi_counts_deficits_and_bands_people_65_and_over() {
    let (patients, events) = efi_fixture();
    let r = run(&patients, &events, AS_OF);
    let cats: Vec<(&str, u64)> = r.efi.categories.0.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    // F1 5 = mild, F2 4 + polypharmacy = mild, F3 4 = fit, F5 13 = severe, F6 9 = moderate; F4 is 60.
    assert_eq!(cats, [("fit", 1), ("mild", 2), ("moderate", 1), ("severe", 1)]);
    assert_eq!(r.efi.assessed, 5);
    let placed = segments(Default::default(), &patients, &events, AS_OF);
    let frail: Vec<&str> = placed.iter().filter(|(_, s, _)| s == "frailty").map(|(p, _, _)| p.as_str()).collect();
    assert_eq!(frail, ["F5", "F6"]);
}

#[test]
fn each_person_65_and_over_lists_their_deficits() {
    let (patients, events) = efi_fixture();
    let r = everyone(Default::default(), &patients, &events, AS_OF);
    let f1 = member(&r, "everyone", "F1").efi.as_ref().unwrap();
    assert_eq!((f1.deficits, f1.score), (5, 0.14));
    assert_eq!(f1.present.len(), 5);
    let first = &f1.present[0];
    assert_eq!(
        (first.rule.as_str(), first.record.code.as_deref(), first.detail.as_deref()),
        ("Activity limitation", Some("21134002"), Some("first recorded on 01/06/2015"))
    );
    let f2 = member(&r, "everyone", "F2").efi.as_ref().unwrap();
    let poly = f2.present.last().unwrap();
    assert_eq!(
        (poly.rule.as_str(), poly.detail.as_deref()),
        ("Polypharmacy", Some("5 different medicines in the last 12 months"))
    );
    assert!(member(&r, "everyone", "F4").efi.is_none(), "F4 is 60");
}

#[test]
fn a_deficit_counts_only_once_recorded_by_the_as_of_date() {
    let (patients, events) = efi_fixture();
    let r = run(&patients, &events, "2015-05-31");
    // Nothing recorded yet in 2015; ages then were 59 and 49, below the eFI's 65.
    assert_eq!(r.efi.assessed, 0);
}

#[test]
fn the_summary_keeps_every_count_and_drops_the_rows() {
    let r = run(SMI_PATIENTS, SMI_EVENTS, AS_OF);
    let (_, _, kept) = stored(SMI_PATIENTS, SMI_EVENTS, AS_OF);
    let s = kept.summary();
    for (id, c) in &r.cohorts.0 {
        assert_eq!((s.cohorts[id.as_str()].count, s.cohorts[id.as_str()].eligible), (c.count, c.eligible));
        assert!(s.cohorts[id.as_str()].members.is_empty());
    }
    assert_eq!(s.segments, r.segments);
}

// ---------------------------------------------------------------- the health equity audit

fn measure<'a>(r: &'a Report, id: &str) -> &'a Measure {
    r.equity.iter().find(|m| m.id == id).unwrap_or_else(|| panic!("no measure {id}"))
}

/// (numerator, denominator, rate) of a group's rate.
fn rate(m: &Measure, dimension: &str, group: &str) -> (u64, u64, Option<f64>) {
    let by = &m.by.0.iter().find(|(d, _)| d == dimension).unwrap().1;
    let r = by.0.iter().find(|(g, _)| g == group).unwrap().1;
    (r.numerator, r.denominator, r.rate)
}

#[test]
fn equity_audit_counts_each_check_by_group_with_not_recorded_as_a_group() {
    // LD fixture: eligible L1 (decile 3, so quintile 2; female), L3, L4, L5 (no decile);
    // only L4 (female) had the check this financial year, and the action plan after it.
    let r = run(LD_PATIENTS, LD_EVENTS, AS_OF);
    let check = measure(&r, "ld_health_check_due.health_check");
    assert_eq!((check.numerator, check.denominator, check.higher_is), ("done", "eligible", "better"));
    assert_eq!((check.total.numerator, check.total.denominator, check.total.rate), (1, 4, Some(0.25)));
    assert_eq!(rate(check, "imd_quintile", "2"), (0, 1, Some(0.0)));
    assert_eq!(rate(check, "imd_quintile", "not_recorded"), (1, 3, Some(0.3333)));
    assert_eq!(rate(check, "imd_quintile", "1"), (0, 0, None));
    assert_eq!(rate(check, "sex", "female"), (1, 2, Some(0.5)));
    assert_eq!(rate(check, "sex", "male"), (0, 2, Some(0.0)));
    assert_eq!(check.deprivation_gap, None, "nobody in quintile 1 or 5");
    // The optional action plan is a measure of its own; "every required check" is the check alone.
    assert_eq!(measure(&r, "ld_health_check_due.health_action_plan").total.numerator, 1);
    assert_eq!(measure(&r, "ld_health_check_due.all_required").total.numerator, 1);
    // A register is a prevalence among the registered population.
    let register = measure(&r, "ld_register");
    assert_eq!((register.numerator, register.denominator), ("on the register", "registered patients"));
    assert_eq!((register.total.numerator, register.total.denominator), (5, 5));
    // The CSV: the whole population as "all", then every group; 1 of 4 is 0.0456 to 0.6994.
    let csv = cohort_finder::report::csv_export::equity_csv(&r.equity);
    assert!(csv.contains(
        "ld_health_check_due.health_check,Annual health check (Learning disability annual health check due),\
         done,eligible,all,all,1,4,0.25,0.0456,0.6994,,\r\n"
    ));
    assert!(csv.contains("ld_health_check_due.health_check,Annual health check (Learning disability annual health check due),done,eligible,imd_quintile,1,0,0,,,,,\r\n"));
}

#[test]
fn equity_audit_gives_the_gap_between_the_most_and_least_deprived_fifths() {
    // Case-finding (40+, no BP in 5 years), among the registered: G1 and G2 in
    // quintile 1 (deciles 1 and 2), G3 and G4 in quintile 5 (deciles 10 and 9);
    // only G1 has no BP.
    let patients = "\
G1,1970-01-01,F,1,,,,
G2,1970-01-01,M,2,,,,
G3,1960-01-01,F,10,,,,
G4,1980-01-01,M,9,,,,
";
    let events = "\
G2,271649006,2025-01-01,130,mmHg,,
G3,271649006,2024-01-01,128,mmHg,,
G4,271649006,2024-06-01,125,mmHg,,
";
    let r = run(patients, events, AS_OF);
    assert_eq!(ids(&r, "hypertension_case_finding"), ["G1"]);
    let m = measure(&r, "hypertension_case_finding");
    assert_eq!((m.numerator, m.denominator, m.higher_is), ("on the list", "registered patients", "worse"));
    assert_eq!(rate(m, "imd_quintile", "1"), (1, 2, Some(0.5)));
    assert_eq!(rate(m, "imd_quintile", "5"), (0, 2, Some(0.0)));
    let gap = m.deprivation_gap.unwrap();
    assert_eq!((gap.most_deprived, gap.least_deprived, gap.absolute, gap.relative), (0.5, 0.0, 0.5, None));
    // 1 of 2: the Wilson interval is 0.0945 to 0.9055.
    let q1 = &m.by.0[0].1 .0[0].1;
    assert_eq!((q1.low, q1.high), (Some(0.0945), Some(0.9055)));
}
