//! Codelists and clusters: which codes mean what.
//!
//! A *cluster* is a named set of codes (for example `hyp`, the QOF
//! hypertension diagnosis codes) built from one or more codelist files. The
//! built-in clusters are declared in `data/clusters.toml` and their CSV files
//! are embedded from `data/codelists/`. [`Clusters::of_code`] gives every
//! cluster a code belongs to; ingest calls it once per distinct code.
//! Ethnicity codes are not clusters: they map to an [`EthnicityGroup`].

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::model::{ClusterId, CodeSystem, EthnicityGroup};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/codelist_files.rs"));
}

const MANIFEST: &str = include_str!("../data/clusters.toml");

/// One code in a codelist, with its term as the list gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListedCode {
    pub code: String,
    pub term: String,
    pub system: CodeSystem,
}

/// A named set of codes.
#[derive(Debug, Clone, Serialize)]
pub struct Cluster {
    pub id: String,
    pub title: String,
    /// Files the codes came from (built-in) or "user" when replaced.
    pub files: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub codes: Vec<ListedCode>,
}

/// All clusters, with the reverse index from code to clusters.
#[derive(Debug, Clone)]
pub struct Clusters {
    list: Vec<Cluster>,
    by_id: HashMap<String, ClusterId>,
    by_code: HashMap<String, Vec<ClusterId>>,
    /// Ethnicity code → its group and, where the list gives it, its 2001-census category (1-16).
    ethnicity: HashMap<String, (EthnicityGroup, Option<u8>)>,
}

/// A codelist file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodelistError {
    pub file: String,
    pub line: Option<u64>,
    pub message: String,
}

impl std::fmt::Display for CodelistError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}, line {line}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for CodelistError {}

#[derive(Deserialize)]
struct Manifest {
    cluster: Vec<ManifestEntry>,
}

#[derive(Deserialize)]
struct ManifestEntry {
    id: String,
    title: String,
    files: Vec<String>,
    /// Files whose codes are taken out (a list less another).
    #[serde(default)]
    exclude: Vec<String>,
    note: Option<String>,
}

/// The text of an embedded codelist file, by its path under `data/codelists/`.
pub fn builtin_file(path: &str) -> Option<&'static str> {
    embedded::CODELIST_FILES.iter().find(|(p, _)| *p == path).map(|(_, text)| *text)
}

/// Paths of every embedded codelist file.
pub fn builtin_files() -> impl Iterator<Item = &'static str> {
    embedded::CODELIST_FILES.iter().map(|(p, _)| *p)
}

impl Clusters {
    /// The built-in clusters. Panics only if the embedded data is broken,
    /// which the test suite rules out.
    pub fn builtin() -> Clusters {
        let manifest: Manifest = toml::from_str(MANIFEST).expect("data/clusters.toml is valid");
        let mut list = Vec::with_capacity(manifest.cluster.len());
        for entry in manifest.cluster {
            let mut codes = Vec::new();
            for file in &entry.files {
                let text =
                    builtin_file(file).unwrap_or_else(|| panic!("data/clusters.toml names a missing file {file}"));
                codes.extend(parse_codelist(file, text).expect("embedded codelist parses"));
            }
            for file in &entry.exclude {
                let text =
                    builtin_file(file).unwrap_or_else(|| panic!("data/clusters.toml names a missing file {file}"));
                let excluded: std::collections::HashSet<String> =
                    parse_codelist(file, text).expect("embedded codelist parses").into_iter().map(|c| c.code).collect();
                codes.retain(|c| !excluded.contains(&c.code));
            }
            dedup_codes(&mut codes);
            list.push(Cluster { id: entry.id, title: entry.title, files: entry.files, note: entry.note, codes });
        }
        let mut clusters =
            Clusters { list, by_id: HashMap::new(), by_code: HashMap::new(), ethnicity: builtin_ethnicity() };
        clusters.reindex();
        clusters
    }

    fn reindex(&mut self) {
        self.by_id.clear();
        self.by_code.clear();
        for (i, cluster) in self.list.iter().enumerate() {
            let id = i as ClusterId;
            self.by_id.insert(cluster.id.clone(), id);
            for code in &cluster.codes {
                self.by_code.entry(code.code.clone()).or_default().push(id);
            }
        }
    }

    /// Replaces the codes of cluster `id` with those in a user's CSV file
    /// (a `code` column, optional `term` and `system`).
    pub fn replace(&mut self, id: &str, file_name: &str, csv_text: &str) -> Result<(), CodelistError> {
        let Some(&cid) = self.by_id.get(id) else {
            return Err(CodelistError {
                file: file_name.into(),
                line: None,
                message: format!("there is no cluster called '{id}'"),
            });
        };
        let mut codes = parse_codelist(file_name, csv_text)?;
        dedup_codes(&mut codes);
        let cluster = &mut self.list[cid as usize];
        cluster.codes = codes;
        cluster.files = vec![file_name.to_owned()];
        cluster.note = Some("Replaced by the user".into());
        self.reindex();
        Ok(())
    }

    /// Adds a cluster defined in a rule file. Its id must be new.
    pub fn add(&mut self, id: &str, title: &str, file: &str, mut codes: Vec<ListedCode>) -> Result<(), CodelistError> {
        if self.by_id.contains_key(id) {
            return Err(CodelistError {
                file: file.into(),
                line: None,
                message: format!("codelist '{id}' already exists; give the local list another id"),
            });
        }
        if let Some(bad) =
            codes.iter().find(|c| c.code.is_empty() || !c.code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.'))
        {
            return Err(CodelistError {
                file: file.into(),
                line: None,
                message: format!("codelist '{id}': '{}' is not a code", bad.code),
            });
        }
        dedup_codes(&mut codes);
        self.list.push(Cluster {
            id: id.into(),
            title: title.into(),
            files: vec![file.into()],
            note: Some("Defined in a local rule file".into()),
            codes,
        });
        self.reindex();
        Ok(())
    }

    pub fn id(&self, name: &str) -> Option<ClusterId> {
        self.by_id.get(name).copied()
    }

    pub fn get(&self, id: ClusterId) -> &Cluster {
        &self.list[id as usize]
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Cluster> {
        self.list.iter()
    }

    /// Every cluster `code` belongs to, in cluster order.
    pub fn of_code(&self, code: &str) -> Box<[ClusterId]> {
        self.by_code.get(code).map(|v| v.clone().into_boxed_slice()).unwrap_or_default()
    }

    /// The term a codelist gives `code` (from the first cluster listing it).
    pub fn term_of(&self, code: &str) -> Option<&str> {
        let &first = self.by_code.get(code)?.first()?;
        let listed = self.list[first as usize].codes.iter().find(|c| c.code == code)?;
        (!listed.term.is_empty()).then_some(listed.term.as_str())
    }

    /// The ethnic group a SNOMED CT ethnicity code records.
    /// `Some(NotRecorded)` for "not stated" codes, `None` for other codes.
    pub fn ethnicity_of(&self, code: &str) -> Option<EthnicityGroup> {
        self.ethnicity.get(code).map(|e| e.0)
    }

    /// The 2001-census category (1 = A White British … 16 = S Any other
    /// ethnic group) a SNOMED CT ethnicity code records.
    pub fn ethnic_category_of(&self, code: &str) -> Option<u8> {
        self.ethnicity.get(code).and_then(|e| e.1)
    }
}

fn dedup_codes(codes: &mut Vec<ListedCode>) {
    let mut seen = std::collections::HashSet::new();
    codes.retain(|c| seen.insert(c.code.clone()));
}

/// Reads a codelist CSV: a code column (`code`, `id` or `snomed_code`),
/// optionally a term column (`term`, `name`, `description`) and a `system`.
pub fn parse_codelist(file: &str, text: &str) -> Result<Vec<ListedCode>, CodelistError> {
    let err = |line: Option<u64>, message: String| CodelistError { file: file.into(), line, message };
    let mut reader =
        csv::ReaderBuilder::new().flexible(true).from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().map_err(|e| err(Some(1), e.to_string()))?.clone();
    let find = |names: &[&str]| headers.iter().position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)));
    let code_col = find(&["code", "id", "snomed_code", "conceptid", "concept_id"])
        .ok_or_else(|| err(Some(1), "no 'code' column in the header".into()))?;
    let term_col = find(&["term", "name", "description", "ethnicity"]);
    let system_col = find(&["system", "code_system"]);
    let mut codes = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| err(e.position().map(|p| p.line()), e.to_string()))?;
        let line = record.position().map(|p| p.line());
        let code = record.get(code_col).unwrap_or("").trim();
        if code.is_empty() {
            continue;
        }
        let system = match system_col.and_then(|c| record.get(c)) {
            Some(s) => CodeSystem::parse(s).ok_or_else(|| err(line, format!("unknown code system '{}'", s.trim())))?,
            None => CodeSystem::Snomed,
        };
        codes.push(ListedCode {
            code: code.to_owned(),
            term: term_col.and_then(|c| record.get(c)).unwrap_or("").trim().to_owned(),
            system,
        });
    }
    Ok(codes)
}

/// SNOMED CT ethnicity codes and their 5-group category, from the OpenSAFELY
/// and PRIMIS 2001-census codelists; PRIMIS "not stated" codes map to
/// `NotRecorded`.
fn builtin_ethnicity() -> HashMap<String, (EthnicityGroup, Option<u8>)> {
    let mut map = HashMap::new();
    for (file, column, column_16) in [
        ("opensafely_ethnicity_snomed.csv", "Grouping_6", "Grouping_16"),
        ("primis_eth2001.csv", "grouping_6_id", "grouping_16_id"),
    ] {
        let text = builtin_file(file).expect("ethnicity codelist embedded");
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader.headers().expect("ethnicity header").clone();
        let group_col = headers.iter().position(|h| h == column).expect("grouping column");
        let category_col = headers.iter().position(|h| h == column_16).expect("16-category column");
        for record in reader.records() {
            let record = record.expect("ethnicity codelist parses");
            let group = record[group_col].trim().parse().ok().and_then(EthnicityGroup::from_grouping_6);
            let category = record[category_col].trim().parse().ok().filter(|c| (1..=16).contains(c));
            if let Some(group) = group {
                map.insert(record[0].trim().to_owned(), (group, category));
            }
        }
    }
    let not_stated = parse_codelist("primis_eth_notstated.csv", builtin_file("primis_eth_notstated.csv").unwrap())
        .expect("not-stated codelist parses");
    for code in not_stated {
        map.insert(code.code, (EthnicityGroup::NotRecorded, None));
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_file_is_used_and_every_cluster_has_codes() {
        let clusters = Clusters::builtin();
        let mut used: std::collections::HashSet<&str> =
            ["opensafely_ethnicity_snomed.csv", "primis_eth2001.csv", "primis_eth_notstated.csv"].into();
        for c in clusters.iter() {
            assert!(!c.codes.is_empty(), "cluster {} has no codes", c.id);
            used.extend(c.files.iter().map(String::as_str));
        }
        for file in builtin_files() {
            assert!(used.contains(file), "{file} is embedded but no cluster uses it");
        }
    }

    #[test]
    fn codes_map_to_all_their_clusters() {
        let clusters = Clusters::builtin();
        // Systolic blood pressure is both "a BP was recorded" and a systolic value.
        let ids: Vec<&str> = clusters.of_code("271649006").iter().map(|&c| clusters.get(c).id.as_str()).collect();
        assert!(ids.contains(&"bp") && ids.contains(&"systolic_bp"), "{ids:?}");
        assert!(clusters.of_code("not-a-code").is_empty());
        assert_eq!(clusters.term_of("38341003"), Some("Hypertensive disorder, systemic arterial"));
    }

    #[test]
    fn pregnancy_ended_is_delivery_or_loss_only() {
        let clusters = Clusters::builtin();
        let ended = clusters.id("pregnancy_ended").unwrap();
        // In PRIMIS PREGDEL and PREG both: a pregnancy code, so not an ending.
        assert!(!clusters.of_code("100801000119107").contains(&ended));
        assert!(clusters.of_code("10058006").contains(&ended), "miscarriage ends a pregnancy");
    }

    #[test]
    fn the_efi_has_35_coded_deficits() {
        let clusters = Clusters::builtin();
        assert_eq!(clusters.iter().filter(|c| c.id.starts_with("efi_")).count(), 35);
    }

    #[test]
    fn ethnicity_codes_map_to_groups() {
        let clusters = Clusters::builtin();
        assert_eq!(clusters.ethnicity_of("494131000000105"), Some(EthnicityGroup::White));
        assert_eq!(clusters.ethnicity_of("92531000000104"), Some(EthnicityGroup::NotRecorded));
        assert_eq!(clusters.ethnicity_of("38341003"), None);
    }

    #[test]
    fn a_user_codelist_replaces_a_cluster() {
        let mut clusters = Clusters::builtin();
        clusters.replace("ld_health_check", "mine.csv", "code,term\n1234567,My template's health check\n").unwrap();
        let id = clusters.id("ld_health_check").unwrap();
        assert_eq!(&*clusters.of_code("1234567"), &[id]);
        assert!(clusters.of_code("69DB.").is_empty());
        let e = clusters.replace("ld_health_check", "bad.csv", "snomed,term\n1,x\n").unwrap_err();
        assert_eq!(e.to_string(), "bad.csv, line 1: no 'code' column in the header");
        let e = clusters.replace("nope", "x.csv", "code\n1\n").unwrap_err();
        assert!(e.message.contains("no cluster called 'nope'"));
    }
}
