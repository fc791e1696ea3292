/**
 * JSON read so that every value keeps the exact text it arrived as. The trail must hold what a bot sent: `250.0`
 * stays `250.0`, `2**63` stays exact, and the bare `NaN` / `Infinity` / `-Infinity` that Python's `json.dumps`
 * writes by default are kept instead of refused. Values are parsed for validation only; what is stored is text.
 */

import { BACKSLASH, CLOSE_ARR, CLOSE_OBJ, COLON, COMMA, OPEN_ARR, OPEN_OBJ, QUOTE } from './json-chars.js';

/** A syntax error (or a nesting limit) met by {@link parseLenient}. */
export class LenientJsonError extends Error {
  /** Stable code: E_BAD_JSON, or E_TOO_DEEP for nesting beyond the limit. */
  readonly code: 'E_BAD_JSON' | 'E_TOO_DEEP';
  constructor(code: 'E_BAD_JSON' | 'E_TOO_DEEP', message: string) {
    super(message);
    this.code = code;
  }
}

function isWs(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** Index of the first non-whitespace character at or after `i`. */
export function skipWs(text: string, i: number): number {
  while (i < text.length && isWs(text.charCodeAt(i))) i++;
  return i;
}

/** Index just past the string whose opening quote is at `i`, or -1 when unterminated. */
export function stringEnd(text: string, i: number): number {
  // indexOf runs natively: string contents (descriptions, values) are most of a frame's characters.
  let j = text.indexOf('"', i + 1);
  while (j > 0 && text.charCodeAt(j - 1) === BACKSLASH) {
    let slashes = 1;
    while (text.charCodeAt(j - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) break;
    j = text.indexOf('"', j + 1);
  }
  return j < 0 ? -1 : j + 1;
}

/**
 * Index just past the value starting at `i` (after whitespace) in text that is already known to be valid
 * (lenient) JSON. Used to find spans, never to validate.
 */
export function skipValue(text: string, i: number): number {
  i = skipWs(text, i);
  const c = text.charCodeAt(i);
  if (c === QUOTE) return stringEnd(text, i);
  if (c === OPEN_OBJ || c === OPEN_ARR) {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text.charCodeAt(j);
      if (d === QUOTE) j = stringEnd(text, j) - 1;
      else if (d === OPEN_OBJ || d === OPEN_ARR) depth++;
      else if (d === CLOSE_OBJ || d === CLOSE_ARR) {
        if (--depth === 0) return j + 1;
      }
      if (j < 0) return -1;
    }
    return -1;
  }
  let j = i;
  while (j < text.length) {
    const d = text.charCodeAt(j);
    if (d === COMMA || d === CLOSE_OBJ || d === CLOSE_ARR || isWs(d)) break;
    j++;
  }
  return j;
}

/** One member of an object, located in its text. */
export interface MemberSpan {
  /** The decoded key. */
  key: string;
  /** The key exactly as written, quotes included. */
  keyText: string;
  /** Where the value's text starts and ends (whitespace around it excluded). */
  start: number;
  end: number;
}

/** Members of the (valid) object whose `{` is at or after `i`, in the order written. */
export function objectMembers(text: string, i: number): MemberSpan[] {
  const out: MemberSpan[] = [];
  i = skipWs(text, i);
  if (text.charCodeAt(i) !== OPEN_OBJ) return out;
  i = skipWs(text, i + 1);
  if (text.charCodeAt(i) === CLOSE_OBJ) return out;
  while (i < text.length) {
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) return out;
    const keyText = text.slice(i, keyEnd);
    const key = keyText.includes('\\') ? (JSON.parse(keyText) as string) : keyText.slice(1, -1);
    i = skipWs(text, keyEnd);
    if (text.charCodeAt(i) !== COLON) return out;
    const start = skipWs(text, i + 1);
    const end = skipValue(text, start);
    if (end < 0) return out;
    out.push({ key, keyText, start, end });
    i = skipWs(text, end);
    if (text.charCodeAt(i) !== COMMA) return out;
    i = skipWs(text, i + 1);
  }
  return out;
}

/** Spans of the items of the (valid) array whose `[` is at or after `i`. */
export function arrayItems(text: string, i: number): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  i = skipWs(text, i);
  if (text.charCodeAt(i) !== OPEN_ARR) return out;
  i = skipWs(text, i + 1);
  if (text.charCodeAt(i) === CLOSE_ARR) return out;
  while (i < text.length) {
    const start = i;
    const end = skipValue(text, start);
    if (end < 0) return out;
    out.push({ start, end });
    i = skipWs(text, end);
    if (text.charCodeAt(i) !== COMMA) return out;
    i = skipWs(text, i + 1);
  }
  return out;
}

/** A value's exact text, compacted, and a standard-JSON form of it. */
export interface ExactText {
  /** Standard JSON: the exact tokens, except that a bare NaN / Infinity / -Infinity is written as that string. */
  json: string;
  /** The exact text (tokens as sent, whitespace between tokens removed); the same string as `json` when standard. */
  exact: string;
}

/**
 * The text of a (valid, lenient) JSON value between `start` and `end`, with whitespace between tokens removed and
 * every token (number, string with its escapes, literal) kept as written. Pure.
 */
export function exactText(text: string, start: number, end: number): ExactText {
  const { json, exact } = scanExact(text, start, end, false);
  return { json, exact };
}

/**
 * {@link exactText} of the object or array starting at `start`, found and copied in one pass (the ingest hot path
 * reads each event's fields this way), with the index just past it; other values fall back to two passes.
 */
export function exactValue(text: string, start: number): ExactText & { end: number } {
  const c = text.charCodeAt(start);
  if (c !== OPEN_OBJ && c !== OPEN_ARR) {
    const end = skipValue(text, start);
    return { ...scanExact(text, start, end, false), end };
  }
  return scanExact(text, start, text.length, true);
}

/** The exact-text scan: to `end`, or (`untilClose`) to the close of the container at `start`. */
function scanExact(text: string, start: number, end: number, untilClose: boolean): ExactText & { end: number } {
  let json = '';
  let exact = '';
  let from = start;
  let changed = false;
  let depth = 0;
  let i = start;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i) - 1;
      if (i < 0) break; // an unterminated string: the text runs to `end`
    } else if (c === OPEN_OBJ || c === OPEN_ARR) depth++;
    else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
      if (--depth === 0 && untilClose) {
        end = i + 1;
        break;
      }
    } else if (isWs(c)) {
      const piece = text.slice(from, i);
      json += piece;
      exact += piece;
      changed = true;
      while (i + 1 < end && isWs(text.charCodeAt(i + 1))) i++;
      from = i + 1;
    } else if (c === 78 /* N */ || c === 73 /* I */ || (c === 45 /* - */ && text.charCodeAt(i + 1) === 73)) {
      const token = c === 78 ? 'NaN' : c === 73 ? 'Infinity' : '-Infinity';
      const piece = text.slice(from, i);
      json += piece + '"' + token + '"';
      exact += piece + token;
      changed = true;
      i += token.length - 1;
      from = i + 1;
    }
  }
  if (!changed) {
    const t = text.slice(start, end);
    return { json: t, exact: t, end };
  }
  const rest = text.slice(from, end);
  json += rest;
  exact += rest;
  return { json, exact: exact !== json ? exact : json, end };
}

/**
 * Parses JSON that may also hold Python's bare `NaN`, `Infinity` and `-Infinity` (as JS numbers), refusing nesting
 * deeper than `maxDepth` with E_TOO_DEEP. Only for text that JSON.parse refused: the common path stays native.
 */
export function parseLenient(text: string, maxDepth: number): unknown {
  const p = new LenientParser(text, maxDepth);
  const v = p.value(0);
  p.ws();
  if (p.i !== text.length) p.fail('unexpected text after the value');
  return v;
}

class LenientParser {
  i = 0;
  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  fail(why: string): never {
    throw new LenientJsonError('E_BAD_JSON', `not valid JSON at position ${this.i}: ${why}`);
  }

  ws(): void {
    this.i = skipWs(this.text, this.i);
  }

  value(depth: number): unknown {
    this.ws();
    const t = this.text;
    const c = t.charCodeAt(this.i);
    if (c === OPEN_OBJ || c === OPEN_ARR) {
      if (depth >= this.maxDepth) {
        throw new LenientJsonError('E_TOO_DEEP', `nested deeper than ${this.maxDepth} levels`);
      }
      return c === OPEN_OBJ ? this.object(depth + 1) : this.array(depth + 1);
    }
    if (c === QUOTE) return this.string();
    for (const [word, v] of LITERALS) {
      if (t.startsWith(word, this.i)) {
        this.i += word.length;
        return v;
      }
    }
    const m = NUMBER_RE.exec(t.slice(this.i, this.i + 400));
    if (m === null) this.fail('expected a value');
    this.i += m[0].length;
    return Number(m[0]);
  }

  string(): string {
    const end = stringEnd(this.text, this.i);
    if (end < 0) this.fail('unterminated string');
    const raw = this.text.slice(this.i, end);
    this.i = end;
    try {
      return JSON.parse(raw) as string;
    } catch {
      return this.fail('bad string');
    }
  }

  object(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.i++;
    this.ws();
    if (this.text.charCodeAt(this.i) === CLOSE_OBJ) {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.text.charCodeAt(this.i) !== QUOTE) this.fail('expected a key');
      const key = this.string();
      this.ws();
      if (this.text.charCodeAt(this.i) !== COLON) this.fail('expected :');
      this.i++;
      // defineProperty, as JSON.parse does: a "__proto__" key is an own property, never the prototype.
      Object.defineProperty(out, key, {
        value: this.value(depth),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.ws();
      const c = this.text.charCodeAt(this.i++);
      if (c === CLOSE_OBJ) return out;
      if (c !== COMMA) this.fail('expected , or }');
    }
  }

  array(depth: number): unknown[] {
    const out: unknown[] = [];
    this.i++;
    this.ws();
    if (this.text.charCodeAt(this.i) === CLOSE_ARR) {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth));
      this.ws();
      const c = this.text.charCodeAt(this.i++);
      if (c === CLOSE_ARR) return out;
      if (c !== COMMA) this.fail('expected , or ]');
    }
  }
}

const LITERALS: ReadonlyArray<readonly [string, unknown]> = [
  ['true', true],
  ['false', false],
  ['null', null],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
];
const NUMBER_RE = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/;

/**
 * Re-indents compact (lenient) JSON text the way Python's `json.dump(obj, f, indent=n)` lays it out, keeping every
 * token as written: a dump shows each value exactly as the bot sent it.
 */
export function indentJson(compact: string, indent: number, level = 0): string {
  const pad = ' '.repeat(indent);
  let out = '';
  let depth = level;
  for (let i = 0; i < compact.length; i++) {
    const c = compact.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(compact, i);
      out += compact.slice(i, end);
      i = end - 1;
    } else if (c === OPEN_OBJ || c === OPEN_ARR) {
      const close = c === OPEN_OBJ ? CLOSE_OBJ : CLOSE_ARR;
      if (compact.charCodeAt(i + 1) === close) {
        out += compact[i]! + compact[i + 1]!;
        i++;
        continue;
      }
      depth++;
      out += compact[i]! + '\n' + pad.repeat(depth);
    } else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
      depth--;
      out += '\n' + pad.repeat(depth) + compact[i]!;
    } else if (c === COMMA) out += ',\n' + pad.repeat(depth);
    else if (c === COLON) out += ': ';
    else out += compact[i]!;
  }
  return out;
}
