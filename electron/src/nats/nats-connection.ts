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

/**
 * `cfg.servers` reordered so the server leading `stream` comes first, or null when the connection is on the leader
 * already (or the leader is not among the given servers, or cannot be told). A publish that arrives at another
 * server is parsed there and routed to the leader: measured under B2-NATS R1 that server spent ~27% of a core on it,
 * on a machine where every process shares two cores.
 */
export async function leaderFirst(nc: NatsConnection, cfg: NatsConfig, stream: string): Promise<string[] | null> {
  try {
    const leader = (await (await nc.jetstreamManager()).streams.info(stream)).cluster?.leader;
    if (leader === undefined || leader === '' || nc.info?.server_name === leader) return null;
    for (const url of cfg.servers) {
      let probe: NatsConnection | null = null;
      try {
        probe = await connect({
          ...connectionOptions(cfg, 'ic-audit leader probe'),
          servers: [url],
          maxReconnectAttempts: 0,
          waitOnFirstConnect: false,
          timeout: 2_000,
        });
        if (probe.info?.server_name === leader) return [url, ...cfg.servers.filter((s) => s !== url)];
      } catch {
        // That server is down or unreachable: it is not the one to prefer.
      } finally {
        await probe?.close().catch(() => undefined);
      }
    }
  } catch {
    // No stream info (yet): keep the connection as it is.
  }
  return null;
}

/**
 * Connects for publishing to `stream`: to the stream's leader when it is among `cfg.servers` (tried first, the
 * others after it, in order), else as {@link connectNats} does. After a failover the client reconnects down the same
 * list, and publishes reach the new leader through the cluster's routes as before.
 */
export async function connectNatsPublisher(
  cfg: NatsConfig,
  name: string,
  stream: string,
  ready: (nc: NatsConnection) => Promise<void>,
): Promise<NatsConnection> {
  const nc = await connectNats(cfg, name);
  try {
    await ready(nc);
  } catch (err) {
    await nc.close();
    throw err;
  }
  const ordered = cfg.servers.length > 1 ? await leaderFirst(nc, cfg, stream) : null;
  if (ordered === null) return nc;
  await nc.close();
  return connect({ ...connectionOptions(cfg, name), servers: ordered, noRandomize: true });
}
