import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import {
  MAX_FIELD_DEPTH,
  MAX_LEGACY_BYTES,
  parseFlatEvent,
  parseJson,
  ProjectEvents,
  type FlatEvent,
  type ProjectDefaults,
} from '@ic-audit/shared';
import type { Collector } from '../collector/collector.js';
import { syntheticSessionId } from '../read-model/sessions.js';
import { SeedFormatError, SeedTokenizer, type SeedToken } from '../dump/seed-tokenizer.js';

/** What an import did. */
export interface ImportResult {
  projects: number;
  events: number;
  /** Projects skipped because this same file was imported before. */
  skipped: string[];
  /** Entries refused (each was handed to `onReject` as it was found). */
  rejected: number;
}

/** One refused entry: its project, its index in that project's list (-1: the project entry itself), why. */
export interface ImportRejection {
  project: string;
  index: number;
  error: string;
}

/** Callbacks of an import (both optional). */
export interface ImportHooks {
  onProgress?: ImportProgress;
  /** Each refused entry, as it is found (nothing is accumulated: a file may hold millions). */
  onReject?: (r: ImportRejection) => void;
}

/** Progress of an import: the pass ("check" reads the whole file first, "import" stores it), bytes, events. */
export type ImportProgress = (phase: 'check' | 'import', bytes: number, total: number, events: number) => void;

/** Thrown for a file that cannot be imported at all (nothing was stored); `code` is stable. */
export class ImportError extends Error {
  constructor(
    readonly code: 'E_NOT_A_DUMP' | 'E_STORAGE',
    message: string,
  ) {
    super(message);
  }
}

/** Top-level keys a v0.4.7 server's dump adds after the projects; they are no projects. */
const V047_KEYS: ReadonlySet<string> = new Set(['external_hosts', 'external_hosts_audit']);
/** Largest entry kept: the Python server never accepted a larger message. */
const MAX_ENTRY_CHARS = MAX_LEGACY_BYTES;
/** Events handed to the collector at once. */
const BATCH = 1_000;
const READ_CHUNK = 1 << 20;

/**
 * Loads a `dumped_audit_trails.json` written by the Python tool (v0.3 or v0.4.7) into the journal, each entry's
 * values exactly as written (bare NaN / Infinity included), streaming: memory stays flat whatever the file's size.
 *
 * Two passes over the file. The first hashes it (the import's identity: importing the same file twice adds
 * nothing), checks its outer structure (a file cut short imports nothing) and notes each project's first boot
 * entry; the second stores the entries in batches, waiting for the disk when the journal falls behind. A project's
 * boot metadata (market, description, privileges) stands in for its entries that lack their own, wherever the boot
 * sits in the list, as the whole-file import did. Records get source "import" and a session per (file, project); an
 * entry that cannot be stored is reported on its own and the rest is imported.
 */
export async function importSeedDump(
  file: string,
  collector: Collector,
  hooks: ImportHooks = {},
): Promise<ImportResult> {
  const { onProgress } = hooks;
  const reject = (r: ImportRejection): void => {
    result.rejected++;
    hooks.onReject?.(r);
  };
  const result: ImportResult = { projects: 0, events: 0, skipped: [], rejected: 0 };
  const total = statSync(file).size;
  const hash = createHash('sha256');
  const boots = new Map<string, ProjectDefaults>();
  let project = '';
  await readTokens(
    file,
    total,
    (bytes) => onProgress?.('check', bytes, total, 0),
    (chunk) => hash.update(chunk),
    (t) => {
      if (t.kind === 'member') project = t.key;
      else if (t.kind === 'entry' && !boots.has(project) && t.text !== null && mayBeBoot(t.text)) {
        const v = parseJson(t.text, MAX_FIELD_DEPTH);
        if (v.ok && isObject(v.value) && v.value['event_type'] === ProjectEvents.BOOT)
          boots.set(project, pickMeta(v.value));
      }
    },
  );
  const fileKey = hash.digest('hex');

  let batch: FlatEvent[] = [];
  let skipping = true;
  let defaults: ProjectDefaults = {};
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const stored = collector.acceptFlat(batch, 'import', fileKey);
    if (typeof stored !== 'number') throw new ImportError('E_STORAGE', `${stored.code}: ${stored.message}`);
    result.events += stored;
    batch = [];
    // Wait for the disk rather than pile parsed events up (and rather than hit the collector's backlog limit).
    if (collector.congested()) await new Promise<void>((resolve) => collector.whenDrained(resolve));
  };
  const pending: SeedToken[] = [];
  await readTokens(
    file,
    total,
    (bytes) => onProgress?.('import', bytes, total, result.events + batch.length),
    undefined,
    (t) => {
      pending.push(t);
    },
    async () => {
      for (const t of pending) {
        if (t.kind === 'member') {
          project = t.key;
          skipping = true;
          if (V047_KEYS.has(project) && (project === 'external_hosts_audit' || t.list)) continue;
          if (!t.list) {
            reject({ project, index: -1, error: 'project entry is not a list of events' });
            continue;
          }
          const existing = collector.session(syntheticSessionId('import', fileKey + '\u0000' + project));
          if (existing !== undefined && existing.events > 0) {
            result.skipped.push(project);
            continue;
          }
          skipping = false;
          defaults = boots.get(project) ?? {};
          result.projects++;
        } else if (t.kind === 'entry' && !skipping) {
          const event = entryEvent(t, project, defaults);
          if (typeof event === 'string') reject({ project, index: t.index, error: event });
          else batch.push(event);
          if (batch.length >= BATCH) await flush();
        } else if (t.kind === 'member-end' && !skipping) {
          // Each project's events go in before the next project's, as in the file.
          await flush();
        }
      }
      pending.length = 0;
    },
  );
  await flush();
  await collector.drain();
  return result;
}

/**
 * Streams the file through a {@link SeedTokenizer}: `onBytes` sees each raw chunk, `onToken` each token, then
 * `afterChunk` (awaited: reading waits for it, so the tokens of one chunk at most are held).
 */
async function readTokens(
  file: string,
  total: number,
  onProgress: (bytes: number) => void,
  onBytes: ((chunk: Buffer) => void) | undefined,
  onToken: (t: SeedToken) => void,
  afterChunk?: () => Promise<void>,
): Promise<void> {
  const tokenizer = new SeedTokenizer(MAX_ENTRY_CHARS);
  const decoder = new StringDecoder('utf8');
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK }) as AsyncIterable<Buffer>) {
      onBytes?.(chunk);
      for (const t of tokenizer.push(decoder.write(chunk))) onToken(t);
      if (afterChunk !== undefined) await afterChunk();
      bytes += chunk.length;
      onProgress(Math.min(bytes, total));
    }
    for (const t of tokenizer.push(decoder.end())) onToken(t);
    if (afterChunk !== undefined) await afterChunk();
    tokenizer.end();
  } catch (err) {
    if (err instanceof SeedFormatError)
      throw new ImportError('E_NOT_A_DUMP', `${file} is not a dump: ${err.message.replace(/^not a dump /, '')}`);
    throw err;
  }
}

/** An entry as a flat event, or why it was refused. */
function entryEvent(
  t: Extract<SeedToken, { kind: 'entry' }>,
  project: string,
  defaults: ProjectDefaults,
): FlatEvent | string {
  if (t.text === null) return `E_TOO_LARGE: entry of ${t.chars} characters (at most ${MAX_ENTRY_CHARS})`;
  const value = parseJson(t.text, MAX_FIELD_DEPTH);
  if (!value.ok) return `${value.code}: ${value.message}`;
  const v = value.value;
  // The dump's key names the project when an entry does not (the seed always wrote it; hand-made files may not).
  const unnamed = isObject(v) && v['project_name'] === undefined;
  const parsed = parseFlatEvent(unnamed ? { ...v, project_name: project } : v, 0, { text: t.text, start: 0 }, defaults);
  return parsed.ok ? parsed.value : `${parsed.code}: ${parsed.message}`;
}

/** Cheap pre-check before parsing an entry to see whether it is a boot (escapes could hide the word). */
function mayBeBoot(text: string): boolean {
  return text.includes('boot') || text.includes('\\u');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A boot entry's project metadata, as defaults for the entries that lack theirs. */
function pickMeta(o: Record<string, unknown>): ProjectDefaults {
  return {
    project_market: o['project_market'],
    project_description: o['project_description'],
    project_privileges: o['project_privileges'],
  };
}
