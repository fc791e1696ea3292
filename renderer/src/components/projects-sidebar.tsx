import { formatAge, formatCount, formatOffset } from '../lib/format.js';
import { useStore } from '../store/store.js';
import { useCollectorNow } from './use-now.js';
import { useProjects } from './use-projects.js';

/** Every project with its status, market, privileges, counts, last event, losses and clock offset. */
export function ProjectsSidebar() {
  const projects = useProjects();
  const now = useCollectorNow();
  const current = useStore((s) => s.filter.project);
  const live = useStore((s) => s.live);
  useStore((s) => s.rowsVersion);
  const pick = (name: string): void => {
    const s = useStore.getState();
    s.setFilter({ project: current === name ? '' : name });
    s.setTab('stream');
  };
  return (
    <aside className="sidebar" aria-label="Projects">
      <div className="sidebar-title">
        Projects <span className="muted">{projects.length}</span>
      </div>
      {projects.length === 0 && <div className="empty">No bot has connected yet.</div>}
      <ul className="project-list">
        {projects.map((p) => {
          const lastEvent = live.get(p.name)?.lastEventAt ?? 0;
          const last = Math.max(lastEvent, 0) || p.lastSeen;
          return (
            <li key={p.name}>
              <button
                type="button"
                className={`project ${current === p.name ? 'active' : ''}`}
                data-project={p.name}
                data-status={p.status}
                onClick={() => pick(p.name)}
                title={p.description}
              >
                <div className="project-head">
                  <span className={`dot ${p.status}`} aria-hidden="true" />
                  <span className="project-name">{p.name}</span>
                  <span className="status-label">{p.status}</span>
                </div>
                <div className="project-meta">
                  <span>{p.market || '—'}</span>
                  <span className="privs">{p.privileges.join(', ') || 'no privileges'}</span>
                </div>
                <div className="project-stats">
                  <span title="events in the last 30 h">{formatCount(p.events30h)} ev</span>
                  <span className={p.errors30h > 0 ? 'err' : ''} title="errors in the last 30 h">
                    {formatCount(p.errors30h)} err
                  </span>
                  <span title="time since last event">{formatAge(now - last)} ago</span>
                </div>
                <div className="project-stats">
                  <span
                    className={p.dropped + p.missing > 0 ? 'warn' : ''}
                    title="dropped by the bot / lost in seq gaps"
                  >
                    lost {formatCount(p.dropped)}/{formatCount(p.missing)}
                    {p.gaps > 0 ? ` (${p.gaps} gaps)` : ''}
                  </span>
                  <span title="clock offset, collector minus bot">{formatOffset(p.clockOffset)}</span>
                </div>
              </button>
            </li>
          );
        })}
      </ul>
    </aside>
  );
}
