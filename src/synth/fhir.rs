//! A synthetic practice as FHIR R4, for the FHIR benchmark and tests: the
//! patients and events CSV that [`super::generate`] writes, rewritten as
//! UK Core-shaped resources, either bulk-export NDJSON or one collection
//! Bundle.
//!
//! Each patients row is a Patient (NHS number, birth date, gender, ethnic
//! category, GP registration period, date of death, practice, name); each
//! events row one resource: a dm+d code a MedicationRequest, a row with a
//! value an Observation, any other a Condition. IMD decile and LSOA have
//! no place in FHIR and are dropped.

use std::io::{self, Write};

use serde_json::{json, Value};

/// How the resources are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One resource a line, the Patients first.
    Ndjson,
    /// One `collection` Bundle, entries with `urn:uuid` fullUrls.
    Bundle,
}

const ETHNIC_CATEGORY: &str = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory";
const ETHNIC_CATEGORY_SYSTEM: &str = "https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategory";
const REGISTRATION: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-RegistrationDetails-1";

/// Rewrites a synthetic practice's two CSV files as FHIR. Returns the
/// number of resources written.
pub fn write(patients_csv: &[u8], events_csv: &[u8], shape: Shape, mut out: impl Write) -> io::Result<u64> {
    let mut written = 0u64;
    let mut first = true;
    if shape == Shape::Bundle {
        out.write_all(b"{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[\n")?;
    }
    let mut put = |resource: Value, out: &mut dyn Write| -> io::Result<()> {
        match shape {
            Shape::Ndjson => {
                serde_json::to_writer(&mut *out, &resource)?;
                out.write_all(b"\n")?;
            }
            Shape::Bundle => {
                if !first {
                    out.write_all(b",\n")?;
                }
                first = false;
                let url = format!("urn:uuid:00000000-0000-4000-8000-{written:012}");
                serde_json::to_writer(&mut *out, &json!({ "fullUrl": url, "resource": resource }))?;
            }
        }
        written += 1;
        Ok(())
    };

    let mut rows = csv::Reader::from_reader(patients_csv);
    let header = rows.headers()?.clone();
    let col = |name: &str| header.iter().position(|h| h == name);
    let [id, nhs, dob, sex, eth, practice, reg, dereg, death, name] = [
        "patient_id",
        "nhs_number",
        "date_of_birth",
        "sex",
        "ethnicity",
        "practice_code",
        "registered_date",
        "deregistered_date",
        "date_of_death",
        "name",
    ]
    .map(col);
    for row in rows.records() {
        let row = row?;
        let get = |c: Option<usize>| c.and_then(|c| row.get(c)).filter(|t| !t.is_empty());
        let mut p = json!({ "resourceType": "Patient", "id": get(id).unwrap_or_default() });
        if let Some(n) = get(nhs) {
            p["identifier"] = json!([{ "system": "https://fhir.nhs.uk/Id/nhs-number", "value": n }]);
        }
        if let Some(d) = get(dob) {
            p["birthDate"] = json!(d);
        }
        p["gender"] = json!(match get(sex) {
            Some("F") => "female",
            Some("M") => "male",
            _ => "unknown",
        });
        let mut extensions = Vec::new();
        if let Some(e) = get(eth) {
            let system = if e.len() <= 2 { ETHNIC_CATEGORY_SYSTEM } else { "http://snomed.info/sct" };
            extensions.push(json!({ "url": ETHNIC_CATEGORY, "valueCodeableConcept": { "coding": [{ "system": system, "code": e }] } }));
        }
        if get(reg).is_some() || get(dereg).is_some() {
            let mut period = json!({});
            if let Some(d) = get(reg) {
                period["start"] = json!(d);
            }
            if let Some(d) = get(dereg) {
                period["end"] = json!(d);
            }
            extensions.push(
                json!({ "url": REGISTRATION, "extension": [{ "url": "registrationPeriod", "valuePeriod": period }] }),
            );
        }
        if !extensions.is_empty() {
            p["extension"] = Value::Array(extensions);
        }
        if let Some(d) = get(death) {
            p["deceasedDateTime"] = json!(d);
        }
        if let Some(code) = get(practice) {
            p["generalPractitioner"] =
                json!([{ "identifier": { "system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": code } }]);
        }
        if let Some(n) = get(name) {
            p["name"] = json!([{ "use": "official", "text": n }]);
        }
        put(p, &mut out)?;
    }

    let mut rows = csv::Reader::from_reader(events_csv);
    let header = rows.headers()?.clone();
    let col = |name: &str| header.iter().position(|h| h == name);
    let [id, code, date, value, unit, system, term] =
        ["patient_id", "code", "date", "value", "unit", "code_system", "term"].map(col);
    for row in rows.records() {
        let row = row?;
        let get = |c: Option<usize>| c.and_then(|c| row.get(c)).filter(|t| !t.is_empty());
        let subject = json!({ "reference": format!("Patient/{}", get(id).unwrap_or_default()) });
        let coding_system = match get(system) {
            Some("dmd") => "https://dmd.nhs.uk",
            Some("read2") => "http://read.info/readv2",
            Some("ctv3") => "http://read.info/ctv3",
            _ => "http://snomed.info/sct",
        };
        let mut coding = json!({ "system": coding_system, "code": get(code).unwrap_or_default() });
        if let Some(t) = get(term) {
            coding["display"] = json!(t);
        }
        let concept = json!({ "coding": [coding] });
        let day = get(date).unwrap_or_default();
        let resource = match (get(system), get(value).and_then(|v| v.parse::<f64>().ok())) {
            (Some("dmd"), _) => json!({
                "resourceType": "MedicationRequest", "status": "active", "intent": "order",
                "medicationCodeableConcept": concept, "subject": subject, "authoredOn": day,
            }),
            (_, Some(v)) => {
                let mut quantity = json!({ "value": v });
                if let Some(u) = get(unit) {
                    quantity["unit"] = json!(u);
                }
                json!({
                    "resourceType": "Observation", "status": "final", "code": concept, "subject": subject,
                    "effectiveDateTime": day, "valueQuantity": quantity,
                })
            }
            _ => json!({
                "resourceType": "Condition", "code": concept, "subject": subject, "onsetDateTime": day,
            }),
        };
        put(resource, &mut out)?;
    }
    if shape == Shape::Bundle {
        out.write_all(b"\n]}\n")?;
    }
    Ok(written)
}
