import {
  compileFilter,
  EMPTY_FILTER,
  type EventFields,
  parseConsoleClientFrame,
  parseFilterText,
  parseQueryFilter,
  type QueryFilter,
} from '../src/index.js';
import { describe, expect, it } from 'vitest';

const rec = (
  over: Partial<{
    project_name: string;
    event_type: string;
    event_description: string;
    received_at: number;
    fields: EventFields | string;
  }> = {},
) => ({
  project_name: 'alpha',
  event_type: 'trade_opened',
  event_description: 'Opened long EURUSD',
  received_at: 1_000_000,
  fields: { symbol: 'EURUSD', price: 1.085, order: { side: 'buy' } } as EventFields | string,
  ...over,
});
const f = (over: Partial<QueryFilter>): QueryFilter => ({ ...EMPTY_FILTER, ...over });

describe('filter grammar', () => {
  it('splits words and field terms, honouring quotes', () => {
    expect(parseFilterText('Opened symbol=EURUSD note="stop loss" "two words"')).toEqual({
      words: ['opened', 'two words'],
      terms: [
        { path: ['symbol'], value: 'eurusd' },
        { path: ['note'], value: 'stop loss' },
      ],
    });
  });

  it('matches field terms exactly (case-insensitive), nested paths and numbers, on objects and JSON text', () => {
    for (const fields of [rec().fields, JSON.stringify(rec().fields)]) {
      const r = rec({ fields });
      expect(compileFilter(f({ text: 'symbol=EURUSD' }), 0).match(r)).toBe(true);
      expect(compileFilter(f({ text: 'symbol=eurusd' }), 0).match(r)).toBe(true);
      expect(compileFilter(f({ text: 'symbol=EUR' }), 0).match(r)).toBe(false);
      expect(compileFilter(f({ text: 'order.side=buy price=1.085' }), 0).match(r)).toBe(true);
      expect(compileFilter(f({ text: 'missing=x' }), 0).match(r)).toBe(false);
    }
  });

  it('needs every word somewhere in project, type, description or fields', () => {
    const r = rec();
    expect(compileFilter(f({ text: 'alpha long' }), 0).match(r)).toBe(true);
    expect(compileFilter(f({ text: 'ALPHA buy' }), 0).match(r)).toBe(true);
    expect(compileFilter(f({ text: 'alpha short' }), 0).match(r)).toBe(false);
  });

  it('filters project, type and time ranges on the collector clock', () => {
    const now = 1_000_000;
    expect(compileFilter(f({ project: 'alpha', type: 'trade_opened' }), now).match(rec())).toBe(true);
    expect(compileFilter(f({ project: 'beta' }), now).match(rec())).toBe(false);
    expect(compileFilter(f({ range: '15m' }), now).match(rec({ received_at: now - 899 }))).toBe(true);
    expect(compileFilter(f({ range: '15m' }), now).match(rec({ received_at: now - 901 }))).toBe(false);
    expect(compileFilter(f({ range: '30h' }), now).since).toBe(now - 30 * 3600);
    const custom = compileFilter(f({ range: 'custom', from: 10, to: 20 }), now);
    expect([custom.match(rec({ received_at: 15 })), custom.match(rec({ received_at: 21 }))]).toEqual([true, false]);
    expect(compileFilter(EMPTY_FILTER, now).matchesAll).toBe(true);
  });

  it('rejects malformed filters and console frames with a reason', () => {
    expect(parseQueryFilter({ range: 'week' })).toMatch(/range/);
    expect(parseQueryFilter({ text: 5 })).toMatch(/text/);
    expect(parseQueryFilter(undefined)).toEqual(EMPTY_FILTER);
    expect(parseConsoleClientFrame('{"type":"query","id":"1","limit":999999}')).toMatchObject({
      ok: false,
      code: 'E_BAD_FRAME',
    });
    expect(parseConsoleClientFrame('{"type":"dump","id":"1","scope":"filter"}')).toMatchObject({
      ok: false,
      code: 'E_BAD_DUMP',
    });
    expect(parseConsoleClientFrame('{"type":"nope","id":"1"}')).toMatchObject({ ok: false, code: 'E_UNKNOWN_TYPE' });
    expect(parseConsoleClientFrame('{"type":"dump","id":"d","scope":"all","format":"csv"}')).toMatchObject({
      ok: true,
      value: { type: 'dump', scope: 'all', format: 'csv', filter: null },
    });
  });
});
