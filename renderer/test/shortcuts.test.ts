import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addTerm, fieldEntries, termFor } from '../src/lib/field-term.js';
import { formatDateTime, formatRowTime, formatTime, spansDays } from '../src/lib/format.js';
import { SHORTCUTS, shortcutFor } from '../src/lib/shortcuts.js';
import { rowsBelow } from '../src/lib/virtual-window.js';
import { compileFilter, EMPTY_FILTER } from '@ic-audit/shared';

describe('shortcut table', () => {
  it('binds each key once, every action once, and finds each entry by each of its keys', () => {
    const keys = SHORTCUTS.flatMap((s) => s.keys);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(SHORTCUTS.map((s) => s.action)).size).toBe(SHORTCUTS.length);
    for (const s of SHORTCUTS) for (const k of s.keys) expect(shortcutFor(k)).toBe(s);
    expect(shortcutFor('x')).toBeUndefined();
    for (const k of ['?', '/', 'j', 'k', 'Escape', 'End', 'd', 'v', '1', '2']) expect(shortcutFor(k)).toBeDefined();
  });

  it('is the only place keys are bound: the handler has no key literals of its own', () => {
    const src = readFileSync(resolve(import.meta.dirname, '../src/components/keyboard.ts'), 'utf8');
    expect(src).toContain('shortcutFor(e.key)');
    expect(src).not.toMatch(/case '/);
    expect(src).not.toMatch(/e\.key ===/);
  });
});

describe('"N new": rows below the viewport', () => {
  it('counts the rows after the last one whose top is on screen', () => {
    // 100 rows of 22 px, a 220 px viewport: at the top rows 0-9 show, 90 are below.
    expect(rowsBelow(100, 22, 220, 0)).toBe(90);
    expect(rowsBelow(100, 22, 220, 11)).toBe(89); // row 10 is cut by the bottom edge: on screen
    expect(rowsBelow(100, 22, 220, 100 * 22 - 220)).toBe(0);
    expect(rowsBelow(0, 22, 220, 0)).toBe(0);
    expect(rowsBelow(5, 22, 220, 0)).toBe(0);
    // Past the scroll height cap the scrollbar maps proportionally; the bottom still means nothing below.
    const big = 2_000_000;
    expect(rowsBelow(big, 22, 660, 12_000_000 - 660)).toBe(0);
    expect(rowsBelow(big, 22, 660, 0)).toBe(big - 30);
  });
});

describe('click-to-filter terms', () => {
  const match = (text: string, fields: string): boolean =>
    compileFilter({ ...EMPTY_FILTER, text }, 0).match({
      project_name: 'p',
      event_type: 't',
      event_description: '',
      received_at: 0,
      fields,
    });

  it('makes a term that matches the value exactly as sent', () => {
    const fields =
      '{"symbol":"EURUSD","price":250.0,"pnl":NaN,"id":9223372036854775808,"note":"stop loss","empty":"","ok":true,"nil":null}';
    const entries = fieldEntries(fields);
    expect(entries.map((e) => [e.key, e.shown, e.term])).toEqual([
      ['symbol', 'EURUSD', 'symbol=EURUSD'],
      ['price', '250.0', 'price=250.0'],
      ['pnl', 'NaN', 'pnl=NaN'],
      ['id', '9223372036854775808', 'id=9223372036854775808'],
      ['note', 'stop loss', 'note="stop loss"'],
      ['empty', '', 'empty=""'],
      ['ok', 'true', 'ok=true'],
      ['nil', 'null', 'nil=null'],
    ]);
    for (const e of entries) expect(match(e.term!, fields), e.term!).toBe(true);
    expect(match('price=250.0', '{"price":250}')).toBe(false);
    expect(match('note="stop loss"', '{"note":"stop"}')).toBe(false);
  });

  it('offers no term where the grammar cannot say the value exactly', () => {
    expect(termFor('order', '{"side":"buy"}')).toBeNull();
    expect(termFor('tags', '["a"]')).toBeNull();
    expect(termFor('q', '"say \\"hi\\""')).toBeNull();
    expect(termFor('a.b', '1')).toBeNull();
    expect(termFor('with space', '1')).toBeNull();
  });

  it('adds a term to the query, replacing one on the same key', () => {
    expect(addTerm('', 'symbol=EURUSD')).toBe('symbol=EURUSD');
    expect(addTerm('opened symbol=GBPUSD', 'symbol=EURUSD')).toBe('opened symbol=EURUSD');
    expect(addTerm('note="a b" x', 'price=1')).toBe('note="a b" x price=1');
    expect(addTerm('price=1', 'price=1')).toBe('price=1');
  });
});

describe('time display', () => {
  const t = Date.UTC(2025, 10, 30, 23, 59, 58) / 1000 + 0.123456;
  it('shows UTC or local, with microseconds, and the date when asked', () => {
    expect(formatTime(t, true)).toBe('23:59:58.123456');
    expect(formatDateTime(t, true)).toBe('2025-11-30 23:59:58.123456Z');
    expect(formatRowTime(t, true, true)).toBe('11-30 23:59:58.123456');
    expect(formatRowTime(t, false, true)).toBe('23:59:58.123456');
    expect(spansDays(t, t + 3, true)).toBe(true);
    expect(spansDays(t - 3600, t, true)).toBe(false);
    const d = new Date(t * 1000);
    expect(formatTime(t, false).slice(0, 2)).toBe(String(d.getHours()).padStart(2, '0'));
  });
});
