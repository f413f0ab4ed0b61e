//! What the model reads for one person as they stood on a reference date,
//! and the label: an emergency admission in the 12 months after it.
//!
//! The terms mirror the synthetic generator's
//! ([`crate::synth::EMERGENCY_ADMISSION`]) where it has them, so fitted and
//! generating coefficients can be set side by side; SMI, learning disability
//! and polypharmacy are extra (the generator gives them no effect of their
//! own, beyond SMI and LD counting as registers).

use super::super::admissions::{between, in_12_months_before, EmergencyClusters};
use super::super::efi::POLYPHARMACY;
use crate::analysis;
use crate::model::{Date, PatientIdx, Population, Sex};
use crate::rules::plan::EfiCategory;
use crate::synth::GeneratingModel;
use crate::Engine;

/// Prior admissions and attendances count up to this many (as the generator's).
pub const PRIOR_CAP: u32 = 3;

/// One model term (besides the intercept).
pub struct Term {
    pub id: &'static str,
    /// A few words for a table.
    pub title: &'static str,
    pub definition: &'static str,
    /// The generating model's coefficient for the same term, where it has one.
    pub generating: Option<fn(&GeneratingModel) -> f64>,
}

pub const N_TERMS: usize = 13;

/// The terms, in the order of the feature columns.
pub const TERMS: [Term; N_TERMS] = [
    Term {
        id: "age_per_decade_over_50",
        title: "Age, per 10 years over 50",
        definition: "Age in whole years on the reference date, minus 50, divided by 10 (0 at 50 or under)",
        generating: Some(|m| m.per_decade_over_50),
    },
    Term { id: "under_5",
        title: "Under 5", definition: "Aged under 5 on the reference date", generating: Some(|m| m.under_5) },
    Term { id: "female",
        title: "Female", definition: "Sex recorded as female", generating: Some(|m| m.female) },
    Term {
        id: "imd_quintile_1",
        title: "IMD quintile 1 (most deprived)",
        definition: "IMD 2019 decile 1 or 2 (the most deprived fifth of England); a blank decile counts as not",
        generating: Some(|m| m.imd_quintile_1),
    },
    Term {
        id: "registers",
        title: "Long-term condition registers, each",
        definition: "Number of long-term condition registers on the reference date (the multimorbidity count: 16 registers)",
        generating: Some(|m| m.per_condition),
    },
    Term {
        id: "efi_mild",
        title: "eFI mild frailty",
        definition: "eFI mild frailty on the reference date (aged 65 or over)",
        generating: Some(|m| m.frailty_mild),
    },
    Term {
        id: "efi_moderate",
        title: "eFI moderate frailty",
        definition: "eFI moderate frailty on the reference date (aged 65 or over)",
        generating: Some(|m| m.frailty_moderate),
    },
    Term {
        id: "efi_severe",
        title: "eFI severe frailty",
        definition: "eFI severe frailty on the reference date (aged 65 or over)",
        generating: Some(|m| m.frailty_severe),
    },
    Term {
        id: "prior_admissions",
        title: "Emergency admissions in the year before, each",
        definition: "Emergency admissions (days with an emergency_admission code) in the 12 months up to the reference date, counted up to 3",
        generating: Some(|m| m.per_prior_admission),
    },
    Term {
        id: "prior_ae",
        title: "A&E attendances in the year before, each",
        definition: "A&E attendances (days with an ae_attendance code) in the 12 months up to the reference date, counted up to 3",
        generating: Some(|m| m.per_prior_ae),
    },
    Term {
        id: "smi_register",
        title: "SMI register",
        definition: "On the serious mental illness register on the reference date",
        generating: None,
    },
    Term {
        id: "ld_register",
        title: "Learning disability register",
        definition: "On the learning disability register on the reference date",
        generating: None,
    },
    Term {
        id: "polypharmacy",
        title: "Polypharmacy (5+ medicines)",
        definition: "The eFI polypharmacy deficit on the reference date (setting polypharmacy_min_medicines distinct medicines issued in 12 months, 5 by default)",
        generating: None,
    },
];

/// What the label means.
pub const LABEL: &str = "One or more emergency admissions (days with an emergency_admission code) in the 12 months \
after the reference date";

/// The generating coefficient for a term id, or the intercept's for "intercept".
pub fn generating(model: &GeneratingModel, term: &str) -> Option<f64> {
    if term == "intercept" {
        return Some(model.intercept);
    }
    TERMS.iter().find(|t| t.id == term).and_then(|t| t.generating.map(|g| g(model)))
}

/// Everyone current on a reference date, one row each, in patient order.
pub struct Rows {
    pub reference: Date,
    pub patients: Vec<PatientIdx>,
    /// Row-major, [`N_TERMS`] values a row.
    pub x: Vec<f64>,
    /// Per row, when an outcome window was asked for.
    pub labels: Vec<bool>,
}

impl Rows {
    pub fn len(&self) -> usize {
        self.patients.len()
    }

    pub fn is_empty(&self) -> bool {
        self.patients.is_empty()
    }

    pub fn row(&self, i: usize) -> &[f64] {
        &self.x[i * N_TERMS..(i + 1) * N_TERMS]
    }

    pub fn events(&self) -> usize {
        self.labels.iter().filter(|&&l| l).count()
    }
}

/// The features of everyone current on `reference`, and with `outcome`
/// (first and last day) whether they had an emergency admission in it.
/// People who die or leave during the outcome window are kept, labelled by
/// what was recorded before they went.
pub fn rows(
    engine: &Engine,
    pop: &Population,
    clusters: &EmergencyClusters,
    reference: Date,
    outcome: Option<(Date, Date)>,
) -> Rows {
    let analysis = analysis::analyse(&engine.plan, pop, reference);
    let on_register = |id: &str| {
        let mut on = vec![false; pop.patients.len()];
        if let Some(c) = engine.plan.cohorts.iter().position(|c| c.id == id) {
            for e in &analysis.cohorts[c].eligible {
                on[e.patient as usize] = true;
            }
        }
        on
    };
    let (smi, ld) = (on_register("smi_register"), on_register("ld_register"));
    let mut out = Rows { reference, patients: Vec::new(), x: Vec::new(), labels: Vec::new() };
    for (i, person) in pop.patients.iter().enumerate() {
        if analysis.not_current[i].is_some() {
            continue;
        }
        let p = i as PatientIdx;
        let age = person.age_on(reference);
        let prior = in_12_months_before(pop, p, clusters, reference);
        let efi = analysis.efi[i].category;
        let flag = |on: bool| if on { 1.0 } else { 0.0 };
        out.x.extend_from_slice(&[
            (age - 50).max(0) as f64 / 10.0,
            flag(age < 5),
            flag(person.sex == Sex::Female),
            flag(person.imd_decile.is_some_and(|d| d <= 2)),
            analysis.ltc_count[i] as f64,
            flag(efi == Some(EfiCategory::Mild)),
            flag(efi == Some(EfiCategory::Moderate)),
            flag(efi == Some(EfiCategory::Severe)),
            prior.admissions.min(PRIOR_CAP) as f64,
            prior.ae_attendances.min(PRIOR_CAP) as f64,
            flag(smi[i]),
            flag(ld[i]),
            flag(analysis.efi_deficits(p).iter().any(|d| d.index == POLYPHARMACY)),
        ]);
        out.patients.push(p);
        if let Some((from, to)) = outcome {
            out.labels.push(between(pop, p, clusters, from, to).admissions > 0);
        }
    }
    out
}
