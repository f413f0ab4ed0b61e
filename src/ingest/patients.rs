//! The patients file: one row a person.

use std::collections::BTreeMap;
use std::io::Read;

use chrono::Datelike;

use crate::codes::Clusters;
use crate::model::{Date, EthnicityGroup, Patient, PatientIdx, PopulationBuilder, Sex};

use super::delimited::PATIENT_FIELDS;
use super::fields::{self, NhsNumber};
use super::ids::MAX_ID_LEN;
use super::table::{read_rows, Report, Row, RowReader};
use super::{FileKind, FileReport, Loader, Seen};

// Field indices, in the order of `PATIENT_FIELDS`.
const ID: usize = 0;
const NHS: usize = 1;
const DOB: usize = 2;
const SEX: usize = 3;
const ETHNICITY: usize = 4;
const IMD: usize = 5;
const LSOA: usize = 6;
const PRACTICE: usize = 7;
const REGISTERED: usize = 8;
const DEREGISTERED: usize = 9;
const DEATH: usize = 10;
const NAME: usize = 11;

pub(super) fn load(loader: &mut Loader, file: &str, reader: impl Read) -> FileReport {
    let mapping = loader.mapping.patients.clone();
    load_with(loader, file, FileKind::Patients, reader, mapping, |_, _, _, _| {})
}

/// A patients file read as its bytes arrive (see [`Loader::begin_patients`]).
pub(super) fn row_reader(loader: &Loader, file: &str) -> RowReader {
    RowReader::new(file, FileKind::Patients, &PATIENT_FIELDS, loader.mapping.patients.clone())
}

/// Reads patient rows with `mapping` naming the headers; `also` is called for
/// each patient accepted, with the row, to read anything more it holds.
pub(super) fn load_with(
    loader: &mut Loader,
    file: &str,
    kind: FileKind,
    reader: impl Read,
    mapping: BTreeMap<String, String>,
    mut also: impl FnMut(&Row, &mut Report, PatientIdx, &mut PopulationBuilder),
) -> FileReport {
    let report_index = loader.reports.len();
    read_rows(file, kind, reader, &PATIENT_FIELDS, mapping, |row, report| {
        patient_row(loader, report_index, row, report, &mut also)
    })
}

/// Reads one row of a patients file that will be report `report_index`;
/// whether it was accepted.
pub(super) fn patient_row(
    loader: &mut Loader,
    report_index: usize,
    row: &Row,
    report: &mut Report,
    also: &mut impl FnMut(&Row, &mut Report, PatientIdx, &mut PopulationBuilder),
) -> bool {
    debug_assert_eq!(PATIENT_FIELDS[NAME].name, "name");
    let Loader { clusters, builder, ids, seen, rejected_ids, reports, .. } = loader;
    let clusters: &Clusters = clusters;
    let line = row.line;
    let id = row.get(ID);
    if id.is_empty() {
        report.error(line, row.header(ID), "missing_patient_id", || "patient_id is blank".into());
        return false;
    }
    if id.len() > MAX_ID_LEN {
        report.error(line, row.header(ID), "patient_id_too_long", || {
            format!("patient_id is longer than {MAX_ID_LEN} bytes")
        });
        rejected_ids.insert(id.into_owned());
        return false;
    }
    if let Some((first, _)) = ids.get(id.as_bytes()) {
        let first = seen[first as usize];
        let where_ = if first.report == report_index {
            format!("line {}", first.line)
        } else {
            format!("line {} of {}", first.line, reports[first.report].file)
        };
        report.error(line, row.header(ID), "duplicate_patient_id", || {
            format!("duplicate patient_id (first seen on {where_})")
        });
        return false;
    }
    let Some(patient) = parse_patient(row, report, id.as_ref(), clusters) else {
        rejected_ids.insert(id.into_owned());
        return false;
    };
    let dob = patient.date_of_birth.num_days_from_ce() as u32;
    if ids.insert(patient.id.as_bytes(), dob).is_err() {
        report.error(line, row.header(ID), "too_many_patients", || "too many patients for one population".into());
        return false;
    }
    debug_assert_eq!(ids.len(), builder.patients.len() + 1);
    seen.push(Seen { report: report_index, line });
    builder.patients.push(patient);
    also(row, report, (builder.patients.len() - 1) as PatientIdx, builder);
    true
}

/// The checks that can reject a row come first, so a rejected row carries
/// its error and no warnings.
fn parse_patient(row: &Row, report: &mut Report, id: &str, clusters: &crate::codes::Clusters) -> Option<Patient> {
    let line = row.line;
    let dob_text = row.get(DOB);
    if dob_text.is_empty() {
        report.error(line, row.header(DOB), "missing_date_of_birth", || "date_of_birth is blank".into());
        return None;
    }
    let date_of_birth = match fields::parse_date(&dob_text) {
        Ok(d) => d,
        Err(e) => {
            report.error(line, row.header(DOB), "invalid_date", || format!("date_of_birth: {e}"));
            return None;
        }
    };
    let death_text = row.get(DEATH);
    let death = (!death_text.is_empty()).then(|| fields::parse_date(&death_text));
    if let Some(Ok(d)) = death {
        if d < date_of_birth {
            report.error(line, row.header(DEATH), "death_before_birth", || {
                format!("date_of_death '{death_text}' is before date_of_birth '{dob_text}'")
            });
            return None;
        }
    }

    // From here on the row is kept.
    let nhs = fields::nhs_number_check(&row.get(NHS));
    if let NhsNumber::Invalid { reason, .. } = &nhs {
        report.warning(line, row.header(NHS), "invalid_nhs_number", || {
            format!("the NHS number is not valid ({reason}); kept and marked invalid")
        });
    }
    let nhs_number_valid = !matches!(nhs, NhsNumber::Invalid { .. });

    let sex_text = row.get(SEX);
    let sex = fields::parse_sex(&sex_text).unwrap_or_else(|| {
        report.warning(line, row.header(SEX), "unknown_sex", || {
            format!(
                "sex '{}' is not recognised (expected F, M, U or female, male, unknown); \
                 recorded as not known",
                fields::shorten(&sex_text)
            )
        });
        Sex::Unknown
    });

    let (ethnicity, ethnic_category) = ethnicity(row, report, clusters);

    let imd_text = row.get(IMD);
    let imd_decile = if imd_text.is_empty() {
        None
    } else {
        let d = fields::parse_decile(&imd_text);
        if d.is_none() {
            report.warning(line, row.header(IMD), "invalid_imd_decile", || {
                format!("imd_decile '{}' is not a whole number from 1 to 10; left blank", fields::shorten(&imd_text))
            });
        }
        d
    };

    let mut optional_date = |f: usize, name: &str| -> Option<Date> {
        let text = row.non_empty(f)?;
        fields::parse_date(&text)
            .map_err(|e| report.warning(line, row.header(f), "invalid_date", || format!("{name}: {e}; left blank")))
            .ok()
    };
    let registered_date = optional_date(REGISTERED, "registered_date");
    let deregistered_date = optional_date(DEREGISTERED, "deregistered_date");
    let date_of_death = optional_date(DEATH, "date_of_death");
    if let Some(message) = fields::implausible_birth(date_of_birth, date_of_death) {
        report.warning(line, row.header(DOB), "implausible_age", || message);
    }
    if let Some(r) = registered_date.filter(|&r| r < date_of_birth) {
        report.warning(line, row.header(REGISTERED), "registered_before_birth", || {
            format!(
                "registered_date {} is before date_of_birth {}; kept",
                crate::model::uk_date(r),
                crate::model::uk_date(date_of_birth)
            )
        });
    }

    let text = |f: usize| row.non_empty(f).map(|t| t.into_owned());
    Some(Patient {
        id: id.to_owned(),
        nhs_number: nhs.into_normalised(),
        nhs_number_valid,
        date_of_birth,
        sex,
        ethnicity,
        ethnic_category,
        imd_decile,
        lsoa: text(LSOA),
        practice_code: text(PRACTICE),
        registered_date,
        deregistered_date,
        date_of_death,
        name: text(NAME),
    })
}

/// An NHS ethnic category letter (or 99), else a SNOMED CT ethnicity code:
/// the group, and the 2001-census category where known.
fn ethnicity(row: &Row, report: &mut Report, clusters: &crate::codes::Clusters) -> (EthnicityGroup, Option<u8>) {
    let text = row.get(ETHNICITY);
    if text.is_empty() {
        return (EthnicityGroup::NotRecorded, None);
    }
    if text.len() <= 2 {
        if let Some(group) = EthnicityGroup::from_nhs_category(&text) {
            return (group, EthnicityGroup::nhs_category_number(&text));
        }
    }
    let group = clusters.ethnicity_of(&text).unwrap_or_else(|| {
        report.warning(row.line, row.header(ETHNICITY), "unknown_ethnicity", || {
            format!(
                "ethnicity '{}' is neither an NHS ethnic category (A–Z, 99) \
                     nor a known SNOMED CT ethnicity code; recorded as not recorded",
                fields::shorten(&text)
            )
        });
        EthnicityGroup::NotRecorded
    });
    (group, clusters.ethnic_category_of(&text))
}
