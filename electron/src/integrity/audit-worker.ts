// Runs a full audit (chain + signed heads) off the main thread, so a collector with a long journal keeps serving.
import { parentPort, workerData } from 'node:worker_threads';
import { auditJournal, type AuditOptions } from './audit.js';

parentPort?.postMessage(await auditJournal(workerData as AuditOptions));
