import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topLevelValue } from '../src/json-scan.js';

describe('topLevelValue', () => {
  it('reads top-level strings and literals, and gives up on escapes and nested values', () => {
    const json = JSON.stringify({
      a: { symbol: 'NESTED' },
      symbol: 'EURUSD',
      qty: 10000,
      ok: true,
      none: null,
      list: [1, '}'],
      q: 'say "hi"',
    });
    expect(topLevelValue(json, 'symbol')).toEqual({ kind: 'string', text: 'EURUSD' });
    expect(topLevelValue(json, 'qty')).toEqual({ kind: 'literal', text: '10000' });
    expect(topLevelValue(json, 'ok')).toEqual({ kind: 'literal', text: 'true' });
    expect(topLevelValue(json, 'none')).toEqual({ kind: 'literal', text: 'null' });
    expect(topLevelValue(json, 'missing').kind).toBe('unknown'); // the escaped string on the way stops the scan
    expect(topLevelValue(JSON.stringify({ a: 1 }), 'missing')).toEqual({ kind: 'absent' });
    expect(topLevelValue('{}', 'a')).toEqual({ kind: 'absent' });
    expect(topLevelValue(json, 'a').kind).toBe('unknown');
    expect(topLevelValue('[1]', 'a').kind).toBe('unknown');
  });

  it('never contradicts JSON.parse on what JSON.stringify writes', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }),
        fc.string({ maxLength: 6 }),
        (obj, probe) => {
          const json = JSON.stringify(obj);
          const parsed = JSON.parse(json) as Record<string, unknown>;
          for (const key of [...Object.keys(parsed), probe]) {
            const v = topLevelValue(json, key);
            const has = Object.prototype.hasOwnProperty.call(parsed, key);
            if (v.kind === 'absent') expect(has).toBe(false);
            if (v.kind === 'string') expect(parsed[key]).toBe(v.text);
            if (v.kind === 'literal') expect(JSON.stringify(parsed[key])).toBe(v.text);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
