/**
 * A bot written only from docs/protocol.md: raw `ws`, JSON frames, no SDK. Collects every server frame and lets a
 * test await one matching a predicate.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';

/** Any frame the server sent. */
export type Frame = { type: string; [key: string]: unknown };

/** A connected raw protocol client. */
export interface RawClient {
  ws: WebSocket;
  session: string;
  frames: Frame[];
  /** Resolves with the first frame (already received or future) that matches. */
  waitFor(match: (f: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  /** Resolves once an ack at or above `seq` arrives. */
  waitForAck(seq: number, timeoutMs?: number): Promise<void>;
  send(frame: unknown): void;
  /** Sends `events` frames for seqs [from, to] in batches. */
  sendRange(from: number, to: number, batch?: number, project?: string): void;
  /** Resolves with the close code. */
  closed: Promise<number>;
  close(): Promise<void>;
}

/** Hello frame for a test project. */
export function hello(
  session: string,
  project = 'TestBot',
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: 'hello',
    v: 1,
    session,
    project: {
      project_name: project,
      project_market: 'FOREX',
      project_description: `${project} test bot`,
      project_privileges: ['execute_trade'],
    },
    sdk: 'raw-test@1',
    host: 'localhost',
    pid: process.pid,
    dropped: 0,
    ...extra,
  };
}

/** One event with seq `seq`. */
export function event(
  seq: number,
  type = 'trade_opened',
  fields: Record<string, unknown> = { symbol: 'EURUSD', n: seq },
): Record<string, unknown> {
  return { seq, event_type: type, event_description: `event ${seq}`, timestamp: Date.now() / 1000, fields };
}

/** Opens a connection; when `helloFrame` is given, sends it and waits for the welcome. */
export async function connectRaw(
  url: string,
  opts: { session?: string; hello?: Record<string, unknown> | null; headers?: Record<string, string> } = {},
): Promise<RawClient> {
  const session = opts.session ?? randomUUID();
  const ws = new WebSocket(url, { headers: opts.headers ?? {} });
  const frames: Frame[] = [];
  const waiters: Array<{ match: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.on('message', (data) => {
    const f = JSON.parse(String(data)) as Frame;
    frames.push(f);
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i]!.match(f)) waiters.splice(i, 1)[0]!.resolve(f);
    }
  });
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  const client: RawClient = {
    ws,
    session,
    frames,
    closed,
    waitFor(match, timeoutMs = 20_000) {
      const seen = frames.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching frame; got ${JSON.stringify(frames.slice(-5))}`)),
          timeoutMs,
        );
        waiters.push({ match, resolve: (f) => (clearTimeout(timer), resolve(f)) });
      });
    },
    async waitForAck(seq, timeoutMs) {
      await client.waitFor((f) => f.type === 'ack' && (f['seq'] as number) >= seq, timeoutMs);
    },
    send(frame) {
      ws.send(JSON.stringify(frame));
    },
    sendRange(from, to, batch = 500) {
      for (let s = from; s <= to; s += batch) {
        const events = [];
        for (let i = s; i <= Math.min(to, s + batch - 1); i++) events.push(event(i));
        client.send({ type: 'events', events });
      }
    },
    async close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.close();
      await closed;
    },
  };
  if (opts.hello !== null) {
    client.send(opts.hello ?? hello(session));
    await client.waitFor((f) => f.type === 'welcome' || f.type === 'error');
  }
  return client;
}

/** A data dir's journal as it is on disk right now: its complete records, and a torn last line if there is one. */
export interface JournalSnapshot {
  records: Array<Record<string, any>>;
  /** Bytes after the newest segment's last newline (a write in progress, or cut short by a crash), else null. */
  tornTail: { file: string; offset: number; text: string } | null;
}

/**
 * Reads every journal line of a data dir. A line that is not a whole record (no newline, or not JSON) fails the
 * read, except, when `allowTornTail`, bytes after the newest segment's last newline: a collector retrying a
 * failed write, or killed in the middle of one, legitimately leaves those until it cuts them back (or its next
 * start does), so a reader looking at that moment must not mistake them for a stored record nor for corruption.
 */
export function readJournal(dataDir: string, opts: { allowTornTail: boolean }): JournalSnapshot {
  const dir = join(dataDir, 'journal');
  const names = readdirSync(dir)
    .filter((n) => n.endsWith('.jsonl'))
    .sort();
  const records: Array<Record<string, any>> = [];
  let tornTail: JournalSnapshot['tornTail'] = null;
  names.forEach((name, n) => {
    const bytes = readFileSync(join(dir, name));
    let from = 0;
    for (let nl = bytes.indexOf(10); nl !== -1; from = nl + 1, nl = bytes.indexOf(10, from)) {
      const line = bytes.toString('utf8', from, nl);
      try {
        records.push(JSON.parse(line) as Record<string, any>);
      } catch (err) {
        throw new Error(
          `journal ${name}: line at byte ${from} is not a record (${(err as Error).message}): ${line.slice(0, 120)}`,
          { cause: err },
        );
      }
    }
    if (from === bytes.length) return;
    if (!opts.allowTornTail || n !== names.length - 1) {
      throw new Error(`journal ${name}: torn line at byte ${from} (${bytes.length - from} bytes without a newline)`);
    }
    tornTail = { file: name, offset: from, text: bytes.toString('utf8', from) };
  });
  return { records, tornTail };
}

/** Newest journal segment of a data dir. */
export function newestSegment(dataDir: string): string {
  const dir = join(dataDir, 'journal');
  return join(
    dir,
    readdirSync(dir)
      .filter((n) => n.endsWith('.jsonl'))
      .sort()
      .at(-1)!,
  );
}

/** Every journal record of a data dir, parsed, in order; throws on any torn line (see {@link readJournal}). */
export function journalRecords(dataDir: string): Array<Record<string, any>> {
  return readJournal(dataDir, { allowTornTail: false }).records;
}

/** Journal records of one session that are bot events (not collector-written). */
export function sessionEvents(dataDir: string, session: string): Array<Record<string, any>> {
  return journalRecords(dataDir).filter((r) => r['session'] === session && r['source'] !== 'collector');
}
