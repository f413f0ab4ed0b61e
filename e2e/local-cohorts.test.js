// End-to-end tests of the Local cohorts tab: a cohort defined in the page's
// form is a rule file the native command line reads with --rules, and gives
// the same counts; files round-trip through export and import; a file the
// engine refuses is named with its key, and the cohorts in use stay.
// Run: node --test e2e/local-cohorts.test.js   (after scripts/build-page and a release build of the CLI)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { artefacts, axe, launch, nativeReport, openPage, runDemo, assertNoNetwork } from './browser.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'target', 'release', 'cohort-finder');
const synth = { patients: 1000, seed: 42, deprivation: 'average' };
const scratch = mkdtempSync(join(tmpdir(), 'cohort-finder-local-'));

/** @type {import('playwright-core').Browser} */
let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});


/** A built-in cluster's codes, as the command line lists them. @param {string} cluster */
function clusterCodes(cluster) {
  const csv = execFileSync(cli, ['definitions', '--cluster', cluster]).toString().trim().split('\n').slice(1);
  return csv.map((line) => line.split(',')[0]);
}

/** Saves a download the page starts and returns its name, path and text. @param {import('playwright-core').Page} page @param {() => Promise<void>} action */
async function download(page, action) {
  const [file] = await Promise.all([page.waitForEvent('download'), action()]);
  const path = join(artefacts, file.suggestedFilename());
  await file.saveAs(path);
  return { name: file.suggestedFilename(), path, text: readFileSync(path, 'utf8') };
}

/** The worklist tiles as [cohort id, count]. @param {import('playwright-core').Page} page */
const tiles = (page) => page.locator('.cf-tile').evaluateAll((els) => els.map((el) =>
  [/** @type {HTMLElement} */ (el).dataset.cohort, Number(el.querySelector('[data-count]')?.getAttribute('data-count'))]));

/** The registers table as [title, count text]. @param {import('playwright-core').Page} page */
const registers = (page) => page.locator('table:has(caption:text-is("Registers")) tbody tr')
  .evaluateAll((rows) => rows.map((r) => [r.children[0].textContent, r.children[1].textContent]));

const number = (/** @type {number} */ n) => n.toLocaleString('en-GB');

describe('local cohorts on the demo practice (1,000 patients, seed 42, average deprivation)', () => {
  /** @type {Awaited<ReturnType<typeof openPage>>} */
  let s;
  /** @type {string} the first cohort's exported file */
  let firstFile = '';
  const first = { id: 'hyp_codes_40_79_no_diabetes', title: 'Hypertension codes, aged 40 to 79, not on the diabetes register' };
  const second = { id: 'women_hyp_register', title: 'Women with a hypertension code (local register)' };

  before(async () => {
    s = await openPage(browser);
    await runDemo(s.page, '1,000');
    await s.page.getByRole('tab', { name: 'Local cohorts' }).click();
  });
  after(async () => {
    await s?.context.close();
  });

  test('the form, empty and with its errors: no axe violations, errors link to their fields', async () => {
    const page = s.page;
    await page.getByRole('heading', { name: 'Define a cohort' }).waitFor();
    assert.match(await page.locator('#local-cohorts').innerText(), /Export the file to keep it/);
    assert.deepEqual(await axe(page), []);
    // Nothing filled in: the error summary names each field, and its links go to them.
    await page.getByRole('button', { name: 'Save and draw up the lists' }).click();
    const summary = page.locator('#local-cohorts .nhsuk-error-summary');
    await summary.getByRole('link', { name: 'Enter an id for the cohort' }).waitFor();
    await summary.getByRole('link', { name: 'Enter a title for the cohort' }).waitFor();
    await summary.getByRole('link', { name: /^Give at least one criterion/ }).waitFor();
    await summary.getByRole('link', { name: 'Enter an id for the cohort' }).click();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'local-id');
    // A built-in cohort's id is refused.
    await page.getByLabel('Cohort id', { exact: true }).fill('diabetes_register');
    await page.getByRole('button', { name: 'Save and draw up the lists' }).click();
    await summary.getByRole('link', { name: '“diabetes_register” is a built-in cohort’s id: choose another' }).waitFor();
    assert.equal(await page.locator('#local-about .nhsuk-error-message').first().textContent(),
      'Error: “diabetes_register” is a built-in cohort’s id: choose another');
    await page.screenshot({ path: `${artefacts}/local-cohorts-errors.png`, fullPage: true });
    assert.deepEqual(await axe(page), []);
    await page.getByRole('button', { name: 'Clear the form' }).click();
    assert.equal(await summary.count(), 0);
  });

  test('pasted codes, an age range and "not on a cohort": the count equals the command line with --rules', async () => {
    const page = s.page;
    const codes = clusterCodes('hyp');
    assert.ok(codes.length > 5, 'the hypertension cluster has codes');
    await page.getByLabel('Cohort id', { exact: true }).fill(first.id);
    await page.getByLabel('Title', { exact: true }).fill(first.title);
    await page.getByLabel('Description (optional)').fill('A test of the form: "quoted", with a backslash \\ and a second line\nhere.');
    await page.locator('#local-coded').getByLabel('Codes', { exact: true })
      .fill(codes.map((c, i) => (i % 2 ? c : `${c}, Term ${i}, with a comma`)).join('\n'));
    await page.getByLabel('Aged from', { exact: true }).fill('40');
    await page.getByLabel('Aged up to and including', { exact: true }).fill('79');
    await page.locator('#local-not').getByRole('checkbox', { name: /\(diabetes_register\)$/ }).check();
    const preview = await page.locator('#local-preview').innerText();
    assert.match(preview, /\{ age_min = 40, age_max = 79 \}/);
    assert.match(preview, /\{ not = \{ cohort = "diabetes_register" \} \}/);
    assert.match(preview, /description = "A test of the form: \\"quoted\\", with a backslash \\\\ and a second line\\nhere\."/);

    const exported = await download(page, () => page.getByRole('button', { name: 'Export definition file' }).click());
    assert.equal(exported.name, `${first.id}.toml`);
    assert.equal(exported.text, `${preview}\n`.replace(/\n+$/, '\n'));
    firstFile = exported.path;
    const native = nativeReport({ synth, args: ['--rules', exported.path] });
    const want = native.cohorts[first.id];
    assert.ok(want, 'the command line reads the exported file');
    assert.equal(want.kind, 'worklist');
    assert.ok(want.count > 0, `${want.count} people on the new list`);

    await page.getByRole('button', { name: 'Save and draw up the lists' }).click();
    await page.locator('.nhsuk-notification-banner').filter({ hasText: `Saved ${first.id}.toml` }).waitFor();
    assert.equal(await page.locator('#local-files tbody tr').count(), 1);
    assert.deepEqual(await tiles(page),
      Object.entries(native.cohorts).filter(([, c]) => c.kind === 'worklist').map(([id, c]) => [id, c.count]));
    const tile = page.locator(`.cf-tile[data-cohort="${first.id}"]`);
    assert.equal(Number(await tile.locator('[data-count]').getAttribute('data-count')), want.count);
    assert.ok((await tile.locator('.cf-tile__of').textContent())?.startsWith(` of ${number(want.eligible)} eligible`));
    // Its rule is among the definitions, from the file it came from.
    await page.getByRole('tab', { name: 'Definitions' }).click();
    const details = page.locator(`details[data-cohort="${first.id}"]`);
    await details.locator('summary').click();
    assert.match(await details.innerText(), new RegExp(`Defined in ${first.id}\\.toml`));
    await page.getByRole('tab', { name: 'Local cohorts' }).click();
    await page.screenshot({ path: `${artefacts}/local-cohorts-saved.png`, fullPage: true });
    assert.deepEqual(await axe(page), []);
  });

  test('a register from a CSV of codes: export then import round-trips the same text', async () => {
    const page = s.page;
    await page.getByRole('button', { name: 'Clear the form' }).click();
    const csv = join(scratch, 'hypertension-codes.csv');
    const codes = clusterCodes('hyp');
    writeFileSync(csv, `code,term\r\n${codes.map((c) => `${c},"Hypertension, code ${c}"`).join('\r\n')}\r\n`);
    await page.getByLabel('Cohort id', { exact: true }).fill(second.id);
    await page.getByLabel('Title', { exact: true }).fill(second.title);
    await page.getByLabel('Register', { exact: true }).check();
    await page.getByLabel('Add codes from a CSV file').setInputFiles(csv);
    await page.getByText(`Added ${number(codes.length)} codes from hypertension-codes.csv.`).waitFor();
    await page.locator('#local-who').getByLabel('Female', { exact: true }).check();
    const exported = await download(page, () => page.getByRole('button', { name: 'Export definition file' }).click());
    assert.match(exported.text, /kind = "register"/);
    assert.match(exported.text, /\{ sex = "female" \}/);
    assert.match(exported.text, /term = "Hypertension, code /);

    await page.getByRole('button', { name: 'Clear the form' }).click();
    await page.getByLabel('Definition file (.toml)').setInputFiles(exported.path);
    await page.getByRole('button', { name: 'Import definition file' }).click();
    await page.locator('.nhsuk-notification-banner').filter({ hasText: `Imported ${second.id}.toml` }).waitFor();
    const again = await download(page, () => page.locator(`#local-files tr[data-file="${second.id}.toml"]`)
      .getByRole('button', { name: 'Export' }).click());
    assert.equal(again.name, exported.name);
    assert.equal(again.text, exported.text);

    const native = nativeReport({ synth, args: ['--rules', firstFile, '--rules', exported.path] });
    assert.ok(native.cohorts[second.id].count > 0);
    assert.deepEqual(await registers(page),
      Object.values(native.cohorts).filter((c) => c.kind !== 'worklist').map((c) => [c.title, number(c.count)]));
    assert.deepEqual(await tiles(page),
      Object.entries(native.cohorts).filter(([, c]) => c.kind === 'worklist').map(([id, c]) => [id, c.count]));
  });

  test('a file the engine refuses: its message names the file and the key, and the cohorts in use stay', async () => {
    const page = s.page;
    const before = await tiles(page);
    const beforeRegisters = await registers(page);
    const bad = join(scratch, 'bad-window.toml');
    writeFileSync(bad, [
      '[[cohort]]',
      'id = "bad_window"',
      'title = "A window the engine cannot read"',
      'eligible = { all = [',
      '  { age_min = 18 },',
      '  { coded = ["hyp"], within = "fortnight" },',
      '] }',
      '',
    ].join('\n'));
    await page.getByLabel('Definition file (.toml)').setInputFiles(bad);
    await page.getByRole('button', { name: 'Import definition file' }).click();
    const summary = page.locator('#local-cohorts .nhsuk-error-summary');
    await summary.filter({ hasText: "bad-window.toml: cohort[0].eligible.all[1].within: 'fortnight' is not a window" }).waitFor();
    assert.ok(await summary.evaluate((el) => el.contains(document.activeElement)), 'the error summary has focus');
    assert.deepEqual(await page.locator('#local-files tbody tr').evaluateAll((rows) => rows.map((r) => /** @type {HTMLElement} */ (r).dataset.file)),
      [`${first.id}.toml`, `${second.id}.toml`]);
    assert.deepEqual(await tiles(page), before);
    assert.deepEqual(await registers(page), beforeRegisters);
    assert.ok(before.some(([id]) => id === first.id));
    await page.screenshot({ path: `${artefacts}/local-cohorts-bad-import.png`, fullPage: true });
    assert.deepEqual(await axe(page), []);
    // The practice still redraws with the last good rules.
    const redrawn = nativeReport({ synth, asOf: '2026-06-30', args: ['--rules', firstFile] });
    await page.locator('#as-of-again').fill('2026-06-30');
    await page.getByRole('button', { name: 'Redraw' }).click();
    await page.getByRole('heading', { name: 'Lists as of 30 June 2026' }).waitFor();
    const tile = await page.locator(`.cf-tile[data-cohort="${first.id}"] [data-count]`).getAttribute('data-count');
    assert.equal(Number(tile), redrawn.cohorts[first.id].count);
  });

  test('a saved cohort is edited again from its file, and a file removed takes its cohort off the lists', async () => {
    const page = s.page;
    await page.locator('#as-of-again').fill('2026-11-23');
    await page.getByRole('button', { name: 'Redraw' }).click();
    await page.getByRole('heading', { name: 'Lists as of 23 November 2026' }).waitFor();
    await page.getByRole('tab', { name: 'Local cohorts' }).click();
    await page.locator(`#local-files tr[data-file="${first.id}.toml"]`).getByRole('button', { name: 'Edit' }).click();
    assert.equal(await page.getByLabel('Cohort id', { exact: true }).inputValue(), first.id);
    await page.getByText(`Editing ${first.id}.toml`).waitFor();
    await page.getByLabel('Aged from', { exact: true }).fill('50');
    await page.getByRole('button', { name: 'Save and draw up the lists' }).click();
    await page.locator('.nhsuk-notification-banner').filter({ hasText: `Saved ${first.id}.toml` }).waitFor();
    const edited = await page.locator('#local-preview').innerText();
    assert.match(edited, /\{ age_min = 50, age_max = 79 \}/);
    const file = join(scratch, `${first.id}.toml`);
    writeFileSync(file, `${edited}\n`.replace(/\n+$/, '\n'));
    const native = nativeReport({ synth, args: ['--rules', file] });
    assert.equal(Number(await page.locator(`.cf-tile[data-cohort="${first.id}"] [data-count]`).getAttribute('data-count')),
      native.cohorts[first.id].count);

    await page.locator(`#local-files tr[data-file="${second.id}.toml"]`).getByRole('button', { name: 'Remove' }).click();
    await page.locator('.nhsuk-notification-banner').filter({ hasText: `Removed ${second.id}.toml` }).waitFor();
    assert.deepEqual(await registers(page),
      Object.values(native.cohorts).filter((c) => c.kind !== 'worklist').map((c) => [c.title, number(c.count)]));
    await page.locator(`#local-files tr[data-file="${first.id}.toml"]`).getByRole('button', { name: 'Remove' }).click();
    await page.locator('#local-files-none').waitFor();
    assert.equal(await page.locator(`.cf-tile[data-cohort="${first.id}"]`).count(), 0);
  });

  test('no request but the file itself, no console errors, nothing stored', async () => {
    assertNoNetwork(s.requests);
    assert.deepEqual(s.consoleErrors, []);
    const stored = await s.page.evaluate(() => ({ local: Object.keys(localStorage), session: Object.keys(sessionStorage) }));
    assert.deepEqual(stored, { local: [], session: [] });
  });
});
