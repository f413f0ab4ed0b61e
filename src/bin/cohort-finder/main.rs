//! The command line: make a synthetic practice, analyse an export, show
//! the definitions. Built with `--features cli`.

use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

mod bench;

use clap::{Parser, Subcommand, ValueEnum};
use cohort_finder::codes::Clusters;
use cohort_finder::compare::practices::{Comparison, Source};
use cohort_finder::compare::{lists, summary};
use cohort_finder::ingest::wide::WideProfile;
use cohort_finder::ingest::{ColumnMapping, Loader};
use cohort_finder::model::{Date, Population};
use cohort_finder::risk::admission::{self, RiskSettings};
use cohort_finder::rules::{RuleOptions, RuleSource};
use cohort_finder::synth::{self, Deprivation, SynthConfig};
use cohort_finder::{report, CodelistOverride, Engine, EngineConfig};

#[derive(Parser)]
#[command(name = "cohort-finder", version, about = "Cohort finding and risk stratification for English primary care")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a synthetic practice: DIR/patients.csv and DIR/events.csv.
    Synth {
        #[arg(long)]
        patients: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
        /// deprived, average or affluent
        #[arg(long, default_value = "average")]
        deprivation: Deprivation,
        /// Last day of the extract (default: today).
        #[arg(long)]
        extract_date: Option<Date>,
        #[arg(long, default_value = "Y00001")]
        practice_code: String,
        /// Also write the practice as FHIR R4: DIR/practice.ndjson (bulk
        /// NDJSON) or DIR/bundle.json (one collection Bundle).
        #[arg(long, value_enum)]
        fhir: Option<FhirShape>,
    },
    /// Analyse an export and print the report.
    Analyse {
        #[command(flatten)]
        rules: RuleArgs,
        #[command(flatten)]
        extract: ExtractArgs,
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
        /// Write DIR/report.json (or the CSV files) instead of printing JSON.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print the time each stage took to standard error.
        #[arg(long)]
        timings: bool,
    },
    /// Write a practice summary to share: counts only, 1-7 suppressed, the rest rounded to 5.
    Summary {
        #[command(flatten)]
        rules: RuleArgs,
        #[command(flatten)]
        extract: ExtractArgs,
        /// The code for people with no practice_code (default: the patients file's name).
        #[arg(long)]
        practice_code: Option<String>,
        /// Write the summary here instead of printing it.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Compare practices: summary files and extracts side by side, or one indicator's funnel plot.
    Compare {
        #[command(flatten)]
        rules: RuleArgs,
        /// A practice summary file (repeatable).
        #[arg(long = "summary", value_name = "FILE")]
        summaries: Vec<PathBuf>,
        /// A practice's extract read here, exact: PATIENTS,EVENTS[,EVENTS...] (repeatable).
        #[arg(long = "extract", value_name = "PATIENTS,EVENTS")]
        extracts: Vec<String>,
        /// The date extracts are drawn up for (default: today).
        #[arg(long)]
        as_of: Option<Date>,
        /// Print this indicator's funnel plot instead of the table.
        #[arg(long)]
        funnel: Option<String>,
        /// With --group: one group of a dimension (imd_quintile, ethnicity, sex, age_band).
        #[arg(long, requires = "group")]
        dimension: Option<String>,
        #[arg(long, requires = "dimension")]
        group: Option<String>,
        /// json (the table or funnel) or csv (every figure, disclosed).
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
    /// Compare one list at two dates, or against a list of NHS numbers from a GP system's search.
    CompareLists {
        #[command(flatten)]
        rules: RuleArgs,
        #[command(flatten)]
        extract: ExtractArgs,
        /// The cohort whose lists are compared.
        #[arg(long)]
        cohort: String,
        /// Last month's patients file.
        #[arg(long, requires = "before_events", conflicts_with = "nhs_list")]
        before_patients: Option<PathBuf>,
        #[arg(long, num_args = 1.., requires = "before_patients")]
        before_events: Vec<PathBuf>,
        /// The date last month's lists are drawn up for.
        #[arg(long, requires = "before_patients")]
        before_as_of: Option<Date>,
        /// A file of NHS numbers (one a line, or a CSV with an NHS number column).
        #[arg(long)]
        nhs_list: Option<PathBuf>,
        /// Print one group (joined, left, both) instead of the whole comparison.
        #[arg(long)]
        group: Option<String>,
        /// With --group: csv, or nhs (NHS numbers one a line).
        #[arg(long, value_enum, default_value_t = ListFormat::Json)]
        format: ListFormat,
    },
    /// Fit the emergency-admission risk model on the practice's history and print its model card.
    Risk {
        #[command(flatten)]
        rules: RuleArgs,
        #[command(flatten)]
        extract: ExtractArgs,
        /// Risk tier boundaries: cumulative percentages from the top.
        #[arg(long, value_delimiter = ',', default_value = "0.5,2,5")]
        tiers: Vec<f64>,
        /// Also write everyone's score and tier here as CSV, highest risk first.
        #[arg(long)]
        scores: Option<PathBuf>,
        /// Print the time reading and fitting took to standard error.
        #[arg(long)]
        timings: bool,
    },
    /// Time the whole pipeline on synthetic workloads: S = 10,000, M = 50,000, L = 820,000 patients.
    Bench {
        /// Workloads, from S, M and L.
        #[arg(long, value_delimiter = ',', default_value = "S,M")]
        workloads: Vec<String>,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Where the workloads' CSV files are written once and kept.
        #[arg(long, default_value = "target/bench")]
        dir: PathBuf,
        /// Print JSON instead of a line per workload.
        #[arg(long)]
        json: bool,
    },
    /// Time FHIR ingest: a synthetic practice as NDJSON, gzipped NDJSON and a Bundle, read in memory.
    BenchFhir {
        #[arg(long, default_value_t = 50_000)]
        patients: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// List the cohorts, segments and settings, or one cluster's codes as CSV.
    Definitions {
        #[command(flatten)]
        rules: RuleArgs,
        /// Print this cluster's codes (code,term,system).
        #[arg(long)]
        cluster: Option<String>,
    },
}

#[derive(clap::Args)]
struct RuleArgs {
    /// Change a setting, e.g. --set case_finding_min_age=45 (repeatable).
    #[arg(long = "set", value_name = "ID=VALUE")]
    settings: Vec<String>,
    /// Segment ids in order of precedence, comma-separated.
    #[arg(long, value_delimiter = ',')]
    precedence: Option<Vec<String>>,
    /// Replace a cluster's codes: --codelist ld_health_check=codes.csv (repeatable).
    #[arg(long = "codelist", value_name = "CLUSTER=FILE")]
    codelists: Vec<String>,
    /// Add a rule file with local cohorts (repeatable).
    #[arg(long = "rules", value_name = "FILE")]
    rule_files: Vec<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Json,
    Csv,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ListFormat {
    Json,
    Csv,
    Nhs,
}

/// One practice's export and the date to draw its lists up for: a
/// patients file and events files, or FHIR files.
#[derive(clap::Args)]
struct ExtractArgs {
    #[arg(long, requires = "events", conflicts_with = "fhir")]
    patients: Option<PathBuf>,
    /// One or more events files.
    #[arg(long, num_args = 1.., requires = "patients", conflicts_with = "fhir")]
    events: Vec<PathBuf>,
    /// FHIR R4 files (Bundle, NDJSON or one resource; gzipped or not), or
    /// folders of them (.json, .ndjson, .gz), instead of --patients and --events.
    #[arg(long, num_args = 1..)]
    fhir: Vec<PathBuf>,
    /// A wide report (one row a patient, columns such as "Latest BP date"),
    /// read through --profile, instead of --patients and --events.
    #[arg(long, requires = "profile", conflicts_with_all = ["patients", "fhir"])]
    wide: Option<PathBuf>,
    /// The wide report's mapping profile (TOML): which column is which cluster.
    #[arg(long, requires = "wide")]
    profile: Option<PathBuf>,
    /// The date the lists are drawn up for (default: today).
    #[arg(long)]
    as_of: Option<Date>,
    /// A TOML file naming the columns: [patients] date_of_birth = "DOB".
    #[arg(long)]
    mapping: Option<PathBuf>,
}

impl ExtractArgs {
    /// Reads the files into `loader`: CSV or FHIR, one or the other.
    fn read_into(&self, loader: &mut Loader, clusters: &Clusters) -> Result<(), String> {
        if let (Some(report), Some(profile)) = (&self.wide, &self.profile) {
            let text = fs::read_to_string(profile).map_err(|e| format!("{}: {e}", profile.display()))?;
            let checked = WideProfile::parse(&text)
                .map_err(|e| vec![e])
                .and_then(|p| p.check(clusters))
                .map_err(|problems| format!("{}: {}", profile.display(), problems.join("; ")))?;
            loader.load_wide(&report.display().to_string(), open(report)?, &checked);
            return Ok(());
        }
        match (&self.patients, self.fhir.is_empty()) {
            (Some(patients), true) => {
                load_csv(loader, patients, &self.events)?;
                Ok(())
            }
            (None, false) => {
                for path in fhir_files(&self.fhir)? {
                    loader.load_fhir(&path.display().to_string(), open(&path)?);
                }
                Ok(())
            }
            (Some(_), false) => Err("give --patients and --events, or --fhir, not both".into()),
            (None, true) => {
                Err("give the extract: --patients FILE --events FILE..., --fhir PATH... or --wide FILE --profile FILE"
                    .into())
            }
        }
    }

    /// The extract's name: the patients file's, or the first FHIR path's.
    fn stem(&self) -> String {
        let first = self.patients.as_deref().or(self.wide.as_deref()).or(self.fhir.first().map(PathBuf::as_path));
        file_stem(first.unwrap_or(Path::new("")))
    }
}

fn load_csv(loader: &mut Loader, patients: &Path, events: &[PathBuf]) -> Result<(), String> {
    loader.load_patients(&patients.display().to_string(), open(patients)?);
    for path in events {
        loader.load_events(&path.display().to_string(), open(path)?);
    }
    Ok(())
}

/// The FHIR files named: files as given, folders walked (sorted, with
/// their subfolders) for .json, .ndjson, .jsonl and .gz files.
fn fhir_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
        let mut entries: Vec<PathBuf> = fs::read_dir(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .map(|e| e.map(|e| e.path()).map_err(|e| format!("{}: {e}", dir.display())))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out)?;
            } else {
                let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
                if [".json", ".ndjson", ".jsonl", ".gz"].iter().any(|e| name.ends_with(e)) {
                    out.push(path);
                }
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let before = out.len();
            walk(path, &mut out)?;
            if out.len() == before {
                return Err(format!("{}: no .json, .ndjson or .gz files in this folder", path.display()));
            }
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

/// How `synth --fhir` writes the practice.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum FhirShape {
    Ndjson,
    Bundle,
}

/// Reads an extract into a population, with its file reports.
fn load(
    engine: &Engine,
    extract: &ExtractArgs,
) -> Result<(Population, Vec<cohort_finder::ingest::FileReport>), String> {
    let mut loader = engine.loader(column_mapping(extract.mapping.as_deref())?);
    extract.read_into(&mut loader, &engine.clusters)?;
    Ok(loader.finish())
}

/// Reads a CSV extract (patients and events files) into a population.
fn load_csv_extract(
    engine: &Engine,
    patients: &Path,
    events: &[PathBuf],
    mapping: Option<&Path>,
) -> Result<(Population, Vec<cohort_finder::ingest::FileReport>), String> {
    let mut loader = engine.loader(column_mapping(mapping)?);
    load_csv(&mut loader, patients, events)?;
    Ok(loader.finish())
}

/// Reads one synthetic practice as CSV and as FHIR in three shapes, and
/// prints each one's throughput (bytes read, in MB of 10^6 bytes, over the
/// time to read them and build the population).
fn column_mapping(path: Option<&Path>) -> Result<ColumnMapping, String> {
    match path {
        Some(path) => ColumnMapping::from_toml(&read(path)?).map_err(|e| format!("{}: {e}", path.display())),
        None => Ok(ColumnMapping::default()),
    }
}

/// Writes `text` to `out`, or prints it.
fn emit(text: &str, out: Option<&Path>) -> Result<(), String> {
    match out {
        Some(path) => {
            fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            eprintln!("wrote {}", path.display());
            Ok(())
        }
        None => io::stdout().lock().write_all(text.as_bytes()).map_err(|e| e.to_string()),
    }
}

fn file_stem(path: &Path) -> String {
    path.file_stem().map_or_else(|| "practice".into(), |s| s.to_string_lossy().into_owned())
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("cohort-finder: {message}");
            ExitCode::from(2)
        }
    }
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn open(path: &Path) -> Result<BufReader<File>, String> {
    File::open(path).map(|f| BufReader::with_capacity(1 << 20, f)).map_err(|e| format!("{}: {e}", path.display()))
}

fn today() -> Date {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    chrono::DateTime::from_timestamp(secs as i64, 0).expect("the clock is in range").date_naive()
}

fn engine(args: &RuleArgs) -> Result<Engine, String> {
    let mut config = EngineConfig { rules: RuleOptions::default(), ..Default::default() };
    for s in &args.settings {
        config.rules.set(s)?;
    }
    config.rules.segment_precedence = args.precedence.clone();
    for c in &args.codelists {
        let (cluster, file) = c.split_once('=').ok_or_else(|| format!("--codelist takes CLUSTER=FILE, not '{c}'"))?;
        let path = Path::new(file);
        config.codelists.push(CodelistOverride {
            cluster: cluster.into(),
            file: path.display().to_string(),
            text: read(path)?,
        });
    }
    for path in &args.rule_files {
        config.extra_rules.push(RuleSource { name: path.display().to_string(), text: read(path)? });
    }
    Engine::new(&config).map_err(|e| format!("the rules could not be used:\n{e}"))
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Synth { patients, seed, out, deprivation, extract_date, practice_code, fhir } => {
            fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
            let create = |name: &str| {
                let path = out.join(name);
                File::create(&path)
                    .map(|f| BufWriter::with_capacity(1 << 20, f))
                    .map_err(|e| format!("{}: {e}", path.display()))
            };
            let config = SynthConfig {
                patients,
                seed,
                deprivation,
                extract_date: extract_date.unwrap_or_else(today),
                practice_code,
            };
            let clusters = cohort_finder::codes::Clusters::builtin();
            let summary = synth::generate(&config, &clusters, create("patients.csv")?, create("events.csv")?)
                .map_err(|e| format!("writing {}: {e}", out.display()))?;
            eprintln!("wrote {} patients and {} events to {}", summary.patients, summary.events, out.display());
            if let Some(shape) = fhir {
                let read = |name: &str| fs::read(out.join(name)).map_err(|e| format!("{name}: {e}"));
                let (name, shape) = match shape {
                    FhirShape::Ndjson => ("practice.ndjson", synth::fhir::Shape::Ndjson),
                    FhirShape::Bundle => ("bundle.json", synth::fhir::Shape::Bundle),
                };
                let resources = synth::fhir::write(&read("patients.csv")?, &read("events.csv")?, shape, create(name)?)
                    .map_err(|e| format!("writing {name}: {e}"))?;
                eprintln!("wrote {resources} FHIR resources to {}", out.join(name).display());
            }
            Ok(())
        }
        Command::Analyse { rules, extract, format, out, timings } => {
            let started = Instant::now();
            let engine = engine(&rules)?;
            let mapping = column_mapping(extract.mapping.as_deref())?;
            let t_rules = started.elapsed();
            let mut loader = engine.loader(mapping);
            extract.read_into(&mut loader, &engine.clusters)?;
            let as_of = extract.as_of;
            let t_read = started.elapsed();
            let (population, files) = loader.finish();
            let t_load = started.elapsed();
            let report = engine.report(&population, files, as_of.unwrap_or_else(today));
            let t_analyse = started.elapsed();
            match (format, out) {
                (Format::Json, None) => write_json(&report, io::stdout().lock()).map_err(|e| e.to_string())?,
                (Format::Json, Some(dir)) => {
                    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                    let path = dir.join("report.json");
                    let file = File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                    write_json(&report, BufWriter::with_capacity(1 << 20, file))
                        .map_err(|e| format!("{}: {e}", path.display()))?;
                    eprintln!("wrote {}", path.display());
                }
                (Format::Csv, Some(dir)) => write_files(&dir, &report::csv_files(&report))?,
                (Format::Csv, None) => return Err("--format csv writes several files: give --out DIR".into()),
            }
            if timings {
                eprintln!(
                    "rules {:.3}s, read {:.3}s, sort and index {:.3}s ({} patients, {} events), analyse and report {:.3}s, output {:.3}s",
                    t_rules.as_secs_f64(),
                    (t_read - t_rules).as_secs_f64(),
                    (t_load - t_read).as_secs_f64(),
                    population.patients.len(),
                    population.events.len(),
                    (t_analyse - t_load).as_secs_f64(),
                    (started.elapsed() - t_analyse).as_secs_f64(),
                );
            }
            Ok(())
        }
        Command::Summary { rules, extract, practice_code, out } => {
            let engine = engine(&rules)?;
            let (pop, files) = load(&engine, &extract)?;
            let report = engine.report(&pop, files, extract.as_of.unwrap_or_else(today));
            let code = practice_code.unwrap_or_else(|| extract.stem());
            emit(&summary::summarise(&engine, &pop, &report, &code).disclosed().to_json(), out.as_deref())
        }
        Command::Compare { rules, summaries, extracts, as_of, funnel, dimension, group, format } => {
            let engine = engine(&rules)?;
            let mut comparison = Comparison::new();
            for path in &summaries {
                comparison.add_file(&path.display().to_string(), &read(path)?, Source::Summary)?;
            }
            for spec in &extracts {
                let files: Vec<PathBuf> = spec.split(',').map(PathBuf::from).collect();
                let [patients, events @ ..] = &files[..] else { unreachable!("split gives one item at least") };
                if events.is_empty() {
                    return Err(format!("--extract takes PATIENTS,EVENTS[,EVENTS...], not '{spec}'"));
                }
                let (pop, files) = load_csv_extract(&engine, patients, events, None)?;
                let report = engine.report(&pop, files, as_of.unwrap_or_else(today));
                let summary = summary::summarise(&engine, &pop, &report, &file_stem(patients));
                comparison.add(&patients.display().to_string(), &summary, Source::Extract);
            }
            if comparison.is_empty() {
                return Err("give at least one --summary or --extract".into());
            }
            let at = dimension.as_deref().zip(group.as_deref());
            let text = match (format, funnel) {
                (Format::Csv, _) => comparison.csv(),
                (Format::Json, Some(indicator)) => json_line(&comparison.funnel(&indicator, at)?),
                (Format::Json, None) => json_line(&comparison.table(at)),
            };
            emit(&text, None)
        }
        Command::CompareLists {
            rules,
            extract,
            cohort,
            before_patients,
            before_events,
            before_as_of,
            nhs_list,
            group,
            format,
        } => {
            let engine = engine(&rules)?;
            let (pop, _) = load(&engine, &extract)?;
            let label = if nhs_list.is_some() { "our list" } else { "this month" };
            let after =
                lists::Side { population: &pop, as_of: extract.as_of.unwrap_or_else(today), label: label.into() };
            let comparison = match (&before_patients, &nhs_list) {
                (Some(patients), None) => {
                    let (before_pop, _) =
                        load_csv_extract(&engine, patients, &before_events, extract.mapping.as_deref())?;
                    let as_of = before_as_of.ok_or("--before-as-of is needed with --before-patients")?;
                    let before = lists::Side { population: &before_pop, as_of, label: "last month".into() };
                    lists::compare_extracts(&engine, before, after, &cohort)?
                }
                (None, Some(path)) => {
                    let bytes = fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
                    let theirs = lists::read_nhs_number_list(&path.display().to_string(), &bytes);
                    lists::compare_with_nhs_numbers(&engine, after, &theirs, &cohort)?
                }
                _ => return Err("give --before-patients, --before-events and --before-as-of, or --nhs-list".into()),
            };
            let text = match (group, format) {
                (None, ListFormat::Json) => json_line(&comparison),
                (None, _) => return Err("--format csv or nhs needs --group joined, left or both".into()),
                (Some(g), ListFormat::Json) => return Err(format!("--group {g} needs --format csv or nhs")),
                (Some(g), ListFormat::Csv) => lists::comparison_csv(&comparison, &g)?,
                (Some(g), ListFormat::Nhs) => lists::comparison_nhs_numbers(&comparison, &g)?,
            };
            emit(&text, None)
        }
        Command::Risk { rules, extract, tiers, scores, timings } => {
            let started = Instant::now();
            let engine = engine(&rules)?;
            let (pop, _) = load(&engine, &extract)?;
            let t_load = started.elapsed();
            let settings = RiskSettings { tiers };
            let model = admission::fit_and_score(&engine, &pop, extract.as_of.unwrap_or_else(today), &settings)
                .map_err(|e| e.to_string())?;
            let t_fit = started.elapsed();
            if let Some(path) = &scores {
                fs::write(path, model.scores_csv(&pop)).map_err(|e| format!("{}: {e}", path.display()))?;
                eprintln!("wrote {}", path.display());
            }
            emit(&(model.to_json() + "\n"), None)?;
            if timings {
                eprintln!(
                    "read {:.3}s ({} patients, {} events), features, both fits, validation and scoring {:.3}s",
                    t_load.as_secs_f64(),
                    pop.patients.len(),
                    pop.events.len(),
                    (t_fit - t_load).as_secs_f64(),
                );
            }
            Ok(())
        }
        Command::Bench { workloads, seed, dir, json } => bench::pipeline(&workloads, seed, &dir, json),
        Command::BenchFhir { patients, seed } => bench::fhir(patients, seed),
        Command::Definitions { rules, cluster } => {
            let engine = engine(&rules)?;
            let mut out = io::stdout().lock();
            let mut print = |line: String| writeln!(out, "{line}").map_err(|e| e.to_string());
            if let Some(id) = cluster {
                let c = engine.clusters.id(&id).ok_or_else(|| format!("there is no cluster '{id}'"))?;
                print("code,term,system".into())?;
                for code in &engine.clusters.get(c).codes {
                    print(format!("{},\"{}\",{}", code.code, code.term.replace('"', "\"\""), code.system.label()))?;
                }
                return Ok(());
            }
            print("Cohorts:".into())?;
            for c in &engine.plan.cohorts {
                print(format!("  {:<36} {}", c.id, c.title))?;
            }
            print("Segments, in order of precedence:".into())?;
            for s in &engine.plan.segments {
                print(format!("  {:<36} {}", s.id, s.title))?;
            }
            print("Settings (--set ID=VALUE):".into())?;
            for (id, s) in &engine.plan.settings {
                print(format!(
                    "  {:<36} {} (default {})",
                    id,
                    cohort_finder::rules::plan::show(&s.value),
                    cohort_finder::rules::plan::show(&s.default)
                ))?;
            }
            print("Clusters (--cluster ID to list the codes, --codelist ID=FILE to replace):".into())?;
            for c in engine.clusters.iter() {
                print(format!("  {:<36} {} ({} codes)", c.id, c.title, c.codes.len()))?;
            }
            Ok(())
        }
    }
}

/// Compact JSON and a newline: the same bytes the browser binding returns, plus the line end.
fn json_line(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).expect("serialises") + "\n"
}

fn write_json(report: &report::Report, mut out: impl Write) -> io::Result<()> {
    report.write_json(&mut out)?;
    writeln!(out)?;
    out.flush()
}

fn write_files(dir: &Path, files: &[(String, String)]) -> Result<(), String> {
    fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for (name, text) in files {
        let path = dir.join(name);
        fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    eprintln!("wrote {} file(s) to {}", files.len(), dir.display());
    Ok(())
}
