// The mapping screen for a wide report (one row a patient): each column of
// the file with its first values, and what it holds: a patient detail, or
// the date, value or yes/no flag of a cluster. The screen starts from the
// profile last used in this browser when it fits the file, else from the
// engine's suggestion. A profile (header names and clusters, never data) is
// remembered in localStorage, and can be saved as a TOML file and loaded
// again here or on another practice's machine.
import { h, uid } from '../dom.js';
import { fieldTitle } from '../format.js';
import { save } from './export-panel.js';

/** @typedef {import('../protocol.js').WideProfile} WideProfile */

const STORAGE_KEY = 'cohort-finder.wide-profile.v1';
/** What a column can hold. */
const HOLDS = /** @type {[string, string][]} */ ([
  ['', 'Not used'],
  ['patient', 'A patient detail'],
  ['date', 'The date of a check or code'],
  ['value', 'The value of a check'],
  ['flag', 'Yes or no for a register or code'],
]);

/** @returns {WideProfile | null} */
function savedProfile() {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null');
  } catch {
    return null;
  }
}

/** @param {WideProfile} profile */
function remember(profile) {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(profile));
  } catch {
    // Storage may be off; the profile still applies now.
  }
}

/**
 * @param {HTMLElement} root
 * @param {import('../worker-client.js').WorkerClient} client
 * @param {{config: () => string, patientFields: () => {name: string, required: boolean}[],
 *   onRead: (file: File, profileJson: string, name: string) => void, onCancel: () => void}} handlers
 */
export function mountWideMapping(root, client, handlers) {
  /** @type {File | null} */
  let file = null;
  /** @type {{headers: string[], rows: string[][]}} */
  let preview = { headers: [], rows: [] };
  /** @type {{id: string, title: string}[]} */
  let clusters = [];
  /** The engine's suggestion for this file: its patient fields fill in what a profile leaves unnamed. @type {WideProfile} */
  let suggested = {};
  /** One row per header: what it holds, and which field or cluster. */
  /** @type {{header: string, holds: HTMLSelectElement, target: HTMLSelectElement}[]} */
  let rows = [];

  const nameId = uid('profile-name');
  const nameInput = h('input', { class: 'nhsuk-input nhsuk-input--width-30', id: nameId, type: 'text', autocomplete: 'off' });
  const dateId = uid('report-date');
  const dateInput = h('input', { class: 'nhsuk-input nhsuk-input--width-10', id: dateId, type: 'date', 'aria-describedby': `${dateId}-hint` });
  const loadId = uid('profile-file');
  const loadInput = h('input', { class: 'nhsuk-file-upload', id: loadId, type: 'file', accept: '.toml,.json,text/plain,application/json' });
  const problems = h('div', { id: 'wide-problems' });
  const note = h('p', { class: 'nhsuk-body-s', 'aria-live': 'polite' });
  const tableBody = h('tbody', { class: 'nhsuk-table__body' });
  const heading = h('h1', { class: 'nhsuk-heading-l', id: 'wide-heading', tabindex: '-1', text: 'What the report’s columns hold' });
  const intro = h('p', { class: 'nhsuk-body' });

  /** The options of the second select for what a column holds. @param {string} holds */
  function targets(holds) {
    if (holds === 'patient') {
      return [h('option', { value: '', text: 'Choose the detail' }),
        ...handlers.patientFields().map((f) => h('option', { value: f.name, text: `${fieldTitle(f.name)}${f.required ? ' (required)' : ''}` }))];
    }
    if (holds) {
      return [h('option', { value: '', text: 'Choose the check or register' }),
        ...clusters.map((c) => h('option', { value: c.id, text: `${c.title} (${c.id})` }))];
    }
    return [h('option', { value: '', text: '—' })];
  }

  /** The screen's choices as a profile. @returns {WideProfile} */
  function profile() {
    /** @type {Record<string, string>} */
    const patients = {};
    const column = [];
    for (const r of rows) {
      if (!r.holds.value || !r.target.value) continue;
      if (r.holds.value === 'patient') patients[r.target.value] = r.header;
      else column.push({ header: r.header, kind: /** @type {'date' | 'value' | 'flag'} */ (r.holds.value), cluster: r.target.value });
    }
    return { name: nameInput.value.trim(), ...(dateInput.value ? { report_date: dateInput.value } : {}), patients, column };
  }

  /** Sets the screen from a profile; columns it names that the file lacks are reported. @param {WideProfile} p */
  function apply(p) {
    nameInput.value = p.name ?? '';
    dateInput.value = /^\d{4}-\d{2}-\d{2}$/.test(p.report_date ?? '') ? /** @type {string} */ (p.report_date) : '';
    const byHeader = new Map();
    for (const [field, header] of Object.entries(p.patients ?? {})) byHeader.set(header, ['patient', field]);
    for (const c of p.column ?? []) byHeader.set(c.header, [c.kind, c.cluster]);
    // Fields the profile leaves to their usual header names, as the engine finds them.
    for (const [field, header] of Object.entries(suggested.patients ?? {})) {
      if (!(field in (p.patients ?? {})) && !byHeader.has(header)) byHeader.set(header, ['patient', field]);
    }
    for (const r of rows) {
      const [holds, target] = byHeader.get(r.header) ?? ['', ''];
      r.holds.value = holds;
      r.target.replaceChildren(...targets(holds));
      r.target.value = target;
      r.target.disabled = !holds;
      byHeader.delete(r.header);
    }
    const absent = [...byHeader.keys()];
    note.textContent = absent.length ? `The profile also names ${absent.map((a) => `'${a}'`).join(', ')}, which this file does not have.` : '';
  }

  function draw() {
    tableBody.replaceChildren(...rows.map((r, i) => h('tr', { class: 'nhsuk-table__row' },
      h('th', { class: 'nhsuk-table__header cf-rowhead', scope: 'row', text: r.header }),
      h('td', { class: 'nhsuk-table__cell cf-wide__sample', text: preview.rows.map((row) => row[i] ?? '').filter(Boolean).slice(0, 3).join(' · ') }),
      h('td', { class: 'nhsuk-table__cell' }, r.holds),
      h('td', { class: 'nhsuk-table__cell' }, r.target))));
  }

  async function read() {
    if (!file) return;
    problems.replaceChildren();
    const p = profile();
    const checked = await client.request({ type: 'wide-check', text: JSON.stringify(p), config: handlers.config() });
    if (checked.problems.length) {
      problems.replaceChildren(h('div', { class: 'nhsuk-error-summary', role: 'alert', tabindex: '-1' },
        h('h2', { class: 'nhsuk-error-summary__title', text: 'The columns cannot be read like this yet' }),
        h('div', { class: 'nhsuk-error-summary__body' },
          h('ul', { class: 'nhsuk-list nhsuk-error-summary__list' }, checked.problems.map((/** @type {string} */ m) => h('li', { text: m }))))));
      /** @type {HTMLElement} */ (problems.firstElementChild).focus();
      return;
    }
    remember(p);
    handlers.onRead(file, JSON.stringify(p), p.name || file.name);
  }

  async function download() {
    const checked = await client.request({ type: 'wide-check', text: JSON.stringify(profile()), config: handlers.config() });
    const stem = nameInput.value.trim().replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase();
    const name = `${stem || 'report'}-profile.toml`;
    save(checked.toml, name);
    note.textContent = `Saved the profile as ${name}: column names and clusters only, no patient data.`
      + (checked.problems.length ? ` It is not complete yet: ${checked.problems.join('; ')}.` : '');
  }

  loadInput.addEventListener('change', async () => {
    const chosen = loadInput.files?.[0];
    if (!chosen) return;
    const checked = await client.request({ type: 'wide-check', text: await chosen.text(), config: handlers.config() });
    if (!checked.profile) {
      problems.replaceChildren(h('div', { class: 'nhsuk-error-message', role: 'alert', text: `${chosen.name}: ${checked.problems.join('; ')}` }));
      return;
    }
    problems.replaceChildren();
    apply(checked.profile);
    note.textContent = `Loaded ${chosen.name}. ${note.textContent}`;
  });

  root.replaceChildren(
    h('section', { class: 'cf-wide', 'aria-labelledby': 'wide-heading' },
      heading, intro,
      problems,
      h('div', { class: 'nhsuk-form-group' },
        h('label', { class: 'nhsuk-label', for: loadId, text: 'Start from a saved profile (optional)' }),
        loadInput),
      h('div', { class: 'cf-table-scroll' },
        h('table', { class: 'nhsuk-table cf-wide__table', id: 'wide-columns' },
          h('caption', { class: 'nhsuk-table__caption nhsuk-table__caption--s', text: 'Columns of the report' }),
          h('thead', { class: 'nhsuk-table__head' }, h('tr', { class: 'nhsuk-table__row' },
            ['Column', 'First values', 'Holds', 'Which'].map((t) => h('th', { class: 'nhsuk-table__header', scope: 'col', text: t })))),
          tableBody)),
      h('div', { class: 'nhsuk-form-group' },
        h('label', { class: 'nhsuk-label', for: dateId, text: 'The day the report was run' }),
        h('div', { class: 'nhsuk-hint', id: `${dateId}-hint`, text: 'What a "yes" stands for when the report gives no date for it, such as "On SMI register".' }),
        dateInput),
      h('div', { class: 'nhsuk-form-group' },
        h('label', { class: 'nhsuk-label', for: nameId, text: 'Name of this profile' }),
        nameInput),
      note,
      h('div', { class: 'nhsuk-button-group' },
        h('button', { class: 'nhsuk-button', type: 'button', id: 'wide-read', text: 'Read the report', onclick: read }),
        h('button', { class: 'nhsuk-button nhsuk-button--secondary', type: 'button', id: 'wide-save-profile', text: 'Save this profile', onclick: download }),
        h('button', { class: 'nhsuk-button nhsuk-button--secondary', type: 'button', text: 'Back', onclick: () => handlers.onCancel() })),
      h('p', { class: 'nhsuk-body-s', text: 'The profile (column names and clusters only, never patient data) is remembered in this browser for the next report, and can be saved to share with a practice whose system writes the same report.' })));

  return {
    /** Shows the screen for a file. @param {File} chosen */
    async show(chosen) {
      file = chosen;
      problems.replaceChildren();
      note.textContent = '';
      const result = await client.request({ type: 'wide-preview', file: chosen, config: handlers.config() });
      preview = result.preview;
      clusters = result.clusters;
      suggested = result.preview.suggested;
      rows = preview.headers.map((header) => {
        const holds = h('select', { class: 'nhsuk-select', 'aria-label': `What ${header} holds` },
          HOLDS.map(([value, text]) => h('option', { value, text })));
        const target = h('select', { class: 'nhsuk-select', 'aria-label': `Which, for ${header}`, disabled: true }, targets(''));
        holds.addEventListener('change', () => {
          target.replaceChildren(...targets(holds.value));
          target.disabled = !holds.value;
        });
        return { header, holds, target };
      });
      draw();
      intro.textContent = `${chosen.name}: ${preview.headers.length} columns. Say what each holds; nothing is read until you choose “Read the report”.`;
      const saved = savedProfile();
      const fits = saved && (saved.column ?? []).some((c) => preview.headers.includes(c.header));
      apply(fits && saved ? saved : result.preview.suggested);
      if (!fits) note.textContent = `Suggested from the column names: check each one. ${note.textContent}`;
      heading.focus();
    },
  };
}
