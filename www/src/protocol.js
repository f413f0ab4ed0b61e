// The messages between the page and the worker, as JSDoc types only.
// Every request carries an id; the worker answers it once
// ({id, ok, result | error}) after any number of progress messages ({id, progress}).

/**
 * Where a practice comes from: a demo generated in the worker, or the user's files.
 * @typedef {{type: 'demo', patients: number, seed: number, deprivation: string, asOf: string}
 *   | {type: 'files', patients: File, events: File[]}} Source
 */

/**
 * `config` is the Session's JSON configuration: `{mapping, codelists, settings, segmentPrecedence, rules}`.
 * `rules`: local rule files, `[{name, text}]`, read just before the Core20PLUS5 files; a file the
 * engine refuses makes the load fail with its errors (`file: key: message`, one a line).
 * @typedef {{id: number, type: 'init', wasm: string}} InitRequest
 *   `wasm`: the gzipped module, base64. Answers `{fields, columns}`.
 * @typedef {{id: number, type: 'load', source?: Source, asOf: string, config: string}} LoadRequest
 *   Without `source`, the last source is read again. Answers `{summary, counts, totalMs, wasmMemoryBytes}`.
 * @typedef {{id: number, type: 'analyse', asOf: string}} AnalyseRequest
 *   The loaded practice again, for another as-of date. Answers `{summary}`.
 * @typedef {{id: number, type: 'page', query: Query}} PageRequest
 * @typedef {{id: number, type: 'csv', query: Query, columns: string[], header: boolean}} CsvRequest
 * @typedef {{id: number, type: 'nhs', query: Query}} NhsRequest
 *   Answers `{text, included, left_out}`: NHS numbers one per line, and patient ids without a valid one.
 * @typedef {{id: number, type: 'equity-csv'}} EquityCsvRequest
 *   The health equity audit as CSV.
 * @typedef {{id: number, type: 'definitions'}} DefinitionsRequest
 * @typedef {InitRequest | LoadRequest | AnalyseRequest | PageRequest | CsvRequest | NhsRequest | EquityCsvRequest
 *   | DefinitionsRequest} Request
 */

/**
 * A worklist query, as the core's `worklist::Query` reads it.
 * @typedef {{cohort: string, segments?: string[], imdQuintiles?: string[], ethnicities?: string[],
 *   ageBands?: string[], flags?: string[], missingCheck?: string | null, search?: string, sort?: string,
 *   priority?: string[], descending?: boolean, offset?: number, limit?: number}} Query
 *   `flags`: core20, plus, smoker (any of them). `priority`: the ordering rule when `sort` is "priority".
 */

/**
 * Progress while a request runs.
 * @typedef {{stage: 'generating', patients: number}
 *   | {stage: 'reading', kind: 'patients' | 'events', file: string, bytes: number, lines: number, size: number, index: number, of: number}
 *     `lines`: line ends read so far (the header's included).
 *   | {stage: 'building'}
 *   | {stage: 'analysing'}} Progress
 */

/**
 * A file's input check, as the report's `input` section holds it.
 * @typedef {{file: string, kind: string, read: number, accepted: number, rejected: number, warnings: number,
 *   columns: Record<string, string>, ignored_columns: string[],
 *   diagnostics: {file?: string, line: number, column?: string, severity?: string, kind?: string, message?: string}[],
 *   diagnostics_not_shown: number}} FileReport
 */

/**
 * The report without its member lists (those stay in the worker).
 * @typedef {{as_of: string, input: Record<string, FileReport>, population: Record<string, number>,
 *   cohorts: Record<string, CohortSummary>, segments: Record<string, number>, segment_precedence: string[],
 *   efi: {source: string, assessed: number, categories: Record<string, number>},
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
