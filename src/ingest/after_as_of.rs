//! Events dated after the as-of date. They are kept (drawn up as of a
//! later date, they count), but lists drawn up as of an earlier date leave
//! them out, and an event after the date the extract was taken is usually
//! a mistake in the record. The as-of date is only known when the lists are
//! drawn up, so while a file is read its events' dates are tallied here,
//! and [`note_events_after`] turns the tally into one warning per file for
//! each as-of date: how many, and the first line holding one.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use crate::model::{uk_date, Date};

use super::fields::{MAX_YEAR, MIN_YEAR};
use super::{Diagnostic, FileReport, Severity, MAX_DIAGNOSTICS};

/// The key of the warning.
pub const KIND: &str = "after_as_of";

/// The dates of one file's events, as read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventDates {
    /// While reading: events by day, from 1 January of [`MIN_YEAR`] to the
    /// end of [`MAX_YEAR`] (the dates the CSV reader accepts); made on the
    /// first event. Emptied by [`EventDates::seal`].
    dense: Vec<u32>,
    /// The day number of `dense[0]`, set with it (not worked out per event).
    first_day: i32,
    /// Events on days outside the dense span (FHIR dates are not bounded).
    outside: BTreeMap<i32, u64>,
    /// After [`EventDates::seal`]: (day, events on that day or later), by day.
    later: Vec<(i32, u64)>,
    /// Each line where the latest date so far went up, with that date (as a
    /// day number): the first line with a date after any day is the first
    /// of these past it.
    records: Vec<(u64, i32)>,
    /// Events added out of line order (FHIR resources that waited for
    /// their Patient), as (line, day): searched whole.
    late: Vec<(u64, i32)>,
    /// The header of the date column, for the diagnostic.
    column: Option<String>,
}

fn first_day() -> i32 {
    NaiveDate::from_ymd_opt(MIN_YEAR, 1, 1).expect("a valid date").num_days_from_ce()
}

fn span() -> usize {
    let last = NaiveDate::from_ymd_opt(MAX_YEAR, 12, 31).expect("a valid date").num_days_from_ce();
    (last - first_day() + 1) as usize
}

impl EventDates {
    /// Counts an event dated `date` on `line`; `column` is the date's header.
    #[inline]
    pub fn add(&mut self, line: u64, date: Date, column: Option<&str>) {
        let day = date.num_days_from_ce();
        match self.records.last() {
            None => {
                self.column = column.map(str::to_owned);
                self.records.push((line, day));
            }
            Some(&(last, _)) if line < last => self.late.push((line, day)),
            Some(&(_, latest)) if day > latest => self.records.push((line, day)),
            Some(_) => {}
        }
        if self.dense.is_empty() {
            self.dense = vec![0; span()];
            self.first_day = first_day();
        }
        let first = self.first_day;
        match self.dense.get_mut(day.wrapping_sub(first) as usize) {
            Some(n) if day >= first => *n += 1,
            _ => *self.outside.entry(day).or_default() += 1,
        }
    }

    /// Ends the reading: the tally shrinks to the days that have events.
    pub fn seal(&mut self) {
        if self.dense.is_empty() && self.outside.is_empty() {
            return;
        }
        let base = first_day();
        let mut days: Vec<(i32, u64)> = self
            .dense
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .map(|(i, &n)| (base + i as i32, u64::from(n)))
            .chain(self.outside.iter().map(|(&d, &n)| (d, n)))
            .chain(self.later.windows(2).map(|w| (w[0].0, w[0].1 - w[1].1)))
            .chain(self.later.last().copied())
            .collect();
        days.sort_unstable();
        days.dedup_by(|b, a| {
            if a.0 == b.0 {
                a.1 += b.1;
                true
            } else {
                false
            }
        });
        let mut total = 0;
        for d in days.iter_mut().rev() {
            total += d.1;
            d.1 = total;
        }
        self.later = days;
        self.dense = Vec::new();
        self.outside = BTreeMap::new();
    }

    /// Events dated after `as_of`, the first line holding one, and its date.
    pub fn after(&self, as_of: Date) -> Option<(u64, u64, Date)> {
        let day = as_of.num_days_from_ce();
        let i = self.later.partition_point(|&(d, _)| d <= day);
        let count = self.later.get(i)?.1;
        let r = self.records.partition_point(|&(_, d)| d <= day);
        let late = self.late.iter().filter(|&&(_, d)| d > day).min();
        let (line, first) = match (self.records.get(r), late) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) | (None, Some(&a)) => a,
            (None, None) => return None,
        };
        Some((count, line, NaiveDate::from_num_days_from_ce_opt(first)?))
    }
}

/// Adds to each file's report a warning for its events dated after `as_of`.
pub fn note_events_after(files: &mut [FileReport], as_of: Date) {
    for f in files {
        let Some((count, line, first)) = f.event_dates.after(as_of) else { continue };
        let (date, first) = (uk_date(as_of), uk_date(first));
        let message = if count == 1 {
            format!(
                "1 event is dated after the as-of date {date} (this one, dated {first}); it was kept, \
                 but lists drawn up as of {date} do not count it"
            )
        } else {
            format!(
                "{count} events are dated after the as-of date {date}, the first on this line (dated {first}); \
                 they were kept, but lists drawn up as of {date} do not count them"
            )
        };
        *f.by_kind.entry(KIND.to_owned()).or_default() += 1;
        f.warnings += 1;
        if f.diagnostics.len() < MAX_DIAGNOSTICS {
            let at = f.diagnostics.partition_point(|d| d.line <= line);
            let diagnostic = Diagnostic {
                file: f.file.clone(),
                line,
                column: f.event_dates.column.clone(),
                column_number: None,
                severity: Severity::Warning,
                kind: KIND,
                message,
            };
            f.diagnostics.insert(at, diagnostic);
        } else {
            f.diagnostics_not_shown += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn counts_and_first_lines_for_any_date() {
        let mut t = EventDates::default();
        for (line, date) in
            [(2, "2026-01-01"), (3, "2030-06-01"), (4, "2026-06-01"), (5, "2031-01-01"), (6, "2027-01-01")]
        {
            t.add(line, d(date), Some("date"));
        }
        t.add(7, d("2300-01-01"), Some("date"));
        t.seal();
        assert_eq!(t.after(d("2026-11-23")), Some((4, 3, d("2030-06-01"))));
        assert_eq!(t.after(d("2025-12-31")), Some((6, 2, d("2026-01-01"))));
        assert_eq!(t.after(d("2030-06-01")), Some((2, 5, d("2031-01-01"))));
        assert_eq!(t.after(d("2031-01-01")), Some((1, 7, d("2300-01-01"))));
        assert_eq!(t.after(d("2300-01-01")), None);
        // Sealing again (more events after a FHIR file's pending resources) keeps the counts.
        t.add(8, d("2028-01-01"), None);
        t.seal();
        assert_eq!(t.after(d("2026-11-23")), Some((5, 3, d("2030-06-01"))));
        assert_eq!(EventDates::default().after(d("2026-11-23")), None);
    }

    #[test]
    fn an_event_added_late_for_an_earlier_line_is_the_first() {
        let mut t = EventDates::default();
        t.add(5, d("2026-01-01"), None);
        t.add(6, d("2027-01-01"), None);
        t.seal();
        // A resource on line 2 that waited for its patient.
        t.add(2, d("2028-01-01"), None);
        t.add(3, d("2020-01-01"), None);
        t.seal();
        assert_eq!(t.after(d("2026-11-23")), Some((2, 2, d("2028-01-01"))));
        assert_eq!(t.after(d("2025-01-01")), Some((3, 2, d("2028-01-01"))));
        assert_eq!(t.after(d("2019-01-01")), Some((4, 2, d("2028-01-01"))));
        assert_eq!(t.after(d("2028-01-01")), None);
    }
}
