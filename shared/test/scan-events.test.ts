import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_FIELD_DEPTH, MAX_FIELDS_JSON_LENGTH, MAX_FIELDS_PER_EVENT } from '../src/limits.js';
import { parseClientFrame, parseClientValue, parseJson } from '../src/parse-client.js';
import { scanEventsFrame } from '../src/scan-events.js';

/** The full parser alone (parseClientFrame tries the scanner first). */
function fullParse(text: string): ReturnType<typeof parseClientFrame> {
  const json = parseJson(text);
  return json.ok ? parseClientValue(json.value, text) : json;
}

/** The scanner answers only what the full parser answers, and only for valid frames. */
function agrees(text: string): boolean {
  const fast = scanEventsFrame(text);
  if (fast === null) return false;
  expect(fast).toEqual(fullParse(text));
  return true;
}

const frame = (events: unknown[], extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ type: 'events', events, ...extra });
const ev = (seq: number, over: Record<string, unknown> = {}): Record<string, unknown> => ({
  seq,
  event_type: 'trade_opened',
  event_description: 'Opened long EURUSD',
  timestamp: 1764460000.123456,
  fields: { symbol: 'EURUSD', price: 1.08512, quantity: 100_000, tags: ['a', null, true], nested: { x: [{}] } },
  ...over,
});

describe('scanEventsFrame', () => {
  it('reads an SDK frame exactly as the full parser does, without JSON.parse', () => {
    expect(agrees(frame([ev(1), ev(2, { event_description: null, fields: undefined }), ev(5)]))).toBe(true);
    // Exact text: 250.0 stays 250.0, big integers stay exact, whitespace between tokens is compacted.
    const text =
      '{ "type" : "events", "events" : [ {"seq":1.0,"event_type":"t","event_description":"d","timestamp":1e9,' +
      '"fields": {"p": 250.0, "big": 18446744073709551616, "s": "a b"}, "other": [1, {"x": null}] } ] }';
    expect(agrees(text)).toBe(true);
    expect(scanEventsFrame(text)).toMatchObject({
      value: { events: [{ seq: 1, timestamp: 1e9, fields_json: '{"p":250.0,"big":18446744073709551616,"s":"a b"}' }] },
    });
  });

  it('leaves to the full parser what it does not handle itself: escapes, NaN, repeated keys, limits, errors', () => {
    const slow = [
      frame([ev(1, { event_description: 'say "hi"' })]),
      frame([ev(1, { fields: { s: 'line\nbreak' } })]),
      JSON.stringify({ type: 'events', events: [ev(1)] }, null, 2),
      '{"type":"events","events":[{"seq":1,"event_type":"t","event_description":"d","timestamp":1,"fields":{"n":NaN}}]}',
      '{"type":"events","events":[{"seq":1,"seq":2,"event_type":"t","event_description":"d","timestamp":1}]}',
      '{"type":"events","type":"events","events":[{"seq":1,"event_type":"t","event_description":"d","timestamp":1}]}',
      frame([ev(2), ev(1)]),
      frame([ev(0)]),
      frame([ev(1, { timestamp: -1 })]),
      frame([ev(1, { fields: [] })]),
      frame([ev(1, { fields: JSON.parse('{"__proto__":1}') as unknown })]),
      frame([
        ev(1, { fields: Object.fromEntries(Array.from({ length: MAX_FIELDS_PER_EVENT + 1 }, (_, k) => [k, 1])) }),
      ]),
      frame([ev(1, { fields: { s: 'x'.repeat(MAX_FIELDS_JSON_LENGTH) } })]),
      frame([ev(1, { fields: nested(MAX_FIELD_DEPTH + 1) })]),
      frame([]),
      frame([ev(1)]) + 'x',
      '{"type":"hello","v":1}',
      '[1]',
    ];
    for (const text of slow) {
      expect(scanEventsFrame(text), text.slice(0, 120)).toBeNull();
      expect(parseClientFrame(text)).toEqual(fullParse(text));
    }
    // A repeated key inside fields is kept as written by both (the text is what is stored).
    expect(
      agrees(
        '{"type":"events","events":[{"seq":1,"event_type":"t","event_description":"d","timestamp":1,"fields":{"a":1,"a":2}}]}',
      ),
    ).toBe(true);
    // At the limits, still the fast path.
    expect(
      agrees(
        frame([ev(1, { fields: Object.fromEntries(Array.from({ length: MAX_FIELDS_PER_EVENT }, (_, k) => [k, 1])) })]),
      ),
    ).toBe(true);
    expect(agrees(frame([ev(1, { fields: nested(MAX_FIELD_DEPTH) })]))).toBe(true);
  });

  it('agrees with the full parser on generated frames, spaced or compact', () => {
    const anyNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, 1, 2 ** 53, 2 ** 53 + 2, -0, 1e21, 0.1));
    const event = fc.record(
      {
        seq: fc.oneof(fc.integer({ min: -2, max: 2 ** 53 }), anyNumber, fc.string()),
        event_type: fc.oneof(fc.string(), anyNumber),
        event_description: fc.oneof(fc.string(), fc.constant(null), anyNumber),
        timestamp: fc.oneof(anyNumber, fc.string()),
        fields: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue()),
        extra: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 5 }), fc.boolean(), (events, spaced) => {
        let seq = 0;
        const list = events.map((e) => (typeof e.seq === 'number' && e.seq > 0 ? e : { ...e, seq: (seq += 1) }));
        const text = spaced
          ? JSON.stringify({ type: 'events', events: list }, null, 1).replace(/\n/g, '')
          : frame(list);
        const fast = scanEventsFrame(text);
        if (fast !== null) expect(fast).toEqual(fullParse(text));
        expect(parseClientFrame(text)).toEqual(fullParse(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('never passes a broken frame: every mutation of a valid one is answered as the full parser answers it', () => {
    const base = frame([ev(1), ev(2, { fields: { a: [1, 2.5, -3e-2], b: { c: 'x' }, d: false } })]);
    expect(agrees(base)).toBe(true);
    const chars = fc.constantFrom(...'{}[]":,0123456789.-+eE tfnul"x '.split(''));
    fc.assert(
      fc.property(fc.nat(base.length - 1), fc.nat(3), chars, (at, how, c) => {
        const text =
          how === 0
            ? base.slice(0, at) + base.slice(at + 1)
            : how === 1
              ? base.slice(0, at) + c + base.slice(at)
              : how === 2
                ? base.slice(0, at) + c + base.slice(at + 1)
                : base.slice(0, at) + base.slice(at, at + 7) + base.slice(at);
        const fast = scanEventsFrame(text);
        if (fast !== null) expect(fast).toEqual(fullParse(text));
        expect(parseClientFrame(text)).toEqual(fullParse(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('reads numbers to the same double as JSON.parse', () => {
    const digits = (min: number, max: number) =>
      fc.string({ unit: fc.constantFrom(...'0123456789'.split('')), minLength: min, maxLength: max });
    fc.assert(
      fc.property(digits(1, 20), digits(0, 25), (int, frac) => {
        const t = `${int.replace(/^0+(?=\d)/, '')}${frac === '' ? '' : '.' + frac}`;
        const text = frame([{ seq: 1, event_type: 't', event_description: 'd', timestamp: 0 }]).replace(
          '"timestamp":0',
          `"timestamp":${t}`,
        );
        const fast = scanEventsFrame(text);
        expect(fast).not.toBeNull();
        expect(fast!.ok && fast!.value.events[0]!.timestamp).toBe(JSON.parse(t));
        expect(fast!.ok && fast!.value.events[0]!.timestamp_json).toBe(String(JSON.parse(t)));
      }),
      { numRuns: 3000 },
    );
  });

  it("keeps a timestamp's text only where it is how String() spells the number", () => {
    const spelled = (t: string): string => {
      const text = frame([{ seq: 1, event_type: 't', event_description: 'd', timestamp: 0 }]).replace(
        '"timestamp":0',
        `"timestamp":${t}`,
      );
      const fast = scanEventsFrame(text);
      return fast !== null && fast.ok ? fast.value.events[0]!.timestamp_json : 'not scanned';
    };
    // Kept: short decimals (what the SDK sends, microseconds), integers.
    for (const t of ['1764460000.123456', '1764460000.1', '0.000001', '0', '0.5', '1764460000', '4503599627370495'])
      expect(spelled(t)).toBe(t);
    // Printed again: trailing zeros, exponents, too many digits to be sure, beyond 2^52.
    for (const t of ['1764460000.10', '1e9', '1764460000.1234567', '0.0000001', '4503599627370496', '2.50E3'])
      expect(spelled(t)).toBe(String(JSON.parse(t)));
    // Around received_at-sized values, every microsecond decimal is spelled as sent.
    fc.assert(
      fc.property(fc.integer({ min: 1_000_000_000, max: 2 ** 31 }), fc.integer({ min: 1, max: 999_999 }), (s, us) => {
        const t = `${s}.${String(us).padStart(6, '0').replace(/0+$/, '')}`;
        expect(spelled(t)).toBe(String(JSON.parse(t)));
        expect(String(JSON.parse(t))).toBe(t);
      }),
      { numRuns: 5000 },
    );
  });
});

function nested(depth: number): unknown {
  // The fields object itself is depth 1; each level adds one.
  let v: unknown = 1;
  for (let d = 1; d < depth; d++) v = { x: v };
  return { x: v };
}
