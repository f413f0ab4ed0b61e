// End-to-end tests of the privacy and safety promises: text from the
// practice's files (names, terms, units) is shown as text and never run;
// the page can make no network request even when asked to; nothing with
// patient data is left in the browser's storage; an export holds only the
// columns chosen.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { AS_OF, assertNoNetwork, launch, openPage, saveDownload } from './browser.js';

const hostile = new URL('./fixtures/hostile/', import.meta.url).pathname;

test('HTML and script in names, terms and units are shown as text; no request gets out; nothing is stored; exports hold only the chosen columns', async () => {
  // A server on this machine that the page is asked to reach: it must hear nothing.
  /** @type {string[]} */
  const heard = [];
  const server = createServer((req, res) => {
    heard.push(`${req.method} ${req.url}`);
    res.end();
  });
  server.on('upgrade', (req, socket) => {
    heard.push(`upgrade ${req.url}`);
    socket.destroy();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
  const browser = await launch();
  const s = await openPage(browser);
  /** Requests the browser refused before they left, with its reason. @type {Map<string, string>} */
  const refused = new Map();
  s.page.on('requestfailed', (r) => refused.set(r.url(), r.failure()?.errorText ?? ''));
  /** @type {string[]} */
  const dialogs = [];
  s.page.on('dialog', (d) => {
    dialogs.push(d.message());
    d.dismiss();
  });
  try {
    const { page } = s;
    await page.locator('input[name="as-of"]').fill(AS_OF);
    await page.getByLabel('Patients file').setInputFiles(`${hostile}patients.csv`);
    await page.getByLabel(/^Events file/).setInputFiles(`${hostile}events.csv`);
    await page.getByRole('button', { name: 'Read the files' }).click();
    await page.locator('.cf-tile').first().waitFor();

    // The SMI list and a person's reasons: the names and the term as written, inert.
    await page.getByRole('tab', { name: 'Worklists' }).click();
    await page.getByLabel('Cohort', { exact: true }).selectOption('smi_health_checks');
    await page.locator('#worklist-status').filter({ hasText: '2 people missing a check' }).waitFor();
    const table = await page.locator('.cf-vtable').innerText();
    assert.ok(table.includes('<img src=x onerror="document.title=\'pwned\'">Ann'), table);
    assert.ok(table.includes("Bob <script>document.title='pwned'</script>"), table);
    await page.locator('.cf-vtable__row', { hasText: 'Ann' }).locator('.cf-row-button').click();
    const panel = page.locator('.cf-reasons-panel');
    await panel.getByText("<script>document.title='pwned'</script>Psychosis").first().waitFor();
    assert.ok((await panel.innerText()).includes('<i>kg</i>'), 'the unit as written');
    await page.getByRole('tab', { name: 'Input check' }).click();
    assert.ok((await page.locator('#unmapped-codes').innerText()).includes('<b onmouseover="document.title=\'pwned\'">hover</b>'));
    // Nothing in the files became an element, ran, or opened a dialog.
    const injected = await page.evaluate(() => ({
      img: document.querySelectorAll('img[src="x"]').length,
      // The injected script's own text: the page's inlined base64 module may hold 'pwned' by chance.
      script: Array.from(document.scripts).filter((el) => el.textContent?.includes("document.title='pwned'")).length,
      b: document.querySelectorAll('b[onmouseover]').length,
      i: Array.from(document.querySelectorAll('i')).filter((el) => el.textContent === 'kg').length,
    }));
    assert.deepEqual(injected, { img: 0, script: 0, b: 0, i: 0 });
    assert.equal(await page.title(), 'Lists as of 23 November 2026 – Cohort Finder');
    assert.deepEqual(dialogs, []);

    // The Content-Security-Policy blocks every way out, from the page and from its worker.
    const attempts = await page.evaluate(async (port) => {
      const to = (/** @type {string} */ path) => `http://127.0.0.1:${port}${path}`;
      const outcome = (/** @type {Promise<unknown>} */ p) => p.then(() => 'sent', (e) => `blocked: ${e.name}`);
      const image = new Promise((resolve, reject) => {
        const img = new Image();
        img.onload = resolve;
        img.onerror = () => reject(new Error('img'));
        img.src = to('/pixel.png');
      });
      return {
        fetch: await outcome(fetch(to('/data'), { method: 'POST', body: 'NHS 9990001006' })),
        image: await outcome(image),
        // A beacon is queued whatever happens to it: the request list below shows it never left.
        beacon: navigator.sendBeacon(to('/beacon'), 'x'),
        websocket: await outcome(new Promise((resolve, reject) => {
          try {
            const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
            ws.onopen = resolve;
            ws.onerror = () => reject(new Error('ws'));
          } catch (e) {
            reject(e);
          }
        })),
      };
    }, port);
    assert.equal(attempts.fetch, 'blocked: TypeError');
    assert.equal(attempts.image, 'blocked: Error');
    assert.match(attempts.websocket, /^blocked/);
    const [worker] = page.workers();
    assert.ok(worker, 'the analysis worker');
    const fromWorker = await worker.evaluate((url) => fetch(url).then(() => 'sent', (e) => `blocked: ${e.name}`),
      `http://127.0.0.1:${port}/from-worker`);
    assert.equal(fromWorker, 'blocked: TypeError');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(heard, [], 'the server heard nothing');
    // Chromium reports the loads it refused as requests that failed, blocked by the policy.
    const outside = s.requests.filter((url) => !url.startsWith('file://') && !url.startsWith('blob:null/'));
    for (const url of outside) assert.equal(refused.get(url), 'csp', url);
    assertNoNetwork(s.requests.filter((url) => !refused.has(url)));
    // The only console errors are the policy's own reports of what it refused.
    const others = s.consoleErrors.filter((e) => !/Content Security Policy|violates the following|ERR_BLOCKED|Refused to connect/i.test(e));
    assert.deepEqual(others, []);
    assert.ok(s.consoleErrors.length >= 1, 'the policy reported the refusals');

    // An export holds the columns chosen, and nothing else.
    await page.getByRole('tab', { name: 'Worklists' }).click();
    for (const box of await page.locator('.cf-columns input[type="checkbox"]:not([disabled])').all()) await box.uncheck();
    await page.locator('.cf-columns input[value="nhs_number"]').check();
    await page.locator('.cf-columns input[value="age"]').check();
    const csv = await saveDownload(page, () => page.locator('#export-csv').click());
    assert.deepEqual(csv.text.trim().split('\r\n'), ['nhs_number,age', '9990001014,46', '9990001006,56']);

    // Nothing with patient data is left in the browser.
    const stored = await page.evaluate(async () => ({
      local: Object.keys(localStorage),
      session: Object.keys(sessionStorage),
      indexedDB: (await indexedDB.databases()).map((d) => d.name),
      caches: 'caches' in self ? await caches.keys().catch(() => []) : [],
      cookies: document.cookie,
    }));
    assert.deepEqual(stored, { local: [], session: [], indexedDB: [], caches: [], cookies: '' });
  } finally {
    await s.context.close();
    await browser.close();
    server.close();
  }
});
