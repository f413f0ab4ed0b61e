// A table that renders only the rows in view, so 50,000 rows scroll as
// smoothly as 50. Rows come from `rowAt(index)`, which may not have them yet
// (they are fetched a page at a time): such a row shows as "Loading" until
// `refresh()`. It stays a real <table> (headers, aria-rowcount and
// aria-rowindex), rows above and below the window are stood in for by two
// spacer rows. Sortable columns have a button in their header. Each row's first cell is a button: Tab reaches one row (the
// active one), arrow keys, Page Up/Down, Home and End move between rows, and
// Enter (or a click anywhere on the row) opens it.
import { h } from '../dom.js';

/**
 * @template T
 * @typedef {{header: string, cell: (row: T) => string, numeric?: boolean, width?: string, sort?: string}} Column
 *   `sort`: the key the table's `onSort` is called with when the header is chosen.
 */

/**
 * @template T
 * @param {{columns: Column<T>[], rowLabel: (row: T) => string, rowHeight?: number,
 *   onOpen: (row: T, index: number) => void, onSort: (key: string) => void,
 *   onView: (first: number, last: number) => void}} spec
 *   The first column is the row header and holds the button; `rowLabel` is its accessible name.
 *   `onView` is told which rows are about to be drawn, so it can fetch those missing.
 */
export function createVirtualTable(spec) {
  const rowHeight = spec.rowHeight ?? 44;
  const overscan = 8;
  let count = 0;
  /** @type {(index: number) => T | undefined} */
  let rowAt = () => undefined;
  let active = 0;
  let first = -1;
  let last = -1;
  let frame = 0;

  const captionEl = h('caption', { class: 'nhsuk-table__caption nhsuk-table__caption--s' });
  const top = h('tr', { class: 'cf-vtable__spacer', 'aria-hidden': 'true' }, h('td', { colspan: String(spec.columns.length) }));
  const bottom = h('tr', { class: 'cf-vtable__spacer', 'aria-hidden': 'true' }, h('td', { colspan: String(spec.columns.length) }));
  const tbody = h('tbody', { class: 'nhsuk-table__body' });
  const table = h('table', { class: 'nhsuk-table cf-vtable__table' },
    captionEl,
    h('colgroup', {}, spec.columns.map((c) => h('col', c.width ? { class: 'cf-col', dataset: { width: c.width } } : {}))),
    h('thead', { class: 'nhsuk-table__head' },
      h('tr', { class: 'nhsuk-table__row', 'aria-rowindex': '1' },
        spec.columns.map((c) => h('th', { class: `nhsuk-table__header${c.numeric ? ' cf-num' : ''}`, scope: 'col',
          dataset: c.sort ? { sort: c.sort } : {} },
        c.sort ? h('button', { class: 'cf-sort-button', type: 'button', onclick: () => spec.onSort(/** @type {string} */ (c.sort)) }, c.header) : c.header)))),
    tbody);
  const scroller = h('div', { class: 'cf-vtable' }, table);
  for (const col of table.querySelectorAll('col[data-width]')) {
    /** @type {HTMLElement} */ (col).style.width = /** @type {HTMLElement} */ (col).dataset.width ?? '';
  }

  const headerHeight = () => table.tHead?.offsetHeight ?? 0;
  // The scroller's max-height (styles.css): it shrinks to fit a short list.
  const maxHeight = 520;
  const viewRows = () => Math.max(1, Math.floor((Math.max(scroller.clientHeight, maxHeight) - headerHeight()) / rowHeight));

  /** @param {boolean} [force] */
  function render(force = false) {
    const start = Math.max(0, Math.floor(scroller.scrollTop / rowHeight) - overscan);
    const end = Math.min(count, start + viewRows() + 2 * overscan);
    if (!force && start === first && end === last) return;
    spec.onView(start, end);
    const hadFocus = tbody.contains(document.activeElement);
    first = start;
    last = end;
    /** @type {HTMLElement} */ (top.firstChild).style.height = `${start * rowHeight}px`;
    /** @type {HTMLElement} */ (bottom.firstChild).style.height = `${(count - end) * rowHeight}px`;
    top.hidden = start === 0;
    bottom.hidden = end === count;
    const activeShown = active >= start && active < end;
    const trs = [];
    for (let i = start; i < end; i += 1) {
      const row = rowAt(i);
      const tabbable = activeShown ? i === active : i === start;
      const [firstColumn, ...rest] = spec.columns;
      if (row === undefined) {
        trs.push(h('tr', { class: 'nhsuk-table__row cf-vtable__row cf-vtable__row--loading', 'aria-rowindex': String(i + 2) },
          h('td', { class: 'nhsuk-table__cell', colspan: String(spec.columns.length), text: 'Loading…' })));
        continue;
      }
      trs.push(h('tr', { class: 'nhsuk-table__row cf-vtable__row', 'aria-rowindex': String(i + 2), dataset: { index: String(i) } },
        h('th', { class: 'nhsuk-table__header cf-rowhead', scope: 'row' },
          h('button', { class: 'cf-row-button', type: 'button', tabindex: tabbable ? '0' : '-1', 'aria-label': spec.rowLabel(row) },
            firstColumn.cell(row))),
        rest.map((c) => {
          const text = c.cell(row);
          return h('td', { class: `nhsuk-table__cell${c.numeric ? ' cf-num' : ''}`, title: text.length > 24 ? text : null, text });
        })));
    }
    tbody.replaceChildren(top, ...trs, bottom);
    if (hadFocus) buttonAt(activeShown ? active : start)?.focus({ preventScroll: true });
  }

  /** @param {number} index */
  const buttonAt = (index) =>
    /** @type {HTMLButtonElement | null} */ (tbody.querySelector(`tr[data-index="${index}"] button`));

  /** Scrolls row `index` into view, makes it the active row and focuses it. @param {number} index */
  function focusRow(index) {
    if (count === 0) return;
    active = Math.max(0, Math.min(count - 1, index));
    const rowTop = active * rowHeight;
    const visible = scroller.clientHeight - headerHeight();
    if (rowTop < scroller.scrollTop) scroller.scrollTop = rowTop;
    else if (rowTop + rowHeight > scroller.scrollTop + visible) scroller.scrollTop = rowTop + rowHeight - visible;
    render(true);
    buttonAt(active)?.focus({ preventScroll: true });
  }

  scroller.addEventListener('scroll', () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      render();
    });
  });
  tbody.addEventListener('click', (event) => {
    const tr = /** @type {HTMLElement} */ (event.target).closest('tr[data-index]');
    if (!tr) return;
    const index = Number(/** @type {HTMLElement} */ (tr).dataset.index);
    const row = rowAt(index);
    active = index;
    if (row !== undefined) spec.onOpen(row, index);
  });
  tbody.addEventListener('focusin', (event) => {
    const tr = /** @type {HTMLElement} */ (event.target).closest('tr[data-index]');
    if (tr) active = Number(/** @type {HTMLElement} */ (tr).dataset.index);
  });
  tbody.addEventListener('keydown', (event) => {
    /** @type {Record<string, number>} */
    const moves = { ArrowDown: 1, ArrowUp: -1, PageDown: viewRows(), PageUp: -viewRows() };
    if (event.key in moves) focusRow(active + moves[event.key]);
    else if (event.key === 'Home') focusRow(0);
    else if (event.key === 'End') focusRow(count - 1);
    else return;
    event.preventDefault();
  });

  return {
    element: scroller,
    /**
     * A new list: `rows` rows, each from `at(index)`.
     * @param {number} rows @param {(index: number) => T | undefined} at @param {string} caption
     */
    setSource(rows, at, caption) {
      count = rows;
      rowAt = at;
      active = 0;
      captionEl.textContent = caption;
      table.setAttribute('aria-rowcount', String(count + 1));
      scroller.scrollTop = 0;
      render(true);
    },
    /** Marks the sorted column (`aria-sort`) and its direction. @param {string} key @param {boolean} descending */
    setSort(key, descending) {
      for (const th of table.tHead?.querySelectorAll('th[data-sort]') ?? []) {
        const on = /** @type {HTMLElement} */ (th).dataset.sort === key;
        if (on) th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
        else th.removeAttribute('aria-sort');
      }
    },
    focusRow,
    /** Re-renders after the container changes size. */
    refresh: () => render(true),
  };
}
