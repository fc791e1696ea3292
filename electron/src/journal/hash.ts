import { createHash } from 'node:crypto';

/** SHA-256 hex of a string's UTF-8 bytes via node:crypto (same result as shared's pure `sha256Hex`). */
export function sha256(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}
