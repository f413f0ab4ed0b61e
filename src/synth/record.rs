//! Writing a person's record: the coded events a practice system would
//! export for them, from their conditions and traits.
//!
//! Observations and medicines cover the history window (six years before
//! the extract); diagnoses keep their original dates, except for people who
//! joined in the last five years, whose earlier history arrives as summary
//! codes shortly after registration. Every check is a little less likely to
//! be recorded in the most deprived areas (`Person::completeness`).

use chrono::Datelike;

use super::emergency::{
    Features, YearTruth, AE_ATTENDANCE, AE_WITH_ADMISSION, EMERGENCY_ADMISSION, FURTHER_ADMISSION, FURTHER_AE,
    MAX_ADMISSIONS, MAX_AE, YEARS,
};
use super::person::{Frailty, Kind, Person, Smoking, YEAR};
use super::rng::Rng;
use super::vocab::{Med, RegisterBits, C, MED_COUNT, SMI_REGISTER};
use super::Ctx;
use crate::rules::plan::EfiCategory;

/// A value as written: whole, or in tenths (one decimal place).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Val {
    None,
    Int(i32),
    Tenths(i32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Ev {
    pub day: i32,
    pub code: C,
    pub value: Val,
}

/// What the summary needs to know about a record.
#[derive(Debug, Default)]
pub(super) struct Facts {
    /// Conditions diagnosed and not resolved by the extract date.
    pub current: Vec<Kind>,
    pub pregnant: bool,
    /// Distinct eFI deficits recorded (65+ only), polypharmacy included.
    pub deficits: Option<u32>,
    pub current_smoker: bool,
    /// Emergency care per year, the most recent first (`None` when not on the list that year).
    pub emergency: [Option<YearTruth>; YEARS],
}

struct Rec<'a> {
    ctx: &'a Ctx,
    p: &'a Person,
    out: &'a mut Vec<Ev>,
    /// First day of observations: the window, registration or birth.
    start: i32,
    /// Last day anything is recorded.
    end: i32,
    recent: bool,
}

impl Rec<'_> {
    fn at(&mut self, day: i32, code: Option<C>, value: Val) -> bool {
        match code {
            Some(code) if day >= self.p.dob && day <= self.end => {
                self.out.push(Ev { day, code, value });
                true
            }
            _ => false,
        }
    }

    /// The day a condition with this onset appears in the record. Records
    /// that arrive with a new patient keep their dates, but some earlier
    /// conditions of people who joined in the last five years are coded
    /// afresh at their first appointments instead.
    fn diagnosed(&self, rng: &mut Rng, kind: Kind, onset: i32) -> i32 {
        let recoded = !matches!(kind, Kind::Cancer | Kind::Palliative) && rng.chance(0.4);
        if self.recent && onset < self.p.reg && recoded {
            (self.p.reg + rng.int(0, 60)).min(self.ctx.extract)
        } else {
            onset
        }
    }

    /// A uniformly random day in [from, to] ∩ [start, end], if any.
    fn day_in(&self, rng: &mut Rng, from: i32, to: i32) -> Option<i32> {
        let (a, b) = (from.max(self.start), to.min(self.end));
        (a <= b).then(|| rng.int(a, b))
    }

    fn chance(&self, rng: &mut Rng, p: f64) -> bool {
        rng.chance((p * self.p.completeness).min(0.97))
    }
}

fn pick(rng: &mut Rng, codes: &[C]) -> Option<C> {
    (!codes.is_empty()).then(|| rng.pick(codes))
}

fn nth(codes: &[C], i: u8) -> Option<C> {
    (!codes.is_empty()).then(|| codes[i as usize % codes.len()])
}

fn diagnosis_code(ctx: &Ctx, p: &Person, kind: Kind, variant: u8) -> Option<C> {
    let v = &ctx.vocab;
    match kind {
        Kind::Hyp => nth(&v.hyp, variant),
        Kind::Dm2 => nth(&v.dm2, variant),
        Kind::Dm1 => nth(&v.dm1, 0),
        Kind::Asthma => nth(&v.asthma, 0),
        Kind::Copd => nth(&v.copd, 0),
        Kind::Chd => nth(&v.chd, variant),
        Kind::Af => nth(&v.af, 0),
        Kind::Stroke if variant == 1 => nth(&v.tia, 0),
        Kind::Stroke => nth(&v.stroke, 0),
        Kind::Hf => nth(&v.hf, variant),
        Kind::Ckd => nth(&v.ckd, variant),
        Kind::Dementia => nth(&v.dementia, variant),
        Kind::Epilepsy => nth(&v.epilepsy, 0),
        Kind::Osteoporosis if p.female => v.osteoporosis_female,
        Kind::Osteoporosis => v.osteoporosis_male,
        Kind::Ra => nth(&v.ra, 0),
        Kind::Pad => nth(&v.pad, 0),
        Kind::Cancer => v.cancer[variant as usize % 6],
        Kind::Palliative => nth(&v.palliative, 0),
        Kind::Smi => v.smi[variant as usize % 3],
        Kind::Ld => nth(&v.ld, variant),
        Kind::Autism => nth(&v.autism, variant),
        Kind::Adhd => nth(&v.adhd, 0),
        Kind::Hypothyroid => v.hypothyroid,
    }
}

fn resolution_code(ctx: &Ctx, kind: Kind) -> Option<C> {
    let v = &ctx.vocab;
    match kind {
        Kind::Hyp => v.hyp_resolved,
        Kind::Dm2 => v.dm_resolved,
        Kind::Asthma => v.asthma_resolved,
        Kind::Copd => v.copd_resolved,
        Kind::Hf => v.hf_resolved,
        Kind::Ckd => v.ckd_resolved,
        Kind::Epilepsy => v.epilepsy_resolved,
        Kind::Smi => v.smi_remission,
        Kind::Adhd => v.adhd_resolved,
        Kind::Palliative => v.palliative_not_indicated,
        _ => None,
    }
}

/// The eFI deficit a modelled condition counts as, if any.
fn deficit_of(kind: Kind) -> Option<&'static str> {
    Some(match kind {
        Kind::Hyp => "efi_hypertension",
        Kind::Dm2 | Kind::Dm1 => "efi_diabetes",
        Kind::Chd => "efi_chd",
        Kind::Af => "efi_atrial_fibrillation",
        Kind::Hf => "efi_heart_failure",
        Kind::Stroke => "efi_stroke_tia",
        Kind::Ckd => "efi_ckd",
        Kind::Dementia => "efi_cognitive_problems",
        Kind::Osteoporosis => "efi_osteoporosis",
        Kind::Pad => "efi_pvd",
        Kind::Copd | Kind::Asthma => "efi_respiratory_disease",
        Kind::Ra => "efi_arthritis",
        Kind::Hypothyroid => "efi_thyroid_disorders",
        _ => return None,
    })
}

/// Writes `p`'s events into `out` (unsorted) and says what they amount to.
/// Emergency care draws from `emergency_rng`, everything else from `rng`.
pub(super) fn record(ctx: &Ctx, p: &Person, rng: &mut Rng, emergency_rng: &mut Rng, out: &mut Vec<Ev>) -> Facts {
    let extract = ctx.extract;
    let end = p.end(extract);
    let mut r = Rec { ctx, p, out, start: ctx.window.max(p.reg).max(p.dob), end, recent: p.reg > extract - 5 * YEAR };
    let mut facts = Facts::default();

    // Diagnoses, and the resolution codes that end them.
    let mut written: Vec<(Kind, i32)> = Vec::new();
    for c in &p.conds {
        let day = r.diagnosed(rng, c.kind, c.onset);
        if !r.at(day, diagnosis_code(ctx, p, c.kind, c.variant), Val::None) {
            continue;
        }
        written.push((c.kind, day));
        let mut current = true;
        if let Some(res) = c.resolved {
            let res = res.max(day + 1);
            if r.at(res, resolution_code(ctx, c.kind), Val::None) {
                current = false;
            }
        }
        let ongoing = match c.kind {
            // "Cancer" here means diagnosed in the last five years.
            Kind::Cancer => day >= extract - 5 * YEAR,
            _ => true,
        };
        if current && ongoing {
            facts.current.push(c.kind);
        }
    }
    if let Some(code) = p.ethnicity_event {
        let day = p.reg.max(p.dob) + rng.int(0, 60);
        r.at(day.min(end), Some(code), Val::None);
    }

    smoking(&mut r, rng, &mut facts);
    observations(&mut r, rng);
    let meds = medicines(&mut r, rng);
    issue_medicines(&mut r, rng, &meds);
    let polypharmacy = medicines_in_year_to(&r, r.ctx.extract) >= POLYPHARMACY_MEDICINES;
    vaccinations(&mut r, rng);
    if p.has(Kind::Ld) {
        ld_health_checks(&mut r, rng);
    }
    if p.has(Kind::Smi) || p.lithium_only {
        smi_checks(&mut r, rng);
    }
    if p.female {
        facts.pregnant = pregnancies(&mut r, rng);
    }
    if p.age >= 65 {
        facts.deficits = Some(frailty(&mut r, rng, &written, polypharmacy, &meds));
    }
    // Last: it reads the registers off everything else written.
    facts.emergency = emergency_care(&mut r, emergency_rng);
    facts
}

fn smoking(r: &mut Rec<'_>, rng: &mut Rng, facts: &mut Facts) {
    let p = r.p;
    if p.age < 15 {
        return;
    }
    facts.current_smoker = p.smoking == Smoking::Current;
    let code_on = |rng: &mut Rng, day: i32| -> Option<C> {
        let v = &r.ctx.vocab;
        let smokes = p.smoking == Smoking::Current || p.quit.is_some_and(|q| day < q);
        if smokes {
            pick(rng, &v.smoker)
        } else if p.smoking == Smoking::Ex {
            pick(rng, &v.ex_smoker)
        } else {
            v.never_smoked
        }
    };
    // A first status: at registration, or when they came of age.
    let first = if r.recent { p.reg + rng.int(0, 30) } else { (p.dob + 16 * YEAR).max(p.reg) + rng.int(0, 2 * YEAR) };
    if rng.chance(0.93) {
        let code = code_on(rng, first);
        r.at(first.min(r.end), code, Val::None);
    }
    let chronic = chronic(p, r.ctx.extract);
    for slot in 0..6 {
        let (a, b) = slot_range(r.ctx.extract, slot);
        let prob = if chronic { 0.6 } else { 0.15 };
        if r.chance(rng, prob) {
            if let Some(day) = r.day_in(rng, a, b) {
                let code = code_on(rng, day);
                r.at(day, code, Val::None);
            }
        }
    }
}

fn slot_range(extract: i32, slot: i32) -> (i32, i32) {
    let b = extract - slot * YEAR;
    (b - YEAR + 1, b)
}

fn chronic(p: &Person, day: i32) -> bool {
    [Kind::Hyp, Kind::Dm2, Kind::Dm1, Kind::Chd, Kind::Stroke, Kind::Ckd, Kind::Hf, Kind::Af, Kind::Pad, Kind::Copd]
        .iter()
        .any(|k| p.active(*k, day))
}

fn blood_pressure(r: &mut Rec<'_>, rng: &mut Rng, day: i32) {
    let p = r.p;
    let age = p.age_on(day);
    let (sys, dia) = if p.active(Kind::Hyp, day) {
        let limit = if age >= 80 { 150 } else { 140 };
        if rng.chance(0.025) {
            (limit, 90)
        } else if p.bp_controlled {
            (rng.normal_int(limit as f64 - 13.0, 7.0, 95, limit - 1), rng.normal_int(76.0, 6.0, 50, 89))
        } else {
            (rng.normal_int(limit as f64 + 12.0, 8.0, limit + 1, 210), rng.normal_int(86.0, 8.0, 60, 120))
        }
    } else if p.undiagnosed_htn && age >= 40 {
        (rng.normal_int(149.0, 6.0, 141, 185), rng.normal_int(89.0, 6.0, 70, 110))
    } else if rng.chance(0.004) {
        (140, 90)
    } else {
        let mean = 116.0 + 0.3 * (age - 30).max(0) as f64;
        (rng.normal_int(mean, 9.0, 88, 139), rng.normal_int(73.0, 7.0, 48, 89))
    };
    let v = &r.ctx.vocab;
    let (s, d) = (v.systolic, v.diastolic);
    if r.at(day, s, Val::Int(sys)) {
        r.at(day, d, Val::Int(dia));
    }
}

fn bmi(r: &mut Rec<'_>, rng: &mut Rng, day: i32) {
    if r.p.age_on(day) < 16 {
        return;
    }
    let value = rng.normal(r.p.bmi, 0.8).clamp(14.0, 65.0);
    let code = r.ctx.vocab.bmi;
    r.at(day, code, Val::Tenths(tenths(value)));
}

fn tenths(x: f64) -> i32 {
    (x * 10.0 + 0.5) as i32
}

fn on_statin(r: &Rec<'_>) -> bool {
    [Kind::Chd, Kind::Stroke, Kind::Dm2, Kind::Pad].iter().any(|k| r.p.has(*k))
}

fn cholesterol(r: &mut Rec<'_>, rng: &mut Rng, day: i32) {
    let mean = r.p.cholesterol - if on_statin(r) { 1.3 } else { 0.0 };
    let value = rng.normal(mean, 0.3).clamp(1.8, 11.0);
    let code = r.ctx.vocab.cholesterol;
    r.at(day, code, Val::Tenths(tenths(value)));
}

fn hba1c(r: &mut Rec<'_>, rng: &mut Rng, day: i32) {
    let diabetic = r.p.has(Kind::Dm2) || r.p.has(Kind::Dm1);
    let value = rng.normal_int(r.p.hba1c, if diabetic { 5.0 } else { 2.0 }, 20, 140);
    let code = r.ctx.vocab.hba1c;
    r.at(day, code, Val::Int(value));
}

fn alcohol(r: &mut Rec<'_>, rng: &mut Rng, day: i32) {
    if r.p.age_on(day) < 16 {
        return;
    }
    let v = &r.ctx.vocab;
    if rng.chance(0.5) && v.alcohol_units.is_some() {
        let units = match r.p.alcohol {
            0 => 0,
            1 => rng.int(1, 7),
            2 => rng.int(8, 14),
            _ => rng.int(15, 60),
        };
        let code = v.alcohol_units;
        r.at(day, code, Val::Int(units));
    } else {
        let code = v.alcohol_status[r.p.alcohol as usize].or(v.alcohol_units);
        r.at(day, code, Val::None);
    }
}

fn smoking_status(r: &mut Rec<'_>, rng: &mut Rng, day: i32) {
    let p = r.p;
    let v = &r.ctx.vocab;
    let code = if p.smoking == Smoking::Current || p.quit.is_some_and(|q| day < q) {
        pick(rng, &v.smoker)
    } else if p.smoking == Smoking::Ex {
        pick(rng, &v.ex_smoker)
    } else {
        v.never_smoked
    };
    r.at(day, code, Val::None);
}

/// Routine observations, year by year through the window.
fn observations(r: &mut Rec<'_>, rng: &mut Rng) {
    let p = r.p;
    let extract = r.ctx.extract;
    // A new-patient check.
    if r.recent && p.reg >= r.ctx.window && p.age_on(p.reg) >= 16 {
        let day = p.reg + rng.int(0, 30);
        if r.chance(rng, 0.6) {
            blood_pressure(r, rng, day);
        }
        if r.chance(rng, 0.6) {
            bmi(r, rng, day);
        }
        if r.chance(rng, 0.6) {
            alcohol(r, rng, day);
        }
    }
    for slot in 0..6 {
        let (a, b) = slot_range(extract, slot);
        if b < r.start || a > r.end {
            continue;
        }
        let age = p.age_on(b);
        if age < 16 {
            continue;
        }
        let hyp = p.active(Kind::Hyp, b);
        let chronic = chronic(p, b);
        let diabetic = p.active(Kind::Dm2, b) || p.active(Kind::Dm1, b);
        let cvd = [Kind::Chd, Kind::Stroke, Kind::Ckd, Kind::Pad].iter().any(|k| p.active(*k, b));

        let bp = if hyp {
            0.9
        } else if chronic {
            0.78
        } else if age >= 40 {
            if p.bp_engaged {
                0.33
            } else {
                0.02
            }
        } else {
            0.12
        };
        if r.chance(rng, bp) {
            if let Some(day) = r.day_in(rng, a, b) {
                blood_pressure(r, rng, day);
            }
            if hyp && rng.chance(0.4) {
                if let Some(day) = r.day_in(rng, a, b) {
                    blood_pressure(r, rng, day);
                }
            }
        }
        let bmi_p = if chronic {
            0.55
        } else if p.bp_engaged {
            0.12
        } else {
            0.03
        };
        if r.chance(rng, bmi_p) {
            if let Some(day) = r.day_in(rng, a, b) {
                bmi(r, rng, day);
            }
        }
        let chol_p = if diabetic || cvd {
            0.7
        } else if hyp {
            0.35
        } else if age >= 40 && p.bp_engaged {
            0.1
        } else {
            0.0
        };
        if r.chance(rng, chol_p) {
            if let Some(day) = r.day_in(rng, a, b) {
                cholesterol(r, rng, day);
            }
        }
        let hba1c_tests = if diabetic { 2 } else { 1 };
        let hba1c_p = if diabetic {
            0.9
        } else if age >= 40 && p.bp_engaged {
            0.07
        } else {
            0.0
        };
        for _ in 0..hba1c_tests {
            if r.chance(rng, hba1c_p) {
                if let Some(day) = r.day_in(rng, a, b) {
                    hba1c(r, rng, day);
                }
            }
        }
        if r.chance(rng, if chronic { 0.3 } else { 0.08 }) {
            if let Some(day) = r.day_in(rng, a, b) {
                alcohol(r, rng, day);
            }
        }
    }
}

/// Which medicines the person takes, and from when.
fn medicines(r: &mut Rec<'_>, rng: &mut Rng) -> Vec<(Med, i32)> {
    let p = r.p;
    let mut meds: Vec<(Med, i32)> = Vec::new();
    let mut give = |rng: &mut Rng, med: Med, from: i32, prob: f64| {
        if rng.chance(prob) && !meds.iter().any(|m| m.0 == med) {
            meds.push((med, from + rng.int(0, 120)));
        }
    };
    let statin = if rng.chance(0.75) { Med::Atorvastatin } else { Med::Simvastatin };
    let ppi = if rng.chance(0.7) { Med::Omeprazole } else { Med::Lansoprazole };
    let beta = if rng.chance(0.75) { Med::Bisoprolol } else { Med::Atenolol };
    let onset = |k: Kind| p.cond(k).filter(|c| c.resolved.is_none()).map(|c| c.onset);
    if let Some(d) = onset(Kind::Hyp) {
        give(rng, Med::Amlodipine, d, 0.6);
        give(rng, Med::Ramipril, d, 0.5);
        give(rng, beta, d, 0.12);
    }
    if let Some(d) = onset(Kind::Chd) {
        give(rng, Med::Aspirin, d, 0.7);
        give(rng, statin, d, 0.8);
        give(rng, beta, d, 0.5);
        give(rng, Med::Ramipril, d, 0.5);
    }
    if let Some(d) = onset(Kind::Stroke) {
        give(rng, statin, d, 0.75);
        give(rng, Med::Aspirin, d, 0.35);
    }
    if let Some(d) = onset(Kind::Dm2).or(onset(Kind::Dm1)) {
        give(rng, statin, d, 0.65);
        give(rng, Med::Ramipril, d, 0.45);
    }
    if let Some(d) = onset(Kind::Hf) {
        give(rng, Med::Furosemide, d, 0.8);
        give(rng, Med::Bisoprolol, d, 0.7);
        give(rng, Med::Ramipril, d, 0.6);
    }
    if let Some(d) = onset(Kind::Af) {
        give(rng, beta, d, 0.6);
    }
    if let Some(d) = onset(Kind::Ckd) {
        give(rng, statin, d, 0.5);
        give(rng, Med::Amlodipine, d, 0.3);
    }
    if let Some(d) = onset(Kind::Pad) {
        give(rng, Med::Aspirin, d, 0.6);
        give(rng, statin, d, 0.6);
    }
    if let Some(d) = onset(Kind::Asthma) {
        give(rng, Med::Salbutamol, d, 0.85);
    }
    if let Some(d) = onset(Kind::Copd) {
        give(rng, Med::Salbutamol, d, 0.9);
    }
    if let Some(d) = onset(Kind::Hypothyroid) {
        let dose = if rng.chance(0.6) { Med::Levothyroxine100 } else { Med::Levothyroxine50 };
        give(rng, dose, d, 0.95);
    }
    if p.age >= 50 {
        let from = r.ctx.extract - rng.int(0, 8 * YEAR);
        give(rng, ppi, from, 0.12 + 0.006 * (p.age - 50) as f64);
    }
    if p.age >= 60 {
        let from = r.ctx.extract - rng.int(0, 10 * YEAR);
        give(rng, statin, from, if p.age >= 70 { 0.35 } else { 0.2 });
        give(rng, Med::Aspirin, from, 0.05);
    }
    if p.lithium {
        if let Some(d) = onset(Kind::Smi) {
            give(rng, Med::Lithium, d, 1.0);
        }
    }
    if p.lithium_only {
        let from = r.ctx.extract - rng.int(YEAR, 10 * YEAR);
        give(rng, Med::Lithium, from, 1.0);
    }
    meds
}

/// The eFI as `rules/frailty.toml` and the default settings define it (a test checks they agree).
pub(super) const EFI_MIN_AGE: i32 = 65;
pub(super) const POLYPHARMACY_MEDICINES: usize = 5;
pub(super) const EFI_FIT_MAX: u32 = 4;
pub(super) const EFI_MILD_MAX: u32 = 8;
pub(super) const EFI_MODERATE_MAX: u32 = 12;

/// Repeat prescriptions are issued every 28 days (give or take a few),
/// for the last two years of the window.
const ISSUE_INTERVAL: i32 = 28;
const ISSUE_YEARS: i32 = 2;

/// Distinct dm+d codes issued in the 12 months up to and including `day`
/// (from the day after the same date a year before, as the rules' "12 months").
fn medicines_in_year_to(r: &Rec<'_>, day: i32) -> usize {
    let from = super::months_before(day, 12);
    let mut seen: Vec<C> = Vec::new();
    for e in r.out.iter() {
        if e.day > from && e.day <= day && r.ctx.vocab.medicines.contains(&Some(e.code)) && !seen.contains(&e.code) {
            seen.push(e.code);
        }
    }
    seen.len()
}

fn issue_medicines(r: &mut Rec<'_>, rng: &mut Rng, meds: &[(Med, i32)]) {
    let codes: [Option<C>; MED_COUNT] = r.ctx.vocab.medicines;
    for &(med, start) in meds {
        let first = start.max(r.ctx.extract - ISSUE_YEARS * YEAR).max(r.start);
        let mut day = first + rng.int(0, ISSUE_INTERVAL - 1);
        while day <= r.end {
            r.at(day, codes[med as usize], Val::None);
            day += ISSUE_INTERVAL + rng.int(-3, 3);
        }
    }
}

fn vaccinations(r: &mut Rec<'_>, rng: &mut Rng) {
    let p = r.p;
    let v = &r.ctx.vocab;
    let first_year = super::date(r.ctx.window).year();
    let last_year = super::date(r.ctx.extract).year();
    for year in first_year..=last_year {
        let Some(sep1) = chrono::NaiveDate::from_ymd_opt(year, 9, 1) else {
            continue;
        };
        let sep1 = super::days(sep1);
        let day = sep1 + rng.int(0, 90);
        if day < r.start || day > r.end {
            continue;
        }
        let age = p.age_on(day);
        let at_risk = age >= 2
            && [
                Kind::Dm2,
                Kind::Dm1,
                Kind::Copd,
                Kind::Asthma,
                Kind::Chd,
                Kind::Ckd,
                Kind::Stroke,
                Kind::Hf,
                Kind::Ld,
                Kind::Smi,
            ]
            .iter()
            .any(|k| p.active(*k, day));
        let prob = match (age >= 65, at_risk, p.vaccine_acceptor) {
            (true, _, true) => 0.97,
            (false, true, true) => 0.6,
            (_, _, false) if age >= 65 || at_risk => 0.05,
            _ => 0.0,
        };
        if r.chance(rng, prob) {
            let code = if rng.chance(0.8) { v.flu.first().copied() } else { pick(rng, &v.flu) };
            r.at(day, code, Val::None);
        }
    }
    if p.age >= 65 && r.chance(rng, 0.75) {
        let day = p.dob + 65 * YEAR + 16 + rng.int(0, 2 * YEAR);
        if !(r.recent && day < p.reg) {
            let code = v.pneumococcal;
            r.at(day.min(r.ctx.extract), code, Val::None);
        }
    }
}

/// Long-term condition registers on `day`, as the rules would read the
/// record: per register, the latest diagnosis not followed by a later
/// resolution; SMI also through lithium issued since `lithium_from`.
fn ltc_count(events: &[(i32, RegisterBits)], day: i32, lithium_from: i32) -> u32 {
    let (mut diagnosed, mut resolved) = ([i32::MIN; 32], [i32::MIN; 32]);
    let mut lithium = false;
    for &(d, bits) in events.iter().filter(|e| e.0 <= day) {
        for i in 0..32 {
            if bits.diagnosis & (1 << i) != 0 {
                diagnosed[i] = diagnosed[i].max(d);
            }
            if bits.resolution & (1 << i) != 0 {
                resolved[i] = resolved[i].max(d);
            }
        }
        lithium |= bits.lithium && d >= lithium_from;
    }
    (0..32)
        .filter(|&i| (diagnosed[i] != i32::MIN && resolved[i] <= diagnosed[i]) || (i == SMI_REGISTER && lithium))
        .count() as u32
}

/// The eFI category on `day`, as a model reading the record would see it:
/// coded deficits dated on or before it and polypharmacy in the 12 months up
/// to it, for people aged [`EFI_MIN_AGE`] or over then. Frailty builds up,
/// so this is often lower than the category drawn for the extract date.
fn frailty_on(r: &Rec<'_>, day: i32) -> Option<EfiCategory> {
    if r.p.age_on(day) < EFI_MIN_AGE {
        return None;
    }
    let bits = &r.ctx.vocab.deficit_bits;
    let coded = r.out.iter().filter(|e| e.day <= day).fold(0u64, |seen, e| seen | bits[e.code as usize]);
    let deficits = coded.count_ones() + u32::from(medicines_in_year_to(r, day) >= POLYPHARMACY_MEDICINES);
    Some(if deficits <= EFI_FIT_MAX {
        EfiCategory::Fit
    } else if deficits <= EFI_MILD_MAX {
        EfiCategory::Mild
    } else if deficits <= EFI_MODERATE_MAX {
        EfiCategory::Moderate
    } else {
        EfiCategory::Severe
    })
}

/// 1, then one more with chance `further` each time, up to `max`.
fn how_many(rng: &mut Rng, further: f64, max: u32) -> u32 {
    let mut n = 1;
    while n < max && rng.chance(further) {
        n += 1;
    }
    n
}

/// Up to `n` distinct days in [from, to], none of them in `taken`, added to it.
fn distinct_days(rng: &mut Rng, n: u32, from: i32, to: i32, taken: &mut Vec<i32>) -> Vec<i32> {
    let mut out = Vec::new();
    for _ in 0..n {
        for _ in 0..8 {
            let day = rng.int(from, to);
            if !taken.contains(&day) {
                taken.push(day);
                out.push(day);
                break;
            }
        }
    }
    out
}

/// Emergency admissions and A&E attendances, year by year from the oldest,
/// by the generating models (see `emergency.rs`). Returns what was drawn
/// for each written year, the most recent first.
fn emergency_care(r: &mut Rec<'_>, rng: &mut Rng) -> [Option<YearTruth>; YEARS] {
    let (ctx, p) = (r.ctx, r.p);
    let v = &ctx.vocab;
    let registers: Vec<(i32, RegisterBits)> =
        r.out.iter().map(|e| (e.day, v.register_bits[e.code as usize])).filter(|(_, bits)| bits.any()).collect();
    let mut truth = [None; YEARS];
    let (mut prior_admissions, mut prior_ae) = (0, 0);
    let mut taken: Vec<i32> = Vec::new();
    for k in (0..=YEARS).rev() {
        let (reference, last) = (ctx.years[k + 1], ctx.years[k]);
        let (from, to) = ((reference + 1).max(r.start), last.min(r.end));
        if from > to {
            (prior_admissions, prior_ae) = (0, 0);
            continue;
        }
        let exposure = (to - from + 1) as f64 / (last - reference) as f64;
        let features = Features {
            age: p.age_on(reference).max(0),
            female: p.female,
            imd_decile: p.imd,
            conditions: ltc_count(&registers, reference, ctx.lithium_from[k]),
            frailty: frailty_on(r, reference),
            prior_admissions,
            prior_ae,
        };
        let p_admission = EMERGENCY_ADMISSION.probability(&features);
        let admitted = rng.chance(p_admission * exposure);
        let n_admissions = if admitted { how_many(rng, FURTHER_ADMISSION, MAX_ADMISSIONS) } else { 0 };
        let attended = rng.chance(AE_ATTENDANCE.probability(&features) * exposure);
        let n_ae = if attended { how_many(rng, FURTHER_AE, MAX_AE) } else { 0 };

        taken.clear();
        let admission_days = distinct_days(rng, n_admissions, from, to, &mut taken);
        let mut ae_days: Vec<i32> = admission_days.iter().copied().filter(|_| rng.chance(AE_WITH_ADMISSION)).collect();
        ae_days.extend(distinct_days(rng, n_ae, from, to, &mut taken));
        let written = k < YEARS;
        for &day in &admission_days {
            // Some admissions are coded by their cause.
            let code = if p.active(Kind::Copd, day) && rng.chance(0.25) {
                v.admission_copd
            } else if p.active(Kind::Asthma, day) && rng.chance(0.15) {
                v.admission_asthma
            } else {
                None
            };
            if written {
                r.at(day, Some(code.unwrap_or(v.admission)), Val::None);
            }
        }
        if written {
            for &day in &ae_days {
                r.at(day, Some(v.ae), Val::None);
            }
            truth[k] = Some(YearTruth {
                features,
                exposure,
                p_admission,
                admissions: admission_days.len() as u32,
                ae: ae_days.len() as u32,
            });
        }
        (prior_admissions, prior_ae) = (admission_days.len() as u32, ae_days.len() as u32);
    }
    truth
}

/// Learning disability annual health checks, by financial year, from 14.
fn ld_health_checks(r: &mut Rec<'_>, rng: &mut Rng) {
    let p = r.p;
    let v = &r.ctx.vocab;
    let last_fy = crate::model::financial_year_start(super::date(r.ctx.extract)).year();
    for fy in (last_fy - 5)..=last_fy {
        let (Some(from), Some(to)) =
            (chrono::NaiveDate::from_ymd_opt(fy, 4, 1), chrono::NaiveDate::from_ymd_opt(fy + 1, 3, 31))
        else {
            continue;
        };
        let day = rng.int(super::days(from), super::days(to));
        if day < r.start || day > r.end || p.age_on(day) < 14 {
            continue;
        }
        let prob = if p.ahc_never { 0.03 } else { 0.93 };
        if !r.chance(rng, prob) {
            continue;
        }
        let check = v.ld_health_check;
        if !r.at(day, check, Val::None) {
            continue;
        }
        if rng.chance(0.9) {
            blood_pressure(r, rng, day);
        }
        if rng.chance(0.85) {
            bmi(r, rng, day);
        }
        if rng.chance(0.85) {
            let later = if rng.chance(0.7) { day } else { day + rng.int(1, 28) };
            let plan = if rng.chance(0.8) { v.ld_action_plan.first().copied() } else { pick(rng, &v.ld_action_plan) };
            r.at(later, plan, Val::None);
        }
    }
}

/// The six SMI physical health checks, often done together.
fn smi_checks(r: &mut Rec<'_>, rng: &mut Rng) {
    for slot in 0..6 {
        let (a, b) = slot_range(r.ctx.extract, slot);
        if r.p.age_on(b) < 16 {
            continue;
        }
        if r.chance(rng, 0.5) {
            if let Some(day) = r.day_in(rng, a, b) {
                blood_pressure(r, rng, day);
                bmi(r, rng, day);
                cholesterol(r, rng, day);
                hba1c(r, rng, day);
                alcohol(r, rng, day);
                smoking_status(r, rng, day);
            }
            continue;
        }
        for item in 0..6 {
            if !r.chance(rng, 0.2) {
                continue;
            }
            let Some(day) = r.day_in(rng, a, b) else {
                continue;
            };
            match item {
                0 => blood_pressure(r, rng, day),
                1 => bmi(r, rng, day),
                2 => cholesterol(r, rng, day),
                3 => hba1c(r, rng, day),
                4 => alcohol(r, rng, day),
                _ => smoking_status(r, rng, day),
            }
        }
    }
}

/// Pregnancies through the window; true if pregnant on the extract date.
fn pregnancies(r: &mut Rec<'_>, rng: &mut Rng) -> bool {
    let p = r.p;
    let v = &r.ctx.vocab;
    let extract = r.ctx.extract;
    let mut day = r.start.max(p.dob + 15 * YEAR);
    let mut pregnant_now = false;
    while day <= r.end {
        let age = p.age_on(day);
        if age >= 50 {
            break;
        }
        let annual = match age {
            15..=19 => 0.028,
            20..=24 => 0.1,
            25..=29 => 0.16,
            30..=34 => 0.19,
            35..=39 => 0.12,
            40..=44 => 0.03,
            45..=49 => 0.004,
            _ => 0.0,
        };
        if !rng.chance(annual / 12.0) {
            day += 30;
            continue;
        }
        let conceived = day;
        let booking = conceived + rng.int(56, 84);
        let (outcome, code) = if rng.chance(0.18) {
            (conceived + rng.int(56, 100), v.miscarriage)
        } else {
            (conceived + rng.int(266, 287), v.live_birth)
        };
        if booking < outcome && r.chance(rng, 0.97) && r.at(booking, v.pregnant, Val::None) && outcome > extract {
            pregnant_now = booking <= extract;
        }
        r.at(outcome, code, Val::None);
        day = outcome + rng.int(60, 400);
    }
    pregnant_now
}

/// eFI deficit codes for people aged 65+, up to the number chosen for their
/// frailty; some frailty is also coded by a clinician. Returns the distinct
/// deficits recorded.
fn frailty(r: &mut Rec<'_>, rng: &mut Rng, written: &[(Kind, i32)], polypharmacy: bool, meds: &[(Med, i32)]) -> u32 {
    let p = r.p;
    let v = &r.ctx.vocab;
    let mut present: Vec<&'static str> = written.iter().filter_map(|(k, _)| deficit_of(*k)).collect();
    present.sort_unstable();
    present.dedup();
    let mut count = present.len() as u32 + u32::from(polypharmacy);
    let mut pool: Vec<usize> =
        (0..v.extra_deficits.len()).filter(|&i| !present.contains(&v.extra_deficits[i].name)).collect();
    let earliest = (p.dob + 55 * YEAR).max(r.ctx.extract - 10 * YEAR).max(if r.recent { p.reg } else { p.dob });
    let mut peptic = false;
    while count < p.target_deficits && !pool.is_empty() {
        let weights: Vec<f64> = pool.iter().map(|&i| v.extra_deficits[i].weight).collect();
        let i = pool.swap_remove(rng.weighted(&weights));
        let d = &v.extra_deficits[i];
        let code = if p.female { d.female } else { d.male };
        let day = rng.int(earliest.min(r.end), r.end);
        if r.at(day, code, Val::None) {
            count += 1;
            peptic |= d.name == "efi_peptic_ulcer";
        }
    }
    // Peptic ulcers are treated with a PPI, unless one is already given.
    if peptic && !meds.iter().any(|m| matches!(m.0, Med::Omeprazole | Med::Lansoprazole)) {
        let med = [(Med::Omeprazole, r.end - rng.int(0, 2 * YEAR))];
        issue_medicines(r, rng, &med);
    }
    if p.frailty >= Frailty::Mild && rng.chance(0.2) {
        let code = v.frailty[p.frailty as usize - Frailty::Mild as usize];
        if let Some(day) = r.day_in(rng, r.ctx.extract - 2 * YEAR, r.ctx.extract) {
            r.at(day, code, Val::None);
        }
    }
    if meds.len() >= 2 {
        for slot in 0..6 {
            let (a, b) = slot_range(r.ctx.extract, slot);
            if r.chance(rng, 0.7) {
                if let Some(day) = r.day_in(rng, a, b) {
                    let code = v.medication_review;
                    r.at(day, code, Val::None);
                }
            }
        }
    }
    count
}
