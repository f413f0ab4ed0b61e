// A bar chart (Chart.js, only the parts a bar chart needs) with the same
// figures in a table beside it: the table is the accessible version, the
// chart is marked as an image that says so.
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import { h } from '../dom.js';
import { num, percent } from '../format.js';
import { dataTable } from './input-check.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);
Chart.defaults.font.size = 14;
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
Chart.defaults.color = '#212b32';

/**
 * Splits a long axis label into lines of about 20 characters.
 * @param {string} label
 */
function wrap(label) {
  const lines = [];
  let line = '';
  for (const word of label.split(' ')) {
    if (line && (line + word).length > 20) {
      lines.push(line.trim());
      line = '';
    }
    line += `${word} `;
  }
  lines.push(line.trim());
  return lines.length === 1 ? lines[0] : lines;
}

/**
 * @param {{title: string, id: string, labels: string[], values: number[], total?: number, valueHeader?: string}} spec
 * @returns {{element: HTMLElement, draw: () => void, destroy: () => void}}
 *   call draw() once the element is in the document.
 */
export function chartWithTable(spec) {
  const total = spec.total ?? spec.values.reduce((a, b) => a + b, 0);
  const canvas = h('canvas', { role: 'img', 'aria-label': `Bar chart: ${spec.title}. The same figures are in the table beside it.` });
  const table = dataTable(spec.title, ['Group', spec.valueHeader ?? 'People', 'Share'],
    spec.labels.map((label, i) => [label, num(spec.values[i]), percent(spec.values[i], total)]), { numeric: [1, 2] });
  // Room for two lines of label per bar.
  const holder = h('div', { class: 'cf-chart__canvas' }, canvas);
  holder.style.height = `${Math.max(200, spec.labels.length * 48 + 48)}px`;
  const element = h('div', { class: 'cf-chart', id: spec.id },
    holder,
    h('div', { class: 'cf-chart__table' }, table));
  /** @type {Chart | null} */
  let chart = null;
  const draw = () => {
    chart = new Chart(canvas, {
      type: 'bar',
      data: { labels: spec.labels.map(wrap), datasets: [{ label: spec.valueHeader ?? 'People', data: spec.values, backgroundColor: '#005eb8' }] },
      options: {
        indexAxis: 'y',
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { tooltip: { enabled: true } },
        scales: { x: { beginAtZero: true, ticks: { color: '#212b32' } }, y: { ticks: { color: '#212b32', autoSkip: false } } },
      },
    });
  };
  return { element, draw, destroy: () => chart?.destroy() };
}
