//! The browser binding: a thin `Session` over [`crate::Engine`].
//!
//! Files go in as bytes or through a read callback (so a Web Worker can
//! stream a `File` with `FileReaderSync` and `File.slice`, never holding the
//! whole file); reports come out as JSON text, the same bytes the native
//! CLI writes for the same input and as-of date. No clinical logic here.

use std::io::{self, Read};

use js_sys::{Function, Uint8Array};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::compare::practices::{Comparison, Source};
use crate::compare::{lists, summary};
use crate::ingest::wide::{self, WideProfile};
use crate::ingest::{ColumnMapping, FileReport, Loader};
use crate::model::{Date, Population};
use crate::report;
use crate::report::stored::StoredReport;
use crate::report::worklist::{Query, RiskById};
use crate::risk::admission::{self, RiskModel, RiskSettings};
use crate::rules::{RuleOptions, RuleSource};
use crate::synth::{self, Deprivation, SynthConfig};
use crate::{CodelistOverride, Engine, EngineConfig};

/// The settings a page may pass, as JSON: every field optional.
#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
struct SessionConfig {
    settings: std::collections::BTreeMap<String, toml::Value>,
    segment_precedence: Option<Vec<String>>,
    codelists: Vec<CodelistJson>,
    rules: Vec<RuleJson>,
    mapping: ColumnMapping,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodelistJson {
    cluster: String,
    file: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleJson {
    name: String,
    text: String,
}

fn error(message: impl std::fmt::Display) -> JsError {
    JsError::new(&message.to_string())
}

fn no_file_begun() -> JsError {
    error("no file has been begun")
}

/// The report of the file just ended, as JSON.
fn file_report_json(report: Option<&FileReport>) -> Result<String, JsError> {
    report.map(|r| serde_json::to_string(r).unwrap()).ok_or_else(no_file_begun)
}

fn parse_date(text: &str) -> Result<Date, JsError> {
    text.parse().map_err(|_| error(format!("'{text}' is not a date (expected yyyy-mm-dd)")))
}

/// One practice's data, loaded once and reported on for any as-of date.
#[wasm_bindgen]
pub struct Session {
    engine: Engine,
    mapping: ColumnMapping,
    /// Files being read, before `finishLoading`.
    loader: Option<Loader>,
    population: Option<(Population, Vec<FileReport>)>,
    /// The latest analysis, which worklist queries page through.
    report: Option<StoredReport>,
    /// The latest list comparison, which the group exports read.
    lists: Option<lists::ListComparison>,
    /// The latest emergency-admission risk model, while it is for the latest analysis's date.
    risk: Option<FittedRisk>,
    /// The chunk `pushBytes` copies in, kept from chunk to chunk.
    chunk: Vec<u8>,
}

/// A risk model with its scores by patient id, which worklists filter and sort by.
struct FittedRisk {
    model: RiskModel,
    by_id: RiskById,
    as_of: Date,
}

#[wasm_bindgen]
impl Session {
    /// `config` is JSON: `{settings, segmentPrecedence, codelists, rules, mapping}`.
    #[wasm_bindgen(constructor)]
    pub fn new(config: &str) -> Result<Session, JsError> {
        let config: SessionConfig = if config.trim().is_empty() {
            SessionConfig::default()
        } else {
            serde_json::from_str(config).map_err(error)?
        };
        let engine_config = EngineConfig {
            rules: RuleOptions { settings: config.settings, segment_precedence: config.segment_precedence },
            extra_rules: config.rules.into_iter().map(|r| RuleSource { name: r.name, text: r.text }).collect(),
            codelists: config
                .codelists
                .into_iter()
                .map(|c| CodelistOverride { cluster: c.cluster, file: c.file, text: c.text })
                .collect(),
        };
        let engine = Engine::new(&engine_config).map_err(error)?;
        Ok(Session {
            engine,
            mapping: config.mapping,
            loader: None,
            population: None,
            report: None,
            lists: None,
            risk: None,
            chunk: Vec::new(),
        })
    }

    /// The loader for the files being read, started on the first file.
    fn loader(&mut self) -> &mut Loader {
        let (engine, mapping) = (&self.engine, &self.mapping);
        self.loader.get_or_insert_with(|| engine.loader(mapping.clone()))
    }

    /// Reads a patients file from bytes; returns its file report as JSON.
    #[wasm_bindgen(js_name = loadPatientsBytes)]
    pub fn load_patients_bytes(&mut self, name: &str, bytes: &[u8]) -> String {
        serde_json::to_string(self.loader().load_patients(name, bytes)).unwrap()
    }

    /// Reads an events file from bytes; returns its file report as JSON.
    #[wasm_bindgen(js_name = loadEventsBytes)]
    pub fn load_events_bytes(&mut self, name: &str, bytes: &[u8]) -> String {
        serde_json::to_string(self.loader().load_events(name, bytes)).unwrap()
    }

    /// Begins a patients (`kind` "patients") or events ("events") file
    /// whose bytes come in chunks as they are read: `pushBytes` each chunk
    /// in order, then `endFile`. How the file is cut never changes what is read.
    #[wasm_bindgen(js_name = beginFile)]
    pub fn begin_file(&mut self, kind: &str, name: &str) -> Result<(), JsError> {
        match kind {
            "patients" => self.loader().begin_patients(name),
            "events" => self.loader().begin_events(name),
            _ => return Err(error(format!("'{kind}' files are not read in chunks (patients or events)"))),
        }
        Ok(())
    }

    /// Reads the next chunk of the file begun; returns the lines read so far
    /// (lines, not rows: a quoted cell may hold a line break, and the header
    /// is a line). The chunk is copied into a buffer kept from chunk to chunk.
    #[wasm_bindgen(js_name = pushBytes)]
    pub fn push_bytes(&mut self, chunk: &Uint8Array) -> Result<f64, JsError> {
        let mut buffer = std::mem::take(&mut self.chunk);
        copy_into(chunk, &mut buffer);
        let lines = self.loader().push(&buffer);
        self.chunk = buffer;
        lines.map(|l| l as f64).ok_or_else(no_file_begun)
    }

    /// Ends the file begun: reads its last row; returns its file report as JSON.
    #[wasm_bindgen(js_name = endFile)]
    pub fn end_file(&mut self) -> Result<String, JsError> {
        file_report_json(self.loader().end_file())
    }

    /// Ends the file begun because the rest of it could not be read
    /// (`why`): the rows before stay read; returns its file report as JSON.
    #[wasm_bindgen(js_name = failFile)]
    pub fn fail_file(&mut self, why: &str) -> Result<String, JsError> {
        file_report_json(self.loader().fail_file(why))
    }

    /// Streams a FHIR R4 file (Bundle, NDJSON or one resource; gzipped or
    /// not) of `size` bytes: `read(start, end)` returns bytes from `start`
    /// (up to `end`) as a Uint8Array; `progress(bytesRead, linesRead)` is
    /// called after each chunk. A resource whose patient is not
    /// read yet waits for `finishLoading` (`fhir.pending` here); the
    /// analysis report's `input` has the final counts.
    #[wasm_bindgen(js_name = loadFhir)]
    pub fn load_fhir(&mut self, name: &str, size: f64, read: Function, progress: Function) -> String {
        let reader = CallbackReader::new(size, read, progress);
        serde_json::to_string(self.loader().load_fhir(name, reader)).unwrap()
    }

    /// Reads a FHIR file from bytes, as [`Session::load_fhir`].
    #[wasm_bindgen(js_name = loadFhirBytes)]
    pub fn load_fhir_bytes(&mut self, name: &str, bytes: &[u8]) -> String {
        serde_json::to_string(self.loader().load_fhir(name, bytes)).unwrap()
    }

    /// Reads a wide report from bytes, as [`Session::load_wide`].
    #[wasm_bindgen(js_name = loadWideBytes)]
    pub fn load_wide_bytes(&mut self, name: &str, bytes: &[u8], profile: &str) -> Result<String, JsError> {
        let checked = self.checked_profile(profile).map_err(|problems| error(problems.join("\n")))?;
        Ok(serde_json::to_string(self.loader().load_wide(name, bytes, &checked)).unwrap())
    }

    /// Streams a wide report (one row a patient) through a mapping profile
    /// (TOML or JSON text), as [`Session::load_fhir`]; a profile that
    /// does not check out is an error naming every problem, and nothing is read.
    #[wasm_bindgen(js_name = loadWide)]
    pub fn load_wide(
        &mut self,
        name: &str,
        size: f64,
        read: Function,
        progress: Function,
        profile: &str,
    ) -> Result<String, JsError> {
        let checked = self.checked_profile(profile).map_err(|problems| error(problems.join("\n")))?;
        let reader = CallbackReader::new(size, read, progress);
        Ok(serde_json::to_string(self.loader().load_wide(name, reader, &checked)).unwrap())
    }

    fn checked_profile(&self, text: &str) -> Result<wide::CheckedProfile, Vec<String>> {
        WideProfile::parse(text).map_err(|e| vec![e])?.check(&self.engine.clusters)
    }

    /// The headers and first rows of a wide report (the start of the file
    /// is enough) and a suggested profile, as JSON `{headers, rows, suggested}`.
    #[wasm_bindgen(js_name = widePreview)]
    pub fn wide_preview(&self, name: &str, start: &[u8]) -> String {
        serde_json::to_string(&wide::preview(name, start, &self.engine.clusters)).expect("serialises")
    }

    /// Every cluster's id and title, as JSON `[{id, title}]`, for a mapping screen.
    #[wasm_bindgen(js_name = clusterTitles)]
    pub fn cluster_titles(&self) -> String {
        let list: Vec<serde_json::Value> =
            self.engine.clusters.iter().map(|c| serde_json::json!({ "id": c.id, "title": c.title })).collect();
        serde_json::Value::Array(list).to_string()
    }

    /// Reads a mapping profile (TOML or JSON) and checks it against this
    /// session's clusters: JSON `{profile, problems}`, `profile` null when it
    /// cannot be read at all.
    #[wasm_bindgen(js_name = checkWideProfile)]
    pub fn check_wide_profile(&self, text: &str) -> String {
        let (profile, problems) = match WideProfile::parse(text) {
            Ok(p) => {
                let problems = p.check(&self.engine.clusters).err().unwrap_or_default();
                (Some(p), problems)
            }
            Err(e) => (None, vec![e]),
        };
        serde_json::json!({ "profile": profile, "problems": problems }).to_string()
    }

    /// Ends loading and builds the population; returns the patient and event counts.
    #[wasm_bindgen(js_name = finishLoading)]
    pub fn finish_loading(&mut self) -> Result<String, JsError> {
        let loader = self.loader.take().ok_or_else(|| error("no files have been loaded"))?;
        let (pop, files) = loader.finish();
        let counts = serde_json::json!({ "patients": pop.patients.len(), "events": pop.events.len() });
        self.population = Some((pop, files));
        Ok(counts.to_string())
    }

    /// Analyses the loaded files as of a date (yyyy-mm-dd) and keeps the
    /// result for worklist queries; returns the report without member rows.
    pub fn analyse(&mut self, as_of: &str) -> Result<String, JsError> {
        let (pop, files) = self.population.as_ref().ok_or_else(|| error("load the files first"))?;
        let as_of = parse_date(as_of)?;
        // The old analysis goes first: a city's two at once may not fit.
        self.report = None;
        let report = self.engine.stored_report(pop, files.clone(), as_of);
        let summary = report.summary().to_json();
        self.report = Some(report);
        // Scores are as of one date: another date needs the model fitted again.
        if self.risk.as_ref().is_some_and(|r| r.as_of != as_of) {
            self.risk = None;
        }
        Ok(summary)
    }

    /// A page of a worklist from the latest analysis. `query` is JSON:
    /// `{cohort, segments, imdQuintiles, ethnicities, ageBands, flags, missingCheck,
    /// tiers, search, sort, priority, descending, offset, limit}`. Rows carry
    /// `risk: {percent, tier, rank}` once the risk model is fitted; `tiers`
    /// and `sort: "risk"` need it.
    #[wasm_bindgen(js_name = worklistPage)]
    pub fn worklist_page(&self, query: &str) -> Result<String, JsError> {
        let query: Query = serde_json::from_str(query).map_err(error)?;
        let (pop, _) = self.loaded()?;
        let page = self.analysed()?.worklist_page(&self.engine.plan, pop, &query, self.risk_by_id()).map_err(error)?;
        Ok(serde_json::to_string(&page).expect("a page serialises"))
    }

    /// The whole filtered list as CSV with the chosen columns (a JSON array
    /// of column names); `header` false gives e.g. a bare list of NHS numbers.
    #[wasm_bindgen(js_name = worklistCsv)]
    pub fn worklist_csv(&self, query: &str, columns: &str, header: bool) -> Result<String, JsError> {
        let query: Query = serde_json::from_str(query).map_err(error)?;
        let columns: Vec<String> = serde_json::from_str(columns).map_err(error)?;
        let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
        let (pop, _) = self.loaded()?;
        self.analysed()?
            .worklist_csv(&self.engine.plan, pop, &query, self.risk_by_id(), &columns, header)
            .map_err(error)
    }

    /// The filtered list as NHS numbers for a GP system's import, as JSON
    /// `{text, included, left_out}` (patient ids with no valid NHS number).
    #[wasm_bindgen(js_name = nhsNumberList)]
    pub fn nhs_number_list(&self, query: &str) -> Result<String, JsError> {
        let query: Query = serde_json::from_str(query).map_err(error)?;
        let (pop, _) = self.loaded()?;
        let list =
            self.analysed()?.nhs_number_list(&self.engine.plan, pop, &query, self.risk_by_id()).map_err(error)?;
        Ok(serde_json::to_string(&list).expect("serialises"))
    }

    /// The health equity audit of the latest analysis as CSV: every measure
    /// by every group, with 95% intervals and the deprivation gap.
    #[wasm_bindgen(js_name = equityCsv)]
    pub fn equity_csv(&self) -> Result<String, JsError> {
        Ok(report::csv_export::equity_csv(&self.analysed()?.summary().equity))
    }

    /// The latest analysis as a practice summary (schema v1), one entry
    /// per practice code (people with none under `fallbackCode`). `exact`
    /// false gives the file to share (1-7 suppressed, the rest rounded to
    /// 5); exact figures are for a `PracticeComparison` on this machine.
    #[wasm_bindgen(js_name = summaryJson)]
    pub fn summary_json(&self, exact: bool, fallback_code: &str) -> Result<String, JsError> {
        let (pop, _) = self.loaded()?;
        let summary = summary::summarise(&self.engine, pop, self.analysed()?.summary(), fallback_code);
        Ok(if exact { summary } else { summary.disclosed() }.to_json())
    }

    /// This session's list (this month) against `before`'s (last month)
    /// for one cohort, as JSON; kept for the group exports.
    #[wasm_bindgen(js_name = compareExtracts)]
    pub fn compare_extracts(
        &mut self,
        before: &Session,
        cohort: &str,
        before_label: &str,
        after_label: &str,
    ) -> Result<String, JsError> {
        let comparison =
            lists::compare_extracts(&self.engine, before.side(before_label)?, self.side(after_label)?, cohort)
                .map_err(error)?;
        let json = serde_json::to_string(&comparison).expect("serialises");
        self.lists = Some(comparison);
        Ok(json)
    }

    /// This session's list against a file of NHS numbers from a GP
    /// system's search, as JSON; kept for the group exports.
    #[wasm_bindgen(js_name = compareNhsList)]
    pub fn compare_nhs_list(
        &mut self,
        file: &str,
        bytes: &[u8],
        cohort: &str,
        their_label: &str,
    ) -> Result<String, JsError> {
        let mut theirs = lists::read_nhs_number_list(file, bytes);
        theirs.label = their_label.to_owned();
        let comparison =
            lists::compare_with_nhs_numbers(&self.engine, self.side("our list")?, &theirs, cohort).map_err(error)?;
        let json = serde_json::to_string(&comparison).expect("serialises");
        self.lists = Some(comparison);
        Ok(json)
    }

    /// One group ("joined", "left", "both") of the latest list comparison as CSV.
    #[wasm_bindgen(js_name = listComparisonCsv)]
    pub fn list_comparison_csv(&self, group: &str) -> Result<String, JsError> {
        lists::comparison_csv(self.compared()?, group).map_err(error)
    }

    /// One group of the latest list comparison as NHS numbers, one a line.
    #[wasm_bindgen(js_name = listComparisonNhs)]
    pub fn list_comparison_nhs(&self, group: &str) -> Result<String, JsError> {
        lists::comparison_nhs_numbers(self.compared()?, group).map_err(error)
    }

    /// The loaded practice as analysed, for a list comparison.
    fn side(&self, label: &str) -> Result<lists::Side<'_>, JsError> {
        let (population, _) = self.loaded()?;
        let as_of = self.analysed()?.analysis().as_of;
        Ok(lists::Side { population, as_of, label: label.to_owned() })
    }

    fn compared(&self) -> Result<&lists::ListComparison, JsError> {
        self.lists.as_ref().ok_or_else(|| error("compare the lists first"))
    }

    /// Cohorts, segments, settings and every cluster's codes, as JSON.
    pub fn definitions(&self) -> String {
        serde_json::to_string(&report::definitions(&self.engine)).expect("serialises")
    }

    fn analysed(&self) -> Result<&StoredReport, JsError> {
        self.report.as_ref().ok_or_else(|| error("analyse the files first"))
    }

    fn loaded(&self) -> Result<&(Population, Vec<FileReport>), JsError> {
        self.population.as_ref().ok_or_else(|| error("load the files first"))
    }

    fn risk_by_id(&self) -> Option<&RiskById> {
        self.risk.as_ref().map(|r| &r.by_id)
    }

    /// Fits the emergency-admission risk model on the loaded practice's
    /// history up to `as_of` (yyyy-mm-dd), validates it on the last year and
    /// scores everyone current then; returns the model card as JSON, the
    /// same bytes as the CLI's `risk`. `settings` is JSON, every field
    /// optional: `{"tiers": [0.5, 2, 5]}`. With too few admissions to fit
    /// honestly the error says so, and there are no scores. `progress` (may
    /// be undefined) is called with `(stage, step, steps, description)` as
    /// each step starts.
    #[wasm_bindgen(js_name = riskModel)]
    pub fn risk_model(&mut self, as_of: &str, settings: &str, progress: Option<Function>) -> Result<String, JsError> {
        let settings: RiskSettings = if settings.trim().is_empty() {
            RiskSettings::default()
        } else {
            serde_json::from_str(settings).map_err(error)?
        };
        let as_of = parse_date(as_of)?;
        self.risk = None;
        let (pop, _) = self.loaded()?;
        let mut report = |stage: admission::Stage| {
            let Some(f) = &progress else { return };
            let step = admission::Stage::ALL.iter().position(|&s| s == stage).unwrap_or(0) + 1;
            let name = serde_json::to_value(stage).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            let args = js_sys::Array::of4(
                &name.into(),
                &(step as f64).into(),
                &(admission::Stage::ALL.len() as f64).into(),
                &stage.description().into(),
            );
            // A failing progress callback does not stop the fit.
            let _ = f.apply(&JsValue::NULL, &args);
        };
        let model =
            admission::fit_and_score_reporting(&self.engine, pop, as_of, &settings, &mut report).map_err(error)?;
        let json = model.to_json();
        self.risk = Some(FittedRisk { by_id: model.by_patient_id(pop), model, as_of });
        Ok(json)
    }

    /// The latest risk model's scores as CSV (`patient_id,risk_percent,tier`), highest risk first.
    #[wasm_bindgen(js_name = riskScoresCsv)]
    pub fn risk_scores_csv(&self) -> Result<String, JsError> {
        let (pop, _) = self.loaded()?;
        Ok(self.risk.as_ref().ok_or_else(|| error("fit the risk model first"))?.model.scores_csv(pop))
    }

    /// The full report as JSON for an as-of date (yyyy-mm-dd): the same
    /// bytes as the CLI's `analyse` for the same input.
    #[wasm_bindgen(js_name = reportJson)]
    pub fn report_json(&self, as_of: &str) -> Result<String, JsError> {
        let (pop, files) = self.loaded()?;
        Ok(self.engine.report(pop, files.clone(), parse_date(as_of)?).to_json())
    }
}

/// The synthetic generator's emergency-admission coefficients, as JSON
/// `{term: coefficient}` for the terms it has (the intercept included): what
/// a model fitted on a demo practice can be set beside.
#[wasm_bindgen(js_name = generatingCoefficients)]
pub fn generating_coefficients() -> String {
    let terms = std::iter::once("intercept").chain(admission::features::TERMS.iter().map(|t| t.id));
    let map: serde_json::Map<String, serde_json::Value> = terms
        .filter_map(|t| Some((t.to_string(), admission::features::generating(&synth::EMERGENCY_ADMISSION, t)?.into())))
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// Practices side by side, from shared summary files and from this
/// machine's exact summaries of extracts (`Session.summaryJson(true, …)`).
#[wasm_bindgen]
#[derive(Default)]
pub struct PracticeComparison {
    comparison: Comparison,
}

/// `(dimension, group)`, or the whole practice when either is empty.
fn place<'a>(dimension: &'a str, group: &'a str) -> Option<(&'a str, &'a str)> {
    (!dimension.is_empty() && !group.is_empty()).then_some((dimension, group))
}

#[wasm_bindgen]
impl PracticeComparison {
    #[wasm_bindgen(constructor)]
    pub fn new() -> PracticeComparison {
        PracticeComparison::default()
    }

    /// Adds a summary's practices (`source`: "summary" for a shared file,
    /// "extract" for exact figures); returns `{added, replaced}` as JSON.
    #[wasm_bindgen(js_name = addSummary)]
    pub fn add_summary(&mut self, file: &str, text: &str, source: &str) -> Result<String, JsError> {
        let source: Source = source.parse().map_err(error)?;
        let added = self.comparison.add_file(file, text, source).map_err(error)?;
        Ok(serde_json::to_string(&added).expect("serialises"))
    }

    /// Removes a practice by its code; false if it was not there.
    pub fn remove(&mut self, code: &str) -> bool {
        self.comparison.remove(code)
    }

    /// Removes every practice a file brought.
    #[wasm_bindgen(js_name = removeFile)]
    pub fn remove_file(&mut self, file: &str) {
        self.comparison.remove_file(file)
    }

    pub fn clear(&mut self) {
        self.comparison.clear()
    }

    /// Every indicator for every practice, for the whole practice or one
    /// group (empty strings for the whole practice), as JSON.
    pub fn table(&self, dimension: &str, group: &str) -> String {
        serde_json::to_string(&self.comparison.table(place(dimension, group))).expect("serialises")
    }

    /// One indicator's funnel plot around the PCN rate, as JSON.
    pub fn funnel(&self, indicator: &str, dimension: &str, group: &str) -> Result<String, JsError> {
        let funnel = self.comparison.funnel(indicator, place(dimension, group)).map_err(error)?;
        Ok(serde_json::to_string(&funnel).expect("serialises"))
    }

    /// Every figure as CSV, disclosed (exact figures included).
    pub fn csv(&self) -> String {
        self.comparison.csv()
    }
}

/// The fields of input format v1, for a column-mapping editor:
/// `{patients: [{name, aliases, required}], events: [...]}`.
#[wasm_bindgen(js_name = inputFields)]
pub fn input_fields() -> String {
    serde_json::json!({ "patients": crate::ingest::PATIENT_FIELDS, "events": crate::ingest::EVENT_FIELDS }).to_string()
}

/// A mapping profile (JSON, as the page holds it) written as TOML, the file to keep and share.
#[wasm_bindgen(js_name = wideProfileToml)]
pub fn wide_profile_toml(profile: &str) -> Result<String, JsError> {
    Ok(WideProfile::parse(profile).map_err(error)?.to_toml())
}

/// The columns a worklist CSV can have, in their default order, as JSON
/// `{always, withRiskModel}`: the risk columns need the risk model fitted.
#[wasm_bindgen(js_name = worklistColumns)]
pub fn worklist_columns() -> String {
    serde_json::json!({ "always": report::WORKLIST_COLUMNS, "withRiskModel": report::RISK_COLUMNS }).to_string()
}

/// A synthetic practice, generated here by the same code as the CLI's
/// `synth`: returns `[patients.csv, events.csv]` as two Uint8Arrays.
#[wasm_bindgen(js_name = synthPractice)]
pub fn synth_practice(
    patients: usize,
    seed: u64,
    deprivation: &str,
    extract_date: &str,
) -> Result<js_sys::Array, JsError> {
    let config = SynthConfig {
        patients,
        seed,
        deprivation: deprivation.parse::<Deprivation>().map_err(error)?,
        extract_date: parse_date(extract_date)?,
        practice_code: "Y00001".into(),
    };
    let (mut p, mut e) = (Vec::new(), Vec::new());
    synth::generate(&config, &crate::codes::Clusters::builtin(), &mut p, &mut e).map_err(error)?;
    let out = js_sys::Array::new();
    out.push(&Uint8Array::from(&p[..]));
    out.push(&Uint8Array::from(&e[..]));
    Ok(out)
}

/// `io::Read` over a JavaScript `read(start, end) -> Uint8Array` callback.
struct CallbackReader {
    size: f64,
    offset: f64,
    /// Line ends handed over so far, for the progress callback.
    lines: f64,
    read: Function,
    progress: Function,
    chunk: Vec<u8>,
    pos: usize,
}

/// Bytes asked of JavaScript at a time.
const CHUNK: f64 = 4.0 * 1024.0 * 1024.0;

impl CallbackReader {
    fn new(size: f64, read: Function, progress: Function) -> CallbackReader {
        CallbackReader { size, offset: 0.0, lines: 0.0, read, progress, chunk: Vec::new(), pos: 0 }
    }
}

impl Read for CallbackReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.chunk.len() {
            if self.offset >= self.size {
                return Ok(0);
            }
            let end = (self.offset + CHUNK).min(self.size);
            let got = self
                .read
                .call2(&JsValue::NULL, &JsValue::from_f64(self.offset), &JsValue::from_f64(end))
                .map_err(|e| io::Error::other(format!("reading the file failed: {e:?}")))?;
            // The callback may return fewer bytes than asked: go on from there.
            // One copy into a buffer kept from chunk to chunk (no new allocation).
            copy_into(&Uint8Array::new(&got), &mut self.chunk);
            self.pos = 0;
            if self.chunk.is_empty() {
                return Err(io::Error::other(format!(
                    "the file ended after {} of its {} bytes",
                    self.offset, self.size
                )));
            }
            self.offset += self.chunk.len() as f64;
            self.lines += self.chunk.iter().filter(|&&b| b == b'\n').count() as f64;
            let _ =
                self.progress.call2(&JsValue::NULL, &JsValue::from_f64(self.offset), &JsValue::from_f64(self.lines));
        }
        let n = buf.len().min(self.chunk.len() - self.pos);
        buf[..n].copy_from_slice(&self.chunk[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Counts the line ends of a file pushed chunk by chunk, parsing nothing:
/// each chunk crosses into the module as `Session.pushBytes` takes it, so
/// this is the ceiling that ingest in the browser is measured against.
#[wasm_bindgen]
#[derive(Default)]
pub struct LineScan {
    chunk: Vec<u8>,
    lines: u64,
}

#[wasm_bindgen]
impl LineScan {
    #[wasm_bindgen(constructor)]
    pub fn new() -> LineScan {
        LineScan::default()
    }

    /// Counts the chunk's line ends; returns the count so far.
    pub fn push(&mut self, chunk: &Uint8Array) -> f64 {
        copy_into(chunk, &mut self.chunk);
        self.lines += self.chunk.iter().filter(|&&b| b == b'\n').count() as u64;
        self.lines as f64
    }
}

/// Copies a JavaScript chunk into `buffer`, reusing its allocation.
fn copy_into(chunk: &Uint8Array, buffer: &mut Vec<u8>) {
    buffer.resize(chunk.length() as usize, 0);
    chunk.copy_to(buffer);
}
