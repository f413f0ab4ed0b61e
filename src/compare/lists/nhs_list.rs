//! Lists of NHS numbers as GP systems export them: a column of a CSV
//! (EMIS puts title lines before the header) or one number a line.

use std::collections::HashMap;

use serde::Serialize;

use super::TheirList;
use crate::ingest::{decode_cp1252, detect_delimiter, nhs_number_check, normalise_header, NhsNumber, MAX_DIAGNOSTICS};

/// A line of a list of NHS numbers that gave no number, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListDiagnostic {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// A valid NHS number and the line it was first on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListedNumber {
    pub number: String,
    pub line: usize,
}

/// A list of NHS numbers as read from a GP system's export.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NhsNumberList {
    pub file: String,
    /// How the list is named in a comparison; the file name unless changed.
    pub label: String,
    /// Lines read: every line of the file, blank ones included.
    pub read: usize,
    /// Each valid number once, in file order.
    pub numbers: Vec<ListedNumber>,
    /// Lines that gave no new number (titles, header, blank, invalid, repeated).
    pub not_used: usize,
    pub column: Option<String>,
    /// One per line not used, up to [`MAX_DIAGNOSTICS`].
    pub diagnostics: Vec<ListDiagnostic>,
}

/// Headers are looked for in this many lines at most (EMIS puts a few
/// title lines first).
const HEADER_SEARCH_LINES: usize = 50;

/// Reads a list of NHS numbers: one per line, or a CSV with a header where
/// one column holds them ("NHS Number", "NHS No", "nhs_number", …), perhaps
/// after a few title lines. Spaces and dashes in numbers are ignored. Every
/// line that gives no new valid number gets a diagnostic with its line
/// number; numbers and names are never quoted.
pub fn read_nhs_number_list(file: &str, bytes: &[u8]) -> NhsNumberList {
    let text = decode_text(bytes);
    let lines = split_lines(&text);
    let mut list =
        NhsNumberList { file: file.to_owned(), label: file.to_owned(), read: lines.len(), ..Default::default() };
    let note = |list: &mut NhsNumberList, line: usize, message: String| {
        list.not_used += 1;
        if list.diagnostics.len() < MAX_DIAGNOSTICS {
            list.diagnostics.push(ListDiagnostic { file: file.to_owned(), line, message });
        }
    };

    let header = find_header(&lines);
    let (first_data, column, delimiter) = match &header {
        Some(h) => (h.line + 1, Some(h.column), h.delimiter),
        None => {
            let first = lines.iter().find(|l| !l.trim().is_empty()).copied().unwrap_or("");
            (0, None, detect_delimiter(first.as_bytes()) as char)
        }
    };
    if let Some(h) = &header {
        for (i, line) in lines[..h.line].iter().enumerate() {
            let message =
                if line.trim().is_empty() { "blank line" } else { "a title line before the header: not read" };
            note(&mut list, i + 1, message.into());
        }
        list.column = Some(h.name.clone());
        note(&mut list, h.line + 1, format!("the header: NHS numbers are read from column '{}'", h.name));
    }

    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, line) in lines.iter().enumerate().skip(first_data) {
        let n = i + 1;
        let fields = split_fields(line, delimiter);
        if fields.iter().all(|f| f.trim().is_empty()) {
            note(&mut list, n, "blank line".into());
            continue;
        }
        let cell = match column {
            Some(c) => fields.get(c).map(String::as_str).unwrap_or(""),
            None => fields.iter().map(String::as_str).find(|f| !f.trim().is_empty()).unwrap_or(""),
        };
        match nhs_number_check(cell.trim().trim_start_matches('\'')) {
            NhsNumber::Blank => {
                let message = match &header {
                    Some(h) => format!("no NHS number in column '{}'", h.name),
                    None => "no NHS number".into(),
                };
                note(&mut list, n, message);
            }
            NhsNumber::Invalid { reason, .. } => note(&mut list, n, format!("not a valid NHS number ({reason})")),
            NhsNumber::Valid(number) => match seen.get(&number) {
                Some(&first) => note(&mut list, n, format!("the same NHS number as line {first}: counted once")),
                None => {
                    seen.insert(number.clone(), n);
                    list.numbers.push(ListedNumber { number, line: n });
                }
            },
        }
    }
    list
}

impl NhsNumberList {
    pub(super) fn summary(&self) -> TheirList {
        TheirList {
            file: self.file.clone(),
            read: self.read,
            numbers: self.numbers.len(),
            not_used: self.not_used,
            column: self.column.clone(),
            diagnostics: self.diagnostics.clone(),
        }
    }
}

struct Header {
    /// Index of the header line.
    line: usize,
    column: usize,
    /// The column's header as written.
    name: String,
    delimiter: char,
}

/// The first line (of the first few) with an NHS number column, unless a
/// valid NHS number comes first: then the file has no header.
fn find_header(lines: &[&str]) -> Option<Header> {
    for (i, line) in lines.iter().enumerate().take(HEADER_SEARCH_LINES) {
        let delimiter = detect_delimiter(line.as_bytes()) as char;
        let fields = split_fields(line, delimiter);
        // An exact name first, so "NHS number status" does not take the place of "NHS number".
        let exact = fields.iter().position(|f| matches!(normalise_header(f).as_str(), "nhs" | "nhsno" | "nhsnumber"));
        if let Some(column) = exact.or_else(|| fields.iter().position(|f| is_nhs_number_header(f))) {
            return Some(Header { line: i, column, name: fields[column].trim().to_owned(), delimiter });
        }
        if fields.iter().any(|f| nhs_number_check(f).is_valid()) {
            return None;
        }
    }
    None
}

fn is_nhs_number_header(cell: &str) -> bool {
    let h = normalise_header(cell);
    h == "nhs" || h.starts_with("nhsno") || h.starts_with("nhsnum")
}

/// UTF-8 (with or without a byte-order mark), UTF-16 with one, or else Windows-1252.
fn decode_text(bytes: &[u8]) -> String {
    let utf16 = |little: bool| {
        let units = bytes[2..].chunks_exact(2).map(|c| {
            if little {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect()
    };
    if bytes.starts_with(&[0xFF, 0xFE]) {
        return utf16(true);
    }
    if bytes.starts_with(&[0xFE, 0xFF]) {
        return utf16(false);
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => decode_cp1252(bytes),
    }
}

/// Lines ended by LF, CRLF or a lone CR; nothing after a final line end.
fn split_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let bytes = text.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push(&text[start..i]);
                start = i + 1;
            }
            b'\r' => {
                lines.push(&text[start..i]);
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// One line's fields; double quotes group and "" is a quote.
fn split_fields(line: &str, delimiter: char) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (false, '"') => quoted = true,
            (false, c) if c == delimiter => fields.push(std::mem::take(&mut field)),
            (_, c) => field.push(c),
        }
    }
    fields.push(field);
    fields
}
