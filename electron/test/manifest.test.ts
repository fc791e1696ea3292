/** Dump manifests: the signed file written from a records list, and every way its signature is refused. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nextHead } from '../src/integrity/heads.js';
import { manifestSignatureFault, splitManifest, writeSignedManifest } from '../src/integrity/manifest.js';
import { generateSigningKey, publicKeyB64, trustKeys } from '../src/integrity/signing-key.js';

const root = mkdtempSync(join(tmpdir(), 'ic-audit-manifest-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const { key } = generateSigningKey();
const trusted = trustKeys(key.publicKey);
const head = nextHead(
  null,
  {
    kind: 'dump',
    at: new Date(Date.UTC(2026, 10, 29)),
    last_id: 3,
    last_hash: 'h3',
    in_journal: false,
    interval_s: 60,
  },
  key,
);

let files = 0;
/** Writes a manifest for these records lines and returns its path. */
async function manifest(records: string, signed = true): Promise<string> {
  const dir = join(root, `m${files++}`);
  const recordsFile = `${dir}.records`;
  writeFileSync(recordsFile, records);
  const path = `${dir}.manifest.json`;
  await writeSignedManifest(recordsFile, path, 'tag1', { format: 'json', events: 2 }, signed ? { key, head } : null);
  return path;
}

const RECORDS = '[1,"r1","e1"]\n[2,"r2","e2"]\n';

describe('writeSignedManifest', () => {
  it('writes the fields, the records and a signature by the key, as one JSON document', async () => {
    const path = await manifest(RECORDS);
    const text = readFileSync(path, 'utf8');
    expect(JSON.parse(text)).toEqual({
      v: 2,
      format: 'json',
      events: 2,
      records_columns: ['id', 'record_hash', 'event_text_sha256'],
      key: key.fingerprint,
      public_key: publicKeyB64(key.publicKey),
      head,
      records: [
        [1, 'r1', 'e1'],
        [2, 'r2', 'e2'],
      ],
      signature: { alg: 'ed25519', key: key.fingerprint, sig: expect.any(String) as unknown },
    });
    expect(manifestSignatureFault(text, trusted)).toBeNull();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(existsSync(`${path}.partial-tag1`)).toBe(false);
  });

  it('an empty records list is an empty array, still signed', async () => {
    const text = readFileSync(await manifest(''), 'utf8');
    expect((JSON.parse(text) as { records: unknown[] }).records).toEqual([]);
    expect(manifestSignatureFault(text, trusted)).toBeNull();
  });

  it('without a signer: valid JSON with no key, refused as unsigned', async () => {
    const text = readFileSync(await manifest(RECORDS, false), 'utf8');
    expect(JSON.parse(text)).toMatchObject({ key: null, public_key: null, head: null });
    expect(splitManifest(text)).toBeNull();
    expect(manifestSignatureFault(text, trusted)).toEqual({
      code: 'E_DUMP_UNSIGNED',
      message: 'the manifest carries no signature',
    });
  });

  it('replaces an older manifest at the same path, leaving no temp file', async () => {
    const path = await manifest(RECORDS);
    await writeSignedManifest(`${path.replace('.manifest.json', '')}.records`, path, 'tag2', { events: 9 }, null);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ events: 9 });
    expect(readdirSync(root).filter((f) => f.includes('.partial-'))).toEqual([]);
  });
});

describe('manifestSignatureFault', () => {
  it('any changed byte of the body breaks the signature', async () => {
    const text = readFileSync(await manifest(RECORDS), 'utf8');
    const edited = [
      text.replace('"r2"', '"r9"'),
      text.replace('"events": 2', '"events": 3'),
      text.replace('[1,"r1","e1"],', ''),
      text.replace('{\n', '{ \n'),
    ];
    for (const t of edited) {
      expect(t).not.toBe(text);
      expect(manifestSignatureFault(t, trusted)?.code).toBe('E_MANIFEST_SIGNATURE');
    }
  });

  it('a signature by another key is foreign, naming both keys by prefix', async () => {
    const text = readFileSync(await manifest(RECORDS), 'utf8');
    const other = generateSigningKey().key;
    expect(manifestSignatureFault(text, trustKeys(other.publicKey))).toEqual({
      code: 'E_FOREIGN_KEY',
      message: `the manifest is signed by key ${key.fingerprint.slice(0, 16)}…, not by the trusted key (${other.fingerprint.slice(0, 16)}…)`,
    });
  });

  it('a swapped or garbled signature is refused', async () => {
    const text = readFileSync(await manifest(RECORDS), 'utf8');
    const sig = splitManifest(text)!.sig;
    const otherSig = splitManifest(readFileSync(await manifest('[7,"x","y"]\n'), 'utf8'))!.sig;
    expect(manifestSignatureFault(text.replace(sig, otherSig), trusted)?.code).toBe('E_MANIFEST_SIGNATURE');
    expect(manifestSignatureFault(text.replace(sig, 'AAAA'), trusted)?.code).toBe('E_MANIFEST_SIGNATURE');
    expect(manifestSignatureFault(text.replace(sig, 'not base64!'), trusted)?.code).toBe('E_DUMP_UNSIGNED');
  });
});

describe('splitManifest', () => {
  it('splits off the signature, with or without the final newline; anything after it is not ours', async () => {
    const text = readFileSync(await manifest(RECORDS), 'utf8');
    const parts = splitManifest(text)!;
    expect(parts.key).toBe(key.fingerprint);
    expect(text.startsWith(parts.body)).toBe(true);
    expect(parts.body.endsWith(']')).toBe(true);
    expect(splitManifest(text.slice(0, -1))).toEqual(parts);
    expect(splitManifest(text + ' ')).toBeNull();
    expect(splitManifest(text + '\n')).toBeNull();
  });
});
