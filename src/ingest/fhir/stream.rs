//! Reading a FHIR file without holding it: gzip by its magic bytes, then
//! either NDJSON (one resource a line, parsed line by line) or one JSON
//! document (a Bundle, whose `entry` array is walked one entry at a time by
//! a serde visitor, or a single resource).
//!
//! Memory is one line, or one Bundle entry, at a time. Syntax errors give
//! the line and column; NDJSON goes on at the next line, a Bundle keeps the
//! entries before the error.

use std::cell::Cell;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::rc::Rc;

use flate2::read::MultiGzDecoder;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// How much of the (decompressed) start is read to tell the shapes apart.
const SNIFF: u64 = 64 * 1024;

/// The shape of a file, as reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Ndjson,
    /// A Bundle or a single resource: known once it has been read.
    Document,
}

/// What the reader hands on.
pub enum Item {
    /// A resource, with its Bundle entry's `fullUrl`, and the line it starts on.
    Resource { resource: Value, full_url: Option<String>, line: u64 },
    /// A syntax or read error: nothing more is read from this line (NDJSON)
    /// or this document. `kind` is `malformed_json`, `truncated_json` or
    /// `read_error`.
    Malformed { line: u64, column: Option<u64>, kind: &'static str, message: String },
    /// The document is a Bundle.
    Bundle,
    /// A Bundle's `type`.
    BundleType(String),
    /// A Bundle entry with no resource (a transaction's delete, say).
    EmptyEntry { line: u64 },
}

/// The file's bytes, decompressed if they were gzipped.
pub struct Opened<'r> {
    pub reader: Box<dyn BufRead + 'r>,
    pub gzip: bool,
    pub shape: Shape,
    /// Nothing but white space (after decompression).
    pub empty: bool,
}

/// Opens `reader`: detects gzip, then the shape (`ndjson_name` says the
/// file name ends in .ndjson, which decides it). `file` names it in the
/// message when its gzip data is damaged or ends early.
pub fn open<'r>(reader: impl Read + 'r, file: &str, ndjson_name: bool) -> io::Result<Opened<'r>> {
    let mut raw = BufReader::with_capacity(1 << 16, reader);
    let gzip = raw.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    let mut inner: Box<dyn Read + 'r> =
        if gzip { Box::new(Gzip { inner: MultiGzDecoder::new(raw), file: file.to_owned() }) } else { Box::new(raw) };
    let mut start = Vec::new();
    inner.by_ref().take(SNIFF).read_to_end(&mut start)?;
    let shape = if ndjson_name { Shape::Ndjson } else { sniff(&start) };
    let empty =
        (start.len() as u64) < SNIFF && start.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&start).trim_ascii().is_empty();
    let reader = Box::new(BufReader::with_capacity(1 << 16, io::Cursor::new(start).chain(inner)));
    Ok(Opened { reader, gzip, shape, empty })
}

/// A gzip decoder whose errors say, in words, that the file is not valid
/// gzip or that it ends early, and name it.
struct Gzip<R> {
    inner: R,
    file: String,
}

impl<R: Read> Read for Gzip<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            let detail = e.to_string();
            let ends_early = e.kind() == io::ErrorKind::UnexpectedEof || detail.contains("incomplete");
            let message = if ends_early {
                format!(
                    "{} ends early: its gzip data stops before the end ({detail}); \
                     the file was cut short, or not copied whole",
                    self.file
                )
            } else {
                format!("{} is not valid gzip: its compressed data is damaged ({detail})", self.file)
            };
            io::Error::new(e.kind(), message)
        })
    }
}

/// NDJSON when the first line holds a whole object (`{` … `}`) and a line
/// end follows it; anything else is read as one document.
fn sniff(start: &[u8]) -> Shape {
    let start = start.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(start);
    let text = &start[start.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(start.len())..];
    let Some(end) = text.iter().position(|&b| b == b'\n') else { return Shape::Document };
    let first = text[..end].trim_ascii();
    if first.len() > 1 && first.starts_with(b"{") && first.ends_with(b"}") {
        Shape::Ndjson
    } else {
        Shape::Document
    }
}

/// Calls `on` for each line's resource; blank lines are skipped.
pub fn ndjson(mut reader: impl BufRead, on: &mut dyn FnMut(Item)) {
    let mut buf = Vec::new();
    let mut line = 0u64;
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) => {
                let message = format!("the file could not be read: {e}");
                on(Item::Malformed { line: line + 1, column: None, kind: "read_error", message });
                return;
            }
        }
        line += 1;
        let mut text = buf.as_slice();
        if line == 1 {
            text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
        }
        let text = text.trim_ascii_end();
        if text.trim_ascii_start().is_empty() {
            continue;
        }
        match serde_json::from_slice::<Value>(text) {
            Ok(resource) => on(Item::Resource { resource, full_url: None, line }),
            Err(e) => on(malformed(&e, line)),
        }
    }
}

/// Reads one document: a Bundle's entries are handed on one by one as
/// they are parsed; any other resource whole, at the end.
pub fn document(reader: impl Read, on: &mut dyn FnMut(Item)) {
    let position = Rc::new(Cell::new(Position { line: 1, marking: false, marked: 1 }));
    let tracked = Tracked::new(reader, Rc::clone(&position));
    let mut de = serde_json::Deserializer::from_reader(tracked);
    let top = TopLevel { on: &mut *on, position: &position };
    match top.deserialize(&mut de) {
        Ok(Some((resource, line))) => {
            if let Err(e) = de.end() {
                on(malformed(&e, 0));
                return;
            }
            on(Item::Resource { resource, full_url: None, line });
        }
        Ok(None) => {
            if let Err(e) = de.end() {
                on(malformed(&e, 0));
            }
        }
        Err(e) => on(malformed(&e, 0)),
    }
}

/// A serde_json error as an item; `line` is the physical line of an NDJSON
/// record (serde's own line then counts within it), or 0 for a document.
fn malformed(e: &serde_json::Error, line: u64) -> Item {
    let text = e.to_string();
    let message = match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    };
    let (line, column) = if line == 0 { (e.line() as u64, e.column() as u64) } else { (line, e.column() as u64) };
    let (kind, message) = if e.is_io() {
        ("read_error", format!("the file could not be read: {message}"))
    } else if e.is_eof() {
        ("truncated_json", format!("the JSON ends early (truncated file?): {message}"))
    } else if e.is_data() {
        // Well-formed JSON of the wrong shape: `[…]`, `42`, `"text"`.
        ("not_fhir", format!("not FHIR: {message}"))
    } else {
        ("malformed_json", format!("malformed JSON: {message}"))
    };
    Item::Malformed { line: line.max(1), column: Some(column), kind, message }
}

/// Where the parser is: lines counted in the bytes it has taken, and the
/// line of the first byte of the next value once [`Tracked::mark`] is set.
#[derive(Debug, Clone, Copy)]
struct Position {
    line: u64,
    marking: bool,
    marked: u64,
}

/// Counts line ends in the bytes serde_json reads (it reads a byte at a
/// time and looks one byte ahead, so the count is exact at a value's start).
/// Buffered itself, so that each byte costs a copy, not a call into the
/// reader below.
struct Tracked<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    position: Rc<Cell<Position>>,
}

impl<R: Read> Tracked<R> {
    fn new(inner: R, position: Rc<Cell<Position>>) -> Tracked<R> {
        Tracked { inner, buf: vec![0; 1 << 16].into_boxed_slice(), pos: 0, len: 0, position }
    }
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.len {
            self.len = self.inner.read(&mut self.buf)?;
            self.pos = 0;
        }
        let n = out.len().min(self.len - self.pos);
        let bytes = &self.buf[self.pos..self.pos + n];
        out[..n].copy_from_slice(bytes);
        self.pos += n;
        let mut p = self.position.get();
        for &b in bytes {
            if p.marking && !b.is_ascii_whitespace() && b != b',' {
                p.marking = false;
                p.marked = p.line;
            }
            if b == b'\n' {
                p.line += 1;
            }
        }
        self.position.set(p);
        Ok(n)
    }
}

fn mark(position: &Cell<Position>) {
    let mut p = position.get();
    p.marking = true;
    position.set(p);
}

/// The top-level object: a Bundle's `entry` is streamed; the other members
/// are kept (they make up a single resource, or a Bundle's few fields).
struct TopLevel<'a> {
    on: &'a mut dyn FnMut(Item),
    position: &'a Cell<Position>,
}

impl<'de> DeserializeSeed<'de> for TopLevel<'_> {
    /// A resource that is not a Bundle, with its first line.
    type Value = Option<(Value, u64)>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopLevel<'_> {
    type Value = Option<(Value, u64)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a FHIR resource or Bundle (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let first_line = self.position.get().line;
        let mut fields = serde_json::Map::new();
        let mut is_bundle: Option<bool> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "entry" if is_bundle != Some(false) => {
                    map.next_value_seed(Entries { on: &mut *self.on, position: self.position })?;
                }
                "resourceType" => {
                    let v: Value = map.next_value()?;
                    is_bundle = Some(v.as_str() == Some("Bundle"));
                    if is_bundle == Some(true) {
                        (self.on)(Item::Bundle);
                    }
                    fields.insert(key, v);
                }
                "type" if is_bundle == Some(true) => {
                    if let Value::String(t) = map.next_value()? {
                        (self.on)(Item::BundleType(t));
                    }
                }
                _ if is_bundle == Some(true) => {
                    map.next_value::<IgnoredAny>()?;
                }
                _ => {
                    fields.insert(key, map.next_value()?);
                }
            }
        }
        if is_bundle == Some(true) {
            return Ok(None);
        }
        Ok(Some((Value::Object(fields), first_line)))
    }
}

/// A Bundle's `entry` array, handed on entry by entry.
struct Entries<'a> {
    on: &'a mut dyn FnMut(Item),
    position: &'a Cell<Position>,
}

impl<'de> DeserializeSeed<'de> for Entries<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Entries<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of Bundle entries")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            mark(self.position);
            let Some(entry) = seq.next_element::<Value>()? else { return Ok(()) };
            let line = self.position.get().marked;
            let Value::Object(mut entry) = entry else {
                (self.on)(Item::EmptyEntry { line });
                continue;
            };
            let full_url = match entry.remove("fullUrl") {
                Some(Value::String(u)) => Some(u),
                _ => None,
            };
            match entry.remove("resource") {
                Some(resource @ Value::Object(_)) => (self.on)(Item::Resource { resource, full_url, line }),
                _ => (self.on)(Item::EmptyEntry { line }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(text: &str, shape: Shape) -> Vec<String> {
        let mut out = Vec::new();
        let mut on = |item: Item| {
            out.push(match item {
                Item::Resource { resource, full_url, line } => {
                    format!("{} {} line {line}", resource["resourceType"], full_url.unwrap_or_default())
                }
                Item::Malformed { line, column, message, .. } => format!("error {line}:{column:?} {message}"),
                Item::Bundle => "bundle".into(),
                Item::BundleType(t) => format!("type {t}"),
                Item::EmptyEntry { line } => format!("empty {line}"),
            })
        };
        match shape {
            Shape::Ndjson => ndjson(text.as_bytes(), &mut on),
            Shape::Document => document(text.as_bytes(), &mut on),
        }
        out
    }

    #[test]
    fn shapes_are_told_apart_by_the_first_line() {
        assert_eq!(sniff(b"{\"resourceType\":\"Patient\"}\n{\"resourceType\":\"Patient\"}\n"), Shape::Ndjson);
        assert_eq!(sniff(b"{\n  \"resourceType\": \"Bundle\"\n}\n"), Shape::Document);
        assert_eq!(sniff(b"{\"resourceType\":\"Patient\"}"), Shape::Document);
        assert_eq!(sniff(b"\xEF\xBB\xBF  {\"a\":1}\r\n"), Shape::Ndjson);
    }

    #[test]
    fn bundle_entries_come_with_their_first_line() {
        let text = "{\n \"resourceType\": \"Bundle\",\n \"type\": \"collection\",\n \"entry\": [\n  {\n   \"fullUrl\": \"urn:uuid:1\",\n   \"resource\": {\"resourceType\": \"Patient\"}\n  },\n  {\"resource\": {\"resourceType\": \"Observation\"}},\n  {\"request\": {}}\n ]\n}\n";
        assert_eq!(
            items(text, Shape::Document),
            ["bundle", "type collection", "\"Patient\" urn:uuid:1 line 5", "\"Observation\"  line 9", "empty 10"]
        );
    }

    #[test]
    fn a_broken_bundle_keeps_the_entries_before_the_error() {
        let text = "{\"resourceType\": \"Bundle\", \"entry\": [\n{\"resource\": {\"resourceType\": \"Patient\"}},\n{\"resource\": {\"resourceType\": \"Observation\",}}\n]}";
        assert_eq!(
            items(text, Shape::Document),
            ["bundle", "\"Patient\"  line 2", "error 3:Some(45) malformed JSON: trailing comma"]
        );
    }

    #[test]
    fn ndjson_goes_on_after_a_bad_line() {
        let text = "{\"resourceType\":\"Patient\"}\n\n{\"resourceType\": \"Observation\", \"status\" \"final\"}\n{\"resourceType\":\"Condition\"}\n{\"resourceType\":\"Cond";
        assert_eq!(
            items(text, Shape::Ndjson),
            [
                "\"Patient\"  line 1",
                "error 3:Some(42) malformed JSON: expected `:`",
                "\"Condition\"  line 4",
                "error 5:Some(21) the JSON ends early (truncated file?): EOF while parsing a string"
            ]
        );
    }

    #[test]
    fn a_single_resource_is_read_whole() {
        assert_eq!(
            items("\n{\"id\": \"a\", \"resourceType\": \"Patient\"}\n", Shape::Document),
            ["\"Patient\"  line 2"]
        );
        assert_eq!(
            items("{\"resourceType\": \"Patient\"} x", Shape::Document)[0],
            "error 1:Some(29) malformed JSON: trailing characters"
        );
    }
}
