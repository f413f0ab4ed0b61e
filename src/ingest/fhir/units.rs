//! Units: recognising the spellings of the few units the rules read, and
//! converting US laboratory units into the UK ones.
//!
//! A converted value is rounded with [`crate::math::round`] (the same bytes
//! natively and in WASM) and stored with a unit that says where it came
//! from, such as `mmol/L (from mg/dL)`: a worklist's reasons show it, so
//! staff can check the figure against the record. The unit table stays
//! small (one entry per target and source unit).

use serde::Deserialize;

/// A conversion into the unit the rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Conversion {
    /// Total and HDL cholesterol: mg/dL ÷ 38.67 = mmol/L.
    Cholesterol,
    /// Glucose: mg/dL ÷ 18.016 = mmol/L.
    Glucose,
    /// HbA1c: % (DCCT/NGSP) to mmol/mol (IFCC), (% − 2.15) × 10.929.
    Hba1c,
}

/// A value in the unit the rules expect.
#[derive(Debug, Clone, PartialEq)]
pub enum Converted {
    /// Already in the target unit (the target's spelling is kept).
    Same(f64),
    /// Converted; the unit names the source unit.
    From { value: f64, unit: String },
    /// A unit this measure cannot be converted from.
    Unknown,
}

/// The usual spelling of a unit: UCUM codes (`mm[Hg]`, `kg/m2`, `mg/dL`)
/// and their common variants map to what UK records show.
pub fn canonical(unit: &str) -> String {
    let compact: String = unit.chars().filter(|c| !c.is_whitespace()).collect();
    match compact.to_ascii_lowercase().as_str() {
        "mm[hg]" | "mmhg" => "mmHg".into(),
        "kg/m2" | "kg/m^2" | "kg/(m2)" | "kg/m²" => "kg/m2".into(),
        "mmol/l" => "mmol/L".into(),
        "mg/dl" => "mg/dL".into(),
        "mmol/mol" => "mmol/mol".into(),
        "%" | "percent" => "%".into(),
        _ => unit.trim().to_owned(),
    }
}

/// What a measure's values are stored in, and what else is taken for it.
#[derive(Debug, Clone, Copy)]
pub struct Target<'t> {
    /// The unit the rules read (canonical spelling).
    pub unit: &'t str,
    /// Other spellings meaning the same unit (such as `{score}`).
    pub also: &'t [String],
    pub conversion: Option<Conversion>,
    /// Decimal places a converted value is rounded to.
    pub places: usize,
}

/// `value` in `unit` (as written) as a value in the target's unit.
pub fn convert(value: f64, unit: Option<&str>, target: Target) -> Converted {
    let Some(unit) = unit.map(canonical).filter(|u| !u.is_empty()) else {
        // No unit given: the value is taken to be in the rules' unit.
        return Converted::Same(value);
    };
    if unit.eq_ignore_ascii_case(target.unit) || target.also.iter().any(|a| unit.eq_ignore_ascii_case(a)) {
        return Converted::Same(value);
    }
    let (conversion, places) = (target.conversion, target.places);
    let target = target.unit;
    let converted = match (conversion, unit.as_str()) {
        (Some(Conversion::Cholesterol), "mg/dL") => value / 38.67,
        (Some(Conversion::Glucose), "mg/dL") => value / 18.016,
        (Some(Conversion::Hba1c), "%") => (value - 2.15) * 10.929,
        _ => return Converted::Unknown,
    };
    Converted::From { value: crate::math::round(converted, places), unit: format!("{target} (from {unit})") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(
        value: f64,
        unit: Option<&str>,
        target: &str,
        conversion: Option<Conversion>,
        places: usize,
    ) -> Converted {
        let also = ["{score}".to_owned()];
        super::convert(value, unit, Target { unit: target, also: &also, conversion, places })
    }

    #[test]
    fn us_laboratory_units_become_uk_ones() {
        assert_eq!(
            convert(190.0, Some("mg/dL"), "mmol/L", Some(Conversion::Cholesterol), 1),
            Converted::From { value: 4.9, unit: "mmol/L (from mg/dL)".into() }
        );
        assert_eq!(
            convert(7.0, Some("%"), "mmol/mol", Some(Conversion::Hba1c), 0),
            Converted::From { value: 53.0, unit: "mmol/mol (from %)".into() }
        );
        assert_eq!(
            convert(126.0, Some("mg/dl"), "mmol/L", Some(Conversion::Glucose), 1),
            Converted::From { value: 7.0, unit: "mmol/L (from mg/dL)".into() }
        );
        assert_eq!(
            convert(45.0, Some("mg/dL"), "mmol/L", Some(Conversion::Cholesterol), 2),
            Converted::From { value: 1.16, unit: "mmol/L (from mg/dL)".into() }
        );
    }

    #[test]
    fn spellings_of_the_target_unit_pass_and_others_are_refused() {
        assert_eq!(convert(5.2, Some("mmol/l"), "mmol/L", Some(Conversion::Cholesterol), 1), Converted::Same(5.2));
        assert_eq!(convert(128.0, Some("mm[Hg]"), "mmHg", None, 0), Converted::Same(128.0));
        assert_eq!(convert(5.2, None, "mmol/L", None, 0), Converted::Same(5.2));
        assert_eq!(convert(2.0, Some("g/L"), "mmol/L", Some(Conversion::Cholesterol), 1), Converted::Unknown);
        assert_eq!(canonical("kg/m^2"), "kg/m2");
        assert_eq!(convert(5.0, Some("{score}"), "AUDIT-C score", None, 0), Converted::Same(5.0));
    }
}
