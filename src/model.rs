//! The data model: patients, coded events and the columnar [`Population`].
//!
//! Everything downstream (rules, eFI, segments, reports) reads a
//! `Population`; nothing downstream parses text. Events are stored column by
//! column and sorted by patient then date, so a patient's record is one
//! contiguous slice. Codes are interned once: an event holds a [`CodeId`],
//! and the [`CodeTable`] row for that id already carries the code's cluster
//! memberships, so rules never look a code up again.

use rustc_hash::FxHashMap as HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// A calendar date. Dates are plain calendar days: no time zone, no clock.
pub type Date = NaiveDate;

/// Index of a patient in [`Population::patients`].
pub type PatientIdx = u32;
/// Index of an interned code in the [`CodeTable`].
pub type CodeId = u32;
/// Index of a cluster (a named codelist) in the [`crate::codes::Clusters`].
pub type ClusterId = u16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    /// Unknown, indeterminate or not stated.
    Unknown,
}

impl Sex {
    pub const ALL: [Sex; 3] = [Sex::Female, Sex::Male, Sex::Unknown];

    pub fn label(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Unknown => "not recorded",
        }
    }
}

/// The five high-level ethnic groups of the NHS ethnic category (2001 census
/// based), plus "not recorded" for blank, not stated and not known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EthnicityGroup {
    White,
    Mixed,
    Asian,
    Black,
    Other,
    NotRecorded,
}

impl EthnicityGroup {
    pub const ALL: [EthnicityGroup; 6] = [
        EthnicityGroup::White,
        EthnicityGroup::Mixed,
        EthnicityGroup::Asian,
        EthnicityGroup::Black,
        EthnicityGroup::Other,
        EthnicityGroup::NotRecorded,
    ];

    pub fn label(self) -> &'static str {
        match self {
            EthnicityGroup::White => "White",
            EthnicityGroup::Mixed => "Mixed or multiple",
            EthnicityGroup::Asian => "Asian or Asian British",
            EthnicityGroup::Black => "Black or Black British",
            EthnicityGroup::Other => "Other ethnic group",
            EthnicityGroup::NotRecorded => "not recorded",
        }
    }

    /// The group named by its report id (`white`, `mixed`, …, `not_recorded`).
    pub fn from_id(id: &str) -> Option<EthnicityGroup> {
        Some(match id {
            "white" => EthnicityGroup::White,
            "mixed" => EthnicityGroup::Mixed,
            "asian" => EthnicityGroup::Asian,
            "black" => EthnicityGroup::Black,
            "other" => EthnicityGroup::Other,
            "not_recorded" => EthnicityGroup::NotRecorded,
            _ => return None,
        })
    }

    /// Group of an NHS ethnic category letter (A–S), per the NHS Data
    /// Dictionary. Z (not stated) and 99 (not known) are "not recorded".
    pub fn from_nhs_category(letter: &str) -> Option<EthnicityGroup> {
        Some(match letter.trim().to_ascii_uppercase().as_str() {
            "A" | "B" | "C" => EthnicityGroup::White,
            "D" | "E" | "F" | "G" => EthnicityGroup::Mixed,
            "H" | "J" | "K" | "L" => EthnicityGroup::Asian,
            "M" | "N" | "P" => EthnicityGroup::Black,
            "R" | "S" => EthnicityGroup::Other,
            "Z" | "99" => EthnicityGroup::NotRecorded,
            _ => return None,
        })
    }

    /// The 2001-census category number of an NHS ethnic category letter.
    pub fn nhs_category_number(letter: &str) -> Option<u8> {
        const LETTERS: &str = "ABCDEFGHJKLMNPRS";
        let letter = letter.trim().to_ascii_uppercase();
        let [c] = letter.as_bytes() else { return None };
        LETTERS.bytes().position(|l| l == *c).map(|i| i as u8 + 1)
    }

    /// Group of a 1–5 "Grouping_6" id as used by the OpenSAFELY and PRIMIS
    /// ethnicity codelists (5 = "Chinese or other").
    pub fn from_grouping_6(id: u8) -> Option<EthnicityGroup> {
        Some(match id {
            1 => EthnicityGroup::White,
            2 => EthnicityGroup::Mixed,
            3 => EthnicityGroup::Asian,
            4 => EthnicityGroup::Black,
            5 => EthnicityGroup::Other,
            _ => return None,
        })
    }
}

/// Reporting age bands, chosen to line up with the rules' own age limits
/// (children, the case-finding age of 40, frailty at 65, the BP target at 80).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum AgeBand {
    #[serde(rename = "0-17")]
    Under18,
    #[serde(rename = "18-39")]
    From18To39,
    #[serde(rename = "40-64")]
    From40To64,
    #[serde(rename = "65-79")]
    From65To79,
    #[serde(rename = "80+")]
    From80,
}

impl AgeBand {
    pub const ALL: [AgeBand; 5] =
        [AgeBand::Under18, AgeBand::From18To39, AgeBand::From40To64, AgeBand::From65To79, AgeBand::From80];

    pub fn of_age(age: u32) -> AgeBand {
        match age {
            0..=17 => AgeBand::Under18,
            18..=39 => AgeBand::From18To39,
            40..=64 => AgeBand::From40To64,
            65..=79 => AgeBand::From65To79,
            _ => AgeBand::From80,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AgeBand::Under18 => "0-17",
            AgeBand::From18To39 => "18-39",
            AgeBand::From40To64 => "40-64",
            AgeBand::From65To79 => "65-79",
            AgeBand::From80 => "80+",
        }
    }
}

/// English month names, January first (dates in exports, "since 1 September").
pub const MONTH_NAMES: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The code system an event's code belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeSystem {
    Snomed,
    /// Dictionary of medicines and devices: a medication issue.
    Dmd,
    /// Read version 2 (legacy; accepted so older exports still load).
    Read2,
    /// CTV3 (legacy).
    Ctv3,
    /// LOINC, from FHIR input: codes without a mapping to SNOMED CT.
    Loinc,
    /// RxNorm (US medicines), from FHIR input.
    #[serde(rename = "rxnorm")]
    RxNorm,
    /// CVX (US vaccines), from FHIR input.
    Cvx,
    /// ICD-10 (WHO, UK or CM editions), from FHIR input.
    #[serde(rename = "icd10")]
    Icd10,
    /// Any other code system a FHIR file names.
    Other,
    /// A column of a wide report, mapped to a cluster by a mapping profile.
    ReportColumn,
}

impl CodeSystem {
    /// Recognises the names export tools use for each system.
    pub fn parse(text: &str) -> Option<CodeSystem> {
        let t: String = text.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
        Some(match t.as_str() {
            "" | "snomed" | "snomedct" | "sct" | "snomedctuk" => CodeSystem::Snomed,
            "dmd" | "dmandd" | "dmplusd" => CodeSystem::Dmd,
            "read" | "read2" | "readv2" | "readcode" => CodeSystem::Read2,
            "ctv3" | "read3" | "readv3" => CodeSystem::Ctv3,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            CodeSystem::Snomed => "SNOMED CT",
            CodeSystem::Dmd => "dm+d",
            CodeSystem::Read2 => "Read v2",
            CodeSystem::Ctv3 => "CTV3",
            CodeSystem::Loinc => "LOINC",
            CodeSystem::RxNorm => "RxNorm",
            CodeSystem::Cvx => "CVX",
            CodeSystem::Icd10 => "ICD-10",
            CodeSystem::Other => "other",
            CodeSystem::ReportColumn => "report column",
        }
    }
}

/// One registered (or formerly registered) person, as loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct Patient {
    pub id: String,
    pub nhs_number: Option<String>,
    /// False when an NHS number was given but fails the modulus 11 check.
    pub nhs_number_valid: bool,
    pub date_of_birth: Date,
    pub sex: Sex,
    /// From the patients file, or else the latest ethnicity code in the
    /// events (see [`crate::ingest`]).
    pub ethnicity: EthnicityGroup,
    /// The 2001-census category (1 = A White British … 16 = S Any other
    /// ethnic group) where the letter or code gives it; QRISK3 needs it.
    pub ethnic_category: Option<u8>,
    /// IMD 2019 decile, 1 = most deprived 10% of England.
    pub imd_decile: Option<u8>,
    pub lsoa: Option<String>,
    pub practice_code: Option<String>,
    pub registered_date: Option<Date>,
    /// The day the person left the practice list, if they have.
    pub deregistered_date: Option<Date>,
    pub date_of_death: Option<Date>,
    /// Display only; never used by any rule.
    pub name: Option<String>,
}

impl Patient {
    /// Age in completed years on `on`. A person born on 29 February turns a
    /// year older on 1 March in common years, as in UK law.
    pub fn age_on(&self, on: Date) -> i32 {
        let dob = self.date_of_birth;
        let mut age = on.year() - dob.year();
        if (on.month(), on.day()) < (dob.month(), dob.day()) {
            age -= 1;
        }
        age
    }

    /// IMD quintile (1 = most deprived 20%), derived from the decile.
    pub fn imd_quintile(&self) -> Option<u8> {
        self.imd_decile.map(|d| d.div_ceil(2))
    }

    /// Core20: the most deprived 20% nationally, IMD deciles 1 and 2.
    pub fn core20(&self) -> bool {
        matches!(self.imd_decile, Some(1 | 2))
    }

    /// Why this person is outside the current practice population on `as_of`,
    /// if they are.
    pub fn not_current(&self, as_of: Date) -> Option<NotCurrent> {
        if self.date_of_birth > as_of {
            return Some(NotCurrent::NotYetBorn);
        }
        if self.date_of_death.is_some_and(|d| d <= as_of) {
            return Some(NotCurrent::Deceased);
        }
        if self.deregistered_date.is_some_and(|d| d <= as_of) {
            return Some(NotCurrent::Deregistered);
        }
        if self.registered_date.is_some_and(|d| d > as_of) {
            return Some(NotCurrent::NotYetRegistered);
        }
        None
    }
}

/// Reasons a loaded person is left out of the lists on a given as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotCurrent {
    Deceased,
    Deregistered,
    NotYetRegistered,
    NotYetBorn,
}

/// One interned code: its text, the term it was first seen with, and the
/// clusters it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeEntry {
    pub code: String,
    pub system: CodeSystem,
    pub term: Option<String>,
    pub clusters: Box<[ClusterId]>,
}

/// Interned codes. Each distinct (code) is stored once.
#[derive(Debug, Clone, Default)]
pub struct CodeTable {
    entries: Vec<CodeEntry>,
    by_code: HashMap<String, CodeId>,
}

impl CodeTable {
    /// Returns the id of `code`, interning it with `clusters()` on first sight.
    /// The term kept is the first non-empty one seen.
    pub fn intern(
        &mut self,
        code: &str,
        system: CodeSystem,
        term: Option<&str>,
        clusters: impl FnOnce(&str) -> Box<[ClusterId]>,
    ) -> CodeId {
        if let Some(&id) = self.by_code.get(code) {
            let entry = &mut self.entries[id as usize];
            if entry.term.is_none() {
                entry.term = term.filter(|t| !t.is_empty()).map(str::to_owned);
            }
            return id;
        }
        let id = self.entries.len() as CodeId;
        self.entries.push(CodeEntry {
            code: code.to_owned(),
            system,
            term: term.filter(|t| !t.is_empty()).map(str::to_owned),
            clusters: clusters(code),
        });
        self.by_code.insert(code.to_owned(), id);
        id
    }

    /// Gives codes seen without a term the term `term_of` knows, if any.
    pub fn fill_missing_terms<'t>(&mut self, term_of: impl Fn(&str) -> Option<&'t str>) {
        for entry in self.entries.iter_mut().filter(|e| e.term.is_none()) {
            entry.term = term_of(&entry.code).map(str::to_owned);
        }
    }

    pub fn get(&self, id: CodeId) -> &CodeEntry {
        &self.entries[id as usize]
    }

    pub fn lookup(&self, code: &str) -> Option<CodeId> {
        self.by_code.get(code).copied()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (CodeId, &CodeEntry)> {
        self.entries.iter().enumerate().map(|(i, e)| (i as CodeId, e))
    }
}

/// A coded event as handed to [`PopulationBuilder::push_event`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Event {
    pub patient: PatientIdx,
    pub date: Date,
    pub code: CodeId,
    /// A recorded numeric value, if any.
    pub value: Option<f64>,
    /// Interned unit text (index into [`Population::units`]), if any.
    pub unit: Option<u16>,
}

/// Events as columns, sorted by (patient, date, code).
#[derive(Debug, Clone, Default)]
pub struct EventColumns {
    pub date: Vec<Date>,
    pub code: Vec<CodeId>,
    /// NaN where no value was recorded.
    pub value: Vec<f64>,
    /// `u16::MAX` where no unit was recorded.
    pub unit: Vec<u16>,
}

impl EventColumns {
    pub fn len(&self) -> usize {
        self.date.len()
    }

    /// The columns' heap bytes (capacity, not just length).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.date.capacity() * size_of::<Date>()
            + self.code.capacity() * size_of::<CodeId>()
            + self.value.capacity() * size_of::<f64>()
            + self.unit.capacity() * size_of::<u16>()
    }

    pub fn is_empty(&self) -> bool {
        self.date.is_empty()
    }

    pub fn value(&self, i: usize) -> Option<f64> {
        let v = self.value[i];
        (!v.is_nan()).then_some(v)
    }
}

/// The loaded practice: patients, their events, and the interned codes.
#[derive(Debug, Clone, Default)]
pub struct Population {
    pub patients: Vec<Patient>,
    pub events: EventColumns,
    pub codes: CodeTable,
    pub units: Vec<String>,
    /// Patient `p`'s events are `offsets[p]..offsets[p + 1]`.
    offsets: Vec<u32>,
}

impl Population {
    /// Index range of patient `p`'s events, in date order.
    pub fn event_range(&self, p: PatientIdx) -> std::ops::Range<usize> {
        self.offsets[p as usize] as usize..self.offsets[p as usize + 1] as usize
    }

    pub fn unit(&self, i: usize) -> Option<&str> {
        let u = self.events.unit[i];
        (u != u16::MAX).then(|| self.units[u as usize].as_str())
    }

    /// The patients of each practice code, codes in text order; people
    /// with no code are put under `fallback`.
    pub fn by_practice(&self, fallback: &str) -> Vec<(String, Vec<PatientIdx>)> {
        let mut groups: std::collections::BTreeMap<&str, Vec<PatientIdx>> = Default::default();
        for (p, patient) in self.patients.iter().enumerate() {
            let code = patient.practice_code.as_deref().filter(|c| !c.trim().is_empty()).unwrap_or(fallback);
            groups.entry(code.trim()).or_default().push(p as PatientIdx);
        }
        groups.into_iter().map(|(code, patients)| (code.to_owned(), patients)).collect()
    }

    /// A population of some of these patients (in the order given, which
    /// must be this population's order) with their events.
    pub fn subset(&self, patients: &[PatientIdx]) -> Population {
        let mut events = EventColumns::default();
        let mut offsets = Vec::with_capacity(patients.len() + 1);
        offsets.push(0);
        for &p in patients {
            let range = self.event_range(p);
            events.date.extend_from_slice(&self.events.date[range.clone()]);
            events.code.extend_from_slice(&self.events.code[range.clone()]);
            events.value.extend_from_slice(&self.events.value[range.clone()]);
            events.unit.extend_from_slice(&self.events.unit[range]);
            offsets.push(events.len() as u32);
        }
        Population {
            patients: patients.iter().map(|&p| self.patients[p as usize].clone()).collect(),
            events,
            codes: self.codes.clone(),
            units: self.units.clone(),
            offsets,
        }
    }
}

/// Collects patients and events in any order, then sorts them into a
/// [`Population`].
#[derive(Debug, Default)]
pub struct PopulationBuilder {
    pub patients: Vec<Patient>,
    pub codes: CodeTable,
    events: Chunked<PackedEvent>,
    /// The values and units of the events that have either, in the order
    /// read: most events have neither, so they are not stored with each.
    measures: Measures,
    units: Vec<String>,
    unit_ids: HashMap<String, u16>,
}

impl PopulationBuilder {
    pub fn push_event(&mut self, e: Event) {
        let measure = if e.value.is_none() && e.unit.is_none() {
            NO_MEASURE
        } else {
            self.measures.push(e.value.unwrap_or(f64::NAN), e.unit.unwrap_or(u16::MAX))
        };
        self.events.push(PackedEvent { patient: e.patient, date: e.date, code: e.code, measure });
    }

    pub fn event_count(&self) -> usize {
        self.events.len()
    }

    /// Interns a unit, or returns `None` when the table is full (65,535
    /// distinct units; the unit is then dropped, the value kept).
    pub fn intern_unit(&mut self, unit: &str) -> Option<u16> {
        if let Some(&u) = self.unit_ids.get(unit) {
            return Some(u);
        }
        let id = u16::try_from(self.units.len()).ok().filter(|&u| u != u16::MAX)?;
        self.units.push(unit.to_owned());
        self.unit_ids.insert(unit.to_owned(), id);
        Some(id)
    }

    /// Puts patients in order of id and events in order of (patient, date,
    /// code, value, unit), so that nothing downstream depends on the order
    /// rows arrived in.
    pub fn build(self) -> Population {
        let PopulationBuilder { mut patients, codes, mut events, measures, units, .. } = self;
        // Exports are usually in id order already: then nothing moves.
        if !patients.is_sorted_by(|a, b| a.id <= b.id) {
            let mut order: Vec<u32> = (0..patients.len() as u32).collect();
            order.sort_unstable_by(|&a, &b| patients[a as usize].id.cmp(&patients[b as usize].id));
            let mut new_index = vec![0u32; patients.len()];
            for (new, &old) in order.iter().enumerate() {
                new_index[old as usize] = new as u32;
            }
            // Each patient to their place by swaps, cycle by cycle: a city's
            // patients are not copied a second time.
            let mut place = new_index.clone();
            for i in 0..patients.len() {
                while place[i] as usize != i {
                    let j = place[i] as usize;
                    patients.swap(i, j);
                    place.swap(i, j);
                }
            }
            for e in events.iter_mut() {
                e.patient = new_index[e.patient as usize];
            }
        }
        // Codes and units in text order, so that ties sort the same whatever
        // order the rows (and so the interned ids) came in.
        let code_rank = rank(codes.entries.len(), |a, b| codes.entries[a].code.cmp(&codes.entries[b].code));
        let unit_rank = rank(units.len(), |a, b| units[a].cmp(&units[b]));
        let key = |e: &PackedEvent| {
            let (value, unit) = measures.get(e.measure);
            (
                e.date,
                code_rank[e.code as usize],
                value.to_bits(),
                unit_rank.get(unit as usize).copied().unwrap_or(u32::MAX),
            )
        };

        // Bucket events by patient (a counting sort), then order each
        // patient's few events: linear in the number of events.
        let mut offsets = vec![0u32; patients.len() + 1];
        for e in events.iter() {
            offsets[e.patient as usize + 1] += 1;
        }
        for p in 0..patients.len() {
            offsets[p + 1] += offsets[p];
        }
        let mut order = vec![0u32; events.len()];
        let mut cursor = offsets.clone();
        for (i, e) in events.iter().enumerate() {
            let slot = &mut cursor[e.patient as usize];
            order[*slot as usize] = i as u32;
            *slot += 1;
        }
        // Each patient's keys worked out once, and their events sorted only
        // when not in order already (an export's usually are).
        let mut keyed = Vec::new();
        for p in 0..patients.len() {
            let slot = &mut order[offsets[p] as usize..offsets[p + 1] as usize];
            keyed.clear();
            keyed.extend(slot.iter().map(|&i| (key(events.get(i)), i)));
            if !keyed.is_sorted_by(|a, b| a.0 <= b.0) {
                keyed.sort_unstable_by_key(|a| a.0);
                slot.iter_mut().zip(&keyed).for_each(|(o, &(_, i))| *o = i);
            }
        }
        // One read of each event for all four columns: at city scale the
        // events are larger than any cache, so each pass over them costs.
        let n = order.len();
        let mut columns = EventColumns {
            date: Vec::with_capacity(n),
            code: Vec::with_capacity(n),
            value: Vec::with_capacity(n),
            unit: Vec::with_capacity(n),
        };
        for &i in &order {
            let e = events.get(i);
            let (value, unit) = measures.get(e.measure);
            columns.date.push(e.date);
            columns.code.push(e.code);
            columns.value.push(value);
            columns.unit.push(unit);
        }
        Population { patients, events: columns, codes, units, offsets }
    }
}

/// An event as the builder holds it: 16 bytes, its value and unit (if any)
/// kept in [`Measures`]. At city scale every byte an event costs while
/// reading is memory touched for the first time, which is slow.
#[derive(Debug, Clone, Copy)]
struct PackedEvent {
    patient: PatientIdx,
    date: Date,
    code: CodeId,
    /// Index into the builder's measures, or [`NO_MEASURE`].
    measure: u32,
}

/// An event with neither a value nor a unit.
const NO_MEASURE: u32 = u32::MAX;

/// Values (NaN for none) and units (`u16::MAX` for none), one pair an event
/// that has either.
#[derive(Debug, Default)]
struct Measures {
    values: Chunked<f64>,
    units: Chunked<u16>,
}

impl Measures {
    /// Keeps a pair; its index.
    fn push(&mut self, value: f64, unit: u16) -> u32 {
        let index = self.values.len() as u32;
        self.values.push(value);
        self.units.push(unit);
        index
    }

    fn get(&self, index: u32) -> (f64, u16) {
        if index == NO_MEASURE {
            (f64::NAN, u16::MAX)
        } else {
            (*self.values.get(index), *self.units.get(index))
        }
    }
}

/// Items as they are read, in fixed-size chunks: a growing `Vec` would
/// copy itself as it doubles and, for a moment, hold twice a city's events.
#[derive(Debug)]
struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked { chunks: Vec::new(), len: 0 }
    }
}

impl<T> Chunked<T> {
    /// 2^20 items a chunk (16 MB of events).
    const SHIFT: u32 = 20;
    const SIZE: usize = 1 << Self::SHIFT;

    fn push(&mut self, item: T) {
        match self.chunks.last_mut() {
            Some(chunk) if chunk.len() < Self::SIZE => chunk.push(item),
            last => {
                // The first chunk grows as a Vec does, so a small practice stays small.
                let mut chunk = if last.is_none() { Vec::new() } else { Vec::with_capacity(Self::SIZE) };
                chunk.push(item);
                self.chunks.push(chunk);
            }
        }
        self.len += 1;
    }

    fn len(&self) -> usize {
        self.len
    }

    fn get(&self, i: u32) -> &T {
        &self.chunks[(i >> Self::SHIFT) as usize][i as usize & (Self::SIZE - 1)]
    }

    fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flatten()
    }

    fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.chunks.iter_mut().flatten()
    }
}

/// `rank[i]` is the position of item `i` when all `n` are sorted by `cmp`.
fn rank(n: usize, cmp: impl Fn(usize, usize) -> std::cmp::Ordering) -> Vec<u32> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| cmp(a, b));
    let mut rank = vec![0u32; n];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r as u32;
    }
    rank
}

/// Start of the NHS financial year (1 April) containing `date`.
pub fn financial_year_start(date: Date) -> Date {
    let year = if date.month() >= 4 { date.year() } else { date.year() - 1 };
    NaiveDate::from_ymd_opt(year, 4, 1).expect("1 April exists in every year")
}

/// Formats a date as GP systems display it: dd/mm/yyyy.
pub fn uk_date(date: Date) -> String {
    date.format("%d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn person(dob: Date) -> Patient {
        Patient {
            id: "p".into(),
            nhs_number: None,
            nhs_number_valid: true,
            date_of_birth: dob,
            sex: Sex::Unknown,
            ethnicity: EthnicityGroup::NotRecorded,
            ethnic_category: None,
            imd_decile: None,
            lsoa: None,
            practice_code: None,
            registered_date: None,
            deregistered_date: None,
            date_of_death: None,
            name: None,
        }
    }

    #[test]
    fn age_turns_on_the_birthday() {
        let p = person(d(2012, 11, 23));
        assert_eq!(p.age_on(d(2026, 11, 22)), 13);
        assert_eq!(p.age_on(d(2026, 11, 23)), 14);
    }

    #[test]
    fn leap_day_birthday_counts_from_first_of_march() {
        let p = person(d(2008, 2, 29));
        assert_eq!(p.age_on(d(2026, 2, 28)), 17);
        assert_eq!(p.age_on(d(2026, 3, 1)), 18);
        assert_eq!(p.age_on(d(2028, 2, 29)), 20);
    }

    #[test]
    fn financial_year_starts_on_first_of_april() {
        assert_eq!(financial_year_start(d(2026, 3, 31)), d(2025, 4, 1));
        assert_eq!(financial_year_start(d(2026, 4, 1)), d(2026, 4, 1));
        assert_eq!(financial_year_start(d(2026, 11, 23)), d(2026, 4, 1));
    }

    #[test]
    fn imd_quintile_and_core20() {
        let mut p = person(d(1980, 1, 1));
        for (decile, quintile, core20) in [(1, 1, true), (2, 1, true), (3, 2, false), (10, 5, false)] {
            p.imd_decile = Some(decile);
            assert_eq!(p.imd_quintile(), Some(quintile), "decile {decile}");
            assert_eq!(p.core20(), core20, "decile {decile}");
        }
        p.imd_decile = None;
        assert_eq!(p.imd_quintile(), None);
        assert!(!p.core20());
    }

    #[test]
    fn nhs_ethnic_categories_group_as_the_data_dictionary_says() {
        assert_eq!(EthnicityGroup::from_nhs_category("a"), Some(EthnicityGroup::White));
        assert_eq!(EthnicityGroup::from_nhs_category("G"), Some(EthnicityGroup::Mixed));
        assert_eq!(EthnicityGroup::from_nhs_category("K"), Some(EthnicityGroup::Asian));
        assert_eq!(EthnicityGroup::from_nhs_category("N"), Some(EthnicityGroup::Black));
        assert_eq!(EthnicityGroup::from_nhs_category("R"), Some(EthnicityGroup::Other));
        assert_eq!(EthnicityGroup::from_nhs_category("99"), Some(EthnicityGroup::NotRecorded));
        assert_eq!(EthnicityGroup::from_nhs_category("Q"), None);
    }

    #[test]
    fn builder_sorts_patients_by_id_and_events_by_patient_then_date() {
        let mut b = PopulationBuilder::default();
        b.patients.push(Patient { id: "b".into(), ..person(d(1950, 1, 1)) });
        b.patients.push(Patient { id: "a".into(), ..person(d(1960, 1, 1)) });
        let c = b.codes.intern("38341003", CodeSystem::Snomed, None, |_| Box::new([]));
        for (patient, day) in [(1, 3), (0, 2), (1, 1), (0, 1)] {
            b.push_event(Event { patient, date: d(2020, 1, day), code: c, value: None, unit: None });
        }
        let pop = b.build();
        assert_eq!(pop.patients[0].id, "a");
        assert_eq!(pop.event_range(0), 0..2);
        assert_eq!(pop.event_range(1), 2..4);
        // Patient "a" (pushed second, index 1) had events on days 3 and 1.
        let days: Vec<u32> = pop.events.date.iter().map(|d| d.day()).collect();
        assert_eq!(days, [1, 3, 1, 2]);
    }

    #[test]
    fn builder_keeps_each_events_value_and_unit_and_orders_ties_by_them() {
        let mut b = PopulationBuilder::default();
        b.patients.push(person(d(1950, 1, 1)));
        let c = b.codes.intern("271649006", CodeSystem::Snomed, None, |_| Box::new([]));
        let mmhg = b.intern_unit("mm[Hg]");
        let kpa = b.intern_unit("kPa");
        // The same day and code: value then unit (in text order) decide.
        let rows = [(Some(140.0), mmhg), (None, None), (Some(120.0), None), (None, kpa), (Some(120.0), kpa)];
        for (value, unit) in rows {
            b.push_event(Event { patient: 0, date: d(2020, 1, 1), code: c, value, unit });
        }
        b.push_event(Event { patient: 0, date: d(2019, 1, 1), code: c, value: Some(150.0), unit: mmhg });
        let pop = b.build();
        let units: Vec<Option<&str>> =
            pop.events.unit.iter().map(|&u| pop.units.get(u as usize).map(String::as_str)).collect();
        let values: Vec<Option<f64>> = pop.events.value.iter().map(|v| Some(*v).filter(|v| !v.is_nan())).collect();
        assert_eq!(values, [Some(150.0), Some(120.0), Some(120.0), Some(140.0), None, None]);
        assert_eq!(units, [Some("mm[Hg]"), Some("kPa"), None, Some("mm[Hg]"), Some("kPa"), None]);
    }
}
