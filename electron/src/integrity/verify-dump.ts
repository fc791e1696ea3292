import { createHash } from 'node:crypto';
import { skipValue, skipWs, type IntegrityFinding } from '@ic-audit/shared';
import { headSignatureFault, asHead, type SignedHead } from './heads.js';
import { eventTextHash, manifestSignatureFault, splitManifest } from './manifest.js';
import type { TrustedKeys } from './signing-key.js';
import { when } from './check-heads.js';

/** One event's exact text in a dump, and where a person finds it. */
export interface DumpEvent {
  text: string;
  where: string;
}

/** Thrown by {@link splitDumpEvents} for a file that is not a well-formed dump of its format. */
export class DumpShapeError extends Error {}

/** Index just past the JSON value starting at `i`, without parsing it; a value that does not end is a bad dump. */
function valueEnd(s: string, i: number): number {
  const end = skipValue(s, i);
  if (end <= i) throw new DumpShapeError(`unfinished JSON value at character ${i}`);
  return end;
}

function expect(s: string, i: number, c: string): number {
  if (s[i] !== c) throw new DumpShapeError(`expected ${JSON.stringify(c)} at character ${i}`);
  return i + 1;
}

/** The events of a seed-format dump: the exact text of every element of every project's array. */
function splitSeedJson(s: string): DumpEvent[] {
  const out: DumpEvent[] = [];
  let i = expect(s, skipWs(s, 0), '{');
  i = skipWs(s, i);
  if (s[i] === '}') return out;
  for (;;) {
    const keyEnd = valueEnd(s, i);
    const project = JSON.parse(s.slice(i, keyEnd)) as string;
    i = skipWs(s, expect(s, skipWs(s, keyEnd), ':'));
    let n = 0;
    // A v0.4.7-shape dump ends with `"external_hosts": [...], "external_hosts_audit": {...}`: no events.
    if (project === 'external_hosts' || project === 'external_hosts_audit') i = valueEnd(s, i);
    else if (s[(i = skipWs(s, expect(s, i, '[')))] === ']') i++;
    else {
      for (;;) {
        const end = valueEnd(s, i);
        out.push({ text: s.slice(i, end), where: `project ${JSON.stringify(project)}, event #${++n}` });
        i = skipWs(s, end);
        if (s[i] === ']') {
          i++;
          break;
        }
        i = skipWs(s, expect(s, i, ','));
      }
    }
    i = skipWs(s, i);
    if (s[i] === '}') return out;
    i = skipWs(s, expect(s, i, ','));
  }
}

/** CSV rows after the header, each without its CRLF (quoted cells may hold line breaks). */
function splitCsv(s: string): DumpEvent[] {
  const rows: string[] = [];
  let start = 0;
  let quoted = false;
  for (let k = 0; k < s.length; k++) {
    const c = s[k];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '\n') {
      rows.push(s.slice(start, s[k - 1] === '\r' ? k - 1 : k));
      start = k + 1;
    }
  }
  if (start < s.length) rows.push(s.slice(start));
  return rows
    .slice(1)
    .filter((r) => r !== '')
    .map((text, i) => ({ text, where: `row ${i + 2}` }));
}

/** Splits a dump into its events' exact texts, by format. Throws DumpShapeError for a malformed file. */
export function splitDumpEvents(text: string, format: string): DumpEvent[] {
  if (format === 'csv') return splitCsv(text);
  if (format === 'ndjson') {
    return text
      .split('\n')
      .flatMap((l, i) => (l === '' ? [] : [{ text: l.endsWith('\r') ? l.slice(0, -1) : l, where: `line ${i + 1}` }]));
  }
  return splitSeedJson(text);
}

/** The verdict on one dump file. */
export interface DumpVerdict {
  ok: boolean;
  findings: IntegrityFinding[];
  /** Events the manifest lists, and the head it names. */
  events: number;
  head: SignedHead | null;
  key: string | null;
}

const err = (code: string, message: string): IntegrityFinding => ({ code, severity: 'error', message });

/**
 * Checks a dump file against its manifest with no journal: the manifest's signature by a trusted key, the head it
 * names, the file's SHA-256 and, when that differs, event by event, naming what was edited, removed or added.
 * Pure apart from hashing.
 */
export function checkDump(dump: Buffer, manifestText: string, trusted: TrustedKeys): DumpVerdict {
  const findings: IntegrityFinding[] = [];
  const verdict = (events: number, head: SignedHead | null, key: string | null): DumpVerdict => ({
    ok: !findings.some((f) => f.severity === 'error'),
    findings,
    events,
    head,
    key,
  });
  const parts = splitManifest(manifestText);
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(parts === null ? manifestText : parts.body + '\n}') as Record<string, unknown>;
  } catch {
    findings.push(err('E_MANIFEST_MALFORMED', 'the manifest is not a readable ic-audit manifest'));
    return verdict(0, null, null);
  }
  const sigFault = manifestSignatureFault(manifestText, trusted);
  if (sigFault !== null) findings.push(err(sigFault.code, sigFault.message));
  const records = Array.isArray(m['records']) ? (m['records'] as unknown[][]) : [];
  const head = asHead(m['head']);
  if (head === null)
    findings.push({ code: 'E_NO_HEADS', severity: 'warning', message: 'the manifest names no signed head' });
  else if (headSignatureFault(head, trusted) !== null) {
    findings.push(
      err(
        'E_HEAD_SIGNATURE',
        `the head in the manifest (#${head.n}, ${when(head.at)}) is not signed by the trusted key`,
      ),
    );
  }
  const key = parts?.key ?? null;
  const unreadable = Array.isArray(m['source_unreadable']) ? (m['source_unreadable'] as unknown[]) : [];
  if (unreadable.length > 0) {
    const first = unreadable[0] as { stream_seq?: unknown; reason?: unknown };
    findings.push(
      err(
        'E_SOURCE_UNREADABLE',
        `the dump is not the whole trail: ${unreadable.length} stream message${unreadable.length === 1 ? '' : 's'} ` +
          `could not be read when it was written (stream seq ${String(first.stream_seq)}: ${String(first.reason)})`,
      ),
    );
  }
  const fileSha = createHash('sha256').update(dump).digest('hex');
  if (fileSha === m['sha256']) return verdict(records.length, head, key);
  if (records.some((r) => typeof r[2] !== 'string')) {
    findings.push(
      err(
        'E_DUMP_EDITED',
        'the dump differs from its manifest (SHA-256), and this manifest has no per-event hashes to say where',
      ),
    );
    return verdict(records.length, head, key);
  }
  let events: DumpEvent[];
  try {
    events = splitDumpEvents(dump.toString('utf8'), String(m['format'] ?? 'json'));
  } catch (e) {
    findings.push(err('E_DUMP_EDITED', `the dump is no longer well-formed (${(e as Error).message})`));
    return verdict(records.length, head, key);
  }
  const expected = new Map<string, number[]>();
  for (const r of records) {
    const ids = expected.get(r[2] as string) ?? [];
    ids.push(r[0] as number);
    expected.set(r[2] as string, ids);
  }
  const extra: DumpEvent[] = [];
  for (const e of events) {
    const ids = expected.get(eventTextHash(e.text));
    if (ids !== undefined && ids.length > 0) ids.shift();
    else extra.push(e);
  }
  const missing = [...expected.values()].flat().sort((a, b) => a - b);
  if (missing.length === 1 && extra.length === 1) {
    findings.push(err('E_DUMP_EDITED', `the event of record ${missing[0]} was edited (${extra[0]!.where})`));
  } else {
    if (missing.length > 0) {
      const list = missing.slice(0, 10).join(', ') + (missing.length > 10 ? `, … (${missing.length} in all)` : '');
      findings.push(
        err(
          'E_DUMP_MISSING',
          `the event${missing.length === 1 ? '' : 's'} of record${missing.length === 1 ? '' : 's'} ${list} ` +
            `${missing.length === 1 ? 'is' : 'are'} missing from the dump (removed or edited)`,
        ),
      );
    }
    if (extra.length > 0) {
      findings.push(
        err(
          'E_DUMP_EXTRA',
          `${extra
            .slice(0, 5)
            .map((e) => e.where)
            .join(', ')}${extra.length > 5 ? ` and ${extra.length - 5} more` : ''} ` +
            `${extra.length === 1 ? 'is' : 'are'} not in the manifest (edited or inserted)`,
        ),
      );
    }
    if (missing.length === 0 && extra.length === 0) {
      findings.push(
        err(
          'E_DUMP_EDITED',
          'the dump differs from its manifest (SHA-256) although every event matches: events were reordered or the layout changed',
        ),
      );
    }
  }
  return verdict(records.length, head, key);
}
