//! Rule files as meant: clusters resolved to ids, settings substituted,
//! windows and comparisons typed. Every problem found here is reported with
//! the file and the path to the offending key, so the evaluator never meets
//! an unknown cluster, a missing setting or a bad window.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Days, Months};
use serde::Serialize;

use super::syntax::*;
use crate::codes::Clusters;
use crate::model::{financial_year_start, ClusterId, Date, EthnicityGroup, Sex, MONTH_NAMES};

/// A problem in a rule file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleError {
    pub file: String,
    /// Path to the key, e.g. `cohort[2].check[0].done.within`.
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for RuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}: {}: {}", self.file, self.path, self.message)
        }
    }
}

impl std::error::Error for RuleError {}

/// A setting value as it would be written in TOML.
pub fn show(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => format!("{s:?}"),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::Array(_) => "a list".into(),
        toml::Value::Table(_) => "a table".into(),
    }
}

/// A time window ending on the as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    Ever,
    Days(u32),
    Weeks(u32),
    Months(u32),
    Years(u32),
    /// From 1 April of the financial year containing the as-of date.
    FinancialYear,
    /// From the latest given day of the year on or before the as-of date,
    /// e.g. a flu season from 1 September.
    SinceDayOfYear {
        month: u32,
        day: u32,
    },
    /// From a fixed date, e.g. the start of a vaccination campaign.
    SinceDate(#[serde(serialize_with = "iso_date")] Date),
}

impl Window {
    pub fn parse(text: &str) -> Option<Window> {
        let text = text.trim().to_ascii_lowercase();
        match text.as_str() {
            "ever" | "any time" => return Some(Window::Ever),
            "financial_year" | "financial year" => return Some(Window::FinancialYear),
            _ => {}
        }
        if let Some(since) = text.strip_prefix("since ") {
            return Window::parse_since(since.trim());
        }
        let (n, unit) = text.split_once(' ')?;
        let n: u32 = n.parse().ok().filter(|&n| n > 0)?;
        Some(match unit.trim().trim_end_matches('s') {
            "day" => Window::Days(n),
            "week" => Window::Weeks(n),
            "month" => Window::Months(n),
            "year" => Window::Years(n),
            _ => return None,
        })
    }

    /// "2026-10-01", or a day of the year such as "1 september".
    fn parse_since(text: &str) -> Option<Window> {
        if let Ok(date) = text.parse::<Date>() {
            return Some(Window::SinceDate(date));
        }
        let (day, month) = text.split_once(' ')?;
        let day: u32 = day.parse().ok()?;
        let month = MONTH_NAMES.iter().position(|m| month.trim() == *m || month.trim() == &m[..3])? as u32 + 1;
        // Any year with 29 February accepts every real day of the year.
        Date::from_ymd_opt(2024, month, day)?;
        Some(Window::SinceDayOfYear { month, day })
    }

    /// The first date inside the window, or `None` for "ever". A window of
    /// N months ending on 31 March 2026 starts on 1 April 2025, as in QOF's
    /// "in the preceding 12 months".
    pub fn start(self, as_of: Date) -> Option<Date> {
        let after = |d: Option<Date>| d.and_then(|d| d.checked_add_days(Days::new(1)));
        match self {
            Window::Ever => None,
            Window::Days(n) => after(as_of.checked_sub_days(Days::new(n as u64))),
            Window::Weeks(n) => after(as_of.checked_sub_days(Days::new(7 * n as u64))),
            Window::Months(n) => after(as_of.checked_sub_months(Months::new(n))),
            Window::Years(n) => after(as_of.checked_sub_months(Months::new(12 * n))),
            Window::FinancialYear => Some(financial_year_start(as_of)),
            Window::SinceDayOfYear { month, day } => {
                let on = |year: i32| {
                    // 29 February in a common year falls back to 1 March.
                    Date::from_ymd_opt(year, month, day).or_else(|| Date::from_ymd_opt(year, 3, 1))
                };
                let this_year = on(as_of.year())?;
                if this_year <= as_of {
                    Some(this_year)
                } else {
                    on(as_of.year() - 1)
                }
            }
            Window::SinceDate(date) => Some(date),
        }
    }

    pub fn describe(self) -> String {
        let plural = |n: u32, unit: &str| if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") };
        match self {
            Window::Ever => "ever".into(),
            Window::Days(n) => format!("in the last {}", plural(n, "day")),
            Window::Weeks(n) => format!("in the last {}", plural(n, "week")),
            Window::Months(n) => format!("in the last {}", plural(n, "month")),
            Window::Years(n) => format!("in the last {}", plural(n, "year")),
            Window::FinancialYear => "this financial year".into(),
            Window::SinceDayOfYear { month, day } => {
                format!("since {day} {}", capitalise(MONTH_NAMES[month as usize - 1]))
            }
            Window::SinceDate(date) => format!("since {}", date.format("%d/%m/%Y")),
        }
    }
}

fn iso_date<S: serde::Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&date.format("%Y-%m-%d"))
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Compare {
    Below,
    AtOrBelow,
    AtOrAbove,
    Above,
}

impl Compare {
    fn parse(text: &str) -> Option<Compare> {
        Some(match text.trim() {
            "below" | "<" => Compare::Below,
            "at_or_below" | "<=" => Compare::AtOrBelow,
            "at_or_above" | ">=" => Compare::AtOrAbove,
            "above" | ">" => Compare::Above,
            _ => return None,
        })
    }

    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Compare::Below => value < threshold,
            Compare::AtOrBelow => value <= threshold,
            Compare::AtOrAbove => value >= threshold,
            Compare::Above => value > threshold,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Compare::Below => "<",
            Compare::AtOrBelow => "≤",
            Compare::AtOrAbove => "≥",
            Compare::Above => ">",
        }
    }
}

/// eFI categories, in order of severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EfiCategory {
    Fit,
    Mild,
    Moderate,
    Severe,
}

impl EfiCategory {
    pub const ALL: [EfiCategory; 4] = [EfiCategory::Fit, EfiCategory::Mild, EfiCategory::Moderate, EfiCategory::Severe];

    fn parse(text: &str) -> Option<EfiCategory> {
        Some(match text {
            "fit" => EfiCategory::Fit,
            "mild" => EfiCategory::Mild,
            "moderate" => EfiCategory::Moderate,
            "severe" => EfiCategory::Severe,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            EfiCategory::Fit => "fit",
            EfiCategory::Mild => "mild",
            EfiCategory::Moderate => "moderate",
            EfiCategory::Severe => "severe",
        }
    }
}

/// Index of a criterion's label in [`Plan::labels`].
pub type LabelId = u32;

/// A typed criterion.
#[derive(Debug, Clone)]
pub enum Criterion {
    Coded {
        label: LabelId,
        clusters: Vec<ClusterId>,
        window: Window,
        value: Option<(Compare, f64)>,
        count_at_least: u32,
        on_or_after_latest: Option<ClusterId>,
    },
    Register {
        label: LabelId,
        diagnosis: ClusterId,
        resolved: Vec<ClusterId>,
        window: Window,
    },
    /// `clusters` are the systolic and diastolic value clusters.
    LatestBp {
        label: LabelId,
        clusters: (ClusterId, ClusterId),
        systolic: f64,
        diastolic: f64,
        compare: Compare,
        window: Window,
    },
    Age {
        label: LabelId,
        min: Option<i32>,
        max: Option<i32>,
    },
    Sex {
        label: LabelId,
        sex: Sex,
    },
    ImdDecile {
        label: LabelId,
        deciles: Vec<u8>,
    },
    Ethnicity {
        label: LabelId,
        groups: Vec<EthnicityGroup>,
    },
    Cohort {
        index: usize,
    },
    Efi {
        label: LabelId,
        at_least: EfiCategory,
    },
    /// The person's QRISK3 (computed or recorded) compared with a threshold in percent.
    Qrisk {
        label: LabelId,
        compare: Compare,
        threshold: f64,
    },
    All(Vec<Criterion>),
    Any(Vec<Criterion>),
    Not {
        label: LabelId,
        inner: Box<Criterion>,
    },
    Always {
        label: LabelId,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CohortKind {
    Register,
    Worklist,
    /// A fact shown beside every list (Core20, PLUS, current smoker), not a list of its own.
    Flag,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Members {
    Eligible,
    MissingChecks,
}

#[derive(Debug, Clone)]
pub struct CheckPlan {
    pub id: String,
    pub title: String,
    pub done: Criterion,
    /// Whom the check applies to (everyone eligible if `None`).
    pub applies: Option<Criterion>,
    pub required: bool,
}

#[derive(Debug, Clone)]
pub struct CohortPlan {
    pub id: String,
    pub title: String,
    pub description: String,
    pub source: String,
    pub kind: CohortKind,
    pub eligible: Criterion,
    pub checks: Vec<CheckPlan>,
    pub members: Members,
    /// Whether its members join the priority list.
    pub priority: bool,
    /// The name of the rule file that defines it.
    pub file: String,
}

#[derive(Debug, Clone)]
pub struct SegmentPlan {
    pub id: String,
    pub title: String,
    pub description: String,
    pub when: Criterion,
}

#[derive(Debug, Clone)]
pub struct DeficitPlan {
    pub id: String,
    pub title: String,
    pub cluster: ClusterId,
}

#[derive(Debug, Clone)]
pub struct EfiPlan {
    pub min_age: i32,
    pub polypharmacy_min_medicines: u32,
    pub polypharmacy_window: Window,
    pub polypharmacy_title: String,
    pub fit_max: u32,
    pub mild_max: u32,
    pub moderate_max: u32,
    pub source: String,
    pub deficits: Vec<DeficitPlan>,
}

impl EfiPlan {
    /// Coded deficits plus polypharmacy.
    pub fn deficit_count(&self) -> usize {
        self.deficits.len() + 1
    }

    pub fn category(&self, deficits: u32) -> EfiCategory {
        if deficits <= self.fit_max {
            EfiCategory::Fit
        } else if deficits <= self.mild_max {
            EfiCategory::Mild
        } else if deficits <= self.moderate_max {
            EfiCategory::Moderate
        } else {
            EfiCategory::Severe
        }
    }
}

/// Where each QRISK3 input comes from; see [`crate::risk::qrisk`].
#[derive(Debug, Clone)]
pub struct Qrisk3Plan {
    pub source: String,
    pub measurements_window: Window,
    pub medication_window: Window,
    pub bmi: ClusterId,
    pub systolic_bp: ClusterId,
    pub cholesterol_hdl_ratio: ClusterId,
    pub total_cholesterol: ClusterId,
    pub hdl_cholesterol: ClusterId,
    pub current_smoker: ClusterId,
    pub ex_smoker: ClusterId,
    pub smoking_status: ClusterId,
    pub cvd: Vec<ClusterId>,
    pub atrial_fibrillation: ClusterId,
    pub atypical_antipsychotic: Option<ClusterId>,
    pub corticosteroids: Option<ClusterId>,
    pub erectile_dysfunction: Option<ClusterId>,
    pub migraine: Option<ClusterId>,
    pub rheumatoid_arthritis: ClusterId,
    pub ckd_3_to_5: ClusterId,
    pub severe_mental_illness: ClusterId,
    pub sle: Option<ClusterId>,
    pub hypertension: ClusterId,
    pub hypertension_resolved: ClusterId,
    pub diabetes_type1: ClusterId,
    pub diabetes_type2: ClusterId,
    pub family_history_chd: Option<ClusterId>,
    pub recorded_score: ClusterId,
}

/// A setting's resolved value with its description, as reported.
#[derive(Debug, Clone, Serialize)]
pub struct SettingValue {
    pub title: String,
    pub value: toml::Value,
    pub default: toml::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Everything the evaluator runs.
#[derive(Debug, Clone)]
pub struct Plan {
    pub cohorts: Vec<CohortPlan>,
    /// In order of precedence: a person goes to the first that matches.
    pub segments: Vec<SegmentPlan>,
    pub efi: EfiPlan,
    pub qrisk3: Option<Qrisk3Plan>,
    pub labels: Vec<String>,
    pub settings: BTreeMap<String, SettingValue>,
    /// Clusters any rule reads; the per-patient index holds only these.
    pub used_clusters: Vec<bool>,
}

/// Builds a [`Plan`] from parsed rule files, collecting every error.
pub(crate) struct Planner<'a> {
    clusters: &'a Clusters,
    settings: BTreeMap<String, SettingValue>,
    cohort_index: HashMap<String, usize>,
    labels: Vec<String>,
    used_clusters: Vec<bool>,
    errors: Vec<RuleError>,
    file: String,
    qrisk3: Option<Qrisk3Plan>,
}

impl<'a> Planner<'a> {
    pub fn new(clusters: &'a Clusters, settings: BTreeMap<String, SettingValue>) -> Self {
        Planner {
            clusters,
            settings,
            cohort_index: HashMap::new(),
            labels: Vec::new(),
            used_clusters: vec![false; clusters.len()],
            errors: Vec::new(),
            file: String::new(),
            qrisk3: None,
        }
    }

    pub fn set_file(&mut self, file: &str) {
        self.file = file.to_owned();
    }

    pub fn error(&mut self, path: &str, message: impl Into<String>) {
        self.errors.push(RuleError { file: self.file.clone(), path: path.to_owned(), message: message.into() });
    }

    pub fn finish(
        self,
        cohorts: Vec<CohortPlan>,
        segments: Vec<SegmentPlan>,
        efi: Option<EfiPlan>,
    ) -> Result<Plan, Vec<RuleError>> {
        let mut errors = self.errors;
        let Some(efi) = efi else {
            errors.push(RuleError { file: "rules".into(), path: String::new(), message: "no [efi] definition".into() });
            return Err(errors);
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Plan {
            cohorts,
            segments,
            efi,
            qrisk3: self.qrisk3,
            labels: self.labels,
            settings: self.settings,
            used_clusters: self.used_clusters,
        })
    }

    fn label(&mut self, text: String) -> LabelId {
        self.labels.push(text);
        (self.labels.len() - 1) as LabelId
    }

    fn cluster(&mut self, path: &str, name: &str) -> Option<ClusterId> {
        match self.clusters.id(name) {
            Some(id) => {
                self.used_clusters[id as usize] = true;
                Some(id)
            }
            None => {
                self.error(path, format!("unknown cluster '{name}'"));
                None
            }
        }
    }

    fn cluster_title(&self, id: ClusterId) -> String {
        self.clusters.get(id).title.clone()
    }

    /// Looks up `"$name"` in the settings; other text is returned as is.
    fn setting(&mut self, path: &str, text: &str) -> Option<toml::Value> {
        match text.strip_prefix('$') {
            Some(name) => match self.settings.get(name) {
                Some(s) => Some(s.value.clone()),
                None => {
                    self.error(path, format!("unknown setting '${name}'"));
                    None
                }
            },
            None => Some(toml::Value::String(text.to_owned())),
        }
    }

    fn number(&mut self, path: &str, n: &NumberOrSetting) -> Option<f64> {
        match n {
            NumberOrSetting::Number(x) => Some(*x),
            NumberOrSetting::Setting(text) => match self.setting(path, text)? {
                toml::Value::Integer(i) => Some(i as f64),
                toml::Value::Float(f) => Some(f),
                other => {
                    self.error(path, format!("expected a number, found {}", show(&other)));
                    None
                }
            },
        }
    }

    fn whole(&mut self, path: &str, n: &NumberOrSetting) -> Option<i32> {
        let x = self.number(path, n)?;
        if x.fract() != 0.0 || !(0.0..=200.0).contains(&x) {
            self.error(path, format!("expected a whole number from 0 to 200, found {x}"));
            return None;
        }
        Some(x as i32)
    }

    fn text(&mut self, path: &str, text: &str) -> Option<String> {
        match self.setting(path, text)? {
            toml::Value::String(s) => Some(s),
            other => {
                self.error(path, format!("expected text, found {}", show(&other)));
                None
            }
        }
    }

    pub fn window(&mut self, path: &str, within: Option<&str>) -> Window {
        let Some(within) = within else { return Window::Ever };
        let Some(text) = self.text(path, within) else { return Window::Ever };
        Window::parse(&text).unwrap_or_else(|| {
            self.error(
                path,
                format!("'{text}' is not a window (use \"ever\", \"financial_year\" or e.g. \"12 months\", \"5 years\", \"42 weeks\")"),
            );
            Window::Ever
        })
    }

    pub fn cohort(&mut self, path: &str, c: &CohortSyntax) -> Option<CohortPlan> {
        if self.cohort_index.contains_key(&c.id) {
            self.error(&format!("{path}.id"), format!("cohort '{}' is defined twice", c.id));
            return None;
        }
        let kind = match c.kind.as_deref() {
            None | Some("worklist") => CohortKind::Worklist,
            Some("register") => CohortKind::Register,
            Some("flag") => CohortKind::Flag,
            Some(other) => {
                self.error(&format!("{path}.kind"), format!("'{other}' is not a kind (register, worklist or flag)"));
                CohortKind::Worklist
            }
        };
        let members = match c.members.as_deref() {
            None | Some("eligible") => Members::Eligible,
            Some("missing_checks") => Members::MissingChecks,
            Some(other) => {
                self.error(
                    &format!("{path}.members"),
                    format!("'{other}' is not a member rule (eligible or missing_checks)"),
                );
                Members::Eligible
            }
        };
        if members == Members::MissingChecks && !c.check.iter().any(|k| k.required.unwrap_or(true)) {
            self.error(&format!("{path}.members"), "missing_checks needs at least one required check");
        }
        let eligible = self.criterion(&format!("{path}.eligible"), &c.eligible);
        let mut checks = Vec::new();
        for (i, k) in c.check.iter().enumerate() {
            let done = self.criterion(&format!("{path}.check[{i}].done"), &k.done);
            let applies = k.applies.as_ref().map(|a| self.criterion(&format!("{path}.check[{i}].applies"), a));
            checks.push(CheckPlan {
                id: k.id.clone(),
                title: k.title.clone(),
                done,
                applies,
                required: k.required.unwrap_or(true),
            });
        }
        // Registered only after its own criteria, so a cohort cannot refer to itself.
        let index = self.cohort_index.len();
        self.cohort_index.insert(c.id.clone(), index);
        Some(CohortPlan {
            id: c.id.clone(),
            title: c.title.clone(),
            description: c.description.clone().unwrap_or_default(),
            source: c.source.clone().unwrap_or_default(),
            kind,
            eligible,
            checks,
            members,
            priority: c.priority.unwrap_or(kind == CohortKind::Worklist),
            file: self.file.clone(),
        })
    }

    pub fn criterion(&mut self, path: &str, c: &CriterionSyntax) -> Criterion {
        let kinds: Vec<&str> = [
            ("coded", c.coded.is_some()),
            ("register", c.register.is_some()),
            ("latest_bp", c.latest_bp.is_some()),
            ("age", c.age_min.is_some() || c.age_max.is_some()),
            ("sex", c.sex.is_some()),
            ("imd_decile", c.imd_decile.is_some()),
            ("ethnicity", c.ethnicity.is_some()),
            ("cohort", c.cohort.is_some()),
            ("any_cohort", c.any_cohort.is_some()),
            ("efi", c.efi.is_some()),
            ("qrisk", c.qrisk.is_some()),
            ("all", c.all.is_some()),
            ("any", c.any.is_some()),
            ("not", c.not.is_some()),
            ("always", c.always.is_some()),
        ]
        .into_iter()
        .filter_map(|(k, present)| present.then_some(k))
        .collect();
        let always = |p: &mut Self| Criterion::Always { label: p.label(String::new()) };
        let [kind] = kinds.as_slice() else {
            if kinds.is_empty() {
                self.error(path, "a criterion needs one of: coded, register, latest_bp, age_min/age_max, sex, imd_decile, ethnicity, cohort, any_cohort, efi, qrisk, all, any, not, always");
            } else {
                self.error(path, format!("a criterion has one kind, found {}", kinds.join(" and ")));
            }
            return always(self);
        };
        let allowed: &[&str] = match *kind {
            "coded" => &["within", "value", "count_at_least", "on_or_after_latest"],
            "register" => &["resolved", "within"],
            "latest_bp" => &["within", "compare"],
            _ => &[],
        };
        for (modifier, present) in [
            ("within", c.within.is_some()),
            ("value", c.value.is_some()),
            ("count_at_least", c.count_at_least.is_some()),
            ("on_or_after_latest", c.on_or_after_latest.is_some()),
            ("resolved", c.resolved.is_some()),
            ("compare", c.compare.is_some()),
        ] {
            if present && !allowed.contains(&modifier) {
                self.error(path, format!("'{modifier}' does not apply to a '{kind}' criterion"));
            }
        }
        let window = self.window(&format!("{path}.within"), c.within.as_deref());
        match *kind {
            "coded" => self.coded(path, c, window),
            "register" => {
                let name = c.register.as_deref().unwrap_or_default();
                let diagnosis = self.cluster(&format!("{path}.register"), name);
                let resolved: Vec<ClusterId> =
                    c.resolved.iter().flatten().filter_map(|r| self.cluster(&format!("{path}.resolved"), r)).collect();
                let Some(diagnosis) = diagnosis else { return always(self) };
                let text = c.label.clone().unwrap_or_else(|| {
                    let mut t = format!("{} not resolved", self.cluster_title(diagnosis));
                    if window != Window::Ever {
                        t = format!("{t}, {}", window.describe());
                    }
                    t
                });
                Criterion::Register { label: self.label(text), diagnosis, resolved, window }
            }
            "latest_bp" => {
                let [s, d] = c.latest_bp.as_ref().unwrap();
                let systolic = self.number(&format!("{path}.latest_bp"), s);
                let diastolic = self.number(&format!("{path}.latest_bp"), d);
                let compare_text = c
                    .compare
                    .as_deref()
                    .map(|t| self.text(&format!("{path}.compare"), t))
                    .unwrap_or(Some("at_or_above".into()));
                let compare = compare_text.and_then(|t| {
                    Compare::parse(&t).or_else(|| {
                        self.error(
                            &format!("{path}.compare"),
                            format!("'{t}' is not a comparison (below, at_or_below, at_or_above, above)"),
                        );
                        None
                    })
                });
                let sys_cluster = self.cluster(path, "systolic_bp");
                let dia_cluster = self.cluster(path, "diastolic_bp");
                let (Some(systolic), Some(diastolic), Some(compare), Some(sc), Some(dc)) =
                    (systolic, diastolic, compare, sys_cluster, dia_cluster)
                else {
                    return always(self);
                };
                let joiner =
                    if matches!(compare, Compare::Below | Compare::AtOrBelow) { "" } else { " (either value)" };
                let text = c.label.clone().unwrap_or_else(|| {
                    format!("Latest blood pressure {} {systolic}/{diastolic}{joiner}", compare.symbol())
                });
                Criterion::LatestBp {
                    label: self.label(text),
                    clusters: (sc, dc),
                    systolic,
                    diastolic,
                    compare,
                    window,
                }
            }
            "age" => {
                let min = c.age_min.as_ref().and_then(|n| self.whole(&format!("{path}.age_min"), n));
                let max = c.age_max.as_ref().and_then(|n| self.whole(&format!("{path}.age_max"), n));
                let text = c.label.clone().unwrap_or_else(|| match (min, max) {
                    (Some(a), Some(b)) => format!("Aged {a} to {b}"),
                    (Some(a), None) => format!("Aged {a} or over"),
                    (None, Some(b)) => format!("Aged {b} or under"),
                    (None, None) => "Any age".into(),
                });
                Criterion::Age { label: self.label(text), min, max }
            }
            "sex" => {
                let sex = match c.sex.as_deref().map(str::to_ascii_lowercase).as_deref() {
                    Some("female") => Sex::Female,
                    Some("male") => Sex::Male,
                    other => {
                        self.error(
                            &format!("{path}.sex"),
                            format!("'{}' is not a sex (female or male)", other.unwrap_or_default()),
                        );
                        Sex::Unknown
                    }
                };
                let text = c.label.clone().unwrap_or_else(|| format!("Sex {}", sex.label()));
                Criterion::Sex { label: self.label(text), sex }
            }
            "imd_decile" => {
                let deciles = c.imd_decile.clone().unwrap_or_default();
                if deciles.is_empty() || deciles.iter().any(|d| !(1..=10).contains(d)) {
                    self.error(&format!("{path}.imd_decile"), "IMD deciles are whole numbers from 1 to 10");
                }
                let list: Vec<String> = deciles.iter().map(u8::to_string).collect();
                let text = c.label.clone().unwrap_or_else(|| format!("IMD decile {}", list.join(", ")));
                Criterion::ImdDecile { label: self.label(text), deciles }
            }
            "ethnicity" => {
                let mut groups = Vec::new();
                for g in c.ethnicity.iter().flatten() {
                    match EthnicityGroup::from_id(g) {
                        Some(e) => groups.push(e),
                        None => self.error(
                            &format!("{path}.ethnicity"),
                            format!("'{g}' is not an ethnic group (white, mixed, asian, black, other, not_recorded)"),
                        ),
                    }
                }
                let names: Vec<&str> = groups.iter().map(|g| g.label()).collect();
                let text = c.label.clone().unwrap_or_else(|| format!("Ethnic group: {}", names.join(", ")));
                Criterion::Ethnicity { label: self.label(text), groups }
            }
            "cohort" => {
                let name = c.cohort.as_deref().unwrap_or_default();
                match self.cohort_index.get(name) {
                    Some(&index) => Criterion::Cohort { index },
                    None => {
                        self.error(
                            &format!("{path}.cohort"),
                            format!("no cohort '{name}' is defined before this point"),
                        );
                        always(self)
                    }
                }
            }
            "any_cohort" => {
                let path = format!("{path}.any_cohort");
                let text = self.text(&path, c.any_cohort.as_deref().unwrap_or_default()).unwrap_or_default();
                let mut items = Vec::new();
                for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    match self.cohort_index.get(name) {
                        Some(&index) => items.push(Criterion::Cohort { index }),
                        None => self.error(&path, format!("no cohort '{name}' is defined before this point")),
                    }
                }
                if items.is_empty() {
                    self.error(&path, "no cohorts named");
                }
                Criterion::Any(items)
            }
            "efi" => {
                let text = c.efi.clone().unwrap_or_default();
                let at_least = EfiCategory::parse(&text).unwrap_or_else(|| {
                    self.error(
                        &format!("{path}.efi"),
                        format!("'{text}' is not an eFI category (mild, moderate, severe)"),
                    );
                    EfiCategory::Severe
                });
                let label = c
                    .label
                    .clone()
                    .unwrap_or_else(|| format!("Electronic frailty index {} or worse", at_least.label()));
                Criterion::Efi { label: self.label(label), at_least }
            }
            "qrisk" => {
                if self.qrisk3.is_none() {
                    self.error(&format!("{path}.qrisk"), "qrisk needs a [qrisk3] definition in one of the rule files");
                }
                let text = c.qrisk.clone().unwrap_or_default();
                let Some((compare, threshold)) = self.comparison(&format!("{path}.qrisk"), &text) else {
                    return always(self);
                };
                let label = c.label.clone().unwrap_or_else(|| format!("QRISK {} {threshold}%", compare.symbol()));
                Criterion::Qrisk { label: self.label(label), compare, threshold }
            }
            "all" | "any" => {
                let list = if *kind == "all" { c.all.as_ref() } else { c.any.as_ref() }.unwrap();
                if list.is_empty() {
                    self.error(&format!("{path}.{kind}"), "an empty list");
                }
                let items =
                    list.iter().enumerate().map(|(i, x)| self.criterion(&format!("{path}.{kind}[{i}]"), x)).collect();
                if *kind == "all" {
                    Criterion::All(items)
                } else {
                    Criterion::Any(items)
                }
            }
            "not" => {
                let inner = self.criterion(&format!("{path}.not"), c.not.as_ref().unwrap());
                let text = c.label.clone().unwrap_or_else(|| format!("Not: {}", self.describe(&inner)));
                Criterion::Not { label: self.label(text), inner: Box::new(inner) }
            }
            _ => {
                if c.always != Some(true) {
                    self.error(&format!("{path}.always"), "always must be true");
                }
                let text = c.label.clone().unwrap_or_default();
                Criterion::Always { label: self.label(text) }
            }
        }
    }

    fn coded(&mut self, path: &str, c: &CriterionSyntax, window: Window) -> Criterion {
        let names = c.coded.clone().unwrap_or_default();
        if names.is_empty() {
            self.error(&format!("{path}.coded"), "an empty list of clusters");
        }
        let clusters: Vec<ClusterId> = names.iter().filter_map(|n| self.cluster(&format!("{path}.coded"), n)).collect();
        let value = c.value.as_deref().and_then(|v| self.comparison(&format!("{path}.value"), v));
        let count_at_least = c
            .count_at_least
            .as_ref()
            .and_then(|n| self.whole(&format!("{path}.count_at_least"), n))
            .map(|n| n.max(1) as u32)
            .unwrap_or(1);
        let on_or_after_latest =
            c.on_or_after_latest.as_deref().and_then(|n| self.cluster(&format!("{path}.on_or_after_latest"), n));
        let text = c.label.clone().unwrap_or_else(|| {
            let titles: Vec<String> = clusters.iter().map(|&id| self.cluster_title(id)).collect();
            let mut t = titles.join(" or ");
            if count_at_least > 1 {
                t = format!("{count_at_least} or more: {t}");
            }
            if let Some((cmp, x)) = value {
                t = format!("{t}, latest value {} {x}", cmp.symbol());
            }
            if window != Window::Ever {
                t = format!("{t}, {}", window.describe());
            }
            t
        });
        Criterion::Coded { label: self.label(text), clusters, window, value, count_at_least, on_or_after_latest }
    }

    /// A comparison with a number or a setting, such as ">= 7.5" or ">= $x".
    fn comparison(&mut self, path: &str, text: &str) -> Option<(Compare, f64)> {
        let v = text.trim();
        let split = v.find(|ch: char| !matches!(ch, '<' | '>' | '=')).unwrap_or(v.len());
        let (op, rest) = v.split_at(split);
        let cmp = Compare::parse(op);
        let rest = rest.trim();
        let threshold = if rest.starts_with('$') {
            self.number(path, &NumberOrSetting::Setting(rest.into()))
        } else {
            rest.parse::<f64>().ok()
        };
        match (cmp, threshold) {
            (Some(cmp), Some(t)) => Some((cmp, t)),
            _ => {
                self.error(path, format!("'{v}' is not a comparison such as \">= 7.5\""));
                None
            }
        }
    }

    /// A short description of a criterion, for generated labels.
    fn describe(&self, c: &Criterion) -> String {
        match c {
            Criterion::Coded { label, .. }
            | Criterion::Register { label, .. }
            | Criterion::LatestBp { label, .. }
            | Criterion::Age { label, .. }
            | Criterion::Sex { label, .. }
            | Criterion::ImdDecile { label, .. }
            | Criterion::Ethnicity { label, .. }
            | Criterion::Efi { label, .. }
            | Criterion::Qrisk { label, .. }
            | Criterion::Not { label, .. }
            | Criterion::Always { label } => self.labels[*label as usize].clone(),
            Criterion::Cohort { index } => {
                let id =
                    self.cohort_index.iter().find(|(_, &i)| i == *index).map(|(k, _)| k.clone()).unwrap_or_default();
                format!("cohort {id}")
            }
            Criterion::All(items) => items.iter().map(|i| self.describe(i)).collect::<Vec<_>>().join(" and "),
            Criterion::Any(items) => items.iter().map(|i| self.describe(i)).collect::<Vec<_>>().join(" or "),
        }
    }

    pub fn segment(&mut self, path: &str, s: &SegmentSyntax) -> SegmentPlan {
        SegmentPlan {
            id: s.id.clone(),
            title: s.title.clone(),
            description: s.description.clone().unwrap_or_default(),
            when: self.criterion(&format!("{path}.when"), &s.when),
        }
    }

    pub fn qrisk3(&mut self, q: &Qrisk3Syntax) {
        if self.qrisk3.is_some() {
            self.error("qrisk3", "QRISK3 is defined in more than one file");
            return;
        }
        let measurements_window = self.window("qrisk3.measurements_within", Some(&q.measurements_within));
        let medication_window = self.window("qrisk3.medication_within", Some(&q.medication_within));
        let before = self.errors.len();
        let mut c = |key: &str, name: &str| self.cluster(&format!("qrisk3.{key}"), name).unwrap_or(0);
        let plan = Qrisk3Plan {
            source: q.source.clone(),
            measurements_window,
            medication_window,
            bmi: c("bmi", &q.bmi),
            systolic_bp: c("systolic_bp", &q.systolic_bp),
            cholesterol_hdl_ratio: c("cholesterol_hdl_ratio", &q.cholesterol_hdl_ratio),
            total_cholesterol: c("total_cholesterol", &q.total_cholesterol),
            hdl_cholesterol: c("hdl_cholesterol", &q.hdl_cholesterol),
            current_smoker: c("current_smoker", &q.current_smoker),
            ex_smoker: c("ex_smoker", &q.ex_smoker),
            smoking_status: c("smoking_status", &q.smoking_status),
            cvd: q.cvd.iter().map(|n| c("cvd", n)).collect(),
            atrial_fibrillation: c("atrial_fibrillation", &q.atrial_fibrillation),
            atypical_antipsychotic: q.atypical_antipsychotic.as_deref().map(|n| c("atypical_antipsychotic", n)),
            corticosteroids: q.corticosteroids.as_deref().map(|n| c("corticosteroids", n)),
            erectile_dysfunction: q.erectile_dysfunction.as_deref().map(|n| c("erectile_dysfunction", n)),
            migraine: q.migraine.as_deref().map(|n| c("migraine", n)),
            rheumatoid_arthritis: c("rheumatoid_arthritis", &q.rheumatoid_arthritis),
            ckd_3_to_5: c("ckd_3_to_5", &q.ckd_3_to_5),
            severe_mental_illness: c("severe_mental_illness", &q.severe_mental_illness),
            sle: q.sle.as_deref().map(|n| c("sle", n)),
            hypertension: c("hypertension", &q.hypertension),
            hypertension_resolved: c("hypertension_resolved", &q.hypertension_resolved),
            diabetes_type1: c("diabetes_type1", &q.diabetes_type1),
            diabetes_type2: c("diabetes_type2", &q.diabetes_type2),
            family_history_chd: q.family_history_chd.as_deref().map(|n| c("family_history_chd", n)),
            recorded_score: c("recorded_score", &q.recorded_score),
        };
        if self.errors.len() == before {
            self.qrisk3 = Some(plan);
        }
    }

    pub fn efi(&mut self, e: &EfiSyntax) -> EfiPlan {
        let min_age = self.whole("efi.min_age", &e.min_age).unwrap_or(65);
        let poly = self.whole("efi.polypharmacy_min_medicines", &e.polypharmacy_min_medicines).unwrap_or(5);
        let polypharmacy_window = self.window("efi.polypharmacy_within", Some(&e.polypharmacy_within));
        if !(e.fit_max < e.mild_max && e.mild_max < e.moderate_max) {
            self.error("efi", "fit_max < mild_max < moderate_max must hold");
        }
        let deficits = e
            .deficit
            .iter()
            .enumerate()
            .filter_map(|(i, d)| {
                let cluster = self.cluster(&format!("efi.deficit[{i}].cluster"), &d.cluster)?;
                Some(DeficitPlan { id: d.id.clone(), title: d.title.clone(), cluster })
            })
            .collect();
        EfiPlan {
            min_age,
            polypharmacy_min_medicines: poly as u32,
            polypharmacy_window,
            polypharmacy_title: e.polypharmacy_title.clone(),
            fit_max: e.fit_max,
            mild_max: e.mild_max,
            moderate_max: e.moderate_max,
            source: e.source.clone(),
            deficits,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> Date {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn windows_parse_and_start_where_qof_starts_them() {
        assert_eq!(Window::parse("12 months"), Some(Window::Months(12)));
        assert_eq!(Window::parse("1 year"), Some(Window::Years(1)));
        assert_eq!(Window::parse("42 Weeks"), Some(Window::Weeks(42)));
        assert_eq!(Window::parse("financial_year"), Some(Window::FinancialYear));
        assert_eq!(Window::parse("0 months"), None);
        assert_eq!(Window::parse("fortnight"), None);
        assert_eq!(Window::Months(12).start(d(2026, 3, 31)), Some(d(2025, 4, 1)));
        assert_eq!(Window::Years(5).start(d(2026, 11, 23)), Some(d(2021, 11, 24)));
        assert_eq!(Window::Weeks(6).start(d(2026, 11, 23)), Some(d(2026, 10, 13)));
        assert_eq!(Window::FinancialYear.start(d(2026, 3, 31)), Some(d(2025, 4, 1)));
        assert_eq!(Window::Ever.start(d(2026, 3, 31)), None);
    }

    #[test]
    fn since_windows_start_on_the_latest_such_day_or_a_fixed_date() {
        let season = Window::parse("since 1 September").unwrap();
        assert_eq!(season, Window::SinceDayOfYear { month: 9, day: 1 });
        assert_eq!(season.start(d(2026, 11, 23)), Some(d(2026, 9, 1)));
        assert_eq!(season.start(d(2026, 9, 1)), Some(d(2026, 9, 1)));
        assert_eq!(season.start(d(2026, 8, 31)), Some(d(2025, 9, 1)));
        assert_eq!(season.describe(), "since 1 September");
        assert_eq!(Window::parse("since 29 feb").unwrap().start(d(2026, 3, 5)), Some(d(2026, 3, 1)));
        assert_eq!(Window::parse("since 2026-10-01"), Some(Window::SinceDate(d(2026, 10, 1))));
        assert_eq!(Window::parse("since 31 june"), None);
        assert_eq!(Window::parse("since yesterday"), None);
    }

    #[test]
    fn comparisons_hold_at_their_edges() {
        assert!(!Compare::Below.holds(140.0, 140.0));
        assert!(Compare::AtOrBelow.holds(140.0, 140.0));
        assert!(Compare::AtOrAbove.holds(140.0, 140.0));
        assert!(!Compare::Above.holds(140.0, 140.0));
    }
}
