//! Cohort Finder: cohort finding and risk stratification for English
//! primary care, from a practice's own export, on the practice's own machine.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! ingest ──► model::Population ◄── codes (clusters)
//!                  │
//!                  ▼   record: one patient's events on the as-of date, by cluster
//!               analysis ─► risk::efi   electronic frailty index
//!                  │       ─► rules     cohorts: eligibility, checks, reasons
//!                  │       ─► segments  one of nine segments per person
//!                  ▼
//!               report   counts, breakdowns, worklists; JSON and CSV
//!                  │
//!                  ▼
//!               compare  practice summaries (disclosed to share), practices
//!                        side by side with funnel plots, list changes
//! ```
//!
//! Start at [`run`]. [`synth`] makes deterministic synthetic practices.

pub mod analysis;
pub mod codes;
pub mod compare;
pub mod ingest;
pub mod math;
pub mod model;
pub mod record;
pub mod report;
pub mod risk;
pub mod rules;
pub mod synth;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
#[cfg(target_arch = "wasm32")]
pub mod wasm_panic;

use std::sync::Arc;

use codes::{Clusters, CodelistError};
use ingest::{ColumnMapping, FileReport, Loader};
use model::{Date, Population};
use report::Report;
use rules::{Plan, RuleError, RuleOptions, RuleSource};

/// A codelist that replaces a built-in cluster's codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodelistOverride {
    pub cluster: String,
    pub file: String,
    pub text: String,
}

/// Everything that shapes the rules, fixed before any data is read.
#[derive(Debug, Clone, Default)]
pub struct EngineConfig {
    pub rules: RuleOptions,
    /// Rule files added to the built-in ones (local cohorts).
    pub extra_rules: Vec<RuleSource>,
    pub codelists: Vec<CodelistOverride>,
}

/// A problem in the configuration: nothing has been analysed.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigError {
    Codelist(CodelistError),
    Rules(Vec<RuleError>),
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigError::Codelist(e) => write!(f, "{e}"),
            ConfigError::Rules(errors) => {
                let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
                write!(f, "{}", lines.join("\n"))
            }
        }
    }
}

impl std::error::Error for ConfigError {}

/// The clusters and the checked rules: load data with [`Engine::loader`],
/// then [`Engine::report`] for any as-of date.
pub struct Engine {
    pub clusters: Arc<Clusters>,
    pub plan: Plan,
    /// The rule files the plan was compiled from, shown in the definitions.
    pub rule_sources: Vec<RuleSource>,
}

impl Engine {
    pub fn new(config: &EngineConfig) -> Result<Engine, ConfigError> {
        let mut clusters = Clusters::builtin();
        for c in &config.codelists {
            clusters.replace(&c.cluster, &c.file, &c.text).map_err(ConfigError::Codelist)?;
        }
        let sources = rules::with_local(&config.extra_rules);
        for list in rules::inline_codelists(&config.extra_rules).map_err(ConfigError::Rules)? {
            clusters.add(&list.id, &list.title, &list.file, list.codes).map_err(ConfigError::Codelist)?;
        }
        let plan = rules::compile(&sources, &config.rules, &clusters).map_err(ConfigError::Rules)?;
        Ok(Engine { clusters: Arc::new(clusters), plan, rule_sources: sources })
    }

    pub fn loader(&self, mapping: ColumnMapping) -> Loader {
        Loader::new(Arc::clone(&self.clusters), mapping)
    }

    /// Cohorts, segments, eFI and breakdowns as they stood on `as_of`. Each
    /// file's report gains a warning for its events dated after `as_of`.
    pub fn report(&self, pop: &Population, files: Vec<FileReport>, as_of: Date) -> Report {
        let (analysis, files, unmapped) = self.analyse(pop, files, as_of);
        report::build(&self.plan, pop, &analysis, files, unmapped)
    }

    /// The same as [`Engine::report`], kept compact: members are put into
    /// words only when asked for (see [`report::stored`]).
    pub fn stored_report(&self, pop: &Population, files: Vec<FileReport>, as_of: Date) -> report::stored::StoredReport {
        let (analysis, files, unmapped) = self.analyse(pop, files, as_of);
        report::stored::StoredReport::new(&self.plan, pop, analysis, files, unmapped)
    }

    /// What either report is made from: the analysis, the file reports with
    /// their after-`as_of` warnings, and the codes no cluster reads.
    fn analyse(
        &self,
        pop: &Population,
        mut files: Vec<FileReport>,
        as_of: Date,
    ) -> (analysis::Analysis, Vec<FileReport>, ingest::UnmappedCodes) {
        ingest::note_events_after(&mut files, as_of);
        let analysis = analysis::analyse(&self.plan, pop, as_of);
        (analysis, files, ingest::unmapped_codes(pop, &self.clusters, ingest::UNMAPPED_SHOWN))
    }
}
