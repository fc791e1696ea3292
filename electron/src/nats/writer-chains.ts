import { GENESIS_HASH, type IntegrityInfo } from '@ic-audit/shared';
import { SeenSet } from './seen-set.js';
import { ID_SPAN, type StreamRecord } from './stream-message.js';

/** How many of a writer's newest records keep their hashes for link checks (records may arrive out of order). */
export const CHAIN_LINK_WINDOW = 65_536;

/** One writer's chain as seen so far. */
interface Writer {
  seen: SeenSet;
  /** Hash and prev_hash of the writer's recently seen ids, oldest first (insertion order), at most the window. */
  links: Map<number, { hash: string; prev: string }>;
  records: number;
  /** Highest id seen. */
  max: number;
  /** Some of its records came one per message (the previous format), which could leave holes by design. */
  legacy: boolean;
}

/** The place of a break that no message shows (ids missing from the stream). */
const NOWHERE = { id: null, streamSeq: null };

/** What {@link WriterChains.check} decided for one message. */
export type ChainVerdict = 'ok' | 'duplicate';

/**
 * Checks the records of many writers (collectors) read from one stream: each record's hash against its bytes, and
 * each writer's chain (`prev_hash` = the hash of that writer's previous id) wherever consecutive ids are both seen,
 * in whichever order they arrive (a resend after a lost publish can put 3 before 2).
 * The first record of a writer in a replay window links to something older, so only its hash is checked. A record
 * whose (writer, id) was already seen is a duplicate (republished after JetStream's duplicate window) and dropped.
 */
export class WriterChains {
  private readonly writers = new Map<string, Writer>();
  private firstBad: { id: number | null; streamSeq: number | null; message: string } | null = null;
  private total = 0;

  /**
   * `fromFirstId`: the walk covers the whole stream and the stream still holds its first message, so every writer's
   * ids must start at 1 (they do: a collector publishes its journal from its first record); otherwise a writer's
   * first record in view may be any id (a replay window, a stream trimmed by its limits).
   */
  constructor(private readonly fromFirstId = false) {}

  /** Checks one record; 'duplicate' when this writer's id was seen before. */
  check(m: StreamRecord): ChainVerdict {
    const r = m.record;
    let w = this.writers.get(m.collector);
    if (w === undefined) {
      w = { seen: new SeenSet(this.fromFirstId ? 1 : r.id), links: new Map(), records: 0, max: 0, legacy: false };
      this.writers.set(m.collector, w);
    }
    if (!w.seen.add(r.id)) return 'duplicate';
    if (!m.batched) w.legacy = true;
    if (r.id > w.max) w.max = r.id;
    this.total++;
    w.records++;
    if (!m.hashOk) this.fail(m, `writer ${m.collector} record ${r.id}: hash does not match its bytes`);
    else if (r.id === 1 && r.prev_hash !== GENESIS_HASH)
      this.fail(m, `writer ${m.collector} record 1: does not start the chain`);
    else {
      const before = w.links.get(r.id - 1);
      const after = w.links.get(r.id + 1);
      if (before !== undefined && r.prev_hash !== before.hash) {
        this.fail(m, `writer ${m.collector} record ${r.id}: prev_hash does not link to record ${r.id - 1}`);
      } else if (after !== undefined && after.prev !== r.hash) {
        this.fail(m, `writer ${m.collector} record ${r.id + 1}: prev_hash does not link to record ${r.id}`);
      }
    }
    w.links.set(r.id, { hash: r.hash, prev: r.prev_hash });
    if (w.links.size > CHAIN_LINK_WINDOW) w.links.delete(w.links.keys().next().value!);
    return 'ok';
  }

  /** Keeps the first break only; `at` is where it was seen, nulls when no message shows it (missing ids). */
  private fail(at: { id: number | null; streamSeq: number | null }, message: string): void {
    this.firstBad ??= { id: at.id, streamSeq: at.streamSeq, message };
  }

  /** A message of ours that carries no readable record (stream-message.ts `decodeMessage`): the trail has a hole. */
  unreadable(streamSeq: number, why: string): void {
    this.fail({ id: streamSeq * ID_SPAN, streamSeq }, `message unreadable: ${why}`);
  }

  /**
   * After a walk over the whole stream: each writer's batches must have carried every journal id up to its last,
   * from 1 (`fromFirstId`) or from its first in view; a hole is a message deleted from the stream (or lost between
   * journal and stream). Writers with records of the previous format are not checked (that format could leave holes
   * by design). `stored`: each collector's publish cursor as announced before the walk began (presence.ts); ids up
   * to it that the walk did not find were cut from the end of its run.
   */
  checkComplete(stored: ReadonlyMap<string, number> = new Map()): void {
    // The tail: ids a collector announced as acknowledged by JetStream before the walk began must be in it.
    for (const [collector, id] of stored) {
      const w = this.writers.get(collector);
      if (w === undefined && !this.fromFirstId) continue; // its records may all be gone by the stream's limits
      const max = w?.max ?? 0;
      if (id <= max) continue;
      const ids = max + 1 === id ? `record ${id} is` : `records ${max + 1}-${id} are`;
      this.fail(
        NOWHERE,
        `writer ${collector}: ${ids} missing from the stream (acknowledged by JetStream, announced by the collector)`,
      );
    }
    for (const [collector, w] of this.writers) {
      const hole = w.legacy ? null : w.seen.firstHole();
      if (hole === null) continue;
      const ids = hole.from === hole.to ? `record ${hole.from} is` : `records ${hole.from}-${hole.to} are`;
      this.fail(NOWHERE, `writer ${collector}: ${ids} missing from the stream`);
    }
  }

  /** Number of writers seen. */
  get writerCount(): number {
    return this.writers.size;
  }

  /** The integrity summary for /healthz and the console. */
  info(checkedAt: number): IntegrityInfo {
    const ok = this.firstBad === null;
    return {
      ok,
      records: this.total,
      first_bad_id: this.firstBad?.id ?? null,
      message: ok
        ? `chains intact (${this.total} records of ${this.writers.size} collector${this.writers.size === 1 ? '' : 's'})`
        : `chain broken: ${this.firstBad!.message}` +
          (this.firstBad!.streamSeq === null ? '' : ` (stream seq ${this.firstBad!.streamSeq})`),
      checked_at: checkedAt,
    };
  }
}
