import { namedPrivileges, type SessionInfo } from '@ic-audit/shared';

/** Status of a project as the sidebar shows it; `unknown` while the console itself has no connection. */
export type ProjectStatus = 'connected' | 'silent' | 'disconnected' | 'unknown';

/** Everything the sidebar and overview show about one project. */
export interface ProjectSummary {
  name: string;
  market: string;
  description: string;
  privileges: string[];
  status: ProjectStatus;
  /** Sessions of this project currently connected. */
  connected: number;
  /** Events and errors of sessions active in the last 30 h. */
  events30h: number;
  errors30h: number;
  /** Collector clock of the newest frame from any of its sessions. */
  lastSeen: number;
  dropped: number;
  /** Seq gaps and the events they lost. */
  gaps: number;
  missing: number;
  /** Clock offset of the most recently seen session, seconds (collector - bot). */
  clockOffset: number;
}

const WINDOW_30H = 30 * 3600;

/** Groups sessions into projects, in name order (a list that does not reorder as events arrive). `now` is the collector clock. */
export function summarizeProjects(sessions: Iterable<SessionInfo>, now: number, silentAfter: number): ProjectSummary[] {
  const byName = new Map<string, { latest: SessionInfo; list: SessionInfo[] }>();
  for (const s of sessions) {
    const name = s.project.project_name;
    const entry = byName.get(name);
    if (entry === undefined) byName.set(name, { latest: s, list: [s] });
    else {
      entry.list.push(s);
      if (s.last_seen > entry.latest.last_seen) entry.latest = s;
    }
  }
  const out: ProjectSummary[] = [];
  for (const [name, { latest, list }] of byName) {
    let connected = 0;
    let fresh = 0;
    let events = 0;
    let errors = 0;
    let dropped = 0;
    let gaps = 0;
    let missing = 0;
    for (const s of list) {
      if (s.connected) {
        connected++;
        if (now - s.last_seen <= silentAfter) fresh++;
      }
      if (now - s.last_seen <= WINDOW_30H) {
        events += s.events;
        errors += s.errors;
      }
      dropped += s.dropped;
      gaps += s.gaps;
      missing += s.missing;
    }
    out.push({
      name,
      market: latest.project.project_market,
      description: latest.project.project_description,
      privileges: namedPrivileges(latest.project.project_privileges),
      status: connected === 0 ? 'disconnected' : fresh > 0 ? 'connected' : 'silent',
      connected,
      events30h: events,
      errors30h: errors,
      lastSeen: latest.last_seen,
      dropped,
      gaps,
      missing,
      clockOffset: latest.clock_offset,
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
