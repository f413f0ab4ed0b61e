// Progress while the worker reads and analyses: a bar with MB read, and a
// polite live region that announces each stage once (not every tick).
import { h } from '../dom.js';
import { megabytes, num } from '../format.js';

/** @typedef {import('../protocol.js').Progress} Progress */

/** Each kind of file in words. */
const KINDS = { patients: 'patients file', events: 'events file', fhir: 'FHIR file', wide: 'report' };

/** A progress message in words. @param {Progress} p */
export function progressText(p) {
  if (p.stage === 'generating') return `Generating a demo practice of ${num(p.patients)} patients…`;
  if (p.stage === 'reading') {
    const what = KINDS[p.kind] ?? p.kind;
    const lines = p.kind === 'fhir' ? `${num(p.lines)} lines` : `${num(Math.max(0, p.lines - 1))} rows`;
    return `Reading ${what} ${p.index + 1} of ${p.of} (${p.file}): ${megabytes(p.bytes)} of ${megabytes(p.size)}, ${lines}`;
  }
  if (p.stage === 'building') return 'Sorting events by patient…';
  if (p.stage === 'analysing') return 'Drawing up the lists…';
  if (p.stage === 'risk') return `Step ${p.step} of ${p.steps}: ${p.description}…`;
  return '';
}

/** @param {HTMLElement} root */
export function mountProgressPanel(root) {
  const label = h('p', { class: 'nhsuk-body cf-progress__label', id: 'progress-label' });
  const bar = h('progress', { class: 'cf-progress__bar', max: '1', 'aria-labelledby': 'progress-label' });
  const live = h('p', { class: 'nhsuk-u-visually-hidden', role: 'status', 'aria-live': 'polite' });
  const panel = h('section', { class: 'cf-progress', 'aria-label': 'Progress', hidden: true }, label, bar);
  root.replaceChildren(panel, live);
  let lastStage = '';

  /** @param {string} text */
  const announce = (text) => {
    live.textContent = text;
  };

  return {
    /** @param {string} text */
    start(text) {
      panel.hidden = false;
      label.textContent = text;
      bar.removeAttribute('value');
      lastStage = '';
      announce(text);
    },
    /** @param {Progress} p */
    update(p) {
      const text = progressText(p);
      const stageKey = p.stage === 'reading' ? `reading ${p.index}` : p.stage;
      if (p.stage === 'reading') {
        bar.max = p.size || 1;
        bar.value = p.bytes;
      } else bar.removeAttribute('value');
      label.textContent = text;
      if (stageKey !== lastStage) {
        lastStage = stageKey;
        announce(p.stage === 'reading' ? `Reading the ${KINDS[p.kind] ?? p.kind} ${p.file}` : text);
      }
    },
    /** @param {string} text */
    finish(text) {
      panel.hidden = true;
      announce(text);
    },
  };
}
