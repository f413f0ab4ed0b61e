//! Clinical resources into coded events: one event per code, on the day
//! the resource gives, with its value and unit where it has one.
//!
//! | resource | code | day |
//! |---|---|---|
//! | Condition | `code` | `onsetDateTime`, `onsetPeriod.start`, `recordedDate` |
//! | Observation | `code`; each `component`; a coded value's answer | `effectiveDateTime`, `effectivePeriod.start`, `effectiveInstant`, `issued` |
//! | MedicationRequest | `medicationCodeableConcept` (dm+d) | `authoredOn` |
//! | MedicationStatement | `medicationCodeableConcept` (dm+d) | `effectiveDateTime`, `effectivePeriod.start`, `dateAsserted` |
//! | Immunization | UK Core vaccination procedure, else `vaccineCode` | `occurrenceDateTime` |
//! | Encounter | emergency admission or A&E attendance; clustered `type`/`reasonCode` | `period.start` |
//! | Procedure | `code` | `performedDateTime`, `performedPeriod.start` |
//!
//! A Condition's clinical status is not a resolution: QOF registers end
//! only with a resolution code (HYPRES_COD and the like), which a record
//! holds as its own entry. An inactive, resolved or in-remission Condition
//! is therefore kept as its diagnosis, with a warning saying so.

use serde_json::Value;

use crate::model::Date;

use super::codes::{self, Coding, Mapped, System};
use super::units::{self, Converted};
use super::{date, target, Ctx, Outcome};

/// The clinical resource types read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Condition,
    Observation,
    MedicationRequest,
    MedicationStatement,
    Immunization,
    Encounter,
    Procedure,
}

impl Kind {
    pub fn of(name: &str) -> Option<Kind> {
        Some(match name {
            "Condition" => Kind::Condition,
            "Observation" => Kind::Observation,
            "MedicationRequest" => Kind::MedicationRequest,
            "MedicationStatement" => Kind::MedicationStatement,
            "Immunization" => Kind::Immunization,
            "Encounter" => Kind::Encounter,
            "Procedure" => Kind::Procedure,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Condition => "Condition",
            Kind::Observation => "Observation",
            Kind::MedicationRequest => "MedicationRequest",
            Kind::MedicationStatement => "MedicationStatement",
            Kind::Immunization => "Immunization",
            Kind::Encounter => "Encounter",
            Kind::Procedure => "Procedure",
        }
    }

    /// The top-level elements read.
    pub fn elements(self) -> &'static [&'static str] {
        match self {
            Kind::Condition => &[
                "subject",
                "code",
                "clinicalStatus",
                "verificationStatus",
                "onsetDateTime",
                "onsetPeriod",
                "recordedDate",
                "abatementDateTime",
                "abatementPeriod",
            ],
            Kind::Observation => &[
                "subject",
                "status",
                "code",
                "effectiveDateTime",
                "effectivePeriod",
                "effectiveInstant",
                "issued",
                "valueQuantity",
                "valueCodeableConcept",
                "valueInteger",
                "component",
                "dataAbsentReason",
            ],
            Kind::MedicationRequest => {
                &["subject", "status", "medicationCodeableConcept", "medicationReference", "authoredOn"]
            }
            Kind::MedicationStatement => &[
                "subject",
                "status",
                "medicationCodeableConcept",
                "medicationReference",
                "effectiveDateTime",
                "effectivePeriod",
                "dateAsserted",
            ],
            Kind::Immunization => &["patient", "status", "vaccineCode", "occurrenceDateTime", "extension"],
            Kind::Encounter => &[
                "subject",
                "status",
                "class",
                "type",
                "reasonCode",
                "priority",
                "hospitalization",
                "period",
                "extension",
            ],
            Kind::Procedure => &["subject", "status", "code", "performedDateTime", "performedPeriod"],
        }
    }
}

/// An event with its code interned, before its unit is.
#[derive(Debug, Clone)]
pub(super) struct Draft {
    pub date: Date,
    pub code: u32,
    pub value: Option<f64>,
    pub unit: Option<String>,
}

/// Emergency hospital admission and emergency department patient visit:
/// the codes of the `emergency_admission` and `ae_attendance` clusters
/// (data/codelists/local/), as the CSV records them.
const EMERGENCY_ADMISSION: &str = "183452005";
const AE_ATTENDANCE: &str = "4525004";
const VACCINATION_PROCEDURE: &str = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-VaccinationProcedure";
const ADMISSION_METHOD: &str = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-AdmissionMethod";

fn text<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str).map(str::trim).filter(|t| !t.is_empty())
}

fn array<'v>(v: &'v Value, key: &str) -> impl Iterator<Item = &'v Value> {
    v.get(key).and_then(Value::as_array).into_iter().flatten()
}

/// The first code of a CodeableConcept (or of a Coding).
fn concept_code(v: Option<&Value>) -> Option<&str> {
    let v = v?;
    text(v, "code").or_else(|| array(v, "coding").find_map(|c| text(c, "code")))
}

/// Why a resource is rejected: the diagnostic's kind, the element, the message.
struct Reject(&'static str, &'static str, String);

pub(super) fn load(ctx: &mut Ctx, kind: Kind, res: &Value, line: u64) -> Outcome {
    let status = text(res, "status").unwrap_or_default();
    if status == "entered-in-error" || concept_code(res.get("verificationStatus")) == Some("entered-in-error") {
        return Outcome::Skipped("entered_in_error");
    }
    let skip = match kind {
        Kind::Condition => (concept_code(res.get("verificationStatus")) == Some("refuted")).then_some("refuted"),
        Kind::Observation => (status == "cancelled").then_some("cancelled"),
        Kind::MedicationRequest => matches!(status, "cancelled" | "draft").then_some("not_issued"),
        Kind::MedicationStatement => (status == "not-taken").then_some("not_taken"),
        Kind::Immunization | Kind::Procedure => (status == "not-done").then_some("not_done"),
        Kind::Encounter => matches!(status, "planned" | "cancelled").then_some("planned_or_cancelled"),
    };
    if let Some(why) = skip {
        return Outcome::Skipped(why);
    }
    let (element, subject) =
        if kind == Kind::Immunization { ("patient", res.get("patient")) } else { ("subject", res.get("subject")) };
    let target = match target(subject) {
        Ok(t) => t,
        Err(why) => {
            let element = format!("{}.{element}", kind.name());
            ctx.report.error(line, Some(&element), "unknown_patient", || format!("{} {why}", kind.name()));
            return Outcome::Rejected;
        }
    };
    let mut drafts = Vec::new();
    match build(ctx, kind, res, line, &mut drafts) {
        Ok(()) if drafts.is_empty() => {
            Outcome::Skipped(if kind == Kind::Encounter { "not_an_emergency" } else { "no_value" })
        }
        Ok(()) => ctx.events(kind.name(), target, line, drafts),
        Err(Reject(key, element, message)) => {
            let element = format!("{}.{element}", kind.name());
            ctx.report.error(line, Some(&element), key, || message);
            Outcome::Rejected
        }
    }
}

/// The day a resource happened: the first of `keys` present (a period
/// reads its `start`).
fn day(res: &Value, keys: &[&'static str]) -> Result<Date, Reject> {
    for &key in keys {
        let t = if key.ends_with("Period") || key == "period" {
            res.get(key).and_then(|p| text(p, "start"))
        } else {
            text(res, key)
        };
        if let Some(t) = t {
            return date(t).map_err(|e| Reject("invalid_date", key, format!("{key}: {e}")));
        }
    }
    Err(Reject("missing_date", keys[0], format!("none of {} is given", keys.join(", "))))
}

/// The best coding of a concept, mapped and interned.
fn coded<'v>(ctx: &mut Ctx, concept: Option<&'v Value>, medicine: bool) -> Option<(Coding<'v>, u32)> {
    let c = codes::codings(concept).into_iter().next()?;
    let maps = std::sync::Arc::clone(&ctx.state.maps);
    let id = intern(ctx, &maps.map(&c, medicine));
    Some((c, id))
}

fn intern(ctx: &mut Ctx, m: &Mapped) -> u32 {
    let clusters = ctx.clusters;
    ctx.builder.codes.intern(&m.code, m.system, m.term, |c| clusters.of_code(c))
}

fn no_code(element: &'static str) -> Reject {
    Reject("missing_code", element, format!("{element} has no coding with a code"))
}

fn build(ctx: &mut Ctx, kind: Kind, res: &Value, line: u64, out: &mut Vec<Draft>) -> Result<(), Reject> {
    let single = |date, code| Draft { date, code, value: None, unit: None };
    match kind {
        Kind::Condition => {
            let date = day(res, &["onsetDateTime", "onsetPeriod", "recordedDate"])?;
            let (_, code) = coded(ctx, res.get("code"), false).ok_or_else(|| no_code("code"))?;
            if let Some(status @ ("inactive" | "remission" | "resolved")) = concept_code(res.get("clinicalStatus")) {
                ctx.report.warning(line, Some("Condition.clinicalStatus"), "condition_status_ignored", || {
                    format!(
                        "clinicalStatus is '{status}': the diagnosis is kept and the status ignored \
                         (a register ends only with a resolution code)"
                    )
                });
            }
            out.push(single(date, code));
        }
        Kind::Observation => observation(ctx, res, line, out)?,
        Kind::MedicationRequest | Kind::MedicationStatement => {
            if res.get("medicationCodeableConcept").is_none() && res.get("medicationReference").is_some() {
                return Err(Reject(
                    "medication_reference",
                    "medicationReference",
                    "medicationReference is not followed; only medicationCodeableConcept is read".into(),
                ));
            }
            let keys: &[&'static str] = if kind == Kind::MedicationRequest {
                &["authoredOn"]
            } else {
                &["effectiveDateTime", "effectivePeriod", "dateAsserted"]
            };
            let date = day(res, keys)?;
            let (_, code) = coded(ctx, res.get("medicationCodeableConcept"), true)
                .ok_or_else(|| no_code("medicationCodeableConcept"))?;
            out.push(single(date, code));
        }
        Kind::Immunization => {
            let date = day(res, &["occurrenceDateTime"])?;
            let procedure = array(res, "extension")
                .find(|e| text(e, "url") == Some(VACCINATION_PROCEDURE))
                .and_then(|e| e.get("valueCodeableConcept"));
            let (_, code) = match coded(ctx, procedure, false) {
                Some(c) => c,
                None => coded(ctx, res.get("vaccineCode"), false).ok_or_else(|| no_code("vaccineCode"))?,
            };
            out.push(single(date, code));
        }
        Kind::Encounter => encounter(ctx, res, out)?,
        Kind::Procedure => {
            let date = day(res, &["performedDateTime", "performedPeriod"])?;
            let (_, code) = coded(ctx, res.get("code"), false).ok_or_else(|| no_code("code"))?;
            out.push(single(date, code));
        }
    }
    Ok(())
}

/// An Observation: its own value, else its components (blood pressure
/// panels: systolic and diastolic as two events), else the code alone.
fn observation(ctx: &mut Ctx, res: &Value, line: u64, out: &mut Vec<Draft>) -> Result<(), Reject> {
    let date = day(res, &["effectiveDateTime", "effectivePeriod", "effectiveInstant", "issued"])?;
    let has_value = ["valueQuantity", "valueCodeableConcept", "valueInteger"].iter().any(|k| res.get(*k).is_some());
    let components: Vec<&Value> = array(res, "component").collect();
    if !has_value && !components.is_empty() {
        for c in components {
            if c.get("dataAbsentReason").is_none() {
                measurement(ctx, c, date, line, "Observation.component", out);
            }
        }
        return Ok(());
    }
    if res.get("dataAbsentReason").is_some() && !has_value {
        return Ok(());
    }
    if codes::codings(res.get("code")).is_empty() {
        return Err(no_code("code"));
    }
    measurement(ctx, res, date, line, "Observation.value", out);
    Ok(())
}

/// One coded measurement (an Observation or a component): a quantity
/// (units converted for mapped LOINC codes), a coded answer (the answer is
/// the event), or the code alone.
fn measurement(ctx: &mut Ctx, v: &Value, date: Date, line: u64, element: &str, out: &mut Vec<Draft>) {
    if let Some(answer) = v.get("valueCodeableConcept") {
        if let Some((_, code)) = coded(ctx, Some(answer), false) {
            out.push(Draft { date, code, value: None, unit: None });
            return;
        }
    }
    let Some((coding, code)) = coded(ctx, v.get("code"), false) else { return };
    let (value, unit) = match (v.get("valueQuantity"), v.get("valueInteger").and_then(Value::as_f64)) {
        (Some(q), _) => {
            let unit = text(q, "unit").or_else(|| text(q, "code"));
            match q.get("value").and_then(Value::as_f64) {
                Some(value) => quantity(ctx, &coding, value, unit, line, element),
                None => (None, None),
            }
        }
        (None, Some(n)) => (Some(n), None),
        (None, None) => (None, None),
    };
    out.push(Draft { date, code, value, unit });
}

/// A value in the unit the rules read: converted for mapped LOINC codes,
/// the unit's usual spelling otherwise.
fn quantity(
    ctx: &mut Ctx,
    coding: &Coding,
    value: f64,
    unit: Option<&str>,
    line: u64,
    element: &str,
) -> (Option<f64>, Option<String>) {
    let measure = if coding.system == System::Loinc { ctx.state.maps.measures.get(coding.code) } else { None };
    let Some(m) = measure else {
        return (Some(value), unit.map(units::canonical));
    };
    let target = units::Target { unit: &m.unit, also: &m.also, conversion: m.convert, places: m.places };
    match units::convert(value, unit, target) {
        Converted::Same(v) => (Some(v), Some(m.unit.clone())),
        Converted::From { value, unit } => (Some(value), Some(unit)),
        Converted::Unknown => {
            let (code, target) = (coding.code.to_owned(), m.unit.clone());
            let given = unit.unwrap_or_default().to_owned();
            ctx.report.warning(line, Some(element), "unknown_unit", || {
                format!(
                    "LOINC {code} in '{}' cannot be converted to {target}; the value was dropped, the event kept",
                    super::super::fields::shorten(&given)
                )
            });
            (None, None)
        }
    }
}

/// An Encounter gives an event only when it is an emergency: inpatient
/// with an emergency priority, admit source or admission method is an
/// emergency admission; class EMER an A&E attendance. A `type` or
/// `reasonCode` coded with a SNOMED CT code in any cluster is also kept.
fn encounter(ctx: &mut Ctx, res: &Value, out: &mut Vec<Draft>) -> Result<(), Reject> {
    let class = match res.get("class") {
        Some(Value::Array(a)) => a.iter().find_map(|c| concept_code(Some(c))),
        other => concept_code(other),
    }
    .unwrap_or_default();
    let inpatient = matches!(class, "IMP" | "ACUTE" | "NONAC");
    let emergency_method = array(res, "extension")
        .find(|e| text(e, "url") == Some(ADMISSION_METHOD))
        .and_then(|e| concept_code(e.get("valueCodeableConcept")))
        .is_some_and(|m| m.starts_with('2'));
    let emergency = concept_code(res.get("priority")).is_some_and(|p| matches!(p, "EM" | "emergency"))
        || res.get("hospitalization").and_then(|h| concept_code(h.get("admitSource"))) == Some("emd")
        || emergency_method;
    let mut codes: Vec<Mapped> = Vec::new();
    if inpatient && emergency {
        codes.push(Mapped { code: EMERGENCY_ADMISSION.into(), system: crate::model::CodeSystem::Snomed, term: None });
    } else if class == "EMER" {
        codes.push(Mapped { code: AE_ATTENDANCE.into(), system: crate::model::CodeSystem::Snomed, term: None });
    }
    let maps = std::sync::Arc::clone(&ctx.state.maps);
    for concept in array(res, "type").chain(array(res, "reasonCode")) {
        for c in codes::codings(Some(concept)) {
            if c.system == System::Snomed && !ctx.clusters.of_code(c.code).is_empty() {
                let m = maps.map(&c, false);
                if !codes.iter().any(|k| k.code == m.code) {
                    codes.push(m);
                }
            }
        }
    }
    if codes.is_empty() {
        return Ok(());
    }
    let date = day(res, &["period"])?;
    for m in &codes {
        let code = intern(ctx, m);
        out.push(Draft { date, code, value: None, unit: None });
    }
    Ok(())
}
