import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CollectorEvents, type IntegrityFinding, type IntegrityInfo } from '@ic-audit/shared';
import { describeBreak, scanJournal, type ScanResult } from '../journal/scan.js';
import { checkHeads, when, type JournalFacts } from './check-heads.js';
import { asHead, HEADS_FILE, readHeadsFile, type SignedHead } from './heads.js';
import { parsePublicKey, trustKeys } from './signing-key.js';

/** What to audit; plain data, so it can be handed to a worker thread. */
export interface AuditOptions {
  journalDir: string;
  /** Public keys (PEM or base64 SPKI) whose signatures count. Empty: heads cannot be authenticated. */
  trustedKeys: string[];
  /** A witness file to compare (`verify --witness`). */
  witnessFile?: string | null;
  /** Verifier clock, epoch ms. */
  now: number;
  /** A collector is writing this journal right now. */
  running: boolean;
  /** The running collector's newest durable head number. */
  minHeadN?: number;
}

/** The chain scan plus the head checks. */
export interface AuditReport {
  scan: ScanResult;
  findings: IntegrityFinding[];
  heads: { count: number; newest: SignedHead | null };
}

/**
 * Audits a journal: the hash chain (scan.ts) plus signed heads, heads file and witness (check-heads.ts).
 * The witness is read before the heads file and the heads file before the journal, so a collector appending
 * meanwhile never makes a head look ahead of the records it covers. `onProgress` (not for workers: a function)
 * gets the journal bytes read so far and their total.
 */
export async function auditJournal(
  opts: AuditOptions,
  onProgress?: (bytes: number, total: number) => void,
): Promise<AuditReport> {
  const witness = opts.witnessFile ? readHeadsFile(opts.witnessFile) : undefined;
  const file = readHeadsFile(join(opts.journalDir, HEADS_FILE));
  const wanted = new Set<number>();
  for (const l of [...(file ?? []), ...(witness ?? [])]) if (l.head !== null) wanted.add(l.head.last_id);
  const hashes = new Map<number, string>();
  const journalHeads: JournalFacts['journalHeads'] = [];
  let prevId = 0;
  let prevHash: string | undefined;
  const scan = await scanJournal(
    opts.journalDir,
    (r) => {
      if (wanted.has(r.id)) hashes.set(r.id, r.hash);
      if (r.event_type === CollectorEvents.HEAD && r.source === 'collector') {
        journalHeads.push({ id: r.id, prevHash: prevId === r.id - 1 ? prevHash : undefined, head: asHead(r.fields) });
      }
      prevId = r.id;
      prevHash = r.hash;
    },
    undefined,
    onProgress,
  );
  const facts: JournalFacts = {
    lastId: scan.lastId,
    records: scan.records,
    hashAt: (id) => hashes.get(id),
    journalHeads,
  };
  const verdict = checkHeads(facts, {
    file,
    ...(witness !== undefined ? { witness } : {}),
    trusted: trustKeys(...opts.trustedKeys.map(parsePublicKey)),
    now: opts.now,
    running: opts.running,
    ...(opts.minHeadN !== undefined ? { minHeadN: opts.minHeadN } : {}),
  });
  return { scan, findings: verdict.findings, heads: { count: verdict.count, newest: verdict.newest } };
}

/** {@link auditJournal} in a worker thread (the collector keeps serving meanwhile). */
export function auditInWorker(opts: AuditOptions): Promise<AuditReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./audit-worker.js', import.meta.url), { workerData: opts });
    // Read-only: a stopping collector need not wait for it.
    worker.unref();
    worker.once('message', (r: AuditReport) => resolve(r));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`audit worker exited with code ${code}`));
    });
  });
}

/** True when nothing proves tampering or loss (warnings allowed). */
export function auditOk(r: AuditReport, extra: readonly IntegrityFinding[] = []): boolean {
  return r.scan.firstBreak === null && ![...r.findings, ...extra].some((f) => f.severity === 'error');
}

/** The integrity verdict `/healthz`, the console and the CLI show for an audit (plus start-up findings). */
export function integrityFromAudit(
  r: AuditReport,
  checkedAt: number,
  fingerprint: string | null,
  extra: readonly IntegrityFinding[] = [],
): IntegrityInfo {
  const findings = [...extra, ...r.findings];
  const ok = auditOk(r, extra);
  const firstError = findings.find((f) => f.severity === 'error');
  const newest = r.heads.newest;
  const headsText =
    newest === null ? 'no signed heads' : `${r.heads.count} signed heads, newest #${newest.n} at ${when(newest.at)}`;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  const message =
    r.scan.firstBreak !== null
      ? `chain broken: ${describeBreak(r.scan.firstBreak)}`
      : firstError !== undefined
        ? firstError.message
        : `chain intact (${r.scan.records} records), ${headsText}` +
          (warnings > 0 ? `; ${warnings} warning${warnings === 1 ? '' : 's'}` : '');
  return {
    ok,
    records: r.scan.records,
    first_bad_id: r.scan.firstBreak?.id ?? null,
    message,
    checked_at: checkedAt,
    findings,
    heads: {
      count: r.heads.count,
      newest_n: newest?.n ?? null,
      newest_at: newest?.at ?? null,
      newest_last_id: newest?.last_id ?? null,
      key: fingerprint,
    },
  };
}
