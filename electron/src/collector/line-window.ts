import { parseRecordLine, type JournalRecord } from '@ic-audit/shared';
import type { RecordWindow } from '../read-model/recent-window.js';

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
  /** Set while {@link load} runs: commits wait here (as copies) and the window reads as empty. */
  private queued: Array<{ bytes: Buffer; ends: Uint32Array; firstId: number }> | null = null;

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

  /** Number of records held (0 while loading). */
  get size(): number {
    return this.queued === null ? this.count : 0;
  }

  /** Lowest id held, or Infinity when empty (or loading: a query then reads everything from disk). */
  get oldestId(): number {
    return this.size === 0 ? Infinity : this.ids[this.first]!;
  }

  /** Most bytes of lines the window can hold. */
  get byteCapacity(): number {
    return this.ring.length;
  }

  /** True while {@link load} runs. */
  get loading(): boolean {
    return this.queued !== null;
  }

  /**
   * Start-up: `fill` writes whole journal lines (each ending in a newline) into the ring from its start, off the
   * main thread (the first touch of the ring's memory is its costly part), and resolves with how many bytes. The
   * window reads as empty until then; commits pushed meanwhile are kept aside and added once the lines are in.
   * A failed fill leaves the window holding only what was pushed since.
   */
  async load(fill: (ring: Buffer) => Promise<number>): Promise<void> {
    this.clear();
    this.queued = [];
    try {
      this.index(await fill(this.ring));
    } catch (err) {
      this.clear();
      throw err;
    } finally {
      const queued = this.queued;
      this.queued = null;
      for (const q of queued) this.push(q.bytes, q.ends, q.firstId);
    }
  }

  /** Indexes `n` bytes of whole lines sitting at the ring's start; only the newest contiguous run of ids is kept. */
  private index(n: number): void {
    let pos = 0;
    while (pos < n) {
      let nl = this.ring.indexOf(0x0a, pos);
      if (nl < 0 || nl > n) nl = n;
      const id = lineId(this.ring, pos, nl);
      if (id === null || (this.count > 0 && id !== this.ids[this.slot(this.count - 1)]! + 1)) this.clear();
      if (id !== null && this.capacity > 0) {
        if (this.count >= this.capacity) this.dropOldest();
        const slot = this.slot(this.count);
        this.starts[slot] = pos;
        this.lengths[slot] = nl - pos;
        this.ids[slot] = id;
        this.count++;
      }
      pos = nl + 1;
    }
    this.head = Math.min(n, this.ring.length);
  }

  /**
   * Copies in consecutive lines (ids from `firstId`): line i of `bytes` ends at `ends[i]` (its newline excluded)
   * and starts just past the previous line's newline. The oldest records fall out to make room. Lines are placed
   * first and copied in runs, one copy per stretch that lands contiguously in the ring.
   */
  push(bytes: Uint8Array, ends: Uint32Array, firstId: number): void {
    if (this.queued !== null) {
      const copy = Buffer.allocUnsafe(bytes.length);
      copy.set(bytes);
      this.queued.push({ bytes: copy, ends: ends.slice(), firstId });
      return;
    }
    // The journal's memory is a SharedArrayBuffer, which V8 copies word by word only between equal alignments (byte
    // by byte, ~8x slower, else): the commit's first line goes to a ring offset of its own alignment (up to 7 bytes
    // of the ring skipped; each line's start is kept per slot).
    this.head = Math.min(this.ring.length, this.head + ((bytes.byteOffset - this.head) & 7));
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
    while (
      this.count > 0 &&
      (this.count >= this.capacity || overlaps(this.starts[this.first]!, this.lengths[this.first]! + 1, at, to))
    ) {
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
    for (let i = this.size - 1; i >= 0; i--) {
      const s = this.slot(i);
      const at = this.starts[s]!;
      const record = parseRecordLine(this.ring.toString('utf8', at, at + this.lengths[s]!));
      if (record !== null && !visit(record)) return;
    }
  }
}

function overlaps(start: number, len: number, from: number, to: number): boolean {
  return start < to && start + len > from;
}

const OPEN = '{"id":';

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
