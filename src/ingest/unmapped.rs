//! The codes that matched no cluster: what the rules never saw.
//!
//! After loading, every interned code already carries its clusters, so this
//! is one pass over the events. Two kinds of code are left out because
//! something other than a cluster reads them: dm+d medicines (the eFI's
//! polypharmacy deficit counts every distinct one) and SNOMED CT ethnicity
//! codes (they fill in a missing ethnicity).

use serde::Serialize;

use crate::codes::Clusters;
use crate::model::{CodeSystem, Population};

/// Codes listed in the report; the rest are counted.
pub const UNMAPPED_SHOWN: usize = 50;

/// One code no rule reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnmappedCode {
    pub code: String,
    /// The code system's label ("SNOMED CT", "LOINC", …).
    pub system: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub term: Option<String>,
    pub events: u64,
    /// Distinct people with the code.
    pub people: u64,
}

/// The codes that matched no cluster, most frequent first.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UnmappedCodes {
    /// Distinct codes with at least one event.
    pub codes: u64,
    /// Distinct codes matching no cluster, and their events.
    pub unmapped: u64,
    pub unmapped_events: u64,
    /// The most frequent: by events, then people, then code.
    pub shown: Vec<UnmappedCode>,
    pub not_shown: u64,
}

/// The codes of `population` in no cluster (other than dm+d medicines and
/// ethnicity codes), the `limit` most frequent listed.
pub fn unmapped_codes(population: &Population, clusters: &Clusters, limit: usize) -> UnmappedCodes {
    let unmapped: Vec<bool> = population
        .codes
        .iter()
        .map(|(_, e)| e.clusters.is_empty() && e.system != CodeSystem::Dmd && clusters.ethnicity_of(&e.code).is_none())
        .collect();
    // Per code: events, people, and the last person counted (events are
    // grouped by person, so one look-back counts each person once).
    let mut counts = vec![(0u64, 0u64, u32::MAX); unmapped.len()];
    for p in 0..population.patients.len() as u32 {
        for &code in &population.events.code[population.event_range(p)] {
            let c = &mut counts[code as usize];
            c.0 += 1;
            if c.2 != p {
                c.1 += 1;
                c.2 = p;
            }
        }
    }
    let mut listed: Vec<(u32, u64, u64)> =
        counts.iter().enumerate().filter(|&(i, c)| unmapped[i] && c.0 > 0).map(|(i, c)| (i as u32, c.0, c.1)).collect();
    let codes = &population.codes;
    listed.sort_unstable_by(|a, b| {
        b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then_with(|| codes.get(a.0).code.cmp(&codes.get(b.0).code))
    });
    let unmapped_events = listed.iter().map(|l| l.1).sum();
    let total = listed.len();
    let shown = listed
        .into_iter()
        .take(limit)
        .map(|(id, events, people)| {
            let e = codes.get(id);
            UnmappedCode { code: e.code.clone(), system: e.system.label(), term: e.term.clone(), events, people }
        })
        .collect::<Vec<_>>();
    UnmappedCodes {
        codes: counts.iter().filter(|c| c.0 > 0).count() as u64,
        unmapped: total as u64,
        unmapped_events,
        not_shown: (total - shown.len()) as u64,
        shown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::ColumnMapping;
    use std::sync::Arc;

    #[test]
    fn lists_codes_in_no_cluster_by_events_then_people() {
        let clusters = Arc::new(Clusters::builtin());
        let mut loader = crate::ingest::Loader::new(Arc::clone(&clusters), ColumnMapping::default());
        loader.load_patients("p.csv", &b"patient_id,date_of_birth\na,1960-01-01\nb,1970-01-01\n"[..]);
        let events = "patient_id,code,date,code_system,term\n\
            a,38341003,2020-01-01,,Hypertension\n\
            a,999999999,2020-01-01,,Made up\n\
            a,999999999,2021-01-01,,Made up\n\
            b,888888888,2020-01-01,,Also made up\n\
            b,999999999,2020-01-01,,Made up\n\
            a,319283006,2020-01-01,dmd,Amlodipine 5mg tablets\n\
            b,976631000000101,2020-01-01,,British\n";
        loader.load_events("e.csv", events.as_bytes());
        let (pop, _) = loader.finish();
        let u = unmapped_codes(&pop, &clusters, 1);
        assert_eq!((u.codes, u.unmapped, u.unmapped_events, u.not_shown), (5, 2, 4, 1));
        assert_eq!(
            u.shown,
            [UnmappedCode {
                code: "999999999".into(),
                system: "SNOMED CT",
                term: Some("Made up".into()),
                events: 3,
                people: 2
            }]
        );
    }
}
