/**
 * Python's `str()` of a JSON value, from the value's exact JSON text: what the Python server's compact dump prints
 * for each key (`None`, `True`, `['execute_trade']`, `[None]`, `{'k': 'v'}`, `5.0`, `1e-05`, `nan`). Numbers are read
 * from their tokens, so `2**63` stays exact and a float prints as Python's repr would.
 */
import { arrayItems, objectMembers } from './raw-json.js';

/** Python's `repr()` of a float given as a JS number: shortest digits, Python's layout and exponent rules. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  // toExponential() with no argument gives the shortest round-trip digits, as Python's repr does.
  const [mant, expText] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const m = digits.length === 1 ? digits : digits[0] + '.' + digits.slice(1);
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${int}.${frac === '' ? '0' : frac}`;
}

/** Python's `repr()` of a str: single quotes unless the text holds ' and no ", escapes as Python writes them. */
export function pythonStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || (c >= 0x7f && c <= 0xa0) || c === 0xad) out += '\\x' + c.toString(16).padStart(2, '0');
    else if ((c >= 0xd800 && c <= 0xdfff) || c === 0x2028 || c === 0x2029)
      out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + quote;
}

/** Python's `repr()` of a number token: ints (any size) as written, floats as Python's repr. */
function numberRepr(token: string): string {
  if (token === 'NaN') return 'nan';
  if (token === 'Infinity') return 'inf';
  if (token === '-Infinity') return '-inf';
  if (/^-?\d+$/.test(token)) {
    const t = token.replace(/^(-?)0+(?=\d)/, '$1');
    return t === '-0' ? '0' : t;
  }
  return pythonFloatRepr(Number(token));
}

/** Python's `repr()` of the value whose exact JSON text is `text[start, end)`. */
export function pythonRepr(text: string, start = 0, end = text.length): string {
  const c = text[start];
  if (c === '"') return pythonStrRepr(JSON.parse(text.slice(start, end)) as string);
  if (c === '{') {
    const parts = objectMembers(text.slice(start, end), 0).map(
      (m) => `${pythonStrRepr(m.key)}: ${pythonRepr(text.slice(start, end), m.start, m.end)}`,
    );
    return `{${parts.join(', ')}}`;
  }
  if (c === '[') {
    const inner = text.slice(start, end);
    return `[${arrayItems(inner, 0)
      .map((i) => pythonRepr(inner, i.start, i.end))
      .join(', ')}]`;
  }
  const token = text.slice(start, end);
  if (token === 'null') return 'None';
  if (token === 'true') return 'True';
  if (token === 'false') return 'False';
  return numberRepr(token);
}

/** Python's `str()` of a JSON value's exact text: a string prints raw, anything else as its repr. */
export function pythonStr(text: string): string {
  return text.startsWith('"') ? (JSON.parse(text) as string) : pythonRepr(text);
}
