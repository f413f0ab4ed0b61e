// The Web Worker that owns the WASM Session. The page never runs analysis:
// it sends requests here and gets replies (and progress) back.
//
// Protocol (see protocol.js): the page posts {id, type, ...}; the worker
// answers {id, ok: true, result} or {id, ok: false, error}, and may post
// {id, progress: {...}} any number of times before the answer.
//
// Patient rows stay here: the page asks for a summary and for one page of a
// worklist at a time, so a 50,000-row list never crosses to the page whole.
import init, { Session, inputFields, synthPractice, worklistColumns } from '../pkg/cohort_finder.js';

/** @typedef {import('./protocol.js').Request} Request */
/** @typedef {import('./protocol.js').Source} Source */

/** @type {Promise<unknown> | null} */
let ready = null;
/** The module's memory, whose size the page reports after each load. @type {WebAssembly.Memory | null} */
let memory = null;
/** @type {Session | null} */
let session = null;
/**
 * What was last loaded, so the same files can be read again with another
 * column mapping or codelist. Files are references to the user's disk, not copies.
 * @type {Source | null}
 */
let source = null;

/**
 * Inflates the gzipped module with the browser's DecompressionStream and
 * instantiates it from bytes (no fetch: this works from file://).
 * @param {string} base64
 */
async function start(base64) {
  const gz = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const inflated = new Blob([gz]).stream().pipeThrough(new DecompressionStream('gzip'));
  const bytes = await new Response(inflated).arrayBuffer();
  memory = (await init({ module_or_path: bytes })).memory;
}

/**
 * @param {number} id
 * @param {import('./protocol.js').Progress} progress
 */
function progress(id, progress) {
  self.postMessage({ id, progress });
}

/** One file to stream: its name, size and a `read(start, end)` over its bytes. */
/** @typedef {{kind: 'patients' | 'events', name: string, size: number, read: (start: number, end: number) => Uint8Array}} Input */

/**
 * Reads a File in slices with FileReaderSync: the whole file is never held.
 * @param {File} file
 */
function fileReader(file) {
  const reader = new FileReaderSync();
  return (/** @type {number} */ start, /** @type {number} */ end) =>
    new Uint8Array(reader.readAsArrayBuffer(file.slice(start, end)));
}

/**
 * The files a source stands for: a demo practice is generated here by the
 * same code as the command line's `synth`.
 * @param {number} id
 * @param {Source} from
 * @returns {Input[]}
 */
function inputsOf(id, from) {
  if (from.type === 'demo') {
    progress(id, { stage: 'generating', patients: from.patients });
    const [patients, events] = synthPractice(from.patients, BigInt(from.seed), from.deprivation, from.asOf);
    const read = (/** @type {Uint8Array} */ bytes) => (/** @type {number} */ s, /** @type {number} */ e) => bytes.subarray(s, e);
    return [
      { kind: 'patients', name: 'demo/patients.csv', size: patients.length, read: read(patients) },
      { kind: 'events', name: 'demo/events.csv', size: events.length, read: read(events) },
    ];
  }
  return [from.patients, ...from.events].map((file, i) =>
    ({ kind: i === 0 ? 'patients' : 'events', name: file.name, size: file.size, read: fileReader(file) }));
}

/**
 * Streams every input into a new session, posting bytes read at most every
 * 50 ms, then builds the population.
 * @param {number} id
 * @param {Input[]} inputs
 * @param {string} config
 */
function load(id, inputs, config) {
  // A bad configuration fails here, before the loaded practice is dropped.
  const next = new Session(config);
  session?.free();
  session = null;
  inputs.forEach(({ kind, name, size, read }, index) => {
    let last = 0;
    const report = (/** @type {number} */ bytes, /** @type {number} */ lines) =>
      progress(id, { stage: 'reading', kind, file: name, bytes, lines, size, index, of: inputs.length });
    report(0, 0);
    const onProgress = (/** @type {number} */ bytes, /** @type {number} */ lines) => {
      const now = performance.now();
      if (now - last > 50 || bytes >= size) {
        last = now;
        report(bytes, lines);
      }
    };
    if (kind === 'patients') next.loadPatients(name, size, read, onProgress);
    else next.loadEvents(name, size, read, onProgress);
  });
  progress(id, { stage: 'building' });
  const counts = JSON.parse(next.finishLoading());
  session = next;
  return counts;
}

/**
 * @param {number} id
 * @param {string} asOf
 */
function analyse(id, asOf) {
  progress(id, { stage: 'analysing' });
  return JSON.parse(loaded().analyse(asOf));
}

function loaded() {
  if (!session) throw new Error('Load a practice first.');
  return session;
}

/** @param {Request} request */
async function handle(request) {
  const { id } = request;
  switch (request.type) {
    case 'init':
      ready = start(request.wasm);
      await ready;
      return { fields: JSON.parse(inputFields()), columns: JSON.parse(worklistColumns()) };
    case 'load': {
      await ready;
      const t0 = performance.now();
      // A new source, or the last one again (with a new mapping or codelist).
      const from = request.source ?? source;
      if (!from) throw new Error('Choose the files to read first.');
      const counts = load(id, inputsOf(id, from), request.config);
      source = from;
      const summary = analyse(id, request.asOf);
      return { summary, counts, totalMs: performance.now() - t0, wasmMemoryBytes: memory?.buffer.byteLength ?? 0 };
    }
    case 'analyse':
      return { summary: analyse(id, request.asOf) };
    case 'page':
      return JSON.parse(loaded().worklistPage(JSON.stringify(request.query)));
    case 'csv':
      return loaded().worklistCsv(JSON.stringify(request.query), JSON.stringify(request.columns), request.header);
    case 'equity-csv':
      return loaded().equityCsv();
    case 'nhs':
      return JSON.parse(loaded().nhsNumberList(JSON.stringify(request.query)));
    case 'definitions':
      return JSON.parse(loaded().definitions());
    default:
      throw new Error(`unknown request ${/** @type {any} */ (request).type}`);
  }
}

self.onmessage = async (/** @type {MessageEvent<Request>} */ event) => {
  const { id } = event.data;
  try {
    const result = await handle(event.data);
    self.postMessage({ id, ok: true, result });
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    self.postMessage({ id, ok: false, error });
  }
};
