import { closeSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * File in the data dir with the journal id ranges of the batch messages handed to NATS, one `<first> <last>` line
 * each, written before the first publish of a batch. After a crash the journal past the cursor is republished in
 * exactly these ranges first, so each resend has the message id JetStream may already hold (and is dropped as a
 * duplicate) instead of new boundaries that would store some records twice.
 */
export const PUBLISH_LOG_FILE = 'nats.batches';
/** The log is rewritten with only the unacknowledged ranges once it grows past this. */
const COMPACT_BYTES = 256 << 10;

/** A batch's journal id range. */
export interface IdRange {
  first: number;
  last: number;
}

/** Appends batch ranges (plain writes: they survive a process crash; a power cut may lose the tail). */
export class PublishLog {
  private fd: number;
  private bytes = 0;
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, PUBLISH_LOG_FILE);
    this.fd = openSync(this.file, 'a', 0o600);
  }

  /** Notes ranges about to be published. */
  note(ranges: readonly IdRange[]): void {
    if (ranges.length === 0 || this.fd < 0) return;
    let text = '';
    for (const r of ranges) text += `${r.first} ${r.last}\n`;
    try {
      this.bytes += writeSync(this.fd, text);
    } catch (err) {
      process.stderr.write(`ic-audit: cannot write ${PUBLISH_LOG_FILE}: ${(err as Error).message}\n`);
    }
  }

  /** Once large, rewrites the log with only `open` (ranges not acknowledged yet). */
  compact(open: readonly IdRange[]): void {
    if (this.bytes < COMPACT_BYTES || this.fd < 0) return;
    try {
      writeFileSync(this.file + '.tmp', open.map((r) => `${r.first} ${r.last}\n`).join(''), { mode: 0o600 });
      renameSync(this.file + '.tmp', this.file);
      closeSync(this.fd);
      this.fd = openSync(this.file, 'a', 0o600);
      this.bytes = 0;
    } catch (err) {
      process.stderr.write(`ic-audit: cannot compact ${PUBLISH_LOG_FILE}: ${(err as Error).message}\n`);
    }
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/**
 * The logged ranges that continue a cursor at `afterId`: sorted, starting at `afterId + 1` and each at the end of
 * the one before (repeated and overlapping lines are dropped; the chain stops at the first hole).
 */
export function plannedRanges(text: string, afterId: number): IdRange[] {
  const all: IdRange[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+) (\d+)$/.exec(line);
    if (m === null) continue;
    const first = Number(m[1]);
    const last = Number(m[2]);
    if (last >= first && last > afterId) all.push({ first, last });
  }
  all.sort((a, b) => a.first - b.first || a.last - b.last);
  const out: IdRange[] = [];
  let next = afterId + 1;
  for (const r of all) {
    if (r.first < next) continue;
    if (r.first > next) break;
    out.push(r);
    next = r.last + 1;
  }
  return out;
}

/** Reads the log's ranges past `afterId` (none when it is missing). */
export function loadPlannedRanges(dataDir: string, afterId: number): IdRange[] {
  try {
    return plannedRanges(readFileSync(join(dataDir, PUBLISH_LOG_FILE), 'utf8'), afterId);
  } catch {
    return [];
  }
}
