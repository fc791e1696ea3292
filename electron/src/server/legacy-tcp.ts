import type { Socket } from 'node:net';
import {
  DUMP_FILE_NAME,
  MAX_FIELD_DEPTH,
  MAX_LEGACY_BYTES,
  parseFlatEvent,
  parseJson,
  parseProjectInfo,
  pythonString,
  isObject,
  type ProjectInfo,
} from '@ic-audit/shared';
import { join } from 'node:path';
import type { IngestTarget } from '../collector/api.js';

/** Replies the Python tool's server gave (v0.3 and v0.4.7), byte for byte, so its clients see what they always saw. */
export const LegacyReplies = {
  RECEIVED: 'Data received',
  INVALID: 'Invalid JSON data received',
  DUMPED: 'Audit trails dumped',
  DUMPED_ALL: 'All audit trails dumped',
  COMPACT: 'Compact audit dump created',
  COMPACT_FILTERED: 'Compact audit dump with filters created',
} as const;

/** Commands the Python tool's clients send instead of an event (v0.3: the first; v0.4.7: all). */
export const LegacyCommands = {
  DUMP: 'dump_audit_trails',
  DUMP_ALL: 'dump_audit_trails_all',
  COMPACT: 'dump_compact',
  /** Followed by project names joined with `,` (not JSON). */
  COMPACT_FILTER: 'dump_compact_with_filter:',
  PROJECTS: 'available_projects',
} as const;

const COMMAND_WORDS: readonly string[] = [
  LegacyCommands.DUMP_ALL,
  LegacyCommands.COMPACT_FILTER,
  LegacyCommands.PROJECTS,
];
/** An unparseable message is answered once no more bytes arrive for this long. */
const INCOMPLETE_WAIT_MS = 300;

/** True when the first bytes of a connection look like the Python tool's protocol, not HTTP. */
export function looksLegacy(first: Buffer): boolean {
  const c = first[0];
  if (c === 0x7b /* { */ || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) return true;
  const head = first.subarray(0, 4).toString('latin1');
  return head === 'dump' || head === 'avai';
}

/**
 * The project names of a `dump_compact_with_filter:` command: split on `,`, each trimmed, empty ones dropped (none
 * left means every project, as the Python server did).
 */
export function compactFilters(command: string): string[] {
  return command
    .slice(command.indexOf(':') + 1)
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** The `available_projects` reply: a JSON list in Python's `json.dumps` spacing and ASCII escapes. */
export function projectsReply(names: readonly string[]): string {
  return '[' + names.map(pythonString).join(', ') + ']';
}

/**
 * Serves one legacy connection: each JSON object written is stored durably, then answered "Data received" (the old
 * server's words); the v0.3 and v0.4.7 commands are answered as that server did. Messages may span several reads.
 * A refused message is answered and leaves an `ic-audit.refused` record, since the Python client ignores replies.
 */
export function serveLegacy(socket: Socket, first: Buffer, collector: IngestTarget): void {
  let buf = first;
  let timer: NodeJS.Timeout | null = null;
  let busy = Promise.resolve();
  const reply = (text: string): void => {
    if (!socket.destroyed) socket.write(text);
  };
  const handle = async (text: string): Promise<void> => {
    const cmd = text.trim();
    if (cmd.startsWith('dump') || cmd === LegacyCommands.PROJECTS) {
      const answer = await command(cmd, collector);
      if (answer !== null) {
        reply(answer);
        return;
      }
    }
    const json = parseJson(text, MAX_FIELD_DEPTH);
    if (!json.ok) {
      collector.refuse('legacy', null, json.code, json.message, text);
      reply(
        json.code === 'E_BAD_JSON' ? LegacyReplies.INVALID : `${LegacyReplies.INVALID}: ${json.code} ${json.message}`,
      );
      return;
    }
    const start = text.length - text.trimStart().length;
    const parsed = parseFlatEvent(json.value, Date.now() / 1000, { text, start });
    if (!parsed.ok) {
      collector.refuse('legacy', projectOf(json.value), parsed.code, parsed.message, text);
      reply(`${LegacyReplies.INVALID}: ${parsed.code} ${parsed.message}`);
      return;
    }
    const stored = collector.acceptFlat([parsed.value], 'legacy');
    if (typeof stored !== 'number') {
      reply(`Not stored: ${stored.code} ${stored.message}`);
      return;
    }
    try {
      await collector.drain();
    } catch (err) {
      // Shutdown met a disk fault before this event reached the disk: "Data received" would be a lie.
      reply(`Not stored: E_STORAGE ${(err as Error).message}`);
      return;
    }
    reply(LegacyReplies.RECEIVED);
  };
  const consume = (final: boolean): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const text = buf.toString('utf8');
    if (text.trim() === '') return;
    const complete = isCompleteMessage(text);
    if (!complete && !final) {
      timer = setTimeout(() => consume(true), INCOMPLETE_WAIT_MS);
      return;
    }
    buf = Buffer.alloc(0);
    busy = busy.then(() => handle(text)).catch(() => undefined);
  };
  socket.on('data', (chunk: Buffer) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    if (buf.length > MAX_LEGACY_BYTES) {
      const text = buf.toString('utf8');
      buf = Buffer.alloc(0);
      const message = `message larger than ${MAX_LEGACY_BYTES} bytes`;
      collector.refuse('legacy', null, 'E_TOO_LARGE', message, text);
      reply(`${LegacyReplies.INVALID}: ${message}`);
      socket.destroy();
      return;
    }
    consume(false);
  });
  socket.on('end', () => {
    consume(true);
    void busy.then(() => socket.end());
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    if (timer !== null) clearTimeout(timer);
  });
  consume(false);
}

/** Runs a legacy command and returns its reply, or null when `cmd` is not one. */
async function command(cmd: string, collector: IngestTarget): Promise<string | null> {
  try {
    switch (cmd) {
      case LegacyCommands.DUMP:
        await collector.dump({ out: join(collector.legacyDumpDir, DUMP_FILE_NAME), shape: 'auto' });
        return LegacyReplies.DUMPED;
      case LegacyCommands.DUMP_ALL:
        // Only the v0.4.7 client sends this one, so its dump takes the v0.4.7 shape.
        await collector.dump({ all: true, out: join(collector.legacyDumpDir, DUMP_FILE_NAME), shape: 'v0.4.7' });
        return LegacyReplies.DUMPED_ALL;
      case LegacyCommands.COMPACT:
        await collector.compactDump([]);
        return LegacyReplies.COMPACT;
      case LegacyCommands.PROJECTS:
        return projectsReply(collector.projectNames());
      default:
        if (!cmd.startsWith(LegacyCommands.COMPACT_FILTER)) return null;
        await collector.compactDump(compactFilters(cmd));
        return LegacyReplies.COMPACT_FILTERED;
    }
  } catch (err) {
    return `Dump failed: ${(err as Error).message}`;
  }
}

/** The project a refused message names, when it names one validly (its refusal then shows in that project). */
function projectOf(v: unknown): ProjectInfo | null {
  if (!isObject(v)) return null;
  const p = parseProjectInfo(v);
  return typeof p === 'string' ? null : p;
}

/** True when `text` is a command, or parses as (lenient) JSON. */
function isCompleteMessage(text: string): boolean {
  const t = text.trim();
  if (t.startsWith(LegacyCommands.COMPACT_FILTER)) return true;
  if (
    t === LegacyCommands.DUMP ||
    t === LegacyCommands.DUMP_ALL ||
    t === LegacyCommands.COMPACT ||
    t === LegacyCommands.PROJECTS
  ) {
    return true;
  }
  if (COMMAND_WORDS.some((w) => w.startsWith(t))) return false;
  return parseJson(t, MAX_FIELD_DEPTH).ok;
}
