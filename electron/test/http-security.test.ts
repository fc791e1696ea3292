import { spawn } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { CLI, collectorsPerTest, tempDataDir } from '../../test/helpers/collector.js';
import { connectRaw, journalRecords } from '../../test/helpers/raw-client.js';

const { start: collector } = collectorsPerTest();

function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('POST /ingest', () => {
  it('stores good lines durably and reports bad ones by index, in one answer', async () => {
    const c = await collector();
    const lines = [
      {
        project_name: 'PyBot',
        project_market: 'CRYPTO',
        event_type: 'boot',
        event_description: 'Project was booted.',
        timestamp: 1_700_000_000.5,
      },
      '{"project_name": "PyBot", "event_type": ',
      {
        project_name: 'PyBot',
        event_type: 'trade_opened',
        event_description: 'long BTC',
        timestamp: 1_700_000_001,
        symbol: 'BTCUSD',
        qty: 2,
      },
      { event_type: 'error', event_description: 'no project' },
      { project_name: 'PyBot', event_type: 'ic-audit.gap', event_description: 'forged' },
      { project_name: 'PyBot', event_type: 'error', event_description: 'x'.repeat(5_000) },
    ];
    const body = lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n\n';
    const res = await fetch(`${c.httpUrl}/ingest`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { accepted: number; rejected: Array<{ index: number; code: string }> };
    expect(answer.accepted).toBe(3);
    expect(answer.rejected.map((r) => [r.index, r.code])).toEqual([
      [1, 'E_BAD_JSON'],
      [3, 'E_BAD_EVENT'],
      [5, 'E_BAD_EVENT'],
    ]);
    // Answered after fsync: the good events are already in the journal. A bot's "ic-audit.gap" is stored as its
    // own event (source http), never taken for a collector record.
    const stored = journalRecords(c.dataDir).filter((r) => r['project_name'] === 'PyBot' && r['seq'] > 0);
    expect(stored.map((r) => r['event_type'])).toEqual(['boot', 'trade_opened', 'ic-audit.gap']);
    expect(stored[0]!['fields']).toEqual({ project_market: 'CRYPTO' });
    expect(stored[1]!['fields']).toEqual({ symbol: 'BTCUSD', qty: 2 });
    expect(stored.map((r) => r['source'])).toEqual(['http', 'http', 'http']);

    const arr = await fetch(`${c.httpUrl}/ingest`, {
      method: 'POST',
      body: JSON.stringify([
        { project_name: 'PyBot', event_type: 'trade_closed', event_description: 'flat', timestamp: 1_700_000_002 },
      ]),
    });
    expect(await arr.json()).toEqual({ accepted: 1, rejected: [] });
  });

  it('refuses bodies past the byte and event limits with a clear code', async () => {
    const c = await collector();
    const many = Array.from({ length: 10_001 }, () => '{"project_name":"P","event_type":"x"}').join('\n');
    const r1 = await fetch(`${c.httpUrl}/ingest`, { method: 'POST', body: many });
    expect(r1.status).toBe(413);
    expect(((await r1.json()) as { error: { code: string } }).error.code).toBe('E_TOO_MANY_EVENTS');
    const r2 = await fetch(`${c.httpUrl}/ingest`, { method: 'POST', body: 'x'.repeat(8_388_609) });
    expect(r2.status).toBe(413);
    expect(journalRecords(c.dataDir)).toHaveLength(0);
  });
});

describe('browser origins and tokens', () => {
  it('refuses a foreign Origin on POST and WebSocket, and writes nothing', async () => {
    const c = await collector();
    const evil = { origin: 'https://evil.example' };
    const post = await fetch(`${c.httpUrl}/ingest`, {
      method: 'POST',
      headers: evil,
      body: '{"project_name":"Evil","event_type":"boot","event_description":"x"}',
    });
    expect(post.status).toBe(403);
    await expect(connectRaw(c.ingestUrl, { headers: evil })).rejects.toThrow(/403/);
    const consoleWs = new WebSocket(`ws://127.0.0.1:${c.port}/console?token=${c.consoleToken}`, { headers: evil });
    const status = await new Promise<number>((resolve) => {
      consoleWs.on('unexpected-response', (_q, r) => resolve(r.statusCode ?? 0));
      consoleWs.on('error', () => undefined);
    });
    expect(status).toBe(403);
    const api = await fetch(`${c.httpUrl}/api/sessions?token=${c.consoleToken}`, { headers: evil });
    expect(api.status).toBe(403);
    // The console's own origin is fine.
    const own = await fetch(`${c.httpUrl}/ingest`, { method: 'POST', headers: { origin: c.httpUrl }, body: '' });
    expect(own.status).toBe(200);
    expect(journalRecords(c.dataDir).filter((r) => r['project_name'] === 'Evil')).toHaveLength(0);
  });

  it('a malformed console cookie is no token: 401 on every route, and the collector keeps running', async () => {
    const c = await collector();
    const cookie = 'ic_audit_token=%E0%A4%A'; // not valid percent-encoding: decodeURIComponent throws on it
    const api = await fetch(`${c.httpUrl}/api/sessions`, { headers: { cookie } });
    expect(api.status).toBe(401);
    // The same cookie on a WebSocket upgrade (the path outside the request handler's catch).
    const status = await new Promise<string>((resolve) => {
      const sock = createConnection({ host: '127.0.0.1', port: c.port }, () =>
        sock.write(
          'GET /console HTTP/1.1\r\nHost: 127.0.0.1:' +
            c.port +
            '\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
            'Sec-WebSocket-Version: 13\r\nCookie: ' +
            cookie +
            '\r\n\r\n',
        ),
      );
      let got = '';
      sock.on('data', (d) => (got += d.toString()));
      sock.on('close', () => resolve(got.split('\r\n')[0] ?? ''));
      sock.on('error', () => resolve(got.split('\r\n')[0] ?? ''));
    });
    expect(status).toBe('HTTP/1.1 401 Unauthorized');
    expect((await fetch(`${c.httpUrl}/healthz`)).status).toBe(200);
  });

  it('needs the console token (0600 file) on console routes, and the right Host', async () => {
    const c = await collector();
    expect(statSync(join(c.dataDir, 'console.token')).mode & 0o777).toBe(0o600);
    expect((await fetch(`${c.httpUrl}/api/sessions`)).status).toBe(401);
    expect((await fetch(`${c.httpUrl}/api/sessions?token=wrong`)).status).toBe(401);
    const page = await fetch(`${c.httpUrl}/`);
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('console.token');
    expect(
      (await fetch(`${c.httpUrl}/api/sessions`, { headers: { authorization: `Bearer ${c.consoleToken}` } })).status,
    ).toBe(200);
    // DNS rebinding: right token, foreign Host name.
    const rebound = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${c.port}/console?token=${c.consoleToken}`, {
        headers: { host: `evil.example:${c.port}` },
      });
      ws.on('unexpected-response', (_q, r) => resolve(r.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
    expect(rebound).toBe(403);
    // /?token= is traded for an HttpOnly cookie.
    const login = await fetch(`${c.httpUrl}/?token=${c.consoleToken}`, { redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(login.headers.get('set-cookie')).toMatch(/ic_audit_token=.*HttpOnly; SameSite=Strict/);
  });

  it('requires the ingest token when one is configured', async () => {
    const c = await collector({ args: ['--ingest-token', 's3cret'] });
    const anon = await connectRaw(c.ingestUrl);
    expect(anon.frames[0]).toMatchObject({ type: 'error', code: 'E_UNAUTHORIZED' });
    expect(await anon.closed).toBe(1008);
    const sessionId = '0123456789abcdef';
    const ok = await connectRaw(c.ingestUrl, {
      session: sessionId,
      hello: { type: 'hello', v: 1, session: sessionId, project: { project_name: 'T' }, token: 's3cret' },
    });
    expect(ok.frames[0]).toMatchObject({ type: 'welcome' });
    await ok.close();
    expect((await fetch(`${c.httpUrl}/ingest`, { method: 'POST', body: '' })).status).toBe(401);
    const authed = await fetch(`${c.httpUrl}/ingest`, {
      method: 'POST',
      body: '',
      headers: { authorization: 'Bearer s3cret' },
    });
    expect(authed.status).toBe(200);
  });
});

describe('ic-audit serve start-up', () => {
  it('refuses a non-loopback bind without an ingest token', async () => {
    const dir = tempDataDir();
    const r = await runCli(['serve', '--host', '0.0.0.0', '--port', '0', '--data-dir', dir]);
    rmSync(dir, { recursive: true, force: true });
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/without an ingest token/);
  });

  it('says the port is busy in one line and exits 2', async () => {
    const blocker = createServer();
    await new Promise<void>((res) => blocker.listen(0, '127.0.0.1', res));
    const port = (blocker.address() as { port: number }).port;
    const dir = tempDataDir();
    const r = await runCli(['serve', '--port', String(port), '--data-dir', dir]);
    blocker.close();
    rmSync(dir, { recursive: true, force: true });
    expect(r.code).toBe(2);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    expect(r.out).toMatch(/already in use/);
  });

  it('on SIGTERM commits what was received and exits 0', async () => {
    const c = await collector();
    const bot = await connectRaw(c.ingestUrl);
    bot.sendRange(1, 2_000, 200);
    await bot.waitForAck(2_000);
    expect(await c.kill('SIGTERM')).toBe(0);
    expect(journalRecords(c.dataDir).filter((r) => r['session'] === bot.session && r['seq'] > 0)).toHaveLength(2_000);
  });

  it('serves /healthz without a token', async () => {
    const c = await collector();
    const h = (await (await fetch(`${c.httpUrl}/healthz`)).json()) as Record<string, any>;
    expect(h).toMatchObject({ status: 'ok', events: 0, integrity: { ok: true }, journal: { writable: true } });
  });
});

describe('DNS rebinding on a loopback bind', () => {
  const { start } = collectorsPerTest();
  it('refuses a foreign Host on every route, /healthz and /ingest included', async () => {
    const c = await start();
    const { request } = await import('node:http');
    const status = (path: string, method = 'GET'): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port: c.port, path, method, headers: { host: `rebound.example:${c.port}` } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end(method === 'POST' ? '{"project_name":"X","event_type":"boot"}' : undefined);
      });
    expect(await status('/healthz')).toBe(403);
    expect(await status('/ingest', 'POST')).toBe(403);
    expect(await status(`/api/sessions?token=${c.consoleToken}`)).toBe(403);
    expect((await fetch(`http://localhost:${c.port}/healthz`)).status).toBe(200);
    expect(journalRecords(c.dataDir)).toHaveLength(0);
  });
});
