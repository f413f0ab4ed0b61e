//! The row loop shared by the patients and events files, and the report
//! that collects counts and diagnostics.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::io::Read;

use super::delimited::{self, FieldSpec, LineEnds, Utf16};
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

/// One record's cells: where each ends in `data`, and the bytes between one
/// cell's end and the next one's start (none as the CSV parser writes them,
/// end to end; one, the delimiter, in a line read as it stands).
#[derive(Clone, Copy)]
struct Cells<'a> {
    data: &'a [u8],
    ends: &'a [usize],
    gap: usize,
}

impl<'a> Cells<'a> {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, i: usize) -> Option<&'a [u8]> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] + self.gap };
        Some(&self.data[start..end])
    }

    fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// Every byte of the record, from its first cell to the end of its last.
    fn bytes(&self) -> &'a [u8] {
        &self.data[..self.ends.last().copied().unwrap_or(0)]
    }
}

/// One data row, with cells looked up by field index.
pub struct Row<'r> {
    record: Cells<'r>,
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

    /// The trimmed cell for field `f`, or `None` when it is empty. Most
    /// optional cells are: an empty one is known from its bytes, undecoded.
    #[inline]
    pub fn non_empty(&self, f: usize) -> Option<Cow<'r, str>> {
        if self.bytes(f).is_empty() {
            return None;
        }
        Some(self.get(f)).filter(|text| !text.is_empty())
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

/// Reads a whole file through a [`RowReader`]: see [`RowReader::push`].
pub fn read_rows(
    file: &str,
    kind: FileKind,
    mut reader: impl Read,
    fields: &'static [FieldSpec],
    mapping: BTreeMap<String, String>,
    mut on_row: impl FnMut(&Row, &mut Report) -> bool,
) -> FileReport {
    let mut rows = RowReader::new(file, kind, fields, mapping);
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => rows.push(&buf[..n], &mut on_row),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                rows.fail(&e);
                break;
            }
        }
    }
    rows.finish(&mut on_row)
}

/// A delimited file read as its bytes arrive, in chunks of any size: detects
/// its layout, maps the headers, then calls `on_row` for each non-blank data
/// row; `on_row` returns whether the row was accepted. Keeps `read ==
/// accepted + rejected`. How the bytes are cut into chunks never changes
/// what is read.
pub struct RowReader {
    report: Report,
    fields: &'static [FieldSpec],
    mapping: BTreeMap<String, String>,
    stage: Stage,
}

enum Stage {
    /// Looking for the layout: the bytes so far.
    Start(Vec<u8>),
    Rows(Box<Rows>),
    /// Nothing more is read (a UTF-16 file, a read error).
    Stopped,
}

/// Where the parser stands: bytes consumed and the line it is on.
#[derive(Clone, Copy)]
struct Position {
    byte: u64,
    line: u64,
}

/// The parser and what it knows of the file once its layout is known.
struct Rows {
    parser: csv_core::Reader,
    line_ends: LineEnds,
    /// The record being parsed (its cells' bytes end to end, and where each
    /// ends), how much of it is written, and where it started.
    data: Vec<u8>,
    ends: Vec<usize>,
    written: (usize, usize),
    start: Position,
    at: Position,
    /// The parser has just ended a record, so the next line may be split
    /// without it (see [`Rows::plain_line`]).
    at_record_start: bool,
    delimiter: u8,
    /// Where the cells of a line read as it stands end.
    plain_ends: Vec<usize>,
    ended: bool,
    rows: RowState,
}

/// What the rows are read with once the header is known.
struct RowState {
    header: Option<Header>,
    not_utf8_warned: bool,
}

/// The header and what it maps to.
struct Header {
    headers: Vec<String>,
    columns: Vec<Option<usize>>,
    line: u64,
    missing_required: bool,
}

impl RowReader {
    pub fn new(
        file: &str,
        kind: FileKind,
        fields: &'static [FieldSpec],
        mapping: BTreeMap<String, String>,
    ) -> RowReader {
        RowReader { report: Report::new(file, kind), fields, mapping, stage: Stage::Start(Vec::new()) }
    }

    /// Reads the next bytes of the file.
    pub fn push(&mut self, bytes: &[u8], on_row: &mut impl FnMut(&Row, &mut Report) -> bool) {
        match &mut self.stage {
            Stage::Start(prefix) => {
                prefix.extend_from_slice(bytes);
                self.begin(false, on_row);
            }
            Stage::Rows(rows) => rows.feed(bytes, false, &mut self.report, self.fields, &self.mapping, on_row),
            Stage::Stopped => {}
        }
    }

    /// Line ends the parser has passed.
    pub fn lines_read(&self) -> u64 {
        match &self.stage {
            Stage::Rows(rows) => rows.at.line - 1,
            _ => 0,
        }
    }

    /// Records that the file could not be read on from here, and stops.
    pub fn fail(&mut self, e: &dyn std::fmt::Display) {
        match &self.stage {
            Stage::Rows(rows) if rows.rows.header.is_some() => {
                let line = rows.at.line;
                self.report.error(line, None, "read_error", || format!("reading stopped here: {e}"));
            }
            Stage::Stopped => {}
            _ => self.report.error(1, None, "read_error", || format!("the file could not be read: {e}")),
        }
        self.stage = Stage::Stopped;
    }

    /// The file has ended: reads its last row and gives the report.
    pub fn finish(mut self, on_row: &mut impl FnMut(&Row, &mut Report) -> bool) -> FileReport {
        if let Stage::Start(_) = self.stage {
            self.begin(true, on_row);
        }
        if let Stage::Rows(rows) = &mut self.stage {
            let report = &mut self.report;
            let end = rows.line_ends.end();
            rows.feed(end, true, report, self.fields, &self.mapping, on_row);
            match &rows.rows.header {
                None => report.error(1, None, "empty_file", || "the file is empty: expected a header line".into()),
                Some(h) if report.inner.read == 0 => {
                    report.warning(h.line, None, "no_rows", || "the file has a header but no rows".into())
                }
                Some(_) => {}
            }
        }
        self.report.inner
    }

    /// Once the start of the file shows its layout, hands what was held
    /// back to the parser.
    fn begin(&mut self, eof: bool, on_row: &mut impl FnMut(&Row, &mut Report) -> bool) {
        let Stage::Start(prefix) = &mut self.stage else { return };
        match delimited::layout(prefix, eof) {
            None => {}
            Some(Err(Utf16)) => {
                self.report.error(1, None, "utf16_encoding", || "file is UTF-16 encoded; save it as UTF-8 CSV".into());
                self.stage = Stage::Stopped;
            }
            Some(Ok(layout)) => {
                let prefix = std::mem::take(prefix);
                self.report.inner.delimiter = delimited::delimiter_name(layout.delimiter).into();
                let parser = csv_core::ReaderBuilder::new()
                    .delimiter(layout.delimiter)
                    // LF only: a CR before it stays in the last cell and is trimmed, so
                    // every record's terminator is consumed with the record.
                    .terminator(csv_core::Terminator::Any(b'\n'))
                    .build();
                let mut rows = Box::new(Rows {
                    parser,
                    line_ends: LineEnds::new(layout.cr_only),
                    data: vec![0; 1024],
                    ends: vec![0; 32],
                    written: (0, 0),
                    start: Position { byte: 0, line: 1 },
                    at: Position { byte: 0, line: 1 },
                    at_record_start: false,
                    delimiter: layout.delimiter,
                    plain_ends: Vec::new(),
                    ended: false,
                    rows: RowState { header: None, not_utf8_warned: false },
                });
                rows.feed(&prefix[layout.bom..], false, &mut self.report, self.fields, &self.mapping, on_row);
                self.stage = Stage::Rows(rows);
            }
        }
    }
}

impl Rows {
    /// Parses the next bytes (at the end of the file, `eof`: its last).
    fn feed(
        &mut self,
        bytes: &[u8],
        eof: bool,
        report: &mut Report,
        fields: &[FieldSpec],
        mapping: &BTreeMap<String, String>,
        on_row: &mut impl FnMut(&Row, &mut Report) -> bool,
    ) {
        use csv_core::ReadRecordResult;
        let passed = self.line_ends.pass(bytes);
        let mut input: &[u8] = &passed;
        loop {
            // Empty input tells the parser the file has ended.
            if self.ended || (input.is_empty() && !eof) {
                return;
            }
            if self.at_record_start {
                if let Some(line) = self.plain_line(input) {
                    input = &input[line.len() + 1..];
                    self.at = Position { byte: self.at.byte + line.len() as u64 + 1, line: self.at.line + 1 };
                    // An empty line is passed over, as the parser passes over it.
                    if !line.is_empty() {
                        let cells = Cells { data: line, ends: &self.plain_ends, gap: 1 };
                        let at = self.start_line(cells);
                        self.rows.read(cells, at, None, report, fields, mapping, on_row);
                        self.start = self.at;
                    }
                    continue;
                }
                self.parser.set_line(self.at.line);
            }
            let (data, ends) = self.written;
            let (result, read, wrote, ended) =
                self.parser.read_record(input, &mut self.data[data..], &mut self.ends[ends..]);
            input = &input[read..];
            self.at = Position { byte: self.at.byte + read as u64, line: self.parser.line() };
            self.written = (data + wrote, ends + ended);
            self.at_record_start = result == ReadRecordResult::Record;
            match result {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => {
                    let n = self.data.len();
                    self.data.resize(n * 2, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let n = self.ends.len();
                    self.ends.resize(n * 2, 0);
                }
                ReadRecordResult::Record => {
                    let cells = Cells { data: &self.data, ends: &self.ends[..self.written.1], gap: 0 };
                    let at = self.start_line(cells);
                    // A record that ends where the file does, inside a quote, holds the rest of the file.
                    let swallowed = (self.line_ends.unclosed_quote_end() == Some(self.at.byte))
                        .then(|| self.at.line.saturating_sub(1));
                    self.rows.read(cells, at, swallowed, report, fields, mapping, on_row);
                    self.written = (0, 0);
                    self.start = self.at;
                }
                ReadRecordResult::End => self.ended = true,
            }
        }
    }

    /// The next line, when it holds no quote and ends within `input`: its
    /// cells are split here, exactly as the parser would split them (only
    /// the quote and the line end are special to it besides the delimiter),
    /// several times faster than its byte-by-byte state machine, and read
    /// where they stand. The line, without its LF; where its cells end is
    /// in `self.plain_ends`.
    fn plain_line<'i>(&mut self, input: &'i [u8]) -> Option<&'i [u8]> {
        let end = memchr::memchr2(b'\n', b'"', input)?;
        if input[end] == b'"' {
            return None;
        }
        let line = &input[..end];
        self.plain_ends.clear();
        self.plain_ends.extend(memchr::memchr_iter(self.delimiter, line));
        self.plain_ends.push(line.len());
        Some(line)
    }

    /// The physical line the record just read starts on. The parser's line
    /// where the record began is before any blank lines it passed over; so
    /// count back from the line after the record instead: that line, less
    /// the record's own terminator, less newlines inside quoted cells.
    fn start_line(&self, cells: Cells) -> u64 {
        let (before, after) = (self.start.line, self.at.line);
        if after <= before + 1 {
            return before;
        }
        let embedded = cells.bytes().iter().filter(|&&b| b == b'\n').count() as u64;
        after.saturating_sub(embedded + 1).max(before)
    }
}

impl RowState {
    /// One whole record, starting on `line`: the header, or a row.
    /// `swallowed`: the last line of the file, when an unclosed quote made
    /// this record run to it.
    #[allow(clippy::too_many_arguments)]
    fn read(
        &mut self,
        record: Cells,
        line: u64,
        swallowed: Option<u64>,
        report: &mut Report,
        fields: &[FieldSpec],
        mapping: &BTreeMap<String, String>,
        on_row: &mut impl FnMut(&Row, &mut Report) -> bool,
    ) {
        if is_blank(record) {
            return;
        }
        let Some(header) = &self.header else {
            self.header = Some(read_header(record, line, fields, mapping, report, &mut self.not_utf8_warned));
            return;
        };
        report.inner.read += 1;
        if header.missing_required {
            report.inner.rejected += 1;
            return;
        }
        if let Some(last) = swallowed {
            // The rows on the lines after the quote were never read, so the file must be fixed.
            report.error(line, None, "unclosed_quote", || {
                format!(
                    "a quote opened in this row is never closed, so lines {line} to {last} (the end of the file) \
                     were read as part of this row; close the quote (a quote inside a cell is written twice) \
                     and load the file again"
                )
            });
            report.inner.rejected += 1;
            return;
        }
        let row = Row { record, columns: &header.columns, headers: &header.headers, line, not_utf8: Cell::new(false) };
        if on_row(&row, report) {
            report.inner.accepted += 1;
            cell_count(&row, record, header.headers.len(), report);
        } else {
            report.inner.rejected += 1;
        }
        if row.not_utf8.get() && !self.not_utf8_warned {
            self.not_utf8_warned = true;
            report.warning(line, None, "not_utf8", not_utf8_message);
        }
    }
}

/// The header (the first non-blank record) mapped to the fields, with the
/// warnings and the error it gives.
fn read_header(
    record: Cells,
    line: u64,
    fields: &[FieldSpec],
    mapping: &BTreeMap<String, String>,
    report: &mut Report,
    not_utf8_warned: &mut bool,
) -> Header {
    let mut flag = false;
    let headers: Vec<String> = record.iter().map(|b| delimited::decode(b, &mut flag).trim().to_owned()).collect();
    if flag {
        *not_utf8_warned = true;
        report.warning(line, None, "not_utf8", not_utf8_message);
    }
    let map = delimited::map_headers(&headers, fields, mapping);
    report.inner.columns = map.used.clone();
    report.inner.ignored_columns = map.ignored.clone();
    for (field, header) in &map.mapped_not_found {
        if fields.iter().any(|f| f.name == field && !f.required) {
            report.warning(line, None, "mapped_column_not_found", || {
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
        report.error(line, Some(missing[0]), "missing_column", || {
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
    Header { missing_required: !missing.is_empty(), columns: map.columns, headers, line }
}

/// A warning for a kept row with more cells than the header, not blank:
/// those cells were not read (often a comma in an unquoted cell). A short
/// row needs none: its missing cells are blank, as an exporter may write.
fn cell_count(row: &Row, record: Cells, header_len: usize, report: &mut Report) {
    if (header_len..record.len()).any(|c| record.get(c).is_some_and(|c| !c.trim_ascii().is_empty())) {
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

/// A record with only empty or whitespace cells (such as `,,,`).
fn is_blank(record: Cells) -> bool {
    record.iter().all(|f| f.trim_ascii().is_empty())
}
