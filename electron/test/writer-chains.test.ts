/** NATS mode's chain check over many writers: hashes, links between consecutive ids, duplicates, the summary. */
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, type JournalRecord } from '@ic-audit/shared';
import type { StreamRecord } from '../src/nats/stream-message.js';
import { WriterChains } from '../src/nats/writer-chains.js';

const hash = (writer: string, id: number): string => `${writer}-${id}`.padEnd(64, '0');

let streamSeq = 0;
/** Writer `w`'s record `id` as read from the stream, linked to its previous id unless `prev` says otherwise. */
function msg(w: string, id: number, opts: { prev?: string; hashOk?: boolean } = {}): StreamRecord {
  const record = {
    id,
    prev_hash: opts.prev ?? (id === 1 ? GENESIS_HASH : hash(w, id - 1)),
    hash: hash(w, id),
  } as JournalRecord;
  streamSeq++;
  return { streamSeq, id: streamSeq, collector: w, record, hashOk: opts.hashOk ?? true };
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
});
