// Three of Cohort Finder's cohorts as SQL for DuckDB, written from the rule
// files (rules/*.toml, rules/settings.toml defaults) so that a general-purpose
// engine can be timed on the same question over the same bytes:
//
//   smi   rules/serious_mental_illness.toml: smi_health_checks, people on the
//         SMI register and which of the six physical health checks each lacks
//   ld    rules/learning_disability.toml: ld_health_check_due
//   hyp   rules/hypertension.toml: hypertension_case_finding
//
// What the engine does, and the SQL below does the same way:
// - the current population on the as-of date: born, not died, not
//   deregistered (on or before the date), registered (if a date is given) on
//   or before it (Patient::not_current);
// - nothing dated after the as-of date is read;
// - age in completed years on the as-of date;
// - a window of N months is "after as-of minus N months": 12 months ending
//   2026-11-23 starts 2026-11-24 a year before (Window::start); 5 years is 60
//   months; the financial year starts on the 1 April on or before the date;
// - a register with resolution codes (SMI, hypertension): the latest
//   diagnosis code that is not itself a resolution code, not followed by a
//   resolution code on a later day (a resolution the same day does not
//   resolve it; register_match);
// - codes belong to clusters by code alone, whatever the code system.
//
// `cluster_codes(cluster, code)` is the engine's own codelists, written by
// `cohort-finder definitions --cluster ID`.

/** The clusters the three queries read. */
export const CLUSTERS = [
  'smi', 'smi_remission', 'lithium', 'bmi', 'bp', 'cholesterol', 'hba1c', 'alcohol', 'smoking',
  'ld', 'ld_health_check', 'hyp', 'hyp_resolved',
];

/** The SMI physical health checks in the rule file's order: id, cluster, title. */
export const SMI_CHECKS = [
  ['bmi', 'bmi', 'BMI'], ['blood_pressure', 'bp', 'Blood pressure'], ['lipids', 'cholesterol', 'Lipids (cholesterol)'],
  ['glucose', 'hba1c', 'Blood glucose or HbA1c'], ['alcohol', 'alcohol', 'Alcohol consumption'],
  ['smoking', 'smoking', 'Smoking status'],
];

const date = (asOf) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new Error(`not a date: ${asOf}`);
  return `DATE '${asOf}'`;
};

/** The first day of an N-month window ending on the as-of date. */
const monthsStart = (d, months) => `(CAST(${d} - INTERVAL ${months} MONTH AS DATE) + 1)`;

/**
 * Reads both CSV files into tables: the "load" DuckDB is timed on. Only the
 * columns the three cohorts read are kept (every byte is still parsed), as an
 * analyst would write it; the terms alone would take more memory than the rest.
 */
export function loadSql() {
  return [
    `CREATE OR REPLACE TABLE patients AS
     SELECT patient_id, date_of_birth, registered_date, deregistered_date, date_of_death
     FROM read_csv('patients.csv', header = true,
       types = {'patient_id': 'VARCHAR', 'nhs_number': 'VARCHAR', 'date_of_birth': 'DATE', 'registered_date': 'DATE',
                'deregistered_date': 'DATE', 'date_of_death': 'DATE'})`,
    `CREATE OR REPLACE TABLE events AS
     SELECT patient_id, code, date
     FROM read_csv('events.csv', header = true, types = {'patient_id': 'VARCHAR', 'code': 'VARCHAR', 'date': 'DATE'})`,
  ];
}

/** The codelists table and the views every query reads (cheap: views only). */
export function setupSql(asOf) {
  const d = date(asOf);
  return [
    `CREATE OR REPLACE TABLE cluster_codes AS SELECT * FROM read_csv('clusters.csv', header = true,
       columns = {'cluster': 'VARCHAR', 'code': 'VARCHAR'})`,
    // Registered and alive on the as-of date, with their age then.
    `CREATE OR REPLACE VIEW current_patients AS
     SELECT patient_id,
            year(${d}) - year(date_of_birth)
              - CASE WHEN month(${d}) < month(date_of_birth)
                       OR (month(${d}) = month(date_of_birth) AND day(${d}) < day(date_of_birth)) THEN 1 ELSE 0 END AS age
     FROM patients
     WHERE date_of_birth <= ${d}
       AND (date_of_death IS NULL OR date_of_death > ${d})
       AND (deregistered_date IS NULL OR deregistered_date > ${d})
       AND (registered_date IS NULL OR registered_date <= ${d})`,
    // Diagnosis codes that are not resolution codes too ("schizophrenia in remission" is in both).
    `CREATE OR REPLACE VIEW diagnosis_codes AS
     SELECT 'smi' AS cluster, code FROM cluster_codes WHERE cluster = 'smi'
       AND code NOT IN (SELECT code FROM cluster_codes WHERE cluster = 'smi_remission')
     UNION ALL
     SELECT 'hyp', code FROM cluster_codes WHERE cluster = 'hyp'
       AND code NOT IN (SELECT code FROM cluster_codes WHERE cluster = 'hyp_resolved')`,
  ];
}

/**
 * Coded events in some clusters, on or before the as-of date, and in the
 * diagnosis codes of some registers (as `dx_<cluster>`).
 */
const list = (xs) => xs.map((x) => `'${x}'`).join(', ');
const coded = (d, clusters, diagnoses = []) => `
  SELECT e.patient_id, e.date, c.cluster
  FROM events e
  JOIN (SELECT cluster, code FROM cluster_codes WHERE cluster IN (${list(clusters)})
        UNION ALL SELECT 'dx_' || cluster, code FROM diagnosis_codes WHERE cluster IN (${list(diagnoses.length ? diagnoses : [''])})) c
    ON e.code = c.code
  WHERE e.date <= ${d}`;

/**
 * The queries, each answering with patient ids (and, for SMI, the checks
 * missing, comma-separated in the rule file's order).
 */
export function cohortSql(asOf) {
  const d = date(asOf);
  const smiFrom = monthsStart(d, 12); // $smi_checks_window = 12 months
  const lithiumFrom = monthsStart(d, 6); // $lithium_window = 6 months
  const bpFrom = monthsStart(d, 60); // $case_finding_window = 5 years
  // $ld_health_check_window = financial_year
  const fyStart = `make_date(CASE WHEN month(${d}) >= 4 THEN year(${d}) ELSE year(${d}) - 1 END, 4, 1)`;
  const smi = `
    WITH coded AS (${coded(d, ['smi_remission', 'lithium', 'bmi', 'bp', 'cholesterol', 'hba1c', 'alcohol', 'smoking'], ['smi'])}),
    per AS (
      SELECT patient_id,
             max(date) FILTER (WHERE cluster = 'dx_smi') AS diagnosed,
             max(date) FILTER (WHERE cluster = 'smi_remission') AS remission,
             bool_or(cluster = 'lithium' AND date >= ${lithiumFrom}) AS lithium,
             ${SMI_CHECKS.map(([id, cluster]) => `bool_or(cluster = '${cluster}' AND date >= ${smiFrom}) AS ${id}`).join(',\n             ')}
      FROM coded GROUP BY patient_id),
    register AS (
      SELECT per.* FROM current_patients p JOIN per USING (patient_id)
      WHERE (diagnosed IS NOT NULL AND (remission IS NULL OR remission <= diagnosed)) OR lithium)
    SELECT patient_id, concat_ws(',', ${SMI_CHECKS.map(([id]) => `CASE WHEN NOT ${id} THEN '${id}' END`).join(', ')}) AS missing
    FROM register
    WHERE NOT (${SMI_CHECKS.map(([id]) => id).join(' AND ')})
    ORDER BY patient_id`;
  const ld = `
    WITH coded AS (${coded(d, ['ld', 'ld_health_check'])}),
    per AS (
      SELECT patient_id,
             bool_or(cluster = 'ld') AS on_register,
             bool_or(cluster = 'ld_health_check' AND date >= ${fyStart}) AS health_check
      FROM coded GROUP BY patient_id)
    SELECT patient_id FROM current_patients JOIN per USING (patient_id)
    WHERE on_register AND age >= 14 AND NOT health_check
    ORDER BY patient_id`;
  const hyp = `
    WITH coded AS (${coded(d, ['hyp_resolved', 'bp'], ['hyp'])}),
    per AS (
      SELECT patient_id,
             max(date) FILTER (WHERE cluster = 'dx_hyp') AS diagnosed,
             max(date) FILTER (WHERE cluster = 'hyp_resolved') AS resolved,
             bool_or(cluster = 'bp' AND date >= ${bpFrom}) AS bp_recent
      FROM coded GROUP BY patient_id)
    SELECT patient_id FROM current_patients LEFT JOIN per USING (patient_id)
    WHERE age >= 40
      AND NOT coalesce(diagnosed IS NOT NULL AND (resolved IS NULL OR resolved <= diagnosed), false)
      AND NOT coalesce(bp_recent, false)
    ORDER BY patient_id`;
  return { smi, ld, hyp };
}
