// The NHS.UK error summary: shown at the top, focused so it is read out.
import { h } from '../dom.js';

/** @param {HTMLElement} root */
export function mountErrorSummary(root) {
  return {
    /** @param {string} message */
    show(message) {
      const box = h('div', { class: 'nhsuk-error-summary', tabindex: '-1', 'aria-labelledby': 'error-summary-title' },
        h('h2', { class: 'nhsuk-error-summary__title', id: 'error-summary-title', text: 'There is a problem' }),
        h('div', { class: 'nhsuk-error-summary__body' }, h('p', { text: message })));
      root.replaceChildren(box);
      box.focus();
    },
    clear() {
      root.replaceChildren();
    },
  };
}
