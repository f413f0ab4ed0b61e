// The health equity audit: one measure at a time (a check done, a list or a
// register), its rate in every group of one characteristic with a 95%
// Wilson interval, as a chart with the same figures in a table beside it,
// and the gap between the most and the least deprived fifths.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { h, uid } from '../dom.js';
import { lowerFirst, num } from '../format.js';
import { BY } from './breakdown.js';
import { save } from './export-panel.js';
import { dataTable } from './input-check.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

/** @typedef {import('../protocol.js').Summary} Summary */
/** @typedef {import('../protocol.js').Measure} Measure */

/** A fraction as a percentage with one decimal. @param {number | null} x */
const pc = (x) => (x === null ? '–' : `${(100 * x).toFixed(1)}%`);

/** @param {Measure} m */
function gapText(m) {
  const g = m.deprivation_gap;
  if (!g) return 'No gap can be given: nobody eligible in the most or the least deprived fifth.';
  const points = (100 * g.absolute).toFixed(1);
  const ratio = g.relative === null ? 'no ratio (the least deprived rate is 0)' : `a ratio of ${g.relative.toFixed(2)}`;
  return `Most deprived fifth (IMD quintile 1) ${pc(g.most_deprived)}, least deprived (quintile 5) ${pc(g.least_deprived)}: `
    + `a gap of ${points} percentage points and ${ratio}.`;
}

/**
 * @param {HTMLElement} root
 * @param {import('../worker-client.js').WorkerClient} client
 * @param {{onError: (message: string) => void}} handlers
 */
export function mountEquity(root, client, handlers) {
  const measureId = uid('measure');
  const measureSelect = h('select', { class: 'nhsuk-select cf-measure-select', id: measureId, name: 'measure' });
  const byId = uid('equity-by');
  const bySelect = h('select', { class: 'nhsuk-select', id: byId, name: 'equity-by' },
    BY.map(([value, label]) => h('option', { value, text: label })));
  const body = h('div', { class: 'cf-equity__body' });
  /** @type {Measure[]} */
  let measures = [];
  /** @type {Chart | null} */
  let chart = null;

  function draw() {
    const m = measures.find((x) => x.id === measureSelect.value);
    if (!m) return;
    const [dimension, label, title] = /** @type {(typeof BY)[number]} */ (BY.find(([id]) => id === bySelect.value));
    const groups = Object.entries(m.by[dimension] ?? {});
    const caption = `${m.title}: ${m.numerator} of ${m.denominator}, by ${lowerFirst(label)}`;
    const canvas = h('canvas', { role: 'img', 'aria-label': `Bar chart: ${caption}, with 95% intervals. The same figures are in the table beside it.` });
    const holder = h('div', { class: 'cf-chart__canvas' }, canvas);
    holder.style.height = `${Math.max(220, groups.length * 56 + 80)}px`;
    const table = dataTable(caption,
      ['Group', `People ${m.numerator}`, m.denominator === 'eligible' ? 'People eligible' : 'Registered patients', 'Rate', '95% interval'],
      [['All', m.total] , ...groups.map(([g, r]) => [title(g), r])].map(([g, r]) => {
        const rate = /** @type {import('../protocol.js').Rate} */ (r);
        return [/** @type {string} */ (g), num(rate.numerator), num(rate.denominator), pc(rate.rate),
          rate.low === null ? '–' : `${pc(rate.low)} to ${pc(rate.high)}`];
      }), { numeric: [1, 2, 3] });
    chart?.destroy();
    body.replaceChildren(
      h('p', { class: 'nhsuk-body', id: 'equity-gap', text: gapText(m) }),
      h('p', { class: 'nhsuk-body-s', text: m.higher_is === 'better'
        ? 'A higher rate is better here.' : m.higher_is === 'worse' ? 'A higher rate means more people needing action.' : 'The rate is how common the condition is in each group (not adjusted for age).' }),
      h('div', { class: 'cf-chart' }, holder, h('div', { class: 'cf-chart__table' }, table)));
    chart = new Chart(canvas, {
      type: 'bar',
      data: {
        labels: groups.map(([g]) => title(g)),
        datasets: [
          { label: 'Rate (%)', data: groups.map(([, r]) => (r.rate === null ? null : 100 * r.rate)), backgroundColor: '#005eb8' },
          { label: '95% interval (%)', data: /** @type {any} */ (groups.map(([, r]) => (r.low === null ? null : [100 * r.low, 100 * (r.high ?? 0)]))),
            backgroundColor: '#aeb7bd' },
        ],
      },
      options: {
        indexAxis: 'y', animation: false, responsive: true, maintainAspectRatio: false,
        scales: { x: { min: 0, max: 100, ticks: { color: '#212b32' } }, y: { ticks: { color: '#212b32' } } },
      },
    });
  }

  async function exportCsv() {
    try {
      const text = await client.request({ type: 'equity-csv' });
      save(text, `equity-audit-${root.dataset.asOf ?? ''}.csv`);
    } catch (e) {
      handlers.onError(/** @type {Error} */ (e).message);
    }
  }

  measureSelect.addEventListener('change', draw);
  bySelect.addEventListener('change', draw);
  root.replaceChildren(
    h('h2', { class: 'nhsuk-heading-m', id: 'equity-heading', text: 'Health equity audit' }),
    h('p', { class: 'nhsuk-body', text: 'For each check and list: how many of the people it applies to had it done (or are on it), in every group, with a 95% confidence interval (Wilson score). Groups with few people have wide intervals: compare them with care.' }),
    h('div', { class: 'cf-codelist-controls' },
      h('div', { class: 'nhsuk-form-group' }, h('label', { class: 'nhsuk-label', for: measureId, text: 'Measure' }), measureSelect),
      h('div', { class: 'nhsuk-form-group' }, h('label', { class: 'nhsuk-label', for: byId, text: 'By' }), bySelect)),
    body,
    h('button', { class: 'nhsuk-button nhsuk-button--secondary', type: 'button', id: 'equity-csv', onclick: exportCsv },
      'Download the whole audit (CSV)'));

  return {
    /** @param {Summary} summary */
    render(summary) {
      measures = summary.equity;
      root.dataset.asOf = summary.as_of;
      const keep = measureSelect.value;
      const titles = Object.fromEntries(Object.entries(summary.cohorts).map(([id, c]) => [id, c.title]));
      const cohorts = [...new Set(measures.map((m) => m.cohort))];
      measureSelect.replaceChildren(...cohorts.map((c) => h('optgroup', { label: titles[c] ?? c },
        measures.filter((m) => m.cohort === c).map((m) => h('option', { value: m.id, text: m.title })))));
      measureSelect.value = measures.some((m) => m.id === keep) ? keep : 'smi_health_checks.all_required';
      if (!measureSelect.value) measureSelect.value = measures[0]?.id ?? '';
      draw();
    },
  };
}
