import {
  MAX_PRIVILEGE_LENGTH,
  MAX_PRIVILEGES,
  MAX_PROJECT_DESCRIPTION_LENGTH,
  MAX_PROJECT_NAME_LENGTH,
  type ProjectInfo,
} from '@ic-audit/shared';
import { toText, truncateString } from './text.js';

/** Project name used when the bot gives none (the collector requires a non-empty one). */
export const UNNAMED_PROJECT = 'unnamed-project';

/**
 * Project metadata the collector accepts in a hello, from whatever the bot passed: coerced to text, cut to the
 * protocol's limits (with the truncation marker), privileges as a list of at most MAX_PRIVILEGES non-empty names.
 */
export function projectInfo(name: unknown, market: unknown, description: unknown, privileges: unknown): ProjectInfo {
  const projectName = truncateString(toText(name), MAX_PROJECT_NAME_LENGTH);
  return {
    project_name: projectName.length > 0 ? projectName : UNNAMED_PROJECT,
    project_market: truncateString(toText(market), MAX_PROJECT_NAME_LENGTH),
    project_description: truncateString(toText(description), MAX_PROJECT_DESCRIPTION_LENGTH),
    project_privileges: privilegeList(privileges),
  };
}

function privilegeList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  let list: unknown[];
  try {
    list =
      typeof v === 'string' ? [v] : Array.isArray(v) || v instanceof Set ? Array.from(v as Iterable<unknown>) : [v];
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const p of list) {
    if (out.length >= MAX_PRIVILEGES) break;
    const s = truncateString(toText(p), MAX_PRIVILEGE_LENGTH);
    if (s.length > 0) out.push(s);
  }
  return out;
}
