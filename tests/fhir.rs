//! FHIR input: a hand-built corpus of ten people in every shape (a UK
//! Core transaction Bundle, an international collection Bundle, bulk
//! NDJSON one file a type, mixed NDJSON with Observations before their
//! Patients, a gzipped copy), the same people as CSV, and broken files.
//! The cohorts drawn from FHIR must be the cohorts drawn from the CSV.

use cohort_finder::codes::Clusters;
use cohort_finder::ingest::{ColumnMapping, FileReport, Loader, ResourceCounts, Severity};
use cohort_finder::model::Population;
use cohort_finder::report::{MemberReport, Report};
use cohort_finder::synth::{self, fhir as synth_fhir, Deprivation, SynthConfig};
use cohort_finder::{Engine, EngineConfig};
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fhir/");
const AS_OF: &str = "2026-11-23";

fn read(path: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}{path}")).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn engine() -> Engine {
    Engine::new(&EngineConfig::default()).unwrap()
}

/// Every FHIR file of the corpus, in the order the CLI walks a folder.
const CORPUS: [&str; 8] = [
    "bulk/AllergyIntolerance.ndjson",
    "bulk/Condition.ndjson",
    "bulk/MedicationRequest.ndjson",
    "bulk/Observation.ndjson",
    "bulk/Patient.ndjson",
    "international_bundle.json",
    "mixed.ndjson",
    "uk_core_bundle.json",
];

fn load_fhir(engine: &Engine, files: &[&str]) -> (Population, Vec<FileReport>) {
    let mut loader = engine.loader(ColumnMapping::default());
    for f in files {
        loader.load_fhir(f, &read(f)[..]);
    }
    loader.finish()
}

fn load_csv(engine: &Engine) -> (Population, Vec<FileReport>) {
    let mut loader = engine.loader(ColumnMapping::default());
    loader.load_patients("patients.csv", &read("csv/patients.csv")[..]);
    loader.load_events("events.csv", &read("csv/events.csv")[..]);
    loader.finish()
}

fn report(engine: &Engine, loaded: (Population, Vec<FileReport>)) -> Report {
    engine.report(&loaded.0, loaded.1, AS_OF.parse().unwrap())
}

/// The report as JSON without the input section, and with the unmapped
/// codes' systems left out (a CSV file cannot name LOINC or RxNorm).
fn comparable(report: &Report) -> Value {
    let mut v = serde_json::to_value(report).unwrap();
    v.as_object_mut().unwrap().remove("input");
    for code in v["unmapped_codes"]["shown"].as_array_mut().unwrap() {
        code.as_object_mut().unwrap().remove("system");
    }
    v
}

fn member<'r>(report: &'r Report, cohort: &str, id: &str) -> Option<&'r MemberReport> {
    let c = &report.cohorts.0.iter().find(|(k, _)| k == cohort).unwrap_or_else(|| panic!("no cohort {cohort}")).1;
    c.members.iter().find(|m| m.patient_id == id)
}

fn members(report: &Report, cohort: &str) -> Vec<String> {
    let c = &report.cohorts.0.iter().find(|(k, _)| k == cohort).unwrap().1;
    c.members.iter().map(|m| m.patient_id.clone()).collect()
}

fn file<'f>(files: &'f [FileReport], name: &str) -> &'f FileReport {
    files.iter().find(|f| f.file == name).unwrap_or_else(|| panic!("no report for {name}"))
}

#[test]
fn the_fhir_corpus_gives_the_cohorts_its_csv_twin_gives() {
    let engine = engine();
    let fhir = report(&engine, load_fhir(&engine, &CORPUS));
    let csv = report(&engine, load_csv(&engine));
    assert_eq!(fhir.population.loaded, 10);
    let (a, b) = (comparable(&fhir), comparable(&csv));
    for key in a.as_object().unwrap().keys() {
        assert!(a[key] == b[key], "'{key}' differs between FHIR and CSV:\nFHIR {}\nCSV  {}", a[key], b[key]);
    }
    assert_eq!(a, b);
}

#[test]
fn hand_checked_cohorts() {
    let engine = engine();
    let r = report(&engine, load_fhir(&engine, &CORPUS));

    // uk-a: on the SMI register, missing BMI and cholesterol only.
    assert_eq!(members(&r, "smi_register"), ["bulk-g", "bulk-h", "int-e", "uk-a"]);
    let a = member(&r, "smi_health_checks", "uk-a").expect("uk-a is missing checks");
    let missing: Vec<&str> = a.checks.iter().filter(|c| !c.done).map(|c| c.id.as_str()).collect();
    assert_eq!(missing, ["bmi", "lipids"]);
    let bp = a.checks.iter().find(|c| c.id == "blood_pressure").unwrap();
    assert_eq!(bp.detail, "done on 10/05/2026");

    // int-e: LOINC and US units, converted; no alcohol recorded.
    let e = member(&r, "smi_health_checks", "int-e").expect("int-e is missing alcohol");
    let check = |id: &str| e.checks.iter().find(|c| c.id == id).unwrap();
    let missing: Vec<&str> = e.checks.iter().filter(|c| !c.done).map(|c| c.id.as_str()).collect();
    assert_eq!(missing, ["alcohol"]);
    // HbA1c 7.0% became 53 mmol/mol (IFCC).
    let hba1c = &check("glucose").record;
    assert_eq!(hba1c.code.as_deref(), Some("999791000000106"));
    assert_eq!(hba1c.term.as_deref(), Some("Haemoglobin A1c level - IFCC standardised"));
    assert_eq!((hba1c.value, hba1c.unit.as_deref()), (Some(53.0), Some("mmol/mol (from %)")));
    // Cholesterol 190 mg/dL became 4.9 mmol/L.
    let lipids = &check("lipids").record;
    assert_eq!(lipids.code.as_deref(), Some("1005671000000105"));
    assert_eq!((lipids.value, lipids.unit.as_deref()), (Some(4.9), Some("mmol/L (from mg/dL)")));
    // The LOINC blood pressure panel's components, mm[Hg] spelt mmHg (the
    // check shows the later-sorting of the two codes recorded that day).
    assert_eq!(check("blood_pressure").record.code.as_deref(), Some("271650006"));
    assert_eq!(check("blood_pressure").record.value, Some(92.0));
    assert_eq!(check("blood_pressure").record.unit.as_deref(), Some("mmHg"));
    // The LOINC smoking answer "Current every day smoker" is SNOMED CT 449868002.
    assert_eq!(check("smoking").record.code.as_deref(), Some("449868002"));
    assert_eq!(check("bmi").record.value, Some(31.2));

    // int-f: schizophrenia coded in ICD-10 only, which maps to nothing.
    assert!(member(&r, "smi_register", "int-f").is_none());
    // bulk-h: on the register through lithium issued in the last 6 months.
    let h = member(&r, "smi_register", "bulk-h").unwrap();
    assert_eq!(h.reasons[0].record.code.as_deref(), Some("39110111000001103"));
    // bulk-g: every check done (the smoking entry was entered in error).
    let g = member(&r, "smi_health_checks", "bulk-g").unwrap();
    assert_eq!(g.checks.iter().filter(|c| !c.done).map(|c| c.id.as_str()).collect::<Vec<_>>(), ["smoking"]);
    // uk-d died in 2025: on no list.
    assert!(r.cohorts.0.iter().all(|(_, c)| c.members.iter().all(|m| m.patient_id != "uk-d")));
    assert_eq!(r.population.deceased, 1);

    // Learning disability: uk-b due; mix-j's Read v2 health check this year.
    assert_eq!(members(&r, "ld_register"), ["mix-j", "uk-b"]);
    assert_eq!(members(&r, "ld_health_check_due"), ["uk-b"]);

    // The unmapped codes: what the rules never saw, and from which system.
    let unmapped: Vec<(&str, &str, u64)> =
        r.unmapped_codes.shown.iter().map(|u| (u.code.as_str(), u.system, u.people)).collect();
    assert_eq!(unmapped, [("ICD-10:F20.9", "ICD-10", 1), ("LOINC:2345-7", "LOINC", 1), ("RxNorm:197361", "RxNorm", 1)]);
    assert_eq!(r.unmapped_codes.shown[1].term.as_deref(), Some("Glucose [Mass/volume] in Serum or Plasma"));
}

#[test]
fn encounters_become_emergency_admissions_and_ae_attendances() {
    let engine = engine();
    let (pop, _) = load_fhir(&engine, &["uk_core_bundle.json"]);
    let c = pop.patients.iter().position(|p| p.id == "uk-c").unwrap() as u32;
    let codes: Vec<(String, String)> = pop
        .event_range(c)
        .map(|i| (pop.events.date[i].to_string(), pop.codes.get(pop.events.code[i]).code.clone()))
        .collect();
    let got: Vec<(&str, &str)> = codes.iter().map(|(d, c)| (d.as_str(), c.as_str())).collect();
    assert_eq!(
        got,
        [
            ("2018-03-01", "38341003"),
            ("2026-06-02", "4525004"),
            ("2026-07-15", "183452005"),
            ("2026-08-01", "271649006"),
            ("2026-08-01", "271650006")
        ]
    );
    let patient = &pop.patients[c as usize];
    assert_eq!(patient.nhs_number.as_deref(), Some("4857773457"));
    assert_eq!(patient.practice_code.as_deref(), Some("Y00001"));
    assert_eq!(patient.name.as_deref(), Some("Cara Cole"));
    assert_eq!(patient.ethnic_category, Some(12));
}

#[test]
fn an_audit_c_score_counts_as_alcohol_and_an_unknown_unit_drops_only_the_value() {
    let engine = engine();
    let (pop, _) = load_fhir(&engine, &["international_bundle.json"]);
    let f = pop.patients.iter().position(|p| p.id == "int-f").unwrap() as u32;
    let events: Vec<(String, Option<f64>, Option<&str>)> = pop
        .event_range(f)
        .map(|i| (pop.codes.get(pop.events.code[i]).code.clone(), pop.events.value(i), pop.unit(i)))
        .collect();
    assert_eq!(
        events,
        [
            ("ICD-10:F20.9".into(), None, None),
            ("1005671000000105".into(), None, None),
            ("160573003".into(), Some(5.0), Some("AUDIT-C score"))
        ]
    );
}

#[test]
fn every_file_reports_what_it_read_and_why_it_skipped_or_rejected() {
    let engine = engine();
    let (_, files) = load_fhir(&engine, &CORPUS);
    for f in &files {
        let fhir = f.fhir.as_ref().unwrap();
        assert_eq!(f.read, f.accepted + f.rejected + fhir.skipped, "{}", f.file);
        assert_eq!(fhir.pending, 0, "{}", f.file);
    }

    let uk = file(&files, "uk_core_bundle.json");
    let fhir = uk.fhir.as_ref().unwrap();
    assert_eq!((fhir.format.as_str(), fhir.bundle_type.as_deref(), fhir.gzip), ("bundle", Some("transaction"), false));
    assert_eq!((uk.read, uk.accepted, uk.rejected, fhir.skipped, fhir.events), (21, 18, 0, 3, 15));
    let skipped: Vec<(&str, u64)> = fhir.skipped_by_reason.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(skipped, [("not_an_emergency", 1), ("not_done", 1), ("unknown_resource_type", 1)]);
    assert_eq!(fhir.resources["Immunization"], ResourceCounts { read: 2, accepted: 1, rejected: 0, skipped: 1 });
    assert_eq!(fhir.resources["AllergyIntolerance"], ResourceCounts { read: 1, accepted: 0, rejected: 0, skipped: 1 });
    assert_eq!(fhir.elements_not_read.get("Patient.address"), Some(&4));
    assert_eq!(fhir.elements_not_read.get("Observation.note"), Some(&1));
    let warnings: Vec<(u64, &str)> = uk.diagnostics.iter().map(|d| (d.line, d.kind)).collect();
    assert_eq!(warnings, [(496, "condition_status_ignored"), (676, "invalid_nhs_number")]);
    assert_eq!(
        uk.diagnostics[0].message,
        "clinicalStatus is 'resolved': the diagnosis is kept and the status ignored \
         (a register ends only with a resolution code)"
    );
    assert_eq!(uk.diagnostics[0].column.as_deref(), Some("Condition.clinicalStatus"));
    assert!(uk.diagnostics.iter().all(|d| !d.message.contains("9990000")), "a message quotes an NHS number");

    // Bulk NDJSON: the Observations waited for Patient.ndjson; one patient never came.
    let obs = file(&files, "bulk/Observation.ndjson");
    let counts = obs.fhir.as_ref().unwrap();
    assert_eq!((obs.read, obs.accepted, obs.rejected, counts.skipped, counts.events), (8, 6, 1, 1, 6));
    assert_eq!(obs.diagnostics.len(), 1);
    let d = &obs.diagnostics[0];
    assert_eq!((d.line, d.kind, d.severity), (8, "unknown_patient", Severity::Error));
    assert_eq!(d.message, "Observation's patient is in none of the files loaded");
    let meds = file(&files, "bulk/MedicationRequest.ndjson");
    assert_eq!((meds.read, meds.accepted, meds.rejected), (2, 1, 1));
    assert_eq!((meds.diagnostics[0].line, meds.diagnostics[0].kind), (2, "medication_reference"));
    assert_eq!(file(&files, "bulk/Patient.ndjson").accepted, 2);

    let intl = file(&files, "international_bundle.json");
    assert_eq!((intl.read, intl.accepted, intl.rejected), (16, 16, 0));
    let w: Vec<(&str, Option<&str>)> = intl.diagnostics.iter().map(|d| (d.kind, d.column.as_deref())).collect();
    assert_eq!(w, [("unknown_unit", Some("Observation.value"))]);
    assert_eq!(
        intl.diagnostics[0].message,
        "LOINC 14647-2 in 'g/L' cannot be converted to mmol/L; the value was dropped, the event kept"
    );
}

#[test]
fn a_gzipped_bundle_reads_as_the_plain_one() {
    let engine = engine();
    let plain = report(&engine, load_fhir(&engine, &["international_bundle.json"]));
    let (pop, files) = {
        let mut loader = engine.loader(ColumnMapping::default());
        loader.load_fhir("international_bundle.json.gz", &read("gz/international_bundle.json.gz")[..]);
        loader.finish()
    };
    let fhir = files[0].fhir.as_ref().unwrap();
    assert!(fhir.gzip);
    assert_eq!((fhir.format.as_str(), files[0].accepted), ("bundle", 16));
    let gz = engine.report(&pop, files, AS_OF.parse().unwrap());
    assert_eq!(comparable(&gz), comparable(&plain));
}

#[test]
fn a_broken_bundle_keeps_the_entries_before_the_error() {
    let engine = engine();
    let (pop, files) = load_fhir(&engine, &["malformed/broken_bundle.json"]);
    assert_eq!(pop.patients.len(), 1);
    let f = &files[0];
    assert_eq!((f.read, f.accepted, f.rejected), (1, 1, 0));
    let d = &f.diagnostics[0];
    assert_eq!((d.line, d.column_number, d.kind), (8, Some(37), "malformed_json"));
    assert_eq!(d.message, "malformed JSON: expected `,` or `}`; the entries before this point were loaded, none after");
}

#[test]
fn truncated_ndjson_loses_only_its_bad_lines() {
    let engine = engine();
    let (pop, files) = load_fhir(&engine, &["malformed/truncated.ndjson"]);
    assert_eq!(pop.patients.len(), 1);
    assert_eq!(pop.events.len(), 1);
    let f = &files[0];
    assert_eq!((f.read, f.accepted, f.rejected), (3, 2, 1));
    let got: Vec<(u64, Option<u64>, &str)> = f.diagnostics.iter().map(|d| (d.line, d.column_number, d.kind)).collect();
    assert_eq!(got, [(3, Some(40), "malformed_json"), (4, None, "invalid_date"), (5, Some(94), "truncated_json")]);
    assert_eq!(
        f.diagnostics[0].message,
        "malformed JSON: expected `,` or `}`; this line was not read, the next lines were"
    );
    assert_eq!(
        f.diagnostics[1].message,
        "effectiveDateTime: '2026-03' is a partial date; a full date (yyyy-mm-dd) is needed"
    );
    assert_eq!(
        f.diagnostics[2].message,
        "the JSON ends early (truncated file?): EOF while parsing a string; this line was not read, the next lines were"
    );
}

/// A synthetic practice (IMD and LSOA blanked: FHIR has no place for them)
/// gives the same report from CSV, from NDJSON and from a Bundle.
#[test]
fn a_synthetic_practice_reads_the_same_as_csv_ndjson_and_a_bundle() {
    let date = AS_OF.parse().unwrap();
    let config = SynthConfig {
        patients: 400,
        seed: 5,
        deprivation: Deprivation::Deprived,
        extract_date: date,
        practice_code: "Y00001".into(),
    };
    let (mut p, mut e) = (Vec::new(), Vec::new());
    synth::generate(&config, &Clusters::builtin(), &mut p, &mut e).unwrap();
    let p = blank_columns(&p, &["imd_decile", "lsoa"]);
    let engine = engine();
    let from = |load: &dyn Fn(&mut Loader)| {
        let mut loader = engine.loader(ColumnMapping::default());
        load(&mut loader);
        let (pop, files) = loader.finish();
        for f in &files {
            assert_eq!(f.rejected, 0, "{}: {:?}", f.file, f.diagnostics);
        }
        comparable(&engine.report(&pop, files, date))
    };
    let csv = from(&|l| {
        l.load_patients("patients.csv", &p[..]);
        l.load_events("events.csv", &e[..]);
    });
    for shape in [synth_fhir::Shape::Ndjson, synth_fhir::Shape::Bundle] {
        let mut out = Vec::new();
        synth_fhir::write(&p, &e, shape, &mut out).unwrap();
        let fhir = from(&|l| {
            l.load_fhir("practice.json", &out[..]);
        });
        assert!(fhir == csv, "{shape:?} differs from the CSV");
    }
}

fn blank_columns(csv_text: &[u8], names: &[&str]) -> Vec<u8> {
    let mut reader = csv::Reader::from_reader(csv_text);
    let header = reader.headers().unwrap().clone();
    let blank: Vec<bool> = header.iter().map(|h| names.contains(&h)).collect();
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    w.write_record(&header).unwrap();
    for row in reader.records() {
        let row = row.unwrap();
        w.write_record(row.iter().zip(&blank).map(|(cell, &b)| if b { "" } else { cell })).unwrap();
    }
    w.into_inner().unwrap()
}
