/** Schedules one callback (requestAnimationFrame in the browser; anything in tests). */
export type Scheduler = (run: () => void) => void;

/**
 * Accumulates items outside React and hands them over in one batch per scheduled tick, so a stream of thousands
 * of events per second costs one store update (and at most one render) per animation frame.
 */
export class FrameBatcher<T> {
  private items: T[] = [];
  private scheduled = false;

  constructor(
    private readonly flush: (items: T[]) => void,
    private readonly schedule: Scheduler,
  ) {}

  /** Queues items; the first push after a flush schedules the next one. */
  push(items: readonly T[]): void {
    for (const item of items) this.items.push(item);
    if (this.scheduled || this.items.length === 0) return;
    this.scheduled = true;
    this.schedule(() => this.run());
  }

  /** Drops everything queued (a snapshot replaces it). */
  clear(): void {
    this.items = [];
  }

  /** Items waiting. */
  get pending(): number {
    return this.items.length;
  }

  private run(): void {
    this.scheduled = false;
    const batch = this.items;
    if (batch.length === 0) return;
    this.items = [];
    this.flush(batch);
  }
}
