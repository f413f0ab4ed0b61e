// End-to-end tests of the other exports: FHIR R4 files, and a report with
// one row a patient read through the mapping screen, each checked against
// the native command line's report for the same files.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AS_OF, artefacts, assertNoNetwork, axe, launch, nativeAnalyse, openPage, saveDownload } from './browser.js';

const fixtures = fileURLToPath(new URL('../tests/fixtures/', import.meta.url));
const FHIR = ['bulk/AllergyIntolerance.ndjson', 'bulk/Condition.ndjson', 'bulk/MedicationRequest.ndjson', 'bulk/Observation.ndjson',
  'bulk/Patient.ndjson', 'international_bundle.json', 'mixed.ndjson', 'uk_core_bundle.json'].map((f) => join(fixtures, 'fhir', f));
const WIDE = join(fixtures, 'wide', 'smi-report.csv');
const PROFILE = join(fixtures, 'wide', 'smi-report.toml');

/** @type {import('playwright-core').Browser} */
let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const number = (/** @type {number} */ n) => n.toLocaleString('en-GB');

/** Each worklist tile's count, by cohort id. @param {import('playwright-core').Page} page */
const tiles = (page) => page.locator('.cf-tile').evaluateAll((els) =>
  Object.fromEntries(els.map((el) => [/** @type {HTMLElement} */ (el).dataset.cohort, Number(el.querySelector('[data-count]')?.getAttribute('data-count'))])));

/** The native report's worklist counts, by cohort id. @param {any} report */
const nativeTiles = (report) => Object.fromEntries(Object.entries(report.cohorts)
  .filter(([, c]) => /** @type {any} */ (c).kind === 'worklist').map(([id, c]) => [id, /** @type {any} */ (c).count]));

/** Opens the page as of AS_OF. */
async function fresh() {
  const s = await openPage(browser);
  await s.page.locator('input[name="as-of"]').fill(AS_OF);
  return s;
}

test('FHIR files (bulk NDJSON, Bundles, mixed) give the command line’s lists, resources and unmapped codes', async () => {
  const native = nativeAnalyse(['--fhir', ...FHIR]);
  const s = await fresh();
  try {
    const { page } = s;
    await page.getByLabel('FHIR R4 files').setInputFiles(FHIR);
    await page.getByRole('button', { name: 'Read the FHIR files' }).click();
    await page.locator('.cf-tile').first().waitFor({ timeout: 60_000 });
    assert.deepEqual(await tiles(page), nativeTiles(native));
    assert.equal(native.population.loaded, 10);
    assert.match(await page.locator('#population-line').innerText(), new RegExp(`\\(${number(native.population.loaded)} in the file`));

    await page.getByRole('tab', { name: 'Input check' }).click();
    const unmapped = await page.locator('.cf-unmapped__table tbody tr').evaluateAll((rows) =>
      rows.map((r) => Array.from(r.querySelectorAll('th, td')).map((c) => (c.textContent ?? '').trim())));
    assert.deepEqual(unmapped, native.unmapped_codes.shown.map((/** @type {any} */ c) =>
      [c.code, c.system, c.term ?? '', number(c.events), number(c.people)]));
    assert.ok(unmapped.length >= 3, 'the corpus has codes no rule reads');
    // Every FHIR file has its resources counted.
    assert.equal(await page.locator('.cf-fhir-file').count(), FHIR.length);
    const uk = page.locator('.cf-fhir-file').filter({ hasText: 'uk_core_bundle.json: a transaction Bundle' });
    assert.equal(await uk.count(), 1);
    assert.match(await uk.innerText(), /Skipped, and counted: .*unknown resource type: 1/);
    assert.equal(await page.locator('#mapping-editor').count(), 0, 'no CSV column mapping for FHIR files');
    await page.screenshot({ path: `${artefacts}/fhir-input-check.png`, fullPage: true });
    assertNoNetwork(s.requests);
    assert.deepEqual(s.consoleErrors, []);
  } finally {
    await s.context.close();
  }
});

test('a report of one row a patient: the mapping screen suggests, loads a saved profile, and reads it as the command line does', async () => {
  const native = nativeAnalyse(['--wide', WIDE, '--profile', PROFILE]);
  const s = await fresh();
  try {
    const { page } = s;
    await page.getByLabel('A report with one row a patient').setInputFiles(WIDE);
    await page.getByRole('button', { name: 'Choose what the columns hold' }).click();
    await page.locator('#wide-columns tbody tr').first().waitFor();
    assert.equal(await page.locator('#wide-columns tbody tr').count(), 14);
    // Suggested from the headers.
    assert.equal(await page.getByLabel('What On SMI register holds').inputValue(), 'flag');
    assert.equal(await page.getByLabel('Which, for On SMI register').inputValue(), 'smi');
    assert.equal(await page.getByLabel('What Date of Birth holds').inputValue(), 'patient');
    assert.equal(await page.getByLabel('Which, for Date of Birth').inputValue(), 'date_of_birth');
    assert.equal(await page.getByLabel('What Practice notes holds').inputValue(), '');
    assert.deepEqual(await axe(page), []);

    // A flag with no date and no report date cannot be read: the screen says so.
    await page.getByLabel('What SMI diagnosis date holds').selectOption('');
    await page.getByRole('button', { name: 'Read the report' }).click();
    const problem = page.locator('#wide-problems .nhsuk-error-summary');
    await problem.waitFor();
    assert.match(await problem.innerText(), /'On SMI register' is a flag with no date column for smi: give the report's date/);

    // The saved profile fills the screen, and names the column this file lacks.
    await page.getByLabel('Start from a saved profile (optional)').setInputFiles(PROFILE);
    await page.getByText('Loaded smi-report.toml.').waitFor();
    assert.match(await page.locator('.cf-wide').innerText(), /also names 'Cholesterol date', which this file does not have/);
    assert.equal(await page.getByLabel('The day the report was run').inputValue(), '2026-11-20');
    assert.equal(await page.getByLabel('What SMI diagnosis date holds').inputValue(), 'date');
    // Fields the profile leaves to their usual names are shown as the engine finds them.
    assert.equal(await page.getByLabel('Which, for NHS Number').inputValue(), 'nhs_number');
    assert.equal(await page.getByLabel('Which, for Gender').inputValue(), 'sex');
    await page.screenshot({ path: `${artefacts}/wide-mapping.png`, fullPage: true });

    const saved = await saveDownload(page, () => page.getByRole('button', { name: 'Save this profile' }).click());
    assert.equal(saved.name, 'smi-physical-health-checks-one-row-a-patient-profile.toml');
    assert.match(saved.text, /^name = "SMI physical health checks \(one row a patient\)"\nreport_date = "2026-11-20"\n/);
    assert.ok(saved.text.includes('header = "Latest BP value"\nkind = "value"\ncluster = "bp"'), saved.text);
    assert.ok(!saved.text.includes('Cholesterol date'), 'only the columns of this file');

    await page.getByRole('button', { name: 'Read the report' }).click();
    await page.locator('.cf-tile').first().waitFor({ timeout: 60_000 });
    assert.deepEqual(await tiles(page), nativeTiles(native));
    assert.equal(native.cohorts.smi_health_checks.count, 3);
    await page.getByRole('tab', { name: 'Input check' }).click();
    const rows = await page.locator('#input-check table').first().locator('tbody tr').first().innerText();
    assert.match(rows, /smi-report\.csv\s+Report \(one row a patient\)\s+7\s+5\s+2/);

    // The profile is remembered for the next report, in this browser only.
    const again = await s.context.newPage();
    await again.goto(page.url());
    await again.getByLabel('A report with one row a patient').setInputFiles(WIDE);
    await again.getByRole('button', { name: 'Choose what the columns hold' }).click();
    await again.locator('#wide-columns tbody tr').first().waitFor();
    assert.equal(await again.getByLabel('Name of this profile').inputValue(), 'SMI physical health checks (one row a patient)');
    assert.equal(await again.getByLabel('What SMI diagnosis date holds').inputValue(), 'date');
    const stored = await again.evaluate(() => Object.keys(localStorage));
    assert.deepEqual(stored.sort(), ['cohort-finder.wide-profile.v1']);
    const text = await again.evaluate(() => localStorage.getItem('cohort-finder.wide-profile.v1') ?? '');
    assert.ok(!/W1|9434765919|1970-05-01/.test(text), 'no patient data in the profile');
    assertNoNetwork(s.requests);
    assert.deepEqual(s.consoleErrors, []);
  } finally {
    await s.context.close();
  }
});
