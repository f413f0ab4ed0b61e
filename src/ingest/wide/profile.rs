//! A mapping profile for a wide GP report: which header holds each patient
//! field, and which columns stand for which cluster, as a date, a value or a
//! yes/no flag. Written as TOML so a practice can keep it, edit it and share
//! it with another practice whose system writes the same report:
//!
//! ```toml
//! name = "EMIS: SMI physical health checks"
//! report_date = "2026-11-20"          # what a flag with no date of its own stands for
//!
//! [patients]                           # as a column mapping's [patients]
//! patient_id = "Patient ID"
//! date_of_birth = "DOB"
//!
//! [[column]]
//! header = "Latest BP date"
//! kind = "date"                        # date | value | flag
//! cluster = "bp"
//!
//! [[column]]
//! header = "Latest BP value"           # "140/90": systolic and diastolic
//! kind = "value"
//! cluster = "bp"
//!
//! [[column]]
//! header = "On SMI register"
//! kind = "flag"
//! cluster = "smi"
//! ```
//!
//! The same fields as JSON are read too (the page keeps a profile as JSON).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::super::delimited::PATIENT_FIELDS;
use super::super::fields::parse_date;
use crate::codes::Clusters;
use crate::model::{ClusterId, Date};

/// What a column says about its cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// The date the cluster was (last) recorded.
    Date,
    /// Its value (a number, or systolic/diastolic for blood pressure); dated by the cluster's date column.
    Value,
    /// Yes or no (or a date, meaning yes on that date).
    Flag,
}

impl ColumnKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnKind::Date => "date",
            ColumnKind::Value => "value",
            ColumnKind::Flag => "flag",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WideColumn {
    pub header: String,
    pub kind: ColumnKind,
    /// A cluster id, as the Definitions list them.
    pub cluster: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WideProfile {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// yyyy-mm-dd: the date a "yes" stands for when its cluster has no date column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_date: Option<String>,
    /// Patient field -> header; fields not named are found by their usual header names.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub patients: BTreeMap<String, String>,
    #[serde(default, rename = "column", skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<WideColumn>,
}

/// A cluster's columns in one profile: at most one of each kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterColumns {
    pub cluster: ClusterId,
    pub cluster_name: String,
    pub title: String,
    pub date: Option<String>,
    pub value: Option<String>,
    pub flag: Option<String>,
}

/// A profile checked against the clusters: ready to read a file with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedProfile {
    pub name: String,
    pub report_date: Option<Date>,
    pub patients: BTreeMap<String, String>,
    pub clusters: Vec<ClusterColumns>,
}

impl WideProfile {
    /// Reads a profile written as TOML, or as JSON (text starting with `{`).
    pub fn parse(text: &str) -> Result<WideProfile, String> {
        let text = text.trim_start_matches('\u{feff}');
        if text.trim_start().starts_with('{') {
            serde_json::from_str(text).map_err(|e| format!("mapping profile (JSON): {e}"))
        } else {
            toml::from_str(text).map_err(|e: toml::de::Error| format!("mapping profile: {}", e.message()))
        }
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a profile serialises")
    }

    /// Checks the profile against the clusters; every problem is named.
    pub fn check(&self, clusters: &Clusters) -> Result<CheckedProfile, Vec<String>> {
        let mut problems = Vec::new();
        for field in self.patients.keys() {
            if !PATIENT_FIELDS.iter().any(|f| f.name == field) {
                let names: Vec<&str> = PATIENT_FIELDS.iter().map(|f| f.name).collect();
                problems.push(format!("[patients] {field} is not a patient field (fields: {})", names.join(", ")));
            }
        }
        let report_date = match self.report_date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            None => None,
            Some(text) => match parse_date(text) {
                Ok(d) => Some(d),
                Err(e) => {
                    problems.push(format!("report_date: {e}"));
                    None
                }
            },
        };
        // Each header serves one purpose: true for a patient field.
        let mut headers: BTreeMap<&str, bool> = self.patients.values().map(|h| (h.trim(), true)).collect();
        let mut by_cluster: BTreeMap<&str, ClusterColumns> = BTreeMap::new();
        for c in &self.columns {
            let header = c.header.trim();
            if header.is_empty() {
                problems.push(format!("a {} column for {} has no header", c.kind.as_str(), c.cluster));
                continue;
            }
            if let Some(patient_field) = headers.insert(header, false) {
                problems.push(if patient_field {
                    format!("'{header}' is a patient field and a {} column", c.kind.as_str())
                } else {
                    format!("'{header}' is mapped twice")
                });
                continue;
            }
            let Some(id) = clusters.id(&c.cluster) else {
                problems.push(format!("'{header}': there is no cluster '{}'", c.cluster));
                continue;
            };
            let entry = by_cluster.entry(c.cluster.as_str()).or_insert_with(|| ClusterColumns {
                cluster: id,
                cluster_name: c.cluster.clone(),
                title: clusters.get(id).title.clone(),
                date: None,
                value: None,
                flag: None,
            });
            let slot = match c.kind {
                ColumnKind::Date => &mut entry.date,
                ColumnKind::Value => &mut entry.value,
                ColumnKind::Flag => &mut entry.flag,
            };
            match slot {
                Some(first) => problems.push(format!(
                    "{} has two {} columns, '{first}' and '{header}': keep one",
                    c.cluster,
                    c.kind.as_str()
                )),
                None => *slot = Some(header.to_owned()),
            }
        }
        for c in by_cluster.values() {
            if let (Some(value), None) = (&c.value, &c.date) {
                problems.push(format!(
                    "'{value}' is {}'s value, but {} has no date column: a value needs the date it was recorded",
                    c.cluster_name, c.cluster_name
                ));
            }
            if let (Some(flag), None, None) = (&c.flag, &c.date, report_date) {
                problems.push(format!(
                    "'{flag}' is a flag with no date column for {}: give the report's date (report_date) for it to stand for",
                    c.cluster_name
                ));
            }
        }
        if self.columns.is_empty() {
            problems.push("the profile maps no column to a cluster".into());
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(CheckedProfile {
            name: self.name.clone(),
            report_date,
            patients: self.patients.iter().map(|(k, v)| (k.clone(), v.trim().to_owned())).collect(),
            clusters: by_cluster.into_values().collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROFILE: &str = r#"
name = "SMI checks"
report_date = "20/11/2026"

[patients]
patient_id = "Patient ID"

[[column]]
header = "Latest BP date"
kind = "date"
cluster = "bp"

[[column]]
header = "Latest BP value"
kind = "value"
cluster = "bp"

[[column]]
header = "On SMI register"
kind = "flag"
cluster = "smi"
"#;

    #[test]
    fn a_profile_reads_as_toml_and_as_json_and_writes_back_the_same() {
        let profile = WideProfile::parse(PROFILE).unwrap();
        assert_eq!(profile.columns.len(), 3);
        assert_eq!(WideProfile::parse(&profile.to_toml()).unwrap(), profile);
        let json = serde_json::to_string(&profile).unwrap();
        assert_eq!(WideProfile::parse(&json).unwrap(), profile);
        let checked = profile.check(&Clusters::builtin()).unwrap();
        assert_eq!(checked.report_date, Some("2026-11-20".parse().unwrap()));
        let names: Vec<&str> = checked.clusters.iter().map(|c| c.cluster_name.as_str()).collect();
        assert_eq!(names, ["bp", "smi"]);
        assert_eq!(checked.clusters[0].value.as_deref(), Some("Latest BP value"));
    }

    #[test]
    fn every_problem_in_a_profile_is_named() {
        let bad = WideProfile {
            report_date: Some("31/02/2026".into()),
            patients: [("postcode".to_string(), "Postcode".to_string()), ("patient_id".into(), "ID".into())].into(),
            columns: vec![
                WideColumn { header: "ID".into(), kind: ColumnKind::Flag, cluster: "smi".into() },
                WideColumn { header: "BMI".into(), kind: ColumnKind::Value, cluster: "bmi".into() },
                WideColumn { header: "Seen".into(), kind: ColumnKind::Date, cluster: "nope".into() },
                WideColumn { header: "BP 1".into(), kind: ColumnKind::Date, cluster: "bp".into() },
                WideColumn { header: "BP 2".into(), kind: ColumnKind::Date, cluster: "bp".into() },
                WideColumn { header: "BP 1".into(), kind: ColumnKind::Value, cluster: "bp".into() },
            ],
            ..Default::default()
        };
        let problems = bad.check(&Clusters::builtin()).unwrap_err();
        assert_eq!(problems.len(), 7, "{problems:#?}");
        assert!(problems[0].starts_with("[patients] postcode is not a patient field"), "{}", problems[0]);
        assert!(problems[1].starts_with("report_date: "), "{}", problems[1]);
        assert_eq!(problems[2], "'ID' is a patient field and a flag column");
        assert_eq!(problems[3], "'Seen': there is no cluster 'nope'");
        assert_eq!(problems[4], "bp has two date columns, 'BP 1' and 'BP 2': keep one");
        assert_eq!(problems[5], "'BP 1' is mapped twice");
        assert_eq!(
            problems[6],
            "'BMI' is bmi's value, but bmi has no date column: a value needs the date it was recorded"
        );
        let no_date = WideProfile::parse(&PROFILE.replace("report_date = \"20/11/2026\"", "")).unwrap();
        assert_eq!(
            no_date.check(&Clusters::builtin()).unwrap_err(),
            ["'On SMI register' is a flag with no date column for smi: give the report's date (report_date) for it to stand for"]
        );
        let typo = WideProfile::parse("[[column]]\nheader = \"X\"\nkind = \"when\"\ncluster = \"bp\"\n").unwrap_err();
        assert!(typo.contains("unknown variant `when`"), "{typo}");
    }
}
