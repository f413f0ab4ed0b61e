//! Loading a practice export (input format v1) into a [`Population`].
//!
//! Two CSV files: patients (one row a person) and events (one row a coded
//! entry). A [`Loader`] reads the patients file first, then one or more
//! events files, and [`Loader::finish`] builds the population and returns a
//! [`FileReport`] per file: what was read, accepted and rejected, which
//! header served which field, and diagnostics with line numbers.
//!
//! The layers, one file each:
//! - `delimited`: BOM and UTF-16 detection, delimiter detection,
//!   Windows-1252 fallback, header matching;
//! - `table`: the row loop shared by both files and the report builder;
//! - `ids`: the patient id index the events rows are matched against;
//! - `fields`: one cell at a time (dates, NHS numbers, sex, numbers);
//! - `plausible`: the ranges outside which a measurement is dropped;
//! - `patients` and `events`: the rules for each file;
//! - `fhir`: FHIR R4 (Bundles, bulk-export NDJSON, single resources) into
//!   the same patients and events;
//! - `unmapped`: the codes that matched no cluster, after loading;
//! - `wide`: a report of one row a patient, through a mapping profile.
//!
//! Diagnostics never quote an NHS number or a name.

mod after_as_of;
mod delimited;
mod events;
pub mod fhir;
mod fields;
mod ids;
mod patients;
mod plausible;
mod table;
mod unmapped;
pub mod wide;

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::codes::Clusters;
use crate::model::{EthnicityGroup, PatientIdx, Population, PopulationBuilder};

pub use after_as_of::{note_events_after, EventDates};
pub use delimited::{decode_cp1252, detect_delimiter, normalise_header, FieldSpec, EVENT_FIELDS, PATIENT_FIELDS};
pub use fhir::{FhirReport, ResourceCounts};
pub use fields::{nhs_number_check, parse_date, parse_decile, parse_sex, parse_value, NhsNumber};
pub use unmapped::{unmapped_codes, UnmappedCode, UnmappedCodes, UNMAPPED_SHOWN};

/// Diagnostics kept per file; the rest are only counted.
pub const MAX_DIAGNOSTICS: usize = 200;

/// The user's own header names: canonical field name -> header as written in
/// their file. An entry replaces the built-in aliases for that field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ColumnMapping {
    pub patients: BTreeMap<String, String>,
    pub events: BTreeMap<String, String>,
}

impl ColumnMapping {
    /// Reads a mapping file:
    ///
    /// ```toml
    /// [patients]
    /// date_of_birth = "DOB"
    /// [events]
    /// code = "SNOMED Code"
    /// ```
    ///
    /// Unknown sections, unknown canonical names and non-string values are
    /// errors; the message names every offending entry.
    pub fn from_toml(text: &str) -> Result<ColumnMapping, String> {
        let table: toml::Table =
            text.parse().map_err(|e: toml::de::Error| format!("column mapping: {}", e.message()))?;
        let mut mapping = ColumnMapping::default();
        let mut unknown = Vec::new();
        for (section, value) in &table {
            let (fields, target) = match section.as_str() {
                "patients" => (&PATIENT_FIELDS[..], &mut mapping.patients),
                "events" => (&EVENT_FIELDS[..], &mut mapping.events),
                other => {
                    return Err(format!("column mapping: unknown section [{other}] (expected [patients] and [events])"))
                }
            };
            let toml::Value::Table(entries) = value else {
                return Err(format!("column mapping: '{section}' must be a [{section}] section"));
            };
            for (name, header) in entries {
                if !fields.iter().any(|f| f.name == name) {
                    unknown.push(format!("{section}.{name}"));
                    continue;
                }
                let toml::Value::String(header) = header else {
                    return Err(format!("column mapping: {section}.{name} must be a header name in quotes"));
                };
                target.insert(name.clone(), header.clone());
            }
        }
        if !unknown.is_empty() {
            let names = |fields: &[FieldSpec]| fields.iter().map(|f| f.name).collect::<Vec<_>>().join(", ");
            return Err(format!(
                "column mapping: unknown field name{} {} (patients fields: {}; events fields: {})",
                if unknown.len() == 1 { "" } else { "s" },
                unknown.join(", "),
                names(&PATIENT_FIELDS),
                names(&EVENT_FIELDS)
            ));
        }
        Ok(mapping)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The row was rejected (or, at file level, nothing could be loaded).
    Error,
    /// The row was kept; a field was dropped or defaulted.
    Warning,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Patients,
    Events,
    /// A FHIR R4 file: patients and their clinical resources together.
    Fhir,
    /// A wide report: one row a patient, with columns mapped to clusters.
    Report,
}

/// One problem found in an input file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    pub file: String,
    /// 1-based physical line where the record starts (1 for file-level).
    pub line: u64,
    /// The header, as written in the file, of the column concerned; for
    /// FHIR, the element (such as `Observation.effectiveDateTime`).
    pub column: Option<String>,
    /// FHIR only: the character position in the line of a JSON syntax error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column_number: Option<u64>,
    pub severity: Severity,
    /// A short stable key such as "invalid_date".
    pub kind: &'static str,
    pub message: String,
}

/// What happened to one input file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileReport {
    pub file: String,
    pub kind: FileKind,
    /// "," "tab" ";" or "|"; empty for FHIR.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub delimiter: String,
    /// Data rows (not the header, not blank lines); `read == accepted +
    /// rejected`. For FHIR, resources: `read == accepted + rejected +
    /// fhir.skipped`.
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
    /// Warning diagnostics (rows with warnings are kept).
    pub warnings: u64,
    /// Canonical field -> header used.
    pub columns: BTreeMap<String, String>,
    pub ignored_columns: Vec<String>,
    /// The first [`MAX_DIAGNOSTICS`] diagnostics.
    pub diagnostics: Vec<Diagnostic>,
    pub diagnostics_not_shown: u64,
    /// Every diagnostic, counted by kind.
    pub by_kind: BTreeMap<String, u64>,
    /// FHIR files only: the shape, and resources by type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fhir: Option<FhirReport>,
    /// The dates of the events read, for the warning about those after the
    /// as-of date ([`note_events_after`]); not written out.
    #[serde(skip)]
    pub event_dates: EventDates,
}

/// Where a patient was accepted: for "duplicate" messages.
#[derive(Debug, Clone, Copy)]
struct Seen {
    /// Index into `Loader::reports`.
    report: usize,
    line: u64,
}

/// Reads a patients file and then events files into a population.
pub struct Loader {
    clusters: Arc<Clusters>,
    mapping: ColumnMapping,
    builder: PopulationBuilder,
    /// Patient id -> (index into `builder.patients`, date of birth as days
    /// from the common era).
    ids: ids::IdIndex,
    /// Per patient index: where the row was.
    seen: Vec<Seen>,
    /// Ids whose patients row was rejected, for clearer event messages.
    rejected_ids: HashSet<String>,
    reports: Vec<FileReport>,
    /// FHIR code maps and the resources waiting for their patient; made
    /// on the first FHIR file.
    fhir: Option<fhir::FhirState>,
    /// The file being read chunk by chunk, begun and not yet ended.
    open: Option<OpenFile>,
}

/// A delimited file read as its bytes arrive, and what its rows are read with.
struct OpenFile {
    rows: table::RowReader,
    kind: OpenKind,
}

enum OpenKind {
    /// A patients file, to be report number `report_index`.
    Patients {
        report_index: usize,
    },
    Events(Box<events::EventRows>),
}

impl OpenKind {
    /// Reads one row of the open file; whether it was accepted.
    fn read_row(&mut self, loader: &mut Loader, row: &table::Row, report: &mut table::Report) -> bool {
        match self {
            OpenKind::Patients { report_index } => {
                patients::patient_row(loader, *report_index, row, report, &mut |_, _, _, _| {})
            }
            OpenKind::Events(rows) => rows.row(loader, row, report),
        }
    }
}

impl Loader {
    pub fn new(clusters: Arc<Clusters>, mapping: ColumnMapping) -> Self {
        Loader {
            clusters,
            mapping,
            builder: PopulationBuilder::default(),
            ids: ids::IdIndex::default(),
            seen: Vec::new(),
            rejected_ids: HashSet::new(),
            reports: Vec::new(),
            fhir: None,
            open: None,
        }
    }

    /// Begins a patients file whose bytes come in chunks: [`Loader::push`]
    /// each chunk in order, then [`Loader::end_file`]. Reads what
    /// [`Loader::load_patients`] reads, however the bytes are cut. A file
    /// still open is ended first.
    pub fn begin_patients(&mut self, file_name: &str) {
        self.end_file();
        let rows = patients::row_reader(self, file_name);
        self.open = Some(OpenFile { rows, kind: OpenKind::Patients { report_index: self.reports.len() } });
    }

    /// Begins an events file whose bytes come in chunks (see
    /// [`Loader::begin_patients`]).
    pub fn begin_events(&mut self, file_name: &str) {
        self.end_file();
        let rows = events::row_reader(self, file_name);
        let kind = OpenKind::Events(Box::new(events::EventRows::new(&self.clusters)));
        self.open = Some(OpenFile { rows, kind });
    }

    /// Reads the next chunk of the file begun; the lines read so far
    /// (`None` when no file is begun).
    pub fn push(&mut self, bytes: &[u8]) -> Option<u64> {
        let mut open = self.open.take()?;
        open.rows.push(bytes, &mut |row, report| open.kind.read_row(self, row, report));
        let lines = open.rows.lines_read();
        self.open = Some(open);
        Some(lines)
    }

    /// Ends the file begun because the rest of it could not be read: the
    /// rows before stay read, and its report says where reading stopped.
    pub fn fail_file(&mut self, why: &str) -> Option<&FileReport> {
        self.open.as_mut()?.rows.fail(&why);
        self.end_file()
    }

    /// Ends the file begun: reads its last row and gives its report.
    pub fn end_file(&mut self) -> Option<&FileReport> {
        let OpenFile { rows, mut kind } = self.open.take()?;
        let mut report = rows.finish(&mut |row, report| kind.read_row(self, row, report));
        report.event_dates.seal();
        self.reports.push(report);
        self.reports.last()
    }

    /// Reads a patients file. May be called again for further patients files;
    /// ids must be unique across them.
    pub fn load_patients(&mut self, file_name: &str, reader: impl std::io::Read) -> &FileReport {
        let report = patients::load(self, file_name, reader);
        self.reports.push(report);
        self.reports.last().expect("just pushed")
    }

    /// Reads an events file. Load the patients first: events of ids not in
    /// a patients file are rejected. May be called for several files.
    pub fn load_events(&mut self, file_name: &str, reader: impl std::io::Read) -> &FileReport {
        let report = events::load(self, file_name, reader);
        self.reports.push(report);
        self.reports.last().expect("just pushed")
    }

    /// Reads a FHIR R4 file: a Bundle, bulk-export NDJSON or one resource,
    /// gzipped or not (see [`fhir`]). Patients and clinical resources may
    /// come in any order and in any number of files: a resource whose
    /// patient has not been read yet waits for [`Loader::finish`], which
    /// rejects it if its patient never came. The report returned here
    /// counts such resources as `fhir.pending`; the reports `finish`
    /// returns are final.
    pub fn load_fhir(&mut self, file_name: &str, reader: impl std::io::Read) -> &FileReport {
        let report = fhir::load(self, file_name, reader);
        self.reports.push(report);
        self.reports.last().expect("just pushed")
    }

    /// Reads a wide report (one row a patient) through a checked mapping
    /// profile (see [`wide`]). Like a patients file, ids must be unique
    /// across every patients file and report read.
    pub fn load_wide(
        &mut self,
        file_name: &str,
        reader: impl std::io::Read,
        profile: &wide::CheckedProfile,
    ) -> &FileReport {
        let report = wide::load(self, file_name, reader, profile);
        self.reports.push(report);
        self.reports.last().expect("just pushed")
    }

    /// Patients accepted so far.
    pub fn patient_count(&self) -> usize {
        self.builder.patients.len()
    }

    /// Events accepted so far.
    pub fn event_count(&self) -> usize {
        self.builder.event_count()
    }

    /// Builds the population. A patient with no ethnicity in the patients
    /// file (blank, not stated or unrecognised) takes the group of their
    /// latest event coded with a real ethnic category; "not stated" codes
    /// never overwrite a category.
    pub fn finish(mut self) -> (Population, Vec<FileReport>) {
        // A file begun and never ended is ended here: none of its rows is lost.
        self.end_file();
        fhir::resolve_pending(&mut self);
        for r in &mut self.reports {
            r.event_dates.seal();
        }
        let mut population = self.builder.build();
        // A file without terms still gets readable reasons: the codelist's term.
        population.codes.fill_missing_terms(|code| self.clusters.term_of(code));
        fill_ethnicity(&mut population, &self.clusters);
        (population, self.reports)
    }
}

fn fill_ethnicity(population: &mut Population, clusters: &Clusters) {
    let by_code: Vec<Option<(EthnicityGroup, Option<u8>)>> = population
        .codes
        .iter()
        .map(|(_, entry)| {
            let group = clusters.ethnicity_of(&entry.code).filter(|&g| g != EthnicityGroup::NotRecorded)?;
            Some((group, clusters.ethnic_category_of(&entry.code)))
        })
        .collect();
    if by_code.iter().all(Option::is_none) {
        return;
    }
    for p in 0..population.patients.len() {
        if population.patients[p].ethnicity != EthnicityGroup::NotRecorded {
            continue;
        }
        let range = population.event_range(p as PatientIdx);
        let latest = population.events.code[range].iter().rev().find_map(|&c| by_code[c as usize]);
        if let Some((group, category)) = latest {
            population.patients[p].ethnicity = group;
            population.patients[p].ethnic_category = category;
        }
    }
}

#[cfg(test)]
mod tests;
