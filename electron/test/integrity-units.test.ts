/** Pure parts of docs/integrity.md, tested directly: head encoding and chain rules, key store, dump splitting. */
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '@ic-audit/shared';
import { checkHeads, type JournalFacts } from '../src/integrity/check-heads.js';
import { startFindings } from '../src/integrity/head-signer.js';
import { encodeHead, headHash, headSignatureFault, nextHead, type SignedHead } from '../src/integrity/heads.js';
import { eventTextHash, manifestMessage } from '../src/integrity/manifest.js';
import {
  checkKeyLocation,
  defaultKeyFile,
  FileKeyStore,
  generateSigningKey,
  KeyError,
  openSigningKey,
  publicKeyB64,
  signText,
  trustKeys,
} from '../src/integrity/signing-key.js';
import { checkDump, splitDumpEvents } from '../src/integrity/verify-dump.js';
import { SafeStorageKeyStore, type SafeStorageLike } from '../src/shell/safe-storage-key-store.js';

const root = mkdtempSync(join(tmpdir(), 'integrity-units-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const { key } = generateSigningKey();
const trusted = trustKeys(key.publicKey);
const T0 = Date.parse('2026-11-29T21:00:00Z');

/** A run of heads: start at T0, then one per `stepS` seconds, each covering `perStep` more records (journaled). */
function run(count: number, stepS = 60, perStep = 10, last: SignedHead | null = null, t0 = T0): SignedHead[] {
  const out: SignedHead[] = [];
  let prev = last;
  let id = last === null ? 0 : last.last_id + (last.in_journal ? 1 : 0);
  for (let i = 0; i < count; i++) {
    const kind = i === 0 ? 'start' : 'interval';
    if (i > 0) id += perStep;
    const h = nextHead(
      prev,
      {
        kind,
        at: new Date(t0 + i * stepS * 1000),
        last_id: id,
        last_hash: `h${id}`,
        in_journal: i > 0,
        interval_s: 60,
      },
      key,
    );
    if (i > 0) id++; // the head record itself
    out.push(h);
    prev = h;
  }
  return out;
}
/** Journal facts matching a list of heads (every covered hash as the head says, head records present). */
function facts(
  heads: SignedHead[],
  lastId = Math.max(0, ...heads.map((h) => h.last_id + (h.in_journal ? 1 : 0))),
): JournalFacts {
  return {
    lastId,
    records: lastId,
    hashAt: (id) => (id <= lastId ? `h${id}` : undefined),
    journalHeads: heads
      .filter((h) => h.in_journal && h.last_id < lastId)
      .map((h) => ({ id: h.last_id + 1, prevHash: `h${h.last_id}`, head: h })),
  };
}
const lines = (heads: SignedHead[]) => heads.map((head, i) => ({ head, line: i + 1 }));
const codes = (v: { findings: Array<{ code: string }> }) => v.findings.map((f) => f.code);
const input = (heads: SignedHead[], extra: Partial<Parameters<typeof checkHeads>[1]> = {}) => ({
  file: lines(heads),
  trusted,
  now: Date.parse(heads.at(-1)!.at) + 1000,
  running: true,
  ...extra,
});

describe('heads', () => {
  it('encode in a fixed key order, sign, chain by hash; any edited field breaks the signature', () => {
    const [a, b] = run(2);
    expect(encodeHead(a!)).toMatch(
      /^\{"v":1,"n":1,"kind":"start","at":"2026-11-29T21:00:00.000Z","last_id":0,"last_hash":"h0","in_journal":false,"interval_s":60,"prev":"0{64}","key":"[0-9a-f]{64}"\}$/,
    );
    expect(b!.prev).toBe(headHash(a!));
    expect(headSignatureFault(b!, trusted)).toBeNull();
    // Key order in storage does not matter; values do.
    const { sig, ...rest } = b!;
    const reordered = JSON.parse(JSON.stringify({ sig, ...rest })) as SignedHead;
    expect(headSignatureFault(reordered, trusted)).toBeNull();
    expect(headSignatureFault({ ...b!, last_id: b!.last_id + 1 }, trusted)).toBe('bad-signature');
    expect(headSignatureFault(b!, trustKeys(generateSigningKey().key.publicKey))).toBe('untrusted-key');
  });

  it('checkHeads: a clean run passes; a rotation hands trust to the next key', () => {
    const heads = run(5);
    expect(checkHeads(facts(heads), input(heads)).findings).toEqual([]);
    const next = generateSigningKey().key;
    const rot = nextHead(
      heads.at(-1)!,
      {
        kind: 'rotate',
        at: new Date(T0 + 300_000),
        last_id: heads.at(-1)!.last_id + 1,
        last_hash: `h${heads.at(-1)!.last_id + 1}`,
        in_journal: false,
        interval_s: 60,
        next_key: publicKeyB64(next.publicKey),
      },
      key,
    );
    const after = nextHead(
      rot,
      {
        kind: 'interval',
        at: new Date(T0 + 330_000),
        last_id: rot.last_id,
        last_hash: rot.last_hash,
        in_journal: false,
        interval_s: 60,
      },
      next,
    );
    const all = [...heads, rot, after];
    expect(checkHeads(facts(all), input(all)).findings).toEqual([]);
    // Without the rotation head, the new key's heads are not trusted.
    expect(codes(checkHeads(facts(all), input([...heads, after])))).toContain('E_HEAD_SIGNATURE');
  });

  it('checkHeads: a silence longer than two intervals within a run, a stale head while running, a heads file cut behind the collector', () => {
    const heads = run(3);
    const late = nextHead(
      heads.at(-1)!,
      {
        kind: 'interval',
        at: new Date(T0 + 600_000),
        last_id: 40,
        last_hash: 'h40',
        in_journal: false,
        interval_s: 60,
      },
      key,
    );
    expect(codes(checkHeads(facts([...heads, late]), input([...heads, late])))).toEqual(['E_HEAD_GAP']);
    expect(codes(checkHeads(facts(heads), input(heads, { now: T0 + 3_600_000 })))).toEqual(['E_HEAD_STALE']);
    expect(codes(checkHeads(facts(heads), input(heads, { minHeadN: 5 })))).toEqual(['E_HEADS_CUT']);
  });

  it('checkHeads: stopped collectors end in a stop head; records after it, or a lost tail before a restart, are caught', () => {
    const first = run(3);
    const stop = nextHead(
      first.at(-1)!,
      { kind: 'stop', at: new Date(T0 + 150_000), last_id: 23, last_hash: 'h23', in_journal: false, interval_s: 60 },
      key,
    );
    const heads = [...first, stop];
    expect(checkHeads(facts(heads), input(heads, { running: false })).findings).toEqual([]);
    expect(codes(checkHeads(facts(heads, 30), input(heads, { running: false })))).toEqual(['E_APPENDED_WHILE_STOPPED']);
    expect(codes(checkHeads(facts(first), input(first, { running: false })))).toEqual(['E_UNCLEAN_STOP']);
    const restart = run(1, 60, 10, stop, T0 + 3_600_000);
    const lost = nextHead(
      stop,
      { kind: 'start', at: new Date(T0 + 3_600_000), last_id: 20, last_hash: 'h20', in_journal: false, interval_s: 60 },
      key,
    );
    expect(checkHeads(facts([...heads, ...restart]), input([...heads, ...restart])).findings).toEqual([]);
    expect(codes(checkHeads(facts([...heads, lost], 20), input([...heads, lost])))).toContain(
      'E_APPENDED_WHILE_STOPPED',
    );
  });

  it('checkHeads: a witness ahead of the heads file, or disagreeing with it', () => {
    const heads = run(4);
    const cut = heads.slice(0, 2);
    const v = checkHeads(facts(cut), { ...input(cut), witness: lines(heads) });
    expect(codes(v)).toEqual(expect.arrayContaining(['E_WITNESS_AHEAD', 'E_JOURNAL_SHORT']));
    const forged = { ...heads[1]!, sig: heads[2]!.sig };
    expect(codes(checkHeads(facts(heads), { ...input(heads), witness: lines([heads[0]!, forged]) }))).toContain(
      'E_WITNESS',
    );
  });

  it('startFindings: shorter than the checkpoint or the newest head is an error; an unclean stop a warning', () => {
    const [a, b] = run(2);
    expect(startFindings({ lastId: b!.last_id + 1, checkpoint: null, newest: b! }).map((f) => f.code)).toEqual([
      'E_UNCLEAN_STOP',
    ]);
    expect(startFindings({ lastId: 3, checkpoint: null, newest: b! })[0]).toMatchObject({
      code: 'E_JOURNAL_SHORT',
      severity: 'error',
      message: `at start: journal ends at record 3, but head #2 signed 2026-11-29 21:01:00 UTC covers 11: 8 records missing`,
    });
    const stop = { ...a!, kind: 'stop' as const };
    expect(
      startFindings({ lastId: 0, checkpoint: { last_id: 9, written_at: '2026-11-29T21:00:00Z' }, newest: stop }).map(
        (f) => f.message,
      ),
    ).toEqual([
      'at start: journal ends at record 0, but the checkpoint written 2026-11-29 21:00:00 UTC covers 9: 9 records missing',
    ]);
  });
});

describe('key store', () => {
  it('creates a 0600 key in a 0700 folder, reloads the same key, refuses a file others can read or one inside the journal', () => {
    const file = join(root, 'cfg', 'keys', 'k.pem');
    const store = new FileKeyStore(file);
    const a = openSigningKey(store);
    expect(a.created).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, 'cfg', 'keys')).mode & 0o777).toBe(0o700);
    expect(openSigningKey(store)).toMatchObject({ created: false, key: { fingerprint: a.key.fingerprint } });
    chmodSync(file, 0o644);
    expect(() => store.load()).toThrow(expect.objectContaining({ code: 'E_KEY_PERMS' }));
    expect(() => checkKeyLocation('/d/journal/k.pem', '/d/journal')).toThrow(KeyError);
    expect(() => checkKeyLocation('/cfg/k.pem', '/d/journal')).not.toThrow();
    expect(defaultKeyFile('/cfg', '/home/u/.ic-audit', '/home/u/.ic-audit')).toBe('/cfg/signing-key.pem');
    expect(defaultKeyFile('/cfg', '/tmp/x', '/home/u/.ic-audit')).toMatch(/^\/cfg\/keys\/x-[0-9a-f]{16}\.pem$/);
    expect(defaultKeyFile('/cfg', '/tmp/x', '/home/u/.ic-audit')).not.toBe(
      defaultKeyFile('/cfg', '/tmp/y/x', '/home/u/.ic-audit'),
    );
  });

  it('desktop: the key is sealed by safeStorage (a fake here) and never stored in clear', () => {
    const fake: SafeStorageLike = {
      isEncryptionAvailable: () => true,
      encryptString: (s) => Buffer.from(Buffer.from(s, 'utf8').map((b) => b ^ 0x5a)),
      decryptString: (b) => Buffer.from(b.map((x) => x ^ 0x5a)).toString('utf8'),
    };
    const file = join(root, 'sealed', 'k.sealed');
    const store = new SafeStorageKeyStore(fake, file);
    const a = openSigningKey(store);
    expect(readFileSync(file, 'latin1')).not.toContain('PRIVATE KEY');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(openSigningKey(store).key.fingerprint).toBe(a.key.fingerprint);
    const locked = new SafeStorageKeyStore({ ...fake, isEncryptionAvailable: () => false }, file);
    expect(() => locked.load()).toThrow(expect.objectContaining({ code: 'E_KEY' }));
  });
});

describe('dumps', () => {
  it("splitDumpEvents finds each event's exact text in seed JSON (strings with brackets and quotes), NDJSON and CSV", () => {
    const e1 = '{"event_type":"x","event_description":"a ] } \\" [ {","timestamp":1}';
    const e2 = '{"event_type":"y","n":[1,{"z":"]"}]}';
    const json = `{\n  "P \\"1\\"": [\n    ${e1},\n    ${e2}\n  ],\n  "Q": []\n}\n`;
    expect(splitDumpEvents(json, 'json')).toEqual([
      { text: e1, where: 'project "P \\"1\\"", event #1' },
      { text: e2, where: 'project "P \\"1\\"", event #2' },
    ]);
    expect(splitDumpEvents(JSON.stringify({ P: [JSON.parse(e1)] }), 'json').map((e) => e.text)).toEqual([
      JSON.stringify(JSON.parse(e1)),
    ]);
    expect(splitDumpEvents('{}\n', 'json')).toEqual([]);
    expect(splitDumpEvents(`${e1}\n${e2}\n`, 'ndjson').map((e) => e.where)).toEqual(['line 1', 'line 2']);
    const csv = 'id,x\r\n1,"a\r\nb,""c"""\r\n2,d\r\n';
    expect(splitDumpEvents(csv, 'csv')).toEqual([
      { text: '1,"a\r\nb,""c"""', where: 'row 2' },
      { text: '2,d', where: 'row 3' },
    ]);
    expect(() => splitDumpEvents('{"P": [ {"a":1}', 'json')).toThrow();
  });

  it('checkDump: intact, an edited event named, a removed one named, a foreign signature refused', () => {
    const events = ['{"a":1}', '{"a":2}', '{"a":3}'];
    const dump = `{\n  "P": [\n    ${events.join(',\n    ')}\n  ]\n}\n`;
    const manifest = (d: string, k = key): string => {
      const body = JSON.stringify(
        {
          v: 2,
          format: 'json',
          sha256: createHash('sha256').update(d).digest('hex'),
          head: null,
          records: events.map((t, i) => [i + 1, `r${i + 1}`, eventTextHash(t)]),
        },
        null,
        2,
      ).slice(0, -2);
      const sig = signText(k, manifestMessage(createHash('sha256').update(body).digest('hex')));
      return body + `,\n  "signature": {"alg":"ed25519","key":"${k.fingerprint}","sig":"${sig}"}\n}\n`;
    };
    const m = manifest(dump);
    expect(checkDump(Buffer.from(dump), m, trusted)).toMatchObject({ ok: true, events: 3 });
    const edited = dump.replace('{"a":2}', '{"a":9}');
    expect(checkDump(Buffer.from(edited), m, trusted).findings).toEqual([
      expect.objectContaining({ code: 'E_NO_HEADS', severity: 'warning' }),
      expect.objectContaining({
        code: 'E_DUMP_EDITED',
        message: 'the event of record 2 was edited (project "P", event #2)',
      }),
    ]);
    const removed = dump.replace(',\n    {"a":2}', '');
    expect(checkDump(Buffer.from(removed), m, trusted).findings.map((f) => f.message)).toContain(
      'the event of record 2 is missing from the dump (removed or edited)',
    );
    expect(codes(checkDump(Buffer.from(dump), m.replace('"r2"', '"r7"'), trusted))).toContain('E_MANIFEST_SIGNATURE');
    expect(codes(checkDump(Buffer.from(dump), manifest(dump, generateSigningKey().key), trusted))).toContain(
      'E_FOREIGN_KEY',
    );
    expect(GENESIS_HASH).toHaveLength(64);
  });
});
