//! FHIR loading, resource by resource.

use std::sync::Arc;

use serde_json::json;

use crate::codes::Clusters;
use crate::ingest::{ColumnMapping, FileReport, Loader};
use crate::model::{EthnicityGroup, Population, Sex};

fn load(files: &[(&str, String)]) -> (Population, Vec<FileReport>) {
    let mut loader = Loader::new(Arc::new(Clusters::builtin()), ColumnMapping::default());
    for (name, text) in files {
        loader.load_fhir(name, text.as_bytes());
    }
    loader.finish()
}

fn ndjson(resources: &[serde_json::Value]) -> String {
    resources.iter().map(|r| r.to_string() + "\n").collect()
}

fn kinds(report: &FileReport) -> Vec<(u64, &'static str)> {
    report.diagnostics.iter().map(|d| (d.line, d.kind)).collect()
}

fn codes(pop: &Population, patient: u32) -> Vec<String> {
    pop.event_range(patient).map(|i| pop.codes.get(pop.events.code[i]).code.clone()).collect()
}

fn bmi(subject: serde_json::Value) -> serde_json::Value {
    json!({"resourceType": "Observation", "status": "final", "subject": subject, "effectiveDateTime": "2026-01-01",
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "60621009"}]},
        "valueQuantity": {"value": 24.5, "unit": "kg/m2"}})
}

#[test]
fn patient_elements_fill_the_patient() {
    let patient = json!({
        "resourceType": "Patient", "id": "p1",
        "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "943 476 5919"}],
        "name": [{"use": "usual", "text": "Pat"}, {"use": "official", "given": ["Patricia", "Ann"], "family": "Smith"}],
        "gender": "female", "birthDate": "1980-02-29",
        "extension": [
            {"url": "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory",
             "valueCodeableConcept": {"coding": [{"system": "http://snomed.info/sct", "code": "976631000000101"}]}},
            {"url": "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-RegistrationDetails-1",
             "extension": [{"url": "registrationPeriod", "valuePeriod": {"start": "2001-01-01", "end": "2025-06-30"}}]}
        ],
        "managingOrganization": {"identifier": {"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "B82005"}},
        "telecom": [{"system": "phone", "value": "0113 000 0000"}]
    });
    let (pop, files) = load(&[("p.json", patient.to_string())]);
    let p = &pop.patients[0];
    assert_eq!(p.nhs_number.as_deref(), Some("9434765919"));
    assert!(p.nhs_number_valid);
    assert_eq!(p.name.as_deref(), Some("Patricia Ann Smith"));
    assert_eq!((p.sex, p.date_of_birth.to_string()), (Sex::Female, "1980-02-29".into()));
    assert_eq!(p.ethnicity, EthnicityGroup::White);
    assert_eq!(p.registered_date.map(|d| d.to_string()).as_deref(), Some("2001-01-01"));
    assert_eq!(p.deregistered_date.map(|d| d.to_string()).as_deref(), Some("2025-06-30"));
    assert_eq!(p.practice_code.as_deref(), Some("B82005"));
    assert_eq!((p.imd_decile, p.lsoa.as_deref()), (None, None));
    let fhir = files[0].fhir.as_ref().unwrap();
    assert_eq!(fhir.format, "resource");
    assert_eq!(fhir.elements_not_read.keys().collect::<Vec<_>>(), ["Patient.telecom"]);
}

#[test]
fn patients_without_a_birth_date_or_dying_before_birth_are_rejected() {
    let text = ndjson(&[
        json!({"resourceType": "Patient", "id": "a"}),
        json!({"resourceType": "Patient", "id": "b", "birthDate": "1980"}),
        json!({"resourceType": "Patient", "id": "c", "birthDate": "1980-01-01", "deceasedDateTime": "1979-12-31"}),
        json!({"resourceType": "Patient", "id": "d", "birthDate": "1980-01-01", "deceasedBoolean": true, "gender": "x"}),
        json!({"resourceType": "Patient", "id": "d", "birthDate": "1980-01-01"}),
        json!({"resourceType": "Patient", "birthDate": "1980-01-01"}),
    ]);
    let (pop, files) = load(&[("p.ndjson", text)]);
    assert_eq!(pop.patients.len(), 1);
    assert_eq!(pop.patients[0].date_of_death, Some(pop.patients[0].date_of_birth));
    assert_eq!(
        kinds(&files[0]),
        [
            (1, "missing_date_of_birth"),
            (2, "invalid_date"),
            (3, "death_before_birth"),
            (4, "deceased_without_date"),
            (4, "unknown_sex"),
            (5, "duplicate_patient_id"),
            (6, "missing_patient_id"),
        ]
    );
    assert_eq!(files[0].diagnostics[5].message, "duplicate Patient id (first seen on line 4)");
    assert_eq!((files[0].read, files[0].accepted, files[0].rejected), (6, 1, 5));
}

#[test]
fn references_by_id_url_uuid_and_nhs_number_all_find_the_patient() {
    let bundle = json!({"resourceType": "Bundle", "type": "searchset", "entry": [
        {"fullUrl": "urn:uuid:abc", "resource": {"resourceType": "Patient", "id": "p1", "birthDate": "1970-01-01",
            "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}]}},
        {"resource": bmi(json!({"reference": "Patient/p1"}))},
        {"resource": bmi(json!({"reference": "https://example.org/fhir/Patient/p1/_history/2"}))},
        {"resource": bmi(json!({"reference": "urn:uuid:abc"}))},
        {"resource": bmi(json!({"identifier": {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}}))},
        {"resource": bmi(json!({"reference": "#contained"}))},
        {"resource": bmi(json!({"reference": "Group/1"}))},
        {"resource": bmi(json!({"display": "someone"}))}
    ]});
    let (pop, files) = load(&[("b.json", serde_json::to_string_pretty(&bundle).unwrap())]);
    assert_eq!(pop.events.len(), 4);
    let f = &files[0];
    assert_eq!(f.fhir.as_ref().unwrap().bundle_type.as_deref(), Some("searchset"));
    assert_eq!((f.read, f.accepted, f.rejected), (8, 5, 3));
    let messages: Vec<&str> = f.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "Observation refers to a contained patient, which is not read",
            "Observation has a subject reference that is not to a Patient",
            "Observation has a subject with neither a reference nor an NHS number identifier"
        ]
    );
}

#[test]
fn resources_before_their_patient_wait_across_files() {
    let first = ndjson(&[bmi(json!({"reference": "Patient/late"})), bmi(json!({"reference": "Patient/never"}))]);
    let second = ndjson(&[json!({"resourceType": "Patient", "id": "late", "birthDate": "2026-06-01"})]);
    let mut loader = Loader::new(Arc::new(Clusters::builtin()), ColumnMapping::default());
    let report = loader.load_fhir("obs.ndjson", first.as_bytes());
    assert_eq!((report.read, report.accepted, report.fhir.as_ref().unwrap().pending), (2, 0, 2));
    loader.load_fhir("pat.ndjson", second.as_bytes());
    let (pop, files) = loader.finish();
    assert_eq!(pop.events.len(), 1);
    let f = &files[0];
    assert_eq!((f.read, f.accepted, f.rejected, f.fhir.as_ref().unwrap().pending), (2, 1, 1, 0));
    assert_eq!(f.fhir.as_ref().unwrap().events, 1);
    // The BMI is dated before the late patient's birth: kept, with a warning.
    assert_eq!(kinds(f), [(1, "event_before_birth"), (2, "unknown_patient")]);
}

#[test]
fn a_bundle_inside_ndjson_is_read_entry_by_entry() {
    let inner = json!({"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": "p1", "birthDate": "1970-01-01"}},
        {"resource": bmi(json!({"reference": "Patient/p1"}))}
    ]});
    let (pop, files) = load(&[("x.ndjson", ndjson(&[inner.clone(), inner]))]);
    assert_eq!((pop.patients.len(), pop.events.len()), (1, 2));
    assert_eq!(kinds(&files[0]), [(2, "duplicate_patient_id")]);
}

#[test]
fn statuses_that_mean_nothing_happened_are_skipped_and_counted() {
    let p = json!({"reference": "Patient/p1"});
    let code = json!({"coding": [{"system": "http://snomed.info/sct", "code": "38341003"}]});
    let text = ndjson(&[
        json!({"resourceType": "Patient", "id": "p1", "birthDate": "1970-01-01"}),
        json!({"resourceType": "Condition", "subject": p, "code": code, "onsetDateTime": "2020-01-01",
            "verificationStatus": {"coding": [{"code": "refuted"}]}}),
        json!({"resourceType": "Condition", "subject": p, "code": code, "onsetDateTime": "2020-01-01",
            "verificationStatus": {"coding": [{"code": "entered-in-error"}]}}),
        json!({"resourceType": "Procedure", "status": "not-done", "subject": p, "code": code, "performedDateTime": "2020-01-01"}),
        json!({"resourceType": "MedicationRequest", "status": "draft", "subject": p,
            "medicationCodeableConcept": code, "authoredOn": "2020-01-01"}),
        json!({"resourceType": "Observation", "status": "final", "subject": p, "code": code,
            "effectiveDateTime": "2020-01-01", "dataAbsentReason": {"coding": [{"code": "not-performed"}]}}),
        json!({"resourceType": "Observation", "status": "final", "subject": p, "effectiveDateTime": "2020-01-01"}),
        json!({"resourceType": "Condition", "subject": p, "code": code}),
        json!({"resourceType": "Flag", "subject": p}),
        json!({"id": "no type"}),
    ]);
    let (pop, files) = load(&[("s.ndjson", text)]);
    assert_eq!(pop.events.len(), 0);
    let f = &files[0];
    let fhir = f.fhir.as_ref().unwrap();
    let skipped: Vec<(&str, u64)> = fhir.skipped_by_reason.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        skipped,
        [
            ("entered_in_error", 1),
            ("no_value", 1),
            ("not_done", 1),
            ("not_issued", 1),
            ("refuted", 1),
            ("unknown_resource_type", 1)
        ]
    );
    assert_eq!(kinds(f), [(7, "missing_code"), (8, "missing_date"), (10, "missing_resource_type")]);
    assert_eq!(f.diagnostics[1].message, "none of onsetDateTime, onsetPeriod, recordedDate is given");
    assert_eq!((f.read, f.accepted, f.rejected, fhir.skipped), (10, 1, 3, 6));
}

#[test]
fn coded_values_components_and_cvx_become_the_clusters_codes() {
    let p = json!({"reference": "Patient/p1"});
    let text = ndjson(&[
        json!({"resourceType": "Patient", "id": "p1", "birthDate": "1970-01-01"}),
        json!({"resourceType": "Observation", "status": "final", "subject": p, "effectiveDateTime": "2026-01-01",
            "code": {"coding": [{"system": "http://loinc.org", "code": "72166-2"}]},
            "valueCodeableConcept": {"coding": [{"system": "http://loinc.org", "code": "LA15920-4", "display": "Former smoker"}]}}),
        json!({"resourceType": "Observation", "status": "final", "subject": p, "effectiveDateTime": "2026-01-02",
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "75367002"}]},
        "component": [
            {"code": {"coding": [{"system": "http://snomed.info/sct", "code": "271649006"}]}, "valueQuantity": {"value": 120, "code": "mm[Hg]"}},
            {"code": {"coding": [{"system": "http://snomed.info/sct", "code": "271650006"}]}, "dataAbsentReason": {"text": "failed"}}
        ]}),
        json!({"resourceType": "Immunization", "status": "completed", "patient": p, "occurrenceDateTime": "2026-01-03",
            "vaccineCode": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "33"}]}}),
        json!({"resourceType": "Immunization", "status": "completed", "patient": p, "occurrenceDateTime": "2026-01-04",
            "vaccineCode": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "999"}]}}),
        json!({"resourceType": "Encounter", "status": "finished", "subject": p, "period": {"start": "2026-01-05"},
            "class": {"code": "IMP"},
            "extension": [{"url": "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-AdmissionMethod",
                "valueCodeableConcept": {"coding": [{"code": "21"}]}}]}),
        json!({"resourceType": "Encounter", "status": "finished", "subject": p, "period": {"start": "2026-01-06"},
            "class": {"code": "AMB"}, "reasonCode": [{"coding": [{"system": "http://snomed.info/sct", "code": "183478001"}]}]}),
    ]);
    let (pop, files) = load(&[("v.ndjson", text)]);
    assert_eq!(codes(&pop, 0), ["8517006", "271649006", "12866006", "CVX:999", "183452005", "183478001"]);
    assert_eq!(pop.unit(1), Some("mmHg"));
    assert_eq!(files[0].rejected, 0);
}

#[test]
fn not_json_at_all_is_one_clear_error() {
    let (pop, files) = load(&[("x.json", "patient_id,date_of_birth\nP1,1980-01-01\n".into())]);
    assert_eq!(pop.patients.len(), 0);
    let d = &files[0].diagnostics[0];
    assert_eq!((d.line, d.column_number, d.kind), (1, Some(1), "malformed_json"));
    assert_eq!(d.message, "malformed JSON: expected value; nothing after this point was read");
}

#[test]
fn fhir_resources_find_patients_from_a_csv_file() {
    let mut loader = Loader::new(Arc::new(Clusters::builtin()), ColumnMapping::default());
    loader.load_patients("patients.csv", &b"patient_id,date_of_birth\nP1,1980-01-01\n"[..]);
    loader.load_fhir("obs.ndjson", ndjson(&[bmi(json!({"reference": "Patient/P1"}))]).as_bytes());
    let (pop, files) = loader.finish();
    assert_eq!(codes(&pop, 0), ["60621009"]);
    assert_eq!((files[1].read, files[1].accepted), (1, 1));
    assert_eq!(pop.events.value(0), Some(24.5));
}
