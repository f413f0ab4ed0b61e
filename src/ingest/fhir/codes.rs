//! Code systems by URI, and the mappings into the clusters' SNOMED CT
//! (`data/fhir/loinc.toml`, `data/fhir/other_systems.toml`).
//!
//! SNOMED CT and dm+d are the native languages and pass through. A LOINC
//! code or CVX code with a mapping becomes the SNOMED CT code the clusters
//! hold for the same thing. Everything else keeps its own code, prefixed
//! with its system (`LOINC:2345-7`, `RxNorm:197361`) so that it can never
//! collide with a SNOMED CT code and match a cluster by accident; it
//! matches none, and the report lists it among the unmapped codes.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use crate::model::CodeSystem;

use super::units::Conversion;

pub const SNOMED: &str = "http://snomed.info/sct";
pub const DMD: &str = "https://dmd.nhs.uk";
pub const LOINC: &str = "http://loinc.org";
pub const NHS_NUMBER: &str = "https://fhir.nhs.uk/Id/nhs-number";
pub const ODS_CODE: &str = "https://fhir.nhs.uk/Id/ods-organization-code";

/// A code system as a FHIR `coding.system` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum System {
    Snomed,
    Dmd,
    Loinc,
    Read2,
    Ctv3,
    RxNorm,
    Cvx,
    Icd10,
    Other,
}

impl System {
    pub fn of_uri(uri: &str) -> System {
        match uri.trim_end_matches('/') {
            "http://snomed.info/sct" | "https://snomed.info/sct" => System::Snomed,
            "https://dmd.nhs.uk" | "http://dmd.nhs.uk" => System::Dmd,
            "http://loinc.org" | "https://loinc.org" => System::Loinc,
            "http://read.info/readv2" => System::Read2,
            "http://read.info/ctv3" => System::Ctv3,
            "http://www.nlm.nih.gov/research/umls/rxnorm" => System::RxNorm,
            "http://hl7.org/fhir/sid/cvx" => System::Cvx,
            "http://hl7.org/fhir/sid/icd-10"
            | "http://hl7.org/fhir/sid/icd-10-uk"
            | "http://hl7.org/fhir/sid/icd-10-cm"
            | "https://fhir.hl7.org.uk/Id/icd-10-uk" => System::Icd10,
            _ => System::Other,
        }
    }

    /// Which coding of a concept to use first: native, then mappable, then legacy.
    fn rank(self) -> u8 {
        match self {
            System::Snomed | System::Dmd => 0,
            System::Loinc | System::Cvx => 1,
            System::Read2 | System::Ctv3 => 2,
            System::RxNorm | System::Icd10 => 3,
            System::Other => 4,
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            System::Loinc => "LOINC:",
            System::RxNorm => "RxNorm:",
            System::Cvx => "CVX:",
            System::Icd10 => "ICD-10:",
            _ => "other:",
        }
    }

    fn code_system(self) -> CodeSystem {
        match self {
            System::Snomed => CodeSystem::Snomed,
            System::Dmd => CodeSystem::Dmd,
            System::Read2 => CodeSystem::Read2,
            System::Ctv3 => CodeSystem::Ctv3,
            System::Loinc => CodeSystem::Loinc,
            System::RxNorm => CodeSystem::RxNorm,
            System::Cvx => CodeSystem::Cvx,
            System::Icd10 => CodeSystem::Icd10,
            System::Other => CodeSystem::Other,
        }
    }
}

/// One `coding` of a CodeableConcept.
#[derive(Debug, Clone, Copy)]
pub struct Coding<'v> {
    pub system: System,
    pub code: &'v str,
    pub display: Option<&'v str>,
}

/// The codings of a CodeableConcept with a code, best first (see
/// [`System::rank`]); ties keep the file's order.
pub fn codings(concept: Option<&Value>) -> Vec<Coding<'_>> {
    let mut out: Vec<Coding> = concept
        .and_then(|c| c.get("coding"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| {
            let code = c.get("code")?.as_str()?.trim();
            if code.is_empty() {
                return None;
            }
            let system = c.get("system").and_then(Value::as_str).map_or(System::Other, System::of_uri);
            Some(Coding { system, code, display: c.get("display").and_then(Value::as_str) })
        })
        .collect();
    out.sort_by_key(|c| c.system.rank());
    out
}

/// A LOINC measure: where it goes and in what unit.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoincMeasure {
    pub loinc: String,
    pub name: String,
    pub snomed: Option<String>,
    pub unit: String,
    /// Other spellings of `unit` (UCUM annotations such as `{score}`).
    #[serde(default)]
    pub also: Vec<String>,
    pub convert: Option<Conversion>,
    #[serde(default)]
    pub places: usize,
    pub cluster: Option<String>,
    #[allow(dead_code)]
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappedCode {
    #[serde(alias = "loinc")]
    pub code: String,
    pub name: String,
    pub snomed: String,
    pub cluster: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LoincFile {
    code: Vec<LoincMeasure>,
    answer: Vec<MappedCode>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OtherFile {
    cvx: Vec<MappedCode>,
}

pub const LOINC_FILE: &str = include_str!("../../../data/fhir/loinc.toml");
pub const OTHER_FILE: &str = include_str!("../../../data/fhir/other_systems.toml");

/// The mappings, read once per loader.
#[derive(Debug)]
pub struct CodeMaps {
    pub measures: HashMap<String, LoincMeasure>,
    pub answers: HashMap<String, MappedCode>,
    pub cvx: HashMap<String, MappedCode>,
}

/// A code ready to intern: the code text, its system, and the term to
/// show when the file gives none of its own.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped<'v> {
    pub code: std::borrow::Cow<'v, str>,
    pub system: CodeSystem,
    pub term: Option<&'v str>,
}

impl CodeMaps {
    pub fn builtin() -> CodeMaps {
        let loinc: LoincFile = toml::from_str(LOINC_FILE).expect("data/fhir/loinc.toml is valid");
        let other: OtherFile = toml::from_str(OTHER_FILE).expect("data/fhir/other_systems.toml is valid");
        CodeMaps {
            measures: loinc.code.into_iter().map(|m| (m.loinc.clone(), m)).collect(),
            answers: loinc.answer.into_iter().map(|m| (m.code.clone(), m)).collect(),
            cvx: other.cvx.into_iter().map(|m| (m.code.clone(), m)).collect(),
        }
    }

    /// The code an event is recorded under. `medicine` marks a
    /// medication's code: SNOMED CT there means a dm+d concept (UK Core
    /// writes dm+d codes under the SNOMED CT URI).
    pub fn map<'v>(&'v self, c: &Coding<'v>, medicine: bool) -> Mapped<'v> {
        use std::borrow::Cow::Borrowed;
        match c.system {
            System::Snomed if medicine => Mapped { code: Borrowed(c.code), system: CodeSystem::Dmd, term: c.display },
            System::Snomed | System::Dmd | System::Read2 | System::Ctv3 => {
                Mapped { code: Borrowed(c.code), system: c.system.code_system(), term: c.display }
            }
            System::Loinc => {
                let target = self.measures.get(c.code).and_then(|m| m.snomed.as_deref());
                let answer = self.answers.get(c.code).map(|a| a.snomed.as_str());
                match target.or(answer) {
                    // The codelist's term, filled in when loading finishes.
                    Some(snomed) => Mapped { code: Borrowed(snomed), system: CodeSystem::Snomed, term: None },
                    None => self.own(c),
                }
            }
            System::Cvx => match self.cvx.get(c.code) {
                Some(m) => Mapped { code: Borrowed(&m.snomed), system: CodeSystem::Snomed, term: None },
                None => self.own(c),
            },
            System::RxNorm | System::Icd10 | System::Other => self.own(c),
        }
    }

    fn own<'v>(&self, c: &Coding<'v>) -> Mapped<'v> {
        let code = format!("{}{}", c.system.prefix(), c.code);
        Mapped { code: std::borrow::Cow::Owned(code), system: c.system.code_system(), term: c.display }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::Clusters;

    #[test]
    fn every_mapping_lands_in_the_cluster_it_names() {
        let clusters = Clusters::builtin();
        let maps = CodeMaps::builtin();
        let in_cluster = |code: &str, cluster: &str| {
            let id = clusters.id(cluster).unwrap_or_else(|| panic!("no cluster {cluster}"));
            clusters.of_code(code).contains(&id)
        };
        for m in maps.measures.values() {
            match (&m.snomed, &m.cluster) {
                (Some(s), Some(c)) => assert!(in_cluster(s, c), "LOINC {} -> {s} is not in {c}", m.loinc),
                (None, None) => {}
                _ => panic!("LOINC {}: snomed and cluster go together", m.loinc),
            }
        }
        for m in maps.answers.values().chain(maps.cvx.values()) {
            assert!(in_cluster(&m.snomed, &m.cluster), "{} -> {} is not in {}", m.code, m.snomed, m.cluster);
        }
        assert_eq!(maps.measures.len(), 12);
    }

    #[test]
    fn codings_prefer_snomed_and_prefix_foreign_codes() {
        let maps = CodeMaps::builtin();
        let concept = serde_json::json!({"coding": [
            {"system": "http://hl7.org/fhir/sid/icd-10", "code": "E11.9", "display": "Type 2 diabetes"},
            {"system": "http://snomed.info/sct", "code": "44054006", "display": "Diabetes mellitus type 2"}
        ]});
        let c = codings(Some(&concept));
        assert_eq!(c[0].code, "44054006");
        assert_eq!(maps.map(&c[1], false).code, "ICD-10:E11.9");
        assert_eq!(maps.map(&c[1], false).system, CodeSystem::Icd10);
        let loinc = Coding { system: System::Loinc, code: "2093-3", display: Some("Cholesterol") };
        assert_eq!(
            maps.map(&loinc, false),
            Mapped { code: "1005671000000105".into(), system: CodeSystem::Snomed, term: None }
        );
        let med = Coding { system: System::Snomed, code: "319283006", display: None };
        assert_eq!(maps.map(&med, true).system, CodeSystem::Dmd);
    }
}
