//! Loader tests: whole files in, population and reports out.

use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;

use super::*;
use crate::model::{CodeSystem, Date, Sex};

fn clusters() -> Arc<Clusters> {
    static C: OnceLock<Arc<Clusters>> = OnceLock::new();
    Arc::clone(C.get_or_init(|| Arc::new(Clusters::builtin())))
}

fn d(y: i32, m: u32, day: u32) -> Date {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// The invariants every report must keep.
fn check(r: &FileReport) {
    assert_eq!(r.read, r.accepted + r.rejected, "{}: read != accepted + rejected", r.file);
    let total: u64 = r.by_kind.values().sum();
    assert_eq!(total, r.diagnostics.len() as u64 + r.diagnostics_not_shown, "{}: by_kind total", r.file);
    assert!(r.diagnostics.len() <= MAX_DIAGNOSTICS);
    let shown_warnings = r.diagnostics.iter().filter(|d| d.severity == Severity::Warning).count() as u64;
    assert!(shown_warnings <= r.warnings);
    if r.diagnostics_not_shown == 0 {
        assert_eq!(shown_warnings, r.warnings, "{}: warnings count", r.file);
        let errors = r.diagnostics.iter().filter(|d| d.severity == Severity::Error).count() as u64;
        // Each rejected row has an error, except that one file-level error
        // covers every row when a required column is missing.
        if !r.by_kind.contains_key("missing_column") {
            assert!(errors >= r.rejected, "{}: {errors} errors for {} rejected rows", r.file, r.rejected);
        }
    }
}

fn load_with(mapping: ColumnMapping, patients: &[u8], events: &[&[u8]]) -> (Population, Vec<FileReport>) {
    let mut loader = Loader::new(clusters(), mapping);
    check(loader.load_patients("patients.csv", patients));
    for (i, e) in events.iter().enumerate() {
        check(loader.load_events(&format!("events{i}.csv"), *e));
    }
    let (pop, reports) = loader.finish();
    reports.iter().for_each(check);
    (pop, reports)
}

fn load(patients: &[u8], events: &[&[u8]]) -> (Population, Vec<FileReport>) {
    load_with(ColumnMapping::default(), patients, events)
}

fn kinds(r: &FileReport) -> Vec<(u64, &'static str)> {
    r.diagnostics.iter().map(|d| (d.line, d.kind)).collect()
}

fn counts(r: &FileReport) -> (u64, u64, u64, u64) {
    (r.read, r.accepted, r.rejected, r.warnings)
}

const PATIENTS: &str = "patient_id,nhs_number,date_of_birth,sex,ethnicity,imd_decile,name\n\
    p1,9434765919,01/02/1950,F,A,2,Ann Smith\n\
    p2,4010232137,1960-03-04,M,,,Bob Jones\n\
    p3,,5-Jun-1970,U,H,10,\n";

#[test]
fn a_plain_comma_file_loads_every_field() {
    let events = "patient_id,code,date,value,unit,code_system,term\n\
        p1,271649006,2024-05-01,150,mmHg,SNOMED CT,Systolic blood pressure\n\
        p1,271649006,2023-05-01,140,mmHg,,\n\
        p2,319740004,01/06/2024,,,dm+d,Ramipril 5mg capsules\n";
    let (pop, reports) = load(PATIENTS.as_bytes(), &[events.as_bytes()]);
    assert_eq!(counts(&reports[0]), (3, 3, 0, 0));
    assert_eq!(counts(&reports[1]), (3, 3, 0, 0));
    assert_eq!(reports[0].delimiter, ",");
    assert_eq!(reports[0].kind, FileKind::Patients);
    assert_eq!(reports[1].kind, FileKind::Events);
    let p1 = &pop.patients[0];
    assert_eq!(p1.id, "p1");
    assert_eq!(p1.nhs_number.as_deref(), Some("9434765919"));
    assert!(p1.nhs_number_valid);
    assert_eq!(p1.date_of_birth, d(1950, 2, 1));
    assert_eq!(p1.sex, Sex::Female);
    assert_eq!(p1.ethnicity, EthnicityGroup::White);
    assert_eq!(p1.imd_decile, Some(2));
    assert_eq!(p1.name.as_deref(), Some("Ann Smith"));
    assert_eq!(pop.patients[1].ethnicity, EthnicityGroup::NotRecorded);
    assert_eq!(pop.patients[1].imd_decile, None);
    assert_eq!(pop.patients[2].date_of_birth, d(1970, 6, 5));
    assert_eq!(pop.patients[2].ethnicity, EthnicityGroup::Asian);
    assert_eq!(pop.patients[2].nhs_number, None);
    assert!(pop.patients[2].nhs_number_valid);
    assert_eq!(pop.patients[2].name, None);

    // p1's events are sorted by date; the code was interned once, with the
    // first non-empty term and its clusters.
    assert_eq!(pop.event_range(0), 0..2);
    assert_eq!(pop.events.date[0], d(2023, 5, 1));
    assert_eq!(pop.events.value(0), Some(140.0));
    assert_eq!(pop.events.value(1), Some(150.0));
    assert_eq!(pop.unit(1), Some("mmHg"));
    assert_eq!(pop.events.code[0], pop.events.code[1]);
    let sbp = pop.codes.get(pop.events.code[0]);
    assert_eq!(sbp.term.as_deref(), Some("Systolic blood pressure"));
    let systolic = clusters().id("systolic_bp").unwrap();
    assert!(sbp.clusters.contains(&systolic));
    let ramipril = pop.codes.get(pop.events.code[2]);
    assert_eq!(ramipril.system, CodeSystem::Dmd);
    assert_eq!(pop.events.value(2), None);
    assert_eq!(pop.unit(2), None);
    assert_eq!(pop.codes.len(), 2);
}

#[test]
fn each_delimiter_is_detected() {
    for (delim, name) in [(",", ","), ("\t", "tab"), (";", ";"), ("|", "|")] {
        let patients = PATIENTS.replace(',', delim);
        let events = "patient_id,code,date\np1,38341003,2020-01-01\n".replace(',', delim);
        let (pop, reports) = load(patients.as_bytes(), &[events.as_bytes()]);
        assert_eq!(reports[0].delimiter, name);
        assert_eq!(reports[1].delimiter, name);
        assert_eq!(counts(&reports[0]), (3, 3, 0, 0), "{name}");
        assert_eq!(counts(&reports[1]), (1, 1, 0, 0), "{name}");
        assert_eq!(pop.patients[0].name.as_deref(), Some("Ann Smith"));
        assert_eq!(pop.events.len(), 1);
    }
}

#[test]
fn semicolon_fixture_with_bom_crlf_and_quoted_newline() {
    let patients = include_bytes!("../../tests/fixtures/ingest/patients_semicolon_crlf_bom.csv");
    let events = include_bytes!("../../tests/fixtures/ingest/events_tab.tsv");
    let (pop, reports) = load(patients, &[events]);
    let (p, e) = (&reports[0], &reports[1]);

    assert_eq!(p.delimiter, ";");
    // The BOM does not stick to the first header.
    assert_eq!(p.columns["patient_id"], "Patient ID");
    assert_eq!(p.columns["date_of_birth"], "DOB");
    assert_eq!(p.columns["registered_date"], "Registration Date");
    assert!(p.ignored_columns.is_empty(), "{:?}", p.ignored_columns);
    assert_eq!(counts(p), (4, 3, 1, 5));
    // Line numbers count physical lines: the quoted newline in 1002's name
    // and the blank line push 1003 to line 6 and 1004 to line 7.
    assert_eq!(
        kinds(p),
        [
            (3, "invalid_nhs_number"),
            (6, "unknown_sex"),
            (6, "unknown_ethnicity"),
            (6, "invalid_imd_decile"),
            (6, "registered_before_birth"),
            (7, "invalid_date"),
        ]
    );
    assert_eq!(p.diagnostics[5].severity, Severity::Error);
    assert_eq!(p.diagnostics[5].column.as_deref(), Some("DOB"));
    assert_eq!(
        p.diagnostics[5].message,
        "date_of_birth: '31/02/2020' is not a valid date (expected dd/mm/yyyy, yyyy-mm-dd or d-Mon-yyyy)"
    );

    let a = &pop.patients[0];
    assert_eq!(a.name.as_deref(), Some("Smith; Ann"));
    assert_eq!(a.nhs_number.as_deref(), Some("9434765919"));
    assert_eq!(a.registered_date, Some(d(2000, 1, 1)));
    assert_eq!(a.lsoa.as_deref(), Some("E01000001"));
    assert_eq!(a.practice_code.as_deref(), Some("Y12345"));
    let b = &pop.patients[1];
    assert_eq!(b.name.as_deref(), Some("Jones,\r\nBob"));
    assert_eq!(b.nhs_number.as_deref(), Some("9434765918"));
    assert!(!b.nhs_number_valid);
    assert_eq!(b.imd_decile, Some(3));
    let c = &pop.patients[2];
    assert_eq!(c.date_of_birth, d(1962, 9, 15));
    assert_eq!((c.sex, c.ethnicity, c.imd_decile), (Sex::Unknown, EthnicityGroup::NotRecorded, None));
    assert_eq!(c.registered_date, Some(d(1950, 1, 1)));

    assert_eq!(e.delimiter, "tab");
    assert_eq!(e.columns["code"], "SNOMED Code");
    assert_eq!(e.columns["value"], "Result");
    assert_eq!(e.columns["term"], "Description");
    assert_eq!(counts(e), (7, 5, 2, 3));
    assert_eq!(
        kinds(e),
        [
            (6, "unknown_code_system"),
            (6, "invalid_value"),
            (6, "event_before_birth"),
            (7, "unknown_patient"),
            (8, "unknown_patient")
        ]
    );
    assert!(e.diagnostics[3].message.contains("was rejected"));
    assert_eq!(e.diagnostics[4].message, "patient_id not found in the patients file");
    // 1002: White British (2020) then "not stated" (2023): stays White.
    assert_eq!(b.ethnicity, EthnicityGroup::White);
    // 1003's event is kept without its value.
    let r = pop.event_range(2);
    assert_eq!(r.len(), 1);
    assert_eq!(pop.events.value(r.start), None);
}

#[test]
fn crlf_and_lf_give_the_same_rows_and_lines() {
    let lf = "patient_id,date_of_birth,sex\na,01/01/1990,F\nb,bad,M\nc,01/01/1991,M\n";
    let crlf = lf.replace('\n', "\r\n");
    let (pop_lf, rep_lf) = load(lf.as_bytes(), &[]);
    let (pop_crlf, rep_crlf) = load(crlf.as_bytes(), &[]);
    assert_eq!(pop_lf.patients, pop_crlf.patients);
    assert_eq!(kinds(&rep_crlf[0]), [(3, "invalid_date")]);
    assert_eq!(kinds(&rep_lf[0]), kinds(&rep_crlf[0]));
    assert_eq!(pop_crlf.patients[1].sex, Sex::Male);
    assert_eq!(counts(&rep_crlf[0]), (3, 2, 1, 0));
}

#[test]
fn line_numbers_count_blank_lines_and_survive_odd_line_ends() {
    // Blank lines (LF and CRLF) before a row, and no newline at the end.
    let lf = "patient_id,date_of_birth\n\n\na,bad\n\nb,01/01/1990\n\r\n \nc,bad";
    let (_, reports) = load(lf.as_bytes(), &[]);
    assert_eq!(kinds(&reports[0]), [(4, "invalid_date"), (9, "invalid_date")]);
    assert_eq!(counts(&reports[0]), (3, 1, 2, 0));
    // Old Mac files end lines with a lone CR.
    let cr = "patient_id,date_of_birth,name\ra,01/01/1990,\"Two\rlines\"\rb,bad,x\r";
    let (pop, reports) = load(cr.as_bytes(), &[]);
    assert_eq!(kinds(&reports[0]), [(4, "invalid_date")]);
    assert_eq!(pop.patients[0].name.as_deref(), Some("Two\nlines"));
    // A blank header line before the header.
    let (_, reports) = load(b"\r\n\r\npatient_id,date_of_birth\r\na,bad\r\n", &[]);
    assert_eq!(kinds(&reports[0]), [(4, "invalid_date")]);
}

#[test]
fn quoted_fields_keep_commas_and_newlines_and_later_lines_stay_right() {
    let patients = "patient_id,date_of_birth,name\n\
        a,01/01/1990,\"Smith, Ann\"\n\
        b,01/01/1990,\"Line one\nline two\nline three\"\n\
        c,1/1/85,Cee\n\
        \n\
        d,01/01/1990,\"Dee \"\"Dot\"\"\"\n\
        e,,Ee\n";
    let (pop, reports) = load(patients.as_bytes(), &[]);
    let r = &reports[0];
    assert_eq!(counts(r), (5, 3, 2, 0));
    assert_eq!(kinds(r), [(6, "invalid_date"), (9, "missing_date_of_birth")]);
    assert!(r.diagnostics[0].message.contains("two-digit year"));
    assert_eq!(pop.patients[0].name.as_deref(), Some("Smith, Ann"));
    assert_eq!(pop.patients[1].name.as_deref(), Some("Line one\nline two\nline three"));
    assert_eq!(pop.patients[2].name.as_deref(), Some("Dee \"Dot\""));
}

#[test]
fn header_aliases_are_recognised() {
    let patients = "Person ID,NHS No.,Date of Birth,GENDER,Ethnic Category,IMD 2019 Decile,LSOA11,ODS Code,\
        Date of Registration,Left Date,DOD,Full Name,Shoe size\n\
        x,,02/03/1940,2,M,1,E010,Y1,01/01/2000,01/01/2010,01/01/2011,X Y,9\n";
    let events = "Patient,Concept ID,Consultation Date,Numeric Value,UOM,Scheme,Rubric\n\
        x,38341003,01/01/2005,1,u,sct,Hypertension\n";
    let (pop, reports) = load(patients.as_bytes(), &[events.as_bytes()]);
    let expected: Vec<(&str, &str)> = vec![
        ("date_of_birth", "Date of Birth"),
        ("date_of_death", "DOD"),
        ("deregistered_date", "Left Date"),
        ("ethnicity", "Ethnic Category"),
        ("imd_decile", "IMD 2019 Decile"),
        ("lsoa", "LSOA11"),
        ("name", "Full Name"),
        ("nhs_number", "NHS No."),
        ("patient_id", "Person ID"),
        ("practice_code", "ODS Code"),
        ("registered_date", "Date of Registration"),
        ("sex", "GENDER"),
    ];
    let got: Vec<(&str, &str)> = reports[0].columns.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(got, expected);
    assert_eq!(reports[0].ignored_columns, ["Shoe size"]);
    assert_eq!(reports[1].columns.len(), 7);
    assert_eq!(reports[1].columns["code_system"], "Scheme");
    let p = &pop.patients[0];
    assert_eq!((p.sex, p.ethnicity, p.imd_decile), (Sex::Female, EthnicityGroup::Black, Some(1)));
    assert_eq!(p.deregistered_date, Some(d(2010, 1, 1)));
    assert_eq!(p.date_of_death, Some(d(2011, 1, 1)));
    assert_eq!(counts(&reports[1]), (1, 1, 0, 0));
    assert_eq!(pop.codes.get(pop.events.code[0]).term.as_deref(), Some("Hypertension"));
}

#[test]
fn a_column_mapping_overrides_aliases() {
    let mapping = ColumnMapping::from_toml(
        "[patients]\ndate_of_birth = \"Born\"\npatient_id = \"Ref\"\n[events]\npatient_id = \"Ref\"\ncode = \"SNOMED Code\"\ndate = \"When\"\n",
    )
    .unwrap();
    assert_eq!(mapping.patients["date_of_birth"], "Born");
    assert_eq!(mapping.events["code"], "SNOMED Code");
    // "DOB" would match by alias, but the mapping says "Born"; "id" is left over.
    let patients = "id,Ref,DOB,born\n1,A,01/01/1900,02/02/1950\n";
    let events = "Ref,snomed code,date,When\nA,38341003,01/01/1800,03/03/2020\n";
    let (pop, reports) = load_with(mapping, patients.as_bytes(), &[events.as_bytes()]);
    assert_eq!(reports[0].columns["patient_id"], "Ref");
    assert_eq!(reports[0].columns["date_of_birth"], "born");
    assert_eq!(reports[0].ignored_columns, ["id", "DOB"]);
    assert_eq!(pop.patients[0].id, "A");
    assert_eq!(pop.patients[0].date_of_birth, d(1950, 2, 2));
    assert_eq!(reports[1].columns["patient_id"], "Ref");
    assert_eq!(reports[1].columns["date"], "When");
    assert_eq!(reports[1].ignored_columns, ["date"]);
    assert_eq!(pop.events.date[0], d(2020, 3, 3));
}

#[test]
fn column_mapping_errors_name_the_problem() {
    let e = ColumnMapping::from_toml("[patients]\ndob = \"DOB\"\nsex = \"S\"\n[events]\nsnomed = \"x\"\n").unwrap_err();
    assert!(e.contains("unknown field names events.snomed, patients.dob"), "{e}");
    assert!(e.contains("date_of_birth"), "{e}");
    let e = ColumnMapping::from_toml("[people]\nsex = \"S\"\n").unwrap_err();
    assert!(e.contains("unknown section [people]"), "{e}");
    let e = ColumnMapping::from_toml("[patients]\nsex = 3\n").unwrap_err();
    assert!(e.contains("patients.sex must be a header name"), "{e}");
    assert!(ColumnMapping::from_toml("[patients\n").is_err());
    assert_eq!(ColumnMapping::from_toml("").unwrap(), ColumnMapping::default());
}

#[test]
fn a_mapped_optional_column_that_is_missing_is_a_warning() {
    let mapping = ColumnMapping::from_toml("[patients]\nsex = \"Sex at birth\"\n").unwrap();
    let patients = "patient_id,date_of_birth,gender\n1,01/01/1990,F\n";
    let (pop, reports) = load_with(mapping, patients.as_bytes(), &[]);
    assert_eq!(kinds(&reports[0]), [(1, "mapped_column_not_found")]);
    assert_eq!(counts(&reports[0]), (1, 1, 0, 1));
    assert_eq!(pop.patients[0].sex, Sex::Unknown);
    assert_eq!(reports[0].ignored_columns, ["gender"]);
}

#[test]
fn a_missing_required_column_rejects_every_row_with_one_error() {
    let patients = "patient_id,birth,sex\n1,01/01/1990,F\n2,01/01/1991,M\n\n3,01/01/1992,F\n";
    let (pop, reports) = load(patients.as_bytes(), &[]);
    let r = &reports[0];
    assert_eq!(counts(r), (3, 0, 3, 0));
    assert_eq!(r.diagnostics.len(), 1);
    let diag = &r.diagnostics[0];
    assert_eq!((diag.line, diag.kind, diag.severity), (1, "missing_column", Severity::Error));
    assert_eq!(
        diag.message,
        "required column 'date_of_birth' not found, so no rows were loaded (headers found: 'patient_id', 'birth', 'sex')"
    );
    assert!(pop.patients.is_empty());

    let events = "patient_id,when\n1,01/01/2000\n";
    let (_, reports) = load(PATIENTS.as_bytes(), &[events.as_bytes()]);
    let r = &reports[1];
    assert_eq!(counts(r), (1, 0, 1, 0));
    assert!(
        r.diagnostics[0].message.starts_with("required columns 'code', 'date' not found"),
        "{}",
        r.diagnostics[0].message
    );
}

#[test]
fn dates_in_every_format_and_bad_ones_rejected() {
    let patients = "patient_id,date_of_birth,date_of_death\n\
        a,23/11/1950,\n\
        b,3/4/1950,\n\
        c,03-04-1950,\n\
        d,03.04.1950,\n\
        e,1950-04-03,\n\
        f,1950-04-03T00:00:00,\n\
        g,1950-04-03 12:30,\n\
        h,3-Apr-1950,\n\
        i,03 April 1950,\n\
        j,31/02/2020,\n\
        k,01/02/50,\n\
        l,01/01/1850,\n\
        m,01/01/1990,31/12/1989\n\
        n,01/01/1990,not a date\n";
    let (pop, reports) = load(patients.as_bytes(), &[]);
    let r = &reports[0];
    assert_eq!(counts(r), (14, 10, 4, 1));
    assert_eq!(pop.patients[0].date_of_birth, d(1950, 11, 23));
    for p in &pop.patients[1..9] {
        assert_eq!(p.date_of_birth, d(1950, 4, 3), "{}", p.id);
    }
    assert_eq!(
        kinds(r),
        [
            (11, "invalid_date"),
            (12, "invalid_date"),
            (13, "invalid_date"),
            (14, "death_before_birth"),
            (15, "invalid_date")
        ]
    );
    assert!(r.diagnostics[1].message.contains("two-digit year"));
    assert!(r.diagnostics[2].message.contains("implausible year 1850"));
    assert_eq!(r.diagnostics[4].severity, Severity::Warning);
    assert_eq!(pop.patients[9].date_of_death, None);
}

#[test]
fn invalid_nhs_numbers_are_kept_and_flagged_without_quoting_them() {
    let patients = "patient_id,nhs_number,date_of_birth,name\n\
        a,9434765919,01/01/1990,Ann Able\n\
        b,4010232137,01/01/1990,Ben Bold\n\
        c,654 100 3238,01/01/1990,Cat Crow\n\
        d,9434765918,01/01/1990,Dan Dull\n\
        e,1234567890,01/01/1990,Eve Ever\n\
        f,0000000000,01/01/1990,Fay Fox\n\
        g,12345,01/01/1990,Gus Grey\n";
    let (pop, reports) = load(patients.as_bytes(), &[]);
    let valid: Vec<bool> = pop.patients.iter().map(|p| p.nhs_number_valid).collect();
    assert_eq!(valid, [true, true, true, false, false, false, false]);
    assert_eq!(pop.patients[2].nhs_number.as_deref(), Some("6541003238"));
    assert_eq!(pop.patients[3].nhs_number.as_deref(), Some("9434765918"));
    let r = &reports[0];
    assert_eq!(counts(r), (7, 7, 0, 4));
    assert_eq!(r.by_kind["invalid_nhs_number"], 4);
    for diag in &r.diagnostics {
        for p in &pop.patients {
            assert!(!diag.message.contains(p.nhs_number.as_deref().unwrap()), "{}", diag.message);
            assert!(!diag.message.contains(p.name.as_deref().unwrap()), "{}", diag.message);
        }
    }
}

#[test]
fn duplicate_and_blank_ids_are_rejected() {
    let patients = "patient_id,date_of_birth\na,01/01/1990\nb,01/01/1991\na,01/01/1992\n ,01/01/1993\n";
    let (pop, reports) = load(patients.as_bytes(), &[]);
    let r = &reports[0];
    assert_eq!(counts(r), (4, 2, 2, 0));
    assert_eq!(kinds(r), [(4, "duplicate_patient_id"), (5, "missing_patient_id")]);
    assert_eq!(r.diagnostics[0].message, "duplicate patient_id (first seen on line 2)");
    assert_eq!(pop.patients[0].date_of_birth, d(1990, 1, 1), "the first row wins");

    // Across two patients files the message names the first file.
    let mut loader = Loader::new(clusters(), ColumnMapping::default());
    loader.load_patients("one.csv", &b"patient_id,date_of_birth\na,01/01/1990\n"[..]);
    let r = loader.load_patients("two.csv", &b"patient_id,date_of_birth\nb,01/01/1990\na,01/01/1990\n"[..]);
    check(r);
    assert_eq!(r.diagnostics[0].message, "duplicate patient_id (first seen on line 2 of one.csv)");
    assert_eq!(loader.patient_count(), 2);

    let long = "x".repeat(2000);
    let patients = format!("patient_id,date_of_birth\n{long},01/01/1990\n");
    let events = format!("patient_id,code,date\n{long},38341003,01/01/2020\n");
    let (_, reports) = load(patients.as_bytes(), &[events.as_bytes()]);
    assert_eq!(kinds(&reports[0]), [(2, "patient_id_too_long")]);
    assert!(!reports[0].diagnostics[0].message.contains("xxx"));
    assert_eq!(kinds(&reports[1]), [(2, "unknown_patient")]);
    assert!(reports[1].diagnostics[0].message.contains("was rejected"));
}

#[test]
fn event_rows_need_a_known_patient_a_code_and_a_date() {
    let events = "patient_id,code,date,value\n\
        p1,38341003,01/01/2020,\n\
        zz,38341003,01/01/2020,\n\
        ,38341003,01/01/2020,\n\
        p1,,01/01/2020,\n\
        p1,38341003,,\n\
        p1,38341003,2020-13-01,\n\
        p2,38341003,01/01/2020,seven\n\
        p2,38341003,01/01/2020,inf\n\
        p3,38341003,01/01/2020,-2.5\n";
    let (pop, reports) = load(PATIENTS.as_bytes(), &[events.as_bytes()]);
    let r = &reports[1];
    assert_eq!(counts(r), (9, 4, 5, 2));
    assert_eq!(
        kinds(r),
        [
            (3, "unknown_patient"),
            (4, "missing_patient_id"),
            (5, "missing_code"),
            (6, "missing_date"),
            (7, "invalid_date"),
            (8, "invalid_value"),
            (9, "invalid_value"),
        ]
    );
    assert_eq!(r.diagnostics[0].message, "patient_id not found in the patients file");
    assert_eq!(r.diagnostics[5].message, "value 'seven' is not a number; the value was dropped, the event kept");
    assert_eq!(r.diagnostics[5].column.as_deref(), Some("value"));
    assert_eq!(pop.event_range(1).len(), 2);
    assert!(pop.event_range(1).all(|i| pop.events.value(i).is_none()));
    assert_eq!(pop.events.value(pop.event_range(2).start), Some(-2.5));
}

#[test]
fn events_loaded_before_any_patients_are_all_rejected() {
    let mut loader = Loader::new(clusters(), ColumnMapping::default());
    let r = loader.load_events("e.csv", &b"patient_id,code,date\np1,38341003,01/01/2020\n"[..]);
    check(r);
    assert_eq!(counts(r), (1, 0, 1, 0));
    assert_eq!(r.by_kind["unknown_patient"], 1);
}

#[test]
fn several_events_files_add_up() {
    let e1 = "patient_id,code,date\np1,38341003,01/01/2020\n";
    let e2 = "patient_id|code|date\np2|38341003|01/01/2021\np1|73211009|01/01/2019\n";
    let (pop, reports) = load(PATIENTS.as_bytes(), &[e1.as_bytes(), e2.as_bytes()]);
    assert_eq!(reports.len(), 3);
    assert_eq!(pop.events.len(), 3);
    assert_eq!(pop.event_range(0), 0..2);
    assert_eq!(pop.events.date[0], d(2019, 1, 1));
}

#[test]
fn a_utf16_file_is_refused() {
    let mut bytes = vec![0xFF, 0xFE];
    for c in "patient_id,date_of_birth\r\n1,01/01/1990\r\n".encode_utf16() {
        bytes.extend_from_slice(&c.to_le_bytes());
    }
    let (pop, reports) = load(&bytes, &[]);
    let r = &reports[0];
    assert_eq!(counts(r), (0, 0, 0, 0));
    assert_eq!(r.diagnostics.len(), 1);
    assert_eq!((r.diagnostics[0].line, r.diagnostics[0].severity), (1, Severity::Error));
    assert_eq!(r.diagnostics[0].message, "file is UTF-16 encoded; save it as UTF-8 CSV");
    assert!(pop.patients.is_empty());
    let mut big_endian = vec![0xFE, 0xFF];
    big_endian.extend_from_slice(b"\0p\0i\0d");
    let (_, reports) = load(&big_endian, &[]);
    assert_eq!(reports[0].by_kind["utf16_encoding"], 1);
}

#[test]
fn windows_1252_bytes_are_decoded_with_one_warning() {
    let patients =
        b"patient_id,date_of_birth,name\n1,01/01/1990,Zo\xEB O\x92Brien\n2,01/01/1990,Ren\xE9e\n3,01/01/1990,Plain\n";
    let (pop, reports) = load(patients, &[]);
    assert_eq!(pop.patients[0].name.as_deref(), Some("Zoë O\u{2019}Brien"));
    assert_eq!(pop.patients[1].name.as_deref(), Some("Renée"));
    let r = &reports[0];
    assert_eq!(counts(r), (3, 3, 0, 1));
    assert_eq!(kinds(r), [(2, "not_utf8")]);
    assert!(r.diagnostics[0].message.contains("Windows-1252"));
    assert!(!r.diagnostics[0].message.contains("Zo"));
}

#[test]
fn a_windows_1252_no_break_space_is_an_empty_value_and_unit() {
    // 0xA0 is a no-break space in Windows-1252: the cells are blank once decoded.
    let patients = b"patient_id,date_of_birth\n1,01/01/1990\n";
    let events =
        b"patient_id,code,date,value,unit\n1,271649006,2024-01-01,\xA0,\xA0\n1,271649006,2024-02-01,140,mm[Hg]\n";
    let (pop, reports) = load(patients, &[events]);
    let r = &reports[1];
    assert_eq!(counts(r), (2, 2, 0, 1));
    assert_eq!(kinds(r), [(2, "not_utf8")]);
    assert!(pop.events.value[0].is_nan());
    assert_eq!(pop.events.unit[0], u16::MAX);
    assert_eq!(pop.events.value[1], 140.0);
    assert_eq!(pop.units, ["mm[Hg]"]);
}

#[test]
fn ethnicity_comes_from_the_latest_real_ethnicity_code() {
    let patients = "patient_id,date_of_birth,ethnicity\n\
        a,01/01/1990,\n\
        b,01/01/1990,Z\n\
        c,01/01/1990,M\n\
        d,01/01/1990,\n\
        e,01/01/1990,92531000000104\n";
    // a: White British, then later "not stated": stays White.
    // b: Z in the file, White British code: White.
    // c: Black in the file: the code does not overwrite it.
    // d: only a "not stated" code: not recorded.
    // e: not-stated SNOMED code in the file, White British event: White.
    let events = "patient_id,code,date\n\
        a,92531000000104,2023-01-01\n\
        a,494131000000105,2020-01-01\n\
        b,494131000000105,2020-01-01\n\
        c,494131000000105,2020-01-01\n\
        d,92531000000104,2020-01-01\n\
        e,494131000000105,2010-01-01\n";
    let (pop, _) = load(patients.as_bytes(), &[events.as_bytes()]);
    let groups: Vec<EthnicityGroup> = pop.patients.iter().map(|p| p.ethnicity).collect();
    use EthnicityGroup::*;
    assert_eq!(groups, [White, White, Black, NotRecorded, White]);
}

#[test]
fn optional_field_warnings_keep_the_row() {
    let patients = "patient_id,date_of_birth,sex,ethnicity,imd_decile,registered_date\n\
        a,01/01/1990,X,Q,0,01/01/1980\n\
        b,01/01/1990,Not Known,494131000000105,7.0,nonsense\n";
    let (pop, reports) = load(patients.as_bytes(), &[]);
    let r = &reports[0];
    assert_eq!(counts(r), (2, 2, 0, 5));
    assert_eq!(
        kinds(r),
        [
            (2, "unknown_sex"),
            (2, "unknown_ethnicity"),
            (2, "invalid_imd_decile"),
            (2, "registered_before_birth"),
            (3, "invalid_date")
        ]
    );
    assert_eq!(
        r.diagnostics[0].message,
        "sex 'X' is not recognised (expected F, M, U or female, male, unknown); recorded as not known"
    );
    let b = &pop.patients[1];
    assert_eq!(
        (b.sex, b.ethnicity, b.imd_decile, b.registered_date),
        (Sex::Unknown, EthnicityGroup::White, Some(7), None)
    );
}

#[test]
fn blank_lines_and_empty_rows_are_not_counted() {
    let patients = "\npatient_id,date_of_birth\n\n,\n  ,  \na,01/01/1990\n\n\n";
    let (pop, reports) = load(patients.as_bytes(), &[]);
    assert_eq!(counts(&reports[0]), (1, 1, 0, 0));
    assert_eq!(pop.patients.len(), 1);
    let (_, reports) = load(b"", &[]);
    assert_eq!(kinds(&reports[0]), [(1, "empty_file")]);
    assert_eq!(counts(&reports[0]), (0, 0, 0, 0));
}

#[test]
fn diagnostics_are_capped_but_all_counted() {
    let mut patients = String::from("patient_id,date_of_birth,sex\n");
    for i in 0..250 {
        patients.push_str(&format!("p{i},01/01/1990,?\n"));
    }
    patients.push_str("p0,01/01/1990,F\n");
    let (_, reports) = load(patients.as_bytes(), &[]);
    let r = &reports[0];
    assert_eq!(counts(r), (251, 250, 1, 250));
    assert_eq!(r.diagnostics.len(), 200);
    assert_eq!(r.diagnostics_not_shown, 51);
    assert_eq!(r.by_kind["unknown_sex"], 250);
    assert_eq!(r.by_kind["duplicate_patient_id"], 1);
}

#[test]
fn reports_serialise_with_snake_case_names() {
    let (_, reports) = load(b"patient_id,date_of_birth\na,bad\n", &[]);
    let json = serde_json::to_value(&reports[0]).unwrap();
    assert_eq!(json["kind"], "patients");
    assert_eq!(json["diagnostics"][0]["severity"], "error");
    assert_eq!(json["diagnostics"][0]["kind"], "invalid_date");
    assert_eq!(json["diagnostics"][0]["column"], "date_of_birth");
    assert_eq!(json["by_kind"]["invalid_date"], 1);
}

#[test]
fn awkward_bytes_never_panic_and_always_reconcile() {
    let inputs: [&[u8]; 10] = [
        b"patient_id,date_of_birth\n\"a,01/01/1990\n",
        b"patient_id,date_of_birth\na,01/01/1990,extra,cells\nb\n",
        b"patient_id,date_of_birth\r\ra,01/01/1990\r",
        b"\0\0\0\0",
        b"\xEF\xBB\xBF",
        b"\xFF",
        b"patient_id\xFF,date_of_birth\na,01/01/1990\n",
        b"\"\"\"\n\"\"\n",
        b"patient_id,date_of_birth\na,\xFF\xFE\n",
        b"patient_id;code;date\n;;\n",
    ];
    for input in inputs {
        load(input, &[input, b"patient_id,code,date\na,\xE9,01/01/2000\n"]);
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn any_bytes_load_without_panicking(
            body in proptest::collection::vec(any::<u8>(), 0..400),
            alphabet_body in "[a-c0-9,;|\t\"\r\n/ -]{0,300}",
        ) {
            let mut patients = b"patient_id,date_of_birth,sex\n".to_vec();
            patients.extend_from_slice(alphabet_body.as_bytes());
            let mut events = b"patient_id,code,date,value\n".to_vec();
            events.extend_from_slice(&body);
            load(&patients, &[&events, &body, alphabet_body.as_bytes()]);
        }

        /// Files pushed in chunks of any size read exactly as the same
        /// files read whole: every cut, mid-quote and mid-CRLF included,
        /// and lines split without the parser as the parser splits them.
        #[test]
        fn chunked_files_read_as_whole_files(
            bom in any::<bool>(),
            patients_tail in "[pa-c0-9,;|\t\"\r\n/ -]{0,200}",
            events_tail in "[pa-c0-9,;|\t\"\r\n/ .-]{0,300}",
            cuts in proptest::collection::vec(1usize..40, 1..8),
        ) {
            let mut patients = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
            patients.extend_from_slice(b"patient_id,date_of_birth,sex\r\np1,1990-01-01,F\r\np2,01/02/1980,M\n\"p3\",\"1970-\n01-01\",F\n");
            patients.extend_from_slice(patients_tail.as_bytes());
            let mut events = b"patient_id,code,date,value\np1,271649006,2020-01-01,140\n\np2,\"38341003\",2021-02-03,\n".to_vec();
            events.extend_from_slice(events_tail.as_bytes());

            let whole = load(&patients, &[&events]);
            // Pushed a byte at a time, no line is ever whole in a chunk, so
            // the parser reads every line itself, never the quicker split.
            for cuts in [cuts, vec![1]] {
                let mut loader = Loader::new(clusters(), ColumnMapping::default());
                for (i, (name, bytes)) in [("patients.csv", &patients), ("events0.csv", &events)].into_iter().enumerate() {
                    if i == 0 { loader.begin_patients(name) } else { loader.begin_events(name) }
                    let mut rest: &[u8] = bytes;
                    for &cut in cuts.iter().cycle() {
                        if rest.is_empty() { break; }
                        let (chunk, after) = rest.split_at(cut.min(rest.len()));
                        prop_assert!(loader.push(chunk).is_some());
                        rest = after;
                    }
                    loader.end_file();
                }
                let chunked = loader.finish();
                prop_assert_eq!(format!("{:?}", chunked.0), format!("{:?}", whole.0));
                prop_assert_eq!(serde_json::to_string(&chunked.1).unwrap(), serde_json::to_string(&whole.1).unwrap());
            }
        }
    }
}
