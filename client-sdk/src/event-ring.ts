/**
 * The notifier's buffer: events from `send()` until the collector acks them, oldest first, in a ring that grows
 * to `maxEvents` and then overwrites (drops) its oldest entry. An event's seq is implicit: `headSeq + offset`.
 *
 * Each slot starts raw (what `send()` got, plus a clock reading) and becomes serialized (its wire JSON and UTF-8
 * size) at the batch step; raw references to the bot's objects are released there.
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

  private cap: number;
  private head = 0;
  private types: unknown[];
  private descs: unknown[];
  private fields: unknown[];
  private times: Float64Array;
  private json: (string | null)[];
  private sizes: Float64Array;

  constructor(readonly maxEvents: number, initialCapacity = 1024) {
    this.cap = Math.max(1, Math.min(maxEvents, initialCapacity));
    this.types = slots<unknown>(this.cap, undefined);
    this.descs = slots<unknown>(this.cap, undefined);
    this.fields = slots<unknown>(this.cap, undefined);
    this.times = new Float64Array(this.cap);
    this.json = slots<string | null>(this.cap, null);
    this.sizes = new Float64Array(this.cap);
  }

  /** seq the next pushed event gets. */
  get nextSeq(): number {
    return this.headSeq + this.count;
  }

  /** Appends a raw event; returns 1 when the oldest event had to be dropped to make room, else 0. Hot path. */
  push(type: unknown, description: unknown, time: number, fields: unknown): number {
    let dropped = 0;
    if (this.count === this.cap) {
      if (this.cap < this.maxEvents) this.grow();
      else dropped = this.dropOldest();
    }
    let i = this.head + this.count;
    if (i >= this.cap) i -= this.cap;
    this.types[i] = type;
    this.descs[i] = description;
    this.times[i] = time;
    this.fields[i] = fields;
    this.count++;
    return dropped;
  }

  /** Removes the oldest event (acked or dropped). Returns 1, or 0 when empty. */
  dropOldest(): number {
    if (this.count === 0) return 0;
    const i = this.head;
    this.bytes -= this.sizes[i]!;
    this.clear(i);
    this.head = i + 1 === this.cap ? 0 : i + 1;
    this.count--;
    this.headSeq++;
    if (this.readyUpTo < this.headSeq - 1) this.readyUpTo = this.headSeq - 1;
    return 1;
  }

  /** Removes every event with seq <= `seq` (acked); returns how many. */
  releaseThrough(seq: number): number {
    let n = 0;
    while (this.count > 0 && this.headSeq <= seq) n += this.dropOldest();
    return n;
  }

  /**
   * Serializes every raw event, oldest first, with `serialize(seq, type, description, time, fields)` and
   * `size(json)`; returns how many were serialized.
   */
  serializePending(
    serialize: (seq: number, type: unknown, description: unknown, time: number, fields: unknown) => string,
    size: (json: string) => number,
  ): number {
    let n = 0;
    for (let seq = Math.max(this.readyUpTo + 1, this.headSeq); seq < this.nextSeq; seq++) {
      const i = this.index(seq);
      const json = serialize(seq, this.types[i], this.descs[i], this.times[i]!, this.fields[i]);
      const bytes = size(json);
      this.types[i] = this.descs[i] = this.fields[i] = undefined;
      this.json[i] = json;
      this.sizes[i] = bytes;
      this.bytes += bytes;
      this.readyUpTo = seq;
      n++;
    }
    return n;
  }

  /** Serialized JSON of a retained event, or null when it is still raw or not retained. */
  jsonAt(seq: number): string | null {
    if (seq < this.headSeq || seq >= this.nextSeq) return null;
    return this.json[this.index(seq)]!;
  }

  /** UTF-8 size of a retained serialized event (0 when raw or not retained). */
  sizeAt(seq: number): number {
    if (seq < this.headSeq || seq >= this.nextSeq) return 0;
    return this.sizes[this.index(seq)]!;
  }

  private index(seq: number): number {
    const i = this.head + (seq - this.headSeq);
    return i >= this.cap ? i - this.cap : i;
  }

  private clear(i: number): void {
    this.types[i] = this.descs[i] = this.fields[i] = undefined;
    this.json[i] = null;
    this.sizes[i] = 0;
  }

  private grow(): void {
    const cap = Math.min(this.maxEvents, this.cap * 2);
    const types = slots<unknown>(cap, undefined);
    const descs = slots<unknown>(cap, undefined);
    const fields = slots<unknown>(cap, undefined);
    const times = new Float64Array(cap);
    const json = slots<string | null>(cap, null);
    const sizes = new Float64Array(cap);
    for (let k = 0; k < this.count; k++) {
      let i = this.head + k;
      if (i >= this.cap) i -= this.cap;
      types[k] = this.types[i];
      descs[k] = this.descs[i];
      fields[k] = this.fields[i];
      times[k] = this.times[i]!;
      json[k] = this.json[i]!;
      sizes[k] = this.sizes[i]!;
    }
    this.types = types;
    this.descs = descs;
    this.fields = fields;
    this.times = times;
    this.json = json;
    this.sizes = sizes;
    this.cap = cap;
    this.head = 0;
  }
}

/** A packed array of `n` copies of `v` (new Array(n) can give slow dictionary-mode storage for large n). */
function slots<T>(n: number, v: T): T[] {
  const a: T[] = [];
  for (let i = 0; i < n; i++) a.push(v);
  return a;
}
