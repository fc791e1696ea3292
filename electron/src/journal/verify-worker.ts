// Runs a full chain check off the main thread, so a collector with a long journal starts serving at once.
import { parentPort, workerData } from 'node:worker_threads';
import { scanJournal } from './scan.js';

const { journalDir } = workerData as { journalDir: string };
const result = await scanJournal(journalDir);
parentPort?.postMessage(result);
