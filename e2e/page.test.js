// End-to-end tests of dist/cohort-finder.html, opened from file:// in
// Debian's Chromium. Every count the page shows is checked against the
// native command line's report for the same input and as-of date.
// Run: node --test e2e/   (after scripts/build-page and a release build of the CLI)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { artefacts, axe, launch, nativeCsv, nativeReport, openPage, runDemo, AS_OF, assertNoNetwork } from './browser.js';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;

/** @type {import('playwright-core').Browser} */
let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});


/**
 * Runs `body` on the page opened in a fresh context (with `search` after its
 * address), then checks it made no network request and logged no error.
 * @param {string} search @param {(s: Awaited<ReturnType<typeof openPage>>) => Promise<void>} body
 */
async function inFreshPage(search, body) {
  const s = await openPage(browser, search);
  try {
    await body(s);
    assertNoNetwork(s.requests);
    assert.deepEqual(s.consoleErrors, []);
  } finally {
    await s.context.close();
  }
}

const number = (/** @type {number} */ n) => n.toLocaleString('en-GB');

/** The members of a native report's cohort, for comparisons. @param {any} report @param {string} id */
const members = (report, id) => /** @type {any[]} */ (report.cohorts[id].members);

/** Saves a download the page starts and returns its text. @param {import('playwright-core').Page} page @param {() => Promise<void>} action */
async function download(page, action) {
  const [file] = await Promise.all([page.waitForEvent('download'), action()]);
  const path = `${artefacts}/${file.suggestedFilename()}`;
  await file.saveAs(path);
  return { name: file.suggestedFilename(), text: readFileSync(path, 'utf8') };
}

describe('the demo practice (1,000 patients, seed 42, average deprivation)', () => {
  /** @type {Awaited<ReturnType<typeof openPage>>} */
  let s;
  /** @type {any} the command line's report on the same synthetic practice */
  let native;
  before(async () => {
    native = nativeReport({ synth: { patients: 1000, seed: 42, deprivation: 'average' } });
    s = await openPage(browser);
  });
  after(async () => {
    await s?.context.close();
  });

  test('the start screen: a CSP that forbids connections, no axe violations', async () => {
    await s.page.getByRole('heading', { name: 'Find the people due proactive care' }).waitFor();
    const csp = await s.page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.match(csp ?? '', /connect-src 'none'/);
    assert.match(csp ?? '', /default-src 'none'/);
    assert.match(await s.page.locator('.cf-privacy').innerText(), /Nothing leaves this computer/);
    await s.page.screenshot({ path: `${artefacts}/start.png`, fullPage: true });
    assert.deepEqual(await axe(s.page), []);
  });

  test('the overview: every tile and register equals the command line', async () => {
    await runDemo(s.page, '1,000');
    const tiles = await s.page.locator('.cf-tile').evaluateAll((els) => els.map((el) => ({
      id: /** @type {HTMLElement} */ (el).dataset.cohort,
      count: Number(el.querySelector('[data-count]')?.getAttribute('data-count')),
      text: el.querySelector('.cf-tile__of')?.textContent ?? '',
    })));
    const worklists = Object.entries(native.cohorts).filter(([, c]) => c.kind === 'worklist');
    assert.deepEqual(tiles.map((t) => t.id), worklists.map(([id]) => id));
    for (const tile of tiles) {
      const c = native.cohorts[/** @type {string} */ (tile.id)];
      assert.equal(tile.count, c.count, tile.id);
      assert.ok(tile.text.startsWith(` of ${number(c.eligible)} eligible`), `${tile.id}: ${tile.text}`);
    }
    const registers = await s.page.locator('table:has(caption:text-is("Registers")) tbody tr')
      .evaluateAll((rows) => rows.map((r) => [r.children[0].textContent, r.children[1].textContent]));
    const want = Object.values(native.cohorts).filter((c) => c.kind !== 'worklist').map((c) => [c.title, number(c.count)]);
    assert.deepEqual(registers, want);
    const bands = await s.page.locator('table:has(caption:text-matches("^Long-term condition registers per person")) tbody tr')
      .evaluateAll((rows) => rows.map((r) => [r.children[0].textContent, r.children[1].textContent]));
    const titles = { '0-1': '0 or 1 registers', '2-3': '2 or 3 (multimorbidity)', '4+': '4 or more (complex multimorbidity)' };
    assert.deepEqual(bands, Object.entries(native.multimorbidity.bands)
      .map(([id, n]) => [titles[/** @type {'0-1'} */ (id)], number(/** @type {number} */ (n))]));
    const p = native.population;
    assert.match(await s.page.locator('#population-line').innerText(),
      new RegExp(`^${number(p.current)} registered patients \\(${number(p.loaded)} in the file; ${number(p.deceased)} died`));
    await s.page.screenshot({ path: `${artefacts}/overview.png`, fullPage: true });
    assert.deepEqual(await axe(s.page), []);
  });

  test('inequalities: the IMD quintile and ethnic group tables equal the command line, "not recorded" included', async () => {
    await s.page.getByRole('tab', { name: 'Inequalities' }).click();
    const cell = (/** @type {string} */ caption, /** @type {string} */ row) =>
      s.page.locator(`table:has(caption:has-text("${caption}")) tbody tr:has(th:text-is("${row}")) td`).allInnerTexts();
    const imd = native.breakdowns.imd_quintile;
    assert.deepEqual(await cell('Registered patients by IMD quintile', 'Registered patients'),
      ['1', '2', '3', '4', '5', 'not_recorded'].map((q) => number(imd[q].population)));
    const smi = native.cohorts.smi_health_checks.title;
    assert.deepEqual(await cell('Worklists by IMD quintile', smi),
      ['1', '2', '3', '4', '5', 'not_recorded'].map((q) => {
        const c = imd[q].cohorts.smi_health_checks;
        return `${number(c.count)} of ${number(c.eligible)} (${c.eligible ? Math.round((100 * c.count) / c.eligible) : '–'}${c.eligible ? '%' : ''})`;
      }));
    await s.page.getByLabel('Break down by').selectOption('ethnicity');
    const eth = native.breakdowns.ethnicity;
    assert.deepEqual(await cell('Registered patients by ethnic group', 'Registered patients'),
      ['white', 'mixed', 'asian', 'black', 'other', 'not_recorded'].map((g) => number(eth[g].population)));
    assert.ok(eth.not_recorded.population > 0, 'the demo has people with no ethnicity recorded');
    assert.deepEqual(await axe(s.page), []);
  });

  test('a worklist: its rows, a reasons panel by mouse and by keyboard', async () => {
    const page = s.page;
    await page.getByRole('tab', { name: 'Worklists' }).click();
    await page.getByLabel('Cohort', { exact: true }).selectOption('smi_health_checks');
    const listed = members(native, 'smi_health_checks');
    await page.locator('#worklist-status').filter({ hasText: `${number(listed.length)} people missing a check of ${number(native.cohorts.smi_health_checks.eligible)} eligible` }).waitFor();
    assert.equal(await page.locator('.cf-vtable__row').count(), listed.length);
    // The first row: most checks missing first, then by practice id.
    const missing = (/** @type {any} */ m) => m.checks.filter((/** @type {any} */ c) => c.required && !c.done).length;
    const first = [...listed].sort((a, b) => missing(b) - missing(a) || a.patient_id.localeCompare(b.patient_id))[0];
    await page.locator('.cf-vtable__row').first().locator('td').nth(1).click();
    const panel = page.locator('.cf-reasons-panel');
    await panel.getByRole('heading', { name: `Why ${first.name} is on this list` }).waitFor();
    const text = await panel.innerText();
    for (const reason of first.reasons) {
      assert.ok(text.includes(reason.rule), reason.rule);
      assert.ok(text.includes(reason.code), reason.code);
    }
    assert.equal(await panel.getByText('Missing', { exact: true }).count(), missing(first));
    await page.screenshot({ path: `${artefacts}/worklist-reasons.png`, fullPage: true });
    assert.deepEqual(await axe(page), []);
    // Keyboard: closing returns focus to the row; the down arrow and Enter open the next.
    await panel.getByRole('button', { name: 'Close reasons' }).click();
    assert.equal(await page.evaluate(() => document.activeElement?.closest('tr')?.dataset.index), '0');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await panel.getByRole('heading', { name: /^Why .* is on this list$/ }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'reasons-heading');
  });

  test("filters and search narrow the list as the command line's members say", async () => {
    const page = s.page;
    await page.getByLabel('Cohort', { exact: true }).selectOption('hypertension_register');
    const all = members(native, 'hypertension_register');
    const status = page.locator('#worklist-status');
    await page.getByLabel('IMD quintile (1 = most deprived)', { exact: true }).selectOption('1');
    const q1 = all.filter((m) => m.imd_quintile === 1);
    await status.filter({ hasText: `; ${number(q1.length)} match the filters.` }).waitFor();
    await page.getByLabel('Age band').selectOption('65-79');
    const both = q1.filter((m) => m.age_band === '65-79');
    await status.filter({ hasText: `; ${number(both.length)} match the filters.` }).waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    const someone = all[Math.floor(all.length / 2)];
    await page.getByLabel('Search', { exact: true }).fill(someone.nhs_number);
    await status.filter({ hasText: '; 1 match the filters.' }).waitFor();
    assert.equal(await page.locator('.cf-vtable__row').count(), 1);
    assert.match(await page.locator('.cf-vtable__row').innerText(), new RegExp(someone.name));
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await status.filter({ hasText: /\.$/ }).filter({ hasNotText: 'match the filters' }).waitFor();
  });

  test('exports: a CSV with the chosen columns and the NHS numbers a GP system imports', async () => {
    const page = s.page;
    await page.getByLabel('Cohort', { exact: true }).selectOption('smi_health_checks');
    await page.locator('#worklist-status').filter({ hasText: 'people missing a check' }).waitFor();
    const listed = members(native, 'smi_health_checks');
    await page.getByRole('checkbox', { name: 'Practice patient id' }).check();
    await page.getByRole('checkbox', { name: 'Reasons' }).uncheck();
    const csv = await download(page, () => page.getByRole('button', { name: 'Download CSV' }).click());
    assert.equal(csv.name, `smi_health_checks-${AS_OF}.csv`);
    const lines = csv.text.trimEnd().split('\r\n');
    assert.equal(lines[0], 'patient_id,nhs_number,name,age,missing_checks');
    assert.equal(lines.length, listed.length + 1);
    const ids = lines.slice(1).map((l) => l.split(',')[0]).sort();
    assert.deepEqual(ids, listed.map((m) => m.patient_id).sort());
    const nhs = await download(page, () => page.getByRole('button', { name: 'Download NHS numbers only' }).click());
    const valid = listed.filter((m) => m.nhs_number && m.nhs_number_valid).map((m) => m.nhs_number);
    assert.deepEqual(nhs.text.trimEnd().split('\r\n').sort(), valid.sort());
    await page.getByText(`Saved ${number(valid.length)} NHS numbers`).waitFor();
  });

  test('the print view holds the filtered list', async () => {
    const page = s.page;
    await page.evaluate(() => { window.print = () => {}; });
    await page.getByRole('button', { name: 'Print this list' }).click();
    await page.locator('#print-area tbody tr').first().waitFor({ state: 'attached' });
    assert.equal(await page.locator('#print-area tbody tr').count(), members(native, 'smi_health_checks').length);
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: `${artefacts}/print.png`, fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    await page.evaluate(() => document.body.classList.remove('cf-printing'));
  });

  test("definitions: a cohort's rule and codelist, and a codelist replaced by the user", async () => {
    const page = s.page;
    await page.getByRole('tab', { name: 'Definitions' }).click();
    const ld = page.locator('details[data-cohort="ld_health_check_due"]');
    await ld.locator('summary').click();
    assert.match(await ld.locator('pre').innerText(), /id = "ld_health_check_due"/);
    await ld.getByRole('button', { name: /health check/i }).first().click();
    assert.equal(await page.getByLabel('Codelist', { exact: true }).inputValue(), 'ld_health_check');
    assert.deepEqual(await axe(page), []);
    // Replace the LD health-check list: nobody in the demo has the new code,
    // so everyone eligible is due, as the command line says with --codelist.
    const replacement = `${fixtures}ld-health-check-codes.csv`;
    const replaced = nativeReport({ synth: { patients: 1000, seed: 42, deprivation: 'average' }, args: ['--codelist', `ld_health_check=${replacement}`] });
    await page.getByLabel('Codelist file').setInputFiles(replacement);
    await page.getByRole('button', { name: 'Replace the codelist' }).click();
    const tile = page.locator('.cf-tile[data-cohort="ld_health_check_due"] [data-count]');
    await tile.filter({ hasText: number(replaced.cohorts.ld_health_check_due.count) }).waitFor();
    assert.equal(replaced.cohorts.ld_health_check_due.count, replaced.cohorts.ld_health_check_due.eligible);
    assert.notEqual(replaced.cohorts.ld_health_check_due.count, native.cohorts.ld_health_check_due.count);
    await page.getByRole('tab', { name: 'Definitions' }).click();
    await page.getByText('Your own codelists are in use').waitFor();
    await page.getByRole('button', { name: 'Go back to the built-in codelists' }).click();
    await tile.filter({ hasText: number(native.cohorts.ld_health_check_due.count) }).waitFor();
  });

  test("a setting changed in the page gives the command line's lists with --set; a bad one is refused", async () => {
    const page = s.page;
    const synth = { patients: 1000, seed: 42, deprivation: 'average' };
    const adults = nativeReport({ synth, args: ['--set', 'ld_health_check_min_age=18', '--set', 'case_finding_min_age=45'] });
    await page.getByRole('tab', { name: 'Definitions' }).click();
    await page.getByLabel('Learning disability annual health check: minimum age').fill('18');
    await page.getByLabel('Hypertension case-finding: minimum age').fill('45');
    await page.getByRole('button', { name: 'Draw the lists up with these settings' }).click();
    const tile = (/** @type {string} */ id) => page.locator(`.cf-tile[data-cohort="${id}"] .cf-tile__of`);
    await tile('hypertension_case_finding').filter({ hasText: ` of ${number(adults.cohorts.hypertension_case_finding.eligible)} eligible` }).waitFor();
    const counts = await page.locator('.cf-tile').evaluateAll((els) => els.map((el) =>
      [/** @type {HTMLElement} */ (el).dataset.cohort, Number(el.querySelector('[data-count]')?.getAttribute('data-count'))]));
    assert.deepEqual(counts, Object.entries(adults.cohorts).filter(([, c]) => c.kind === 'worklist').map(([id, c]) => [id, c.count]));
    assert.notEqual(adults.cohorts.hypertension_case_finding.eligible, native.cohorts.hypertension_case_finding.eligible);
    // A window the engine cannot read: the error names it, and the lists stay as they were.
    await page.getByRole('tab', { name: 'Definitions' }).click();
    await page.getByLabel('SMI physical health checks: counts if done').fill('a fortnight');
    await page.getByRole('button', { name: 'Draw the lists up with these settings' }).click();
    await page.locator('.nhsuk-error-summary').filter({ hasText: 'a fortnight' }).waitFor();
    assert.equal(await page.locator('.cf-tile[data-cohort="hypertension_case_finding"] [data-count]').innerText(),
      number(adults.cohorts.hypertension_case_finding.count));
    await page.getByLabel('SMI physical health checks: counts if done').fill('12 months');
    await page.getByLabel('Learning disability annual health check: minimum age').fill('14');
    await page.getByLabel('Hypertension case-finding: minimum age').fill('40');
    await page.getByRole('button', { name: 'Draw the lists up with these settings' }).click();
    await tile('hypertension_case_finding').filter({ hasText: ` of ${number(native.cohorts.hypertension_case_finding.eligible)} eligible` }).waitFor();
  });

  test('a new as-of date redraws the lists as the command line does', async () => {
    const earlier = nativeReport({ synth: { patients: 1000, seed: 42, deprivation: 'average' }, asOf: '2025-06-30' });
    await s.page.locator('#as-of-again').fill('2025-06-30');
    await s.page.getByRole('button', { name: 'Redraw' }).click();
    await s.page.getByRole('heading', { name: 'Lists as of 30 June 2025' }).waitFor();
    const counts = await s.page.locator('.cf-tile').evaluateAll((els) => els.map((el) =>
      [/** @type {HTMLElement} */ (el).dataset.cohort, Number(el.querySelector('[data-count]')?.getAttribute('data-count'))]));
    assert.deepEqual(counts, Object.entries(earlier.cohorts).filter(([, c]) => c.kind === 'worklist').map(([id, c]) => [id, c.count]));
  });

  test('no request but the file itself, no console errors, nothing stored', async () => {
    assertNoNetwork(s.requests);
    assert.deepEqual(s.consoleErrors, []);
    const stored = await s.page.evaluate(() => ({ local: Object.keys(localStorage), session: Object.keys(sessionStorage) }));
    assert.deepEqual(stored, { local: [], session: [] });
  });
});

describe('files chosen with the file inputs', () => {
  test('the input check and every count equal the command line on the same files', async () => {
    const native = nativeReport({ cwd: fixtures, patients: 'patients.csv', events: ['events.csv'] });
    await inFreshPage('', async (s) => {
      const { page } = s;
      await page.locator('input[name="as-of"]').fill(AS_OF);
      await page.getByLabel('Patients file').setInputFiles(`${fixtures}patients.csv`);
      await page.getByLabel(/^Events file/).setInputFiles(`${fixtures}events.csv`);
      await page.getByRole('button', { name: 'Read the files' }).click();
      await page.locator('.cf-tile').first().waitFor();
      const tiles = await page.locator('.cf-tile [data-count]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));
      assert.deepEqual(tiles, Object.values(native.cohorts).filter((c) => c.kind === 'worklist').map((c) => c.count));
      await page.getByRole('tab', { name: 'Input check' }).click();
      const rows = await page.locator('table:has(caption:text-is("Rows (or FHIR resources) in each file")) tbody tr')
        .evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent)));
      assert.deepEqual(rows, Object.values(native.input).map((f) =>
        [f.file, f.kind === 'patients' ? 'Patients' : 'Events', ...[f.read, f.accepted, f.rejected, 0, f.warnings].map(String)]));
      // Every code in the fixtures is in a codelist, or listed as read by no rule.
      const unmapped = await page.locator('#unmapped-codes').innerText();
      assert.ok(native.unmapped_codes.unmapped === 0 ? unmapped.includes('is in a codelist a rule reads')
        : native.unmapped_codes.shown.every((/** @type {any} */ c) => unmapped.includes(c.code)), unmapped);
      const check = await page.locator('#input-check').innerText();
      for (const f of Object.values(native.input)) {
        for (const d of f.diagnostics) assert.ok(check.includes(d.message), d.message);
      }
      assert.ok(Object.values(native.input).some((f) => f.diagnostics.length >= 2), 'the fixtures have problems to show');
      assert.deepEqual(await axe(page), []);
    });
  });

  test('headers that do not match: the mapping editor, remembered without any patient data', async () => {
    const dir = `${fixtures}renamed/`;
    const native = nativeReport({ cwd: dir, patients: 'practice-patients.csv', events: ['practice-events.csv'], args: ['--mapping', 'mapping.toml'] });
    await inFreshPage('', async (s) => {
      const { page } = s;
      await page.locator('input[name="as-of"]').fill(AS_OF);
      await page.getByLabel('Patients file').setInputFiles(`${dir}practice-patients.csv`);
      await page.getByLabel(/^Events file/).setInputFiles(`${dir}practice-events.csv`);
      await page.getByRole('button', { name: 'Read the files' }).click();
      await page.locator('.nhsuk-error-summary').filter({ hasText: 'No patients were read' }).waitFor();
      const editor = page.locator('#mapping-editor');
      assert.equal(await editor.getAttribute('open'), '');
      await page.screenshot({ path: `${artefacts}/mapping-editor.png`, fullPage: true });
      assert.deepEqual(await axe(page), []);
      await editor.locator('select[name="patients.patient_id"]').selectOption('Ident');
      await editor.locator('select[name="patients.date_of_birth"]').selectOption('Born on');
      await editor.locator('select[name="events.patient_id"]').selectOption('Ident');
      await editor.locator('select[name="events.code"]').selectOption('Concept');
      await editor.locator('select[name="events.date"]').selectOption('When');
      await page.getByRole('button', { name: 'Read the files again with these columns' }).click();
      await page.locator('#population-line').filter({ hasText: `${native.population.current} registered patients` }).waitFor();
      const tiles = await page.locator('.cf-tile [data-count]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));
      assert.deepEqual(tiles, Object.values(native.cohorts).filter((c) => c.kind === 'worklist').map((c) => c.count));
      const stored = await page.evaluate(() => Object.fromEntries(Object.entries(localStorage)));
      assert.deepEqual(Object.keys(stored), ['cohort-finder.column-mapping.v1']);
      assert.deepEqual(JSON.parse(stored['cohort-finder.column-mapping.v1']), {
        patients: { patient_id: 'Ident', date_of_birth: 'Born on', imd_decile: 'Deprivation decile', sex: 'Gender' },
        events: { patient_id: 'Ident', code: 'Concept', date: 'When', value: 'Result', unit: 'Units' },
      });
    });
  });
});

describe('the address', () => {
  test('?demo=1000&deprivation=deprived draws up the demo practice on opening; its equity audit equals the command line', async () => {
    const native = nativeReport({ synth: { patients: 1000, seed: 42, deprivation: 'deprived' } });
    await inFreshPage(`?demo=1000&deprivation=deprived&as-of=${AS_OF}`, async (s) => {
      await s.page.locator('.cf-tile').first().waitFor();
      assert.match(await s.page.locator('#loaded-practice').innerText(), /1,000 made-up patients, deprived deprivation profile/);
      assert.equal(await s.page.locator('#start-area').isHidden(), true);
      const tiles = await s.page.locator('.cf-tile [data-count]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));
      assert.deepEqual(tiles, Object.values(native.cohorts).filter((c) => c.kind === 'worklist').map((c) => c.count));
      // The health equity audit of the SMI checks on this deprived practice.
      const page = s.page;
      await page.getByRole('tab', { name: 'Equity audit' }).click();
      assert.equal(await page.getByLabel('Measure').inputValue(), 'smi_health_checks.all_required');
      const m = native.equity.find((/** @type {any} */ x) => x.id === 'smi_health_checks.all_required');
      const pc = (/** @type {number | null} */ x) => (x === null ? '–' : `${(100 * x).toFixed(1)}%`);
      const rows = await page.locator('#equity table tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent)));
      const quintiles = Object.entries(m.by.imd_quintile);
      assert.deepEqual(rows, [['All', m.total], ...quintiles.map(([q, r]) => [q === 'not_recorded' ? 'Not recorded' : `Quintile ${q}`, r])]
        .map(([g, r]) => [g, number(r.numerator), number(r.denominator), pc(r.rate), r.low === null ? '–' : `${pc(r.low)} to ${pc(r.high)}`]));
      const gap = await page.locator('#equity-gap').innerText();
      assert.ok(m.deprivation_gap
        ? gap.startsWith(`Most deprived fifth (IMD quintile 1) ${pc(m.deprivation_gap.most_deprived)}`)
        : gap.startsWith('No gap can be given'), gap);
      await page.screenshot({ path: `${artefacts}/equity-smi-deprived.png`, fullPage: true });
      assert.deepEqual(await axe(page), []);
      const csv = await download(page, () => page.getByRole('button', { name: 'Download the whole audit (CSV)' }).click());
      assert.equal(csv.text, nativeCsv({ synth: { patients: 1000, seed: 42, deprivation: 'deprived' } }, 'equity.csv'));
    });
  });
});

describe('a long list (demo practice of 10,000)', () => {
  test('only the rows in view are drawn, and the end of the list is the right person', async () => {
    const native = nativeReport({ synth: { patients: 10000, seed: 42, deprivation: 'average' } });
    await inFreshPage('', async (s) => {
      const { page } = s;
      await runDemo(page, '10,000', 120_000);
      await page.getByRole('tab', { name: 'Worklists' }).click();
      await page.getByLabel('Cohort', { exact: true }).selectOption('hypertension_register');
      const listed = members(native, 'hypertension_register');
      assert.ok(listed.length > 1000, `${listed.length} on the register`);
      await page.locator('#worklist-status').filter({ hasText: `${number(listed.length)} people of` }).waitFor();
      // Sorted by age, oldest first (by practice id on a tie): the last row is the youngest.
      const byAge = [...listed].sort((a, b) => b.age - a.age || a.patient_id.localeCompare(b.patient_id));
      const [oldest, last] = [byAge[0], byAge.at(-1)];
      await page.getByRole('button', { name: 'Age' }).click();
      await page.getByRole('button', { name: 'Age' }).click();
      assert.equal(await page.locator('th[data-sort="age"]').getAttribute('aria-sort'), 'descending');
      await page.locator('.cf-vtable__row[aria-rowindex="2"]').filter({ hasText: oldest.name }).waitFor();
      await page.locator('.cf-vtable').evaluate((el) => { el.scrollTop = el.scrollHeight; });

      const lastRow = page.locator(`.cf-vtable__row[aria-rowindex="${listed.length + 1}"]`);
      await lastRow.filter({ hasText: last.name }).waitFor();
      assert.ok(await page.locator('.cf-vtable__row').count() <= 40, 'a window of rows, not the whole list');
    });
  });
});
