import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Journal folder inside the data dir. */
export const JOURNAL_DIR = 'journal';
/** The collector's checkpoint file inside the journal folder (written by collector/checkpoint.ts). */
export const CHECKPOINT_FILE = 'checkpoint.json';
const SEGMENT_RE = /^\d{4}-\d{2}-\d{2}\.jsonl$/;

/** Segment file name for a moment: one file per UTC day, so names sort in time order. */
export function segmentName(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10) + '.jsonl';
}

/** UTC day (YYYY-MM-DD) a segment file covers. */
export function segmentDay(name: string): string {
  return name.slice(0, 10);
}

/** Absolute paths of every segment in `journalDir`, oldest first (empty when the folder is missing). */
export function listSegments(journalDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(journalDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .filter((n) => SEGMENT_RE.test(n))
    .sort()
    .map((n) => join(journalDir, n));
}
