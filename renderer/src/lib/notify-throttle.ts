/** What to show in one desktop notification. */
export interface NotifySummary {
  title: string;
  body: string;
}

/**
 * At most one desktop notification per `intervalMs`; errors arriving meanwhile are summed into the next one, so
 * an erroring bot cannot flood the desktop.
 */
export class NotifyThrottle {
  private lastAt = -Infinity;
  /** The first errors held (for the message) and the projects they came from; `held` counts every one. */
  private waiting: Array<{ project: string; desc: string }> = [];
  private projects = new Set<string>();
  private held = 0;

  constructor(private readonly intervalMs = 10_000) {}

  /** Records error events; returns a notification to show now, or null (held for later or nothing to say). */
  offer(errors: ReadonlyArray<{ project: string; desc: string }>, nowMs: number): NotifySummary | null {
    for (const e of errors) {
      this.held++;
      this.projects.add(e.project);
      if (this.waiting.length < 1000) this.waiting.push(e);
    }
    return this.poll(nowMs);
  }

  /** Emits the held summary if the interval has passed. */
  poll(nowMs: number): NotifySummary | null {
    if (this.waiting.length === 0 || nowMs - this.lastAt < this.intervalMs) return null;
    const first = this.waiting[0]!;
    const count = this.held;
    const projects = [...this.projects];
    this.waiting = [];
    this.projects = new Set();
    this.held = 0;
    this.lastAt = nowMs;
    if (count === 1) return { title: `ic-audit: error in ${first.project}`, body: first.desc.slice(0, 200) };
    return {
      title: `ic-audit: ${count} errors in ${projects.length === 1 ? projects[0] : `${projects.length} projects`}`,
      body: `${first.project}: ${first.desc.slice(0, 160)}`,
    };
  }
}
