//! Multimorbidity: how many long-term condition registers a person is on.
//!
//! The count is read off the register cohorts the plan already evaluates, so
//! a register here means exactly what it means on its own list. Counted (16):
//! hypertension, diabetes, asthma, COPD, coronary heart disease, heart
//! failure, atrial fibrillation, stroke and TIA, CKD 3-5, peripheral arterial
//! disease, epilepsy, dementia, osteoporosis and rheumatoid arthritis (the
//! QOF registers in `rules/registers.toml`), serious mental illness
//! (`smi_register`) and learning disability (`ld_register`).
//!
//! Not counted, as they are not long-term conditions: the palliative care
//! register, the PLUS groups (ethnic minority, autistic people, inclusion
//! health, carers) and any local register. QOF registers without a codelist
//! here (cancer, depression, obesity, non-diabetic hyperglycaemia) are not
//! counted either.
//!
//! Bands follow SNEE ICS's segmentation: 0-1 registers, 2-3
//! ("multimorbidity") and 4 or more ("complex multimorbidity").
//!
//! The Cambridge Multimorbidity Score (Payne et al., CMAJ 2020;192:E107) is
//! not computed: most of its 20 conditions (painful condition, constipation,
//! anxiety or depression, hearing loss, irritable bowel syndrome, alcohol
//! problems among them) have no codelist or prescription rule here, and a
//! score over the rest would not be that score.

use serde::Serialize;

use crate::rules::plan::Plan;

/// The register cohorts counted, by id, in the order the report lists them.
pub const REGISTERS: [&str; 16] = [
    "hypertension_register",
    "diabetes_register",
    "asthma_register",
    "copd_register",
    "chd_register",
    "heart_failure_register",
    "atrial_fibrillation_register",
    "stroke_tia_register",
    "ckd_register",
    "pad_register",
    "epilepsy_register",
    "dementia_register",
    "osteoporosis_register",
    "rheumatoid_arthritis_register",
    "smi_register",
    "ld_register",
];

/// Where the definition comes from, as the report states it.
pub const SOURCE: &str = "Count of long-term condition registers (QOF register rules): hypertension, diabetes, \
asthma, COPD, CHD, heart failure, AF, stroke/TIA, CKD 3-5, PAD, epilepsy, dementia, osteoporosis, rheumatoid \
arthritis, SMI and learning disability. Bands as in SNEE ICS segmentation: 2-3 multimorbidity, 4+ complex.";

/// A multimorbidity band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Band {
    /// No register, or one.
    #[serde(rename = "0-1")]
    NoneOrOne,
    /// Two or three registers: multimorbidity.
    #[serde(rename = "2-3")]
    Multimorbidity,
    /// Four or more: complex multimorbidity.
    #[serde(rename = "4+")]
    Complex,
}

impl Band {
    pub const ALL: [Band; 3] = [Band::NoneOrOne, Band::Multimorbidity, Band::Complex];

    pub fn of(count: u32) -> Band {
        match count {
            0 | 1 => Band::NoneOrOne,
            2 | 3 => Band::Multimorbidity,
            _ => Band::Complex,
        }
    }

    /// The band's id in the report.
    pub fn id(self) -> &'static str {
        match self {
            Band::NoneOrOne => "0-1",
            Band::Multimorbidity => "2-3",
            Band::Complex => "4+",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Band::NoneOrOne => "No or one long-term condition",
            Band::Multimorbidity => "Multimorbidity (2-3 long-term conditions)",
            Band::Complex => "Complex multimorbidity (4 or more)",
        }
    }
}

/// The counted registers' indices into `plan.cohorts`. A register missing
/// from the plan (which the built-in rules never allow) is left out rather
/// than failing.
pub fn register_cohorts(plan: &Plan) -> Vec<usize> {
    REGISTERS.iter().filter_map(|id| plan.cohorts.iter().position(|c| c.id == *id)).collect()
}

/// Registers the person is on, given which cohorts they are eligible for
/// (indexed as `plan.cohorts`).
pub fn count(registers: &[usize], eligible: impl Fn(usize) -> bool) -> u32 {
    registers.iter().filter(|&&c| eligible(c)).count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_split_at_two_and_four() {
        let bands: Vec<&str> = (0..=6).map(|n| Band::of(n).id()).collect();
        assert_eq!(bands, ["0-1", "0-1", "2-3", "2-3", "4+", "4+", "4+"]);
    }

    #[test]
    fn every_counted_register_is_a_built_in_register_cohort() {
        let engine = crate::Engine::new(&crate::EngineConfig::default()).unwrap();
        let found = register_cohorts(&engine.plan);
        assert_eq!(found.len(), REGISTERS.len());
        for &c in &found {
            assert_eq!(
                engine.plan.cohorts[c].kind,
                crate::rules::plan::CohortKind::Register,
                "{}",
                engine.plan.cohorts[c].id
            );
        }
        let counted: Vec<&str> = found.iter().map(|&c| engine.plan.cohorts[c].id.as_str()).collect();
        for left_out in ["palliative_care_register", "ethnic_minority", "autism_register", "inclusion_health", "carers"]
        {
            assert!(!counted.contains(&left_out), "{left_out}");
        }
    }
}
