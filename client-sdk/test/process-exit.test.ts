/**
 * Process-level promises of the BUILT package (`@ic-audit/client`), each in a child `node`: a finished bot exits,
 * quietly, whether the collector is up, down or never there; memory stays bounded while it is down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type CollectorHandle } from '../../test/helpers/collector.js';
import { freePort, readJournal, runNode } from './support.js';

let collector: CollectorHandle;
beforeAll(async () => {
  collector = await startCollector();
});
afterAll(async () => {
  await collector.close();
});

describe('a script using the SDK', () => {
  it('collector never starts: 100,000 send() calls, then the script exits promptly with no output', async () => {
    const url = `ws://127.0.0.1:${await freePort()}/ingest`;
    const run = await runNode('never-starts.mjs', [], { IC_AUDIT_URL: url });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('');
    expect(run.signal).toBeNull();
    expect(run.code).toBe(0);
    // Bounded by the exit flush (DEFAULTS.exitFlushTimeoutMs = 2 s), which gives up at the first refused connect.
    expect(run.ms).toBeLessThan(5000);
  });

  it('a bot that just ends (no flush, no close) still delivers everything through the beforeExit flush', async () => {
    const run = await runNode('exit-flush.mjs', ['ExitFlushBot'], { IC_AUDIT_URL: collector.ingestUrl });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('');
    expect(run.code).toBe(0);
    const recs = readJournal(collector.dataDir).filter((r) => r.project_name === 'ExitFlushBot' && r.seq > 0);
    expect(recs.map((r) => r.seq)).toEqual(Array.from({ length: 5001 }, (_, i) => i + 1));
  });

  it('fastAudit with the collector up: exits within 1 s of the ack, and the boot is in the journal', async () => {
    const run = await runNode('fast-audit.mjs', ['3000'], { IC_AUDIT_URL: collector.ingestUrl });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { ok, at } = JSON.parse(run.stdout) as { ok: boolean; at: number };
    expect(ok).toBe(true);
    expect(run.exitedAt - at).toBeLessThan(1000);
    const boot = readJournal(collector.dataDir).find((r) => r.project_name === 'ScriptName' && r.event_type === 'boot');
    expect(boot?.fields).toEqual({
      project_market: 'Crypto',
      project_description: 'Bitcoin price monitor started',
      project_privileges: [],
    });
  });

  it('fastAudit with the collector down: resolves false within its timeout and exits', async () => {
    const url = `ws://127.0.0.1:${await freePort()}/ingest`;
    const run = await runNode('fast-audit.mjs', ['1500'], { IC_AUDIT_URL: url });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { ok, at } = JSON.parse(run.stdout) as { ok: boolean; at: number };
    expect(ok).toBe(false);
    expect(run.exitedAt - at).toBeLessThan(1000);
    expect(run.ms).toBeLessThan(1500 + 2000);
  });

  it('collector down, buffer of 1,000: heap stays flat over 300,000 more events', async () => {
    const url = `ws://127.0.0.1:${await freePort()}/ingest`;
    const run = await runNode('bounded-memory.mjs', [], { IC_AUDIT_URL: url, NODE_OPTIONS: '--expose-gc' });
    expect(run.stderr).toBe('');
    const { stats, growthMb } = JSON.parse(run.stdout) as {
      stats: { queued: number; dropped: number };
      growthMb: number;
    };
    expect(stats.queued).toBe(1000);
    expect(stats.dropped).toBe(320_001 - 1000);
    // 1,000 buffered events of ~1.2 KB are ~1.2 MB whatever was sent; allow noise, not growth with the 300k.
    expect(growthMb).toBeLessThan(16);
  });
});
