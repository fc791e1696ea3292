import { checkRecordLine, GENESIS_HASH, type LineFault, type ScannedRecord } from '@ic-audit/shared';
import { sha256 } from './hash.js';
import { readLines } from './line-reader.js';
import { listSegments } from './segments.js';
import { statSync } from 'node:fs';
import { basename } from 'node:path';

/** The first place the chain broke. */
export interface ChainBreak {
  /** Record id of the bad line (the id the line states, or the expected id when it is unreadable). */
  id: number;
  fault: LineFault;
  file: string;
  offset: number;
}

/** Where a partial scan starts: just past a known record (a checkpoint). */
export interface ScanStart {
  segment: string;
  offset: number;
  last_id: number;
  last_hash: string;
}

/** What a scan of the journal found (from its start, or from a {@link ScanStart}). */
export interface ScanResult {
  records: number;
  lastId: number;
  lastHash: string;
  firstBreak: ChainBreak | null;
  /** Bytes after the last newline of the newest segment (torn write, or a line being written right now). */
  tail: { file: string; offset: number; bytes: number } | null;
  segments: string[];
}

const FAULT_TEXT: Record<LineFault, string> = {
  malformed: 'is not a well-formed record',
  hash: 'does not match its hash (edited)',
  chain: 'does not link to the record before it (deleted, inserted or reordered records)',
  id: 'has an out-of-sequence id (deleted, inserted or reordered records)',
};

/** One sentence for a chain break. */
export function describeBreak(b: ChainBreak): string {
  return `record ${b.id} ${FAULT_TEXT[b.fault]} (${b.file} at byte ${b.offset})`;
}

/**
 * Reads every segment in order, checking each line's hash, link and id, and hands each readable record to
 * `onRecord`. After a break it re-anchors on the bad line's stated hash, so one edit is reported once.
 * `onProgress` gets the bytes read so far and the total (the CLI's progress line).
 */
export async function scanJournal(
  journalDir: string,
  onRecord?: (record: ScannedRecord, line: string) => void,
  from?: ScanStart,
  onProgress?: (bytes: number, total: number) => void,
): Promise<ScanResult> {
  const segments = listSegments(journalDir).filter((f) => from === undefined || basename(f) >= from.segment);
  const sizes = onProgress === undefined ? [] : segments.map((f) => statSync(f, { throwIfNoEntry: false })?.size ?? 0);
  const total = sizes.reduce((a, b) => a + b, 0);
  let before = 0;
  let prev = from?.last_hash ?? GENESIS_HASH;
  let nextId = (from?.last_id ?? 0) + 1;
  let records = 0;
  let firstBreak: ChainBreak | null = null;
  let tail: ScanResult['tail'] = null;
  for (let i = 0; i < segments.length; i++) {
    const file = segments[i]!;
    const start = from !== undefined && basename(file) === from.segment ? from.offset : 0;
    const result = await readLines(
      file,
      (line, offset) => {
        onProgress?.(before + offset, total);
        if (line.length === 0) return;
        const check = checkRecordLine(line, prev, nextId, sha256);
        if (check.ok) {
          records++;
          prev = check.record.hash;
          nextId = check.record.id + 1;
          onRecord?.(check.record, line);
          return;
        }
        if (firstBreak === null) firstBreak = { id: check.id ?? nextId, fault: check.fault, file, offset };
        if (check.record !== null && typeof check.record.hash === 'string') {
          records++;
          prev = check.record.hash;
          nextId = check.record.id + 1;
          onRecord?.(check.record, line);
        }
      },
      start,
    );
    before += sizes[i] ?? 0;
    if (result.tail.length > 0) {
      if (i === segments.length - 1) tail = { file, offset: result.tailOffset, bytes: result.tail.length };
      else if (firstBreak === null) firstBreak = { id: nextId, fault: 'malformed', file, offset: result.tailOffset };
    }
  }
  return { records, lastId: nextId - 1, lastHash: prev, firstBreak, tail, segments };
}
