import { Worker } from 'node:worker_threads';

/**
 * Completes a batch of journal lines in place. Each line was encoded with a placeholder for its `prev_hash` (the 64
 * characters before its body's closing quote) and room for its seal after the body; `ends[i]` is where line i ends
 * (seal included, newline excluded), and line 0 starts at 0. Writes each line's prev_hash (`prev` for the first,
 * then the hash before it), hashes its body and writes the seal.
 *
 * Self-contained on purpose (no imports, no module helpers): the hash worker runs this function's own source.
 */
export function sealChain(
  bytes: Uint8Array,
  ends: Uint32Array,
  count: number,
  prev: string,
  hash: (body: Uint8Array) => string,
): void {
  const head = ',"hash":"';
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = ends[i]!;
    const bodyEnd = end - 75; // the seal: `,"hash":"` + 64 hex + `"}` (record.ts SEAL_LENGTH)
    for (let k = 0, at = bodyEnd - 65; k < 64; k++) bytes[at + k] = prev.charCodeAt(k);
    const h = hash(bytes.subarray(start, bodyEnd));
    let at = bodyEnd;
    for (let k = 0; k < 9; k++) bytes[at++] = head.charCodeAt(k);
    for (let k = 0; k < 64; k++) bytes[at++] = h.charCodeAt(k);
    bytes[at++] = 0x22;
    bytes[at] = 0x7d;
    prev = h;
    start = end + 1;
  }
}

/** The hash a sealed line states: the 64 characters its seal holds, read back from the bytes. */
export function sealedHash(bytes: Buffer, end: number): string {
  return bytes.toString('latin1', end - 66, end - 2);
}

/** Batches of at least this many lines are sealed in the worker; fewer are sealed at once (no round trip). */
export const WORKER_MIN_LINES = 256;

interface SealRequest {
  /** Which of the caller's buffers holds the batch. */
  slot: number;
  /** That buffer, only when the worker has not seen it yet: the worker keeps each slot's buffer. */
  buffer: SharedArrayBuffer | null;
  ends: Uint32Array;
  count: number;
  prev: string;
}

// The worker is this module's sealChain, run on its own thread: one batch at a time, answered when done.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { hash } = require('node:crypto');
const sealChain = ${sealChain.toString()};
const sha256 = (body) => hash('sha256', body, 'hex');
const buffers = [];
parentPort.on('message', (m) => {
  if (m.buffer !== null) buffers[m.slot] = new Uint8Array(m.buffer);
  sealChain(buffers[m.slot], m.ends, m.count, m.prev, sha256);
  parentPort.postMessage(m.count);
});
`;

/**
 * Seals big batches on a second thread, so the main thread goes on reading frames while a batch is hashed (SHA-256
 * was ~15% of the collector's main thread under full ingest, almost all of it per-call overhead that no batching
 * API avoids: each line's hash is part of the next line). If the thread fails, sealing falls back to the caller.
 */
export class SealWorker {
  private worker: Worker | null = null;
  private waiting: { resolve: () => void; reject: (err: Error) => void } | null = null;
  private failed = false;
  /** The buffer the worker holds for each slot. */
  private readonly sent: Array<SharedArrayBuffer | null> = [];

  /**
   * Seals `count` lines of `buffer` (see {@link sealChain}) on the worker thread; rejects if the thread failed. The
   * caller keeps a few buffers, each in its own `slot`; a slot's buffer goes to the worker once, and again only when
   * the caller replaced it (grown).
   */
  seal(slot: number, buffer: SharedArrayBuffer, ends: Uint32Array, count: number, prev: string): Promise<void> {
    const worker = this.start();
    if (worker === null) return Promise.reject(new Error('seal worker unavailable'));
    const fresh = this.sent[slot] !== buffer;
    this.sent[slot] = buffer;
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      const request: SealRequest = { slot, buffer: fresh ? buffer : null, ends, count, prev };
      worker.postMessage(request);
    });
  }

  /** Stops the thread. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.failed = true;
    if (w !== null) await w.terminate();
  }

  /** Starts the thread now (the journal does, so its threads and file descriptors are fixed from the start). */
  start(): Worker | null {
    if (this.worker !== null || this.failed) return this.worker;
    try {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      worker.unref();
      worker.on('message', () => this.settle(null));
      worker.on('error', (err) => this.fail(err));
      worker.on('exit', (code) => this.fail(new Error(`seal worker exited (${code})`)));
      this.worker = worker;
    } catch {
      this.failed = true;
    }
    return this.worker;
  }

  private fail(err: Error): void {
    this.failed = true;
    this.worker = null;
    this.settle(err);
  }

  private settle(err: Error | null): void {
    const w = this.waiting;
    this.waiting = null;
    if (w === null) return;
    if (err === null) w.resolve();
    else w.reject(err);
  }
}
