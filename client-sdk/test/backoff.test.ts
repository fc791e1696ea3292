import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/backoff.js';

describe('backoffDelay (capped exponential, full jitter)', () => {
  it('is random below base * 2^attempt', () => {
    expect(backoffDelay(0, 100, 5000, () => 0.5)).toBe(50);
    expect(backoffDelay(1, 100, 5000, () => 0.5)).toBe(100);
    expect(backoffDelay(3, 100, 5000, () => 0.5)).toBe(400);
    expect(backoffDelay(3, 100, 5000, () => 0)).toBe(0);
    expect(backoffDelay(3, 100, 5000, () => 0.999)).toBe(799);
  });

  it('never exceeds the cap, however many attempts', () => {
    for (const attempt of [6, 10, 50, 1023, 1024, 1e9, Number.MAX_SAFE_INTEGER, Infinity]) {
      expect(backoffDelay(attempt, 100, 5000, () => 0.999999)).toBeLessThan(5000);
      expect(backoffDelay(attempt, 100, 5000, () => 0.5)).toBe(2500);
    }
  });

  it('stays within [0, ceiling) for real randomness', () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      const ceiling = Math.min(5000, 100 * 2 ** attempt);
      for (let i = 0; i < 50; i++) {
        const d = backoffDelay(attempt, 100, 5000);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(ceiling);
        expect(Number.isInteger(d)).toBe(true);
      }
    }
  });

  it('treats garbage input as zero instead of NaN', () => {
    expect(backoffDelay(-5, 100, 5000, () => 0.5)).toBe(50);
    expect(backoffDelay(NaN, 100, 5000, () => 0.5)).toBe(50);
    expect(backoffDelay(2, NaN, 5000, () => 0.5)).toBe(0);
    expect(backoffDelay(2, 100, -1, () => 0.5)).toBe(0);
    expect(backoffDelay(2, 100, 5000, () => NaN)).toBe(0);
    expect(backoffDelay(2, 100, 5000, () => 7)).toBeLessThan(400);
  });
});
