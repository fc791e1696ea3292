import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventFieldsTexts } from '../src/parse-client.js';
import { flatFieldsText, flatLayout } from '../src/parse-flat.js';
import {
  arrayItems,
  exactText,
  exactValue,
  indentJson,
  LenientJsonError,
  objectMembers,
  parseLenient,
  skipValue,
} from '../src/raw-json.js';

describe('raw JSON: values keep the text they arrived as', () => {
  it("parses Python's bare NaN / Infinity / -Infinity and bounds nesting", () => {
    const v = parseLenient('{"a": NaN, "b": [Infinity, -Infinity], "c": 1.5}', 8) as Record<string, unknown>;
    expect(Number.isNaN(v['a'])).toBe(true);
    expect(v['b']).toEqual([Infinity, -Infinity]);
    expect(parseLenient('{"__proto__": 1}', 8)).toHaveProperty('__proto__', 1);
    expect(() => parseLenient('[[[1]]]', 2)).toThrow(LenientJsonError);
    expect(() => parseLenient('{"a": nan}', 8)).toThrow(/not valid JSON/);
    expect(() => parseLenient('{} x', 8)).toThrow(/after the value/);
  });

  it('compacts between tokens only, and gives a standard form for non-finite numbers', () => {
    const text = '{"d": 250.0, "big": 9223372036854775808, "s": "a, b: c", "n": [NaN, -Infinity]}';
    expect(exactText(text, 0, text.length)).toEqual({
      exact: '{"d":250.0,"big":9223372036854775808,"s":"a, b: c","n":[NaN,-Infinity]}',
      json: '{"d":250.0,"big":9223372036854775808,"s":"a, b: c","n":["NaN","-Infinity"]}',
    });
    const plain = '{"a":1}';
    const t = exactText(plain, 0, plain.length);
    expect(t.exact).toBe(t.json);
    // One pass to the container's close, whatever follows it.
    const frame = '{"fields": {"a": [1, {"b": "}"}], "n": NaN}, "seq": 1}';
    expect(exactValue(frame, 11)).toEqual({
      json: '{"a":[1,{"b":"}"}],"n":"NaN"}',
      exact: '{"a":[1,{"b":"}"}],"n":NaN}',
      end: frame.indexOf(', "seq"'),
    });
    expect(exactValue('[1, 2] x', 0)).toEqual({ json: '[1,2]', exact: '[1,2]', end: 6 });
    expect(exactValue('{"v": 2.50}', 6)).toEqual({ json: '2.50', exact: '2.50', end: 10 });
  });

  it('finds members, items and value ends, keys decoded, in the order written', () => {
    const text = ' { "b" : [1, {"x": "}"}], "\\u0061": -0.0 , "c": "q\\"" } ';
    const m = objectMembers(text, 0);
    expect(m.map((x) => [x.key, text.slice(x.start, x.end)])).toEqual([
      ['b', '[1, {"x": "}"}]'],
      ['a', '-0.0'],
      ['c', '"q\\""'],
    ]);
    expect(m[1]!.keyText).toBe('"\\u0061"');
    expect(arrayItems('[1, "a", [2]]', 0).length).toBe(3);
    expect(skipValue('"ab\\"c" rest', 0)).toBe(7);
  });

  it('any JSON value round-trips through exactText and parses back to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const spaced = JSON.stringify(v, null, 1);
        const t = exactText(spaced, 0, spaced.length);
        expect(JSON.parse(t.json)).toEqual(JSON.parse(spaced));
        expect(t.json).toBe(JSON.stringify(v));
      }),
    );
  });

  it("lays compact text out as Python's json.dump(indent=n) does, tokens untouched", () => {
    expect(indentJson('{"a":[1,2.0],"b":{},"c":"x,y:z"}', 2)).toBe(
      '{\n  "a": [\n    1,\n    2.0\n  ],\n  "b": {},\n  "c": "x,y:z"\n}',
    );
  });

  it("takes each event's fields text out of an events frame, and a flat event's fields in first-seen order", () => {
    const frame = '{"type":"events","events":[{"seq":1,"fields":{"p": 250.0}},{"seq":2},{"fields":{"n":NaN},"seq":3}]}';
    const texts = eventFieldsTexts(frame, 3);
    expect(texts[0]).toEqual({ fields_json: '{"p":250.0}', fields_text: null });
    expect(texts[1]).toBeUndefined();
    expect(texts[2]).toEqual({ fields_json: '{"n":"NaN"}', fields_text: '{"n":NaN}' });
    const flat = '{"event_type": "x", "a": 1, "timestamp": 2, "a": 3.0, "project_name": "P"}';
    expect(flatFieldsText({ text: flat, start: 0 })).toEqual({
      fields_json: '{"a":3.0}',
      fields_text: null,
      order: ['event_type', 'a', 'timestamp', 'project_name'],
    });
    expect(
      flatLayout(['event_type', 'event_description', 'timestamp', 'k', 'project_name', 'project_market']),
    ).toBeNull();
    expect(flatLayout(['project_name', 'event_type'])).toEqual([1, -1, -1, 0]);
  });
});
