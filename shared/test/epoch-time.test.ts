/** Timestamps shown as dates: any finite number a bot may send either has a date or falls back to itself. */
import { describe, expect, it } from 'vitest';
import { epochDate, isoTimeOrNumber, MAX_DATE_SECONDS } from '../src/epoch-time.js';

describe('epoch time', () => {
  it('dates every timestamp Date can hold, up to the last one', () => {
    expect(isoTimeOrNumber(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(isoTimeOrNumber(1_700_000_000.25)).toBe('2023-11-14T22:13:20.250Z');
    expect(epochDate(MAX_DATE_SECONDS)?.toISOString()).toBe('+275760-09-13T00:00:00.000Z');
  });
  it('falls back to the number past it, never throwing', () => {
    expect(epochDate(MAX_DATE_SECONDS + 1)).toBeNull();
    expect(isoTimeOrNumber(1e13)).toBe('10000000000000');
    expect(isoTimeOrNumber(1.7976931348623157e308)).toBe('1.7976931348623157e+308');
    expect(epochDate(Number.NaN)).toBeNull();
  });
});
