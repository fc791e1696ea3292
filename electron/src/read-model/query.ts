import { isCollectorRecord, parseRecordLine as parseRecord, type JournalRecord } from '@ic-audit/shared';
import { readLines } from '../journal/line-reader.js';
import { listSegments } from '../journal/segments.js';
import { rangesBytes, readRangesSync, tailRanges } from '../journal/tail-lines.js';
import type { RecordWindow } from './recent-window.js';

/** True when a record passes the query's window, predicate and internal-record rule. */
/** Query over the journal: the in-memory window first, then streamed from disk when `before` reaches past it. */
export interface RecordQuery {
  /** Only records with id < before (page backwards). */
  before?: number;
  /** Collector-time window, epoch seconds. */
  since?: number;
  until?: number;
  /** Predicate applied to each record (built by the caller from project/type/text/field filters). */
  match?: (record: JournalRecord) => boolean;
  /** At most this many records, newest first. */
  limit: number;
  /** Include collector-written records (source "collector": sessions, gaps, refusals). Default false. */
  includeInternal?: boolean;
}

export function matches(q: RecordQuery, r: JournalRecord): boolean {
  if (!q.includeInternal && isCollectorRecord(r)) return false;
  if (q.since !== undefined && r.received_at < q.since) return false;
  if (q.until !== undefined && r.received_at > q.until) return false;
  return q.match === undefined || q.match(r);
}

/**
 * The in-memory part of a query, newest first; `reachedStart` when the window already goes back past `since`
 * (so nothing older can match).
 */
export function queryWindow(window: RecordWindow, q: RecordQuery): { out: JournalRecord[]; reachedStart: boolean } {
  const out: JournalRecord[] = [];
  const before = q.before ?? Infinity;
  let reachedStart = false;
  window.walkBackwards((r) => {
    if (r.id >= before) return true;
    if (q.since !== undefined && r.received_at < q.since) {
      reachedStart = true;
      return false;
    }
    if (matches(q, r)) out.push(r);
    return out.length < q.limit;
  });
  return { out, reachedStart };
}

/**
 * Answers a query newest first: from the in-memory window while it reaches, then by streaming older segments
 * from disk (newest segment first), keeping at most `limit` results in memory.
 */
export async function queryRecords(journalDir: string, window: RecordWindow, q: RecordQuery): Promise<JournalRecord[]> {
  const { out, reachedStart } = queryWindow(window, q);
  const before = q.before ?? Infinity;
  if (out.length >= q.limit || reachedStart) return out;
  // Older than the window: stream segments from disk, newest first, each kept to the last `need` matches.
  const diskBefore = Math.min(before, window.oldestId);
  const segments = listSegments(journalDir).reverse();
  for (const file of segments) {
    const need = q.limit - out.length;
    const found: JournalRecord[] = [];
    let earliest = Infinity;
    await readLines(file, (line) => {
      const r = parseRecord(line);
      if (r === null) return;
      if (r.received_at < earliest) earliest = r.received_at;
      if (r.id >= diskBefore || !matches(q, r)) return;
      found.push(r);
      if (found.length > need * 2) found.splice(0, found.length - need);
    });
    for (let i = found.length - 1; i >= 0 && out.length < q.limit; i--) out.push(found[i]!);
    // Segments are in time order: once one reaches back before `since`, older ones cannot match.
    if (out.length >= q.limit || (q.since !== undefined && earliest < q.since)) break;
  }
  return out;
}

/** The newest `limit` records read straight from the journal's tail, oldest first (while the window loads). */
export function recentFromDisk(journalDir: string, limit: number): JournalRecord[] {
  if (limit <= 0) return [];
  const ranges = tailRanges(journalDir, limit);
  const bytes = Buffer.allocUnsafe(rangesBytes(ranges));
  readRangesSync(ranges, bytes);
  const out: JournalRecord[] = [];
  for (const line of bytes.toString('utf8').split('\n')) {
    const r = parseRecord(line);
    if (r !== null) out.push(r);
  }
  return out;
}
