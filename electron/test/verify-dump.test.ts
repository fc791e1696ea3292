/**
 * Offline dump verification (issue #13 item 4) and key rotation, through the real CLI and a real collector:
 * every dump comes with a signed manifest; `verify-dump` checks a file with no journal present.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnreadableSource } from '@ic-audit/shared';
import { writeDump } from '../src/dump/dump-writer.js';
import { generateSigningKey, signText, trustKeys } from '../src/integrity/signing-key.js';
import { checkDump } from '../src/integrity/verify-dump.js';
import { manifestMessage, splitManifest } from '../src/integrity/manifest.js';
import { CLI, collectorsPerTest, startCollector } from '../../test/helpers/collector.js';
import { connectRaw } from '../../test/helpers/raw-client.js';

const { start } = collectorsPerTest();
let root: string;
let dataDir: string;
let keyFile: string;
let pubFile: string;

function run(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}
/** verify-dump on a laptop: a copy of the dump and manifest in an empty folder, no data dir, the pinned public key. */
function verifyDump(
  dump: string,
  manifest = `${dump}.manifest.json`,
  pub = pubFile,
): { status: number | null; out: string } {
  const laptop = mkdtempSync(join(root, 'laptop-'));
  copyFileSync(dump, join(laptop, 'd'));
  copyFileSync(manifest, join(laptop, 'd.manifest.json'));
  return run(['verify-dump', join(laptop, 'd'), '--public-key', pub, '--data-dir', join(laptop, 'none')]);
}
function dump(format: string): string {
  const out = join(root, `dump-${format}-${Math.random().toString(36).slice(2)}.${format}`);
  const r = run(['dump', '--all', '--format', format, '--out', out, '--data-dir', dataDir, '--key-file', keyFile]);
  expect(r.status, r.out).toBe(0);
  return out;
}
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'ic-audit-dumps-'));
  dataDir = join(root, 'data');
  keyFile = join(root, 'cfg', 'k.pem');
  pubFile = join(root, 'pub.pem');
  const c = await startCollector({ dataDir, keepDataDir: true, args: ['--key-file', keyFile] });
  const bot = await connectRaw(c.ingestUrl);
  bot.send({
    type: 'events',
    events: Array.from({ length: 40 }, (_, i) => ({
      seq: i + 1,
      event_type: i % 7 === 0 ? 'error' : 'trade_opened',
      event_description: `ordre execute ${i} "q" , ]`,
      timestamp: Date.now() / 1000,
      fields: { symbol: 'EURUSD', n: i, note: 'a,b\r\nc é' },
    })),
  });
  await bot.waitForAck(40);
  await bot.close();
  expect(await c.kill('SIGTERM')).toBe(0);
  const key = run(['key', '--data-dir', dataDir, '--key-file', keyFile]);
  writeFileSync(pubFile, /-----BEGIN PUBLIC KEY-----[\s\S]*-----END PUBLIC KEY-----\n/.exec(key.out)![0]);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('verify-dump', () => {
  for (const format of ['json', 'ndjson', 'csv']) {
    it(`${format}: untouched passes; an edited event, a removed event, a rewritten manifest, a foreign key each fail`, () => {
      const file = dump(format);
      const text = readFileSync(file, 'utf8');
      const ok = verifyDump(file);
      expect(ok.out).toMatch(
        /^OK: .* matches its manifest: 40 events, signed by key [0-9a-f]{16}…, head #\d+ \(.*\) covering record \d+/,
      );
      expect(ok.status).toBe(0);

      const edited = join(root, `edited.${format}`);
      writeFileSync(edited, text.replace('ordre execute 17 ', 'ordre execute 71 '));
      const e = verifyDump(edited, `${file}.manifest.json`);
      expect(e.status).toBe(1);
      expect(e.out).toMatch(
        /E_DUMP_EDITED: the event of record \d+ was edited \((project "TestBot", event #18|line 18|row 19)\)/,
      );

      const removed = join(root, `removed.${format}`);
      const lines = text.split(format === 'csv' ? '\r\n' : '\n');
      const at = lines.findIndex((l) => l.includes('ordre execute 20 '));
      const cut = lines.filter((_, i) => i !== at).join(format === 'csv' ? '\r\n' : '\n');
      writeFileSync(removed, format === 'json' ? text.replace(/, \{[^{}]*ordre execute 20 [^{}]*\}/, '') : cut);
      const r = verifyDump(removed, `${file}.manifest.json`);
      expect(r.status).toBe(1);
      expect(r.out).toMatch(/E_DUMP_MISSING: the event of record \d+ is missing from the dump \(removed or edited\)/);

      // The attacker edits the event and updates the manifest to match (its hashes and the file's SHA-256).
      const manifest = readFileSync(`${file}.manifest.json`, 'utf8');
      const editedText = readFileSync(edited, 'utf8');
      const oldEvent = format === 'json' ? /\{[^{}]*ordre execute 17 [^{}]*\}/.exec(text)![0] : null;
      let rewritten = manifest.replace(sha(text), sha(editedText));
      if (oldEvent !== null)
        rewritten = rewritten.replace(sha(oldEvent), sha(oldEvent.replace('ordre execute 17 ', 'ordre execute 71 ')));
      writeFileSync(`${edited}.manifest.json`, rewritten);
      const m = verifyDump(edited);
      expect(m.status).toBe(1);
      expect(m.out).toContain('E_MANIFEST_SIGNATURE: the manifest was changed after it was signed');

      // ... and re-signs it with a key of their own.
      const foreign = generateSigningKey().key;
      const body = splitManifest(rewritten)!.body;
      const sig = signText(foreign, manifestMessage(sha(body)));
      writeFileSync(
        `${edited}.manifest.json`,
        body + `,\n  "signature": {"alg":"ed25519","key":"${foreign.fingerprint}","sig":"${sig}"}\n}\n`,
      );
      const f = verifyDump(edited);
      expect(f.status).toBe(1);
      expect(f.out).toMatch(/E_FOREIGN_KEY: the manifest is signed by key [0-9a-f]{16}…, not by the trusted key/);
    });
  }

  it('a dump whose source had unreadable messages says so in its result and signed manifest; verify-dump fails it', async () => {
    const key = generateSigningKey().key;
    const trusted = trustKeys(key.publicKey);
    const write = (unreadable?: UnreadableSource[]) =>
      writeDump(
        dataDir,
        { all: true, format: 'ndjson', out: join(root, `src-${unreadable?.length ?? 'none'}.ndjson`) },
        { now: Date.now, signer: { key, head: null }, ...(unreadable ? { unreadable } : {}) },
      );
    const clean = await write();
    expect(clean.warning).toBeUndefined();
    const cleanManifest = readFileSync(clean.manifest, 'utf8');
    expect(cleanManifest).not.toContain('source_unreadable'); // local dumps keep their manifest as before
    expect(checkDump(readFileSync(clean.path), cleanManifest, trusted).ok).toBe(true);

    const holes = [
      { stream_seq: 812, reason: 'payload does not decompress (x)' },
      { stream_seq: 907, reason: 'unknown Ic-Audit-Encoding "zz"' },
    ];
    const holed = await write(holes);
    expect(holed.events).toBe(40);
    expect(holed.warning).toBe(
      '2 stream messages could not be read and their records are not in this dump (stream seq 812: payload does not ' +
        'decompress (x); …); the manifest lists them under source_unreadable',
    );
    const manifest = readFileSync(holed.manifest, 'utf8');
    expect(JSON.parse(splitManifest(manifest)!.body + '\n}').source_unreadable).toEqual(holes);
    const v = checkDump(readFileSync(holed.path), manifest, trusted);
    expect(v.ok).toBe(false);
    expect(v.findings).toEqual([
      expect.objectContaining({ code: 'E_NO_HEADS' }),
      {
        code: 'E_SOURCE_UNREADABLE',
        severity: 'error',
        message:
          'the dump is not the whole trail: 2 stream messages could not be read when it was written (stream seq 812: ' +
          'payload does not decompress (x))',
      },
    ]);
    // Dropping the list from the manifest breaks its signature: the warning cannot be removed quietly.
    const stripped = manifest.replace(/,\n\s*"source_unreadable": \[[^\]]*\]/, '');
    expect(stripped).not.toContain('source_unreadable');
    expect(checkDump(readFileSync(holed.path), stripped, trusted).findings.map((f) => f.code)).toContain(
      'E_MANIFEST_SIGNATURE',
    );
  });

  it('without a trusted key it refuses to vouch (exit 2)', () => {
    const file = dump('ndjson');
    const r = run([
      'verify-dump',
      file,
      '--data-dir',
      join(root, 'nowhere'),
      '--key-file',
      join(root, 'no-such-key.pem'),
    ]);
    expect(r.status).toBe(2);
    expect(r.out).toContain('E_NO_TRUSTED_KEY');
  });

  it('a console dump of a running collector is signed and covered by a fresh head; the console verifies a file too', async () => {
    const c = await start({ dataDir, keepDataDir: true, args: ['--key-file', keyFile] });
    const auth = { authorization: `Bearer ${c.consoleToken}`, 'content-type': 'application/json' };
    const res = await fetch(`${c.httpUrl}/api/dump`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ scope: 'all', format: 'json' }),
    });
    const d = (await res.json()) as { result: { path: string; manifest: string } };
    const manifest = JSON.parse(readFileSync(d.result.manifest, 'utf8'));
    expect(manifest.head).toMatchObject({ kind: 'dump', key: manifest.key });
    expect(manifest.head.last_id).toBeGreaterThanOrEqual(manifest.last_id);
    expect(verifyDump(d.result.path).status).toBe(0);
    const text = readFileSync(d.result.path, 'utf8');
    const ask = async (dumpText: string): Promise<Record<string, any>> =>
      (await (
        await fetch(`${c.httpUrl}/api/verify-dump`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ dump: dumpText, manifest: readFileSync(d.result.manifest, 'utf8') }),
        })
      ).json()) as Record<string, any>;
    expect(await ask(text)).toMatchObject({ ok: true, events: 40 });
    const bad = await ask(text.replace('ordre execute 3 ', 'ordre execute 4 '));
    expect(bad['ok']).toBe(false);
    expect(bad['findings']).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'E_DUMP_EDITED' })]));
  });
});

describe('key rotation and the witness', () => {
  it('rotate signs the hand-over with the old key; verify follows it from the pinned old key', async () => {
    const dir = join(root, 'rot');
    const key = join(root, 'rot-key.pem');
    const witness = join(root, 'other-volume', 'witness.ndjson');
    const c = await start({ dataDir: dir, keepDataDir: true, args: ['--key-file', key, '--witness-file', witness] });
    const bot = await connectRaw(c.ingestUrl);
    bot.sendRange(1, 20, 10);
    await bot.waitForAck(20);
    await bot.close();
    expect(await c.kill('SIGTERM')).toBe(0);
    const oldPub = join(root, 'rot-old.pem');
    writeFileSync(
      oldPub,
      /-----BEGIN PUBLIC KEY-----[\s\S]*-----END PUBLIC KEY-----\n/.exec(
        run(['key', '--data-dir', dir, '--key-file', key]).out,
      )![0],
    );
    const r = run(['key', 'rotate', '--data-dir', dir, '--key-file', key, '--witness-file', witness]);
    expect(r.out).toMatch(/^rotated: head #\d+ signed by [0-9a-f]{64} hands over to [0-9a-f]{64}/);
    expect(r.status).toBe(0);
    const again = await start({
      dataDir: dir,
      keepDataDir: true,
      args: ['--key-file', key, '--witness-file', witness],
    });
    expect(await again.kill('SIGTERM')).toBe(0);
    for (const args of [
      ['--key-file', key],
      ['--public-key', oldPub],
      ['--key-file', key, '--witness', witness],
    ]) {
      const v = run(['verify', '--data-dir', dir, ...args]);
      expect(v.out).toMatch(/^OK: chain intact/);
      expect(v.status).toBe(0);
    }
    expect(readFileSync(witness, 'utf8')).toBe(readFileSync(join(dir, 'journal', 'heads.ndjson'), 'utf8'));
  });
});
