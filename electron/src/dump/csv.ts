import { isoTimeOrNumber, type EntryMember, type JournalRecord } from '@ic-audit/shared';

const COLUMNS = ['id', 'received_at', 'timestamp', 'project_name', 'event_type', 'event_description', 'fields', 'hash'];
const BASE_KEYS = new Set(['"event_type"', '"event_description"', '"timestamp"', '"project_name"']);

/** CSV header line. */
export function csvHeader(): string {
  return COLUMNS.join(',') + '\r\n';
}

/**
 * Quotes one CSV cell (RFC 4180). Cells that a spreadsheet would run as a formula (= + - @ tab CR) get a leading
 * apostrophe, so an event description can never execute in the compliance officer's spreadsheet.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || safe !== value ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * One CSV line for a dumped record: ids, both clocks (ISO), event keys, every other key of its seed entry (fields
 * and project metadata) as JSON with each value exactly as sent, hash. A null description is an empty cell.
 */
export function csvRow(record: JournalRecord, members: readonly EntryMember[]): string {
  let extra = '{';
  for (const [key, value] of members) {
    if (BASE_KEYS.has(key)) continue;
    extra += (extra.length > 1 ? ',' : '') + key + ':' + value;
  }
  return (
    [
      String(record.id),
      isoTimeOrNumber(record.received_at),
      isoTimeOrNumber(record.timestamp),
      csvCell(record.project_name),
      csvCell(record.event_type),
      csvCell(record.event_description ?? ''),
      csvCell(extra + '}'),
      record.hash,
    ].join(',') + '\r\n'
  );
}
