/**
 * The console in real Chromium against the real collector (built CLI on port 0), with bots using the real SDK
 * (`@ic-audit/client`): live arrival, filters, dump download, XSS, auth, disconnect, and the README screenshots.
 * (The wire contract itself, over a raw `ws` bot, is covered by console-channel.test.ts.)
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { AuditNotifier } from '@ic-audit/client';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, waitRows } from '../../test/helpers/chromium.js';
import { CLI, startCollector, type CollectorHandle } from '../../test/helpers/collector.js';

// README screenshots are refreshed only on request (IC_AUDIT_SCREENSHOTS=1), so `npm test` leaves the tree clean.
const DOCS =
  process.env['IC_AUDIT_SCREENSHOTS'] === '1'
    ? resolve(import.meta.dirname, '../../docs')
    : join(tmpdir(), 'ic-audit-screens');

describe('console in Chromium', () => {
  let collector: CollectorHandle;
  let browser: Browser;
  let page: Page;
  let trader: AuditNotifier | undefined;
  let monitor: AuditNotifier | undefined;
  const XSS = '<img src=x onerror="window.__pwned=1">';

  beforeAll(async () => {
    collector = await startCollector();
    browser = await chromium.launch(CHROMIUM);
    // Dark, as the README shows it first (the console follows prefers-color-scheme; console-light.png is the other).
    page = await browser.newPage({
      viewport: { width: 1400, height: 820 },
      acceptDownloads: true,
      colorScheme: 'dark',
    });
    await page.goto(`${collector.httpUrl}/?token=${collector.consoleToken}`);
    await page.waitForSelector('[data-testid=link].live');
  });

  afterAll(async () => {
    await trader?.close(1000);
    await monitor?.close(1000);
    await browser?.close();
    await collector?.close();
  });

  it('shows events from bots in the sidebar, overview and stream, live', async () => {
    // Each notifier queues its own boot event ("Project was booted.") first, as the seed's client did.
    trader = new AuditNotifier({
      projectName: 'EURUSD-scalper',
      projectMarket: 'FOREX',
      projectPrivileges: ['execute_trade', 'live_monitoring'],
      url: collector.ingestUrl,
    });
    monitor = new AuditNotifier({
      projectName: 'BTC-monitor',
      projectMarket: 'Crypto',
      projectPrivileges: ['live_monitoring'],
      url: collector.ingestUrl,
    });
    for (let i = 0; i < 30; i++) {
      trader.send(i % 2 ? 'trade_opened' : 'trade_closed', `${i % 2 ? 'Opened' : 'Closed'} EURUSD position #${i}`, {
        symbol: i % 3 ? 'EURUSD' : 'GBPUSD',
        price: 1.085 + i / 1e4,
        quantity: 10_000,
      });
    }
    trader.send('error', XSS, { error_code: 'CONN_TIMEOUT' });
    for (let i = 0; i < 12; i++) monitor.send('price_tick', `BTC at ${60_000 + i}`, { symbol: 'BTCUSD' });
    expect(await Promise.all([trader.flush(10_000), monitor.flush(10_000)])).toEqual([true, true]);
    // Acked means durable; from here the console shows them live (how fast is B4's figure in `npm run bench`, not
    // a bound here: a loaded CI machine must not turn a latency into a failure).
    await page.waitForSelector('.project[data-project="EURUSD-scalper"]');
    await page.waitForSelector('.card[data-project="BTC-monitor"] .tail-row');
    await page.keyboard.press('2');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('.row .c-desc')].some((e) => e.textContent === 'BTC at 60011'),
    );
    expect(await page.textContent('.project[data-project="EURUSD-scalper"]')).toContain(
      'execute_trade, live_monitoring',
    );
    expect(await page.getAttribute('.project[data-project="EURUSD-scalper"]', 'data-status')).toBe('connected');
    // Counters move with the rows (the same flush; renderer/src/lib/event-tally.ts).
    await page.waitForFunction(() =>
      document.querySelector('.project[data-project="EURUSD-scalper"]')?.textContent?.includes('32 ev1 err'),
    );
    await page.keyboard.press('1');
    await page.waitForSelector('.card.erroring[data-project="EURUSD-scalper"]');
    mkdirSync(DOCS, { recursive: true });
    await page.screenshot({ path: join(DOCS, 'console.png') });
  });

  it('renders event text as text: an HTML description stays literal and runs nothing', async () => {
    await page.keyboard.press('2');
    await page.waitForFunction(
      (xss) => [...document.querySelectorAll('.row .c-desc')].some((e) => e.textContent === xss),
      XSS,
    );
    expect(await page.evaluate(() => document.querySelectorAll('.table img').length)).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
  });

  it('narrows the table to exactly the matching rows for every filter', async () => {
    await page.keyboard.press('2');
    // The stream also lists the collector's own records (session hellos), so the totals come from the server.
    const server = (await (
      await fetch(`${collector.httpUrl}/api/records?limit=5000`, {
        headers: { authorization: `Bearer ${collector.consoleToken}` },
      })
    ).json()) as { records: Array<{ project_name: string }> };
    await waitRows(page, server.records.length);
    await page.selectOption('select[aria-label=Project]', 'BTC-monitor');
    await waitRows(page, server.records.filter((r) => r.project_name === 'BTC-monitor').length);
    expect(server.records.filter((r) => r.project_name === 'BTC-monitor').length).toBeGreaterThanOrEqual(12);
    await page.selectOption('select[aria-label=Project]', '');
    await page.selectOption('select[aria-label=Type]', 'trade_opened');
    await waitRows(page, 15);
    await page.selectOption('select[aria-label=Type]', '');
    await page.fill('#filter-text', 'symbol=EURUSD');
    await waitRows(page, 20);
    await page.fill('#filter-text', 'symbol=EURUSD opened');
    await waitRows(page, 10);
    await page.fill('#filter-text', 'conn_timeout');
    await waitRows(page, 1);
    await page.fill('#filter-text', 'symbol=EURUSD');
    await page.click('.ranges button:has-text("15 min")');
    await waitRows(page, 20);
    await page.click('.ranges button:has-text("custom")');
    await page.fill('input[aria-label=From]', '2001-01-01T00:00:00');
    await page.fill('input[aria-label=To]', '2001-01-02T00:00:00');
    await waitRows(page, 0);
    await page.click('.ranges button:has-text("30 h")');
    await waitRows(page, 20);
    await page.screenshot({ path: join(DOCS, 'console-stream.png') });
    await page.click('.row[data-id]');
    await page.waitForSelector('[data-testid=record-hash]');
    expect(await page.textContent('[data-testid=record-hash]')).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse((await page.textContent('[data-testid=record-json]'))!).fields.symbol).toBe('EURUSD');
    await page.screenshot({ path: join(DOCS, 'console-detail.png') });
    await page.keyboard.press('Escape');
    await page.fill('#filter-text', '');
    await page.click('.ranges button:has-text("all")');
  });

  it('Dump downloads exactly what `ic-audit dump --hours 30` writes for the same data', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#dump-button')]);
    expect(download.suggestedFilename()).toBe('dumped_audit_trails.json');
    const dir = mkdtempSync(join(tmpdir(), 'ic-audit-dl-'));
    try {
      const got = join(dir, 'browser.json');
      await download.saveAs(got);
      const cli = join(dir, 'cli.json');
      await promisify(execFile)(process.execPath, [
        CLI,
        'dump',
        '--data-dir',
        collector.dataDir,
        '--hours',
        '30',
        '--out',
        cli,
      ]);
      expect(readFileSync(got, 'utf8')).toBe(readFileSync(cli, 'utf8'));
      const dump = JSON.parse(readFileSync(got, 'utf8')) as Record<string, unknown[]>;
      expect(Object.keys(dump).sort()).toEqual(['BTC-monitor', 'EURUSD-scalper']);
      await page.waitForSelector('[data-testid=dump-status].done');
      expect(await page.textContent('[data-testid=dump-status]')).toContain('dumped_audit_trails.json');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('verifies the chain on request', async () => {
    await page.click('button:has-text("Verify")');
    await page.waitForFunction(
      () =>
        /chain intact · \d/.test(document.querySelector('[data-testid=integrity]')?.textContent ?? '') &&
        !document.querySelector('[data-testid=integrity]')?.textContent?.endsWith('· 0'),
    );
  });

  it('answers 401 without the token or with a wrong one, and serves the page under a strict CSP', async () => {
    for (const path of ['/', '/?token=wrong', '/api/health', '/api/records']) {
      expect((await fetch(collector.httpUrl + path, { redirect: 'manual' })).status, path).toBe(401);
    }
    const ok = await fetch(`${collector.httpUrl}/`, { headers: { authorization: `Bearer ${collector.consoleToken}` } });
    expect(ok.status).toBe(200);
    const csp = ok.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(await ok.text()).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('shows a bot that disconnects as disconnected within two heartbeats', async () => {
    // The SDK's close(): flush (nothing pending), then a clean WebSocket close; the collector marks the session.
    expect(await monitor!.close(5000)).toBe(true);
    await page.waitForSelector('.project[data-project="BTC-monitor"][data-status="disconnected"]', { timeout: 30_000 });
    expect(await page.getAttribute('.project[data-project="EURUSD-scalper"]', 'data-status')).toBe('connected');
  });

  it('shows every value exactly as sent: 250.0, a 64-bit integer and a Python NaN in the row, the filter and the detail', async () => {
    const line =
      '{"project_name": "PyExact", "event_type": "trade_opened", "event_description": "exact values", "price": 250.0, "id": 9223372036854775808, "pnl": NaN}';
    const res = await fetch(`${collector.httpUrl}/ingest`, { method: 'POST', body: line + '\n' });
    expect(await res.json()).toMatchObject({ accepted: 1 });
    await page.click('button:has-text("Stream")');
    await page.click('.ranges button:has-text("all")');
    await page.fill('#filter-text', 'price=250.0');
    await waitRows(page, 1);
    expect(await page.textContent('.row[data-id] .c-fields')).toContain('price=250.0');
    await page.click('.row[data-id]');
    await page.waitForSelector('[data-testid=record-json]');
    const detail = (await page.textContent('[data-testid=record-json]'))!;
    expect(detail).toContain('"price": 250.0');
    expect(detail).toContain('"id": 9223372036854775808');
    expect(detail).toContain('"pnl": NaN');
    await page.keyboard.press('Escape');
    await page.fill('#filter-text', '');
  });
});
