// One worklist at a time: pick a cohort, filter, search and sort it, and
// open a row to see its reasons and checks. The list stays in the worker:
// the table asks for the pages it is about to draw, 100 rows at a time.
import { h, uid } from '../dom.js';
import { AGE_BANDS, ETHNICITIES, IMD_QUINTILES, imdTitle, num, segmentTitle, sexTitle, ukDate } from '../format.js';
import { mountExportPanel } from './export-panel.js';
import { mountReasonsPanel, spacedNhs } from './reasons-panel.js';
import { createVirtualTable } from './virtual-table.js';

/** @typedef {import('../protocol.js').Summary} Summary */
/** @typedef {import('../protocol.js').Query} Query */
/** @typedef {import('../worker-client.js').WorkerClient} WorkerClient */

const PAGE = 100;

/** Required checks a member has not had. @param {any} m */
const missingChecks = (m) => (m.checks ?? []).filter((/** @type {any} */ c) => c.required && !c.done).map((/** @type {any} */ c) => c.title);

/** The first reason in a few words, for lists that are not about checks. @param {any} m */
const firstReason = (m) => {
  const r = m.reasons?.[0];
  return r ? `${r.rule}${r.date ? ` (${ukDate(r.date)})` : ''}` : '';
};

/** Flags shown beside every list, in this order. */
const FLAGS = /** @type {[string, string][]} */ ([['core20', 'Core20'], ['plus', 'PLUS'], ['smoker', 'Smoker']]);

/** A member's flags in a few words, e.g. "Core20, PLUS". @param {any} m */
const flagText = (m) => FLAGS.filter(([id]) => m.flags?.includes(id)).map(([, title]) => title).join(', ');

/** The keys a priority rule can order by, as the core names them. */
export const PRIORITY_KEYS = /** @type {[string, string][]} */ ([
  ['core20_plus', 'Core20 and PLUS first'],
  ['missing_checks', 'Most checks missing'],
  ['lists', 'On most lists'],
  ['frailty', 'Most frail (eFI deficits)'],
  ['qrisk', 'Highest QRISK'],
  ['age', 'Oldest'],
]);
const DEFAULT_PRIORITY = ['core20_plus', 'missing_checks', 'frailty'];

/**
 * A select whose first option is "Any".
 * @param {string} name @param {string} label @param {[string, string][]} options
 */
function filterSelect(name, label, options) {
  const id = uid(name);
  const select = h('select', { class: 'nhsuk-select', id, name },
    h('option', { value: '', text: 'Any' }),
    options.map(([value, text]) => h('option', { value, text })));
  return { select, group: h('div', { class: 'nhsuk-form-group cf-filter' }, h('label', { class: 'nhsuk-label', for: id, text: label }), select) };
}

/**
 * @param {HTMLElement} root
 * @param {WorkerClient} client
 * @param {{onError: (message: string) => void}} handlers
 */
export function mountWorklist(root, client, handlers) {
  const cohortSelectId = uid('cohort');
  const cohortSelect = h('select', { class: 'nhsuk-select', id: cohortSelectId, name: 'cohort' });
  const status = h('p', { class: 'nhsuk-body', id: 'worklist-status', 'aria-live': 'polite' });
  const description = h('p', { class: 'nhsuk-body-s cf-cohort-description' });
  /** @type {Summary | null} */
  let summary = null;
  /** @type {Query} */
  let query = { cohort: '', sort: 'missing_checks', descending: false };
  let generation = 0;
  /** Pages of the current list, by page number. @type {Map<number, any[]>} */
  let pages = new Map();
  /** @type {Set<number>} */
  let asked = new Set();

  const segment = filterSelect('segment', 'Segment', []);
  const imd = filterSelect('imd', 'IMD quintile (1 = most deprived)', IMD_QUINTILES.map((q) => [q, imdTitle(q === 'not_recorded' ? null : Number(q))]));
  const ethnicity = filterSelect('ethnicity', 'Ethnic group', ETHNICITIES);
  const ageBand = filterSelect('age-band', 'Age band', AGE_BANDS.map((b) => [b, b]));
  const missing = filterSelect('missing', 'Missing check', []);
  const flag = filterSelect('flag', 'Core20PLUS5 or smoking', FLAGS);
  // Filled from the risk model's tiers once it is fitted (the Risk tiers tab).
  const tier = filterSelect('tier', 'Emergency admission risk tier', []);
  const tierHint = h('div', { class: 'nhsuk-hint cf-filter__hint', text: 'Fit the model in Risk tiers first' });
  tier.group.insertBefore(tierHint, tier.select);
  tier.select.disabled = true;
  /** @type {import('../protocol.js').RiskFit | null} */
  let risk = null;
  // The priority rule: up to three keys in order, each choosable once.
  const priorityKeys = DEFAULT_PRIORITY.map((key, i) => {
    const f = filterSelect(`priority-${i}`, i === 0 ? 'First' : 'Then', PRIORITY_KEYS);
    f.select.firstElementChild?.replaceWith(h('option', { value: '', text: i === 0 ? 'No order' : 'Nothing more' }));
    f.select.value = key;
    return f;
  });
  const priorityRule = h('fieldset', { class: 'nhsuk-fieldset cf-priority-rule', hidden: true },
    h('legend', { class: 'nhsuk-fieldset__legend nhsuk-fieldset__legend--s', text: 'Order the priority list' }),
    h('p', { class: 'nhsuk-hint', text: 'People are ordered by the first rule; ties by the next, then by practice id. Change the rule to change the order.' }),
    h('div', { class: 'cf-filters' }, priorityKeys.map((k) => k.group)));
  const searchId = uid('search');
  const search = h('input', { class: 'nhsuk-input', id: searchId, name: 'search', type: 'search', autocomplete: 'off',
    'aria-describedby': `${searchId}-hint` });
  const filters = h('form', { class: 'cf-filters', 'aria-label': 'Filter the list', novalidate: true },
    segment.group, imd.group, ethnicity.group, ageBand.group, flag.group, tier.group, missing.group,
    h('div', { class: 'nhsuk-form-group cf-filter cf-filter--search' },
      h('label', { class: 'nhsuk-label', for: searchId, text: 'Search' }),
      h('div', { class: 'nhsuk-hint', id: `${searchId}-hint`, text: 'Name, NHS number or practice id' }),
      search),
    h('button', { class: 'nhsuk-button nhsuk-button--secondary nhsuk-button--small cf-filters__clear', type: 'reset', text: 'Clear filters' }));

  const table = createVirtualTable({
    rowLabel: (/** @type {any} */ r) => `${r.name || 'No name'}, NHS number ${spacedNhs(r.nhs_number ?? '') || 'not recorded'}: open reasons`,
    columns: /** @type {import('./virtual-table.js').Column<any>[]} */ ([
      { header: 'NHS number', cell: (r) => spacedNhs(r.nhs_number ?? '') || '—', width: '9.5em', sort: 'nhs_number' },
      { header: 'Name', cell: (r) => r.name ?? '', width: '10em', sort: 'name' },
      { header: 'Age', cell: (r) => String(r.age), numeric: true, width: '4.5em', sort: 'age' },
      { header: 'Sex', cell: (r) => sexTitle(r.sex), width: '5.5em' },
      { header: 'IMD quintile', cell: (r) => imdTitle(r.imd_quintile), width: '7em', sort: 'imd_quintile' },
      { header: 'Segment', cell: (r) => segmentTitle(r.segment), width: '11em', sort: 'segment' },
      { header: 'Core20PLUS, smoker', cell: flagText, width: '8em' },
      { header: 'Admission risk', cell: (r) => (r.risk ? `${r.risk.percent.toFixed(1)}% (tier ${r.risk.tier})` : '—'), width: '8.5em', sort: 'risk' },
      { header: 'Missing checks or reason', cell: (r) => (missingChecks(r).join(', ') || firstReason(r)), sort: 'missing_checks' },
    ]),
    onOpen: (row, index) => open(row, index),
    onSort: (key) => {
      if (key === 'risk' && !risk) {
        handlers.onError('Fit the emergency admission risk model first (the Risk tiers tab) to sort by risk.');
        return;
      }
      // Choosing the sorted column again turns its order round.
      const descending = query.sort === key ? !query.descending : false;
      update({ sort: key, descending });
    },
    onView: (first, last) => fetchPages(first, last),
  });

  const panelRoot = h('section', { class: 'cf-reasons-panel', 'aria-labelledby': 'reasons-heading' });
  const panel = mountReasonsPanel(panelRoot, { onClose: () => table.focusRow(lastOpened) });
  let lastOpened = 0;
  const exports = mountExportPanel(client, { query: () => query, summary: () => summary, onError: handlers.onError });

  /** @param {any} member @param {number} index */
  function open(member, index) {
    lastOpened = index;
    panel.show(member, summary?.cohorts[query.cohort]?.title ?? '');
  }

  /** Asks the worker for the pages rows first..last fall in that it has not been asked for. */
  function fetchPages(/** @type {number} */ first, /** @type {number} */ last) {
    const seq = generation;
    for (let p = Math.floor(first / PAGE); p * PAGE < last; p += 1) {
      if (asked.has(p)) continue;
      asked.add(p);
      client.request({ type: 'page', query: { ...query, offset: p * PAGE, limit: PAGE } })
        .then((/** @type {import('../protocol.js').Page} */ page) => {
          if (seq !== generation) return;
          pages.set(p, page.rows);
          table.refresh();
        })
        .catch((e) => handlers.onError(e.message));
    }
  }

  /** The query as the filters show it, merged with `change`. @param {Partial<Query>} [change] */
  async function update(change = {}) {
    const one = (/** @type {HTMLSelectElement} */ s) => (s.value ? [s.value] : []);
    query = {
      ...query,
      segments: one(segment.select),
      imdQuintiles: one(imd.select),
      ethnicities: one(ethnicity.select),
      ageBands: one(ageBand.select),
      missingCheck: missing.select.value || null,
      flags: one(flag.select),
      tiers: tier.select.value ? [Number(tier.select.value)] : [],
      priority: priorityKeys.map((k) => k.select.value).filter((v, i, all) => v && all.indexOf(v) === i),
      search: search.value,
      ...change,
    };
    panel.hide();
    const seq = ++generation;
    pages = new Map();
    asked = new Set([0]);
    const cohort = summary?.cohorts[query.cohort];
    if (!cohort) return;
    // The core's missing-checks order puts the most missing first: a descending count.
    // So does the risk order (rank 1, the highest risk, first).
    const countDown = query.sort === 'missing_checks' || query.sort === 'risk' ? !query.descending : Boolean(query.descending);
    table.setSort(query.sort ?? '', countDown);
    try {
      /** @type {import('../protocol.js').Page} */
      const first = await client.request({ type: 'page', query: { ...query, offset: 0, limit: PAGE } });
      if (seq !== generation) return;
      pages.set(0, first.rows);
      const who = cohort.members_are === 'missing_checks' ? 'people missing a check' : 'people';
      const filtered = first.matching === first.listed ? '' : `; ${num(first.matching)} match the filters`;
      status.textContent = `${cohort.title}: ${num(first.listed)} ${who} of ${num(cohort.eligible)} eligible${filtered}.`;
      table.setSource(first.matching, (i) => pages.get(Math.floor(i / PAGE))?.[i % PAGE],
        `${cohort.title} (${num(first.matching)} people)`);
      exports.setList(cohort.title, first.matching);
    } catch (e) {
      handlers.onError(/** @type {Error} */ (e).message);
    }
  }

  /** Shows a cohort's own filters and description. @param {string} id */
  function choose(id) {
    const cohort = summary?.cohorts[id];
    if (!cohort) return;
    const checks = Object.entries(cohort.checks ?? {}).filter(([, c]) => c.required);
    missing.select.replaceChildren(h('option', { value: '', text: 'Any' }),
      checks.map(([checkId, c]) => h('option', { value: checkId, text: c.title })));
    missing.group.hidden = checks.length === 0;
    description.textContent = `${cohort.description} Source: ${cohort.source}.`;
    const isPriority = id === 'priority';
    priorityRule.hidden = !isPriority;
    const sort = isPriority ? 'priority' : query.sort === 'priority' ? 'missing_checks' : query.sort;
    return update({ cohort: id, missingCheck: null, offset: 0, sort, descending: false });
  }

  cohortSelect.addEventListener('change', () => choose(cohortSelect.value));
  for (const s of [segment.select, imd.select, ethnicity.select, ageBand.select, flag.select, tier.select, missing.select]) s.addEventListener('change', () => update());
  for (const k of priorityKeys) k.select.addEventListener('change', () => update({ sort: 'priority', descending: false }));
  let typing = 0;
  search.addEventListener('input', () => {
    clearTimeout(typing);
    typing = window.setTimeout(() => update(), 200);
  });
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    update();
  });
  filters.addEventListener('reset', () => setTimeout(() => update(), 0));

  root.replaceChildren(
    h('h2', { class: 'nhsuk-heading-m', id: 'worklist-heading', text: 'Worklists' }),
    h('div', { class: 'nhsuk-form-group' },
      h('label', { class: 'nhsuk-label nhsuk-label--s', for: cohortSelectId, text: 'Cohort' }),
      cohortSelect),
    description,
    priorityRule,
    filters,
    h('p', { class: 'nhsuk-body-s cf-no-print', text: 'Select a row (or move to it with the arrow keys and press Enter) to see why the person is on the list. Select a column heading to sort by it.' }),
    status,
    table.element,
    panelRoot,
    exports.element);

  return {
    /** @param {Summary} next */
    setSummary(next) {
      summary = next;
      const cohorts = Object.entries(next.cohorts);
      const worklists = cohorts.filter(([, c]) => c.kind === 'worklist');
      // The priority list leads: it gathers every other worklist.
      worklists.sort(([a], [b]) => Number(b === 'priority') - Number(a === 'priority'));
      const groups = [['Worklists', worklists], ['Registers', cohorts.filter(([, c]) => c.kind === 'register')],
        ['Core20PLUS5 and smoking', cohorts.filter(([, c]) => c.kind === 'flag')]];
      cohortSelect.replaceChildren(...groups.map(([label, list]) => h('optgroup', { label },
        /** @type {[string, any][]} */ (list).map(([id, c]) => h('option', { value: id, text: `${c.title} (${num(c.count)})` })))));
      segment.select.replaceChildren(h('option', { value: '', text: 'Any' }),
        next.segment_precedence.map((id) => h('option', { value: id, text: segmentTitle(id) })));
      const keep = query.cohort in next.cohorts ? query.cohort : /** @type {any} */ (groups[0][1])[0]?.[0] ?? cohorts[0]?.[0];
      cohortSelect.value = keep;
      return choose(keep);
    },
    /** @param {string} id */
    async show(id) {
      cohortSelect.value = id;
      await choose(id);
      cohortSelect.focus();
    },
    refresh: () => table.refresh(),
    /** @param {{always: string[], withRiskModel: string[]}} columns the CSV columns the core offers */
    setColumns: (columns) => exports.setColumns(columns),
    /**
     * The risk model was fitted (or dropped): its tiers become a filter and its scores a column.
     * @param {import('../protocol.js').RiskFit | null} fit
     * @param {boolean} [redraw] false when a new summary is about to be drawn anyway
     */
    setRisk(fit, redraw = true) {
      risk = fit;
      tier.select.replaceChildren(h('option', { value: '', text: 'Any' }),
        ...(fit?.card.tiers ?? []).map((t) => h('option', { value: String(t.tier), text: `${t.tier}: ${t.label}` })));
      tier.select.disabled = !fit;
      tierHint.hidden = Boolean(fit);
      exports.setRiskAvailable(Boolean(fit));
      const sort = !fit && query.sort === 'risk' ? 'missing_checks' : query.sort;
      query = { ...query, sort, descending: fit ? query.descending : false };
      if (redraw && summary) update();
    },
    /** Shows the current list for one risk tier, highest risk first. @param {number} n */
    async showTier(n) {
      tier.select.value = String(n);
      await update({ sort: 'risk', descending: false });
      tier.select.focus();
    },
  };
}
