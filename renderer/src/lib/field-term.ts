import { objectMembers } from '@ic-audit/shared';
import { shownValue } from './format.js';

/** One top-level field of a record as the detail panel lists it. */
export interface FieldEntry {
  key: string;
  /** The value's exact text as sent (`250.0`, `NaN`, `"EURUSD"`). */
  raw: string;
  /** What to show: strings without their quotes, everything else as sent. */
  shown: string;
  /** The `key=value` filter term matching exactly this value, or null when the grammar cannot say it. */
  term: string | null;
}

/** Keys a term can name as one top-level field (a dot would be read as a nested path). */
const TERM_KEY = /^[A-Za-z0-9_-]+$/;

/**
 * The filter term for a top-level field value, in the query grammar of shared/src/query-filter.ts: `key=value`,
 * quoted when the value has spaces or is empty. Null when no term matches it exactly: objects and arrays (terms
 * compare scalars), strings holding a double quote (the grammar has no escape for it), keys that are not bare names.
 */
export function termFor(key: string, raw: string): string | null {
  if (!TERM_KEY.test(key)) return null;
  const c = raw[0];
  if (c === undefined || c === '{' || c === '[') return null;
  if (c !== '"') return `${key}=${raw}`;
  let v: string;
  try {
    v = JSON.parse(raw) as string;
  } catch {
    return null;
  }
  if (v.includes('"')) return null;
  return v === '' || /\s/.test(v) ? `${key}="${v}"` : `${key}=${v}`;
}

/** The top-level fields of a fields text, in the order sent. */
export function fieldEntries(fieldsRaw: string): FieldEntry[] {
  return objectMembers(fieldsRaw, 0).map((m) => {
    const raw = fieldsRaw.slice(m.start, m.end);
    return { key: m.key, raw, shown: shownValue(raw), term: termFor(m.key, raw) };
  });
}

const TOKEN = /(?:[^\s"]+|"[^"]*")+/g;

/** Adds `term` to the filter text, replacing a term on the same key (two values of one key would match nothing). */
export function addTerm(text: string, term: string): string {
  const key = term.slice(0, term.indexOf('='));
  const kept = [...text.matchAll(TOKEN)].map((m) => m[0]).filter((t) => t !== term && !t.startsWith(`${key}=`));
  return [...kept, term].join(' ');
}
