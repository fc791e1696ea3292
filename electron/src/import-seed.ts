import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  arrayItems,
  MAX_FIELD_DEPTH,
  objectMembers,
  parseFlatEvent,
  parseJson,
  ProjectEvents,
  type FlatEvent,
  type ProjectDefaults,
  type ProtocolError,
} from '@ic-audit/shared';
import type { Collector } from './collector/collector.js';
import { syntheticSessionId } from './collector/sessions.js';

/** What an import did. */
export interface ImportResult {
  projects: number;
  events: number;
  /** Projects skipped because this same file was imported before. */
  skipped: string[];
  /** Each refused entry on its own: its project, its index in that project's list (-1: the project entry). */
  rejected: Array<{ project: string; index: number; error: string }>;
}

/** Top-level keys a v0.4.7 server's dump adds after the projects; they are no projects. */
const V047_KEYS: ReadonlySet<string> = new Set(['external_hosts', 'external_hosts_audit']);
/** Deepest nesting tried when a file is not standard JSON (the lenient parser recurses). */
const FILE_MAX_DEPTH = 1_000;

/**
 * Loads a `dumped_audit_trails.json` written by the Python tool (v0.3 or v0.4.7) into the journal, each entry's
 * values exactly as written (bare NaN / Infinity included). Records get source "import" and a session per
 * (file, project), so importing the same file twice adds nothing; an entry that cannot be stored is reported on its
 * own and the rest is imported.
 */
export async function importSeedDump(file: string, collector: Collector): Promise<ImportResult> {
  const raw = readFileSync(file);
  const fileKey = createHash('sha256').update(raw).digest('hex');
  const text = raw.toString('utf8');
  let dump: unknown;
  try {
    dump = JSON.parse(text);
  } catch {
    try {
      const lenient = parseJson(text, FILE_MAX_DEPTH);
      if (!lenient.ok) throw new Error(lenient.message);
      dump = lenient.value;
    } catch (err) {
      throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (typeof dump !== 'object' || dump === null || Array.isArray(dump)) {
    throw new Error(`${file} is not a dump: expected {"<project>": [events...]}`);
  }
  const result: ImportResult = { projects: 0, events: 0, skipped: [], rejected: [] };
  for (const member of objectMembers(text, 0)) {
    const project = member.key;
    const isList = text.charCodeAt(member.start) === 91; /* [ */
    if (V047_KEYS.has(project) && (project === 'external_hosts_audit' || isList)) continue;
    if (!isList) {
      result.rejected.push({ project, index: -1, error: 'project entry is not a list of events' });
      continue;
    }
    const existing = collector.session(syntheticSessionId('import', fileKey + '\u0000' + project));
    if (existing !== undefined && existing.events > 0) {
      result.skipped.push(project);
      continue;
    }
    const listText = text.slice(member.start, member.end);
    const entries = arrayItems(listText, 0).map((span) => {
      const itemText = listText.slice(span.start, span.end);
      return { text: itemText, value: parseJson(itemText, MAX_FIELD_DEPTH) };
    });
    // Later entries of a project often carry no metadata of their own: its boot event's stands in for the session.
    const boot = entries.find((e) => e.value.ok && (e.value.value as Record<string, unknown>)?.['event_type'] === ProjectEvents.BOOT);
    const defaults: ProjectDefaults = boot?.value.ok ? pickMeta(boot.value.value) : {};
    const events: FlatEvent[] = [];
    entries.forEach((e, index) => {
      if (!e.value.ok) {
        result.rejected.push({ project, index, error: `${e.value.code}: ${e.value.message}` });
        return;
      }
      const v = e.value.value;
      const unnamed = typeof v === 'object' && v !== null && !Array.isArray(v) && (v as Record<string, unknown>)['project_name'] === undefined;
      // The dump's key names the project when an entry does not (the seed always wrote it; hand-made files may not).
      const parsed = parseFlatEvent(unnamed ? { ...(v as object), project_name: project } : v, 0, { text: e.text, start: 0 }, defaults);
      if (parsed.ok) events.push(parsed.value);
      else result.rejected.push({ project, index, error: `${parsed.code}: ${parsed.message}` });
    });
    const stored: number | ProtocolError = collector.acceptFlat(events, 'import', fileKey);
    if (typeof stored !== 'number') throw new Error(`${stored.code}: ${stored.message}`);
    result.projects++;
    result.events += stored;
  }
  await collector.drain();
  return result;
}

/** A boot entry's project metadata, as defaults for the entries that lack theirs. */
function pickMeta(v: unknown): ProjectDefaults {
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  return {
    project_market: o['project_market'],
    project_description: o['project_description'],
    project_privileges: o['project_privileges'],
  };
}
