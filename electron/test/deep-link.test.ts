/**
 * `ic-audit://` links in the desktop shell, in plain Node: the link parsing and mapping (deep-link.ts) and its
 * wiring to Electron's `app` events, with a fake `app` (Electron cannot run here; see shell.test.ts).
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { appViewLink, decodeViewState, EMPTY_FILTER } from '@ic-audit/shared';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { consoleUrlFor, deepLinkIn, registerDeepLinks, type DeepLinkApp } from '../src/shell/deep-link.js';
import { navigationAllowed } from '../src/shell/window-options.js';

const ORIGIN = 'http://127.0.0.1:9324';
const VIEW = 'view=stream&project=EURUSD-scalper&q=symbol%3DEURUSD&range=custom&from=1764460800&to=1764547200&id=42';

describe('ic-audit:// links', () => {
  it('map to the console URL with the view as the fragment, through the shared codec', () => {
    const url = consoleUrlFor(appViewLink(VIEW), `${ORIGIN}/`)!;
    expect(url).toBe(`${ORIGIN}/#${VIEW}`);
    expect(navigationAllowed(url, ORIGIN)).toBe(true);
    expect(decodeViewState(new URL(url).hash)).toEqual({
      tab: 'stream',
      filter: {
        ...EMPTY_FILTER,
        project: 'EURUSD-scalper',
        text: 'symbol=EURUSD',
        range: 'custom',
        from: 1764460800,
        to: 1764547200,
      },
      selected: 42,
    });
    // The first load keeps the token URL (the collector trades it for its cookie and keeps the fragment).
    expect(consoleUrlFor(appViewLink(VIEW), `${ORIGIN}/?token=abc#old`)).toBe(`${ORIGIN}/?token=abc#${VIEW}`);
    // The view as the query, for launchers that drop fragments; any case of the scheme.
    expect(consoleUrlFor(`IC-AUDIT://open/?${VIEW}`, `${ORIGIN}/`)).toBe(`${ORIGIN}/#${VIEW}`);
    expect(consoleUrlFor('ic-audit://open', `${ORIGIN}/`)).toBe(`${ORIGIN}/#`);
  });

  it('carry only known, bounded view fields: no token, no other origin, hostile parts dropped', () => {
    const url = consoleUrlFor(
      'ic-audit://evil.example/x?y#view=stream&token=stolen&q=%3Cscript%3E&range=bogus&id=1e9&redirect=https://evil.example',
      `${ORIGIN}/`,
    )!;
    expect(url).toBe(`${ORIGIN}/#view=stream&q=%3Cscript%3E`);
    expect(url.startsWith(`${ORIGIN}/#`)).toBe(true);
    for (const bad of [
      'https://evil.example/#view=stream',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'ic-audit:x',
      '',
    ])
      expect(consoleUrlFor(bad, `${ORIGIN}/`)).toBeNull();
    expect(consoleUrlFor(`ic-audit://open/#q=${'x'.repeat(30_000)}`, `${ORIGIN}/`)).toBeNull();
  });

  it('are found among command-line arguments (second instance on Windows and Linux)', () => {
    expect(deepLinkIn(['/opt/ic-audit/ic-audit', '--no-sandbox', appViewLink(VIEW)])).toBe(appViewLink(VIEW));
    expect(deepLinkIn(['/opt/ic-audit/ic-audit', '--port', '9400'])).toBeNull();
  });
});

/** Electron's `app` cannot run here: this fake records the registration and emits its events. */
class FakeApp extends EventEmitter implements DeepLinkApp {
  registered: unknown[] = [];
  setAsDefaultProtocolClient(...args: unknown[]): boolean {
    this.registered.push(args);
    return true;
  }
}

describe('deep-link wiring', () => {
  it('registers the protocol, keeps a link that comes before the window, then navigates the window', () => {
    const app = new FakeApp();
    let base: string | null = null;
    const went: string[] = [];
    const take = registerDeepLinks(app, { consoleBase: () => base, navigate: (u) => went.push(u) }, [
      'ic-audit',
      appViewLink('view=stream&id=7'),
    ]);
    expect(app.registered).toEqual([['ic-audit']]);
    // macOS: open-url before the window exists (the app was launched by the link): kept for the first load.
    let prevented = false;
    app.emit('open-url', { preventDefault: () => (prevented = true) }, appViewLink('view=stream&id=8'));
    expect(prevented).toBe(true);
    expect(went).toEqual([]);
    expect(take()).toBe(appViewLink('view=stream&id=8'));
    expect(take()).toBeNull();
    // The window shows the console: links navigate it.
    base = `${ORIGIN}/`;
    app.emit('open-url', { preventDefault: () => undefined }, appViewLink('q=a'));
    app.emit('second-instance', {}, ['ic-audit', '--flag', appViewLink('view=stream&id=9')]);
    app.emit('second-instance', {}, ['ic-audit']);
    expect(went).toEqual([`${ORIGIN}/#q=a`, `${ORIGIN}/#view=stream&id=9`]);
  });

  it('registers the development entry script when run as `electron .`', () => {
    const app = new FakeApp();
    registerDeepLinks(
      app,
      { consoleBase: () => null, navigate: () => undefined, devEntry: { execPath: '/e/electron', script: '/src/app' } },
      [],
    );
    expect(app.registered).toEqual([['ic-audit', '/e/electron', ['/src/app']]]);
  });

  it('is declared for the packages (macOS Info.plist, Linux .desktop)', () => {
    const cfg = parse(readFileSync(resolve(import.meta.dirname, '../../electron-builder.yml'), 'utf8')) as {
      protocols: Array<{ schemes: string[] }>;
      linux: { mimeTypes: string[] };
    };
    expect(cfg.protocols.flatMap((p) => p.schemes)).toEqual(['ic-audit']);
    expect(cfg.linux.mimeTypes).toContain('x-scheme-handler/ic-audit');
  });
});
