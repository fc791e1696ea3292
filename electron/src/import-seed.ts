import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ProjectEvents, parseFlatEvent, type FlatEvent, type ProtocolError } from '@ic-audit/shared';
import type { Collector } from './collector/collector.js';
import { syntheticSessionId } from './collector/sessions.js';

/** What an import did. */
export interface ImportResult {
  projects: number;
  events: number;
  /** Projects skipped because this same file was imported before. */
  skipped: string[];
  rejected: Array<{ project: string; index: number; error: string }>;
}

/**
 * Loads a `dumped_audit_trails.json` written by the Python tool into the journal. Records get source "import"
 * and a session per (file, project), so importing the same file twice adds nothing.
 */
export async function importSeedDump(file: string, collector: Collector): Promise<ImportResult> {
  const raw = readFileSync(file);
  const fileKey = createHash('sha256').update(raw).digest('hex');
  let dump: unknown;
  try {
    dump = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof dump !== 'object' || dump === null || Array.isArray(dump)) {
    throw new Error(`${file} is not a dump: expected {"<project>": [events...]}`);
  }
  const result: ImportResult = { projects: 0, events: 0, skipped: [], rejected: [] };
  for (const [project, list] of Object.entries(dump as Record<string, unknown>)) {
    if (!Array.isArray(list)) {
      result.rejected.push({ project, index: -1, error: 'project entry is not a list of events' });
      continue;
    }
    const existing = collector.session(syntheticSessionId('import', fileKey + '\u0000' + project));
    if (existing !== undefined && existing.events > 0) {
      result.skipped.push(project);
      continue;
    }
    const boot = list.find((e) => (e as Record<string, unknown>)?.['event_type'] === ProjectEvents.BOOT) as
      | Record<string, unknown>
      | undefined;
    const events: FlatEvent[] = [];
    list.forEach((e: unknown, index) => {
      const withProject =
        typeof e === 'object' && e !== null
          ? {
              project_market: boot?.['project_market'],
              project_description: boot?.['project_description'],
              project_privileges: boot?.['project_privileges'],
              ...(e as Record<string, unknown>),
              project_name: project,
            }
          : e;
      const parsed = parseFlatEvent(withProject, 0);
      if (parsed.ok) events.push(parsed.value);
      else result.rejected.push({ project, index, error: parsed.message });
    });
    const stored: number | ProtocolError = collector.acceptFlat(events, 'import', fileKey);
    if (typeof stored !== 'number') throw new Error(`${stored.code}: ${stored.message}`);
    result.projects++;
    result.events += stored;
  }
  await collector.drain();
  return result;
}
