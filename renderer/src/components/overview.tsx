import { cardLines } from '../lib/card-lines.js';
import { formatAge, formatCount, formatTime, typeKind } from '../lib/format.js';
import { IngestSnippet } from './empty-states.js';
import { TAIL_LENGTH } from '../store/events-slice.js';
import { useStore } from '../store/store.js';
import { Sparkline } from './sparkline.js';
import { useCollectorNow } from './use-now.js';
import { useProjects } from './use-projects.js';

const RECENT_ERROR_S = 300;

/**
 * One card per project: status, counts, event-rate sparkline and live tail; recent errors make the card red, the
 * latest error stays pinned on it, and the collector's own records fold into one line.
 */
export function Overview() {
  const projects = useProjects();
  const now = useCollectorNow();
  const live = useStore((s) => s.live);
  useStore((s) => s.rowsVersion);
  if (projects.length === 0) {
    return <IngestSnippet />;
  }
  return (
    <div className="overview">
      {projects.map((p) => {
        const l = live.get(p.name);
        const { pinned, tail, system } = cardLines(l, TAIL_LENGTH);
        const erroring = l !== undefined && now - l.lastErrorAt < RECENT_ERROR_S;
        return (
          <section key={p.name} className={`card ${erroring ? 'erroring' : ''}`} data-project={p.name}>
            <header className="card-head">
              <span className={`dot ${p.status}`} aria-hidden="true" />
              <span className="card-name">{p.name}</span>
              <span className="muted">{p.market}</span>
              <span className="grow" />
              <Sparkline values={l ? l.rate.series(now) : []} />
            </header>
            <div className="card-stats">
              <span>{p.status}</span>
              <span>{formatCount(p.events30h)} events</span>
              <span className={p.errors30h > 0 ? 'err' : ''}>{formatCount(p.errors30h)} errors</span>
              <span>last {formatAge(now - (l?.lastEventAt || p.lastSeen))} ago</span>
            </div>
            {pinned !== null && (
              <div
                className="tail-row kind-error pinned-error"
                data-testid="pinned-error"
                data-id={pinned.id}
                title="The project's latest error, kept here until a newer one"
              >
                <span className="pin">latest error</span>
                <span className="t">{formatTime(pinned.ts)}</span>
                <span className="d">{pinned.desc}</span>
              </div>
            )}
            <ol className="tail">
              {tail.map((r) => (
                <li key={r.id} className={`tail-row kind-${typeKind(r.type, r.system)}`}>
                  <span className="t">{formatTime(r.ts)}</span>
                  <span className="ty">{r.type}</span>
                  <span className="d">{r.desc}</span>
                </li>
              ))}
            </ol>
            {system !== null && (
              <div
                className="tail-row kind-system system-fold"
                data-testid="system-fold"
                title="Records the collector wrote for this project (session declared, gaps, refusals)"
              >
                <span className="t">{formatTime(system.last.ts)}</span>
                <span className="ty">
                  {formatCount(system.count)} system record{system.count === 1 ? '' : 's'}
                </span>
                <span className="d">latest: {system.last.desc}</span>
              </div>
            )}
          </section>
        );
      })}
    </div>
  );
}
