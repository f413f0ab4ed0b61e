//! Cohort Finder: cohort finding and risk stratification for English
//! primary care, from a practice's own export, on the practice's own machine.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! ingest ──► model::Population ◄── codes (clusters)
//!                  │
//!                  ├─► rules    cohorts, each member with reasons and checks
//!                  ├─► risk     electronic frailty index
//!                  ├─► segment  one of nine segments per person
//!                  ▼
//!               report   counts, breakdowns, worklists, JSON/CSV
//! ```
//!
//! Start at [`analyse`]. `synth` makes deterministic synthetic practices.

pub mod codes;
pub mod model;
pub mod ingest;
pub mod synth;
