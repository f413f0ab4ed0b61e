//! Benchmarks that print numbers (not timed tests): `bench`, the whole
//! pipeline at S, M and L; `bench-fhir`, FHIR ingest throughput.

use std::fs::{self, File};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use cohort_finder::analysis;
use cohort_finder::ingest::{self, ColumnMapping, Loader};
use cohort_finder::model::Date;
use cohort_finder::report;
use cohort_finder::risk::admission::{self, RiskSettings};
use cohort_finder::synth::{self, Deprivation, SynthConfig};
use cohort_finder::{Engine, EngineConfig};

/// The workloads: S, M and L (a city the size of Leeds).
pub const SIZES: [(&str, usize); 3] = [("S", 10_000), ("M", 50_000), ("L", 820_000)];

const AS_OF: &str = "2026-11-23";

/// One workload's figures.
#[derive(Debug, serde::Serialize)]
pub struct Run {
    pub workload: String,
    pub patients: usize,
    pub events: usize,
    pub mb: f64,
    /// Counting line ends over the same bytes, read the same way: the ceiling for ingest.
    pub raw_scan_s: f64,
    /// Read and parse both files into the population (the loader streams: reading and parsing overlap).
    pub read_parse_s: f64,
    /// Every cohort, segment and eFI (the analysis pass).
    pub rules_s: f64,
    /// What the page keeps and shows: counts, breakdowns and the equity
    /// audit as JSON, with members kept compact for worklists.
    pub report_s: f64,
    /// The whole report with every member's reasons in words, as JSON (`analyse`).
    pub full_report_s: f64,
    /// The emergency-admission model: features, both fits, validation and scoring.
    pub risk_s: f64,
    /// Bytes on disk to every cohort, segment and eFI: read, parse and rules.
    pub end_to_end_s: f64,
    pub ingest_mb_per_s: f64,
    pub raw_scan_mb_per_s: f64,
    /// The event columns' bytes per stored event.
    pub bytes_per_event: f64,
    /// The analysis a session keeps (every list's members compact), MB.
    pub analysis_mb: f64,
    /// People on a list, counted once per list.
    pub memberships: usize,
    /// The process's peak resident memory (Linux VmHWM) up to the risk
    /// model, before the full report, MB: what a session holds at most.
    pub peak_rss_mb: Option<f64>,
    /// The same once the full report has been made.
    pub full_report_peak_rss_mb: Option<f64>,
}

/// Writes a workload's CSVs once into `dir/<patients>-<seed>/`.
fn workload_files(dir: &Path, patients: usize, seed: u64) -> Result<(PathBuf, PathBuf), String> {
    let out = dir.join(format!("{patients}-{seed}"));
    let (p, e) = (out.join("patients.csv"), out.join("events.csv"));
    if p.exists() && e.exists() {
        return Ok((p, e));
    }
    fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let config = SynthConfig {
        patients,
        seed,
        deprivation: Deprivation::Average,
        extract_date: AS_OF.parse().expect("a valid date"),
        practice_code: "Y00001".into(),
    };
    let create =
        |path: &Path| File::create(path).map(|f| BufWriter::with_capacity(1 << 20, f)).map_err(|e| e.to_string());
    let started = Instant::now();
    synth::generate(&config, &cohort_finder::codes::Clusters::builtin(), create(&p)?, create(&e)?)
        .map_err(|e| e.to_string())?;
    eprintln!("bench: wrote {patients} patients to {} in {:.1} s", out.display(), started.elapsed().as_secs_f64());
    Ok((p, e))
}

fn open(path: &Path) -> Result<BufReader<File>, String> {
    File::open(path).map(|f| BufReader::with_capacity(4 << 20, f)).map_err(|e| format!("{}: {e}", path.display()))
}

/// Line ends in a file, read in 4 MB chunks as the loader reads it.
fn count_lines(path: &Path) -> Result<usize, String> {
    let mut file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut buf = vec![0u8; 4 << 20];
    let mut lines = 0;
    loop {
        let n = file.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            return Ok(lines);
        }
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count();
    }
}

fn peak_rss_mb() -> Option<f64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 =
        status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb / 1024.0)
}

/// Runs one workload from its files.
pub fn run(name: &str, patients: usize, seed: u64, dir: &Path) -> Result<Run, String> {
    let (p, e) = workload_files(dir, patients, seed)?;
    let bytes = fs::metadata(&p).map_err(|e| e.to_string())?.len() + fs::metadata(&e).map_err(|e| e.to_string())?.len();
    let mb = bytes as f64 / 1e6;
    let as_of: Date = AS_OF.parse().expect("a valid date");
    let engine = Engine::new(&EngineConfig::default()).map_err(|e| e.to_string())?;

    let t = Instant::now();
    let lines = count_lines(&p)? + count_lines(&e)?;
    let raw_scan_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let mut loader: Loader = engine.loader(ColumnMapping::default());
    loader.load_patients(&p.display().to_string(), open(&p)?);
    loader.load_events(&e.display().to_string(), open(&e)?);
    let (pop, files) = loader.finish();
    let read_parse_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let analysis = analysis::analyse(&engine.plan, &pop, as_of);
    let rules_s = t.elapsed().as_secs_f64();
    let (analysis_bytes, memberships) = analysis.heap_bytes();

    let t = Instant::now();
    let mut files = files;
    ingest::note_events_after(&mut files, as_of);
    let unmapped = ingest::unmapped_codes(&pop, &engine.clusters, ingest::UNMAPPED_SHOWN);
    let stored = report::stored::StoredReport::new(&engine.plan, &pop, analysis, files.clone(), unmapped.clone());
    let json = stored.summary().to_json();
    let report_s = t.elapsed().as_secs_f64();
    drop(json);

    let t = Instant::now();
    let risk = admission::fit_and_score(&engine, &pop, as_of, &RiskSettings::default());
    let risk_s = t.elapsed().as_secs_f64();
    if let Err(e) = risk {
        eprintln!("bench: {name}: the risk model refused: {e}");
    }
    // What a session holds: the practice, the compact report and the risk model.
    let session_peak_rss_mb = peak_rss_mb();

    let t = Instant::now();
    let json = report::build(&engine.plan, &pop, stored.analysis(), files, unmapped).to_json();
    let full_report_s = t.elapsed().as_secs_f64();
    drop(json);

    let events = pop.events.len();
    debug_assert!(lines >= events);
    let end_to_end_s = read_parse_s + rules_s;
    Ok(Run {
        workload: name.into(),
        patients: pop.patients.len(),
        events,
        mb,
        raw_scan_s,
        read_parse_s,
        rules_s,
        report_s,
        full_report_s,
        risk_s,
        end_to_end_s,
        ingest_mb_per_s: mb / read_parse_s,
        raw_scan_mb_per_s: mb / raw_scan_s,
        bytes_per_event: pop.events.heap_bytes() as f64 / events.max(1) as f64,
        analysis_mb: analysis_bytes as f64 / 1e6,
        memberships,
        peak_rss_mb: session_peak_rss_mb,
        full_report_peak_rss_mb: peak_rss_mb(),
    })
}

fn mb_or_unknown(mb: Option<f64>) -> String {
    mb.map_or("?".into(), |m| format!("{m:.0} MB"))
}

/// `cohort-finder bench`: the workloads named (S, M, L), smallest first, as a table or JSON.
pub fn pipeline(workloads: &[String], seed: u64, dir: &Path, json: bool) -> Result<(), String> {
    let mut runs = Vec::new();
    for w in workloads {
        let &(name, patients) = SIZES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(w))
            .ok_or_else(|| format!("there is no workload '{w}' (S, M or L)"))?;
        let r = run(name, patients, seed, dir)?;
        if !json {
            println!(
                "{name} {:>7} patients {:>10} events {:>8.1} MB | raw scan {:>6.2} s ({:>6.0} MB/s) | read+parse {:>6.2} s ({:>5.0} MB/s, {:.0}% of raw) | rules {:>6.2} s | end to end {:>6.2} s | report {:>6.2} s | risk {:>6.2} s | {:.1} bytes/event | analysis {:.0} MB ({} memberships) | peak RSS {} | full report {:>6.2} s, peak RSS {}",
                r.patients,
                r.events,
                r.mb,
                r.raw_scan_s,
                r.raw_scan_mb_per_s,
                r.read_parse_s,
                r.ingest_mb_per_s,
                100.0 * r.ingest_mb_per_s / r.raw_scan_mb_per_s,
                r.rules_s,
                r.end_to_end_s,
                r.report_s,
                r.risk_s,
                r.bytes_per_event,
                r.analysis_mb,
                r.memberships,
                mb_or_unknown(r.peak_rss_mb),
                r.full_report_s,
                mb_or_unknown(r.full_report_peak_rss_mb),
            );
        }
        runs.push(r);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&runs).expect("serialises"));
    }
    Ok(())
}

pub fn fhir(patients: usize, seed: u64) -> Result<(), String> {
    use cohort_finder::synth::fhir::{self as synth_fhir, Shape};
    let date: Date = "2026-11-23".parse().expect("a valid date");
    let config = SynthConfig {
        patients,
        seed,
        deprivation: Deprivation::Average,
        extract_date: date,
        practice_code: "Y00001".into(),
    };
    let (mut p, mut e) = (Vec::new(), Vec::new());
    synth::generate(&config, &cohort_finder::codes::Clusters::builtin(), &mut p, &mut e).map_err(|e| e.to_string())?;
    let mut ndjson = Vec::new();
    let resources = synth_fhir::write(&p, &e, Shape::Ndjson, &mut ndjson).map_err(|e| e.to_string())?;
    let mut bundle = Vec::new();
    synth_fhir::write(&p, &e, Shape::Bundle, &mut bundle).map_err(|e| e.to_string())?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&ndjson).map_err(|e| e.to_string())?;
    let gzipped = gz.finish().map_err(|e| e.to_string())?;
    eprintln!("{patients} patients, {resources} resources");
    let engine = Engine::new(&EngineConfig::default()).map_err(|e| e.to_string())?;
    let mb = |n: usize| n as f64 / 1e6;
    let run = |label: &str, bytes: usize, load: &dyn Fn(&mut Loader)| {
        let started = Instant::now();
        let mut loader = engine.loader(ColumnMapping::default());
        load(&mut loader);
        let (pop, files) = loader.finish();
        let secs = started.elapsed().as_secs_f64();
        let rejected: u64 = files.iter().map(|f| f.rejected).sum();
        println!(
            "{label:<14} {:>8.1} MB {:>7.2} s {:>7.1} MB/s  ({} patients, {} events, {rejected} rejected)",
            mb(bytes),
            secs,
            mb(bytes) / secs,
            pop.patients.len(),
            pop.events.len()
        );
        secs
    };
    run("csv", p.len() + e.len(), &|l| {
        l.load_patients("patients.csv", &p[..]);
        l.load_events("events.csv", &e[..]);
    });
    run("ndjson", ndjson.len(), &|l| {
        l.load_fhir("practice.ndjson", &ndjson[..]);
    });
    let gz_secs = run("ndjson.gz", gzipped.len(), &|l| {
        l.load_fhir("practice.ndjson.gz", &gzipped[..]);
    });
    run("bundle", bundle.len(), &|l| {
        l.load_fhir("practice.json", &bundle[..]);
    });
    println!(
        "(ndjson.gz: MB are compressed bytes; {:.1} MB uncompressed, {:.1} MB/s of JSON)",
        mb(ndjson.len()),
        mb(ndjson.len()) / gz_secs
    );
    Ok(())
}
