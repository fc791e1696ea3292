/**
 * The BUILT SDK over `wss://` against the REAL collector serving TLS (`--tls-cert/--tls-key`), with a private CA
 * made by openssl in the test: delivery across a restart, wrong CA, pinning, certificate reload under a connected
 * bot, mutual TLS.
 */
import { copyFileSync, readFileSync, renameSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AuditNotifier, ProjectEvents } from '@ic-audit/client';
import { startCollector } from '../../test/helpers/collector.js';
import { fingerprint256, makeTestPki, type TestPki } from '../../test/helpers/tls-certs.js';
import { botRecords, closedAfterEach, readJournal, waitFor } from './support.js';

const FAST = { backoffBaseMs: 20, backoffCapMs: 250 };
const { track, own } = closedAfterEach();

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.remove());

const tlsArgs = (cert: string, key: string): string[] => ['--tls-cert', cert, '--tls-key', key];

/** The SHA-256 fingerprint of the certificate a fresh TLS connection to `port` is served. */
function servedFingerprint(port: number, ca: string): Promise<string> {
  return new Promise((res, rej) => {
    const s = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca: [readFileSync(ca, 'utf8')] }, () => {
      const fp = s.getPeerCertificate().fingerprint256;
      s.destroy();
      res(fp);
    });
    s.once('error', rej);
  });
}

describe('SDK over wss:// with a private CA', () => {
  it('every event acked exactly once across a collector restart', async () => {
    const ref = own(await startCollector({ args: tlsArgs(pki.serverCert, pki.serverKey) }));
    expect(ref.current.ingestUrl).toMatch(/^wss:\/\//);
    const bot = track(
      new AuditNotifier({
        projectName: 'TlsBot',
        projectMarket: 'FOREX',
        url: ref.current.ingestUrl,
        caFile: pki.caCert,
        ...FAST,
      }),
    );
    for (let i = 0; i < 2_000; i++) bot.send(ProjectEvents.TRADE_OPENED, `trade ${i}`, { i });
    expect(await bot.flush(10_000)).toBe(true);
    await ref.current.kill('SIGKILL');
    // Sent while the collector is down: buffered, then delivered over a new TLS connection.
    for (let i = 2_000; i < 4_000; i++) bot.send(ProjectEvents.TRADE_OPENED, `trade ${i}`, { i });
    ref.current = await ref.current.restart();
    expect(await bot.flush(15_000)).toBe(true);
    const recs = botRecords(readJournal(ref.current.dataDir), bot.session);
    expect(recs.map((r) => r.seq)).toEqual(Array.from({ length: 4_001 }, (_, i) => i + 1));
    expect(bot.stats()).toMatchObject({ queued: 0, acked: 4_001, dropped: 0 });
    expect(bot.stats().reconnects).toBeGreaterThanOrEqual(1);
  });

  it('wrong CA: nothing delivered, the failure counted and named, the bot unharmed', async () => {
    const c = own(await startCollector({ args: tlsArgs(pki.serverCert, pki.serverKey) })).current;
    const bot = track(
      new AuditNotifier({
        projectName: 'WrongCa',
        projectMarket: 'FOREX',
        url: c.ingestUrl,
        caFile: pki.otherCaCert,
        ...FAST,
      }),
    );
    expect(() => bot.send('tick', 'still fine', { n: 1 })).not.toThrow();
    expect(await waitFor(() => bot.stats().connectFailures >= 2, 5_000)).toBe(true);
    expect(await bot.flush(300)).toBe(false);
    expect(bot.stats()).toMatchObject({ acked: 0, queued: 2, connected: false });
    expect(bot.stats().lastError).toMatch(/CERT|UNABLE_TO_VERIFY/);
    expect(botRecords(readJournal(c.dataDir), bot.session)).toEqual([]);
  });

  it('a pinned fingerprint: the right one delivers, another is refused like a certificate error', async () => {
    const c = own(await startCollector({ args: tlsArgs(pki.serverCert, pki.serverKey) })).current;
    const right = fingerprint256(pki.serverCert).replace(/:/g, '').toLowerCase();
    const good = track(
      new AuditNotifier({
        projectName: 'Pinned',
        projectMarket: 'FOREX',
        url: c.ingestUrl,
        caFile: pki.caCert,
        certFingerprint: right,
      }),
    );
    good.send('tick', 'pinned', {});
    expect(await good.flush(5_000)).toBe(true);
    const bad = track(
      new AuditNotifier({
        projectName: 'Mispinned',
        projectMarket: 'FOREX',
        url: c.ingestUrl,
        caFile: pki.caCert,
        certFingerprint: 'AB'.repeat(32),
        ...FAST,
      }),
    );
    bad.send('tick', 'mispinned', {});
    expect(await waitFor(() => bad.stats().connectFailures >= 1, 5_000)).toBe(true);
    expect(bad.stats()).toMatchObject({ acked: 0, connected: false, lastError: 'E_CERT_PIN' });
  });

  it('certificate reloaded on SIGHUP without dropping a connected bot; new connections get the new one', async () => {
    // The collector reads the files at their paths: renew them in place, as a certificate manager would.
    const live = pki.issueServer('live');
    const c = own(await startCollector({ args: tlsArgs(live.cert, live.key) })).current;
    const bot = track(
      new AuditNotifier({ projectName: 'Steady', projectMarket: 'FOREX', url: c.ingestUrl, caFile: pki.caCert }),
    );
    bot.send('tick', 'before', {});
    expect(await bot.flush(5_000)).toBe(true);
    const before = await servedFingerprint(c.port, pki.caCert);
    expect(before).toBe(fingerprint256(live.cert));
    const renewed = pki.issueServer('renewed');
    copyFileSync(renewed.key, live.key);
    copyFileSync(renewed.cert, live.cert);
    c.child.kill('SIGHUP');
    expect(await waitFor(() => c.output().includes('TLS certificate reloaded'), 5_000)).toBe(true);
    expect(c.output()).toMatch(/TLS certificate reloaded from .* \(SIGHUP\)/);
    expect(await servedFingerprint(c.port, pki.caCert)).toBe(fingerprint256(renewed.cert));
    for (let i = 0; i < 100; i++) bot.send('tick', `after ${i}`, { i });
    expect(await bot.flush(5_000)).toBe(true);
    expect(bot.stats()).toMatchObject({ acked: 102, reconnects: 0, connectFailures: 0, connected: true });
  });

  it('a broken certificate file on SIGHUP is refused and the old certificate stays', async () => {
    const live = pki.issueServer('kept');
    const c = own(await startCollector({ args: tlsArgs(live.cert, live.key) })).current;
    const other = pki.issueServer('mismatch');
    copyFileSync(other.key, live.key); // a key that does not match the certificate
    c.child.kill('SIGHUP');
    expect(await waitFor(() => /TLS certificate not reloaded \(SIGHUP\)/.test(c.output()), 5_000)).toBe(true);
    expect(await servedFingerprint(c.port, pki.caCert)).toBe(fingerprint256(live.cert));
  });

  it('certificate renewed by rename is picked up without a signal; a bot stays connected and new connections see it', async () => {
    const live = pki.issueServer('watched');
    const c = own(await startCollector({ args: tlsArgs(live.cert, live.key) })).current;
    const bot = track(
      new AuditNotifier({ projectName: 'Watched', projectMarket: 'FOREX', url: c.ingestUrl, caFile: pki.caCert }),
    );
    bot.send('tick', 'before', {});
    expect(await bot.flush(5_000)).toBe(true);
    // A certificate manager writes new files beside the old ones and renames them into place.
    const renewed = pki.issueServer('renamed');
    copyFileSync(renewed.key, `${live.key}.new`);
    renameSync(`${live.key}.new`, live.key);
    copyFileSync(renewed.cert, `${live.cert}.new`);
    renameSync(`${live.cert}.new`, live.cert);
    expect(await waitFor(() => /TLS certificate reloaded from .* \(file changed\)/.test(c.output()), 10_000)).toBe(
      true,
    );
    expect(await servedFingerprint(c.port, pki.caCert)).toBe(fingerprint256(renewed.cert));
    bot.send('tick', 'after', {});
    expect(await bot.flush(5_000)).toBe(true);
    expect(bot.stats()).toMatchObject({ acked: 3, reconnects: 0, connected: true });
  });
});

describe('mutual TLS (--tls-client-ca)', () => {
  it('a bot with a client certificate from the CA delivers without a token; without one it is refused', async () => {
    const c = own(
      await startCollector({ args: [...tlsArgs(pki.serverCert, pki.serverKey), '--tls-client-ca', pki.caCert] }),
    ).current;
    const bot = track(
      new AuditNotifier({
        projectName: 'Mtls',
        projectMarket: 'FOREX',
        url: c.ingestUrl,
        caFile: pki.caCert,
        clientCertFile: pki.clientCert,
        clientKeyFile: pki.clientKey,
      }),
    );
    bot.send('tick', 'with a client certificate', {});
    expect(await bot.flush(5_000)).toBe(true);
    const anon = track(
      new AuditNotifier({ projectName: 'Anon', projectMarket: 'FOREX', url: c.ingestUrl, caFile: pki.caCert, ...FAST }),
    );
    anon.send('tick', 'no client certificate', {});
    expect(await waitFor(() => anon.stats().connectFailures >= 1, 5_000)).toBe(true);
    expect(anon.stats()).toMatchObject({ acked: 0, connected: false });
    expect(anon.stats().lastError).toMatch(/401/);
    // The same over a raw WebSocket: the upgrade is answered 401.
    const status = await new Promise<number>((res) => {
      const ws = new WebSocket(c.ingestUrl, { ca: readFileSync(pki.caCert) });
      ws.on('unexpected-response', (_req, r) => {
        res(r.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('open', () => {
        res(101);
        ws.terminate();
      });
      ws.on('error', () => undefined);
    });
    expect(status).toBe(401);
  });
});
