//! One synthetic person: who they are, when they joined (and left) the list,
//! and which conditions they have had, before anything is written down.
//!
//! Prevalences are set by age band (5-year bands, 90+ last) from published
//! figures ([RECALL] values in domain.md §9), then shifted by sex,
//! deprivation, smoking, frailty and related conditions. Each person's
//! conditions are decided as they stand at the extract date; deaths in the
//! history window are then simulated, and a person who died before a
//! condition's onset never had it.

use super::rng::Rng;
use super::vocab::C;
use super::Ctx;

/// Days in a year, for spans and ages measured in days.
pub(super) const YEAR: i32 = 365;

/// Conditions the generator models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Kind {
    Hyp,
    Dm2,
    Dm1,
    Asthma,
    Copd,
    Chd,
    Af,
    Stroke,
    Hf,
    Ckd,
    Dementia,
    Epilepsy,
    Osteoporosis,
    Ra,
    Pad,
    Cancer,
    Palliative,
    Smi,
    Ld,
    Autism,
    Adhd,
    Hypothyroid,
}

impl Kind {
    /// The name used in [`super::SynthSummary::conditions`].
    pub(super) fn name(self) -> &'static str {
        match self {
            Kind::Hyp => "hypertension",
            Kind::Dm2 => "diabetes_type2",
            Kind::Dm1 => "diabetes_type1",
            Kind::Asthma => "asthma",
            Kind::Copd => "copd",
            Kind::Chd => "chd",
            Kind::Af => "atrial_fibrillation",
            Kind::Stroke => "stroke_tia",
            Kind::Hf => "heart_failure",
            Kind::Ckd => "ckd",
            Kind::Dementia => "dementia",
            Kind::Epilepsy => "epilepsy",
            Kind::Osteoporosis => "osteoporosis",
            Kind::Ra => "rheumatoid_arthritis",
            Kind::Pad => "pad",
            Kind::Cancer => "cancer_last_5_years",
            Kind::Palliative => "palliative_care",
            Kind::Smi => "smi",
            Kind::Ld => "learning_disability",
            Kind::Autism => "autism",
            Kind::Adhd => "adhd",
            Kind::Hypothyroid => "hypothyroidism",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Smoking {
    Never,
    Ex,
    Current,
}

/// The frailty a person aged 65+ is given; the eFI deficits recorded for
/// them are chosen to land in this category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Frailty {
    Young,
    Fit,
    Mild,
    Moderate,
    Severe,
}

#[derive(Debug, Clone)]
pub(super) struct Cond {
    pub kind: Kind,
    /// Day of onset (day number from the common era).
    pub onset: i32,
    /// Day a resolution or remission code is due, if it ever is.
    pub resolved: Option<i32>,
    /// Which code of the condition: type of SMI, site of cancer, and so on.
    pub variant: u8,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Ethnicity {
    Blank,
    Letter(&'static str),
    Snomed(C),
}

#[derive(Debug, Clone)]
pub(super) struct Person {
    pub female: bool,
    pub dob: i32,
    /// Age in completed years on the extract date.
    pub age: i32,
    pub imd: Option<u8>,
    pub lsoa: Option<u32>,
    pub ethnicity: Ethnicity,
    /// An ethnicity code recorded as an event (for some with a blank column).
    pub ethnicity_event: Option<C>,
    pub name: String,
    pub reg: i32,
    pub dereg: Option<i32>,
    pub death: Option<i32>,
    pub smoking: Smoking,
    /// For ex-smokers who stopped during the history window.
    pub quit: Option<i32>,
    pub frailty: Frailty,
    pub target_deficits: u32,
    pub conds: Vec<Cond>,
    /// Bipolar disorder treated with lithium.
    pub lithium: bool,
    /// On lithium with no SMI diagnosis code (QOF MH2 only).
    pub lithium_only: bool,
    /// Has blood pressure checked now and then (the rest almost never do).
    pub bp_engaged: bool,
    /// Not on the register, but with raised readings.
    pub undiagnosed_htn: bool,
    /// On the register and treated to target.
    pub bp_controlled: bool,
    /// 0 teetotal, 1 light, 2 moderate, 3 heavy.
    pub alcohol: u8,
    pub bmi: f64,
    pub cholesterol: f64,
    pub hba1c: f64,
    pub vaccine_acceptor: bool,
    /// Never attends the learning disability health check.
    pub ahc_never: bool,
    /// Multiplier on the chance that any check is recorded: lower in the
    /// most deprived areas.
    pub completeness: f64,
}

impl Person {
    pub(super) fn cond(&self, kind: Kind) -> Option<&Cond> {
        self.conds.iter().find(|c| c.kind == kind)
    }

    pub(super) fn has(&self, kind: Kind) -> bool {
        self.cond(kind).is_some()
    }

    /// Has the condition and it is not resolved by `day`.
    pub(super) fn active(&self, kind: Kind, day: i32) -> bool {
        self.cond(kind).is_some_and(|c| c.onset <= day && c.resolved.is_none_or(|r| r > day))
    }

    /// The last day anything can be recorded: death, leaving, or the extract.
    pub(super) fn end(&self, extract: i32) -> i32 {
        let mut end = extract;
        if let Some(d) = self.death {
            end = end.min(d);
        }
        if let Some(d) = self.dereg {
            end = end.min(d);
        }
        end
    }

    /// Age in whole years on `day` (approximate by at most a day around birthdays).
    pub(super) fn age_on(&self, day: i32) -> i32 {
        age_between(self.dob, day)
    }
}

/// Whole years from `dob` to `day`, by calendar.
pub(super) fn age_between(dob: i32, day: i32) -> i32 {
    use chrono::Datelike;
    let (b, d) = (super::date(dob), super::date(day));
    let mut age = d.year() - b.year();
    if (d.month(), d.day()) < (b.month(), b.day()) {
        age -= 1;
    }
    age
}

fn band(age: i32) -> usize {
    (age.max(0) / 5).min(18) as usize
}

/// England mid-2021-like population share by 5-year band (percent).
const POPULATION: [f64; 19] =
    [5.5, 6.0, 6.0, 5.6, 6.0, 6.6, 6.8, 6.5, 6.2, 6.3, 6.8, 6.6, 5.7, 4.9, 4.9, 3.5, 2.3, 1.4, 0.9];
/// Share of women by band: slightly more at older ages.
const FEMALE_SHARE: [f64; 19] = [
    0.488, 0.488, 0.488, 0.487, 0.49, 0.5, 0.505, 0.505, 0.505, 0.505, 0.505, 0.505, 0.51, 0.515, 0.525, 0.54, 0.56,
    0.60, 0.67,
];

/// Brings the death table to a crude rate of about 0.9% a year.
const DEATH_SCALE: f64 = 0.8;

/// Weights for single years of age 0..=100.
pub(super) fn age_weights() -> Vec<f64> {
    let mut w = Vec::with_capacity(101);
    for age in 0..90 {
        w.push(POPULATION[age / 5] / 5.0);
    }
    // 90+: a share that falls by a fifth with each year.
    let mut tail = Vec::with_capacity(11);
    let mut x = 1.0;
    for _ in 90..=100 {
        tail.push(x);
        x *= 0.8;
    }
    let sum: f64 = tail.iter().sum();
    w.extend(tail.iter().map(|t| POPULATION[18] * t / sum));
    // Rows include people who died in the six-year window: draw more of the
    // old so that the living keep the population's shape.
    for (age, weight) in w.iter_mut().enumerate() {
        let died = (6.0 * tables::DEATH[band(age as i32)] * DEATH_SCALE).min(0.8);
        *weight /= 1.0 - died;
    }
    w
}

/// Prevalence by age band at the extract date, before any multiplier.
#[rustfmt::skip]
mod tables {
    //                          0     5    10    15    20    25    30    35    40    45    50    55    60    65    70    75    80    85    90
    pub const HYP: [f64; 19] = [0.0, 0.0, 0.001,0.003,0.006,0.01, 0.02, 0.035,0.06, 0.09, 0.14, 0.20, 0.27, 0.35, 0.43, 0.50, 0.56, 0.60, 0.60];
    pub const DM2: [f64; 19] = [0.0, 0.0, 0.0, 0.001,0.003,0.006,0.012,0.02, 0.035,0.05, 0.075,0.10, 0.125,0.15, 0.165,0.175,0.17, 0.15, 0.13];
    pub const DM1: [f64; 19] = [0.001,0.003,0.004,0.005,0.005,0.005,0.005,0.005,0.005,0.005,0.005,0.005,0.005,0.004,0.004,0.003,0.003,0.002,0.002];
    pub const ASTHMA: [f64; 19] = [0.005,0.04,0.07,0.075,0.07,0.07,0.07,0.07,0.07,0.07,0.07,0.07,0.07,0.07,0.07,0.065,0.06,0.055,0.05];
    pub const COPD: [f64; 19] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.001,0.002,0.004,0.008,0.014,0.024,0.036,0.05, 0.06, 0.068,0.07, 0.068,0.06];
    pub const CHD: [f64; 19] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.001,0.002,0.005,0.01, 0.018,0.03, 0.045,0.065,0.085,0.11, 0.13, 0.14, 0.14];
    pub const AF: [f64; 19] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0005,0.001,0.002,0.003,0.005,0.008,0.013,0.022,0.035,0.055,0.08,0.11, 0.13, 0.14];
    pub const STROKE: [f64; 19] = [0.0, 0.0, 0.0, 0.0, 0.001,0.001,0.002,0.003,0.005,0.008,0.012,0.018,0.027,0.038,0.053,0.072,0.095,0.11, 0.12];
    pub const HF: [f64; 19] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0005,0.001,0.002,0.003,0.005,0.008,0.012,0.018,0.028,0.045,0.07,0.09, 0.11];
    pub const CKD: [f64; 19] = [0.0, 0.0, 0.0, 0.0, 0.001,0.001,0.002,0.003,0.005,0.008,0.013,0.02, 0.035,0.06, 0.095,0.15, 0.22, 0.28, 0.32];
    pub const DEMENTIA: [f64; 19] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0005,0.001,0.003,0.008,0.018,0.042,0.085,0.15, 0.24];
    pub const EPILEPSY: [f64; 19] = [0.002,0.005,0.007,0.008,0.008,0.008,0.008,0.008,0.008,0.008,0.008,0.008,0.009,0.009,0.009,0.009,0.009,0.009,0.009];
    pub const OSTEO: [f64; 19] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.001,0.002,0.004,0.008,0.014,0.022,0.032,0.045,0.06, 0.07, 0.075];
    pub const RA: [f64; 19] = [0.0, 0.0, 0.0, 0.0005,0.001,0.002,0.003,0.004,0.006,0.008,0.01, 0.012,0.014,0.016,0.017,0.017,0.016,0.015,0.014];
    pub const PAD: [f64; 19] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0005,0.001,0.002,0.004,0.007,0.011,0.016,0.021,0.026,0.03, 0.032,0.032];
    /// Cancer diagnosed in the last five years.
    pub const CANCER: [f64; 19] = [0.0005,0.0005,0.0005,0.001,0.001,0.002,0.003,0.005,0.008,0.012,0.018,0.026,0.036,0.048,0.06, 0.07, 0.075,0.075,0.07];
    pub const SMI: [f64; 19] = [0.0, 0.0, 0.0, 0.003,0.009,0.012,0.013,0.013,0.013,0.013,0.013,0.012,0.011,0.01, 0.009,0.008,0.008,0.008,0.007];
    pub const LD: [f64; 19] = [0.002,0.006,0.007,0.007,0.007,0.007,0.007,0.007,0.007,0.007,0.006,0.006,0.005,0.004,0.003,0.003,0.002,0.002,0.002];
    pub const AUTISM: [f64; 19] = [0.004,0.02, 0.025,0.022,0.015,0.01, 0.007,0.005,0.004,0.003,0.002,0.002,0.001,0.001,0.001,0.001,0.001,0.001,0.001];
    pub const ADHD: [f64; 19] = [0.0, 0.015,0.03, 0.025,0.02, 0.015,0.012,0.009,0.006,0.004,0.002,0.001,0.001,0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    pub const SMOKING: [f64; 19] = [0.0, 0.0, 0.0, 0.03, 0.13, 0.17, 0.18, 0.17, 0.16, 0.155,0.15, 0.145,0.13, 0.10, 0.085,0.065,0.045,0.03, 0.02];
    /// Ex-smokers among those who do not smoke now.
    pub const EX_SMOKER: [f64; 19] = [0.0, 0.0, 0.0, 0.02, 0.04, 0.08, 0.12, 0.16, 0.19, 0.22, 0.26, 0.30, 0.33, 0.37, 0.40, 0.42, 0.42, 0.40, 0.38];
    /// Annual death rate (England-like), before multipliers.
    pub const DEATH: [f64; 19] = [0.0008,0.0001,0.0001,0.0003,0.0004,0.0005,0.0007,0.001,0.0015,0.0022,0.0032,0.0048,0.0075,0.011,0.018,0.031,0.055,0.10, 0.20];
    /// Frailty category shares (fit, mild, moderate, severe) for 65–69 … 85+.
    pub const FRAILTY: [[f64; 4]; 5] = [
        [0.68, 0.26, 0.05, 0.01],
        [0.57, 0.33, 0.08, 0.02],
        [0.44, 0.39, 0.13, 0.04],
        [0.32, 0.43, 0.19, 0.06],
        [0.21, 0.44, 0.26, 0.09],
    ];
}

/// Calibration: multipliers that bring each table, after the other
/// multipliers and after deaths, to the national figure among people alive
/// and registered.
mod scale {
    pub const HYP: f64 = 1.02;
    pub const DM2: f64 = 0.95;
    pub const DM1: f64 = 1.15;
    pub const ASTHMA: f64 = 1.02;
    pub const COPD: f64 = 1.33;
    pub const CHD: f64 = 1.08;
    pub const AF: f64 = 0.96;
    pub const STROKE: f64 = 0.85;
    pub const HF: f64 = 0.95;
    pub const CKD: f64 = 0.84;
    pub const DEMENTIA: f64 = 0.63;
    pub const EPILEPSY: f64 = 0.95;
    pub const OSTEO: f64 = 0.9;
    pub const RA: f64 = 1.08;
    pub const PAD: f64 = 0.97;
    pub const CANCER: f64 = 1.55;
    pub const SMI: f64 = 1.35;
    pub const LD: f64 = 1.1;
    pub const AUTISM: f64 = 1.12;
    pub const ADHD: f64 = 1.15;
}

/// Condition probability multiplier for deprivation: `k` is the relative
/// excess in decile 1 (and deficit in decile 10).
fn dep(k: f64, imd: Option<u8>) -> f64 {
    match imd {
        Some(d) => 1.0 + k * (5.5 - d as f64) / 4.5,
        None => 1.0,
    }
}

/// How much more likely a check is to be recorded, by decile.
fn completeness(imd: Option<u8>) -> f64 {
    match imd {
        Some(d) => 0.76 + 0.03 * (d as f64 - 1.0),
        None => 0.9,
    }
}

const WHITE: usize = 0;
const MIXED: usize = 1;
const ASIAN: usize = 2;
const BLACK: usize = 3;
const OTHER: usize = 4;

/// NHS ethnic category letters and their group.
const LETTERS: [(&str, usize); 16] = [
    ("A", WHITE),
    ("B", WHITE),
    ("C", WHITE),
    ("D", MIXED),
    ("E", MIXED),
    ("F", MIXED),
    ("G", MIXED),
    ("H", ASIAN),
    ("J", ASIAN),
    ("K", ASIAN),
    ("L", ASIAN),
    ("M", BLACK),
    ("N", BLACK),
    ("P", BLACK),
    ("R", OTHER),
    ("S", OTHER),
];

/// Weights of each letter by deprivation profile (England 2021-like for
/// the average profile; more diverse where deprived).
#[rustfmt::skip]
const LETTER_WEIGHTS: [[f64; 16]; 4] = [
    // deprived
    [57.0, 0.7, 6.3, 1.5, 0.7, 0.9, 1.4, 5.0, 7.0, 3.0, 3.0, 2.5, 5.5, 1.5, 1.0, 3.0],
    // average
    [74.4, 0.9, 6.7, 0.9, 0.4, 0.8, 0.9, 3.3, 2.7, 1.1, 2.5, 1.1, 2.5, 0.6, 0.7, 1.5],
    // affluent
    [80.0, 1.2, 6.8, 0.6, 0.3, 0.8, 0.8, 3.0, 1.3, 0.4, 1.8, 0.5, 0.8, 0.2, 0.8, 0.7],
    // mixed: halfway between deprived and affluent
    [68.5, 1.0, 6.5, 1.0, 0.5, 0.8, 1.1, 4.0, 4.1, 1.7, 2.4, 1.5, 3.1, 0.9, 0.9, 1.9],
];

#[rustfmt::skip]
const IMD_WEIGHTS: [[f64; 10]; 4] = [
    [30.0, 25.0, 17.0, 9.0, 6.0, 4.0, 3.0, 2.0, 2.0, 2.0],
    [10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0],
    [2.0, 2.0, 2.0, 3.0, 4.0, 6.0, 9.0, 17.0, 25.0, 30.0],
    [24.0, 20.0, 4.0, 2.0, 2.0, 2.0, 2.0, 12.0, 16.0, 16.0],
];

pub(super) fn imd_weights(profile: usize) -> &'static [f64; 10] {
    &IMD_WEIGHTS[profile]
}

#[rustfmt::skip]
mod names {
    pub const FEMALE: [&str; 40] = [
        "Olivia", "Amelia", "Isla", "Ava", "Mia", "Grace", "Sophie", "Emily", "Lily", "Freya",
        "Margaret", "Susan", "Patricia", "Jean", "Linda", "Sarah", "Helen", "Karen", "Joanne", "Claire",
        "Fatima", "Aisha", "Priya", "Zainab", "Maryam", "Anjali", "Amina", "Chloe", "Hannah", "Ruth",
        "Grace", "Blessing", "Chidinma", "Mei", "Ewa", "Ana", "Nia", "Keisha", "Joyce", "Dorothy",
    ];
    pub const MALE: [&str; 40] = [
        "Oliver", "George", "Noah", "Arthur", "Leo", "Harry", "Jack", "Charlie", "Thomas", "Oscar",
        "David", "John", "Michael", "Peter", "Robert", "Paul", "Stephen", "Mark", "Andrew", "Gary",
        "Mohammed", "Ali", "Omar", "Arjun", "Hamza", "Ibrahim", "Yusuf", "Rohan", "James", "William",
        "Kwame", "Tunde", "Emeka", "Wei", "Piotr", "Jakub", "Marcus", "Tyrone", "Kenneth", "Brian",
    ];
    pub const SURNAME: [&str; 48] = [
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
        "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke",
        "Patel", "Khan", "Ahmed", "Hussain", "Ali", "Begum", "Singh", "Shah", "Rahman", "Islam",
        "Okafor", "Mensah", "Adeyemi", "Campbell", "Francis", "Chen", "Wang", "Kowalski", "Nowak", "Murphy",
        "Kelly", "O'Brien", "Hughes", "Edwards", "Harris", "Martin", "Cooper", "Ward",
    ];
}

/// Draws a person. `extract` and `window` are day numbers.
pub(super) fn draw(ctx: &Ctx, rng: &mut Rng) -> Person {
    let extract = ctx.extract;
    // Demographics.
    let age_years = rng.weighted(&ctx.age_weights) as i32;
    let female = rng.chance(FEMALE_SHARE[band(age_years)]);
    let mut dob = extract - age_years * YEAR - age_years / 4 - rng.int(0, YEAR - 1);
    if dob > extract {
        dob = extract;
    }
    let age = age_between(dob, extract).max(0);
    let (lsoa, imd) = if rng.chance(0.03) {
        (None, None)
    } else {
        let (code, decile) = ctx.lsoas[rng.below(ctx.lsoas.len() as u64) as usize];
        (Some(code), Some(decile))
    };
    let letter = LETTERS[rng.weighted(&LETTER_WEIGHTS[ctx.profile])];
    let group = letter.1;
    let roll = rng.f64();
    let (ethnicity, ethnicity_event) = if roll < 0.08 {
        // Blank in the column; about half have a coded ethnicity event.
        let event = if rng.chance(0.5) && !ctx.vocab.ethnicity[group].is_empty() {
            Some(rng.pick(&ctx.vocab.ethnicity[group]))
        } else {
            None
        };
        (Ethnicity::Blank, event)
    } else if roll < 0.13 && !ctx.vocab.ethnicity[group].is_empty() {
        (Ethnicity::Snomed(rng.pick(&ctx.vocab.ethnicity[group])), None)
    } else {
        (Ethnicity::Letter(letter.0), None)
    };
    let first = if female { rng.pick(&names::FEMALE) } else { rng.pick(&names::MALE) };
    let name = format!("{first} {}", rng.pick(&names::SURNAME));

    // Registration: babies join within weeks of birth; about 5% of the rest
    // joined in the last five years; everyone else long ago.
    let five_years = extract - 5 * YEAR;
    let reg = if age < 5 {
        (dob + rng.int(14, 60)).min(extract)
    } else if rng.chance(0.055) {
        (extract - rng.int(0, 5 * YEAR - 1)).max(dob)
    } else {
        let latest = five_years - 1;
        let earliest = dob.max(latest - 60 * YEAR);
        rng.int(earliest, latest)
    };

    let mut p = Person {
        female,
        dob,
        age,
        imd,
        lsoa,
        ethnicity,
        ethnicity_event,
        name,
        reg,
        dereg: None,
        death: None,
        smoking: Smoking::Never,
        quit: None,
        frailty: Frailty::Young,
        target_deficits: 0,
        conds: Vec::new(),
        lithium: false,
        lithium_only: false,
        bp_engaged: false,
        undiagnosed_htn: false,
        bp_controlled: false,
        alcohol: 1,
        bmi: 0.0,
        cholesterol: 0.0,
        hba1c: 0.0,
        vaccine_acceptor: false,
        ahc_never: false,
        completeness: completeness(imd),
    };
    conditions(ctx, rng, &mut p);
    traits(ctx, rng, &mut p);
    leaving(ctx, rng, &mut p);
    p
}

/// A day in [from, to], or `to` when the range is empty.
fn between(rng: &mut Rng, from: i32, to: i32) -> i32 {
    if to <= from {
        to
    } else {
        rng.int(from, to)
    }
}

/// An onset in the last `span` years, but not before `min_age`.
fn recent_onset(ctx: &Ctx, rng: &mut Rng, p: &Person, min_age: i32, span_years: i32) -> i32 {
    let earliest = (p.dob + min_age * YEAR + min_age / 4).max(ctx.extract - span_years * YEAR);
    between(rng, earliest, ctx.extract)
}

/// An onset between two ages, capped at the extract date.
fn onset_at_age(ctx: &Ctx, rng: &mut Rng, p: &Person, from_age: i32, to_age: i32) -> i32 {
    let from = p.dob + from_age * YEAR;
    let to = (p.dob + to_age * YEAR).min(ctx.extract);
    between(rng, from.min(ctx.extract), to)
}

fn add(p: &mut Person, kind: Kind, onset: i32, resolved: Option<i32>, variant: u8) {
    p.conds.push(Cond { kind, onset, resolved, variant });
}

/// Maybe a resolution some years after onset (before the extract).
fn resolution(ctx: &Ctx, rng: &mut Rng, onset: i32, rate: f64, min_years: i32) -> Option<i32> {
    if !rng.chance(rate) {
        return None;
    }
    let from = onset + min_years * YEAR;
    if from >= ctx.extract {
        return None;
    }
    Some(rng.int(from, ctx.extract))
}

fn conditions(ctx: &Ctx, rng: &mut Rng, p: &mut Person) {
    use tables::*;
    let b = band(p.age);
    let female = p.female;
    let sex = move |f: f64, m: f64| if female { f } else { m };
    let imd = p.imd;

    // Lifelong and early-onset conditions first: they shape the rest.
    if p.age >= 2 && rng.chance(LD[b] * scale::LD * dep(0.2, imd)) {
        let onset = onset_at_age(ctx, rng, p, 2, 9);
        add(p, Kind::Ld, onset, None, u8::from(rng.chance(0.1)));
    }
    let ld = p.has(Kind::Ld);
    if p.age >= 3 && rng.chance(AUTISM[b] * scale::AUTISM * sex(0.5, 1.5) * if ld { 8.0 } else { 1.0 }) {
        let onset = if p.age > 25 && rng.chance(0.6) {
            recent_onset(ctx, rng, p, 18, 15)
        } else {
            onset_at_age(ctx, rng, p, 3, 12)
        };
        add(p, Kind::Autism, onset, None, u8::from(rng.chance(0.3)));
    }
    if p.age >= 5 && rng.chance(ADHD[b] * scale::ADHD * sex(0.6, 1.4) / 0.95) {
        let onset = if p.age > 20 && rng.chance(0.5) {
            recent_onset(ctx, rng, p, 18, 10)
        } else {
            onset_at_age(ctx, rng, p, 5, 14)
        };
        let resolved = resolution(ctx, rng, onset, 0.05, 3);
        add(p, Kind::Adhd, onset, resolved, 0);
    }
    if p.age >= 15 && rng.chance(SMI[b] * scale::SMI * dep(0.6, imd) * if ld { 1.5 } else { 1.0 }) {
        let variant = rng.weighted(&[0.35, 0.45, 0.20]) as u8;
        let onset = onset_at_age(ctx, rng, p, 16, p.age.min(45));
        let resolved = if variant == 1 { resolution(ctx, rng, onset, 0.15, 2) } else { None };
        add(p, Kind::Smi, onset, resolved, variant);
        p.lithium = variant == 1 && resolved.is_none() && rng.chance(0.28);
    } else if p.age >= 25 && rng.chance(0.0007) {
        // Lithium for recurrent depression: on the QOF register through lithium alone.
        p.lithium_only = true;
    }

    // Smoking, which shapes the heart, lung and vessel conditions.
    if p.age >= 15 {
        let smi = p.has(Kind::Smi);
        let current = SMOKING[b] * dep(0.5, imd) * if smi { 2.8 } else { 1.0 } * if ld { 0.5 } else { 1.0 };
        p.smoking = if rng.chance(current) {
            Smoking::Current
        } else if rng.chance(EX_SMOKER[b]) {
            Smoking::Ex
        } else {
            Smoking::Never
        };
        if p.smoking == Smoking::Ex && rng.chance(0.12) {
            p.quit = Some(between(rng, ctx.window, ctx.extract - 30));
        }
    }
    let smoking = p.smoking;
    let smoke = move |current: f64, ex: f64, never: f64| match smoking {
        Smoking::Current => current,
        Smoking::Ex => ex,
        Smoking::Never => never,
    };

    // Frailty for people aged 65 and over.
    let frail = if p.age >= 65 {
        let row = &FRAILTY[((p.age - 65) / 5).min(4) as usize];
        let category = rng.weighted(row);
        p.frailty = [Frailty::Fit, Frailty::Mild, Frailty::Moderate, Frailty::Severe][category];
        let counts: &[(u32, f64)] = match p.frailty {
            Frailty::Fit => &[(0, 0.22), (1, 0.25), (2, 0.23), (3, 0.17), (4, 0.13)],
            Frailty::Mild => &[(5, 0.32), (6, 0.27), (7, 0.23), (8, 0.18)],
            Frailty::Moderate => &[(9, 0.35), (10, 0.28), (11, 0.21), (12, 0.16)],
            _ => &[(13, 0.35), (14, 0.25), (15, 0.18), (16, 0.12), (17, 0.10)],
        };
        let weights: Vec<f64> = counts.iter().map(|c| c.1).collect();
        p.target_deficits = counts[rng.weighted(&weights)].0;
        [0.6, 1.2, 1.8, 2.2][category]
    } else {
        1.0
    };

    let chance = |rng: &mut Rng, prob: f64| rng.chance(prob.min(0.95));
    if chance(rng, HYP[b] * scale::HYP * dep(0.1, imd) * frail / 0.985) {
        let onset = recent_onset(ctx, rng, p, 18, 25);
        let resolved = resolution(ctx, rng, onset, 0.015, 2);
        add(p, Kind::Hyp, onset, resolved, u8::from(rng.chance(0.25)));
    }
    let hyp = p.has(Kind::Hyp);
    let extra = if ld || p.has(Kind::Smi) { 1.6 } else { 1.0 };
    if chance(rng, DM2[b] * scale::DM2 * sex(0.85, 1.15) * dep(0.3, imd) * frail * extra * if hyp { 1.4 } else { 0.9 })
    {
        let onset = recent_onset(ctx, rng, p, 18, 20);
        let resolved = resolution(ctx, rng, onset, 0.005, 2);
        add(p, Kind::Dm2, onset, resolved, u8::from(rng.chance(0.2)));
    } else if p.age >= 1 && rng.chance(DM1[b] * scale::DM1) {
        let onset = onset_at_age(ctx, rng, p, 1, p.age.min(30));
        add(p, Kind::Dm1, onset, None, 0);
    }
    let dm = p.has(Kind::Dm2) || p.has(Kind::Dm1);
    if p.age >= 2 && chance(rng, ASTHMA[b] * scale::ASTHMA * dep(0.1, imd) / 0.92) {
        let onset = if rng.chance(0.55) { onset_at_age(ctx, rng, p, 2, 12) } else { recent_onset(ctx, rng, p, 12, 30) };
        let resolved = resolution(ctx, rng, onset, 0.08, 2);
        add(p, Kind::Asthma, onset, resolved, 0);
    }
    if chance(rng, COPD[b] * scale::COPD * sex(0.95, 1.05) * dep(0.5, imd) * frail * smoke(2.2, 1.6, 0.25)) {
        let onset = recent_onset(ctx, rng, p, 35, 15);
        let resolved = resolution(ctx, rng, onset, 0.005, 2);
        add(p, Kind::Copd, onset, resolved, 0);
    }
    if chance(
        rng,
        CHD[b]
            * scale::CHD
            * sex(0.55, 1.45)
            * dep(0.25, imd)
            * frail
            * smoke(1.3, 1.15, 0.8)
            * if dm { 1.5 } else { 0.95 },
    ) {
        let onset = recent_onset(ctx, rng, p, 30, 20);
        add(p, Kind::Chd, onset, None, rng.below(3) as u8);
    }
    let chd = p.has(Kind::Chd);
    if chance(rng, AF[b] * scale::AF * sex(0.8, 1.2) * frail * if hyp { 1.3 } else { 0.85 }) {
        let onset = recent_onset(ctx, rng, p, 25, 12);
        add(p, Kind::Af, onset, None, 0);
    }
    let af = p.has(Kind::Af);
    if chance(
        rng,
        STROKE[b] * scale::STROKE * sex(0.9, 1.1) * dep(0.2, imd) * frail * if af || hyp { 1.4 } else { 0.75 },
    ) {
        let onset = recent_onset(ctx, rng, p, 20, 15);
        add(p, Kind::Stroke, onset, None, u8::from(rng.chance(0.35)));
    }
    if chance(rng, HF[b] * scale::HF * sex(0.8, 1.2) * dep(0.2, imd) * frail * if chd { 2.5 } else { 0.75 } / 0.99) {
        let onset = recent_onset(ctx, rng, p, 30, 8);
        let resolved = resolution(ctx, rng, onset, 0.01, 1);
        add(p, Kind::Hf, onset, resolved, 0);
    }
    if chance(rng, CKD[b] * scale::CKD * dep(0.15, imd) * frail * if hyp || dm { 1.5 } else { 0.6 } / 0.97) {
        let onset = recent_onset(ctx, rng, p, 18, 10);
        let resolved = resolution(ctx, rng, onset, 0.03, 1);
        let variant = rng.weighted(&[0.55, 0.30, 0.11, 0.04]) as u8;
        add(p, Kind::Ckd, onset, resolved, variant);
    }
    if chance(rng, DEMENTIA[b] * scale::DEMENTIA * sex(1.15, 0.85) * frail * if ld { 4.0 } else { 1.0 }) {
        let onset = recent_onset(ctx, rng, p, 40, 6);
        add(p, Kind::Dementia, onset, None, u8::from(rng.chance(0.4)));
    }
    if p.age >= 1 && chance(rng, EPILEPSY[b] * scale::EPILEPSY * dep(0.15, imd) * if ld { 25.0 } else { 1.0 } / 0.95) {
        let onset = onset_at_age(ctx, rng, p, 1, p.age);
        let resolved = resolution(ctx, rng, onset, 0.05, 2);
        add(p, Kind::Epilepsy, onset, resolved, 0);
    }
    if chance(rng, OSTEO[b] * scale::OSTEO * sex(1.8, 0.2) * frail) {
        let onset = recent_onset(ctx, rng, p, 40, 15);
        add(p, Kind::Osteoporosis, onset, None, 0);
    }
    if chance(rng, RA[b] * scale::RA * sex(1.4, 0.6) * frail) {
        let onset = recent_onset(ctx, rng, p, 16, 25);
        add(p, Kind::Ra, onset, None, 0);
    }
    if chance(rng, PAD[b] * scale::PAD * sex(0.7, 1.3) * dep(0.2, imd) * frail * smoke(1.8, 1.3, 0.6)) {
        let onset = recent_onset(ctx, rng, p, 35, 12);
        add(p, Kind::Pad, onset, None, 0);
    }
    // Cancer: diagnosed in the last five years, or longer ago.
    let cancer_recent = chance(rng, CANCER[b] * scale::CANCER * frail.min(1.5));
    let cancer_old = !cancer_recent && chance(rng, CANCER[b] * scale::CANCER);
    if cancer_recent || cancer_old {
        let onset = if cancer_recent {
            recent_onset(ctx, rng, p, 0, 5)
        } else {
            let from = (p.dob + 20 * YEAR).max(ctx.extract - 20 * YEAR);
            between(rng, from, ctx.extract - 5 * YEAR - 1)
        };
        let site = if p.age < 20 {
            4
        } else {
            let w = if p.female { [0.45, 0.0, 0.15, 0.12, 0.05, 0.23] } else { [0.0, 0.40, 0.18, 0.15, 0.06, 0.21] };
            rng.weighted(&w) as u8
        };
        if onset >= p.dob {
            add(p, Kind::Cancer, onset, None, site);
        }
    }
    let hypothyroid = if p.age < 18 {
        0.001
    } else if p.age < 40 {
        sex(0.015, 0.003)
    } else {
        sex(0.07, 0.015)
    };
    if rng.chance(hypothyroid) {
        let onset = recent_onset(ctx, rng, p, 16, 25);
        add(p, Kind::Hypothyroid, onset, None, 0);
    }
    // The palliative care register: mostly people with advanced illness.
    let recent_cancer = p.cond(Kind::Cancer).is_some_and(|c| c.onset >= ctx.extract - 5 * YEAR);
    let mut pall = match p.age {
        0..=59 => 0.0007,
        60..=69 => 0.003,
        70..=79 => 0.008,
        _ => 0.022,
    };
    if recent_cancer {
        pall += 0.1;
    }
    if p.has(Kind::Hf) {
        pall += 0.05;
    }
    if p.has(Kind::Dementia) {
        pall += 0.06;
    }
    if p.frailty == Frailty::Severe {
        pall += 0.07;
    }
    if rng.chance(pall) {
        let onset = between(rng, ctx.extract - 540, ctx.extract);
        let resolved = resolution(ctx, rng, onset, 0.03, 0);
        add(p, Kind::Palliative, onset, resolved, 0);
    }
}

/// Traits that shape records rather than registers.
fn traits(_ctx: &Ctx, rng: &mut Rng, p: &mut Person) {
    let chronic = [Kind::Hyp, Kind::Dm2, Kind::Dm1, Kind::Chd, Kind::Stroke, Kind::Ckd, Kind::Hf, Kind::Af, Kind::Pad]
        .iter()
        .any(|k| p.has(*k));
    // Fewer people in deprived areas are seen for routine checks.
    p.bp_engaged = chronic || rng.chance(0.62 + 0.035 * (p.imd.unwrap_or(5) as f64 - 1.0));
    p.undiagnosed_htn = p.age >= 40 && !p.has(Kind::Hyp) && rng.chance(0.05);
    let controlled = 0.72 - 0.05 * (5.5 - p.imd.unwrap_or(5) as f64) / 4.5;
    p.bp_controlled = rng.chance(controlled);
    let heavy = 0.10 * dep(0.3, p.imd) * if p.has(Kind::Smi) { 2.0 } else { 1.0 };
    p.alcohol = if rng.chance(heavy) { 3 } else { rng.weighted(&[0.22, 0.5, 0.28]) as u8 };
    let mut bmi = rng.normal(27.3, 4.6);
    if p.has(Kind::Dm2) {
        bmi += 3.5;
    }
    if p.has(Kind::Smi) || p.has(Kind::Ld) {
        bmi += 2.0;
    }
    p.bmi = bmi.clamp(15.5, 58.0);
    p.cholesterol = rng.normal(5.3, 0.9).clamp(2.8, 9.5);
    p.hba1c = if p.has(Kind::Dm2) || p.has(Kind::Dm1) {
        rng.normal(60.0, 11.0).clamp(42.0, 120.0)
    } else {
        rng.normal(37.0, 3.5).clamp(26.0, 46.0)
    };
    p.vaccine_acceptor = rng.chance(0.88);
    p.ahc_never = rng.chance(0.12);
}

/// Leaving the list: deregistration, or death (which rises steeply with age,
/// frailty and serious illness).
fn leaving(ctx: &Ctx, rng: &mut Rng, p: &mut Person) {
    let extract = ctx.extract;
    if rng.chance(0.02) {
        let day = extract - rng.int(1, 3 * YEAR);
        if day > p.reg + 30 {
            p.dereg = Some(day);
        }
    }
    // Relative risks, scaled so that a typical person of each age has about
    // the age's death rate: the fit and well below it, the frail and the
    // seriously ill well above.
    let frail = match p.frailty {
        Frailty::Young => 1.0,
        Frailty::Fit => 0.55,
        Frailty::Mild => 1.0,
        Frailty::Moderate => 1.7,
        Frailty::Severe => 2.6,
    };
    let stop = p.dereg.unwrap_or(extract);
    // Year slots from the oldest to the most recent.
    for slot in (0..6).rev() {
        let slot_end = extract - slot * YEAR;
        let slot_start = slot_end - YEAR + 1;
        let from = slot_start.max(p.reg).max(p.dob);
        let to = slot_end.min(stop);
        if to < from {
            continue;
        }
        let age = p.age_on(slot_end).max(0);
        let mut serious = 0.0;
        let mut palliative = false;
        for c in &p.conds {
            if c.onset > slot_end {
                continue;
            }
            serious += match c.kind {
                Kind::Cancer if c.onset >= slot_end - 5 * YEAR => 1.0,
                Kind::Hf | Kind::Dementia | Kind::Ld => 0.6,
                Kind::Copd | Kind::Ckd => 0.3,
                _ => 0.0,
            };
            palliative |= c.kind == Kind::Palliative;
        }
        let mut m = frail * (1.0 + serious) / if p.age >= 65 { 1.3 } else { 1.05 };
        if palliative {
            m *= 5.0;
        }
        if p.smoking == Smoking::Current {
            m *= 1.3;
        }
        let annual = (tables::DEATH[band(age)] * DEATH_SCALE * m).min(0.9);
        let share = (to - from + 1) as f64 / YEAR as f64;
        if rng.chance(annual * share) {
            p.death = Some(rng.int(from, to));
            p.dereg = None;
            break;
        }
    }
    // Nothing begins after death.
    if let Some(death) = p.death {
        p.conds.retain(|c| c.onset <= death);
        for c in &mut p.conds {
            if c.resolved.is_some_and(|r| r > death) {
                c.resolved = None;
            }
        }
        // Many who die were on the palliative care register first.
        if !p.has(Kind::Palliative) && rng.chance(0.3) {
            let onset = (death - rng.int(20, 270)).max(p.reg);
            if onset <= death {
                add(p, Kind::Palliative, onset, None, 0);
            }
        }
    }
}
