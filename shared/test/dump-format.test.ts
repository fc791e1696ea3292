import { describe, expect, it } from 'vitest';
import { dumpEntryMembers, entryText, isV047Boot, pythonSpacing, pythonString } from '../src/dump-format.js';
import type { JournalRecord } from '../src/record.js';

const base = {
  id: 1,
  received_at: 1,
  session: 's',
  seq: 1,
  project_name: 'P',
  event_description: 'd',
  timestamp: 1.5,
  fields: {},
  prev_hash: '',
  hash: '',
} as const;
const project = { project_name: 'P', project_market: 'FX', project_description: 'é', project_privileges: [null] };

describe('seed dump entries', () => {
  it("an SDK event takes the Python client's key order with the hello's project metadata", () => {
    const r: JournalRecord = {
      ...base,
      source: 'ws',
      event_type: 't',
      fields_raw: '{"price":250.0,"project_market":"X"}',
    };
    expect(pythonSpacing(entryText(dumpEntryMembers(r, project)))).toBe(
      '{"event_type": "t", "event_description": "d", "timestamp": 1.5, "price": 250.0, "project_market": "FX", ' +
        '"project_name": "P", "project_description": "\\u00e9", "project_privileges": [null]}',
    );
  });

  it("a flat event comes back in the order sent: the Python client's, or its layout", () => {
    const canonical: JournalRecord = {
      ...base,
      source: 'legacy',
      event_type: 't',
      fields_raw: '{"k":NaN,"project_market":"FX"}',
    };
    expect(entryText(dumpEntryMembers(canonical, undefined))).toBe(
      '{"event_type":"t","event_description":"d","timestamp":1.5,"k":NaN,"project_name":"P","project_market":"FX"}',
    );
    const odd: JournalRecord = {
      ...base,
      source: 'http',
      event_type: 't',
      event_description: null,
      layout: [2, -1, -1, 0],
      fields_raw: '{"a":1}',
    };
    expect(entryText(dumpEntryMembers(odd, undefined))).toBe('{"project_name":"P","a":1,"event_type":"t"}');
  });

  it('spaces like json.dump, escapes like ensure_ascii, and knows a v0.4.7 boot', () => {
    expect(pythonSpacing('{"a":[1,2],"s":"x,y:z"}')).toBe('{"a": [1, 2], "s": "x,y:z"}');
    expect(pythonString('café 🚀\u007f')).toBe('"caf\\u00e9 \\ud83d\\ude80\\u007f"');
    expect(isV047Boot({ event_type: 'boot', fields_raw: '{"booted_with_pid":1}' })).toBe(true);
    expect(isV047Boot({ event_type: 'boot', fields_raw: '{}' })).toBe(false);
  });
});
