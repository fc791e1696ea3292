import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '../src/collector/collector.js';
import { DEFAULTS } from '../src/settings/config.js';
import { startCollector } from '../src/app/start-collector.js';
import type { RunningCollector } from '../src/app/running.js';
import { tempDataDir, verifyDataDir } from '../../test/helpers/collector.js';
import { connectRaw, sessionEvents } from '../../test/helpers/raw-client.js';

const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

async function start(overrides: Partial<typeof DEFAULTS>): Promise<{ running: RunningCollector; dataDir: string }> {
  const dataDir = tempDataDir();
  const running = await startCollector({ ...DEFAULTS, dataDir, port: 0, host: '127.0.0.1', ...overrides });
  open.push(async () => {
    await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { running, dataDir };
}

describe('ingest backpressure', () => {
  it('a backlog pauses reading from the sockets, not the bots: every event lands once, in order, nobody is cut', async () => {
    // A tiny pause threshold: reading stops and resumes many times. The heartbeat runs a few times meanwhile and
    // must not take a paused connection for a dead one (short enough to tick, long enough for a loaded machine).
    const { running, dataDir } = await start({ ingestPauseAt: 8, heartbeatMs: 500 });
    const core = running.collector as Collector;
    let congestedSeen = 0;
    const congested = core.congested.bind(core);
    core.congested = () => {
      const c = congested();
      if (c) congestedSeen++;
      return c;
    };
    const bots = await Promise.all([0, 1, 2].map(() => connectRaw(running.ingestUrl)));
    for (const bot of bots) bot.sendRange(1, 3_000, 25);
    await Promise.all(bots.map((bot) => bot.waitForAck(3_000, 30_000)));
    expect(congestedSeen).toBeGreaterThan(0);
    for (const bot of bots) {
      expect(sessionEvents(dataDir, bot.session).map((r) => r['seq'])).toEqual(
        Array.from({ length: 3_000 }, (_, i) => i + 1),
      );
      expect(bot.ws.readyState).toBe(bot.ws.OPEN);
      await bot.close();
    }
    await running.stop();
    expect(verifyDataDir(dataDir).status).toBe(0);
  });
});
