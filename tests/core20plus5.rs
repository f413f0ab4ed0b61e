//! Core20PLUS5 cohorts on hand-built practices, adult and children's, with
//! the edges worked out by hand. The as-of date is Monday 23 November 2026:
//! "12 months" began on 24 November 2025, "42 weeks" on 3 February 2026, and
//! this flu season on 1 September 2026.

mod support;

use cohort_finder::report::priority::PriorityKey;
use cohort_finder::report::worklist::{Query, Sort};
use support::*;

const AS_OF: &str = "2026-11-23";

// ---------------------------------------------------------------- Core20 and PLUS

#[test]
fn core20_is_imd_deciles_1_and_2_and_plus_is_any_plus_group() {
    // K1 decile 2; K2 decile 3, Bangladeshi (K); K3 decile 3, a carer; K4 a carer
    // no longer; K5 decile 3, white, nothing else.
    let patients = "\
K1,1980-01-01,F,2,A,,,
K2,1980-01-01,M,3,K,,,
K3,1980-01-01,F,3,A,,,
K4,1980-01-01,F,3,A,,,
K5,1980-01-01,M,3,A,,,
";
    let events = "\
K3,133932002,2024-01-01,,,,Caregiver
K4,133932002,2024-01-01,,,,Caregiver
K4,199361000000101,2025-06-01,,,,Is no longer a carer
";
    let r = run(patients, events, AS_OF);
    assert_eq!(ids(&r, "core20"), ["K1"]);
    assert_eq!(ids(&r, "plus"), ["K2", "K3"]);
    assert_eq!(reasons(member(&r, "plus", "K2")), ["Ethnic minority group | - | - | -"]);
    assert_eq!(reasons(member(&r, "plus", "K3")), ["Carer | 133932002 | 2024-01-01 | -"]);
    // PLUS groups are a setting: without carers, K3 is not PLUS.
    let r = run_with(set(&["plus_groups=\"ethnic_minority, smi_register\""]), patients, events, AS_OF);
    assert_eq!(ids(&r, "plus"), ["K2"]);
}

// ---------------------------------------------------------------- maternity

#[test]
fn maternity_lists_the_pregnant_from_ethnic_minorities_or_core20_until_delivery_or_loss() {
    let patients = "\
M1,1995-01-01,F,5,H,,,
M2,1995-01-01,F,1,A,,,
M3,1995-01-01,F,5,A,,,
M4,1995-01-01,F,5,N,,,
M5,1995-01-01,F,5,H,,,
M6,1995-01-01,F,5,H,,,
M7,1995-01-01,F,5,H,,,
";
    // M4 delivered and M5 miscarried after their pregnancy codes; M6's code is
    // from before 3 February (42 weeks); M7's is on 3 February itself.
    let events = "\
M1,169560008,2026-06-01,,,,Pregnant - urine test confirms
M2,169560008,2026-06-01,,,,Pregnant - urine test confirms
M3,169560008,2026-06-01,,,,Pregnant - urine test confirms
M4,169560008,2026-03-01,,,,Pregnant - urine test confirms
M4,177184002,2026-10-20,,,,Normal delivery procedure
M5,169560008,2026-04-01,,,,Pregnant - urine test confirms
M5,17369002,2026-05-01,,,,Miscarriage
M6,169560008,2026-02-02,,,,Pregnant - urine test confirms
M7,169560008,2026-02-03,,,,Pregnant - urine test confirms
";
    let r = run(patients, events, AS_OF);
    assert_eq!(ids(&r, "maternity_continuity"), ["M1", "M2", "M7"]);
    assert_eq!(
        reasons(member(&r, "maternity_continuity", "M2")),
        [
            "Pregnant: pregnancy code, no delivery or loss since | 169560008 | 2026-06-01 | -",
            "Core20: IMD decile 1 or 2 | - | - | -"
        ]
    );
}

// ---------------------------------------------------------------- COPD vaccinations

const COPD_PATIENTS: &str = "\
C1,1946-01-01,M,3,A,,,
C2,1946-01-01,F,3,A,,,
C3,1966-01-01,M,3,A,,,
";
// C1: flu on the first day of the season, pneumococcal long ago, COVID on the
// campaign's first day. C2: flu the day before the season, nothing else.
// C3 (60) had flu and pneumococcal; COVID vaccination is not expected under 75.
const COPD_EVENTS: &str = "\
C1,13645005,2015-01-01,,,,Chronic obstructive pulmonary disease
C1,1037351000000105,2026-09-01,,,,First inactivated seasonal influenza vaccination given by pharmacist
C1,12866006,2018-03-01,,,,Pneumococcal vaccination
C1,840534001,2026-10-01,,,,SARS-CoV-2 vaccination
C2,13645005,2015-01-01,,,,Chronic obstructive pulmonary disease
C2,1037351000000105,2026-08-31,,,,First inactivated seasonal influenza vaccination given by pharmacist
C3,13645005,2015-01-01,,,,Chronic obstructive pulmonary disease
C3,1037351000000105,2026-10-05,,,,First inactivated seasonal influenza vaccination given by pharmacist
C3,12866006,2019-03-01,,,,Pneumococcal vaccination
";

#[test]
fn copd_vaccinations_count_flu_from_1_september_and_covid_from_the_campaign_and_age() {
    let r = run(COPD_PATIENTS, COPD_EVENTS, AS_OF);
    let c = cohort(&r, "copd_vaccinations");
    assert_eq!(c.eligible, 3);
    assert_eq!(ids(&r, "copd_vaccinations"), ["C2"]);
    assert_eq!((c.checks["flu"].applies, c.checks["flu"].done), (3, 2));
    assert_eq!((c.checks["pneumococcal"].applies, c.checks["pneumococcal"].done), (3, 2));
    // COVID applies only at 75 and over: C1 and C2.
    assert_eq!((c.checks["covid"].applies, c.checks["covid"].done), (2, 1));
    let c2 = member(&r, "copd_vaccinations", "C2");
    let flu = check(c2, "flu");
    assert_eq!((flu.done, flu.detail.as_str()), (false, "last done on 31/08/2026"));
    assert_eq!(check(c2, "covid").detail, "never recorded");

    // Everyone on the register expected to have COVID vaccination: C3 joins.
    let all = run_with(set(&["covid_vaccine_min_age=18"]), COPD_PATIENTS, COPD_EVENTS, AS_OF);
    assert_eq!(ids(&all, "copd_vaccinations"), ["C2", "C3"]);
    let c3 = member(&all, "copd_vaccinations", "C3");
    assert_eq!(c3.checks.iter().filter(|k| !k.done).map(|k| k.id.as_str()).collect::<Vec<_>>(), ["covid"]);
    // A check that does not apply is left out of the row.
    let r3 = run(COPD_PATIENTS, COPD_EVENTS, AS_OF);
    assert!(r3.cohorts.get("copd_vaccinations").unwrap().members.iter().all(|m| m.patient_id != "C3"));
}

#[test]
fn the_equity_audit_counts_a_check_only_among_those_it_applies_to() {
    let r = run(COPD_PATIENTS, COPD_EVENTS, AS_OF);
    let covid = r.equity.iter().find(|m| m.id == "copd_vaccinations.covid").unwrap();
    assert_eq!((covid.total.numerator, covid.total.denominator), (1, 2));
    let all = r.equity.iter().find(|m| m.id == "copd_vaccinations.all_required").unwrap();
    assert_eq!((all.total.numerator, all.total.denominator), (2, 3));
}

// ---------------------------------------------------------------- cancer screening

#[test]
fn screening_lists_core20_and_plus_people_overdue_for_the_programmes_their_age_and_sex_fit() {
    // S1 Core20, 30: cervical 1 May 2023 is before 24 May 2023 (42 months).
    // S2 Core20, 55: cervical and breast in time, no bowel screening.
    // S3 60, decile 8, white: not Core20 or PLUS. S4 60, Bangladeshi: bowel in time.
    let patients = "\
S1,1996-01-01,F,1,A,,,
S2,1971-01-01,F,2,A,,,
S3,1966-01-01,M,8,A,,,
S4,1966-01-01,M,8,K,,,
";
    let events = "\
S1,1020451000000104,2023-05-01,,,,Cervical cytology test
S2,1020451000000104,2022-01-01,,,,Cervical cytology test
S2,268547008,2024-01-01,,,,Screening for breast cancer
S4,384171000000104,2025-01-01,,,,Bowel cancer screening programme finding
";
    let r = run(patients, events, AS_OF);
    let c = cohort(&r, "screening_overdue");
    assert_eq!(c.eligible, 3);
    assert_eq!(ids(&r, "screening_overdue"), ["S1", "S2"]);
    let s1 = member(&r, "screening_overdue", "S1");
    assert_eq!(s1.checks.iter().map(|k| (k.id.as_str(), k.done)).collect::<Vec<_>>(), [("cervical", false)]);
    assert_eq!(check(s1, "cervical").detail, "last done on 01/05/2023");
    let s2 = member(&r, "screening_overdue", "S2");
    assert_eq!(
        s2.checks.iter().map(|k| (k.id.as_str(), k.done)).collect::<Vec<_>>(),
        [("cervical", true), ("breast", true), ("bowel", false)]
    );
    assert_eq!((c.checks["bowel"].applies, c.checks["bowel"].done), (2, 1));
}

// ---------------------------------------------------------------- smoking

#[test]
fn smokers_are_flagged_by_their_latest_smoking_status() {
    let patients = "\
T1,1986-01-01,M,5,A,,,
T2,1986-01-01,F,5,A,,,
T3,2013-01-01,F,5,A,,,
";
    // T2 stopped; T3 is 13, under QOF's 15.
    let events = "\
T1,160604004,2026-01-01,,,,Moderate cigarette smoker (10-19 cigs/day)
T2,160604004,2024-01-01,,,,Moderate cigarette smoker (10-19 cigs/day)
T2,8517006,2026-01-01,,,,Ex-smoker
T3,160604004,2026-01-01,,,,Moderate cigarette smoker (10-19 cigs/day)
";
    let r = run(patients, events, AS_OF);
    assert_eq!(ids(&r, "smoker"), ["T1"]);
    assert_eq!(member(&r, "smoker", "T1").flags, ["smoker"]);
}

// ---------------------------------------------------------------- children and young people

#[test]
fn childrens_asthma_lists_reliever_overuse_or_no_review_in_12_months() {
    let patients = "\
A1,2016-01-01,F,5,A,,,
A2,2016-01-01,M,5,A,,,
A3,2016-01-01,M,5,A,,,
A4,2008-01-01,F,5,A,,,
";
    // A1: three relievers in 12 months, reviewed. A2: two relievers, reviewed on
    // the first day of the 12 months. A3: never reviewed. A4 is 18.
    let events = "\
A1,195967001,2020-01-01,,,,Asthma
A1,3408611000001107,2026-01-10,,,dmd,Salbutamol 100micrograms/dose inhaler
A1,3408611000001107,2026-05-10,,,dmd,Salbutamol 100micrograms/dose inhaler
A1,3408611000001107,2026-09-10,,,dmd,Salbutamol 100micrograms/dose inhaler
A1,394700004,2026-05-01,,,,Asthma annual review
A2,195967001,2020-01-01,,,,Asthma
A2,3408611000001107,2026-01-10,,,dmd,Salbutamol 100micrograms/dose inhaler
A2,3408611000001107,2026-05-10,,,dmd,Salbutamol 100micrograms/dose inhaler
A2,394700004,2025-11-24,,,,Asthma annual review
A3,195967001,2020-01-01,,,,Asthma
A4,195967001,2020-01-01,,,,Asthma
";
    let r = run(patients, events, AS_OF);
    assert_eq!(cohort(&r, "cyp_asthma").eligible, 3);
    assert_eq!(ids(&r, "cyp_asthma"), ["A1", "A3"]);
    let a1 = check(member(&r, "cyp_asthma", "A1"), "reliever_use");
    assert!(!a1.done);
    assert_eq!(check(member(&r, "cyp_asthma", "A3"), "asthma_review").detail, "never recorded");
    // Up to 24 in some local programmes: A4 joins, never reviewed.
    let r = run_with(set(&["children_max_age=24"]), patients, events, AS_OF);
    assert_eq!(ids(&r, "cyp_asthma"), ["A1", "A3", "A4"]);
}

#[test]
fn childrens_diabetes_checks_hba1c_for_all_and_annual_checks_for_type_2() {
    let patients = "\
D1,2011-01-01,F,5,A,,,
D2,2014-01-01,M,5,A,,,
";
    let events = "\
D1,44054006,2024-01-01,,,,Diabetes mellitus type 2
D1,1003671000000109,2026-06-01,52,mmol/mol,,Haemoglobin A1c level
D1,1091811000000102,2026-06-01,70,mmHg,,Diastolic arterial pressure
D1,60621009,2026-06-01,31,kg/m2,,Body mass index
D2,46635009,2020-01-01,,,,Diabetes mellitus type 1
D2,1003671000000109,2026-06-01,58,mmol/mol,,Haemoglobin A1c level
";
    let r = run(patients, events, AS_OF);
    assert_eq!(ids(&r, "cyp_diabetes"), ["D1"]);
    let d1 = member(&r, "cyp_diabetes", "D1");
    let missing: Vec<&str> = d1.checks.iter().filter(|k| !k.done).map(|k| k.id.as_str()).collect();
    assert_eq!(missing, ["cholesterol", "urine_albumin"]);
    let c = cohort(&r, "cyp_diabetes");
    assert_eq!((c.checks["hba1c"].applies, c.checks["hba1c"].done), (2, 2));
    assert_eq!((c.checks["cholesterol"].applies, c.checks["cholesterol"].done), (1, 0));
}

#[test]
fn childrens_epilepsy_lists_those_with_a_learning_disability_or_autism() {
    let patients = "\
E1,2014-01-01,F,5,A,,,
E2,2014-01-01,M,5,A,,,
";
    let events = "\
E1,84757009,2022-01-01,,,,Epilepsy
E1,191689008,2019-01-01,,,,Active infantile autism
E2,84757009,2022-01-01,,,,Epilepsy
";
    let r = run(patients, events, AS_OF);
    assert_eq!(ids(&r, "cyp_epilepsy_ld_autism"), ["E1"]);
}

// ---------------------------------------------------------------- priority list

#[test]
fn the_priority_list_has_each_person_once_in_the_order_the_rule_sets() {
    // P1 (66, Core20) misses pneumococcal, and bowel screening on the screening
    // list: 2. P2 (80, neither Core20 nor PLUS) misses flu, pneumococcal and
    // COVID: 3. P3 (66, Core20 and PLUS: Bangladeshi) misses pneumococcal,
    // breast and bowel screening: 3. All three, 40 and over with no blood
    // pressure in 5 years, are on the case-finding list too.
    let patients = "\
P1,1960-01-01,M,1,A,,,
P2,1946-01-01,M,5,A,,,
P3,1960-01-01,F,2,K,,,
";
    let events = "\
P1,13645005,2015-01-01,,,,COPD
P1,1037351000000105,2026-10-01,,,,Flu vaccination
P2,13645005,2015-01-01,,,,COPD
P3,13645005,2015-01-01,,,,COPD
P3,1037351000000105,2026-10-01,,,,Flu vaccination
";
    let r = run(patients, events, AS_OF);
    let list = cohort(&r, "priority");
    let (engine, pop, kept) = stored(patients, events, AS_OF);
    let order = |keys: Vec<PriorityKey>| -> Vec<String> {
        let q = Query { cohort: "priority".into(), sort: Sort::Priority, priority: keys, ..Default::default() };
        let page = kept.worklist_page(&engine.plan, &pop, &q, None).unwrap();
        page.rows.iter().map(|m| m.member.patient_id.clone()).collect()
    };
    assert_eq!(list.count, 3);
    assert_eq!(order(vec![]), ["P3", "P1", "P2"]);
    assert_eq!(order(vec![PriorityKey::MissingChecks]), ["P2", "P3", "P1"]);
    assert_eq!(order(vec![PriorityKey::Lists, PriorityKey::Age]), ["P1", "P3", "P2"]);
    assert_eq!(order(vec![PriorityKey::Age, PriorityKey::Core20Plus]), ["P2", "P3", "P1"]);
    let p3 = member(&r, "priority", "P3");
    assert_eq!(p3.flags, ["core20", "plus"]);
    assert_eq!(
        p3.lists,
        [
            "Hypertension case-finding: no blood pressure in 5 years",
            "COPD: vaccinations missing",
            "Cancer screening overdue (Core20 or PLUS)"
        ]
    );
    assert_eq!(reasons(p3)[4], "On the list: COPD: vaccinations missing | - | - | -");
    assert_eq!(
        p3.checks.iter().filter(|k| !k.done).map(|k| k.id.as_str()).collect::<Vec<_>>(),
        ["copd_vaccinations.pneumococcal", "screening_overdue.breast", "screening_overdue.bowel"]
    );
}

// ---------------------------------------------------------------- lipids and QRISK

const QRISK_PATIENTS: &str = "\
Q1,1966-01-01,M,5,A,,,
Q2,1966-01-01,M,5,A,,,
Q3,1966-01-01,M,5,A,,,
Q4,1962-06-01,M,5,A,,,
Q5,1966-01-01,M,5,A,,,
";
// Q1: only a recorded QRISK3 of 15%. Q2: the same, and a statin in June.
// Q3: the same, and a myocardial infarction. Q4: every QRISK3 input recorded.
// Q5: BMI and blood pressure but no cholesterol, and no recorded score.
const QRISK_EVENTS: &str = "\
Q1,1085871000000105,2025-01-01,15,%,,QRISK3 score
Q2,1085871000000105,2025-01-01,15,%,,QRISK3 score
Q2,20572711000001103,2026-06-01,,,dmd,Atorvastatin 20mg tablets
Q3,1085871000000105,2025-01-01,15,%,,QRISK3 score
Q3,22298006,2020-01-01,,,,Myocardial infarction
Q4,60621009,2026-01-01,30,kg/m2,,Body mass index
Q4,72313002,2025-01-01,150,mmHg,,Systolic arterial pressure
Q4,72313002,2026-01-01,130,mmHg,,Systolic arterial pressure
Q4,1005671000000105,2026-01-01,6.0,mmol/L,,Serum cholesterol level
Q4,1005681000000107,2026-01-01,1.2,mmol/L,,Serum HDL cholesterol level
Q4,160604004,2026-01-01,,,,Moderate cigarette smoker (10-19 cigs/day)
Q4,44054006,2024-01-01,,,,Diabetes mellitus type 2
Q4,38341003,2023-01-01,,,,Hypertensive disorder
Q5,60621009,2026-01-01,30,kg/m2,,Body mass index
Q5,72313002,2026-01-01,130,mmHg,,Systolic arterial pressure
";

#[test]
fn lipid_optimisation_uses_computed_qrisk3_else_the_recorded_score_and_excludes_statins_and_cvd() {
    use cohort_finder::risk::qrisk3::*;
    let r = run(QRISK_PATIENTS, QRISK_EVENTS, AS_OF);
    assert_eq!(ids(&r, "lipid_optimisation"), ["Q1", "Q4"]);
    let q1 = member(&r, "lipid_optimisation", "Q1");
    assert_eq!(
        reasons(q1)[0],
        "QRISK ≥ 10% | 1085871000000105 | 2025-01-01 | recorded QRISK score 15.0% on 01/01/2025"
    );
    assert_eq!((q1.qrisk.unwrap().percent, q1.qrisk.unwrap().source), (15.0, "recorded"));

    // Q4's inputs as the tool derives them from the codes above, by hand: aged 64;
    // white (A); Townsend unknown, so 0; BMI 30; latest systolic 130 and the
    // standard deviation of 150 and 130, √200; cholesterol/HDL 6.0/1.2 = 5;
    // moderate smoker from the code's term; type 2 diabetes; treated
    // hypertension from the register.
    let inputs = Qrisk3Inputs {
        sex: Qrisk3Sex::Male,
        age: 64.0,
        ethnicity: Qrisk3Ethnicity::WhiteOrNotStated,
        townsend: 0.0,
        bmi: 30.0,
        systolic_bp: 130.0,
        systolic_bp_sd: 200f64.sqrt(),
        cholesterol_hdl_ratio: 5.0,
        smoking: Qrisk3Smoking::Moderate,
        atrial_fibrillation: false,
        atypical_antipsychotic: false,
        corticosteroids: false,
        erectile_dysfunction: false,
        migraine: false,
        rheumatoid_arthritis: false,
        ckd_3_to_5: false,
        severe_mental_illness: false,
        sle: false,
        treated_hypertension: true,
        diabetes_type1: false,
        diabetes_type2: true,
        family_history_chd: false,
    };
    let expected = (ten_year_risk(&inputs).unwrap() * 10.0).round() / 10.0;
    let q4 = member(&r, "lipid_optimisation", "Q4");
    assert_eq!((q4.qrisk.unwrap().percent, q4.qrisk.unwrap().source), (expected, "computed"));
    assert!(expected > 30.0, "{expected}");
    assert!(reasons(q4)[0].ends_with("computed from recorded inputs"), "{:?}", reasons(q4));
    // Q5 has no cholesterol and no recorded score: no QRISK at all.
    assert!(ids(&r, "lipid_optimisation").iter().all(|id| id != "Q5"));

    // The threshold is a setting.
    let r = run_with(set(&["qrisk_threshold=20"]), QRISK_PATIENTS, QRISK_EVENTS, AS_OF);
    assert_eq!(ids(&r, "lipid_optimisation"), ["Q4"]);
}
