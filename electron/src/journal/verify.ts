import { Worker } from 'node:worker_threads';
import type { ScanResult } from './scan.js';

/** Walks the whole journal in a worker thread; resolves with what the scan found. */
export function verifyInWorker(journalDir: string): Promise<ScanResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./verify-worker.js', import.meta.url), { workerData: { journalDir } });
    // Read-only: a stopping collector need not wait for it.
    worker.unref();
    worker.once('message', (r: ScanResult) => resolve(r));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`verify worker exited with code ${code}`));
    });
  });
}
