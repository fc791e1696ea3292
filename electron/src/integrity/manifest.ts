import { createHash } from 'node:crypto';
import { renameSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { readLines } from '../journal/line-reader.js';
import type { SignedHead } from './heads.js';
import { publicKeyB64, signText, verifyText, type SigningKey, type TrustedKeys } from './signing-key.js';

/** What signs a dump's manifest: the key and the newest head (which anchors the dump in the journal's chain). */
export interface ManifestSigner {
  key: SigningKey;
  head: SignedHead | null;
}

/** SHA-256 (hex) of an event's exact text in the dump: the manifest's third column. */
export function eventTextHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** What the manifest's signature covers: a domain tag and the SHA-256 of the manifest's bytes before it. */
export function manifestMessage(bodySha256: string): string {
  return 'ic-audit-manifest-v2\n' + bodySha256;
}

const SIG_TAIL =
  /,\n {2}"signature": \{"alg":"ed25519","key":"([0-9a-f]{64})","sig":"([A-Za-z0-9+/]+={0,2})"\}\n\}\n?$/;

/** A manifest file split into its signed body and its signature (null: unsigned or not ours). */
export function splitManifest(text: string): { body: string; key: string; sig: string } | null {
  const m = SIG_TAIL.exec(text);
  if (m === null) return null;
  return { body: text.slice(0, m.index), key: m[1]!, sig: m[2]! };
}

/** Why a manifest's signature is not accepted, or null when a trusted key signed exactly these bytes. */
export function manifestSignatureFault(text: string, trusted: TrustedKeys): { code: string; message: string } | null {
  const parts = splitManifest(text);
  if (parts === null) return { code: 'E_DUMP_UNSIGNED', message: 'the manifest carries no signature' };
  const key = trusted.get(parts.key);
  if (key === undefined) {
    const known = [...trusted.keys()].map((k) => k.slice(0, 16) + '…').join(', ');
    return {
      code: 'E_FOREIGN_KEY',
      message: `the manifest is signed by key ${parts.key.slice(0, 16)}…, not by the trusted key (${known})`,
    };
  }
  const sha = createHash('sha256').update(parts.body, 'utf8').digest('hex');
  return verifyText(key, manifestMessage(sha), parts.sig)
    ? null
    : {
        code: 'E_MANIFEST_SIGNATURE',
        message: 'the manifest was changed after it was signed (its signature does not match its content)',
      };
}

/** A buffered writer that hashes what it writes. */
class Out {
  private buf = '';
  private readonly hash = createHash('sha256');
  constructor(private readonly fh: Awaited<ReturnType<typeof open>>) {}
  async write(s: string, hashed = true): Promise<void> {
    if (hashed) this.hash.update(s, 'utf8');
    this.buf += s;
    if (this.buf.length >= 1 << 20) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.buf.length === 0) return;
    const b = this.buf;
    this.buf = '';
    await this.fh.write(b);
  }
  digest(): string {
    return this.hash.digest('hex');
  }
  async finish(): Promise<void> {
    await this.flush();
    await this.fh.sync();
    await this.fh.close();
  }
}

/**
 * Writes a dump's manifest: `head` fields, then `records` (one `[id, record hash, event text hash]` per dumped
 * event, streamed from `recordsFile`), then, when a signer is given, an Ed25519 signature over the SHA-256 of
 * every byte before it. Written to a temp name and renamed.
 */
export async function writeSignedManifest(
  recordsFile: string,
  path: string,
  tag: string,
  fields: Record<string, unknown>,
  signer: ManifestSigner | null,
): Promise<void> {
  const tmp = `${path}.partial-${tag}`;
  const out = new Out(await open(tmp, 'w', 0o600));
  const head = {
    v: 2,
    ...fields,
    records_columns: ['id', 'record_hash', 'event_text_sha256'],
    key: signer?.key.fingerprint ?? null,
    public_key: signer === null ? null : publicKeyB64(signer.key.publicKey),
    head: signer?.head ?? null,
  };
  const json = JSON.stringify(head, null, 2);
  await out.write(json.slice(0, -2) + ',\n  "records": [');
  let first = true;
  await readLines(recordsFile, async (line) => {
    await out.write(first ? line : ',' + line);
    first = false;
  });
  await out.write(']');
  if (signer !== null) {
    const sig = signText(signer.key, manifestMessage(out.digest()));
    await out.write(`,\n  "signature": {"alg":"ed25519","key":"${signer.key.fingerprint}","sig":"${sig}"}\n}\n`, false);
  } else {
    await out.write('\n}\n', false);
  }
  await out.finish();
  renameSync(tmp, path);
}
