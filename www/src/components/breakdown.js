// Every overview figure broken down by one characteristic at a time (IMD
// quintile, ethnic group, sex, age band), with "not recorded" as a group of
// its own: the lists as count of eligible, and the segments as people.
import { h, uid } from '../dom.js';
import { AGE_BANDS, ethnicityTitle, imdTitle, lowerFirst, num, percent, segmentTitle, sexTitle } from '../format.js';
import { dataTable } from './input-check.js';

/** @typedef {import('../protocol.js').Summary} Summary */

/** @type {[string, string, (id: string) => string][]} breakdown id, label, group title */
export const BY = [
  ['imd_quintile', 'IMD quintile (1 = most deprived)', (id) => (id === 'not_recorded' ? 'Not recorded' : `Quintile ${imdTitle(Number(id))}`)],
  ['ethnicity', 'Ethnic group', ethnicityTitle],
  ['sex', 'Sex', (id) => (id === 'unknown' ? 'Not recorded' : sexTitle(id))],
  ['age_band', 'Age band', (id) => (AGE_BANDS.includes(id) ? `Aged ${id}` : id)],
];

/**
 * @param {Summary} summary
 * @param {string} by
 */
function tables(summary, by) {
  const [, label, title] = /** @type {(typeof BY)[number]} */ (BY.find(([id]) => id === by));
  const groups = Object.entries(summary.breakdowns[by] ?? {});
  const headers = ['Figure', ...groups.map(([id]) => title(id))];
  const worklists = Object.entries(summary.cohorts).filter(([, c]) => c.kind === 'worklist');
  const registers = Object.entries(summary.cohorts).filter(([, c]) => c.kind !== 'worklist');
  const numeric = groups.map((_, i) => i + 1);
  const share = (/** @type {string} */ id) => groups.map(([, g]) => {
    const c = g.cohorts[id];
    return c ? `${num(c.count)} of ${num(c.eligible)} (${percent(c.count, c.eligible)})` : '–';
  });
  return [
    dataTable(`Registered patients by ${lowerFirst(label)}`, headers,
      [['Registered patients', ...groups.map(([, g]) => num(g.population))]], { numeric, className: 'cf-breakdown' }),
    dataTable(`Worklists by ${lowerFirst(label)}: people on the list of those eligible`, headers,
      worklists.map(([id, c]) => [c.title, ...share(id)]), { numeric, className: 'cf-breakdown' }),
    dataTable(`Segments by ${lowerFirst(label)}: people (share of the group)`, headers,
      summary.segment_precedence.map((s) => [segmentTitle(s),
        ...groups.map(([, g]) => `${num(g.segments[s] ?? 0)} (${percent(g.segments[s] ?? 0, g.population)})`)]),
      { numeric, className: 'cf-breakdown' }),
    dataTable(`Registers by ${lowerFirst(label)}: people (prevalence in the group)`, headers,
      registers.map(([id, c]) => [c.title,
        ...groups.map(([, g]) => `${num(g.cohorts[id]?.count ?? 0)} (${percent(g.cohorts[id]?.count ?? 0, g.population)})`)]),
      { numeric, className: 'cf-breakdown' }),
  ];
}

/** @param {HTMLElement} root */
export function mountBreakdown(root) {
  const id = uid('breakdown-by');
  const select = h('select', { class: 'nhsuk-select', id, name: 'breakdown-by' },
    BY.map(([value, label]) => h('option', { value, text: label })));
  const body = h('div', { class: 'cf-breakdown__tables cf-scroll', tabindex: '0', role: 'region', 'aria-label': 'Breakdown tables' });
  /** @type {Summary | null} */
  let summary = null;
  const draw = () => summary && body.replaceChildren(...tables(summary, select.value));
  select.addEventListener('change', draw);
  root.replaceChildren(
    h('h2', { class: 'nhsuk-heading-m', id: 'breakdown-heading', text: 'Inequalities: every figure by group' }),
    h('p', { class: 'nhsuk-body', text: 'Each figure split by one characteristic. People with nothing recorded are a group of their own, never left out.' }),
    h('div', { class: 'nhsuk-form-group' }, h('label', { class: 'nhsuk-label', for: id, text: 'Break down by' }), select),
    body);
  return {
    /** @param {Summary} next */
    render(next) {
      summary = next;
      draw();
    },
  };
}
