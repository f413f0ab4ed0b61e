//! List comparison on hand-built practices: who joined a list and who left
//! it between two monthly extracts, and why; and our list against a GP
//! system's list of NHS numbers.
//!
//! Last month's lists are drawn up on Friday 23 October 2026, when the SMI
//! checks' 12 months began on 24 October 2025; this month's on Monday
//! 23 November 2026, when they began on 24 November 2025. Both extracts
//! hold the same rows unless said; an extract ignores anything dated after
//! its as-of date, so a code dated 3 November 2026 is only in this month's.

mod support;

use cohort_finder::compare::lists::{self, Entry, ListComparison, Side, Status};
use cohort_finder::model::Population;
use cohort_finder::{Engine, EngineConfig};
use support::{date, population};

const BEFORE: &str = "2026-10-23";
const AFTER: &str = "2026-11-23";

const PATIENTS_HEADER: &str =
    "patient_id,nhs_number,name,date_of_birth,sex,registered_date,deregistered_date,date_of_death\n";
const EVENTS_HEADER: &str = "patient_id,code,date,value,unit,code_system,term\n";

const DIAGNOSIS: &str = "1089481000000106,2015-01-01,,,,Cataleptic schizophrenia";

/// The SMI practice, a row per patient. M9 is only in last month's
/// extract; M10 (registered 5 November) and M12 (registering on 1
/// December) only in this month's. M5 has no NHS number and M11's fails its
/// check digit.
fn smi_patient(id: &str) -> &'static str {
    match id {
        "M1" => "M1,4000000012,Ann One,1980-01-01,F,,,\n",
        "M2" => "M2,4000000713,Bo Two,1980-01-01,M,,,\n",
        "M3" => "M3,4000000152,Cy Three,1980-01-01,M,,,2026-11-03\n",
        "M4" => "M4,4000000225,Di Four,1980-01-01,F,,2026-11-10,\n",
        "M5" => "M5,,Ed Five,1980-01-01,M,,,\n",
        "M6" => "M6,4000000292,Flo Six,1980-01-01,F,,,\n",
        "M7" => "M7,4000000365,Gil Seven,1980-01-01,M,,,\n",
        "M8" => "M8,4000000438,Hal Eight,1980-01-01,M,,,\n",
        "M9" => "M9,4000000500,Ida Nine,1980-01-01,F,,,\n",
        "M10" => "M10,4000000578,Jo Ten,1980-01-01,M,2026-11-05,,\n",
        "M11" => "M11,4000000019,Kim Eleven,1980-01-01,F,2026-11-02,,\n",
        "M12" => "M12,4000000640,Lu Twelve,1980-01-01,F,2026-12-01,,\n",
        "N1" => "N1,4000000853,Ned None,1980-01-01,M,,,\n",
        _ => unreachable!(),
    }
}

/// One patient's events. Checks marked "five" are all six but the one named.
fn smi_events(id: &str) -> String {
    let check = |code: &str, when: &str, value: &str, unit: &str, term: &str| {
        format!("{id},{code},{when},{value},{unit},,{term}\n")
    };
    let bmi = |when: &str, value: &str| check("60621009", when, value, "kg/m2", "Body mass index");
    let bp = |when: &str| check("271649006", when, "120", "mmHg", "Systolic blood pressure");
    let lipids = |when: &str| check("1005671000000105", when, "4.2", "mmol/L", "Serum cholesterol level");
    let hba1c = |when: &str| check("1049321000000109", when, "38", "mmol/mol", "HbA1c");
    let alcohol = |when: &str| check("160573003", when, "0", "units/week", "Alcohol intake");
    let smoking = |when: &str| check("160603005", when, "", "", "Light cigarette smoker");
    let diagnosis = format!("{id},{DIAGNOSIS}\n");
    let june = "2026-06-01";
    match id {
        // BMI last done in June 2025, done again on 3 November 2026.
        "M1" => [
            diagnosis,
            bmi("2025-06-01", "26"),
            bp(june),
            lipids(june),
            hba1c(june),
            alcohol(june),
            smoking(june),
            bmi("2026-11-03", "31.2"),
        ]
        .concat(),
        // Blood pressure on 14 November 2025: inside last month's 12 months, not this month's.
        "M2" => [
            diagnosis,
            check("271649006", "2025-11-14", "128", "mmHg", "Systolic blood pressure"),
            bmi(june, "25"),
            lipids(june),
            hba1c(june),
            alcohol(june),
            smoking(june),
        ]
        .concat(),
        "M3" | "M4" | "M8" | "M9" | "M12" => diagnosis,
        // Diagnosed on 1 November 2026.
        "M5" => format!("{id},1089481000000106,2026-11-01,,,,Cataleptic schizophrenia\n"),
        // In remission from 3 November 2026.
        "M6" => diagnosis + &format!("{id},111485001,2026-11-03,,,,Mixed bipolar I disorder in full remission\n"),
        // BMI done between the months; blood pressure lapses.
        "M7" => [
            diagnosis,
            bmi("2025-06-01", "27"),
            check("271649006", "2025-11-14", "130", "mmHg", "Systolic blood pressure"),
            lipids(june),
            hba1c(june),
            alcohol(june),
            smoking(june),
            bmi("2026-11-03", "28"),
        ]
        .concat(),
        // Diagnosed in 2010; five checks on 6 November 2026, no smoking status.
        "M10" => {
            let day = "2026-11-06";
            [
                format!("{id},1089481000000106,2010-01-01,,,,Cataleptic schizophrenia\n"),
                bmi(day, "24"),
                bp(day),
                lipids(day),
                hba1c(day),
                alcohol(day),
            ]
            .concat()
        }
        // Five checks in June, no alcohol consumption.
        "M11" => [diagnosis, bmi(june, "24"), bp(june), lipids(june), hba1c(june), smoking(june)].concat(),
        "N1" => bmi(june, "22"),
        _ => unreachable!(),
    }
}

const LAST_MONTH: [&str; 11] = ["M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8", "M9", "M11", "N1"];
const THIS_MONTH: [&str; 12] = ["M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8", "M10", "M11", "M12", "N1"];

fn engine() -> Engine {
    Engine::new(&EngineConfig::default()).unwrap()
}

fn smi_extract(engine: &Engine, ids: &[&str]) -> Population {
    let patients: String = ids.iter().map(|id| smi_patient(id)).collect();
    let events: String = ids.iter().map(|id| smi_events(id)).collect();
    population(engine, &format!("{PATIENTS_HEADER}{patients}"), &format!("{EVENTS_HEADER}{events}"))
}

fn side<'a>(population: &'a Population, as_of: &str, label: &str) -> Side<'a> {
    Side { population, as_of: date(as_of), label: label.into() }
}

fn smi_months() -> ListComparison {
    let engine = engine();
    let (before, after) = (smi_extract(&engine, &LAST_MONTH), smi_extract(&engine, &THIS_MONTH));
    lists::compare_extracts(
        &engine,
        side(&before, BEFORE, "last month"),
        side(&after, AFTER, "this month"),
        "smi_health_checks",
    )
    .unwrap()
}

/// One extract (rows without their headers) compared with itself as of
/// last month and this month, for `cohort`.
fn months(patients: &str, events: &str, cohort: &str) -> ListComparison {
    let engine = engine();
    let pop = population(&engine, &format!("{PATIENTS_HEADER}{patients}"), &format!("{EVENTS_HEADER}{events}"));
    lists::compare_extracts(&engine, side(&pop, BEFORE, "last month"), side(&pop, AFTER, "this month"), cohort).unwrap()
}

fn ids(entries: &[Entry]) -> Vec<String> {
    entries
        .iter()
        .map(|e| e.patient_id.clone().unwrap_or_else(|| format!("#{}", e.nhs_number.as_deref().unwrap())))
        .collect()
}

fn entry<'a>(entries: &'a [Entry], id: &str) -> &'a Entry {
    entries.iter().find(|e| e.patient_id.as_deref() == Some(id)).unwrap_or_else(|| panic!("{id} is not in the group"))
}

const ON_REGISTER_2015: &str = "Psychosis, schizophrenia or bipolar disorder, not in remission \
                                (1089481000000106 Cataleptic schizophrenia, 01/01/2015)";

// ---------------------------------------------------------------- two extracts

#[test]
fn people_are_matched_by_patient_id_into_joined_left_and_both() {
    let c = smi_months();
    assert_eq!((c.before.count, c.after.count), (7, 6));
    // Ordered by patient id as text.
    assert_eq!(ids(&c.joined), ["M10", "M11", "M2", "M5"]);
    assert_eq!(ids(&c.left), ["M1", "M3", "M4", "M6", "M9"]);
    assert_eq!(ids(&c.both), ["M7", "M8"]);
    let status = |e: &Entry| (e.status_before, e.status_after);
    assert_eq!(status(entry(&c.joined, "M2")), (Status::EligibleNotListed, Status::Listed));
    assert_eq!(status(entry(&c.joined, "M5")), (Status::NotEligible, Status::Listed));
    assert_eq!(status(entry(&c.joined, "M10")), (Status::NotInExtract, Status::Listed));
    assert_eq!(status(entry(&c.joined, "M11")), (Status::NotYetRegistered, Status::Listed));
    assert_eq!(status(entry(&c.left, "M1")), (Status::Listed, Status::EligibleNotListed));
    assert_eq!(status(entry(&c.left, "M3")), (Status::Listed, Status::Deceased));
    assert_eq!(status(entry(&c.left, "M4")), (Status::Listed, Status::Deregistered));
    assert_eq!(status(entry(&c.left, "M6")), (Status::Listed, Status::NotEligible));
    assert_eq!(status(entry(&c.left, "M9")), (Status::Listed, Status::NotInExtract));
    assert!(c.joined.iter().chain(&c.left).all(|e| !e.changed && !e.why.is_empty()));
    let m3 = entry(&c.left, "M3");
    assert_eq!((m3.nhs_number.as_deref(), m3.name.as_deref()), (Some("4000000152"), Some("Cy Three")));
}

#[test]
fn a_check_done_between_the_months_takes_someone_off() {
    let c = smi_months();
    assert_eq!(entry(&c.left, "M1").why, ["BMI done on 03/11/2026 (60621009 Body mass index, 31.2 kg/m2)"]);
}

#[test]
fn a_check_lapsing_out_of_the_12_months_puts_someone_on() {
    let c = smi_months();
    assert_eq!(entry(&c.joined, "M2").why, ["Blood pressure: last done on 14/11/2025"]);
}

#[test]
fn death_deregistration_and_leaving_the_extract_take_people_off() {
    let c = smi_months();
    assert_eq!(entry(&c.left, "M3").why, ["died (date of death 03/11/2026)"]);
    assert_eq!(entry(&c.left, "M4").why, ["deregistered on 10/11/2026"]);
    assert_eq!(entry(&c.left, "M9").why, ["not in the extract of 23/11/2026 (this month)"]);
}

#[test]
fn a_new_diagnosis_puts_someone_on_with_the_new_reason_and_the_missing_checks() {
    let c = smi_months();
    assert_eq!(
        entry(&c.joined, "M5").why,
        [
            "newly eligible",
            "Psychosis, schizophrenia or bipolar disorder, not in remission \
             (1089481000000106 Cataleptic schizophrenia, 01/11/2026)",
            "BMI: never recorded",
            "Blood pressure: never recorded",
            "Lipids (cholesterol): never recorded",
            "Blood glucose or HbA1c: never recorded",
            "Alcohol consumption: never recorded",
            "Smoking status: never recorded",
        ]
    );
}

#[test]
fn a_remission_code_takes_someone_off_and_names_the_code() {
    let c = smi_months();
    assert_eq!(
        entry(&c.left, "M6").why,
        [
            "no longer eligible".to_owned(),
            format!("was listed for: {ON_REGISTER_2015}"),
            "Serious mental illness register: not met".into(),
            "Psychosis, schizophrenia or bipolar disorder, not in remission: not met (resolved by \
             111485001 Mixed bipolar I disorder in full remission on 03/11/2026, after \
             1089481000000106 Cataleptic schizophrenia on 01/01/2015)"
                .into(),
            "Lithium prescribed: not met (never recorded)".into(),
        ]
    );
}

#[test]
fn new_registrations_join_with_their_registration_date() {
    let c = smi_months();
    assert_eq!(
        entry(&c.joined, "M10").why,
        [
            "not in the extract of 23/10/2026 (last month); registered on 05/11/2026",
            "Psychosis, schizophrenia or bipolar disorder, not in remission \
             (1089481000000106 Cataleptic schizophrenia, 01/01/2010)",
            "Smoking status: never recorded",
        ]
    );
    assert_eq!(
        entry(&c.joined, "M11").why,
        ["registered on 02/11/2026", ON_REGISTER_2015, "Alcohol consumption: never recorded"]
    );
}

#[test]
fn someone_on_both_lists_whose_missing_check_changed_is_flagged() {
    let c = smi_months();
    let m7 = entry(&c.both, "M7");
    assert!(m7.changed);
    assert_eq!(
        m7.why,
        [
            "BMI done on 03/11/2026 (60621009 Body mass index, 28 kg/m2)",
            "Blood pressure now missing (last done on 14/11/2025)",
        ]
    );
    let m8 = entry(&c.both, "M8");
    assert!(!m8.changed);
    assert!(m8.why.is_empty());
}

#[test]
fn a_newer_record_for_the_same_reason_is_not_a_change_but_a_new_rule_is() {
    // Both on the SMI register through lithium alone, issued in October and
    // again in November; L2 is also diagnosed on 1 November. Neither has any check.
    let lithium = |id: &str, when: &str| {
        format!("{id},39110111000001103,{when},,,dmd,Lithium carbonate 400mg modified-release tablets\n")
    };
    let patients = "L1,,,1980-01-01,F,,,\nL2,,,1980-01-01,M,,,\n";
    let events = format!(
        "{}{}{}{}L2,1089481000000106,2026-11-01,,,,Cataleptic schizophrenia\n",
        lithium("L1", "2026-10-10"),
        lithium("L1", "2026-11-10"),
        lithium("L2", "2026-10-10"),
        lithium("L2", "2026-11-10"),
    );
    let c = months(patients, &events, "smi_health_checks");
    assert_eq!(ids(&c.both), ["L1", "L2"]);
    let l1 = entry(&c.both, "L1");
    assert!(!l1.changed, "{:?}", l1.why);
    assert!(l1.why.is_empty());
    let l2 = entry(&c.both, "L2");
    assert!(l2.changed);
    assert_eq!(
        l2.why,
        ["new reason: Psychosis, schizophrenia or bipolar disorder, not in remission \
          (1089481000000106 Cataleptic schizophrenia, 01/11/2026)"]
    );
}

#[test]
fn the_comparison_serialises_in_the_agreed_shape() {
    let c = smi_months();
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["cohort"], "smi_health_checks");
    assert_eq!(json["title"], "SMI physical health checks missing");
    assert_eq!(json["matched_by"], "patient_id");
    assert_eq!(json["before"], serde_json::json!({"label": "last month", "as_of": "2026-10-23", "count": 7}));
    assert_eq!(json["after"], serde_json::json!({"label": "this month", "as_of": "2026-11-23", "count": 6}));
    assert_eq!(json["their_list"], serde_json::Value::Null);
    assert_eq!(
        json["left"][1],
        serde_json::json!({
            "patient_id": "M3", "nhs_number": "4000000152", "name": "Cy Three",
            "status_before": "listed", "status_after": "deceased",
            "why": ["died (date of death 03/11/2026)"], "changed": false
        })
    );
    assert_eq!(json["joined"][3]["nhs_number"], serde_json::Value::Null, "M5 has no NHS number");
    assert_eq!(json["joined"][0]["status_before"], "not_in_extract");
    assert_eq!(json["joined"][1]["status_before"], "not_yet_registered");
    assert_eq!(json["left"][0]["status_after"], "eligible_not_listed");
    assert_eq!(json["left"][3]["status_after"], "not_eligible");
}

#[test]
fn a_group_exports_as_csv_and_as_nhs_numbers() {
    let c = smi_months();
    assert_eq!(
        lists::comparison_csv(&c, "both").unwrap(),
        "patient_id,nhs_number,name,status_before,status_after,why\r\n\
         M7,4000000365,Gil Seven,listed,listed,\"BMI done on 03/11/2026 (60621009 Body mass index, 28 kg/m2); \
         Blood pressure now missing (last done on 14/11/2025)\"\r\n\
         M8,4000000438,Hal Eight,listed,listed,\r\n"
    );
    assert_eq!(
        lists::comparison_csv(&c, "left").unwrap(),
        "patient_id,nhs_number,name,status_before,status_after,why\r\n\
         M1,4000000012,Ann One,listed,eligible_not_listed,\"BMI done on 03/11/2026 (60621009 Body mass index, 31.2 kg/m2)\"\r\n\
         M3,4000000152,Cy Three,listed,deceased,died (date of death 03/11/2026)\r\n\
         M4,4000000225,Di Four,listed,deregistered,deregistered on 10/11/2026\r\n\
         M6,4000000292,Flo Six,listed,not_eligible,\"no longer eligible; was listed for: Psychosis, schizophrenia or \
         bipolar disorder, not in remission (1089481000000106 Cataleptic schizophrenia, 01/01/2015); Serious mental \
         illness register: not met; Psychosis, schizophrenia or bipolar disorder, not in remission: not met (resolved \
         by 111485001 Mixed bipolar I disorder in full remission on 03/11/2026, after 1089481000000106 Cataleptic \
         schizophrenia on 01/01/2015); Lithium prescribed: not met (never recorded)\"\r\n\
         M9,4000000500,Ida Nine,listed,not_in_extract,not in the extract of 23/11/2026 (this month)\r\n"
    );
    assert_eq!(
        lists::comparison_nhs_numbers(&c, "left").unwrap(),
        "4000000012\r\n4000000152\r\n4000000225\r\n4000000292\r\n4000000500\r\n"
    );
    // M5 has no NHS number and M11's is not valid: neither can be imported.
    assert_eq!(lists::comparison_nhs_numbers(&c, "joined").unwrap(), "4000000578\r\n4000000713\r\n");
}

#[test]
fn unknown_cohorts_and_groups_are_refused_in_words() {
    let engine = engine();
    let pop = smi_extract(&engine, &THIS_MONTH);
    let err = lists::compare_extracts(&engine, side(&pop, BEFORE, "a"), side(&pop, AFTER, "b"), "xyz").unwrap_err();
    assert_eq!(err, "there is no cohort 'xyz'");
    let c = smi_months();
    assert_eq!(lists::comparison_csv(&c, "gone").unwrap_err(), "there is no group 'gone' (joined, left or both)");
    assert!(lists::comparison_nhs_numbers(&c, "").is_err());
}

#[test]
fn the_same_extract_on_the_same_day_has_nobody_joining_or_leaving() {
    let engine = engine();
    let pop = smi_extract(&engine, &THIS_MONTH);
    let c =
        lists::compare_extracts(&engine, side(&pop, AFTER, "a"), side(&pop, AFTER, "b"), "smi_health_checks").unwrap();
    assert!(c.joined.is_empty() && c.left.is_empty());
    assert_eq!(c.both.len(), 6);
    assert!(c.both.iter().all(|e| !e.changed));
}

// ---------------------------------------------------------------- why not eligible, generally

#[test]
fn case_finding_changes_name_the_age_the_diagnosis_and_the_reading() {
    // H1 turns 40 on 1 November 2026; H2 is diagnosed with hypertension on
    // 2 November; H3 has a blood pressure on 4 November; H4 changes nothing.
    let patients = "\
H1,,,1986-11-01,F,,,
H2,,,1970-01-01,M,,,
H3,,,1970-01-01,F,,,
H4,,,1970-01-01,M,,,
";
    let events = "\
H2,38341003,2026-11-02,,,,Hypertensive disorder
H3,271649006,2026-11-04,130,mmHg,,Systolic blood pressure
";
    let c = months(patients, events, "hypertension_case_finding");
    assert_eq!(ids(&c.joined), ["H1"]);
    assert_eq!(ids(&c.left), ["H2", "H3"]);
    assert_eq!(ids(&c.both), ["H4"]);
    // The other two parts of the rule held last month too: only the age is new.
    assert_eq!(entry(&c.joined, "H1").why, ["newly eligible", "Aged 40 or over (aged 40)"]);
    let was = [
        "no longer eligible",
        "was listed for: Aged 40 or over (aged 56)",
        "was listed for: Not on the hypertension register",
        "was listed for: No blood pressure recorded in 5 years (never recorded)",
    ];
    let mut h2 = was.map(String::from).to_vec();
    h2.push(
        "Not on the hypertension register: not met (Hypertension diagnosis, not resolved \
         (38341003 Hypertensive disorder, 02/11/2026))"
            .into(),
    );
    assert_eq!(entry(&c.left, "H2").why, h2);
    let mut h3 = was.map(String::from).to_vec();
    h3.push(
        "No blood pressure recorded in 5 years: not met (Blood pressure recorded (BP_COD), in the last 5 years \
         (271649006 Systolic blood pressure, 04/11/2026, 130 mmHg))"
            .into(),
    );
    assert_eq!(entry(&c.left, "H3").why, h3);
    assert!(!entry(&c.both, "H4").changed, "a birthday alone changes nothing");
}

#[test]
fn a_lower_reading_is_named_when_someone_leaves_the_undiagnosed_list() {
    // Possible undiagnosed hypertension: 18+, not on the register, latest BP 140/90 or more.
    // P1's latest reading falls to 128/80 on 2 November 2026.
    let patients = "P1,,,1970-01-01,M,,,\n";
    let events = "\
P1,271649006,2026-01-10,150,mmHg,,Systolic blood pressure
P1,271650006,2026-01-10,95,mmHg,,Diastolic blood pressure
P1,271649006,2026-11-02,128,mmHg,,Systolic blood pressure
P1,271650006,2026-11-02,80,mmHg,,Diastolic blood pressure
";
    let c = months(patients, events, "hypertension_possible_undiagnosed");
    assert_eq!(ids(&c.left), ["P1"]);
    assert_eq!(
        entry(&c.left, "P1").why.last().unwrap(),
        "Latest blood pressure 140/90 or higher: not met (latest 128/80 mmHg on 02/11/2026)"
    );
}

// ---------------------------------------------------------------- a list of NHS numbers

/// An EMIS-style search export: two title lines, a blank line, a header
/// row, then quoted rows; numbers written with spaces or dashes.
const EMIS_SEARCH: &str = "\
Search: SMI physical health checks
Run by: practice on 23-Nov-2026

\"Full name\",\"NHS Number\",\"Date of birth\"
\"Seven, Gil\",\"400 000 0365\",\"01/01/1980\"
\"Eight, Hal\",\"4000000438\",\"01/01/1980\"
\"Seven, Gil\",\"400-000-0365\",\"01/01/1980\"
\"Bad, Check\",\"400 000 0854\",\"01/01/1980\"

\"One, Ann\",\"4000000012\",\"01/01/1980\"
\"Nobody, No\",\"\",\"01/01/1980\"
\"Three, Cy\",\"4000000152\",\"01/01/1980\"
\"Four, Di\",\"4000000225\",\"01/01/1980\"
\"Six, Flo\",\"4000000292\",\"01/01/1980\"
\"Nine, Ida\",\"4000000500\",\"01/01/1980\"
\"Twelve, Lu\",\"4000000640\",\"01/01/1980\"
";

#[test]
fn an_emis_export_is_read_with_a_diagnostic_for_every_line_not_used() {
    let list = lists::read_nhs_number_list("search.csv", EMIS_SEARCH.as_bytes());
    let numbers: Vec<(&str, usize)> = list.numbers.iter().map(|n| (n.number.as_str(), n.line)).collect();
    assert_eq!(
        numbers,
        [
            ("4000000365", 5),
            ("4000000438", 6),
            ("4000000012", 10),
            ("4000000152", 12),
            ("4000000225", 13),
            ("4000000292", 14),
            ("4000000500", 15),
            ("4000000640", 16),
        ]
    );
    let diagnostics: Vec<(&str, usize, &str)> =
        list.diagnostics.iter().map(|d| (d.file.as_str(), d.line, d.message.as_str())).collect();
    assert_eq!(
        diagnostics,
        [
            ("search.csv", 1, "a title line before the header: not read"),
            ("search.csv", 2, "a title line before the header: not read"),
            ("search.csv", 3, "blank line"),
            ("search.csv", 4, "the header: NHS numbers are read from column 'NHS Number'"),
            ("search.csv", 7, "the same NHS number as line 5: counted once"),
            ("search.csv", 8, "not a valid NHS number (its check digit does not match)"),
            ("search.csv", 9, "blank line"),
            ("search.csv", 11, "no NHS number in column 'NHS Number'"),
        ]
    );
    assert_eq!((list.read, list.not_used, list.column.as_deref()), (16, 8, Some("NHS Number")));
    for d in &list.diagnostics {
        assert!(!d.message.contains("0000") && !d.message.contains("Bad"), "quotes the file: {}", d.message);
    }
}

#[test]
fn a_plain_list_is_read_one_number_a_line_whatever_the_line_ends() {
    // Windows line ends, a byte-order mark, a short number and no final line end.
    let text = "\u{feff}943 476 5919\r\n4000000012\r\n12345\r\n\r\n 4000000152 ";
    let list = lists::read_nhs_number_list("list.txt", text.as_bytes());
    let numbers: Vec<&str> = list.numbers.iter().map(|n| n.number.as_str()).collect();
    assert_eq!(numbers, ["9434765919", "4000000012", "4000000152"]);
    let diagnostics: Vec<(usize, &str)> = list.diagnostics.iter().map(|d| (d.line, d.message.as_str())).collect();
    assert_eq!(diagnostics, [(3, "not a valid NHS number (it is not 10 digits long)"), (4, "blank line")]);
    assert_eq!((list.read, list.column.as_deref()), (5, None));
    // Old Mac line ends, and a header spelt "nhs_number" in a semicolon file.
    let mac = lists::read_nhs_number_list("mac.txt", b"9434765919\r4000000012\r");
    assert_eq!((mac.read, mac.numbers.len()), (2, 2));
    let semi = lists::read_nhs_number_list("s.csv", b"id;nhs_number\nA;4000000012\nB;9434765918\n");
    assert_eq!(semi.numbers.iter().map(|n| n.number.as_str()).collect::<Vec<_>>(), ["4000000012"]);
    assert_eq!(semi.diagnostics[1].message, "not a valid NHS number (its check digit does not match)");
    assert_eq!(semi.diagnostics[1].line, 3);
    let two = lists::read_nhs_number_list("t.csv", b"NHS number status,NHS No.\nVerified,4000000012\n");
    assert_eq!((two.column.as_deref(), two.numbers.len()), (Some("NHS No."), 1));
}

#[test]
fn reading_any_bytes_never_panics_and_keeps_its_counts() {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let alphabet = b"0123456789 -,;\t\"\r\nNHS no\xef\xbb\xbf\xff\xfe\xc3";
    for round in 0..2000 {
        let len = round % 97;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                if seed % 5 == 0 {
                    (seed >> 24) as u8
                } else {
                    alphabet[(seed >> 32) as usize % alphabet.len()]
                }
            })
            .collect();
        let list = lists::read_nhs_number_list("x", &bytes);
        assert_eq!(list.read, list.numbers.len() + list.not_used, "{bytes:?}");
        assert!(list.diagnostics.len() <= list.not_used);
    }
    let utf16: Vec<u8> =
        [0xFF, 0xFE].into_iter().chain("4000000012\n".encode_utf16().flat_map(u16::to_le_bytes)).collect();
    assert_eq!(lists::read_nhs_number_list("u16.txt", &utf16).numbers.len(), 1);
    assert_eq!(lists::read_nhs_number_list("empty.txt", b"").read, 0);
}

fn against_emis() -> ListComparison {
    let engine = engine();
    let ours = smi_extract(&engine, &THIS_MONTH);
    let mut theirs = lists::read_nhs_number_list("search.csv", EMIS_SEARCH.as_bytes());
    theirs.label = "EMIS search".into();
    lists::compare_with_nhs_numbers(&engine, side(&ours, AFTER, "our list"), &theirs, "smi_health_checks").unwrap()
}

#[test]
fn our_list_against_theirs_is_matched_by_nhs_number() {
    let c = against_emis();
    assert_eq!(ids(&c.both), ["M7", "M8"]);
    assert_eq!(ids(&c.joined), ["M10", "M11", "M2", "M5"]);
    assert_eq!(ids(&c.left), ["M1", "M12", "M3", "M4", "M6", "#4000000500"]);
    assert_eq!((c.before.count, c.after.count, c.before.as_of.as_deref()), (8, 6, None));
    assert_eq!(c.before.label, "EMIS search");
    let their = c.their_list.as_ref().unwrap();
    assert_eq!((their.file.as_str(), their.read, their.numbers, their.diagnostics.len()), ("search.csv", 16, 8, 8));
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["matched_by"], "nhs_number");
    assert_eq!(json["before"]["as_of"], serde_json::Value::Null);
    assert_eq!(
        json["their_list"]["diagnostics"][5],
        serde_json::json!({"file": "search.csv", "line": 8, "message": "not a valid NHS number (its check digit does not match)"})
    );
    assert!(c.both.iter().all(|e| (e.status_before, e.status_after) == (Status::Listed, Status::Listed)));
}

#[test]
fn only_on_theirs_says_why_we_do_not_list_them() {
    let c = against_emis();
    let why = |id: &str| (entry(&c.left, id).status_after, entry(&c.left, id).why.clone());
    assert_eq!(
        why("M1"),
        (
            Status::EligibleNotListed,
            [
                "eligible, with every required check done",
                "BMI done on 03/11/2026 (60621009 Body mass index, 31.2 kg/m2)",
                "Blood pressure done on 01/06/2026 (271649006 Systolic blood pressure, 120 mmHg)",
                "Lipids (cholesterol) done on 01/06/2026 (1005671000000105 Serum cholesterol level, 4.2 mmol/L)",
                "Blood glucose or HbA1c done on 01/06/2026 (1049321000000109 HbA1c, 38 mmol/mol)",
                "Alcohol consumption done on 01/06/2026 (160573003 Alcohol intake, 0 units/week)",
                "Smoking status done on 01/06/2026 (160603005 Light cigarette smoker)",
            ]
            .map(String::from)
            .to_vec()
        )
    );
    assert_eq!(
        why("M12"),
        (Status::NotYetRegistered, vec!["not yet registered on 23/11/2026 (registration date 01/12/2026)".into()])
    );
    assert_eq!(why("M3"), (Status::Deceased, vec!["died (date of death 03/11/2026)".into()]));
    assert_eq!(why("M4"), (Status::Deregistered, vec!["deregistered on 10/11/2026".into()]));
    assert_eq!(
        why("M6"),
        (
            Status::NotEligible,
            [
                "not eligible",
                "Serious mental illness register: not met",
                "Psychosis, schizophrenia or bipolar disorder, not in remission: not met (resolved by \
                 111485001 Mixed bipolar I disorder in full remission on 03/11/2026, after \
                 1089481000000106 Cataleptic schizophrenia on 01/01/2015)",
                "Lithium prescribed: not met (never recorded)",
            ]
            .map(String::from)
            .to_vec()
        )
    );
    let stranger = c.left.last().unwrap();
    assert_eq!(
        (stranger.patient_id.as_deref(), stranger.nhs_number.as_deref(), stranger.name.as_deref()),
        (None, Some("4000000500"), None)
    );
    assert_eq!((stranger.status_before, stranger.status_after), (Status::Listed, Status::NotInExtract));
    assert_eq!(stranger.why, ["no patient in our extract has this NHS number"]);
}

#[test]
fn only_on_ours_says_why_we_list_them_and_who_could_not_be_matched() {
    let c = against_emis();
    assert!(c.joined.iter().all(|e| (e.status_before, e.status_after) == (Status::NotInExtract, Status::Listed)));
    assert_eq!(entry(&c.joined, "M2").why, [ON_REGISTER_2015, "Blood pressure: last done on 14/11/2025"]);
    assert_eq!(
        entry(&c.joined, "M11").why,
        [
            "the NHS number recorded is not valid, so it could not be matched",
            ON_REGISTER_2015,
            "Alcohol consumption: never recorded"
        ]
    );
    let m5 = &entry(&c.joined, "M5").why;
    assert_eq!(m5[..2], ["no NHS number recorded, so it could not be matched", "Psychosis, schizophrenia or bipolar disorder, not in remission (1089481000000106 Cataleptic schizophrenia, 01/11/2026)"]);
    assert_eq!(m5.len(), 8, "and the six checks, never recorded");
    assert_eq!(lists::comparison_nhs_numbers(&c, "joined").unwrap(), "4000000578\r\n4000000713\r\n");
    assert_eq!(
        lists::comparison_nhs_numbers(&c, "left").unwrap(),
        "4000000012\r\n4000000640\r\n4000000152\r\n4000000225\r\n4000000292\r\n4000000500\r\n"
    );
    assert_eq!(
        lists::comparison_csv(&c, "both").unwrap(),
        "patient_id,nhs_number,name,status_before,status_after,why\r\n\
         M7,4000000365,Gil Seven,listed,listed,\r\n\
         M8,4000000438,Hal Eight,listed,listed,\r\n"
    );
}
