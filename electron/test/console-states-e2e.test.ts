/**
 * The console's states in real Chromium against the real collector (built CLI on port 0, temp data dir): empty
 * stream, token page, counts in step with rows, pinned error, no-match, dump toast, and the collector stopped
 * under an open console and restarted on the same port and data dir (issue #16).
 */
import { rmSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, waitRows } from '../../test/helpers/chromium.js';
import { startCollector, type CollectorHandle } from '../../test/helpers/collector.js';
import { connectBot, type BotEvent, type TestBot } from './console-bot.js';

const events = (n: number, type = 'tick', prefix = 'tick'): BotEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    event_type: type,
    event_description: `${prefix} ${i}`,
    fields: { symbol: 'EURUSD', i },
  }));

describe('console states in Chromium', () => {
  let collector: CollectorHandle;
  let dataDir: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const bots: TestBot[] = [];

  beforeAll(async () => {
    collector = await startCollector({ keepDataDir: true });
    dataDir = collector.dataDir;
    browser = await chromium.launch(CHROMIUM);
    context = await browser.newContext({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: collector.httpUrl });
    page = await context.newPage();
    await page.goto(`${collector.httpUrl}/?token=${collector.consoleToken}`);
    await page.waitForSelector('[data-testid=link].live');
  });

  afterAll(async () => {
    for (const b of bots) await b.close().catch(() => undefined);
    await browser?.close();
    await collector?.close();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  });

  it('empty stream: shows the SDK snippet with this collector’s real ingest URL', async () => {
    const ingest = `ws://127.0.0.1:${collector.port}/ingest`;
    await page.waitForSelector('[data-testid=empty-stream]');
    expect(await page.textContent('[data-testid=ingest-url]')).toBe(ingest);
    expect(await page.textContent('[data-testid=sdk-snippet]')).toContain(`url: '${ingest}'`);
    await page.keyboard.press('2');
    expect(await page.textContent('.stream [data-testid=ingest-url]')).toBe(ingest);
    await page.keyboard.press('1');
  });

  it('token page: styled like the console and naming the address and port it is served on', async () => {
    const res = await fetch(`${collector.httpUrl}/`);
    expect(res.status).toBe(401);
    const html = await res.text();
    expect(html).toContain(`http://127.0.0.1:${collector.port}/?token=`);
    expect(html).not.toContain('9324');
    // In a context without the cookie: the inline style is allowed by its CSP hash, so the page is dark.
    const fresh = await browser.newPage({ colorScheme: 'dark' });
    try {
      await fresh.goto(`${collector.httpUrl}/`);
      expect(await fresh.textContent('[data-testid=console-url]')).toBe(
        `http://127.0.0.1:${collector.port}/?token=<token>`,
      );
      expect(await fresh.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(14, 17, 22)');
    } finally {
      await fresh.close();
    }
  });

  it('counts, sidebar and rows come from one update: never apart for more than a frame after a burst', async () => {
    const bot = await connectBot(collector.ingestUrl, { name: 'BurstBot' });
    bots.push(bot);
    await page.waitForSelector('.project[data-project="BurstBot"]');
    await page.keyboard.press('2');
    await page.selectOption('select[aria-label=Project]', 'BurstBot');
    await waitRows(page, 1); // the collector's "session declared" record
    // Sample every frame: the sidebar's events, the header's events and the table's rows (minus that record).
    await page.evaluate(() => {
      const w = window as unknown as { __samples: number[][]; __stop: boolean };
      const num = (re: RegExp, el: Element | null): number => {
        const m = re.exec(el?.textContent ?? '');
        return m ? Number(m[1]!.replace(/,/g, '')) : -1;
      };
      w.__samples = [];
      w.__stop = false;
      const tick = (): void => {
        const sidebar = num(/([\d,]+) ev/, document.querySelector('.project[data-project="BurstBot"]'));
        const header = num(/([\d,]+) events/, document.querySelector('.topbar'));
        const rows = Number(document.querySelector('.table')?.getAttribute('data-rows') ?? -1) - 1;
        w.__samples.push([sidebar, header, rows]);
        if (!w.__stop) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    await bot.send(events(3000));
    await waitRows(page, 3001, 10_000);
    // A few more frames after the last row, as long as the old counts lagged (1.16 s).
    await page.waitForTimeout(1500);
    const samples = await page.evaluate(() => {
      const w = window as unknown as { __samples: number[][]; __stop: boolean };
      w.__stop = true;
      return w.__samples;
    });
    expect(samples.length).toBeGreaterThan(10);
    expect(samples.at(-1)).toEqual([3000, 3000, 3000]);
    let apart = 0;
    let longest = 0;
    for (const [sidebar, header, rows] of samples) {
      apart = sidebar === rows && header === rows ? 0 : apart + 1;
      longest = Math.max(longest, apart);
    }
    expect(longest, JSON.stringify(samples.filter(([a, b, c]) => a !== c || b !== c).slice(0, 5))).toBeLessThanOrEqual(
      1,
    );
    // The samples saw the burst land (before and after).
    expect(new Set(samples.map((s) => s[2])).size).toBeGreaterThanOrEqual(2);
    await page.selectOption('select[aria-label=Project]', '');
  });

  it('pins a project’s latest error on its card past 20 newer events; system records fold into one line', async () => {
    const bot = await connectBot(collector.ingestUrl, { name: 'PinBot' });
    bots.push(bot);
    await bot.send([
      { event_type: 'error', event_description: 'Connection timeout to broker', fields: { error_code: 'TIMEOUT' } },
    ]);
    await bot.send(events(20, 'trade_opened', 'opened'));
    await page.keyboard.press('1');
    const card = '.card[data-project="PinBot"]';
    await page.waitForFunction(
      (sel) => document.querySelector(`${sel} .tail`)?.textContent?.includes('opened 19'),
      card,
    );
    expect(await page.textContent(`${card} [data-testid=pinned-error]`)).toContain('Connection timeout to broker');
    expect(await page.textContent(`${card} .tail`)).not.toContain('Connection timeout');
    expect(await page.textContent(`${card} [data-testid=system-fold]`)).toContain('1 system record');
    expect(await page.locator(`${card} .tail .kind-system`).count()).toBe(0);
    // A newer error replaces the pinned one.
    await bot.send([{ event_type: 'error', event_description: 'Order rejected', fields: {} }]);
    await page.waitForFunction(
      (sel) => document.querySelector(`${sel} [data-testid=pinned-error]`)?.textContent?.includes('Order rejected'),
      card,
    );
  });

  it('a filter with no match says what it asked for and widens the range on request', async () => {
    await page.keyboard.press('2');
    await page.click('.ranges button:has-text("30 h")');
    await page.fill('#filter-text', 'symbol=GBPJPY');
    await page.waitForSelector('[data-testid=no-match]');
    expect(await page.textContent('[data-testid=no-match-text]')).toBe(
      'No event matches symbol=GBPJPY in the last 30 h — widen the range.',
    );
    await page.click('[data-testid=widen]');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=no-match-text]')?.textContent?.endsWith('in all the rows loaded.'),
    );
    expect(await page.getAttribute('.ranges button:has-text("all")', 'class')).toContain('on');
    await page.fill('#filter-text', 'symbol=EURUSD');
    await waitRows(page, 3020, 10_000);
    expect(await page.locator('[data-testid=no-match]').count()).toBe(0);
    await page.fill('#filter-text', '');
  });

  it('dump toast: path, copy path, dismiss, and the top bar never changes height', async () => {
    const bar = async (): Promise<number> => (await page.locator('.topbar').boundingBox())!.height;
    const before = await bar();
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#dump-button')]);
    await download.delete();
    await page.waitForSelector('[data-testid=dump-status].done');
    expect(await bar()).toBe(before);
    expect(await page.$eval('[data-testid=dump-status]', (el) => getComputedStyle(el).position)).toBe('fixed');
    const path = (await page.textContent('[data-testid=dump-path]'))!;
    expect(path).toMatch(
      new RegExp(`^${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/dumps/console/dump-.*\\.json$`),
    );
    expect(await page.locator('[data-testid=show-in-folder]').count()).toBe(0); // a plain browser has no shell
    await page.click('[data-testid=copy-path]');
    await page.waitForSelector('[data-testid=dump-status]:has-text("path copied")');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(path);
    await page.click('[data-testid=dismiss-dump]');
    await page.waitForSelector('[data-testid=dump-status]', { state: 'detached' });
    expect(await bar()).toBe(before);
  });

  it('collector stopped under the open console: says so; after restart shows what it missed exactly once', async () => {
    await page.keyboard.press('1');
    await page.waitForSelector('.project[data-project="BurstBot"][data-status="connected"]');
    for (const b of bots.splice(0)) await b.close();
    expect(await collector.kill('SIGTERM')).toBe(0);

    await page.waitForSelector('[data-testid=connection-banner]');
    expect(await page.textContent('[data-testid=integrity]')).toBe('integrity: unknown');
    expect(await page.getAttribute('[data-testid=integrity]', 'class')).not.toContain('ok');
    expect(await page.isDisabled('#dump-button')).toBe(true);
    expect(await page.getAttribute('#dump-button', 'title')).toContain('No connection to the collector');
    expect(await page.isDisabled('button:has-text("Verify")')).toBe(true);
    expect(await page.locator('.project[data-status="unknown"]').count()).toBe(2);
    expect(await page.locator('.project[data-status="disconnected"]').count()).toBe(0);
    expect(await page.textContent('[data-testid=connection-banner]')).toMatch(/since \d\d:\d\d:\d\d/);

    // Let the backoff grow (8 s), so the console stays away while a bot journals more than a snapshot carries.
    await page.waitForFunction(
      () => Number(/retrying in (\d+) s/.exec(document.body.textContent ?? '')?.[1] ?? 0) >= 8,
      null,
      { timeout: 20_000 },
    );
    // Watch the console's requests on its new channel: the missed range must be fetched (back-fill).
    const queries: string[] = [];
    page.on('websocket', (ws) =>
      ws.on('framesent', (f) => {
        if (typeof f.payload === 'string' && f.payload.includes('"type":"query"')) queries.push(f.payload);
      }),
    );
    collector = await collector.restart();
    const away = await connectBot(collector.ingestUrl, { name: 'AwayBot' });
    bots.push(away);
    await away.send(events(25_000, 'tick', 'away'));
    expect(await page.locator('[data-testid=connection-banner]').count()).toBe(1);
    await page.click('[data-testid=connection-banner] button:has-text("Retry now")');

    await page.waitForSelector('[data-testid=link].live');
    await page.waitForSelector('[data-testid=connection-banner]', { state: 'detached' });
    expect(await page.isDisabled('#dump-button')).toBe(false);
    await page.waitForFunction(
      () => document.querySelector('[data-testid=integrity]')?.textContent !== 'integrity: unknown',
    );
    await page.keyboard.press('2');
    await page.selectOption('select[aria-label=Project]', 'AwayBot');
    await waitRows(page, 25_001, 20_000);
    // Every record exactly once, in id order, none missing between the old rows and the snapshot.
    const check = await page.evaluate(() => {
      const s = (
        window as unknown as {
          __icAudit: {
            store: {
              getState(): {
                ring: { first: number; end: number; at(o: number): { id: number; desc: string } | undefined };
              };
            };
          };
        }
      ).__icAudit.store.getState();
      const ids: number[] = [];
      const away = new Set<string>();
      for (let o = s.ring.first; o < s.ring.end; o++) {
        const r = s.ring.at(o)!;
        ids.push(r.id);
        if (r.desc.startsWith('away ')) away.add(r.desc);
      }
      let ordered = true;
      for (let i = 1; i < ids.length; i++) if (ids[i]! <= ids[i - 1]!) ordered = false;
      return { ordered, span: ids.at(-1)! - ids[0]! + 1, count: ids.length, away: away.size };
    });
    expect(check.ordered).toBe(true);
    expect(check.away).toBe(25_000);
    // No hole: the ids held run without a gap from the first row the console ever saw.
    expect(check.count).toBe(check.span);
    // More was journaled while away than a snapshot carries (20,000): the rest came through the back-fill query.
    expect(queries.length).toBeGreaterThan(0);
    await page.waitForSelector('.project[data-project="BurstBot"][data-status="disconnected"]');
    await page.waitForFunction(() =>
      document.querySelector('.project[data-project="AwayBot"]')?.textContent?.includes('25,000 ev'),
    );
  });
});
