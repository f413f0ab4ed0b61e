// The DuckDB-WASM side of scripts/bench-browser: DuckDB's own worker and
// module (from node_modules, served beside this page), the same two CSV files
// the page reads, registered as File handles so DuckDB reads the same bytes
// through FileReaderSync, and the cohorts of cohort-sql.js.
import * as duckdb from '@duckdb/duckdb-wasm';
import { cohortSql, loadSql, setupSql } from './cohort-sql.js';

const status = /** @type {HTMLElement} */ (document.getElementById('status'));

/** Starts DuckDB (the build with WebAssembly exceptions, which Chromium has). */
async function start() {
  const worker = new Worker('duckdb/duckdb-browser-eh.worker.js');
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate('duckdb/duckdb-eh.wasm');
  const version = await db.getVersion();
  status.textContent = `DuckDB ${version} ready`;
  return { db, version };
}

const started = start();
/** @type {any} */ (window).duckdbReady = started.then(({ version }) => version);

/** @param {import('apache-arrow').Table} table */
const rows = (table) => table.toArray().map((r) => r.toJSON());

/**
 * Reads the two files chosen on the page into tables and runs each cohort,
 * timing each step; answers with the times and each cohort's patient ids.
 * @param {string} asOf
 * @param {string} clustersCsv `cluster,code` rows: the engine's codelists
 */
async function runCohorts(asOf, clustersCsv) {
  const { db, version } = await started;
  const file = (/** @type {string} */ id) => {
    const f = /** @type {HTMLInputElement} */ (document.getElementById(id)).files?.[0];
    if (!f) throw new Error(`no ${id} file chosen`);
    return f;
  };
  const patients = file('patients');
  const events = file('events');
  await db.registerFileHandle('patients.csv', patients, duckdb.DuckDBDataProtocol.BROWSER_FILEREADER, true);
  await db.registerFileHandle('events.csv', events, duckdb.DuckDBDataProtocol.BROWSER_FILEREADER, true);
  await db.registerFileText('clusters.csv', clustersCsv);
  const conn = await db.connect();
  const say = (/** @type {string} */ text) => { status.textContent = text; };
  try {
    const t0 = performance.now();
    say('reading the CSV files into tables…');
    for (const sql of loadSql()) await conn.query(sql);
    const loadMs = performance.now() - t0;
    const counts = rows(await conn.query(
      'SELECT (SELECT count(*) FROM patients) AS patients, (SELECT count(*) FROM events) AS events'))[0];
    const t1 = performance.now();
    for (const sql of setupSql(asOf)) await conn.query(sql);
    const setupMs = performance.now() - t1;
    /** @type {Record<string, number>} */
    const queryMs = {};
    /** @type {Record<string, any[]>} */
    const answers = {};
    for (const [name, sql] of Object.entries(cohortSql(asOf))) {
      say(`running ${name}…`);
      const t = performance.now();
      // The rows are brought into JavaScript, as a page showing the list would.
      answers[name] = rows(await conn.query(sql));
      queryMs[name] = performance.now() - t;
    }
    const totalMs = performance.now() - t0;
    let memoryBytes = null;
    try {
      memoryBytes = Number(rows(await conn.query('SELECT sum(memory_usage_bytes) AS b FROM duckdb_memory()'))[0].b);
    } catch {
      // Not in every DuckDB version.
    }
    say(`done in ${Math.round(totalMs)} ms`);
    return {
      version, loadMs, setupMs, queryMs, totalMs, memoryBytes,
      patients: Number(counts.patients), events: Number(counts.events),
      answers: {
        smi: answers.smi.map((r) => [String(r.patient_id), String(r.missing)]),
        ld: answers.ld.map((r) => String(r.patient_id)),
        hyp: answers.hyp.map((r) => String(r.patient_id)),
      },
    };
  } finally {
    await conn.close();
  }
}

/** @type {any} */ (window).runCohorts = runCohorts;
