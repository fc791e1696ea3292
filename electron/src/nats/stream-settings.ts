import { DiscardPolicy, RetentionPolicy, StorageType, nanos, type JetStreamManager, type StreamConfig } from 'nats';
import { NATS_DEFAULTS, type NatsConfig } from '../settings/nats-config.js';

export { NATS_DEFAULTS, type NatsConfig } from '../settings/nats-config.js';

const SAFE = /^[A-Za-z0-9_-]$/;

/**
 * Encodes a project name as one NATS subject token: `A-Z a-z 0-9 _ -` stay, every other UTF-8 byte becomes
 * `%HH` (so `.`, `*`, `>`, spaces and non-ASCII can never split or widen a subject). Reversible.
 */
export function encodeSubjectToken(name: string): string {
  let out = '';
  for (const ch of name) {
    if (SAFE.test(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Inverse of {@link encodeSubjectToken}. */
export function decodeSubjectToken(token: string): string {
  return decodeURIComponent(token);
}

/**
 * Subject prefix of a stream: `ic-audit.events` for the default stream, `ic-audit.<stream>.events` for any other
 * (so several streams, e.g. R1 and R3 side by side, can live in one cluster without overlapping subjects).
 */
export function subjectPrefix(stream: string): string {
  return stream === NATS_DEFAULTS.stream ? NATS_DEFAULTS.subjectPrefix : `ic-audit.${stream}.events`;
}

/** Subject of a project's events in `stream`. */
export function subjectFor(project: string, stream: string = NATS_DEFAULTS.stream): string {
  return `${subjectPrefix(stream)}.${encodeSubjectToken(project)}`;
}

/** The stream configuration this collector creates when the stream is missing. */
export function streamConfig(cfg: NatsConfig): Partial<StreamConfig> {
  return {
    name: cfg.stream,
    subjects: [`${subjectPrefix(cfg.stream)}.>`],
    num_replicas: cfg.replicas,
    duplicate_window: nanos(NATS_DEFAULTS.duplicateWindowMs),
    retention: RetentionPolicy.Limits,
    max_age: nanos(NATS_DEFAULTS.maxAgeMs),
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
  };
}

/**
 * Uses the stream when it exists, else creates it with {@link streamConfig}. Errors are retried for up to
 * `patienceMs` (a cluster that just started has no JetStream leader yet), then thrown with a clear message.
 */
export async function ensureStream(jsm: JetStreamManager, cfg: NatsConfig, patienceMs = 30_000): Promise<void> {
  const deadline = Date.now() + patienceMs;
  for (let wait = 100; ; wait = Math.min(2_000, wait * 2)) {
    try {
      return await ensureStreamOnce(jsm, cfg);
    } catch (err) {
      if (!TRANSIENT.test((err as Error).message) || Date.now() + wait > deadline) throw err;
      await new Promise((res) => setTimeout(res, wait));
    }
  }
}

/** Errors of a cluster still forming (no JetStream leader yet, peers not known yet). */
const TRANSIENT =
  /timeout|503|no responders|not enabled|insufficient resources|no suitable peers|leader|unavailable|connection/i;

async function ensureStreamOnce(jsm: JetStreamManager, cfg: NatsConfig): Promise<void> {
  try {
    await jsm.streams.info(cfg.stream);
    return;
  } catch (err) {
    if (!/not found/i.test((err as Error).message)) throw err;
  }
  try {
    await jsm.streams.add(streamConfig(cfg));
  } catch (err) {
    const msg = (err as Error).message;
    if (/already in use|already exists/i.test(msg)) return; // another collector created it first
    if (/insufficient resources|no suitable peers/i.test(msg)) {
      throw new Error(
        `cannot create stream ${cfg.stream} with ${cfg.replicas} replicas: the NATS cluster has fewer JetStream servers ` +
          `(use --nats-replicas 1 for a single server): ${msg}`,
        { cause: err },
      );
    }
    throw err;
  }
}
