// Compare lists: one worklist against last month's extract (who joined it,
// who left it, and why), or against a list of NHS numbers from a search in
// EMIS Web or SystmOne (who is only on ours, only on theirs, on both). The
// rows come from the worker for as long as they are shown; nothing is kept.
import { h, uid } from '../dom.js';
import { num, ukDate } from '../format.js';
import { save } from './export-panel.js';
import { mountErrorSummary } from './error-summary.js';
import { dataTable } from './input-check.js';
import { progressText } from './progress-panel.js';
import { spacedNhs } from './reasons-panel.js';

/** @typedef {import('../protocol.js').ListComparison} ListComparison */
/** @typedef {import('../protocol.js').ListEntry} ListEntry */
/** @typedef {'joined' | 'left' | 'both'} Group */

/** Rows drawn per group; the downloads hold every row. */
const SHOWN = 500;

/** A person's standing for the list, in words. @type {Record<string, string>} */
const STATUS = {
  listed: 'On the list',
  eligible_not_listed: 'Eligible, every check done',
  not_eligible: 'Not eligible',
  not_yet_registered: 'Not yet registered',
  deregistered: 'Left the practice',
  deceased: 'Died',
  not_yet_born: 'Not yet born',
  not_in_extract: 'Not in the extract',
};
/**
 * @param {string} s
 * @param {boolean} theirs the side is a list of NHS numbers, where a person is on it or not
 */
const statusText = (s, theirs = false) => {
  if (theirs) return s === 'listed' ? 'On their list' : 'Not on their list';
  return STATUS[s] ?? (s ? s.charAt(0).toUpperCase() + s.slice(1).replace(/_/g, ' ') : '');
};

/** @param {string} s */
const capital = (s) => s.charAt(0).toUpperCase() + s.slice(1);

/** yyyy-mm-dd a month before `iso` (the same day, or the month's last). @param {string} iso */
function monthBefore(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return '';
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return new Date(Date.UTC(y, mo - 1, Math.min(d, last))).toISOString().slice(0, 10);
}

/**
 * The three groups' titles: a month apart, or our list against theirs.
 * @param {ListComparison} c
 * @returns {Record<Group, {title: string, about: string}>}
 */
function groupTitles(c) {
  if (c.their_list) {
    return {
      joined: { title: 'Only on our list', about: `On our list, not on theirs (${c.before.label}).` },
      left: { title: 'Only on theirs', about: `On their list (${c.before.label}), not on ours.` },
      both: { title: 'On both', about: `On our list and on theirs (${c.before.label}).` },
    };
  }
  return {
    joined: { title: 'Joined', about: `On the list ${c.after.label}, not ${c.before.label}.` },
    left: { title: 'Left', about: `On the list ${c.before.label}, not ${c.after.label}.` },
    both: { title: 'On both', about: `On the list ${c.before.label} and ${c.after.label}.` },
  };
}

/**
 * @param {HTMLElement} root
 * @param {import('../worker-client.js').WorkerClient} client
 */
export function mountListComparison(root, client) {
  let asOf = '';
  const cohortId = uid('lists-cohort');
  const cohortSelect = h('select', { class: 'nhsuk-select', id: cohortId, name: 'lists-cohort' });
  const status = h('p', { class: 'nhsuk-body-s', role: 'status', 'aria-live': 'polite', id: 'lists-status' });
  const results = h('div', { id: 'list-comparison' });
  // Problems are shown at the top of this section, where the user is working.
  const messages = h('div');
  const problems = mountErrorSummary(messages, 'lists-error-title');
  const invalid = (/** @type {string} */ message, /** @type {HTMLElement} */ field) => {
    problems.show(message);
    field.focus();
  };

  const patientsId = uid('before-patients');
  const eventsId = uid('before-events');
  const dateId = uid('before-as-of');
  const beforePatients = h('input', { class: 'nhsuk-file-upload', id: patientsId, type: 'file', accept: '.csv,.tsv,.txt,text/csv' });
  const beforeEvents = h('input', { class: 'nhsuk-file-upload', id: eventsId, type: 'file', multiple: true, accept: '.csv,.tsv,.txt,text/csv' });
  const beforeDate = h('input', { class: 'nhsuk-input nhsuk-input--width-10', id: dateId, name: 'before-as-of', type: 'date',
    'aria-describedby': `${dateId}-hint` });
  const extractForm = h('form', { class: 'cf-card', 'aria-labelledby': 'before-heading', novalidate: true },
    h('h3', { class: 'nhsuk-heading-s', id: 'before-heading', text: 'Last month’s extract' }),
    h('p', { class: 'nhsuk-body-s', text: 'Its patients and events files, read here with the same settings. They are read once and kept only while this page is open.' }),
    h('div', { class: 'nhsuk-form-group' }, h('label', { class: 'nhsuk-label', for: patientsId, text: 'Last month’s patients' }), beforePatients),
    h('div', { class: 'nhsuk-form-group' },
      h('label', { class: 'nhsuk-label', for: eventsId, text: 'Last month’s events (you can choose more than one file)' }), beforeEvents),
    h('div', { class: 'nhsuk-form-group' },
      h('label', { class: 'nhsuk-label', for: dateId, text: 'Last month’s lists are drawn up as of' }),
      h('div', { class: 'nhsuk-hint', id: `${dateId}-hint`, text: 'The date that extract was taken.' }),
      beforeDate),
    h('button', { class: 'nhsuk-button nhsuk-button--secondary', type: 'submit', text: 'Compare with last month' }));

  const nhsId = uid('nhs-list');
  const nhsFile = h('input', { class: 'nhsuk-file-upload', id: nhsId, type: 'file', accept: '.csv,.txt,.tsv,text/csv,text/plain',
    'aria-describedby': `${nhsId}-hint` });
  const nhsForm = h('form', { class: 'cf-card', 'aria-labelledby': 'nhs-list-heading', novalidate: true },
    h('h3', { class: 'nhsuk-heading-s', id: 'nhs-list-heading', text: 'A list of NHS numbers from EMIS Web or SystmOne' }),
    h('p', { class: 'nhsuk-body-s', text: 'The patients a search in your clinical system found, saved as a CSV or text file.' }),
    h('div', { class: 'nhsuk-form-group' },
      h('label', { class: 'nhsuk-label', for: nhsId, text: 'File of NHS numbers' }),
      h('div', { class: 'nhsuk-hint', id: `${nhsId}-hint`, text: 'One NHS number a line, or a column headed “NHS number”. Spaces in the numbers are fine; a line that is not a valid NHS number is named, with its line number.' }),
      nhsFile),
    h('button', { class: 'nhsuk-button nhsuk-button--secondary', type: 'submit', text: 'Compare with this list' }));

  /** @param {boolean} busy */
  const setBusy = (busy) => {
    for (const button of root.querySelectorAll('button')) button.disabled = busy;
  };

  /** @param {import('../worker-client.js').Outgoing} request @param {string} label */
  async function compare(request, label) {
    results.replaceChildren();
    problems.clear();
    status.textContent = label;
    setBusy(true);
    try {
      const r = await client.request(request, (p) => { status.textContent = progressText(p); });
      show(r.comparison, r.input);
      status.textContent = 'Compared.';
      const heading = /** @type {HTMLElement | null} */ (results.querySelector('h3'));
      heading?.setAttribute('tabindex', '-1');
      heading?.focus();
    } catch (e) {
      status.textContent = '';
      problems.show(/** @type {Error} */ (e).message);
    } finally {
      setBusy(false);
    }
  }

  extractForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const patients = beforePatients.files?.[0];
    const events = Array.from(beforeEvents.files ?? []);
    if (!patients) {
      invalid('Choose last month’s patients file.', beforePatients);
      return;
    }
    if (events.length === 0) {
      invalid('Choose last month’s events file.', beforeEvents);
      return;
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(beforeDate.value)) {
      invalid('Enter the date last month’s lists are drawn up for, as day, month and year.', beforeDate);
      return;
    }
    compare({ type: 'lists-compare-extract', cohort: cohortSelect.value, patients, events, asOf: beforeDate.value,
      beforeLabel: 'last month', afterLabel: 'this month' }, `Reading ${patients.name}…`);
  });
  nhsForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const file = nhsFile.files?.[0];
    if (!file) {
      invalid('Choose the file of NHS numbers.', nhsFile);
      return;
    }
    // Their list is called by its file's name, as the command line calls it.
    compare({ type: 'lists-compare-nhs', cohort: cohortSelect.value, file, theirLabel: file.name }, `Reading ${file.name}…`);
  });

  /** @param {ListComparison} c @param {Group} group @param {'csv' | 'nhs'} format @param {number} count */
  async function download(c, group, format, count) {
    try {
      const text = await client.request({ type: format === 'csv' ? 'lists-csv' : 'lists-nhs', group });
      const name = `${c.cohort}-${group}-${c.after.as_of ?? asOf}${format === 'csv' ? '.csv' : '-nhs-numbers.txt'}`;
      save(text, name);
      const lines = text.split(/\r?\n/).filter(Boolean).length;
      status.textContent = format === 'csv' ? `Saved ${num(count)} rows as ${name}.`
        : `Saved ${num(lines)} NHS numbers as ${name}.${lines < count ? ` ${num(count - lines)} without a valid NHS number are not in it.` : ''}`;
    } catch (e) {
      problems.show(/** @type {Error} */ (e).message);
    }
  }

  /** @param {ListComparison} c @param {Record<string, import('../protocol.js').FileReport> | null} input */
  function show(c, input) {
    const titles = groupTitles(c);
    const their = c.their_list;
    const people = (/** @type {number} */ n) => `${num(n)} ${n === 1 ? 'person' : 'people'}`;
    const side = (/** @type {ListComparison['before']} */ s) =>
      `${capital(s.label)}${s.as_of ? ` (as of ${ukDate(s.as_of)})` : ''}: ${people(s.count)}`;
    const [after, before] = their
      ? [`Our list (as of ${ukDate(c.after.as_of)}): ${people(c.after.count)}`,
        `Their list (${c.before.label}): ${num(c.before.count)} NHS number${c.before.count === 1 ? '' : 's'}`]
      : [side(c.after), side(c.before)];
    const [beforeHeader, afterHeader] = their ? ['Their list', 'Our list'] : [capital(c.before.label), capital(c.after.label)];
    const files = Object.values(input ?? {});
    const diagnostics = their?.diagnostics ?? [];
    results.replaceChildren(
      h('h3', { class: 'nhsuk-heading-m', id: 'list-comparison-heading', text: `${c.title}: ${c.after.label} against ${c.before.label}` }),
      h('ul', { class: 'nhsuk-list', id: 'list-comparison-counts' },
        h('li', { text: `${after}.` }),
        h('li', { text: `${before}.` }),
        h('li', { text: c.matched_by === 'nhs_number' ? 'Matched by NHS number.' : 'Matched by practice patient id.' })),
      files.length
        ? h('p', { class: 'nhsuk-body-s', text: `Last month’s extract: ${files.map((f) => `${f.file}, ${num(f.read)} rows read, ${num(f.rejected)} rejected`).join('; ')}.` })
        : '',
      their
        ? h('p', { class: 'nhsuk-body-s', id: 'their-list-read', text: `${their.file}: ${num(their.read)} lines read, `
          + `${num(their.numbers)} NHS numbers${their.column ? ` (from the column “${their.column}”)` : ''}, `
          + `${num(their.not_used)} line${their.not_used === 1 ? '' : 's'} giving none.` })
        : '',
      diagnostics.length
        ? dataTable(`Lines of ${their?.file ?? 'their list'} that gave no NHS number${diagnostics.length < (their?.not_used ?? 0) ? ` (the first ${num(diagnostics.length)})` : ''}`,
          ['Line', 'Why'],
          diagnostics.map((d) => [num(d.line), d.message]), { numeric: [0], className: 'cf-list-diagnostics' })
        : '',
      .../** @type {Group[]} */ (['joined', 'left', 'both']).map((group) => {
        const entries = c[group];
        const headingId = uid(`list-${group}`);
        const rows = entries.slice(0, SHOWN);
        return h('section', { class: 'cf-compare__part cf-list-group', dataset: { group }, 'aria-labelledby': headingId },
          h('h4', { class: 'nhsuk-heading-s', id: headingId, text: `${titles[group].title} (${num(entries.length)})` }),
          h('p', { class: 'nhsuk-body-s', text: titles[group].about }),
          entries.length === 0
            ? h('p', { class: 'nhsuk-body-s', text: 'Nobody.' })
            : h('div', { class: 'cf-scroll cf-list-group__rows', tabindex: '0', role: 'region', 'aria-label': `${titles[group].title}: table (scrolls)` },
              dataTable(entries.length > SHOWN ? `The first ${num(SHOWN)} of ${num(entries.length)}: download the CSV for all of them`
                : `${titles[group].title}: ${num(entries.length)} ${entries.length === 1 ? 'person' : 'people'}`,
              ['NHS number', 'Practice id', 'Name', beforeHeader, afterHeader, 'Why'],
              rows.map((e) => [spacedNhs(e.nhs_number ?? '') || '—', e.patient_id ?? '—', e.name ?? '',
                statusText(e.status_before, Boolean(their)), statusText(e.status_after) + (e.changed ? ' (changed)' : ''),
                e.why.length > 1 ? h('ul', { class: 'nhsuk-list nhsuk-list--bullet cf-why' }, e.why.map((w) => h('li', { text: w })))
                  : (e.why[0] ?? '')]),
              { className: 'cf-list-table' })),
          entries.length
            ? h('div', { class: 'nhsuk-button-group' },
              h('button', { class: 'nhsuk-button nhsuk-button--secondary nhsuk-button--small', type: 'button',
                onclick: () => download(c, group, 'csv', entries.length) },
              'Download CSV', h('span', { class: 'nhsuk-u-visually-hidden', text: `: ${titles[group].title.toLowerCase()}` })),
              h('button', { class: 'nhsuk-button nhsuk-button--secondary nhsuk-button--small', type: 'button',
                onclick: () => download(c, group, 'nhs', entries.length) },
              'Download NHS numbers', h('span', { class: 'nhsuk-u-visually-hidden', text: `: ${titles[group].title.toLowerCase()}` })))
            : '');
      }),
      h('p', { class: 'nhsuk-body-s', text: 'The downloads hold patient data: keep them as you would any clinical record. NHS numbers only: one a line with no heading, to import as a patient group in EMIS Web or SystmOne.' }));
  }

  root.replaceChildren(
    h('h2', { class: 'nhsuk-heading-m', id: 'lists-heading', text: 'Compare lists' }),
    h('p', { class: 'nhsuk-body', text: 'Who joined a list and who left it since last month’s extract, and why; or how the list differs from a search run in your clinical system. The comparison is made in this browser and kept only while it is shown.' }),
    messages,
    h('div', { class: 'nhsuk-form-group' }, h('label', { class: 'nhsuk-label', for: cohortId, text: 'List' }), cohortSelect),
    h('div', { class: 'cf-start__choices' }, extractForm, nhsForm),
    status,
    results);

  return {
    /**
     * The loaded practice's latest analysis: its lists, and a fresh start (a
     * comparison drawn up before is gone with it).
     * @param {import('../protocol.js').Summary} summary
     */
    render(summary) {
      asOf = summary.as_of;
      const keep = cohortSelect.value;
      const worklists = Object.entries(summary.cohorts).filter(([, c]) => c.kind === 'worklist');
      cohortSelect.replaceChildren(...worklists.map(([id, c]) => h('option', { value: id, text: c.title })));
      cohortSelect.value = worklists.some(([id]) => id === keep) ? keep : (worklists.find(([id]) => id === 'smi_health_checks')?.[0] ?? worklists[0]?.[0] ?? '');
      if (!beforeDate.value) beforeDate.value = monthBefore(summary.as_of);
      results.replaceChildren();
      status.textContent = '';
    },
  };
}
