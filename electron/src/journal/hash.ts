import * as crypto from 'node:crypto';

type OneShot = (algorithm: string, data: string | Uint8Array, encoding: 'hex') => string;
// crypto.hash (Node >= 20.12) hashes in one call, about 2.5x faster than a Hash object per record.
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

/** SHA-256 hex of a string's UTF-8 bytes via node:crypto. */
export const sha256: (body: string) => string =
  oneShot !== undefined
    ? (body) => oneShot('sha256', body, 'hex')
    : (body) => crypto.createHash('sha256').update(body, 'utf8').digest('hex');

/**
 * SHA-256 hex of bytes (the journal hashes each line's body where it encoded it, instead of encoding the string a
 * second time inside the hash).
 */
export const sha256Bytes: (bytes: Uint8Array) => string =
  oneShot !== undefined
    ? (bytes) => oneShot('sha256', bytes, 'hex')
    : (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');
