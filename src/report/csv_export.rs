//! The report as CSV files: a summary, one worklist per cohort and the
//! input diagnostics. Returned as (file name, text) pairs; the caller
//! decides where they go.

use super::{explain::fmt_value, id_of, CheckReport, MemberReport, ReasonReport, Report};
use crate::model::uk_date;

pub fn csv_files(report: &Report) -> Vec<(String, String)> {
    let mut files =
        vec![("summary.csv".to_owned(), summary(report)), ("input_diagnostics.csv".to_owned(), diagnostics(report))];
    for (id, cohort) in &report.cohorts.0 {
        files.push((format!("{id}.csv"), worklist(&cohort.members)));
    }
    files
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new())
}

fn finish(w: csv::Writer<Vec<u8>>) -> String {
    String::from_utf8(w.into_inner().expect("writing to memory cannot fail")).expect("CSV of UTF-8 text")
}

fn summary(report: &Report) -> String {
    let mut w = writer();
    w.write_record(["cohort", "title", "eligible", "listed", "all_checks_done", "check", "check_done"]).unwrap();
    for (id, c) in &report.cohorts.0 {
        let all = c.all_checks_done.map(|n| n.to_string()).unwrap_or_default();
        let (eligible, count) = (c.eligible.to_string(), c.count.to_string());
        if c.checks.0.is_empty() {
            w.write_record([id, &c.title, &eligible, &count, &all, "", ""]).unwrap();
        }
        for (check, s) in &c.checks.0 {
            w.write_record([id, &c.title, &eligible, &count, &all, check, &s.done.to_string()]).unwrap();
        }
    }
    finish(w)
}

fn diagnostics(report: &Report) -> String {
    let mut w = writer();
    w.write_record(["file", "line", "column", "severity", "kind", "message"]).unwrap();
    for (_, f) in &report.input.0 {
        for d in &f.diagnostics {
            let severity = id_of(&d.severity);
            w.write_record([
                &d.file,
                &d.line.to_string(),
                d.column.as_deref().unwrap_or(""),
                &severity,
                d.kind,
                &d.message,
            ])
            .unwrap();
        }
    }
    finish(w)
}

fn reason_text(r: &ReasonReport) -> String {
    let mut parts = vec![r.rule.clone()];
    let record = &r.record;
    if let Some(term) = &record.term {
        parts.push(format!("{term} ({})", record.code.as_deref().unwrap_or("")));
    }
    if let Some(detail) = &r.detail {
        parts.push(detail.clone());
    } else if let Some(date) = &record.date {
        parts.push(date.parse().map(uk_date).unwrap_or_else(|_| date.clone()));
    }
    if let (Some(v), None) = (record.value, &r.detail) {
        parts.push(format!("{}{}", fmt_value(v), record.unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default()));
    }
    parts.join(": ")
}

fn check_text(c: &CheckReport) -> String {
    format!("{}: {}", c.title, c.detail)
}

fn worklist(members: &[MemberReport]) -> String {
    let mut w = writer();
    w.write_record([
        "patient_id",
        "nhs_number",
        "name",
        "age",
        "sex",
        "ethnicity_group",
        "imd_quintile",
        "core20",
        "segment",
        "missing_checks",
        "checks_done",
        "optional_checks",
        "reasons",
    ])
    .unwrap();
    for m in members {
        // Checks that are not required never put anyone on a list: shown apart.
        let missing: Vec<String> = m.checks.iter().filter(|c| c.required && !c.done).map(check_text).collect();
        let done: Vec<String> = m.checks.iter().filter(|c| c.required && c.done).map(check_text).collect();
        let optional: Vec<String> = m.checks.iter().filter(|c| !c.required).map(check_text).collect();
        let reasons: Vec<String> = m.reasons.iter().map(reason_text).collect();
        w.write_record([
            m.patient_id.as_str(),
            m.nhs_number.as_deref().unwrap_or(""),
            m.name.as_deref().unwrap_or(""),
            &m.age.to_string(),
            &id_of(&m.sex),
            &id_of(&m.ethnicity_group),
            &m.imd_quintile.map(|q| q.to_string()).unwrap_or_default(),
            if m.core20 { "yes" } else { "no" },
            &m.segment,
            &missing.join("; "),
            &done.join("; "),
            &optional.join("; "),
            &reasons.join("; "),
        ])
        .unwrap();
    }
    finish(w)
}
