/** Console display formatting: ages, offsets, counts, field summaries, type colours, microsecond times at edges. */
import { describe, expect, it } from 'vitest';
import {
  formatAge,
  formatCount,
  formatDate,
  formatOffset,
  formatTime,
  isDisplayUtc,
  keyFields,
  setDisplayUtc,
  shownValue,
  typeKind,
} from '../src/lib/format.js';

describe('formatAge', () => {
  it('seconds, minutes, hours, days: each unit up to its last whole value', () => {
    const cases: Array<[number, string]> = [
      [0, '0s'],
      [59.4, '59s'],
      [59.5, '1m'],
      [3599, '59m'],
      [3600, '1h'],
      [86_399, '23h'],
      [86_400, '1d'],
      [10 * 86_400, '10d'],
    ];
    for (const [s, shown] of cases) expect(formatAge(s), String(s)).toBe(shown);
  });

  it('a negative age (clock skew) is 0s; no age at all is a dash', () => {
    expect(formatAge(-5)).toBe('0s');
    expect(formatAge(NaN)).toBe('–');
    expect(formatAge(Infinity)).toBe('–');
    expect(formatAge(-Infinity)).toBe('–');
  });
});

describe('formatOffset', () => {
  it('signed whole milliseconds; anything that rounds to zero is +0', () => {
    expect(formatOffset(1.5)).toBe('+1500 ms');
    expect(formatOffset(-0.25)).toBe('-250 ms');
    expect(formatOffset(0)).toBe('+0 ms');
    expect(formatOffset(0.0004)).toBe('+0 ms');
    expect(formatOffset(-0.0004)).toBe('+0 ms');
    expect(formatOffset(-0.0006)).toBe('-1 ms');
  });
});

describe('formatCount', () => {
  it('commas every three digits, sign kept', () => {
    const cases: Array<[number, string]> = [
      [0, '0'],
      [999, '999'],
      [1000, '1,000'],
      [123_456, '123,456'],
      [1_234_567, '1,234,567'],
      [-1234, '-1,234'],
    ];
    for (const [n, shown] of cases) expect(formatCount(n)).toBe(shown);
  });
});

describe('shownValue', () => {
  it('strings lose their quotes with escapes decoded; other values stay exactly as sent', () => {
    expect(shownValue('"EUR\\/USD \\u20ac\\n"')).toBe('EUR/USD €\n');
    for (const raw of ['250.0', 'NaN', '-Infinity', 'null', 'true', '[1, 2]', '{"a":1}', '1e5']) {
      expect(shownValue(raw)).toBe(raw);
    }
  });

  it('a broken string is shown as it came', () => {
    expect(shownValue('"unterminated')).toBe('"unterminated');
    expect(shownValue('"bad \\x"')).toBe('"bad \\x"');
  });
});

describe('keyFields', () => {
  it('key=value pairs in the order sent, values as sent, two spaces apart', () => {
    expect(keyFields('{}')).toBe('');
    expect(keyFields('{"symbol":"EURUSD","price":250.0,"risk":NaN,"tags":["a"],"x":null}')).toBe(
      'symbol=EURUSD  price=250.0  risk=NaN  tags=["a"]  x=null',
    );
    expect(keyFields('{ "a" : 1 , "b" : "two" }')).toBe('a=1  b=two');
  });

  it('cuts the summary at 120 characters with an ellipsis', () => {
    const text = JSON.stringify({ a: 'x'.repeat(200) });
    expect(keyFields(text)).toBe(`a=${'x'.repeat(118)}…`);
    const exact = JSON.stringify({ a: 'x'.repeat(118) });
    expect(keyFields(exact)).toBe(`a=${'x'.repeat(118)}`);
  });

  it('text that is not an object is shown raw, cut to 120 characters', () => {
    expect(keyFields('[1,2]')).toBe('[1,2]');
    expect(keyFields('x'.repeat(300))).toBe('x'.repeat(120));
  });
});

describe('typeKind', () => {
  it('the predefined types have their own colour, any other type shares one, system records their own', () => {
    for (const t of ['boot', 'error', 'trade_opened', 'trade_closed', 'unclassified_event'])
      expect(typeKind(t)).toBe(t);
    for (const t of ['Error', 'custom', '', 'ic-audit.session', 'system']) expect(typeKind(t)).toBe('custom');
    expect(typeKind('error', true)).toBe('system');
  });
});

describe('formatTime / formatDate edges', () => {
  const t = Date.UTC(2026, 0, 1, 0, 0, 1) / 1000;

  it('rounds to the microsecond without rolling a second over', () => {
    // Near the epoch a double holds these fractions exactly enough to test the rounding itself.
    expect(formatTime(1.0000004, true)).toBe('00:00:01.000000');
    expect(formatTime(1.0000006, true)).toBe('00:00:01.000001');
    expect(formatTime(0.9999996, true)).toBe('00:00:00.999999');
    expect(formatTime(t + 0.5, true)).toBe('00:00:01.500000');
    expect(formatTime(t + 0.123456, true)).toBe('00:00:01.123456');
    expect(formatTime(0, true)).toBe('00:00:00.000000');
    expect(formatDate(t - 2, true)).toBe('2025-12-31');
  });

  it('the display zone switch sets the default', () => {
    const before = isDisplayUtc();
    try {
      setDisplayUtc(true);
      expect(isDisplayUtc()).toBe(true);
      expect(formatTime(t)).toBe('00:00:01.000000');
      expect(formatDate(t)).toBe('2026-01-01');
    } finally {
      setDisplayUtc(before);
    }
  });
});

describe('timestamps past any date', () => {
  it('show the number as sent, with no date', () => {
    expect(formatTime(1e13, true)).toBe('10000000000000');
    expect(formatDate(1e13, true)).toBe('');
  });
});
