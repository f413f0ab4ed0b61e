//! The bad-input corpus (issue 9): every kind of broken file a practice
//! might hand us, each read through the loader. For every case the test
//! pins the diagnostics (file, line, kind, column and message), the row
//! counts and their reconciliation (`read == accepted + rejected`, plus
//! `skipped` for FHIR), and that the good rows around the bad ones still
//! loaded. Fixtures live in `tests/fixtures/bad/` where a file is clearer
//! than a string; big inputs are generated here.
//!
//! `cargo test --release --test bad_input -- --nocapture bad_input_table`
//! prints the corpus as the markdown table of the issue note.

use std::io::{Read, Write};

use cohort_finder::ingest::Severity;

use cohort_finder::ingest::wide::WideProfile;
use cohort_finder::ingest::{ColumnMapping, FileReport};
use cohort_finder::model::Population;
use cohort_finder::Engine;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bad/");

const PATIENTS: &str = "patient_id,date_of_birth,sex\nP1,01/02/1970,F\nP2,1980-03-04,M\n";
const EVENTS_HEADER: &str = "patient_id,code,date,value,unit,code_system,term\n";
const EVENTS: &str = "patient_id,code,date,value\nP1,60621009,01/06/2026,31.2\nP2,60621009,2026-06-02,27\n";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn engine() -> Engine {
    Engine::new(&Default::default()).unwrap()
}

/// What a case loaded: the file reports, the population, and the file the
/// case is about (for the table).
struct Loaded {
    files: Vec<FileReport>,
    pop: Population,
    focus: &'static str,
}

impl Loaded {
    fn file(&self, name: &str) -> &FileReport {
        self.files.iter().find(|f| f.file == name).unwrap_or_else(|| panic!("no report for {name}"))
    }

    /// The focus file's counts: (read, accepted, rejected, skipped), after
    /// checking that they reconcile in every file.
    fn counts(&self, name: &str) -> (u64, u64, u64, u64) {
        for f in &self.files {
            let skipped = f.fhir.as_ref().map_or(0, |x| x.skipped);
            assert_eq!(f.read, f.accepted + f.rejected + skipped, "{}: counts do not reconcile", f.file);
            if let Some(x) = &f.fhir {
                assert_eq!(x.pending, 0, "{}: resources still pending", f.file);
            }
        }
        let f = self.file(name);
        (f.read, f.accepted, f.rejected, f.fhir.as_ref().map_or(0, |x| x.skipped))
    }

    /// Every diagnostic of file `name` as "file:line severity kind column: message".
    fn diagnostics(&self, name: &str) -> Vec<String> {
        self.file(name).diagnostics.iter().map(show).collect()
    }

    /// Asserts file `name`'s counts (read, accepted, rejected, skipped) and
    /// its every diagnostic.
    fn expect(&self, name: &str, counts: (u64, u64, u64, u64), diagnostics: &[&str]) {
        assert_eq!(self.counts(name), counts, "{name}: read, accepted, rejected, skipped");
        assert_eq!(self.diagnostics(name), diagnostics, "{name}: diagnostics");
        let f = self.file(name);
        assert_eq!(f.diagnostics_not_shown, 0, "{name}");
        let errors = f.diagnostics.iter().filter(|d| d.severity == Severity::Error).count() as u64;
        assert_eq!(f.warnings, f.diagnostics.len() as u64 - errors, "{name}: warnings counted");
        assert_eq!(f.by_kind.values().sum::<u64>(), f.diagnostics.len() as u64, "{name}: by_kind");
    }

    /// Events per patient id, as "id:count".
    fn events(&self) -> Vec<String> {
        (0..self.pop.patients.len())
            .map(|p| format!("{}:{}", self.pop.patients[p].id, self.pop.event_range(p as u32).len()))
            .collect()
    }

    /// The values recorded, in order, as text ("-" for none).
    fn values(&self) -> Vec<String> {
        (0..self.pop.events.len())
            .map(|e| self.pop.events.value(e).map_or("-".to_string(), |v| v.to_string()))
            .collect()
    }
}

fn show(d: &cohort_finder::ingest::Diagnostic) -> String {
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    format!("{}:{} {severity} {} {}: {}", d.file, d.line, d.kind, d.column.as_deref().unwrap_or("-"), d.message)
}

/// A patients file and an events file.
fn csv(patients: impl AsRef<[u8]>, events: impl AsRef<[u8]>, focus: &'static str) -> Loaded {
    let mut loader = engine().loader(ColumnMapping::default());
    loader.load_patients("patients.csv", patients.as_ref());
    loader.load_events("events.csv", events.as_ref());
    let (pop, files) = loader.finish();
    Loaded { files, pop, focus }
}

/// FHIR files, in order.
fn fhir(files: &[(&'static str, Vec<u8>)]) -> Loaded {
    let mut loader = engine().loader(ColumnMapping::default());
    for (name, bytes) in files {
        loader.load_fhir(name, &bytes[..]);
    }
    let (pop, files_out) = loader.finish();
    Loaded { files: files_out, pop, focus: files[0].0 }
}

/// The file reports as the lists drawn up as of `date` show them: with the
/// warning about events dated after it.
fn as_of(mut loaded: Loaded, date: &str) -> Loaded {
    cohort_finder::ingest::note_events_after(&mut loaded.files, date.parse().unwrap());
    loaded
}

/// NDJSON of `patients` Patients, each with one BMI Observation: about
/// 300 bytes a line.
fn many_ndjson(patients: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 1..=patients {
        writeln!(out, r#"{{"resourceType":"Patient","id":"g{i}","birthDate":"1970-02-01","gender":"female"}}"#)
            .unwrap();
        writeln!(
            out,
            r#"{{"resourceType":"Observation","status":"final","subject":{{"reference":"Patient/g{i}"}},"effectiveDateTime":"2026-06-01","code":{{"coding":[{{"system":"http://snomed.info/sct","code":"60621009"}}]}},"valueQuantity":{{"value":31.2,"unit":"kg/m2"}}}}"#
        )
        .unwrap();
    }
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
    for u in text.encode_utf16() {
        out.extend_from_slice(&if big_endian { u.to_be_bytes() } else { u.to_le_bytes() });
    }
    out
}

/// Events on, before and after 23/11/2026, read but not yet drawn up.
fn events_after_as_of_read() -> Loaded {
    csv(
        PATIENTS,
        format!(
            "{EVENTS_HEADER}P1,60621009,2026-06-01,31\nP1,60621009,2026-11-23,30\nP1,60621009,24/11/2026,29\n\
             P2,60621009,2026-06-01,27\nP2,60621009,2031-01-01,26\nP2,60621009,2027-03-01,25\n"
        ),
        "events.csv",
    )
}

macro_rules! cases {
    ($($name:ident, $label:literal => $body:expr;)*) => {
        $(fn $name() -> Loaded { $body })*
        /// Every case, with its label in the table.
        const CASES: &[(&str, &str, fn() -> Loaded)] = &[$((stringify!($name), $label, $name)),*];
    };
}

cases! {
    empty_file, "Empty patients file" => csv("", EVENTS, "patients.csv");
    header_only, "Patients file with a header only" => csv("patient_id,date_of_birth,sex\n", EVENTS, "patients.csv");
    semicolons, "Semicolon-delimited patients file" => csv(fixture("patients_semicolon.csv"), EVENTS, "patients.csv");
    tabs, "Tab-delimited events file" => csv(PATIENTS, fixture("events_tab.tsv"), "events.csv");
    unknown_delimiter, "Colon-delimited patients file (not a delimiter we detect)" =>
        csv("patient_id:date_of_birth:sex\nP1:01/02/1970:F\nP2:1980-03-04:M\n", EVENTS, "patients.csv");
    bom_crlf, "UTF-8 byte-order mark and CRLF line ends" => csv(fixture("patients_bom_crlf.csv"), EVENTS, "patients.csv");
    utf16_le, "UTF-16 LE patients file" => csv(utf16(PATIENTS, false), EVENTS, "patients.csv");
    utf16_be, "UTF-16 BE events file" => csv(PATIENTS, utf16(EVENTS, true), "events.csv");
    windows_1252, "Windows-1252 bytes in names" => csv(fixture("patients_cp1252.csv"), EVENTS, "patients.csv");
    embedded_newline, "Quoted field with an embedded newline" =>
        csv(fixture("patients_embedded_newline.csv"), EVENTS, "patients.csv");
    unbalanced_quote, "Unbalanced quote" => csv(fixture("patients_unbalanced_quote.csv"), EVENTS, "patients.csv");
    long_line, "A 1 MB line" => {
        let mut p = String::from("patient_id,date_of_birth,sex,name\nP1,01/02/1970,F,");
        p.push_str(&"x".repeat(1 << 20));
        p.push_str("\nP2,1980-03-04,M,B\n");
        csv(p, EVENTS, "patients.csv")
    };
    long_line_unbroken, "A 1 MB first line with no delimiter" => {
        let mut p = "y".repeat(1 << 20);
        p.push_str("\nP1,01/02/1970,F\n");
        csv(p, EVENTS, "patients.csv")
    };
    invalid_dates, "Invalid dates (31 February, two-digit year, text)" => csv(
        "patient_id,date_of_birth,sex\nP1,01/02/1970,F\nP2,31/02/1980,M\nP3,01/02/70,F\nP4,1990-01-01,M\n",
        format!("{EVENTS_HEADER}P1,60621009,yesterday,31\nP1,60621009,2026-06-01,30\nP4,60621009,2026-13-01,25\n"),
        "patients.csv",
    );
    future_dates, "Dates after the as-of date (lists drawn up as of 23/11/2026)" => as_of(csv(
        "patient_id,date_of_birth,sex,registered_date\nP1,01/02/1970,F,\nP2,01/01/2030,M,\nP3,1990-01-01,F,2027-01-01\n",
        format!("{EVENTS_HEADER}P1,60621009,2030-06-01,31\nP1,60621009,2026-06-01,30\nP1,60621009,2101-01-01,30\n"),
        "events.csv",
    ), "2026-11-23");
    events_after_as_of, "Events after the as-of date, among others on and before it" =>
        as_of(events_after_as_of_read(), "2026-11-23");
    fhir_after_as_of, "FHIR: Observations after the as-of date, one waiting for its Patient" => as_of(fhir(&[(
        "after.ndjson",
        concat!(
            r#"{"resourceType":"Observation","status":"final","subject":{"reference":"Patient/f1"},"effectiveDateTime":"2030-01-01","code":{"coding":[{"system":"http://snomed.info/sct","code":"60621009"}]},"valueQuantity":{"value":30,"unit":"kg/m2"}}"#,
            "\n",
            r#"{"resourceType":"Patient","id":"f1","birthDate":"1970-02-01","gender":"female"}"#,
            "\n",
            r#"{"resourceType":"Observation","status":"final","subject":{"reference":"Patient/f1"},"effectiveDateTime":"2026-06-01","code":{"coding":[{"system":"http://snomed.info/sct","code":"60621009"}]},"valueQuantity":{"value":31,"unit":"kg/m2"}}"#,
            "\n",
            r#"{"resourceType":"Observation","status":"final","subject":{"reference":"Patient/f1"},"effectiveDateTime":"2027-02-01T09:30:00Z","code":{"coding":[{"system":"http://snomed.info/sct","code":"60621009"}]},"valueQuantity":{"value":32,"unit":"kg/m2"}}"#,
            "\n",
        )
        .as_bytes()
        .to_vec(),
    )]), "2026-11-23");
    before_birth, "Dates before birth" => csv(
        "patient_id,date_of_birth,sex,registered_date,date_of_death\nP1,01/02/1970,F,01/01/1960,\nP2,1980-03-04,M,,1979-01-01\nP3,1990-01-01,F,,\n",
        format!("{EVENTS_HEADER}P1,60621009,1969-06-01,31\nP1,60621009,2026-06-01,30\n"),
        "patients.csv",
    );
    duplicate_ids, "Duplicate patient ids" => csv(
        "patient_id,date_of_birth,sex\nP1,01/02/1970,F\nP2,1980-03-04,M\nP1,1990-01-01,M\n",
        EVENTS,
        "patients.csv",
    );
    unknown_patient, "Events for an unknown patient" => csv(
        PATIENTS,
        format!("{EVENTS_HEADER}P1,60621009,2026-06-01,31\nP9,60621009,2026-06-01,30\nP2,60621009,2026-06-01,25\n"),
        "events.csv",
    );
    rejected_patient, "Events for a rejected patient" => csv(
        "patient_id,date_of_birth,sex\nP1,01/02/1970,F\nP2,not known,M\n",
        format!("{EVENTS_HEADER}P1,60621009,2026-06-01,31\nP2,60621009,2026-06-01,30\n"),
        "events.csv",
    );
    non_numeric, "Non-numeric values" => csv(
        PATIENTS,
        format!("{EVENTS_HEADER}P1,60621009,2026-06-01,thirty\nP1,72313002,2026-06-01,<140\nP2,60621009,2026-06-01,NaN\nP2,60621009,2026-06-02,27\n"),
        "events.csv",
    );
    impossible_bp, "Impossible blood pressure 400/20" => csv(
        PATIENTS,
        format!("{EVENTS_HEADER}P1,72313002,2026-06-01,400\nP1,1091811000000102,2026-06-01,20\nP2,72313002,2026-06-01,128\nP2,1091811000000102,2026-06-01,82\n"),
        "events.csv",
    );
    impossible_bmi, "Impossible BMI 0 and 500" => csv(
        PATIENTS,
        format!("{EVENTS_HEADER}P1,60621009,2026-06-01,0\nP1,60621009,2026-06-02,500\nP2,60621009,2026-06-01,27\n"),
        "events.csv",
    );
    impossible_age, "Born 1880 (age 146), born 1850" => csv(
        "patient_id,date_of_birth,sex\nP1,01/02/1970,F\nP2,01/01/1880,M\nP3,01/01/1850,F\n",
        EVENTS,
        "patients.csv",
    );
    blank_required, "Blank required fields" => csv(
        "patient_id,date_of_birth,sex\nP1,01/02/1970,F\n,1980-03-04,M\nP3,,F\nP2,1980-03-04,M\n",
        format!("{EVENTS_HEADER},60621009,2026-06-01,31\nP1,,2026-06-01,30\nP1,60621009,,30\nP2,60621009,2026-06-01,27\n"),
        "events.csv",
    );
    unknown_code_system, "Unknown code system" => csv(
        PATIENTS,
        format!("{EVENTS_HEADER}P1,60621009,2026-06-01,31,kg/m2,snowmed,BMI\nP2,F20.9,2026-06-01,,,ICD-10,Schizophrenia\nP2,60621009,2026-06-01,27,,snomed,\n"),
        "events.csv",
    );
    lone_cr, "Lone CR line ends" => csv(fixture("patients_cr.csv"), EVENTS, "patients.csv");
    trailing_blank, "Trailing blank lines" => csv(fixture("patients_trailing_blank.csv"), EVENTS, "patients.csv");
    extra_missing_cells, "Rows with extra and missing cells" =>
        csv(fixture("patients_extra_missing.csv"), EVENTS, "patients.csv");
    missing_column, "A required column missing" => csv(fixture("patients_no_dob_column.csv"), EVENTS, "patients.csv");
    missing_events_column, "An events file without a date column" =>
        csv(PATIENTS, "patient_id,code,value\nP1,60621009,31\n", "events.csv");
    odd_header, "Header with odd spacing and case" => csv(fixture("patients_odd_header.csv"), EVENTS, "patients.csv");
    nhs_number, "NHS numbers failing modulus 11" => csv(
        "patient_id,nhs_number,date_of_birth\nP1,9434765919,01/02/1970\nP2,9434765918,1980-03-04\nP3,123456789,1990-01-01\nP4,1111111111,1990-01-01\n",
        EVENTS,
        "patients.csv",
    );
    fhir_not_fhir, "FHIR: JSON that is not FHIR {\"hello\":1}" => fhir(&[("hello.json", b"{\"hello\":1}".to_vec())]);
    fhir_array, "FHIR: a JSON array" => fhir(&[("array.json", b"[{\"resourceType\":\"Patient\",\"id\":\"a\"}]".to_vec())]);
    fhir_number, "FHIR: a number" => fhir(&[("number.json", b"42".to_vec())]);
    fhir_empty, "FHIR: an empty file" => fhir(&[("empty.json", Vec::new())]);
    fhir_bundle_syntax, "FHIR: Bundle with a syntax error mid-way" =>
        fhir(&[("bundle.json", fixture("bundle_syntax_error.json"))]);
    fhir_truncated, "FHIR: truncated NDJSON (last line cut)" => fhir(&[("truncated.ndjson", fixture("truncated.ndjson"))]);
    fhir_one_bad_line, "FHIR: NDJSON with one bad line" => fhir(&[("one_bad_line.ndjson", fixture("one_bad_line.ndjson"))]);
    fhir_no_patient, "FHIR: resources without a patient reference" =>
        fhir(&[("no_patient.ndjson", fixture("no_patient_reference.ndjson"))]);
    fhir_no_birth_date, "FHIR: Patient without birthDate" =>
        fhir(&[("no_birth_date.ndjson", fixture("patient_without_birthdate.ndjson"))]);
    fhir_implausible, "FHIR: BMI 500 and BP 400/20" =>
        fhir(&[("implausible.ndjson", fixture("implausible_values.ndjson"))]);
    gzip_corrupt, "Gzip: corrupt" => {
        let mut gz = gzip(&fixture("one_bad_line.ndjson"));
        let mid = gz.len() / 2;
        gz[mid..mid + 8].copy_from_slice(b"garbage!");
        fhir(&[("corrupt.ndjson.gz", gz)])
    };
    gzip_truncated, "Gzip: truncated" => {
        let gz = gzip(&fixture("one_bad_line.ndjson"));
        fhir(&[("truncated.ndjson.gz", gz[..gz.len() * 2 / 3].to_vec())])
    };
    gzip_truncated_late, "Gzip: cut short after the first 64 KB (the lines before it are read)" => {
        let gz = gzip(&many_ndjson(2000));
        fhir(&[("cut.ndjson.gz", gz[..gz.len() * 3 / 4].to_vec())])
    };
    gzip_bad_header, "Gzip: the magic bytes, then no gzip header" =>
        fhir(&[("header.json.gz", b"\x1f\x8bnot really gzip at all".to_vec())]);
    gzip_bundle_truncated, "Gzip: a Bundle cut short" => {
        let gz = gzip(&fixture("bundle_syntax_error.json"));
        fhir(&[("bundle.json.gz", gz[..gz.len() / 2].to_vec())])
    };
    wide_missing_column, "Wide report: profile names a missing column, unreadable flag, impossible values" => {
        let engine = engine();
        let profile = WideProfile::parse(std::str::from_utf8(&fixture("profile_missing_column.toml")).unwrap())
            .unwrap()
            .check(&engine.clusters)
            .unwrap();
        let mut loader = engine.loader(ColumnMapping::default());
        loader.load_wide("report.csv", &fixture("wide_report.csv")[..], &profile);
        let (pop, files) = loader.finish();
        Loaded { files, pop, focus: "report.csv" }
    };
}

#[test]
fn empty_file_case() {
    let l = empty_file();
    l.expect(
        "patients.csv",
        (0, 0, 0, 0),
        &["patients.csv:1 error empty_file -: the file is empty: expected a header line"],
    );
    l.expect(
        "events.csv",
        (2, 0, 2, 0),
        &[
            "events.csv:2 error unknown_patient patient_id: patient_id not found in the patients file",
            "events.csv:3 error unknown_patient patient_id: patient_id not found in the patients file",
        ],
    );
    assert!(l.events().is_empty());
    assert!(l.values().is_empty());
}

#[test]
fn header_only_case() {
    let l = header_only();
    l.expect("patients.csv", (0, 0, 0, 0), &["patients.csv:1 warning no_rows -: the file has a header but no rows"]);
    l.expect(
        "events.csv",
        (2, 0, 2, 0),
        &[
            "events.csv:2 error unknown_patient patient_id: patient_id not found in the patients file",
            "events.csv:3 error unknown_patient patient_id: patient_id not found in the patients file",
        ],
    );
    assert!(l.events().is_empty());
    assert!(l.values().is_empty());
}

#[test]
fn semicolons_case() {
    let l = semicolons();
    l.expect("patients.csv", (2, 2, 0, 0), &[]);
    l.expect("events.csv", (2, 2, 0, 0), &[]);
    assert_eq!(l.events(), ["P1:1", "P2:1"]);
    assert_eq!(l.values(), ["31.2", "27"]);
}

#[test]
fn tabs_case() {
    let l = tabs();
    l.expect("patients.csv", (2, 2, 0, 0), &[]);
    l.expect("events.csv", (2, 2, 0, 0), &[]);
    assert_eq!(l.events(), ["P1:1", "P2:1"]);
    assert_eq!(l.values(), ["31.2", "27"]);
}

#[test]
fn unknown_delimiter_case() {
    let l = unknown_delimiter();
    l.expect("patients.csv", (2, 0, 2, 0), &[
        "patients.csv:1 error missing_column patient_id: required columns 'patient_id', 'date_of_birth' not found, so no rows were loaded (headers found: 'patient_id:date_of_birth:sex'); the header is one column: save the file with commas, tabs, semicolons or pipes between the fields",
    ]);
    l.expect(
        "events.csv",
        (2, 0, 2, 0),
        &[
            "events.csv:2 error unknown_patient patient_id: patient_id not found in the patients file",
            "events.csv:3 error unknown_patient patient_id: patient_id not found in the patients file",
        ],
    );
    assert!(l.events().is_empty());
    assert!(l.values().is_empty());
}

#[test]
fn bom_crlf_case() {
    let l = bom_crlf();
    l.expect("patients.csv", (2, 2, 0, 0), &[]);
    l.expect("events.csv", (2, 2, 0, 0), &[]);
    assert_eq!(l.events(), ["P1:1", "P2:1"]);
    assert_eq!(l.values(), ["31.2", "27"]);
}

#[test]
fn utf16_le_case() {
    let l = utf16_le();
    l.expect(
        "patients.csv",
        (0, 0, 0, 0),
        &["patients.csv:1 error utf16_encoding -: file is UTF-16 encoded; save it as UTF-8 CSV"],
    );
    l.expect(
        "events.csv",
        (2, 0, 2, 0),
        &[
            "events.csv:2 error unknown_patient patient_id: patient_id not found in the patients file",
            "events.csv:3 error unknown_patient patient_id: patient_id not found in the patients file",
        ],
    );
    assert!(l.events().is_empty());
    assert!(l.values().is_empty());
}

#[test]
fn utf16_be_case() {
    let l = utf16_be();
    l.expect("patients.csv", (2, 2, 0, 0), &[]);
    l.expect(
        "events.csv",
        (0, 0, 0, 0),
        &["events.csv:1 error utf16_encoding -: file is UTF-16 encoded; save it as UTF-8 CSV"],
    );
    assert_eq!(l.events(), ["P1:0", "P2:0"]);
    assert!(l.values().is_empty());
}

#[test]
fn windows_1252_case() {
    let l = windows_1252();
    l.expect("patients.csv", (2, 2, 0, 0), &[
        "patients.csv:2 warning not_utf8 -: the file is not all UTF-8; text was read as Windows-1252 (save it as CSV UTF-8 to be sure)",
    ]);
    l.expect("events.csv", (2, 2, 0, 0), &[]);
    assert_eq!(l.events(), ["P1:1", "P2:1"]);
    assert_eq!(l.values(), ["31.2", "27"]);
}

#[test]
fn embedded_newline_case() {
    let l = embedded_newline();
    l.expect("patients.csv", (3, 2, 1, 0), &[
        "patients.csv:4 error invalid_date date_of_birth: date_of_birth: '31/02/1980' is not a valid date (expected dd/mm/yyyy, yyyy-mm-dd or d-Mon-yyyy)",
    ]);
    l.expect("events.csv", (2, 1, 1, 0), &[
        "events.csv:3 error unknown_patient patient_id: patient_id's row in the patients file was rejected (see the patients file report)",
    ]);
    assert_eq!(l.events(), ["P1:1", "P3:0"]);
    assert_eq!(l.values(), ["31.2"]);
}

#[test]
fn unbalanced_quote_case() {
    let l = unbalanced_quote();
    l.expect("patients.csv", (1, 0, 1, 0), &[
        "patients.csv:2 error unclosed_quote -: a quote opened in this row is never closed, so lines 2 to 4 (the end of the file) were read as part of this row; close the quote (a quote inside a cell is written twice) and load the file again",
    ]);
    l.expect(
        "events.csv",
        (2, 0, 2, 0),
        &[
            "events.csv:2 error unknown_patient patient_id: patient_id not found in the patients file",
            "events.csv:3 error unknown_patient patient_id: patient_id not found in the patients file",
        ],
    );
    assert!(l.events().is_empty());
    assert!(l.values().is_empty());
}

#[test]
fn long_line_case() {
    let l = long_line();
    l.expect("patients.csv", (2, 2, 0, 0), &[]);
    l.expect("events.csv", (2, 2, 0, 0), &[]);
    assert_eq!(l.events(), ["P1:1", "P2:1"]);
    assert_eq!(l.values(), ["31.2", "27"]);
}

#[test]
fn long_line_unbroken_case() {
    let l = long_line_unbroken();
    l.expect("patients.csv", (1, 0, 1, 0), &[
        "patients.csv:1 error missing_column patient_id: required columns 'patient_id', 'date_of_birth' not found, so no rows were loaded (headers found: 'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy…'); the header is one column: save the file with commas, tabs, semicolons or pipes between the fields",
    ]);
    l.expect(
        "events.csv",
        (2, 0, 2, 0),
        &[
            "events.csv:2 error unknown_patient patient_id: patient_id not found in the patients file",
            "events.csv:3 error unknown_patient patient_id: patient_id not found in the patients file",
        ],
    );
    assert!(l.events().is_empty());
    assert!(l.values().is_empty());
}

#[test]
fn invalid_dates_case() {
    let l = invalid_dates();
    l.expect("patients.csv", (4, 2, 2, 0), &[
        "patients.csv:3 error invalid_date date_of_birth: date_of_birth: '31/02/1980' is not a valid date (expected dd/mm/yyyy, yyyy-mm-dd or d-Mon-yyyy)",
        "patients.csv:4 error invalid_date date_of_birth: date_of_birth: '01/02/70' has a two-digit year, which is ambiguous (write the year in full, e.g. dd/mm/yyyy)",
    ]);
    l.expect("events.csv", (3, 1, 2, 0), &[
        "events.csv:2 error invalid_date date: date: 'yesterday' is not a valid date (expected dd/mm/yyyy, yyyy-mm-dd or d-Mon-yyyy)",
        "events.csv:4 error invalid_date date: date: '2026-13-01' is not a valid date (expected dd/mm/yyyy, yyyy-mm-dd or d-Mon-yyyy)",
    ]);
    assert_eq!(l.events(), ["P1:1", "P4:0"]);
    assert_eq!(l.values(), ["30"]);
}

#[test]
fn future_dates_case() {
    let l = future_dates();
    // A birth or a registration after the as-of date is counted in the
    // population summary (not yet born, not yet registered), not here.
    l.expect("patients.csv", (3, 3, 0, 0), &[]);
    l.expect("events.csv", (3, 2, 1, 0), &[
        "events.csv:2 warning after_as_of date: 1 event is dated after the as-of date 23/11/2026 (this one, dated 01/06/2030); it was kept, but lists drawn up as of 23/11/2026 do not count it",
        "events.csv:4 error invalid_date date: date: '2101-01-01' has an implausible year 2101 (expected 1880–2100)",
    ]);
    assert_eq!(l.events(), ["P1:2", "P2:0", "P3:0"]);
    assert_eq!(l.values(), ["30", "31"]);
}

#[test]
fn events_after_as_of_case() {
    let l = events_after_as_of();
    l.expect("patients.csv", (2, 2, 0, 0), &[]);
    // One warning for the file: how many, and the first line; the day itself is not after.
    l.expect("events.csv", (6, 6, 0, 0), &[
        "events.csv:4 warning after_as_of date: 3 events are dated after the as-of date 23/11/2026, the first on this line (dated 24/11/2026); they were kept, but lists drawn up as of 23/11/2026 do not count them",
    ]);
    assert_eq!(l.events(), ["P1:3", "P2:3"]);
    assert_eq!(l.values(), ["31", "30", "29", "27", "25", "26"]);
    // Drawn up as of a later date, only the one after that is counted.
    let later = as_of(events_after_as_of_read(), "2027-12-31");
    assert_eq!(later.diagnostics("events.csv"), [
        "events.csv:6 warning after_as_of date: 1 event is dated after the as-of date 31/12/2027 (this one, dated 01/01/2031); it was kept, but lists drawn up as of 31/12/2027 do not count it",
    ]);
    assert!(as_of(events_after_as_of_read(), "2031-01-01").diagnostics("events.csv").is_empty());
}

#[test]
fn fhir_after_as_of_case() {
    let l = fhir_after_as_of();
    // The Observation on line 1 waited for its Patient (line 2): it is still the first line named.
    l.expect("after.ndjson", (4, 4, 0, 0), &[
        "after.ndjson:1 warning after_as_of -: 2 events are dated after the as-of date 23/11/2026, the first on this line (dated 01/01/2030); they were kept, but lists drawn up as of 23/11/2026 do not count them",
    ]);
    assert_eq!(l.events(), ["f1:3"]);
}

#[test]
fn before_birth_case() {
    let l = before_birth();
    l.expect("patients.csv", (3, 2, 1, 0), &[
        "patients.csv:2 warning registered_before_birth registered_date: registered_date 01/01/1960 is before date_of_birth 01/02/1970; kept",
        "patients.csv:3 error death_before_birth date_of_death: date_of_death '1979-01-01' is before date_of_birth '1980-03-04'",
    ]);
    l.expect("events.csv", (2, 2, 0, 0), &[
        "events.csv:2 warning event_before_birth date: event dated 01/06/1969 is before the patient's date of birth 01/02/1970; kept",
    ]);
    assert_eq!(l.events(), ["P1:2", "P3:0"]);
    assert_eq!(l.values(), ["31", "30"]);
}

#[test]
fn duplicate_ids_case() {
    let l = duplicate_ids();
    l.expect(
        "patients.csv",
        (3, 2, 1, 0),
        &["patients.csv:4 error duplicate_patient_id patient_id: duplicate patient_id (first seen on line 2)"],
    );
    l.expect("events.csv", (2, 2, 0, 0), &[]);
    assert_eq!(l.events(), ["P1:1", "P2:1"]);
    assert_eq!(l.values(), ["31.2", "27"]);
}

#[test]
fn unknown_patient_case() {
    let l = unknown_patient();
    l.expect("patients.csv", (2, 2, 0, 0), &[]);
    l.expect(
        "events.csv",
        (3, 2, 1, 0),
        &["events.csv:3 error unknown_patient patient_id: patient_id not found in the patients file"],
    );
    assert_eq!(l.events(), ["P1:1", "P2:1"]);
    assert_eq!(l.values(), ["31", "25"]);
}

#[test]
fn rejected_patient_case() {
    let l = rejected_patient();
    l.expect("patients.csv", (2, 1, 1, 0), &[
        "patients.csv:3 error invalid_date date_of_birth: date_of_birth: 'not known' is not a valid date (expected dd/mm/yyyy, yyyy-mm-dd or d-Mon-yyyy)",
    ]);
    l.expect("events.csv", (2, 1, 1, 0), &[
        "events.csv:3 error unknown_patient patient_id: patient_id's row in the patients file was rejected (see the patients file report)",
    ]);
    assert_eq!(l.events(), ["P1:1"]);
    assert_eq!(l.values(), ["31"]);
}

#[test]
fn non_numeric_case() {
    let l = non_numeric();
    l.expect("patients.csv", (2, 2, 0, 0), &[]);
    l.expect("events.csv", (4, 4, 0, 0), &[
        "events.csv:2 warning invalid_value value: value 'thirty' is not a number; the value was dropped, the event kept",
        "events.csv:3 warning invalid_value value: value '<140' is not a number; the value was dropped, the event kept",
        "events.csv:4 warning invalid_value value: value 'NaN' is not a finite number; the value was dropped, the event kept",
    ]);
    assert_eq!(l.events(), ["P1:2", "P2:2"]);
    assert_eq!(l.values(), ["-", "-", "-", "27"]);
}

#[test]
fn impossible_bp_case() {
    let l = impossible_bp();
    l.expect("patients.csv", (2, 2, 0, 0), &[]);
    l.expect("events.csv", (4, 4, 0, 0), &[
        "events.csv:2 warning implausible_value value: systolic blood pressure 400 is outside the plausible range 50–300 mmHg; the value was dropped, the event kept",
        "events.csv:3 warning implausible_value value: diastolic blood pressure 20 is outside the plausible range 30–200 mmHg; the value was dropped, the event kept",
    ]);
    assert_eq!(l.events(), ["P1:2", "P2:2"]);
    assert_eq!(l.values(), ["-", "-", "82", "128"]);
}

#[test]
fn impossible_bmi_case() {
    let l = impossible_bmi();
    l.expect("patients.csv", (2, 2, 0, 0), &[]);
    l.expect("events.csv", (3, 3, 0, 0), &[
        "events.csv:2 warning implausible_value value: BMI 0 is outside the plausible range 10–100 kg/m2; the value was dropped, the event kept",
        "events.csv:3 warning implausible_value value: BMI 500 is outside the plausible range 10–100 kg/m2; the value was dropped, the event kept",
    ]);
    assert_eq!(l.events(), ["P1:2", "P2:1"]);
    assert_eq!(l.values(), ["-", "-", "27"]);
}

#[test]
fn impossible_age_case() {
    let l = impossible_age();
    l.expect("patients.csv", (3, 2, 1, 0), &[
        "patients.csv:3 warning implausible_age date_of_birth: date of birth 01/01/1880 with no date of death would make this person over 120 years old (born before 1901); kept, but every age-based rule reads it: check the record",
        "patients.csv:4 error invalid_date date_of_birth: date_of_birth: '01/01/1850' has an implausible year 1850 (expected 1880–2100)",
    ]);
    l.expect("events.csv", (2, 2, 0, 0), &[]);
    assert_eq!(l.events(), ["P1:1", "P2:1"]);
    assert_eq!(l.values(), ["31.2", "27"]);
}

#[test]
fn blank_required_case() {
    let l = blank_required();
    l.expect(
        "patients.csv",
        (4, 2, 2, 0),
        &[
            "patients.csv:3 error missing_patient_id patient_id: patient_id is blank",
            "patients.csv:4 error missing_date_of_birth date_of_birth: date_of_birth is blank",
        ],
    );
    l.expect(
        "events.csv",
        (4, 1, 3, 0),
        &[
            "events.csv:2 error missing_patient_id patient_id: patient_id is blank",
            "events.csv:3 error missing_code code: code is blank",
            "events.csv:4 error missing_date date: date is blank",
        ],
    );
    assert_eq!(l.events(), ["P1:0", "P2:1"]);
    assert_eq!(l.values(), ["27"]);
}

#[test]
fn unknown_code_system_case() {
    let l = unknown_code_system();
    l.expect("patients.csv", (2, 2, 0, 0), &[]);
    l.expect("events.csv", (3, 3, 0, 0), &[
        "events.csv:2 warning unknown_code_system code_system: code system 'snowmed' is not recognised (expected SNOMED CT, dm+d, Read v2 or CTV3); treated as SNOMED CT",
        "events.csv:3 warning unknown_code_system code_system: code system 'ICD-10' is not recognised (expected SNOMED CT, dm+d, Read v2 or CTV3); treated as SNOMED CT",
    ]);
    assert_eq!(l.events(), ["P1:1", "P2:2"]);
    assert_eq!(l.values(), ["31", "27", "-"]);
}

#[test]
fn lone_cr_case() {
    let l = lone_cr();
    l.expect("patients.csv", (2, 2, 0, 0), &[]);
    l.expect("events.csv", (2, 2, 0, 0), &[]);
    assert_eq!(l.events(), ["P1:1", "P2:1"]);
    assert_eq!(l.values(), ["31.2", "27"]);
}

#[test]
fn trailing_blank_case() {
    let l = trailing_blank();
    l.expect("patients.csv", (2, 2, 0, 0), &[]);
    l.expect("events.csv", (2, 2, 0, 0), &[]);
    assert_eq!(l.events(), ["P1:1", "P2:1"]);
    assert_eq!(l.values(), ["31.2", "27"]);
}

#[test]
fn extra_missing_cells_case() {
    let l = extra_missing_cells();
    l.expect("patients.csv", (3, 2, 1, 0), &[
        "patients.csv:3 error missing_date_of_birth date_of_birth: date_of_birth is blank",
        "patients.csv:4 warning extra_cells -: the row has 7 cells but the header 5; the cells beyond the header's were not read",
    ]);
    l.expect("events.csv", (2, 1, 1, 0), &[
        "events.csv:3 error unknown_patient patient_id: patient_id's row in the patients file was rejected (see the patients file report)",
    ]);
    assert_eq!(l.events(), ["P1:1", "P3:0"]);
    assert_eq!(l.values(), ["31.2"]);
}

#[test]
fn missing_column_case() {
    let l = missing_column();
    l.expect("patients.csv", (2, 0, 2, 0), &[
        "patients.csv:1 error missing_column date_of_birth: required column 'date_of_birth' not found, so no rows were loaded (headers found: 'patient_id', 'sex', 'name')",
    ]);
    l.expect(
        "events.csv",
        (2, 0, 2, 0),
        &[
            "events.csv:2 error unknown_patient patient_id: patient_id not found in the patients file",
            "events.csv:3 error unknown_patient patient_id: patient_id not found in the patients file",
        ],
    );
    assert!(l.events().is_empty());
    assert!(l.values().is_empty());
}

#[test]
fn missing_events_column_case() {
    let l = missing_events_column();
    l.expect("patients.csv", (2, 2, 0, 0), &[]);
    l.expect("events.csv", (1, 0, 1, 0), &[
        "events.csv:1 error missing_column date: required column 'date' not found, so no rows were loaded (headers found: 'patient_id', 'code', 'value')",
    ]);
    assert_eq!(l.events(), ["P1:0", "P2:0"]);
    assert!(l.values().is_empty());
}

#[test]
fn odd_header_case() {
    let l = odd_header();
    l.expect("patients.csv", (2, 2, 0, 0), &[
        "patients.csv:3 warning invalid_nhs_number nhs no: the NHS number is not valid (its check digit does not match); kept and marked invalid",
    ]);
    l.expect("events.csv", (2, 2, 0, 0), &[]);
    assert_eq!(l.events(), ["P1:1", "P2:1"]);
    assert_eq!(l.values(), ["31.2", "27"]);
}

#[test]
fn nhs_number_case() {
    let l = nhs_number();
    l.expect("patients.csv", (4, 4, 0, 0), &[
        "patients.csv:3 warning invalid_nhs_number nhs_number: the NHS number is not valid (its check digit does not match); kept and marked invalid",
        "patients.csv:4 warning invalid_nhs_number nhs_number: the NHS number is not valid (it is not 10 digits long); kept and marked invalid",
        "patients.csv:5 warning invalid_nhs_number nhs_number: the NHS number is not valid (all its digits are the same); kept and marked invalid",
    ]);
    l.expect("events.csv", (2, 2, 0, 0), &[]);
    assert_eq!(l.events(), ["P1:1", "P2:1", "P3:0", "P4:0"]);
    assert_eq!(l.values(), ["31.2", "27"]);
}

#[test]
fn fhir_not_fhir_case() {
    let l = fhir_not_fhir();
    l.expect(
        "hello.json",
        (1, 0, 1, 0),
        &["hello.json:1 error missing_resource_type -: the JSON object has no resourceType"],
    );
    assert!(l.events().is_empty());
    assert!(l.values().is_empty());
}

#[test]
fn fhir_array_case() {
    let l = fhir_array();
    l.expect("array.json", (0, 0, 0, 0), &[
        "array.json:1 error not_fhir -: not FHIR: invalid type: sequence, expected a FHIR resource or Bundle (a JSON object); nothing after this point was read",
    ]);
    assert!(l.events().is_empty());
    assert!(l.values().is_empty());
}

#[test]
fn fhir_number_case() {
    let l = fhir_number();
    l.expect("number.json", (0, 0, 0, 0), &[
        "number.json:1 error not_fhir -: not FHIR: invalid type: integer `42`, expected a FHIR resource or Bundle (a JSON object); nothing after this point was read",
    ]);
    assert!(l.events().is_empty());
    assert!(l.values().is_empty());
}

#[test]
fn fhir_empty_case() {
    let l = fhir_empty();
    l.expect("empty.json", (0, 0, 0, 0), &[
        "empty.json:1 error empty_file -: the file is empty: expected a FHIR resource, a Bundle or NDJSON (one resource a line)",
    ]);
    assert!(l.events().is_empty());
    assert!(l.values().is_empty());
}

#[test]
fn fhir_bundle_syntax_case() {
    let l = fhir_bundle_syntax();
    l.expect("bundle.json", (2, 2, 0, 0), &[
        "bundle.json:9 error malformed_json -: malformed JSON: key must be a string; the entries before this point were loaded, none after",
    ]);
    assert_eq!(l.events(), ["b1:1"]);
    assert_eq!(l.values(), ["31.2"]);
}

#[test]
fn fhir_truncated_case() {
    let l = fhir_truncated();
    l.expect("truncated.ndjson", (2, 2, 0, 0), &[
        "truncated.ndjson:3 error truncated_json -: the JSON ends early (truncated file?): EOF while parsing a string; this line was not read, the next lines were",
    ]);
    assert_eq!(l.events(), ["t1:0", "t2:0"]);
    assert!(l.values().is_empty());
}

#[test]
fn fhir_one_bad_line_case() {
    let l = fhir_one_bad_line();
    l.expect("one_bad_line.ndjson", (4, 4, 0, 0), &[
        "one_bad_line.ndjson:4 error malformed_json -: malformed JSON: expected `,` or `}`; this line was not read, the next lines were",
    ]);
    assert_eq!(l.events(), ["n1:1", "n2:1"]);
    assert_eq!(l.values(), ["31.2", "27"]);
}

#[test]
fn fhir_no_patient_case() {
    let l = fhir_no_patient();
    l.expect("no_patient.ndjson", (4, 2, 2, 0), &[
        "no_patient.ndjson:2 error unknown_patient Observation.subject: Observation has no subject (patient reference)",
        "no_patient.ndjson:3 error unknown_patient Condition.subject: Condition has a subject with neither a reference nor an NHS number identifier",
    ]);
    assert_eq!(l.events(), ["r1:1"]);
    assert_eq!(l.values(), ["27"]);
}

#[test]
fn fhir_no_birth_date_case() {
    let l = fhir_no_birth_date();
    l.expect("no_birth_date.ndjson", (5, 2, 3, 0), &[
        "no_birth_date.ndjson:2 error missing_date_of_birth Patient.birthDate: Patient has no birthDate",
        "no_birth_date.ndjson:3 error invalid_date Patient.birthDate: birthDate: '1980' is a partial date; a full date (yyyy-mm-dd) is needed",
        "no_birth_date.ndjson:4 error unknown_patient -: Observation's Patient was rejected (see its report)",
    ]);
    assert_eq!(l.events(), ["d1:1"]);
    assert_eq!(l.values(), ["31.2"]);
}

#[test]
fn fhir_implausible_case() {
    let l = fhir_implausible();
    l.expect("implausible.ndjson", (3, 3, 0, 0), &[
        "implausible.ndjson:2 warning implausible_value Observation.value: BMI 500 is outside the plausible range 10–100 kg/m2; the value was dropped, the event kept",
        "implausible.ndjson:3 warning implausible_value Observation.value: systolic blood pressure 400 is outside the plausible range 50–300 mmHg; the value was dropped, the event kept",
        "implausible.ndjson:3 warning implausible_value Observation.value: diastolic blood pressure 20 is outside the plausible range 30–200 mmHg; the value was dropped, the event kept",
    ]);
    assert_eq!(l.events(), ["v1:3"]);
    assert_eq!(l.values(), ["-", "-", "-"]);
}

#[test]
fn gzip_corrupt_case() {
    let l = gzip_corrupt();
    l.expect("corrupt.ndjson.gz", (0, 0, 0, 0), &[
        "corrupt.ndjson.gz:1 error read_error -: the file could not be read: corrupt.ndjson.gz is not valid gzip: its compressed data is damaged (corrupt gzip stream does not have a matching checksum)",
    ]);
    assert!(l.events().is_empty());
    assert!(l.values().is_empty());
}

#[test]
fn gzip_truncated_case() {
    let l = gzip_truncated();
    l.expect("truncated.ndjson.gz", (0, 0, 0, 0), &[
        "truncated.ndjson.gz:1 error read_error -: the file could not be read: truncated.ndjson.gz ends early: its gzip data stops before the end (incomplete deflate stream); the file was cut short, or not copied whole",
    ]);
    assert!(l.events().is_empty());
    assert!(l.values().is_empty());
}

#[test]
fn gzip_truncated_late_case() {
    let l = gzip_truncated_late();
    // Every whole line before the cut is read; the line the cut falls in, and everything after, is not.
    l.expect("cut.ndjson.gz", (2974, 2974, 0, 0), &[
        "cut.ndjson.gz:2975 error read_error -: the file could not be read: cut.ndjson.gz ends early: its gzip data stops before the end (incomplete deflate stream); the file was cut short, or not copied whole; the lines before it were read, nothing from here on",
    ]);
    assert_eq!(l.pop.patients.len(), 1487);
    assert_eq!(l.pop.events.len(), 1487);
    assert_eq!(l.file("cut.ndjson.gz").fhir.as_ref().map(|f| f.gzip), Some(true));
}

#[test]
fn gzip_bad_header_case() {
    let l = gzip_bad_header();
    l.expect("header.json.gz", (0, 0, 0, 0), &[
        "header.json.gz:1 error read_error -: the file could not be read: header.json.gz is not valid gzip: its compressed data is damaged (invalid gzip header)",
    ]);
    assert!(l.events().is_empty());
}

#[test]
fn gzip_bundle_truncated_case() {
    let l = gzip_bundle_truncated();
    l.expect("bundle.json.gz", (0, 0, 0, 0), &[
        "bundle.json.gz:1 error read_error -: the file could not be read: bundle.json.gz ends early: its gzip data stops before the end (incomplete deflate stream); the file was cut short, or not copied whole",
    ]);
    assert!(l.events().is_empty());
}

#[test]
fn wide_missing_column_case() {
    let l = wide_missing_column();
    l.expect("report.csv", (3, 3, 0, 0), &[
        "report.csv:3 warning implausible_value Latest BP value: systolic blood pressure 400 is outside the plausible range 50–300 mmHg; the value was dropped, the event kept",
        "report.csv:3 warning implausible_value Latest BP value: diastolic blood pressure 20 is outside the plausible range 30–200 mmHg; the value was dropped, the event kept",
        "report.csv:3 warning invalid_flag On SMI register: 'perhaps' is not yes or no (nor a date) for Psychosis, schizophrenia, bipolar disorder (MH_COD); nothing was recorded from it",
        "report.csv:1 warning mapped_column_not_found -: the mapping profile names 'Latest BMI date' (bmi date), but the file has no such column",
    ]);
    assert_eq!(l.events(), ["W1:3", "W2:2", "W3:0"]);
    assert_eq!(l.values(), ["91", "142", "-", "-", "-"]);
}

/// Rows generated on the fly: the header, then `rows` events, one in
/// every 100 for patient P1 (kept) and the others for an id no patients
/// file has (rejected, and counted once the 200 shown are reached).
struct Generated {
    rows: u64,
    next: u64,
    pending: Vec<u8>,
    at: usize,
}

impl Generated {
    fn new(rows: u64) -> Generated {
        Generated { rows, next: 0, pending: b"patient_id,code,date,value\n".to_vec(), at: 0 }
    }
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.pending.len() {
            if self.next == self.rows {
                return Ok(0);
            }
            self.pending.clear();
            self.at = 0;
            // A few thousand rows at a time.
            while self.next < self.rows && self.pending.len() < 1 << 16 {
                let id = if self.next % 100 == 0 { "P1" } else { "NOT-IN-THE-PATIENTS-FILE" };
                writeln!(self.pending, "{id},60621009,2026-06-01,31.2").unwrap();
                self.next += 1;
            }
        }
        let n = buf.len().min(self.pending.len() - self.at);
        buf[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// The process's peak resident memory, from /proc (Linux only).
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
}

/// A file larger than memory allows, simulated: 10 million generated rows
/// (about 450 MB) are never held, only the events kept (one row in 100, 24
/// bytes each). The loader reads through a 64 KB buffer, so memory grows
/// with what is kept, not with the file: a 2 GB file of this shape would
/// need the same buffers and 4.5 times the events. Peak memory for the
/// whole test process must stay under 160 MB, a third of the stream.
#[test]
fn a_stream_larger_than_memory_is_read_with_bounded_memory() {
    const ROWS: u64 = 10_000_000;
    let mut loader = engine().loader(ColumnMapping::default());
    loader.load_patients("patients.csv", PATIENTS.as_bytes());
    loader.load_events("stream.csv", Generated::new(ROWS));
    let (pop, files) = loader.finish();
    let l = Loaded { files, pop, focus: "stream.csv" };
    assert_eq!(l.counts("stream.csv"), (ROWS, ROWS / 100, ROWS - ROWS / 100, 0));
    let f = l.file("stream.csv");
    assert_eq!(f.diagnostics.len(), 200);
    assert_eq!(f.diagnostics_not_shown, ROWS - ROWS / 100 - 200);
    assert_eq!(f.by_kind["unknown_patient"], ROWS - ROWS / 100);
    assert_eq!(
        show(&f.diagnostics[0]),
        "stream.csv:3 error unknown_patient patient_id: patient_id not found in the patients file"
    );
    assert_eq!(f.diagnostics[199].line, 204);
    assert_eq!(l.events(), ["P1:100000", "P2:0"]);
    if let Some(peak) = peak_rss_bytes() {
        assert!(peak < 160 << 20, "peak memory {} MB", peak >> 20);
    }
}

/// The corpus as the issue note's table: case, what the file report says,
/// and the rows kept.
#[test]
fn bad_input_table() {
    println!("| case | message shown (file:line: message) | rows kept (accepted/read) |");
    println!("|---|---|---|");
    for (_, label, case) in CASES {
        let l = case();
        let f = l.file(l.focus);
        let messages: Vec<String> = f
            .diagnostics
            .iter()
            .map(|d| format!("`{}:{}`: {} ({})", d.file, d.line, d.message.replace('|', "\\|"), d.kind))
            .collect();
        let messages = if messages.is_empty() { "none".to_string() } else { messages.join("<br>") };
        let skipped = f.fhir.as_ref().map_or(String::new(), |x| format!(", {} skipped", x.skipped));
        println!("| {label} | {messages} | {}/{}{skipped} |", f.accepted, f.read);
    }
    // The stream larger than memory, shorter here: its own test reads 10 million rows.
    const ROWS: u64 = 1_000_000;
    let mut loader = engine().loader(ColumnMapping::default());
    loader.load_patients("patients.csv", PATIENTS.as_bytes());
    loader.load_events("stream.csv", Generated::new(ROWS));
    let (_, files) = loader.finish();
    let f = files.iter().find(|f| f.file == "stream.csv").unwrap();
    let d = &f.diagnostics[0];
    println!(
        "| A stream larger than memory allows (here {ROWS} generated rows, 99 in 100 for an unknown patient; \
         10 million, in bounded memory, in its own test) | `{}:{}`: {} ({}), and {} more; {} not shown | {}/{} |",
        d.file,
        d.line,
        d.message,
        d.kind,
        f.diagnostics.len() - 1,
        f.diagnostics_not_shown,
        f.accepted,
        f.read
    );
}
