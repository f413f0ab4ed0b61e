//! One patient's record as it stood on the as-of date, indexed by cluster.
//!
//! [`RecordIndex::load`] scans the patient's events once, ignoring anything
//! dated after the as-of date, and lists each event under every cluster its
//! code belongs to. Rules, the eFI and segments then read per-cluster lists
//! in date order and never touch codes again.

use std::ops::Range;

use crate::model::{ClusterId, Date, Patient, PatientIdx, Population};

/// Reusable per-cluster event lists (cleared between patients).
pub struct RecordIndex {
    by_cluster: Vec<Vec<u32>>,
    touched: Vec<ClusterId>,
    used: Vec<bool>,
}

impl RecordIndex {
    /// `used[c]` says whether any rule reads cluster `c`; others are not indexed.
    pub fn new(used: Vec<bool>) -> RecordIndex {
        RecordIndex { by_cluster: vec![Vec::new(); used.len()], touched: Vec::new(), used }
    }

    pub fn load<'a>(&'a mut self, pop: &'a Population, patient: PatientIdx, as_of: Date) -> Record<'a> {
        for &c in &self.touched {
            self.by_cluster[c as usize].clear();
        }
        self.touched.clear();
        let all = pop.event_range(patient);
        // Events are in date order: everything after the as-of date is cut off here.
        let end = all.start + pop.events.date[all.clone()].partition_point(|&d| d <= as_of);
        for i in all.start..end {
            for &c in pop.codes.get(pop.events.code[i]).clusters.iter() {
                if self.used[c as usize] {
                    let list = &mut self.by_cluster[c as usize];
                    if list.is_empty() {
                        self.touched.push(c);
                    }
                    list.push(i as u32);
                }
            }
        }
        let person = &pop.patients[patient as usize];
        Record { pop, person, as_of, age: person.age_on(as_of), events: all.start..end, by_cluster: &self.by_cluster }
    }
}

/// A patient's events up to the as-of date.
pub struct Record<'a> {
    pub pop: &'a Population,
    pub person: &'a Patient,
    pub as_of: Date,
    /// Age in completed years on the as-of date.
    pub age: i32,
    /// Indices of the events on or before the as-of date.
    pub events: Range<usize>,
    by_cluster: &'a [Vec<u32>],
}

impl Record<'_> {
    /// Event indices in cluster `c`, oldest first.
    pub fn in_cluster(&self, c: ClusterId) -> &[u32] {
        &self.by_cluster[c as usize]
    }

    pub fn date(&self, event: u32) -> Date {
        self.pop.events.date[event as usize]
    }

    pub fn value(&self, event: u32) -> Option<f64> {
        self.pop.events.value(event as usize)
    }

    /// The latest event in any of `clusters` on or after `from` (if given).
    /// Ties on date go to the event stored last, which is deterministic.
    pub fn latest(&self, clusters: &[ClusterId], from: Option<Date>) -> Option<u32> {
        clusters
            .iter()
            .filter_map(|&c| self.in_cluster(c).last().copied())
            .filter(|&e| from.is_none_or(|f| self.date(e) >= f))
            .max_by_key(|&e| (self.date(e), e))
    }

    /// Events in any of `clusters` on or after `from`, oldest first.
    pub fn since(&self, clusters: &[ClusterId], from: Option<Date>) -> Vec<u32> {
        let mut out: Vec<u32> = clusters
            .iter()
            .flat_map(|&c| {
                let list = self.in_cluster(c);
                let start = from.map_or(0, |f| list.partition_point(|&e| self.date(e) < f));
                list[start..].iter().copied()
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}
