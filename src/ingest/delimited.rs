//! The text layer: byte-order marks, delimiter detection, Windows-1252
//! fallback and matching the user's headers to canonical fields.

use std::borrow::Cow;
use std::collections::BTreeMap;

/// Delimiters recognised in the header line, in tie-breaking order.
const DELIMITERS: [u8; 4] = [b',', b'\t', b';', b'|'];

/// Most bytes read while looking for the end of the header line.
const HEADER_SCAN_LIMIT: usize = 1 << 20;

/// How a file is laid out, read from its start: the delimiter, the line
/// ends and whether a UTF-8 byte-order mark comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub delimiter: u8,
    /// Old Mac exports end lines with a lone CR.
    pub cr_only: bool,
    /// Bytes of byte-order mark to pass over.
    pub bom: usize,
}

/// A file in UTF-16, which is refused.
#[derive(Debug, PartialEq, Eq)]
pub struct Utf16;

/// Reads the layout from the start of a file: strips a UTF-8 BOM, refuses
/// UTF-16 and detects the delimiter and line ends. `None` while more bytes
/// are needed: the header line (the first that is not blank) and one byte
/// past its end (to tell CR-only line ends from CRLF), or the end of the file
/// (`eof`), or the first megabyte. Only that much is ever looked at, so the
/// answer does not depend on how the file arrives in chunks.
pub fn layout(prefix: &[u8], eof: bool) -> Option<Result<Layout, Utf16>> {
    let view = &prefix[..prefix.len().min(HEADER_SCAN_LIMIT)];
    let mut in_quotes = false;
    let mut line_start = 0;
    let mut scanned = 0;
    // (start, end) of the header: the first line that is not blank.
    let mut header: Option<(usize, usize)> = None;
    while let Some(e) = find_line_end(&view[scanned..], &mut in_quotes) {
        let end = scanned + e;
        if skip_bom(&view[line_start..end], line_start).trim_ascii().is_empty() {
            line_start = end + 1;
            scanned = end + 1;
        } else {
            header = Some((line_start, end));
            break;
        }
    }
    let complete = header.is_some_and(|(_, e)| e + 1 < view.len());
    if !(eof || complete || view.len() >= HEADER_SCAN_LIMIT) {
        return None;
    }
    if view.starts_with(&[0xFF, 0xFE]) || view.starts_with(&[0xFE, 0xFF]) {
        return Some(Err(Utf16));
    }
    let (header_start, header_end) = header.unwrap_or((line_start.min(view.len()), view.len()));
    Some(Ok(Layout {
        delimiter: detect_delimiter(skip_bom(&view[header_start..header_end], header_start)),
        cr_only: view.get(header_end) == Some(&b'\r') && view.get(header_end + 1) != Some(&b'\n'),
        bom: if view.starts_with(UTF8_BOM) { UTF8_BOM.len() } else { 0 },
    }))
}

/// What the CSV parser is fed, chunk by chunk: lone-CR line ends turned into
/// LF when the file uses them, and an LF supplied after a last line without
/// one, so that every record's terminator is consumed with it and line
/// numbers can be worked out. Counts quotes on the way, to tell a file that
/// ends inside a quoted cell.
pub struct LineEnds {
    cr_only: bool,
    last: u8,
    done: bool,
    /// An odd number of `"` so far (a doubled quote counts twice).
    odd_quotes: bool,
    /// Bytes handed on, the LF supplied at the end included.
    delivered: u64,
}

impl LineEnds {
    pub fn new(cr_only: bool) -> LineEnds {
        LineEnds { cr_only, last: b'\n', done: false, odd_quotes: false, delivered: 0 }
    }

    /// The next chunk of the file, as the parser is to read it.
    pub fn pass<'a>(&mut self, bytes: &'a [u8]) -> Cow<'a, [u8]> {
        let Some(&last) = bytes.last() else {
            return Cow::Borrowed(bytes);
        };
        self.odd_quotes ^= memchr::memchr_iter(b'"', bytes).count() % 2 == 1;
        self.delivered += bytes.len() as u64;
        if self.cr_only {
            self.last = if last == b'\r' { b'\n' } else { last };
            Cow::Owned(bytes.iter().map(|&b| if b == b'\r' { b'\n' } else { b }).collect())
        } else {
            self.last = last;
            Cow::Borrowed(bytes)
        }
    }

    /// The file has ended: the LF to hand on after a last line without one.
    pub fn end(&mut self) -> &'static [u8] {
        self.done = true;
        if self.last == b'\n' {
            return b"";
        }
        self.last = b'\n';
        self.delivered += 1;
        b"\n"
    }

    /// Once the whole file has been read and it ended inside a quoted cell
    /// (a quote opened and never closed): the bytes handed on, which is
    /// where the parser stands after the record that holds the rest of
    /// the file.
    pub fn unclosed_quote_end(&self) -> Option<u64> {
        (self.done && self.odd_quotes).then_some(self.delivered)
    }
}

const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

/// `line` without a UTF-8 BOM, when it starts the file.
fn skip_bom(line: &[u8], start: usize) -> &[u8] {
    match start {
        0 => line.strip_prefix(UTF8_BOM).unwrap_or(line),
        _ => line,
    }
}

/// Index of the first CR or LF outside double quotes, carrying the quote
/// state.
fn find_line_end(bytes: &[u8], in_quotes: &mut bool) -> Option<usize> {
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' => *in_quotes = !*in_quotes,
            b'\n' | b'\r' if !*in_quotes => return Some(i),
            _ => {}
        }
    }
    None
}

/// The most frequent of `,` tab `;` `|` outside double quotes; comma on a
/// tie or when none appears.
pub fn detect_delimiter(header_line: &[u8]) -> u8 {
    let mut counts = [0usize; 4];
    let mut in_quotes = false;
    for &b in header_line {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if !in_quotes {
            if let Some(i) = DELIMITERS.iter().position(|&d| d == b) {
                counts[i] += 1;
            }
        }
    }
    let max = counts.iter().copied().max().unwrap_or(0);
    if max == 0 || counts.iter().filter(|&&c| c == max).count() > 1 {
        return b',';
    }
    DELIMITERS[counts.iter().position(|&c| c == max).unwrap_or(0)]
}

/// How a delimiter is shown in the report.
pub fn delimiter_name(d: u8) -> &'static str {
    match d {
        b'\t' => "tab",
        b';' => ";",
        b'|' => "|",
        _ => ",",
    }
}

/// Windows-1252 characters for bytes 0x80–0x9F. The five undefined bytes map
/// to the C1 control of the same value, as web browsers do.
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{81}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}', '\u{02C6}',
    '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{8D}', '\u{017D}', '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}',
    '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}', '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}',
    '\u{0153}', '\u{9D}', '\u{017E}', '\u{0178}',
];

/// Decodes bytes as Windows-1252 (Latin-1 outside 0x80–0x9F).
pub fn decode_cp1252(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => CP1252_HIGH[(b - 0x80) as usize],
            _ => b as char,
        })
        .collect()
}

/// A cell as text: borrowed when it is UTF-8, else decoded as Windows-1252
/// (and `*not_utf8` set).
#[inline]
pub fn decode<'a>(bytes: &'a [u8], not_utf8: &mut bool) -> Cow<'a, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            *not_utf8 = true;
            Cow::Owned(decode_cp1252(bytes))
        }
    }
}

/// A header reduced to lower-case letters and digits, for matching.
pub fn normalise_header(h: &str) -> String {
    h.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// A canonical field of an input file.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct FieldSpec {
    pub name: &'static str,
    /// Normalised header spellings, best first.
    pub aliases: &'static [&'static str],
    pub required: bool,
}

const fn field(name: &'static str, aliases: &'static [&'static str], required: bool) -> FieldSpec {
    FieldSpec { name, aliases, required }
}

/// Patients file fields; the order is the index used by `HeaderMap::columns`.
pub const PATIENT_FIELDS: [FieldSpec; 12] = [
    field("patient_id", &["patientid", "id", "patient", "pid", "personid", "patientidentifier"], true),
    field("nhs_number", &["nhsnumber", "nhsno", "nhs"], false),
    field("date_of_birth", &["dateofbirth", "dob", "birthdate"], true),
    field("sex", &["sex", "gender"], false),
    field("ethnicity", &["ethnicity", "ethnicgroup", "ethniccategory", "ethnicitycode", "ethnic"], false),
    field("imd_decile", &["imddecile", "imd", "imd2019decile", "deprivationdecile"], false),
    field("lsoa", &["lsoa", "lsoacode", "lsoa11", "lsoa2011"], false),
    field("practice_code", &["practicecode", "practice", "odscode", "orgcode"], false),
    field("registered_date", &["registereddate", "registrationdate", "dateofregistration", "regdate"], false),
    field("deregistered_date", &["deregistereddate", "deregistrationdate", "dateofderegistration", "leftdate"], false),
    field("date_of_death", &["dateofdeath", "dod", "deathdate"], false),
    field("name", &["name", "patientname", "fullname"], false),
];

/// Events file fields; the order is the index used by `HeaderMap::columns`.
pub const EVENT_FIELDS: [FieldSpec; 7] = [
    field("patient_id", &["patientid", "id", "patient", "pid", "personid", "patientidentifier"], true),
    field("code", &["code", "snomedcode", "snomedctcode", "conceptid", "readcode", "dmdcode", "clinicalcode"], true),
    field("date", &["date", "eventdate", "effectivedate", "recordeddate", "consultationdate", "issuedate"], true),
    field("value", &["value", "numericvalue", "result", "resultvalue", "value1"], false),
    field("unit", &["unit", "units", "uom"], false),
    field("code_system", &["codesystem", "system", "codetype", "scheme"], false),
    field("term", &["term", "description", "rubric", "codeterm", "displayname"], false),
];

/// Which column holds each field.
#[derive(Debug, Default)]
pub struct HeaderMap {
    /// Column index per field, in the order of the field table.
    pub columns: Vec<Option<usize>>,
    /// Canonical name -> header as written.
    pub used: BTreeMap<String, String>,
    /// Headers no field took, as written.
    pub ignored: Vec<String>,
    /// Mapping entries whose header is not in the file: (field, header).
    pub mapped_not_found: Vec<(String, String)>,
}

/// Matches headers to fields. A mapping entry (canonical name -> header)
/// wins for its field; matched exactly after trimming, else after
/// normalising. Other fields take the header matching their earliest alias;
/// each header serves one field at most.
pub fn map_headers(headers: &[String], fields: &[FieldSpec], mapping: &BTreeMap<String, String>) -> HeaderMap {
    let normalised: Vec<String> = headers.iter().map(|h| normalise_header(h)).collect();
    let mut taken = vec![false; headers.len()];
    let mut columns = vec![None; fields.len()];
    let mut mapped_not_found = Vec::new();
    for (f, spec) in fields.iter().enumerate() {
        let Some(wanted) = mapping.get(spec.name) else {
            continue;
        };
        let exact = headers.iter().position(|h| h.trim() == wanted.trim());
        let wanted_norm = normalise_header(wanted);
        let found = exact.or_else(|| normalised.iter().position(|n| *n == wanted_norm && !n.is_empty()));
        match found {
            Some(c) if !taken[c] => {
                taken[c] = true;
                columns[f] = Some(c);
            }
            _ => mapped_not_found.push((spec.name.to_owned(), wanted.clone())),
        }
    }
    for (f, spec) in fields.iter().enumerate() {
        if columns[f].is_some() || mapping.contains_key(spec.name) {
            continue;
        }
        columns[f] =
            spec.aliases.iter().find_map(|alias| (0..headers.len()).find(|&c| !taken[c] && normalised[c] == *alias));
        if let Some(c) = columns[f] {
            taken[c] = true;
        }
    }
    let used = fields
        .iter()
        .zip(&columns)
        .filter_map(|(spec, c)| c.map(|c| (spec.name.to_owned(), headers[c].clone())))
        .collect();
    let ignored = headers.iter().zip(&taken).filter(|(_, &t)| !t).map(|(h, _)| h.clone()).collect();
    HeaderMap { columns, used, ignored, mapped_not_found }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layout of a whole file, and the bytes its parser reads.
    fn prepared_bytes(input: &[u8]) -> (u8, Vec<u8>) {
        let layout = layout(input, true).expect("a whole file").expect("not UTF-16");
        let mut ends = LineEnds::new(layout.cr_only);
        let mut out = ends.pass(&input[layout.bom..]).into_owned();
        out.extend_from_slice(ends.end());
        (layout.delimiter, out)
    }

    #[test]
    fn delimiter_is_the_most_frequent_outside_quotes() {
        assert_eq!(detect_delimiter(b"a,b,c"), b',');
        assert_eq!(detect_delimiter(b"a\tb\tc"), b'\t');
        assert_eq!(detect_delimiter(b"a;b;c"), b';');
        assert_eq!(detect_delimiter(b"a|b|c"), b'|');
        assert_eq!(detect_delimiter(b"\"a;b;c\",d,e"), b',');
        assert_eq!(detect_delimiter(b"a;b,c"), b',');
        assert_eq!(detect_delimiter(b"a;b|c"), b',');
        assert_eq!(detect_delimiter(b"abc"), b',');
    }

    #[test]
    fn the_layout_strips_the_bom_and_keeps_the_rest() {
        let input = b"\xEF\xBB\xBFid;dob\r\n1;01/01/2000\r\n";
        let (d, out) = prepared_bytes(input);
        assert_eq!(d, b';');
        assert_eq!(out, &input[3..]);
        // A missing final line end is supplied; lone CRs become LFs.
        assert_eq!(prepared_bytes(b"a,b\n1,2"), (b',', b"a,b\n1,2\n".to_vec()));
        assert_eq!(prepared_bytes(b"a;b\r1;\"x\ry\"\r"), (b';', b"a;b\n1;\"x\ny\"\n".to_vec()));
        assert_eq!(prepared_bytes(b"a,b\r\n1,2\r\n").1, b"a,b\r\n1,2\r\n");
        // A header longer than one read chunk, with the delimiter only late.
        let mut long = vec![b'x'; 20_000];
        long.extend_from_slice(b"\ta\tb\n1\t2\t3");
        let (d, out) = prepared_bytes(&long);
        assert_eq!(d, b'\t');
        assert_eq!(&out[..long.len()], long);
        // Blank lines before the header are passed over.
        assert_eq!(prepared_bytes(b"\xEF\xBB\xBF\r\n \n\na;b\n1;2\n").0, b';');
        assert_eq!(prepared_bytes(b"\n\n\n").0, b',');
        // Newline inside a quoted header does not end the header line.
        let (d, _) = prepared_bytes(b"\"a\nb\"|c|d\n1|2|3\n");
        assert_eq!(d, b'|');
        assert_eq!(layout(b"\xFF\xFEi\0d\0", true), Some(Err(Utf16)));
        assert_eq!(layout(b"\xFE\xFF\0i\0d", true), Some(Err(Utf16)));
        // More is asked for until the header line and a byte past it are in.
        assert_eq!(layout(b"a;b", false), None);
        assert_eq!(layout(b"a;b\r", false), None);
        assert_eq!(layout(b"a;b\r1", false).map(|l| l.map(|l| (l.delimiter, l.cr_only))), Some(Ok((b';', true))));
        assert_eq!(layout(&vec![b'y'; HEADER_SCAN_LIMIT], false).map(|l| l.is_ok()), Some(true));
        assert_eq!(prepared_bytes(b""), (b',', vec![]));
    }

    #[test]
    fn windows_1252_decoding() {
        assert_eq!(decode_cp1252(b"Zo\xEB \x80 \x93q\x94 \x81"), "Zoë € \u{201C}q\u{201D} \u{81}");
        let mut flag = false;
        assert_eq!(decode(b"plain", &mut flag), "plain");
        assert!(!flag);
        assert_eq!(decode(b"Ren\xE9e", &mut flag), "Renée");
        assert!(flag);
    }

    #[test]
    fn headers_match_aliases_and_mapping_overrides() {
        let headers: Vec<String> =
            ["Patient ID", "D.O.B.", "Gender", "Extra", "NHS No"].iter().map(|s| s.to_string()).collect();
        let m = map_headers(&headers, &PATIENT_FIELDS, &BTreeMap::new());
        assert_eq!(m.columns[0], Some(0));
        assert_eq!(m.columns[1], Some(4));
        assert_eq!(m.columns[2], Some(1));
        assert_eq!(m.columns[3], Some(2));
        assert_eq!(m.ignored, ["Extra"]);
        assert_eq!(m.used["date_of_birth"], "D.O.B.");

        // "patient_id" beats "id" whichever comes first.
        let headers: Vec<String> = ["id", "patient_id"].iter().map(|s| s.to_string()).collect();
        let m = map_headers(&headers, &PATIENT_FIELDS, &BTreeMap::new());
        assert_eq!(m.columns[0], Some(1));
        assert_eq!(m.ignored, ["id"]);

        let mapping: BTreeMap<String, String> =
            [("date_of_birth".to_string(), "Extra".to_string()), ("sex".to_string(), "Nope".to_string())].into();
        let headers: Vec<String> = ["Patient ID", "DOB", "Extra", "Gender"].iter().map(|s| s.to_string()).collect();
        let m = map_headers(&headers, &PATIENT_FIELDS, &mapping);
        assert_eq!(m.columns[2], Some(2));
        assert_eq!(m.columns[3], None, "a mapping entry replaces the aliases");
        assert_eq!(m.mapped_not_found, [("sex".to_string(), "Nope".to_string())]);
        assert_eq!(m.ignored, ["DOB", "Gender"]);
    }
}
