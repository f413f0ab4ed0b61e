//! QRISK for population prioritisation: the QRISK3-2017 equations run on
//! inputs derived from GP codes where the measurements are recorded, and
//! otherwise the latest QRISK score the practice recorded. This ranks people
//! for a lipid-optimisation list; it is not a clinical calculator.
//!
//! How each input is read from the record (the `[qrisk3]` rule section names
//! the clusters):
//! - age and sex from the patients file; a person of unknown sex is not scored;
//! - ethnicity: the 2001-census category (from the NHS letter or the SNOMED CT
//!   ethnicity code) mapped to QRISK3's nine groups; none recorded counts as
//!   "white or not stated", as in QRISK3;
//! - Townsend deprivation: not in GP data, so 0 (the national average). People
//!   in deprived areas are scored lower than QRISK3 with their Townsend would;
//! - BMI, systolic blood pressure and the cholesterol/HDL ratio: the latest
//!   value in the measurement window (the ratio from the latest total and HDL
//!   cholesterol when no ratio is coded); all three are needed to compute;
//! - systolic variability: the standard deviation of the window's systolic
//!   readings, 0 with fewer than two (as QRISK3 allows);
//! - smoking: the latest smoking status; a current smoker's amount from the
//!   code's term (light 1-9, moderate 10-19, heavy 20+ a day), moderate when
//!   the term gives none;
//! - conditions: ever coded (hypertension only while on the register: treated
//!   hypertension is approximated by the register); regular steroids and
//!   atypical antipsychotics: two or more issues in the medication window;
//! - people with cardiovascular disease are not scored (secondary prevention).

use super::qrisk3::{self, Qrisk3Ethnicity, Qrisk3Inputs, Qrisk3Sex, Qrisk3Smoking};
use crate::model::{ClusterId, Sex};
use crate::record::Record;
use crate::rules::eval::{register_match, QriskValue};
use crate::rules::plan::{Qrisk3Plan, Window};

/// QRISK3 is defined for ages 25 to 84.
pub const MIN_AGE: i32 = 25;
pub const MAX_AGE: i32 = 84;

/// What could be said about one person's QRISK.
#[derive(Debug, Clone, PartialEq)]
pub enum Assessment {
    /// QRISK does not apply (outside 25-84, or established cardiovascular disease).
    NotApplicable(&'static str),
    /// Computed by QRISK3 from recorded inputs.
    Computed { percent: f64, inputs: Box<Qrisk3Inputs> },
    /// The latest score the practice recorded (event index).
    Recorded { percent: f64, event: u32, missing: Vec<&'static str> },
    /// Neither: the inputs that were missing.
    Missing(Vec<&'static str>),
}

/// The value rules compare, if there is one.
pub fn value(a: &Assessment) -> Option<QriskValue> {
    match a {
        Assessment::Computed { percent, .. } => Some(QriskValue { percent: *percent, recorded: None }),
        Assessment::Recorded { percent, event, .. } => Some(QriskValue { percent: *percent, recorded: Some(*event) }),
        _ => None,
    }
}

pub fn assess(plan: &Qrisk3Plan, rec: &Record) -> Assessment {
    if !(MIN_AGE..=MAX_AGE).contains(&rec.age) {
        return Assessment::NotApplicable("outside ages 25-84");
    }
    if plan.cvd.iter().any(|&c| !rec.in_cluster(c).is_empty()) {
        return Assessment::NotApplicable("cardiovascular disease recorded");
    }
    let computed = inputs(plan, rec).and_then(|inputs| {
        qrisk3::ten_year_risk(&inputs)
            .map(|percent| Assessment::Computed { percent, inputs: Box::new(inputs) })
            // Out-of-range values are held to QRISK3's limits, so what is
            // left is an impossible record (say both diabetes types).
            .map_err(|_| vec!["inputs QRISK3 cannot take together"])
    });
    match computed {
        Ok(a) => a,
        Err(missing) => {
            let from = plan.measurements_window.start(rec.as_of);
            let recorded = rec
                .since(&[plan.recorded_score], from)
                .into_iter()
                .rev()
                .find_map(|e| rec.value(e).filter(|v| (0.0..=100.0).contains(v)).map(|v| (e, v)));
            match recorded {
                Some((event, percent)) => Assessment::Recorded { percent, event, missing },
                None => Assessment::Missing(missing),
            }
        }
    }
}

/// The QRISK3 inputs, or the names of those not recorded.
fn inputs(plan: &Qrisk3Plan, rec: &Record) -> Result<Qrisk3Inputs, Vec<&'static str>> {
    let from = plan.measurements_window.start(rec.as_of);
    let latest_value = |c: ClusterId| rec.since(&[c], from).into_iter().rev().find_map(|e| rec.value(e));
    let mut missing = Vec::new();
    let sex = match rec.person.sex {
        Sex::Female => Some(Qrisk3Sex::Female),
        Sex::Male => Some(Qrisk3Sex::Male),
        _ => None,
    };
    if sex.is_none() {
        missing.push("sex");
    }
    let bmi = latest_value(plan.bmi);
    if bmi.is_none() {
        missing.push("BMI");
    }
    let systolic: Vec<f64> = rec.since(&[plan.systolic_bp], from).into_iter().filter_map(|e| rec.value(e)).collect();
    if systolic.is_empty() {
        missing.push("systolic blood pressure");
    }
    let ratio = latest_value(plan.cholesterol_hdl_ratio).or_else(|| {
        let total = latest_value(plan.total_cholesterol)?;
        let hdl = latest_value(plan.hdl_cholesterol).filter(|&h| h > 0.0)?;
        Some(total / hdl)
    });
    if ratio.is_none() {
        missing.push("cholesterol/HDL ratio");
    }
    let (Some(sex), Some(bmi), Some(&latest_sbp), Some(ratio)) = (sex, bmi, systolic.last(), ratio) else {
        return Err(missing);
    };
    let ever = |c: ClusterId| !rec.in_cluster(c).is_empty();
    let regular = |c: ClusterId| rec.since(&[c], plan.medication_window.start(rec.as_of)).len() >= 2;
    // Inputs without a codelist count as absent.
    let ever_if = |c: Option<ClusterId>| c.is_some_and(ever);
    let regular_if = |c: Option<ClusterId>| c.is_some_and(regular);
    Ok(Qrisk3Inputs {
        sex,
        age: rec.age as f64,
        ethnicity: ethnicity(rec.person.ethnic_category),
        townsend: 0.0,
        bmi,
        systolic_bp: latest_sbp,
        systolic_bp_sd: standard_deviation(&systolic),
        cholesterol_hdl_ratio: ratio,
        smoking: smoking(plan, rec),
        atrial_fibrillation: ever(plan.atrial_fibrillation),
        atypical_antipsychotic: regular_if(plan.atypical_antipsychotic),
        corticosteroids: regular_if(plan.corticosteroids),
        erectile_dysfunction: ever_if(plan.erectile_dysfunction),
        migraine: ever_if(plan.migraine),
        rheumatoid_arthritis: ever(plan.rheumatoid_arthritis),
        ckd_3_to_5: ever(plan.ckd_3_to_5),
        severe_mental_illness: ever(plan.severe_mental_illness),
        sle: ever_if(plan.sle),
        treated_hypertension: register_match(rec, plan.hypertension, &[plan.hypertension_resolved], Window::Ever)
            .is_some(),
        diabetes_type1: ever(plan.diabetes_type1),
        // Type 1 takes precedence when both are coded, as QRISK3 has one diabetes status.
        diabetes_type2: ever(plan.diabetes_type2) && !ever(plan.diabetes_type1),
        family_history_chd: ever_if(plan.family_history_chd),
    })
}

/// Sample standard deviation; 0 for fewer than two readings.
fn standard_deviation(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    let mean = xs.iter().sum::<f64>() / xs.len() as f64;
    (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (xs.len() - 1) as f64).sqrt()
}

/// QRISK3's groups from the 2001-census category (1 = A White British …
/// 16 = S Any other ethnic group). Mixed and "other Black" are QRISK3's
/// "other"; nothing recorded is "white or not stated".
fn ethnicity(category: Option<u8>) -> Qrisk3Ethnicity {
    match category {
        Some(8) => Qrisk3Ethnicity::Indian,
        Some(9) => Qrisk3Ethnicity::Pakistani,
        Some(10) => Qrisk3Ethnicity::Bangladeshi,
        Some(11) => Qrisk3Ethnicity::OtherAsian,
        Some(12) => Qrisk3Ethnicity::BlackCaribbean,
        Some(13) => Qrisk3Ethnicity::BlackAfrican,
        Some(15) => Qrisk3Ethnicity::Chinese,
        Some(4..=7 | 14 | 16) => Qrisk3Ethnicity::Other,
        _ => Qrisk3Ethnicity::WhiteOrNotStated,
    }
}

fn smoking(plan: &Qrisk3Plan, rec: &Record) -> Qrisk3Smoking {
    let Some(latest) = rec.latest(&[plan.smoking_status, plan.current_smoker, plan.ex_smoker], None) else {
        return Qrisk3Smoking::Non;
    };
    let date = rec.date(latest);
    let on_day = |c: ClusterId| rec.in_cluster(c).iter().rev().copied().find(|&e| rec.date(e) == date);
    if let Some(e) = on_day(plan.current_smoker) {
        let term =
            rec.pop.codes.get(rec.pop.events.code[e as usize]).term.as_deref().unwrap_or_default().to_ascii_lowercase();
        return if term.contains("light") {
            Qrisk3Smoking::Light
        } else if term.contains("heavy") {
            Qrisk3Smoking::Heavy
        } else {
            Qrisk3Smoking::Moderate
        };
    }
    if on_day(plan.ex_smoker).is_some() {
        Qrisk3Smoking::Ex
    } else {
        Qrisk3Smoking::Non
    }
}
