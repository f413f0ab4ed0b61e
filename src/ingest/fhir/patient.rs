//! Patient: the same checks as a patients-file row, from FHIR elements.
//!
//! - `id` is the patient id (else the Bundle entry's `fullUrl`);
//! - `identifier` with system `https://fhir.nhs.uk/Id/nhs-number`: the NHS
//!   number, with the modulus 11 check;
//! - `birthDate`, `gender`, `deceasedBoolean` / `deceasedDateTime`;
//! - the UK Core ethnic category extension (and the older CareConnect
//!   one): an NHS ethnic category letter, or a SNOMED CT ethnicity code;
//! - the CareConnect GP registration details extension: registered and
//!   deregistered dates;
//! - `generalPractitioner` (else `managingOrganization`) with an ODS code
//!   identifier: the practice code;
//! - `name`, for display only.
//!
//! FHIR has no IMD decile or LSOA: both are left blank.

use chrono::Datelike;
use serde_json::Value;

use crate::model::{Date, EthnicityGroup, Patient, Sex};

use super::super::fields::{self, NhsNumber};
use super::super::ids::MAX_ID_LEN;
use super::super::Seen;
use super::{codes, date, Ctx, Outcome};

/// The top-level elements read.
pub(super) const ELEMENTS: &[&str] = &[
    "identifier",
    "birthDate",
    "gender",
    "deceasedBoolean",
    "deceasedDateTime",
    "extension",
    "generalPractitioner",
    "managingOrganization",
    "name",
];

const ETHNIC_CATEGORY_EXTENSIONS: [&str; 3] = [
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory",
    "https://fhir.hl7.org.uk/STU3/StructureDefinition/CareConnect-EthnicCategory-1",
    "https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-EthnicCategory-1",
];
const REGISTRATION_EXTENSION: &str =
    "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-RegistrationDetails-1";

fn text<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str).map(str::trim).filter(|t| !t.is_empty())
}

fn array<'v>(v: &'v Value, key: &str) -> impl Iterator<Item = &'v Value> {
    v.get(key).and_then(Value::as_array).into_iter().flatten()
}

pub(super) fn load(ctx: &mut Ctx, res: &Value, full_url: Option<&str>, line: u64) -> Outcome {
    let id = match text(res, "id").or(full_url.map(str::trim).filter(|u| !u.is_empty())) {
        Some(id) => id,
        None => {
            ctx.report.error(line, Some("Patient.id"), "missing_patient_id", || "Patient has no id".into());
            return Outcome::Rejected;
        }
    };
    if id.len() > MAX_ID_LEN {
        ctx.report.error(line, Some("Patient.id"), "patient_id_too_long", || {
            format!("Patient.id is longer than {MAX_ID_LEN} bytes")
        });
        return Outcome::Rejected;
    }
    if let Some((first, _)) = ctx.ids.get(id.as_bytes()) {
        let first = ctx.seen[first as usize];
        let where_ = if first.report == ctx.report_index {
            format!("line {}", first.line)
        } else {
            format!("line {} of {}", first.line, ctx.reports[first.report].file)
        };
        ctx.report.error(line, Some("Patient.id"), "duplicate_patient_id", || {
            format!("duplicate Patient id (first seen on {where_})")
        });
        return Outcome::Rejected;
    }
    let Some(patient) = parse(ctx, res, id, line) else {
        ctx.rejected_ids.insert(id.to_owned());
        return Outcome::Rejected;
    };
    let dob = patient.date_of_birth.num_days_from_ce() as u32;
    if ctx.ids.insert(id.as_bytes(), dob).is_err() {
        ctx.report
            .error(line, Some("Patient.id"), "too_many_patients", || "too many patients for one population".into());
        return Outcome::Rejected;
    }
    let index = ctx.builder.patients.len() as u32;
    let aliases = &mut ctx.state.aliases;
    if let Some(url) = full_url.filter(|u| !u.is_empty()) {
        aliases.insert(url.into(), index);
    }
    if let (Some(n), true) = (&patient.nhs_number, patient.nhs_number_valid) {
        // Two patients with one NHS number: a reference by it names neither.
        aliases.entry(format!("nhs:{n}").into()).and_modify(|p| *p = u32::MAX).or_insert(index);
    }
    ctx.seen.push(Seen { report: ctx.report_index, line });
    ctx.builder.patients.push(patient);
    Outcome::Accepted
}

fn parse(ctx: &mut Ctx, res: &Value, id: &str, line: u64) -> Option<Patient> {
    let report = &mut ctx.report;
    let Some(dob_text) = text(res, "birthDate") else {
        report.error(line, Some("Patient.birthDate"), "missing_date_of_birth", || "Patient has no birthDate".into());
        return None;
    };
    let date_of_birth = match date(dob_text) {
        Ok(d) => d,
        Err(e) => {
            report.error(line, Some("Patient.birthDate"), "invalid_date", || format!("birthDate: {e}"));
            return None;
        }
    };
    let mut date_of_death = None;
    if let Some(t) = text(res, "deceasedDateTime") {
        match date(t) {
            Ok(d) if d < date_of_birth => {
                report.error(line, Some("Patient.deceasedDateTime"), "death_before_birth", || {
                    format!("deceasedDateTime '{t}' is before birthDate '{dob_text}'")
                });
                return None;
            }
            Ok(d) => date_of_death = Some(d),
            Err(e) => report.warning(line, Some("Patient.deceasedDateTime"), "invalid_date", || {
                format!("deceasedDateTime: {e}; left blank")
            }),
        }
    } else if res.get("deceasedBoolean").and_then(Value::as_bool) == Some(true) {
        report.warning(line, Some("Patient.deceasedBoolean"), "deceased_without_date", || {
            "deceasedBoolean is true with no date: recorded as died on the date of birth, so on no list".into()
        });
        date_of_death = Some(date_of_birth);
    }

    // From here on the patient is kept.
    if let Some(message) = fields::implausible_birth(date_of_birth, date_of_death) {
        report.warning(line, Some("Patient.birthDate"), "implausible_age", || message);
    }
    let nhs_text = array(res, "identifier")
        .find(|i| text(i, "system") == Some(codes::NHS_NUMBER))
        .and_then(|i| text(i, "value"))
        .unwrap_or_default();
    let nhs = fields::nhs_number_check(nhs_text);
    if let NhsNumber::Invalid { reason, .. } = &nhs {
        report.warning(line, Some("Patient.identifier"), "invalid_nhs_number", || {
            format!("the NHS number is not valid ({reason}); kept and marked invalid")
        });
    }
    let nhs_number_valid = !matches!(nhs, NhsNumber::Invalid { .. });

    let sex = match text(res, "gender") {
        None => Sex::Unknown,
        Some("female") => Sex::Female,
        Some("male") => Sex::Male,
        Some("other" | "unknown") => Sex::Unknown,
        Some(g) => {
            report.warning(line, Some("Patient.gender"), "unknown_sex", || {
                format!(
                    "gender '{}' is not a FHIR administrative gender (male, female, other, unknown); \
                     recorded as not known",
                    fields::shorten(g)
                )
            });
            Sex::Unknown
        }
    };

    let (ethnicity, ethnic_category) = ethnicity(ctx, res, line);
    let (registered_date, deregistered_date) = registration(ctx, res, line);
    let practice_code = array(res, "generalPractitioner")
        .chain(res.get("managingOrganization"))
        .filter_map(|r| r.get("identifier"))
        .find(|i| text(i, "system") == Some(codes::ODS_CODE))
        .and_then(|i| text(i, "value"))
        .map(str::to_owned);
    Some(Patient {
        id: id.to_owned(),
        nhs_number: nhs.into_normalised(),
        nhs_number_valid,
        date_of_birth,
        sex,
        ethnicity,
        ethnic_category,
        imd_decile: None,
        lsoa: None,
        practice_code,
        registered_date,
        deregistered_date,
        date_of_death,
        name: name(res),
    })
}

/// The ethnic category extension: a letter from the NHS ethnic category
/// code system, else a SNOMED CT ethnicity code.
fn ethnicity(ctx: &mut Ctx, res: &Value, line: u64) -> (EthnicityGroup, Option<u8>) {
    let Some(ext) =
        array(res, "extension").find(|e| text(e, "url").is_some_and(|u| ETHNIC_CATEGORY_EXTENSIONS.contains(&u)))
    else {
        return (EthnicityGroup::NotRecorded, None);
    };
    let codings = array(ext.get("valueCodeableConcept").unwrap_or(&Value::Null), "coding");
    let mut seen = None;
    for c in codings {
        let (Some(system), Some(code)) = (text(c, "system"), text(c, "code")) else { continue };
        if system.contains("EthnicCategory") {
            if let Some(group) = EthnicityGroup::from_nhs_category(code) {
                return (group, EthnicityGroup::nhs_category_number(code));
            }
        } else if system == codes::SNOMED {
            if let Some(group) = ctx.clusters.ethnicity_of(code) {
                return (group, ctx.clusters.ethnic_category_of(code));
            }
        }
        seen = Some(code);
    }
    if let Some(code) = seen {
        ctx.report.warning(line, Some("Patient.extension"), "unknown_ethnicity", || {
            format!(
                "ethnic category '{}' is neither an NHS ethnic category (A–Z) nor a known SNOMED CT \
                 ethnicity code; recorded as not recorded",
                fields::shorten(code)
            )
        });
    }
    (EthnicityGroup::NotRecorded, None)
}

/// The GP registration period, if the CareConnect extension gives it.
fn registration(ctx: &mut Ctx, res: &Value, line: u64) -> (Option<Date>, Option<Date>) {
    let Some(ext) = array(res, "extension").find(|e| text(e, "url") == Some(REGISTRATION_EXTENSION)) else {
        return (None, None);
    };
    let Some(period) = array(ext, "extension")
        .find(|e| text(e, "url") == Some("registrationPeriod"))
        .and_then(|e| e.get("valuePeriod"))
    else {
        return (None, None);
    };
    let mut day = |key: &str| {
        let t = text(period, key)?;
        date(t)
            .map_err(|e| {
                ctx.report.warning(line, Some("Patient.extension"), "invalid_date", || {
                    format!("registrationPeriod.{key}: {e}; left blank")
                })
            })
            .ok()
    };
    (day("start"), day("end"))
}

/// The official name (else the first) as "given family", or its text.
fn name(res: &Value) -> Option<String> {
    let names: Vec<&Value> = array(res, "name").collect();
    let n = names.iter().find(|n| text(n, "use") == Some("official")).or(names.first())?;
    if let Some(t) = text(n, "text") {
        return Some(t.to_owned());
    }
    let mut parts: Vec<&str> = array(n, "given").filter_map(Value::as_str).collect();
    parts.extend(text(n, "family"));
    (!parts.is_empty()).then(|| parts.join(" "))
}
