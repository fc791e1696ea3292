/** POST /ingest body parsing (array or NDJSON, per-item rejections, limits) and the Idempotency-Key header rule. */
import { describe, expect, it } from 'vitest';
import { MAX_FIELD_DEPTH, MAX_IDEMPOTENCY_KEY_LENGTH, MAX_POST_EVENTS } from '@ic-audit/shared';
import { parseFlatBody, parseIdempotencyKey, type FlatBatch } from '../src/server/flat-body.js';

const NOW = 1_780_000_000;

/** A batch, failing the test when the whole body was refused. */
function batch(text: string): FlatBatch {
  const out = parseFlatBody(text, NOW);
  if ('error' in out) throw new Error(`body refused: ${out.code} ${out.error}`);
  return out;
}

/** A flat event's JSON text with `extra` members after the columns. */
const ev = (type: string, extra = ''): string =>
  `{"event_type":${JSON.stringify(type)},"project_name":"P"${extra === '' ? '' : ',' + extra}}`;

/** A field value nested `levels` deep in arrays, the innermost holding NaN (so the lenient parser reads it). */
const nested = (levels: number): string => '['.repeat(levels) + 'NaN' + ']'.repeat(levels);

describe('parseIdempotencyKey', () => {
  it('absent is null; a printable key is kept as given, at the length limit too', () => {
    expect(parseIdempotencyKey(undefined)).toEqual({ key: null });
    expect(parseIdempotencyKey('!')).toEqual({ key: '!' });
    expect(parseIdempotencyKey('~a-Z_0:/{}')).toEqual({ key: '~a-Z_0:/{}' });
    const max = 'k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH);
    expect(parseIdempotencyKey(max)).toEqual({ key: max });
  });

  it('refuses empty, over-long, spaced, control or non-ASCII keys, and a repeated header', () => {
    const message = `Idempotency-Key must be 1-${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters without spaces`;
    for (const bad of ['', 'k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH + 1), 'a b', 'a\tb', 'a\x7f', 'clé', ' a', 'a\n']) {
      expect(parseIdempotencyKey(bad), JSON.stringify(bad)).toEqual({ error: message });
    }
    expect(parseIdempotencyKey(['a', 'b'])).toEqual({ error: 'one Idempotency-Key header per request' });
    expect(parseIdempotencyKey(['a'])).toEqual({ error: 'one Idempotency-Key header per request' });
  });
});

describe('parseFlatBody', () => {
  it('a JSON array: every item an event, indexes by position, a missing timestamp is now', () => {
    const b = batch(`  \n[${ev('a', '"timestamp":12.5')}, ${ev('b', '"qty":3')}]`);
    expect(b.rejected).toEqual([]);
    expect(b.indexes).toEqual([0, 1]);
    expect(b.events.map((e) => [e.event_type, e.timestamp, e.project_name])).toEqual([
      ['a', 12.5, 'P'],
      ['b', NOW, 'P'],
    ]);
    expect(b.events[1]!.fields).toEqual({ qty: 3 });
  });

  it('an empty array or an empty / blank body is an empty batch, not an error', () => {
    for (const text of ['[]', ' [ ] ', '', '\n\n  \n']) {
      expect(batch(text), JSON.stringify(text)).toEqual({ events: [], indexes: [], rejected: [] });
    }
  });

  it('NDJSON: indexes count non-blank lines; a bad line is rejected alone, by its index', () => {
    const text = [ev('a'), '', '   ', '{not json', ev('c'), '[1,2]', ev('e'), ''].join('\n');
    const b = batch(text);
    expect(b.events.map((e) => e.event_type)).toEqual(['a', 'c', 'e']);
    expect(b.indexes).toEqual([0, 2, 4]);
    expect(b.rejected).toEqual([
      { index: 1, code: 'E_BAD_JSON', error: 'line is not valid JSON' },
      { index: 3, code: 'E_BAD_EVENT', error: 'event must be a JSON object' },
    ]);
  });

  it('NDJSON lines ending in \\r\\n are read like \\n lines', () => {
    const b = batch(`${ev('a')}\r\n${ev('b')}\r\n`);
    expect(b.rejected).toEqual([]);
    expect(b.events.map((e) => e.event_type)).toEqual(['a', 'b']);
  });

  it('array items that are not valid events are rejected by index with the rule they broke; the rest pass', () => {
    const b = batch(`[1, ${ev('ok')}, {"event_type":"t"}, null, ${ev('x', '"timestamp":-1')}, {"project_name":"P"}]`);
    expect(b.indexes).toEqual([1]);
    expect(b.rejected.map((r) => [r.index, r.code])).toEqual([
      [0, 'E_BAD_EVENT'],
      [2, 'E_BAD_EVENT'],
      [3, 'E_BAD_EVENT'],
      [4, 'E_BAD_EVENT'],
      [5, 'E_BAD_EVENT'],
    ]);
    expect(b.rejected[1]!.error).toMatch(/project_name/);
    expect(b.rejected[3]!.error).toMatch(/timestamp/);
    expect(b.rejected[4]!.error).toMatch(/event_type/);
  });

  it('a body that starts with [ but is not one JSON array is refused whole', () => {
    expect(parseFlatBody('[{"event_type":"a"', NOW)).toEqual({
      code: 'E_BAD_JSON',
      error: 'body starts with [ but is not a valid JSON array',
    });
    expect(parseFlatBody(`[${ev('a')}]\n[${ev('b')}]`, NOW)).toMatchObject({ code: 'E_BAD_JSON' });
  });

  it("keeps each field's exact text and Python's NaN / Infinity, in an array and in NDJSON", () => {
    const extra = '"price": 250.0, "risk": NaN, "cap": -Infinity';
    for (const text of [`[${ev('t', extra)}]`, ev('t', extra)]) {
      const [e] = batch(text).events;
      expect(e!.fields_text).toBe('{"price":250.0,"risk":NaN,"cap":-Infinity}');
      expect(e!.fields).toEqual({ price: 250, risk: NaN, cap: -Infinity });
    }
    const [plain] = batch(`[${ev('t', '"qty": 1.50')}]`).events;
    expect(plain!.fields_json).toBe('{"qty":1.50}');
  });

  it(`takes ${MAX_POST_EVENTS} events (array or NDJSON) and refuses one more whole`, () => {
    const one = ev('t');
    const arr = (n: number): string => `[${Array.from({ length: n }, () => one).join(',')}]`;
    const nd = (n: number): string => Array.from({ length: n }, () => one).join('\n');
    expect(batch(arr(MAX_POST_EVENTS)).events).toHaveLength(MAX_POST_EVENTS);
    expect(batch(nd(MAX_POST_EVENTS)).events).toHaveLength(MAX_POST_EVENTS);
    const refused = { code: 'E_TOO_MANY_EVENTS', error: `at most ${MAX_POST_EVENTS} events per request` };
    expect(parseFlatBody(arr(MAX_POST_EVENTS + 1), NOW)).toEqual(refused);
    expect(parseFlatBody(nd(MAX_POST_EVENTS + 1), NOW)).toEqual(refused);
    // Bad lines count towards the limit too.
    expect(parseFlatBody(nd(MAX_POST_EVENTS) + '\nnope', NOW)).toEqual(refused);
  });

  it(`fields nested ${MAX_FIELD_DEPTH} deep pass and one deeper is rejected, the same in an array as in NDJSON`, () => {
    // The event object is depth 1, so its field value holds MAX_FIELD_DEPTH - 1 levels at the limit.
    const at = ev('t', `"deep":${nested(MAX_FIELD_DEPTH - 1)}`);
    const beyond = ev('t', `"deep":${nested(MAX_FIELD_DEPTH)}`);
    expect(batch(`[${at}]`).events).toHaveLength(1);
    expect(batch(at).events).toHaveLength(1);
    for (const text of [`[${beyond}]`, beyond]) {
      const out = parseFlatBody(text, NOW);
      const rejected = 'error' in out ? [{ index: 0, code: out.code, error: out.error }] : out.rejected;
      expect(rejected, text.slice(0, 40)).toEqual([
        { index: 0, code: 'E_BAD_EVENT', error: `fields nested deeper than ${MAX_FIELD_DEPTH}` },
      ]);
    }
  });
});
