//! Comparisons that let a PCN see across practices and across months
//! without patient data leaving a practice.
//!
//! - [`disclosure`]: the small-number rule every shared count goes through.
//! - [`summary`]: a practice's aggregate summary file (schema v1), exact
//!   for use on the machine that holds the extract, disclosed for sharing.
//! - [`practices`]: several practices side by side, and funnel plots.
//! - [`funnel`]: control limits for a proportion against a target.
//! - [`lists`]: one list at two dates, or against a GP system's search:
//!   who joined, who left, and why.

pub mod disclosure;
pub mod funnel;
pub mod lists;
pub mod practices;
pub mod summary;
