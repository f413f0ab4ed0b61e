// Definitions: each cohort's rule as written (the TOML the core runs), the
// codelists it names with every code and term, the segments in order of
// precedence, and the settings. A codelist can be replaced by the user's
// own CSV (for example the practice's learning disability health-check
// codes) and a setting changed; the practice is then read again with them.
import { h, replace, uid } from '../dom.js';
import { num, words } from '../format.js';
import { dataTable } from './input-check.js';

/** Codes shown at once; a search narrows longer lists. */
const SHOWN = 500;

/**
 * The `[[cohort]]` block (with its checks) that defines `id`, from a rule file.
 * @param {string} text @param {string} id
 */
function cohortBlock(text, id) {
  const blocks = text.split(/^(?=\[\[cohort\]\]|\[(?!\[?cohort\.)[^\]]*\]\]?\s*$)/m);
  return blocks.find((b) => b.startsWith('[[cohort]]') && new RegExp(`^id\\s*=\\s*"${id}"`, 'm').test(b))?.trim() ?? '';
}

/** @param {HTMLElement} root */
export function mountDefinitions(root) {
  return {
    /**
     * @param {any} defs the core's definitions
     * @param {{cluster: string, file: string}[]} replaced codelists the user has replaced
     * @param {{onReplaceCodelist: (cluster: string, file: File) => void, onResetCodelists: () => void,
     *   onSettings: (settings: Record<string, string | number>) => void}} handlers
     */
    render(defs, replaced, handlers) {
      /** @type {Map<string, any>} */
      const clusters = new Map(defs.clusters.map((/** @type {any} */ c) => [c.id, c]));
      const listId = uid('codelist');
      const clusterSelect = h('select', { class: 'nhsuk-select', id: listId, name: 'codelist' },
        defs.clusters.map((/** @type {any} */ c) => h('option', { value: c.id, text: `${c.title} (${c.id}, ${num(c.codes.length)} codes)` })));
      const searchId = uid('code-search');
      const codeSearch = h('input', { class: 'nhsuk-input nhsuk-input--width-20', id: searchId, type: 'search', autocomplete: 'off' });
      const codes = h('div', { class: 'cf-codes' });
      const fileId = uid('codelist-file');
      const file = h('input', { class: 'nhsuk-file-upload', id: fileId, type: 'file', accept: '.csv,.txt,text/csv',
        'aria-describedby': `${fileId}-hint` });

      const showCodes = () => {
        const c = clusters.get(clusterSelect.value);
        if (!c) return;
        const q = codeSearch.value.trim().toLowerCase();
        const all = /** @type {any[]} */ (c.codes).filter((x) => !q || x.code.includes(q) || x.term.toLowerCase().includes(q));
        const shown = all.slice(0, SHOWN);
        codes.replaceChildren(
          h('p', { class: 'nhsuk-body-s', text: `From ${c.files.join(', ')}.${c.note ? ` ${c.note}` : ''}` }),
          dataTable(`${c.title}: ${all.length > SHOWN ? `the first ${SHOWN} of ` : ''}${num(all.length)} codes${q ? ` matching “${codeSearch.value.trim()}”` : ''}`,
            ['Code', 'Term', 'Code system'], shown.map((x) => [x.code, x.term, words(x.system)]), { className: 'cf-code-table' }));
      };
      clusterSelect.addEventListener('change', showCodes);
      codeSearch.addEventListener('input', showCodes);

      /** Shows one codelist, from a link in a cohort's rule. @param {string} id */
      const openCluster = (id) => {
        clusterSelect.value = id;
        codeSearch.value = '';
        showCodes();
        clusterSelect.focus();
      };

      const ruleFiles = /** @type {{name: string, text: string}[]} */ (defs.rule_files);
      const cohorts = defs.cohorts.map((/** @type {any} */ c) => {
        const file = ruleFiles.find((f) => f.name === c.rule_file);
        const block = file ? cohortBlock(file.text, c.id) : '';
        const named = [...new Set([...block.matchAll(/"([a-z0-9_]+)"/g)].map((m) => m[1]).filter((id) => clusters.has(id)))];
        return h('details', { class: 'nhsuk-details', dataset: { cohort: c.id } },
          h('summary', { class: 'nhsuk-details__summary' }, h('span', { class: 'nhsuk-details__summary-text', text: c.title })),
          h('div', { class: 'nhsuk-details__text' },
            h('p', { class: 'nhsuk-body', text: c.description }),
            h('p', { class: 'nhsuk-body-s', text: `Source: ${c.source}. Defined in ${c.rule_file}.` }),
            named.length
              ? h('p', { class: 'nhsuk-body-s' }, 'Codelists: ', named.flatMap((id, i) => [i ? ', ' : '',
                h('button', { class: 'cf-link-button', type: 'button', onclick: () => openCluster(id) }, clusters.get(id).title)]))
              : null,
            block ? h('pre', { class: 'cf-rule', tabindex: '0', 'aria-label': `The rule for ${c.title}`, text: block }) : null));
      });

      // Settings: each one editable; a change reads the practice again with it.
      const settingInputs = Object.entries(defs.settings).map(([id, s]) => {
        const input = h('input', { class: 'nhsuk-input nhsuk-input--width-10', id: `setting-${id}`, name: id, type: 'text',
          value: String(s.value), dataset: { numeric: String(typeof s.default === 'number') } });
        return { id, s, input };
      });
      const settingsForm = h('form', { class: 'cf-settings', novalidate: true, 'aria-labelledby': 'settings-caption' },
        h('table', { class: 'nhsuk-table' },
          h('caption', { class: 'nhsuk-table__caption nhsuk-table__caption--s', id: 'settings-caption', text: 'Settings' }),
          h('thead', { class: 'nhsuk-table__head' }, h('tr', { class: 'nhsuk-table__row' },
            ['Setting', 'Value', 'Default', 'Note'].map((t) => h('th', { class: 'nhsuk-table__header', scope: 'col', text: t })))),
          h('tbody', { class: 'nhsuk-table__body' }, settingInputs.map(({ id, s, input }) => h('tr', { class: 'nhsuk-table__row' },
            h('th', { class: 'nhsuk-table__header cf-rowhead', scope: 'row' }, h('label', { for: input.id, text: s.title }), h('br'), h('code', { text: id })),
            h('td', { class: 'nhsuk-table__cell' }, input),
            h('td', { class: 'nhsuk-table__cell', text: String(s.default) }),
            h('td', { class: 'nhsuk-table__cell', text: s.note ?? '' }))))),
        h('button', { class: 'nhsuk-button nhsuk-button--secondary', type: 'submit', id: 'apply-settings', text: 'Draw the lists up with these settings' }));
      settingsForm.addEventListener('submit', (event) => {
        event.preventDefault();
        /** @type {Record<string, string | number>} */
        const changed = {};
        for (const { id, s, input } of settingInputs) {
          const text = input.value.trim();
          if (text === String(s.default)) continue;
          changed[id] = input.dataset.numeric === 'true' && /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
        }
        handlers.onSettings(changed);
      });

      const replaceForm = h('form', { class: 'cf-card', novalidate: true, 'aria-labelledby': `${fileId}-heading` },
        h('h3', { class: 'nhsuk-heading-s', id: `${fileId}-heading`, text: 'Use your own codes for this codelist' }),
        h('div', { class: 'nhsuk-form-group' },
          h('label', { class: 'nhsuk-label', for: fileId, text: 'Codelist file' }),
          h('div', { class: 'nhsuk-hint', id: `${fileId}-hint`, text: 'A CSV with a "code" column (and "term" if you like). It replaces the codelist chosen above while this page is open; the practice is read again with it.' }),
          file),
        h('div', { class: 'nhsuk-button-group' },
          h('button', { class: 'nhsuk-button nhsuk-button--secondary', type: 'submit', text: 'Replace the codelist' }),
          replaced.length
            ? h('button', { class: 'nhsuk-button nhsuk-button--reverse', type: 'button', onclick: handlers.onResetCodelists, text: 'Go back to the built-in codelists' })
            : null));
      replaceForm.addEventListener('submit', (event) => {
        event.preventDefault();
        const chosen = file.files?.[0];
        if (chosen) handlers.onReplaceCodelist(clusterSelect.value, chosen);
        else file.focus();
      });

      replace(root,
        h('h2', { class: 'nhsuk-heading-m', id: 'definitions-heading', text: 'Definitions' }),
        h('p', { class: 'nhsuk-body', text: 'How each list is drawn up: the rule as the engine runs it, and the codes it looks for. Every reason on a list names the rule and the code that met it.' }),
        replaced.length
          ? h('div', { class: 'nhsuk-warning-callout' },
            h('h3', { class: 'nhsuk-warning-callout__label' }, h('span', { role: 'text' }, h('span', { class: 'nhsuk-u-visually-hidden', text: 'Important: ' }), 'Your own codelists are in use')),
            h('p', { text: replaced.map((r) => `${r.cluster} from ${r.file}`).join('; ') }))
          : null,
        h('h3', { class: 'nhsuk-heading-s', text: 'Cohorts' }),
        cohorts,
        h('h3', { class: 'nhsuk-heading-s', text: 'Segments, in order of precedence' }),
        h('p', { class: 'nhsuk-body-s', text: 'Each person is placed in the first segment whose rule they meet.' }),
        h('ol', { class: 'nhsuk-list nhsuk-list--number' },
          defs.segments.map((/** @type {any} */ s) => h('li', {}, h('strong', { text: s.title }), ` – ${s.description}`))),
        h('h3', { class: 'nhsuk-heading-s', text: 'Codelists' }),
        h('div', { class: 'cf-codelist-controls' },
          h('div', { class: 'nhsuk-form-group' }, h('label', { class: 'nhsuk-label', for: listId, text: 'Codelist' }), clusterSelect),
          h('div', { class: 'nhsuk-form-group' }, h('label', { class: 'nhsuk-label', for: searchId, text: 'Search codes and terms' }), codeSearch)),
        codes,
        replaceForm,
        h('h3', { class: 'nhsuk-heading-s', text: 'Settings' }),
        h('p', { class: 'nhsuk-body-s', text: 'Where the sources disagree, the setting says which rule is used; the default is the current NHS England or NICE rule. Changes last while this page is open.' }),
        settingsForm,
        h('p', { class: 'nhsuk-body-s', text: `Frailty: ${defs.efi_source}` }));
      clusterSelect.value = replaced[0]?.cluster ?? 'ld_health_check';
      showCodes();
    },
  };
}
