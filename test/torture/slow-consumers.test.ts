/**
 * Slow consumers: consoles that never read (their sockets paused) while tens of megabytes of events stream in, and
 * many idle ingest sockets (WebSockets that never say hello or go quiet after it, raw TCP that never sends a byte).
 * The collector's memory stays bounded: the stalled consoles cost a few MiB each (the hub stops pushing past its
 * high-water mark), not a copy of the stream each; idle sockets cost kilobytes each; ingest keeps acking; a console
 * that resumes is told to resync.
 *
 * short (npm test): 8 stalled consoles, 40,000 events, 200 idle sockets.
 * long (IC_AUDIT_TORTURE=long): 16 stalled consoles, 200,000 events, 1,000 idle sockets.
 */
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector, type CollectorHandle } from '../helpers/collector.js';
import { connectRaw, type RawClient } from '../helpers/raw-client.js';
import { Cleanup, health, mib, procStats, report, size, until } from './torture-kit.js';

const CONSOLES = size(8, 16);
const EVENTS = size(40_000, 200_000);
const IDLE = size(200, 1_000);
const DESCRIPTION = 'x'.repeat(1_000); // ~1.1 KB per pushed row: 40,000 events = ~44 MB per console if unbounded

/** Streams `n` events from one raw bot in frames of 500, keeping at most 20,000 events unacked. */
async function stream(c: CollectorHandle, n: number, project: string): Promise<void> {
  const bot = await connectRaw(c.ingestUrl, {
    hello: { type: 'hello', v: 1, session: `${project}-session-1`, project: { project_name: project } },
  });
  for (let s = 1; s <= n; s += 500) {
    const events = [];
    for (let q = s; q < s + 500 && q <= n; q++)
      events.push({
        seq: q,
        event_type: 'tick',
        event_description: `${q} ${DESCRIPTION}`,
        timestamp: Date.now() / 1000,
      });
    bot.send({ type: 'events', events });
    if (s > 20_000) await bot.waitForAck(s - 20_000, 60_000);
  }
  await bot.waitForAck(n, 60_000);
  await bot.close();
}

async function openConsole(c: CollectorHandle): Promise<{ ws: WebSocket; frames: string[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${c.port}/console?token=${c.consoleToken}`);
  const frames: string[] = [];
  ws.on('message', (d) => frames.push(String(d).slice(0, 40)));
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('unexpected-response', (_q, r) => reject(new Error(`console refused: ${r.statusCode}`)));
  });
  await until(() => frames.some((f) => f.includes('"snapshot"')), 'the console snapshot');
  return { ws, frames };
}

describe('slow consumers', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it(
    `stays bounded with ${CONSOLES} consoles that never read while ${EVENTS} events stream`,
    async () => {
      // Control: the same stream with no console attached (the recent window and the heap grow by design).
      const control = await startCollector();
      cleanup.add(() => control.close());
      const controlBase = procStats(control.child.pid!).rss;
      let controlPeak = controlBase;
      const controlSampler = setInterval(
        () => (controlPeak = Math.max(controlPeak, procStats(control.child.pid!).rss)),
        100,
      );
      cleanup.add(() => clearInterval(controlSampler));
      await stream(control, EVENTS, 'ControlBot');
      clearInterval(controlSampler);
      controlPeak = Math.max(controlPeak, procStats(control.child.pid!).rss);
      await control.close();

      const c = await startCollector();
      cleanup.add(() => c.close());
      const pid = c.child.pid!;
      const base = procStats(pid).rss;
      const consoles = [];
      for (let i = 0; i < CONSOLES; i++) {
        const k = await openConsole(c);
        k.ws.pause(); // stops reading the socket: the kernel buffers fill, then the collector's
        consoles.push(k);
        cleanup.add(() => k.ws.terminate());
      }
      let peak = base;
      const sampler = setInterval(() => (peak = Math.max(peak, procStats(pid).rss)), 100);
      cleanup.add(() => clearInterval(sampler));
      await stream(c, EVENTS, 'StreamBot');
      await new Promise<void>((r) => setTimeout(r, 0));
      clearInterval(sampler);
      peak = Math.max(peak, procStats(pid).rss);

      // Unbounded, each stalled console would hold a copy of the stream (EVENTS x ~0.5 KB). Bounded, each costs the
      // hub's high-water mark (4 MiB) plus one batch in flight: allow 8 MiB per console and 80 MiB of GC noise.
      const growth = peak - base;
      const controlGrowth = controlPeak - controlBase;
      const streamBytes = EVENTS * (DESCRIPTION.length + 100);
      const allowed = controlGrowth + CONSOLES * 8 * 1048576 + 80 * 1048576;
      // (The bound is meaningful: it is far below what holding the stream once per stalled console would take.)
      expect(CONSOLES * 8 * 1048576 + 80 * 1048576).toBeLessThan((CONSOLES * streamBytes) / 2);
      expect(
        growth,
        `RSS grew ${mib(growth)} (control ${mib(controlGrowth)}, allowed ${mib(allowed)})`,
      ).toBeLessThanOrEqual(allowed);

      // The collector is still live for everyone else, and a console that resumes reading is told to resync.
      expect((await health(c.httpUrl))['status']).toBe('ok');
      const k = consoles[0]!;
      k.ws.resume();
      await until(
        () =>
          k.frames.some((f) => f.includes('"resync"')) || k.frames.filter((f) => f.includes('"snapshot"')).length > 1,
        'a resync after resuming',
        60_000,
      );
      report('slow-consumers', {
        consoles: CONSOLES,
        events: EVENTS,
        streamMiB: mib(streamBytes),
        base: mib(base),
        peak: mib(peak),
        growth: mib(growth),
        controlGrowth: mib(controlGrowth),
        allowed: mib(allowed),
      });
    },
    size(120_000, 600_000),
  );

  it(
    `holds ${IDLE} idle ingest sockets in bounded memory and keeps serving`,
    async () => {
      const c = await startCollector();
      cleanup.add(() => c.close());
      const pid = c.child.pid!;
      const before = procStats(pid);
      const idle: Array<RawClient | Socket> = [];
      cleanup.add(() => idle.forEach((s) => ('ws' in s ? s.ws.terminate() : s.destroy())));
      for (let i = 0; i < IDLE; i++) {
        if (i % 10 === 9) {
          // Raw TCP that never sends a byte.
          const s = connect(c.port, '127.0.0.1');
          s.on('error', () => undefined);
          await new Promise<void>((r) => s.once('connect', () => r()));
          idle.push(s);
        } else {
          // WebSockets that never say hello (odd) or say hello and go quiet (even).
          idle.push(await connectRaw(c.ingestUrl, i % 2 ? { hello: null } : {}));
        }
      }
      await until(() => procStats(pid).fds >= before.fds + IDLE, `the collector holding ${IDLE} sockets`);
      // An honest bot is still served promptly by the same collector.
      const bot = await connectRaw(c.ingestUrl);
      bot.sendRange(1, 2_000, 500);
      await bot.waitForAck(2_000);
      await bot.close();
      const during = procStats(pid);
      const perSocket = (during.rss - before.rss) / IDLE;
      expect(perSocket, `${mib(during.rss - before.rss)} for ${IDLE} idle sockets`).toBeLessThan(128 * 1024);
      expect((await health(c.httpUrl))['connected']).toBe(
        idle.filter((s) => 'ws' in s && s.frames.some((f) => f.type === 'welcome')).length,
      );
      idle.splice(0).forEach((s) => ('ws' in s ? s.ws.terminate() : s.destroy()));
      await until(() => procStats(pid).fds <= before.fds + 3, 'the idle sockets released');
      report('idle-sockets', {
        sockets: IDLE,
        before: mib(before.rss),
        during: mib(during.rss),
        perSocketKiB: Math.round(perSocket / 1024),
        fds: during.fds,
      });
    },
    size(60_000, 300_000),
  );
});
