// Shared set-up for the end-to-end tests: Debian's Chromium through
// playwright-core (never a downloaded browser), the built page opened from
// file://, a record of every request and console error per page, and the
// native command line's report on the same input to check the page against.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const pagePath = join(root, 'dist', 'cohort-finder.html');
export const pageUrl = pathToFileURL(pagePath).href;
export const artefacts = join(root, 'test-results');
mkdirSync(artefacts, { recursive: true });
const cli = join(root, 'target', 'release', 'cohort-finder');
/** The as-of date (and demo extract date) of every test. */
export const AS_OF = '2026-11-23';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export async function launch() {
  if (!existsSync(pagePath)) throw new Error(`${pagePath} is missing: run scripts/build-page first`);
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-quic', '--no-first-run'],
  });
}

/**
 * Opens the page in a fresh context; records its requests and console errors.
 * @param {import('playwright-core').Browser} browser
 * @param {string} [search] e.g. '?demo=1000'
 * @param {string} [url] another copy of the page (e2e/panic.test.js)
 */
export async function openPage(browser, search = '', url = pageUrl) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  /** @type {string[]} */
  const requests = [];
  /** @type {string[]} */
  const consoleErrors = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
  /** @type {import('playwright-core').Worker[]} */
  const workers = [];
  page.on('worker', (worker) => {
    workers.push(worker);
    worker.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`worker: ${message.text()}`);
    });
  });
  await page.goto(url + search);
  return { context, page, requests, consoleErrors, workers };
}

/** Synthetic practices already written, by their settings. @type {Map<string, string>} */
const synthDirs = new Map();

/**
 * The native command line's report, as parsed JSON: on files (relative to
 * `cwd`, so the input check names them as the page does) or on a synthetic
 * practice made by `synth` with the page's demo settings.
 * @param {{synth?: {patients: number, seed: number, deprivation: string}, cwd?: string, patients?: string,
 *   events?: string[], args?: string[], asOf?: string}} spec
 */
export function nativeReport(spec) {
  return JSON.parse(runNative(spec, []).toString());
}

/**
 * One of the CSV files the native command line writes with `--format csv`.
 * @param {Parameters<typeof nativeReport>[0]} spec @param {string} file e.g. 'equity.csv'
 */
export function nativeCsv(spec, file) {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-finder-e2e-csv-'));
  runNative(spec, ['--format', 'csv', '--out', dir]);
  return readFileSync(join(dir, file), 'utf8');
}

/**
 * The native command line's risk model for a synthetic practice: its card and
 * everyone's score, or the message it refused with.
 * @param {{patients: number, seed: number, deprivation: string}} synth
 * @returns {{card: any, scores: Map<string, number>} | {error: string}}
 */
export function nativeRisk(synth) {
  const dir = synthDir(synth);
  const scores = join(mkdtempSync(join(tmpdir(), 'cohort-finder-e2e-risk-')), 'scores.csv');
  const run = spawnSync(cli, ['risk', '--patients', 'patients.csv', '--events', 'events.csv', '--as-of', AS_OF, '--scores', scores],
    { cwd: dir, maxBuffer: 1 << 26 });
  if (run.status !== 0) return { error: run.stderr.toString().replace(/^cohort-finder: /, '').trim() };
  const tiers = new Map(readFileSync(scores, 'utf8').trim().split('\n').slice(1)
    .map((line) => line.split(','))
    .map(([id, , tier]) => [id, Number(tier)]));
  return { card: JSON.parse(run.stdout.toString()), scores: tiers };
}

/**
 * The native command line's report for any other extract arguments, such as
 * `['--fhir', ...files]` or `['--wide', file, '--profile', profile]`.
 * @param {string[]} extract
 */
export function nativeAnalyse(extract) {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run cargo build --release --features cli`);
  return JSON.parse(execFileSync(cli, ['analyse', ...extract, '--as-of', AS_OF], { maxBuffer: 1 << 28 }).toString());
}

/** A folder with the synthetic practice the CLI's `synth` writes (made once per run). @param {{patients: number, seed: number, deprivation: string}} synth */
function synthDir({ patients: n, seed, deprivation }) {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run cargo build --release --features cli`);
  const key = `${n}-${seed}-${deprivation}`;
  if (!synthDirs.has(key)) {
    const dir = mkdtempSync(join(tmpdir(), 'cohort-finder-e2e-'));
    execFileSync(cli, ['synth', '--patients', String(n), '--seed', String(seed), '--deprivation', deprivation,
      '--extract-date', AS_OF, '--out', dir], { stdio: 'ignore' });
    synthDirs.set(key, dir);
  }
  return /** @type {string} */ (synthDirs.get(key));
}

/** @param {Parameters<typeof nativeReport>[0]} spec @param {string[]} extra */
function runNative(spec, extra) {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run cargo build --release --features cli`);
  let { cwd, patients, events } = spec;
  if (spec.synth) {
    [cwd, patients, events] = [synthDir(spec.synth), 'patients.csv', ['events.csv']];
  }
  const args = ['analyse', '--patients', String(patients), '--events', ...(events ?? []), '--as-of', spec.asOf ?? AS_OF,
    ...(spec.args ?? []), ...extra];
  return execFileSync(cli, args, { cwd, maxBuffer: 1 << 28 });
}

/**
 * Nothing but the page file (once) and blob: URLs (the worker, downloads).
 * @param {string[]} requests
 */
export function assertNoNetwork(requests) {
  const other = requests.filter((url) => !url.startsWith('file://') && !url.startsWith('blob:null/'));
  assert.deepEqual(other, [], 'requests other than the page file and blob: URLs');
  assert.equal(requests.filter((url) => url.startsWith('file://')).length, 1, 'the page file, once');
}

/**
 * Runs axe-core in the page. `page.evaluate` goes through the DevTools
 * protocol, so the page's CSP (which would block an injected script tag)
 * stays on.
 * @param {import('playwright-core').Page} page
 */
export async function axe(page) {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    // @ts-ignore
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
}

/**
 * Clicks "Demo practice" with a size and waits for the overview.
 * @param {import('playwright-core').Page} page
 * @param {string} size '1,000' | '10,000' | '50,000'
 * @param {number} [timeout]
 * @returns {Promise<number>} milliseconds from the click to the tiles shown
 */
export async function runDemo(page, size, timeout = 60_000) {
  await page.getByLabel(size, { exact: true }).check();
  await page.locator('input[name="as-of"]').fill(AS_OF);
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Demo practice' }).click();
  await page.locator('.cf-tile').first().waitFor({ state: 'visible', timeout });
  return Date.now() - t0;
}

/**
 * Saves the download `action` starts into test-results/ and returns its name and text.
 * @param {import('playwright-core').Page} page @param {() => Promise<unknown>} action
 */
export async function saveDownload(page, action) {
  const [file] = await Promise.all([page.waitForEvent('download'), action()]);
  const path = join(artefacts, file.suggestedFilename());
  await file.saveAs(path);
  return { name: file.suggestedFilename(), path, text: readFileSync(path, 'utf8') };
}
