// End-to-end test of an internal error in the WASM module: a real Rust
// panic in the worker is caught, shown in the page's error summary with
// its message, the worker is replaced by a fresh one, and the page stays
// usable: the demo practice loads again and gives the overview.
//
// What is simulated, and how: the product has no way to panic on purpose,
// and no input we know of makes it panic (the fuzz targets look for one).
// So the test runs a copy of the built page whose inlined worker source
// has a few lines put in front of it. They make one Uint8Array lie about
// its length, once: the first slice of the demo's patients file that the
// worker hands to `Session.pushBytes` reports 2^31 bytes to the WASM module
// when a demo practice with the deprived profile is read. The module's own
// code (`copy_into` in src/wasm.rs, which sizes its buffer from the chunk's
// length) then asks for a Vec of that size, and Rust panics for
// real ("capacity overflow"); the panic hook keeps the message and the
// panic ends, as every panic in WebAssembly does, in a genuine
// `RuntimeError: unreachable` trap. Nothing else in the page is changed,
// and the fresh worker runs the same copy, so the average profile loads.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { AS_OF, artefacts, assertNoNetwork, launch, openPage, pagePath } from './browser.js';

/** Put in front of the worker's source: the lie, armed by a deprived demo's load request. */
const PRELUDE = `(() => {
  const real = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), 'length').get;
  const subarray = Uint8Array.prototype.subarray;
  let armed = false;
  let lie = false;
  self.addEventListener('message', (event) => {
    const d = event.data;
    armed = d && d.type === 'load' && d.source && d.source.type === 'demo' && d.source.deprivation === 'deprived';
  });
  const header = Array.from('patient_id,', (c) => c.charCodeAt(0));
  Uint8Array.prototype.subarray = function (...args) {
    // The demo's first slice(0, end) of the generated patients file, not
    // the bindings' views of the module's memory (which never start at 0).
    if (armed && args[0] === 0 && header.every((b, i) => this[i] === b)) { armed = false; lie = true; }
    return subarray.apply(this, args);
  };
  Object.defineProperty(Uint8Array.prototype, 'length', {
    configurable: true,
    get() {
      if (lie) { lie = false; return 2 ** 31; }
      return real.call(this);
    },
  });
})();
`;

/** A copy of the built page with the prelude in its worker source, and its CSP hash updated. */
function patchedPage() {
  const html = readFileSync(pagePath, 'utf8');
  const open = html.indexOf('<script>') + '<script>'.length;
  const close = html.indexOf('</script>', open);
  const script = html.slice(open, close);
  // The worker's bundle is a string literal in the page script (esbuild picks its quotes); its iife starts "(()=>{".
  const starts = [...script.matchAll(/["'`]\(\(\)=>\{/g)].map((m) => m.index ?? 0);
  assert.equal(starts.length, 1, 'the inlined worker source is found, once');
  const at = starts[0];
  // Escaped to stand in a string literal of any of the three quotes.
  const escaped = JSON.stringify(PRELUDE).slice(1, -1).replace(/'/g, "\\'").replace(/`/g, '\\`').replace(/\$/g, '\\$');
  const patched = `${script.slice(0, at + 1)}${escaped}${script.slice(at + 1)}`;
  const hash = (/** @type {string} */ s) => `sha256-${createHash('sha256').update(s).digest('base64')}`;
  assert.ok(html.includes(hash(script)), 'the CSP names the script by its hash');
  const out = html.slice(0, open).replace(hash(script), hash(patched)) + patched + html.slice(close);
  const path = join(mkdtempSync(join(tmpdir(), 'cohort-finder-panic-')), 'cohort-finder.html');
  writeFileSync(path, out);
  return pathToFileURL(path).href;
}

/** @type {import('playwright-core').Browser} */
let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('a panic in the WASM module is shown as an internal error, the worker is replaced, and the demo loads again', async () => {
  const s = await openPage(browser, '', patchedPage());
  /** Workers that have ended. @type {Set<import('playwright-core').Worker>} */
  const closed = new Set();
  const watch = (/** @type {import('playwright-core').Worker} */ w) => w.on('close', () => closed.add(w));
  s.workers.forEach(watch);
  s.page.on('worker', watch);
  try {
    const { page } = s;
    await page.locator('input[name="as-of"]').fill(AS_OF);
    await page.getByLabel('1,000', { exact: true }).check();
    await page.getByLabel('Deprived', { exact: true }).check();
    await page.getByRole('button', { name: 'Demo practice' }).click();

    const summary = page.locator('.nhsuk-error-summary');
    await summary.waitFor({ timeout: 60_000 });
    const text = await summary.innerText();
    assert.match(text, /There is a problem/);
    assert.match(text, /Cohort Finder stopped with an internal error while reading the practice and drawing up the lists: capacity overflow \(at library\/alloc\/src\/[^)]+\.rs:\d+:\d+\)/, text);
    assert.match(text, /Nothing left this computer and your files were not changed/);
    assert.match(text, /load the practice again to carry on/);
    // The summary has focus, so a screen reader reads it out.
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('nhsuk-error-summary')), true);
    await page.screenshot({ path: join(artefacts, 'panic-error-summary.png'), fullPage: true });

    // The worker that trapped was terminated and a fresh one started.
    assert.equal(await page.evaluate(() => document.body.dataset.workerStarts), '2');
    for (let i = 0; i < 50 && (s.workers.length < 2 || !closed.has(s.workers[0])); i++) await page.waitForTimeout(100);
    assert.equal(s.workers.length, 2, 'a second worker was started');
    assert.ok(closed.has(s.workers[0]), 'the first worker was terminated');
    assert.ok(!closed.has(s.workers[1]), 'the second is running');
    // Back on the start screen, with no lists left from before.
    assert.equal(await page.locator('#results-area').isHidden(), true);
    assert.equal(await page.getByRole('button', { name: 'Demo practice' }).isEnabled(), true);

    // The page is still usable: the average demo practice loads in the fresh worker.
    await page.getByLabel('Average', { exact: true }).check();
    await page.getByRole('button', { name: 'Demo practice' }).click();
    await page.locator('.cf-tile').first().waitFor({ state: 'visible', timeout: 60_000 });
    assert.ok((await page.locator('.cf-tile').count()) > 5, 'the overview tiles');
    assert.equal(await summary.count(), 0, 'the error summary is cleared');
    assert.match(await page.locator('#loaded-practice').innerText(), /average deprivation profile/);
    assert.equal(s.workers.length, 2, 'no further worker');

    assert.deepEqual(s.consoleErrors, [], 'no unhandled errors in the page or its workers');
    assertNoNetwork(s.requests);
  } finally {
    await s.context.close();
  }
});
