/** Writes `text` as UTF-8 into `dest` at `at` (room for 3 bytes per character is guaranteed); returns the bytes. */
type Utf8Writer = (text: string, dest: Uint8Array, at: number) => number;

const hasBuffer = typeof (globalThis as { Buffer?: unknown }).Buffer === 'function';
const encoder = new TextEncoder();
/** Buffer's writer in Node (the fastest there), TextEncoder elsewhere. */
const writeUtf8: Utf8Writer = hasBuffer
  ? (text, dest, at) => (dest as Buffer).write(text, at, 'utf8')
  : (text, dest, at) => encoder.encodeInto(text, dest.subarray(at)).written;
/** Uninitialized bytes: a Buffer in Node (so `ws` takes it as is), a Uint8Array elsewhere. */
export const allocBytes = (n: number): Uint8Array => (hasBuffer ? Buffer.allocUnsafeSlow(n) : new Uint8Array(n));
const COMMA = 0x2c;
const MIN_STORE_BYTES = 64 * 1024;

/**
 * The notifier's buffer: events from `send()` until the collector acks them, oldest first, in a ring that grows
 * to `maxEvents` and then overwrites (drops) its oldest entry. An event's seq is implicit: `headSeq + offset`.
 *
 * Each slot starts raw (what `send()` got, plus a clock reading) and becomes serialized at the batch step: its wire
 * JSON is written as UTF-8, followed by a comma, into one byte store, and raw references to the bot's objects are
 * released. Serialized events are therefore no JS objects at all: however many are buffered (a collector down for
 * minutes), the garbage collector has nothing to copy or mark, so the bot's `send()` calls see no pauses from them.
 * Events sit in the store in seq order, back to back, so a frame is one contiguous slice of it.
 */
export class EventRing {
  /** seq of the oldest retained event (the next seq when empty). */
  headSeq = 1;
  /** Retained events. */
  count = 0;
  /** UTF-8 bytes of the serialized retained events. */
  bytes = 0;
  /** Highest seq already serialized (raw slots above it). */
  readyUpTo = 0;

  /** Slot `i` of the ring lives in chunk `i >> bits`: chunks are made on first use and never copied or moved. */
  private readonly chunks: (SlotChunk | undefined)[];
  private readonly bits: number;
  private readonly mask: number;
  private readonly cap: number;
  private head = 0;
  /** Emptied chunks, reused before any new one is made. */
  private readonly spare: SlotChunk[] = [];
  private store: Uint8Array = allocBytes(MIN_STORE_BYTES);
  /** Where the next serialized event goes in `store`. */
  private storeEnd = 0;

  /** `chunkSlots` (a power of two) is the allocation unit of the slots: small in tests, to cross chunk edges. */
  constructor(
    readonly maxEvents: number,
    chunkSlots = 1024,
  ) {
    this.cap = Math.max(1, maxEvents);
    this.bits = Math.max(0, Math.round(Math.log2(Math.max(1, chunkSlots))));
    this.mask = (1 << this.bits) - 1;
    this.chunks = new Array<SlotChunk | undefined>(Math.ceil(this.cap / (1 << this.bits))).fill(undefined);
  }

  /** seq the next pushed event gets. */
  get nextSeq(): number {
    return this.headSeq + this.count;
  }

  /** Appends a raw event; returns 1 when the oldest event had to be dropped to make room, else 0. Hot path. */
  push(type: unknown, description: unknown, time: number, fields: unknown): number {
    const dropped = this.count === this.cap ? this.dropOldest() : 0;
    let i = this.head + this.count;
    if (i >= this.cap) i -= this.cap;
    const c = this.chunks[i >> this.bits] ?? this.newChunk(i >> this.bits);
    const k = i & this.mask;
    c.types[k] = type;
    c.descs[k] = description;
    c.times[k] = time;
    c.fields[k] = fields;
    this.count++;
    return dropped;
  }

  /** Removes the oldest event (acked or dropped). Returns 1, or 0 when empty. */
  dropOldest(): number {
    if (this.count === 0) return 0;
    const i = this.head;
    const c = this.chunks[i >> this.bits]!;
    const k = i & this.mask;
    this.bytes -= c.sizes[k]!;
    c.types[k] = c.descs[k] = c.fields[k] = undefined;
    c.sizes[k] = 0;
    this.head = i + 1 === this.cap ? 0 : i + 1;
    this.count--;
    this.headSeq++;
    if (this.readyUpTo < this.headSeq - 1) this.readyUpTo = this.headSeq - 1;
    // The head left a chunk: unless the live range wraps back into it, it is empty and goes to the spare list.
    if ((k === this.mask || i + 1 === this.cap) && !this.liveIn(i >> this.bits)) {
      this.spare.push(c);
      this.chunks[i >> this.bits] = undefined;
    }
    return 1;
  }

  /** Removes every event with seq <= `seq` (acked); returns how many. */
  releaseThrough(seq: number): number {
    let n = 0;
    while (this.count > 0 && this.headSeq <= seq) n += this.dropOldest();
    return n;
  }

  /**
   * Serializes every raw event, oldest first, with `serialize(seq, type, description, time, fields)` into the
   * byte store; returns how many were serialized.
   */
  serializePending(
    serialize: (seq: number, type: unknown, description: unknown, time: number, fields: unknown) => string,
  ): number {
    let n = 0;
    for (let seq = Math.max(this.readyUpTo + 1, this.headSeq); seq < this.nextSeq; seq++) {
      const i = this.index(seq);
      const k = i & this.mask;
      let c = this.chunks[i >> this.bits]!;
      const json = serialize(seq, c.types[k], c.descs[k], c.times[k]!, c.fields[k]);
      // A getter in the fields may have called send() on a full buffer, dropping this very event (and its slot
      // may already hold a newer one): then there is nothing to store.
      if (seq < this.headSeq) continue;
      c = this.chunks[i >> this.bits]!;
      c.types[k] = c.descs[k] = c.fields[k] = undefined;
      this.reserve(json.length * 3 + 1);
      const at = this.storeEnd;
      const bytes = writeUtf8(json, this.store, at);
      this.store[at + bytes] = COMMA;
      this.storeEnd = at + bytes + 1;
      c.starts[k] = at;
      c.sizes[k] = bytes;
      this.bytes += bytes;
      this.readyUpTo = seq;
      n++;
    }
    return n;
  }

  /**
   * The serialized events `from`..`to` (both retained and serialized), comma-separated, as a view of the store:
   * valid until the next call that serializes.
   */
  jsonBytes(from: number, to: number): Uint8Array {
    return this.store.subarray(this.startAt(from), this.startAt(to) + this.sizeAt(to));
  }

  private startAt(seq: number): number {
    const i = this.index(seq);
    return this.chunks[i >> this.bits]!.starts[i & this.mask]!;
  }

  /** Makes room for `need` more bytes at the store's end: moves the live events to its start, growing it if needed. */
  private reserve(need: number): void {
    if (this.storeEnd + need <= this.store.length) return;
    const oldest = this.readyUpTo >= this.headSeq ? this.startAt(this.headSeq) : this.storeEnd;
    const live = this.storeEnd - oldest;
    const size = this.store.length;
    if ((live + need) * 1.25 <= size) {
      this.store.copyWithin(0, oldest, this.storeEnd);
    } else {
      const next = allocBytes(Math.max(MIN_STORE_BYTES, Math.ceil((live + need) * 1.5)));
      next.set(this.store.subarray(oldest, this.storeEnd));
      this.store = next;
    }
    for (let seq = this.headSeq; seq <= this.readyUpTo; seq++) {
      const i = this.index(seq);
      this.chunks[i >> this.bits]!.starts[i & this.mask]! -= oldest;
    }
    this.storeEnd = live;
  }

  /** UTF-8 size of a retained serialized event (0 when raw or not retained). */
  sizeAt(seq: number): number {
    if (seq < this.headSeq || seq >= this.nextSeq) return 0;
    const i = this.index(seq);
    return this.chunks[i >> this.bits]!.sizes[i & this.mask]!;
  }

  private index(seq: number): number {
    const i = this.head + (seq - this.headSeq);
    return i >= this.cap ? i - this.cap : i;
  }

  /** True when a retained event sits in chunk `n`. */
  private liveIn(n: number): boolean {
    const start = n << this.bits;
    return this.count > start + (start >= this.head ? 0 : this.cap) - this.head;
  }

  /**
   * A chunk for slot range `n`: a spare one when there is one, so a steady stream cycles through the few chunks
   * its in-flight events need instead of touching fresh memory all around the ring.
   */
  private newChunk(n: number): SlotChunk {
    const reused = this.spare.pop();
    if (reused !== undefined) {
      this.chunks[n] = reused;
      return reused;
    }
    const size = 1 << this.bits;
    const c: SlotChunk = {
      types: slots<unknown>(size, undefined),
      descs: slots<unknown>(size, undefined),
      fields: slots<unknown>(size, undefined),
      times: new Float64Array(size),
      starts: new Float64Array(size),
      sizes: new Float64Array(size),
    };
    this.chunks[n] = c;
    return c;
  }
}

/** Slots of the ring: what send() got (until serialized), and where the event's bytes are once serialized. */
interface SlotChunk {
  types: unknown[];
  descs: unknown[];
  fields: unknown[];
  times: Float64Array;
  /** Where the event's JSON starts in the store, and its UTF-8 size (comma excluded). */
  starts: Float64Array;
  sizes: Float64Array;
}

/** A packed array of `n` copies of `v` (new Array(n) can give slow dictionary-mode storage for large n). */
function slots<T>(n: number, v: T): T[] {
  const a: T[] = [];
  for (let i = 0; i < n; i++) a.push(v);
  return a;
}
