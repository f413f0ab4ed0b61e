//! The model card: what the model was fitted on, what it found, how well it
//! did on a year it never saw, and what it is for. Every figure is rounded
//! (coefficients and metrics to 4 places, scores to 0.1%), so the JSON is
//! the same bytes natively and in WebAssembly.

use serde::Serialize;

use super::metrics::Decile;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelCard {
    pub model: &'static str,
    /// The date scores are for (yyyy-mm-dd).
    pub as_of: String,
    pub intended_use: &'static str,
    pub data: Data,
    pub label: &'static str,
    pub features: Vec<Feature>,
    pub method: Method,
    /// The model that scores people (fitted on the latest year), with the
    /// validated model's coefficients beside it.
    pub coefficients: Vec<Coefficient>,
    pub validation: Validation,
    pub tiers: Vec<Tier>,
    pub caveats: Vec<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Data {
    pub source: &'static str,
    /// People current on the as-of date (all of them are scored).
    pub practice_population: usize,
    /// The year the validated model was fitted on.
    pub development: Year,
    /// The year it was validated on, and the final model fitted on.
    pub validation: Year,
    pub people_treatment: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Year {
    /// Features as they stood on this date (yyyy-mm-dd) …
    pub features_on: String,
    /// … and the label from this day to that, both included.
    pub outcome_from: String,
    pub outcome_to: String,
    /// People current on `features_on`.
    pub people: usize,
    /// Of those, people with one or more emergency admissions in the outcome year.
    pub events: usize,
    pub event_rate: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Feature {
    pub term: &'static str,
    pub title: &'static str,
    pub definition: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Method {
    pub description: &'static str,
    pub l2_penalty: f64,
    pub max_iterations: u64,
    /// Times the rows fitted on: the gradient norm at which the optimiser stops.
    pub gradient_tolerance_per_row: f64,
    pub newton_steps: usize,
    /// Fewer people with an admission than this in either year, and the
    /// model refuses to fit.
    pub min_events: usize,
    pub min_events_rule: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coefficient {
    /// "intercept" or a feature's term.
    pub term: &'static str,
    pub title: &'static str,
    /// Log-odds, in the model that scores people.
    pub coefficient: f64,
    /// The slope's standard error (none for the intercept).
    pub standard_error: Option<f64>,
    pub odds_ratio: f64,
    /// The odds ratio's 95% interval, exp(coefficient ± 1.96 standard errors).
    pub odds_ratio_95: Option<[f64; 2]>,
    /// In the model fitted on the development year and validated.
    pub validated_coefficient: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Validation {
    pub description: &'static str,
    pub people: usize,
    pub events: usize,
    /// Mann-Whitney, ties counting half.
    pub auroc: f64,
    pub brier: f64,
    /// Share with an admission, and the mean predicted risk.
    pub observed_rate: f64,
    pub mean_predicted: f64,
    /// By tenth of predicted risk, lowest first.
    pub calibration: Vec<Decile>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tier {
    /// 1 = the highest risks.
    pub tier: u8,
    pub label: String,
    /// The share of the practice above the tier, and at its foot (percent).
    pub from_percent: f64,
    pub to_percent: f64,
    pub people: usize,
    /// The tier's lowest and highest scores (percent, 1 place); null when empty.
    pub lowest_score: Option<f64>,
    pub highest_score: Option<f64>,
}

pub const MODEL: &str = "Risk of an emergency hospital admission in the next 12 months: logistic regression fitted on \
this practice's own records";

pub const INTENDED_USE: &str = "Prioritising people for proactive care (case review, care coordination, \
anticipatory care planning) across the practice population. It is not a clinical decision, a diagnosis or a basis \
for any individual treatment decision, and nothing is ever written back to a clinical record.";

pub const SOURCE: &str = "The practice's own export (patients and coded events), read on this machine; nothing is \
uploaded";

pub const PEOPLE_TREATMENT: &str = "Each year takes the people current on its reference date (registered, alive). \
People who died or left during the outcome year are kept, labelled by the admissions recorded before they went; \
people who joined during it are not in that year.";

pub const METHOD: &str = "Logistic regression with a small L2 penalty on the slopes, fitted by linfa-logistic 0.8 \
(L-BFGS, on centred features) and finished with a fixed number of Newton steps in exactly reproducible arithmetic; \
the coefficients are rounded to 4 places and those rounded values are what score people";

pub const VALIDATION: &str = "The model fitted on the development year (features 24 months before the as-of date, \
admissions in the 12 months after) scores the validation year (features 12 months before the as-of date, \
admissions in the 12 months to it): a year, and people, it never saw. The model that scores people is then refitted \
on the validation year and applied to everyone's features on the as-of date.";

pub const CAVEATS: [&str; 7] = [
    "Admissions and A&E attendances are those coded in the GP record from hospital letters (the local codelists \
emergency_admission and ae_attendance); an admission the practice did not code is missed, so the model predicts a \
recorded admission.",
    "The admission, A&E and some condition codelists are local stand-ins, not national reference sets; check them \
against the practice's coding.",
    "Fitted on one practice's history: coefficients from a small practice are uncertain, and the validation year \
shows how well it ranks people here, not elsewhere.",
    "Coefficients are associations, not causes: they say who is admitted more often, not what would prevent it.",
    "People who died or left during an outcome year count by what was recorded before they went, which lowers the \
observed rate a little.",
    "On the synthetic demo practice admissions are drawn from a known model (src/synth/emergency.rs), so the fit can \
be checked against it; real data has no such truth.",
    "Scores are rounded to 0.1% and coefficients to 4 places, so the same input, as-of date and settings give the \
same card and scores in the command line and the browser.",
];
