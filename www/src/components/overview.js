// Overview: one tile per worklist cohort (count of N eligible), the
// registers in a table, the segments, eFI categories and multimorbidity
// bands as charts with tables beside them.
import { h } from '../dom.js';
import { efiTitle, multimorbidityTitle, num, percent, segmentTitle } from '../format.js';
import { chartWithTable } from './chart-table.js';
import { dataTable } from './input-check.js';

/** @typedef {import('../protocol.js').Summary} Summary */

/**
 * @param {HTMLElement} root
 * @param {{onOpenCohort: (id: string) => void}} handlers
 */
export function mountOverview(root, handlers) {
  /** @type {(() => void)[]} */
  let cleanup = [];
  return {
    /** @param {Summary} summary */
    render(summary) {
      cleanup.forEach((f) => f());
      cleanup = [];
      const cohorts = Object.entries(summary.cohorts).map(([id, c]) => ({ ...c, id }));
      const worklists = cohorts.filter((c) => c.kind === 'worklist');
      const registers = cohorts.filter((c) => c.kind !== 'worklist');
      const tiles = h('ul', { class: 'cf-tiles', 'aria-label': 'Worklists' },
        worklists.map((c) => h('li', { class: 'cf-tile', dataset: { cohort: c.id } },
          h('h3', { class: 'cf-tile__title', text: c.title }),
          h('p', { class: 'cf-tile__count' },
            h('span', { class: 'cf-tile__number', 'data-count': String(c.count), text: num(c.count) }),
            h('span', { class: 'cf-tile__of', text: ` of ${num(c.eligible)} eligible (${percent(c.count, c.eligible)})` })),
          h('button', { class: 'cf-link-button', type: 'button', onclick: () => handlers.onOpenCohort(c.id) },
            'Open the list', h('span', { class: 'nhsuk-u-visually-hidden', text: `: ${c.title}` })))));
      const registersTable = dataTable('Registers', ['Register', 'People'],
        registers.map((c) => [c.title, num(c.count)]), { numeric: [1] });
      const segmentIds = summary.segment_precedence.filter((id) => id in summary.segments)
        .concat(Object.keys(summary.segments).filter((id) => !summary.segment_precedence.includes(id)));
      const segments = chartWithTable({
        id: 'segments-chart',
        title: `Population segments (${num(summary.population.current)} registered patients)`,
        labels: segmentIds.map(segmentTitle),
        values: segmentIds.map((id) => summary.segments[id]),
      });
      const efiIds = Object.keys(summary.efi.categories);
      const efi = chartWithTable({
        id: 'efi-chart',
        title: `Electronic frailty index, people aged 65 and over (${num(summary.efi.assessed)} assessed)`,
        labels: efiIds.map(efiTitle),
        values: efiIds.map((id) => summary.efi.categories[id]),
      });
      const bandIds = Object.keys(summary.multimorbidity.bands);
      const multimorbidity = chartWithTable({
        id: 'multimorbidity-chart',
        title: `Long-term condition registers per person (${num(summary.multimorbidity.assessed)} registered patients)`,
        labels: bandIds.map(multimorbidityTitle),
        values: bandIds.map((id) => summary.multimorbidity.bands[id]),
      });
      cleanup.push(segments.destroy, efi.destroy, multimorbidity.destroy);
      const pop = summary.population;
      root.replaceChildren(
        h('h2', { class: 'nhsuk-heading-m', id: 'overview-heading', text: 'Overview' }),
        h('p', { class: 'nhsuk-body', id: 'population-line',
          text: `${num(pop.current)} registered patients (${num(pop.loaded)} in the file; ${num(pop.deceased)} died, ${num(pop.deregistered)} left, ${num(pop.not_yet_registered)} not yet registered: counted, never listed).` }),
        tiles,
        h('h3', { class: 'nhsuk-heading-s', text: 'Segments' }),
        segments.element,
        h('h3', { class: 'nhsuk-heading-s', text: 'Frailty' }),
        efi.element,
        h('p', { class: 'nhsuk-body-s', text: `Source: ${summary.efi.source}` }),
        h('h3', { class: 'nhsuk-heading-s', text: 'Multimorbidity' }),
        multimorbidity.element,
        h('p', { class: 'nhsuk-body-s', text: `Source: ${summary.multimorbidity.source}` }),
        registersTable,
        h('div', { class: 'nhsuk-inset-text', id: 'gp-data-limits' },
          h('h3', { class: 'nhsuk-heading-s', text: 'What GP records cannot show' }),
          h('ul', { class: 'nhsuk-list nhsuk-list--bullet' },
            h('li', { text: 'Cancer screening: only the results the programmes send back and the practice codes. The national screening services’ own lists decide who is due; use ours to find Core20 and PLUS people to encourage.' }),
            h('li', { text: 'Children’s oral health: hospital tooth extractions and dental visits are not in GP records, so there is no list for it.' }),
            h('li', { text: 'Children’s mental health: access to CYP mental health services is recorded by those services, not the practice; there is no list for it.' }),
            h('li', { text: 'QRISK is computed from recorded inputs, or taken from the latest recorded score, to prioritise people for a lipid review. It is not a clinical calculation: check it in the clinical system.' }),
            h('li', { text: 'Smoking cessation offers, Gypsy, Roma and Traveller communities, and asylum seekers and refugees have no public codelist here; add them as local cohorts if your practice codes them.' }))));
      segments.draw();
      efi.draw();
      multimorbidity.draw();
    },
  };
}
