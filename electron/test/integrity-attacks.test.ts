/**
 * Issue #13's table, one test per attack, each on its own copy of one data dir: two days' segments, ~3,000 records,
 * signed heads every 0.2 s while the bot sent, a clean stop. The attacker has the files but not the key.
 * `verify` runs as a child process against the public key, as a compliance officer would run it.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, recordBody, sealRecord } from '@ic-audit/shared';
import { sha256 as sha256Hex } from '../src/journal/hash.js';
import { CLI, collectorsPerTest, startCollector } from '../../test/helpers/collector.js';
import { connectRaw } from '../../test/helpers/raw-client.js';

const { start } = collectorsPerTest();
let root: string;
let base: string;
let keyFile: string;
let pubFile: string;
let witness: string;

function run(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env } });
  return { status: r.status, out: r.stdout + r.stderr };
}
const verify = (dir: string, ...extra: string[]): { status: number | null; out: string } =>
  run(['verify', '--data-dir', dir, '--public-key', pubFile, ...extra]);
function copy(): string {
  const dir = mkdtempSync(join(root, 'copy-'));
  cpSync(base, dir, { recursive: true });
  return dir;
}
const journal = (dir: string): string => join(dir, 'journal');
const segments = (dir: string): string[] =>
  readdirSync(journal(dir))
    .filter((n) => n.endsWith('.jsonl'))
    .sort()
    .map((n) => join(journal(dir), n));
const lines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').slice(0, -1);
const heads = (dir: string): Array<Record<string, any>> =>
  lines(join(journal(dir), 'heads.ndjson')).map((l) => JSON.parse(l));
async function health(url: string): Promise<Record<string, any>> {
  return (await (await fetch(`${url}/healthz`)).json()) as Record<string, any>;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'ic-audit-attacks-'));
  base = join(root, 'base');
  keyFile = join(root, 'keys', 'signing-key.pem');
  pubFile = join(root, 'public.pem');
  witness = join(root, 'witness', 'heads.ndjson');
  const key = run(['key', '--data-dir', base, '--key-file', keyFile]);
  expect(key.status).toBe(0);
  writeFileSync(pubFile, /-----BEGIN PUBLIC KEY-----[\s\S]*-----END PUBLIC KEY-----\n/.exec(key.out)![0]);
  const c = await startCollector({
    dataDir: base,
    keepDataDir: true,
    args: ['--key-file', keyFile, '--head-interval', '0.2', '--witness-file', witness],
  });
  try {
    const bot = await connectRaw(c.ingestUrl);
    for (let burst = 0; burst < 6; burst++) {
      bot.sendRange(burst * 500 + 1, burst * 500 + 500, 100);
      await bot.waitForAck(burst * 500 + 500);
      // Wait until a head is in the journal covering this burst (the signer journals one within 0.2 s).
      const want = (burst + 1) * 500;
      for (let i = 0; i < 500 && !heads(base).some((h) => h['in_journal'] && h['last_id'] >= want); i++)
        await new Promise((r) => setTimeout(r, 20));
    }
    await bot.close();
  } finally {
    expect(await c.kill('SIGTERM')).toBe(0);
  }
  // Two days' segments: the older half of the records goes into yesterday's file.
  const [today] = segments(base);
  const all = lines(today!);
  const older = all.slice(0, 1_500).join('\n') + '\n';
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  writeFileSync(join(journal(base), `${yesterday}.jsonl`), older);
  writeFileSync(today!, all.slice(1_500).join('\n') + '\n');
  const cp = JSON.parse(readFileSync(join(journal(base), 'checkpoint.json'), 'utf8'));
  cp.offset -= Buffer.byteLength(older);
  writeFileSync(join(journal(base), 'checkpoint.json'), JSON.stringify(cp));
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('signed heads catch every attack in the table', () => {
  it('the untouched journal verifies, with its heads and its witness', () => {
    expect(segments(base)).toHaveLength(2);
    const v = verify(base, '--witness', witness);
    expect(v.out).toMatch(/^OK: chain intact, 30\d\d records, .*signed heads, newest #\d+ \(stop, .*witness agrees/);
    expect(v.status).toBe(0);
  });

  it('one byte edited in the middle: exit 1, names the record', () => {
    const dir = copy();
    const file = segments(dir)[0]!;
    const l = lines(file);
    const victim = JSON.parse(l[700]!).id as number;
    l[700] = l[700]!.replace('"event_description":"event ', '"event_description":"Event ');
    writeFileSync(file, l.join('\n') + '\n');
    const v = verify(dir);
    expect(v.status).toBe(1);
    expect(v.out).toContain(`BROKEN at record ${victim}: record ${victim} does not match its hash (edited)`);
  });

  it('one record deleted in the middle: exit 1', () => {
    const dir = copy();
    const file = segments(dir)[1]!;
    const l = lines(file);
    l.splice(400, 1);
    writeFileSync(file, l.join('\n') + '\n');
    const v = verify(dir);
    expect(v.status).toBe(1);
    expect(v.out).toMatch(/does not link to the record before it/);
  });

  it('the last 25 records cut off the newest segment at a line end: exit 1, says how many are missing', () => {
    const dir = copy();
    const file = segments(dir)[1]!;
    const l = lines(file);
    const end = JSON.parse(l.at(-1)!).id as number;
    writeFileSync(file, l.slice(0, -25).join('\n') + '\n');
    const v = verify(dir);
    expect(v.status).toBe(1);
    expect(v.out).toMatch(
      new RegExp(
        `E_JOURNAL_SHORT: journal ends at record ${end - 25}, but the head #\\d+ signed \\S+ \\S+ UTC covers ${end}: 25 records missing`,
      ),
    );
  });

  it('the newest segment file deleted: exit 1', () => {
    const dir = copy();
    unlinkSync(segments(dir)[1]!);
    const v = verify(dir);
    expect(v.status).toBe(1);
    expect(v.out).toMatch(
      /E_JOURNAL_SHORT: journal ends at record 1500, but the head #\d+ signed .* covers 30\d\d: \d+ records missing/,
    );
  });

  it('a value changed in an early record, every later hash re-computed with recordBody / sealRecord: exit 1', () => {
    const dir = copy();
    let prev = GENESIS_HASH;
    let changed: number | null = null;
    for (const file of segments(dir)) {
      const out = lines(file).map((line) => {
        const r = JSON.parse(line);
        if (changed === null && r.event_type === 'trade_opened' && r.id > 50) {
          r.fields.symbol = 'USDJPY';
          changed = r.id;
        }
        const body = recordBody(
          r.id,
          r.received_at,
          JSON.stringify(r.session),
          r.seq,
          r.source,
          JSON.stringify(r.project_name),
          JSON.stringify(r.event_type),
          JSON.stringify(r.event_description),
          r.timestamp,
          '',
          JSON.stringify(r.fields),
          prev,
        );
        prev = sha256Hex(body);
        return sealRecord(body, prev);
      });
      writeFileSync(file, out.join('\n') + '\n');
    }
    rmSync(join(journal(dir), 'checkpoint.json'));
    const v = verify(dir);
    expect(v.out).not.toContain('does not match its hash');
    expect(v.out).toMatch(
      /E_HEAD_MISMATCH: (journal )?record \d+ is not the record .*head #\d+ .*covers: the journal was rewritten/,
    );
    expect(v.status).toBe(1);
  });

  it('the tail cut and checkpoint.json deleted: exit 1', () => {
    const dir = copy();
    const file = segments(dir)[1]!;
    const l = lines(file);
    writeFileSync(file, l.slice(0, -40).join('\n') + '\n');
    rmSync(join(journal(dir), 'checkpoint.json'));
    const v = verify(dir);
    expect(v.status).toBe(1);
    expect(v.out).toMatch(/E_JOURNAL_SHORT: .*40 records missing/);
  });

  it('the tail cut, then one clean start re-makes the checkpoint: loud at start (healthz, stderr), verify exit 1 after', async () => {
    const dir = copy();
    const file = segments(dir)[1]!;
    truncateSync(file, Buffer.byteLength(lines(file).slice(0, -25).join('\n') + '\n'));
    const c = await start({ dataDir: dir, keepDataDir: true, args: ['--key-file', keyFile] });
    const h = await health(c.httpUrl);
    expect(h['status']).toBe('degraded');
    expect(h['integrity'].message).toMatch(
      /at start: journal ends at record \d+, but head #\d+ signed .* covers \d+: 25 records missing/,
    );
    expect(h['integrity'].findings.map((f: { code: string }) => f.code)).toContain('E_JOURNAL_SHORT');
    expect(c.output()).toMatch(/INTEGRITY ERROR E_JOURNAL_SHORT/);
    expect(await c.kill('SIGTERM')).toBe(0);
    const v = verify(dir);
    expect(v.status).toBe(1);
    expect(v.out).toMatch(
      /E_JOURNAL_SHORT: journal ends at record \d+, but the head #\d+ signed .* covers \d+: 25 records missing|E_HEAD_MISMATCH/,
    );
  });

  it('the tail cut together with the newest heads: a warning without a witness, exit 1 with it', () => {
    const dir = copy();
    const file = segments(dir)[1]!;
    const l = lines(file);
    const keep = l.slice(0, -300);
    const lastKept = JSON.parse(keep.at(-1)!).id as number;
    writeFileSync(file, keep.join('\n') + '\n');
    const hs = lines(join(journal(dir), 'heads.ndjson')).filter(
      (x) => JSON.parse(x).last_id + (JSON.parse(x).in_journal ? 1 : 0) <= lastKept,
    );
    writeFileSync(join(journal(dir), 'heads.ndjson'), hs.join('\n') + '\n');
    rmSync(join(journal(dir), 'checkpoint.json'));
    const v = verify(dir);
    expect(v.out).toMatch(/WARNING E_UNCLEAN_STOP: the journal does not end with a clean stop/);
    const w = verify(dir, '--witness', witness);
    expect(w.status).toBe(1);
    expect(w.out).toMatch(
      /E_WITNESS_AHEAD: the witness holds head #\d+ .* that the heads file lacks: the newest heads were removed/,
    );
    expect(w.out).toMatch(/E_JOURNAL_SHORT: journal ends at record \d+, but the witness head #\d+/);
  });

  it('records appended after the clean stop (chained correctly, no key needed): exit 1', () => {
    const dir = copy();
    const file = segments(dir)[1]!;
    const last = JSON.parse(lines(file).at(-1)!);
    const body = recordBody(
      last.id + 1,
      last.received_at + 1,
      JSON.stringify(last.session),
      0,
      'ws',
      '"TestBot"',
      '"trade_opened"',
      '"forged"',
      last.timestamp + 1,
      '',
      '{}',
      last.hash,
    );
    writeFileSync(file, readFileSync(file, 'utf8') + sealRecord(body, sha256Hex(body)) + '\n');
    const v = verify(dir);
    expect(v.status).toBe(1);
    expect(v.out).toMatch(/E_APPENDED_WHILE_STOPPED: records \d+\.\.\d+ were added after the collector stopped/);
  });

  it('a forged heads file (another key) is refused', () => {
    const dir = copy();
    const other = join(root, 'other.pem');
    expect(run(['key', '--data-dir', dir, '--key-file', other]).status).toBe(0);
    const v = run(['verify', '--data-dir', dir, '--key-file', other]);
    expect(v.status).toBe(1);
    expect(v.out).toMatch(/E_HEAD_SIGNATURE: head #1 .* is signed by key [0-9a-f]{16}…, which is not the trusted key/);
  });
});
