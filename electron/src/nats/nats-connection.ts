import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, type ConnectionOptions, type NatsConnection } from 'nats';
import type { NatsConfig } from '../settings/nats-config.js';

/** Connection options for a {@link NatsConfig}: fail over between servers, reconnect forever. */
export function connectionOptions(cfg: NatsConfig, name: string): ConnectionOptions {
  const opts: ConnectionOptions = {
    servers: cfg.servers,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    pingInterval: 10_000,
  };
  if (cfg.creds !== null) opts.authenticator = credsAuthenticator(readFileSync(cfg.creds));
  if (cfg.ca !== null) opts.tls = { caFile: cfg.ca };
  return opts;
}

/**
 * Connects to NATS; while no server answers it keeps trying (printing one line after a few seconds), since a
 * collector in NATS mode cannot ack anything without JetStream anyway.
 */
export async function connectNats(cfg: NatsConfig, name: string): Promise<NatsConnection> {
  const waiting = setTimeout(() => {
    process.stderr.write(`ic-audit: waiting for NATS at ${cfg.servers.join(', ')}\n`);
  }, 3_000);
  try {
    return await connect(connectionOptions(cfg, name));
  } finally {
    clearTimeout(waiting);
  }
}
