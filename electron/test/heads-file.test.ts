/** Signed heads on disk and in hand: the heads file read back, the shape check, and key rotation hand-over. */
import { mkdtempSync, rmSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  appendHeadLine,
  asHead,
  followRotation,
  nextHead,
  readHeadsFile,
  signHead,
  type SignedHead,
} from '../src/integrity/heads.js';
import { generateSigningKey, publicKeyB64, trustKeys, type SigningKey } from '../src/integrity/signing-key.js';

const root = mkdtempSync(join(tmpdir(), 'ic-audit-heads-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const { key } = generateSigningKey();
const AT = new Date(Date.UTC(2026, 10, 29, 12));

function head(
  prev: SignedHead | null,
  extra: { kind?: SignedHead['kind']; next_key?: string } = {},
  by = key,
): SignedHead {
  return nextHead(
    prev,
    { kind: extra.kind ?? 'interval', at: AT, last_id: 5, last_hash: 'h5', in_journal: true, interval_s: 60, ...extra },
    by,
  );
}

describe('asHead', () => {
  const h = head(null);

  it('takes a signed head, extra keys or a rotation key included', () => {
    expect(asHead(h)).toBe(h);
    expect(asHead({ ...h, extra: 1 })).not.toBeNull();
    expect(asHead({ ...h, next_key: 'abc' })).not.toBeNull();
  });

  it('refuses non-objects and any field of the wrong type', () => {
    for (const v of [null, undefined, 'head', 1, []]) expect(asHead(v)).toBeNull();
    const wrong: Record<string, unknown> = {
      v: 2,
      n: 1.5,
      kind: 1,
      at: 0,
      last_id: '5',
      last_hash: null,
      in_journal: 'true',
      interval_s: '60',
      prev: 0,
      key: false,
      sig: [],
      next_key: 5,
    };
    for (const [field, value] of Object.entries(wrong)) {
      expect(asHead({ ...h, [field]: value }), field).toBeNull();
    }
    const { sig: _sig, ...unsigned } = h;
    expect(asHead(unsigned)).toBeNull();
    expect(asHead({ ...h, last_id: 2 ** 53 })).toBeNull();
  });
});

describe('heads file', () => {
  it('appended heads read back in order with their line numbers; the file is private', async () => {
    const path = join(root, 'heads.ndjson');
    const a = head(null);
    const b = head(a);
    await appendHeadLine(path, a);
    await appendHeadLine(path, b);
    expect(readHeadsFile(path)).toEqual([
      { head: a, line: 1 },
      { head: b, line: 2 },
    ]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('a missing file is null; an empty one has no heads', () => {
    expect(readHeadsFile(join(root, 'none.ndjson'))).toBeNull();
    const empty = join(root, 'empty.ndjson');
    writeFileSync(empty, '');
    expect(readHeadsFile(empty)).toEqual([]);
  });

  it('blank lines are skipped (numbers kept), unreadable lines are null heads, an unfinished last line is left out', () => {
    const path = join(root, 'mixed.ndjson');
    const a = head(null);
    writeFileSync(path, `${JSON.stringify(a)}\n\n{not json\n{"v":1}\n   \n${JSON.stringify(head(a))}\n`);
    appendFileSync(path, '{"v":1,"n":3,"kind":"int');
    expect(readHeadsFile(path)!.map((l) => [l.line, l.head === null ? null : l.head.n])).toEqual([
      [1, 1],
      [3, null],
      [4, null],
      [6, 2],
    ]);
  });
});

describe('followRotation', () => {
  const rotation = (next: SigningKey, by = key): SignedHead =>
    head(null, { kind: 'rotate', next_key: publicKeyB64(next.publicKey) }, by);

  it('a valid rotation by a trusted key makes the next key trusted', () => {
    const next = generateSigningKey().key;
    const trusted = trustKeys(key.publicKey);
    expect(followRotation(rotation(next), trusted)).toBe(next.fingerprint);
    expect([...trusted.keys()].sort()).toEqual([key.fingerprint, next.fingerprint].sort());
  });

  it('hands nothing over for a non-rotation, an untrusted signer, an edited head or a key that does not parse', () => {
    const next = generateSigningKey().key;
    const stranger = generateSigningKey().key;
    const trusted = trustKeys(key.publicKey);
    const cases: SignedHead[] = [
      head(null, { next_key: publicKeyB64(next.publicKey) }),
      rotation(next, stranger),
      { ...rotation(next), next_key: publicKeyB64(stranger.publicKey) },
      head(null, { kind: 'rotate' }),
      head(null, { kind: 'rotate', next_key: 'bm90IGEga2V5' }),
    ];
    for (const h of cases) expect(followRotation(h, trusted)).toBeNull();
    expect([...trusted.keys()]).toEqual([key.fingerprint]);
  });

  it('signHead over the same fields by the same key verifies the same way', () => {
    const h = rotation(generateSigningKey().key);
    const { sig: _sig, ...fields } = h;
    expect(followRotation(signHead(key, fields), trustKeys(key.publicKey))).not.toBeNull();
  });
});
