//! Plausible ranges for the measurements the rules read. A value outside
//! its range (a BMI of 500, a systolic pressure of 400) is a typing or unit
//! error, never a reading: it is dropped with a warning naming the value and
//! the range, and the event is kept, so the check still counts as recorded
//! but no threshold, target or score ever reads the value. Every input path
//! (CSV events, FHIR, wide reports) goes through [`Plausible::check`].

use crate::codes::Clusters;
use crate::model::ClusterId;

/// A measurement's cluster, what it is called in messages, and the lowest
/// and highest values accepted, in the unit the rules read.
struct Range {
    cluster: &'static str,
    measure: &'static str,
    low: f64,
    high: f64,
    unit: &'static str,
}

/// Wide enough for any real reading (the extremes seen in clinical
/// practice), narrow enough to catch a misplaced decimal point or a value
/// in the wrong unit (HbA1c as a percentage, cholesterol in mg/dL).
const RANGES: [Range; 6] = [
    Range { cluster: "bmi", measure: "BMI", low: 10.0, high: 100.0, unit: "kg/m2" },
    Range { cluster: "systolic_bp", measure: "systolic blood pressure", low: 50.0, high: 300.0, unit: "mmHg" },
    Range { cluster: "diastolic_bp", measure: "diastolic blood pressure", low: 30.0, high: 200.0, unit: "mmHg" },
    Range { cluster: "hba1c", measure: "HbA1c", low: 15.0, high: 200.0, unit: "mmol/mol" },
    Range { cluster: "total_cholesterol", measure: "total cholesterol", low: 0.5, high: 30.0, unit: "mmol/L" },
    Range { cluster: "hdl_cholesterol", measure: "HDL cholesterol", low: 0.1, high: 10.0, unit: "mmol/L" },
];

/// The ranges with their cluster ids resolved, made once per loader.
pub struct Plausible {
    by_cluster: Vec<(ClusterId, &'static Range)>,
}

impl Plausible {
    pub fn new(clusters: &Clusters) -> Plausible {
        Plausible { by_cluster: RANGES.iter().filter_map(|r| Some((clusters.id(r.cluster)?, r))).collect() }
    }

    /// `Err` with the warning's message when `value`, recorded with a code
    /// in `code_clusters`, is outside the range of the first measurement
    /// cluster it belongs to.
    pub fn check(&self, code_clusters: &[ClusterId], value: f64) -> Result<(), String> {
        let Some(range) =
            code_clusters.iter().find_map(|c| self.by_cluster.iter().find(|(id, _)| id == c).map(|(_, r)| *r))
        else {
            return Ok(());
        };
        if (range.low..=range.high).contains(&value) {
            return Ok(());
        }
        Err(format!(
            "{} {value} is outside the plausible range {}–{} {}; the value was dropped, the event kept",
            range.measure, range.low, range.high, range.unit
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_outside_the_range_are_named_with_it() {
        let clusters = Clusters::builtin();
        let p = Plausible::new(&clusters);
        assert_eq!(p.by_cluster.len(), RANGES.len(), "every range names a cluster");
        let bmi = [clusters.id("bmi").unwrap()];
        assert_eq!(p.check(&bmi, 31.2), Ok(()));
        assert_eq!(p.check(&bmi, 10.0), Ok(()));
        assert_eq!(
            p.check(&bmi, 500.0).unwrap_err(),
            "BMI 500 is outside the plausible range 10–100 kg/m2; the value was dropped, the event kept"
        );
        let systolic = [clusters.id("bp").unwrap(), clusters.id("systolic_bp").unwrap()];
        assert!(p.check(&systolic, 400.0).unwrap_err().starts_with("systolic blood pressure 400 is outside"));
        assert_eq!(p.check(&[clusters.id("smi").unwrap()], 400.0), Ok(()), "no range, no check");
        assert_eq!(p.check(&[], 0.0), Ok(()));
    }
}
