import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  dumpEntryMembers,
  epochDate,
  isCollectorRecord,
  parseRecordLine,
  pythonStr,
  type JournalRecord,
  type ProjectInfo,
} from '@ic-audit/shared';
import { readLines } from '../journal/line-reader.js';
import { JOURNAL_DIR, listSegments } from '../journal/segments.js';

/** File name of the Python v0.4.7 server's compact text dump. */
export const COMPACT_DUMP_FILE = 'compact_audit_dump.txt';

const RULE_EQ = '='.repeat(40);
const RULE_DASH = '-'.repeat(40);

/** What a compact dump needs from its host. */
export interface CompactDumpContext {
  now: () => number;
  sessionProject: (session: string) => ProjectInfo | undefined;
}

/** Local `YYYY-MM-DD HH:MM:SS`, as Python's `datetime.fromtimestamp(t).strftime(...)` (microseconds rounded first). */
export function localDateTime(epochSeconds: number): string {
  // Past the year 275760 no date exists (Python's fromtimestamp fails too): the number as sent is all there is.
  const d = epochDate(Math.floor(Math.round(epochSeconds * 1e6) / 1e6));
  if (d === null) return String(epochSeconds);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/**
 * The text of one trail as the compact dump prints it: a blank line, then `key: value` per key in the order sent,
 * values as Python's `str()`, the timestamp as local date and time.
 */
export function compactTrail(record: JournalRecord, project: ProjectInfo | undefined): string {
  let out = '\n';
  for (const [keyText, valueText] of dumpEntryMembers(record, project)) {
    const key = JSON.parse(keyText) as string;
    const value =
      key === 'timestamp' && record.layout?.[2] !== -1 ? localDateTime(record.timestamp) : pythonStr(valueText);
    out += `${key}: ${value}\n`;
  }
  return out;
}

/**
 * Writes the v0.4.7 server's `compact_audit_dump.txt` into `dir`: every event (no time window) of the projects in
 * `filters` (all when empty), grouped by project in first-seen order, each project's events sorted by timestamp.
 * Returns the file's path. Written to a temp name, then renamed.
 */
export async function writeCompactDump(
  dataDir: string,
  dir: string,
  filters: readonly string[],
  ctx: CompactDumpContext,
): Promise<string> {
  const only = filters.length > 0 ? new Set(filters) : null;
  const projects = new Map<string, JournalRecord[]>();
  for (const file of listSegments(join(dataDir, JOURNAL_DIR))) {
    await readLines(file, (line) => {
      const r = parseRecordLine(line);
      if (r === null || isCollectorRecord(r) || (only !== null && !only.has(r.project_name))) return;
      let list = projects.get(r.project_name);
      if (list === undefined) projects.set(r.project_name, (list = []));
      list.push(r);
    });
  }
  let text = `AUDIT SERVER COMPACT DUMP (${localDateTime(ctx.now() / 1000)})\n`;
  for (const [name, list] of projects) {
    list.sort((a, b) => a.timestamp - b.timestamp);
    text += `${RULE_EQ}\nProject: ${name}\n${RULE_DASH}\n`;
    for (const r of list) text += compactTrail(r, ctx.sessionProject(r.session));
  }
  const out = join(dir, COMPACT_DUMP_FILE);
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, out);
  } finally {
    rmSync(tmp, { force: true });
  }
  return out;
}
