//! Rule files as written: serde structures that mirror the TOML exactly.
//!
//! Nothing here is checked beyond what serde checks (unknown keys are
//! refused). [`super::plan`] turns these into a typed plan and reports every
//! problem with its place in the file.

use serde::Deserialize;

/// One rule file: any number of cohorts, optionally segments and the eFI.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    #[serde(default)]
    pub cohort: Vec<CohortSyntax>,
    #[serde(default)]
    pub setting: Vec<SettingSyntax>,
    pub segments: Option<SegmentsSyntax>,
    pub efi: Option<EfiSyntax>,
    pub qrisk3: Option<Qrisk3Syntax>,
    /// Codelists defined in the file itself, so a local cohort's definition
    /// travels with its codes.
    #[serde(default)]
    pub codelist: Vec<CodelistSyntax>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodelistSyntax {
    pub id: String,
    pub title: String,
    pub codes: Vec<CodeSyntax>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeSyntax {
    pub code: String,
    #[serde(default)]
    pub term: String,
    /// SNOMED CT unless given (dm+d, Read v2, CTV3).
    pub system: Option<String>,
}

/// A setting: a named value that rules refer to as `"$id"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingSyntax {
    pub id: String,
    pub title: String,
    pub default: toml::Value,
    /// Where the default comes from and what the alternatives mean.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CohortSyntax {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub source: Option<String>,
    /// "register" or "worklist" (default).
    pub kind: Option<String>,
    pub eligible: CriterionSyntax,
    #[serde(default)]
    pub check: Vec<CheckSyntax>,
    /// "eligible" (default): everyone eligible is listed.
    /// "missing_checks": only those missing a required check.
    pub members: Option<String>,
    /// For a priority list: whether this cohort's members join it (default
    /// true for worklists).
    pub priority: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSyntax {
    pub id: String,
    pub title: String,
    pub done: CriterionSyntax,
    /// Whom the check applies to; others are neither done nor missing it.
    pub applies: Option<CriterionSyntax>,
    /// A check that is not required is reported but never puts anyone on the
    /// list. Default true.
    pub required: Option<bool>,
}

/// A number, or `"$setting"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum NumberOrSetting {
    Number(f64),
    Setting(String),
}

/// One criterion. Exactly one of the kind keys (`coded`, `register`,
/// `latest_bp`, `age_min`/`age_max`, `sex`, `imd_decile`, `ethnicity`,
/// `cohort`, `any_cohort`, `efi`, `qrisk`, `all`, `any`, `not`, `always`) must be present; the
/// others are modifiers of that kind.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriterionSyntax {
    /// Shown as the reason when this criterion puts someone on a list.
    pub label: Option<String>,

    /// Any code from these clusters.
    pub coded: Option<Vec<String>>,
    /// The latest code from this cluster is not followed by one from `resolved`.
    pub register: Option<String>,
    pub resolved: Option<Vec<String>>,
    /// Latest blood pressure, compared with `[systolic, diastolic]`.
    pub latest_bp: Option<[NumberOrSetting; 2]>,
    /// For `latest_bp`: below, at_or_below, at_or_above, above (or a setting).
    pub compare: Option<String>,
    pub age_min: Option<NumberOrSetting>,
    pub age_max: Option<NumberOrSetting>,
    pub sex: Option<String>,
    pub imd_decile: Option<Vec<u8>>,
    pub ethnicity: Option<Vec<String>>,
    pub cohort: Option<String>,
    /// Any of these cohorts, comma-separated (or a setting holding such a list).
    pub any_cohort: Option<String>,
    /// eFI category at least this severe: mild, moderate, severe.
    pub efi: Option<String>,
    /// The QRISK3 10-year risk (computed, else the latest recorded score)
    /// compared, e.g. ">= 10" or ">= $qrisk_threshold".
    pub qrisk: Option<String>,
    pub all: Option<Vec<CriterionSyntax>>,
    pub any: Option<Vec<CriterionSyntax>>,
    pub not: Option<Box<CriterionSyntax>>,
    pub always: Option<bool>,

    /// Time window before the as-of date: "ever" (default), "N days|weeks|
    /// months|years", "financial_year", or a setting.
    pub within: Option<String>,
    /// For `coded`: the latest value in the window compared, e.g. ">= 7.5".
    pub value: Option<String>,
    /// For `coded`: at least this many events in the window.
    pub count_at_least: Option<NumberOrSetting>,
    /// For `coded`: only events on or after the latest code of this cluster.
    pub on_or_after_latest: Option<String>,
}

/// Segments: the definitions and the default order of precedence.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentsSyntax {
    pub precedence: Vec<String>,
    pub segment: Vec<SegmentSyntax>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentSyntax {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub when: CriterionSyntax,
}

/// The electronic frailty index definition.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EfiSyntax {
    pub min_age: NumberOrSetting,
    pub polypharmacy_min_medicines: NumberOrSetting,
    pub polypharmacy_within: String,
    pub polypharmacy_title: String,
    /// Upper bounds (inclusive) of fit, mild and moderate, as deficit counts.
    pub fit_max: u32,
    pub mild_max: u32,
    pub moderate_max: u32,
    pub source: String,
    pub deficit: Vec<DeficitSyntax>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeficitSyntax {
    pub id: String,
    pub title: String,
    pub cluster: String,
}

/// Which clusters give each QRISK3 input. Value clusters carry a number
/// (BMI, blood pressure, cholesterol); the others are present or absent.
/// An optional input with no cluster is taken as absent, and said so.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Qrisk3Syntax {
    pub source: String,
    /// How recent a measurement must be to be used.
    pub measurements_within: String,
    /// Regular medicines (steroids, atypical antipsychotics): two or more
    /// issues in this window.
    pub medication_within: String,
    pub bmi: String,
    pub systolic_bp: String,
    pub cholesterol_hdl_ratio: String,
    pub total_cholesterol: String,
    pub hdl_cholesterol: String,
    pub current_smoker: String,
    pub ex_smoker: String,
    pub smoking_status: String,
    pub cvd: Vec<String>,
    pub atrial_fibrillation: String,
    pub atypical_antipsychotic: Option<String>,
    pub corticosteroids: Option<String>,
    pub erectile_dysfunction: Option<String>,
    pub migraine: Option<String>,
    pub rheumatoid_arthritis: String,
    pub ckd_3_to_5: String,
    pub severe_mental_illness: String,
    pub sle: Option<String>,
    pub hypertension: String,
    pub hypertension_resolved: String,
    pub diabetes_type1: String,
    pub diabetes_type2: String,
    pub family_history_chd: Option<String>,
    pub recorded_score: String,
}
