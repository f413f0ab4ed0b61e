//! A deterministic synthetic GP practice, for the demo, the tests and the
//! benchmarks.
//!
//! [`generate`] writes two CSV files in the shape the loader reads: one row
//! per patient, and one row per coded event. The same [`SynthConfig`] gives
//! byte-identical files on every platform, natively and in WebAssembly:
//! each patient has their own PCG stream seeded from the seed and their
//! position, values are whole numbers or tenths written without
//! floating-point formatting, and no transcendental maths is used.
//!
//! The practice looks like an English list: ONS-like age and sex, IMD deciles
//! by deprivation profile, England 2021-like ethnicity, registrations and
//! deaths, conditions at about their national prevalence, six years of
//! blood pressures, tests, prescriptions, vaccinations, health checks and
//! frailty codes, and three years of emergency admissions and A&E
//! attendances drawn from a logistic model with known coefficients
//! ([`EMERGENCY_ADMISSION`], [`AE_ATTENDANCE`]; see `emergency.rs`), so that a
//! model fitted on the practice can be compared with the truth. Recording is
//! less complete in more deprived areas, so equity gaps show. See `person.rs`
//! for who has what, and `record.rs` for what gets written down.
//!
//! Output is streamed: a patient's events are written as soon as they are
//! made, so a city of 800,000 patients needs no more memory than one.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

use crate::codes::Clusters;
use crate::model::Date;

mod emergency;
pub mod fhir;
mod person;
mod record;
mod rng;
mod vocab;

pub use emergency::{
    Features, GeneratingModel, AE_ATTENDANCE, AE_WITH_ADMISSION, EMERGENCY_ADMISSION, FURTHER_ADMISSION, FURTHER_AE,
    MAX_ADMISSIONS, MAX_AE, PRIOR_CAP, YEARS,
};

#[cfg(test)]
mod tests;

use person::{Ethnicity, Frailty};
use record::{Ev, Val};
use rng::Rng;
use vocab::Vocab;

/// How deprived the practice's area is: sets the spread of IMD deciles
/// (and, through them, prevalence and recording).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Deprivation {
    /// Mostly IMD deciles 1–3.
    Deprived,
    /// Deciles roughly uniform.
    #[default]
    Average,
    /// Mostly deciles 8–10.
    Affluent,
    /// Two catchments in one: a deprived inner area and an affluent suburb
    /// (deciles 1–2 and 8–10, few between).
    Mixed,
}

impl Deprivation {
    fn index(self) -> usize {
        match self {
            Deprivation::Deprived => 0,
            Deprivation::Average => 1,
            Deprivation::Affluent => 2,
            Deprivation::Mixed => 3,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Deprivation::Deprived => "deprived",
            Deprivation::Average => "average",
            Deprivation::Affluent => "affluent",
            Deprivation::Mixed => "mixed",
        }
    }
}

impl std::fmt::Display for Deprivation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for Deprivation {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "deprived" => Ok(Deprivation::Deprived),
            "average" => Ok(Deprivation::Average),
            "affluent" => Ok(Deprivation::Affluent),
            "mixed" => Ok(Deprivation::Mixed),
            other => Err(format!("deprivation '{other}' is not one of deprived, average, affluent, mixed")),
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthConfig {
    /// Rows in the patients file, including people who have since died or
    /// left (about 7%).
    pub patients: usize,
    pub seed: u64,
    pub deprivation: Deprivation,
    /// Events are dated up to and including this day.
    pub extract_date: Date,
    pub practice_code: String,
}

impl SynthConfig {
    /// An average practice with code `Y00001`.
    pub fn new(patients: usize, seed: u64, extract_date: Date) -> SynthConfig {
        SynthConfig { patients, seed, deprivation: Deprivation::Average, extract_date, practice_code: "Y00001".into() }
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SynthSummary {
    /// Rows in the patients file.
    pub patients: u64,
    /// Rows in the events file.
    pub events: u64,
    /// People given each condition (diagnosed and not resolved), alive and
    /// registered on the extract date. Also `current_smoker`, `pregnant`,
    /// `smi_lithium_only`, `alive_registered`, the generator's own eFI
    /// categories for people aged 65+ (`efi_fit` … `efi_severe`), and people
    /// with an emergency admission (`emergency_admission_12m`) or an A&E
    /// attendance (`ae_attendance_12m`) in the 12 months to the extract.
    pub conditions: BTreeMap<String, u64>,
}

pub(crate) const PATIENT_HEADER: [&str; 12] = [
    "patient_id",
    "nhs_number",
    "date_of_birth",
    "sex",
    "ethnicity",
    "imd_decile",
    "lsoa",
    "practice_code",
    "registered_date",
    "deregistered_date",
    "date_of_death",
    "name",
];

pub(crate) const EVENT_HEADER: [&str; 7] = ["patient_id", "code", "date", "value", "unit", "code_system", "term"];

/// Settings and tables shared by every patient.
pub(crate) struct Ctx {
    /// The extract date as a day number.
    extract: i32,
    /// The first day of the history window (six years before the extract).
    window: i32,
    profile: usize,
    vocab: Vocab,
    age_weights: Vec<f64>,
    /// The practice's LSOAs: number and IMD decile.
    lsoas: Vec<(u32, u8)>,
    /// Emergency care years: `years[k]` is the extract date less 12k months;
    /// year k runs from the day after `years[k + 1]` to `years[k]`, and
    /// `years[k + 1]` is its reference date. Year [`YEARS`] is drawn, not written.
    years: [i32; YEARS + 2],
    /// Per year: the first day of the lithium window (6 months) ending on its reference date.
    lithium_from: [i32; YEARS + 1],
}

pub(crate) fn days(date: Date) -> i32 {
    date.num_days_from_ce()
}

/// The same day `n` months earlier (the month's last day where it is shorter).
fn months_before(day: i32, n: u32) -> i32 {
    date(day).checked_sub_months(chrono::Months::new(n)).map_or(day - 30 * n as i32, days)
}

pub(crate) fn date(day: i32) -> Date {
    NaiveDate::from_num_days_from_ce_opt(day).expect("day numbers stay within chrono's range")
}

impl Ctx {
    fn new(config: &SynthConfig, clusters: &Clusters) -> Ctx {
        let extract = days(config.extract_date);
        let profile = config.deprivation.index();
        let mut rng = Rng::new(config.seed, 0);
        // Catchment: a few hundred patients per LSOA, each LSOA with its decile.
        let count = (config.patients / 350).clamp(12, 4000);
        let first = 1 + rng.below(30_000) as u32;
        let weights = person::imd_weights(profile);
        let lsoas = (0..count as u32).map(|i| (first + i, rng.weighted(weights) as u8 + 1)).collect();
        let mut years = [extract; YEARS + 2];
        for k in 1..years.len() {
            years[k] = months_before(years[k - 1], 12);
        }
        // As the rules' "6 months": the day after the same date 6 months before.
        let lithium_from = std::array::from_fn(|k| months_before(years[k + 1], 6) + 1);
        Ctx {
            extract,
            window: extract - 6 * person::YEAR - 1,
            profile,
            vocab: Vocab::new(clusters),
            age_weights: person::age_weights(),
            lsoas,
            years,
            lithium_from,
        }
    }
}

/// NHS numbers from the 999 test range (never issued to real people), with
/// a valid modulus 11 check digit: a shuffled walk through the 1,000,000
/// possible middles, skipping those whose check digit would be 10. About
/// 909,000 are valid; a larger practice reuses them from the start.
struct NhsNumbers {
    step: u64,
    offset: u64,
    next: u64,
}

impl NhsNumbers {
    const SPACE: u64 = 1_000_000;

    fn new(seed: u64) -> NhsNumbers {
        // An odd step not divisible by 5 visits every middle exactly once.
        let mut step = (rng::mix(seed) % Self::SPACE) | 1;
        if step % 5 == 0 {
            step += 2;
        }
        NhsNumbers { step, offset: rng::mix(seed ^ 0xA5A5) % Self::SPACE, next: 0 }
    }

    fn next(&mut self) -> String {
        loop {
            let middle = (self.next % Self::SPACE * self.step + self.offset) % Self::SPACE;
            self.next += 1;
            let digits = format!("999{middle:06}");
            if let Some(check) = check_digit(&digits) {
                return format!("{digits}{check}");
            }
        }
    }
}

/// The modulus 11 check digit of nine digits, or `None` where it would be 10.
pub(crate) fn check_digit(nine: &str) -> Option<u32> {
    let sum: u32 = nine.bytes().zip((2..=10).rev()).map(|(b, w)| (b - b'0') as u32 * w).sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        c => Some(c),
    }
}

/// Writes a date as yyyy-mm-dd.
fn iso(day: i32, buf: &mut [u8; 10]) -> &[u8] {
    let d = date(day);
    let (y, m, dd) = (d.year() as u32, d.month(), d.day());
    let digits = [y / 1000 % 10, y / 100 % 10, y / 10 % 10, y % 10, 0, m / 10, m % 10, 0, dd / 10, dd % 10];
    for (i, v) in digits.iter().enumerate() {
        buf[i] = b'0' + *v as u8;
    }
    buf[4] = b'-';
    buf[7] = b'-';
    &buf[..]
}

fn value_text(value: Val, out: &mut String) {
    use std::fmt::Write as _;
    out.clear();
    match value {
        Val::None => {}
        Val::Int(v) => {
            let _ = write!(out, "{v}");
        }
        Val::Tenths(t) => {
            let sign = if t < 0 { "-" } else { "" };
            let a = t.unsigned_abs();
            let _ = write!(out, "{sign}{}.{}", a / 10, a % 10);
        }
    }
}

/// Generates the practice: patients to `patients`, events to `events`.
///
/// Both are CSV with a header row, comma-separated, LF line ends, dates as
/// yyyy-mm-dd and empty fields where nothing is known. Pass buffered
/// writers; the CSV writers add their own small buffers.
pub fn generate(
    config: &SynthConfig,
    clusters: &Clusters,
    patients: impl Write,
    events: impl Write,
) -> io::Result<SynthSummary> {
    let ctx = Ctx::new(config, clusters);
    let builder = || {
        let mut b = csv::WriterBuilder::new();
        b.terminator(csv::Terminator::Any(b'\n')).buffer_capacity(1 << 16);
        b
    };
    let mut pw = builder().from_writer(patients);
    let mut ew = builder().from_writer(events);
    pw.write_record(PATIENT_HEADER)?;
    ew.write_record(EVENT_HEADER)?;

    let mut nhs = NhsNumbers::new(config.seed);
    let mut summary = SynthSummary::default();
    let mut counts: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut evs: Vec<Ev> = Vec::new();
    let mut id = String::new();
    let mut value = String::new();
    let mut d1 = [0u8; 10];
    let mut d2 = [0u8; 10];

    for index in 0..config.patients {
        let mut rng = Rng::new(config.seed, index as u64 + 1);
        let mut emergency_rng = Rng::emergency(config.seed, index as u64 + 1);
        let p = person::draw(&ctx, &mut rng);
        evs.clear();
        let facts = record::record(&ctx, &p, &mut rng, &mut emergency_rng, &mut evs);
        evs.sort_unstable();
        evs.dedup();

        id.clear();
        {
            use std::fmt::Write as _;
            let _ = write!(id, "P{:06}", index + 1);
        }
        let nhs_number = nhs.next();
        let ethnicity: &str = match p.ethnicity {
            Ethnicity::Blank => "",
            Ethnicity::Letter(l) => l,
            Ethnicity::Snomed(c) => &ctx.vocab.get(c).code,
        };
        let imd = p.imd.map(|d| d.to_string()).unwrap_or_default();
        let lsoa = p.lsoa.map(|l| format!("E01{l:06}")).unwrap_or_default();
        pw.write_field(&id)?;
        pw.write_field(&nhs_number)?;
        pw.write_field(iso(p.dob, &mut d1))?;
        pw.write_field(if p.female { "F" } else { "M" })?;
        pw.write_field(ethnicity)?;
        pw.write_field(&imd)?;
        pw.write_field(&lsoa)?;
        pw.write_field(&config.practice_code)?;
        pw.write_field(iso(p.reg, &mut d1))?;
        match p.dereg {
            Some(d) => pw.write_field(iso(d, &mut d2))?,
            None => pw.write_field("")?,
        }
        match p.death {
            Some(d) => pw.write_field(iso(d, &mut d2))?,
            None => pw.write_field("")?,
        }
        pw.write_field(&p.name)?;
        pw.write_record(None::<&[u8]>)?;

        for e in &evs {
            let info = ctx.vocab.get(e.code);
            value_text(e.value, &mut value);
            ew.write_field(&id)?;
            ew.write_field(&info.code)?;
            ew.write_field(iso(e.day, &mut d1))?;
            ew.write_field(&value)?;
            ew.write_field(if value.is_empty() { "" } else { info.unit })?;
            ew.write_field(info.system)?;
            ew.write_field(&info.term)?;
            ew.write_record(None::<&[u8]>)?;
        }
        summary.patients += 1;
        summary.events += evs.len() as u64;

        if p.death.is_none() && p.dereg.is_none() {
            *counts.entry("alive_registered").or_default() += 1;
            for kind in &facts.current {
                *counts.entry(kind.name()).or_default() += 1;
            }
            if facts.pregnant {
                *counts.entry("pregnant").or_default() += 1;
            }
            if facts.current_smoker {
                *counts.entry("current_smoker").or_default() += 1;
            }
            if p.lithium_only {
                *counts.entry("smi_lithium_only").or_default() += 1;
            }
            if let Some(n) = facts.deficits {
                let category = match n {
                    0..=4 => "efi_fit",
                    5..=8 => "efi_mild",
                    9..=12 => "efi_moderate",
                    _ => "efi_severe",
                };
                *counts.entry(category).or_default() += 1;
            }
            if p.frailty != Frailty::Young {
                *counts.entry("aged_65_plus").or_default() += 1;
            }
            if let Some(year) = facts.emergency[0] {
                if year.admissions > 0 {
                    *counts.entry("emergency_admission_12m").or_default() += 1;
                }
                if year.ae > 0 {
                    *counts.entry("ae_attendance_12m").or_default() += 1;
                }
            }
        }
    }
    pw.flush()?;
    ew.flush()?;
    summary.conditions = counts.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    Ok(summary)
}
