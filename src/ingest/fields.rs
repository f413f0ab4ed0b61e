//! Parsing single cells: dates, NHS numbers, sex, IMD deciles and numbers.
//!
//! These run once per cell on the hot path, so they work on bytes and never
//! allocate on success.

use chrono::NaiveDate;

use crate::model::{Date, Sex};

/// Earliest and latest years accepted in any date.
pub const MIN_YEAR: i32 = 1880;
pub const MAX_YEAR: i32 = 2100;

const EXPECTED: &str = "expected dd/mm/yyyy, yyyy-mm-dd or d-Mon-yyyy";

/// Parses a date written as dd/mm/yyyy (also d/m/yyyy, with `/`, `-` or `.`),
/// yyyy-mm-dd (optionally followed by `T…` or ` hh:mm[:ss]`, ignored) or
/// d-Mon-yyyy / dd Mon yyyy (English month names or abbreviations, any case).
///
/// Two-digit years are rejected as ambiguous and years outside 1880–2100 as
/// implausible. The error message quotes the cell and says what was expected.
pub fn parse_date(text: &str) -> Result<Date, String> {
    let t = text.trim();
    parse_date_bytes(t.as_bytes()).ok_or_else(|| date_error(t))
}

/// [`parse_date`] on a cell's bytes, for the rows' hot path: the date, or
/// `None` when it is not one (ask [`parse_date`] why).
pub fn parse_date_bytes(bytes: &[u8]) -> Option<Date> {
    match parse_date_parts(bytes.trim_ascii()) {
        Ok((y, m, d, false)) if (MIN_YEAR..=MAX_YEAR).contains(&y) => NaiveDate::from_ymd_opt(y, m, d),
        _ => None,
    }
}

/// Why the trimmed cell `t` is not a date.
fn date_error(t: &str) -> String {
    match parse_date_parts(t.as_bytes()) {
        Ok((_, _, _, true)) => format!(
            "'{}' has a two-digit year, which is ambiguous \
             (write the year in full, e.g. dd/mm/yyyy)",
            shorten(t)
        ),
        Ok((y, _, _, false)) if !(MIN_YEAR..=MAX_YEAR).contains(&y) => {
            format!("'{}' has an implausible year {y} (expected {MIN_YEAR}–{MAX_YEAR})", shorten(t))
        }
        _ => invalid(t),
    }
}

fn invalid(t: &str) -> String {
    format!("'{}' is not a valid date ({EXPECTED})", shorten(t))
}

/// Born before this year and not recorded as dead: over 120 years old on
/// any as-of date from 2021 on, older than anyone has been known to live.
pub const OLDEST_LIVING_BIRTH_YEAR: i32 = 1901;

/// A warning for a date of birth no one alive could have: before
/// [`OLDEST_LIVING_BIRTH_YEAR`] with no date of death. The person is kept
/// (a placeholder such as 01/01/1900 hides a real patient), but staff
/// should correct the record: every age-based rule reads it.
pub fn implausible_birth(date_of_birth: Date, date_of_death: Option<Date>) -> Option<String> {
    use chrono::Datelike;
    (date_of_birth.year() < OLDEST_LIVING_BIRTH_YEAR && date_of_death.is_none()).then(|| {
        format!(
            "date of birth {} with no date of death would make this person over 120 years old \
             (born before {OLDEST_LIVING_BIRTH_YEAR}); kept, but every age-based rule reads it: check the record",
            crate::model::uk_date(date_of_birth)
        )
    })
}

/// Quotes at most 40 characters of a cell in a message.
pub(crate) fn shorten(t: &str) -> std::borrow::Cow<'_, str> {
    match t.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &t[..i]).into(),
        None => t.into(),
    }
}

/// Reads up to `max` ASCII digits starting at `*i`; returns (value, count).
fn digits(b: &[u8], i: &mut usize, max: usize) -> (u32, usize) {
    let start = *i;
    let mut v = 0u32;
    while *i < b.len() && *i - start < max && b[*i].is_ascii_digit() {
        v = v * 10 + (b[*i] - b'0') as u32;
        *i += 1;
    }
    (v, *i - start)
}

/// Splits a date into (year, month, day) without checking ranges beyond
/// what the format needs, and whether the year had only two digits.
fn parse_date_parts(b: &[u8]) -> Result<(i32, u32, u32, bool), ()> {
    let mut i = 0;
    let (first, n1) = digits(b, &mut i, 5);
    if n1 == 0 {
        return Err(());
    }
    if n1 == 4 {
        // yyyy-mm-dd (also / or .), then optional time.
        let sep = *b.get(i).ok_or(())?;
        if !matches!(sep, b'-' | b'/' | b'.') {
            return Err(());
        }
        i += 1;
        let (m, nm) = digits(b, &mut i, 2);
        if nm == 0 || b.get(i) != Some(&sep) {
            return Err(());
        }
        i += 1;
        let (d, nd) = digits(b, &mut i, 2);
        if nd == 0 || !time_tail(&b[i..], true) {
            return Err(());
        }
        return Ok((first as i32, m, d, false));
    }
    if n1 > 2 {
        return Err(());
    }
    let day = first;
    let sep = *b.get(i).ok_or(())?;
    if matches!(sep, b'/' | b'-' | b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        // dd/mm/yyyy
        i += 1;
        let (m, nm) = digits(b, &mut i, 2);
        if nm == 0 || b.get(i) != Some(&sep) {
            return Err(());
        }
        i += 1;
        let (y, ny) = digits(b, &mut i, 5);
        if !(ny == 2 || ny == 4) || !time_tail(&b[i..], false) {
            return Err(());
        }
        return Ok((y as i32, m, day, ny == 2));
    }
    if matches!(sep, b'-' | b' ' | b'/' | b'.') {
        // d-Mon-yyyy / dd Mon yyyy
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_alphabetic() {
            i += 1;
        }
        let m = month(&b[start..i]).ok_or(())?;
        if b.get(i) != Some(&sep) {
            return Err(());
        }
        i += 1;
        let (y, ny) = digits(b, &mut i, 5);
        if !(ny == 2 || ny == 4) || !time_tail(&b[i..], false) {
            return Err(());
        }
        return Ok((y as i32, m, day, ny == 2));
    }
    Err(())
}

/// What may follow the date: nothing, ` hh:mm[:ss…]`, or (ISO only) `T…`.
fn time_tail(rest: &[u8], iso: bool) -> bool {
    match rest.first() {
        None => true,
        Some(b'T' | b't') if iso => true,
        Some(b' ') => {
            let r = rest[1..].trim_ascii_start();
            let mut i = 0;
            let (_, nh) = digits(r, &mut i, 2);
            if nh == 0 || r.get(i) != Some(&b':') {
                return false;
            }
            i += 1;
            let (_, nm) = digits(r, &mut i, 2);
            if nm != 2 {
                return false;
            }
            // Seconds, fractions, zone or AM/PM: ignored.
            r[i..].iter().all(|c| c.is_ascii_alphanumeric() || b":.+- Zz".contains(c))
        }
        Some(_) => false,
    }
}

fn month(name: &[u8]) -> Option<u32> {
    if name.len() < 3 {
        return None;
    }
    let mut lower = [0u8; 9];
    if name.len() > lower.len() {
        return None;
    }
    for (l, c) in lower.iter_mut().zip(name) {
        *l = c.to_ascii_lowercase();
    }
    let lower = &lower[..name.len()];
    crate::model::MONTH_NAMES
        .iter()
        .position(|full| {
            let full = full.as_bytes();
            // The abbreviation, the full name, or "sept".
            lower == &full[..3] || lower == full || (lower == b"sept" && full.starts_with(b"sept"))
        })
        .map(|p| p as u32 + 1)
}

/// The result of checking an NHS number cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NhsNumber {
    /// The cell was empty (or only spaces and dashes).
    Blank,
    /// Ten digits that pass the modulus 11 check.
    Valid(String),
    /// The normalised text (spaces and dashes removed) and why it fails.
    Invalid { normalised: String, reason: &'static str },
}

impl NhsNumber {
    pub fn is_valid(&self) -> bool {
        matches!(self, NhsNumber::Valid(_))
    }

    /// The normalised text, when the cell was not blank.
    pub fn normalised(&self) -> Option<&str> {
        match self {
            NhsNumber::Blank => None,
            NhsNumber::Valid(s) | NhsNumber::Invalid { normalised: s, .. } => Some(s),
        }
    }

    pub fn into_normalised(self) -> Option<String> {
        match self {
            NhsNumber::Blank => None,
            NhsNumber::Valid(s) | NhsNumber::Invalid { normalised: s, .. } => Some(s),
        }
    }
}

/// Checks an NHS number: spaces and dashes are removed; the rest must be ten
/// digits passing the modulus 11 check (weights 10..2 on digits 1–9; check =
/// 11 − sum mod 11; 11 → 0; 10 → invalid). Numbers of one repeated digit
/// are invalid even though some pass the check.
pub fn nhs_number_check(text: &str) -> NhsNumber {
    let normalised: String = text.chars().filter(|c| !matches!(c, ' ' | '-' | '\t')).collect();
    let invalid = |reason| NhsNumber::Invalid { normalised: normalised.clone(), reason };
    if normalised.is_empty() {
        return NhsNumber::Blank;
    }
    let b = normalised.as_bytes();
    if !b.iter().all(u8::is_ascii_digit) {
        return invalid("it contains characters other than digits");
    }
    if b.len() != 10 {
        return invalid("it is not 10 digits long");
    }
    if b.iter().all(|&c| c == b[0]) {
        return invalid("all its digits are the same");
    }
    let sum: u32 = b[..9].iter().zip((2..=10).rev()).map(|(&c, w)| (c - b'0') as u32 * w).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return invalid("its check digit would be 10, which no valid number has"),
        c => c,
    };
    if check != (b[9] - b'0') as u32 {
        return invalid("its check digit does not match");
    }
    NhsNumber::Valid(normalised)
}

/// Sex from the usual export spellings; `None` when not recognised.
pub fn parse_sex(text: &str) -> Option<Sex> {
    let t = text.trim();
    let eq = |s: &str| t.eq_ignore_ascii_case(s);
    if eq("f") || eq("female") || eq("2") {
        Some(Sex::Female)
    } else if eq("m") || eq("male") || eq("1") {
        Some(Sex::Male)
    } else if t.is_empty()
        || ["u", "unknown", "i", "indeterminate", "0", "9", "not known", "not stated", "not specified"]
            .iter()
            .any(|s| eq(s))
    {
        Some(Sex::Unknown)
    } else {
        None
    }
}

/// An IMD decile 1–10, written as an integer or as an integral decimal ("3.0").
pub fn parse_decile(text: &str) -> Option<u8> {
    let t = text.trim();
    if let Ok(n) = t.parse::<u8>() {
        return (1..=10).contains(&n).then_some(n);
    }
    let f: f64 = t.parse().ok()?;
    (f.fract() == 0.0 && (1.0..=10.0).contains(&f)).then_some(f as u8)
}

/// A finite number; `Err` with the reason otherwise.
pub fn parse_value(text: &str) -> Result<f64, &'static str> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err("is not a finite number"),
        Err(_) => Err("is not a number"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn uk_dates_with_any_separator() {
        assert_eq!(parse_date("23/11/2026"), Ok(d(2026, 11, 23)));
        assert_eq!(parse_date("3/4/1950"), Ok(d(1950, 4, 3)));
        assert_eq!(parse_date("03-04-1950"), Ok(d(1950, 4, 3)));
        assert_eq!(parse_date("03.04.1950"), Ok(d(1950, 4, 3)));
        assert_eq!(parse_date(" 29/02/2024 "), Ok(d(2024, 2, 29)));
        assert_eq!(parse_date("01/02/2020 00:00"), Ok(d(2020, 2, 1)));
        assert_eq!(parse_date("01/02/2020 13:45:10"), Ok(d(2020, 2, 1)));
    }

    #[test]
    fn iso_dates_with_and_without_time() {
        assert_eq!(parse_date("2020-02-01"), Ok(d(2020, 2, 1)));
        assert_eq!(parse_date("2020-2-1"), Ok(d(2020, 2, 1)));
        assert_eq!(parse_date("2020-02-01T10:11:12Z"), Ok(d(2020, 2, 1)));
        assert_eq!(parse_date("2020-02-01 10:11"), Ok(d(2020, 2, 1)));
        assert_eq!(parse_date("2020-02-01 10:11:12.123"), Ok(d(2020, 2, 1)));
    }

    #[test]
    fn month_name_dates() {
        assert_eq!(parse_date("1-Feb-2020"), Ok(d(2020, 2, 1)));
        assert_eq!(parse_date("01-FEB-2020"), Ok(d(2020, 2, 1)));
        assert_eq!(parse_date("15 September 1962"), Ok(d(1962, 9, 15)));
        assert_eq!(parse_date("15 sept 1962"), Ok(d(1962, 9, 15)));
        assert_eq!(parse_date("9 may 2001"), Ok(d(2001, 5, 9)));
        assert!(parse_date("9 mayo 2001").is_err());
        assert!(parse_date("9 Ma 2001").is_err());
    }

    #[test]
    fn invalid_dates_say_what_was_expected() {
        assert_eq!(
            parse_date("31/02/2020").unwrap_err(),
            "'31/02/2020' is not a valid date (expected dd/mm/yyyy, yyyy-mm-dd or d-Mon-yyyy)"
        );
        assert!(parse_date("13/13/2020").unwrap_err().contains("not a valid date"));
        assert!(parse_date("").unwrap_err().contains("not a valid date"));
        assert!(parse_date("2020-02-01x").is_err());
        assert!(parse_date("01/02-2020").is_err());
        assert!(parse_date("20200201").is_err());
        assert!(parse_date("1/2/20201").is_err());
        assert!(parse_date("01/02/2020 x").is_err());
    }

    #[test]
    fn two_digit_and_implausible_years_are_rejected() {
        let e = parse_date("01/02/20").unwrap_err();
        assert!(e.contains("two-digit year"), "{e}");
        let e = parse_date("1-Feb-20").unwrap_err();
        assert!(e.contains("two-digit year"), "{e}");
        let e = parse_date("01/01/1850").unwrap_err();
        assert_eq!(e, "'01/01/1850' has an implausible year 1850 (expected 1880–2100)");
        assert!(parse_date("2101-01-01").unwrap_err().contains("implausible"));
        assert_eq!(parse_date("01/01/1880"), Ok(d(1880, 1, 1)));
        assert_eq!(parse_date("31/12/2100"), Ok(d(2100, 12, 31)));
    }

    #[test]
    fn nhs_number_table() {
        for (text, valid) in [
            ("9434765919", true),
            ("4010232137", true),
            ("6541003238", true),
            ("943 476 5919", true),
            ("943-476-5919", true),
            ("9434765918", false),
            ("1234567890", false),
            ("0000000000", false),
            ("2222222222", false),
            ("943476591", false),
            ("94347659190", false),
            ("94347659l9", false),
        ] {
            assert_eq!(nhs_number_check(text).is_valid(), valid, "{text}");
        }
        assert_eq!(nhs_number_check("943 476-5919"), NhsNumber::Valid("9434765919".into()));
        assert_eq!(nhs_number_check("  "), NhsNumber::Blank);
        match nhs_number_check("1234567890") {
            NhsNumber::Invalid { normalised, reason } => {
                assert_eq!(normalised, "1234567890");
                assert!(reason.contains("10"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn sex_spellings() {
        for (t, s) in [
            ("F", Some(Sex::Female)),
            ("female", Some(Sex::Female)),
            ("2", Some(Sex::Female)),
            ("m", Some(Sex::Male)),
            ("MALE", Some(Sex::Male)),
            ("1", Some(Sex::Male)),
            ("", Some(Sex::Unknown)),
            ("U", Some(Sex::Unknown)),
            ("Indeterminate", Some(Sex::Unknown)),
            ("9", Some(Sex::Unknown)),
            ("Not Known", Some(Sex::Unknown)),
            ("x", None),
        ] {
            assert_eq!(parse_sex(t), s, "{t}");
        }
    }

    #[test]
    fn deciles_and_values() {
        assert_eq!(parse_decile("3"), Some(3));
        assert_eq!(parse_decile("3.0"), Some(3));
        assert_eq!(parse_decile(" 10 "), Some(10));
        assert_eq!(parse_decile("0"), None);
        assert_eq!(parse_decile("11"), None);
        assert_eq!(parse_decile("3.5"), None);
        assert_eq!(parse_decile("high"), None);
        assert_eq!(parse_value(" 7.25 "), Ok(7.25));
        assert_eq!(parse_value("-1e2"), Ok(-100.0));
        assert!(parse_value("<5").is_err());
        assert!(parse_value("NaN").is_err());
        assert!(parse_value("inf").is_err());
    }
}
