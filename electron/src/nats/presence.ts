import type { NatsConnection, Subscription } from 'nats';
import type { CollectorApi } from '../collector/api.js';

/** Core NATS subject prefix (not stored in the stream) where collectors announce their connected sessions. */
export const PRESENCE_PREFIX = 'ic-audit.presence';
/** Every collector announces at least this often; a console forgets an announcement 3 periods old. */
export const PRESENCE_INTERVAL_MS = 5_000;

/** One announcement: which sessions have a live connection at this collector. */
export interface PresenceMessage {
  collector: string;
  connected: string[];
}

/**
 * Announces the collector's connected sessions on `ic-audit.presence.<collector>`: at once when a session
 * connects or goes (coalesced), and every {@link PRESENCE_INTERVAL_MS}. Returns a stop function.
 */
export function announcePresence(nc: NatsConnection, collector: string, api: CollectorApi): () => void {
  const subject = `${PRESENCE_PREFIX}.${collector}`;
  let pending: NodeJS.Timeout | null = null;
  const publish = (): void => {
    pending = null;
    const msg: PresenceMessage = {
      collector,
      connected: api
        .sessions()
        .filter((s) => s.connected)
        .map((s) => s.session),
    };
    try {
      if (!nc.isClosed()) nc.publish(subject, JSON.stringify(msg));
    } catch {
      /* disconnected: the next tick tries again */
    }
  };
  const off = api.onSession(() => {
    pending ??= setTimeout(publish, 100);
  });
  const timer = setInterval(publish, PRESENCE_INTERVAL_MS);
  timer.unref();
  publish();
  return () => {
    off();
    clearInterval(timer);
    if (pending !== null) clearTimeout(pending);
  };
}

/** What consoles know about live connections, from every collector's announcements. */
export class PresenceBook {
  private readonly byCollector = new Map<string, { at: number; connected: Set<string> }>();
  private sub: Subscription | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  /** Subscribes to every collector's announcements; `onChange` runs after each one. */
  watch(nc: NatsConnection, onChange: () => void): void {
    this.sub = nc.subscribe(`${PRESENCE_PREFIX}.>`, {
      callback: (err, m) => {
        if (err !== null) return;
        try {
          const p = JSON.parse(Buffer.from(m.data).toString('utf8')) as PresenceMessage;
          if (typeof p.collector !== 'string' || !Array.isArray(p.connected)) return;
          this.byCollector.set(p.collector, { at: this.now(), connected: new Set(p.connected.map(String)) });
          onChange();
        } catch {
          /* not ours */
        }
      },
    });
  }

  /** True when a collector announced `session` as connected within the last three periods. */
  connected(session: string): boolean {
    const fresh = this.now() - 3 * PRESENCE_INTERVAL_MS;
    for (const c of this.byCollector.values()) if (c.at >= fresh && c.connected.has(session)) return true;
    return false;
  }

  /** Stops watching. */
  stop(): void {
    this.sub?.unsubscribe();
    this.sub = null;
  }
}
