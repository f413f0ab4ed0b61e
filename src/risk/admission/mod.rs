//! The emergency-admission risk model, fitted on the practice's own history.
//!
//! 1. [`features`]: everyone current on a reference date, with what the
//!    model reads (age, sex, deprivation, registers, eFI, prior admissions
//!    and A&E attendances, SMI, LD, polypharmacy) and the label (an
//!    emergency admission in the 12 months after).
//! 2. [`fit`]: a logistic regression (linfa) on the development year
//!    (features 24 months before the as-of date), validated ([`metrics`]) on
//!    the next year (features 12 months before), then refitted on that year
//!    and applied to everyone's features on the as-of date.
//! 3. [`tiers`]: the top 0.5%, 2%, 5% and the rest (a setting).
//! 4. [`card`]: the model card.
//!
//! With too few admissions in either year it refuses ([`RiskError`]) rather
//! than show scores.

pub mod card;
pub mod features;
pub mod fit;
pub mod metrics;
pub mod tiers;

use chrono::Months;
use serde::{Deserialize, Serialize};

use super::admissions::EmergencyClusters;
use crate::math::{self, round};
use crate::model::{Date, PatientIdx, Population};
use crate::Engine;
use card::{Coefficient, Data, Feature, Method, ModelCard, Tier, Validation, Year};
use features::{Rows, N_TERMS, TERMS};
use fit::Fitted;

/// People with an admission needed per model term, in each year.
pub const EVENTS_PER_TERM: usize = 10;
/// So: 130 people with an admission in each year.
pub const MIN_EVENTS: usize = EVENTS_PER_TERM * N_TERMS;

/// The settings a user may change.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RiskSettings {
    /// Tier boundaries, cumulative percentages from the top.
    pub tiers: Vec<f64>,
}

impl Default for RiskSettings {
    fn default() -> RiskSettings {
        RiskSettings { tiers: tiers::DEFAULT_PERCENTS.to_vec() }
    }
}

/// Why there are no scores.
#[derive(Debug, Clone, PartialEq)]
pub enum RiskError {
    /// Too few people with (or without) an admission in a year to fit honestly.
    TooFewEvents {
        events: usize,
        with_admission: bool,
        year_to: Date,
    },
    Settings(String),
    /// The as-of date leaves no room for two years of history.
    AsOfTooEarly(Date),
    /// A cluster the model reads is missing (never with the built-in clusters).
    NoCodelist,
    Fit(String),
}

fn uk(date: Date) -> String {
    date.format("%d/%m/%Y").to_string()
}

impl std::fmt::Display for RiskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RiskError::TooFewEvents { events, with_admission, year_to } => {
                let people = if *events == 1 { "person" } else { "people" };
                let what = if *with_admission { "an emergency admission" } else { "no emergency admission" };
                write!(
                    f,
                    "Only {events} {people} had {what} in the 12 months to {}; the model needs at least \
                     {MIN_EVENTS} ({EVENTS_PER_TERM} per term) to be fitted honestly, so no risk scores are shown.",
                    uk(*year_to)
                )
            }
            RiskError::Settings(message) => write!(f, "{message}"),
            RiskError::AsOfTooEarly(date) => {
                write!(f, "The as-of date {} leaves no room for two years of history before it.", uk(*date))
            }
            RiskError::NoCodelist => write!(
                f,
                "The emergency_admission and ae_attendance codelists are needed for the risk model and are missing."
            ),
            RiskError::Fit(message) => write!(f, "{message}; no risk scores are shown."),
        }
    }
}

impl std::error::Error for RiskError {}

/// One person's score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Score {
    /// Predicted risk of an emergency admission in the next 12 months, percent to 1 place.
    pub percent: f64,
    /// 1 = the highest risks.
    pub tier: u8,
    /// 1 = the highest score (ties by patient id).
    pub rank: u32,
}

/// The fitted model: its card, and everyone's score.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskModel {
    pub card: ModelCard,
    /// Per patient (indexed as the population): `None` if not current on the as-of date.
    pub scores: Vec<Option<Score>>,
    /// The scored patients, highest risk first.
    pub ranked: Vec<PatientIdx>,
}

impl RiskModel {
    /// The model card as compact JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.card).expect("the card serialises")
    }

    /// Everyone scored, by patient id: what worklists filter and sort by.
    pub fn by_patient_id(&self, pop: &Population) -> crate::report::worklist::RiskById {
        self.ranked
            .iter()
            .filter_map(|&p| Some((pop.patients[p as usize].id.clone(), self.scores[p as usize]?)))
            .collect()
    }

    /// `patient_id,risk_percent,tier`, highest risk first.
    pub fn scores_csv(&self, pop: &Population) -> String {
        let mut out = String::from("patient_id,risk_percent,tier\n");
        for &p in &self.ranked {
            if let Some(s) = self.scores[p as usize] {
                let id = &pop.patients[p as usize].id;
                let id = if id.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", id.replace('"', "\"\""))
                } else {
                    id.clone()
                };
                out.push_str(&format!("{id},{:.1},{}\n", s.percent, s.tier));
            }
        }
        out
    }
}

fn months_before(date: Date, months: u32) -> Option<Date> {
    date.checked_sub_months(Months::new(months))
}

/// The steps of [`fit_and_score`], in order, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    DevelopmentYear,
    ValidationYear,
    Fitting,
    Validating,
    Refitting,
    Scoring,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::DevelopmentYear,
        Stage::ValidationYear,
        Stage::Fitting,
        Stage::Validating,
        Stage::Refitting,
        Stage::Scoring,
    ];

    pub fn description(self) -> &'static str {
        match self {
            Stage::DevelopmentYear => "Reading everyone's record as it stood 24 months ago",
            Stage::ValidationYear => "Reading everyone's record as it stood 12 months ago",
            Stage::Fitting => "Fitting the model on the first year",
            Stage::Validating => "Checking it on the year it never saw",
            Stage::Refitting => "Fitting it again on the latest year",
            Stage::Scoring => "Scoring everyone on the as-of date",
        }
    }
}

/// Fits the model on the practice's history up to `as_of`, validates it on
/// the last year and scores everyone current on `as_of`.
pub fn fit_and_score(
    engine: &Engine,
    pop: &Population,
    as_of: Date,
    settings: &RiskSettings,
) -> Result<RiskModel, RiskError> {
    fit_and_score_reporting(engine, pop, as_of, settings, &mut |_| {})
}

/// [`fit_and_score`], calling `progress` as each [`Stage`] starts.
pub fn fit_and_score_reporting(
    engine: &Engine,
    pop: &Population,
    as_of: Date,
    settings: &RiskSettings,
    progress: &mut dyn FnMut(Stage),
) -> Result<RiskModel, RiskError> {
    tiers::check(&settings.tiers).map_err(RiskError::Settings)?;
    let clusters = EmergencyClusters::new(&engine.clusters).ok_or(RiskError::NoCodelist)?;
    let too_early = || RiskError::AsOfTooEarly(as_of);
    let latest = months_before(as_of, 12).ok_or_else(too_early)?;
    let development = months_before(as_of, 24).ok_or_else(too_early)?;
    let dev_window = (development.succ_opt().ok_or_else(too_early)?, latest);
    let val_window = (latest.succ_opt().ok_or_else(too_early)?, as_of);

    progress(Stage::DevelopmentYear);
    let dev = features::rows(engine, pop, &clusters, development, Some(dev_window));
    enough(&dev, dev_window.1)?;
    progress(Stage::ValidationYear);
    let val = features::rows(engine, pop, &clusters, latest, Some(val_window));
    enough(&val, val_window.1)?;

    progress(Stage::Fitting);
    let validated = fit::fit(&dev).map_err(RiskError::Fit)?;
    progress(Stage::Validating);
    let predicted = validated.score(&val);
    let validation = validate(&predicted, &val.labels);
    progress(Stage::Refitting);
    let scoring = fit::fit(&val).map_err(RiskError::Fit)?;

    progress(Stage::Scoring);
    let now = features::rows(engine, pop, &clusters, as_of, None);
    let probability = scoring.score(&now);
    let ids: Vec<&str> = now.patients.iter().map(|&p| pop.patients[p as usize].id.as_str()).collect();
    let order = tiers::rank(&probability, &ids);
    let (tier_of, counts) = tiers::assign(&order, &settings.tiers);
    let mut scores = vec![None; pop.patients.len()];
    for (position, &row) in order.iter().enumerate() {
        scores[now.patients[row] as usize] =
            Some(Score { percent: round(probability[row] * 100.0, 1), tier: tier_of[row], rank: position as u32 + 1 });
    }
    let ranked: Vec<PatientIdx> = order.iter().map(|&row| now.patients[row]).collect();
    let tiers = tier_table(&settings.tiers, &counts, &ranked, &scores);

    let card = ModelCard {
        model: card::MODEL,
        as_of: as_of.to_string(),
        intended_use: card::INTENDED_USE,
        data: Data {
            source: card::SOURCE,
            practice_population: now.len(),
            development: year(&dev, dev_window),
            validation: year(&val, val_window),
            people_treatment: card::PEOPLE_TREATMENT,
        },
        label: features::LABEL,
        features: TERMS.iter().map(|t| Feature { term: t.id, title: t.title, definition: t.definition }).collect(),
        method: Method {
            description: card::METHOD,
            l2_penalty: fit::L2_PENALTY,
            max_iterations: fit::MAX_ITERATIONS,
            gradient_tolerance_per_row: fit::GRADIENT_TOLERANCE_PER_ROW,
            newton_steps: fit::NEWTON_STEPS,
            min_events: MIN_EVENTS,
            min_events_rule: format!(
                "At least {EVENTS_PER_TERM} people with an emergency admission (and as many without) per model term \
                 ({N_TERMS} terms) in each year"
            ),
        },
        coefficients: coefficients(&scoring, &validated),
        validation,
        tiers,
        caveats: card::CAVEATS.to_vec(),
    };
    Ok(RiskModel { card, scores, ranked })
}

fn enough(rows: &Rows, year_to: Date) -> Result<(), RiskError> {
    let events = rows.events();
    if events < MIN_EVENTS {
        return Err(RiskError::TooFewEvents { events, with_admission: true, year_to });
    }
    if rows.len() - events < MIN_EVENTS {
        return Err(RiskError::TooFewEvents { events: rows.len() - events, with_admission: false, year_to });
    }
    Ok(())
}

fn rate(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        round(part as f64 / whole as f64, 4)
    }
}

fn year(rows: &Rows, (from, to): (Date, Date)) -> Year {
    let events = rows.events();
    Year {
        features_on: rows.reference.to_string(),
        outcome_from: from.to_string(),
        outcome_to: to.to_string(),
        people: rows.len(),
        events,
        event_rate: rate(events, rows.len()),
    }
}

fn validate(predicted: &[f64], labels: &[bool]) -> Validation {
    let n = labels.len();
    let events = labels.iter().filter(|&&l| l).count();
    let mean_predicted = if n == 0 { 0.0 } else { predicted.iter().sum::<f64>() / n as f64 };
    let calibration = metrics::calibration(predicted, labels)
        .into_iter()
        .map(|d| metrics::Decile { mean_predicted: round(d.mean_predicted, 4), observed: round(d.observed, 4), ..d })
        .collect();
    Validation {
        description: card::VALIDATION,
        people: n,
        events,
        // Both years have enough of each kind of person, so these exist.
        auroc: round(metrics::auroc(predicted, labels).unwrap_or(f64::NAN), 4),
        brier: round(metrics::brier(predicted, labels).unwrap_or(f64::NAN), 4),
        observed_rate: rate(events, n),
        mean_predicted: round(mean_predicted, 4),
        calibration,
    }
}

fn coefficients(scoring: &Fitted, validated: &Fitted) -> Vec<Coefficient> {
    let row = |term, title, c: f64, se: Option<f64>, v: f64| Coefficient {
        term,
        title,
        coefficient: c,
        standard_error: se,
        // The usual Wald interval, on the odds-ratio scale.
        odds_ratio: round(math::exp(c), 4),
        odds_ratio_95: se.map(|se| [round(math::exp(c - 1.96 * se), 4), round(math::exp(c + 1.96 * se), 4)]),
        validated_coefficient: v,
    };
    std::iter::once(row("intercept", "Intercept", scoring.intercept, None, validated.intercept))
        .chain(TERMS.iter().enumerate().map(|(i, t)| {
            row(t.id, t.title, scoring.coefficients[i], Some(scoring.standard_errors[i]), validated.coefficients[i])
        }))
        .collect()
}

fn tier_table(percents: &[f64], counts: &[usize], ranked: &[PatientIdx], scores: &[Option<Score>]) -> Vec<Tier> {
    let mut start = 0;
    let mut out = Vec::with_capacity(counts.len());
    for (t, &people) in counts.iter().enumerate() {
        let members = &ranked[start..start + people];
        let percent = |p: &PatientIdx| scores[*p as usize].map_or(0.0, |s| s.percent);
        out.push(Tier {
            tier: t as u8 + 1,
            label: tiers::label(percents, t),
            from_percent: if t == 0 { 0.0 } else { percents[t - 1] },
            to_percent: percents.get(t).copied().unwrap_or(100.0),
            people,
            lowest_score: members.last().map(percent),
            highest_score: members.first().map(percent),
        });
        start += people;
    }
    out
}
