import type { NatsConnection, Subscription } from 'nats';
import type { CollectorApi } from '../collector/api.js';

/** Core NATS subject prefix (not stored in the stream) where collectors announce their connected sessions. */
export const PRESENCE_PREFIX = 'ic-audit.presence';
/** Every collector announces at least this often; a console forgets an announcement 3 periods old. */
export const PRESENCE_INTERVAL_MS = 5_000;

/**
 * One announcement: which sessions have a live connection at this collector, and how far JetStream has acknowledged
 * its journal in which stream (absent from older collectors): a console's Verify then knows ids that must be there.
 */
export interface PresenceMessage {
  collector: string;
  connected: string[];
  stream?: string;
  /** Highest journal id JetStream acknowledged, with every lower one (the publish cursor). */
  stored?: number;
}

/** Where a collector's publishing stands, for its announcements. */
export interface PublishState {
  stream: string;
  stored: number;
}

/**
 * Announces the collector's connected sessions and its publish cursor on `ic-audit.presence.<collector>`: at once
 * when a session connects or goes (coalesced), and every {@link PRESENCE_INTERVAL_MS}. Returns a stop function.
 */
export function announcePresence(
  nc: NatsConnection,
  collector: string,
  api: CollectorApi,
  state: () => PublishState,
): () => void {
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
      ...state(),
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
  /** Per stream, per collector: the newest publish cursor announced. */
  private readonly stored = new Map<string, Map<string, number>>();
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
          if (typeof p.stream === 'string' && Number.isSafeInteger(p.stored)) {
            let claims = this.stored.get(p.stream);
            if (claims === undefined) this.stored.set(p.stream, (claims = new Map<string, number>()));
            claims.set(p.collector, p.stored!);
          }
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

  /**
   * Each collector's newest announced publish cursor for `stream` (a copy): every journal id up to it was
   * acknowledged by JetStream before the announcement, so a walk of the stream started later must find it.
   */
  storedIn(stream: string): Map<string, number> {
    return new Map<string, number>(this.stored.get(stream));
  }

  /** Stops watching. */
  stop(): void {
    this.sub?.unsubscribe();
    this.sub = null;
  }
}
