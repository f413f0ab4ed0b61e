//! Cohort definitions as data, and the one evaluator that runs them.
//!
//! The flow is parse → check → evaluate: [`syntax`] mirrors the TOML rule
//! files as written; [`compile`] checks them against the clusters and the
//! settings and produces a typed [`plan::Plan`]; [`eval`] runs a plan's
//! criteria on one patient's record. The built-in rules live in `rules/`
//! at the crate root and are embedded; local teams can add files of their
//! own in the same language.

pub mod eval;
pub mod plan;
pub mod syntax;

use std::collections::BTreeMap;

use crate::codes::{Clusters, ListedCode};
use crate::model::CodeSystem;
pub use plan::{Plan, RuleError};
use plan::{Planner, SettingValue};
use syntax::RuleFile;

/// A rule file: its name (for messages) and its TOML text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RuleSource {
    pub name: String,
    pub text: String,
}

/// The built-in rule files, in evaluation order: a cohort may refer only to
/// cohorts defined before it.
pub const BUILTIN: &[(&str, &str)] = &[
    ("rules/settings.toml", include_str!("../../rules/settings.toml")),
    ("rules/registers.toml", include_str!("../../rules/registers.toml")),
    ("rules/learning_disability.toml", include_str!("../../rules/learning_disability.toml")),
    ("rules/serious_mental_illness.toml", include_str!("../../rules/serious_mental_illness.toml")),
    ("rules/hypertension.toml", include_str!("../../rules/hypertension.toml")),
    ("rules/frailty.toml", include_str!("../../rules/frailty.toml")),
    ("rules/qrisk3.toml", include_str!("../../rules/qrisk3.toml")),
    ("rules/core20plus5_adults.toml", include_str!("../../rules/core20plus5_adults.toml")),
    ("rules/core20plus5_children.toml", include_str!("../../rules/core20plus5_children.toml")),
    ("rules/segments.toml", include_str!("../../rules/segments.toml")),
];

/// Local rule files are read just before this one: they may refer to the
/// registers and the core cohorts, and be named among the PLUS groups.
const LOCAL_BEFORE: &str = "rules/core20plus5_adults.toml";

pub fn builtin_sources() -> Vec<RuleSource> {
    with_local(&[])
}

/// The built-in rule files with local ones in their place.
pub fn with_local(local: &[RuleSource]) -> Vec<RuleSource> {
    let mut sources = Vec::with_capacity(BUILTIN.len() + local.len());
    for (name, text) in BUILTIN {
        if *name == LOCAL_BEFORE {
            sources.extend(local.iter().cloned());
        }
        sources.push(RuleSource { name: (*name).into(), text: (*text).into() });
    }
    sources
}

/// What the user may change without editing rule files.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleOptions {
    /// Setting id → value, overriding the defaults declared in the rules.
    pub settings: BTreeMap<String, toml::Value>,
    /// Segment ids in order of precedence, overriding the default order.
    pub segment_precedence: Option<Vec<String>>,
}

impl RuleOptions {
    /// Parses `id=value` as given on a command line: a TOML value (number,
    /// boolean, quoted string) or else plain text.
    pub fn set(&mut self, assignment: &str) -> Result<(), String> {
        let (id, value) =
            assignment.split_once('=').ok_or_else(|| format!("'{assignment}' is not of the form setting=value"))?;
        let value = toml::from_str::<BTreeMap<String, toml::Value>>(&format!("v = {value}"))
            .ok()
            .and_then(|mut m| m.remove("v"))
            .unwrap_or_else(|| toml::Value::String(value.trim().to_owned()));
        self.settings.insert(id.trim().to_owned(), value);
        Ok(())
    }
}

/// A codelist a rule file defines for itself.
pub struct InlineCodelist {
    pub file: String,
    pub id: String,
    pub title: String,
    pub codes: Vec<ListedCode>,
}

/// The codelists rule files define for themselves. Files that do not parse
/// are skipped here; [`compile`] reports them.
pub fn inline_codelists(sources: &[RuleSource]) -> Result<Vec<InlineCodelist>, Vec<RuleError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for source in sources {
        let Ok(file) = toml::from_str::<RuleFile>(&source.text) else { continue };
        for (i, list) in file.codelist.into_iter().enumerate() {
            let mut codes = Vec::new();
            for (j, c) in list.codes.into_iter().enumerate() {
                let system = match c.system.as_deref() {
                    None => Some(CodeSystem::Snomed),
                    Some(text) => CodeSystem::parse(text),
                };
                match system {
                    Some(system) => codes.push(ListedCode { code: c.code.trim().to_owned(), term: c.term, system }),
                    None => errors.push(RuleError {
                        file: source.name.clone(),
                        path: format!("codelist[{i}].codes[{j}].system"),
                        message: format!("unknown code system '{}'", c.system.unwrap_or_default()),
                    }),
                }
            }
            out.push(InlineCodelist { file: source.name.clone(), id: list.id, title: list.title, codes });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Parses and checks rule files into a plan, reporting every problem found.
pub fn compile(sources: &[RuleSource], options: &RuleOptions, clusters: &Clusters) -> Result<Plan, Vec<RuleError>> {
    let mut errors = Vec::new();
    let mut files = Vec::new();
    for source in sources {
        match toml::from_str::<RuleFile>(&source.text) {
            Ok(file) => files.push((source, file)),
            Err(e) => errors.push(RuleError {
                file: source.name.clone(),
                path: String::new(),
                message: e.to_string().trim().to_owned(),
            }),
        }
    }

    let mut settings = BTreeMap::new();
    for (source, file) in &files {
        for (i, s) in file.setting.iter().enumerate() {
            let value = SettingValue {
                title: s.title.clone(),
                value: s.default.clone(),
                default: s.default.clone(),
                note: s.note.clone(),
            };
            if settings.insert(s.id.clone(), value).is_some() {
                errors.push(RuleError {
                    file: source.name.clone(),
                    path: format!("setting[{i}].id"),
                    message: format!("setting '{}' is declared twice", s.id),
                });
            }
        }
    }
    for (id, value) in &options.settings {
        match settings.get_mut(id) {
            None => errors.push(RuleError {
                file: "settings".into(),
                path: id.clone(),
                message: format!("there is no setting '{id}'"),
            }),
            Some(s) if !same_type(&s.default, value) => errors.push(RuleError {
                file: "settings".into(),
                path: id.clone(),
                message: format!("'{id}' takes a value like {}, not {}", plan::show(&s.default), plan::show(value)),
            }),
            Some(s) => s.value = value.clone(),
        }
    }

    let mut planner = Planner::new(clusters, settings);
    // QRISK3's inputs first, so any file's cohorts may use it.
    for (source, file) in &files {
        if let Some(q) = &file.qrisk3 {
            planner.set_file(&source.name);
            planner.qrisk3(q);
        }
    }
    let mut cohorts = Vec::new();
    let mut segments_syntax = None;
    let mut efi = None;
    for (source, file) in &files {
        planner.set_file(&source.name);
        for (i, c) in file.cohort.iter().enumerate() {
            if let Some(plan) = planner.cohort(&format!("cohort[{i}]"), c) {
                cohorts.push(plan);
            }
        }
        if let Some(e) = &file.efi {
            if efi.is_some() {
                planner.error("efi", "the eFI is defined in more than one file");
            }
            efi = Some(planner.efi(e));
        }
        if let Some(s) = &file.segments {
            if segments_syntax.is_some() {
                planner.error("segments", "segments are defined in more than one file");
            }
            segments_syntax = Some((source.name.clone(), s.clone()));
        }
    }

    let mut segments = Vec::new();
    match segments_syntax {
        None => planner.error("segments", "no [segments] definition"),
        Some((file, s)) => {
            planner.set_file(&file);
            let order = options.segment_precedence.clone().unwrap_or_else(|| s.precedence.clone());
            let mut sorted_order = order.clone();
            sorted_order.sort();
            let mut ids: Vec<String> = s.segment.iter().map(|x| x.id.clone()).collect();
            ids.sort();
            if sorted_order != ids {
                planner.error(
                    "segments.precedence",
                    format!(
                        "the precedence must name each segment exactly once ({}); given: {}",
                        ids.join(", "),
                        order.join(", ")
                    ),
                );
            } else {
                for id in &order {
                    let (i, seg) = s.segment.iter().enumerate().find(|(_, x)| &x.id == id).unwrap();
                    segments.push(planner.segment(&format!("segments.segment[{i}]"), seg));
                }
                if !matches!(segments.last().map(|s| &s.when), Some(plan::Criterion::Always { .. })) {
                    planner.error(
                        "segments.precedence",
                        "the last segment must be the catch-all (always = true), so that everyone has a segment",
                    );
                }
            }
        }
    }
    errors.extend(match planner.finish(cohorts, segments, efi) {
        Ok(plan) if errors.is_empty() => return Ok(plan),
        Ok(_) => Vec::new(),
        Err(e) => e,
    });
    Err(errors)
}

fn same_type(a: &toml::Value, b: &toml::Value) -> bool {
    use toml::Value::*;
    matches!(
        (a, b),
        (String(_), String(_))
            | (Integer(_), Integer(_))
            | (Float(_), Float(_) | Integer(_))
            | (Boolean(_), Boolean(_))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile_with(extra: &str, options: &RuleOptions) -> Result<Plan, Vec<RuleError>> {
        let sources = with_local(&[RuleSource { name: "local.toml".into(), text: extra.into() }]);
        compile(&sources, options, &Clusters::builtin())
    }

    fn messages(e: Vec<RuleError>) -> Vec<String> {
        e.into_iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn the_builtin_rules_compile() {
        let plan = compile(&builtin_sources(), &RuleOptions::default(), &Clusters::builtin()).unwrap();
        assert_eq!(plan.segments.len(), 9);
        assert_eq!(plan.efi.deficit_count(), 36);
        assert!(plan.cohorts.iter().any(|c| c.id == "smi_health_checks"));
    }

    #[test]
    fn errors_name_the_file_and_the_key() {
        let e = compile_with(
            r#"
[[cohort]]
id = "mine"
title = "Mine"
eligible = { all = [{ coded = ["no_such_cluster"] }, { coded = ["bp"], within = "fortnight" }, { cohort = "later" }] }
"#,
            &RuleOptions::default(),
        )
        .unwrap_err();
        assert_eq!(
            messages(e),
            [
                "local.toml: cohort[0].eligible.all[0].coded: unknown cluster 'no_such_cluster'",
                "local.toml: cohort[0].eligible.all[1].within: 'fortnight' is not a window (use \"ever\", \"financial_year\" or e.g. \"12 months\", \"5 years\", \"42 weeks\")",
                "local.toml: cohort[0].eligible.all[2].cohort: no cohort 'later' is defined before this point",
            ]
        );
    }

    #[test]
    fn a_criterion_has_exactly_one_kind() {
        let e = compile_with(
            "[[cohort]]\nid = \"x\"\ntitle = \"X\"\neligible = { coded = [\"bp\"], sex = \"female\" }\n",
            &RuleOptions::default(),
        )
        .unwrap_err();
        assert_eq!(messages(e), ["local.toml: cohort[0].eligible: a criterion has one kind, found coded and sex"]);
    }

    #[test]
    fn toml_syntax_errors_are_reported_with_their_line() {
        let e = compile_with("[[cohort]\nid = 1\n", &RuleOptions::default()).unwrap_err();
        let text = e[0].to_string();
        assert!(text.starts_with("local.toml: TOML parse error at line 1"), "{text}");
    }

    #[test]
    fn settings_are_checked_by_name_and_type() {
        let mut options = RuleOptions::default();
        options.set("case_finding_min_age=45").unwrap();
        assert!(compile_with("", &options).is_ok());
        options.set("case_finding_min_age=\"old\"").unwrap();
        options.set("no_such_setting=1").unwrap();
        let e = messages(compile_with("", &options).unwrap_err());
        assert_eq!(
            e,
            [
                "settings: case_finding_min_age: 'case_finding_min_age' takes a value like 40, not \"old\"",
                "settings: no_such_setting: there is no setting 'no_such_setting'",
            ]
        );
    }

    #[test]
    fn segment_precedence_must_name_every_segment_once() {
        let options =
            RuleOptions { segment_precedence: Some(vec!["frailty".into(), "frailty".into()]), ..Default::default() };
        let e = messages(compile_with("", &options).unwrap_err());
        assert!(
            e[0].starts_with(
                "rules/segments.toml: segments.precedence: the precedence must name each segment exactly once"
            ),
            "{e:?}"
        );
    }
}
