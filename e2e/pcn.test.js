// End-to-end tests of the Compare practices and Compare lists tabs. Four
// synthetic practices (deprived, average, affluent, mixed) are made and
// summarised by the command line; every figure the page shows from their
// summary files, from an extract added in the page, and from list
// comparisons equals the command line's `compare` and `compare-lists` on
// the same files.
// Run: node --test e2e/pcn.test.js   (after scripts/build-page and a release build of the CLI)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { AS_OF, artefacts, assertNoNetwork, axe, launch, openPage, saveDownload } from './browser.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'target', 'release', 'cohort-finder');
const scratch = mkdtempSync(join(tmpdir(), 'cohort-finder-pcn-'));
const BEFORE = '2026-10-23';

/** The four practices of a made-up network. */
const PRACTICES = [
  { code: 'Y00001', deprivation: 'deprived', patients: 3000, seed: 11 },
  { code: 'Y00002', deprivation: 'average', patients: 5000, seed: 12 },
  { code: 'Y00003', deprivation: 'affluent', patients: 8000, seed: 13 },
  { code: 'Y00004', deprivation: 'mixed', patients: 4000, seed: 14 },
];
/** The funnel plots checked against the command line: every SMI check, and a blood pressure in 12 months (with outliers). */
const SMI = 'smi_health_checks.all_required';
const BP = 'hypertension_not_to_target.bp_recorded';

/** Runs the command line in the scratch folder and returns its output. @param {string[]} args */
const run = (args) => execFileSync(cli, args, { cwd: scratch, maxBuffer: 1 << 28 }).toString();
/** @param {string[]} args */
const runJson = (args) => JSON.parse(run(args));
/** A practice's files, relative to the scratch folder. @param {string} code */
const files = (code) => ({ patients: `${code}/patients.csv`, events: `${code}/events.csv` });
/** @param {string} code */
const extractArg = (code) => `${files(code).patients},${files(code).events}`;

const number = (/** @type {number} */ n) => n.toLocaleString('en-GB');
const pc = (/** @type {number | null} */ x) => (x === null ? '–' : `${(100 * x).toFixed(1)}%`);
const spaced = (/** @type {string | null} */ nhs) => (nhs && /^\d{10}$/.test(nhs) ? `${nhs.slice(0, 3)} ${nhs.slice(3, 6)} ${nhs.slice(6)}` : nhs || '—');

/** A cell as the page shows it (its screen-reader words left out). @param {any} c */
function cellText(c) {
  if (c.status === 'absent') return '–';
  if (c.numerator === null && c.denominator === null) return 'suppressed';
  const part = (/** @type {number | null} */ n) => (n === null ? 'suppressed' : number(n));
  return `${part(c.numerator)}/${part(c.denominator)}${c.rate === null ? '' : ` (${pc(c.rate)})`}`;
}

/** @type {Record<string, string>} */
const POSITIONS = {
  within: 'within the 95% limits',
  high_95: 'above the 95% limit',
  high_99_8: 'above the 99.8% limit',
  low_95: 'below the 95% limit',
  low_99_8: 'below the 99.8% limit',
};

/** A table's body rows as visible text, cell by cell. @param {import('playwright-core').Locator} table */
const rowsOf = (table) => table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (cell) => {
  const copy = /** @type {HTMLElement} */ (cell.cloneNode(true));
  copy.querySelectorAll('.nhsuk-u-visually-hidden').forEach((e) => e.remove());
  return (copy.textContent ?? '').trim();
})));

/**
 * The page's comparison against the command line's table: the practices,
 * the warnings and every cell.
 * @param {import('playwright-core').Page} page @param {any} want the command line's table
 */
async function assertTable(page, want) {
  await page.locator(`#compare-practices .cf-compare__table[data-view="${view(want)}"]`).waitFor();
  const practices = await rowsOf(page.locator('#compare-practices table.cf-compare__practices'));
  assert.deepEqual(practices.map((r) => [r[0].replace(/ \(this practice\)$/, ''), ...r.slice(1, 4)]), want.practices.map((/** @type {any} */ p) => [
    p.code,
    p.source === 'summary' ? 'Summary: rounded to 5, 1–7 suppressed' : 'Extract: exact, on this machine only',
    p.as_of.split('-').reverse().join('/'),
    p.registered === null ? '–' : number(p.registered),
  ]));
  const warnings = want.warnings.length ? await page.locator('#practices-warnings li').allInnerTexts() : [];
  assert.deepEqual(warnings, want.warnings);
  const table = page.locator('#compare-practices table.cf-compare__indicators');
  const headers = await table.locator('thead th').allInnerTexts();
  assert.deepEqual(headers, ['Indicator', ...want.practices.map((/** @type {any} */ p) => p.code), 'Network (all practices)']);
  assert.deepEqual(await rowsOf(table), want.indicators.map((/** @type {any} */ i) => [i.title, ...i.cells.map(cellText), cellText(i.pcn)]));
}

/** What the page says it has drawn: practices, dimension and group. @param {any} want a table or funnel */
const view = (want) => `${(want.practices ?? []).map((/** @type {any} */ p) => p.code).join(',')}|${want.dimension ?? ''}|${want.group ?? ''}`;

/**
 * The funnel plot's table and left-out practices against the command line's funnel.
 * @param {import('playwright-core').Page} page @param {any} want @param {string[]} codes the practices compared
 */
async function assertFunnel(page, want, codes) {
  await page.locator(`#funnel-section .cf-funnel__body[data-view="${view({ ...want, practices: codes.map((code) => ({ code })) })}|${want.indicator.id}"]`).waitFor();
  const table = page.locator('#funnel-section table.cf-funnel__table');
  assert.match(await table.locator('caption').innerText(), new RegExp(`network rate of ${pc(want.pcn.rate).replace('.', '\\.')}$`));
  assert.deepEqual(await rowsOf(table), [
    ...want.points.map((/** @type {any} */ p) => [p.code, number(p.numerator), number(p.denominator), pc(p.rate), POSITIONS[p.position]]),
    ['Network', number(want.pcn.numerator), number(want.pcn.denominator), pc(want.pcn.rate), ''],
  ]);
  const leftOut = want.left_out.length ? await page.locator('#funnel-left-out li').allInnerTexts() : [];
  assert.deepEqual(leftOut, want.left_out.map((/** @type {any} */ l) => `${l.code}: ${l.why}`));
  const canvas = page.locator('#funnel-canvas');
  assert.equal(await canvas.getAttribute('role'), 'img');
  assert.match(await canvas.getAttribute('aria-label') ?? '', /^Funnel plot: .*95% and 99\.8% limits/);
}

/** Every count in a summary's practices (not its settings or disclosure rule). @param {any} summary */
function counts(summary) {
  /** @type {number[]} */
  const out = [];
  const cell = (/** @type {any} */ c) => out.push(...[c.numerator, c.denominator].filter((n) => n !== null));
  for (const p of summary.practices) {
    if (p.registered !== null) out.push(p.registered);
    for (const f of Object.values(p.values)) {
      cell(/** @type {any} */ (f).total);
      for (const groups of Object.values(/** @type {any} */ (f).by)) for (const c of Object.values(/** @type {any} */ (groups))) cell(c);
    }
  }
  return out;
}

/** The command line's export of one group of the list comparison the page is showing. @type {(group: string, format: string) => string} */
let cliGroup = () => '';

/** @type {import('playwright-core').Browser} */
let browser;
before(async () => {
  for (const p of PRACTICES) {
    execFileSync(cli, ['synth', '--patients', String(p.patients), '--seed', String(p.seed), '--deprivation', p.deprivation,
      '--practice-code', p.code, '--extract-date', AS_OF, '--out', join(scratch, p.code)], { stdio: 'ignore' });
    run(['summary', '--patients', files(p.code).patients, '--events', files(p.code).events, '--as-of', AS_OF, '--out', `${p.code}.json`]);
  }
  writeFileSync(join(scratch, 'not-a-summary.json'), '{"practices": []}\n');
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

describe('compare practices and lists (four synthetic practices, as of 2026-11-23)', () => {
  /** @type {Awaited<ReturnType<typeof openPage>>} */
  let s;
  const summaries = PRACTICES.map((p) => `${p.code}.json`);

  before(async () => {
    s = await openPage(browser);
    const { page } = s;
    await page.locator('input[name="as-of"]').fill(AS_OF);
    await page.getByLabel('Patients file').setInputFiles(join(scratch, files('Y00001').patients));
    await page.getByLabel(/^Events file/).setInputFiles(join(scratch, files('Y00001').events));
    await page.getByRole('button', { name: 'Read the files' }).click();
    await page.locator('.cf-tile').first().waitFor();
    await page.getByRole('tab', { name: 'Compare practices' }).click();
  });
  after(async () => {
    await s?.context.close();
  });

  test("the loaded practice is in the comparison, exact; its shared summary is the command line's, with no count of 1 to 7", async () => {
    const { page } = s;
    await assertTable(page, runJson(['compare', '--extract', extractArg('Y00001'), '--as-of', AS_OF]));
    assert.match(await page.locator('#compare-practices table.cf-compare__practices tbody tr').innerText(), /\(this practice\)/);
    const saved = await saveDownload(page, () => page.getByRole('button', { name: 'Download this practice’s summary' }).click());
    assert.equal(saved.name, `Y00001-summary-${AS_OF}.json`);
    assert.equal(saved.text, readFileSync(join(scratch, 'Y00001.json'), 'utf8'));
    const summary = JSON.parse(saved.text);
    assert.equal(summary.disclosure.exact, false);
    const all = counts(summary);
    assert.ok(all.length > 1000, `${all.length} counts`);
    assert.deepEqual(all.filter((n) => n >= 1 && n <= 7), []);
    assert.deepEqual(all.filter((n) => n % 5 !== 0), []);
    assert.deepEqual(await axe(page), []);
  });

  test('four summary files side by side equal `compare --summary`; a file that is not a summary is named and the rest still load', async () => {
    const { page } = s;
    await page.getByRole('button', { name: 'Remove Y00001' }).click();
    await page.getByText('No practices yet').waitFor();
    await page.getByLabel('Summary files (.json)').setInputFiles([...summaries, 'not-a-summary.json'].map((f) => join(scratch, f)));
    await page.getByRole('button', { name: 'Add the summaries' }).click();
    const problem = page.locator('#compare-practices .nhsuk-error-summary');
    await problem.filter({ hasText: 'not-a-summary.json' }).waitFor();
    assert.match(await problem.innerText(), /not-a-summary\.json: no "schema" field/);
    await page.locator('#practices-status').filter({ hasText: 'Added Y00001, Y00002, Y00003, Y00004.' }).waitFor();
    await assertTable(page, runJson(['compare', ...summaries.flatMap((f) => ['--summary', f]), '--as-of', AS_OF]));
    const filesShown = await rowsOf(page.locator('#compare-practices table.cf-compare__practices'));
    assert.deepEqual(filesShown.map((r) => r[4]), summaries);
    const suppressed = page.locator('#compare-practices table.cf-compare__indicators .cf-suppressed').first();
    if (await suppressed.count()) assert.match(await suppressed.textContent() ?? '', /suppressed \(between 1 and 7 people/);
    await page.screenshot({ path: `${artefacts}/compare-practices.png`, fullPage: true });
    assert.deepEqual(await axe(page), []);
  });

  test('funnel plots of the SMI checks and of blood pressures equal `compare --funnel`, for everyone and for the most deprived fifth', async () => {
    const { page } = s;
    const table = ['compare', ...summaries.flatMap((f) => ['--summary', f]), '--as-of', AS_OF];
    const codes = PRACTICES.map((p) => p.code);
    for (const indicator of [SMI, BP]) {
      await page.getByLabel('Indicator', { exact: true }).selectOption(indicator);
      const funnel = runJson([...table, '--funnel', indicator]);
      assert.equal(funnel.points.length + funnel.left_out.length, 4);
      await assertFunnel(page, funnel, codes);
    }
    const outside = runJson([...table, '--funnel', BP]).points.filter((/** @type {any} */ p) => p.position !== 'within');
    assert.ok(outside.length > 0, 'a practice outside the limits');
    const section = page.locator('#funnel-section');
    await section.scrollIntoViewIfNeeded();
    await section.screenshot({ path: `${artefacts}/funnel-four-practices.png` });

    await page.getByLabel('People', { exact: true }).selectOption({ label: 'IMD quintile: 1 (most deprived)' });
    const group = ['--dimension', 'imd_quintile', '--group', '1'];
    await assertTable(page, runJson([...table, ...group]));
    await assertFunnel(page, runJson([...table, '--funnel', BP, ...group]), codes);
    await page.getByLabel('People', { exact: true }).selectOption('');
    await assertFunnel(page, runJson([...table, '--funnel', BP]), codes);
    assert.deepEqual(await axe(page), []);
  });

  test('an extract added in the page is exact and equals `compare --extract`; the comparison CSV is the command line\'s', async () => {
    const { page } = s;
    await page.getByRole('button', { name: 'Remove Y00004' }).click();
    await page.locator('#practices-status').filter({ hasText: 'Removed Y00004.' }).waitFor();
    await page.getByLabel('The other practice’s patients').setInputFiles(join(scratch, files('Y00004').patients));
    await page.getByLabel('The other practice’s events').setInputFiles(join(scratch, files('Y00004').events));
    await page.getByLabel('Practice code (optional)').fill('Y00004');
    await page.getByRole('button', { name: 'Read and add the extract' }).click();
    await page.locator('#practices-status').filter({ hasText: 'Added Y00004.' }).waitFor();
    const args = ['compare', ...summaries.slice(0, 3).flatMap((f) => ['--summary', f]), '--extract', extractArg('Y00004'), '--as-of', AS_OF];
    const want = runJson(args);
    assert.ok(want.warnings.some((/** @type {string} */ w) => w.startsWith('Y00004 is exact')), want.warnings.join(' | '));
    await assertTable(page, want);
    await assertFunnel(page, runJson([...args, '--funnel', BP]), want.practices.map((/** @type {any} */ p) => p.code));
    assert.match(await page.locator('#extract-input-check').innerText(), /^patients\.csv: [\d,]+ rows read/);
    const csv = await saveDownload(page, () => page.getByRole('button', { name: 'Download the comparison (CSV)' }).click());
    assert.equal(csv.text, run([...args, '--format', 'csv']));
    assert.deepEqual(await axe(page), []);
  });

  /**
   * The page's three groups against the command line's comparison.
   * @param {any} want @param {string[]} titles @param {string[]} sides the page's words for the two lists
   */
  async function assertLists(want, titles, sides) {
    const { page } = s;
    await page.locator('#list-comparison-heading').filter({ hasText: want.title }).waitFor();
    const counts = await page.locator('#list-comparison-counts li').allInnerTexts();
    assert.deepEqual(counts.slice(0, 2), sides);
    const groups = /** @type {const} */ (['joined', 'left', 'both']);
    for (const [i, group] of groups.entries()) {
      const section = page.locator(`.cf-list-group[data-group="${group}"]`);
      assert.equal(await section.locator('h4').innerText(), `${titles[i]} (${number(want[group].length)})`);
      if (want[group].length === 0) continue;
      const rows = await rowsOf(section.locator('table'));
      assert.deepEqual(rows.map((r) => [r[0], r[1], r[5]]), want[group].slice(0, 500).map((/** @type {any} */ e) =>
        [spaced(e.nhs_number), e.patient_id ?? '—', e.why.join('')]));
      const csv = await saveDownload(page, () => section.getByRole('button', { name: /^Download CSV/ }).click());
      assert.equal(csv.text, cliGroup(group, 'csv'), `${group} CSV`);
      const nhs = await saveDownload(page, () => section.getByRole('button', { name: /^Download NHS numbers/ }).click());
      assert.equal(nhs.text, cliGroup(group, 'nhs'), `${group} NHS numbers`);
    }
  }

  test("a list against last month's extract: who joined, who left and why, as `compare-lists` says", async () => {
    const { page } = s;
    await page.getByRole('tab', { name: 'Compare lists' }).click();
    await page.getByRole('heading', { name: 'Compare lists', exact: true }).waitFor();
    assert.deepEqual(await axe(page), []);
    const cohort = 'smi_health_checks';
    const args = ['compare-lists', '--cohort', cohort, '--patients', files('Y00001').patients, '--events', files('Y00001').events,
      '--as-of', AS_OF, '--before-patients', files('Y00001').patients, '--before-events', files('Y00001').events, '--before-as-of', BEFORE];
    const want = runJson(args);
    assert.ok(want.joined.length + want.left.length > 0, 'something changed in a month');
    cliGroup = (group, format) => run([...args, '--group', group, '--format', format]);
    await page.getByLabel('List', { exact: true }).selectOption(cohort);
    await page.getByLabel('Last month’s patients').setInputFiles(join(scratch, files('Y00001').patients));
    await page.getByLabel('Last month’s events').setInputFiles(join(scratch, files('Y00001').events));
    await page.getByLabel('Last month’s lists are drawn up as of').fill(BEFORE);
    await page.getByRole('button', { name: 'Compare with last month' }).click();
    const people = (/** @type {number} */ n) => `${number(n)} ${n === 1 ? 'person' : 'people'}`;
    await assertLists(want, ['Joined', 'Left', 'On both'], [
      `This month (as of 23/11/2026): ${people(want.after.count)}.`, `Last month (as of 23/10/2026): ${people(want.before.count)}.`]);
    await page.screenshot({ path: `${artefacts}/compare-lists-month.png`, fullPage: true });
    assert.deepEqual(await axe(page), []);
  });

  test('a list against NHS numbers from a search (a heading, spaces, a bad number): only ours, only theirs, both', async () => {
    const { page } = s;
    const cohort = 'smi_health_checks';
    const report = JSON.parse(execFileSync(cli, ['analyse', '--patients', files('Y00001').patients, '--events', files('Y00001').events,
      '--as-of', AS_OF], { cwd: scratch, maxBuffer: 1 << 28 }).toString());
    const ours = report.cohorts[cohort].members.filter((/** @type {any} */ m) => m.nhs_number_valid).map((/** @type {any} */ m) => m.nhs_number);
    const others = report.cohorts.hypertension_register.members.filter((/** @type {any} */ m) => m.nhs_number_valid && !ours.includes(m.nhs_number))
      .map((/** @type {any} */ m) => m.nhs_number);
    assert.ok(ours.length >= 6 && others.length >= 3, `${ours.length} on our list, ${others.length} others`);
    const theirs = [...ours.slice(0, Math.floor(ours.length / 2)), ...others.slice(0, 3)];
    const lines = ['NHS Number', ...theirs.map((n, i) => (i % 2 ? spaced(n) : ` ${n} `)), '', '123 456 7890', ...theirs.slice(0, 1)];
    mkdirSync(join(scratch, 'search'), { recursive: true });
    writeFileSync(join(scratch, 'search', 'smi-search.csv'), `${lines.join('\r\n')}\r\n`);
    const args = ['compare-lists', '--cohort', cohort, '--patients', files('Y00001').patients, '--events', files('Y00001').events,
      '--as-of', AS_OF, '--nhs-list', 'smi-search.csv'];
    const want = JSON.parse(execFileSync(cli, args.map((a) => (a.startsWith('Y00001/') ? join(scratch, a) : a)),
      { cwd: join(scratch, 'search'), maxBuffer: 1 << 28 }).toString());
    cliGroup = (group, format) => execFileSync(cli,
      [...args.map((a) => (a.startsWith('Y00001/') ? join(scratch, a) : a)), '--group', group, '--format', format],
      { cwd: join(scratch, 'search'), maxBuffer: 1 << 28 }).toString();
    assert.ok(want.their_list.diagnostics.length >= 1, 'the bad number is named');
    await page.getByLabel('File of NHS numbers').setInputFiles(join(scratch, 'search', 'smi-search.csv'));
    await page.getByRole('button', { name: 'Compare with this list' }).click();
    assert.equal(want.before.label, 'smi-search.csv');
    await assertLists(want, ['Only on our list', 'Only on theirs', 'On both'], [
      `Our list (as of 23/11/2026): ${number(want.after.count)} ${want.after.count === 1 ? 'person' : 'people'}.`,
      `Their list (smi-search.csv): ${number(want.before.count)} NHS numbers.`]);
    const t = want.their_list;
    assert.equal(t.column, 'NHS Number');
    assert.equal(await page.locator('#their-list-read').innerText(),
      `smi-search.csv: ${number(t.read)} lines read, ${number(t.numbers)} NHS numbers (from the column “NHS Number”), ${number(t.not_used)} lines giving none.`);
    assert.deepEqual(await rowsOf(page.locator('table.cf-list-diagnostics')),
      want.their_list.diagnostics.map((/** @type {any} */ d) => [number(d.line), d.message]));
    assert.ok(want.their_list.diagnostics.every((/** @type {any} */ d) => d.file === 'smi-search.csv'));
    await page.screenshot({ path: `${artefacts}/compare-lists-nhs.png`, fullPage: true });
    assert.deepEqual(await axe(page), []);
  });

  test('no request but the file itself, no console errors, nothing stored but a column mapping', async () => {
    assertNoNetwork(s.requests);
    assert.deepEqual(s.consoleErrors, []);
    const stored = await s.page.evaluate(() => ({ local: Object.keys(localStorage), session: Object.keys(sessionStorage) }));
    assert.deepEqual(stored.local.filter((k) => k !== 'cohort-finder.column-mapping.v1'), []);
    assert.deepEqual(stored.session, []);
  });
});

describe('one extract holding two practices (a practice_code column)', () => {
  test('both practices are compared side by side at once, exactly as `compare --extract` on the same files', async () => {
    // Y00001 and Y00002 in one pair of files, their patient ids made distinct.
    mkdirSync(join(scratch, 'both'), { recursive: true });
    for (const kind of ['patients', 'events']) {
      const parts = ['Y00001', 'Y00002'].map((code, i) => readFileSync(join(scratch, code, `${kind}.csv`), 'utf8')
        .split('\n').slice(1).filter(Boolean).map((line) => (/^P\d+,/.test(line) ? `${'AB'[i]}${line}` : line)));
      const header = readFileSync(join(scratch, 'Y00001', `${kind}.csv`), 'utf8').split('\n')[0];
      writeFileSync(join(scratch, 'both', `${kind}.csv`), `${[header, ...parts.flat()].join('\n')}\n`);
    }
    const want = runJson(['compare', '--extract', 'both/patients.csv,both/events.csv', '--as-of', AS_OF]);
    assert.deepEqual(want.practices.map((/** @type {any} */ p) => p.code), ['Y00001', 'Y00002']);
    const s = await openPage(browser);
    try {
      const { page } = s;
      await page.locator('input[name="as-of"]').fill(AS_OF);
      await page.getByLabel('Patients file').setInputFiles(join(scratch, 'both', 'patients.csv'));
      await page.getByLabel(/^Events file/).setInputFiles(join(scratch, 'both', 'events.csv'));
      await page.getByRole('button', { name: 'Read the files' }).click();
      await page.locator('.cf-tile').first().waitFor();
      await page.getByRole('tab', { name: 'Compare practices' }).click();
      await assertTable(page, want);
      const own = await rowsOf(page.locator('#compare-practices table.cf-compare__practices'));
      assert.deepEqual(own.map((r) => r[0]), ['Y00001 (this practice)', 'Y00002 (this practice)']);
      await page.getByLabel('Indicator', { exact: true }).selectOption(BP);
      await assertFunnel(page, runJson(['compare', '--extract', 'both/patients.csv,both/events.csv', '--as-of', AS_OF, '--funnel', BP]),
        ['Y00001', 'Y00002']);
      assertNoNetwork(s.requests);
      assert.deepEqual(s.consoleErrors, []);
    } finally {
      await s.context.close();
    }
  });
});
