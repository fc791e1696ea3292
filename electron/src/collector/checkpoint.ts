import { closeSync, openSync, readFileSync, readSync, renameSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readRecordLine } from '@ic-audit/shared';
import { CHECKPOINT_FILE } from '../journal/segments.js';
import type { SessionSnapshot } from '../read-model/sessions.js';

/**
 * What the collector knew at a moment when every accepted event was on disk: where the journal ended, its head
 * hash, and the session table. On start, a checkpoint whose head still matches the journal lets the collector
 * replay only what came after it, and check the whole chain in the background instead of before listening.
 * It is a cache: a missing, stale or inconsistent checkpoint only means a full replay.
 */
export interface Checkpoint {
  v: 1;
  /** Segment file name and byte offset just past the checkpoint's last record. */
  segment: string;
  offset: number;
  last_id: number;
  last_hash: string;
  /** Records on disk and bot events among them, up to the offset. */
  records: number;
  events: number;
  sessions: SessionSnapshot[];
  written_at: string;
}

/** Writes a checkpoint atomically (temp file, then rename). */
export async function writeCheckpoint(journalDir: string, cp: Checkpoint): Promise<void> {
  const file = join(journalDir, CHECKPOINT_FILE);
  await writeFile(`${file}.tmp`, JSON.stringify(cp), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** Largest last line looked at when checking a checkpoint against its segment. */
const MAX_TAIL_BYTES = 1 << 20;

/** Reads the checkpoint and returns it only if the journal still ends its prefix with the checkpoint's record. */
export function readValidCheckpoint(journalDir: string): Checkpoint | null {
  let cp: Checkpoint;
  try {
    cp = JSON.parse(readFileSync(join(journalDir, CHECKPOINT_FILE), 'utf8')) as Checkpoint;
  } catch {
    return null;
  }
  if (cp.v !== 1 || !/^\d{4}-\d{2}-\d{2}\.jsonl$/.test(cp.segment) || !(cp.offset > 0)) return null;
  const file = join(journalDir, cp.segment);
  try {
    if (statSync(file).size < cp.offset) return null;
    const len = Math.min(cp.offset, MAX_TAIL_BYTES);
    const buf = Buffer.alloc(len);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buf, 0, len, cp.offset - len);
    } finally {
      closeSync(fd);
    }
    if (buf[len - 1] !== 0x0a) return null;
    const start = buf.lastIndexOf(0x0a, len - 2) + 1;
    const read = readRecordLine(buf.toString('utf8', start, len - 1));
    return read !== null && read.record.id === cp.last_id && read.hash === cp.last_hash ? cp : null;
  } catch {
    return null;
  }
}

/**
 * Writes a checkpoint every `every` committed records, only while the journal is idle (every accepted event on
 * disk, so the state describes exactly the journal up to the checkpoint's offset), and never two at once (both
 * would write checkpoint.json.tmp).
 */
export class Checkpointer {
  private since = 0;
  /** Writes queued or running; each starts after the one before it ends. */
  private pending = 0;
  private last: Promise<void> = Promise.resolve();

  constructor(
    private readonly journalDir: string,
    private readonly every: number,
    /** The state right now, or null when there is nothing to checkpoint (empty, busy or failing journal). */
    private readonly state: () => Checkpoint | null,
  ) {}

  /** Counts a committed batch; starts a checkpoint when one is due, none is pending and the journal is idle. */
  committed(count: number, journalIdle: boolean): void {
    this.since += count;
    if (this.since >= this.every && this.pending === 0 && journalIdle) void this.write();
  }

  /** Writes one after any still being written: the final checkpoint of a clean stop. */
  final(): Promise<void> {
    return this.write();
  }

  private write(): Promise<void> {
    this.pending++;
    const run = this.last.then(() => this.writeNow()).finally(() => this.pending--);
    this.last = run;
    return run;
  }

  private async writeNow(): Promise<void> {
    const cp = this.state();
    if (cp === null) return;
    this.since = 0;
    try {
      await writeCheckpoint(this.journalDir, cp);
    } catch (err) {
      process.stderr.write(
        `ic-audit: checkpoint not written (next start replays everything): ${(err as Error).message}\n`,
      );
    }
  }
}
