// Local cohorts: a cohort of the user's own, written as a rule file in the
// engine's rule language (TOML) and run by the same evaluator as the
// built-in cohorts. A form builds the file; files can also be imported and
// exported. They last while the page is open: nothing is stored.
import { h, replace, uid } from '../dom.js';
import { num } from '../format.js';

/**
 * A rule file as the session config carries it.
 * @typedef {{name: string, text: string}} RuleFile
 * @typedef {{unit: string, n: string}} Within
 * @typedef {{id: string, title: string, description: string, kind: string,
 *   codes: string, codesTitle: string, system: string, clusters: string[], within: Within,
 *   compare: string, value: string, countAtLeast: string,
 *   ageMin: string, ageMax: string, sex: string, imd: string[], ethnicity: string[], onCohort: string,
 *   notCodes: string, notSystem: string, notClusters: string[], notWithin: Within, notCohorts: string[]}} Draft
 *   The form's values as typed: checked and turned into TOML by `validate` and `toToml`.
 * @typedef {{code: string, term: string}} Code
 * @typedef {{key: string, message: string}} Problem
 */

/**
 * Built-in rule files whose cohorts a local file may refer to: local files
 * are read before the Core20PLUS5 files, so only these come before them.
 */
const REFERABLE_FILES = new Set(['rules/registers.toml', 'rules/learning_disability.toml',
  'rules/serious_mental_illness.toml', 'rules/hypertension.toml', 'rules/frailty.toml']);

/** @type {[string, string][]} */
const ETHNIC_GROUPS = [['white', 'White'], ['mixed', 'Mixed or multiple'], ['asian', 'Asian or Asian British'],
  ['black', 'Black or Black British'], ['other', 'Other ethnic group'], ['not_recorded', 'Not recorded']];
/** @type {[string, string][]} */
const SYSTEMS = [['snomed', 'SNOMED CT'], ['dmd', 'dm+d'], ['read2', 'Read v2'], ['ctv3', 'CTV3']];
/** @type {[string, string][]} */
const PERIODS = [['ever', 'Any time'], ['financial_year', 'This financial year (since 1 April)'],
  ['days', 'Days'], ['weeks', 'Weeks'], ['months', 'Months'], ['years', 'Years']];
/** @type {[string, string][]} */
const COMPARISONS = [['', 'Any value, or none'], ['>=', 'At or above (>=)'], ['>', 'Above (>)'],
  ['<=', 'At or below (<=)'], ['<', 'Below (<)']];

const ID_PATTERN = /^[a-z0-9_]+$/;
const CODE_PATTERN = /^[A-Za-z0-9.]+$/;
const NUMBER_PATTERN = /^-?\d+(\.\d+)?$/;

/** @returns {Draft} */
function emptyDraft() {
  return {
    id: '', title: '', description: '', kind: 'worklist',
    codes: '', codesTitle: '', system: 'snomed', clusters: [], within: { unit: 'ever', n: '' },
    compare: '', value: '', countAtLeast: '',
    ageMin: '', ageMax: '', sex: '', imd: [], ethnicity: [], onCohort: '',
    notCodes: '', notSystem: 'snomed', notClusters: [], notWithin: { unit: 'ever', n: '' }, notCohorts: [],
  };
}

/**
 * A TOML basic string: backslash, double quote and control characters escaped.
 * @param {string} text
 */
export function tomlString(text) {
  /** @type {Record<string, string>} */
  const short = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r' };
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/["\\\u0000-\u001f\u007f]/g, (ch) =>
    short[ch] ?? `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
  return `"${escaped}"`;
}

/** A code system as the engine names it, from the spellings its codelist reader takes. @param {string} text */
function systemOf(text) {
  const t = text.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
  if (['', 'snomed', 'snomedct', 'sct', 'snomedctuk'].includes(t)) return 'snomed';
  if (['dmd', 'dmandd', 'dmplusd'].includes(t)) return 'dmd';
  if (['read', 'read2', 'readv2', 'readcode'].includes(t)) return 'read2';
  if (['ctv3', 'read3', 'readv3'].includes(t)) return 'ctv3';
  return null;
}

/**
 * Codes pasted one a line, each with an optional term after a comma or a
 * tab. A first line "code,term" is a header and skipped.
 * @param {string} text
 * @returns {{codes: Code[], bad: {line: number, code: string}[]}}
 */
export function parseCodeLines(text) {
  /** @type {Map<string, Code>} */
  const codes = new Map();
  /** @type {{line: number, code: string}[]} */
  const bad = [];
  const unquote = (/** @type {string} */ s) => s.trim().replace(/^"(.*)"$/, '$1').replace(/""/g, '"').trim();
  text.split(/\r\n|\n|\r/).forEach((line, i) => {
    if (!line.trim()) return;
    const at = line.search(/[,\t]/);
    const code = unquote(at < 0 ? line : line.slice(0, at));
    const term = at < 0 ? '' : unquote(line.slice(at + 1));
    if (i === 0 && code.toLowerCase() === 'code') return;
    if (!CODE_PATTERN.test(code)) bad.push({ line: i + 1, code });
    else if (!codes.has(code)) codes.set(code, { code, term });
  });
  return { codes: [...codes.values()], bad };
}

/**
 * A CSV's rows (quoted fields, doubled quotes and CRLF understood), blank rows dropped.
 * @param {string} text
 */
function csvRows(text) {
  /** @type {string[][]} */
  const rows = [];
  /** @type {string[]} */
  let row = [];
  let cell = '';
  let quoted = false;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i += 1) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i += 1;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((r) => r.some((c) => c.trim()));
}

/**
 * A codelist CSV as the engine reads one: a `code` column (or `id`,
 * `snomed_code`, `conceptid`), optionally `term` (or `name`, `description`)
 * and `system`. Throws with a message for the user.
 * @param {string} text
 * @returns {{codes: Code[], system: string | null}}
 */
export function codesFromCsv(text) {
  const [header, ...rows] = csvRows(text);
  if (!header) throw new Error('the file is empty');
  const find = (/** @type {string[]} */ names) => header.findIndex((c) => names.includes(c.trim().toLowerCase()));
  const codeCol = find(['code', 'id', 'snomed_code', 'conceptid', 'concept_id']);
  if (codeCol < 0) throw new Error('there is no "code" column in its first line');
  const termCol = find(['term', 'name', 'description']);
  const systemCol = find(['system', 'code_system']);
  /** @type {Set<string>} */
  const systems = new Set();
  /** @type {Code[]} */
  const codes = [];
  rows.forEach((r, i) => {
    const code = (r[codeCol] ?? '').trim();
    if (!code) return;
    if (!CODE_PATTERN.test(code)) throw new Error(`line ${i + 2}: “${code}” is not a code (letters, digits and dots only)`);
    if (systemCol >= 0) {
      const system = systemOf(r[systemCol] ?? '');
      if (!system) throw new Error(`line ${i + 2}: “${(r[systemCol] ?? '').trim()}” is not a code system (SNOMED CT, dm+d, Read v2 or CTV3)`);
      systems.add(system);
    }
    codes.push({ code, term: termCol >= 0 ? (r[termCol] ?? '').replace(/\s+/g, ' ').trim() : '' });
  });
  if (systems.size > 1) throw new Error(`it mixes code systems (${[...systems].join(', ')}): make one file for each`);
  return { codes, system: systems.size ? [...systems][0] : null };
}

/** A window as the engine reads it, or null for "ever". @param {Within} w */
function windowText(w) {
  if (w.unit === 'ever') return null;
  if (w.unit === 'financial_year') return 'financial_year';
  const n = Number(w.n.trim());
  return `${n} ${n === 1 ? w.unit.slice(0, -1) : w.unit}`;
}

/** @param {string} text */
const whole = (text) => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : null);

/** The codelist ids a draft's own codes are given. @param {string} id */
const codelistIds = (id) => ({ codes: `local_${id}`, notCodes: `local_${id}_not` });

/**
 * One `[[codelist]]` block.
 * @param {string} id @param {string} title @param {Code[]} codes @param {string} system
 */
function codelistBlock(id, title, codes, system) {
  const sys = system === 'snomed' ? '' : `, system = ${tomlString(system)}`;
  return [
    '[[codelist]]',
    `id = ${tomlString(id)}`,
    `title = ${tomlString(title)}`,
    'codes = [',
    ...codes.map((c) => `  { code = ${tomlString(c.code)}${c.term ? `, term = ${tomlString(c.term)}` : ''}${sys} },`),
    ']',
  ].join('\n');
}

/** An inline TOML table from key/value pairs already written as TOML. @param {[string, string][]} pairs */
const inline = (pairs) => `{ ${pairs.map(([k, v]) => `${k} = ${v}`).join(', ')} }`;
/** @param {string[]} items */
const stringArray = (items) => `[${items.map(tomlString).join(', ')}]`;

/**
 * The rule file a draft stands for. Parts not yet valid are left out;
 * `validate` names them.
 * @param {Draft} d
 */
export function toToml(d) {
  const id = d.id.trim();
  const title = d.title.trim();
  const ids = codelistIds(id || 'cohort');
  const own = parseCodeLines(d.codes).codes;
  const notOwn = parseCodeLines(d.notCodes).codes;
  const blocks = [];
  if (own.length) blocks.push(codelistBlock(ids.codes, d.codesTitle.trim() || `${title || id} codes`, own, d.system));
  if (notOwn.length) blocks.push(codelistBlock(ids.notCodes, `${title || id} exclusion codes`, notOwn, d.notSystem));

  /** @type {string[]} */
  const criteria = [];
  const coded = [...(own.length ? [ids.codes] : []), ...d.clusters];
  if (coded.length) {
    /** @type {[string, string][]} */
    const pairs = [['coded', stringArray(coded)]];
    const within = windowText(d.within);
    if (within && (d.within.unit === 'financial_year' || whole(d.within.n))) pairs.push(['within', tomlString(within)]);
    if (d.compare && NUMBER_PATTERN.test(d.value.trim())) pairs.push(['value', tomlString(`${d.compare} ${d.value.trim()}`)]);
    const count = whole(d.countAtLeast);
    if (count && count > 1) pairs.push(['count_at_least', String(count)]);
    criteria.push(inline(pairs));
  }
  const [min, max] = [whole(d.ageMin), whole(d.ageMax)];
  /** @type {[string, string][]} */
  const age = [];
  if (min !== null) age.push(['age_min', String(min)]);
  if (max !== null) age.push(['age_max', String(max)]);
  if (age.length) criteria.push(inline(age));
  if (d.sex) criteria.push(inline([['sex', tomlString(d.sex)]]));
  if (d.imd.length) criteria.push(inline([['imd_decile', `[${d.imd.map(Number).sort((a, b) => a - b).join(', ')}]`]]));
  if (d.ethnicity.length) criteria.push(inline([['ethnicity', stringArray(d.ethnicity)]]));
  if (d.onCohort) criteria.push(inline([['cohort', tomlString(d.onCohort)]]));
  const notCoded = [...(notOwn.length ? [ids.notCodes] : []), ...d.notClusters];
  if (notCoded.length) {
    /** @type {[string, string][]} */
    const pairs = [['coded', stringArray(notCoded)]];
    const within = windowText(d.notWithin);
    if (within && (d.notWithin.unit === 'financial_year' || whole(d.notWithin.n))) pairs.push(['within', tomlString(within)]);
    criteria.push(inline([['not', inline(pairs)]]));
  }
  for (const c of d.notCohorts) criteria.push(inline([['not', inline([['cohort', tomlString(c)]])]]));

  const cohort = [
    '[[cohort]]',
    `id = ${tomlString(id)}`,
    `title = ${tomlString(title)}`,
    ...(d.description.trim() ? [`description = ${tomlString(d.description.trim())}`] : []),
    'source = "Local definition"',
    `kind = ${tomlString(d.kind)}`,
    criteria.length ? `eligible = { all = [\n${criteria.map((c) => `  ${c},`).join('\n')}\n] }` : 'eligible = { all = [] }',
  ].join('\n');
  return `# A local cohort for Cohort Finder: import it in the page (Local cohorts),\n# or add it to the command line with --rules ${id || 'FILE'}.toml\n\n${[...blocks, cohort].join('\n\n')}\n`;
}

/**
 * What is wrong with a draft, each problem keyed by the field to fix.
 * @param {Draft} d
 * @param {{builtInCohorts: Set<string>, clusters: Set<string>, localCohorts: Map<string, string>}} known
 *   the built-in cohort ids; the codelist ids and the local cohort ids (with
 *   the file defining each) outside the files that saving the draft replaces
 * @returns {Problem[]}
 */
export function validate(d, known) {
  /** @type {Problem[]} */
  const problems = [];
  const add = (/** @type {string} */ key, /** @type {string} */ message) => problems.push({ key, message });
  const id = d.id.trim();
  if (!id) add('id', 'Enter an id for the cohort');
  else if (!ID_PATTERN.test(id)) add('id', 'The id can only have lowercase letters, digits and underscores');
  else if (known.builtInCohorts.has(id)) add('id', `“${id}” is a built-in cohort’s id: choose another`);
  else if (known.localCohorts.has(id)) {
    add('id', `“${id}” is already defined in ${known.localCohorts.get(id)}: choose another id, or remove that file`);
  } else {
    for (const list of Object.values(codelistIds(id))) {
      if (known.clusters.has(list)) add('id', `This cohort’s codes would be named “${list}”, which is already a codelist’s id: choose another cohort id`);
    }
  }
  if (!d.title.trim()) add('title', 'Enter a title for the cohort');

  const own = parseCodeLines(d.codes);
  for (const b of own.bad.slice(0, 3)) add('codes', `Line ${b.line} of the codes: “${b.code}” is not a code (letters, digits and dots only)`);
  const notOwn = parseCodeLines(d.notCodes);
  for (const b of notOwn.bad.slice(0, 3)) add('notCodes', `Line ${b.line} of the codes to leave out: “${b.code}” is not a code (letters, digits and dots only)`);
  const hasCoded = own.codes.length > 0 || d.clusters.length > 0;
  const hasNotCoded = notOwn.codes.length > 0 || d.notClusters.length > 0;

  /** @param {Within} w @param {string} key @param {boolean} used */
  const checkWindow = (w, key, used) => {
    if (!used || w.unit === 'ever' || w.unit === 'financial_year') return;
    const n = whole(w.n);
    if (n === null || n < 1 || n > 10000) add(key, `Enter how many ${w.unit} to look back, as a whole number from 1`);
  };
  checkWindow(d.within, 'within', hasCoded);
  checkWindow(d.notWithin, 'notWithin', hasNotCoded);
  if (d.compare || d.value.trim()) {
    if (!hasCoded) add('value', 'Add codes or choose a codelist for the value to be compared');
    else if (!d.compare) add('value', 'Choose how the latest value is compared');
    else if (!NUMBER_PATTERN.test(d.value.trim())) add('value', 'Enter the value to compare with as a number, like 7.5');
  }
  if (d.countAtLeast.trim()) {
    const n = whole(d.countAtLeast);
    if (!hasCoded) add('countAtLeast', 'Add codes or choose a codelist to be counted');
    else if (n === null || n < 1 || n > 200) add('countAtLeast', 'Enter how many times as a whole number from 1 to 200');
  }
  const [min, max] = [d.ageMin, d.ageMax].map((t) => t.trim());
  if (min && (whole(min) === null || /** @type {number} */ (whole(min)) > 200)) add('ageMin', 'Enter the lowest age as a whole number of years, from 0 to 200');
  if (max && (whole(max) === null || /** @type {number} */ (whole(max)) > 200)) add('ageMax', 'Enter the highest age as a whole number of years, from 0 to 200');
  if (min && max && whole(min) !== null && whole(max) !== null && Number(min) > Number(max)) add('ageMax', 'The highest age must be the same as or more than the lowest');

  const any = hasCoded || hasNotCoded || min || max || d.sex || d.imd.length || d.ethnicity.length || d.onCohort || d.notCohorts.length;
  if (!any) add('codes', 'Give at least one criterion: codes, a codelist, an age, sex, IMD decile, ethnic group or cohort');
  return problems;
}

/**
 * Saves text as a file through a blob: link (memory, not network).
 * @param {string} text @param {string} name
 */
function save(text, name) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/toml;charset=utf-8' }));
  const link = h('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * The engine's error text as separate problems: a new one starts at a line
 * naming a file (`name.toml: ...`); indented lines (a TOML parser's snippet)
 * stay with the one before.
 * @param {string} message
 */
function engineProblems(message) {
  /** @type {string[]} */
  const out = [];
  for (const line of message.split('\n')) {
    if (!out.length || /^[^\s|:]+(\.toml|\.csv)?: /.test(line)) out.push(line);
    else out[out.length - 1] += `\n${line}`;
  }
  return out;
}

/**
 * @param {HTMLElement} root
 * @param {{onRules: (rules: RuleFile[], label: string) => Promise<string | null>, onOpenCohort: (id: string) => void}} handlers
 *   `onRules` reads the practice again with these local rule files; it answers null, or the engine's error
 */
export function mountLocalCohorts(root, handlers) {
  /** Local rule files in use (the session config's). @type {RuleFile[]} */
  let files = [];
  /** The form's values behind each file it made, so it can be edited again. @type {Map<string, Draft>} */
  const drafts = new Map();
  /** The file the form is editing, replaced when it is saved. @type {string | null} */
  let editing = null;
  let busy = false;
  /** @type {any} */
  let defs = null;
  /** @type {ReturnType<typeof buildForm> | null} */
  let form = null;

  const messages = h('div', { class: 'cf-local__messages' });
  const filesArea = h('div', { class: 'cf-local__files' });
  const formArea = h('div');
  const importId = uid('local-import');
  const importInput = h('input', { class: 'nhsuk-file-upload', id: importId, name: 'local-import', type: 'file',
    accept: '.toml,text/plain,application/toml', multiple: true, 'aria-describedby': `${importId}-hint` });
  const importError = h('div');
  const importGroup = h('div', { class: 'nhsuk-form-group' },
    h('label', { class: 'nhsuk-label', for: importId, text: 'Definition file (.toml)' }),
    h('div', { class: 'nhsuk-hint', id: `${importId}-hint`,
      text: 'A rule file in the engine’s language: one exported from this page, or written by hand. Several files can be in use at once; a file with the same name as one in use replaces it.' }),
    importError, importInput);
  const importForm = h('form', { class: 'cf-card cf-no-print', novalidate: true, 'aria-labelledby': `${importId}-heading` },
    h('h3', { class: 'nhsuk-heading-s', id: `${importId}-heading`, text: 'Import a definition file' }),
    importGroup,
    h('button', { class: 'nhsuk-button nhsuk-button--secondary', type: 'submit', text: 'Import definition file' }));

  replace(root,
    h('h2', { class: 'nhsuk-heading-m', id: 'local-cohorts-heading', text: 'Local cohorts' }),
    messages,
    h('p', { class: 'nhsuk-body', text: 'Define a cohort of your own without changing the program: the form below writes a rule file in the same language as the built-in cohorts, and the same engine runs it. The cohort then appears among the worklists or the registers like any other.' }),
    h('div', { class: 'nhsuk-inset-text' },
      h('span', { class: 'nhsuk-u-visually-hidden', text: 'Information: ' }),
      h('p', { text: 'Local cohorts last only while this page is open: nothing is stored in this browser. Export the file to keep it, then import it next time, or give it to the command line with --rules.' })),
    filesArea,
    importForm,
    formArea);

  /** Shows the problems at the top of the section, as an NHS.UK error summary. @param {{text: string, field?: HTMLElement}[]} items @param {string} [intro] */
  function showProblems(items, intro) {
    const titleId = uid('local-error-title');
    const box = h('div', { class: 'nhsuk-error-summary', tabindex: '-1', 'aria-labelledby': titleId },
      h('div', { role: 'alert' },
        h('h2', { class: 'nhsuk-error-summary__title', id: titleId, text: 'There is a problem' }),
        h('div', { class: 'nhsuk-error-summary__body' },
          intro ? h('p', { text: intro }) : null,
          h('ul', { class: 'nhsuk-list nhsuk-error-summary__list' }, items.map(({ text, field }) => h('li', {},
            field
              ? h('a', { href: `#${field.id}`, text, onclick: (/** @type {Event} */ e) => { e.preventDefault(); field.focus(); } })
              : h('span', { class: 'cf-local__engine-error', text })))))));
    messages.replaceChildren(box);
    box.focus();
  }

  /** A success banner with a way to the new list. @param {string} heading @param {string} text @param {{id: string, title: string} | null} open */
  function showSuccess(heading, text, open) {
    const titleId = uid('local-success');
    const banner = h('div', { class: 'nhsuk-notification-banner nhsuk-notification-banner--success', role: 'alert',
      'aria-labelledby': titleId, tabindex: '-1' },
    h('div', { class: 'nhsuk-notification-banner__header' },
      h('h3', { class: 'nhsuk-notification-banner__title', id: titleId, text: 'Success' })),
    h('div', { class: 'nhsuk-notification-banner__content' },
      h('p', { class: 'nhsuk-notification-banner__heading', text: heading }),
      h('p', { class: 'nhsuk-body', text }),
      open ? h('button', { class: 'cf-link-button', type: 'button', onclick: () => handlers.onOpenCohort(open.id) },
        'Open the list', h('span', { class: 'nhsuk-u-visually-hidden', text: `: ${open.title}` })) : null));
    messages.replaceChildren(banner);
    banner.focus();
  }

  /**
   * Reads the practice again with `next` as the local rule files.
   * @param {RuleFile[]} next @param {string} label
   * @returns {Promise<boolean>}
   */
  async function apply(next, label) {
    if (busy) return false;
    busy = true;
    messages.replaceChildren();
    try {
      const problem = await handlers.onRules(next, label);
      if (problem === null) return true;
      showProblems(engineProblems(problem).map((text) => ({ text })),
        'The engine could not use the rule files, so the lists are as they were before. It says:');
      return false;
    } finally {
      busy = false;
    }
  }

  /** The cohorts each local file defines, from the engine's definitions. @param {string} name */
  const cohortsOf = (name) => /** @type {any[]} */ (defs?.cohorts ?? []).filter((c) => c.rule_file === name);

  function renderFiles() {
    if (!files.length) {
      replace(filesArea,
        h('h3', { class: 'nhsuk-heading-s', text: 'Local rule files in use' }),
        h('p', { class: 'nhsuk-body', id: 'local-files-none', text: 'None yet. Save a cohort with the form below, or import a definition file.' }));
      return;
    }
    const button = (/** @type {string} */ text, /** @type {string} */ name, /** @type {() => void} */ onclick) =>
      h('button', { class: 'cf-link-button', type: 'button', onclick }, text, h('span', { class: 'nhsuk-u-visually-hidden', text: ` ${name}` }));
    replace(filesArea,
      h('table', { class: 'nhsuk-table', id: 'local-files' },
        h('caption', { class: 'nhsuk-table__caption nhsuk-table__caption--s', text: 'Local rule files in use' }),
        h('thead', { class: 'nhsuk-table__head' }, h('tr', { class: 'nhsuk-table__row' },
          ['File', 'Cohorts', 'Actions'].map((t) => h('th', { class: 'nhsuk-table__header', scope: 'col', text: t })))),
        h('tbody', { class: 'nhsuk-table__body' }, files.map((f) => h('tr', { class: 'nhsuk-table__row', dataset: { file: f.name } },
          h('th', { class: 'nhsuk-table__header cf-rowhead', scope: 'row', text: f.name }),
          h('td', { class: 'nhsuk-table__cell', text: cohortsOf(f.name).map((c) => `${c.title} (${c.kind})`).join(', ') || 'None' }),
          h('td', { class: 'nhsuk-table__cell cf-local__actions' },
            drafts.has(f.name) ? button('Edit', f.name, () => edit(f.name)) : null,
            button('Export', f.name, () => save(f.text, f.name)),
            button('Remove', f.name, () => remove(f.name))))))));
  }

  /** @param {string} name */
  function edit(name) {
    const draft = drafts.get(name);
    if (!draft || !form) return;
    form.write(draft);
    editing = name;
    form.update();
    form.focusFirst();
  }

  /** @param {string} name */
  async function remove(name) {
    const next = files.filter((f) => f.name !== name);
    if (await apply(next, `Drawing up the lists without ${name}…`)) {
      drafts.delete(name);
      if (editing === name) editing = null;
      form?.update();
      renderFiles();
      showSuccess(`Removed ${name}`, 'The lists were drawn up again without it.', null);
    }
  }

  importForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    importGroup.classList.remove('nhsuk-form-group--error');
    importError.replaceChildren();
    const chosen = [...(importInput.files ?? [])];
    if (!chosen.length) {
      const errorId = `${importId}-error`;
      importGroup.classList.add('nhsuk-form-group--error');
      importError.replaceChildren(h('span', { class: 'nhsuk-error-message', id: errorId },
        h('span', { class: 'nhsuk-u-visually-hidden', text: 'Error: ' }), 'Choose a definition file to import'));
      importInput.setAttribute('aria-describedby', `${importId}-hint ${errorId}`);
      showProblems([{ text: 'Choose a definition file to import', field: importInput }]);
      return;
    }
    importInput.setAttribute('aria-describedby', `${importId}-hint`);
    const added = await Promise.all(chosen.map(async (f) => ({ name: f.name, text: await f.text() })));
    const names = new Set(added.map((f) => f.name));
    const next = [...files.filter((f) => !names.has(f.name)), ...added];
    const list = added.map((f) => f.name).join(', ');
    if (await apply(next, `Drawing up the lists with ${list}…`)) {
      for (const name of names) drafts.delete(name);
      if (editing && names.has(editing)) editing = null;
      form?.update();
      renderFiles();
      importInput.value = '';
      const made = added.flatMap((f) => cohortsOf(f.name));
      showSuccess(`Imported ${list}`,
        made.length ? `The lists were drawn up again with ${made.map((c) => `“${c.title}”`).join(', ')}.` : 'The lists were drawn up again; the file defines no cohort.',
        made.length === 1 ? made[0] : null);
    }
  });

  /** Builds the form, once: the built-in codelists and cohorts do not change while the page is open. */
  function buildForm() {
    const localNames = new Set(files.map((f) => f.name));
    const clusters = /** @type {any[]} */ (defs.clusters).filter((c) => !c.files.some((/** @type {string} */ f) => localNames.has(f)));
    const referable = /** @type {any[]} */ (defs.cohorts).filter((c) => REFERABLE_FILES.has(c.rule_file));

    /** Each field: its form group, the control to focus, its error slot and what carries aria-describedby. @type {Map<string, {group: HTMLElement, focus: HTMLElement, slot: HTMLElement, described: HTMLElement, hint: string}>} */
    const fields = new Map();
    /**
     * A form group around a control; registered for error messages.
     * @param {string} key @param {HTMLElement} label @param {string} hintText @param {HTMLElement} control
     * @param {{described?: HTMLElement, focus?: HTMLElement, extra?: HTMLElement[]}} [o]
     */
    const group = (key, label, hintText, control, o = {}) => {
      const hintId = `${control.id}-hint`;
      const described = o.described ?? control;
      if (hintText) described.setAttribute('aria-describedby', hintId);
      const slot = h('div');
      const el = h('div', { class: 'nhsuk-form-group' }, label,
        hintText ? h('div', { class: 'nhsuk-hint', id: hintId, text: hintText }) : null, slot, control, o.extra ?? []);
      fields.set(key, { group: el, focus: o.focus ?? control, slot, described, hint: hintText ? hintId : '' });
      return el;
    };
    /** @param {string} key @param {string} name @param {string} labelText @param {string} hint @param {Record<string, any>} [attrs] */
    const textInput = (key, name, labelText, hint, attrs = {}) => {
      const id = uid(`local-${name}`);
      const input = h('input', { class: 'nhsuk-input', id, name: `local-${name}`, type: 'text', autocomplete: 'off', ...attrs });
      return { input, element: group(key, h('label', { class: 'nhsuk-label', for: id, text: labelText }), hint, input) };
    };
    /** @param {string} name @param {[string, string][]} options @param {Record<string, any>} [attrs] */
    const select = (name, options, attrs = {}) => h('select', { class: 'nhsuk-select', id: uid(`local-${name}`), name: `local-${name}`, ...attrs },
      options.map(([value, text]) => h('option', { value, text })));
    /**
     * Checkboxes or radios in a fieldset.
     * @param {'checkbox' | 'radio'} type @param {string} key @param {string} name @param {string} legend @param {string} hint
     * @param {[string, string, string?][]} options value, label, item hint
     * @param {{inline?: boolean, scroll?: boolean}} [o]
     */
    const choices = (type, key, name, legend, hint, options, o = {}) => {
      const kind = type === 'checkbox' ? 'checkboxes' : 'radios';
      const inputs = options.map(([value, text, itemHint]) => {
        const id = uid(`local-${name}`);
        const input = h('input', { class: `nhsuk-${kind}__input`, id, name: `local-${name}`, type, value,
          'aria-describedby': itemHint ? `${id}-hint` : null });
        return { input, item: h('div', { class: `nhsuk-${kind}__item` }, input,
          h('label', { class: `nhsuk-label nhsuk-${kind}__label`, for: id, text }),
          itemHint ? h('div', { class: `nhsuk-hint nhsuk-${kind}__hint`, id: `${id}-hint`, text: itemHint }) : null) };
      });
      const fieldset = h('fieldset', { class: 'nhsuk-fieldset', id: uid(`local-${name}-fieldset`) });
      const hintId = `${fieldset.id}-hint`;
      if (hint) fieldset.setAttribute('aria-describedby', hintId);
      const slot = h('div');
      fieldset.append(h('legend', { class: 'nhsuk-fieldset__legend nhsuk-fieldset__legend--s', text: legend }),
        hint ? h('div', { class: 'nhsuk-hint', id: hintId, text: hint }) : '', slot,
        h('div', { class: `nhsuk-${kind} nhsuk-${kind}--small${o.inline ? ` nhsuk-${kind}--inline` : ''}${o.scroll ? ' cf-local__checklist' : ''}` },
          inputs.map((i) => i.item)));
      const element = h('div', { class: 'nhsuk-form-group' }, fieldset);
      fields.set(key, { group: element, focus: inputs[0].input, slot, described: fieldset, hint: hint ? hintId : '' });
      return {
        element,
        values: () => inputs.filter((i) => i.input.checked).map((i) => i.input.value),
        /** @param {string[]} values */
        set: (values) => inputs.forEach((i) => { i.input.checked = values.includes(i.input.value); }),
      };
    };
    /**
     * A filterable checklist of the built-in codelists.
     * @param {string} key @param {string} name @param {string} legend @param {string} hint
     */
    const checklist = (key, name, legend, hint) => {
      const searchId = uid(`local-${name}-filter`);
      const search = h('input', { class: 'nhsuk-input nhsuk-input--width-20', id: searchId, type: 'search', autocomplete: 'off' });
      const items = clusters.map((c) => {
        const id = uid(`local-${name}`);
        const input = h('input', { class: 'nhsuk-checkboxes__input', id, name: `local-${name}`, type: 'checkbox', value: c.id });
        const item = h('div', { class: 'nhsuk-checkboxes__item' }, input,
          h('label', { class: 'nhsuk-label nhsuk-checkboxes__label', for: id }, c.title,
            h('span', { class: 'cf-local__muted', text: ` (${c.id}, ${num(c.codes.length)} ${c.codes.length === 1 ? 'code' : 'codes'})` })));
        return { c, input, item };
      });
      const status = h('p', { class: 'nhsuk-body-s cf-local__chosen', 'aria-live': 'polite' });
      const refresh = () => {
        const q = search.value.trim().toLowerCase();
        let shown = 0;
        for (const { c, input, item } of items) {
          item.hidden = !(input.checked || !q || c.id.includes(q) || c.title.toLowerCase().includes(q));
          if (!item.hidden) shown += 1;
        }
        const chosen = items.filter((i) => i.input.checked).map((i) => i.c.title);
        status.textContent = `${chosen.length ? `Chosen: ${chosen.join(', ')}.` : 'None chosen.'}${q ? ` ${num(shown)} of ${num(items.length)} codelists shown.` : ''}`;
      };
      search.addEventListener('input', refresh);
      const box = h('div', { class: 'nhsuk-checkboxes nhsuk-checkboxes--small cf-local__checklist' }, items.map((i) => i.item));
      box.addEventListener('change', refresh);
      const fieldset = h('fieldset', { class: 'nhsuk-fieldset', id: uid(`local-${name}-fieldset`), 'aria-describedby': `${searchId}-hint` });
      const slot = h('div');
      fieldset.append(h('legend', { class: 'nhsuk-fieldset__legend nhsuk-fieldset__legend--s', text: legend }),
        h('div', { class: 'nhsuk-hint', id: `${searchId}-hint`, text: hint }), slot,
        h('label', { class: 'nhsuk-label', for: searchId, text: 'Filter the codelists' }), search, box, status);
      const element = h('div', { class: 'nhsuk-form-group' }, fieldset);
      fields.set(key, { group: element, focus: search, slot, described: fieldset, hint: `${searchId}-hint` });
      refresh();
      return {
        element,
        values: () => items.filter((i) => i.input.checked).map((i) => i.c.id),
        /** @param {string[]} ids */
        set: (ids) => {
          search.value = '';
          items.forEach((i) => { i.input.checked = ids.includes(i.c.id); });
          refresh();
        },
      };
    };
    /** "within": a period and how many of them. @param {string} key @param {string} name @param {string} legend */
    const windowField = (key, name, legend) => {
      const unit = select(`${name}-unit`, PERIODS);
      const n = h('input', { class: 'nhsuk-input nhsuk-input--width-4', id: uid(`local-${name}-n`), name: `local-${name}-n`,
        type: 'text', inputmode: 'numeric', autocomplete: 'off' });
      const fieldset = h('fieldset', { class: 'nhsuk-fieldset', id: uid(`local-${name}-fieldset`) });
      const hintId = `${fieldset.id}-hint`;
      fieldset.setAttribute('aria-describedby', hintId);
      const slot = h('div');
      fieldset.append(h('legend', { class: 'nhsuk-fieldset__legend nhsuk-fieldset__legend--s', text: legend }),
        h('div', { class: 'nhsuk-hint', id: hintId, text: 'For example 12 months. Counted back from the date the lists are drawn up for.' }), slot,
        h('div', { class: 'cf-local__row' },
          h('div', {}, h('label', { class: 'nhsuk-label', for: n.id, text: 'Number' }), n),
          h('div', {}, h('label', { class: 'nhsuk-label', for: unit.id, text: 'Period' }), unit)));
      const element = h('div', { class: 'nhsuk-form-group' }, fieldset);
      fields.set(key, { group: element, focus: n, slot, described: fieldset, hint: hintId });
      const sync = () => { n.disabled = unit.value === 'ever' || unit.value === 'financial_year'; };
      unit.addEventListener('change', sync);
      return {
        element,
        /** @returns {Within} */
        value: () => ({ unit: unit.value, n: n.value }),
        /** @param {Within} w */
        set: (w) => { unit.value = w.unit; n.value = w.n; sync(); },
      };
    };
    /** @param {string} key @param {string} name @param {string} labelText @param {string} hint */
    const textarea = (key, name, labelText, hint) => {
      const id = uid(`local-${name}`);
      const area = h('textarea', { class: 'nhsuk-textarea', id, name: `local-${name}`, rows: 5, spellcheck: 'false', autocomplete: 'off' });
      return { area, element: group(key, h('label', { class: 'nhsuk-label', for: id, text: labelText }), hint, area) };
    };
    /** @param {string} name @param {string} labelText */
    const systemField = (name, labelText) => {
      const s = select(name, SYSTEMS);
      return { select: s, element: h('div', { class: 'nhsuk-form-group' }, h('label', { class: 'nhsuk-label', for: s.id, text: labelText }), s) };
    };

    // About the cohort.
    const id = textInput('id', 'id', 'Cohort id', 'Lowercase letters, digits and underscores, for example housebound_no_flu. It must differ from the built-in cohorts’ ids; the file is named after it.',
      { class: 'nhsuk-input nhsuk-input--width-20', spellcheck: 'false' });
    const title = textInput('title', 'title', 'Title', 'How the list is headed, for example “Housebound, no flu vaccine this season”.');
    const descriptionId = uid('local-description');
    const description = h('textarea', { class: 'nhsuk-textarea', id: descriptionId, name: 'local-description', rows: 3 });
    const descriptionGroup = group('description', h('label', { class: 'nhsuk-label', for: descriptionId, text: 'Description (optional)' }),
      'Who is on the list and why, for whoever works through it.', description);
    const kind = choices('radio', 'kind', 'kind', 'Kind of list', '', [
      ['worklist', 'Worklist', 'A tile on the overview and a list to work through.'],
      ['register', 'Register', 'Counted among the registers. A register can be named in the plus_groups setting (Definitions) to become a Core20PLUS5 PLUS group.'],
    ]);

    // Coded with.
    const codes = textarea('codes', 'codes', 'Codes', 'One code a line, with its term after a comma or a tab if you like, for example: 38341003, Hypertensive disorder');
    const codesTitle = textInput('codesTitle', 'codes-title', 'Name for these codes (optional)', 'Shown as the reason a person is on the list. Without one, the title followed by “codes”.',
      { class: 'nhsuk-input nhsuk-input--width-30' });
    const system = systemField('system', 'Code system of these codes');
    const csvId = uid('local-csv');
    const csvInput = h('input', { class: 'nhsuk-file-upload', id: csvId, name: 'local-csv', type: 'file', accept: '.csv,.txt,text/csv' });
    const csvStatus = h('p', { class: 'nhsuk-body-s', 'aria-live': 'polite' });
    const csvGroup = group('csv', h('label', { class: 'nhsuk-label', for: csvId, text: 'Add codes from a CSV file' }),
      'A CSV with a "code" column, and "term" and "system" if you like: the same kind of file Definitions takes to replace a codelist. Its codes are added to the box above.',
      csvInput, { extra: [csvStatus] });
    const clustersList = checklist('clusters', 'clusters', 'Codelists built into the engine', 'Any code in a chosen codelist counts, as well as the codes above.');
    const within = windowField('within', 'within', 'Coded within');
    const compareSelect = select('compare', COMPARISONS);
    const valueInput = h('input', { class: 'nhsuk-input nhsuk-input--width-5', id: uid('local-value'), name: 'local-value', type: 'text', inputmode: 'decimal', autocomplete: 'off' });
    const valueFieldset = h('fieldset', { class: 'nhsuk-fieldset', id: uid('local-value-fieldset') });
    const valueSlot = h('div');
    valueFieldset.setAttribute('aria-describedby', `${valueFieldset.id}-hint`);
    valueFieldset.append(h('legend', { class: 'nhsuk-fieldset__legend nhsuk-fieldset__legend--s', text: 'Latest value in that time (optional)' }),
      h('div', { class: 'nhsuk-hint', id: `${valueFieldset.id}-hint`, text: 'The latest coded value in the time above is compared, for example at or above 48 for an HbA1c in mmol/mol.' }),
      valueSlot,
      h('div', { class: 'cf-local__row' },
        h('div', {}, h('label', { class: 'nhsuk-label', for: compareSelect.id, text: 'Comparison' }), compareSelect),
        h('div', {}, h('label', { class: 'nhsuk-label', for: valueInput.id, text: 'Value' }), valueInput)));
    const valueGroup = h('div', { class: 'nhsuk-form-group' }, valueFieldset);
    fields.set('value', { group: valueGroup, focus: compareSelect, slot: valueSlot, described: valueFieldset, hint: `${valueFieldset.id}-hint` });
    const count = textInput('countAtLeast', 'count', 'At least this many times (optional)', 'Coded on this many separate occasions in the time above. Leave it blank for once.',
      { class: 'nhsuk-input nhsuk-input--width-4', inputmode: 'numeric' });

    // Who.
    const ageMin = textInput('ageMin', 'age-min', 'Aged from', '', { class: 'nhsuk-input nhsuk-input--width-4', inputmode: 'numeric' });
    const ageMax = textInput('ageMax', 'age-max', 'Aged up to and including', '', { class: 'nhsuk-input nhsuk-input--width-4', inputmode: 'numeric' });
    const ageHint = uid('local-age-hint');
    const age = h('div', { class: 'nhsuk-form-group' },
      h('fieldset', { class: 'nhsuk-fieldset', 'aria-describedby': ageHint },
        h('legend', { class: 'nhsuk-fieldset__legend nhsuk-fieldset__legend--s', text: 'Age (optional)' }),
        h('div', { class: 'nhsuk-hint', id: ageHint, text: 'In whole years on the date the lists are drawn up for. Either may be left blank.' }),
        h('div', { class: 'cf-local__row' }, ageMin.element, ageMax.element)));
    const sex = choices('radio', 'sex', 'sex', 'Sex', '', [['', 'Any'], ['female', 'Female'], ['male', 'Male']], { inline: true });
    const imd = choices('checkbox', 'imd', 'imd', 'IMD deciles (optional)',
      'Decile 1 is the most deprived tenth of areas in England. Core20 = deciles 1 and 2. Tick none for anyone, with or without a decile recorded.',
      Array.from({ length: 10 }, (_, i) => /** @type {[string, string]} */ ([String(i + 1), String(i + 1)])), { inline: true });
    const ethnicity = choices('checkbox', 'ethnicity', 'ethnicity', 'Ethnic groups (optional)', 'Tick none for anyone.', ETHNIC_GROUPS);
    const cohortOptions = /** @type {[string, string][]} */ (referable.map((c) => [c.id, `${c.title} (${c.id})`]));
    const onCohort = select('on-cohort', [['', 'Anyone'], ...cohortOptions]);
    const onCohortGroup = group('onCohort', h('label', { class: 'nhsuk-label', for: onCohort.id, text: 'Only people on this cohort (optional)' }),
      'The registers and the learning disability, SMI, hypertension and frailty cohorts. Local files are read before the Core20PLUS5 cohorts, so they cannot name those.',
      onCohort);

    // And not.
    const notCodes = textarea('notCodes', 'not-codes', 'Codes that leave a person out', 'One code a line, with its term after a comma or a tab if you like.');
    const notSystem = systemField('not-system', 'Code system of the codes that leave a person out');
    const notClustersList = checklist('notClusters', 'not-clusters', 'Built-in codelists that leave a person out', 'Anyone with a code from a chosen codelist in the time below is left out.');
    const notWithin = windowField('notWithin', 'not-within', 'Left out if coded within');
    const notCohorts = choices('checkbox', 'notCohorts', 'not-cohorts', 'Not on these cohorts (optional)', 'Anyone on a ticked cohort is left out.',
      cohortOptions.map(([value, text]) => /** @type {[string, string]} */ ([value, text])), { scroll: true });

    const preview = h('pre', { class: 'cf-rule cf-local__preview', id: 'local-preview', tabindex: '0', role: 'region',
      'aria-labelledby': 'local-preview-heading' });
    const editingNote = h('p', { class: 'nhsuk-body-s', id: 'local-editing', 'aria-live': 'polite' });
    const el = h('form', { class: 'cf-local__form', id: 'local-form', novalidate: true, 'aria-labelledby': 'local-form-heading' },
      h('h3', { class: 'nhsuk-heading-m', id: 'local-form-heading', text: 'Define a cohort' }),
      editingNote,
      h('fieldset', { class: 'nhsuk-fieldset cf-local__part', id: 'local-about' },
        h('legend', { class: 'nhsuk-fieldset__legend nhsuk-fieldset__legend--m' }, h('h4', { class: 'nhsuk-fieldset__heading', text: 'About the cohort' })),
        id.element, title.element, descriptionGroup, kind.element),
      h('fieldset', { class: 'nhsuk-fieldset cf-local__part', id: 'local-coded' },
        h('legend', { class: 'nhsuk-fieldset__legend nhsuk-fieldset__legend--m' }, h('h4', { class: 'nhsuk-fieldset__heading', text: 'Coded with (optional)' })),
        h('p', { class: 'nhsuk-body-s', text: 'People with any of these codes, or any code in the chosen codelists.' }),
        codes.element, codesTitle.element, system.element, csvGroup, clustersList.element, within.element, valueGroup, count.element),
      h('fieldset', { class: 'nhsuk-fieldset cf-local__part', id: 'local-who' },
        h('legend', { class: 'nhsuk-fieldset__legend nhsuk-fieldset__legend--m' }, h('h4', { class: 'nhsuk-fieldset__heading', text: 'Who (optional)' })),
        age, sex.element, imd.element, ethnicity.element, onCohortGroup),
      h('fieldset', { class: 'nhsuk-fieldset cf-local__part', id: 'local-not' },
        h('legend', { class: 'nhsuk-fieldset__legend nhsuk-fieldset__legend--m' }, h('h4', { class: 'nhsuk-fieldset__heading', text: 'And not (optional)' })),
        notCodes.element, notSystem.element, notClustersList.element, notWithin.element, notCohorts.element),
      h('h4', { class: 'nhsuk-heading-s', id: 'local-preview-heading', text: 'The definition file' }),
      h('p', { class: 'nhsuk-body-s', text: 'What the engine will read, as you fill in the form. It is the file that “Export definition file” saves.' }),
      preview,
      h('div', { class: 'nhsuk-button-group' },
        h('button', { class: 'nhsuk-button', type: 'submit', id: 'local-save', text: 'Save and draw up the lists' }),
        h('button', { class: 'nhsuk-button nhsuk-button--secondary', type: 'button', id: 'local-export', text: 'Export definition file', onclick: () => exportDraft() }),
        h('button', { class: 'nhsuk-button nhsuk-button--secondary', type: 'button', id: 'local-clear', text: 'Clear the form', onclick: () => clear() })));

    /** @returns {Draft} */
    const read = () => ({
      id: id.input.value, title: title.input.value, description: description.value, kind: kind.values()[0] ?? 'worklist',
      codes: codes.area.value, codesTitle: codesTitle.input.value, system: system.select.value, clusters: clustersList.values(),
      within: within.value(), compare: compareSelect.value, value: valueInput.value, countAtLeast: count.input.value,
      ageMin: ageMin.input.value, ageMax: ageMax.input.value, sex: sex.values()[0] ?? '', imd: imd.values(), ethnicity: ethnicity.values(),
      onCohort: onCohort.value, notCodes: notCodes.area.value, notSystem: notSystem.select.value, notClusters: notClustersList.values(),
      notWithin: notWithin.value(), notCohorts: notCohorts.values(),
    });
    /** @param {Draft} d */
    const write = (d) => {
      id.input.value = d.id;
      title.input.value = d.title;
      description.value = d.description;
      kind.set([d.kind]);
      codes.area.value = d.codes;
      codesTitle.input.value = d.codesTitle;
      system.select.value = d.system;
      clustersList.set(d.clusters);
      within.set(d.within);
      compareSelect.value = d.compare;
      valueInput.value = d.value;
      count.input.value = d.countAtLeast;
      ageMin.input.value = d.ageMin;
      ageMax.input.value = d.ageMax;
      sex.set([d.sex]);
      imd.set(d.imd);
      ethnicity.set(d.ethnicity);
      onCohort.value = d.onCohort;
      notCodes.area.value = d.notCodes;
      notSystem.select.value = d.notSystem;
      notClustersList.set(d.notClusters);
      notWithin.set(d.notWithin);
      notCohorts.set(d.notCohorts);
      csvStatus.textContent = '';
      csvInput.value = '';
    };
    const update = () => {
      preview.textContent = toToml(read());
      editingNote.textContent = editing ? `Editing ${editing}: saving replaces it.` : '';
    };

    /** Marks each problem at its field. @param {Problem[]} problems */
    const mark = (problems) => {
      for (const f of fields.values()) {
        f.group.classList.remove('nhsuk-form-group--error');
        f.slot.replaceChildren();
        f.described.setAttribute('aria-describedby', f.hint);
        if (!f.hint) f.described.removeAttribute('aria-describedby');
        f.group.querySelectorAll('.nhsuk-input--error, .nhsuk-textarea--error')
          .forEach((x) => x.classList.remove('nhsuk-input--error', 'nhsuk-textarea--error'));
      }
      /** @type {Map<string, string[]>} */
      const byKey = new Map();
      for (const p of problems) byKey.set(p.key, [...(byKey.get(p.key) ?? []), p.message]);
      for (const [key, list] of byKey) {
        const f = /** @type {NonNullable<ReturnType<typeof fields.get>>} */ (fields.get(key));
        const errorId = `${f.described.id}-error`;
        f.group.classList.add('nhsuk-form-group--error');
        f.slot.replaceChildren(h('span', { class: 'nhsuk-error-message', id: errorId },
          h('span', { class: 'nhsuk-u-visually-hidden', text: 'Error: ' }), list.join('. ')));
        f.described.setAttribute('aria-describedby', [f.hint, errorId].filter(Boolean).join(' '));
        if (f.focus.classList.contains('nhsuk-input')) f.focus.classList.add('nhsuk-input--error');
        if (f.focus.classList.contains('nhsuk-textarea')) f.focus.classList.add('nhsuk-textarea--error');
      }
      if (problems.length) showProblems(problems.map((p) => ({ text: p.message, field: /** @type {any} */ (fields.get(p.key)).focus })));
    };

    /** The draft, if it is complete and clashes with nothing; else its problems shown. */
    const checked = () => {
      const d = read();
      const localNames = new Set(files.map((f) => f.name));
      const replacing = new Set([`${d.id.trim()}.toml`, editing ?? '']);
      /** @type {Map<string, string>} */
      const localCohorts = new Map();
      for (const c of defs.cohorts) {
        if (localNames.has(c.rule_file) && !replacing.has(c.rule_file)) localCohorts.set(c.id, c.rule_file);
      }
      const known = {
        builtInCohorts: new Set(/** @type {any[]} */ (defs.cohorts).filter((c) => !localNames.has(c.rule_file)).map((c) => c.id)),
        clusters: new Set(/** @type {any[]} */ (defs.clusters)
          .filter((c) => !(c.files.length === 1 && replacing.has(c.files[0]))).map((c) => c.id)),
        localCohorts,
      };
      const problems = validate(d, known);
      mark(problems);
      return problems.length ? null : d;
    };

    async function submit() {
      const d = checked();
      if (!d) return;
      const cohortId = d.id.trim();
      const name = `${cohortId}.toml`;
      const text = toToml(d);
      const next = [...files.filter((f) => f.name !== name && f.name !== editing), { name, text }];
      if (await apply(next, `Drawing up the lists with ${d.title.trim()}…`)) {
        if (editing && editing !== name) drafts.delete(editing);
        drafts.set(name, d);
        editing = name;
        update();
        renderFiles();
        showSuccess(`Saved ${name}`, `The lists were drawn up again with “${d.title.trim()}” as a ${d.kind}.`,
          { id: cohortId, title: d.title.trim() });
      }
    }

    function exportDraft() {
      const d = checked();
      if (!d) return;
      messages.replaceChildren();
      save(toToml(d), `${d.id.trim()}.toml`);
    }

    function clear() {
      write(emptyDraft());
      editing = null;
      mark([]);
      messages.replaceChildren();
      update();
      id.input.focus();
    }

    csvInput.addEventListener('change', async () => {
      const file = csvInput.files?.[0];
      const f = /** @type {NonNullable<ReturnType<typeof fields.get>>} */ (fields.get('csv'));
      f.group.classList.remove('nhsuk-form-group--error');
      f.slot.replaceChildren();
      if (!file) return;
      try {
        const got = codesFromCsv(await file.text());
        const had = parseCodeLines(codes.area.value).codes;
        if (got.system && had.length && got.system !== system.select.value) {
          throw new Error(`its codes are ${got.system} but the box holds ${system.select.value} codes: a codelist has one code system`);
        }
        if (got.system) system.select.value = got.system;
        const seen = new Set(had.map((c) => c.code));
        const fresh = got.codes.filter((c) => !seen.has(c.code) && seen.add(c.code));
        const lines = fresh.map((c) => (c.term ? `${c.code}, ${c.term}` : c.code));
        codes.area.value = [codes.area.value.replace(/\s+$/, ''), ...lines].filter(Boolean).join('\n');
        const skipped = got.codes.length - fresh.length;
        csvStatus.textContent = `Added ${num(fresh.length)} codes from ${file.name}${skipped ? ` (${num(skipped)} were already in the box)` : ''}.`;
        update();
      } catch (e) {
        csvStatus.textContent = '';
        f.group.classList.add('nhsuk-form-group--error');
        f.slot.replaceChildren(h('span', { class: 'nhsuk-error-message', id: `${csvId}-error` },
          h('span', { class: 'nhsuk-u-visually-hidden', text: 'Error: ' }), `${file.name} was not read: ${/** @type {Error} */ (e).message}`));
      } finally {
        csvInput.value = '';
      }
    });

    el.addEventListener('input', update);
    el.addEventListener('change', update);
    el.addEventListener('submit', (event) => {
      event.preventDefault();
      submit();
    });
    write(emptyDraft());
    update();
    return { element: el, write, update, focusFirst: () => id.input.focus() };
  }

  return {
    /**
     * Shows the local rule files in use; builds the form the first time.
     * @param {any} definitions the core's definitions
     * @param {RuleFile[]} rules the local rule files in the session config
     */
    render(definitions, rules) {
      defs = definitions;
      files = rules;
      for (const name of drafts.keys()) if (!files.some((f) => f.name === name)) drafts.delete(name);
      if (editing && !files.some((f) => f.name === editing) && !drafts.has(editing)) editing = null;
      if (!form) {
        form = buildForm();
        formArea.replaceChildren(form.element);
      }
      form.update();
      renderFiles();
    },
  };
}
