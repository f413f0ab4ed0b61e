// Start screen: the as-of date, the demo practice (size and deprivation),
// and the practice's own files (picker or drag and drop).
import { h, uid } from '../dom.js';
import { today } from '../format.js';

/**
 * @typedef {{patients: number, deprivation: string, asOf: string}} DemoChoice
 * @typedef {{patients: File, events: File[], asOf: string}} FilesChoice
 * @typedef {{files: File[], asOf: string}} FhirChoice
 * @typedef {{file: File, asOf: string}} WideChoice
 */

/**
 * @param {string} name
 * @param {string} legend
 * @param {[string, string][]} options value, label
 * @param {string} checked
 */
function radios(name, legend, options, checked) {
  return h('div', { class: 'nhsuk-form-group' },
    h('fieldset', { class: 'nhsuk-fieldset' },
      h('legend', { class: 'nhsuk-fieldset__legend nhsuk-fieldset__legend--s', text: legend }),
      h('div', { class: 'nhsuk-radios nhsuk-radios--inline nhsuk-radios--small' },
        options.map(([value, label]) => {
          const id = uid(name);
          return h('div', { class: 'nhsuk-radios__item' },
            h('input', { class: 'nhsuk-radios__input', id, name, type: 'radio', value, checked: value === checked }),
            h('label', { class: 'nhsuk-label nhsuk-radios__label', for: id, text: label }));
        }))));
}

/**
 * Guesses which files are events files: a name with "event" in it.
 * @param {File} file
 */
const looksLikeEvents = (file) => /event/i.test(file.name);

/**
 * @param {HTMLElement} root
 * @param {{onDemo: (c: DemoChoice) => void, onFiles: (c: FilesChoice) => void, onFhir: (c: FhirChoice) => void,
 *   onWide: (c: WideChoice) => void, onError: (m: string) => void}} handlers
 */
export function mountStartForm(root, handlers) {
  const asOfId = uid('as-of');
  const asOf = h('input', { class: 'nhsuk-input nhsuk-input--width-10', id: asOfId, name: 'as-of', type: 'date',
    value: today(), required: true, 'aria-describedby': `${asOfId}-hint` });

  /** @returns {string | null} */
  const asOfValue = () => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf.value)) {
      handlers.onError('Enter the date to draw the lists up for, as day, month and year.');
      asOf.focus();
      return null;
    }
    return asOf.value;
  };

  const demoForm = h('form', { class: 'cf-card', 'aria-labelledby': 'demo-heading', novalidate: true },
    h('h2', { class: 'nhsuk-heading-m', id: 'demo-heading', text: 'Try the demo practice' }),
    h('p', { class: 'nhsuk-body', text: 'A made-up practice, generated in this browser by the same code the command line uses.' }),
    radios('demo-size', 'Number of patients', [['1000', '1,000'], ['10000', '10,000'], ['50000', '50,000']], '10000'),
    radios('demo-deprivation', 'Deprivation profile', [['deprived', 'Deprived'], ['average', 'Average'], ['affluent', 'Affluent']], 'average'),
    h('button', { class: 'nhsuk-button', type: 'submit', id: 'demo-button', text: 'Demo practice' }));
  demoForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const date = asOfValue();
    if (!date) return;
    const data = new FormData(demoForm);
    handlers.onDemo({
      patients: Number(data.get('demo-size')),
      deprivation: String(data.get('demo-deprivation')),
      asOf: date,
    });
  });

  const patientsId = uid('patients-file');
  const eventsId = uid('events-file');
  const patientsInput = h('input', { class: 'nhsuk-file-upload', id: patientsId, type: 'file', accept: '.csv,.tsv,.txt,text/csv' });
  const eventsInput = h('input', { class: 'nhsuk-file-upload', id: eventsId, type: 'file', multiple: true, accept: '.csv,.tsv,.txt,text/csv' });
  /** Files dropped, kept apart from the inputs (which cannot be set from a drop everywhere). */
  /** @type {{patients: File | null, events: File[]}} */
  const dropped = { patients: null, events: [] };
  const dropStatus = h('p', { class: 'nhsuk-body-s cf-drop__status', 'aria-live': 'polite' });

  const describeDropped = () => {
    const parts = [];
    if (dropped.patients) parts.push(`patients: ${dropped.patients.name}`);
    if (dropped.events.length) parts.push(`events: ${dropped.events.map((f) => f.name).join(', ')}`);
    dropStatus.textContent = parts.length ? `Dropped ${parts.join('; ')}.` : '';
  };

  const drop = h('div', { class: 'cf-drop', id: 'drop-zone' },
    h('p', { class: 'nhsuk-body', text: 'Or drag both files here. A file with "event" in its name is taken as the events file.' }),
    dropStatus);
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('cf-drop--over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('cf-drop--over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('cf-drop--over');
    for (const file of Array.from(event.dataTransfer?.files ?? [])) {
      if (looksLikeEvents(file)) dropped.events.push(file);
      else dropped.patients = file;
    }
    describeDropped();
  });

  const filesForm = h('form', { class: 'cf-card', 'aria-labelledby': 'files-heading', novalidate: true },
    h('h2', { class: 'nhsuk-heading-m', id: 'files-heading', text: "Load your practice's export" }),
    h('p', { class: 'nhsuk-body', text: 'Two CSV files: one row per patient, and one row per coded event. They are read here and never leave this computer.' }),
    h('div', { class: 'nhsuk-form-group' },
      h('label', { class: 'nhsuk-label', for: patientsId, text: 'Patients file' }),
      patientsInput),
    h('div', { class: 'nhsuk-form-group' },
      h('label', { class: 'nhsuk-label', for: eventsId, text: 'Events file (you can choose more than one)' }),
      eventsInput),
    drop,
    h('button', { class: 'nhsuk-button nhsuk-button--secondary', type: 'submit', id: 'files-button', text: 'Read the files' }));
  filesForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const date = asOfValue();
    if (!date) return;
    const patients = patientsInput.files?.[0] ?? dropped.patients;
    const events = eventsInput.files?.length ? Array.from(eventsInput.files) : dropped.events;
    if (!patients) {
      handlers.onError('Choose the patients file.');
      patientsInput.focus();
      return;
    }
    if (events.length === 0) {
      handlers.onError('Choose the events file.');
      eventsInput.focus();
      return;
    }
    handlers.onFiles({ patients, events, asOf: date });
  });

  // Other shapes of export: FHIR R4 files, or a report of one row a patient.
  const fhirId = uid('fhir-files');
  const fhirInput = h('input', { class: 'nhsuk-file-upload', id: fhirId, type: 'file', multiple: true,
    accept: '.json,.ndjson,.gz,application/json,application/fhir+json,application/x-ndjson' });
  const wideId = uid('wide-file');
  const wideInput = h('input', { class: 'nhsuk-file-upload', id: wideId, type: 'file', accept: '.csv,.tsv,.txt,text/csv' });
  const otherForm = h('form', { class: 'cf-card', 'aria-labelledby': 'other-heading', novalidate: true },
    h('h2', { class: 'nhsuk-heading-m', id: 'other-heading', text: 'Other exports' }),
    h('div', { class: 'nhsuk-form-group' },
      h('label', { class: 'nhsuk-label', for: fhirId, text: 'FHIR R4 files' }),
      h('div', { class: 'nhsuk-hint', id: `${fhirId}-hint`, text: 'Bundles or bulk-export NDJSON, gzipped or not; choose every file of the export.' }),
      fhirInput),
    h('button', { class: 'nhsuk-button nhsuk-button--secondary', type: 'button', id: 'fhir-button', text: 'Read the FHIR files',
      onclick: () => {
        const date = asOfValue();
        if (!date) return;
        const files = Array.from(fhirInput.files ?? []);
        if (files.length === 0) {
          handlers.onError('Choose the FHIR files.');
          fhirInput.focus();
          return;
        }
        handlers.onFhir({ files, asOf: date });
      } }),
    h('div', { class: 'nhsuk-form-group' },
      h('label', { class: 'nhsuk-label', for: wideId, text: 'A report with one row a patient' }),
      h('div', { class: 'nhsuk-hint', text: 'For example a search exported with columns such as "Latest BP date" and "On SMI register". You say which column is which next.' }),
      wideInput),
    h('button', { class: 'nhsuk-button nhsuk-button--secondary', type: 'button', id: 'wide-button', text: 'Choose what the columns hold',
      onclick: () => {
        const date = asOfValue();
        if (!date) return;
        const file = wideInput.files?.[0];
        if (!file) {
          handlers.onError('Choose the report file.');
          wideInput.focus();
          return;
        }
        handlers.onWide({ file, asOf: date });
      } }));
  fhirInput.setAttribute('aria-describedby', `${fhirId}-hint`);

  const section = h('section', { class: 'cf-start', 'aria-labelledby': 'start-heading' },
    h('h1', { class: 'nhsuk-heading-l', id: 'start-heading', text: 'Find the people due proactive care' }),
    h('div', { class: 'nhsuk-form-group' },
      h('label', { class: 'nhsuk-label nhsuk-label--s', for: asOfId, text: 'Draw the lists up as of' }),
      h('div', { class: 'nhsuk-hint', id: `${asOfId}-hint`, text: 'Every time window ends on this date; nothing recorded after it is read.' }),
      asOf),
    h('div', { class: 'cf-start__choices' }, demoForm, filesForm, otherForm));
  root.replaceChildren(section);

  return {
    /**
     * Runs the demo at once when the address asks for it, as
     * `?demo=10000&deprivation=average` (what scripts/serve prints), and
     * `&as-of=yyyy-mm-dd` for another date than today.
     */
    demoFromAddress() {
      const params = new URLSearchParams(location.search);
      const size = params.get('demo');
      if (!size) return;
      asOf.value = params.get('as-of') ?? asOf.value;
      for (const [name, value] of [['demo-size', size], ['demo-deprivation', params.get('deprivation') ?? 'average']]) {
        const radio = /** @type {HTMLInputElement | null} */ (demoForm.querySelector(`input[name="${name}"][value="${CSS.escape(value)}"]`));
        if (radio) radio.checked = true;
        else {
          handlers.onError(`The address asks for a demo with ${name.replace('demo-', '')} '${value}', which is not one of the choices.`);
          return;
        }
      }
      demoForm.requestSubmit();
    },
    /** @param {boolean} busy */
    setBusy(busy) {
      for (const button of section.querySelectorAll('button')) button.disabled = busy;
    },
    asOf: () => asOf.value,
  };
}
