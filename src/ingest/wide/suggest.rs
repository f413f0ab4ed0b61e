//! A first guess at a report's mapping from its headers, for the mapping
//! screen to start from: the patient fields by their usual names, and
//! columns whose words name a common check or register.

use std::collections::BTreeMap;

use super::super::delimited::{map_headers, PATIENT_FIELDS};
use super::profile::{ColumnKind, WideColumn, WideProfile};
use crate::codes::Clusters;

/// Words (all of them, in any order) that name a cluster, most specific first.
const CLUSTER_WORDS: &[(&[&str], &str)] = &[
    (&["ld", "health", "check"], "ld_health_check"),
    (&["annual", "health", "check"], "ld_health_check"),
    (&["health", "action", "plan"], "ld_health_action_plan"),
    (&["learning", "disability"], "ld"),
    (&["ld"], "ld"),
    (&["serious", "mental", "illness"], "smi"),
    (&["smi"], "smi"),
    (&["psychosis"], "smi"),
    (&["blood", "pressure"], "bp"),
    (&["bp"], "bp"),
    (&["systolic"], "systolic_bp"),
    (&["diastolic"], "diastolic_bp"),
    (&["bmi"], "bmi"),
    (&["body", "mass"], "bmi"),
    (&["hdl"], "hdl_cholesterol"),
    (&["cholesterol"], "cholesterol"),
    (&["lipid"], "cholesterol"),
    (&["lipids"], "cholesterol"),
    (&["hba1c"], "hba1c"),
    (&["glucose"], "hba1c"),
    (&["alcohol"], "alcohol"),
    (&["audit"], "alcohol"),
    (&["smoking"], "smoking"),
    (&["smoker"], "smoking"),
    (&["hypertension"], "hyp"),
    (&["diabetes"], "dm"),
    (&["asthma"], "asthma"),
    (&["copd"], "copd"),
    (&["dementia"], "dementia"),
    (&["flu"], "flu_vaccination"),
    (&["influenza"], "flu_vaccination"),
    (&["medication", "review"], "medication_review"),
];

/// Words that make a column a yes/no flag rather than a value.
const FLAG_WORDS: &[&str] = &["register", "registered", "flag", "yes", "diagnosed", "has", "is", "on"];

fn words(header: &str) -> Vec<String> {
    header.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| w.to_lowercase()).collect()
}

/// The mapping the headers suggest. A value is suggested only beside a
/// date column for the same cluster, and one column of each kind per
/// cluster; anything unsure is left for the user.
pub fn suggest(headers: &[String], clusters: &Clusters) -> WideProfile {
    let map = map_headers(headers, &PATIENT_FIELDS, &BTreeMap::new());
    let mut profile = WideProfile { patients: map.used.clone(), ..Default::default() };
    let mut taken: Vec<(String, ColumnKind)> = Vec::new();
    for header in &map.ignored {
        let w = words(header);
        let Some(&(_, cluster)) = CLUSTER_WORDS.iter().find(|(need, _)| need.iter().all(|n| w.iter().any(|x| x == n)))
        else {
            continue;
        };
        if clusters.id(cluster).is_none() {
            continue;
        }
        let kind = if w.iter().any(|x| x == "date" || x == "dated" || x == "when") {
            ColumnKind::Date
        } else if w.iter().any(|x| FLAG_WORDS.contains(&x.as_str())) {
            ColumnKind::Flag
        } else {
            ColumnKind::Value
        };
        if taken.iter().any(|(c, k)| c == cluster && *k == kind) {
            continue;
        }
        taken.push((cluster.to_owned(), kind));
        profile.columns.push(WideColumn { header: header.clone(), kind, cluster: cluster.to_owned() });
    }
    // A value with no date for its cluster cannot be dated.
    let dated: Vec<String> =
        profile.columns.iter().filter(|c| c.kind == ColumnKind::Date).map(|c| c.cluster.clone()).collect();
    profile.columns.retain(|c| c.kind != ColumnKind::Value || dated.contains(&c.cluster));
    profile
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_usual_headers_suggest_the_usual_mapping() {
        let headers: Vec<String> = [
            "Patient ID",
            "NHS Number",
            "Date of Birth",
            "Gender",
            "On SMI register",
            "Latest BP date",
            "Latest BP value",
            "Latest BMI",
            "HbA1c date",
            "HbA1c (mmol/mol)",
            "Smoking status date",
            "Notes",
        ]
        .map(String::from)
        .to_vec();
        let p = suggest(&headers, &Clusters::builtin());
        assert_eq!(p.patients["patient_id"], "Patient ID");
        assert_eq!(p.patients["date_of_birth"], "Date of Birth");
        assert_eq!(p.patients["sex"], "Gender");
        let got: Vec<(&str, ColumnKind, &str)> =
            p.columns.iter().map(|c| (c.header.as_str(), c.kind, c.cluster.as_str())).collect();
        assert_eq!(
            got,
            [
                ("On SMI register", ColumnKind::Flag, "smi"),
                ("Latest BP date", ColumnKind::Date, "bp"),
                ("Latest BP value", ColumnKind::Value, "bp"),
                ("HbA1c date", ColumnKind::Date, "hba1c"),
                ("HbA1c (mmol/mol)", ColumnKind::Value, "hba1c"),
                ("Smoking status date", ColumnKind::Date, "smoking"),
            ],
            "Latest BMI has no date column, so it is left for the user"
        );
    }
}
