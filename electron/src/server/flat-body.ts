import {
  arrayItems,
  MAX_FIELD_DEPTH,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  MAX_POST_EVENTS,
  parseFlatEvent,
  parseJson,
  skipWs,
  type FlatEvent,
  type FlatSource,
} from '@ic-audit/shared';

/** One refused item of a POST body. */
export interface Rejection {
  index: number;
  code: string;
  error: string;
}

/** A POST /ingest body split into good events and rejections by index. */
export interface FlatBatch {
  events: FlatEvent[];
  /** Index in the body of each of `events`. */
  indexes: number[];
  rejected: Rejection[];
}

/**
 * The `Idempotency-Key` header of a POST: absent (null), usable, or refused with a reason. Any printable ASCII is
 * allowed (it is hashed into a session id, never stored as such); empty, repeated or over-long keys are refused.
 */
export function parseIdempotencyKey(header: string | string[] | undefined): { key: string | null } | { error: string } {
  if (header === undefined) return { key: null };
  if (Array.isArray(header)) return { error: 'one Idempotency-Key header per request' };
  if (header.length === 0 || header.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(header)) {
    return {
      error: `Idempotency-Key must be 1-${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters without spaces`,
    };
  }
  return { key: header };
}

/**
 * Parses a POST /ingest body: a JSON array of flat events, or NDJSON (one per non-blank line); Python's bare NaN /
 * Infinity are accepted and every field keeps its exact text. Indexes count array items, or non-blank lines. Pure;
 * returns a reason when the body as a whole is unusable.
 */
export function parseFlatBody(text: string, nowSeconds: number): FlatBatch | { error: string; code: string } {
  const trimmed = text.trimStart();
  let items: Array<{ value?: unknown; source?: FlatSource; bad?: string; code?: string }>;
  if (trimmed.startsWith('[')) {
    const arr = parseJson(trimmed, MAX_FIELD_DEPTH + 1);
    if (!arr.ok) {
      return arr.code === 'E_BAD_JSON'
        ? { code: 'E_BAD_JSON', error: 'body starts with [ but is not a valid JSON array' }
        : { code: arr.code, error: arr.message };
    }
    if (!Array.isArray(arr.value)) return { code: 'E_BAD_JSON', error: 'body is not a JSON array' };
    const spans = arrayItems(trimmed, 0);
    items = arr.value.map((value: unknown, i) => ({ value, source: { text: trimmed, start: spans[i]?.start ?? 0 } }));
  } else {
    items = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const v = parseJson(line, MAX_FIELD_DEPTH);
      if (v.ok) items.push({ value: v.value, source: { text: line, start: skipWs(line, 0) } });
      else items.push({ bad: v.code === 'E_BAD_JSON' ? 'line is not valid JSON' : v.message, code: v.code });
    }
  }
  if (items.length > MAX_POST_EVENTS) {
    return { code: 'E_TOO_MANY_EVENTS', error: `at most ${MAX_POST_EVENTS} events per request` };
  }
  const events: FlatEvent[] = [];
  const indexes: number[] = [];
  const rejected: Rejection[] = [];
  items.forEach((item, index) => {
    if (item.bad !== undefined) {
      rejected.push({ index, code: item.code ?? 'E_BAD_JSON', error: item.bad });
      return;
    }
    const parsed = parseFlatEvent(item.value, nowSeconds, item.source);
    if (parsed.ok) {
      events.push(parsed.value);
      indexes.push(index);
    } else rejected.push({ index, code: parsed.code, error: parsed.message });
  });
  return { events, indexes, rejected };
}
