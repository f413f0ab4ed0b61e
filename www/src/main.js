// The page: wires the components to the worker. The main thread only
// draws; every file read and every report is made in the worker.
import { h } from './dom.js';
import { longDate, num } from './format.js';
import { WorkerClient, WorkerCrash } from './worker-client.js';
import { mountBreakdown } from './components/breakdown.js';
import { mountDefinitions } from './components/definitions.js';
import { mountEquity } from './components/equity.js';
import { mountErrorSummary } from './components/error-summary.js';
import { renderInputCheck } from './components/input-check.js';
import { mountListComparison } from './components/list-comparison.js';
import { mountLocalCohorts } from './components/local-cohorts.js';
import { savedMapping } from './components/mapping-editor.js';
import { mountOverview } from './components/overview.js';
import { mountPracticeComparison } from './components/practice-comparison.js';
import { mountProgressPanel } from './components/progress-panel.js';
import { mountRiskModel } from './components/risk-model.js';
import { mountStartForm } from './components/start-form.js';
import { createTabs } from './components/tabs.js';
import { mountWideMapping } from './components/wide-mapping.js';
import { mountWorklist } from './components/worklist.js';

/** @typedef {import('./protocol.js').Summary} Summary */

// Replaced at build time (scripts/build-page) by the bundled worker and the gzipped WASM.
/* global __WORKER_SOURCE__, __WASM_GZ_BASE64__ */
const client = new WorkerClient(__WORKER_SOURCE__, __WASM_GZ_BASE64__);

const byId = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const errors = mountErrorSummary(byId('error-area'));
const progress = mountProgressPanel(byId('progress-area'));
const results = byId('results-area');
const startArea = byId('start-area');
// The mapping screen of a report with one row a patient, in place of the start screen while it is open.
const wideArea = h('div', { id: 'wide-area', hidden: true });
startArea.after(wideArea);

/**
 * The engine's configuration for the next read: the column mapping the user
 * chose (remembered), any codelists they replaced and their local rule files
 * (this page only).
 * @type {{mapping: import('./components/mapping-editor.js').Mapping, codelists: {cluster: string, file: string, text: string}[],
 *   settings: Record<string, string | number>, rules: import('./components/local-cohorts.js').RuleFile[]}}
 */
const config = { mapping: savedMapping(), codelists: [], settings: {}, rules: [] };
/** @type {{fields: {patients: any[], events: any[]}, columns: string[]}} */
let engine = { fields: { patients: [], events: [] }, columns: [] };

const asOfAgain = h('input', { class: 'nhsuk-input nhsuk-input--width-10', id: 'as-of-again', type: 'date' });
const asOfForm = h('form', { class: 'cf-asof cf-no-print', novalidate: true, 'aria-labelledby': 'asof-again-label' },
  h('label', { class: 'nhsuk-label', for: 'as-of-again', id: 'asof-again-label', text: 'Draw the lists up again as of' }),
  h('div', { class: 'cf-asof__row' }, asOfAgain,
    h('button', { class: 'nhsuk-button nhsuk-button--secondary nhsuk-button--small', type: 'submit', text: 'Redraw' })));
/** @param {string} id @param {string} heading */
const section = (id, heading) => h('section', { class: 'cf-section', id, 'aria-labelledby': heading });
const overviewRoot = section('overview', 'overview-heading');
const breakdownRoot = section('breakdown', 'breakdown-heading');
const equityRoot = section('equity', 'equity-heading');
const worklistRoot = section('worklist', 'worklist-heading');
const riskRoot = section('risk', 'risk-heading');
const practicesRoot = section('compare-practices', 'practices-heading');
const listsRoot = section('compare-lists', 'lists-heading');
const definitionsRoot = section('definitions', 'definitions-heading');
const localRoot = section('local-cohorts', 'local-cohorts-heading');
const inputCheck = section('input-check', 'input-check-heading');
const tabs = createTabs([
  { id: 'overview', label: 'Overview', panel: overviewRoot },
  { id: 'breakdown', label: 'Inequalities', panel: breakdownRoot },
  { id: 'equity', label: 'Equity audit', panel: equityRoot },
  { id: 'worklist', label: 'Worklists', panel: worklistRoot },
  { id: 'risk', label: 'Risk tiers', panel: riskRoot },
  { id: 'compare-practices', label: 'Compare practices', panel: practicesRoot },
  { id: 'compare-lists', label: 'Compare lists', panel: listsRoot },
  { id: 'definitions', label: 'Definitions', panel: definitionsRoot },
  { id: 'local-cohorts', label: 'Local cohorts', panel: localRoot },
  { id: 'input-check', label: 'Input check', panel: inputCheck },
], {
  onShow: (id) => {
    if (id === 'worklist') worklist.refresh();
    if (id === 'compare-practices') practices.shown();
    if (id === 'risk') risk.shown();
  },
});
const resultsHeading = h('h1', { class: 'nhsuk-heading-l', id: 'results-heading' });
const loadedText = h('p', { class: 'nhsuk-body', id: 'loaded-practice' });
const loadedBar = h('div', { class: 'cf-loaded' }, h('div', {}, resultsHeading, loadedText),
  h('button', { class: 'nhsuk-button nhsuk-button--secondary nhsuk-button--small', type: 'button', id: 'load-another',
    text: 'Load another practice',
    onclick: () => {
      startArea.hidden = false;
      startArea.querySelector('h1')?.setAttribute('tabindex', '-1');
      /** @type {HTMLElement | null} */ (startArea.querySelector('h1'))?.focus();
    } }));
results.replaceChildren(loadedBar, asOfForm, tabs.element, overviewRoot, breakdownRoot, equityRoot, worklistRoot, riskRoot, practicesRoot,
  listsRoot, definitionsRoot, localRoot, inputCheck);

const worklist = mountWorklist(worklistRoot, client, { onError: (m) => errors.show(m) });
const overview = mountOverview(overviewRoot, {
  onOpenCohort: (id) => {
    tabs.show('worklist');
    worklist.show(id);
  },
});
const risk = mountRiskModel(riskRoot, client, {
  onFitted: (fit) => worklist.setRisk(fit),
  onOpenTier: (tier) => {
    tabs.show('worklist');
    worklist.showTier(tier);
  },
});
const breakdown = mountBreakdown(breakdownRoot);
const equity = mountEquity(equityRoot, client, { onError: (m) => errors.show(m) });
const practices = mountPracticeComparison(practicesRoot, client, { onError: (m) => errors.show(m) });
const lists = mountListComparison(listsRoot, client);
const definitions = mountDefinitions(definitionsRoot);
// Local cohorts: rule files of the user's own, read with the practice. One the
// engine refuses leaves the last good ones in use, and its error is shown there.
const localCohorts = mountLocalCohorts(localRoot, {
  onRules: async (rules, label) => {
    const before = config.rules;
    config.rules = rules;
    let problem = '';
    if (await load(label, undefined, (message) => { problem = message; })) {
      tabs.show('local-cohorts');
      return null;
    }
    config.rules = before;
    return problem;
  },
  onOpenCohort: (id) => {
    tabs.show('worklist');
    worklist.show(id);
  },
});

/** Shows a tab and moves focus to its heading. @param {string} tab @param {string} heading */
function focusHeading(tab, heading) {
  tabs.show(tab);
  const el = byId(heading);
  el.setAttribute('tabindex', '-1');
  el.focus();
}

/**
 * Shows a report the worker made.
 * @param {Summary} summary
 */
async function show(summary) {
  results.hidden = false;
  startArea.hidden = true;
  wideArea.hidden = true;
  asOfAgain.value = summary.as_of;
  renderInputCheck(inputCheck, summary.input, engine.fields, {
    onApplyMapping: (mapping) => {
      config.mapping = mapping;
      load('Reading the files again…');
    },
  }, summary.unmapped_codes);
  overview.render(summary);
  breakdown.render(summary);
  equity.render(summary);
  lists.render(summary);
  // Scores are for one practice and date: a new analysis needs the model fitted again.
  risk.reset();
  worklist.setRisk(null, false);
  await worklist.setSummary(summary);
  resultsHeading.textContent = `Lists as of ${longDate(summary.as_of)}`;
  document.title = `Lists as of ${longDate(summary.as_of)} – Cohort Finder`;
  if (summary.population.loaded === 0) {
    errors.show('No patients were read. The input check below says why; if the columns were not found, choose which columns hold what and read the files again.');
    focusHeading('input-check', 'input-check-heading');
  } else {
    focusHeading('overview', 'overview-heading');
  }
  // After the tab is chosen: the comparison is made only when its tab is open.
  await practices.refresh(summary);
}

async function showDefinitions() {
  const defs = await client.request({ type: 'definitions' });
  definitions.render(defs, config.codelists, {
    onReplaceCodelist: async (cluster, file) => {
      const text = await file.text();
      config.codelists = [...config.codelists.filter((c) => c.cluster !== cluster), { cluster, file: file.name, text }];
      load(`Reading the practice again with your codes for ${cluster}…`);
    },
    onResetCodelists: () => {
      config.codelists = [];
      load('Reading the practice again with the built-in codelists…');
    },
    onSettings: async (settings) => {
      const before = config.settings;
      config.settings = settings;
      // A setting the engine refuses is shown as an error, and the last good settings kept.
      if (!(await load('Drawing up the lists with the new settings…'))) config.settings = before;
    },
  });
  localCohorts.render(defs, config.rules);
}

/**
 * Runs one worker request with the progress bar, then shows the result.
 * @param {string} label
 * @param {import('./worker-client.js').Outgoing} request
 * @param {(message: string) => void} [onError] shows a problem (the page's error summary unless given)
 * @returns {Promise<boolean>} whether it worked
 */
async function run(label, request, onError = (message) => errors.show(message)) {
  errors.clear();
  start.setBusy(true);
  progress.start(label);
  const t0 = performance.now();
  try {
    await client.ready;
    const result = await client.request(request, (p) => progress.update(p));
    await show(result.summary);
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    progress.finish(`Lists drawn up in ${seconds} seconds: ${num(result.summary.population.current)} registered patients.`);
    // For scripts/bench-page: the time and the WASM memory the last run took.
    document.body.dataset.lastRunMs = String(Math.round(performance.now() - t0));
    if (result.wasmMemoryBytes) document.body.dataset.wasmMemoryBytes = String(result.wasmMemoryBytes);
    if (request.type === 'load') await showDefinitions();
    return true;
  } catch (e) {
    progress.finish('Stopped: there is a problem.');
    // An internal error is shown at the top of the page by the crash listener below.
    if (!(e instanceof WorkerCrash)) onError(/** @type {Error} */ (e).message);
    return false;
  } finally {
    start.setBusy(false);
  }
}

/**
 * Reads a practice with the current configuration: a new source, or the last one again.
 * @param {string} label @param {import('./protocol.js').Source} [source] @param {(message: string) => void} [onError]
 */
function load(label, source, onError) {
  const asOf = asOfAgain.value || start.asOf();
  return run(label, { type: 'load', source, asOf, config: JSON.stringify(config) }, onError);
}

const start = mountStartForm(startArea, {
  onDemo: (c) => {
    asOfAgain.value = c.asOf;
    loadedText.textContent = `Demo practice: ${num(c.patients)} made-up patients, ${c.deprivation} deprivation profile.`;
    return load(`Generating a demo practice of ${num(c.patients)} patients…`,
      { type: 'demo', patients: c.patients, seed: 42, deprivation: c.deprivation, asOf: c.asOf });
  },
  onFiles: (c) => {
    asOfAgain.value = c.asOf;
    loadedText.textContent = `Your files: ${[c.patients, ...c.events].map((f) => f.name).join(', ')}.`;
    return load('Reading the files…', { type: 'files', patients: c.patients, events: c.events });
  },
  onFhir: (c) => {
    asOfAgain.value = c.asOf;
    loadedText.textContent = `FHIR files: ${c.files.map((f) => f.name).join(', ')}.`;
    return load('Reading the FHIR files…', { type: 'fhir', files: c.files });
  },
  onWide: (c) => {
    asOfAgain.value = c.asOf;
    errors.clear();
    startArea.hidden = true;
    wideArea.hidden = false;
    wideMapping.show(c.file).catch((e) => {
      errors.show(`${c.file.name} could not be read: ${e.message}`);
      wideArea.hidden = true;
      startArea.hidden = false;
    });
  },
  onError: (m) => errors.show(m),
});

const wideMapping = mountWideMapping(wideArea, client, {
  config: () => JSON.stringify(config),
  patientFields: () => engine.fields.patients,
  onRead: (file, profile, name) => {
    loadedText.textContent = `Report: ${file.name}, read with the profile “${name}”.`;
    load('Reading the report…', { type: 'wide', file, profile });
  },
  onCancel: () => {
    wideArea.hidden = true;
    startArea.hidden = false;
  },
});

asOfForm.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOfAgain.value)) {
    errors.show('Enter the date to draw the lists up for, as day, month and year.');
    asOfAgain.focus();
    return;
  }
  run('Drawing up the lists…', { type: 'analyse', asOf: asOfAgain.value });
});

// An internal error in the analysis engine: the worker has been replaced by a
// fresh one and the practice is gone with the old one. Back to the start
// screen, which works as on a fresh page, with what happened at the top.
client.onCrash((crash) => {
  results.hidden = true;
  wideArea.hidden = true;
  startArea.hidden = false;
  start.setBusy(false);
  document.title = 'Cohort Finder';
  document.body.dataset.workerStarts = String(client.starts);
  errors.show(crash.message);
});

window.addEventListener('resize', () => worklist.refresh());
client.ready.then((r) => {
  engine = r;
  worklist.setColumns(r.columns);
  // The engine is made while the user chooses files; a configuration it
  // refuses is reported by the load that uses it.
  client.request({ type: 'prepare', config: JSON.stringify(config) }).catch(() => {});
  start.demoFromAddress();
}).catch((e) => errors.show(`The analysis engine could not start: ${e.message}`));
