import type { JournalRecord } from '@ic-audit/shared';
import type { RecordWindow } from './recent-window.js';

/**
 * The collector's window of newest records, kept as journal line bytes in one preallocated ring and parsed only
 * when read. The ring lives outside the JS heap and is reused lap after lap, so a full window gives the garbage
 * collector nothing to copy or mark and costs no fresh memory while ingest runs beside it. It holds the newest
 * records that fit both limits: `capacity` records and `bytes` bytes; ids are consecutive, so a query reads
 * everything older than {@link oldestId} from disk.
 */
export class LineWindow implements RecordWindow {
  private readonly ring: Buffer;
  /** Per slot (a ring of `capacity`): where the line starts in `ring`, its length, its id. */
  private readonly starts: Uint32Array;
  private readonly lengths: Uint32Array;
  private readonly ids: Float64Array;
  /** Slot of the oldest record, and how many are held. */
  private first = 0;
  private count = 0;
  /** Where the next line goes in `ring`. */
  private head = 0;

  constructor(
    readonly capacity: number,
    bytes: number,
  ) {
    const slots = Math.max(1, capacity);
    this.ring = Buffer.allocUnsafeSlow(Math.max(1, Math.min(bytes, 0xffff_ffff)));
    this.starts = new Uint32Array(slots);
    this.lengths = new Uint32Array(slots);
    this.ids = new Float64Array(slots);
  }

  /** Number of records held. */
  get size(): number {
    return this.count;
  }

  /** Lowest id held, or Infinity when empty. */
  get oldestId(): number {
    return this.count === 0 ? Infinity : this.ids[this.first]!;
  }

  /**
   * Copies in consecutive lines (ids from `firstId`): line i of `bytes` ends at `ends[i]` (its newline excluded)
   * and starts just past the previous line's newline. The oldest records fall out to make room. Lines are placed
   * first and copied in runs, one copy per stretch that lands contiguously in the ring.
   */
  push(bytes: Uint8Array, ends: Uint32Array, firstId: number): void {
    let start = 0;
    let runFrom = 0; // source offset of the run not copied yet, and where it goes
    let runTo = this.head;
    for (let i = 0; i < ends.length; i++) {
      const end = ends[i]!;
      const at = this.place(end - start + 1, firstId + i);
      if (at < 0 || at !== runTo + (start - runFrom)) {
        this.copy(bytes, runFrom, start, runTo);
        runFrom = start;
        runTo = at;
      }
      if (at < 0) runFrom = end + 1; // not held: nothing of it to copy
      start = end + 1;
    }
    this.copy(bytes, runFrom, start, runTo);
  }

  private copy(bytes: Uint8Array, from: number, to: number, at: number): void {
    if (to > from && at >= 0) this.ring.set(bytes.subarray(from, to), at);
  }

  /** Makes room for a line of `size` bytes (newline included) and records it; returns where it goes, or -1. */
  private place(size: number, id: number): number {
    if (this.count > 0 && id !== this.ids[this.slot(this.count - 1)]! + 1) this.clear();
    if (size > this.ring.length || this.capacity <= 0) {
      // Cannot hold it: start over empty, so everything up to this record is read from disk.
      this.clear();
      return -1;
    }
    if (this.head + size > this.ring.length) {
      // Wrap: lines between the head and the ring's end are the oldest of all; they go first.
      while (this.count > 0 && this.starts[this.first]! >= this.head) this.dropOldest();
      this.head = 0;
    }
    const at = this.head;
    const to = at + size;
    while (this.count > 0 && (this.count >= this.capacity || overlaps(this.starts[this.first]!, this.lengths[this.first]! + 1, at, to))) {
      this.dropOldest();
    }
    const slot = this.slot(this.count);
    this.starts[slot] = at;
    this.lengths[slot] = size - 1;
    this.ids[slot] = id;
    this.count++;
    this.head = to;
    return at;
  }

  private slot(i: number): number {
    return (this.first + i) % this.starts.length;
  }

  private dropOldest(): void {
    this.first = (this.first + 1) % this.starts.length;
    this.count--;
  }

  private clear(): void {
    this.first = 0;
    this.count = 0;
    this.head = 0;
  }

  /** The newest `limit` records, oldest first. */
  newest(limit: number): JournalRecord[] {
    const out: JournalRecord[] = [];
    if (limit <= 0) return out;
    this.walkBackwards((r) => out.push(r) < limit);
    return out.reverse();
  }

  /** Walks records newest first until `visit` returns false. */
  walkBackwards(visit: (record: JournalRecord) => boolean): void {
    for (let i = this.count - 1; i >= 0; i--) {
      const s = this.slot(i);
      const at = this.starts[s]!;
      if (!visit(JSON.parse(this.ring.toString('utf8', at, at + this.lengths[s]!)) as JournalRecord)) return;
    }
  }
}

function overlaps(start: number, len: number, from: number, to: number): boolean {
  return start < to && start + len > from;
}

const OPEN = '{"id":';

/**
 * Splits journal bytes (whole lines, each ending in a newline) into runs of consecutive ids, for
 * {@link LineWindow.push}. A line that is not a record (no leading id) is skipped and a jump in ids starts a new
 * run, so the window only ever holds what it can name by id.
 */
export function chunkLines(bytes: Buffer): Array<{ bytes: Buffer; ends: Uint32Array; firstId: number }> {
  const out: Array<{ bytes: Buffer; ends: Uint32Array; firstId: number }> = [];
  let runStart = -1;
  let runFirstId = 0;
  let ends: number[] = [];
  const close = (): void => {
    if (runStart < 0) return;
    const base = runStart;
    const last = ends[ends.length - 1]!;
    out.push({ bytes: bytes.subarray(base, last + 1), ends: Uint32Array.from(ends, (e) => e - base), firstId: runFirstId });
    runStart = -1;
    ends = [];
  };
  let pos = 0;
  while (pos < bytes.length) {
    let nl = bytes.indexOf(0x0a, pos);
    if (nl < 0) nl = bytes.length;
    const id = lineId(bytes, pos, nl);
    if (id === null || (runStart >= 0 && id !== runFirstId + ends.length)) close();
    if (id !== null) {
      if (runStart < 0) {
        runStart = pos;
        runFirstId = id;
      }
      ends.push(nl);
    }
    pos = nl + 1;
  }
  close();
  return out;
}

/** The id a journal line starts with (`{"id":<digits>,`), or null. */
export function lineId(bytes: Buffer, start: number, end: number): number | null {
  if (end - start < OPEN.length + 2 || bytes.toString('latin1', start, start + OPEN.length) !== OPEN) return null;
  let id = 0;
  let i = start + OPEN.length;
  for (; i < end; i++) {
    const d = bytes[i]! - 0x30;
    if (d < 0 || d > 9) break;
    id = id * 10 + d;
  }
  return i > start + OPEN.length && i < end && bytes[i] === 0x2c && Number.isSafeInteger(id) ? id : null;
}
