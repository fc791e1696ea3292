/**
 * Console views in real Chromium against the real collector (built CLI on port 0, temp data dir): the detail panel
 * (resize, click-to-filter, full description), the `?` shortcuts overlay, "N new" against the real rows below the
 * viewport, view links (copy, open in a fresh context), UTC / local times, the light theme and the histogram with
 * its brush (issue #16, items 6-10). Setup as in console-e2e.test.ts; bots speak the wire protocol (console-bot.ts)
 * so the test knows exactly when each batch is durable.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHORTCUTS } from '../../renderer/src/lib/shortcuts.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, SCREENSHOT_DIR as DOCS } from '../../test/helpers/chromium.js';
import { startCollector, type CollectorHandle } from '../../test/helpers/collector.js';
import { connectBot, type TestBot } from './console-bot.js';

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
  fields: Record<string, unknown>;
}

async function waitRows(page: Page, n: number, timeout = 5000): Promise<void> {
  await page.waitForFunction(
    (want) => document.querySelector('.table')?.getAttribute('data-rows') === String(want),
    n,
    { timeout },
  );
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
    console.log('DEBUG', text, n, await page.getAttribute('.table', 'data-rows'), page.url());
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
    browser.newContext({ viewport: { width: 1400, height: 820 }, timezoneId: 'America/New_York', ...opts });
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
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
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
  });
});
