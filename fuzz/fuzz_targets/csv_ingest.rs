//! A patients file and an events file from arbitrary bytes: the first two
//! bytes say where the patients file ends.

#![no_main]

mod common;

use cohort_finder::ingest::ColumnMapping;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((head, rest)) = data.split_first_chunk::<2>() else { return };
    let split = usize::from(u16::from_le_bytes(*head)) % (rest.len() + 1);
    let (patients, events) = rest.split_at(split);
    let engine = common::engine();
    let mut loader = engine.loader(ColumnMapping::default());
    common::check_counts(loader.load_patients("patients.csv", patients), true);
    common::check_counts(loader.load_events("events.csv", events), true);
    common::finish_and_report(engine, loader);
});
