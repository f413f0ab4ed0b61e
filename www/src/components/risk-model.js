// Risk tiers: the emergency-admission model fitted in the worker on the
// practice's own history, shown as its model card: the data it learnt from,
// how well it ranked and calibrated on a year it never saw (chart and
// table), the tiers as a pyramid, the coefficients and the caveats.
import { Chart, Legend, LineController, LineElement, LinearScale, PointElement, ScatterController, Tooltip } from 'chart.js';
import { h, uid } from '../dom.js';
import { num, ukDate } from '../format.js';
import { save } from './export-panel.js';
import { dataTable } from './input-check.js';

Chart.register(ScatterController, LineController, PointElement, LineElement, LinearScale, Tooltip, Legend);

/** @typedef {import('../protocol.js').ModelCard} ModelCard */
/** @typedef {import('../protocol.js').RiskFit} RiskFit */

const SVG = 'http://www.w3.org/2000/svg';
/** Tier fills from the top (NHS identity colours) and the text colour each needs; the rest is grey. */
const TIER_COLOURS = [['#330072', '#fff'], ['#003087', '#fff'], ['#005eb8', '#fff'], ['#41b6e6', '#212b32']];
const tierColour = (/** @type {number} */ i, /** @type {number} */ n) =>
  (i === n - 1 ? ['#e8edee', '#212b32'] : TIER_COLOURS[Math.min(i, TIER_COLOURS.length - 1)]);

/** A fraction as a percentage to one place. @param {number} x */
const pc = (x) => `${(100 * x).toFixed(1)}%`;
/** A number to 4 places, with a true minus sign. @param {number} x */
const fixed = (x) => x.toFixed(4).replace('-', '−');

/** Tier boundaries as typed ("0.5, 2, 5") to numbers, or a message. @param {string} text */
function parseTiers(text) {
  const parts = text.split(/[,\s]+/).filter(Boolean);
  const values = parts.map(Number);
  if (parts.length === 0 || values.some((v) => !Number.isFinite(v))) {
    return { error: 'Enter the tier boundaries as percentages from the top, separated by commas, for example 0.5, 2, 5.' };
  }
  return { tiers: values };
}

/**
 * The tiers as a pyramid: equal layers, the highest risks at the top. Not to
 * scale (the top 0.5% would be a hairline); the table beside it has the numbers.
 * @param {ModelCard['tiers']} tiers
 */
function pyramid(tiers) {
  const layer = 56;
  const base = 300;
  const height = layer * tiers.length;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${base + 340} ${height}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `Risk pyramid of ${tiers.length} tiers, the highest risks at the top; not drawn to scale. The table beside it has the numbers.`);
  svg.setAttribute('class', 'cf-pyramid__svg');
  const el = (/** @type {string} */ tag, /** @type {Record<string, string | number>} */ attrs, text = '') => {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text) node.textContent = text;
    svg.append(node);
    return node;
  };
  const half = (/** @type {number} */ y) => (base / 2) * (y / height);
  tiers.forEach((t, i) => {
    const [top, bottom] = [i * layer, (i + 1) * layer];
    const [fill, ink] = tierColour(i, tiers.length);
    const c = base / 2;
    el('polygon', {
      points: `${c - half(top)},${top} ${c + half(top)},${top} ${c + half(bottom)},${bottom} ${c - half(bottom)},${bottom}`,
      fill, stroke: '#fff', 'stroke-width': 2, 'data-tier': t.tier,
    });
    if (i > 0) el('text', { x: c, y: bottom - 18, 'text-anchor': 'middle', fill: ink, 'font-size': 15, 'font-weight': 600 }, num(t.people));
    el('text', { x: base + 16, y: top + 24, 'font-size': 16, 'font-weight': 600, fill: '#212b32' }, `Tier ${t.tier}: ${t.label}`);
    const scores = t.people ? `, risk ${t.lowest_score}% to ${t.highest_score}%` : '';
    el('text', { x: base + 16, y: top + 44, 'font-size': 14, fill: '#4c6272' }, `${num(t.people)} people${scores}`);
  });
  return svg;
}

/**
 * @param {HTMLElement} root
 * @param {import('../worker-client.js').WorkerClient} client
 * @param {{onFitted: (fit: RiskFit | null) => void, onOpenTier: (tier: number) => void}} handlers
 */
export function mountRiskModel(root, client, handlers) {
  const tiersId = uid('tiers');
  const tiersInput = h('input', { class: 'nhsuk-input nhsuk-input--width-10', id: tiersId, name: 'tiers', type: 'text',
    value: '0.5, 2, 5', inputmode: 'decimal', autocomplete: 'off', 'aria-describedby': `${tiersId}-hint` });
  const fitButton = h('button', { class: 'nhsuk-button', type: 'submit', id: 'risk-fit', text: 'Fit the model' });
  const form = h('form', { class: 'cf-risk__form cf-no-print', novalidate: true },
    h('div', { class: 'nhsuk-form-group' },
      h('label', { class: 'nhsuk-label', for: tiersId, text: 'Tier boundaries (per cent of people, from the highest risk)' }),
      h('div', { class: 'nhsuk-hint', id: `${tiersId}-hint`, text: 'For example 0.5, 2, 5: the top 0.5%, the next 1.5%, the next 3% and the rest.' }),
      tiersInput),
    fitButton);
  const progressLabel = h('p', { class: 'nhsuk-body cf-progress__label', id: 'risk-progress-label' });
  const progressBar = h('progress', { class: 'cf-progress__bar', max: '6', value: '0', 'aria-labelledby': 'risk-progress-label' });
  const progress = h('div', { class: 'cf-progress', id: 'risk-progress', hidden: true }, progressLabel, progressBar);
  const live = h('p', { class: 'nhsuk-u-visually-hidden', role: 'status', 'aria-live': 'polite' });
  const problem = h('div', { id: 'risk-problem' });
  const body = h('div', { id: 'risk-card' });
  /** @type {Chart | null} */
  let chart = null;
  /** @type {RiskFit | null} */
  let fitted = null;
  let busy = false;

  root.replaceChildren(
    h('h2', { class: 'nhsuk-heading-m', id: 'risk-heading', text: 'Risk tiers' }),
    h('p', { class: 'nhsuk-body', text: 'Who is most likely to have an emergency admission in the next 12 months: a model fitted in this browser on this practice’s own history, checked on a year it never saw, then used to rank everyone registered. It is for prioritising people for proactive care, not for any clinical decision about a person.' }),
    form, progress, live, problem, body);

  /** Drops the card: a new practice or date needs the model fitted again. */
  function reset() {
    chart?.destroy();
    chart = null;
    fitted = null;
    body.replaceChildren();
    problem.replaceChildren();
    fitButton.textContent = 'Fit the model';
  }

  async function fit() {
    if (busy) return;
    const parsed = parseTiers(tiersInput.value);
    if (parsed.error) {
      showProblem(parsed.error);
      tiersInput.focus();
      return;
    }
    busy = true;
    fitButton.disabled = true;
    reset();
    handlers.onFitted(null);
    progress.hidden = false;
    progressBar.value = 0;
    progressLabel.textContent = 'Fitting the model…';
    live.textContent = 'Fitting the model…';
    try {
      /** @type {RiskFit} */
      const result = await client.request({ type: 'risk-fit', settings: { tiers: parsed.tiers } }, (p) => {
        if (p.stage !== 'risk') return;
        progressBar.value = p.step - 1;
        progressLabel.textContent = `Step ${p.step} of ${p.steps}: ${p.description}…`;
      });
      fitted = result;
      render(result);
      live.textContent = `Model fitted: ${num(result.card.data.practice_population)} people scored.`;
      handlers.onFitted(result);
    } catch (e) {
      showProblem(/** @type {Error} */ (e).message);
      live.textContent = 'The model was not fitted.';
    } finally {
      progress.hidden = true;
      busy = false;
      fitButton.disabled = false;
    }
  }

  /** @param {string} message */
  function showProblem(message) {
    problem.replaceChildren(h('div', { class: 'nhsuk-warning-callout', role: 'alert' },
      h('h3', { class: 'nhsuk-warning-callout__label' }, h('span', { role: 'text' },
        h('span', { class: 'nhsuk-u-visually-hidden', text: 'Important: ' }), 'No risk scores')),
      h('p', { text: message })));
  }

  /** @param {RiskFit} fit */
  function render({ card, generating }) {
    const v = card.validation;
    const d = card.data;
    const year = (/** @type {ModelCard['data']['development']} */ y) =>
      `features on ${ukDate(y.features_on)}, admissions ${ukDate(y.outcome_from)} to ${ukDate(y.outcome_to)}: ${num(y.people)} people, ${num(y.events)} with an admission (${pc(y.event_rate)})`;
    const row = (/** @type {string} */ key, /** @type {string | Node} */ value) => h('div', { class: 'nhsuk-summary-list__row' },
      h('dt', { class: 'nhsuk-summary-list__key', text: key }), h('dd', { class: 'nhsuk-summary-list__value' }, value));
    const facts = h('dl', { class: 'nhsuk-summary-list', id: 'risk-facts' },
      row('Intended use', card.intended_use),
      row('Predicts', card.label),
      row('Data', `${d.source}. ${num(d.practice_population)} people scored as of ${ukDate(card.as_of)}.`),
      row('Development year', year(d.development)),
      row('Validation year', year(d.validation)),
      row('Who is counted', d.people_treatment),
      row('Method', `${card.method.description}. ${card.method.min_events_rule}.`));

    const metrics = h('ul', { class: 'cf-metrics', id: 'risk-metrics' },
      h('li', {}, h('span', { class: 'cf-metrics__value', id: 'risk-auroc', text: v.auroc.toFixed(3) }),
        h('span', { class: 'cf-metrics__label', text: 'AUROC on the validation year (0.5 is chance, 1 is perfect ranking)' })),
      h('li', {}, h('span', { class: 'cf-metrics__value', text: v.brier.toFixed(3) }),
        h('span', { class: 'cf-metrics__label', text: 'Brier score (mean squared error of the predicted risks; lower is better)' })),
      h('li', {}, h('span', { class: 'cf-metrics__value', text: `${pc(v.mean_predicted)} / ${pc(v.observed_rate)}` }),
        h('span', { class: 'cf-metrics__label', text: `Predicted / observed admissions among ${num(v.people)} people (${num(v.events)} admitted)` })));

    const canvas = h('canvas', { role: 'img', 'aria-label': 'Calibration chart: observed against predicted admission rate in each tenth of predicted risk. The same figures are in the table beside it.' });
    const calibrationTable = dataTable('Calibration by tenth of predicted risk (validation year)',
      ['Tenth', 'People', 'Admitted', 'Predicted', 'Observed'],
      v.calibration.map((c) => [String(c.decile), num(c.people), num(c.events), pc(c.mean_predicted), pc(c.observed)]),
      { numeric: [1, 2, 3, 4], className: 'cf-calibration__table' });
    const calibration = h('div', { class: 'cf-chart cf-chart--halves', id: 'calibration-chart' },
      h('div', { class: 'cf-chart__canvas cf-calibration__canvas' }, canvas),
      h('div', { class: 'cf-chart__table' }, calibrationTable));

    const total = card.tiers.reduce((n, t) => n + t.people, 0);
    const tierTable = dataTable('People in each risk tier', ['Tier', 'People', 'Share', 'Risk from', 'Risk to', 'Worklists'],
      card.tiers.map((t) => [`${t.tier}: ${t.label}`, num(t.people), pc(total ? t.people / total : 0),
        t.lowest_score === null ? '–' : `${t.lowest_score}%`, t.highest_score === null ? '–' : `${t.highest_score}%`,
        h('button', { class: 'cf-link-button', type: 'button', dataset: { tier: String(t.tier) }, onclick: () => handlers.onOpenTier(t.tier) },
          'Show on the worklists', h('span', { class: 'nhsuk-u-visually-hidden', text: `: tier ${t.tier}` }))]),
      { numeric: [1, 2, 3, 4], className: 'cf-tiers__table' });
    const tiers = h('div', { class: 'cf-pyramid', id: 'tier-pyramid' },
      h('div', { class: 'cf-pyramid__figure' }, pyramid(card.tiers),
        h('p', { class: 'nhsuk-body-s', text: 'Layers are not drawn to scale.' })),
      tierTable);

    const hasTruth = generating !== null;
    const coefficients = dataTable(
      hasTruth ? 'Coefficients (log-odds): fitted, and the synthetic generator’s true values' : 'Coefficients (log-odds)',
      ['Term', 'Fitted (latest year)', 'Standard error', 'Odds ratio (95% interval)', 'Fitted on the development year',
        ...(hasTruth ? ['Generating'] : [])],
      card.coefficients.map((c) => [c.title, fixed(c.coefficient), c.standard_error === null ? '' : c.standard_error.toFixed(4),
        c.odds_ratio_95 ? `${c.odds_ratio.toFixed(2)} (${c.odds_ratio_95[0].toFixed(2)} to ${c.odds_ratio_95[1].toFixed(2)})` : '',
        fixed(c.validated_coefficient),
        ...(hasTruth ? [generating?.[c.term] === undefined ? 'none' : fixed(generating[c.term])] : [])]),
      { numeric: [1, 2, 3, 4, 5], className: 'cf-coefficients__table' });
    const definitions = h('details', { class: 'nhsuk-details' },
      h('summary', { class: 'nhsuk-details__summary' }, h('span', { class: 'nhsuk-details__summary-text', text: 'What each term means' })),
      h('div', { class: 'nhsuk-details__text' }, h('dl', { class: 'cf-terms' },
        card.features.flatMap((f) => [h('dt', { text: f.title }), h('dd', { text: f.definition })]))));

    body.replaceChildren(
      h('h3', { class: 'nhsuk-heading-s', text: 'Model card' }),
      facts,
      h('h3', { class: 'nhsuk-heading-s', text: 'How well it predicted a year it never saw' }),
      metrics,
      calibration,
      h('h3', { class: 'nhsuk-heading-s', text: 'Risk tiers' }),
      tiers,
      h('div', { class: 'nhsuk-button-group cf-no-print' },
        h('button', { class: 'nhsuk-button nhsuk-button--secondary', type: 'button', id: 'risk-scores-csv', onclick: downloadScores },
          'Download everyone’s score (CSV)')),
      h('div', { class: 'cf-table-scroll' }, coefficients),
      h('p', { class: 'nhsuk-body-s', text: 'A term whose interval is wide, or crosses 1 on the odds-ratio scale, is not well pinned down by this practice’s data: few people have it, or it overlaps with other terms.' }),
      hasTruth ? h('p', { class: 'nhsuk-body-s', text: 'On a demo practice admissions are drawn from a known model, so the fit can be checked against it. People who die or leave during a year have less time to be admitted, which pulls the fitted frailty and age terms a little below the generating ones; real data has no such truth to compare with.' }) : null,
      definitions,
      h('h3', { class: 'nhsuk-heading-s', text: 'Caveats' }),
      h('ul', { class: 'nhsuk-list nhsuk-list--bullet', id: 'risk-caveats' }, card.caveats.map((c) => h('li', { text: c }))));
    fitButton.textContent = 'Fit again';

    const max = Math.max(...v.calibration.flatMap((c) => [c.mean_predicted, c.observed])) * 100;
    const top = Math.ceil(max / 5) * 5 || 5;
    chart = new Chart(canvas, {
      type: 'scatter',
      data: {
        datasets: /** @type {any[]} */ ([
          { type: 'scatter', label: 'Tenths of predicted risk', data: v.calibration.map((c) => ({ x: 100 * c.mean_predicted, y: 100 * c.observed })),
            backgroundColor: '#005eb8', pointRadius: 6, pointHoverRadius: 8 },
          { type: 'line', label: 'Perfect calibration', data: [{ x: 0, y: 0 }, { x: top, y: top }], borderColor: '#4c6272',
            borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, fill: false },
        ]),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { position: 'bottom' }, tooltip: { enabled: true } },
        scales: {
          x: { type: 'linear', min: 0, max: top, title: { display: true, text: 'Predicted risk (%)' } },
          y: { type: 'linear', min: 0, max: top, title: { display: true, text: 'Observed: admitted (%)' } },
        },
      },
    });
  }

  async function downloadScores() {
    if (!fitted) return;
    try {
      const text = await client.request({ type: 'risk-csv' });
      save(text, `emergency-admission-risk-${fitted.card.as_of}.csv`);
    } catch (e) {
      showProblem(/** @type {Error} */ (e).message);
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    fit();
  });

  return {
    /** A new analysis: scores were for the last one. */
    reset,
    /** The tab is open: fit with the settings shown, the first time. */
    shown() {
      if (!fitted && !busy && !problem.firstChild) fit();
    },
  };
}
