import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { GENESIS_HASH } from '@ic-audit/shared';
import {
  fingerprintOf,
  parsePublicKey,
  signText,
  verifyText,
  type SigningKey,
  type TrustedKeys,
} from './signing-key.js';

/** Heads file inside the journal folder: one signed head per line (NDJSON), append-only. */
export const HEADS_FILE = 'heads.ndjson';
/** What made the collector sign a head. */
export type HeadKind = 'start' | 'interval' | 'stop' | 'dump' | 'rotate';

/** A signed statement "the journal reached record `last_id` with hash `last_hash` at `at`", chained by `prev`. */
export interface SignedHead {
  v: 1;
  /** 1, 2, 3...: heads form their own chain. */
  n: number;
  kind: HeadKind;
  /** ISO time of signing (collector clock). */
  at: string;
  /** Newest record covered (0 and GENESIS_HASH for an empty journal). */
  last_id: number;
  last_hash: string;
  /** True when this head is also journal record `last_id + 1` (an `ic-audit.head` record). */
  in_journal: boolean;
  /** The collector's head interval, seconds: no two heads of one run are further apart (plus slack). */
  interval_s: number;
  /** {@link headHash} of head n-1 (GENESIS_HASH for head 1). */
  prev: string;
  /** Fingerprint of the signing key. */
  key: string;
  /** Rotation only: the next key (base64 SPKI DER), vouched for by this head's (old) key. */
  next_key?: string;
  /** Ed25519 signature (base64) over {@link headMessage}. */
  sig: string;
}

/** The fields a head is signed over. */
export type UnsignedHead = Omit<SignedHead, 'sig'>;

/** Canonical text of a head's signed fields (fixed key order; independent of how the head was stored). */
export function encodeHead(h: UnsignedHead): string {
  const o: Record<string, unknown> = {
    v: h.v,
    n: h.n,
    kind: h.kind,
    at: h.at,
    last_id: h.last_id,
    last_hash: h.last_hash,
    in_journal: h.in_journal,
    interval_s: h.interval_s,
    prev: h.prev,
    key: h.key,
  };
  if (h.next_key !== undefined) o['next_key'] = h.next_key;
  return JSON.stringify(o);
}

/** What the signature covers: a domain tag (so a head signature can never pass as a manifest's) + the encoding. */
export function headMessage(h: UnsignedHead): string {
  return 'ic-audit-head-v1\n' + encodeHead(h);
}

/** The hash the next head's `prev` names. */
export function headHash(h: UnsignedHead): string {
  return createHash('sha256').update(encodeHead(h)).digest('hex');
}

/** Signs a head. */
export function signHead(key: SigningKey, h: UnsignedHead): SignedHead {
  return { ...h, sig: signText(key, headMessage(h)) };
}

/** The first head after `prev` (or the very first one). */
export function nextHead(
  prev: SignedHead | null,
  fields: {
    kind: HeadKind;
    at: Date;
    last_id: number;
    last_hash: string;
    in_journal: boolean;
    interval_s: number;
    next_key?: string;
  },
  key: SigningKey,
): SignedHead {
  const h: UnsignedHead = {
    v: 1,
    n: prev === null ? 1 : prev.n + 1,
    kind: fields.kind,
    at: fields.at.toISOString(),
    last_id: fields.last_id,
    last_hash: fields.last_hash,
    in_journal: fields.in_journal,
    interval_s: fields.interval_s,
    prev: prev === null ? GENESIS_HASH : headHash(prev),
    key: key.fingerprint,
    ...(fields.next_key !== undefined ? { next_key: fields.next_key } : {}),
  };
  return signHead(key, h);
}

/** A parsed value that has the shape of a signed head, or null. */
export function asHead(v: unknown): SignedHead | null {
  if (typeof v !== 'object' || v === null) return null;
  const h = v as Record<string, unknown>;
  const ok =
    h['v'] === 1 &&
    Number.isSafeInteger(h['n']) &&
    typeof h['kind'] === 'string' &&
    typeof h['at'] === 'string' &&
    Number.isSafeInteger(h['last_id']) &&
    typeof h['last_hash'] === 'string' &&
    typeof h['in_journal'] === 'boolean' &&
    typeof h['interval_s'] === 'number' &&
    typeof h['prev'] === 'string' &&
    typeof h['key'] === 'string' &&
    typeof h['sig'] === 'string' &&
    (h['next_key'] === undefined || typeof h['next_key'] === 'string');
  return ok ? (h as unknown as SignedHead) : null;
}

/** Why a head's signature was not accepted, or null when it verifies with a trusted key. */
export function headSignatureFault(h: SignedHead, trusted: TrustedKeys): 'untrusted-key' | 'bad-signature' | null {
  const key = trusted.get(h.key);
  if (key === undefined) return 'untrusted-key';
  return verifyText(key, headMessage(h), h.sig) ? null : 'bad-signature';
}

/**
 * Adds the key a valid rotation head hands over to, so later heads signed by it are trusted too. Returns the new
 * key's fingerprint, or null when the head is not a (valid, trusted) rotation.
 */
export function followRotation(h: SignedHead, trusted: TrustedKeys): string | null {
  if (h.kind !== 'rotate' || h.next_key === undefined || headSignatureFault(h, trusted) !== null) return null;
  try {
    const next = parsePublicKey(h.next_key);
    const fp = fingerprintOf(next);
    trusted.set(fp, next);
    return fp;
  } catch {
    return null;
  }
}

/** One line of a heads file (or witness file) as read back. */
export interface HeadLine {
  head: SignedHead | null;
  /** 1-based line number. */
  line: number;
}

/** Reads a heads (or witness) file; a missing file is `null`, an unfinished last line is skipped. */
export function readHeadsFile(path: string): HeadLine[] | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const lines = text.split('\n');
  lines.pop(); // the part after the last newline: empty, or a line being written
  const out: HeadLine[] = [];
  lines.forEach((l, i) => {
    if (l.trim() === '') return;
    let head: SignedHead | null;
    try {
      head = asHead(JSON.parse(l));
    } catch {
      head = null;
    }
    out.push({ head, line: i + 1 });
  });
  return out;
}

/** Appends one head as a line and fdatasyncs it (once a minute: the cost does not matter, losing it would). */
export async function appendHeadLine(path: string, head: SignedHead): Promise<void> {
  const fh = await open(path, 'a', 0o600);
  try {
    await fh.write(JSON.stringify(head) + '\n');
    await fh.datasync();
  } finally {
    await fh.close();
  }
}
