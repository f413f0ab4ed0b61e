//! The row loop shared by the patients and events files, and the report
//! that collects counts and diagnostics.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::io::Read;

use csv::ByteRecord;

use super::delimited::{self, FieldSpec, PrepareError};
use super::fields;
use super::{Diagnostic, FileKind, FileReport, Severity, MAX_DIAGNOSTICS};

/// Builds a [`FileReport`]; formats a message only when it will be shown.
pub struct Report {
    pub inner: FileReport,
}

impl Report {
    pub fn new(file: &str, kind: FileKind) -> Report {
        Report {
            inner: FileReport {
                file: file.to_owned(),
                kind,
                delimiter: ",".into(),
                read: 0,
                accepted: 0,
                rejected: 0,
                warnings: 0,
                columns: BTreeMap::new(),
                ignored_columns: Vec::new(),
                diagnostics: Vec::new(),
                diagnostics_not_shown: 0,
                by_kind: BTreeMap::new(),
                fhir: None,
                event_dates: Default::default(),
            },
        }
    }

    pub fn push(
        &mut self,
        line: u64,
        column: Option<&str>,
        severity: Severity,
        kind: &'static str,
        message: impl FnOnce() -> String,
    ) {
        self.push_at(line, None, column, severity, kind, message);
    }

    /// As [`Report::push`], with the character position of a syntax error.
    pub fn push_at(
        &mut self,
        line: u64,
        column_number: Option<u64>,
        column: Option<&str>,
        severity: Severity,
        kind: &'static str,
        message: impl FnOnce() -> String,
    ) {
        let r = &mut self.inner;
        match r.by_kind.get_mut(kind) {
            Some(n) => *n += 1,
            None => {
                r.by_kind.insert(kind.to_owned(), 1);
            }
        }
        if severity == Severity::Warning {
            r.warnings += 1;
        }
        if r.diagnostics.len() < MAX_DIAGNOSTICS {
            r.diagnostics.push(Diagnostic {
                file: r.file.clone(),
                line,
                column: column.map(str::to_owned),
                column_number,
                severity,
                kind,
                message: message(),
            });
        } else {
            r.diagnostics_not_shown += 1;
        }
    }

    pub fn error(&mut self, line: u64, column: Option<&str>, kind: &'static str, message: impl FnOnce() -> String) {
        self.push(line, column, Severity::Error, kind, message);
    }

    pub fn warning(&mut self, line: u64, column: Option<&str>, kind: &'static str, message: impl FnOnce() -> String) {
        self.push(line, column, Severity::Warning, kind, message);
    }
}

/// One data row, with cells looked up by field index.
pub struct Row<'r> {
    record: &'r ByteRecord,
    columns: &'r [Option<usize>],
    headers: &'r [String],
    pub line: u64,
    not_utf8: Cell<bool>,
}

impl<'r> Row<'r> {
    /// The trimmed cell for field `f`; empty when the column is absent or
    /// the row is short.
    #[inline]
    pub fn get(&self, f: usize) -> Cow<'r, str> {
        match self.columns[f] {
            Some(c) => self.cell(c),
            None => Cow::Borrowed(""),
        }
    }

    /// The raw trimmed bytes of field `f` (no decoding).
    #[inline]
    pub fn bytes(&self, f: usize) -> &'r [u8] {
        self.columns[f].and_then(|c| self.record.get(c)).unwrap_or(b"").trim_ascii()
    }

    /// Whether the file has a column for field `f`.
    pub fn has(&self, f: usize) -> bool {
        self.columns[f].is_some()
    }

    /// The header, as written, of field `f`'s column.
    pub fn header(&self, f: usize) -> Option<&'r str> {
        self.columns[f].map(|c| self.headers[c].as_str())
    }

    /// Every header of the file, as written.
    pub fn headers(&self) -> &'r [String] {
        self.headers
    }

    /// The trimmed cell in column `c` (by position), for columns no field names.
    pub fn cell(&self, c: usize) -> Cow<'r, str> {
        let bytes = self.record.get(c).unwrap_or(b"").trim_ascii();
        let mut flag = false;
        let cell = delimited::decode(bytes, &mut flag);
        if flag {
            self.not_utf8.set(true);
            Cow::Owned(cell.trim().to_owned())
        } else {
            cell
        }
    }
}

/// Reads a whole file: detects its layout, maps the headers, then calls
/// `on_row` for each non-blank data row; `on_row` returns whether the row
/// was accepted. Keeps `read == accepted + rejected`.
pub fn read_rows(
    file: &str,
    kind: FileKind,
    reader: impl Read,
    fields: &[FieldSpec],
    mapping: &BTreeMap<String, String>,
    mut on_row: impl FnMut(&Row, &mut Report) -> bool,
) -> FileReport {
    let mut report = Report::new(file, kind);
    let prepared = match delimited::prepare(reader) {
        Ok(p) => p,
        Err(PrepareError::Utf16) => {
            report.error(1, None, "utf16_encoding", || "file is UTF-16 encoded; save it as UTF-8 CSV".into());
            return report.inner;
        }
        Err(PrepareError::Io(e)) => {
            report.error(1, None, "read_error", || format!("the file could not be read: {e}"));
            return report.inner;
        }
    };
    report.inner.delimiter = delimited::delimiter_name(prepared.delimiter).into();
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(prepared.delimiter)
        .has_headers(false)
        .flexible(true)
        // LF only: a CR before it stays in the last cell and is trimmed, so
        // every record's terminator is consumed with the record.
        .terminator(csv::Terminator::Any(b'\n'))
        .buffer_capacity(1 << 16)
        .from_reader(prepared.reader);
    let mut record = ByteRecord::new();
    let mut not_utf8_warned = false;

    // The header is the first non-blank record.
    let header_line;
    let headers: Vec<String> = loop {
        match csv.read_byte_record(&mut record) {
            Ok(true) if is_blank(&record) => continue,
            Ok(true) => {
                header_line = start_line(&record, &csv);
                let mut flag = false;
                let h = record.iter().map(|b| delimited::decode(b, &mut flag).trim().to_owned()).collect();
                if flag {
                    not_utf8_warned = true;
                    report.warning(header_line, None, "not_utf8", not_utf8_message);
                }
                break h;
            }
            Ok(false) => {
                report.error(1, None, "empty_file", || "the file is empty: expected a header line".into());
                return report.inner;
            }
            Err(e) => {
                report.error(1, None, "read_error", || format!("the file could not be read: {e}"));
                return report.inner;
            }
        }
    };

    let map = delimited::map_headers(&headers, fields, mapping);
    report.inner.columns = map.used.clone();
    report.inner.ignored_columns = map.ignored.clone();
    for (field, header) in &map.mapped_not_found {
        if fields.iter().any(|f| f.name == field && !f.required) {
            report.warning(header_line, None, "mapped_column_not_found", || {
                format!(
                    "the column mapping names '{header}' for {field}, \
                     but the file has no such header"
                )
            });
        }
    }
    let missing: Vec<&str> =
        fields.iter().zip(&map.columns).filter(|(f, c)| f.required && c.is_none()).map(|(f, _)| f.name).collect();
    if !missing.is_empty() {
        report.error(header_line, Some(missing[0]), "missing_column", || {
            let mapped: Vec<String> = map
                .mapped_not_found
                .iter()
                .filter(|(f, _)| missing.contains(&f.as_str()))
                .map(|(f, h)| format!("{f} is mapped to '{h}'"))
                .collect();
            // One header holding the others: the file is delimited by
            // something other than the four delimiters detected.
            let one_column = if headers.len() == 1 {
                "; the header is one column: save the file with commas, tabs, semicolons or pipes between the fields"
            } else {
                ""
            };
            format!(
                "required column{} {} not found, so no rows were loaded (headers found: {}){}{one_column}",
                if missing.len() == 1 { "" } else { "s" },
                missing.iter().map(|m| format!("'{m}'")).collect::<Vec<_>>().join(", "),
                headers.iter().map(|h| format!("'{}'", fields::shorten(h))).collect::<Vec<_>>().join(", "),
                if mapped.is_empty() { String::new() } else { format!("; {}", mapped.join(", ")) }
            )
        });
    }

    loop {
        match csv.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(1);
                report.error(line, None, "read_error", || format!("reading stopped here: {e}"));
                break;
            }
        }
        if is_blank(&record) {
            continue;
        }
        report.inner.read += 1;
        if !missing.is_empty() {
            report.inner.rejected += 1;
            continue;
        }
        let row = Row {
            record: &record,
            columns: &map.columns,
            headers: &headers,
            line: start_line(&record, &csv),
            not_utf8: Cell::new(false),
        };
        if csv.get_ref().unclosed_quote_end() == Some(csv.position().byte()) {
            // The quote swallowed every line after it into this row: the
            // rows on them were never read, so the file must be fixed.
            let last = csv.position().line().saturating_sub(1);
            report.error(row.line, None, "unclosed_quote", || {
                format!(
                    "a quote opened in this row is never closed, so lines {} to {last} (the end of the file) \
                     were read as part of this row; close the quote (a quote inside a cell is written twice) \
                     and load the file again",
                    row.line
                )
            });
            report.inner.rejected += 1;
            continue;
        }
        if on_row(&row, &mut report) {
            report.inner.accepted += 1;
            cell_count(&row, &record, headers.len(), &mut report);
        } else {
            report.inner.rejected += 1;
        }
        if row.not_utf8.get() && !not_utf8_warned {
            not_utf8_warned = true;
            report.warning(row.line, None, "not_utf8", not_utf8_message);
        }
    }
    if report.inner.read == 0 && !report.inner.by_kind.contains_key("read_error") {
        report.warning(header_line, None, "no_rows", || "the file has a header but no rows".into());
    }
    report.inner
}

/// A warning for a kept row with more cells than the header, not blank:
/// those cells were not read (often a comma in an unquoted cell). A short
/// row needs none: its missing cells are blank, as an exporter may write.
fn cell_count(row: &Row, record: &ByteRecord, header_len: usize, report: &mut Report) {
    if record.iter().skip(header_len).any(|c| !c.trim_ascii().is_empty()) {
        report.warning(row.line, None, "extra_cells", || {
            format!(
                "the row has {} cells but the header {header_len}; the cells beyond the header's were not read",
                record.len()
            )
        });
    }
}

fn not_utf8_message() -> String {
    "the file is not all UTF-8; text was read as Windows-1252 (save it as CSV UTF-8 to be sure)".into()
}

/// The physical line a record starts on. The csv position of a record is
/// where the reader stood before it, which is before any blank lines that
/// were skipped; so count back from the line after the record instead: that
/// line, less the record's own terminator, less newlines inside quoted cells.
fn start_line<R: Read>(record: &ByteRecord, csv: &csv::Reader<R>) -> u64 {
    let before = record.position().map_or(1, |p| p.line());
    let after = csv.position().line();
    if after <= before + 1 {
        return before;
    }
    let embedded = record.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
    after.saturating_sub(embedded + 1).max(before)
}

/// A record with only empty or whitespace cells (such as `,,,`).
fn is_blank(record: &ByteRecord) -> bool {
    record.iter().all(|f| f.trim_ascii().is_empty())
}
