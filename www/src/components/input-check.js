// Input check: per file, rows read / accepted / rejected / warnings, and
// the diagnostics (line, column, message) the core wrote.
import { h, replace } from '../dom.js';
import { num, words } from '../format.js';
import { mappingEditor } from './mapping-editor.js';

/** @typedef {import('../protocol.js').FileReport} FileReport */

/**
 * @param {string} caption
 * @param {string[]} headers
 * @param {(string | number | Node)[][]} rows
 * @param {{numeric?: number[], className?: string}} [options] columns to right-align
 */
export function dataTable(caption, headers, rows, options = {}) {
  const numeric = new Set(options.numeric ?? []);
  const cls = (/** @type {number} */ i) => `nhsuk-table__${i === -1 ? 'header' : 'cell'}${numeric.has(i) ? ' cf-num' : ''}`;
  return h('table', { class: `nhsuk-table ${options.className ?? ''}` },
    h('caption', { class: 'nhsuk-table__caption nhsuk-table__caption--s', text: caption }),
    h('thead', { class: 'nhsuk-table__head' },
      h('tr', { class: 'nhsuk-table__row' },
        headers.map((text, i) => h('th', { class: `nhsuk-table__header${numeric.has(i) ? ' cf-num' : ''}`, scope: 'col', text })))),
    h('tbody', { class: 'nhsuk-table__body' },
      rows.map((row) => h('tr', { class: 'nhsuk-table__row' },
        row.map((cell, i) => (i === 0
          ? h('th', { class: `nhsuk-table__header cf-rowhead${numeric.has(i) ? ' cf-num' : ''}`, scope: 'row' }, cell)
          : h('td', { class: cls(i) }, cell)))))));
}

/**
 * @param {HTMLElement} root
 * @param {Record<string, FileReport>} input
 * @param {{patients: any[], events: any[]}} fields the engine's input fields, for the mapping editor
 * @param {{onApplyMapping: (mapping: import('./mapping-editor.js').Mapping) => void}} handlers
 */
export function renderInputCheck(root, input, fields, handlers) {
  const files = Object.values(input);
  const summary = dataTable('Rows in each file', ['File', 'Kind', 'Read', 'Accepted', 'Rejected', 'Warnings'],
    files.map((f) => [f.file, words(f.kind), num(f.read), num(f.accepted), num(f.rejected), num(f.warnings)]),
    { numeric: [2, 3, 4, 5] });
  const diagnostics = files.flatMap((f) => f.diagnostics.map((d) => ({ ...d, file: d.file ?? f.file })));
  const notShown = files.reduce((n, f) => n + (f.diagnostics_not_shown ?? 0), 0);
  const problems = diagnostics.length === 0
    ? h('p', { class: 'nhsuk-body', text: 'Every row was read without a problem.' })
    : dataTable(`Problems found (${num(diagnostics.length)}${notShown ? `, and ${num(notShown)} more not shown` : ''})`,
      ['File', 'Line', 'Column', 'Severity', 'Message'],
      diagnostics.map((d) => [d.file ?? '', num(d.line), d.column ?? '', words(d.severity ?? ''), d.message ?? d.reason ?? '']),
      { numeric: [1] });
  const ignored = files.filter((f) => f.ignored_columns?.length);
  replace(root,
    h('h2', { class: 'nhsuk-heading-m', id: 'input-check-heading', text: 'Input check' }),
    h('p', { class: 'nhsuk-body', text: 'Every row read is either accepted or rejected with a reason. Rows with a fixable problem are kept with a warning.' }),
    summary,
    ignored.length
      ? h('p', { class: 'nhsuk-body-s', text: ignored.map((f) => `${f.file}: columns not used: ${f.ignored_columns.join(', ')}`).join('. ') })
      : null,
    problems,
    mappingEditor(files, fields, { onApply: handlers.onApplyMapping }));
}
