import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  CollectorEvents,
  DEFAULT_DUMP_HOURS,
  DEFAULT_SEED_SHAPE,
  DUMP_FILE_NAME,
  dumpEntryMembers,
  entryText,
  isCollectorRecord,
  isV047Boot,
  parseRecordLine,
  pythonSpacing,
  pythonString,
  V047_DUMP_TAIL,
  type DumpResult,
  type JournalRecord,
  type ProjectInfo,
  type SeedShape,
  type UnreadableSource,
} from '@ic-audit/shared';
import { readLines } from '../journal/line-reader.js';
import { JOURNAL_DIR, listSegments, segmentDay } from '../journal/segments.js';
import { csvHeader, csvRow } from './csv.js';
import { eventTextHash, writeSignedManifest, type ManifestSigner } from '../integrity/manifest.js';

/** Folder (inside the data dir) where dumps land by default. */
/** What to put in a dump (CLI, ingest `dump` frame, console). */
export interface DumpOptions {
  /** Window in hours back from now; ignored when `all`. Default 30. */
  hours?: number;
  /** Every record regardless of age. */
  all?: boolean;
  /** Only these projects (empty or missing: all). */
  projects?: string[];
  /** Extra record filter applied while streaming (console "current filter" dumps). */
  filter?: (record: JournalRecord) => boolean;
  /** Output format; json is the seed's shape. Default json. */
  format?: 'json' | 'ndjson' | 'csv';
  /** Where to write; default `<data-dir>/dumps/dumped_audit_trails.json` (ndjson/csv change the extension). */
  out?: string;
  /**
   * Seed JSON only: the Python server version whose shape to write (see shared `SeedShape`); default v0.3, and
   * v0.4.7 when a v0.4.7 client asked (its own command, or its boot events in the dump).
   */
  shape?: SeedShape | 'auto';
}

export const DUMPS_DIR = 'dumps';
/** In-memory bytes of grouped JSON entries before they spill to temp files (keeps memory bounded). */
export const DUMP_SPILL_BYTES = 32 << 20;
/** Slack, in days, when picking segments for a windowed dump (bots whose clocks run ahead). */
const SEGMENT_SLACK_S = 86_400;

/** What the dump writer needs from its host. */
export interface DumpContext {
  now: () => number;
  /** Session metadata known outside the segments read (older than the window). */
  sessionProject?: (session: string) => ProjectInfo | undefined;
  /**
   * Every project with events the collector knows, in first-seen order: the seed lists every project, an empty list
   * for one with nothing in the window. Without it (a dump of a stopped collector's data dir), only projects with
   * an event in the dump are listed.
   */
  projects?: () => string[];
  /** Signs the manifest (docs/integrity.md); without one the manifest is unsigned and `verify-dump` says so. */
  signer?: ManifestSigner | null;
  /** Journal bytes read so far, their total and the events written (the CLI's progress line). */
  onProgress?: (bytes: number, total: number, events: number) => void;
  /** Every project named in the segments read, once the dump is written (the CLI warns about unknown `--project`s). */
  onProjects?: (names: readonly string[]) => void;
  /**
   * Source messages whose records could not be read (a NATS console's stream): named in the manifest and in the
   * result's `warning`, so the dump cannot pass for the whole trail (verify-dump: E_SOURCE_UNREADABLE).
   */
  unreadable?: readonly UnreadableSource[];
}

/** A buffered writer that hashes what it writes. */
class HashingWriter {
  private buf = '';
  private readonly hash = createHash('sha256');
  constructor(private readonly fh: FileHandle) {}
  async write(s: string): Promise<void> {
    this.buf += s;
    if (this.buf.length >= 1 << 20) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.buf.length === 0) return;
    const bytes = Buffer.from(this.buf, 'utf8');
    this.buf = '';
    this.hash.update(bytes);
    await this.fh.write(bytes);
  }
  async finish(): Promise<string> {
    await this.flush();
    await this.fh.sync();
    await this.fh.close();
    return this.hash.digest('hex');
  }
}

interface Group {
  chunks: string[];
  spill: string | null;
  count: number;
}

/** Default output path for a format. */
export function defaultDumpPath(dataDir: string, format: DumpOptions['format'] = 'json'): string {
  const name = format === 'json' ? DUMP_FILE_NAME : DUMP_FILE_NAME.replace(/\.json$/, `.${format}`);
  return join(dataDir, DUMPS_DIR, name);
}

/**
 * Streams the journal into a dump (seed JSON grouped by project, NDJSON or CSV) plus a sidecar manifest with
 * the id and hash of every dumped record, the dump file's own SHA-256 and the chain head. The window applies to
 * the events' own `timestamp` (as the seed's did). Written to a temp name, then renamed.
 */
export async function writeDump(dataDir: string, opts: DumpOptions, ctx: DumpContext): Promise<DumpResult> {
  const format = opts.format ?? 'json';
  const out = opts.out ?? defaultDumpPath(dataDir, format);
  const hours = opts.hours ?? DEFAULT_DUMP_HOURS;
  const nowS = ctx.now() / 1000;
  const cutoff = opts.all ? -Infinity : nowS - hours * 3600;
  const only = opts.projects && opts.projects.length > 0 ? new Set(opts.projects) : null;
  const unreadable = ctx.unreadable ?? [];
  mkdirSync(dirname(out), { recursive: true });
  // Unique per call: two dumps to the same path at once (two bots, or the CLI beside the collector) must not share
  // temp files, or one truncates and renames the other's.
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = `${out}.partial-${tag}`;
  const manifestTmp = `${tmp}.manifest`;
  const spillDir = `${tmp}.spill`;
  const writer = new HashingWriter(await open(tmp, 'w', 0o600));
  const manifest = new HashingWriter(await open(manifestTmp, 'w', 0o600));
  const sessions = new Map<string, ProjectInfo>();
  const groups = new Map<string, Group>();
  let inMemory = 0;
  let events = 0;
  let firstId: number | null = null;
  let lastId: number | null = null;
  let head: { id: number; hash: string } | null = null;
  let sawV047 = false;
  // The seed lists every project it knows, first-seen order, even with no event in the window.
  const known = ctx.projects?.() ?? null;
  if (format === 'json' && opts.filter === undefined) {
    for (const name of known ?? [])
      if (only === null || only.has(name)) groups.set(name, { chunks: [], spill: null, count: 0 });
  }
  const cutoffDay = opts.all ? '' : new Date((cutoff - SEGMENT_SLACK_S) * 1000).toISOString().slice(0, 10);
  const segments = listSegments(join(dataDir, JOURNAL_DIR));
  // Session records older than the window are still needed for boot metadata: read those segments' session lines.
  const older = segments.filter((s) => segmentDay(basename(s)) < cutoffDay);
  const recent = segments.filter((s) => segmentDay(basename(s)) >= cutoffDay);
  const progress = ctx.onProgress;
  const sizes = new Map(
    progress === undefined ? [] : segments.map((f) => [f, statSync(f, { throwIfNoEntry: false })?.size ?? 0]),
  );
  const total =
    progress === undefined
      ? 0
      : [...(ctx.sessionProject === undefined ? older : []), ...recent].reduce((a, f) => a + sizes.get(f)!, 0);
  let before = 0;
  const read = (offset: number): void => progress?.(before + offset, total, events);
  if (ctx.sessionProject === undefined) {
    for (const file of older) {
      await readLines(file, (line, offset) => {
        read(offset);
        noteSession(line, sessions);
      });
      before += sizes.get(file) ?? 0;
    }
  }

  if (format === 'csv') await writer.write(csvHeader());
  try {
    for (const file of recent) {
      await readLines(file, async (line, offset) => {
        read(offset);
        const r = parseRecordLine(line);
        if (r === null) return;
        head = { id: r.id, hash: r.hash };
        if (isCollectorRecord(r)) {
          if (r.event_type === CollectorEvents.SESSION) noteSession(line, sessions, r);
          return;
        }
        // The seed keeps an event while now - timestamp <= 30 h.
        if (r.timestamp < cutoff || (only !== null && !only.has(r.project_name))) return;
        if (opts.filter !== undefined && !opts.filter(r)) return;
        const members = dumpEntryMembers(r, sessions.get(r.session) ?? ctx.sessionProject?.(r.session));
        if (r.source === 'legacy' && isV047Boot(r)) sawV047 = true;
        events++;
        firstId ??= r.id;
        lastId = r.id;
        // The manifest names each event by its exact text in the dump (a CSV row without its CRLF), so
        // verify-dump can say which one was edited or removed whatever the file's layout.
        const json =
          format === 'csv'
            ? csvRow(r, members)
            : format === 'ndjson'
              ? entryText(members)
              : pythonSpacing(entryText(members));
        await manifest.write(`[${r.id},"${r.hash}","${eventTextHash(format === 'csv' ? json.slice(0, -2) : json)}"]\n`);
        let g = groups.get(r.project_name);
        if (g === undefined) groups.set(r.project_name, (g = { chunks: [], spill: null, count: 0 }));
        g.count++;
        if (format !== 'json') {
          await writer.write(format === 'csv' ? json : json + '\n');
          return;
        }
        g.chunks.push(json);
        inMemory += json.length;
        if (inMemory > DUMP_SPILL_BYTES) {
          await spillGroups(groups, spillDir);
          inMemory = 0;
        }
      });
      before += sizes.get(file) ?? 0;
    }
    ctx.onProjects?.([...new Set([...sessions.values()].map((p) => p.project_name))]);
    const shape =
      opts.shape === 'auto' || opts.shape === undefined ? (sawV047 ? 'v0.4.7' : DEFAULT_SEED_SHAPE) : opts.shape;
    if (format === 'json') await writeGrouped(writer, groups, shape === 'v0.4.7' ? V047_DUMP_TAIL : '');
    const sha = await writer.finish();
    await manifest.finish();
    const manifestPath = `${out}.manifest.json`;
    await writeSignedManifest(
      manifestTmp,
      manifestPath,
      tag,
      {
        format,
        file: basename(out),
        sha256: sha,
        generated_at: new Date(ctx.now()).toISOString(),
        window: opts.all ? { all: true } : { hours, since: new Date(cutoff * 1000).toISOString() },
        projects_filter: opts.projects ?? [],
        shape: format === 'json' ? shape : null,
        filtered: opts.filter !== undefined,
        projects: groups.size,
        events,
        first_id: firstId,
        last_id: lastId,
        chain_head: head,
        ...(unreadable.length > 0 ? { source_unreadable: unreadable } : {}),
      },
      ctx.signer ?? null,
    );
    renameSync(tmp, out);
    const result: DumpResult = { path: out, manifest: manifestPath, projects: groups.size, events };
    return unreadable.length === 0 ? result : { ...result, warning: unreadableWarning(unreadable) };
  } finally {
    rmSync(tmp, { force: true });
    rmSync(manifestTmp, { force: true });
    rmSync(spillDir, { recursive: true, force: true });
  }
}

/** Remembers a session record's project metadata. */
function noteSession(line: string, sessions: Map<string, ProjectInfo>, parsed?: JournalRecord): void {
  if (parsed === undefined && !line.includes(`"event_type":"${CollectorEvents.SESSION}"`)) return;
  const r = parsed ?? parseRecordLine(line);
  if (r === null || !isCollectorRecord(r) || r.event_type !== CollectorEvents.SESSION) return;
  const f = r.fields ?? {};
  sessions.set(r.session, {
    project_name: r.project_name,
    project_market: String(f['project_market'] ?? ''),
    project_description: String(f['project_description'] ?? ''),
    project_privileges: Array.isArray(f['project_privileges'])
      ? (f['project_privileges'] as ProjectInfo['project_privileges'])
      : [],
  });
}

/** Moves every group's buffered entries to its spill file (one entry per line). */
async function spillGroups(groups: Map<string, Group>, spillDir: string): Promise<void> {
  mkdirSync(spillDir, { recursive: true });
  let i = 0;
  for (const g of groups.values()) {
    i++;
    if (g.chunks.length === 0) continue;
    g.spill ??= join(spillDir, `${i}.ndjson`);
    const fh = await open(g.spill, 'a', 0o600);
    await fh.write(g.chunks.join('\n') + '\n');
    await fh.close();
    g.chunks = [];
  }
}

/**
 * Writes `{"project": [entry, entry], ...}` from spill files and memory, in first-seen project order, on one line
 * with Python's spacing and no trailing newline, as the seed's `json.dump` did; `tail` is what v0.4.7 appends.
 */
async function writeGrouped(writer: HashingWriter, groups: Map<string, Group>, tail: string): Promise<void> {
  await writer.write('{');
  let firstGroup = true;
  for (const [name, g] of groups) {
    await writer.write(`${firstGroup ? '' : ', '}${pythonString(name)}: [`);
    firstGroup = false;
    let first = true;
    const emit = async (json: string): Promise<void> => {
      await writer.write(first ? json : ', ' + json);
      first = false;
    };
    if (g.spill !== null) await readLines(g.spill, emit);
    for (const c of g.chunks) await emit(c);
    await writer.write(']');
  }
  await writer.write((groups.size === 0 ? tail.slice(2) : tail) + '}');
}

/** The sentence a dump's result carries when source messages could not be read. */
export function unreadableWarning(unreadable: readonly UnreadableSource[]): string {
  const first = unreadable[0]!;
  const n = unreadable.length;
  return (
    `${n} stream message${n === 1 ? '' : 's'} could not be read and ${n === 1 ? 'its' : 'their'} records are not in ` +
    `this dump (stream seq ${first.stream_seq}: ${first.reason}${n > 1 ? '; …' : ''}); the manifest lists ` +
    `${n === 1 ? 'it' : 'them'} under source_unreadable`
  );
}
