/**
 * A shutdown that meets a disk fault must not answer as if the events it could not write were stored: the journal
 * refuses the drains its close leaves waiting, so a POST gets 503 E_STORAGE and a legacy client "Not stored:
 * E_STORAGE", never 200 or "Data received". The fault is injected with strace: every fdatasync waits 1.5 s and
 * fails with EIO, long enough for three kinds of client to have events queued behind the first failing commit.
 */
import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { collectorsPerTest, tempDataDir } from '../../test/helpers/collector.js';
import { connectRaw, event, journalRecords } from '../../test/helpers/raw-client.js';
import { straceUsable, straceWrap } from '../../test/helpers/strace.js';

const { start } = collectorsPerTest();
if (!straceUsable) console.warn('shutdown-disk-fault skipped: needs strace (and ptrace)');

async function health(httpUrl: string): Promise<Record<string, any>> {
  return (await (await fetch(`${httpUrl}/healthz`)).json()) as Record<string, any>;
}

describe.skipIf(!straceUsable)('shutdown during a disk fault', () => {
  it('answers POST and legacy clients with E_STORAGE and acks nothing on WebSocket', async () => {
    // The fault hits the journal segment only (-P): the signed heads file still syncs, as a start needs it to.
    const dataDir = tempDataDir();
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
    const segment = join(dataDir, 'journal', `${new Date().toISOString().slice(0, 10)}.jsonl`);
    const c = await start({
      dataDir,
      wrap: straceWrap(
        '/dev/null',
        '-P',
        segment,
        '-e',
        'trace=fdatasync',
        '-e',
        'inject=fdatasync:error=EIO:delay_enter=1500000',
      ),
    });
    const ws = await connectRaw(c.ingestUrl);
    let seq = 0;
    await new Promise<void>((resolve) => {
      // The first commit is soon held in fdatasync, with the batch after it built behind it; events sent after
      // that wait in the queue, and so do the next clients, while the journal is still healthy.
      const poll = (): void => {
        ws.send({ type: 'events', events: [event(++seq), event(++seq)] });
        void health(c.httpUrl).then((h) =>
          h['journal'].pending > 0 || h['journal'].writable === false ? resolve() : setTimeout(poll, 10),
        );
      };
      poll();
    });
    expect(
      (await health(c.httpUrl))['journal'].writable,
      'the other clients must arrive before the fault is known',
    ).toBe(true);

    const legacy = connect(c.port, '127.0.0.1');
    let legacyAnswer = '';
    legacy.setEncoding('utf8');
    legacy.on('data', (d: string) => (legacyAnswer += d));
    const legacyClosed = new Promise<void>((resolve) => legacy.on('close', () => resolve()));
    legacy.on('error', () => undefined);
    legacy.write(
      JSON.stringify({ project_name: 'LegacyFault', event_type: 'trade_opened', event_description: 'never stored' }),
    );
    const post = fetch(`${c.httpUrl}/ingest`, {
      method: 'POST',
      body:
        JSON.stringify({ project_name: 'PostFault', event_type: 'trade_opened', event_description: 'never stored' }) +
        '\n',
    });
    // All three are accepted and waiting once the journal holds more than the WebSocket's frame.
    for (let i = 0; i < 400; i++) {
      const h = await health(c.httpUrl);
      if (h['journal'].pending >= 5 || (h['journal'].writable === false && h['journal'].pending >= 5)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const before = await health(c.httpUrl);
    expect(before['journal'].pending).toBeGreaterThanOrEqual(5);

    await c.kill('SIGTERM');
    const res = await post;
    const body = (await res.json()) as Record<string, any>;
    expect(res.status, JSON.stringify(body)).toBe(503);
    expect(body['error'].code).toBe('E_STORAGE');
    await legacyClosed;
    expect(legacyAnswer).toMatch(/^Not stored: E_STORAGE /);
    expect(legacyAnswer).not.toContain('Data received');
    expect(ws.frames.filter((f) => f.type === 'ack')).toEqual([]);
    await ws.closed;
    // And indeed none of them is on disk.
    expect(journalRecords(c.dataDir).filter((r) => r['seq'] > 0)).toEqual([]);
  });
});
