/** Flat (seed-style) events: columns versus fields, exact field text and key order, project defaults, layout. */
import { describe, expect, it } from 'vitest';
import { FLAT_COLUMN_KEYS, flatFieldsText, flatLayout, parseFlatEvent } from '../src/parse-flat.js';
import type { FlatEvent } from '../src/protocol.js';

/** Parses `text` as a flat event with its exact text; fails the test on a refusal. */
function fromText(text: string, now = 100): FlatEvent {
  const r = parseFlatEvent(JSON.parse(text), now, { text, start: text.indexOf('{') });
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

describe('flatLayout', () => {
  it("is null for the Python client's own key order, project_name anywhere after the columns before project_market", () => {
    const py = ['event_type', 'event_description', 'timestamp', 'qty', 'project_name', 'project_market'];
    expect(flatLayout(py)).toBeNull();
    expect(flatLayout(['event_type', 'event_description', 'timestamp', 'project_name', 'project_market'])).toBeNull();
  });

  it('otherwise names where each column stood, -1 when absent', () => {
    expect(flatLayout(['event_type', 'event_description', 'timestamp', 'project_name'])).toEqual([0, 1, 2, 3]);
    expect(flatLayout(['project_name', 'event_type', 'timestamp', 'project_market'])).toEqual([1, -1, 2, 0]);
    expect(flatLayout(['event_type', 'timestamp', 'event_description', 'project_name', 'project_market'])).toEqual([
      0, 2, 1, 3,
    ]);
    expect(flatLayout([])).toEqual([-1, -1, -1, -1]);
    expect(FLAT_COLUMN_KEYS).toEqual(['event_type', 'event_description', 'timestamp', 'project_name']);
  });
});

describe('flatFieldsText', () => {
  it('keeps every non-column value as sent, whitespace between tokens dropped, columns left out', () => {
    const text = ' {"event_type": "t", "qty" : 1.50, "tags": [ "a" , 2 ], "project_name":"P", "ok": true}';
    expect(flatFieldsText({ text, start: 1 })).toEqual({
      fields_json: '{"qty":1.50,"tags":["a",2],"ok":true}',
      fields_text: null,
      order: ['event_type', 'qty', 'tags', 'project_name', 'ok'],
    });
  });

  it('a repeated key keeps its first place and its last value, as a Python dict does', () => {
    const out = flatFieldsText({ text: '{"a":1,"b":2,"a":3,"event_type":"x","event_type":"y"}', start: 0 });
    expect(out.fields_json).toBe('{"a":3,"b":2}');
    expect(out.order).toEqual(['a', 'b', 'event_type']);
  });

  it('gives the exact text apart (standard JSON names them as strings) when it holds bare NaN / Infinity, and keeps escaped key text as sent', () => {
    const out = flatFieldsText({ text: '{"r":NaN,"\\u00e9":-Infinity,"n":1e5}', start: 0 });
    expect(out.fields_text).toBe('{"r":NaN,"\\u00e9":-Infinity,"n":1e5}');
    // The standard-JSON form names them as strings, so any JSON reader can load it.
    expect(out.fields_json).toBe('{"r":"NaN","\\u00e9":"-Infinity","n":1e5}');
    expect(JSON.parse(out.fields_json)).toEqual({ r: 'NaN', é: '-Infinity', n: 1e5 });
  });

  it('an object with only columns has empty fields', () => {
    expect(flatFieldsText({ text: '{"event_type":"t","project_name":"P"}', start: 0 })).toEqual({
      fields_json: '{}',
      fields_text: null,
      order: ['event_type', 'project_name'],
    });
  });
});

describe('parseFlatEvent', () => {
  it('with its text: fields keep the order sent, integer-like keys included, and the layout follows it', () => {
    const e = fromText('{"project_name":"P","b":1,"10":2,"event_type":"t","a":1.0}');
    expect(e.fields_json).toBe('{"b":1,"10":2,"a":1.0}');
    expect(e.layout).toEqual([3, -1, -1, 0]);
    expect(e.fields).toEqual({ b: 1, 10: 2, a: 1 });
  });

  it("the Python client's order has no layout; its project keys stay fields too, as the Python server kept them", () => {
    const e = fromText(
      '{"event_type":"t","event_description":"d","timestamp":5,"qty":2,"project_name":"P","project_market":"FX"}',
    );
    expect(e.layout).toBeNull();
    expect([e.project_name, e.project_market, e.timestamp, e.event_description]).toEqual(['P', 'FX', 5, 'd']);
    expect(e.fields_json).toBe('{"qty":2,"project_market":"FX"}');
  });

  it('defaults fill missing project metadata without becoming fields; the event’s own keys win', () => {
    const defaults = { project_market: 'FX', project_description: 'desk', project_privileges: ['trade'] };
    const r = parseFlatEvent({ event_type: 't', project_name: 'P' }, 1, undefined, defaults);
    expect(r).toMatchObject({
      ok: true,
      value: { project_market: 'FX', project_description: 'desk', project_privileges: ['trade'], fields: {} },
    });
    const own = parseFlatEvent({ event_type: 't', project_name: 'P', project_market: 'EQ' }, 1, undefined, defaults);
    expect(own.ok && [own.value.project_market, own.value.fields_json]).toEqual(['EQ', '{"project_market":"EQ"}']);
    const bad = parseFlatEvent({ event_type: 't', project_name: 'P' }, 1, undefined, { project_privileges: 5 });
    expect(bad).toMatchObject({
      ok: false,
      code: 'E_BAD_EVENT',
      message: expect.stringMatching(/^project_privileges/) as unknown,
    });
  });

  it('a missing or null timestamp is now; a missing description is null', () => {
    const r = parseFlatEvent({ event_type: 't', project_name: 'P', timestamp: null }, 77);
    expect(r.ok && [r.value.timestamp, r.value.event_description]).toEqual([77, null]);
  });

  it('refuses a non-object, a bad column, a __proto__ key and fields past their limits, each as E_BAD_EVENT', () => {
    const bad: Array<[unknown, RegExp]> = [
      [[], /^event must be a JSON object$/],
      [null, /^event must be a JSON object$/],
      [{ event_type: 't' }, /^project_name/],
      [{ project_name: 'P' }, /^event_type/],
      [{ project_name: 'P', event_type: 't', event_description: 3 }, /^event_description/],
      [{ project_name: 'P', event_type: 't', timestamp: '1' }, /^timestamp/],
      [JSON.parse('{"project_name":"P","event_type":"t","__proto__":1}'), /__proto__/],
      [{ project_name: 'P', event_type: 't', ['k'.repeat(129)]: 1 }, /field name longer/],
    ];
    for (const [v, rule] of bad) {
      const r = parseFlatEvent(v, 1);
      expect(r, JSON.stringify(v)).toMatchObject({ ok: false, code: 'E_BAD_EVENT' });
      expect(!r.ok && r.message).toMatch(rule);
    }
  });
});
