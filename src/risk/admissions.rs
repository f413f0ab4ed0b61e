//! Emergency care in a person's record: emergency hospital admissions and
//! A&E attendances, as the practice coded them from hospital letters.
//!
//! Counted through the `emergency_admission` and `ae_attendance` clusters
//! (local stand-ins, see `data/codelists/local/README.md`), straight from the
//! population's events, so they need no rule to read them. An admission is a
//! day with any admission code: two codes on one day (say 183452005 and the
//! asthma admission code) are one admission; likewise for attendances.
//!
//! A window of 12 months ending on a reference date starts the day after the
//! same date a year earlier, as the rules' "12 months" does: the 12 months
//! before 23 November 2026 run from 24 November 2025 to 23 November 2026.

use chrono::Months;

use crate::codes::Clusters;
use crate::model::{ClusterId, Date, PatientIdx, Population};

/// The clusters' ids in `data/clusters.toml`.
pub const ADMISSION_CLUSTER: &str = "emergency_admission";
pub const AE_CLUSTER: &str = "ae_attendance";

/// The two clusters, resolved once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmergencyClusters {
    pub admission: ClusterId,
    pub ae: ClusterId,
}

impl EmergencyClusters {
    /// `None` if either cluster is missing (never with the built-in clusters).
    pub fn new(clusters: &Clusters) -> Option<EmergencyClusters> {
        Some(EmergencyClusters { admission: clusters.id(ADMISSION_CLUSTER)?, ae: clusters.id(AE_CLUSTER)? })
    }
}

/// Admissions and A&E attendances in a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EmergencyCare {
    pub admissions: u32,
    pub ae_attendances: u32,
}

/// The first day of the 12 months ending on `reference`, or `None` where the
/// calendar cannot go back that far.
pub fn year_start(reference: Date) -> Option<Date> {
    reference.checked_sub_months(Months::new(12)).and_then(|d| d.succ_opt())
}

/// Admissions and attendances of `patient` in the 12 months up to and
/// including `reference`. Events after `reference` are never read.
pub fn in_12_months_before(
    pop: &Population,
    patient: PatientIdx,
    clusters: &EmergencyClusters,
    reference: Date,
) -> EmergencyCare {
    match year_start(reference) {
        Some(from) => between(pop, patient, clusters, from, reference),
        None => EmergencyCare::default(),
    }
}

/// Admissions and attendances of `patient` dated `from` to `to`, both included.
pub fn between(
    pop: &Population,
    patient: PatientIdx,
    clusters: &EmergencyClusters,
    from: Date,
    to: Date,
) -> EmergencyCare {
    let mut out = EmergencyCare::default();
    if (patient as usize) >= pop.patients.len() || to < from {
        return out;
    }
    let all = pop.event_range(patient);
    let dates = &pop.events.date[all.clone()];
    // A patient's events are in date order, so the window is one slice.
    let start = all.start + dates.partition_point(|&d| d < from);
    let end = all.start + dates.partition_point(|&d| d <= to);
    let (mut last_admission, mut last_ae) = (None, None);
    for i in start..end {
        let date = pop.events.date[i];
        let codes = &pop.codes.get(pop.events.code[i]).clusters;
        if codes.contains(&clusters.admission) && last_admission != Some(date) {
            out.admissions += 1;
            last_admission = Some(date);
        }
        if codes.contains(&clusters.ae) && last_ae != Some(date) {
            out.ae_attendances += 1;
            last_ae = Some(date);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::ColumnMapping;

    fn population(events: &str) -> (Population, EmergencyClusters) {
        let engine = crate::Engine::new(&crate::EngineConfig::default()).unwrap();
        let mut loader = engine.loader(ColumnMapping::default());
        loader.load_patients(
            "patients.csv",
            "patient_id,date_of_birth,sex,registered_date\nA,1940-01-01,F,2000-01-01\nB,1950-01-01,M,2000-01-01\n"
                .as_bytes(),
        );
        loader.load_events("events.csv", format!("patient_id,code,date\n{events}").as_bytes());
        let (pop, files) = loader.finish();
        assert!(files.iter().all(|f| f.rejected == 0), "{files:?}");
        let clusters = EmergencyClusters::new(&engine.clusters).unwrap();
        (pop, clusters)
    }

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn counts_days_in_the_12_months_up_to_the_reference_date() {
        let (pop, c) = population(
            "A,183452005,2025-11-23\n\
             A,4525004,2025-11-24\n\
             A,183452005,2025-11-24\n\
             A,183478001,2025-11-24\n\
             A,4525004,2026-03-01\n\
             A,4525004,2026-03-01\n\
             A,408501008,2026-11-23\n\
             A,183452005,2026-11-24\n\
             A,4525004,2026-12-01\n\
             B,4525004,2026-06-01\n",
        );
        // 23 Nov 2025 is a day too early and 24 Nov 2026 a day too late; two
        // admission codes on 24 Nov 2025 are one admission, two attendance
        // codes on 1 March one attendance.
        let a = in_12_months_before(&pop, 0, &c, date("2026-11-23"));
        assert_eq!(a, EmergencyCare { admissions: 2, ae_attendances: 2 });
        let b = in_12_months_before(&pop, 1, &c, date("2026-11-23"));
        assert_eq!(b, EmergencyCare { admissions: 0, ae_attendances: 1 });
        // A year earlier: only the admission of 23 November 2025.
        let earlier = in_12_months_before(&pop, 0, &c, date("2025-11-23"));
        assert_eq!(earlier, EmergencyCare { admissions: 1, ae_attendances: 0 });
        assert_eq!(year_start(date("2026-11-23")), Some(date("2025-11-24")));
    }

    #[test]
    fn an_empty_window_or_an_unknown_patient_counts_nothing() {
        let (pop, c) = population("A,183452005,2026-01-01\n");
        assert_eq!(between(&pop, 0, &c, date("2026-02-01"), date("2026-01-01")), EmergencyCare::default());
        assert_eq!(in_12_months_before(&pop, 7, &c, date("2026-11-23")), EmergencyCare::default());
        assert_eq!(between(&pop, 0, &c, date("2026-01-01"), date("2026-01-01")).admissions, 1);
    }
}
