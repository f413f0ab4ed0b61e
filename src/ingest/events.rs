//! The events file: one row a coded entry (diagnosis, measurement,
//! medication issue…). This is the hot path, so repeated cells (the
//! patient id of a run of rows, the code system) are remembered rather than
//! looked up again, and nothing is allocated for a code already seen.

use std::io::Read;

use chrono::Datelike;

use crate::codes::Clusters;
use crate::model::{CodeSystem, Date, Event, PatientIdx};

use super::delimited::EVENT_FIELDS;
use super::fields;
use super::plausible::Plausible;
use super::table::{read_rows, Report, Row, RowReader};
use super::{FileKind, FileReport, Loader};

// Field indices, in the order of `EVENT_FIELDS`.
const REJECTED_PATIENT: &str = "patient_id's row in the patients file was rejected (see the patients file report)";

const ID: usize = 0;
const CODE: usize = 1;
const DATE: usize = 2;
const VALUE: usize = 3;
const UNIT: usize = 4;
const SYSTEM: usize = 5;
const TERM: usize = 6;

pub(super) fn load(loader: &mut Loader, file: &str, reader: impl Read) -> FileReport {
    let mut rows = EventRows::new(&loader.clusters);
    let mapping = loader.mapping.events.clone();
    let mut report =
        read_rows(file, FileKind::Events, reader, &EVENT_FIELDS, mapping, |row, report| rows.row(loader, row, report));
    report.event_dates.seal();
    report
}

/// An events file read as its bytes arrive (see [`Loader::begin_events`]).
pub(super) fn row_reader(loader: &Loader, file: &str) -> RowReader {
    RowReader::new(file, FileKind::Events, &EVENT_FIELDS, loader.mapping.events.clone())
}

/// What one events file's rows are read with: the plausible ranges, and the
/// last patient id, code system and date cells seen with what they gave
/// (exports are usually grouped by patient, so most rows skip the hash
/// lookup, and runs of rows share a date).
pub(super) struct EventRows {
    plausible: Plausible,
    last_id: Vec<u8>,
    last_idx: Option<(PatientIdx, u32)>,
    last_system: Vec<u8>,
    last_system_parsed: Option<CodeSystem>,
    last_date_text: Vec<u8>,
    last_date: Option<Date>,
}

impl EventRows {
    pub(super) fn new(clusters: &Clusters) -> EventRows {
        EventRows {
            plausible: Plausible::new(clusters),
            last_id: Vec::new(),
            last_idx: None,
            last_system: Vec::new(),
            last_system_parsed: Some(CodeSystem::Snomed),
            last_date_text: Vec::new(),
            last_date: None,
        }
    }

    /// Reads one row; whether it was accepted.
    pub(super) fn row(&mut self, loader: &mut Loader, row: &Row, report: &mut Report) -> bool {
        debug_assert_eq!(EVENT_FIELDS[TERM].name, "term");
        let Loader { clusters, builder, ids, rejected_ids, .. } = loader;
        let clusters: &Clusters = clusters;
        let line = row.line;
        let id_bytes = row.bytes(ID);
        let patient = if self.last_idx.is_some() && id_bytes == self.last_id.as_slice() {
            self.last_idx
        } else {
            let id = row.get(ID);
            if id.is_empty() {
                report.error(line, row.header(ID), "missing_patient_id", || "patient_id is blank".into());
                return false;
            }
            let found = ids.get(id.as_bytes());
            if found.is_some() {
                self.last_id.clear();
                self.last_id.extend_from_slice(id_bytes);
                self.last_idx = found;
            }
            found.or_else(|| {
                let rejected = rejected_ids.contains(id.as_ref());
                report.error(line, row.header(ID), "unknown_patient", || {
                    if rejected {
                        REJECTED_PATIENT.into()
                    } else {
                        "patient_id not found in the patients file".into()
                    }
                });
                None
            })
        };
        let Some((patient, dob_days)) = patient else {
            return false;
        };

        let code = row.get(CODE);
        if code.is_empty() {
            report.error(line, row.header(CODE), "missing_code", || "code is blank".into());
            return false;
        }
        let date_bytes = row.bytes(DATE);
        let date = match self.last_date {
            Some(d) if date_bytes == self.last_date_text.as_slice() => d,
            _ => {
                // The cell in words only when its bytes are not a date as they stand.
                let parsed = match fields::parse_date_bytes(date_bytes) {
                    Some(d) => Ok(d),
                    None => match row.get(DATE) {
                        text if text.is_empty() => Err(None),
                        text => fields::parse_date(&text).map_err(Some),
                    },
                };
                match parsed {
                    Ok(d) => {
                        self.last_date_text.clear();
                        self.last_date_text.extend_from_slice(date_bytes);
                        self.last_date = Some(d);
                        d
                    }
                    Err(None) => {
                        report.error(line, row.header(DATE), "missing_date", || "date is blank".into());
                        return false;
                    }
                    Err(Some(e)) => {
                        report.error(line, row.header(DATE), "invalid_date", || format!("date: {e}"));
                        return false;
                    }
                }
            }
        };

        // The row is kept from here on.
        let system = if row.has(SYSTEM) {
            let bytes = row.bytes(SYSTEM);
            if bytes != self.last_system.as_slice() {
                self.last_system.clear();
                self.last_system.extend_from_slice(bytes);
                self.last_system_parsed = CodeSystem::parse(&row.get(SYSTEM));
            }
            self.last_system_parsed.unwrap_or_else(|| {
                report.warning(line, row.header(SYSTEM), "unknown_code_system", || {
                    format!(
                        "code system '{}' is not recognised \
                                 (expected SNOMED CT, dm+d, Read v2 or CTV3); treated as SNOMED CT",
                        fields::shorten(&row.get(SYSTEM))
                    )
                });
                CodeSystem::Snomed
            })
        } else {
            CodeSystem::Snomed
        };

        let value = row.non_empty(VALUE).and_then(|value_text| match fields::parse_value(&value_text) {
            Ok(v) => Some(v),
            Err(why) => {
                report.warning(line, row.header(VALUE), "invalid_value", || {
                    format!("value '{}' {why}; the value was dropped, the event kept", fields::shorten(&value_text))
                });
                None
            }
        });

        let unit = row.non_empty(UNIT).and_then(|unit_text| {
            let u = builder.intern_unit(&unit_text);
            if u.is_none() {
                report.warning(line, row.header(UNIT), "too_many_units", || {
                    "more than 65,535 distinct units; this unit was dropped, the value kept".into()
                });
            }
            u
        });

        let code_id = match builder.codes.lookup(&code) {
            Some(id) if builder.codes.get(id).term.is_some() || !row.has(TERM) => id,
            _ => {
                let term = row.get(TERM);
                builder.codes.intern(&code, system, Some(&term), |c| clusters.of_code(c))
            }
        };

        let value = value.filter(|&v| match self.plausible.check(&builder.codes.get(code_id).clusters, v) {
            Ok(()) => true,
            Err(message) => {
                report.warning(line, row.header(VALUE), "implausible_value", || message);
                false
            }
        });

        if date.num_days_from_ce() < dob_days as i32 {
            let date_of_birth = builder.patients[patient as usize].date_of_birth;
            report.warning(line, row.header(DATE), "event_before_birth", || {
                format!(
                    "event dated {} is before the patient's date of birth {}; kept",
                    crate::model::uk_date(date),
                    crate::model::uk_date(date_of_birth)
                )
            });
        }
        report.inner.event_dates.add(line, date, row.header(DATE));
        builder.push_event(Event { patient, date, code: code_id, value, unit });
        true
    }
}
