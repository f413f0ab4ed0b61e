// The messages between the page and the worker, as JSDoc types only.
// Every request carries an id; the worker answers it once
// ({id, ok, result | error}) after any number of progress messages ({id, progress}).
// After an internal error in the WASM module the answer is
// {id, ok: false, kind: 'crash', error, panic, during}: `panic` is the Rust panic's message and
// location (or the trap's message), `during` the type of the request that was running. That
// worker answers every later request the same way; the page replaces it (worker-client.js).
// While it reads a patients or events file the worker also asks the page for slices of it,
// {readSlice: {tag, file, start, end}}, and the page answers {slice: tag, buf} (the bytes,
// transferred) or {slice: tag, error}: the page's thread reads while the worker parses.

/**
 * Where a practice comes from: a demo generated in the worker, or the user's files: the
 * patients and events CSV, FHIR R4 files, or a wide report with its mapping profile (TOML or JSON).
 * @typedef {{type: 'demo', patients: number, seed: number, deprivation: string, asOf: string}
 *   | {type: 'files', patients: File, events: File[]}
 *   | {type: 'fhir', files: File[]}
 *   | {type: 'wide', file: File, profile: string}} Source
 */

/**
 * `config` is the Session's JSON configuration: `{mapping, codelists, settings, segmentPrecedence, rules}`.
 * `rules`: local rule files, `[{name, text}]`, read just before the Core20PLUS5 files; a file the
 * engine refuses makes the load fail with its errors (`file: key: message`, one a line).
 * @typedef {{id: number, type: 'init', wasm: string}} InitRequest
 *   `wasm`: the gzipped module, base64. Answers `{fields, columns}`.
 * @typedef {{id: number, type: 'prepare', config: string}} PrepareRequest
 *   Makes the engine for this configuration ahead of the load that will use it. Answers `{}`.
 * @typedef {{id: number, type: 'load', source?: Source, asOf: string, config: string}} LoadRequest
 *   Without `source`, the last source is read again. Answers `{summary, counts, totalMs, elapsedMs: {session,
 *   loading, analysing}, wasmMemoryBytes}` (times in ms, measured in the worker; loading includes making the session).
 * @typedef {{id: number, type: 'scan', file: File}} ScanRequest
 *   The file read as a load reads a patients or events file, only counting line ends (scripts/bench-browser's
 *   ceiling for ingest).
 *   Answers `{lines, bytes, elapsedMs}`.
 * @typedef {{id: number, type: 'analyse', asOf: string}} AnalyseRequest
 *   The loaded practice again, for another as-of date. Answers `{summary}`.
 * @typedef {{id: number, type: 'page', query: Query}} PageRequest
 * @typedef {{id: number, type: 'csv', query: Query, columns: string[], header: boolean}} CsvRequest
 * @typedef {{id: number, type: 'nhs', query: Query}} NhsRequest
 *   Answers `{text, included, left_out}`: NHS numbers one per line, and patient ids without a valid one.
 * @typedef {{id: number, type: 'equity-csv'}} EquityCsvRequest
 *   The health equity audit as CSV.
 * @typedef {{id: number, type: 'definitions'}} DefinitionsRequest
 * @typedef {{id: number, type: 'practice-summary', code: string}} PracticeSummaryRequest
 *   The loaded practice's summary file to share (counts 1 to 7 suppressed, others rounded to 5); `code` is
 *   the practice code for people whose record names none (empty: the patients file's name, as the
 *   command line's `summary` does). Answers `{text, codes, asOf}`.
 * @typedef {{id: number, type: 'practices', dimension: string, group: string}} PracticesRequest
 *   The comparison for one group of a dimension (empty strings for everyone), which the requests
 *   below then keep to. Answers {@link PracticesState}.
 * @typedef {{id: number, type: 'practices-add-summaries', files: File[]}} AddSummariesRequest
 *   Answers {@link Added}: a file that cannot be read is one of `errors`, and the others still go in.
 * @typedef {{id: number, type: 'practices-add-extract', patients: File, events: File[], code: string}} AddExtractRequest
 *   Another practice's extract, read here and drawn up as of the loaded practice's date; only its
 *   exact summary is kept. Answers {@link Added} with `input`, its input check.
 * @typedef {{id: number, type: 'practices-remove', code: string}} RemovePracticeRequest
 * @typedef {{id: number, type: 'practices-funnel', indicator: string, dimension: string, group: string}} FunnelRequest
 *   Empty `dimension` and `group` for the whole practice. Answers {@link Funnel}.
 * @typedef {{id: number, type: 'practices-csv'}} PracticesCsvRequest
 * @typedef {{id: number, type: 'lists-compare-extract', cohort: string, patients: File, events: File[], asOf: string,
 *   beforeLabel: string, afterLabel: string}} CompareExtractRequest
 *   The loaded practice against an earlier extract, drawn up as of its own date (read once, kept for
 *   the next cohort). Answers `{comparison: ListComparison, input}`.
 * @typedef {{id: number, type: 'lists-compare-nhs', cohort: string, file: File, theirLabel: string}} CompareNhsRequest
 *   The loaded practice's list against a file of NHS numbers. Answers `{comparison: ListComparison, input: null}`.
 * @typedef {{id: number, type: 'lists-csv' | 'lists-nhs', group: 'joined' | 'left' | 'both'}} ListExportRequest
 *   One group of the latest list comparison, as CSV or as NHS numbers one per line.
 * @typedef {{id: number, type: 'risk-fit', settings: {tiers: number[]}}} RiskFitRequest
 *   Fits the emergency-admission risk model as of the latest analysis's date, with
 *   {@link Progress} `risk` steps. Answers {@link RiskFit}; a refusal (too few admissions) is an error.
 * @typedef {{id: number, type: 'risk-csv'}} RiskCsvRequest
 *   Everyone's score: `patient_id,risk_percent,tier`, highest risk first.
 * @typedef {{id: number, type: 'wide-preview', file: File, config: string}} WidePreviewRequest
 *   A wide report's headers, first rows and suggested profile, and every cluster:
 *   answers `{preview: {headers, rows, suggested: WideProfile}, clusters: {id, title}[]}`.
 * @typedef {{id: number, type: 'wide-check', text: string, config: string}} WideCheckRequest
 *   A mapping profile (TOML or JSON) read and checked: answers `{profile: WideProfile | null, problems: string[], toml}`.
 * @typedef {{name?: string, report_date?: string, patients?: Record<string, string>,
 *   column?: {header: string, kind: 'date' | 'value' | 'flag', cluster: string}[]}} WideProfile
 * @typedef {WidePreviewRequest | WideCheckRequest | RiskFitRequest | RiskCsvRequest | InitRequest | PrepareRequest | LoadRequest | AnalyseRequest | PageRequest | CsvRequest | NhsRequest | EquityCsvRequest
 *   | DefinitionsRequest | PracticeSummaryRequest | PracticesRequest | AddSummariesRequest | AddExtractRequest
 *   | RemovePracticeRequest | FunnelRequest | PracticesCsvRequest | CompareExtractRequest
 *   | CompareNhsRequest | ListExportRequest | ScanRequest} Request
 */

/**
 * Practices side by side (the core's PracticeComparison table). Cells follow `practices`;
 * null is suppressed (1 to 7 in a shared summary); rates are fractions.
 * @typedef {{numerator: number | null, denominator: number | null, rate: number | null, low?: number | null,
 *   high?: number | null, status?: 'shown' | 'suppressed' | 'absent', practices?: number}} Cell
 *   `absent`: not in that practice's summary; `practices` (the network's figure): how many are in it.
 * @typedef {{id: string, kind: string, cohort?: string, check?: string, title: string, numerator: string, denominator: string,
 *   higher_is: string, pcn: Cell, cells: Cell[]}} Indicator
 *   `kind`: check, list, register, flag or segment.
 * @typedef {{code: string, file: string, source: 'summary' | 'extract', exact: boolean, as_of: string,
 *   registered: number | null}} ComparedPractice
 * @typedef {{dimension: string | null, group: string | null, practices: ComparedPractice[], warnings: string[],
 *   dimensions: {id: string, title: string, groups: {id: string, label: string}[]}[], indicators: Indicator[]}} PracticeTable
 * @typedef {{table: PracticeTable, ownCodes: string[], ownFallback: string, problem: string, stem: string}} PracticesState
 *   `ownCodes`: the entries that are the loaded practice's own; `ownFallback`: the code of its people
 *   with no practice code; `problem`: why it could not be put in, if so; `stem`: the patients file's
 *   name, which a shared summary gives those people unless told otherwise.
 * @typedef {PracticesState & {added: string[], replaced: string[], errors: string[],
 *   input?: Record<string, FileReport>}} Added
 * @typedef {'within' | 'high_95' | 'high_99_8' | 'low_95' | 'low_99_8'} Position
 * @typedef {{indicator: Omit<Indicator, 'cells'>, dimension: string | null, group: string | null, pcn: Cell,
 *   points: {code: string, numerator: number, denominator: number, rate: number | null, position: Position}[],
 *   left_out: {code: string, why: string}[],
 *   curve: {denominator: number, low_99_8: number, low_95: number, high_95: number, high_99_8: number}[]}} Funnel
 */

/**
 * One list at two dates, or against a GP system's search. For a list of NHS numbers `before` is
 * their list and `after` ours: joined = only on ours, left = only on theirs.
 * @typedef {{patient_id: string | null, nhs_number: string | null, name: string | null, status_before: string,
 *   status_after: string, why: string[], changed: boolean}} ListEntry
 * @typedef {{cohort: string, title: string, matched_by: 'patient_id' | 'nhs_number',
 *   before: {label: string, as_of: string | null, count: number}, after: {label: string, as_of: string | null, count: number},
 *   joined: ListEntry[], left: ListEntry[], both: ListEntry[],
 *   their_list: null | {file: string, read: number, numbers: number, not_used: number, column: string | null,
 *     diagnostics: {file: string, line: number, message: string}[]}}} ListComparison
 *   `status_*`: listed, eligible_not_listed, not_eligible, not_yet_registered, deregistered, deceased,
 *   not_yet_born or not_in_extract (for their list: not on it). `changed`: on both, with reasons or
 *   missing checks that changed.
 */

/**
 * The emergency-admission risk model's card, as the core writes it (`risk::admission::card`).
 * @typedef {{features_on: string, outcome_from: string, outcome_to: string, people: number, events: number,
 *   event_rate: number}} RiskYear
 * @typedef {{model: string, as_of: string, intended_use: string, label: string,
 *   data: {source: string, practice_population: number, development: RiskYear, validation: RiskYear, people_treatment: string},
 *   features: {term: string, title: string, definition: string}[],
 *   method: {description: string, min_events_rule: string},
 *   coefficients: {term: string, title: string, coefficient: number, standard_error: number | null, odds_ratio: number,
 *     odds_ratio_95: [number, number] | null, validated_coefficient: number}[],
 *   validation: {people: number, events: number, auroc: number, brier: number, observed_rate: number, mean_predicted: number,
 *     calibration: {decile: number, people: number, events: number, mean_predicted: number, observed: number}[]},
 *   tiers: {tier: number, label: string, from_percent: number, to_percent: number, people: number,
 *     lowest_score: number | null, highest_score: number | null}[],
 *   caveats: string[]}} ModelCard
 * @typedef {{card: ModelCard, generating: Record<string, number> | null}} RiskFit
 *   `generating`: on a demo practice, the synthetic generator's coefficients by term.
 */

/**
 * A worklist query, as the core's `worklist::Query` reads it.
 * @typedef {{cohort: string, segments?: string[], imdQuintiles?: string[], ethnicities?: string[],
 *   ageBands?: string[], flags?: string[], missingCheck?: string | null, tiers?: number[], search?: string, sort?: string,
 *   priority?: string[], descending?: boolean, offset?: number, limit?: number}} Query
 *   `flags`: core20, plus, smoker (any of them). `priority`: the ordering rule when `sort` is "priority".
 *   `tiers` and `sort: "risk"` need the risk model fitted; rows then carry `risk: {percent, tier, rank}`.
 */

/**
 * Progress while a request runs.
 * @typedef {{stage: 'generating', patients: number}
 *   | {stage: 'reading', kind: 'patients' | 'events' | 'fhir' | 'wide', file: string, bytes: number, lines: number, size: number, index: number, of: number}
 *     `lines`: line ends read so far (the header's included).
 *   | {stage: 'building'}
 *   | {stage: 'analysing'}
 *   | {stage: 'risk', name: string, step: number, steps: number, description: string}} Progress
 */

/**
 * A file's input check, as the report's `input` section holds it.
 * @typedef {{file: string, kind: string, read: number, accepted: number, rejected: number, warnings: number,
 *   columns: Record<string, string>, ignored_columns: string[],
 *   diagnostics: {file?: string, line: number, column?: string, severity?: string, kind?: string, message?: string}[],
 *   diagnostics_not_shown: number, fhir?: FhirReport}} FileReport
 *   `kind`: patients, events, fhir or report (one row a patient).
 * @typedef {{format: 'bundle' | 'ndjson' | 'resource', bundle_type?: string, gzip: boolean, skipped: number,
 *   skipped_by_reason: Record<string, number>, pending: number, events: number,
 *   resources: Record<string, {read: number, accepted: number, rejected: number, skipped: number}>,
 *   elements_not_read: Record<string, number>}} FhirReport
 * @typedef {{codes: number, unmapped: number, unmapped_events: number,
 *   shown: {code: string, system: string, term?: string, events: number, people: number}[], not_shown: number}} UnmappedCodes
 */

/**
 * The report without its member lists (those stay in the worker).
 * @typedef {{as_of: string, input: Record<string, FileReport>, unmapped_codes: UnmappedCodes, population: Record<string, number>,
 *   cohorts: Record<string, CohortSummary>, segments: Record<string, number>, segment_precedence: string[],
 *   efi: {source: string, assessed: number, categories: Record<string, number>},
 *   multimorbidity: {source: string, registers: string[], assessed: number, bands: Record<string, number>, by_count: number[]},
 *   breakdowns: Record<string, Record<string, Breakdown>>, settings: Record<string, unknown>, equity: Measure[]}} Summary
 * @typedef {{numerator: number, denominator: number, rate: number | null, low: number | null, high: number | null}} Rate
 * @typedef {{id: string, cohort: string, check?: string, title: string, numerator: string, denominator: string,
 *   higher_is: string, total: Rate, by: Record<string, Record<string, Rate>>,
 *   deprivation_gap: {most_deprived: number, least_deprived: number, absolute: number, relative: number | null} | null}} Measure
 * @typedef {{population: number, segments: Record<string, number>,
 *   cohorts: Record<string, {eligible: number, count: number}>}} Breakdown
 * @typedef {{id: string, title: string, kind: string, description: string, source: string, members_are: string,
 *   eligible: number, count: number, checks: Record<string, {title: string, required: boolean, done: number}>,
 *   all_checks_done?: number}} CohortSummary
 */

/**
 * One page of a worklist: members as the core's report writes them.
 * @typedef {{cohort: string, listed: number, matching: number, offset: number, rows: any[]}} Page
 */

export {};
