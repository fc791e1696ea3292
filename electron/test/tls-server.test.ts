/**
 * The collector's TLS port: settings and start-up refusals, plaintext clients refused, no legacy protocol on it,
 * and the console in real Chromium over HTTPS / WSS with the test CA trusted through Chromium's flags.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditNotifier } from '@ic-audit/client';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ConfigError, plaintextWarning, resolveConfig } from '../src/settings/config.js';
import { CLI, startCollector, tempDataDir, type CollectorHandle } from '../../test/helpers/collector.js';
import { makeTestPki, spkiHash, type TestPki } from '../../test/helpers/tls-certs.js';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.remove());

function runCli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args]);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('TLS settings', () => {
  const env = {};
  it('a non-loopback bind without TLS is refused (E_CONFIG), and allowed with allowPlaintext plus a warning', () => {
    const refuse = (): unknown => resolveConfig({ host: '10.1.2.3', ingestToken: 't' }, env);
    expect(refuse).toThrow(ConfigError);
    expect(refuse).toThrow(/without TLS.*--tls-cert FILE --tls-key FILE.*--allow-plaintext/);
    const plain = resolveConfig({ host: '10.1.2.3', ingestToken: 't', allowPlaintext: true }, env);
    expect(plaintextWarning(plain)).toMatch(/^plaintext on 10\.1\.2\.3 \(--allow-plaintext\): .* unencrypted/);
    const secure = resolveConfig(
      { host: '10.1.2.3', ingestToken: 't', tlsCert: pki.serverCert, tlsKey: pki.serverKey },
      env,
    );
    expect(plaintextWarning(secure)).toBeNull();
    // Loopback stays plain by default, without a warning.
    expect(plaintextWarning(resolveConfig({}, env))).toBeNull();
  });

  it('client certificates stand in for the ingest token off loopback; half a TLS pair is refused', () => {
    expect(
      resolveConfig({ host: '10.1.2.3', tlsCert: pki.serverCert, tlsKey: pki.serverKey, tlsClientCa: pki.caCert }, env)
        .ingestToken,
    ).toBeNull();
    expect(() => resolveConfig({ host: '10.1.2.3', tlsCert: pki.serverCert, tlsKey: pki.serverKey }, env)).toThrow(
      /without an ingest token/,
    );
    expect(() => resolveConfig({ tlsCert: pki.serverCert }, env)).toThrow(/both --tls-cert and --tls-key/);
    expect(() => resolveConfig({ tlsClientCa: pki.caCert }, env)).toThrow(/--tls-client-ca needs/);
    const fromEnv = resolveConfig(
      {},
      { IC_AUDIT_TLS_CERT: pki.serverCert, IC_AUDIT_TLS_KEY: pki.serverKey, IC_AUDIT_ALLOW_PLAINTEXT: '' },
    );
    expect([fromEnv.tlsCert, fromEnv.tlsKey, fromEnv.allowPlaintext]).toEqual([pki.serverCert, pki.serverKey, false]);
  });

  it('serve refuses a non-loopback bind without TLS; with --allow-plaintext it warns (never serving here)', async () => {
    const dir = tempDataDir();
    try {
      const refused = await runCli([
        'serve',
        '--host',
        '192.0.2.1',
        '--ingest-token',
        't',
        '--port',
        '0',
        '--data-dir',
        dir,
      ]);
      expect(refused.code).toBe(2);
      expect(refused.out).toMatch(/refusing to listen on 192\.0\.2\.1 without TLS/);
      // 192.0.2.1 (TEST-NET-1) is not this machine's: the config is accepted, the warning printed, the bind fails.
      const allowed = await runCli([
        'serve',
        '--host',
        '192.0.2.1',
        '--ingest-token',
        't',
        '--allow-plaintext',
        '--port',
        '0',
        '--data-dir',
        dir,
      ]);
      expect(allowed.out).toMatch(/WARNING plaintext on 192\.0\.2\.1 \(--allow-plaintext\)/);
      expect(allowed.out).toMatch(/192\.0\.2\.1 is not an address of this machine/);
      expect(allowed.code).toBe(2);
      const unreadable = await runCli([
        'serve',
        '--port',
        '0',
        '--data-dir',
        dir,
        '--tls-cert',
        join(dir, 'nope.pem'),
        '--tls-key',
        pki.serverKey,
      ]);
      expect(unreadable.code).toBe(2);
      expect(unreadable.out).toMatch(/cannot read the TLS certificate .*nope\.pem/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the TLS port', () => {
  let c: CollectorHandle;
  beforeAll(async () => {
    c = await startCollector({ args: ['--tls-cert', pki.serverCert, '--tls-key', pki.serverKey] });
  });
  afterAll(async () => c?.close());

  it('prints wss:// and https:// URLs; a WebSocket that trusts the CA connects', async () => {
    expect(c.output()).toMatch(/ingest\s+wss:\/\/127\.0\.0\.1:\d+\/ingest/);
    expect(c.output()).toMatch(/console\s+https:\/\/127\.0\.0\.1:\d+\/\?token=/);
    const body = await new Promise<string>((res, rej) => {
      const ws = new WebSocket(c.ingestUrl, { ca: readFileSync(pki.caCert) });
      ws.on('open', () => {
        ws.close();
        res('open');
      });
      ws.on('error', rej);
    });
    expect(body).toBe('open');
  });

  it('refuses plain ws:// and http:// on the TLS port: nothing is spoken in cleartext', async () => {
    const outcome = await new Promise<string>((res) => {
      const ws = new WebSocket(`ws://127.0.0.1:${c.port}/ingest`);
      ws.on('open', () => {
        ws.terminate();
        res('open');
      });
      ws.on('error', (err) => res(`error ${(err as { code?: string }).code ?? err.message}`));
    });
    expect(outcome).toMatch(/^error /);
    await expect(fetch(`http://127.0.0.1:${c.port}/healthz`)).rejects.toThrow();
  });

  it('does not speak the legacy protocol: a Python-style event gets no answer and is not stored', async () => {
    const reply = await new Promise<string>((res) => {
      const s = netConnect(c.port, '127.0.0.1', () => s.write('{"project_name": "PyBot", "event_type": "boot"}'));
      let got = '';
      s.on('data', (d) => (got += d.toString('latin1')));
      s.on('error', () => undefined);
      s.on('close', () => res(got));
    });
    expect(reply).not.toContain('Data received');
    const journal = readdirJournal(c.dataDir);
    expect(journal).not.toContain('PyBot');
  });

  it('the console in Chromium over HTTPS: the CA trusted by flags, live over wss://, a bot event painted', async () => {
    const profile = mkdtempSync(join(tmpdir(), 'ic-audit-chromium-'));
    // Chromium honours the SPKI list only with an explicit user data dir: a fresh one, through the persistent context.
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
        `--ignore-certificate-errors-spki-list=${spkiHash(pki.caCert)},${spkiHash(pki.serverCert)}`,
      ],
    });
    const bot = new AuditNotifier({
      projectName: 'TlsConsoleBot',
      projectMarket: 'FOREX',
      url: c.ingestUrl,
      caFile: pki.caCert,
    });
    try {
      const page = await browser.newPage();
      const res = await page.goto(`https://localhost:${c.port}/?token=${c.consoleToken}`);
      expect(res?.status()).toBe(200);
      expect(page.url()).toBe(`https://localhost:${c.port}/`);
      await page.waitForSelector('[data-testid=link].live');
      bot.send('trade_opened', 'over TLS all the way', { symbol: 'EURUSD' });
      expect(await bot.flush(5_000)).toBe(true);
      await page.getByText('TlsConsoleBot').first().waitFor({ timeout: 5_000 });
      expect(await page.locator('[data-testid=plaintext-warning]').count()).toBe(0);
    } finally {
      await bot.close(1_000);
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});

/** Every journal line of a data dir as one string. */
function readdirJournal(dataDir: string): string {
  const dir = join(dataDir, 'journal');
  let out = '';
  for (const f of readdirSync(dir)) if (f.endsWith('.jsonl')) out += readFileSync(join(dir, f), 'utf8');
  return out;
}
