//! Arbitrary text as a local rule file: the engine is made or refused with
//! errors, and when made, it draws up the lists for a small fixed practice.
//!
//! The engine is made as `Engine::new` makes it, step for step, but from a
//! copy of the built-in clusters read once: reading the embedded codelists
//! takes most of `Engine::new`'s time, and the rule file cannot change
//! them.

#![no_main]

mod common;

use std::sync::{Arc, OnceLock};

use cohort_finder::codes::Clusters;
use cohort_finder::ingest::ColumnMapping;
use cohort_finder::rules::{self, RuleOptions, RuleSource};
use cohort_finder::{ConfigError, Engine};
use libfuzzer_sys::fuzz_target;

fn builtin() -> &'static Clusters {
    static CLUSTERS: OnceLock<Clusters> = OnceLock::new();
    CLUSTERS.get_or_init(Clusters::builtin)
}

/// `Engine::new` with these local rules and no other change.
fn engine(local: &[RuleSource]) -> Result<Engine, ConfigError> {
    let mut clusters = builtin().clone();
    let sources = rules::with_local(local);
    for list in rules::inline_codelists(local).map_err(ConfigError::Rules)? {
        clusters.add(&list.id, &list.title, &list.file, list.codes).map_err(ConfigError::Codelist)?;
    }
    let plan = rules::compile(&sources, &RuleOptions::default(), &clusters).map_err(ConfigError::Rules)?;
    Ok(Engine { clusters: Arc::new(clusters), plan, rule_sources: sources })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let local = [RuleSource { name: "local.toml".into(), text: text.into() }];
    let engine = match engine(&local) {
        Ok(engine) => engine,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let mut loader = engine.loader(ColumnMapping::default());
    loader.load_patients("patients.csv", common::PATIENTS.as_bytes());
    loader.load_events("events.csv", common::EVENTS.as_bytes());
    common::finish_and_report(&engine, loader);
});
