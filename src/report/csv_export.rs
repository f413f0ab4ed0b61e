//! The report as CSV files: a summary, one worklist per cohort and the
//! input diagnostics. Returned as (file name, text) pairs; the caller
//! decides where they go.

use std::borrow::Cow;

use super::worklist::Row;
use super::{explain::fmt_value, id_of, CheckReport, MemberReport, Ordered, ReasonReport, Report};
use crate::model::uk_date;

pub fn csv_files(report: &Report) -> Vec<(String, String)> {
    let mut files = vec![
        ("summary.csv".to_owned(), summary(report)),
        ("input_diagnostics.csv".to_owned(), diagnostics(report)),
        ("equity.csv".to_owned(), equity_csv(&report.equity)),
    ];
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

/// The health equity audit, one row per measure and group, with the whole
/// population as dimension "all" and the deprivation gap on every row of
/// its measure. Rates are fractions; empty when the denominator is 0.
pub fn equity_csv(measures: &[super::equity::Measure]) -> String {
    let mut w = writer();
    w.write_record([
        "measure",
        "title",
        "numerator_counts",
        "denominator_counts",
        "dimension",
        "group",
        "numerator",
        "denominator",
        "rate",
        "ci95_low",
        "ci95_high",
        "gap_q1_minus_q5",
        "ratio_q1_to_q5",
    ])
    .unwrap();
    let text = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
    for m in measures {
        let gap = m.deprivation_gap;
        let all = [("all", &Ordered(vec![("all".to_owned(), m.total)]))];
        let dimensions = all.into_iter().chain(m.by.0.iter().map(|(d, g)| (d.as_str(), g)));
        for (dimension, groups) in dimensions {
            for (group, r) in &groups.0 {
                w.write_record([
                    m.id.as_str(),
                    &m.title,
                    m.numerator,
                    m.denominator,
                    dimension,
                    group,
                    &r.numerator.to_string(),
                    &r.denominator.to_string(),
                    &text(r.rate),
                    &text(r.low),
                    &text(r.high),
                    &text(gap.map(|g| g.absolute)),
                    &text(gap.and_then(|g| g.relative)),
                ])
                .unwrap();
            }
        }
    }
    finish(w)
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

/// Every column a worklist CSV can have, in the default order.
pub const WORKLIST_COLUMNS: [&str; 14] = [
    "patient_id",
    "nhs_number",
    "name",
    "age",
    "sex",
    "ethnicity_group",
    "imd_quintile",
    "core20",
    "segment",
    "ltc_count",
    "missing_checks",
    "checks_done",
    "optional_checks",
    "reasons",
];

/// Columns a worklist CSV can have once the risk model is fitted.
pub const RISK_COLUMNS: [&str; 2] = ["risk_percent", "risk_tier"];

fn worklist(members: &[MemberReport]) -> String {
    let rows = members.iter().map(|m| Row { member: Cow::Borrowed(m), risk: None });
    worklist_csv(rows, &WORKLIST_COLUMNS, true).expect("the default columns exist")
}

/// A worklist as CSV with the chosen columns, e.g. `["nhs_number"]` without
/// a header for a list a GP system can import as a patient group. The risk
/// columns are blank for a person the model did not score.
pub fn worklist_csv<'a>(
    rows: impl IntoIterator<Item = Row<'a>>,
    columns: &[&str],
    header: bool,
) -> Result<String, String> {
    if let Some(bad) = columns.iter().find(|c| !WORKLIST_COLUMNS.contains(c) && !RISK_COLUMNS.contains(c)) {
        return Err(format!(
            "there is no column '{bad}' (columns: {}, and with the risk model {})",
            WORKLIST_COLUMNS.join(", "),
            RISK_COLUMNS.join(", ")
        ));
    }
    let mut w = writer();
    if header {
        w.write_record(columns).unwrap();
    }
    for row in rows {
        w.write_record(columns.iter().map(|c| match *c {
            "risk_percent" => row.risk.map(|r| format!("{:.1}", r.percent)).unwrap_or_default(),
            "risk_tier" => row.risk.map(|r| r.tier.to_string()).unwrap_or_default(),
            _ => cell(&row.member, c),
        }))
        .unwrap();
    }
    Ok(finish(w))
}

fn cell(m: &MemberReport, column: &str) -> String {
    // Checks that are not required never put anyone on a list: shown apart.
    let checks = |required: bool, done: Option<bool>| {
        let list: Vec<String> = m
            .checks
            .iter()
            .filter(|c| c.required == required && done.is_none_or(|d| c.done == d))
            .map(check_text)
            .collect();
        list.join("; ")
    };
    match column {
        "patient_id" => m.patient_id.clone(),
        "nhs_number" => m.nhs_number.clone().unwrap_or_default(),
        "name" => m.name.clone().unwrap_or_default(),
        "age" => m.age.to_string(),
        "sex" => id_of(&m.sex),
        "ethnicity_group" => id_of(&m.ethnicity_group),
        "imd_quintile" => m.imd_quintile.map(|q| q.to_string()).unwrap_or_default(),
        "core20" => (if m.core20 { "yes" } else { "no" }).to_owned(),
        "segment" => m.segment.clone(),
        "ltc_count" => m.ltc_count.to_string(),
        "missing_checks" => checks(true, Some(false)),
        "checks_done" => checks(true, Some(true)),
        "optional_checks" => checks(false, None),
        "reasons" => m.reasons.iter().map(reason_text).collect::<Vec<_>>().join("; "),
        _ => unreachable!("columns are checked first"),
    }
}
