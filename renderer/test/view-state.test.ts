import { DEFAULT_VIEW, decodeViewState, EMPTY_FILTER, encodeViewState, type ViewState } from '@ic-audit/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { viewLink } from '../src/net/view-url.js';
import { createAppStore } from '../src/store/store.js';

const view = (patch: Partial<ViewState['filter']> = {}, rest: Partial<ViewState> = {}): ViewState => ({
  tab: 'stream',
  filter: { ...EMPTY_FILTER, ...patch },
  selected: null,
  ...rest,
});

describe('view state in the URL fragment', () => {
  it('encodes the plain view as nothing and leaves defaults out', () => {
    expect(encodeViewState(DEFAULT_VIEW)).toBe('');
    expect(encodeViewState(view())).toBe('view=stream');
    expect(encodeViewState(view({ range: '15m', from: 5, to: 6 }))).toBe('view=stream&range=15m');
  });

  it('round-trips filters, range and selection, whatever characters the values hold', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 200 });
    const arb = fc.record({
      tab: fc.constantFrom('overview' as const, 'stream' as const),
      filter: fc.record({
        project: fc.string({ maxLength: 128 }),
        type: fc.string({ maxLength: 64 }),
        text,
        range: fc.constantFrom('15m' as const, '1h' as const, '30h' as const, 'all' as const, 'custom' as const),
        from: fc.option(fc.integer({ min: 0, max: 4_000_000_000_000 }).map((ms) => ms / 1000)),
        to: fc.option(fc.integer({ min: 0, max: 4_000_000_000_000 }).map((ms) => ms / 1000)),
      }),
      selected: fc.option(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })),
    });
    fc.assert(
      fc.property(arb, (v) => {
        const want: ViewState = {
          ...v,
          filter: {
            ...v.filter,
            from: v.filter.range === 'custom' ? v.filter.from : null,
            to: v.filter.range === 'custom' ? v.filter.to : null,
          },
        };
        const hash = encodeViewState(want);
        expect(hash).not.toMatch(/[#\s]/);
        expect(decodeViewState(hash)).toEqual(want);
        expect(decodeViewState(`#${hash}`)).toEqual(want);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps hostile values as inert text and drops malformed parts', () => {
    const xss = '<img src=x onerror="alert(1)">&id=5#x';
    const v = view({ text: xss, project: '" onmouseover=alert(1) "' }, { selected: 7 });
    expect(decodeViewState(encodeViewState(v))).toEqual(v);
    const bad = decodeViewState(
      'view=admin&range=forever&from=1e400&to=NaN&id=-3&project=%E0%A4%A&q=ok&type=' + 'x'.repeat(65),
    );
    expect(bad).toEqual({ tab: 'overview', filter: { ...EMPTY_FILTER, text: 'ok' }, selected: null });
    expect(decodeViewState('range=custom&from=Infinity&to=12.5').filter).toMatchObject({ from: null, to: 12.5 });
    expect(decodeViewState('id=9007199254740993').selected).toBeNull();
    expect(decodeViewState('id=12abc').selected).toBeNull();
    expect(decodeViewState('q=a+b%20c').filter.text).toBe('a b c');
    // Repeated keys: the first wins, so a second `q` appended to a link cannot override it.
    expect(decodeViewState('q=first&q=second').filter.text).toBe('first');
    expect(decodeViewState('x'.repeat(20_000))).toEqual(DEFAULT_VIEW);
    // Lone surrogates (which encodeURIComponent throws on) are replaced, not fatal.
    expect(decodeViewState(encodeViewState(view({ text: 'a\uD800b' }))).filter.text).toBe('a\uFFFDb');
  });

  it('never puts the token in a link: the query string is left out', () => {
    const store = createAppStore(100);
    store.getState().setFilter({ project: 'EURUSD-scalper', text: 'symbol=EURUSD' });
    store.getState().setTab('stream');
    store.getState().select(42);
    const link = viewLink(store.getState(), { origin: 'http://10.0.0.5:9324', pathname: '/' });
    expect(link).toBe('http://10.0.0.5:9324/#view=stream&project=EURUSD-scalper&q=symbol%3DEURUSD&id=42');
    expect(decodeViewState(new URL(link).hash)).toEqual({
      tab: 'stream',
      filter: { ...EMPTY_FILTER, project: 'EURUSD-scalper', text: 'symbol=EURUSD' },
      selected: 42,
    });
  });
});
