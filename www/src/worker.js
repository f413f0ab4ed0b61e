// The Web Worker that owns the WASM Session. The page never runs analysis:
// it sends requests here and gets replies (and progress) back.
//
// Protocol (see protocol.js): the page posts {id, type, ...}; the worker
// answers {id, ok: true, result} or {id, ok: false, error}, and may post
// {id, progress: {...}} any number of times before the answer. After an
// internal error in the WASM module (a panic, which traps) it answers
// {id, ok: false, kind: 'crash', error, panic, during} to that request and
// every later one, and the page starts a fresh worker.
//
// Patient rows stay here: the page asks for a summary and for one page of a
// worklist at a time, so a 50,000-row list never crosses to the page whole.
// A list comparison's rows do cross (joined, left, on both: short lists),
// and nothing is ever stored.
import init, {
  LineScan, PracticeComparison, Session, generatingCoefficients, inputFields, lastPanic, synthPractice, wideProfileToml,
  worklistColumns,
} from '../pkg/cohort_finder.js';

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
/** The configuration the loaded practice was read with, for the other extracts read beside it. */
let config = '{}';
/** The as-of date of the loaded practice's latest analysis. */
let asOf = '';

/** Practices side by side: the loaded practice's own (exact) and any added. @type {PracticeComparison | null} */
let comparison = null;
/** The practice code for people whose record names none, in the loaded practice's own entries. */
const OWN_FALLBACK = 'this practice';
/** Codes the loaded practice's own summary put in the comparison, replaced after each analysis. @type {string[]} */
let ownCodes = [];
/** Why the loaded practice could not be put in the comparison, if it could not. */
let ownProblem = '';
/** Whether the loaded practice's entries predate its latest analysis. */
let ownStale = false;

/**
 * Last month's extract for a list comparison, and what it was read from, so
 * comparing another cohort does not read it again.
 * @type {{session: Session, key: string, input: Record<string, unknown>, asOf: string} | null}
 */
let before = null;

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

/**
 * One file to read: its name and size, and its bytes as they come. Patients
 * and events files arrive in `chunks` (each pushed to the session while the
 * next is read); FHIR and wide reports are pulled through `read(start, end)`.
 * A wide report carries its mapping profile (TOML or JSON text).
 * @typedef {{kind: 'patients' | 'events', name: string, size: number, chunks: () => AsyncIterable<Uint8Array>}
 *   | {kind: 'fhir' | 'wide', name: string, size: number, read: (start: number, end: number) => Uint8Array,
 *   profile?: string}} Input
 */

/** Bytes in each slice of a file read. */
const SLICE_BYTES = 4 * 1024 * 1024;
/** Slices asked of the page ahead of the one being parsed. */
const SLICES_AHEAD = 3;

/**
 * Reads a File in slices with FileReaderSync: the whole file is never held.
 * @param {File} file
 */
function fileReader(file) {
  const reader = new FileReaderSync();
  return (/** @type {number} */ start, /** @type {number} */ end) =>
    new Uint8Array(reader.readAsArrayBuffer(file.slice(start, end)));
}

/** Slices asked of the page and not yet come, by tag. @type {Map<number, {resolve: (b: Uint8Array) => void, reject: (e: Error) => void}>} */
const slicesWaiting = new Map();
let nextSliceTag = 0;

/**
 * One slice of a file, read on the page's thread and handed over (moved, not
 * copied): reading there lets this worker parse the slice before meanwhile.
 * @param {File} file @param {number} start @param {number} end
 * @returns {Promise<Uint8Array>}
 */
function sliceFromPage(file, start, end) {
  const tag = nextSliceTag++;
  return new Promise((resolve, reject) => {
    slicesWaiting.set(tag, { resolve, reject });
    self.postMessage({ readSlice: { tag, file, start, end } });
  });
}

/** @param {{slice: number, buf?: ArrayBuffer, error?: string}} reply */
function sliceArrived(reply) {
  const waiting = slicesWaiting.get(reply.slice);
  slicesWaiting.delete(reply.slice);
  if (reply.buf) waiting?.resolve(new Uint8Array(reply.buf));
  else waiting?.reject(new Error(reply.error ?? 'the slice could not be read'));
}

/**
 * A File's slices in order, with a few asked for ahead.
 * @param {File} file
 */
async function* fileSlices(file) {
  /** @type {Promise<Uint8Array>[]} */
  const asked = [];
  let next = 0;
  const ask = () => {
    if (next >= file.size) return;
    const end = Math.min(file.size, next + SLICE_BYTES);
    const slice = sliceFromPage(file, next, end);
    // Handled when its turn comes; not an unhandled rejection if reading stops before.
    slice.catch(() => {});
    asked.push(slice);
    next = end;
  };
  for (let i = 0; i < SLICES_AHEAD; i++) ask();
  while (asked.length) {
    const slice = await /** @type {Promise<Uint8Array>} */ (asked.shift());
    ask();
    yield slice;
  }
}

/**
 * Bytes already in memory, in slices.
 * @param {Uint8Array} bytes
 */
async function* byteSlices(bytes) {
  for (let start = 0; start < bytes.byteLength; start += SLICE_BYTES) yield bytes.subarray(start, start + SLICE_BYTES);
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
    return [
      { kind: 'patients', name: 'demo/patients.csv', size: patients.byteLength, chunks: () => byteSlices(patients) },
      { kind: 'events', name: 'demo/events.csv', size: events.byteLength, chunks: () => byteSlices(events) },
    ];
  }
  const pulled = (/** @type {'fhir' | 'wide'} */ kind, /** @type {File} */ file) =>
    ({ kind, name: file.name, size: file.size, read: fileReader(file) });
  const pushed = (/** @type {'patients' | 'events'} */ kind, /** @type {File} */ file) =>
    ({ kind, name: file.name, size: file.size, chunks: () => fileSlices(file) });
  if (from.type === 'fhir') return from.files.map((file) => pulled('fhir', file));
  if (from.type === 'wide') return [{ ...pulled('wide', from.file), profile: from.profile }];
  return [pushed('patients', from.patients), ...from.events.map((file) => pushed('events', file))];
}

/**
 * Reads every input into `next`, posting bytes read at most every 50 ms,
 * then builds the population.
 * @param {number} id
 * @param {Session} next
 * @param {Input[]} inputs
 */
async function readInputs(id, next, inputs) {
  for (const [index, input] of inputs.entries()) {
    const { kind, name, size } = input;
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
    if (input.kind === 'patients' || input.kind === 'events') await pushFile(next, input, onProgress);
    else if (input.kind === 'fhir') next.loadFhir(name, size, input.read, onProgress);
    else next.loadWide(name, size, input.read, onProgress, input.profile ?? '');
  }
  progress(id, { stage: 'building' });
  return JSON.parse(next.finishLoading());
}

/**
 * Pushes a patients or events file to the session chunk by chunk. A chunk
 * that cannot be read ends the file there, with the rows before it read.
 * @param {Session} next
 * @param {Extract<Input, {chunks: unknown}>} input
 * @param {(bytes: number, lines: number) => void} onProgress
 */
async function pushFile(next, { kind, name, chunks }, onProgress) {
  next.beginFile(kind, name);
  let bytes = 0;
  try {
    for await (const chunk of chunks()) {
      const lines = next.pushBytes(chunk);
      bytes += chunk.byteLength;
      onProgress(bytes, lines);
    }
  } catch (e) {
    if (fatal(e)) throw e;
    next.failFile(`reading the file failed: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  next.endFile();
}

/** How long the latest load took to make its session (the engine: rules and codelists). */
let sessionMs = 0;

/**
 * Reads the practice into a new session, which replaces the loaded one.
 * @param {number} id
 * @param {Input[]} inputs
 * @param {string} configJson
 */
async function load(id, inputs, configJson) {
  // A bad configuration fails here, before the loaded practice is dropped.
  const t0 = performance.now();
  const next = freshSession(configJson);
  sessionMs = performance.now() - t0;
  session?.free();
  session = null;
  dropOwnSummary();
  let counts;
  try {
    counts = await readInputs(id, next, inputs);
  } catch (e) {
    if (!fatal(e)) next.free();
    throw e;
  }
  session = next;
  config = configJson;
  return counts;
}

/**
 * Reads files into a session of their own with the loaded practice's
 * configuration and draws it up as of `date`. The caller frees it.
 * @param {number} id @param {File[]} files patients first @param {string} date
 */
async function readOther(id, files, date) {
  const other = freshSession(config);
  try {
    await readInputs(id, other, inputsOf(id, { type: 'files', patients: files[0], events: files.slice(1) }));
    progress(id, { stage: 'analysing' });
    const summary = JSON.parse(other.analyse(date));
    return { session: other, input: summary.input };
  } catch (e) {
    other.free();
    throw e;
  }
}

/**
 * @param {number} id
 * @param {string} date
 */
function analyse(id, date) {
  progress(id, { stage: 'analysing' });
  const summary = JSON.parse(loaded().analyse(date));
  asOf = date;
  // Made when the comparison is next asked for: an extract of several
  // practices is analysed once more per practice, which the lists need not wait for.
  ownStale = true;
  return summary;
}

/**
 * Puts the loaded practice's latest analysis in the comparison, one entry
 * per practice code in its patients file, exact (it never leaves here).
 * A failure here leaves the lists drawn up and is shown on the comparison.
 */
function putOwnSummary() {
  dropOwnSummary();
  const table = practices();
  try {
    const name = sourceName();
    const added = JSON.parse(table.addSummary(name, loaded().summaryJson(true, OWN_FALLBACK), 'extract'));
    ownCodes = [...added.added, ...added.replaced];
  } catch (e) {
    ownProblem = `This practice could not be put in the comparison: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** Takes the loaded practice's entries out of the comparison. */
function dropOwnSummary() {
  // A code the user removed already is simply not there.
  for (const code of ownCodes) practices().remove(code);
  ownCodes = [];
  ownProblem = '';
}

/** The comparison, with the loaded practice's latest analysis in it. */
function practices() {
  comparison ??= new PracticeComparison();
  if (ownStale && session) {
    ownStale = false;
    putOwnSummary();
  }
  return comparison;
}

/** The group the comparison is shown for: empty strings for everyone. */
let view = { dimension: '', group: '' };

/** The comparison as the page draws it. */
function practicesState() {
  return { table: JSON.parse(practices().table(view.dimension, view.group)), ownCodes, ownFallback: OWN_FALLBACK,
    problem: ownProblem, stem: stem(sourceName()) };
}

/** The loaded practice's first file's name: what its summary is named after. */
function sourceName() {
  if (source?.type === 'files') return source.patients.name;
  if (source?.type === 'fhir') return source.files[0]?.name ?? 'fhir';
  if (source?.type === 'wide') return source.file.name;
  return 'demo/patients.csv';
}

/**
 * A file's name without its folder and extension: the practice code the
 * command line gives people whose record names none.
 * @param {string} name
 */
const stem = (name) => name.replace(/^.*\//, '').replace(/\.[^.]*$/, '') || 'practice';

/**
 * A file's identity for "is this the extract already read": name, size and
 * time modified of each, the as-of date and the configuration.
 * @param {File[]} files @param {string} date
 */
const extractKey = (files, date) =>
  JSON.stringify([files.map((f) => [f.name, f.size, f.lastModified]), date, config]);

/** A whole small file's bytes. @param {File} file */
const bytesOf = (file) => new Uint8Array(new FileReaderSync().readAsArrayBuffer(file));

/** Bytes of a wide report read for its preview. */
const PREVIEW_BYTES = 256 * 1024;
/**
 * A session with nothing read, kept for the latest configuration: it reads
 * profiles and previews, and the next load with that configuration takes it,
 * so the engine (rules and codelists) is made before the user asks for a load.
 */
let spare = /** @type {{config: string, session: Session} | null} */ (null);
/** The configuration of the spare to make next, once the worker is idle. */
let spareToMake = /** @type {string | null} */ (null);
/** How long the worker waits, with nothing to answer, before making a spare session. */
const IDLE_MS = 250;

/** @param {string} configJson */
function spareSession(configJson) {
  if (spare?.config !== configJson) {
    spare?.session.free();
    spare = { config: configJson, session: new Session(configJson) };
  }
  return spare.session;
}

/** A session with nothing read: the spare if its configuration is this, else a new one. @param {string} configJson */
function freshSession(configJson) {
  if (spare?.config !== configJson) return new Session(configJson);
  const { session: fresh } = spare;
  spare = null;
  if (spareToMake === null) setTimeout(makeSpareWhenIdle, IDLE_MS);
  spareToMake = configJson;
  return fresh;
}

/** Makes the spare a load took once no request is waiting, so that none waits for it. */
function makeSpareWhenIdle() {
  if (unanswered > 0) {
    setTimeout(makeSpareWhenIdle, IDLE_MS);
    return;
  }
  const configJson = spareToMake;
  spareToMake = null;
  // A preview may have made one meanwhile.
  if (configJson === null || spare || broken) return;
  try {
    spareSession(configJson);
  } catch (e) {
    if (fatal(e)) broken = { panic: panicMessage(e), during: 'prepare' };
    // Otherwise the error is met again, and shown, when a load next asks for this configuration.
  }
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
    case 'prepare':
      await ready;
      spareSession(request.config);
      return {};
    case 'load': {
      await ready;
      const t0 = performance.now();
      // A new source, or the last one again (with a new mapping or codelist).
      const from = request.source ?? source;
      if (!from) throw new Error('Choose the files to read first.');
      const counts = await load(id, inputsOf(id, from), request.config);
      source = from;
      const t1 = performance.now();
      const summary = analyse(id, request.asOf);
      const t2 = performance.now();
      return { summary, counts, totalMs: t2 - t0, elapsedMs: { session: sessionMs, loading: t1 - t0, analysing: t2 - t1 },
        wasmMemoryBytes: memory?.buffer.byteLength ?? 0 };
    }
    case 'scan': {
      // For scripts/bench-browser: a file read as a load reads it, counting line ends only.
      await ready;
      const t0 = performance.now();
      const scan = new LineScan();
      let lines = 0;
      try {
        for await (const chunk of fileSlices(request.file)) lines = scan.push(chunk);
      } finally {
        scan.free();
      }
      return { lines, bytes: request.file.size, elapsedMs: performance.now() - t0 };
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
    case 'practice-summary': {
      practices();
      const code = request.code || stem(sourceName());
      const text = loaded().summaryJson(false, code);
      return { text, codes: ownCodes.map((c) => (c === OWN_FALLBACK ? code : c)), asOf };
    }
    case 'practices':
      view = { dimension: request.dimension, group: request.group };
      return practicesState();
    case 'practices-add-summaries': {
      // One bad file gives its error; the others still go in.
      const added = [];
      const replaced = [];
      const errors = [];
      const reader = new FileReaderSync();
      for (const file of request.files) {
        try {
          const r = JSON.parse(practices().addSummary(file.name, reader.readAsText(file), 'summary'));
          added.push(...r.added);
          replaced.push(...r.replaced);
        } catch (e) {
          errors.push(e instanceof Error ? e.message : String(e));
        }
      }
      ownCodes = ownCodes.filter((c) => !replaced.includes(c));
      return { added, replaced, errors, ...practicesState() };
    }
    case 'practices-add-extract': {
      if (!asOf) throw new Error('Load a practice first: another practice is drawn up as of the same date.');
      const files = [request.patients, ...request.events];
      const other = await readOther(id, files, asOf);
      try {
        const text = other.session.summaryJson(true, request.code || stem(request.patients.name));
        const r = JSON.parse(practices().addSummary(request.patients.name, text, 'extract'));
        ownCodes = ownCodes.filter((c) => !r.replaced.includes(c));
        return { ...r, errors: [], input: other.input, ...practicesState() };
      } finally {
        other.session.free();
      }
    }
    case 'practices-remove':
      practices().remove(request.code);
      ownCodes = ownCodes.filter((c) => c !== request.code);
      return practicesState();
    case 'practices-funnel':
      return JSON.parse(practices().funnel(request.indicator, request.dimension, request.group));
    case 'practices-csv':
      return practices().csv();
    case 'lists-compare-extract': {
      const files = [request.patients, ...request.events];
      const key = extractKey(files, request.asOf);
      if (before?.key !== key) {
        before?.session.free();
        before = null;
        const other = await readOther(id, files, request.asOf);
        before = { session: other.session, key, input: other.input, asOf: request.asOf };
      }
      const result = JSON.parse(loaded().compareExtracts(before.session, request.cohort, request.beforeLabel, request.afterLabel));
      return { comparison: result, input: before.input };
    }
    case 'lists-compare-nhs': {
      const result = JSON.parse(loaded().compareNhsList(request.file.name, bytesOf(request.file), request.cohort, request.theirLabel));
      return { comparison: result, input: null };
    }
    case 'wide-preview': {
      await ready;
      // The start of the file is enough for its headers and first rows.
      const start = new Uint8Array(new FileReaderSync().readAsArrayBuffer(request.file.slice(0, PREVIEW_BYTES)));
      const probe = spareSession(request.config);
      return { preview: JSON.parse(probe.widePreview(request.file.name, start)), clusters: JSON.parse(probe.clusterTitles()) };
    }
    case 'wide-check': {
      await ready;
      const checked = JSON.parse(spareSession(request.config).checkWideProfile(request.text));
      return { ...checked, toml: checked.profile ? wideProfileToml(JSON.stringify(checked.profile)) : '' };
    }
    case 'risk-fit': {
      if (!asOf) throw new Error('Load a practice first.');
      const onStep = (/** @type {string} */ name, /** @type {number} */ step, /** @type {number} */ steps, /** @type {string} */ description) =>
        progress(id, { stage: 'risk', name, step, steps, description });
      const card = JSON.parse(loaded().riskModel(asOf, JSON.stringify(request.settings), onStep));
      return { card, generating: source?.type === 'demo' ? JSON.parse(generatingCoefficients()) : null };
    }
    case 'risk-csv':
      return loaded().riskScoresCsv();
    case 'lists-csv':
      return loaded().listComparisonCsv(request.group);
    case 'lists-nhs':
      return loaded().listComparisonNhs(request.group);
    default:
      throw new Error(`unknown request ${/** @type {any} */ (request).type}`);
  }
}

/**
 * Set once an export call has trapped: after a `WebAssembly.RuntimeError`
 * (a Rust panic ends in one) or a stack overflow inside the module, its
 * memory and wasm-bindgen's bookkeeping may be half-way through a change,
 * so nothing more is asked of it. The page replaces this worker.
 * @type {{panic: string, during: string} | null}
 */
let broken = null;

/**
 * Whether an error means the module can no longer be trusted.
 * @param {unknown} e
 */
const fatal = (e) => e instanceof WebAssembly.RuntimeError || (e instanceof RangeError && /call stack/i.test(e.message));

/** The panic message the module kept (src/wasm_panic.rs), or what the trap said. @param {unknown} e */
function panicMessage(e) {
  let kept = '';
  try {
    kept = lastPanic();
  } catch {
    // The module cannot even say: the trap's own message stands.
  }
  return kept || (e instanceof Error ? `${e.name}: ${e.message}` : String(e));
}

/** The requests so far, answered one at a time in order (a load waits on slices of its files). */
let answered = Promise.resolve();
/** Requests received and not yet answered. */
let unanswered = 0;

self.onmessage = (/** @type {MessageEvent<Request | {slice: number, buf?: ArrayBuffer, error?: string}>} */ event) => {
  const message = event.data;
  if ('slice' in message) {
    sliceArrived(message);
    return;
  }
  unanswered += 1;
  answered = answered.then(() => answer(message)).then(() => {
    unanswered -= 1;
  });
};

/** @param {Request} request */
async function answer(request) {
  const { id, type } = request;
  if (broken) {
    self.postMessage({ id, ok: false, kind: 'crash', error: 'The analysis engine stopped after an internal error.', ...broken });
    return;
  }
  try {
    const result = await handle(request);
    self.postMessage({ id, ok: true, result });
  } catch (e) {
    if (fatal(e)) {
      broken = { panic: panicMessage(e), during: type };
      session = null;
      self.postMessage({ id, ok: false, kind: 'crash', error: `Internal error: ${broken.panic}`, ...broken });
      return;
    }
    const error = e instanceof Error ? e.message : String(e);
    self.postMessage({ id, ok: false, error });
  }
}
