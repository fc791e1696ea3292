import type { Socket } from 'node:net';
import { MAX_LEGACY_BYTES, parseFlatEvent } from '@ic-audit/shared';
import type { IngestTarget } from '../collector/collector.js';

/** Replies the Python tool's server gave, byte for byte, so its clients see what they always saw. */
export const LegacyReplies = {
  RECEIVED: 'Data received',
  INVALID: 'Invalid JSON data received',
  DUMPED: 'Audit trails dumped',
  DUMPED_ALL: 'All audit trails dumped',
} as const;

/** Commands the Python tool's clients send instead of an event. */
const DUMP = 'dump_audit_trails';
const DUMP_ALL = 'dump_audit_trails_all';
/** An unparseable message is answered once no more bytes arrive for this long. */
const INCOMPLETE_WAIT_MS = 300;

/** True when the first bytes of a connection look like the Python tool's protocol, not HTTP. */
export function looksLegacy(first: Buffer): boolean {
  const c = first[0];
  if (c === 0x7b /* { */ || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) return true;
  return first.subarray(0, 4).toString('latin1') === 'dump';
}

/**
 * Serves one legacy connection: each JSON object written is stored durably, then answered "Data received"
 * (the old server's words); `dump_audit_trails[_all]` writes a dump. Messages may span several reads.
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
    if (cmd === DUMP || cmd === DUMP_ALL) {
      try {
        await collector.dump({ all: cmd === DUMP_ALL });
        reply(cmd === DUMP ? LegacyReplies.DUMPED : LegacyReplies.DUMPED_ALL);
      } catch (err) {
        reply(`Dump failed: ${(err as Error).message}`);
      }
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      reply(LegacyReplies.INVALID);
      return;
    }
    const parsed = parseFlatEvent(value, Date.now() / 1000);
    if (!parsed.ok) {
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
      reply(`${LegacyReplies.INVALID}: message larger than ${MAX_LEGACY_BYTES} bytes`);
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

/** True when `text` is a dump command or parses as JSON. */
function isCompleteMessage(text: string): boolean {
  const t = text.trim();
  if (t === DUMP || t === DUMP_ALL) return true;
  if (DUMP_ALL.startsWith(t)) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}
