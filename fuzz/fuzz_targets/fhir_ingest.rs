//! Arbitrary bytes as FHIR R4 files. The first byte chooses:
//! - bits 0–1: as is (0, 1), gzipped (2), or behind a bare gzip magic
//!   number, a broken gzip stream (3);
//! - bit 2: named `.ndjson` rather than `.json`;
//! - bit 3: cut in two files at the point the second byte says, so a
//!   resource may come before its patient.

#![no_main]

mod common;

use std::io::Write;

use cohort_finder::ingest::ColumnMapping;
use libfuzzer_sys::fuzz_target;

fn wrap(mode: u8, bytes: &[u8]) -> Vec<u8> {
    match mode & 3 {
        2 => {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(bytes).expect("writing to memory");
            gz.finish().expect("writing to memory")
        }
        3 => [&[0x1f, 0x8b][..], bytes].concat(),
        _ => bytes.to_vec(),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let name = if mode & 4 != 0 { "fuzz.ndjson" } else { "fuzz.json" };
    let engine = common::engine();
    let mut loader = engine.loader(ColumnMapping::default());
    if mode & 8 != 0 {
        let Some((&at, rest)) = rest.split_first() else { return };
        let (first, second) = rest.split_at(usize::from(at) * rest.len() / 256);
        common::check_counts(loader.load_fhir(name, &wrap(mode, first)[..]), false);
        common::check_counts(loader.load_fhir(name, &wrap(mode, second)[..]), false);
    } else {
        common::check_counts(loader.load_fhir(name, &wrap(mode, rest)[..]), false);
    }
    common::finish_and_report(engine, loader);
});
