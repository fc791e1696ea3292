import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseRecordLine, splitRecordLine, type JournalRecord } from '@ic-audit/shared';
import { sha256 } from '../journal/hash.js';
import { readLines } from '../journal/line-reader.js';
import { listSegments, segmentDay } from '../journal/segments.js';

/** File in the data dir with the last journal record JetStream acknowledged. */
export const CURSOR_FILE = 'nats.cursor.json';

/** How far this collector's journal is known to be in the stream. */
export interface PublishCursor {
  stream: string;
  /** Highest journal id whose message JetStream acknowledged, with every lower id (0: none). */
  id: number;
  /** That record's received_at (picks the first segment to read on start). */
  received_at: number;
}

/** Reads the cursor for `stream`; a missing file or another stream's cursor is "nothing published yet". */
export function loadCursor(dataDir: string, stream: string): PublishCursor {
  try {
    const c = JSON.parse(readFileSync(join(dataDir, CURSOR_FILE), 'utf8')) as PublishCursor;
    if (c.stream === stream && Number.isSafeInteger(c.id) && typeof c.received_at === 'number') return c;
  } catch {
    /* missing or unreadable: start from the beginning; JetStream drops what it already has within its window */
  }
  return { stream, id: 0, received_at: 0 };
}

/** Writes the cursor (temp file + rename, so a crash leaves the old or the new one). */
export function saveCursor(dataDir: string, cursor: PublishCursor): void {
  const file = join(dataDir, CURSOR_FILE);
  writeFileSync(file + '.tmp', JSON.stringify(cursor) + '\n', { mode: 0o600 });
  renameSync(file + '.tmp', file);
}

/**
 * Streams the journal records after `cursor` (those committed locally but never acknowledged by JetStream, e.g.
 * after a crash) to `onRecords` in chunks, in id order. Lines whose hash does not match their bytes are skipped
 * (the collector's own start-up scan reports them).
 */
export async function readBacklog(
  journalDir: string,
  cursor: PublishCursor,
  onRecords: (records: JournalRecord[]) => Promise<void>,
  chunk = 2_000,
): Promise<number> {
  const fromDay = cursor.id === 0 ? '' : new Date(cursor.received_at * 1000).toISOString().slice(0, 10);
  let batch: JournalRecord[] = [];
  let total = 0;
  for (const file of listSegments(journalDir)) {
    if (segmentDay(basename(file)) < fromDay) continue;
    await readLines(file, async (line) => {
      const parts = splitRecordLine(line);
      if (parts === null || sha256(parts.body) !== parts.hash) return;
      const r = parseRecordLine(line);
      if (r === null) return;
      if (r.id <= cursor.id) return;
      batch.push(r);
      total++;
      if (batch.length >= chunk) {
        const full = batch;
        batch = [];
        await onRecords(full);
      }
    });
  }
  if (batch.length > 0) await onRecords(batch);
  return total;
}
