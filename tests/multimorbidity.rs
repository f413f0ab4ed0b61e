//! Multimorbidity: long-term condition registers per person, in bands,
//! checked by hand on a small practice. As-of date Monday 23 November 2026;
//! the lithium window (6 months) began on 24 May 2026.

mod support;

use cohort_finder::risk::multimorbidity::REGISTERS;
use support::*;

const AS_OF: &str = "2026-11-23";

// M0-M5 are on 0 to 5 registers. R1's asthma is resolved (hypertension
// only). P1 is on the palliative care register, which is not a condition
// (dementia only). L1 is on the SMI register through lithium alone. D1, on
// four registers, died in 2025; X1 left the practice.
const PATIENTS: &str = "\
M0,1980-01-01,F,5,A,2000-01-01,,
M1,1970-01-01,M,5,A,2000-01-01,,
M2,1960-01-01,F,1,A,2000-01-01,,
M3,1950-01-01,M,2,A,2000-01-01,,
M4,1945-01-01,F,5,A,2000-01-01,,
M5,1940-01-01,M,9,A,2000-01-01,,
R1,1975-01-01,F,5,A,2000-01-01,,
P1,1935-01-01,F,5,A,2000-01-01,,
L1,1985-01-01,M,5,A,2000-01-01,,
D1,1930-01-01,M,5,A,2000-01-01,,2025-06-01
X1,1950-01-01,F,5,A,2000-01-01,2024-01-01,
";

const EVENTS: &str = "\
M1,38341003,2015-01-01,,,,Hypertensive disorder
M2,38341003,2015-01-01,,,,Hypertensive disorder
M2,44054006,2016-01-01,,,,Type 2 diabetes mellitus
M3,38341003,2015-01-01,,,,Hypertensive disorder
M3,44054006,2016-01-01,,,,Type 2 diabetes mellitus
M3,195967001,2010-01-01,,,,Asthma
M4,38341003,2015-01-01,,,,Hypertensive disorder
M4,44054006,2016-01-01,,,,Type 2 diabetes mellitus
M4,195967001,2010-01-01,,,,Asthma
M4,13645005,2018-01-01,,,,Chronic obstructive lung disease
M5,38341003,2015-01-01,,,,Hypertensive disorder
M5,44054006,2016-01-01,,,,Type 2 diabetes mellitus
M5,414545008,2017-01-01,,,,Ischaemic heart disease
M5,49436004,2019-01-01,,,,Atrial fibrillation
M5,110359009,1945-01-01,,,,Intellectual disability
R1,38341003,2015-01-01,,,,Hypertensive disorder
R1,195967001,2010-01-01,,,,Asthma
R1,162660004,2020-01-01,,,,Asthma resolved
P1,52448006,2024-01-01,,,,Dementia
P1,103735009,2026-06-01,,,,Palliative care
L1,39110111000001103,2026-10-01,,,dmd,Lithium carbonate 400mg modified-release tablets
D1,38341003,2015-01-01,,,,Hypertensive disorder
D1,44054006,2016-01-01,,,,Type 2 diabetes mellitus
D1,414545008,2017-01-01,,,,Ischaemic heart disease
D1,49436004,2019-01-01,,,,Atrial fibrillation
X1,38341003,2015-01-01,,,,Hypertensive disorder
X1,44054006,2016-01-01,,,,Type 2 diabetes mellitus
";

#[test]
fn each_current_person_has_their_register_count_on_their_row() {
    let r = everyone(Default::default(), PATIENTS, EVENTS, AS_OF);
    let counts: Vec<(String, u32)> =
        cohort(&r, "everyone").members.iter().map(|m| (m.patient_id.clone(), m.ltc_count)).collect();
    let expected = [("L1", 1), ("M0", 0), ("M1", 1), ("M2", 2), ("M3", 3), ("M4", 4), ("M5", 5), ("P1", 1), ("R1", 1)];
    let expected: Vec<(String, u32)> = expected.iter().map(|(id, n)| (id.to_string(), *n)).collect();
    assert_eq!(counts, expected);
    // The same count on any list the person is on.
    assert_eq!(member(&r, "hypertension_register", "M5").ltc_count, 5);
    assert_eq!(member(&r, "smi_register", "L1").ltc_count, 1);
}

#[test]
fn bands_count_the_current_population_only() {
    let r = run(PATIENTS, EVENTS, AS_OF);
    let mm = &r.multimorbidity;
    assert_eq!(r.population.current, 9);
    assert_eq!(mm.assessed, 9);
    // 0-1: M0, M1, R1, P1, L1; 2-3: M2, M3; 4+: M4, M5. D1 (dead) and X1 (left) are not counted.
    assert_eq!(mm.bands["0-1"], 5);
    assert_eq!(mm.bands["2-3"], 2);
    assert_eq!(mm.bands["4+"], 2);
    assert_eq!(mm.by_count, [1, 4, 1, 1, 1, 1]);
    assert_eq!(mm.registers, REGISTERS);
}

#[test]
fn counts_follow_the_as_of_date() {
    // Before R1's asthma was resolved, and before L1's lithium, M4's COPD and M5's AF.
    let r = everyone(Default::default(), PATIENTS, EVENTS, "2017-06-01");
    let of = |id: &str| member(&r, "everyone", id).ltc_count;
    assert_eq!((of("R1"), of("L1"), of("M4"), of("M5")), (2, 0, 3, 4));
    // D1 was alive then, on three registers (AF came in 2019).
    assert_eq!(of("D1"), 3);
    // Lithium more than 6 months before the as-of date no longer counts.
    let later = everyone(Default::default(), PATIENTS, EVENTS, "2027-05-01");
    assert_eq!(member(&later, "everyone", "L1").ltc_count, 0);
}

#[test]
fn the_report_json_has_the_section_and_the_row_field() {
    let r = run(PATIENTS, EVENTS, AS_OF);
    let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    let mm = &json["multimorbidity"];
    assert_eq!(mm["bands"], serde_json::json!({"0-1": 5, "2-3": 2, "4+": 2}));
    assert_eq!(mm["assessed"], 9);
    let row = json["cohorts"]["hypertension_register"]["members"][0].clone();
    assert!(row["ltc_count"].is_u64(), "{row}");
    // The overview without rows keeps the section.
    let (_, _, kept) = stored(PATIENTS, EVENTS, AS_OF);
    assert_eq!(kept.summary().multimorbidity.bands["4+"], 2);
}
