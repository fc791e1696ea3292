import {
  MAX_POST_EVENTS,
  parseFlatEvent,
  type FlatEvent,
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
  rejected: Rejection[];
}

/**
 * Parses a POST /ingest body: a JSON array of flat events, or NDJSON (one per non-blank line). Indexes count
 * array items, or non-blank lines. Pure; returns null with a reason when the body as a whole is unusable.
 */
export function parseFlatBody(text: string, nowSeconds: number): FlatBatch | { error: string; code: string } {
  const trimmed = text.trimStart();
  let items: Array<{ value?: unknown; bad?: string }>;
  if (trimmed.startsWith('[')) {
    let arr: unknown;
    try {
      arr = JSON.parse(trimmed);
    } catch {
      return { code: 'E_BAD_JSON', error: 'body starts with [ but is not a valid JSON array' };
    }
    if (!Array.isArray(arr)) return { code: 'E_BAD_JSON', error: 'body is not a JSON array' };
    items = arr.map((value: unknown) => ({ value }));
  } else {
    items = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        items.push({ value: JSON.parse(line) as unknown });
      } catch {
        items.push({ bad: 'line is not valid JSON' });
      }
    }
  }
  if (items.length > MAX_POST_EVENTS) {
    return { code: 'E_TOO_MANY_EVENTS', error: `at most ${MAX_POST_EVENTS} events per request` };
  }
  const events: FlatEvent[] = [];
  const rejected: Rejection[] = [];
  items.forEach((item, index) => {
    if (item.bad !== undefined) {
      rejected.push({ index, code: 'E_BAD_JSON', error: item.bad });
      return;
    }
    const parsed = parseFlatEvent(item.value, nowSeconds);
    if (parsed.ok) events.push(parsed.value);
    else rejected.push({ index, code: parsed.code, error: parsed.message });
  });
  return { events, rejected };
}
