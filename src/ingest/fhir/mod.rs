//! FHIR R4 into the same [`crate::model::Population`] the CSV files make.
//!
//! A file is a Bundle (collection, transaction, searchset…: each
//! `entry[].resource`), bulk-export NDJSON (one resource a line, one
//! resource type a file or mixed) or one bare resource, gzipped or not.
//! Patients become patients; Condition, Observation, MedicationRequest,
//! MedicationStatement, Immunization, Encounter and Procedure become coded
//! events, their codes mapped into the clusters' SNOMED CT where a mapping
//! is known. Everything else is skipped and counted, never fatal.
//!
//! The layers, one file each:
//! - `stream`: gzip, the shape, NDJSON lines and Bundle entries one at a time;
//! - `codes` and `units`: code systems, mappings, unit conversions;
//! - `patient` and `clinical`: the rules for each resource;
//! - this file: references to patients, counting, and the resources that
//!   wait for a patient not yet read.
//!
//! Resources may come in any order and in any number of files: a clinical
//! resource whose patient has not been read yet waits, and
//! [`super::Loader::finish`] rejects it if the patient never came.

mod clinical;
pub mod codes;
mod patient;
mod stream;
pub mod units;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;

use chrono::Datelike;
use serde::Serialize;
use serde_json::Value;

use crate::codes::Clusters;
use crate::model::{Date, Event, PatientIdx, PopulationBuilder};

use super::ids::IdIndex;
use super::table::Report;
use super::{FileKind, FileReport, Loader, Seen};
use codes::CodeMaps;
use stream::{Item, Shape};

/// Distinct names kept in the by-type and by-element counts; the rest are
/// counted under "(other)".
const MAX_NAMES: usize = 100;

/// What a FHIR file held, beyond the counts every file has.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FhirReport {
    /// "bundle", "ndjson" or "resource".
    pub format: String,
    /// A Bundle's `type` (collection, transaction, searchset, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bundle_type: Option<String>,
    pub gzip: bool,
    /// Resources read and deliberately not loaded, by reason (an unknown
    /// resource type, not done, entered in error, …).
    pub skipped: u64,
    pub skipped_by_reason: BTreeMap<String, u64>,
    /// Resources waiting for a patient not read yet; 0 once loading has finished.
    pub pending: u64,
    /// Events made from the accepted resources.
    pub events: u64,
    pub resources: BTreeMap<String, ResourceCounts>,
    /// Top-level elements present but not read, as "Type.element".
    pub elements_not_read: BTreeMap<String, u64>,
}

/// One resource type's resources; `read == accepted + rejected + skipped`
/// once loading has finished.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ResourceCounts {
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub skipped: u64,
}

/// What happened to one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Accepted,
    Rejected,
    Skipped(&'static str),
    Pending,
}

/// How a resource names its patient.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// `Patient/{id}` (relative or absolute): the Patient's `id`.
    Id(Box<str>),
    /// A Bundle `fullUrl` (`urn:uuid:…`), or `nhs:{number}` for an
    /// identifier reference.
    Alias(Box<str>),
}

/// A resource waiting for its patient; its events are in
/// [`FhirState::pending_events`].
#[derive(Debug)]
struct Pending {
    report: usize,
    line: u64,
    resource: &'static str,
    target: Target,
}

/// Kept by the loader across FHIR files.
pub(in crate::ingest) struct FhirState {
    maps: std::sync::Arc<CodeMaps>,
    /// Bundle fullUrls and `nhs:{number}` of accepted patients;
    /// `PatientIdx::MAX` where two patients share an NHS number.
    aliases: HashMap<Box<str>, PatientIdx>,
    pending: Vec<Pending>,
    /// (index into `pending`, event with its patient still to be set).
    pending_events: Vec<(u32, Event)>,
}

impl FhirState {
    fn new() -> FhirState {
        FhirState {
            maps: std::sync::Arc::new(CodeMaps::builtin()),
            aliases: HashMap::new(),
            pending: Vec::new(),
            pending_events: Vec::new(),
        }
    }
}

/// One file being read, with the loader's parts it writes to.
struct Ctx<'a> {
    clusters: &'a Clusters,
    builder: &'a mut PopulationBuilder,
    ids: &'a mut IdIndex,
    seen: &'a mut Vec<Seen>,
    rejected_ids: &'a mut HashSet<String>,
    reports: &'a [FileReport],
    state: &'a mut FhirState,
    report: Report,
    fhir: FhirReport,
    report_index: usize,
    plausible: super::plausible::Plausible,
}

pub(super) fn load(loader: &mut Loader, file: &str, reader: impl Read) -> FileReport {
    let report_index = loader.reports.len();
    let Loader { clusters, builder, ids, seen, rejected_ids, reports, fhir, .. } = loader;
    let state = fhir.get_or_insert_with(FhirState::new);
    let mut ctx = Ctx {
        clusters,
        builder,
        ids,
        seen,
        rejected_ids,
        reports,
        state,
        report: Report::new(file, FileKind::Fhir),
        fhir: FhirReport::default(),
        report_index,
        plausible: super::plausible::Plausible::new(clusters),
    };
    ctx.report.inner.delimiter.clear();
    let lower = file.to_ascii_lowercase();
    let ndjson_name = lower.ends_with(".ndjson") || lower.ends_with(".ndjson.gz") || lower.ends_with(".jsonl");
    match stream::open(reader, file, ndjson_name) {
        Err(e) => {
            ctx.report.error(1, None, "read_error", || format!("the file could not be read: {e}"));
        }
        Ok(opened) if opened.empty => {
            ctx.fhir.gzip = opened.gzip;
            ctx.report.error(1, None, "empty_file", || {
                "the file is empty: expected a FHIR resource, a Bundle or NDJSON (one resource a line)".into()
            });
        }
        Ok(opened) => {
            ctx.fhir.gzip = opened.gzip;
            ctx.fhir.format = match opened.shape {
                Shape::Ndjson => "ndjson",
                Shape::Document => "resource",
            }
            .into();
            let mut on = |item: Item| ctx.item(item);
            match opened.shape {
                Shape::Ndjson => stream::ndjson(opened.reader, &mut on),
                Shape::Document => stream::document(opened.reader, &mut on),
            }
        }
    }
    let Ctx { mut report, fhir, .. } = ctx;
    report.inner.fhir = Some(fhir);
    report.inner.event_dates.seal();
    report.inner
}

impl Ctx<'_> {
    fn item(&mut self, item: Item) {
        match item {
            Item::Resource { resource, full_url, line } => self.resource(resource, full_url.as_deref(), line),
            Item::Malformed { line, column, kind, message } => {
                let rest = match self.fhir.format.as_str() {
                    // A read error ends the file: nothing after it can be read.
                    "ndjson" if kind == "read_error" => "; the lines before it were read, nothing from here on",
                    "ndjson" => "; this line was not read, the next lines were",
                    "bundle" => "; the entries before this point were loaded, none after",
                    _ => "; nothing after this point was read",
                };
                self.report.push_at(line, column, None, super::Severity::Error, kind, || format!("{message}{rest}"));
            }
            Item::Bundle => self.fhir.format = "bundle".into(),
            Item::BundleType(t) => self.fhir.bundle_type = Some(t),
            Item::EmptyEntry { line } => {
                self.fhir.format = "bundle".into();
                self.report.warning(line, None, "entry_without_resource", || {
                    "Bundle entry without a resource (a request or a deleted entry); skipped".into()
                });
            }
        }
    }

    fn resource(&mut self, resource: Value, full_url: Option<&str>, line: u64) {
        let Some(kind) = resource.get("resourceType").and_then(Value::as_str) else {
            self.report.inner.read += 1;
            self.report.inner.rejected += 1;
            self.report.error(line, None, "missing_resource_type", || "the JSON object has no resourceType".into());
            return;
        };
        let outcome = match kind {
            "Bundle" => {
                // A Bundle inside NDJSON (or inside a Bundle): its entries, in turn.
                if let Some(t) = resource.get("type").and_then(Value::as_str) {
                    self.fhir.bundle_type.get_or_insert_with(|| t.to_owned());
                }
                let Value::Object(mut bundle) = resource else { return };
                if let Some(Value::Array(entries)) = bundle.remove("entry") {
                    for entry in entries {
                        let Value::Object(mut entry) = entry else { continue };
                        let url = entry.remove("fullUrl");
                        if let Some(r @ Value::Object(_)) = entry.remove("resource") {
                            self.resource(r, url.as_ref().and_then(Value::as_str), line);
                        }
                    }
                }
                return;
            }
            "Patient" => {
                self.elements("Patient", &resource, patient::ELEMENTS);
                patient::load(self, &resource, full_url, line)
            }
            _ => match clinical::Kind::of(kind) {
                Some(k) => {
                    self.elements(k.name(), &resource, k.elements());
                    clinical::load(self, k, &resource, line)
                }
                None => Outcome::Skipped("unknown_resource_type"),
            },
        };
        self.count(kind, outcome);
    }

    fn count(&mut self, kind: &str, outcome: Outcome) {
        let r = &mut self.report.inner;
        r.read += 1;
        // The types read keep their names; unknown ones up to a limit.
        let known = kind == "Patient" || clinical::Kind::of(kind).is_some();
        let name = if known || self.fhir.resources.len() < MAX_NAMES || self.fhir.resources.contains_key(kind) {
            kind
        } else {
            "(other)"
        };
        let counts = self.fhir.resources.entry(name.to_owned()).or_default();
        counts.read += 1;
        match outcome {
            Outcome::Accepted => {
                r.accepted += 1;
                counts.accepted += 1;
            }
            Outcome::Rejected => {
                r.rejected += 1;
                counts.rejected += 1;
            }
            Outcome::Skipped(why) => {
                counts.skipped += 1;
                self.fhir.skipped += 1;
                *self.fhir.skipped_by_reason.entry(why.to_owned()).or_default() += 1;
            }
            Outcome::Pending => self.fhir.pending += 1,
        }
    }

    /// Counts the top-level elements the loader does not read.
    fn elements(&mut self, kind: &str, resource: &Value, read: &[&str]) {
        let Some(map) = resource.as_object() else { return };
        for key in map.keys() {
            if matches!(key.as_str(), "resourceType" | "id" | "meta" | "text") || read.contains(&key.as_str()) {
                continue;
            }
            let name = format!("{kind}.{key}");
            let counts = &mut self.fhir.elements_not_read;
            let name = if counts.len() < MAX_NAMES || counts.contains_key(&name) { name } else { "(other)".into() };
            *counts.entry(name).or_default() += 1;
        }
    }

    /// The patient a target names, with their date of birth, if read.
    fn find(&self, target: &Target) -> Option<(PatientIdx, Date)> {
        find(self.ids, &self.state.aliases, self.builder, target)
    }

    /// Adds a clinical resource's events now, or keeps them until its patient comes.
    fn events(&mut self, kind: &'static str, target: Target, line: u64, drafts: Vec<clinical::Draft>) -> Outcome {
        let mut events = Vec::with_capacity(drafts.len());
        for d in drafts {
            let unit = match &d.unit {
                Some(u) => {
                    let id = self.builder.intern_unit(u);
                    if id.is_none() {
                        self.report.warning(line, None, "too_many_units", || {
                            "more than 65,535 distinct units; this unit was dropped, the value kept".into()
                        });
                    }
                    id
                }
                None => None,
            };
            let value = d.value.filter(|&v| match self.plausible.check(&self.builder.codes.get(d.code).clusters, v) {
                Ok(()) => true,
                Err(message) => {
                    let element = format!("{kind}.value");
                    self.report.warning(line, Some(&element), "implausible_value", || message);
                    false
                }
            });
            events.push(Event { patient: 0, date: d.date, code: d.code, value, unit });
        }
        self.fhir.events += events.len() as u64;
        match self.find(&target) {
            Some((patient, dob)) => {
                for mut e in events {
                    e.patient = patient;
                    before_birth(&mut self.report, line, &e, dob);
                    self.report.inner.event_dates.add(line, e.date, None);
                    self.builder.push_event(e);
                }
                Outcome::Accepted
            }
            None => {
                let index = self.state.pending.len() as u32;
                self.state.pending.push(Pending { report: self.report_index, line, resource: kind, target });
                self.state.pending_events.extend(events.into_iter().map(|e| (index, e)));
                Outcome::Pending
            }
        }
    }
}

fn find(
    ids: &IdIndex,
    aliases: &HashMap<Box<str>, PatientIdx>,
    builder: &PopulationBuilder,
    target: &Target,
) -> Option<(PatientIdx, Date)> {
    let patient = match target {
        Target::Id(id) => ids.get(id.as_bytes())?.0,
        Target::Alias(a) => *aliases.get(a).filter(|&&p| p != PatientIdx::MAX)?,
    };
    Some((patient, builder.patients[patient as usize].date_of_birth))
}

fn before_birth(report: &mut Report, line: u64, e: &Event, dob: Date) {
    if e.date.num_days_from_ce() < dob.num_days_from_ce() {
        report.warning(line, None, "event_before_birth", || {
            format!(
                "event dated {} is before the patient's date of birth {}; kept",
                crate::model::uk_date(e.date),
                crate::model::uk_date(dob)
            )
        });
    }
}

/// The patient a reference names (`subject`, `patient`).
fn target(reference: Option<&Value>) -> Result<Target, String> {
    let Some(reference) = reference else { return Err("has no subject (patient reference)".into()) };
    if let Some(r) = reference.get("reference").and_then(Value::as_str).map(str::trim) {
        if r.starts_with('#') {
            return Err("refers to a contained patient, which is not read".into());
        }
        if r.starts_with("urn:") {
            return Ok(Target::Alias(r.into()));
        }
        if let Some(i) = r.rfind("Patient/").filter(|&i| i == 0 || r.as_bytes()[i - 1] == b'/') {
            let id = r[i + "Patient/".len()..].split('/').next().unwrap_or_default();
            if !id.is_empty() {
                return Ok(Target::Id(id.into()));
            }
        }
        return Err("has a subject reference that is not to a Patient".into());
    }
    let identifier = reference.get("identifier");
    let system = identifier.and_then(|i| i.get("system")).and_then(Value::as_str);
    let value = identifier.and_then(|i| i.get("value")).and_then(Value::as_str);
    match (system, value) {
        (Some(codes::NHS_NUMBER), Some(v)) => match super::fields::nhs_number_check(v).into_normalised() {
            Some(n) => Ok(Target::Alias(format!("nhs:{n}").into())),
            None => Err("refers to its patient by an NHS number that is blank".into()),
        },
        _ => Err("has a subject with neither a reference nor an NHS number identifier".into()),
    }
}

/// Settles the resources still waiting for their patient: each is added
/// to its patient, or rejected in its own file's report.
pub(super) fn resolve_pending(loader: &mut Loader) {
    let Some(state) = loader.fhir.as_mut() else { return };
    let pending = std::mem::take(&mut state.pending);
    let events = std::mem::take(&mut state.pending_events);
    let mut found: Vec<Option<(PatientIdx, Date)>> = Vec::with_capacity(pending.len());
    let mut reports: Vec<Report> = loader.reports.drain(..).map(|inner| Report { inner }).collect();
    for p in &pending {
        let hit = find(&loader.ids, &state.aliases, &loader.builder, &p.target);
        let report = &mut reports[p.report];
        let fhir = report.inner.fhir.as_mut().expect("pending resources come from FHIR files");
        fhir.pending -= 1;
        let counts = fhir.resources.entry(p.resource.to_owned()).or_default();
        if hit.is_some() {
            counts.accepted += 1;
            report.inner.accepted += 1;
        } else {
            counts.rejected += 1;
            report.inner.rejected += 1;
            let rejected = matches!(&p.target, Target::Id(id) if loader.rejected_ids.contains(&**id));
            report.error(p.line, None, "unknown_patient", || {
                if rejected {
                    format!("{}'s Patient was rejected (see its report)", p.resource)
                } else {
                    format!("{}'s patient is in none of the files loaded", p.resource)
                }
            });
        }
        found.push(hit);
    }
    for (i, mut e) in events {
        let report = pending[i as usize].report;
        match found[i as usize] {
            Some((patient, dob)) => {
                e.patient = patient;
                let line = pending[i as usize].line;
                before_birth(&mut reports[report], line, &e, dob);
                reports[report].inner.event_dates.add(line, e.date, None);
                loader.builder.push_event(e);
            }
            None => {
                if let Some(f) = reports[report].inner.fhir.as_mut() {
                    f.events -= 1;
                }
            }
        }
    }
    // What was found at the end goes among the file's other diagnostics, by line.
    let touched: HashSet<usize> = pending.iter().map(|p| p.report).collect();
    for r in touched {
        reports[r].inner.diagnostics.sort_by_key(|d| d.line);
    }
    loader.reports = reports.into_iter().map(|r| r.inner).collect();
}

/// A FHIR date or dateTime as a calendar day. Partial dates (a year, or a
/// year and month) are refused: the rules need a day.
fn date(text: &str) -> Result<Date, String> {
    let t = text.trim();
    let partial = t.len() <= 7 && t.bytes().all(|b| b.is_ascii_digit() || b == b'-');
    if partial && !t.is_empty() {
        return Err(format!("'{}' is a partial date; a full date (yyyy-mm-dd) is needed", super::fields::shorten(t)));
    }
    super::fields::parse_date(t)
}

#[cfg(test)]
mod tests;
