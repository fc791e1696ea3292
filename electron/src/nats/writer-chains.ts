import { GENESIS_HASH, type IntegrityInfo } from '@ic-audit/shared';
import { SeenSet } from './seen-set.js';
import type { StreamRecord } from './stream-message.js';

/** How many of a writer's newest records keep their hashes for link checks (records may arrive out of order). */
export const CHAIN_LINK_WINDOW = 65_536;

/** One writer's chain as seen so far. */
interface Writer {
  seen: SeenSet;
  /** Hash and prev_hash of the writer's recently seen ids, oldest first (insertion order), at most the window. */
  links: Map<number, { hash: string; prev: string }>;
  records: number;
}

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
  private firstBad: { id: number; streamSeq: number; message: string } | null = null;
  private total = 0;

  /** Checks one record; 'duplicate' when this writer's id was seen before. */
  check(m: StreamRecord): ChainVerdict {
    const r = m.record;
    let w = this.writers.get(m.collector);
    if (w === undefined) {
      w = { seen: new SeenSet(r.id), links: new Map(), records: 0 };
      this.writers.set(m.collector, w);
    }
    if (!w.seen.add(r.id)) return 'duplicate';
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

  private fail(m: StreamRecord, message: string): void {
    this.firstBad ??= { id: m.id, streamSeq: m.streamSeq, message };
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
        : `chain broken: ${this.firstBad!.message} (stream seq ${this.firstBad!.streamSeq})`,
      checked_at: checkedAt,
    };
  }
}
