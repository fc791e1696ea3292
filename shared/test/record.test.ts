import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkRecordLine, GENESIS_HASH, recordBody, sealRecord, splitRecordLine } from '../src/record.js';

const nodeHash = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

function line(id: number, prev: string, description = 'hi'): string {
  const body = recordBody(
    id,
    1.5,
    '"s-123456"',
    id,
    'ws',
    '"Bot"',
    '"boot"',
    JSON.stringify(description),
    2.25,
    '',
    '{"a":1}',
    prev,
  );
  return sealRecord(body, nodeHash(body));
}

describe('journal record format', () => {
  it('is one JSON object whose hash covers every byte before the seal', () => {
    const l = line(1, GENESIS_HASH);
    const rec = JSON.parse(l) as Record<string, unknown>;
    expect(Object.keys(rec)).toEqual([
      'id',
      'received_at',
      'session',
      'seq',
      'source',
      'project_name',
      'event_type',
      'event_description',
      'timestamp',
      'fields',
      'prev_hash',
      'hash',
    ]);
    const parts = splitRecordLine(l)!;
    expect(parts.hash).toBe(rec['hash']);
    expect(nodeHash(parts.body)).toBe(parts.hash);
  });

  it('checks hash, link and id, naming the fault', () => {
    const a = line(1, GENESIS_HASH);
    const b = line(2, JSON.parse(a).hash as string);
    expect(checkRecordLine(a, GENESIS_HASH, 1, nodeHash).ok).toBe(true);
    expect(checkRecordLine(b, JSON.parse(a).hash, 2, nodeHash).ok).toBe(true);
    expect(checkRecordLine(b.replace('"hi"', '"ho"'), JSON.parse(a).hash, 2, nodeHash)).toMatchObject({
      ok: false,
      fault: 'hash',
      id: 2,
    });
    expect(checkRecordLine(b, GENESIS_HASH, 2, nodeHash)).toMatchObject({ ok: false, fault: 'chain', id: 2 });
    expect(checkRecordLine(b, JSON.parse(a).hash, 3, nodeHash)).toMatchObject({ ok: false, fault: 'id', id: 2 });
    expect(checkRecordLine('{"id":1', GENESIS_HASH, 1, nodeHash)).toMatchObject({ ok: false, fault: 'malformed' });
    expect(checkRecordLine('{"id":1,"hash":"zz"}', GENESIS_HASH, 1, nodeHash)).toMatchObject({
      ok: false,
      fault: 'malformed',
    });
  });
});
