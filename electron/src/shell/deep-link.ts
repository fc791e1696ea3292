/**
 * `ic-audit://` links: the desktop app opens a console view from one (filters, range, selected record), as a
 * browser opens the same view from the console's own `http(s)://…/#view=…` link. Plain Node, no Electron import:
 * main.ts hands in the few Electron calls, and the tests hand in fakes.
 *
 * Accepted: `ic-audit://open/#<view>` (what the app's "copy link" writes), also with the view as the query
 * (`ic-audit://open/?<view>`, for launchers that drop fragments). The view is decoded and re-encoded with the
 * shared codec, so only known, bounded view fields reach the window (never a token, never another origin).
 */
import { APP_LINK_PROTOCOL, decodeViewState, encodeViewState } from '@ic-audit/shared';

/** The URL scheme the app registers. */
export const PROTOCOL = APP_LINK_PROTOCOL;
const PREFIX = `${PROTOCOL}://`;
/** Longer links are not ours (the view fields are bounded well below this). */
const MAX_LINK = 20_000;

/** The `ic-audit://` link among command-line arguments (Windows and Linux pass it to the second instance). */
export function deepLinkIn(argv: readonly string[]): string | null {
  for (let i = argv.length - 1; i >= 0; i--) {
    const a = argv[i]!;
    if (a.length <= MAX_LINK && a.toLowerCase().startsWith(PREFIX)) return a;
  }
  return null;
}

/**
 * The console URL a link opens: `base` (the console's URL, its fragment replaced) with the link's view as the
 * fragment. Null when the link is not an `ic-audit://` link.
 */
export function consoleUrlFor(link: string, base: string): string | null {
  if (link.length > MAX_LINK || !link.toLowerCase().startsWith(PREFIX)) return null;
  const hashAt = link.indexOf('#');
  const queryAt = link.indexOf('?');
  const view = hashAt >= 0 ? link.slice(hashAt + 1) : queryAt >= 0 ? link.slice(queryAt + 1) : '';
  const hash = encodeViewState(decodeViewState(view));
  const at = base.indexOf('#');
  return `${at >= 0 ? base.slice(0, at) : base}#${hash}`;
}

/** The parts of Electron's `app` used here. */
export interface DeepLinkApp {
  on(event: 'open-url', listener: (e: { preventDefault(): void }, url: string) => void): unknown;
  on(event: 'second-instance', listener: (e: unknown, argv: string[]) => void): unknown;
  setAsDefaultProtocolClient(protocol: string, path?: string, args?: string[]): boolean;
}

/** What the shell does with a link. */
export interface DeepLinkDeps {
  /** The console's URL once the window shows it (null before): links then navigate it. */
  consoleBase(): string | null;
  /** Shows the window (and focuses it) at `url`. */
  navigate(url: string): void;
  /** Set in development (`electron .`): the protocol is registered for this script, not a packaged binary. */
  devEntry?: { execPath: string; script: string };
}

/**
 * Registers the protocol and routes links to the window: `open-url` (macOS) and `second-instance` (Windows,
 * Linux: the link is in the new instance's argv). A link that arrives before the window exists is kept and
 * returned by the `take` function, which the shell calls when it first loads the console.
 */
export function registerDeepLinks(app: DeepLinkApp, deps: DeepLinkDeps, argv: readonly string[]): () => string | null {
  if (deps.devEntry) app.setAsDefaultProtocolClient(PROTOCOL, deps.devEntry.execPath, [deps.devEntry.script]);
  else app.setAsDefaultProtocolClient(PROTOCOL);
  let pending = deepLinkIn(argv);
  const open = (link: string | null): void => {
    if (link === null) return;
    const base = deps.consoleBase();
    if (base === null) {
      pending = link;
      return;
    }
    const url = consoleUrlFor(link, base);
    if (url !== null) deps.navigate(url);
  };
  app.on('open-url', (e, url) => {
    e.preventDefault();
    open(url);
  });
  app.on('second-instance', (_e, args) => open(deepLinkIn(args)));
  return () => {
    const link = pending;
    pending = null;
    return link;
  };
}
