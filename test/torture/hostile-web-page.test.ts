/**
 * Hostile web page: a page from another origin (a tiny server on another 127.0.0.1 port), opened in Debian's
 * Chromium, tries every way a browser page can reach the collector: WebSocket to /ingest and /console, fetch POST
 * to /ingest (no-cors, text/plain), sendBeacon, and a cross-site text/plain form POST whose body is valid JSON.
 * A canary server gets the same attacks, proving the browser really sends them; the collector refuses all of them
 * and its journal does not change by one byte. A DNS-rebinding page (evil.test resolved to 127.0.0.1, same port)
 * is refused too. Header-level checks: foreign Host on console routes 403, wrong or missing token 401, token 0600.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type CollectorHandle } from '../helpers/collector.js';
import { connectRaw } from '../helpers/raw-client.js';
import { CHROMIUM, Cleanup, health, newestSegment, report } from './torture-kit.js';

/** The attacker's script: tries everything against one port and reports what it saw. */
const ATTACK = `
const evil = {project_name:'EvilPage', event_type:'boot', event_description:'written by a web page', timestamp: 1};
function tryWs(url, frames) {
  return new Promise((resolve) => {
    let ws;
    try { ws = new WebSocket(url); } catch (e) { resolve('throw ' + e); return; }
    const t = setTimeout(() => { try { ws.close(); } catch {} resolve('timeout'); }, 5000);
    ws.onopen = () => { for (const f of frames) ws.send(JSON.stringify(f)); };
    ws.onmessage = (m) => { clearTimeout(t); resolve('OPEN, got ' + String(m.data).slice(0, 80)); };
    ws.onclose = (e) => { clearTimeout(t); resolve('closed ' + e.code); };
  });
}
async function attack(base, wsBase) {
  const out = {};
  out.ingestWs = await tryWs(wsBase + '/ingest', [
    {type:'hello', v:1, session:'evil-page-session-1', project:{project_name:'EvilPage'}},
    {type:'events', events:[{seq:1, event_type:'boot', event_description:'ws from a web page', timestamp:1}]},
    {type:'dump', id:'evil', hours: 30}]);
  out.consoleWs = await tryWs(wsBase + '/console', [{type:'snapshot'}]);
  out.consoleWsGuess = await tryWs(wsBase + '/console?token=0000', [{type:'snapshot'}]);
  out.postNoCors = await fetch(base + '/ingest', {method:'POST', mode:'no-cors', headers:{'content-type':'text/plain'}, body: JSON.stringify(evil)})
    .then((r) => 'response ' + r.type + ' ' + r.status, (e) => 'error ' + e);
  out.postCors = await fetch(base + '/ingest', {method:'POST', headers:{'content-type':'text/plain'}, body: JSON.stringify(evil)})
    .then((r) => 'READABLE ' + r.status, (e) => 'error ' + e);
  out.readApi = await fetch(base + '/api/records').then((r) => 'READABLE ' + r.status, (e) => 'error ' + e);
  out.beacon = navigator.sendBeacon(base + '/ingest', new Blob([JSON.stringify(evil)], {type:'text/plain'}));
  return out;
}
function formPost(base) { return new Promise((resolve) => {
  // A cross-site form: text/plain bodies are "name=value"; this one is valid JSON.
  const f = document.createElement('form');
  f.method = 'POST'; f.action = base + '/ingest'; f.enctype = 'text/plain'; f.target = 'sink-' + base.length + Math.random();
  const frame = document.createElement('iframe'); frame.name = f.target; document.body.appendChild(frame);
  frame.onload = () => resolve('loaded');
  const i = document.createElement('input');
  i.name = '{"project_name":"EvilForm","event_type":"boot","event_description":"form","x":"';
  i.value = '"}';
  f.appendChild(i); document.body.appendChild(f); f.submit();
}); }
`;

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}
function closeServer(server: Server): Promise<void> {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A raw HTTP request with arbitrary headers (fetch cannot set Host). */
function raw(port: number, path: string, headers: Record<string, string>, method = 'GET'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res: IncomingMessage) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
/** Status of a refused WebSocket upgrade (0 if it opened). */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_q, r) => resolve(r.statusCode ?? -1));
    ws.on('open', () => {
      ws.terminate();
      resolve(0);
    });
    ws.on('error', () => undefined);
  });
}

describe('hostile web page', () => {
  const cleanup = new Cleanup();
  let c: CollectorHandle;
  let browser: Browser;
  let journalBefore: Buffer;

  beforeAll(async () => {
    c = await startCollector();
    cleanup.add(() => c.close());
    const bot = await connectRaw(c.ingestUrl);
    bot.sendRange(1, 5, 5);
    await bot.waitForAck(5);
    await bot.close();
    journalBefore = readFileSync(newestSegment(c.dataDir));
    // evil.test resolves to 127.0.0.1 (the rebinding). Chromium's own Private Network Access checks are turned off:
    // the collector must hold on its own, as it must in browsers without them.
    browser = await chromium.launch({
      ...CHROMIUM,
      args: [
        ...CHROMIUM.args,
        '--host-resolver-rules=MAP evil.test 127.0.0.1',
        '--disable-features=PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults,BlockInsecurePrivateNetworkRequests,LocalNetworkAccessChecks',
      ],
    });
    cleanup.add(() => browser.close());
  });
  afterAll(() => cleanup.run());

  it('a page from another origin can neither write nor read, by any browser route', async () => {
    // The canary records what the browser really sends.
    const seen: Array<{ method: string; url: string; origin: string | undefined; body: string }> = [];
    const canary = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, origin: req.headers.origin, body });
        res.end('{}');
      });
    });
    canary.on('upgrade', (req, socket) => {
      seen.push({ method: 'UPGRADE', url: req.url!, origin: req.headers.origin, body: '' });
      socket.destroy();
    });
    const canaryPort = await listen(canary);
    cleanup.add(() => closeServer(canary));
    const attacker = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><title>cute cats</title><script>${ATTACK}</script>`);
    });
    const attackerPort = await listen(attacker);
    cleanup.add(() => closeServer(attacker));

    const page = await browser.newPage();
    cleanup.add(() => page.close());
    await page.goto(`http://127.0.0.1:${attackerPort}/`);
    const run = (port: number) =>
      page.evaluate<Record<string, unknown>>(`attack('http://127.0.0.1:${port}', 'ws://127.0.0.1:${port}')`);
    const onCanary = await run(canaryPort);
    const onCollector = await run(c.port);
    // Resolves once each form's answer loaded in its frame (the collector's 403 included).
    await page.evaluate(
      `Promise.all([formPost('http://127.0.0.1:${canaryPort}'), formPost('http://127.0.0.1:${c.port}')])`,
    );

    // The browser did send every attack (the canary saw them, with the attacker's Origin).
    const attackerOrigin = `http://127.0.0.1:${attackerPort}`;
    const { until } = await import('./torture-kit.js');
    await until(
      () => seen.filter((s) => s.method === 'POST' && s.url === '/ingest').length >= 4,
      'the canary to see 3 POSTs, a beacon and a form',
    );
    expect(
      seen
        .filter((s) => s.method === 'UPGRADE')
        .map((s) => s.url)
        .sort(),
    ).toEqual(['/console', '/console?token=0000', '/ingest']);
    expect(seen.every((s) => s.origin === attackerOrigin)).toBe(true);
    expect(seen.some((s) => s.method === 'POST' && JSON.parse(s.body)['project_name'] === 'EvilForm')).toBe(true);

    // The collector refused every one of them.
    expect(onCollector['ingestWs']).toMatch(/^closed 1006$/);
    expect(onCollector['consoleWs']).toMatch(/^closed 1006$/);
    expect(onCollector['consoleWsGuess']).toMatch(/^closed 1006$/);
    expect(onCollector['postCors']).toMatch(/^error/); // no CORS grant: the page cannot even read the refusal
    expect(onCollector['readApi']).toMatch(/^error/);
    expect(onCanary['postCors']).toMatch(/^error/);
    expect(readFileSync(newestSegment(c.dataDir)).equals(journalBefore), 'journal unchanged').toBe(true);
    expect((await health(c.httpUrl))['events']).toBe(5);
    report('hostile-web-page', {
      attacks: Object.keys(onCollector).length + 1,
      canarySaw: seen.length,
      onCollector,
      written: 0,
    });
  });

  it('a DNS-rebinding page (evil.test -> 127.0.0.1, same port) is refused on every route', async () => {
    const page = await browser.newPage();
    cleanup.add(() => page.close());
    const origin = `http://evil.test:${c.port}`;
    // The first load comes from the attacker's server; everything after goes to 127.0.0.1 (the rebinding).
    await page.route(`${origin}/`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: `<!doctype html><script>${ATTACK}</script>` }),
    );
    await page.goto(`${origin}/`);
    const out = await page.evaluate<Record<string, unknown>>(`(async () => {
      const r = await attack('${origin}', 'ws://evil.test:${c.port}');
      // Same origin now: statuses are readable.
      r.api = (await fetch('/api/records')).status;
      r.apiToken = (await fetch('/api/records?token=${'0'.repeat(8)}')).status;
      r.post = (await fetch('/ingest', {method:'POST', body: JSON.stringify(evil)})).status;
      r.consolePage = (await fetch('/index.html')).status;
      return r;
    })()`);
    expect(out['api']).toBe(403);
    expect(out['apiToken']).toBe(403);
    expect(out['post']).toBe(403);
    expect(out['consolePage']).toBe(403);
    expect(out['ingestWs']).toBe('closed 1006');
    expect(out['consoleWs']).toBe('closed 1006');
    expect(readFileSync(newestSegment(c.dataDir)).equals(journalBefore), 'journal unchanged').toBe(true);
  });

  it('console routes: foreign Host 403 even with the token, wrong or missing token 401, token file 0600', async () => {
    const token = c.consoleToken;
    expect(statSync(join(c.dataDir, 'console.token')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(c.dataDir, 'console.token'), 'utf8').trim()).toBe(token);
    for (const path of ['/', '/index.html', '/api/sessions', '/api/records', '/api/health']) {
      for (const host of [
        `evil.test:${c.port}`,
        'evil.test',
        `127.0.0.2:${c.port}`,
        `localhost.evil.test:${c.port}`,
        `127.0.0.1:${c.port + 1}`,
      ]) {
        expect(
          await raw(c.port, `${path}${path.includes('?') ? '&' : '?'}token=${token}`, { host }),
          `${path} Host ${host}`,
        ).toBe(403);
        expect(await raw(c.port, path, { host, authorization: `Bearer ${token}` }), `${path} Host ${host}`).toBe(403);
      }
      expect(await raw(c.port, path, { host: `127.0.0.1:${c.port}` }), `${path} without token`).toBe(401);
      const wrong = token.slice(0, -1) + (token.endsWith('0') ? '1' : '0');
      expect(await raw(c.port, `${path}?token=${wrong}`, { host: `127.0.0.1:${c.port}` }), `${path} wrong token`).toBe(
        401,
      );
      expect(
        await raw(c.port, path, { host: `127.0.0.1:${c.port}`, authorization: 'Bearer nope' }),
        `${path} wrong bearer`,
      ).toBe(401);
      expect(
        await raw(c.port, path, { host: `127.0.0.1:${c.port}`, cookie: 'ic_audit_token=nope' }),
        `${path} wrong cookie`,
      ).toBe(401);
    }
    const ws = `ws://127.0.0.1:${c.port}/console`;
    expect(await upgradeStatus(ws, {})).toBe(401);
    expect(await upgradeStatus(`${ws}?token=wrong`, {})).toBe(401);
    expect(await upgradeStatus(`${ws}?token=${token}`, { host: `evil.test:${c.port}` })).toBe(403);
    expect(await upgradeStatus(`${ws}?token=${token}`, { origin: 'http://evil.test' })).toBe(403);
    expect(await upgradeStatus(`${ws}?token=${token}`, { origin: 'null' })).toBe(403);
    expect(await upgradeStatus(`${c.ingestUrl}`, { origin: 'null' })).toBe(403);
    expect(await upgradeStatus(`${ws}?token=${token}`, {})).toBe(0);
    expect(readFileSync(newestSegment(c.dataDir)).equals(journalBefore), 'journal unchanged').toBe(true);
  });
});
