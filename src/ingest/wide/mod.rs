//! A wide GP report: one row a patient, with the patient's fields and
//! columns such as "Latest BP date", "Latest BP value" and "On SMI
//! register", read through a [`WideProfile`] that says which column stands
//! for which cluster as a date, a value or a yes/no flag.
//!
//! Each row is a patient (the patients file's rules, line numbers and
//! messages), and each cluster the profile maps becomes at most one event:
//! dated by the cluster's date column, or for a "yes" flag with no date, the
//! profile's report date; with the value column's number, or for blood
//! pressure written "140/90", a systolic and a diastolic reading. The event's
//! code is the column's header (code system "report column"), so a reason
//! names the column it came from: "BP done on 03/11/2026 (Latest BP date …)".

mod profile;
mod suggest;

use std::io::Read;

use super::fields::{self, parse_date};
use super::plausible::Plausible;
use super::table::{Report, Row};
use super::{patients, FileKind, FileReport, Loader};
use crate::codes::Clusters;
use crate::model::{ClusterId, CodeId, CodeSystem, Date, Event, PatientIdx, PopulationBuilder};
pub use profile::{CheckedProfile, ClusterColumns, ColumnKind, WideColumn, WideProfile};
pub use suggest::suggest;

/// How many rows a preview shows.
pub const PREVIEW_ROWS: usize = 5;

/// A report's headers and first rows, and a suggested profile: what a
/// mapping screen starts from. `start` is the beginning of the file (its
/// last line may be cut short; only the first rows are kept).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Preview {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub suggested: WideProfile,
}

pub fn preview(file: &str, start: &[u8], clusters: &Clusters) -> Preview {
    let mut headers = Vec::new();
    let mut rows = Vec::new();
    super::table::read_rows(file, FileKind::Report, start, &[], Default::default(), |row, _| {
        if headers.is_empty() {
            headers = row.headers().to_vec();
        }
        if rows.len() < PREVIEW_ROWS {
            rows.push((0..headers.len()).map(|c| row.cell(c).into_owned()).collect());
        }
        true
    });
    let suggested = suggest(&headers, clusters);
    Preview { headers, rows, suggested }
}

/// A cluster's columns found in the file, by position, and the codes its
/// events are written with (plain, systolic, diastolic), made on first use.
struct Found<'p> {
    columns: &'p ClusterColumns,
    date: Option<usize>,
    value: Option<usize>,
    flag: Option<usize>,
    codes: [Option<CodeId>; 3],
}

/// What every row of one file is read with.
struct FileRules {
    report_date: Option<Date>,
    bp: Option<BloodPressure>,
    plausible: Plausible,
}

/// What a flag cell says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flag {
    Yes(Option<Date>),
    No,
    Unreadable,
}

fn parse_flag(text: &str) -> Flag {
    match text.to_ascii_lowercase().as_str() {
        "" | "no" | "n" | "false" | "0" | "not on register" => Flag::No,
        "yes" | "y" | "true" | "1" | "x" | "on register" | "\u{2713}" | "\u{2714}" => Flag::Yes(None),
        _ => parse_date(text).map_or(Flag::Unreadable, |d| Flag::Yes(Some(d))),
    }
}

/// The clusters blood pressure "140/90" is written into.
#[derive(Clone, Copy)]
struct BloodPressure {
    bp: ClusterId,
    systolic: ClusterId,
    diastolic: ClusterId,
}

impl BloodPressure {
    fn new(clusters: &Clusters) -> Option<BloodPressure> {
        Some(BloodPressure {
            bp: clusters.id("bp")?,
            systolic: clusters.id("systolic_bp")?,
            diastolic: clusters.id("diastolic_bp")?,
        })
    }

    fn reads(&self, cluster: ClusterId) -> bool {
        [self.bp, self.systolic, self.diastolic].contains(&cluster)
    }
}

/// Where `header` is among the file's headers: as written, else normalised.
fn position(headers: &[String], header: &str) -> Option<usize> {
    headers.iter().position(|h| h.trim() == header).or_else(|| {
        let wanted = super::normalise_header(header);
        headers.iter().position(|h| !wanted.is_empty() && super::normalise_header(h) == wanted)
    })
}

/// Reads a wide report into the loader's population.
pub(super) fn load(loader: &mut Loader, file: &str, reader: impl Read, profile: &CheckedProfile) -> FileReport {
    let clusters = loader.clusters.clone();
    let rules = FileRules {
        report_date: profile.report_date,
        bp: BloodPressure::new(&clusters),
        plausible: Plausible::new(&clusters),
    };
    let mut found: Option<Vec<Found>> = None;
    let report = patients::load_with(
        loader,
        file,
        FileKind::Report,
        reader,
        profile.patients.clone(),
        |row, report, patient, builder| {
            let found = found.get_or_insert_with(|| {
                let at = |h: &Option<String>| h.as_deref().and_then(|h| position(row.headers(), h));
                profile
                    .clusters
                    .iter()
                    .map(|c| Found {
                        columns: c,
                        date: at(&c.date),
                        value: at(&c.value),
                        flag: at(&c.flag),
                        codes: [None; 3],
                    })
                    .collect()
            });
            for f in found.iter_mut() {
                let before = builder.event_count();
                if let Some(date) = read_cluster(f, &rules, row, report, patient, builder) {
                    for _ in before..builder.event_count() {
                        report.inner.event_dates.add(row.line, date, None);
                    }
                }
            }
        },
    );
    account_for_columns(report, profile)
}

/// The event (or two, for blood pressure) one cluster's columns give for one row.
fn read_cluster(
    f: &mut Found,
    rules: &FileRules,
    row: &Row,
    report: &mut Report,
    patient: PatientIdx,
    builder: &mut PopulationBuilder,
) -> Option<Date> {
    let (report_date, bp, plausible) = (rules.report_date, rules.bp, &rules.plausible);
    let (c, codes) = (f.columns, &mut f.codes);
    let line = row.line;
    fn header(h: &Option<String>) -> Option<&str> {
        h.as_deref()
    }
    let flag = match f.flag {
        None => None,
        Some(col) => match parse_flag(&row.cell(col)) {
            Flag::No => return None,
            Flag::Unreadable => {
                report.warning(line, header(&c.flag), "invalid_flag", || {
                    format!(
                        "'{}' is not yes or no (nor a date) for {}; nothing was recorded from it",
                        fields::shorten(&row.cell(col)),
                        c.title
                    )
                });
                return None;
            }
            Flag::Yes(date) => Some(date),
        },
    };
    let date_text = f.date.map(|col| row.cell(col)).unwrap_or_default();
    let date = if !date_text.is_empty() {
        match parse_date(&date_text) {
            Ok(d) => d,
            Err(e) => {
                report.warning(line, header(&c.date), "invalid_date", || {
                    format!("{e}; nothing was recorded for {}", c.title)
                });
                return None;
            }
        }
    } else {
        match flag {
            Some(Some(d)) => d,
            Some(None) => match report_date {
                Some(d) => d,
                // A flag whose date column is blank, in a profile with no report date.
                None => {
                    report.warning(line, header(&c.date), "missing_date", || {
                        format!("{} is yes but its date is blank; nothing was recorded", c.title)
                    });
                    return None;
                }
            },
            None => return None,
        }
    };
    let value_text = f.value.map(|col| row.cell(col)).unwrap_or_default();
    let source = c.date.as_deref().or(c.flag.as_deref()).unwrap_or("");
    let mut push =
        |slot: usize, suffix: &str, clusters: Vec<ClusterId>, value: Option<f64>, b: &mut PopulationBuilder| {
            let code = *codes[slot].get_or_insert_with(|| {
                let code = format!("{source}{suffix}");
                let term = format!("report column, counted as {}", c.title);
                let mut clusters = clusters;
                clusters.sort_unstable();
                clusters.dedup();
                b.codes.intern(&code, CodeSystem::ReportColumn, Some(&term), |_| clusters.into_boxed_slice())
            });
            b.push_event(Event { patient, date, code, value, unit: None });
        };
    let plausible_value = |clusters: &[ClusterId], v: f64, report: &mut Report| match plausible.check(clusters, v) {
        Ok(()) => Some(v),
        Err(message) => {
            report.warning(line, header(&c.value), "implausible_value", || message);
            None
        }
    };
    if value_text.is_empty() {
        push(0, "", vec![c.cluster], None, builder);
        return Some(date);
    }
    if let (Some((high, low)), Some(bp)) = (value_text.split_once('/'), bp.filter(|bp| bp.reads(c.cluster))) {
        match (fields::parse_value(high.trim()), fields::parse_value(low.trim())) {
            (Ok(s), Ok(d)) => {
                let (systolic, diastolic) = (vec![c.cluster, bp.bp, bp.systolic], vec![c.cluster, bp.bp, bp.diastolic]);
                let (s, d) = (plausible_value(&systolic, s, report), plausible_value(&diastolic, d, report));
                push(1, " (systolic)", systolic, s, builder);
                push(2, " (diastolic)", diastolic, d, builder);
            }
            _ => {
                report.warning(line, header(&c.value), "invalid_value", || {
                    format!(
                        "blood pressure '{}' is not systolic/diastolic; recorded without a value",
                        fields::shorten(&value_text)
                    )
                });
                push(0, "", vec![c.cluster], None, builder);
            }
        }
        return Some(date);
    }
    let value = match fields::parse_value(&value_text) {
        Ok(v) => plausible_value(&[c.cluster], v, report),
        Err(why) => {
            report.warning(line, header(&c.value), "invalid_value", || {
                format!("value '{}' {why}; recorded without a value", fields::shorten(&value_text))
            });
            None
        }
    };
    push(0, "", vec![c.cluster], value, builder);
    Some(date)
}

/// The report's column lists: the profile's columns are used, not ignored
/// (as `cluster.kind`), and a column the profile names but the file lacks
/// gets a warning.
fn account_for_columns(report: FileReport, profile: &CheckedProfile) -> FileReport {
    let mut r = Report { inner: report };
    for c in &profile.clusters {
        for (kind, header) in [("date", &c.date), ("value", &c.value), ("flag", &c.flag)] {
            let Some(header) = header else { continue };
            if let Some(i) = position(&r.inner.ignored_columns, header) {
                let written = r.inner.ignored_columns.remove(i);
                r.inner.columns.insert(format!("{}.{kind}", c.cluster_name), written);
            } else if r.inner.read > 0 || !r.inner.columns.is_empty() {
                r.warning(1, None, "mapped_column_not_found", || {
                    format!(
                        "the mapping profile names '{header}' ({} {kind}), but the file has no such column",
                        c.cluster_name
                    )
                });
            }
        }
    }
    r.inner
}

#[cfg(test)]
mod tests;
