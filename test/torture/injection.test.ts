/**
 * Injection: an XSS corpus in event descriptions and types, field names and values (top level and nested), and
 * project names, markets, descriptions and privileges, sent over the WebSocket and POST /ingest, renders as inert
 * text in the console (real Chromium): no payload script runs, no payload element exists, the text is shown
 * literally. Project names like `../../etc/passwd` never make a dump write outside the dumps folder (CLI dump,
 * ingest `dump` frames, several at once), and the console's dump download route cannot be walked out of its folder.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, startCollector, type CollectorHandle } from '../helpers/collector.js';
import { connectRaw, journalRecords } from '../helpers/raw-client.js';
import { CHROMIUM, Cleanup, report } from './torture-kit.js';

const XSS = [
  '<img src=x onerror="window.__pwned=1">',
  '<script>window.__pwned=2</script>',
  '"><svg onload=window.__pwned=3>',
  '\'><iframe src="javascript:top.__pwned=4"></iframe>',
  '<a href="javascript:window.__pwned=5">click</a>',
  '</textarea></title><img src=x onerror=window.__pwned=6>',
  '<details open ontoggle=window.__pwned=7>',
  '{{constructor.constructor("window.__pwned=8")()}}',
  '${window.__pwned=9}',
  '<math><mtext><table><mglyph><style><img src=x onerror=window.__pwned=10>',
  'javascript:window.__pwned=11',
  '<object data="data:text/html,<script>top.__pwned=12</script>">',
  '\u202e<b>bold?</b>\u0000\u2028',
];
const TRAVERSAL = [
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '/etc/passwd',
  '../dumps/../../x',
  'a/../../b',
  '%2e%2e%2fescape',
  '..',
  '.',
];

/** Every file under `dir` (relative paths). */
function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

describe('injection', () => {
  const cleanup = new Cleanup();
  let c: CollectorHandle;
  let root: string;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];

  beforeAll(async () => {
    // The data dir sits deep inside a temp root of its own: a dump that walked out of dumps/ would land in the root.
    root = mkdtempSync(join(tmpdir(), 'ic-audit-inj-'));
    cleanup.add(() => rmSync(root, { recursive: true, force: true }));
    const dataDir = join(root, 'a', 'b', 'c', 'data');
    mkdirSync(dataDir, { recursive: true });
    c = await startCollector({ dataDir, keepDataDir: true });
    cleanup.add(() => c.close());
    // Over the WebSocket: one project per payload (names, markets, descriptions, privileges), events carrying
    // the corpus in every text slot.
    for (let i = 0; i < XSS.length; i++) {
      const x = XSS[i]!;
      const bot = await connectRaw(c.ingestUrl, {
        hello: {
          type: 'hello',
          v: 1,
          session: `xss-session-${i}-abcdef`,
          project: {
            project_name: `P${i} ${x}`.slice(0, 128),
            project_market: x.slice(0, 128),
            project_description: x,
            project_privileges: [x.slice(0, 64), 'execute_trade'],
          },
          sdk: x.slice(0, 256),
          host: x.slice(0, 256),
        },
      });
      expect(bot.frames[0]?.type, JSON.stringify(bot.frames[0])).toBe('welcome');
      bot.send({
        type: 'events',
        events: [
          {
            seq: 1,
            event_type: 'boot',
            event_description: x,
            timestamp: Date.now() / 1000,
            fields: { [x]: x, nested: { [x]: [x, { [x]: x }] } },
          },
          {
            seq: 2,
            event_type: x.slice(0, 64),
            event_description: `error ${x}`,
            timestamp: Date.now() / 1000,
            fields: { note: x },
          },
          {
            seq: 3,
            event_type: 'error',
            event_description: x,
            timestamp: Date.now() / 1000,
            fields: { error_code: x },
          },
        ],
      });
      await bot.waitForAck(3);
      await bot.close();
    }
    // Over POST /ingest: flat events, where unknown keys become fields.
    const flat = XSS.map((x, i) =>
      JSON.stringify({
        project_name: `Flat${i} ${x}`.slice(0, 128),
        event_type: 'trade_opened',
        event_description: x,
        [x]: x,
      }),
    );
    const res = await fetch(`${c.httpUrl}/ingest`, { method: 'POST', body: flat.join('\n') });
    const answer = (await res.json()) as { accepted: number; rejected: unknown[] };
    expect(answer.accepted, JSON.stringify(answer.rejected)).toBe(XSS.length);

    browser = await chromium.launch(CHROMIUM);
    cleanup.add(() => browser.close());
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${c.httpUrl}/?token=${c.consoleToken}`);
    await page.waitForSelector('[data-testid=link].live');
  });
  afterAll(() => cleanup.run());

  /** Nothing from the corpus ran or became an element. */
  async function inert(where: string): Promise<void> {
    const found = await page.evaluate(() => {
      const w = window as unknown as { __pwned?: unknown };
      const handlers = [...document.querySelectorAll('*')].filter((el) =>
        [...el.attributes].some((a) => a.name.startsWith('on')),
      );
      return {
        pwned: w.__pwned ?? null,
        handlers: handlers.map((el) => el.outerHTML.slice(0, 100)),
        elements: [
          ...document.querySelectorAll(
            'img, iframe, object, embed, details, math, a[href^="javascript:" i], script:not([src])',
          ),
        ].map((el) => el.outerHTML.slice(0, 100)),
        scripts: [...document.querySelectorAll('script[src]')]
          .map((s) => s.getAttribute('src'))
          .filter((s) => !/^\.?\/assets\/[\w.-]+\.js$/.test(s!)),
      };
    });
    expect(found, where).toEqual({ pwned: null, handlers: [], elements: [], scripts: [] });
    expect(dialogs, where).toEqual([]);
  }

  it('renders the XSS corpus as text in the project list, overview, stream and detail', async () => {
    await page.keyboard.press('1');
    // Every project is listed, its name shown literally.
    await page.waitForFunction((n) => document.querySelectorAll('.project[data-project]').length >= n, XSS.length * 2);
    const names = await page.$$eval('.project[data-project]', (els) => els.map((e) => e.getAttribute('data-project')));
    expect(names).toContain(`P0 ${XSS[0]}`);
    expect(await page.textContent('body')).toContain(XSS[0]);
    await inert('overview');
    await page.keyboard.press('2');
    await page.waitForFunction(
      (x) => [...document.querySelectorAll('.row .c-desc')].some((e) => e.textContent === x),
      XSS[1]!,
    );
    await inert('stream');
    // Open the detail of every visible row (field names and values, the record JSON).
    const ids = await page.$$eval('.row[data-id]', (els) => els.map((e) => e.getAttribute('data-id')).slice(0, 20));
    expect(ids.length).toBeGreaterThan(5);
    for (const id of ids) {
      await page.click(`.row[data-id="${id}"]`);
      await page.waitForSelector('[data-testid=record-json]');
      await inert(`detail of record ${id}`);
      await page.keyboard.press('Escape');
    }
    // Filtering by a payload shows it literally and still runs nothing.
    await page.fill('#filter-text', XSS[0]!.slice(0, 20));
    await inert('filtered');
    await page.fill('#filter-text', '');
    report('injection', {
      payloads: XSS.length,
      slots: [
        'description',
        'event_type',
        'field name',
        'field value',
        'nested field',
        'project name',
        'market',
        'project description',
        'privilege',
        'sdk',
        'host',
        'flat POST key',
      ],
      detailsOpened: ids.length,
      ran: 0,
    });
  });

  it('keeps dumps of hostile project names inside the dumps folder', async () => {
    const bot = await connectRaw(c.ingestUrl, { hello: null });
    for (let i = 0; i < TRAVERSAL.length; i++) {
      const b = await connectRaw(c.ingestUrl, {
        hello: { type: 'hello', v: 1, session: `trav-session-${i}-abcdef`, project: { project_name: TRAVERSAL[i] } },
      });
      b.send({
        type: 'events',
        events: [{ seq: 1, event_type: 'boot', event_description: 'traversal', timestamp: Date.now() / 1000 }],
      });
      await b.waitForAck(1);
      await b.close();
    }
    const passwd = statSync('/etc/passwd').mtimeMs;
    const before = files(root);

    // Several ingest dump frames at once (some filtered to the hostile names), then the CLI.
    const dumps = await Promise.all(
      [{}, { projects: TRAVERSAL }, { projects: ['../../etc/passwd'], all: true }, { all: true }].map(
        async (opts, i) => {
          const k = await connectRaw(c.ingestUrl, { hello: null });
          k.send({ type: 'dump', id: `d${i}`, hours: 30, ...opts });
          const f = await k.waitFor((x) => x.type === 'dumped' || x.type === 'error');
          await k.close();
          return f;
        },
      ),
    );
    await bot.close();
    for (const d of dumps) {
      expect(d.type, JSON.stringify(d)).toBe('dumped');
      expect(d['path']).toBe(join(c.dataDir, 'dumps', 'dumped_audit_trails.json'));
    }
    const { stdout } = await promisify(execFile)(process.execPath, [
      CLI,
      'dump',
      '--data-dir',
      c.dataDir,
      '--all',
      '--project',
      TRAVERSAL.join(','),
    ]);
    expect(stdout).toContain(join(c.dataDir, 'dumps', 'dumped_audit_trails.json'));

    const added = files(root).filter((f) => !before.includes(f));
    expect(added.sort()).toEqual([
      'a/b/c/data/dumps/dumped_audit_trails.json',
      'a/b/c/data/dumps/dumped_audit_trails.json.manifest.json',
    ]);
    expect(statSync('/etc/passwd').mtimeMs).toBe(passwd);
    // The names are kept as data, exactly.
    const dump = JSON.parse(readFileSync(join(c.dataDir, 'dumps', 'dumped_audit_trails.json'), 'utf8')) as Record<
      string,
      unknown[]
    >;
    expect(Object.keys(dump).sort()).toEqual([...TRAVERSAL].sort());
    expect(
      journalRecords(c.dataDir).filter((r) => TRAVERSAL.includes(r['project_name']) && r['event_type'] === 'boot'),
    ).toHaveLength(TRAVERSAL.length);

    // The console's download route only serves files of its own folder.
    const auth = { authorization: `Bearer ${c.consoleToken}` };
    for (const name of [
      '..%2F..%2Fconsole.token',
      '%2e%2e%2f%2e%2e%2fconsole.token',
      '..%2fdumped_audit_trails.json',
      '%2Fetc%2Fpasswd',
      '..',
      '%00',
    ]) {
      const r = await fetch(`${c.httpUrl}/api/dumps/${name}`, { headers: auth });
      const text = await r.text();
      expect(r.status, name).toBeGreaterThanOrEqual(400);
      expect(text, name).not.toContain(c.consoleToken);
      expect(text, name).not.toContain('root:');
    }
    report('injection-dumps', {
      hostileNames: TRAVERSAL.length,
      dumps: dumps.length + 1,
      filesWritten: added,
      escaped: 0,
    });
  });
});
