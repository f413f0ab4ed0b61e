// One person's reasons for being on a list: the rule, code, term, date and
// value of each, their checks (done or missing, with the detail), and the
// segment they were placed in and why.
import { h, replace } from '../dom.js';
import { efiTitle, ethnicityTitle, imdTitle, segmentTitle, sexTitle, ukDate, valueText } from '../format.js';
import { dataTable } from './input-check.js';

/** @param {string} nhs */
export const spacedNhs = (nhs) => (/^\d{10}$/.test(nhs) ? `${nhs.slice(0, 3)} ${nhs.slice(3, 6)} ${nhs.slice(6)}` : nhs);

const FLAG_TITLES = /** @type {Record<string, string>} */ ({ core20: 'Core20 (IMD decile 1 or 2)', plus: 'in a PLUS group', smoker: 'current smoker' });

/** Core20PLUS5 flags, lists (priority list) and QRISK, when the person has any. @param {any} m */
function flagsLine(m) {
  const parts = [];
  const flags = (m.flags ?? []).map((/** @type {string} */ f) => FLAG_TITLES[f] ?? f);
  if (flags.length) parts.push(`Flags: ${flags.join(', ')}.`);
  if (m.lists?.length) parts.push(`On ${m.lists.length === 1 ? 'one list' : `${m.lists.length} lists`}: ${m.lists.join('; ')}.`);
  if (m.qrisk) {
    parts.push(`QRISK ${m.qrisk.percent.toFixed(1)}% (${m.qrisk.source === 'computed' ? 'QRISK3 computed from recorded inputs' : 'the latest recorded score'}; for prioritising, not a clinical calculation).`);
  }
  return parts.length ? h('p', { class: 'nhsuk-body', text: parts.join(' ') }) : null;
}

/**
 * @param {HTMLElement} root
 * @param {{onClose: () => void}} handlers
 */
export function mountReasonsPanel(root, handlers) {
  root.hidden = true;
  const panel = {
    /** @param {any} member @param {string} cohortTitle */
    show(member, cohortTitle) {
      const heading = h('h3', { class: 'nhsuk-heading-m', id: 'reasons-heading', tabindex: '-1' },
        `Why ${member.name || 'this person'} is on this list`);
      const reasons = member.reasons ?? [];
      const checks = member.checks ?? [];
      replace(root,
        heading,
        h('p', { class: 'nhsuk-body' },
          `NHS number ${spacedNhs(member.nhs_number ?? '') || 'not recorded'}${member.nhs_number_valid === false ? ' (fails the check digit test)' : ''}; `,
          `aged ${member.age}; ${sexTitle(member.sex).toLowerCase()}; ethnic group ${ethnicityTitle(member.ethnicity_group).toLowerCase()}; `,
          `IMD quintile ${imdTitle(member.imd_quintile).toLowerCase()}; practice id ${member.patient_id}.`),
        flagsLine(member),
        dataTable(`Reasons: ${cohortTitle}`, ['Rule', 'Code', 'Term', 'Date', 'Value or detail'],
          reasons.map((/** @type {any} */ r) => [r.rule, r.code ?? '', r.term ?? '', ukDate(r.date), [valueText(r), r.detail].filter(Boolean).join('; ')]),
          { className: 'cf-reasons' }),
        checks.length
          ? dataTable('Checks', ['Check', 'Status', 'Date', 'Value', 'Detail', 'Term (code)'],
            checks.map((/** @type {any} */ c) => [
              c.title + (c.required ? '' : ' (optional)'),
              h('strong', { class: `nhsuk-tag ${c.done ? 'nhsuk-tag--green' : 'nhsuk-tag--red'}`, text: c.done ? 'Done' : 'Missing' }),
              ukDate(c.date), valueText(c), c.detail ?? '', c.code ? `${c.term ?? ''} (${c.code})` : '']),
            { className: 'cf-checks' })
          : null,
        dataTable(`Segment: ${segmentTitle(member.segment)}`, ['Rule', 'Code', 'Term', 'Date'],
          (member.segment_reasons ?? []).map((/** @type {any} */ r) => [r.rule, r.code ?? '', r.term ?? '', ukDate(r.date)])),
        member.efi
          ? dataTable(`Electronic frailty index: ${efiTitle(member.efi.category).toLowerCase()}, ${member.efi.deficits} of 36 deficits (score ${member.efi.score})`,
            ['Deficit', 'Code', 'Term', 'First recorded'],
            (member.efi.present ?? []).map((/** @type {any} */ d) => [d.rule, d.code ?? '', d.term ?? '', ukDate(d.date)]))
          : null,
        h('button', { class: 'nhsuk-button nhsuk-button--secondary', type: 'button', id: 'reasons-close', onclick: () => panel.hide(true) },
          'Close reasons'));
      root.hidden = false;
      heading.focus();
    },
    /** @param {boolean} [returnFocus] */
    hide(returnFocus = false) {
      root.hidden = true;
      root.replaceChildren();
      if (returnFocus) handlers.onClose();
    },
  };
  return panel;
}
