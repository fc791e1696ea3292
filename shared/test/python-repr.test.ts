import { describe, expect, it } from 'vitest';
import { pythonFloatRepr, pythonRepr, pythonStr, pythonStrRepr } from '../src/python-repr.js';

describe('Python str() / repr() of JSON values', () => {
  it("formats floats as Python's repr does", () => {
    const cases: Array<[number, string]> = [
      [5, '5.0'],
      [1.085, '1.085'],
      [1e16, '1e+16'],
      [1e15, '1000000000000000.0'],
      [1e-5, '1e-05'],
      [0.0001, '0.0001'],
      [-0, '-0.0'],
      [0.1, '0.1'],
      [123456.789, '123456.789'],
      [1.5e-7, '1.5e-07'],
      [NaN, 'nan'],
      [-Infinity, '-inf'],
    ];
    for (const [x, s] of cases) expect(pythonFloatRepr(x), String(x)).toBe(s);
  });

  it('prints values from their exact tokens: ints exact, floats by repr, containers by repr', () => {
    expect(pythonRepr('9223372036854775808')).toBe('9223372036854775808');
    expect(pythonRepr('-0')).toBe('0');
    expect(pythonRepr('250.0')).toBe('250.0');
    expect(pythonRepr('1e20')).toBe('1e+20');
    expect(pythonRepr('[null, true, "execute_trade"]')).toBe("[None, True, 'execute_trade']");
    expect(pythonRepr('{"k": "it\'s", "n": NaN}')).toBe("{'k': \"it's\", 'n': nan}");
    expect(pythonStr('"a\\nb"')).toBe('a\nb');
    expect(pythonStrRepr('tab\there\\')).toBe("'tab\\there\\\\'");
  });
});
