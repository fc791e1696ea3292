import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkDescription,
  checkEventType,
  checkFields,
  checkTimestamp,
  MAX_DESCRIPTION_LENGTH,
  MAX_EVENT_TYPE_LENGTH,
  MAX_FIELD_DEPTH,
  MAX_FIELD_STRING_LENGTH,
  MAX_FIELDS_JSON_LENGTH,
  MAX_FIELDS_PER_EVENT,
  parseClientFrame,
} from '@ic-audit/shared';
import { eventJson, fieldsJson } from '../src/event-json.js';
import { Markers, sanitizeFields } from '../src/sanitize-fields.js';
import { sanitizeDescription, sanitizeEventType, truncateString } from '../src/text.js';

/** Fields as the collector would store them: sanitized, serialized, parsed back. */
function stored(v: unknown): Record<string, unknown> {
  return JSON.parse(fieldsJson(v)) as Record<string, unknown>;
}

function expectAccepted(v: unknown): void {
  const json = fieldsJson(v);
  expect(json.length).toBeLessThanOrEqual(MAX_FIELDS_JSON_LENGTH);
  expect(checkFields(JSON.parse(json))).toBeNull();
}

describe('hostile field values: stored form (README "Hostile values")', () => {
  it('circular references become "[Circular]"', () => {
    const o: Record<string, unknown> = { x: 1 };
    o['self'] = o;
    expect(stored({ o })).toEqual({ o: { x: 1, self: Markers.CIRCULAR } });
    expect(stored(o)).toEqual({ x: 1, self: Markers.CIRCULAR });
    const a: unknown[] = [1];
    a.push(a);
    expect(stored({ a })).toEqual({ a: [1, Markers.CIRCULAR] });
  });

  it('repeated (non-circular) references are kept', () => {
    const shared = { k: 1 };
    expect(stored({ a: shared, b: shared })).toEqual({ a: { k: 1 }, b: { k: 1 } });
  });

  it('BigInt becomes its decimal string', () => {
    expect(stored({ n: 12345678901234567890123n, m: -1n })).toEqual({ n: '12345678901234567890123', m: '-1' });
  });

  it('functions and symbols become markers; symbol keys are skipped', () => {
    function namedFn(): void {}
    const sym = Symbol('tag');
    expect(stored({ f: namedFn, g: () => 1, s: sym, [sym]: 'hidden' })).toEqual({
      f: '[Function: namedFn]',
      g: '[Function: g]',
      s: '[Symbol: tag]',
    });
    expect(stored({ anon: [function () {}] })).toEqual({ anon: ['[Function: anonymous]'] });
  });

  it('Dates become ISO strings, invalid ones a marker', () => {
    expect(stored({ d: new Date(0), bad: new Date(NaN) })).toEqual({
      d: '1970-01-01T00:00:00.000Z',
      bad: Markers.INVALID_DATE,
    });
  });

  it('Errors become { name, message, stack } plus their own keys and cause', () => {
    const e = Object.assign(new TypeError('boom'), { code: 'E_X' });
    const f = stored({ e }) as { e: Record<string, unknown> };
    expect(f.e['name']).toBe('TypeError');
    expect(f.e['message']).toBe('boom');
    expect(String(f.e['stack'])).toContain('TypeError: boom');
    expect(f.e['code']).toBe('E_X');
    const withCause = new Error('outer', { cause: new Error('inner') });
    expect((stored({ withCause }) as { withCause: { cause: { message: string } } }).withCause.cause.message).toBe(
      'inner',
    );
    // An Error given as `fields` itself is expanded at the top level.
    expect(stored(new RangeError('r'))).toMatchObject({ name: 'RangeError', message: 'r' });
  });

  it('NaN and Infinity become strings; -0 becomes 0', () => {
    expect(stored({ a: NaN, b: Infinity, c: -Infinity, d: -0, e: 1.5 })).toEqual({
      a: 'NaN',
      b: 'Infinity',
      c: '-Infinity',
      d: 0,
      e: 1.5,
    });
  });

  it('undefined is omitted in objects and null in arrays, like JSON', () => {
    expect(stored({ u: undefined, a: [undefined, 1], h: [, 2] })).toEqual({ a: [null, 1], h: [null, 2] });
  });

  it('nesting deeper than MAX_FIELD_DEPTH ends in "[Truncated: too deep]"', () => {
    let deep: unknown = { leaf: true };
    for (let i = 0; i < MAX_FIELD_DEPTH + 5; i++) deep = { d: deep };
    const f = stored({ deep });
    let level: unknown = f;
    let depth = 1;
    while (typeof level === 'object' && level !== null) {
      const next = (level as Record<string, unknown>)['deep'] ?? (level as Record<string, unknown>)['d'];
      level = next;
      if (typeof level === 'object' && level !== null) depth++;
    }
    expect(level).toBe(Markers.TOO_DEEP);
    expect(depth).toBe(MAX_FIELD_DEPTH);
    expectAccepted({ deep });
  });

  it('huge strings are cut to MAX_FIELD_STRING_LENGTH with "…[+N chars]"', () => {
    const s = 'x'.repeat(100_000);
    const out = stored({ s })['s'] as string;
    expect(out.length).toBeLessThanOrEqual(MAX_FIELD_STRING_LENGTH);
    expect(out).toMatch(/^x+…\[\+\d+ chars\]$/);
    const cut = Number(/\+(\d+) chars/.exec(out)![1]);
    expect(out.indexOf('…') + cut).toBe(100_000);
  });

  it('too many keys: MAX_FIELDS_PER_EVENT kept, the last slot says how many were left out', () => {
    const many: Record<string, number> = {};
    for (let i = 0; i < 1000; i++) many[`k${i}`] = i;
    const f = stored(many);
    expect(Object.keys(f)).toHaveLength(MAX_FIELDS_PER_EVENT);
    expect(f[Markers.TRUNCATED_KEY]).toBe(`[Truncated: ${1000 - (MAX_FIELDS_PER_EVENT - 1)} more keys]`);
    const exact: Record<string, number> = {};
    for (let i = 0; i < MAX_FIELDS_PER_EVENT; i++) exact[`k${i}`] = i;
    expect(stored(exact)).toEqual(exact);
  });

  it('huge arrays and objects stop at the JSON budget with a marker', () => {
    const big = Array.from({ length: 100_000 }, (_, i) => i);
    const f = stored({ big }) as { big: unknown[] };
    expect(String(f.big[f.big.length - 1])).toMatch(/^\[Truncated: \d+ more items\]$/);
    expect(f.big[0]).toBe(0);
    expectAccepted({ big });
    const wide: Record<string, string> = {};
    for (let i = 0; i < 5000; i++) wide[`key${i}`] = 'v'.repeat(50);
    const g = stored({ wide }) as { wide: Record<string, string> };
    expect(g.wide[Markers.TRUNCATED_KEY]).toMatch(/^\[Truncated: \d+ more keys\]$/);
    expectAccepted({ wide });
  });

  it('escape-heavy strings still fit the JSON budget', () => {
    const nasty = '\u0001"\\'.repeat(5000);
    const f: Record<string, string> = {};
    for (let i = 0; i < 64; i++) f[`k${i}`] = nasty;
    expectAccepted(f);
    expectAccepted({ lone: '\ud800'.repeat(9000), pair: '😀'.repeat(9000) });
  });

  it('the key __proto__ is renamed; long keys are cut', () => {
    const f = stored(JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}'));
    expect(f).toEqual({ [Markers.PROTO_KEY]: { polluted: true }, ok: 1 });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const long = stored({ ['k'.repeat(500)]: 1 });
    expect(Object.keys(long)[0]!.length).toBeLessThanOrEqual(128);
    expectAccepted(JSON.parse('{"a": {"__proto__": 1}}'));
  });

  it('Map, Set, typed arrays and non-object fields', () => {
    expect(
      stored({
        m: new Map<unknown, unknown>([
          ['a', 1],
          [2, 'b'],
        ]),
        s: new Set([1, 'x']),
      }),
    ).toEqual({
      m: { a: 1, '2': 'b' },
      s: [1, 'x'],
    });
    expect(stored({ b: Buffer.from('abc'), u: new Float64Array(2) })).toEqual({
      b: '[Buffer: 3 bytes]',
      u: '[Float64Array: 16 bytes]',
    });
    expect(stored('just text')).toEqual({ value: 'just text' });
    expect(stored([1, 2])).toEqual({ value: [1, 2] });
    expect(stored(42)).toEqual({ value: 42 });
    expect(stored(new Date(0))).toEqual({ value: '1970-01-01T00:00:00.000Z' });
    expect(stored(undefined)).toEqual({});
    expect(stored(null)).toEqual({});
  });

  it('throwing getters, proxies and toJSON become "[Unreadable]"', () => {
    const getter = {
      ok: 1,
      get bad(): never {
        throw new Error('no');
      },
    };
    expect(stored(getter)).toEqual({ ok: 1, bad: Markers.UNREADABLE });
    const trap = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('trap');
        },
      },
    );
    expect(stored({ trap })).toEqual({ trap: Markers.UNREADABLE });
    expect(stored(trap)).toEqual({ value: Markers.UNREADABLE });
    const toJSON = {
      toJSON(): never {
        throw new Error('x');
      },
    };
    expect(stored({ toJSON })).toEqual({ toJSON: Markers.UNREADABLE });
    expect(stored({ custom: { toJSON: () => ({ a: 1 }) } })).toEqual({ custom: { a: 1 } });
  });
});

describe('event type and description', () => {
  it('coerces, renames reserved types and truncates', () => {
    expect(sanitizeEventType('trade_opened')).toBe('trade_opened');
    expect(sanitizeEventType('ic-audit.session')).toBe('ic-audit.session');
    expect(sanitizeEventType('')).toBe('');
    expect(sanitizeEventType(undefined)).toBe('');
    expect(sanitizeEventType(42)).toBe('42');
    expect(sanitizeEventType(Symbol('s'))).toBe('Symbol(s)');
    expect(
      sanitizeEventType({
        toString: () => {
          throw new Error('x');
        },
      }),
    ).toBe('[Unprintable]');
    expect(sanitizeEventType(Object.create(null))).toBe('[Unprintable]');
    expect(sanitizeEventType('t'.repeat(500)).length).toBeLessThanOrEqual(MAX_EVENT_TYPE_LENGTH);
    expect(sanitizeDescription('d'.repeat(10_000))).toMatch(/^d+…\[\+\d+ chars\]$/);
    expect(sanitizeDescription('d'.repeat(10_000)).length).toBeLessThanOrEqual(MAX_DESCRIPTION_LENGTH);
    expect(sanitizeDescription(new Error('boom'))).toBe('Error: boom');
    expect(sanitizeDescription(null)).toBe('');
  });

  it('truncateString never splits a surrogate pair and respects the limit', () => {
    for (let max = 12; max < 40; max++) {
      const out = truncateString('😀'.repeat(50), max);
      expect(out.length).toBeLessThanOrEqual(max);
      expect(/[\ud800-\udbff](?![\udc00-\udfff])/.test(out)).toBe(false);
    }
    expect(truncateString('short', 10)).toBe('short');
  });
});

describe('property: nothing the SDK sends is refused by the shared validators', () => {
  const hostile = fc.anything({
    maxDepth: 14,
    maxKeys: 80,
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withTypedArray: true,
    withUnicodeString: true,
  });
  const extra = fc.oneof(
    hostile,
    fc.constantFrom(NaN, Infinity, -Infinity, -0, () => 1, Symbol('x'), new Error('e'), new Date(NaN)),
    fc.string({ minLength: 8000, maxLength: 20_000, unit: 'binary' }),
    fc.array(fc.string({ maxLength: 3000, unit: 'binary' }), { maxLength: 40 }),
    fc.dictionary(fc.string({ maxLength: 200 }), fc.string({ maxLength: 9000, unit: 'binary' }), { maxKeys: 100 }),
  );

  it('fields pass checkFields and the JSON length limit', () => {
    fc.assert(
      fc.property(extra, (v) => expectAccepted(v)),
      { numRuns: 400 },
    );
  });

  it('whole events pass checkEventType, checkDescription, checkTimestamp and parseClientFrame', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.anything()),
        fc.oneof(fc.string({ maxLength: 10_000 }), fc.anything()),
        extra,
        (type, desc, fields) => {
          const json = eventJson(1, type, desc, Date.now() / 1000, fields);
          const e = JSON.parse(json) as Record<string, unknown>;
          expect(checkEventType(e['event_type'])).toBeNull();
          expect(checkDescription(e['event_description'])).toBeNull();
          expect(checkTimestamp(e['timestamp'])).toBeNull();
          expect(checkFields(e['fields'])).toBeNull();
          const frame = parseClientFrame(`{"type":"events","events":[${json}]}`);
          expect(frame.ok).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('sanitizeFields never throws on garbage that JSON.stringify would throw on', () => {
    const o: Record<string, unknown> = {};
    o['o'] = o;
    expect(() => sanitizeFields(o)).not.toThrow();
    expect(() => sanitizeFields({ b: 1n })).not.toThrow();
  });
});

describe('eventJson type and description memo', () => {
  it('gives the same JSON as without it, whatever comes before (null, non-strings, repeats)', () => {
    const inputs: unknown[] = [
      null,
      undefined,
      'a',
      'a',
      null,
      '',
      0,
      'x'.repeat(5000),
      'x'.repeat(5000),
      { toString: () => 'o' },
      'a',
    ];
    for (const t of inputs) {
      for (const d of inputs) {
        const e = JSON.parse(eventJson(1, t, d, 1, undefined)) as Record<string, unknown>;
        expect(e['event_type']).toBe(sanitizeEventType(t));
        expect(e['event_description']).toBe(sanitizeDescription(d));
      }
    }
  });
});
