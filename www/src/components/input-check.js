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
 * @param {import('../protocol.js').UnmappedCodes} [unmapped] the codes no cluster holds
 */
export function renderInputCheck(root, input, fields, handlers, unmapped) {
  const files = Object.values(input);
  const summary = dataTable('Rows (or FHIR resources) in each file', ['File', 'Kind', 'Read', 'Accepted', 'Rejected', 'Skipped', 'Warnings'],
    files.map((f) => [f.file, KINDS[f.kind] ?? words(f.kind), num(f.read), num(f.accepted), num(f.rejected), num(f.fhir?.skipped ?? 0),
      num(f.warnings)]),
    { numeric: [2, 3, 4, 5, 6] });
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
    ...files.filter((f) => f.fhir).map(fhirResources),
    unmappedCodes(unmapped),
    files.some((f) => f.kind === 'patients' || f.kind === 'events')
      ? mappingEditor(files, fields, { onApply: handlers.onApplyMapping }) : null);
}

/** Each kind of file in words. */
const KINDS = /** @type {Record<string, string>} */ ({ patients: 'Patients', events: 'Events', fhir: 'FHIR', report: 'Report (one row a patient)' });

/** A FHIR file's resources by type, and what was skipped. @param {FileReport} f */
function fhirResources(f) {
  const x = /** @type {NonNullable<FileReport['fhir']>} */ (f.fhir);
  const shape = x.format === 'bundle' ? `a ${x.bundle_type ?? ''} Bundle` : x.format === 'ndjson' ? 'bulk NDJSON' : 'one resource';
  const skipped = Object.entries(x.skipped_by_reason ?? {}).map(([why, n]) => `${words(why).toLowerCase()}: ${num(n)}`).join(', ');
  const notRead = Object.entries(x.elements_not_read ?? {}).map(([el, n]) => `${el} (${num(n)})`).join(', ');
  return h('div', { class: 'cf-fhir-file' },
    dataTable(`${f.file}: ${shape}${x.gzip ? ', gzipped' : ''}, ${num(x.events)} events`, ['Resource', 'Read', 'Accepted', 'Rejected', 'Skipped'],
      Object.entries(x.resources).map(([type, r]) => [type, num(r.read), num(r.accepted), num(r.rejected), num(r.skipped)]),
      { numeric: [1, 2, 3, 4] }),
    skipped ? h('p', { class: 'nhsuk-body-s', text: `Skipped, and counted: ${skipped}.` }) : null,
    notRead ? h('p', { class: 'nhsuk-body-s', text: `Elements no rule reads, left out: ${notRead}.` }) : null);
}

/** The codes loaded that no cluster holds, most frequent first. @param {import('../protocol.js').UnmappedCodes | undefined} u */
function unmappedCodes(u) {
  if (!u) return null;
  const heading = h('h3', { class: 'nhsuk-heading-s', id: 'unmapped-heading', text: 'Codes no rule reads' });
  if (u.unmapped === 0) {
    return h('div', { id: 'unmapped-codes' }, heading,
      h('p', { class: 'nhsuk-body', text: `Every one of the ${num(u.codes)} codes loaded is in a codelist a rule reads.` }));
  }
  return h('div', { id: 'unmapped-codes' }, heading,
    h('p', { class: 'nhsuk-body', text: `${num(u.unmapped)} of the ${num(u.codes)} codes loaded (${num(u.unmapped_events)} events) are in no codelist, so no list counts them. If one should count, add it to a codelist on the Definitions tab.` }),
    dataTable(`The most frequent${u.not_shown ? ` (and ${num(u.not_shown)} more)` : ''}`, ['Code', 'System', 'Term', 'Events', 'People'],
      u.shown.map((c) => [c.code, c.system, c.term ?? '', num(c.events), num(c.people)]), { numeric: [3, 4], className: 'cf-unmapped__table' }));
}
