/**
 * Ingest connections that stopped reading because the journal is behind (see Collector.congested): each is resumed
 * once the backlog is down to a quarter of the pause threshold.
 */
export class DrainWaiters {
  private waiters: Array<() => void> = [];

  /** Calls `resume` at the next {@link release} that finds the backlog low enough. */
  add(resume: () => void): void {
    this.waiters.push(resume);
  }

  /** Resumes every waiter when `backlog` is at most a quarter of `pauseAt`. */
  release(backlog: number, pauseAt: number): void {
    if (this.waiters.length === 0 || backlog > pauseAt / 4) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resume of waiters) resume();
  }
}
