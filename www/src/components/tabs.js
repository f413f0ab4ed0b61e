// Tabs over the results' sections (the WAI-ARIA tabs pattern): one panel
// shown at a time, arrow keys move between tabs, and the address's #fragment
// follows the tab so a link to #worklist opens the worklists.
import { h } from '../dom.js';

/**
 * @param {{id: string, label: string, panel: HTMLElement}[]} tabs
 * @param {{onShow?: (id: string) => void}} [handlers]
 */
export function createTabs(tabs, handlers = {}) {
  const buttons = tabs.map(({ id, label, panel }) => {
    panel.setAttribute('role', 'tabpanel');
    panel.setAttribute('aria-labelledby', `tab-${id}`);
    panel.tabIndex = -1;
    return h('button', { class: 'cf-tab', type: 'button', role: 'tab', id: `tab-${id}`, 'aria-controls': id, text: label,
      onclick: () => show(id) });
  });
  const list = h('div', { class: 'cf-tabs cf-no-print', role: 'tablist', 'aria-label': 'Results' }, buttons);

  /** @param {string} id @param {boolean} [focusTab] */
  function show(id, focusTab = false) {
    tabs.forEach((tab, i) => {
      const on = tab.id === id;
      tab.panel.hidden = !on;
      buttons[i].setAttribute('aria-selected', String(on));
      buttons[i].tabIndex = on ? 0 : -1;
      if (on && focusTab) buttons[i].focus();
    });
    if (location.hash !== `#${id}`) history.replaceState(null, '', `#${id}`);
    handlers.onShow?.(id);
  }

  list.addEventListener('keydown', (event) => {
    const at = buttons.indexOf(/** @type {HTMLButtonElement} */ (document.activeElement));
    if (at < 0) return;
    /** @type {Record<string, number>} */
    const moves = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    show(tabs[(moves[event.key] + tabs.length) % tabs.length].id, true);
  });

  return { element: list, show };
}
