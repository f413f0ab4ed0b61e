// Words and numbers for display. No clinical logic: labels for ids the
// report uses, and UK formats.

const numberFormat = new Intl.NumberFormat('en-GB');

/** @param {number | null | undefined} n */
export const num = (n) => (n === null || n === undefined ? '–' : numberFormat.format(n));

/** @param {number} part @param {number} whole */
export const percent = (part, whole) => (whole > 0 ? `${Math.round((100 * part) / whole)}%` : '–');

/**
 * yyyy-mm-dd → dd/mm/yyyy, as the report's own reasons write dates.
 * @param {string | null | undefined} iso
 */
export function ukDate(iso) {
  if (!iso) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

/** yyyy-mm-dd → "23 November 2026". @param {string} iso */
export function longDate(iso) {
  const d = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** Today as yyyy-mm-dd, in the user's time zone. */
export function today() {
  const d = new Date();
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** @param {number} bytes */
export const megabytes = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * Segment titles as rules/segments.toml writes them. The report carries
 * segment ids only; an id not listed here is shown in words made from it.
 * @type {Record<string, string>}
 */
const SEGMENTS = {
  end_of_life: 'End of life',
  frailty: 'Frailty',
  cancer: 'Cancer',
  serious_mental_illness: 'Serious mental illness',
  learning_disability_neurodiversity: 'Learning disability and/or neurodiversity',
  maternity: 'Maternity',
  children_young_people: 'Children and young people',
  long_term_conditions: 'Long-term conditions',
  healthy_adults: 'Healthy adults',
};

/** "some_id" → "Some id". @param {string} id */
export const words = (id) => {
  const s = String(id).replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
};

/** "Ethnic group" → "ethnic group", but "IMD quintile" stays. @param {string} text */
export const lowerFirst = (text) => (/^[A-Z]{2}/.test(text) ? text : text.charAt(0).toLowerCase() + text.slice(1));

/** @param {string} id */
export const segmentTitle = (id) => SEGMENTS[id] ?? words(id);

/** @type {Record<string, string>} */
const EFI = { fit: 'Fit', mild: 'Mild frailty', moderate: 'Moderate frailty', severe: 'Severe frailty' };
/** @param {string} id */
export const efiTitle = (id) => EFI[id] ?? words(id);

/** @type {Record<string, string>} */
const BANDS = { '0-1': '0 or 1 registers', '2-3': '2 or 3 (multimorbidity)', '4+': '4 or more (complex multimorbidity)' };
/** A multimorbidity band's title. @param {string} id */
export const multimorbidityTitle = (id) => BANDS[id] ?? id;

/** @param {string} sex */
export const sexTitle = (sex) => ({ female: 'Female', male: 'Male' })[sex] ?? 'Not recorded';

/** The report's breakdown groups, in its order. */
export const IMD_QUINTILES = ['1', '2', '3', '4', '5', 'not_recorded'];
export const AGE_BANDS = ['0-17', '18-39', '40-64', '65-79', '80+'];
/** @type {[string, string][]} ethnic group id, title (the core's groups) */
export const ETHNICITIES = [
  ['white', 'White'],
  ['mixed', 'Mixed or multiple'],
  ['asian', 'Asian or Asian British'],
  ['black', 'Black or Black British'],
  ['other', 'Other ethnic group'],
  ['not_recorded', 'Not recorded'],
];
/** @param {string} id */
export const ethnicityTitle = (id) => ETHNICITIES.find(([value]) => value === id)?.[1] ?? words(id);

/** IMD quintile: 1 is the most deprived fifth. @param {number | null} q */
export const imdTitle = (q) => (q === null || q === undefined ? 'Not recorded' : String(q));

/**
 * A value with its unit, e.g. "26.1 kg/m2".
 * @param {{value?: number | null, unit?: string | null}} item
 */
export const valueText = (item) =>
  item.value === null || item.value === undefined ? '' : `${item.value}${item.unit ? ` ${item.unit}` : ''}`;

/** Titles for the input fields and CSV columns whose ids do not read as words. @type {Record<string, string>} */
const FIELD_TITLES = {
  patient_id: 'Practice patient id',
  nhs_number: 'NHS number',
  imd_decile: 'IMD decile',
  imd_quintile: 'IMD quintile',
  lsoa: 'LSOA',
  core20: 'Core20 (most deprived 20%)',
  risk_percent: 'Emergency admission risk (%)',
  risk_tier: 'Risk tier',
};
/** @param {string} id */
export const fieldTitle = (id) => FIELD_TITLES[id] ?? words(id);
