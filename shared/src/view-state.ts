/**
 * A console view as a URL fragment (`#view=stream&project=…&q=…&range=custom&from=…&to=…&id=…`), so a reload, a
 * bookmark or a link sent to a colleague restores the same view, and the desktop app can open `ic-audit://` links
 * to it. Only view state goes in: never the console token. Decoding never throws; a part that is malformed or out
 * of bounds is dropped (its default is used), so a hostile link can at worst show a different, valid view.
 */
import { EMPTY_FILTER, TIME_RANGES, type QueryFilter, type TimeRange } from './query-filter.js';

/** What a link restores. */
export interface ViewState {
  tab: 'overview' | 'stream';
  filter: QueryFilter;
  /** Selected record id. */
  selected: number | null;
}

/** The view a bare console URL shows. */
export const DEFAULT_VIEW: ViewState = Object.freeze<ViewState>({
  tab: 'overview',
  filter: EMPTY_FILTER,
  selected: null,
});

/** Same bounds as parseQueryFilter (the collector refuses longer filters anyway). */
const MAX = { project: 128, type: 64, text: 1024 } as const;
/** Longest fragment decoded: beyond the bounds above plus encoding overhead, a link is not ours. */
const MAX_FRAGMENT = 16_384;

/** The URL scheme the desktop app registers for view links. */
export const APP_LINK_PROTOCOL = 'ic-audit';

/** The desktop app's form of a view link: `ic-audit://open/#<fragment>` (electron/src/shell/deep-link.ts opens it). */
export function appViewLink(fragment: string): string {
  return `${APP_LINK_PROTOCOL}://open/#${fragment}`;
}

/** Encodes a view as a fragment (no leading `#`); defaults are left out, so the plain view encodes to ''. */
export function encodeViewState(v: ViewState): string {
  const p = new Params();
  if (v.tab !== 'overview') p.set('view', v.tab);
  const f = v.filter;
  if (f.project !== '') p.set('project', f.project);
  if (f.type !== '') p.set('type', f.type);
  if (f.text !== '') p.set('q', f.text);
  if (f.range !== 'all') p.set('range', f.range);
  if (f.range === 'custom') {
    if (f.from !== null) p.set('from', String(f.from));
    if (f.to !== null) p.set('to', String(f.to));
  }
  if (v.selected !== null) p.set('id', String(v.selected));
  return p.toString();
}

/** The few URLSearchParams features needed, on ES globals only (shared/ stays free of DOM and Node types). */
class Params {
  private readonly map = new Map<string, string>();

  /** Parses `a=1&b=x%20y`; `+` is a space; a part with broken escapes is dropped; the first of a repeated key wins. */
  static parse(s: string): Params {
    const p = new Params();
    for (const part of s.split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const k = decode(eq < 0 ? part : part.slice(0, eq));
      const v = decode(eq < 0 ? '' : part.slice(eq + 1));
      if (k !== null && v !== null && !p.map.has(k)) p.map.set(k, v);
    }
    return p;
  }

  get(key: string): string | null {
    return this.map.get(key) ?? null;
  }

  set(key: string, value: string): void {
    this.map.set(key, value);
  }

  toString(): string {
    return [...this.map].map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
  }
}

/** encodeURIComponent, with lone surrogates (which it throws on) replaced by U+FFFD. */
function encode(s: string): string {
  return encodeURIComponent(
    s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
  );
}

function decode(s: string): string | null {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

function bounded(v: string | null, max: number): string {
  return v !== null && v.length <= max ? v : '';
}

function epoch(v: string | null): number | null {
  if (v === null || !/^-?\d{1,12}(\.\d{1,9})?$/.test(v)) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Decodes a fragment (with or without its `#`); anything unusable falls back to the default for that part. */
export function decodeViewState(fragment: string): ViewState {
  let s = fragment.startsWith('#') ? fragment.slice(1) : fragment;
  if (s.startsWith('?') || s.startsWith('/')) s = s.slice(1);
  if (s.length > MAX_FRAGMENT) return { ...DEFAULT_VIEW, filter: { ...EMPTY_FILTER } };
  const p = Params.parse(s);
  const rangeText = p.get('range');
  const range: TimeRange =
    rangeText !== null && (TIME_RANGES as readonly string[]).includes(rangeText) ? (rangeText as TimeRange) : 'all';
  const filter: QueryFilter = {
    project: bounded(p.get('project'), MAX.project),
    type: bounded(p.get('type'), MAX.type),
    text: bounded(p.get('q'), MAX.text),
    range,
    from: range === 'custom' ? epoch(p.get('from')) : null,
    to: range === 'custom' ? epoch(p.get('to')) : null,
  };
  const idText = p.get('id');
  const id = idText !== null && /^[1-9]\d{0,15}$/.test(idText) ? Number(idText) : null;
  const selected = id !== null && Number.isSafeInteger(id) ? id : null;
  return { tab: p.get('view') === 'stream' ? 'stream' : 'overview', filter, selected };
}
