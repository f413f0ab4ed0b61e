//! Small-number suppression for every count that leaves the practice.
//!
//! The rule is NHS Digital's disclosure control for sub-national
//! aggregates (HES/ECDS methodology, 2018): a count of 1 to 7 is
//! suppressed, every other count is rounded to the nearest 5. Zero is shown
//! as zero. Each count is disclosed from its own true value, totals
//! included, so a total is never the sum of rounded parts and a suppressed
//! cell can never be recovered exactly by subtraction.

use serde::Serialize;

/// Counts from 1 up to this are suppressed.
pub const SUPPRESS_UP_TO: u64 = 7;
/// Every other count is rounded to a multiple of this.
pub const ROUND_TO: u64 = 5;

/// A count as shared: `None` when suppressed.
pub fn disclose(count: u64) -> Option<u64> {
    match count {
        0 => Some(0),
        1..=SUPPRESS_UP_TO => None,
        // Counts are whole numbers, so no count sits exactly halfway.
        n => Some((n + ROUND_TO / 2) / ROUND_TO * ROUND_TO),
    }
}

/// The rule as a summary file states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Disclosure {
    /// True only for figures straight from an extract on this machine:
    /// never written to a file.
    pub exact: bool,
    /// Counts from 1 to this are suppressed (written as null).
    pub suppressed_up_to: u64,
    /// Every other count is rounded to the nearest multiple of this.
    pub rounded_to: u64,
    pub rule: String,
}

impl Disclosure {
    pub fn exact() -> Disclosure {
        Disclosure {
            exact: true,
            suppressed_up_to: 0,
            rounded_to: 1,
            rule: "exact counts from the practice's own extract, for this machine only".into(),
        }
    }

    pub fn shared() -> Disclosure {
        Disclosure {
            exact: false,
            suppressed_up_to: SUPPRESS_UP_TO,
            rounded_to: ROUND_TO,
            rule: "Counts of 1 to 7 are suppressed (null); every other count is rounded to the nearest 5. \
                   Each total is rounded from its true value, so groups need not add up to it."
                .into(),
        }
    }

    /// The most a shown count can differ from the true one.
    pub fn max_rounding_error(&self) -> u64 {
        self.rounded_to / 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_to_seven_are_suppressed_and_the_rest_rounded_to_five() {
        let shown: Vec<Option<u64>> = (0..=18).map(disclose).collect();
        let expected = [
            Some(0),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            Some(10), // 8
            Some(10),
            Some(10),
            Some(10),
            Some(10), // 12
            Some(15), // 13
            Some(15),
            Some(15),
            Some(15),
            Some(15), // 17
            Some(20), // 18
        ];
        assert_eq!(shown, expected);
        assert_eq!(disclose(1_002), Some(1_000));
        assert_eq!(disclose(1_003), Some(1_005));
    }

    #[test]
    fn no_disclosed_count_is_one_to_seven_and_none_is_more_than_two_out() {
        for n in 0..10_000 {
            if let Some(d) = disclose(n) {
                assert!(d == 0 || d > SUPPRESS_UP_TO, "{n} shown as {d}");
                assert!(d.abs_diff(n) <= Disclosure::shared().max_rounding_error(), "{n} shown as {d}");
                assert_eq!(d % ROUND_TO, 0);
            } else {
                assert!((1..=SUPPRESS_UP_TO).contains(&n));
            }
        }
    }
}
