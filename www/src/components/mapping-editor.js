// The column-mapping editor: which header in the user's file holds each
// field the engine reads. Shown open when a file's required columns were
// not found. The mapping (header names only, never data) is remembered in
// this browser's localStorage for the next export from the same system.
import { h, uid } from '../dom.js';
import { fieldTitle, words } from '../format.js';

const STORAGE_KEY = 'cohort-finder.column-mapping.v1';

/** @typedef {{patients: Record<string, string>, events: Record<string, string>}} Mapping */
/** @typedef {{name: string, aliases: string[], required: boolean}} Field */

/** @returns {Mapping} */
export function savedMapping() {
  try {
    const m = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}');
    return { patients: { ...m.patients }, events: { ...m.events } };
  } catch {
    return { patients: {}, events: {} };
  }
}

/** @param {Mapping} mapping */
function saveMapping(mapping) {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(mapping));
  } catch {
    // Storage may be off (private windows, file:// in some browsers): the mapping still applies now.
  }
}

/**
 * @param {import('../protocol.js').FileReport[]} files the files as last read
 * @param {{patients: Field[], events: Field[]}} fields the engine's input fields
 * @param {{onApply: (mapping: Mapping) => void}} handlers
 */
export function mappingEditor(files, fields, handlers) {
  const current = savedMapping();
  const missing = files.some((f) => f.diagnostics.some((d) => d.kind === 'missing_column'));
  /** @type {{kind: 'patients' | 'events', field: string, select: HTMLSelectElement}[]} */
  const choices = [];
  // One editor per kind: the first file of each kind shows the headers found.
  const kinds = /** @type {('patients' | 'events')[]} */ (['patients', 'events']).filter((k) => files.some((f) => f.kind === k));
  const sections = kinds.map((kind) => {
    const file = /** @type {import('../protocol.js').FileReport} */ (files.find((f) => f.kind === kind));
    const headers = [...new Set([...Object.values(file.columns ?? {}), ...(file.ignored_columns ?? [])])];
    return h('fieldset', { class: 'nhsuk-fieldset cf-mapping' },
      h('legend', { class: 'nhsuk-fieldset__legend nhsuk-fieldset__legend--s', text: `${words(kind)} file (${file.file})` }),
      fields[kind].map((f) => {
        const id = uid(`map-${kind}-${f.name}`);
        const found = file.columns?.[f.name] ?? '';
        const select = h('select', { class: 'nhsuk-select', id, name: `${kind}.${f.name}` },
          h('option', { value: '', text: f.required ? 'Not chosen' : 'Not in this file' }),
          headers.map((header) => h('option', { value: header, text: header })));
        select.value = current[kind][f.name] ?? found;
        choices.push({ kind, field: f.name, select });
        return h('div', { class: 'nhsuk-form-group cf-mapping__row' },
          h('label', { class: 'nhsuk-label', for: id }, fieldTitle(f.name), f.required ? h('strong', { text: ' (required)' }) : null),
          select);
      }));
  });

  const form = h('form', { class: 'nhsuk-details__text', novalidate: true }, sections,
    h('p', { class: 'nhsuk-body-s', text: 'Only the column names are remembered, in this browser, for next time. No patient data is stored.' }),
    h('button', { class: 'nhsuk-button', type: 'submit', id: 'apply-mapping', text: 'Read the files again with these columns' }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    /** @type {Mapping} */
    const mapping = { patients: {}, events: {} };
    for (const { kind, field, select } of choices) if (select.value) mapping[kind][field] = select.value;
    saveMapping(mapping);
    handlers.onApply(mapping);
  });
  const summaryId = uid('mapping');
  return h('details', { class: 'nhsuk-details', id: 'mapping-editor', open: missing },
    h('summary', { class: 'nhsuk-details__summary', id: summaryId },
      h('span', { class: 'nhsuk-details__summary-text', text: missing ? 'Choose which columns hold what' : 'Change which columns hold what' })),
    form);
}
