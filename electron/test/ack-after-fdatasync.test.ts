/**
 * Ack = on disk, checked where kill -9 tests cannot look: the page cache outlives a killed process, so a collector
 * that acked before fdatasync (or never called it) passes every crash test. Here the real collector runs under
 * strace, which records each journal write, each fdatasync and each socket write in the order they happened; every
 * ack a client got (WebSocket `ack`, POST answer, legacy "Data received") must come after an fdatasync that
 * returned 0 and was entered once the bytes of every event it covers were written. The new segment's directory
 * must be fsync'd before the first ack too.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collectorsPerTest } from '../../test/helpers/collector.js';
import { connectRaw, event, type RawClient } from '../../test/helpers/raw-client.js';
import { straceUsable, straceWrap } from '../../test/helpers/strace.js';

const { start } = collectorsPerTest();
if (!straceUsable) console.warn('ack-after-fdatasync skipped: needs strace (and ptrace)');
const scratch: string[] = [];
afterEach(() => {
  for (const d of scratch.splice(0)) rmSync(d, { recursive: true, force: true });
});

const WS_BOTS = 3;
const WS_EVENTS = 200;
const POSTS = 8;
const LEGACY = 8;

/** One syscall as strace saw it: where it entered (line order), where it returned, and its result. */
interface Call {
  name: string;
  /** The fd's path as `-yy` shows it (a file path, `TCP:[a:p->b:q]`, …). */
  target: string;
  text: string;
  entered: number;
  returned: number;
  result: number;
}

/** Parses `strace -f -yy` output into calls, keeping the kernel's order of entries and returns. */
function parseStrace(out: string): Call[] {
  const calls: Call[] = [];
  const open = new Map<string, Call>();
  out.split('\n').forEach((raw, at) => {
    const m = /^(\d+)\s+(.*)$/.exec(raw);
    if (!m) return;
    const [, pid, rest] = m as unknown as [string, string, string];
    const resumed = /^<\.\.\. (\w+) resumed>(.*)\)\s+=\s+(-?\d+)/.exec(rest);
    if (resumed) {
      const call = open.get(pid);
      if (call === undefined) return;
      open.delete(pid);
      call.text += resumed[2];
      call.returned = at;
      call.result = Number(resumed[3]);
      return;
    }
    // openat's fd is its result; the path it opened is what matters.
    const opened = /^openat\([^,]*, "([^"]*)", ([A-Z_|]+)/.exec(rest);
    const entry = opened
      ? ['', 'openat', '', opened[1]!, opened[2]!]
      : /^(\w+)\((\d+)<(TCP:\[[^\]]*\]|[^>]*)>(.*)$/.exec(rest);
    if (!entry) return;
    const call: Call = { name: entry[1]!, target: entry[3]!, text: entry[4]!, entered: at, returned: -1, result: NaN };
    calls.push(call);
    if (rest.endsWith('<unfinished ...>')) open.set(pid, call);
    else {
      const done = /\)\s+=\s+(-?\d+)(?:\s.*)?$/.exec(rest);
      call.returned = at;
      call.result = done ? Number(done[1]) : NaN;
    }
  });
  return calls;
}

/** Byte offset just past each record of a segment, by a key (session/seq, or a POST / legacy marker). */
function recordEnds(segment: string): Map<string, number> {
  const bytes = readFileSync(segment);
  const ends = new Map<string, number>();
  let from = 0;
  for (let nl = bytes.indexOf(10); nl !== -1; from = nl + 1, nl = bytes.indexOf(10, from)) {
    const r = JSON.parse(bytes.toString('utf8', from, nl)) as Record<string, any>;
    ends.set(`${r['session']}/${r['seq']}`, nl + 1);
    if (typeof r['fields']?.['marker'] === 'string') ends.set(r['fields']['marker'], nl + 1);
  }
  return ends;
}

function localPort(socket: Socket | undefined): number {
  return socket?.localPort ?? 0;
}

/** Sends a raw HTTP POST on its own connection; resolves with the client port and the answer. */
function rawPost(port: number, body: string): Promise<{ port: number; answer: string }> {
  return new Promise((resolve, reject) => {
    let local = 0;
    const s = connect(port, '127.0.0.1', () => {
      local = localPort(s);
      s.write(
        `POST /ingest HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
    let answer = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (answer += d));
    s.on('error', reject);
    s.on('close', () => resolve({ port: local, answer }));
  });
}

/** One legacy (Python tool) message on its own connection; resolves with the client port and the reply. */
function legacySend(port: number, message: string): Promise<{ port: number; answer: string }> {
  return new Promise((resolve, reject) => {
    let local = 0;
    const s = connect(port, '127.0.0.1', () => {
      local = localPort(s);
      s.write(message);
    });
    let answer = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      answer += d;
      if (answer.includes('Data received') || answer.includes('Not stored')) s.end();
    });
    s.on('error', reject);
    s.on('close', () => resolve({ port: local, answer }));
  });
}

describe.skipIf(!straceUsable)('every ack follows the fdatasync of its events (strace)', () => {
  it('WebSocket acks, POST answers and legacy replies are written only after their bytes were synced', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ic-audit-strace-'));
    scratch.push(dir);
    const trace = join(dir, 'strace.txt');
    const c = await start({
      wrap: straceWrap(
        trace,
        '-yy',
        '-s',
        '512',
        '--seccomp-bpf',
        '-e',
        'trace=write,writev,pwrite64,pwritev,pwritev2,fdatasync,fsync,ftruncate,openat',
      ),
    });

    // WebSocket bots, POSTs and legacy messages all at once, so commits mix them.
    const bots: RawClient[] = [];
    for (let b = 0; b < WS_BOTS; b++) bots.push(await connectRaw(c.ingestUrl, { session: `strace-bot-${b}-session` }));
    const wsDone = bots.map(async (bot) => {
      for (let s = 1; s <= WS_EVENTS; s += 20) {
        bot.send({ type: 'events', events: Array.from({ length: 20 }, (_, k) => event(s + k)) });
        await new Promise((r) => setImmediate(r));
      }
      await bot.waitForAck(WS_EVENTS);
    });
    const flat = (marker: string): string =>
      JSON.stringify({ project_name: 'StraceFlat', event_type: 'trade_opened', event_description: marker, marker });
    const posts = Array.from({ length: POSTS }, (_, p) =>
      rawPost(c.port, Array.from({ length: 5 }, (_, k) => flat(`post-${p}-${k}`)).join('\n') + '\n').then((r) => ({
        ...r,
        markers: Array.from({ length: 5 }, (_, k) => `post-${p}-${k}`),
      })),
    );
    const legacies = Array.from({ length: LEGACY }, (_, l) =>
      legacySend(c.port, flat(`legacy-${l}`)).then((r) => ({ ...r, markers: [`legacy-${l}`] })),
    );
    await Promise.all(wsDone);
    const posted = await Promise.all(posts);
    const legacyDone = await Promise.all(legacies);
    for (const p of posted) expect(p.answer).toMatch(/"accepted":5/);
    for (const l of legacyDone) expect(l.answer).toBe('Data received');
    const wsPorts = new Map(bots.map((b) => [localPort((b.ws as unknown as { _socket: Socket })._socket), b.session]));
    for (const b of bots) await b.close();
    const segment = join(
      c.dataDir,
      'journal',
      readFileSync(trace, 'utf8').match(/journal\/(\d{4}-\d{2}-\d{2}\.jsonl)>/)![1]!,
    );
    await c.kill('SIGTERM'); // strace exits with the collector, so the trace is complete
    const ends = recordEnds(segment);
    const flatPorts = new Map<number, string[]>([...posted, ...legacyDone].map((r) => [r.port, r.markers]));

    // Replay the trace: bytes written to the segment, what an fdatasync covers, and every answer on a socket.
    const calls = parseStrace(readFileSync(trace, 'utf8'));
    const events = calls
      .flatMap((call) => [
        { at: call.entered, kind: 'enter' as const, call },
        { at: call.returned, kind: 'return' as const, call },
      ])
      .filter((e) => e.at >= 0)
      .sort((a, b) => a.at - b.at || (a.kind === 'enter' ? -1 : 1));
    let size = 0;
    let synced = 0;
    let segmentCreated = false;
    let dirSynced = false;
    const syncFrom = new Map<Call, number>();
    const failures: string[] = [];
    const checked = { ws: 0, post: 0, legacy: 0 };
    const need = (what: string, keys: string[]): void => {
      for (const key of keys) {
        const end = ends.get(key);
        if (end === undefined) failures.push(`${what}: ${key} is not in the journal`);
        else if (end > synced)
          failures.push(`${what}: ${key} ends at byte ${end}, only ${synced} were fdatasync'd when it was sent`);
        else if (!dirSynced) failures.push(`${what}: sent before the new segment's directory was fsync'd`);
      }
    };
    for (const { kind, call } of events) {
      const isSegment = call.target === segment;
      if (kind === 'return' && call.name === 'openat' && call.target === segment && call.text.includes('O_CREAT'))
        segmentCreated = true;
      if (isSegment && kind === 'return' && /^p?writev?2?$|^pwrite64$/.test(call.name) && call.result > 0)
        size += call.result;
      if (isSegment && kind === 'return' && call.name === 'ftruncate' && call.result === 0)
        size = Number(/,\s*(\d+)\)?\s*$/.exec(call.text)?.[1] ?? size);
      if (isSegment && call.name === 'fdatasync') {
        // A sync covers what was written before it was entered, and counts once it returned 0.
        if (kind === 'enter') syncFrom.set(call, size);
        else if (call.result === 0) synced = Math.max(synced, syncFrom.get(call) ?? 0);
      }
      if (
        kind === 'return' &&
        call.name === 'fsync' &&
        call.result === 0 &&
        call.target === join(c.dataDir, 'journal') &&
        segmentCreated
      )
        dirSynced = true;
      const tcp = /^TCP:\[[^\]]*->[^\]]*:(\d+)\]$/.exec(call.target);
      if (kind !== 'enter' || tcp === null || !/^writev?$/.test(call.name)) continue;
      const port = Number(tcp[1]);
      const session = wsPorts.get(port);
      if (session !== undefined) {
        for (const m of call.text.matchAll(/\\"type\\":\\"ack\\",\\"seq\\":(\d+)/g)) {
          checked.ws++;
          const seq = Number(m[1]);
          need(
            `ack ${seq} to ${session}`,
            Array.from({ length: seq }, (_, k) => `${session}/${k + 1}`),
          );
        }
      }
      const markers = flatPorts.get(port);
      if (markers !== undefined && call.text.includes('\\"accepted\\":')) {
        checked.post++;
        need(`POST answer on port ${port}`, markers);
      }
      if (markers !== undefined && call.text.includes('Data received')) {
        checked.legacy++;
        need(`legacy reply on port ${port}`, markers);
      }
    }
    expect(failures.slice(0, 5), `${failures.length} answers sent before their events were synced`).toEqual([]);
    // Every answer a client got was seen and checked (else the test could pass by seeing nothing).
    expect(checked.ws).toBeGreaterThanOrEqual(WS_BOTS);
    expect(checked.post).toBe(POSTS);
    expect(checked.legacy).toBe(LEGACY);
    expect(dirSynced, 'the new segment directory was fsync’d').toBe(true);
  });
});
