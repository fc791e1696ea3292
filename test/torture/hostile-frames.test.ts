/**
 * Hostile frames, property-based (fast-check): random bytes, truncated JSON, deep nesting, oversize frames, wrong
 * types, `__proto__` / `constructor` keys, invalid UTF-8, huge or negative seqs, duplicate hellos and events before
 * hello, sent one at a time over reused connections by 4 workers. Each frame must get exactly one answer (an error
 * frame, or the ack / welcome / dumped a valid frame earns) or a clean close (1007 / 1008 / 1009), never a silent
 * drop or a torn connection; the collector stays up (/healthz) and an honest SDK bot streaming all along ends with
 * every event stored exactly once. A second property throws random bytes at the raw TCP port (legacy / HTTP sniff).
 *
 * short (npm test): 3,000 frames + 100 raw connections. long (IC_AUDIT_TORTURE=long): 100,000 frames + 2,000.
 */
import { connect } from 'node:net';
import { AuditNotifier } from '@ic-audit/client';
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES } from '@ic-audit/shared';
import { startCollector, type CollectorHandle } from '../helpers/collector.js';
import { journalRecords } from '../helpers/raw-client.js';
import { Cleanup, health, report, rng, SEED, size, until, verify } from './torture-kit.js';

const FRAMES = size(3_000, 100_000);
const RAW_TCP = size(100, 2_000);
const WORKERS = 4;
/** Close codes that end a hostile connection cleanly (docs/protocol.md). */
const CLEAN_CLOSES = new Set([1007, 1008, 1009]);
/** Error codes after which the collector closes the connection. */
const FATAL = new Set(['E_BAD_HELLO', 'E_BAD_VERSION', 'E_UNAUTHORIZED', 'E_DUP_HELLO', 'E_RATE_LIMIT']);
const MAX_BAD_FRAMES = 32;

/** One hostile frame and the connection state it is sent in. */
interface Case {
  kind: string;
  /** 'fresh': before hello; 'hello': after a welcome; 'any': whatever the connection is in. */
  state: 'fresh' | 'hello' | 'any';
  payload: string | Buffer;
  binary?: boolean;
}

type Reply = { kind: 'frame'; frame: Record<string, any> } | { kind: 'close'; code: number };

/** A reused hostile connection that queues every server frame and the close. */
class Conn {
  private readonly queue: Reply[] = [];
  private waiter: ((r: Reply) => void) | null = null;
  helloed = false;
  refused = 0;
  open = true;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      let frame: Record<string, any>;
      try {
        frame = JSON.parse(String(data)) as Record<string, any>;
      } catch {
        frame = { type: 'NOT-JSON', text: String(data).slice(0, 200) };
      }
      this.push({ kind: 'frame', frame });
    });
    ws.on('close', (code) => {
      this.open = false;
      this.push({ kind: 'close', code });
    });
    ws.on('error', () => undefined);
  }
  static async open(url: string): Promise<Conn> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new Conn(ws);
  }
  private push(r: Reply): void {
    const w = this.waiter;
    if (w !== null) {
      this.waiter = null;
      w(r);
    } else this.queue.push(r);
  }
  /** The next frame or the close; throws after `timeoutMs` (a frame that got no answer). */
  next(timeoutMs: number, what: string): Promise<Reply> {
    const r = this.queue.shift();
    if (r !== undefined) return Promise.resolve(r);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiter = null;
        reject(new Error(`no answer within ${timeoutMs} ms to ${what}`));
      }, timeoutMs);
      this.waiter = (x) => {
        clearTimeout(t);
        resolve(x);
      };
    });
  }
  /** Frames that arrived without a frame to answer (a close is expected after a fatal error, anything else is not). */
  unexpected(): Reply[] {
    return this.queue.filter((r) => r.kind === 'frame');
  }
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const done = new Promise((r) => this.ws.once('close', r));
    this.ws.terminate();
    await done;
  }
}

// ---- the arbitraries -------------------------------------------------------------------------------------------

const ev = (seq: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  seq,
  event_type: 'trade_opened',
  event_description: 'hostile',
  timestamp: 1_700_000_000.5,
  fields: { n: 1 },
  ...extra,
});
const helloOf = (session: string, project = 'HostileProject'): Record<string, unknown> => ({
  type: 'hello',
  v: 1,
  session,
  project: { project_name: project, project_market: 'FX' },
});
const bigSeq = fc.integer({ min: 1_000_000, max: 2 ** 40 });
// A valid dump reads the whole journal, so dump frames are the rare template.
const templates = (session: string) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constant(helloOf(session)) },
    { weight: 8, arbitrary: bigSeq.map((s) => ({ type: 'events', events: [ev(s)] })) },
    { weight: 1, arbitrary: fc.constant({ type: 'dump', id: 'r1', hours: 0.001, projects: ['no-such-project'] }) },
  );
/** Paths whose value gets replaced by something of the wrong type. */
const PATHS: Array<Array<string | number>> = [
  ['type'],
  ['v'],
  ['session'],
  ['project'],
  ['project', 'project_name'],
  ['project', 'project_market'],
  ['project', 'project_privileges'],
  ['project', 'project_description'],
  ['pid'],
  ['dropped'],
  ['sdk'],
  ['host'],
  ['token'],
  ['events'],
  ['events', 0],
  ['events', 0, 'seq'],
  ['events', 0, 'event_type'],
  ['events', 0, 'event_description'],
  ['events', 0, 'timestamp'],
  ['events', 0, 'fields'],
  ['id'],
  ['hours'],
  ['all'],
  ['projects'],
];
function setPath(obj: Record<string, any>, path: Array<string | number>, value: unknown): Record<string, any> {
  const copy = JSON.parse(JSON.stringify(obj)) as Record<string, any>;
  let at: any = copy;
  for (const k of path.slice(0, -1)) {
    if (at[k] === null || typeof at[k] !== 'object') at[k] = {};
    at = at[k];
  }
  at[path.at(-1)!] = value;
  return copy;
}
const wrongValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, true, false, 0, -1, 1e308, -1e308, '', 'x'.repeat(5_000), [], {}, [[[]]], { a: { b: 1 } }),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
);
const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
];
/** JSON text with a dangerous key injected as an own key at one of several places (a JS literal could not). */
const protoText = (session: string) =>
  fc
    .tuple(fc.constantFrom(...PROTO_KEYS), fc.jsonValue({ maxDepth: 2 }), fc.integer({ min: 0, max: 5 }), bigSeq)
    .map(([key, value, where, seq]) => {
      const k = JSON.stringify(key);
      const v = JSON.stringify(value) ?? 'null';
      const e = (fields: string, extra = '') =>
        `{"seq":${seq},"event_type":"x","event_description":"d","timestamp":1.5,"fields":${fields}${extra}}`;
      switch (where) {
        case 0:
          return { state: 'any' as const, text: `{${k}:${v},"type":"events","events":[${e('{}')}]}` };
        case 1:
          return { state: 'hello' as const, text: `{"type":"events","events":[${e(`{${k}:${v}}`)}]}` };
        case 2:
          return { state: 'hello' as const, text: `{"type":"events","events":[${e(`{"a":{${k}:${v}}}`)}]}` };
        case 3:
          return { state: 'hello' as const, text: `{"type":"events","events":[${e('{}', `,${k}:${v}`)}]}` };
        case 4:
          return {
            state: 'fresh' as const,
            text: `{"type":"hello","v":1,"session":${JSON.stringify(session)},"project":{"project_name":"HostileProject",${k}:${v}},${k}:${v}}`,
          };
        default:
          return { state: 'any' as const, text: `{${k}:{"type":"hello"}}` };
      }
    });
/** Bytes that are never valid UTF-8. */
const BAD_UTF8 = [
  [0xff],
  [0xc0, 0x80],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0x80],
  [0xf4, 0x90, 0x80, 0x80],
];

function arbCase(session: string): fc.Arbitrary<Case> {
  const valid = templates(session).map((t) => JSON.stringify(t));
  return fc.oneof(
    // random bytes, as a binary frame or (mostly invalid UTF-8) text
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.uint8Array({ maxLength: 400 }), fc.boolean(), fc.constantFrom<Case['state']>('fresh', 'hello'))
        .map(([b, binary, state]) => ({ kind: 'random-bytes', state, payload: Buffer.from(b), binary })),
    },
    // random printable text
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.string({ maxLength: 300 }), fc.constantFrom<Case['state']>('fresh', 'hello'))
        .map(([s, state]) => ({ kind: 'random-text', state, payload: s })),
    },
    // truncated JSON of a valid frame
    {
      weight: 3,
      arbitrary: fc
        .tuple(valid, fc.nat(), fc.constantFrom<Case['state']>('fresh', 'hello'))
        .map(([t, n, state]) => ({ kind: 'truncated-json', state, payload: t.slice(0, n % t.length) })),
    },
    // deep nesting, as the frame itself, inside fields, or inside the project
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.integer({ min: 2, max: 150_000 }),
          fc.constantFrom('[', '{"a":'),
          fc.integer({ min: 0, max: 2 }),
          bigSeq,
        )
        .map(([d, open, where, seq]) => {
          const close = open === '[' ? ']' : '}';
          const deep = open.repeat(d) + '1' + close.repeat(d);
          const text =
            where === 0
              ? deep
              : where === 1
                ? `{"type":"events","events":[{"seq":${seq},"event_type":"x","event_description":"d","timestamp":1.5,"fields":{"k":${deep}}}]}`
                : `{"type":"hello","v":1,"session":"${session}","project":${deep}}`;
          return { kind: 'deep-nesting', state: where === 2 ? ('fresh' as const) : ('hello' as const), payload: text };
        }),
    },
    // oversize frames (just past the limit)
    {
      weight: 1,
      arbitrary: fc.tuple(fc.integer({ min: 1, max: 4_096 }), fc.boolean()).map(([extra, binary]) => ({
        kind: 'oversize',
        state: 'any' as const,
        payload: Buffer.alloc(MAX_FRAME_BYTES + extra, 0x20),
        binary,
      })),
    },
    // wrong types at every known path
    {
      weight: 6,
      arbitrary: fc
        .tuple(
          templates(session),
          fc.constantFrom(...PATHS),
          wrongValue,
          fc.constantFrom<Case['state']>('fresh', 'hello', 'any'),
        )
        .map(([t, path, value, state]) => ({
          kind: 'wrong-type',
          state,
          payload: JSON.stringify(setPath(t, path, value)),
        })),
    },
    // __proto__ / constructor keys
    {
      weight: 4,
      arbitrary: protoText(session).map(({ state, text }) => ({ kind: 'proto-keys', state, payload: text })),
    },
    // invalid UTF-8 inside an otherwise valid frame
    {
      weight: 2,
      arbitrary: fc
        .tuple(valid, fc.constantFrom(...BAD_UTF8), fc.nat(), fc.constantFrom<Case['state']>('fresh', 'hello'))
        .map(([t, bad, n, state]) => {
          const bytes = Buffer.from(t);
          const at = n % bytes.length;
          return {
            kind: 'invalid-utf8',
            state,
            payload: Buffer.concat([bytes.subarray(0, at), Buffer.from(bad), bytes.subarray(at)]),
          };
        }),
    },
    // huge, negative, fractional, non-numeric seqs, written as raw JSON numbers
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          fc.oneof(
            fc.constantFrom(
              '0',
              '-0',
              '-1',
              '1.5',
              '9007199254740992',
              '9007199254740993',
              '1e308',
              '1e400',
              '-1e400',
              '1E3',
              '0.0',
              '5e-324',
              '1e16',
              '"1"',
              'null',
              'true',
              '[]',
              '{}',
              '18446744073709551616',
            ),
            fc.integer({ min: -(2 ** 31), max: 0 }).map(String),
            fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
          ),
          fc.boolean(),
        )
        .map(([seq, twice]) => ({
          kind: 'bad-seq',
          state: 'hello' as const,
          payload: `{"type":"events","events":[${twice ? `{"seq":5,"event_type":"x","event_description":"d","timestamp":1.5},` : ''}{"seq":${seq},"event_type":"x","event_description":"d","timestamp":1.5}]}`,
        })),
    },
    // too many events, falling seqs
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1_001, max: 1_500 }).map((n) => ({
        kind: 'too-many-events',
        state: 'hello' as const,
        payload: JSON.stringify({ type: 'events', events: Array.from({ length: n }, (_, i) => ev(10_000_000 + i)) }),
      })),
    },
    {
      weight: 1,
      arbitrary: bigSeq.map((s) => ({
        kind: 'falling-seqs',
        state: 'hello' as const,
        payload: JSON.stringify({ type: 'events', events: [ev(s + 1), ev(s)] }),
      })),
    },
    // duplicate hello, events before hello
    {
      weight: 2,
      arbitrary: fc.constant({
        kind: 'duplicate-hello',
        state: 'hello' as const,
        payload: JSON.stringify(helloOf(session)),
      }),
    },
    {
      weight: 2,
      arbitrary: bigSeq.map((s) => ({
        kind: 'events-before-hello',
        state: 'fresh' as const,
        payload: JSON.stringify({ type: 'events', events: [ev(s)] }),
      })),
    },
    // a session that belongs to the honest bot's project, or another session's id under another project
    {
      weight: 1,
      arbitrary: fc.constant({
        kind: 'session-hijack',
        state: 'fresh' as const,
        payload: JSON.stringify(helloOf(session, 'SomeoneElse')),
      }),
    },
    // random JSON values as frames
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.jsonValue({ maxDepth: 4 }), fc.constantFrom<Case['state']>('fresh', 'hello'))
        .map(([v, state]) => ({ kind: 'random-json', state, payload: JSON.stringify(v) ?? 'null' })),
    },
  );
}

// ---- the test ----------------------------------------------------------------------------------------------------

describe('hostile frames (property-based)', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it(
    `answers ${FRAMES} hostile frames with an error or a clean close, and loses nothing of an honest bot`,
    async () => {
      rng('hostile-frames'); // announces the seed (fast-check runs with SEED + worker)
      const c: CollectorHandle = await startCollector();
      cleanup.add(() => c.close());

      // The honest bot streams for the whole run.
      const honest = new AuditNotifier({
        projectName: 'HonestBot',
        projectMarket: 'FOREX',
        url: c.ingestUrl,
        projectDescription: 'keeps working',
      });
      cleanup.add(() => honest.close(500));
      let honestSends = 0;
      const honestTimer = setInterval(
        () => {
          for (let k = 0; k < 3; k++)
            honest.send('trade_opened', `honest ${++honestSends} ✓`, { n: honestSends, nested: { ok: [1, 2, 3] } });
        },
        size(10, 40),
      ); // slower in the long run: its journal is what every valid dump frame reads
      cleanup.add(() => clearInterval(honestTimer));

      const outcomes: Record<string, Record<string, number>> = {};
      let cases = 0;
      let connections = 0;
      const worker = async (w: number, runs: number): Promise<void> => {
        const session = `hostile-worker-${w}-${SEED}`;
        let conn: Conn | null = null;
        const fresh = async (): Promise<Conn> => {
          await conn?.close();
          connections++;
          conn = await Conn.open(c.ingestUrl);
          return conn;
        };
        const inState = async (state: Case['state']): Promise<Conn> => {
          if (conn !== null) expect(conn.unexpected(), 'frames nobody asked for').toEqual([]);
          if (conn === null || !conn.open) return state === 'hello' ? helloed(await fresh()) : fresh();
          if (state === 'fresh' && conn.helloed) return fresh();
          if (state === 'hello' && !conn.helloed) return helloed(conn.refused === 0 ? conn : await fresh());
          return conn;
        };
        const helloed = async (k: Conn): Promise<Conn> => {
          k.ws.send(JSON.stringify(helloOf(session)));
          const r = await k.next(10_000, 'the worker hello');
          expect(r.kind === 'frame' && r.frame['type'], `worker hello answered ${JSON.stringify(r)}`).toBe('welcome');
          k.helloed = true;
          return k;
        };
        cleanup.add(() => conn?.close());
        // Claim the session first: a session-hijack case drawn before any helloed one would otherwise be the
        // session's first hello, bind it to 'SomeoneElse', and lock the worker out of its own session.
        await helloed(await fresh());
        await fc.assert(
          fc.asyncProperty(arbCase(session), async (cs) => {
            const k = await inState(cs.state);
            const what = `${cs.kind} (${String(cs.payload.length)} bytes: ${String(cs.payload).slice(0, 120)})`;
            k.ws.send(cs.payload, { binary: cs.binary === true });
            const r = await k.next(15_000, what);
            let outcome: string;
            if (r.kind === 'close') {
              expect(CLEAN_CLOSES.has(r.code), `${what}: closed with ${r.code}`).toBe(true);
              outcome = `close ${r.code}`;
            } else {
              const f = r.frame;
              expect(
                ['error', 'ack', 'welcome', 'dumped'],
                `${what}: answered ${JSON.stringify(f).slice(0, 200)}`,
              ).toContain(f['type']);
              outcome = f['type'] === 'error' ? String(f['code']) : String(f['type']);
              if (f['type'] === 'welcome') k.helloed = true;
              if (f['type'] === 'error') {
                expect(String(f['message']).length, `${what}: error says why`).toBeGreaterThan(0);
                // A valid dump on a healthy disk must succeed, even with other workers dumping at the same time.
                expect(f['code'], `${what}: ${String(f['message'])}`).not.toBe('E_DUMP_FAILED');
                const fatal =
                  FATAL.has(String(f['code'])) || (f['code'] !== 'E_DUMP_FAILED' && ++k.refused > MAX_BAD_FRAMES);
                if (fatal) {
                  // The collector ends the connection: maybe one more error (too many bad frames), then a clean close.
                  let end = await k.next(15_000, `${what}: the close after a fatal error`);
                  if (end.kind === 'frame' && end.frame['type'] === 'error')
                    end = await k.next(15_000, `${what}: the close`);
                  expect(
                    end.kind === 'close' && CLEAN_CLOSES.has(end.code),
                    `${what}: ended with ${JSON.stringify(end)}`,
                  ).toBe(true);
                }
              }
            }
            outcomes[cs.kind] ??= {};
            outcomes[cs.kind]![outcome] = (outcomes[cs.kind]![outcome] ?? 0) + 1;
            if (++cases % 2_000 === 0) expect((await health(c.httpUrl))['status']).toBe('ok');
          }),
          { numRuns: runs, seed: SEED + w, endOnFailure: true },
        );
      };
      await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w, Math.ceil(FRAMES / WORKERS))));

      // The collector is up and well, and the honest bot lost nothing.
      clearInterval(honestTimer);
      expect(await honest.flush(30_000)).toBe(true);
      const h = await health(c.httpUrl);
      expect(h['status']).toBe('ok');
      expect(h['integrity'].ok).toBe(true);
      const st = honest.stats();
      expect(st).toMatchObject({ acked: honestSends + 1, dropped: 0, queued: 0 });
      const mine = journalRecords(c.dataDir).filter((r) => r['project_name'] === 'HonestBot');
      const seqs = mine.filter((r) => r['seq'] > 0).map((r) => r['seq']);
      expect(seqs).toEqual(Array.from({ length: honestSends + 1 }, (_, i) => i + 1));
      expect(mine.filter((r) => r['event_type'] === 'ic-audit.gap')).toHaveLength(0);
      expect(
        mine.filter((r) => r['event_type'] === 'trade_opened').every((r) => r['fields'].nested.ok.length === 3),
      ).toBe(true);
      const v = verify(c.dataDir);
      expect(v.status, v.out).toBe(0);
      report('hostile-frames', { frames: cases, connections, honestEvents: honestSends + 1, outcomes });
    },
    size(120_000, 1_800_000),
  );

  it(
    `answers or closes ${RAW_TCP} raw TCP connections of random bytes, and stays up`,
    async () => {
      const c: CollectorHandle = await startCollector();
      cleanup.add(() => c.close());
      const outcomes: Record<string, number> = {};
      const firsts = fc.oneof(
        fc.uint8Array({ minLength: 1, maxLength: 2_000 }).map((b) => Buffer.from(b)),
        fc
          .tuple(
            fc.constantFrom(
              '{',
              ' ',
              '\n',
              'dump',
              'dump_audit_trails',
              'GET / HTTP/1.1\r\n',
              'POST /ingest HTTP/1.1\r\nContent-Length: 99999\r\n\r\n',
              'GET /ingest HTTP/1.1\r\nUpgrade: websocket\r\n',
            ),
            fc.uint8Array({ maxLength: 500 }),
          )
          .map(([p, b]) => Buffer.concat([Buffer.from(p), Buffer.from(b)])),
      );
      await fc.assert(
        fc.asyncProperty(firsts, async (bytes) => {
          const sock = connect(c.port, '127.0.0.1');
          sock.on('error', () => undefined);
          let got = 0;
          sock.on('data', (d: Buffer) => (got += d.length));
          const closed = new Promise<void>((r) => sock.once('close', () => r()));
          sock.end(bytes);
          const ok = await Promise.race([
            closed.then(() => true),
            new Promise<boolean>((r) => setTimeout(() => r(false), 10_000)),
          ]);
          sock.destroy();
          expect(
            ok,
            `the collector neither answered nor closed after ${bytes.length} bytes: ${bytes.subarray(0, 60).toString('latin1')}`,
          ).toBe(true);
          const key = got > 0 ? 'answered+closed' : 'closed';
          outcomes[key] = (outcomes[key] ?? 0) + 1;
        }),
        { numRuns: RAW_TCP, seed: SEED, endOnFailure: true },
      );
      await until(async () => (await health(c.httpUrl))['status'] === 'ok', 'healthz ok');
      report('hostile-tcp', { connections: RAW_TCP, outcomes });
    },
    size(60_000, 600_000),
  );
});
