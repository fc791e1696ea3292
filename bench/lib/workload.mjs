// The event every benchmark sends, and journal lines in the product's own record format (so they verify).
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CollectorEvents, GENESIS_HASH, recordBody, sealRecord } from '@ic-audit/shared';
import { tempDir } from './collector.mjs';

export const TYPE = 'trade_opened';
export const DESC = 'Opened long EURUSD';
export const PROJECT = {
  project_name: 'bench-bot',
  project_market: 'FOREX',
  project_description: 'benchmark bot',
  project_privileges: ['execute_trade'],
};

/** A typical trade event's fields (~260 bytes per event once serialized with seq, type, description, timestamp). */
export function fields(i) {
  return {
    symbol: 'EURUSD',
    side: 'buy',
    price: 1.08512,
    quantity: 100_000 + i,
    order_id: `ord-${i}`,
    strategy: 'mean-revert-v2',
    account: 'desk-7',
  };
}

const sha256 = (s) => createHash('sha256').update(s, 'utf8').digest('hex');

/** Builds chained journal lines exactly as electron/src/journal/journal.ts does. */
export class LineMaker {
  constructor() {
    this.id = 0;
    this.prev = GENESIS_HASH;
  }
  /**
   * One sealed line (no newline) for a bot event, or a session record when `seq` is 0. `text`, when given, is the
   * event's description and a `note` field (tests: arbitrary strings, escapes, non-ASCII).
   */
  line(session, seq, receivedAt, timestamp, i, text) {
    this.id++;
    const f =
      seq === 0
        ? {
            project_market: PROJECT.project_market,
            project_description: PROJECT.project_description,
            project_privileges: PROJECT.project_privileges,
            source: 'ws',
            sdk: 'bench@1',
            host: 'localhost',
            pid: 1,
            dropped: 0,
          }
        : text === undefined
          ? fields(i)
          : { ...fields(i), note: text };
    // A session record is the collector's own (source "collector"); events are a WebSocket bot's.
    const body = recordBody(
      this.id,
      receivedAt,
      JSON.stringify(session),
      seq,
      seq === 0 ? 'collector' : 'ws',
      JSON.stringify(PROJECT.project_name),
      JSON.stringify(seq === 0 ? CollectorEvents.SESSION : TYPE),
      JSON.stringify(seq === 0 ? 'Session declared.' : (text ?? DESC)),
      timestamp,
      '',
      JSON.stringify(f),
      this.prev,
    );
    this.prev = sha256(body);
    return sealRecord(body, this.prev);
  }
}

/**
 * Writes a verifiable journal of `n` bot events (plus one session record per session) into `<dataDir>/journal/`,
 * all stamped within the current UTC day and the last 6 hours (so a 30 h dump covers every one). Returns bytes.
 */
export function writeJournal(dataDir, n, sessions = 8) {
  const dir = join(dataDir, 'journal');
  mkdirSync(dir, { recursive: true });
  const nowS = Date.now() / 1000;
  const dayStart = Math.floor(nowS / 86_400) * 86_400;
  const from = Math.max(dayStart + 1, nowS - 6 * 3600);
  const step = (nowS - from) / (n + sessions);
  const fd = openSync(join(dir, new Date(nowS * 1000).toISOString().slice(0, 10) + '.jsonl'), 'w', 0o600);
  const maker = new LineMaker();
  const ids = Array.from({ length: sessions }, (_, k) => `bench-session-${String(k).padStart(4, '0')}`);
  const seqs = new Array(sessions).fill(0);
  let chunk = '';
  let bytes = 0;
  let t = from;
  const put = (line) => {
    chunk += line + '\n';
    if (chunk.length >= 4 << 20) {
      bytes += writeSync(fd, chunk);
      chunk = '';
    }
  };
  try {
    for (const id of ids) put(maker.line(id, 0, Math.round(t * 1e6) / 1e6, t, 0));
    for (let i = 0; i < n; i++) {
      t += step;
      const k = i % sessions;
      const ts = Math.round(t * 1e6) / 1e6;
      put(maker.line(ids[k], ++seqs[k], ts, ts, i));
    }
    bytes += writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  return bytes;
}

const prepared = new Map();

/** A temp data dir holding a journal of `n` events: generated once per process, shared by B5 and B6. */
export function preparedJournal(n) {
  if (!prepared.has(n)) {
    const dataDir = tempDir('ic-audit-bench-journal-');
    const t0 = performance.now();
    const bytes = writeJournal(dataDir, n);
    prepared.set(n, { dataDir, bytes, generateMs: performance.now() - t0 });
  }
  return prepared.get(n);
}
