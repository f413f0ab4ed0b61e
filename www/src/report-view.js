// Views of the report for the page, computed in the worker: the summary
// without member lists, a worklist's table rows, and one member's detail.
// Presentation only: every count and reason comes from the report as the
// WASM core wrote it.

/** @typedef {import('./protocol.js').Summary} Summary */
/** @typedef {import('./protocol.js').Row} Row */

/**
 * The report without `members` (which can run to tens of megabytes).
 * @param {any} report
 * @returns {Summary}
 */
export function summarise(report) {
  /** @type {Record<string, any>} */
  const cohorts = {};
  for (const [id, cohort] of Object.entries(report.cohorts)) {
    const { members, ...rest } = /** @type {any} */ (cohort);
    cohorts[id] = { id, ...rest, listed: members.length };
  }
  return { ...report, cohorts };
}

/**
 * @param {any} report
 * @param {string} cohortId
 */
function cohortOf(report, cohortId) {
  const cohort = report?.cohorts?.[cohortId];
  if (!cohort) throw new Error(`There is no cohort '${cohortId}' in the report.`);
  return cohort;
}

/**
 * The table rows of one cohort's members, in the report's order.
 * @param {any} report
 * @param {string} cohortId
 * @returns {Row[]}
 */
export function worklistRows(report, cohortId) {
  const cohort = cohortOf(report, cohortId);
  return cohort.members.map((/** @type {any} */ m, /** @type {number} */ index) => ({
    index,
    nhs: m.nhs_number ?? '',
    nhsValid: m.nhs_number_valid !== false,
    name: m.name ?? '',
    age: m.age,
    sex: m.sex,
    imd: m.imd_quintile ?? null,
    segment: m.segment,
    missing: (m.checks ?? []).filter((/** @type {any} */ c) => c.required && !c.done).map((/** @type {any} */ c) => c.title),
  }));
}

/**
 * One member as the report holds them: reasons, checks, segment reasons.
 * @param {any} report
 * @param {string} cohortId
 * @param {number} index
 */
export function memberDetail(report, cohortId, index) {
  const member = cohortOf(report, cohortId).members[index];
  if (!member) throw new Error(`Row ${index} is not on the list.`);
  return member;
}
