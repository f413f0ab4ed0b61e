// Compare practices, for a primary care network: this practice's figures
// beside other practices', every indicator side by side and one at a time
// as a funnel plot (each practice's rate against its number of people, with
// the network's rate and its 95% and 99.8% limits). Other practices come as
// the summary files they share (counts only, small numbers suppressed) or as
// an extract read here, whose exact figures never leave this page.
import { Chart, Legend, LineController, LineElement, LinearScale, PointElement, ScatterController, Tooltip } from 'chart.js';
import { h, uid } from '../dom.js';
import { num, ukDate, words } from '../format.js';
import { save } from './export-panel.js';
import { mountErrorSummary } from './error-summary.js';
import { dataTable } from './input-check.js';
import { progressText } from './progress-panel.js';

Chart.register(ScatterController, LineController, PointElement, LineElement, LinearScale, Tooltip, Legend);

/** @typedef {import('../protocol.js').PracticesState} PracticesState */
/** @typedef {import('../protocol.js').PracticeTable} PracticeTable */
/** @typedef {import('../protocol.js').Cell} Cell */
/** @typedef {import('../protocol.js').Funnel} Funnel */
/** @typedef {import('../protocol.js').Added} Added */

/** A fraction as a percentage with one decimal. @param {number | null | undefined} x */
const pc = (x) => (x === null || x === undefined ? '–' : `${(100 * x).toFixed(1)}%`);

/** What a summary's suppression means, for screen readers beside the word. */
const SUPPRESSED_WHY = ' (between 1 and 7 people: not shown in a shared summary)';

/** "suppressed" with its meaning for screen readers. */
const suppressed = () => [h('span', { text: 'suppressed' }), h('span', { class: 'nhsuk-u-visually-hidden', text: SUPPRESSED_WHY })];

/**
 * A cell as "done/eligible (rate%)"; a count left out of a shared summary
 * reads "suppressed", a figure a practice's summary does not have "–".
 * @param {Cell} c
 */
function cellContent(c) {
  if (c.status === 'absent') {
    return h('span', {}, '–', h('span', { class: 'nhsuk-u-visually-hidden', text: ' (not in this practice’s summary)' }));
  }
  if (c.numerator === null && c.denominator === null) return h('span', { class: 'cf-suppressed' }, suppressed());
  const part = (/** @type {number | null} */ n) => (n === null ? h('span', { class: 'cf-suppressed' }, suppressed()) : num(n));
  return h('span', {}, part(c.numerator), '/', part(c.denominator), c.rate === null ? '' : ` (${pc(c.rate)})`);
}

/** Positions in words. @type {Record<string, string>} */
const POSITIONS = {
  within: 'within the 95% limits',
  high_95: 'above the 95% limit',
  high_99_8: 'above the 99.8% limit',
  low_95: 'below the 95% limit',
  low_99_8: 'below the 99.8% limit',
};

/** Source of a practice's figures, in words. @param {import('../protocol.js').ComparedPractice} p */
const sourceText = (p) => (p.source === 'summary'
  ? 'Summary: rounded to 5, 1–7 suppressed'
  : 'Extract: exact, on this machine only');

/**
 * Writes each practice's code beside its point on the funnel plot, on the
 * first side (right, left, above or below) where it covers no other point
 * or label.
 */
const pointLabels = {
  id: 'cfPointLabels',
  /** @param {Chart} chart */
  afterDatasetsDraw(chart) {
    const { ctx, chartArea: area } = chart;
    ctx.save();
    ctx.font = `600 13px ${Chart.defaults.font.family}`;
    ctx.fillStyle = '#212b32';
    ctx.textBaseline = 'middle';
    /** @type {{x: number, y: number, w: number, h: number}[]} */
    const taken = [];
    const overlaps = (/** @type {{x: number, y: number, w: number, h: number}} */ a) =>
      taken.some((b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h);
    chart.data.datasets.forEach((dataset, i) => {
      const labels = /** @type {any} */ (dataset).pointLabels;
      if (!labels || !chart.isDatasetVisible(i)) return;
      const points = chart.getDatasetMeta(i).data;
      for (const p of points) taken.push({ x: p.x - 8, y: p.y - 8, w: 16, h: 16 });
      points.forEach((p, j) => {
        const w = ctx.measureText(labels[j]).width;
        const h = 16;
        const spots = [
          { x: p.x + 11, y: p.y - h / 2 },
          { x: p.x - 11 - w, y: p.y - h / 2 },
          { x: p.x - w / 2, y: p.y - 11 - h },
          { x: p.x - w / 2, y: p.y + 11 },
          { x: p.x + 9, y: p.y - 6 - h },
          { x: p.x + 9, y: p.y + 6 },
        ].map((s) => ({ ...s, w, h }));
        const inside = (/** @type {{x: number, y: number, w: number, h: number}} */ s) =>
          s.x >= area.left && s.x + s.w <= area.right && s.y >= area.top && s.y + s.h <= area.bottom;
        const spot = spots.find((s) => inside(s) && !overlaps(s)) ?? spots.find(inside) ?? spots[0];
        taken.push(spot);
        ctx.textAlign = 'left';
        ctx.fillText(labels[j], spot.x, spot.y + h / 2);
      });
    });
    ctx.restore();
  },
};

/** A round number at or above `x` (1, 2 or 5 times a power of ten, and its steps). @param {number} x */
function niceCeil(x) {
  if (x <= 0) return 10;
  const step = 10 ** (Math.floor(Math.log10(x)) - 1);
  for (const m of [1, 2, 2.5, 5, 10]) {
    const s = step * m;
    if (x / s <= 12) return Math.ceil(x / s) * s;
  }
  return Math.ceil(x / (step * 10)) * step * 10;
}

/** The dot the legend shows for a practice. */
function legendDot() {
  const c = document.createElement('canvas');
  c.width = 16;
  c.height = 16;
  const g = c.getContext('2d');
  if (g) {
    g.fillStyle = '#005eb8';
    g.beginPath();
    g.arc(8, 8, 6.5, 0, 2 * Math.PI);
    g.fill();
  }
  return c;
}

/**
 * @param {HTMLElement} root
 * @param {import('../worker-client.js').WorkerClient} client
 * @param {{onError: (message: string) => void}} handlers
 */
export function mountPracticeComparison(root, client, handlers) {
  /** @type {PracticesState | null} */
  let state = null;
  let asOf = '';
  /** Cohort titles by id, from the loaded practice's report. @type {Record<string, string>} */
  let titles = {};
  /** @type {Chart | null} */
  let chart = null;
  let funnelSeq = 0;

  const messages = h('div', { class: 'cf-compare__messages' });
  const live = h('p', { class: 'nhsuk-body-s', role: 'status', 'aria-live': 'polite', id: 'practices-status' });

  // Problems are shown at the top of this section, where the user is working.
  const problems = mountErrorSummary(messages, 'practices-error-title');
  const showProblems = (/** @type {string[]} */ items) => problems.show(items);
  const invalid = (/** @type {string} */ message, /** @type {HTMLElement} */ field) => {
    problems.show(message);
    field.focus();
  };

  /** Runs a request that changes the comparison, then draws it. @param {import('../worker-client.js').Outgoing} request @param {string} busy */
  async function change(request, busy) {
    problems.clear();
    live.textContent = busy;
    setBusy(true);
    try {
      const result = /** @type {Added} */ (await client.request(request, (p) => { live.textContent = progressText(p); }));
      render(result);
      const parts = [];
      if (result.added?.length) parts.push(`Added ${result.added.join(', ')}.`);
      if (result.replaced?.length) parts.push(`Replaced ${result.replaced.join(', ')} with the new figures.`);
      live.textContent = parts.join(' ') || 'Done.';
      const notes = result.errors ?? [];
      if (notes.length) showProblems(notes);
      return result;
    } catch (e) {
      live.textContent = '';
      showProblems([/** @type {Error} */ (e).message]);
      return null;
    } finally {
      setBusy(false);
    }
  }

  // Sharing this practice's figures.
  const codeId = uid('share-code');
  const codeInput = h('input', { class: 'nhsuk-input nhsuk-input--width-10', id: codeId, name: 'share-code', type: 'text',
    autocomplete: 'off', spellcheck: 'false', 'aria-describedby': `${codeId}-hint` });
  const codeGroup = h('div', { class: 'nhsuk-form-group', hidden: true },
    h('label', { class: 'nhsuk-label', for: codeId, text: 'Practice code for patients with none in the file' }),
    h('div', { class: 'nhsuk-hint', id: `${codeId}-hint` }),
    codeInput);
  const shareNote = h('p', { class: 'nhsuk-body-s', 'aria-live': 'polite' });
  async function downloadSummary() {
    try {
      const r = await client.request({ type: 'practice-summary', code: codeInput.value.trim() });
      const codes = /** @type {string[]} */ (r.codes);
      const name = `${codes.length && codes.length <= 3 ? `${codes.join('-')}-` : ''}summary-${r.asOf}.json`;
      save(r.text, name);
      shareNote.textContent = `Saved ${name}. It holds counts only, with no patient in it.`;
    } catch (e) {
      problems.show(/** @type {Error} */ (e).message);
    }
  }
  const share = h('section', { class: 'cf-card cf-compare__part', 'aria-labelledby': 'share-heading' },
    h('h3', { class: 'nhsuk-heading-s', id: 'share-heading', text: 'Share this practice’s figures' }),
    h('p', { class: 'nhsuk-body', text: 'A summary file holds counts only, never a patient: every count from 1 to 7 is left out (suppressed) and every other count is rounded to the nearest 5, so it can go to the network as any aggregate report would. It is made in this browser and saved to this computer.' }),
    codeGroup,
    h('button', { class: 'nhsuk-button nhsuk-button--secondary', type: 'button', id: 'download-summary', onclick: downloadSummary },
      'Download this practice’s summary'),
    shareNote);

  // Adding practices: summary files, or another practice's extract.
  const summariesId = uid('summary-files');
  const summariesInput = h('input', { class: 'nhsuk-file-upload', id: summariesId, type: 'file', multiple: true,
    accept: '.json,application/json', 'aria-describedby': `${summariesId}-hint` });
  const summariesForm = h('form', { class: 'cf-card', 'aria-labelledby': 'add-summaries-heading', novalidate: true },
    h('h4', { class: 'nhsuk-heading-xs', id: 'add-summaries-heading', text: 'Summary files from other practices' }),
    h('div', { class: 'nhsuk-form-group' },
      h('label', { class: 'nhsuk-label', for: summariesId, text: 'Summary files (.json)' }),
      h('div', { class: 'nhsuk-hint', id: `${summariesId}-hint`, text: 'The files practices download with “Download this practice’s summary”. You can choose several at once.' }),
      summariesInput),
    h('button', { class: 'nhsuk-button nhsuk-button--secondary', type: 'submit', text: 'Add the summaries' }));
  summariesForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const files = Array.from(summariesInput.files ?? []);
    if (files.length === 0) {
      invalid('Choose at least one summary file.', summariesInput);
      return;
    }
    if (await change({ type: 'practices-add-summaries', files }, `Reading ${files.length} summary file${files.length === 1 ? '' : 's'}…`)) {
      summariesForm.reset();
    }
  });

  const extractPatientsId = uid('extract-patients');
  const extractEventsId = uid('extract-events');
  const extractCodeId = uid('extract-code');
  const extractPatients = h('input', { class: 'nhsuk-file-upload', id: extractPatientsId, type: 'file', accept: '.csv,.tsv,.txt,text/csv' });
  const extractEvents = h('input', { class: 'nhsuk-file-upload', id: extractEventsId, type: 'file', multiple: true, accept: '.csv,.tsv,.txt,text/csv' });
  const extractCode = h('input', { class: 'nhsuk-input nhsuk-input--width-10', id: extractCodeId, name: 'extract-code', type: 'text',
    autocomplete: 'off', spellcheck: 'false', 'aria-describedby': `${extractCodeId}-hint` });
  const extractInput = h('div', { class: 'cf-compare__extract-input' });
  const extractForm = h('form', { class: 'cf-card', 'aria-labelledby': 'add-extract-heading', novalidate: true },
    h('h4', { class: 'nhsuk-heading-xs', id: 'add-extract-heading', text: 'Another practice’s extract' }),
    h('p', { class: 'nhsuk-body-s', text: 'Its patients and events files, read here with the same settings and as of the same date as this practice. Only its exact counts are kept, and only while this page is open.' }),
    h('div', { class: 'nhsuk-form-group' },
      h('label', { class: 'nhsuk-label', for: extractPatientsId, text: 'The other practice’s patients' }), extractPatients),
    h('div', { class: 'nhsuk-form-group' },
      h('label', { class: 'nhsuk-label', for: extractEventsId, text: 'The other practice’s events (you can choose more than one file)' }), extractEvents),
    h('div', { class: 'nhsuk-form-group' },
      h('label', { class: 'nhsuk-label', for: extractCodeId, text: 'Practice code (optional)' }),
      h('div', { class: 'nhsuk-hint', id: `${extractCodeId}-hint`, text: 'For patients the file gives no practice code; without one they are shown under the file’s name.' }),
      extractCode),
    h('button', { class: 'nhsuk-button nhsuk-button--secondary', type: 'submit', text: 'Read and add the extract' }),
    extractInput);
  extractForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const patients = extractPatients.files?.[0];
    const events = Array.from(extractEvents.files ?? []);
    if (!patients) {
      invalid('Choose the other practice’s patients file.', extractPatients);
      return;
    }
    if (events.length === 0) {
      invalid('Choose the other practice’s events file.', extractEvents);
      return;
    }
    const result = await change({ type: 'practices-add-extract', patients, events, code: extractCode.value.trim() },
      `Reading ${patients.name}…`);
    if (!result) return;
    const files = Object.values(result.input ?? {});
    extractInput.replaceChildren(h('p', { class: 'nhsuk-body-s', id: 'extract-input-check',
      text: files.map((f) => `${f.file}: ${num(f.read)} rows read, ${num(f.accepted)} accepted, ${num(f.rejected)} rejected`).join('. ') + '.' }));
    extractForm.reset();
  });

  // The practices in the comparison.
  const practicesArea = h('div', { id: 'practices-list' });
  const warningsArea = h('div');
  // The side-by-side table.
  const tableArea = h('div', { class: 'cf-scroll cf-compare__table', tabindex: '0', role: 'region', 'aria-label': 'Table of every practice’s figures (scrolls)' });
  async function downloadCsv() {
    try {
      const text = await client.request({ type: 'practices-csv' });
      save(text, `practice-comparison-${asOf}.csv`);
    } catch (e) {
      problems.show(/** @type {Error} */ (e).message);
    }
  }
  const groupId = uid('compare-group');
  const groupSelect = h('select', { class: 'nhsuk-select', id: groupId, name: 'compare-group', 'aria-describedby': `${groupId}-hint` });
  groupSelect.addEventListener('change', async () => {
    const [dimension = '', group = ''] = groupSelect.value.split('\t');
    try {
      render(await client.request({ type: 'practices', dimension, group }));
    } catch (e) {
      problems.show(/** @type {Error} */ (e).message);
    }
  });
  const sideBySide = h('section', { class: 'cf-compare__part', 'aria-labelledby': 'side-by-side-heading', hidden: true },
    h('h3', { class: 'nhsuk-heading-s', id: 'side-by-side-heading', text: 'Every indicator side by side' }),
    h('div', { class: 'nhsuk-form-group' },
      h('label', { class: 'nhsuk-label', for: groupId, text: 'People' }),
      h('div', { class: 'nhsuk-hint', id: `${groupId}-hint`, text: 'Everyone, or one group: the table and the funnel plot below follow this choice.' }),
      groupSelect),
    h('p', { class: 'nhsuk-body-s', text: 'Each cell is done of eligible (or on the list of registered patients) and the rate. The network column adds up the practices’ figures that are shown: a suppressed figure is left out of it.' }),
    tableArea,
    h('button', { class: 'nhsuk-button nhsuk-button--secondary', type: 'button', id: 'practices-csv', onclick: downloadCsv },
      'Download the comparison (CSV)'));

  // The funnel plot.
  const indicatorId = uid('funnel-indicator');
  const indicatorSelect = h('select', { class: 'nhsuk-select cf-measure-select', id: indicatorId, name: 'funnel-indicator' });
  const funnelBody = h('div', { class: 'cf-funnel__body' });
  indicatorSelect.addEventListener('change', () => drawFunnel());
  const funnelSection = h('section', { class: 'cf-compare__part', id: 'funnel-section', 'aria-labelledby': 'funnel-heading', hidden: true },
    h('h3', { class: 'nhsuk-heading-s', id: 'funnel-heading', text: 'Funnel plot' }),
    h('p', { class: 'nhsuk-body-s', text: 'Each practice’s rate against its number of people, for the people chosen above. Small practices vary more by chance, so the limits around the network’s rate widen as the number falls: a practice outside the 99.8% limits is unlikely to be there by chance alone.' }),
    h('div', { class: 'nhsuk-form-group' }, h('label', { class: 'nhsuk-label', for: indicatorId, text: 'Indicator' }), indicatorSelect),
    funnelBody);

  root.replaceChildren(
    h('h2', { class: 'nhsuk-heading-m', id: 'practices-heading', text: 'Compare practices' }),
    h('p', { class: 'nhsuk-body', text: 'For a primary care network: this practice beside others, indicator by indicator. Each practice shares a summary file of counts (no patient in it), and nothing is sent anywhere: the files are read in this browser.' }),
    messages,
    share,
    h('section', { class: 'cf-compare__part', 'aria-labelledby': 'add-practices-heading' },
      h('h3', { class: 'nhsuk-heading-s', id: 'add-practices-heading', text: 'Add practices' }),
      h('div', { class: 'cf-start__choices' }, summariesForm, extractForm),
      live),
    h('section', { class: 'cf-compare__part', 'aria-labelledby': 'compared-heading' },
      h('h3', { class: 'nhsuk-heading-s', id: 'compared-heading', text: 'Practices compared' }),
      warningsArea,
      practicesArea),
    sideBySide,
    funnelSection);

  /** @param {boolean} busy */
  function setBusy(busy) {
    for (const button of root.querySelectorAll('button')) button.disabled = busy;
  }

  /** @param {string} code */
  async function removePractice(code) {
    await change({ type: 'practices-remove', code }, `Removing ${code}…`);
    live.textContent = `Removed ${code}.`;
    /** @type {HTMLElement | null} */ (root.querySelector('#compared-heading'))?.focus();
  }

  /** @param {PracticesState} next */
  function render(next) {
    state = next;
    const { table } = next;
    codeGroup.hidden = !next.ownCodes.includes(next.ownFallback);
    codeGroup.querySelector('.nhsuk-hint')?.replaceChildren(`Some patients in this extract have no practice code. Give the practice’s ODS code (for example Y00001) to file them under; left empty, they are filed under “${next.stem}”.`);
    const warnings = [...(next.problem ? [next.problem] : []), ...table.warnings];
    warningsArea.replaceChildren(warnings.length
      ? h('div', { class: 'nhsuk-warning-callout', id: 'practices-warnings' },
        h('h4', { class: 'nhsuk-warning-callout__label' },
          h('span', { role: 'text' }, h('span', { class: 'nhsuk-u-visually-hidden', text: 'Important: ' }), 'Compare with care')),
        h('ul', { class: 'nhsuk-list nhsuk-list--bullet' }, warnings.map((w) => h('li', { text: w }))))
      : '');
    practicesArea.replaceChildren(table.practices.length === 0
      ? h('p', { class: 'nhsuk-body', text: 'No practices yet: add summary files or an extract above.' })
      : dataTable(`${table.practices.length} practice${table.practices.length === 1 ? '' : 's'}`,
        ['Practice', 'Figures', 'As of', 'Registered patients', 'File', 'Remove'],
        table.practices.map((p) => [
          h('span', {}, p.code, next.ownCodes.includes(p.code) ? h('span', { class: 'cf-compare__own', text: ' (this practice)' }) : ''),
          sourceText(p), ukDate(p.as_of), num(p.registered), p.file,
          h('button', { class: 'cf-link-button', type: 'button', dataset: { code: p.code }, onclick: () => removePractice(p.code) },
            'Remove', h('span', { class: 'nhsuk-u-visually-hidden', text: ` ${p.code}` })),
        ]), { numeric: [3], className: 'cf-compare__practices' }));

    const any = table.practices.length > 0;
    sideBySide.hidden = !any;
    funnelSection.hidden = !any;
    if (!any) {
      chart?.destroy();
      chart = null;
      return;
    }
    // What is drawn, so a script can tell when a change has been drawn.
    const view = `${table.practices.map((p) => p.code).join(',')}|${table.dimension ?? ''}|${table.group ?? ''}`;
    tableArea.dataset.view = view;
    tableArea.replaceChildren(dataTable('Indicators by practice: done of eligible (rate)',
      ['Indicator', ...table.practices.map((p) => p.code), 'Network (all practices)'],
      table.indicators.map((ind) => [ind.title, ...ind.cells.map(cellContent), cellContent(ind.pcn)]),
      { numeric: table.practices.map((_, i) => i + 1).concat(table.practices.length + 1), className: 'cf-compare__indicators' }));

    // Options by cohort; a cohort with one figure stands alone, segments go together.
    const keep = indicatorSelect.value;
    const key = (/** @type {import('../protocol.js').Indicator} */ i) => i.cohort ?? i.kind;
    const cohorts = [...new Set(table.indicators.map(key))];
    indicatorSelect.replaceChildren(...cohorts.map((c) => {
      const inds = table.indicators.filter((i) => key(i) === c);
      return inds.length === 1 && !inds[0].check
        ? h('option', { value: inds[0].id, text: inds[0].title })
        : h('optgroup', { label: c === 'segment' ? 'Population segments' : titles[c] ?? words(c) },
          inds.map((i) => h('option', { value: i.id, text: i.title })));
    }));
    indicatorSelect.value = table.indicators.some((i) => i.id === keep) ? keep
      : table.indicators.some((i) => i.id === 'smi_health_checks.all_required') ? 'smi_health_checks.all_required'
        : table.indicators[0]?.id ?? '';
    const at = table.dimension && table.group ? `${table.dimension}\t${table.group}` : '';
    groupSelect.replaceChildren(h('option', { value: '', text: 'Everyone' }),
      ...table.dimensions.map((d) => h('optgroup', { label: d.title },
        d.groups.map((g) => h('option', { value: `${d.id}\t${g.id}`, text: `${d.title}: ${g.label}` })))));
    groupSelect.value = Array.from(groupSelect.options).some((o) => o.value === at) ? at : '';
    drawFunnel();
  }

  async function drawFunnel() {
    const indicator = indicatorSelect.value;
    if (!indicator) return;
    const [dimension = '', group = ''] = (state?.table.dimension && state.table.group) ? [state.table.dimension, state.table.group] : [];
    const seq = ++funnelSeq;
    try {
      const funnel = /** @type {Funnel} */ (await client.request({ type: 'practices-funnel', indicator, dimension, group }));
      if (seq !== funnelSeq) return;
      showFunnel(funnel, groupSelect.selectedOptions[0]?.textContent ?? '');
      funnelBody.dataset.view = `${tableArea.dataset.view}|${indicator}`;
    } catch (e) {
      if (seq !== funnelSeq) return;
      chart?.destroy();
      chart = null;
      funnelBody.replaceChildren(h('p', { class: 'nhsuk-body', text: /** @type {Error} */ (e).message }));
    }
  }

  /** @param {Funnel} f @param {string} groupLabel */
  function showFunnel(f, groupLabel) {
    const ind = f.indicator;
    const who = f.group ? ` (${groupLabel})` : '';
    const xTitle = ind.denominator === 'eligible' ? 'Eligible people' : 'Registered patients';
    const yTitle = ind.numerator === 'done' ? '% done' : `% ${ind.numerator}`;
    const caption = `${ind.title}${who}: each practice against the network rate of ${pc(f.pcn.rate)}`;
    chart?.destroy();
    chart = null;
    const table = dataTable(caption, ['Practice', `People ${ind.numerator}`, xTitle, 'Rate', 'Position'],
      [...f.points.map((p) => [p.code, num(p.numerator), num(p.denominator), pc(p.rate), POSITIONS[p.position] ?? p.position]),
        ['Network', num(f.pcn.numerator), num(f.pcn.denominator), pc(f.pcn.rate), '']],
      { numeric: [1, 2, 3], className: 'cf-funnel__table' });
    const leftOut = f.left_out.length
      ? h('div', { id: 'funnel-left-out' },
        h('h4', { class: 'nhsuk-heading-xs', text: 'Not on the plot' }),
        h('ul', { class: 'nhsuk-list nhsuk-list--bullet' }, f.left_out.map((l) => h('li', { text: `${l.code}: ${l.why}` }))))
      : '';
    const higher = ind.higher_is === 'better' ? 'A higher rate is better here.'
      : ind.higher_is === 'worse' ? 'A higher rate means more people needing action.' : 'Neither a higher nor a lower rate is better in itself.';
    if (f.points.length === 0) {
      funnelBody.replaceChildren(h('p', { class: 'nhsuk-body', text: 'No practice has figures to plot for this indicator.' }), leftOut);
      return;
    }
    const canvas = h('canvas', { role: 'img', id: 'funnel-canvas',
      'aria-label': `Funnel plot: ${caption}, with 95% and 99.8% limits. The same figures are in the table beside it.` });
    const holder = h('div', { class: 'cf-chart__canvas cf-funnel__canvas' }, canvas);
    // The plot takes the width (the limits need it); the table follows it.
    funnelBody.replaceChildren(
      h('p', { class: 'nhsuk-body-s', text: higher }),
      h('div', { class: 'cf-funnel' }, holder, h('div', { class: 'cf-funnel__figures' }, table, leftOut)));

    const maxX = niceCeil(Math.max(...f.points.map((p) => p.denominator)) * 1.08);
    // The rate axis spans the practices and the limits where they are, in steps of 10%.
    const near = f.curve.filter((c) => c.denominator >= Math.min(...f.points.map((p) => p.denominator)) / 2);
    const rates = [...f.points.map((p) => p.rate ?? 0), f.pcn.rate ?? 0, ...near.flatMap((c) => [c.low_99_8, c.high_99_8])];
    const yMin = Math.max(0, Math.floor((100 * Math.min(...rates) - 2) / 10) * 10);
    const yMax = Math.min(100, Math.ceil((100 * Math.max(...rates) + 2) / 10) * 10);
    const curve = (/** @type {'low_99_8' | 'low_95' | 'high_95' | 'high_99_8'} */ key) =>
      f.curve.filter((c) => c[key] !== null && c[key] !== undefined).map((c) => ({ x: c.denominator, y: 100 * c[key] }));
    /** @param {string} label @param {string} color @param {number[]} dash @param {any[]} data @param {boolean} inLegend */
    const line = (label, color, dash, data, inLegend) => ({
      type: /** @type {const} */ ('line'), label, data, borderColor: color, backgroundColor: color, borderDash: dash,
      borderWidth: 2, pointRadius: 0, pointHoverRadius: 0, fill: false, tension: 0, inLegend,
    });
    const rate = f.pcn.rate === null ? null : 100 * f.pcn.rate;
    const dot = legendDot();
    chart = new Chart(canvas, {
      type: 'scatter',
      data: {
        datasets: /** @type {any[]} */ ([
          { type: 'scatter', label: 'Practice', data: f.points.map((p) => ({ x: p.denominator, y: p.rate === null ? null : 100 * p.rate })),
            pointLabels: f.points.map((p) => p.code), backgroundColor: '#005eb8', borderColor: '#fff', borderWidth: 1.5,
            pointRadius: 7, pointHoverRadius: 9, inLegend: true },
          line(`Network rate (${pc(f.pcn.rate)})`, '#212b32', [], rate === null ? [] : [{ x: 0, y: rate }, { x: maxX, y: rate }], true),
          line('95% limits', '#ed8b00', [8, 5], curve('high_95'), true),
          line('95% limits', '#ed8b00', [8, 5], curve('low_95'), false),
          line('99.8% limits', '#7c2855', [2, 4], curve('high_99_8'), true),
          line('99.8% limits', '#7c2855', [2, 4], curve('low_99_8'), false),
        ]),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { type: 'linear', min: 0, max: maxX, title: { display: true, text: xTitle, font: { size: 15, weight: 'bold' } },
            ticks: { color: '#212b32' }, grid: { color: '#e8edee' } },
          y: { min: yMin, max: yMax, title: { display: true, text: yTitle, font: { size: 15, weight: 'bold' } },
            ticks: { color: '#212b32', callback: (v) => `${v}%` }, grid: { color: '#e8edee' } },
        },
        plugins: {
          legend: {
            position: 'bottom',
            // Lines drawn with their dash in the legend, the practices as a dot.
            labels: { color: '#212b32', usePointStyle: true, pointStyleWidth: 40, padding: 16,
              filter: (item, data) => /** @type {any} */ (data.datasets[item.datasetIndex ?? 0]).inLegend !== false,
              generateLabels: (c) => Chart.defaults.plugins.legend.labels.generateLabels(c).map((item) => {
                const ds = /** @type {any} */ (c.data.datasets[item.datasetIndex ?? 0]);
                return ds.type === 'line' ? { ...item, pointStyle: 'line', lineDash: ds.borderDash, lineWidth: 2.5 } : { ...item, pointStyle: dot };
              }) },
          },
          tooltip: {
            filter: (item) => item.datasetIndex === 0,
            callbacks: {
              label: (item) => {
                const p = f.points[item.dataIndex];
                return `${p.code}: ${num(p.numerator)} of ${num(p.denominator)} (${pc(p.rate)}), ${POSITIONS[p.position] ?? p.position}`;
              },
            },
          },
        },
      },
      plugins: [pointLabels],
    });
  }

  /** Whether the comparison changed while its tab was hidden. */
  let stale = false;
  async function load() {
    stale = false;
    try {
      const [dimension = '', group = ''] = groupSelect.value.split('\t');
      render(await client.request({ type: 'practices', dimension, group }));
    } catch (e) {
      handlers.onError(/** @type {Error} */ (e).message);
    }
  }

  return {
    /**
     * The loaded practice's latest analysis: the comparison is drawn again
     * now if its tab is open, else when it is next shown.
     * @param {import('../protocol.js').Summary} summary
     */
    async refresh(summary) {
      asOf = summary.as_of;
      titles = Object.fromEntries(Object.entries(summary.cohorts).map(([id, c]) => [id, c.title]));
      stale = true;
      if (!root.hidden) await load();
    },
    /** Its tab is shown: draw what changed, and size the plot (a hidden canvas has none). */
    shown() {
      if (stale) load();
      else chart?.resize();
    },
  };
}
