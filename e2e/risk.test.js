// End-to-end tests of the Risk tiers tab: the emergency-admission model
// fitted in the page's worker, its model card against the native command
// line's for the same practice, the tier filter on the worklists, and the
// refusal for a practice with too few admissions.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AS_OF, artefacts, assertNoNetwork, axe, launch, nativeReport, nativeRisk, openPage, saveDownload } from './browser.js';

/** @type {import('playwright-core').Browser} */
let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const number = (/** @type {number} */ n) => n.toLocaleString('en-GB');
const pc = (/** @type {number} */ x) => `${(100 * x).toFixed(1)}%`;

/** The rows of a table (header cells included) as text. @param {import('playwright-core').Locator} table */
const tableRows = (table) => table.locator('tbody tr').evaluateAll((rows) =>
  rows.map((r) => Array.from(r.querySelectorAll('th, td')).map((c) => (c.textContent ?? '').trim())));

describe('the model card of a demo practice of 10,000 (seed 42)', () => {
  const synth = { patients: 10000, seed: 42, deprivation: 'average' };
  /** @type {any} */
  let native;
  /** @type {Awaited<ReturnType<typeof openPage>>} */
  let s;
  before(async () => {
    const risk = nativeRisk(synth);
    assert.ok('card' in risk, 'the command line fits this practice');
    native = { ...risk, report: nativeReport({ synth }) };
    s = await openPage(browser, `?demo=10000&as-of=${AS_OF}`);
    await s.page.locator('.cf-tile').first().waitFor({ timeout: 120_000 });
  });
  after(async () => {
    await s?.context.close();
  });

  test('opening Risk tiers fits the model in the worker, and the card is the command line’s', async () => {
    const { page } = s;
    await page.getByRole('tab', { name: 'Risk tiers' }).click();
    await page.locator('#risk-auroc').waitFor({ timeout: 60_000 });
    const { card } = native;
    assert.equal(await page.locator('#risk-auroc').textContent(), card.validation.auroc.toFixed(3));
    const metrics = await page.locator('#risk-metrics').textContent();
    assert.ok(metrics?.includes(card.validation.brier.toFixed(3)), metrics ?? '');
    assert.ok(metrics?.includes(`${pc(card.validation.mean_predicted)} / ${pc(card.validation.observed_rate)}`), metrics ?? '');

    // Calibration: the chart's table holds every tenth, as the command line computed it.
    const calibration = await tableRows(page.locator('.cf-calibration__table'));
    assert.deepEqual(calibration, card.validation.calibration.map((/** @type {any} */ c) =>
      [String(c.decile), number(c.people), number(c.events), pc(c.mean_predicted), pc(c.observed)]));
    assert.equal(await page.locator('#calibration-chart canvas').count(), 1);

    // Tiers: the pyramid has a layer per tier; the table has the command line's counts and score ranges.
    assert.equal(await page.locator('#tier-pyramid svg polygon').count(), card.tiers.length);
    const tiers = await tableRows(page.locator('.cf-tiers__table'));
    assert.deepEqual(tiers.map((r) => r.slice(0, 2)), card.tiers.map((/** @type {any} */ t) => [`${t.tier}: ${t.label}`, number(t.people)]));
    assert.deepEqual(card.tiers.map((/** @type {any} */ t) => t.label), ['Top 0.5%', '0.5-2%', '2-5%', 'The rest']);
    assert.equal(card.tiers.reduce((/** @type {number} */ n, /** @type {any} */ t) => n + t.people, 0), card.data.practice_population);

    // Coefficients: fitted beside the generator's truth on a demo practice.
    const coefficients = await tableRows(page.locator('.cf-coefficients__table'));
    assert.equal(coefficients.length, card.coefficients.length);
    const frail = coefficients.find((r) => r[0] === 'eFI severe frailty');
    assert.ok(frail, 'a row for severe frailty');
    assert.equal(frail[1], card.coefficients.find((/** @type {any} */ c) => c.term === 'efi_severe').coefficient.toFixed(4).replace('-', '−'));
    const severe = card.coefficients.find((/** @type {any} */ c) => c.term === 'efi_severe');
    assert.equal(frail[2], severe.standard_error.toFixed(4));
    assert.equal(frail[3], `${severe.odds_ratio.toFixed(2)} (${severe.odds_ratio_95[0].toFixed(2)} to ${severe.odds_ratio_95[1].toFixed(2)})`);
    assert.equal(frail[5], '1.1500', 'the generating coefficient');
    assert.equal(coefficients.find((r) => r[0] === 'SMI register')?.[5], 'none');

    const caveats = await page.locator('#risk-caveats li').allTextContents();
    assert.deepEqual(caveats, card.caveats);
    assert.ok((await page.locator('#risk-facts').textContent())?.includes(card.intended_use));

    await page.locator('#risk').screenshot({ path: `${artefacts}/model-card.png` });
    assert.deepEqual(await axe(page), []);
  });

  test('everyone’s score downloads as the command line writes it', async () => {
    const { page } = s;
    const file = await saveDownload(page, () => page.locator('#risk-scores-csv').click());
    assert.equal(file.name, `emergency-admission-risk-${AS_OF}.csv`);
    const rows = file.text.trim().split('\n');
    assert.equal(rows[0], 'patient_id,risk_percent,tier');
    assert.equal(rows.length - 1, native.scores.size);
    assert.deepEqual(rows.slice(1).map((r) => [r.split(',')[0], Number(r.split(',')[2])]), [...native.scores.entries()]);
  });

  test('a tier opens on the worklists, filtered to that tier and highest risk first; its CSV carries the scores', async () => {
    const { page } = s;
    await page.locator('.cf-tiers__table button[data-tier="1"]').click();
    await page.getByRole('tab', { name: 'Worklists', selected: true }).waitFor();
    const tier = page.getByLabel('Emergency admission risk tier');
    assert.equal(await tier.inputValue(), '1');
    const cohort = await page.getByLabel('Cohort', { exact: true }).inputValue();
    const members = native.report.cohorts[cohort].members.map((/** @type {any} */ m) => m.patient_id);
    const inTier = members.filter((/** @type {string} */ id) => native.scores.get(id) === 1);
    assert.ok(inTier.length > 10, `${inTier.length} people of ${cohort} in tier 1`);
    await page.locator('#worklist-status').filter({ hasText: `${number(inTier.length)} match the filters` }).waitFor();
    const shown = await page.locator('.cf-vtable__row').filter({ hasText: '(tier ' }).allTextContents();
    assert.ok(shown.length > 0 && shown.every((t) => t.includes('(tier 1)')), shown.slice(0, 3).join(' | '));

    for (const c of ['risk_percent', 'risk_tier']) assert.ok(await page.locator(`.cf-columns input[value="${c}"]`).isChecked());
    const csv = await saveDownload(page, () => page.locator('#export-csv').click());
    const [header, ...lines] = csv.text.trim().split('\r\n');
    const tierColumn = header.split(',').indexOf('risk_tier');
    assert.ok(tierColumn >= 0, header);
    assert.equal(lines.length, inTier.length);
    assert.ok(lines.every((l) => l.split(',').at(tierColumn - header.split(',').length) === '1'), 'every row in tier 1');
  });

  test('drawing the lists up for another date drops the model: the tier filter waits for it to be fitted again', async () => {
    const { page } = s;
    await page.locator('#as-of-again').fill('2026-06-30');
    await page.getByRole('button', { name: 'Redraw' }).click();
    await page.locator('#results-heading').filter({ hasText: '30 June 2026' }).waitFor();
    await page.getByRole('tab', { name: 'Worklists' }).click();
    assert.equal(await page.getByLabel('Emergency admission risk tier').isDisabled(), true);
    assert.equal(await page.locator('.cf-columns input[value="risk_tier"]').isDisabled(), true);
    assert.equal(await page.locator('#risk-auroc').count(), 0, 'the card is gone');
    assertNoNetwork(s.requests);
    assert.deepEqual(s.consoleErrors, []);
  });
});

test('a practice with too few admissions gets the refusal, not scores', async () => {
  const native = nativeRisk({ patients: 1000, seed: 42, deprivation: 'average' });
  assert.ok('error' in native, 'the command line refuses too');
  const s = await openPage(browser, `?demo=1000&as-of=${AS_OF}`);
  try {
    const { page } = s;
    await page.locator('.cf-tile').first().waitFor({ timeout: 60_000 });
    await page.getByRole('tab', { name: 'Risk tiers' }).click();
    const alert = page.locator('#risk-problem [role="alert"]');
    await alert.waitFor({ timeout: 60_000 });
    assert.equal((await alert.locator('p').textContent())?.trim(), native.error);
    assert.match(native.error, /^Only \d+ people had an emergency admission .* so no risk scores are shown\.$/);
    assert.equal(await page.locator('#risk-auroc').count(), 0);
    assert.equal(await page.getByLabel('Emergency admission risk tier').isDisabled(), true);
    assertNoNetwork(s.requests);
    assert.deepEqual(s.consoleErrors, []);
  } finally {
    await s.context.close();
  }
});
