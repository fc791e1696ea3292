import { describe, expect, it } from 'vitest';
import { MAX_EVENT_TYPE_LENGTH, MAX_FIELDS_PER_EVENT } from '@ic-audit/shared';
import { collectorsPerTest, verifyDataDir } from '../../test/helpers/collector.js';
import { connectRaw, event, hello, journalRecords, sessionEvents } from '../../test/helpers/raw-client.js';

const { start: collector, track } = collectorsPerTest();

describe('ws /ingest', () => {
  it('acks 10,000 events after they are durable; a kill -9 loses none of them', async () => {
    const c = await collector();
    const bot = await connectRaw(c.ingestUrl);
    expect(bot.frames[0]).toEqual({ type: 'welcome', v: 1, session: bot.session, acked: 0 });
    bot.sendRange(1, 10_000, 250);
    await bot.waitForAck(10_000);
    await c.kill('SIGKILL');
    const again = track(await c.restart());
    const seqs = sessionEvents(c.dataDir, bot.session).map((r) => r['seq']);
    expect(seqs).toHaveLength(10_000);
    expect(new Set(seqs).size).toBe(10_000);
    expect(seqs[0]).toBe(1);
    expect(seqs[9_999]).toBe(10_000);
    const v = verifyDataDir(c.dataDir);
    expect(v.out).toContain('OK: chain intact');
    expect(v.status).toBe(0);
    const back = await connectRaw(again.ingestUrl, { session: bot.session });
    expect(back.frames[0]).toMatchObject({ type: 'welcome', acked: 10_000 });
    await back.close();
    await bot.close();
  });

  it('ignores resent seqs and records a seq jump as a gap', async () => {
    const c = await collector();
    const bot = await connectRaw(c.ingestUrl);
    bot.sendRange(1, 10_000, 500);
    await bot.waitForAck(10_000);
    await bot.close();
    const again = await connectRaw(c.ingestUrl, { session: bot.session });
    expect(again.frames[0]).toMatchObject({ type: 'welcome', acked: 10_000 });
    again.sendRange(1, 5_000, 500);
    again.send({ type: 'events', events: [event(10_100)] });
    await again.waitForAck(10_100);
    const records = sessionEvents(c.dataDir, bot.session);
    expect(records).toHaveLength(10_001);
    expect(new Set(records.map((r) => r['seq'])).size).toBe(10_001);
    const gaps = journalRecords(c.dataDir).filter((r) => r['event_type'] === 'ic-audit.gap');
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!['fields']).toEqual({ from_seq: 10_001, to_seq: 10_099, missing: 99 });
    const res = await fetch(`${c.httpUrl}/api/sessions`, { headers: { authorization: `Bearer ${c.consoleToken}` } });
    const sessions = (await res.json()) as Array<Record<string, unknown>>;
    expect(sessions.find((s) => s['session'] === bot.session)).toMatchObject({
      gaps: 1,
      missing: 99,
      last_seq: 10_100,
    });
    await again.close();
  });

  it('answers bad frames with stable error codes and keeps the connection open', async () => {
    const c = await collector();
    const early = await connectRaw(c.ingestUrl, { hello: null });
    early.send({ type: 'events', events: [event(1)] });
    expect(await early.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'E_NO_HELLO' });
    await early.close();

    const bot = await connectRaw(c.ingestUrl);
    const cases: Array<[unknown, string]> = [
      ['{not json', 'E_BAD_JSON'],
      [{ type: 'nope' }, 'E_UNKNOWN_TYPE'],
      [{ type: 'events', events: [] }, 'E_BAD_FRAME'],
      [{ type: 'events', events: [event(2), event(1)] }, 'E_BAD_SEQ'],
      [{ type: 'events', events: [{ ...event(1), event_type: 7 }] }, 'E_BAD_EVENT'],
      [{ type: 'events', events: [{ ...event(1), timestamp: 'yesterday' }] }, 'E_BAD_EVENT'],
      [
        '{"type":"events","events":[{"seq":1,"event_type":"x","event_description":"d","timestamp":1,"fields":{"__proto__":1}}]}',
        'E_BAD_EVENT',
      ],
      [{ type: 'events', events: Array.from({ length: 1_001 }, (_, i) => event(i + 1)) }, 'E_TOO_MANY_EVENTS'],
      [{ type: 'dump', id: 'x', hours: -1 }, 'E_BAD_DUMP'],
    ];
    for (const [frame, code] of cases) {
      const before = bot.frames.length;
      bot.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
      const answer = await bot.waitFor((f) => f.type === 'error' && bot.frames.indexOf(f) >= before);
      expect(answer['code'], JSON.stringify(frame).slice(0, 80)).toBe(code);
    }
    // Still open and working after every refusal: nothing of the refused frames was stored.
    bot.send({ type: 'events', events: [event(1)] });
    await bot.waitForAck(1);
    expect(sessionEvents(c.dataDir, bot.session)).toHaveLength(1);
    await bot.close();
  });

  it('closes hostile peers: oversize frame, bad hello, second hello', async () => {
    const c = await collector();
    const big = await connectRaw(c.ingestUrl);
    big.ws.send('x'.repeat(1_048_577));
    expect(await big.closed).toBe(1009);

    const bad = await connectRaw(c.ingestUrl, { hello: { ...hello('short'), session: 'x' } });
    expect(bad.frames[0]).toMatchObject({ type: 'error', code: 'E_BAD_HELLO' });
    expect(await bad.closed).toBe(1008);

    const twice = await connectRaw(c.ingestUrl);
    twice.send(hello(twice.session));
    expect(await twice.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'E_DUP_HELLO' });
    expect(await twice.closed).toBe(1008);

    // The collector is still healthy for everyone else.
    const ok = await connectRaw(c.ingestUrl);
    ok.send({ type: 'events', events: [event(1)] });
    await ok.waitForAck(1);
    await ok.close();
  });

  it('accepts events at the field limits and refuses them one past', async () => {
    const c = await collector();
    const bot = await connectRaw(c.ingestUrl);
    const atLimit = {
      ...event(1),
      event_type: 't'.repeat(MAX_EVENT_TYPE_LENGTH),
      event_description: 'd'.repeat(4_096),
      fields: Object.fromEntries(Array.from({ length: MAX_FIELDS_PER_EVENT }, (_, i) => [`k${i}`, 'v'.repeat(100)])),
    };
    bot.send({ type: 'events', events: [atLimit] });
    await bot.waitForAck(1);
    const past: Array<Record<string, unknown>> = [
      { ...event(2), event_type: 't'.repeat(MAX_EVENT_TYPE_LENGTH + 1) },
      { ...event(2), event_description: 'd'.repeat(4_097) },
      {
        ...event(2),
        fields: Object.fromEntries(Array.from({ length: MAX_FIELDS_PER_EVENT + 1 }, (_, i) => [`k${i}`, 1])),
      },
      { ...event(2), fields: { s: 'v'.repeat(8_193) } },
    ];
    for (const e of past) {
      const before = bot.frames.length;
      bot.send({ type: 'events', events: [e] });
      const answer = await bot.waitFor((f) => f.type === 'error' && bot.frames.indexOf(f) >= before);
      expect(answer['code']).toBe('E_BAD_EVENT');
    }
    const stored = sessionEvents(c.dataDir, bot.session);
    expect(stored).toHaveLength(1);
    expect(stored[0]!['event_description']).toHaveLength(4_096);
    await bot.close();
  });

  it('writes a dump on request and answers with its path', async () => {
    const c = await collector();
    const bot = await connectRaw(c.ingestUrl);
    bot.send({ type: 'events', events: [event(1, 'boot', {}), event(2)] });
    await bot.waitForAck(2);
    bot.send({ type: 'dump', id: 'r1', hours: 30 });
    const dumped = await bot.waitFor((f) => f.type === 'dumped');
    expect(dumped).toMatchObject({ id: 'r1', projects: 1, events: 2 });
    expect(String(dumped['path'])).toMatch(/dumped_audit_trails\.json$/);
    await bot.close();
  });
});
