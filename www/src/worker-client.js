// The page's side of the worker: starts it from inlined source (a Blob URL,
// which works from file:// where a module worker would not), hands it the
// inlined WASM, and turns request/reply messages into promises.
//
// After an internal error in the WASM module (the worker answers with
// `kind: 'crash'`) or an error the worker did not catch, that worker is
// never asked anything again: it is terminated, a fresh one is started from
// the same inlined source and module, every request still waiting is
// rejected with a {@link WorkerCrash}, and the `onCrash` listeners are told.
// The practice that was loaded is gone with it and must be loaded again.

/** @typedef {import('./protocol.js').Request} Request */
/** @typedef {import('./protocol.js').Progress} Progress */

/** @typedef {Request extends infer R ? (R extends {id: number} ? Omit<R, 'id'> : never) : never} Outgoing */

/** What the worker was doing, by request type, in words for the error message. */
const DOING = {
  init: 'starting the analysis engine',
  prepare: 'preparing the analysis engine',
  load: 'reading the practice and drawing up the lists',
  analyse: 'drawing up the lists',
  page: 'showing a worklist',
  csv: 'exporting a worklist',
  'equity-csv': 'exporting the equity audit',
  nhs: 'exporting NHS numbers',
  definitions: 'listing the definitions',
  'practice-summary': 'making the practice summary',
  practices: 'comparing practices',
  'practices-add-summaries': 'adding practice summaries',
  'practices-add-extract': 'reading another practice’s extract',
  'practices-remove': 'removing a practice from the comparison',
  'practices-funnel': 'drawing a funnel plot',
  'practices-csv': 'exporting the practice comparison',
  'lists-compare-extract': 'comparing lists with an earlier extract',
  'lists-compare-nhs': 'comparing a list with a file of NHS numbers',
  'lists-csv': 'exporting a list comparison',
  'lists-nhs': 'exporting a list comparison',
  'wide-preview': 'previewing the report',
  'wide-check': 'checking the mapping profile',
  'risk-fit': 'fitting the risk model',
  'risk-csv': 'exporting the risk scores',
};

/** A request that failed because the analysis engine stopped; `message` is for the user. */
export class WorkerCrash extends Error {
  /** @param {string} message @param {string} panic @param {string} during */
  constructor(message, panic, during) {
    super(message);
    this.name = 'WorkerCrash';
    this.panic = panic;
    this.during = during;
  }
}

/**
 * The message shown when the engine stopped.
 * @param {string} panic the panic's message and location, or the trap's
 * @param {string} during the request type that was running
 */
export function crashMessage(panic, during) {
  const doing = DOING[/** @type {keyof typeof DOING} */ (during)] ?? 'working';
  return `Cohort Finder stopped with an internal error while ${doing}: ${panic || 'no further detail'}. `
    + 'This is a fault in Cohort Finder, not in your files. Nothing left this computer and your files were not changed. '
    + 'The analysis engine has been restarted and the practice is no longer loaded: load the practice again to carry on.';
}

export class WorkerClient {
  /**
   * @param {string} source the worker's bundled script
   * @param {string} wasmBase64 the gzipped WASM module, base64
   */
  constructor(source, wasmBase64) {
    this.source = source;
    this.wasmBase64 = wasmBase64;
    this.nextId = 1;
    /** @type {Map<number, {type: string, resolve: (v: any) => void, reject: (e: Error) => void, onProgress?: (p: Progress) => void}>} */
    this.pending = new Map();
    /** @type {((crash: WorkerCrash) => void)[]} */
    this.crashListeners = [];
    /** Workers started, the first included. */
    this.starts = 0;
    /** @type {Worker} */
    this.worker = this.spawn();
    /** Resolves with `{fields, columns}` once the current worker's module is ready. @type {Promise<any>} */
    this.ready = this.init();
  }

  /** Starts a worker from the inlined source. */
  spawn() {
    const url = URL.createObjectURL(new Blob([this.source], { type: 'text/javascript' }));
    const worker = new Worker(url, { name: 'cohort-finder' });
    URL.revokeObjectURL(url);
    this.starts += 1;
    /** Whether this worker's module started: one that never did would fail the same way again. */
    this.started = false;
    worker.onmessage = (event) => {
      if (worker === this.worker) this.receive(event.data);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      if (worker !== this.worker) return;
      this.crash(event.message || 'unknown error', this.runningType());
    };
    return worker;
  }

  /** Hands the module to the current worker. */
  init() {
    const worker = this.worker;
    const ready = this.request({ type: 'init', wasm: this.wasmBase64 });
    ready.then(() => {
      if (worker === this.worker) this.started = true;
    }, () => {});
    return ready;
  }

  /** The type of the oldest request still waiting, for the message. */
  runningType() {
    const first = this.pending.values().next();
    return first.done ? '' : first.value.type;
  }

  /**
   * Calls `listener` with each {@link WorkerCrash}, after the fresh worker has been started.
   * @param {(crash: WorkerCrash) => void} listener
   */
  onCrash(listener) {
    this.crashListeners.push(listener);
  }

  /**
   * Replaces the worker after an internal error and fails everything waiting on it.
   * @param {string} panic @param {string} during
   */
  crash(panic, during) {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    this.worker.terminate();
    if (!this.started) {
      // It never started: a fresh one would fail the same way.
      const error = new Error(`The analysis engine could not start: ${panic}`);
      for (const { reject } of waiting) reject(error);
      return;
    }
    const crash = new WorkerCrash(crashMessage(panic, during), panic, during);
    this.worker = this.spawn();
    this.ready = this.init();
    for (const { reject } of waiting) reject(crash);
    for (const listener of this.crashListeners) listener(crash);
  }

  /** @param {any} message */
  receive(message) {
    if (message.readSlice) {
      this.readSlice(message.readSlice);
      return;
    }
    const waiting = this.pending.get(message.id);
    if (!waiting) return;
    if (message.progress) {
      waiting.onProgress?.(message.progress);
      return;
    }
    if (!message.ok && message.kind === 'crash') {
      this.crash(message.panic ?? '', message.during ?? waiting.type);
      return;
    }
    this.pending.delete(message.id);
    if (message.ok) waiting.resolve(message.result);
    else waiting.reject(new Error(message.error));
  }

  /**
   * Reads a slice of one of the user's files for the worker, on this thread,
   * and hands it over (moved, not copied): the worker parses the slice
   * before while this one is read.
   * @param {{tag: number, file: File, start: number, end: number}} asked
   */
  readSlice({ tag, file, start, end }) {
    const worker = this.worker;
    file.slice(start, end).arrayBuffer().then(
      (buf) => worker.postMessage({ slice: tag, buf }, [buf]),
      (e) => worker.postMessage({ slice: tag, error: e instanceof Error ? e.message : String(e) }),
    );
  }

  /**
   * Sends a request; resolves with the worker's result.
   * @param {Outgoing} request
   * @param {(p: Progress) => void} [onProgress]
   * @returns {Promise<any>}
   */
  request(request, onProgress) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { type: request.type, resolve, reject, onProgress });
      this.worker.postMessage({ ...request, id });
    });
  }
}
