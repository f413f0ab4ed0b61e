// The NHS.UK error summary: shown at the top, focused so it is read out.
import { h } from '../dom.js';

/**
 * @param {HTMLElement} root
 * @param {string} [titleId] the title's id, for a second summary on the page (one per section)
 */
export function mountErrorSummary(root, titleId = 'error-summary-title') {
  return {
    /** One problem, or a list of them. @param {string | string[]} message */
    show(message) {
      const items = Array.isArray(message) ? message : [message];
      const box = h('div', { class: 'nhsuk-error-summary', tabindex: '-1', 'aria-labelledby': titleId },
        h('h2', { class: 'nhsuk-error-summary__title', id: titleId,
          text: items.length > 1 ? `There are ${items.length} problems` : 'There is a problem' }),
        h('div', { class: 'nhsuk-error-summary__body' }, items.length > 1
          ? h('ul', { class: 'nhsuk-list nhsuk-error-summary__list' }, items.map((text) => h('li', { class: 'cf-error-item', text })))
          : h('p', { class: 'cf-error-item', text: items[0] })));
      root.replaceChildren(box);
      box.focus();
    },
    clear() {
      root.replaceChildren();
    },
  };
}
