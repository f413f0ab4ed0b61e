// The page's side of the worker: starts it from inlined source (a Blob URL,
// which works from file:// where a module worker would not), hands it the
// inlined WASM, and turns request/reply messages into promises.

/** @typedef {import('./protocol.js').Request} Request */
/** @typedef {import('./protocol.js').Progress} Progress */

/** @typedef {Request extends infer R ? (R extends {id: number} ? Omit<R, 'id'> : never) : never} Outgoing */

export class WorkerClient {
  /**
   * @param {string} source the worker's bundled script
   * @param {string} wasmBase64 the gzipped WASM module, base64
   */
  constructor(source, wasmBase64) {
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    this.worker = new Worker(url, { name: 'cohort-finder' });
    URL.revokeObjectURL(url);
    this.nextId = 1;
    /** @type {Map<number, {resolve: (v: any) => void, reject: (e: Error) => void, onProgress?: (p: Progress) => void}>} */
    this.pending = new Map();
    this.worker.onmessage = (event) => this.receive(event.data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      const error = new Error(`The analysis worker stopped: ${event.message || 'unknown error'}`);
      for (const { reject } of this.pending.values()) reject(error);
      this.pending.clear();
    };
    this.ready = this.request({ type: 'init', wasm: wasmBase64 });
  }

  /** @param {any} message */
  receive(message) {
    const waiting = this.pending.get(message.id);
    if (!waiting) return;
    if (message.progress) {
      waiting.onProgress?.(message.progress);
      return;
    }
    this.pending.delete(message.id);
    if (message.ok) waiting.resolve(message.result);
    else waiting.reject(new Error(message.error));
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
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ ...request, id });
    });
  }
}
