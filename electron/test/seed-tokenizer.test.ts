/** The streaming dump tokenizer: the same entries, exact text, whatever the chunk boundaries; a cut file fails. */
import { describe, expect, it } from 'vitest';
import { SeedFormatError, SeedTokenizer, type SeedToken } from '../src/dump/seed-tokenizer.js';

function tokens(text: string, chunk: number, max = 1 << 20): SeedToken[] {
  const t = new SeedTokenizer(max);
  const out: SeedToken[] = [];
  for (let i = 0; i < text.length; i += chunk) out.push(...t.push(text.slice(i, i + chunk)));
  t.end();
  return out;
}

const DUMP =
  '{"A\\"b": [{"event_type": "boot", "s": "x]}\\\\", "n": [1, {"k": NaN}]}, NaN, -Infinity, 250.0, "str", [], {}],\n' +
  ' "external_hosts_audit": {"h": [1, 2]}, "n": 5, "e": [], "\\u00e9": [null , true]}';

describe('SeedTokenizer', () => {
  it('yields each member and each entry text exactly, for every chunk size', () => {
    const expected: SeedToken[] = [
      { kind: 'member', key: 'A"b', list: true },
      { kind: 'entry', index: 0, text: '{"event_type": "boot", "s": "x]}\\\\", "n": [1, {"k": NaN}]}', chars: 58 },
      { kind: 'entry', index: 1, text: 'NaN', chars: 3 },
      { kind: 'entry', index: 2, text: '-Infinity', chars: 9 },
      { kind: 'entry', index: 3, text: '250.0', chars: 5 },
      { kind: 'entry', index: 4, text: '"str"', chars: 5 },
      { kind: 'entry', index: 5, text: '[]', chars: 2 },
      { kind: 'entry', index: 6, text: '{}', chars: 2 },
      { kind: 'member-end' },
      { kind: 'member', key: 'external_hosts_audit', list: false },
      { kind: 'member-end' },
      { kind: 'member', key: 'n', list: false },
      { kind: 'member-end' },
      { kind: 'member', key: 'e', list: true },
      { kind: 'member-end' },
      { kind: 'member', key: 'é', list: true },
      { kind: 'entry', index: 0, text: 'null', chars: 4 },
      { kind: 'entry', index: 1, text: 'true', chars: 4 },
      { kind: 'member-end' },
    ];
    for (const size of [1, 2, 3, 7, 16, 1000]) expect(tokens(DUMP, size), `chunks of ${size}`).toEqual(expected);
  });

  it('reports an entry over the limit without holding it', () => {
    const out = tokens(`{"A": ["${'x'.repeat(100)}", 1]}`, 7, 50);
    expect(out[1]).toEqual({ kind: 'entry', index: 0, text: null, chars: 102 });
    expect(out[2]).toEqual({ kind: 'entry', index: 1, text: '1', chars: 1 });
  });

  it('refuses what is not a dump, or is cut short', () => {
    for (const bad of ['[1]', '{"A": [1,', '{"A": [1]', '{"A" [1]}', '{"A": [1]} x', '{"A": [,]}', '']) {
      expect(() => tokens(bad, 3), bad).toThrow(SeedFormatError);
    }
    expect(tokens('  {}  ', 1)).toEqual([]);
  });
});
