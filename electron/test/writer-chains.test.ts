/**
 * NATS mode's chain check over many writers: hashes, links between consecutive ids, duplicates, unreadable messages,
 * ids missing from a whole-stream walk, the summary.
 */
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, type JournalRecord } from '@ic-audit/shared';
import { ID_SPAN, type StreamRecord } from '../src/nats/stream-message.js';
import { WriterChains } from '../src/nats/writer-chains.js';

const hash = (writer: string, id: number): string => `${writer}-${id}`.padEnd(64, '0');

let streamSeq = 0;
/** Writer `w`'s record `id` as read from the stream, linked to its previous id unless `prev` says otherwise. */
function msg(w: string, id: number, opts: { prev?: string; hashOk?: boolean; batched?: boolean } = {}): StreamRecord {
  const record = {
    id,
    prev_hash: opts.prev ?? (id === 1 ? GENESIS_HASH : hash(w, id - 1)),
    hash: hash(w, id),
  } as JournalRecord;
  streamSeq++;
  return { streamSeq, id: streamSeq, collector: w, record, hashOk: opts.hashOk ?? true, batched: opts.batched ?? true };
}

describe('WriterChains', () => {
  it('intact chains of several writers, interleaved', () => {
    const c = new WriterChains();
    const verdicts = [msg('a', 1), msg('b', 1), msg('a', 2), msg('b', 2), msg('a', 3)].map((m) => c.check(m));
    expect(verdicts).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(c.writerCount).toBe(2);
    expect(c.info(42)).toEqual({
      ok: true,
      records: 5,
      first_bad_id: null,
      message: 'chains intact (5 records of 2 collectors)',
      checked_at: 42,
    });
  });

  it('one writer is "collector", none is "collectors"', () => {
    expect(new WriterChains().info(0).message).toBe('chains intact (0 records of 0 collectors)');
    const c = new WriterChains();
    c.check(msg('a', 1));
    expect(c.info(0).message).toBe('chains intact (1 records of 1 collector)');
  });

  it('a replay window may start mid-chain: the first record of a writer is only checked by its hash', () => {
    const c = new WriterChains();
    expect(c.check(msg('a', 50, { prev: 'f'.repeat(64) }))).toBe('ok');
    expect(c.check(msg('a', 51))).toBe('ok');
    expect(c.info(0).ok).toBe(true);
  });

  it('ids missing from the stream (deduplicated elsewhere) leave links unchecked, not broken', () => {
    const c = new WriterChains();
    for (const id of [1, 2, 5, 6]) expect(c.check(msg('a', id, id === 5 ? { prev: 'x'.repeat(64) } : {}))).toBe('ok');
    expect(c.info(0).ok).toBe(true);
  });

  it('a repeated (writer, id) is a duplicate, dropped and not counted; the same id of another writer is not', () => {
    const c = new WriterChains();
    expect([msg('a', 1), msg('a', 2), msg('a', 1), msg('b', 1), msg('a', 2)].map((m) => c.check(m))).toEqual([
      'ok',
      'ok',
      'duplicate',
      'ok',
      'duplicate',
    ]);
    expect(c.info(0).records).toBe(3);
  });

  it('names a record whose hash does not match its bytes, by stream sequence', () => {
    const c = new WriterChains();
    c.check(msg('a', 1));
    const bad = msg('a', 2, { hashOk: false });
    expect(c.check(bad)).toBe('ok');
    expect(c.info(7)).toEqual({
      ok: false,
      records: 2,
      first_bad_id: bad.streamSeq,
      message: `chain broken: writer a record 2: hash does not match its bytes (stream seq ${bad.streamSeq})`,
      checked_at: 7,
    });
  });

  it('names a record 1 that does not start from the genesis hash', () => {
    const c = new WriterChains();
    c.check(msg('a', 1, { prev: 'e'.repeat(64) }));
    expect(c.info(0).message).toMatch(/^chain broken: writer a record 1: does not start the chain \(stream seq \d+\)$/);
  });

  it('names a record whose prev_hash does not link to the previous id, and keeps the first break only', () => {
    const c = new WriterChains();
    c.check(msg('a', 1));
    const first = msg('a', 2, { prev: 'd'.repeat(64) });
    c.check(first);
    c.check(msg('a', 3, { hashOk: false }));
    const info = c.info(0);
    expect(info.first_bad_id).toBe(first.streamSeq);
    expect(info.message).toBe(
      `chain broken: writer a record 2: prev_hash does not link to record 1 (stream seq ${first.streamSeq})`,
    );
    expect(info.records).toBe(3);
  });

  it('a record arriving late (below the newest seen, above the low-water mark) is still taken', () => {
    const c = new WriterChains();
    expect([msg('a', 1), msg('a', 3), msg('a', 2)].map((m) => c.check(m))).toEqual(['ok', 'ok', 'ok']);
    expect(c.info(0).records).toBe(3);
  });

  // A resend after a lost publish can put 3 before 2: both links are still checked once both ends are seen.
  it('checks the link between consecutive ids that arrived out of order', () => {
    const c = new WriterChains();
    c.check(msg('a', 1));
    c.check(msg('a', 3, { prev: 'c'.repeat(64) }));
    c.check(msg('a', 2));
    expect(c.info(0).ok).toBe(false);
  });

  it('an unreadable message of ours breaks the trail, named by its stream sequence', () => {
    const c = new WriterChains();
    c.check(msg('a', 1));
    c.unreadable(7, 'payload does not decompress (unexpected end of file)');
    c.check(msg('a', 2, { prev: 'x'.repeat(64) })); // a later break does not replace the first
    expect(c.info(0)).toMatchObject({
      ok: false,
      first_bad_id: 7 * ID_SPAN,
      message: 'chain broken: message unreadable: payload does not decompress (unexpected end of file) (stream seq 7)',
    });
  });

  it("after a whole-stream walk, ids missing between a writer's first and last are named; late ones fill in", () => {
    const c = new WriterChains();
    for (const id of [1, 2, 3, 5, 4, 9, 10]) c.check(msg('a', id)); // 4 arrives late; 6-8 never
    for (const id of [1, 2]) c.check(msg('b', id));
    expect(c.info(0).ok).toBe(true); // while following live a hole may still fill
    c.checkComplete();
    expect(c.info(0)).toMatchObject({
      ok: false,
      first_bad_id: null,
      message: 'chain broken: writer a: records 6-8 are missing from the stream',
    });
    const one = new WriterChains();
    for (const id of [40, 41, 43]) one.check(msg('c', id)); // a window starting at 40 is not a hole
    one.checkComplete();
    expect(one.info(0).message).toBe('chain broken: writer c: record 42 is missing from the stream');
    const whole = new WriterChains();
    for (const id of [40, 41, 42]) whole.check(msg('c', id));
    whole.checkComplete();
    expect(whole.info(0).ok).toBe(true);
  });

  it('a writer with records of the previous format (one per message) is not checked for holes', () => {
    const c = new WriterChains();
    c.check(msg('a', 1, { batched: false }));
    c.check(msg('a', 3)); // 2 went to JetStream under a bot's seq id and was deduplicated there: by design
    c.checkComplete();
    expect(c.info(0).ok).toBe(true);
  });

  it('a whole walk of a stream that holds its first message expects every writer from id 1, in any order', () => {
    const c = new WriterChains(true);
    for (const id of [3, 4, 1, 2, 5]) expect(c.check(msg('a', id))).toBe('ok'); // 1-2 stored after 3-4: taken
    for (const id of [4, 5, 6]) c.check(msg('b', id, id === 4 ? { prev: 'b'.repeat(64) } : {}));
    c.checkComplete();
    expect(c.info(0)).toMatchObject({
      ok: false,
      records: 8,
      message: 'chain broken: writer b: records 1-3 are missing from the stream',
    });
  });

  it('after a whole walk, ids a collector announced as stored past its newest in the stream are named (a cut tail)', () => {
    const c = new WriterChains();
    for (const id of [10, 11, 12]) c.check(msg('a', id, id === 10 ? { prev: 'z'.repeat(64) } : {}));
    c.checkComplete(
      new Map([
        ['a', 12],
        ['gone', 99],
      ]),
    );
    expect(c.info(0).ok).toBe(true); // all of a's claim is there; 'gone' may be trimmed by the stream's limits
    c.checkComplete(new Map([['a', 15]]));
    expect(c.info(0).message).toBe(
      'chain broken: writer a: records 13-15 are missing from the stream (acknowledged by JetStream, announced by the collector)',
    );
    const whole = new WriterChains(true); // the stream holds its first message: a writer with no record at all is cut
    whole.checkComplete(new Map([['gone', 1]]));
    expect(whole.info(0).message).toBe(
      'chain broken: writer gone: record 1 is missing from the stream (acknowledged by JetStream, announced by the collector)',
    );
  });
});
