/** CSV dumps: RFC 4180 quoting, the spreadsheet-formula guard, and one row per record with its other keys as JSON. */
import { describe, expect, it } from 'vitest';
import { checkTimestamp, type EntryMember, type JournalRecord } from '@ic-audit/shared';
import { csvCell, csvHeader, csvRow } from '../src/dump/csv.js';

const record: JournalRecord = {
  id: 12,
  received_at: 1_700_000_000.5,
  session: 'session-0001',
  seq: 3,
  source: 'http',
  project_name: 'Desk, "A"',
  event_type: 'trade_opened',
  event_description: 'line 1\nline 2',
  timestamp: 1_699_999_999.25,
  fields: { price: 250 },
  prev_hash: '0'.repeat(64),
  hash: 'f'.repeat(64),
  fields_raw: '{"price":250.0}',
};

/** A seed entry's members as a dump gives them: the columns and every other key with its exact text. */
const members: EntryMember[] = [
  ['"event_type"', '"trade_opened"'],
  ['"event_description"', '"line 1\\nline 2"'],
  ['"timestamp"', '1699999999.25'],
  ['"price"', '250.0'],
  ['"risk"', 'NaN'],
  ['"project_name"', '"Desk, \\"A\\""'],
  ['"project_market"', '"FX"'],
];

describe('csvHeader', () => {
  it('names the eight columns, CRLF-terminated', () => {
    expect(csvHeader()).toBe('id,received_at,timestamp,project_name,event_type,event_description,fields,hash\r\n');
  });
});

describe('csvCell', () => {
  it('leaves plain text alone, empty and non-ASCII included', () => {
    for (const v of ['', 'abc', 'trade_opened', 'prix € ✓', '1.5', "it's", 'a=b', 'x-1']) expect(csvCell(v)).toBe(v);
  });

  it('quotes a cell holding a comma, quote, CR or LF, doubling its quotes', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('a\nb')).toBe('"a\nb"');
    expect(csvCell('a\r\nb')).toBe('"a\r\nb"');
    expect(csvCell('"')).toBe('""""');
  });

  it('defuses a cell a spreadsheet would run as a formula: an apostrophe first, then quoted', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvCell('+1')).toBe('"\'+1"');
    expect(csvCell('-2')).toBe('"\'-2"');
    expect(csvCell('@SUM(A1)')).toBe('"\'@SUM(A1)"');
    expect(csvCell('\t=1')).toBe('"\'\t=1"');
    expect(csvCell('\r=1')).toBe('"\'\r=1"');
    expect(csvCell('=')).toBe('"\'="');
  });
});

describe('csvRow', () => {
  it('ids, ISO clocks, quoted text columns, the non-column keys as exact JSON, the hash', () => {
    expect(csvRow(record, members)).toBe(
      [
        '12',
        '2023-11-14T22:13:20.500Z',
        '2023-11-14T22:13:19.250Z',
        '"Desk, ""A"""',
        'trade_opened',
        '"line 1\nline 2"',
        '"{""price"":250.0,""risk"":NaN,""project_market"":""FX""}"',
        'f'.repeat(64),
      ].join(',') + '\r\n',
    );
  });

  it('a null description is an empty cell; no other keys is {}', () => {
    const row = csvRow({ ...record, event_description: null, project_name: 'P' }, members.slice(0, 3));
    expect(row).toBe(`12,2023-11-14T22:13:20.500Z,2023-11-14T22:13:19.250Z,P,trade_opened,,{},${'f'.repeat(64)}\r\n`);
  });

  it('a bot-written formula in any text column is defused', () => {
    const row = csvRow({ ...record, project_name: '=cmd', event_type: '+x', event_description: '@y' }, []);
    expect(row.split(',').slice(3, 6)).toEqual(['"\'=cmd"', '"\'+x"', '"\'@y"']);
  });

  // Date reaches only 8.64e12 s; a timestamp past it (accepted like any finite number) is written as sent.
  it('writes a row for every timestamp the collector accepts', () => {
    expect(checkTimestamp(1e13)).toBeNull();
    expect(csvRow({ ...record, timestamp: 1e13 }, members)).toMatch(/^12,[^,]+,10000000000000,/);
  });
});
