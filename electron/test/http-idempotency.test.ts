/**
 * POST /ingest with an Idempotency-Key: a retried request stores nothing twice, names the lines it skipped, and
 * keeps doing so across a clean restart (checkpoint) and a kill -9 (full replay). Real collector, real sockets.
 */
import { describe, expect, it } from 'vitest';
import { collectorsPerTest, type CollectorHandle } from '../../test/helpers/collector.js';
import { journalRecords } from '../../test/helpers/raw-client.js';

const { start, track } = collectorsPerTest();

function line(project: string, n: number): string {
  return JSON.stringify({
    project_name: project,
    event_type: 'trade_opened',
    event_description: `order ${n}`,
    timestamp: 1_764_417_600 + n,
    order: n,
  });
}

async function post(
  c: CollectorHandle,
  body: string,
  key?: string,
): Promise<{ status: number; answer: Record<string, any> }> {
  const res = await fetch(`${c.httpUrl}/ingest`, {
    method: 'POST',
    body,
    headers: key === undefined ? {} : { 'idempotency-key': key },
  });
  return { status: res.status, answer: (await res.json()) as Record<string, any> };
}

/** Orders stored for a project, in journal order. */
function orders(c: CollectorHandle, project: string): number[] {
  return journalRecords(c.dataDir)
    .filter((r) => r['project_name'] === project && r['seq'] > 0)
    .map((r) => r['fields']['order'] as number);
}

describe('POST /ingest Idempotency-Key', () => {
  it('stores a retried request once, names its duplicate lines, and remembers across restarts and kill -9', async () => {
    let c = await start();
    // Two projects interleaved and a bad line: the key still maps each line to one place.
    const body = [line('IdemA', 1), '{"project_name":"IdemA"}', line('IdemB', 1), line('IdemA', 2)].join('\n') + '\n';
    const first = await post(c, body, 'order-batch-7f3a');
    expect(first.status).toBe(200);
    expect(first.answer).toMatchObject({ accepted: 3, duplicates: [] });
    expect(first.answer['rejected'].map((r: { index: number }) => r.index)).toEqual([1]);

    const again = await post(c, body, 'order-batch-7f3a');
    expect(again.answer).toMatchObject({ accepted: 0, duplicates: [0, 2, 3] });
    // A retry that carries more lines than the first attempt stores only the new ones.
    const longer = body + line('IdemA', 3) + '\n';
    expect((await post(c, longer, 'order-batch-7f3a')).answer).toMatchObject({ accepted: 1, duplicates: [0, 2, 3] });
    expect(orders(c, 'IdemA')).toEqual([1, 2, 3]);
    expect(orders(c, 'IdemB')).toEqual([1]);

    // Clean restart: sessions come back from the checkpoint.
    await c.kill('SIGTERM');
    c = track(await c.restart());
    expect((await post(c, longer, 'order-batch-7f3a')).answer).toMatchObject({ accepted: 0, duplicates: [0, 2, 3, 4] });
    // kill -9: no checkpoint of the last state, sessions are replayed from the journal itself.
    expect((await post(c, line('IdemA', 9) + '\n', 'second-batch')).answer).toMatchObject({
      accepted: 1,
      duplicates: [],
    });
    await c.kill('SIGKILL');
    c = track(await c.restart());
    expect((await post(c, longer, 'order-batch-7f3a')).answer).toMatchObject({ accepted: 0, duplicates: [0, 2, 3, 4] });
    expect((await post(c, line('IdemA', 9) + '\n', 'second-batch')).answer).toMatchObject({
      accepted: 0,
      duplicates: [0],
    });
    // Another key is another request, even with the same bytes.
    expect((await post(c, line('IdemA', 9) + '\n', 'third-batch')).answer).toMatchObject({
      accepted: 1,
      duplicates: [],
    });
    expect(orders(c, 'IdemA')).toEqual([1, 2, 3, 9, 9]);
    expect(orders(c, 'IdemB')).toEqual([1]);
    expect(journalRecords(c.dataDir).filter((r) => r['event_type'] === 'ic-audit.gap')).toEqual([]);
  });

  it('without a key a POST is stored each time it is sent, and the answer is unchanged', async () => {
    const c = await start();
    const body = line('NoKey', 1) + '\n';
    expect((await post(c, body)).answer).toEqual({ accepted: 1, rejected: [] });
    expect((await post(c, body)).answer).toEqual({ accepted: 1, rejected: [] });
    expect(orders(c, 'NoKey')).toEqual([1, 1]);
  });

  it('refuses an unusable key before reading the body', async () => {
    const c = await start();
    for (const key of ['has space', 'x'.repeat(129)]) {
      const res = await fetch(`${c.httpUrl}/ingest`, {
        method: 'POST',
        body: line('BadKey', 1),
        headers: { 'idempotency-key': key },
      });
      expect(res.status, key).toBe(400);
      expect(((await res.json()) as Record<string, any>)['error'].code).toBe('E_BAD_IDEMPOTENCY_KEY');
    }
    expect(orders(c, 'BadKey')).toEqual([]);
  });
});
