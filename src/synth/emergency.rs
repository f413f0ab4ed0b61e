//! Emergency admissions and A&E attendances with known causes.
//!
//! For each of the last [`YEARS`] years before the extract (12-month years
//! ending on the extract date, 12 months before it, and so on), each person's
//! chance of at least one emergency admission follows a logistic model whose
//! coefficients are [`EMERGENCY_ADMISSION`], on features as they stood on the
//! day before the year began (the "reference date"):
//!
//! - age: per 10 years over 50, and a step for children under 5;
//! - sex (female);
//! - IMD quintile 1 (deciles 1 and 2; a blank decile counts as not);
//! - the long-term condition registers the record puts them on at the
//!   reference date, counted exactly as [`crate::risk::multimorbidity`]
//!   counts them (the same 16 registers, from the codes written);
//! - frailty: the eFI category at the reference date, from the deficits
//!   written by then (people aged 65 or over then), exactly as a model
//!   reading the record sees it. The deficits are drawn to land in the
//!   category chosen for the extract date, so frailty builds up over the
//!   years as it does in life;
//! - emergency admissions and A&E attendances in the record in the 12
//!   months before the reference date (each counted up to [`PRIOR_CAP`]).
//!
//! A person with one admission has a further one with chance
//! [`FURTHER_ADMISSION`], and so on up to [`MAX_ADMISSIONS`]; the model is
//! for "at least one", the label a risk model predicts. A&E attendances that
//! do not end in admission follow [`AE_ATTENDANCE`] the same way (further
//! ones with chance [`FURTHER_AE`]), and an admission comes through A&E (an
//! attendance the same day) with chance [`AE_WITH_ADMISSION`]. Someone on
//! the list for part of a year has the year's chance in proportion to the
//! part. The year before the first is drawn too, only to give the first
//! year's "previous 12 months": it is not written, so the first written year
//! is as common as the others. Nothing is dated after the extract, before
//! registration or after death or leaving.
//!
//! Targets: in England there were 6.02 million emergency admissions in
//! 2017/18 for about 56 million people (The Health Foundation, "Emergency
//! admissions: what are the pressures?"), about 11 per 100 people a year.
//! Some people are admitted more than once, so the share with at least one
//! is lower: this generator aims at 8-12% of a practice's people a year (the
//! band issue 6 sets), far more of the old and frail. The same source says
//! emergency admissions often come through A&E and that 29% of people
//! attending a major A&E in 2017/18 were admitted; [`AE_WITH_ADMISSION`] is
//! this project's choice within that picture, not a published figure.

use crate::math::logistic;
use crate::rules::plan::EfiCategory;

/// Years of emergency care written before the extract.
pub const YEARS: usize = 3;
/// Prior admissions (and attendances) count up to this many.
pub const PRIOR_CAP: u32 = 3;
/// Given an admission in a year, the chance of one more (each time).
pub const FURTHER_ADMISSION: f64 = 0.2;
pub const MAX_ADMISSIONS: u32 = 4;
/// Given an A&E attendance (not admitted) in a year, the chance of one more.
pub const FURTHER_AE: f64 = 0.3;
pub const MAX_AE: u32 = 6;
/// The chance that an emergency admission is preceded by an A&E attendance the same day.
pub const AE_WITH_ADMISSION: f64 = 0.72;

/// Log-odds of at least one event in a year: the intercept plus each
/// coefficient times its feature (see the module notes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeneratingModel {
    pub intercept: f64,
    /// Per 10 years of age over 50 at the reference date (0 at 50 or under).
    pub per_decade_over_50: f64,
    /// Aged under 5 at the reference date.
    pub under_5: f64,
    pub female: f64,
    /// IMD quintile 1 (deciles 1-2).
    pub imd_quintile_1: f64,
    /// Per long-term condition register.
    pub per_condition: f64,
    pub frailty_mild: f64,
    pub frailty_moderate: f64,
    pub frailty_severe: f64,
    /// Per emergency admission in the 12 months before, up to [`PRIOR_CAP`].
    pub per_prior_admission: f64,
    /// Per A&E attendance in the 12 months before, up to [`PRIOR_CAP`].
    pub per_prior_ae: f64,
}

/// Emergency admission: at least one in the year.
pub const EMERGENCY_ADMISSION: GeneratingModel = GeneratingModel {
    intercept: -3.15,
    per_decade_over_50: 0.28,
    under_5: 0.9,
    female: 0.1,
    imd_quintile_1: 0.35,
    per_condition: 0.22,
    frailty_mild: 0.45,
    frailty_moderate: 0.8,
    frailty_severe: 1.15,
    per_prior_admission: 0.7,
    per_prior_ae: 0.15,
};

/// A&E attendance that does not end in admission: at least one in the year.
pub const AE_ATTENDANCE: GeneratingModel = GeneratingModel {
    intercept: -1.75,
    per_decade_over_50: 0.12,
    under_5: 0.7,
    female: 0.0,
    imd_quintile_1: 0.4,
    per_condition: 0.12,
    frailty_mild: 0.25,
    frailty_moderate: 0.45,
    frailty_severe: 0.65,
    per_prior_admission: 0.3,
    per_prior_ae: 0.45,
};

/// What the models read for one person-year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Features {
    /// Whole years at the reference date (0 for someone not yet born).
    pub age: i32,
    pub female: bool,
    pub imd_decile: Option<u8>,
    /// Long-term condition registers at the reference date.
    pub conditions: u32,
    /// The eFI category on the reference date (65 and over then).
    pub frailty: Option<EfiCategory>,
    /// In the 12 months before the reference date, as recorded.
    pub prior_admissions: u32,
    pub prior_ae: u32,
}

impl GeneratingModel {
    pub fn log_odds(&self, f: &Features) -> f64 {
        let frailty = match f.frailty {
            Some(EfiCategory::Mild) => self.frailty_mild,
            Some(EfiCategory::Moderate) => self.frailty_moderate,
            Some(EfiCategory::Severe) => self.frailty_severe,
            _ => 0.0,
        };
        let flag = |on: bool, coefficient: f64| if on { coefficient } else { 0.0 };
        self.intercept
            + self.per_decade_over_50 * (f.age - 50).max(0) as f64 / 10.0
            + flag(f.age < 5, self.under_5)
            + flag(f.female, self.female)
            + flag(f.imd_decile.is_some_and(|d| d <= 2), self.imd_quintile_1)
            + self.per_condition * f.conditions as f64
            + frailty
            + self.per_prior_admission * f.prior_admissions.min(PRIOR_CAP) as f64
            + self.per_prior_ae * f.prior_ae.min(PRIOR_CAP) as f64
    }

    /// The chance of at least one in a whole year (the same bits natively and in WebAssembly).
    pub fn probability(&self, f: &Features) -> f64 {
        logistic(self.log_odds(f))
    }
}

/// One person-year as generated, for tests that compare what was drawn
/// with what the model says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct YearTruth {
    pub features: Features,
    /// Share of the year on the list (1 for a whole year).
    pub exposure: f64,
    /// [`EMERGENCY_ADMISSION`]'s probability for a whole year.
    pub p_admission: f64,
    pub admissions: u32,
    /// A&E attendances, those with an admission included.
    pub ae: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> Features {
        Features {
            age: 40,
            female: false,
            imd_decile: Some(5),
            conditions: 0,
            frailty: None,
            prior_admissions: 0,
            prior_ae: 0,
        }
    }

    #[test]
    fn the_log_odds_add_up_as_documented() {
        let m = EMERGENCY_ADMISSION;
        assert_eq!(m.log_odds(&person()), m.intercept);
        let old = Features {
            age: 85,
            female: true,
            imd_decile: Some(2),
            conditions: 3,
            frailty: Some(EfiCategory::Severe),
            prior_admissions: 5,
            prior_ae: 1,
        };
        let expected = m.intercept
            + 3.5 * m.per_decade_over_50
            + m.female
            + m.imd_quintile_1
            + 3.0 * m.per_condition
            + m.frailty_severe
            + 3.0 * m.per_prior_admission
            + m.per_prior_ae;
        assert!((m.log_odds(&old) - expected).abs() < 1e-12);
        assert_eq!(m.log_odds(&Features { age: 2, ..person() }), m.intercept + m.under_5);
        assert_eq!(m.log_odds(&Features { imd_decile: None, ..person() }), m.intercept);
        assert_eq!(m.log_odds(&Features { frailty: Some(EfiCategory::Fit), ..person() }), m.intercept);
    }
}
