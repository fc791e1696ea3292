/** The console channel's compact row: a journal record without its hashes, fields as their exact text. */
import { describe, expect, it } from 'vitest';
import { toWireRow } from '../src/console-protocol.js';
import { isWireRow, parseConsoleServerFrame } from '../src/parse-console.js';
import type { JournalRecord } from '../src/record.js';

const record: JournalRecord = {
  id: 41,
  received_at: 1_780_000_000.25,
  session: 'session-0001',
  seq: 7,
  source: 'http',
  project_name: 'Desk €',
  event_type: 'trade_opened',
  event_description: null,
  timestamp: 1_779_999_999.5,
  fields: { price: 250, risk: NaN },
  fields_text: '{"price":250.0,"risk":NaN}',
  prev_hash: 'a'.repeat(64),
  hash: 'b'.repeat(64),
  fields_raw: '{"price":250.0,"risk":NaN}',
};

describe('toWireRow', () => {
  it('puts the columns in wire order, with the exact fields text and no hashes', () => {
    const row = toWireRow(record);
    expect(row).toEqual([
      41,
      1_780_000_000.25,
      1_779_999_999.5,
      'session-0001',
      7,
      'Desk €',
      'trade_opened',
      null,
      '{"price":250.0,"risk":NaN}',
      'http',
    ]);
    expect(JSON.stringify(row)).not.toContain('a'.repeat(64));
  });

  it('is a row the console accepts back from the wire, unchanged', () => {
    const row = toWireRow({ ...record, event_description: 'd' });
    expect(isWireRow(row)).toBe(true);
    const frame = parseConsoleServerFrame(JSON.stringify({ type: 'records', rows: [row] }));
    expect(frame).toEqual({ ok: true, value: { type: 'records', rows: [row] } });
  });
});
