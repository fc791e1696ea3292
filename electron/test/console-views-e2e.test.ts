/**
 * Console views in real Chromium against the real collector (built CLI on port 0, temp data dir): the detail panel
 * (resize, click-to-filter, full description), the `?` shortcuts overlay, "N new" against the real rows below the
 * viewport, view links (copy, open in a fresh context), UTC / local times, the light theme and the histogram with
 * its brush (issue #16, items 6-10). Setup as in console-e2e.test.ts; bots speak the wire protocol (console-bot.ts)
 * so the test knows exactly when each batch is durable.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHORTCUTS } from '../../renderer/src/lib/shortcuts.js';
import { CHROMIUM, waitRows } from '../../test/helpers/chromium.js';
import { startCollector, type CollectorHandle } from '../../test/helpers/collector.js';
import { connectBot, type TestBot } from './console-bot.js';

// README screenshots are refreshed only on request (IC_AUDIT_SCREENSHOTS=1), so `npm test` leaves the tree clean.
const DOCS = resolve(import.meta.dirname, '../../docs');
const SHOTS = process.env['IC_AUDIT_SCREENSHOTS'] === '1' ? DOCS : join(tmpdir(), 'ic-audit-screens');
const ROW_HEIGHT = 22;
const LONG_DESC =
  'Connection timeout while placing the EURUSD stop order: the broker gateway did not answer within 5000 ms, ' +
  'the order was retried twice and then cancelled; the position stays unprotected until the next heartbeat.';

interface ViewProbe {
  tab: string;
  follow: boolean;
  filter: { project: string; type: string; text: string; range: string; from: number | null; to: number | null };
  selectedId: number | null;
}

interface ServerRecord {
  id: number;
  received_at: number;
  timestamp: number;
  project_name: string;
  event_type: string;
  event_description: string;
  fields: Record<string, unknown>;
}

/** Clicks the theme button (it cycles system, light, dark) until it shows `theme`. */
async function setTheme(page: Page, theme: string): Promise<void> {
  for (let i = 0; i < 3 && (await page.getAttribute('[data-testid=theme]', 'data-theme')) !== theme; i++)
    await page.click('[data-testid=theme]');
  expect(await page.getAttribute('[data-testid=theme]', 'data-theme')).toBe(theme);
}

/** Types a filter and waits until the store applied it and the table holds `n` rows. */
async function filterTo(page: Page, text: string, n: number): Promise<void> {
  await page.fill('#filter-text', text);
  await page.waitForFunction(
    (t) =>
      (
        globalThis as { __icAudit?: { store: { getState(): { filter: { text: string } } } } }
      ).__icAudit!.store.getState().filter.text === t,
    text,
  );
  try {
    await waitRows(page, n);
  } catch (e) {
    console.log('rows', await page.getAttribute('.table', 'data-rows'), 'for', JSON.stringify(text), 'want', n);
    throw e;
  }
}

describe('console views in Chromium', () => {
  let collector: CollectorHandle;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let trader: TestBot;
  let monitor: TestBot;

  const records = async (): Promise<ServerRecord[]> => {
    const res = await fetch(`${collector.httpUrl}/api/records?limit=5000`, {
      headers: { authorization: `Bearer ${collector.consoleToken}` },
    });
    return ((await res.json()) as { records: ServerRecord[] }).records;
  };
  const newContext = (opts: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> =>
    browser.newContext({
      viewport: { width: 1400, height: 820 },
      timezoneId: 'America/New_York',
      colorScheme: 'dark',
      ...opts,
    });
  /** A page logged in with the token (traded for the HttpOnly cookie), at `hash`. */
  const open = async (ctx: BrowserContext, hash = ''): Promise<Page> => {
    const p = await ctx.newPage();
    await p.goto(`${collector.httpUrl}/?token=${collector.consoleToken}${hash}`);
    await p.waitForSelector('[data-testid=link].live');
    return p;
  };
  /** The store's view state, as the page holds it. */
  const state = (p: Page): Promise<ViewProbe> =>
    p.evaluate(() => {
      const s = (
        globalThis as unknown as { __icAudit: { store: { getState(): ViewProbe } } }
      ).__icAudit.store.getState();
      return { tab: s.tab, follow: s.follow, filter: s.filter, selectedId: s.selectedId };
    });

  beforeAll(async () => {
    collector = await startCollector();
    browser = await chromium.launch(CHROMIUM);
    context = await newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: collector.httpUrl });
    page = await open(context);
    trader = await connectBot(collector.ingestUrl, { name: 'EURUSD-scalper', privileges: ['execute_trade'] });
    monitor = await connectBot(collector.ingestUrl, { name: 'BTC-monitor', market: 'Crypto' });
    await trader.send(
      Array.from({ length: 40 }, (_, i) => ({
        event_type: i % 2 ? 'trade_opened' : 'trade_closed',
        event_description: `${i % 2 ? 'Opened' : 'Closed'} position #${i}`,
        fields: { symbol: i % 3 ? 'EURUSD' : 'GBPUSD', quantity: 10_000 + i, note: i % 5 ? 'scalp' : 'stop loss' },
      })),
    );
    await trader.send([{ event_type: 'error', event_description: LONG_DESC, fields: { error_code: 'CONN_TIMEOUT' } }]);
    await monitor.send(
      Array.from({ length: 20 }, (_, i) => ({
        event_type: 'price_tick',
        event_description: `BTC at ${60_000 + i}`,
        fields: { symbol: 'BTCUSD' },
      })),
    );
    await page.keyboard.press('2');
    await waitRows(page, (await records()).length);
  });

  afterAll(async () => {
    await trader?.close();
    await monitor?.close();
    await browser?.close();
    await collector?.close();
  });

  it('detail: full description wrapped, never cut', async () => {
    await filterTo(page, 'conn_timeout', 1);
    await page.click('.row[data-id]');
    await page.waitForSelector('[data-testid=detail-desc]');
    const desc = await page.$eval('[data-testid=detail-desc]', (el) => ({
      text: el.textContent,
      lines: el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight || '16'),
      clipped: el.scrollWidth > el.clientWidth,
      ellipsis: getComputedStyle(el).textOverflow,
    }));
    expect(desc.text).toBe(LONG_DESC);
    expect(desc.clipped).toBe(false);
    expect(desc.ellipsis).not.toBe('ellipsis');
    expect(desc.lines).toBeGreaterThan(1.5);
    await page.keyboard.press('Escape');
    await filterTo(page, '', (await records()).length);
  });

  it('detail: resizable from its edge, the width clamped and kept across a reload', async () => {
    const all = await records();
    await waitRows(page, all.length);
    await page.click('.row[data-id]');
    await page.waitForSelector('[data-testid=record-hash]');
    const before = (await page.locator('[data-testid=detail]').boundingBox())!;
    expect(Math.round(before.width)).toBe(440);
    const handle = (await page.locator('[data-testid=detail-resize]').boundingBox())!;
    const y = handle.y + handle.height / 2;
    await page.mouse.move(handle.x + 3, y);
    await page.mouse.down();
    await page.mouse.move(handle.x + 3 - 100, y, { steps: 5 });
    await page.mouse.move(handle.x + 3 - 200, y, { steps: 5 });
    await page.mouse.up();
    const after = (await page.locator('[data-testid=detail]').boundingBox())!;
    expect(Math.round(after.width)).toBe(640);
    expect(await page.evaluate(() => localStorage.getItem('ic-audit.detail-width'))).toBe('640');
    // Clamped: dragging past the table's minimum room stops at window width - 360.
    await page.mouse.move(after.x + 3, y);
    await page.mouse.down();
    await page.mouse.move(5, y, { steps: 5 });
    await page.mouse.up();
    expect(Math.round((await page.locator('[data-testid=detail]').boundingBox())!.width)).toBe(1400 - 360);
    await page.evaluate(() => localStorage.setItem('ic-audit.detail-width', '640'));
    await page.reload();
    await page.waitForSelector('[data-testid=record-hash]');
    expect(Math.round((await page.locator('[data-testid=detail]').boundingBox())!.width)).toBe(640);
    await page.keyboard.press('Escape');
  });

  it('detail: clicking a field value adds field=value to the filter and shows exactly the matching rows', async () => {
    const all = await records();
    await filterTo(page, 'symbol=GBPUSD', all.filter((r) => r.fields['symbol'] === 'GBPUSD').length);
    await page.click('.row[data-id]');
    // A string value with a space: quoted in the term.
    await page.click('[data-testid=detail-fields] button[data-term="note=\\"stop loss\\""]');
    expect(await page.inputValue('#filter-text')).toBe('symbol=GBPUSD note="stop loss"');
    await waitRows(page, all.filter((r) => r.fields['symbol'] === 'GBPUSD' && r.fields['note'] === 'stop loss').length);
    // A number exactly as sent, replacing nothing else; then the project from the facts.
    const q = await page.getAttribute('[data-testid=detail-fields] button[data-term^="quantity="]', 'data-term');
    await page.click(`[data-testid=detail-fields] button[data-term="${q}"]`);
    expect(await page.inputValue('#filter-text')).toBe(`symbol=GBPUSD note="stop loss" ${q}`);
    await waitRows(page, 1);
    await page.keyboard.press('Escape');
    // Values shown and filtered as sent: 250.0 stays 250.0 (a Python client's float), found by its own text.
    const line =
      '{"project_name": "PyExact", "event_type": "trade_opened", "event_description": "exact", "price": 250.0, "pnl": NaN}';
    expect(
      await (await fetch(`${collector.httpUrl}/ingest`, { method: 'POST', body: line + '\n' })).json(),
    ).toMatchObject({ accepted: 1 });
    await filterTo(page, 'price=250.0', 1);
    await page.click('.row[data-id]');
    expect(await page.textContent('[data-testid=detail-fields] button[data-term="price=250.0"]')).toBe('250.0');
    await page.click('[data-testid=detail-fields] button[data-term="pnl=NaN"]');
    expect(await page.inputValue('#filter-text')).toBe('price=250.0 pnl=NaN');
    await waitRows(page, 1);
    await filterTo(page, '', (await records()).length);
    await page.click('[data-testid=detail-fields] button[data-term="price=250.0"]');
    expect(await page.inputValue('#filter-text')).toBe('price=250.0');
    await waitRows(page, 1);
    await page.keyboard.press('Escape');
    await filterTo(page, '', (await records()).length);
  });

  it('? lists every shortcut of the table the keys use, and Esc closes it', async () => {
    await page.click('.row[data-id]');
    await page.keyboard.press('?');
    const dialog = page.locator('[role=dialog][aria-label="Keyboard shortcuts"]');
    await dialog.waitFor();
    const rows = await dialog
      .locator('tr')
      .evaluateAll((trs) => trs.map((tr) => ({ action: tr.getAttribute('data-action'), text: tr.textContent })));
    expect(rows.map((r) => r.action)).toEqual(SHORTCUTS.map((s) => s.action));
    for (const [i, s] of SHORTCUTS.entries()) expect(rows[i]!.text).toContain(s.help);
    // Keys other than Esc and ? do nothing behind the overlay.
    await page.keyboard.press('1');
    expect((await state(page)).tab).toBe('stream');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    // The first Esc closed only the overlay; the detail is still open.
    expect(await page.isVisible('[data-testid=detail]')).toBe(true);
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid=detail]', { state: 'detached' });
  });

  it('"N new" is exactly the number of rows below the viewport after new rows arrive', async () => {
    const total = (await records()).length;
    await waitRows(page, total);
    await page.keyboard.press('End');
    // k twice: the selection moves off the newest row, so the table stops following (the case that said "15 new").
    await page.keyboard.press('k');
    await page.keyboard.press('k');
    expect((await state(page)).follow).toBe(false);
    await monitor.send(
      Array.from({ length: 7 }, (_, i) => ({ event_type: 'price_tick', event_description: `late ${i}` })),
    );
    await waitRows(page, total + 7);
    await page.waitForSelector('.jump-live[data-below="7"]');
    const geometry = await page.$eval(
      '.table-scroll',
      (el, h) => {
        const total = Number(document.querySelector('.table')!.getAttribute('data-rows'));
        return total - Math.ceil((el.scrollTop + el.clientHeight) / h);
      },
      ROW_HEIGHT,
    );
    expect(geometry).toBe(7);
    expect(await page.textContent('.jump-live')).toBe('7 new ↓');
    // Scrolled further up, the count is still the rows below, not a stale "since paused" figure.
    await page.$eval('.table-scroll', (el, h) => (el.scrollTop -= 5 * h), ROW_HEIGHT);
    await page.waitForSelector('.jump-live[data-below="12"]');
    await page.click('.jump-live');
    expect((await state(page)).follow).toBe(true);
    await page.keyboard.press('Escape');

    // The reported case: `j` selects the first row (the table leaves the bottom), then one row arrives.
    await page.keyboard.press('j');
    const below = (): Promise<number> =>
      page.$eval(
        '.table-scroll',
        (el, h) =>
          Number(document.querySelector('.table')!.getAttribute('data-rows')) -
          Math.ceil((el.scrollTop + el.clientHeight) / h),
        ROW_HEIGHT,
      );
    const n0 = await below();
    expect(n0).toBeGreaterThan(0);
    await page.waitForSelector(`.jump-live[data-below="${n0}"]`);
    await monitor.send([{ event_type: 'price_tick', event_description: 'one more' }]);
    await waitRows(page, total + 8);
    await page.waitForSelector(`.jump-live[data-below="${n0 + 1}"]`);
    expect(await below()).toBe(n0 + 1);
    expect(await page.textContent('.jump-live')).toBe(`${n0 + 1} new ↓`);
    await page.keyboard.press('End');
    await page.keyboard.press('Escape');
  });

  it('URL round trip: a copied link opens the same filters, range and selected record in a fresh context', async () => {
    const all = await records();
    const rx = all.map((r) => r.received_at);
    const from = Math.floor(Math.min(...rx)) - 1;
    const to = Math.ceil(Math.max(...rx)) + 1;
    await page.selectOption('select[aria-label=Project]', 'EURUSD-scalper');
    await filterTo(page, 'symbol=EURUSD', all.filter((r) => r.fields['symbol'] === 'EURUSD').length);
    await page.click('.ranges button:has-text("custom")');
    const toLocal = (t: number): string => {
      // The inputs show the page's zone (America/New_York in this context): Chromium formats it for us.
      return new Date(t * 1000).toLocaleString('sv-SE', { timeZone: 'America/New_York' }).replace(' ', 'T');
    };
    await page.fill('input[aria-label=From]', toLocal(from));
    await page.fill('input[aria-label=To]', toLocal(to));
    await page.waitForFunction(() => (document.querySelector('input[aria-label=To]') as HTMLInputElement).value !== '');
    const rows = all.filter((r) => r.fields['symbol'] === 'EURUSD' && r.project_name === 'EURUSD-scalper').length;
    await waitRows(page, rows);
    const pick = await page.getAttribute('.row[data-id]:nth-child(3)', 'data-id');
    await page.click(`.row[data-id="${pick}"]`);
    await page.waitForSelector('[data-testid=record-hash]');
    const hash = await page.textContent('[data-testid=record-hash]');
    const want = await state(page);
    expect(want.filter).toMatchObject({ project: 'EURUSD-scalper', text: 'symbol=EURUSD', range: 'custom', from, to });

    await page.click('[data-testid=copy-link]');
    await page.waitForSelector('[data-testid=copy-link]:has-text("link copied")');
    const link = await page.evaluate(() => navigator.clipboard.readText());
    expect(link).toBe(await page.getAttribute('[data-testid=copy-link]', 'data-link'));
    expect(link.startsWith(`${collector.httpUrl}/#`)).toBe(true);
    expect(link).not.toContain(collector.consoleToken);
    expect(link).not.toContain('token');
    // The address bar carries the same view (a reload restores it), and never the token either.
    await page.waitForFunction((l) => location.href === l, link);

    // A colleague: a fresh context (no storage, no cookie), logged in with the token, then the link.
    const other = await newContext();
    try {
      const login = await other.newPage();
      await login.goto(`${collector.httpUrl}/?token=${collector.consoleToken}`);
      const p = await other.newPage();
      await p.goto(link);
      await p.waitForSelector('[data-testid=link].live');
      await waitRows(p, rows);
      const got = await state(p);
      expect(got.tab).toBe('stream');
      expect(got.filter).toEqual(want.filter);
      expect(got.selectedId).toBe(Number(pick));
      expect(await p.inputValue('#filter-text')).toBe('symbol=EURUSD');
      expect(await p.inputValue('select[aria-label=Project]')).toBe('EURUSD-scalper');
      expect(await p.getAttribute('.ranges button.on', 'class')).toBeTruthy();
      expect(await p.textContent('.ranges button.on')).toBe('custom');
      await p.waitForSelector('[data-testid=record-hash]');
      expect(await p.textContent('[data-testid=record-hash]')).toBe(hash);
      expect(await p.getAttribute('.row.selected', 'data-id')).toBe(pick);

      // A hostile link: markup stays text, an unknown range and a bad id fall back, nothing runs.
      const evil = `${collector.httpUrl}/#view=stream&q=${encodeURIComponent('<img src=x onerror="window.__pwned=1">')}&range=forever&id=-1&token=stolen`;
      await p.goto(evil);
      await p.waitForSelector('[data-testid=link].live');
      const bad = await state(p);
      expect(bad.filter.text).toBe('<img src=x onerror="window.__pwned=1">');
      expect(bad.filter.range).toBe('all');
      expect(bad.selectedId).toBeNull();
      expect(await p.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
      await p.waitForFunction(() => !location.href.includes('token'));
    } finally {
      await other.close();
    }
    await page.keyboard.press('Escape');
    await page.selectOption('select[aria-label=Project]', '');
    await page.click('.ranges button:has-text("all")');
    await filterTo(page, '', all.length);
  });

  it('UTC / local switch changes the times shown and persists; rows spanning days show the date', async () => {
    const all = await records();
    await filterTo(page, 'conn_timeout', 1);
    const rec = all.find((r) => r.fields['error_code'] === 'CONN_TIMEOUT')!;
    const hms = (t: number, timeZone: string): string =>
      new Date(t * 1000).toLocaleTimeString('en-GB', { timeZone, hour12: false });
    const cell = async (): Promise<string> => (await page.textContent('.row[data-id] .c-time'))!;
    await page.evaluate(() => localStorage.removeItem('ic-audit.time-zone'));
    // The filter is in the address bar, so the reloads below keep it.
    await page.waitForFunction(() => location.hash.includes('q=conn_timeout'));
    await page.reload();
    await page.waitForSelector('[data-testid=link].live');
    await waitRows(page, 1);
    expect(await page.textContent('[data-testid=time-zone]')).toBe('local time');
    expect((await cell()).slice(0, 8)).toBe(hms(rec.timestamp, 'America/New_York'));
    await page.click('[data-testid=time-zone]');
    expect(await page.textContent('[data-testid=time-zone]')).toBe('UTC');
    expect((await cell()).slice(0, 8)).toBe(hms(rec.timestamp, 'UTC'));
    expect(await page.evaluate(() => localStorage.getItem('ic-audit.time-zone'))).toBe('utc');
    await page.reload();
    await page.waitForSelector('[data-testid=link].live');
    await waitRows(page, 1);
    expect(await page.textContent('[data-testid=time-zone]')).toBe('UTC');
    expect((await cell()).slice(0, 8)).toBe(hms(rec.timestamp, 'UTC'));
    // `u` toggles back.
    await page.locator('.table-scroll').focus();
    await page.keyboard.press('u');
    expect((await cell()).slice(0, 8)).toBe(hms(rec.timestamp, 'America/New_York'));

    // A bot whose clock says two days ago: the stream now spans days, so rows carry their date.
    const old = Date.now() / 1000 - 2 * 86_400;
    await trader.send([{ event_type: 'note', event_description: 'from the past', timestamp: old, fields: {} }]);
    await filterTo(page, '', (await records()).length);
    expect(await page.textContent('.row[data-id] .c-time')).toMatch(/^\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    await filterTo(page, 'conn_timeout', 1);
    expect(await cell()).toMatch(/^\d\d:\d\d:\d\d\.\d{6}$/);
    await filterTo(page, '', (await records()).length);
  });

  it('light theme under prefers-color-scheme: light, and the manual switch (system / light / dark) persists', async () => {
    const bg = (p: Page): Promise<string> => p.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await newContext({ colorScheme: 'light' });
    try {
      const p = await open(light);
      expect(await p.getAttribute('html', 'data-scheme')).toBe('light');
      expect(await bg(p)).toBe('rgb(255, 255, 255)');
      expect(await p.getAttribute('[data-testid=theme]', 'data-theme')).toBe('system');
      await p.keyboard.press('2');
      await waitRows(p, (await records()).length);
      await p.click('.row[data-id]');
      await p.waitForSelector('[data-testid=record-hash]');
      await p.waitForFunction(
        () => Number(document.querySelector('[data-testid=histogram]')?.getAttribute('data-total')) > 0,
      );
      mkdirSync(SHOTS, { recursive: true });
      await p.screenshot({ path: join(SHOTS, 'console-light.png') });
      await setTheme(p, 'dark');
      expect(await bg(p)).toBe('rgb(14, 17, 22)');
      await p.reload();
      await p.waitForSelector('[data-testid=link].live');
      expect(await p.getAttribute('[data-testid=theme]', 'data-theme')).toBe('dark');
      expect(await bg(p)).toBe('rgb(14, 17, 22)');
      // Following the system again: light, and it tracks a change of the system's preference.
      await setTheme(p, 'system');
      expect(await bg(p)).toBe('rgb(255, 255, 255)');
      await p.emulateMedia({ colorScheme: 'dark' });
      await p.waitForFunction(() => getComputedStyle(document.body).backgroundColor === 'rgb(14, 17, 22)');
    } finally {
      await light.close();
    }
    // A dark system with the manual light theme.
    expect(await bg(page)).toBe('rgb(14, 17, 22)');
    await setTheme(page, 'light');
    expect(await bg(page)).toBe('rgb(255, 255, 255)');
    await setTheme(page, 'system');
  });

  it('histogram: bars for the current filter; a brush narrows the time range and the rows', async () => {
    const hist = async (p: Page): Promise<{ total: number; bars: number; from: number; to: number }> =>
      p.$eval('[data-testid=histogram]', (el) => ({
        total: Number(el.getAttribute('data-total')),
        bars: Number(el.getAttribute('data-bars')),
        from: Number(el.getAttribute('data-from')),
        to: Number(el.getAttribute('data-to')),
      }));
    // Two batches a few seconds apart in a project of their own.
    const bot = await connectBot(collector.ingestUrl, { name: 'Hist-bot' });
    try {
      await bot.send(Array.from({ length: 12 }, (_, i) => ({ event_type: 'tick', event_description: `early ${i}` })));
      await sleep(3000);
      await bot.send(Array.from({ length: 5 }, (_, i) => ({ event_type: 'tick', event_description: `late ${i}` })));
    } finally {
      await bot.close();
    }
    const all = await records();
    const mine = all.filter((r) => r.project_name === 'Hist-bot');
    await filterTo(page, '', all.length);
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid=histogram]')?.getAttribute('data-total') === String(n),
      all.length,
    );
    expect((await hist(page)).bars).toBeGreaterThan(0);
    await page.selectOption('select[aria-label=Project]', 'Hist-bot');
    await waitRows(page, mine.length);
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid=histogram]')?.getAttribute('data-total') === String(n),
      mine.length,
    );

    // Zoom to this bot's few seconds (through the URL, as a link would), then brush the later half.
    const t0 = Math.floor(Math.min(...mine.map((r) => r.received_at))) - 2;
    const t1 = Math.ceil(Math.max(...mine.map((r) => r.received_at))) + 2;
    await page.evaluate(
      ([a, b]) => (location.hash = `view=stream&project=Hist-bot&range=custom&from=${a}&to=${b}`),
      [t0, t1],
    );
    await page.waitForFunction(
      (a) => Number(document.querySelector('[data-testid=histogram]')?.getAttribute('data-from')) === a,
      t0,
    );
    const h = await hist(page);
    expect(h.total).toBe(mine.length);
    expect(h.bars).toBeGreaterThanOrEqual(2);
    const lateStart = Math.min(...mine.filter((r) => r.event_description.startsWith('late')).map((r) => r.received_at));
    const box = (await page.locator('[data-testid=histogram] canvas').boundingBox())!;
    const xAt = (t: number): number => box.x + ((t - h.from) / (h.to - h.from)) * box.width;
    const y = box.y + box.height / 2;
    await page.mouse.move(xAt(lateStart - 1), y);
    await page.mouse.down();
    await page.mouse.move(xAt(lateStart + 0.5), y, { steps: 4 });
    await page.mouse.move(box.x + box.width - 1, y, { steps: 4 });
    await page.mouse.up();
    const f = (await state(page)).filter;
    expect(f.range).toBe('custom');
    expect(f.from!).toBeGreaterThan(t0);
    expect(f.from!).toBeLessThan(lateStart);
    expect(f.to!).toBeLessThanOrEqual(t1);
    const want = mine.filter((r) => r.received_at >= f.from! && r.received_at <= f.to!);
    expect(want.length).toBeGreaterThanOrEqual(5);
    expect(want.length).toBeLessThan(mine.length);
    await waitRows(page, want.length);
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid=histogram]')?.getAttribute('data-total') === String(n),
      want.length,
    );
    await page.selectOption('select[aria-label=Project]', '');
    await page.click('.ranges button:has-text("all")');
  });
});
