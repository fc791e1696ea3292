import {
  MAX_FIELD_DEPTH,
  MAX_FIELD_KEY_LENGTH,
  MAX_FIELD_STRING_LENGTH,
  MAX_FIELDS_JSON_LENGTH,
  MAX_FIELDS_PER_EVENT,
  type EventFields,
  type JsonValue,
} from '@ic-audit/shared';
import { toText, truncateString } from './text.js';

/**
 * Markers the sanitizer writes in place of what it could not keep (documented in the README, "Hostile values").
 * Every marker is a plain string, so a stored event is always valid JSON that the collector accepts.
 */
export const Markers = {
  CIRCULAR: '[Circular]',
  TOO_DEEP: '[Truncated: too deep]',
  UNREADABLE: '[Unreadable]',
  INVALID_DATE: '[Invalid Date]',
  /** Key added to an object whose remaining keys did not fit. */
  TRUNCATED_KEY: '__truncated__',
  /** Replacement for the key `__proto__`, which the collector refuses. */
  PROTO_KEY: '[__proto__]',
  /** Key that wraps `fields` given as something other than an object (a string, an array, a Date...). */
  VALUE_KEY: 'value',
} as const;

type Json = JsonValue;
interface Ctx {
  /** Remaining JSON budget, in characters; markers may overdraw it by at most one per nesting level. */
  left: number;
  /** Containers on the path from the root, for cycle detection (depth is bounded, so a linear scan is cheap). */
  stack: object[];
}

// Costs are upper bounds of both the real JSON length and the length shared/validate.ts's checkFields() estimates
// (it counts every number as 24 characters), so the result always passes both.
const NUMBER_COST = 26;
const MARKER_COST = 64;
const CHILD_MIN = 40;
const BUDGET = MAX_FIELDS_JSON_LENGTH - 2 - (MAX_FIELD_DEPTH + 2) * MARKER_COST;
// Control characters are exactly what must be escaped here.
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;
const MAX_MARKER_COUNT = 100_000;

/** JSON length of a string literal (quotes and escapes included). */
export function jsonStringCost(s: string): number {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s).length : s.length + 2;
}

/**
 * Turns anything into `fields` that the collector accepts (checkFields() passes), keeping as much as the limits
 * allow. Never throws. See {@link Markers} and the README for the exact stored forms.
 */
export function sanitizeFields(fields: unknown): EventFields {
  if (fields === undefined || fields === null) return {};
  const ctx: Ctx = { left: BUDGET, stack: [] };
  try {
    let v: unknown = fields;
    if (typeof v === 'object' && v !== null && !isSpecial(v)) {
      const toJSON = (v as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') v = (toJSON as (this: unknown) => unknown).call(v);
    }
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && !isSpecial(v) && !(v instanceof Set)) {
      ctx.stack.push(v);
      return keyed(v, 1, ctx, MAX_FIELDS_PER_EVENT);
    }
    ctx.left -= jsonStringCost(Markers.VALUE_KEY) + 2;
    const wrapped = value(v, 2, ctx);
    return wrapped === undefined ? {} : { [Markers.VALUE_KEY]: wrapped };
  } catch {
    return { [Markers.VALUE_KEY]: Markers.UNREADABLE };
  }
}

/** Objects stored as one string, not as their keys. */
function isSpecial(v: object): boolean {
  return v instanceof Date || ArrayBuffer.isView(v) || v instanceof ArrayBuffer;
}

function str(s: string, ctx: Ctx): string {
  let out = s.length > MAX_FIELD_STRING_LENGTH ? truncateString(s, MAX_FIELD_STRING_LENGTH) : s;
  let cost = jsonStringCost(out);
  if (cost > ctx.left) {
    const room = Math.max(0, ctx.left - 2);
    // Escaped characters cost up to 6 each; cutting to room/6 is safe without measuring again.
    const keep = NEEDS_ESCAPE.test(out) ? Math.floor(room / 6) : room;
    out = truncateString(out, Math.max(12, keep));
    cost = jsonStringCost(out);
  }
  ctx.left -= cost;
  return out;
}

function value(v: unknown, depth: number, ctx: Ctx): Json | undefined {
  switch (typeof v) {
    case 'string':
      return str(v, ctx);
    case 'number':
      if (Number.isFinite(v)) {
        ctx.left -= NUMBER_COST;
        return v === 0 ? 0 : v;
      }
      return str(v !== v ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity', ctx);
    case 'boolean':
      ctx.left -= 5;
      return v;
    case 'bigint':
      return str(v.toString(), ctx);
    case 'function':
      return str(`[Function: ${functionName(v)}]`, ctx);
    case 'symbol':
      return str(`[Symbol: ${truncateString(v.description ?? '', 64)}]`, ctx);
    case 'object':
      if (v === null) {
        ctx.left -= 4;
        return null;
      }
      return object(v, depth, ctx);
    default:
      return undefined;
  }
}

function functionName(f: unknown): string {
  try {
    const name = (f as { name?: unknown }).name;
    return typeof name === 'string' && name.length > 0 ? truncateString(name, 64) : 'anonymous';
  } catch {
    return 'anonymous';
  }
}

function object(v: object, depth: number, ctx: Ctx): Json | undefined {
  try {
    if (v instanceof Date) {
      const t = v.getTime();
      return str(Number.isFinite(t) ? v.toISOString() : Markers.INVALID_DATE, ctx);
    }
    if (ArrayBuffer.isView(v)) return str(`[${typeName(v)}: ${v.byteLength} bytes]`, ctx);
    if (v instanceof ArrayBuffer) return str(`[ArrayBuffer: ${v.byteLength} bytes]`, ctx);
    if (depth > MAX_FIELD_DEPTH) return str(Markers.TOO_DEEP, ctx);
    if (ctx.stack.includes(v)) return str(Markers.CIRCULAR, ctx);
    ctx.stack.push(v);
    try {
      if (Array.isArray(v)) return arrayItems(v, depth, ctx);
      if (v instanceof Set) return iterableItems(v, depth, ctx);
      if (v instanceof Map || v instanceof Error) return keyed(v, depth, ctx, Infinity);
      const toJSON = (v as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') {
        const j: unknown = toJSON.call(v);
        // A toJSON result that is itself an object is read for its keys, without calling its toJSON again.
        if (typeof j === 'object' && j !== null && !ctx.stack.includes(j)) return keyed(j, depth, ctx, Infinity);
        return value(j, depth, ctx);
      }
      return keyed(v, depth, ctx, Infinity);
    } finally {
      ctx.stack.pop();
    }
  } catch {
    return str(Markers.UNREADABLE, ctx);
  }
}

function typeName(v: object): string {
  try {
    const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' ? truncateString(name, 64) : 'TypedArray';
  } catch {
    return 'TypedArray';
  }
}

/** Adds one key/value to `out`; false when the budget is spent (the caller then closes with a marker). */
function addEntry(out: Record<string, Json>, key: string, raw: unknown, depth: number, ctx: Ctx): boolean {
  const k =
    key === '__proto__'
      ? Markers.PROTO_KEY
      : key.length > MAX_FIELD_KEY_LENGTH
        ? truncateString(key, MAX_FIELD_KEY_LENGTH)
        : key;
  const keyCost = jsonStringCost(k) + 2;
  if (ctx.left - keyCost < CHILD_MIN) return false;
  ctx.left -= keyCost;
  const val = value(raw, depth + 1, ctx);
  if (val === undefined) ctx.left += keyCost;
  else out[k] = val; // k is never "__proto__", so plain assignment cannot touch the prototype
  return true;
}

function read(o: object, key: string | number): unknown {
  try {
    return (o as Record<string | number, unknown>)[key];
  } catch {
    return Markers.UNREADABLE;
  }
}

/** An object's own enumerable string keys, as JSON.stringify would see them. */
function* ownKeys(v: object): Generator<string> {
  for (const key in v) if (Object.hasOwn(v, key)) yield key;
}

/** name, message, stack first (they are not enumerable), then own enumerable keys, then a non-enumerable `cause`. */
function* errorKeys(e: Error): Generator<string> {
  yield 'name';
  yield 'message';
  yield 'stack';
  for (const key in e) {
    if (Object.hasOwn(e, key) && key !== 'name' && key !== 'message' && key !== 'stack') yield key;
  }
  if (Object.hasOwn(e, 'cause') && !Object.prototype.propertyIsEnumerable.call(e, 'cause')) yield 'cause';
}

const identity = (k: string): string => k;
const mapKeyName = (k: unknown): string => (typeof k === 'string' ? k : toText(k));

/**
 * Builds an object within the budget and at most `maxKeys` keys; when something does not fit, the last slot
 * holds {@link Markers.TRUNCATED_KEY} saying how many keys were left out. Values are read only when kept.
 */
function entries<K>(
  keys: Iterable<K>,
  name: (k: K) => string,
  get: (k: K) => unknown,
  depth: number,
  ctx: Ctx,
  maxKeys: number,
): Record<string, Json> {
  const out: Record<string, Json> = {};
  ctx.left -= 2;
  let added = 0;
  let pending: K | undefined;
  let hasPending = false;
  let skipped = 0;
  for (const k of keys) {
    if (hasPending) {
      if (++skipped >= MAX_MARKER_COUNT) break;
      continue;
    }
    // With one slot left, it takes this key only if it is the last one; otherwise it takes the marker.
    if (added >= maxKeys - 1 || !addEntry(out, name(k), get(k), depth, ctx)) {
      pending = k;
      hasPending = true;
      continue;
    }
    added++;
  }
  if (!hasPending) return out;
  if (skipped === 0 && added < maxKeys && addEntry(out, name(pending as K), get(pending as K), depth, ctx)) return out;
  const more = skipped >= MAX_MARKER_COUNT ? `${MAX_MARKER_COUNT}+` : String(skipped + 1);
  const marker = `[Truncated: ${more} more keys]`;
  ctx.left -= jsonStringCost(Markers.TRUNCATED_KEY) + jsonStringCost(marker) + 2;
  out[Markers.TRUNCATED_KEY] = marker;
  return out;
}

/** An object's keys (or an Error's or a Map's entries) as a fields-style object. */
function keyed(v: object, depth: number, ctx: Ctx, maxKeys: number): Record<string, Json> {
  if (v instanceof Map) return entries(v.keys(), mapKeyName, (k) => v.get(k), depth, ctx, maxKeys);
  if (v instanceof Error) {
    const get = (k: string): unknown => {
      const raw = read(v, k);
      return k === 'cause' ||
        raw === undefined ||
        typeof raw === 'string' ||
        !(k === 'name' || k === 'message' || k === 'stack')
        ? raw
        : toText(raw);
    };
    return entries(errorKeys(v), identity, get, depth, ctx, maxKeys);
  }
  return entries(ownKeys(v), identity, (k) => read(v, k), depth, ctx, maxKeys);
}

function closeArray(out: Json[], more: number, ctx: Ctx): Json[] {
  const marker = `[Truncated: ${more} more items]`;
  ctx.left -= jsonStringCost(marker) + 1;
  out.push(marker);
  return out;
}

function arrayItems(a: unknown[], depth: number, ctx: Ctx): Json[] {
  const out: Json[] = [];
  ctx.left -= 2;
  const n = a.length;
  for (let i = 0; i < n; i++) {
    if (ctx.left < CHILD_MIN) return closeArray(out, n - i, ctx);
    ctx.left -= 1;
    const val = value(read(a, i), depth + 1, ctx);
    if (val === undefined) ctx.left -= 4;
    out.push(val === undefined ? null : val);
  }
  return out;
}

function iterableItems(s: Set<unknown>, depth: number, ctx: Ctx): Json[] {
  const out: Json[] = [];
  ctx.left -= 2;
  let i = 0;
  for (const item of s) {
    if (ctx.left < CHILD_MIN) return closeArray(out, s.size - i, ctx);
    ctx.left -= 1;
    const val = value(item, depth + 1, ctx);
    if (val === undefined) ctx.left -= 4;
    out.push(val === undefined ? null : val);
    i++;
  }
  return out;
}
