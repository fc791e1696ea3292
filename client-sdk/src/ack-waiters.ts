interface Waiter {
  target: number;
  resolve: (ok: boolean) => void;
  timer: ReturnType<typeof setTimeout>;
  failFast: boolean;
}

/**
 * Pending `flush()` / `close()` / exit-flush promises, each waiting for the acked seq to reach its target or for
 * its deadline. Deadline timers stay ref'd on purpose: a bot awaiting flush() must not exit before the answer,
 * and the wait is bounded.
 */
export class AckWaiters {
  private list: Waiter[] = [];

  /** Number of pending waits. */
  get size(): number {
    return this.list.length;
  }

  /** Waits until {@link settle} sees `target` acked (resolving its `ok`), the deadline (false), or a failure. */
  add(target: number, timeoutMs: number, failFast: boolean): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        target,
        resolve,
        failFast,
        timer: setTimeout(() => this.finish(waiter, false), timeoutMs),
      };
      this.list.push(waiter);
    });
  }

  /** Resolves every wait whose target is at or below `acked`, with `ok`. */
  settle(acked: number, ok: boolean): void {
    for (const w of this.list.slice()) if (acked >= w.target) this.finish(w, ok);
  }

  /** Resolves false the waits that give up on a failed connection (exit flush), or all of them. */
  fail(failFastOnly: boolean): void {
    for (const w of this.list.slice()) if (w.failFast || !failFastOnly) this.finish(w, false);
  }

  private finish(w: Waiter, ok: boolean): void {
    const i = this.list.indexOf(w);
    if (i < 0) return;
    this.list.splice(i, 1);
    clearTimeout(w.timer);
    w.resolve(ok);
  }
}
