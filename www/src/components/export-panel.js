// Exports of the list as it is filtered and sorted now: a CSV with the
// columns the user picks, a bare list of NHS numbers (one per line, no
// header) that EMIS Web and SystmOne can import as a patient group, and a
// print view. Files are made in this browser and saved with a download link.
import { h, uid } from '../dom.js';
import { fieldTitle, imdTitle, num, segmentTitle, sexTitle } from '../format.js';
import { spacedNhs } from './reasons-panel.js';

/** Columns ticked at first: enough to act on, nothing more. */
const DEFAULT_COLUMNS = ['nhs_number', 'name', 'age', 'missing_checks', 'reasons'];
/** Rows a print view holds; longer lists are better exported. */
const PRINT_LIMIT = 2000;
/** A column's label, saying so when it waits for the risk model. @param {string} c @param {boolean} waiting */
const columnLabel = (c, waiting) => (waiting ? `${fieldTitle(c)} (once the risk model is fitted)` : fieldTitle(c));

/**
 * Saves text as a file through a blob: link (memory, not network).
 * @param {string} text @param {string} name
 */
export function save(text, name) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = h('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * @param {import('../worker-client.js').WorkerClient} client
 * @param {{query: () => import('../protocol.js').Query, summary: () => import('../protocol.js').Summary | null,
 *   onError: (message: string) => void}} state
 */
export function mountExportPanel(client, state) {
  const columnsBox = h('div', { class: 'nhsuk-checkboxes nhsuk-checkboxes--small cf-columns' });
  const header = h('input', { class: 'nhsuk-checkboxes__input', id: uid('header'), type: 'checkbox', checked: true });
  const note = h('p', { class: 'nhsuk-body-s', 'aria-live': 'polite' });
  const printArea = h('div', { class: 'cf-print-area', id: 'print-area' });
  document.body.append(printArea);
  let title = '';
  let matching = 0;
  /** @type {string[]} */
  let riskColumns = [];

  const fileName = (/** @type {string} */ suffix) => `${state.query().cohort}-${state.summary()?.as_of ?? ''}${suffix}`;
  const chosen = () => Array.from(columnsBox.querySelectorAll('input:checked')).map((i) => /** @type {HTMLInputElement} */ (i).value);

  async function downloadNhsNumbers() {
    try {
      const list = await client.request({ type: 'nhs', query: { ...state.query(), offset: 0, limit: 0 } });
      const name = fileName('-nhs-numbers.txt');
      save(list.text, name);
      const left = list.left_out.length;
      note.textContent = `Saved ${num(list.included)} NHS numbers as ${name}.` + (left
        ? ` ${num(left)} ${left === 1 ? 'person has' : 'people have'} no valid NHS number and ${left === 1 ? 'is' : 'are'} not in it (practice id${left === 1 ? '' : 's'} ${list.left_out.slice(0, 20).join(', ')}${left > 20 ? ', …' : ''}).`
        : '');
    } catch (e) {
      state.onError(/** @type {Error} */ (e).message);
    }
  }

  /** The list as CSV with the ticked columns. */
  async function downloadCsv() {
    const columns = chosen();
    if (columns.length === 0) {
      state.onError('Choose at least one column to export.');
      return;
    }
    try {
      const query = { ...state.query(), offset: 0, limit: 0 };
      const text = await client.request({ type: 'csv', query, columns, header: header.checked });
      const name = fileName('.csv');
      save(text, name);
      note.textContent = `Saved ${num(matching)} rows as ${name}.`;
    } catch (e) {
      state.onError(/** @type {Error} */ (e).message);
    }
  }

  async function print() {
    try {
      const page = await client.request({ type: 'page', query: { ...state.query(), offset: 0, limit: PRINT_LIMIT } });
      const summary = state.summary();
      printArea.replaceChildren(
        h('h1', { text: `${title}, as of ${summary?.as_of ?? ''}` }),
        page.matching > page.rows.length
          ? h('p', { text: `The first ${num(page.rows.length)} of ${num(page.matching)} people. Export a CSV for the whole list.` })
          : h('p', { text: `${num(page.matching)} people.` }),
        h('table', {},
          h('thead', {}, h('tr', {}, ['NHS number', 'Name', 'Age', 'Sex', 'IMD quintile', 'Segment', 'Missing checks'].map((t) => h('th', { text: t })))),
          h('tbody', {}, page.rows.map((/** @type {any} */ m) => h('tr', {},
            [spacedNhs(m.nhs_number ?? ''), m.name ?? '', String(m.age), sexTitle(m.sex), imdTitle(m.imd_quintile), segmentTitle(m.segment),
              (m.checks ?? []).filter((/** @type {any} */ c) => c.required && !c.done).map((/** @type {any} */ c) => c.title).join(', ')]
              .map((t) => h('td', { text: t })))))));
      document.body.classList.add('cf-printing');
      window.addEventListener('afterprint', () => document.body.classList.remove('cf-printing'), { once: true });
      window.print();
    } catch (e) {
      state.onError(/** @type {Error} */ (e).message);
    }
  }

  const element = h('section', { class: 'cf-export cf-no-print', 'aria-labelledby': 'export-heading' },
    h('h3', { class: 'nhsuk-heading-s', id: 'export-heading', text: 'Export this list' }),
    h('p', { class: 'nhsuk-body-s', text: 'Exports hold the list as filtered and sorted above. The file is made in this browser and saved to this computer. It holds patient data: keep it as you would any clinical record.' }),
    h('div', { class: 'nhsuk-form-group' },
      h('fieldset', { class: 'nhsuk-fieldset' },
        h('legend', { class: 'nhsuk-fieldset__legend nhsuk-fieldset__legend--s', text: 'Columns' }),
        columnsBox,
        h('div', { class: 'nhsuk-checkboxes nhsuk-checkboxes--small' },
          h('div', { class: 'nhsuk-checkboxes__item' }, header,
            h('label', { class: 'nhsuk-label nhsuk-checkboxes__label', for: header.id, text: 'First row names the columns' }))))),
    h('div', { class: 'nhsuk-button-group' },
      h('button', { class: 'nhsuk-button nhsuk-button--secondary', type: 'button', id: 'export-csv', onclick: downloadCsv },
        'Download CSV'),
      h('button', { class: 'nhsuk-button nhsuk-button--secondary', type: 'button', id: 'export-nhs', onclick: downloadNhsNumbers },
        'Download NHS numbers only'),
      h('button', { class: 'nhsuk-button nhsuk-button--secondary', type: 'button', id: 'print-list', onclick: print }, 'Print this list')),
    h('p', { class: 'nhsuk-body-s', text: 'NHS numbers only: one per line with no heading, for importing as a patient group or list in EMIS Web or SystmOne. People with no valid NHS number cannot be imported; they are named here when you save.' }),
    note);

  return {
    element,
    /**
     * The columns the core offers; those needing the risk model stay off until it is fitted.
     * @param {{always: string[], withRiskModel: string[]}} columns
     */
    setColumns(columns) {
      riskColumns = columns.withRiskModel;
      columnsBox.replaceChildren(...[...columns.always, ...columns.withRiskModel].map((c) => {
        const id = uid(`column-${c}`);
        const needsModel = riskColumns.includes(c);
        return h('div', { class: 'nhsuk-checkboxes__item' },
          h('input', { class: 'nhsuk-checkboxes__input', id, type: 'checkbox', value: c, checked: DEFAULT_COLUMNS.includes(c),
            disabled: needsModel }),
          h('label', { class: 'nhsuk-label nhsuk-checkboxes__label', for: id, text: columnLabel(c, needsModel) }));
      }));
    },
    /** The risk model was fitted or dropped: its columns are ticked or taken off. @param {boolean} available */
    setRiskAvailable(available) {
      for (const c of riskColumns) {
        const box = /** @type {HTMLInputElement | null} */ (columnsBox.querySelector(`input[value="${c}"]`));
        if (!box) continue;
        box.disabled = !available;
        box.checked = available;
        const label = box.nextElementSibling;
        if (label) label.textContent = columnLabel(c, !available);
      }
    },
    /** @param {string} listTitle @param {number} rows */
    setList(listTitle, rows) {
      title = listTitle;
      matching = rows;
      note.textContent = '';
    },
  };
}
