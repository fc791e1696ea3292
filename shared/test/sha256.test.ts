import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex, utf8Bytes } from '../src/sha256.js';

describe('sha256Hex (pure)', () => {
  it('matches known vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('agrees with node:crypto on random inputs of every padding length', () => {
    for (let n = 0; n < 300; n++) {
      const bytes = randomBytes(n);
      expect(sha256Hex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });

  it('encodes strings as UTF-8 exactly like Buffer.from', () => {
    for (const s of ['prix €', '✓ 𝄞 ü', 'a\ud800b', '\udc00', 'x'.repeat(1000)]) {
      expect(Buffer.from(utf8Bytes(s))).toEqual(Buffer.from(s, 'utf8'));
      expect(sha256Hex(s)).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
    }
  });
});
